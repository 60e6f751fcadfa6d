//! The use cases of households and the household process manager, called
//! as the handlers and the subscription call them but without HTTP,
//! against the real store: given what happened, when an actor (or a
//! member's event) acts, then what the use case answers and what the
//! store and the register hold.

use std::time::Duration;

use chrono::{Days, Utc};
use labex_app::{Actor, Error, ListPage, Role, RuleBook};
use labex_assistance::{
    Assistance, ContactBody, DeclareBody, ExitBody, HouseholdProcess, PlanBody,
    ReferralMeasureProcess, RegisterFilter, TrainingMeasureProcess, VerificationBody, household_of,
    register_csv, stabilise_due,
};
use labex_domain::household::{HouseholdEvent, HouseholdRules, HouseholdStatus, Measure};
use labex_domain::value::DivisionCode;
use labex_domain::{EmployerId, Event, HouseholdId, JobSeekerId, VacancyId, china_date};
use labex_eventsourcing::kurrentdb::{ReadStreamOptions, StreamPosition};
use labex_eventsourcing::{Position, ProjectionRunner, Repository, StoredEvent};
use labex_testkit::{Store, event_count, temporary_folder};
use serde_json::json;

use crate::fixtures::{JINSHUI, People, declaration_body};

/// The application over a store of its own, with its register and the
/// household process manager running.
struct App {
    app: Assistance,
    register: ProjectionRunner,
    process: ProjectionRunner,
    measures: ProjectionRunner,
    people: People,
    store: Store,
    _data: tempfile::TempDir,
}

impl App {
    async fn start() -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-assistance-usecases-");
        let repository = Repository::new(store.client().clone());
        let rules: RuleBook<HouseholdRules> = RuleBook::default();
        let (app, register) = Assistance::open(repository.clone(), data.path(), rules.clone())
            .expect("the register opens");
        let connection = rusqlite::Connection::open(data.path().join("process.sqlite"))
            .expect("the checkpoint database opens");
        let process = HouseholdProcess::start(repository.clone(), rules, connection);
        let connection = rusqlite::Connection::open(data.path().join("measures.sqlite"))
            .expect("the checkpoint database opens");
        let measures = ReferralMeasureProcess::start(repository, connection);
        let people = People::new(store.client(), 1);
        Self {
            app,
            register,
            process,
            measures,
            people,
            store,
            _data: data,
        }
    }

    /// Given a household of `members` declared in Jinshui.
    async fn declared(&self, members: &[JobSeekerId]) -> HouseholdId {
        self.app
            .declare(&counsellor(JINSHUI), declaration(members), None)
            .await
            .expect("the household is declared")
            .state
            .id
    }

    /// Given a household of `members` declared and verified in Jinshui.
    async fn verified(&self, members: &[JobSeekerId]) -> HouseholdId {
        let id = self.declared(members).await;
        self.app
            .verify(&counsellor(JINSHUI), id, verification("verified"), None)
            .await
            .expect("the household is verified");
        id
    }

    /// Waits until the process manager and the register have taken in
    /// everything up to `position`.
    async fn caught_up(&self, position: Position) {
        for runner in [&self.process, &self.measures, &self.register] {
            runner
                .wait_for(position, Duration::from_secs(10))
                .await
                .expect("the runner catches up");
        }
    }

    /// Waits until the register has what the process manager wrote after
    /// `position` too.
    async fn settled(&self, position: Position) {
        self.caught_up(position).await;
        let household_events = self.last_household_position().await;
        if let Some(last) = household_events {
            self.register
                .wait_for(last, Duration::from_secs(10))
                .await
                .expect("the register catches up");
        }
    }

    async fn last_household_position(&self) -> Option<Position> {
        let options = labex_eventsourcing::kurrentdb::ReadAllOptions::default()
            .position(StreamPosition::End)
            .backwards()
            .max_count(1);
        let mut all = self.store.client().read_all(&options).await.ok()?;
        let event = all.next().await.ok()??;
        Some(event.get_original_event().position)
    }

    async fn status(&self, id: HouseholdId) -> HouseholdStatus {
        self.app
            .get(&counsellor(JINSHUI), id, None)
            .await
            .expect("the household reads")
            .state
            .status
    }

    async fn events(&self, prefix: &str) -> usize {
        event_count(self.store.client(), Some(prefix)).await
    }
}

