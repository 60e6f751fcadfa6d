//! People, employers and vacancies the tests share, and builders for their
//! commands and events.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use labex_domain::employer::{EmployerEvent, EmployerRegistered, RegisterEmployer};
use labex_domain::jobseeker::{
    JobSeekerEvent, JobSeekerProfile, JobSeekerRegistered, PersonalData, RegisterJobSeeker,
};
use labex_domain::referral::{ReferralEvent, ReferralMade};
use labex_domain::vacancy::{PublishVacancy, VacancyDetails, VacancyEvent, VacancyPublished};
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Education, ExperienceYears, Headcount,
    JobSeekerCategory, Label, MobilePhone, OrganisationName, PersonName, ResidentId, SalaryRange,
    Title,
};
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId};

/// Zhang Wei, born 1998-05-12 in Jinshui, Zhengzhou.
pub const ZHANG_WEI_ID_NUMBER: &str = "410105199805121235";
/// Someone born 2010-03-02: sixteen on 2026-03-02.
pub const MINOR_ID_NUMBER: &str = "410105201003021240";

pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date")
}

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().expect("an RFC 3339 time")
}

/// The day the tests' registrations happen.
pub fn registration_day() -> NaiveDate {
    date(2024, 3, 1)
}

/// When the tests' vacancy is published.
pub fn publication_time() -> DateTime<Utc> {
    at("2024-03-01T02:00:00Z")
}

/// When the tests' referrals are made (10:00 in China, 2024-03-04).
pub fn referral_time() -> DateTime<Utc> {
    at("2024-03-04T02:00:00Z")
}

pub fn jobseeker_id() -> JobSeekerId {
    JobSeekerId::parse("0190f5a8-0000-7000-8000-000000000001").expect("a uuid")
}

pub fn employer_id() -> EmployerId {
    EmployerId::parse("0190f5a8-0000-7000-8000-000000000002").expect("a uuid")
}

pub fn vacancy_id() -> VacancyId {
    VacancyId::parse("0190f5a8-0000-7000-8000-000000000003").expect("a uuid")
}

pub fn referral_id() -> ReferralId {
    ReferralId::parse("0190f5a8-0000-7000-8000-000000000004").expect("a uuid")
}

pub fn other_referral_id() -> ReferralId {
    ReferralId::parse("0190f5a8-0000-7000-8000-000000000005").expect("a uuid")
}

pub fn other_vacancy_id() -> VacancyId {
    VacancyId::parse("0190f5a8-0000-7000-8000-000000000006").expect("a uuid")
}

pub fn division(code: &str) -> DivisionCode {
    DivisionCode::parse(code).expect("a division code")
}

pub fn label(text: &str) -> Label {
    Label::parse(text).expect("a label")
}

pub fn labels(texts: &[&str]) -> Vec<Label> {
    texts.iter().map(|text| label(text)).collect()
}

pub fn phone(text: &str) -> MobilePhone {
    MobilePhone::parse(text).expect("a mobile number")
}

pub fn categories(list: &[JobSeekerCategory]) -> BTreeSet<JobSeekerCategory> {
    list.iter().copied().collect()
}

pub fn zhang_wei_personal() -> PersonalData {
    PersonalData {
        name: PersonName::parse("张伟").expect("a name"),
        id_number: ResidentId::parse(ZHANG_WEI_ID_NUMBER).expect("a resident id"),
        phone: Some(phone("13800138000")),
    }
}

/// A 2020 software graduate looking for development work in Zhengzhou.
pub fn zhang_wei_profile() -> JobSeekerProfile {
    JobSeekerProfile {
        education: Education::Bachelor,
        major: Some(label("软件工程")),
        graduation_year: Some(labex_domain::value::GraduationYear::parse(2020).expect("a year")),
        categories: categories(&[JobSeekerCategory::Graduate]),
        skills: labels(&["Rust", "SQL"]),
        desired_occupations: labels(&["软件开发"]),
        desired_occupation_codes: Vec::new(),
        desired_regions: [division("410100")].into_iter().collect(),
        summary: None,
    }
}

pub fn register_zhang_wei() -> RegisterJobSeeker {
    RegisterJobSeeker {
        jobseeker_id: jobseeker_id(),
        personal: zhang_wei_personal(),
        profile: zhang_wei_profile(),
        office: division("410105"),
        registered_on: registration_day(),
    }
}

pub fn zhang_wei_registered() -> JobSeekerEvent {
    JobSeekerEvent::Registered(JobSeekerRegistered {
        jobseeker_id: jobseeker_id(),
        personal: zhang_wei_personal().into(),
        profile: zhang_wei_profile(),
        office: division("410105"),
    })
}

pub fn register_employer() -> RegisterEmployer {
    RegisterEmployer {
        employer_id: employer_id(),
        name: OrganisationName::parse("郑州中原软件有限公司").expect("a name"),
        credit_code: CreditCode::parse("91350100M000100Y43").expect("a credit code"),
        region: division("410105"),
        industry: label("软件和信息技术服务业"),
    }
}

pub fn employer_registered() -> EmployerEvent {
    let register = register_employer();
    EmployerEvent::Registered(EmployerRegistered {
        employer_id: register.employer_id,
        name: register.name,
        credit_code: register.credit_code,
        region: register.region,
        industry: register.industry,
    })
}

/// A Rust developer post in Jinshui for two people, open until June.
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
        welcomes: categories(&[JobSeekerCategory::Graduate]),
        public_welfare: false,
        closes_at: Some(at("2024-06-30T16:00:00Z")),
    }
}

pub fn publish(details: VacancyDetails) -> PublishVacancy {
    PublishVacancy {
        vacancy_id: vacancy_id(),
        employer_id: employer_id(),
        details,
        published_at: publication_time(),
    }
}

pub fn published(details: VacancyDetails) -> VacancyEvent {
    VacancyEvent::Published(VacancyPublished {
        vacancy_id: vacancy_id(),
        employer_id: employer_id(),
        details,
        published_at: publication_time(),
    })
}

pub fn referral_made() -> ReferralEvent {
    ReferralEvent::Made(ReferralMade {
        referral_id: referral_id(),
        jobseeker_id: jobseeker_id(),
        vacancy_id: vacancy_id(),
        employer_id: employer_id(),
        note: None,
        referred_at: referral_time(),
        fair_id: None,
    })
}
