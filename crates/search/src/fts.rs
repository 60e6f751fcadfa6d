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

/// An FTS5 query of `terms`, each quoted, all required; `None` for none.
pub fn all_of(terms: impl IntoIterator<Item = String>) -> Option<String> {
    let quoted: Vec<String> = terms
        .into_iter()
        .map(|term| format!("\"{}\"", term.replace('"', "\"\"")))
        .collect();
    (!quoted.is_empty()).then(|| quoted.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_quoted_and_all_required() {
        assert_eq!(
            all_of(["电焊".to_owned(), "a\"b".to_owned()]).as_deref(),
            Some("\"电焊\" AND \"a\"\"b\"")
        );
        assert_eq!(all_of(Vec::new()), None);
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
