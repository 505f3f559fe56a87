//! Staff reports on the log: `stats` (counts by outcome and channel, the
//! most answered entries, votes) and `unanswered` (the questions the bot
//! could not answer, paraphrases grouped by the matcher).

use std::fmt;

use rusqlite::params;

use super::{count, since, sql_id, Channel, Outcome, Store, MAX_KEPT_CHARS};
use crate::matcher::paraphrase::{group_paraphrases, Group};
use crate::store::now;

/// Unanswered rows an `unanswered` report reads at most, newest first:
/// several months of a busy clinic, and it bounds the report's time and
/// memory (10,000 group in well under 2 s; see BENCHMARKS.md).
pub const MAX_REPORT_ROWS: usize = 10_000;

/// How many entries `stats` lists as most asked.
pub const TOP_ENTRIES: usize = 10;

impl Store {
    /// Counts over the last `days` days in `scope`.
    pub fn stats(&self, days: u64, scope: Scope) -> rusqlite::Result<Stats> {
        self.stats_at(days, scope, now())
    }

    pub(super) fn stats_at(&self, days: u64, scope: Scope, now: i64) -> rusqlite::Result<Stats> {
        let since = since(days, now);
        let guild = scope.guild();
        let db = self.db();
        let mut stats = Stats {
            days,
            scope,
            ..Stats::default()
        };
        let mut by_outcome = db.prepare(
            "SELECT outcome, channel, COUNT(*) FROM questions
             WHERE time >= ?1 AND (?2 IS NULL OR guild = ?2)
             GROUP BY outcome, channel",
        )?;
        for row in by_outcome.query_map(params![since, guild], |r| {
            Ok((r.get(0)?, r.get(1)?, count(r, 2)?))
        })? {
            let (outcome, channel, n): (Outcome, Channel, u64) = row?;
            stats.total += n;
            *match outcome {
                Outcome::Answer => &mut stats.answered,
                Outcome::NoMatch => &mut stats.no_match,
                Outcome::Urgent => &mut stats.urgent,
            } += n;
            *match channel {
                Channel::Slash => &mut stats.slash,
                Channel::Mention => &mut stats.mention,
                Channel::Channel => &mut stats.channel,
            } += n;
        }
        let mut top = db.prepare(
            "SELECT entry, COUNT(*) AS n FROM questions
             WHERE time >= ?1 AND (?2 IS NULL OR guild = ?2)
               AND outcome = ?4 AND entry IS NOT NULL
             GROUP BY entry ORDER BY n DESC, entry LIMIT ?3",
        )?;
        stats.top = top
            .query_map(
                params![since, guild, TOP_ENTRIES as i64, Outcome::Answer],
                |r| Ok((r.get(0)?, count(r, 1)?)),
            )?
            .collect::<Result<_, _>>()?;
        let mut votes = db.prepare(
            "SELECT entry, SUM(helpful), SUM(1 - helpful) FROM feedback
             WHERE time >= ?1 AND (?2 IS NULL OR guild = ?2)
             GROUP BY entry ORDER BY entry",
        )?;
        stats.feedback = votes
            .query_map(params![since, guild], |r| {
                Ok(Feedback {
                    entry: r.get(0)?,
                    helpful: count(r, 1)?,
                    not_helpful: count(r, 2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(stats)
    }

    /// The unanswered questions of the last `days` days in `scope`,
    /// paraphrases grouped, most asked first; at most `limit` groups.
    pub fn unanswered(
        &self,
        days: u64,
        limit: usize,
        scope: Scope,
    ) -> rusqlite::Result<Vec<Group>> {
        self.unanswered_at(days, limit, scope, now())
    }

    pub(super) fn unanswered_at(
        &self,
        days: u64,
        limit: usize,
        scope: Scope,
        now: i64,
    ) -> rusqlite::Result<Vec<Group>> {
        // Read under the lock, group after it is released: the writer (and
        // a member's forget-me) never waits on a report.
        let texts: Vec<String> = {
            let db = self.db();
            let mut rows = db.prepare(
                "SELECT substr(text, 1, ?3) FROM questions
                 WHERE time >= ?1 AND (?2 IS NULL OR guild = ?2)
                   AND outcome = ?5 AND text IS NOT NULL
                 ORDER BY time DESC LIMIT ?4",
            )?;
            let texts = rows
                .query_map(
                    params![
                        since(days, now),
                        scope.guild(),
                        MAX_KEPT_CHARS as i64,
                        MAX_REPORT_ROWS as i64,
                        Outcome::NoMatch
                    ],
                    |r| r.get(0),
                )?
                .collect::<Result<_, _>>()?;
            texts
        };
        let mut groups = group_paraphrases(texts.iter().map(String::as_str), MAX_KEPT_CHARS);
        groups.truncate(limit);
        Ok(groups)
    }
}

/// Counts for `faqbot stats`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub days: u64,
    pub scope: Scope,
    pub total: u64,
    pub answered: u64,
    pub no_match: u64,
    pub urgent: u64,
    /// By where the question was asked: `/faq`, a mention, an opened channel.
    pub slash: u64,
    pub mention: u64,
    pub channel: u64,
    /// Most answered entries: (entry id, count).
    pub top: Vec<(String, u64)>,
    pub feedback: Vec<Feedback>,
}

/// `n` and its share of `total`, as "12 (40%)".
fn share(n: u64, total: u64) -> String {
    if total == 0 {
        return n.to_string();
    }
    format!("{n} ({:.0}%)", n as f64 * 100.0 / total as f64)
}

/// Which questions a report covers: the staff of one server see that
/// server's only, since one bot may serve several clinics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every server (the CLI, run by whoever hosts the bot).
    #[default]
    All,
    Guild(u64),
}

impl Scope {
    pub(super) fn guild(self) -> Option<i64> {
        match self {
            Scope::All => None,
            Scope::Guild(g) => sql_id(Some(g)),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => Ok(()),
            Scope::Guild(g) => write!(f, " in server {g}"),
        }
    }
}

/// Votes on one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub entry: String,
    pub helpful: u64,
    pub not_helpful: u64,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Questions in the last {} day(s){}: {}",
            self.days, self.scope, self.total
        )?;
        writeln!(f, "  answered:  {}", share(self.answered, self.total))?;
        writeln!(f, "  no match:  {}", share(self.no_match, self.total))?;
        writeln!(f, "  urgent:    {}", share(self.urgent, self.total))?;
        if self.total > 0 {
            writeln!(
                f,
                "Asked by /faq: {}, by mention: {}, in opened channels: {}",
                self.slash, self.mention, self.channel
            )?;
        }
        if !self.top.is_empty() {
            writeln!(f, "Most answered:")?;
            for (entry, n) in &self.top {
                writeln!(f, "  {n:>5}  {entry}")?;
            }
        }
        if !self.feedback.is_empty() {
            writeln!(f, "Feedback (helpful / not helpful):")?;
            for v in &self.feedback {
                writeln!(f, "  {:>5} / {:<5} {}", v.helpful, v.not_helpful, v.entry)?;
            }
        }
        Ok(())
    }
}

