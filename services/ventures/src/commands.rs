//! The ventures use cases: list and withdraw projects of the library,
//! open and advance one-stop service cases, and take a guaranteed loan
//! from application to repaid or defaulted (the reads are in `queries`).
//! Each takes the [`Actor`] and a typed command, and does load → authorise
//! → decide → append; none knows HTTP.
//!
//! A case's and a loan's office is the person's (the job seeker's
//! registering office): staff whose scope covers it act on them, and the
//! person sees their own.

use std::path::Path;

use chrono::NaiveDate;
use labex_app::{Actor, Error, FieldError, InputError, Result, RuleBook, STAFF, Saved, new_id};
use labex_domain::jobseeker::JobSeeker;
use labex_domain::loan::{
    ApplyForLoan, DisburseLoan, Loan, LoanCommand, LoanId, LoanRules, ReviewDecision,
};
use labex_domain::value::{CreditCode, Fen, OrganisationName};
use labex_domain::venture_case::{
    CaseRules, CaseStage, FollowUp, VentureCase, VentureCaseCommand, VentureCaseId,
};
use labex_domain::venture_project::{VentureProject, VentureProjectCommand, VentureProjectId};
use labex_domain::{Aggregate, JobSeekerId};
use labex_eventsourcing::{
    ExecuteOptions, ExpectedRevision, IdempotencyKey, ReadModel, Repository, StateProjection,
};
use serde::{Deserialize, Serialize};

use crate::case_list::{CASES_FILE, CaseList};
use crate::loan_list::{LOANS_FILE, LoanList};
use crate::read_model::ProjectList;
use crate::requests::{BusinessStart, LoanApplication, ProjectListing};
use crate::settled::HeldRunner;

/// The read model's database file in the service's folder.
pub const READ_MODEL_FILE: &str = "readmodel.sqlite";

/// The rules of entrepreneurship services an office or the province sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VenturesRules {
    /// Guaranteed loans: the cap, the treasury's share of the interest,
    /// the longest term.
    pub loans: LoanRules,
    /// One-stop cases: months of follow-up.
    pub cases: CaseRules,
}

/// The ventures application.
pub struct Ventures {
    pub(crate) repository: Repository,
    pub(crate) projects: ReadModel,
    pub(crate) runner: HeldRunner,
    pub(crate) loans: ReadModel,
    pub(crate) loan_runner: HeldRunner,
    pub(crate) cases: ReadModel,
    pub(crate) case_runner: HeldRunner,
    pub(crate) rules: RuleBook<VenturesRules>,
}

/// A change to a loan.
#[derive(Debug, Clone)]
pub enum LoanChange {
    /// The office's review.
    Review(ReviewDecision, NaiveDate),
    /// The guarantee fund's approval.
    Guarantee(OrganisationName, NaiveDate),
    /// The bank's disbursement at an annual rate (basis points).
    Disburse(NaiveDate, u32),
    /// An instalment of principal.
    Repay(Fen, NaiveDate),
    /// The default and the guarantee fund's payout.
    Default(Fen, NaiveDate),
}

/// A change to a case.
#[derive(Debug, Clone)]
pub enum CaseChange {
    /// A later stage before the start.
    Advance(CaseStage, NaiveDate),
    /// The business started.
    Start(BusinessStart),
    /// A follow-up.
    FollowUp {
        on: NaiveDate,
        operating: bool,
        employees: u32,
    },
    /// The started business registered, with its credit code, on a day.
    Register(CreditCode, NaiveDate),
}

impl Ventures {
    /// Opens the read model under `folder`, starts its projection, and
    /// reads the rules (`folder/rules.json`, defaults when absent).
    pub fn open(repository: Repository, folder: &Path) -> std::result::Result<Self, String> {
        let rules =
            RuleBook::load(&folder.join(labex_app::RULES_FILE)).map_err(|e| e.to_string())?;
        let (projects, runner) = ReadModel::start(
            &folder.join(READ_MODEL_FILE),
            repository.client().clone(),
            StateProjection::new(ProjectList),
        )
        .map_err(|error| error.to_string())?;
        let (loans, loan_runner) = ReadModel::start(
            &folder.join(LOANS_FILE),
            repository.client().clone(),
            StateProjection::new(LoanList),
        )
        .map_err(|error| error.to_string())?;
        let (cases, case_runner) = ReadModel::start(
            &folder.join(CASES_FILE),
            repository.client().clone(),
            StateProjection::new(CaseList),
        )
        .map_err(|error| error.to_string())?;
        Ok(Self {
            repository,
            projects,
            runner: HeldRunner::new(runner),
            loans,
            loan_runner: HeldRunner::new(loan_runner),
            cases,
            case_runner: HeldRunner::new(case_runner),
            rules,
        })
    }

