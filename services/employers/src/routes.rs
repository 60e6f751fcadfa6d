//! The HTTP handlers of employers and vacancies.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use labex_domain::employer::{Employer, EmployerCommand, RegisterEmployer};
use labex_domain::vacancy::{
    PublishVacancy, UpdateVacancy, Vacancy, VacancyCommand, VacancyStatus,
};
use labex_domain::{Aggregate, EmployerId, VacancyId};
use labex_eventsourcing::{
    ExecuteOptions, Executed, ExpectedRevision, Loaded, ReadModel, Repository, RepositoryError,
};
use labex_web::{
    ApiError, Caller, Cursor, ErrorCode, FieldError, IdempotencyKeyHeader, IfMatch, MaybeCaller,
    Page, Role, etag, parse_as_of, request_context,
};
use serde::Deserialize;

use crate::read_model::{self, ListQuery};
use crate::requests::{
    CloseVacancyBody, PublishVacancyBody, RegisterEmployerBody, UpdateVacancyBody,
};
use crate::views::{EmployerView, VacancyPage, VacancyView};

/// What the handlers share.
pub struct State {
    pub repository: Repository,
    pub read_model: ReadModel,
}

/// Office staff: who register employers (the province always may).
const STAFF: &[Role] = &[Role::Counsellor, Role::OfficeAdmin];

/// The category of the claim streams of credit codes:
/// `employercode-<credit code>`.
pub const CLAIM_CATEGORY: &str = "employercode";

/// Mounts the routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/v1/employers").route(web::post().to(register_employer)))
        .service(web::resource("/v1/employers/{id}").route(web::get().to(get_employer)))
        .service(
            web::resource("/v1/vacancies")
                .route(web::post().to(publish))
                .route(web::get().to(list)),
        )
        .service(
            web::resource("/v1/vacancies/{id}")
                .route(web::get().to(get_vacancy))
                .route(web::patch().to(update)),
        )
        .service(web::resource("/v1/vacancies/{id}/close").route(web::post().to(close)));
}

fn parse_employer_id(text: &str) -> Result<EmployerId, ApiError> {
    EmployerId::parse(text).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidPath,
            "The employer id in the path is not a UUID; use the id the API returned.",
        )
    })
}

fn parse_vacancy_id(text: &str) -> Result<VacancyId, ApiError> {
    VacancyId::parse(text).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidPath,
            "The vacancy id in the path is not a UUID; use the id the API returned.",
        )
    })
}

fn employer_not_found(id: EmployerId) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("No employer {id} is registered; check the id."),
    )
}

fn vacancy_not_found(id: VacancyId) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("No vacancy {id} is published; check the id."),
    )
}

fn no_state() -> HttpResponse {
    actix_web::ResponseError::error_response(&ApiError::internal(&"a command left no state"))
}

fn employer_answer(
    status: StatusCode,
    employer: Option<Employer>,
    revision: Option<u64>,
) -> HttpResponse {
    let (Some(employer), Some(revision)) = (employer, revision) else {
        return no_state();
    };
    let mut response = HttpResponse::build(status);
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/employers/{}", employer.id)));
    }
    response
        .insert_header(etag(revision))
        .json(EmployerView::new(&employer, revision))
}

fn vacancy_answer(
    status: StatusCode,
    vacancy: Option<Vacancy>,
    revision: Option<u64>,
) -> HttpResponse {
    let (Some(vacancy), Some(revision)) = (vacancy, revision) else {
        return no_state();
    };
    let mut response = HttpResponse::build(status);
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/vacancies/{}", vacancy.id)));
    }
    response
        .insert_header(etag(revision))
        .json(VacancyView::new(&vacancy, revision))
}

fn vacancy_executed(status: StatusCode, executed: Executed<Vacancy>) -> HttpResponse {
    vacancy_answer(status, executed.state, executed.revision)
}

/// The employer `id` as it stands now, if registered.
async fn current_employer(state: &State, id: EmployerId) -> Result<Option<Employer>, ApiError> {
    state
        .repository
        .load::<Employer>(id)
        .await
        .map(|loaded| loaded.state)
        .map_err(|error| ApiError::from_repository(error, false))
}

