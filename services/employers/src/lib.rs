//! Employers (用人单位) and their vacancies (用工信息): registration with one
//! employer per unified social credit code, each employer's state now or at
//! a past moment; publishing a vacancy by the employer itself or by an
//! office on its behalf, editing, withdrawing and closing it; and the public
//! list of vacancies by employer and status.
//!
//! Commands go through the [`Repository`](labex_eventsourcing::Repository)
//! to `employer-<uuid>` and `vacancy-<uuid>` streams; a credit code is
//! claimed in an `employercode-<code>` stream before its employer is
//! registered. The vacancy list comes from a SQLite read model kept by a
//! projection of the vacancy streams (`<data>/employers/`). Authorization of
//! a vacancy change loads its employer from the store, so it holds the
//! moment the employer is registered. Mounted by `labex` with the other
//! services, or run alone as `labex-employers`.

mod read_model;
mod requests;
mod routes;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_eventsourcing::ReadModel;
use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use read_model::PROJECTION;
pub use requests::{CloseVacancyBody, PublishVacancyBody, RegisterEmployerBody, UpdateVacancyBody};
pub use routes::CLAIM_CATEGORY;
pub use views::{EmployerView, VacancyPage, VacancySummary, VacancyView};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "employers";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::register_employer,
        routes::get_employer,
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
        VacancyView,
        VacancySummary,
        VacancyPage,
    )),
    tags(
        (name = "employers", description = "employers, one per unified social credit code"),
        (name = "vacancies", description = "vacancies: publish, edit, close, list")
    )
)]
struct ApiDoc;

/// The running service.
pub struct EmployersService {
    state: web::Data<routes::State>,
    runners: Runners,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl EmployersService {
    /// Opens its read model under `<data>/employers/` and starts the
    /// vacancy-list projection.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the employers folder")?;
        let (read_model, runner) = ReadModel::start(
            &folder.join("readmodel.sqlite"),
            context.repository.client().clone(),
            read_model::VacancyList,
        )
        .starting("cannot open the employers read model")?;
        let runners = Runners::default();
        runners.add(runner).await;
        let checks = runners.checks().await;
        Ok(Self {
            state: web::Data::new(routes::State {
                repository: context.repository,
                read_model,
            }),
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
        config.app_data(self.state.clone());
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
