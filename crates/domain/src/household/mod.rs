//! Zero-employment households (零就业家庭) and the one-to-one assistance
//! (一对一帮扶) each gets: a household declares itself (申报) with its
//! working-age members, all registered job seekers; the office verifies
//! (审核) or rejects it; a verified household is in the register (台帐) as
//! **registered** until a member works. Its state then follows its
//! members' employment, never a button: a member employed clears it
//! (**cleared**, 动态消除), a member still employed after the follow-up
//! period stabilises it (**stabilised**, 稳定一户), and no member employed
//! any more registers it again (出现一户). Each of those moves names the
//! other context's event that caused it. Exits for other reasons (moved
//! away, no longer eligible, referrals refused) the office records.
//!
//! A verified household gets an assistance plan — the counsellor
//! responsible, the measures, the next contact due — within the office's
//! time, and each follow-up contact is recorded. A referral made for a
//! member while the household is on the register counts by itself as a
//! job referral delivered (`AssistanceMeasureDelivered`, naming the
//! referral's event). When a verification is late and when the assistance
//! is overdue are the household's own answers
//! ([`Household::verification_late_from`], [`Household::assistance_due`]).
//!
//! The periods (verification in working days, the follow-up, the plan's
//! time, the refusals that allow an exit) are the office's
//! [`HouseholdRules`], passed in the commands.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::Aggregate;
use crate::ids::{HouseholdId, JobSeekerId};
use crate::personal::Personal;
use crate::value::{DivisionCode, Note, TextError, Title};

mod commands;
mod error;
mod events;
mod rules;

pub use commands::{
    DeclareHousehold, DeclaredMember, ExitHousehold, HouseholdCommand, MakeAssistancePlan,
    RecordContact, RecordMeasureDelivered, RecordMemberEmployed, RecordMemberUnemployed,
    StabiliseHousehold, VerificationDecision, VerifyHousehold,
};
pub use error::HouseholdError;
pub use events::{
    AssistanceContactRecorded, AssistanceMeasureDelivered, AssistancePlanMade, HouseholdCleared,
    HouseholdDeclared, HouseholdEvent, HouseholdExited, HouseholdMemberEmployed,
    HouseholdMemberUnemployed, HouseholdRegisteredAgain, HouseholdRejected, HouseholdStabilised,
    HouseholdVerified,
};
pub use rules::HouseholdRules;

/// A household's address: one line of at most 100 characters. Personal
/// data: `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address(Title);

impl Address {
    /// Trims and checks the text.
    pub fn parse(input: &str) -> Result<Self, TextError> {
        Title::parse(input).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl TryFrom<String> for Address {
    type Error = TextError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Address> for String {
    fn from(value: Address) -> Self {
        value.0.into()
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Address(***)")
    }
}

/// Another context's event that moved a household: its id and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cause {
    /// The event's id in the store.
    pub event_id: Uuid,
    /// Its type (`EmploymentRegistered`, `ReferralOutcomeRecorded`, …).
    pub event_type: String,
}

/// A name that is none of a closed list's (a status, a reason, a
/// measure), with the stable code of the list (`exit_reason.unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be one of {}", .expected.join(", "))]
pub struct UnknownName {
    /// The stable code.
    pub code: &'static str,
    /// The names allowed, for the message.
    pub expected: &'static [&'static str],
}

impl crate::refusal::Coded for UnknownName {
    fn code(&self) -> &'static str {
        self.code
    }
}

