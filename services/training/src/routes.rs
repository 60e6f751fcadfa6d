//! The HTTP handlers of training: each extracts the caller and a typed
//! command, calls one use case of [`Training`], and renders its answer.

use actix_web::{HttpResponse, web};
use labex_app::Saved;
use labex_domain::course::{Course, CourseId, CourseKind, EnrolmentId};
use labex_domain::provider::ProviderId;
use labex_domain::value::{DivisionCode, OccupationCode};
use labex_web::{ApiError, AsOf, Caller, ErrorCode, Id, IdempotencyKeyHeader, aggregate_answer};
use serde::Deserialize;

use crate::commands::{EnrolmentChange, Training, today};
use crate::queries::search_limit;
use crate::read_model::SearchQuery;
use crate::requests::{
    AppraisalBody, CompletionBody, DropOutBody, EnrolBody, MAX_QUERY_CHARS, OpenCourseBody,
    RegisterProviderBody, looks_like_a_code,
};
use crate::views::{CourseSearchResults, CourseView, EnrolmentView, OutcomesView, ProviderView};

/// Mounts the routes (the search before `/v1/courses/{id}`).
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/v1/training/providers").route(web::post().to(register_provider)))
        .service(web::resource("/v1/training/providers/{id}").route(web::get().to(get_provider)))
        .service(
            web::resource("/v1/training/providers/{id}/outcomes")
                .route(web::get().to(provider_outcomes)),
        )
        .service(web::resource("/v1/courses").route(web::post().to(open_course)))
        .service(web::resource("/v1/courses/search").route(web::get().to(search)))
        .service(web::resource("/v1/courses/{id}").route(web::get().to(get_course)))
        .service(web::resource("/v1/courses/{id}/enrolments").route(web::post().to(enrol)))
        .service(web::resource("/v1/courses/{id}/outcomes").route(web::get().to(course_outcomes)))
        .service(web::resource("/v1/enrolments/{id}").route(web::get().to(get_enrolment)))
        .service(web::resource("/v1/enrolments/{id}/cancellation").route(web::post().to(cancel)))
        .service(web::resource("/v1/enrolments/{id}/completion").route(web::post().to(complete)))
        .service(web::resource("/v1/enrolments/{id}/drop-out").route(web::post().to(drop_out)))
        .service(web::resource("/v1/enrolments/{id}/appraisal").route(web::post().to(appraise)));
}

fn course_answer(created: bool, saved: &Saved<Course>) -> HttpResponse {
    let location = created.then(|| format!("/v1/courses/{}", saved.state.id));
    aggregate_answer(
        location,
        saved.revision,
        &CourseView::new(&saved.state, saved.revision, today()),
    )
}

fn enrolment_answer(
    created: bool,
    saved: &Saved<Course>,
    id: EnrolmentId,
) -> Result<HttpResponse, ApiError> {
    let enrolment = saved.state.enrolments.get(&id).ok_or_else(|| {
        ApiError::internal(&format_args!("enrolment {id} missing from its course"))
    })?;
    let location = created.then(|| format!("/v1/enrolments/{id}"));
    let view = EnrolmentView::new(&saved.state, enrolment, saved.revision);
    Ok(aggregate_answer(location, saved.revision, &view))
}

/// The enrolment id in the path.
fn enrolment_id(path: &web::Path<String>) -> Result<EnrolmentId, ApiError> {
    EnrolmentId::parse(path.as_str()).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidPath,
            "The enrolment id in the path is not a UUID; use the id the API returned.",
        )
    })
}

/// Register a training provider (培训机构).
#[utoipa::path(
    post, path = "/v1/training/providers", tag = "training",
    request_body = RegisterProviderBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "registered", body = ProviderView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 409, description = "the credit code is already registered", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register_provider(
    app: web::Data<Training>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<RegisterProviderBody>,
) -> Result<HttpResponse, ApiError> {
    let registration = body.parse()?;
    let saved = app.register_provider(&caller, registration, key.0).await?;
    let location = format!("/v1/training/providers/{}", saved.state.id);
    Ok(aggregate_answer(
        Some(location),
        saved.revision,
        &ProviderView::new(&saved.state, saved.revision),
    ))
}

