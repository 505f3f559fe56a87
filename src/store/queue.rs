//! The queue between the front end and the writer thread: bounded in
//! records and in bytes, so a burst or a stalled disk of several seconds
//! waits in it, and only past those bounds, where memory would otherwise
//! grow without end, are records dropped, counted and warned about.
//! Queuing never waits on the writer: it takes a lock the writer holds
//! only to take a batch, never while it writes.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tracing::warn;

use super::Record;

/// Rows waiting for the writer at most; beyond this (or [`MAX_QUEUED_BYTES`])
/// they are dropped and counted rather than held or made to wait. A second
/// of the writer's work; a stall of the whole [`super::BUSY_TIMEOUT`] at 10,000
/// questions a second (far past any clinic) needs 50,000.
pub const MAX_QUEUED_RECORDS: usize = 65_536;
/// Bytes the waiting rows may hold at most: the cap that keeps memory
/// bounded when questions are long (16,000 of Discord's longest messages;
/// 65,536 typical ones take about a third of it).
pub const MAX_QUEUED_BYTES: usize = 32 << 20;
/// At most one "records dropped" warning per this long, so a broken disk
/// does not flood the log.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// How much the queue may hold before records are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    /// Rows waiting, at most.
    pub records: usize,
    /// Bytes those rows hold, at most (see [`MAX_QUEUED_BYTES`]).
    pub bytes: usize,
}

impl Default for QueueLimits {
    fn default() -> QueueLimits {
        QueueLimits {
            records: MAX_QUEUED_RECORDS,
            bytes: MAX_QUEUED_BYTES,
        }
    }
}

/// The records waiting for the writer, and their size.
#[derive(Debug, Default)]
struct Waiting {
    records: VecDeque<Record>,
    /// Rows among `records` (requests are not counted against the limits).
    rows: usize,
    bytes: usize,
    /// False once every `Recorder` is dropped: the writer writes what is
    /// left and ends.
    open: bool,
    /// False if the writer thread could not start or has ended.
    writer: bool,
}

/// What the front end and the writer share.
#[derive(Debug)]
pub(super) struct Queue {
    waiting: Mutex<Waiting>,
    /// Wakes the writer when a record arrives or the last `Recorder` goes.
    arrived: Condvar,
    limits: QueueLimits,
    dropped: AtomicU64,
    last_warning: Mutex<Option<Instant>>,
}

