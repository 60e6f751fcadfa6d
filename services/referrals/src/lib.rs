//! Referrals (职业介绍): an employment office refers a job seeker to a
//! vacancy, and the referral ends once, with an outcome (hired, rejected,
//! no show, withdrawn); the lists of referrals for offices and employers;
//! and the placement process manager, which turns a hire into the job
//! seeker's employment and a lower open headcount of the vacancy.
//!
//! Commands go through the [`Repository`](labex_eventsourcing::Repository)
//! to `referral-<uuid>` streams, deciding on the job seeker and the vacancy
//! loaded from theirs. The lists come from a SQLite read model kept by a
//! projection of referral events and job-seeker registrations
//! (`<data>/referrals/readmodel.sqlite`); a referral is decided on the job
//! seeker's open referrals in it. So that no job seeker gets two open
//! referrals to one vacancy when requests race, creation is serialised per
//! pair within the process, waits for the read model to hold every event
//! written before it, and answers only once the read model has applied its
//! own. The placement process keeps its checkpoint in
//! `<data>/referrals/placement.sqlite`. Mounted by `labex` with the other
//! services, or run alone as `labex-referrals`.

mod consistency;
mod placement;
mod read_model;
mod requests;
mod routes;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_eventsourcing::ReadModel;

use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
pub use placement::{PLACEMENT_ACTOR, PLACEMENT_PROCESS, PlacementProcess};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use consistency::{ListRunner, PairGuard, PairLocks};
pub use requests::{OutcomeBody, ReferBody};
pub use views::{OutcomeView, ReferralPage, ReferralView};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "referrals";

/// The read model's database file in the service's folder.
pub const READ_MODEL_FILE: &str = "readmodel.sqlite";

/// The placement process's checkpoint database in the service's folder.
pub const PLACEMENT_FILE: &str = "placement.sqlite";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(routes::refer, routes::get, routes::record_outcome, routes::list),
    components(schemas(ReferBody, OutcomeBody, ReferralView, OutcomeView, ReferralPage)),
    tags((name = "referrals", description = "referrals of job seekers to vacancies (职业介绍) and their outcomes"))
)]
struct ApiDoc;

/// The running service.
pub struct ReferralsService {
    state: web::Data<routes::State>,
    list_runner: ListRunner,
    runners: Runners,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl ReferralsService {
    /// Opens its read model under `<data>/referrals/`, starts the list
    /// projection and the placement process manager.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the referrals folder")?;
        let client = context.repository.client().clone();
        let (read_model, runner) = ReadModel::start(
            &folder.join(READ_MODEL_FILE),
            client.clone(),
            read_model::ReferralList,
        )
        .starting("cannot open the referrals read model")?;
        let list_runner = ListRunner::new(runner, client);

        let placement = open_placement_database(&folder.join(PLACEMENT_FILE))
            .starting("cannot open the placement checkpoint database")?;
        let runners = Runners::default();
        runners
            .add(PlacementProcess::start(
                context.repository.clone(),
                placement,
            ))
            .await;

        let mut checks: Vec<Arc<dyn ReadinessCheck>> = vec![Arc::new(list_runner.clone())];
        checks.extend(runners.checks().await);
        Ok(Self {
            state: web::Data::new(routes::State {
                repository: context.repository,
                read_model,
                list_runner: list_runner.clone(),
                pair_locks: PairLocks::default(),
            }),
            list_runner,
            runners,
            checks,
        })
    }
}

fn open_placement_database(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    let connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(connection)
}

impl Service for ReferralsService {
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
        Box::pin(async move {
            self.list_runner.stop().await;
            self.runners.stop().await;
        })
    }
}
