//! `faqbot check`: what validation does not catch but staff should fix.
//! Validation ([`crate::faq::Faq::parse`]) refuses a broken file; lint
//! reads a valid one the way members will meet it.

use std::fmt;

use crate::engine::Engine;
use crate::layout;
use crate::limits::{MAX_EMBED_TOTAL_CHARS, MAX_FIELD_CHARS, MAX_SOURCE_FIELDS};

/// Parses a required-entries file: `id category` a line, `#` comments.
pub fn parse_required(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_whitespace().collect::<Vec<_>>()[..] {
            [id, category] => out.push((id.to_owned(), category.to_owned())),
            _ => {
                return Err(format!(
                    "line {}: expected \"id category\", got {line:?}",
                    n + 1
                ))
            }
        }
    }
    Ok(out)
}

/// Fewer alternates than this leaves the matcher guessing at how members ask.
pub const MIN_ALTERNATES: usize = 8;
/// Longer answers are hard to read on a phone (they still fit Discord).
pub const LONG_ANSWER_CHARS: usize = 1500;

/// Answers above this Flesch–Kincaid grade are hard going: grade 12 is the
/// end of secondary school, and health guidance aims well below it.
pub const MAX_READING_GRADE: f64 = 12.0;

/// Words staff write where a value is still to come; a detail holding one
/// would reach members as is.
pub const UNFILLED_MARKERS: &[&str] = &[
    "todo",
    "fill in",
    "fixme",
    "tbd",
    "changeme",
    "change me",
    "placeholder",
];

/// Hosts reserved for examples by RFC 2606: a link to one is a shipped
/// example, not a clinic's page.
const EXAMPLE_HOSTS: &[&str] = &["example.com", "example.org", "example.net", ".example"];

/// Phone number prefixes kept for drama, reaching nobody, so a shipped
/// example uses them: Ofcom's UK ranges (01632 960xxx, 020 7946 0xxx,
/// 07700 900xxx) and the US 555-01xx. Compared on digits only.
const FICTIONAL_PHONE_PREFIXES: &[&str] = &["01632960", "02079460", "07700900", "55501", "155501"];

/// How bad a finding is. `check --strict` fails on warnings; notes are
/// information only (a shipped example value, an answer's reading level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub line: usize,
    /// The entry or source concerned.
    pub item: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(
            f,
            "{level}: line {}, {}: {}",
            self.line, self.item, self.message
        )
    }
}

/// Lints a valid FAQ; `required` lists entry ids (with their categories)
/// that must exist, as `faqbot check --require` reads them from a file.
pub fn lint(engine: &Engine, required: &[(String, String)]) -> Vec<Finding> {
    lint_with(engine, required, true)
}

