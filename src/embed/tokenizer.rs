//! BERT's uncased WordPiece tokenizer, as Hugging Face's `BertNormalizer`,
//! `BertPreTokenizer` and `WordPiece` define it: clean the text, lower-case
//! and strip accents, split on white space and punctuation (each CJK
//! ideograph alone), then cut each word into the longest vocabulary pieces
//! from the left, continuation pieces marked `##`.
//!
//! Written here rather than taken from the `tokenizers` crate, which would
//! bring a regex engine and dozens of crates for the 150 lines the model
//! needs. `models/minilm-l6/reference.json` holds the ids Hugging Face's own
//! tokenizer gives, and a test checks ours against them.

use std::collections::HashMap;

use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::UnicodeNormalization;

use super::EmbedError;

/// A word longer than this many characters is one unknown token, as in
/// Hugging Face's WordPiece (`max_input_chars_per_word`).
const MAX_WORD_CHARS: usize = 100;

pub(crate) struct Tokenizer {
    vocab: HashMap<String, u32>,
    pub(crate) cls: u32,
    pub(crate) sep: u32,
    unk: u32,
}

impl Tokenizer {
    /// Reads a `vocab.txt`: one token a line, its id the line number.
    pub(crate) fn new(vocab_txt: &str) -> Result<Tokenizer, EmbedError> {
        let vocab: HashMap<String, u32> = vocab_txt
            .lines()
            .enumerate()
            .map(|(i, t)| (t.to_owned(), i as u32))
            .collect();
        let special = |name: &str| {
            vocab
                .get(name)
                .copied()
                .ok_or_else(|| EmbedError::Vocab(format!("no {name} token")))
        };
        Ok(Tokenizer {
            cls: special("[CLS]")?,
            sep: special("[SEP]")?,
            unk: special("[UNK]")?,
            vocab,
        })
    }

    /// The vocabulary's whole words of letters only (not `##` pieces,
    /// special tokens, digits or single letters).
    pub(crate) fn whole_words(&self) -> impl Iterator<Item = &str> {
        self.vocab
            .keys()
            .map(String::as_str)
            .filter(|t| t.chars().count() > 1 && t.chars().all(|c| c.is_ascii_lowercase()))
    }

    /// Token ids with `[CLS]` and `[SEP]`, at most `max_len` in all.
    pub(crate) fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut ids = vec![self.cls];
        let room = max_len.saturating_sub(2);
        'words: for word in pre_tokenize(&normalise(text)) {
            for id in self.word_pieces(&word) {
                if ids.len() > room {
                    break 'words;
                }
                ids.push(id);
            }
        }
        ids.push(self.sep);
        ids
    }

    /// Greedy longest-match-first, as WordPiece does: the whole word is
    /// one unknown token if any part of it has no piece.
    fn word_pieces(&self, word: &str) -> Vec<u32> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > MAX_WORD_CHARS {
            return vec![self.unk];
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut end = chars.len();
            let mut found = None;
            while start < end {
                let mut piece: String = chars[start..end].iter().collect();
                if start > 0 {
                    piece.insert_str(0, "##");
                }
                if let Some(&id) = self.vocab.get(&piece) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => pieces.push(id),
                None => return vec![self.unk],
            }
            start = end;
        }
        pieces
    }
}

/// `BertNormalizer` with `lowercase` (and so `strip_accents`): control
/// characters dropped, white space made a plain space, CJK ideographs
/// spaced apart, lower case, and combining marks removed after NFD.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if c.is_whitespace() {
            out.push(' ');
        } else if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.to_lowercase()
        .nfd()
        .filter(|&c| get_general_category(c) != GeneralCategory::NonspacingMark)
        .collect()
}

/// Splits on white space, and makes every punctuation character a word
/// of its own.
fn pre_tokenize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_whitespace() || is_punctuation(c) {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            if is_punctuation(c) {
                words.push(c.to_string());
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Tab, newline and carriage return count as white space, not control.
fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Unassigned
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
    )
}

/// BERT counts every non-alphanumeric ASCII character as punctuation
/// ("$", "^", "`"), and otherwise the Unicode P* categories.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            get_general_category(c),
            GeneralCategory::ConnectorPunctuation
                | GeneralCategory::DashPunctuation
                | GeneralCategory::OpenPunctuation
                | GeneralCategory::ClosePunctuation
                | GeneralCategory::InitialPunctuation
                | GeneralCategory::FinalPunctuation
                | GeneralCategory::OtherPunctuation
        )
}

/// The CJK Unicode blocks BERT's tokenizer splits character by character.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B820..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}
