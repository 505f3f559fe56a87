//! The question log: SQLite, written by one background thread so that a
//! slow or failing disk never delays or breaks a reply, and read back for
//! staff reports (`faqbot stats`, `faqbot unanswered`).
//!
//! - `settings`: where and what to store, from the environment.
//! - `record`: what is logged, and which words of a question are kept.
//! - `schema`: the tables and their migrations.
//! - `key`: the hashing key file and the member hashes.
//! - this module: [`Store`], opening the log and writing, pruning and
//!   forgetting rows.
//! - `report`: `stats` and `unanswered`.
//! - `queue`: what waits for the writer, bounded in records and bytes.
//! - `writer`: the writer thread, and the [`Recorder`] that feeds it.
//!
//! Storage speaks plain ids (`u64`), never Discord types.
//!
//! Deleted means gone: `secure_delete` zeroes deleted rows in place, and
//! after `/faq-forget-me` and each retention prune the write-ahead log is
//! checkpointed and truncated, so no copy of a deleted question is left in
//! `<db>-wal`. The database is created owner-only (0600) before SQLite
//! opens it, and SQLite gives `-wal` and `-shm` the same mode.

mod daily;
mod key;
mod queue;
mod record;
mod report;
mod schema;
mod settings;
#[cfg(test)]
mod testing;
mod writer;

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context as _};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension as _};
use tracing::warn;

pub use crate::matcher::paraphrase::{Group, PARAPHRASE_SIMILARITY};
pub use daily::{Daily, DayCount};
pub use key::key_path;
pub use queue::{QueueLimits, MAX_QUEUED_BYTES, MAX_QUEUED_RECORDS};
pub use record::{kept_text, now, Channel, Outcome, Question, Vote, MAX_KEPT_CHARS};
pub use report::{unanswered_text, Feedback, Scope, Stats, MAX_REPORT_ROWS, TOP_ENTRIES};
pub use schema::SCHEMA_VERSION;
pub use settings::{Settings, DEFAULT_DB, DEFAULT_RETENTION_DAYS};
pub use writer::{Record, Recorder, MAX_BATCH, PRUNE_EVERY};

/// How long a write waits for another connection's lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Seconds in a day: retention and report windows are whole days.
const DAY_SECS: i64 = 24 * 60 * 60;

/// Member hashes forget-me looks for in one pass over the questions (one
/// per server the log has seen, and two more): every server of a bot in
/// hundreds fits in one pass, and SQLite allows 32,766 parameters.
const HASHES_PER_PASS: usize = 1000;

/// Every server the log holds rows of. Questions' servers are found by
/// stepping through the (guild, time) index one server at a time, not by
/// reading every row; votes are few, one per member and entry.
const SERVERS: &str = "
    WITH RECURSIVE server(guild) AS (
        SELECT min(guild) FROM questions
        UNION ALL
        SELECT (SELECT min(guild) FROM questions WHERE guild > server.guild)
        FROM server WHERE server.guild IS NOT NULL
    )
    SELECT guild FROM server WHERE guild IS NOT NULL
    UNION
    SELECT guild FROM feedback WHERE guild IS NOT NULL";

/// Permission bits that let anyone but the owner read or write a file.
#[cfg(unix)]
const NOT_OWNER_BITS: u32 = 0o077;

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
        let version = schema::version(&conn, path)?;
        schema::refuse_newer(version, path)?;
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
        schema::migrate(&mut conn, version)
            .with_context(|| format!("cannot migrate {}", path.display()))?;
        let key = if memory {
            key::random_key()?
        } else {
            let key = key::load_for_log(path, row_count(&conn)?)?;
            warn_if_shared(path);
            warn_if_shared(&key_path(path));
            key
        };
        Ok(Store {
            db: Mutex::new(conn),
            key,
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
        schema::refuse_other(schema::version(&conn, path)?, path)?;
        Ok(Store {
            db: Mutex::new(conn),
            // Never used to hash anyone: a report only counts and lists.
            key: key::random_key()?,
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

    pub fn insert_question(&self, q: &Question) -> rusqlite::Result<()> {
        self.put_question(&self.db(), q)
    }

    /// A member's vote on an entry; a later vote replaces an earlier one.
    pub fn vote(&self, vote: &Vote) -> rusqlite::Result<()> {
        self.put_vote(&self.db(), vote)
    }

    fn put_question(&self, db: &Connection, q: &Question) -> rusqlite::Result<()> {
        let text = kept_text(q, self.settings.store_text);
        // Cached: a batch prepares the statement once.
        db.prepare_cached(
            "INSERT INTO questions (time, guild, channel, user_hash, outcome, entry, score, margin, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
                q.time,
                sql_id(q.guild),
                q.channel,
                self.member_hash(q.guild, q.user),
                q.outcome,
                q.entry,
                q.score,
                q.margin,
                text
            ])?;
        Ok(())
    }

    fn put_vote(&self, db: &Connection, vote: &Vote) -> rusqlite::Result<()> {
        db.prepare_cached(
            "INSERT INTO feedback (user_hash, entry, helpful, time, guild) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (user_hash, entry) DO UPDATE
             SET helpful = excluded.helpful, time = excluded.time, guild = excluded.guild",
        )?
        .execute(params![
            self.member_hash(vote.guild, vote.user),
            vote.entry,
            vote.helpful,
            vote.time,
            sql_id(vote.guild)
        ])?;
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
    /// Questions have no index by member (see schema 3), so this reads the
    /// table once for all of the member's hashes.
    pub fn forget(&self, user: u64) -> rusqlite::Result<usize> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let guilds: Vec<i64> = tx
            .prepare(SERVERS)?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut hashes = vec![self.user_hash(user), self.member_hash(None, user)];
        hashes.extend(
            guilds
                .into_iter()
                .filter_map(|g| u64::try_from(g).ok())
                .map(|g| self.member_hash(Some(g), user)),
        );
        let mut deleted = 0;
        for chunk in hashes.chunks(HASHES_PER_PASS) {
            let list = vec!["?"; chunk.len()].join(", ");
            let chunk = rusqlite::params_from_iter(chunk);
            deleted += tx.execute(
                &format!("DELETE FROM questions WHERE user_hash IN ({list})"),
                chunk.clone(),
            )?;
            deleted += tx.execute(
                &format!("DELETE FROM feedback WHERE user_hash IN ({list})"),
                chunk,
            )?;
        }
        tx.commit()?;
        truncate_wal(&db)?;
        Ok(deleted)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::MIGRATIONS;
    use crate::store::testing::*;
    use rusqlite::Connection;

    /// Forget finds a member's rows in more servers than one pass looks
    /// for (questions and votes alike), and leaves everyone else's.
    #[test]
    fn forget_reaches_every_server() {
        let store = memory(true);
        let servers = HASHES_PER_PASS as u64 + 5;
        for guild in 1..=servers {
            for user in [6, 7] {
                let mut q = question(Outcome::NoMatch, None, "q", NOW);
                (q.guild, q.user) = (Some(guild), user);
                store.insert_question(&q).unwrap();
            }
            store
                .vote(&Vote {
                    guild: Some(guild),
                    ..vote(NOW, 6, "downtime", true)
                })
                .unwrap();
        }
        assert_eq!(store.forget(6).unwrap() as u64, 2 * servers);
        assert_eq!(
            store.count_questions().unwrap(),
            servers,
            "member 7's rows stay"
        );
        assert_eq!(store.forget(7).unwrap() as u64, servers);
        assert_eq!(row_count(&store.db()).unwrap(), 0);
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
