//! What is logged, and the privacy policy on it: one answered question or
//! one vote, as the front end knows them (plain ids, no Discord types), and
//! which words of a question are kept at all ([`kept_text`]).

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

pub use crate::outcome::Outcome;
use crate::text::normalise;

/// Characters of a question's text kept at most: `/faq` allows 300, and
/// what a staff member needs to see what was asked fits in that.
pub const MAX_KEPT_CHARS: usize = 300;

/// Where a question was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Slash,
    Mention,
    /// A plain message in an opened channel.
    Channel,
}

impl Channel {
    /// Every channel, in the order reports list them.
    pub const ALL: [Channel; 3] = [Channel::Slash, Channel::Mention, Channel::Channel];

    /// The name in the `channel` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Slash => "slash",
            Channel::Mention => "mention",
            Channel::Channel => "channel",
        }
    }
}

// Outcomes and channels are stored by their names, and read back through
// the same names: the only mapping between the two is `as_str`.

impl ToSql for Outcome {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Outcome {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Outcome> {
        value
            .as_str()?
            .parse()
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

impl ToSql for Channel {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Channel {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Channel> {
        let name = value.as_str()?;
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == name)
            .ok_or_else(|| FromSqlError::Other(format!("no channel is called {name:?}").into()))
    }
}

/// One answered question, as the front end knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Unix seconds.
    pub time: i64,
    pub guild: Option<u64>,
    pub channel: Channel,
    pub user: u64,
    pub outcome: Outcome,
    pub entry: Option<String>,
    pub score: f64,
    /// The lead over the runner-up, for answers.
    pub margin: Option<f64>,
    /// The question as asked; only [`kept_text`] of it is stored.
    pub text: String,
}

impl Question {
    /// A question from `reply`, timed now.
    pub fn from_reply(
        channel: Channel,
        guild: Option<u64>,
        user: u64,
        reply: &crate::Reply<'_>,
        text: &str,
    ) -> Question {
        let margin = match reply {
            crate::Reply::Answer { margin, .. } => Some(*margin),
            _ => None,
        };
        Question {
            time: now(),
            guild,
            channel,
            user,
            outcome: reply.outcome(),
            entry: reply.entry_id().map(str::to_owned),
            score: reply.score(),
            margin,
            text: text.to_owned(),
        }
    }
}

/// A member's Helpful / Not helpful click on an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Vote {
    /// Unix seconds.
    pub time: i64,
    pub guild: Option<u64>,
    pub user: u64,
    pub entry: String,
    pub helpful: bool,
}

/// The text worth keeping for staff: only for a question the bot could not
/// answer (the `unanswered` report reads nothing else), never with text
/// storage off; the question normalised (mentions, links and markup gone)
/// and cut to [`MAX_KEPT_CHARS`], or none if nothing is left. Answers,
/// urgent replies and unsure answers keep no words: no report uses them,
/// and urgent ones are the most sensitive health details a member posts.
pub fn kept_text(q: &Question, store_text: bool) -> Option<String> {
    if !store_text || q.outcome != Outcome::NoMatch {
        return None;
    }
    let text: String = normalise(&q.text).chars().take(MAX_KEPT_CHARS).collect();
    let text = text.trim_end().to_owned();
    Some(text).filter(|t| !t.is_empty())
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    /// Text is kept only for no-match questions (not urgent, not unsure
    /// answers), never with text storage off, always without mentions and
    /// links, and cut to MAX_KEPT_CHARS.
    #[test]
    fn text_kept_only_when_it_should_be() {
        let asked = "<@123> does it hurt? see https://example.com/x";
        let stripped = Some("does it hurt see".to_owned());
        let cases = [
            (Outcome::NoMatch, None, true, stripped.clone()),
            (Outcome::Urgent, None, true, None),
            (Outcome::Answer, Some(0.05), true, None),
            (Outcome::Answer, Some(0.5), true, None),
            (Outcome::NoMatch, None, false, None),
            (Outcome::Urgent, None, false, None),
            (Outcome::Answer, Some(0.01), false, None),
        ];
        for (outcome, margin, store_text, want) in cases {
            let store = memory(store_text);
            store
                .insert_question(&question(outcome, margin, asked, now()))
                .unwrap();
            assert_eq!(
                store.last_text().unwrap(),
                want,
                "{outcome:?} margin {margin:?} store_text {store_text}"
            );
        }
        let long = question(Outcome::NoMatch, None, &"word ".repeat(200), 0);
        let kept = kept_text(&long, true).unwrap();
        assert!(kept.chars().count() <= MAX_KEPT_CHARS && kept.starts_with("word word"));
        let only_a_link = question(Outcome::NoMatch, None, "https://example.com", 0);
        assert_eq!(kept_text(&only_a_link, true), None);
    }
}
