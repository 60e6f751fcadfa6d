//! What a household's stream records. The address and the office's notes
//! are the household's personal data, sealed under the household's own
//! key; members are named by their job-seeker ids only (the jobseekers
//! context keeps their personal data).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Address, Cause, ContactChannel, ExitReason, Measure};
use crate::ids::{HouseholdId, JobSeekerId};
use crate::personal::Personal;
use crate::value::{DivisionCode, Note};

/// `HouseholdDeclared` (schema 1): a household declared itself (申报).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdDeclared {
    /// The household.
    pub household_id: HouseholdId,
    /// The office that keeps its register.
    pub office: DivisionCode,
    /// Where it lives: sealed with the household's key.
    pub address: Personal<Address>,
    /// Its working-age members.
    pub members: Vec<JobSeekerId>,
    /// The day of the declaration.
    pub declared_on: NaiveDate,
    /// The last day verification is on time (the office's rule then).
    pub verification_due_on: NaiveDate,
}

/// `HouseholdVerified` (schema 1): the office verified the declaration
/// (审核); the household enters the register (台帐) as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdVerified {
    /// The household.
    pub household_id: HouseholdId,
    /// The day.
    pub verified_on: NaiveDate,
    /// The last day for its assistance plan (the office's rule then).
    pub plan_due_on: NaiveDate,
    /// The office's note: sealed with the household's key.
    pub note: Option<Personal<Note>>,
}

/// `HouseholdRejected` (schema 1): the office found it is not a
/// zero-employment household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRejected {
    /// The household.
    pub household_id: HouseholdId,
    /// The day.
    pub rejected_on: NaiveDate,
    /// The office's note: sealed with the household's key.
    pub note: Option<Personal<Note>>,
}

/// `HouseholdMemberEmployed` (schema 1): a member is employed, as another
/// context's event (`cause`) says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdMemberEmployed {
    /// The household.
    pub household_id: HouseholdId,
    /// The member.
    pub jobseeker_id: JobSeekerId,
    /// First day of work.
    pub started_on: NaiveDate,
    /// The event that says so.
    pub cause: Cause,
}

/// `HouseholdMemberUnemployed` (schema 1): a member employed before is
/// registered unemployed, as another context's event (`cause`) says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdMemberUnemployed {
    /// The household.
    pub household_id: HouseholdId,
    /// The member.
    pub jobseeker_id: JobSeekerId,
    /// The day of the unemployment registration.
    pub registered_on: NaiveDate,
    /// The event that says so.
    pub cause: Cause,
}

/// `HouseholdCleared` (schema 1): a registered household has a member in
/// work, and is cleared from the register (动态消除).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdCleared {
    /// The household.
    pub household_id: HouseholdId,
    /// The member whose employment cleared it.
    pub jobseeker_id: JobSeekerId,
    /// The day (the member's first day of work).
    pub cleared_on: NaiveDate,
    /// The day it counts as stabilised if a member is still employed then
    /// (the office's rule then).
    pub stabilises_on: NaiveDate,
    /// The member's event that caused it.
    pub cause: Cause,
}

/// `HouseholdStabilised` (schema 1): the follow-up period is over and a
/// member is still employed (稳定一户).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdStabilised {
    /// The household.
    pub household_id: HouseholdId,
    /// The member still employed.
    pub jobseeker_id: JobSeekerId,
    /// The day the follow-up period ended.
    pub stabilised_on: NaiveDate,
    /// The member's event of the employment that lasted.
    pub cause: Cause,
}

/// `HouseholdRegisteredAgain` (schema 1): no member of a cleared or
/// stabilised household is employed any more; it is registered again
/// ("appears again", 出现一户).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRegisteredAgain {
    /// The household.
    pub household_id: HouseholdId,
    /// The last member who lost work.
    pub jobseeker_id: JobSeekerId,
    /// The day.
    pub registered_on: NaiveDate,
    /// The member's event that caused it.
    pub cause: Cause,
}

