//! The HTTP handlers of the job-seeker registry: each extracts the caller
//! and a typed command, calls one use case of [`JobSeekers`], and renders
//! its answer.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use labex_app::{ListPage, Saved};
use labex_domain::jobseeker::{JobSeeker, JobSeekerStatus};
use labex_domain::layoff::LayoffPlanId;
use labex_domain::value::{DivisionCode, JobSeekerCategory};
use labex_domain::{JobSeekerId, china_date};
use labex_web::{
    ApiError, AsOf, Caller, Cursor, Id, IdempotencyKeyHeader, IfMatch, Page, aggregate_answer,
};
use serde::Deserialize;

use crate::commands::JobSeekers;
use crate::queries::{ListFilter, age_day};
use crate::requests::{
    EmploymentBody, ErasureBody, LayoffRegistrationsBody, RegisterBody, UnemploymentBody,
    UpdateBody,
};
use crate::views::{AccessLogPage, JobSeekerPage, JobSeekerView, LayoffRegistrationsView};

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
        )
        .service(web::resource("/v1/jobseekers/{id}/erasure").route(web::post().to(erase)))
        .service(web::resource("/v1/jobseekers/{id}/returns").route(web::post().to(record_return)))
        .service(web::resource("/v1/jobseekers/{id}/access-log").route(web::get().to(access_log)))
        .service(
            web::resource("/v1/layoff-plans/{id}/outcome/registrations")
                .route(web::post().to(register_laid_off)),
        );
}

/// The answer of a job seeker: created (201 with `Location`) or as it
/// stands, with `ETag`; the age is taken on the day the answer describes.
fn answer(created: bool, saved: &Saved<JobSeeker>, as_of: Option<DateTime<Utc>>) -> HttpResponse {
    let location = created.then(|| format!("/v1/jobseekers/{}", saved.state.id));
    let view = JobSeekerView::new(&saved.state, saved.revision, age_day(as_of));
    aggregate_answer(location, saved.revision, &view)
}

/// Register a job seeker (求职登记).
#[utoipa::path(
    post,
    path = "/v1/jobseekers",
    tag = "jobseekers",
    request_body = RegisterBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "registered", body = JobSeekerView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "office outside the caller's scope", body = labex_web::Problem),
        (status = 409, description = "the ID number is already registered", body = labex_web::Problem),
        (status = 422, description = "invalid fields, each named in errors (`desired_occupation_codes[1]` for a code the occupational classification 职业分类大典 2022 does not have)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register(
    app: web::Data<JobSeekers>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let registration = body.parse()?;
    let saved = app.register(&caller, registration, key.0).await?;
    Ok(answer(true, &saved, None))
}

