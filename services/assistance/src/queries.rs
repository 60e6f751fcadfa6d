//! The use cases that read: a household now or as of a past moment, the
//! register (台帐) by office and status (a page, or every row for the
//! CSV), now or as it stood at a past moment, its counts now or at a past
//! moment, and the overdue plans and contacts. Office staff in scope and the province only.

use chrono::{DateTime, NaiveDate, Utc};
use labex_app::{Actor, ListPage, Listed, Result, STAFF, Saved};
use labex_domain::household::{Household, HouseholdStatus};
use labex_domain::value::DivisionCode;
use labex_domain::{HouseholdId, china_date, rfc3339_millis};

use crate::commands::{Assistance, not_found};
use crate::read_model::{self, OverdueQuery, RegisterQuery};
use crate::views::{HouseholdSummary, OverdueItem, RegisterCounts};

/// What the register is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterFilter {
    /// Households of offices within this one's scope; the actor's office
    /// when absent.
    pub office: Option<DivisionCode>,
    /// Only those of this status.
    pub status: Option<HouseholdStatus>,
    /// Only those whose verification is or was late.
    pub late: bool,
}

impl Assistance {
    /// A household as it stands, or stood at `as_of`.
    pub async fn get(
        &self,
        actor: &Actor,
        id: HouseholdId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<Household>> {
        actor.require_role(STAFF)?;
        let found: Saved<Household> =
            Saved::read(&self.repository, id, as_of, || not_found(id)).await?;
        actor.may_act_in(&found.state.office)?;
        Ok(found)
    }

    /// A page of the register, newest declaration first; as it stood at
    /// `as_of` when given (lateness judged on that day).
    pub async fn register(
        &self,
        actor: &Actor,
        filter: RegisterFilter,
        page: ListPage,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Listed<HouseholdSummary>> {
        let office = scope(actor, filter.office.clone())?;
        let query = RegisterQuery {
            office,
            status: filter.status,
            late: filter.late,
            today: day_of(as_of),
            after: page.after_key()?,
            limit: Some(page.limit),
            as_of: as_of.map(rfc3339_millis),
        };
        let items = self
            .register
            .read(move |connection| read_model::register(connection, &query))
            .await?;
        Ok(Listed::from_overfetch(items, page.limit, |item| {
            read_model::key_of(item).to_string()
        }))
    }

    /// Every row of the register the filter selects, newest declaration
    /// first (for the CSV).
    pub async fn register_rows(
        &self,
        actor: &Actor,
        filter: RegisterFilter,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Vec<HouseholdSummary>> {
        let office = scope(actor, filter.office.clone())?;
        let query = RegisterQuery {
            office,
            status: filter.status,
            late: filter.late,
            today: day_of(as_of),
            after: None,
            limit: None,
            as_of: as_of.map(rfc3339_millis),
        };
        Ok(self
            .register
            .read(move |connection| read_model::register(connection, &query))
            .await?)
    }

    /// How many households of an office's scope stand in each status, now
    /// or at `as_of`.
    pub async fn counts(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<RegisterCounts> {
        let office = scope(actor, office)?;
        let moment = as_of.map(rfc3339_millis);
        let counted = office.clone();
        let counts = self
            .register
            .read(move |connection| read_model::counts(connection, &counted, moment.as_deref()))
            .await?;
        let in_register = HouseholdStatus::ALL
            .iter()
            .filter(|status| status.in_register())
            .map(|status| counts.get(status.as_str()).copied().unwrap_or(0))
            .sum();
        Ok(RegisterCounts {
            office: office.to_string(),
            as_of: rfc3339_millis(as_of.unwrap_or_else(Utc::now)),
            counts,
            in_register,
        })
    }

    /// Households of an office's scope with no plan by its due day, or a
    /// next contact past due, on `today` (now when absent); optionally
    /// only those of one counsellor.
    pub async fn overdue(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        counsellor: Option<String>,
        today: Option<NaiveDate>,
        page: ListPage,
    ) -> Result<Listed<OverdueItem>> {
        let office = scope(actor, office)?;
        let query = OverdueQuery {
            office,
            counsellor,
            today: today.unwrap_or_else(|| china_date(Utc::now())),
            after: page.after_key()?,
            limit: page.limit,
        };
        let items = self
            .register
            .read(move |connection| read_model::overdue(connection, &query))
            .await?;
        Ok(Listed::from_overfetch(items, page.limit, |item| {
            read_model::overdue_key(item).to_string()
        }))
    }
}

/// The day in China of `as_of` (never after now), or today.
pub(crate) fn day_of(as_of: Option<DateTime<Utc>>) -> NaiveDate {
    china_date(as_of.map_or_else(Utc::now, |moment| moment.min(Utc::now())))
}

/// The office a list is of (the actor's when absent), once the actor is
/// known to be staff whose scope covers it.
fn scope(actor: &Actor, office: Option<DivisionCode>) -> Result<DivisionCode> {
    actor.require_role(STAFF)?;
    let office = office.unwrap_or_else(|| actor.office.clone());
    actor.may_act_in(&office)?;
    Ok(office)
}
