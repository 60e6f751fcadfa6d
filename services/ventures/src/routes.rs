//! The HTTP handlers of ventures: each extracts the caller and a typed
//! command, calls one use case of [`Ventures`], and renders its answer.

use actix_web::{HttpResponse, web};
use labex_app::Saved;
use labex_domain::loan::{Loan, LoanId};
use labex_domain::value::DivisionCode;
use labex_domain::venture_case::{CaseStage, VentureCase, VentureCaseId};
use labex_domain::venture_project::{VentureProject, VentureProjectId};
use labex_web::{ApiError, AsOf, Caller, Id, IdempotencyKeyHeader, Page, aggregate_answer};
use serde::Deserialize;

use crate::case_list::CaseQuery;
use crate::commands::{CaseChange, LoanChange, Ventures};
use crate::loan_list::LoanQuery;
use crate::read_model::{ProjectQuery, words};
use crate::requests::{
    BusinessBody, DefaultBody, DisbursementBody, FollowUpBody, GuaranteeBody, LoanBody,
    OpenCaseBody, ProjectBody, RegistrationBody, RepaymentBody, ReviewBody, StageBody, day,
};
use crate::views::{CaseList, CaseView, LoanList, LoanView, ProjectSearchResults, ProjectView};

/// Mounts the routes (the search before `/v1/ventures/projects/{id}`).
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/v1/ventures/projects").route(web::post().to(list_project)))
        .service(
            web::resource("/v1/ventures/projects/search").route(web::get().to(search_projects)),
        )
        .service(web::resource("/v1/ventures/projects/{id}").route(web::get().to(get_project)))
        .service(
            web::resource("/v1/ventures/projects/{id}/withdrawal")
                .route(web::post().to(withdraw_project)),
        )
        .service(
            web::resource("/v1/ventures/cases")
                .route(web::post().to(open_case))
                .route(web::get().to(list_cases)),
        )
        .service(web::resource("/v1/ventures/cases/{id}").route(web::get().to(get_case)))
        .service(
            web::resource("/v1/ventures/cases/{id}/stages").route(web::post().to(advance_case)),
        )
        .service(
            web::resource("/v1/ventures/cases/{id}/business").route(web::post().to(start_business)),
        )
        .service(
            web::resource("/v1/ventures/cases/{id}/business/registration")
                .route(web::post().to(register_business)),
        )
        .service(
            web::resource("/v1/ventures/cases/{id}/follow-ups").route(web::post().to(follow_up)),
        )
        .service(
            web::resource("/v1/ventures/loans")
                .route(web::post().to(apply_for_loan))
                .route(web::get().to(list_loans)),
        )
        .service(web::resource("/v1/ventures/loans/{id}").route(web::get().to(get_loan)))
        .service(web::resource("/v1/ventures/loans/{id}/review").route(web::post().to(review_loan)))
        .service(
            web::resource("/v1/ventures/loans/{id}/guarantee")
                .route(web::post().to(guarantee_loan)),
        )
        .service(
            web::resource("/v1/ventures/loans/{id}/disbursement")
                .route(web::post().to(disburse_loan)),
        )
        .service(
            web::resource("/v1/ventures/loans/{id}/repayments").route(web::post().to(repay_loan)),
        )
        .service(
            web::resource("/v1/ventures/loans/{id}/default").route(web::post().to(default_loan)),
        );
}

fn project_answer(created: bool, saved: &Saved<VentureProject>) -> HttpResponse {
    let location = created.then(|| format!("/v1/ventures/projects/{}", saved.state.id));
    aggregate_answer(
        location,
        saved.revision,
        &ProjectView::new(&saved.state, saved.revision),
    )
}

fn case_answer(created: bool, saved: &Saved<VentureCase>) -> HttpResponse {
    let location = created.then(|| format!("/v1/ventures/cases/{}", saved.state.id));
    aggregate_answer(
        location,
        saved.revision,
        &CaseView::new(&saved.state, saved.revision),
    )
}

