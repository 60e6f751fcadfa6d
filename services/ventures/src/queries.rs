//! The ventures reads: a project (now or as of a moment) and the project
//! search, which are public; a case and a loan, seen by staff whose scope
//! covers the person's office and by the person themself; the loan
//! register and the case list, a job seeker's own or an office scope's.

use chrono::{DateTime, Utc};
use labex_app::{Actor, Error, ListPage, Listed, Result, STAFF, Saved};
use labex_domain::JobSeekerId;
use labex_domain::loan::{Loan, LoanId};
use labex_domain::value::DivisionCode;
use labex_domain::venture_case::{VentureCase, VentureCaseId};
use labex_domain::venture_project::{VentureProject, VentureProjectId};

use crate::case_list::{self, CaseQuery, ListedCase};
use crate::commands::Ventures;
use crate::loan_list::{self, ListedLoan, LoanQuery};
use crate::read_model::{self, FoundProject, ProjectQuery};

impl Ventures {
    /// A project, now or as of a moment: public.
    pub async fn get_project(
        &self,
        id: VentureProjectId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<VentureProject>> {
        Saved::read(&self.repository, id, as_of, || {
            Error::not_found(format!("No project {id} is in the library; check the id."))
        })
        .await
    }

    /// Projects matching a search: public.
    pub async fn search_projects(&self, query: ProjectQuery) -> Result<(u64, Vec<FoundProject>)> {
        Ok(self
            .projects
            .read(move |connection| read_model::search(connection, &query))
            .await?)
    }

    /// A case: office staff in scope, and the person themself.
    pub async fn get_case(&self, actor: &Actor, id: VentureCaseId) -> Result<Saved<VentureCase>> {
        let saved: Saved<VentureCase> = Saved::read(&self.repository, id, None, || {
            Error::not_found(format!(
                "No one-stop service case {id} exists; check the id."
            ))
        })
        .await?;
        may_see(actor, saved.state.jobseeker_id, &saved.state.office)?;
        Ok(saved)
    }

    /// A loan: office staff in scope, and the borrower themself.
    pub async fn get_loan(&self, actor: &Actor, id: LoanId) -> Result<Saved<Loan>> {
        let saved: Saved<Loan> = Saved::read(&self.repository, id, None, || {
            Error::not_found(format!("No loan {id} exists; check the id."))
        })
        .await?;
        may_see(actor, saved.state.borrower, &saved.state.office)?;
        Ok(saved)
    }
}

impl Ventures {
    /// The loan register, newest first: a job seeker lists their own
    /// (asking for another's is refused); staff list their scope's, or a
    /// narrower office's (`office`), optionally one borrower's.
    pub async fn list_loans(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        mut query: LoanQuery,
        page: ListPage,
    ) -> Result<Listed<ListedLoan>> {
        query.office_prefix = None;
        match own_or_scope(actor, office, query.borrower.take())? {
            Scope::Own(person) => query.borrower = Some(person),
            Scope::Offices(prefix, person) => {
                query.office_prefix = Some(prefix);
                query.borrower = person;
            }
        }
        let after = page.after_key()?;
        let limit = page.limit;
        let items = self
            .loans
            .read(move |connection| loan_list::list(connection, &query, after.as_ref(), limit))
            .await?;
        Ok(Listed::from_overfetch(items, page.limit, |loan| {
            loan_list::key_of(loan).to_string()
        }))
    }
}

impl Ventures {
    /// One-stop cases, newest first: a job seeker lists their own (asking
    /// for another's is refused); staff list their scope's, or a narrower
    /// office's (`office`), optionally one person's, one stage's, or those
    /// in follow-up on a day.
    pub async fn list_cases(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        mut query: CaseQuery,
        page: ListPage,
    ) -> Result<Listed<ListedCase>> {
        query.office_prefix = None;
        match own_or_scope(actor, office, query.jobseeker_id.take())? {
            Scope::Own(person) => query.jobseeker_id = Some(person),
            Scope::Offices(prefix, person) => {
                query.office_prefix = Some(prefix);
                query.jobseeker_id = person;
            }
        }
        let after = page.after_key()?;
        let limit = page.limit;
        let items = self
            .cases
            .read(move |connection| case_list::list(connection, &query, after.as_ref(), limit))
            .await?;
        Ok(Listed::from_overfetch(items, page.limit, |case| {
            case_list::key_of(case).to_string()
        }))
    }
}

/// Whose rows a list shows.
enum Scope {
    /// A job seeker's own.
    Own(String),
    /// Those of offices within a prefix, optionally one person's.
    Offices(String, Option<String>),
}

/// A job seeker lists their own (another's is refused); staff the scope
/// of `office` (theirs when absent), which theirs must cover.
fn own_or_scope(
    actor: &Actor,
    office: Option<DivisionCode>,
    person: Option<String>,
) -> Result<Scope> {
    if actor.role == labex_app::Role::Jobseeker {
        return match person {
            Some(person) if person != actor.subject => Err(Error::forbidden(
                "A job seeker lists their own only; leave out the person.",
            )),
            _ => Ok(Scope::Own(actor.subject.clone())),
        };
    }
    actor.require_role(STAFF)?;
    let office = office.unwrap_or_else(|| actor.office.clone());
    actor.may_act_in(&office)?;
    Ok(Scope::Offices(office.scope_prefix().to_owned(), person))
}

/// Staff whose scope covers `office`, and the person themself.
fn may_see(actor: &Actor, person: JobSeekerId, office: &DivisionCode) -> Result<()> {
    if actor.is_jobseeker(person) {
        return Ok(());
    }
    actor.may_act_in(office)
}
