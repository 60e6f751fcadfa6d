//! The use cases of monitoring that change something: labour-security
//! offices and monitoring points, enterprises' monthly reports and their
//! corrections, layoff pre-reports (裁员预报) with their amendments and
//! outcomes, wage-arrears cases (欠薪), and the monthly report submitted
//! to the province. Each takes the [`Actor`] and a typed command and does
//! load → authorise → decide → append, then waits for the read model to
//! apply the write so that the next read sees it; none knows HTTP.
//!
//! The office of every event is the office of the record: the county of
//! an office or a point, the region of the enterprise a report, a plan or
//! a case is about, the region a monthly report is of.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::Utc;
use labex_app::{Actor, Error, FieldError, InputError, Result, RuleBook, STAFF, Saved, new_id};
use labex_domain::Aggregate;
use labex_domain::arrears::{OpenCase, WageArrearsCase, WageArrearsCaseId, WageArrearsCommand};
use labex_domain::employer::Employer;
use labex_domain::enterprise_report::{
    EnterpriseReportCommand, EnterpriseReports, EnterpriseReportsId, FileReport, ReportFigures,
    ReportRules,
};
use labex_domain::jobseeker::JobSeeker;
use labex_domain::layoff::{
    AmendLayoffPlan, LayoffPlan, LayoffPlanCommand, LayoffPlanId, LayoffRules, PlanChanges,
    PlanDetails, RecordLayoffOutcome, ReportLayoffPlan,
};
use labex_domain::monitoring::{
    ChangeFollowedEnterprises, CoverageRules, DesignatePoint, LabourOffice, LabourOfficeCommand,
    LabourOfficeId, MonitoringPoint, MonitoringPointCommand, MonitoringPointId, Period, PointKind,
    RegisterLabourOffice,
};
use labex_domain::province_report::{MonthlyReport, MonthlyReportId, SubmitMonthlyReport};
use labex_domain::value::{DivisionCode, OrganisationName};
use labex_domain::warning::WarningRules;
use labex_domain::{EmployerId, JobSeekerId, china_date};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, ExpectedRevision, IdempotencyKey, ProjectionRunner, ReadModel,
    Repository,
};
use serde::{Deserialize, Serialize};

use crate::read_model::{self, MonitoringProjection};
use labex_web::HeldRunner;

/// Every number monitoring decides by, as data (`<data>/monitoring/rules.json`,
/// per-office overrides); each part defaults to the notice's values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitoringRules {
    /// How many monitoring points an area needs.
    pub coverage: CoverageRules,
    /// When monthly reports are due, what is a signal.
    pub reports: ReportRules,
    /// The pre-report threshold and notice.
    pub layoffs: LayoffRules,
    /// The early-warning rules.
    pub warnings: WarningRules,
}

/// A labour-security office to register, parsed.
#[derive(Debug, Clone)]
pub struct OfficeRegistration {
    pub name: OrganisationName,
    pub region: DivisionCode,
}

/// A monitoring point to designate, parsed.
#[derive(Debug, Clone)]
pub struct PointDesignation {
    pub kind: PointKind,
    pub name: OrganisationName,
    pub region: DivisionCode,
    pub labour_office_id: Option<LabourOfficeId>,
    pub employers: BTreeSet<EmployerId>,
}

/// A monthly report of an enterprise, parsed.
#[derive(Debug, Clone)]
pub struct ReportFiling {
    pub employer_id: EmployerId,
    pub period: Period,
    pub figures: ReportFigures,
}

/// A layoff plan, parsed.
#[derive(Debug, Clone)]
pub struct PlanFiling {
    pub employer_id: EmployerId,
    pub details: PlanDetails,
}

/// A wage-arrears case, parsed.
#[derive(Debug, Clone)]
pub struct CaseOpening {
    pub employer_id: EmployerId,
    pub workers: BTreeMap<JobSeekerId, u64>,
}

/// The application of monitoring: its use cases over the store, its read
/// model and its rules.
pub struct Monitoring {
    pub(crate) repository: Repository,
    pub(crate) read_model: ReadModel,
    pub(crate) runner: HeldRunner,
    pub(crate) rules: RuleBook<MonitoringRules>,
}

