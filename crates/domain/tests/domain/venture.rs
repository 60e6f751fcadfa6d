//! Entrepreneurship: guaranteed small loans, the project library and the
//! one-stop service cases.

use chrono::NaiveDate;
use labex_domain::loan::*;
use std::collections::BTreeSet;

use labex_domain::value::{Description, Fen, JobSeekerCategory, Label, OrganisationName, Title};
use labex_domain::venture_case::*;
use labex_domain::venture_project::*;

use crate::fixtures::*;
use crate::support::given;

fn loan_id() -> LoanId {
    LoanId::parse("0190f5a8-0000-7000-8000-000000000030").unwrap()
}

fn fen(amount: i64) -> Fen {
    Fen::parse(amount).unwrap()
}

fn day(month: u32, day: u32) -> NaiveDate {
    date(2026, month, day)
}

fn apply(amount: i64) -> LoanCommand {
    apply_as(amount, JobSeekerCategory::Graduate)
}

/// An application without collateral as a graduate, of a borrower
/// registered in `category`.
fn apply_as(amount: i64, category: JobSeekerCategory) -> LoanCommand {
    LoanCommand::Apply(ApplyForLoan {
        loan_id: loan_id(),
        borrower: jobseeker_id(),
        office: division("410105"),
        amount_fen: fen(amount),
        term_months: 24,
        purpose: Label::parse("开办社区早餐店").unwrap(),
        security: Security::CollateralFree {
            category: JobSeekerCategory::Graduate,
        },
        borrower_categories: BTreeSet::from([category]),
        applied_at: at("2026-03-01T02:00:00Z"),
        rules: LoanRules::default(),
    })
}

fn applied(amount: i64) -> LoanEvent {
    LoanEvent::Applied(LoanApplied {
        loan_id: loan_id(),
        borrower: jobseeker_id(),
        office: division("410105"),
        amount_fen: fen(amount),
        term_months: 24,
        purpose: Label::parse("开办社区早餐店").unwrap(),
        security: Security::CollateralFree {
            category: JobSeekerCategory::Graduate,
        },
        applied_at: at("2026-03-01T02:00:00Z"),
    })
}

/// A loan of 100,000 yuan disbursed on 15 March at 3.65 %, the treasury
/// paying half of the interest.
fn disbursed_loan() -> Vec<LoanEvent> {
    vec![
        applied(10_000_000),
        LoanEvent::Reviewed(LoanReviewed {
            loan_id: loan_id(),
            decision: ReviewDecision::Approved,
            reviewed_on: day(3, 5),
        }),
        LoanEvent::GuaranteeApproved(LoanGuaranteeApproved {
            loan_id: loan_id(),
            guarantee_fund: OrganisationName::parse("郑州市小额贷款担保中心").unwrap(),
            approved_on: day(3, 10),
        }),
        LoanEvent::Disbursed(LoanDisbursed {
            loan_id: loan_id(),
            amount_fen: fen(10_000_000),
            disbursed_on: day(3, 15),
            annual_rate_bp: 365,
            treasury_share_percent: 50,
        }),
    ]
}

#[test]
fn a_loan_within_the_cap_is_applied_for_and_one_above_it_is_refused() {
    given::<Loan>([])
        .when(apply(20_000_000))
        .then([applied(20_000_000)]);
    given::<Loan>([])
        .when(apply(20_000_001))
        .then_error(LoanError::AboveCap {
            cap: fen(20_000_000),
        });
}

#[test]
fn no_collateral_only_for_a_category_the_rules_exempt_and_the_borrower_is_in() {
    given::<Loan>([])
        .when(apply_as(5_000_000, JobSeekerCategory::LaidOff))
        .then_error(LoanError::NotInCategory {
            category: JobSeekerCategory::Graduate,
        });
    let LoanCommand::Apply(mut application) = apply(5_000_000) else {
        unreachable!("an application");
    };
    application.rules.collateral_free_categories = BTreeSet::from([JobSeekerCategory::LaidOff]);
    given::<Loan>([])
        .when(LoanCommand::Apply(application.clone()))
        .then_error(LoanError::CategoryNotExempt {
            category: JobSeekerCategory::Graduate,
        });
    application.security = Security::Guarantor {
        guarantor: OrganisationName::parse("郑州市中小企业信用担保有限公司").unwrap(),
    };
    given::<Loan>([])
        .when(LoanCommand::Apply(application))
        .then([LoanEvent::Applied(LoanApplied {
            security: Security::Guarantor {
                guarantor: OrganisationName::parse("郑州市中小企业信用担保有限公司").unwrap(),
            },
            ..match applied(5_000_000) {
                LoanEvent::Applied(applied) => applied,
                _ => unreachable!("an application"),
            }
        })]);
}

