//! The use cases of fairs that change something: announce, amend and
//! cancel a fair; exhibit (with open vacancies, or with new ones an office
//! publishes for the employer) and leave; register, withdraw, check in and
//! visit stands. Each takes the [`Actor`] and a typed command and does
//! load → authorise → decide → append; none knows HTTP.
//!
//! The office of a fair's events is the office that runs it. New vacancies
//! published for an exhibitor go through the vacancy context's own command
//! ([`VacancyCommand::Publish`]) with the office of the vacancy's employer,
//! as every vacancy event (decision record 047); the authority to publish
//! them is the fair's (decision record 076).

use std::path::Path;

use labex_app::{Actor, Error, FieldError, InputError, Result, Role, RuleBook, Saved, new_id};
use labex_domain::employer::Employer;
use labex_domain::fair::{
    AmendFair, CancelFair, CancelRegistration, CheckIn, Exhibit, Fair, FairCommand, FairDetails,
    FairRules, FairStatus, LeaveFair, RegisterVisitor, ScheduleFair, VacancyForFair, VisitStand,
};
use labex_domain::jobseeker::JobSeeker;
use labex_domain::vacancy::{PublishVacancy, Vacancy, VacancyCommand, VacancyStatus};
use labex_domain::value::Note;
use labex_domain::{EmployerId, FairId, JobSeekerId, VacancyId};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, ExpectedRevision, IdempotencyKey, ProjectionRunner, ReadModel,
    Repository,
};
use labex_web::feeds::FeedGate;

use crate::read_model::FairsProjection;
use crate::requests::{Attendance, Exhibition, FairEdit};

/// Who runs fairs: organisers of human-resources markets and office
/// staff, within their office's scope (the province everywhere).
pub const FAIR_STAFF: &[Role] = &[Role::Organiser, Role::Counsellor, Role::OfficeAdmin];

