//! The register (台帐): a read model of every household, written from its
//! state as the domain folds it ([`StateView`]), with each change of
//! status kept beside it (for the counts at a past moment). Queried by
//! office scope and status, newest declaration first (ties by id), with
//! keyset paging; the late verifications, the overdue plans and contacts,
//! and the cleared households whose follow-up period is over come from
//! the same table. The rules (when a verification is late, when a plan or
//! a contact is overdue) are the domain's: each row keeps the first day
//! the domain says it is late or overdue, and the queries only select on
//! those days.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use labex_app::ListKey;
use labex_domain::household::{Household, HouseholdStatus};
use labex_domain::rfc3339_millis;
use labex_domain::value::DivisionCode;
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use crate::history;
use crate::views::{HouseholdSummary, OverdueItem, StatusChangeView};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "household-register";

/// Keeps the `households` and `household_moves` tables.
pub struct HouseholdRegister;

impl StateView for HouseholdRegister {
    type State = Household;

    fn name(&self) -> &str {
        PROJECTION
    }

    fn version(&self) -> u32 {
        // 2: the domain's lateness and overdue days kept as columns;
        // 3: every version kept for `as_of`.
        3
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch(
                "DROP TABLE IF EXISTS households;
                DROP TABLE IF EXISTS household_moves;",
            )?;
            history::drop(transaction, "households")?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS households (
                id TEXT PRIMARY KEY,
                office TEXT NOT NULL,
                status TEXT NOT NULL,
                address TEXT,
                members TEXT NOT NULL,
                declared_on TEXT NOT NULL,
                verification_due_on TEXT NOT NULL,
                decided_on TEXT,
                verified_on TEXT,
                plan_due_on TEXT,
                has_plan INTEGER NOT NULL,
                counsellor TEXT,
                next_contact_due TEXT,
                contacts INTEGER NOT NULL,
                stabilises_on TEXT,
                move_status TEXT,
                move_on TEXT,
                move_member TEXT,
                move_cause TEXT,
                move_cause_type TEXT,
                declared_at TEXT NOT NULL,
                late_from TEXT,
                overdue_reason TEXT,
                overdue_due_on TEXT,
                overdue_from TEXT
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS households_newest ON households (declared_at, id);
            CREATE INDEX IF NOT EXISTS households_office ON households (office, status);
            CREATE INDEX IF NOT EXISTS households_stabilising ON households (status, stabilises_on);
            CREATE INDEX IF NOT EXISTS households_overdue ON households (overdue_from);
            CREATE TABLE IF NOT EXISTS household_moves (
                household_id TEXT NOT NULL,
                office TEXT NOT NULL,
                status TEXT NOT NULL,
                at TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS household_moves_by_office ON household_moves (office, at);",
        )?;
        history::create(transaction, "households")
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        household: &Household,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let id = household.id.to_string();
        let at = rfc3339_millis(event.metadata.at_or(event.created));
        let before: Option<String> = transaction
            .prepare_cached("SELECT status FROM households WHERE id = ?1")?
            .query_row([&id], |row| row.get(0))
            .optional()?;
        let status = household.status.as_str();
        if before.as_deref() != Some(status) {
            transaction
                .prepare_cached(
                    "INSERT INTO household_moves (household_id, office, status, at)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, household.office.as_str(), status, at])?;
        }
        let members: Vec<String> = household.members.iter().map(ToString::to_string).collect();
        let day = |day: Option<NaiveDate>| day.map(|day| day.to_string());
        let last_move = household.last_move.as_ref();
        // The domain's days, so that the lists only select on them.
        let late_from = household.verification_late_from();
        let due = household.assistance_due();
        transaction
            .prepare_cached(
                "INSERT INTO households
                    (id, office, status, address, members, declared_on, verification_due_on,
                     decided_on, verified_on, plan_due_on, has_plan, counsellor, next_contact_due,
                     contacts, stabilises_on, move_status, move_on, move_member, move_cause,
                     move_cause_type, declared_at, late_from, overdue_reason, overdue_due_on,
                     overdue_from)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)
                 ON CONFLICT (id) DO UPDATE SET
                    office = excluded.office, status = excluded.status,
                    address = excluded.address, members = excluded.members,
                    declared_on = excluded.declared_on,
                    verification_due_on = excluded.verification_due_on,
                    decided_on = excluded.decided_on, verified_on = excluded.verified_on,
                    plan_due_on = excluded.plan_due_on, has_plan = excluded.has_plan,
                    counsellor = excluded.counsellor,
                    next_contact_due = excluded.next_contact_due,
                    contacts = excluded.contacts, stabilises_on = excluded.stabilises_on,
                    move_status = excluded.move_status, move_on = excluded.move_on,
                    move_member = excluded.move_member, move_cause = excluded.move_cause,
                    move_cause_type = excluded.move_cause_type,
                    late_from = excluded.late_from, overdue_reason = excluded.overdue_reason,
                    overdue_due_on = excluded.overdue_due_on,
                    overdue_from = excluded.overdue_from",
            )?
            .execute(params![
                id,
                household.office.as_str(),
                status,
                household.address.known().map(|address| address.as_str()),
                members.join(","),
                household.declared_on.to_string(),
                household.verification_due_on.to_string(),
                day(household.decision.as_ref().map(|decision| decision.on)),
                day(household.verified_on()),
                day(household.plan_due_on),
                household.plan.is_some(),
                household.plan.as_ref().map(|plan| plan.counsellor.as_str()),
                day(household.next_contact_due),
                household.contacts,
                day(household.stabilises_on),
                last_move.map(|change| change.status.as_str()),
                day(last_move.map(|change| change.on)),
                last_move.map(|change| change.jobseeker_id.to_string()),
                last_move.map(|change| change.cause.event_id.to_string()),
                last_move.map(|change| change.cause.event_type.clone()),
                at,
                day(late_from),
                due.map(|due| due.reason.as_str()),
                day(due.map(|due| due.due_on)),
                day(due.map(|due| due.from)),
            ])?;
        history::record(transaction, "households", &id, &at, &["address"])?;
        Ok(())
    }
}

/// What the register is asked for.
#[derive(Debug, Clone)]
pub struct RegisterQuery {
    /// Households of offices within this one's scope.
    pub office: DivisionCode,
    /// Only those of this status.
    pub status: Option<HouseholdStatus>,
    /// Only those whose verification is or was late.
    pub late: bool,
    /// The day lateness is judged on.
    pub today: NaiveDate,
    /// Only those after this key (the previous page's last).
    pub after: Option<ListKey>,
    /// How many at most; `None` for every row (the CSV).
    pub limit: Option<u32>,
    /// The register as it stood at this moment (`rfc3339_millis`), or now.
    pub as_of: Option<String>,
}

const SUMMARY_COLUMNS: &str = "id, office, status, address, members, declared_on,
    verification_due_on, decided_on, verified_on, plan_due_on, counsellor, next_contact_due,
    contacts, stabilises_on, move_status, move_on, move_member, move_cause, move_cause_type,
    declared_at, late_from";

fn summary(row: &Row<'_>, today: &str) -> rusqlite::Result<HouseholdSummary> {
    let members: String = row.get(4)?;
    let verification_due_on: String = row.get(6)?;
    let decided_on: Option<String> = row.get(7)?;
    let status: String = row.get(2)?;
    // The first late day is the domain's (`verification_late_from`).
    let late_from: Option<String> = row.get(20)?;
    let verification_late = late_from.is_some_and(|late_from| today >= late_from.as_str());
    let move_status: Option<String> = row.get(14)?;
    let last_change = match move_status {
        Some(status) => Some(StatusChangeView {
            status,
            on: row.get(15)?,
            jobseeker_id: row.get(16)?,
            cause_event_id: row.get(17)?,
            cause_event_type: row.get(18)?,
        }),
        None => None,
    };
    Ok(HouseholdSummary {
        id: row.get(0)?,
        office: row.get(1)?,
        status,
        address: row.get(3)?,
        members: members
            .split(',')
            .filter(|member| !member.is_empty())
            .map(str::to_owned)
            .collect(),
        declared_on: row.get(5)?,
        verification_due_on,
        decided_on,
        verified_on: row.get(8)?,
        verification_late,
        plan_due_on: row.get(9)?,
        counsellor: row.get(10)?,
        next_contact_due: row.get(11)?,
        contacts: row.get(12)?,
        stabilises_on: row.get(13)?,
        last_change,
        declared_at: row.get(19)?,
    })
}

/// One page of the register, newest declaration first (one more row when
/// more follow), or every row when the query has no limit.
pub fn register(
    connection: &Connection,
    query: &RegisterQuery,
) -> rusqlite::Result<Vec<HouseholdSummary>> {
    let prefix = format!("{}%", query.office.scope_prefix());
    let (after_at, after_id) = match &query.after {
        Some(key) => (Some(key.at.as_str()), Some(key.id.as_str())),
        None => (None, None),
    };
    let today = query.today.to_string();
    let limit = query.limit.map_or(-1, |limit| i64::from(limit) + 1);
    let source = history::source("households", query.as_of.as_deref());
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM {source}
         WHERE office LIKE ?1
           AND (?2 IS NULL OR status = ?2)
           AND (?3 = 0 OR late_from <= ?4)
           AND (?5 IS NULL OR declared_at < ?5 OR (declared_at = ?5 AND id < ?6))
         ORDER BY declared_at DESC, id DESC
         LIMIT ?7"
    ))?;
    let rows = statement.query_map(
        params![
            prefix,
            query.status.map(HouseholdStatus::as_str),
            query.late,
            today,
            after_at,
            after_id,
            limit,
        ],
        |row| summary(row, &today),
    )?;
    rows.collect()
}

