//! The course read model's runner, held where both the use cases and the
//! host reach it: the use cases wait on it (an enrolment is found by its
//! id in the read model, so a write is applied before it is answered),
//! the host asks it for readiness and stops it. (`Runners` keeps its
//! runners out of reach, so this one is kept here.)

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use labex_eventsourcing::{Position, ProjectionError, ProjectionRunner};
use labex_web::{Readiness, ReadinessCheck, runner_readiness};
use tokio::sync::RwLock;

/// How long a use case waits for the read model.
pub const READ_MODEL_WAIT: Duration = Duration::from_secs(5);

/// A runner that use cases wait on.
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

    /// Waits until the read model has applied everything up to `position`;
    /// a delay is logged, not failed: the write stands either way.
    pub async fn settle(&self, position: Option<Position>) {
        let Some(position) = position else {
            return;
        };
        let runner = self.runner.read().await;
        let Some(runner) = runner.as_ref() else {
            return;
        };
        if let Err(error) = runner.wait_for(position, READ_MODEL_WAIT).await {
            tracing::warn!(%error, ?position, "the course read model did not apply a write in time");
        }
    }

    /// Waits until the read model has applied everything in the store now.
    pub async fn catch_up(&self) -> Result<(), ProjectionError> {
        let runner = self.runner.read().await;
        let Some(runner) = runner.as_ref() else {
            return Err(ProjectionError::Stopped {
                projection: self.name.clone(),
            });
        };
        runner.catch_up(READ_MODEL_WAIT).await
    }

    /// Stops it after the batch in hand.
    pub async fn stop(&self) {
        let runner = self.runner.write().await.take();
        let Some(runner) = runner else {
            return;
        };
        if let Err(error) = runner.stop().await {
            tracing::error!(runner = %self.name, error = %error, "had failed");
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

    fn report(&self) -> BoxFuture<'_, Readiness> {
        Box::pin(async move {
            let runner = self.runner.read().await;
            runner_readiness(runner.as_ref()).await
        })
    }
}