#[test]
fn each_step_of_a_loan_is_dated_no_earlier_than_the_one_before() {
    given::<Loan>([
        applied(5_000_000),
        LoanEvent::Reviewed(LoanReviewed {
            loan_id: loan_id(),
            decision: ReviewDecision::Approved,
            reviewed_on: day(3, 10),
        }),
    ])
    .when(LoanCommand::ApproveGuarantee {
        guarantee_fund: OrganisationName::parse("郑州市小额贷款担保中心").unwrap(),
        approved_on: day(3, 9),
    })
    .then_error(LoanError::DateBefore);
}

#[test]
fn a_loan_is_disbursed_only_once_guaranteed() {
    given::<Loan>([applied(10_000_000)])
        .when(LoanCommand::Disburse(DisburseLoan {
            disbursed_on: day(3, 15),
            annual_rate_bp: 365,
            treasury_share_percent: 50,
        }))
        .then_error(LoanError::WrongStatus {
            status: LoanStatus::Applied,
        });
}

#[test]
fn an_instalments_interest_is_split_between_borrower_and_treasury() {
    // 100,000 yuan for 30 days at 3.65 %: 300 yuan, half each.
    let loan = given::<Loan>(disbursed_loan())
        .when(LoanCommand::Repay {
            principal_fen: fen(1_000_000),
            paid_on: day(4, 14),
        })
        .then([LoanEvent::InstalmentPaid(LoanInstalmentPaid {
            loan_id: loan_id(),
            number: 1,
            paid_on: day(4, 14),
            principal_fen: fen(1_000_000),
            interest_fen: fen(30_000),
            borrower_interest_fen: fen(15_000),
            treasury_interest_fen: fen(15_000),
            outstanding_fen: fen(9_000_000),
        })]);
    assert_eq!(loan.outstanding_fen, fen(9_000_000));
    assert_eq!(loan.status, LoanStatus::Disbursed);
}

#[test]
fn the_last_instalment_before_maturity_repays_the_loan_early() {
    let loan = given::<Loan>(disbursed_loan())
        .when(LoanCommand::Repay {
            principal_fen: fen(10_000_000),
            paid_on: day(3, 25),
        })
        .then([
            LoanEvent::InstalmentPaid(LoanInstalmentPaid {
                loan_id: loan_id(),
                number: 1,
                paid_on: day(3, 25),
                principal_fen: fen(10_000_000),
                interest_fen: fen(10_000),
                borrower_interest_fen: fen(5_000),
                treasury_interest_fen: fen(5_000),
                outstanding_fen: Fen::ZERO,
            }),
            LoanEvent::Repaid(LoanRepaid {
                loan_id: loan_id(),
                repayment: Repayment::Early,
                repaid_on: day(3, 25),
            }),
        ]);
    assert_eq!(loan.status, LoanStatus::Repaid);
}

#[test]
fn a_repayment_above_what_is_outstanding_is_refused() {
    given::<Loan>(disbursed_loan())
        .when(LoanCommand::Repay {
            principal_fen: fen(10_000_001),
            paid_on: day(4, 1),
        })
        .then_error(LoanError::Repayment {
            outstanding: fen(10_000_000),
        });
}

#[test]
fn a_default_records_the_guarantee_funds_payout_up_to_what_is_outstanding() {
    let loan = given::<Loan>(disbursed_loan())
        .when(LoanCommand::Default {
            guarantee_payout_fen: fen(8_000_000),
            defaulted_on: day(12, 1),
        })
        .then([LoanEvent::Defaulted(LoanDefaulted {
            loan_id: loan_id(),
            outstanding_fen: fen(10_000_000),
            guarantee_payout_fen: fen(8_000_000),
            defaulted_on: day(12, 1),
        })]);
    assert_eq!(loan.status, LoanStatus::Defaulted);
    given::<Loan>(disbursed_loan())
        .when(LoanCommand::Default {
            guarantee_payout_fen: fen(10_000_001),
            defaulted_on: day(12, 1),
        })
        .then_error(LoanError::PayoutAboveOutstanding {
            outstanding: fen(10_000_000),
        });
}

fn project_details(min: u32, max: u32) -> ProjectDetails {
    ProjectDetails {
        title: Title::parse("社区生鲜便利店").unwrap(),
        industry: Label::parse("零售业").unwrap(),
        investment_min_yuan: min,
        investment_max_yuan: max,
        region: division("410105"),
        description: Description::parse("面向社区居民的生鲜与日用品零售。").unwrap(),
        contact_organisation: OrganisationName::parse("郑州市创业服务中心").unwrap(),
    }
}

