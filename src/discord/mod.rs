//! The Discord front end (`faqbot run`): a thin poise/serenity adapter
//! around the [`Engine`]. Commands and events read their input, ask the
//! engine, render with [`embeds`] and reply; none of them match anything.
//!
//! - [`config`]: settings from the environment.
//! - [`commands`]: `/faq`, `/faq-topics`, `/faq-privacy`, `/faq-forget-me`, `/faqadmin`.
//! - [`events`]: mentions, opened channels, button and menu clicks.
//! - [`respond`]: the one ask flow `/faq`, mentions and opened channels share.
//! - [`batch`]: the encoder's queue, which embeds many questions at once.
//! - [`cooldowns`]: the limits on message replies and staff alerts.
//! - [`embeds`]: [`crate::layout`]'s parts as serenity builders.
//! - [`health`], [`retry`], [`logging`]: the status file, retries of
//!   member-facing sends, and what may be logged.
//!
//! The engine sits in an [`ArcSwap`]: each question loads the current one,
//! and `/faqadmin reload` swaps in a new one only once it has loaded
//! without errors.
//!
//! Answered questions and feedback votes go to the [`crate::store`] log
//! after the reply is sent, through a queue that never makes a reply wait;
//! if the log cannot be opened the bot answers without it.

pub mod batch;
pub mod commands;
pub mod config;
pub mod cooldowns;
pub mod embeds;
pub mod events;
pub mod health;
pub mod logging;
pub mod respond;
pub mod retry;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use arc_swap::ArcSwap;
use poise::serenity_prelude as serenity;
use serenity::{GatewayIntents, GuildId, HttpBuilder};
use tracing::{error, info, warn};

pub use config::{Config, Shards};
pub use logging::init_logging;

use cooldowns::{AlertCooldown, Cooldowns};

use crate::embed::VectorCache;
use crate::lint;
use crate::matcher::semantic::SemanticModel;
use crate::store::{Record, Recorder, Store};
use crate::Engine;

pub type Error = anyhow::Error;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// A mistake the member made: shown to them as it is, privately, and not
/// logged as a fault.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// One load of the FAQ file: the engine and what `/faqadmin info` shows about it.
#[derive(Debug)]
pub struct Loaded {
    pub engine: Engine,
    /// Hex SHA-256 of the file, to compare with `sha256sum faq.toml`.
    pub sha256: String,
    pub loaded_at: SystemTime,
    /// How long reading, validating and indexing took.
    pub took: Duration,
}

impl Loaded {
    /// Reads, validates and lints the FAQ file; every error is one line
    /// naming its line and entry.
    pub fn read(
        path: &Path,
        model: &Arc<SemanticModel>,
        seed: Option<VectorCache>,
    ) -> Result<Loaded, Vec<String>> {
        let start = Instant::now();
        let bytes = crate::files::read_capped(path, crate::files::MAX_FAQ_BYTES, "a FAQ file")
            .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| vec![format!("{} is not UTF-8: {e}", path.display())])?;
        let faq = crate::Faq::parse(text)
            .map_err(|errors| errors.0.iter().map(ToString::to_string).collect::<Vec<_>>())?;
        let engine = crate::model::build_engine(faq, model, seed)
            .map_err(|e| vec![format!("{}: {e:#}", path.display())])?;
        // The spec's required entries are the shipped FAQ's business (`faqbot check`), not the bot's.
        let errors: Vec<String> = lint::errors(&engine)
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
        let sha256 = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Loaded {
            engine,
            sha256,
            loaded_at: SystemTime::now(),
            took: start.elapsed(),
        })
    }
}

/// What every command and event handler shares.
pub struct Data {
    pub config: Config,
    /// The sentence encoder, loaded once; every FAQ load shares it.
    pub model: Arc<SemanticModel>,
    /// Embeds members' questions on one thread, many at a time.
    pub encoder: batch::Batcher,
    loaded: ArcSwap<Loaded>,
    pub started: Instant,
    cooldowns: Mutex<Cooldowns>,
    alert_cooldown: Mutex<AlertCooldown>,
    /// The server the alert channel belongs to, once looked up.
    alert_guild: Mutex<Option<u64>>,
    /// The question log, if it could be opened.
    log: Option<Recorder>,
}

impl Data {
    pub fn new(config: Config, model: Arc<SemanticModel>, loaded: Loaded) -> Data {
        Data {
            config,
            encoder: batch::Batcher::start(model.clone()),
            model,
            loaded: ArcSwap::from_pointee(loaded),
            started: Instant::now(),
            cooldowns: Mutex::default(),
            alert_cooldown: Mutex::default(),
            alert_guild: Mutex::default(),
            log: None,
        }
    }

