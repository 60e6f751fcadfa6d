//! The use cases of fairs, called as the handlers call them but without
//! HTTP, against the real store: given what happened, when an actor asks,
//! then what the use case answers and what the store and the read model
//! hold.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use labex_app::{Actor, Error, ListPage, Role, Saved};
use labex_domain::fair::{Fair, FairRules, Place};
use labex_domain::jobseeker::JobSeeker;
use labex_domain::referral::{
    MakeReferral, RecordReferralOutcome, Referral, ReferralCommand, ReferralOutcome,
};
use labex_domain::vacancy::Vacancy;
use labex_domain::value::DivisionCode;
use labex_domain::{FairId, JobSeekerId, ReferralId, china_date};
use labex_eventsourcing::{EventContext, Position, ProjectionRunner, Repository};
use labex_fairs::{
    AttendanceBody, CalendarQuery, ExhibitBody, Fairs, RegisterVisitorBody, ScheduleFairBody,
};
use labex_testkit::{Store, event_count, temporary_folder};
use labex_web::{FeedGate, FeedLimits};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::{Records, fair_body};

struct App {
    app: Fairs,
    runner: ProjectionRunner,
    records: Records,
    store: Store,
    _data: tempfile::TempDir,
}

impl App {
    async fn start() -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-fairs-usecases-");
        let repository = Repository::new(store.client().clone());
        let feeds =
            FeedGate::new(store.client(), FeedLimits::default()).expect("the feeds' client");
        let (app, runner) =
            Fairs::open(repository.clone(), data.path(), feeds).expect("fairs open");
        Self {
            app,
            runner,
            records: Records {
                repository,
                seed: u64::from(Uuid::now_v7().as_fields().1) * 1000,
            },
            store,
            _data: data,
        }
    }

    async fn schedule(&self, body: Value) -> Saved<Fair> {
        let body: ScheduleFairBody = serde_json::from_value(body).expect("a fair body");
        self.app
            .schedule(&organiser("410100"), body.parse().expect("valid"), None)
            .await
            .expect("the fair is scheduled")
    }

    async fn caught_up(&self, position: Option<Position>) {
        self.runner
            .wait_for(
                position.expect("a write answers its position"),
                StdDuration::from_secs(10),
            )
            .await
            .expect("the read model catches up");
    }

    async fn register(&self, fair: FairId, who: JobSeekerId) -> Saved<Fair> {
        let body: RegisterVisitorBody =
            serde_json::from_value(json!({"jobseeker_id": who.to_string()})).expect("a body");
        self.app
            .register(
                &organiser("410100"),
                fair,
                body.parse().expect("valid"),
                None,
            )
            .await
            .expect("registered")
    }
}

fn actor(role: Role, office: &str, subject: &str) -> Actor {
    Actor {
        subject: subject.to_owned(),
        role,
        office: DivisionCode::parse(office).expect("a division code"),
        employer_id: None,
        correlation_id: Uuid::now_v7(),
    }
}

fn organiser(office: &str) -> Actor {
    actor(Role::Organiser, office, "organiser")
}

#[tokio::test]
async fn an_organiser_schedules_a_fair_that_the_calendar_lists_by_region_and_audience() {
    let given = App::start().await;
    let saved = given.schedule(fair_body(200, Duration::days(3))).await;
    assert_eq!(
        saved.state.office.as_str(),
        "410100",
        "the organiser's office runs it"
    );
    given.caught_up(saved.position).await;
    let query = |region: &str, audience| CalendarQuery {
        region: Some(DivisionCode::parse(region).expect("a code")),
        from: Utc::now(),
        to: None,
        audience,
        kind: None,
        limit: 0,
        after: None,
        now: Utc::now(),
    };
    let page = ListPage {
        limit: 10,
        after: None,
    };
    let listed = given
        .app
        .calendar(
            query(
                "410100",
                Some(labex_domain::value::JobSeekerCategory::Graduate),
            ),
            page.clone(),
        )
        .await
        .expect("the calendar");
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].id, saved.state.id.to_string());
    assert_eq!(listed.items[0].status, "scheduled");
    let elsewhere = given
        .app
        .calendar(query("420100", None), page.clone())
        .await
        .expect("the calendar");
    assert!(elsewhere.items.is_empty());
    let laid_off = given
        .app
        .calendar(
            query(
                "410000",
                Some(labex_domain::value::JobSeekerCategory::LaidOff),
            ),
            page,
        )
        .await
        .expect("the calendar");
    assert!(
        laid_off.items.is_empty(),
        "a fair for graduates is not one for the laid-off"
    );
}

