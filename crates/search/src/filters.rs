//! Filters kept as bit sets per segment.
//!
//! The filters of a vacancy search (open now, a region, an occupation, a
//! salary floor, an education ceiling, welcomed groups) take few distinct
//! values, and a segment never changes once written: deleted documents are
//! left out by the collectors, not by the query. So the documents of a
//! segment that pass one filter are worked out once, kept as one bit per
//! document, and the filters of a query become a single bit set that the
//! text is intersected with. Stepping through a posting list or a fast
//! field range for every filter of every query cost more than a third of
//! the search time at a million vacancies.
//!
//! "Open now" depends on the time: a set built at one moment stays right
//! for every moment between the latest closing time it left out and the
//! earliest it kept, and is rebuilt outside that window.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

/// Bytes of bit sets kept before the cache starts over.
const MAX_CACHED_BYTES: usize = 96 << 20;

/// One filter: the query that defines it and the key it is kept under.
#[derive(Debug)]
pub(crate) struct Filter {
    key: String,
    query: Box<dyn Query>,
    /// Also require `closes_at` (nanoseconds) after the search's moment.
    open_at: Option<i64>,
}

impl Clone for Filter {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
            query: self.query.box_clone(),
            open_at: self.open_at,
        }
    }
}

impl Filter {
    /// A filter kept under `key`, which must say everything `query` asks.
    pub(crate) fn new(key: impl Into<String>, query: Box<dyn Query>) -> Self {
        Self {
            key: key.into(),
            query,
            open_at: None,
        }
    }

    /// The documents of `query` that have not closed at `now` (nanoseconds,
    /// as the `closes_at` column counts).
    pub(crate) fn open_at(key: impl Into<String>, query: Box<dyn Query>, now: i64) -> Self {
        Self {
            key: key.into(),
            query,
            open_at: Some(now),
        }
    }
}

/// The bit sets of filters per segment, shared by every search.
#[derive(Default)]
pub(crate) struct FilterCache {
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    /// Sets by segment, then by filter key.
    entries: HashMap<SegmentId, HashMap<String, Arc<Bits>>>,
    bytes: usize,
}

impl fmt::Debug for FilterCache {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        formatter
            .debug_struct("FilterCache")
            .field("segments", &state.entries.len())
            .field("bytes", &state.bytes)
            .finish()
    }
}

/// One bit per document of a segment.
struct Bits {
    words: Arc<Vec<u64>>,
    /// The moments (seconds) for which an "open now" set is right: after
    /// the latest closing time it left out, before the earliest it kept.
    valid: std::ops::Range<i64>,
}

impl FilterCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The set kept for `key` in `segment`, if it is right at `open_at`.
    fn get(&self, segment: SegmentId, key: &str, open_at: Option<i64>) -> Option<Arc<Bits>> {
        let state = self.lock();
        let bits = state.entries.get(&segment)?.get(key)?;
        match open_at {
            Some(now) if !bits.valid.contains(&now) => None,
            _ => Some(Arc::clone(bits)),
        }
    }

    /// Keeps `bits` for `key` in `segment`. A segment met for the first
    /// time means the index changed: the sets of segments that are no
    /// longer among `live` (merged away) are dropped then.
    fn put(&self, segment: SegmentId, key: &str, bits: Arc<Bits>, live: &[SegmentId]) {
        let mut state = self.lock();
        if !live.is_empty() && !state.entries.contains_key(&segment) {
            state.entries.retain(|id, _| live.contains(id));
            state.bytes = state
                .entries
                .values()
                .flat_map(HashMap::values)
                .map(|bits| bits.words.len() * 8)
                .sum();
        }
        let size = bits.words.len() * 8;
        if state.bytes + size > MAX_CACHED_BYTES {
            // More filters than the memory allows: start over.
            state.entries.clear();
            state.bytes = 0;
        }
        let replaced = state
            .entries
            .entry(segment)
            .or_default()
            .insert(key.to_owned(), bits);
        if let Some(old) = replaced {
            state.bytes -= old.words.len() * 8;
        }
        state.bytes += size;
    }
}

/// The documents that pass every one of its filters, as a query that
/// scores nothing (like a constant-score filter of 0).
#[derive(Clone)]
pub(crate) struct Filters {
    filters: Vec<Filter>,
    cache: Arc<FilterCache>,
}

impl fmt::Debug for Filters {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_list()
            .entries(self.filters.iter().map(|filter| &filter.key))
            .finish()
    }
}

impl Filters {
    pub(crate) fn new(filters: Vec<Filter>, cache: Arc<FilterCache>) -> Self {
        Self { filters, cache }
    }