    /// Logs answered questions and votes to `recorder`.
    pub fn with_log(mut self, recorder: Recorder) -> Data {
        self.log = Some(recorder);
        self
    }

    /// The question log, if any.
    pub fn log(&self) -> Option<&Recorder> {
        self.log.as_ref()
    }

    /// Queues a record for the log; never waits and never fails the reply.
    pub fn record(&self, record: Record) {
        if let Some(log) = &self.log {
            log.record(record);
        }
    }

    /// The FAQ as loaded now; a reload does not change it under a running reply.
    pub fn current(&self) -> Arc<Loaded> {
        self.loaded.load_full()
    }

    /// Replaces the FAQ for every later question.
    pub fn swap(&self, loaded: Loaded) {
        self.loaded.store(Arc::new(loaded));
    }

    fn cooldowns(&self) -> MutexGuard<'_, Cooldowns> {
        // A panic while holding the lock leaves the counts usable.
        self.cooldowns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn alert_cooldown(&self) -> MutexGuard<'_, AlertCooldown> {
        self.alert_cooldown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The server `channel` (the alert channel) is in: from the cache, or
    /// asked of Discord once and remembered. `None` if Discord cannot say
    /// now (asked again next time).
    async fn alert_guild(&self, ctx: &serenity::Context, channel: u64) -> Option<u64> {
        let known = *self
            .alert_guild
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if known.is_some() {
            return known;
        }
        let found = match serenity::ChannelId::new(channel).to_channel(ctx).await {
            Ok(serenity::Channel::Guild(c)) => Some(c.guild_id.get()),
            Ok(_) => None,
            Err(e) => {
                warn!("cannot look up the alert channel {channel}: {e}");
                None
            }
        };
        *self
            .alert_guild
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = found;
        found
    }
}

/// The gateway intents: guilds and their messages; message content only
/// when the bot reads opened channels (mentions carry their content anyway).
pub fn intents(config: &Config) -> GatewayIntents {
    let mut intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES;
    if !config.channels.is_empty() {
        intents |= GatewayIntents::MESSAGE_CONTENT;
    }
    intents
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Connects to Discord and serves until `shutdown` resolves.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (model, loaded) = load(&config).await?;
    let recorder = open_log(&config.store).await;
    let builder = client(&config)?;
    let guild = config.guild_id.map(GuildId::new);
    let (shards, health_file) = (config.shards, config.health_file.clone());
    let mut data = Data::new(config, model, loaded);
    if let Some(log) = &recorder {
        data = data.with_log(log.clone());
    }
    let client = builder
        .framework(framework(data, guild))
        .await
        .context("cannot set up the Discord client")?;
    serve(client, shards, health_file, recorder, shutdown).await
}

/// The encoder and the FAQ. No model, no bot: answering with the lexical
/// half alone would quietly answer worse, so a missing or broken model
/// stops the start with its file named.
async fn load(config: &Config) -> anyhow::Result<(Arc<SemanticModel>, Loaded)> {
    let model_dir = crate::model::model_dir(
        std::env::var_os("FAQBOT_MODEL")
            .map(PathBuf::from)
            .as_deref(),
    );
    let model = tokio::task::spawn_blocking(move || crate::model::load_model(&model_dir))
        .await
        .context("the model's loading task failed")??;
    let loaded = Loaded::read(&config.faq_path, &model, None).map_err(|errors| {
        anyhow::anyhow!(
            "{} is not valid: {} (run `faqbot check`)",
            config.faq_path.display(),
            errors.join("; ")
        )
    })?;
    info!(
        entries = loaded.engine.faq().entries.len(),
        "FAQ loaded from {}",
        config.faq_path.display()
    );
    Ok((model, loaded))
}

/// Opens the question log and starts its writer; `None` if it cannot be
/// opened: answering never depends on the log.
async fn open_log(settings: &crate::store::Settings) -> Option<Recorder> {
    let settings = settings.clone();
    let opened = tokio::task::spawn_blocking(move || Store::open(&settings))
        .await
        .context("the question log's start-up task failed")
        .and_then(|opened| opened);
    match opened {
        Ok(store) => {
            info!(
                retention_days = store.settings().retention_days,
                store_text = store.settings().store_text,
                "question log at {}",
                store.settings().path.display()
            );
            Some(Recorder::start(Arc::new(store)))
        }
        Err(e) => {
            warn!("question log off, answering without it: {e:#}");
            None
        }
    }
}