    /// The runner of the project read model (readiness, stop).
    pub fn runner(&self) -> &HeldRunner {
        &self.runner
    }

    /// The runner of the loan register (readiness, stop).
    pub fn loan_runner(&self) -> &HeldRunner {
        &self.loan_runner
    }

    /// The runner of the case list (readiness, stop).
    pub fn case_runner(&self) -> &HeldRunner {
        &self.case_runner
    }

    /// Lists a project in the library: office staff in scope of the
    /// listing office (the caller's when absent).
    pub async fn list_project(
        &self,
        actor: &Actor,
        listing: ProjectListing,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<VentureProject>> {
        actor.require_role(STAFF)?;
        let office = listing.office.unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&office)?;
        let id: VentureProjectId = new_id(actor, key.as_ref());
        let context = actor.event_context(&office);
        let command = VentureProjectCommand::List {
            project_id: id,
            office,
            details: listing.details,
            listed_at: context.at,
        };
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let saved = Saved::executed(
            self.repository
                .execute_with::<VentureProject>(id, command, &context, options)
                .await?,
        )?;
        self.runner.settle(saved.position).await;
        Ok(saved)
    }

    /// Withdraws a project: office staff in scope of its office.
    pub async fn withdraw_project(
        &self,
        actor: &Actor,
        id: VentureProjectId,
    ) -> Result<Saved<VentureProject>> {
        actor.require_role(STAFF)?;
        let project = self.get_project(id, None).await?.state;
        actor.may_act_in(&project.office)?;
        let context = actor.event_context(&project.office);
        let command = VentureProjectCommand::Withdraw {
            withdrawn_at: context.at,
        };
        let saved = Saved::executed(
            self.repository
                .execute_with::<VentureProject>(id, command, &context, ExecuteOptions::default())
                .await?,
        )?;
        self.runner.settle(saved.position).await;
        Ok(saved)
    }

    /// The job seeker a case or loan is for, or an invalid `field`.
    async fn person(&self, id: JobSeekerId, field: &str) -> Result<JobSeeker> {
        self.repository.load::<JobSeeker>(id).await?.state.ok_or_else(|| {
            Error::Invalid(vec![FieldError::with_sentence(
                field,
                InputError::JobSeekerUnknown,
                format!("{field} names no registered job seeker ({id}); register the job seeker first."),
            )])
        })
    }

