//! What may be asked of a household.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::{Address, Cause, ContactChannel, ExitReason, HouseholdRules, Measure};
use crate::ids::{HouseholdId, JobSeekerId};
use crate::value::{DivisionCode, Note};

/// A member named in a declaration, with what the declaration must know
/// of them: whether they are employed now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredMember {
    /// The registered job seeker.
    pub jobseeker_id: JobSeekerId,
    /// Whether their registration says they are employed now.
    pub employed: bool,
}

/// Declare a household (申报): its office, address and working-age members.
/// That no member is in another open household is for the caller to
/// establish (a turn stream per member): a fact about other aggregates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclareHousehold {
    /// The new household's id.
    pub household_id: HouseholdId,
    /// The office that keeps its register.
    pub office: DivisionCode,
    /// Where the household lives (personal).
    pub address: Address,
    /// Its working-age members, registered job seekers.
    pub members: Vec<DeclaredMember>,
    /// The day of the declaration.
    pub declared_on: NaiveDate,
    /// Today, in China: a declaration is not dated in the future.
    pub today: NaiveDate,
    /// The office's rules (the time for verification).
    pub rules: HouseholdRules,
}

/// The office's decision on a declaration (审核).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerificationDecision {
    /// A zero-employment household: it enters the register (台帐).
    Verified,
    /// Not one.
    Rejected,
}

/// Verify or reject a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyHousehold {
    /// Verified or rejected.
    pub decision: VerificationDecision,
    /// The day of the decision.
    pub decided_on: NaiveDate,
    /// The office's note (personal: it is about the household).
    pub note: Option<Note>,
    /// The office's rules (the time for the plan).
    pub rules: HouseholdRules,
}

/// A member's employment, as the process manager saw it in another
/// context's event: an employment registration or a hire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMemberEmployed {
    /// The member.
    pub jobseeker_id: JobSeekerId,
    /// First day of work.
    pub started_on: NaiveDate,
    /// The event that says so.
    pub cause: Cause,
    /// The office's rules (the follow-up period).
    pub rules: HouseholdRules,
}

/// A member's unemployment registration, as the process manager saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMemberUnemployed {
    /// The member.
    pub jobseeker_id: JobSeekerId,
    /// The day of the registration.
    pub registered_on: NaiveDate,
    /// The event that says so.
    pub cause: Cause,
}

/// A measure delivered to a member by another context, as the process
/// manager saw it: a referral made for the member is a job referral
/// (职业介绍) that counts on the household's plan by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMeasureDelivered {
    /// The member.
    pub jobseeker_id: JobSeekerId,
    /// The measure.
    pub measure: Measure,
    /// The day, in China.
    pub delivered_on: NaiveDate,
    /// The event that delivered it.
    pub cause: Cause,
}

/// Look whether a cleared household's follow-up period is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StabiliseHousehold {
    /// Today, in China.
    pub today: NaiveDate,
}

/// A household leaves the register for a reason other than work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitHousehold {
    /// Why.
    pub reason: ExitReason,
    /// The day.
    pub exited_on: NaiveDate,
    /// For [`ExitReason::RefusedReferrals`]: how many suitable referrals
    /// a member refused.
    pub refused_referrals: Option<u32>,
    /// The office's note (required for [`ExitReason::Other`]).
    pub note: Option<Note>,
    /// The office's rules (the refusals that allow an exit).
    pub rules: HouseholdRules,
}

/// The one-to-one assistance plan (一对一帮扶计划) of a verified household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeAssistancePlan {
    /// The counsellor responsible (their user id).
    pub counsellor: String,
    /// The measures planned.
    pub measures: BTreeSet<Measure>,
    /// When the next contact is due.
    pub next_contact_due: NaiveDate,
    /// The day the plan was made.
    pub made_on: NaiveDate,
}

/// A follow-up contact (跟踪服务) with a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordContact {
    /// Visit, phone or online.
    pub channel: ContactChannel,
    /// What was delivered.
    pub measures: BTreeSet<Measure>,
    /// The day of the contact.
    pub contacted_on: NaiveDate,
    /// When the next contact is due.
    pub next_contact_due: NaiveDate,
    /// What was said and agreed (personal).
    pub note: Option<Note>,
}

/// What may be asked of a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HouseholdCommand {
    /// Declare.
    Declare(DeclareHousehold),
    /// Verify or reject.
    Verify(VerifyHousehold),
    /// A member is employed.
    RecordMemberEmployed(RecordMemberEmployed),
    /// A member is unemployed.
    RecordMemberUnemployed(RecordMemberUnemployed),
    /// A measure was delivered to a member by another context.
    RecordMeasureDelivered(RecordMeasureDelivered),
    /// The follow-up period may be over.
    Stabilise(StabiliseHousehold),
    /// Leave the register.
    Exit(ExitHousehold),
    /// Make (or remake) the assistance plan.
    MakePlan(MakeAssistancePlan),
    /// Record a follow-up contact.
    RecordContact(RecordContact),
}