macro_rules! snake_enum {
    ($(#[$meta:meta])* $name:ident ($code:literal) { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The snake_case name used in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }

            /// The value of its snake_case name.
            pub fn parse(text: &str) -> Result<Self, UnknownName> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == text.trim())
                    .ok_or(UnknownName {
                        code: $code,
                        expected: &[$($text),*],
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}

snake_enum! {
    /// Where a household stands.
    HouseholdStatus ("household_status.unknown") {
        /// Declared, awaiting verification (申报).
        Declared => "declared",
        /// Rejected on verification.
        Rejected => "rejected",
        /// In the register, no member employed (登记在册).
        Registered => "registered",
        /// A member is employed (动态消除).
        Cleared => "cleared",
        /// A member still employed after the follow-up period (稳定).
        Stabilised => "stabilised",
        /// Left the register for another reason.
        Exited => "exited",
    }
}

impl HouseholdStatus {
    /// Whether the household is in the register (verified, not exited).
    pub fn in_register(self) -> bool {
        matches!(self, Self::Registered | Self::Cleared | Self::Stabilised)
    }

    /// Whether the household is closed: its members are free to be
    /// declared in another.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Rejected | Self::Exited)
    }
}

snake_enum! {
    /// Why a household left the register, other than work.
    ExitReason ("exit_reason.unknown") {
        /// It moved out of the office's area.
        MovedAway => "moved_away",
        /// It no longer meets the conditions (a member retired, …).
        NoLongerEligible => "no_longer_eligible",
        /// A member refused suitable referrals (as many as the rule says).
        RefusedReferrals => "refused_referrals",
        /// Another reason, said in the note.
        Other => "other",
    }
}

snake_enum! {
    /// A measure of one-to-one assistance.
    Measure ("measure.unknown") {
        /// Policy consultation (政策咨询).
        PolicyConsultation => "policy_consultation",
        /// Job referral (职业介绍).
        JobReferral => "job_referral",
        /// Vocational training (职业培训).
        Training => "training",
        /// A public-welfare post (公益性岗位).
        PublicWelfarePost => "public_welfare_post",
        /// Entrepreneurship support (创业扶持).
        EntrepreneurshipSupport => "entrepreneurship_support",
    }
}

snake_enum! {
    /// How a follow-up contact was made.
    ContactChannel ("contact_channel.unknown") {
        /// A home visit (入户走访).
        Visit => "visit",
        /// By phone.
        Phone => "phone",
        /// Online.
        Online => "online",
    }
}

/// A member's current job, as the household knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberEmployment {
    /// First day of work.
    pub since: NaiveDate,
    /// The event that said so.
    pub cause: Cause,
}

/// The office's decision on the declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Verified (true) or rejected.
    pub verified: bool,
    /// The day.
    pub on: NaiveDate,
    /// The office's note.
    pub note: Option<Personal<Note>>,
}

/// The last move of the household's status that its members caused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMove {
    /// The status it moved to.
    pub status: HouseholdStatus,
    /// The day.
    pub on: NaiveDate,
    /// The member.
    pub jobseeker_id: JobSeekerId,
    /// The member's event.
    pub cause: Cause,
}

/// Why and when the household left the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exit {
    /// Why.
    pub reason: ExitReason,
    /// The day.
    pub on: NaiveDate,
    /// The office's note.
    pub note: Option<Personal<Note>>,
}

/// The assistance plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The counsellor responsible.
    pub counsellor: String,
    /// The measures planned.
    pub measures: BTreeSet<Measure>,
    /// The day it was made.
    pub made_on: NaiveDate,
}

/// A household, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// Its id.
    pub id: HouseholdId,
    /// The office that keeps its register.
    pub office: DivisionCode,
    /// Where it lives; erased when its key is destroyed.
    pub address: Personal<Address>,
    /// Its working-age members.
    pub members: Vec<JobSeekerId>,
    /// Where it stands.
    pub status: HouseholdStatus,
    /// The day of the declaration.
    pub declared_on: NaiveDate,
    /// The last day verification is on time.
    pub verification_due_on: NaiveDate,
    /// The office's decision, once made.
    pub decision: Option<Decision>,
    /// The last day for its plan, once verified.
    pub plan_due_on: Option<NaiveDate>,
    /// The members employed now.
    pub employed: BTreeMap<JobSeekerId, MemberEmployment>,
    /// Every other context's event already taken into account.
    pub causes: BTreeSet<Uuid>,
    /// The last move its members caused.
    pub last_move: Option<StatusMove>,
    /// For a cleared household: when it counts as stabilised.
    pub stabilises_on: Option<NaiveDate>,
    /// Why it left the register, if it did.
    pub exit: Option<Exit>,
    /// Its assistance plan.
    pub plan: Option<Plan>,
    /// When the next contact is due, once there is a plan.
    pub next_contact_due: Option<NaiveDate>,
    /// Contacts recorded.
    pub contacts: u32,
    /// The day of the last contact.
    pub last_contact_on: Option<NaiveDate>,
    /// The measures delivered so far, each with how often: those of the
    /// contacts and those other contexts delivered (a referral made for
    /// a member is a job referral).
    #[serde(default)]
    pub measures_delivered: BTreeMap<Measure, u32>,
}

