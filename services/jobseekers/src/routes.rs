//! The HTTP handlers of the job-seeker registry.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use labex_domain::jobseeker::{JobSeeker, JobSeekerCommand, JobSeekerStatus, RegisterJobSeeker};
use labex_domain::value::{DivisionCode, JobSeekerCategory};
use labex_domain::{Aggregate, JobSeekerId, china_date};
use labex_eventsourcing::{
    ExecuteOptions, Executed, ExpectedRevision, Loaded, ReadModel, Repository, RepositoryError,
};
use labex_web::{
    ApiError, Caller, Cursor, ErrorCode, FieldError, IdempotencyKeyHeader, IfMatch, Page, Role,
    etag, parse_as_of, request_context,
};
use serde::Deserialize;

use crate::read_model::{self, ListQuery};
use crate::registry::Registry;
use crate::requests::{EmploymentBody, RegisterBody, UnemploymentBody, UpdateBody};
use crate::views::{JobSeekerPage, JobSeekerView};

/// What the handlers share.
pub struct State {
    pub repository: Repository,
    pub registry: Registry,
    pub read_model: ReadModel,
}

/// Office staff: who registers and follows job seekers.
const STAFF: &[Role] = &[Role::Counsellor, Role::OfficeAdmin];

/// Mounts the routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/v1/jobseekers")
                .route(web::post().to(register))
                .route(web::get().to(list)),
        )
        .service(
            web::resource("/v1/jobseekers/{id}")
                .route(web::get().to(get))
                .route(web::patch().to(update)),
        )
        .service(
            web::resource("/v1/jobseekers/{id}/unemployment")
                .route(web::post().to(register_unemployment)),
        )
        .service(
            web::resource("/v1/jobseekers/{id}/employment")
                .route(web::post().to(register_employment)),
        );
}

fn parse_id(text: &str) -> Result<JobSeekerId, ApiError> {
    JobSeekerId::parse(text).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidPath,
            "The job seeker id in the path is not a UUID; use the id the API returned.",
        )
    })
}

/// The day (in China) whose age an answer about the state at `as_of`
/// (now when absent) gives: that moment's, but never past today, for
/// nothing later than now is known of anyone.
fn age_day(as_of: Option<DateTime<Utc>>) -> NaiveDate {
    let now = Utc::now();
    china_date(as_of.map_or(now, |moment| moment.min(now)))
}

fn answer(
    status: StatusCode,
    state: Option<JobSeeker>,
    revision: Option<u64>,
    as_of: Option<DateTime<Utc>>,
) -> HttpResponse {
    match (state, revision) {
        (Some(jobseeker), Some(revision)) => {
            let mut response = HttpResponse::build(status);
            if status == StatusCode::CREATED {
                response
                    .insert_header((header::LOCATION, format!("/v1/jobseekers/{}", jobseeker.id)));
            }
            response
                .insert_header(etag(revision))
                .json(JobSeekerView::new(&jobseeker, revision, age_day(as_of)))
        }
        _ => actix_web::ResponseError::error_response(&ApiError::internal(
            &"a command left no job seeker",
        )),
    }
}

fn executed(status: StatusCode, executed: Executed<JobSeeker>) -> HttpResponse {
    answer(status, executed.state, executed.revision, None)
}

/// Who may read or change a job seeker: office staff whose scope covers
/// the registering office, and the job seeker themself (`sub` = id).
fn may_see(caller: &Caller, jobseeker: &JobSeeker) -> Result<(), ApiError> {
    if caller.role() == Role::Jobseeker && caller.subject() == jobseeker.id.to_string() {
        return Ok(());
    }
    caller.can_act_in(&jobseeker.office)
}

