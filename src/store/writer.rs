//! The writer thread and the front end's handle to it, the [`Recorder`].
//! The writer takes what has queued up in batches, one transaction each
//! (a commit costs as much as hundreds of inserts), so it keeps up with a
//! burst; forget and flush requests are handled in queue order.

use std::sync::mpsc::{self, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rusqlite::TransactionBehavior;
use tracing::{info, warn};

use super::queue::{Queue, QueueLimits, Sender};
use super::{now, Question, Store, Vote};

/// Rows written in one transaction at most: a commit costs as much as
/// hundreds of inserts, so thousands a batch make it negligible, while the
/// connection (which reports and `/faq-forget-me` share) is held for only
/// tens of milliseconds.
pub const MAX_BATCH: usize = 4096;

/// How long `/faq-forget-me` waits for the writer before giving up.
const FORGET_WAIT: Duration = Duration::from_secs(10);

/// How often the writer deletes rows past retention (and at its start): a
/// row outlives its retention by at most this long while the bot runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// One write for the writer thread.
#[derive(Debug)]
pub enum Record {
    Question(Question),
    Vote(Vote),
    /// Delete a member's rows in every server, after the records queued
    /// before this one; the count (or the error) goes back on `done`.
    Forget {
        user: u64,
        done: SyncSender<rusqlite::Result<usize>>,
    },
    /// Signals `done` once every record queued before it has been handled.
    Flush {
        done: SyncSender<()>,
    },
}

impl Record {
    /// About how much memory the record holds while it waits: the record
    /// itself and its strings. What the byte limit counts.
    pub(super) fn queued_bytes(&self) -> usize {
        let held = match self {
            Record::Question(q) => q.text.capacity() + q.entry.as_ref().map_or(0, String::capacity),
            Record::Vote(v) => v.entry.capacity(),
            Record::Forget { .. } | Record::Flush { .. } => 0,
        };
        std::mem::size_of::<Record>() + held
    }

    /// A row to write (rather than a request that a caller waits on).
    pub(super) fn is_row(&self) -> bool {
        matches!(self, Record::Question(_) | Record::Vote(_))
    }
}

/// The front end's handle: hands records to the writer thread without
/// ever waiting for it (queuing takes a lock the writer holds only to
/// take a batch, never while it writes).
#[derive(Debug, Clone)]
pub struct Recorder {
    store: Arc<Store>,
    queue: Arc<Sender>,
}

impl Recorder {
    /// Starts the writer thread with the default [`QueueLimits`].
    pub fn start(store: Arc<Store>) -> Recorder {
        Recorder::with_limits(store, QueueLimits::default())
    }

    /// Starts the writer thread, which deletes rows past retention at once
    /// and every [`PRUNE_EVERY`] after, and writes queued rows in batches
    /// of up to [`MAX_BATCH`], one transaction each; it ends when every
    /// `Recorder` is dropped, after writing what is still queued.
    pub fn with_limits(store: Arc<Store>, limits: QueueLimits) -> Recorder {
        let queue = Arc::new(Queue::new(limits));
        let (s, q) = (store.clone(), queue.clone());
        let spawned = std::thread::Builder::new()
            .name("faqbot-store".into())
            .spawn(move || write_until_closed(&s, &q));
        if let Err(e) = spawned {
            // Without a writer every record is dropped and counted; replies go on.
            warn!("question log: cannot start the writer thread: {e}");
            queue.writer_stopped();
        }
        Recorder {
            store,
            queue: Arc::new(Sender(queue)),
        }
    }

    /// Queues a record; if the queue is full or the writer is gone, counts it as dropped.
    pub fn record(&self, record: Record) {
        if let Err(why) = self.queue.0.push(record) {
            self.queue.0.drop_records(1, &why);
        }
    }

    /// Deletes a member's rows, including any still queued; blocks until
    /// done, so call it off the async runtime. Without a writer, the rows
    /// are deleted directly.
    pub fn forget(&self, user: u64) -> anyhow::Result<usize> {
        let (done, result) = mpsc::sync_channel(1);
        if self.queue.0.push(Record::Forget { user, done }).is_err() {
            return Ok(self.store.forget(user)?);
        }
        let deleted = result
            .recv_timeout(FORGET_WAIT)
            .context("the question log did not answer in time; please try again")??;
        Ok(deleted)
    }

    /// Waits until every record queued so far is written (or counted as
    /// dropped), for at most `wait`; false if the writer did not get there.
    /// Blocks, so call it off the async runtime: at shutdown, so what
    /// members asked in the last moments is not lost with the process.
    pub fn flush(&self, wait: Duration) -> bool {
        let (done, finished) = mpsc::sync_channel(1);
        if self.queue.0.push(Record::Flush { done }).is_err() {
            return false;
        }
        finished.recv_timeout(wait).is_ok()
    }

    /// Records lost so far (queue full or write failed).
    pub fn dropped(&self) -> u64 {
        self.queue.0.dropped()
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }
}

impl Store {
    /// Writes the questions and votes among `rows` in one transaction: all
    /// of them, or none. (Forget and flush requests are the writer's, and
    /// never passed here.)
    fn write_rows(&self, rows: &[Record]) -> rusqlite::Result<()> {
        let mut db = self.db();
        // IMMEDIATE takes the write lock up front, so a busy database
        // fails the batch at once after the busy timeout, not midway.
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for row in rows {
            match row {
                Record::Question(q) => self.put_question(&tx, q)?,
                Record::Vote(v) => self.put_vote(&tx, v)?,
                Record::Forget { .. } | Record::Flush { .. } => {}
            }
        }
        tx.commit()
    }
}

/// The writer thread: prunes when due, writes batches until the queue is
/// closed and empty.
fn write_until_closed(store: &Store, queue: &Queue) {
    let mut last_prune: Option<Instant> = None;
    loop {
        if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
            last_prune = Some(Instant::now());
            match store.prune(now()) {
                Ok(0) => {}
                Ok(n) => info!(deleted = n, "question log: rows past retention deleted"),
                Err(e) => warn!("question log: cannot delete old rows: {e}"),
            }
        }
        let next_prune =
            last_prune.map_or(Duration::ZERO, |t| PRUNE_EVERY.saturating_sub(t.elapsed()));
        let Some(batch) = queue.take(next_prune, MAX_BATCH) else {
            break;
        };
        write_batch(store, queue, batch);
    }
    queue.writer_stopped();
}

