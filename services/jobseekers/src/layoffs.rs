//! The people a layoff plan laid off (裁员), registered as unemployed
//! (失业登记) in one step from the plan's outcome, all or none
//! (decision 096).
//!
//! The store appends to one stream at a time, so "all or none" is kept in
//! two phases. First everything is checked without writing: each line's
//! fields (done by the request's parse), each person against the store —
//! a new person as the domain would register them, a registered job
//! seeker as the domain would register their unemployment — and the plan,
//! which must be concluded and may not count more registrations than
//! people laid off. One failure and nothing is written; the problem lists
//! every failing line. Then the writes, each idempotent: a new person's
//! id is derived from the plan and their ID number's claim stream (keyed,
//! so the id tells nothing of the number), their ID number claimed
//! through the registry as `POST /v1/jobseekers` claims it, their
//! registration and their unemployment registration appended, and last
//! the plan records who was registered. A retry after a crash finds what
//! the first attempt wrote — a claim it adopts, a job seeker registered
//! or already unemployed — and neither loses nor doubles anyone.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use labex_app::{Actor, Error, FieldError, InputError, Result, STAFF};
use labex_domain::jobseeker::{
    JobSeeker, JobSeekerCommand, JobSeekerError, JobSeekerProfile, JobSeekerStatus,
    RegisterJobSeeker, RegisterUnemployment,
};
use labex_domain::layoff::{
    LayoffPlan, LayoffPlanCommand, LayoffPlanId, RecordLayoffRegistrations,
};
use labex_domain::value::{DivisionCode, JobSeekerCategory};
use labex_domain::{Aggregate, JobSeekerId, Refusal, china_date};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, ExpectedRevision, Keyring, RepositoryError,
};
use uuid::Uuid;

use crate::commands::JobSeekers;
use crate::requests::{LaidOffPerson, LayoffRegistrations};

/// What became of one person of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOutcome {
    /// Registered as a job seeker (求职登记) and as unemployed.
    Registered,
    /// A registered job seeker, now registered as unemployed.
    UnemploymentRegistered,
    /// A registered job seeker who stood registered as unemployed already:
    /// nothing written for them (a retry finds its first attempt's people
    /// so).
    AlreadyUnemployed,
}

impl LineOutcome {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::UnemploymentRegistered => "unemployment_registered",
            Self::AlreadyUnemployed => "already_unemployed",
        }
    }
}

/// One person's line, once done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisteredLine {
    /// Its index in the list.
    pub index: usize,
    /// The job seeker.
    pub jobseeker_id: JobSeekerId,
    /// What became of them.
    pub outcome: LineOutcome,
}

/// The answer: each line, and the plan as it stands after.
#[derive(Debug, Clone)]
pub struct LayoffRegistrationsDone {
    /// The plan.
    pub plan: LayoffPlan,
    /// Each person, in the order sent.
    pub lines: Vec<RegisteredLine>,
}

/// What the writing phase does for one person, decided by the checks.
enum Step {
    /// Claim the number and register under `jobseeker_id`, then register
    /// the unemployment.
    Register {
        jobseeker_id: JobSeekerId,
        claim: String,
    },
    /// Register the unemployment of a registered job seeker.
    Unemployment { jobseeker_id: JobSeekerId },
    /// Nothing: already registered as unemployed.
    Nothing { jobseeker_id: JobSeekerId },
}

impl Step {
    fn jobseeker_id(&self) -> JobSeekerId {
        match self {
            Self::Register { jobseeker_id, .. }
            | Self::Unemployment { jobseeker_id }
            | Self::Nothing { jobseeker_id } => *jobseeker_id,
        }
    }
}

