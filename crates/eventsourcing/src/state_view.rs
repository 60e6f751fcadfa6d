//! Read models that are a fold of the domain: the state of each aggregate
//! is folded with the domain's own `evolve` and kept beside the read
//! model's tables, and the read model only writes its rows from that state.
//! A new event or rule is then taught once, in the domain, and every such
//! read model follows.
//!
//! [`StateView`] is what a service writes: its tables and how one
//! aggregate's state becomes rows. [`StateProjection`] is the
//! [`Projection`] that folds: for each event of the aggregate's streams it
//! reads the state kept for the stream (`labex_states`), evolves it, keeps
//! it, and hands it to the view, all in the batch's transaction with the
//! checkpoint.

use labex_domain::{Aggregate, AggregateId, Event, PersonalField};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::checkpoint::reset_checkpoint;
use crate::error::ProjectionError;
use crate::keys::Keyring;
use crate::projection::Projection;
use crate::runner::EventFilter;
use crate::sealing::{open_state, seal_state};
use crate::stored::StoredEvent;

/// A read model written from the folded state of one kind of aggregate.
pub trait StateView: Send + 'static {
    /// The aggregate whose states it shows.
    type State: Aggregate + Serialize + DeserializeOwned + Send;

    /// Its name, unique per database: the key of its checkpoint.
    fn name(&self) -> &str;

    /// The version of its tables and of the state it keeps: a new version
    /// drops the kept states and the checkpoint, so that the read model is
    /// rebuilt from the store (the view's own `migrate` drops its rows).
    fn version(&self) -> u32;

    /// Creates (or, when `rebuild`, first drops) its tables.
    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()>;

    /// The fields of its state that hold a person's data that an event of
    /// another stream may erase (a note about a job seeker in a
    /// referral): the states it keeps hold them sealed under the person's
    /// key, so that the erasure makes them unreadable here too. The view
    /// seals them in its own rows with [`seal_state`](crate::seal_state).
    fn personal_fields(&self) -> &'static [PersonalField] {
        &[]
    }

    /// Writes the rows of one aggregate after `event`, from its state then.
    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        state: &Self::State,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError>;
}

/// The projection that folds a [`StateView`]'s aggregates.
pub struct StateProjection<V> {
    view: V,
    name: String,
}

impl<V: StateView> StateProjection<V> {
    /// Folds the aggregates of `view`.
    pub fn new(view: V) -> Self {
        let name = view.name().to_owned();
        Self { view, name }
    }
}

impl<V: StateView> StateProjection<V> {
    /// What the kept states' envelopes are bound to.
    fn label(&self) -> String {
        format!("state/{}", self.name)
    }
}

impl<V: StateView> Projection for StateProjection<V>
where
    <V::State as Aggregate>::Event: TryFrom<Event>,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn filter(&self) -> EventFilter {
        EventFilter::stream_prefixes([format!(
            "{}-",
            <<V::State as Aggregate>::Id as AggregateId>::STREAM_CATEGORY
        )])
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS labex_states (
                view TEXT NOT NULL,
                stream TEXT NOT NULL,
                revision INTEGER NOT NULL,
                state TEXT NOT NULL,
                PRIMARY KEY (view, stream)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS labex_view_versions (
                view TEXT PRIMARY KEY,
                version INTEGER NOT NULL
            ) WITHOUT ROWID;",
        )?;
        let kept: Option<u32> = transaction
            .query_row(
                "SELECT version FROM labex_view_versions WHERE view = ?1",
                [&self.name],
                |row| row.get(0),
            )
            .optional()?;
        let version = self.view.version();
        let rebuild = kept != Some(version);
        if rebuild {
            transaction.execute("DELETE FROM labex_states WHERE view = ?1", [&self.name])?;
            reset_checkpoint(transaction, &self.name)?;
            transaction.execute(
                "INSERT OR REPLACE INTO labex_view_versions (view, version) VALUES (?1, ?2)",
                params![self.name, version],
            )?;
        }
        self.view.migrate(transaction, rebuild)
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        stored: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let Ok(event) = <V::State as Aggregate>::Event::try_from(stored.event.clone()) else {
            return Ok(());
        };
        let failed = |reason: String| ProjectionError::Apply {
            projection: self.name.clone(),
            event_id: stored.id,
            reason,
        };
        let kept: Option<(u64, String)> = transaction
            .prepare_cached(
                "SELECT revision, state FROM labex_states WHERE view = ?1 AND stream = ?2",
            )?
            .query_row(params![self.name, stored.stream], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        let before = match kept {
            // Delivered again (a resubscription's boundary): already folded.
            Some((revision, _)) if revision >= stored.revision => return Ok(()),
            Some((_, json)) => Some(
                open_state::<V::State>(Keyring::process(), &self.label(), &json)
                    .map_err(|error| failed(format!("kept state unreadable: {error}")))?,
            ),
            None => None,
        };
        let Some(state) = V::State::evolve(before, &event) else {
            return Ok(());
        };
        let json = seal_state(
            Keyring::process(),
            &self.label(),
            self.view.personal_fields(),
            &state,
        )
        .map_err(|error| failed(format!("state not sealed: {error}")))?;
        transaction
            .prepare_cached(
                "INSERT OR REPLACE INTO labex_states (view, stream, revision, state)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![self.name, stored.stream, stored.revision, json])?;
        self.view.write(transaction, &state, stored)
    }
}