fn actor(role: Role, office: &str) -> Actor {
    Actor {
        subject: "counsellor-7".to_owned(),
        role,
        office: DivisionCode::parse(office).expect("a division code"),
        employer_id: None,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

fn counsellor(office: &str) -> Actor {
    actor(Role::Counsellor, office)
}

fn declaration(members: &[JobSeekerId]) -> labex_assistance::Declaration {
    serde_json::from_value::<DeclareBody>(declaration_body(JINSHUI, members))
        .expect("a declaration body")
        .parse()
        .expect("a valid declaration")
}

fn verification(decision: &str) -> labex_assistance::Verification {
    serde_json::from_value::<VerificationBody>(json!({"decision": decision, "note": "入户核实"}))
        .expect("a verification body")
        .parse()
        .expect("a valid verification")
}

fn page() -> ListPage {
    ListPage {
        limit: 50,
        after: None,
    }
}

#[tokio::test]
async fn a_declared_household_is_verified_into_the_register_and_counted() {
    let app = App::start().await;
    let father = app.people.jobseeker(JINSHUI).await;
    let mother = app.people.jobseeker(JINSHUI).await;
    let declared = app
        .app
        .declare(&counsellor(JINSHUI), declaration(&[father, mother]), None)
        .await
        .expect("declared");
    assert_eq!(declared.state.status, HouseholdStatus::Declared);
    assert_eq!(declared.state.members, vec![father, mother]);
    let before_verification = chrono::Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let verified = app
        .app
        .verify(
            &counsellor(JINSHUI),
            declared.state.id,
            verification("verified"),
            None,
        )
        .await
        .expect("verified");
    assert_eq!(verified.state.status, HouseholdStatus::Registered);
    app.caught_up(verified.position.expect("a position")).await;

    let listed = app
        .app
        .register(
            &counsellor("410100"),
            RegisterFilter {
                office: Some(DivisionCode::parse("410100").unwrap()),
                status: Some(HouseholdStatus::Registered),
                late: false,
            },
            page(),
            None,
        )
        .await
        .expect("the register lists");
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].id, declared.state.id.to_string());
    assert_eq!(listed.items[0].members.len(), 2);

    let now = app
        .app
        .counts(&counsellor(JINSHUI), None, None)
        .await
        .expect("counts");
    assert_eq!(now.counts["registered"], 1);
    assert_eq!(now.in_register, 1);
    let then = app
        .app
        .counts(&counsellor(JINSHUI), None, Some(before_verification))
        .await
        .expect("counts then");
    assert_eq!(then.counts["declared"], 1);
    assert_eq!(then.counts["registered"], 0);

    let as_of = app
        .app
        .get(
            &counsellor(JINSHUI),
            declared.state.id,
            Some(before_verification),
        )
        .await
        .expect("the household as it was");
    assert_eq!(as_of.state.status, HouseholdStatus::Declared);
}

#[tokio::test]
async fn a_member_of_an_open_household_cannot_be_declared_again_until_it_is_rejected() {
    let app = App::start().await;
    let member = app.people.jobseeker(JINSHUI).await;
    let first = app.declared(&[member]).await;
    let again = app
        .app
        .declare(&counsellor(JINSHUI), declaration(&[member]), None)
        .await;
    assert!(matches!(again, Err(Error::Conflict { .. })), "{again:?}");
    assert_eq!(app.events("household-").await, 1, "nothing written");

    app.app
        .verify(&counsellor(JINSHUI), first, verification("rejected"), None)
        .await
        .expect("rejected");
    let second = app.declared(&[member]).await;
    assert_ne!(second, first);
    assert_eq!(
        household_of(app.app.repository(), member).await.unwrap(),
        Some(second)
    );
}

#[tokio::test]
async fn an_unknown_or_employed_member_is_refused_and_nothing_is_written() {
    let app = App::start().await;
    let unknown = JobSeekerId::generate();
    let refused = app
        .app
        .declare(&counsellor(JINSHUI), declaration(&[unknown]), None)
        .await;
    let Err(Error::Invalid(errors)) = refused else {
        panic!("an invalid member: {refused:?}");
    };
    assert_eq!(errors[0].field, "members[0]");
    assert_eq!(errors[0].code, "jobseeker.unknown");

    let working = app.people.jobseeker(JINSHUI).await;
    app.people.employ(working, date_today()).await;
    let refused = app
        .app
        .declare(&counsellor(JINSHUI), declaration(&[working]), None)
        .await;
    let Err(Error::Refused(refusal)) = refused else {
        panic!("an employed member: {refused:?}");
    };
    assert_eq!(refusal.code(), "member_employed");
    assert_eq!(app.events("household").await, 0, "no household and no turn");
}

