//! Property tests of the way a user's text comes in: any text is split
//! into words, phrases and exclusions without panicking, place names are
//! taken out of any text, and any text with any page searches the index
//! or is refused as too far, never a panic or another error.

use labex_search::places::split_places;
use labex_search::query::ParsedText;
use labex_search::{MAX_LIMIT, MAX_OFFSET, SearchError, VacancySearch};
use proptest::prelude::*;

use crate::shared_fixture;

/// Text as people type it into a search box, and as they mistype it:
/// Chinese words and places, Latin words and numbers, quotes of both
/// kinds, exclusions, query-language characters and spaces.
fn query_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[\\p{Han}]{1,4}",
            Just("郑州".to_owned()),
            Just("金水区".to_owned()),
            Just("河南省".to_owned()),
            "[a-zA-Z0-9]{1,6}",
            Just("\"".to_owned()),
            Just("“".to_owned()),
            Just("”".to_owned()),
            Just("-".to_owned()),
            Just(" ".to_owned()),
            "[*?:()\\[\\]{}^~!+/\\\\]",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_parses_into_trimmed_parts_that_are_not_empty(text in any::<String>()) {
        let parsed = ParsedText::parse(&text);
        for part in parsed.phrases.iter().chain(&parsed.excluded) {
            prop_assert!(!part.is_empty());
            prop_assert_eq!(part.trim(), part.as_str());
        }
    }

    #[test]
    fn places_are_taken_out_of_any_text_and_the_rest_is_the_texts(text in query_text()) {
        let placed = split_places(&text);
        for character in placed.text.chars().filter(|character| !character.is_whitespace()) {
            prop_assert!(text.contains(character), "{character} of {:?}", placed.text);
        }
    }

    #[test]
    fn any_text_and_page_searches_or_is_refused_as_too_far(
        text in query_text(),
        limit in 0_usize..(MAX_LIMIT + 20),
        offset in 0_usize..(MAX_OFFSET + 200),
    ) {
        let search = VacancySearch {
            q: Some(text),
            limit,
            offset,
            ..VacancySearch::default()
        };
        match shared_fixture().index.index.search_vacancies(&search) {
            Ok(results) => {
                prop_assert!(limit <= MAX_LIMIT && offset <= MAX_OFFSET);
                prop_assert!(results.hits.len() <= limit);
                prop_assert!(results.hits.len() <= results.total);
            }
            Err(SearchError::LimitTooLarge { .. }) => prop_assert!(limit > MAX_LIMIT),
            Err(SearchError::OffsetTooLarge { .. }) => prop_assert!(offset > MAX_OFFSET),
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}
