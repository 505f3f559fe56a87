//! Benchmark of the stats chart: `cargo bench --bench chart`.
//!
//! A question log of 100,000 questions over 30 days (85 % answered over 40
//! entries, 12 % unanswered in 3,000 wordings that differ by a number, so
//! the grouping joins them, 3 % urgent, votes on the entries), then, each the median of several runs:
//! - `load`: the report read from the log ([`Report::load`]: the stats
//!   queries, the per-day query and the unanswered grouping);
//! - `render`: the picture drawn and encoded as PNG ([`chart::render`]);
//!
//! which is what `/faqadmin stats` and `faqbot stats --chart` do.

use std::hint::black_box;
use std::time::{Duration, Instant};

use faqbot::chart::{self, Report};
use faqbot::store::{Channel, Outcome, Question, Scope, Settings, Store, Vote};

/// The size: a busy month.
const QUESTIONS: i64 = 100_000;
const DAYS: i64 = 30;
/// Runs per figure; the median is printed.
const RUNS: usize = 9;

fn fill(store: &Store, now: i64) {
    for i in 0..QUESTIONS {
        // Spread over the period, busier lately (the square root skews
        // the times towards now).
        let frac = ((i * 7919) % QUESTIONS) as f64 / QUESTIONS as f64;
        // Within the last 29 days, so all are still in the period when
        // the report is read, seconds or minutes later.
        let ago = (frac.sqrt() * ((DAYS - 1) * 86_400) as f64) as i64;
        let (outcome, entry, text) = match i % 100 {
            0..=11 => (
                Outcome::NoMatch,
                None,
                format!("can i get treatment number {} while pregnant", i % 3000),
            ),
            12..=14 => (Outcome::Urgent, None, String::new()),
            _ => (
                Outcome::Answer,
                Some(format!("entry-{}", (i * 31) % 40)),
                String::new(),
            ),
        };
        store
            .insert_question(&Question {
                time: now - ago,
                guild: Some(1),
                channel: Channel::Slash,
                user: (i % 5000) as u64,
                outcome,
                entry,
                score: 0.5,
                margin: None,
                text,
            })
            .expect("insert");
    }
    for user in 0..2000u64 {
        store
            .vote(&Vote {
                time: now,
                guild: Some(1),
                user,
                entry: format!("entry-{}", user % 40),
                helpful: user % 5 != 0,
            })
            .expect("vote");
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&Settings {
        path: dir.path().join("chart.db"),
        retention_days: 3650,
        store_text: true,
    })
    .expect("store opens");
    let start = Instant::now();
    fill(&store, faqbot::store::now());
    eprintln!(
        "filled {QUESTIONS} questions in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let mut loads = Vec::new();
    let mut report = Report::default();
    for _ in 0..RUNS {
        let start = Instant::now();
        report = Report::load(&store, DAYS as u64, Scope::All).expect("report loads");
        loads.push(start.elapsed());
    }
    assert_eq!(report.stats.total, QUESTIONS as u64);
    let mut renders = Vec::new();
    let mut bytes = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let chart = chart::render(black_box(&report)).expect("chart renders");
        renders.push(start.elapsed());
        bytes = chart.png.len();
    }
    let (load, render) = (median(loads), median(renders));
    println!(
        "chart: {QUESTIONS} questions over {DAYS} days, {} unanswered groups: load {:.1} ms, render {:.1} ms (PNG {} KiB), total {:.1} ms",
        report.unanswered.len(),
        load.as_secs_f64() * 1e3,
        render.as_secs_f64() * 1e3,
        bytes / 1024,
        (load + render).as_secs_f64() * 1e3
    );
}
