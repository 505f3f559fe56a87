//! faqbot: a Discord FAQ bot for a clinic. Members ask about its
//! treatments; the bot answers from the clinic's curated, sourced FAQ
//! (`faq.toml`: entries, synonyms, scope and red flags are all data, so
//! another clinic's FAQ runs unchanged), says plainly when it does not
//! know, and sends anyone describing a possible complication to get care now.
//!
//! # Layout
//!
//! The core is synchronous, does no I/O and knows nothing of Discord:
//! - [`outcome`]: what a reply came to (answer, no match, urgent), named once.
//! - [`text`]: the one normalisation, for FAQ phrasings and questions alike.
//! - [`embed`]: the sentence encoder: weights in as bytes, vectors out.
//! - [`faq`]: parse and validate `faq.toml` into a checked [`faq::Faq`].
//! - [`triage`]: red-flag detection, run before matching.
//! - [`matcher`]: the index built once per load, the scores, and the
//!   grouping of paraphrased questions for the `unanswered` report.
//! - [`engine`]: the pipeline, question → [`reply::Reply`].
//! - [`limits`]: Discord's limits and the bot's budgets within them.
//! - [`reply`]: the reply and its plain-text rendering.
//! - [`layout`]: a reply (and the topic lists) as Discord's parts: content,
//!   cards, fields, buttons, within [`limits`].
//! - [`lint`]: `faqbot check`'s findings beyond validation, measured on
//!   the real [`layout`].
//! - [`eval`]: labelled cases run through the real pipeline.
//!
//! The edges: [`discord`], the bot (`faqbot run`), a thin adapter over
//! [`Engine`]; [`store`], the SQLite question log (written off the reply
//! path in batches) and its staff reports; [`chart`], those reports drawn
//! as one PNG for staff; [`model`], which reads the encoder's files;
//! [`files`], size-capped reads of the files the binary is pointed at.

pub mod chart;
pub mod discord;
pub mod embed;
pub mod engine;
pub mod eval;
pub mod faq;
pub mod files;
pub mod layout;
pub mod limits;
pub mod lint;
pub mod matcher;
pub mod model;
pub mod outcome;
pub mod reply;
pub mod store;
pub mod text;
pub mod triage;

pub use engine::{Engine, Signals, Strictness};
pub use faq::Faq;
pub use outcome::Outcome;
pub use reply::Reply;
