//! Internships (就业见习): the agreement between an intern and a host
//! employer, its start, monthly attendance, early end or completion; the
//! process manager that records the host keeping the intern (a hire or an
//! employment registration at the host); the lists of internships and the
//! rates of each host. Office staff in scope act; an employer sees the
//! internships at its own company only.
//!
//! The process manager finds a person's internships at an employer in the
//! internships' read model: an internship is agreed long before its intern
//! is hired, so the read model has it by then.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use kurrentdb::Client;
use labex_app::{
    Actor, Error, FieldError, InputError, ListKey, ListPage, Listed, Result, Role, RuleBook, STAFF,
    Saved, new_id,
};
use labex_domain::employer::Employer;
use labex_domain::household::Cause;
use labex_domain::internship::{
    AgreeInternship, InternFacts, Internship, InternshipCommand, InternshipId, InternshipRules,
    InternshipStatus,
};
use labex_domain::jobseeker::{EmploymentRegistered, JobSeeker, JobSeekerEvent, JobSeekerStatus};
use labex_domain::referral::{ReferralEvent, ReferralOutcome, ReferralOutcomeRecorded};
use labex_domain::value::{DivisionCode, PersonName};
use labex_domain::{EmployerId, Event, JobSeekerId, china_date, rfc3339_millis};
use labex_eventsourcing::{
    EventFilter, ExecuteOptions, ExpectedRevision, IdempotencyKey, ProcessManager, ProjectionError,
    ProjectionRunner, ReadModel, Repository, RunnerOptions, StateProjection, StateView,
    StoredEvent, pass_over_refusal, reaction_context, reaction_key, start_process,
};
use rusqlite::{Connection, Transaction, params};

use crate::views::{HostRates, InternshipSummary};

/// The internships' database file in the service's folder.
pub const INTERNSHIPS_FILE: &str = "internships.sqlite";
/// The offices' internship rules in the service's folder.
pub const INTERNSHIP_RULES_FILE: &str = "internship-rules.json";
/// The name of the retention process's checkpoint.
pub const RETENTION_PROCESS: &str = "internship-retention";
/// The actor its events name.
pub const RETENTION_ACTOR: &str = "process:internships";

/// An agreement as asked.
#[derive(Debug, Clone)]
pub struct Agreement {
    pub jobseeker_id: JobSeekerId,
    pub employer_id: EmployerId,
    pub months: u32,
    pub monthly_subsidy_fen: u64,
    pub tutor: PersonName,
}

/// The internships' application.
pub struct Internships {
    repository: Repository,
    list: ReadModel,
    rules: RuleBook<InternshipRules>,
}

impl Internships {
    /// Opens the internships' read model under `folder` and starts its
    /// projection: the application, and the runner.
    pub fn open(
        repository: Repository,
        folder: &Path,
        rules: RuleBook<InternshipRules>,
    ) -> rusqlite::Result<(Self, ProjectionRunner)> {
        let (list, runner) = ReadModel::start(
            &folder.join(INTERNSHIPS_FILE),
            repository.client().clone(),
            StateProjection::new(InternshipList),
        )?;
        Ok((
            Self {
                repository,
                list,
                rules,
            },
            runner,
        ))
    }

    /// The read side of the internships (for the retention process).
    pub fn list_model(&self) -> ReadModel {
        self.list.clone()
    }

