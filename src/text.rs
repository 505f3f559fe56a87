//! The one normalisation: every question and every FAQ phrasing goes through
//! [`normalise`], so the two can never drift apart.
//!
//! strsim compares `char`s and folds nothing, so folding is ours: Discord
//! markup, URLs, Unicode compatibility forms and accents, case, emoji and
//! punctuation, contractions and British/American spellings. The result is
//! plain lowercase words separated by single spaces. A clinic's own
//! vocabulary (one word or two, product names) is not folded here but by
//! the `[synonyms]` of its FAQ, so this module names no treatment.
//!
//! Not `linkify` for `LINK`'s fixed list of top-level domains: without a
//! scheme linkify takes any `word.word` for a link (its docs advise a TLD
//! list on top), so "done.Next" typed without a space would lose its words.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Longer input is cut here before any work: a question is never this long
/// (Discord caps messages at 4,000 characters), and the cap bounds the cost
/// of a hostile 100 KB message.
pub const MAX_INPUT_CHARS: usize = 4_000;

/// The shortest word read as a dropped g ("bleedin'"): shorter ones ending
/// "in'" are a word closing a quotation ("'come in'").
const DROPPED_G_MIN: usize = 5;

/// Markup that carries no words: code blocks, mentions, channel links,
/// custom emoji, timestamps and slash-command mentions. Removed whole. A
/// handle typed as text ("@FAQbot how long…") names whom the message is
/// for, as a rendered mention does, so it goes too.
static MARKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?s)```.*?```",            // fenced code block
        r"|<@[!&]?\d+>",             // user and role mentions
        r"|<#\d+>",                  // channel links
        r"|<a?:[A-Za-z0-9_~]+:\d+>", // custom emoji
        r"|<t:-?\d+(?::[A-Za-z])?>", // timestamps
        r"|</[\w\- ]+:\d+>",         // slash-command mentions
        r"|@(?:everyone|here)\b",    // mass pings
        r"|@\w[\w.]*",               // a handle typed as text ("@FAQbot")
    ))
    .expect("markup pattern is valid")
});

/// Links, with or without a scheme. A spam message is mostly link; a real
/// question's words never live inside one.
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:https?://|www\.)\S+",
        r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|gg|co|uk|ru|xyz|info|link|me|app|ly|tk)\b(?:/\S*)?",
    ))
    .expect("link pattern is valid")
});

/// British spellings and their American twins, folded to one form so
/// that a question meets a phrasing written in the other variety. General
/// English only: a clinic's own words and their spellings (product names,
/// compounds written as one word or two) are `[synonyms]` in its FAQ.
const RESPELLINGS: &[(&str, &str)] = &[
    ("moisturiser", "moisturizer"),
    ("moisturisers", "moisturizers"),
    ("moisturising", "moisturizing"),
    ("anaesthetic", "anesthetic"),
    ("anaesthesia", "anesthesia"),
    ("colour", "color"),
    ("creme", "cream"),
    ("haemorrhage", "hemorrhage"),
];

/// Contractions typed with or without the apostrophe. Expanded so that
/// negation ("can't breathe" → "can not breathe") is visible to triage.
const CONTRACTIONS: &[(&str, &str)] = &[
    ("can't", "can not"),
    ("cant", "can not"),
    ("cannot", "can not"),
    ("won't", "will not"),
    ("wont", "will not"),
    ("don't", "do not"),
    ("dont", "do not"),
    ("doesn't", "does not"),
    ("doesnt", "does not"),
    ("didn't", "did not"),
    ("didnt", "did not"),
    ("isn't", "is not"),
    ("isnt", "is not"),
    ("aren't", "are not"),
    ("arent", "are not"),
    ("wasn't", "was not"),
    ("wasnt", "was not"),
    ("weren't", "were not"),
    ("shouldn't", "should not"),
    ("shouldnt", "should not"),
    ("couldn't", "could not"),
    ("couldnt", "could not"),
    ("wouldn't", "would not"),
    ("wouldnt", "would not"),
    ("haven't", "have not"),
    ("havent", "have not"),
    ("hasn't", "has not"),
    ("hasnt", "has not"),
    ("ain't", "is not"),
    ("i'm", "i am"),
    ("im", "i am"),
    ("i've", "i have"),
    ("ive", "i have"),
    ("i'll", "i will"),
    ("i'd", "i would"),
    ("it's", "it is"),
    ("what's", "what is"),
    ("whats", "what is"),
    ("that's", "that is"),
    ("thats", "that is"),
    ("there's", "there is"),
    ("how's", "how is"),
    ("you're", "you are"),
    ("they're", "they are"),
    ("we're", "we are"),
];