#[tokio::test]
async fn staff_outside_the_office_and_other_roles_are_forbidden() {
    let app = App::start().await;
    let member = app.people.jobseeker(JINSHUI).await;
    for outsider in [
        counsellor("420100"),
        actor(Role::Jobseeker, JINSHUI),
        actor(Role::Employer, JINSHUI),
    ] {
        let refused = app
            .app
            .declare(&outsider, declaration(&[member]), None)
            .await;
        assert!(
            matches!(refused, Err(Error::Forbidden { .. })),
            "{refused:?}"
        );
    }
    let id = app.declared(&[member]).await;
    let read = app.app.get(&counsellor("420100"), id, None).await;
    assert!(matches!(read, Err(Error::Forbidden { .. })));
    let listed = app
        .app
        .register(
            &counsellor("420100"),
            RegisterFilter {
                office: Some(DivisionCode::parse(JINSHUI).unwrap()),
                ..RegisterFilter::default()
            },
            page(),
            None,
        )
        .await;
    assert!(matches!(listed, Err(Error::Forbidden { .. })));
    // The province reads everywhere.
    app.app
        .get(&actor(Role::Province, "410000"), id, None)
        .await
        .expect("the province reads it");
}

fn date_today() -> chrono::NaiveDate {
    china_date(Utc::now())
}

#[tokio::test]
async fn a_members_hire_clears_the_household_and_unemployment_registers_it_again() {
    let app = App::start().await;
    let father = app.people.jobseeker(JINSHUI).await;
    let mother = app.people.jobseeker(JINSHUI).await;
    let id = app.verified(&[father, mother]).await;

    let (_, hired_at) = app.people.hire(father).await;
    app.settled(hired_at).await;
    let cleared = app.app.get(&counsellor(JINSHUI), id, None).await.unwrap();
    assert_eq!(cleared.state.status, HouseholdStatus::Cleared);
    let change = cleared.state.last_move.clone().expect("a move");
    assert_eq!(change.cause.event_type, "ReferralOutcomeRecorded");
    assert_eq!(change.jobseeker_id, father);

    // The placement's employment registration of the same member changes
    // nothing more.
    let employed_at = app.people.employ(father, date_today()).await;
    app.settled(employed_at).await;
    let still = app.app.get(&counsellor(JINSHUI), id, None).await.unwrap();
    assert_eq!(still.revision, cleared.revision);

    let lost_at = app.people.unemploy(father, date_today()).await;
    app.settled(lost_at).await;
    let again = app.app.get(&counsellor(JINSHUI), id, None).await.unwrap();
    assert_eq!(again.state.status, HouseholdStatus::Registered);
    let change = again.state.last_move.expect("a move");
    assert_eq!(change.cause.event_type, "UnemploymentRegistered");

    let listed = app
        .app
        .register_rows(&counsellor(JINSHUI), RegisterFilter::default(), None)
        .await
        .unwrap();
    assert_eq!(listed[0].status, "registered");
    let last = listed[0].last_change.as_ref().expect("the last change");
    assert_eq!(last.cause_event_type, "UnemploymentRegistered");
}

#[tokio::test]
async fn a_redelivered_member_event_writes_nothing_more() {
    let app = App::start().await;
    let member = app.people.jobseeker(JINSHUI).await;
    let id = app.verified(&[member]).await;
    let (referral, hired_at) = app.people.hire(member).await;
    app.settled(hired_at).await;
    assert_eq!(app.status(id).await, HouseholdStatus::Cleared);
    let written = app.events(&id.stream_name()).await;

    let options = ReadStreamOptions::default()
        .position(StreamPosition::End)
        .backwards()
        .max_count(1);
    let mut read = app
        .store
        .client()
        .read_stream(referral.stream_name().as_str(), &options)
        .await
        .unwrap();
    let outcome = read.next().await.unwrap().expect("the outcome");
    let stored = StoredEvent::from_recorded(outcome.get_original_event()).unwrap();
    for _ in 0..2 {
        HouseholdProcess::react_to(app.app.repository(), &RuleBook::default(), &stored)
            .await
            .expect("the reaction repeats");
    }
    assert_eq!(app.events(&id.stream_name()).await, written);
}

