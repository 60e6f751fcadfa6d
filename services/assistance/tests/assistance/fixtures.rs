//! What the assistance tests share: the job seekers that households name
//! and what happens to them (registered, employed, hired through a
//! referral, unemployed again), written straight through the repository
//! (their own services are not under test here).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{NaiveDate, Utc};
use kurrentdb::Client;
use labex_domain::course::{
    CancelEnrolment, Course, CourseCommand, CourseDetails, CourseHours, CourseId, CourseKind,
    Enrol, EnrolmentId, OpenCourse, Seats,
};
use labex_domain::employer::{Employer, EmployerCommand, RegisterEmployer};
use labex_domain::jobseeker::JobSeekerForReferral;
use labex_domain::jobseeker::{
    JobSeeker, JobSeekerCommand, JobSeekerProfile, PersonalData, RegisterEmployment,
    RegisterJobSeeker, RegisterUnemployment,
};
use labex_domain::provider::ProviderId;
use labex_domain::referral::{
    MakeReferral, RecordReferralOutcome, Referral, ReferralCommand, ReferralOutcome,
};
use labex_domain::vacancy::{
    PublishVacancy, Vacancy, VacancyCommand, VacancyDetails, VacancyForReferral, VacancyStatus,
};
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Education, ExperienceYears, GraduationYear, Headcount,
    JobSeekerCategory, Label, OrganisationName, PersonName, ResidentId, SalaryRange, Title,
};
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId, china_date};
use labex_eventsourcing::{EventContext, Position, Repository};
use serde_json::{Value, json};

/// The office the fixtures' job seekers and households are in.
pub const JINSHUI: &str = "410105";

/// Writes the job seekers households name, and their employment.
pub struct People {
    repository: Repository,
    serial: AtomicU64,
}

impl People {
    /// People in the store of `client`, their ID numbers from `first` on.
    pub fn new(client: &Client, first: u64) -> Self {
        Self {
            repository: Repository::new(client.clone()),
            serial: AtomicU64::new(first),
        }
    }

    /// A job seeker in hardship registered by `office`.
    pub async fn jobseeker(&self, office: &str) -> JobSeekerId {
        self.register(
            office,
            JobSeekerProfile {
                education: Education::JuniorSecondary,
                major: None,
                graduation_year: None,
                categories: BTreeSet::from([JobSeekerCategory::Hardship]),
                skills: vec![Label::parse("保洁").expect("a label")],
                desired_occupations: vec![],
                desired_occupation_codes: Vec::new(),
                desired_regions: BTreeSet::new(),
                summary: None,
            },
        )
        .await
    }

    /// A college graduate without a post (an intern, 就业见习) registered
    /// by `office`.
    pub async fn graduate(&self, office: &str) -> JobSeekerId {
        self.register(
            office,
            JobSeekerProfile {
                education: Education::Bachelor,
                major: Some(Label::parse("会计学").expect("a label")),
                graduation_year: Some(GraduationYear::parse(2026).expect("a year")),
                categories: BTreeSet::from([JobSeekerCategory::Graduate]),
                skills: vec![Label::parse("财务软件").expect("a label")],
                desired_occupations: vec![],
                desired_occupation_codes: Vec::new(),
                desired_regions: BTreeSet::new(),
                summary: None,
            },
        )
        .await
    }

    /// An employer registered in `office`, its credit code from the
    /// serial.
    pub async fn employer(&self, office: &str) -> EmployerId {
        let id = EmployerId::generate();
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let command = EmployerCommand::Register(RegisterEmployer {
            employer_id: id,
            name: OrganisationName::parse("郑州见习基地有限公司").expect("a name"),
            credit_code: CreditCode::parse(&labex_testkit::credit_code(serial))
                .expect("a credit code"),
            region: division(office),
            industry: Label::parse("制造业").expect("a label"),
        });
        self.repository
            .execute::<Employer>(id, command, &context(office))
            .await
            .expect("the employer is registered");
        id
    }

