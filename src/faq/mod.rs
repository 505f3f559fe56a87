//! `faq.toml`: parse, then validate into a checked [`Faq`]. A value of this
//! type is known good everywhere after: unique kebab-case ids, every cited
//! source and related entry exists, texts fit where Discord shows them.
//!
//! The core takes the file's text, not a path: reading files is the edges'
//! job.

mod check;
mod error;
mod raw;

use crate::limits::{
    MAX_CONTENT_CHARS, MAX_DESCRIPTION_CHARS, MAX_FIELD_CHARS, MAX_FOOTER_CHARS, MAX_TITLE_CHARS,
};
use check::Checker;
use error::LineMap;
pub use error::{FaqError, FaqErrors, Location};
use raw::RawFaq;

pub use crate::outcome::RESERVED_IDS;

/// The clinic details a text may name in braces (`{phone}`), and where
/// each comes from in `[meta]`.
pub const PLACEHOLDERS: &[&str] = &[
    "clinic_name",
    "phone",
    "out_of_hours",
    "emergency_number",
    "booking_url",
    "prices_url",
];

/// Below this best score the bot does not answer. Chosen on the evaluation
/// sets: lower lets near-miss questions (other treatments, chit-chat that
/// shares a word) through; higher turns away real paraphrases.
pub const DEFAULT_MIN_SCORE: f64 = 0.4;
/// The best entry must beat the second by this much: a question that two
/// entries explain equally well is ambiguous, and a guess could be wrong.
pub const DEFAULT_MIN_MARGIN: f64 = 0.02;
/// In channels the bot reads unprompted, it answers only when surer: a
/// member who did not ask the bot should not be interrupted by a guess.
pub const DEFAULT_CHANNEL_MIN_SCORE: f64 = 0.6;
/// Negation words this many words before a red-flag phrase cancel it
/// ("no fever", "not swollen or anything").
pub const DEFAULT_NEGATION_WINDOW: usize = 4;
/// "day N" with N at or past this reads as late: redness and swelling are
/// expected for the first two or three days, worsening after that is not.
pub const DEFAULT_LATE_AFTER_DAYS: u32 = 4;
/// 38 °C (100.4 °F): the temperature the NHS and the CDC call a fever.
pub const DEFAULT_FEVER_CELSIUS: f64 = 38.0;
/// Semantic backstop defaults: a message this close to a red flag's
/// examples, and closer to them than to any FAQ phrasing by the margin,
/// gets the caution block even when no lexicon term fired.
pub const DEFAULT_TRIAGE_SEMANTIC_MIN: f64 = 0.6;
/// See [`DEFAULT_TRIAGE_SEMANTIC_MIN`].
pub const DEFAULT_TRIAGE_SEMANTIC_MARGIN: f64 = 0.05;
/// A concept named without its second term ("my eye …") is urgent when
/// the message is this close to the concept's examples: two weaker signals
/// agreeing.
pub const DEFAULT_TRIAGE_AGREE_MIN: f64 = 0.5;
/// A lexicon report the encoder finds this far from every red flag's
/// examples is not trusted alone: the two signals disagree, so the member
/// gets the caution block instead of the urgent message. 0 turns it off.
pub const DEFAULT_TRIAGE_VETO_BELOW: f64 = 0.0;

/// A checked FAQ.
#[derive(Debug, Clone)]
pub struct Faq {
    pub meta: Meta,
    pub sources: Vec<Source>,
    pub entries: Vec<Entry>,
    pub matching: MatchSettings,
    /// Canonical word → the variants that mean it here.
    pub synonyms: Vec<(String, Vec<String>)>,
    pub off_topic: OffTopic,
    pub triage: TriageSettings,
    pub red_flags: Vec<RedFlag>,
}