/// The errors only, without running every phrasing through the pipeline
/// (the bot checks these on every load; `faqbot check` does the rest).
pub fn errors(engine: &Engine) -> Vec<Finding> {
    lint_with(engine, &[], false)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

fn lint_with(engine: &Engine, required: &[(String, String)], phrasings: bool) -> Vec<Finding> {
    let faq = engine.faq();
    let mut out = Vec::new();
    let mut push = |severity, line, item: String, message: String| {
        out.push(Finding {
            severity,
            line,
            item,
            message,
        })
    };

    {
        for (id, category) in required {
            match faq.entry(id) {
                None => push(
                    Severity::Error,
                    1,
                    format!("entry \"{id}\""),
                    "required entry is missing (faq-spec §2)".into(),
                ),
                Some(e) if e.category != *category => push(
                    Severity::Error,
                    e.line,
                    format!("entry \"{id}\""),
                    format!("category must be \"{category}\", not \"{}\"", e.category),
                ),
                Some(_) => {}
            }
        }
    }

    // A detail a text names ({phone}) must hold a real value by the time members read it.
    for &name in &faq.meta.used_details {
        let value = faq
            .meta
            .details
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str());
        let item = format!("[meta] {name}");
        match detail_state(value) {
            DetailState::Empty => push(
                Severity::Warning,
                1,
                item,
                format!("is empty, but a text names {{{name}}}: members would see a blank"),
            ),
            DetailState::Unfilled => push(
                Severity::Warning,
                1,
                item,
                format!("still holds a placeholder ({value:?}), and a text names {{{name}}}"),
            ),
            DetailState::Example => push(
                Severity::Note,
                1,
                item,
                format!("{value:?} is an example value: replace it with the clinic's own"),
            ),
            DetailState::Given => {}
        }
    }

    let mut cited = vec![false; faq.sources.len()];
    for entry in &faq.entries {
        let item = format!("entry \"{}\"", entry.id);
        for &s in &entry.sources {
            cited[s] = true;
        }
        // Measured on the card members get, as the Discord adapter sends it.
        let card = layout::answer_card(faq, entry);
        if card.fields.len() > MAX_SOURCE_FIELDS {
            push(
                Severity::Error,
                entry.line,
                item.clone(),
                format!(
                    "cites too many sources to show: {} fields of {MAX_FIELD_CHARS} characters",
                    card.fields.len()
                ),
            );
        }
        let total = card.chars();
        if total > MAX_EMBED_TOTAL_CHARS {
            push(Severity::Error, entry.line, item.clone(), format!("the answer embed is {total} characters; Discord allows {MAX_EMBED_TOTAL_CHARS}"));
        }
        if entry.answer.chars().count() > LONG_ANSWER_CHARS {
            push(
                Severity::Note,
                entry.line,
                item.clone(),
                format!("answer is over {LONG_ANSWER_CHARS} characters: hard to read on a phone"),
            );
        }
        if let Some(grade) = reading_grade(&entry.answer) {
            // Compared as shown, to one decimal: "12.0" is not over 12.
            let (severity, advice) = if (grade * 10.0).round() / 10.0 > MAX_READING_GRADE {
                (
                    Severity::Warning,
                    format!(
                        ": over grade {MAX_READING_GRADE}, use shorter sentences and plainer words"
                    ),
                )
            } else {
                (Severity::Note, String::new())
            };
            push(
                severity,
                entry.line,
                item.clone(),
                format!("answer reads at grade {grade:.1} (Flesch-Kincaid){advice}"),
            );
        }
        if entry.alternates.len() < MIN_ALTERNATES {
            push(Severity::Warning, entry.line, item.clone(), format!("only {} alternates; members ask in more ways than that (aim for {MIN_ALTERNATES}+)", entry.alternates.len()));
        }
        // Self-consistency: every phrasing must be answered by its own entry.
        let own = std::iter::once((&entry.question, entry.line))
            .chain(entry.alternates.iter().map(|p| (&p.text, p.line)))
            .filter(|_| phrasings);
        for (alternate, line) in own {
            let e = engine.explain(alternate);
            if let Some(flag) = &e.flag {
                let rf = &faq.red_flags[flag.red_flag];
                push(
                    Severity::Warning,
                    line,
                    item.clone(),
                    format!("alternate \"{alternate}\" trips red flag \"{}\"", rf.id),
                );
                continue;
            }
            let reply = engine.decide(&e, crate::Strictness::Asked);
            if reply.verdict() != entry.id {
                push(
                    Severity::Warning,
                    line,
                    item.clone(),
                    format!(
                        "phrasing \"{alternate}\" is answered with \"{}\", not its own entry",
                        reply.verdict()
                    ),
                );
            }
        }
    }
    for (source, used) in faq.sources.iter().zip(cited) {
        if !used {
            push(
                Severity::Warning,
                source.line,
                format!("source \"{}\"", source.id),
                "no entry cites this source".into(),
            );
        }
    }
    out.sort_by(|a, b| (a.line, &a.item).cmp(&(b.line, &b.item)));
    out
}

/// What a clinic detail holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DetailState {
    Empty,
    /// A marker such as "TODO" instead of a value.
    Unfilled,
    /// A value reserved for examples (example.com, a drama phone number).
    Example,
    Given,
}

fn detail_state(value: &str) -> DetailState {
    let lower = value.trim().to_lowercase();
    let digits: String = lower.chars().filter(char::is_ascii_digit).collect();
    let example_host = lower
        .split(|c: char| c.is_whitespace() || c == '/' || c == '@')
        .any(|part| {
            EXAMPLE_HOSTS
                .iter()
                .any(|h| part == h.trim_start_matches('.') || part.ends_with(h))
        });
    if lower.is_empty() {
        DetailState::Empty
    } else if UNFILLED_MARKERS.iter().any(|m| lower.contains(m)) {
        DetailState::Unfilled
    } else if example_host
        || FICTIONAL_PHONE_PREFIXES
            .iter()
            .any(|p| digits.starts_with(p))
        || lower.split_whitespace().any(|w| w == "example")
    {
        DetailState::Example
    } else {
        DetailState::Given
    }
}