#[tokio::test]
async fn an_organiser_outside_the_region_and_a_job_seeker_may_not_schedule_and_nothing_is_written()
{
    let given = App::start().await;
    let body: ScheduleFairBody =
        serde_json::from_value(fair_body(200, Duration::days(3))).expect("a body");
    for stranger in [
        organiser("420100"),
        actor(Role::Jobseeker, "410105", "someone"),
    ] {
        let refused = given
            .app
            .schedule(&stranger, body.parse().expect("valid"), None)
            .await
            .expect_err("refused");
        assert!(matches!(refused, Error::Forbidden { .. }), "{refused:?}");
    }
    assert_eq!(event_count(given.store.client(), Some("fair-")).await, 0);
}

#[tokio::test]
async fn an_employer_exhibits_its_open_vacancies_and_an_organiser_publishes_new_ones_for_it() {
    let given = App::start().await;
    let fair = given
        .schedule(fair_body(200, Duration::days(3)))
        .await
        .state
        .id;
    let employer = given.records.employer(1).await;
    let open = given.records.vacancy(employer, "设备维修电工").await;
    let body: ExhibitBody = serde_json::from_value(json!({
        "employer_id": employer.to_string(),
        "vacancy_ids": [open.to_string()],
        "new_vacancies": [{
            "employer_id": employer.to_string(),
            "title": "数控车床操作工",
            "description": "操作数控车床，两班倒，包住宿。",
            "occupation": "车工",
            "region": "410105",
            "salary_min_yuan": 5500,
            "salary_max_yuan": 8000,
            "headcount": 5
        }]
    }))
    .expect("a body");
    let saved = given
        .app
        .exhibit(
            &organiser("410100"),
            fair,
            body.parse().expect("valid"),
            None,
        )
        .await
        .expect("exhibiting");
    let brought = &saved.state.exhibitors[&employer];
    assert_eq!(brought.len(), 2);
    let published = brought
        .iter()
        .find(|id| **id != open)
        .expect("a new vacancy");
    let (vacancy, _) = given
        .records
        .repository
        .get::<Vacancy>(*published)
        .await
        .expect("the new vacancy is in the store");
    assert_eq!(vacancy.employer_id, employer);
    assert_eq!(vacancy.details.title.as_str(), "数控车床操作工");
}

#[tokio::test]
async fn an_employer_may_not_exhibit_another_employers_vacancy() {
    let given = App::start().await;
    let fair = given
        .schedule(fair_body(200, Duration::days(3)))
        .await
        .state
        .id;
    let ours = given.records.employer(1).await;
    let theirs = given.records.employer(2).await;
    let their_vacancy = given.records.vacancy(theirs, "仓库管理员").await;
    let body: ExhibitBody = serde_json::from_value(json!({
        "employer_id": ours.to_string(),
        "vacancy_ids": [their_vacancy.to_string()]
    }))
    .expect("a body");
    let employer = Actor {
        employer_id: Some(ours),
        ..actor(Role::Employer, "410105", "employer")
    };
    let refused = given
        .app
        .exhibit(&employer, fair, body.parse().expect("valid"), None)
        .await
        .expect_err("refused");
    assert_eq!(refused.field_errors().len(), 0);
    assert!(
        format!("{refused:?}").contains("VacancyOfAnotherEmployer"),
        "{refused:?}"
    );
    assert_eq!(
        event_count(given.store.client(), Some(&fair.stream_name())).await,
        1
    );
}

#[tokio::test]
async fn a_place_freed_by_a_cancellation_goes_to_the_first_waiting() {
    let given = App::start().await;
    let fair = given
        .schedule(fair_body(1, Duration::days(3)))
        .await
        .state
        .id;
    let first = given.records.jobseeker(1).await;
    let second = given.records.jobseeker(2).await;
    let third = given.records.jobseeker(3).await;
    given.register(fair, first).await;
    given.register(fair, second).await;
    let saved = given.register(fair, third).await;
    assert_eq!(saved.state.waiting_list(), [second, third]);
    let saved = given
        .app
        .cancel_registration(&organiser("410100"), fair, first)
        .await
        .expect("withdrawn");
    assert_eq!(saved.state.visitors[&second].place, Place::Confirmed);
    assert_eq!(saved.state.waiting_list(), [third]);
}

