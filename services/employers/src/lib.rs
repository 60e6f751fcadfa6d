//! Employers (用人单位) and their vacancies (用工信息): registration with one
//! employer per unified social credit code, each employer's state now or at
//! a past moment, and the offices' lists of the employers in their scope;
//! publishing a vacancy by the employer itself or by an office on its
//! behalf, editing, withdrawing and closing it; and the public list of
//! vacancies by employer and status.
//!
//! The use cases are [`Employers`]' (`commands.rs`, `queries.rs`); the HTTP
//! handlers extract, call one and render. Commands go through the
//! [`Repository`](labex_eventsourcing::Repository) to `employer-<uuid>` and
//! `vacancy-<uuid>` streams; a credit code is claimed in an
//! `employercode-<code>` stream before its employer is registered.
//! Authorization of a vacancy change loads its employer from the store, so
//! it holds the moment the employer is registered. The lists come from two
//! SQLite read models written from the state the domain folds
//! ([`StateView`](labex_eventsourcing::StateView)), under
//! `<data>/employers/`. A vacancy's status is the domain's status at a
//! moment ([`Vacancy::status_at`](labex_domain::vacancy::Vacancy::status_at)):
//! past its closing time an open vacancy is closed, in every answer.
//! Mounted by `labex` with the other services, or run alone as
//! `labex-employers`.

mod commands;
mod employer_list;
mod queries;
mod requests;
mod routes;
mod vacancy_list;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use commands::{CLAIM_CATEGORY, Employers};
pub use employer_list::PROJECTION as EMPLOYER_PROJECTION;
pub use queries::{VacancyFilter, described_moment};
pub use requests::{CloseVacancyBody, PublishVacancyBody, RegisterEmployerBody, UpdateVacancyBody};
pub use requests::{EmployerRegistration, Publication, SalaryBound, VacancyEdit};
pub use vacancy_list::PROJECTION;
pub use views::{
    EmployerPage, EmployerSummary, EmployerView, VacancyPage, VacancySummary, VacancyView,
};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "employers";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::register_employer,
        routes::get_employer,
        routes::list_employers,
        routes::publish,
        routes::get_vacancy,
        routes::update,
        routes::close,
        routes::list,
    ),
    components(schemas(
        RegisterEmployerBody,
        PublishVacancyBody,
        UpdateVacancyBody,
        CloseVacancyBody,
        EmployerView,
        EmployerSummary,
        EmployerPage,
        VacancyView,
        VacancySummary,
        VacancyPage,
        labex_app::arrears_marks::ArrearsMark,
    )),
    tags(
        (name = "employers", description = "employers, one per unified social credit code"),
        (name = "vacancies", description = "vacancies: publish, edit, close, list")
    )
)]
struct ApiDoc;

/// The running service.
pub struct EmployersService {
    app: web::Data<Employers>,
    runners: Runners,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl EmployersService {
    /// Opens its read models under `<data>/employers/` and starts the
    /// projections that keep them.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the employers folder")?;
        let (app, started) = Employers::open(context.repository, &folder)
            .starting("cannot open the employers read models")?;
        let runners = Runners::default();
        for runner in started {
            runners.add(runner).await;
        }
        let checks = runners.checks().await;
        Ok(Self {
            app: web::Data::new(app),
            runners,
            checks,
        })
    }
}

impl Service for EmployersService {
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
        Box::pin(self.runners.stop())
    }
}
