//! The use cases that change a household: declare (申报) with one open
//! household per member, verify or reject (审核), exit the register, make
//! the assistance plan, record a follow-up contact. Each takes the
//! [`Actor`] and a typed command and does load → authorise → decide →
//! take turns → append; none knows HTTP. The office of every event is the
//! household's.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use labex_app::{Actor, Error, FieldError, InputError, Result, RuleBook, STAFF, Saved, new_id};
use labex_domain::household::{
    DeclareHousehold, DeclaredMember, ExitHousehold, Household, HouseholdCommand, HouseholdRules,
    MakeAssistancePlan, RecordContact, VerificationDecision, VerifyHousehold,
};
use labex_domain::jobseeker::{JobSeeker, JobSeekerStatus};
use labex_domain::{Aggregate, HouseholdId, china_date};
use labex_eventsourcing::{
    ExecuteOptions, ExpectedRevision, IdempotencyKey, ProjectionRunner, ReadModel, Repository,
    RepositoryError, StateProjection,
};

use crate::members::{release_members, take_members};
use crate::read_model::HouseholdRegister;
use crate::requests::{ContactRequest, Declaration, Departure, PlanRequest, Verification};

/// The register's database file in the service's folder.
pub const REGISTER_FILE: &str = "register.sqlite";

/// The application of households and their assistance: its use cases over
/// the store, the register read model and the offices' rules.
pub struct Assistance {
    pub(crate) repository: Repository,
    pub(crate) register: ReadModel,
    pub(crate) rules: RuleBook<HouseholdRules>,
}

impl Assistance {
    /// The application over `repository`, listing from `register`, under
    /// `rules`.
    pub fn new(
        repository: Repository,
        register: ReadModel,
        rules: RuleBook<HouseholdRules>,
    ) -> Self {
        Self {
            repository,
            register,
            rules,
        }
    }

    /// Opens the register under `folder` and starts the projection that
    /// keeps it: the application, and the runner.
    pub fn open(
        repository: Repository,
        folder: &Path,
        rules: RuleBook<HouseholdRules>,
    ) -> rusqlite::Result<(Self, ProjectionRunner)> {
        let (register, runner) = ReadModel::start(
            &folder.join(REGISTER_FILE),
            repository.client().clone(),
            StateProjection::new(HouseholdRegister),
        )?;
        Ok((Self::new(repository, register, rules), runner))
    }

    /// The repository it writes through.
    pub fn repository(&self) -> &Repository {
        &self.repository
    }

    /// The register's read side (for the stabiliser and tests).
    pub fn register_model(&self) -> ReadModel {
        self.register.clone()
    }

    /// The rules of `office`.
    pub fn rules_for(&self, office: &labex_domain::value::DivisionCode) -> &HouseholdRules {
        self.rules.for_office(office)
    }

