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
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::index::SegmentId;
use tantivy::query::{ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

/// Bytes of bit sets kept before the cache starts over.
const MAX_CACHED_BYTES: usize = 96 << 20;

/// One filter: the query that defines it and the key it is kept under.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    key: String,
    query: Arc<dyn Query>,
    /// Also require `closes_at` (nanoseconds) after the search's moment.
    open_at: Option<i64>,
}

impl Filter {
    /// A filter kept under `key`, which must say everything `query` asks.
    pub(crate) fn new(key: impl Into<String>, query: Box<dyn Query>) -> Self {
        Self {
            key: key.into(),
            query: Arc::from(query),
            open_at: None,
        }
    }

    /// The documents of `query` that have not closed at `now` (nanoseconds,
    /// as the `closes_at` column counts).
    pub(crate) fn open_at(key: impl Into<String>, query: Box<dyn Query>, now: i64) -> Self {
        Self {
            key: key.into(),
            query: Arc::from(query),
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

    /// What the filters pass in each segment of `searcher`, worked out once.
    pub(crate) fn sets(&self, searcher: &Searcher) -> tantivy::Result<SegmentSets> {
        let weight = self.filters_weight(EnableScoring::disabled_from_searcher(searcher))?;
        let sets = searcher
            .segment_readers()
            .iter()
            .map(|reader| {
                let words = weight.words(reader)?;
                let passing: u32 = words.iter().map(|word| word.count_ones()).sum();
                let narrows = u64::from(passing) * NARROW_BELOW < u64::from(reader.max_doc());
                Ok((reader.segment_id(), SegmentSet { words, narrows }))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(SegmentSets {
            sets: Arc::new(sets),
        })
    }

    fn filters_weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<FiltersWeight> {
        let filters = self
            .filters
            .iter()
            .map(|filter| FilterWeight {
                key: filter.key.clone(),
                open_at: filter.open_at,
                query: Arc::clone(&filter.query),
                weight: OnceLock::new(),
            })
            .collect();
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
    query: Arc<dyn Query>,
    /// Made when a segment's set is not kept: making it can cost more than
    /// the search (a fair's thousands of ids become an automaton).
    weight: OnceLock<Box<dyn Weight>>,
}

impl FilterWeight {
    fn weight(&self, reader: &SegmentReader) -> tantivy::Result<&dyn Weight> {
        if let Some(weight) = self.weight.get() {
            return Ok(weight.as_ref());
        }
        let weight = self
            .query
            .weight(EnableScoring::disabled_from_schema(reader.schema()))?;
        Ok(self.weight.get_or_init(|| weight).as_ref())
    }
}

impl FiltersWeight {
    fn bits(&self, reader: &SegmentReader, filter: &FilterWeight) -> tantivy::Result<Arc<Bits>> {
        let segment = reader.segment_id();
        if let Some(bits) = self.cache.get(segment, &filter.key, filter.open_at) {
            return Ok(bits);
        }
        let bits = Arc::new(build(reader, filter.open_at, filter.weight(reader)?)?);
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
            return Err(not_passed(doc));
        }
        Ok(Explanation::new("filters", 0.0))
    }
}

/// The documents that pass every kept filter of one search, worked out
/// once for each segment of its searcher. As a query it matches them (and
/// scores nothing); [`SegmentSets::narrow`] makes a term or phrase of the
/// text step past the rest before any union above it scores a document.
///
/// Why: a word of a vacancy search is a union of its fields, parts,
/// synonyms and occupation codes, and Tantivy's unions score every
/// document of every clause as they go, whether or not the filters that
/// the union is intersected with pass it. With a region and a salary floor
/// most of that work was thrown away. Where the filters pass most of a
/// segment (a province, no region) there is little to skip and stepping
/// through the bits costs more than it saves: there the terms are left as
/// they are ([`NARROW_BELOW`]).
#[derive(Clone)]
pub(crate) struct SegmentSets {
    sets: Arc<HashMap<SegmentId, SegmentSet>>,
}

/// The terms of a segment are narrowed when fewer than one document in
/// this many passes the filters (measured at a million vacancies: a city
/// or a county gained, a province lost).
const NARROW_BELOW: u64 = 2;

struct SegmentSet {
    words: Arc<Vec<u64>>,
    /// Whether terms step past what the filters leave out.
    narrows: bool,
}

impl fmt::Debug for SegmentSets {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SegmentSets")
            .field("segments", &self.sets.len())
            .finish()
    }
}

impl SegmentSets {
    /// The set of `reader`'s segment; a segment of another searcher is an
    /// error, not an empty set, so a query is never used with a searcher
    /// it was not made for without saying so.
    pub(crate) fn words(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Vec<u64>>> {
        self.set(reader).map(|set| Arc::clone(&set.words))
    }

    fn set(&self, reader: &SegmentReader) -> tantivy::Result<&SegmentSet> {
        self.sets.get(&reader.segment_id()).ok_or_else(|| {
            tantivy::TantivyError::InvalidArgument(format!(
                "segment {} is not one of the searcher the filters were worked out for",
                reader.segment_id().short_uuid_string()
            ))
        })
    }

    /// `query`, matching only what the filters pass.
    pub(crate) fn narrow(&self, query: Box<dyn Query>) -> Box<dyn Query> {
        Box::new(Narrowed {
            inner: query,
            sets: self.clone(),
        })
    }
}

impl Query for SegmentSets {
    fn weight(&self, _enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for SegmentSets {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(
            WordsDocSet::new(self.words(reader)?),
            0.0,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if !passes(&self.words(reader)?, doc) {
            return Err(not_passed(doc));
        }
        Ok(Explanation::new("filters", 0.0))
    }
}

fn not_passed(doc: DocId) -> tantivy::TantivyError {
    tantivy::TantivyError::InvalidArgument(format!("document {doc} does not pass the filters"))
}

/// Whether `doc`'s bit is set.
#[inline]
fn passes(words: &[u64], doc: DocId) -> bool {
    words
        .get(doc as usize / 64)
        .is_some_and(|word| word & (1 << (doc % 64)) != 0)
}

/// The first document at or after `doc` whose bit is set.
#[inline]
fn next_passing(words: &[u64], doc: DocId) -> DocId {
    let mut index = doc as usize / 64;
    let Some(first) = words.get(index) else {
        return TERMINATED;
    };
    let mut word = first & (u64::MAX << (doc % 64));
    loop {
        if word != 0 {
            return (index as DocId) * 64 + word.trailing_zeros();
        }
        index += 1;
        match words.get(index) {
            Some(next) => word = *next,
            None => return TERMINATED,
        }
    }
}

/// A query whose documents must also pass the filters.
struct Narrowed {
    inner: Box<dyn Query>,
    sets: SegmentSets,
}

impl Clone for Narrowed {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.box_clone(),
            sets: self.sets.clone(),
        }
    }
}

impl fmt::Debug for Narrowed {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_tuple("Narrowed")
            .field(&self.inner)
            .finish()
    }
}

impl Query for Narrowed {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(NarrowedWeight {
            inner: self.inner.weight(enable_scoring)?,
            sets: self.sets.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        // Highlighting asks for the terms: they are the inner query's.
        self.inner.query_terms(visitor);
    }
}

struct NarrowedWeight {
    inner: Box<dyn Weight>,
    sets: SegmentSets,
}

impl Weight for NarrowedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let set = self.sets.set(reader)?;
        let inner = self.inner.scorer(reader, boost)?;
        if !set.narrows || inner.is::<EmptyScorer>() {
            // Left as it is, a boolean query drops an empty scorer, and
            // builds its fastest unions of bare term scorers.
            return Ok(inner);
        }
        Ok(Box::new(NarrowedScorer::new(inner, Arc::clone(&set.words))))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if !passes(&self.sets.words(reader)?, doc) {
            return Err(not_passed(doc));
        }
        self.inner.explain(reader, doc)
    }
}

/// The documents of `inner` whose bit is set, found by leapfrogging: a
/// document the filters leave out sends `inner` on to the next one they pass.
struct NarrowedScorer {
    inner: Box<dyn Scorer>,
    words: Arc<Vec<u64>>,
    doc: DocId,
}

impl NarrowedScorer {
    fn new(inner: Box<dyn Scorer>, words: Arc<Vec<u64>>) -> Self {
        let doc = inner.doc();
        let mut scorer = Self { inner, words, doc };
        scorer.settle(doc);
        scorer
    }

    /// From `doc`, where `inner` stands, to the first document of both.
    #[inline]
    fn settle(&mut self, mut doc: DocId) -> DocId {
        loop {
            if doc == TERMINATED {
                break;
            }
            let next = next_passing(&self.words, doc);
            if next == doc || next == TERMINATED {
                doc = next;
                break;
            }
            doc = self.inner.seek(next);
        }
        self.doc = doc;
        doc
    }
}

impl DocSet for NarrowedScorer {
    #[inline]
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let doc = self.inner.advance();
        self.settle(doc)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let doc = self.inner.seek(target);
        self.settle(doc)
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for NarrowedScorer {
    #[inline]
    fn score(&mut self) -> Score {
        self.inner.score()
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

    fn narrowed(docs: Vec<DocId>, passing: &[DocId]) -> NarrowedScorer {
        let mut words = vec![0u64; words_for(1000)];
        for doc in passing {
            words[*doc as usize / 64] |= 1 << (doc % 64);
        }
        let inner = ConstScorer::new(docset(&docs, 1000), 2.5);
        NarrowedScorer::new(Box::new(inner), Arc::new(words))
    }

    #[test]
    fn a_narrowed_scorer_keeps_the_documents_of_both_in_order_with_their_scores() {
        let docs = vec![1, 5, 63, 64, 65, 130, 700, 999];
        let passing = [0, 5, 6, 65, 66, 129, 700, 998];
        let mut scorer = narrowed(docs, &passing);
        let mut kept = Vec::new();
        while scorer.doc() != TERMINATED {
            kept.push(scorer.doc());
            assert_eq!(scorer.score(), 2.5);
            scorer.advance();
        }
        assert_eq!(kept, [5, 65, 700]);
        assert_eq!(scorer.advance(), TERMINATED);
        // Nothing passes, or nothing matches: empty from the start.
        assert_eq!(narrowed(vec![1, 2, 3], &[]).doc(), TERMINATED);
        assert_eq!(narrowed(vec![], &[1, 2, 3]).doc(), TERMINATED);
    }

    #[test]
    fn seeking_a_narrowed_scorer_lands_on_the_next_document_of_both() {
        let mut scorer = narrowed(vec![3, 10, 64, 200, 640, 900], &[10, 200, 201, 639, 900]);
        assert_eq!(scorer.doc(), 10);
        assert_eq!(scorer.seek(5), 10);
        assert_eq!(scorer.seek(11), 200);
        assert_eq!(scorer.seek(201), 900);
        assert_eq!(scorer.seek(901), TERMINATED);
    }

    #[test]
    fn the_next_passing_document_is_found_across_words() {
        let mut words = vec![0u64; 4];
        words[0] = 1 << 3;
        words[2] = 1 << 63;
        assert_eq!(next_passing(&words, 0), 3);
        assert_eq!(next_passing(&words, 3), 3);
        assert_eq!(next_passing(&words, 4), 191);
        assert_eq!(next_passing(&words, 192), TERMINATED);
        assert_eq!(next_passing(&words, 5_000), TERMINATED);
        assert!(passes(&words, 191) && !passes(&words, 190) && !passes(&words, 5_000));
    }

    #[test]
    fn the_bits_past_the_last_document_are_cleared() {
        let words = trimmed(vec![u64::MAX, u64::MAX], 70);
        assert_eq!(collect(WordsDocSet::new(Arc::new(words))).len(), 70);
    }
}
