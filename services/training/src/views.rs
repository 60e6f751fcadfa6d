//! What the training API answers. No personal data: trainees are named
//! by their job-seeker id only, and outcomes are counts, with rates
//! withheld under the rules' minimum number of leavers.

use labex_domain::course::{Course, Enrolment, EnrolmentStatus};
use labex_domain::provider::Provider;
use labex_domain::rfc3339_millis;
use serde::Serialize;
use utoipa::ToSchema;

use crate::read_model::{FoundCourse, OutcomeCounts};

/// A training provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    pub id: String,
    pub name: String,
    /// Unified social credit code.
    pub credit_code: String,
    /// The registering office.
    pub office: String,
    /// Always `registered`.
    pub status: String,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

impl ProviderView {
    /// The view of `provider` at `revision`.
    pub fn new(provider: &Provider, revision: u64) -> Self {
        Self {
            id: provider.id.to_string(),
            name: provider.name.as_str().to_owned(),
            credit_code: provider.credit_code.as_str().to_owned(),
            office: provider.office.as_str().to_owned(),
            status: "registered".to_owned(),
            revision,
        }
    }
}

/// The employer and committed hires of an order-based course.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub employer_id: String,
    pub committed_hires: u32,
}

/// A course.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseView {
    pub id: String,
    pub provider_id: String,
    /// The course's office (its provider's).
    pub office: String,
    pub title: String,
    /// employment, re_employment, on_the_job, order_based or entrepreneurship.
    pub kind: String,
    /// What the offices call the kind (再就业培训 …).
    pub kind_zh: String,
    pub occupation: Option<String>,
    pub description: Option<String>,
    pub hours: u32,
    pub seats: u32,
    /// Seats taken (by trainees seated, completed or dropped out).
    pub seats_taken: u32,
    /// How many wait for a seat.
    pub waiting: u32,
    pub starts_on: String,
    pub ends_on: String,
    pub region: String,
    pub subsidy_per_trainee_fen: u64,
    pub eligible_categories: Vec<String>,
    pub order: Option<OrderView>,
    pub opened_at: String,
    /// open (enrolling: not yet ended) or ended.
    pub status: String,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

impl CourseView {
    /// The view of `course` at `revision`, its status on `today`.
    pub fn new(course: &Course, revision: u64, today: chrono::NaiveDate) -> Self {
        let details = &course.details;
        Self {
            id: course.id.to_string(),
            provider_id: course.provider_id.to_string(),
            office: course.office.as_str().to_owned(),
            title: details.title.as_str().to_owned(),
            kind: details.kind.as_str().to_owned(),
            kind_zh: details.kind.label_zh().to_owned(),
            occupation: details.occupation.as_ref().map(|o| o.as_str().to_owned()),
            description: details.description.as_ref().map(|d| d.as_str().to_owned()),
            hours: details.hours.get(),
            seats: details.seats.get(),
            seats_taken: course.seats_taken(),
            waiting: u32::try_from(course.waiting.len()).unwrap_or(u32::MAX),
            starts_on: details.starts_on.to_string(),
            ends_on: details.ends_on.to_string(),
            region: details.region.as_str().to_owned(),
            subsidy_per_trainee_fen: details.subsidy_per_trainee_fen.get(),
            eligible_categories: details
                .eligible_categories
                .iter()
                .map(|category| category.as_str().to_owned())
                .collect(),
            order: details.order.as_ref().map(|order| OrderView {
                employer_id: order.employer_id.to_string(),
                committed_hires: order.committed_hires.get(),
            }),
            opened_at: rfc3339_millis(course.opened_at),
            status: if today > details.ends_on {
                "ended"
            } else {
                "open"
            }
            .to_owned(),
            revision,
        }
    }
}

/// A skill appraisal's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppraisalView {
    /// level_5 … level_1.
    pub level: String,
    /// 五级/初级工 … 一级/高级技师.
    pub level_zh: String,
    pub passed: bool,
    pub appraised_on: String,
}

