//! The bot's health for a container's `HEALTHCHECK` (or systemd, or a
//! monitoring script): while `faqbot run` is up it rewrites a small status
//! file every [`WRITE_EVERY`]; `faqbot health` reads it and succeeds only
//! if every shard this process runs is connected and the file is fresh.
//!
//! A file rather than a port: nothing listens, nothing to secure, and a
//! hung process is caught too, since its file goes stale.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How often the running bot rewrites the status file.
/// Cheap (a 60-byte file), and quick enough that a check soon after a
/// reconnect sees it.
pub const WRITE_EVERY: Duration = Duration::from_secs(5);

/// A file older than this means the bot is gone or stuck: six missed writes,
/// so one slow disk write does not fail a health check.
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// A file dated further ahead than this was not written by a bot running
/// on this clock (a wrong clock, or a file planted to look healthy): stale.
pub const FUTURE_SKEW: Duration = Duration::from_secs(60);

/// What the status file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Unix seconds when written.
    pub time: i64,
    /// Shards this process runs, and how many of them are connected now.
    pub shards: u32,
    pub connected: u32,
    pub pid: u32,
}

impl Status {
    /// Healthy: every shard connected and the file fresh at `now`. The
    /// message says why, either way, for `docker inspect` and the logs.
    pub fn check(&self, now: i64) -> Result<String, String> {
        let age = now.saturating_sub(self.time);
        let stale = i64::try_from(STALE_AFTER.as_secs()).unwrap_or(i64::MAX);
        let skew = i64::try_from(FUTURE_SKEW.as_secs()).unwrap_or(i64::MAX);
        if self.time.saturating_sub(now) > skew {
            return Err(format!(
                "not healthy: the status is dated {} s in the future (pid {}); is the clock right?",
                self.time.saturating_sub(now),
                self.pid
            ));
        }
        if age > stale {
            return Err(format!(
                "not healthy: the bot last reported {age} s ago (pid {}); is it running?",
                self.pid
            ));
        }
        if self.shards == 0 || self.connected < self.shards {
            return Err(format!(
                "not healthy: {} of {} gateway shard(s) connected",
                self.connected, self.shards
            ));
        }
        Ok(format!(
            "ok: {} of {} gateway shard(s) connected, reported {age} s ago",
            self.connected, self.shards
        ))
    }
}

/// Writes the status atomically (a temporary file renamed over the old
/// one), so a reader never sees half a file.
pub fn write(path: &Path, status: &Status) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let json = serde_json::to_vec(status).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)
}

/// `faqbot health`: reads the file and checks it at `now`.
pub fn check_file(path: &Path, now: i64) -> Result<String, String> {
    let bytes = crate::files::read_capped(path, crate::files::MAX_HEALTH_BYTES, "a status file")
        .map_err(|e| {
            format!(
                "not healthy: no status at {} ({e}); the bot writes it while it runs",
                path.display()
            )
        })?;
    let status: Status = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "not healthy: {} is not a faqbot status file ({e})",
            path.display()
        )
    })?;
    status.check(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn status(age: i64, shards: u32, connected: u32) -> Status {
        Status {
            time: NOW - age,
            shards,
            connected,
            pid: 7,
        }
    }

    /// Healthy only when fresh and fully connected; each failure says why.
    #[test]
    fn check_cases() {
        let stale = STALE_AFTER.as_secs() as i64;
        let cases = [
            (status(0, 1, 1), Ok("1 of 1")),
            (status(stale, 2, 2), Ok("2 of 2")),
            (status(stale + 1, 1, 1), Err("is it running")),
            (status(0, 2, 1), Err("1 of 2")),
            (status(0, 0, 0), Err("0 of 0")),
            (status(-60, 1, 1), Ok("1 of 1")),
            (status(-61, 1, 1), Err("in the future")),
            (status(-1_000_000, 1, 1), Err("in the future")),
        ];
        for (s, want) in cases {
            match (s.check(NOW), want) {
                (Ok(m), Ok(part)) | (Err(m), Err(part)) => {
                    assert!(m.contains(part), "{s:?}: {m}")
                }
                (got, want) => panic!("{s:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    /// The file round-trips; a missing or foreign file is unhealthy, with its path named.
    #[test]
    fn file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("health");
        let err = check_file(&path, NOW).unwrap_err();
        assert!(err.contains("no status") && err.contains("health"), "{err}");
        write(&path, &status(3, 1, 1)).unwrap();
        assert!(check_file(&path, NOW).is_ok());
        assert!(!dir.path().join("health.tmp").exists());
        std::fs::write(&path, "garbage").unwrap();
        assert!(check_file(&path, NOW)
            .unwrap_err()
            .contains("not a faqbot status"));
    }
}
