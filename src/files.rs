//! Reading the files faqbot is pointed at, each capped at a size that fits
//! its purpose: a wrong path (`/dev/zero`, a disk image, a log file) fails
//! at once with an error naming the file and the limit, instead of reading
//! gigabytes first. An edge module: the core takes `&str`, never paths.

use std::io::Read as _;
use std::path::Path;

/// The FAQ: the shipped one is about 0.1 MiB; a hundred times that is still a FAQ.
pub const MAX_FAQ_BYTES: u64 = 16 << 20;
/// `faqbot.toml`: a dozen settings and lists of ids.
pub const MAX_CONFIG_BYTES: u64 = 64 << 10;
/// A bot token is about 72 characters; room for a newline and comments.
pub const MAX_TOKEN_BYTES: u64 = 4 << 10;
/// `faqbot eval`'s case files: thousands of labelled questions.
pub const MAX_CASES_BYTES: u64 = 64 << 20;
/// The health status file is about 80 bytes of JSON.
pub const MAX_HEALTH_BYTES: u64 = 4 << 10;

/// Reads at most `limit` bytes of `path`; a longer file is an error that
/// names `what` it should be and the limit.
pub fn read_capped(path: &Path, limit: u64, what: &str) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    // One byte past the limit tells a file of exactly `limit` from a longer one.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} KiB, too large for {what} (is it the right file?)",
                limit >> 10
            ),
        ));
    }
    Ok(bytes)
}

/// [`read_capped`], as UTF-8 text.
pub fn read_capped_string(path: &Path, limit: u64, what: &str) -> std::io::Result<String> {
    String::from_utf8(read_capped(path, limit, what)?).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({e})"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An endless file fails at the cap with an error naming the limit; a
    /// file of exactly the limit reads.
    #[test]
    fn caps_reads() {
        #[cfg(unix)]
        {
            let e = read_capped(Path::new("/dev/zero"), MAX_TOKEN_BYTES, "a token").unwrap_err();
            assert!(
                e.to_string().contains("4 KiB") && e.to_string().contains("a token"),
                "{e}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![b'a'; 1024]).unwrap();
        assert_eq!(read_capped(&path, 1024, "x").unwrap().len(), 1024);
        assert!(read_capped(&path, 1023, "x").is_err());
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(read_capped_string(&path, 1024, "x").is_err());
    }
}