#[tokio::test]
async fn a_cleared_household_is_stabilised_once_its_follow_up_period_is_over() {
    let app = App::start().await;
    let member = app.people.jobseeker(JINSHUI).await;
    let id = app.verified(&[member]).await;
    let employed_at = app.people.employ(member, date_today()).await;
    app.settled(employed_at).await;
    assert_eq!(app.status(id).await, HouseholdStatus::Cleared);

    let early = stabilise_due(app.app.repository(), &register_of(&app), date_today())
        .await
        .unwrap();
    assert_eq!(early, 0);
    let later = date_today().checked_add_days(Days::new(200)).unwrap();
    let stabilised = stabilise_due(app.app.repository(), &register_of(&app), later)
        .await
        .unwrap();
    assert_eq!(stabilised, 1);
    assert_eq!(app.status(id).await, HouseholdStatus::Stabilised);
}

fn register_of(app: &App) -> labex_eventsourcing::ReadModel {
    app.app.register_model()
}

#[tokio::test]
async fn a_verification_past_its_working_days_is_listed_as_late() {
    let app = App::start().await;
    let member = app.people.jobseeker(JINSHUI).await;
    let old = date_today().checked_sub_days(Days::new(20)).unwrap();
    let mut body = declaration_body(JINSHUI, &[member]);
    body["declared_on"] = json!(old.to_string());
    let declared = app
        .app
        .declare(
            &counsellor(JINSHUI),
            serde_json::from_value::<DeclareBody>(body)
                .unwrap()
                .parse()
                .unwrap(),
            None,
        )
        .await
        .unwrap();
    let on_time = app.people.jobseeker(JINSHUI).await;
    let fresh = app
        .app
        .declare(&counsellor(JINSHUI), declaration(&[on_time]), None)
        .await
        .unwrap();
    app.caught_up(fresh.position.unwrap()).await;
    let late = app
        .app
        .register(
            &counsellor(JINSHUI),
            RegisterFilter {
                late: true,
                ..RegisterFilter::default()
            },
            page(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(late.items.len(), 1);
    assert_eq!(late.items[0].id, declared.state.id.to_string());
    assert!(late.items[0].verification_late);
}

#[tokio::test]
async fn plans_and_contacts_follow_a_household_and_the_overdue_ones_are_listed() {
    let app = App::start().await;
    let first = app.people.jobseeker(JINSHUI).await;
    let second = app.people.jobseeker(JINSHUI).await;
    let planned = app.verified(&[first]).await;
    let unplanned = app.verified(&[second]).await;
    let today = date_today();
    let next = today.checked_add_days(Days::new(14)).unwrap();
    let plan: PlanBody = serde_json::from_value(json!({
        "measures": ["job_referral", "training"],
        "next_contact_due": next.to_string(),
    }))
    .unwrap();
    let saved = app
        .app
        .make_plan(&counsellor(JINSHUI), planned, plan.parse().unwrap(), None)
        .await
        .expect("the plan is made");
    assert_eq!(
        saved.state.plan.as_ref().unwrap().counsellor,
        "counsellor-7"
    );
    let contact: ContactBody = serde_json::from_value(json!({
        "channel": "visit",
        "measures": ["policy_consultation"],
        "next_contact_due": next.to_string(),
        "note": "介绍公益性岗位政策",
    }))
    .unwrap();
    let contacted = app
        .app
        .record_contact(
            &counsellor(JINSHUI),
            planned,
            contact.parse().unwrap(),
            None,
        )
        .await
        .expect("the contact is recorded");
    assert_eq!(contacted.state.contacts, 1);
    app.caught_up(contacted.position.unwrap()).await;

    let on_time = app
        .app
        .overdue(&counsellor(JINSHUI), None, None, None, page())
        .await
        .unwrap();
    assert!(on_time.items.is_empty(), "{:?}", on_time.items);
    // Judged 40 days on: the plan of one is past its 30 days, the contact
    // of the other is past due.
    let later = today.checked_add_days(Days::new(40)).unwrap();
    let overdue = app
        .app
        .overdue(&counsellor(JINSHUI), None, None, Some(later), page())
        .await
        .unwrap();
    let reasons: Vec<(String, String)> = overdue
        .items
        .iter()
        .map(|item| (item.household_id.clone(), item.reason.clone()))
        .collect();
    assert!(reasons.contains(&(unplanned.to_string(), "plan_missing".to_owned())));
    assert!(reasons.contains(&(planned.to_string(), "contact_overdue".to_owned())));
    let mine = app
        .app
        .overdue(
            &counsellor(JINSHUI),
            None,
            Some("counsellor-7".to_owned()),
            Some(later),
            page(),
        )
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 1);
}

#[tokio::test]
async fn an_exit_needs_the_rules_refusals_and_frees_the_members() {
    let app = App::start().await;
    let member = app.people.jobseeker(JINSHUI).await;
    let id = app.verified(&[member]).await;
    let too_few: ExitBody =
        serde_json::from_value(json!({"reason": "refused_referrals", "refused_referrals": 2}))
            .unwrap();
    let refused = app
        .app
        .exit(&counsellor(JINSHUI), id, too_few.parse().unwrap(), None)
        .await;
    let Err(Error::Refused(refusal)) = refused else {
        panic!("too few refusals: {refused:?}");
    };
    assert_eq!(refusal.code(), "too_few_refused_referrals");
    let enough: ExitBody =
        serde_json::from_value(json!({"reason": "refused_referrals", "refused_referrals": 3}))
            .unwrap();
    let exited = app
        .app
        .exit(&counsellor(JINSHUI), id, enough.parse().unwrap(), None)
        .await
        .expect("exited");
    assert_eq!(exited.state.status, HouseholdStatus::Exited);
    assert_eq!(
        household_of(app.app.repository(), member).await.unwrap(),
        None
    );
    app.declared(&[member]).await;
}

#[tokio::test]
async fn the_register_as_csv_has_a_row_per_household() {
    let app = App::start().await;
    let mut last = None;
    for _ in 0..3 {
        let member = app.people.jobseeker(JINSHUI).await;
        let saved = app
            .app
            .declare(&counsellor(JINSHUI), declaration(&[member]), None)
            .await
            .unwrap();
        last = saved.position;
    }
    app.caught_up(last.unwrap()).await;
    let rows = app
        .app
        .register_rows(
            &counsellor("410100"),
            RegisterFilter {
                office: Some(DivisionCode::parse("410100").unwrap()),
                ..RegisterFilter::default()
            },
            None,
        )
        .await
        .unwrap();
    let csv = register_csv(&rows);
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.contains("待审核"));
}

