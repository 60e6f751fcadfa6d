//! The HTTP handlers of monitoring: each extracts the caller and a typed
//! command, calls one use case of [`Monitoring`], and renders its answer.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use labex_app::{FieldError, InputError};
use labex_domain::Coded as _;
use labex_domain::arrears::{WageArrearsCaseId, WageArrearsCommand};
use labex_domain::layoff::LayoffPlanId;
use labex_domain::monitoring::{LabourOfficeId, MonitoringPointId, Period};
use labex_domain::value::DivisionCode;
use labex_domain::{EmployerId, china_date};
use labex_web::{ApiError, AsOf, Caller, Id, IdempotencyKeyHeader, IfMatch, aggregate_answer};
use serde::Deserialize;

use crate::commands::Monitoring;
use crate::feed;
use crate::queries::{FIGURES, figure_label};
use crate::requests::{
    AmendPlanBody, CaseBody, FollowBody, LayoffPlanBody, OfficeBody, OutcomeBody, PaymentBody,
    PointBody, ReportBody, SubmissionBody,
};
use crate::views::{
    ArrearsStatusView, CaseView, CoverageView, LayoffPlanView, MissingView, MonthlyReportView,
    OfficeView, PointView, ReportView, ReturnCount, ReturnsView, SubmissionView, SubmissionsView,
    WarningView, WarningsView,
};

/// Mounts the routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/v1/monitoring/offices").route(web::post().to(register_office)))
        .service(web::resource("/v1/monitoring/offices/{id}").route(web::get().to(get_office)))
        .service(web::resource("/v1/monitoring/points").route(web::post().to(designate_point)))
        .service(web::resource("/v1/monitoring/points/{id}").route(web::get().to(get_point)))
        .service(
            web::resource("/v1/monitoring/points/{id}/enterprises")
                .route(web::post().to(change_followed)),
        )
        .service(web::resource("/v1/monitoring/coverage").route(web::get().to(coverage)))
        .service(web::resource("/v1/monitoring/reports").route(web::post().to(submit_report)))
        .service(
            web::resource("/v1/monitoring/reports/corrections")
                .route(web::post().to(correct_report)),
        )
        .service(
            web::resource("/v1/monitoring/reports/{id}/{period}").route(web::get().to(get_report)),
        )
        .service(web::resource("/v1/monitoring/missing").route(web::get().to(missing)))
        .service(web::resource("/v1/monitoring/returns").route(web::get().to(returns)))
        .service(web::resource("/v1/layoff-plans").route(web::post().to(report_plan)))
        .service(
            web::resource("/v1/layoff-plans/{id}")
                .route(web::get().to(get_plan))
                .route(web::patch().to(amend_plan)),
        )
        .service(web::resource("/v1/layoff-plans/{id}/outcome").route(web::post().to(plan_outcome)))
        .service(web::resource("/v1/warnings").route(web::get().to(warnings)))
        .service(web::resource("/v1/warnings/feed").route(web::get().to(feed::feed)))
        .service(web::resource("/v1/wage-arrears").route(web::post().to(open_case)))
        .service(web::resource("/v1/wage-arrears/{id}").route(web::get().to(get_case)))
        .service(web::resource("/v1/wage-arrears/{id}/{step}").route(web::post().to(case_step)))
        .service(
            web::resource("/v1/employers/{id}/arrears-status").route(web::get().to(arrears_status)),
        )
        .service(web::resource("/v1/reports/monthly").route(web::get().to(monthly_report)))
        .service(
            web::resource("/v1/reports/monthly/submissions")
                .route(web::post().to(submit_monthly))
                .route(web::get().to(list_submissions)),
        )
        .service(web::resource("/dashboard").route(web::get().to(crate::dashboard::page)));
}

/// `?region=&period=`.
#[derive(Debug, Default, Deserialize)]
pub struct RegionParams {
    region: Option<String>,
    period: Option<String>,
    limit: Option<String>,
}