impl Household {
    /// The day it was verified, if it was.
    pub fn verified_on(&self) -> Option<NaiveDate> {
        self.decision
            .as_ref()
            .filter(|decision| decision.verified)
            .map(|decision| decision.on)
    }

    /// The first day its verification counts as late, if it ever does:
    /// the day after its due day when it was decided after it or is still
    /// undecided; `None` when it was decided in time. Independent of
    /// today, so that a read model may keep it and select on it.
    pub fn verification_late_from(&self) -> Option<NaiveDate> {
        let late_from = self.verification_due_on.succ_opt()?;
        match &self.decision {
            Some(decision) => (decision.on >= late_from).then_some(late_from),
            None => (self.status == HouseholdStatus::Declared).then_some(late_from),
        }
    }

    /// Whether its verification is (or was) late on `today`: decided after
    /// its due day, or still undecided past it.
    pub fn verification_late(&self, today: NaiveDate) -> bool {
        self.verification_late_from()
            .is_some_and(|late_from| today >= late_from)
    }

    /// What of its assistance falls due, if it is followed up (registered
    /// or cleared: in the register and not yet stabilised): the plan by
    /// its due day while it has none, then each next contact by its day.
    /// Overdue from the day after ([`Overdue::from`]); independent of
    /// today, so that a read model may keep it and select on it.
    pub fn assistance_due(&self) -> Option<Overdue> {
        if !matches!(
            self.status,
            HouseholdStatus::Registered | HouseholdStatus::Cleared
        ) {
            return None;
        }
        let (reason, due_on) = match &self.plan {
            None => (OverdueReason::PlanMissing, self.plan_due_on?),
            Some(_) => (OverdueReason::ContactOverdue, self.next_contact_due?),
        };
        Some(Overdue {
            reason,
            due_on,
            from: due_on.succ_opt().unwrap_or(NaiveDate::MAX),
        })
    }

    /// Whether its assistance is overdue on `today` (a plan missing past
    /// its due day, or a next contact past its day), and which.
    pub fn overdue_on(&self, today: NaiveDate) -> Option<Overdue> {
        self.assistance_due().filter(|due| today >= due.from)
    }
}

snake_enum! {
    /// Why a household's assistance is overdue.
    OverdueReason ("overdue_reason.unknown") {
        /// Verified, and no plan by its due day.
        PlanMissing => "plan_missing",
        /// The plan's next contact is past its day.
        ContactOverdue => "contact_overdue",
    }
}

/// What of a household's assistance falls due, and from when it is
/// overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    /// The plan or the next contact.
    pub reason: OverdueReason,
    /// The last day in time.
    pub due_on: NaiveDate,
    /// The first day overdue.
    pub from: NaiveDate,
}

impl Aggregate for Household {
    type Id = HouseholdId;
    type Command = HouseholdCommand;
    type Event = HouseholdEvent;
    type Error = HouseholdError;