    /// Opens a one-stop service case for a person: office staff whose
    /// scope covers the person's office.
    pub async fn open_case(
        &self,
        actor: &Actor,
        jobseeker_id: JobSeekerId,
        on: NaiveDate,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<VentureCase>> {
        actor.require_role(STAFF)?;
        let person = self.person(jobseeker_id, "jobseeker_id").await?;
        actor.may_act_in(&person.office)?;
        let id: VentureCaseId = new_id(actor, key.as_ref());
        let context = actor.event_context(&person.office);
        let command = VentureCaseCommand::Open {
            case_id: id,
            jobseeker_id,
            office: person.office.clone(),
            counsellor: actor.subject.clone(),
            opened_at: context.at,
            on,
        };
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let saved = Saved::executed(
            self.repository
                .execute_with::<VentureCase>(id, command, &context, options)
                .await?,
        )?;
        self.case_runner.settle(saved.position).await;
        Ok(saved)
    }

    /// Moves a case on: office staff in scope of its office.
    pub async fn change_case(
        &self,
        actor: &Actor,
        id: VentureCaseId,
        change: CaseChange,
    ) -> Result<Saved<VentureCase>> {
        actor.require_role(STAFF)?;
        let case = self.get_case(actor, id).await?.state;
        actor.may_act_in(&case.office)?;
        let counsellor = actor.subject.clone();
        let command = match change {
            CaseChange::Advance(stage, on) => VentureCaseCommand::Advance {
                stage,
                on,
                counsellor,
            },
            CaseChange::Start(start) => VentureCaseCommand::Start {
                name: start.name,
                credit_code: start.credit_code,
                started_on: start.started_on,
                counsellor,
                follow_up_months: self.rules.for_office(&case.office).cases.follow_up_months,
            },
            CaseChange::FollowUp {
                on,
                operating,
                employees,
            } => VentureCaseCommand::FollowUp {
                follow_up: FollowUp {
                    on,
                    operating,
                    employees,
                    counsellor,
                },
            },
            CaseChange::Register(credit_code, registered_on) => VentureCaseCommand::Register {
                credit_code,
                registered_on,
                counsellor,
            },
        };
        let context = actor.event_context(&case.office);
        let saved = Saved::executed(
            self.repository
                .execute_with::<VentureCase>(id, command, &context, ExecuteOptions::default())
                .await?,
        )?;
        self.case_runner.settle(saved.position).await;
        Ok(saved)
    }

    /// Applies for a guaranteed loan: the borrower themself, or office
    /// staff whose scope covers the borrower's office. The amount must be
    /// within the cap of the province's (or the office's) rules.
    pub async fn apply_for_loan(
        &self,
        actor: &Actor,
        application: LoanApplication,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Loan>> {
        let borrower = self.person(application.borrower, "borrower").await?;
        if !actor.is_jobseeker(application.borrower) {
            actor.require_role(STAFF)?;
            actor.may_act_in(&borrower.office)?;
        }
        let id: LoanId = new_id(actor, key.as_ref());
        let context = actor.event_context(&borrower.office);
        let command = LoanCommand::Apply(ApplyForLoan {
            loan_id: id,
            borrower: application.borrower,
            office: borrower.office.clone(),
            amount_fen: application.amount_fen,
            term_months: application.term_months,
            purpose: application.purpose,
            security: application.security,
            borrower_categories: borrower.profile.categories.clone(),
            applied_at: context.at,
            rules: self.rules.for_office(&borrower.office).loans.clone(),
        });
        Loan::decide(None, command.clone()).map_err(Error::refused)?;
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let saved = Saved::executed(
            self.repository
                .execute_with::<Loan>(id, command, &context, options)
                .await?,
        )?;
        self.loan_runner.settle(saved.position).await;
        Ok(saved)
    }

    /// A step of a loan: office staff whose scope covers the loan's office.
    pub async fn change_loan(
        &self,
        actor: &Actor,
        id: LoanId,
        change: LoanChange,
    ) -> Result<Saved<Loan>> {
        actor.require_role(STAFF)?;
        let loan = self.get_loan(actor, id).await?.state;
        actor.may_act_in(&loan.office)?;
        let command = match change {
            LoanChange::Review(decision, reviewed_on) => LoanCommand::Review {
                decision,
                reviewed_on,
            },
            LoanChange::Guarantee(guarantee_fund, approved_on) => LoanCommand::ApproveGuarantee {
                guarantee_fund,
                approved_on,
            },
            LoanChange::Disburse(disbursed_on, annual_rate_bp) => {
                LoanCommand::Disburse(DisburseLoan {
                    disbursed_on,
                    annual_rate_bp,
                    treasury_share_percent: self
                        .rules
                        .for_office(&loan.office)
                        .loans
                        .treasury_interest_share_percent,
                })
            }
            LoanChange::Repay(principal_fen, paid_on) => LoanCommand::Repay {
                principal_fen,
                paid_on,
            },
            LoanChange::Default(guarantee_payout_fen, defaulted_on) => LoanCommand::Default {
                guarantee_payout_fen,
                defaulted_on,
            },
        };
        let context = actor.event_context(&loan.office);
        let saved = Saved::executed(
            self.repository
                .execute_with::<Loan>(id, command, &context, ExecuteOptions::default())
                .await?,
        )?;
        self.loan_runner.settle(saved.position).await;
        Ok(saved)
    }
}
