//! The use cases of employers and vacancies, called as the handlers call
//! them but without HTTP, against the real store: given what happened,
//! when an actor asks, then what the use case answers and what the store
//! and the read models hold.

use std::time::Duration;

use chrono::{DateTime, Utc};
use labex_app::{Actor, Error, ListPage, Role, Saved};
use labex_domain::employer::Employer;
use labex_domain::vacancy::{CloseReason, Vacancy, VacancyStatus};
use labex_domain::value::DivisionCode;
use labex_domain::{EmployerId, VacancyId, rfc3339_millis};
use labex_employers::{
    CLAIM_CATEGORY, CloseVacancyBody, Employers, PublishVacancyBody, RegisterEmployerBody,
    UpdateVacancyBody, VacancyFilter, described_moment,
};
use labex_eventsourcing::kurrentdb::{ReadStreamOptions, StreamPosition};
use labex_eventsourcing::{
    EventContext, IdempotencyKey, Position, ProjectionRunner, Repository, StoredEvent,
};
use labex_testkit::{Store, credit_code, event_count, temporary_folder};
use serde_json::{Value, json};

use crate::fixtures::{employer_body, vacancy_body};

/// The application over a store of its own, with its projections running.
struct App {
    app: Employers,
    runners: [ProjectionRunner; 3],
    store: Store,
    _data: tempfile::TempDir,
}

impl App {
    async fn start() -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-employers-usecases-");
        let repository = Repository::new(store.client().clone());
        let (app, runners) =
            Employers::open(repository, data.path()).expect("the read models open");
        Self {
            app,
            runners,
            store,
            _data: data,
        }
    }

    /// Given employer `n` registered in `region` by an office there.
    async fn employer(&self, n: u64, region: &str) -> Saved<Employer> {
        self.app
            .register_employer(&counsellor(region), registration(n, region), None)
            .await
            .expect("the employer registers")
    }

    /// Given a vacancy of `employer` published by `actor` from `body`.
    async fn vacancy(&self, actor: &Actor, body: Value, key: Option<&str>) -> Saved<Vacancy> {
        self.app
            .publish_vacancy(actor, publication(body), key.map(idempotency_key))
            .await
            .expect("the vacancy is published")
    }

    /// Waits until both read models have applied what was written up to
    /// `position`.
    async fn caught_up(&self, position: Option<Position>) {
        let position = position.expect("a write answers its position");
        for runner in &self.runners {
            runner
                .wait_for(position, Duration::from_secs(10))
                .await
                .expect("the read model catches up");
        }
    }

    async fn events(&self, prefix: &str) -> usize {
        event_count(self.store.client(), Some(prefix)).await
    }

    /// The events of one stream, as stored (with their metadata).
    async fn stream(&self, stream: &str) -> Vec<StoredEvent> {
        let options = ReadStreamOptions::default()
            .position(StreamPosition::Start)
            .max_count(usize::MAX);
        let mut read = self
            .store
            .client()
            .read_stream(stream, &options)
            .await
            .expect("a read of the stream");
        let mut events = Vec::new();
        while let Some(event) = read.next().await.expect("a read of the stream") {
            events.push(
                StoredEvent::from_recorded(event.get_original_event()).expect("a Labex event"),
            );
        }
        events
    }

    /// Every listed vacancy's id, read in pages of two.
    async fn vacancy_list(&self) -> Vec<String> {
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let listed = self
                .app
                .list_vacancies(VacancyFilter::default(), ListPage { limit: 2, after })
                .await
                .expect("a page of vacancies");
            ids.extend(listed.items.into_iter().map(|item| item.id));
            if listed.next.is_none() {
                return ids;
            }
            after = listed.next;
        }
    }
}

fn actor(role: Role, office: &str, employer_id: Option<EmployerId>) -> Actor {
    Actor {
        subject: format!("{}-{office}", role.as_str()),
        role,
        office: DivisionCode::parse(office).expect("a division code"),
        employer_id,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

fn counsellor(office: &str) -> Actor {
    actor(Role::Counsellor, office, None)
}

fn employer(id: EmployerId) -> Actor {
    actor(Role::Employer, "410105", Some(id))
}

fn idempotency_key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).expect("a key")
}

fn registration(n: u64, region: &str) -> labex_employers::EmployerRegistration {
    serde_json::from_value::<RegisterEmployerBody>(employer_body(n, region))
        .expect("a registration body")
        .parse()
        .expect("a valid registration")
}

fn publication(body: Value) -> labex_employers::Publication {
    serde_json::from_value::<PublishVacancyBody>(body)
        .expect("a publication body")
        .parse()
        .expect("a valid publication")
}