impl Monitoring {
    /// Opens the read model under `folder` (`readmodel.sqlite`) and the
    /// rules (`rules.json`, the defaults when absent), and starts the
    /// projection.
    pub fn open(repository: Repository, folder: &Path) -> std::result::Result<Self, String> {
        let rules = RuleBook::load(&folder.join(labex_app::RULES_FILE))
            .map_err(|error| error.to_string())?;
        let (read_model, runner): (ReadModel, ProjectionRunner) = ReadModel::start(
            &folder.join("readmodel.sqlite"),
            repository.client().clone(),
            MonitoringProjection,
        )
        .map_err(|error| error.to_string())?;
        Ok(Self {
            repository,
            read_model,
            runner: HeldRunner::new(runner),
            rules,
        })
    }

    /// The read side of the read model.
    pub fn read_model(&self) -> ReadModel {
        self.read_model.clone()
    }

    /// The rules, for the warning assessor.
    pub fn rule_book(&self) -> RuleBook<MonitoringRules> {
        self.rules.clone()
    }

    /// The projection's runner.
    pub fn runner(&self) -> &HeldRunner {
        &self.runner
    }

    /// The rules in force in `office`.
    pub fn rules_for(&self, office: &DivisionCode) -> &MonitoringRules {
        self.rules.for_office(office)
    }