/// The Flesch–Kincaid grade level of a text (Kincaid et al., 1975):
/// `0.39 × words per sentence + 11.8 × syllables per word − 15.59`, about
/// the school year a reader needs. Markdown is read as a member sees it:
/// link targets dropped, each line (a list item, a heading) ends a
/// sentence. `None` for a text with no words.
pub fn reading_grade(text: &str) -> Option<f64> {
    let (mut sentences, mut words, mut syllables) = (0usize, 0usize, 0usize);
    for line in text.lines() {
        let mut in_sentence = false;
        for token in line.split_whitespace() {
            // A link's target is not read: "[text](https://…)" keeps "text".
            let token = token.split("](").next().unwrap_or(token);
            if token.contains("://") {
                continue;
            }
            if token.chars().any(char::is_alphabetic) {
                words += 1;
                syllables += syllable_count(token);
                in_sentence = true;
            }
            let end = token.trim_end_matches(['*', '_', ')', '"', '\'', '\u{201d}']);
            if in_sentence && end.ends_with(['.', '!', '?']) {
                sentences += 1;
                in_sentence = false;
            }
        }
        if in_sentence {
            sentences += 1;
        }
    }
    (words > 0).then(|| {
        0.39 * words as f64 / sentences.max(1) as f64 + 11.8 * syllables as f64 / words as f64
            - 15.59
    })
}

