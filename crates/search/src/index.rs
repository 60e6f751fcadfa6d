//! The index folder, its writer and reader, and how events change it.
//!
//! One writer, behind a mutex, applies events as upserts by id (delete the
//! id's term, add the new document) and keeps the records changed since
//! the last commit in memory, so that a second event for the same id
//! before the commit builds on the first. A commit carries, in its
//! payload, the `$all` position of the last event applied and the schema
//! and analyzer versions; after it the writer reloads the reader
//! (`ReloadPolicy::Manual`) and publishes the position now searchable.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kurrentdb::Position;
use labex_domain::priority::{household_gives_priority, in_registered_household};
use labex_domain::{AggregateId, Event, HouseholdId, JobSeekerId, VacancyId};
use labex_eventsourcing::StoredEvent;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};
use tokio::sync::watch;

use crate::analysis::{
    ANALYZER_NAME, ANALYZER_VERSION, NGRAM_ANALYZER_NAME, analyzer, ngram_analyzer, warm_up,
};
use crate::document::{HouseholdRecord, JobSeekerRecord, Record, VacancyRecord};
use crate::error::SearchError;
use crate::schema::{Fields, SCHEMA_VERSION};
use crate::synonyms::Synonyms;

/// How the index writes and how often it commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexOptions {
    /// Indexing threads.
    pub writer_threads: usize,
    /// Threads one search may use, segments searched in parallel (1: on
    /// the caller's thread only).
    pub search_threads: usize,
    /// The writer's memory budget, in bytes, for all its threads (at least
    /// 15 MB a thread).
    pub writer_memory_bytes: usize,
    /// The longest a change waits for its commit while events trickle in.
    pub commit_interval: Duration,
    /// While catching up (full batches of events), commits are this far
    /// apart, so that a rebuild does not make thousands of tiny segments.
    pub catch_up_commit_interval: Duration,
    /// How often a moved checkpoint with no change of documents is
    /// committed (so a restart need not re-read filtered-out events).
    pub checkpoint_only_interval: Duration,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self {
            writer_threads: std::thread::available_parallelism()
                .map_or(1, |threads| threads.get())
                .min(2),
            search_threads: std::thread::available_parallelism()
                .map_or(1, |threads| threads.get())
                .min(4),
            writer_memory_bytes: 200_000_000,
            commit_interval: Duration::from_millis(100),
            catch_up_commit_interval: Duration::from_secs(2),
            checkpoint_only_interval: Duration::from_secs(5),
        }
    }
}

impl IndexOptions {
    /// Small and single-threaded, for tests.
    pub fn for_tests() -> Self {
        Self {
            writer_threads: 1,
            search_threads: 1,
            writer_memory_bytes: 20_000_000,
            ..Self::default()
        }
    }
}

/// How the index was found at open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    /// There was none; it is empty.
    Created,
    /// It was there, built by this version; it goes on from its checkpoint.
    Reopened {
        /// The position of the last event in it.
        checkpoint: Option<Position>,
    },
    /// It was built by another schema or analyzer version and was emptied:
    /// the caller must replay `$all` from the start.
    Rebuilt {
        /// The schema version found.
        found_schema: Option<u32>,
        /// The analyzer version found.
        found_analyzer: Option<u32>,
    },
}

impl Opening {
    /// Whether events must be replayed from the start of `$all`.
    pub fn must_replay_from_start(&self) -> bool {
        !matches!(
            self,
            Opening::Reopened {
                checkpoint: Some(_)
            }
        )
    }
}

/// What every commit carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct CommitPayload {
    schema: u32,
    analyzer: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prepare: Option<u64>,
}

impl CommitPayload {
    fn current(position: Option<Position>) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            analyzer: ANALYZER_VERSION,
            commit: position.map(|position| position.commit),
            prepare: position.map(|position| position.prepare),
        }
    }

    fn position(&self) -> Option<Position> {
        Some(Position {
            commit: self.commit?,
            prepare: self.prepare?,
        })
    }
}

