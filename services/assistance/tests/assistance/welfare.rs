//! Public-welfare placements against the real store: a hire into a
//! public-welfare post becomes a placement (once, however often the hire
//! is delivered), a hire into any other post does not; the office records
//! an exit; placements ending within the office's days are listed.

use std::time::Duration;

use chrono::{Months, Utc};
use labex_app::{Actor, Error, ListPage, Role, RuleBook};
use labex_assistance::{Welfare, WelfareExitBody, WelfareProcess};
use labex_domain::value::DivisionCode;
use labex_domain::welfare::{WelfarePlacementId, WelfareRules, WelfareStatus};
use labex_domain::{EmployerId, VacancyId, china_date};
use labex_eventsourcing::kurrentdb::{ReadStreamOptions, StreamPosition};
use labex_eventsourcing::{Position, ProjectionRunner, Repository, StoredEvent};
use labex_testkit::{Store, event_count, temporary_folder};
use serde_json::json;

use crate::fixtures::{JINSHUI, People};

struct App {
    welfare: Welfare,
    list: ProjectionRunner,
    process: ProjectionRunner,
    repository: Repository,
    people: People,
    store: Store,
    _data: tempfile::TempDir,
}

impl App {
    async fn start() -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-welfare-usecases-");
        let repository = Repository::new(store.client().clone());
        let rules: RuleBook<WelfareRules> = RuleBook::default();
        let (welfare, list) = Welfare::open(repository.clone(), data.path(), rules.clone())
            .expect("the placements open");
        let connection = rusqlite::Connection::open(data.path().join("welfare-process.sqlite"))
            .expect("the checkpoint database opens");
        let process = WelfareProcess::start(repository.clone(), rules, connection);
        Self {
            welfare,
            list,
            process,
            repository,
            people: People::new(store.client(), 5_000),
            store,
            _data: data,
        }
    }

    /// Waits until the process has reacted to `position` and the list has
    /// taken in what it wrote.
    async fn settled(&self, position: Position) {
        self.process
            .wait_for(position, Duration::from_secs(10))
            .await
            .expect("the process catches up");
        let options = labex_eventsourcing::kurrentdb::ReadAllOptions::default()
            .position(StreamPosition::End)
            .backwards()
            .max_count(1);
        let mut all = self.store.client().read_all(&options).await.unwrap();
        let last = all.next().await.unwrap().expect("an event");
        self.list
            .wait_for(last.get_original_event().position, Duration::from_secs(10))
            .await
            .expect("the list catches up");
    }
}

fn counsellor() -> Actor {
    Actor {
        subject: "counsellor-7".to_owned(),
        role: Role::Counsellor,
        office: DivisionCode::parse(JINSHUI).unwrap(),
        employer_id: None,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

fn page() -> ListPage {
    ListPage {
        limit: 50,
        after: None,
    }
}

#[tokio::test]
async fn a_hire_into_a_public_welfare_post_becomes_a_placement_once() {
    let app = App::start().await;
    let person = app.people.jobseeker(JINSHUI).await;
    let (post, employer) = app.people.welfare_post().await;
    let today = china_date(Utc::now());
    let (referral, hired_at) = app.people.hire_into(person, post, employer, today).await;
    app.settled(hired_at).await;

    let id = WelfarePlacementId::of_hire(referral);
    let placement = app
        .welfare
        .get(&counsellor(), id, None)
        .await
        .expect("placed");
    assert_eq!(placement.state.jobseeker_id, person);
    assert_eq!(placement.state.subsidy_months, 36);
    assert_eq!(placement.state.monthly_subsidy_fen, 200_000);
    assert_eq!(placement.state.status_on(today), WelfareStatus::Active);
    let listed = app
        .welfare
        .list(&counsellor(), None, false, page(), None)
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].status, "active");

    // Delivered again: nothing more.
    let mut read = app
        .store
        .client()
        .read_stream(
            referral.stream_name().as_str(),
            &ReadStreamOptions::default()
                .position(StreamPosition::End)
                .backwards()
                .max_count(1),
        )
        .await
        .unwrap();
    let outcome = read.next().await.unwrap().expect("the outcome");
    let stored = StoredEvent::from_recorded(outcome.get_original_event()).unwrap();
    WelfareProcess::react_to(&app.repository, &RuleBook::default(), &stored)
        .await
        .unwrap();
    assert_eq!(
        event_count(app.store.client(), Some("welfareplacement-")).await,
        1
    );

    let exit: WelfareExitBody =
        serde_json::from_value(json!({"reason": "moved_to_regular_job", "note": "转入正式岗位"}))
            .unwrap();
    let ended = app
        .welfare
        .end(&counsellor(), id, exit.parse().unwrap(), None)
        .await
        .expect("ended");
    assert_eq!(
        ended.state.status_on(today),
        WelfareStatus::MovedToRegularJob
    );
    let again: WelfareExitBody = serde_json::from_value(json!({"reason": "ended"})).unwrap();
    let refused = app
        .welfare
        .end(&counsellor(), id, again.parse().unwrap(), None)
        .await;
    let Err(Error::Refused(refusal)) = refused else {
        panic!("ended twice: {refused:?}");
    };
    assert_eq!(refusal.code(), "placement_already_ended");
}

