//! The registry's use cases called directly, as the HTTP handlers call
//! them, against a real store on a free port: no server, no JSON. Each test
//! reads given / when / then.

use std::time::Duration;

use chrono::Utc;
use labex_app::{Actor, Error, ListPage, Role};
use labex_domain::jobseeker::{
    JobSeeker, JobSeekerError, JobSeekerProfile, JobSeekerStatus, PersonalData,
    RegisterUnemployment, UpdateJobSeekerProfile,
};
use labex_domain::value::{DivisionCode, Education, JobSeekerCategory, PersonName, ResidentId};
use labex_domain::{Coded, JobSeekerId, china_date};
use labex_eventsourcing::{IdempotencyKey, Repository};
use labex_jobseekers::{JobSeekers, JobSeekersService, ListFilter, ProfileUpdate, Registration};
use labex_testkit::{Store, event_count};
use labex_web::ServiceContext;
use uuid::Uuid;

/// The registry started as `labex` starts it, on a fresh store and folder.
struct Given {
    store: Store,
    service: JobSeekersService,
    _data: tempfile::TempDir,
}

impl Given {
    async fn a_registry() -> Self {
        let store = Store::start().await;
        let data = labex_testkit::temporary_folder("labex-usecases-");
        let context = ServiceContext::new(
            Repository::new(store.client().clone()),
            data.path().to_path_buf(),
        )
        .expect("the feeds' client");
        let service = JobSeekersService::start(context)
            .await
            .expect("the registry starts");
        Self {
            store,
            service,
            _data: data,
        }
    }

    fn app(&self) -> &JobSeekers {
        self.service.app()
    }

    async fn events(&self) -> usize {
        event_count(self.store.client(), None).await
    }
}

fn actor(role: Role, office: &str) -> Actor {
    Actor {
        subject: format!("{}-{office}", role.as_str()),
        role,
        office: DivisionCode::parse(office).expect("a division code"),
        employer_id: None,
        correlation_id: Uuid::now_v7(),
    }
}

fn counsellor() -> Actor {
    actor(Role::Counsellor, "410105")
}

fn registration(n: u64, office: Option<&str>) -> Registration {
    Registration {
        personal: PersonalData {
            name: PersonName::parse("李娜").expect("a name"),
            id_number: ResidentId::parse(&labex_testkit::id_number(n)).expect("an id number"),
            phone: None,
        },
        profile: JobSeekerProfile {
            education: Education::Bachelor,
            major: None,
            graduation_year: None,
            categories: [JobSeekerCategory::Graduate].into(),
            skills: vec![],
            desired_occupations: vec![],
            desired_occupation_codes: Vec::new(),
            desired_regions: Default::default(),
            summary: None,
        },
        office: office.map(|office| DivisionCode::parse(office).expect("a division code")),
    }
}

fn key(text: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey::parse(text).expect("a key"))
}

#[tokio::test]
async fn a_counsellor_registers_a_job_seeker_in_the_office_and_the_events_carry_that_office() {
    let given = Given::a_registry().await;
    let saved = given
        .app()
        .register(&counsellor(), registration(1, None), None)
        .await
        .expect("registered");
    assert_eq!(saved.revision, 0);
    assert_eq!(saved.state.status, JobSeekerStatus::Seeking);
    assert_eq!(saved.state.office.as_str(), "410105");
    // A claim of the ID number and the registration.
    assert_eq!(given.events().await, 2);
}

#[tokio::test]
async fn the_same_id_number_registers_once() {
    let given = Given::a_registry().await;
    let first = given
        .app()
        .register(&counsellor(), registration(2, None), None)
        .await
        .expect("registered");
    let again = given
        .app()
        .register(&counsellor(), registration(2, None), None)
        .await;
    let Err(Error::Conflict { detail }) = again else {
        panic!("a conflict, not {again:?}");
    };
    assert!(detail.contains(&first.state.id.to_string()), "{detail}");
    assert_eq!(given.events().await, 2, "nothing more was written");
}

#[tokio::test]
async fn a_retry_with_the_same_key_answers_the_first_registration() {
    let given = Given::a_registry().await;
    let first = given
        .app()
        .register(&counsellor(), registration(3, None), key("reg-3"))
        .await
        .expect("registered");
    let retry = given
        .app()
        .register(&counsellor(), registration(3, None), key("reg-3"))
        .await
        .expect("answered again");
    assert_eq!(retry.state.id, first.state.id);
    assert_eq!(retry.revision, first.revision);
    assert_eq!(given.events().await, 2);
}

#[tokio::test]
async fn an_office_may_not_register_outside_its_scope_and_nothing_is_written() {
    let given = Given::a_registry().await;
    let outside = given
        .app()
        .register(&counsellor(), registration(4, Some("420100")), None)
        .await;
    assert!(
        matches!(outside, Err(Error::Forbidden { .. })),
        "{outside:?}"
    );
    let employer = given
        .app()
        .register(
            &actor(Role::Employer, "410105"),
            registration(4, None),
            None,
        )
        .await;
    assert!(
        matches!(employer, Err(Error::Forbidden { .. })),
        "{employer:?}"
    );
    assert_eq!(given.events().await, 0);
}

