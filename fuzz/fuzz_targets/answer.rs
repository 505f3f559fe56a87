//! Arbitrary bytes, read lossily as text, through the whole pipeline on the
//! shipped `faq.toml`: normalise, explain, answer at both strictnesses,
//! suggest, plain-text rendering, the Discord embeds and autocomplete. The
//! checks are `tests/properties.rs`'s own (`tests/support/checks.rs`): no
//! panic, Discord's limits, no pings, the same reply twice.
//!
//! Run from the repository root (seeds are kept, new finds are not):
//!
//! ```text
//! cargo +nightly fuzz run answer fuzz/corpus/answer fuzz/seeds/answer -- -max_len=8192
//! ```

#![no_main]

#[path = "../../tests/support/checks.rs"]
mod checks;

use std::sync::LazyLock;

use faqbot::Engine;
use libfuzzer_sys::fuzz_target;

static FAQ: &str = include_str!("../../faq.toml");

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::from_toml(FAQ).expect("the shipped faq.toml is valid"));

/// Built separately: a reply that depended on per-build state would differ.
static SECOND_ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::from_toml(FAQ).expect("the shipped faq.toml is valid"));

fuzz_target!(|data: &[u8]| {
    let question = String::from_utf8_lossy(data);
    checks::check(&ENGINE, &SECOND_ENGINE, &question);
});
