//! The HTTP handlers of fairs: each extracts the caller and a typed
//! command, calls one use case of [`Fairs`], and renders its answer.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use labex_app::Saved;
use labex_domain::fair::{Fair, FairKind};
use labex_domain::value::{DivisionCode, JobSeekerCategory};
use labex_domain::{AggregateId, EmployerId, FairId, JobSeekerId};
use labex_web::feeds::parse_position;
use labex_web::{
    ApiError, AsOf, Caller, ErrorCode, Id, IdempotencyKeyHeader, IfMatch, MaybeCaller, Page,
    aggregate_answer, next_cursor,
};
use serde::Deserialize;

use crate::commands::Fairs;
use crate::feed::follow;
use crate::ical::{TEXT_CALENDAR, calendar};
use crate::queries::described_moment;
use crate::read_model::CalendarQuery;
use crate::requests::{
    AmendFairBody, AttendanceBody, CancelFairBody, ExhibitBody, RegisterVisitorBody,
    ScheduleFairBody,
};
use crate::views::{FairPage, FairView, RegistrationView, ResultsView};

/// Mounts the routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/v1/fairs")
                .route(web::post().to(schedule))
                .route(web::get().to(list)),
        )
        .service(
            web::resource("/v1/fairs/{id}")
                .route(web::get().to(get))
                .route(web::patch().to(amend)),
        )
        .service(web::resource("/v1/fairs/{id}/cancellation").route(web::post().to(cancel)))
        .service(web::resource("/v1/fairs/{id}/exhibitors").route(web::post().to(exhibit)))
        .service(
            web::resource("/v1/fairs/{id}/exhibitors/{employer_id}").route(web::delete().to(leave)),
        )
        .service(web::resource("/v1/fairs/{id}/registrations").route(web::post().to(register)))
        .service(
            web::resource("/v1/fairs/{id}/registrations/{jobseeker_id}")
                .route(web::get().to(registration))
                .route(web::delete().to(cancel_registration)),
        )
        .service(web::resource("/v1/fairs/{id}/attendance").route(web::post().to(attend)))
        .service(web::resource("/v1/fairs/{id}/results").route(web::get().to(results)))
        .service(web::resource("/v1/fairs/{id}/feed").route(web::get().to(feed)));
}

/// The answer of a fair: created (201 with `Location`) or as it stands,
/// with `ETag`.
async fn fair_answer(
    app: &Fairs,
    created: bool,
    saved: &Saved<Fair>,
    as_of: Option<DateTime<Utc>>,
) -> Result<HttpResponse, ApiError> {
    let location = created.then(|| format!("/v1/fairs/{}", saved.state.id));
    let view = app.page(saved, described_moment(as_of)).await?;
    Ok(aggregate_answer(location, saved.revision, &view))
}

/// The id named `name` in the path, or a 400 naming its kind.
fn path_id<I: AggregateId>(request: &HttpRequest, name: &str) -> Result<I, ApiError> {
    let segment = request.match_info().get(name).unwrap_or_default();
    I::parse(segment).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidPath,
            format!(
                "The {} id in the path is not a UUID; use the id the API returned.",
                I::NAME
            ),
        )
    })
}

/// Announce a job fair (招聘会): organisers and office staff of the
/// region's scope.
#[utoipa::path(
    post,
    path = "/v1/fairs",
    tag = "fairs",
    request_body = ScheduleFairBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "scheduled", body = FairView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not fair staff, or a region outside the caller's scope", body = labex_web::Problem),
        (status = 422, description = "invalid fields: an end before the start, a start in the past, an onsite fair without a venue, an online one without a link", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn schedule(
    app: web::Data<Fairs>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<ScheduleFairBody>,
) -> Result<HttpResponse, ApiError> {
    let details = body.parse()?;
    let saved = app.schedule(&caller, details, key.0).await?;
    fair_answer(&app, true, &saved, None).await
}

/// A fair's page: details, status, counts and exhibitors, now or as it
/// stood at `as_of`. Public.
#[utoipa::path(
    get,
    path = "/v1/fairs/{id}",
    tag = "fairs",
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the fair; ETag is its revision", body = FairView),
        (status = 400, description = "malformed id or as_of", body = labex_web::Problem),
        (status = 404, description = "no such fair (then)", body = labex_web::Problem),
    )
)]
pub async fn get(
    app: web::Data<Fairs>,
    _caller: MaybeCaller,
    id: Id<FairId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let (view, revision) = app.get(id.get(), as_of.0).await?;
    Ok(aggregate_answer(None, revision, &view))
}

