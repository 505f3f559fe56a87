//! The engine's decision told in words, for staff: `--explain`, `chat ?`
//! and `/faqadmin test` show both signals for each candidate and why the
//! reply is what it is.

use super::*;

impl Engine {
    /// A readable account of the decision, for `--explain` and `/faqadmin test`.
    pub fn explain_text(&self, question: &str) -> String {
        use std::fmt::Write;
        let e = self.explain(question);
        let reply = self.decide(&e, Strictness::Asked);
        let mut out = String::new();
        let _ = writeln!(out, "normalised: {:?}", e.normalised);
        let flag_name = |i: usize| {
            let rf = &self.faq.red_flags[i];
            format!("\"{}\" ({})", rf.id, rf.label)
        };
        match &e.triage {
            Verdict::Urgent(f) => {
                let _ = writeln!(
                    out,
                    "triage: URGENT, red flag {} on: {}",
                    flag_name(f.red_flag),
                    f.matched.join(" + ")
                );
            }
            Verdict::Caution(c) => {
                let _ = writeln!(
                    out,
                    "triage: CAUTION ({}){}{}",
                    c.context.describe(),
                    c.red_flag
                        .map(|i| format!(", red flag {}", flag_name(i)))
                        .unwrap_or_default(),
                    if c.matched.is_empty() {
                        String::new()
                    } else {
                        format!(" on: {}", c.matched.join(" + "))
                    }
                );
            }
            Verdict::Normal => {
                let _ = writeln!(out, "triage: no red flag");
            }
        }
        if let Some(t) = &e.ranking.off_topic {
            let _ = writeln!(
                out,
                "off topic: mentions \"{t}\" and none of the FAQ's own subject words"
            );
        }
        if e.ranking.out_of_scope {
            let _ = writeln!(
                out,
                "out of scope: unknown words and nothing ties the question to the FAQ's subject"
            );
        }
        if !e.ranking.unknown.is_empty() {
            let _ = writeln!(out, "unknown words: {}", e.ranking.unknown.join(", "));
        }
        if let Some(pull) = e.unknown_pull {
            let verdict = if pull < UNKNOWN_WORDS_MIN_PULL {
                "another subject"
            } else {
                "the entry's subject"
            };
            let _ = writeln!(
                out,
                "nothing ties the question to the FAQ's subject; its unknown words bring it \
                 {pull:+.2} closer to the best entry (at least {UNKNOWN_WORDS_MIN_PULL:.2} needed): {verdict}"
            );
        }
        if let Some((name, cal, _)) = self.semantic_info() {
            let _ = writeln!(
                out,
                "encoder: {name}; this FAQ's calibration: off-topic {:.2}, in-domain {:.2}",
                cal.off_topic, cal.in_domain
            );
        }
        let lexical = match self.lexical_decision(&e, Strictness::Asked) {
            Decision::Answer { entry, .. } => self.faq.entries[entry].id.clone(),
            Decision::NoMatch { reason, .. } => format!("no answer ({reason:?})"),
        };
        let _ = writeln!(out, "lexical alone: {lexical}");
        let _ = writeln!(out, "candidates (lexical score, encoder cosine):");
        for c in e.fused.iter().take(EXPLAIN_CANDIDATES) {
            let entry = &self.faq.entries[c.entry];
            let cosine = c
                .semantic
                .map_or_else(|| "-".to_owned(), |s| format!("{s:.3}"));
            let matched = e
                .ranking
                .candidates
                .iter()
                .find(|r| r.entry == c.entry)
                .map(|r| r.matched.join(", "))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<26} lexical {:.3}  cosine {cosine}  matched: {matched}",
                entry.id, c.lexical
            );
        }
        let _ = write!(
            out,
            "decision: {}{} (score {:.3})",
            reply.verdict(),
            if reply.caution().is_some() {
                ", with the warning signs"
            } else {
                ""
            },
            reply.score()
        );
        if let Reply::NoMatch { reason, .. } = &reply {
            let _ = write!(out, ", {reason:?}");
        }
        out
    }
}