/// Register a job seeker (求职登记).
#[utoipa::path(
    post,
    path = "/v1/jobseekers",
    tag = "jobseekers",
    request_body = RegisterBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses(
        (status = 201, description = "registered", body = JobSeekerView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "office outside the caller's scope", body = labex_web::Problem),
        (status = 409, description = "the ID number is already registered", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register(
    state: web::Data<State>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_role(STAFF)?;
    let registration = body.parse()?;
    let office = registration
        .office
        .clone()
        .unwrap_or_else(|| caller.office().clone());
    caller.can_act_in(&office)?;
    let proposed = key.0.as_ref().map_or_else(JobSeekerId::generate, |key| {
        JobSeekerId::from_uuid(key.aggregate_uuid(caller.subject(), JobSeekerId::STREAM_CATEGORY))
    });
    let command = |jobseeker_id| {
        JobSeekerCommand::Register(RegisterJobSeeker {
            jobseeker_id,
            personal: registration.personal.clone(),
            profile: registration.profile.clone(),
            office: office.clone(),
            registered_on: china_date(Utc::now()),
        })
    };
    // Refuse what the domain refuses before anything is written.
    JobSeeker::decide(None, command(proposed)).map_err(|error| ApiError::from_domain(&error))?;
    let context = request_context(caller.subject(), Some(office.clone()));
    let claim = state
        .registry
        .claim_stream(&registration.personal.id_number);
    let owner = state
        .repository
        .claim(&claim, proposed.as_uuid(), &context)
        .await
        .map_err(|error| ApiError::from_repository(error, false))?;
    let id = JobSeekerId::from_uuid(owner);
    let already = || {
        ApiError::new(
            ErrorCode::Conflict,
            format!(
                "A job seeker with this ID number is already registered as {id}; update that registration instead."
            ),
        )
    };
    if id != proposed {
        let existing = state
            .repository
            .load::<JobSeeker>(id)
            .await
            .map_err(|error| ApiError::from_repository(error, false))?;
        if existing.state.is_some() {
            return Err(already());
        }
        tracing::info!(jobseeker = %id, "completing a registration whose first attempt stopped after its claim");
    }
    let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
    if let Some(key) = key.0 {
        options = options.idempotency_key(key);
    }
    match state
        .repository
        .execute_with::<JobSeeker>(id, command(id), &context, options)
        .await
    {
        Ok(done) => Ok(executed(StatusCode::CREATED, done)),
        Err(RepositoryError::Conflict { .. }) => Err(already()),
        Err(error) => Err(ApiError::from_repository(error, false)),
    }
}

/// `?as_of=`.
#[derive(Debug, Deserialize)]
pub struct AsOf {
    as_of: Option<String>,
}

/// A job seeker's current state, or as it stood at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/jobseekers/{id}",
    tag = "jobseekers",
    params(
        ("id" = String, Path, description = "job seeker id"),
        ("as_of" = Option<String>, Query, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the job seeker; ETag is its revision", body = JobSeekerView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "outside the caller's scope", body = labex_web::Problem),
        (status = 404, description = "no such job seeker (then)", body = labex_web::Problem),
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
        None => state.repository.load::<JobSeeker>(id).await,
        Some(moment) => state.repository.load_as_of::<JobSeeker>(id, moment).await,
    }
    .map_err(|error| ApiError::from_repository(error, false))?;
    let Loaded {
        state: Some(jobseeker),
        revision,
    } = loaded
    else {
        return Err(not_found(id));
    };
    may_see(&caller, &jobseeker)?;
    Ok(answer(StatusCode::OK, Some(jobseeker), revision, as_of))
}

fn not_found(id: JobSeekerId) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("No job seeker {id} is registered; check the id."),
    )
}

/// Loads a job seeker for a change and checks that the caller may make it.
async fn load_for_change(
    state: &State,
    caller: &Caller,
    id: JobSeekerId,
    staff_only: bool,
) -> Result<(), ApiError> {
    let (jobseeker, _) =
        state
            .repository
            .get::<JobSeeker>(id)
            .await
            .map_err(|error| match error {
                RepositoryError::NotFound { .. } => not_found(id),
                error => ApiError::from_repository(error, false),
            })?;
    if staff_only {
        caller.require_role(STAFF)?;
        caller.can_act_in(&jobseeker.office)
    } else {
        may_see(caller, &jobseeker)
    }
}

async fn change(
    state: &State,
    caller: &Caller,
    id: JobSeekerId,
    if_match: IfMatch,
    command: JobSeekerCommand,
    staff_only: bool,
) -> Result<HttpResponse, ApiError> {
    load_for_change(state, caller, id, staff_only).await?;
    let context = request_context(caller.subject(), Some(caller.office().clone()));
    let options = if_match.apply_to(ExecuteOptions::default());
    let done = state
        .repository
        .execute_with::<JobSeeker>(id, command, &context, options)
        .await
        .map_err(|error| ApiError::from_repository(error, if_match.is_present()))?;
    Ok(executed(StatusCode::OK, done))
}

