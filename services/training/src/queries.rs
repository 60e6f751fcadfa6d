//! The training use cases that read: a provider, a course (now or as of
//! a past moment), an enrolment, the course search, and the outcomes of a
//! course or a provider.

use chrono::{DateTime, Utc};
use labex_app::{Actor, Error, Result, STAFF, Saved};
use labex_domain::course::{Course, CourseId, Enrolment, EnrolmentId};
use labex_domain::provider::{Provider, ProviderId};

use crate::commands::{Training, course_not_found, enrolment_not_found, provider_not_found};
use crate::read_model::{self, FoundCourse, SearchQuery};
use crate::views::{CommitmentView, OutcomesView};

/// The most hits a search page holds.
pub const MAX_SEARCH_LIMIT: u32 = 100;

impl Training {
    /// A provider now or as of a moment: anyone signed in may read it.
    pub async fn get_provider(
        &self,
        id: ProviderId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<Provider>> {
        Saved::read(&self.repository, id, as_of, || provider_not_found(id)).await
    }

    /// A course now or as of a moment: public, as vacancies are.
    pub async fn get_course(
        &self,
        id: CourseId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<Course>> {
        Saved::read(&self.repository, id, as_of, || course_not_found(id)).await
    }

    /// An enrolment and its course: office staff whose scope covers the
    /// course's office, and the trainee themself.
    pub async fn get_enrolment(
        &self,
        actor: &Actor,
        enrolment_id: EnrolmentId,
    ) -> Result<(Saved<Course>, Enrolment)> {
        let course = self.course_of(enrolment_id).await?;
        let saved = self.get_course(course.id, None).await?;
        let Some(enrolment) = saved.state.enrolments.get(&enrolment_id).cloned() else {
            return Err(enrolment_not_found(enrolment_id));
        };
        if !actor.is_jobseeker(enrolment.jobseeker_id) {
            actor.may_act_in(&saved.state.office)?;
        }
        Ok((saved, enrolment))
    }

    /// Courses matching a search, best first.
    pub async fn search(&self, query: SearchQuery) -> Result<(u64, Vec<FoundCourse>)> {
        Ok(self
            .courses
            .read(move |connection| read_model::search(connection, &query))
            .await?)
    }

    /// A course's outcomes: office staff (of any office whose scope covers
    /// the course's office) and the province.
    pub async fn course_outcomes(&self, actor: &Actor, id: CourseId) -> Result<OutcomesView> {
        actor.require_role(STAFF)?;
        // The course's row and its counts from the read model, in one
        // read: no replay of a course's events, which grow with its
        // trainees. A course the read model does not know yet is waited
        // for once.
        let mut found = self.course_and_counts(id).await?;
        if found.is_none() {
            self.runner.catch_up(labex_web::SETTLE_WAIT).await?;
            found = self.course_and_counts(id).await?;
        }
        let (owner, counts) = found.ok_or_else(|| course_not_found(id))?;
        let office =
            labex_domain::value::DivisionCode::parse(&owner.office).map_err(Error::internal)?;
        actor.may_act_in(&office)?;
        let rules = self.rules_for(&office).clone();
        let mut view = OutcomesView::new(
            Some(id.to_string()),
            owner.provider_id,
            &counts,
            rules.min_leavers_for_rates,
            rules.employment_window_months,
        );
        if let Some((employer_id, committed_hires)) = owner.order {
            let hires = counts.hires_by_order_employer;
            view.commitment = Some(CommitmentView {
                employer_id,
                committed_hires,
                hires: (!view.suppressed).then_some(hires),
                met: hires >= u64::from(committed_hires),
            });
        }
        Ok(view)
    }

    /// A course's row in the read model and its enrolments' counts.
    async fn course_and_counts(
        &self,
        id: CourseId,
    ) -> Result<Option<(read_model::CourseOwner, read_model::OutcomeCounts)>> {
        let course_id = id.to_string();
        Ok(self
            .courses
            .read(move |connection| {
                let Some(owner) = read_model::course_owner(connection, &course_id)? else {
                    return Ok(None);
                };
                let employer = owner.order.as_ref().map(|(employer, _)| employer.as_str());
                let counts = read_model::course_counts(connection, &course_id, employer)?;
                Ok(Some((owner, counts)))
            })
            .await?)
    }

    /// The outcomes of every course of a provider: office staff whose
    /// scope covers the provider's office, and the province.
    pub async fn provider_outcomes(&self, actor: &Actor, id: ProviderId) -> Result<OutcomesView> {
        actor.require_role(STAFF)?;
        let provider = self.get_provider(id, None).await?.state;
        actor.may_act_in(&provider.office)?;
        let rules = self.rules_for(&provider.office).clone();
        let provider_id = id.to_string();
        let (counts, commitments) = self
            .courses
            .read(move |connection| {
                Ok((
                    read_model::provider_counts(connection, &provider_id)?,
                    read_model::provider_commitments(connection, &provider_id)?,
                ))
            })
            .await?;
        let mut view = OutcomesView::new(
            None,
            id.to_string(),
            &counts,
            rules.min_leavers_for_rates,
            rules.employment_window_months,
        );
        view.order_based_courses = Some(commitments.len() as u64);
        view.commitments_met = Some(
            commitments
                .iter()
                .filter(|(committed, hires)| hires >= committed)
                .count() as u64,
        );
        Ok(view)
    }
}

/// A search page's limit, checked.
pub fn search_limit(limit: Option<u32>) -> std::result::Result<u32, Error> {
    match limit {
        None => Ok(20),
        Some(limit) if (1..=MAX_SEARCH_LIMIT).contains(&limit) => Ok(limit),
        Some(_) => Err(Error::InvalidQuery(vec![labex_app::FieldError::input(
            "limit",
            labex_app::InputError::QueryRange,
            "must be between 1 and 100",
        )])),
    }
}
