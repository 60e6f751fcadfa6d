//! Vacancy search: text, filters, sorting, paging, facets, highlights;
//! and type-ahead.

use std::collections::HashMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use labex_domain::value::{DivisionCode, DivisionLevel, Divisions, Education, JobSeekerCategory};
use labex_domain::{EmployerId, VacancyId};
use serde::Serialize;
use std::sync::Arc;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, ColumnIndex, ColumnValues, StrColumn};

use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

use crate::columns::{ColumnCache, Names, SegmentColumns, salary_key};
use crate::document::{Record, education_of_ordinal, education_ordinal};
use crate::error::SearchError;
use crate::filters::{Filter, Filters, SegmentSets};
use crate::index::{SearchIndex, Shared, record_of};
use crate::places::split_places;
use crate::query::{
    Fallbacks, NGRAM_WEIGHT, ParsedText, WeightedField, Within, exclusions, text_query_with,
};
use crate::schema::KIND_VACANCY;

/// The most hits on one page.
pub const MAX_LIMIT: usize = 100;
/// The furthest offset paging goes.
pub const MAX_OFFSET: usize = 2_000;
/// Hits on a page unless asked otherwise.
pub const DEFAULT_LIMIT: usize = 20;
/// Values shown per facet.
pub const FACET_SIZE: usize = 20;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first, the newer a little ahead among equals.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Highest pay first.
    Salary,
}

/// A vacancy search.
#[derive(Debug, Clone)]
pub struct VacancySearch {
    /// Text: words, `"phrases"`, `-exclusions`.
    pub q: Option<String>,
    /// Where the work is: a county, a city (its districts too) or a
    /// province (its cities too).
    pub region: Option<DivisionCode>,
    /// The exact occupation.
    pub occupation: Option<String>,
    /// An occupation code's significant prefix (`6-31`: a medium group
    /// and everything under it), as
    /// [`OccupationCode::parse_prefix`](labex_domain::value::OccupationCode::parse_prefix)
    /// gives it.
    pub occupation_code: Option<String>,
    /// The seeker's education: the vacancy asks at most this.
    pub education: Option<Education>,
    /// The vacancy can pay at least this, yuan a month.
    pub salary_min_yuan: Option<u32>,
    /// The vacancy welcomes at least one of these groups.
    pub welcomes: Vec<JobSeekerCategory>,
    /// Public-welfare posts only (`true`) or none of them (`false`).
    pub public_welfare: Option<bool>,
    /// One employer's vacancies.
    pub employer: Option<EmployerId>,
    /// Only these vacancies (those the exhibitors of one job fair bring);
    /// none given: no such filter.
    pub vacancies: Option<Vec<VacancyId>>,
    /// Published after this moment.
    pub posted_after: Option<DateTime<Utc>>,
    /// How hits are ordered.
    pub sort: SortOrder,
    /// Hits on the page (at most [`MAX_LIMIT`]).
    pub limit: usize,
    /// Hits skipped (at most [`MAX_OFFSET`]).
    pub offset: usize,
    /// Filled and closed vacancies (and those past their closing time)
    /// too.
    pub include_closed: bool,
    /// Now, for the recency boost and closing times (the clock unless
    /// set).
    pub now: Option<DateTime<Utc>>,
}

impl Default for VacancySearch {
    fn default() -> Self {
        Self {
            q: None,
            region: None,
            occupation: None,
            occupation_code: None,
            education: None,
            salary_min_yuan: None,
            welcomes: Vec::new(),
            public_welfare: None,
            employer: None,
            vacancies: None,
            posted_after: None,
            sort: SortOrder::Relevance,
            limit: DEFAULT_LIMIT,
            offset: 0,
            include_closed: false,
            now: None,
        }
    }
}

impl VacancySearch {
    /// A search for `q`, everything else as default.
    pub fn text(q: &str) -> Self {
        Self {
            q: Some(q.to_owned()),
            ..Self::default()
        }
    }
}

/// What a search, match or candidate list answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResults {
    /// How many documents matched in all.
    pub total: usize,
    /// The page asked for.
    pub hits: Vec<Hit>,
    /// Counts per value of the facet fields (vacancy search only).
    pub facets: Facets,
    /// The places the query named, searched as regions (vacancy search
    /// only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<Place>,
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The vacancy's or job seeker's id.
    pub id: String,
    /// The vacancy's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The job seeker's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The score it was ranked by.
    pub score: f32,
    /// Matched words marked `<em>…</em>` (HTML-escaped).
    pub highlight: Highlight,
    /// Why it was found.
    pub reasons: Vec<Reason>,
    /// A vacancy's status at the search's moment ([`Vacancy::status_at`]:
    /// past its closing time an open vacancy is closed); `None` for a job
    /// seeker.
    ///
    /// [`Vacancy::status_at`]: labex_domain::vacancy::Vacancy::status_at
    #[serde(skip)]
    pub status: Option<labex_domain::vacancy::VacancyStatus>,
    /// The whole record (not serialised; for the service to shape).
    #[serde(skip)]
    pub record: Option<Record>,
}

