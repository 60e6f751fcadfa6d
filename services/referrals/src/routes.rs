//! The HTTP handlers of referrals.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use labex_domain::Aggregate;
use labex_domain::jobseeker::JobSeeker;
use labex_domain::referral::ReferralError;
use labex_domain::referral::{MakeReferral, Referral, ReferralCommand};
use labex_domain::vacancy::Vacancy;
use labex_domain::value::DivisionCode;
use labex_domain::{JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{
    ExecuteOptions, Executed, ExpectedRevision, Loaded, ProjectionError, ReadModel, Repository,
    RepositoryError, Turn,
};
use labex_web::{
    ApiError, Caller, Cursor, ErrorCode, IdempotencyKeyHeader, IfMatch, InputError, Page, Role,
    Validator, etag, parse_as_of, request_context,
};
use serde::Deserialize;

use crate::consistency::{ListRunner, PairLocks};
use crate::read_model::{self, After, CONCLUDED, ListQuery, OPEN, Visibility};
use crate::requests::{OutcomeBody, ReferBody};
use crate::views::{ReferralPage, ReferralView};

/// How long a write waits for the referral lists to apply it (and a
/// referral for them to catch up before it is decided).
pub const READ_MODEL_WAIT: Duration = Duration::from_secs(5);

/// What the handlers share.
pub struct State {
    pub repository: Repository,
    pub read_model: ReadModel,
    pub list_runner: ListRunner,
    /// Referral creation, serialised per job seeker and vacancy.
    pub pair_locks: PairLocks<(JobSeekerId, VacancyId)>,
}

/// Office staff: who refers job seekers.
const STAFF: &[Role] = &[Role::Counsellor, Role::OfficeAdmin];

/// Mounts the routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/v1/referrals")
                .route(web::post().to(refer))
                .route(web::get().to(list)),
        )
        .service(web::resource("/v1/referrals/{id}").route(web::get().to(get)))
        .service(web::resource("/v1/referrals/{id}/outcome").route(web::post().to(record_outcome)));
}

fn parse_id(text: &str) -> Result<ReferralId, ApiError> {
    ReferralId::parse(text).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidPath,
            "The referral id in the path is not a UUID; use the id the API returned.",
        )
    })
}

fn not_found(id: ReferralId) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("No referral {id} exists; check the id."),
    )
}

fn answer(status: StatusCode, state: Option<Referral>, revision: Option<u64>) -> HttpResponse {
    match (state, revision) {
        (Some(referral), Some(revision)) => {
            let mut response = HttpResponse::build(status);
            if status == StatusCode::CREATED {
                response
                    .insert_header((header::LOCATION, format!("/v1/referrals/{}", referral.id)));
            }
            response
                .insert_header(etag(revision))
                .json(ReferralView::new(&referral, revision))
        }
        _ => actix_web::ResponseError::error_response(&ApiError::internal(
            &"a command left no referral",
        )),
    }
}

fn executed(status: StatusCode, executed: Executed<Referral>) -> HttpResponse {
    answer(status, executed.state, executed.revision)
}

/// The referral lists cannot answer for now: 503 with a retry hint.
fn lists_behind(error: &ProjectionError) -> ApiError {
    match error {
        ProjectionError::Store(store) => ApiError::store_unavailable(store),
        error => {
            tracing::warn!(%error, "the referral lists are behind the store");
            ApiError::new(
                ErrorCode::NotReady,
                "The referral lists are catching up with the event store; retry in a few seconds.",
            )
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
        }
    }
}

/// Waits for the referral lists to apply a write, so that the next
/// request reads it; the write stands either way, so a late list is only
/// logged.
async fn settle(state: &State, executed: &Executed<Referral>) {
    let Some(position) = executed.position else {
        return;
    };
    if let Err(error) = state.list_runner.wait_for(position, READ_MODEL_WAIT).await {
        tracing::warn!(%error, ?position, "the referral lists did not apply a write in time");
    }
}