/// The search index: cheap to clone, shared by the projection that writes
/// it and whoever searches it.
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    pub(crate) synonyms: Synonyms,
    /// Bit sets of search filters per segment.
    pub(crate) filters: Arc<crate::filters::FilterCache>,
    /// Dense copies of the columns searches read per match, per segment.
    pub(crate) columns: Arc<crate::columns::ColumnCache>,
    /// Told, at each commit, how long each change it makes searchable
    /// waited since the store recorded it.
    on_searchable: std::sync::OnceLock<Box<dyn Fn(Duration) + Send + Sync>>,
    writer: Mutex<Indexer>,
    searchable: watch::Sender<Option<Position>>,
    path: PathBuf,
}

struct Indexer {
    writer: IndexWriter<TantivyDocument>,
    options: IndexOptions,
    /// Records changed since the last commit, by id.
    pending: HashMap<String, Record>,
    /// The households among `pending`, by member.
    pending_households: HashMap<JobSeekerId, Vec<String>>,
    /// Documents changed since the last commit.
    dirty: bool,
    /// The position of the last event handed in.
    handled: Option<Position>,
    /// The position in the last commit.
    committed: Option<Position>,
    last_commit: Instant,
    last_change: Instant,
    catching_up: bool,
    /// When the store recorded each change waiting for the next commit.
    waiting_since: Vec<chrono::DateTime<chrono::Utc>>,
}

impl SearchIndex {
    /// Opens the index in `path` (a folder, made if missing), or creates
    /// it. An index of another schema or analyzer version is emptied and
    /// begun again ([`Opening::Rebuilt`]).
    pub fn open(path: &Path, options: IndexOptions) -> Result<(Self, Opening), SearchError> {
        warm_up();
        std::fs::create_dir_all(path)?;
        let (schema, fields) = Fields::build();
        let existing = path.join("meta.json").exists();
        let mut opening = Opening::Created;
        let mut checkpoint = None;
        let index = if existing {
            let index = Index::open_in_dir(path)?;
            let payload = index
                .load_metas()?
                .payload
                .and_then(|payload| serde_json::from_str::<CommitPayload>(&payload).ok());
            let current = payload.is_some_and(|payload| {
                payload.schema == SCHEMA_VERSION && payload.analyzer == ANALYZER_VERSION
            }) && index.schema() == schema;
            if current {
                checkpoint = payload.and_then(|payload| payload.position());
                opening = Opening::Reopened { checkpoint };
                index
            } else {
                tracing::warn!(
                    path = %path.display(),
                    found_schema = ?payload.map(|payload| payload.schema),
                    found_analyzer = ?payload.map(|payload| payload.analyzer),
                    "search index of another version, rebuilding"
                );
                opening = Opening::Rebuilt {
                    found_schema: payload.map(|payload| payload.schema),
                    found_analyzer: payload.map(|payload| payload.analyzer),
                };
                drop(index);
                std::fs::remove_dir_all(path)?;
                std::fs::create_dir_all(path)?;
                Index::create_in_dir(path, schema)?
            }
        } else {
            Index::create_in_dir(path, schema)?
        };
        let mut index = index;
        index.tokenizers().register(ANALYZER_NAME, analyzer());
        index
            .tokenizers()
            .register(NGRAM_ANALYZER_NAME, ngram_analyzer());
        if options.search_threads > 1 {
            index.set_multithread_executor(options.search_threads)?;
        }
        let writer = index.writer_with_num_threads(
            options.writer_threads.max(1),
            options
                .writer_memory_bytes
                .max(15_000_000 * options.writer_threads.max(1)),
        )?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let (searchable, _) = watch::channel(checkpoint);
        let mut indexer = Indexer {
            writer,
            options,
            pending: HashMap::new(),
            pending_households: HashMap::new(),
            dirty: false,
            handled: checkpoint,
            committed: checkpoint,
            last_commit: Instant::now(),
            last_change: Instant::now(),
            catching_up: false,
            waiting_since: Vec::new(),
        };
        if !matches!(opening, Opening::Reopened { .. }) {
            // Record the versions at once, so the next open recognises it.
            indexer.dirty = true;
        }
        let shared = Arc::new(Shared {
            fields,
            reader,
            synonyms: Synonyms::embedded(),
            filters: Arc::default(),
            columns: Arc::default(),
            on_searchable: std::sync::OnceLock::new(),
            writer: Mutex::new(indexer),
            searchable,
            path: path.to_owned(),
        });
        let search_index = Self { shared };
        search_index.flush()?;
        Ok((search_index, opening))
    }

