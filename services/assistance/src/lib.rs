//! Assistance for the hardest to employ (notice §3): the register of
//! zero-employment households (零就业家庭登记台帐) — declaration (申报),
//! verification (审核), the register by office and status (JSON or CSV
//! with Chinese headers), its counts at any moment, late verifications —,
//! one-to-one assistance (一对一帮扶: the plan and each follow-up contact,
//! and the list of overdue ones), the process manager that clears a
//! household when a member finds work and registers it again when nobody
//! works any more (动态消除), never by a button; and public-welfare
//! placements (公益性岗位): a hire into a public-welfare post becomes a
//! placement with its subsidy, by a process manager of its own
//! (`welfare.rs`, `<data>/assistance/welfare.sqlite`). A referral made for
//! a member of a household on the register counts as a job referral on
//! the household's assistance, by a process manager of its own
//! (`<data>/assistance/referral-measures-process.sqlite`), and so does a
//! seat a member takes on a training course (职业培训,
//! `<data>/assistance/training-measures-process.sqlite`).
//!
//! The use cases are [`Assistance`]'s (`commands.rs`, `queries.rs`); the
//! handlers (`routes.rs`) only extract, call and render. Households are
//! `household-<uuid>` streams; one open household per member is kept by a
//! turn stream per member (`members.rs`), which the process manager reads
//! to find a member's household. The register is a SQLite read model
//! written from each household's folded state
//! (`<data>/assistance/register.sqlite`); the process manager keeps its
//! checkpoint in `<data>/assistance/process.sqlite`; the offices' rules
//! are `<data>/assistance/rules.json` (defaults without it). Mounted by
//! `labex` with the other services, or run alone as `labex-assistance`.

mod commands;
mod history;
mod internships;
mod members;
mod process;
mod queries;
mod read_model;
mod requests;
mod routes;
mod views;
mod welfare;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use futures::future::BoxFuture;
use labex_app::{RULES_FILE, RuleBook};
use labex_domain::household::HouseholdRules;
use labex_domain::internship::InternshipRules;
use labex_domain::welfare::WelfareRules;
use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use commands::{Assistance, REGISTER_FILE};
pub use internships::{
    Agreement, INTERNSHIP_RULES_FILE, INTERNSHIPS_FILE, Internships, RETENTION_PROCESS,
    RetentionProcess,
};
pub use members::{MEMBER_TURN_CATEGORY, household_of, member_stream};
pub use process::{
    HOUSEHOLD_ACTOR, HOUSEHOLD_PROCESS, HouseholdProcess, REFERRAL_MEASURES_PROCESS,
    ReferralMeasureProcess, Stabiliser, TRAINING_MEASURES_PROCESS, TrainingMeasureProcess,
    stabilise_due,
};
pub use queries::RegisterFilter;
pub use requests::{
    ContactBody, ContactRequest, Declaration, DeclareBody, Departure, ExitBody, PlanBody,
    PlanRequest, Verification, VerificationBody, WelfareExit, WelfareExitBody,
};
pub use views::{
    HouseholdSummary, HouseholdView, OverdueItem, OverduePage, RegisterCounts, RegisterPage,
    WelfarePage, WelfareSummary, WelfareView, register_csv,
};
pub use welfare::{
    WELFARE_ACTOR, WELFARE_FILE, WELFARE_PROCESS, WELFARE_RULES_FILE, Welfare, WelfareProcess,
};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "assistance";

/// The process manager's checkpoint database in the service's folder.
pub const PROCESS_FILE: &str = "process.sqlite";

/// The referral-measures process manager's checkpoint database in the
/// service's folder.
pub const REFERRAL_MEASURES_FILE: &str = "referral-measures-process.sqlite";

/// The training-measures process manager's checkpoint database in the
/// service's folder.
pub const TRAINING_MEASURES_FILE: &str = "training-measures-process.sqlite";

/// The retention process manager's checkpoint database in the service's
/// folder.
pub const RETENTION_FILE: &str = "retention-process.sqlite";

/// The welfare process manager's checkpoint database in the service's
/// folder.
pub const WELFARE_PROCESS_FILE: &str = "welfare-process.sqlite";

/// How often cleared households are looked at for stabilisation, in
/// seconds (default an hour).
pub const STABILISE_EVERY_VARIABLE: &str = "LABEX_ASSISTANCE_STABILISE_SECONDS";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::declare,
        routes::get,
        routes::verify,
        routes::exit,
        routes::make_plan,
        routes::record_contact,
        routes::register,
        routes::counts,
        routes::overdue,
        routes::welfare_list,
        routes::welfare_get,
        routes::welfare_exit,
        routes::internship_agree,
        routes::internship_get,
        routes::internship_step,
        routes::internship_list,
        routes::internship_host,
    ),
    components(schemas(
        DeclareBody,
        VerificationBody,
        ExitBody,
        PlanBody,
        ContactBody,
        HouseholdView,
        views::DecisionView,
        views::StatusChangeView,
        views::ExitView,
        views::PlanView,
        HouseholdSummary,
        RegisterPage,
        RegisterCounts,
        OverdueItem,
        OverduePage,
        WelfareExitBody,
        WelfareSummary,
        WelfarePage,
        WelfareView,
        requests::InternshipBody,
        requests::DayBody,
        requests::AttendanceBody,
        requests::EndBody,
        views::InternshipSummary,
        views::InternshipPage,
        views::InternshipView,
        views::AttendanceView,
        views::HostRates,
    )),
    tags(
        (name = "households", description = "zero-employment households (零就业家庭): declaration, verification, the register (台帐), one-to-one assistance (一对一帮扶)"),
        (name = "welfare", description = "public-welfare placements (公益性岗位): hires into public-welfare posts, their subsidy and exits"),
        (name = "internships", description = "internships (就业见习): agreements, attendance and subsidy, completion, retention by the host"),
    )
)]
struct ApiDoc;