/// The office that registered a job seeker: from the referral lists, or
/// loaded when they have not seen the registration.
async fn jobseeker_office(state: &State, id: JobSeekerId) -> Result<DivisionCode, ApiError> {
    let known = state
        .read_model
        .read(move |connection| read_model::jobseeker_office(connection, id))
        .await
        .map_err(|error| ApiError::internal(&error))?;
    if let Some(office) = known.and_then(|text| DivisionCode::parse(&text).ok()) {
        return Ok(office);
    }
    match state.repository.get::<JobSeeker>(id).await {
        Ok((jobseeker, _)) => Ok(jobseeker.office),
        Err(RepositoryError::NotFound { .. }) => Err(ApiError::internal(&format!(
            "a referral names job seeker {id}, who is not registered"
        ))),
        Err(error) => Err(ApiError::from_repository(error, false)),
    }
}

/// Who may read a referral: office staff whose scope covers the job
/// seeker's office, and the employer it was made to. Answers the job
/// seeker's office.
async fn may_follow(
    state: &State,
    caller: &Caller,
    referral: &Referral,
) -> Result<DivisionCode, ApiError> {
    match caller.role() {
        Role::Employer if caller.employer_id() == Some(referral.employer_id) => {
            jobseeker_office(state, referral.jobseeker_id).await
        }
        Role::Employer => Err(ApiError::forbidden(
            "An employer sees only the referrals to its own vacancies; use a token issued to that employer.",
        )),
        Role::Jobseeker => Err(ApiError::forbidden(
            "Referrals are followed by employment offices and employers; ask your employment office.",
        )),
        Role::Counsellor | Role::OfficeAdmin | Role::Province => {
            let office = jobseeker_office(state, referral.jobseeker_id).await?;
            caller.may_act_in(&office)?;
            Ok(office)
        }
    }
}

/// Whose role may record how a referral ended: the office staff who refer
/// (counsellors, office administrators, the province). The employer
/// referred to reads the referral and tells the office how it ended; it
/// does not record the outcome itself.
fn may_record_outcomes(caller: &Caller) -> Result<(), ApiError> {
    match caller.role() {
        Role::Counsellor | Role::OfficeAdmin | Role::Province => Ok(()),
        Role::Employer => Err(ApiError::forbidden(
            "Outcomes of referrals are recorded by the employment office; an employer reads the referrals to it and tells the office how they ended.",
        )),
        Role::Jobseeker => Err(ApiError::forbidden(
            "Outcomes of referrals are recorded by the employment office; ask your employment office.",
        )),
    }
}

/// Who may record a referral's outcome: office staff (see
/// [`may_record_outcomes`]) whose scope covers the job seeker's office.
/// Answers that office, to write the outcome's events for.
async fn may_record(
    state: &State,
    caller: &Caller,
    referral: &Referral,
) -> Result<DivisionCode, ApiError> {
    may_record_outcomes(caller)?;
    let office = jobseeker_office(state, referral.jobseeker_id).await?;
    caller.may_act_in(&office)?;
    Ok(office)
}

