//! `labex reindex`: the search index rebuilt from the store into a new
//! folder, swapped in once it has caught up with the last event it follows
//! (vacancy, job seeker, household) that was there when it began.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kurrentdb::{Client, Position, ReadAllOptions, SubscriptionFilter};
use labex_eventsourcing::{ProjectionRunner, RunnerOptions, reads};
use labex_search::{
    IndexOptions, STREAM_PREFIXES, SearchError, SearchIndex, SearchProjection, WriterLock,
};

use crate::index_folder;

/// Why a rebuild of the index failed.
#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    /// The store could not be read.
    #[error("cannot read the store: {0}")]
    Store(#[from] kurrentdb::Error),
    /// A labex holds the live index.
    #[error("{source}: labex seems to be serving from {data}; stop it before reindexing")]
    Serving { data: PathBuf, source: SearchError },
    /// The index could not be opened, written, committed or merged.
    #[error("cannot {what}: {source}")]
    Index { what: String, source: SearchError },
    /// A folder could not be cleared or moved.
    #[error("cannot {what}: {source}")]
    Folder {
        what: String,
        source: std::io::Error,
    },
    /// The projection that rebuilds stopped on an error (in the log).
    #[error("the rebuild stopped; see the log")]
    Stopped,
    /// The projection that rebuilds failed as it stopped.
    #[error("the rebuild failed: {0}")]
    Failed(String),
}

fn index_error(what: impl Into<String>) -> impl FnOnce(SearchError) -> ReindexError {
    let what = what.into();
    move |source| ReindexError::Index { what, source }
}

fn folder_error(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ReindexError {
    let what = what.into();
    move |source| ReindexError::Folder { what, source }
}

/// How far a rebuild has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexProgress {
    /// The commit position searchable in the new index.
    pub done: u64,
    /// The commit position it must reach.
    pub target: u64,
}

/// The last event in the store of a stream the index follows.
async fn last_indexed_event(client: &Client) -> Result<Option<Position>, ReindexError> {
    let filter = STREAM_PREFIXES
        .iter()
        .fold(SubscriptionFilter::on_stream_name(), |filter, prefix| {
            filter.add_prefix(*prefix)
        });
    let options = ReadAllOptions::default().filter(filter);
    Ok(reads::last_position(client, options).await?)
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
) -> Result<Option<Position>, ReindexError> {
    let live = index_folder(data);
    let _live_lock = WriterLock::take(&live).map_err(|error| match error {
        SearchError::Locked(_) => ReindexError::Serving {
            data: data.to_owned(),
            source: error,
        },
        other => index_error(format!("open {}", live.display()))(other),
    })?;
    let fresh = live.with_extension("new");
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh)
            .map_err(folder_error(format!("clear {}", fresh.display())))?;
    }
    let target = last_indexed_event(&client).await?;
    let (index, _) = SearchIndex::open(&fresh, IndexOptions::default())
        .map_err(index_error(format!("create {}", fresh.display())))?;
    let runner = ProjectionRunner::spawn(
        client,
        SearchProjection::new(index.clone()),
        RunnerOptions {
            batch_size: 4_096,
            // The index stores checkpoints at its own pace and publishes
            // what is searchable from every one it is handed.
            checkpoint_interval: Duration::ZERO,
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
                return Err(ReindexError::Stopped);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    runner
        .stop()
        .await
        .map_err(|error| ReindexError::Failed(error.to_string()))?;
    let reached = index.flush().map_err(index_error("commit the new index"))?;
    progress(ReindexProgress {
        done: target_commit,
        target: target_commit,
    });
    index
        .merge_all()
        .map_err(index_error("merge the new index"))?;
    // Merges in flight finish before the folder moves; a handle still held
    // by the stopped projection's timer only delays that to its drop.
    if let Err(error) = index.wait_merging_threads() {
        tracing::debug!(error = %error, "merges left to the index's drop");
    }
    let old = live.with_extension("old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(folder_error(format!("clear {}", old.display())))?;
    }
    if live.exists() {
        std::fs::rename(&live, &old).map_err(folder_error("move the old index aside"))?;
    }
    std::fs::rename(&fresh, &live).map_err(folder_error("swap the new index in"))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(folder_error("remove the old index"))?;
    }
    Ok(reached)
}
