//! What the ventures API answers. Amounts are whole fen (or yuan where the
//! field says so), never floating point.

use labex_app::Listed;
use labex_domain::loan::{Loan, Security};
use labex_domain::rfc3339_millis;
use labex_domain::venture_case::VentureCase;
use labex_domain::venture_project::VentureProject;
use labex_web::next_cursor;
use serde::Serialize;
use utoipa::ToSchema;

use crate::case_list::ListedCase;
use crate::loan_list::ListedLoan;
use crate::read_model::{FoundProject, TOTAL_CAP};

/// A project of the library.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    pub id: String,
    pub office: String,
    pub title: String,
    pub industry: String,
    pub investment_min_yuan: u32,
    pub investment_max_yuan: u32,
    pub region: String,
    pub description: String,
    pub contact_organisation: String,
    pub listed_at: String,
    /// listed or withdrawn.
    pub status: String,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

impl ProjectView {
    /// The view of `project` at `revision`.
    pub fn new(project: &VentureProject, revision: u64) -> Self {
        let details = &project.details;
        Self {
            id: project.id.to_string(),
            office: project.office.as_str().to_owned(),
            title: details.title.as_str().to_owned(),
            industry: details.industry.as_str().to_owned(),
            investment_min_yuan: details.investment_min_yuan,
            investment_max_yuan: details.investment_max_yuan,
            region: details.region.as_str().to_owned(),
            description: details.description.as_str().to_owned(),
            contact_organisation: details.contact_organisation.as_str().to_owned(),
            listed_at: rfc3339_millis(project.listed_at),
            status: if project.withdrawn {
                "withdrawn"
            } else {
                "listed"
            }
            .to_owned(),
            revision,
        }
    }
}

/// One project found.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectHit {
    pub id: String,
    pub title: String,
    pub industry: String,
    pub investment_min_yuan: u32,
    pub investment_max_yuan: u32,
    pub region: String,
    pub contact_organisation: String,
    /// How it matched the words: 2 all in its title, 1 in its text; 0
    /// for a search of filters alone.
    pub score: f64,
}

impl From<FoundProject> for ProjectHit {
    fn from(found: FoundProject) -> Self {
        Self {
            id: found.id,
            title: found.title,
            industry: found.industry,
            investment_min_yuan: found.investment_min_yuan,
            investment_max_yuan: found.investment_max_yuan,
            region: found.region,
            contact_organisation: found.contact_organisation,
            score: found.score,
        }
    }
}

/// A page of projects found.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectSearchResults {
    /// How many match, counted up to 1,000.
    pub total: u64,
    /// Whether `total` is all of them (false: more than 1,000 match).
    pub total_is_exact: bool,
    pub hits: Vec<ProjectHit>,
}

impl ProjectSearchResults {
    /// The page `found` of a search that counted `counted` (up to one
    /// more than the cap).
    pub fn new(counted: u64, found: Vec<FoundProject>) -> Self {
        Self {
            total: counted.min(TOTAL_CAP),
            total_is_exact: counted <= TOTAL_CAP,
            hits: found.into_iter().map(ProjectHit::from).collect(),
        }
    }
}

/// A stage reached.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageView {
    pub stage: String,
    pub on: String,
    /// The counsellor's user id.
    pub counsellor: String,
}

/// The business started.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessView {
    pub name: String,
    pub credit_code: Option<String>,
    pub started_on: String,
    pub follow_up_until: String,
}

/// A follow-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpView {
    pub on: String,
    pub operating: bool,
    pub employees: u32,
    pub counsellor: String,
}

/// A one-stop service case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    pub jobseeker_id: String,
    pub office: String,
    pub opened_at: String,
    /// The stage reached last: consultation … follow_up.
    pub status: String,
    pub stages: Vec<StageView>,
    pub business: Option<BusinessView>,
    pub follow_ups: Vec<FollowUpView>,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

impl CaseView {
    /// The view of `case` at `revision`.
    pub fn new(case: &VentureCase, revision: u64) -> Self {
        Self {
            id: case.id.to_string(),
            jobseeker_id: case.jobseeker_id.to_string(),
            office: case.office.as_str().to_owned(),
            opened_at: rfc3339_millis(case.opened_at),
            status: case.stage().as_str().to_owned(),
            stages: case
                .stages
                .iter()
                .map(|record| StageView {
                    stage: record.stage.as_str().to_owned(),
                    on: record.on.to_string(),
                    counsellor: record.counsellor.clone(),
                })
                .collect(),
            business: case.business.as_ref().map(|business| BusinessView {
                name: business.name.as_str().to_owned(),
                credit_code: business
                    .credit_code
                    .as_ref()
                    .map(|code| code.as_str().to_owned()),
                started_on: business.started_on.to_string(),
                follow_up_until: business.follow_up_until.to_string(),
            }),
            follow_ups: case
                .follow_ups
                .iter()
                .map(|follow_up| FollowUpView {
                    on: follow_up.on.to_string(),
                    operating: follow_up.operating,
                    employees: follow_up.employees,
                    counsellor: follow_up.counsellor.clone(),
                })
                .collect(),
            revision,
        }
    }
}

/// One instalment paid.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstalmentView {
    pub number: u32,
    pub paid_on: String,
    pub principal_fen: u64,
    pub interest_fen: u64,
    pub borrower_interest_fen: u64,
    /// The treasury's interest subsidy (贴息).
    pub treasury_interest_fen: u64,
}

