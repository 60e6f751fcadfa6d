//! Labex's search: a Tantivy index of vacancies and job seekers, kept by a
//! projection of `$all`, with Chinese and English text search, filters,
//! facets, type-ahead and two-way matching. A plain Rust API; the HTTP
//! service lives elsewhere.
//!
//! The flow: [`SearchIndex::open`] opens (or creates, or — when the schema
//! or analyzer version changed — empties) the index folder and reads the
//! `$all` position stored in the last commit's payload.
//! [`SearchProjection`] is the [`Consumer`](labex_eventsourcing::Consumer)
//! a `ProjectionRunner` drives: it upserts a document per vacancy, job
//! seeker and household of the register (the whole current state is stored
//! with it, so a change rebuilds it; a household only decides which job
//! seekers count as members of a zero-employment household), groups commits about every 100 ms, stores the position in each
//! commit and reloads the reader. Queries ([`SearchIndex::search_vacancies`],
//! [`SearchIndex::complete`], [`SearchIndex::matches_for`],
//! [`SearchIndex::candidates_for`]) read the last commit.
//!
//! Text is analysed by one analyzer ([`analysis`]): jieba for Chinese
//! (dictionary embedded, loaded once), lowercased and stemmed English,
//! punctuation dropped. User text is split into words, `"phrases"` and
//! `-exclusions`, analysed the same way and built into boolean queries
//! over weighted fields (title over occupation over skills over
//! description), widened by an occupation synonym table
//! (`data/synonyms.txt`).
//!
//! One index holds both kinds of document, so that one commit — and the
//! one `$all` position in its payload — covers both. Every document keeps
//! the record it was built from (JSON in a stored field) and the stream
//! revision of the last event applied, so an event handed over again
//! changes nothing.
//!
//! Threading: index writes take a mutex and run on tokio's blocking pool;
//! searches are synchronous and may run on any thread (call them from
//! `spawn_blocking` in a server); one search may search segments on a few
//! threads of its own ([`IndexOptions::search_threads`]); Tantivy's own
//! threads index and merge.

pub mod analysis;
mod columns;
mod document;
mod error;
mod filters;
pub mod fts;
mod index;
mod matching;
pub mod places;
mod projection;
pub mod query;
mod schema;
mod search;
mod synonyms;

pub use document::{
    HouseholdRecord, JobSeekerRecord, Record, VacancyRecord, scope_prefixes, wish_scopes,
};
pub use error::SearchError;
pub use index::{IndexOptions, Opening, SearchIndex, WriterLock};
pub use matching::{HARD_TO_EMPLOY_BOOST, MatchOptions, PRIORITY_BOOST, priority_boost};
pub use projection::{PROJECTION_NAME, STREAM_PREFIXES, SearchProjection};
pub use schema::SCHEMA_VERSION;
pub use search::{
    DEFAULT_LIMIT, FacetCount, Facets, Highlight, Hit, MAX_LIMIT, MAX_OFFSET, Place, Reason,
    ReasonField, ReasonKind, SearchResults, SortOrder, Suggestion, VacancySearch,
};
pub use synonyms::Synonyms;
