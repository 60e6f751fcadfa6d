//! One open household per member: each job seeker named in a declaration
//! has a turn stream (`householdmember-<jobseeker id>`) whose latest turn
//! names the household they belong to. A declaration takes the turn of
//! every member; a member whose turn is held by an open household cannot
//! be declared again, one held by a closed household (rejected, exited)
//! or by a declaration that never completed is taken over. A rejection or
//! exit hands the turns back. The process manager reads the same turn to
//! learn a member's household (decision record 060).

use std::time::Duration;

use labex_app::{Error, Result};
use labex_domain::household::Household;
use labex_domain::{HouseholdId, JobSeekerId};
use labex_eventsourcing::{EventContext, Repository, RepositoryError, Turn};

/// The category of the members' turn streams.
pub const MEMBER_TURN_CATEGORY: &str = "householdmember";

/// How long a turn taken for a household that does not exist yet is left
/// to its declaration before another may take it over.
const DECLARATION_GRACE: Duration = Duration::from_secs(30);

/// How often a turn is judged again after another was taken in between.
const TURN_ATTEMPTS: usize = 4;

/// The turn stream of `member`.
pub fn member_stream(member: JobSeekerId) -> String {
    format!("{MEMBER_TURN_CATEGORY}-{member}")
}

/// The household `member` belongs to now, if any (closed ones included:
/// their decisions ignore what members do).
pub async fn household_of(
    repository: &Repository,
    member: JobSeekerId,
) -> Result<Option<HouseholdId>, RepositoryError> {
    let turn = repository.latest_turn(&member_stream(member)).await?;
    Ok(turn
        .and_then(|turn| turn.holder)
        .map(HouseholdId::from_uuid))
}

/// Takes the turn of every member for `household`, or none: a member in
/// another open household is a conflict naming it, and the turns taken
/// before are handed back.
pub async fn take_members(
    repository: &Repository,
    members: &[JobSeekerId],
    household: HouseholdId,
    context: &EventContext,
) -> Result<()> {
    let mut taken: Vec<(JobSeekerId, Turn)> = Vec::with_capacity(members.len());
    for member in members {
        match take_member(repository, *member, household, context).await {
            Ok(turn) => taken.push((*member, turn)),
            Err(error) => {
                for (member, turn) in &taken {
                    if let Err(failed) = repository
                        .hand_back_turn(&member_stream(*member), turn, context)
                        .await
                    {
                        tracing::warn!(%member, error = %failed, "a member's turn could not be handed back");
                    }
                }
                return Err(error);
            }
        }
    }
    Ok(())
}

async fn take_member(
    repository: &Repository,
    member: JobSeekerId,
    household: HouseholdId,
    context: &EventContext,
) -> Result<Turn> {
    let stream = member_stream(member);
    for _ in 0..TURN_ATTEMPTS {
        let latest = repository.latest_turn(&stream).await?;
        if let Some(turn) = &latest
            && let Some(holder) = turn.holder
        {
            if holder == household.as_uuid() {
                // A retry of this declaration.
                return Ok(turn.clone());
            }
            let other = HouseholdId::from_uuid(holder);
            match repository.load::<Household>(other).await?.state {
                Some(open) if !open.status.is_closed() => {
                    return Err(Error::conflict(format!(
                        "Job seeker {member} is a member of household {other}, which is still open; a person may be in one open household only."
                    )));
                }
                None if (context.at - turn.at).to_std().unwrap_or_default() < DECLARATION_GRACE => {
                    return Err(Error::conflict(format!(
                        "Job seeker {member} is being declared in another household at this moment; retry in a minute."
                    )));
                }
                _ => {}
            }
        }
        if let Some(turn) = repository
            .take_turn(&stream, household.as_uuid(), latest.as_ref(), context)
            .await?
        {
            return Ok(turn);
        }
    }
    Err(Error::conflict(
        "Another declaration names the same member at this moment; retry the request.",
    ))
}

/// Hands back the turns `household` holds of `members` (after a rejection
/// or an exit), so that each may be declared again. A turn another has
/// taken since is left alone; a failure is logged, not answered: a closed
/// household's turn is taken over anyway.
pub async fn release_members(
    repository: &Repository,
    members: &[JobSeekerId],
    household: HouseholdId,
    context: &EventContext,
) {
    for member in members {
        let stream = member_stream(*member);
        let released = async {
            match repository.latest_turn(&stream).await? {
                Some(turn) if turn.holder == Some(household.as_uuid()) => {
                    repository.hand_back_turn(&stream, &turn, context).await?;
                    Ok(())
                }
                _ => Ok::<(), RepositoryError>(()),
            }
        };
        if let Err(error) = released.await {
            tracing::warn!(%member, %error, "a member's turn could not be handed back");
        }
    }
}
