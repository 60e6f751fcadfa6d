//! The runner of the referral lists' projection, held where both the use
//! cases and the host reach it: the use cases wait on it (for the lists to
//! hold every referral written before a new one is decided, and to apply
//! a write before it is answered), the host asks it for readiness — with
//! the lag figures every runner of [`labex_web::Runners`] reports — and
//! stops it. (`Runners` keeps its runners out of reach, so this one is
//! kept here.)

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use labex_eventsourcing::{Position, ProjectionError, ProjectionRunner};
use labex_web::{Readiness, ReadinessCheck, runner_readiness};
use tokio::sync::RwLock;

/// How long a use case waits for the referral lists: to catch up before a
/// referral is decided, and to apply a write before it is answered.
pub const LISTS_WAIT: Duration = Duration::from_secs(5);

/// The projection runner of the referral lists.
#[derive(Clone)]
pub struct ListRunner {
    name: String,
    runner: Arc<RwLock<Option<ProjectionRunner>>>,
}

impl ListRunner {
    /// Holds `runner`.
    pub fn new(runner: ProjectionRunner) -> Self {
        Self {
            name: runner.name().to_owned(),
            runner: Arc::new(RwLock::new(Some(runner))),
        }
    }

    /// Waits until the lists have applied every relevant event up to
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

    fn stopped(&self) -> ProjectionError {
        ProjectionError::Stopped {
            projection: self.name.clone(),
        }
    }

    /// Waits until the lists have applied everything the store held when
    /// asked, at most `timeout`.
    pub async fn catch_up(&self, timeout: Duration) -> Result<(), ProjectionError> {
        let runner = self.runner.read().await;
        let Some(runner) = runner.as_ref() else {
            return Err(self.stopped());
        };
        runner.catch_up(timeout).await
    }

    /// Waits (at most [`LISTS_WAIT`]) for the lists to apply a write at
    /// `position`, so that the next request reads it; the write stands
    /// either way, so lists that are late are only logged.
    pub async fn settle(&self, position: Option<Position>) {
        let Some(position) = position else {
            return;
        };
        if let Err(error) = self.wait_for(position, LISTS_WAIT).await {
            tracing::warn!(%error, ?position, "the referral lists did not apply a write in time");
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
        Box::pin(async move { self.report().await.outcome })
    }

    /// Caught up within [`labex_web::READY_LAG_EVENTS`], with the lag as
    /// every other runner reports it.
    fn report(&self) -> BoxFuture<'_, Readiness> {
        Box::pin(async move {
            let runner = self.runner.read().await;
            runner_readiness(runner.as_ref()).await
        })
    }
}
