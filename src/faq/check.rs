//! Validation of a parsed `faq.toml`, one checker per section. Each
//! takes the raw section, records every problem it finds (with its line and
//! the entry or source it is in) and returns the checked value, so one run
//! reports every error in the file at once.
//!
//! Slightly over 600 lines: the checkers share one `Checker` and its error
//! list, and rustfmt gives each ranged number eight lines; splitting the
//! file would only spread one concern over two.

use std::collections::HashMap;

use toml::Spanned;

use super::error::LineMap;
use super::raw::{self, RawFaq};
use super::*;

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(super) struct Checker<'a> {
    pub(super) lines: LineMap<'a>,
    pub(super) errors: Vec<FaqError>,
}

impl Checker<'_> {
    fn at<T>(&self, item: &str, value: &Spanned<T>) -> Location {
        Location {
            line: self.lines.line(value.span().start),
            item: Some(item.to_owned()),
        }
    }

    fn non_empty(&mut self, at: Location, field: &'static str, value: &str) {
        if value.trim().is_empty() {
            self.errors.push(FaqError::Empty { at, field });
        }
    }

    fn max_len(&mut self, at: Location, field: &'static str, value: &str, max: usize) {
        let len = value.chars().count();
        if len > max {
            self.errors.push(FaqError::TooLong {
                at,
                field,
                len,
                max,
            });
        }
    }

    fn range(
        &mut self,
        at: Location,
        field: &'static str,
        value: Option<f64>,
        min: f64,
        max: f64,
        default: f64,
    ) -> f64 {
        match value {
            Some(v) if !(min..=max).contains(&v) => {
                self.errors.push(FaqError::OutOfRange {
                    at,
                    field,
                    value: v,
                    min,
                    max,
                });
                default
            }
            Some(v) => v,
            None => default,
        }
    }

    fn phrases(&mut self, at: &Location, phrases: &[String]) {
        for p in phrases {
            if p.starts_with('@') && !crate::triage::SPECIAL_TERMS.contains(&p.trim()) {
                self.errors.push(FaqError::UnknownSpecialTerm {
                    at: at.clone(),
                    phrase: p.clone(),
                    known: crate::triage::SPECIAL_TERMS.join(", "),
                });
            } else if !p.starts_with('@') && crate::text::normalise(p).is_empty() {
                self.errors.push(FaqError::EmptyPhrase {
                    at: at.clone(),
                    phrase: p.clone(),
                });
            }
        }
    }

    /// Registers ids in order, reporting duplicates and bad ids; returns id → index.
    fn ids<'s>(
        &mut self,
        kind: &str,
        ids: impl Iterator<Item = &'s Spanned<String>>,
    ) -> HashMap<String, usize> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut first_line: HashMap<String, usize> = HashMap::new();
        for (i, id) in ids.enumerate() {
            let at = self.at(&format!("{kind} \"{}\"", id.get_ref()), id);
            if !is_kebab(id.get_ref()) {
                self.errors.push(FaqError::BadId {
                    at: at.clone(),
                    id: id.get_ref().clone(),
                });
            }
            if let Some(&first) = first_line.get(id.get_ref()) {
                self.errors.push(FaqError::DuplicateId {
                    at,
                    id: id.get_ref().clone(),
                    first_line: first,
                });
            } else {
                first_line.insert(id.get_ref().clone(), at.line);
                seen.insert(id.get_ref().clone(), i);
            }
        }
        seen
    }
}

fn source_link(c: &mut Checker<'_>, item: &str, s: &raw::RawSource) -> String {
    let at = |v: &Spanned<String>| Location {
        line: c.lines.line(v.span().start),
        item: Some(item.to_owned()),
    };
    match (&s.url, &s.doi, &s.pmc) {
        (Some(url), None, None) => {
            let u = url.get_ref().trim();
            if !(u.starts_with("https://") || u.starts_with("http://"))
                || u.contains(char::is_whitespace)
            {
                let at = at(url);
                c.errors.push(FaqError::BadLink {
                    at,
                    field: "url",
                    value: u.to_owned(),
                });
            }
            u.to_owned()
        }
        (None, Some(doi), None) => {
            let d = doi.get_ref().trim().trim_start_matches("https://doi.org/");
            if !d.starts_with("10.") || !d.contains('/') || d.contains(char::is_whitespace) {
                let at = at(doi);
                c.errors.push(FaqError::BadLink {
                    at,
                    field: "doi",
                    value: d.to_owned(),
                });
            }
            format!("https://doi.org/{d}")
        }
        (None, None, Some(pmc)) => {
            let p = pmc.get_ref().trim();
            let digits = p.strip_prefix("PMC").unwrap_or("");
            if digits.is_empty() || !digits.chars().all(|ch| ch.is_ascii_digit()) {
                let at = at(pmc);
                c.errors.push(FaqError::BadLink {
                    at,
                    field: "pmc",
                    value: p.to_owned(),
                });
            }
            format!("https://pmc.ncbi.nlm.nih.gov/articles/{p}/")
        }
        _ => {
            let at = Location {
                line: c.lines.line(s.id.span().start),
                item: Some(item.to_owned()),
            };
            c.errors.push(FaqError::SourceLink { at });
            String::new()
        }
    }
}

