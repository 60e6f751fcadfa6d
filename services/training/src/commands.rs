//! The training use cases that change something: register a provider,
//! open a course, enrol a job seeker, cancel an enrolment, record a
//! completion, a drop-out and a skill appraisal. Each takes the [`Actor`]
//! and a typed command and does load → authorise → decide → append; none
//! knows HTTP.
//!
//! The office of a course's events is the course's office (its
//! provider's), whoever acts.

use std::path::Path;

use labex_app::{
    Actor, Error, FieldError, InputError, Result, RuleBook, STAFF, Saved, create_claimed, new_id,
};
use labex_domain::course::{
    AppraiseSkill, CancelEnrolment, CompleteTraining, Course, CourseCommand, CourseId, DropOut,
    Enrol, EnrolmentId, OpenCourse, TrainingRules,
};
use labex_domain::employer::Employer;
use labex_domain::jobseeker::JobSeeker;
use labex_domain::provider::{Provider, ProviderCommand, ProviderId, RegisterProvider};
use labex_domain::{JobSeekerId, china_date};
use labex_eventsourcing::{
    ExecuteOptions, ExpectedRevision, IdempotencyKey, ProjectionRunner, ReadModel, Repository,
    StateProjection,
};
use labex_web::ServiceContext;

use crate::read_model::{CourseList, course_of_enrolment};
use crate::requests::{AppraisalResult, CourseOpening, ProviderRegistration};
use labex_web::{HeldRunner, SETTLE_WAIT};

/// The category of the claim streams of providers' credit codes:
/// `providercode-<credit code>`.
pub const CLAIM_CATEGORY: &str = "providercode";

/// The read model's database file in the service's folder.
pub const READ_MODEL_FILE: &str = "readmodel.sqlite";

/// The training application: its use cases over the store, the course
/// read model and the rules.
pub struct Training {
    pub(crate) repository: Repository,
    pub(crate) courses: ReadModel,
    pub(crate) runner: HeldRunner,
    pub(crate) rules: RuleBook<TrainingRules>,
}

/// What a change to an enrolment is.
#[derive(Debug, Clone, Copy)]
pub enum EnrolmentChange {
    /// Cancel it (the trainee themself may).
    Cancel,
    /// Completed on a day.
    Complete(chrono::NaiveDate),
    /// Dropped out on a day.
    DropOut(chrono::NaiveDate),
    /// A skill appraisal's result.
    Appraise(AppraisalResult),
}

impl Training {
    /// Opens the read model under `folder` and starts its projection;
    /// the rules are read from `folder/rules.json` (defaults when absent).
    pub fn open(repository: Repository, folder: &Path) -> std::result::Result<Self, String> {
        let rules =
            RuleBook::load(&folder.join(labex_app::RULES_FILE)).map_err(|e| e.to_string())?;
        let (courses, runner): (ReadModel, ProjectionRunner) = ReadModel::start(
            &folder.join(READ_MODEL_FILE),
            repository.client().clone(),
            StateProjection::new(CourseList),
        )
        .map_err(|error| error.to_string())?;
        Ok(Self {
            repository,
            courses,
            runner: HeldRunner::new(runner),
            rules,
        })
    }

    /// The application of a service context's folder.
    pub fn of_context(
        context: &ServiceContext,
        folder: &Path,
    ) -> std::result::Result<Self, String> {
        Self::open(context.repository.clone(), folder)
    }

    /// The runner of the course read model.
    pub fn runner(&self) -> &HeldRunner {
        &self.runner
    }

