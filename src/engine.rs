//! The pipeline: normalise → triage → match → [`Reply`]. One [`Engine`] per
//! FAQ load; it is immutable, so the bot shares it between tasks and swaps
//! in a new one on reload.

use crate::faq::{Faq, FaqErrors};
use crate::matcher::{Index, Ranking, EXPLAIN_CANDIDATES};
use crate::reply::{NoMatchReason, Reply, SUGGESTIONS};
use crate::text;
use crate::triage::{Flag, Triage};

/// How sure the bot must be: a member who asked the bot directly gets an
/// answer at the normal threshold; a message in an opened channel, which
/// may not have been meant for the bot, needs a stricter one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    #[default]
    Asked,
    Overheard,
}

/// Everything the engine worked out about one question, for staff.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub normalised: String,
    pub flag: Option<Flag>,
    pub ranking: Ranking,
}

#[derive(Debug, Clone)]
pub struct Engine {
    faq: Faq,
    index: Index,
    triage: Triage,
}

impl Engine {
    /// Builds the index and triage rules for a checked FAQ.
    pub fn new(faq: Faq) -> Engine {
        let index = Index::new(&faq);
        let triage = Triage::new(&faq, index.analyzer());
        Engine { faq, index, triage }
    }

    /// Parses, validates and indexes an FAQ file's text.
    pub fn from_toml(text: &str) -> Result<Engine, FaqErrors> {
        Faq::parse(text).map(Engine::new)
    }

    pub fn faq(&self) -> &Faq {
        &self.faq
    }

    /// A new engine for this FAQ with `text` added as an alternate of
    /// `entry_id` (for `/faqadmin suggest`); `None` if there is no such
    /// entry. This engine is left as it is.
    pub fn with_alternate(&self, entry_id: &str, text: &str) -> Option<Engine> {
        let mut faq = self.faq.clone();
        let entry = faq.entries.iter_mut().find(|e| e.id == entry_id)?;
        entry.alternates.push(text.to_owned());
        entry.alternate_lines.push(entry.line);
        Some(Engine::new(faq))
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Answers a question asked of the bot directly.
    pub fn answer(&self, question: &str) -> Reply<'_> {
        self.answer_with(question, Strictness::Asked)
    }

