//! The columns every search reads for each match, copied once per segment
//! into plain arrays.
//!
//! Counting facets and ranking by recency or pay read a few values of
//! every matching document: tens of thousands per query, a million for a
//! search of the whole province. Tantivy's fast fields are compressed
//! (bit-packed, linear blocks) and reached through a column index, which
//! costs several nanoseconds a value. A segment never changes once
//! written, so its values are decoded into arrays the first time a search
//! meets it (about 40 bytes a document, tens of milliseconds for a
//! million) and shared by every search after. The orders a search without
//! text pages through (newest first, best paid first) are kept the same
//! way, so such a search reads only the documents it shows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, SegmentReader};

/// No value (a string column's ordinal, an education level).
pub(crate) const NONE: u32 = u32::MAX;

/// The dense columns of one segment.
pub(crate) struct SegmentColumns {
    /// Publication time, milliseconds (0 when none).
    pub(crate) published_at: Vec<i64>,
    /// The pay order: highest maximum first, then highest minimum.
    pub(crate) salary: Vec<u64>,
    /// The facet values of each document, side by side: a search counts
    /// them for matches in no particular order, one cache line each.
    pub(crate) facets: Vec<FacetRow>,
    /// The `region` column (counties), to name its ordinals.
    pub(crate) region: Names,
    /// The `region_city` column (cities).
    pub(crate) region_city: Names,
    /// The `occupation` column.
    pub(crate) occupation: Names,
    newest_first: OnceLock<Vec<DocId>>,
    best_paid_first: OnceLock<Vec<DocId>>,
}

/// One document's facet values: term ordinals of the segment's string
/// columns ([`NONE`] when it has none), the education ordinal and the
/// welcomed categories.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FacetRow {
    pub(crate) region: u32,
    pub(crate) region_city: u32,
    pub(crate) occupation: u32,
    /// One bit per category of `JobSeekerCategory::ALL`.
    pub(crate) welcomes: u16,
    /// [`NO_EDUCATION`] when none.
    pub(crate) education: u8,
}

/// No education level.
pub(crate) const NO_EDUCATION: u8 = u8::MAX;

const _: () = assert!(labex_domain::value::JobSeekerCategory::ALL.len() <= 16);

/// A string column, to turn the ordinals of its terms back into text.
pub(crate) struct Names {
    column: Option<StrColumn>,
}

impl Names {
    fn read(reader: &SegmentReader, field: &str) -> tantivy::Result<Self> {
        Ok(Self {
            column: reader.fast_fields().str(field)?,
        })
    }

    fn ordinal(&self, doc: DocId) -> u32 {
        self.column
            .as_ref()
            .and_then(|column| column.ords().first(doc))
            .and_then(|ordinal| u32::try_from(ordinal).ok())
            .unwrap_or(NONE)
    }

    /// How many distinct values the segment has.
    pub(crate) fn terms(&self) -> usize {
        self.column.as_ref().map_or(0, |column| column.num_terms())
    }

    /// The text of `ordinal`.
    pub(crate) fn text(&self, ordinal: u64, into: &mut String) -> bool {
        self.column
            .as_ref()
            .is_some_and(|column| column.ord_to_str(ordinal, into).unwrap_or(false))
    }
}