impl Queue {
    pub(super) fn new(limits: QueueLimits) -> Queue {
        Queue {
            waiting: Mutex::new(Waiting {
                open: true,
                writer: true,
                ..Waiting::default()
            }),
            arrived: Condvar::new(),
            limits,
            dropped: AtomicU64::new(0),
            last_warning: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // Nothing here is left half-changed by a panic; keep using it.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `record`, or drops it and says why not. Rows count against
    /// the limits; requests (forget, flush) do not: each has a caller
    /// waiting on it, so there are never many.
    pub(super) fn push(&self, record: Record) -> Result<(), &'static str> {
        let bytes = record.queued_bytes();
        let row = record.is_row();
        let mut waiting = self.lock();
        if !waiting.writer {
            return Err("the writer has stopped");
        }
        if row && (waiting.rows >= self.limits.records || waiting.bytes + bytes > self.limits.bytes)
        {
            return Err("the queue is full");
        }
        waiting.records.push_back(record);
        if row {
            waiting.rows += 1;
            waiting.bytes += bytes;
        }
        drop(waiting);
        self.arrived.notify_one();
        Ok(())
    }

    /// Counts `n` lost records and warns, at most once per [`WARN_EVERY`].
    pub(super) fn drop_records(&self, n: u64, why: &dyn fmt::Display) {
        let total = self.dropped.fetch_add(n, Ordering::Relaxed) + n;
        let mut last = self
            .last_warning
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.is_none_or(|t| t.elapsed() >= WARN_EVERY) {
            *last = Some(Instant::now());
            warn!(
                dropped = total,
                "question log: a record was not written: {why}"
            );
        }
    }

    /// Records lost so far.
    pub(super) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// From now on every record is dropped: there is no writer to take it.
    pub(super) fn writer_stopped(&self) {
        self.lock().writer = false;
    }

    /// The next records to write, at most `max_rows` rows, oldest first;
    /// waits for some until `timeout`. Empty on a timeout, `None` once the
    /// queue is closed and empty.
    pub(super) fn take(&self, timeout: Duration, max_rows: usize) -> Option<Vec<Record>> {
        let mut waiting = self.lock();
        if waiting.records.is_empty() && waiting.open {
            waiting = self
                .arrived
                .wait_timeout_while(waiting, timeout, |w| w.records.is_empty() && w.open)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if waiting.records.is_empty() {
            return waiting.open.then(Vec::new);
        }
        let mut batch = Vec::new();
        let mut rows = 0;
        while rows < max_rows {
            let Some(record) = waiting.records.pop_front() else {
                break;
            };
            if record.is_row() {
                rows += 1;
                waiting.bytes -= record.queued_bytes();
            }
            batch.push(record);
        }
        waiting.rows -= rows;
        Some(batch)
    }
}

/// Closes the queue when the last [`super::Recorder`] is dropped, so the
/// writer writes what is left and ends.
#[derive(Debug)]
pub(super) struct Sender(pub(super) Arc<Queue>);

impl Drop for Sender {
    fn drop(&mut self) {
        self.0.lock().open = false;
        self.0.arrived.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use crate::store::Recorder;

    /// With the writer stuck and the queue full, records are dropped and
    /// counted at once instead of blocking the caller.
    #[test]
    fn full_queue_drops_without_blocking() {
        let store = Arc::new(memory(true));
        let limits = QueueLimits {
            records: 2,
            ..QueueLimits::default()
        };
        let recorder = Recorder::with_limits(store.clone(), limits);
        let held = store.db(); // the writer cannot write while this is held
        let start = Instant::now();
        for _ in 0..10 {
            recorder.record(Record::Question(question(Outcome::NoMatch, None, "q", NOW)));
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "record never waits"
        );
        // The writer holds at most one batch (at most the queue's two), the
        // queue two more: at least six dropped.
        assert!(recorder.dropped() >= 6, "dropped {}", recorder.dropped());
        drop(held);
        // Once the writer is free, the queued records are written.
        let deadline = Instant::now() + Duration::from_secs(10);
        while store.count_questions().unwrap() + recorder.dropped() < 10 {
            assert!(Instant::now() < deadline, "the writer did not catch up");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The queue is bounded in bytes too: with the writer stuck, long
    /// questions are dropped once their bytes reach the limit, while short
    /// ones still fit in what is left.
    #[test]
    fn queue_is_bounded_in_bytes() {
        let store = Arc::new(memory(true));
        let long = "word ".repeat(400);
        let size = |text: &str| std::mem::size_of::<Record>() + text.len();
        // Room for ten long questions and five short ones.
        let limits = QueueLimits {
            records: 1000,
            bytes: 10 * size(&long) + 5 * size("q"),
        };
        let recorder = Recorder::with_limits(store.clone(), limits);
        let held = store.db();
        for _ in 0..100 {
            recorder.record(Record::Question(question(
                Outcome::NoMatch,
                None,
                &long,
                NOW,
            )));
        }
        let dropped = recorder.dropped();
        // Ten fit in the queue, and the writer may hold up to ten taken before it.
        assert!((80..=90).contains(&dropped), "dropped {dropped}");
        for _ in 0..5 {
            recorder.record(Record::Question(question(Outcome::NoMatch, None, "q", NOW)));
        }
        drop(held);
        assert!(recorder.flush(Duration::from_secs(10)));
        let written = store.count_questions().unwrap();
        assert_eq!(written + recorder.dropped(), 105, "each written or counted");
        assert!(written >= 10 + 5, "wrote {written}");
    }

    /// A stall of the writer (here the connection held, as a slow disk or
    /// a long report would) is absorbed: a burst of 20,000 records, 20
    /// times what the old queue held, waits in the queue, none is dropped,
    /// and all are written once the writer moves again.
    #[test]
    fn stalled_writer_loses_nothing_of_a_burst() {
        const BURST: u64 = 20_000;
        let store = Arc::new(memory(true));
        let recorder = Recorder::start(store.clone());
        let held = store.db();
        for user in 0..BURST {
            let mut q = question(Outcome::Answer, Some(0.5), "q", NOW);
            q.user = user;
            recorder.record(Record::Question(q));
        }
        assert_eq!(recorder.dropped(), 0);
        drop(held);
        assert!(recorder.flush(Duration::from_secs(60)));
        assert_eq!(store.count_questions().unwrap(), BURST);
        assert_eq!(recorder.dropped(), 0);
    }
}