/// `faqbot unanswered`'s report.
pub fn unanswered_text(groups: &[Group], days: u64) -> String {
    use fmt::Write as _;
    if groups.is_empty() {
        return format!("No unanswered questions with stored text in the last {days} day(s).\n");
    }
    let mut out = format!("Unanswered questions in the last {days} day(s), most asked first:\n");
    for g in groups {
        let _ = writeln!(out, "{:>5}  {}", g.count, g.text);
        for v in &g.variants {
            let _ = writeln!(out, "         also: {v}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use crate::store::{Channel, Outcome, Vote};

    /// A second click on the same entry changes the member's vote, not adds one.
    #[test]
    fn second_vote_replaces_the_first() {
        let store = memory(true);
        store.vote(&vote(NOW, 6, "downtime", true)).unwrap();
        store.vote(&vote(NOW, 6, "downtime", false)).unwrap();
        store.vote(&vote(NOW, 7, "downtime", true)).unwrap();
        let stats = store.stats_at(1, Scope::All, NOW).unwrap();
        assert_eq!(
            stats.feedback,
            vec![Feedback {
                entry: "downtime".into(),
                helpful: 1,
                not_helpful: 1
            }]
        );
    }

    /// Stats count outcomes and top entries within the window only; forget
    /// removes one member's rows and says how many.
    #[test]
    fn stats_and_forget() {
        let store = memory(true);
        for (outcome, age) in [
            (Outcome::Answer, 0),
            (Outcome::Answer, 1),
            (Outcome::NoMatch, 2),
            (Outcome::Urgent, 3),
            (Outcome::Answer, 20),
        ] {
            store
                .insert_question(&question(outcome, Some(0.5), "q", NOW - age * DAY))
                .unwrap();
        }
        let mut other = question(Outcome::Answer, Some(0.5), "q", NOW);
        other.user = 7;
        store.insert_question(&other).unwrap();
        store.vote(&vote(NOW, 6, "session-count", false)).unwrap();
        let stats = store.stats_at(7, Scope::All, NOW).unwrap();
        assert_eq!(
            (stats.total, stats.answered, stats.no_match, stats.urgent),
            (5, 3, 1, 1)
        );
        assert_eq!(stats.top, vec![("session-count".to_owned(), 3)]);
        assert_eq!((stats.slash, stats.mention, stats.channel), (5, 0, 0));
        assert!(stats.to_string().contains("no match:  1 (20%)"), "{stats}");
        assert_eq!(store.forget(6).unwrap(), 6);
        assert_eq!(store.count_questions().unwrap(), 1);
        assert_eq!(store.forget(6).unwrap(), 0);
    }

    /// Staff of one server see that server's questions, votes and
    /// unanswered questions only; the CLI's `All` sees every server.
    #[test]
    fn reports_are_per_server() {
        let store = memory(true);
        let asked = [
            (3, Channel::Slash, Outcome::Answer, "q"),
            (3, Channel::Mention, Outcome::NoMatch, "can i swim after"),
            (3, Channel::Channel, Outcome::NoMatch, "can i swim after"),
            (
                4,
                Channel::Slash,
                Outcome::NoMatch,
                "private to clinic four",
            ),
            (4, Channel::Mention, Outcome::Urgent, "q"),
        ];
        for (guild, channel, outcome, text) in asked {
            let mut q = question(outcome, Some(0.5), text, NOW);
            q.guild = Some(guild);
            q.channel = channel;
            store.insert_question(&q).unwrap();
        }
        store.vote(&vote(NOW, 6, "downtime", true)).unwrap();
        store
            .vote(&Vote {
                guild: Some(4),
                ..vote(NOW, 7, "downtime", false)
            })
            .unwrap();

        let three = store.stats_at(1, Scope::Guild(3), NOW).unwrap();
        assert_eq!(
            (three.total, three.answered, three.no_match, three.urgent),
            (3, 1, 2, 0)
        );
        assert_eq!((three.slash, three.mention, three.channel), (1, 1, 1));
        assert_eq!(
            three.feedback,
            vec![Feedback {
                entry: "downtime".into(),
                helpful: 1,
                not_helpful: 0
            }]
        );
        assert!(three.to_string().contains("in server 3"), "{three}");
        let unanswered = store.unanswered_at(1, 10, Scope::Guild(3), NOW).unwrap();
        assert_eq!(unanswered.len(), 1);
        assert_eq!(
            (unanswered[0].text.as_str(), unanswered[0].count),
            ("can i swim after", 2)
        );

        let all = store.stats_at(1, Scope::All, NOW).unwrap();
        assert_eq!(
            (all.total, all.urgent, all.feedback[0].not_helpful),
            (5, 1, 1)
        );
        assert_eq!(
            store.unanswered_at(1, 10, Scope::All, NOW).unwrap().len(),
            2
        );
    }

    /// The report groups what members asked alike, lists at most `limit`
    /// groups, and its text shows the other wordings.
    #[test]
    fn unanswered_groups_and_limits() {
        let store = memory(true);
        for t in ["what about tattoos", "what about my tattoos", "pizza?"] {
            store
                .insert_question(&question(Outcome::NoMatch, None, t, NOW))
                .unwrap();
        }
        let groups = store.unanswered_at(1, 1, Scope::All, NOW).unwrap();
        assert_eq!(groups.len(), 1, "limited to one group");
        assert_eq!(groups[0].count, 2);
        assert!(unanswered_text(&groups, 1).contains("also: what about "));
    }
}
