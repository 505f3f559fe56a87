//! `faqbot check`: what validation does not catch but staff should fix.
//! Validation ([`crate::faq::Faq::parse`]) refuses a broken file; lint
//! reads a valid one the way members will meet it.

use std::fmt;

use crate::engine::Engine;
use crate::faq::{MAX_FIELD_CHARS, MAX_TITLE_CHARS};

use crate::reply::sources_fields;

/// The entries the shipped FAQ must always have, with their categories
/// (faq-spec §2). Tests and logs refer to these ids.
pub const REQUIRED_ENTRIES: &[(&str, &str)] = &[
    ("what-is-microneedling", "basics"),
    ("how-it-works", "basics"),
    ("dermaroller-vs-pen", "basics"),
    ("needle-depth", "basics"),
    ("procedure-steps", "basics"),
    ("does-it-hurt", "basics"),
    ("prp-microneedling", "basics"),
    ("rf-microneedling", "basics"),
    ("session-count", "sessions"),
    ("session-spacing", "sessions"),
    ("maintenance", "sessions"),
    ("results-timeline", "results"),
    ("results-expectations", "results"),
    ("side-effects", "side-effects"),
    ("downtime", "side-effects"),
    ("rare-complications", "side-effects"),
    ("is-it-safe", "safety"),
    ("skin-types", "safety"),
    ("contraindications", "safety"),
    ("pregnancy", "safety"),
    ("active-acne", "safety"),
    ("at-home-microneedling", "safety"),
    ("cold-sores", "safety"),
    ("isotretinoin", "safety"),
    ("aftercare", "aftercare"),
    ("sun-protection", "aftercare"),
    ("makeup-after", "aftercare"),
    ("skincare-products-after", "aftercare"),
    ("exercise-after", "aftercare"),
    ("preparation", "aftercare"),
    ("acne-scars", "conditions"),
    ("wrinkles-fine-lines", "conditions"),
    ("skin-tightening", "conditions"),
    ("stretch-marks", "conditions"),
    ("hyperpigmentation-melasma", "conditions"),
    ("enlarged-pores", "conditions"),
    ("hair-loss", "conditions"),
    ("product-absorption", "conditions"),
    ("vs-laser", "comparisons"),
    ("vs-chemical-peel", "comparisons"),
    ("cost", "clinic"),
    ("who-performs", "clinic"),
    ("booking", "clinic"),
];

/// Discord's limit on all the text of one embed together.
pub const MAX_EMBED_TOTAL_CHARS: usize = 6000;
/// Sources fields an answer embed may use (Discord allows 25 fields; the
/// rest of the embed needs none, but an answer citing this many sources is
/// unreadable anyway).
pub const MAX_SOURCE_FIELDS: usize = 4;
/// Fewer alternates than this leaves the matcher guessing at how members ask.
pub const MIN_ALTERNATES: usize = 8;
/// Longer answers are hard to read on a phone (they still fit Discord).
pub const LONG_ANSWER_CHARS: usize = 1500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
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
        };
        write!(
            f,
            "{level}: line {}, {}: {}",
            self.line, self.item, self.message
        )
    }
}

/// Lints a valid FAQ. `require_spec_entries` checks the fixed entry ids
/// (on for the shipped file; a test FAQ may not have them).
pub fn lint(engine: &Engine, require_spec_entries: bool) -> Vec<Finding> {
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

    if require_spec_entries {
        for (id, category) in REQUIRED_ENTRIES {
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

    let mut cited = vec![false; faq.sources.len()];
    for entry in &faq.entries {
        let item = format!("entry \"{}\"", entry.id);
        for &s in &entry.sources {
            cited[s] = true;
        }
        let fields = sources_fields(faq, entry);
        if fields.len() > MAX_SOURCE_FIELDS {
            push(
                Severity::Error,
                entry.line,
                item.clone(),
                format!(
                    "cites too many sources to show: {} fields of {MAX_FIELD_CHARS} characters",
                    fields.len()
                ),
            );
        }
        let sources_len: usize = fields
            .iter()
            .map(|f| f.chars().count() + "Sources (cont.)".len())
            .sum();
        let total = entry.question.chars().count().min(MAX_TITLE_CHARS)
            + entry.answer.chars().count()
            + sources_len
            + faq.meta.disclaimer.chars().count();
        if total > MAX_EMBED_TOTAL_CHARS {
            push(Severity::Error, entry.line, item.clone(), format!("the answer embed is {total} characters; Discord allows {MAX_EMBED_TOTAL_CHARS}"));
        }
        if entry.answer.chars().count() > LONG_ANSWER_CHARS {
            push(
                Severity::Warning,
                entry.line,
                item.clone(),
                format!("answer is over {LONG_ANSWER_CHARS} characters: hard to read on a phone"),
            );
        }
        if entry.alternates.len() < MIN_ALTERNATES {
            push(Severity::Warning, entry.line, item.clone(), format!("only {} alternates; members ask in more ways than that (aim for {MIN_ALTERNATES}+)", entry.alternates.len()));
        }
        for (alternate, &line) in entry.alternates.iter().zip(&entry.alternate_lines) {
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
            if let Some(best) = e.ranking.best() {
                if best.entry < faq.entries.len() && faq.entries[best.entry].id != entry.id {
                    let own = e
                        .ranking
                        .candidates
                        .iter()
                        .find(|c| faq.entries[c.entry].id == entry.id)
                        .map_or(0.0, |c| c.score);
                    push(
                        Severity::Warning,
                        line,
                        item.clone(),
                        format!(
                            "alternate \"{alternate}\" matches \"{}\" ({:.2}) better than its own entry ({own:.2})",
                            faq.entries[best.entry].id, best.score
                        ),
                    );
                }
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