    /// Answers a question at the given strictness.
    pub fn answer_with(&self, question: &str, strictness: Strictness) -> Reply<'_> {
        let e = self.explain(question);
        self.decide(&e, strictness)
    }

    /// Runs the pipeline and keeps every intermediate result.
    pub fn explain(&self, question: &str) -> Explanation {
        let normalised = text::normalise(question);
        let q = self.index.question(&normalised);
        let flag = self.triage.check_words(&q.words, &q.canonical);
        let ranking = match flag {
            Some(_) => Ranking {
                candidates: Vec::new(),
                unknown: Vec::new(),
                off_topic: None,
                out_of_scope: false,
                in_context: true,
            },
            None => self.index.rank_question(&q),
        };
        Explanation {
            normalised,
            flag,
            ranking,
        }
    }

    /// Turns an explanation into the reply.
    pub fn decide(&self, e: &Explanation, strictness: Strictness) -> Reply<'_> {
        if let Some(flag) = &e.flag {
            return Reply::Urgent {
                flag: &self.faq.red_flags[flag.red_flag],
                matched: flag.matched.clone(),
            };
        }
        let settings = &self.faq.matching;
        let min_score = match strictness {
            Strictness::Asked => settings.min_score,
            Strictness::Overheard => settings.channel_min_score.max(settings.min_score),
        };
        let suggestions = || {
            e.ranking
                .candidates
                .iter()
                .take(SUGGESTIONS)
                .map(|c| &self.faq.entries[c.entry])
                .collect()
        };
        let Some(best) = e.ranking.best() else {
            return Reply::NoMatch {
                suggestions: Vec::new(),
                score: 0.0,
                reason: NoMatchReason::NothingInCommon,
            };
        };
        let reason = if let Some(term) = &e.ranking.off_topic {
            Some(NoMatchReason::OffTopic(term.clone()))
        } else if e.ranking.out_of_scope
            || (!e.ranking.in_context && self.faq.entries[best.entry].needs_context)
        {
            Some(NoMatchReason::OutOfScope)
        } else if best.score < min_score {
            Some(NoMatchReason::LowScore)
        } else if e.ranking.margin() < settings.min_margin {
            Some(NoMatchReason::Ambiguous)
        } else {
            None
        };
        match reason {
            Some(reason) => Reply::NoMatch {
                suggestions: suggestions(),
                score: best.score,
                reason,
            },
            None => Reply::Answer {
                entry: &self.faq.entries[best.entry],
                score: best.score,
                margin: e.ranking.margin(),
            },
        }
    }

    /// The entries a partial question points at, best first (autocomplete).
    pub fn suggest(&self, partial: &str, limit: usize) -> Vec<&crate::faq::Entry> {
        self.index
            .rank(&text::normalise(partial))
            .candidates
            .iter()
            .take(limit)
            .map(|c| &self.faq.entries[c.entry])
            .collect()
    }

    /// A readable account of the decision, for `--explain` and `/faqadmin test`.
    pub fn explain_text(&self, question: &str) -> String {
        use std::fmt::Write;
        let e = self.explain(question);
        let reply = self.decide(&e, Strictness::Asked);
        let mut out = String::new();
        let _ = writeln!(out, "normalised: {:?}", e.normalised);
        match &e.flag {
            Some(f) => {
                let rf = &self.faq.red_flags[f.red_flag];
                let _ = writeln!(
                    out,
                    "triage: URGENT, red flag \"{}\" ({}) on: {}",
                    rf.id,
                    rf.label,
                    f.matched.join(" + ")
                );
            }
            None => {
                let _ = writeln!(out, "triage: no red flag");
            }
        }
        if let Some(t) = &e.ranking.off_topic {
            let _ = writeln!(out, "off topic: mentions \"{t}\" and no microneedling word");
        }
        if e.ranking.out_of_scope {
            let _ = writeln!(
                out,
                "out of scope: unknown words and nothing ties the question to a treatment"
            );
        }
        if !e.ranking.unknown.is_empty() {
            let _ = writeln!(out, "unknown words: {}", e.ranking.unknown.join(", "));
        }
        for c in e.ranking.candidates.iter().take(EXPLAIN_CANDIDATES) {
            let entry = &self.faq.entries[c.entry];
            let _ = writeln!(
                out,
                "  {:.3}  {:<26} question {:.2} × phrasing {:.2}  matched: {}",
                c.score,
                entry.id,
                c.question_coverage,
                c.phrasing_coverage,
                c.matched.join(", ")
            );
        }
        let s = &self.faq.matching;
        let _ = write!(
            out,
            "decision: {} (threshold {:.2}, margin {:.3} vs required {:.2})",
            reply.verdict(),
            s.min_score,
            e.ranking.margin(),
            s.min_margin
        );
        if let Reply::NoMatch { reason, .. } = &reply {
            let _ = write!(out, ", {reason:?}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Engine {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml"))
            .expect("faq.toml");
        Engine::from_toml(&text).expect("faq.toml is valid")
    }

    /// The new engine answers the question with the chosen entry; the
    /// original one is unchanged; an unknown entry gives none.
    #[test]
    fn with_alternate_adds_a_phrasing() {
        let engine = shipped();
        let question = "qwzx blorf vindaloo snark";
        assert_eq!(engine.answer(question).verdict(), "none");
        let alternates = engine
            .faq()
            .entry("session-count")
            .unwrap()
            .alternates
            .len();

        let after = engine
            .with_alternate("session-count", question)
            .expect("the entry exists");
        assert_eq!(after.answer(question).verdict(), "session-count");
        assert_eq!(
            after.faq().entry("session-count").unwrap().alternates.len(),
            alternates + 1
        );

        assert_eq!(engine.answer(question).verdict(), "none");
        assert_eq!(
            engine
                .faq()
                .entry("session-count")
                .unwrap()
                .alternates
                .len(),
            alternates
        );
        assert!(engine.with_alternate("no-such-entry", question).is_none());
    }
}
