//! The HTTP handlers of households and their assistance: each extracts
//! the caller and a typed command, calls one use case of [`Assistance`],
//! and renders its answer.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use labex_app::Saved;
use labex_domain::EmployerId;
use labex_domain::household::{Household, HouseholdStatus};
use labex_domain::internship::{InternshipCommand, InternshipId};
use labex_domain::welfare::{WelfarePlacement, WelfarePlacementId};
use labex_domain::{HouseholdId, china_date};
use labex_web::{
    ApiError, AsOf, Caller, Id, IdempotencyKeyHeader, IfMatch, Page, aggregate_answer, next_cursor,
    parse_as_of, parse_office,
};
use serde::Deserialize;

use crate::commands::Assistance;
use crate::internships::Internships;
use crate::queries::RegisterFilter;
use crate::requests::{
    AttendanceBody, ContactBody, DayBody, DeclareBody, EndBody, ExitBody, InternshipBody, PlanBody,
    VerificationBody, WelfareExitBody,
};
use crate::views::{
    HostRates, HouseholdView, InternshipPage, InternshipView, OverduePage, RegisterCounts,
    RegisterPage, WelfarePage, WelfareView, register_csv,
};
use crate::welfare::Welfare;

/// Mounts the routes (the literal paths before `{id}`).
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/v1/households")
                .route(web::post().to(declare))
                .route(web::get().to(register)),
        )
        .service(web::resource("/v1/households/counts").route(web::get().to(counts)))
        .service(web::resource("/v1/households/{id}").route(web::get().to(get)))
        .service(web::resource("/v1/households/{id}/verification").route(web::post().to(verify)))
        .service(web::resource("/v1/households/{id}/exit").route(web::post().to(exit)))
        .service(web::resource("/v1/households/{id}/plan").route(web::post().to(make_plan)))
        .service(
            web::resource("/v1/households/{id}/contacts").route(web::post().to(record_contact)),
        )
        .service(web::resource("/v1/assistance/overdue").route(web::get().to(overdue)))
        .service(web::resource("/v1/welfare-placements").route(web::get().to(welfare_list)))
        .service(web::resource("/v1/welfare-placements/{id}").route(web::get().to(welfare_get)))
        .service(
            web::resource("/v1/welfare-placements/{id}/exit").route(web::post().to(welfare_exit)),
        )
        .service(
            web::resource("/v1/internships")
                .route(web::post().to(internship_agree))
                .route(web::get().to(internship_list)),
        )
        .service(
            web::resource("/v1/internships/hosts/{employer_id}")
                .route(web::get().to(internship_host)),
        )
        .service(web::resource("/v1/internships/{id}").route(web::get().to(internship_get)))
        .service(
            web::resource("/v1/internships/{id}/{step}").route(web::post().to(internship_step)),
        );
}

/// The answer of a household: created (201 with `Location`) or as it
/// stands, with `ETag`; lateness judged on the day described.
fn answer(created: bool, saved: &Saved<Household>, as_of: Option<DateTime<Utc>>) -> HttpResponse {
    let location = created.then(|| format!("/v1/households/{}", saved.state.id));
    let day = china_date(as_of.map_or_else(Utc::now, |moment| moment.min(Utc::now())));
    let view = HouseholdView::new(&saved.state, saved.revision, day);
    aggregate_answer(location, saved.revision, &view)
}