/// The paging key of a listed household.
pub fn key_of(item: &HouseholdSummary) -> ListKey {
    ListKey::new(item.declared_at.clone(), item.id.clone())
}

/// How many households of offices within `office`'s scope stood in each
/// status at the moment `as_of` (RFC 3339, as the moves keep it), or now.
pub fn counts(
    connection: &Connection,
    office: &DivisionCode,
    as_of: Option<&str>,
) -> rusqlite::Result<BTreeMap<String, u64>> {
    let prefix = format!("{}%", office.scope_prefix());
    let mut statement = connection.prepare_cached(
        "SELECT status, count(*) FROM (
            SELECT household_id, status, max(at) FROM household_moves
            WHERE office LIKE ?1 AND (?2 IS NULL OR at <= ?2)
            GROUP BY household_id
         ) GROUP BY status",
    )?;
    let rows = statement.query_map(params![prefix, as_of], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
    })?;
    let mut counts: BTreeMap<String, u64> = HouseholdStatus::ALL
        .iter()
        .map(|status| (status.as_str().to_owned(), 0))
        .collect();
    for row in rows {
        let (status, count) = row?;
        counts.insert(status, count);
    }
    Ok(counts)
}

/// What the overdue list is asked for.
#[derive(Debug, Clone)]
pub struct OverdueQuery {
    /// Households of offices within this one's scope.
    pub office: DivisionCode,
    /// Only those of this counsellor (their plan's).
    pub counsellor: Option<String>,
    /// The day overdue is judged on.
    pub today: NaiveDate,
    /// Only those after this key.
    pub after: Option<ListKey>,
    /// How many at most.
    pub limit: u32,
}