#[tokio::test]
async fn a_job_seeker_registers_only_themself() {
    let given = App::start().await;
    let fair = given
        .schedule(fair_body(10, Duration::days(3)))
        .await
        .state
        .id;
    let me = given.records.jobseeker(1).await;
    let other = given.records.jobseeker(2).await;
    let myself = actor(Role::Jobseeker, "410105", &me.to_string());
    given
        .app
        .register(&myself, fair, me, None)
        .await
        .expect("registered");
    let refused = given
        .app
        .register(&myself, fair, other, None)
        .await
        .expect_err("refused");
    assert!(matches!(refused, Error::Forbidden { .. }));
    let unknown = given
        .app
        .register(&organiser("410100"), fair, JobSeekerId::generate(), None)
        .await
        .expect_err("refused");
    assert_eq!(unknown.field_errors()[0].code, "jobseeker.unknown");
}

#[tokio::test]
async fn results_count_referrals_from_the_fair_and_hires_within_each_period() {
    let given = App::start().await;
    let fair = given
        .schedule(fair_body(10, Duration::minutes(30)))
        .await
        .state
        .id;
    let employer = given.records.employer(1).await;
    let vacancy = given.records.vacancy(employer, "设备维修电工").await;
    let body: ExhibitBody = serde_json::from_value(json!({
        "employer_id": employer.to_string(),
        "vacancy_ids": [vacancy.to_string()]
    }))
    .expect("a body");
    given
        .app
        .exhibit(
            &organiser("410100"),
            fair,
            body.parse().expect("valid"),
            None,
        )
        .await
        .expect("exhibiting");
    let seeker = given.records.jobseeker(1).await;
    given.register(fair, seeker).await;
    let attendance: AttendanceBody =
        serde_json::from_value(json!({"jobseeker_id": seeker.to_string()})).expect("a body");
    let checked_in = given
        .app
        .attend(
            &organiser("410100"),
            fair,
            attendance.parse().expect("valid"),
        )
        .await
        .expect("checked in");
    assert!(checked_in.state.visitors[&seeker].checked_in_at.is_some());

    // A referral naming the fair, hired today.
    let repository = &given.records.repository;
    let referral_id = ReferralId::generate();
    let context = EventContext::for_request(Uuid::now_v7(), "counsellor", None);
    let (vacancy_state, _) = repository
        .get::<Vacancy>(vacancy)
        .await
        .expect("the vacancy");
    let (seeker_state, _) = repository
        .get::<JobSeeker>(seeker)
        .await
        .expect("the job seeker");
    repository
        .execute::<Referral>(
            referral_id,
            ReferralCommand::Make(MakeReferral {
                referral_id,
                jobseeker_id: seeker,
                vacancy_id: vacancy,
                note: None,
                referred_at: Utc::now(),
                vacancy: vacancy_state.for_referral(),
                jobseeker: seeker_state.for_referral(),
                open_referrals: Vec::new(),
                fair_id: Some(fair),
            }),
            &context,
        )
        .await
        .expect("referred");
    let hired = repository
        .execute::<Referral>(
            referral_id,
            ReferralCommand::RecordOutcome(RecordReferralOutcome {
                outcome: ReferralOutcome::Hired,
                date: china_date(Utc::now()),
                note: None,
            }),
            &context,
        )
        .await
        .expect("hired");
    given.caught_up(hired.position).await;

    let results = given
        .app
        .results(&organiser("410100"), fair)
        .await
        .expect("the results");
    assert_eq!(results.referrals, 1);
    let windows = FairRules::default().hire_windows_days;
    assert_eq!(
        results
            .hires
            .iter()
            .map(|h| (h.within_days, h.hires))
            .collect::<Vec<_>>(),
        windows.iter().map(|days| (*days, 1)).collect::<Vec<_>>()
    );
    assert_eq!(results.counts.checked_in, 1);
    let row = &results.exhibitors[0];
    assert_eq!(row.employer_id, employer.to_string());
    assert_eq!((row.vacancies, row.referrals), (1, 1));
    assert_eq!(row.name.as_deref(), Some("郑州中原装备有限公司"));
    let refused = given
        .app
        .results(&actor(Role::Jobseeker, "410105", "x"), fair)
        .await
        .expect_err("refused");
    assert!(matches!(refused, Error::Forbidden { .. }));
}
