//! Red-flag triage: runs before any matching, so a message that reads like
//! a complication gets the urgent-care message and never an FAQ answer.
//!
//! The lexicon lives in `faq.toml` (`[[red_flag]]`, `[triage]`) so the
//! clinic can edit it. A rule fires when some phrase of its `when` list
//! and, if given, some phrase of its `and` list appear in the message,
//! neither cancelled by a negation just before it ("no fever", "if I get
//! blisters"). Phrases match on stems, in order, with a few words allowed
//! between them ("swelling keeps on growing" matches "swelling growing").
//!
//! The special phrase `@late` matches a late day count ("day 5", "6 days
//! later", "a week on"): expected redness and swelling settle in the first
//! days, so the same words later read differently.

use crate::faq::Faq;
use crate::matcher::Analyzer;

/// Words allowed between two words of one phrase.
pub const MAX_PHRASE_GAP: usize = 2;

/// Written-out numbers members use for day counts.
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("4th", 4),
    ("5th", 5),
    ("6th", 6),
    ("7th", 7),
    ("8th", 8),
    ("9th", 9),
    ("10th", 10),
];

#[derive(Debug, Clone)]
enum Pattern {
    Words(Vec<String>),
    Late,
}

#[derive(Debug, Clone)]
struct Rule {
    when: Vec<Pattern>,
    and: Vec<Pattern>,
    always: bool,
}

/// Which red flag fired, and the words that fired it.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// Index into [`Faq::red_flags`].
    pub red_flag: usize,
    pub matched: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Triage {
    rules: Vec<Rule>,
    negations: Vec<Vec<String>>,
    window: usize,
    late_after_days: u32,
    personal: Vec<Vec<String>>,
}

fn pattern(analyzer: &Analyzer, phrase: &str) -> Pattern {
    if phrase.trim() == "@late" {
        Pattern::Late
    } else {
        Pattern::Words(analyzer.canonical_stems(&crate::text::normalise(phrase)))
    }
}

fn day_number(word: &str) -> Option<u32> {
    word.parse().ok().or_else(|| {
        NUMBER_WORDS
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, n)| *n)
    })
}

impl Triage {
    /// Builds the rules, with the matcher's analyser so synonyms apply alike.
    pub fn new(faq: &Faq, analyzer: &Analyzer) -> Triage {
        let t = &faq.triage;
        let seqs = |v: &[String]| {
            v.iter()
                .map(|p| analyzer.canonical_stems(&crate::text::normalise(p)))
                .filter(|s| !s.is_empty())
                .collect()
        };
        Triage {
            rules: faq
                .red_flags
                .iter()
                .map(|r| Rule {
                    when: r.when.iter().map(|p| pattern(analyzer, p)).collect(),
                    and: r.and.iter().map(|p| pattern(analyzer, p)).collect(),
                    always: r.always,
                })
                .collect(),
            negations: seqs(&t.negations),
            window: t.negation_window,
            late_after_days: t.late_after_days,
            personal: seqs(&t.personal),
        }
    }

    /// The first red flag a message raises, if any, given its normalised
    /// words and their canonical stems (see [`crate::matcher::Question`]).
    pub fn check_words(&self, words: &[&str], stemmed: &[String]) -> Option<Flag> {
        let personal = self.personal.iter().any(|p| find(stemmed, p, 0).is_some());
        for (i, rule) in self.rules.iter().enumerate() {
            if !rule.always && !personal {
                continue;
            }
            // The `and` phrase first: its words may hold a negation that
            // belongs to it ("will NOT stop" bleeding), which must not
            // cancel the `when` phrase.
            let second = if rule.and.is_empty() {
                None
            } else {
                match self.any(&rule.and, words, stemmed, None) {
                    Some(m) => Some(m),
                    None => continue,
                }
            };
            let skip = second.as_ref().map(|(_, span)| *span);
            let Some(first) = self.any(&rule.when, words, stemmed, skip) else {
                continue;
            };
            let first = first.0;
            let second = second.map(|(text, _)| text);
            let mut matched = vec![first];
            matched.extend(second);
            return Some(Flag {
                red_flag: i,
                matched,
            });
        }
        None
    }

