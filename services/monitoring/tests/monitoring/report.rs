//! The monthly report's figures of the other programmes — training,
//! households, public-welfare posts, internships, referrals by category,
//! fairs — for a county, its city and the province: the events written
//! through each context's own domain into the real store, the figures
//! read through the use case once the projection has caught up. April
//! 2026 is the month reported; May's events must not count in it.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use labex_app::{Actor, Role};
use labex_domain::course::{
    AppraiseSkill, CertificateLevel, CompleteTraining, Course, CourseCommand, CourseDetails,
    CourseHours, CourseId, CourseKind, EmploymentSource, Enrol, EnrolmentId, OpenCourse,
    RecordTraineeEmployment, Seats,
};
use labex_domain::fair::{Capacity, Fair, FairCommand, FairDetails, FairKind, ScheduleFair};
use labex_domain::household::{
    Address, Cause, DeclareHousehold, DeclaredMember, Household, HouseholdCommand, HouseholdRules,
    RecordMemberEmployed, StabiliseHousehold, VerificationDecision, VerifyHousehold,
};
use labex_domain::internship::{
    AgreeInternship, InternFacts, Internship, InternshipCommand, InternshipId, InternshipRules,
};
use labex_domain::jobseeker::{
    EraseJobSeeker, ErasureGround, JobSeeker, JobSeekerCommand, JobSeekerForReferral,
    JobSeekerProfile, PersonalData, RegisterEmployment, RegisterJobSeeker,
};
use labex_domain::monitoring::Period;
use labex_domain::provider::ProviderId;
use labex_domain::referral::{
    MakeReferral, RecordReferralOutcome, Referral, ReferralCommand, ReferralOutcome,
};
use labex_domain::vacancy::{
    CloseReason, CloseVacancy, PublishVacancy, RecordVacancyPlacement, Vacancy, VacancyCommand,
    VacancyDetails, VacancyForReferral, VacancyStatus,
};
use labex_domain::value::{
    Description, DivisionCode, Education, ExperienceYears, Fen, Headcount, JobSeekerCategory,
    Label, OrganisationName, PersonName, ResidentId, SalaryRange, Title,
};
use labex_domain::welfare::{
    EndWelfarePlacement, StartWelfarePlacement, WelfareCommand, WelfareExitReason,
    WelfarePlacement, WelfarePlacementId, WelfareRules,
};
use labex_domain::{
    Aggregate, EmployerId, FairId, HouseholdId, JobSeekerId, ReferralId, VacancyId,
};
use labex_eventsourcing::{EventContext, ExecuteOptions, Repository};
use labex_monitoring::{FIGURES, Monitoring};
use labex_testkit::{Store, id_number, temporary_folder};

struct App {
    app: Monitoring,
    repository: Repository,
    _store: Store,
    data: tempfile::TempDir,
}

impl App {
    async fn start() -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-monitoring-report-");
        let repository = Repository::new(store.client().clone());
        let app = Monitoring::open(repository.clone(), data.path()).expect("the read model opens");
        Self {
            app,
            repository,
            _store: store,
            data,
        }
    }

    /// Decides `command` on aggregate `id` through its domain and appends.
    async fn given<A: Aggregate>(&self, id: A::Id, command: A::Command, office: &str)
    where
        A::Command: Clone,
    {
        let context = EventContext::for_request(uuid::Uuid::now_v7(), "test", Some(code(office)));
        self.repository
            .execute_with::<A>(id, command, &context, ExecuteOptions::default())
            .await
            .expect("the command is decided and appended");
    }

    /// The figures of `region` for `period`, once the projection has seen
    /// everything written.
    async fn figures(
        &self,
        region: &str,
        period: Period,
    ) -> std::collections::BTreeMap<String, i64> {
        self.app
            .runner()
            .catch_up(Duration::from_secs(20))
            .await
            .expect("the projection catches up");
        self.app
            .monthly_figures(&province(), code(region), period)
            .await
            .expect("the figures are read")
            .figures
    }
}