    fn decide(
        state: Option<&Self>,
        command: HouseholdCommand,
    ) -> Result<Vec<HouseholdEvent>, HouseholdError> {
        match (state, command) {
            (None, HouseholdCommand::Declare(declare)) => declare_household(declare),
            (Some(_), HouseholdCommand::Declare(_)) => Err(HouseholdError::AlreadyExists),
            (None, _) => Err(HouseholdError::NotFound),
            (Some(household), HouseholdCommand::Verify(verify)) => {
                verify_household(household, verify)
            }
            (Some(household), HouseholdCommand::RecordMemberEmployed(employed)) => {
                member_employed(household, employed)
            }
            (Some(household), HouseholdCommand::RecordMemberUnemployed(unemployed)) => {
                member_unemployed(household, unemployed)
            }
            (Some(household), HouseholdCommand::RecordMeasureDelivered(delivered)) => {
                measure_delivered(household, delivered)
            }
            (Some(household), HouseholdCommand::Stabilise(stabilise)) => {
                Ok(stabilise_household(household, &stabilise))
            }
            (Some(household), HouseholdCommand::Exit(exit)) => exit_household(household, exit),
            (Some(household), HouseholdCommand::MakePlan(plan)) => make_plan(household, plan),
            (Some(household), HouseholdCommand::RecordContact(contact)) => {
                record_contact(household, contact)
            }
        }
    }

    fn evolve(state: Option<Self>, event: &HouseholdEvent) -> Option<Self> {
        match (state, event) {
            (None, HouseholdEvent::Declared(declared)) => Some(Household {
                id: declared.household_id,
                office: declared.office.clone(),
                address: declared.address.clone(),
                members: declared.members.clone(),
                status: HouseholdStatus::Declared,
                declared_on: declared.declared_on,
                verification_due_on: declared.verification_due_on,
                decision: None,
                plan_due_on: None,
                employed: BTreeMap::new(),
                causes: BTreeSet::new(),
                last_move: None,
                stabilises_on: None,
                exit: None,
                plan: None,
                next_contact_due: None,
                contacts: 0,
                last_contact_on: None,
                measures_delivered: BTreeMap::new(),
            }),
            (Some(mut household), event) => {
                apply(&mut household, event);
                Some(household)
            }
            (None, _) => None,
        }
    }
}

fn apply(household: &mut Household, event: &HouseholdEvent) {
    match event {
        HouseholdEvent::Declared(_) => {}
        HouseholdEvent::Verified(verified) => {
            household.status = HouseholdStatus::Registered;
            household.plan_due_on = Some(verified.plan_due_on);
            household.decision = Some(Decision {
                verified: true,
                on: verified.verified_on,
                note: verified.note.clone(),
            });
        }
        HouseholdEvent::Rejected(rejected) => {
            household.status = HouseholdStatus::Rejected;
            household.decision = Some(Decision {
                verified: false,
                on: rejected.rejected_on,
                note: rejected.note.clone(),
            });
        }
        HouseholdEvent::MemberEmployed(employed) => {
            household.causes.insert(employed.cause.event_id);
            household.employed.insert(
                employed.jobseeker_id,
                MemberEmployment {
                    since: employed.started_on,
                    cause: employed.cause.clone(),
                },
            );
        }
        HouseholdEvent::MemberUnemployed(unemployed) => {
            household.causes.insert(unemployed.cause.event_id);
            household.employed.remove(&unemployed.jobseeker_id);
        }
        HouseholdEvent::Cleared(cleared) => {
            household.status = HouseholdStatus::Cleared;
            household.stabilises_on = Some(cleared.stabilises_on);
            household.last_move = Some(StatusMove {
                status: HouseholdStatus::Cleared,
                on: cleared.cleared_on,
                jobseeker_id: cleared.jobseeker_id,
                cause: cleared.cause.clone(),
            });
        }
        HouseholdEvent::Stabilised(stabilised) => {
            household.status = HouseholdStatus::Stabilised;
            household.stabilises_on = None;
            household.last_move = Some(StatusMove {
                status: HouseholdStatus::Stabilised,
                on: stabilised.stabilised_on,
                jobseeker_id: stabilised.jobseeker_id,
                cause: stabilised.cause.clone(),
            });
        }
        HouseholdEvent::RegisteredAgain(again) => {
            household.status = HouseholdStatus::Registered;
            household.stabilises_on = None;
            household.last_move = Some(StatusMove {
                status: HouseholdStatus::Registered,
                on: again.registered_on,
                jobseeker_id: again.jobseeker_id,
                cause: again.cause.clone(),
            });
        }
        HouseholdEvent::Exited(exited) => {
            household.status = HouseholdStatus::Exited;
            household.stabilises_on = None;
            household.exit = Some(Exit {
                reason: exited.reason,
                on: exited.exited_on,
                note: exited.note.clone(),
            });
        }
        HouseholdEvent::PlanMade(plan) => {
            household.plan = Some(Plan {
                counsellor: plan.counsellor.clone(),
                measures: plan.measures.clone(),
                made_on: plan.made_on,
            });
            household.next_contact_due = Some(plan.next_contact_due);
        }
        HouseholdEvent::ContactRecorded(contact) => {
            household.contacts += 1;
            household.last_contact_on = Some(
                household
                    .last_contact_on
                    .map_or(contact.contacted_on, |last| last.max(contact.contacted_on)),
            );
            household.next_contact_due = Some(contact.next_contact_due);
            for measure in &contact.measures {
                *household.measures_delivered.entry(*measure).or_default() += 1;
            }
        }
        HouseholdEvent::MeasureDelivered(delivered) => {
            household.causes.insert(delivered.cause.event_id);
            *household
                .measures_delivered
                .entry(delivered.measure)
                .or_default() += 1;
        }
    }
}

