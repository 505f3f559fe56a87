//! `faqbot run`'s settings, from the environment and an optional config
//! file (`faqbot.toml`, or the file `FAQBOT_CONFIG` names) whose keys are
//! the same names; the environment wins. Parsing takes a lookup function
//! rather than reading the process environment, so tests can feed it a
//! table.
//!
//! Not `figment`: the layering is the dozen lines of `from_env`; the rest is
//! checking values with messages that name the setting, which figment leaves
//! to us, and it would read the file without our size cap and the
//! environment without the lookup the tests feed.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

/// What to tell someone who ran `faqbot run` without a token.
pub const NO_TOKEN: &str = "DISCORD_TOKEN is not set: create a bot at https://discord.com/developers/applications \
(Bot → Reset Token) and set DISCORD_TOKEN or DISCORD_TOKEN_FILE; to try the answers without Discord, run `faqbot chat`";

/// The bot token. Its `Debug` hides it, so a logged config never leaks it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(redacted)")
    }
}

/// Everything `faqbot run` needs besides the FAQ's content.
#[derive(Debug, Clone)]
pub struct Config {
    pub token: Token,
    /// The FAQ file, read at start-up and by `/faqadmin reload`.
    pub faq_path: PathBuf,
    /// Register the commands in this guild only (they appear at once) instead of globally.
    pub guild_id: Option<u64>,
    /// The servers the bot serves (`FAQBOT_GUILDS`, else `DISCORD_GUILD_ID`);
    /// events from any other server, and from DMs, are ignored. Empty:
    /// every server that invites it.
    pub guilds: HashSet<u64>,
    /// Channels where the bot answers questions nobody addressed to it.
    pub channels: HashSet<u64>,
    /// Roles that count as staff, besides anyone with Manage Server.
    pub staff_roles: HashSet<u64>,
    /// Where staff are told that a member may have described a complication.
    pub alert_channel: Option<u64>,
    /// A Discord stand-in's base URL (tests); requests go there, unthrottled.
    /// Only from the environment, and only a loopback address: the token
    /// goes with every request.
    pub api_base: Option<String>,
    /// The question log: `FAQBOT_DB`, `FAQBOT_RETENTION_DAYS`, `FAQBOT_STORE_TEXT`.
    pub store: crate::store::Settings,
    /// Which gateway shards this process runs.
    pub shards: Shards,
    /// Where to keep the status file `faqbot health` reads, if anywhere.
    pub health_file: Option<PathBuf>,
}

/// Discord's sharding: each shard carries a share of the servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// As many as Discord recommends, all in this process (the default).
    Auto,
    /// Shards `first..=last` of `total`; other processes run the rest.
    Range { first: u32, last: u32, total: u32 },
}

impl Shards {
    /// From `FAQBOT_SHARDS` (the total) and `FAQBOT_SHARD_RANGE` ("first-last",
    /// zero-based and inclusive; every shard when unset).
    fn parse(total: Option<String>, range: Option<String>) -> Result<Shards> {
        let Some(total) = total else {
            if range.is_some() {
                bail!("FAQBOT_SHARD_RANGE needs FAQBOT_SHARDS, the total number of shards");
            }
            return Ok(Shards::Auto);
        };
        let total: u32 = match total.parse() {
            Ok(n) if (1..=MAX_SHARDS).contains(&n) => n,
            _ => {
                bail!("FAQBOT_SHARDS: \"{total}\" is not a number of shards from 1 to {MAX_SHARDS}")
            }
        };
        let (first, last) = match range {
            None => (0, total - 1),
            Some(range) => {
                let parsed = range.split_once('-').and_then(|(a, b)| {
                    Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?))
                });
                match parsed {
                    Some((a, b)) if a <= b && b < total => (a, b),
                    _ => bail!(
                        "FAQBOT_SHARD_RANGE: \"{range}\" is not first-last within 0-{} (shard ids start at 0)",
                        total - 1
                    ),
                }
            }
        };
        Ok(Shards::Range { first, last, total })
    }
}

/// The most gateway shards `FAQBOT_SHARDS` may ask for: Discord wants one
/// per 2,500 servers, so this covers 2.5 million, and a typo cannot make
/// the bot allocate shard state by the billion.
pub const MAX_SHARDS: u32 = 1024;

/// The settings the bot reads: the same names in the environment and in a
/// config file (except [`ENV_ONLY`]).
pub const SETTINGS: &[&str] = &[
    "DISCORD_TOKEN",
    "DISCORD_TOKEN_FILE",
    "DISCORD_GUILD_ID",
    "FAQBOT_GUILDS",
    "FAQBOT_CHANNELS",
    "FAQBOT_STAFF_ROLES",
    "FAQBOT_ALERT_CHANNEL",
    "DISCORD_API_BASE",
    "FAQBOT_DB",
    "FAQBOT_RETENTION_DAYS",
    "FAQBOT_STORE_TEXT",
    "FAQBOT_SHARDS",
    "FAQBOT_SHARD_RANGE",
    "FAQBOT_HEALTH_FILE",
];