fn loan_answer(created: bool, saved: &Saved<Loan>) -> HttpResponse {
    let location = created.then(|| format!("/v1/ventures/loans/{}", saved.state.id));
    aggregate_answer(
        location,
        saved.revision,
        &LoanView::new(&saved.state, saved.revision),
    )
}

/// List a project in the library (创业项目库).
#[utoipa::path(
    post, path = "/v1/ventures/projects", tag = "ventures", request_body = ProjectBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "listed", body = ProjectView),
        (status = 401, description = "no or bad token", body = labex_web::Problem),
        (status = 403, description = "not office staff in scope", body = labex_web::Problem),
        (status = 422, description = "invalid fields", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn list_project(
    app: web::Data<Ventures>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<ProjectBody>,
) -> Result<HttpResponse, ApiError> {
    let listing = body.parse()?;
    let saved = app.list_project(&caller, listing, key.0).await?;
    Ok(project_answer(true, &saved))
}

/// A project of the library: public.
#[utoipa::path(
    get, path = "/v1/ventures/projects/{id}", tag = "ventures",
    params(("id" = String, Path, format = "uuid", description = "project id"), ("as_of" = Option<String>, Query, format = DateTime, description = "RFC 3339 moment")),
    responses((status = 200, description = "the project", body = ProjectView), (status = 404, description = "no such project", body = labex_web::Problem))
)]
pub async fn get_project(
    app: web::Data<Ventures>,
    id: Id<VentureProjectId>,
    as_of: AsOf,
) -> Result<HttpResponse, ApiError> {
    Ok(project_answer(
        false,
        &app.get_project(id.get(), as_of.0).await?,
    ))
}

