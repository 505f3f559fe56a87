//! The file as serde reads it, before any checking. Spans are kept on the
//! values that validation may complain about, so errors can name the line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFaq {
    pub meta: RawMeta,
    #[serde(default)]
    pub source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    pub entry: Vec<Spanned<RawEntry>>,
    #[serde(default)]
    pub matching: Option<Spanned<RawMatching>>,
    #[serde(default)]
    pub synonyms: BTreeMap<String, Spanned<Vec<String>>>,
    #[serde(default)]
    pub off_topic: Option<Spanned<RawOffTopic>>,
    #[serde(default)]
    pub triage: Option<Spanned<RawTriage>>,
    #[serde(default)]
    pub red_flag: Vec<Spanned<RawRedFlag>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeta {
    pub version: u32,
    #[serde(default)]
    pub clinic_name: Option<String>,
    /// What members ask about, for the console's greeting.
    #[serde(default)]
    pub subject: Option<String>,
    pub disclaimer: Spanned<String>,
    pub urgent_message: Spanned<String>,
    #[serde(default)]
    pub staff_contact: Option<Spanned<String>>,
    /// The caution tier's "get help now if …" block.
    #[serde(default)]
    pub caution_message: Option<Spanned<String>>,
    /// The clinic's details, rendered wherever a text says `{phone}` etc.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub out_of_hours: Option<String>,
    #[serde(default)]
    pub emergency_number: Option<String>,
    #[serde(default)]
    pub booking_url: Option<String>,
    #[serde(default)]
    pub prices_url: Option<String>,
    /// The categories entries may use; any kebab-case name when absent.
    #[serde(default)]
    pub categories: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub publisher: String,
    #[serde(default)]
    pub year: Option<u16>,
    #[serde(default)]
    pub url: Option<Spanned<String>>,
    #[serde(default)]
    pub doi: Option<Spanned<String>>,
    #[serde(default)]
    pub pmc: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    pub id: Spanned<String>,
    pub category: Spanned<String>,
    pub question: Spanned<String>,
    #[serde(default)]
    pub alternates: Vec<Spanned<String>>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub answer: Spanned<String>,
    pub sources: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    #[serde(default)]
    pub needs_context: bool,
    #[serde(default)]
    pub starter: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMatching {
    pub min_score: Option<f64>,
    pub min_margin: Option<f64>,
    pub channel_min_score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOffTopic {
    #[serde(default)]
    pub terms: Vec<String>,
    #[serde(default)]
    pub anchors: Vec<String>,
    #[serde(default)]
    pub context: Vec<String>,
    #[serde(default)]
    pub personal: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTriage {
    #[serde(default)]
    pub negations: Vec<String>,
    pub negation_window: Option<usize>,
    pub late_after_days: Option<u32>,
    pub fever_celsius: Option<f64>,
    #[serde(default)]
    pub resolved: Vec<String>,
    #[serde(default)]
    pub general: Vec<String>,
    #[serde(default)]
    pub past: Vec<String>,
    #[serde(default)]
    pub others: Vec<String>,
    #[serde(default)]
    pub other_causes: Vec<String>,
    #[serde(default)]
    pub figurative: Vec<String>,
    #[serde(default)]
    pub mild: Vec<String>,
    #[serde(default)]
    pub current: Vec<String>,
    #[serde(default)]
    pub before: Vec<String>,
    #[serde(default)]
    pub recent: Vec<String>,
    #[serde(default)]
    pub visits: Vec<String>,
    #[serde(default)]
    pub continuing: Vec<String>,
    #[serde(default)]
    pub modal_questions: Vec<String>,
    #[serde(default)]
    pub plain_questions: Vec<String>,
    #[serde(default)]
    pub elided_subject: Vec<String>,
    #[serde(default)]
    pub personal: Vec<String>,
    pub semantic_min: Option<f64>,
    pub semantic_margin: Option<f64>,
    pub agree_min: Option<f64>,
    pub veto_below: Option<f64>,
    #[serde(default)]
    pub minimisers: Vec<String>,
    #[serde(default)]
    pub expectation: Vec<String>,
    #[serde(default)]
    pub follow_up: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRedFlag {
    pub id: Spanned<String>,
    pub label: String,
    pub terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub with: Vec<Spanned<String>>,
    #[serde(default)]
    pub always: bool,
    #[serde(default)]
    pub delayed: bool,
    #[serde(default)]
    pub explained_by_cause: bool,
    #[serde(default)]
    pub examples: Vec<String>,
}
