//! One open referral per job seeker and vacancy: all that keeps the rule
//! true while requests race, in one place (decision records 012 and 040).
//!
//! The domain refuses a referral when the job seeker's open referrals
//! include one to the vacancy; this module makes sure the decision sees
//! every referral written before it, within a process and across them:
//!
//! 1. **In the process**, creations of one pair queue on a lock
//!    ([`PairLocks`]) instead of racing each other in the store.
//! 2. **The lists catch up**: the job seeker's open referrals are read
//!    from the referral lists once they hold everything the store held
//!    when asked.
//! 3. **Early refusal**: what the domain refuses is refused before
//!    anything is written, not even a turn.
//! 4. **The pair's turn in the store** ([`ReferralPairs::take_turn`]):
//!    across processes, the stream `referralpair-<jobseeker>_<vacancy>`
//!    lets one writer at a time through, by expected revision. The latest
//!    turn blocks a new referral while its referral is open, or — for the
//!    grace period of [`ReferralSettings`](crate::ReferralSettings) — while
//!    its referral is not written yet.
//! 5. **A late writer is fenced off.** Past the grace, the turn of a
//!    referral never written is taken over, but only after the unwritten
//!    referral's stream is tombstoned, expecting it not to exist: either
//!    the referral was written first (the tombstone fails, and the
//!    referral is judged open), or it can never be written (its writer's
//!    append, expecting no stream, fails). So the wall clocks that judge
//!    the grace decide only when a pair stops waiting, never whether two
//!    referrals can be open: the store orders the fence and the append.
//! 6. **Write, or hand the turn back** ([`ReferralPairs::write`]): a
//!    refused referral hands its turn back, so that the next taker need not
//!    judge it; the written one waits for the lists to apply it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use kurrentdb::{StreamState, TombstoneStreamOptions};
use labex_app::{Error, Result, Saved};
use labex_domain::referral::{MakeReferral, Referral, ReferralCommand, ReferralError};
use labex_domain::{Aggregate, JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, ExpectedRevision, IdempotencyKey, ReadModel, Repository,
    RepositoryError, Turn,
};
use tokio::sync::OwnedMutexGuard;

use crate::read_model;
use crate::settings::ReferralSettings;
use labex_web::HeldRunner;

/// How often a turn is judged again after another taker came in between.
/// How long a referral waits for the referral lists to hold every
/// referral written before it is decided.
pub const LISTS_WAIT: std::time::Duration = labex_web::SETTLE_WAIT;

const TURN_ATTEMPTS: usize = 5;

/// A job seeker and a vacancy: what may have one open referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pair {
    /// The job seeker.
    pub jobseeker_id: JobSeekerId,
    /// The vacancy.
    pub vacancy_id: VacancyId,
}

impl Pair {
    /// The pair a referral is made for.
    pub fn of(make: &MakeReferral) -> Self {
        Self {
            jobseeker_id: make.jobseeker_id,
            vacancy_id: make.vacancy_id,
        }
    }

    /// The stream of the pair's turns.
    pub fn turn_stream(&self) -> String {
        format!(
            "referralpair-{}_{}",
            self.jobseeker_id.as_uuid().simple(),
            self.vacancy_id.as_uuid().simple()
        )
    }
}

/// Keeps one open referral per pair: the in-process locks, the lists the
/// decision reads, and the pairs' turns in the store.
pub struct ReferralPairs {
    repository: Repository,
    read_model: ReadModel,
    lists: HeldRunner,
    locks: PairLocks<Pair>,
    turn_grace: TimeDelta,
}

/// What the referral holding a pair's latest turn means for a new one.
enum Holder {
    /// It is open: the new referral is a duplicate.
    Open,
    /// It is not written yet, and still within its grace.
    BeingWritten,
    /// It ended, or was never written and never will be: the turn may be
    /// taken.
    Done,
}

impl ReferralPairs {
    /// Over `repository`, deciding by the lists of `read_model` that
    /// `lists` keeps, with the turn grace of `settings`.
    pub fn new(
        repository: Repository,
        read_model: ReadModel,
        lists: HeldRunner,
        settings: &ReferralSettings,
    ) -> Self {
        Self {
            repository,
            read_model,
            lists,
            locks: PairLocks::default(),
            turn_grace: TimeDelta::from_std(settings.turn_grace).unwrap_or(TimeDelta::MAX),
        }
    }