/// The last event of `stream`.
async fn last_event(app: &App, stream: &str) -> StoredEvent {
    let options = ReadStreamOptions::default()
        .position(StreamPosition::End)
        .backwards()
        .max_count(1);
    let mut read = app
        .store
        .client()
        .read_stream(stream, &options)
        .await
        .expect("the stream reads");
    let event = read.next().await.unwrap().expect("an event");
    StoredEvent::from_recorded(event.get_original_event()).expect("a known event")
}

#[tokio::test]
async fn a_referral_made_for_a_member_counts_as_a_job_referral_once() {
    let app = App::start().await;
    let father = app.people.jobseeker(JINSHUI).await;
    let mother = app.people.jobseeker(JINSHUI).await;
    let id = app.verified(&[father, mother]).await;
    let before = app.events(&id.stream_name()).await;

    let (referral, referred_at) = app
        .people
        .refer(
            mother,
            VacancyId::generate(),
            EmployerId::generate(),
            date_today(),
        )
        .await;
    app.settled(referred_at).await;
    assert_eq!(app.events(&id.stream_name()).await, before + 1);
    let household = app.app.get(&counsellor(JINSHUI), id, None).await.unwrap();
    assert_eq!(
        household
            .state
            .measures_delivered
            .get(&Measure::JobReferral),
        Some(&1)
    );
    // Referred, not hired: the household stays registered.
    assert_eq!(household.state.status, HouseholdStatus::Registered);

    let made = last_event(&app, referral.stream_name().as_str()).await;
    let written = last_event(&app, id.stream_name().as_str()).await;
    let Event::Household(HouseholdEvent::MeasureDelivered(delivered)) = &written.event else {
        panic!(
            "the household's last event is the measure: {:?}",
            written.event
        );
    };
    assert_eq!(delivered.measure, Measure::JobReferral);
    assert_eq!(delivered.jobseeker_id, mother);
    assert_eq!(delivered.delivered_on, date_today());
    assert_eq!(delivered.cause.event_id, made.id);
    assert_eq!(delivered.cause.event_type, "ReferralMade");

    // Redelivered, twice: nothing more is written.
    for _ in 0..2 {
        ReferralMeasureProcess::react_to(app.app.repository(), &made)
            .await
            .expect("the reaction repeats");
    }
    assert_eq!(app.events(&id.stream_name()).await, before + 1);
}