    /// Declares a household (申报) in `declaration.office` (the actor's
    /// office when absent): office staff in scope. Every member must be a
    /// registered job seeker not employed now and in no other open
    /// household. With `key`, a retry answers as the first attempt did.
    pub async fn declare(
        &self,
        actor: &Actor,
        declaration: Declaration,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Household>> {
        actor.require_role(STAFF)?;
        let office = declaration
            .office
            .clone()
            .unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&office)?;
        let members = self.members(&declaration).await?;
        let today = china_date(Utc::now());
        let rules = self.rules.for_office(&office).clone();
        let command = |household_id| {
            HouseholdCommand::Declare(DeclareHousehold {
                household_id,
                office: office.clone(),
                address: declaration.address.clone(),
                members: members.clone(),
                declared_on: declaration.declared_on.unwrap_or(today),
                today,
                rules: rules.clone(),
            })
        };
        let id: HouseholdId = new_id(actor, key.as_ref());
        // Refuse what the domain refuses before any turn is taken.
        Household::decide(None, command(id)).map_err(Error::refused)?;
        let context = actor.event_context(&office);
        if let Some(key) = &key {
            self.repository.remember_request(key, &context).await?;
        }
        take_members(&self.repository, &declaration.members, id, &context).await?;
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.remembered_idempotency_key(key);
        }
        match self
            .repository
            .execute_with::<Household>(id, command(id), &context, options)
            .await
        {
            Ok(done) => Saved::executed(done),
            Err(RepositoryError::Conflict { .. }) => Err(Error::conflict(format!(
                "Household {id} was declared already; read it instead."
            ))),
            Err(error) => Err(error.into()),
        }
    }

    /// The declared members as the declaration must know them: each a
    /// registered job seeker (else an invalid `members[i]`), with whether
    /// they are employed now.
    async fn members(&self, declaration: &Declaration) -> Result<Vec<DeclaredMember>> {
        let mut members = Vec::with_capacity(declaration.members.len());
        let mut unknown = Vec::new();
        for (index, jobseeker_id) in declaration.members.iter().enumerate() {
            match self
                .repository
                .load::<JobSeeker>(*jobseeker_id)
                .await?
                .state
            {
                Some(jobseeker) => members.push(DeclaredMember {
                    jobseeker_id: *jobseeker_id,
                    employed: jobseeker.status == JobSeekerStatus::Employed,
                }),
                None => unknown.push(FieldError::with_sentence(
                    &format!("members[{index}]"),
                    InputError::JobSeekerUnknown,
                    format!("No job seeker {jobseeker_id} is registered; register them first."),
                )),
            }
        }
        if !unknown.is_empty() {
            return Err(Error::Invalid(unknown));
        }
        Ok(members)
    }

    /// Verifies or rejects a declaration (审核): office staff in scope. A
    /// rejected household's members are free to be declared again.
    pub async fn verify(
        &self,
        actor: &Actor,
        id: HouseholdId,
        verification: Verification,
        if_match: Option<u64>,
    ) -> Result<Saved<Household>> {
        let household = self.staff_household(actor, id).await?;
        let rules = self.rules.for_office(&household.office).clone();
        let command = HouseholdCommand::Verify(VerifyHousehold {
            decision: verification.decision,
            decided_on: verification.on.unwrap_or_else(today),
            note: verification.note,
            rules,
        });
        let saved = self.execute(actor, &household, command, if_match).await?;
        if verification.decision == VerificationDecision::Rejected {
            let context = actor.event_context(&household.office);
            release_members(&self.repository, &household.members, id, &context).await;
        }
        Ok(saved)
    }

    /// Records that a household left the register for a reason other
    /// than work: office staff in scope. Its members are free to be
    /// declared again.
    pub async fn exit(
        &self,
        actor: &Actor,
        id: HouseholdId,
        departure: Departure,
        if_match: Option<u64>,
    ) -> Result<Saved<Household>> {
        let household = self.staff_household(actor, id).await?;
        let rules = self.rules.for_office(&household.office).clone();
        let command = HouseholdCommand::Exit(ExitHousehold {
            reason: departure.reason,
            exited_on: departure.on.unwrap_or_else(today),
            refused_referrals: departure.refused_referrals,
            note: departure.note,
            rules,
        });
        let saved = self.execute(actor, &household, command, if_match).await?;
        let context = actor.event_context(&household.office);
        release_members(&self.repository, &household.members, id, &context).await;
        Ok(saved)
    }

    /// Makes (or remakes) the assistance plan of a verified household:
    /// office staff in scope; the counsellor responsible is the caller
    /// unless the plan names another.
    pub async fn make_plan(
        &self,
        actor: &Actor,
        id: HouseholdId,
        plan: PlanRequest,
        if_match: Option<u64>,
    ) -> Result<Saved<Household>> {
        let household = self.staff_household(actor, id).await?;
        let command = HouseholdCommand::MakePlan(MakeAssistancePlan {
            counsellor: plan.counsellor.unwrap_or_else(|| actor.subject.clone()),
            measures: plan.measures,
            next_contact_due: plan.next_contact_due,
            made_on: plan.made_on.unwrap_or_else(today),
        });
        self.execute(actor, &household, command, if_match).await
    }

    /// Records a follow-up contact with a household that has a plan:
    /// office staff in scope.
    pub async fn record_contact(
        &self,
        actor: &Actor,
        id: HouseholdId,
        contact: ContactRequest,
        if_match: Option<u64>,
    ) -> Result<Saved<Household>> {
        let household = self.staff_household(actor, id).await?;
        let command = HouseholdCommand::RecordContact(RecordContact {
            channel: contact.channel,
            measures: contact.measures,
            contacted_on: contact.contacted_on.unwrap_or_else(today),
            next_contact_due: contact.next_contact_due,
            note: contact.note,
        });
        self.execute(actor, &household, command, if_match).await
    }

    /// The household `id`, once `actor` is known to be office staff whose
    /// scope covers its office.
    async fn staff_household(&self, actor: &Actor, id: HouseholdId) -> Result<Household> {
        actor.require_role(STAFF)?;
        let (household, _) =
            self.repository
                .get::<Household>(id)
                .await
                .map_err(|error| match error {
                    RepositoryError::NotFound { .. } => not_found(id),
                    error => error.into(),
                })?;
        actor.may_act_in(&household.office)?;
        Ok(household)
    }

    async fn execute(
        &self,
        actor: &Actor,
        household: &Household,
        command: HouseholdCommand,
        if_match: Option<u64>,
    ) -> Result<Saved<Household>> {
        let context = actor.event_context(&household.office);
        let options = match if_match {
            Some(revision) => ExecuteOptions::default().if_match(revision),
            None => ExecuteOptions::default(),
        };
        let done = self
            .repository
            .execute_with::<Household>(household.id, command, &context, options)
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        Saved::executed(done)
    }
}

fn today() -> NaiveDate {
    china_date(Utc::now())
}

pub(crate) fn not_found(id: HouseholdId) -> Error {
    Error::not_found(format!("No household {id} was declared; check the id."))
}
