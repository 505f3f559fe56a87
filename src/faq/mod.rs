//! `faq.toml`: parse, then validate into a checked [`Faq`]. A value of this
//! type is known good everywhere after: unique kebab-case ids, every cited
//! source and related entry exists, texts fit where Discord shows them.
//!
//! The core takes the file's text, not a path: reading files is the edges'
//! job.

mod error;
mod raw;

use std::collections::HashMap;

use crate::limits::{
    MAX_CONTENT_CHARS, MAX_DESCRIPTION_CHARS, MAX_FIELD_CHARS, MAX_FOOTER_CHARS, MAX_TITLE_CHARS,
};
use error::LineMap;
pub use error::{FaqError, FaqErrors, Location};
use raw::RawFaq;
use toml::Spanned;

/// Ids an entry may not take: evaluation cases and logs use them for the
/// two outcomes that are not an entry.
pub const RESERVED_IDS: &[&str] = &["none", "urgent"];

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

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub category: String,
    pub question: String,
    pub alternates: Vec<String>,
    /// The line of each alternate, for lint findings.
    pub alternate_lines: Vec<usize>,
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
        std::iter::once(self.question.as_str()).chain(self.alternates.iter().map(String::as_str))
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
    /// Words that make a symptom word figurative ("my bank account").
    pub figurative: Vec<String>,
    /// Expected, mild effects: described now, they get the caution block.
    pub mild: Vec<String>,
    /// Words of the present that outweigh a past cue in the same clause.
    pub current: Vec<String>,
    /// Before treatment ("should I cancel"): anywhere in the sentence.
    pub before: Vec<String>,
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
    /// Words that say a mild symptom is mild ("a bit", "slightly").
    pub minimisers: Vec<String>,
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
    pub examples: Vec<String>,
    pub line: usize,
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

