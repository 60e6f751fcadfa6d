//! What the tests of ventures share: request bodies as offices send them,
//! and a job seeker registered straight into the store (the borrower or the
//! person of a case; their personal data stays sealed in the jobseekers
//! context, ventures refers to them by id alone).

use std::collections::BTreeSet;

use labex_domain::jobseeker::{
    JobSeeker, JobSeekerCommand, JobSeekerProfile, PersonalData, RegisterJobSeeker,
};
use labex_domain::value::{DivisionCode, Education, JobSeekerCategory, PersonName, ResidentId};
use labex_domain::{JobSeekerId, china_date};
use labex_eventsourcing::{EventContext, ExecuteOptions, ExpectedRevision, Repository};
use labex_testkit::id_number;
use serde_json::{Value, json};

/// A project body titled `title` in `industry`, needing `min`..`max` yuan,
/// in `region`.
pub fn project_body(title: &str, industry: &str, min: u32, max: u32, region: &str) -> Value {
    json!({
        "title": title,
        "industry": industry,
        "investment_min_yuan": min,
        "investment_max_yuan": max,
        "region": region,
        "description": format!("{title}：选址、进货渠道与经营指导，适合返乡创业人员。"),
        "contact_organisation": "郑州市创业孵化基地",
    })
}

/// A loan application of `borrower` for `amount_fen` over 24 months, with
/// a guarantor.
pub fn loan_body(borrower: &str, amount_fen: i64) -> Value {
    json!({
        "borrower": borrower,
        "amount_fen": amount_fen,
        "term_months": 24,
        "purpose": "开办早餐店",
        "guarantor": "郑州市中小企业信用担保有限公司",
    })
}

/// Registers job seeker `n` in `office` straight into the store.
pub async fn jobseeker(repository: &Repository, n: u64, office: &str) -> JobSeekerId {
    jobseeker_in(repository, n, office, &[]).await
}

/// Registers job seeker `n` of `categories` in `office` straight into the
/// store.
pub async fn jobseeker_in(
    repository: &Repository,
    n: u64,
    office: &str,
    categories: &[JobSeekerCategory],
) -> JobSeekerId {
    let id = JobSeekerId::generate();
    let office = DivisionCode::parse(office).expect("a division code");
    let command = JobSeekerCommand::Register(RegisterJobSeeker {
        jobseeker_id: id,
        personal: PersonalData {
            name: PersonName::parse("张伟").unwrap(),
            id_number: ResidentId::parse(&id_number(9_300 + n)).unwrap(),
            phone: None,
        },
        profile: JobSeekerProfile {
            education: Education::Bachelor,
            major: None,
            graduation_year: None,
            categories: categories.iter().copied().collect(),
            skills: Vec::new(),
            desired_occupations: Vec::new(),
            desired_occupation_codes: Vec::new(),
            desired_regions: BTreeSet::new(),
            summary: None,
        },
        office: office.clone(),
        registered_on: china_date(chrono::Utc::now()),
    });
    let context = EventContext::for_request(uuid::Uuid::now_v7(), "test", Some(office));
    repository
        .execute_with::<JobSeeker>(
            id,
            command,
            &context,
            ExecuteOptions::default().expected(ExpectedRevision::NoStream),
        )
        .await
        .expect("the job seeker registers");
    id
}