#[tokio::test]
async fn a_hire_into_another_post_is_no_placement() {
    let app = App::start().await;
    let person = app.people.jobseeker(JINSHUI).await;
    let (_, hired_at) = app
        .people
        .hire_into(
            person,
            VacancyId::generate(),
            EmployerId::generate(),
            china_date(Utc::now()),
        )
        .await;
    app.process
        .wait_for(hired_at, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(
        event_count(app.store.client(), Some("welfareplacement-")).await,
        0
    );
}

#[tokio::test]
async fn placements_ending_within_sixty_days_are_listed() {
    let app = App::start().await;
    let (post, employer) = app.people.welfare_post().await;
    let today = china_date(Utc::now());
    let long_ago = today
        .checked_sub_months(Months::new(36))
        .unwrap()
        .checked_add_days(chrono::Days::new(30))
        .unwrap();
    let ending = app.people.jobseeker(JINSHUI).await;
    let (ending_referral, _) = app.people.hire_into(ending, post, employer, long_ago).await;
    let fresh = app.people.jobseeker(JINSHUI).await;
    let (_, last) = app.people.hire_into(fresh, post, employer, today).await;
    app.settled(last).await;

    let soon = app
        .welfare
        .list(&counsellor(), None, true, page(), None)
        .await
        .unwrap();
    assert_eq!(soon.items.len(), 1);
    assert_eq!(
        soon.items[0].id,
        WelfarePlacementId::of_hire(ending_referral).to_string()
    );
    let all = app
        .welfare
        .list(&counsellor(), None, false, page(), None)
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
    let outsider = Actor {
        office: DivisionCode::parse("420100").unwrap(),
        ..counsellor()
    };
    assert!(matches!(
        app.welfare
            .list(
                &outsider,
                Some(DivisionCode::parse(JINSHUI).unwrap()),
                false,
                page(),
                None
            )
            .await,
        Err(Error::Forbidden { .. })
    ));
}

#[tokio::test]
async fn placements_ending_soon_are_listed_soonest_end_first_page_by_page() {
    let app = App::start().await;
    let (post, employer) = app.people.welfare_post().await;
    let today = china_date(Utc::now());
    let three_years_ago = today.checked_sub_months(Months::new(36)).unwrap();
    // Hired in this order, their periods end in 40, 10 and 25 days.
    let mut referrals = Vec::new();
    let mut last = None;
    for days in [40, 10, 25] {
        let person = app.people.jobseeker(JINSHUI).await;
        let started = three_years_ago
            .checked_add_days(chrono::Days::new(days))
            .unwrap();
        let (referral, position) = app.people.hire_into(person, post, employer, started).await;
        referrals.push(WelfarePlacementId::of_hire(referral).to_string());
        last = Some(position);
    }
    app.settled(last.unwrap()).await;

    let first = app
        .welfare
        .list(
            &counsellor(),
            None,
            true,
            ListPage {
                limit: 2,
                after: None,
            },
            None,
        )
        .await
        .unwrap();
    let ids: Vec<&str> = first.items.iter().map(|item| item.id.as_str()).collect();
    assert_eq!(ids, [referrals[1].as_str(), referrals[2].as_str()]);
    assert!(first.items[0].ends_on < first.items[1].ends_on);
    let second = app
        .welfare
        .list(
            &counsellor(),
            None,
            true,
            ListPage {
                limit: 2,
                after: first.next.clone(),
            },
            None,
        )
        .await
        .unwrap();
    let ids: Vec<&str> = second.items.iter().map(|item| item.id.as_str()).collect();
    assert_eq!(ids, [referrals[0].as_str()]);
    assert_eq!(second.next, None);
}

#[tokio::test]
async fn the_placements_as_of_a_past_moment_are_listed_as_they_stood() {
    let app = App::start().await;
    let person = app.people.jobseeker(JINSHUI).await;
    let (post, employer) = app.people.welfare_post().await;
    let before_hire = Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let today = china_date(Utc::now());
    let (referral, hired_at) = app.people.hire_into(person, post, employer, today).await;
    app.settled(hired_at).await;
    let id = WelfarePlacementId::of_hire(referral);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let before_exit = Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let exit: WelfareExitBody =
        serde_json::from_value(json!({"reason": "moved_to_regular_job"})).unwrap();
    let ended = app
        .welfare
        .end(&counsellor(), id, exit.parse().unwrap(), None)
        .await
        .expect("ended");
    app.settled(ended.position.expect("a position")).await;

    let shared = &app;
    let at = |moment| async move {
        shared
            .welfare
            .list(&counsellor(), None, false, page(), moment)
            .await
            .unwrap()
            .items
    };
    let now = at(None).await;
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].status, "moved_to_regular_job");
    let then = at(Some(before_exit)).await;
    assert_eq!(then.len(), 1);
    assert_eq!(then[0].id, id.to_string());
    assert_eq!(then[0].status, "active");
    assert_eq!(then[0].exited_on, None);
    assert!(at(Some(before_hire)).await.is_empty());
}
