//! From normalised words to matcher terms: stems, question compounds,
//! synonyms, and stop words dropped. Applied identically to FAQ phrasings
//! (at index build) and to questions.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::text;

/// The stop-word list: NLTK's English list (Bird, Klein and Loper, the
/// `stopwords` corpus of the Natural Language Toolkit), as published by the
/// `stop-words` crate (MIT or Apache-2.0). A standard, general resource:
/// no word in it was chosen for this FAQ or its test questions.
const STOP_LIST_LANGUAGE: &str = "en";

/// Words of the standard list kept as terms. "between" asks for an
/// interval ("how long between coats"), a different question from the
/// duration a bare "how long" asks; a list made for topic search drops it
/// as just a preposition. ("before", "after" and "during" were measured
/// too: as terms they cost accuracy, since nearly every question about a
/// procedure has one, so they stay stop words as the list has them.)
pub const KEPT_FROM_STOP_LIST: &[&str] = &["between"];

/// Function words the NLTK list leaves out though it has their kin
/// ("should", "can"): the other modal auxiliaries.
pub const MODAL_VERBS: &[&str] = &["could", "would", "might", "may", "must", "shall"];

/// Chat filler: how people pad a message in any online chat. Like stop
/// words, never deciding, and not "unknown" either (an unknown word counts
/// against a match). Each group is general to chat, not to one server.
#[rustfmt::skip] // one group, and its reason, a line
pub const CHAT_FILLER: &[&str] = &[
    // Greetings open a message; they never name its subject.
    "hi", "hello", "hey", "hiya",
    // Politeness and thanks.
    "please", "pls", "plz", "thanks", "thank", "thx",
    // Internet abbreviations and interjections: tone, not topic.
    "lol", "lmao", "omg", "haha", "tbh", "ngl", "idk", "imo", "btw", "um", "oh", "ok", "okay",
    // Hedges and intensifiers: they soften or stress a question, not change it.
    "actually", "basically", "literally", "honestly", "really", "maybe", "probably", "kinda",
    // Chat spellings of stop words ("you", "your", "going to", "want to").
    "u", "ur", "ya", "yall", "gonna", "gotta", "wanna",
    // Sign-off kisses, common at the end of British chat messages.
    "x", "xx", "xxx",
];

/// Every word [`Analyzer::analyze`] drops before scoring: the standard
/// stop list less [`KEPT_FROM_STOP_LIST`], the modal verbs it lacks, and
/// chat filler. Checked on the word
/// as typed (after normalisation), before stemming.
static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    stop_words::lookup(STOP_LIST_LANGUAGE)
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|w| !KEPT_FROM_STOP_LIST.contains(w))
        .chain(MODAL_VERBS.iter().copied())
        .chain(CHAT_FILLER.iter().copied())
        .collect()
});

/// True for a word that never decides a match (see [`STOP_WORDS`]).
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(word)
}

/// "what is" is one term too: it asks for a definition ("what is
/// a peel"), where "what" alone asks anything. These words may
/// stand between ("what even is").
const WHAT_FILLERS: &[&str] = &["even", "exactly", "actually", "really", "precisely"];

/// "how" + one of these is one term: "how long", "how much", "how many"
/// and "how often" ask different things, though every word is a stop word.
const HOW_COMPOUNDS: &[&str] = &["long", "much", "many", "often", "soon", "far"];

/// One analysed word of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The term the matcher scores (a stem, a compound or a synonym's canonical stem).
    pub term: String,
    /// The word or words as the member typed them (normalised), for explanations.
    pub raw: String,
}

/// The stemmed form of every word of a phrase, stop words kept.
pub fn stems(normalised: &str) -> Vec<String> {
    normalised
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(text::stem)
        .collect()
}

#[derive(Debug, Clone)]
pub struct Analyzer {
    /// Multi-word synonyms, as stem sequences, longest first.
    phrases: Vec<(Vec<String>, String)>,
    /// Single-word synonyms: stem → canonical term.
    single: HashMap<String, String>,
}

impl Analyzer {
    /// Builds the synonym rules from `[synonyms]` (canonical → variants).
    pub fn new(synonyms: &[(String, Vec<String>)]) -> Analyzer {
        let mut phrases = Vec::new();
        let mut single = HashMap::new();
        for (canonical, variants) in synonyms {
            let target = stems(&text::normalise(canonical)).join(" ");
            if target.contains(' ') {
                phrases.push((
                    target.split(' ').map(str::to_owned).collect(),
                    target.clone(),
                ));
            }
            for v in variants {
                let s = stems(&text::normalise(v));
                match s.len() {
                    0 => {}
                    1 => {
                        single.insert(s[0].clone(), target.clone());
                    }
                    _ => phrases.push((s, target.clone())),
                }
            }
        }
        phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Analyzer { phrases, single }
    }

    /// Analyses normalised text into scoring tokens (stop words dropped).
    pub fn analyze(&self, normalised: &str) -> Vec<Token> {
        let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
        let stemmed: Vec<String> = words.iter().map(|w| text::stem(w)).collect();
        self.analyze_stemmed(&words, &stemmed)
    }

