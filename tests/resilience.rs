//! Running unattended (issue 5): Discord's REST failing for a while, the
//! gateway closing with resumable, non-resumable and fatal codes, two
//! processes splitting the shards, a burst of 5,000 events, the health
//! file, and the question log flushed at shutdown. All against the
//! stand-in in tests/support, with the real binary.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use support::*;

const TYPO_QUESTION: &str = "how many sesions do i need";

/// The bot's log, for what must never be in it.
fn assert_no_panic(log: &Path) {
    let text = std::fs::read_to_string(log).expect("read the bot's log");
    assert!(
        !text.contains("panicked"),
        "the bot panicked; its log:\n{text}"
    );
}

fn question(text: &str) -> Value {
    json!([{"name": "question", "type": 3, "value": text}])
}

fn callback_path(id: u64) -> String {
    format!("/interactions/{id}/token-{id}/callback")
}

/// An INTERACTION_CREATE for `/faq question:<text>` from `member_id`.
fn faq_interaction(id: u64, text: &str, member_id: u64) -> Value {
    interaction(
        id,
        2,
        command("faq", question(text)),
        member(member_id, "0", &[]),
    )
}

/// Starts the bot with its log captured, and waits until it is ready.
async fn start_logged(env: &[(&str, String)], log: &Path) -> (FakeDiscord, Bot) {
    let fake = FakeDiscord::start().await;
    let mut bot = Bot::spawn_logged(&fake, &shipped_faq(), env, log);
    tokio::select! {
        _ = fake.wait_ready() => {}
        status = bot.child.wait() => panic!(
            "the bot exited ({status:?}) before it was ready: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        ),
    }
    (fake, bot)
}

/// A few 500s and 429s on the reply are retried within the interaction's
/// 3 s; a channel reply waits out a short outage; an outage longer than an
/// interaction's life loses that one reply, logged, and the next question
/// is answered at once. The bot never panics and keeps running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_failures_are_retried_and_survived() {
    let entry = expected_entry(TYPO_QUESTION);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bot.log");
    let (fake, mut bot) = start_logged(&[], &log).await;

    // 1. A blip: three failures, then success, within one interaction.
    fake.fail_next(&[
        Fault::ServerError,
        Fault::RateLimited { retry_after: 0.2 },
        Fault::ServerError,
    ]);
    let path = callback_path(1101);
    fake.dispatch(
        "INTERACTION_CREATE",
        faq_interaction(1101, TYPO_QUESTION, MEMBER_ID),
    );
    let answered = fake
        .wait_request("the retried /faq reply to succeed", 0, |r| {
            r.path == path && r.ok()
        })
        .await;
    assert_eq!(
        answered.body["data"]["embeds"][0]["title"],
        entry.question.as_str()
    );
    assert_eq!(
        fake.count("POST", &path),
        4,
        "three failed attempts, then the one that worked"
    );

    // 2. A short outage: the mention's reply goes out once it is over.
    fake.outage(Duration::from_millis(1500), Fault::ServerError);
    let mention = format!("<@{BOT_ID}> {TYPO_QUESTION}");
    fake.dispatch(
        "MESSAGE_CREATE",
        member_message(1201, CHANNEL_ID, &mention, true, false),
    );
    let messages = format!("/channels/{CHANNEL_ID}/messages");
    fake.wait_request("the mention reply after the outage", 0, |r| {
        r.path == messages && r.ok()
    })
    .await;
    assert!(
        fake.count_where(|r| r.path == messages && !r.ok()) >= 1,
        "the outage did hit the reply"
    );

    // 3. An outage longer than an interaction's life: that reply is lost.
    fake.outage(Duration::from_secs(4), Fault::ServerError);
    let lost = callback_path(1102);
    fake.dispatch(
        "INTERACTION_CREATE",
        faq_interaction(1102, TYPO_QUESTION, MEMBER_ID),
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(fake.count("POST", &lost) >= 2, "the bot retried");
    assert_eq!(fake.count_where(|r| r.path == lost && r.ok()), 0);

    // 4. Discord is back: the next question is answered first time.
    let r = slash(
        &fake,
        1103,
        "faq",
        question(TYPO_QUESTION),
        member(MEMBER_ID, "0", &[]),
    )
    .await;
    assert!(r.ok());
    assert_eq!(fake.count("POST", &callback_path(1103)), 1);
    assert!(
        bot.child.try_wait().unwrap().is_none(),
        "the bot is still running"
    );
    assert_no_panic(&log);
}

/// Sends /faq as interaction `id` and waits for its successful response.
async fn answered(fake: &FakeDiscord, id: u64) -> Recorded {
    slash(
        fake,
        id,
        "faq",
        question(TYPO_QUESTION),
        member(MEMBER_ID, "0", &[]),
    )
    .await
}

/// Gateway closes: 4000 (unknown error) is resumed; 4009 (session timed
/// out) and Invalid Session (not resumable) make the bot identify afresh;
/// after each the bot answers. A 4004 (authentication failed: a revoked
/// token) ends the process with an error that says to check the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_closes_resume_reidentify_or_stop() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bot.log");
    let (fake, mut bot) = start_logged(&[], &log).await;
    type Close = fn(&FakeDiscord);
    let cases: [(&str, Close, usize, usize); 3] = [
        ("close 4000", |f| f.close_connection(4000), 1, 1),
        ("close 4009", |f| f.close_connection(4009), 2, 1),
        ("invalid session", |f| f.invalid_session(false), 3, 1),
    ];
    for (n, (what, close, identifies, resumes)) in cases.into_iter().enumerate() {
        let connections = fake.connections();
        close(&fake);
        wait_for(&format!("the bot to come back after {what}"), || {
            (fake.identifies().len() == identifies && fake.resumes() == resumes).then_some(())
        })
        .await;
        if fake.connections() == connections {
            // Invalid Session may be handled on the same connection.
            assert_eq!(what, "invalid session");
        }
        let r = answered(&fake, 1300 + n as u64).await;
        assert!(r.ok(), "{what}: answered afterwards");
    }
    assert_no_panic(&log);

    fake.close_connection(4004);
    let exit = tokio::time::timeout(WAIT, bot.child.wait())
        .await
        .expect("the bot stops when its token is refused")
        .unwrap();
    assert!(!exit.success(), "a refused token is an error: {exit}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("Discord refused the bot token") && text.contains("Reset Token"),
        "the error says what happened: {text}"
    );
    assert_no_panic(&log);
}