/// Syllables in one word, estimated the usual way: runs of vowels (with
/// "y"), less a silent final "e" ("make"; not "-le" as in "simple"), at
/// least one. Within one syllable of a dictionary for most English words.
pub fn syllable_count(word: &str) -> usize {
    let w: Vec<char> = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut groups = 0;
    let mut prev = false;
    for &c in &w {
        let v = vowel(c);
        if v && !prev {
            groups += 1;
        }
        prev = v;
    }
    let n = w.len();
    let silent_e = n > 2
        && w[n - 1] == 'e'
        && !vowel(w[n - 2])
        && !(w[n - 2] == 'l' && n > 3 && !vowel(w[n - 3]));
    if silent_e && groups > 1 {
        groups -= 1;
    }
    groups.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Syllable estimates for words whose count is not in doubt.
    #[test]
    fn syllables_table() {
        let rows: &[(&str, usize)] = &[
            ("cat", 1),
            ("the", 1),
            ("make", 1),
            ("simple", 2),
            ("table", 2),
            ("water", 2),
            ("beautiful", 3),
            ("information", 4),
            ("Yes,", 1),
            ("**Call**", 1),
        ];
        for (word, want) in rows {
            assert_eq!(syllable_count(word), *want, "word: {word}");
        }
    }

    /// The grade follows the formula on a text counted by hand, plain text
    /// grades low and dense text high, and markdown and links do not count.
    #[test]
    fn reading_grade_table() {
        // 6 words, 1 sentence, 6 syllables.
        let cat = reading_grade("The cat sat on the mat.").unwrap();
        assert!((cat - (0.39 * 6.0 + 11.8 - 15.59)).abs() < 1e-9, "{cat}");
        // Each list line is a sentence; the link's target is not a word.
        assert_eq!(
            reading_grade(
                "- The cat sat.\n- [The mat](https://example.com/a-very-long-address) sat"
            ),
            reading_grade("The cat sat. The mat sat.")
        );
        let dense = "Considerable interindividual variability necessitates individualised \
                     consultation regarding anticipated therapeutic effectiveness and complications.";
        assert!(reading_grade(dense).unwrap() > MAX_READING_GRADE);
        assert!(
            reading_grade("It may sting a bit. Most people are fine the next day.").unwrap() < 6.0
        );
        assert_eq!(reading_grade("  \n 123 !"), None);
    }

    /// A detail some text names is reported by what it holds (a warning
    /// when unfilled, a note when an example); a detail no text names is
    /// not reported, however empty.
    #[test]
    fn named_details_are_checked() {
        let faq = r#"
[meta]
version = 1
phone = "TODO"
prices_url = "https://example.com/prices"
booking_url = ""
disclaimer = "General information."
urgent_message = "Call us on {phone} now."
staff_contact = "Ask staff."

[[source]]
id = "s"
title = "A source"
publisher = "A publisher"
url = "https://clinic.test/s"

[[entry]]
id = "prices"
category = "basics"
question = "How much is it?"
alternates = ["what does it cost", "price list"]
answer = "See {prices_url}."
sources = ["s"]
"#;
        let engine = Engine::from_toml(faq).expect("test FAQ is valid");
        let details: Vec<(Severity, String)> = lint(&engine, &[])
            .into_iter()
            .filter(|f| f.item.starts_with("[meta]"))
            .map(|f| (f.severity, f.item))
            .collect();
        assert_eq!(
            details,
            vec![
                (Severity::Warning, "[meta] phone".to_owned()),
                (Severity::Note, "[meta] prices_url".to_owned()),
            ]
        );
    }

    /// Lint measures the card members get: sources that fill more than
    /// MAX_SOURCE_FIELDS fields, or a card over Discord's total, are errors
    /// giving the measured size; each row is (sources cited, answer length,
    /// the errors expected).
    #[test]
    fn answer_card_limits_are_errors() {
        const TITLE_CHARS: usize = 250;
        let rows: &[(usize, usize, &[&str])] = &[
            (2, 100, &[]),
            (2, 4000, &[]),
            (14, 100, &["cites too many sources to show: 5 fields"]),
            (14, 4000, &["cites too many sources", "the answer embed is"]),
        ];
        for &(sources, answer_len, want) in rows {
            let mut faq = String::from(
                "[meta]\nversion = 1\ndisclaimer = \"General information.\"\n\
                 urgent_message = \"Call us now.\"\nstaff_contact = \"Ask staff.\"\n",
            );
            for i in 0..sources {
                faq.push_str(&format!(
                    "[[source]]\nid = \"s{i}\"\ntitle = \"{}\"\npublisher = \"A publisher\"\nurl = \"https://clinic.test/{i}\"\n",
                    "t".repeat(TITLE_CHARS)
                ));
            }
            let cited: Vec<String> = (0..sources).map(|i| format!("\"s{i}\"")).collect();
            faq.push_str(&format!(
                "[[entry]]\nid = \"e\"\ncategory = \"basics\"\nquestion = \"How long is it?\"\n\
                 alternates = [\"how long\"]\nanswer = \"{}\"\nsources = [{}]\n",
                "word ".repeat(answer_len / 5).trim_end(),
                cited.join(", ")
            ));
            let engine = Engine::from_toml(&faq).expect("test FAQ is valid");
            let card = crate::layout::answer_card(engine.faq(), &engine.faq().entries[0]);
            let errors: Vec<String> = errors(&engine).iter().map(|f| f.message.clone()).collect();
            assert_eq!(errors.len(), want.len(), "{sources} sources: {errors:?}");
            for (e, w) in errors.iter().zip(want) {
                assert!(e.contains(w), "{e:?} lacks {w:?}");
            }
            if let Some(e) = errors.iter().find(|e| e.starts_with("the answer embed")) {
                assert!(e.contains(&card.chars().to_string()), "{e}");
            }
        }
    }

    /// A detail is empty, still a placeholder, a shipped example, or given.
    #[test]
    fn detail_state_table() {
        let rows: &[(&str, DetailState)] = &[
            ("", DetailState::Empty),
            ("   ", DetailState::Empty),
            ("TODO", DetailState::Unfilled),
            ("FILL IN: phone", DetailState::Unfilled),
            ("01632 960000", DetailState::Example),
            ("020 7946 0123", DetailState::Example),
            ("+1 555-0100", DetailState::Example),
            ("https://example.com/book", DetailState::Example),
            ("https://booking.example/now", DetailState::Example),
            ("Example Skin Clinic", DetailState::Example),
            ("01632 123456", DetailState::Given),
            ("https://clinic.co.uk/book", DetailState::Given),
            ("999", DetailState::Given),
            ("NHS 111", DetailState::Given),
        ];
        for (value, want) in rows {
            assert_eq!(detail_state(value), *want, "value: {value:?}");
        }
    }
}