    /// [`Analyzer::analyze`] on words already split and stemmed (one stem per word).
    pub fn analyze_stemmed(&self, words: &[&str], stemmed: &[String]) -> Vec<Token> {
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            if words[i] == "what" {
                // "what is", also with a filler between ("what even is").
                let skip = usize::from(words.get(i + 1).is_some_and(|w| WHAT_FILLERS.contains(w)));
                if words.get(i + 1 + skip) == Some(&"is") {
                    out.push(Token {
                        term: "what_is".to_owned(),
                        raw: words[i..i + 2 + skip].join(" "),
                    });
                    i += 2 + skip;
                    continue;
                }
            }
            if words[i] == "how" {
                if let Some(next) = words.get(i + 1).filter(|n| HOW_COMPOUNDS.contains(n)) {
                    out.push(Token {
                        term: format!("how_{next}"),
                        raw: format!("how {next}"),
                    });
                    i += 2;
                    continue;
                }
            }
            if let Some((len, target)) = self.phrase_at(&stemmed[i..]) {
                out.push(Token {
                    term: target.to_owned(),
                    raw: words[i..i + len].join(" "),
                });
                i += len;
                continue;
            }
            let stem = &stemmed[i];
            if let Some(target) = self.single.get(stem) {
                out.push(Token {
                    term: target.clone(),
                    raw: words[i].to_owned(),
                });
            } else if !is_stop_word(words[i]) {
                out.push(Token {
                    term: stem.clone(),
                    raw: words[i].to_owned(),
                });
            }
            i += 1;
        }
        out
    }

    /// Every word's stem with synonyms applied, stop words kept: the form
    /// triage matches on, so "fever blisters" is a cold sore there too.
    pub fn canonical_stems(&self, normalised: &str) -> Vec<String> {
        self.canonical_from_stems(&stems(normalised))
    }

    /// [`Analyzer::canonical_stems`] on words already stemmed.
    pub fn canonical_from_stems(&self, stemmed: &[String]) -> Vec<String> {
        let mut out = Vec::with_capacity(stemmed.len());
        let mut i = 0;
        while i < stemmed.len() {
            if let Some((len, target)) = self.phrase_at(&stemmed[i..]) {
                out.push(target.to_owned());
                i += len;
            } else {
                out.push(self.canonical(&stemmed[i]).to_owned());
                i += 1;
            }
        }
        out
    }

    /// The canonical term a single stem maps to, if it is a synonym.
    pub fn canonical<'a>(&'a self, stem: &'a str) -> &'a str {
        self.single.get(stem).map_or(stem, String::as_str)
    }

    fn phrase_at(&self, rest: &[String]) -> Option<(usize, &str)> {
        self.phrases
            .iter()
            .find(|(p, _)| rest.len() >= p.len() && rest[..p.len()] == p[..])
            .map(|(p, t)| (p.len(), t.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(a: &Analyzer, q: &str) -> Vec<String> {
        a.analyze(&text::normalise(q))
            .into_iter()
            .map(|t| t.term)
            .collect()
    }

    /// Stop words vanish, stems meet, "how long" is one term, synonyms map
    /// to their canonical stem, multi-word synonyms first.
    #[test]
    fn analysis_table() {
        let a = Analyzer::new(&[
            ("session".into(), vec!["treatment".into(), "sitting".into()]),
            ("sunscreen".into(), vec!["spf".into(), "sun cream".into()]),
            ("followup".into(), vec!["follow up".into()]),
        ]);
        let rows: &[(&str, &[&str])] = &[
            ("How many treatments?", &["how_many", "session"]),
            ("how long does it take", &["how_long", "take"]),
            ("would I need sun cream after", &["need", "sunscreen"]),
            ("SPF 50", &["sunscreen", "50"]),
            ("the and is", &[]),
            (
                "hi guys, what's a peel? thanks x",
                &["guy", "what_is", "peel"],
            ),
            ("swelling swollen", &["swell", "swollen"]),
            // One word, two or hyphenated: text::normalise splits the hyphen,
            // the FAQ's synonym joins the words again.
            (
                "Follow-up or follow up or FOLLOWUP",
                &["followup", "followup", "followup"],
            ),
        ];
        for (q, want) in rows {
            assert_eq!(terms(&a, q), *want, "question: {q}");
        }
    }

    /// The stop list is the standard one plus general filler: function
    /// words and greetings go, content words (however chatty) stay.
    #[test]
    fn stop_words_table() {
        let rows: &[(&str, bool)] = &[
            ("the", true),      // NLTK
            ("of", true),       // NLTK
            ("between", false), // NLTK, but kept: an interval
            ("would", true),    // modal verb NLTK lacks
            ("hello", true),    // greeting
            ("thanks", true),   // politeness
            ("tbh", true),      // chat abbreviation
            ("u", true),        // chat spelling of "you"
            ("tomorrow", false),
            ("morning", false),
            ("couple", false),
            ("allowed", false),
            ("sessions", false),
            ("pain", false),
        ];
        for (word, stop) in rows {
            assert_eq!(is_stop_word(word), *stop, "word: {word}");
        }
    }
}
