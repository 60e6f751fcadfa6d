//! Vocational training (职业培训): training providers (培训机构) registered
//! by offices; courses — employment, re-employment (再就业培训), on-the-job,
//! order-based (订单式培训, tied to an employer's committed hires) and
//! entrepreneurship (创业培训) training — with enrolment (eligibility by
//! category where a course is targeted, seats and a waiting list),
//! completion or drop-out, and skill appraisal (职业技能鉴定); the course
//! search, with the Chinese and English analysis vacancies are searched
//! with; and the outcomes: employment within the window after completion,
//! counted from the events.
//!
//! Commands go through the [`Repository`](labex_eventsourcing::Repository)
//! to `provider-<uuid>` and `course-<uuid>` streams (a course holds its
//! enrolments). The course read model (`<data>/training/readmodel.sqlite`)
//! is written from each course's folded state; it finds an enrolment's
//! course, answers the search and counts the outcomes. The outcomes
//! process manager ([`OutcomesProcess`]) turns employment registrations
//! and hires of trainees into `TraineeEmploymentRecorded` on their
//! courses. Mounted by `labex` with the other services, or run alone as
//! `labex-training`.

mod commands;
mod outcomes;
mod queries;
pub mod read_model;
mod requests;
mod routes;
mod views;

use std::sync::Arc;

use actix_web::web;
use futures::future::BoxFuture;
use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use commands::{CLAIM_CATEGORY, EnrolmentChange, READ_MODEL_FILE, Training, today};
pub use outcomes::{OUTCOMES_ACTOR, OUTCOMES_FILE, OUTCOMES_PROCESS, OutcomesProcess};
pub use queries::MAX_SEARCH_LIMIT;
pub use requests::{
    AppraisalBody, AppraisalResult, CompletionBody, CourseOpening, DropOutBody, EnrolBody,
    OpenCourseBody, OrderBody, ProviderRegistration, RegisterProviderBody,
};
pub use views::{
    AppraisalView, CommitmentView, CourseHit, CourseSearchResults, CourseView, EnrolmentView,
    OrderView, OutcomesView, ProviderView, TraineeEmploymentView,
};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "training";

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::register_provider,
        routes::get_provider,
        routes::provider_outcomes,
        routes::open_course,
        routes::search,
        routes::get_course,
        routes::enrol,
        routes::course_outcomes,
        routes::get_enrolment,
        routes::cancel,
        routes::complete,
        routes::drop_out,
        routes::appraise,
    ),
    components(schemas(
        RegisterProviderBody,
        OpenCourseBody,
        OrderBody,
        EnrolBody,
        CompletionBody,
        DropOutBody,
        AppraisalBody,
        ProviderView,
        CourseView,
        OrderView,
        EnrolmentView,
        AppraisalView,
        TraineeEmploymentView,
        OutcomesView,
        CommitmentView,
        CourseHit,
        CourseSearchResults,
    )),
    tags((name = "training", description = "vocational training (职业培训): providers, courses, enrolment, skill appraisal (职业技能鉴定), outcomes"))
)]
struct ApiDoc;

/// The running service.
pub struct TrainingService {
    app: web::Data<Training>,
    runners: Runners,
    checks: Vec<Arc<dyn ReadinessCheck>>,
}

impl TrainingService {
    /// Opens its read model and rules under `<data>/training/`, starts the
    /// course projection and the outcomes process manager.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = context
            .service_folder(NAME)
            .starting("cannot create the training folder")?;
        let app = Training::open(context.repository.clone(), &folder)
            .map_err(std::io::Error::other)
            .starting("cannot open the training read model or rules")?;
        let outcomes = OutcomesProcess::start(
            context.repository.clone(),
            Arc::new(app.rules.clone()),
            &folder.join(OUTCOMES_FILE),
        )
        .starting("cannot open the training outcomes database")?;
        let runners = Runners::default();
        runners.add(outcomes).await;
        let mut checks: Vec<Arc<dyn ReadinessCheck>> = vec![Arc::new(app.runner().clone())];
        checks.extend(runners.checks().await);
        Ok(Self {
            app: web::Data::new(app),
            runners,
            checks,
        })
    }

    /// The application its handlers call.
    pub fn app(&self) -> &Training {
        &self.app
    }
}

impl Service for TrainingService {
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
            self.runners.stop().await;
        })
    }
}
