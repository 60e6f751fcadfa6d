//! Two-way matching: vacancies ranked for a job seeker, and job seekers
//! ranked for a vacancy, each hit with the reasons it was found.
//!
//! A job seeker's wish in occupation codes (职业分类大典 2022) is the
//! strongest signal: a vacancy coded under a wished code (the wished
//! occupation, another of its minor group, or anything within a wished
//! minor or medium group) comes before every vacancy that only shares
//! words, closest first, and says so in a reason; the same holds both ways
//! (decision 102).
//!
//! Candidates in the groups the provincial notice names for priority
//! (zero-employment households, hardship, disability, long-term
//! unemployment first; graduates, laid-off workers and new urban labour
//! next) get a small multiplier: enough to put them ahead of comparable
//! candidates, too small to put them ahead of clearly better ones.

use std::collections::HashSet;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use labex_domain::jobseeker::JobSeekerStatus;
use labex_domain::value::{DivisionCode, JobSeekerCategory, OccupationCode};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, RangeQuery,
};
use tantivy::{DocId, Score, SegmentReader, TantivyDocument, Term};

use crate::document::{
    JobSeekerRecord, Record, VacancyRecord, education_ordinal, scope_prefixes, wish_scopes,
};
use crate::error::SearchError;
use crate::index::{SearchIndex, record_of};
use crate::query::{ParsedText, query_words, text_query, word_over_fields};
use crate::schema::{KIND_JOBSEEKER, KIND_VACANCY};
use crate::search::{
    Facets, Highlight, Hit, Reason, ReasonField, ReasonKind, SearchResults, check_paging, filter,
    kept_filters, load_by_id, open_now, recency_factor, term, vacancy_text_fields,
};

/// Words of a summary or description used for matching, at most.
const MAX_FREE_TEXT_WORDS: usize = 24;

/// Text scores (BM25 summed over words and weighted fields) are scaled by
/// this, so that the fixed bonuses for region, welcomed groups and
/// public-welfare posts weigh about as much as a good text match.
const TEXT_SCALE: f32 = 0.2;

/// What a match under a wished occupation code (of an occupation, a minor
/// or a medium group) adds first: more than words, region and groups can
/// give together, so that such matches come before those that only share
/// words; among themselves they are ordered by the rest of the score, the
/// multipliers (recency, priority) applying to that rest only
/// ([`tiered`]).
const CODE_TIER: f32 = 1_000.0;
/// What a vacancy coded under a wished occupation code adds, by the level
/// of the prefix they share: the wished occupation itself …
const CODE_BONUS_OCCUPATION: f32 = 12.0;
/// … another occupation of its minor group, or within a wished minor
/// group …
const CODE_BONUS_MINOR_GROUP: f32 = 10.0;
/// … within a wished medium group …
const CODE_BONUS_MEDIUM_GROUP: f32 = 8.0;
/// … within a wished major group (a wide wish: a hint beside the words,
/// not in [`CODE_TIER`]).
const CODE_BONUS_MAJOR_GROUP: f32 = 3.0;
/// Each wished code after the first weighs this much less (most wanted
/// first), down to [`LEAST_WISH_WEIGHT`].
const WISH_RANK_STEP: f32 = 0.05;
/// The weight of the least wanted code.
const LEAST_WISH_WEIGHT: f32 = 0.85;

/// Priority multiplier for the hard-to-employ (就业困难人员).
pub const HARD_TO_EMPLOY_BOOST: f32 = 1.12;
/// Priority multiplier for the other priority groups.
pub const PRIORITY_BOOST: f32 = 1.06;

/// Paging and scope of a match list.
#[derive(Debug, Clone, Default)]
pub struct MatchOptions {
    /// Hits on the page (at most 100; 20 when 0).
    pub limit: usize,
    /// Hits skipped (at most 2,000).
    pub offset: usize,
    /// For candidates: only job seekers registered within this office's
    /// scope.
    pub office_scope: Option<DivisionCode>,
    /// Now (the clock unless set).
    pub now: Option<DateTime<Utc>>,
}

