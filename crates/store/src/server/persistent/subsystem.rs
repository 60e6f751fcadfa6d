//! The groups that exist: loaded from the store at start, created, updated,
//! deleted and restarted here. Changes to the set of groups take one lock
//! in turn; calls that only use a group clone its handle and let go.

use std::collections::BTreeMap;

use futures::future::join_all;
use tokio::sync::Mutex;

use super::definition::{Definition, GroupId, Source};
use super::error::PersistentError;
use super::group::{ConsumerId, GroupHandle, NewConsumer, StopReason};
use super::stored::{self, CHECKPOINTS, DEFINITIONS};
use crate::proto::persistent_subscriptions::{SubscriptionInfo, update_req};
use crate::storage::{Storage, StoreError};

pub(crate) struct Subsystem {
    storage: Storage,
    groups: Mutex<BTreeMap<GroupId, GroupHandle>>,
}

impl Subsystem {
    /// Loads every stored group and starts it.
    pub(crate) async fn start(storage: Storage) -> Result<Subsystem, StoreError> {
        let groups = load(&storage).await?;
        Ok(Subsystem {
            storage,
            groups: Mutex::new(groups),
        })
    }

    async fn handle(&self, id: &GroupId) -> Result<GroupHandle, PersistentError> {
        self.groups
            .lock()
            .await
            .get(id)
            .cloned()
            .ok_or_else(|| PersistentError::DoesNotExist(id.clone()))
    }

    pub(crate) async fn create(&self, mut definition: Definition) -> Result<(), PersistentError> {
        let id = definition.id.clone();
        let mut groups = self.groups.lock().await;
        if groups.contains_key(&id) {
            return Err(PersistentError::Exists(id));
        }
        let storage_error = |error| PersistentError::storage(error, &id);
        definition
            .resolve_origin(&self.storage)
            .await
            .map_err(storage_error)?;
        // Whatever a group of the same name left behind is not this one's.
        forget_progress(&self.storage, &id)
            .await
            .map_err(storage_error)?;
        self.storage
            .put_state(DEFINITIONS, &id.storage_key(), Some(definition.encode()))
            .await
            .map_err(storage_error)?;
        let handle = GroupHandle::start(self.storage.clone(), definition).await?;
        groups.insert(id.clone(), handle);
        tracing::info!(group = %id, "persistent subscription group created");
        Ok(())
    }

    /// Replaces a group's settings and start; its checkpoint and parked
    /// messages stay, and its consumers are dropped to subscribe again.
    pub(crate) async fn update(
        &self,
        id: GroupId,
        options: update_req::Options,
    ) -> Result<(), PersistentError> {
        let mut groups = self.groups.lock().await;
        let current = groups
            .get(&id)
            .cloned()
            .ok_or_else(|| PersistentError::DoesNotExist(id.clone()))?;
        let storage_error = |error| PersistentError::storage(error, &id);
        let mut definition = current.definition.updated(options)?;
        definition
            .resolve_origin(&self.storage)
            .await
            .map_err(storage_error)?;
        self.storage
            .put_state(DEFINITIONS, &id.storage_key(), Some(definition.encode()))
            .await
            .map_err(storage_error)?;
        current.stop(StopReason::Replaced).await;
        groups.remove(&id);
        let handle = GroupHandle::start(self.storage.clone(), definition).await?;
        groups.insert(id.clone(), handle);
        tracing::info!(group = %id, "persistent subscription group updated");
        Ok(())
    }

    /// Removes a group with its checkpoint and parked messages.
    pub(crate) async fn delete(&self, id: GroupId) -> Result<(), PersistentError> {
        let mut groups = self.groups.lock().await;
        let handle = groups
            .remove(&id)
            .ok_or_else(|| PersistentError::DoesNotExist(id.clone()))?;
        handle.stop(StopReason::Deleted).await;
        let storage_error = |error| PersistentError::storage(error, &id);
        self.storage
            .put_state(DEFINITIONS, &id.storage_key(), None)
            .await
            .map_err(storage_error)?;
        forget_progress(&self.storage, &id)
            .await
            .map_err(storage_error)?;
        tracing::info!(group = %id, "persistent subscription group deleted");
        Ok(())
    }

