//! Public-welfare placements (公益性岗位): the process manager that turns a
//! hire into a vacancy marked `public_welfare` into a placement, the list
//! of placements by office (those ending soon first to plan for), and the
//! office's record of a placement ending early.
//!
//! The process reads the hired vacancy's stream when it reacts (decision
//! 064): whether the post is a public-welfare one and its minimum salary
//! are facts of the vacancy at the moment of the hire, which the referral's
//! outcome does not carry. The placement's id is derived from the
//! referral, so every delivery of the hire names the same placement.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use kurrentdb::Client;
use labex_app::{Actor, Error, ListKey, ListPage, Listed, Result, RuleBook, STAFF, Saved};
use labex_domain::referral::{ReferralEvent, ReferralOutcome, ReferralOutcomeRecorded};
use labex_domain::vacancy::Vacancy;
use labex_domain::value::DivisionCode;
use labex_domain::welfare::{
    EndWelfarePlacement, StartWelfarePlacement, WelfareCommand, WelfareExitReason,
    WelfarePlacement, WelfarePlacementId, WelfareRules, WelfareStatus,
};
use labex_domain::{Event, china_date, rfc3339_millis};
use labex_eventsourcing::{
    EventFilter, ExecuteOptions, ExpectedRevision, ProcessManager, ProjectionError,
    ProjectionRunner, ReadModel, Repository, RepositoryError, RunnerOptions, StateProjection,
    StateView, StoredEvent, pass_over_refusal, reaction_context, reaction_key, start_process,
};
use rusqlite::{Connection, Transaction, params};

use crate::requests::WelfareExit;
use crate::views::WelfareSummary;

/// The name of its checkpoint.
pub const WELFARE_PROCESS: &str = "welfare-process";
/// The actor its events name.
pub const WELFARE_ACTOR: &str = "process:welfare-placements";
/// The offices' welfare rules in the service's folder.
pub const WELFARE_RULES_FILE: &str = "welfare-rules.json";
/// The placements' database file in the service's folder.
pub const WELFARE_FILE: &str = "welfare.sqlite";

/// The welfare placement process manager.
pub struct WelfareProcess {
    repository: Repository,
    rules: RuleBook<WelfareRules>,
}

impl WelfareProcess {
    /// Runs the process on a task of the current runtime, keeping its
    /// checkpoint in the database of `connection`.
    pub fn start(
        repository: Repository,
        rules: RuleBook<WelfareRules>,
        connection: Connection,
    ) -> ProjectionRunner {
        let client: Client = repository.client().clone();
        start_process(
            client,
            connection,
            Self { repository, rules },
            RunnerOptions::default(),
        )
    }

    /// Places the person of a hire into a public-welfare post; nothing for
    /// any other outcome or post. Safe to repeat.
    pub async fn react_to(
        repository: &Repository,
        rules: &RuleBook<WelfareRules>,
        event: &StoredEvent,
    ) -> Result<(), RepositoryError> {
        let Event::Referral(ReferralEvent::OutcomeRecorded(outcome)) = &event.event else {
            return Ok(());
        };
        if outcome.outcome != ReferralOutcome::Hired {
            return Ok(());
        }
        let Some(vacancy) = repository.load::<Vacancy>(outcome.vacancy_id).await?.state else {
            return Ok(());
        };
        if !vacancy.details.public_welfare {
            return Ok(());
        }
        let office = vacancy.details.region.clone();
        let placement_id = WelfarePlacementId::of_hire(outcome.referral_id);
        let command = WelfareCommand::Start(StartWelfarePlacement {
            placement_id,
            jobseeker_id: outcome.jobseeker_id,
            vacancy_id: outcome.vacancy_id,
            employer_id: outcome.employer_id,
            referral_id: outcome.referral_id,
            office: office.clone(),
            started_on: outcome.date,
            post_minimum_salary_yuan: vacancy.details.salary.min_yuan(),
            rules: rules.for_office(&office).clone(),
        });
        let mut context = reaction_context(event, WELFARE_ACTOR);
        context.office = Some(office);
        let options =
            ExecuteOptions::default().idempotency_key(reaction_key(WELFARE_PROCESS, event.id));
        let done = repository
            .execute_with::<WelfarePlacement>(placement_id, command, &context, options)
            .await;
        pass_over_refusal(
            WELFARE_PROCESS,
            &placement_id.stream_name(),
            done.map(|_| ()),
        )
    }
}

impl ProcessManager for WelfareProcess {
    fn name(&self) -> &str {
        WELFARE_PROCESS
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types([ReferralOutcomeRecorded::EVENT_TYPE])
    }

