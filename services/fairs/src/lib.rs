//! Job fairs (招聘会) that human-resources markets hold: targeted on-site
//! fairs (专场招聘会) and online fairs (网上招聘会), often in a campaign such
//! as the graduates' service month (服务月) or service week. Organisers
//! (the `organiser` role) and office staff announce, amend and cancel
//! fairs; employers exhibit with their open vacancies, or staff publish
//! new vacancies for them (用工信息, through the vacancy context's own
//! command); job seekers register (a place, or the waiting list whose
//! first gets the next place freed), check in at the door and visit
//! stands. Anyone reads the calendar (JSON, or iCalendar for a calendar
//! program), a fair's page, and an online fair's live feed of vacancies
//! (server-sent events); staff read a fair's results: per exhibitor,
//! vacancies, visitors, referrals that name the fair and hires within 30
//! and 90 days.
//!
//! The use cases are [`Fairs`]' (`commands.rs`, `queries.rs`); the
//! handlers extract, call one and render. Commands go to `fair-<uuid>`
//! streams. One read model under `<data>/fairs/` is fed by a subscription
//! to the fair, employer and referral streams (the calendar, exhibitors'
//! names, referrals from fairs and their outcomes). [`FairVacancies`] is
//! the small read model of each fair's vacancies that the matching service
//! keeps for `GET /v1/vacancies/search?fair=`. Mounted by `labex`, or run
//! alone as `labex-fairs`.

mod commands;
mod fair_vacancies;
mod feed;
mod ical;
mod queries;
mod read_model;
mod requests;
mod routes;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use commands::{FAIR_STAFF, Fairs, OpenError};
pub use fair_vacancies::{FairVacancies, PROJECTION as FAIR_VACANCIES_PROJECTION};
pub use ical::{TEXT_CALENDAR, calendar as icalendar};
pub use read_model::{CalendarQuery, PROJECTION};
pub use requests::{
    AmendFairBody, Attendance, AttendanceBody, CancelFairBody, ExhibitBody, Exhibition, FairEdit,
    RegisterVisitorBody, ScheduleFairBody,
};
pub use views::{
    CountsView, DetailsView, ExhibitorResultsView, ExhibitorView, FairPage, FairSummary, FairView,
    HiresView, RegistrationView, ResultsView,
};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "fairs";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::schedule,
        routes::list,
        routes::get,
        routes::amend,
        routes::cancel,
        routes::exhibit,
        routes::leave,
        routes::register,
        routes::registration,
        routes::cancel_registration,
        routes::attend,
        routes::results,
        routes::feed,
    ),
    components(schemas(
        ScheduleFairBody,
        AmendFairBody,
        CancelFairBody,
        ExhibitBody,
        RegisterVisitorBody,
        AttendanceBody,
        FairView,
        DetailsView,
        CountsView,
        ExhibitorView,
        FairSummary,
        FairPage,
        RegistrationView,
        ResultsView,
        ExhibitorResultsView,
        HiresView,
    )),
    tags((name = "fairs", description = "job fairs (招聘会) on site and online: exhibitors, registrations, attendance, the calendar, results"))
)]
struct ApiDoc;

/// The running service.
pub struct FairsService {
    app: web::Data<Fairs>,
    runners: Runners,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl FairsService {
    /// Opens its read model and rules under `<data>/fairs/` and starts the
    /// projection that keeps the read model.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the fairs folder")?;
        let (app, runner) = Fairs::open(context.repository, &folder, context.feeds)
            .starting("cannot open the fairs read model or rules")?;
        let runners = Runners::default();
        runners.add(runner).await;
        let checks = runners.checks().await;
        Ok(Self {
            app: web::Data::new(app),
            runners,
            checks,
        })
    }

    /// The application, for tests.
    pub fn app(&self) -> &Fairs {
        &self.app
    }
}

impl Service for FairsService {
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
