//! The training use cases, called as the handlers call them but without
//! HTTP, against the real store: given what happened, when an actor asks,
//! then what the use case answers and what the read model and the
//! outcomes process make of it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use labex_app::{Actor, Error, Role};
use labex_domain::course::{CourseId, EnrolmentStatus};
use labex_domain::jobseeker::{
    JobSeeker, JobSeekerCommand, JobSeekerProfile, PersonalData, RegisterEmployment,
    RegisterJobSeeker,
};
use labex_domain::provider::ProviderId;
use labex_domain::value::{DivisionCode, Education, JobSeekerCategory, PersonName, ResidentId};
use labex_domain::{JobSeekerId, china_date};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, ExpectedRevision, ProjectionRunner, Repository,
};
use labex_testkit::{Store, id_number, temporary_folder};
use labex_training::read_model::SearchQuery;
use labex_training::{
    EnrolmentChange, OpenCourseBody, OutcomesProcess, RegisterProviderBody, Training,
};
use serde_json::Value;

use crate::fixtures::{course_body, provider_body};

struct App {
    app: Training,
    repository: Repository,
    outcomes: Option<ProjectionRunner>,
    _store: Store,
    _data: tempfile::TempDir,
}

impl App {
    /// The application with its course projection and, when `rules` is
    /// given, the rules file and the outcomes process.
    async fn start(rules: Option<&str>) -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-training-usecases-");
        if let Some(rules) = rules {
            std::fs::write(data.path().join("rules.json"), rules).unwrap();
        }
        let repository = Repository::new(store.client().clone());
        let app = Training::open(repository.clone(), data.path()).expect("the read model opens");
        let outcomes = rules.map(|_| {
            OutcomesProcess::start(
                repository.clone(),
                Arc::new(labex_app::RuleBook::load(&data.path().join("rules.json")).unwrap()),
                &data.path().join("outcomes.sqlite"),
            )
            .unwrap()
        });
        Self {
            app,
            repository,
            outcomes,
            _store: store,
            _data: data,
        }
    }

    async fn provider(&self, office: &str) -> ProviderId {
        let body: RegisterProviderBody = serde_json::from_value(provider_body(1, office)).unwrap();
        self.app
            .register_provider(&staff(office), body.parse().unwrap(), None)
            .await
            .expect("the provider registers")
            .state
            .id
    }

    async fn course(&self, body: Value) -> CourseId {
        let body: OpenCourseBody = serde_json::from_value(body).unwrap();
        self.app
            .open_course(&staff("410105"), body.parse().unwrap(), None)
            .await
            .expect("the course opens")
            .state
            .id
    }

    /// Given job seeker `n` registered in 410105 with `categories`.
    async fn jobseeker(&self, n: u64, categories: &[JobSeekerCategory]) -> JobSeekerId {
        let id = JobSeekerId::generate();
        let command = JobSeekerCommand::Register(RegisterJobSeeker {
            jobseeker_id: id,
            personal: PersonalData {
                name: PersonName::parse("王芳").unwrap(),
                id_number: ResidentId::parse(&id_number(7_000 + n)).unwrap(),
                phone: None,
            },
            profile: JobSeekerProfile {
                education: Education::SeniorSecondary,
                major: None,
                graduation_year: None,
                categories: categories.iter().copied().collect::<BTreeSet<_>>(),
                skills: Vec::new(),
                desired_occupations: Vec::new(),
                desired_occupation_codes: Vec::new(),
                desired_regions: BTreeSet::new(),
                summary: None,
            },
            office: DivisionCode::parse("410105").unwrap(),
            registered_on: china_date(chrono::Utc::now()),
        });
        self.repository
            .execute_with::<JobSeeker>(
                id,
                command,
                &context(),
                ExecuteOptions::default().expected(ExpectedRevision::NoStream),
            )
            .await
            .expect("the job seeker registers");
        id
    }
}

fn context() -> EventContext {
    EventContext::for_request(
        uuid::Uuid::now_v7(),
        "test",
        DivisionCode::parse("410105").ok(),
    )
}

