//! The use cases that read: a fair's page (now or as of a past moment),
//! the calendar, a job seeker's registration, and a fair's results.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use labex_app::{Actor, Error, ListKey, ListPage, Listed, Result, Role, Saved};
use labex_domain::fair::Fair;
use labex_domain::referral::ReferralOutcome;
use labex_domain::{EmployerId, FairId, JobSeekerId, china_date, rfc3339_millis};

use crate::commands::{FAIR_STAFF, Fairs, not_found};
use crate::read_model::{self, CalendarQuery, FairReferral};
use crate::views::{
    CountsView, ExhibitorResultsView, FairSummary, FairView, HiresView, RegistrationView,
    ResultsView,
};

/// The moment an answer describes: `as_of` when given, else now.
pub fn described_moment(as_of: Option<DateTime<Utc>>) -> DateTime<Utc> {
    as_of.unwrap_or_else(Utc::now)
}

impl Fairs {
    /// A fair's page as it stands, or as it stood at `as_of`: public.
    pub async fn get(&self, id: FairId, as_of: Option<DateTime<Utc>>) -> Result<(FairView, u64)> {
        let saved: Saved<Fair> = Saved::read(&self.repository, id, as_of, || not_found(id)).await?;
        Ok((
            self.page(&saved, described_moment(as_of)).await?,
            saved.revision,
        ))
    }

    /// The page of `saved` with its status at `moment`, its exhibitors
    /// named from the read model.
    pub async fn page(&self, saved: &Saved<Fair>, moment: DateTime<Utc>) -> Result<FairView> {
        let names = self.names(&saved.state).await?;
        Ok(FairView::new(&saved.state, saved.revision, moment, &names))
    }

    async fn names(&self, fair: &Fair) -> Result<Vec<(EmployerId, String)>> {
        let employers: Vec<EmployerId> = fair.exhibitors.keys().copied().collect();
        self.read_model
            .read(move |connection| read_model::employer_names(connection, &employers))
            .await
            .map_err(Error::internal)
    }

    /// The calendar: fairs by their start, filtered; public.
    pub async fn calendar(
        &self,
        mut query: CalendarQuery,
        page: ListPage,
    ) -> Result<Listed<FairSummary>> {
        query.after = page.after_key()?;
        query.limit = page.limit;
        let fairs = self
            .read_model
            .read(move |connection| read_model::calendar(connection, &query))
            .await
            .map_err(Error::internal)?;
        Ok(Listed::from_overfetch(fairs, page.limit, |fair| {
            ListKey::new(rfc3339_millis(fair.starts), &fair.id).to_string()
        }))
    }

    /// A job seeker's registration: themself, or fair staff of the fair's
    /// scope; 404 when they are not registered.
    pub async fn registration(
        &self,
        actor: &Actor,
        id: FairId,
        jobseeker: JobSeekerId,
    ) -> Result<RegistrationView> {
        let saved: Saved<Fair> = Saved::read(&self.repository, id, None, || not_found(id)).await?;
        if !actor.is_jobseeker(jobseeker) {
            if actor.role == Role::Jobseeker {
                return Err(Error::forbidden(
                    "A job seeker sees only their own registration; use your own token.",
                ));
            }
            actor.may_act_in_as(FAIR_STAFF, &saved.state.details.region)?;
        }
        RegistrationView::of(&saved.state, jobseeker, saved.revision).ok_or_else(|| {
            Error::not_found(format!(
                "Job seeker {jobseeker} is not registered for fair {id}; register first."
            ))
        })
    }