impl JobSeekers {
    /// Registers the people a concluded layoff plan laid off as unemployed
    /// (失业登记), all or none: office staff whose scope covers the plan's
    /// region (the enterprise's) and the registering office. New people
    /// are registered as job seekers (categories `laid_off`) in `office`,
    /// the plan's region when absent; registered job seekers keep their
    /// record. A line that fails is listed in a 422 and nobody is
    /// registered.
    pub async fn register_laid_off(
        &self,
        actor: &Actor,
        plan_id: LayoffPlanId,
        registrations: LayoffRegistrations,
    ) -> Result<LayoffRegistrationsDone> {
        actor.require_role(STAFF)?;
        let plan = self
            .repository
            .load::<LayoffPlan>(plan_id)
            .await?
            .state
            .ok_or_else(|| {
                Error::not_found(format!(
                    "No layoff plan {plan_id} is recorded; check the id."
                ))
            })?;
        actor.may_act_in(&plan.region)?;
        let office = registrations
            .office
            .clone()
            .unwrap_or_else(|| plan.region.clone());
        actor.may_act_in(&office)?;
        let today = china_date(chrono::Utc::now());
        let people = registrations.people;
        // The plan first: nothing is registered from a plan whose outcome
        // is not recorded.
        let everyone = LayoffPlanCommand::RecordRegistrations(RecordLayoffRegistrations {
            jobseekers: BTreeSet::new(),
            recorded_on: today,
        });
        LayoffPlan::decide(Some(&plan), everyone).map_err(Error::refused)?;
        let steps = self
            .check_people(actor, plan_id, &people, &office, today)
            .await?;
        let jobseekers: BTreeSet<JobSeekerId> = steps.iter().map(Step::jobseeker_id).collect();
        let record = LayoffPlanCommand::RecordRegistrations(RecordLayoffRegistrations {
            jobseekers,
            recorded_on: today,
        });
        LayoffPlan::decide(Some(&plan), record.clone()).map_err(Error::refused)?;

        let mut lines = Vec::with_capacity(steps.len());
        for (index, (step, person)) in steps.iter().zip(&people).enumerate() {
            let outcome = self.write_step(actor, step, person, &office, today).await?;
            lines.push(RegisteredLine {
                index,
                jobseeker_id: step.jobseeker_id(),
                outcome,
            });
        }
        let context = actor.event_context(&plan.region);
        let done = self
            .repository
            .execute_with::<LayoffPlan>(plan_id, record, &context, ExecuteOptions::default())
            .await
            .map_err(|error| Error::from_repository(error, false))?;
        let plan = done.state.unwrap_or(plan);
        tracing::info!(plan = %plan_id, people = lines.len(), "people laid off registered as unemployed");
        Ok(LayoffRegistrationsDone { plan, lines })
    }

    /// Checks every person without writing, and answers what to write for
    /// each; every failing line is listed at once.
    async fn check_people(
        &self,
        actor: &Actor,
        plan_id: LayoffPlanId,
        people: &[LaidOffPerson],
        office: &DivisionCode,
        today: NaiveDate,
    ) -> Result<Vec<Step>> {
        let mut errors = Vec::new();
        let mut steps = Vec::with_capacity(people.len());
        for (index, person) in people.iter().enumerate() {
            match self
                .check_person(actor, plan_id, person, office, today)
                .await?
            {
                Ok(step) => steps.push(step),
                Err(error) => errors.push(error.at_line(index)),
            }
        }
        if errors.is_empty() {
            Ok(steps)
        } else {
            Err(Error::Invalid(errors))
        }
    }

    async fn check_person(
        &self,
        actor: &Actor,
        plan_id: LayoffPlanId,
        person: &LaidOffPerson,
        office: &DivisionCode,
        today: NaiveDate,
    ) -> Result<std::result::Result<Step, LineError>> {
        let claim = self.registry.claim_stream(&person.personal.id_number);
        let owner = self.repository.personal_claim_owner(&claim).await?;
        let jobseeker = match owner {
            Some(owner) => {
                let id = JobSeekerId::from_uuid(owner);
                self.repository.load::<JobSeeker>(id).await?.state
            }
            None => None,
        };
        let Some(jobseeker) = jobseeker else {
            // Nobody holds the number (or a claim whose registration never
            // completed, which the registration adopts): a new job seeker.
            let jobseeker_id = owner.map_or_else(
                || laid_off_jobseeker_id(plan_id, &claim),
                JobSeekerId::from_uuid,
            );
            let registration = registration(jobseeker_id, person, office, today);
            let registered = match JobSeeker::decide(None, registration) {
                Ok(events) => events,
                Err(refusal) => return Ok(Err(LineError::refused(&refusal))),
            };
            let state = registered.iter().fold(None, JobSeeker::evolve);
            if let Err(refusal) = JobSeeker::decide(state.as_ref(), unemployment(person, today)) {
                return Ok(Err(LineError::refused(&refusal)));
            }
            return Ok(Ok(Step::Register {
                jobseeker_id,
                claim,
            }));
        };
        if actor.may_act_in(&jobseeker.office).is_err() {
            return Ok(Err(LineError::OutsideScope {
                office: jobseeker.office.clone(),
            }));
        }
        if jobseeker.status == JobSeekerStatus::RegisteredUnemployed {
            return Ok(Ok(Step::Nothing {
                jobseeker_id: jobseeker.id,
            }));
        }
        match JobSeeker::decide(Some(&jobseeker), unemployment(person, today)) {
            Ok(_) => Ok(Ok(Step::Unemployment {
                jobseeker_id: jobseeker.id,
            })),
            Err(refusal) => Ok(Err(LineError::refused(&refusal))),
        }
    }