/// Refer a job seeker to a vacancy (职业介绍).
#[utoipa::path(
    post,
    path = "/v1/referrals",
    tag = "referrals",
    request_body = ReferBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses(
        (status = 201, description = "referred; Location names the referral, ETag is its revision", body = ReferralView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "the job seeker's office is outside the caller's scope", body = labex_web::Problem),
        (status = 409, description = "the vacancy is not open, or the job seeker already has an open referral to it", body = labex_web::Problem),
        (status = 422, description = "invalid fields, or an unknown job seeker or vacancy", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn refer(
    state: web::Data<State>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: web::Json<ReferBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_role(STAFF)?;
    let refer = body.parse()?;
    let (jobseeker, vacancy) = tokio::join!(
        state.repository.load::<JobSeeker>(refer.jobseeker_id),
        state.repository.load::<Vacancy>(refer.vacancy_id),
    );
    let jobseeker = jobseeker
        .map_err(|error| ApiError::from_repository(error, false))?
        .state;
    let vacancy = vacancy
        .map_err(|error| ApiError::from_repository(error, false))?
        .state;
    let mut fields = Validator::new();
    if jobseeker.is_none() {
        fields.fail(
            "jobseeker_id",
            InputError::JobSeekerUnknown,
            "names no registered job seeker; use the id of a registered job seeker",
        );
    }
    if vacancy.is_none() {
        fields.fail(
            "vacancy_id",
            InputError::VacancyUnknown,
            "names no published vacancy; use the id of a published vacancy",
        );
    }
    let (jobseeker, vacancy) = fields.finish(|| Some((jobseeker?, vacancy?)))?;
    caller.may_act_in(&jobseeker.office)?;

    let referral_id = key.0.as_ref().map_or_else(ReferralId::generate, |key| {
        ReferralId::from_uuid(key.aggregate_uuid(caller.subject(), ReferralId::STREAM_CATEGORY))
    });
    let context = request_context(caller.subject(), Some(jobseeker.office.clone()));
    let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
    if let Some(key) = key.0 {
        options = options.idempotency_key(key);
    }

    // One creation per pair at a time, deciding on lists that hold every
    // referral written before it: in this process by a lock, across
    // processes by the pair's turn in the store.
    let _pair = state.pair_locks.lock((jobseeker.id, vacancy.id)).await;
    state
        .list_runner
        .catch_up(READ_MODEL_WAIT)
        .await
        .map_err(|error| lists_behind(&error))?;
    let jobseeker_id = jobseeker.id;
    let open_referrals = state
        .read_model
        .read(move |connection| read_model::open_referrals(connection, jobseeker_id))
        .await
        .map_err(|error| ApiError::internal(&error))?;
    let command = ReferralCommand::Make(MakeReferral {
        referral_id,
        jobseeker_id: jobseeker.id,
        vacancy_id: vacancy.id,
        note: refer.note,
        referred_at: context.at,
        vacancy: vacancy.for_referral(),
        jobseeker: jobseeker.for_referral(),
        open_referrals,
    });
    // What the domain refuses writes nothing, not even a turn. (A retry of
    // this very referral is answered by the repository from its events.)
    match Referral::decide(None, command.clone()) {
        Err(ReferralError::DuplicateOpenReferral { existing }) if existing == referral_id => {}
        Err(refusal) => return Err(labex_app::Error::refused(refusal).into()),
        Ok(_) => {}
    }
    let pair = pair_stream(jobseeker.id, vacancy.id);
    let turn = take_pair_turn(&state, &pair, referral_id, &context).await?;
    let made = state
        .repository
        .execute_with::<Referral>(referral_id, command, &context, options)
        .await;
    if let Err(RepositoryError::Domain(_)) = &made {
        // Refused, so nothing was written: hand the pair's turn back. (After
        // a store error the referral may stand; the turn then stays with it,
        // or lapses after TURN_GRACE if it was never written.)
        let handed_back = state
            .repository
            .hand_back_turn(&pair, &turn, &context)
            .await;
        if let Err(error) = handed_back {
            tracing::warn!(%error, %pair, "could not hand a referral turn back");
        }
    }
    let done = match made {
        Ok(done) => done,
        Err(RepositoryError::Conflict { .. }) => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!(
                    "A referral {referral_id} exists already; read it, or send a new Idempotency-Key."
                ),
            ));
        }
        Err(error) => return Err(ApiError::from_repository(error, false)),
    };
    settle(&state, &done).await;
    Ok(executed(StatusCode::CREATED, done))
}

/// How long the turn of a referral that was never written holds its pair
/// (a process stopped between taking the turn and writing the referral).
const TURN_GRACE: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

/// The stream of turns to refer one job seeker to one vacancy.
fn pair_stream(jobseeker: JobSeekerId, vacancy: VacancyId) -> String {
    format!(
        "referralpair-{}_{}",
        jobseeker.as_uuid().simple(),
        vacancy.as_uuid().simple()
    )
}