    /// Registers a labour-security office (劳动保障事务所) of a county:
    /// office staff whose scope covers it.
    pub async fn register_office(
        &self,
        actor: &Actor,
        registration: OfficeRegistration,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<LabourOffice>> {
        actor.require_role(STAFF)?;
        actor.may_act_in(&registration.region)?;
        let id: LabourOfficeId = new_id(actor, key.as_ref());
        let context = actor.event_context(&registration.region);
        let command = LabourOfficeCommand::Register(RegisterLabourOffice {
            labour_office_id: id,
            name: registration.name,
            region: registration.region,
        });
        self.create::<LabourOffice>(id, command, &context, key)
            .await
    }

    /// Designates a monitoring point (监测点) following registered
    /// enterprises: office staff whose scope covers its region.
    pub async fn designate_point(
        &self,
        actor: &Actor,
        designation: PointDesignation,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<MonitoringPoint>> {
        actor.require_role(STAFF)?;
        actor.may_act_in(&designation.region)?;
        let labour_office = match designation.labour_office_id {
            None => None,
            Some(office) => match self.repository.load::<LabourOffice>(office).await?.state {
                Some(office) => Some(office),
                None => {
                    return Err(Error::Invalid(vec![FieldError::with_sentence(
                        "labour_office_id",
                        InputError::MissingField,
                        format!(
                            "labour_office_id names no registered labour-security office ({office}); register it first."
                        ),
                    )]));
                }
            },
        };
        self.check_employers("employers", &designation.employers)
            .await?;
        let id: MonitoringPointId = new_id(actor, key.as_ref());
        let context = actor.event_context(&designation.region);
        let command = MonitoringPointCommand::Designate(DesignatePoint {
            point_id: id,
            kind: designation.kind,
            name: designation.name,
            region: designation.region,
            labour_office,
            employers: designation.employers,
        });
        self.create::<MonitoringPoint>(id, command, &context, key)
            .await
    }

    /// Follows and unfollows enterprises at a point.
    pub async fn change_followed(
        &self,
        actor: &Actor,
        id: MonitoringPointId,
        follow: BTreeSet<EmployerId>,
        unfollow: BTreeSet<EmployerId>,
        if_match: Option<u64>,
    ) -> Result<Saved<MonitoringPoint>> {
        actor.require_role(STAFF)?;
        let point: MonitoringPoint = Saved::read(&self.repository, id, None, || {
            not_found("monitoring point", id)
        })
        .await?
        .state;
        actor.may_act_in(&point.region)?;
        self.check_employers("follow", &follow).await?;
        let context = actor.event_context(&point.region);
        let command =
            MonitoringPointCommand::ChangeFollowed(ChangeFollowedEnterprises { follow, unfollow });
        self.change::<MonitoringPoint>(id, command, &context, if_match, None)
            .await
    }

    /// Files an enterprise's report for a month (`correction`: corrects a
    /// month already reported): the enterprise itself, or office staff
    /// whose scope covers it.
    pub async fn file_report(
        &self,
        actor: &Actor,
        filing: ReportFiling,
        correction: bool,
    ) -> Result<Saved<EnterpriseReports>> {
        let employer = self.employer(filing.employer_id).await?;
        actor.may_act_for_employer(employer.id, &employer.region)?;
        let latest_plan = {
            let employer = employer.id.to_string();
            let until = filing.period.last_day();
            self.read_model
                .read(move |connection| read_model::latest_plan(connection, &employer, until))
                .await?
        };
        let rules = self.rules_for(&employer.region);
        let file = FileReport {
            employer_id: employer.id,
            region: employer.region.clone(),
            period: filing.period,
            figures: filing.figures,
            today: china_date(Utc::now()),
            latest_plan_reported_on: latest_plan,
            rules: rules.reports.clone(),
            layoff_rules: rules.layoffs.clone(),
        };
        let command = if correction {
            EnterpriseReportCommand::Correct(file)
        } else {
            EnterpriseReportCommand::Submit(file)
        };
        let context = actor.event_context(&employer.region);
        self.change::<EnterpriseReports>(
            EnterpriseReportsId::of(employer.id),
            command,
            &context,
            None,
            None,
        )
        .await
    }

    /// Reports a layoff plan (裁员预报): the enterprise itself or office
    /// staff whose scope covers it.
    pub async fn report_layoff_plan(
        &self,
        actor: &Actor,
        filing: PlanFiling,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<LayoffPlan>> {
        let employer = self.employer(filing.employer_id).await?;
        actor.may_act_for_employer(employer.id, &employer.region)?;
        let id: LayoffPlanId = new_id(actor, key.as_ref());
        let context = actor.event_context(&employer.region);
        let command = LayoffPlanCommand::Report(ReportLayoffPlan {
            plan_id: id,
            employer_id: employer.id,
            region: employer.region.clone(),
            details: filing.details,
            reported_on: china_date(context.at),
            rules: self.rules_for(&employer.region).layoffs.clone(),
        });
        self.create::<LayoffPlan>(id, command, &context, key).await
    }

    /// Amends a layoff plan: an event on the same plan.
    pub async fn amend_layoff_plan(
        &self,
        actor: &Actor,
        id: LayoffPlanId,
        changes: PlanChanges,
        if_match: Option<u64>,
    ) -> Result<Saved<LayoffPlan>> {
        let plan = self.plan_for_change(actor, id).await?;
        let context = actor.event_context(&plan.region);
        let command = LayoffPlanCommand::Amend(AmendLayoffPlan {
            changes,
            amended_on: china_date(context.at),
            rules: self.rules_for(&plan.region).layoffs.clone(),
        });
        self.change::<LayoffPlan>(id, command, &context, if_match, None)
            .await
    }

    /// Records how many were laid off.
    pub async fn record_layoff_outcome(
        &self,
        actor: &Actor,
        id: LayoffPlanId,
        laid_off: u32,
        if_match: Option<u64>,
    ) -> Result<Saved<LayoffPlan>> {
        let plan = self.plan_for_change(actor, id).await?;
        let context = actor.event_context(&plan.region);
        let command = LayoffPlanCommand::RecordOutcome(RecordLayoffOutcome {
            laid_off,
            recorded_on: china_date(context.at),
        });
        self.change::<LayoffPlan>(id, command, &context, if_match, None)
            .await
    }

    async fn plan_for_change(&self, actor: &Actor, id: LayoffPlanId) -> Result<LayoffPlan> {
        let plan: LayoffPlan =
            Saved::read(&self.repository, id, None, || not_found("layoff plan", id))
                .await?
                .state;
        actor.may_act_for_employer(plan.employer_id, &plan.region)?;
        Ok(plan)
    }

    /// Opens a wage-arrears case: office staff whose scope covers the
    /// employer; every worker a registered job seeker.
    pub async fn open_arrears_case(
        &self,
        actor: &Actor,
        opening: CaseOpening,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<WageArrearsCase>> {
        actor.require_role(STAFF)?;
        let employer = self.employer(opening.employer_id).await?;
        actor.may_act_in(&employer.region)?;
        let mut unknown = Vec::new();
        for (index, worker) in opening.workers.keys().enumerate() {
            if self
                .repository
                .load::<JobSeeker>(*worker)
                .await?
                .state
                .is_none()
            {
                unknown.push(FieldError::with_sentence(
                    &format!("workers[{index}].jobseeker_id"),
                    InputError::JobSeekerUnknown,
                    format!("{worker} names no registered job seeker; register the worker first."),
                ));
            }
        }
        if !unknown.is_empty() {
            return Err(Error::Invalid(unknown));
        }
        let id: WageArrearsCaseId = new_id(actor, key.as_ref());
        let context = actor.event_context(&employer.region);
        let command = WageArrearsCommand::Open(OpenCase {
            case_id: id,
            employer_id: employer.id,
            region: employer.region.clone(),
            workers: opening.workers,
            opened_on: china_date(context.at),
        });
        self.create::<WageArrearsCase>(id, command, &context, key)
            .await
    }

    /// A step of a wage-arrears case: office staff whose scope covers it.
    pub async fn act_on_case(
        &self,
        actor: &Actor,
        id: WageArrearsCaseId,
        command: WageArrearsCommand,
        if_match: Option<u64>,
    ) -> Result<Saved<WageArrearsCase>> {
        actor.require_role(STAFF)?;
        let case: WageArrearsCase = Saved::read(&self.repository, id, None, || {
            not_found("wage-arrears case", id)
        })
        .await?
        .state;
        actor.may_act_in(&case.region)?;
        let context = actor.event_context(&case.region);
        self.change::<WageArrearsCase>(id, command, &context, if_match, None)
            .await
    }

    /// Submits a region's figures of a month to the province, as they
    /// stand now: office staff of that region.
    pub async fn submit_monthly_report(
        &self,
        actor: &Actor,
        region: DivisionCode,
        period: Period,
    ) -> Result<Saved<MonthlyReport>> {
        let figures = self.monthly_figures(actor, region.clone(), period).await?;
        let context = actor.event_context(&region);
        let command = SubmitMonthlyReport {
            region: region.clone(),
            period,
            figures: figures.figures,
            at: context.at,
        };
        self.change::<MonthlyReport>(
            MonthlyReportId::of(&region, period),
            command,
            &context,
            None,
            None,
        )
        .await
    }

    /// A registered employer, or an invalid `employer_id`.
    pub(crate) async fn employer(&self, id: EmployerId) -> Result<Employer> {
        self.repository.load::<Employer>(id).await?.state.ok_or_else(|| {
            Error::Invalid(vec![FieldError::with_sentence(
                "employer_id",
                InputError::EmployerUnknown,
                format!("employer_id names no registered employer ({id}); register the employer first."),
            )])
        })
    }

    async fn check_employers(&self, field: &str, employers: &BTreeSet<EmployerId>) -> Result<()> {
        let mut unknown = Vec::new();
        for (index, employer) in employers.iter().enumerate() {
            if self
                .repository
                .load::<Employer>(*employer)
                .await?
                .state
                .is_none()
            {
                unknown.push(FieldError::with_sentence(
                    &format!("{field}[{index}]"),
                    InputError::EmployerUnknown,
                    format!(
                        "{employer} names no registered employer; register the employer first."
                    ),
                ));
            }
        }
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(unknown))
        }
    }

    /// Creates an aggregate (no stream yet), idempotently under `key`.
    async fn create<A>(
        &self,
        id: A::Id,
        command: A::Command,
        context: &EventContext,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<A>>
    where
        A: Aggregate + Send + Sync,
        A::Command: Clone + Send + Sync,
    {
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<A>(id, command, context, options)
            .await?;
        self.runner.settle(done.position).await;
        Saved::executed(done)
    }

    /// Changes an aggregate, at the revision `if_match` when given.
    async fn change<A>(
        &self,
        id: A::Id,
        command: A::Command,
        context: &EventContext,
        if_match: Option<u64>,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<A>>
    where
        A: Aggregate + Send + Sync,
        A::Command: Clone + Send + Sync,
    {
        let mut options = ExecuteOptions::default();
        if let Some(revision) = if_match {
            options = options.if_match(revision);
        }
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<A>(id, command, context, options)
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        self.runner.settle(done.position).await;
        Saved::executed(done)
    }
}

pub(crate) fn not_found(what: &str, id: impl std::fmt::Display) -> Error {
    Error::not_found(format!("No {what} {id} is recorded; check the id."))
}
