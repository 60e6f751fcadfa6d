//! Entrepreneurship services (创业促就业): the project library (创业项目库)
//! with search in Chinese and English and filters by industry, region and
//! investment; one-stop service cases (一条龙服务) from consultation to a
//! started business followed up for twelve months; and guaranteed small
//! loans (小额担保贷款) from application through review, guarantee and
//! disbursement to repayment by instalments — the interest split between
//! the borrower and the treasury's subsidy (贴息) — or default with the
//! guarantee fund's payout.
//!
//! Commands go through the [`Repository`](labex_eventsourcing::Repository)
//! to `ventureproject-<uuid>`, `venturecase-<uuid>` and `loan-<uuid>`
//! streams. Three SQLite read models are written from the folded states:
//! the project search (`<data>/ventures/readmodel.sqlite`, decision 070),
//! the loan register (`loans.sqlite`) and the case list (`cases.sqlite`);
//! a write is answered once its read model shows it. A case or a loan is
//! read from its stream by staff whose scope covers the person's office
//! and by the person themself; no personal data is kept here (decision
//! 071). The rules (`<data>/ventures/rules.json`): the loan cap, the
//! treasury's share of the interest, the longest term, the categories
//! exempt from collateral, the months of follow-up. Mounted by `labex`, or
//! run alone as `labex-ventures`.

pub mod case_list;
mod commands;
pub mod loan_list;
mod queries;
pub mod read_model;
mod requests;
mod routes;
mod settled;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_web::{ReadinessCheck, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use commands::{CaseChange, LoanChange, READ_MODEL_FILE, Ventures, VenturesRules};
pub use requests::{
    BusinessBody, BusinessStart, DefaultBody, DisbursementBody, FollowUpBody, GuaranteeBody,
    LoanApplication, LoanBody, OpenCaseBody, ProjectBody, ProjectListing, RegistrationBody,
    RepaymentBody, ReviewBody, StageBody,
};
pub use settled::{HeldRunner, SEARCH_WAIT};
pub use views::{
    BusinessView, CaseList, CaseRow, CaseView, FollowUpView, InstalmentView, LoanList, LoanRow,
    LoanView, ProjectHit, ProjectSearchResults, ProjectView, StageView,
};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "ventures";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::list_project,
        routes::search_projects,
        routes::get_project,
        routes::withdraw_project,
        routes::open_case,
        routes::list_cases,
        routes::get_case,
        routes::advance_case,
        routes::start_business,
        routes::register_business,
        routes::follow_up,
        routes::apply_for_loan,
        routes::list_loans,
        routes::get_loan,
        routes::review_loan,
        routes::guarantee_loan,
        routes::disburse_loan,
        routes::repay_loan,
        routes::default_loan,
    ),
    components(schemas(
        ProjectBody, OpenCaseBody, StageBody, BusinessBody, RegistrationBody, FollowUpBody, LoanBody, ReviewBody,
        GuaranteeBody, DisbursementBody, RepaymentBody, DefaultBody, ProjectView, ProjectHit,
        ProjectSearchResults, CaseView, StageView, BusinessView, FollowUpView, LoanView,
        InstalmentView, LoanList, LoanRow, CaseList, CaseRow,
    )),
    tags((name = "ventures", description = "entrepreneurship (创业): the project library, one-stop cases, guaranteed small loans (小额担保贷款)"))
)]
struct ApiDoc;

/// The running service.
pub struct VenturesService {
    app: web::Data<Ventures>,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl VenturesService {
    /// Opens its read model and rules under `<data>/ventures/` and starts
    /// the project projection.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the ventures folder")?;
        let app = Ventures::open(context.repository.clone(), &folder)
            .map_err(std::io::Error::other)
            .starting("cannot open the ventures read model or rules")?;
        let checks: Vec<Arc<dyn ReadinessCheck>> = vec![
            Arc::new(app.runner().clone()),
            Arc::new(app.loan_runner().clone()),
            Arc::new(app.case_runner().clone()),
        ];
        Ok(Self {
            app: web::Data::new(app),
            checks,
        })
    }

    /// The application its handlers call.
    pub fn app(&self) -> &Ventures {
        &self.app
    }
}

impl Service for VenturesService {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure(&self, config: &mut web::ServiceConfig) {
        config.app_data(self.app.clone());
        routes::configure(config);
    }

    fn openapi(&self) -> OpenApi {
        ApiDoc::openapi()
    }

    fn readiness(&self) -> Vec<Arc<dyn ReadinessCheck>> {
        self.checks.clone()
    }

    fn stop(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.app.runner().stop().await;
            self.app.loan_runner().stop().await;
            self.app.case_runner().stop().await;
        })
    }
}