impl RegionParams {
    /// The region, if one is named.
    pub fn region(&self) -> Result<Option<DivisionCode>, ApiError> {
        parse_region(self.region.as_deref())
            .map_err(|error| ApiError::invalid_parameters(vec![error]))
    }

    /// The month, if one is named.
    pub fn period(&self) -> Result<Option<Period>, ApiError> {
        parse_period(self.period.as_deref())
            .map_err(|error| ApiError::invalid_parameters(vec![error]))
    }

    /// The region and the month, if named; a bad one of each is listed
    /// in one problem.
    pub fn region_and_period(&self) -> Result<(Option<DivisionCode>, Option<Period>), ApiError> {
        match (
            parse_region(self.region.as_deref()),
            parse_period(self.period.as_deref()),
        ) {
            (Ok(region), Ok(period)) => Ok((region, period)),
            (region, period) => Err(ApiError::invalid_parameters(
                [region.err(), period.err()].into_iter().flatten().collect(),
            )),
        }
    }

    /// The month, or this month in China.
    pub fn period_or_this_month(&self) -> Result<Period, ApiError> {
        Ok(self
            .period()?
            .unwrap_or_else(|| Period::of(china_date(Utc::now()))))
    }

    fn limit(&self) -> Result<u32, ApiError> {
        match self.limit.as_deref() {
            None => Ok(100),
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|limit| (1..=1000).contains(limit))
                .ok_or_else(|| {
                    ApiError::invalid_parameters(vec![FieldError::input(
                        "limit",
                        InputError::QueryNumber,
                        "must be a whole number from 1 to 1000.",
                    )])
                }),
        }
    }
}

/// `?region=`: a division code of the list.
pub fn parse_region(text: Option<&str>) -> Result<Option<DivisionCode>, FieldError> {
    text.map(DivisionCode::parse)
        .transpose()
        .map_err(|error| FieldError {
            field: "region".to_owned(),
            code: error.code(),
            detail: format!(
                "region must be the six-digit code of an administrative division (GB/T 2260), such as 410105 ({error})."
            ),
        })
}

/// `?period=`: a month written `YYYY-MM`.
pub fn parse_period(text: Option<&str>) -> Result<Option<Period>, FieldError> {
    text.map(Period::parse)
        .transpose()
        .map_err(|error| FieldError {
            field: "period".to_owned(),
            code: error.code(),
            detail: format!("period must be a month written YYYY-MM, such as 2026-11 ({error})."),
        })
}

/// Register a labour-security office (劳动保障事务所).
#[utoipa::path(post, path = "/v1/monitoring/offices", tag = "monitoring", request_body = OfficeBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses((status = 201, body = OfficeView), (status = 403, body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn register_office(
    app: web::Data<Monitoring>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<OfficeBody>,
) -> Result<HttpResponse, ApiError> {
    let registration = body.parse()?;
    let saved = app.register_office(&caller, registration, key.0).await?;
    let location = format!("/v1/monitoring/offices/{}", saved.state.id);
    Ok(aggregate_answer(
        Some(location),
        saved.revision,
        &OfficeView::new(&saved.state, saved.revision),
    ))
}