/// Update the profile or contact: only the fields sent change. Office
/// staff within their scope may change every field; the job seeker
/// themself only phone, skills, desired occupations and regions, summary
/// and major (name, education, graduation year and categories: 403).
#[utoipa::path(
    patch,
    path = "/v1/jobseekers/{id}",
    tag = "jobseekers",
    request_body = UpdateBody,
    params(
        ("id" = String, Path, description = "job seeker id"),
        ("If-Match" = Option<String>, Header, description = "the ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "updated", body = JobSeekerView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "outside the caller's scope, or a job seeker changing a staff-only field (listed in errors)", body = labex_web::Problem),
        (status = 404, description = "no such job seeker", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    if caller.role() == Role::Jobseeker {
        refuse_staff_only_fields(&body)?;
    }
    let update = body.parse()?;
    change(
        &state,
        &caller,
        id,
        if_match,
        JobSeekerCommand::UpdateProfile(update),
        false,
    )
    .await
}

/// A job seeker changes their own contact, skills, wishes and free
/// profile; who they are and what they qualify for (categories such as
/// hardship or disabled open public-welfare posts) an office decides.
fn refuse_staff_only_fields(body: &UpdateBody) -> Result<(), ApiError> {
    let fields = body.staff_only_fields();
    if fields.is_empty() {
        return Ok(());
    }
    let errors = fields
        .iter()
        .map(|field| FieldError {
            field: (*field).to_owned(),
            code: "update.staff_only".to_owned(),
            detail: "Only employment-office staff may change this field.".to_owned(),
        })
        .collect();
    Err(ApiError::forbidden(format!(
        "A job seeker may change their own phone, skills, desired occupations and regions, summary and major, but not {}; ask your employment office to change them.",
        fields.join(", ")
    ))
    .with_errors(errors))
}

/// Register unemployment (失业登记).
#[utoipa::path(
    post,
    path = "/v1/jobseekers/{id}/unemployment",
    tag = "jobseekers",
    request_body = UnemploymentBody,
    params(("id" = String, Path, description = "job seeker id")),
    responses(
        (status = 200, description = "registered unemployed", body = JobSeekerView),
        (status = 409, description = "already registered unemployed", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register_unemployment(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<UnemploymentBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let registration = body.parse(china_date(Utc::now()))?;
    change(
        &state,
        &caller,
        id,
        if_match,
        JobSeekerCommand::RegisterUnemployment(registration),
        true,
    )
    .await
}

/// Register employment (就业登记).
#[utoipa::path(
    post,
    path = "/v1/jobseekers/{id}/employment",
    tag = "jobseekers",
    request_body = EmploymentBody,
    params(("id" = String, Path, description = "job seeker id")),
    responses(
        (status = 200, description = "registered employed", body = JobSeekerView),
        (status = 409, description = "already employed", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register_employment(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<EmploymentBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let registration = body.parse()?;
    change(
        &state,
        &caller,
        id,
        if_match,
        JobSeekerCommand::RegisterEmployment(registration),
        true,
    )
    .await
}

/// `GET /v1/jobseekers` filters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    office: Option<String>,
    category: Option<String>,
    status: Option<String>,
}

/// Job seekers registered within an office's scope, newest first.
#[utoipa::path(
    get,
    path = "/v1/jobseekers",
    tag = "jobseekers",
    params(
        ("office" = Option<String>, Query, description = "division code; the caller's office when absent"),
        ("category" = Option<String>, Query, description = "a job-seeker category"),
        ("status" = Option<String>, Query, description = "seeking, registered_unemployed or employed"),
        ("limit" = Option<u32>, Query, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "a page", body = JobSeekerPage),
        (status = 400, description = "bad filter, limit or cursor", body = labex_web::Problem),
        (status = 403, description = "office outside the caller's scope", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<State>,
    caller: Caller,
    page: Page,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require_role(STAFF)?;
    let office = match params.office.as_deref() {
        None => caller.office().clone(),
        Some(text) => DivisionCode::parse(text).map_err(|_| {
            ApiError::invalid_query("office must be a six-digit administrative division code.")
        })?,
    };
    caller.can_act_in(&office)?;
    let category = params
        .category
        .as_deref()
        .map(JobSeekerCategory::parse)
        .transpose()
        .map_err(|_| {
            ApiError::invalid_query(
                "category must be one of the job-seeker categories, such as graduate or laid_off.",
            )
        })?;
    let status = params
        .status
        .as_deref()
        .map(|text| match text.trim() {
            "seeking" => Ok(JobSeekerStatus::Seeking),
            "registered_unemployed" => Ok(JobSeekerStatus::RegisteredUnemployed),
            "employed" => Ok(JobSeekerStatus::Employed),
            _ => Err(ApiError::invalid_query(
                "status must be seeking, registered_unemployed or employed.",
            )),
        })
        .transpose()?;
    let before = page
        .cursor
        .as_ref()
        .map(|cursor| {
            JobSeekerId::parse(cursor.position())
                .map(|id| id.to_string())
                .map_err(|_| {
                    ApiError::new(
                        ErrorCode::InvalidCursor,
                        "The cursor is not one this service issued; use the next_cursor of the previous page.",
                    )
                })
        })
        .transpose()?;
    let query = ListQuery {
        office,
        category,
        status,
        before,
        limit: page.limit,
        today: china_date(Utc::now()),
    };
    let (items, more) = state
        .read_model
        .read(move |connection| read_model::list(connection, &query))
        .await
        .map_err(|error| ApiError::internal(&error))?;
    let next_cursor = more
        .then(|| {
            items
                .last()
                .map(|item| Cursor::new(item.id.clone()).encode())
        })
        .flatten();
    Ok(HttpResponse::Ok().json(JobSeekerPage { items, next_cursor }))
}
