//! What every Labex HTTP service shares, on actix-web: configuration from
//! `LABEX_*` variables and the token secret kept in the data folder
//! ([`Settings`]) and the log output ([`init_logging`]); the one catalogue of errors ([`ErrorCode`]) and
//! [`ApiError`], which renders RFC 9457 problem+json and is the only place
//! a domain, repository or extractor error becomes a status; bearer tokens
//! (JWT, HS256) and office scoping ([`Caller`], [`TokenIssuer`]); the
//! observing middleware ([`observe`]) that gives each request an id, logs it
//! without bodies or query strings and counts it in the Prometheus
//! [`Metrics`]; the middleware that answers a handler's panic with a 500
//! problem ([`catch_panic`]); the operational endpoints ([`Operations`]: `/healthz`,
//! `/readyz`, `/metrics`, `/openapi.json`); and the request and response
//! helpers of the API conventions (`ETag`, `If-Match`, `Idempotency-Key`,
//! cursor paging).
//!
//! A service builds its app as
//! `App::new().wrap(from_fn(catch_panic)).wrap(from_fn(observe)).configure(configure_extractors).configure(operations.configure())`
//! (the panic catcher inside the observer, so that its 500 carries the
//! request id), as [`serve`] does,
//! with a [`TokenVerifier`] in the app data, then its own routes. Handlers
//! return `Result<_, ApiError>`; the request id of the task serving the
//! request becomes each problem's `instance`.

mod auth;
mod bootstrap;
mod deadline;
mod document;
mod error;
mod extractors;
pub mod feeds;
mod held;
mod host;
mod logging;
mod metrics;
mod ops;
mod panics;
mod privacy;
mod request_id;
mod resources;
mod responses;
mod revocations;
mod runners;
mod schemas;
mod settings;
mod validate;

pub use auth::{
    Caller, Claims, MaybeCaller, RevokedTokens, TokenIssuer, TokenPolicy, TokenPolicyError,
    TokenVerifier,
};
pub use bootstrap::{
    ADMIN_TOKEN_DAYS, ADMIN_TOKEN_FILE, DEFAULT_ADMIN_OFFICE, StartError, Starting, admin_office,
    connect_store, run_standalone, write_admin_token,
};
pub use deadline::{Deadline, deadline};
pub use document::{AllowedMethods, BEARER_SCHEME, merge_openapi};
pub use error::{ApiError, ErrorCode, PROBLEM_JSON, PROBLEM_TYPE_BASE, Problem};
pub use extractors::{
    DEFAULT_JSON_LIMIT, Json, configure_extractors, configure_extractors_with_limit,
    from_json_slice, json_error,
};
pub use feeds::{FeedGate, FeedLimits};
pub use held::{HeldRunner, SETTLE_WAIT};
pub use host::{
    DEFAULT_EVENTSTORE, SHUTDOWN_GRACE, Service, ServiceContext, bind, serve, shutdown_signal,
};
pub use labex_app::{Actor, FieldError, InputError, OFFICE_STAFF, Role, STAFF, Validator};
pub use logging::{LogFormat, init_logging};
pub use metrics::Metrics;
pub use ops::{LagReport, Operations, Readiness, ReadinessCheck};
pub use panics::catch_panic;
pub use privacy::{KEYS_FOLDER, keys_folder, open_keyring, restrict_file_modes};
pub use request_id::request_context;
pub use request_id::{REQUEST_ID_HEADER, current as current_request_id, observe};
pub use resources::{AsOf, Id, aggregate_answer};
pub use responses::{
    Cursor, DEFAULT_LIMIT, IDEMPOTENCY_KEY_HEADER, IdempotencyKeyHeader, IfMatch, MAX_LIMIT, Page,
    etag, next_cursor, parse_if_match,
};
pub use revocations::{RevocationBody, RevocationView};
pub use runners::{READY_LAG_EVENTS, Runners, StoreReachable, lag_outcome, runner_readiness};
#[doc(hidden)]
pub use utoipa as __utoipa;

pub use schemas::{
    AmountFen, CaseStageName, CertificateLevelName, CityOrCountyCode, CloseReasonName,
    ContactChannelName, CountyCode, CourseKindName, CreditCode, Day, DescriptionText, DivisionCode,
    EducationLevel, ErasureGroundName, ExperienceYearsNumber, FairKindName, GraduationYearNumber,
    HeadcountNumber, HouseholdExitReasonName, HouseholdStatusName, IdText, JobSeekerCategoryName,
    JobSeekerStatusName, LabelText, LoanStatusName, MeasureName, MobilePhoneText, Month, NoteText,
    OperatingStateName, OrganisationNameText, PersonNameText, PointKindName, ReferralOutcomeName,
    ReferralState, ResidentIdNumber, ReturnIntentionName, SalaryYuan, SearchOrder, SearchScope,
    TitleText, VacancyStatusName, WelfareExitReasonName, names, whole_number,
};
pub use settings::{
    JWT_SECRET_FILE, JwtSecret, Settings, SettingsError, load_or_generate_jwt_secret,
    load_or_generate_secret, write_private_file,
};
pub use validate::{parse_as_of, parse_office};
