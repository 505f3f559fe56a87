//! End-to-end latency of `/faq`: `cargo bench --bench discord`.
//!
//! The real bot binary (the release build under `cargo bench`) runs on the
//! shipped FAQ against the Discord stand-in from tests/support. After
//! READY, 1,000 `/faq` INTERACTION_CREATE events go out one after another,
//! and each is timed from dispatching the event on the gateway to the
//! interaction callback reaching the stand-in's REST port. The bot's
//! resident memory is read from /proc after the run.
//!
//! The stand-in records requests without timestamps and its waits poll
//! every 20 ms, too coarse for this; so the bot's REST traffic goes through
//! a byte-for-byte TCP relay in this process, which notes the instant each
//! callback's request line arrives and passes everything on unchanged.
//!
//! The first interaction is slow (some 25 to 35 ms) because of the stand-in,
//! not the bot: its gateway socket leaves Nagle's algorithm on, so the
//! event waits for the bot's delayed ACK of READY. With `set_nodelay(true)`
//! on that socket it takes about 1 ms. The table's second row leaves it out.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use faqbot::reply::NO_MATCH_TEXT;
use serde_json::json;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Interactions sent, one after another.
const INTERACTIONS: usize = 1_000;
/// First interaction id; each one after adds 1.
const FIRST_ID: u64 = 920_000_000_000_000_000;

/// Bursts of 5,000 events (tests/support's `burst`) after the sequential run.
const BURSTS_MEASURED: usize = 5;
const FIRST_BURST_ID: u64 = 930_000_000_000_000_000;

/// The mix: what members ask, and what the engine must say to each.
const QUESTIONS: &[(&str, &str)] = &[
    ("how many sesions do i need", "answer"),
    ("how much does microneedling cost?", "answer"),
    ("does microneedling hurt?", "answer"),
    ("how long is the downtime after microneedling", "answer"),
    ("can i wear makeup after microneedling", "answer"),
    ("is microneedling safe for dark skin", "answer"),
    ("how do i book a consultation", "answer"),
    ("microneedling vs laser for acne scars", "answer"),
    ("qwzx blorf vindaloo snark", "no_match"),
    (
        "I had microneedling 5 days ago and now I have a fever and pus",
        "urgent",
    ),
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[(((sorted.len() - 1) as f64) * p / 100.0).round() as usize]
}

/// `VmRSS` and `VmHWM` of process `pid`, in KiB, from /proc (Linux).
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Finds interaction callbacks' request lines in one direction of the relay.
/// Bytes arrive in arbitrary pieces, so an unfinished line is kept for the next.
#[derive(Default)]
struct CallbackScanner {
    pending: Vec<u8>,
}

impl CallbackScanner {
    const START: &'static [u8] = b"POST /";