/// Settings a config file may not hold: `DISCORD_API_BASE` sends the token
/// wherever it points, and the file may sit in a directory the bot (or
/// someone else) can write.
pub const ENV_ONLY: &[&str] = &["DISCORD_API_BASE"];

/// The config file read when `FAQBOT_CONFIG` is not set, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "faqbot.toml";

/// Reads a config file's settings. Values may be strings, integers (ids)
/// or arrays of them (lists of ids); an unknown key is an error, so a
/// misspelt setting is not silently ignored.
pub fn read_config_file(path: &Path) -> Result<HashMap<String, String>> {
    let text =
        crate::files::read_capped_string(path, crate::files::MAX_CONFIG_BYTES, "a config file")
            .with_context(|| format!("cannot read config file {}", path.display()))?;
    parse_config(&text).with_context(|| format!("in config file {}", path.display()))
}

fn parse_config(text: &str) -> Result<HashMap<String, String>> {
    let table: toml::Table =
        toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let mut out = HashMap::new();
    for (key, value) in table {
        if ENV_ONLY.contains(&key.as_str()) {
            bail!("{key} may only be set in the environment, not in a config file");
        }
        if !SETTINGS.contains(&key.as_str()) {
            bail!("unknown setting {key} (known: {})", SETTINGS.join(", "));
        }
        let scalar = |v: &toml::Value| match v {
            toml::Value::String(s) => Ok(s.clone()),
            toml::Value::Integer(n) => Ok(n.to_string()),
            other => bail!(
                "{key}: expected a string or a number, got {}",
                other.type_str()
            ),
        };
        let text = match &value {
            toml::Value::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Result<Vec<_>>>()?
                .join(","),
            v => scalar(v)?,
        };
        out.insert(key, text);
    }
    Ok(out)
}

impl Config {
    /// Reads the settings from the process environment, then from the
    /// config file (`FAQBOT_CONFIG`, or `faqbot.toml` if it exists) for
    /// anything the environment does not set.
    pub fn from_env(faq_path: PathBuf) -> Result<Config> {
        let file = match std::env::var("FAQBOT_CONFIG") {
            Ok(path) if !path.trim().is_empty() => read_config_file(Path::new(path.trim()))?,
            _ if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                read_config_file(Path::new(DEFAULT_CONFIG_FILE))?
            }
            _ => HashMap::new(),
        };
        Config::from_lookup(faq_path, |name| {
            let from_file = || {
                (!ENV_ONLY.contains(&name))
                    .then(|| file.get(name).cloned())
                    .flatten()
            };
            std::env::var(name).ok().or_else(from_file)
        })
    }

    /// Reads the settings through `var`, which returns a variable's value if it is set.
    pub fn from_lookup(faq_path: PathBuf, var: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let token = match (var("DISCORD_TOKEN"), var("DISCORD_TOKEN_FILE")) {
            (Some(token), _) => token,
            (None, Some(file)) => {
                let text = crate::files::read_capped_string(
                    Path::new(&file),
                    crate::files::MAX_TOKEN_BYTES,
                    "a token file",
                )
                .with_context(|| format!("cannot read DISCORD_TOKEN_FILE {file}"))?;
                let token = text.trim().to_owned();
                if token.is_empty() {
                    bail!("DISCORD_TOKEN_FILE {file} is empty");
                }
                token
            }
            (None, None) => bail!(NO_TOKEN),
        };
        let guild_id = var("DISCORD_GUILD_ID")
            .map(|v| id("DISCORD_GUILD_ID", &v))
            .transpose()?;
        let mut guilds = ids("FAQBOT_GUILDS", var("FAQBOT_GUILDS"))?;
        if guilds.is_empty() {
            guilds.extend(guild_id);
        }
        Ok(Config {
            token: Token(token),
            faq_path,
            guild_id,
            guilds,
            channels: ids("FAQBOT_CHANNELS", var("FAQBOT_CHANNELS"))?,
            staff_roles: ids("FAQBOT_STAFF_ROLES", var("FAQBOT_STAFF_ROLES"))?,
            alert_channel: var("FAQBOT_ALERT_CHANNEL")
                .map(|v| id("FAQBOT_ALERT_CHANNEL", &v))
                .transpose()?,
            api_base: var("DISCORD_API_BASE")
                .map(|v| loopback_base(&v))
                .transpose()?,
            store: crate::store::Settings::from_vars(var)?,
            shards: Shards::parse(var("FAQBOT_SHARDS"), var("FAQBOT_SHARD_RANGE"))?,
            health_file: var("FAQBOT_HEALTH_FILE").map(PathBuf::from),
        })
    }
}

