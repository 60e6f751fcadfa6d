//! A store per test, and the people, employers and vacancies the tests
//! share.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use kurrentdb::{Client, ReadStreamOptions, RecordedEvent};
use labex_domain::employer::{EmployerCommand, RegisterEmployer};
use labex_domain::jobseeker::{
    JobSeekerCommand, JobSeekerProfile, PersonalData, RegisterJobSeeker,
};
use labex_domain::vacancy::{PublishVacancy, VacancyCommand, VacancyDetails};
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Education, ExperienceYears, Headcount,
    JobSeekerCategory, Label, MobilePhone, OrganisationName, PersonName, ResidentId, SalaryRange,
    Title,
};
use labex_domain::{EmployerId, JobSeekerId, VacancyId};
use labex_eventsourcing::{EventContext, Repository};
use labex_eventstore::{RunningServer, ServerConfig};
use uuid::Uuid;

/// Zhang Wei, born 1998-05-12 in Jinshui, Zhengzhou.
pub const ZHANG_WEI_ID_NUMBER: &str = "410105199805121235";

/// A store on a free port with its data in a temporary folder.
pub struct TestStore {
    pub client: Client,
    pub server: Option<RunningServer>,
    pub data: tempfile::TempDir,
}

impl TestStore {
    pub async fn start() -> TestStore {
        let data = tempfile::tempdir().expect("a temporary folder");
        let server = RunningServer::start(ServerConfig::new(
            data.path(),
            "127.0.0.1:0".parse().expect("an address"),
        ))
        .await
        .expect("the store starts");
        let client = Client::new(
            server
                .connection_string()
                .parse()
                .expect("a connection string"),
        )
        .expect("a client");
        TestStore {
            client,
            server: Some(server),
            data,
        }
    }

    pub fn repository(&self) -> Repository {
        Repository::new(self.client.clone())
    }

    /// The recorded events of a stream, as stored.
    pub async fn recorded(&self, stream: &str) -> Vec<Recorded> {
        let mut read = match self
            .client
            .read_stream(stream, &ReadStreamOptions::default())
            .await
        {
            Ok(read) => read,
            Err(kurrentdb::Error::ResourceNotFound) => return Vec::new(),
            Err(error) => panic!("reading {stream}: {error}"),
        };
        let mut events = Vec::new();
        loop {
            match read.next().await {
                Ok(Some(event)) => events.push(Recorded::of(event.get_original_event())),
                Ok(None) => return events,
                Err(kurrentdb::Error::ResourceNotFound) => return Vec::new(),
                Err(error) => panic!("reading {stream}: {error}"),
            }
        }
    }
}

/// What the tests look at of a recorded event.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub id: Uuid,
    pub revision: u64,
    pub event_type: String,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
    pub custom_metadata: Vec<u8>,
}

impl Recorded {
    fn of(event: &RecordedEvent) -> Self {
        Recorded {
            id: event.id,
            revision: event.revision,
            event_type: event.event_type.clone(),
            content_type: event.metadata.get("content-type").cloned(),
            data: event.data.to_vec(),
            custom_metadata: event.custom_metadata.to_vec(),
        }
    }
}

/// A temporary SQLite database file for read models.
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

pub fn context(actor: &str) -> EventContext {
    EventContext::for_request(Uuid::now_v7(), actor, Some(division("410105")))
}

pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date")
}

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().expect("an RFC 3339 time")
}

pub fn division(code: &str) -> DivisionCode {
    DivisionCode::parse(code).expect("a division code")
}

pub fn label(text: &str) -> Label {
    Label::parse(text).expect("a label")
}

pub fn zhang_wei_profile() -> JobSeekerProfile {
    JobSeekerProfile {
        education: Education::Bachelor,
        major: Some(label("软件工程")),
        graduation_year: Some(labex_domain::value::GraduationYear::parse(2020).expect("a year")),
        categories: [JobSeekerCategory::Graduate].into_iter().collect(),
        skills: vec![label("Rust"), label("SQL")],
        desired_occupations: vec![label("软件开发")],
        desired_occupation_codes: Vec::new(),
        desired_regions: [division("410100")].into_iter().collect(),
        summary: None,
    }
}

pub fn register_jobseeker(jobseeker_id: JobSeekerId) -> JobSeekerCommand {
    JobSeekerCommand::Register(RegisterJobSeeker {
        jobseeker_id,
        personal: PersonalData {
            name: PersonName::parse("张伟").expect("a name"),
            id_number: ResidentId::parse(ZHANG_WEI_ID_NUMBER).expect("a resident id"),
            phone: Some(MobilePhone::parse("13800138000").expect("a phone")),
        },
        profile: zhang_wei_profile(),
        office: division("410105"),
        registered_on: date(2024, 3, 1),
    })
}

pub fn register_employer(employer_id: EmployerId) -> EmployerCommand {
    EmployerCommand::Register(RegisterEmployer {
        employer_id,
        name: OrganisationName::parse("郑州中原软件有限公司").expect("a name"),
        credit_code: CreditCode::parse("91350100M000100Y43").expect("a credit code"),
        region: division("410105"),
        industry: label("软件和信息技术服务业"),
    })
}

pub fn developer_post(headcount: u32) -> VacancyDetails {
    VacancyDetails {
        title: Title::parse("Rust 开发工程师").expect("a title"),
        description: Description::parse("开发就业服务平台后端。").expect("a description"),
        occupation: label("软件开发"),
        occupation_code: None,
        region: division("410105"),
        salary: SalaryRange::parse(8000, 12000).expect("a salary range"),
        headcount: Headcount::parse(i64::from(headcount)).expect("a headcount"),
        education: Education::Associate,
        experience_years: ExperienceYears::parse(1).expect("years"),
        welcomes: BTreeSet::from([JobSeekerCategory::Graduate]),
        public_welfare: false,
        closes_at: None,
    }
}

pub fn publish_vacancy(
    vacancy_id: VacancyId,
    employer_id: EmployerId,
    headcount: u32,
) -> VacancyCommand {
    VacancyCommand::Publish(PublishVacancy {
        vacancy_id,
        employer_id,
        details: developer_post(headcount),
        published_at: at("2024-03-01T02:00:00Z"),
    })
}