    /// The folder it lives in.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// The position stored with the last commit.
    pub fn checkpoint(&self) -> Option<Position> {
        self.shared.writer.lock().committed
    }

    /// The position up to which every event is searchable.
    pub fn searchable(&self) -> Option<Position> {
        *self.shared.searchable.borrow()
    }

    /// Waits until every event up to `position` is searchable (for
    /// read-your-writes and tests), at most `timeout`.
    pub async fn wait_for(&self, position: Position, timeout: Duration) -> Result<(), SearchError> {
        let mut searchable = self.shared.searchable.subscribe();
        let reached = searchable.wait_for(|at| *at >= Some(position));
        match tokio::time::timeout(timeout, reached).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(SearchError::Worker("the index was dropped".to_owned())),
            Err(_) => Err(SearchError::Timeout {
                waited_ms: timeout.as_millis(),
            }),
        }
    }

    /// Commits whatever is pending now (blocking).
    pub fn flush(&self) -> Result<Option<Position>, SearchError> {
        let mut indexer = self.shared.writer.lock();
        if indexer.dirty || indexer.handled != indexer.committed {
            indexer.commit(&self.shared)?;
        }
        Ok(indexer.committed)
    }

    /// Applies `events` and moves the position handled to `checkpoint`;
    /// commits when a commit is due (blocking).
    pub fn apply(&self, events: &[StoredEvent], checkpoint: Position) -> Result<(), SearchError> {
        let mut indexer = self.shared.writer.lock();
        let searcher = self.shared.reader.searcher();
        let mut changed = false;
        for event in events {
            if indexer.apply(&self.shared, &searcher, event)? {
                changed = true;
                indexer.waiting_since.push(event.created);
            }
        }
        let now = Instant::now();
        indexer.handled = indexer.handled.max(Some(checkpoint));
        if changed {
            indexer.dirty = true;
            indexer.last_change = now;
        }
        indexer.catching_up = events.len() >= 128;
        if indexer.commit_due(now, false) {
            indexer.commit(&self.shared)?;
        } else {
            indexer.publish(&self.shared);
        }
        Ok(())
    }

    /// Commits what has waited long enough (called by the projection's
    /// ticker, blocking).
    pub(crate) fn tick(&self) -> Result<(), SearchError> {
        let mut indexer = self.shared.writer.lock();
        if indexer.commit_due(Instant::now(), true) {
            indexer.commit(&self.shared)?;
        }
        Ok(())
    }

    /// Calls `observe` at each commit with how long each change it made
    /// searchable waited since the store recorded it (the projection lag
    /// a searcher sees). Only the first observer set is kept.
    pub fn on_searchable(&self, observe: impl Fn(Duration) + Send + Sync + 'static) {
        let _ = self.shared.on_searchable.set(Box::new(observe));
    }

    /// Segments searched now.
    pub fn segment_count(&self) -> usize {
        self.searcher().segment_readers().len()
    }

    /// A searcher over what is committed.
    pub(crate) fn searcher(&self) -> Searcher {
        self.shared.reader.searcher()
    }

    /// The record of vacancy or job seeker `id` as committed, if any.
    pub fn record(&self, id: &str) -> Result<Option<Record>, SearchError> {
        let searcher = self.searcher();
        load_record(&self.shared, &searcher, id)
    }

    /// Merges every committed segment into one (blocking), keeping the
    /// committed position. For `labex reindex`: a bulk load leaves a dozen
    /// or more segments, and every search pays per segment (term look-ups,
    /// scorers, filter sets); merged once, the index starts from one. Merges
    /// the index started on its own finish first.
    pub fn merge_all(&self) -> Result<(), SearchError> {
        loop {
            let ids = self
                .shared
                .reader
                .searcher()
                .index()
                .searchable_segment_ids()?;
            if ids.len() < 2 {
                return Ok(());
            }
            let merge = self.shared.writer.lock().writer.merge(&ids);
            match merge.wait() {
                Ok(_) => break,
                // A segment still in one of the index's own merges: wait
                // for it and ask again.
                Err(tantivy::TantivyError::InvalidArgument(_)) => {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    self.shared.reader.reload()?;
                }
                Err(error) => return Err(error.into()),
            }
        }
        self.shared.reader.reload()?;
        Ok(())
    }

    /// Blocks until the background merges end (for the benchmark).
    pub fn wait_merging_threads(self) -> Result<(), SearchError> {
        let Ok(shared) = Arc::try_unwrap(self.shared) else {
            return Err(SearchError::Worker(
                "the index is still shared; drop the other handles first".to_owned(),
            ));
        };
        let indexer = shared.writer.into_inner();
        indexer.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// The writer lock of an index folder, held: no other process can write
/// (or serve) that index while it lives.
pub struct WriterLock {
    _writer: tantivy::IndexWriter<TantivyDocument>,
}

impl std::fmt::Debug for WriterLock {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("WriterLock")
    }
}