fn declare_household(declare: DeclareHousehold) -> Result<Vec<HouseholdEvent>, HouseholdError> {
    if declare.members.is_empty() {
        return Err(HouseholdError::NoMembers);
    }
    let mut seen = BTreeSet::new();
    for member in &declare.members {
        if !seen.insert(member.jobseeker_id) {
            return Err(HouseholdError::DuplicateMember {
                jobseeker_id: member.jobseeker_id,
            });
        }
    }
    if let Some(employed) = declare.members.iter().find(|member| member.employed) {
        return Err(HouseholdError::MemberEmployed {
            jobseeker_id: employed.jobseeker_id,
        });
    }
    if declare.declared_on > declare.today {
        return Err(HouseholdError::DeclaredInFuture);
    }
    Ok(vec![HouseholdEvent::Declared(HouseholdDeclared {
        household_id: declare.household_id,
        office: declare.office,
        address: Personal::Known(declare.address),
        members: declare
            .members
            .iter()
            .map(|member| member.jobseeker_id)
            .collect(),
        declared_on: declare.declared_on,
        verification_due_on: declare.rules.verification_due(declare.declared_on),
    })])
}

fn verify_household(
    household: &Household,
    verify: VerifyHousehold,
) -> Result<Vec<HouseholdEvent>, HouseholdError> {
    if household.status != HouseholdStatus::Declared {
        return Err(HouseholdError::NotAwaitingVerification {
            status: household.status,
        });
    }
    if verify.decided_on < household.declared_on {
        return Err(HouseholdError::DecidedBeforeDeclaration {
            declared_on: household.declared_on,
        });
    }
    let note = verify.note.map(Personal::Known);
    match verify.decision {
        VerificationDecision::Verified => {
            if let Some(jobseeker_id) = household.employed.keys().next() {
                return Err(HouseholdError::MemberEmployed {
                    jobseeker_id: *jobseeker_id,
                });
            }
            Ok(vec![HouseholdEvent::Verified(HouseholdVerified {
                household_id: household.id,
                verified_on: verify.decided_on,
                plan_due_on: verify.rules.plan_due(verify.decided_on),
                note,
            })])
        }
        // A rejection says why: the household is told, and may appeal.
        VerificationDecision::Rejected if note.is_none() => Err(HouseholdError::NoteRequired),
        VerificationDecision::Rejected => Ok(vec![HouseholdEvent::Rejected(HouseholdRejected {
            household_id: household.id,
            rejected_on: verify.decided_on,
            note,
        })]),
    }
}