impl Config {
    /// Whether the bot serves events from `guild` (`None`: a DM).
    pub fn serves(&self, guild: Option<u64>) -> bool {
        self.guilds.is_empty() || guild.is_some_and(|g| self.guilds.contains(&g))
    }
}

/// `DISCORD_API_BASE` without its trailing slash, if it is an http(s) URL
/// on a loopback address: a stand-in for tests, never another machine.
fn loopback_base(value: &str) -> Result<String> {
    let refuse = || {
        anyhow::anyhow!(
            "DISCORD_API_BASE: \"{value}\" is not an http(s) URL on a loopback address (127.0.0.1, [::1] or localhost); it is for a local Discord stand-in only"
        )
    };
    let url = reqwest::Url::parse(value).map_err(|_| refuse())?;
    let host = url.host_str().unwrap_or("");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback || !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() {
        return Err(refuse());
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// One Discord id (a snowflake: a positive integer).
fn id(name: &str, value: &str) -> Result<u64> {
    match value.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => bail!("{name}: \"{value}\" is not a Discord id (copy it with Developer Mode on: right-click → Copy ID)"),
    }
}

/// A comma-separated list of ids.
fn ids(name: &str, value: Option<String>) -> Result<HashSet<u64>> {
    let Some(value) = value else {
        return Ok(HashSet::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| id(name, v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(PathBuf::from("faq.toml"), |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    /// Without a token the error is one line that says how to get one and mentions `faqbot chat`.
    #[test]
    fn missing_token_says_how_to_get_one() {
        let e = config(&[]).unwrap_err().to_string();
        assert!(
            e.contains("DISCORD_TOKEN") && e.contains("faqbot chat"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        assert!(config(&[("DISCORD_TOKEN", "  ")]).is_err());
    }

    /// Lists of ids parse with spaces and trailing commas; a non-id names its variable.
    #[test]
    fn ids_parse() {
        let c = config(&[
            ("DISCORD_TOKEN", "abc"),
            ("FAQBOT_CHANNELS", "1, 22,,333 "),
            ("FAQBOT_ALERT_CHANNEL", "9"),
            ("DISCORD_API_BASE", "http://127.0.0.1:1/"),
        ])
        .unwrap();
        assert_eq!(c.channels, HashSet::from([1, 22, 333]));
        assert!(c.staff_roles.is_empty());
        assert_eq!(c.alert_channel, Some(9));
        assert_eq!(c.guild_id, None);
        assert_eq!(c.api_base.as_deref(), Some("http://127.0.0.1:1"));
        let e = config(&[
            ("DISCORD_TOKEN", "abc"),
            ("FAQBOT_STAFF_ROLES", "12,admins"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("FAQBOT_STAFF_ROLES"), "{e}");
        assert!(config(&[("DISCORD_TOKEN", "abc"), ("DISCORD_GUILD_ID", "0")]).is_err());
    }

    /// The token never shows in a logged config.
    #[test]
    fn token_is_redacted() {
        let c = config(&[("DISCORD_TOKEN", "very-secret")]).unwrap();
        assert!(!format!("{c:?}").contains("very-secret"));
    }

    /// A config file gives the same settings; numbers and lists are
    /// accepted; a misspelt key is refused by name.
    #[test]
    fn config_file_settings() {
        let values = parse_config(
            "DISCORD_GUILD_ID = 42\nFAQBOT_CHANNELS = [1, \"22\"]\nFAQBOT_ALERT_CHANNEL = \"9\"\n",
        )
        .unwrap();
        let c = Config::from_lookup(PathBuf::from("faq.toml"), |name| {
            if name == "DISCORD_TOKEN" {
                Some("t".into())
            } else {
                values.get(name).cloned()
            }
        })
        .unwrap();
        assert_eq!(c.guild_id, Some(42));
        assert_eq!(c.channels, HashSet::from([1, 22]));
        assert_eq!(c.alert_channel, Some(9));
        let e = parse_config("FAQBOT_CHANEL = \"1\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("FAQBOT_CHANEL"), "{e}");
        assert!(parse_config("DISCORD_GUILD_ID = true").is_err());
    }

    /// Shard settings: automatic by default; a total alone runs every
    /// shard; a range must fit the total; each mistake names its setting.
    #[test]
    fn shard_settings() {
        let shards = |total: Option<&str>, range: Option<&str>| {
            Shards::parse(total.map(Into::into), range.map(Into::into))
        };
        let ok = [
            (None, None, Shards::Auto),
            (
                Some("4"),
                None,
                Shards::Range {
                    first: 0,
                    last: 3,
                    total: 4,
                },
            ),
            (
                Some("4"),
                Some("2-3"),
                Shards::Range {
                    first: 2,
                    last: 3,
                    total: 4,
                },
            ),
            (
                Some("2"),
                Some(" 1 - 1 "),
                Shards::Range {
                    first: 1,
                    last: 1,
                    total: 2,
                },
            ),
        ];
        for (total, range, want) in ok {
            assert_eq!(shards(total, range).unwrap(), want, "{total:?} {range:?}");
        }
        let bad = [
            (None, Some("0-1"), "needs FAQBOT_SHARDS"),
            (Some("0"), None, "FAQBOT_SHARDS"),
            (Some("two"), None, "FAQBOT_SHARDS"),
            (Some("2"), Some("1-2"), "within 0-1"),
            (Some("4"), Some("3-2"), "FAQBOT_SHARD_RANGE"),
            (Some("4"), Some("3"), "FAQBOT_SHARD_RANGE"),
        ];
        for (total, range, want) in bad {
            let e = shards(total, range).unwrap_err().to_string();
            assert!(e.contains(want), "{total:?} {range:?}: {e}");
        }
    }

    /// DISCORD_TOKEN_FILE is read and trimmed.
    #[test]
    fn token_file() {
        let dir = std::env::temp_dir().join(format!("faqbot-token-{}", std::process::id()));
        std::fs::write(&dir, "from-file\n").unwrap();
        let c = config(&[("DISCORD_TOKEN_FILE", dir.to_str().unwrap())]).unwrap();
        assert_eq!(c.token.expose(), "from-file");
        let _ = std::fs::remove_file(&dir);
    }

    /// FAQBOT_GUILDS lists the servers served, defaulting to
    /// DISCORD_GUILD_ID; with neither, every server; DMs only then.
    #[test]
    fn server_allowlist() {
        let c = config(&[("DISCORD_TOKEN", "t"), ("DISCORD_GUILD_ID", "5")]).unwrap();
        assert_eq!(c.guilds, HashSet::from([5]));
        assert!(c.serves(Some(5)) && !c.serves(Some(6)) && !c.serves(None));
        let c = config(&[
            ("DISCORD_TOKEN", "t"),
            ("DISCORD_GUILD_ID", "5"),
            ("FAQBOT_GUILDS", "6, 7"),
        ])
        .unwrap();
        assert!(c.serves(Some(6)) && c.serves(Some(7)) && !c.serves(Some(5)));
        let c = config(&[("DISCORD_TOKEN", "t")]).unwrap();
        assert!(c.guilds.is_empty() && c.serves(Some(6)) && c.serves(None));
        let e = config(&[("DISCORD_TOKEN", "t"), ("FAQBOT_GUILDS", "clinic")]).unwrap_err();
        assert!(e.to_string().contains("FAQBOT_GUILDS"), "{e}");
    }

    /// DISCORD_API_BASE must be http(s) on a loopback address, and a config
    /// file may not set it at all.
    #[test]
    fn api_base_is_loopback_and_environment_only() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://[::1]:1/",
            "https://localhost/api",
            "http://127.8.0.1",
        ] {
            assert!(
                config(&[("DISCORD_TOKEN", "t"), ("DISCORD_API_BASE", ok)]).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1:80",
            "ftp://127.0.0.1",
            "http://user@127.0.0.1",
            "127.0.0.1:80",
            "http://127.0.0.1.example.com",
        ] {
            let e = config(&[("DISCORD_TOKEN", "t"), ("DISCORD_API_BASE", bad)]).unwrap_err();
            assert!(e.to_string().contains("loopback"), "{bad}: {e}");
        }
        let e = parse_config("DISCORD_API_BASE = \"http://127.0.0.1:1\"").unwrap_err();
        assert!(e.to_string().contains("environment"), "{e}");
    }

    /// FAQBOT_SHARDS above the cap is refused, naming the cap.
    #[test]
    fn shard_count_is_capped() {
        let e = Shards::parse(Some("4294967295".into()), None).unwrap_err();
        assert!(e.to_string().contains(&MAX_SHARDS.to_string()), "{e}");
        assert!(Shards::parse(Some(MAX_SHARDS.to_string()), None).is_ok());
    }

    /// A token file that is not one (here /dev/zero) fails at once, by name.
    #[cfg(unix)]
    #[test]
    fn token_file_is_capped() {
        let e = config(&[("DISCORD_TOKEN_FILE", "/dev/zero")]).unwrap_err();
        let e = format!("{e:#}");
        assert!(
            e.contains("DISCORD_TOKEN_FILE") && e.contains("too large"),
            "{e}"
        );
    }
}
