//! Benchmark of the question log: `cargo bench --bench store`.
//!
//! - Throughput: records pushed through the `Recorder` (bounded queue, one
//!   writer thread writing batches, SQLite in WAL mode on a temp file) until
//!   all are committed, in records per second, with how many were dropped:
//!   a 20,000-record burst (its `store burst:` line is the headline), a
//!   sustained 200,000 and 1,000,000, a paced run (small batches), and a
//!   3 s stall of the writer while records keep arriving.
//! - `/faq-forget-me` on the log of a million rows: how long one
//!   member's rows take to find and delete.
//! - Reply cost with logging on vs off: `engine.answer` alone against
//!   `engine.answer` plus `Recorder::record` (what the bot does per question),
//!   p50 and p99 over the project's own question set.
//! - `unanswered` over 10,000 unanswered questions (the report's row cap):
//!   paraphrase-heavy (2,000 questions asked five times each with typos) and
//!   all distinct, 300 characters each (the worst case).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use faqbot::store::{
    Channel, Outcome, Question, Record, Recorder, Scope, Settings, Store, MAX_QUEUED_RECORDS,
};
use faqbot::Engine;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Records in the burst: what issue 12 asks to log without a drop (the
/// old 1,024-record queue dropped 18,922 of them).
const BURST_RECORDS: u64 = 20_000;
/// Records in the sustained run: long enough that the writer's rate, not
/// its start, is measured.
const SUSTAINED_RECORDS: u64 = 200_000;
/// Records in the long sustained run, whose log forget-me is then timed
/// on: far more than a busy server logs in the 30 days it keeps.
const BIG_RECORDS: u64 = 1_000_000;
/// Members forgotten one after another on it (for a median).
const FORGET_MEMBERS: u64 = 9;
/// How often the sustained run checks how far ahead of the writer it is.
const STEP: u64 = 1_000;
/// How long the writer is kept from writing in the stall run.
const STALL: Duration = Duration::from_secs(3);
/// Questions a second arriving meanwhile: 100 times a busy server's rate.
const STALL_RATE: f64 = 10_000.0;
/// How long the bench waits for the writer before calling it stuck.
const WAIT: Duration = Duration::from_secs(120);
/// Passes over the question mix for the latency comparison.
const ROUNDS: usize = 20;

/// The project's own question set, read as `faqbot eval` reads it.
fn questions(engine: &Engine) -> Vec<String> {
    let text =
        std::fs::read_to_string(format!("{ROOT}/tests/cases/own-cases.toml")).expect("own cases");
    faqbot::eval::parse_cases(&text, engine)
        .expect("own cases parse")
        .into_iter()
        .map(|c| c.question)
        .collect()
}

/// A fresh log in `dir/name` and a recorder writing to it.
fn open_recorder(dir: &std::path::Path, name: &str) -> (Arc<Store>, Recorder) {
    let run_dir = dir.join(name);
    std::fs::create_dir_all(&run_dir).expect("temp dir");
    let store = open(&run_dir);
    (store.clone(), Recorder::start(store))
}

/// Rows written so far, for pacing: the last row id, found in the index
/// at once and read on a connection of its own, so the bench neither
/// scans the table (COUNT(*) grows with it) nor holds the writer's lock.
fn progress(store: &Store) -> u64 {
    let conn = rusqlite::Connection::open_with_flags(
        &store.settings().path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("a reader");
    conn.query_row("SELECT coalesce(max(rowid), 0) FROM questions", [], |r| {
        r.get::<_, i64>(0)
    })
    .expect("progress") as u64
}

/// Pushes `records` records (members 0, 1, …) through `recorder`, never
/// more than half the queue ahead of the writer, so what is timed is the
/// writer, not the queue; returns once all are written.
fn fill(store: &Store, recorder: &Recorder, records: u64, record: impl Fn(u64) -> Record) {
    let ahead = (MAX_QUEUED_RECORDS / 2) as u64;
    for user in 0..records {
        if user % STEP == 0 {
            while progress(store) + ahead < user + STEP {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        recorder.record(record(user));
    }
    assert!(recorder.flush(WAIT), "the writer did not catch up");
}

/// One row of the throughput table.
fn row(name: &str, records: u64, written: u64, dropped: u64, took: Duration) {
    println!(
        "| {name} | {records} | {written} | {dropped} | {:.0} ms | {:.0} |",
        took.as_secs_f64() * 1e3,
        written as f64 / took.as_secs_f64()
    );
}

fn open(dir: &std::path::Path) -> Arc<Store> {
    let settings = Settings {
        path: dir.join("bench.db"),
        ..Settings::default()
    };
    Arc::new(Store::open(&settings).expect("store opens"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[(((sorted.len() - 1) as f64) * p / 100.0).round() as usize]
}

fn latencies(
    engine: &Engine,
    questions: &[String],
    recorder: Option<&Recorder>,
) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(questions.len() * ROUNDS);
    for round in 0..ROUNDS {
        for (i, q) in questions.iter().enumerate() {
            let start = Instant::now();
            let reply = engine.answer(black_box(q));
            if let Some(recorder) = recorder {
                let user = (round * questions.len() + i) as u64 + 1;
                recorder.record(Record::Question(Question::from_reply(
                    Channel::Slash,
                    Some(1),
                    user,
                    &reply,
                    q,
                )));
            }
            black_box(&reply);
            samples.push(start.elapsed());
        }
    }
    samples.sort();
    (percentile(&samples, 50.0), percentile(&samples, 99.0))
}

/// A fixed pseudo-random sequence (a linear congruential generator), so
/// every run groups the same questions.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

/// `n` questions of words from a made-up vocabulary, at most `max_chars` long.
fn made_up_questions(rng: &mut Lcg, n: usize, min_words: usize, max_chars: usize) -> Vec<String> {
    let vocabulary: Vec<String> = (0..2000)
        .map(|_| {
            let len = 3 + rng.next(8);
            (0..len)
                .map(|_| char::from(b'a' + rng.next(26) as u8))
                .collect()
        })
        .collect();
    (0..n)
        .map(|_| {
            let words = min_words + rng.next(min_words * 3);
            let mut q = String::new();
            for _ in 0..words {
                let w = &vocabulary[rng.next(vocabulary.len())];
                if q.len() + w.len() + 1 > max_chars {
                    break;
                }
                if !q.is_empty() {
                    q.push(' ');
                }
                q.push_str(w);
            }
            q
        })
        .collect()
}

/// `text` with one typo: two neighbouring letters swapped somewhere.
fn typo(rng: &mut Lcg, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.len() > 2 {
        let i = rng.next(chars.len() - 1);
        chars.swap(i, i + 1);
    }
    chars.into_iter().collect()
}

/// Times `unanswered` over `texts`, logged as unanswered questions.
fn unanswered_run(dir: &std::path::Path, name: &str, texts: &[String]) {
    let run_dir = dir.join(name.replace(' ', "-"));
    std::fs::create_dir_all(&run_dir).expect("temp dir");
    let store = open(&run_dir);
    let now = faqbot::store::now();
    for (i, text) in texts.iter().enumerate() {
        store
            .insert_question(&Question {
                time: now,
                guild: Some(1),
                channel: Channel::Slash,
                user: i as u64,
                outcome: Outcome::NoMatch,
                entry: None,
                score: 0.1,
                margin: None,
                text: text.clone(),
            })
            .expect("insert");
    }
    let start = Instant::now();
    let groups = store
        .unanswered(30, usize::MAX, Scope::All)
        .expect("report");
    let took = start.elapsed();
    let grouped: u64 = groups.iter().map(|g| g.count).sum();
    println!(
        "| {name} | {} | {grouped} | {} | {:.0} ms |",
        texts.len(),
        groups.len(),
        took.as_secs_f64() * 1e3
    );
}

fn main() {
    // Measure only under `cargo bench` (which passes --bench).
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("faqbot-bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let faq = std::fs::read_to_string(format!("{ROOT}/faq.toml")).expect("faq.toml");
    let engine = Engine::from_toml(&faq).expect("faq loads");
    let questions = questions(&engine);

    let reply = engine.answer("how many sessions will i need");
    let record = |user: u64| {
        Record::Question(Question::from_reply(
            Channel::Slash,
            Some(1),
            user,
            &reply,
            "q",
        ))
    };
    println!("Command: `cargo bench --bench store`\n");
    println!("| run | records | written | dropped | time | records/s |");
    println!("|---|---|---|---|---|---|");

    // Burst: push everything in a tight loop, then wait until the writer
    // has handled it all.
    let (store, recorder) = open_recorder(&dir, "burst");
    let start = Instant::now();
    for user in 0..BURST_RECORDS {
        recorder.record(record(user));
    }
    assert!(recorder.flush(WAIT), "the writer did not catch up");
    let took = start.elapsed();
    let written = store.count_questions().expect("count");
    let rate = written as f64 / took.as_secs_f64();
    row(
        "burst through the writer",
        BURST_RECORDS,
        written,
        recorder.dropped(),
        took,
    );
    let burst = format!(
        "store burst: records {BURST_RECORDS}, written {written}, dropped {}, {rate:.0} records/s",
        recorder.dropped()
    );
    drop(recorder);

    // Sustained: ten times as many, never more than half the queue ahead
    // of the writer, so the run measures the writer, not the queue.
    let (store, recorder) = open_recorder(&dir, "sustained");
    let start = Instant::now();
    fill(&store, &recorder, SUSTAINED_RECORDS, record);
    let written = store.count_questions().expect("count");
    row(
        "sustained (≤ half the queue ahead)",
        SUSTAINED_RECORDS,
        written,
        recorder.dropped(),
        start.elapsed(),
    );
    drop(recorder);

    // The same for five times as many rows: does the rate hold as the log
    // grows? The log is kept for forget-me below.
    let (big, big_recorder) = open_recorder(&dir, "big");
    let start = Instant::now();
    fill(&big, &big_recorder, BIG_RECORDS, record);
    row(
        "sustained, five times as many",
        BIG_RECORDS,
        big.count_questions().expect("count"),
        big_recorder.dropped(),
        start.elapsed(),
    );

    // Paced: never more than 512 queued at once, what a busy server looks
    // like (replies take network time): small batches.
    let (store, recorder) = open_recorder(&dir, "paced");
    let start = Instant::now();
    for user in 0..BURST_RECORDS {
        if user % 512 == 0 {
            while progress(&store) + 512 < user {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        recorder.record(record(user));
    }
    assert!(recorder.flush(WAIT), "the writer did not catch up");
    let written = store.count_questions().expect("count");
    row(
        "paced (≤ 512 queued)",
        BURST_RECORDS,
        written,
        recorder.dropped(),
        start.elapsed(),
    );
    drop(recorder);

    // Stall: another connection holds the write lock for STALL (a disk
    // that stops answering looks the same to the writer) while questions
    // keep coming at STALL_RATE a second.
    let (store, recorder) = open_recorder(&dir, "stall");
    let blocker = rusqlite::Connection::open(&store.settings().path).expect("second connection");
    blocker.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let stall_records = (STALL.as_secs_f64() * STALL_RATE) as u64;
    let start = Instant::now();
    for user in 0..stall_records {
        let due = Duration::from_secs_f64(user as f64 / STALL_RATE);
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
        recorder.record(record(user));
    }
    blocker.execute_batch("COMMIT").expect("unlock");
    assert!(recorder.flush(WAIT), "the writer did not catch up");
    let written = store.count_questions().expect("count");
    row(
        &format!(
            "{} s stall, {STALL_RATE:.0} records/s arriving",
            STALL.as_secs()
        ),
        stall_records,
        written,
        recorder.dropped(),
        start.elapsed(),
    );
    drop(recorder);
    println!("\n{burst}");

    // Forget-me on the big log: through the writer, as the bot does it,
    // each member's one row found among its rows, and the -wal emptied.
    let recorder = big_recorder;
    let mut took = Vec::new();
    for i in 0..FORGET_MEMBERS {
        let user = i * (BIG_RECORDS / FORGET_MEMBERS);
        let start = Instant::now();
        assert_eq!(recorder.forget(user).expect("forget"), 1, "member {user}");
        took.push(start.elapsed());
    }
    took.sort();
    println!("\n| forget-me | log rows | members | p50 | max |");
    println!("|---|---|---|---|---|");
    println!(
        "| one member's rows, -wal emptied | {BIG_RECORDS} | {FORGET_MEMBERS} | {:.1} ms | {:.1} ms |",
        percentile(&took, 50.0).as_secs_f64() * 1e3,
        percentile(&took, 100.0).as_secs_f64() * 1e3
    );
    drop(recorder);

    // Reply cost with logging off, on, and off again (to show the noise).
    let latency_dir = dir.join("latency");
    std::fs::create_dir_all(&latency_dir).expect("temp dir");
    let recorder = Recorder::start(open(&latency_dir));
    let off = latencies(&engine, &questions, None);
    let on = latencies(&engine, &questions, Some(&recorder));
    let off_again = latencies(&engine, &questions, None);
    println!(
        "\n{} questions × {ROUNDS} rounds per row\n",
        questions.len()
    );
    println!("| reply path | p50 | p99 |");
    println!("|---|---|---|");
    for (name, (p50, p99)) in [
        ("answer, logging off", off),
        ("answer + record, logging on", on),
        ("answer, logging off (again)", off_again),
    ] {
        println!(
            "| {name} | {:.1} µs | {:.1} µs |",
            p50.as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6
        );
    }
    println!(
        "\nrecords dropped during the latency run: {}",
        recorder.dropped()
    );
    drop(recorder);

    // The unanswered report at its row cap.
    let mut rng = Lcg(14);
    let base = made_up_questions(&mut rng, 2000, 4, 120);
    let asked: Vec<String> = base
        .iter()
        .flat_map(|q| {
            [
                q.clone(),
                q.clone(),
                typo(&mut rng, q),
                typo(&mut rng, q),
                typo(&mut rng, q),
            ]
        })
        .collect();
    let distinct = made_up_questions(&mut rng, faqbot::store::MAX_REPORT_ROWS, 40, 300);
    println!("\n| unanswered report | rows | grouped | groups | time |");
    println!("|---|---|---|---|---|");
    unanswered_run(&dir, "2,000 questions × 5 (3 with a typo)", &asked);
    unanswered_run(&dir, "10,000 distinct, up to 300 chars", &distinct);
    let _ = std::fs::remove_dir_all(&dir);
}