fn edit(body: Value) -> labex_employers::VacancyEdit {
    serde_json::from_value::<UpdateVacancyBody>(body)
        .expect("an edit body")
        .parse()
        .expect("a valid edit")
}

fn first_page() -> ListPage {
    ListPage {
        limit: 10,
        after: None,
    }
}

#[tokio::test]
async fn a_second_registration_of_a_credit_code_is_a_conflict_naming_the_first_employer() {
    let app = App::start().await;
    let first = app.employer(1, "410105").await;

    let again = app
        .app
        .register_employer(&counsellor("410100"), registration(1, "410105"), None)
        .await;

    let Err(Error::Conflict { detail }) = again else {
        panic!("a conflict, not {again:?}");
    };
    assert!(detail.contains(&first.state.id.to_string()), "{detail}");
    assert_eq!(app.events("employer-").await, 1);
    assert_eq!(app.events(&format!("{CLAIM_CATEGORY}-")).await, 1);
}

#[tokio::test]
async fn a_registration_that_stopped_after_its_claim_is_completed_under_the_claimed_id() {
    let app = App::start().await;
    let abandoned = EmployerId::generate();
    let claim = format!("{CLAIM_CATEGORY}-{}", credit_code(2));
    let context = EventContext::for_request(uuid::Uuid::now_v7(), "crashed", None);
    Repository::new(app.store.client().clone())
        .claim(&claim, abandoned.as_uuid(), &context)
        .await
        .expect("the claim of the first attempt");

    let completed = app.employer(2, "410105").await;

    assert_eq!(completed.state.id, abandoned);
    assert_eq!(completed.revision, 0);
}

#[tokio::test]
async fn a_retried_registration_with_the_same_key_answers_the_first_and_writes_once() {
    let app = App::start().await;
    let office = counsellor("410105");
    let register = || {
        app.app.register_employer(
            &office,
            registration(3, "410105"),
            Some(idempotency_key("employer-3")),
        )
    };

    let first = register().await.expect("registered");
    let again = register().await.expect("answered again");

    assert_eq!(again.state, first.state);
    assert_eq!(again.revision, first.revision);
    assert_eq!(app.events("employer-").await, 1);
}

#[tokio::test]
async fn only_office_staff_in_scope_register_employers_and_nothing_is_written_otherwise() {
    let app = App::start().await;
    let own = app.employer(4, "410105").await;
    let refused = [
        counsellor("420100"),
        employer(own.state.id),
        actor(Role::Jobseeker, "410105", None),
    ];
    for actor in refused {
        let answer = app
            .app
            .register_employer(&actor, registration(5, "410105"), None)
            .await;
        assert!(
            matches!(answer, Err(Error::Forbidden { .. })),
            "{actor:?}: {answer:?}"
        );
    }
    assert_eq!(app.events(&format!("{CLAIM_CATEGORY}-")).await, 1);
}

#[tokio::test]
async fn an_employer_acts_only_for_itself_and_an_office_only_within_its_scope() {
    let app = App::start().await;
    let hiring = app.employer(10, "410105").await.state.id;
    let other = app.employer(11, "410105").await.state.id;
    let body = || vacancy_body(&hiring.to_string(), "后端工程师");

    for outsider in [employer(other), counsellor("420100")] {
        let answer = app
            .app
            .publish_vacancy(&outsider, publication(body()), None)
            .await;
        assert!(
            matches!(answer, Err(Error::Forbidden { .. })),
            "{outsider:?}: {answer:?}"
        );
    }
    let own = app.vacancy(&employer(hiring), body(), None).await;
    let by_city = app.vacancy(&counsellor("410100"), body(), None).await;
    assert_eq!(own.state.employer_id, hiring);
    assert_eq!(by_city.state.status, VacancyStatus::Open);

    let edit_by_other = app
        .app
        .update_vacancy(
            &employer(other),
            own.state.id,
            edit(json!({"title": "别家"})),
            None,
        )
        .await;
    assert!(matches!(edit_by_other, Err(Error::Forbidden { .. })));
    let close_by_other = app
        .app
        .close_vacancy(
            &counsellor("420100"),
            own.state.id,
            close("withdrawn"),
            None,
            None,
        )
        .await;
    assert!(matches!(close_by_other, Err(Error::Forbidden { .. })));
    assert_eq!(app.events("vacancy-").await, 2);
}

#[tokio::test]
async fn a_vacancy_of_an_unregistered_employer_is_an_invalid_employer_id() {
    let app = App::start().await;
    let unknown = EmployerId::generate();

    let answer = app
        .app
        .publish_vacancy(
            &counsellor("410105"),
            publication(vacancy_body(&unknown.to_string(), "无主岗位")),
            None,
        )
        .await;

    let Err(error @ Error::Invalid(_)) = answer else {
        panic!("invalid fields, not {answer:?}");
    };
    let fields = error.field_errors();
    assert_eq!(fields.len(), 1);
    assert_eq!(
        (fields[0].field.as_str(), fields[0].code),
        ("employer_id", "employer.unknown")
    );
    assert_eq!(app.events("vacancy-").await, 0);
}