/// Writes a batch in order: the rows between two requests in one
/// transaction, then the request, so a forget or flush sees every row
/// queued before it.
fn write_batch(store: &Store, queue: &Queue, batch: Vec<Record>) {
    let mut rows: Vec<Record> = Vec::with_capacity(batch.len());
    for record in batch {
        match record {
            Record::Forget { user, done } => {
                write_rows(store, queue, &mut rows);
                // The asker may have given up waiting; nothing is lost.
                let _ = done.try_send(store.forget(user));
            }
            Record::Flush { done } => {
                write_rows(store, queue, &mut rows);
                let _ = done.try_send(());
            }
            row => rows.push(row),
        }
    }
    write_rows(store, queue, &mut rows);
}

/// Writes `rows` in one transaction and empties it. If that fails for a
/// reason one row at a time might not (a full disk leaves room for some),
/// each row is tried on its own, so only the rows that cannot be written
/// are lost; a busy database is not retried, as each try would wait out
/// the [`super::BUSY_TIMEOUT`] again while the queue fills. Every lost row is counted.
fn write_rows(store: &Store, queue: &Queue, rows: &mut Vec<Record>) {
    if rows.is_empty() {
        return;
    }
    match store.write_rows(rows) {
        Ok(()) => {}
        Err(e) if rows.len() > 1 && !is_busy(&e) => {
            for row in rows.iter() {
                if let Err(e) = store.write_rows(std::slice::from_ref(row)) {
                    queue.drop_records(1, &e);
                }
            }
        }
        Err(e) => queue.drop_records(rows.len() as u64, &e),
    }
    rows.clear();
}

