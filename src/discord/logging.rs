//! The bot's log: stderr, at `RUST_LOG`'s level, never with what
//! members wrote or the token (see [`may_log`]).

/// The log level when `RUST_LOG` is unset.
const DEFAULT_LOG: &str = "info,serenity=warn,poise=warn";
/// Crates never logged, whatever `RUST_LOG` says: tungstenite logs every
/// websocket frame at trace, IDENTIFY (with the bot token, also in hex)
/// and every message members post, with their ids, included.
pub const SILENCED_TARGETS: &[&str] = &["tungstenite", "tokio_tungstenite"];

/// The `RUST_LOG` filter (or the default), with [`SILENCED_TARGETS`] off.
pub fn log_filter(rust_log: Option<&str>) -> tracing_subscriber::EnvFilter {
    let filter = rust_log
        .and_then(|v| tracing_subscriber::EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    SILENCED_TARGETS
        .iter()
        .fold(filter, |f, target| match format!("{target}=off").parse() {
            Ok(directive) => f.add_directive(directive),
            Err(_) => f,
        })
}

/// Whether a log event or span may be shown at all, whatever the level: not
/// from [`SILENCED_TARGETS`], and no span of another crate. Spans print
/// their fields with every line logged inside them, and serenity's carry
/// whole gateway events (what members wrote, their ids) and, in its
/// request builder, the token; their lines still show, without them.
pub fn may_log(meta: &tracing::Metadata<'_>) -> bool {
    let target = meta.target();
    let crate_name = target.split("::").next().unwrap_or(target);
    if SILENCED_TARGETS.contains(&crate_name) {
        return false;
    }
    !meta.is_span() || crate_name == "faqbot"
}

/// Logs to stderr; `RUST_LOG` overrides the default level, within
/// [`log_filter`] and [`may_log`].
pub fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let rust_log = std::env::var("RUST_LOG").ok();
    let _ = tracing_subscriber::registry()
        .with(log_filter(rust_log.as_deref()))
        .with(tracing_subscriber::filter::filter_fn(may_log))
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .try_init();
}