/// A guaranteed small loan.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanView {
    pub id: String,
    pub borrower: String,
    pub office: String,
    pub amount_fen: u64,
    pub term_months: u32,
    pub purpose: String,
    /// guarantor or collateral_free.
    pub security: String,
    pub guarantor: Option<String>,
    /// The job-seeker category exempting it from collateral.
    pub collateral_free_category: Option<String>,
    pub applied_at: String,
    /// applied, rejected, approved, guaranteed, disbursed, repaid or defaulted.
    pub status: String,
    pub guarantee_fund: Option<String>,
    pub disbursed_on: Option<String>,
    pub matures_on: Option<String>,
    pub annual_rate_bp: Option<u32>,
    pub treasury_share_percent: Option<u32>,
    pub outstanding_fen: u64,
    pub instalments: Vec<InstalmentView>,
    pub interest_paid_by_borrower_fen: u64,
    /// The interest subsidy (贴息) the treasury paid in all.
    pub interest_paid_by_treasury_fen: u64,
    /// early or on_time, once repaid.
    pub repaid: Option<String>,
    pub guarantee_payout_fen: Option<u64>,
    pub closed_on: Option<String>,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

impl LoanView {
    /// The view of `loan` at `revision`.
    pub fn new(loan: &Loan, revision: u64) -> Self {
        let (security, guarantor, ground) = match &loan.security {
            Security::Guarantor { guarantor } => {
                ("guarantor", Some(guarantor.as_str().to_owned()), None)
            }
            Security::CollateralFree { category } => {
                ("collateral_free", None, Some(category.as_str().to_owned()))
            }
        };
        Self {
            id: loan.id.to_string(),
            borrower: loan.borrower.to_string(),
            office: loan.office.as_str().to_owned(),
            amount_fen: loan.amount_fen.get(),
            term_months: loan.term_months,
            purpose: loan.purpose.as_str().to_owned(),
            security: security.to_owned(),
            guarantor,
            collateral_free_category: ground,
            applied_at: rfc3339_millis(loan.applied_at),
            status: loan.status.as_str().to_owned(),
            guarantee_fund: loan
                .guarantee_fund
                .as_ref()
                .map(|fund| fund.as_str().to_owned()),
            disbursed_on: loan.disbursed_on.map(|day| day.to_string()),
            matures_on: loan.matures_on().map(|day| day.to_string()),
            annual_rate_bp: loan.annual_rate_bp,
            treasury_share_percent: loan.treasury_share_percent,
            outstanding_fen: loan.outstanding_fen.get(),
            instalments: loan
                .instalments
                .iter()
                .map(|instalment| InstalmentView {
                    number: instalment.number,
                    paid_on: instalment.paid_on.to_string(),
                    principal_fen: instalment.principal_fen.get(),
                    interest_fen: instalment.interest_fen.get(),
                    borrower_interest_fen: instalment.borrower_interest_fen.get(),
                    treasury_interest_fen: instalment.treasury_interest_fen.get(),
                })
                .collect(),
            interest_paid_by_borrower_fen: loan
                .instalments
                .iter()
                .map(|instalment| instalment.borrower_interest_fen.get())
                .sum(),
            interest_paid_by_treasury_fen: loan
                .instalments
                .iter()
                .map(|instalment| instalment.treasury_interest_fen.get())
                .sum(),
            repaid: loan.repaid.map(|repaid| {
                match repaid {
                    labex_domain::loan::Repayment::Early => "early",
                    labex_domain::loan::Repayment::OnTime => "on_time",
                }
                .to_owned()
            }),
            guarantee_payout_fen: loan.guarantee_payout_fen.map(|payout| payout.get()),
            closed_on: loan.closed_on.map(|day| day.to_string()),
            revision,
        }
    }
}

/// One loan of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanRow {
    pub id: String,
    /// The borrower's job-seeker id.
    pub borrower: String,
    pub office: String,
    pub status: String,
    pub amount_fen: u64,
    pub outstanding_fen: u64,
    pub applied_at: String,
    pub closed_on: Option<String>,
}

/// A page of the loan register.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanList {
    pub items: Vec<LoanRow>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

impl LoanList {
    /// The page `listed`.
    pub fn new(listed: Listed<ListedLoan>) -> Self {
        Self {
            next_cursor: next_cursor(listed.next),
            items: listed
                .items
                .into_iter()
                .map(|loan| LoanRow {
                    id: loan.id,
                    borrower: loan.borrower,
                    office: loan.office,
                    status: loan.status,
                    amount_fen: loan.amount_fen,
                    outstanding_fen: loan.outstanding_fen,
                    applied_at: loan.applied_at,
                    closed_on: loan.closed_on,
                })
                .collect(),
        }
    }
}

/// One case of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRow {
    pub id: String,
    /// The person's job-seeker id.
    pub jobseeker_id: String,
    pub office: String,
    /// The stage reached last.
    pub stage: String,
    pub opened_at: String,
    pub started_on: Option<String>,
    pub follow_up_until: Option<String>,
    /// Follow-ups recorded.
    pub follow_ups: u32,
}

/// A page of one-stop cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseRow>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

impl CaseList {
    /// The page `listed`.
    pub fn new(listed: Listed<ListedCase>) -> Self {
        Self {
            next_cursor: next_cursor(listed.next),
            items: listed
                .items
                .into_iter()
                .map(|case| CaseRow {
                    id: case.id,
                    jobseeker_id: case.jobseeker_id,
                    office: case.office,
                    stage: case.stage,
                    opened_at: case.opened_at,
                    started_on: case.started_on,
                    follow_up_until: case.follow_up_until,
                    follow_ups: case.follow_ups,
                })
                .collect(),
        }
    }
}