    /// The filters ready to give each segment's set of `searcher`
    /// ([`FiltersWeight::words`]).
    pub(crate) fn for_searcher(&self, searcher: &Searcher) -> tantivy::Result<FiltersWeight> {
        self.filters_weight(EnableScoring::disabled_from_searcher(searcher))
    }

    fn filters_weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<FiltersWeight> {
        let disabled = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        let filters = self
            .filters
            .iter()
            .map(|filter| {
                Ok(FilterWeight {
                    key: filter.key.clone(),
                    open_at: filter.open_at,
                    weight: filter.query.weight(disabled)?,
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let live = enable_scoring.searcher().map_or_else(Vec::new, |searcher| {
            searcher
                .segment_readers()
                .iter()
                .map(SegmentReader::segment_id)
                .collect()
        });
        Ok(FiltersWeight {
            filters,
            cache: Arc::clone(&self.cache),
            live,
        })
    }
}

impl Query for Filters {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.filters_weight(enable_scoring)?))
    }
}

pub(crate) struct FiltersWeight {
    filters: Vec<FilterWeight>,
    cache: Arc<FilterCache>,
    /// The segments of the searcher the weight was made for.
    live: Vec<SegmentId>,
}

/// One filter of a search, ready to build its sets.
struct FilterWeight {
    key: String,
    open_at: Option<i64>,
    weight: Box<dyn Weight>,
}

impl FiltersWeight {
    fn bits(&self, reader: &SegmentReader, filter: &FilterWeight) -> tantivy::Result<Arc<Bits>> {
        let segment = reader.segment_id();
        if let Some(bits) = self.cache.get(segment, &filter.key, filter.open_at) {
            return Ok(bits);
        }
        let bits = Arc::new(build(reader, filter.open_at, filter.weight.as_ref())?);
        self.cache
            .put(segment, &filter.key, Arc::clone(&bits), &self.live);
        Ok(bits)
    }

    /// The documents of `reader`'s segment that pass every filter, one bit
    /// each (deleted documents too: the caller leaves them out).
    pub(crate) fn words(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Vec<u64>>> {
        let mut sets = self.filters.iter().map(|filter| self.bits(reader, filter));
        let Some(first) = sets.next() else {
            // No filter passes everything.
            let words = vec![u64::MAX; words_for(reader.max_doc())];
            return Ok(Arc::new(trimmed(words, reader.max_doc())));
        };
        let first = first?;
        let Some(second) = sets.next() else {
            return Ok(Arc::clone(&first.words));
        };
        let mut words = Vec::clone(&first.words);
        for bits in std::iter::once(second).chain(sets) {
            for (word, other) in words.iter_mut().zip(bits?.words.iter()) {
                *word &= other;
            }
        }
        Ok(Arc::new(words))
    }

    fn docset(&self, reader: &SegmentReader) -> tantivy::Result<WordsDocSet> {
        Ok(WordsDocSet::new(self.words(reader)?))
    }
}

impl Weight for FiltersWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(self.docset(reader)?, 0.0)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut docset = self.docset(reader)?;
        if docset.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not pass the filters"
            )));
        }
        Ok(Explanation::new("filters", 0.0))
    }
}

fn words_for(max_doc: DocId) -> usize {
    (max_doc as usize).div_ceil(64)
}

/// Clears the bits past the last document.
fn trimmed(mut words: Vec<u64>, max_doc: DocId) -> Vec<u64> {
    let rest = max_doc % 64;
    if rest != 0
        && let Some(last) = words.last_mut()
    {
        *last &= (1u64 << rest) - 1;
    }
    words
}

/// The set of the documents `weight` matches (and that have not closed at
/// `open_at`, if asked).
fn build(
    reader: &SegmentReader,
    open_at: Option<i64>,
    weight: &dyn Weight,
) -> tantivy::Result<Bits> {
    let mut words = vec![0u64; words_for(reader.max_doc())];
    let mut scorer = weight.scorer(reader, 1.0)?;
    let closes_at = match open_at {
        Some(_) => Some(reader.fast_fields().i64("closes_at")?),
        None => None,
    };
    // Right for moments after the latest closing left out and before the
    // earliest kept.
    let mut valid = i64::MIN..i64::MAX;
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        let keep = match (&closes_at, open_at) {
            (Some(column), Some(now)) => match column.first(doc) {
                Some(closes) if closes > now => {
                    valid.end = valid.end.min(closes);
                    true
                }
                Some(closes) => {
                    valid.start = valid.start.max(closes);
                    false
                }
                None => false,
            },
            _ => true,
        };
        if keep {
            words[doc as usize / 64] |= 1 << (doc % 64);
        }
        doc = scorer.advance();
    }
    Ok(Bits {
        words: Arc::new(words),
        valid,
    })
}