    /// A fair's results, per exhibitor: vacancies, visitors to its stand,
    /// referrals naming the fair, and hires among them within each period
    /// the office's rules set after the fair's last day. Fair staff of the
    /// fair's scope.
    pub async fn results(&self, actor: &Actor, id: FairId) -> Result<ResultsView> {
        let saved: Saved<Fair> = Saved::read(&self.repository, id, None, || not_found(id)).await?;
        let fair = &saved.state;
        actor.may_act_in_as(FAIR_STAFF, &fair.details.region)?;
        let windows = self
            .rules
            .for_office(&fair.office)
            .hire_windows_days
            .clone();
        let referrals = self
            .read_model
            .read(move |connection| read_model::fair_referrals(connection, id))
            .await
            .map_err(Error::internal)?;
        let names = self.names(fair).await?;
        let page = FairView::new(fair, saved.revision, Utc::now(), &names);
        Ok(results_of(
            fair,
            page.counts,
            &page.exhibitors,
            &referrals,
            &windows,
        ))
    }
}

/// The results from the fair, its page's counts and exhibitors, and the
/// referrals that name it.
fn results_of(
    fair: &Fair,
    counts: CountsView,
    exhibitors: &[crate::views::ExhibitorView],
    referrals: &[FairReferral],
    windows: &[u32],
) -> ResultsView {
    // A referral that names the fair came from it, whenever it was made:
    // its hire counts when dated by the period's end.
    let last_day = china_date(fair.details.ends_at);
    let hired_within = |referral: &FairReferral, days: u32| {
        referral.outcome == Some(ReferralOutcome::Hired)
            && referral
                .outcome_date
                .is_some_and(|date| date <= last_day + Duration::days(i64::from(days)))
    };
    let hires_of = |referrals: &[&FairReferral]| -> Vec<HiresView> {
        windows
            .iter()
            .map(|&days| HiresView {
                within_days: days,
                hires: count(referrals.iter().filter(|r| hired_within(r, days))),
            })
            .collect()
    };
    let mut by_employer: BTreeMap<&str, Vec<&FairReferral>> = BTreeMap::new();
    for referral in referrals {
        by_employer
            .entry(referral.employer_id.as_str())
            .or_default()
            .push(referral);
    }
    let mut visitors: BTreeMap<EmployerId, usize> = BTreeMap::new();
    for visitor in fair.visitors.values() {
        for stand in &visitor.stands {
            *visitors.entry(*stand).or_default() += 1;
        }
    }
    let mut rows: Vec<ExhibitorResultsView> = exhibitors
        .iter()
        .map(|exhibitor| {
            let theirs = by_employer
                .get(exhibitor.employer_id.as_str())
                .cloned()
                .unwrap_or_default();
            let employer = EmployerId::parse(&exhibitor.employer_id).ok();
            ExhibitorResultsView {
                employer_id: exhibitor.employer_id.clone(),
                name: exhibitor.name.clone(),
                exhibiting: true,
                vacancies: exhibitor.vacancy_ids.len(),
                visitors: employer
                    .and_then(|employer| visitors.get(&employer).copied())
                    .unwrap_or(0),
                referrals: count(theirs.iter()),
                hires: hires_of(&theirs),
            }
        })
        .collect();
    let exhibiting: BTreeSet<&str> = exhibitors
        .iter()
        .map(|exhibitor| exhibitor.employer_id.as_str())
        .collect();
    for (employer, theirs) in &by_employer {
        if exhibiting.contains(employer) {
            continue;
        }
        rows.push(ExhibitorResultsView {
            employer_id: (*employer).to_owned(),
            name: None,
            exhibiting: false,
            vacancies: 0,
            visitors: 0,
            referrals: count(theirs.iter()),
            hires: hires_of(theirs),
        });
    }
    let all: Vec<&FairReferral> = referrals.iter().collect();
    ResultsView {
        fair_id: fair.id.to_string(),
        status: fair.status_at(Utc::now()).as_str().to_owned(),
        counts,
        referrals: count(all.iter()),
        hires: hires_of(&all),
        exhibitors: rows,
    }
}

fn count<T>(items: impl Iterator<Item = T>) -> u32 {
    u32::try_from(items.count()).unwrap_or(u32::MAX)
}