/// A job seeker's current state, or as it stood at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/jobseekers/{id}",
    tag = "jobseekers",
    params(
        ("id" = String, Path, format = "uuid", description = "job seeker id"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to replay to"),
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
    app: web::Data<JobSeekers>,
    caller: Caller,
    id: Id<JobSeekerId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get(&caller, id.get(), as_of.0).await?;
    Ok(answer(false, &saved, as_of.0))
}

/// Update the profile or contact: only the fields sent change. Office
/// staff within their scope may change every field; the job seeker
/// themself only phone, skills, desired occupations (words and codes of
/// the 职业分类大典) and regions, summary and major (name, education,
/// graduation year and categories: 403).
#[utoipa::path(
    patch,
    path = "/v1/jobseekers/{id}",
    tag = "jobseekers",
    request_body = UpdateBody,
    params(
        ("id" = String, Path, format = "uuid", description = "job seeker id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "updated", body = JobSeekerView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "outside the caller's scope, or a job seeker changing a staff-only field (listed in errors)", body = labex_web::Problem),
        (status = 404, description = "no such job seeker", body = labex_web::Problem),
        (status = 409, description = "the job seeker's personal data was erased", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
        (status = 422, description = "invalid fields, each named in errors (`desired_occupation_codes[1]` for a code the occupational classification 职业分类大典 2022 does not have)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    app: web::Data<JobSeekers>,
    caller: Caller,
    id: Id<JobSeekerId>,
    if_match: IfMatch,
    body: labex_web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    let saved = app
        .update(&caller, id.get(), body.parse(), if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// Register unemployment (失业登记).
#[utoipa::path(
    post,
    path = "/v1/jobseekers/{id}/unemployment",
    tag = "jobseekers",
    request_body = UnemploymentBody,
    params(("id" = String, Path, format = "uuid", description = "job seeker id")),
    responses(
        (status = 200, description = "registered unemployed", body = JobSeekerView),
        (status = 409, description = "already registered unemployed, or the job seeker's personal data was erased", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register_unemployment(
    app: web::Data<JobSeekers>,
    caller: Caller,
    id: Id<JobSeekerId>,
    if_match: IfMatch,
    body: labex_web::Json<UnemploymentBody>,
) -> Result<HttpResponse, ApiError> {
    let registration = body.parse(china_date(Utc::now()))?;
    let saved = app
        .register_unemployment(&caller, id.get(), registration, if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// Register employment (就业登记).
#[utoipa::path(
    post,
    path = "/v1/jobseekers/{id}/employment",
    tag = "jobseekers",
    request_body = EmploymentBody,
    params(("id" = String, Path, format = "uuid", description = "job seeker id")),
    responses(
        (status = 200, description = "registered employed", body = JobSeekerView),
        (status = 409, description = "already employed, or the job seeker's personal data was erased", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register_employment(
    app: web::Data<JobSeekers>,
    caller: Caller,
    id: Id<JobSeekerId>,
    if_match: IfMatch,
    body: labex_web::Json<EmploymentBody>,
) -> Result<HttpResponse, ApiError> {
    let registration = body.parse()?;
    let saved = app
        .register_employment(&caller, id.get(), registration, if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// Erase a job seeker's personal data: their name, ID number, phone and the
/// notes about them can never be read again, in the store or anywhere
/// else; what the office records of them besides (status, categories,
/// placements) stays, so its counts stay right; their ID number is
/// released, so that they may register anew.
#[utoipa::path(
    post,
    path = "/v1/jobseekers/{id}/erasure",
    tag = "jobseekers",
    request_body = ErasureBody,
    params(
        ("id" = String, Path, format = "uuid", description = "job seeker id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the erasure is based on"),
    ),
    responses(
        (status = 200, description = "erased (or erased before): the job seeker without personal data", body = JobSeekerView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not an office administrator in scope nor the province", body = labex_web::Problem),
        (status = 404, description = "no such job seeker", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
        (status = 422, description = "no or an unknown ground", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn erase(
    app: web::Data<JobSeekers>,
    caller: Caller,
    id: Id<JobSeekerId>,
    if_match: IfMatch,
    body: labex_web::Json<ErasureBody>,
) -> Result<HttpResponse, ApiError> {
    let ground = body.parse()?;
    let saved = app
        .erase(&caller, id.get(), ground, if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// `GET /v1/jobseekers` filters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    office: Option<String>,
    category: Option<String>,
    status: Option<String>,
}

impl ListParams {
    fn parse(&self) -> Result<ListFilter, ApiError> {
        let office = self
            .office
            .as_deref()
            .map(DivisionCode::parse)
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query("office must be a six-digit administrative division code.")
            })?;
        let category = self
            .category
            .as_deref()
            .map(JobSeekerCategory::parse)
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query(
                    "category must be one of the job-seeker categories, such as graduate or laid_off.",
                )
            })?;
        let status = self
            .status
            .as_deref()
            .map(|text| JobSeekerStatus::parse(text.trim()))
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query(
                    "status must be seeking, registered_unemployed or employed.",
                )
            })?;
        Ok(ListFilter {
            office,
            category,
            status,
        })
    }
}

/// Job seekers registered within an office's scope, newest first.
#[utoipa::path(
    get,
    path = "/v1/jobseekers",
    tag = "jobseekers",
    params(
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("category" = Option<labex_web::JobSeekerCategoryName>, Query, description = "a job-seeker category"),
        ("status" = Option<labex_web::JobSeekerStatusName>, Query, description = "seeking, registered_unemployed or employed"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
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
    app: web::Data<JobSeekers>,
    caller: Caller,
    page: Page,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = params.parse()?;
    let page = ListPage {
        limit: page.limit,
        after: page.cursor.map(|cursor| cursor.position().to_owned()),
    };
    let listed = app.list(&caller, filter, page).await?;
    Ok(HttpResponse::Ok().json(JobSeekerPage {
        items: listed.items,
        next_cursor: listed.next.map(|next| Cursor::new(next).encode()),
    }))
}

/// Record a migrant worker's return home (返乡): from where, when, and what
/// they mean to do; monitoring counts it.
#[utoipa::path(
    post,
    path = "/v1/jobseekers/{id}/returns",
    tag = "jobseekers",
    request_body = crate::requests::ReturnBody,
    params(("id" = String, Path, format = "uuid", description = "job seeker id")),
    responses(
        (status = 200, description = "recorded", body = JobSeekerView),
        (status = 404, description = "no such job seeker", body = labex_web::Problem),
        (status = 409, description = "the job seeker's personal data was erased", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn record_return(
    app: web::Data<JobSeekers>,
    caller: Caller,
    id: Id<JobSeekerId>,
    if_match: IfMatch,
    body: labex_web::Json<crate::requests::ReturnBody>,
) -> Result<HttpResponse, ApiError> {
    let recorded = body.parse(china_date(Utc::now()))?;
    let saved = app
        .record_return(&caller, id.get(), recorded, if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// Who of the staff was shown the job seeker's full record (who, when,
/// through which endpoint), newest first: for the job seeker themself,
/// an office administrator whose scope covers the job seeker's office, and
/// the province. Reads are written in batches: one shows here within a
/// second or so, and a stopping server writes every read it served.
#[utoipa::path(
    get,
    path = "/v1/jobseekers/{id}/access-log",
    tag = "jobseekers",
    params(
        ("id" = String, Path, format = "uuid", description = "job seeker id"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "a page of reads", body = AccessLogPage),
        (status = 400, description = "bad limit or cursor", body = labex_web::Problem),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not the job seeker, an office administrator in scope nor the province", body = labex_web::Problem),
        (status = 404, description = "no such job seeker", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn access_log(
    app: web::Data<JobSeekers>,
    caller: Caller,
    id: Id<JobSeekerId>,
    page: Page,
) -> Result<HttpResponse, ApiError> {
    let page = ListPage {
        limit: page.limit,
        after: page.cursor.map(|cursor| cursor.position().to_owned()),
    };
    let listed = app.access_log(&caller, id.get(), page).await?;
    Ok(HttpResponse::Ok().json(AccessLogPage {
        items: listed.items,
        next_cursor: listed.next.map(|next| Cursor::new(next).encode()),
    }))
}

/// Register the people a layoff plan laid off as unemployed (失业登记) in
/// one step from its outcome (裁员预报 → 失业登记), all or none: office
/// staff whose scope covers the plan. Each person's ID number (居民身份证号)
/// is checked with its check character; a new person is registered as a
/// job seeker (category `laid_off`), a registered one keeps their record,
/// and one already registered as unemployed is reported, not registered
/// twice. Any failing line (each listed in `errors` as
/// `people[<index>].<field>`) and nobody is registered. Sending the same
/// list again is safe. The plan then counts them (`registered_unemployed`,
/// at most `laid_off`).
#[utoipa::path(
    post,
    path = "/v1/layoff-plans/{id}/outcome/registrations",
    tag = "jobseekers",
    request_body = LayoffRegistrationsBody,
    params(("id" = String, Path, format = "uuid", description = "layoff plan id")),
    responses(
        (status = 200, description = "everyone registered (or found registered)", body = LayoffRegistrationsView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not office staff, or the plan or office outside the caller's scope", body = labex_web::Problem),
        (status = 404, description = "no such layoff plan", body = labex_web::Problem),
        (status = 409, description = "the plan's outcome is not recorded yet, or a person was registered by someone else meanwhile (send again)", body = labex_web::Problem),
        (status = 422, description = "invalid lines, each in errors as people[<index>].<field>; or more people than the plan laid off; nobody was registered", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register_laid_off(
    app: web::Data<JobSeekers>,
    caller: Caller,
    id: Id<LayoffPlanId>,
    body: labex_web::Json<LayoffRegistrationsBody>,
) -> Result<HttpResponse, ApiError> {
    let registrations = body.parse()?;
    let done = app
        .register_laid_off(&caller, id.get(), registrations)
        .await?;
    Ok(HttpResponse::Ok().json(LayoffRegistrationsView::new(&done)))
}
