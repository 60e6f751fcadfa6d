//! The occupation synonym table (`data/synonyms.txt`, embedded): groups of
//! words that name the same work. A query word found in a group is widened
//! to the other words of its group.

use std::collections::HashMap;

use labex_domain::value::{OccupationCode, OccupationLevel, Occupations};

use crate::analysis;

/// The table as shipped.
const SYNONYMS: &str = include_str!("../data/synonyms.txt");

/// One alternative: the analysed tokens of a synonym (one token, or the
/// words of a phrase).
pub type Alternative = Vec<String>;

/// Synonym groups, looked up by the analysed form of a single word.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    by_token: HashMap<String, Vec<Alternative>>,
    /// Occupation code prefixes by the word of a classification title
    /// (`电工` → `6-31-01-03`), and by the hand-made synonyms of that word.
    codes: HashMap<String, Vec<String>>,
}

impl Synonyms {
    /// The table embedded in the library, with the titles of the
    /// occupational classification (职业分类大典 2022) beside it.
    pub fn embedded() -> Self {
        Self::parse(SYNONYMS).with_classification(Occupations::get())
    }

    /// Adds the classification: a title of one word (an occupation's or a
    /// minor group's) stands for its code, and so does every word of a
    /// hand-made group that holds that title.
    pub fn with_classification(mut self, occupations: &Occupations) -> Self {
        for entry in occupations.entries() {
            if !matches!(
                entry.level,
                OccupationLevel::Occupation | OccupationLevel::Minor
            ) {
                continue;
            }
            let Ok(code) = OccupationCode::parse(entry.code) else {
                continue;
            };
            let tokens = main_tokens(entry.title);
            let [token] = tokens.as_slice() else {
                continue;
            };
            let codes = self.codes.entry(token.clone()).or_default();
            let prefix = code.prefix();
            if !codes.contains(&prefix) {
                codes.push(prefix);
            }
        }
        let mut widened: Vec<(String, Vec<String>)> = Vec::new();
        for (token, alternatives) in &self.by_token {
            for alternative in alternatives {
                if let [word] = alternative.as_slice()
                    && let Some(codes) = self.codes.get(word)
                {
                    widened.push((token.clone(), codes.clone()));
                }
            }
        }
        for (token, codes) in widened {
            let known = self.codes.entry(token).or_default();
            for code in codes {
                if !known.contains(&code) {
                    known.push(code);
                }
            }
        }
        self
    }

    /// The occupation code prefixes `token` stands for.
    pub fn codes(&self, token: &str) -> &[String] {
        self.codes.get(token).map_or(&[], Vec::as_slice)
    }

    /// Reads groups, one a line, words separated by `/`; `#` starts a
    /// comment.
    pub fn parse(text: &str) -> Self {
        let mut by_token: HashMap<String, Vec<Alternative>> = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let group: Vec<(String, Alternative)> = line
                .split('/')
                .map(str::trim)
                .filter(|word| !word.is_empty())
                .filter_map(|word| {
                    let tokens = main_tokens(word);
                    (!tokens.is_empty()).then(|| (tokens.join(" "), tokens))
                })
                .collect();
            for (key, tokens) in &group {
                if tokens.len() != 1 {
                    continue;
                }
                let alternatives = by_token.entry(key.clone()).or_default();
                for (other_key, other_tokens) in &group {
                    if other_key != key && !alternatives.contains(other_tokens) {
                        alternatives.push(other_tokens.clone());
                    }
                }
            }
        }
        Self {
            by_token,
            codes: HashMap::new(),
        }
    }

    /// The other words of `token`'s groups.
    pub fn alternatives(&self, token: &str) -> &[Alternative] {
        self.by_token.get(token).map_or(&[], Vec::as_slice)
    }
}

/// The tokens of `text` that are whole words (no sub-words), in order.
pub(crate) fn main_tokens(text: &str) -> Vec<String> {
    let tokens = analysis::tokens(text);
    let mut main: Vec<String> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        let last_at_position = tokens
            .get(index + 1)
            .is_none_or(|next| next.position != token.position);
        if last_at_position {
            main.push(token.text.clone());
        }
    }
    main
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_widens_to_its_group() {
        let synonyms = Synonyms::embedded();
        let alternatives = synonyms.alternatives("焊工");
        assert!(alternatives.contains(&vec!["电焊工".to_owned()]));
        assert!(alternatives.contains(&vec!["welder".to_owned()]));
        let drivers = synonyms.alternatives("driver");
        assert!(drivers.contains(&vec!["司机".to_owned()]));
        assert!(drivers.contains(&vec!["驾驶员".to_owned()]));
    }

    #[test]
    fn classification_titles_stand_for_their_codes_and_so_do_their_synonyms() {
        let synonyms = Synonyms::embedded();
        assert!(synonyms.codes("电工").contains(&"6-31-01-03".to_owned()));
        assert!(
            synonyms
                .codes("electrician")
                .contains(&"6-31-01-03".to_owned()),
            "a hand-made synonym of 电工"
        );
        assert!(synonyms.codes("天文学家").is_empty());
    }

    #[test]
    fn an_unknown_word_has_no_alternatives() {
        assert!(Synonyms::embedded().alternatives("天文学家").is_empty());
    }
}