#[tokio::test]
async fn a_minor_is_refused_by_the_domain_before_the_id_number_is_claimed() {
    let given = Given::a_registry().await;
    let mut minor = registration(5, None);
    let born = china_date(Utc::now()) - chrono::Days::new(365 * 10);
    minor.personal.id_number =
        ResidentId::parse(&labex_testkit::id_number_born(born, 5)).expect("an id number");
    let refused = given.app().register(&counsellor(), minor, None).await;
    let Err(Error::Refused(refusal)) = refused else {
        panic!("a refusal, not {refused:?}");
    };
    assert!(matches!(
        refusal.downcast_ref::<JobSeekerError>(),
        Some(JobSeekerError::UnderMinimumWorkingAge { minimum_age: 16 })
    ));
    assert_eq!(given.events().await, 0, "not even a claim");
}

#[tokio::test]
async fn a_job_seeker_may_not_change_what_only_staff_change_whatever_the_value() {
    let given = Given::a_registry().await;
    let saved = given
        .app()
        .register(&counsellor(), registration(6, None), None)
        .await
        .expect("registered");
    let themself = Actor {
        subject: saved.state.id.to_string(),
        ..actor(Role::Jobseeker, "410105")
    };
    let invalid = ProfileUpdate {
        fields: vec!["categories", "skills"],
        changes: Err(Error::Invalid(vec![])),
    };
    let refused = given
        .app()
        .update(&themself, saved.state.id, invalid, None)
        .await;
    let Err(error @ Error::Forbidden { .. }) = refused else {
        panic!("forbidden, not {refused:?}");
    };
    let codes: Vec<_> = error
        .field_errors()
        .iter()
        .map(|field| (field.field.as_str(), field.code))
        .collect();
    assert_eq!(codes, [("categories", "update.staff_only")]);
    assert_eq!(given.events().await, 2);
}

#[tokio::test]
async fn a_change_based_on_a_stale_revision_is_refused_as_stale() {
    let given = Given::a_registry().await;
    let saved = given
        .app()
        .register(&counsellor(), registration(7, None), None)
        .await
        .expect("registered");
    let unemployment = RegisterUnemployment {
        registered_on: china_date(Utc::now()),
        note: None,
    };
    let stale = given
        .app()
        .register_unemployment(&counsellor(), saved.state.id, unemployment.clone(), Some(5))
        .await;
    assert!(matches!(stale, Err(Error::Stale)), "{stale:?}");
    let done = given
        .app()
        .register_unemployment(&counsellor(), saved.state.id, unemployment, Some(0))
        .await
        .expect("registered unemployed");
    assert_eq!(done.revision, 1);
    assert_eq!(done.state.status, JobSeekerStatus::RegisteredUnemployed);
}

#[tokio::test]
async fn before_their_registration_nobody_was_there_and_an_unknown_id_is_not_found() {
    let given = Given::a_registry().await;
    let before = Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let saved = given
        .app()
        .register(&counsellor(), registration(8, None), None)
        .await
        .expect("registered");
    let then = given
        .app()
        .get(&counsellor(), saved.state.id, Some(before))
        .await;
    assert!(matches!(then, Err(Error::NotFound { .. })), "{then:?}");
    let now: JobSeeker = given
        .app()
        .get(&counsellor(), saved.state.id, None)
        .await
        .expect("found")
        .state;
    assert_eq!(now.id, saved.state.id);
    let unknown = given
        .app()
        .get(&counsellor(), JobSeekerId::generate(), None)
        .await;
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
    let elsewhere = given
        .app()
        .get(&actor(Role::Counsellor, "420100"), saved.state.id, None)
        .await;
    assert!(
        matches!(elsewhere, Err(Error::Forbidden { .. })),
        "{elsewhere:?}"
    );
}