/// A member's employment is a fact: recorded while the household is open
/// (so that verification knows it), once per causing event and while the
/// member is not known employed already; a registered household is then
/// cleared.
fn member_employed(
    household: &Household,
    employed: RecordMemberEmployed,
) -> Result<Vec<HouseholdEvent>, HouseholdError> {
    if !household.members.contains(&employed.jobseeker_id) {
        return Err(HouseholdError::NotAMember {
            jobseeker_id: employed.jobseeker_id,
        });
    }
    if household.status.is_closed()
        || household.causes.contains(&employed.cause.event_id)
        || household.employed.contains_key(&employed.jobseeker_id)
    {
        return Ok(vec![]);
    }
    let mut events = vec![HouseholdEvent::MemberEmployed(HouseholdMemberEmployed {
        household_id: household.id,
        jobseeker_id: employed.jobseeker_id,
        started_on: employed.started_on,
        cause: employed.cause.clone(),
    })];
    if household.status == HouseholdStatus::Registered {
        events.push(HouseholdEvent::Cleared(HouseholdCleared {
            household_id: household.id,
            jobseeker_id: employed.jobseeker_id,
            cleared_on: employed.started_on,
            stabilises_on: employed.rules.stabilises_on(employed.started_on),
            cause: employed.cause,
        }));
    }
    Ok(events)
}

/// A member employed before registered unemployed: recorded once; a
/// cleared or stabilised household with no member employed any more is
/// registered again.
fn member_unemployed(
    household: &Household,
    unemployed: RecordMemberUnemployed,
) -> Result<Vec<HouseholdEvent>, HouseholdError> {
    if !household.members.contains(&unemployed.jobseeker_id) {
        return Err(HouseholdError::NotAMember {
            jobseeker_id: unemployed.jobseeker_id,
        });
    }
    if household.status.is_closed()
        || household.causes.contains(&unemployed.cause.event_id)
        || !household.employed.contains_key(&unemployed.jobseeker_id)
    {
        return Ok(vec![]);
    }
    let mut events = vec![HouseholdEvent::MemberUnemployed(
        HouseholdMemberUnemployed {
            household_id: household.id,
            jobseeker_id: unemployed.jobseeker_id,
            registered_on: unemployed.registered_on,
            cause: unemployed.cause.clone(),
        },
    )];
    let nobody_else = household.employed.len() == 1;
    let moved_out = matches!(
        household.status,
        HouseholdStatus::Cleared | HouseholdStatus::Stabilised
    );
    if nobody_else && moved_out {
        events.push(HouseholdEvent::RegisteredAgain(HouseholdRegisteredAgain {
            household_id: household.id,
            jobseeker_id: unemployed.jobseeker_id,
            registered_on: unemployed.registered_on,
            cause: unemployed.cause,
        }));
    }
    Ok(events)
}

/// A measure another context delivered to a member (a referral made for
/// them) counts on the household's assistance while it is in the
/// register: once per causing event, and only from its verification on
/// (a referral before the household entered the register, seen late,
/// was no help to a household on the register). A household not in the
/// register ignores it.
fn measure_delivered(
    household: &Household,
    delivered: RecordMeasureDelivered,
) -> Result<Vec<HouseholdEvent>, HouseholdError> {
    if !household.members.contains(&delivered.jobseeker_id) {
        return Err(HouseholdError::NotAMember {
            jobseeker_id: delivered.jobseeker_id,
        });
    }
    let Some(verified_on) = household.verified_on() else {
        return Ok(vec![]);
    };
    if !household.status.in_register()
        || delivered.delivered_on < verified_on
        || household.causes.contains(&delivered.cause.event_id)
    {
        return Ok(vec![]);
    }
    Ok(vec![HouseholdEvent::MeasureDelivered(
        AssistanceMeasureDelivered {
            household_id: household.id,
            jobseeker_id: delivered.jobseeker_id,
            measure: delivered.measure,
            delivered_on: delivered.delivered_on,
            cause: delivered.cause,
        },
    )])
}

