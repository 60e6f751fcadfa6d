//! What the API answers about fairs. Visitors are counted, never listed
//! in public answers; a registration is shown to its job seeker and to
//! staff.

use chrono::{DateTime, Utc};
use labex_domain::fair::{Fair, FairDetails, FairStatus, Place};
use labex_domain::{EmployerId, JobSeekerId, rfc3339_millis};
use serde::Serialize;
use utoipa::ToSchema;

/// The details every answer about a fair carries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DetailsView {
    pub title: String,
    /// onsite or online.
    pub kind: String,
    /// The job-seeker categories it is for; empty: everyone.
    pub audience: Vec<String>,
    /// Division code.
    pub region: String,
    pub venue: Option<String>,
    pub link: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    /// Visitor places.
    pub capacity: u32,
    /// The campaign (服务月, 服务周).
    pub campaign: Option<String>,
}

impl DetailsView {
    /// The view of `details`.
    pub fn new(details: &FairDetails) -> Self {
        Self {
            title: details.title.as_str().to_owned(),
            kind: details.kind.as_str().to_owned(),
            audience: details
                .audience
                .iter()
                .map(|category| category.as_str().to_owned())
                .collect(),
            region: details.region.as_str().to_owned(),
            venue: details
                .venue
                .as_ref()
                .map(|venue| venue.as_str().to_owned()),
            link: details.link.as_ref().map(|link| link.as_str().to_owned()),
            starts_at: rfc3339_millis(details.starts_at),
            ends_at: rfc3339_millis(details.ends_at),
            capacity: details.capacity.get(),
            campaign: details
                .campaign
                .as_ref()
                .map(|campaign| campaign.as_str().to_owned()),
        }
    }
}

/// How many take part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountsView {
    pub exhibitors: usize,
    /// Vacancies the exhibitors bring.
    pub vacancies: usize,
    /// Visitors with a place.
    pub registered: u32,
    /// Visitors on the waiting list.
    pub waiting: usize,
    /// Places not yet given.
    pub places_left: u32,
    /// Visitors who came through the door.
    pub checked_in: usize,
}

/// An exhibitor on the fair's page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExhibitorView {
    pub employer_id: String,
    /// Its registered name (`null` until the fairs' read model has it).
    pub name: Option<String>,
    /// The vacancies it brings.
    pub vacancy_ids: Vec<String>,
}

/// A fair's page: its details, status, counts and exhibitors.
#[derive(Debug, Serialize, ToSchema)]
pub struct FairView {
    pub id: String,
    /// The office that runs it.
    pub office: String,
    #[serde(flatten)]
    pub details: DetailsView,
    /// scheduled, under_way, ended or cancelled, at the moment described.
    pub status: String,
    /// Why it was cancelled, once it is.
    pub cancellation_reason: Option<String>,
    pub counts: CountsView,
    pub exhibitors: Vec<ExhibitorView>,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

impl FairView {
    /// The view of `fair` at `revision`, its status at `moment`, its
    /// exhibitors named by `names`.
    pub fn new(
        fair: &Fair,
        revision: u64,
        moment: DateTime<Utc>,
        names: &[(EmployerId, String)],
    ) -> Self {
        let taken = fair.places_taken();
        let exhibitors = fair
            .exhibitors
            .iter()
            .map(|(employer, vacancies)| ExhibitorView {
                employer_id: employer.to_string(),
                name: names
                    .iter()
                    .find(|(id, _)| id == employer)
                    .map(|(_, name)| name.clone()),
                vacancy_ids: vacancies.iter().map(ToString::to_string).collect(),
            })
            .collect();
        Self {
            id: fair.id.to_string(),
            office: fair.office.as_str().to_owned(),
            details: DetailsView::new(&fair.details),
            status: fair.status_at(moment).as_str().to_owned(),
            cancellation_reason: fair
                .cancellation
                .as_ref()
                .and_then(|cancellation| cancellation.reason.as_ref())
                .map(|reason| reason.as_str().to_owned()),
            counts: CountsView {
                exhibitors: fair.exhibitors.len(),
                vacancies: fair.vacancy_ids().len(),
                registered: taken,
                waiting: fair.waiting_list().len(),
                places_left: fair.details.capacity.get().saturating_sub(taken),
                checked_in: fair
                    .visitors
                    .values()
                    .filter(|visitor| visitor.checked_in_at.is_some())
                    .count(),
            },
            exhibitors,
            revision,
        }
    }
}

/// A fair in the calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FairSummary {
    pub id: String,
    pub office: String,
    #[serde(flatten)]
    pub details: DetailsView,
    /// scheduled, under_way, ended or cancelled, now.
    pub status: String,
    pub revision: u64,
    /// For the calendar's iCalendar form.
    #[serde(skip)]
    pub cancelled: bool,
    #[serde(skip)]
    pub starts: DateTime<Utc>,
    #[serde(skip)]
    pub ends: DateTime<Utc>,
    #[serde(skip)]
    pub venue_or_link: Option<String>,
}

