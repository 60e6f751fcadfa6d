//! The ventures use cases, called as the handlers call them but without
//! HTTP, against the real store: given what happened, when an actor asks,
//! then what the use case answers and what the project search makes of it.

use chrono::NaiveDate;
use labex_app::{Actor, Error, ListPage, Role};
use labex_domain::JobSeekerId;
use labex_domain::loan::{LoanId, LoanStatus, Repayment, ReviewDecision};
use labex_domain::value::{DivisionCode, Fen, JobSeekerCategory, OrganisationName};
use labex_domain::venture_case::CaseStage;
use labex_domain::venture_project::VentureProjectId;
use labex_eventsourcing::Repository;
use labex_testkit::{Store, temporary_folder};
use labex_ventures::case_list::{CaseQuery, ListedCase};
use labex_ventures::loan_list::{ListedLoan, LoanQuery};
use labex_ventures::read_model::{self, ProjectQuery};
use labex_ventures::{BusinessBody, CaseChange, LoanBody, LoanChange, ProjectBody, Ventures};
use serde_json::{Value, json};

use crate::fixtures::{jobseeker, jobseeker_in, loan_body, project_body};

struct App {
    app: Ventures,
    repository: Repository,
    _store: Store,
    _data: tempfile::TempDir,
}

impl App {
    /// The application, with `rules` as its rules file when given.
    async fn start(rules: Option<Value>) -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-ventures-usecases-");
        if let Some(rules) = rules {
            std::fs::write(data.path().join("rules.json"), rules.to_string()).unwrap();
        }
        let repository = Repository::new(store.client().clone());
        let app = Ventures::open(repository.clone(), data.path()).expect("the read model opens");
        Self {
            app,
            repository,
            _store: store,
            _data: data,
        }
    }

    async fn project(&self, body: Value) -> VentureProjectId {
        let body: ProjectBody = serde_json::from_value(body).unwrap();
        self.app
            .list_project(&staff("410105"), body.parse().unwrap(), None)
            .await
            .expect("the project is listed")
            .state
            .id
    }

    async fn search(&self, query: ProjectQuery) -> Vec<String> {
        let (total, found) = self.app.search_projects(query).await.unwrap();
        assert_eq!(total as usize, found.len(), "one page holds them all");
        found.into_iter().map(|found| found.title).collect()
    }

    async fn apply(&self, actor: &Actor, body: Value) -> Result<LoanId, Error> {
        let body: LoanBody = serde_json::from_value(body).unwrap();
        self.app
            .apply_for_loan(actor, body.parse().unwrap(), None)
            .await
            .map(|saved| saved.state.id)
    }

    /// Every loan `actor` lists with `query`, paging two at a time.
    async fn all_loans(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        query: LoanQuery,
    ) -> Result<Vec<ListedLoan>, Error> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = ListPage { limit: 2, after };
            let listed = self
                .app
                .list_loans(actor, office.clone(), query.clone(), page)
                .await?;
            all.extend(listed.items);
            match listed.next {
                Some(next) => after = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// Every case `actor` lists with `query`, paging two at a time.
    async fn all_cases(
        &self,
        actor: &Actor,
        office: Option<DivisionCode>,
        query: CaseQuery,
    ) -> Result<Vec<ListedCase>, Error> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = ListPage { limit: 2, after };
            let listed = self
                .app
                .list_cases(actor, office.clone(), query.clone(), page)
                .await?;
            all.extend(listed.items);
            match listed.next {
                Some(next) => after = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// A loan of `amount_fen` applied for, approved, guaranteed and
    /// disbursed on 2026-01-01 at 3.85 %.
    async fn disbursed(&self, borrower: JobSeekerId, amount_fen: i64) -> LoanId {
        let counsellor = staff("410105");
        let id = self
            .apply(&counsellor, loan_body(&borrower.to_string(), amount_fen))
            .await
            .expect("the application is within the cap");
        for change in [
            LoanChange::Review(ReviewDecision::Approved, day("2025-12-10")),
            LoanChange::Guarantee(
                OrganisationName::parse("郑州市小额担保贷款担保基金").unwrap(),
                day("2025-12-20"),
            ),
            LoanChange::Disburse(day("2026-01-01"), 385),
        ] {
            self.app
                .change_loan(&counsellor, id, change)
                .await
                .expect("the loan moves on");
        }
        id
    }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn fen(amount: i64) -> Fen {
    Fen::parse(amount).unwrap()
}

fn actor(role: Role, office: &str, subject: &str) -> Actor {
    Actor {
        subject: subject.to_owned(),
        role,
        office: DivisionCode::parse(office).unwrap(),
        employer_id: None,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

fn staff(office: &str) -> Actor {
    actor(Role::Counsellor, office, "counsellor-7")
}

fn person(id: JobSeekerId) -> Actor {
    actor(Role::Jobseeker, "410105", &id.to_string())
}

fn refusal_code(error: Error) -> String {
    match error {
        Error::Refused(refused) => refused.code().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn query() -> ProjectQuery {
    ProjectQuery {
        limit: 50,
        ..ProjectQuery::default()
    }
}

#[tokio::test]
async fn projects_are_found_by_their_chinese_words_and_filtered_by_industry_investment_and_region()
{
    let app = App::start(None).await;
    app.project(project_body(
        "社区生鲜超市加盟",
        "零售",
        50_000,
        150_000,
        "410105",
    ))
    .await;
    app.project(project_body(
        "特色小吃早餐店",
        "餐饮",
        20_000,
        60_000,
        "410105",
    ))
    .await;
    app.project(project_body(
        "乡村民宿改造",
        "住宿",
        200_000,
        800_000,
        "410122",
    ))
    .await;
    app.project(project_body(
        "家政服务连锁门店",
        "居民服务",
        30_000,
        80_000,
        "420102",
    ))
    .await;

    let found = app
        .search(ProjectQuery {
            words: read_model::words("早餐"),
            ..query()
        })
        .await;
    assert_eq!(found, ["特色小吃早餐店"]);
    // One character finds the titles that hold it (their n-grams).
    let found = app
        .search(ProjectQuery {
            words: read_model::words("宿"),
            ..query()
        })
        .await;
    assert_eq!(found, ["乡村民宿改造"]);
    let found = app
        .search(ProjectQuery {
            words: read_model::words("返乡创业"),
            region_prefix: Some("4101".to_owned()),
            ..query()
        })
        .await;
    assert_eq!(
        found.len(),
        3,
        "the description's words, within 郑州: {found:?}"
    );
    let found = app
        .search(ProjectQuery {
            industry: Some("住宿".to_owned()),
            ..query()
        })
        .await;
    assert_eq!(found, ["乡村民宿改造"]);
    let found = app
        .search(ProjectQuery {
            budget_yuan: Some(40_000),
            ..query()
        })
        .await;
    assert_eq!(
        found,
        ["家政服务连锁门店", "特色小吃早餐店"],
        "those startable with 40,000 yuan, newest first"
    );
    let found = app
        .search(ProjectQuery {
            investment_at_least_yuan: Some(500_000),
            ..query()
        })
        .await;
    assert_eq!(found, ["乡村民宿改造"]);
}

#[tokio::test]
async fn a_withdrawn_project_is_no_longer_found_and_only_staff_in_scope_withdraw() {
    let app = App::start(None).await;
    let id = app
        .project(project_body(
            "电商直播带货工作室",
            "电子商务",
            10_000,
            50_000,
            "410105",
        ))
        .await;
    let refused = app.app.withdraw_project(&staff("420102"), id).await;
    assert!(matches!(refused, Err(Error::Forbidden { .. })));
    let body: ProjectBody =
        serde_json::from_value(project_body("奶茶店", "餐饮", 1, 2, "410105")).unwrap();
    let refused = app
        .app
        .list_project(
            &actor(Role::Jobseeker, "410105", "someone"),
            body.parse().unwrap(),
            None,
        )
        .await;
    assert!(matches!(refused, Err(Error::Forbidden { .. })));

    let saved = app
        .app
        .withdraw_project(&staff("410100"), id)
        .await
        .unwrap();
    assert!(saved.state.withdrawn);
    let found = app
        .search(ProjectQuery {
            words: read_model::words("直播"),
            ..query()
        })
        .await;
    assert!(found.is_empty(), "withdrawn: {found:?}");
    let again = app
        .app
        .withdraw_project(&staff("410105"), id)
        .await
        .unwrap();
    assert_eq!(
        again.revision, saved.revision,
        "withdrawn once: a retry writes nothing"
    );
}

#[tokio::test]
async fn a_loan_is_repaid_early_by_instalments_with_the_interest_split_by_the_rules() {
    let app = App::start(Some(
        json!({ "rules": { "loans": { "treasury_interest_share_percent": 60 } } }),
    ))
    .await;
    let borrower = jobseeker(&app.repository, 1, "410105").await;
    let id = app.disbursed(borrower, 10_000_000).await;
    let counsellor = staff("410105");

    let saved = app
        .app
        .change_loan(
            &counsellor,
            id,
            LoanChange::Repay(fen(5_000_000), day("2026-07-01")),
        )
        .await
        .unwrap();
    let first = &saved.state.instalments[0];
    // 10,000,000 fen at 3.85 % for 181 days: 190,917.8 → 190,918 fen.
    assert_eq!(first.interest_fen, fen(190_918));
    assert_eq!(first.treasury_interest_fen, fen(114_551));
    assert_eq!(first.borrower_interest_fen, fen(76_367));
    assert_eq!(saved.state.outstanding_fen, fen(5_000_000));
    assert_eq!(saved.state.status, LoanStatus::Disbursed);

    let too_much = app
        .app
        .change_loan(
            &counsellor,
            id,
            LoanChange::Repay(fen(5_000_001), day("2026-08-01")),
        )
        .await;
    assert_eq!(refusal_code(too_much.unwrap_err()), "repayment_amount");

    let saved = app
        .app
        .change_loan(
            &counsellor,
            id,
            LoanChange::Repay(fen(5_000_000), day("2027-01-01")),
        )
        .await
        .unwrap();
    // 5,000,000 fen for 184 days: 97,041.1 → 97,041 fen.
    assert_eq!(saved.state.instalments[1].interest_fen, fen(97_041));
    assert_eq!(
        saved.state.instalments[1].treasury_interest_fen,
        fen(58_225)
    );
    assert_eq!(saved.state.status, LoanStatus::Repaid);
    assert_eq!(saved.state.repaid, Some(Repayment::Early));
    assert_eq!(saved.state.closed_on, Some(day("2027-01-01")));
}

#[tokio::test]
async fn a_defaulted_loan_records_the_guarantee_funds_payout() {
    let app = App::start(None).await;
    let borrower = jobseeker(&app.repository, 2, "410105").await;
    let id = app.disbursed(borrower, 5_000_000).await;
    let counsellor = staff("410105");
    app.app
        .change_loan(
            &counsellor,
            id,
            LoanChange::Repay(fen(1_000_000), day("2026-04-01")),
        )
        .await
        .unwrap();
    let above = app
        .app
        .change_loan(
            &counsellor,
            id,
            LoanChange::Default(fen(4_000_001), day("2026-10-01")),
        )
        .await;
    assert_eq!(refusal_code(above.unwrap_err()), "payout_above_outstanding");
    let saved = app
        .app
        .change_loan(
            &counsellor,
            id,
            LoanChange::Default(fen(4_000_000), day("2026-10-01")),
        )
        .await
        .unwrap();
    assert_eq!(saved.state.status, LoanStatus::Defaulted);
    assert_eq!(saved.state.guarantee_payout_fen, Some(fen(4_000_000)));
    let after = app
        .app
        .change_loan(
            &counsellor,
            id,
            LoanChange::Repay(fen(100), day("2026-11-01")),
        )
        .await;
    assert_eq!(refusal_code(after.unwrap_err()), "loan_status");
}

#[tokio::test]
async fn the_cap_is_the_provinces_unless_an_office_sets_its_own() {
    let rules = json!({
        "rules": { "loans": { "cap_fen": 10_000_000 } },
        "offices": { "410100": { "loans": { "cap_fen": 5_000_000 } } },
    });
    let app = App::start(Some(rules)).await;
    let in_zhengzhou = jobseeker(&app.repository, 3, "410105").await;
    let in_kaifeng = jobseeker(&app.repository, 4, "410202").await;

    let above = app
        .apply(
            &staff("410105"),
            loan_body(&in_zhengzhou.to_string(), 5_000_001),
        )
        .await;
    assert_eq!(refusal_code(above.unwrap_err()), "loan_above_cap");
    app.apply(
        &person(in_zhengzhou),
        loan_body(&in_zhengzhou.to_string(), 5_000_000),
    )
    .await
    .expect("the borrower applies themself, at the office's cap");
    app.apply(
        &staff("410200"),
        loan_body(&in_kaifeng.to_string(), 10_000_000),
    )
    .await
    .expect("the province's cap holds in 开封");
    let above = app
        .apply(
            &staff("410200"),
            loan_body(&in_kaifeng.to_string(), 10_000_001),
        )
        .await;
    assert_eq!(refusal_code(above.unwrap_err()), "loan_above_cap");
}

#[tokio::test]
async fn a_loan_is_seen_by_its_borrower_and_staff_in_scope_only() {
    let app = App::start(None).await;
    let borrower = jobseeker(&app.repository, 5, "410105").await;
    let other = jobseeker(&app.repository, 6, "410105").await;
    let id = app
        .apply(
            &person(borrower),
            loan_body(&borrower.to_string(), 3_000_000),
        )
        .await
        .unwrap();
    for allowed in [
        person(borrower),
        staff("410105"),
        staff("410100"),
        actor(Role::Province, "410000", "p"),
    ] {
        let saved = app.app.get_loan(&allowed, id).await.expect("may see it");
        assert_eq!(saved.state.borrower, borrower);
    }
    for refused in [
        person(other),
        staff("420102"),
        actor(Role::Employer, "410105", "e"),
    ] {
        let answer = app.app.get_loan(&refused, id).await;
        assert!(
            matches!(answer, Err(Error::Forbidden { .. })),
            "{:?}",
            refused.role
        );
    }
    let by_borrower = app
        .app
        .change_loan(
            &person(borrower),
            id,
            LoanChange::Review(ReviewDecision::Approved, day("2026-01-02")),
        )
        .await;
    assert!(
        matches!(by_borrower, Err(Error::Forbidden { .. })),
        "a borrower does not review"
    );
    let for_another = app
        .apply(&person(other), loan_body(&borrower.to_string(), 1_000))
        .await;
    assert!(matches!(for_another, Err(Error::Forbidden { .. })));
}

#[tokio::test]
async fn a_case_goes_from_consultation_to_a_started_business_followed_up() {
    let app = App::start(Some(
        json!({ "rules": { "cases": { "follow_up_months": 6 } } }),
    ))
    .await;
    let founder = jobseeker(&app.repository, 7, "410105").await;
    let counsellor = staff("410105");
    let case = app
        .app
        .open_case(&counsellor, founder, day("2026-02-01"), None)
        .await
        .unwrap()
        .state
        .id;
    for (stage, on) in [
        (CaseStage::Training, "2026-02-15"),
        (CaseStage::BusinessPlan, "2026-03-01"),
        (CaseStage::Financing, "2026-03-20"),
    ] {
        app.app
            .change_case(&counsellor, case, CaseChange::Advance(stage, day(on)))
            .await
            .expect("a later stage");
    }
    let back = app
        .app
        .change_case(
            &counsellor,
            case,
            CaseChange::Advance(CaseStage::RiskAssessment, day("2026-03-21")),
        )
        .await;
    assert!(back.is_err(), "a case moves forward only");
    let body: BusinessBody = serde_json::from_value(json!({
        "name": "郑州市金水区张记早餐店",
        "credit_code": labex_testkit::credit_code(77),
        "started_on": "2026-04-01",
    }))
    .unwrap();
    let saved = app
        .app
        .change_case(&counsellor, case, CaseChange::Start(body.parse().unwrap()))
        .await
        .unwrap();
    let business = saved.state.business.as_ref().expect("started");
    assert_eq!(
        business.follow_up_until,
        day("2026-10-01"),
        "the rules' 6 months"
    );
    app.app
        .change_case(
            &counsellor,
            case,
            CaseChange::FollowUp {
                on: day("2026-07-01"),
                operating: true,
                employees: 3,
            },
        )
        .await
        .unwrap();
    let late = app
        .app
        .change_case(
            &counsellor,
            case,
            CaseChange::FollowUp {
                on: day("2026-10-02"),
                operating: true,
                employees: 3,
            },
        )
        .await;
    assert!(late.is_err(), "after the follow-up period");
    let seen = app.app.get_case(&person(founder), case).await.unwrap();
    assert_eq!(seen.state.follow_ups.len(), 1);
    assert!(app.app.get_case(&staff("420102"), case).await.is_err());

    let other = jobseeker(&app.repository, 70, "410105").await;
    app.app
        .open_case(&counsellor, other, day("2026-05-01"), None)
        .await
        .unwrap();
    let page = CaseQuery::default();
    let listed = app
        .all_cases(&staff("410100"), None, page.clone())
        .await
        .unwrap();
    let total = listed.len();
    assert_eq!(total, 2);
    let following = app
        .all_cases(
            &counsellor,
            None,
            CaseQuery {
                following_on: Some("2026-08-01".to_owned()),
                ..page.clone()
            },
        )
        .await
        .unwrap();
    let total = following.len();
    assert_eq!(total, 1, "the started business is in follow-up in August");
    assert_eq!(following[0].id, case.to_string());
    assert_eq!(following[0].stage, "follow_up");
    assert_eq!(following[0].follow_ups, 1);
    let listed = app
        .all_cases(
            &counsellor,
            None,
            CaseQuery {
                following_on: Some("2026-10-02".to_owned()),
                ..page.clone()
            },
        )
        .await
        .unwrap();
    let total = listed.len();
    assert_eq!(total, 0, "its follow-up ended on 1 October");
    let own = app
        .all_cases(&person(founder), None, page.clone())
        .await
        .unwrap();
    let total = own.len();
    assert_eq!(
        (total, own[0].jobseeker_id.clone()),
        (1, founder.to_string())
    );
    let refused = app
        .all_cases(&staff("420102"), DivisionCode::parse("410105").ok(), page)
        .await;
    assert!(matches!(refused, Err(Error::Forbidden { .. })));
}

#[tokio::test]
async fn projects_with_the_words_in_their_title_come_first_and_pages_run_across_both() {
    let app = App::start(None).await;
    app.project(project_body(
        "电商直播基地",
        "电子商务",
        10_000,
        50_000,
        "410105",
    ))
    .await;
    app.project(project_body(
        "跨境电商工作室",
        "电子商务",
        10_000,
        50_000,
        "410105",
    ))
    .await;
    let mut newest = project_body("县域物流配送站", "物流", 10_000, 50_000, "410105");
    newest["description"] = json!("为本地电商网店提供仓储与配送。");
    app.project(newest).await;

    let page = |limit: u32, offset: u32| ProjectQuery {
        words: read_model::words("电商"),
        limit,
        offset,
        ..ProjectQuery::default()
    };
    let (total, found) = app.app.search_projects(page(10, 0)).await.unwrap();
    assert_eq!(total, 3);
    let titles: Vec<_> = found.iter().map(|hit| hit.title.as_str()).collect();
    assert_eq!(titles, ["跨境电商工作室", "电商直播基地", "县域物流配送站"]);
    assert_eq!(found[0].score, 2.0);
    assert_eq!(found[2].score, 1.0);
    let (_, found) = app.app.search_projects(page(2, 1)).await.unwrap();
    let titles: Vec<_> = found.iter().map(|hit| hit.title.as_str()).collect();
    assert_eq!(titles, ["电商直播基地", "县域物流配送站"]);
    let (_, found) = app.app.search_projects(page(5, 3)).await.unwrap();
    assert!(found.is_empty());
}

#[tokio::test]
async fn a_loan_without_collateral_is_for_a_category_the_rules_exempt_that_the_borrower_is_in() {
    let app = App::start(Some(json!({
        "offices": { "410100": { "loans": { "collateral_free_categories": ["laid_off"] } } },
    })))
    .await;
    let graduate = jobseeker_in(&app.repository, 8, "410202", &[JobSeekerCategory::Graduate]).await;
    let laid_off = jobseeker_in(&app.repository, 9, "410105", &[JobSeekerCategory::LaidOff]).await;
    let without_collateral = |borrower: JobSeekerId, category: &str| {
        let mut body = loan_body(&borrower.to_string(), 3_000_000);
        body.as_object_mut().unwrap().remove("guarantor");
        body["collateral_free_category"] = json!(category);
        body
    };

    app.apply(&staff("410200"), without_collateral(graduate, "graduate"))
        .await
        .expect("graduates go without collateral by the province's default");
    let refused = app
        .apply(
            &staff("410200"),
            without_collateral(graduate, "returning_migrant"),
        )
        .await;
    assert_eq!(
        refusal_code(refused.unwrap_err()),
        "borrower_category",
        "exempt, but not the borrower's category"
    );
    let refused = app
        .apply(&staff("410105"), without_collateral(laid_off, "graduate"))
        .await;
    assert_eq!(
        refusal_code(refused.unwrap_err()),
        "collateral_free_category",
        "郑州 exempts the laid-off only"
    );
    let saved = app
        .apply(&person(laid_off), without_collateral(laid_off, "laid_off"))
        .await
        .expect("the laid-off go without collateral in 郑州");
    let loan = app
        .app
        .get_loan(&person(laid_off), saved)
        .await
        .unwrap()
        .state;
    assert_eq!(
        loan.security,
        labex_domain::loan::Security::CollateralFree {
            category: JobSeekerCategory::LaidOff
        }
    );
}

#[tokio::test]
async fn the_loan_register_lists_a_borrowers_own_and_an_offices_scope() {
    let app = App::start(None).await;
    let borrower = jobseeker(&app.repository, 10, "410105").await;
    let other = jobseeker(&app.repository, 11, "410105").await;
    let in_kaifeng = jobseeker(&app.repository, 12, "410202").await;
    let first = app
        .apply(
            &person(borrower),
            loan_body(&borrower.to_string(), 1_000_000),
        )
        .await
        .unwrap();
    let second = app.disbursed(borrower, 2_000_000).await;
    app.apply(&staff("410105"), loan_body(&other.to_string(), 3_000_000))
        .await
        .unwrap();
    app.apply(
        &staff("410202"),
        loan_body(&in_kaifeng.to_string(), 4_000_000),
    )
    .await
    .unwrap();
    let page = LoanQuery::default();

    let own = app
        .all_loans(&person(borrower), None, page.clone())
        .await
        .unwrap();
    let total = own.len();
    assert_eq!(total, 2);
    let ids: Vec<_> = own.iter().map(|loan| loan.id.clone()).collect();
    assert_eq!(ids, [second.to_string(), first.to_string()], "newest first");
    assert_eq!(own[0].status, "disbursed");
    assert_eq!(own[0].outstanding_fen, 2_000_000);
    let someone_elses = app
        .all_loans(
            &person(borrower),
            None,
            LoanQuery {
                borrower: Some(other.to_string()),
                ..page.clone()
            },
        )
        .await;
    assert!(matches!(someone_elses, Err(Error::Forbidden { .. })));

    let listed = app
        .all_loans(&staff("410105"), None, page.clone())
        .await
        .unwrap();
    let total = listed.len();
    assert_eq!(total, 3, "the district's three, not 开封's");
    let listed = app
        .all_loans(&actor(Role::Province, "410000", "p"), None, page.clone())
        .await
        .unwrap();
    let total = listed.len();
    assert_eq!(total, 4);
    let disbursed = app
        .all_loans(
            &staff("410100"),
            None,
            LoanQuery {
                status: Some("disbursed".to_owned()),
                ..page.clone()
            },
        )
        .await
        .unwrap();
    let total = disbursed.len();
    assert_eq!((total, disbursed[0].id.clone()), (1, second.to_string()));
    let out_of_scope = app
        .all_loans(&staff("410105"), DivisionCode::parse("410202").ok(), page)
        .await;
    assert!(matches!(out_of_scope, Err(Error::Forbidden { .. })));
}