#[test]
fn a_project_is_listed_and_one_whose_range_is_upside_down_is_refused() {
    let project_id = VentureProjectId::parse("0190f5a8-0000-7000-8000-000000000031").unwrap();
    let list = |details| VentureProjectCommand::List {
        project_id,
        office: division("410105"),
        details,
        listed_at: at("2026-02-01T02:00:00Z"),
    };
    given::<VentureProject>([])
        .when(list(project_details(50_000, 150_000)))
        .then([VentureProjectEvent::Listed(VentureProjectListed {
            project_id,
            office: division("410105"),
            details: project_details(50_000, 150_000),
            listed_at: at("2026-02-01T02:00:00Z"),
        })]);
    given::<VentureProject>([])
        .when(list(project_details(150_000, 50_000)))
        .then_error(VentureProjectError::InvestmentRange);
}

#[test]
fn a_case_moves_forward_to_a_started_business_followed_up_for_twelve_months() {
    let case_id = VentureCaseId::parse("0190f5a8-0000-7000-8000-000000000032").unwrap();
    let opened = VentureCaseEvent::Opened(VentureCaseOpened {
        case_id,
        jobseeker_id: jobseeker_id(),
        office: division("410105"),
        counsellor: "c1".to_owned(),
        opened_at: at("2026-02-01T02:00:00Z"),
        on: day(2, 1),
    });
    let planned = VentureCaseEvent::StageReached(VentureCaseStageReached {
        case_id,
        stage: CaseStage::BusinessPlan,
        on: day(3, 1),
        counsellor: "c1".to_owned(),
    });
    given::<VentureCase>([opened.clone()])
        .when(VentureCaseCommand::Advance {
            stage: CaseStage::BusinessPlan,
            on: day(3, 1),
            counsellor: "c1".to_owned(),
        })
        .then([planned.clone()]);
    given::<VentureCase>([opened.clone(), planned.clone()])
        .when(VentureCaseCommand::Advance {
            stage: CaseStage::Training,
            on: day(3, 2),
            counsellor: "c1".to_owned(),
        })
        .then_error(VentureCaseError::StageOrder {
            current: CaseStage::BusinessPlan,
        });
    let started = VentureCaseEvent::BusinessStarted(VentureBusinessStarted {
        case_id,
        name: OrganisationName::parse("好邻居早餐店").unwrap(),
        credit_code: None,
        started_on: day(4, 1),
        follow_up_until: date(2027, 4, 1),
        counsellor: "c1".to_owned(),
    });
    let case = given::<VentureCase>([opened.clone(), planned.clone()])
        .when(VentureCaseCommand::Start {
            name: OrganisationName::parse("好邻居早餐店").unwrap(),
            credit_code: None,
            started_on: day(4, 1),
            counsellor: "c1".to_owned(),
            follow_up_months: 12,
        })
        .then([started.clone()]);
    assert_eq!(case.stage(), CaseStage::Started);
    let code = || labex_domain::value::CreditCode::parse("91350100M000100Y43").unwrap();
    let register = |on| VentureCaseCommand::Register {
        credit_code: code(),
        registered_on: on,
        counsellor: "c2".to_owned(),
    };
    given::<VentureCase>([opened.clone()])
        .when(register(day(5, 10)))
        .then_error(VentureCaseError::NotStarted);
    given::<VentureCase>([opened.clone(), planned.clone(), started.clone()])
        .when(register(day(3, 31)))
        .then_error(VentureCaseError::DateBefore);
    let registered = VentureCaseEvent::BusinessRegistered(VentureBusinessRegistered {
        case_id,
        credit_code: code(),
        registered_on: day(5, 10),
        counsellor: "c2".to_owned(),
    });
    let case = given::<VentureCase>([opened.clone(), planned.clone(), started.clone()])
        .when(register(day(5, 10)))
        .then([registered.clone()]);
    assert_eq!(case.business.unwrap().credit_code, Some(code()));
    given::<VentureCase>([
        opened.clone(),
        planned.clone(),
        started.clone(),
        registered.clone(),
    ])
    .when(register(day(5, 11)))
    .then([]);
    given::<VentureCase>([opened.clone(), planned.clone(), started.clone(), registered])
        .when(VentureCaseCommand::Register {
            credit_code: labex_domain::value::CreditCode::parse("91410105MA00001234").unwrap(),
            registered_on: day(5, 12),
            counsellor: "c2".to_owned(),
        })
        .then_error(VentureCaseError::AlreadyRegistered);
    given::<VentureCase>([opened, planned, started])
        .when(VentureCaseCommand::FollowUp {
            follow_up: FollowUp {
                on: date(2027, 4, 2),
                operating: true,
                employees: 2,
                counsellor: "c1".to_owned(),
            },
        })
        .then_error(VentureCaseError::FollowUpEnded {
            until: date(2027, 4, 1),
        });
}