    async fn react(&self, event: &StoredEvent) -> Result<(), ProjectionError> {
        Ok(Self::react_to(&self.repository, &self.rules, event).await?)
    }
}

/// The placements' read model: one row per placement, from its state.
pub struct WelfareList;

impl StateView for WelfareList {
    type State = WelfarePlacement;

    fn name(&self) -> &str {
        "welfare-list"
    }

    fn version(&self) -> u32 {
        // 2: every version kept for `as_of`.
        2
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch("DROP TABLE IF EXISTS welfare_placements;")?;
            crate::history::drop(transaction, "welfare_placements")?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS welfare_placements (
                id TEXT PRIMARY KEY,
                office TEXT NOT NULL,
                jobseeker_id TEXT NOT NULL,
                vacancy_id TEXT NOT NULL,
                employer_id TEXT NOT NULL,
                started_on TEXT NOT NULL,
                ends_on TEXT NOT NULL,
                subsidy_months INTEGER NOT NULL,
                monthly_subsidy_fen INTEGER NOT NULL,
                exit_reason TEXT,
                exited_on TEXT,
                placed_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS welfare_placements_ending ON welfare_placements (ends_on);",
        )?;
        crate::history::create(transaction, "welfare_placements")
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        placement: &WelfarePlacement,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let placed_at = rfc3339_millis(event.metadata.at_or(event.created));
        transaction
            .prepare_cached(
                "INSERT INTO welfare_placements
                    (id, office, jobseeker_id, vacancy_id, employer_id, started_on, ends_on,
                     subsidy_months, monthly_subsidy_fen, exit_reason, exited_on, placed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (id) DO UPDATE SET
                    exit_reason = excluded.exit_reason, exited_on = excluded.exited_on",
            )?
            .execute(params![
                placement.id.to_string(),
                placement.office.as_str(),
                placement.jobseeker_id.to_string(),
                placement.vacancy_id.to_string(),
                placement.employer_id.to_string(),
                placement.started_on.to_string(),
                placement.ends_on.to_string(),
                placement.subsidy_months,
                placement.monthly_subsidy_fen,
                placement.exit.as_ref().map(|exit| exit.reason.as_str()),
                placement.exit.as_ref().map(|exit| exit.on.to_string()),
                placed_at,
            ])?;
        let at = rfc3339_millis(event.metadata.at_or(event.created));
        crate::history::record(
            transaction,
            "welfare_placements",
            &placement.id.to_string(),
            &at,
            &[],
        )?;
        Ok(())
    }
}

/// The public-welfare placements' application.
pub struct Welfare {
    repository: Repository,
    list: ReadModel,
    rules: RuleBook<WelfareRules>,
}

impl Welfare {
    /// Opens the placements' read model under `folder` and starts its
    /// projection: the application, and the runner.
    pub fn open(
        repository: Repository,
        folder: &Path,
        rules: RuleBook<WelfareRules>,
    ) -> rusqlite::Result<(Self, ProjectionRunner)> {
        let (list, runner) = ReadModel::start(
            &folder.join(WELFARE_FILE),
            repository.client().clone(),
            StateProjection::new(WelfareList),
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

    /// A placement now or as it stood at `as_of`: office staff in scope.
    pub async fn get(
        &self,
        actor: &Actor,
        id: WelfarePlacementId,
        as_of: Option<chrono::DateTime<Utc>>,
    ) -> Result<Saved<WelfarePlacement>> {
        actor.require_role(STAFF)?;
        let found: Saved<WelfarePlacement> =
            Saved::read(&self.repository, id, as_of, || not_found(id)).await?;
        actor.may_act_in(&found.state.office)?;
        Ok(found)
    }

    /// Records that a placement ended before its period was over: office
    /// staff in scope.
    pub async fn end(
        &self,
        actor: &Actor,
        id: WelfarePlacementId,
        exit: WelfareExit,
        if_match: Option<u64>,
    ) -> Result<Saved<WelfarePlacement>> {
        let placement = self.get(actor, id, None).await?.state;
        let context = actor.event_context(&placement.office);
        let options = match if_match {
            Some(revision) => ExecuteOptions::default().if_match(revision),
            None => ExecuteOptions::default().expected(ExpectedRevision::Latest),
        };
        let command = WelfareCommand::End(EndWelfarePlacement {
            reason: exit.reason,
            ended_on: exit.on.unwrap_or_else(|| china_date(Utc::now())),
            note: exit.note,
        });
        let done = self
            .repository
            .execute_with::<WelfarePlacement>(id, command, &context, options)
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        Saved::executed(done)
    }

    /// The placements of an office's scope, newest first; with `ending`,
    /// only those the domain says are ending soon today
    /// (`WelfarePlacement::ending_soon`: active, their period ending within
    /// the office's days, default 60), soonest end first.
    pub async fn list(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        ending: bool,
        page: ListPage,
        as_of: Option<chrono::DateTime<Utc>>,
    ) -> Result<Listed<WelfareSummary>> {
        actor.require_role(STAFF)?;
        let office = office.unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&office)?;
        let today = crate::queries::day_of(as_of);
        let moment = as_of.map(rfc3339_millis);
        let window = self.rules.for_office(&office).ending_window(today);
        let after = page.after_key()?;
        let limit = page.limit;
        let items = self
            .list
            .read(move |connection| {
                list(
                    connection,
                    &office,
                    ending.then_some(window),
                    after.as_ref(),
                    limit,
                    today,
                    moment.as_deref(),
                )
            })
            .await?;
        Ok(Listed::from_overfetch(items, limit, |item| {
            // The ending list is paged by its end day, written as the
            // moment of its start (a key is a moment and an id).
            let at = if ending {
                format!("{}T00:00:00.000Z", item.ends_on)
            } else {
                item.placed_at.clone()
            };
            ListKey::new(at, item.id.clone()).to_string()
        }))
    }
}

/// A column the read model wrote that does not read back.
fn conversion(
    column: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
}

fn not_found(id: WelfarePlacementId) -> Error {
    Error::not_found(format!(
        "No public-welfare placement {id} exists; check the id."
    ))
}

fn list(
    connection: &Connection,
    office: &DivisionCode,
    ending: Option<(NaiveDate, NaiveDate)>,
    after: Option<&ListKey>,
    limit: u32,
    today: NaiveDate,
    as_of: Option<&str>,
) -> rusqlite::Result<Vec<WelfareSummary>> {
    let source = crate::history::source("welfare_placements", as_of);
    let prefix = format!("{}%", office.scope_prefix());
    let (from, to) = match ending {
        Some((from, to)) => (Some(from.to_string()), Some(to.to_string())),
        None => (None, None),
    };
    // Ending soon: the domain's window, soonest end first (paged by end
    // day and id); else newest first (paged by the moment and id).
    let sql = if ending.is_some() {
        format!(
            "SELECT id, office, jobseeker_id, vacancy_id, employer_id, started_on, ends_on,
                subsidy_months, monthly_subsidy_fen, exit_reason, exited_on, placed_at
         FROM {source}
         WHERE office LIKE ?1
           AND exit_reason IS NULL AND ends_on >= ?2 AND ends_on <= ?3
           AND (?4 IS NULL OR ends_on > ?4 OR (ends_on = ?4 AND id > ?5))
         ORDER BY ends_on ASC, id ASC
         LIMIT ?6"
        )
    } else {
        format!(
            "SELECT id, office, jobseeker_id, vacancy_id, employer_id, started_on, ends_on,
                subsidy_months, monthly_subsidy_fen, exit_reason, exited_on, placed_at
         FROM {source}
         WHERE office LIKE ?1 AND ?2 IS NULL AND ?3 IS NULL
           AND (?4 IS NULL OR placed_at < ?4 OR (placed_at = ?4 AND id < ?5))
         ORDER BY placed_at DESC, id DESC
         LIMIT ?6"
        )
    };
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            prefix,
            from,
            to,
            after.map(|key| {
                if ending.is_some() {
                    key.at.get(..10).unwrap_or(key.at.as_str())
                } else {
                    key.at.as_str()
                }
            }),
            after.map(|key| key.id.as_str()),
            i64::from(limit) + 1,
        ],
        |row| {
            let ends_on: String = row.get(6)?;
            let exit_reason: Option<String> = row.get(9)?;
            // The domain's status (`WelfareStatus::of`) of what the row keeps.
            let exit = exit_reason
                .as_deref()
                .map(WelfareExitReason::parse)
                .transpose()
                .map_err(|error| conversion(9, error))?;
            let last_day = ends_on
                .parse::<NaiveDate>()
                .map_err(|error| conversion(6, error))?;
            let status = WelfareStatus::of(exit, last_day, today).as_str().to_owned();
            Ok(WelfareSummary {
                id: row.get(0)?,
                office: row.get(1)?,
                jobseeker_id: row.get(2)?,
                vacancy_id: row.get(3)?,
                employer_id: row.get(4)?,
                started_on: row.get(5)?,
                ends_on,
                subsidy_months: row.get(7)?,
                monthly_subsidy_fen: row.get(8)?,
                status,
                exited_on: row.get(10)?,
                placed_at: row.get(11)?,
            })
        },
    )?;
    rows.collect()
}
