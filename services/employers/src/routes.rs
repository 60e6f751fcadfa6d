//! The HTTP handlers of employers and vacancies: each extracts the caller
//! and a typed command, calls one use case of [`Employers`], and renders
//! its answer.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use labex_app::{Actor, Saved};
use labex_domain::employer::Employer;
use labex_domain::vacancy::{Vacancy, VacancyStatus};
use labex_domain::{EmployerId, VacancyId};
use labex_web::{
    ApiError, AsOf, Caller, Id, IdempotencyKeyHeader, IfMatch, MaybeCaller, Page, aggregate_answer,
    next_cursor, parse_office,
};
use serde::Deserialize;

use crate::commands::Employers;
use crate::queries::{VacancyFilter, described_moment};
use crate::requests::{
    CloseVacancyBody, PublishVacancyBody, RegisterEmployerBody, UpdateVacancyBody,
};
use crate::views::{EmployerPage, EmployerView, VacancyPage, VacancyView};

/// Mounts the routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/v1/employers")
                .route(web::post().to(register_employer))
                .route(web::get().to(list_employers)),
        )
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

/// The answer of an employer: created (201 with `Location`) or as it
/// stands, with `ETag`.
fn employer_answer(created: bool, saved: &Saved<Employer>) -> HttpResponse {
    let location = created.then(|| format!("/v1/employers/{}", saved.state.id));
    let view = EmployerView::new(&saved.state, saved.revision);
    aggregate_answer(location, saved.revision, &view)
}

/// The answer of a vacancy: created (201 with `Location`) or as it stands,
/// with `ETag`; its status is the one at the moment described (now, or
/// `as_of` when earlier).
/// The answer about a vacancy, with its employer's wage-arrears mark
/// when `actor` is office staff.
async fn vacancy_answer(
    app: &Employers,
    actor: Option<&Actor>,
    created: bool,
    saved: &Saved<Vacancy>,
    as_of: Option<DateTime<Utc>>,
) -> Result<HttpResponse, ApiError> {
    let location = created.then(|| format!("/v1/vacancies/{}", saved.state.id));
    let mut view = VacancyView::new(&saved.state, saved.revision, described_moment(as_of));
    let employer = saved.state.employer_id;
    view.employer_arrears = app
        .arrears_marks(actor, vec![employer])
        .await?
        .remove(&employer);
    Ok(aggregate_answer(location, saved.revision, &view))
}

/// Register an employer, one per unified social credit code.
#[utoipa::path(
    post,
    path = "/v1/employers",
    tag = "employers",
    request_body = RegisterEmployerBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
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
    app: web::Data<Employers>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<RegisterEmployerBody>,
) -> Result<HttpResponse, ApiError> {
    let registration = body.parse()?;
    let saved = app.register_employer(&caller, registration, key.0).await?;
    Ok(employer_answer(true, &saved))
}

/// An employer's current state, or as it stood at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/employers/{id}",
    tag = "employers",
    params(
        ("id" = String, Path, format = "uuid", description = "employer id"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to replay to"),
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
    app: web::Data<Employers>,
    caller: Caller,
    id: Id<EmployerId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get_employer(&caller, id.get(), as_of.0).await?;
    Ok(employer_answer(false, &saved))
}

/// `GET /v1/employers` filters.
#[derive(Debug, Deserialize)]
pub struct EmployerListParams {
    office: Option<String>,
}

/// Employers registered within an office's scope, newest registration
/// first: office staff of that scope.
#[utoipa::path(
    get,
    path = "/v1/employers",
    tag = "employers",
    params(
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "a page", body = EmployerPage),
        (status = 400, description = "bad office, limit or cursor", body = labex_web::Problem),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not office staff, or an office outside the caller's scope", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn list_employers(
    app: web::Data<Employers>,
    caller: Caller,
    page: Page,
    params: web::Query<EmployerListParams>,
) -> Result<HttpResponse, ApiError> {
    let office = parse_office(params.office.as_deref())?;
    let listed = app
        .list_employers(&caller, office, page.list_page())
        .await?;
    Ok(HttpResponse::Ok().json(EmployerPage {
        items: listed.items,
        next_cursor: next_cursor(listed.next),
    }))
}