/// A cleared household whose follow-up period is over with a member still
/// employed is stabilised, naming the employment that lasted longest;
/// anything else is left as it is.
fn stabilise_household(
    household: &Household,
    stabilise: &StabiliseHousehold,
) -> Vec<HouseholdEvent> {
    let Some(stabilises_on) = household.stabilises_on else {
        return vec![];
    };
    if household.status != HouseholdStatus::Cleared || stabilise.today < stabilises_on {
        return vec![];
    }
    let Some((jobseeker_id, employment)) = household
        .employed
        .iter()
        .min_by_key(|(id, employment)| (employment.since, **id))
    else {
        return vec![];
    };
    vec![HouseholdEvent::Stabilised(HouseholdStabilised {
        household_id: household.id,
        jobseeker_id: *jobseeker_id,
        stabilised_on: stabilises_on,
        cause: employment.cause.clone(),
    })]
}

fn exit_household(
    household: &Household,
    exit: ExitHousehold,
) -> Result<Vec<HouseholdEvent>, HouseholdError> {
    let verified_on = in_register(household)?;
    if exit.exited_on < verified_on {
        return Err(HouseholdError::BeforeVerification { verified_on });
    }
    match exit.reason {
        ExitReason::RefusedReferrals => {
            let minimum = exit.rules.refused_referrals_for_exit;
            if exit.refused_referrals.unwrap_or(0) < minimum {
                return Err(HouseholdError::TooFewRefusals { minimum });
            }
        }
        ExitReason::Other if exit.note.is_none() => return Err(HouseholdError::NoteRequired),
        _ => {}
    }
    Ok(vec![HouseholdEvent::Exited(HouseholdExited {
        household_id: household.id,
        reason: exit.reason,
        exited_on: exit.exited_on,
        note: exit.note.map(Personal::Known),
    })])
}

fn make_plan(
    household: &Household,
    plan: MakeAssistancePlan,
) -> Result<Vec<HouseholdEvent>, HouseholdError> {
    let verified_on = in_register(household)?;
    if plan.made_on < verified_on {
        return Err(HouseholdError::BeforeVerification { verified_on });
    }
    if plan.measures.is_empty() {
        return Err(HouseholdError::NoMeasures);
    }
    if plan.next_contact_due < plan.made_on {
        return Err(HouseholdError::NextContactInPast { on: plan.made_on });
    }
    Ok(vec![HouseholdEvent::PlanMade(AssistancePlanMade {
        household_id: household.id,
        counsellor: plan.counsellor,
        measures: plan.measures,
        next_contact_due: plan.next_contact_due,
        made_on: plan.made_on,
    })])
}

fn record_contact(
    household: &Household,
    contact: RecordContact,
) -> Result<Vec<HouseholdEvent>, HouseholdError> {
    let verified_on = in_register(household)?;
    if household.plan.is_none() {
        return Err(HouseholdError::NoPlan);
    }
    if contact.contacted_on < verified_on {
        return Err(HouseholdError::BeforeVerification { verified_on });
    }
    if contact.next_contact_due < contact.contacted_on {
        return Err(HouseholdError::NextContactInPast {
            on: contact.contacted_on,
        });
    }
    Ok(vec![HouseholdEvent::ContactRecorded(
        AssistanceContactRecorded {
            household_id: household.id,
            channel: contact.channel,
            measures: contact.measures,
            contacted_on: contact.contacted_on,
            next_contact_due: contact.next_contact_due,
            note: contact.note.map(Personal::Known),
        },
    )])
}

/// The day a household in the register was verified, or why it is not in
/// the register.
fn in_register(household: &Household) -> Result<NaiveDate, HouseholdError> {
    match household.verified_on() {
        Some(verified_on) if household.status.in_register() => Ok(verified_on),
        _ => Err(HouseholdError::NotInRegister {
            status: household.status,
        }),
    }
}