/// The commands, the event handler and the options every command shares;
/// on start it registers the commands (in `guild` only, if given).
fn framework(data: Data, guild: Option<GuildId>) -> poise::Framework<Data, Error> {
    let options = poise::FrameworkOptions {
        commands: commands::all(),
        on_error: |e| Box::pin(on_error(e)),
        event_handler: |framework, event| {
            Box::pin(events::handle(
                framework.serenity_context,
                event,
                framework.bot_id(),
                framework.user_data,
            ))
        },
        allowed_mentions: Some(embeds::no_pings()),
        // Servers not in FAQBOT_GUILDS (and DMs, when it is set) get nothing;
        // on_error logs them and sends no reply.
        command_check: Some(|ctx| {
            Box::pin(async move { Ok(ctx.data().config.serves(ctx.guild_id().map(|g| g.get()))) })
        }),
        initialize_owners: false,
        // No command uses poise's cooldowns (ours are in cooldowns.rs); left on,
        // poise would remember every member who ever ran a command, forever.
        manual_cooldowns: true,
        prefix_options: poise::PrefixFrameworkOptions {
            mention_as_prefix: false,
            ..Default::default()
        },
        ..Default::default()
    };
    poise::Framework::builder()
        .options(options)
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                let registered = match guild {
                    Some(guild) => poise::builtins::register_in_guild(ctx, commands, guild).await,
                    None => poise::builtins::register_globally(ctx, commands).await,
                };
                match registered {
                    Ok(()) => info!(commands = commands.len(), guild = ?guild, "slash commands registered"),
                    // The bot still answers mentions, and commands registered before keep working.
                    Err(e) => error!("could not register the slash commands: {e}"),
                }
                Ok(data)
            })
        })
        .build()
}

/// The Discord client's builder: our REST client, the intents, and the
/// stand-in's address in tests.
fn client(config: &Config) -> anyhow::Result<serenity::ClientBuilder> {
    let mut http = HttpBuilder::new(config.token.expose())
        .client(rest_client()?)
        .default_allowed_mentions(embeds::no_pings());
    if let Some(base) = &config.api_base {
        // serenity sends requests through the proxy only when its rate limiter is off.
        http = http.proxy(base.as_str()).ratelimiter_disabled(true);
    }
    Ok(serenity::ClientBuilder::new_with_http(
        http.build(),
        intents(config),
    ))
}

/// Runs the gateway until `shutdown` resolves, writing the health file
/// meanwhile; then flushes the question log.
async fn serve(
    mut client: serenity::Client,
    shard_plan: Shards,
    health_file: Option<PathBuf>,
    recorder: Option<Recorder>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let shards = client.shard_manager.clone();
    let (stopping, stop_requested) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        shutdown.await;
        info!("shutting down");
        let _ = stopping.send(());
        shards.shutdown_all().await;
    });
    // Once shutdown is asked for, the gateway gets SHUTDOWN_GATEWAY_WAIT to
    // close; a shard still trying to reach Discord is abandoned after it.
    let gave_up = async move {
        match stop_requested.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GATEWAY_WAIT).await,
            Err(_) => std::future::pending().await,
        }
    };
    let health = health_file.clone().map(|path| {
        let shards = client.shard_manager.clone();
        tokio::spawn(report_health(path, shards))
    });
    let start = async {
        match shard_plan {
            Shards::Auto => client.start_autosharded().await,
            Shards::Range { first, last, total } => {
                info!(
                    first,
                    last, total, "running gateway shards {first}-{last} of {total}"
                );
                // serenity's range is inclusive at both ends.
                client.start_shard_range(first..last, total).await
            }
        }
    };
    let started = tokio::select! {
        started = start => started,
        () = gave_up => {
            warn!("the gateway did not close within {SHUTDOWN_GATEWAY_WAIT:?} (is Discord reachable?); stopping anyway");
            Ok(())
        }
    };
    if let Some(task) = health {
        task.abort();
    }
    if let Some(path) = &health_file {
        // A stopped bot is not healthy, whatever the last report said.
        let _ = std::fs::remove_file(path);
    }
    if let Some(log) = recorder {
        // What members asked in the last moments is written before the process ends.
        let flushed = tokio::task::spawn_blocking(move || log.flush(SHUTDOWN_FLUSH_WAIT))
            .await
            .unwrap_or(false);
        if !flushed {
            warn!("question log: records still queued at shutdown were not all written");
        }
    }
    started.map_err(explain_gateway_error)?;
    info!("stopped");
    Ok(())
}

