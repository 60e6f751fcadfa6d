//! The occupation synonym table (`data/synonyms.txt`, embedded): groups of
//! words that name the same work. A query word found in a group is widened
//! to the other words of its group.

use std::collections::HashMap;

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
}

impl Synonyms {
    /// The table embedded in the library.
    pub fn embedded() -> Self {
        Self::parse(SYNONYMS)
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
        Self { by_token }
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
    fn an_unknown_word_has_no_alternatives() {
        assert!(Synonyms::embedded().alternatives("天文学家").is_empty());
    }
}
