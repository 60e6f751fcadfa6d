//! A read model's runner, kept where the use cases can wait on it: a
//! listing or a withdrawal is answered once the search shows it (an office
//! lists a project and finds it at once), a loan's step once the register
//! shows it; the host asks it for readiness and stops it.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use labex_eventsourcing::{Position, ProjectionRunner};
use labex_web::{Readiness, ReadinessCheck, runner_readiness};
use tokio::sync::RwLock;

/// The longest a use case waits for a read model to show its write.
pub const SEARCH_WAIT: Duration = Duration::from_secs(5);

/// A projection runner, shared.
#[derive(Clone)]
pub struct HeldRunner {
    name: String,
    inner: Arc<RwLock<Option<ProjectionRunner>>>,
}

impl HeldRunner {
    /// Keeps `runner`.
    pub fn new(runner: ProjectionRunner) -> Self {
        Self {
            name: runner.name().to_owned(),
            inner: Arc::new(RwLock::new(Some(runner))),
        }
    }

    /// Returns once the read model holds everything up to `position`, or
    /// after [`SEARCH_WAIT`] with a warning: the write is in the store
    /// either way and the search shows it soon after.
    pub async fn settle(&self, position: Option<Position>) {
        let Some(position) = position else {
            return;
        };
        let guard = self.inner.read().await;
        if let Some(runner) = guard.as_ref()
            && let Err(error) = runner.wait_for(position, SEARCH_WAIT).await
        {
            tracing::warn!(runner = %self.name, %error, "a read model did not show a write in time");
        }
    }

    /// Stops the runner after its current batch.
    pub async fn stop(&self) {
        let taken = self.inner.write().await.take();
        if let Some(runner) = taken
            && let Err(error) = runner.stop().await
        {
            tracing::error!(runner = %self.name, %error, "the projection had failed");
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
            let guard = self.inner.read().await;
            runner_readiness(guard.as_ref()).await
        })
    }
}