fn staff(office: &str) -> Actor {
    Actor {
        subject: "counsellor-1".to_owned(),
        role: Role::Counsellor,
        office: DivisionCode::parse(office).unwrap(),
        employer_id: None,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

fn jobseeker_actor(id: JobSeekerId) -> Actor {
    Actor {
        subject: id.to_string(),
        role: Role::Jobseeker,
        office: DivisionCode::parse("410105").unwrap(),
        employer_id: None,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

fn refusal_code(error: Error) -> String {
    match error {
        Error::Refused(refused) => refused.code().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_course_is_found_by_its_chinese_words_and_filters() {
    let app = App::start(None).await;
    let provider = app.provider("410105").await.to_string();
    let welding = app.course(course_body(&provider, "电焊工培训班", 30)).await;
    let mut cooking = course_body(&provider, "中式烹调师培训", 30);
    cooking["kind"] = "employment".into();
    cooking["description"] = "中餐烹饪技能".into();
    cooking["occupation"] = "4-03-02-01".into();
    app.course(cooking).await;

    let (total, found) = app
        .app
        .search(SearchQuery {
            words: labex_search::fts::words("焊工"),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(found[0].id, welding.to_string());
    let (total, _) = app
        .app
        .search(SearchQuery {
            words: labex_search::fts::words("培训"),
            kind: Some("employment".to_owned()),
            region_prefix: Some("4101".to_owned()),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 1, "the kind filters the words' matches");
    let (total, _) = app
        .app
        .search(SearchQuery {
            region_prefix: Some("4201".to_owned()),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 0);
    // The occupation and the provider are filters; every filter and word
    // together narrow to one course.
    let (total, found) = app
        .app
        .search(SearchQuery {
            words: labex_search::fts::words("烹饪"),
            occupation: Some("4-03-02-01".to_owned()),
            provider_id: Some(provider.clone()),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(found[0].title, "中式烹调师培训");
    assert_eq!(found[0].score, 1.0, "the word is in its description only");
    let (total, _) = app
        .app
        .search(SearchQuery {
            provider_id: Some(provider.clone()),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 2);
    // A word in one course's title and another's description: the title's
    // first.
    let mut more = course_body(&provider, "养老护理员培训", 30);
    more["description"] = "护理员结业后可转入电焊工培训班".into();
    app.course(more).await;
    let (total, found) = app
        .app
        .search(SearchQuery {
            words: labex_search::fts::words("电焊工培训班"),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(found[0].id, welding.to_string());
    assert_eq!((found[0].score, found[1].score), (2.0, 1.0));
    // An occupation's code: found by a group of the classification and by
    // the occupation's title, which the course's own words do not name.
    let mut catering = course_body(&provider, "餐饮服务技能提升班", 30);
    catering["occupation"] = "4-03-02-01".into();
    catering["description"] = "后厨实操".into();
    let catering = app.course(catering).await;
    let (total, found) = app
        .app
        .search(SearchQuery {
            words: labex_search::fts::words("中式烹调师"),
            occupation: Some("4-03".to_owned()),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 2, "the cooking course and the catering one");
    assert!(found.iter().any(|course| course.id == catering.to_string()));
    let (total, _) = app
        .app
        .search(SearchQuery {
            occupation: Some("6-18".to_owned()),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        total, 2,
        "the welding course and the care course of the fixture's 6-18-02-04"
    );
    // One character finds the titles (and occupations' titles) that hold
    // it by their n-grams: 焊 is in the welding course's title and in the
    // title of the care course's occupation (焊工), not in the others'.
    let (total, found) = app
        .app
        .search(SearchQuery {
            words: labex_search::fts::words("焊"),
            limit: 10,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 2, "{found:?}");
    assert!(found.iter().any(|course| course.id == welding.to_string()));
}

#[tokio::test]
async fn seats_fill_then_the_waiting_list_and_a_cancellation_promotes_the_next() {
    let app = App::start(None).await;
    let provider = app.provider("410105").await.to_string();
    let course = app.course(course_body(&provider, "电工培训", 1)).await;
    let first = app.jobseeker(1, &[]).await;
    let second = app.jobseeker(2, &[]).await;
    let (_, seated) = app
        .app
        .enrol(&staff("410105"), course, first, None)
        .await
        .unwrap();
    let (saved, waiting) = app
        .app
        .enrol(&jobseeker_actor(second), course, second, None)
        .await
        .expect("a job seeker enrols themself");
    assert_eq!(
        saved.state.enrolments[&waiting].status,
        EnrolmentStatus::Waiting
    );

    let again = app.app.enrol(&staff("410105"), course, first, None).await;
    assert_eq!(refusal_code(again.unwrap_err()), "already_enrolled");

    let saved = app
        .app
        .change_enrolment(&jobseeker_actor(first), seated, EnrolmentChange::Cancel)
        .await
        .expect("the trainee cancels their own enrolment");
    assert_eq!(
        saved.state.enrolments[&seated].status,
        EnrolmentStatus::Cancelled
    );
    assert_eq!(
        saved.state.enrolments[&waiting].status,
        EnrolmentStatus::Seated
    );
    let (_, enrolment) = app
        .app
        .get_enrolment(&staff("410100"), waiting)
        .await
        .unwrap();
    assert_eq!(enrolment.status, EnrolmentStatus::Seated);
}

#[tokio::test]
async fn a_targeted_course_refuses_a_job_seeker_of_another_category() {
    let app = App::start(None).await;
    let provider = app.provider("410105").await.to_string();
    let mut body = course_body(&provider, "再就业培训", 10);
    body["eligible_categories"] = serde_json::json!(["laid_off"]);
    let course = app.course(body).await;
    let graduate = app.jobseeker(3, &[JobSeekerCategory::MigrantWorker]).await;
    let laid_off = app.jobseeker(4, &[JobSeekerCategory::LaidOff]).await;
    let refused = app
        .app
        .enrol(&staff("410105"), course, graduate, None)
        .await;
    assert_eq!(
        refusal_code(refused.unwrap_err()),
        "not_eligible_for_course"
    );
    app.app
        .enrol(&staff("410105"), course, laid_off, None)
        .await
        .expect("a laid-off worker is eligible");
}

#[tokio::test]
async fn staff_of_another_office_and_unknown_job_seekers_are_refused() {
    let app = App::start(None).await;
    let provider = app.provider("410105").await.to_string();
    let course = app.course(course_body(&provider, "电工培训", 10)).await;
    let trainee = app.jobseeker(5, &[]).await;
    let outside = app.app.enrol(&staff("420100"), course, trainee, None).await;
    assert!(matches!(outside, Err(Error::Forbidden { .. })));
    let unknown = app
        .app
        .enrol(&staff("410105"), course, JobSeekerId::generate(), None)
        .await;
    let Err(Error::Invalid(errors)) = unknown else {
        panic!("an unknown job seeker is an invalid field");
    };
    assert_eq!(errors[0].code, "jobseeker.unknown");
    let body: OpenCourseBody =
        serde_json::from_value(course_body(&ProviderId::generate().to_string(), "x", 1)).unwrap();
    let Err(Error::Invalid(errors)) = app
        .app
        .open_course(&staff("410105"), body.parse().unwrap(), None)
        .await
    else {
        panic!("an unknown provider is an invalid field");
    };
    assert_eq!(errors[0].code, "provider.unknown");
}

#[tokio::test]
async fn an_employment_registered_after_completion_counts_in_the_outcomes() {
    let app = App::start(Some(r#"{"rules": {"min_leavers_for_rates": 2}}"#)).await;
    let provider = app.provider("410105").await;
    let course = app
        .course(course_body(&provider.to_string(), "焊工培训", 10))
        .await;
    let employed = app.jobseeker(6, &[]).await;
    let other = app.jobseeker(7, &[]).await;
    let (_, first) = app
        .app
        .enrol(&staff("410105"), course, employed, None)
        .await
        .unwrap();
    let (_, second) = app
        .app
        .enrol(&staff("410105"), course, other, None)
        .await
        .unwrap();
    let completed_on = chrono::NaiveDate::from_ymd_opt(2026, 4, 30).unwrap();
    for enrolment in [first, second] {
        app.app
            .change_enrolment(
                &staff("410105"),
                enrolment,
                EnrolmentChange::Complete(completed_on),
            )
            .await
            .unwrap();
    }
    app.repository
        .execute_with::<JobSeeker>(
            employed,
            JobSeekerCommand::RegisterEmployment(RegisterEmployment {
                started_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
                employer_id: None,
                employer_name: None,
                note: None,
            }),
            &context(),
            ExecuteOptions::default(),
        )
        .await
        .expect("the employment registers");

    let mut outcomes = None;
    for _ in 0..100 {
        let view = app
            .app
            .course_outcomes(&staff("410105"), course)
            .await
            .unwrap();
        if view.employed == Some(1) {
            outcomes = Some(view);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let outcomes = outcomes.expect("the employment is counted for the course");
    assert_eq!(outcomes.leavers, 2);
    assert!(!outcomes.suppressed);
    assert_eq!(outcomes.employment_rate_percent, Some(50.0));
    let (_, enrolment) = app
        .app
        .get_enrolment(&staff("410105"), first)
        .await
        .unwrap();
    assert_eq!(
        enrolment
            .employment
            .map(|employment| employment.source.as_str()),
        Some("employment_registration")
    );
    let by_provider = app
        .app
        .provider_outcomes(&staff("410105"), provider)
        .await
        .unwrap();
    assert_eq!(by_provider.employed, Some(1));
    assert!(app.outcomes.is_some());
}

#[tokio::test]
async fn outcomes_are_withheld_under_the_default_minimum_of_leavers() {
    let app = App::start(None).await;
    let provider = app.provider("410105").await.to_string();
    let course = app.course(course_body(&provider, "焊工培训", 10)).await;
    let trainee = app.jobseeker(8, &[]).await;
    let (_, enrolment) = app
        .app
        .enrol(&staff("410105"), course, trainee, None)
        .await
        .unwrap();
    app.app
        .change_enrolment(
            &staff("410105"),
            enrolment,
            EnrolmentChange::Complete(chrono::NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()),
        )
        .await
        .unwrap();
    let outcomes = app
        .app
        .course_outcomes(&staff("410105"), course)
        .await
        .unwrap();
    assert_eq!(outcomes.leavers, 1);
    assert_eq!(outcomes.min_leavers, 20);
    assert!(outcomes.suppressed);
    assert_eq!(outcomes.completed, None);
    assert_eq!(outcomes.employment_rate_percent, None);
    let forbidden = app
        .app
        .course_outcomes(&jobseeker_actor(trainee), course)
        .await;
    assert!(matches!(forbidden, Err(Error::Forbidden { .. })));
}