/// Two processes with FAQBOT_SHARDS=2 and complementary ranges identify as
/// shard 0 and shard 1 of 2, and each answers the events on its shard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_split_the_shards() {
    let fake = FakeDiscord::start_with(Options {
        shards: 2,
        ..Options::default()
    })
    .await;
    let _bots: Vec<Bot> = ["0-0", "1-1"]
        .into_iter()
        .map(|range| {
            Bot::spawn(
                &fake,
                &shipped_faq(),
                &[
                    ("FAQBOT_SHARDS", "2".into()),
                    ("FAQBOT_SHARD_RANGE", range.into()),
                ],
            )
        })
        .collect();
    let shards = wait_for("both processes to identify", || {
        let ids = fake.identifies();
        (ids.len() == 2).then(|| {
            ids.iter()
                .map(|d| d["shard"].to_string())
                .collect::<BTreeSet<_>>()
        })
    })
    .await;
    assert_eq!(shards, BTreeSet::from(["[0,2]".into(), "[1,2]".into()]));
    wait_for("both processes to register the commands", || {
        (fake.count_where(|r| r.method == "PUT" && r.path.ends_with("/commands")) == 2)
            .then_some(())
    })
    .await;
    for (shard, id) in [(0, 1401), (1, 1402)] {
        fake.dispatch_to_shard(
            shard,
            "INTERACTION_CREATE",
            faq_interaction(id, TYPO_QUESTION, MEMBER_ID),
        );
        let path = callback_path(id);
        let r = fake
            .wait_request(&format!("shard {shard}'s process to answer"), 0, |r| {
                r.path == path
            })
            .await;
        assert!(r.ok());
    }
    assert_eq!(fake.count_where(|r| r.path.contains("/callback")), 2);
}

/// Bursts of 800 events each (tests/support: `BURST_INTERACTIONS`).
const BURSTS: usize = 5;
/// How far the last burst may end above the highest before it. How much
/// is in flight at the peak of a burst varies from run to run and the
/// allocator keeps the high-water mark, so memory rises for a few bursts
/// and then levels off (measured, debug build: within 6% over the last
/// two); a leak does not level off.
const RSS_GROWTH_LIMIT: f64 = 1.15;
/// Open files after the bursts: idle REST connections are capped at 16
/// (src/discord/mod.rs); uncapped, a burst left about 570 sockets open.
const MAX_OPEN_FILES: usize = 64;