/// `HouseholdExited` (schema 1): the household left the register for a
/// reason other than work, recorded by the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdExited {
    /// The household.
    pub household_id: HouseholdId,
    /// Why.
    pub reason: ExitReason,
    /// The day.
    pub exited_on: NaiveDate,
    /// The office's note: sealed with the household's key.
    pub note: Option<Personal<Note>>,
}

/// `AssistancePlanMade` (schema 1): the one-to-one assistance plan
/// (一对一帮扶计划), made or remade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistancePlanMade {
    /// The household.
    pub household_id: HouseholdId,
    /// The counsellor responsible (user id).
    pub counsellor: String,
    /// The measures planned.
    pub measures: BTreeSet<Measure>,
    /// When the next contact is due.
    pub next_contact_due: NaiveDate,
    /// The day.
    pub made_on: NaiveDate,
}

/// `AssistanceContactRecorded` (schema 1): a follow-up contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistanceContactRecorded {
    /// The household.
    pub household_id: HouseholdId,
    /// Visit, phone or online.
    pub channel: ContactChannel,
    /// What was delivered.
    pub measures: BTreeSet<Measure>,
    /// The day.
    pub contacted_on: NaiveDate,
    /// When the next contact is due.
    pub next_contact_due: NaiveDate,
    /// What was said and agreed: sealed with the household's key.
    pub note: Option<Personal<Note>>,
}

/// `AssistanceMeasureDelivered` (schema 1): a measure of one-to-one
/// assistance delivered to a member by another context, which counts on
/// the household's plan by itself: a referral made for a member
/// (`ReferralMade`) is a `job_referral`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistanceMeasureDelivered {
    /// The household.
    pub household_id: HouseholdId,
    /// The member it was delivered to.
    pub jobseeker_id: JobSeekerId,
    /// The measure.
    pub measure: Measure,
    /// The day.
    pub delivered_on: NaiveDate,
    /// The other context's event that delivered it.
    pub cause: Cause,
}

crate::domain_events! {
    /// What happens to a zero-employment household.
    pub enum HouseholdEvent in household_id {
        /// `HouseholdDeclared`.
        Declared(HouseholdDeclared) = ("HouseholdDeclared", 1)
            personal ["address" of "household_id"],
        /// `HouseholdVerified`.
        Verified(HouseholdVerified) = ("HouseholdVerified", 1)
            personal ["note" of "household_id"],
        /// `HouseholdRejected`.
        Rejected(HouseholdRejected) = ("HouseholdRejected", 1)
            personal ["note" of "household_id"],
        /// `HouseholdMemberEmployed`.
        MemberEmployed(HouseholdMemberEmployed) = ("HouseholdMemberEmployed", 1),
        /// `HouseholdMemberUnemployed`.
        MemberUnemployed(HouseholdMemberUnemployed) = ("HouseholdMemberUnemployed", 1),
        /// `HouseholdCleared`.
        Cleared(HouseholdCleared) = ("HouseholdCleared", 1),
        /// `HouseholdStabilised`.
        Stabilised(HouseholdStabilised) = ("HouseholdStabilised", 1),
        /// `HouseholdRegisteredAgain`.
        RegisteredAgain(HouseholdRegisteredAgain) = ("HouseholdRegisteredAgain", 1),
        /// `HouseholdExited`.
        Exited(HouseholdExited) = ("HouseholdExited", 1)
            personal ["note" of "household_id"],
        /// `AssistancePlanMade`.
        PlanMade(AssistancePlanMade) = ("AssistancePlanMade", 1),
        /// `AssistanceContactRecorded`.
        ContactRecorded(AssistanceContactRecorded) = ("AssistanceContactRecorded", 1)
            personal ["note" of "household_id"],
        /// `AssistanceMeasureDelivered`.
        MeasureDelivered(AssistanceMeasureDelivered) = ("AssistanceMeasureDelivered", 1),
    }
}