#[tokio::test]
async fn a_seat_a_member_takes_on_a_course_counts_as_training_once() {
    let app = App::start().await;
    let father = app.people.jobseeker(JINSHUI).await;
    let mother = app.people.jobseeker(JINSHUI).await;
    let loner = app.people.jobseeker(JINSHUI).await;
    let id = app.verified(&[father, mother]).await;
    let before = app.events(&id.stream_name()).await;
    let connection = rusqlite::Connection::open(app._data.path().join("training.sqlite"))
        .expect("the checkpoint database opens");
    let training = TrainingMeasureProcess::start(app.app.repository().clone(), connection);

    // Someone in no household takes the seat and gives it up; the mother,
    // waiting, moves up to it: one seat taken by a member, one measure.
    let (course, promoted) = app.people.train(loner, mother).await;
    training
        .wait_for(promoted, Duration::from_secs(10))
        .await
        .expect("the training process catches up");
    app.settled(promoted).await;
    assert_eq!(app.events(&id.stream_name()).await, before + 1);
    let household = app.app.get(&counsellor(JINSHUI), id, None).await.unwrap();
    assert_eq!(
        household.state.measures_delivered.get(&Measure::Training),
        Some(&1)
    );
    let promotion = last_event(&app, course.stream_name().as_str()).await;
    let written = last_event(&app, id.stream_name().as_str()).await;
    let Event::Household(HouseholdEvent::MeasureDelivered(delivered)) = &written.event else {
        panic!(
            "the household's last event is the measure: {:?}",
            written.event
        );
    };
    assert_eq!(delivered.measure, Measure::Training);
    assert_eq!(delivered.jobseeker_id, mother);
    assert_eq!(delivered.cause.event_id, promotion.id);
    assert_eq!(delivered.cause.event_type, "TraineePromoted");

    // Redelivered: nothing more is written.
    TrainingMeasureProcess::react_to(app.app.repository(), &promotion)
        .await
        .expect("the reaction repeats");
    assert_eq!(app.events(&id.stream_name()).await, before + 1);
    training.stop().await.expect("the process stops");
}

#[tokio::test]
async fn a_referral_of_someone_in_no_household_on_the_register_writes_nothing() {
    let app = App::start().await;
    let member = app.people.jobseeker(JINSHUI).await;
    let declared = app.declared(&[member]).await;
    let loner = app.people.jobseeker(JINSHUI).await;
    let before = app.events("household-").await;

    // A member of a household not verified yet, and someone in none.
    for person in [member, loner] {
        let (_, referred_at) = app
            .people
            .refer(
                person,
                VacancyId::generate(),
                EmployerId::generate(),
                date_today(),
            )
            .await;
        app.settled(referred_at).await;
    }
    assert_eq!(app.events("household-").await, before);
    let household = app
        .app
        .get(&counsellor(JINSHUI), declared, None)
        .await
        .unwrap();
    assert!(household.state.measures_delivered.is_empty());
}

#[tokio::test]
async fn the_register_as_of_a_past_moment_shows_the_rows_as_they_stood() {
    let app = App::start().await;
    let before_declaration = Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let member = app.people.jobseeker(JINSHUI).await;
    let id = app.declared(&[member]).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let before_verification = Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let verified = app
        .app
        .verify(&counsellor(JINSHUI), id, verification("verified"), None)
        .await
        .expect("verified");
    app.caught_up(verified.position.expect("a position")).await;

    let shared = &app;
    let at = |moment| async move {
        shared
            .app
            .register(
                &counsellor(JINSHUI),
                RegisterFilter::default(),
                page(),
                moment,
            )
            .await
            .expect("the register lists")
            .items
    };
    let now = at(None).await;
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].status, "registered");
    let then = at(Some(before_verification)).await;
    assert_eq!(then.len(), 1);
    assert_eq!(then[0].id, id.to_string());
    assert_eq!(then[0].status, "declared");
    assert_eq!(then[0].verified_on, None);
    assert_eq!(
        then[0].address.as_deref(),
        Some("金水区文化路 12 号院 3 号楼 201")
    );
    assert!(at(Some(before_declaration)).await.is_empty());
    // The CSV's rows too.
    let rows = app
        .app
        .register_rows(
            &counsellor(JINSHUI),
            RegisterFilter {
                status: Some(HouseholdStatus::Declared),
                ..RegisterFilter::default()
            },
            Some(before_verification),
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
}