/// A burst of events at once: every interaction is answered exactly once, the
/// channel replies stay within the cooldowns (urgent ones all go out), and
/// a second burst does not grow the bot's memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burst_of_events() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bot.log");
    // A log on disk, as deployed (an in-memory one would grow by design).
    let db = dir.path().join("log.db");
    let (fake, bot) = start_logged(&[("FAQBOT_DB", db.display().to_string())], &log).await;
    let idle = bot.rss_kib();

    burst(&fake, 10_000_000).await;
    // Channel replies trail the interactions a little; let them land.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_first = bot.rss_kib();
    let callbacks = fake.count_where(|r| r.path.ends_with("/callback"));
    assert_eq!(
        callbacks, BURST_INTERACTIONS as usize,
        "each interaction answered once"
    );
    for c in 0..BURST_CHANNELS {
        let path = format!("/channels/{}/messages", CHANNEL_ID + 1000 + c);
        let replies = fake.count("POST", &path);
        // Channel 0 also carries the urgent messages (every fifth of the first ten).
        let urgent = (0..BURST_URGENT)
            .filter(|i| i % BURST_CHANNELS == c)
            .count();
        assert!(
            replies >= urgent && replies <= CHANNEL_BURST + urgent,
            "channel {c}: {replies} replies for {} messages",
            BURST_MESSAGES / BURST_CHANNELS
        );
        assert!(
            replies > urgent,
            "channel {c}: some ordinary replies go out"
        );
    }

    // Memory: the high-water mark settles; it does not climb per event.
    let mut rss = vec![after_first];
    for k in 1..BURSTS as u64 {
        burst(&fake, 10_000_000 * (k + 1)).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push(bot.rss_kib());
    }
    eprintln!("bot RSS idle {idle:?} KiB, after each burst of 5,000 events {rss:?} KiB");
    let rss: Vec<u64> = rss.into_iter().flatten().collect();
    if let Some((&last, earlier)) = rss.split_last().filter(|_| rss.len() == BURSTS) {
        let mark = *earlier.iter().max().unwrap() as f64;
        assert!(
            last as f64 <= mark * RSS_GROWTH_LIMIT,
            "memory kept growing: {rss:?} KiB after each burst"
        );
    }
    if let Some(pid) = bot.child.id() {
        let open = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count());
        if let Ok(open) = open {
            assert!(open <= MAX_OPEN_FILES, "{open} files open after the bursts");
        }
    }
    assert_no_panic(&log);
}

/// The health file says healthy once the shard is connected, `faqbot
/// health` agrees, and after SIGTERM the file is gone and the check fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_file_follows_the_bot() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("faqbot.health");
    let log = dir.path().join("bot.log");
    let (_fake, mut bot) =
        start_logged(&[("FAQBOT_HEALTH_FILE", file.display().to_string())], &log).await;
    let health = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_faqbot"))
            .arg("health")
            .env("FAQBOT_HEALTH_FILE", &file)
            .output()
            .expect("run faqbot health")
    };
    let out = wait_for("faqbot health to report healthy", || {
        let out = health();
        out.status.success().then_some(out)
    })
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 of 1"), "{text}");

    bot.terminate();
    let exit = tokio::time::timeout(WAIT, bot.child.wait())
        .await
        .expect("the bot exits after SIGTERM")
        .unwrap();
    assert!(exit.success());
    assert!(!file.exists(), "a stopped bot leaves no health file");
    let out = health();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("not healthy"));
}

/// Questions answered just before SIGTERM are in the log afterwards: the
/// records still queued are written before the process ends. Another
/// connection holds the database locked while the questions come in, so
/// the records are certainly still queued when SIGTERM arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_records_are_written_at_shutdown() {
    // Many answers queued from many tasks at once, yet few enough that
    // answering them all while the lock is held ends well within the
    // writer's busy timeout on a loaded machine: this tests flushing at
    // shutdown, not answering speed (300 once took over 4.5 s with other
    // bots and a compiler sharing the 2 cores, and the batch timed out).
    const QUESTIONS: u64 = 60;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let log = dir.path().join("bot.log");
    let (fake, mut bot) = start_logged(&[("FAQBOT_DB", db.display().to_string())], &log).await;
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    for i in 0..QUESTIONS {
        fake.dispatch(
            "INTERACTION_CREATE",
            faq_interaction(1500 + i, TYPO_QUESTION, 5_000_000 + i),
        );
    }
    wait_for("every question to be answered", || {
        (fake.count_where(|r| r.path.ends_with("/callback") && r.ok()) == QUESTIONS as usize)
            .then_some(())
    })
    .await;
    bot.terminate();
    // The bot is shutting down with its records queued behind the lock;
    // release it well within the writer's busy timeout.
    tokio::time::sleep(Duration::from_millis(500)).await;
    lock.execute_batch("COMMIT").unwrap();
    drop(lock);
    let exit = tokio::time::timeout(WAIT, bot.child.wait())
        .await
        .expect("the bot exits after SIGTERM")
        .unwrap();
    assert!(exit.success());
    let store = faqbot::store::Store::open_existing(&db).unwrap();
    assert_eq!(store.count_questions().unwrap(), QUESTIONS);
    assert_no_panic(&log);
}