/// The employment that counts for the course.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraineeEmploymentView {
    pub started_on: String,
    pub employer_id: Option<String>,
    /// employment_registration or hire.
    pub source: String,
}

/// An enrolment in a course.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentView {
    pub id: String,
    pub course_id: String,
    pub jobseeker_id: String,
    /// seated, waiting, cancelled, completed or dropped_out.
    pub status: String,
    /// Place on the waiting list, from 1, while waiting.
    pub waiting_position: Option<u32>,
    pub enrolled_at: String,
    pub completed_on: Option<String>,
    pub left_on: Option<String>,
    pub appraisal: Option<AppraisalView>,
    pub employment: Option<TraineeEmploymentView>,
    /// The course's stream revision, also the `ETag`.
    pub revision: u64,
}

impl EnrolmentView {
    /// The view of `enrolment` in `course` at `revision`.
    pub fn new(course: &Course, enrolment: &Enrolment, revision: u64) -> Self {
        let waiting_position = (enrolment.status == EnrolmentStatus::Waiting)
            .then(|| course.waiting.iter().position(|id| *id == enrolment.id))
            .flatten()
            .and_then(|index| u32::try_from(index + 1).ok());
        Self {
            id: enrolment.id.to_string(),
            course_id: course.id.to_string(),
            jobseeker_id: enrolment.jobseeker_id.to_string(),
            status: enrolment.status.as_str().to_owned(),
            waiting_position,
            enrolled_at: rfc3339_millis(enrolment.enrolled_at),
            completed_on: enrolment.completed_on.map(|day| day.to_string()),
            left_on: enrolment.left_on.map(|day| day.to_string()),
            appraisal: enrolment.appraisal.as_ref().map(|appraisal| AppraisalView {
                level: appraisal.level.as_str().to_owned(),
                level_zh: appraisal.level.label_zh().to_owned(),
                passed: appraisal.passed,
                appraised_on: appraisal.appraised_on.to_string(),
            }),
            employment: enrolment
                .employment
                .as_ref()
                .map(|employment| TraineeEmploymentView {
                    started_on: employment.started_on.to_string(),
                    employer_id: employment.employer_id.map(|id| id.to_string()),
                    source: employment.source.as_str().to_owned(),
                }),
            revision,
        }
    }
}

/// Whether an order-based course's employer met its commitment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentView {
    pub employer_id: String,
    pub committed_hires: u32,
    /// Trainees the employer hired within the window after completion
    /// (withheld with the other figures under the minimum of leavers).
    pub hires: Option<u64>,
    /// hires ≥ committed_hires.
    pub met: bool,
}

/// The outcomes of a course or of a provider's courses, counted from the
/// events. Below `min_leavers` leavers, only `trained` and `leavers` are
/// shown and `suppressed` is true, so that no person is singled out.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomesView {
    /// The course, for a course's outcomes.
    pub course_id: Option<String>,
    /// The provider.
    pub provider_id: String,
    /// Trainees who took a seat.
    pub trained: u64,
    /// Trainees who completed or dropped out.
    pub leavers: u64,
    /// The rules' minimum of leavers for the rest to be shown.
    pub min_leavers: u32,
    /// Whether the figures below are withheld.
    pub suppressed: bool,
    /// Months after completion an employment counts within.
    pub employment_window_months: u32,
    pub completed: Option<u64>,
    pub dropped_out: Option<u64>,
    /// Completed and employed within the window.
    pub employed: Option<u64>,
    /// completed ÷ leavers, in percent, one decimal.
    pub completion_rate_percent: Option<f64>,
    /// employed ÷ completed, in percent, one decimal.
    pub employment_rate_percent: Option<f64>,
    pub appraised: Option<u64>,
    /// passed ÷ appraised, in percent, one decimal.
    pub appraisal_pass_rate_percent: Option<f64>,
    /// For an order-based course: its employer's commitment.
    pub commitment: Option<CommitmentView>,
    /// For a provider: its order-based courses, and how many of their
    /// employers met their commitments.
    pub order_based_courses: Option<u64>,
    pub commitments_met: Option<u64>,
}