/// Idle connections to Discord's REST kept for reuse. A burst of replies
/// opens hundreds at once; reqwest's default keeps every one of them, and
/// its buffers, for 90 s (measured: 570 sockets still open after a burst of
/// 5,000 events; 28 files with this cap). A steady trickle needs a handful.
const REST_IDLE_CONNECTIONS: usize = 16;
const REST_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A request Discord has not answered by then has failed; without a limit
/// a stuck connection would hold its reply (and the member) forever.
const REST_TIMEOUT: Duration = Duration::from_secs(15);
const REST_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// serenity's HTTP client as serenity builds it (rustls), plus the limits above.
fn rest_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .pool_max_idle_per_host(REST_IDLE_CONNECTIONS)
        .pool_idle_timeout(REST_IDLE_TIMEOUT)
        .timeout(REST_TIMEOUT)
        .connect_timeout(REST_CONNECT_TIMEOUT)
        .build()
        .context("cannot set up the HTTP client")
}

/// The Discord connection's fatal errors, with what to do about the
/// ones a clinic's admin can fix.
fn explain_gateway_error(e: serenity::Error) -> anyhow::Error {
    use serenity::GatewayError;
    match &e {
        serenity::Error::Gateway(GatewayError::InvalidAuthentication) => anyhow::anyhow!(
            "Discord refused the bot token ({e}): it was reset or mistyped; copy it again from the developer portal (Bot → Reset Token)"
        ),
        serenity::Error::Gateway(GatewayError::DisallowedGatewayIntents) => anyhow::anyhow!(
            "Discord refused the Message Content intent ({e}): turn it on in the developer portal (Bot → Privileged Gateway Intents), or unset FAQBOT_CHANNELS"
        ),
        _ => anyhow::Error::new(e).context("the Discord connection failed"),
    }
}

/// How long shutdown waits for the question log to write what is queued.
const SHUTDOWN_FLUSH_WAIT: Duration = Duration::from_secs(5);
/// How long shutdown waits for the gateway to close. A connected shard
/// closes in well under a second; one still trying to reach Discord never
/// does. With the flush after it, the bot exits within 8 s, inside
/// `docker stop`'s 10 s before SIGKILL.
pub const SHUTDOWN_GATEWAY_WAIT: Duration = Duration::from_secs(3);

/// Rewrites the status file `faqbot health` reads, every [`health::WRITE_EVERY`].
async fn report_health(path: std::path::PathBuf, shards: Arc<serenity::ShardManager>) {
    let mut every = tokio::time::interval(health::WRITE_EVERY);
    let mut warned = false;
    loop {
        every.tick().await;
        let (total, connected) = {
            let runners = shards.runners.lock().await;
            let connected = runners
                .values()
                .filter(|r| r.stage == serenity::ConnectionStage::Connected)
                .count();
            (runners.len(), connected)
        };
        let status = health::Status {
            time: crate::store::now(),
            shards: u32::try_from(total).unwrap_or(u32::MAX),
            connected: u32::try_from(connected).unwrap_or(u32::MAX),
            pid: std::process::id(),
        };
        match health::write(&path, &status) {
            Ok(()) => warned = false,
            Err(e) if !warned => {
                warned = true;
                warn!("cannot write the health file {}: {e}", path.display());
            }
            Err(_) => {}
        }
    }
}

/// Shows a member their own mistake privately; logs the rest and tells
/// them something went wrong.
async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    let (ctx, text) = match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            match error.downcast_ref::<UserError>() {
                Some(user) => (ctx, user.0.clone()),
                None => {
                    error!(command = %ctx.command().qualified_name, "command failed: {error:#}");
                    (
                        ctx,
                        "Something went wrong on our side; please try again, or ask staff."
                            .to_owned(),
                    )
                }
            }
        }
        poise::FrameworkError::CommandCheckFailed { error, ctx, .. } => {
            let guild = ctx.guild_id().map(|g| g.get());
            if !ctx.data().config.serves(guild) {
                events::ignored(guild, "a command");
                return;
            }
            if let Some(error) = error {
                error!("permission check failed: {error:#}");
            }
            (
                ctx,
                "This command is for staff: it needs Manage Server or a staff role.".to_owned(),
            )
        }
        poise::FrameworkError::ArgumentParse { ctx, error, .. } => {
            (ctx, format!("I could not read that: {error}"))
        }
        poise::FrameworkError::GuildOnly { ctx, .. } => {
            (ctx, "This command works in a server only.".to_owned())
        }
        poise::FrameworkError::EventHandler { error, event, .. } => {
            error!(
                event = event.snake_case_name(),
                "event handler failed: {error:#}"
            );
            return;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                error!("error while handling an error: {e}");
            }
            return;
        }
    };
    let reply = embeds::Rendered::text(&text).into_reply(true);
    if let Err(e) = ctx.send(reply).await {
        warn!("could not tell the member about an error: {e}");
    }
}