/// Amend a fair before it starts: only the fields sent change; a raised
/// capacity gives places to the waiting list.
#[utoipa::path(
    patch,
    path = "/v1/fairs/{id}",
    tag = "fairs",
    request_body = AmendFairBody,
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "amended", body = FairView),
        (status = 403, description = "not fair staff of its scope", body = labex_web::Problem),
        (status = 404, description = "no such fair", body = labex_web::Problem),
        (status = 409, description = "started, cancelled, or a capacity below the places given", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn amend(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
    if_match: IfMatch,
    body: labex_web::Json<AmendFairBody>,
) -> Result<HttpResponse, ApiError> {
    let edit = body.parse()?;
    let saved = app
        .amend(&caller, id.get(), edit, if_match.revision())
        .await?;
    fair_answer(&app, false, &saved, None).await
}

/// Cancel a fair before it ends.
#[utoipa::path(
    post,
    path = "/v1/fairs/{id}/cancellation",
    tag = "fairs",
    request_body = CancelFairBody,
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the change is based on"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe"),
    ),
    responses(
        (status = 200, description = "cancelled (or already)", body = FairView),
        (status = 403, description = "not fair staff of its scope", body = labex_web::Problem),
        (status = 404, description = "no such fair", body = labex_web::Problem),
        (status = 409, description = "the fair is over", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn cancel(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
    if_match: IfMatch,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<CancelFairBody>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.parse()?;
    let saved = app
        .cancel(&caller, id.get(), reason, if_match.revision(), key.0)
        .await?;
    fair_answer(&app, false, &saved, None).await
}

/// An employer exhibits with its open vacancies (itself, or fair staff),
/// or fair staff publish new vacancies for it (用工信息 they collected);
/// a second call brings more.
#[utoipa::path(
    post,
    path = "/v1/fairs/{id}/exhibitors",
    tag = "fairs",
    request_body = ExhibitBody,
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe, new vacancies included"),
    ),
    responses(
        (status = 200, description = "exhibiting", body = FairView),
        (status = 403, description = "neither the employer nor fair staff of the fair's scope", body = labex_web::Problem),
        (status = 404, description = "no such fair", body = labex_web::Problem),
        (status = 409, description = "the fair is cancelled or over, or a vacancy is not open", body = labex_web::Problem),
        (status = 422, description = "invalid fields, an unknown employer or vacancy, another employer's vacancy", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn exhibit(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<ExhibitBody>,
) -> Result<HttpResponse, ApiError> {
    let exhibition = body.parse()?;
    let saved = app.exhibit(&caller, id.get(), exhibition, key.0).await?;
    fair_answer(&app, false, &saved, None).await
}

/// An exhibitor leaves before the start.
#[utoipa::path(
    delete,
    path = "/v1/fairs/{id}/exhibitors/{employer_id}",
    tag = "fairs",
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("employer_id" = String, Path, format = "uuid", description = "the exhibitor"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "left", body = FairView),
        (status = 403, description = "neither the employer nor fair staff of the fair's scope", body = labex_web::Problem),
        (status = 404, description = "no such fair, or not an exhibitor", body = labex_web::Problem),
        (status = 409, description = "the fair has started or is cancelled", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn leave(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
    request: HttpRequest,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let employer: EmployerId = path_id(&request, "employer_id")?;
    let saved = app
        .leave(&caller, id.get(), employer, if_match.revision())
        .await?;
    fair_answer(&app, false, &saved, None).await
}

fn registration_answer(
    created: bool,
    saved: &Saved<Fair>,
    jobseeker: JobSeekerId,
) -> Result<HttpResponse, ApiError> {
    let view = RegistrationView::of(&saved.state, jobseeker, saved.revision).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            "The job seeker is not registered for this fair.",
        )
    })?;
    let location =
        created.then(|| format!("/v1/fairs/{}/registrations/{jobseeker}", saved.state.id));
    Ok(aggregate_answer(location, saved.revision, &view))
}

/// A job seeker registers (themself, or fair staff for them): a place
/// while places are left, else the waiting list.
#[utoipa::path(
    post,
    path = "/v1/fairs/{id}/registrations",
    tag = "fairs",
    request_body = RegisterVisitorBody,
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe"),
    ),
    responses(
        (status = 201, description = "registered: place confirmed or waiting", body = RegistrationView),
        (status = 403, description = "another job seeker, or not fair staff of the fair's scope", body = labex_web::Problem),
        (status = 404, description = "no such fair", body = labex_web::Problem),
        (status = 409, description = "the fair is cancelled or over", body = labex_web::Problem),
        (status = 422, description = "invalid or unknown job seeker", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<RegisterVisitorBody>,
) -> Result<HttpResponse, ApiError> {
    let jobseeker = body.parse()?;
    let saved = app.register(&caller, id.get(), jobseeker, key.0).await?;
    registration_answer(true, &saved, jobseeker)
}

/// A job seeker's registration: place, position on the waiting list,
/// check-in.
#[utoipa::path(
    get,
    path = "/v1/fairs/{id}/registrations/{jobseeker_id}",
    tag = "fairs",
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("jobseeker_id" = String, Path, format = "uuid", description = "the job seeker"),
    ),
    responses(
        (status = 200, description = "the registration", body = RegistrationView),
        (status = 403, description = "another job seeker, or not fair staff of the fair's scope", body = labex_web::Problem),
        (status = 404, description = "no such fair, or not registered", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn registration(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let jobseeker: JobSeekerId = path_id(&request, "jobseeker_id")?;
    let view = app.registration(&caller, id.get(), jobseeker).await?;
    let revision = view.revision;
    Ok(aggregate_answer(None, revision, &view))
}

/// A job seeker withdraws a registration; a place it held goes to the
/// first on the waiting list.
#[utoipa::path(
    delete,
    path = "/v1/fairs/{id}/registrations/{jobseeker_id}",
    tag = "fairs",
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("jobseeker_id" = String, Path, format = "uuid", description = "the job seeker"),
    ),
    responses(
        (status = 200, description = "withdrawn; the fair as it now stands", body = FairView),
        (status = 403, description = "another job seeker, or not fair staff of the fair's scope", body = labex_web::Problem),
        (status = 404, description = "no such fair, or not registered", body = labex_web::Problem),
        (status = 409, description = "checked in already, or the fair is over", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn cancel_registration(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let jobseeker: JobSeekerId = path_id(&request, "jobseeker_id")?;
    let saved = app
        .cancel_registration(&caller, id.get(), jobseeker)
        .await?;
    fair_answer(&app, false, &saved, None).await
}

/// A visitor at the door of an on-site fair (check-in), or at a stand
/// (`employer_id`).
#[utoipa::path(
    post,
    path = "/v1/fairs/{id}/attendance",
    tag = "fairs",
    request_body = AttendanceBody,
    params(("id" = String, Path, format = "uuid", description = "fair id")),
    responses(
        (status = 200, description = "recorded (or already)", body = RegistrationView),
        (status = 403, description = "another job seeker, or not fair staff of the fair's scope", body = labex_web::Problem),
        (status = 404, description = "no such fair, not registered, or not an exhibitor", body = labex_web::Problem),
        (status = 409, description = "an online fair's door, check-in not open, on the waiting list, not checked in", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn attend(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
    body: labex_web::Json<AttendanceBody>,
) -> Result<HttpResponse, ApiError> {
    let attendance = body.parse()?;
    let saved = app.attend(&caller, id.get(), attendance).await?;
    registration_answer(false, &saved, attendance.jobseeker_id)
}

/// A fair's results per exhibitor: vacancies, visitors to its stand,
/// referrals naming the fair, hires within 30 and 90 days (the office's
/// periods) after its last day.
#[utoipa::path(
    get,
    path = "/v1/fairs/{id}/results",
    tag = "fairs",
    params(("id" = String, Path, format = "uuid", description = "fair id")),
    responses(
        (status = 200, description = "the results", body = ResultsView),
        (status = 403, description = "not fair staff of the fair's scope", body = labex_web::Problem),
        (status = 404, description = "no such fair", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn results(
    app: web::Data<Fairs>,
    caller: Caller,
    id: Id<FairId>,
) -> Result<HttpResponse, ApiError> {
    let view = app.results(&caller, id.get()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /v1/fairs` filters.
#[derive(Debug, Deserialize)]
pub struct CalendarParams {
    region: Option<String>,
    from: Option<String>,
    to: Option<String>,
    audience: Option<String>,
    kind: Option<String>,
}

impl CalendarParams {
    fn parse(&self, now: DateTime<Utc>) -> Result<CalendarQuery, ApiError> {
        let moment = |name: &str, text: Option<&str>| {
            text.map(|text| {
                DateTime::parse_from_rfc3339(text.trim())
                    .map(|moment| moment.with_timezone(&Utc))
                    .map_err(|_| {
                        ApiError::invalid_query(format!(
                            "{name} must be a time in RFC 3339, such as 2026-03-01T00:00:00+08:00."
                        ))
                    })
            })
            .transpose()
        };
        let region = self
            .region
            .as_deref()
            .map(DivisionCode::parse)
            .transpose()
            .map_err(|_| ApiError::invalid_query("region must be a six-digit division code."))?;
        let audience = self
            .audience
            .as_deref()
            .map(JobSeekerCategory::parse)
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query("audience must be a job-seeker category, such as graduate.")
            })?;
        let kind = self
            .kind
            .as_deref()
            .map(FairKind::parse)
            .transpose()
            .map_err(|_| ApiError::invalid_query("kind must be onsite or online."))?;
        Ok(CalendarQuery {
            region,
            from: moment("from", self.from.as_deref())?.unwrap_or(now),
            to: moment("to", self.to.as_deref())?,
            audience,
            kind: kind.map(|kind| kind.as_str().to_owned()),
            limit: 0,
            after: None,
            now,
        })
    }
}

fn wants_calendar(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/calendar"))
}

/// The calendar of fairs by their start: not yet over at `from` (now by
/// default), in a region's scope, for an audience (fairs for everyone
/// too), of a kind. Public. `Accept: text/calendar` answers the same page
/// as iCalendar (RFC 5545), to add to a calendar.
#[utoipa::path(
    get,
    path = "/v1/fairs",
    tag = "fairs",
    params(
        ("region" = Option<labex_web::DivisionCode>, Query, description = "division code; a city covers its districts"),
        ("from" = Option<String>, Query, format = DateTime, description = "RFC 3339; fairs not over by then (now by default)"),
        ("to" = Option<String>, Query, format = DateTime, description = "RFC 3339; fairs starting before then"),
        ("audience" = Option<labex_web::JobSeekerCategoryName>, Query, description = "a job-seeker category"),
        ("kind" = Option<labex_web::FairKindName>, Query, description = "onsite or online"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "a page (application/json), or text/calendar", body = FairPage),
        (status = 400, description = "a bad filter, limit or cursor", body = labex_web::Problem),
    )
)]
pub async fn list(
    app: web::Data<Fairs>,
    _caller: MaybeCaller,
    request: HttpRequest,
    page: Page,
    params: web::Query<CalendarParams>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let query = params.parse(now)?;
    let listed = app.calendar(query, page.list_page()).await?;
    if wants_calendar(&request) {
        return Ok(HttpResponse::Ok()
            .content_type(TEXT_CALENDAR)
            .body(calendar(&listed.items, now)));
    }
    Ok(HttpResponse::Ok().json(FairPage {
        items: listed.items,
        next_cursor: next_cursor(listed.next),
    }))
}

/// The live feed of a fair's vacancies (server-sent events): the
/// vacancies as they stand, then every change; `Last-Event-ID` resumes.
/// Public.
#[utoipa::path(
    get,
    path = "/v1/fairs/{id}/feed",
    tag = "fairs",
    params(
        ("id" = String, Path, format = "uuid", description = "fair id"),
        ("Last-Event-ID" = Option<String>, Header, description = "resume after this event"),
    ),
    responses(
        (status = 200, description = "text/event-stream: `vacancy`, `exhibitor_left`, `fair_amended`, `fair_cancelled` events, each with its position as id; a reader that falls too far behind gets a last `lagged` event naming where to resume, and is disconnected"),
        (status = 400, description = "a Last-Event-ID this feed did not send", body = labex_web::Problem),
        (status = 404, description = "no such fair", body = labex_web::Problem),
        (status = 429, description = "too many live feeds open, in all or from the caller's address", body = labex_web::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn feed(
    app: web::Data<Fairs>,
    _caller: MaybeCaller,
    id: Id<FairId>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let resume = match request.headers().get("last-event-id") {
        None => None,
        Some(value) => match value.to_str().ok().map(str::trim) {
            Some("") => None,
            Some(text) => Some(parse_position(text).ok_or_else(|| {
                ApiError::invalid_query("Last-Event-ID must be the id of an event of this feed.")
            })?),
            None => return Err(ApiError::invalid_query("Last-Event-ID must be ASCII.")),
        },
    };
    let fair = app.load(id.get()).await?;
    let ticket = app.feeds.admit(request.peer_addr().map(|peer| peer.ip()))?;
    let events = follow(app.repository.clone(), &app.feeds, ticket, fair, resume).await?;
    // The connection ends with the stream (a reader let go reconnects
    // with Last-Event-ID), rather than idling for another request.
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .force_close()
        .streaming(events))
}