/// The running service.
pub struct AssistanceService {
    app: web::Data<Assistance>,
    welfare: web::Data<Welfare>,
    internships: web::Data<Internships>,
    runners: Runners,
    stabiliser: Stabiliser,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl AssistanceService {
    /// Reads the offices' rules, opens the register under
    /// `<data>/assistance/`, starts its projection, the household process
    /// manager and the stabiliser.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the assistance folder")?;
        let rules: RuleBook<HouseholdRules> =
            RuleBook::load(&folder.join(RULES_FILE)).starting("cannot read the household rules")?;
        let (app, register_runner) =
            Assistance::open(context.repository.clone(), &folder, rules.clone())
                .starting("cannot open the household register")?;
        let process = open_database(&folder.join(PROCESS_FILE))
            .starting("cannot open the household process's checkpoint database")?;
        let runners = Runners::default();
        runners.add(register_runner).await;
        runners
            .add(HouseholdProcess::start(
                context.repository.clone(),
                rules,
                process,
            ))
            .await;
        let referral_measures = open_database(&folder.join(REFERRAL_MEASURES_FILE))
            .starting("cannot open the referral-measures process's checkpoint database")?;
        runners
            .add(ReferralMeasureProcess::start(
                context.repository.clone(),
                referral_measures,
            ))
            .await;
        let training_measures = open_database(&folder.join(TRAINING_MEASURES_FILE))
            .starting("cannot open the training-measures process's checkpoint database")?;
        runners
            .add(TrainingMeasureProcess::start(
                context.repository.clone(),
                training_measures,
            ))
            .await;
        let welfare_rules: RuleBook<WelfareRules> =
            RuleBook::load(&folder.join(WELFARE_RULES_FILE))
                .starting("cannot read the welfare rules")?;
        let (welfare, welfare_runner) =
            Welfare::open(context.repository.clone(), &folder, welfare_rules.clone())
                .starting("cannot open the welfare placements")?;
        let welfare_process = open_database(&folder.join(WELFARE_PROCESS_FILE))
            .starting("cannot open the welfare process's checkpoint database")?;
        runners.add(welfare_runner).await;
        runners
            .add(WelfareProcess::start(
                context.repository.clone(),
                welfare_rules,
                welfare_process,
            ))
            .await;
        let internship_rules: RuleBook<InternshipRules> =
            RuleBook::load(&folder.join(INTERNSHIP_RULES_FILE))
                .starting("cannot read the internship rules")?;
        let (internships, internship_runner) =
            Internships::open(context.repository.clone(), &folder, internship_rules)
                .starting("cannot open the internships")?;
        let retention = open_database(&folder.join(RETENTION_FILE))
            .starting("cannot open the retention process's checkpoint database")?;
        runners.add(internship_runner).await;
        runners
            .add(RetentionProcess::start(
                context.repository.clone(),
                internships.list_model(),
                retention,
            ))
            .await;
        let stabiliser = Stabiliser::start(
            context.repository.clone(),
            app.register.clone(),
            stabilise_every(),
        );
        let checks = runners.checks().await;
        Ok(Self {
            app: web::Data::new(app),
            welfare: web::Data::new(welfare),
            internships: web::Data::new(internships),
            runners,
            stabiliser,
            checks,
        })
    }

    /// The application its handlers call.
    pub fn app(&self) -> &Assistance {
        &self.app
    }
}

fn stabilise_every() -> Duration {
    std::env::var(STABILISE_EVERY_VARIABLE)
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|seconds| *seconds > 0)
        .map_or(Duration::from_secs(3600), Duration::from_secs)
}

fn open_database(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    let connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    // Only checkpoints live here, and reactions are idempotent (each
    // append carries its reaction key): a checkpoint lost to a power
    // cut means events handed over again and appends the store drops,
    // so a commit need not wait for the disk.
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.busy_timeout(Duration::from_secs(5))?;
    Ok(connection)
}

impl Service for AssistanceService {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure(&self, config: &mut web::ServiceConfig) {
        config.app_data(self.app.clone());
        config.app_data(self.welfare.clone());
        config.app_data(self.internships.clone());
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
            self.stabiliser.stop().await;
            self.runners.stop().await;
        })
    }
}
