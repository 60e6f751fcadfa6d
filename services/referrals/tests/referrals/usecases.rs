//! The referrals' use cases called directly, as the HTTP handlers call
//! them, against a real store on a free port: no server, no JSON. Each test
//! reads given / when / then.

use std::time::Duration;

use chrono::Utc;
use labex_app::{Actor, Error, ListPage, Role, Saved};
use labex_domain::jobseeker::JobSeeker;
use labex_domain::referral::{MakeReferral, RecordReferralOutcome, Referral, ReferralOutcome};
use labex_domain::vacancy::{Vacancy, VacancyStatus};
use labex_domain::value::{DivisionCode, Note};
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{EventContext, IdempotencyKey, Metadata, Repository, Turn};
use labex_referrals::pairs::Pair;
use labex_referrals::{
    LISTS_WAIT, ListFilter, Refer, ReferralSettings, ReferralStatus, ReferralView, Referrals,
    ReferralsService,
};
use labex_testkit::{Store, event_count};
use labex_web::ServiceContext;
use uuid::Uuid;

use crate::fixtures::{JINSHUI, Records, recorded};

/// The referrals service started as `labex` starts it, on a fresh store
/// and folder, with the records it refers to.
struct Given {
    store: Store,
    records: Records,
    service: ReferralsService,
    _data: tempfile::TempDir,
}

impl Given {
    async fn referrals() -> Self {
        Self::referrals_with(ReferralSettings::default()).await
    }

    async fn referrals_with(settings: ReferralSettings) -> Self {
        let store = Store::start().await;
        let data = labex_testkit::temporary_folder("labex-usecases-");
        let context = ServiceContext::new(
            Repository::new(store.client().clone()),
            data.path().to_path_buf(),
        )
        .expect("the feeds' client");
        let service = ReferralsService::start_with(context, &settings)
            .await
            .expect("the referrals service starts");
        let records = Records::new(store.client());
        Self {
            store,
            records,
            service,
            _data: data,
        }
    }

    /// The service with a turn grace of one second.
    async fn referrals_with_a_short_grace() -> Self {
        Self::referrals_with(ReferralSettings { turn_grace: GRACE }).await
    }

    fn app(&self) -> &Referrals {
        self.service.app()
    }

    fn repository(&self) -> &Repository {
        self.records.repository()
    }

    /// A Jinshui job seeker, and an open vacancy for `headcount`.
    async fn a_pair(&self, headcount: u32) -> Pair {
        let employer = self.records.employer().await;
        Pair {
            jobseeker_id: self.records.jobseeker(JINSHUI).await,
            vacancy_id: self.records.vacancy(employer, headcount).await,
        }
    }

    async fn employer_of(&self, vacancy: VacancyId) -> EmployerId {
        let (vacancy, _) = self.repository().get::<Vacancy>(vacancy).await.unwrap();
        vacancy.employer_id
    }

    async fn referral_events(&self) -> usize {
        event_count(self.store.client(), Some("referral-")).await
    }

    /// The turns taken in the pair's stream.
    async fn turns(&self, pair: Pair) -> usize {
        recorded(self.store.client(), &pair.turn_stream())
            .await
            .len()
    }

    /// A counsellor's request that has taken the pair's turn for its
    /// referral, built as the use case builds it from the records as they
    /// stand, and has not written it yet.
    async fn a_writer_with_the_turn(&self, pair: Pair) -> Writer {
        let referral_id = ReferralId::generate();
        let context = counsellor().event_context(&DivisionCode::parse(JINSHUI).unwrap());
        let turn = self
            .app()
            .pairs()
            .take_turn(pair, referral_id, &context)
            .await
            .expect("the turn is taken");
        let (jobseeker, _) = self
            .repository()
            .get::<JobSeeker>(pair.jobseeker_id)
            .await
            .unwrap();
        let (vacancy, _) = self
            .repository()
            .get::<Vacancy>(pair.vacancy_id)
            .await
            .unwrap();
        let make = MakeReferral {
            referral_id,
            jobseeker_id: pair.jobseeker_id,
            vacancy_id: pair.vacancy_id,
            note: None,
            referred_at: context.at,
            vacancy: vacancy.for_referral(),
            jobseeker: jobseeker.for_referral(),
            open_referrals: Vec::new(),
            fair_id: None,
        };
        Writer {
            pair,
            context,
            turn,
            make,
        }
    }

