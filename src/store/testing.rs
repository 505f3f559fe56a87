//! What the store's unit tests share: an in-memory log and records to put in it.

use super::*;
// What most tests use, so each file's tests need only this module.
pub(crate) use super::{now, Channel, Outcome, Question, Settings, Store, Vote};

/// A day in seconds, for rows of a given age.
pub(crate) const DAY: i64 = DAY_SECS;
/// A fixed "now" (January 2027), so what a test dates does not depend on the clock.
pub(crate) const NOW: i64 = 1_800_000_000;

/// A log in memory, keeping question text or not.
pub(crate) fn memory(store_text: bool) -> Store {
    Store::open(&Settings {
        path: ":memory:".into(),
        retention_days: 30,
        store_text,
    })
    .expect("open an in-memory store")
}

/// Member `user`'s vote on `entry` in server 3.
pub(crate) fn vote(time: i64, user: u64, entry: &str, helpful: bool) -> Vote {
    Vote {
        time,
        guild: Some(3),
        user,
        entry: entry.to_owned(),
        helpful,
    }
}

/// Member 6's question in server 3 by `/faq`; an answer is session-count.
pub(crate) fn question(outcome: Outcome, margin: Option<f64>, text: &str, time: i64) -> Question {
    Question {
        time,
        guild: Some(3),
        channel: Channel::Slash,
        user: 6,
        outcome,
        entry: (outcome == Outcome::Answer).then(|| "session-count".to_owned()),
        score: 0.5,
        margin,
        text: text.to_owned(),
    }
}