    /// The first pattern of the list found un-negated: the words matched
    /// and their span. Negations inside `skip` (another phrase's words) do not count.
    fn any(
        &self,
        patterns: &[Pattern],
        words: &[&str],
        stemmed: &[String],
        skip: Option<(usize, usize)>,
    ) -> Option<(String, (usize, usize))> {
        patterns.iter().find_map(|p| match p {
            Pattern::Late => self.late(words).map(|w| (w, (usize::MAX, usize::MAX))),
            Pattern::Words(seq) => {
                let mut from = 0;
                while let Some((start, end)) = find(stemmed, seq, from) {
                    let overlaps = skip.is_some_and(|(a, b)| start <= b && a <= end);
                    if !overlaps && !self.negated(stemmed, start, skip) {
                        return Some((stemmed[start..=end].join(" "), (start, end)));
                    }
                    from = start + 1;
                }
                None
            }
        })
    }

    fn negated(&self, stemmed: &[String], start: usize, skip: Option<(usize, usize)>) -> bool {
        let lo = start.saturating_sub(self.window);
        let skipped = |i: usize| skip.is_some_and(|(a, b)| (a..=b).contains(&i));
        self.negations.iter().any(|n| {
            (lo..start)
                .any(|i| i + n.len() <= start && stemmed[i..i + n.len()] == n[..] && !skipped(i))
        })
    }

    /// "day 5", "5 days", "fifth day", "a week": a day count at or past the late threshold.
    fn late(&self, words: &[&str]) -> Option<String> {
        for (i, w) in words.iter().enumerate() {
            if w.starts_with("week") {
                return Some((*w).to_owned());
            }
            if *w == "day" || *w == "days" {
                let around = [i.checked_sub(1), Some(i + 1)];
                for j in around.into_iter().flatten() {
                    if let Some(n) = words.get(j).and_then(|x| day_number(x)) {
                        if n >= self.late_after_days {
                            let (a, b) = if j < i { (j, i) } else { (i, j) };
                            return Some(words[a..=b].join(" "));
                        }
                    }
                }
            }
        }
        None
    }
}

/// Finds `seq` in `words` at or after `from`: its words in order, each
/// within [`MAX_PHRASE_GAP`] words of the previous one. Returns the first
/// and last positions.
fn find(words: &[String], seq: &[String], from: usize) -> Option<(usize, usize)> {
    let (head, rest) = seq.split_first()?;
    'start: for start in from..words.len() {
        if &words[start] != head {
            continue;
        }
        let mut at = start;
        for w in rest {
            let limit = (at + 2 + MAX_PHRASE_GAP).min(words.len());
            match (at + 1..limit).find(|&k| &words[k] == w) {
                Some(k) => at = k,
                None => continue 'start,
            }
        }
        return Some((start, at));
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    const FAQ: &str = r#"
[meta]
version = 1
disclaimer = "d"
urgent_message = "u"
[[source]]
id = "s"
title = "t"
publisher = "p"
url = "https://example.org"
[[entry]]
id = "e"
category = "basics"
question = "q"
answer = "a"
sources = ["s"]
[synonyms]
"cold sore" = ["fever blister", "fever blisters"]
[triage]
negations = ["no", "not", "if"]
personal = ["i", "my"]
late_after_days = 4
[[red_flag]]
id = "fever"
label = "fever"
when = ["fever", "chills"]
[[red_flag]]
id = "worse"
label = "worse"
when = ["swelling", "red"]
and = ["worse", "spreading", "@late"]
[[red_flag]]
id = "bleeding"
label = "bleeding"
always = true
when = ["bleeding"]
and = ["will not stop"]
[[red_flag]]
id = "breathing"
label = "breathing"
always = true
when = ["can not breathe"]
"#;

    /// Each row: message, the red flag it must raise (or None).
    #[test]
    fn triage_table() {
        let engine = Engine::from_toml(FAQ).expect("fixture is valid");
        let rows: &[(&str, Option<&str>)] = &[
            ("i have a fever", Some("fever")),
            ("i have no fever", None),
            ("my face: no swelling, no fever", None),
            ("what if i get a fever", None),
            ("can it cause a fever?", None),
            ("my lip gets fever blisters", None),
            ("my swelling is getting worse", Some("worse")),
            ("my cheek is red on day 1", None),
            ("my cheek is still red on day 5", Some("worse")),
            ("it will not stop bleeding", Some("bleeding")),
            ("some bleeding during, it stopped", None),
            ("can't breathe", Some("breathing")),
            ("", None),
        ];
        for (message, want) in rows {
            let got = engine
                .explain(message)
                .flag
                .map(|f| engine.faq().red_flags[f.red_flag].id.clone());
            assert_eq!(got.as_deref(), *want, "message: {message:?}");
        }
    }
}
