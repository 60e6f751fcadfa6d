//! The HTTP handlers of referrals: each extracts the caller and a typed
//! command, calls one use case of [`Referrals`], and renders its answer.

use actix_web::{HttpResponse, web};
use labex_app::{Actor, Saved};
use labex_domain::referral::Referral;
use labex_domain::{AggregateId, ReferralId};
use labex_web::{
    ApiError, AsOf, Caller, Id, IdempotencyKeyHeader, IfMatch, Page, aggregate_answer, next_cursor,
};
use serde::Deserialize;

use crate::commands::Referrals;
use crate::queries::ListFilter;
use crate::requests::{OutcomeBody, ReferBody};
use crate::views::{ReferralPage, ReferralStatus, ReferralView};

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

/// The answer of a referral: created (201 with `Location`) or as it
/// stands, with `ETag`; for office staff with the employer's wage-arrears
/// mark.
async fn answer(
    app: &Referrals,
    actor: &Actor,
    created: bool,
    saved: &Saved<Referral>,
) -> Result<HttpResponse, ApiError> {
    let location = created.then(|| format!("/v1/referrals/{}", saved.state.id));
    let mut view = ReferralView::new(&saved.state, saved.revision);
    let employer = saved.state.employer_id;
    view.employer_arrears = app
        .employer_arrears(actor, vec![employer])
        .await?
        .remove(&employer);
    Ok(aggregate_answer(location, saved.revision, &view))
}

/// Refer a job seeker to a vacancy (职业介绍).
#[utoipa::path(
    post,
    path = "/v1/referrals",
    tag = "referrals",
    request_body = ReferBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
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
    app: web::Data<Referrals>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<ReferBody>,
) -> Result<HttpResponse, ApiError> {
    let refer = body.parse()?;
    let saved = app.refer(&caller, refer, key.0).await?;
    answer(&app, &caller, true, &saved).await
}

/// A referral now, or as it stood at `as_of`.
#[utoipa::path(
    get,
    path = "/v1/referrals/{id}",
    tag = "referrals",
    params(
        ("id" = String, Path, format = "uuid", description = "referral id"),
        ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment to replay to"),
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
    app: web::Data<Referrals>,
    caller: Caller,
    id: Id<ReferralId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get(&caller, id.get(), as_of.0).await?;
    answer(&app, &caller, false, &saved).await
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
        ("id" = String, Path, format = "uuid", description = "referral id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$", description = "the ETag the outcome is based on"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe"),
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
    app: web::Data<Referrals>,
    caller: Caller,
    id: Id<ReferralId>,
    if_match: IfMatch,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<OutcomeBody>,
) -> Result<HttpResponse, ApiError> {
    let outcome = body.parse()?;
    let saved = app
        .record_outcome(&caller, id.get(), outcome, if_match.revision(), key.0)
        .await?;
    answer(&app, &caller, false, &saved).await
}

/// `GET /v1/referrals` filters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    vacancy: Option<String>,
    jobseeker: Option<String>,
    status: Option<String>,
}

impl ListParams {
    fn parse(&self) -> Result<ListFilter, ApiError> {
        let status = self
            .status
            .as_deref()
            .map(|text| {
                ReferralStatus::parse(text)
                    .ok_or_else(|| ApiError::invalid_query("status must be open or concluded."))
            })
            .transpose()?;
        Ok(ListFilter {
            vacancy_id: query_id("vacancy", self.vacancy.as_deref())?,
            jobseeker_id: query_id("jobseeker", self.jobseeker.as_deref())?,
            status,
        })
    }
}

/// The id of a `parameter` of the query string, if given.
fn query_id<I: AggregateId>(parameter: &str, text: Option<&str>) -> Result<Option<I>, ApiError> {
    text.map(I::parse).transpose().map_err(|_| {
        ApiError::invalid_query(format!(
            "{parameter} must be the id (a UUID) of a {}.",
            I::NAME
        ))
    })
}

/// Referrals, newest first: staff see those of job seekers within their
/// office's scope, an employer those to its own vacancies.
#[utoipa::path(
    get,
    path = "/v1/referrals",
    tag = "referrals",
    params(
        ("vacancy" = Option<String>, Query, format = "uuid", description = "only referrals to this vacancy"),
        ("jobseeker" = Option<String>, Query, format = "uuid", description = "only referrals of this job seeker"),
        ("status" = Option<labex_web::ReferralState>, Query, description = "open or concluded"),
        ("limit" = Option<u32>, Query, format = Int64, minimum = 1, maximum = 4_294_967_295.0, description = "page size; more than 100 is read as 100"),
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
    app: web::Data<Referrals>,
    caller: Caller,
    page: Page,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = params.parse()?;
    let listed = app.list(&caller, filter, page.list_page()).await?;
    Ok(HttpResponse::Ok().json(ReferralPage {
        items: listed.items,
        next_cursor: next_cursor(listed.next),
    }))
}