/// Publish a vacancy (用工信息), by the employer or an office on its
/// behalf.
#[utoipa::path(
    post,
    path = "/v1/vacancies",
    tag = "vacancies",
    request_body = PublishVacancyBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "published", body = VacancyView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "neither the employer nor an office covering it", body = labex_web::Problem),
        (status = 422, description = "invalid fields, or no such employer", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn publish(
    app: web::Data<Employers>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<PublishVacancyBody>,
) -> Result<HttpResponse, ApiError> {
    let publication = body.parse()?;
    let saved = app.publish_vacancy(&caller, publication, key.0).await?;
    vacancy_answer(&app, Some(&*caller), true, &saved, None).await
}

/// A vacancy's current state, or as it stood at `as_of`. Public. Past its
/// closing time an open vacancy answers `closed` (reason `expired`). With
/// an office staff token, an employer with open wage-arrears cases (欠薪)
/// is marked (`employer_arrears`).
#[utoipa::path(
    get,
    path = "/v1/vacancies/{id}",
    tag = "vacancies",
    params(
        ("id" = String, Path, format = "uuid", description = "vacancy id"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the vacancy; ETag is its revision", body = VacancyView),
        (status = 400, description = "malformed id or as_of", body = labex_web::Problem),
        (status = 401, description = "a bad token (none is needed)", body = labex_web::Problem),
        (status = 404, description = "no such vacancy (then)", body = labex_web::Problem),
    )
)]
pub async fn get_vacancy(
    app: web::Data<Employers>,
    caller: MaybeCaller,
    id: Id<VacancyId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get_vacancy(id.get(), as_of.0).await?;
    let actor = caller.0.as_deref();
    vacancy_answer(&app, actor, false, &saved, as_of.0).await
}

/// Edit an open vacancy: only the fields sent change. Past its closing
/// time only a new closing time (which reopens it) is taken.
#[utoipa::path(
    patch,
    path = "/v1/vacancies/{id}",
    tag = "vacancies",
    request_body = UpdateVacancyBody,
    params(
        ("id" = String, Path, format = "uuid", description = "vacancy id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "updated", body = VacancyView),
        (status = 403, description = "neither the employer nor an office covering it", body = labex_web::Problem),
        (status = 404, description = "no such vacancy", body = labex_web::Problem),
        (status = 409, description = "the vacancy is no longer open, or past its closing time", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    app: web::Data<Employers>,
    caller: Caller,
    id: Id<VacancyId>,
    if_match: IfMatch,
    body: labex_web::Json<UpdateVacancyBody>,
) -> Result<HttpResponse, ApiError> {
    let edit = body.parse()?;
    let saved = app
        .update_vacancy(&caller, id.get(), edit, if_match.revision())
        .await?;
    vacancy_answer(&app, Some(&*caller), false, &saved, None).await
}

/// Withdraw or close a vacancy.
#[utoipa::path(
    post,
    path = "/v1/vacancies/{id}/close",
    tag = "vacancies",
    request_body = CloseVacancyBody,
    params(
        ("id" = String, Path, format = "uuid", description = "vacancy id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the change is based on"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe"),
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
    app: web::Data<Employers>,
    caller: Caller,
    id: Id<VacancyId>,
    if_match: IfMatch,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<CloseVacancyBody>,
) -> Result<HttpResponse, ApiError> {
    let close = body.parse()?;
    let saved = app
        .close_vacancy(&caller, id.get(), close, if_match.revision(), key.0)
        .await?;
    vacancy_answer(&app, Some(&*caller), false, &saved, None).await
}

/// `GET /v1/vacancies` filters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    employer: Option<String>,
    status: Option<String>,
}

impl ListParams {
    fn parse(&self) -> Result<VacancyFilter, ApiError> {
        let employer = self
            .employer
            .as_deref()
            .map(EmployerId::parse)
            .transpose()
            .map_err(|_| ApiError::invalid_query("employer must be an employer id (a UUID)."))?;
        let status = self
            .status
            .as_deref()
            .map(|text| VacancyStatus::parse(text.trim()))
            .transpose()
            .map_err(|_| ApiError::invalid_query("status must be open, filled or closed."))?;
        Ok(VacancyFilter { employer, status })
    }
}

/// Published vacancies, newest first, with their status now. Public. With
/// an office staff token, each vacancy of an employer with open
/// wage-arrears cases (欠薪) is marked (`employer_arrears`).
#[utoipa::path(
    get,
    path = "/v1/vacancies",
    tag = "vacancies",
    params(
        ("employer" = Option<String>, Query, format = "uuid", description = "only this employer's vacancies"),
        ("status" = Option<labex_web::VacancyStatusName>, Query, description = "open, filled or closed (now: past its closing time an open vacancy is closed)"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "a page", body = VacancyPage),
        (status = 400, description = "bad filter, limit or cursor", body = labex_web::Problem),
        (status = 401, description = "a bad token (none is needed)", body = labex_web::Problem),
    )
)]
pub async fn list(
    app: web::Data<Employers>,
    caller: MaybeCaller,
    page: Page,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = params.parse()?;
    let listed = app
        .list_vacancies_for(caller.0.as_deref(), filter, page.list_page())
        .await?;
    Ok(HttpResponse::Ok().json(VacancyPage {
        items: listed.items,
        next_cursor: next_cursor(listed.next),
    }))
}