/// Highlighted fragments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Highlight {
    /// The title, matches marked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A fragment of the description around the best matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Why a hit was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// What matched.
    pub kind: ReasonKind,
    /// The value that matched (an occupation, a skill, a category …).
    pub detail: String,
    /// Where it matched: the vacancy's field holding the words or the
    /// value (`title`, `occupation`, `description`, `region` …), or the
    /// job seeker's `categories` for a priority; left out when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<ReasonField>,
}

/// Where a reason matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonField {
    /// The vacancy's title.
    Title,
    /// The vacancy's occupation.
    Occupation,
    /// The vacancy's code in the occupational classification (职业分类大典).
    OccupationCode,
    /// The vacancy's description.
    Description,
    /// The vacancy's place of work.
    Region,
    /// The education the vacancy asks for.
    Education,
    /// The groups the vacancy welcomes.
    Welcomes,
    /// The vacancy's public-welfare flag.
    PublicWelfare,
    /// The job seeker's categories.
    Categories,
}

/// What matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// A desired occupation (or the vacancy's occupation).
    Occupation,
    /// The vacancy's occupation code falls under a code the job seeker
    /// wishes for (`6-31-01-05 in 6-31-01-00`: the same minor group as a
    /// wished occupation, or within a wished group).
    OccupationCode,
    /// A skill.
    Skill,
    /// Words of the summary or description.
    Summary,
    /// The place of work.
    Region,
    /// The education asked for is met.
    Education,
    /// The vacancy welcomes the seeker's group.
    Welcomes,
    /// A public-welfare post for a hard-to-employ seeker.
    PublicWelfare,
    /// A group the notice gives priority to.
    Priority,
}

impl Reason {
    pub(crate) fn new(kind: ReasonKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            field: None,
        }
    }

    /// The same reason, matched in `field`.
    pub(crate) fn at(mut self, field: impl Into<Option<ReasonField>>) -> Self {
        self.field = field.into();
        self
    }
}

/// Counts per facet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// By city, or by county within a city or county filter.
    pub region: Vec<FacetCount>,
    /// By occupation.
    pub occupation: Vec<FacetCount>,
    /// By minimum education asked.
    pub education: Vec<FacetCount>,
    /// By welcomed group.
    pub welcomes: Vec<FacetCount>,
}

/// One value and how many hits have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value.
    pub value: String,
    /// Its name, for a code (a region's: `郑州市`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How many.
    pub count: u64,
}

/// A division named in the query and searched as a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// Its code.
    pub code: String,
    /// Its name (`郑州市`).
    pub name: String,
}