fn code(text: &str) -> DivisionCode {
    DivisionCode::parse(text).unwrap()
}

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn at(month: u32, day_of_month: u32) -> DateTime<Utc> {
    day(month, day_of_month)
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc()
}

fn april() -> Period {
    Period::of(day(4, 1))
}

fn may() -> Period {
    Period::of(day(5, 1))
}

fn province() -> Actor {
    Actor {
        subject: "province".to_owned(),
        role: Role::Province,
        office: code("410000"),
        employer_id: None,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

/// Asserts `figure` of the county 410105, the city 410100 and the province
/// 410000 for `period`.
async fn assert_figure(app: &App, period: Period, figure: &str, expected: [i64; 3]) {
    let mut found = [0; 3];
    for (slot, region) in found.iter_mut().zip(["410105", "410100", "410000"]) {
        *slot = app.figures(region, period).await[figure];
    }
    assert_eq!(
        found, expected,
        "{figure} of {period} for the county, the city and the province"
    );
}

// ---- training --------------------------------------------------------------

fn course_details(region: &str) -> CourseDetails {
    CourseDetails {
        title: Title::parse("焊工培训班").unwrap(),
        kind: CourseKind::ReEmployment,
        occupation: None,
        description: None,
        hours: CourseHours::parse(240).unwrap(),
        seats: Seats::parse(30).unwrap(),
        starts_on: day(4, 1),
        ends_on: day(6, 30),
        region: code(region),
        subsidy_per_trainee_fen: Fen::parse(150_000).unwrap(),
        eligible_categories: BTreeSet::new(),
        order: None,
    }
}

async fn open_course(app: &App, office: &str) -> CourseId {
    let id = CourseId::generate();
    let command = CourseCommand::Open(OpenCourse {
        course_id: id,
        provider_id: ProviderId::generate(),
        office: code(office),
        details: course_details(office),
        opened_at: at(3, 1),
    });
    app.given::<Course>(id, command, office).await;
    id
}

async fn enrol(app: &App, course: CourseId, office: &str, on: DateTime<Utc>) -> EnrolmentId {
    let id = EnrolmentId::from_uuid(uuid::Uuid::now_v7());
    let command = CourseCommand::Enrol(Enrol {
        enrolment_id: id,
        jobseeker_id: JobSeekerId::generate(),
        categories: BTreeSet::new(),
        enrolled_at: on,
        waiting_list_max: 0,
    });
    app.given::<Course>(course, command, office).await;
    id
}

async fn complete(app: &App, course: CourseId, office: &str, id: EnrolmentId, on: NaiveDate) {
    let command = CourseCommand::Complete(CompleteTraining {
        enrolment_id: id,
        completed_on: on,
    });
    app.given::<Course>(course, command, office).await;
}

async fn appraise(app: &App, course: CourseId, id: EnrolmentId, passed: bool, on: NaiveDate) {
    let command = CourseCommand::Appraise(AppraiseSkill {
        enrolment_id: id,
        level: CertificateLevel::Level5,
        passed,
        appraised_on: on,
    });
    app.given::<Course>(course, command, "410105").await;
}

async fn employed(app: &App, course: CourseId, id: EnrolmentId, on: NaiveDate) {
    let command = CourseCommand::RecordEmployment(RecordTraineeEmployment {
        enrolment_id: id,
        started_on: on,
        employer_id: None,
        source: EmploymentSource::EmploymentRegistration,
        window_months: 6,
    });
    app.given::<Course>(course, command, "410105").await;
}

#[tokio::test]
async fn training_counts_for_the_courses_region_in_the_month_it_happened() {
    let app = App::start().await;
    let here = open_course(&app, "410105").await;
    let elsewhere = open_course(&app, "410305").await;

    let first = enrol(&app, here, "410105", at(4, 2)).await;
    let second = enrol(&app, here, "410105", at(4, 3)).await;
    let third = enrol(&app, here, "410105", at(5, 2)).await;
    let away = enrol(&app, elsewhere, "410305", at(4, 2)).await;

    complete(&app, here, "410105", first, day(4, 20)).await;
    complete(&app, here, "410105", second, day(5, 3)).await;
    complete(&app, elsewhere, "410305", away, day(4, 21)).await;
    appraise(&app, here, first, true, day(4, 25)).await;
    appraise(&app, here, second, false, day(5, 5)).await;
    employed(&app, here, first, day(4, 28)).await;
    employed(&app, here, second, day(5, 10)).await;
    let _ = third;

    assert_figure(&app, april(), "training_enrolments", [2, 2, 3]).await;
    assert_figure(&app, april(), "training_completions", [1, 1, 2]).await;
    assert_figure(&app, april(), "training_appraisals_passed", [1, 1, 1]).await;
    assert_figure(&app, april(), "trainees_employed", [1, 1, 1]).await;
    assert_figure(&app, may(), "training_enrolments", [1, 1, 1]).await;
    assert_figure(&app, may(), "training_completions", [1, 1, 1]).await;
    assert_figure(&app, may(), "training_appraisals_passed", [0, 0, 0]).await;
    assert_figure(&app, may(), "trainees_employed", [1, 1, 1]).await;

    // A submission carries the new figures; a later one shows what changed.
    app.figures("410105", april()).await;
    let first = app
        .app
        .submit_monthly_report(&province(), code("410105"), april())
        .await
        .expect("the month is submitted");
    assert_eq!(first.state.figures["training_enrolments"], 2);
    enrol(&app, here, "410105", at(4, 29)).await;
    app.figures("410105", april()).await;
    let second = app
        .app
        .submit_monthly_report(&province(), code("410105"), april())
        .await
        .expect("the month is submitted again");
    assert_eq!(second.state.submissions, 2);
    let difference = &second.state.differences["training_enrolments"];
    assert_eq!((difference.before, difference.after), (2, 3));
    assert_eq!(second.state.differences.len(), 1, "nothing else changed");
}

#[tokio::test]
async fn a_read_model_of_an_older_version_is_rebuilt_from_the_store() {
    let mut app = App::start().await;
    let course = open_course(&app, "410105").await;
    enrol(&app, course, "410105", at(4, 2)).await;
    assert_eq!(
        app.figures("410105", april()).await["training_enrolments"],
        1
    );
    app.app.runner().stop().await;

    // The tables as the version before left them: no courses, no tallies.
    let file = app.data.path().join("readmodel.sqlite");
    let connection = rusqlite::Connection::open(&file).unwrap();
    connection
        .execute_batch(
            "UPDATE monitoring_version SET version = 1;
             DROP TABLE courses; DELETE FROM facts;",
        )
        .unwrap();
    drop(connection);

    app.app = Monitoring::open(app.repository.clone(), app.data.path()).expect("it reopens");
    assert_eq!(
        app.figures("410105", april()).await["training_enrolments"],
        1,
        "rebuilt from the store"
    );
    let version: u32 = app
        .app
        .read_model()
        .read(|connection| {
            connection.query_row("SELECT version FROM monitoring_version", [], |row| {
                row.get(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(version, labex_monitoring::read_model::VERSION);
}

// ---- households ------------------------------------------------------------

const ADDRESS: &str = "金水区文化路 12 号院 3 号楼 201";

async fn declare(app: &App, office: &str, on: NaiveDate) -> (HouseholdId, JobSeekerId) {
    let id = HouseholdId::generate();
    let member = JobSeekerId::generate();
    let command = HouseholdCommand::Declare(DeclareHousehold {
        household_id: id,
        office: code(office),
        address: Address::parse(ADDRESS).unwrap(),
        members: vec![DeclaredMember {
            jobseeker_id: member,
            employed: false,
        }],
        declared_on: on,
        today: on,
        rules: HouseholdRules::default(),
    });
    app.given::<Household>(id, command, office).await;
    (id, member)
}

async fn verify(app: &App, id: HouseholdId, office: &str, on: NaiveDate) {
    let command = HouseholdCommand::Verify(VerifyHousehold {
        decision: VerificationDecision::Verified,
        decided_on: on,
        note: None,
        rules: HouseholdRules::default(),
    });
    app.given::<Household>(id, command, office).await;
}

async fn member_employed(app: &App, id: HouseholdId, member: JobSeekerId, on: NaiveDate) {
    let command = HouseholdCommand::RecordMemberEmployed(RecordMemberEmployed {
        jobseeker_id: member,
        started_on: on,
        cause: Cause {
            event_id: uuid::Uuid::now_v7(),
            event_type: "EmploymentRegistered".to_owned(),
        },
        rules: HouseholdRules::default(),
    });
    app.given::<Household>(id, command, "410105").await;
}

#[tokio::test]
async fn households_stand_by_status_at_the_months_end_and_clearances_count_in_their_month() {
    let app = App::start().await;
    let (cleared, cleared_member) = declare(&app, "410105", day(4, 1)).await;
    verify(&app, cleared, "410105", day(4, 5)).await;
    member_employed(&app, cleared, cleared_member, day(4, 20)).await;

    let (later, later_member) = declare(&app, "410105", day(4, 2)).await;
    verify(&app, later, "410105", day(4, 10)).await;
    member_employed(&app, later, later_member, day(5, 6)).await;

    let (pending, _) = declare(&app, "410105", day(4, 25)).await;
    verify(&app, pending, "410105", day(5, 2)).await;

    let (elsewhere, _) = declare(&app, "410305", day(4, 3)).await;
    verify(&app, elsewhere, "410305", day(4, 6)).await;

    assert_figure(&app, april(), "households_declared", [1, 1, 1]).await;
    assert_figure(&app, april(), "households_registered", [1, 1, 2]).await;
    assert_figure(&app, april(), "households_cleared", [1, 1, 1]).await;
    assert_figure(&app, april(), "households_stabilised", [0, 0, 0]).await;
    assert_figure(&app, april(), "households_cleared_in_month", [1, 1, 1]).await;
    assert_figure(&app, may(), "households_declared", [0, 0, 0]).await;
    assert_figure(&app, may(), "households_registered", [1, 1, 2]).await;
    assert_figure(&app, may(), "households_cleared", [2, 2, 2]).await;
    assert_figure(&app, may(), "households_cleared_in_month", [1, 1, 1]).await;

    // Six months after clearing (the default rules) it counts as stable,
    // from the day the period ends.
    app.given::<Household>(
        cleared,
        HouseholdCommand::Stabilise(StabiliseHousehold { today: day(11, 1) }),
        "410105",
    )
    .await;
    let september = Period::of(day(9, 1));
    let october = Period::of(day(10, 1));
    assert_figure(&app, september, "households_stabilised", [0, 0, 0]).await;
    assert_figure(&app, september, "households_cleared", [2, 2, 2]).await;
    assert_figure(&app, october, "households_stabilised", [1, 1, 1]).await;
    assert_figure(&app, october, "households_cleared", [1, 1, 1]).await;
    assert_figure(&app, october, "households_cleared_in_month", [0, 0, 0]).await;

    let kept: Vec<String> = app
        .app
        .read_model()
        .read(|connection| {
            let mut statement = connection.prepare("SELECT state FROM households")?;
            let rows = statement.query_map([], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()
        })
        .await
        .unwrap();
    assert_eq!(kept.len(), 4);
    for state in kept {
        assert!(!state.contains("文化路"), "no address is kept: {state}");
        assert!(
            state.contains("\"members\":[]"),
            "no members are kept: {state}"
        );
    }
}

// ---- welfare posts, internships, referrals by category, fairs --------------

async fn jobseeker(
    app: &App,
    n: u64,
    office: &str,
    categories: &[JobSeekerCategory],
) -> JobSeekerId {
    let id = JobSeekerId::generate();
    let command = JobSeekerCommand::Register(RegisterJobSeeker {
        jobseeker_id: id,
        personal: PersonalData {
            name: PersonName::parse("王芳").unwrap(),
            id_number: ResidentId::parse(&id_number(8_000 + n)).unwrap(),
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
        office: code(office),
        registered_on: day(3, 1),
    });
    app.given::<JobSeeker>(id, command, office).await;
    id
}

/// A referral of `jobseeker` made at `made`, hired on `hired` when given.
async fn refer(
    app: &App,
    jobseeker: JobSeekerId,
    categories: &[JobSeekerCategory],
    fair: Option<FairId>,
    made: DateTime<Utc>,
    hired: Option<NaiveDate>,
) {
    let id = ReferralId::generate();
    let command = ReferralCommand::Make(MakeReferral {
        referral_id: id,
        jobseeker_id: jobseeker,
        vacancy_id: VacancyId::generate(),
        note: None,
        referred_at: made,
        vacancy: VacancyForReferral {
            status: VacancyStatus::Open,
            employer_id: EmployerId::generate(),
            public_welfare: false,
            closes_at: None,
        },
        jobseeker: JobSeekerForReferral {
            categories: categories.iter().copied().collect(),
        },
        open_referrals: Vec::new(),
        fair_id: fair,
    });
    app.given::<Referral>(id, command, "410105").await;
    if let Some(on) = hired {
        let command = ReferralCommand::RecordOutcome(RecordReferralOutcome {
            outcome: ReferralOutcome::Hired,
            date: on,
            note: None,
        });
        app.given::<Referral>(id, command, "410105").await;
    }
}

async fn schedule_fair(app: &App, region: &str, starts: DateTime<Utc>) -> FairId {
    let id = FairId::generate();
    let command = FairCommand::Schedule(ScheduleFair {
        fair_id: id,
        office: code(region),
        details: FairDetails {
            title: Title::parse("春风行动专场招聘会").unwrap(),
            kind: FairKind::Onsite,
            audience: BTreeSet::new(),
            region: code(region),
            venue: Some(Title::parse("人力资源市场一楼大厅").unwrap()),
            link: None,
            starts_at: starts,
            ends_at: starts + chrono::Duration::hours(6),
            capacity: Capacity::parse(500).unwrap(),
            campaign: None,
        },
        now: at(3, 1),
    });
    app.given::<Fair>(id, command, region).await;
    id
}

async fn welfare_placement(app: &App, office: &str, started: NaiveDate) -> WelfarePlacementId {
    let id = WelfarePlacementId::generate();
    let command = WelfareCommand::Start(StartWelfarePlacement {
        placement_id: id,
        jobseeker_id: JobSeekerId::generate(),
        vacancy_id: VacancyId::generate(),
        employer_id: EmployerId::generate(),
        referral_id: ReferralId::generate(),
        office: code(office),
        started_on: started,
        post_minimum_salary_yuan: 2_500,
        rules: WelfareRules::default(),
    });
    app.given::<WelfarePlacement>(id, command, office).await;
    id
}

async fn internship(app: &App, office: &str) -> (InternshipId, EmployerId) {
    let id = InternshipId::generate();
    let host = EmployerId::generate();
    let command = InternshipCommand::Agree(AgreeInternship {
        internship_id: id,
        jobseeker_id: JobSeekerId::generate(),
        intern: InternFacts {
            graduate: true,
            registered_unemployed: false,
            age: 22,
        },
        employer_id: host,
        office: code(office),
        months: 3,
        monthly_subsidy_fen: 150_000,
        tutor: PersonName::parse("李强").unwrap(),
        rules: InternshipRules::default(),
    });
    app.given::<Internship>(id, command, office).await;
    (id, host)
}

#[tokio::test]
async fn placements_internships_referrals_by_category_and_fairs_count_in_their_month_and_region() {
    let app = App::start().await;
    use JobSeekerCategory::{Graduate, LaidOff, MigrantWorker};

    // Referrals and hires by the job seeker's categories, for their office.
    let graduate = jobseeker(&app, 1, "410105", &[Graduate]).await;
    let laid_off_migrant = jobseeker(&app, 2, "410105", &[LaidOff, MigrantWorker]).await;
    let graduate_elsewhere = jobseeker(&app, 3, "410305", &[Graduate]).await;
    let fair_here = schedule_fair(&app, "410105", at(4, 18)).await;
    let _fair_in_may = schedule_fair(&app, "410105", at(5, 16)).await;
    let _fair_elsewhere = schedule_fair(&app, "410305", at(4, 11)).await;
    refer(
        &app,
        graduate,
        &[Graduate],
        Some(fair_here),
        at(4, 18),
        Some(day(4, 25)),
    )
    .await;
    refer(
        &app,
        laid_off_migrant,
        &[LaidOff, MigrantWorker],
        None,
        at(4, 8),
        None,
    )
    .await;
    refer(
        &app,
        laid_off_migrant,
        &[LaidOff, MigrantWorker],
        None,
        at(4, 28),
        Some(day(5, 4)),
    )
    .await;
    refer(
        &app,
        graduate_elsewhere,
        &[Graduate],
        None,
        at(4, 9),
        Some(day(4, 19)),
    )
    .await;
    refer(&app, graduate, &[Graduate], None, at(5, 3), None).await;

    assert_figure(&app, april(), "referrals", [3, 3, 4]).await;
    assert_figure(&app, april(), "referrals_graduate", [1, 1, 2]).await;
    assert_figure(&app, april(), "referrals_laid_off", [2, 2, 2]).await;
    assert_figure(&app, april(), "referrals_migrant_worker", [2, 2, 2]).await;
    assert_figure(&app, april(), "hires_graduate", [1, 1, 2]).await;
    assert_figure(&app, april(), "hires_laid_off", [0, 0, 0]).await;
    assert_figure(&app, may(), "referrals_graduate", [1, 1, 1]).await;
    assert_figure(&app, may(), "hires_laid_off", [1, 1, 1]).await;
    assert_figure(&app, may(), "hires_migrant_worker", [1, 1, 1]).await;
    assert_figure(&app, april(), "fairs_held", [1, 1, 2]).await;
    assert_figure(&app, april(), "fair_hires", [1, 1, 1]).await;
    assert_figure(&app, may(), "fairs_held", [1, 1, 1]).await;
    assert_figure(&app, may(), "fair_hires", [0, 0, 0]).await;

    // An erased person's categories are forgotten: what was counted stays,
    // a later referral counts in no category.
    app.given::<JobSeeker>(
        laid_off_migrant,
        JobSeekerCommand::Erase(EraseJobSeeker {
            ground: ErasureGround::ConsentWithdrawn,
            erased_at: at(4, 29),
        }),
        "410105",
    )
    .await;
    refer(&app, laid_off_migrant, &[], None, at(4, 30), None).await;
    assert_figure(&app, april(), "referrals", [4, 4, 5]).await;
    assert_figure(&app, april(), "referrals_laid_off", [2, 2, 2]).await;

    // Public-welfare placements: started, ended early or at the end of
    // their subsidised period.
    let early = welfare_placement(&app, "410105", day(4, 1)).await;
    let _later = welfare_placement(&app, "410105", day(5, 6)).await;
    let _elsewhere = welfare_placement(&app, "410305", day(4, 2)).await;
    app.given::<WelfarePlacement>(
        early,
        WelfareCommand::End(EndWelfarePlacement {
            reason: WelfareExitReason::MovedToRegularJob,
            ended_on: day(4, 30),
            note: None,
        }),
        "410105",
    )
    .await;
    assert_figure(&app, april(), "welfare_placements_started", [1, 1, 2]).await;
    assert_figure(&app, april(), "welfare_placements_ended", [1, 1, 1]).await;
    assert_figure(&app, may(), "welfare_placements_started", [1, 1, 1]).await;
    assert_figure(&app, may(), "welfare_placements_ended", [0, 0, 0]).await;
    let period_over = Period::of(NaiveDate::from_ymd_opt(2029, 4, 1).unwrap());
    assert_eq!(
        app.figures("410000", period_over).await["welfare_placements_ended"],
        1,
        "the placement in 410305 ends with its 36 subsidised months"
    );

    // Internships: started, completed, retained by the host.
    let (kept, host) = internship(&app, "410105").await;
    let (other, _) = internship(&app, "410305").await;
    app.given::<Internship>(kept, InternshipCommand::Start { on: day(1, 5) }, "410105")
        .await;
    app.given::<Internship>(other, InternshipCommand::Start { on: day(4, 7) }, "410305")
        .await;
    app.given::<Internship>(
        kept,
        InternshipCommand::Complete { on: day(4, 4) },
        "410105",
    )
    .await;
    app.given::<Internship>(
        kept,
        InternshipCommand::RecordEmployment {
            employer_id: host,
            started_on: day(5, 1),
            cause: Cause {
                event_id: uuid::Uuid::now_v7(),
                event_type: "ReferralOutcomeRecorded".to_owned(),
            },
        },
        "410105",
    )
    .await;
    assert_figure(&app, april(), "internships_started", [0, 0, 1]).await;
    assert_figure(&app, april(), "internships_completed", [1, 1, 1]).await;
    assert_figure(&app, april(), "interns_retained", [0, 0, 0]).await;
    assert_figure(&app, may(), "interns_retained", [1, 1, 1]).await;

    // Every figure is in the report, and so in a submission.
    let figures = app.figures("410105", april()).await;
    for name in FIGURES {
        assert!(figures.contains_key(name), "{name} is reported");
    }
    assert_eq!(figures.len(), FIGURES.len());
}

// ---- open vacancies per job seeker (求人倍率) ------------------------------

/// A vacancy for `headcount` people in `region`, published now.
async fn publish(app: &App, region: &str, headcount: u32) -> VacancyId {
    let id = VacancyId::generate();
    let command = VacancyCommand::Publish(PublishVacancy {
        vacancy_id: id,
        employer_id: EmployerId::generate(),
        details: VacancyDetails {
            title: Title::parse("数控车床操作工").unwrap(),
            description: Description::parse("操作数控车床，两班倒。").unwrap(),
            occupation: Label::parse("机械加工").unwrap(),
            occupation_code: None,
            region: code(region),
            salary: SalaryRange::parse(4500, 6500).unwrap(),
            headcount: Headcount::parse(i64::from(headcount)).unwrap(),
            education: Education::JuniorSecondary,
            experience_years: ExperienceYears::parse(0).unwrap(),
            welcomes: BTreeSet::new(),
            public_welfare: false,
            closes_at: None,
        },
        published_at: Utc::now(),
    });
    app.given::<Vacancy>(id, command, region).await;
    id
}

#[tokio::test]
async fn open_vacancies_per_job_seeker_stand_at_the_months_end() {
    let app = App::start().await;
    let today = labex_domain::china_date(Utc::now());
    let this_month = Period::of(today);
    let mut seekers = Vec::new();
    for n in 0..4 {
        seekers.push(jobseeker(&app, 900 + n, "410105", &[]).await);
    }
    let employed = JobSeekerCommand::RegisterEmployment(RegisterEmployment {
        started_on: today,
        employer_id: None,
        employer_name: Some(OrganisationName::parse("郑州市金水区某超市").unwrap()),
        note: None,
    });
    app.given::<JobSeeker>(seekers[0], employed, "410105").await;
    let kept = publish(&app, "410105", 3).await;
    let withdrawn = publish(&app, "410102", 5).await;
    assert_figure(&app, this_month, "open_vacancies", [3, 8, 8]).await;
    let hired = VacancyCommand::RecordPlacement(RecordVacancyPlacement {
        referral_id: ReferralId::generate(),
        jobseeker_id: seekers[1],
        hired_on: today,
    });
    app.given::<Vacancy>(kept, hired, "410105").await;
    let close = VacancyCommand::Close(CloseVacancy {
        reason: CloseReason::Withdrawn,
        note: None,
    });
    app.given::<Vacancy>(withdrawn, close, "410102").await;
    assert_figure(&app, this_month, "open_vacancies", [2, 2, 2]).await;
    assert_figure(&app, this_month, "jobseekers_seeking", [3, 3, 3]).await;
    assert_figure(
        &app,
        this_month,
        "vacancies_per_100_jobseekers",
        [66, 66, 66],
    )
    .await;
    assert_figure(
        &app,
        this_month.plus(-1),
        "vacancies_per_100_jobseekers",
        [0, 0, 0],
    )
    .await;
    assert!(FIGURES.contains(&"vacancies_per_100_jobseekers"));
}