impl SegmentColumns {
    fn read(reader: &SegmentReader) -> tantivy::Result<Self> {
        let max_doc = reader.max_doc();
        let fast = reader.fast_fields();
        let published = fast.i64("published_at")?;
        let salary_max = fast.u64("salary_max")?;
        let salary_min = fast.u64("salary_min")?;
        let education = fast.u64("education")?;
        let welcomes = fast.u64("welcomes_mask")?;
        let region = Names::read(reader, "region")?;
        let region_city = Names::read(reader, "region_city")?;
        let occupation = Names::read(reader, "occupation")?;
        let docs = 0..max_doc;
        let facets = docs
            .clone()
            .map(|doc| FacetRow {
                region: region.ordinal(doc),
                region_city: region_city.ordinal(doc),
                occupation: occupation.ordinal(doc),
                welcomes: welcomes.first(doc).unwrap_or(0) as u16,
                education: education
                    .first(doc)
                    .and_then(|value| u8::try_from(value).ok())
                    .unwrap_or(NO_EDUCATION),
            })
            .collect();
        Ok(Self {
            published_at: docs
                .clone()
                .map(|doc| published.first(doc).unwrap_or(0))
                .collect(),
            salary: docs
                .map(|doc| {
                    let max = salary_max.first(doc).unwrap_or(0);
                    let min = salary_min.first(doc).unwrap_or(0);
                    salary_key(max, min)
                })
                .collect(),
            facets,
            region,
            region_city,
            occupation,
            newest_first: OnceLock::new(),
            best_paid_first: OnceLock::new(),
        })
    }

    /// The segment's documents, newest first (the lower document first
    /// among equals).
    pub(crate) fn newest_first(&self) -> &[DocId] {
        self.newest_first
            .get_or_init(|| order_by(&self.published_at))
    }

    /// The segment's documents, best paid first (the lower document first
    /// among equals).
    pub(crate) fn best_paid_first(&self) -> &[DocId] {
        self.best_paid_first.get_or_init(|| order_by(&self.salary))
    }

    fn bytes(&self) -> usize {
        let docs = self.published_at.len();
        // Two columns of 8 bytes, the facet rows, and two orders once made.
        docs * (8 + 8 + std::mem::size_of::<FacetRow>() + 4 + 4)
    }
}

/// The pay order's key: the maximum first, then the minimum.
pub(crate) fn salary_key(max: u64, min: u64) -> u64 {
    max.saturating_mul(1_000_000).saturating_add(min)
}

/// The documents by `key`, highest first, the lower document first among
/// equals.
fn order_by<K: Ord + Copy>(key: &[K]) -> Vec<DocId> {
    let mut docs: Vec<DocId> = (0..key.len() as DocId).collect();
    docs.sort_by(|a, b| key[*b as usize].cmp(&key[*a as usize]).then(a.cmp(b)));
    docs
}

/// The dense columns of the segments searches meet, shared by every
/// search; segments that left the index are dropped when a new one comes.
#[derive(Default)]
pub(crate) struct ColumnCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>,
}

impl std::fmt::Debug for ColumnCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let segments = self.lock();
        formatter
            .debug_struct("ColumnCache")
            .field("segments", &segments.len())
            .field(
                "bytes",
                &segments
                    .values()
                    .map(|columns| columns.bytes())
                    .sum::<usize>(),
            )
            .finish()
    }
}

impl ColumnCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentColumns>>> {
        self.segments
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The columns of `reader`'s segment, read now if no search has yet;
    /// `live` are the segments of the searcher asking, the ones kept.
    pub(crate) fn get(
        &self,
        reader: &SegmentReader,
        live: &[SegmentReader],
    ) -> tantivy::Result<Arc<SegmentColumns>> {
        let segment = reader.segment_id();
        if let Some(columns) = self.lock().get(&segment) {
            return Ok(Arc::clone(columns));
        }
        // Read outside the lock: other searches go on meanwhile (two that
        // meet a new segment at once both read it; one copy is kept).
        let columns = Arc::new(SegmentColumns::read(reader)?);
        let mut segments = self.lock();
        segments.retain(|id, _| live.iter().any(|live| live.segment_id() == *id));
        Ok(Arc::clone(segments.entry(segment).or_insert(columns)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_put_the_highest_first_and_the_lower_document_first_among_equals() {
        assert_eq!(order_by(&[5_i64, 9, 5, 1, 9]), vec![1, 4, 0, 2, 3]);
        assert_eq!(order_by::<i64>(&[]), Vec::<DocId>::new());
    }

    #[test]
    fn pay_orders_by_maximum_then_minimum() {
        assert!(salary_key(8_000, 3_000) > salary_key(7_999, 7_999));
        assert!(salary_key(8_000, 5_000) > salary_key(8_000, 4_000));
    }
}