impl FairSummary {
    /// The calendar row of a fair.
    pub fn new(
        id: &str,
        office: &str,
        details: &FairDetails,
        status: FairStatus,
        revision: u64,
    ) -> Self {
        Self {
            id: id.to_owned(),
            office: office.to_owned(),
            details: DetailsView::new(details),
            status: status.as_str().to_owned(),
            revision,
            cancelled: status == FairStatus::Cancelled,
            starts: details.starts_at,
            ends: details.ends_at,
            venue_or_link: details
                .venue
                .as_ref()
                .map(|venue| venue.as_str().to_owned())
                .or_else(|| details.link.as_ref().map(|link| link.as_str().to_owned())),
        }
    }
}

/// A page of the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct FairPage {
    pub items: Vec<FairSummary>,
    /// The cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A job seeker's registration for a fair.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationView {
    pub fair_id: String,
    pub jobseeker_id: String,
    /// confirmed (a place) or waiting.
    pub place: String,
    /// On the waiting list, how many are ahead plus one; `null` with a place.
    pub waiting_position: Option<usize>,
    pub registered_at: String,
    pub checked_in_at: Option<String>,
    /// The fair's revision, also the `ETag`.
    pub revision: u64,
}

impl RegistrationView {
    /// `jobseeker`'s registration for `fair`, if any.
    pub fn of(fair: &Fair, jobseeker: JobSeekerId, revision: u64) -> Option<Self> {
        let visitor = fair.visitors.get(&jobseeker)?;
        let waiting_position = (visitor.place == Place::Waiting).then(|| {
            fair.waiting_list()
                .iter()
                .position(|id| *id == jobseeker)
                .map_or(0, |index| index + 1)
        });
        Some(Self {
            fair_id: fair.id.to_string(),
            jobseeker_id: jobseeker.to_string(),
            place: visitor.place.as_str().to_owned(),
            waiting_position,
            registered_at: rfc3339_millis(visitor.registered_at),
            checked_in_at: visitor.checked_in_at.map(rfc3339_millis),
            revision,
        })
    }
}

/// Hires from the fair within a period after its last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HiresView {
    /// The period, in days after the fair's last day.
    pub within_days: u32,
    pub hires: u32,
}

/// One exhibitor's results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExhibitorResultsView {
    pub employer_id: String,
    pub name: Option<String>,
    /// Still exhibiting (`false`: it left, yet referrals name the fair).
    pub exhibiting: bool,
    /// Vacancies it brought.
    pub vacancies: usize,
    /// Visitors who came to its stand.
    pub visitors: usize,
    /// Referrals to it that name the fair.
    pub referrals: u32,
    /// Hires among them, per period.
    pub hires: Vec<HiresView>,
}

/// A fair's results.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsView {
    pub fair_id: String,
    pub status: String,
    pub counts: CountsView,
    /// Referrals naming the fair.
    pub referrals: u32,
    /// Hires from the fair, per period.
    pub hires: Vec<HiresView>,
    pub exhibitors: Vec<ExhibitorResultsView>,
}