    /// Writes what the checks decided for one person, idempotently.
    async fn write_step(
        &self,
        actor: &Actor,
        step: &Step,
        person: &LaidOffPerson,
        office: &DivisionCode,
        today: NaiveDate,
    ) -> Result<LineOutcome> {
        match step {
            Step::Nothing { .. } => Ok(LineOutcome::AlreadyUnemployed),
            Step::Unemployment { jobseeker_id } => {
                let (jobseeker, _) = self.repository.get::<JobSeeker>(*jobseeker_id).await?;
                let context = actor.event_context(&jobseeker.office);
                self.write_unemployment(*jobseeker_id, person, &context, today)
                    .await
                    .map(|registered| {
                        if registered {
                            LineOutcome::UnemploymentRegistered
                        } else {
                            LineOutcome::AlreadyUnemployed
                        }
                    })
            }
            Step::Register {
                jobseeker_id,
                claim,
            } => {
                let context = actor.event_context(office);
                // The claim's key and the person's, made durable in one
                // write, as a registration makes them.
                Keyring::process()
                    .ensure(&[claim.clone(), jobseeker_id.as_uuid().to_string()])
                    .await
                    .map_err(RepositoryError::from)?;
                let owner = self
                    .repository
                    .claim_personal(claim, jobseeker_id.as_uuid(), &context)
                    .await?;
                if owner != jobseeker_id.as_uuid() {
                    // Registered by someone else since the checks.
                    return Err(Error::conflict(
                        "One of the people was registered by someone else meanwhile; send the same request again: those already registered are recognised.",
                    ));
                }
                let command = registration(*jobseeker_id, person, office, today);
                let options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
                match self
                    .repository
                    .execute_with::<JobSeeker>(*jobseeker_id, command, &context, options)
                    .await
                {
                    // A first attempt that registered them and stopped.
                    Ok(_) | Err(RepositoryError::Conflict { .. }) => {}
                    Err(error) => return Err(error.into()),
                }
                self.write_unemployment(*jobseeker_id, person, &context, today)
                    .await?;
                Ok(LineOutcome::Registered)
            }
        }
    }

    /// Registers the unemployment; `false` when a first attempt did.
    async fn write_unemployment(
        &self,
        jobseeker_id: JobSeekerId,
        person: &LaidOffPerson,
        context: &EventContext,
        today: NaiveDate,
    ) -> Result<bool> {
        match self
            .repository
            .execute_with::<JobSeeker>(
                jobseeker_id,
                unemployment(person, today),
                context,
                ExecuteOptions::default(),
            )
            .await
        {
            Ok(_) => Ok(true),
            Err(RepositoryError::Domain(refused))
                if refused.downcast_ref::<JobSeekerError>()
                    == Some(&JobSeekerError::AlreadyRegisteredUnemployed) =>
            {
                Ok(false)
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// The fields of a line.
const LINE_FIELDS: &[&str] = &["id_number", "name", "phone", "education", "note"];

/// Why one line cannot be registered.
enum LineError {
    /// The domain refuses it (too young, an erased record …).
    Refused {
        field: &'static str,
        code: &'static str,
        detail: String,
    },
    /// A job seeker of an office the caller does not cover.
    OutsideScope { office: DivisionCode },
}

impl LineError {
    fn refused(refusal: &JobSeekerError) -> Self {
        // The line's own field, else the person (named by the ID number).
        let field = refusal
            .field()
            .filter(|field| LINE_FIELDS.contains(field))
            .unwrap_or("id_number");
        Self::Refused {
            field,
            code: labex_domain::Coded::code(refusal),
            detail: labex_app::sentence(&refusal.to_string()),
        }
    }

    fn at_line(self, index: usize) -> FieldError {
        match self {
            Self::Refused {
                field,
                code,
                detail,
            } => FieldError {
                field: format!("people[{index}].{field}"),
                code,
                detail,
            },
            Self::OutsideScope { office } => FieldError::with_sentence(
                &format!("people[{index}].id_number"),
                InputError::JobSeekerOutsideScope,
                format!(
                    "This person is registered as a job seeker with office {office}, outside your scope; ask that office to register the unemployment, or leave the person out."
                ),
            ),
        }
    }
}

/// The id of a person laid off by `plan_id` and registered from it: the
/// same for every attempt, derived from the plan and the claim stream of
/// their ID number (a keyed hash: the id reveals nothing of the number).
fn laid_off_jobseeker_id(plan_id: LayoffPlanId, claim: &str) -> JobSeekerId {
    JobSeekerId::from_uuid(Uuid::new_v5(&plan_id.as_uuid(), claim.as_bytes()))
}

fn registration(
    jobseeker_id: JobSeekerId,
    person: &LaidOffPerson,
    office: &DivisionCode,
    today: NaiveDate,
) -> JobSeekerCommand {
    JobSeekerCommand::Register(RegisterJobSeeker {
        jobseeker_id,
        personal: person.personal.clone(),
        profile: JobSeekerProfile {
            education: person.education,
            major: None,
            graduation_year: None,
            categories: BTreeSet::from([JobSeekerCategory::LaidOff]),
            skills: Vec::new(),
            desired_occupations: Vec::new(),
            desired_occupation_codes: Vec::new(),
            desired_regions: BTreeSet::new(),
            summary: None,
        },
        office: office.clone(),
        registered_on: today,
    })
}

fn unemployment(person: &LaidOffPerson, today: NaiveDate) -> JobSeekerCommand {
    JobSeekerCommand::RegisterUnemployment(RegisterUnemployment {
        registered_on: today,
        note: person.note.clone(),
    })
}
