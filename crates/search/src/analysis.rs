//! Text analysis for mixed Chinese and English: jieba segments the text
//! (Latin words, numbers and punctuation come out as their own pieces),
//! pieces that hold no letter or digit are dropped, Latin words are
//! lowercased and stemmed (English).
//!
//! A Chinese word of three or more characters is indexed with the shorter
//! dictionary words inside it at the same position (`电焊工` also as `电焊`
//! and `焊工`), so a query for the shorter word finds it while phrases
//! still match word by word.

use std::sync::LazyLock;

use jieba_rs::Jieba;
use tantivy::tokenizer::{
    Language, LowerCaser, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// The name the analyzer is registered under in the index.
pub const ANALYZER_NAME: &str = "labex_zh_en";

/// The version of the analysis. Change it whenever tokens would come out
/// differently (another dictionary, another filter): an index built by
/// another version is rebuilt at open.
pub const ANALYZER_VERSION: u32 = 1;

/// The one jieba instance, its dictionary embedded in the binary.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Loads the dictionary now rather than on the first document or query
/// (it takes a tenth of a second or so).
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// The analyzer: jieba segmentation, the Unicode word filter, lowercasing,
/// English stemming.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(MixedTokenizer)
        .filter(WordsOnly)
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The tokens of `text` as the index holds them, in order; sub-words share
/// the position of the word they are part of.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().clone());
    }
    tokens
}

/// The words of `text` for type-ahead: whole words (no sub-words),
/// lowercased but not stemmed, without pure numbers or one-letter words.
pub fn completion_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for piece in JIEBA.cut(text, true) {
        let word = piece.word.trim();
        if !is_word(word) || word.chars().all(|c| c.is_numeric()) {
            continue;
        }
        if word.chars().count() < 2 {
            continue;
        }
        let lower = word.to_lowercase();
        if !words.contains(&lower) {
            words.push(lower);
        }
    }
    words
}

