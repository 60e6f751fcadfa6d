//! What the referral tests share: the job seekers, employers and vacancies
//! referred to, written straight through the repository (their own
//! services are not under test here), and reading what the store holds.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use kurrentdb::{Client, ReadStreamOptions, RecordedEvent};
use labex_domain::employer::{Employer, EmployerCommand, RegisterEmployer};
use labex_domain::jobseeker::{
    JobSeeker, JobSeekerCommand, JobSeekerProfile, PersonalData, RegisterJobSeeker,
};
use labex_domain::vacancy::{
    CloseReason, CloseVacancy, PublishVacancy, Vacancy, VacancyCommand, VacancyDetails,
};
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Education, ExperienceYears, Headcount,
    JobSeekerCategory, Label, OrganisationName, PersonName, ResidentId, SalaryRange, Title,
};
use labex_domain::{EmployerId, JobSeekerId, VacancyId, china_date};
use labex_eventsourcing::{EventContext, Repository};

/// The office the fixtures' job seekers and employers are registered in.
pub const JINSHUI: &str = "410105";

/// Writes the records a referral names.
pub struct Records {
    repository: Repository,
    serial: AtomicU64,
}

impl Records {
    /// Records in the store of `client`.
    pub fn new(client: &Client) -> Self {
        Self {
            repository: Repository::new(client.clone()),
            serial: AtomicU64::new(1),
        }
    }

    /// The repository they are written through.
    pub fn repository(&self) -> &Repository {
        &self.repository
    }

    fn next(&self) -> u64 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }

    /// A job seeker (a graduate) registered by `office`.
    pub async fn jobseeker(&self, office: &str) -> JobSeekerId {
        let id = JobSeekerId::generate();
        let command = JobSeekerCommand::Register(RegisterJobSeeker {
            jobseeker_id: id,
            personal: PersonalData {
                name: PersonName::parse("王芳").expect("a name"),
                id_number: ResidentId::parse(&labex_testkit::id_number(self.next()))
                    .expect("an id number"),
                phone: None,
            },
            profile: JobSeekerProfile {
                education: Education::Bachelor,
                major: None,
                graduation_year: None,
                categories: BTreeSet::from([JobSeekerCategory::Graduate]),
                skills: vec![label("Rust")],
                desired_occupations: vec![label("软件开发")],
                desired_occupation_codes: Vec::new(),
                desired_regions: BTreeSet::new(),
                summary: None,
            },
            office: division(office),
            registered_on: china_date(Utc::now()),
        });
        self.repository
            .execute::<JobSeeker>(id, command, &context(office))
            .await
            .expect("the job seeker is registered");
        id
    }

    /// An employer in Jinshui.
    pub async fn employer(&self) -> EmployerId {
        let id = EmployerId::generate();
        let command = EmployerCommand::Register(RegisterEmployer {
            employer_id: id,
            name: OrganisationName::parse("郑州中原软件有限公司").expect("a name"),
            credit_code: CreditCode::parse(&labex_testkit::credit_code(self.next()))
                .expect("a credit code"),
            region: division(JINSHUI),
            industry: label("软件和信息技术服务业"),
        });
        self.repository
            .execute::<Employer>(id, command, &context(JINSHUI))
            .await
            .expect("the employer is registered");
        id
    }

    /// An open vacancy of `employer` for `headcount` people.
    pub async fn vacancy(&self, employer: EmployerId, headcount: u32) -> VacancyId {
        let id = VacancyId::generate();
        let command = VacancyCommand::Publish(PublishVacancy {
            vacancy_id: id,
            employer_id: employer,
            details: VacancyDetails {
                title: Title::parse("Rust 开发工程师").expect("a title"),
                description: Description::parse("开发就业服务平台后端。").expect("a description"),
                occupation: label("软件开发"),
                occupation_code: None,
                region: division(JINSHUI),
                salary: SalaryRange::parse(8000, 12000).expect("a salary range"),
                headcount: Headcount::parse(i64::from(headcount)).expect("a headcount"),
                education: Education::Associate,
                experience_years: ExperienceYears::parse(0).expect("years"),
                welcomes: BTreeSet::from([JobSeekerCategory::Graduate]),
                public_welfare: false,
                closes_at: None,
            },
            published_at: Utc::now(),
        });
        self.repository
            .execute::<Vacancy>(id, command, &context(JINSHUI))
            .await
            .expect("the vacancy is published");
        id
    }

    /// Withdraws `vacancy`.
    pub async fn close(&self, vacancy: VacancyId) {
        let command = VacancyCommand::Close(CloseVacancy {
            reason: CloseReason::Withdrawn,
            note: None,
        });
        self.repository
            .execute::<Vacancy>(vacancy, command, &context(JINSHUI))
            .await
            .expect("the vacancy is closed");
    }
}

/// The context of a fixture written for `office`.
pub fn context(office: &str) -> EventContext {
    labex_web::request_context("test-fixture", Some(division(office)))
}

pub fn division(code: &str) -> DivisionCode {
    DivisionCode::parse(code).expect("a division code")
}

pub fn label(text: &str) -> Label {
    Label::parse(text).expect("a label")
}

pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date")
}

/// What the tests look at of a recorded event.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub id: uuid::Uuid,
    pub event_type: String,
    pub custom_metadata: Vec<u8>,
}

impl Recorded {
    fn of(event: &RecordedEvent) -> Self {
        Self {
            id: event.id,
            event_type: event.event_type.clone(),
            custom_metadata: event.custom_metadata.to_vec(),
        }
    }
}

/// The events of `stream` as the store recorded them (none for a stream
/// that does not exist or was deleted).
pub async fn recorded(client: &Client, stream: &str) -> Vec<Recorded> {
    let mut read = match client
        .read_stream(stream, &ReadStreamOptions::default())
        .await
    {
        Ok(read) => read,
        Err(kurrentdb::Error::ResourceNotFound | kurrentdb::Error::ResourceDeleted) => {
            return Vec::new();
        }
        Err(error) => panic!("reading {stream}: {error}"),
    };
    let mut events = Vec::new();
    loop {
        match read.next().await {
            Ok(Some(event)) => events.push(Recorded::of(event.get_original_event())),
            Ok(None) => return events,
            Err(kurrentdb::Error::ResourceNotFound | kurrentdb::Error::ResourceDeleted) => {
                return Vec::new();
            }
            Err(error) => panic!("reading {stream}: {error}"),
        }
    }
}

/// A SQLite database in `folder`, as a service keeps one.
pub fn database(folder: &tempfile::TempDir, name: &str) -> rusqlite::Connection {
    let connection =
        rusqlite::Connection::open(folder.path().join(format!("{name}.sqlite"))).expect("open");
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    connection
}

/// Waits at most ten seconds, so that a missing event fails instead of
/// hanging.
pub async fn soon<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .expect("done within 10 s")
}
