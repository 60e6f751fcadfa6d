//! The job-seeker registry: registration (求职登记) with one registration
//! per resident ID number, profile and contact updates, unemployment
//! (失业登记) and employment (就业登记) registration, each job seeker's
//! state now or at a past moment, and the office lists of job seekers by
//! category and status; and the people a layoff plan laid off registered
//! as unemployed in one step from its outcome, all or none (`layoffs.rs`,
//! decision 096).
//!
//! Commands go through the [`Repository`](labex_eventsourcing::Repository)
//! to `jobseeker-<uuid>` streams; the lists come from a SQLite read model
//! kept by a projection of those streams (`<data>/jobseekers/`). Every
//! read of a full record by staff is recorded in the access log (batched
//! by [`AccessLog`], read back from `<data>/jobseekers/access.sqlite`). Mounted by
//! `labex` with the other services, or run alone as `labex-jobseekers`.

mod access_log;
mod commands;
mod layoffs;
mod queries;
mod read_model;
mod registry;
mod requests;
mod routes;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_app::{AccessLog, AccessLogOptions};
use labex_eventsourcing::{ReadModel, StateProjection};
use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use access_log::GET_ENDPOINT;
pub use commands::{Access, ERASERS, JobSeekers, STAFF_ONLY_FIELDS};
pub use layoffs::{LayoffRegistrationsDone, LineOutcome, RegisteredLine};
pub use queries::{ACCESS_LOG_READERS, ListFilter};
pub use registry::{
    CLAIM_CATEGORY, FINGERPRINT_EVENT, FINGERPRINT_STREAM, REGISTRY_KEY_FILE, Registry,
    RegistryKeyError, RegistryKeyMismatch,
};
pub use requests::{
    EmploymentBody, ErasureBody, LayoffRegistrationsBody, RegisterBody, UnemploymentBody,
    UpdateBody,
};
pub use requests::{LaidOffPerson, LaidOffPersonBody, LayoffRegistrations, MAX_PEOPLE_PER_REQUEST};
pub use requests::{ProfileUpdate, Registration};
pub use views::{AccessEntry, AccessLogPage};
pub use views::{
    EmploymentView, ErasureView, JobSeekerPage, JobSeekerSummary, JobSeekerView, ReturnView,
};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "jobseekers";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::register,
        routes::get,
        routes::update,
        routes::register_unemployment,
        routes::register_employment,
        routes::erase,
        routes::list,
        routes::record_return,
        routes::access_log,
        routes::register_laid_off,
    ),
    components(schemas(
        RegisterBody,
        UpdateBody,
        UnemploymentBody,
        EmploymentBody,
        ErasureBody,
        JobSeekerView,
        ErasureView,
        ReturnView,
        EmploymentView,
        JobSeekerSummary,
        JobSeekerPage,
        requests::ReturnBody,
        AccessEntry,
        AccessLogPage,
        LayoffRegistrationsBody,
        requests::LaidOffPersonBody,
        views::LayoffRegistrationsView,
        views::LaidOffLineView,
    )),
    tags((name = "jobseekers", description = "job seekers: registration, unemployment and employment"))
)]
struct ApiDoc;

/// The running service.
pub struct JobSeekersService {
    app: web::Data<JobSeekers>,
    access_log: Arc<AccessLog>,
    runners: Runners,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl JobSeekersService {
    /// Opens its read model and registry key under `<data>/jobseekers/` and
    /// starts the list projection.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the jobseekers folder")?;
        let registry = Registry::load(&folder).starting("cannot read or write the registry key")?;
        registry
            .check_against_store(context.repository.client())
            .await
            .starting("the job-seeker registry key does not fit the store")?;
        let (read_model, runner) = ReadModel::start(
            &folder.join("readmodel.sqlite"),
            context.repository.client().clone(),
            StateProjection::new(read_model::JobSeekerList),
        )
        .starting("cannot open the jobseekers read model")?;
        let (access_read_model, access_runner) = ReadModel::start(
            &folder.join(access_log::FILE),
            context.repository.client().clone(),
            access_log::AccessLogList,
        )
        .starting("cannot open the access log's read model")?;
        let runners = Runners::default();
        runners.add(runner).await;
        runners.add(access_runner).await;
        let checks = runners.checks().await;
        let access_log = Arc::new(AccessLog::start(
            context.repository.clone(),
            AccessLogOptions::default(),
        ));
        let access = Access {
            log: access_log.clone(),
            read_model: access_read_model,
        };
        Ok(Self {
            app: web::Data::new(JobSeekers::new(
                context.repository,
                registry,
                read_model,
                access,
            )),
            access_log,
            runners,
            checks,
        })
    }
}

impl JobSeekersService {
    /// The application: its use cases, for tests that call them without
    /// HTTP.
    pub fn app(&self) -> &JobSeekers {
        &self.app
    }
}

impl Service for JobSeekersService {
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

    /// The access log's counters: reads written, and reads dropped.
    fn register_metrics(&self, registry: &prometheus::Registry) {
        for counter in self.access_log.counters() {
            if let Err(error) = registry.register(Box::new(counter)) {
                tracing::warn!(%error, "an access-log metric could not be registered");
            }
        }
    }

    /// Writes what the access log holds, then stops the projections.
    fn stop(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.access_log.stop().await;
            self.runners.stop().await;
        })
    }
}