/// Whether `text` holds a letter or a digit of any script.
pub fn is_word(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// Whether `character` is a CJK ideograph.
pub fn is_han(character: char) -> bool {
    matches!(character as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Segments text with jieba; see the module documentation.
#[derive(Clone, Copy, Default)]
pub struct MixedTokenizer;

/// The tokens of one text.
pub struct MixedTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl Tokenizer for MixedTokenizer {
    type TokenStream<'a> = MixedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MixedTokenStream {
        let mut tokens = Vec::new();
        segment(text, &mut tokens);
        MixedTokenStream {
            tokens: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

fn segment(text: &str, tokens: &mut Vec<Token>) {
    for (position, piece) in JIEBA.cut(text, true).into_iter().enumerate() {
        let characters = piece.end - piece.start;
        if characters > 2 && piece.word.chars().all(is_han) {
            push_sub_words(piece.word, piece.byte_start, position, tokens);
        }
        tokens.push(Token {
            offset_from: piece.byte_start,
            offset_to: piece.byte_end,
            position,
            text: piece.word.to_owned(),
            position_length: 1,
        });
    }
}

/// The dictionary words of two and three characters inside `word`.
fn push_sub_words(word: &str, byte_start: usize, position: usize, tokens: &mut Vec<Token>) {
    let boundaries: Vec<usize> = word
        .char_indices()
        .map(|(index, _)| index)
        .chain(std::iter::once(word.len()))
        .collect();
    let characters = boundaries.len() - 1;
    for length in 2..=3 {
        if length >= characters {
            break;
        }
        for start in 0..=(characters - length) {
            let from = boundaries[start];
            let to = boundaries[start + length];
            let sub_word = &word[from..to];
            if JIEBA.has_word(sub_word) {
                tokens.push(Token {
                    offset_from: byte_start + from,
                    offset_to: byte_start + to,
                    position,
                    text: sub_word.to_owned(),
                    position_length: 1,
                });
            }
        }
    }
}

impl TokenStream for MixedTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Drops tokens that hold no letter or digit of any script (whitespace,
/// punctuation, symbols). Tantivy's `AlphaNumOnlyFilter` keeps only ASCII
/// and would drop every Chinese word.
#[derive(Clone, Copy, Default)]
pub struct WordsOnly;

/// [`WordsOnly`] around a tokenizer.
#[derive(Clone)]
pub struct WordsOnlyTokenizer<T>(T);

/// The stream of [`WordsOnly`]: it owns a copy of the current token, so the
/// filters after it may change it.
pub struct WordsOnlyStream<S> {
    tail: S,
    token: Token,
}

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream {
            tail: self.0.token_stream(text),
            token: Token::default(),
        }
    }
}

impl<S: TokenStream> TokenStream for WordsOnlyStream<S> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token();
            if is_word(&token.text) {
                self.token.clone_from(token);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Words that carry no meaning in a query (they are indexed, but a query
/// does not ask for them).
pub fn is_stop_word(word: &str) -> bool {
    const STOP_WORDS: [&str; 24] = [
        "的", "了", "和", "与", "及", "或", "等", "在", "是", "有", "我", "要", "a", "an", "and",
        "the", "of", "for", "in", "to", "with", "or", "on", "at",
    ];
    STOP_WORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|token| token.text).collect()
    }

    #[test]
    fn chinese_is_segmented_into_words_and_punctuation_is_dropped() {
        let words = texts("招聘电焊工3名，持证上岗。");
        assert_eq!(
            words,
            ["招聘", "电焊", "焊工", "电焊工", "3", "名", "持证", "上岗"]
        );
    }

    #[test]
    fn sub_words_share_the_position_of_their_word() {
        let tokens = tokens("招聘电焊工");
        let positions: Vec<(String, usize)> = tokens
            .into_iter()
            .map(|token| (token.text, token.position))
            .collect();
        assert_eq!(
            positions,
            [
                ("招聘".to_owned(), 0),
                ("电焊".to_owned(), 1),
                ("焊工".to_owned(), 1),
                ("电焊工".to_owned(), 1)
            ]
        );
    }

    #[test]
    fn english_is_lowercased_and_stemmed() {
        assert_eq!(
            texts("Forklift Drivers needed, WELDING"),
            ["forklift", "driver", "need", "weld"]
        );
    }

    #[test]
    fn mixed_text_keeps_both_scripts() {
        assert_eq!(
            texts("Java开发工程师 3年经验"),
            ["java", "开发", "工程", "工程师", "3", "年", "经验"]
        );
    }

    #[test]
    fn chinese_words_pass_the_english_stemmer_unchanged() {
        for word in ["厨师", "保洁员", "驾驶员", "焊工", "服务员"] {
            assert!(texts(word).contains(&word.to_owned()), "{word}");
        }
    }

    #[test]
    fn completion_words_are_whole_words_unstemmed() {
        assert_eq!(
            completion_words("Forklift Drivers 叉车司机 3名"),
            ["forklift", "drivers", "叉车", "司机"]
        );
    }
}

/// The name the n-gram analyzer is registered under in the index.
pub const NGRAM_ANALYZER_NAME: &str = "labex_han_ngram";

/// The fallback analyzer: every Chinese character and every pair of
/// neighbouring characters of a run of Chinese text, the pair at the
/// position of its first character (so a run of pairs is a phrase), and
/// Latin or digit words lowercased whole. A one-character query, or a word
/// jieba does not know and cuts otherwise, still finds the text holding it.
pub fn ngram_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(NgramTokenizer).build()
}

/// See [`ngram_analyzer`].
#[derive(Clone, Copy, Default)]
pub struct NgramTokenizer;

impl Tokenizer for NgramTokenizer {
    type TokenStream<'a> = MixedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MixedTokenStream {
        MixedTokenStream {
            tokens: ngrams(text).into_iter(),
            current: Token::default(),
        }
    }
}

fn ngrams(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let characters: Vec<(usize, char)> = text.char_indices().collect();
    let mut position = 0;
    let mut index = 0;
    while index < characters.len() {
        let (start, character) = characters[index];
        if is_han(character) {
            let end = start + character.len_utf8();
            tokens.push(Token {
                offset_from: start,
                offset_to: end,
                position,
                text: character.to_string(),
                position_length: 1,
            });
            if let Some(&(next_start, next)) = characters.get(index + 1)
                && is_han(next)
            {
                let pair_end = next_start + next.len_utf8();
                tokens.push(Token {
                    offset_from: start,
                    offset_to: pair_end,
                    position,
                    text: text[start..pair_end].to_owned(),
                    position_length: 1,
                });
            }
            position += 1;
            index += 1;
        } else if character.is_alphanumeric() {
            let mut end = index;
            while end < characters.len()
                && characters[end].1.is_alphanumeric()
                && !is_han(characters[end].1)
            {
                end += 1;
            }
            let to = characters.get(end).map_or(text.len(), |&(at, _)| at);
            tokens.push(Token {
                offset_from: start,
                offset_to: to,
                position,
                text: text[start..to].to_lowercase(),
                position_length: 1,
            });
            position += 1;
            index = end;
        } else {
            // Punctuation breaks runs: no pair across it.
            position += 1;
            index += 1;
        }
    }
    tokens
}

/// The n-grams a run of Chinese characters is looked for by: the one
/// character, or the pairs of its neighbouring characters in order.
pub fn ngram_terms(run: &str) -> Vec<String> {
    let characters: Vec<char> = run.chars().collect();
    match characters.len() {
        0 => Vec::new(),
        1 => vec![run.to_owned()],
        _ => characters
            .windows(2)
            .map(|pair| pair.iter().collect())
            .collect(),
    }
}

/// Whether jieba's dictionary knows `word`.
pub fn known_word(word: &str) -> bool {
    JIEBA.has_word(word)
}

/// The most full spellings a type-ahead word is keyed under (each
/// character of several readings multiplies them).
pub const MAX_PINYIN_SPELLINGS: usize = 8;

/// The pinyin keys of a type-ahead word: its full pinyin without tones
/// (`diangong`) and its initials (`dg`), for every reading of a character
/// that has several (会计: `kuaiji` and `huiji`, `kj` and `hj`), at most
/// [`MAX_PINYIN_SPELLINGS`] spellings; none for a word with a character
/// that has no pinyin (Latin words are typed as they are).
pub fn pinyin_keys(word: &str) -> Vec<String> {
    use pinyin::ToPinyinMulti;
    // Each spelling so far: (full, initials).
    let mut spellings: Vec<(String, String)> = vec![(String::new(), String::new())];
    for character in word.chars() {
        let Some(readings) = character.to_pinyin_multi() else {
            return Vec::new();
        };
        let mut plain: Vec<(&str, &str)> = Vec::new();
        for reading in readings {
            let key = (reading.plain(), reading.first_letter());
            if !plain.contains(&key) {
                plain.push(key);
            }
        }
        let mut next = Vec::new();
        for (full, initials) in &spellings {
            for (reading, letter) in &plain {
                if next.len() == MAX_PINYIN_SPELLINGS {
                    break;
                }
                next.push((format!("{full}{reading}"), format!("{initials}{letter}")));
            }
        }
        spellings = next;
    }
    let mut keys: Vec<String> = Vec::new();
    for (full, initials) in spellings {
        for key in [full, initials] {
            if !key.is_empty() && !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

#[cfg(test)]
mod fallback_tests {
    use super::*;

    fn texts(text: &str) -> Vec<(usize, String)> {
        ngrams(text)
            .into_iter()
            .map(|token| (token.position, token.text))
            .collect()
    }

    #[test]
    fn chinese_runs_give_characters_and_pairs() {
        assert_eq!(
            texts("电工，A1班"),
            [
                (0, "电".to_owned()),
                (0, "电工".to_owned()),
                (1, "工".to_owned()),
                (3, "a1".to_owned()),
                (4, "班".to_owned()),
            ]
        );
        assert_eq!(ngram_terms("工"), ["工"]);
        assert_eq!(ngram_terms("叉车工"), ["叉车", "车工"]);
    }

    #[test]
    fn pinyin_keys_are_full_and_initials() {
        assert_eq!(pinyin_keys("电工"), ["diangong", "dg"]);
        assert!(pinyin_keys("java").is_empty());
    }

    #[test]
    fn every_reading_of_a_character_is_a_key() {
        let accountant = pinyin_keys("会计");
        for key in ["kuaiji", "kj", "huiji"] {
            assert!(
                accountant.contains(&key.to_owned()),
                "{key}: {accountant:?}"
            );
        }
        let manager = pinyin_keys("店长");
        assert!(manager.contains(&"dianzhang".to_owned()), "{manager:?}");
        assert!(pinyin_keys("还还还还还").len() <= 2 * MAX_PINYIN_SPELLINGS);
    }
}
