//! What both kinds of tests start from: employers, vacancies and job
//! seekers written to the store as their own contexts write them, and the
//! body of a fair.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use labex_domain::employer::{Employer, EmployerCommand, RegisterEmployer};
use labex_domain::jobseeker::{
    JobSeeker, JobSeekerCommand, JobSeekerProfile, PersonalData, RegisterJobSeeker,
};
use labex_domain::vacancy::{PublishVacancy, Vacancy, VacancyCommand, VacancyDetails};
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Education, ExperienceYears, Headcount,
    JobSeekerCategory, Label, OrganisationName, PersonName, ResidentId, SalaryRange, Title,
};
use labex_domain::{EmployerId, JobSeekerId, VacancyId, china_date};
use labex_eventsourcing::{EventContext, Repository};
use serde_json::{Value, json};

/// Records written straight to the store, numbered so that each is new.
pub struct Records {
    pub repository: Repository,
    pub seed: u64,
}

fn context(office: &str) -> EventContext {
    EventContext::for_request(
        uuid::Uuid::now_v7(),
        "fixture",
        Some(DivisionCode::parse(office).expect("a division code")),
    )
}

fn label(text: &str) -> Label {
    Label::parse(text).expect("a label")
}

impl Records {
    /// An employer registered in Jinshui (410105).
    pub async fn employer(&self, n: u64) -> EmployerId {
        let id = EmployerId::generate();
        let command = EmployerCommand::Register(RegisterEmployer {
            employer_id: id,
            name: OrganisationName::parse("郑州中原装备有限公司").expect("a name"),
            credit_code: CreditCode::parse(&labex_testkit::credit_code(self.seed + n))
                .expect("a credit code"),
            region: DivisionCode::parse("410105").expect("a division code"),
            industry: label("制造业"),
        });
        self.repository
            .execute::<Employer>(id, command, &context("410105"))
            .await
            .expect("the employer is registered");
        id
    }

    /// An open vacancy of `employer` titled `title`.
    pub async fn vacancy(&self, employer: EmployerId, title: &str) -> VacancyId {
        let id = VacancyId::generate();
        let command = VacancyCommand::Publish(PublishVacancy {
            vacancy_id: id,
            employer_id: employer,
            details: VacancyDetails {
                title: Title::parse(title).expect("a title"),
                description: Description::parse("负责生产线设备的安装与维护。")
                    .expect("a description"),
                occupation: label("电工"),
                occupation_code: None,
                region: DivisionCode::parse("410105").expect("a division code"),
                salary: SalaryRange::parse(6000, 9000).expect("a salary range"),
                headcount: Headcount::parse(2).expect("a headcount"),
                education: Education::SeniorSecondary,
                experience_years: ExperienceYears::parse(0).expect("years"),
                welcomes: BTreeSet::from([JobSeekerCategory::Graduate]),
                public_welfare: false,
                closes_at: None,
            },
            published_at: Utc::now(),
        });
        self.repository
            .execute::<Vacancy>(id, command, &context("410105"))
            .await
            .expect("the vacancy is published");
        id
    }

    /// A graduate registered in Jinshui.
    pub async fn jobseeker(&self, n: u64) -> JobSeekerId {
        let id = JobSeekerId::generate();
        let command = JobSeekerCommand::Register(RegisterJobSeeker {
            jobseeker_id: id,
            personal: PersonalData {
                name: PersonName::parse("李娜").expect("a name"),
                id_number: ResidentId::parse(&labex_testkit::id_number(self.seed + n))
                    .expect("an id number"),
                phone: None,
            },
            profile: JobSeekerProfile {
                education: Education::Bachelor,
                major: None,
                graduation_year: None,
                categories: BTreeSet::from([JobSeekerCategory::Graduate]),
                skills: vec![label("PLC")],
                desired_occupations: vec![label("电工")],
                desired_occupation_codes: Vec::new(),
                desired_regions: BTreeSet::new(),
                summary: None,
            },
            office: DivisionCode::parse("410105").expect("a division code"),
            registered_on: china_date(Utc::now()),
        });
        self.repository
            .execute::<JobSeeker>(id, command, &context("410105"))
            .await
            .expect("the job seeker is registered");
        id
    }
}

/// An on-site fair in Jinshui for graduates with `capacity` places,
/// starting `starts_in` from now and lasting eight hours.
pub fn fair_body(capacity: u32, starts_in: Duration) -> Value {
    let starts: DateTime<Utc> = Utc::now() + starts_in;
    json!({
        "title": "2026届高校毕业生春季专场招聘会",
        "kind": "onsite",
        "audience": ["graduate"],
        "region": "410105",
        "venue": "郑州市人力资源市场三楼大厅",
        "starts_at": starts.to_rfc3339(),
        "ends_at": (starts + Duration::hours(8)).to_rfc3339(),
        "capacity": capacity,
        "campaign": "高校毕业生就业服务月"
    })
}