#[derive(Debug, Clone)]
pub struct Meta {
    pub version: u32,
    pub clinic_name: String,
    pub disclaimer: String,
    pub urgent_message: String,
    /// How members reach staff; shown with every no-match reply.
    pub staff_contact: String,
    /// The caution tier's block: when to get help now.
    pub caution_message: String,
    /// The clinic's details as given (empty when not given), by
    /// [`PLACEHOLDERS`] name; texts have them substituted already.
    pub details: Vec<(&'static str, String)>,
    /// The categories entries may use (empty: any).
    pub categories: Vec<String>,
    /// What members ask about ("laser hair removal"), when the FAQ says: the
    /// console greets with it. `None`: a plain "ask a question".
    pub subject: Option<String>,
    /// The [`PLACEHOLDERS`] some text names (`{phone}`), each once: a
    /// detail that is named must be filled in.
    pub used_details: Vec<&'static str>,
}

/// Substitutes `{name}` placeholders from `details`; an unknown name is
/// returned as the error.
pub fn fill(text: &str, details: &[(&'static str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
                    && close > 0 =>
            {
                let name = &after[..close];
                match details.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => return Err(name.to_owned()),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub year: Option<u16>,
    /// The link shown to members: the url, or the doi or PMC id made a link.
    pub link: String,
    /// Staff's note on the source (e.g. a detail still to verify); not shown to members.
    pub note: Option<String>,
    pub line: usize,
}

/// One alternate wording of an entry's question, with its line for
/// findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrasing {
    pub text: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub category: String,
    pub question: String,
    pub alternates: Vec<Phrasing>,
    pub keywords: Vec<String>,
    pub answer: String,
    /// Indices into [`Faq::sources`].
    pub sources: Vec<usize>,
    /// Indices into [`Faq::entries`].
    pub related: Vec<usize>,
    /// Answer only when the question shows it is about treatment (an
    /// anchor or context word): for topics that are also everyday
    /// skincare (sunscreen, retinol, hair loss), where a bare question is
    /// more likely general than about the clinic's treatment.
    pub needs_context: bool,
    /// Offered by autocomplete before anything is typed: what newcomers
    /// ask first.
    pub starter: bool,
    pub line: usize,
}

impl Entry {
    /// The question, then every alternate: the phrasings the matcher learns.
    pub fn phrasings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str())
            .chain(self.alternates.iter().map(|p| p.text.as_str()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchSettings {
    pub min_score: f64,
    pub min_margin: f64,
    pub channel_min_score: f64,
}

impl Default for MatchSettings {
    fn default() -> Self {
        MatchSettings {
            min_score: DEFAULT_MIN_SCORE,
            min_margin: DEFAULT_MIN_MARGIN,
            channel_min_score: DEFAULT_CHANNEL_MIN_SCORE,
        }
    }
}

/// Scope: topics we do not cover (other treatments), the words that show
/// a question is about the FAQ's own treatment all the same (anchors), and the words
/// that show it is asked about a treatment at all (context: "it", "after",
/// "my session").
#[derive(Debug, Clone, Default)]
pub struct OffTopic {
    pub terms: Vec<String>,
    pub anchors: Vec<String>,
    pub context: Vec<String>,
    /// Words that show a member asks about their own case ("I", "my"):
    /// enough to keep a question in scope, not enough for an entry that
    /// needs context.
    pub personal: Vec<String>,
}

/// How triage reads the context around a symptom (see [`crate::triage`]).
#[derive(Debug, Clone, Default)]
pub struct TriageSettings {
    /// Words that cancel the symptom just after them ("no fever").
    pub negations: Vec<String>,
    pub negation_window: usize,
    /// A day count at or past this is "late" (`@late`).
    pub late_after_days: u32,
    /// A temperature at or above this (°C; °F converted) is a fever (`@fever`).
    pub fever_celsius: f64,
    /// Words after a symptom that say it is over ("bleeding has stopped").
    pub resolved: Vec<String>,
    /// Frames that ask in general or hypothetically ("what are the signs of").
    pub general: Vec<String>,
    /// Frames that place it in the past or before treatment ("last year").
    pub past: Vec<String>,
    /// Someone else ("my friend").
    pub others: Vec<String>,
    /// Another treatment, product or event as the cause ("after waxing").
    pub other_causes: Vec<String>,
    /// Words that make a symptom word figurative ("my bank account").
    pub figurative: Vec<String>,
    /// Expected, mild effects: described now, they get the caution block.
    pub mild: Vec<String>,
    /// Words of the present that outweigh a past cue in the same clause.
    pub current: Vec<String>,
    /// Before treatment ("should I cancel"): anywhere in the message,
    /// unless it also says the treatment was done.
    pub before: Vec<String>,
    /// Openers of a period that runs up to now ("in the last", "over the
    /// past"): with a unit of time after them ("in the last week") they
    /// are recent, not a past frame.
    pub recent: Vec<String>,
    /// Words for a visit to the clinic ("session", "appointment"): with a
    /// word of the past before them ("since my session") they say the
    /// treatment was done.
    pub visits: Vec<String>,
    /// Verbs of going on ("stop", "go away"): a negation before them does
    /// not negate the symptom ("won't stop bleeding").
    pub continuing: Vec<String>,
    /// A sentence opening with one of these asks (a modal: "can", "could").
    pub modal_questions: Vec<String>,
    /// …or with one of these and no word of the writer's own (be, do).
    pub plain_questions: Vec<String>,
    /// Words that, right after a modal, show a report with its subject
    /// dropped ("could smell burning"), not a question.
    pub elided_subject: Vec<String>,
    /// The writer's own words ("i", "my").
    pub personal: Vec<String>,
    /// Semantic backstop: the least cosine to a red flag's examples, and
    /// how far it must beat the best FAQ phrasing, to raise a caution.
    pub semantic_min: f64,
    pub semantic_margin: f64,
    /// A concept named without its second term is urgent when the message
    /// is at least this close to one of the concept's examples.
    pub agree_min: f64,
    /// A lexicon report whose best cosine to any red flag's examples is
    /// below this gets the caution tier, not the urgent message.
    pub veto_below: f64,
    /// Words that say a mild symptom is mild ("a bit", "slightly").
    pub minimisers: Vec<String>,
    /// Words that ask whether something is expected ("normal", "is that
    /// ok"): a symptom named without a sign of severity in such a sentence
    /// is the writer checking, so the encoder's agreement alone does not
    /// make it urgent.
    pub expectation: Vec<String>,
    /// Words of a report of the present ("this morning", "now", "since"):
    /// a sentence with one, after a question about a symptom, says the
    /// symptom is the writer's own ("is it normal to blister? got two
    /// this morning").
    pub follow_up: Vec<String>,
}

impl TriageSettings {
    /// Every list of cue phrases (not the red flags' terms).
    pub fn cue_lists(&self) -> [&[String]; 20] {
        [
            &self.other_causes,
            &self.recent,
            &self.visits,
            &self.negations,
            &self.resolved,
            &self.general,
            &self.past,
            &self.others,
            &self.figurative,
            &self.mild,
            &self.current,
            &self.before,
            &self.continuing,
            &self.modal_questions,
            &self.plain_questions,
            &self.elided_subject,
            &self.personal,
            &self.minimisers,
            &self.expectation,
            &self.follow_up,
        ]
    }
}

/// One red-flag concept: a lexicon of terms (and, if `with` is not empty,
/// a second term needed in the same sentence), and examples for the
/// semantic backstop.
#[derive(Debug, Clone)]
pub struct RedFlag {
    pub id: String,
    pub label: String,
    pub terms: Vec<String>,
    pub with: Vec<String>,
    /// Urgent whoever it is about, however it is framed (signs of a severe
    /// allergic reaction or a blocked airway): only a negation cancels it.
    pub always: bool,
    /// Comes on weeks after treatment (granulomas): a past frame that only
    /// dates the treatment ("where they needled me a month ago") does not
    /// make it past.
    pub delayed: bool,
    /// Another treatment named as its cause explains it (lips swollen the
    /// day after lip filler are that filler's expected effect): `always`
    /// then covers someone else's, not another cause's.
    pub explained_by_cause: bool,
    pub examples: Vec<String>,
    pub line: usize,
}

impl Faq {
    /// Parses and validates an FAQ file's text. On failure returns every
    /// error found, each with its line and the entry or source it is in.
    pub fn parse(text: &str) -> Result<Faq, FaqErrors> {
        let lines = LineMap::new(text);
        let raw: RawFaq = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let at = match e.span() {
                    Some(span) => lines.locate(span.start),
                    None => Location {
                        line: 1,
                        item: None,
                    },
                };
                let message = e.message().trim().to_owned();
                return Err(FaqErrors(vec![FaqError::Syntax { at, message }]));
            }
        };
        let mut c = Checker {
            lines,
            errors: Vec::new(),
        };
        let (meta, mut filler) = check::meta(&mut c, &raw.meta);
        let (sources, source_index) = check::sources(&mut c, &raw);
        let entries = check::entries(&mut c, &raw, &meta.categories, &source_index, &mut filler);
        let matching = check::matching(&mut c, &raw);
        let synonyms = check::synonyms(&mut c, &raw);
        let off_topic = check::off_topic(&mut c, &raw);
        let triage = check::triage(&mut c, &raw);
        let red_flags = check::red_flags(&mut c, &raw);
        let meta = Meta {
            used_details: filler.used,
            ..meta
        };
        if c.errors.is_empty() {
            Ok(Faq {
                meta,
                sources,
                entries,
                matching,
                synonyms,
                off_topic,
                triage,
                red_flags,
            })
        } else {
            c.errors.sort_by_key(FaqError::line);
            Err(FaqErrors(c.errors))
        }
    }

    /// The categories, in order: those `[meta]` declares, else those the
    /// entries use, in order of first use.
    pub fn categories(&self) -> Vec<&str> {
        if !self.meta.categories.is_empty() {
            return self.meta.categories.iter().map(String::as_str).collect();
        }
        let mut out: Vec<&str> = Vec::new();
        for e in &self.entries {
            if !out.contains(&e.category.as_str()) {
                out.push(&e.category);
            }
        }
        out
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[meta]
version = 1
disclaimer = "Not medical advice."
urgent_message = "Contact the clinic now."
categories = ["basics", "sessions"]
[[source]]
id = "src-a"
title = "A source"
publisher = "A journal"
doi = "10.1000/xyz"

[[entry]]
id = "first-entry"
category = "basics"
question = "What is it?"
alternates = ["what is this"]
answer = "It is a thing."
sources = ["src-a"]
related = ["second-entry"]

[[entry]]
id = "second-entry"
category = "sessions"
question = "How many?"
answer = "Several."
sources = ["src-a"]
"#;

    fn errors(text: &str) -> Vec<FaqError> {
        Faq::parse(text).expect_err("file should be rejected").0
    }

    /// A red flag's `@` term must be one triage knows: a typo ("@scor")
    /// would otherwise be read as a plain word and never fire.
    #[test]
    fn unknown_special_term_is_refused() {
        let text = format!(
            "{GOOD}\n[[red_flag]]\nid = \"pain\"\nlabel = \"Severe pain\"\nterms = [\"pain\"]\nwith = [\"@scor\"]\n"
        );
        let errs = errors(&text);
        assert!(
            errs.iter().any(|e| matches!(
                e,
                FaqError::UnknownSpecialTerm { phrase, .. } if phrase == "@scor"
            )),
            "{errs:?}"
        );
        Faq::parse(&text.replace("@scor", "@score")).expect("a known special term is accepted");
    }

    /// The reference file parses, links resolve, indices point right.
    #[test]
    fn good_file_parses() {
        let faq = Faq::parse(GOOD).expect("valid");
        assert_eq!(faq.entries.len(), 2);
        assert_eq!(faq.sources[0].link, "https://doi.org/10.1000/xyz");
        assert_eq!(faq.entries[0].related, vec![1]);
        assert_eq!(faq.entries[0].line, 14);
        assert_eq!(faq.matching, MatchSettings::default());
    }

    /// Each kind of mistake is reported with the entry (or source) and the line it is on.
    #[test]
    fn broken_files_name_entry_and_line() {
        // (what to replace in GOOD, with what, the expected line, the item named, a word of the message)
        let rows: &[(&str, &str, usize, &str, &str)] = &[
            (
                "id = \"second-entry\"",
                "id = \"first-entry\"",
                23,
                "entry \"first-entry\"",
                "duplicate id",
            ),
            (
                "sources = [\"src-a\"]\nrelated",
                "sources = [\"src-b\"]\nrelated",
                19,
                "entry \"first-entry\"",
                "unknown source \"src-b\"",
            ),
            (
                "related = [\"second-entry\"]",
                "related = [\"nope\"]",
                20,
                "entry \"first-entry\"",
                "unknown related",
            ),
            (
                "category = \"sessions\"",
                "category = \"session\"",
                24,
                "entry \"second-entry\"",
                "unknown category",
            ),
            (
                "answer = \"Several.\"",
                "answer = \"  \"",
                26,
                "entry \"second-entry\"",
                "`answer` is empty",
            ),
            (
                "id = \"second-entry\"",
                "id = \"Second_Entry\"",
                23,
                "entry \"Second_Entry\"",
                "kebab-case",
            ),
            (
                "doi = \"10.1000/xyz\"",
                "doi = \"xyz\"",
                11,
                "source \"src-a\"",
                "bad doi",
            ),
            (
                "doi = \"10.1000/xyz\"",
                "url = \"https://a.b\"\ndoi = \"10.1/x\"",
                8,
                "source \"src-a\"",
                "exactly one",
            ),
            (
                "answer = \"Several.\"\nsources = [\"src-a\"]",
                "answer = \"Several.\"\nsources = []",
                23,
                "entry \"second-entry\"",
                "cites no source",
            ),
            (
                "answer = \"Several.\"",
                "answer = \"Several.\"\nalternatives = [\"typo\"]",
                27,
                "entry \"second-entry\"",
                "unknown field",
            ),
            (
                "question = \"How many?\"",
                "question = How many?",
                25,
                "entry \"second-entry\"",
                "string",
            ),
            (
                "answer = \"Several.\"\nsources = [\"src-a\"]\n",
                "sources = [\"src-a\"]\n",
                22,
                "entry \"second-entry\"",
                "missing field `answer`",
            ),
            // The words evaluation cases use for outcomes are no entry's id.
            (
                "id = \"second-entry\"",
                "id = \"none\"",
                23,
                "entry \"none\"",
                "reserved",
            ),
            (
                "id = \"second-entry\"",
                "id = \"urgent\"",
                23,
                "entry \"urgent\"",
                "reserved",
            ),
        ];
        for (from, to, line, item, message) in rows {
            assert!(GOOD.contains(from), "fixture lacks {from:?}");
            let text = GOOD.replacen(from, to, 1);
            let errs = errors(&text);
            let found = errs.iter().find(|e| e.to_string().contains(message));
            let Some(e) = found else {
                panic!("no error containing {message:?} in {errs:?}")
            };
            assert_eq!(e.location().item.as_deref(), Some(*item), "{e}");
            assert_eq!(e.line(), *line, "{e}");
        }
    }

    /// An answer over Discord's embed description limit is refused.
    #[test]
    fn overlong_answer_is_refused() {
        let long = "x".repeat(MAX_DESCRIPTION_CHARS + 1);
        let errs = errors(&GOOD.replacen("Several.", &long, 1));
        assert!(
            matches!(
                errs[0],
                FaqError::TooLong {
                    field: "answer",
                    max: MAX_DESCRIPTION_CHARS,
                    ..
                }
            ),
            "{errs:?}"
        );
    }

    /// Every error is reported at once, in line order.
    #[test]
    fn all_errors_at_once() {
        let text =
            GOOD.replacen("[\"src-a\"]", "[\"x\"]", 1)
                .replacen("\"sessions\"", "\"nope\"", 1);
        let errs = errors(&text);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].line() < errs[1].line());
    }
}
