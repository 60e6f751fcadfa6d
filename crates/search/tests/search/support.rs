//! What the search tests share: an index in a temporary folder fed with
//! domain events as the projection would be, and builders of those events.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use kurrentdb::Position;
use labex_domain::household::{
    Address, Cause, ExitReason, HouseholdCleared, HouseholdDeclared, HouseholdEvent,
    HouseholdExited, HouseholdRegisteredAgain, HouseholdVerified,
};
use labex_domain::jobseeker::{JobSeekerEvent, JobSeekerRegistered};
use labex_domain::vacancy::{VacancyEvent, VacancyPublished};
use labex_domain::{EmployerId, Event, HouseholdId, JobSeekerId, Personal, VacancyId};
use labex_eventsourcing::{EventContext, Metadata, StoredEvent};
use labex_search::{IndexOptions, SearchIndex};
use serde_json::json;
use uuid::Uuid;

/// The moment the fixtures are searched at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

/// A vacancy to publish.
#[derive(Debug, Clone)]
pub struct VacancySpec {
    pub title: &'static str,
    pub description: &'static str,
    pub occupation: &'static str,
    /// A code of the occupational classification, if the vacancy has one.
    pub occupation_code: Option<&'static str>,
    pub region: &'static str,
    pub salary: (u32, u32),
    pub education: &'static str,
    pub welcomes: &'static [&'static str],
    pub public_welfare: bool,
    pub days_ago: i64,
    /// Days after [`now`] that applications close, if they do.
    pub closes_in_days: Option<i64>,
}

impl VacancySpec {
    pub fn new(title: &'static str, occupation: &'static str, description: &'static str) -> Self {
        Self {
            title,
            description,
            occupation,
            occupation_code: None,
            region: "410105",
            salary: (4000, 6000),
            education: "none",
            welcomes: &[],
            public_welfare: false,
            days_ago: 10,
            closes_in_days: None,
        }
    }

    pub fn occupation_code(mut self, code: &'static str) -> Self {
        self.occupation_code = Some(code);
        self
    }

    pub fn region(mut self, region: &'static str) -> Self {
        self.region = region;
        self
    }

    pub fn salary(mut self, min: u32, max: u32) -> Self {
        self.salary = (min, max);
        self
    }

    pub fn education(mut self, education: &'static str) -> Self {
        self.education = education;
        self
    }

    pub fn welcomes(mut self, welcomes: &'static [&'static str]) -> Self {
        self.welcomes = welcomes;
        self
    }

    pub fn public_welfare(mut self) -> Self {
        self.public_welfare = true;
        self
    }

    pub fn days_ago(mut self, days: i64) -> Self {
        self.days_ago = days;
        self
    }

    pub fn closes_in_days(mut self, days: i64) -> Self {
        self.closes_in_days = Some(days);
        self
    }
}

/// A job seeker to register.
#[derive(Debug, Clone)]
pub struct SeekerSpec {
    pub name: &'static str,
    pub education: &'static str,
    pub categories: &'static [&'static str],
    pub skills: &'static [&'static str],
    pub desired_occupations: &'static [&'static str],
    /// Wished codes of the classification (职业分类大典), most wanted first.
    pub occupation_codes: &'static [&'static str],
    pub desired_regions: &'static [&'static str],
    pub summary: Option<&'static str>,
    pub office: &'static str,
}

impl SeekerSpec {
    pub fn new(name: &'static str, desired_occupations: &'static [&'static str]) -> Self {
        Self {
            name,
            education: "senior_secondary",
            categories: &[],
            skills: &[],
            desired_occupations,
            occupation_codes: &[],
            desired_regions: &[],
            summary: None,
            office: "410105",
        }
    }
}

/// The event of publishing `spec` as vacancy `id`.
pub fn published(id: VacancyId, employer: EmployerId, spec: &VacancySpec) -> Event {
    let published_at = now() - chrono::Duration::days(spec.days_ago);
    let value = json!({
        "vacancy_id": id,
        "employer_id": employer,
        "details": {
            "title": spec.title,
            "description": spec.description,
            "occupation": spec.occupation,
            "occupation_code": spec.occupation_code,
            "region": spec.region,
            "salary": {"min_yuan": spec.salary.0, "max_yuan": spec.salary.1},
            "headcount": 3,
            "education": spec.education,
            "experience_years": 0,
            "welcomes": spec.welcomes,
            "public_welfare": spec.public_welfare,
            "closes_at": spec.closes_in_days.map(|days| now() + chrono::Duration::days(days)),
        },
        "published_at": published_at,
    });
    let published: VacancyPublished = serde_json::from_value(value).expect("a valid vacancy");
    Event::Vacancy(VacancyEvent::Published(published))
}

/// The event of registering `spec` as job seeker `id`; `n` picks a
/// distinct ID number.
pub fn registered(id: JobSeekerId, spec: &SeekerSpec, n: u64) -> Event {
    let value = json!({
        "jobseeker_id": id,
        "personal": {
            "name": spec.name,
            "id_number": labex_testkit::id_number(n),
            "phone": null
        },
        "profile": {
            "education": spec.education,
            "major": null,
            "graduation_year": null,
            "categories": spec.categories,
            "skills": spec.skills,
            "desired_occupations": spec.desired_occupations,
            "desired_occupation_codes": spec.occupation_codes,
            "desired_regions": spec.desired_regions,
            "summary": spec.summary,
        },
        "office": spec.office,
    });
    let registered: JobSeekerRegistered =
        serde_json::from_value(value).expect("a valid job seeker");
    Event::JobSeeker(JobSeekerEvent::Registered(registered))
}

/// A vacancy event from JSON data of type `event_type`.
pub fn vacancy_event(event_type: &str, data: serde_json::Value) -> Event {
    labex_domain::decode(event_type, 1, &serde_json::to_vec(&data).unwrap()).expect("a valid event")
}

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().expect("a day")
}