    /// A counsellor's referral of the pair.
    async fn referred(&self, pair: Pair) -> Saved<Referral> {
        self.app()
            .refer(&counsellor(), refer(pair), None)
            .await
            .expect("referred")
    }

    /// The pair's open referrals in the lists, once they have caught up.
    async fn open_referrals_of(&self, pair: Pair) -> Vec<ReferralView> {
        self.app()
            .lists()
            .catch_up(LISTS_WAIT)
            .await
            .expect("the lists catch up");
        let filter = ListFilter {
            vacancy_id: Some(pair.vacancy_id),
            jobseeker_id: Some(pair.jobseeker_id),
            status: Some(ReferralStatus::Open),
        };
        self.app()
            .list(&province(), filter, first_page())
            .await
            .expect("listed")
            .items
    }
}

/// A request between taking its pair's turn and writing its referral.
struct Writer {
    pair: Pair,
    context: EventContext,
    turn: Turn,
    make: MakeReferral,
}

impl Writer {
    fn id(&self) -> ReferralId {
        self.make.referral_id
    }

    /// Goes on: writes its referral on its turn.
    async fn resumes(&self, given: &Given) -> labex_app::Result<Saved<Referral>> {
        given
            .app()
            .pairs()
            .write(
                self.pair,
                &self.turn,
                self.make.clone(),
                &self.context,
                None,
            )
            .await
    }
}

/// The turn grace of [`Given::referrals_with_a_short_grace`].
const GRACE: Duration = Duration::from_secs(1);

fn actor(role: Role, office: &str, employer_id: Option<EmployerId>) -> Actor {
    Actor {
        subject: format!("{}-{office}", role.as_str()),
        role,
        office: DivisionCode::parse(office).expect("a division code"),
        employer_id,
        correlation_id: Uuid::now_v7(),
    }
}

fn counsellor() -> Actor {
    actor(Role::Counsellor, JINSHUI, None)
}

fn province() -> Actor {
    actor(Role::Province, "410000", None)
}

fn employer(employer_id: EmployerId) -> Actor {
    actor(Role::Employer, JINSHUI, Some(employer_id))
}

fn refer(pair: Pair) -> Refer {
    Refer {
        jobseeker_id: pair.jobseeker_id,
        vacancy_id: pair.vacancy_id,
        note: Some(Note::parse("已电话确认面试时间").expect("a note")),
        fair_id: None,
    }
}

fn outcome(outcome: ReferralOutcome) -> RecordReferralOutcome {
    RecordReferralOutcome {
        outcome,
        date: labex_domain::china_date(Utc::now()),
        note: None,
    }
}

fn first_page() -> ListPage {
    ListPage {
        limit: 100,
        after: None,
    }
}

fn key(text: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey::parse(text).expect("a key"))
}

/// The code of a refusal by the domain.
fn refusal_code<T: std::fmt::Debug>(result: labex_app::Result<T>) -> &'static str {
    match result {
        Err(Error::Refused(refused)) => refused.code(),
        other => panic!("a refusal, not {other:?}"),
    }
}

/// The detail of a conflict.
fn conflict_detail<T: std::fmt::Debug>(result: labex_app::Result<T>) -> String {
    match result {
        Err(Error::Conflict { detail }) => detail,
        other => panic!("a conflict, not {other:?}"),
    }
}

#[tokio::test]
async fn a_city_counsellor_refers_a_district_job_seeker_and_the_event_carries_the_job_seekers_office()
 {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let city = actor(Role::Counsellor, "410100", None);

    let saved = given
        .app()
        .refer(&city, refer(pair), None)
        .await
        .expect("referred");

    assert_eq!(saved.revision, 0);
    assert!(saved.state.is_open());
    assert_eq!(
        saved.state.employer_id,
        given.employer_of(pair.vacancy_id).await
    );
    let made = &recorded(given.store.client(), &saved.state.id.stream_name()).await[0];
    assert_eq!(made.event_type, "ReferralMade");
    let metadata = Metadata::from_json(&made.custom_metadata).unwrap();
    assert_eq!(metadata.office.unwrap().as_str(), JINSHUI);
    assert_eq!(metadata.actor, city.subject);
    assert_eq!(metadata.correlation_id, city.correlation_id);
    // The lists hold it once the use case answers, as a read by id shows it.
    let listed = given
        .app()
        .list(&city, ListFilter::default(), first_page())
        .await
        .expect("listed");
    assert_eq!(listed.items, [ReferralView::new(&saved.state, 0)]);
    assert_eq!(given.turns(pair).await, 1);
}

