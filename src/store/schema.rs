//! The schema and its migrations, one step per version: `PRAGMA
//! user_version` is how many have run.
//!
//! Hand-written rather than `rusqlite_migration`: the loop that runs the
//! steps is eight lines, and what the crate would add beyond it we need in
//! our own words anyway: the bot reads the version before anything writes,
//! so a log from a newer faqbot is refused byte for byte untouched, and a
//! report refuses any version but this one rather than migrate (reports
//! never change the log). The crate would also tie every rusqlite upgrade
//! to its own release.

use std::path::Path;

use anyhow::{bail, Context as _};
use rusqlite::Connection;

/// The schema, one step per version: `PRAGMA user_version` is how many have run.
pub(super) const MIGRATIONS: &[&str] = &[
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
    "
    -- 3: member hashes as their 32 bytes, not 64 hex characters: rows half
    -- as big. SQLite cannot change a column's type, so each table is made
    -- again and its rows copied, every hash decoded (a hash that is not
    -- hex fails the step, which then changes nothing). The old tables'
    -- pages are zeroed as they are freed (secure_delete).
    -- And questions get no index on user_hash: a hash is random by design,
    -- so each question went into that index at a random place, every batch
    -- rewrote pages all over it, and writing slowed as the log grew (to
    -- 45,000 rows/s at 200,000 rows). The only query by member is
    -- forget-me, which is rare and reads the table once instead.
    CREATE TABLE questions_blob (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        guild INTEGER,
        channel TEXT NOT NULL CHECK (channel IN ('slash', 'mention', 'channel')),
        user_hash BLOB NOT NULL CHECK (length(user_hash) = 32),
        outcome TEXT NOT NULL CHECK (outcome IN ('answer', 'no_match', 'urgent')),
        entry TEXT,
        score REAL NOT NULL,
        margin REAL,
        text TEXT
    );
    INSERT INTO questions_blob (id, time, guild, channel, user_hash, outcome, entry, score, margin, text)
        SELECT id, time, guild, channel, unhex(user_hash), outcome, entry, score, margin, text
        FROM questions;
    DROP TABLE questions;
    ALTER TABLE questions_blob RENAME TO questions;
    CREATE INDEX questions_time ON questions (time);
    CREATE INDEX questions_guild_time ON questions (guild, time);
    CREATE TABLE feedback_blob (
        user_hash BLOB NOT NULL CHECK (length(user_hash) = 32),
        entry TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        time INTEGER NOT NULL,
        guild INTEGER,
        PRIMARY KEY (user_hash, entry)
    );
    INSERT INTO feedback_blob (user_hash, entry, helpful, time, guild)
        SELECT unhex(user_hash), entry, helpful, time, guild FROM feedback;
    DROP TABLE feedback;
    ALTER TABLE feedback_blob RENAME TO feedback;
    CREATE INDEX feedback_time ON feedback (time);
",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The database's schema version (0 for a new file), read without writing.
pub(super) fn version(conn: &Connection, path: &Path) -> anyhow::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .with_context(|| format!("cannot read {} (is it a SQLite database?)", path.display()))
}

/// For the bot: refuses a database a newer faqbot wrote; called before
/// anything writes, so it is left as it was.
pub(super) fn refuse_newer(version: i64, path: &Path) -> anyhow::Result<()> {
    if version > SCHEMA_VERSION {
        bail!(
            "{} was written by a newer faqbot (schema version {version}; this one knows up to {SCHEMA_VERSION}); left unchanged: upgrade faqbot or point FAQBOT_DB elsewhere",
            path.display()
        );
    }
    Ok(())
}

/// For a report: refuses any version but this build's, as reports never
/// change the log (not even to migrate it).
pub(super) fn refuse_other(version: i64, path: &Path) -> anyhow::Result<()> {
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
    Ok(())
}

/// Runs the steps after `from`, each in its own transaction with the
/// version it reaches, so a failed step leaves the last good version.
pub(super) fn migrate(conn: &mut Connection, from: i64) -> rusqlite::Result<()> {
    for (i, step) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use crate::store::{key_path, Scope, Settings, Store};
    use rusqlite::{params, Connection};

    /// Opens an older log at `path` with its key file beside it (as the bot
    /// made them), and checks that it was migrated to the current version.
    fn open_migrated(path: std::path::PathBuf, key: [u8; 32]) -> Store {
        std::fs::write(key_path(&path), key).unwrap();
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
        store
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
                "INSERT INTO feedback VALUES (hex(randomblob(32)), 'downtime', 1, 1800000000);
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        // Its key, kept beside it as the bot made it.
        let store = open_migrated(path, [7u8; 32]);
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

    /// A version-2 database (member hashes as 64 hex characters) is
    /// migrated to 32-byte hashes: every question and vote keeps its
    /// member's hash, the database passes `integrity_check`, and forget
    /// still deletes all of a member's rows (per-server and old-style
    /// hashes alike) and no one else's.
    #[test]
    fn migrates_hex_hashes_to_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let key = [7u8; 32];
        // A log with the same key, to say what the hashes are.
        let twin = dir.path().join("twin.db");
        std::fs::write(key_path(&twin), key).unwrap();
        let twin = Store::open(&Settings {
            path: twin,
            ..Settings::default()
        })
        .unwrap();
        let rows = [
            (3, twin.member_hash(Some(3), 6)),
            (4, twin.member_hash(Some(4), 6)),
            (5, twin.user_hash(6)), // as faqbots before per-server hashes filed it
            (3, twin.member_hash(Some(3), 7)),
        ];
        let path = dir.path().join("v2.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.execute_batch("PRAGMA user_version = 2;").unwrap();
            for (guild, hash) in &rows {
                // Lowercase hex, as version 2 wrote it.
                conn.execute(
                    "INSERT INTO questions (time, guild, channel, user_hash, outcome, score, text)
                     VALUES (?1, ?2, 'slash', lower(hex(?3)), 'no_match', 0.1, 'can i swim')",
                    params![NOW, guild, hash],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO feedback (user_hash, entry, helpful, time, guild)
                     VALUES (lower(hex(?1)), 'downtime', 1, ?2, ?3)",
                    params![hash, NOW, guild],
                )
                .unwrap();
            }
        }
        let store = open_migrated(path, key);
        let ok: String = store
            .db()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let mut want: Vec<(i64, Vec<u8>)> = rows.iter().map(|(g, h)| (*g, h.to_vec())).collect();
        want.sort();
        for table in ["questions", "feedback"] {
            let mut got: Vec<(i64, Vec<u8>)> = store
                .db()
                .prepare(&format!("SELECT guild, user_hash FROM {table}"))
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            got.sort();
            assert_eq!(got, want, "{table} keeps every hash");
        }
        assert_eq!(store.forget(6).unwrap(), 6, "3 questions and 3 votes");
        for table in ["questions", "feedback"] {
            let left: Vec<Vec<u8>> = store
                .db()
                .prepare(&format!("SELECT user_hash FROM {table}"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let seven = twin.member_hash(Some(3), 7).to_vec();
            assert_eq!(left, vec![seven], "only member 7's row is left in {table}");
        }
    }
}