    /// Agrees an internship: office staff whose scope covers the host's
    /// region (the office that funds it).
    pub async fn agree(
        &self,
        actor: &Actor,
        agreement: Agreement,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Internship>> {
        actor.require_role(STAFF)?;
        let jobseeker = self
            .repository
            .load::<JobSeeker>(agreement.jobseeker_id)
            .await?
            .state;
        let employer = self
            .repository
            .load::<Employer>(agreement.employer_id)
            .await?
            .state;
        let mut unknown = Vec::new();
        if jobseeker.is_none() {
            unknown.push(FieldError::with_sentence(
                "jobseeker_id",
                InputError::JobSeekerUnknown,
                "No such job seeker is registered; register them first.",
            ));
        }
        if employer.is_none() {
            unknown.push(FieldError::with_sentence(
                "employer_id",
                InputError::EmployerUnknown,
                "No such employer is registered; register it first.",
            ));
        }
        let (Some(jobseeker), Some(employer)) = (jobseeker, employer) else {
            return Err(Error::Invalid(unknown));
        };
        actor.may_act_in(&employer.region)?;
        let today = china_date(Utc::now());
        let intern = InternFacts {
            graduate: jobseeker
                .profile
                .categories
                .iter()
                .any(|category| category.requires_higher_education()),
            registered_unemployed: jobseeker.status == JobSeekerStatus::RegisteredUnemployed,
            age: jobseeker
                .personal
                .known()
                .map_or(0, |personal| personal.id_number.age_on(today)),
        };
        let id: InternshipId = new_id(actor, key.as_ref());
        let command = InternshipCommand::Agree(AgreeInternship {
            internship_id: id,
            jobseeker_id: agreement.jobseeker_id,
            intern,
            employer_id: agreement.employer_id,
            office: employer.region.clone(),
            months: agreement.months,
            monthly_subsidy_fen: agreement.monthly_subsidy_fen,
            tutor: agreement.tutor,
            rules: self.rules.for_office(&employer.region).clone(),
        });
        let context = actor.event_context(&employer.region);
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<Internship>(id, command, &context, options)
            .await?;
        Saved::executed(done)
    }

    /// An internship now or as it stood at `as_of`: office staff in scope,
    /// and the host employer.
    pub async fn get(
        &self,
        actor: &Actor,
        id: InternshipId,
        as_of: Option<chrono::DateTime<Utc>>,
    ) -> Result<Saved<Internship>> {
        let found: Saved<Internship> =
            Saved::read(&self.repository, id, as_of, || not_found(id)).await?;
        actor.may_act_for_employer(found.state.employer_id, &found.state.office)?;
        Ok(found)
    }

    /// Starts, records attendance, ends early or completes: office staff
    /// in scope.
    pub async fn change(
        &self,
        actor: &Actor,
        id: InternshipId,
        command: InternshipCommand,
        if_match: Option<u64>,
    ) -> Result<Saved<Internship>> {
        actor.require_role(STAFF)?;
        let internship = self.get(actor, id, None).await?.state;
        actor.may_act_in(&internship.office)?;
        let context = actor.event_context(&internship.office);
        let options = match if_match {
            Some(revision) => ExecuteOptions::default().if_match(revision),
            None => ExecuteOptions::default(),
        };
        let done = self
            .repository
            .execute_with::<Internship>(id, command, &context, options)
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        Saved::executed(done)
    }

    /// Internships of an office's scope (the actor's office when absent),
    /// newest first, optionally of one host; an employer sees its own only.
    pub async fn list(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        employer: Option<EmployerId>,
        page: ListPage,
        as_of: Option<chrono::DateTime<Utc>>,
    ) -> Result<Listed<InternshipSummary>> {
        let (office, employer) = self.scope(actor, office, employer)?;
        let after = page.after_key()?;
        let limit = page.limit;
        let moment = as_of.map(rfc3339_millis);
        let items = self
            .list
            .read(move |connection| {
                list(
                    connection,
                    office.as_ref(),
                    employer,
                    after.as_ref(),
                    limit,
                    moment.as_deref(),
                )
            })
            .await?;
        Ok(Listed::from_overfetch(items, limit, |item| {
            ListKey::new(item.agreed_at.clone(), item.id.clone()).to_string()
        }))
    }

    /// A host's interns and its completion and retention rates: office
    /// staff (their scope's internships), or the host itself.
    pub async fn host_rates(
        &self,
        actor: &Actor,
        employer: EmployerId,
        as_of: Option<chrono::DateTime<Utc>>,
    ) -> Result<HostRates> {
        let (office, employer) = self.scope(actor, None, Some(employer))?;
        let employer = employer.expect("a host is named");
        let moment = as_of.map(rfc3339_millis);
        Ok(self
            .list
            .read(move |connection| {
                host_rates(connection, office.as_ref(), employer, moment.as_deref())
            })
            .await?)
    }

    /// The office scope and host a list may show `actor`.
    fn scope(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        employer: Option<EmployerId>,
    ) -> Result<(Option<DivisionCode>, Option<EmployerId>)> {
        if actor.role == Role::Employer {
            let own = actor.employer_id.ok_or_else(|| {
                Error::forbidden("An employer token names its employer; use one that does.")
            })?;
            if employer.is_some_and(|asked| asked != own) {
                return Err(Error::forbidden(
                    "An employer sees the internships at its own company only.",
                ));
            }
            return Ok((office, Some(own)));
        }
        actor.require_role(STAFF)?;
        let office = office.unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&office)?;
        Ok((Some(office), employer))
    }
}

