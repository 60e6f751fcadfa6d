//! What keeps "one open referral per job seeker and vacancy" true while
//! requests race: referral creation is serialised per pair in the process
//! ([`PairLocks`]), and a creation answers only once the read model it
//! decides by has applied its append ([`ListRunner::wait_for`]), so that
//! the next creation for the pair sees it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use kurrentdb::{Client, ReadAllOptions, StreamPosition};
use labex_eventsourcing::{Position, ProjectionError, ProjectionRunner};
use labex_web::{READY_LAG_EVENTS, ReadinessCheck};
use tokio::sync::{OwnedMutexGuard, RwLock};

/// The projection runner of the referral lists, reachable both by the
/// handlers (to wait for a write's position) and by the host (readiness,
/// stop). [`labex_web::Runners`] holds its runners out of reach, so this
/// one is kept here.
#[derive(Clone)]
pub struct ListRunner {
    name: String,
    client: Client,
    runner: Arc<RwLock<Option<ProjectionRunner>>>,
}

impl ListRunner {
    /// Holds `runner`, which follows the store of `client`.
    pub fn new(runner: ProjectionRunner, client: Client) -> Self {
        Self {
            name: runner.name().to_owned(),
            client,
            runner: Arc::new(RwLock::new(Some(runner))),
        }
    }

    /// Waits until the read model has applied every relevant event up to
    /// `position`, at most `timeout`.
    pub async fn wait_for(
        &self,
        position: Position,
        timeout: Duration,
    ) -> Result<(), ProjectionError> {
        let runner = self.runner.read().await;
        let Some(runner) = runner.as_ref() else {
            return Err(ProjectionError::Stopped {
                projection: self.name.clone(),
            });
        };
        runner.wait_for(position, timeout).await
    }

    /// Waits until the read model has applied everything the store held
    /// when asked (nothing to wait for in an empty store), at most
    /// `timeout`.
    pub async fn catch_up(&self, timeout: Duration) -> Result<(), ProjectionError> {
        let options = ReadAllOptions::default()
            .position(StreamPosition::End)
            .backwards()
            .max_count(1);
        let mut read = self.client.read_all(&options).await?;
        let head = read
            .next()
            .await?
            .map(|event| event.get_original_event().position);
        match head {
            Some(head) => self.wait_for(head, timeout).await,
            None => Ok(()),
        }
    }

    /// Stops the runner after the batch in hand (waits still in progress
    /// finish first).
    pub async fn stop(&self) {
        let runner = self.runner.write().await.take();
        let Some(runner) = runner else {
            return;
        };
        match runner.stop().await {
            Ok(()) => tracing::info!(runner = %self.name, "stopped, checkpoint saved"),
            Err(error) => tracing::error!(runner = %self.name, error = %error, "had failed"),
        }
    }
}

impl ReadinessCheck for ListRunner {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let runner = self.runner.read().await;
            let Some(runner) = runner.as_ref() else {
                return Err("stopped".to_owned());
            };
            let lag = runner.lag().await.map_err(|error| error.to_string())?;
            if lag.caught_up() || lag.pending_events <= READY_LAG_EVENTS {
                Ok(())
            } else {
                Err(format!("{} events behind the store", lag.pending_events))
            }
        })
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
}