/// A percentage to one decimal, or `None` of nothing.
fn percent(part: u64, whole: u64) -> Option<f64> {
    if whole == 0 {
        return None;
    }
    // Tenths of a percent in integers, rounded half up, then one division.
    let tenths = (part * 1_000 + whole / 2) / whole;
    Some(tenths as f64 / 10.0)
}

impl OutcomesView {
    /// The outcomes of `counts`, withheld below `min_leavers`.
    pub fn new(
        course_id: Option<String>,
        provider_id: String,
        counts: &OutcomeCounts,
        min_leavers: u32,
        window_months: u32,
    ) -> Self {
        let leavers = counts.completed + counts.dropped_out;
        let suppressed = leavers < u64::from(min_leavers);
        let shown = |value: u64| (!suppressed).then_some(value);
        let rate = |part: u64, whole: u64| {
            if suppressed {
                None
            } else {
                percent(part, whole)
            }
        };
        Self {
            course_id,
            provider_id,
            trained: counts.trained,
            leavers,
            min_leavers,
            suppressed,
            employment_window_months: window_months,
            completed: shown(counts.completed),
            dropped_out: shown(counts.dropped_out),
            employed: shown(counts.employed),
            completion_rate_percent: rate(counts.completed, leavers),
            employment_rate_percent: rate(counts.employed, counts.completed),
            appraised: shown(counts.appraised),
            appraisal_pass_rate_percent: rate(counts.passed, counts.appraised),
            commitment: None,
            order_based_courses: None,
            commitments_met: None,
        }
    }
}

/// One course found.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseHit {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub region: String,
    pub occupation: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub seats: u32,
    pub seats_free: u32,
    /// Relevance (higher is better); 0 for a search of filters alone.
    pub score: f64,
}

impl From<FoundCourse> for CourseHit {
    fn from(found: FoundCourse) -> Self {
        Self {
            seats_free: found.seats.saturating_sub(found.seats_taken),
            id: found.id,
            title: found.title,
            kind: found.kind,
            region: found.region,
            occupation: found.occupation,
            starts_on: found.starts_on,
            ends_on: found.ends_on,
            seats: found.seats,
            score: found.score,
        }
    }
}

/// A page of courses found.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseSearchResults {
    /// How many match, counted up to 1,000.
    pub total: u64,
    /// Whether `total` is all of them (false: more than 1,000 match).
    pub total_is_exact: bool,
    pub hits: Vec<CourseHit>,
}

impl CourseSearchResults {
    /// The page `found` of a search that counted `counted` (up to one
    /// more than the cap).
    pub fn new(counted: u64, found: Vec<FoundCourse>) -> Self {
        Self {
            total: counted.min(labex_search::fts::TOTAL_CAP),
            total_is_exact: counted <= labex_search::fts::TOTAL_CAP,
            hits: found.into_iter().map(CourseHit::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_withheld_under_the_minimum_of_leavers() {
        let counts = OutcomeCounts {
            trained: 12,
            completed: 10,
            dropped_out: 2,
            employed: 7,
            appraised: 10,
            passed: 9,
            hires_by_order_employer: 0,
        };
        let hidden = OutcomesView::new(None, "p".to_owned(), &counts, 20, 6);
        assert!(hidden.suppressed);
        assert_eq!(hidden.leavers, 12);
        assert_eq!(hidden.employed, None);
        assert_eq!(hidden.employment_rate_percent, None);
        let shown = OutcomesView::new(None, "p".to_owned(), &counts, 10, 6);
        assert_eq!(shown.employment_rate_percent, Some(70.0));
        assert_eq!(shown.completion_rate_percent, Some(83.3));
        assert_eq!(shown.appraisal_pass_rate_percent, Some(90.0));
    }
}