/// Withdraw a project from the library.
#[utoipa::path(
    post, path = "/v1/ventures/projects/{id}/withdrawal", tag = "ventures",
    params(("id" = String, Path, format = "uuid", description = "project id")),
    responses((status = 200, description = "withdrawn", body = ProjectView), (status = 403, description = "not office staff in scope", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn withdraw_project(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<VentureProjectId>,
) -> Result<HttpResponse, ApiError> {
    Ok(project_answer(
        false,
        &app.withdraw_project(&caller, id.get()).await?,
    ))
}

/// `GET /v1/ventures/projects/search` parameters.
#[derive(Debug, Deserialize)]
pub struct ProjectSearchParams {
    q: Option<String>,
    industry: Option<String>,
    region: Option<String>,
    budget_yuan: Option<u32>,
    investment_at_least_yuan: Option<u32>,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl ProjectSearchParams {
    fn parse(&self) -> Result<ProjectQuery, ApiError> {
        let q = self.q.as_deref().unwrap_or("").trim();
        if q.chars().count() > 200 {
            return Err(ApiError::invalid_query("q must be at most 200 characters."));
        }
        let region = self
            .region
            .as_deref()
            .map(DivisionCode::parse)
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query("region must be a six-digit administrative division code.")
            })?;
        let limit = self.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) || self.offset.unwrap_or(0) > 10_000 {
            return Err(ApiError::invalid_query(
                "limit must be 1 to 100 and offset at most 10000.",
            ));
        }
        Ok(ProjectQuery {
            words: words(q),
            industry: self.industry.clone().filter(|text| !text.trim().is_empty()),
            region_prefix: region.map(|region| region.scope_prefix().to_owned()),
            budget_yuan: self.budget_yuan,
            investment_at_least_yuan: self.investment_at_least_yuan,
            limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// Search the project library: words analysed as vacancies' are (those
/// with every word in their title first, then the rest, each newest
/// first), filtered by industry, region (its scope) and investment; public.
#[utoipa::path(
    get, path = "/v1/ventures/projects/search", tag = "ventures",
    params(
        ("q" = Option<String>, Query, description = "words; all must match"),
        ("industry" = Option<String>, Query, description = "an industry"),
        ("region" = Option<labex_web::DivisionCode>, Query, description = "division code; projects within its scope"),
        ("budget_yuan" = Option<u32>, Query, format = Int64, minimum = 0, maximum = 4_294_967_295.0, description = "projects whose least investment is at most this"),
        ("investment_at_least_yuan" = Option<u32>, Query, format = Int64, minimum = 0, maximum = 4_294_967_295.0, description = "projects whose most investment is at least this"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "hits per page, at most 100"),
        ("offset" = Option<u32>, Query, maximum = 10000, description = "hits to skip, at most 10,000"),
    ),
    responses((status = 200, description = "the projects found", body = ProjectSearchResults), (status = 400, description = "bad parameters", body = labex_web::Problem))
)]
pub async fn search_projects(
    app: web::Data<Ventures>,
    params: web::Query<ProjectSearchParams>,
) -> Result<HttpResponse, ApiError> {
    let (counted, found) = app.search_projects(params.parse()?).await?;
    Ok(HttpResponse::Ok().json(ProjectSearchResults::new(counted, found)))
}

/// Open a one-stop service case (一条龙服务) for a person.
#[utoipa::path(
    post, path = "/v1/ventures/cases", tag = "ventures", request_body = OpenCaseBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "opened", body = CaseView),
        (status = 403, description = "not staff covering the person's office", body = labex_web::Problem),
        (status = 422, description = "invalid fields or an unknown job seeker", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn open_case(
    app: web::Data<Ventures>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<OpenCaseBody>,
) -> Result<HttpResponse, ApiError> {
    let (jobseeker_id, on) = body.parse()?;
    Ok(case_answer(
        true,
        &app.open_case(&caller, jobseeker_id, on, key.0).await?,
    ))
}

/// `GET /v1/ventures/cases` parameters.
#[derive(Debug, Deserialize)]
pub struct CaseListParams {
    jobseeker_id: Option<String>,
    office: Option<String>,
    stage: Option<String>,
    following_on: Option<String>,
}

impl CaseListParams {
    fn parse(&self) -> Result<(Option<DivisionCode>, CaseQuery), ApiError> {
        let office = self
            .office
            .as_deref()
            .map(DivisionCode::parse)
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query("office must be a six-digit administrative division code.")
            })?;
        let person = self
            .jobseeker_id
            .as_deref()
            .map(labex_domain::JobSeekerId::parse)
            .transpose()
            .map_err(|_| ApiError::invalid_query("jobseeker_id must be a job-seeker id."))?;
        let stage = match self.stage.as_deref() {
            None => None,
            Some(text) => Some(CaseStage::parse(text).ok_or_else(|| {
                ApiError::invalid_query(
                    "stage must be consultation, training, business_plan, risk_assessment, financing, started or follow_up.",
                )
            })?),
        };
        let following_on = self
            .following_on
            .as_deref()
            .map(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d"))
            .transpose()
            .map_err(|_| ApiError::invalid_query("following_on must be a day, YYYY-MM-DD."))?;
        let query = CaseQuery {
            jobseeker_id: person.map(|id| id.to_string()),
            office_prefix: None,
            stage: stage.map(|stage| stage.as_str().to_owned()),
            following_on: following_on.map(|day| day.to_string()),
        };
        Ok((office, query))
    }
}

/// One-stop cases, newest first: staff list their scope's (or an
/// office's within it), optionally one person's, one stage's, or those in
/// follow-up on a day; a job seeker lists their own.
#[utoipa::path(
    get, path = "/v1/ventures/cases", tag = "ventures",
    params(
        ("jobseeker_id" = Option<String>, Query, format = "uuid", description = "a job-seeker id"),
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code within the caller's scope; the caller's when absent"),
        ("stage" = Option<labex_web::CaseStageName>, Query, description = "the stage reached last"),
        ("following_on" = Option<labex_web::Day>, Query, description = "YYYY-MM-DD: businesses started and still followed up that day"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses((status = 200, description = "the cases", body = CaseList), (status = 400, description = "bad parameters", body = labex_web::Problem), (status = 403, description = "out of scope, or another person's cases", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn list_cases(
    app: web::Data<Ventures>,
    caller: Caller,
    page: Page,
    params: web::Query<CaseListParams>,
) -> Result<HttpResponse, ApiError> {
    let (office, query) = params.parse()?;
    let listed = app
        .list_cases(&caller, office, query, page.list_page())
        .await?;
    Ok(HttpResponse::Ok().json(CaseList::new(listed)))
}

/// A case: staff in scope and the person.
#[utoipa::path(
    get, path = "/v1/ventures/cases/{id}", tag = "ventures",
    params(("id" = String, Path, format = "uuid", description = "case id")),
    responses((status = 200, description = "the case", body = CaseView), (status = 403, description = "neither staff in scope nor the person", body = labex_web::Problem), (status = 404, description = "no such case", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn get_case(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<VentureCaseId>,
) -> Result<HttpResponse, ApiError> {
    Ok(case_answer(false, &app.get_case(&caller, id.get()).await?))
}

/// A later stage reached: training, business_plan, risk_assessment or financing.
#[utoipa::path(
    post, path = "/v1/ventures/cases/{id}/stages", tag = "ventures", request_body = StageBody,
    params(("id" = String, Path, format = "uuid", description = "case id")),
    responses((status = 200, description = "reached", body = CaseView), (status = 409, description = "not a later stage", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn advance_case(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<VentureCaseId>,
    body: labex_web::Json<StageBody>,
) -> Result<HttpResponse, ApiError> {
    let (stage, on) = body.parse()?;
    Ok(case_answer(
        false,
        &app.change_case(&caller, id.get(), CaseChange::Advance(stage, on))
            .await?,
    ))
}

/// The business started (with its credit code once registered); it is
/// followed up for the rules' months.
#[utoipa::path(
    post, path = "/v1/ventures/cases/{id}/business", tag = "ventures", request_body = BusinessBody,
    params(("id" = String, Path, format = "uuid", description = "case id")),
    responses((status = 200, description = "started", body = CaseView), (status = 409, description = "started already", body = labex_web::Problem), (status = 422, description = "invalid fields", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn start_business(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<VentureCaseId>,
    body: labex_web::Json<BusinessBody>,
) -> Result<HttpResponse, ApiError> {
    let start = body.parse()?;
    Ok(case_answer(
        false,
        &app.change_case(&caller, id.get(), CaseChange::Start(start))
            .await?,
    ))
}

/// The started business registered (工商登记) with its credit code; the
/// same code again changes nothing.
#[utoipa::path(
    post, path = "/v1/ventures/cases/{id}/business/registration", tag = "ventures", request_body = RegistrationBody,
    params(("id" = String, Path, format = "uuid", description = "case id")),
    responses((status = 200, description = "registered", body = CaseView), (status = 409, description = "not started, or registered under another code", body = labex_web::Problem), (status = 422, description = "invalid fields, or a day before the start", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn register_business(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<VentureCaseId>,
    body: labex_web::Json<RegistrationBody>,
) -> Result<HttpResponse, ApiError> {
    let (code, on) = body.parse()?;
    Ok(case_answer(
        false,
        &app.change_case(&caller, id.get(), CaseChange::Register(code, on))
            .await?,
    ))
}

/// A follow-up of a started business.
#[utoipa::path(
    post, path = "/v1/ventures/cases/{id}/follow-ups", tag = "ventures", request_body = FollowUpBody,
    params(("id" = String, Path, format = "uuid", description = "case id")),
    responses((status = 200, description = "recorded", body = CaseView), (status = 409, description = "not started, or the follow-up period ended", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn follow_up(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<VentureCaseId>,
    body: labex_web::Json<FollowUpBody>,
) -> Result<HttpResponse, ApiError> {
    let on = day("on", &body.on)?;
    let change = CaseChange::FollowUp {
        on,
        operating: body.operating,
        employees: body.employees,
    };
    Ok(case_answer(
        false,
        &app.change_case(&caller, id.get(), change).await?,
    ))
}

/// Apply for a guaranteed small loan (小额担保贷款): the borrower, or staff
/// covering the borrower's office.
#[utoipa::path(
    post, path = "/v1/ventures/loans", tag = "ventures", request_body = LoanBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes a retry safe")),
    responses(
        (status = 201, description = "applied", body = LoanView),
        (status = 403, description = "neither the borrower nor staff in scope", body = labex_web::Problem),
        (status = 422, description = "invalid fields, an amount above the cap, a term too long", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn apply_for_loan(
    app: web::Data<Ventures>,
    caller: Caller,
    key: IdempotencyKeyHeader,
    body: labex_web::Json<LoanBody>,
) -> Result<HttpResponse, ApiError> {
    let application = body.parse()?;
    Ok(loan_answer(
        true,
        &app.apply_for_loan(&caller, application, key.0).await?,
    ))
}

/// `GET /v1/ventures/loans` parameters.
#[derive(Debug, Deserialize)]
pub struct LoanListParams {
    borrower: Option<String>,
    office: Option<String>,
    status: Option<String>,
}

impl LoanListParams {
    fn parse(&self) -> Result<(Option<DivisionCode>, LoanQuery), ApiError> {
        let office = self
            .office
            .as_deref()
            .map(DivisionCode::parse)
            .transpose()
            .map_err(|_| {
                ApiError::invalid_query("office must be a six-digit administrative division code.")
            })?;
        let borrower = self
            .borrower
            .as_deref()
            .map(labex_domain::JobSeekerId::parse)
            .transpose()
            .map_err(|_| ApiError::invalid_query("borrower must be a job-seeker id."))?;
        let statuses = [
            "applied",
            "rejected",
            "approved",
            "guaranteed",
            "disbursed",
            "repaid",
            "defaulted",
        ];
        if let Some(status) = &self.status
            && !statuses.contains(&status.as_str())
        {
            return Err(ApiError::invalid_query(
                "status must be applied, rejected, approved, guaranteed, disbursed, repaid or defaulted.",
            ));
        }
        let query = LoanQuery {
            borrower: borrower.map(|id| id.to_string()),
            office_prefix: None,
            status: self.status.clone(),
        };
        Ok((office, query))
    }
}

/// The loan register, newest first: staff list their scope's (or an
/// office's within it), optionally one borrower's or one status; a job
/// seeker lists their own.
#[utoipa::path(
    get, path = "/v1/ventures/loans", tag = "ventures",
    params(
        ("borrower" = Option<String>, Query, format = "uuid", description = "a job-seeker id"),
        ("office" = Option<labex_web::DivisionCode>, Query, description = "division code within the caller's scope; the caller's when absent"),
        ("status" = Option<labex_web::LoanStatusName>, Query, description = "applied, rejected, approved, guaranteed, disbursed, repaid or defaulted"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "page size, at most 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses((status = 200, description = "the loans", body = LoanList), (status = 400, description = "bad parameters", body = labex_web::Problem), (status = 403, description = "out of scope, or another person's loans", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn list_loans(
    app: web::Data<Ventures>,
    caller: Caller,
    page: Page,
    params: web::Query<LoanListParams>,
) -> Result<HttpResponse, ApiError> {
    let (office, query) = params.parse()?;
    let listed = app
        .list_loans(&caller, office, query, page.list_page())
        .await?;
    Ok(HttpResponse::Ok().json(LoanList::new(listed)))
}

/// A loan: staff in scope and the borrower.
#[utoipa::path(
    get, path = "/v1/ventures/loans/{id}", tag = "ventures",
    params(("id" = String, Path, format = "uuid", description = "loan id")),
    responses((status = 200, description = "the loan", body = LoanView), (status = 403, description = "neither staff in scope nor the borrower", body = labex_web::Problem), (status = 404, description = "no such loan", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn get_loan(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<LoanId>,
) -> Result<HttpResponse, ApiError> {
    Ok(loan_answer(false, &app.get_loan(&caller, id.get()).await?))
}

/// The office's review of a loan.
#[utoipa::path(
    post, path = "/v1/ventures/loans/{id}/review", tag = "ventures", request_body = ReviewBody,
    params(("id" = String, Path, format = "uuid", description = "loan id")),
    responses((status = 200, description = "reviewed", body = LoanView), (status = 409, description = "not awaiting review", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn review_loan(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<LoanId>,
    body: labex_web::Json<ReviewBody>,
) -> Result<HttpResponse, ApiError> {
    let (decision, on) = body.parse()?;
    Ok(loan_answer(
        false,
        &app.change_loan(&caller, id.get(), LoanChange::Review(decision, on))
            .await?,
    ))
}

/// The guarantee fund's approval of its guarantee.
#[utoipa::path(
    post, path = "/v1/ventures/loans/{id}/guarantee", tag = "ventures", request_body = GuaranteeBody,
    params(("id" = String, Path, format = "uuid", description = "loan id")),
    responses((status = 200, description = "guaranteed", body = LoanView), (status = 409, description = "not approved", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn guarantee_loan(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<LoanId>,
    body: labex_web::Json<GuaranteeBody>,
) -> Result<HttpResponse, ApiError> {
    let (fund, on) = body.parse()?;
    Ok(loan_answer(
        false,
        &app.change_loan(&caller, id.get(), LoanChange::Guarantee(fund, on))
            .await?,
    ))
}

/// The disbursement, at an annual rate; the treasury's share of the
/// interest (贴息) is the rules'.
#[utoipa::path(
    post, path = "/v1/ventures/loans/{id}/disbursement", tag = "ventures", request_body = DisbursementBody,
    params(("id" = String, Path, format = "uuid", description = "loan id")),
    responses((status = 200, description = "disbursed", body = LoanView), (status = 409, description = "not guaranteed", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn disburse_loan(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<LoanId>,
    body: labex_web::Json<DisbursementBody>,
) -> Result<HttpResponse, ApiError> {
    let on = day("on", &body.on)?;
    Ok(loan_answer(
        false,
        &app.change_loan(
            &caller,
            id.get(),
            LoanChange::Disburse(on, body.annual_rate_bp),
        )
        .await?,
    ))
}

/// An instalment: principal repaid; the interest since the last one is
/// computed and split between the borrower and the treasury. The last
/// one repays the loan (early or on time).
#[utoipa::path(
    post, path = "/v1/ventures/loans/{id}/repayments", tag = "ventures", request_body = RepaymentBody,
    params(("id" = String, Path, format = "uuid", description = "loan id")),
    responses((status = 200, description = "recorded", body = LoanView), (status = 409, description = "not being repaid", body = labex_web::Problem), (status = 422, description = "more than is outstanding, or a day before the last", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn repay_loan(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<LoanId>,
    body: labex_web::Json<RepaymentBody>,
) -> Result<HttpResponse, ApiError> {
    let (principal, on) = body.parse()?;
    Ok(loan_answer(
        false,
        &app.change_loan(&caller, id.get(), LoanChange::Repay(principal, on))
            .await?,
    ))
}

/// The loan defaulted; the guarantee fund's payout is recorded.
#[utoipa::path(
    post, path = "/v1/ventures/loans/{id}/default", tag = "ventures", request_body = DefaultBody,
    params(("id" = String, Path, format = "uuid", description = "loan id")),
    responses((status = 200, description = "defaulted", body = LoanView), (status = 409, description = "not being repaid", body = labex_web::Problem), (status = 422, description = "a payout above what is outstanding", body = labex_web::Problem)),
    security(("bearer" = []))
)]
pub async fn default_loan(
    app: web::Data<Ventures>,
    caller: Caller,
    id: Id<LoanId>,
    body: labex_web::Json<DefaultBody>,
) -> Result<HttpResponse, ApiError> {
    let (payout, on) = body.parse()?;
    Ok(loan_answer(
        false,
        &app.change_loan(&caller, id.get(), LoanChange::Default(payout, on))
            .await?,
    ))
}