impl WriterLock {
    /// Takes the writer lock of the index in `path`: `Ok(None)` when there
    /// is no index there, [`SearchError::Locked`] when a running process
    /// (a serving labex) holds it.
    pub fn take(path: &Path) -> Result<Option<Self>, SearchError> {
        if !path.join("meta.json").exists() {
            return Ok(None);
        }
        let index = tantivy::Index::open_in_dir(path)?;
        // The least memory a writer thread may have; it never indexes.
        match index.writer_with_num_threads::<TantivyDocument>(1, 20_000_000) {
            Ok(writer) => Ok(Some(Self { _writer: writer })),
            Err(tantivy::TantivyError::LockFailure(..)) => {
                Err(SearchError::Locked(path.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// The address of the live document with `id`, if any.
pub(crate) fn find_document(
    shared: &Shared,
    searcher: &Searcher,
    id: &str,
) -> Result<Option<DocAddress>, SearchError> {
    let term = Term::from_field_text(shared.fields.id, id);
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let inverted = segment.inverted_index(shared.fields.id)?;
        let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? else {
            continue;
        };
        use tantivy::DocSet;
        let mut doc = postings.doc();
        while doc != tantivy::TERMINATED {
            if segment
                .alive_bitset()
                .is_none_or(|alive| alive.is_alive(doc))
            {
                return Ok(Some(DocAddress::new(ordinal as u32, doc)));
            }
            doc = postings.advance();
        }
    }
    Ok(None)
}

/// The record stored in a document.
pub(crate) fn record_of(
    shared: &Shared,
    document: &TantivyDocument,
) -> Result<Record, SearchError> {
    let state = document
        .get_first(shared.fields.state)
        .and_then(|value| value.as_str())
        .unwrap_or_default();
    serde_json::from_str(state).map_err(|error| SearchError::Corrupt {
        id: document
            .get_first(shared.fields.id)
            .and_then(|value| value.as_str())
            .unwrap_or_default()
            .to_owned(),
        reason: error.to_string(),
    })
}

fn load_record(
    shared: &Shared,
    searcher: &Searcher,
    id: &str,
) -> Result<Option<Record>, SearchError> {
    let Some(address) = find_document(shared, searcher, id)? else {
        return Ok(None);
    };
    let document: TantivyDocument = searcher.doc(address)?;
    record_of(shared, &document).map(Some)
}

impl Indexer {
    fn commit_due(&self, now: Instant, from_ticker: bool) -> bool {
        let since_commit = now.duration_since(self.last_commit);
        if self.dirty {
            if self.catching_up {
                let quiet = now.duration_since(self.last_change) >= self.options.commit_interval;
                since_commit >= self.options.catch_up_commit_interval
                    || (from_ticker && quiet && since_commit >= self.options.commit_interval)
            } else {
                since_commit >= self.options.commit_interval
            }
        } else {
            self.handled != self.committed && since_commit >= self.options.checkpoint_only_interval
        }
    }

    fn commit(&mut self, shared: &Shared) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&CommitPayload::current(self.handled))
            .expect("the payload serialises");
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        shared.reader.reload()?;
        if let Some(observe) = shared.on_searchable.get() {
            let now = chrono::Utc::now();
            for recorded in &self.waiting_since {
                observe((now - *recorded).to_std().unwrap_or_default());
            }
        }
        self.waiting_since.clear();
        self.pending.clear();
        self.pending_households.clear();
        self.dirty = false;
        self.committed = self.handled;
        self.last_commit = Instant::now();
        self.publish(shared);
        Ok(())
    }

    /// Publishes the position searchable now: what was handled when no
    /// change waits for a commit, else what was committed.
    fn publish(&self, shared: &Shared) {
        let searchable = if self.dirty {
            self.committed
        } else {
            self.handled
        };
        shared.searchable.send_if_modified(|at| {
            if *at != searchable {
                *at = searchable;
                true
            } else {
                false
            }
        });
    }

    fn current(
        &self,
        shared: &Shared,
        searcher: &Searcher,
        id: &str,
    ) -> Result<Option<Record>, SearchError> {
        if let Some(record) = self.pending.get(id) {
            return Ok(Some(record.clone()));
        }
        load_record(shared, searcher, id)
    }

    fn upsert(&mut self, shared: &Shared, record: Record) -> Result<(), SearchError> {
        let id = record.id();
        self.writer
            .delete_term(Term::from_field_text(shared.fields.id, &id));
        self.writer
            .add_document(record.to_document(&shared.fields))?;
        if let Record::Household(household) = &record
            && !self.pending.contains_key(&id)
        {
            for member in &household.members {
                self.pending_households
                    .entry(*member)
                    .or_default()
                    .push(id.clone());
            }
        }
        self.pending.insert(id, record);
        Ok(())
    }

    /// Applies one event, folded into the record's aggregate state by the
    /// domain's `evolve`; answers whether a document changed.
    fn apply(
        &mut self,
        shared: &Shared,
        searcher: &Searcher,
        event: &StoredEvent,
    ) -> Result<bool, SearchError> {
        let revision = event.revision;
        let record = match &event.event {
            Event::Vacancy(change) => {
                let Some(id) = stream_id::<VacancyId>(&event.stream) else {
                    return Ok(false);
                };
                let current = match self.current(shared, searcher, id)? {
                    Some(Record::Vacancy(vacancy)) => Some(vacancy),
                    _ => None,
                };
                let known = current.is_some();
                match VacancyRecord::fold(current, change, revision) {
                    Some(folded) => Record::Vacancy(folded),
                    None => {
                        if !known {
                            tracing::warn!(vacancy = %id, event = event.event_type(), "change of a vacancy the index does not hold, skipped");
                        }
                        return Ok(false);
                    }
                }
            }
            Event::JobSeeker(change) => {
                let Some(id) = stream_id::<JobSeekerId>(&event.stream) else {
                    return Ok(false);
                };
                let current = match self.current(shared, searcher, id)? {
                    Some(Record::JobSeeker(jobseeker)) => Some(jobseeker),
                    _ => None,
                };
                let known = current.is_some();
                match JobSeekerRecord::fold(current, change, revision) {
                    // A household may have reached the index first.
                    Some(folded) if !known => {
                        let member = folded.id;
                        Record::JobSeeker(folded.with_household(
                            self.in_registered_household(shared, searcher, member)?,
                        ))
                    }
                    Some(folded) => Record::JobSeeker(folded),
                    None => {
                        if !known {
                            tracing::warn!(jobseeker = %id, event = event.event_type(), "change of a job seeker the index does not hold, skipped");
                        }
                        return Ok(false);
                    }
                }
            }
            Event::Household(change) => {
                let Some(id) = stream_id::<HouseholdId>(&event.stream) else {
                    return Ok(false);
                };
                let current = match self.current(shared, searcher, id)? {
                    Some(Record::Household(household)) => Some(household),
                    _ => None,
                };
                let gave = current
                    .as_ref()
                    .is_some_and(|household| household_gives_priority(household.status));
                let Some(folded) = HouseholdRecord::fold(current, change, revision) else {
                    return Ok(false);
                };
                let gives = household_gives_priority(folded.status);
                let members = folded.members.clone();
                self.upsert(shared, Record::Household(folded))?;
                if gave != gives {
                    for member in members {
                        self.refresh_member(shared, searcher, member)?;
                    }
                }
                return Ok(true);
            }
            _ => return Ok(false),
        };
        self.upsert(shared, record)?;
        Ok(true)
    }

    /// Whether `member` belongs to a household the register has as
    /// registered now: the households naming them, as changed since the
    /// last commit or else as committed.
    fn in_registered_household(
        &self,
        shared: &Shared,
        searcher: &Searcher,
        member: JobSeekerId,
    ) -> Result<bool, SearchError> {
        let mut households: HashMap<String, HouseholdRecord> = HashMap::new();
        let term = Term::from_field_text(shared.fields.members, &member.as_uuid().to_string());
        let committed = searcher.search(
            &tantivy::query::TermQuery::new(term, IndexRecordOption::Basic),
            &tantivy::collector::DocSetCollector,
        )?;
        for address in committed {
            let document: TantivyDocument = searcher.doc(address)?;
            if let Record::Household(household) = record_of(shared, &document)? {
                households.insert(household.id.as_uuid().to_string(), household);
            }
        }
        for id in self.pending_households.get(&member).into_iter().flatten() {
            if let Some(Record::Household(household)) = self.pending.get(id) {
                households.insert(id.clone(), household.clone());
            }
        }
        Ok(in_registered_household(
            households.values().map(|household| &household.state),
            member,
        ))
    }

    /// Rebuilds job seeker `member`'s document if what the register says of
    /// them changed; a job seeker the index does not hold yet is looked up
    /// when they arrive.
    fn refresh_member(
        &mut self,
        shared: &Shared,
        searcher: &Searcher,
        member: JobSeekerId,
    ) -> Result<(), SearchError> {
        let Some(Record::JobSeeker(record)) =
            self.current(shared, searcher, &member.as_uuid().to_string())?
        else {
            return Ok(());
        };
        let registered = self.in_registered_household(shared, searcher, member)?;
        if record.in_registered_household != registered {
            self.upsert(shared, Record::JobSeeker(record.with_household(registered)))?;
        }
        Ok(())
    }
}

/// The aggregate id (UUID text) of a stream named `<category>-<uuid>`.
fn stream_id<Id: AggregateId>(stream: &str) -> Option<&str> {
    stream.strip_prefix(Id::STREAM_CATEGORY)?.strip_prefix('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_lock_is_refused_while_an_index_is_open_and_taken_after() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("index");
        assert!(
            WriterLock::take(&path)
                .expect("no index, no lock")
                .is_none()
        );
        let (index, _) = SearchIndex::open(&path, IndexOptions::for_tests()).expect("it opens");
        assert!(matches!(
            WriterLock::take(&path),
            Err(SearchError::Locked(locked)) if locked == path
        ));
        drop(index);
        let lock = WriterLock::take(&path).expect("free again");
        assert!(lock.is_some());
        // Held, it keeps the index from being opened for writing.
        assert!(SearchIndex::open(&path, IndexOptions::for_tests()).is_err());
    }
}