/// Declare a zero-employment household (零就业家庭申报).
#[utoipa::path(
    post,
    path = "/v1/households",
    tag = "households",
    request_body = DeclareBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "declared, awaiting verification", body = HouseholdView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not office staff, or an office outside the caller's scope", body = labex_web::Problem),
        (status = 409, description = "a member is employed or in another open household", body = labex_web::Problem),
        (status = 422, description = "invalid fields, or a member who is no registered job seeker", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn declare(
    app: web::Data<Assistance>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<DeclareBody>,
) -> Result<HttpResponse, ApiError> {
    let declaration = body.parse()?;
    let saved = app.declare(&caller, declaration, key.0).await?;
    Ok(answer(true, &saved, None))
}

/// A household's current state, or as it stood at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/households/{id}",
    tag = "households",
    params(
        ("id" = String, Path, format = "uuid", description = "household id"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the household; ETag is its revision", body = HouseholdView),
        (status = 400, description = "malformed id or as_of", body = labex_web::Problem),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 404, description = "no such household (then)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    app: web::Data<Assistance>,
    caller: Caller,
    id: Id<HouseholdId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get(&caller, id.get(), as_of.0).await?;
    Ok(answer(false, &saved, as_of.0))
}

/// Verify (审核) or reject a declaration; a verified household enters the
/// register (台帐).
#[utoipa::path(
    post,
    path = "/v1/households/{id}/verification",
    tag = "households",
    request_body = VerificationBody,
    params(
        ("id" = String, Path, format = "uuid", description = "household id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the decision is based on"),
    ),
    responses(
        (status = 200, description = "decided", body = HouseholdView),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 404, description = "no such household", body = labex_web::Problem),
        (status = 409, description = "decided already, or a member is employed", body = labex_web::Problem),
        (status = 412, description = "changed since the If-Match revision", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn verify(
    app: web::Data<Assistance>,
    caller: Caller,
    id: Id<HouseholdId>,
    if_match: IfMatch,
    body: labex_web::Json<VerificationBody>,
) -> Result<HttpResponse, ApiError> {
    let verification = body.parse()?;
    let saved = app
        .verify(&caller, id.get(), verification, if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// Record that a household left the register for a reason other than
/// work (moved away, no longer eligible, referrals refused as the local
/// rule says, other).
#[utoipa::path(
    post,
    path = "/v1/households/{id}/exit",
    tag = "households",
    request_body = ExitBody,
    params(
        ("id" = String, Path, format = "uuid", description = "household id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the exit is based on"),
    ),
    responses(
        (status = 200, description = "exited", body = HouseholdView),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 404, description = "no such household", body = labex_web::Problem),
        (status = 409, description = "not in the register", body = labex_web::Problem),
        (status = 422, description = "invalid fields, too few refusals, a missing note", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn exit(
    app: web::Data<Assistance>,
    caller: Caller,
    id: Id<HouseholdId>,
    if_match: IfMatch,
    body: labex_web::Json<ExitBody>,
) -> Result<HttpResponse, ApiError> {
    let departure = body.parse()?;
    let saved = app
        .exit(&caller, id.get(), departure, if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// Make (or remake) the one-to-one assistance plan (一对一帮扶计划): the
/// counsellor responsible, the measures, the next contact due.
#[utoipa::path(
    post,
    path = "/v1/households/{id}/plan",
    tag = "households",
    request_body = PlanBody,
    params(
        ("id" = String, Path, format = "uuid", description = "household id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the plan is based on"),
    ),
    responses(
        (status = 200, description = "the household with its plan", body = HouseholdView),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 404, description = "no such household", body = labex_web::Problem),
        (status = 409, description = "not in the register", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn make_plan(
    app: web::Data<Assistance>,
    caller: Caller,
    id: Id<HouseholdId>,
    if_match: IfMatch,
    body: labex_web::Json<PlanBody>,
) -> Result<HttpResponse, ApiError> {
    let plan = body.parse()?;
    let saved = app
        .make_plan(&caller, id.get(), plan, if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// Record a follow-up contact (visit, phone, online) and what was
/// delivered.
#[utoipa::path(
    post,
    path = "/v1/households/{id}/contacts",
    tag = "households",
    request_body = ContactBody,
    params(
        ("id" = String, Path, format = "uuid", description = "household id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the contact is based on"),
    ),
    responses(
        (status = 200, description = "the household with the contact counted", body = HouseholdView),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 404, description = "no such household", body = labex_web::Problem),
        (status = 409, description = "not in the register, or no plan yet", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn record_contact(
    app: web::Data<Assistance>,
    caller: Caller,
    id: Id<HouseholdId>,
    if_match: IfMatch,
    body: labex_web::Json<ContactBody>,
) -> Result<HttpResponse, ApiError> {
    let contact = body.parse()?;
    let saved = app
        .record_contact(&caller, id.get(), contact, if_match.revision())
        .await?;
    Ok(answer(false, &saved, None))
}

/// `GET /v1/households` filters.
#[derive(Debug, Deserialize)]
pub struct RegisterParams {
    office: Option<String>,
    status: Option<String>,
    late: Option<String>,
}

impl RegisterParams {
    fn parse(&self) -> Result<RegisterFilter, ApiError> {
        let office = parse_office(self.office.as_deref())?;
        let status = self
            .status
            .as_deref()
            .map(HouseholdStatus::parse)
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query(
                    "status must be declared, rejected, registered, cleared, stabilised or exited.",
                )
            })?;
        let late = match self.late.as_deref().map(str::trim) {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ApiError::invalid_query("late must be true or false.")),
        };
        Ok(RegisterFilter {
            office,
            status,
            late,
        })
    }
}

fn wants_csv(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"))
}

/// The register (台帐): households of an office's scope, newest
/// declaration first, by status, or only the late verifications. With
/// `Accept: text/csv`, every row the filter selects as CSV with Chinese
/// headers (paging ignored).
#[utoipa::path(
    get,
    path = "/v1/households",
    tag = "households",
    params(
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("status" = Option<labex_web::HouseholdStatusName>, Query, description = "declared, rejected, registered, cleared, stabilised or exited"),
        ("late" = Option<bool>, Query, description = "only verifications late (undecided past their due day, or decided after it)"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment: the list as it stood then"),
    ),
    responses(
        (status = 200, description = "a page (JSON), or with Accept: text/csv every row as CSV with Chinese headers", content((RegisterPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "bad filter, limit or cursor", body = labex_web::Problem),
        (status = 403, description = "not office staff of that scope", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn register(
    app: web::Data<Assistance>,
    request: HttpRequest,
    caller: Caller,
    page: Page,
    params: web::Query<RegisterParams>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let filter = params.parse()?;
    if wants_csv(&request) {
        let rows = app.register_rows(&caller, filter, as_of.0).await?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"households.csv\"",
            ))
            .body(register_csv(&rows)));
    }
    let listed = app
        .register(&caller, filter, page.list_page(), as_of.0)
        .await?;
    Ok(HttpResponse::Ok().json(RegisterPage {
        items: listed.items,
        next_cursor: next_cursor(listed.next),
    }))
}

/// `GET /v1/households/counts` parameters.
#[derive(Debug, Deserialize)]
pub struct CountParams {
    office: Option<String>,
    as_of: Option<String>,
}

/// How many households of an office's scope stand in each status, now or
/// at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/households/counts",
    tag = "households",
    params(
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to count at"),
    ),
    responses(
        (status = 200, description = "the counts", body = RegisterCounts),
        (status = 400, description = "bad office or as_of", body = labex_web::Problem),
        (status = 403, description = "not office staff of that scope", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn counts(
    app: web::Data<Assistance>,
    caller: Caller,
    params: web::Query<CountParams>,
) -> Result<HttpResponse, ApiError> {
    let office = parse_office(params.office.as_deref())?;
    let as_of = parse_as_of(params.as_of.as_deref())?;
    let counts = app.counts(&caller, office, as_of).await?;
    Ok(HttpResponse::Ok().json(counts))
}

/// `GET /v1/assistance/overdue` parameters.
#[derive(Debug, Deserialize)]
pub struct OverdueParams {
    office: Option<String>,
    counsellor: Option<String>,
    on: Option<String>,
}

/// Verified households without a plan in time, and plans whose next
/// contact is overdue, for an office and optionally one counsellor.
#[utoipa::path(
    get,
    path = "/v1/assistance/overdue",
    tag = "households",
    params(
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("counsellor" = Option<String>, Query, description = "only this counsellor's plans"),
        ("on" = Option<labex_web::Day>, Query, description = "the day overdue is judged on, YYYY-MM-DD; today when absent"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "a page", body = OverduePage),
        (status = 400, description = "bad office, day, limit or cursor", body = labex_web::Problem),
        (status = 403, description = "not office staff of that scope", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn overdue(
    app: web::Data<Assistance>,
    caller: Caller,
    page: Page,
    params: web::Query<OverdueParams>,
) -> Result<HttpResponse, ApiError> {
    let office = parse_office(params.office.as_deref())?;
    let on = params
        .on
        .as_deref()
        .map(|day| NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d"))
        .transpose()
        .map_err(|_| ApiError::invalid_query("on must be a date written YYYY-MM-DD."))?;
    let counsellor = params.counsellor.clone();
    let listed = app
        .overdue(&caller, office, counsellor, on, page.list_page())
        .await?;
    Ok(HttpResponse::Ok().json(OverduePage {
        items: listed.items,
        next_cursor: next_cursor(listed.next),
    }))
}

/// The answer of a placement, with `ETag`; its status on the day described.
fn welfare_answer(saved: &Saved<WelfarePlacement>, as_of: Option<DateTime<Utc>>) -> HttpResponse {
    let day = china_date(as_of.map_or_else(Utc::now, |moment| moment.min(Utc::now())));
    let view = WelfareView::new(&saved.state, saved.revision, day);
    aggregate_answer(None, saved.revision, &view)
}

/// `GET /v1/welfare-placements` parameters.
#[derive(Debug, Deserialize)]
pub struct WelfareParams {
    office: Option<String>,
    ending: Option<String>,
}

/// People placed in public-welfare posts (公益性岗位) within an office's
/// scope, newest first; `ending=true`: only those still placed whose
/// subsidised period ends within the office's days (default 60), soonest
/// end first, to plan the next step.
#[utoipa::path(
    get,
    path = "/v1/welfare-placements",
    tag = "welfare",
    params(
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("ending" = Option<bool>, Query, description = "only those ending soon"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment: the list as it stood then"),
    ),
    responses(
        (status = 200, description = "a page", body = WelfarePage),
        (status = 400, description = "bad office, limit or cursor", body = labex_web::Problem),
        (status = 403, description = "not office staff of that scope", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn welfare_list(
    app: web::Data<Welfare>,
    caller: Caller,
    page: Page,
    params: web::Query<WelfareParams>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let office = parse_office(params.office.as_deref())?;
    let ending = match params.ending.as_deref().map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::invalid_query("ending must be true or false.")),
    };
    let listed = app
        .list(&caller, office, ending, page.list_page(), as_of.0)
        .await?;
    Ok(HttpResponse::Ok().json(WelfarePage {
        items: listed.items,
        next_cursor: next_cursor(listed.next),
    }))
}

/// A public-welfare placement now, or as it stood at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/welfare-placements/{id}",
    tag = "welfare",
    params(
        ("id" = String, Path, format = "uuid", description = "placement id"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the placement; ETag is its revision", body = WelfareView),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 404, description = "no such placement (then)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn welfare_get(
    app: web::Data<Welfare>,
    caller: Caller,
    id: Id<WelfarePlacementId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get(&caller, id.get(), as_of.0).await?;
    Ok(welfare_answer(&saved, as_of.0))
}

/// Record that a placement ended before its period was over: the person
/// moved to a regular job, or it ended otherwise.
#[utoipa::path(
    post,
    path = "/v1/welfare-placements/{id}/exit",
    tag = "welfare",
    request_body = WelfareExitBody,
    params(
        ("id" = String, Path, format = "uuid", description = "placement id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the exit is based on"),
    ),
    responses(
        (status = 200, description = "ended", body = WelfareView),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 404, description = "no such placement", body = labex_web::Problem),
        (status = 409, description = "ended already", body = labex_web::Problem),
        (status = 422, description = "invalid fields, or a day outside the placement", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn welfare_exit(
    app: web::Data<Welfare>,
    caller: Caller,
    id: Id<WelfarePlacementId>,
    if_match: IfMatch,
    body: labex_web::Json<WelfareExitBody>,
) -> Result<HttpResponse, ApiError> {
    let exit = body.parse()?;
    let saved = app
        .end(&caller, id.get(), exit, if_match.revision())
        .await?;
    Ok(welfare_answer(&saved, None))
}

/// Agree an internship (就业见习) between an intern and a host employer.
#[utoipa::path(
    post,
    path = "/v1/internships",
    tag = "internships",
    request_body = InternshipBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "agreed", body = InternshipView),
        (status = 403, description = "not office staff covering the host", body = labex_web::Problem),
        (status = 422, description = "invalid fields, an intern not eligible, months out of range, a monthly subsidy of zero (`subsidy_not_positive`)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn internship_agree(
    app: web::Data<Internships>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<InternshipBody>,
) -> Result<HttpResponse, ApiError> {
    let agreement = body.parse()?;
    let saved = app.agree(&caller, agreement, key.0).await?;
    let location = format!("/v1/internships/{}", saved.state.id);
    let view = InternshipView::new(&saved.state, saved.revision);
    Ok(aggregate_answer(Some(location), saved.revision, &view))
}

/// An internship now, or as it stood at `as_of`: office staff in scope,
/// and the host employer.
#[utoipa::path(
    get,
    path = "/v1/internships/{id}",
    tag = "internships",
    params(
        ("id" = String, Path, format = "uuid", description = "internship id"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to replay to"),
    ),
    responses(
        (status = 200, description = "the internship; ETag is its revision", body = InternshipView),
        (status = 403, description = "neither office staff in scope nor the host", body = labex_web::Problem),
        (status = 404, description = "no such internship (then)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn internship_get(
    app: web::Data<Internships>,
    caller: Caller,
    id: Id<InternshipId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get(&caller, id.get(), as_of.0).await?;
    let view = InternshipView::new(&saved.state, saved.revision);
    Ok(aggregate_answer(None, saved.revision, &view))
}

/// A step of an internship (就业见习): `start` and `completion` (`{"on"}`;
/// completion from the last day of the agreed months on), `attendance`
/// (`{"month": "YYYY-MM", "days_attended", "working_days"}`: a month of
/// the internship, from its start month and at most its months; the
/// subsidy owed follows the days and never exceeds months × the monthly
/// subsidy), `end` (ended early, `{"reason", "on"}`).
#[utoipa::path(
    post,
    path = "/v1/internships/{id}/{step}",
    tag = "internships",
    request_body = serde_json::Value,
    params(
        ("id" = String, Path, format = "uuid", description = "internship id"),
        ("step" = String, Path, description = "start, attendance, end or completion"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the step is based on"),
    ),
    responses(
        (status = 200, description = "the internship after the step", body = InternshipView),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 404, description = "no such internship or step", body = labex_web::Problem),
        (status = 409, description = "the internship's status does not take the step", body = labex_web::Problem),
        (status = 422, description = "invalid fields; a completion before the agreed months are over (`internship_completed_too_early`); attendance of a month outside the internship (`month_outside_internship`)", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn internship_step(
    app: web::Data<Internships>,
    caller: Caller,
    id: Id<InternshipId>,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: labex_web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let command = step_command(&path.1, body.into_inner())?;
    let saved = app
        .change(&caller, id.get(), command, if_match.revision())
        .await?;
    let view = InternshipView::new(&saved.state, saved.revision);
    Ok(aggregate_answer(None, saved.revision, &view))
}

fn step_command(step: &str, body: serde_json::Value) -> Result<InternshipCommand, ApiError> {
    let read = |error: serde_json::Error| {
        ApiError::new(
            labex_web::ErrorCode::InvalidBody,
            format!("The request body is invalid ({error}); correct it and send it again."),
        )
    };
    match step {
        "start" => {
            let body: DayBody = serde_json::from_value(body).map_err(read)?;
            Ok(InternshipCommand::Start { on: body.parse()? })
        }
        "completion" => {
            let body: DayBody = serde_json::from_value(body).map_err(read)?;
            Ok(InternshipCommand::Complete { on: body.parse()? })
        }
        "attendance" => {
            let body: AttendanceBody = serde_json::from_value(body).map_err(read)?;
            Ok(body.parse()?)
        }
        "end" => {
            let body: EndBody = serde_json::from_value(body).map_err(read)?;
            Ok(body.parse()?)
        }
        _ => Err(ApiError::new(
            labex_web::ErrorCode::NotFound,
            "An internship takes the steps start, attendance, end and completion.",
        )),
    }
}

/// `GET /v1/internships` parameters.
#[derive(Debug, Deserialize)]
pub struct InternshipParams {
    office: Option<String>,
    employer: Option<String>,
}

/// Internships of an office's scope, newest first, optionally of one host;
/// an employer sees those at its own company only.
#[utoipa::path(
    get,
    path = "/v1/internships",
    tag = "internships",
    params(
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("employer" = Option<String>, Query, format = "uuid", description = "only this host"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment: the list as it stood then"),
    ),
    responses(
        (status = 200, description = "a page", body = InternshipPage),
        (status = 400, description = "bad office, employer, limit or cursor", body = labex_web::Problem),
        (status = 403, description = "outside the caller's scope, or another employer's", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn internship_list(
    app: web::Data<Internships>,
    caller: Caller,
    page: Page,
    params: web::Query<InternshipParams>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let office = parse_office(params.office.as_deref())?;
    let employer = params
        .employer
        .as_deref()
        .map(EmployerId::parse)
        .transpose()
        .map_err(|_| ApiError::invalid_query("employer must be an employer id."))?;
    let listed = app
        .list(&caller, office, employer, page.list_page(), as_of.0)
        .await?;
    Ok(HttpResponse::Ok().json(InternshipPage {
        items: listed.items,
        next_cursor: next_cursor(listed.next),
    }))
}

/// A host's interns, completion and retention rates: office staff (their
/// scope's internships), or the host itself.
#[utoipa::path(
    get,
    path = "/v1/internships/hosts/{employer_id}",
    tag = "internships",
    params(
        ("employer_id" = String, Path, format = "uuid", description = "the host employer"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment: the figures as they stood then"),
    ),
    responses(
        (status = 200, description = "the host's figures", body = HostRates),
        (status = 403, description = "another employer's", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn internship_host(
    app: web::Data<Internships>,
    caller: Caller,
    employer: Id<EmployerId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let rates = app.host_rates(&caller, employer.get(), as_of.0).await?;
    Ok(HttpResponse::Ok().json(rates))
}