/// Households whose assistance is overdue on the query's day, as the
/// domain's `Household::assistance_due` put it in the row (registered or
/// cleared, no plan past its due day or a next contact past its day); the
/// query only selects. Newest declaration first, one more row when more
/// follow.
pub fn overdue(
    connection: &Connection,
    query: &OverdueQuery,
) -> rusqlite::Result<Vec<OverdueItem>> {
    let prefix = format!("{}%", query.office.scope_prefix());
    let (after_at, after_id) = match &query.after {
        Some(key) => (Some(key.at.as_str()), Some(key.id.as_str())),
        None => (None, None),
    };
    let today = query.today.to_string();
    let mut statement = connection.prepare_cached(
        "SELECT id, office, status, overdue_reason, overdue_due_on, counsellor, declared_at
         FROM households
         WHERE office LIKE ?1
           AND overdue_from <= ?2
           AND (?3 IS NULL OR counsellor = ?3)
           AND (?4 IS NULL OR declared_at < ?4 OR (declared_at = ?4 AND id < ?5))
         ORDER BY declared_at DESC, id DESC
         LIMIT ?6",
    )?;
    let rows = statement.query_map(
        params![
            prefix,
            today,
            query.counsellor,
            after_at,
            after_id,
            i64::from(query.limit) + 1,
        ],
        |row| {
            Ok(OverdueItem {
                household_id: row.get(0)?,
                office: row.get(1)?,
                status: row.get(2)?,
                reason: row.get(3)?,
                due_on: row.get(4)?,
                counsellor: row.get(5)?,
                declared_at: row.get(6)?,
            })
        },
    )?;
    rows.collect()
}

/// The paging key of an overdue item.
pub fn overdue_key(item: &OverdueItem) -> ListKey {
    ListKey::new(item.declared_at.clone(), item.household_id.clone())
}

/// The cleared households whose follow-up period is over by `today`.
pub fn stabilising(connection: &Connection, today: NaiveDate) -> rusqlite::Result<Vec<String>> {
    let mut statement = connection.prepare_cached(
        "SELECT id FROM households WHERE status = 'cleared' AND stabilises_on <= ?1",
    )?;
    let rows = statement.query_map([today.to_string()], |row| row.get(0))?;
    rows.collect()
}