/// The documents of a bit set, in order.
struct WordsDocSet {
    words: Arc<Vec<u64>>,
    /// Index of the word being read.
    word: usize,
    /// Its bits not yet visited.
    rest: u64,
    doc: DocId,
    len: u32,
}

impl WordsDocSet {
    fn new(words: Arc<Vec<u64>>) -> Self {
        let len = words.iter().map(|word| word.count_ones()).sum();
        let rest = words.first().copied().unwrap_or(0);
        let mut docset = Self {
            words,
            word: 0,
            rest,
            doc: 0,
            len,
        };
        docset.next_set_bit();
        docset
    }

    /// Moves to the lowest bit in `rest` or in a later word.
    #[inline]
    fn next_set_bit(&mut self) -> DocId {
        loop {
            if self.rest != 0 {
                let bit = self.rest.trailing_zeros();
                self.rest &= self.rest - 1;
                self.doc = (self.word as DocId) * 64 + bit;
                return self.doc;
            }
            self.word += 1;
            match self.words.get(self.word) {
                Some(word) => self.rest = *word,
                None => {
                    self.doc = TERMINATED;
                    return TERMINATED;
                }
            }
        }
    }
}

impl DocSet for WordsDocSet {
    #[inline]
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.next_set_bit()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let word = target as usize / 64;
        match self.words.get(word) {
            Some(bits) => {
                self.word = word;
                self.rest = bits & (u64::MAX << (target % 64));
                self.next_set_bit()
            }
            None => {
                self.word = self.words.len();
                self.rest = 0;
                self.doc = TERMINATED;
                TERMINATED
            }
        }
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docset(docs: &[DocId], max_doc: DocId) -> WordsDocSet {
        let mut words = vec![0u64; words_for(max_doc)];
        for doc in docs {
            words[*doc as usize / 64] |= 1 << (doc % 64);
        }
        WordsDocSet::new(Arc::new(words))
    }

    fn collect(mut docset: WordsDocSet) -> Vec<DocId> {
        let mut docs = Vec::new();
        while docset.doc() != TERMINATED {
            docs.push(docset.doc());
            docset.advance();
        }
        docs
    }

    fn bits(words: usize) -> Arc<Bits> {
        Arc::new(Bits {
            words: Arc::new(vec![0; words]),
            valid: i64::MIN..i64::MAX,
        })
    }

    #[test]
    fn the_sets_of_segments_merged_away_are_dropped_when_a_new_segment_comes() {
        let cache = FilterCache::default();
        let (old, kept, new) = (
            SegmentId::generate_random(),
            SegmentId::generate_random(),
            SegmentId::generate_random(),
        );
        cache.put(old, "region:4101", bits(100), &[old, kept]);
        cache.put(kept, "region:4101", bits(10), &[old, kept]);
        cache.put(kept, "open", bits(10), &[old, kept]);
        assert_eq!(cache.lock().bytes, 120 * 8);
        // The index moved on: `old` was merged into `new`.
        cache.put(new, "region:4101", bits(100), &[kept, new]);
        assert!(cache.get(old, "region:4101", None).is_none());
        assert!(cache.get(kept, "region:4101", None).is_some());
        assert!(cache.get(kept, "open", None).is_some());
        assert!(cache.get(new, "region:4101", None).is_some());
        assert_eq!(cache.lock().bytes, 120 * 8);
    }

    #[test]
    fn a_bit_set_yields_its_documents_in_order() {
        let docs = vec![0, 1, 63, 64, 65, 127, 128, 500, 999];
        let set = docset(&docs, 1000);
        assert_eq!(set.size_hint(), 9);
        assert_eq!(collect(set), docs);
        assert_eq!(collect(docset(&[], 1000)), Vec::<DocId>::new());
        assert_eq!(collect(docset(&[], 0)), Vec::<DocId>::new());
    }

    #[test]
    fn seeking_lands_on_the_first_document_at_or_after_the_target() {
        let mut set = docset(&[3, 64, 200, 700], 1000);
        assert_eq!(set.seek(2), 3);
        assert_eq!(set.seek(3), 3);
        assert_eq!(set.seek(4), 64);
        assert_eq!(set.seek(65), 200);
        assert_eq!(set.advance(), 700);
        assert_eq!(set.seek(701), TERMINATED);
        assert_eq!(set.advance(), TERMINATED);
        let mut set = docset(&[3], 1000);
        assert_eq!(set.seek(5000), TERMINATED);
    }

    #[test]
    fn the_bits_past_the_last_document_are_cleared() {
        let words = trimmed(vec![u64::MAX, u64::MAX], 70);
        assert_eq!(collect(WordsDocSet::new(Arc::new(words))).len(), 70);
    }
}
