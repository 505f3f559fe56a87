//! Where and what to store: `FAQBOT_DB`, `FAQBOT_RETENTION_DAYS` and
//! `FAQBOT_STORE_TEXT`, with their defaults.

use std::path::PathBuf;

use anyhow::{bail, Context as _};

/// The database file when `FAQBOT_DB` is unset.
pub const DEFAULT_DB: &str = "faqbot.db";

/// How long rows are kept when `FAQBOT_RETENTION_DAYS` is unset: a month
/// is enough to see what members ask, and no longer than that is needed.
pub const DEFAULT_RETENTION_DAYS: u64 = 30;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
