//! User text into a query. The text is split into plain words, quoted
//! phrases and `-exclusions`; each is analysed with the index's own
//! analyzer and built into boolean queries over weighted fields, never
//! handed to the query parser (whose phrase logic would turn a run of
//! Chinese words into one phrase).

use std::collections::BTreeMap;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{is_stop_word, known_word, ngram_terms, tokens};
use crate::filters::SegmentSets;
use crate::synonyms::Synonyms;

/// User text, split.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedText {
    /// Plain text, to be segmented into words.
    pub words: String,
    /// Quoted phrases.
    pub phrases: Vec<String>,
    /// Words or phrases after `-`.
    pub excluded: Vec<String>,
}

impl ParsedText {
    /// Splits `text`: `"…"` (or `“…”`) is a phrase, `-word` or `-"…"`
    /// excludes; everything else is plain text.
    pub fn parse(text: &str) -> Self {
        let mut parsed = ParsedText::default();
        let characters: Vec<char> = text.chars().collect();
        let mut index = 0;
        let mut at_word_start = true;
        while index < characters.len() {
            let character = characters[index];
            let negated = character == '-'
                && at_word_start
                && characters
                    .get(index + 1)
                    .is_some_and(|next| !next.is_whitespace());
            if negated {
                index += 1;
            }
            let quote = characters[index];
            if is_opening_quote(quote) {
                let end = characters[index + 1..]
                    .iter()
                    .position(|candidate| is_closing_quote(*candidate))
                    .map_or(characters.len(), |offset| index + 1 + offset);
                let phrase: String = characters[index + 1..end].iter().collect();
                let phrase = phrase.trim().to_owned();
                if !phrase.is_empty() {
                    if negated {
                        parsed.excluded.push(phrase);
                    } else {
                        parsed.phrases.push(phrase);
                    }
                }
                index = end + 1;
                parsed.words.push(' ');
                at_word_start = true;
                continue;
            }
            if negated {
                let end = characters[index..]
                    .iter()
                    .position(|candidate| candidate.is_whitespace())
                    .map_or(characters.len(), |offset| index + offset);
                let word: String = characters[index..end].iter().collect();
                parsed.excluded.push(word);
                index = end;
                at_word_start = true;
                continue;
            }
            parsed.words.push(character);
            at_word_start = character.is_whitespace();
            index += 1;
        }
        parsed.words = parsed
            .words
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        parsed
    }

    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }
}

fn is_opening_quote(character: char) -> bool {
    matches!(character, '"' | '“' | '「')
}

fn is_closing_quote(character: char) -> bool {
    matches!(character, '"' | '”' | '」')
}

/// A field and its weight.
pub type WeightedField = (Field, f32);

/// Where the terms and phrases of a text query look: in every document, or
/// only in those a search's filters pass ([`SegmentSets::narrow`]), so that
/// the unions the words are built of score nothing the filters leave out.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Within<'a>(Option<&'a SegmentSets>);

impl<'a> Within<'a> {
    /// Only the documents in `sets`.
    pub(crate) fn sets(sets: &'a SegmentSets) -> Self {
        Self(Some(sets))
    }

    fn leaf(self, query: Box<dyn Query>) -> Box<dyn Query> {
        match self.0 {
            Some(sets) => sets.narrow(query),
            None => query,
        }
    }
}

/// One word of the query: the whole word and the shorter words inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// The word as indexed.
    pub word: String,
    /// Dictionary words inside it.
    pub parts: Vec<String>,
}

/// The words of plain text, by position, without stop words.
pub fn query_words(text: &str) -> Vec<QueryWord> {
    let mut by_position: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for token in tokens(text) {
        by_position
            .entry(token.position)
            .or_default()
            .push(token.text);
    }
    let mut words = Vec::new();
    for (_, mut group) in by_position {
        let Some(word) = group.pop() else { continue };
        if is_stop_word(&word) {
            continue;
        }
        if words.iter().any(|known: &QueryWord| known.word == word) {
            continue;
        }
        words.push(QueryWord { word, parts: group });
    }
    words
}