/// A labour-security office (劳动保障事务所), now or `as_of`: office staff
/// whose scope covers its county.
#[utoipa::path(get, path = "/v1/monitoring/offices/{id}", tag = "monitoring",
    params(("id" = String, Path, format = "uuid"), ("as_of" = Option<String>, Query, format = DateTime)),
    responses((status = 200, body = OfficeView), (status = 403, body = labex_web::Problem), (status = 404, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn get_office(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<LabourOfficeId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get_office(&caller, id.get(), as_of.0).await?;
    Ok(aggregate_answer(
        None,
        saved.revision,
        &OfficeView::new(&saved.state, saved.revision),
    ))
}

/// Designate a monitoring point (监测点) and the enterprises it follows.
#[utoipa::path(post, path = "/v1/monitoring/points", tag = "monitoring", request_body = PointBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses((status = 201, body = PointView), (status = 403, body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn designate_point(
    app: web::Data<Monitoring>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<PointBody>,
) -> Result<HttpResponse, ApiError> {
    let designation = body.parse()?;
    let saved = app.designate_point(&caller, designation, key.0).await?;
    let location = format!("/v1/monitoring/points/{}", saved.state.id);
    Ok(aggregate_answer(
        Some(location),
        saved.revision,
        &PointView::new(&saved.state, saved.revision),
    ))
}

/// A monitoring point, now or `as_of`.
#[utoipa::path(get, path = "/v1/monitoring/points/{id}", tag = "monitoring",
    params(("id" = String, Path, format = "uuid"), ("as_of" = Option<String>, Query, format = DateTime)),
    responses((status = 200, body = PointView), (status = 404, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn get_point(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<MonitoringPointId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get_point(&caller, id.get(), as_of.0).await?;
    Ok(aggregate_answer(
        None,
        saved.revision,
        &PointView::new(&saved.state, saved.revision),
    ))
}

/// Follow and unfollow enterprises at a point.
#[utoipa::path(post, path = "/v1/monitoring/points/{id}/enterprises", tag = "monitoring", request_body = FollowBody,
    params(("id" = String, Path, format = "uuid"), ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$")),
    responses((status = 200, body = PointView), (status = 404, body = labex_web::Problem), (status = 412, body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn change_followed(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<MonitoringPointId>,
    if_match: IfMatch,
    body: labex_web::Json<FollowBody>,
) -> Result<HttpResponse, ApiError> {
    let (follow, unfollow) = body.parse()?;
    let saved = app
        .change_followed(&caller, id.get(), follow, unfollow, if_match.revision())
        .await?;
    Ok(aggregate_answer(
        None,
        saved.revision,
        &PointView::new(&saved.state, saved.revision),
    ))
}

/// Coverage of monitoring points: per city the community platforms, per
/// county the labour-security offices designated, with deficits.
#[utoipa::path(get, path = "/v1/monitoring/coverage", tag = "monitoring",
    params(("region" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent")),
    responses((status = 200, body = CoverageView), (status = 403, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn coverage(
    app: web::Data<Monitoring>,
    caller: Caller,
    params: web::Query<RegionParams>,
) -> Result<HttpResponse, ApiError> {
    let region = params.region()?;
    let lines = app.coverage(&caller, region.clone()).await?;
    let shown = region.unwrap_or_else(|| caller.office.clone()).to_string();
    Ok(HttpResponse::Ok().json(CoverageView::new(shown, &lines)))
}

fn report_answer(
    saved: &labex_app::Saved<labex_domain::enterprise_report::EnterpriseReports>,
    period: Period,
    created: bool,
) -> Result<HttpResponse, ApiError> {
    let view = ReportView::new(&saved.state, period, saved.revision)
        .ok_or_else(|| ApiError::internal(&"the report just filed is not in the state"))?;
    let location = created.then(|| {
        format!(
            "/v1/monitoring/reports/{}/{}",
            saved.state.employer_id, period
        )
    });
    Ok(aggregate_answer(location, saved.revision, &view))
}

/// An enterprise's monthly report (headcount, hires, separations by
/// reason, operating / stopped / closed).
#[utoipa::path(post, path = "/v1/monitoring/reports", tag = "monitoring", request_body = ReportBody,
    responses((status = 201, body = ReportView), (status = 409, description = "already reported: send a correction", body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn submit_report(
    app: web::Data<Monitoring>,
    caller: Caller,
    body: labex_web::Json<ReportBody>,
) -> Result<HttpResponse, ApiError> {
    let filing = body.parse()?;
    let period = filing.period;
    let saved = app.file_report(&caller, filing, false).await?;
    report_answer(&saved, period, true)
}

/// A correction of a month already reported: a new event, the report
/// before it stays in the record.
#[utoipa::path(post, path = "/v1/monitoring/reports/corrections", tag = "monitoring", request_body = ReportBody,
    responses((status = 200, body = ReportView), (status = 404, description = "the month is not reported", body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn correct_report(
    app: web::Data<Monitoring>,
    caller: Caller,
    body: labex_web::Json<ReportBody>,
) -> Result<HttpResponse, ApiError> {
    let filing = body.parse()?;
    let period = filing.period;
    let saved = app.file_report(&caller, filing, true).await?;
    report_answer(&saved, period, false)
}

/// An enterprise's monthly report of one month, as last corrected: the
/// enterprise, or office staff whose scope covers it.
#[utoipa::path(get, path = "/v1/monitoring/reports/{id}/{period}", tag = "monitoring",
    params(("id" = String, Path, format = "uuid", description = "the employer"), ("period" = labex_web::Month, Path, description = "YYYY-MM")),
    responses((status = 200, body = ReportView), (status = 400, body = labex_web::Problem), (status = 403, body = labex_web::Problem), (status = 404, description = "the month is not reported", body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn get_report(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<EmployerId>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let period =
        Period::parse(request.match_info().get("period").unwrap_or_default()).map_err(|_| {
            ApiError::new(
                labex_web::ErrorCode::InvalidPath,
                "The month in the path must be written YYYY-MM, such as 2026-11; check the URL.",
            )
        })?;
    let saved = app.get_report(&caller, id.get(), period).await?;
    report_answer(&saved, period, false)
}

/// Followed enterprises that have not reported for a month (last month
/// when absent), with the day reports were due.
#[utoipa::path(get, path = "/v1/monitoring/missing", tag = "monitoring",
    params(("region" = Option<labex_web::DivisionCode>, Query), ("period" = Option<labex_web::Month>, Query, description = "YYYY-MM"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000)),
    responses((status = 200, body = MissingView), (status = 400, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn missing(
    app: web::Data<Monitoring>,
    caller: Caller,
    params: web::Query<RegionParams>,
) -> Result<HttpResponse, ApiError> {
    let (region, period, limit) = (params.region()?, params.period()?, params.limit()?);
    let shown = region
        .clone()
        .unwrap_or_else(|| caller.office.clone())
        .to_string();
    let missing = app.missing(&caller, region, period, limit).await?;
    Ok(HttpResponse::Ok().json(MissingView {
        region: shown,
        period: missing.period.to_string(),
        due_on: missing.due_on.to_string(),
        overdue: missing.overdue,
        total: missing.total,
        items: missing.items,
    }))
}

/// Returning migrant workers (返乡) of a month, by origin and intention.
#[utoipa::path(get, path = "/v1/monitoring/returns", tag = "monitoring",
    params(("region" = Option<labex_web::DivisionCode>, Query), ("period" = Option<labex_web::Month>, Query, description = "YYYY-MM; this month when absent")),
    responses((status = 200, body = ReturnsView)),
    security(("bearer" = [])))]
pub async fn returns(
    app: web::Data<Monitoring>,
    caller: Caller,
    params: web::Query<RegionParams>,
) -> Result<HttpResponse, ApiError> {
    let (region, period) = (params.region()?, params.period_or_this_month()?);
    let (region, rows) = app.returns(&caller, region, period).await?;
    let items: Vec<ReturnCount> = rows
        .into_iter()
        .map(|(from_region, intention, count)| ReturnCount {
            from_region,
            intention,
            count,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ReturnsView {
        region: region.to_string(),
        period: period.to_string(),
        total: items.iter().map(|item| item.count).sum(),
        items,
    }))
}

fn plan_answer(
    created: bool,
    saved: &labex_app::Saved<labex_domain::layoff::LayoffPlan>,
) -> HttpResponse {
    let location = created.then(|| format!("/v1/layoff-plans/{}", saved.state.id));
    aggregate_answer(
        location,
        saved.revision,
        &LayoffPlanView::new(&saved.state, saved.revision),
    )
}

/// Report a layoff plan (裁员预报); the answer says whether it is
/// `mandatory` and whether it came `late`.
#[utoipa::path(post, path = "/v1/layoff-plans", tag = "layoff-plans", request_body = LayoffPlanBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses((status = 201, body = LayoffPlanView), (status = 403, body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn report_plan(
    app: web::Data<Monitoring>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<LayoffPlanBody>,
) -> Result<HttpResponse, ApiError> {
    let filing = body.parse()?;
    let saved = app.report_layoff_plan(&caller, filing, key.0).await?;
    Ok(plan_answer(true, &saved))
}

/// A layoff plan, now or `as_of`.
#[utoipa::path(get, path = "/v1/layoff-plans/{id}", tag = "layoff-plans",
    params(("id" = String, Path, format = "uuid"), ("as_of" = Option<String>, Query, format = DateTime)),
    responses((status = 200, body = LayoffPlanView), (status = 404, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn get_plan(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<LayoffPlanId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get_layoff_plan(&caller, id.get(), as_of.0).await?;
    Ok(plan_answer(false, &saved))
}

/// Amend a layoff plan: only the fields sent change; an event on the same
/// plan.
#[utoipa::path(patch, path = "/v1/layoff-plans/{id}", tag = "layoff-plans", request_body = AmendPlanBody,
    params(("id" = String, Path, format = "uuid"), ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$")),
    responses((status = 200, body = LayoffPlanView), (status = 409, body = labex_web::Problem), (status = 412, body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn amend_plan(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<LayoffPlanId>,
    if_match: IfMatch,
    body: labex_web::Json<AmendPlanBody>,
) -> Result<HttpResponse, ApiError> {
    let changes = body.parse()?;
    let saved = app
        .amend_layoff_plan(&caller, id.get(), changes, if_match.revision())
        .await?;
    Ok(plan_answer(false, &saved))
}

/// Record how many people the plan laid off.
#[utoipa::path(post, path = "/v1/layoff-plans/{id}/outcome", tag = "layoff-plans", request_body = OutcomeBody,
    params(("id" = String, Path, format = "uuid"), ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$")),
    responses((status = 200, body = LayoffPlanView), (status = 409, body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn plan_outcome(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<LayoffPlanId>,
    if_match: IfMatch,
    body: labex_web::Json<OutcomeBody>,
) -> Result<HttpResponse, ApiError> {
    let laid_off = body.parse()?;
    let saved = app
        .record_layoff_outcome(&caller, id.get(), laid_off, if_match.revision())
        .await?;
    Ok(plan_answer(false, &saved))
}

/// The early-warning (失业预警) level of each region within `region`, with
/// the indicators and the rule behind it: each region's standing level —
/// the higher of the current month's level and the latest closed month's,
/// so that a warning stands until the month after the one that raised it
/// closes — or, with `period`, each region's level of that month.
#[utoipa::path(get, path = "/v1/warnings", tag = "warnings",
    params(
        ("region" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("period" = Option<labex_web::Month>, Query, description = "YYYY-MM: the levels of that month; the standing levels when absent"),
    ),
    responses((status = 200, body = WarningsView), (status = 400, body = labex_web::Problem, content_type = "application/problem+json"), (status = 403, body = labex_web::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn warnings(
    app: web::Data<Monitoring>,
    caller: Caller,
    params: web::Query<RegionParams>,
) -> Result<HttpResponse, ApiError> {
    let (region, period) = params.region_and_period()?;
    let region = region.unwrap_or_else(|| caller.office.clone());
    let rows = app.warnings(&caller, Some(region.clone()), period).await?;
    let items: Vec<WarningView> = rows.iter().map(WarningView::new).collect();
    let level = items
        .iter()
        .find(|item| item.region == region.as_str())
        .map_or("none", |item| item.level.as_str())
        .to_owned();
    Ok(HttpResponse::Ok().json(WarningsView {
        region: region.to_string(),
        period: period.map(|period| period.to_string()),
        level,
        items,
    }))
}

/// Open a wage-arrears case (欠薪): the employer and each worker owed.
#[utoipa::path(post, path = "/v1/wage-arrears", tag = "wage-arrears", request_body = CaseBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses((status = 201, body = CaseView), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn open_case(
    app: web::Data<Monitoring>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<CaseBody>,
) -> Result<HttpResponse, ApiError> {
    let opening = body.parse()?;
    let saved = app.open_arrears_case(&caller, opening, key.0).await?;
    let location = format!("/v1/wage-arrears/{}", saved.state.id);
    Ok(aggregate_answer(
        Some(location),
        saved.revision,
        &CaseView::new(&saved.state, saved.revision),
    ))
}

/// A wage-arrears case.
#[utoipa::path(get, path = "/v1/wage-arrears/{id}", tag = "wage-arrears",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, body = CaseView), (status = 404, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn get_case(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<WageArrearsCaseId>,
) -> Result<HttpResponse, ApiError> {
    let saved = app.get_case(&caller, id.get()).await?;
    Ok(aggregate_answer(
        None,
        saved.revision,
        &CaseView::new(&saved.state, saved.revision),
    ))
}

/// A step of a case: `mediation` (a session held), `payments` (what a
/// worker actually received; body `{jobseeker_id, amount_fen, paid_on}`),
/// `settlement` (every worker paid) or `transfer` (to labour inspection).
#[utoipa::path(post, path = "/v1/wage-arrears/{id}/{step}", tag = "wage-arrears",
    params(("id" = String, Path, format = "uuid"), ("step" = String, Path, description = "mediation, payments, settlement or transfer"), ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,19}\")$")),
    request_body = Option<PaymentBody>,
    responses((status = 200, body = CaseView), (status = 404, body = labex_web::Problem), (status = 409, body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn case_step(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<WageArrearsCaseId>,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let today = china_date(Utc::now());
    let command = match path.1.as_str() {
        "mediation" => WageArrearsCommand::Mediate { held_on: today },
        "settlement" => WageArrearsCommand::Settle { on: today },
        "transfer" => WageArrearsCommand::Transfer { on: today },
        "payments" => labex_web::from_json_slice::<PaymentBody>(&body)
            .map_err(|error| {
                ApiError::new(
                    labex_web::ErrorCode::InvalidBody,
                    format!(
                        "The body must be a payment {{jobseeker_id, amount_fen, paid_on}}: {error}."
                    ),
                )
            })?
            .parse(today)?,
        _ => {
            return Err(ApiError::new(
                labex_web::ErrorCode::NotFound,
                "A case's steps are mediation, payments, settlement and transfer.",
            ));
        }
    };
    let saved = app
        .act_on_case(&caller, id.get(), command, if_match.revision())
        .await?;
    Ok(aggregate_answer(
        None,
        saved.revision,
        &CaseView::new(&saved.state, saved.revision),
    ))
}

/// Whether an employer has an open wage-arrears case: the mark staff see
/// on its vacancies and referrals.
#[utoipa::path(get, path = "/v1/employers/{id}/arrears-status", tag = "wage-arrears",
    params(("id" = String, Path, format = "uuid")),
    responses((status = 200, body = ArrearsStatusView), (status = 404, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn arrears_status(
    app: web::Data<Monitoring>,
    caller: Caller,
    id: Id<EmployerId>,
) -> Result<HttpResponse, ApiError> {
    let (open_cases, owed_fen, paid_fen) = app.arrears_status(&caller, id.get()).await?;
    Ok(HttpResponse::Ok().json(ArrearsStatusView {
        employer_id: id.get().to_string(),
        marked: open_cases > 0,
        open_cases,
        owed_fen,
        paid_fen,
    }))
}

fn wants_csv(request: &HttpRequest, params: &web::Query<FormatParams>) -> bool {
    params.format.as_deref() == Some("csv")
        || request
            .headers()
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv"))
}

/// `?format=csv`.
#[derive(Debug, Deserialize)]
pub struct FormatParams {
    format: Option<String>,
}

/// A region's figures of a month, from the events recorded so far; JSON,
/// or CSV (`Accept: text/csv` or `?format=csv`).
#[utoipa::path(get, path = "/v1/reports/monthly", tag = "reports",
    params(("region" = Option<labex_web::DivisionCode>, Query), ("period" = Option<labex_web::Month>, Query, description = "YYYY-MM; this month when absent"), ("format" = Option<String>, Query, description = "csv")),
    responses((status = 200, body = MonthlyReportView, description = "JSON, or text/csv with the header region,period,figure,value,label and one line per figure (label: its Chinese name)")),
    security(("bearer" = [])))]
pub async fn monthly_report(
    app: web::Data<Monitoring>,
    caller: Caller,
    request: HttpRequest,
    params: web::Query<RegionParams>,
    format: web::Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let region = params.region()?.unwrap_or_else(|| caller.office.clone());
    let period = params.period_or_this_month()?;
    let figures = app.monthly_figures(&caller, region, period).await?;
    if wants_csv(&request, &format) {
        let mut csv = String::from("region,period,figure,value,label\n");
        for name in FIGURES {
            let value = figures.figures.get(name).copied().unwrap_or(0);
            csv.push_str(&format!(
                "{},{},{name},{value},{}\n",
                figures.region,
                figures.period,
                figure_label(name)
            ));
        }
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(csv));
    }
    Ok(HttpResponse::Ok().json(MonthlyReportView {
        region: figures.region.to_string(),
        period: figures.period.to_string(),
        warning_level: figures.warning_level,
        figures: figures.figures,
    }))
}

/// Submit a region's figures of a month to the province: an event; a
/// later submission shows how it differs from the one before.
#[utoipa::path(post, path = "/v1/reports/monthly/submissions", tag = "reports", request_body = SubmissionBody,
    responses((status = 200, body = SubmissionView), (status = 403, body = labex_web::Problem), (status = 422, body = labex_web::Problem)),
    security(("bearer" = [])))]
pub async fn submit_monthly(
    app: web::Data<Monitoring>,
    caller: Caller,
    body: labex_web::Json<SubmissionBody>,
) -> Result<HttpResponse, ApiError> {
    let (region, period) = body.parse(&caller.office)?;
    let saved = app.submit_monthly_report(&caller, region, period).await?;
    Ok(aggregate_answer(
        None,
        saved.revision,
        &SubmissionView::from_report(&saved.state),
    ))
}

/// Which regions within `region` have submitted a month, with their
/// latest figures and differences.
#[utoipa::path(get, path = "/v1/reports/monthly/submissions", tag = "reports",
    params(("region" = Option<labex_web::DivisionCode>, Query), ("period" = Option<labex_web::Month>, Query, description = "YYYY-MM; this month when absent")),
    responses((status = 200, body = SubmissionsView)),
    security(("bearer" = [])))]
pub async fn list_submissions(
    app: web::Data<Monitoring>,
    caller: Caller,
    params: web::Query<RegionParams>,
) -> Result<HttpResponse, ApiError> {
    let region = params.region()?.unwrap_or_else(|| caller.office.clone());
    let period = params.period_or_this_month()?;
    let rows = app
        .submissions(&caller, Some(region.clone()), period)
        .await?;
    Ok(HttpResponse::Ok().json(SubmissionsView {
        region: region.to_string(),
        period: period.to_string(),
        items: rows.iter().map(SubmissionView::from_row).collect(),
    }))
}