#[tokio::test]
async fn a_second_open_referral_of_a_pair_is_refused_and_writes_nothing() {
    let given = Given::referrals().await;
    let pair = given.a_pair(2).await;
    let first = given.referred(pair).await;

    let second = given.app().refer(&counsellor(), refer(pair), None).await;

    let Err(Error::Refused(refused)) = &second else {
        panic!("a refusal, not {second:?}");
    };
    assert_eq!(refused.code(), "duplicate_open_referral");
    assert!(refused.to_string().contains(&first.state.id.to_string()));
    assert_eq!(given.referral_events().await, 1);
    assert_eq!(given.turns(pair).await, 1, "not even a turn was taken");
}

#[tokio::test]
async fn once_a_referral_has_ended_the_pair_may_be_referred_again() {
    let given = Given::referrals().await;
    let pair = given.a_pair(2).await;
    let first = given.referred(pair).await;
    given
        .app()
        .record_outcome(
            &counsellor(),
            first.state.id,
            outcome(ReferralOutcome::NoShow),
            None,
            None,
        )
        .await
        .expect("concluded");

    let again = given
        .app()
        .refer(&counsellor(), refer(pair), None)
        .await
        .expect("referred again");

    assert_ne!(again.state.id, first.state.id);
    assert_eq!(given.turns(pair).await, 2);
    let open = given.open_referrals_of(pair).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, again.state.id.to_string());
}

#[tokio::test]
async fn a_referral_the_domain_refuses_takes_no_turn() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    given.records.close(pair.vacancy_id).await;

    let refused = given.app().refer(&counsellor(), refer(pair), None).await;

    assert_eq!(refusal_code(refused), "vacancy_not_open");
    assert_eq!(given.turns(pair).await, 0);
    assert_eq!(given.referral_events().await, 0);
}

#[tokio::test]
async fn unknown_job_seekers_and_vacancies_are_named_field_by_field() {
    let given = Given::referrals().await;
    let unknown = Pair {
        jobseeker_id: JobSeekerId::generate(),
        vacancy_id: VacancyId::generate(),
    };

    let refused = given.app().refer(&counsellor(), refer(unknown), None).await;

    let Err(Error::Invalid(fields)) = refused else {
        panic!("invalid fields, not {refused:?}");
    };
    let named: Vec<_> = fields
        .iter()
        .map(|field| (field.field.as_str(), field.code))
        .collect();
    assert_eq!(
        named,
        [
            ("jobseeker_id", "jobseeker.unknown"),
            ("vacancy_id", "vacancy.unknown")
        ]
    );
}

#[tokio::test]
async fn only_office_staff_covering_the_job_seekers_office_refer() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let employer_id = given.employer_of(pair.vacancy_id).await;

    for outsider in [
        employer(employer_id),
        actor(Role::Jobseeker, JINSHUI, None),
        actor(Role::Counsellor, "420100", None),
        actor(Role::OfficeAdmin, "410102", None),
    ] {
        let refused = given.app().refer(&outsider, refer(pair), None).await;
        assert!(
            matches!(refused, Err(Error::Forbidden { .. })),
            "{outsider:?}: {refused:?}"
        );
    }
    assert_eq!(event_count(given.store.client(), Some("referral")).await, 0);

    given
        .app()
        .refer(&province(), refer(pair), None)
        .await
        .expect("the province refers everywhere");
}

#[tokio::test]
async fn a_retry_with_the_same_key_answers_the_first_referral() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let first = given
        .app()
        .refer(&counsellor(), refer(pair), key("refer-1"))
        .await
        .expect("referred");

    let retry = given
        .app()
        .refer(&counsellor(), refer(pair), key("refer-1"))
        .await
        .expect("answered again");

    assert_eq!(
        retry,
        Saved {
            position: retry.position,
            ..first.clone()
        }
    );
    assert_eq!(given.referral_events().await, 1);
    assert_eq!(given.turns(pair).await, 1);
}

