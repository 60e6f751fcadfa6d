//! The referrals' use cases that read: one referral now or as of a past
//! moment, and the referral lists.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use labex_app::arrears_marks::{self, ArrearsMark, sees_arrears_marks};
use labex_app::{Actor, Error, ListKey, ListPage, Listed, Result, Role, Saved};
use labex_domain::referral::Referral;
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId};

use crate::commands::{Referrals, not_found};
use crate::read_model::{self, ListQuery, Visibility};
use crate::views::{ReferralStatus, ReferralView};

/// What a list asks for, besides whose referrals the actor sees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only referrals to this vacancy.
    pub vacancy_id: Option<VacancyId>,
    /// Only referrals of this job seeker.
    pub jobseeker_id: Option<JobSeekerId>,
    /// Only open, or only concluded, referrals.
    pub status: Option<ReferralStatus>,
}

impl Referrals {
    /// A referral as it stands, or stood at `as_of`: for office staff whose
    /// scope covers the job seeker's office, and the employer it was made
    /// to.
    pub async fn get(
        &self,
        actor: &Actor,
        id: ReferralId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<Referral>> {
        let found = Saved::read(&self.repository, id, as_of, || not_found(id)).await?;
        self.may_follow(actor, &found.state).await?;
        Ok(found)
    }

    /// Referrals, newest first: office staff see those of job seekers
    /// within their office's scope, the province all, an employer those to
    /// its own vacancies.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: ListFilter,
        page: ListPage,
    ) -> Result<Listed<ReferralView>> {
        let visibility = visibility(actor)?;
        let after = page.after_key()?;
        let query = ListQuery {
            visibility,
            vacancy_id: filter.vacancy_id,
            jobseeker_id: filter.jobseeker_id,
            status: filter.status,
            after,
            limit: page.limit,
        };
        let mut items = self
            .read_model
            .read(move |connection| read_model::list(connection, &query))
            .await?;
        let employers = items
            .iter()
            .filter_map(|(_, item)| EmployerId::parse(&item.employer_id).ok())
            .collect();
        let marks = self.employer_arrears(actor, employers).await?;
        for (_, item) in &mut items {
            item.employer_arrears = EmployerId::parse(&item.employer_id)
                .ok()
                .and_then(|employer| marks.get(&employer).copied());
        }
        Ok(
            Listed::from_overfetch(items, page.limit, |(referred_at, item)| {
                ListKey::new(referred_at, &item.id).to_string()
            })
            .map(|(_, item)| item),
        )
    }

    /// The wage-arrears marks (欠薪) of those of `employers` with open
    /// cases, as they stand now: for office staff and the province only;
    /// employers are shown none, not even their own.
    pub async fn employer_arrears(
        &self,
        actor: &Actor,
        employers: Vec<EmployerId>,
    ) -> Result<BTreeMap<EmployerId, ArrearsMark>> {
        if !sees_arrears_marks(actor) || employers.is_empty() {
            return Ok(BTreeMap::new());
        }
        let marks = self
            .arrears
            .read(move |connection| arrears_marks::marks_of(connection, &employers))
            .await?;
        Ok(marks)
    }

    /// Who may read a referral: office staff whose scope covers the job
    /// seeker's office, and the employer it was made to.
    async fn may_follow(&self, actor: &Actor, referral: &Referral) -> Result<()> {
        match actor.role {
            Role::Employer if actor.employer_id == Some(referral.employer_id) => Ok(()),
            Role::Employer => Err(Error::forbidden(
                "An employer sees only the referrals to its own vacancies; use a token issued to that employer.",
            )),
            Role::Jobseeker | Role::Organiser => Err(Error::forbidden(
                "Referrals are followed by employment offices and employers; ask your employment office.",
            )),
            Role::Province => Ok(()),
            Role::Counsellor | Role::OfficeAdmin => {
                actor.may_act_in(&self.office_of(referral).await?)
            }
        }
    }
}

/// Whose referrals `actor` may list.
fn visibility(actor: &Actor) -> Result<Visibility> {
    match actor.role {
        Role::Province => Ok(Visibility::All),
        Role::Counsellor | Role::OfficeAdmin => Ok(Visibility::OfficeScope(
            actor.office.scope_prefix().to_owned(),
        )),
        Role::Employer => actor.employer_id.map(Visibility::Employer).ok_or_else(|| {
            Error::forbidden(
                "This employer token names no employer; use a token issued to an employer.",
            )
        }),
        Role::Jobseeker | Role::Organiser => Err(Error::forbidden(
            "Referrals are listed for employment offices and employers; ask your employment office.",
        )),
    }
}
