//! The projection that keeps the index: a [`Consumer`] of vacancy,
//! job-seeker and household events (the register decides who counts as a
//! member of a zero-employment household, decision 093) for the [`ProjectionRunner`](labex_eventsourcing::ProjectionRunner).
//!
//! The runner hands over batches; each is applied at once, but committed
//! only when the last commit is at least the commit interval old. A ticker
//! task commits what is left once the interval has passed, so a change is
//! searchable within about 100 ms, and the checkpoint in a commit never
//! runs ahead of the documents committed with it. When the projection is
//! dropped (the runner stopped), the ticker commits what is pending and
//! ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kurrentdb::Position;
use labex_eventsourcing::{Consumer, EventFilter, ProjectionError, StoredEvent};
use tokio::task::JoinHandle;

use crate::index::SearchIndex;

/// The name of the projection (its checkpoint lives in the index).
pub const PROJECTION_NAME: &str = "search";

/// The streams the index follows: vacancies, job seekers, and the
/// households of the register (which say who comes first as a member of a
/// zero-employment household).
pub const STREAM_PREFIXES: [&str; 3] = ["vacancy-", "jobseeker-", "household-"];

/// Keeps a [`SearchIndex`] up to date with `$all`.
pub struct SearchProjection {
    index: SearchIndex,
    ticker: Option<JoinHandle<()>>,
    stopping: Arc<AtomicBool>,
    tick: Duration,
}

impl SearchProjection {
    /// A projection writing into `index`.
    pub fn new(index: SearchIndex) -> Self {
        Self {
            index,
            ticker: None,
            stopping: Arc::new(AtomicBool::new(false)),
            tick: Duration::from_millis(20),
        }
    }

    fn start_ticker(&mut self) {
        if self.ticker.is_some() {
            return;
        }
        let index = self.index.clone();
        let stopping = Arc::clone(&self.stopping);
        let tick = self.tick;
        self.ticker = Some(tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let last = stopping.load(Ordering::Acquire);
                let index = index.clone();
                let outcome = tokio::task::spawn_blocking(move || {
                    if last {
                        index.flush().map(|_| ())
                    } else {
                        index.tick()
                    }
                })
                .await;
                match outcome {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => tracing::error!(%error, "search index commit failed"),
                    Err(error) => tracing::error!(%error, "search index commit panicked"),
                }
                if last {
                    break;
                }
            }
        }));
    }
}

impl Drop for SearchProjection {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Release);
    }
}

fn blocking_error(error: tokio::task::JoinError) -> ProjectionError {
    ProjectionError::Worker(error.to_string())
}

impl Consumer for SearchProjection {
    fn name(&self) -> &str {
        PROJECTION_NAME
    }

    fn filter(&self) -> EventFilter {
        EventFilter::stream_prefixes(STREAM_PREFIXES)
    }

    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        self.start_ticker();
        // A resubscription starts from what is committed; commit first so
        // nothing handled is handed over again.
        let index = self.index.clone();
        let checkpoint = tokio::task::spawn_blocking(move || index.flush())
            .await
            .map_err(blocking_error)??;
        Ok(checkpoint)
    }

    async fn handle(
        &mut self,
        events: Vec<StoredEvent>,
        checkpoint: Position,
    ) -> Result<(), ProjectionError> {
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.apply(&events, checkpoint))
            .await
            .map_err(blocking_error)??;
        Ok(())
    }
}
