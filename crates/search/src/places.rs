//! Places named in a query: a word of the query that is the name of a
//! division (`郑州`, `金水区`, `河南省`) becomes a region filter, and the
//! rest of the query stays text (`郑州 电工` searches 电工 in Zhengzhou).
//!
//! Only whole words count (separated by spaces), outside `"phrases"` and
//! not excluded. A name several divisions share (`朝阳区`, in Beijing and in
//! Changchun) is taken for the widest level it names, if only one division
//! has that level; otherwise for the one inside another place of the query
//! (`北京 朝阳区`); otherwise it stays a word.

use labex_domain::value::{DivisionCode, Divisions};

/// A query split into the places it names and the rest of its text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlacedQuery {
    /// The divisions named, in the order named.
    pub places: Vec<DivisionCode>,
    /// The rest of the query, words in their order.
    pub text: String,
}

/// Splits `query` into its places and the rest.
pub fn split_places(query: &str) -> PlacedQuery {
    let divisions = Divisions::get();
    let mut words: Vec<(&str, Vec<DivisionCode>)> = Vec::new();
    let mut quoted = false;
    for word in query.split_whitespace() {
        let quotes = word
            .chars()
            .filter(|character| matches!(character, '"' | '“' | '”' | '「' | '」'))
            .count();
        let candidates = if quoted || quotes > 0 || word.starts_with('-') {
            Vec::new()
        } else {
            divisions.named(word)
        };
        if quotes % 2 == 1 {
            quoted = !quoted;
        }
        words.push((word, candidates));
    }
    // Names of one division first, then shared names by level and by the
    // places already found.
    let mut places: Vec<Option<DivisionCode>> = words
        .iter()
        .map(|(_, candidates)| match candidates.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        })
        .collect();
    for (index, (_, candidates)) in words.iter().enumerate() {
        if candidates.len() < 2 {
            continue;
        }
        let widest = candidates
            .iter()
            .map(DivisionCode::level)
            .min()
            .expect("two candidates or more");
        let at_widest: Vec<&DivisionCode> = candidates
            .iter()
            .filter(|candidate| candidate.level() == widest)
            .collect();
        if let [only] = at_widest.as_slice() {
            places[index] = Some((*only).clone());
            continue;
        }
        let inside: Vec<&DivisionCode> = candidates
            .iter()
            .filter(|candidate| {
                places
                    .iter()
                    .flatten()
                    .any(|place| place != *candidate && place.covers(candidate))
            })
            .collect();
        if let [only] = inside.as_slice() {
            places[index] = Some((*only).clone());
        }
    }
    let mut placed = PlacedQuery::default();
    for ((word, _), place) in words.iter().zip(places) {
        match place {
            Some(place) => {
                if !placed.places.contains(&place) {
                    placed.places.push(place);
                }
            }
            None => {
                if !placed.text.is_empty() {
                    placed.text.push(' ');
                }
                placed.text.push_str(word);
            }
        }
    }
    // A place inside another place of the query is the narrower filter:
    // `郑州 金水区` is Jinshui.
    let all = placed.places.clone();
    placed.places.retain(|place| {
        !all.iter()
            .any(|other| other != place && place.covers(other))
    });
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn a_place_becomes_a_filter_and_the_rest_stays_text() {
        let placed = split_places("郑州 电工");
        assert_eq!(placed.places, [code("410100")]);
        assert_eq!(placed.text, "电工");
        let placed = split_places("金水区 会计");
        assert_eq!(placed.places, [code("410105")]);
        assert_eq!(placed.text, "会计");
    }

    #[test]
    fn words_of_no_place_phrases_and_exclusions_stay_text() {
        let placed = split_places("叉车司机 包吃住");
        assert!(placed.places.is_empty());
        assert_eq!(placed.text, "叉车司机 包吃住");
        let placed = split_places("\"郑州 电工\" -洛阳");
        assert!(placed.places.is_empty());
        assert_eq!(placed.text, "\"郑州 电工\" -洛阳");
    }

    #[test]
    fn a_shared_name_is_taken_inside_the_other_place_or_left() {
        let placed = split_places("北京 朝阳区 厨师");
        assert_eq!(placed.places, [code("110105")]);
        assert_eq!(placed.text, "厨师");
        let placed = split_places("朝阳区 厨师");
        assert!(placed.places.is_empty());
        assert_eq!(placed.text, "朝阳区 厨师");
    }

    #[test]
    fn the_narrower_of_nested_places_is_kept() {
        let placed = split_places("郑州 金水区");
        assert_eq!(placed.places, [code("410105")]);
        assert!(placed.text.is_empty());
        let placed = split_places("郑州 洛阳 焊工");
        assert_eq!(placed.places, [code("410100"), code("410300")]);
    }
}