/// The whole words of a phrase, with their positions.
fn phrase_terms(text: &str) -> Vec<(usize, String)> {
    let mut terms: Vec<(usize, String)> = Vec::new();
    for token in tokens(text) {
        match terms.last_mut() {
            Some(last) if last.0 == token.position => last.1 = token.text,
            _ => terms.push((token.position, token.text)),
        }
    }
    terms
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// A phrase (or a single word) over one field.
fn phrase_query(field: Field, terms: &[(usize, String)]) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [(_, word)] => Some(term_query(field, word)),
        _ => {
            let first = terms[0].0;
            let terms = terms
                .iter()
                .map(|(position, word)| (position - first, Term::from_field_text(field, word)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

/// A phrase over weighted fields.
pub fn phrase_over_fields(text: &str, fields: &[WeightedField]) -> Option<Box<dyn Query>> {
    phrase_within(text, fields, Within::default())
}

fn phrase_within(
    text: &str,
    fields: &[WeightedField],
    within: Within<'_>,
) -> Option<Box<dyn Query>> {
    let terms = phrase_terms(text);
    let clauses: Vec<(Occur, Box<dyn Query>)> = fields
        .iter()
        .filter_map(|(field, weight)| {
            phrase_query(*field, &terms)
                .map(|query| (Occur::Should, boosted(within.leaf(query), *weight)))
        })
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// One query word over weighted fields: in each field the best of the
/// whole word, its parts (at a lower weight) and its synonyms (lower
/// still), so that a document holding several synonyms does not count
/// each; the fields add up.
pub fn word_over_fields(
    word: &QueryWord,
    fields: &[WeightedField],
    synonyms: &Synonyms,
) -> Box<dyn Query> {
    word_within(word, fields, synonyms, Within::default())
}

fn word_within(
    word: &QueryWord,
    fields: &[WeightedField],
    synonyms: &Synonyms,
    within: Within<'_>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let lowest = fields
        .iter()
        .map(|(_, weight)| *weight)
        .fold(f32::INFINITY, f32::min);
    for (field, weight) in fields {
        let mut alternatives: Vec<Box<dyn Query>> = vec![boosted(
            within.leaf(term_query(*field, &word.word)),
            *weight,
        )];
        // Of several fields, the parts are looked for only in those
        // weighted above the least (a title, an occupation), not in the
        // long free text, where a common part (服务 of 服务员) would match
        // a good share of the index and widen the search for nothing.
        if fields.len() == 1 || *weight > lowest {
            for part in &word.parts {
                alternatives.push(boosted(
                    within.leaf(term_query(*field, part)),
                    weight * PART_WEIGHT,
                ));
            }
        }
        for alternative in synonyms.alternatives(&word.word) {
            let terms: Vec<(usize, String)> = alternative.iter().cloned().enumerate().collect();
            let same_script = alternative
                .iter()
                .all(|token| has_han(token) == has_han(&word.word));
            let relative = if same_script {
                SYNONYM_WEIGHT
            } else {
                OTHER_LANGUAGE_SYNONYM_WEIGHT
            };
            if let Some(query) = phrase_query(*field, &terms) {
                alternatives.push(boosted(within.leaf(query), weight * relative));
            }
        }
        let clause: Box<dyn Query> = if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Box::new(DisjunctionMaxQuery::with_tie_breaker(alternatives, 0.1))
        };
        clauses.push((Occur::Should, clause));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The weight of a shorter word inside a query word, relative to the word.
pub const PART_WEIGHT: f32 = 0.3;
/// The weight of a synonym in the same language, relative to the word.
pub const SYNONYM_WEIGHT: f32 = 0.5;
/// The weight of a synonym in the other language (`焊工` for `welder`):
/// lower, so a rare English word does not outrank the Chinese asked for.
pub const OTHER_LANGUAGE_SYNONYM_WEIGHT: f32 = 0.25;

fn has_han(text: &str) -> bool {
    text.chars().any(crate::analysis::is_han)
}

/// How many of the `count` words of one chunk of the query (text between
/// spaces) a document must hold: all of one or two, two thirds of more.
pub fn required_words(count: usize) -> usize {
    if count <= 2 {
        count
    } else {
        (count * 2).div_ceil(3)
    }
}

/// What a search of vacancies looks for beyond the weighted fields: the
/// n-gram fallback field and the occupation codes that classification
/// titles stand for, each with its weight.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fallbacks {
    /// Characters and pairs of characters ([`crate::analysis::ngram_analyzer`]),
    /// for a one-character chunk or one with a word jieba does not know.
    pub ngram: Option<(Field, f32)>,
    /// Occupation code prefixes: a word that is a classification title (or
    /// a hand-made synonym of one) also finds the vacancies of its code.
    pub codes: Option<(Field, f32)>,
}

/// The query for user text over weighted fields, or `None` when it asks
/// for nothing (no words, only exclusions).
pub fn text_query(
    parsed: &ParsedText,
    fields: &[WeightedField],
    synonyms: &Synonyms,
) -> Option<Box<dyn Query>> {
    text_query_with(
        parsed,
        fields,
        synonyms,
        Fallbacks::default(),
        Within::default(),
    )
}

/// [`text_query`] with the [`Fallbacks`] asked for, its terms and phrases
/// looking only [`Within`] what it says.
pub(crate) fn text_query_with(
    parsed: &ParsedText,
    fields: &[WeightedField],
    synonyms: &Synonyms,
    fallbacks: Fallbacks,
    within: Within<'_>,
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // Each chunk the user separated by spaces is required; of the words
    // jieba finds in one chunk, most are.
    for chunk in parsed.words.split_whitespace() {
        let words = query_words(chunk);
        if words.is_empty() {
            continue;
        }
        let word_clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|word| {
                let query = word_within(word, fields, synonyms, within);
                let query = match fallbacks.codes {
                    Some((field, weight)) => {
                        with_codes(query, word, synonyms, (field, weight), within)
                    }
                    None => query,
                };
                (Occur::Should, query)
            })
            .collect();
        let required = required_words(word_clauses.len());
        let mut chunk_query: Box<dyn Query> = Box::new(
            BooleanQuery::with_minimum_required_clauses(word_clauses, required),
        );
        if let Some((field, weight)) = fallbacks.ngram
            && needs_fallback(chunk, &words)
            && let Some(ngrams) = ngram_query(field, chunk, within)
        {
            chunk_query = Box::new(BooleanQuery::new(vec![
                (Occur::Should, chunk_query),
                (Occur::Should, boosted(ngrams, weight)),
            ]));
        }
        clauses.push((Occur::Must, chunk_query));
    }
    for phrase in &parsed.phrases {
        if let Some(query) = phrase_within(phrase, fields, within) {
            clauses.push((Occur::Must, query));
        }
    }
    if clauses.is_empty() {
        return None;
    }
    for excluded in &parsed.excluded {
        if let Some(query) = phrase_over_fields(excluded, fields) {
            clauses.push((Occur::MustNot, query));
        }
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A word's query, widened to the occupation codes its word stands for.
fn with_codes(
    query: Box<dyn Query>,
    word: &QueryWord,
    synonyms: &Synonyms,
    (field, weight): (Field, f32),
    within: Within<'_>,
) -> Box<dyn Query> {
    let codes = synonyms.codes(&word.word);
    if codes.is_empty() {
        return query;
    }
    let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, query)];
    for code in codes {
        any.push((
            Occur::Should,
            boosted(
                within.leaf(Box::new(TermQuery::new(
                    Term::from_field_text(field, code),
                    IndexRecordOption::Basic,
                ))),
                weight,
            ),
        ));
    }
    Box::new(BooleanQuery::new(any))
}

/// Whether a chunk needs the n-gram fallback: it is one Chinese
/// character, or jieba cut it into a word its dictionary does not know or
/// into single characters.
fn needs_fallback(chunk: &str, words: &[QueryWord]) -> bool {
    if !has_han(chunk) {
        return false;
    }
    words.iter().any(|word| {
        word.word.chars().all(crate::analysis::is_han)
            && (word.word.chars().count() == 1 || !known_word(&word.word))
    })
}

/// The n-gram query of a chunk: each run of Chinese characters in it as
/// its character, or as the phrase of its pairs.
fn ngram_query(field: Field, chunk: &str, within: Within<'_>) -> Option<Box<dyn Query>> {
    let mut runs: Vec<Box<dyn Query>> = Vec::new();
    for run in chunk
        .split(|character: char| !crate::analysis::is_han(character))
        .filter(|run| !run.is_empty())
    {
        let terms = ngram_terms(run);
        let query: Box<dyn Query> = match terms.as_slice() {
            [] => continue,
            [only] => term_query(field, only),
            _ => Box::new(PhraseQuery::new(
                terms
                    .iter()
                    .map(|term| Term::from_field_text(field, term))
                    .collect(),
            )),
        };
        runs.push(within.leaf(query));
    }
    match runs.len() {
        0 => None,
        1 => runs.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            runs.into_iter().map(|query| (Occur::Must, query)).collect(),
        ))),
    }
}

/// The weight of the n-gram fallback, relative to a whole-word match in
/// the title (4): well below any word match.
pub const NGRAM_WEIGHT: f32 = 0.2;

/// The exclusions alone, as `MustNot` clauses (for text that has only
/// exclusions).
pub fn exclusions(parsed: &ParsedText, fields: &[WeightedField]) -> Vec<(Occur, Box<dyn Query>)> {
    parsed
        .excluded
        .iter()
        .filter_map(|excluded| phrase_over_fields(excluded, fields))
        .map(|query| (Occur::MustNot, query))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_and_exclusions_are_split_from_plain_words() {
        let parsed = ParsedText::parse(r#"焊工 "二氧化碳保护焊" -夜班 -"no experience" driver"#);
        assert_eq!(parsed.words, "焊工 driver");
        assert_eq!(parsed.phrases, ["二氧化碳保护焊"]);
        assert_eq!(parsed.excluded, ["夜班", "no experience"]);
    }

    #[test]
    fn a_hyphen_inside_a_word_is_not_an_exclusion() {
        let parsed = ParsedText::parse("full-time 6000-8000");
        assert_eq!(parsed.words, "full-time 6000-8000");
        assert!(parsed.excluded.is_empty());
    }

    #[test]
    fn query_words_keep_parts_and_drop_stop_words() {
        let words = query_words("招聘的电焊工");
        assert_eq!(
            words,
            [
                QueryWord {
                    word: "招聘".to_owned(),
                    parts: vec![]
                },
                QueryWord {
                    word: "电焊工".to_owned(),
                    parts: vec!["电焊".to_owned(), "焊工".to_owned()]
                }
            ]
        );
    }

    #[test]
    fn most_words_are_required_of_long_queries() {
        assert_eq!(required_words(1), 1);
        assert_eq!(required_words(2), 2);
        assert_eq!(required_words(3), 2);
        assert_eq!(required_words(6), 4);
    }
}