#[tokio::test]
async fn an_edit_based_on_a_stale_revision_is_refused_and_the_current_one_is_taken() {
    let app = App::start().await;
    let hiring = app.employer(20, "410105").await.state.id;
    let own = employer(hiring);
    let published = app
        .vacancy(&own, vacancy_body(&hiring.to_string(), "后端工程师"), None)
        .await;
    let id = published.state.id;
    let raised = app
        .app
        .update_vacancy(&own, id, edit(json!({"salary_max_yuan": 18000})), Some(0))
        .await
        .expect("an edit at the current revision");
    assert_eq!(raised.revision, 1);
    assert_eq!(raised.state.details.salary.min_yuan(), 8000);
    assert_eq!(raised.state.details.salary.max_yuan(), 18000);

    let stale = app
        .app
        .update_vacancy(&own, id, edit(json!({"title": "过时的修改"})), Some(0))
        .await;
    assert!(matches!(stale, Err(Error::Stale)), "{stale:?}");
    let stale_close = app
        .app
        .close_vacancy(&own, id, close("withdrawn"), Some(0), None)
        .await;
    assert!(matches!(stale_close, Err(Error::Stale)), "{stale_close:?}");
    let too_low = app
        .app
        .update_vacancy(&own, id, edit(json!({"salary_max_yuan": 100})), None)
        .await;
    let Err(error @ Error::Invalid(_)) = too_low else {
        panic!("invalid fields, not {too_low:?}");
    };
    assert_eq!(error.field_errors()[0].field, "salary_min_yuan");
    assert_eq!(app.events("vacancy-").await, 2);
}

#[tokio::test]
async fn a_vacancy_past_its_closing_time_is_closed_as_expired_in_every_answer_until_reopened() {
    let app = App::start().await;
    let hiring = app.employer(30, "410105").await.state.id;
    let own = employer(hiring);
    let closes_at = Utc::now() + chrono::Duration::seconds(2);
    let mut body = vacancy_body(&hiring.to_string(), "短期岗位");
    body["closes_at"] = json!(rfc3339_millis(closes_at));
    let published = app.vacancy(&own, body, None).await;
    let id = published.state.id;
    let later = app
        .vacancy(&own, vacancy_body(&hiring.to_string(), "长期岗位"), None)
        .await;
    wait_until(closes_at).await;

    let now = app.app.get_vacancy(id, None).await.expect("the vacancy");
    let moment = described_moment(None);
    assert_eq!(
        now.state.status,
        VacancyStatus::Open,
        "as its events left it"
    );
    assert_eq!(now.state.status_at(moment), VacancyStatus::Closed);
    assert_eq!(
        now.state.close_reason_at(moment),
        Some(CloseReason::Expired)
    );
    let before = closes_at - chrono::Duration::milliseconds(1);
    let then = app.app.get_vacancy(id, Some(before)).await.expect("then");
    assert_eq!(
        then.state.status_at(described_moment(Some(before))),
        VacancyStatus::Open
    );
    app.caught_up(later.position).await;
    let open = filtered(&app, hiring, VacancyStatus::Open).await;
    let closed = filtered(&app, hiring, VacancyStatus::Closed).await;
    assert_eq!(open, [later.state.id]);
    assert_eq!(closed, [id]);

    let refused = app
        .app
        .update_vacancy(&own, id, edit(json!({"title": "过期后修改"})), None)
        .await;
    let Err(Error::Refused(refusal)) = refused else {
        panic!("a refusal, not {refused:?}");
    };
    assert_eq!(refusal.code(), "vacancy_past_closing_time");
    let reopened = app
        .app
        .update_vacancy(
            &own,
            id,
            edit(json!({"closes_at": "2099-06-30T16:00:00Z", "title": "延期岗位"})),
            None,
        )
        .await
        .expect("a new closing time reopens it");
    assert_eq!(
        reopened.state.status_at(described_moment(None)),
        VacancyStatus::Open
    );
    app.caught_up(reopened.position).await;
    let open = filtered(&app, hiring, VacancyStatus::Open).await;
    assert_eq!(open, [later.state.id, id]);
}