/// Register an employer, one per unified social credit code.
#[utoipa::path(
    post,
    path = "/v1/employers",
    tag = "employers",
    request_body = RegisterEmployerBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses(
        (status = 201, description = "registered", body = EmployerView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "region outside the caller's scope", body = labex_web::Problem),
        (status = 409, description = "the credit code is already registered", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register_employer(
    state: web::Data<State>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: web::Json<RegisterEmployerBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_role(STAFF)?;
    let registration = body.parse()?;
    caller.may_act_in(&registration.region)?;
    let proposed = key.0.as_ref().map_or_else(EmployerId::generate, |key| {
        EmployerId::from_uuid(key.aggregate_uuid(caller.subject(), EmployerId::STREAM_CATEGORY))
    });
    let command = |employer_id| {
        EmployerCommand::Register(RegisterEmployer {
            employer_id,
            name: registration.name.clone(),
            credit_code: registration.credit_code.clone(),
            region: registration.region.clone(),
            industry: registration.industry.clone(),
        })
    };
    // Refuse what the domain refuses before anything is written.
    Employer::decide(None, command(proposed)).map_err(labex_app::Error::refused)?;
    let context = request_context(caller.subject(), Some(registration.region.clone()));
    let claim = format!("{CLAIM_CATEGORY}-{}", registration.credit_code.as_str());
    let owner = state
        .repository
        .claim(&claim, proposed.as_uuid(), &context)
        .await
        .map_err(|error| ApiError::from_repository(error, false))?;
    let id = EmployerId::from_uuid(owner);
    let already = || {
        ApiError::new(
            ErrorCode::Conflict,
            format!(
                "An employer with this unified social credit code is already registered as {id}; use that employer."
            ),
        )
    };
    if id != proposed {
        if current_employer(&state, id).await?.is_some() {
            return Err(already());
        }
        tracing::info!(employer = %id, "completing a registration whose first attempt stopped after its claim");
    }
    let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
    if let Some(key) = key.0 {
        options = options.idempotency_key(key);
    }
    match state
        .repository
        .execute_with::<Employer>(id, command(id), &context, options)
        .await
    {
        Ok(done) => Ok(employer_answer(
            StatusCode::CREATED,
            done.state,
            done.revision,
        )),
        Err(RepositoryError::Conflict { .. }) => Err(already()),
        Err(error) => Err(ApiError::from_repository(error, false)),
    }
}

/// `?as_of=`.
#[derive(Debug, Deserialize)]
pub struct AsOf {
    as_of: Option<String>,
}

/// An employer's current state, or as it stood at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/employers/{id}",
    tag = "employers",
    params(
        ("id" = String, Path, description = "employer id"),
        ("as_of" = Option<String>, Query, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the employer; ETag is its revision", body = EmployerView),
        (status = 400, description = "malformed id or as_of", body = labex_web::Problem),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "neither the employer nor an office covering it", body = labex_web::Problem),
        (status = 404, description = "no such employer (then)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn get_employer(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_employer_id(&path)?;
    let as_of = parse_as_of(query.as_of.as_deref())?;
    let loaded = match as_of {
        None => state.repository.load::<Employer>(id).await,
        Some(moment) => state.repository.load_as_of::<Employer>(id, moment).await,
    }
    .map_err(|error| ApiError::from_repository(error, false))?;
    let Loaded {
        state: Some(employer),
        revision,
    } = loaded
    else {
        return Err(employer_not_found(id));
    };
    caller.may_act_for_employer(employer.id, &employer.region)?;
    Ok(employer_answer(StatusCode::OK, Some(employer), revision))
}

/// Publish a vacancy (用工信息), by the employer or an office on its
/// behalf.
#[utoipa::path(
    post,
    path = "/v1/vacancies",
    tag = "vacancies",
    request_body = PublishVacancyBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses(
        (status = 201, description = "published", body = VacancyView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "neither the employer nor an office covering it", body = labex_web::Problem),
        (status = 422, description = "invalid fields, or no such employer", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn publish(
    state: web::Data<State>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: web::Json<PublishVacancyBody>,
) -> Result<HttpResponse, ApiError> {
    let publication = body.parse()?;
    let employer_id = publication.employer_id;
    let Some(employer) = current_employer(&state, employer_id).await? else {
        return Err(ApiError::validation(vec![FieldError::with_sentence(
            "employer_id",
            labex_web::InputError::EmployerUnknown,
            format!(
                "employer_id names no registered employer ({employer_id}); register the employer first."
            ),
        )]));
    };
    caller.may_act_for_employer(employer.id, &employer.region)?;
    let id = key.0.as_ref().map_or_else(VacancyId::generate, |key| {
        VacancyId::from_uuid(key.aggregate_uuid(caller.subject(), VacancyId::STREAM_CATEGORY))
    });
    let context = request_context(caller.subject(), Some(employer.region.clone()));
    let command = VacancyCommand::Publish(PublishVacancy {
        vacancy_id: id,
        employer_id,
        details: publication.details,
        published_at: context.at,
    });
    let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
    if let Some(key) = key.0 {
        options = options.idempotency_key(key);
    }
    let done = state
        .repository
        .execute_with::<Vacancy>(id, command, &context, options)
        .await
        .map_err(|error| ApiError::from_repository(error, false))?;
    Ok(vacancy_executed(StatusCode::CREATED, done))
}

/// A vacancy's current state, or as it stood at `as_of`. Public.
#[utoipa::path(
    get,
    path = "/v1/vacancies/{id}",
    tag = "vacancies",
    params(
        ("id" = String, Path, description = "vacancy id"),
        ("as_of" = Option<String>, Query, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the vacancy; ETag is its revision", body = VacancyView),
        (status = 400, description = "malformed id or as_of", body = labex_web::Problem),
        (status = 401, description = "a bad token (none is needed)", body = labex_web::Problem),
        (status = 404, description = "no such vacancy (then)", body = labex_web::Problem),
    )
)]
pub async fn get_vacancy(
    state: web::Data<State>,
    _caller: MaybeCaller,
    path: web::Path<String>,
    query: web::Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_vacancy_id(&path)?;
    let as_of = parse_as_of(query.as_of.as_deref())?;
    let loaded = match as_of {
        None => state.repository.load::<Vacancy>(id).await,
        Some(moment) => state.repository.load_as_of::<Vacancy>(id, moment).await,
    }
    .map_err(|error| ApiError::from_repository(error, false))?;
    let Loaded {
        state: Some(vacancy),
        revision,
    } = loaded
    else {
        return Err(vacancy_not_found(id));
    };
    Ok(vacancy_answer(StatusCode::OK, Some(vacancy), revision))
}

/// Loads a vacancy for a change and checks that the caller may make it:
/// the employer itself, or an office whose scope covers the employer.
async fn load_for_change(
    state: &State,
    caller: &Caller,
    id: VacancyId,
) -> Result<(Vacancy, Employer), ApiError> {
    let (vacancy, _) = state
        .repository
        .get::<Vacancy>(id)
        .await
        .map_err(|error| match error {
            RepositoryError::NotFound { .. } => vacancy_not_found(id),
            error => ApiError::from_repository(error, false),
        })?;
    let Some(employer) = current_employer(state, vacancy.employer_id).await? else {
        return Err(ApiError::internal(&format_args!(
            "vacancy {id} names employer {} that has no events",
            vacancy.employer_id
        )));
    };
    caller.may_act_for_employer(employer.id, &employer.region)?;
    Ok((vacancy, employer))
}

async fn change(
    state: &State,
    caller: &Caller,
    id: VacancyId,
    employer: &Employer,
    command: impl FnOnce(DateTime<Utc>) -> VacancyCommand,
    options: ExecuteOptions,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let context = request_context(caller.subject(), Some(employer.region.clone()));
    let command = command(context.at);
    let options = if_match.apply_to(options);
    let done = state
        .repository
        .execute_with::<Vacancy>(id, command, &context, options)
        .await
        .map_err(|error| ApiError::from_repository(error, if_match.is_present()))?;
    Ok(vacancy_executed(StatusCode::OK, done))
}

/// Edit an open vacancy: only the fields sent change.
#[utoipa::path(
    patch,
    path = "/v1/vacancies/{id}",
    tag = "vacancies",
    request_body = UpdateVacancyBody,
    params(
        ("id" = String, Path, description = "vacancy id"),
        ("If-Match" = Option<String>, Header, description = "the ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "updated", body = VacancyView),
        (status = 403, description = "neither the employer nor an office covering it", body = labex_web::Problem),
        (status = 404, description = "no such vacancy", body = labex_web::Problem),
        (status = 409, description = "the vacancy is no longer open", body = labex_web::Problem),
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
    body: web::Json<UpdateVacancyBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_vacancy_id(&path)?;
    let (vacancy, employer) = load_for_change(&state, &caller, id).await?;
    let changes = body.parse(vacancy.details.salary)?;
    let command = |at| {
        VacancyCommand::Update(UpdateVacancy {
            changes,
            updated_at: at,
        })
    };
    change(
        &state,
        &caller,
        id,
        &employer,
        command,
        ExecuteOptions::default(),
        if_match,
    )
    .await
}

/// Withdraw or close a vacancy.
#[utoipa::path(
    post,
    path = "/v1/vacancies/{id}/close",
    tag = "vacancies",
    request_body = CloseVacancyBody,
    params(
        ("id" = String, Path, description = "vacancy id"),
        ("If-Match" = Option<String>, Header, description = "the ETag the change is based on"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe"),
    ),
    responses(
        (status = 200, description = "closed (or already closed)", body = VacancyView),
        (status = 403, description = "neither the employer nor an office covering it", body = labex_web::Problem),
        (status = 404, description = "no such vacancy", body = labex_web::Problem),
        (status = 409, description = "the vacancy is already filled", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn close(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    if_match: IfMatch,
    key: IdempotencyKeyHeader,
    body: web::Json<CloseVacancyBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_vacancy_id(&path)?;
    let (_, employer) = load_for_change(&state, &caller, id).await?;
    let close = body.parse()?;
    let mut options = ExecuteOptions::default();
    if let Some(key) = key.0 {
        options = options.idempotency_key(key);
    }
    change(
        &state,
        &caller,
        id,
        &employer,
        |_| VacancyCommand::Close(close),
        options,
        if_match,
    )
    .await
}

/// `GET /v1/vacancies` filters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    employer: Option<String>,
    status: Option<String>,
}

/// Published vacancies, newest first. Public.
#[utoipa::path(
    get,
    path = "/v1/vacancies",
    tag = "vacancies",
    params(
        ("employer" = Option<String>, Query, description = "only this employer's vacancies"),
        ("status" = Option<String>, Query, description = "open, filled or closed"),
        ("limit" = Option<u32>, Query, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "a page", body = VacancyPage),
        (status = 400, description = "bad filter, limit or cursor", body = labex_web::Problem),
        (status = 401, description = "a bad token (none is needed)", body = labex_web::Problem),
    )
)]
pub async fn list(
    state: web::Data<State>,
    _caller: MaybeCaller,
    page: Page,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let employer = params
        .employer
        .as_deref()
        .map(EmployerId::parse)
        .transpose()
        .map_err(|_| ApiError::invalid_query("employer must be an employer id (a UUID)."))?;
    let status = params
        .status
        .as_deref()
        .map(|text| match text.trim() {
            "open" => Ok(VacancyStatus::Open),
            "filled" => Ok(VacancyStatus::Filled),
            "closed" => Ok(VacancyStatus::Closed),
            _ => Err(ApiError::invalid_query(
                "status must be open, filled or closed.",
            )),
        })
        .transpose()?;
    let before = page
        .cursor
        .as_ref()
        .map(|cursor| {
            VacancyId::parse(cursor.position()).map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidCursor,
                    "The cursor is not one this service issued; use the next_cursor of the previous page.",
                )
            })
        })
        .transpose()?;
    let query = ListQuery {
        employer,
        status,
        before,
        limit: page.limit,
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
    Ok(HttpResponse::Ok().json(VacancyPage { items, next_cursor }))
}