    /// Adds a consumer; returns it with the group it joined.
    pub(crate) async fn connect(
        &self,
        id: &GroupId,
        consumer: NewConsumer,
    ) -> Result<(ConsumerId, GroupHandle), PersistentError> {
        let handle = self.handle(id).await?;
        let consumer = handle.connect(consumer).await?;
        Ok((consumer, handle))
    }

    pub(crate) async fn info(&self, id: &GroupId) -> Result<SubscriptionInfo, PersistentError> {
        let handle = self.handle(id).await?;
        handle
            .info()
            .await
            .ok_or_else(|| PersistentError::DoesNotExist(id.clone()))
    }

    /// Every group, or those of one source.
    pub(crate) async fn list(&self, source: Option<&Source>) -> Vec<SubscriptionInfo> {
        let handles: Vec<GroupHandle> = self
            .groups
            .lock()
            .await
            .iter()
            .filter(|(id, _)| source.is_none_or(|source| id.source == *source))
            .map(|(_, handle)| handle.clone())
            .collect();
        join_all(handles.iter().map(GroupHandle::info))
            .await
            .into_iter()
            .flatten()
            .collect()
    }

    pub(crate) async fn replay_parked(
        &self,
        id: &GroupId,
        stop_at: Option<usize>,
    ) -> Result<(), PersistentError> {
        self.handle(id).await?.replay_parked(stop_at).await
    }

    /// Stops every group (consumers are dropped to subscribe again) and
    /// starts them afresh from the store.
    pub(crate) async fn restart(&self) -> Result<(), PersistentError> {
        let mut groups = self.groups.lock().await;
        join_all(
            groups
                .values()
                .map(|handle| handle.stop(StopReason::Replaced)),
        )
        .await;
        groups.clear();
        *groups = load(&self.storage)
            .await
            .map_err(|error| PersistentError::Storage {
                source: error,
                stream: String::new(),
            })?;
        tracing::info!(groups = groups.len(), "persistent subscriptions restarted");
        Ok(())
    }
}

/// Starts every group stored; one whose definition cannot be read is
/// reported and left out.
async fn load(storage: &Storage) -> Result<BTreeMap<GroupId, GroupHandle>, StoreError> {
    let stored = storage.read(|reader| reader.states(DEFINITIONS)).await?;
    let mut groups = BTreeMap::new();
    for (key, bytes) in stored {
        let definition = match Definition::decode(&bytes) {
            Ok(definition) => definition,
            Err(error) => {
                tracing::error!(key, %error, "cannot read a persistent subscription definition; leaving it out");
                continue;
            }
        };
        let id = definition.id.clone();
        match GroupHandle::start(storage.clone(), definition).await {
            Ok(handle) => {
                groups.insert(id, handle);
            }
            Err(PersistentError::Storage { source, .. }) => return Err(source),
            Err(error) => {
                tracing::error!(group = %id, %error, "cannot start a persistent subscription group; leaving it out");
            }
        }
    }
    Ok(groups)
}

/// Removes a group's checkpoint and parked messages.
async fn forget_progress(storage: &Storage, id: &GroupId) -> Result<(), StoreError> {
    let namespace = stored::parked_namespace(id);
    let parked = {
        let namespace = namespace.clone();
        storage
            .read(move |reader| reader.states(&namespace))
            .await?
    };
    let removals = parked
        .iter()
        .map(|(key, _)| storage.put_state(&namespace, key, None));
    let key = id.storage_key();
    let checkpoint = storage.put_state(CHECKPOINTS, &key, None);
    let (checkpoint, removals) = futures::join!(checkpoint, join_all(removals));
    checkpoint?;
    removals.into_iter().collect()
}