/// Fills the clinic's details into texts, and remembers which details
/// some text names (for `faqbot check`: a named detail left empty).
pub(super) struct Filler {
    details: Vec<(&'static str, String)>,
    pub(super) used: Vec<&'static str>,
}

impl Filler {
    fn fill(
        &mut self,
        c: &mut Checker<'_>,
        field: &'static str,
        line: usize,
        item: &str,
        text: &str,
    ) -> String {
        for &name in PLACEHOLDERS {
            if text.contains(&format!("{{{name}}}")) && !self.used.contains(&name) {
                self.used.push(name);
            }
        }
        match fill(text, &self.details) {
            Ok(t) => t,
            Err(name) => {
                c.errors.push(FaqError::Invalid {
                    at: Location {
                        line,
                        item: Some(item.to_owned()),
                    },
                    field,
                    value: format!("{{{name}}} (placeholders: {})", PLACEHOLDERS.join(", ")),
                });
                text.to_owned()
            }
        }
    }
}

/// `[meta]`: the texts every reply uses, with the clinic's details filled in.
pub(super) fn meta(c: &mut Checker<'_>, m: &raw::RawMeta) -> (Meta, Filler) {
    let meta_at = |c: &Checker<'_>, v: &Spanned<String>| c.at("[meta]", v);
    let at = meta_at(c, &m.disclaimer);
    c.non_empty(at.clone(), "disclaimer", m.disclaimer.get_ref());
    c.max_len(at, "disclaimer", m.disclaimer.get_ref(), MAX_FOOTER_CHARS);
    let at = meta_at(c, &m.urgent_message);
    c.non_empty(at.clone(), "urgent_message", m.urgent_message.get_ref());
    c.max_len(
        at,
        "urgent_message",
        m.urgent_message.get_ref(),
        MAX_CONTENT_CHARS,
    );
    let staff_contact = match &m.staff_contact {
        Some(s) => {
            let at = meta_at(c, s);
            c.non_empty(at.clone(), "staff_contact", s.get_ref());
            c.max_len(at, "staff_contact", s.get_ref(), MAX_FIELD_CHARS);
            s.get_ref().trim().to_owned()
        }
        None => "Ask a member of staff.".to_owned(),
    };
    let clinic_name = m
        .clinic_name
        .clone()
        .unwrap_or_else(|| "the clinic".to_owned());
    let details: Vec<(&'static str, String)> = PLACEHOLDERS
        .iter()
        .map(|&name| {
            let value = match name {
                "clinic_name" => Some(clinic_name.clone()),
                "phone" => m.phone.clone(),
                "out_of_hours" => m.out_of_hours.clone(),
                "emergency_number" => m.emergency_number.clone(),
                "booking_url" => m.booking_url.clone(),
                _ => m.prices_url.clone(),
            };
            (name, value.unwrap_or_default().trim().to_owned())
        })
        .collect();
    let meta_line = c.lines.line(m.urgent_message.span().start);
    let mut filler = Filler {
        details: details.clone(),
        used: Vec::new(),
    };
    let caution_message = match &m.caution_message {
        Some(s) => {
            let at = meta_at(c, s);
            c.non_empty(at.clone(), "caution_message", s.get_ref());
            c.max_len(at, "caution_message", s.get_ref(), MAX_FIELD_CHARS);
            s.get_ref().trim().to_owned()
        }
        None => String::new(),
    };
    let meta = Meta {
        version: m.version,
        disclaimer: filler.fill(
            c,
            "disclaimer",
            meta_line,
            "[meta]",
            m.disclaimer.get_ref().trim(),
        ),
        urgent_message: filler.fill(
            c,
            "urgent_message",
            meta_line,
            "[meta]",
            m.urgent_message.get_ref().trim(),
        ),
        staff_contact: filler.fill(c, "staff_contact", meta_line, "[meta]", &staff_contact),
        caution_message: filler.fill(c, "caution_message", meta_line, "[meta]", &caution_message),
        clinic_name,
        details: details.clone(),
        categories: m.categories.clone().unwrap_or_default(),
        subject: m
            .subject
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        used_details: Vec::new(),
    };

    (meta, filler)
}

/// `[[source]]`: unique ids and a usable link each; returns id → index too.
pub(super) fn sources(c: &mut Checker<'_>, raw: &RawFaq) -> (Vec<Source>, HashMap<String, usize>) {
    let source_index = c.ids("source", raw.source.iter().map(|s| &s.get_ref().id));
    let mut sources = Vec::with_capacity(raw.source.len());
    for s in &raw.source {
        let s = s.get_ref();
        let item = format!("source \"{}\"", s.id.get_ref());
        let at = c.at(&item, &s.title);
        c.non_empty(at.clone(), "title", s.title.get_ref());
        c.max_len(at, "title", s.title.get_ref(), MAX_TITLE_CHARS);
        let link = source_link(c, &item, s);
        sources.push(Source {
            id: s.id.get_ref().clone(),
            title: s.title.get_ref().trim().to_owned(),
            publisher: s.publisher.trim().to_owned(),
            year: s.year,
            link,
            note: s.note.clone(),
            line: c.lines.line(s.id.span().start),
        });
    }

    (sources, source_index)
}

/// `[[entry]]`: ids, category, texts that fit, sources and related entries that exist.
pub(super) fn entries(
    c: &mut Checker<'_>,
    raw: &RawFaq,
    categories: &[String],
    source_index: &HashMap<String, usize>,
    filler: &mut Filler,
) -> Vec<Entry> {
    let entry_index = c.ids("entry", raw.entry.iter().map(|e| &e.get_ref().id));
    let mut entries = Vec::with_capacity(raw.entry.len());
    for e in &raw.entry {
        let e = e.get_ref();
        let item = format!("entry \"{}\"", e.id.get_ref());
        let line = c.lines.line(e.id.span().start);
        let cat = e.category.get_ref();
        let known = if categories.is_empty() {
            is_kebab(cat)
        } else {
            categories.contains(cat)
        };
        if !known {
            let at = c.at(&item, &e.category);
            c.errors.push(FaqError::BadCategory {
                at,
                category: cat.clone(),
                allowed: if categories.is_empty() {
                    "any kebab-case name".to_owned()
                } else {
                    categories.join(", ")
                },
            });
        }
        if RESERVED_IDS.contains(&e.id.get_ref().as_str()) {
            c.errors.push(FaqError::Invalid {
                at: c.at(&item, &e.id),
                field: "id",
                value: format!("{} (reserved: {})", e.id.get_ref(), RESERVED_IDS.join(", ")),
            });
        }
        let at = c.at(&item, &e.question);
        c.non_empty(at.clone(), "question", e.question.get_ref());
        c.max_len(at, "question", e.question.get_ref(), MAX_TITLE_CHARS);
        let at = c.at(&item, &e.answer);
        c.non_empty(at.clone(), "answer", e.answer.get_ref());
        c.max_len(at, "answer", e.answer.get_ref(), MAX_DESCRIPTION_CHARS);
        for a in &e.alternates {
            let at = c.at(&item, a);
            c.non_empty(at, "alternates", a.get_ref());
        }
        if e.sources.get_ref().is_empty() {
            let at = Location {
                line,
                item: Some(item.clone()),
            };
            c.errors.push(FaqError::NoSources { at });
        }
        let mut cited = Vec::new();
        for s in e.sources.get_ref() {
            match source_index.get(s.get_ref()) {
                Some(&i) => cited.push(i),
                None => {
                    let at = c.at(&item, s);
                    c.errors.push(FaqError::UnknownSource {
                        at,
                        source_id: s.get_ref().clone(),
                    });
                }
            }
        }
        let mut related = Vec::new();
        for r in &e.related {
            match entry_index.get(r.get_ref()) {
                Some(&i) => related.push(i),
                None => {
                    let at = c.at(&item, r);
                    c.errors.push(FaqError::UnknownRelated {
                        at,
                        related: r.get_ref().clone(),
                    });
                }
            }
        }
        entries.push(Entry {
            id: e.id.get_ref().clone(),
            category: cat.clone(),
            question: e.question.get_ref().trim().to_owned(),
            alternates: e
                .alternates
                .iter()
                .map(|a| Phrasing {
                    text: a.get_ref().trim().to_owned(),
                    line: c.lines.line(a.span().start),
                })
                .collect(),
            keywords: e.keywords.iter().map(|k| k.trim().to_owned()).collect(),
            answer: {
                let line = c.lines.line(e.answer.span().start);
                filler.fill(c, "answer", line, &item, e.answer.get_ref().trim())
            },
            sources: cited,
            related,
            needs_context: e.needs_context,
            starter: e.starter,
            line,
        });
    }

    entries
}

/// `[matching]`: thresholds in range, defaults for the rest.
pub(super) fn matching(c: &mut Checker<'_>, raw: &RawFaq) -> MatchSettings {
    match &raw.matching {
        Some(m) => {
            let at = c.at("[matching]", m);
            let r = m.get_ref();
            MatchSettings {
                min_score: c.range(
                    at.clone(),
                    "min_score",
                    r.min_score,
                    0.0,
                    1.0,
                    DEFAULT_MIN_SCORE,
                ),
                min_margin: c.range(
                    at.clone(),
                    "min_margin",
                    r.min_margin,
                    0.0,
                    1.0,
                    DEFAULT_MIN_MARGIN,
                ),
                channel_min_score: c.range(
                    at,
                    "channel_min_score",
                    r.channel_min_score,
                    0.0,
                    1.0,
                    DEFAULT_CHANNEL_MIN_SCORE,
                ),
            }
        }
        None => MatchSettings::default(),
    }
}

/// `[synonyms]`: every variant is a phrase that normalises to something.
pub(super) fn synonyms(c: &mut Checker<'_>, raw: &RawFaq) -> Vec<(String, Vec<String>)> {
    let mut synonyms = Vec::with_capacity(raw.synonyms.len());
    for (canonical, variants) in &raw.synonyms {
        let at = c.at(&format!("[synonyms] {canonical}"), variants);
        let mut all = vec![canonical.clone()];
        all.extend(variants.get_ref().iter().cloned());
        c.phrases(&at, &all);
        synonyms.push((canonical.clone(), variants.get_ref().clone()));
    }

    synonyms
}

/// `[off_topic]`: the subjects the FAQ does not cover.
pub(super) fn off_topic(c: &mut Checker<'_>, raw: &RawFaq) -> OffTopic {
    match &raw.off_topic {
        Some(o) => {
            let at = c.at("[off_topic]", o);
            let o = o.get_ref();
            c.phrases(&at, &o.terms);
            c.phrases(&at, &o.anchors);
            c.phrases(&at, &o.context);
            c.phrases(&at, &o.personal);
            OffTopic {
                terms: o.terms.clone(),
                anchors: o.anchors.clone(),
                context: o.context.clone(),
                personal: o.personal.clone(),
            }
        }
        None => OffTopic::default(),
    }
}

/// `[triage]`: cue lists that are real phrases, numbers in range.
pub(super) fn triage(c: &mut Checker<'_>, raw: &RawFaq) -> TriageSettings {
    match &raw.triage {
        Some(t) => {
            let at = c.at("[triage]", t);
            let t = t.get_ref();
            for list in [
                &t.negations,
                &t.resolved,
                &t.general,
                &t.past,
                &t.others,
                &t.other_causes,
                &t.figurative,
                &t.mild,
                &t.current,
                &t.before,
                &t.recent,
                &t.visits,
                &t.continuing,
                &t.modal_questions,
                &t.plain_questions,
                &t.elided_subject,
                &t.personal,
                &t.minimisers,
                &t.expectation,
                &t.follow_up,
            ] {
                c.phrases(&at, list);
            }
            let window = t.negation_window.unwrap_or(DEFAULT_NEGATION_WINDOW);
            let window = c.range(
                at.clone(),
                "negation_window",
                Some(window as f64),
                0.0,
                10.0,
                DEFAULT_NEGATION_WINDOW as f64,
            ) as usize;
            let late = t.late_after_days.unwrap_or(DEFAULT_LATE_AFTER_DAYS);
            let late = c.range(
                at.clone(),
                "late_after_days",
                Some(f64::from(late)),
                1.0,
                60.0,
                f64::from(DEFAULT_LATE_AFTER_DAYS),
            ) as u32;
            let fever = c.range(
                at.clone(),
                "fever_celsius",
                t.fever_celsius,
                36.0,
                42.0,
                DEFAULT_FEVER_CELSIUS,
            );
            let semantic_min = c.range(
                at.clone(),
                "semantic_min",
                t.semantic_min,
                0.0,
                1.0,
                DEFAULT_TRIAGE_SEMANTIC_MIN,
            );
            let agree_min = c.range(
                at.clone(),
                "agree_min",
                t.agree_min,
                0.0,
                1.0,
                DEFAULT_TRIAGE_AGREE_MIN,
            );
            let semantic_margin = c.range(
                at.clone(),
                "semantic_margin",
                t.semantic_margin,
                -1.0,
                1.0,
                DEFAULT_TRIAGE_SEMANTIC_MARGIN,
            );
            let veto_below = c.range(
                at,
                "veto_below",
                t.veto_below,
                0.0,
                1.0,
                DEFAULT_TRIAGE_VETO_BELOW,
            );
            TriageSettings {
                negations: t.negations.clone(),
                negation_window: window,
                late_after_days: late,
                fever_celsius: fever,
                resolved: t.resolved.clone(),
                general: t.general.clone(),
                past: t.past.clone(),
                others: t.others.clone(),
                other_causes: t.other_causes.clone(),
                figurative: t.figurative.clone(),
                mild: t.mild.clone(),
                current: t.current.clone(),
                before: t.before.clone(),
                recent: t.recent.clone(),
                visits: t.visits.clone(),
                continuing: t.continuing.clone(),
                modal_questions: t.modal_questions.clone(),
                plain_questions: t.plain_questions.clone(),
                elided_subject: t.elided_subject.clone(),
                personal: t.personal.clone(),
                semantic_min,
                semantic_margin,
                agree_min,
                veto_below,
                minimisers: t.minimisers.clone(),
                expectation: t.expectation.clone(),
                follow_up: t.follow_up.clone(),
            }
        }
        None => TriageSettings {
            negation_window: DEFAULT_NEGATION_WINDOW,
            late_after_days: DEFAULT_LATE_AFTER_DAYS,
            fever_celsius: DEFAULT_FEVER_CELSIUS,
            semantic_min: DEFAULT_TRIAGE_SEMANTIC_MIN,
            semantic_margin: DEFAULT_TRIAGE_SEMANTIC_MARGIN,
            agree_min: DEFAULT_TRIAGE_AGREE_MIN,
            veto_below: DEFAULT_TRIAGE_VETO_BELOW,
            ..TriageSettings::default()
        },
    }
}

/// `[[red_flag]]`: unique ids, at least one term, phrases that normalise.
pub(super) fn red_flags(c: &mut Checker<'_>, raw: &RawFaq) -> Vec<RedFlag> {
    c.ids("red_flag", raw.red_flag.iter().map(|r| &r.get_ref().id));
    let mut red_flags = Vec::with_capacity(raw.red_flag.len());
    for r in &raw.red_flag {
        let r = r.get_ref();
        let item = format!("red_flag \"{}\"", r.id.get_ref());
        let line = c.lines.line(r.id.span().start);
        let at = Location {
            line,
            item: Some(item),
        };
        let terms: Vec<String> = r.terms.iter().map(|p| p.get_ref().clone()).collect();
        let with: Vec<String> = r.with.iter().map(|p| p.get_ref().clone()).collect();
        if terms.is_empty() {
            c.errors.push(FaqError::Empty {
                at: at.clone(),
                field: "terms",
            });
        }
        c.phrases(&at, &terms);
        c.phrases(&at, &with);
        c.phrases(&at, &r.examples);
        red_flags.push(RedFlag {
            id: r.id.get_ref().clone(),
            label: r.label.clone(),
            terms,
            with,
            always: r.always,
            delayed: r.delayed,
            explained_by_cause: r.explained_by_cause,
            examples: r.examples.clone(),
            line,
        });
    }

    red_flags
}
