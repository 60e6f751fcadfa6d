//! Small catalogues searched in SQLite FTS5 the way vacancies are analysed
//! (the project library, the training courses): one FTS5 column per row
//! holding the analyser's words, the title's words again marked with
//! [`TITLE`], and a tag marked with [`TAG`] for each value the catalogue
//! is filtered by. A search is one FTS5 conjunction of words and tags,
//! walked in rowid order (newest first) so that it stops after a page; its
//! total is counted up to [`TOTAL_CAP`]. Decision 070 says why.

/// What marks a word of the title: the tokenizer keeps a Greek letter
/// with the word it starts, and analysed words do not start with it.
pub const TITLE: char = 'τ';

/// What marks a tag of the filters.
pub const TAG: char = 'ξ';

/// What marks an n-gram of the title: a Chinese character or a pair of
/// neighbouring ones, for the words the analyser's dictionary does not
/// know and for one-character queries (as vacancies have, decision 079).
pub const GRAM: char = 'γ';

/// Totals are counted up to this; above it a search answers that there
/// are more than this many.
pub const TOTAL_CAP: u64 = 1_000;

/// The analyser's words of `text`, as vacancies are searched with.
pub fn words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = crate::analysis::tokens(text)
        .into_iter()
        .map(|token| token.text)
        .collect();
    words.dedup();
    words
}

/// The words of a title, each marked as the title's.
pub fn title_words(title: &str) -> impl Iterator<Item = String> {
    words(title)
        .into_iter()
        .map(|word| format!("{TITLE}{word}"))
}

/// The n-grams of a title, marked: each Chinese character and each pair
/// of neighbouring characters of its runs of Chinese text.
pub fn grams(title: &str) -> Vec<String> {
    let mut grams = Vec::new();
    for run in han_runs(title) {
        let characters: Vec<char> = run.chars().collect();
        for (index, character) in characters.iter().enumerate() {
            grams.push(format!("{GRAM}{character}"));
            if let Some(next) = characters.get(index + 1) {
                grams.push(format!("{GRAM}{character}{next}"));
            }
        }
    }
    grams.sort();
    grams.dedup();
    grams
}

fn han_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|character: char| !crate::analysis::is_han(character))
        .filter(|run| !run.is_empty())
}

/// Whether a word of a query is also looked for by the title's n-grams:
/// one Chinese character, or Chinese the dictionary does not know.
fn needs_grams(word: &str) -> bool {
    !word.is_empty()
        && word.chars().all(crate::analysis::is_han)
        && (word.chars().count() == 1 || !crate::analysis::known_word(word))
}