impl Place {
    pub(crate) fn of(code: &DivisionCode) -> Self {
        Self {
            code: code.as_str().to_owned(),
            name: Divisions::get()
                .name(code.as_str())
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

/// A type-ahead suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The word.
    pub text: String,
    /// Open vacancies whose title or occupation holds it.
    pub count: u64,
}

/// The weight of a vacancy whose occupation code a query word's
/// classification title stands for (a synonym in the occupation field).
pub const CODE_WEIGHT: f32 = 1.5;

/// The vacancy fields text is looked for in, and their weights.
pub(crate) fn vacancy_text_fields(shared: &Shared) -> Vec<WeightedField> {
    let fields = &shared.fields;
    vec![
        (fields.title, 4.0),
        (fields.occupation_text, 3.0),
        (fields.description, 1.0),
    ]
}

pub(crate) fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

pub(crate) fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

pub(crate) fn check_paging(limit: usize, offset: usize) -> Result<(), SearchError> {
    if limit > MAX_LIMIT {
        return Err(SearchError::LimitTooLarge {
            limit,
            max: MAX_LIMIT,
        });
    }
    if offset > MAX_OFFSET {
        return Err(SearchError::OffsetTooLarge {
            offset,
            max: MAX_OFFSET,
        });
    }
    Ok(())
}

/// What only open vacancies not yet closed at `now` pass, kept as bit sets.
pub(crate) fn open_now(shared: &Shared, now: DateTime<Utc>) -> Filter {
    Filter::open_at(
        "open",
        term(shared.fields.status, "open"),
        crate::document::moment_key(now),
    )
}

/// The clause that `filters`, kept as bit sets per segment, all pass.
pub(crate) fn kept_filters(shared: &Shared, filters: Vec<Filter>) -> (Occur, Box<dyn Query>) {
    (
        Occur::Must,
        Box::new(Filters::new(filters, Arc::clone(&shared.filters))),
    )
}

/// Only the vacancies `ids` (a fair's), kept as a bit set under a digest
/// of the set: the searches of one fair find its set built, rather than
/// look up each of thousands of ids in a million-word dictionary again.
fn vacancy_set(id_field: Field, ids: &[VacancyId]) -> Filter {
    let mut uuids: Vec<_> = ids.iter().map(VacancyId::as_uuid).collect();
    uuids.sort_unstable();
    uuids.dedup();
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    for uuid in &uuids {
        digest.update(uuid.as_bytes());
    }
    let key: String = digest
        .finish()
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let terms = uuids
        .iter()
        .map(|uuid| Term::from_field_text(id_field, &uuid.to_string()));
    Filter::new(
        format!("vacancies {} {key}", uuids.len()),
        Box::new(TermSetQuery::new(terms)),
    )
}

/// The gentle recency boost: up to a fifth more for a vacancy published
/// today, halving every 30 days (times in milliseconds).
pub(crate) fn recency_factor(published_at: i64, now: i64) -> f32 {
    let age_days = ((now - published_at).max(0) as f32) / 86_400_000.0;
    1.0 + 0.2 * 0.5f32.powf(age_days / 30.0)
}

impl SearchIndex {
    /// Searches vacancies.
    pub fn search_vacancies(&self, search: &VacancySearch) -> Result<SearchResults, SearchError> {
        check_paging(search.limit, search.offset)?;
        let shared = &*self.shared;
        let fields = &shared.fields;
        let now = search.now.unwrap_or_else(Utc::now);
        let text_fields = vacancy_text_fields(shared);
        // Places named in the text are region filters; the rest is text.
        let placed = split_places(search.q.as_deref().unwrap_or_default());
        let parsed = ParsedText::parse(&placed.text);
        // Filters with few distinct values are kept as bit sets per segment.
        let mut filters = Vec::new();
        if search.include_closed {
            // Otherwise `status` open, which only vacancies have, says it.
            filters.push(Filter::new("kind", term(fields.kind, KIND_VACANCY)));
        } else {
            filters.push(open_now(shared, now));
        }
        if let Some(region) = &search.region {
            let scope = region.scope_prefix();
            filters.push(Filter::new(
                format!("region {scope}"),
                term(fields.region_scope, scope),
            ));
        }
        if !placed.places.is_empty() {
            let mut scopes: Vec<&str> = placed
                .places
                .iter()
                .map(DivisionCode::scope_prefix)
                .collect();
            scopes.sort_unstable();
            let any: Vec<(Occur, Box<dyn Query>)> = scopes
                .iter()
                .map(|scope| (Occur::Should, term(fields.region_scope, scope)))
                .collect();
            filters.push(Filter::new(
                format!("region {}", scopes.join("|")),
                Box::new(BooleanQuery::new(any)),
            ));
        }
        if let Some(occupation) = &search.occupation {
            let occupation = occupation.trim();
            filters.push(Filter::new(
                format!("occupation {occupation}"),
                term(fields.occupation, occupation),
            ));
        }
        if let Some(prefix) = &search.occupation_code {
            filters.push(Filter::new(
                format!("occupation code {prefix}"),
                term(fields.occupation_scope, prefix),
            ));
        }
        if let Some(education) = search.education {
            let ordinal = education_ordinal(education);
            filters.push(Filter::new(
                format!("education <= {ordinal}"),
                Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Included(Term::from_field_u64(fields.education, ordinal)),
                )),
            ));
        }
        if let Some(salary) = search.salary_min_yuan {
            filters.push(Filter::new(
                format!("salary >= {salary}"),
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_u64(fields.salary_max, u64::from(salary))),
                    Bound::Unbounded,
                )),
            ));
        }
        if !search.welcomes.is_empty() {
            let mut names: Vec<&str> = search
                .welcomes
                .iter()
                .map(|category| category.as_str())
                .collect();
            names.sort_unstable();
            names.dedup();
            let any: Vec<(Occur, Box<dyn Query>)> = names
                .iter()
                .map(|name| (Occur::Should, term(fields.welcomes, name)))
                .collect();
            filters.push(Filter::new(
                format!("welcomes {}", names.join(",")),
                Box::new(BooleanQuery::new(any)),
            ));
        }
        if let Some(public_welfare) = search.public_welfare {
            filters.push(Filter::new(
                format!("public welfare {public_welfare}"),
                Box::new(TermQuery::new(
                    Term::from_field_bool(fields.public_welfare, public_welfare),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(vacancies) = &search.vacancies {
            filters.push(vacancy_set(fields.id, vacancies));
        }
        let searcher = self.searcher();
        let kept = Filters::new(filters, Arc::clone(&shared.filters)).sets(&searcher)?;
        // The text's terms look only where the filters pass.
        let text = text_query_with(
            &parsed,
            &text_fields,
            &shared.synonyms,
            Fallbacks {
                ngram: Some((fields.ngram, NGRAM_WEIGHT)),
                codes: Some((fields.occupation_scope, CODE_WEIGHT)),
            },
            Within::sets(&kept),
        );
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(text) = &text {
            clauses.push((Occur::Must, text.box_clone()));
        } else {
            clauses.extend(exclusions(&parsed, &text_fields));
        }
        clauses.push((Occur::Must, Box::new(kept.clone())));
        // An employer or a moment: too many values to keep a set for each.
        if let Some(employer) = &search.employer {
            clauses.push(filter(term(
                fields.employer_id,
                &employer.as_uuid().to_string(),
            )));
        }
        if let Some(after) = search.posted_after {
            clauses.push(filter(Box::new(RangeQuery::new(
                Bound::Excluded(Term::from_field_i64(
                    fields.published_at,
                    after.timestamp_millis(),
                )),
                Bound::Unbounded,
            ))));
        }
        // Nothing but kept filters: no text, exclusion, employer or moment.
        let filters_only = text.is_none() && clauses.len() == 1;
        let query = BooleanQuery::new(clauses);
        let by_county = search
            .region
            .iter()
            .chain(&placed.places)
            .any(|region| region.level() != DivisionLevel::Province);
        let facet_collector = FacetCollector {
            region_field: if by_county { "region" } else { "region_city" },
        };
        let top = TopDocs::with_limit(search.limit.max(1)).and_offset(search.offset);
        let (top_docs, total, facets): Answer = if text.is_some() {
            let sort = search.sort;
            let now_millis = now.timestamp_millis();
            // The compressed fast field, not the dense column: read for
            // every match in no order, it stays in the caches.
            let ranked = top.tweak_score(move |segment: &SegmentReader| {
                let published = segment.fast_fields().i64("published_at").ok();
                let salary_max = segment.fast_fields().u64("salary_max").ok();
                let salary_min = segment.fast_fields().u64("salary_min").ok();
                move |doc: DocId, score: Score| {
                    let published_at = || {
                        published
                            .as_ref()
                            .and_then(|column| column.first(doc))
                            .unwrap_or(0)
                    };
                    let key = match sort {
                        SortOrder::Relevance => {
                            f64::from(score * recency_factor(published_at(), now_millis))
                        }
                        SortOrder::Newest => published_at() as f64,
                        SortOrder::Salary => {
                            let max = salary_max.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
                            let min = salary_min.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
                            salary_key(max, min) as f64
                        }
                    };
                    (key, score)
                }
            });
            let (ranked, total, facets) =
                searcher.search(&query, &(ranked, Count, facet_collector))?;
            let shown = ranked
                .into_iter()
                .map(|((key, score), address)| match sort {
                    SortOrder::Relevance => (key as Score, address),
                    SortOrder::Newest | SortOrder::Salary => (score, address),
                })
                .collect();
            (shown, total, facets)
        } else if filters_only {
            browse(&shared.columns, &searcher, &kept, search, by_county)?
        } else {
            // Without text every score is the same: relevance is recency,
            // and nothing needs scoring: matches are ranked by the same
            // keys a search of filters alone pages by.
            let sort = search.sort;
            let columns = Arc::clone(&shared.columns);
            let live = searcher.clone();
            let ranked = top.order_by(move |segment: &SegmentReader| {
                let columns = columns.get(segment, live.segment_readers()).ok();
                move |doc: DocId| {
                    columns.as_ref().map_or(0, |columns| match sort {
                        SortOrder::Salary => i128::from(columns.salary[doc as usize]),
                        SortOrder::Relevance | SortOrder::Newest => {
                            i128::from(columns.published_at[doc as usize])
                        }
                    })
                }
            });
            let (ranked, total, facets) =
                searcher.search(&query, &(ranked, Count, facet_collector))?;
            let shown = ranked.into_iter().map(|(_, address)| (0.0, address));
            (shown.collect(), total, facets)
        };

        let mut generators = None;
        if let Some(text) = &text {
            let mut title = SnippetGenerator::create(&searcher, &**text, fields.title)?;
            title.set_max_num_chars(200);
            let mut description = SnippetGenerator::create(&searcher, &**text, fields.description)?;
            description.set_max_num_chars(120);
            generators = Some((title, description));
        }
        let mut hits = Vec::with_capacity(top_docs.len());
        for (score, address) in top_docs {
            let document: TantivyDocument = searcher.doc(address)?;
            let record = record_of(shared, &document)?;
            let Record::Vacancy(vacancy) = &record else {
                continue;
            };
            let mut highlight = Highlight::default();
            if let Some((title, description)) = &generators {
                highlight.title = marked_title(title, vacancy.details.title.as_str());
                highlight.description = marked_fragment(description, &document);
            }
            hits.push(Hit {
                id: vacancy.id.as_uuid().to_string(),
                title: Some(vacancy.details.title.as_str().to_owned()),
                name: None,
                score,
                highlight,
                reasons: Vec::new(),
                status: Some(vacancy.status_at(now)),
                record: Some(record),
            });
        }
        // A page of none still counts and facets.
        hits.truncate(search.limit);
        Ok(SearchResults {
            total,
            hits,
            facets,
            places: placed.places.iter().map(Place::of).collect(),
        })
    }

    /// Type-ahead: the words of open vacancies' titles and occupations
    /// that start with `prefix` (Chinese or Latin, any case), or whose full
    /// pinyin or initials do (`diangong`, `dg` → 电工), most common first.
    pub fn complete(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, SearchError> {
        let prefix = prefix.trim().to_lowercase();
        if prefix.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit.min(MAX_LIMIT);
        let shared = &*self.shared;
        let field = shared.fields.suggest;
        let searcher = self.searcher();
        let mut counts: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .into_stream()?;
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if !word.starts_with(&prefix) {
                    break;
                }
                *counts.entry(word.to_owned()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
        // Latin letters are also pinyin: `diangong`, `dg` and `dian` find
        // 电工 by its keys (`diangong|电工`, `dg|电工`).
        let mut by_pinyin: HashMap<String, u64> = HashMap::new();
        if prefix.bytes().all(|byte| byte.is_ascii_lowercase()) {
            let keys = shared.fields.suggest_pinyin;
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(keys)?;
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(prefix.as_bytes())
                    .into_stream()?;
                // A word found by its full pinyin and its initials in one
                // segment counts once.
                let mut found: HashMap<&str, u64> = HashMap::new();
                let mut words: Vec<(String, u64)> = Vec::new();
                while stream.advance() {
                    let Ok(key) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if !key.starts_with(&prefix) {
                        break;
                    }
                    if let Some((_, word)) = key.split_once('|') {
                        words.push((word.to_owned(), u64::from(stream.value().doc_freq)));
                    }
                }
                for (word, frequency) in &words {
                    let best = found.entry(word.as_str()).or_default();
                    *best = (*best).max(*frequency);
                }
                for (word, frequency) in found {
                    *by_pinyin.entry(word.to_owned()).or_default() += frequency;
                }
            }
        }
        for (word, frequency) in by_pinyin {
            let count = counts.entry(word).or_default();
            *count = (*count).max(frequency);
        }
        let mut candidates: Vec<(String, u64)> = counts.into_iter().collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        candidates.truncate(limit * 2);
        // Document frequencies still count deleted documents until their
        // segments merge; count the live ones of the best candidates.
        let mut suggestions = Vec::with_capacity(candidates.len());
        for (word, _) in candidates {
            let count = searcher.search(&*term(field, &word), &Count)? as u64;
            if count > 0 {
                suggestions.push(Suggestion { text: word, count });
            }
        }
        suggestions.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
        suggestions.truncate(limit);
        Ok(suggestions)
    }

    /// How many documents of any kind (vacancies, job seekers, households)
    /// are searchable.
    pub fn document_count(&self) -> Result<usize, SearchError> {
        Ok(self.searcher().search(&AllQuery, &Count)?)
    }
}

/// The whole title with its matches marked, or `None` when nothing in it
/// matched.
fn marked_title(generator: &SnippetGenerator, title: &str) -> Option<String> {
    let snippet = generator.snippet(title);
    if snippet.highlighted().is_empty() {
        return None;
    }
    let offset = snippet.fragment_range().start;
    let ranges: Vec<std::ops::Range<usize>> = snippet
        .highlighted()
        .iter()
        .map(|range| range.start + offset..range.end + offset)
        .collect();
    Some(mark(title, &ranges))
}

/// The fragment of a description around its best matches, marked.
fn marked_fragment(generator: &SnippetGenerator, document: &TantivyDocument) -> Option<String> {
    let snippet = generator.snippet_from_doc(document);
    if snippet.highlighted().is_empty() {
        return None;
    }
    Some(mark(snippet.fragment(), snippet.highlighted()))
}

/// `text`, HTML-escaped, with `ranges` (byte ranges, overlapping or
/// touching ones merged) in `<em>`.
pub(crate) fn mark(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut sorted: Vec<std::ops::Range<usize>> = ranges.to_vec();
    sorted.sort_by_key(|range| range.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for range in sorted {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    let mut html = String::with_capacity(text.len() + merged.len() * 9);
    let mut at = 0;
    for range in merged {
        let (Some(before), Some(inside)) = (text.get(at..range.start), text.get(range.clone()))
        else {
            continue;
        };
        escape_into(&mut html, before);
        html.push_str("<em>");
        escape_into(&mut html, inside);
        html.push_str("</em>");
        at = range.end;
    }
    escape_into(&mut html, text.get(at..).unwrap_or_default());
    html
}

fn escape_into(html: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            other => html.push(other),
        }
    }
}

// ----------------------------------------------------------------- browse

/// Ranked hits as (score shown, address), how many matched, and facets.
type Answer = (Vec<(Score, DocAddress)>, usize, Facets);

/// A search whose every condition is a kept filter (no text): the count
/// and the facets from one pass over the filters' bit set, and the page
/// from the segment's newest-first or best-paid-first order, so that
/// nothing is scored and only the documents shown are ranked. Hits are
/// in that order, the earlier segment and the lower document first among
/// equals.
fn browse(
    columns: &ColumnCache,
    searcher: &Searcher,
    filters: &SegmentSets,
    search: &VacancySearch,
    by_county: bool,
) -> tantivy::Result<Answer> {
    let wanted = search.offset + search.limit.max(1);
    let mut total = 0;
    let mut tallies = Vec::new();
    // (order key, address): published_at or the pay key, both below 2^63.
    let mut candidates: Vec<(i128, DocAddress)> = Vec::new();
    for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
        let words = filters.words(reader)?;
        let alive = reader.alive_bitset();
        let is_alive = |doc: DocId| alive.is_none_or(|alive| alive.is_alive(doc));
        let columns = columns.get(reader, searcher.segment_readers())?;
        let mut counts = RowCounts::new(Arc::clone(&columns), by_county);
        let mut in_segment = 0_usize;
        for doc in set_bits(&words).filter(|doc| is_alive(*doc)) {
            in_segment += 1;
            counts.count(doc);
        }
        total += in_segment;
        tallies.push(counts.harvest());
        let key = |doc: DocId| match search.sort {
            SortOrder::Salary => i128::from(columns.salary[doc as usize]),
            SortOrder::Relevance | SortOrder::Newest => {
                i128::from(columns.published_at[doc as usize])
            }
        };
        let passes = |doc: DocId| words[doc as usize / 64] & (1 << (doc % 64)) != 0;
        let address = |doc: DocId| DocAddress::new(ordinal as SegmentOrdinal, doc);
        if in_segment.saturating_mul(32) < reader.max_doc() as usize {
            // Few pass: rank them all rather than walk the whole order.
            let mut docs: Vec<DocId> = set_bits(&words).filter(|doc| is_alive(*doc)).collect();
            docs.sort_by(|a, b| key(*b).cmp(&key(*a)).then(a.cmp(b)));
            docs.truncate(wanted);
            candidates.extend(docs.into_iter().map(|doc| (key(doc), address(doc))));
        } else {
            let order = match search.sort {
                SortOrder::Salary => columns.best_paid_first(),
                SortOrder::Relevance | SortOrder::Newest => columns.newest_first(),
            };
            candidates.extend(
                order
                    .iter()
                    .copied()
                    .filter(|doc| passes(*doc) && is_alive(*doc))
                    .take(wanted)
                    .map(|doc| (key(doc), address(doc))),
            );
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let page = candidates
        .into_iter()
        .skip(search.offset)
        .take(search.limit.max(1))
        .map(|(_, address)| (0.0, address))
        .collect();
    Ok((page, total, merge_tallies(tallies)))
}

/// The documents whose bits are set, in order.
fn set_bits(words: &[u64]) -> impl Iterator<Item = DocId> + '_ {
    words.iter().enumerate().flat_map(|(index, word)| {
        let mut bits = *word;
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let doc = (index * 64) as DocId + bits.trailing_zeros();
            bits &= bits - 1;
            Some(doc)
        })
    })
}

// ----------------------------------------------------------------- facets

/// Counts the values of the facet fields over the matching documents,
/// reading the fast fields' term ordinals of each segment. (Matches of
/// text are few and scattered: the compressed columns stay in the caches
/// where the dense rows of [`RowCounts`] would not.)
struct FacetCollector {
    region_field: &'static str,
}

struct SegmentFacets {
    region: Option<FacetColumn>,
    occupation: Option<FacetColumn>,
    welcomes: Option<(Ords, [u32; 64])>,
    education: Option<(Ords, [u32; 8])>,
    /// Values of one block of documents.
    buffer: Vec<u64>,
}

/// Term ordinals of a string fast field, and a count per ordinal.
struct FacetColumn {
    column: StrColumn,
    ords: Ords,
    counts: Vec<u32>,
}

/// A column's values, read directly when every document has exactly one.
enum Ords {
    Full(Arc<dyn ColumnValues<u64>>),
    Other(Column<u64>),
}

impl Ords {
    fn new(column: &Column<u64>) -> Self {
        match column.index {
            ColumnIndex::Full => Ords::Full(Arc::clone(&column.values)),
            _ => Ords::Other(column.clone()),
        }
    }

    /// The values of a block of documents into `buffer` (one read of the
    /// column per block), or `false` when the column is not full.
    #[inline]
    fn read_block(&self, docs: &[DocId], buffer: &mut Vec<u64>) -> bool {
        match self {
            Ords::Full(values) => {
                buffer.clear();
                buffer.resize(docs.len(), 0);
                values.get_vals(docs, buffer);
                true
            }
            Ords::Other(_) => false,
        }
    }

    /// Counts each bit set in the document's value.
    #[inline]
    fn count_bits(&self, doc: DocId, counts: &mut [u32; 64]) {
        let mut bits = match self {
            Ords::Full(values) => values.get_val(doc),
            Ords::Other(column) => column.first(doc).unwrap_or(0),
        };
        while bits != 0 {
            let bit = bits.trailing_zeros() as usize;
            counts[bit] += 1;
            bits &= bits - 1;
        }
    }

    #[inline]
    fn count(&self, doc: DocId, counts: &mut [u32]) {
        match self {
            Ords::Full(values) => {
                if let Some(count) = counts.get_mut(values.get_val(doc) as usize) {
                    *count += 1;
                }
            }
            Ords::Other(column) => {
                for value in column.values_for_doc(doc) {
                    if let Some(count) = counts.get_mut(value as usize) {
                        *count += 1;
                    }
                }
            }
        }
    }
}

#[derive(Default)]
struct FacetTally {
    region: HashMap<String, u64>,
    occupation: HashMap<String, u64>,
    welcomes: HashMap<String, u64>,
    education: [u64; 8],
}

fn str_column(segment: &SegmentReader, field: &str) -> tantivy::Result<Option<FacetColumn>> {
    Ok(segment.fast_fields().str(field)?.map(|column| {
        let counts = vec![0; column.num_terms()];
        let ords = Ords::new(column.ords());
        FacetColumn {
            column,
            ords,
            counts,
        }
    }))
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment_ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        Ok(SegmentFacets {
            region: str_column(segment, self.region_field)?,
            occupation: str_column(segment, "occupation")?,
            welcomes: Some((
                Ords::new(&segment.fast_fields().u64("welcomes_mask")?),
                [0; 64],
            )),
            education: Some((Ords::new(&segment.fast_fields().u64("education")?), [0; 8])),
            buffer: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, tallies: Vec<FacetTally>) -> tantivy::Result<Facets> {
        Ok(merge_tallies(tallies))
    }
}

fn merge_tallies(tallies: Vec<FacetTally>) -> Facets {
    let mut total = FacetTally::default();
    for tally in tallies {
        for (into, from) in [
            (&mut total.region, tally.region),
            (&mut total.occupation, tally.occupation),
            (&mut total.welcomes, tally.welcomes),
        ] {
            for (value, count) in from {
                *into.entry(value).or_default() += count;
            }
        }
        for (level, count) in tally.education.iter().enumerate() {
            total.education[level] += count;
        }
    }
    let education = total
        .education
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .filter_map(|(ordinal, count)| {
            education_of_ordinal(ordinal as u64).map(|level| (level.as_str().to_owned(), *count))
        })
        .collect();
    let mut region = top_values(total.region);
    let divisions = Divisions::get();
    for count in &mut region {
        count.name = divisions.name(&count.value).map(str::to_owned);
    }
    Facets {
        region,
        occupation: top_values(total.occupation),
        education: top_values(education),
        welcomes: top_values(total.welcomes),
    }
}

fn top_values(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut values: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount {
            value,
            name: None,
            count,
        })
        .collect();
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    values.truncate(FACET_SIZE);
    values
}

/// The texts of the ordinals counted.
fn harvest_ordinals(counts: &[u32], ordinals: &Names) -> HashMap<String, u64> {
    let mut values = HashMap::new();
    let mut text = String::new();
    for (ordinal, count) in counts.iter().enumerate() {
        if *count > 0 && ordinals.text(ordinal as u64, &mut text) {
            values.insert(text.clone(), u64::from(*count));
        }
    }
    values
}

/// One segment's facet counts from its dense rows, by ordinal (for
/// searches of filters alone, which visit matches in order).
struct RowCounts {
    columns: Arc<SegmentColumns>,
    by_county: bool,
    region: Vec<u32>,
    occupation: Vec<u32>,
    welcomes: [u32; 64],
    education: [u32; 8],
}

impl RowCounts {
    fn new(columns: Arc<SegmentColumns>, by_county: bool) -> Self {
        let regions = if by_county {
            &columns.region
        } else {
            &columns.region_city
        };
        Self {
            region: vec![0; regions.terms()],
            occupation: vec![0; columns.occupation.terms()],
            welcomes: [0; 64],
            education: [0; 8],
            by_county,
            columns,
        }
    }

    #[inline]
    fn count(&mut self, doc: DocId) {
        let row = self.columns.facets[doc as usize];
        let region = if self.by_county {
            row.region
        } else {
            row.region_city
        };
        if let Some(count) = self.region.get_mut(region as usize) {
            *count += 1;
        }
        if let Some(count) = self.occupation.get_mut(row.occupation as usize) {
            *count += 1;
        }
        if let Some(count) = self.education.get_mut(usize::from(row.education)) {
            *count += 1;
        }
        let mut bits = row.welcomes;
        while bits != 0 {
            self.welcomes[bits.trailing_zeros() as usize] += 1;
            bits &= bits - 1;
        }
    }

    fn harvest(self) -> FacetTally {
        let columns = &*self.columns;
        let regions = if self.by_county {
            &columns.region
        } else {
            &columns.region_city
        };
        FacetTally {
            region: harvest_ordinals(&self.region, regions),
            occupation: harvest_ordinals(&self.occupation, &columns.occupation),
            welcomes: JobSeekerCategory::ALL
                .iter()
                .zip(self.welcomes)
                .filter(|(_, count)| *count > 0)
                .map(|(category, count)| (category.as_str().to_owned(), u64::from(count)))
                .collect(),
            education: self.education.map(u64::from),
        }
    }
}

fn count_block(ords: &Ords, docs: &[DocId], buffer: &mut Vec<u64>, counts: &mut [u32]) {
    if ords.read_block(docs, buffer) {
        for value in buffer.iter() {
            if let Some(count) = counts.get_mut(*value as usize) {
                *count += 1;
            }
        }
    } else {
        for doc in docs {
            ords.count(*doc, counts);
        }
    }
}

fn count_ords(column: &mut Option<FacetColumn>, doc: DocId) {
    if let Some(facet) = column {
        facet.ords.count(doc, &mut facet.counts);
    }
}

fn harvest_ords(column: Option<FacetColumn>) -> HashMap<String, u64> {
    let mut values = HashMap::new();
    if let Some(facet) = column {
        let mut text = String::new();
        for (ord, count) in facet.counts.into_iter().enumerate() {
            if count > 0
                && facet
                    .column
                    .ord_to_str(ord as u64, &mut text)
                    .unwrap_or(false)
            {
                values.insert(text.clone(), u64::from(count));
            }
        }
    }
    values
}

impl SegmentCollector for SegmentFacets {
    type Fruit = FacetTally;

    fn collect(&mut self, doc: DocId, _score: Score) {
        count_ords(&mut self.region, doc);
        count_ords(&mut self.occupation, doc);
        if let Some((masks, counts)) = &mut self.welcomes {
            masks.count_bits(doc, counts);
        }
        if let Some((ords, counts)) = &mut self.education {
            ords.count(doc, counts);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let buffer = &mut self.buffer;
        if let Some((masks, counts)) = &mut self.welcomes {
            if masks.read_block(docs, buffer) {
                for mut bits in buffer.iter().copied() {
                    while bits != 0 {
                        counts[bits.trailing_zeros() as usize] += 1;
                        bits &= bits - 1;
                    }
                }
            } else {
                for doc in docs {
                    masks.count_bits(*doc, counts);
                }
            }
        }
        for facet in [&mut self.region, &mut self.occupation]
            .into_iter()
            .flatten()
        {
            count_block(&facet.ords, docs, buffer, &mut facet.counts);
        }
        if let Some((ords, counts)) = &mut self.education {
            count_block(ords, docs, buffer, counts);
        }
    }

    fn harvest(self) -> FacetTally {
        FacetTally {
            region: harvest_ords(self.region),
            occupation: harvest_ords(self.occupation),
            welcomes: self.welcomes.map_or_else(HashMap::new, |(_, counts)| {
                JobSeekerCategory::ALL
                    .iter()
                    .zip(counts)
                    .filter(|(_, count)| *count > 0)
                    .map(|(category, count)| (category.as_str().to_owned(), u64::from(count)))
                    .collect()
            }),
            education: self
                .education
                .map_or([0; 8], |(_, counts)| counts.map(u64::from)),
        }
    }
}

/// The address and record of the live document `id`.
pub(crate) fn load_by_id(
    index: &SearchIndex,
    id: &str,
) -> Result<Option<(DocAddress, Record)>, SearchError> {
    let searcher = index.searcher();
    let Some(address) = crate::index::find_document(&index.shared, &searcher, id)? else {
        return Ok(None);
    };
    let document: TantivyDocument = searcher.doc(address)?;
    Ok(Some((address, record_of(&index.shared, &document)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_merge_touching_ranges_and_escape_html() {
        assert_eq!(
            mark("叉车司机（包吃住）", &[0..6, 15..21, 21..24]),
            "<em>叉车</em>司机（<em>包吃住</em>）"
        );
        assert_eq!(
            mark("C++ <dev> & co", std::slice::from_ref(&(0..3))),
            "<em>C++</em> &lt;dev&gt; &amp; co"
        );
    }

    #[test]
    fn recency_is_a_gentle_boost() {
        let now = 1_000_000_000;
        assert!((recency_factor(now, now) - 1.2).abs() < 1e-6);
        assert!((recency_factor(now - 30 * 86_400_000, now) - 1.1).abs() < 1e-6);
        assert!(recency_factor(now - 365 * 86_400_000, now) < 1.001);
    }

    #[test]
    fn paging_beyond_the_limits_is_refused() {
        assert!(check_paging(100, 2_000).is_ok());
        assert!(matches!(
            check_paging(101, 0),
            Err(SearchError::LimitTooLarge {
                limit: 101,
                max: 100
            })
        ));
        assert!(matches!(
            check_paging(10, 2_001),
            Err(SearchError::OffsetTooLarge {
                offset: 2_001,
                max: 2_000
            })
        ));
    }
}
