//! A projection runner held where both a service's use cases and its host
//! reach it: the use cases wait on it (for a read model to hold what was
//! written before a decision, or to apply a write before it is answered),
//! the host asks it for readiness — with the lag figures every runner of
//! [`Runners`](crate::Runners) reports — and stops it. `Runners` keeps its
//! runners out of reach, so a runner the use cases wait on is held here.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use labex_eventsourcing::{Position, ProjectionError, ProjectionRunner};
use tokio::sync::RwLock;

use crate::ops::{Readiness, ReadinessCheck};
use crate::runners::runner_readiness;

/// How long a use case waits, by default, for a read model to apply a
/// write before answering ([`HeldRunner::settle`]).
pub const SETTLE_WAIT: Duration = Duration::from_secs(5);

/// A runner that use cases wait on; clones share it.
#[derive(Clone)]
pub struct HeldRunner {
    name: String,
    runner: Arc<RwLock<Option<ProjectionRunner>>>,
}

impl HeldRunner {
    /// Holds `runner`.
    pub fn new(runner: ProjectionRunner) -> Self {
        Self {
            name: runner.name().to_owned(),
            runner: Arc::new(RwLock::new(Some(runner))),
        }
    }

    /// The projection's name.
    pub fn name(&self) -> &str {
        &self.name
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
            return Err(self.stopped());
        };
        runner.wait_for(position, timeout).await
    }

    /// Waits until the read model has applied everything the store held
    /// when asked, at most `timeout`.
    pub async fn catch_up(&self, timeout: Duration) -> Result<(), ProjectionError> {
        let runner = self.runner.read().await;
        let Some(runner) = runner.as_ref() else {
            return Err(self.stopped());
        };
        runner.catch_up(timeout).await
    }

    /// Waits (at most [`SETTLE_WAIT`]) for a write at `position` to be
    /// applied, so that the next read sees it; the write stands either
    /// way, so a read model that is late is only logged.
    pub async fn settle(&self, position: Option<Position>) {
        let Some(position) = position else {
            return;
        };
        if let Err(error) = self.wait_for(position, SETTLE_WAIT).await {
            tracing::warn!(projection = %self.name, %error, ?position, "a read model did not apply a write in time");
        }
    }

    /// Stops the runner after the batch in hand (waits in progress finish
    /// first); later waits answer that it stopped.
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

    fn stopped(&self) -> ProjectionError {
        ProjectionError::Stopped {
            projection: self.name.clone(),
        }
    }
}

impl ReadinessCheck for HeldRunner {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.report().await.outcome })
    }

    /// Caught up within [`READY_LAG_EVENTS`](crate::READY_LAG_EVENTS),
    /// with the lag as every other runner reports it.
    fn report(&self) -> BoxFuture<'_, Readiness> {
        Box::pin(async move {
            let runner = self.runner.read().await;
            runner_readiness(runner.as_ref()).await
        })
    }
}