    /// Registers a training provider (培训机构) in `registration.office`
    /// (the actor's when absent): office staff in scope. One provider per
    /// unified social credit code.
    pub async fn register_provider(
        &self,
        actor: &Actor,
        registration: ProviderRegistration,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Provider>> {
        actor.require_role(STAFF)?;
        let office = registration
            .office
            .clone()
            .unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&office)?;
        let claim = format!("{CLAIM_CATEGORY}-{}", registration.credit_code.as_str());
        let command = |provider_id| {
            ProviderCommand::Register(RegisterProvider {
                provider_id,
                name: registration.name.clone(),
                credit_code: registration.credit_code.clone(),
                office: office.clone(),
            })
        };
        let proposed: ProviderId = new_id(actor, key.as_ref());
        let context = actor.event_context(&office);
        create_claimed::<Provider>(
            &self.repository,
            &claim,
            proposed,
            command,
            &context,
            key,
            |id| {
                Error::conflict(format!(
                    "A training provider with this unified social credit code is already registered as {id}; use that provider."
                ))
            },
        )
        .await
    }

    /// Opens a course of a registered provider: office staff whose scope
    /// covers the provider's office. An order-based course's employer must
    /// be registered.
    pub async fn open_course(
        &self,
        actor: &Actor,
        opening: CourseOpening,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Course>> {
        actor.require_role(STAFF)?;
        let Some(provider) = self
            .repository
            .load::<Provider>(opening.provider_id)
            .await?
            .state
        else {
            return Err(unknown(
                "provider_id",
                InputError::ProviderUnknown,
                format!(
                    "provider_id names no registered training provider ({}); register the provider first.",
                    opening.provider_id
                ),
            ));
        };
        actor.may_act_in(&provider.office)?;
        if let Some(order) = &opening.details.order
            && self
                .repository
                .load::<Employer>(order.employer_id)
                .await?
                .state
                .is_none()
        {
            return Err(unknown(
                "order.employer_id",
                InputError::EmployerUnknown,
                format!(
                    "order.employer_id names no registered employer ({}); register the employer first.",
                    order.employer_id
                ),
            ));
        }
        let id: CourseId = new_id(actor, key.as_ref());
        let context = actor.event_context(&provider.office);
        let command = CourseCommand::Open(OpenCourse {
            course_id: id,
            provider_id: provider.id,
            office: provider.office.clone(),
            details: opening.details,
            opened_at: context.at,
        });
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<Course>(id, command, &context, options)
            .await?;
        let saved = Saved::executed(done)?;
        self.runner.settle(saved.position).await;
        Ok(saved)
    }

    /// Enrols a job seeker in a course: office staff whose scope covers
    /// the course's office, or the job seeker themself. The job seeker's
    /// categories are read from their stream for a targeted course. A seat
    /// when one is free, else the waiting list. Answers the course and the
    /// new enrolment's id.
    pub async fn enrol(
        &self,
        actor: &Actor,
        course_id: CourseId,
        jobseeker_id: JobSeekerId,
        key: Option<IdempotencyKey>,
    ) -> Result<(Saved<Course>, EnrolmentId)> {
        let course = self.load_course(course_id).await?;
        if !actor.is_jobseeker(jobseeker_id) {
            actor.require_role(STAFF)?;
            actor.may_act_in(&course.office)?;
        }
        let Some(jobseeker) = self.repository.load::<JobSeeker>(jobseeker_id).await?.state else {
            return Err(unknown(
                "jobseeker_id",
                InputError::JobSeekerUnknown,
                format!(
                    "jobseeker_id names no registered job seeker ({jobseeker_id}); register the job seeker first."
                ),
            ));
        };
        let enrolment_id = match &key {
            Some(key) => EnrolmentId::from_uuid(key.aggregate_uuid(&actor.subject, "enrolment")),
            None => EnrolmentId::generate(),
        };
        let context = actor.event_context(&course.office);
        let rules = self.rules.for_office(&course.office);
        let command = CourseCommand::Enrol(Enrol {
            enrolment_id,
            jobseeker_id,
            categories: jobseeker.profile.categories.clone(),
            enrolled_at: context.at,
            waiting_list_max: rules.waiting_list_max,
        });
        let mut options = ExecuteOptions::default();
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<Course>(course_id, command, &context, options)
            .await?;
        let saved = Saved::executed(done)?;
        self.runner.settle(saved.position).await;
        Ok((saved, enrolment_id))
    }

    /// Changes an enrolment: office staff whose scope covers the course's
    /// office; a cancellation also by the trainee themself.
    pub async fn change_enrolment(
        &self,
        actor: &Actor,
        enrolment_id: EnrolmentId,
        change: EnrolmentChange,
    ) -> Result<Saved<Course>> {
        let course = self.course_of(enrolment_id).await?;
        let trainee = course
            .enrolments
            .get(&enrolment_id)
            .map(|enrolment| enrolment.jobseeker_id);
        let themself = matches!(change, EnrolmentChange::Cancel)
            && trainee.is_some_and(|trainee| actor.is_jobseeker(trainee));
        if !themself {
            actor.require_role(STAFF)?;
            actor.may_act_in(&course.office)?;
        }
        let context = actor.event_context(&course.office);
        let command = match change {
            EnrolmentChange::Cancel => CourseCommand::Cancel(CancelEnrolment {
                enrolment_id,
                cancelled_at: context.at,
            }),
            EnrolmentChange::Complete(completed_on) => CourseCommand::Complete(CompleteTraining {
                enrolment_id,
                completed_on,
            }),
            EnrolmentChange::DropOut(left_on) => CourseCommand::DropOut(DropOut {
                enrolment_id,
                left_on,
            }),
            EnrolmentChange::Appraise(result) => CourseCommand::Appraise(AppraiseSkill {
                enrolment_id,
                level: result.level,
                passed: result.passed,
                appraised_on: result.appraised_on,
            }),
        };
        let done = self
            .repository
            .execute_with::<Course>(course.id, command, &context, ExecuteOptions::default())
            .await?;
        let saved = Saved::executed(done)?;
        self.runner.settle(saved.position).await;
        Ok(saved)
    }

    /// A course as it stands, or not found.
    pub(crate) async fn load_course(&self, id: CourseId) -> Result<Course> {
        Ok(
            Saved::<Course>::read(&self.repository, id, None, || course_not_found(id))
                .await?
                .state,
        )
    }

    /// The course an enrolment is in, as it stands: looked up in the read
    /// model (caught up with the store first when it does not know it yet).
    pub(crate) async fn course_of(&self, enrolment_id: EnrolmentId) -> Result<Course> {
        let mut course_id = self.lookup(enrolment_id).await?;
        if course_id.is_none() {
            self.runner.catch_up(SETTLE_WAIT).await?;
            course_id = self.lookup(enrolment_id).await?;
        }
        let Some(course_id) = course_id else {
            return Err(enrolment_not_found(enrolment_id));
        };
        self.load_course(course_id).await
    }

    async fn lookup(&self, enrolment_id: EnrolmentId) -> Result<Option<CourseId>> {
        let found = self
            .courses
            .read(move |connection| course_of_enrolment(connection, enrolment_id))
            .await?;
        found
            .map(|text| CourseId::parse(&text).map_err(Error::internal))
            .transpose()
    }

    /// The rules that hold in `office`.
    pub fn rules_for(&self, office: &labex_domain::value::DivisionCode) -> &TrainingRules {
        self.rules.for_office(office)
    }
}

/// Today in China, for requests that default a day.
pub fn today() -> chrono::NaiveDate {
    china_date(chrono::Utc::now())
}

pub(crate) fn course_not_found(id: CourseId) -> Error {
    Error::not_found(format!("No course {id} exists; check the id."))
}

pub(crate) fn enrolment_not_found(id: EnrolmentId) -> Error {
    Error::not_found(format!("No enrolment {id} exists; check the id."))
}

pub(crate) fn provider_not_found(id: ProviderId) -> Error {
    Error::not_found(format!(
        "No training provider {id} is registered; check the id."
    ))
}

fn unknown(field: &str, code: InputError, detail: String) -> Error {
    Error::Invalid(vec![FieldError::with_sentence(field, code, detail)])
}
