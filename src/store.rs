//! The question log: SQLite, written by one background thread so that a
//! slow or failing disk never delays or breaks a reply, and read back for
//! staff reports (`faqbot stats`, `faqbot unanswered`).
//!
//! Storage speaks plain ids (`u64`), never Discord types. Members are kept
//! only as a keyed hash of their server and id: the key lives in a separate
//! file beside the database (`<db>.key`, mode 0600), so the table alone
//! cannot be reversed by hashing every known id, and the same member's
//! rows in two servers cannot be linked without it.
//!
//! Deleted means gone: `secure_delete` zeroes deleted rows in place, and
//! after `/faq-forget-me` and each retention prune the write-ahead log is
//! checkpointed and truncated, so no copy of a deleted question is left in
//! `<db>-wal`. The database is created owner-only (0600) before SQLite
//! opens it, and SQLite gives `-wal` and `-shm` the same mode.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension as _};
use tracing::{info, warn};

use crate::text::normalise;

/// The database file when `FAQBOT_DB` is unset.
pub const DEFAULT_DB: &str = "faqbot.db";
/// How long rows are kept when `FAQBOT_RETENTION_DAYS` is unset: a month
/// is enough to see what members ask, and no longer than that is needed.
pub const DEFAULT_RETENTION_DAYS: u64 = 30;
/// Records waiting for the writer; beyond this they are dropped (and
/// counted) rather than held in memory or made to wait.
pub const QUEUE_CAPACITY: usize = 1024;
/// How long a write waits for another connection's lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Two unanswered questions this similar (normalised Levenshtein, 0 to 1)
/// are one paraphrase group: catches typos and small rewordings.
pub const PARAPHRASE_SIMILARITY: f64 = 0.8;
/// Characters of a question's text kept at most: `/faq` allows 300, and
/// what a staff member needs to see what was asked fits in that.
pub const MAX_KEPT_CHARS: usize = 300;
/// Unanswered rows an `unanswered` report reads at most, newest first:
/// several months of a busy clinic, and it bounds the report's time and
/// memory (10,000 group in well under 2 s; see BENCHMARKS.md).
pub const MAX_REPORT_ROWS: usize = 10_000;
/// How many entries `stats` lists as most asked.
pub const TOP_ENTRIES: usize = 10;
/// At most one "records dropped" warning per this long, so a broken disk
/// does not flood the log.
const WARN_EVERY: Duration = Duration::from_secs(60);
/// How long `/faq-forget-me` waits for the writer before giving up.
const FORGET_WAIT: Duration = Duration::from_secs(10);
/// How often [`Recorder::flush`] retries while the queue is full.
const FLUSH_RETRY: Duration = Duration::from_millis(5);
/// How often the writer deletes rows past retention (and at its start): a
/// row outlives its retention by at most this long while the bot runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);
const DAY_SECS: i64 = 24 * 60 * 60;
/// Length of the random hashing key, in bytes.
const KEY_LEN: usize = 32;
/// Permission bits that let anyone but the owner read or write a file.
#[cfg(unix)]
const NOT_OWNER_BITS: u32 = 0o077;
/// Domain tag of a per-server member hash, so it can never equal the
/// older hash of the id alone (which hashed 8 bytes, not 17).
const PER_SERVER_TAG: u8 = 1;

/// The schema, one step per version: `PRAGMA user_version` is how many have run.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        guild INTEGER,
        channel TEXT NOT NULL CHECK (channel IN ('slash', 'mention', 'channel')),
        user_hash TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('answer', 'no_match', 'urgent')),
        entry TEXT,
        score REAL NOT NULL,
        margin REAL,
        text TEXT
    );
    CREATE INDEX questions_time ON questions (time);
    CREATE INDEX questions_user ON questions (user_hash);
    CREATE TABLE feedback (
        user_hash TEXT NOT NULL,
        entry TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        time INTEGER NOT NULL,
        PRIMARY KEY (user_hash, entry)
    );
    CREATE INDEX feedback_time ON feedback (time);
",
    "
    -- 2: reports are per server: one bot may serve several clinics.
    ALTER TABLE feedback ADD COLUMN guild INTEGER;
    CREATE INDEX questions_guild_time ON questions (guild, time);
",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Where and what to store, from `FAQBOT_DB`, `FAQBOT_RETENTION_DAYS` and `FAQBOT_STORE_TEXT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The database file, or `:memory:`.
    pub path: PathBuf,
    pub retention_days: u64,
    /// Whether question text may be kept at all.
    pub store_text: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            path: DEFAULT_DB.into(),
            retention_days: DEFAULT_RETENTION_DAYS,
            store_text: true,
        }
    }
}

impl Settings {
    /// The settings from `var`, which returns a variable's value if it is set.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Settings> {
        let mut s = Settings::default();
        if let Some(path) = var("FAQBOT_DB").filter(|p| !p.trim().is_empty()) {
            s.path = path.trim().into();
        }
        if let Some(days) = var("FAQBOT_RETENTION_DAYS") {
            s.retention_days = days.trim().parse().with_context(|| {
                format!("FAQBOT_RETENTION_DAYS must be a whole number of days, got {days:?}")
            })?;
        }
        if let Some(flag) = var("FAQBOT_STORE_TEXT") {
            s.store_text = match flag.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" => false,
                _ => bail!("FAQBOT_STORE_TEXT must be true or false, got {flag:?}"),
            };
        }
        Ok(s)
    }
}

/// Where a question was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Slash,
    Mention,
    /// A plain message in an opened channel.
    Channel,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Slash => "slash",
            Channel::Mention => "mention",
            Channel::Channel => "channel",
        }
    }
}