/// Takes the pair's turn for `referral_id`, unless the latest turn belongs
/// to a referral that is open (409) or still being written by another
/// request (409, retry later). The store lets one taker through.
async fn take_pair_turn(
    state: &State,
    pair: &str,
    referral_id: ReferralId,
    context: &labex_eventsourcing::EventContext,
) -> Result<Turn, ApiError> {
    const ATTEMPTS: usize = 5;
    let store = |error| ApiError::from_repository(error, false);
    for _ in 0..ATTEMPTS {
        let latest = state.repository.latest_turn(pair).await.map_err(store)?;
        if let Some(turn) = &latest
            && let Some(holder) = turn.holder
        {
            if holder == referral_id.as_uuid() {
                // A retry of this very referral (same Idempotency-Key).
                return Ok(turn.clone());
            }
            let other = ReferralId::from_uuid(holder);
            let referral = state
                .repository
                .load::<Referral>(other)
                .await
                .map_err(store)?
                .state;
            match referral {
                Some(referral) if referral.is_open() => {
                    return Err(
                        labex_app::Error::refused(ReferralError::DuplicateOpenReferral {
                            existing: other,
                        })
                        .into(),
                    );
                }
                Some(_) => {}
                None if context.at - turn.at < TURN_GRACE => {
                    return Err(ApiError::new(
                        ErrorCode::Conflict,
                        format!(
                            "Referral {other} of this job seeker to this vacancy is being made; read it, or retry in a few seconds."
                        ),
                    ));
                }
                None => {
                    tracing::warn!(%pair, referral = %other, "taking over the turn of a referral never written");
                }
            }
        }
        let taken = state
            .repository
            .take_turn(pair, referral_id.as_uuid(), latest.as_ref(), context)
            .await
            .map_err(store)?;
        if let Some(turn) = taken {
            return Ok(turn);
        }
    }
    Err(ApiError::new(
        ErrorCode::Conflict,
        "Other referrals of this job seeker to this vacancy are being made; read them, or retry.",
    ))
}

/// `?as_of=`.
#[derive(Debug, Deserialize)]
pub struct AsOf {
    as_of: Option<String>,
}

