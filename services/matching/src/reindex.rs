//! `labex reindex`: the search index rebuilt from the store into a new
//! folder, swapped in once it has caught up with the last vacancy or job
//! seeker event that was there when it began.

use std::path::Path;
use std::time::Duration;

use kurrentdb::{Client, Position, ReadAllOptions, StreamPosition, SubscriptionFilter};
use labex_eventsourcing::{ProjectionRunner, RunnerOptions};
use labex_search::{IndexOptions, SearchIndex, SearchProjection, WriterLock};

use crate::index_folder;

/// How far a rebuild has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexProgress {
    /// The commit position searchable in the new index.
    pub done: u64,
    /// The commit position it must reach.
    pub target: u64,
}

/// The last vacancy or job-seeker event in the store.
async fn last_indexed_event(client: &Client) -> Result<Option<Position>, String> {
    let options = ReadAllOptions::default()
        .position(StreamPosition::End)
        .backwards()
        .max_count(1)
        .filter(
            SubscriptionFilter::on_stream_name()
                .add_prefix("vacancy-")
                .add_prefix("jobseeker-"),
        );
    let mut read = client
        .read_all(&options)
        .await
        .map_err(|error| format!("cannot read the store: {error}"))?;
    let last = read
        .next()
        .await
        .map_err(|error| format!("cannot read the store: {error}"))?;
    Ok(last.map(|event| event.get_original_event().position))
}

/// Rebuilds the index of the data folder `data` from the store of
/// `client`, reporting progress, and swaps it in. Labex must not be
/// serving from this data folder meanwhile: the live index's writer lock is
/// taken first and held until the swap, so a labex serving it makes the
/// rebuild refuse, and one started meanwhile cannot open it. Answers the
/// position reached.
pub async fn reindex(
    client: Client,
    data: &Path,
    progress: impl Fn(ReindexProgress),
) -> Result<Option<Position>, String> {
    let live = index_folder(data);
    let _live_lock = WriterLock::take(&live).map_err(|error| match error {
        labex_search::SearchError::Locked(_) => format!(
            "{error}: labex seems to be serving from {}; stop it before reindexing",
            data.display()
        ),
        other => format!("cannot open {}: {other}", live.display()),
    })?;
    let fresh = live.with_extension("new");
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh)
            .map_err(|error| format!("cannot clear {}: {error}", fresh.display()))?;
    }
    let target = last_indexed_event(&client).await?;
    let (index, _) = SearchIndex::open(&fresh, IndexOptions::default())
        .map_err(|error| format!("cannot create {}: {error}", fresh.display()))?;
    let runner = ProjectionRunner::spawn(
        client,
        SearchProjection::new(index.clone()),
        RunnerOptions {
            batch_size: 4_096,
            ..RunnerOptions::default()
        },
    );
    let target_commit = target.map_or(0, |position| position.commit);
    if let Some(target) = target {
        loop {
            let done = index.searchable().map_or(0, |position| position.commit);
            progress(ReindexProgress {
                done: done.min(target_commit),
                target: target_commit,
            });
            if index.searchable() >= Some(target) {
                break;
            }
            if let labex_eventsourcing::RunState::Failed = runner.progress().state {
                return Err("the rebuild stopped; see the log".to_owned());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    runner
        .stop()
        .await
        .map_err(|error| format!("the rebuild failed: {error}"))?;
    let reached = index
        .flush()
        .map_err(|error| format!("cannot commit the new index: {error}"))?;
    progress(ReindexProgress {
        done: target_commit,
        target: target_commit,
    });
    index
        .merge_all()
        .map_err(|error| format!("cannot merge the new index: {error}"))?;
    // Merges in flight finish before the folder moves; a handle still held
    // by the stopped projection's timer only delays that to its drop.
    if let Err(error) = index.wait_merging_threads() {
        tracing::debug!(error = %error, "merges left to the index's drop");
    }
    let old = live.with_extension("old");
    if old.exists() {
        std::fs::remove_dir_all(&old)
            .map_err(|error| format!("cannot clear {}: {error}", old.display()))?;
    }
    if live.exists() {
        std::fs::rename(&live, &old)
            .map_err(|error| format!("cannot move the old index aside: {error}"))?;
    }
    std::fs::rename(&fresh, &live)
        .map_err(|error| format!("cannot swap the new index in: {error}"))?;
    if old.exists() {
        std::fs::remove_dir_all(&old)
            .map_err(|error| format!("cannot remove the old index: {error}"))?;
    }
    Ok(reached)
}