/// Why the application could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The read model's database.
    #[error("cannot open the fairs read model: {0}")]
    ReadModel(#[from] rusqlite::Error),
    /// The rules file.
    #[error(transparent)]
    Rules(#[from] labex_app::RulesError),
}

/// The application of fairs: its use cases over the store, its read
/// model and the offices' rules.
pub struct Fairs {
    pub(crate) repository: Repository,
    pub(crate) read_model: ReadModel,
    pub(crate) rules: RuleBook<FairRules>,
    /// Admits the fairs' live feeds within the process's bounds, on the
    /// feeds' own store client (a reader that stops reading holds up no
    /// command).
    pub(crate) feeds: FeedGate,
}

impl Fairs {
    /// Opens the read model under `folder` (`readmodel.sqlite`) and the
    /// rules (`rules.json`, defaults when absent), and starts the
    /// projection that keeps the read model; live feeds are admitted by
    /// `feeds`.
    pub fn open(
        repository: Repository,
        folder: &Path,
        feeds: FeedGate,
    ) -> Result<(Self, ProjectionRunner), OpenError> {
        let rules = RuleBook::load(&folder.join(labex_app::RULES_FILE))?;
        let (read_model, runner) = ReadModel::start(
            &folder.join("readmodel.sqlite"),
            repository.client().clone(),
            FairsProjection,
        )?;
        Ok((
            Self {
                repository,
                read_model,
                rules,
                feeds,
            },
            runner,
        ))
    }

    /// Announces a fair in `details.region`: organisers and office staff
    /// whose scope covers it. The office that runs it is the caller's when
    /// its scope covers the region (the province's fairs: the region's).
    /// With `key`, a retry answers as the first attempt did.
    pub async fn schedule(
        &self,
        actor: &Actor,
        details: FairDetails,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Fair>> {
        actor.may_act_in_as(FAIR_STAFF, &details.region)?;
        let office = if actor.role != Role::Province && actor.office.covers(&details.region) {
            actor.office.clone()
        } else {
            details.region.clone()
        };
        let fair_id: FairId = new_id(actor, key.as_ref());
        let context = actor.event_context(&office);
        let command = FairCommand::Schedule(ScheduleFair {
            fair_id,
            office,
            details,
            now: context.at,
        });
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<Fair>(fair_id, command, &context, options)
            .await?;
        Saved::executed(done)
    }

    /// Amends a fair before it starts: only what `edit` names changes.
    /// Staff whose scope covers its region (and the new region); at the
    /// revision `if_match` when given.
    pub async fn amend(
        &self,
        actor: &Actor,
        id: FairId,
        edit: FairEdit,
        if_match: Option<u64>,
    ) -> Result<Saved<Fair>> {
        let fair = self.load(id).await?;
        actor.may_act_in_as(FAIR_STAFF, &fair.details.region)?;
        let details = edit.apply_to(&fair.details);
        actor.may_act_in_as(FAIR_STAFF, &details.region)?;
        let context = actor.event_context(&fair.office);
        let command = FairCommand::Amend(AmendFair {
            details,
            now: context.at,
        });
        self.change(id, command, &context, if_match, None).await
    }

    /// Cancels a fair before it ends (a cancelled one stays as it is).
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: FairId,
        reason: Option<Note>,
        if_match: Option<u64>,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Fair>> {
        let fair = self.load(id).await?;
        actor.may_act_in_as(FAIR_STAFF, &fair.details.region)?;
        let context = actor.event_context(&fair.office);
        let command = FairCommand::Cancel(CancelFair {
            reason,
            now: context.at,
        });
        self.change(id, command, &context, if_match, key).await
    }

    /// An employer takes a stand, or brings more vacancies: its open
    /// vacancies (the employer itself, or fair staff of the fair's scope),
    /// and new vacancies published for it (fair staff only, as offices
    /// collect hiring needs). With `key`, a retry publishes nothing twice.
    pub async fn exhibit(
        &self,
        actor: &Actor,
        id: FairId,
        exhibition: Exhibition,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Fair>> {
        let fair = self.load(id).await?;
        let employer = self.employer(exhibition.employer_id).await?;
        if exhibition.new_vacancies.is_empty() {
            self.may_act_for_exhibitor(actor, &fair, employer.id)?;
        } else {
            actor.may_act_in_as(FAIR_STAFF, &fair.details.region)?;
        }
        let context = actor.event_context(&fair.office);
        let mut vacancies = self
            .vacancy_facts(&exhibition.vacancy_ids, context.at)
            .await?;
        if !exhibition.new_vacancies.is_empty() {
            refuse_unless_open(&fair, context.at)?;
        }
        for (index, publication) in exhibition.new_vacancies.into_iter().enumerate() {
            let derived = key
                .as_ref()
                .map(|key| derived_key(key, index))
                .transpose()?;
            let vacancy_id: VacancyId = new_id(actor, derived.as_ref());
            let vacancy_context = actor.event_context(&employer.region);
            let command = VacancyCommand::Publish(PublishVacancy {
                vacancy_id,
                employer_id: employer.id,
                details: publication.details,
                published_at: vacancy_context.at,
            });
            let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
            if let Some(derived) = derived {
                options = options.idempotency_key(derived);
            }
            self.repository
                .execute_with::<Vacancy>(vacancy_id, command, &vacancy_context, options)
                .await?;
            vacancies.push(VacancyForFair {
                vacancy_id,
                employer_id: employer.id,
                open: true,
            });
        }
        let command = FairCommand::Exhibit(Exhibit {
            employer_id: employer.id,
            vacancies,
            now: context.at,
        });
        self.change(id, command, &context, None, key).await
    }

    /// An exhibitor leaves before the start: the employer itself, or fair
    /// staff of the fair's scope.
    pub async fn leave(
        &self,
        actor: &Actor,
        id: FairId,
        employer_id: EmployerId,
        if_match: Option<u64>,
    ) -> Result<Saved<Fair>> {
        let fair = self.load(id).await?;
        self.may_act_for_exhibitor(actor, &fair, employer_id)?;
        let context = actor.event_context(&fair.office);
        let command = FairCommand::Leave(LeaveFair {
            employer_id,
            now: context.at,
        });
        self.change(id, command, &context, if_match, None).await
    }

    /// A job seeker registers: themself, or fair staff of the fair's
    /// scope. A place while places are left, else the waiting list; a
    /// repeat changes nothing.
    pub async fn register(
        &self,
        actor: &Actor,
        id: FairId,
        jobseeker_id: JobSeekerId,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Fair>> {
        let fair = self.load(id).await?;
        self.may_act_for_visitor(actor, &fair, jobseeker_id)?;
        let known = self
            .repository
            .load::<JobSeeker>(jobseeker_id)
            .await?
            .state
            .is_some();
        if !known {
            return Err(Error::Invalid(vec![FieldError::with_sentence(
                "jobseeker_id",
                InputError::JobSeekerUnknown,
                format!(
                    "jobseeker_id names no registered job seeker ({jobseeker_id}); register the job seeker first."
                ),
            )]));
        }
        let context = actor.event_context(&fair.office);
        let command = FairCommand::Register(RegisterVisitor {
            jobseeker_id,
            now: context.at,
        });
        self.change(id, command, &context, None, key).await
    }

    /// A job seeker withdraws a registration: themself, or fair staff of
    /// the fair's scope. A place it held goes to the first on the waiting
    /// list.
    pub async fn cancel_registration(
        &self,
        actor: &Actor,
        id: FairId,
        jobseeker_id: JobSeekerId,
    ) -> Result<Saved<Fair>> {
        let fair = self.load(id).await?;
        self.may_act_for_visitor(actor, &fair, jobseeker_id)?;
        let context = actor.event_context(&fair.office);
        let command = FairCommand::CancelRegistration(CancelRegistration {
            jobseeker_id,
            now: context.at,
        });
        self.change(id, command, &context, None, None).await
    }

    /// A visitor at the door of an on-site fair (from the time the office's
    /// rule opens it before the start), or at a stand: fair staff of the
    /// fair's scope (scanning), or the job seeker themself.
    pub async fn attend(
        &self,
        actor: &Actor,
        id: FairId,
        attendance: Attendance,
    ) -> Result<Saved<Fair>> {
        let fair = self.load(id).await?;
        self.may_act_for_visitor(actor, &fair, attendance.jobseeker_id)?;
        let context = actor.event_context(&fair.office);
        let command = match attendance.stand {
            None => FairCommand::CheckIn(CheckIn {
                jobseeker_id: attendance.jobseeker_id,
                opens_before_start: self.rules.for_office(&fair.office).check_in_opens_before(),
                now: context.at,
            }),
            Some(employer_id) => FairCommand::VisitStand(VisitStand {
                jobseeker_id: attendance.jobseeker_id,
                employer_id,
                now: context.at,
            }),
        };
        self.change(id, command, &context, None, None).await
    }

    /// The fair as it stands, or 404.
    pub(crate) async fn load(&self, id: FairId) -> Result<Fair> {
        Ok(Saved::read(&self.repository, id, None, || not_found(id))
            .await?
            .state)
    }

    async fn employer(&self, id: EmployerId) -> Result<Employer> {
        self.repository
            .load::<Employer>(id)
            .await?
            .state
            .ok_or_else(|| {
                Error::Invalid(vec![FieldError::with_sentence(
                    "employer_id",
                    InputError::EmployerUnknown,
                    format!("employer_id names no registered employer ({id}); register the employer first."),
                )])
            })
    }

    /// Each vacancy as it stands at `now`, or a 422 naming those that are
    /// not published.
    async fn vacancy_facts(
        &self,
        ids: &[VacancyId],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<VacancyForFair>> {
        let mut facts = Vec::with_capacity(ids.len());
        let mut unknown = Vec::new();
        for (index, id) in ids.iter().enumerate() {
            match self.repository.load::<Vacancy>(*id).await?.state {
                Some(vacancy) => facts.push(VacancyForFair {
                    vacancy_id: vacancy.id,
                    employer_id: vacancy.employer_id,
                    open: vacancy.status_at(now) == VacancyStatus::Open,
                }),
                None => unknown.push(FieldError::with_sentence(
                    &format!("vacancy_ids[{index}]"),
                    InputError::VacancyUnknown,
                    format!("vacancy_ids[{index}] names no published vacancy ({id}); publish it first, or send it under new_vacancies."),
                )),
            }
        }
        if unknown.is_empty() {
            Ok(facts)
        } else {
            Err(Error::Invalid(unknown))
        }
    }

    fn may_act_for_exhibitor(
        &self,
        actor: &Actor,
        fair: &Fair,
        employer: EmployerId,
    ) -> Result<()> {
        match actor.role {
            Role::Employer if actor.employer_id == Some(employer) => Ok(()),
            Role::Employer => Err(Error::forbidden(
                "An employer exhibits only for itself; use a token issued to this employer.",
            )),
            _ => actor.may_act_in_as(FAIR_STAFF, &fair.details.region),
        }
    }

    fn may_act_for_visitor(
        &self,
        actor: &Actor,
        fair: &Fair,
        jobseeker: JobSeekerId,
    ) -> Result<()> {
        if actor.is_jobseeker(jobseeker) {
            return Ok(());
        }
        if actor.role == Role::Jobseeker {
            return Err(Error::forbidden(
                "A job seeker registers and attends only for themself; use your own token.",
            ));
        }
        actor.may_act_in_as(FAIR_STAFF, &fair.details.region)
    }

    /// Executes `command` on fair `id`, at the revision `if_match` when
    /// given (a conflict is then stale), and idempotently under `key`.
    async fn change(
        &self,
        id: FairId,
        command: FairCommand,
        context: &EventContext,
        if_match: Option<u64>,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Fair>> {
        let mut options = ExecuteOptions::default();
        if let Some(revision) = if_match {
            options = options.if_match(revision);
        }
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<Fair>(id, command, context, options)
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        Saved::executed(done)
    }
}

/// Vacancies are published for an exhibitor only where the fair would
/// take them: not for a fair cancelled or over.
fn refuse_unless_open(fair: &Fair, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    match fair.status_at(now) {
        FairStatus::Cancelled => Err(Error::refused(labex_domain::fair::FairError::Cancelled)),
        FairStatus::Ended => Err(Error::refused(labex_domain::fair::FairError::Ended {
            ends_at: fair.details.ends_at,
        })),
        FairStatus::Scheduled | FairStatus::UnderWay => Ok(()),
    }
}

/// The key of the `index`-th new vacancy of an exhibition sent with
/// `key`: a retry derives the same ids and publishes nothing twice.
fn derived_key(key: &IdempotencyKey, index: usize) -> Result<IdempotencyKey> {
    let text = key.as_str();
    let kept = text.get(..text.len().min(240)).unwrap_or(text);
    IdempotencyKey::parse(&format!("{kept}/nv{index}"))
        .map_err(|error| Error::internal(format_args!("a derived idempotency key: {error}")))
}

pub(crate) fn not_found(id: FairId) -> Error {
    Error::not_found(format!("No fair {id} is scheduled; check the id."))
}
