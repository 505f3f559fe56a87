//! Writes a made-up question log for trying `faqbot stats --chart` (the
//! README's sample chart is drawn from it):
//!
//! ```sh
//! cargo run --example demo_log -- demo.db
//! cargo run -- stats --db demo.db --chart docs/stats-chart.png
//! ```
//!
//! Thirty days of a small clinic's server: questions on the shipped FAQ's
//! entries (more on weekdays, a busier last week), a few no-match questions
//! in paraphrases with their words kept, two urgent ones, and Helpful /
//! Not helpful votes. Deterministic: the same file every run.

use anyhow::{bail, Context as _};
use faqbot::store::{Channel, Outcome, Question, Settings, Store, Vote};

/// The demo server's id.
const GUILD: u64 = 1;
const DAYS: i64 = 30;
/// Entries members ask about, most asked first (ids of the shipped faq.toml),
/// with a weight each.
const ENTRIES: &[(&str, u64)] = &[
    ("downtime", 14),
    ("session-count", 12),
    ("aftercare", 10),
    ("results-timeline", 9),
    ("does-it-hurt", 8),
    ("makeup-after", 6),
    ("acne-scars", 6),
    ("side-effects", 5),
    ("session-spacing", 4),
    ("sun-protection", 3),
    ("pregnancy", 2),
    ("exercise-after", 2),
];
/// Unanswered questions, in the wordings members use (the report groups
/// paraphrases), and how often each is asked.
const UNANSWERED: &[(&str, u64)] = &[
    ("do you offer payment plans", 5),
    ("do you offer a payment plan?", 3),
    ("is there parking at the clinic", 4),
    ("can i bring my daughter to the appointment", 2),
    ("what are your opening hours on saturday", 3),
    ("do you do lip filler", 2),
    ("¿hablan español en la clínica?", 1),
];

/// A small deterministic generator (Knuth's MMIX LCG): the demo needs
/// variety, not quality.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

fn main() -> anyhow::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        bail!("usage: cargo run --example demo_log -- PATH.db");
    };
    let path = std::path::PathBuf::from(path);
    if path.exists() {
        bail!("{} exists; choose a new file", path.display());
    }
    let store = Store::open(&Settings {
        path: path.clone(),
        retention_days: 365,
        store_text: true,
    })
    .with_context(|| format!("cannot create {}", path.display()))?;
    let now = faqbot::store::now();
    let mut rng = Lcg(13);
    let weights: u64 = ENTRIES.iter().map(|e| e.1).sum();
    let mut asked = 0;
    for days_ago in 0..DAYS {
        let weekday = (now / 86_400 - days_ago + 4).rem_euclid(7);
        let weekend = weekday == 0 || weekday == 6;
        let busy = if days_ago < 7 { 14 } else { 9 };
        let count = if weekend { busy / 2 } else { busy } + rng.next(6);
        for _ in 0..count {
            let mut pick = rng.next(weights);
            let entry = ENTRIES
                .iter()
                .find(|e| {
                    let hit = pick < e.1;
                    pick = pick.saturating_sub(e.1);
                    hit
                })
                .map_or(ENTRIES[0].0, |e| e.0);
            ask(
                &store,
                now,
                days_ago,
                &mut rng,
                Outcome::Answer,
                Some(entry),
                "",
            )?;
            asked += 1;
        }
    }
    for (text, times) in UNANSWERED {
        for _ in 0..*times {
            let days_ago = rng.next(DAYS as u64) as i64;
            ask(
                &store,
                now,
                days_ago,
                &mut rng,
                Outcome::NoMatch,
                None,
                text,
            )?;
            asked += 1;
        }
    }
    for days_ago in [3, 17] {
        ask(&store, now, days_ago, &mut rng, Outcome::Urgent, None, "")?;
        asked += 1;
    }
    // Votes: most entries get a few, a popular one many, one entry a
    // single vote (shown only as a footnote in the chart).
    let votes: &[(&str, u64, u64)] = &[
        ("downtime", 9, 2),
        ("session-count", 7, 1),
        ("aftercare", 5, 3),
        ("results-timeline", 2, 2),
        ("does-it-hurt", 3, 0),
        ("makeup-after", 1, 0),
    ];
    let mut user = 1000;
    for (entry, helpful, not_helpful) in votes {
        for i in 0..helpful + not_helpful {
            user += 1;
            store.vote(&Vote {
                time: now - rng.next(DAYS as u64 * 86_400) as i64,
                guild: Some(GUILD),
                user,
                entry: (*entry).to_owned(),
                helpful: i < *helpful,
            })?;
        }
    }
    println!("wrote {asked} questions to {}", path.display());
    Ok(())
}

fn ask(
    store: &Store,
    now: i64,
    days_ago: i64,
    rng: &mut Lcg,
    outcome: Outcome,
    entry: Option<&str>,
    text: &str,
) -> anyhow::Result<()> {
    let time = now - days_ago * 86_400 - rng.next(86_400) as i64;
    store.insert_question(&Question {
        time: time.min(now),
        guild: Some(GUILD),
        channel: Channel::Slash,
        user: 100 + rng.next(60),
        outcome,
        entry: entry.map(str::to_owned),
        score: 0.5,
        margin: None,
        text: text.to_owned(),
    })?;
    Ok(())
}