/// A training provider, now or as of a moment.
#[utoipa::path(
    get, path = "/v1/training/providers/{id}", tag = "training",
    params(("id" = String, Path, format = "uuid", description = "provider id"), ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment")),
    responses(
        (status = 200, description = "the provider", body = ProviderView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 404, description = "no such provider", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn get_provider(
    app: web::Data<Training>,
    _caller: Caller,
    id: Id<ProviderId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get_provider(id.get(), as_of.0).await?;
    Ok(aggregate_answer(
        None,
        saved.revision,
        &ProviderView::new(&saved.state, saved.revision),
    ))
}

/// Open a course: employment, re-employment (再就业培训), on-the-job,
/// order-based (订单式培训, naming the employer and its committed hires)
/// or entrepreneurship (创业培训).
#[utoipa::path(
    post, path = "/v1/courses", tag = "training",
    request_body = OpenCourseBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "opened", body = CourseView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not office staff covering the provider", body = labex_web::Problem),
        (status = 422, description = "invalid fields, an unknown provider or employer", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn open_course(
    app: web::Data<Training>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<OpenCourseBody>,
) -> Result<HttpResponse, ApiError> {
    let opening = body.parse()?;
    let saved = app.open_course(&caller, opening, key.0).await?;
    Ok(course_answer(true, &saved))
}

/// A course, now or as of a moment: public.
#[utoipa::path(
    get, path = "/v1/courses/{id}", tag = "training",
    params(("id" = String, Path, format = "uuid", description = "course id"), ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment")),
    responses(
        (status = 200, description = "the course", body = CourseView),
        (status = 404, description = "no such course", body = labex_web::Problem),
    )
)]
pub async fn get_course(
    app: web::Data<Training>,
    id: Id<CourseId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get_course(id.get(), as_of.0).await?;
    Ok(course_answer(false, &saved))
}

/// Enrol a job seeker: a seat when one is free, else the waiting list.
#[utoipa::path(
    post, path = "/v1/courses/{id}/enrolments", tag = "training",
    request_body = EnrolBody,
    params(("id" = String, Path, format = "uuid", description = "course id"), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "enrolled (status seated or waiting)", body = EnrolmentView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "neither staff covering the course nor the job seeker", body = labex_web::Problem),
        (status = 404, description = "no such course", body = labex_web::Problem),
        (status = 409, description = "not eligible, already enrolled, course ended or waiting list full", body = labex_web::Problem),
        (status = 422, description = "invalid or unknown job seeker", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn enrol(
    app: web::Data<Training>,
    caller: Caller,
    id: Id<CourseId>,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<EnrolBody>,
) -> Result<HttpResponse, ApiError> {
    let jobseeker_id = body.parse()?;
    let (saved, enrolment) = app.enrol(&caller, id.get(), jobseeker_id, key.0).await?;
    enrolment_answer(true, &saved, enrolment)
}

/// An enrolment: staff covering the course, and the trainee.
#[utoipa::path(
    get, path = "/v1/enrolments/{id}", tag = "training",
    params(("id" = String, Path, format = "uuid", description = "enrolment id")),
    responses(
        (status = 200, description = "the enrolment", body = EnrolmentView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "neither staff covering the course nor the trainee", body = labex_web::Problem),
        (status = 404, description = "no such enrolment", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn get_enrolment(
    app: web::Data<Training>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = enrolment_id(&path)?;
    let (saved, _) = app.get_enrolment(&caller, id).await?;
    enrolment_answer(false, &saved, id)
}

async fn change(
    app: &Training,
    caller: &Caller,
    path: &web::Path<String>,
    change: impl FnOnce() -> Result<EnrolmentChange, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let id = enrolment_id(path)?;
    let change = change()?;
    let saved = app.change_enrolment(caller, id, change).await?;
    enrolment_answer(false, &saved, id)
}

/// Cancel an enrolment; a freed seat goes to the first on the waiting list.
#[utoipa::path(
    post, path = "/v1/enrolments/{id}/cancellation", tag = "training",
    params(("id" = String, Path, format = "uuid", description = "enrolment id")),
    responses(
        (status = 200, description = "cancelled", body = EnrolmentView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "neither staff covering the course nor the trainee", body = labex_web::Problem),
        (status = 404, description = "no such enrolment", body = labex_web::Problem),
        (status = 409, description = "not seated nor waiting", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn cancel(
    app: web::Data<Training>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    change(&app, &caller, &path, || Ok(EnrolmentChange::Cancel)).await
}

/// Record that a seated trainee completed the course (结业).
#[utoipa::path(
    post, path = "/v1/enrolments/{id}/completion", tag = "training",
    request_body = CompletionBody,
    params(("id" = String, Path, format = "uuid", description = "enrolment id")),
    responses(
        (status = 200, description = "completed", body = EnrolmentView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not staff covering the course", body = labex_web::Problem),
        (status = 404, description = "no such enrolment", body = labex_web::Problem),
        (status = 409, description = "not seated", body = labex_web::Problem),
        (status = 422, description = "an invalid date, or one before the course started", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn complete(
    app: web::Data<Training>,
    caller: Caller,
    path: web::Path<String>,
    body: labex_web::Json<CompletionBody>,
) -> Result<HttpResponse, ApiError> {
    change(&app, &caller, &path, || {
        Ok(EnrolmentChange::Complete(body.parse()?))
    })
    .await
}

/// Record that a seated trainee dropped out.
#[utoipa::path(
    post, path = "/v1/enrolments/{id}/drop-out", tag = "training",
    request_body = DropOutBody,
    params(("id" = String, Path, format = "uuid", description = "enrolment id")),
    responses(
        (status = 200, description = "dropped out", body = EnrolmentView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not staff covering the course", body = labex_web::Problem),
        (status = 404, description = "no such enrolment", body = labex_web::Problem),
        (status = 409, description = "not seated", body = labex_web::Problem),
        (status = 422, description = "an invalid date", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn drop_out(
    app: web::Data<Training>,
    caller: Caller,
    path: web::Path<String>,
    body: labex_web::Json<DropOutBody>,
) -> Result<HttpResponse, ApiError> {
    change(&app, &caller, &path, || {
        Ok(EnrolmentChange::DropOut(body.parse()?))
    })
    .await
}

/// Record a skill appraisal (职业技能鉴定) of a trainee who completed.
#[utoipa::path(
    post, path = "/v1/enrolments/{id}/appraisal", tag = "training",
    request_body = AppraisalBody,
    params(("id" = String, Path, format = "uuid", description = "enrolment id")),
    responses(
        (status = 200, description = "appraised", body = EnrolmentView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not staff covering the course", body = labex_web::Problem),
        (status = 404, description = "no such enrolment", body = labex_web::Problem),
        (status = 409, description = "the trainee has not completed", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn appraise(
    app: web::Data<Training>,
    caller: Caller,
    path: web::Path<String>,
    body: labex_web::Json<AppraisalBody>,
) -> Result<HttpResponse, ApiError> {
    change(&app, &caller, &path, || {
        Ok(EnrolmentChange::Appraise(body.parse()?))
    })
    .await
}

/// A course's outcomes: employment within the window after completion,
/// completion, appraisal, and an order-based course's commitment.
#[utoipa::path(
    get, path = "/v1/courses/{id}/outcomes", tag = "training",
    params(("id" = String, Path, format = "uuid", description = "course id")),
    responses(
        (status = 200, description = "the outcomes (rates withheld under the minimum of leavers)", body = OutcomesView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not staff covering the course", body = labex_web::Problem),
        (status = 404, description = "no such course", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn course_outcomes(
    app: web::Data<Training>,
    caller: Caller,
    id: Id<CourseId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(app.course_outcomes(&caller, id.get()).await?))
}

/// A provider's outcomes over all its courses.
#[utoipa::path(
    get, path = "/v1/training/providers/{id}/outcomes", tag = "training",
    params(("id" = String, Path, format = "uuid", description = "provider id")),
    responses(
        (status = 200, description = "the outcomes (rates withheld under the minimum of leavers)", body = OutcomesView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not staff covering the provider", body = labex_web::Problem),
        (status = 404, description = "no such provider", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn provider_outcomes(
    app: web::Data<Training>,
    caller: Caller,
    id: Id<ProviderId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(app.provider_outcomes(&caller, id.get()).await?))
}

/// `GET /v1/courses/search` parameters.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    kind: Option<String>,
    region: Option<String>,
    occupation: Option<String>,
    provider_id: Option<String>,
    open: Option<bool>,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl SearchParams {
    fn parse(&self) -> Result<SearchQuery, ApiError> {
        let q = self.q.as_deref().unwrap_or("").trim();
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::invalid_query("q must be at most 200 characters."));
        }
        let kind = self.kind.as_deref().map(CourseKind::parse).transpose().map_err(|_| {
            ApiError::invalid_query("kind must be employment, re_employment, on_the_job, order_based or entrepreneurship.")
        })?;
        let region = self
            .region
            .as_deref()
            .map(DivisionCode::parse)
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query("region must be a six-digit administrative division code.")
            })?;
        let provider = self
            .provider_id
            .as_deref()
            .map(ProviderId::parse)
            .transpose()
            .map_err(|_| ApiError::invalid_query("provider_id must be a provider id."))?;
        let occupation = match self.occupation.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) if looks_like_a_code(code) => {
                Some(OccupationCode::parse_prefix(code).map_err(|_| {
                    ApiError::invalid_query(
                        "occupation must be a code of the occupational classification (职业分类大典 2022) or its prefix: 6, 6-18, 6-18-02 or 6-18-02-04; or an occupation's name.",
                    )
                })?)
            }
            Some(name) => Some(name.to_owned()),
        };
        let offset = self.offset.unwrap_or(0);
        if offset > 10_000 {
            return Err(ApiError::invalid_query("offset must be at most 10000."));
        }
        Ok(SearchQuery {
            words: labex_search::fts::words(q),
            kind: kind.map(|kind| kind.as_str().to_owned()),
            region_prefix: region.map(|region| region.scope_prefix().to_owned()),
            occupation,
            provider_id: provider.map(|provider| provider.to_string()),
            open_on: self.open.unwrap_or(false).then(today),
            limit: search_limit(self.limit)?,
            offset,
        })
    }
}

/// Search courses: words analysed as vacancies' are (Chinese and English),
/// filtered by kind, region (its scope), occupation, provider and whether
/// still open; public.
#[utoipa::path(
    get, path = "/v1/courses/search", tag = "training",
    params(
        ("q" = Option<String>, Query, description = "words; all must match"),
        ("kind" = Option<labex_web::CourseKindName>, Query, description = "a course kind"),
        ("region" = Option<labex_web::DivisionCode>, Query, description = "division code; courses within its scope"),
        ("occupation" = Option<String>, Query, description = "an occupation's code or a group's prefix (6-18) in the occupational classification, or an occupation's name"),
        ("provider_id" = Option<String>, Query, format = "uuid", description = "a provider"),
        ("open" = Option<bool>, Query, description = "only courses not yet ended"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "hits per page, at most 100"),
        ("offset" = Option<u32>, Query, maximum = 10000, description = "hits to skip, at most 10,000"),
    ),
    responses(
        (status = 200, description = "the courses found", body = CourseSearchResults),
        (status = 400, description = "bad parameters", body = labex_web::Problem),
    )
)]
pub async fn search(
    app: web::Data<Training>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.parse()?;
    let (counted, found) = app.search(query).await?;
    Ok(HttpResponse::Ok().json(CourseSearchResults::new(counted, found)))
}