impl MatchOptions {
    fn limit(&self) -> usize {
        if self.limit == 0 { 20 } else { self.limit }
    }
}

fn boost(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, weight))
}

fn constant(query: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, score))
}

/// The bonus of a vacancy whose code has `scope` (a prefix of the
/// classification) as a prefix, for a wish covering `scope`.
fn code_bonus(scope: &str) -> f32 {
    match scope.split('-').count() {
        4 => CODE_BONUS_OCCUPATION,
        3 => CODE_BONUS_MINOR_GROUP,
        2 => CODE_BONUS_MEDIUM_GROUP,
        _ => CODE_BONUS_MAJOR_GROUP,
    }
}

/// The score of a match under a wish covering `scope`, the `rank`-th
/// wished code: in [`CODE_TIER`] but for a major group.
fn code_score(scope: &str, rank: usize) -> f32 {
    let bonus = code_bonus(scope) * wish_weight(rank);
    if scope.split('-').count() > 1 {
        CODE_TIER + bonus
    } else {
        bonus
    }
}

/// A score with a multiplier applied: to all of it, or, for a match under
/// a wished code, to what it has beyond [`CODE_TIER`], so that no
/// multiplier lifts a match of words alone above a match by code.
fn tiered(score: Score, multiplier: f32) -> Score {
    if score >= CODE_TIER {
        CODE_TIER + (score - CODE_TIER) * multiplier
    } else {
        score * multiplier
    }
}

/// The weight of the `rank`-th wished code (0 for the most wanted).
fn wish_weight(rank: usize) -> f32 {
    (1.0 - WISH_RANK_STEP * rank as f32).max(LEAST_WISH_WEIGHT)
}

/// A prefix written as the full code of its group (`6-31-00-00` for
/// `6-31`).
fn full_code(prefix: &str) -> String {
    let mut code = prefix.to_owned();
    for _ in prefix.split('-').count()..4 {
        code.push_str("-00");
    }
    code
}

/// The prefix through which `vacancy_code` falls under one of `wished`
/// (the closest, the most wanted of equals), with its bonus.
fn covering_scope(wished: &[OccupationCode], vacancy_code: &OccupationCode) -> Option<String> {
    let prefixes = vacancy_code.prefixes();
    let mut best: Option<(f32, String)> = None;
    for (rank, code) in wished.iter().enumerate() {
        for scope in wish_scopes(code) {
            if !prefixes.contains(&scope) {
                continue;
            }
            let bonus = code_bonus(&scope) * wish_weight(rank);
            if best.as_ref().is_none_or(|(kept, _)| bonus > *kept) {
                best = Some((bonus, scope));
            }
        }
    }
    best.map(|(_, scope)| scope)
}

/// The priority multiplier of a set of categories.
pub fn priority_boost<'a>(categories: impl IntoIterator<Item = &'a JobSeekerCategory>) -> f32 {
    let mut boost = 1.0f32;
    for category in categories {
        if category.is_hard_to_employ() {
            boost = boost.max(HARD_TO_EMPLOY_BOOST);
        } else if category.is_priority() {
            boost = boost.max(PRIORITY_BOOST);
        }
    }
    boost
}

