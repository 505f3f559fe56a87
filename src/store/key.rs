//! The hashing key and the member hashes made with it. Members are kept
//! only as a keyed hash of their server and id; the key lives in its own
//! file beside the database (`<db>.key`, mode 0600), so the table alone
//! cannot be reversed by hashing every known id, and the same member's rows
//! in two servers cannot be linked without it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

use super::Store;

/// Length of the random hashing key, in bytes.
const KEY_LEN: usize = 32;

/// Bytes in a member hash: the whole HMAC-SHA-256 tag, stored as it is
/// (a 32-byte BLOB, half the 64 characters of its hex).
pub const HASH_LEN: usize = 32;

/// A keyed member hash, as the log stores it.
pub type MemberHash = [u8; HASH_LEN];

/// Domain tag of a per-server member hash, so it can never equal the
/// older hash of the id alone (which hashed 8 bytes, not 17).
const PER_SERVER_TAG: u8 = 1;

impl Store {
    /// The hash older faqbots filed a member under, in every server alike
    /// (HMAC-SHA-256 of the id). Kept so `/faq-forget-me` still finds rows
    /// written before hashes were per server.
    pub fn user_hash(&self, user: u64) -> MemberHash {
        self.sign(&user.to_be_bytes())
    }

    /// The keyed hash a member's rows in one server are filed under
    /// (HMAC-SHA-256 of the server and the id): the same member in two
    /// servers gets two unrelated hashes.
    pub fn member_hash(&self, guild: Option<u64>, user: u64) -> MemberHash {
        let mut input = [0u8; 17];
        input[0] = PER_SERVER_TAG;
        input[1..9].copy_from_slice(&guild.unwrap_or(0).to_be_bytes());
        input[9..].copy_from_slice(&user.to_be_bytes());
        self.sign(&input)
    }

    fn sign(&self, input: &[u8]) -> MemberHash {
        let mut hash = [0u8; HASH_LEN];
        hash.copy_from_slice(ring::hmac::sign(&self.key, input).as_ref());
        hash
    }
}

/// `<db>.key` beside the database.
pub fn key_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".key");
    name.into()
}

/// The key of the log at `db`, which holds `rows` rows: read from its key
/// file, or made with one for a new log. Refused when the file is missing
/// but rows are filed under it: a new key would cut members off from them.
pub(super) fn load_for_log(db: &Path, rows: u64) -> anyhow::Result<ring::hmac::Key> {
    let key_file = key_path(db);
    if rows > 0 && !key_file.exists() {
        bail!(
            "the key file {key} is missing, but {db} holds {rows} row(s) filed under it: \
             a new key would cut every member off from their own rows (/faq-forget-me \
             could not find them), so the question log was not started. Restore {key} \
             from the backup you made with the database (they belong together), or, to \
             start a new log, move {db} (and its -wal and -shm files) away",
            key = key_file.display(),
            db = db.display(),
        );
    }
    Ok(hmac_key(&load_key(&key_file)?))
}

/// A fresh random key, for a log in memory (or a report, which hashes no one).
pub(super) fn random_key() -> anyhow::Result<ring::hmac::Key> {
    Ok(hmac_key(&random_bytes()?))
}

fn hmac_key(bytes: &[u8; KEY_LEN]) -> ring::hmac::Key {
    ring::hmac::Key::new(ring::hmac::HMAC_SHA256, bytes)
}

fn random_bytes() -> anyhow::Result<[u8; KEY_LEN]> {
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
            let key = random_bytes()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use crate::store::{Settings, Store, Vote};
    use rusqlite::params;

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
}