fn not_found(id: InternshipId) -> Error {
    Error::not_found(format!("No internship {id} was agreed; check the id."))
}

/// The internships' read model.
pub struct InternshipList;

impl StateView for InternshipList {
    type State = Internship;

    fn name(&self) -> &str {
        "internship-list"
    }

    fn version(&self) -> u32 {
        // 2: every version kept for `as_of`.
        2
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch("DROP TABLE IF EXISTS internships;")?;
            crate::history::drop(transaction, "internships")?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS internships (
                id TEXT PRIMARY KEY,
                office TEXT NOT NULL,
                jobseeker_id TEXT NOT NULL,
                employer_id TEXT NOT NULL,
                months INTEGER NOT NULL,
                monthly_subsidy_fen INTEGER NOT NULL,
                status TEXT NOT NULL,
                started_on TEXT,
                ended_on TEXT,
                retained_on TEXT,
                subsidy_owed_fen INTEGER NOT NULL,
                agreed_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS internships_by_person ON internships (jobseeker_id);
            CREATE INDEX IF NOT EXISTS internships_by_host ON internships (employer_id);",
        )?;
        crate::history::create(transaction, "internships")
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        internship: &Internship,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let day = |day: Option<NaiveDate>| day.map(|day| day.to_string());
        transaction
            .prepare_cached(
                "INSERT INTO internships
                    (id, office, jobseeker_id, employer_id, months, monthly_subsidy_fen, status,
                     started_on, ended_on, retained_on, subsidy_owed_fen, agreed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (id) DO UPDATE SET
                    status = excluded.status, started_on = excluded.started_on,
                    ended_on = excluded.ended_on, retained_on = excluded.retained_on,
                    subsidy_owed_fen = excluded.subsidy_owed_fen",
            )?
            .execute(params![
                internship.id.to_string(),
                internship.office.as_str(),
                internship.jobseeker_id.to_string(),
                internship.employer_id.to_string(),
                internship.months,
                internship.monthly_subsidy_fen,
                internship.status.as_str(),
                day(internship.started_on),
                day(internship.ended_on),
                day(internship.retained_on),
                internship.subsidy_owed_fen(),
                rfc3339_millis(event.metadata.at_or(event.created)),
            ])?;
        let at = rfc3339_millis(event.metadata.at_or(event.created));
        crate::history::record(
            transaction,
            "internships",
            &internship.id.to_string(),
            &at,
            &[],
        )?;
        Ok(())
    }
}

fn list(
    connection: &Connection,
    office: Option<&DivisionCode>,
    employer: Option<EmployerId>,
    after: Option<&ListKey>,
    limit: u32,
    as_of: Option<&str>,
) -> rusqlite::Result<Vec<InternshipSummary>> {
    let prefix = office.map_or_else(
        || "%".to_owned(),
        |office| format!("{}%", office.scope_prefix()),
    );
    let source = crate::history::source("internships", as_of);
    let mut statement = connection.prepare_cached(&format!(
        "SELECT id, office, jobseeker_id, employer_id, months, monthly_subsidy_fen, status,
                started_on, ended_on, retained_on, subsidy_owed_fen, agreed_at
         FROM {source}
         WHERE office LIKE ?1 AND (?2 IS NULL OR employer_id = ?2)
           AND (?3 IS NULL OR agreed_at < ?3 OR (agreed_at = ?3 AND id < ?4))
         ORDER BY agreed_at DESC, id DESC
         LIMIT ?5"
    ))?;
    let rows = statement.query_map(
        params![
            prefix,
            employer.map(|employer| employer.to_string()),
            after.map(|key| key.at.as_str()),
            after.map(|key| key.id.as_str()),
            i64::from(limit) + 1,
        ],
        |row| {
            Ok(InternshipSummary {
                id: row.get(0)?,
                office: row.get(1)?,
                jobseeker_id: row.get(2)?,
                employer_id: row.get(3)?,
                months: row.get(4)?,
                monthly_subsidy_fen: row.get(5)?,
                status: row.get(6)?,
                started_on: row.get(7)?,
                ended_on: row.get(8)?,
                retained_on: row.get(9)?,
                subsidy_owed_fen: row.get(10)?,
                agreed_at: row.get(11)?,
            })
        },
    )?;
    rows.collect()
}

/// The host's figures: the rows of its internships in scope, counted by
/// the domain's [`HostRates::of`].
fn host_rates(
    connection: &Connection,
    office: Option<&DivisionCode>,
    employer: EmployerId,
    as_of: Option<&str>,
) -> rusqlite::Result<HostRates> {
    let prefix = office.map_or_else(
        || "%".to_owned(),
        |office| format!("{}%", office.scope_prefix()),
    );
    let source = crate::history::source("internships", as_of);
    let mut statement = connection.prepare_cached(&format!(
        "SELECT status, retained_on IS NOT NULL
         FROM {source} WHERE employer_id = ?1 AND office LIKE ?2"
    ))?;
    let rows = statement.query_map(params![employer.to_string(), prefix], |row| {
        let status: String = row.get(0)?;
        let retained: bool = row.get(1)?;
        Ok((status, retained))
    })?;
    let mut internships = Vec::new();
    for row in rows {
        let (status, retained) = row?;
        let status = InternshipStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("unknown internship status {status}").into(),
            )
        })?;
        internships.push((status, retained));
    }
    let rates = labex_domain::internship::HostRates::of(internships);
    Ok(HostRates {
        employer_id: employer.to_string(),
        interns: rates.interns,
        completed: rates.completed,
        ended_early: rates.ended_early,
        retained: rates.retained,
        completion_rate: rates.completion_rate,
        retention_rate: rates.retention_rate,
    })
}