#[tokio::test]
async fn an_outcome_concludes_a_referral_once_for_the_job_seekers_office() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let referral = given.referred(pair).await.state.id;
    let city_admin = actor(Role::OfficeAdmin, "410100", None);

    let stale = given
        .app()
        .record_outcome(
            &city_admin,
            referral,
            outcome(ReferralOutcome::Rejected),
            Some(7),
            None,
        )
        .await;
    assert!(matches!(stale, Err(Error::Stale)), "{stale:?}");
    let concluded = given
        .app()
        .record_outcome(
            &city_admin,
            referral,
            outcome(ReferralOutcome::Rejected),
            Some(0),
            None,
        )
        .await
        .expect("concluded");
    let again = given
        .app()
        .record_outcome(
            &city_admin,
            referral,
            outcome(ReferralOutcome::Hired),
            None,
            None,
        )
        .await;

    assert_eq!(concluded.revision, 1);
    assert!(!concluded.state.is_open());
    assert_eq!(refusal_code(again), "referral_already_concluded");
    let events = recorded(given.store.client(), &referral.stream_name()).await;
    assert_eq!(events.len(), 2);
    let metadata = Metadata::from_json(&events[1].custom_metadata).unwrap();
    assert_eq!(
        metadata.office.unwrap().as_str(),
        JINSHUI,
        "the job seeker's office, not the city's"
    );
}

#[tokio::test]
async fn employers_read_the_referrals_to_them_but_record_no_outcomes() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let employer_id = given.employer_of(pair.vacancy_id).await;
    let referral = given.referred(pair).await;
    let id = referral.state.id;

    let read = given
        .app()
        .get(&employer(employer_id), id, None)
        .await
        .expect("the employer reads it");
    let refused = given
        .app()
        .record_outcome(
            &employer(employer_id),
            id,
            outcome(ReferralOutcome::Hired),
            None,
            None,
        )
        .await;
    let elsewhere = given
        .app()
        .get(&employer(EmployerId::generate()), id, None)
        .await;

    assert_eq!(read.state, referral.state);
    let Err(Error::Forbidden { detail, .. }) = refused else {
        panic!("forbidden, not {refused:?}");
    };
    assert!(detail.contains("employment office"), "{detail}");
    assert!(matches!(elsewhere, Err(Error::Forbidden { .. })));
    assert_eq!(given.referral_events().await, 1);
}

#[tokio::test]
async fn a_referral_is_not_found_before_it_was_made_nor_when_it_never_was() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let id = given.referred(pair).await.state.id;

    let before = given
        .app()
        .get(
            &counsellor(),
            id,
            Some("2020-01-01T00:00:00Z".parse().unwrap()),
        )
        .await;
    let never = given
        .app()
        .record_outcome(
            &counsellor(),
            ReferralId::generate(),
            outcome(ReferralOutcome::Hired),
            None,
            None,
        )
        .await;

    assert!(matches!(before, Err(Error::NotFound { .. })), "{before:?}");
    assert!(matches!(never, Err(Error::NotFound { .. })), "{never:?}");
}

#[tokio::test]
async fn a_cursor_the_service_did_not_issue_is_refused() {
    let given = Given::referrals().await;
    let page = ListPage {
        limit: 2,
        after: Some("not-a-key".to_owned()),
    };

    let listed = given
        .app()
        .list(&counsellor(), ListFilter::default(), page)
        .await;

    assert!(matches!(listed, Err(Error::BadCursor)), "{listed:?}");
}

#[tokio::test]
async fn within_its_grace_a_turn_whose_referral_is_not_written_holds_the_pair() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let writer = given.a_writer_with_the_turn(pair).await;

    let meanwhile = given.app().refer(&counsellor(), refer(pair), None).await;

    let detail = conflict_detail(meanwhile);
    assert!(detail.contains("is being made"), "{detail}");
    assert!(detail.contains(&writer.id().to_string()), "{detail}");
    assert_eq!(given.referral_events().await, 0);
    // The writer goes on, and then the pair has its open referral.
    writer.resumes(&given).await.expect("written");
    let after = given.app().refer(&counsellor(), refer(pair), None).await;
    assert_eq!(refusal_code(after), "duplicate_open_referral");
}