fn cause(event_type: &str) -> Cause {
    Cause {
        event_id: Uuid::now_v7(),
        event_type: event_type.to_owned(),
    }
}

/// A household declared with `members`.
pub fn household_declared(id: HouseholdId, members: &[JobSeekerId]) -> Event {
    Event::Household(HouseholdEvent::Declared(HouseholdDeclared {
        household_id: id,
        office: labex_domain::value::DivisionCode::parse("410105").unwrap(),
        address: Personal::Known(Address::parse("金水区花园路1号").unwrap()),
        members: members.to_vec(),
        declared_on: day("2026-05-04"),
        verification_due_on: day("2026-05-13"),
    }))
}

/// The household verified into the register.
pub fn household_verified(id: HouseholdId) -> Event {
    Event::Household(HouseholdEvent::Verified(HouseholdVerified {
        household_id: id,
        verified_on: day("2026-05-06"),
        plan_due_on: day("2026-06-05"),
        note: Some(Personal::Known(
            labex_domain::value::Note::parse("入户核实").unwrap(),
        )),
    }))
}

/// The household cleared: `member` works.
pub fn household_cleared(id: HouseholdId, member: JobSeekerId) -> Event {
    Event::Household(HouseholdEvent::Cleared(HouseholdCleared {
        household_id: id,
        jobseeker_id: member,
        cleared_on: day("2026-05-20"),
        stabilises_on: day("2026-11-20"),
        cause: cause("EmploymentRegistered"),
    }))
}

/// The household registered again: `member` lost work.
pub fn household_registered_again(id: HouseholdId, member: JobSeekerId) -> Event {
    Event::Household(HouseholdEvent::RegisteredAgain(HouseholdRegisteredAgain {
        household_id: id,
        jobseeker_id: member,
        registered_on: day("2026-05-25"),
        cause: cause("UnemploymentRegistered"),
    }))
}

/// The household left the register: it moved away.
pub fn household_exited(id: HouseholdId) -> Event {
    Event::Household(HouseholdEvent::Exited(HouseholdExited {
        household_id: id,
        reason: ExitReason::MovedAway,
        exited_on: day("2026-05-28"),
        note: None,
    }))
}

/// An index in a temporary folder, fed directly with events.
pub struct TestIndex {
    pub folder: tempfile::TempDir,
    pub index: SearchIndex,
    position: u64,
    revisions: std::collections::HashMap<String, u64>,
    pub employer: EmployerId,
}

impl TestIndex {
    pub fn new() -> Self {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let (index, _) =
            SearchIndex::open(folder.path(), IndexOptions::for_tests()).expect("the index opens");
        Self {
            folder,
            index,
            position: 0,
            revisions: Default::default(),
            employer: EmployerId::from_uuid(Uuid::now_v7()),
        }
    }

    /// Applies `event` as the next event of its stream and of `$all`.
    pub fn apply(&mut self, event: Event) -> Position {
        let stream = event.stream_name();
        let revision = match self.revisions.get(&stream) {
            Some(last) => last + 1,
            None => 0,
        };
        self.revisions.insert(stream.clone(), revision);
        self.position += 100;
        let position = Position {
            commit: self.position,
            prepare: self.position,
        };
        let stored = stored(event, &stream, revision, position);
        self.index
            .apply(&[stored], position)
            .expect("the event applies");
        position
    }

    pub fn publish(&mut self, spec: &VacancySpec) -> VacancyId {
        let id = VacancyId::from_uuid(Uuid::now_v7());
        self.apply(published(id, self.employer, spec));
        id
    }

    pub fn register(&mut self, spec: &SeekerSpec) -> JobSeekerId {
        let id = JobSeekerId::from_uuid(Uuid::now_v7());
        let n = self.revisions.len() as u64 + 1;
        self.apply(registered(id, spec, n));
        id
    }

    /// A household of `members` declared and verified into the register.
    pub fn verified_household(&mut self, members: &[JobSeekerId]) -> HouseholdId {
        let id = HouseholdId::from_uuid(Uuid::now_v7());
        self.apply(household_declared(id, members));
        self.apply(household_verified(id));
        id
    }

    /// Makes everything applied searchable.
    pub fn commit(&self) {
        self.index.flush().expect("the index commits");
    }
}

/// A stored event as the runner would hand it over.
pub fn stored(event: Event, stream: &str, revision: u64, position: Position) -> StoredEvent {
    let context = EventContext::for_request(Uuid::nil(), "test", None);
    StoredEvent {
        id: Uuid::now_v7(),
        stream: stream.to_owned(),
        revision,
        position,
        created: now(),
        metadata: Metadata::new(&context, 1),
        event,
    }
}

/// How long a test waits for the projection.
pub const WAIT: Duration = Duration::from_secs(10);
