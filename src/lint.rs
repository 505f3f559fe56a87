//! `faqbot check`: what validation does not catch but staff should fix.
//! Validation ([`crate::faq::Faq::parse`]) refuses a broken file; lint
//! reads a valid one the way members will meet it.

use std::fmt;

use crate::engine::Engine;
use crate::faq::{MAX_FIELD_CHARS, MAX_TITLE_CHARS};

use crate::reply::sources_fields;

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
        // Self-consistency: every phrasing must be answered by its own entry.
        let own = std::iter::once((&entry.question, entry.line))
            .chain(
                entry
                    .alternates
                    .iter()
                    .zip(entry.alternate_lines.iter().copied()),
            )
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