#[tokio::test]
async fn a_writer_paused_past_the_grace_is_fenced_off_and_the_pair_keeps_one_open_referral() {
    let given = Given::referrals_with_a_short_grace().await;
    let pair = given.a_pair(1).await;
    let writer = given.a_writer_with_the_turn(pair).await;

    // The writer pauses past the grace; another request takes the pair over.
    tokio::time::sleep(GRACE + Duration::from_millis(200)).await;
    let taken_over = given.referred(pair).await;
    // The late writer resumes and appends without judging again.
    let resumed = writer.resumes(&given).await;

    let detail = conflict_detail(resumed);
    assert!(detail.contains(&writer.id().to_string()), "{detail}");
    assert!(detail.contains("another request"), "{detail}");
    let never = given
        .repository()
        .load::<Referral>(writer.id())
        .await
        .unwrap();
    assert_eq!(never.state, None, "the late referral was never written");
    assert_eq!(given.referral_events().await, 1);
    let open = given.open_referrals_of(pair).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, taken_over.state.id.to_string());
    // Nor is it written by a retry under the same id.
    let retry_turn = given
        .app()
        .pairs()
        .take_turn(pair, writer.id(), &writer.context)
        .await;
    assert_eq!(refusal_code(retry_turn), "duplicate_open_referral");
}

#[tokio::test]
async fn late_writers_racing_the_take_over_of_their_pairs_leave_one_open_referral_each() {
    const PAIRS: usize = 10;
    let given = Given::referrals_with_a_short_grace().await;
    let mut writers = Vec::new();
    for _ in 0..PAIRS {
        let pair = given.a_pair(1).await;
        writers.push((pair, given.a_writer_with_the_turn(pair).await));
    }

    // Every writer pauses past the grace, then resumes while another
    // request takes its pair over: at once, or a little later each, so
    // that the take-over is at every step when the writer appends.
    tokio::time::sleep(GRACE + Duration::from_millis(200)).await;
    let given = &given;
    let races = writers
        .iter()
        .enumerate()
        .map(|(n, (pair, writer))| async move {
            let resume = async {
                tokio::time::sleep(Duration::from_millis(10 * n as u64)).await;
                writer.resumes(given).await
            };
            let counsellor = counsellor();
            let take_over = given.app().refer(&counsellor, refer(*pair), None);
            let (resumed, taken_over) = tokio::join!(resume, take_over);
            (*pair, resumed, taken_over)
        });
    let outcomes = futures::future::join_all(races).await;

    for (pair, resumed, taken_over) in outcomes {
        let written = usize::from(resumed.is_ok()) + usize::from(taken_over.is_ok());
        assert_eq!(written, 1, "one of the two: {resumed:?} / {taken_over:?}");
        if let Err(refused) = &taken_over {
            assert!(
                matches!(refused, Error::Refused(refused) if refused.code() == "duplicate_open_referral"),
                "{refused:?}"
            );
        }
        if let Err(resumed) = &resumed {
            assert!(matches!(resumed, Error::Conflict { .. }), "{resumed:?}");
        }
        assert_eq!(given.open_referrals_of(pair).await.len(), 1);
    }
    assert_eq!(given.referral_events().await, PAIRS);
}

#[tokio::test]
async fn a_write_the_domain_refuses_hands_its_turn_back() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let mut writer = given.a_writer_with_the_turn(pair).await;
    writer.make.vacancy.status = VacancyStatus::Closed;

    let refused = writer.resumes(&given).await;

    assert_eq!(refusal_code(refused), "vacancy_not_open");
    let latest = given
        .repository()
        .latest_turn(&pair.turn_stream())
        .await
        .unwrap()
        .expect("a turn");
    assert_eq!(latest.holder, None, "handed back");
    // So the next request need not wait out the grace.
    given.referred(pair).await;
    assert_eq!(given.referral_events().await, 1);
}

#[tokio::test]
async fn a_hire_recorded_through_the_use_case_employs_the_job_seeker() {
    let given = Given::referrals().await;
    let pair = given.a_pair(1).await;
    let id = given.referred(pair).await.state.id;

    given
        .app()
        .record_outcome(
            &counsellor(),
            id,
            RecordReferralOutcome {
                outcome: ReferralOutcome::Hired,
                date: labex_domain::china_date(Utc::now()),
                note: None,
            },
            None,
            None,
        )
        .await
        .expect("hired");

    // The placement process reacts shortly after.
    for _ in 0..200 {
        let (jobseeker, _) = given
            .repository()
            .get::<JobSeeker>(pair.jobseeker_id)
            .await
            .unwrap();
        let (vacancy, _) = given
            .repository()
            .get::<Vacancy>(pair.vacancy_id)
            .await
            .unwrap();
        if let Some(employment) = jobseeker.employment
            && vacancy.status == VacancyStatus::Filled
        {
            assert_eq!(employment.referral_id, Some(id));
            assert_eq!(vacancy.open_headcount, 0);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the hire never employed the job seeker and filled the vacancy");
}
