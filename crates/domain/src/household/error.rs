//! Why a command on a household was refused.

use chrono::NaiveDate;

use super::HouseholdStatus;
use crate::ids::JobSeekerId;
use crate::refusal::{Coded, ErrorKind, Refusal};

/// A refusal by the household's `decide`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HouseholdError {
    /// A command on a household that was never declared.
    #[error("no such household")]
    NotFound,
    /// A declaration under an id already used.
    #[error("the household already exists")]
    AlreadyExists,
    /// A declaration without members.
    #[error("a household is declared with at least one working-age member")]
    NoMembers,
    /// A member named twice.
    #[error("the member {jobseeker_id} is named twice")]
    DuplicateMember {
        /// The member.
        jobseeker_id: JobSeekerId,
    },
    /// A member is employed: the household is not a zero-employment one.
    #[error("the member {jobseeker_id} is employed")]
    MemberEmployed {
        /// The member.
        jobseeker_id: JobSeekerId,
    },
    /// A declaration dated after today.
    #[error("the declaration is dated in the future")]
    DeclaredInFuture,
    /// A decision on a household that is not awaiting one.
    #[error("the household is {status}, not awaiting verification")]
    NotAwaitingVerification {
        /// Its status.
        status: HouseholdStatus,
    },
    /// A decision dated before the declaration.
    #[error("the decision is dated before the declaration on {declared_on}")]
    DecidedBeforeDeclaration {
        /// The day of the declaration.
        declared_on: NaiveDate,
    },
    /// A command for households in the register on one that is not.
    #[error("the household is {status}, not in the register")]
    NotInRegister {
        /// Its status.
        status: HouseholdStatus,
    },
    /// A date before the household entered the register.
    #[error("the date is before the household was verified on {verified_on}")]
    BeforeVerification {
        /// The day of verification.
        verified_on: NaiveDate,
    },
    /// An exit for refused referrals with fewer than the rule asks.
    #[error("a member must have refused at least {minimum} suitable referrals")]
    TooFewRefusals {
        /// The office's rule.
        minimum: u32,
    },
    /// A rejection, or an exit for another reason, without a note saying
    /// why.
    #[error("a rejection, or an exit for another reason, needs a note saying why")]
    NoteRequired,
    /// A plan without measures.
    #[error("a plan names at least one measure")]
    NoMeasures,
    /// A next contact due before the day of the plan or contact.
    #[error("the next contact is due before {on}")]
    NextContactInPast {
        /// The day of the plan or contact.
        on: NaiveDate,
    },
    /// A contact with a household that has no plan yet.
    #[error("the household has no assistance plan yet")]
    NoPlan,
    /// A member event about someone not in the household.
    #[error("{jobseeker_id} is not a member of the household")]
    NotAMember {
        /// Who.
        jobseeker_id: JobSeekerId,
    },
}

impl Coded for HouseholdError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyExists => "already_exists",
            Self::NoMembers => "household_without_members",
            Self::DuplicateMember { .. } => "duplicate_member",
            Self::MemberEmployed { .. } => "member_employed",
            Self::DeclaredInFuture => "declared_in_future",
            Self::NotAwaitingVerification { .. } => "not_awaiting_verification",
            Self::DecidedBeforeDeclaration { .. } => "decided_before_declaration",
            Self::NotInRegister { .. } => "household_not_in_register",
            Self::BeforeVerification { .. } => "before_verification",
            Self::TooFewRefusals { .. } => "too_few_refused_referrals",
            Self::NoteRequired => "note_required",
            Self::NoMeasures => "no_measures",
            Self::NextContactInPast { .. } => "next_contact_in_past",
            Self::NoPlan => "no_assistance_plan",
            Self::NotAMember { .. } => "not_a_member",
        }
    }
}

impl Refusal for HouseholdError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::AlreadyExists
            | Self::MemberEmployed { .. }
            | Self::NotAwaitingVerification { .. }
            | Self::NotInRegister { .. }
            | Self::NoPlan
            | Self::NotAMember { .. } => ErrorKind::Conflict,
            Self::NoMembers
            | Self::DuplicateMember { .. }
            | Self::DeclaredInFuture
            | Self::DecidedBeforeDeclaration { .. }
            | Self::BeforeVerification { .. }
            | Self::TooFewRefusals { .. }
            | Self::NoteRequired
            | Self::NoMeasures
            | Self::NextContactInPast { .. } => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::NoMembers | Self::DuplicateMember { .. } | Self::MemberEmployed { .. } => {
                Some("members")
            }
            Self::DeclaredInFuture => Some("declared_on"),
            Self::DecidedBeforeDeclaration { .. } | Self::BeforeVerification { .. } => Some("on"),
            Self::TooFewRefusals { .. } => Some("refused_referrals"),
            Self::NoteRequired => Some("note"),
            Self::NoMeasures => Some("measures"),
            Self::NextContactInPast { .. } => Some("next_contact_due"),
            Self::NotFound
            | Self::AlreadyExists
            | Self::NotAwaitingVerification { .. }
            | Self::NotInRegister { .. }
            | Self::NoPlan
            | Self::NotAMember { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::assert_codes_unique;

    #[test]
    fn codes_are_unique_snake_case() {
        let someone = JobSeekerId::generate();
        let day = NaiveDate::MIN;
        let status = HouseholdStatus::Declared;
        assert_codes_unique(&[
            &HouseholdError::NotFound,
            &HouseholdError::AlreadyExists,
            &HouseholdError::NoMembers,
            &HouseholdError::DuplicateMember {
                jobseeker_id: someone,
            },
            &HouseholdError::MemberEmployed {
                jobseeker_id: someone,
            },
            &HouseholdError::DeclaredInFuture,
            &HouseholdError::NotAwaitingVerification { status },
            &HouseholdError::DecidedBeforeDeclaration { declared_on: day },
            &HouseholdError::NotInRegister { status },
            &HouseholdError::BeforeVerification { verified_on: day },
            &HouseholdError::TooFewRefusals { minimum: 3 },
            &HouseholdError::NoteRequired,
            &HouseholdError::NoMeasures,
            &HouseholdError::NextContactInPast { on: day },
            &HouseholdError::NoPlan,
            &HouseholdError::NotAMember {
                jobseeker_id: someone,
            },
        ]);
    }
}
