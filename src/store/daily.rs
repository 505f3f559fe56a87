//! Questions per day by outcome, for the stats chart's first panel
//! ([`crate::chart`]).

use rusqlite::params;

use super::{count, now, since, Outcome, Scope, Store, DAY_SECS};

/// Questions asked on one calendar day (UTC), by outcome: a bar of the
/// stats chart's questions-per-day panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCount {
    /// Days since 1970-01-01, UTC.
    pub day: i64,
    pub answered: u64,
    pub no_match: u64,
    pub urgent: u64,
}

impl DayCount {
    pub fn total(&self) -> u64 {
        self.answered + self.no_match + self.urgent
    }
}

/// A report period's questions day by day, for the stats chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Daily {
    /// The UTC day the period starts in and the day it ends in (today),
    /// both included: the last `days` days touch `days + 1` calendar days,
    /// the first and the last in part. The rows are the ones
    /// [`Store::stats`] counts, so the chart's bars add up to its total.
    pub first_day: i64,
    pub last_day: i64,
    /// Only the days with questions, oldest first.
    pub days: Vec<DayCount>,
}

impl Store {
    /// Questions per UTC day over the last `days` days in `scope`.
    pub fn daily(&self, days: u64, scope: Scope) -> rusqlite::Result<Daily> {
        self.daily_at(days, scope, now())
    }

    /// [`Store::daily`] as of `now` (Unix seconds), for tests and benches.
    pub fn daily_at(&self, days: u64, scope: Scope, now: i64) -> rusqlite::Result<Daily> {
        let since = since(days, now);
        let db = self.db();
        let mut rows = db.prepare(
            "SELECT time / ?3, outcome, COUNT(*) FROM questions
             WHERE time >= ?1 AND (?2 IS NULL OR guild = ?2)
             GROUP BY 1, 2 ORDER BY 1",
        )?;
        let mut out = Daily {
            first_day: since.div_euclid(DAY_SECS),
            last_day: now.div_euclid(DAY_SECS),
            days: Vec::new(),
        };
        for row in rows.query_map(params![since, scope.guild(), DAY_SECS], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Outcome>(1)?, count(r, 2)?))
        })? {
            let (day, outcome, n) = row?;
            if out.days.last().is_none_or(|d| d.day != day) {
                out.days.push(DayCount {
                    day,
                    ..DayCount::default()
                });
            }
            let Some(d) = out.days.last_mut() else {
                continue;
            };
            match outcome {
                Outcome::Answer => d.answered += n,
                Outcome::NoMatch => d.no_match += n,
                Outcome::Urgent => d.urgent += n,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Channel, Question, Settings};

    const NOW: i64 = 1_800_000_000;

    /// Days are UTC calendar days, outcomes land in their own columns,
    /// another server's and too-old questions are left out, and the
    /// period's bounds are the days `since` and `now` fall in.
    #[test]
    fn daily_counts_by_day_and_outcome() {
        let store = Store::open(&Settings {
            path: ":memory:".into(),
            ..Settings::default()
        })
        .unwrap();
        let ask = |outcome, time, guild| {
            store
                .insert_question(&Question {
                    time,
                    guild: Some(guild),
                    channel: Channel::Slash,
                    user: 6,
                    outcome,
                    entry: None,
                    score: 0.5,
                    margin: None,
                    text: "x".into(),
                })
                .unwrap();
        };
        let today = NOW.div_euclid(DAY_SECS);
        ask(Outcome::Answer, NOW, 3);
        ask(Outcome::Answer, NOW - 1, 3);
        ask(Outcome::Urgent, NOW, 3);
        ask(Outcome::NoMatch, NOW - 2 * DAY_SECS, 3);
        ask(Outcome::NoMatch, NOW, 4);
        ask(Outcome::Answer, NOW - 10 * DAY_SECS, 3);
        let daily = store.daily_at(7, Scope::Guild(3), NOW).unwrap();
        assert_eq!(
            (daily.first_day, daily.last_day),
            (today - 7, today),
            "{daily:?}"
        );
        // NOW is 08:00 UTC, so NOW - 1 is the same day.
        let expected = vec![
            DayCount {
                day: today - 2,
                no_match: 1,
                ..DayCount::default()
            },
            DayCount {
                day: today,
                answered: 2,
                urgent: 1,
                ..DayCount::default()
            },
        ];
        assert_eq!(daily.days, expected);
        let all = store.daily_at(7, Scope::All, NOW).unwrap();
        assert_eq!(all.days.iter().map(DayCount::total).sum::<u64>(), 5);
        assert!(store
            .daily_at(7, Scope::Guild(9), NOW)
            .unwrap()
            .days
            .is_empty());
    }
}