    /// Interaction ids of the callbacks whose request line `chunk` completes.
    fn feed(&mut self, chunk: &[u8]) -> Vec<u64> {
        self.pending.extend_from_slice(chunk);
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(at) = find(&self.pending[from..], Self::START) {
            let start = from + at;
            let Some(len) = find(&self.pending[start..], b"\r\n") else {
                // The line is not complete yet: keep it for the next chunk.
                self.pending.drain(..start);
                return found;
            };
            let line = String::from_utf8_lossy(&self.pending[start..start + len]);
            let path = line.split(' ').nth(1).unwrap_or("").split('?').next();
            if let Some(path) = path.filter(|p| p.ends_with("/callback")) {
                let mut segments = path.split('/').skip_while(|s| *s != "interactions");
                if let Some(id) = segments.nth(1).and_then(|s| s.parse().ok()) {
                    found.push(id);
                }
            }
            from = start + len;
        }
        // No request line begins here; keep only what could be the start of one.
        let keep = self.pending.len().min(Self::START.len() - 1);
        self.pending.drain(..self.pending.len() - keep);
        found
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A TCP relay in front of the stand-in's REST port; sends `(interaction id,
/// arrival)` for every interaction callback that passes through.
async fn start_relay(upstream: String) -> (String, mpsc::UnboundedReceiver<(u64, Instant)>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the relay port");
    let addr = listener.local_addr().expect("relay address");
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let _ = client.set_nodelay(true);
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let _ = server.set_nodelay(true);
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let up = async move {
                    let mut scanner = CallbackScanner::default();
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match client_read.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let arrived = Instant::now();
                        for id in scanner.feed(&buf[..n]) {
                            let _ = tx.send((id, arrived));
                        }
                        if server_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = server_write.shutdown().await;
                };
                let down = async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                    let _ = client_write.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    (format!("http://{addr}"), rx)
}

/// One table row: p50, p99 and max of `samples`, then `rest`.
fn row(name: &str, samples: &[Duration], rest: &str) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "| {name} | {:.0} µs | {:.0} µs | {:.0} µs | {rest} |",
        us(percentile(&sorted, 50.0)),
        us(percentile(&sorted, 99.0)),
        us(*sorted.last().expect("samples")),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Measure only under `cargo bench` (which passes --bench); `cargo test
    // --benches` runs harness-less benches with no arguments, and then a
    // build check is all that is wanted.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }

    let engine = engine();
    for (question, kind) in QUESTIONS {
        assert_eq!(
            engine.answer(question).outcome().as_str(),
            *kind,
            "precondition: the engine's verdict on {question:?}"
        );
    }
    let urgent_message = engine.faq().meta.urgent_message.clone();

    let faq: PathBuf = concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml").into();
    let fake = FakeDiscord::start().await;
    let upstream = fake
        .base
        .strip_prefix("http://")
        .expect("the stand-in serves plain HTTP")
        .to_owned();
    let (relay, mut callbacks) = start_relay(upstream).await;
    // Later settings win over Bot::spawn's own: the bot talks to the relay.
    let mut bot = Bot::spawn(&fake, &faq, &[("DISCORD_API_BASE", relay)]);
    let pid = bot.child.id().expect("the bot has a process id");
    tokio::select! {
        _ = fake.wait_ready() => {}
        status = bot.child.wait() => panic!("the bot exited ({status:?}) before it was ready; its stderr is above"),
    }

    let mut samples = Vec::with_capacity(INTERACTIONS);
    let started = Instant::now();
    for i in 0..INTERACTIONS {
        let id = FIRST_ID + i as u64;
        let (question, _) = QUESTIONS[i % QUESTIONS.len()];
        let payload = interaction(
            id,
            2,
            command(
                "faq",
                json!([{"name": "question", "type": 3, "value": question}]),
            ),
            member(MEMBER_ID, "0", &[]),
        );
        let sent = Instant::now();
        fake.dispatch("INTERACTION_CREATE", payload);
        let (got, arrived) = tokio::select! {
            got = tokio::time::timeout(WAIT, callbacks.recv()) => match got {
                Ok(Some(got)) => got,
                Ok(None) => panic!("the relay stopped before the response to interaction {id}"),
                Err(_) => panic!("timed out after {WAIT:?} waiting for the response to interaction {id} ({question:?})"),
            },
            status = bot.child.wait() => panic!("the bot exited ({status:?}) during the run; its stderr is above"),
        };
        assert_eq!(
            got, id,
            "the callback answers the interaction just sent, one at a time"
        );
        samples.push(arrived.saturating_duration_since(sent));
    }
    let wall = started.elapsed();

    // The stand-in saw every callback, on known routes, with the expected reply.
    let requests = wait_for("the stand-in to record every callback", || {
        let requests = fake.requests();
        let n = requests
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/callback"))
            .count();
        (n >= INTERACTIONS).then_some(requests)
    })
    .await;
    assert!(
        fake.failures().is_empty(),
        "the bot called unknown routes: {:?}",
        fake.failures()
    );
    let bodies: HashMap<u64, &serde_json::Value> = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/callback"))
        .filter_map(|r| Some((r.path.split('/').nth(2)?.parse().ok()?, &r.body)))
        .collect();
    for i in 0..INTERACTIONS {
        let id = FIRST_ID + i as u64;
        let (question, kind) = QUESTIONS[i % QUESTIONS.len()];
        let body = bodies
            .get(&id)
            .unwrap_or_else(|| panic!("no callback recorded for interaction {id}"));
        let data = &body["data"];
        let ok = match kind {
            "answer" => data["embeds"].as_array().is_some_and(|e| !e.is_empty()),
            "no_match" => data["content"]
                .as_str()
                .is_some_and(|c| c.starts_with(NO_MATCH_TEXT)),
            _ => data["content"] == urgent_message.as_str(),
        };
        assert!(
            ok,
            "interaction {id} ({question:?}) expected {kind}: {body}"
        );
    }

    let (rss, hwm) = memory_kib(pid);
    let first = samples[0];

    // Bursts: everything at once, five times over, to see memory level off.
    let mut bursts = Vec::with_capacity(BURSTS_MEASURED);
    for k in 0..BURSTS_MEASURED as u64 {
        let started = Instant::now();
        burst(&fake, FIRST_BURST_ID + k * 10_000_000).await;
        let took = started.elapsed();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (rss, hwm) = memory_kib(pid);
        bursts.push((took, rss, hwm));
    }
    let max_at = (0..samples.len()).max_by_key(|&i| samples[i]).unwrap_or(0);

    bot.child.kill().await.expect("stop the bot");

    println!(
        "Command: `cargo bench --bench discord` (runs `faqbot --faq faq.toml run` against the loopback stand-in)\n"
    );
    println!(
        "{INTERACTIONS} sequential `/faq` interactions, {} questions in turn ({} answered, 1 no-match, 1 urgent); \
         time from dispatching INTERACTION_CREATE to the callback reaching the stand-in\n",
        QUESTIONS.len(),
        QUESTIONS.iter().filter(|(_, k)| *k == "answer").count()
    );
    println!("| interactions | p50 | p99 | max | bot VmRSS after | bot VmHWM |");
    println!("|---|---|---|---|---|---|");
    let memory = format!(
        "{:.1} MiB | {:.1} MiB",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    row(&format!("all {INTERACTIONS}"), &samples, &memory);
    row(
        &format!("2nd to {INTERACTIONS}th (no warm-up)"),
        &samples[1..],
        "– | –",
    );
    println!(
        "\nThen {BURSTS_MEASURED} bursts of {} events each, all dispatched at once: {BURST_INTERACTIONS} `/faq` from distinct members and \
         {BURST_MESSAGES} mentions from distinct members over {BURST_CHANNELS} channels (cooldowns hold most channel replies back).\n",
        BURST_INTERACTIONS + BURST_MESSAGES
    );
    println!("| burst | every interaction answered after | bot VmRSS 1 s later | bot VmHWM |");
    println!("|---|---|---|---|");
    for (k, (took, rss, hwm)) in bursts.iter().enumerate() {
        println!(
            "| {} | {:.0} ms | {:.1} MiB | {:.1} MiB |",
            k + 1,
            took.as_secs_f64() * 1e3,
            *rss as f64 / 1024.0,
            *hwm as f64 / 1024.0
        );
    }
    println!(
        "\nFirst interaction (warm-up, included above): {:.0} µs; max was interaction #{}; whole run {:.2} s.",
        first.as_secs_f64() * 1e6,
        max_at + 1,
        wall.as_secs_f64()
    );
}