/// A referral now, or as it stood at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/referrals/{id}",
    tag = "referrals",
    params(
        ("id" = String, Path, description = "referral id"),
        ("as_of" = Option<String>, Query, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the referral; ETag is its revision", body = ReferralView),
        (status = 400, description = "bad id or as_of", body = labex_web::Problem),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "neither staff covering the job seeker's office nor the employer referred to", body = labex_web::Problem),
        (status = 404, description = "no such referral (then)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let as_of = parse_as_of(query.as_of.as_deref())?;
    let loaded = match as_of {
        None => state.repository.load::<Referral>(id).await,
        Some(moment) => state.repository.load_as_of::<Referral>(id, moment).await,
    }
    .map_err(|error| ApiError::from_repository(error, false))?;
    let Loaded {
        state: Some(referral),
        revision,
    } = loaded
    else {
        return Err(not_found(id));
    };
    may_follow(&state, &caller, &referral).await?;
    Ok(answer(StatusCode::OK, Some(referral), revision))
}

/// Record how a referral ended (office staff within their scope); a hire
/// employs the job seeker and lowers the vacancy's open headcount shortly
/// after.
#[utoipa::path(
    post,
    path = "/v1/referrals/{id}/outcome",
    tag = "referrals",
    request_body = OutcomeBody,
    params(
        ("id" = String, Path, description = "referral id"),
        ("If-Match" = Option<String>, Header, description = "the ETag the outcome is based on"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe"),
    ),
    responses(
        (status = 200, description = "recorded", body = ReferralView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not office staff covering the job seeker's office (employers read referrals but do not record outcomes)", body = labex_web::Problem),
        (status = 404, description = "no such referral", body = labex_web::Problem),
        (status = 409, description = "the referral already has an outcome", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
        (status = 422, description = "invalid fields, or a date before the referral", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn record_outcome(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    if_match: IfMatch,
    key: IdempotencyKeyHeader,
    body: web::Json<OutcomeBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    may_record_outcomes(&caller)?;
    let outcome = body.parse()?;
    let (referral, _) =
        state
            .repository
            .get::<Referral>(id)
            .await
            .map_err(|error| match error {
                RepositoryError::NotFound { .. } => not_found(id),
                error => ApiError::from_repository(error, false),
            })?;
    let office = may_record(&state, &caller, &referral).await?;
    let context = request_context(caller.subject(), Some(office));
    let mut options = if_match.apply_to(ExecuteOptions::default());
    if let Some(key) = key.0 {
        options = options.idempotency_key(key);
    }
    let done = state
        .repository
        .execute_with::<Referral>(
            id,
            ReferralCommand::RecordOutcome(outcome),
            &context,
            options,
        )
        .await
        .map_err(|error| ApiError::from_repository(error, if_match.is_present()))?;
    settle(&state, &done).await;
    Ok(executed(StatusCode::OK, done))
}

/// `GET /v1/referrals` filters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    vacancy: Option<String>,
    jobseeker: Option<String>,
    status: Option<String>,
}

/// Referrals, newest first: staff see those of job seekers within their
/// office's scope, an employer those to its own vacancies.
#[utoipa::path(
    get,
    path = "/v1/referrals",
    tag = "referrals",
    params(
        ("vacancy" = Option<String>, Query, description = "only referrals to this vacancy"),
        ("jobseeker" = Option<String>, Query, description = "only referrals of this job seeker"),
        ("status" = Option<String>, Query, description = "open or concluded"),
        ("limit" = Option<u32>, Query, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "a page", body = ReferralPage),
        (status = 400, description = "bad filter, limit or cursor", body = labex_web::Problem),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "job seekers do not list referrals", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<State>,
    caller: Caller,
    page: Page,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let visibility = match caller.role() {
        Role::Province => Visibility::All,
        Role::Counsellor | Role::OfficeAdmin => {
            Visibility::OfficeScope(caller.office().scope_prefix().to_owned())
        }
        Role::Employer => match caller.employer_id() {
            Some(employer_id) => Visibility::Employer(employer_id),
            None => {
                return Err(ApiError::forbidden(
                    "This employer token names no employer; use a token issued to an employer.",
                ));
            }
        },
        Role::Jobseeker => {
            return Err(ApiError::forbidden(
                "Referrals are listed for employment offices and employers; ask your employment office.",
            ));
        }
    };
    let vacancy_id = params
        .vacancy
        .as_deref()
        .map(VacancyId::parse)
        .transpose()
        .map_err(|_| ApiError::invalid_query("vacancy must be the id (a UUID) of a vacancy."))?;
    let jobseeker_id = params
        .jobseeker
        .as_deref()
        .map(JobSeekerId::parse)
        .transpose()
        .map_err(|_| {
            ApiError::invalid_query("jobseeker must be the id (a UUID) of a job seeker.")
        })?;
    let status = params
        .status
        .as_deref()
        .map(|text| match text.trim() {
            OPEN => Ok(OPEN),
            CONCLUDED => Ok(CONCLUDED),
            _ => Err(ApiError::invalid_query("status must be open or concluded.")),
        })
        .transpose()?;
    let after = page
        .cursor
        .as_ref()
        .map(|cursor| {
            After::parse(cursor.position()).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidCursor,
                    "The cursor is not one this service issued; use the next_cursor of the previous page.",
                )
            })
        })
        .transpose()?;
    let query = ListQuery {
        visibility,
        vacancy_id,
        jobseeker_id,
        status,
        after,
        limit: page.limit,
    };
    let (items, next) = state
        .read_model
        .read(move |connection| read_model::list(connection, &query))
        .await
        .map_err(|error| ApiError::internal(&error))?;
    let next_cursor = next.map(|after| Cursor::new(after.position()).encode());
    Ok(HttpResponse::Ok().json(ReferralPage { items, next_cursor }))
}