    async fn register(&self, office: &str, profile: JobSeekerProfile) -> JobSeekerId {
        let id = JobSeekerId::generate();
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let command = JobSeekerCommand::Register(RegisterJobSeeker {
            jobseeker_id: id,
            personal: PersonalData {
                name: PersonName::parse("李秀英").expect("a name"),
                id_number: ResidentId::parse(&labex_testkit::id_number(serial))
                    .expect("an id number"),
                phone: None,
            },
            profile,
            office: division(office),
            registered_on: china_date(Utc::now()),
        });
        self.repository
            .execute::<JobSeeker>(id, command, &context(office))
            .await
            .expect("the job seeker is registered");
        id
    }

    /// Registers `jobseeker` employed (就业登记) from `started_on`: the
    /// position of the event.
    pub async fn employ(&self, jobseeker: JobSeekerId, started_on: NaiveDate) -> Position {
        let command = JobSeekerCommand::RegisterEmployment(RegisterEmployment {
            started_on,
            employer_id: None,
            employer_name: None,
            note: None,
        });
        self.repository
            .execute::<JobSeeker>(jobseeker, command, &context(JINSHUI))
            .await
            .expect("the employment is registered")
            .position
            .expect("a position")
    }

    /// Registers `jobseeker` unemployed (失业登记) on `on`.
    pub async fn unemploy(&self, jobseeker: JobSeekerId, on: NaiveDate) -> Position {
        let command = JobSeekerCommand::RegisterUnemployment(RegisterUnemployment {
            registered_on: on,
            note: None,
        });
        self.repository
            .execute::<JobSeeker>(jobseeker, command, &context(JINSHUI))
            .await
            .expect("the unemployment is registered")
            .position
            .expect("a position")
    }

    /// Refers `jobseeker` to a vacancy and records the hire, today: the
    /// referral and the position of the outcome.
    pub async fn hire(&self, jobseeker: JobSeekerId) -> (ReferralId, Position) {
        self.hire_into(
            jobseeker,
            VacancyId::generate(),
            EmployerId::generate(),
            china_date(Utc::now()),
        )
        .await
    }

    /// Publishes a public-welfare post (公益性岗位) in Jinshui paying from
    /// 2,000 yuan a month: the vacancy and its employer.
    pub async fn welfare_post(&self) -> (VacancyId, EmployerId) {
        let vacancy = VacancyId::generate();
        let employer = EmployerId::generate();
        let command = VacancyCommand::Publish(PublishVacancy {
            vacancy_id: vacancy,
            employer_id: employer,
            details: VacancyDetails {
                title: Title::parse("社区保洁员").expect("a title"),
                description: Description::parse("负责社区公共区域保洁。").expect("a description"),
                occupation: Label::parse("保洁员").expect("a label"),
                occupation_code: None,
                region: division(JINSHUI),
                salary: SalaryRange::parse(2000, 2200).expect("a salary range"),
                headcount: Headcount::parse(5).expect("a headcount"),
                education: Education::None,
                experience_years: ExperienceYears::parse(0).expect("years"),
                welcomes: BTreeSet::from([JobSeekerCategory::Hardship]),
                public_welfare: true,
                closes_at: None,
            },
            published_at: Utc::now(),
        });
        self.repository
            .execute::<Vacancy>(vacancy, command, &context(JINSHUI))
            .await
            .expect("the post is published");
        (vacancy, employer)
    }

    /// Refers `jobseeker` to `vacancy` of `employer` and records the hire
    /// on `on` (the referral made that day): the referral and the position
    /// of the outcome.
    pub async fn hire_into(
        &self,
        jobseeker: JobSeekerId,
        vacancy: VacancyId,
        employer: EmployerId,
        on: NaiveDate,
    ) -> (ReferralId, Position) {
        let (referral, _) = self.refer(jobseeker, vacancy, employer, on).await;
        let outcome = ReferralCommand::RecordOutcome(RecordReferralOutcome {
            outcome: ReferralOutcome::Hired,
            date: on,
            note: None,
        });
        let position = self
            .repository
            .execute::<Referral>(referral, outcome, &context(JINSHUI))
            .await
            .expect("the hire is recorded")
            .position
            .expect("a position");
        (referral, position)
    }