struct Checker<'a> {
    lines: LineMap<'a>,
    errors: Vec<FaqError>,
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
            if !p.starts_with('@') && crate::text::normalise(p).is_empty() {
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

        // Meta.
        let meta_at = |c: &Checker<'_>, v: &Spanned<String>| c.at("[meta]", v);
        let at = meta_at(&c, &raw.meta.disclaimer);
        c.non_empty(at.clone(), "disclaimer", raw.meta.disclaimer.get_ref());
        c.max_len(
            at,
            "disclaimer",
            raw.meta.disclaimer.get_ref(),
            MAX_FOOTER_CHARS,
        );
        let at = meta_at(&c, &raw.meta.urgent_message);
        c.non_empty(
            at.clone(),
            "urgent_message",
            raw.meta.urgent_message.get_ref(),
        );
        c.max_len(
            at,
            "urgent_message",
            raw.meta.urgent_message.get_ref(),
            MAX_CONTENT_CHARS,
        );
        let staff_contact = match &raw.meta.staff_contact {
            Some(s) => {
                let at = meta_at(&c, s);
                c.non_empty(at.clone(), "staff_contact", s.get_ref());
                c.max_len(at, "staff_contact", s.get_ref(), MAX_FIELD_CHARS);
                s.get_ref().trim().to_owned()
            }
            None => "Ask a member of staff.".to_owned(),
        };
        let m = &raw.meta;
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
        // Which details some text names, for `faqbot check` (a named detail left empty).
        let used_details = std::cell::RefCell::new(Vec::<&'static str>::new());
        let filled = |c: &mut Checker<'_>,
                      field: &'static str,
                      line: usize,
                      item: &str,
                      text: &str| {
            let mut used = used_details.borrow_mut();
            for &name in PLACEHOLDERS {
                if text.contains(&format!("{{{name}}}")) && !used.contains(&name) {
                    used.push(name);
                }
            }
            drop(used);
            match fill(text, &details) {
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
        };
        let caution_message = match &m.caution_message {
            Some(s) => {
                let at = meta_at(&c, s);
                c.non_empty(at.clone(), "caution_message", s.get_ref());
                c.max_len(at, "caution_message", s.get_ref(), MAX_FIELD_CHARS);
                s.get_ref().trim().to_owned()
            }
            None => String::new(),
        };
        let mut meta = Meta {
            version: m.version,
            disclaimer: filled(
                &mut c,
                "disclaimer",
                meta_line,
                "[meta]",
                m.disclaimer.get_ref().trim(),
            ),
            urgent_message: filled(
                &mut c,
                "urgent_message",
                meta_line,
                "[meta]",
                m.urgent_message.get_ref().trim(),
            ),
            staff_contact: filled(&mut c, "staff_contact", meta_line, "[meta]", &staff_contact),
            caution_message: filled(
                &mut c,
                "caution_message",
                meta_line,
                "[meta]",
                &caution_message,
            ),
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

        // Sources.
        let source_index = c.ids("source", raw.source.iter().map(|s| &s.get_ref().id));
        let mut sources = Vec::with_capacity(raw.source.len());
        for s in &raw.source {
            let s = s.get_ref();
            let item = format!("source \"{}\"", s.id.get_ref());
            let at = c.at(&item, &s.title);
            c.non_empty(at.clone(), "title", s.title.get_ref());
            c.max_len(at, "title", s.title.get_ref(), MAX_TITLE_CHARS);
            let link = source_link(&mut c, &item, s);
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

        // Entries.
        let entry_index = c.ids("entry", raw.entry.iter().map(|e| &e.get_ref().id));
        let mut entries = Vec::with_capacity(raw.entry.len());
        for e in &raw.entry {
            let e = e.get_ref();
            let item = format!("entry \"{}\"", e.id.get_ref());
            let line = c.lines.line(e.id.span().start);
            let cat = e.category.get_ref();
            let known = if meta.categories.is_empty() {
                is_kebab(cat)
            } else {
                meta.categories.contains(cat)
            };
            if !known {
                let at = c.at(&item, &e.category);
                c.errors.push(FaqError::BadCategory {
                    at,
                    category: cat.clone(),
                    allowed: if meta.categories.is_empty() {
                        "any kebab-case name".to_owned()
                    } else {
                        meta.categories.join(", ")
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
                    .map(|a| a.get_ref().trim().to_owned())
                    .collect(),
                alternate_lines: e
                    .alternates
                    .iter()
                    .map(|a| c.lines.line(a.span().start))
                    .collect(),
                keywords: e.keywords.iter().map(|k| k.trim().to_owned()).collect(),
                answer: {
                    let line = c.lines.line(e.answer.span().start);
                    filled(&mut c, "answer", line, &item, e.answer.get_ref().trim())
                },
                sources: cited,
                related,
                needs_context: e.needs_context,
                starter: e.starter,
                line,
            });
        }

        // Matching settings.
        let matching = match &raw.matching {
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
        };

        let mut synonyms = Vec::with_capacity(raw.synonyms.len());
        for (canonical, variants) in &raw.synonyms {
            let at = c.at(&format!("[synonyms] {canonical}"), variants);
            let mut all = vec![canonical.clone()];
            all.extend(variants.get_ref().iter().cloned());
            c.phrases(&at, &all);
            synonyms.push((canonical.clone(), variants.get_ref().clone()));
        }

        let off_topic = match &raw.off_topic {
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
        };

        let triage = match &raw.triage {
            Some(t) => {
                let at = c.at("[triage]", t);
                let t = t.get_ref();
                for list in [
                    &t.negations,
                    &t.resolved,
                    &t.general,
                    &t.past,
                    &t.others,
                    &t.figurative,
                    &t.mild,
                    &t.current,
                    &t.before,
                    &t.continuing,
                    &t.modal_questions,
                    &t.plain_questions,
                    &t.elided_subject,
                    &t.personal,
                    &t.minimisers,
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
                    at,
                    "semantic_margin",
                    t.semantic_margin,
                    -1.0,
                    1.0,
                    DEFAULT_TRIAGE_SEMANTIC_MARGIN,
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
                    figurative: t.figurative.clone(),
                    mild: t.mild.clone(),
                    current: t.current.clone(),
                    before: t.before.clone(),
                    continuing: t.continuing.clone(),
                    modal_questions: t.modal_questions.clone(),
                    plain_questions: t.plain_questions.clone(),
                    elided_subject: t.elided_subject.clone(),
                    personal: t.personal.clone(),
                    semantic_min,
                    semantic_margin,
                    agree_min,
                    minimisers: t.minimisers.clone(),
                }
            }
            None => TriageSettings {
                negation_window: DEFAULT_NEGATION_WINDOW,
                late_after_days: DEFAULT_LATE_AFTER_DAYS,
                fever_celsius: DEFAULT_FEVER_CELSIUS,
                semantic_min: DEFAULT_TRIAGE_SEMANTIC_MIN,
                semantic_margin: DEFAULT_TRIAGE_SEMANTIC_MARGIN,
                agree_min: DEFAULT_TRIAGE_AGREE_MIN,
                ..TriageSettings::default()
            },
        };

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
                examples: r.examples.clone(),
                line,
            });
        }

        meta.used_details = used_details.into_inner();
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