#[tokio::test]
async fn the_vacancy_list_is_newest_publication_first_even_when_ids_come_from_keys() {
    let app = App::start().await;
    let hiring = app.employer(40, "410105").await.state.id;
    let office = counsellor("410105");
    let mut published: Vec<VacancyId> = Vec::new();
    for n in 0..5 {
        // Ids derived from idempotency keys are hashes: not time-ordered.
        let key = format!("vacancy-{n}");
        let vacancy = app
            .vacancy(
                &office,
                vacancy_body(&hiring.to_string(), &format!("{n}号岗位")),
                Some(&key),
            )
            .await;
        published.push(vacancy.state.id);
        app.caught_up(vacancy.position).await;
        // Publication times are whole milliseconds: one apart at least.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    let listed = app.vacancy_list().await;

    let newest_first: Vec<String> = published.iter().rev().map(ToString::to_string).collect();
    assert_eq!(listed, newest_first, "pages of two, in publication order");
    let mut by_id = newest_first.clone();
    by_id.sort_unstable_by(|a, b| b.cmp(a));
    assert_ne!(by_id, newest_first, "the keys' ids are not in time order");
}

#[tokio::test]
async fn an_office_lists_the_employers_of_its_scope_newest_registration_first() {
    let app = App::start().await;
    let city = counsellor("410100");
    let mut in_city = Vec::new();
    for (n, region) in [(50, "410105"), (51, "410102"), (52, "410105")] {
        let saved = app
            .app
            .register_employer(
                &city,
                registration(n, region),
                Some(idempotency_key(&format!("employer-{n}"))),
            )
            .await
            .expect("registered");
        in_city.push(saved);
    }
    let elsewhere = app.employer(53, "420100").await;
    app.caught_up(elsewhere.position).await;

    let listed = app
        .app
        .list_employers(&city, None, first_page())
        .await
        .expect("the city's employers");

    let ids: Vec<String> = listed.items.iter().map(|item| item.id.clone()).collect();
    let newest_first: Vec<String> = in_city
        .iter()
        .rev()
        .map(|saved| saved.state.id.to_string())
        .collect();
    assert_eq!(ids, newest_first);
    assert_eq!(listed.items[0].credit_code, credit_code(52));
    assert_eq!(listed.next, None);
    let district = DivisionCode::parse("410102").ok();
    let one = app
        .app
        .list_employers(&city, district, first_page())
        .await
        .expect("a district's employers");
    assert_eq!(one.items.len(), 1);

    let refused = [
        (counsellor("410105"), Some("410100")),
        (employer(elsewhere.state.id), None),
    ];
    for (actor, office) in refused {
        let office = office.map(|code| DivisionCode::parse(code).expect("a code"));
        let answer = app.app.list_employers(&actor, office, first_page()).await;
        assert!(
            matches!(answer, Err(Error::Forbidden { .. })),
            "{actor:?}: {answer:?}"
        );
    }
    let garbage = ListPage {
        limit: 10,
        after: Some("garbage".to_owned()),
    };
    let answer = app.app.list_employers(&city, None, garbage).await;
    assert!(matches!(answer, Err(Error::BadCursor)), "{answer:?}");
}

#[tokio::test]
async fn events_carry_the_office_of_the_employer_even_for_a_vacancy_elsewhere() {
    let app = App::start().await;
    let registered = app.employer(60, "410105").await;
    let hiring = registered.state.id;
    let mut body = vacancy_body(&hiring.to_string(), "洛阳驻点工程师");
    body["region"] = json!("410302");
    let province = actor(Role::Province, "410000", None);
    let vacancy = app.vacancy(&province, body, None).await;
    app.app
        .close_vacancy(
            &employer(hiring),
            vacancy.state.id,
            close("withdrawn"),
            None,
            None,
        )
        .await
        .expect("closed");

    let employer_events = app.stream(&hiring.stream_name()).await;
    let vacancy_events = app.stream(&vacancy.state.id.stream_name()).await;

    let offices: Vec<Option<String>> = employer_events
        .iter()
        .chain(&vacancy_events)
        .map(|event| event.metadata.office.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(offices, vec![Some("410105".to_owned()); 3]);
    assert_eq!(vacancy.state.details.region.as_str(), "410302");
}

fn close(reason: &str) -> labex_domain::vacancy::CloseVacancy {
    serde_json::from_value::<CloseVacancyBody>(json!({ "reason": reason }))
        .expect("a close body")
        .parse()
        .expect("a valid close")
}

/// The ids of `employer`'s vacancies of `status` now, newest first.
async fn filtered(app: &App, employer: EmployerId, status: VacancyStatus) -> Vec<VacancyId> {
    let filter = VacancyFilter {
        employer: Some(employer),
        status: Some(status),
    };
    app.app
        .list_vacancies(filter, first_page())
        .await
        .expect("a page")
        .items
        .iter()
        .map(|item| VacancyId::parse(&item.id).expect("an id"))
        .collect()
}

/// Sleeps until just after `moment`.
async fn wait_until(moment: DateTime<Utc>) {
    let left = (moment - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(50)).await;
}
