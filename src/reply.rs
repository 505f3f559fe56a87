//! What the bot says: the [`Reply`] to one question, and its plain-text
//! rendering (the console and `faqbot ask`). [`crate::layout`] lays the
//! same `Reply` out for Discord.

use std::fmt::Write;

use serde::Serialize;

use crate::faq::{Entry, Faq, RedFlag, Source};
use crate::outcome::Outcome;
use crate::triage::Caution;

/// How many closest topics a no-match reply offers.
pub const SUGGESTIONS: usize = 3;

/// Why the bot did not answer.
#[derive(Debug, Clone, PartialEq)]
pub enum NoMatchReason {
    /// Nothing in the question shares a word with the FAQ.
    NothingInCommon,
    /// The best score is under the confidence threshold.
    LowScore,
    /// Two entries fit about equally well.
    Ambiguous,
    /// The question is about a treatment we do not cover.
    OffTopic(String),
    /// General skincare or health talk: nothing ties it to a treatment.
    OutOfScope,
}

/// The answer to one question.
#[derive(Debug, Clone)]
pub enum Reply<'f> {
    /// A confident match: the entry's answer, with its sources and the disclaimer.
    Answer {
        entry: &'f Entry,
        score: f64,
        margin: f64,
        /// The caution tier: the answer comes with when to get help now.
        caution: Option<Caution>,
    },
    /// No guess: the closest topics and how to reach staff.
    NoMatch {
        suggestions: Vec<&'f Entry>,
        score: f64,
        reason: NoMatchReason,
        /// Warning signs shown with the no-match reply too.
        caution: Option<Caution>,
    },
    /// Reads like a complication: the urgent-care message, never an answer.
    Urgent {
        flag: &'f RedFlag,
        matched: Vec<String>,
    },
}

/// `faqbot ask --json`'s object (faq-spec §3).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReplyJson {
    pub kind: &'static str,
    pub entry: Option<String>,
    pub score: f64,
    pub suggestions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_flag: Option<String>,
    /// The caution tier (faq-spec §3): kind stays "answer".
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub caution: bool,
}

impl Reply<'_> {
    /// What the reply came to.
    pub fn outcome(&self) -> Outcome {
        match self {
            Reply::Answer { .. } => Outcome::Answer,
            Reply::NoMatch { .. } => Outcome::NoMatch,
            Reply::Urgent { .. } => Outcome::Urgent,
        }
    }

    /// The answered entry's id, if any.
    pub fn entry_id(&self) -> Option<&str> {
        match self {
            Reply::Answer { entry, .. } => Some(&entry.id),
            _ => None,
        }
    }

    /// The outcome in evaluation terms (faq-spec §4): the answered
    /// entry's id, or the outcome's [`Outcome::case_word`].
    pub fn verdict(&self) -> &str {
        // An answer always has its entry, so the default is never used.
        self.entry_id()
            .or(self.outcome().case_word())
            .unwrap_or_default()
    }

    pub fn score(&self) -> f64 {
        match self {
            Reply::Answer { score, .. } | Reply::NoMatch { score, .. } => *score,
            Reply::Urgent { .. } => 1.0,
        }
    }

    pub fn to_json(&self) -> ReplyJson {
        ReplyJson {
            kind: self.outcome().as_str(),
            entry: self.entry_id().map(str::to_owned),
            score: (self.score() * 1000.0).round() / 1000.0,
            suggestions: match self {
                Reply::NoMatch { suggestions, .. } => {
                    suggestions.iter().map(|e| e.id.clone()).collect()
                }
                _ => Vec::new(),
            },
            red_flag: match self {
                Reply::Urgent { flag, .. } => Some(flag.id.clone()),
                _ => None,
            },
            caution: self.caution().is_some(),
        }
    }

    /// The caution tier's reason, if the reply carries the warning signs.
    pub fn caution(&self) -> Option<&Caution> {
        match self {
            Reply::Answer { caution, .. } | Reply::NoMatch { caution, .. } => caution.as_ref(),
            Reply::Urgent { .. } => None,
        }
    }
}

/// One source as a reader sees it: "Title. Publisher, 2021."
pub fn source_citation(source: &Source) -> String {
    // A title that ends in its own punctuation ("What Is a Peel?") gets no extra full stop.
    let stop = if source.title.ends_with(['.', '?', '!']) {
        ""
    } else {
        "."
    };
    match source.year {
        Some(year) => format!("{}{stop} {}, {}.", source.title, source.publisher, year),
        None => format!("{}{stop} {}.", source.title, source.publisher),
    }
}

/// Opening line of a no-match reply.
pub const NO_MATCH_TEXT: &str =
    "I couldn't find that in our FAQ, and I'd rather not guess on a health question.";

/// Renders a reply as plain text, the way `faqbot ask` and `faqbot chat` show it.
pub fn render_text(faq: &Faq, reply: &Reply<'_>) -> String {
    let mut out = String::new();
    match reply {
        Reply::Answer { entry, .. } => {
            let _ = writeln!(out, "{}\n", entry.question);
            let _ = writeln!(out, "{}\n", entry.answer);
            let _ = writeln!(out, "Sources:");
            for &s in &entry.sources {
                let source = &faq.sources[s];
                let _ = writeln!(out, "  - {} {}", source_citation(source), source.link);
            }
            if !entry.related.is_empty() {
                let _ = writeln!(out, "\nRelated:");
                for &r in &entry.related {
                    let _ = writeln!(out, "  - {}", faq.entries[r].question);
                }
            }
            if reply.caution().is_some() {
                let _ = writeln!(out, "\n{}", caution_text(faq));
            }
            let _ = write!(out, "\n{}", faq.meta.disclaimer);
        }
        Reply::NoMatch { suggestions, .. } => {
            let _ = writeln!(out, "{NO_MATCH_TEXT}");
            if !suggestions.is_empty() {
                let _ = writeln!(out, "\nClosest topics:");
                for e in suggestions {
                    let _ = writeln!(out, "  - {}", e.question);
                }
            }
            if reply.caution().is_some() {
                let _ = writeln!(out, "\n{}", caution_text(faq));
            }
            let _ = write!(out, "\n{}", faq.meta.staff_contact);
        }
        Reply::Urgent { .. } => out.push_str(&faq.meta.urgent_message),
    }
    out
}

/// The caution tier's block: the FAQ's own text, or, when it has none,
/// the red flags' labels as a list.
pub fn caution_text(faq: &Faq) -> String {
    if !faq.meta.caution_message.is_empty() {
        return faq.meta.caution_message.clone();
    }
    let mut out = String::from("Get help now if you notice:");
    for r in &faq.red_flags {
        let _ = write!(out, "\n- {}", r.label);
    }
    let _ = write!(out, "\n{}", faq.meta.staff_contact);
    out
}
