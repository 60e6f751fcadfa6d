//! The use cases of employers and vacancies that read: an employer or a
//! vacancy now or as of a past moment, the public list of vacancies and
//! the offices' lists of employers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use labex_app::arrears_marks::{self, ArrearsMark, sees_arrears_marks};
use labex_app::{Actor, ListPage, Listed, Result, STAFF, Saved};
use labex_domain::employer::Employer;
use labex_domain::vacancy::{Vacancy, VacancyStatus};
use labex_domain::value::DivisionCode;
use labex_domain::{EmployerId, VacancyId};

use crate::commands::{Employers, employer_not_found, vacancy_not_found};
use crate::views::{EmployerSummary, VacancySummary};
use crate::{employer_list, vacancy_list};

/// What the public vacancy list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VacancyFilter {
    /// Only this employer's vacancies.
    pub employer: Option<EmployerId>,
    /// Only those of this status now (past its closing time an open
    /// vacancy is closed).
    pub status: Option<VacancyStatus>,
}

impl Employers {
    /// An employer as it stands, or stood at `as_of`: for the employer
    /// itself and offices whose scope covers it.
    pub async fn get_employer(
        &self,
        actor: &Actor,
        id: EmployerId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<Employer>> {
        let found: Saved<Employer> =
            Saved::read(&self.repository, id, as_of, || employer_not_found(id)).await?;
        actor.may_act_for_employer(found.state.id, &found.state.region)?;
        Ok(found)
    }

    /// A vacancy as it stands, or stood at `as_of`: public. Its status is
    /// the one at [`described_moment`].
    pub async fn get_vacancy(
        &self,
        id: VacancyId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<Vacancy>> {
        Saved::read(&self.repository, id, as_of, || vacancy_not_found(id)).await
    }

    /// Published vacancies, newest publication first (ties by id), with
    /// their status now: public.
    pub async fn list_vacancies(
        &self,
        filter: VacancyFilter,
        page: ListPage,
    ) -> Result<Listed<VacancySummary>> {
        let query = vacancy_list::ListQuery {
            employer: filter.employer,
            status: filter.status,
            after: page.after_key()?,
            limit: page.limit,
            now: Utc::now(),
        };
        let items = self
            .vacancies
            .read(move |connection| vacancy_list::list(connection, &query))
            .await?;
        Ok(Listed::from_overfetch(items, page.limit, |item| {
            vacancy_list::key_of(item).to_string()
        }))
    }

    /// [`list_vacancies`](Self::list_vacancies), each with its employer's
    /// wage-arrears mark when `actor` is office staff.
    pub async fn list_vacancies_for(
        &self,
        actor: Option<&Actor>,
        filter: VacancyFilter,
        page: ListPage,
    ) -> Result<Listed<VacancySummary>> {
        let mut listed = self.list_vacancies(filter, page).await?;
        let employers = listed
            .items
            .iter()
            .filter_map(|item| EmployerId::parse(&item.employer_id).ok())
            .collect();
        let marks = self.arrears_marks(actor, employers).await?;
        for item in &mut listed.items {
            item.employer_arrears = EmployerId::parse(&item.employer_id)
                .ok()
                .and_then(|employer| marks.get(&employer).copied());
        }
        Ok(listed)
    }

    /// The wage-arrears marks (欠薪) of those of `employers` with open
    /// cases, as they stand now: for office staff and the province only;
    /// anyone else (the public, job seekers, employers) gets none.
    pub async fn arrears_marks(
        &self,
        actor: Option<&Actor>,
        employers: Vec<EmployerId>,
    ) -> Result<BTreeMap<EmployerId, ArrearsMark>> {
        if !actor.is_some_and(sees_arrears_marks) || employers.is_empty() {
            return Ok(BTreeMap::new());
        }
        let marks = self
            .arrears
            .read(move |connection| arrears_marks::marks_of(connection, &employers))
            .await?;
        Ok(marks)
    }

    /// The employers registered within an office's scope (the actor's
    /// office when `office` is absent), newest registration first (ties by
    /// id): office staff of that scope.
    pub async fn list_employers(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        page: ListPage,
    ) -> Result<Listed<EmployerSummary>> {
        actor.require_role(STAFF)?;
        let office = office.unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&office)?;
        let query = employer_list::ListQuery {
            office,
            after: page.after_key()?,
            limit: page.limit,
        };
        let items = self
            .employers
            .read(move |connection| employer_list::list(connection, &query))
            .await?;
        Ok(Listed::from_overfetch(items, page.limit, |item| {
            employer_list::key_of(item).to_string()
        }))
    }
}

/// The moment an answer about a vacancy describes, whose status it shows:
/// `as_of`, but never later than now (nothing later is known of a
/// vacancy: its closing time may yet be moved), or now.
pub fn described_moment(as_of: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let now = Utc::now();
    as_of.map_or(now, |moment| moment.min(now))
}