/// What the bot replied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answer,
    NoMatch,
    Urgent,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answer => "answer",
            Outcome::NoMatch => "no_match",
            Outcome::Urgent => "urgent",
        }
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
        use crate::Reply;
        let (outcome, margin) = match reply {
            Reply::Answer { margin, .. } => (Outcome::Answer, Some(*margin)),
            Reply::NoMatch { .. } => (Outcome::NoMatch, None),
            Reply::Urgent { .. } => (Outcome::Urgent, None),
        };
        Question {
            time: now(),
            guild,
            channel,
            user,
            outcome,
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

/// The open database and the hashing key.
pub struct Store {
    db: Mutex<Connection>,
    key: ring::hmac::Key,
    settings: Settings,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates, owner-only) the database, refuses one written by
    /// a newer faqbot without changing it, migrates an older one and loads
    /// (or, for a new log, makes) the key. Refuses a log with rows whose key
    /// file is missing: a new key would cut members off from their rows.
    /// Rows past retention are deleted by the [`Recorder`]'s writer, at its
    /// start and every [`PRUNE_EVERY`], so a report never deletes anything.
    pub fn open(settings: &Settings) -> anyhow::Result<Store> {
        let path = &settings.path;
        let memory = path.as_os_str() == ":memory:";
        let conn = if memory {
            Connection::open_in_memory()
        } else {
            create_owner_only(path)?;
            Connection::open(path)
        }
        .with_context(|| format!("cannot open the database {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Read before anything writes, so a newer database is left as it was.
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .with_context(|| {
                format!("cannot read {} (is it a SQLite database?)", path.display())
            })?;
        if version > SCHEMA_VERSION {
            bail!(
                "{} was written by a newer faqbot (schema version {version}; this one knows up to {SCHEMA_VERSION}); left unchanged: upgrade faqbot or point FAQBOT_DB elsewhere",
                path.display()
            );
        }
        // Deleted rows are overwritten with zeros, not just unlinked.
        conn.pragma_update(None, "secure_delete", true)?;
        if !memory {
            let _: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            // In WAL mode NORMAL syncs at checkpoints, not at every commit: a
            // killed process loses nothing committed (the WAL is in the OS's
            // hands), only a power cut can cost the last few records, and a
            // log line is not worth an fsync per question.
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        let mut conn = conn;
        migrate(&mut conn, version)
            .with_context(|| format!("cannot migrate {}", path.display()))?;
        let key = if memory {
            random_key()?
        } else {
            let key_file = key_path(path);
            if !key_file.exists() {
                let rows = row_count(&conn)?;
                if rows > 0 {
                    bail!(
                        "the key file {key} is missing, but {db} holds {rows} row(s) filed under it: \
                         a new key would cut every member off from their own rows (/faq-forget-me \
                         could not find them), so the question log was not started. Restore {key} \
                         from the backup you made with the database (they belong together), or, to \
                         start a new log, move {db} (and its -wal and -shm files) away",
                        key = key_file.display(),
                        db = path.display(),
                    );
                }
            }
            let key = load_key(&key_file)?;
            warn_if_shared(path);
            warn_if_shared(&key_file);
            key
        };
        Ok(Store {
            db: Mutex::new(conn),
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
            settings: settings.clone(),
        })
    }

    /// Opens an existing log for a report (a missing file is an error, not a new log).
    pub fn open_existing(path: &Path) -> anyhow::Result<Store> {
        if path.as_os_str() != ":memory:" && !path.exists() {
            bail!(
                "no question log at {} (the bot writes it there when it runs; see FAQBOT_DB)",
                path.display()
            );
        }
        Store::open(&Settings {
            path: path.to_owned(),
            ..Settings::default()
        })
    }

    /// Opens an existing log read-only, for `faqbot stats` and `faqbot
    /// unanswered`: nothing is migrated, created or changed, no key file is
    /// read or made (reports never hash a member), and a database the
    /// reader may not write (another user's, or a backup) still reads.
    pub fn open_read_only(path: &Path) -> anyhow::Result<Store> {
        if !path.exists() {
            bail!(
                "no question log at {} (the bot writes it there when it runs; see FAQBOT_DB)",
                path.display()
            );
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the database {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .with_context(|| {
                format!("cannot read {} (is it a SQLite database?)", path.display())
            })?;
        if version != SCHEMA_VERSION {
            bail!(
                "{} has schema version {version}, and this faqbot reads version {SCHEMA_VERSION}: \
                 {}; reports never change the log",
                path.display(),
                if version > SCHEMA_VERSION {
                    "upgrade faqbot"
                } else {
                    "start `faqbot run` once with this FAQBOT_DB to migrate it"
                }
            );
        }
        Ok(Store {
            db: Mutex::new(conn),
            // Never used to hash anyone: a report only counts and lists.
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &random_key()?),
            settings: Settings {
                path: path.to_owned(),
                ..Settings::default()
            },
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-write leaves SQLite consistent; keep using it.
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The hash older faqbots filed a member under, in every server alike
    /// (hex HMAC-SHA-256 of the id). Kept so `/faq-forget-me` still finds
    /// rows written before hashes were per server.
    pub fn user_hash(&self, user: u64) -> String {
        hex(ring::hmac::sign(&self.key, &user.to_be_bytes()).as_ref())
    }

    /// The keyed hash a member's rows in one server are filed under (hex
    /// HMAC-SHA-256 of the server and the id): the same member in two
    /// servers gets two unrelated hashes.
    pub fn member_hash(&self, guild: Option<u64>, user: u64) -> String {
        let mut input = [0u8; 17];
        input[0] = PER_SERVER_TAG;
        input[1..9].copy_from_slice(&guild.unwrap_or(0).to_be_bytes());
        input[9..].copy_from_slice(&user.to_be_bytes());
        hex(ring::hmac::sign(&self.key, &input).as_ref())
    }

    pub fn insert_question(&self, q: &Question) -> rusqlite::Result<()> {
        let text = kept_text(q, self.settings.store_text);
        self.db().execute(
            "INSERT INTO questions (time, guild, channel, user_hash, outcome, entry, score, margin, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                q.time,
                sql_id(q.guild),
                q.channel.as_str(),
                self.member_hash(q.guild, q.user),
                q.outcome.as_str(),
                q.entry,
                q.score,
                q.margin,
                text
            ],
        )?;
        Ok(())
    }

    /// A member's vote on an entry; a later vote replaces an earlier one.
    pub fn vote(&self, vote: &Vote) -> rusqlite::Result<()> {
        self.db().execute(
            "INSERT INTO feedback (user_hash, entry, helpful, time, guild) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (user_hash, entry) DO UPDATE
             SET helpful = excluded.helpful, time = excluded.time, guild = excluded.guild",
            params![
                self.member_hash(vote.guild, vote.user),
                vote.entry,
                vote.helpful,
                vote.time,
                sql_id(vote.guild)
            ],
        )?;
        Ok(())
    }

    /// Deletes questions and votes older than the retention; returns how
    /// many. When anything was deleted, the write-ahead log is emptied too,
    /// so no copy of a deleted question outlives the prune.
    pub fn prune(&self, now: i64) -> rusqlite::Result<usize> {
        let days = i64::try_from(self.settings.retention_days).unwrap_or(i64::MAX / DAY_SECS);
        let cutoff = now.saturating_sub(days.saturating_mul(DAY_SECS));
        let db = self.db();
        let q = db.execute("DELETE FROM questions WHERE time < ?1", [cutoff])?;
        let f = db.execute("DELETE FROM feedback WHERE time < ?1", [cutoff])?;
        if q + f > 0 {
            truncate_wal(&db)?;
        }
        Ok(q + f)
    }

    /// Deletes every question and vote of a member, in every server (their
    /// per-server hashes, and the hash older faqbots used), then empties the
    /// write-ahead log so no copy of them is left on disk; returns how many.
    pub fn forget(&self, user: u64) -> rusqlite::Result<usize> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let guilds: Vec<Option<i64>> = tx
            .prepare("SELECT guild FROM questions UNION SELECT guild FROM feedback")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut hashes = vec![self.user_hash(user), self.member_hash(None, user)];
        hashes.extend(
            guilds
                .into_iter()
                .flatten()
                .filter_map(|g| u64::try_from(g).ok())
                .map(|g| self.member_hash(Some(g), user)),
        );
        let mut deleted = 0;
        for hash in &hashes {
            deleted += tx.execute("DELETE FROM questions WHERE user_hash = ?1", [hash])?;
            deleted += tx.execute("DELETE FROM feedback WHERE user_hash = ?1", [hash])?;
        }
        tx.commit()?;
        truncate_wal(&db)?;
        Ok(deleted)
    }

    /// Counts over the last `days` days in `scope`.
    pub fn stats(&self, days: u64, scope: Scope) -> rusqlite::Result<Stats> {
        self.stats_at(days, scope, now())
    }

    fn stats_at(&self, days: u64, scope: Scope, now: i64) -> rusqlite::Result<Stats> {
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
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, count(r, 2)?))
        })? {
            let (outcome, channel, n) = row?;
            stats.total += n;
            match outcome.as_str() {
                "answer" => stats.answered += n,
                "no_match" => stats.no_match += n,
                "urgent" => stats.urgent += n,
                _ => {}
            }
            match channel.as_str() {
                "slash" => stats.slash += n,
                "mention" => stats.mention += n,
                "channel" => stats.channel += n,
                _ => {}
            }
        }
        let mut top = db.prepare(
            "SELECT entry, COUNT(*) AS n FROM questions
             WHERE time >= ?1 AND (?2 IS NULL OR guild = ?2)
               AND outcome = 'answer' AND entry IS NOT NULL
             GROUP BY entry ORDER BY n DESC, entry LIMIT ?3",
        )?;
        stats.top = top
            .query_map(params![since, guild, TOP_ENTRIES as i64], |r| {
                Ok((r.get(0)?, count(r, 1)?))
            })?
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

    fn unanswered_at(
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
                   AND outcome = 'no_match' AND text IS NOT NULL
                 ORDER BY time DESC LIMIT ?4",
            )?;
            let texts = rows
                .query_map(
                    params![
                        since(days, now),
                        scope.guild(),
                        MAX_KEPT_CHARS as i64,
                        MAX_REPORT_ROWS as i64
                    ],
                    |r| r.get(0),
                )?
                .collect::<Result<_, _>>()?;
            texts
        };
        let mut groups = group_paraphrases(texts.iter().map(String::as_str));
        groups.truncate(limit);
        Ok(groups)
    }

    /// How many questions are stored in all (for tests and checks).
    pub fn count_questions(&self) -> rusqlite::Result<u64> {
        self.db()
            .query_row("SELECT COUNT(*) FROM questions", [], |r| count(r, 0))
    }

    /// The stored text of the latest question, if any (for tests and checks).
    pub fn last_text(&self) -> rusqlite::Result<Option<String>> {
        Ok(self
            .db()
            .query_row(
                "SELECT text FROM questions ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }
}

/// A count column (SQLite integers are signed).
fn count(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<u64> {
    Ok(row.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
}

/// A Discord id as SQLite stores it (signed; ids fit, as snowflakes stay below 2^63).
fn sql_id(id: Option<u64>) -> Option<i64> {
    id.and_then(|g| i64::try_from(g).ok())
}

fn since(days: u64, now: i64) -> i64 {
    let days = i64::try_from(days).unwrap_or(i64::MAX / DAY_SECS);
    now.saturating_sub(days.saturating_mul(DAY_SECS))
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Rows in the log's tables (0 for a new, empty log).
fn row_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT (SELECT COUNT(*) FROM questions) + (SELECT COUNT(*) FROM feedback)",
        [],
        |r| count(r, 0),
    )
}

/// Copies the write-ahead log into the database and truncates it to zero
/// bytes, so the pages of deleted rows it still held are gone from disk.
/// A reader holding an old snapshot can stop it: that is logged, and the
/// next forget or prune tries again.
fn truncate_wal(db: &Connection) -> rusqlite::Result<()> {
    let busy: i64 = db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        warn!("question log: another connection was reading, so deleted rows may stay in the -wal file until the next forget or prune");
    }
    Ok(())
}

/// Creates the database file owner-only (0600) if it does not exist yet,
/// before SQLite opens it: SQLite gives the `-wal` and `-shm` files the
/// database's mode, so all three stay private whatever the umask.
fn create_owner_only(path: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create the database {}", path.display())),
    }
}

/// Warns when a log file can be read or written by anyone but its owner
/// (it holds members' questions, or the key to their hashes).
fn warn_if_shared(path: &Path) {
    if let Some(mode) = shared_mode(path) {
        warn!(
            "{} is readable or writable by others (mode {mode:o}): run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
}

/// The file's mode if group or others have any access to it.
#[cfg(unix)]
pub fn shared_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & NOT_OWNER_BITS != 0).then_some(mode)
}

#[cfg(not(unix))]
pub fn shared_mode(_path: &Path) -> Option<u32> {
    None
}

fn migrate(conn: &mut Connection, from: i64) -> rusqlite::Result<()> {
    for (i, step) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// `<db>.key` beside the database.
pub fn key_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".key");
    name.into()
}

fn random_key() -> anyhow::Result<[u8; KEY_LEN]> {
    use ring::rand::SecureRandom as _;
    let mut key = [0u8; KEY_LEN];
    ring::rand::SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| anyhow::anyhow!("no system randomness for the hashing key"))?;
    Ok(key)
}