    /// Makes the referral `make` describes, if the job seeker has no open
    /// referral to the vacancy: its `open_referrals` are read here, under
    /// the pair's lock, from lists that have caught up with the store.
    /// With `key`, a retry answers as the first attempt did.
    pub async fn make(
        &self,
        mut make: MakeReferral,
        context: &EventContext,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Referral>> {
        let pair = Pair::of(&make);
        let _queued = self.locks.lock(pair).await;
        self.lists.catch_up(LISTS_WAIT).await?;
        let jobseeker_id = make.jobseeker_id;
        make.open_referrals = self
            .read_model
            .read(move |connection| read_model::open_referrals(connection, jobseeker_id))
            .await?;
        refuse_early(&make)?;
        let turn = self.take_turn(pair, make.referral_id, context).await?;
        let saved = self.write(pair, &turn, make, context, key).await?;
        self.lists.settle(saved.position).await;
        Ok(saved)
    }

    /// Takes the pair's turn for `referral_id` (or answers the turn it
    /// holds already, for a retry of the same referral), unless the latest
    /// turn belongs to a referral that is open (its duplicate) or still
    /// within its grace (a conflict to retry). A referral past its grace
    /// and never written is fenced off first.
    pub async fn take_turn(
        &self,
        pair: Pair,
        referral_id: ReferralId,
        context: &EventContext,
    ) -> Result<Turn> {
        let stream = pair.turn_stream();
        for _ in 0..TURN_ATTEMPTS {
            let latest = self.repository.latest_turn(&stream).await?;
            if let Some(turn) = &latest
                && let Some(holder) = turn.holder
            {
                if holder == referral_id.as_uuid() {
                    return Ok(turn.clone());
                }
                let holder = ReferralId::from_uuid(holder);
                match self.judge(holder, turn, context).await? {
                    Holder::Open => {
                        return Err(Error::refused(ReferralError::DuplicateOpenReferral {
                            existing: holder,
                        }));
                    }
                    Holder::BeingWritten => {
                        return Err(Error::conflict(format!(
                            "Referral {holder} of this job seeker to this vacancy is being made; read it, or retry in a few seconds."
                        )));
                    }
                    Holder::Done => {}
                }
            }
            let taken = self
                .repository
                .take_turn(&stream, referral_id.as_uuid(), latest.as_ref(), context)
                .await?;
            if let Some(turn) = taken {
                return Ok(turn);
            }
        }
        Err(Error::conflict(
            "Other referrals of this job seeker to this vacancy are being made; read them, or retry.",
        ))
    }

    /// Writes the referral `make` describes on the pair's `turn`. A refusal
    /// by the domain hands the turn back; a referral fenced off while its
    /// writer waited is a conflict, and writes nothing.
    pub async fn write(
        &self,
        pair: Pair,
        turn: &Turn,
        make: MakeReferral,
        context: &EventContext,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Referral>> {
        let referral_id = make.referral_id;
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let made = self
            .repository
            .execute_with::<Referral>(referral_id, ReferralCommand::Make(make), context, options)
            .await;
        match made {
            Ok(done) => Saved::executed(done),
            Err(RepositoryError::Domain(refused)) => {
                self.hand_back(pair, turn, context).await;
                Err(Error::Refused(refused))
            }
            Err(RepositoryError::Conflict { .. }) => Err(Error::conflict(format!(
                "A referral {referral_id} exists already; read it, or send a new Idempotency-Key."
            ))),
            Err(RepositoryError::Store(kurrentdb::Error::ResourceDeleted)) => {
                tracing::warn!(referral = %referral_id, pair = %pair.turn_stream(), "a referral fenced off after its turn's grace was not written");
                Err(Error::conflict(format!(
                    "Referral {referral_id} took too long to be made and another request of this job seeker to this vacancy went ahead; read the referrals of the pair, and send a new Idempotency-Key to refer again."
                )))
            }
            // After a store error the referral may stand; the turn then
            // stays with it, or is taken over after the grace if it was
            // never written.
            Err(error) => Err(error.into()),
        }
    }

    /// Hands a refused referral's turn back (nothing was written), so
    /// that the next taker need not judge it.
    async fn hand_back(&self, pair: Pair, turn: &Turn, context: &EventContext) {
        let stream = pair.turn_stream();
        let handed_back = self.repository.hand_back_turn(&stream, turn, context).await;
        if let Err(error) = handed_back {
            tracing::warn!(%error, pair = %stream, "could not hand a referral turn back");
        }
    }

    /// Judges the referral `holder` of the pair's latest `turn`, fencing it
    /// off if it was never written and its grace has passed.
    async fn judge(
        &self,
        holder: ReferralId,
        turn: &Turn,
        context: &EventContext,
    ) -> Result<Holder> {
        let referral = self.repository.load::<Referral>(holder).await?.state;
        match referral {
            Some(referral) if referral.is_open() => return Ok(Holder::Open),
            Some(_) => return Ok(Holder::Done),
            None if context.at - turn.at < self.turn_grace => return Ok(Holder::BeingWritten),
            None => {}
        }
        match self.fence_off(holder).await? {
            None => {
                tracing::warn!(referral = %holder, "fenced off a referral not written within its turn's grace");
                Ok(Holder::Done)
            }
            // Written after all, just before the fence.
            Some(referral) if referral.is_open() => Ok(Holder::Open),
            Some(_) => Ok(Holder::Done),
        }
    }

    /// Tombstones the stream of a referral that does not exist, so that it
    /// never will: `None` when it is fenced off (now, or by another judge
    /// before), the referral when it was written first.
    async fn fence_off(&self, referral: ReferralId) -> Result<Option<Referral>> {
        let options = TombstoneStreamOptions::default().stream_state(StreamState::NoStream);
        let fenced = self
            .repository
            .client()
            .tombstone_stream(referral.stream_name(), &options)
            .await;
        match fenced {
            Ok(_) | Err(kurrentdb::Error::ResourceDeleted) => Ok(None),
            // A tombstone expecting no stream fails when the stream exists;
            // the official client reports that as a bare gRPC status, so
            // the referral is read again to tell it from a store fault.
            Err(error) => match self.repository.load::<Referral>(referral).await?.state {
                Some(written) => Ok(Some(written)),
                None => Err(RepositoryError::Store(error).into()),
            },
        }
    }
}

/// What the domain refuses is refused before a turn is taken. (A retry of
/// this very referral finds itself among the open ones; the repository
/// answers it from its events.)
fn refuse_early(make: &MakeReferral) -> Result<()> {
    match Referral::decide(None, ReferralCommand::Make(make.clone())) {
        Err(ReferralError::DuplicateOpenReferral { existing }) if existing == make.referral_id => {
            Ok(())
        }
        Err(refusal) => Err(Error::refused(refusal)),
        Ok(_) => Ok(()),
    }
}

/// One lock per key, made when first asked for and dropped when nobody
/// holds or waits for it.
pub struct PairLocks<K> {
    locks: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

impl<K> Default for PairLocks<K> {
    fn default() -> Self {
        Self {
            locks: Mutex::new(HashMap::new()),
        }
    }
}

/// A held lock of [`PairLocks`]; dropping it releases the lock.
pub struct PairGuard<'a, K: Eq + Hash + Clone> {
    locks: &'a PairLocks<K>,
    key: K,
    guard: Option<OwnedMutexGuard<()>>,
}

impl<K: Eq + Hash + Clone> PairLocks<K> {
    /// Waits for the lock of `key`.
    pub async fn lock(&self, key: K) -> PairGuard<'_, K> {
        let lock = {
            let mut locks = self
                .locks
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            Arc::clone(locks.entry(key.clone()).or_default())
        };
        let guard = lock.lock_owned().await;
        PairGuard {
            locks: self,
            key,
            guard: Some(guard),
        }
    }

    /// How many keys have a lock now (held or waited for).
    pub fn len(&self) -> usize {
        self.locks
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .len()
    }

    /// Whether no key has a lock.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Eq + Hash + Clone> Drop for PairGuard<'_, K> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut locks = self
            .locks
            .locks
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        // Others clone the lock only under the map's mutex: a lock only the
        // map refers to is neither held nor awaited.
        if let Entry::Occupied(entry) = locks.entry(self.key.clone())
            && Arc::strong_count(entry.get()) == 1
        {
            entry.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_holder_per_key_and_the_map_empties_after() {
        let locks = Arc::new(PairLocks::<(u8, u8)>::default());
        let first = locks.lock((1, 2)).await;
        // Another key is not held up.
        drop(locks.lock((1, 3)).await);
        let waiting = {
            let locks = Arc::clone(&locks);
            tokio::spawn(async move {
                let _second = locks.lock((1, 2)).await;
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "the second holder waits");
        drop(first);
        waiting.await.unwrap();
        assert!(locks.is_empty());
    }

    #[test]
    fn a_pair_takes_turns_in_a_stream_of_its_own() {
        let jobseeker_id = JobSeekerId::parse("0190f5a8-3c1e-7d2a-9b4f-0123456789ab").unwrap();
        let vacancy_id = VacancyId::parse("0190f5a8-3c1e-7d2a-9b4f-0123456789ac").unwrap();
        let pair = Pair {
            jobseeker_id,
            vacancy_id,
        };
        assert_eq!(
            pair.turn_stream(),
            "referralpair-0190f5a83c1e7d2a9b4f0123456789ab_0190f5a83c1e7d2a9b4f0123456789ac"
        );
        // Not a referral stream: the lists, which follow `referral-`, skip it.
        assert!(!pair.turn_stream().starts_with("referral-"));
    }
}