/// Whether another connection held the lock past the busy timeout.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use crate::store::{Settings, Store};

    /// `flush` returns once every record queued before it is written, and
    /// reports false when the writer cannot get there in time.
    #[test]
    fn flush_waits_for_queued_records() {
        let store = Arc::new(memory(true));
        let recorder = Recorder::start(store.clone());
        let held = store.db();
        for _ in 0..50 {
            recorder.record(Record::Question(question(Outcome::NoMatch, None, "q", NOW)));
        }
        assert!(
            !recorder.flush(Duration::from_millis(100)),
            "the writer is blocked, so the flush cannot finish"
        );
        drop(held);
        assert!(recorder.flush(Duration::from_secs(10)));
        assert_eq!(store.count_questions().unwrap(), 50);
        assert_eq!(recorder.dropped(), 0);
    }

    /// A row that cannot be written (a NaN score, which SQLite stores as
    /// NULL and the schema refuses) costs only itself: the rest of its
    /// batch is written, and it alone is counted as dropped.
    #[test]
    fn one_bad_row_costs_only_itself() {
        let store = Arc::new(memory(true));
        let recorder = Recorder::start(store.clone());
        let held = store.db(); // the rows queue behind it, to go in batches
        for i in 0..21 {
            let mut q = question(Outcome::NoMatch, None, "q", NOW);
            if i == 10 {
                q.score = f64::NAN;
            }
            recorder.record(Record::Question(q));
        }
        drop(held);
        assert!(recorder.flush(Duration::from_secs(10)));
        assert_eq!(store.count_questions().unwrap(), 20);
        assert_eq!(recorder.dropped(), 1);
    }

    /// With the database read-only to the writer (`PRAGMA query_only`, which
    /// holds even for root, unlike file modes), records are still accepted
    /// without waiting and every failed write is counted as dropped.
    #[test]
    fn read_only_database_counts_failures() {
        let store = Arc::new(memory(true));
        store.db().pragma_update(None, "query_only", true).unwrap();
        let recorder = Recorder::start(store.clone());
        let start = Instant::now();
        for _ in 0..20 {
            recorder.record(Record::Question(question(Outcome::NoMatch, None, "q", NOW)));
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "record never waits"
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        while recorder.dropped() < 20 {
            assert!(Instant::now() < deadline, "dropped {}", recorder.dropped());
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(store.count_questions().unwrap(), 0);
    }

    /// A full database ("database or disk is full", here by capping its
    /// pages, which fails the same way a full disk does) drops and counts
    /// records without blocking, and writes resume once there is room.
    #[test]
    fn full_database_drops_and_recovers() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            Store::open(&Settings {
                path: dir.path().join("full.db"),
                ..Settings::default()
            })
            .unwrap(),
        );
        let pages: i64 = store
            .db()
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
        store
            .db()
            .pragma_update(None, "max_page_count", pages)
            .unwrap();
        let recorder = Recorder::start(store.clone());
        let long = "a question long enough to need pages of its own ".repeat(40);
        let start = Instant::now();
        for _ in 0..50 {
            recorder.record(Record::Question(question(
                Outcome::NoMatch,
                None,
                &long,
                NOW,
            )));
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "record never waits"
        );
        assert!(recorder.flush(Duration::from_secs(10)));
        let written = store.count_questions().unwrap();
        assert!(
            recorder.dropped() > 0,
            "the full database refused some records"
        );
        assert_eq!(
            written + recorder.dropped(),
            50,
            "each record written or counted"
        );

        store
            .db()
            .pragma_update(None, "max_page_count", pages * 100)
            .unwrap();
        recorder.record(Record::Question(question(
            Outcome::NoMatch,
            None,
            &long,
            NOW,
        )));
        assert!(recorder.flush(Duration::from_secs(10)));
        assert_eq!(
            store.count_questions().unwrap(),
            written + 1,
            "writes resume"
        );
    }

    /// Forgetting through the recorder also deletes the member's records
    /// still queued behind a busy writer, and only theirs.
    #[test]
    fn forget_includes_queued_records() {
        let store = Arc::new(memory(true));
        let recorder = Recorder::start(store.clone());
        let held = store.db();
        let mut other = question(Outcome::Answer, Some(0.5), "q", NOW);
        other.user = 7;
        recorder.record(Record::Question(question(Outcome::NoMatch, None, "q", NOW)));
        recorder.record(Record::Question(other));
        recorder.record(Record::Vote(vote(NOW, 6, "downtime", true)));
        let r = recorder.clone();
        let forgetting = std::thread::spawn(move || r.forget(6));
        std::thread::sleep(Duration::from_millis(50));
        drop(held);
        assert_eq!(forgetting.join().unwrap().unwrap(), 2);
        assert_eq!(store.count_questions().unwrap(), 1);
        assert_eq!(recorder.dropped(), 0);
    }
}