/// Reads the key file, or creates it (owner-only) with a fresh random key.
fn load_key(path: &Path) -> anyhow::Result<[u8; KEY_LEN]> {
    match std::fs::read(path) {
        Ok(bytes) => bytes.try_into().map_err(|b: Vec<u8>| {
            anyhow::anyhow!(
                "{} should hold {KEY_LEN} bytes, not {}",
                path.display(),
                b.len()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use std::io::Write as _;
            let key = random_key()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .with_context(|| format!("cannot create the key file {}", path.display()))?;
            file.write_all(&key)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write the key file {}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read the key file {}", path.display())),
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
    fn guild(self) -> Option<i64> {
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

/// Unanswered questions that read the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The most asked wording.
    pub text: String,
    pub count: u64,
    /// The other wordings, most asked first.
    pub variants: Vec<String>,
}

/// Through any one word, a wording is compared with at most this many
/// groups, the most asked first: a common word ("can", "i", "after") names
/// thousands of groups, and walking them all would make grouping quadratic.
const GROUPS_PER_WORD: usize = 32;
/// The groups sharing the most (rarity-weighted) words with a wording that
/// are compared with it by edit distance: a paraphrase shares most of its
/// words, and above all its rare ones, with its group.
const MAX_CANDIDATES: usize = 8;

/// Groups texts by normalised equality, then joins each wording (most
/// asked first) to the earliest group whose first wording is at least
/// [`PARAPHRASE_SIMILARITY`] alike (normalised Levenshtein). Not every pair
/// is compared, so this stays near-linear: a wording meets only groups that
/// share a word with it (through each word, the [`GROUPS_PER_WORD`] most
/// asked), are of a length within the allowed edits, and are among the
/// [`MAX_CANDIDATES`] sharing the most words. A wording that shares only
/// common words with a rarely asked paraphrase stays in a group of its own
/// (a longer list, never a wrong merge). Most asked groups first; ties by
/// text, so the order is stable.
pub fn group_paraphrases<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<Group> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for t in texts {
        let t: String = normalise(t).chars().take(MAX_KEPT_CHARS).collect();
        let t = t.trim_end();
        if !t.is_empty() {
            *counts.entry(t.to_owned()).or_default() += 1;
        }
    }
    let mut distinct: Vec<(String, u64)> = counts.into_iter().collect();
    distinct.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut groups: Vec<Group> = Vec::new();
    // Each group's first wording, as characters, and which groups use a word.
    let mut heads: Vec<Vec<char>> = Vec::new();
    let mut head_grams: Vec<Vec<u64>> = Vec::new();
    let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
    // Words shared with each group for the current wording, each weighted
    // by its rarity (1 / groups using it), so one rare word outweighs many
    // common ones (dense, reset per wording).
    let mut shared: Vec<f32> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    for (text, n) in distinct {
        let chars: Vec<char> = text.chars().collect();
        let grams = trigrams(&chars);
        let mut words: Vec<&str> = text.split_whitespace().collect();
        words.sort_unstable();
        words.dedup();
        for w in &words {
            let Some(ids) = by_word.get(*w) else { continue };
            // Groups are made most asked first, so these are the most asked.
            let weight = 1.0 / ids.len() as f32;
            for &g in ids.iter().take(GROUPS_PER_WORD) {
                if shared[g] == 0.0 {
                    touched.push(g);
                }
                shared[g] += weight;
            }
        }
        let mut candidates: Vec<(f32, usize)> = touched
            .drain(..)
            .map(|g| (std::mem::take(&mut shared[g]), g))
            .filter(|&(_, g)| heads[g].len().abs_diff(chars.len()) <= max_edits(&heads[g], &chars))
            .collect();
        candidates.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.truncate(MAX_CANDIDATES);
        let joined = candidates
            .iter()
            .map(|&(_, g)| g)
            .filter(|&g| {
                let k = max_edits(&heads[g], &chars);
                may_be_within(&head_grams[g], &grams, heads[g].len().max(chars.len()), k)
                    && within_edits(&heads[g], &chars, k)
            })
            .min();
        match joined {
            Some(g) => {
                groups[g].count += n;
                groups[g].variants.push(text);
            }
            None => {
                let id = groups.len();
                for w in &words {
                    by_word.entry((*w).to_owned()).or_default().push(id);
                }
                heads.push(chars);
                head_grams.push(grams);
                shared.push(0.0);
                groups.push(Group {
                    text,
                    count: n,
                    variants: Vec::new(),
                });
            }
        }
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    groups
}

/// The most edits two wordings may differ by and still be
/// [`PARAPHRASE_SIMILARITY`] alike: `1 - d / longer >= similarity`.
fn max_edits(a: &[char], b: &[char]) -> usize {
    let longer = a.len().max(b.len()) as f64;
    // The epsilon keeps an exact boundary (d / longer == 1 - similarity) inside.
    ((1.0 - PARAPHRASE_SIMILARITY) * longer + 1e-9).floor() as usize
}

/// The text's character trigrams, each packed in a `u64` (a `char` fits in
/// 21 bits), sorted.
fn trigrams(chars: &[char]) -> Vec<u64> {
    let mut grams: Vec<u64> = chars
        .windows(3)
        .map(|w| (u64::from(w[0]) << 42) | (u64::from(w[1]) << 21) | u64::from(w[2]))
        .collect();
    grams.sort_unstable();
    grams
}

/// Ukkonen's q-gram count filter, in O(length): two texts within `k` edits
/// share at least `longer - 2 - 3k` trigrams (each edit destroys at most
/// three). False means they cannot be within `k`; true means maybe, and the
/// edit distance decides. It spares the costlier distance for nearly every
/// unrelated pair.
fn may_be_within(a: &[u64], b: &[u64], longer: usize, k: usize) -> bool {
    let needed = longer.saturating_sub(2).saturating_sub(3 * k);
    if needed == 0 {
        return true;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared >= needed
}

/// Whether the Levenshtein distance of `a` and `b` is at most `k`, in
/// O(k · length): only the diagonal band `|i - j| <= k` can stay within
/// `k`, and a row whose best is past `k` ends the search.
fn within_edits(a: &[char], b: &[char], k: usize) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > k {
        return false;
    }
    let far = k + 1;
    let m = b.len();
    let mut prev: Vec<usize> = (0..=m).map(|j| j.min(far)).collect();
    let mut cur = vec![far; m + 1];
    for i in 1..=a.len() {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        cur[0] = i.min(far);
        cur[lo - 1] = if lo == 1 { cur[0] } else { far };
        let mut best = cur[lo - 1];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let v = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            cur[j] = v.min(far);
            best = best.min(cur[j]);
        }
        if hi < m {
            cur[hi + 1] = far;
        }
        if best > k {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] <= k
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

/// What the front end and the writer share.
#[derive(Debug, Default)]
struct Shared {
    dropped: AtomicU64,
    last_warning: Mutex<Option<Instant>>,
}

impl Shared {
    /// Counts a lost record and warns, at most once per [`WARN_EVERY`].
    fn drop_one(&self, why: &dyn fmt::Display) {
        let total = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
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
}

/// The front end's handle: hands records to the writer thread without
/// ever waiting for it.
#[derive(Debug, Clone)]
pub struct Recorder {
    store: Arc<Store>,
    tx: SyncSender<Record>,
    shared: Arc<Shared>,
}

impl Recorder {
    /// Starts the writer thread with a [`QUEUE_CAPACITY`] queue.
    pub fn start(store: Arc<Store>) -> Recorder {
        Recorder::with_capacity(store, QUEUE_CAPACITY)
    }

    /// Starts the writer thread, which deletes rows past retention at once
    /// and every [`PRUNE_EVERY`] after; it ends when every `Recorder` is dropped.
    pub fn with_capacity(store: Arc<Store>, capacity: usize) -> Recorder {
        let (tx, rx) = mpsc::sync_channel::<Record>(capacity);
        let shared = Arc::new(Shared::default());
        let (s, sh) = (store.clone(), shared.clone());
        let spawned = std::thread::Builder::new()
            .name("faqbot-store".into())
            .spawn(move || {
                let mut last_prune: Option<Instant> = None;
                loop {
                    if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                        last_prune = Some(Instant::now());
                        match s.prune(now()) {
                            Ok(0) => {}
                            Ok(n) => {
                                info!(deleted = n, "question log: rows past retention deleted")
                            }
                            Err(e) => warn!("question log: cannot delete old rows: {e}"),
                        }
                    }
                    let next_prune = last_prune
                        .map_or(Duration::ZERO, |t| PRUNE_EVERY.saturating_sub(t.elapsed()));
                    match rx.recv_timeout(next_prune) {
                        Ok(record) => {
                            let written = match &record {
                                Record::Question(q) => s.insert_question(q),
                                Record::Vote(vote) => s.vote(vote),
                                Record::Forget { user, done } => {
                                    // The asker may have given up waiting; nothing is lost.
                                    let _ = done.try_send(s.forget(*user));
                                    Ok(())
                                }
                                Record::Flush { done } => {
                                    let _ = done.try_send(());
                                    Ok(())
                                }
                            };
                            if let Err(e) = written {
                                sh.drop_one(&e);
                            }
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            });
        if let Err(e) = spawned {
            // Without a writer every record is dropped and counted; replies go on.
            warn!("question log: cannot start the writer thread: {e}");
        }
        Recorder { store, tx, shared }
    }

    /// Queues a record; if the queue is full or the writer is gone, counts it as dropped.
    pub fn record(&self, record: Record) {
        match self.tx.try_send(record) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => self.shared.drop_one(&"the queue is full"),
            Err(TrySendError::Disconnected(_)) => self.shared.drop_one(&"the writer has stopped"),
        }
    }

    /// Deletes a member's rows, including any still queued; blocks until
    /// done, so call it off the async runtime. If the queue is full, the
    /// rows are deleted directly (a record still queued may then survive).
    pub fn forget(&self, user: u64) -> anyhow::Result<usize> {
        let (done, result) = mpsc::sync_channel(1);
        let record = Record::Forget { user, done };
        if self.tx.try_send(record).is_err() {
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
        let deadline = Instant::now() + wait;
        let mut record = Record::Flush { done };
        // The queue may be full right now; it drains while we retry.
        loop {
            match self.tx.try_send(record) {
                Ok(()) => break,
                Err(TrySendError::Full(back)) if Instant::now() < deadline => {
                    record = back;
                    std::thread::sleep(FLUSH_RETRY);
                }
                Err(_) => return false,
            }
        }
        finished
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok()
    }

    /// Records lost so far (queue full or write failed).
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = DAY_SECS;
    const NOW: i64 = 1_800_000_000;

    fn memory(store_text: bool) -> Store {
        Store::open(&Settings {
            path: ":memory:".into(),
            retention_days: 30,
            store_text,
        })
        .expect("open an in-memory store")
    }

    fn vote(time: i64, user: u64, entry: &str, helpful: bool) -> Vote {
        Vote {
            time,
            guild: Some(3),
            user,
            entry: entry.to_owned(),
            helpful,
        }
    }

    fn question(outcome: Outcome, margin: Option<f64>, text: &str, time: i64) -> Question {
        Question {
            time,
            guild: Some(3),
            channel: Channel::Slash,
            user: 6,
            outcome,
            entry: (outcome == Outcome::Answer).then(|| "session-count".to_owned()),
            score: 0.5,
            margin,
            text: text.to_owned(),
        }
    }

    /// A new file is migrated to the current version and reopens cleanly;
    /// the key file is created owner-only.
    #[test]
    fn migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            path: dir.path().join("q.db"),
            ..Settings::default()
        };
        let store = Store::open(&settings).unwrap();
        let hash = store.user_hash(6);
        store
            .insert_question(&question(Outcome::NoMatch, None, "x", now()))
            .unwrap();
        drop(store);
        let store = Store::open(&settings).unwrap();
        assert_eq!(store.count_questions().unwrap(), 1);
        assert_eq!(store.user_hash(6), hash, "the key is kept across opens");
        let version: i64 = store
            .db()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(key_path(&settings.path))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    /// A database from a newer faqbot is refused with a clear error and
    /// its bytes are left exactly as they were.
    #[test]
    fn refuses_newer_schema_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&Settings {
            path: path.clone(),
            ..Settings::default()
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("newer faqbot") && err.contains("99"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(
            !key_path(&path).exists(),
            "no key made for a refused database"
        );
    }

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

    /// Rows past retention are deleted; newer ones stay.
    #[test]
    fn retention_deletes_old_rows() {
        let store = memory(true);
        for age_days in [0, 29, 31, 400] {
            store
                .insert_question(&question(Outcome::NoMatch, None, "q", NOW - age_days * DAY))
                .unwrap();
        }
        store
            .vote(&vote(NOW - 31 * DAY, 6, "session-count", true))
            .unwrap();
        store.vote(&vote(NOW, 6, "downtime", true)).unwrap();
        assert_eq!(store.prune(NOW).unwrap(), 3);
        assert_eq!(store.count_questions().unwrap(), 2);
        assert_eq!(
            store.stats_at(365, Scope::All, NOW).unwrap().feedback.len(),
            1
        );
    }

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

    /// A version-1 database (before votes carried their server) is migrated
    /// in place; its rows survive and new votes record the server.
    #[test]
    fn migrates_a_version_one_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(
                "INSERT INTO feedback VALUES ('h', 'downtime', 1, 1800000000);
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        // Its key, kept beside it as the bot made it.
        std::fs::write(key_path(&path), random_key().unwrap()).unwrap();
        let store = Store::open(&Settings {
            path,
            ..Settings::default()
        })
        .unwrap();
        let version: i64 = store
            .db()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        store.vote(&vote(NOW, 6, "downtime", false)).unwrap();
        let all = store.stats_at(1, Scope::All, NOW).unwrap();
        assert_eq!(
            (all.feedback[0].helpful, all.feedback[0].not_helpful),
            (1, 1)
        );
        let three = store.stats_at(1, Scope::Guild(3), NOW).unwrap();
        assert_eq!(
            (three.feedback[0].helpful, three.feedback[0].not_helpful),
            (0, 1)
        );
    }

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

    /// Paraphrases (same normalised text, or close by edit distance) form one
    /// group; different questions stay apart; most asked first.
    #[test]
    fn paraphrases_grouped() {
        let groups = group_paraphrases([
            "Can I dye my hair after?",
            "can i dye my hair after",
            "can i dye my hiar after",
            "does it work on stretch marks",
            "Does it work on stretch marks?",
            "does it work on strech marks",
            "does it work on stretch marks",
            "what about tattoos",
        ]);
        let summary: Vec<(&str, u64, usize)> = groups
            .iter()
            .map(|g| (g.text.as_str(), g.count, g.variants.len()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("does it work on stretch marks", 4, 1),
                ("can i dye my hair after", 3, 1),
                ("what about tattoos", 1, 0),
            ]
        );
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

    /// With the writer stuck and the queue full, records are dropped and
    /// counted at once instead of blocking the caller.
    #[test]
    fn full_queue_drops_without_blocking() {
        let store = Arc::new(memory(true));
        let recorder = Recorder::with_capacity(store.clone(), 2);
        let held = store.db(); // the writer cannot write while this is held
        let start = Instant::now();
        for _ in 0..10 {
            recorder.record(Record::Question(question(Outcome::NoMatch, None, "q", NOW)));
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "record never waits"
        );
        // The writer holds at most one record, the queue two: at least seven dropped.
        assert!(recorder.dropped() >= 7, "dropped {}", recorder.dropped());
        drop(held);
        // Once the writer is free, the queued records are written.
        let deadline = Instant::now() + Duration::from_secs(10);
        while store.count_questions().unwrap() + recorder.dropped() < 10 {
            assert!(Instant::now() < deadline, "the writer did not catch up");
            std::thread::sleep(Duration::from_millis(10));
        }
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

    /// Settings come from the environment with defaults; bad values are errors.
    #[test]
    fn settings_from_env() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(Settings::from_vars(vars(&[])).unwrap(), Settings::default());
        let s = Settings::from_vars(vars(&[
            ("FAQBOT_DB", "/tmp/x.db"),
            ("FAQBOT_RETENTION_DAYS", "7"),
            ("FAQBOT_STORE_TEXT", "false"),
        ]))
        .unwrap();
        assert_eq!(
            (s.path, s.retention_days, s.store_text),
            ("/tmp/x.db".into(), 7, false)
        );
        assert!(Settings::from_vars(vars(&[("FAQBOT_STORE_TEXT", "nope")])).is_err());
        assert!(Settings::from_vars(vars(&[("FAQBOT_RETENTION_DAYS", "-1")])).is_err());
    }

    /// The banded edit-distance check agrees with strsim's normalised
    /// Levenshtein at the paraphrase threshold, on typos, rewordings,
    /// unrelated questions, empty and very unequal lengths.
    #[test]
    fn banded_distance_agrees_with_strsim() {
        let texts = [
            "",
            "a",
            "ab",
            "can i dye my hair after",
            "can i dye my hiar after",
            "can i dye my hair afterwards",
            "could i dye my hair after",
            "what about tattoos",
            "what about my tattoos",
            "does it work on stretchmarks",
            "does it work on strech marks",
            "does it work on stretch marks please tell me",
            "hairdye",
            "hair dye",
            "abcdefghij",
            "abcdefghjk",
            "bcdefghijk",
        ];
        for a in texts {
            for b in texts {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let want = strsim::normalized_levenshtein(a, b) >= PARAPHRASE_SIMILARITY;
                let got = within_edits(&ca, &cb, max_edits(&ca, &cb));
                assert_eq!(got, want, "{a:?} vs {b:?}");
                let exact = strsim::levenshtein(a, b);
                let longer = ca.len().max(cb.len());
                for k in 0..12 {
                    assert_eq!(
                        within_edits(&ca, &cb, k),
                        exact <= k,
                        "{a:?} vs {b:?}, k {k}"
                    );
                    if exact <= k {
                        assert!(
                            may_be_within(&trigrams(&ca), &trigrams(&cb), longer, k),
                            "the trigram filter rejected {a:?} vs {b:?} within {k}"
                        );
                    }
                }
            }
        }
    }

    /// With many groups sharing their common words, a wording still joins
    /// its own group: through its rare word when a common one is misspelt,
    /// and through the common words when its group is among the most asked.
    #[test]
    fn grouping_with_many_groups() {
        // 500 unrelated 20-letter words (a fixed linear congruential sequence).
        let mut seed: u64 = 7;
        let mut word = || -> String {
            (0..20)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    char::from(b'a' + (seed >> 59) as u8 % 26)
                })
                .collect()
        };
        let words: Vec<String> = (0..500).map(|_| word()).collect();
        let ask = |w: &str| format!("can i use {w} after my session");
        let mut texts: Vec<String> = words.iter().map(|w| ask(w)).collect();
        // A typo in a common word, on a group asked once.
        texts.push(format!("can i use {} aftr my session", words[250]));
        // A typo in the one rare word, on the most asked group.
        texts.extend(std::iter::repeat_n(ask(&words[7]), 3));
        let mut swapped: Vec<char> = words[7].chars().collect();
        swapped.swap(2, 3);
        let swapped: String = swapped.into_iter().collect();
        texts.push(ask(&swapped));
        let groups = group_paraphrases(texts.iter().map(String::as_str));
        let merged: Vec<&Group> = groups.iter().filter(|g| !g.variants.is_empty()).collect();
        assert_eq!(groups.len(), 500, "every typo joined a group: {merged:?}");
        let group = |head: &str| groups.iter().find(|g| g.text == head).expect(head);
        assert_eq!(group(&ask(&words[7])).variants, vec![ask(&swapped)]);
        assert_eq!(
            group(&ask(&words[250])).variants,
            vec![format!("can i use {} aftr my session", words[250])]
        );
    }

    /// A member's rows are filed under a different hash in each server, and
    /// forget finds them all, and the rows older faqbots filed under the
    /// hash of the id alone, and no one else's.
    #[test]
    fn member_hash_per_server_and_forget_finds_all() {
        let store = memory(true);
        assert_ne!(store.member_hash(Some(3), 6), store.member_hash(Some(4), 6));
        assert_ne!(store.member_hash(Some(3), 6), store.member_hash(Some(3), 7));
        assert_ne!(store.member_hash(None, 6), store.user_hash(6));
        for guild in [Some(3), Some(4), None] {
            let mut q = question(Outcome::NoMatch, None, "q", NOW);
            q.guild = guild;
            store.insert_question(&q).unwrap();
            store
                .vote(&Vote {
                    guild,
                    ..vote(NOW, 6, "downtime", true)
                })
                .unwrap();
        }
        let mut other = question(Outcome::NoMatch, None, "q", NOW);
        other.user = 7;
        store.insert_question(&other).unwrap();
        // A row as an older faqbot wrote it: the id's hash, no server in it.
        store
            .db()
            .execute(
                "INSERT INTO questions (time, guild, channel, user_hash, outcome, score)
                 VALUES (?1, 5, 'slash', ?2, 'answer', 0.5)",
                params![NOW, store.user_hash(6)],
            )
            .unwrap();
        let hashes: i64 = store
            .db()
            .query_row("SELECT COUNT(DISTINCT user_hash) FROM questions", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(
            hashes, 5,
            "three servers' hashes, the old one, and member 7"
        );
        assert_eq!(store.forget(6).unwrap(), 7);
        assert_eq!(store.count_questions().unwrap(), 1, "member 7's row stays");
    }

    /// A log with rows whose key file is missing is refused, saying what
    /// happened and how to restore the key, and no new key is made; a new
    /// log gets its key; with the key back the log opens.
    #[test]
    fn lost_key_refuses_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            path: dir.path().join("q.db"),
            ..Settings::default()
        };
        let key = key_path(&settings.path);
        let store = Store::open(&settings).unwrap();
        assert!(key.exists(), "a new log gets its key");
        store
            .insert_question(&question(Outcome::NoMatch, None, "x", now()))
            .unwrap();
        drop(store);
        let saved = std::fs::read(&key).unwrap();
        std::fs::remove_file(&key).unwrap();
        let err = format!("{:#}", Store::open(&settings).unwrap_err());
        assert!(
            err.contains("key file") && err.contains("missing") && err.contains("Restore"),
            "{err}"
        );
        assert!(!key.exists(), "no new key made over the lost one");
        std::fs::write(&key, saved).unwrap();
        assert_eq!(
            Store::open(&settings).unwrap().count_questions().unwrap(),
            1
        );
        // An empty log may get a new key: nothing is filed under the old one.
        let empty = Settings {
            path: dir.path().join("empty.db"),
            ..Settings::default()
        };
        drop(Store::open(&empty).unwrap());
        std::fs::remove_file(key_path(&empty.path)).unwrap();
        assert!(Store::open(&empty).is_ok());
    }

    /// The database, its -wal and -shm are created owner-only whatever the
    /// umask; a database others can read is reported by `shared_mode`.
    #[cfg(unix)]
    #[test]
    fn files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let store = Store::open(&Settings {
            path: path.clone(),
            ..Settings::default()
        })
        .unwrap();
        store
            .insert_question(&question(Outcome::NoMatch, None, "x", now()))
            .unwrap();
        for suffix in ["", "-wal", "-shm", ".key"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let mode = std::fs::metadata(&name).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{suffix}");
        }
        assert_eq!(shared_mode(&path), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(shared_mode(&path), Some(0o644));
    }

    /// A report opens the log read-only: no key file is made, an older
    /// schema is not migrated (and is refused with what to do), and the
    /// report reads what the bot wrote.
    #[test]
    fn reports_open_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch("PRAGMA user_version = 1;").unwrap();
        }
        let err = Store::open_read_only(&path).unwrap_err().to_string();
        assert!(err.contains("migrate"), "{err}");
        let version: i64 = Connection::open(&path)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1, "left unmigrated");
        assert!(!key_path(&path).exists());

        let path = dir.path().join("current.db");
        let settings = Settings {
            path: path.clone(),
            ..Settings::default()
        };
        let store = Store::open(&settings).unwrap();
        store
            .insert_question(&question(Outcome::NoMatch, None, "can i swim", NOW))
            .unwrap();
        drop(store);
        std::fs::remove_file(key_path(&path)).unwrap();
        let report = Store::open_read_only(&path).unwrap();
        assert_eq!(report.count_questions().unwrap(), 1);
        assert!(report
            .insert_question(&question(Outcome::NoMatch, None, "x", NOW))
            .is_err());
        assert!(!key_path(&path).exists(), "reports make no key");
    }
}

// ---- chart data (issue #13) ----

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
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, count(r, 2)?))
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
            match outcome.as_str() {
                "answer" => d.answered += n,
                "no_match" => d.no_match += n,
                "urgent" => d.urgent += n,
                _ => {}
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod chart_data_tests {
    use super::*;

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
