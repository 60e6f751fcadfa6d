//! The use cases of employers and vacancies that change something:
//! register an employer (one per unified social credit code), publish a
//! vacancy (用工信息) by the employer or an office on its behalf, edit it,
//! withdraw or close it. Each takes the [`Actor`] and a typed command and
//! does load → authorise → decide → claim → append; none knows HTTP.
//!
//! The office of every event (its `office` metadata) is the office of the
//! record it belongs to: an employer's region for the employer's events,
//! and, for a vacancy's events, the region of the vacancy's employer, not
//! the vacancy's own region (where the work is). An employer is served by
//! the office where it is registered, wherever it hires; that office (and
//! every office whose scope covers it) is who may act for it, so the
//! events of its vacancies are counted where the decisions on them are
//! made (decision record 047).

use std::path::Path;

use labex_app::arrears_marks::ArrearsMarks;
use labex_app::{Actor, Error, Result, STAFF, Saved, create_claimed, new_id};
use labex_domain::employer::{Employer, EmployerCommand, RegisterEmployer};
use labex_domain::vacancy::{CloseVacancy, PublishVacancy, UpdateVacancy, Vacancy, VacancyCommand};
use labex_domain::{EmployerId, VacancyId};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, ExpectedRevision, IdempotencyKey, ProjectionRunner, ReadModel,
    Repository, StateProjection,
};

use crate::employer_list::EmployerList;
use crate::requests::{EmployerRegistration, Publication, VacancyEdit};
use crate::vacancy_list::VacancyList;

/// The category of the claim streams of credit codes:
/// `employercode-<credit code>`.
pub const CLAIM_CATEGORY: &str = "employercode";

/// The application of employers and vacancies: its use cases over the
/// store and its two read models, the public vacancy list and the offices'
/// employer lists.
pub struct Employers {
    pub(crate) repository: Repository,
    pub(crate) vacancies: ReadModel,
    pub(crate) employers: ReadModel,
    pub(crate) arrears: ReadModel,
}

impl Employers {
    /// The application over `repository`, listing vacancies from
    /// `vacancies` and employers from `employers`, and marking employers
    /// with open wage-arrears cases from `arrears`.
    pub fn new(
        repository: Repository,
        vacancies: ReadModel,
        employers: ReadModel,
        arrears: ReadModel,
    ) -> Self {
        Self {
            repository,
            vacancies,
            employers,
            arrears,
        }
    }

    /// Opens its read models under `folder` (`readmodel.sqlite`: the
    /// vacancy list; `employer-list.sqlite`; `arrears-marks.sqlite`: the
    /// employers' open wage-arrears cases) and starts the projections that
    /// keep them: the application, and the runners (vacancies first).
    pub fn open(
        repository: Repository,
        folder: &Path,
    ) -> rusqlite::Result<(Self, [ProjectionRunner; 3])> {
        let client = repository.client().clone();
        let (vacancies, vacancy_runner) = ReadModel::start(
            &folder.join("readmodel.sqlite"),
            client.clone(),
            StateProjection::new(VacancyList),
        )?;
        let (employers, employer_runner) = ReadModel::start(
            &folder.join("employer-list.sqlite"),
            client.clone(),
            StateProjection::new(EmployerList),
        )?;
        let (arrears, arrears_runner) = ReadModel::start(
            &folder.join("arrears-marks.sqlite"),
            client,
            StateProjection::new(ArrearsMarks),
        )?;
        Ok((
            Self::new(repository, vacancies, employers, arrears),
            [vacancy_runner, employer_runner, arrears_runner],
        ))
    }