    /// Refers `jobseeker` to `vacancy` of `employer` on `on`: the referral
    /// and the position of its `ReferralMade`.
    pub async fn refer(
        &self,
        jobseeker: JobSeekerId,
        vacancy: VacancyId,
        employer: EmployerId,
        on: NaiveDate,
    ) -> (ReferralId, Position) {
        let referral = ReferralId::generate();
        let now = on.and_hms_opt(4, 0, 0).expect("a time of day").and_utc();
        let make = ReferralCommand::Make(MakeReferral {
            referral_id: referral,
            fair_id: None,
            jobseeker_id: jobseeker,
            vacancy_id: vacancy,
            note: None,
            referred_at: now,
            vacancy: VacancyForReferral {
                status: VacancyStatus::Open,
                employer_id: employer,
                public_welfare: false,
                closes_at: None,
            },
            jobseeker: JobSeekerForReferral {
                categories: BTreeSet::from([JobSeekerCategory::Hardship]),
            },
            open_referrals: vec![],
        });
        let position = self
            .repository
            .execute::<Referral>(referral, make, &context(JINSHUI))
            .await
            .expect("the referral is made")
            .position
            .expect("a position");
        (referral, position)
    }
}

impl People {
    /// A course of one seat in Jinshui on which `first` is seated and
    /// `second` waits until `first` gives the seat up: the course and the
    /// position of the last event (the promotion).
    pub async fn train(&self, first: JobSeekerId, second: JobSeekerId) -> (CourseId, Position) {
        let course = CourseId::generate();
        let now = Utc::now();
        let today = china_date(now);
        let open = CourseCommand::Open(OpenCourse {
            course_id: course,
            provider_id: ProviderId::generate(),
            office: division(JINSHUI),
            details: CourseDetails {
                title: Title::parse("家政服务员培训班").expect("a title"),
                kind: CourseKind::Employment,
                occupation: None,
                description: None,
                hours: CourseHours::parse(120).expect("hours"),
                seats: Seats::parse(1).expect("seats"),
                starts_on: today,
                ends_on: today + chrono::Duration::days(30),
                region: division(JINSHUI),
                subsidy_per_trainee_fen: Default::default(),
                eligible_categories: BTreeSet::new(),
                order: None,
            },
            opened_at: now,
        });
        self.repository
            .execute::<Course>(course, open, &context(JINSHUI))
            .await
            .expect("the course opens");
        let mut enrolments = Vec::new();
        for jobseeker_id in [first, second] {
            let enrolment_id = EnrolmentId::generate();
            let enrol = CourseCommand::Enrol(Enrol {
                enrolment_id,
                jobseeker_id,
                categories: BTreeSet::from([JobSeekerCategory::Hardship]),
                enrolled_at: Utc::now(),
                waiting_list_max: 10,
            });
            self.repository
                .execute::<Course>(course, enrol, &context(JINSHUI))
                .await
                .expect("enrolled");
            enrolments.push(enrolment_id);
        }
        let cancel = CourseCommand::Cancel(CancelEnrolment {
            enrolment_id: enrolments[0],
            cancelled_at: Utc::now(),
        });
        let position = self
            .repository
            .execute::<Course>(course, cancel, &context(JINSHUI))
            .await
            .expect("the seat is given up")
            .position
            .expect("a position");
        (course, position)
    }
}

/// The context of a fixture written for `office`.
pub fn context(office: &str) -> EventContext {
    labex_web::request_context("test-fixture", Some(division(office)))
}

pub fn division(code: &str) -> DivisionCode {
    DivisionCode::parse(code).expect("a division code")
}

/// A declaration of a household of `members` in `office`.
pub fn declaration_body(office: &str, members: &[JobSeekerId]) -> Value {
    json!({
        "office": office,
        "address": "金水区文化路 12 号院 3 号楼 201",
        "members": members.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}
