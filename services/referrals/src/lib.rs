//! Referrals (职业介绍): an employment office refers a job seeker to a
//! vacancy, and the referral ends once, with an outcome (hired, rejected,
//! no show, withdrawn); the lists of referrals for offices and employers;
//! and the placement process manager, which turns a hire into the job
//! seeker's employment and a lower open headcount of the vacancy.
//!
//! The use cases are [`Referrals`]' (`commands.rs`, `queries.rs`): each
//! takes the actor and a typed command, and goes through the
//! [`Repository`](labex_eventsourcing::Repository) to `referral-<uuid>`
//! streams, deciding on the job seeker and the vacancy loaded from theirs;
//! the handlers (`routes.rs`) only extract, call and render. The lists are
//! a SQLite read model written from each referral's folded state
//! (`<data>/referrals/readmodel.sqlite`); a referral is decided on the job
//! seeker's open referrals in it. How no job seeker gets two open
//! referrals to one vacancy when requests race, in one process or many, is
//! [`pairs`]' alone. The placement process keeps its checkpoint in
//! `<data>/referrals/placement.sqlite`. Mounted by `labex` with the other
//! services, or run alone as `labex-referrals`.

mod commands;
pub mod pairs;
mod placement;
mod queries;
mod read_model;
mod requests;
mod routes;
mod settings;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use commands::Referrals;
pub use pairs::LISTS_WAIT;
pub use placement::{PLACEMENT_ACTOR, PLACEMENT_PROCESS, PlacementProcess};
pub use queries::ListFilter;
pub use requests::{OutcomeBody, Refer, ReferBody, parse_outcome};
pub use settings::{
    DEFAULT_TURN_GRACE, MAX_TURN_GRACE, ReferralSettings, SettingsError, TURN_GRACE_VARIABLE,
};
pub use views::{OutcomeView, ReferralPage, ReferralStatus, ReferralView};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "referrals";

/// The read model's database file in the service's folder.
pub const READ_MODEL_FILE: &str = "readmodel.sqlite";

/// The placement process's checkpoint database in the service's folder.
pub const PLACEMENT_FILE: &str = "placement.sqlite";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(routes::refer, routes::get, routes::record_outcome, routes::list),
    components(schemas(
        ReferBody,
        OutcomeBody,
        ReferralView,
        OutcomeView,
        ReferralPage,
        labex_app::arrears_marks::ArrearsMark,
    )),
    tags((name = "referrals", description = "referrals of job seekers to vacancies (职业介绍) and their outcomes"))
)]
struct ApiDoc;

/// The running service.
pub struct ReferralsService {
    app: web::Data<Referrals>,
    runners: Runners,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl ReferralsService {
    /// Reads its settings from the environment ([`ReferralSettings`]),
    /// opens its read model under `<data>/referrals/`, starts the list
    /// projection and the placement process manager.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let settings =
            ReferralSettings::from_env().starting("cannot read the referrals settings")?;
        Self::start_with(context, &settings).await
    }

    /// Like [`start`](Self::start), with `settings`.
    pub async fn start_with(
        context: ServiceContext,
        settings: &ReferralSettings,
    ) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the referrals folder")?;
        let app = Referrals::start(
            context.repository.clone(),
            &folder.join(READ_MODEL_FILE),
            settings,
        )
        .starting("cannot open the referrals read model")?;

        let placement = open_placement_database(&folder.join(PLACEMENT_FILE))
            .starting("cannot open the placement checkpoint database")?;
        let runners = Runners::default();
        runners
            .add(PlacementProcess::start(
                context.repository.clone(),
                placement,
            ))
            .await;

        let mut checks: Vec<Arc<dyn ReadinessCheck>> = vec![
            Arc::new(app.lists().clone()),
            Arc::new(app.arrears_marks().clone()),
        ];
        checks.extend(runners.checks().await);
        Ok(Self {
            app: web::Data::new(app),
            runners,
            checks,
        })
    }

    /// The application its handlers call.
    pub fn app(&self) -> &Referrals {
        &self.app
    }
}

fn open_placement_database(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    let connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    // Only checkpoints live here, and reactions are idempotent (each
    // append carries its reaction key): a checkpoint lost to a power
    // cut means events handed over again and appends the store drops,
    // so a commit need not wait for the disk.
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(connection)
}

impl Service for ReferralsService {
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
            self.app.lists().stop().await;
            self.app.arrears_marks().stop().await;
            self.runners.stop().await;
        })
    }
}
