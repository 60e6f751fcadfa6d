//! What creating an aggregate takes beyond one append: the id of the new
//! record ([`new_id`]: a retry with the same `Idempotency-Key` names the
//! same record), and, for a record whose key must be unique across
//! aggregates (a resident ID number, a unified social credit code), the
//! claim of that key before the record is written ([`create_claimed`],
//! decision record 006).

use labex_domain::{Aggregate, AggregateId};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, ExpectedRevision, IdempotencyKey, Repository, RepositoryError,
};

use crate::actor::Actor;
use crate::error::Error;
use crate::record::Saved;

/// The id of a record `actor`'s request creates: derived from the request's
/// `key`, so that a retry addresses the same stream, else a new
/// time-ordered one.
pub fn new_id<I: AggregateId>(actor: &Actor, key: Option<&IdempotencyKey>) -> I {
    let uuid = match key {
        Some(key) => key.aggregate_uuid(&actor.subject, I::STREAM_CATEGORY),
        None => uuid::Uuid::now_v7(),
    };
    I::from_uuid(uuid)
}

/// Creates the aggregate of `command` whose unique key is claimed in
/// `claim_stream`. What the domain refuses is refused before anything is
/// written; the key is then claimed for `proposed`, and the aggregate
/// created under the claim's owner: `proposed`, or the owner of a claim
/// whose creation never completed (a crash between the two appends). A key
/// whose owner exists is `taken` (a conflict naming the owner). With `key`,
/// a retry answers as the first attempt did.
pub async fn create_claimed<A>(
    repository: &Repository,
    claim_stream: &str,
    proposed: A::Id,
    command: impl Fn(A::Id) -> A::Command,
    context: &EventContext,
    key: Option<IdempotencyKey>,
    taken: impl Fn(A::Id) -> Error,
) -> Result<Saved<A>, Error>
where
    A: Aggregate,
    A::Command: Clone,
{
    A::decide(None, command(proposed)).map_err(Error::refused)?;
    let owner = repository
        .claim(claim_stream, proposed.as_uuid(), context)
        .await?;
    let id = A::Id::from_uuid(owner);
    if id != proposed {
        if repository.load::<A>(id).await?.state.is_some() {
            return Err(taken(id));
        }
        tracing::info!(owner = %id, "completing a creation whose first attempt stopped after its claim");
    }
    let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
    if let Some(key) = key {
        options = options.idempotency_key(key);
    }
    match repository
        .execute_with::<A>(id, command(id), context, options)
        .await
    {
        Ok(done) => Saved::executed(done),
        Err(RepositoryError::Conflict { .. }) => Err(taken(id)),
        Err(error) => Err(error.into()),
    }
}
