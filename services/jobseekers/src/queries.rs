//! The job-seeker registry's use cases that read: one job seeker now or
//! as of a past moment, and the office lists.

use chrono::{DateTime, NaiveDate, Utc};
use labex_app::{Actor, Error, ListPage, Listed, Result, Role, STAFF, Saved};
use labex_domain::china_date;
use labex_domain::jobseeker::{JobSeeker, JobSeekerStatus};
use labex_domain::value::{DivisionCode, JobSeekerCategory};
use labex_domain::{JobSeekerId, Personal};

use crate::access_log;
use crate::commands::{JobSeekers, may_see, not_found};
use crate::read_model::{self, ListKey, ListQuery};
use crate::views::{AccessEntry, JobSeekerSummary};

/// Who of the staff may read a job seeker's access log (the province
/// too): office administrators, not the counsellors whose reads it shows.
pub const ACCESS_LOG_READERS: &[Role] = &[Role::OfficeAdmin];

/// What an office list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFilter {
    /// Job seekers registered within this office's scope; the actor's
    /// office when absent.
    pub office: Option<DivisionCode>,
    /// Only those of this category.
    pub category: Option<JobSeekerCategory>,
    /// Only those of this status.
    pub status: Option<JobSeekerStatus>,
}

impl JobSeekers {
    /// A job seeker as they stand, or stood at `as_of`, for office staff in
    /// scope and the job seeker themself.
    pub async fn get(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<JobSeeker>> {
        let loaded = match as_of {
            None => self.repository.load::<JobSeeker>(id).await?,
            Some(moment) => {
                let (mut then, now) = self
                    .repository
                    .load_then_and_now::<JobSeeker>(id, moment)
                    .await?;
                // An erasure governs the past too: no moment shows the
                // personal data of someone erased since.
                if let (Some(then), Some(now)) = (&mut then.state, &now.state)
                    && now.erasure.is_some()
                {
                    then.personal = Personal::Erased;
                }
                then
            }
        };
        let found = Saved::loaded(loaded, || not_found(id))?;
        may_see(actor, &found.state)?;
        self.access
            .log
            .record(actor, id, &found.state.office, access_log::GET_ENDPOINT);
        Ok(found)
    }

    /// Who of the staff was shown the job seeker's full record, when and
    /// through which endpoint, newest first: for the province, an office
    /// administrator whose scope covers the job seeker's office, and the
    /// job seeker themself.
    pub async fn access_log(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        page: ListPage,
    ) -> Result<Listed<AccessEntry>> {
        let loaded = self.repository.load::<JobSeeker>(id).await?;
        let found = Saved::loaded(loaded, || not_found(id))?;
        if !actor.is_jobseeker(id) {
            actor.require_role(ACCESS_LOG_READERS)?;
            actor.may_act_in(&found.state.office)?;
        }
        let before = page
            .after
            .as_deref()
            .map(|text| text.parse::<i64>().map_err(|_| Error::BadCursor))
            .transpose()?;
        let limit = page.limit;
        let rows = self
            .access
            .read_model
            .read(move |connection| access_log::reads_of(connection, id, before, limit))
            .await?;
        let more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len());
        let mut next = None;
        for (seq, entry) in rows.into_iter().take(limit as usize) {
            next = Some(seq.to_string());
            items.push(entry);
        }
        Ok(Listed {
            items,
            next: if more { next } else { None },
        })
    }

    /// The job seekers registered within an office's scope, newest
    /// registration first, for office staff of that scope.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: ListFilter,
        page: ListPage,
    ) -> Result<Listed<JobSeekerSummary>> {
        actor.require_role(STAFF)?;
        let office = filter.office.unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&office)?;
        let after = page
            .after
            .as_deref()
            .map(|text| ListKey::parse(text).ok_or(Error::BadCursor))
            .transpose()?;
        let query = ListQuery {
            office,
            category: filter.category,
            status: filter.status,
            after,
            limit: page.limit,
            today: china_date(Utc::now()),
        };
        let limit = page.limit;
        let items = self
            .read_model
            .read(move |connection| read_model::list(connection, &query))
            .await?;
        Ok(Listed::from_overfetch(items, limit, |item| {
            ListKey::of(item).to_string()
        }))
    }
}

/// The day (in China) whose age an answer about the state at `as_of`
/// (now when absent) gives: that moment's, but never past today, for
/// nothing later than now is known of anyone.
pub fn age_day(as_of: Option<DateTime<Utc>>) -> NaiveDate {
    let now = Utc::now();
    china_date(as_of.map_or(now, |moment| moment.min(now)))
}
