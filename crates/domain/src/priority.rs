//! Who comes first among comparable candidates: the notice's priority for
//! members of zero-employment households (零就业家庭), decided from the
//! household register (台帐), never from what a job seeker declared.
//!
//! A job seeker counts as `zero_employment_household` while a household
//! they belong to is **registered**: verified by the office and with no
//! member in work. The notice's help runs "until a member works" (出现一户、
//! 帮扶一户、稳定一户): a cleared or stabilised household already has a
//! member in work and is dynamically cleared from the register (动态消除),
//! so its members lose the priority; one registered again gets it back; a
//! declared, rejected or exited household never gives it. The category a
//! job seeker declared at registration is kept as they declared it, but is
//! not the source of this priority (decision 093).

use std::collections::BTreeSet;

use crate::household::{Household, HouseholdStatus};
use crate::ids::JobSeekerId;
use crate::value::JobSeekerCategory;

/// Whether the members of a household in `status` come first as members
/// of a zero-employment household: only while it is registered.
pub fn household_gives_priority(status: HouseholdStatus) -> bool {
    status == HouseholdStatus::Registered
}

/// Whether `member` belongs to one of `households` that gives the
/// priority now.
pub fn in_registered_household<'a>(
    households: impl IntoIterator<Item = &'a Household>,
    member: JobSeekerId,
) -> bool {
    households.into_iter().any(|household| {
        household_gives_priority(household.status) && household.members.contains(&member)
    })
}

/// The categories a job seeker counts in for matching: those declared,
/// except `zero_employment_household`, which only the register gives.
pub fn counted_categories(
    declared: &BTreeSet<JobSeekerCategory>,
    in_registered_household: bool,
) -> BTreeSet<JobSeekerCategory> {
    let mut counted: BTreeSet<JobSeekerCategory> = declared
        .iter()
        .copied()
        .filter(|category| *category != JobSeekerCategory::ZeroEmploymentHousehold)
        .collect();
    if in_registered_household {
        counted.insert(JobSeekerCategory::ZeroEmploymentHousehold);
    }
    counted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_registered_household_gives_the_priority() {
        let giving: Vec<HouseholdStatus> = HouseholdStatus::ALL
            .iter()
            .copied()
            .filter(|status| household_gives_priority(*status))
            .collect();
        assert_eq!(giving, [HouseholdStatus::Registered]);
    }

    #[test]
    fn the_declared_category_is_replaced_by_the_registers() {
        let declared = BTreeSet::from([
            JobSeekerCategory::Graduate,
            JobSeekerCategory::ZeroEmploymentHousehold,
        ]);
        assert_eq!(
            counted_categories(&declared, false),
            BTreeSet::from([JobSeekerCategory::Graduate])
        );
        assert_eq!(
            counted_categories(&BTreeSet::new(), true),
            BTreeSet::from([JobSeekerCategory::ZeroEmploymentHousehold])
        );
        assert_eq!(counted_categories(&declared, true), declared);
    }
}
