//! The runner of the monitoring projection, held where the use cases (to
//! answer after their write is applied), the warning assessor and the
//! host (readiness, stop) all reach it.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use labex_eventsourcing::{Position, ProjectionError, ProjectionRunner};
use labex_web::{Readiness, ReadinessCheck, runner_readiness};
use tokio::sync::RwLock;

/// How long a use case waits for its write to reach the read model.
pub const SETTLE_WAIT: Duration = Duration::from_secs(5);

/// The projection runner.
#[derive(Clone)]
pub struct RunnerHandle {
    name: String,
    runner: Arc<RwLock<Option<ProjectionRunner>>>,
}

impl RunnerHandle {
    /// Holds `runner`.
    pub fn new(runner: ProjectionRunner) -> Self {
        Self {
            name: runner.name().to_owned(),
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

    /// Waits (at most [`SETTLE_WAIT`]) for a write at `position` to be
    /// applied, so that the next read sees it; a late read model is only
    /// logged, the write stands.
    pub async fn settle(&self, position: Option<Position>) {
        let Some(position) = position else {
            return;
        };
        if let Err(error) = self.wait_for(position, SETTLE_WAIT).await {
            tracing::warn!(%error, ?position, "the monitoring read model did not apply a write in time");
        }
    }

    /// Stops the runner after the batch in hand.
    pub async fn stop(&self) {
        let runner = self.runner.write().await.take();
        if let Some(runner) = runner {
            match runner.stop().await {
                Ok(()) => tracing::info!(runner = %self.name, "stopped, checkpoint saved"),
                Err(error) => tracing::error!(runner = %self.name, error = %error, "had failed"),
            }
        }
    }
}

impl ReadinessCheck for RunnerHandle {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.report().await.outcome })
    }

    fn report(&self) -> BoxFuture<'_, Readiness> {
        Box::pin(async move {
            let runner = self.runner.read().await;
            runner_readiness(runner.as_ref()).await
        })
    }
}