/// The FTS5 query of a search, all of it required: each of `words`
/// anywhere in the text, or only in the title when `in_title` (a word that
/// needs it also by the title's n-grams: its character, or all the pairs
/// of its characters), and each of `tags`. `None` for neither.
pub fn query(words: &[String], tags: &[String], in_title: bool) -> Option<String> {
    let mut parts: Vec<String> = words
        .iter()
        .map(|word| {
            let term = if in_title {
                quoted(&format!("{TITLE}{word}"))
            } else {
                quoted(word)
            };
            if !needs_grams(word) {
                return term;
            }
            let characters: Vec<char> = word.chars().collect();
            let grams: Vec<String> = if characters.len() == 1 {
                vec![quoted(&format!("{GRAM}{word}"))]
            } else {
                characters
                    .windows(2)
                    .map(|pair| quoted(&format!("{GRAM}{}{}", pair[0], pair[1])))
                    .collect()
            };
            format!("({term} OR ({}))", grams.join(" AND "))
        })
        .collect();
    parts.extend(tags.iter().map(|tag| quoted(tag)));
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// A page of a catalogue's search and its total counted up to one more
/// than [`TOTAL_CAP`]. `count(expression, cap)` counts the rows of an FTS5
/// expression (all rows for `None`) up to `cap`; `page(expression,
/// (limit, offset), score)` reads a page of them newest first, each hit
/// given `score`. With words, the rows with every word in their title come
/// first (score 2), then those with the words elsewhere (1); a search of
/// filters alone scores 0.
pub fn tiered_search<T, E>(
    words: &[String],
    tags: &[String],
    (limit, offset): (u64, u64),
    count: impl Fn(Option<&str>, u64) -> Result<u64, E>,
    page: impl Fn(Option<&str>, (u64, u64), f64) -> Result<Vec<T>, E>,
) -> Result<(u64, Vec<T>), E> {
    let anywhere = query(words, tags, false);
    let total = count(anywhere.as_deref(), TOTAL_CAP + 1)?;
    let (Some(anywhere), false) = (anywhere, words.is_empty()) else {
        let expression = query(&[], tags, false);
        return Ok((total, page(expression.as_deref(), (limit, offset), 0.0)?));
    };
    let in_title = query(words, tags, true).unwrap_or_default();
    let titled = count(Some(&in_title), offset + limit)?;
    let mut found = Vec::new();
    if titled > offset {
        found = page(Some(&in_title), (limit, offset), 2.0)?;
    }
    let rest = limit.saturating_sub(found.len() as u64);
    if rest > 0 {
        let elsewhere = format!("({anywhere}) NOT ({in_title})");
        let skip = offset.saturating_sub(titled);
        found.extend(page(Some(&elsewhere), (rest, skip), 1.0)?);
    }
    Ok((total, found))
}

fn quoted(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The tag of filter `kind` (a letter) with a value the tokenizer keeps
/// whole: ASCII letters and digits.
pub fn tag(kind: char, value: &str) -> String {
    format!("{TAG}{kind}{value}")
}

/// The tag of filter `kind` with any text as its value: the text's bytes
/// in hex, so that it is one token whatever the tokenizer makes of words.
pub fn text_tag(kind: char, value: &str) -> String {
    let mut tag = format!("{TAG}{kind}");
    for byte in value.trim().bytes() {
        tag.push_str(&format!("{byte:02x}"));
    }
    tag
}

/// The tags of a division code's scope: its province's, city's and
/// county's significant digits (`41`, `4101`, `410105`), so that a search
/// within any of them is one term.
pub fn region_tags(kind: char, code: &str) -> Vec<String> {
    [2, 4, 6]
        .into_iter()
        .filter(|digits| code.len() >= *digits)
        .map(|digits| tag(kind, &code[..digits]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_tags_are_quoted_and_all_required() {
        let words = vec!["电焊".to_owned(), "a\"b".to_owned()];
        assert_eq!(
            query(&words, &[tag('r', "4101")], false).as_deref(),
            Some("\"电焊\" AND \"a\"\"b\" AND \"ξr4101\"")
        );
        assert_eq!(query(&words[..1], &[], true).as_deref(), Some("\"τ电焊\""));
        assert_eq!(query(&[], &[], false), None);
    }

    #[test]
    fn one_character_and_unknown_words_are_also_looked_for_by_grams() {
        assert_eq!(
            query(&["焊".to_owned()], &[], false).as_deref(),
            Some("(\"焊\" OR (\"γ焊\"))")
        );
        assert!(!crate::analysis::known_word("焊氩弧"));
        assert_eq!(
            query(&["焊氩弧".to_owned()], &[], true).as_deref(),
            Some("(\"τ焊氩弧\" OR (\"γ焊氩\" AND \"γ氩弧\"))")
        );
        let grams = grams("电焊工，培训");
        for gram in ["γ电", "γ电焊", "γ焊工", "γ培训"] {
            assert!(grams.contains(&gram.to_owned()), "{gram} in {grams:?}");
        }
        assert!(
            !grams.contains(&"γ工培".to_owned()),
            "no pair across punctuation"
        );
    }

    #[test]
    fn tags_are_one_token_of_marked_ascii() {
        assert_eq!(tag('b', "12"), "ξb12");
        assert_eq!(text_tag('i', " 制造业 "), "ξie588b6e980a0e4b89a");
        assert_eq!(
            region_tags('r', "410105"),
            vec![
                "ξr41".to_owned(),
                "ξr4101".to_owned(),
                "ξr410105".to_owned()
            ]
        );
        assert!(title_words("电焊工培训").all(|word| word.starts_with(TITLE)));
        assert!(words("，。！").is_empty());
    }
}