/// Text-speak shorthand for common English words, expanded so that every
/// reader meets the word itself: "pins n needles", "2 wks", "b4 my
/// session". Only forms that stand for one word and nothing else a clinic
/// member would mean ("rn" is left alone: it is also a nurse).
const SHORTHAND: &[(&str, &str)] = &[
    ("n", "and"),
    ("w", "with"),
    ("b4", "before"),
    ("hr", "hour"),
    ("hrs", "hours"),
    ("mins", "minutes"),
    ("wk", "week"),
    ("wks", "weeks"),
    ("yr", "year"),
    ("yrs", "years"),
    ("yday", "yesterday"),
    ("tmrw", "tomorrow"),
    ("tmr", "tomorrow"),
    ("abt", "about"),
    ("ppl", "people"),
    ("thru", "through"),
];

/// "w/o" is "without": read before punctuation is folded away, which
/// would leave "w o".
static WITHOUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bw/o\b").expect("without pattern is valid"));

/// The expansion of a contraction, typed with or without its apostrophe.
fn contraction(word: &str) -> Option<&'static str> {
    CONTRACTIONS
        .iter()
        .chain(SHORTHAND)
        .find(|(c, _)| *c == word)
        .map(|(_, expanded)| *expanded)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`')
}

/// The message without its word-free markup (code blocks, mentions, custom
/// emoji, timestamps, links), punctuation kept: for readers that need
/// sentences, such as triage. [`normalise`] starts the same way.
pub fn strip_markup(input: &str) -> String {
    let cut = match input.char_indices().nth(MAX_INPUT_CHARS) {
        Some((i, _)) => &input[..i],
        None => input,
    };
    let no_markup = MARKUP.replace_all(cut, " ");
    LINK.replace_all(&no_markup, " ").into_owned()
}

/// Normalises a question or FAQ phrasing to lowercase words separated by
/// single spaces. Total: any input, including empty, huge, control
/// characters and right-to-left or emoji-only text, gives a (possibly
/// empty) string and never panics.
pub fn normalise(input: &str) -> String {
    let cut = match input.char_indices().nth(MAX_INPUT_CHARS) {
        Some((i, _)) => &input[..i],
        None => input,
    };
    let no_markup = MARKUP.replace_all(cut, " ");
    let no_links = LINK.replace_all(&no_markup, " ");
    let no_links = WITHOUT.replace_all(&no_links, "without");

    // NFKD splits accents off their letters (and folds full-width and
    // ligature forms); dropping the combining marks leaves the base letter.
    // Compatibility forms can expand a lot (U+FDFA is 18 characters), so the
    // cap applies again here: 4,000 of them once took the matcher 0.67 s.
    let mut folded = String::with_capacity(no_links.len());
    for (n, c) in no_links
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .enumerate()
    {
        if n >= MAX_INPUT_CHARS {
            break;
        }
        if c.is_alphanumeric() {
            folded.extend(c.to_lowercase());
        } else if is_apostrophe(c) {
            folded.push('\'');
        } else {
            folded.push(' ');
        }
    }

    let mut words: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    for raw in folded.split_whitespace() {
        let word = raw.trim_matches('\'');
        if word.is_empty() {
            continue;
        }
        // A dropped g written with its apostrophe ("bleedin'", "swellin'")
        // is the -ing form: restored, it meets the lexicon and the stemmer.
        if raw.ends_with("in'") && word.len() >= DROPPED_G_MIN && !word.contains('\'') {
            words.push(format!("{word}g").into());
            continue;
        }
        // Other apostrophes ("clinic's", "o'clock") split the word, and each
        // part may be a contraction typed without its own ("cant'go"): left
        // as "cant", it would expand only when normalised a second time.
        let parts: Vec<&str> = match contraction(word) {
            Some(_) => vec![word],
            None => word.split('\'').filter(|w| !w.is_empty()).collect(),
        };
        for part in parts {
            match contraction(part) {
                Some(expanded) => words.extend(expanded.split(' ').map(Into::into)),
                None => words.push(part.into()),
            }
        }
    }

    // "I'd been" is "I had been": "'d" expands to "would", which never
    // comes before "been".
    for i in 1..words.len() {
        if words[i] == "been" && words[i - 1] == "would" {
            words[i - 1] = "had".into();
        }
    }
    let mut out = String::with_capacity(folded.len());
    for word in &words {
        let word: &str = word;
        let word = RESPELLINGS
            .iter()
            .find(|(from, _)| *from == word)
            .map_or(word, |(_, respelt)| respelt);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

static STEMMER: LazyLock<rust_stemmers::Stemmer> =
    LazyLock::new(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));

/// The English (Snowball) stem of one normalised word, so "sessions",
/// "swelling" and "treated" meet "session", "swell" and "treat". Used by
/// the matcher and triage alike.
pub fn stem(word: &str) -> String {
    STEMMER.stem(word).into_owned()
}

/// The words of [`normalise`], as owned strings.
pub fn words(input: &str) -> Vec<String> {
    normalise(input)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row: raw input, its normal form.
    const CASES: &[(&str, &str)] = &[
        ("", ""),
        ("   \t\n ", ""),
        ("How many SESSIONS?", "how many sessions"),
        // Hyphens split words; joining compounds is the FAQ's [synonyms] job.
        ("Follow-up vs FOLLOW UP", "follow up vs follow up"),
        ("Colour or color", "color or color"),
        ("Café crème", "cafe cream"),
        (
            "I'd been taking it, I'd go",
            "i had been taking it i would go",
        ),
        // A dropped g with its apostrophe is the -ing form; a short word
        // closing a quotation is not.
        (
            "bleedin' since mornin', 'come in'",
            "bleeding since morning come in",
        ),
        ("ｆｕｌｌ ｗｉｄｔｈ", "full width"),
        ("<@123456789012345678> does it hurt", "does it hurt"),
        ("<@!1234> <@&5678> <#91011> hi", "hi"),
        ("@FAQbot does it hurt? cc @sam.k", "does it hurt cc"),
        ("email me at jo@example.org", "email me at jo"),
        (
            "is it painful?? ||lowkey terrified||",
            "is it painful lowkey terrified",
        ),
        ("<:pepe:123456> <a:dance:987> ok", "ok"),
        ("@everyone @here free stuff", "free stuff"),
        ("see https://example.com/x?y=1 and www.foo.org", "see and"),
        ("gift -> steamcommunlty.com/gift/9921 now", "gift now"),
        ("```rust\nfn main() {}\n``` what is this", "what is this"),
        ("> quoted text\nmy question", "quoted text my question"),
        ("I can't breathe", "i can not breathe"),
        ("i cant catch my breath", "i can not catch my breath"),
        ("what’s the wait", "what is the wait"),
        ("the clinic's hours", "the clinic s hours"),
        // Found by tests/properties.rs: "cant" stayed unexpanded, so a second pass changed it.
        ("cant'0.25mm", "can not 0 25mm"),
        ("i dont'know, im'sure", "i do not know i am sure"),
        ("😭😭😭", ""),
        ("👋 hey", "hey"),
        ("moisturiser after care", "moisturizer after care"),
        ("مرحبا كيف", "مرحبا كيف"),
        ("e\u{301}te\u{301}", "ete"),
        ("a\u{0}b\u{7}c", "a b c"),
        ("day 3: 39°C", "day 3 39 c"),
        // Text-speak shorthand is the word it stands for.
        ("pins n needles 2 wks", "pins and needles 2 weeks"),
        ("w/o pain b4 my appt", "without pain before my appt"),
        ("woke up w a lump yday", "woke up with a lump yesterday"),
    ];

    /// Every row of the table normalises to its expected form.
    #[test]
    fn normalises_table() {
        for (input, expected) in CASES {
            assert_eq!(normalise(input), *expected, "input: {input:?}");
        }
    }

    /// Normalising is idempotent, so phrasings and questions meet in one form.
    #[test]
    fn idempotent() {
        for (input, _) in CASES {
            let once = normalise(input);
            assert_eq!(normalise(&once), once, "input: {input:?}");
        }
    }

    /// A 100 KB message is cut to the cap and still normalises.
    #[test]
    fn huge_input_is_capped() {
        let huge = "word ".repeat(25_000);
        let out = normalise(&huge);
        assert!(out.len() <= MAX_INPUT_CHARS);
        assert!(out.starts_with("word word"));
        // A character that folds into many (U+FDFA: 18) is capped after folding too.
        let expanding = "\u{FDFA}".repeat(MAX_INPUT_CHARS);
        assert!(normalise(&expanding).chars().count() <= MAX_INPUT_CHARS);
    }

    /// Unpaired code fences and odd markup never panic.
    #[test]
    fn odd_markup_is_total() {
        for input in [
            "```",
            "``` open",
            "<@",
            "<@>",
            "<:x:>",
            "||",
            "\u{202e}rtl\u{202c}",
            "\u{feff}",
        ] {
            let _ = normalise(input);
        }
        assert_eq!(words("<@12> follow-up!!"), vec!["follow", "up"]);
    }
}

/// Correctly spelled words (the encoder's whole-word vocabulary): a word
/// found here is not a typo of anything, however close it is to a
/// lexicon word ("glowing" is not "growing").
#[derive(Clone, Default)]
pub struct Dictionary(std::sync::Arc<std::collections::HashSet<String>>);

impl Dictionary {
    pub fn new(words: impl IntoIterator<Item = String>) -> Dictionary {
        Dictionary(std::sync::Arc::new(words.into_iter().collect()))
    }

    pub fn contains(&self, word: &str) -> bool {
        self.0.contains(word)
    }
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dictionary({} words)", self.0.len())
    }
}