/// Records the host keeping an intern: a hire or an employment
/// registration of the intern at an employer that hosts (or hosted) them.
pub struct RetentionProcess {
    repository: Repository,
    list: ReadModel,
}

impl RetentionProcess {
    /// Runs the process on a task of the current runtime.
    pub fn start(
        repository: Repository,
        list: ReadModel,
        connection: Connection,
    ) -> ProjectionRunner {
        let client: Client = repository.client().clone();
        start_process(
            client,
            connection,
            Self { repository, list },
            RunnerOptions::default(),
        )
    }

    /// Records one employment on the intern's internships at that host.
    /// Safe to repeat.
    pub async fn react_to(
        repository: &Repository,
        list: &ReadModel,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let (jobseeker, employer, started_on) = match &event.event {
            Event::JobSeeker(JobSeekerEvent::EmploymentRegistered(EmploymentRegistered {
                jobseeker_id,
                employer_id: Some(employer_id),
                started_on,
                ..
            })) => (*jobseeker_id, *employer_id, *started_on),
            Event::Referral(ReferralEvent::OutcomeRecorded(ReferralOutcomeRecorded {
                jobseeker_id,
                employer_id,
                outcome: ReferralOutcome::Hired,
                date,
                ..
            })) => (*jobseeker_id, *employer_id, *date),
            _ => return Ok(()),
        };
        let person = jobseeker.to_string();
        let host = employer.to_string();
        let ids: Vec<String> = list
            .read(move |connection| {
                let mut statement = connection.prepare_cached(
                    "SELECT id FROM internships WHERE jobseeker_id = ?1 AND employer_id = ?2",
                )?;
                let rows = statement.query_map(params![person, host], |row| row.get(0))?;
                rows.collect()
            })
            .await
            .map_err(|error| ProjectionError::Worker(error.to_string()))?;
        for id in ids {
            let Ok(id) = InternshipId::parse(&id) else {
                continue;
            };
            let command = InternshipCommand::RecordEmployment {
                employer_id: employer,
                started_on,
                cause: Cause {
                    event_id: event.id,
                    event_type: event.event.event_type().to_owned(),
                },
            };
            let mut context = reaction_context(event, RETENTION_ACTOR);
            if let Some(internship) = repository.load::<Internship>(id).await?.state {
                context.office = Some(internship.office);
            }
            let options = ExecuteOptions::default()
                .idempotency_key(reaction_key(RETENTION_PROCESS, event.id));
            let done = repository
                .execute_with::<Internship>(id, command, &context, options)
                .await;
            pass_over_refusal(RETENTION_PROCESS, &id.stream_name(), done.map(|_| ()))?;
        }
        Ok(())
    }
}

impl ProcessManager for RetentionProcess {
    fn name(&self) -> &str {
        RETENTION_PROCESS
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types([
            EmploymentRegistered::EVENT_TYPE,
            ReferralOutcomeRecorded::EVENT_TYPE,
        ])
    }

    async fn react(&self, event: &StoredEvent) -> Result<(), ProjectionError> {
        Self::react_to(&self.repository, &self.list, event).await
    }
}