#[tokio::test]
async fn the_office_list_pages_newest_registration_first_even_for_ids_from_keys() {
    let given = Given::a_registry().await;
    let mut registered = Vec::new();
    for n in 10..15 {
        // Ids derived from keys are not time-ordered; the list still is.
        let saved = given
            .app()
            .register(&counsellor(), registration(n, None), key(&format!("k-{n}")))
            .await
            .expect("registered");
        registered.push(saved.state.id.to_string());
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    registered.reverse();
    let filter = ListFilter {
        office: None,
        category: Some(JobSeekerCategory::Graduate),
        status: None,
    };
    let mut listed = Vec::new();
    let mut after = None;
    for _ in 0..200 {
        let page = given
            .app()
            .list(
                &counsellor(),
                filter.clone(),
                ListPage {
                    limit: 2,
                    after: after.clone(),
                },
            )
            .await
            .expect("a page");
        listed.extend(page.items.iter().map(|item| item.id.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None if listed.len() == registered.len() => break,
            None => {
                // The list has not caught up yet: start again.
                listed.clear();
                after = None;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    assert_eq!(listed, registered);
    let bad = given
        .app()
        .list(
            &counsellor(),
            filter,
            ListPage {
                limit: 2,
                after: Some("x".to_owned()),
            },
        )
        .await;
    assert!(matches!(bad, Err(Error::BadCursor)), "{bad:?}");
}

#[tokio::test]
async fn an_empty_update_is_invalid_and_named_so() {
    let given = Given::a_registry().await;
    let saved = given
        .app()
        .register(&counsellor(), registration(20, None), None)
        .await
        .expect("registered");
    let update = ProfileUpdate {
        fields: vec![],
        changes: Ok(UpdateJobSeekerProfile::default()),
    };
    let unchanged = given
        .app()
        .update(&counsellor(), saved.state.id, update, None)
        .await
        .expect("nothing to change is no error for the domain");
    assert_eq!(unchanged.revision, 0, "and writes nothing");
    assert_eq!(labex_app::InputError::UpdateEmpty.code(), "update.empty");
}

/// A concluded layoff plan of 410105 that laid off `laid_off` people.
async fn concluded_plan(given: &Given, laid_off: u32) -> labex_domain::layoff::LayoffPlanId {
    use labex_domain::layoff::{
        LayoffPlan, LayoffPlanCommand, LayoffPlanId, LayoffRules, PlanDetails, RecordLayoffOutcome,
        ReportLayoffPlan,
    };
    let id = LayoffPlanId::generate();
    let region = DivisionCode::parse("410105").unwrap();
    let today = china_date(Utc::now());
    let context = labex_eventsourcing::EventContext::for_request(
        Uuid::now_v7(),
        "test",
        Some(region.clone()),
    );
    let repository = Repository::new(given.store.client().clone());
    for command in [
        LayoffPlanCommand::Report(ReportLayoffPlan {
            plan_id: id,
            employer_id: labex_domain::EmployerId::generate(),
            region,
            details: PlanDetails {
                workforce: 100,
                planned: 20,
                reasons: labex_domain::value::Description::parse("订单减少").unwrap(),
                planned_from: today,
                measures: labex_domain::value::Description::parse("依法补偿").unwrap(),
            },
            reported_on: today,
            rules: LayoffRules::default(),
        }),
        LayoffPlanCommand::RecordOutcome(RecordLayoffOutcome {
            laid_off,
            recorded_on: today,
        }),
    ] {
        repository
            .execute_with::<LayoffPlan>(id, command, &context, Default::default())
            .await
            .unwrap();
    }
    id
}

fn laid_off_people(numbers: &[u64]) -> labex_jobseekers::LayoffRegistrations {
    labex_jobseekers::LayoffRegistrations {
        office: None,
        people: numbers
            .iter()
            .map(|n| labex_jobseekers::LaidOffPerson {
                personal: registration(*n, None).personal,
                education: Education::SeniorSecondary,
                note: None,
            })
            .collect(),
    }
}

#[tokio::test]
async fn a_layoff_registration_stopped_after_a_claim_is_completed_under_the_claimed_id() {
    use labex_jobseekers::LineOutcome;
    let given = Given::a_registry().await;
    let plan = concluded_plan(&given, 2).await;
    // A first attempt that claimed the second person's number and stopped.
    let registry = labex_jobseekers::Registry::load(&given._data.path().join("jobseekers"))
        .expect("the registry key");
    let people = laid_off_people(&[40, 41]);
    let claim = registry.claim_stream(&people.people[1].personal.id_number);
    let stopped = JobSeekerId::generate();
    let context = counsellor().event_context(&DivisionCode::parse("410105").unwrap());
    Repository::new(given.store.client().clone())
        .claim_personal(&claim, stopped.as_uuid(), &context)
        .await
        .expect("claimed");

    let done = given
        .app()
        .register_laid_off(&counsellor(), plan, people.clone())
        .await
        .expect("registered");
    assert_eq!(done.lines[1].jobseeker_id, stopped);
    assert_eq!(
        done.lines
            .iter()
            .map(|line| line.outcome)
            .collect::<Vec<_>>(),
        [LineOutcome::Registered, LineOutcome::Registered]
    );
    assert_eq!(done.plan.registered.len(), 2);
    let (adopted, _) = Repository::new(given.store.client().clone())
        .get::<JobSeeker>(stopped)
        .await
        .expect("registered under the claimed id");
    assert_eq!(adopted.status, JobSeekerStatus::RegisteredUnemployed);

    // Again: the same ids, nothing written.
    let before = given.events().await;
    let again = given
        .app()
        .register_laid_off(&counsellor(), plan, people)
        .await
        .expect("answered");
    assert_eq!(again.lines[0].jobseeker_id, done.lines[0].jobseeker_id);
    assert_eq!(again.lines[1].jobseeker_id, stopped);
    assert!(
        again
            .lines
            .iter()
            .all(|line| line.outcome == LineOutcome::AlreadyUnemployed)
    );
    assert_eq!(given.events().await, before);
}
