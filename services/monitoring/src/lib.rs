//! Monitoring (就业失业监测) and what follows from it: the labour-security
//! offices (劳动保障事务所) and monitoring points (监测点) with the
//! enterprises each follows, and the notice's coverage rule; enterprises'
//! monthly reports (corrected by new events, never overwritten) and who
//! has not reported; layoff pre-reports (裁员预报) with `mandatory` and
//! `late`; early warning (失业预警) by rules kept as data; returning
//! migrant workers (返乡) counted by origin and intention; wage-arrears
//! cases (欠薪) and the mark of an employer with an open one; a region's
//! monthly figures and their submission to the province; and the
//! dashboard page.
//!
//! The use cases are [`Monitoring`]'s (`commands.rs`, `queries.rs`); the
//! handlers extract, call one and render. One projection
//! (`read_model.rs`) follows the events of every context it counts into
//! `<data>/monitoring/readmodel.sqlite`, keeping per region and month the
//! indicators; the [`Assessor`](assessor::Assessor) — a task beside it —
//! assesses each region and month whose indicators changed and records a
//! `WarningLevelChanged` when the month's level or the region's standing
//! level (the higher of the current and the latest closed month's,
//! decision 098) moves. The rules are
//! `<data>/monitoring/rules.json` ([`MonitoringRules`]), the notice's
//! values when absent. Mounted by `labex`, or run alone as
//! `labex-monitoring`.

pub mod assessor;
mod commands;
mod dashboard;
mod feed;
mod queries;
pub mod read_model;
mod requests;
mod routes;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_web::{ReadinessCheck, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use assessor::Assessor;
pub use commands::{
    CaseOpening, Monitoring, MonitoringRules, OfficeRegistration, PlanFiling, PointDesignation,
    ReportFiling,
};
pub use queries::{FIGURES, Missing, MonthlyFigures};
pub use requests::{
    AmendPlanBody, CaseBody, FollowBody, LayoffPlanBody, OfficeBody, OutcomeBody, PaymentBody,
    PointBody, ReportBody, SubmissionBody,
};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "monitoring";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::register_office,
        routes::get_office,
        routes::designate_point,
        routes::get_point,
        routes::change_followed,
        routes::coverage,
        routes::submit_report,
        routes::correct_report,
        routes::get_report,
        routes::missing,
        routes::returns,
        routes::report_plan,
        routes::get_plan,
        routes::amend_plan,
        routes::plan_outcome,
        routes::warnings,
        feed::feed,
        routes::open_case,
        routes::get_case,
        routes::case_step,
        routes::arrears_status,
        routes::monthly_report,
        routes::submit_monthly,
        routes::list_submissions,
    ),
    components(schemas(
        OfficeBody, PointBody, FollowBody, ReportBody, requests::SeparationsBody, LayoffPlanBody,
        AmendPlanBody, OutcomeBody, CaseBody, requests::WorkerBody, PaymentBody, SubmissionBody,
        views::OfficeView, views::PointView, views::CoverageView, views::CoverageLineView,
        views::ReportView, views::MissingView, read_model::MissingReport, views::LayoffPlanView,
        views::WarningView, views::WarningsView, views::CaseView, views::WorkerView,
        views::ArrearsStatusView, views::ReturnsView, views::ReturnCount,
        views::MonthlyReportView, views::SubmissionView, views::SubmissionsView,
    )),
    tags(
        (name = "monitoring", description = "labour-security offices, monitoring points (监测点), enterprises' monthly reports, returns home (返乡)"),
        (name = "layoff-plans", description = "layoff pre-reports (裁员预报)"),
        (name = "warnings", description = "unemployment early warning (失业预警)"),
        (name = "wage-arrears", description = "wage-arrears cases (欠薪)"),
        (name = "reports", description = "a region's monthly figures and their submission to the province")
    )
)]
struct ApiDoc;

/// The running service.
pub struct MonitoringService {
    app: web::Data<Monitoring>,
    assessor: Assessor,
}

impl MonitoringService {
    /// Opens its read model and rules under `<data>/monitoring/`, starts
    /// the projection and the warning assessor.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the monitoring folder")?;
        let app = Monitoring::open(context.repository.clone(), &folder)
            .starting("cannot open the monitoring read model or rules")?;
        let assessor = Assessor::start(
            context.repository,
            app.read_model.clone(),
            app.rules.clone(),
        );
        Ok(Self {
            app: web::Data::new(app),
            assessor,
        })
    }

    /// The application, for tests that call its use cases without HTTP.
    pub fn app(&self) -> &Monitoring {
        &self.app
    }
}

impl Service for MonitoringService {
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
        vec![Arc::new(self.app.runner().clone())]
    }

    fn stop(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.assessor.stop().await;
            self.app.runner().stop().await;
        })
    }
}