    /// Registers an employer in `registration.region`: office staff whose
    /// scope covers it. One employer per unified social credit code: the
    /// code is claimed first (`employercode-<code>`). With `key`, a retry
    /// answers as the first attempt did.
    pub async fn register_employer(
        &self,
        actor: &Actor,
        registration: EmployerRegistration,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Employer>> {
        actor.require_role(STAFF)?;
        actor.may_act_in(&registration.region)?;
        let claim = format!("{CLAIM_CATEGORY}-{}", registration.credit_code.as_str());
        let command = |employer_id| {
            EmployerCommand::Register(RegisterEmployer {
                employer_id,
                name: registration.name.clone(),
                credit_code: registration.credit_code.clone(),
                region: registration.region.clone(),
                industry: registration.industry.clone(),
            })
        };
        let proposed = new_id(actor, key.as_ref());
        let context = actor.event_context(&registration.region);
        create_claimed::<Employer>(
            &self.repository,
            &claim,
            proposed,
            command,
            &context,
            key,
            already_registered,
        )
        .await
    }

    /// Publishes a vacancy of `publication.employer_id`: by that employer,
    /// or by an office whose scope covers it. An employer that is not
    /// registered is an invalid `employer_id`. With `key`, a retry answers
    /// as the first attempt did.
    pub async fn publish_vacancy(
        &self,
        actor: &Actor,
        publication: Publication,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Vacancy>> {
        let employer_id = publication.employer_id;
        let Some(employer) = self.repository.load::<Employer>(employer_id).await?.state else {
            return Err(unknown_employer(employer_id));
        };
        actor.may_act_for_employer(employer.id, &employer.region)?;
        let id: VacancyId = new_id(actor, key.as_ref());
        let context = actor.event_context(&employer.region);
        let command = VacancyCommand::Publish(PublishVacancy {
            vacancy_id: id,
            employer_id,
            details: publication.details,
            published_at: context.at,
        });
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<Vacancy>(id, command, &context, options)
            .await?;
        Saved::executed(done)
    }

    /// Edits an open vacancy: only what `edit` names changes (a salary
    /// bound sent alone pairs with the other bound as it stands). The
    /// employer itself, or an office whose scope covers it; at the revision
    /// `if_match` when given.
    pub async fn update_vacancy(
        &self,
        actor: &Actor,
        id: VacancyId,
        edit: VacancyEdit,
        if_match: Option<u64>,
    ) -> Result<Saved<Vacancy>> {
        let (vacancy, employer) = self.load_for_change(actor, id).await?;
        let changes = edit.changes_to(vacancy.details.salary)?;
        let context = actor.event_context(&employer.region);
        let command = VacancyCommand::Update(UpdateVacancy {
            changes,
            updated_at: context.at,
        });
        self.change(id, command, &context, if_match, None).await
    }

    /// Withdraws or closes a vacancy (closing a closed one changes
    /// nothing): the employer itself, or an office whose scope covers it;
    /// at the revision `if_match` when given. With `key`, a retry answers
    /// as the first attempt did.
    pub async fn close_vacancy(
        &self,
        actor: &Actor,
        id: VacancyId,
        close: CloseVacancy,
        if_match: Option<u64>,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Vacancy>> {
        let (_, employer) = self.load_for_change(actor, id).await?;
        let context = actor.event_context(&employer.region);
        let command = VacancyCommand::Close(close);
        self.change(id, command, &context, if_match, key).await
    }

    /// Loads a vacancy to change and its employer, and checks that `actor`
    /// may act for that employer. The employer is read from the store, so
    /// the rule holds from the moment the employer is registered.
    async fn load_for_change(&self, actor: &Actor, id: VacancyId) -> Result<(Vacancy, Employer)> {
        let vacancy: Vacancy = Saved::read(&self.repository, id, None, || vacancy_not_found(id))
            .await?
            .state;
        let Some(employer) = self
            .repository
            .load::<Employer>(vacancy.employer_id)
            .await?
            .state
        else {
            return Err(Error::internal(format_args!(
                "vacancy {id} names employer {} that has no events",
                vacancy.employer_id
            )));
        };
        actor.may_act_for_employer(employer.id, &employer.region)?;
        Ok((vacancy, employer))
    }

    /// Executes `command` on vacancy `id`, at the revision `if_match` when
    /// given (a conflict is then stale), and idempotently under `key`.
    async fn change(
        &self,
        id: VacancyId,
        command: VacancyCommand,
        context: &EventContext,
        if_match: Option<u64>,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Vacancy>> {
        let mut options = ExecuteOptions::default();
        if let Some(revision) = if_match {
            options = options.if_match(revision);
        }
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<Vacancy>(id, command, context, options)
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        Saved::executed(done)
    }
}

pub(crate) fn employer_not_found(id: EmployerId) -> Error {
    Error::not_found(format!("No employer {id} is registered; check the id."))
}

pub(crate) fn vacancy_not_found(id: VacancyId) -> Error {
    Error::not_found(format!("No vacancy {id} is published; check the id."))
}

fn already_registered(id: EmployerId) -> Error {
    Error::conflict(format!(
        "An employer with this unified social credit code is already registered as {id}; use that employer."
    ))
}

fn unknown_employer(id: EmployerId) -> Error {
    Error::Invalid(vec![labex_app::FieldError::with_sentence(
        "employer_id",
        labex_app::InputError::EmployerUnknown,
        format!("employer_id names no registered employer ({id}); register the employer first."),
    )])
}