impl SearchIndex {
    /// Open vacancies ranked for job seeker `jobseeker_id`: their desired
    /// occupations first, then skills, summary and major; in their desired
    /// regions (or their office's city); asking no more education than
    /// they have; welcoming their groups.
    pub fn matches_for(
        &self,
        jobseeker_id: &str,
        options: &MatchOptions,
    ) -> Result<SearchResults, SearchError> {
        check_paging(options.limit(), options.offset)?;
        let Some((_, Record::JobSeeker(seeker))) = load_by_id(self, jobseeker_id)? else {
            return Err(SearchError::NotFound {
                kind: KIND_JOBSEEKER,
                id: jobseeker_id.to_owned(),
            });
        };
        let shared = &*self.shared;
        let fields = &shared.fields;
        let now = options.now.unwrap_or_else(Utc::now);
        let profile = &seeker.profile;
        let text_fields = vacancy_text_fields(shared);

        let mut wanted: Vec<Box<dyn Query>> = Vec::new();
        for occupation in wished_occupations(profile) {
            wanted.push(boost(term(fields.occupation, occupation), 3.0));
            if let Some(query) = text_query(
                &ParsedText::parse(occupation),
                &text_fields,
                &shared.synonyms,
            ) {
                wanted.push(boost(query, 2.0));
            }
        }
        // Vacancies coded under a wished code, each by its closest prefix.
        let mut coded: Vec<Box<dyn Query>> = Vec::new();
        for (rank, code) in profile.desired_occupation_codes.iter().enumerate() {
            for scope in wish_scopes(code) {
                let score = code_score(&scope, rank);
                coded.push(constant(term(fields.occupation_scope, &scope), score));
            }
        }
        for skill in &profile.skills {
            if let Some(query) = text_query(
                &ParsedText::parse(skill.as_str()),
                &text_fields,
                &shared.synonyms,
            ) {
                wanted.push(query);
            }
        }
        let mut free_text = String::new();
        if let Some(summary) = &profile.summary {
            free_text.push_str(summary.as_str());
        }
        if let Some(major) = &profile.major {
            free_text.push(' ');
            free_text.push_str(major.as_str());
        }
        for word in query_words(&free_text)
            .iter()
            .filter(|word| word.word.chars().count() > 1)
            .take(MAX_FREE_TEXT_WORDS)
        {
            wanted.push(boost(
                word_over_fields(word, &text_fields, &shared.synonyms),
                0.3,
            ));
        }

        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![filter(term(fields.kind, KIND_VACANCY))];
        clauses.push(kept_filters(shared, vec![open_now(shared, now)]));
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Unbounded,
            Bound::Included(Term::from_field_u64(
                fields.education,
                education_ordinal(profile.education),
            )),
        ))));
        if let Some(admitted) = words_or_codes(wanted, coded) {
            clauses.push((Occur::Must, admitted));
        }
        let regions: Vec<DivisionCode> = if profile.desired_regions.is_empty() {
            vec![
                seeker
                    .office
                    .city()
                    .unwrap_or_else(|| seeker.office.clone()),
            ]
        } else {
            profile.desired_regions.iter().cloned().collect()
        };
        for region in &regions {
            clauses.push((
                Occur::Should,
                constant(term(fields.region_scope, region.scope_prefix()), 4.0),
            ));
        }
        for category in &profile.categories {
            clauses.push((
                Occur::Should,
                constant(term(fields.welcomes, category.as_str()), 3.0),
            ));
        }
        if profile
            .categories
            .iter()
            .any(|category| category.is_hard_to_employ())
        {
            clauses.push((
                Occur::Should,
                constant(
                    Box::new(tantivy::query::TermQuery::new(
                        Term::from_field_bool(fields.public_welfare, true),
                        tantivy::schema::IndexRecordOption::Basic,
                    )),
                    3.0,
                ),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let now_millis = now.timestamp_millis();
        let ranked = TopDocs::with_limit(options.limit())
            .and_offset(options.offset)
            .tweak_score(move |segment: &SegmentReader| {
                let published = segment.fast_fields().i64("published_at").ok();
                move |doc: DocId, score: Score| {
                    let published_at = published
                        .as_ref()
                        .and_then(|column| column.first(doc))
                        .unwrap_or(0);
                    tiered(score, recency_factor(published_at, now_millis))
                }
            });
        let searcher = self.searcher();
        let (top_docs, total) = searcher.search(&query, &(ranked, Count))?;
        let mut hits = Vec::with_capacity(top_docs.len());
        for (score, address) in top_docs {
            let document: TantivyDocument = searcher.doc(address)?;
            let record = record_of(shared, &document)?;
            let Record::Vacancy(vacancy) = &record else {
                continue;
            };
            hits.push(Hit {
                id: vacancy.id.as_uuid().to_string(),
                title: Some(vacancy.details.title.as_str().to_owned()),
                name: None,
                score,
                highlight: Highlight::default(),
                reasons: reasons(&seeker, vacancy, &regions, &shared.synonyms),
                status: Some(vacancy.status_at(now)),
                record: Some(record),
            });
        }
        Ok(SearchResults {
            total,
            hits,
            facets: Facets::default(),
            places: Vec::new(),
        })
    }

    /// Job seekers ranked for vacancy `vacancy_id`: those who want its
    /// occupation or have the skills its title and description name, who
    /// have the education it asks, who want to work where it is; those it
    /// welcomes and those in priority groups ahead of comparable others.
    /// Employed job seekers are left out.
    pub fn candidates_for(
        &self,
        vacancy_id: &str,
        options: &MatchOptions,
    ) -> Result<SearchResults, SearchError> {
        check_paging(options.limit(), options.offset)?;
        let Some((_, Record::Vacancy(vacancy))) = load_by_id(self, vacancy_id)? else {
            return Err(SearchError::NotFound {
                kind: KIND_VACANCY,
                id: vacancy_id.to_owned(),
            });
        };
        let shared = &*self.shared;
        let fields = &shared.fields;
        let details = &vacancy.details;
        let seeker_fields = [
            (fields.occupation_text, 3.0),
            (fields.skills, 2.0),
            (fields.description, 0.5),
        ];

        let mut wanted: Vec<Box<dyn Query>> = vec![boost(
            term(fields.occupation, details.occupation.as_str()),
            3.0,
        )];
        if let Some(query) = text_query(
            &ParsedText::parse(details.occupation.as_str()),
            &seeker_fields,
            &shared.synonyms,
        ) {
            wanted.push(boost(query, 2.0));
        }
        // The classification's title of the vacancy's code is an
        // occupation the seekers may have written (电工 for 维修师傅).
        if let Some(code) = &details.occupation_code {
            let title = code.title();
            if title != details.occupation.as_str() {
                wanted.push(boost(term(fields.occupation, title), 3.0));
                if let Some(query) =
                    text_query(&ParsedText::parse(title), &seeker_fields, &shared.synonyms)
                {
                    wanted.push(boost(query, 2.0));
                }
            }
        }
        for word in query_words(details.title.as_str()) {
            wanted.push(word_over_fields(&word, &seeker_fields, &shared.synonyms));
        }
        for word in query_words(details.description.as_str())
            .iter()
            .filter(|word| word.word.chars().count() > 1)
            .take(MAX_FREE_TEXT_WORDS)
        {
            wanted.push(boost(
                word_over_fields(word, &[(fields.skills, 1.0)], &shared.synonyms),
                0.3,
            ));
        }

        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![filter(term(fields.kind, KIND_JOBSEEKER))];
        clauses.push((
            Occur::MustNot,
            term(fields.status, JobSeekerStatus::Employed.as_str()),
        ));
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(
                fields.education,
                education_ordinal(details.education),
            )),
            Bound::Unbounded,
        ))));
        if let Some(scope) = &options.office_scope {
            clauses.push(filter(term(fields.region_scope, scope.scope_prefix())));
        }
        // Job seekers whose wished codes cover the vacancy's code, each by
        // the closest prefix.
        let coded: Vec<Box<dyn Query>> = details
            .occupation_code
            .iter()
            .flat_map(OccupationCode::prefixes)
            .map(|prefix| {
                let score = code_score(&prefix, 0);
                constant(term(fields.desired_occupation_scope, &prefix), score)
            })
            .collect();
        if let Some(admitted) = words_or_codes(wanted, coded) {
            clauses.push((Occur::Must, admitted));
        }
        let prefixes = scope_prefixes(&details.region);
        for (depth, prefix) in prefixes.iter().enumerate() {
            clauses.push((
                Occur::Should,
                constant(
                    term(fields.desired_region_scope, prefix),
                    0.5 + depth as f32 * 0.75,
                ),
            ));
        }
        if let Some(city) = prefixes.get(1) {
            clauses.push((
                Occur::Should,
                constant(term(fields.region_scope, city), 0.5),
            ));
        }
        for category in &details.welcomes {
            clauses.push((
                Occur::Should,
                constant(term(fields.categories, category.as_str()), 1.5),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let ranked = TopDocs::with_limit(options.limit())
            .and_offset(options.offset)
            .tweak_score(move |segment: &SegmentReader| {
                let categories = segment.fast_fields().str("categories").ok().flatten();
                let boosts: Vec<f32> = categories
                    .as_ref()
                    .map(|column| {
                        let mut text = String::new();
                        (0..column.num_terms() as u64)
                            .map(|ord| {
                                if column.ord_to_str(ord, &mut text).unwrap_or(false) {
                                    JobSeekerCategory::parse(&text)
                                        .map_or(1.0, |category| priority_boost([&category]))
                                } else {
                                    1.0
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                move |doc: DocId, score: Score| {
                    let multiplier = categories.as_ref().map_or(1.0, |column| {
                        column
                            .ords()
                            .values_for_doc(doc)
                            .map(|ord| boosts.get(ord as usize).copied().unwrap_or(1.0))
                            .fold(1.0f32, f32::max)
                    });
                    tiered(score, multiplier)
                }
            });
        let searcher = self.searcher();
        let (top_docs, total) = searcher.search(&query, &(ranked, Count))?;
        let mut hits = Vec::with_capacity(top_docs.len());
        for (score, address) in top_docs {
            let document: TantivyDocument = searcher.doc(address)?;
            let record = record_of(shared, &document)?;
            let Record::JobSeeker(seeker) = &record else {
                continue;
            };
            let desired: Vec<DivisionCode> =
                seeker.profile.desired_regions.iter().cloned().collect();
            let mut hit_reasons = reasons(seeker, &vacancy, &desired, &shared.synonyms);
            for category in &seeker.profile.categories {
                if category.is_priority() {
                    hit_reasons.push(
                        Reason::new(ReasonKind::Priority, category.as_str())
                            .at(ReasonField::Categories),
                    );
                }
            }
            hits.push(Hit {
                id: seeker.id.as_uuid().to_string(),
                title: None,
                // Not in the index: the service adds it for those who may
                // see it.
                name: None,
                score,
                highlight: Highlight::default(),
                reasons: hit_reasons,
                status: None,
                record: Some(record),
            });
        }
        Ok(SearchResults {
            total,
            hits,
            facets: Facets::default(),
            places: Vec::new(),
        })
    }
}

/// The occupations a job seeker names: their own words, then the titles
/// of their wished codes that their words do not already say.
fn wished_occupations(profile: &labex_domain::jobseeker::JobSeekerProfile) -> Vec<&str> {
    let mut occupations: Vec<&str> = profile
        .desired_occupations
        .iter()
        .map(|occupation| occupation.as_str())
        .collect();
    for code in &profile.desired_occupation_codes {
        if !occupations.contains(&code.title()) {
            occupations.push(code.title());
        }
    }
    occupations
}

/// What admits a hit: one of the shared words (scaled to weigh as the
/// fixed bonuses do) or a code under a wish (the closest prefix only, at
/// its full bonus); `None` when there is neither, so that anything passing
/// the filters is a hit.
fn words_or_codes(
    wanted: Vec<Box<dyn Query>>,
    coded: Vec<Box<dyn Query>>,
) -> Option<Box<dyn Query>> {
    let mut admitted: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !wanted.is_empty() {
        let any: Vec<(Occur, Box<dyn Query>)> = wanted
            .into_iter()
            .map(|query| (Occur::Should, query))
            .collect();
        admitted.push((
            Occur::Should,
            boost(Box::new(BooleanQuery::new(any)), TEXT_SCALE),
        ));
    }
    if !coded.is_empty() {
        admitted.push((Occur::Should, Box::new(DisjunctionMaxQuery::new(coded))));
    }
    (!admitted.is_empty()).then(|| Box::new(BooleanQuery::new(admitted)) as Box<dyn Query>)
}

/// The analysed words of a text, sub-words included.
fn token_set(text: &str) -> HashSet<String> {
    crate::analysis::tokens(text)
        .into_iter()
        .map(|token| token.text)
        .collect()
}

/// Whether every word of `wanted` (or of one of its synonyms) is among
/// `words`.
fn mentions(
    index_words: &HashSet<String>,
    wanted: &str,
    synonyms: &crate::synonyms::Synonyms,
) -> bool {
    let words = query_words(wanted);
    !words.is_empty()
        && words.iter().all(|word| {
            index_words.contains(&word.word)
                || synonyms
                    .alternatives(&word.word)
                    .iter()
                    .any(|alternative| alternative.iter().all(|token| index_words.contains(token)))
        })
}

/// Which of the vacancy's text fields holds `wanted`: the first of
/// title, occupation and description that holds all of its words (or of a
/// synonym's); when they are spread over several, the first that holds
/// one of them; `None` when together they do not hold it.
fn located(
    fields: &[(ReasonField, HashSet<String>)],
    wanted: &str,
    synonyms: &crate::synonyms::Synonyms,
) -> Option<ReasonField> {
    if let Some((field, _)) = fields
        .iter()
        .find(|(_, words)| mentions(words, wanted, synonyms))
    {
        return Some(*field);
    }
    let whole: HashSet<String> = fields
        .iter()
        .flat_map(|(_, words)| words.iter().cloned())
        .collect();
    if !mentions(&whole, wanted, synonyms) {
        return None;
    }
    let words = query_words(wanted);
    fields
        .iter()
        .find(|(_, field_words)| {
            words.iter().any(|word| {
                field_words.contains(&word.word)
                    || synonyms.alternatives(&word.word).iter().any(|alternative| {
                        alternative.iter().any(|token| field_words.contains(token))
                    })
            })
        })
        .map(|(field, _)| *field)
}

/// Why `vacancy` suits `seeker`, each reason with where it matched.
fn reasons(
    seeker: &JobSeekerRecord,
    vacancy: &VacancyRecord,
    regions: &[DivisionCode],
    synonyms: &crate::synonyms::Synonyms,
) -> Vec<Reason> {
    let details = &vacancy.details;
    let profile = &seeker.profile;
    let title = (ReasonField::Title, token_set(details.title.as_str()));
    let occupation_words = (
        ReasonField::Occupation,
        token_set(details.occupation.as_str()),
    );
    let description = (
        ReasonField::Description,
        token_set(details.description.as_str()),
    );
    let headline = [title.clone(), occupation_words.clone()];
    let text = [title, occupation_words, description];
    let mut found = Vec::new();
    if let Some(code) = &details.occupation_code
        && let Some(scope) = covering_scope(&profile.desired_occupation_codes, code)
    {
        found.push(
            Reason::new(
                ReasonKind::OccupationCode,
                format!("{} in {}", code.as_str(), full_code(&scope)),
            )
            .at(ReasonField::OccupationCode),
        );
    }
    for occupation in wished_occupations(profile) {
        let classified = details
            .occupation_code
            .as_ref()
            .is_some_and(|code| code.title() == occupation);
        let field = if occupation == details.occupation.as_str() || classified {
            Some(ReasonField::Occupation)
        } else {
            located(&headline, occupation, synonyms)
        };
        if let Some(field) = field {
            found.push(Reason::new(ReasonKind::Occupation, occupation).at(field));
        }
    }
    for skill in &profile.skills {
        if let Some(field) = located(&text, skill.as_str(), synonyms) {
            found.push(Reason::new(ReasonKind::Skill, skill.as_str()).at(field));
        }
    }
    if let Some(summary) = &profile.summary {
        let shared: Vec<(String, ReasonField)> = query_words(summary.as_str())
            .into_iter()
            .filter(|word| word.word.chars().count() > 1)
            .filter_map(|word| {
                text.iter()
                    .find(|(_, words)| words.contains(&word.word))
                    .map(|(field, _)| (word.word, *field))
            })
            .take(5)
            .collect();
        if !shared.is_empty() {
            // The first field, in order, holding one of the shared words.
            let field = text
                .iter()
                .map(|(field, _)| *field)
                .find(|field| shared.iter().any(|(_, found)| found == field));
            let words: Vec<&str> = shared.iter().map(|(word, _)| word.as_str()).collect();
            found.push(Reason::new(ReasonKind::Summary, words.join(" ")).at(field));
        }
    }
    if let Some(region) = regions.iter().find(|region| region.covers(&details.region)) {
        found.push(
            Reason::new(
                ReasonKind::Region,
                format!("{} in {}", details.region.as_str(), region.as_str()),
            )
            .at(ReasonField::Region),
        );
    }
    if profile.education.meets(details.education) {
        found.push(
            Reason::new(
                ReasonKind::Education,
                format!(
                    "asks {}, has {}",
                    details.education.as_str(),
                    profile.education.as_str()
                ),
            )
            .at(ReasonField::Education),
        );
    }
    for category in profile.categories.intersection(&details.welcomes) {
        found.push(Reason::new(ReasonKind::Welcomes, category.as_str()).at(ReasonField::Welcomes));
    }
    if details.public_welfare
        && profile
            .categories
            .iter()
            .any(|category| category.is_hard_to_employ())
    {
        found.push(
            Reason::new(ReasonKind::PublicWelfare, "public_welfare").at(ReasonField::PublicWelfare),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> OccupationCode {
        OccupationCode::parse(text).unwrap()
    }

    #[test]
    fn the_closest_covering_prefix_of_the_most_wanted_code_is_the_reason() {
        let electrician = code("6-31-01-03");
        let wished = [code("6-31-00-00"), code("6-31-01-05")];
        // The sibling occupation's minor group is closer than the medium
        // group wished first.
        assert_eq!(
            covering_scope(&wished, &electrician).as_deref(),
            Some("6-31-01")
        );
        assert_eq!(
            covering_scope(&[code("6-31-01-03")], &electrician).as_deref(),
            Some("6-31-01-03")
        );
        assert_eq!(covering_scope(&[code("6-18-02-04")], &electrician), None);
        assert_eq!(full_code("6-31"), "6-31-00-00");
        assert_eq!(full_code("1-01-00-01"), "1-01-00-01");
    }

    #[test]
    fn a_code_under_a_wish_outweighs_its_rank_and_closer_outweighs_wider() {
        assert!(code_bonus("6-31-01-03") > code_bonus("6-31-01"));
        assert!(code_bonus("6-31-01") * wish_weight(9) > code_bonus("6-31"));
        assert!(code_bonus("6-31") > code_bonus("6"));
        assert_eq!(wish_weight(0), 1.0);
        assert_eq!(wish_weight(20), LEAST_WISH_WEIGHT);
        // Groups and occupations in the tier, a major group beside words.
        assert!(code_score("6-31", 4) > CODE_TIER);
        assert!(code_score("6", 0) < CODE_TIER);
        // A multiplier never lifts words alone into the tier, nor moves a
        // match by code out of it.
        assert!(tiered(100.0, 1.2) < tiered(CODE_TIER, 1.0));
        assert_eq!(tiered(CODE_TIER + 10.0, 1.2), CODE_TIER + 12.0);
        assert_eq!(tiered(10.0, 1.2), 12.0);
    }

    #[test]
    fn the_hard_to_employ_come_before_other_priority_groups() {
        assert_eq!(priority_boost([&JobSeekerCategory::MigrantWorker]), 1.0);
        assert_eq!(
            priority_boost([&JobSeekerCategory::Graduate]),
            PRIORITY_BOOST
        );
        assert_eq!(
            priority_boost([
                &JobSeekerCategory::Graduate,
                &JobSeekerCategory::ZeroEmploymentHousehold
            ]),
            HARD_TO_EMPLOY_BOOST
        );
    }
}
