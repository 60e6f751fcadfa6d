//! What can go wrong, in one enum.

/// An error of the search library.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Tantivy failed (a damaged index, a full disk).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index folder could not be read or written.
    #[error("search index folder: {0}")]
    Io(#[from] std::io::Error),
    /// A stored document could not be read back.
    #[error("stored document {id} is unreadable: {reason}")]
    Corrupt {
        /// The document's id.
        id: String,
        /// What was wrong.
        reason: String,
    },
    /// More hits were asked for than one page may hold.
    #[error("limit {limit} is above the most allowed, {max}")]
    LimitTooLarge {
        /// What was asked.
        limit: usize,
        /// The most allowed.
        max: usize,
    },
    /// A page further on than paging goes was asked for.
    #[error("offset {offset} is above the most allowed, {max}")]
    OffsetTooLarge {
        /// What was asked.
        offset: usize,
        /// The most allowed.
        max: usize,
    },
    /// No vacancy or job seeker with this id is indexed.
    #[error("no {kind} {id} in the search index")]
    NotFound {
        /// `vacancy` or `jobseeker`.
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The index did not reach a position in time.
    #[error("the search index did not reach the position within {waited_ms} ms")]
    Timeout {
        /// How long it waited.
        waited_ms: u128,
    },
    /// Another process writes the index (a labex serving it).
    #[error("the search index in {} is in use by another process", .0.display())]
    Locked(std::path::PathBuf),
    /// The writer's worker thread ended abnormally.
    #[error("search index writer: {0}")]
    Worker(String),
}

impl SearchError {
    /// Whether the caller asked for something it may not (a 400, not a 500).
    pub fn is_bad_request(&self) -> bool {
        matches!(
            self,
            Self::LimitTooLarge { .. } | Self::OffsetTooLarge { .. }
        )
    }
}

impl From<SearchError> for labex_eventsourcing::ProjectionError {
    fn from(error: SearchError) -> Self {
        labex_eventsourcing::ProjectionError::Storage(error.to_string())
    }
}
