//! The slash commands: read the arguments, ask the engine, render, reply.

use std::fmt::Write as _;
use std::sync::Arc;

use poise::serenity_prelude as serenity;
use serenity::{AutocompleteChoice, CreateAutocompleteResponse, Permissions, RoleId};
use tracing::{info, warn};

use super::embeds::{self, Rendered};
use super::respond::{respond, Asked, Via};
use super::{Context, Data, Error, Loaded, UserError};
use crate::chart;
use crate::layout;
use crate::limits::{MAX_CHOICES, MAX_CONTENT_CHARS};
use crate::store::{self, Channel};
use crate::Engine;

/// Every command, as registered.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![faq(), topics(), privacy(), forget_me(), faqadmin()]
}

/// Ask the clinic's FAQ a question.
#[poise::command(slash_command)]
pub async fn faq(
    ctx: Context<'_>,
    #[description = "Your question"]
    #[autocomplete = "autocomplete_question"]
    #[max_length = 300]
    question: String,
    #[description = "Show the answer only to you"] private: Option<bool>,
) -> Result<(), Error> {
    if question.trim().is_empty() {
        return Err(UserError("Please type a question.".into()).into());
    }
    let asked = Asked {
        text: &question,
        how: Channel::Slash,
        guild: ctx.guild_id().map(|g| g.get()),
        channel: ctx.channel_id().get(),
        user: ctx.author().id.get(),
        private: private.unwrap_or(false),
    };
    respond(ctx.data(), &asked, Via::Command(ctx)).await
}

async fn autocomplete_question(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let loaded = ctx.data().current();
    let choices = embeds::question_choices(&loaded.engine, partial)
        .into_iter()
        .map(|(name, value)| AutocompleteChoice::new(name, value))
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// The FAQ's categories that start with what was typed, for `/faq-topics`
/// (read from the FAQ, so another clinic's categories appear unchanged).
async fn autocomplete_category(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let loaded = ctx.data().current();
    let partial = partial.to_lowercase();
    let choices = loaded
        .engine
        .faq()
        .categories()
        .into_iter()
        .filter(|c| c.contains(partial.as_str()))
        .take(MAX_CHOICES)
        .map(|c| AutocompleteChoice::new(c, c))
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// Browse the FAQ's questions by topic.
#[poise::command(slash_command, rename = "faq-topics", ephemeral)]
pub async fn topics(
    ctx: Context<'_>,
    #[description = "Only this topic, with a menu to open its answers"]
    #[autocomplete = "autocomplete_category"]
    category: Option<String>,
) -> Result<(), Error> {
    let loaded = ctx.data().current();
    let faq = loaded.engine.faq();
    // An unknown category (typed, not chosen) gets the overview.
    let category = category.filter(|c| faq.categories().contains(&c.as_str()));
    let rendered = Rendered::from(layout::topics(faq, category.as_deref()));
    ctx.send(rendered.into_reply(true)).await?;
    Ok(())
}

/// What the bot keeps about your questions, for how long, and why.
#[poise::command(slash_command, rename = "faq-privacy", ephemeral)]
pub async fn privacy(ctx: Context<'_>) -> Result<(), Error> {
    let settings = ctx.data().log().map(|log| log.store().settings());
    ctx.send(Rendered::text(&privacy_text(settings)).into_reply(true))
        .await?;
    Ok(())
}

/// `/faq-privacy`'s text for the log's settings (none: the log is off).
/// It must say exactly what `store::kept_text`, `faq` and the writer's prune do.
pub fn privacy_text(settings: Option<&store::Settings>) -> String {
    let kept = match settings {
        None => "This bot keeps no log of questions here.".to_owned(),
        Some(s) => {
            let text = if s.store_text {
                format!(
                    "The words of a question are kept only when the bot could not answer it \
                     (mentions and links removed, at most {} characters), so staff can see \
                     what the FAQ is missing; never for `/faq` with `private:true`, and never \
                     for answered or urgent questions.",
                    store::MAX_KEPT_CHARS
                )
            } else {
                "The words of questions are not kept.".to_owned()
            };
            format!(
                "For each question the bot answers it keeps: the time, the server, \
                 how it was asked (slash, mention or channel), a keyed hash of your \
                 user id and this server (not your name or id), the outcome and which \
                 answer was given. {text} Helpful / Not helpful clicks are kept as one \
                 vote per answer.\n\
                 Why: so staff can see which answers help and which questions are missing.\n\
                 How long: {} day(s), then deleted (checked hourly, and when the bot starts). \
                 `/faq-forget-me` deletes your records in every server now. Deleted \
                 records are overwritten on disk, not just hidden.",
                s.retention_days
            )
        }
    };
    format!(
        "{kept}\n\nPlease do not post personal health details in public channels. \
         `/faq` with `private:true` shows the answer only to you and keeps none of your words."
    )
}

/// Delete everything the bot has stored about you.
#[poise::command(slash_command, rename = "faq-forget-me", ephemeral)]
pub async fn forget_me(ctx: Context<'_>) -> Result<(), Error> {
    let text = match ctx.data().log() {
        None => {
            "This bot keeps no log of questions here, so there is nothing to delete.".to_owned()
        }
        Some(log) => {
            let log = log.clone();
            let user = ctx.author().id.get();
            let deleted = tokio::task::spawn_blocking(move || log.forget(user)).await??;
            info!(deleted, "member records forgotten");
            format!("Deleted {deleted} record(s) about you: your questions and feedback votes.")
        }
    };
    ctx.send(Rendered::text(&text).into_reply(true)).await?;
    Ok(())
}

/// Staff tools for the FAQ bot.
#[poise::command(
    slash_command,
    subcommands("reload", "test", "info", "stats", "unanswered", "suggest"),
    default_member_permissions = "MANAGE_GUILD",
    guild_only
)]
pub async fn faqadmin(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Whether a member is staff: Manage Server (or Administrator), or a staff role.
pub fn is_staff_member(permissions: Option<Permissions>, roles: &[RoleId], data: &Data) -> bool {
    permissions.is_some_and(|p| p.manage_guild() || p.administrator())
        || roles
            .iter()
            .any(|r| data.config.staff_roles.contains(&r.get()))
}

/// The server-side check behind `default_member_permissions`, which a
/// server's owner can loosen.
async fn is_staff(ctx: Context<'_>) -> Result<bool, Error> {
    let poise::Context::Application(actx) = ctx else {
        return Ok(false);
    };
    Ok(actx
        .interaction
        .member
        .as_deref()
        .is_some_and(|m| is_staff_member(m.permissions, &m.roles, ctx.data())))
}

/// Re-read the FAQ file; keep the current one if the new one has errors.
#[poise::command(slash_command, check = "is_staff", ephemeral)]
pub async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    let path = ctx.data().config.faq_path.clone();
    let model = ctx.data().model.clone();
    // The running engine's vectors seed the new one: only changed phrasings are embedded.
    let seed = ctx.data().current().engine.vector_cache();
    let result = tokio::task::spawn_blocking(move || Loaded::read(&path, &model, seed)).await?;
    let text = match result {
        Ok(loaded) => {
            let text = format!(
                "Reloaded: {} entries, SHA-256 {}.",
                loaded.engine.faq().entries.len(),
                short_hash(&loaded.sha256)
            );
            ctx.data().swap(loaded);
            info!("FAQ reloaded");
            text
        }
        Err(errors) => {
            info!(errors = errors.len(), "FAQ reload refused");
            let mut text = format!(
                "The file has {} error(s); the bot keeps the FAQ it had.\n```\n",
                errors.len()
            );
            for e in &errors {
                let _ = writeln!(text, "{}", e.replace("```", "'''"));
            }
            fenced(text)
        }
    };
    ctx.send(Rendered::text(&text).into_reply(true)).await?;
    Ok(())
}

/// Show how the bot would decide on a question.
#[poise::command(slash_command, check = "is_staff", ephemeral)]
pub async fn test(
    ctx: Context<'_>,
    #[description = "The question to try"]
    #[max_length = 300]
    question: String,
) -> Result<(), Error> {
    let loaded = ctx.data().current();
    let text = format!(
        "```\n{}\n",
        loaded.engine.explain_text(&question).replace("```", "'''")
    );
    ctx.send(Rendered::text(&fenced(text)).into_reply(true))
        .await?;
    Ok(())
}

/// Version, FAQ, uptime and servers.
#[poise::command(slash_command, check = "is_staff", ephemeral)]
pub async fn info(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let loaded: Arc<Loaded> = data.current();
    let loaded_at = loaded
        .loaded_at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let text = format!(
        "faqbot {}\nFAQ: {} (version {}), {} entries\nSHA-256: {}\nLoaded: <t:{loaded_at}:f> in {} ms\nUptime: {}\nServers: {}",
        env!("CARGO_PKG_VERSION"),
        data.config.faq_path.display(),
        loaded.engine.faq().meta.version,
        loaded.engine.faq().entries.len(),
        loaded.sha256,
        loaded.took.as_millis(),
        uptime(data.started.elapsed()),
        ctx.cache().guild_count(),
    );
    ctx.send(Rendered::text(&text).into_reply(true)).await?;
    Ok(())
}

/// The question log's report, as `faqbot stats` prints it, with its chart.
#[poise::command(slash_command, check = "is_staff", ephemeral)]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "Cover the last N days (default 30, at most 3650)"] days: Option<u64>,
) -> Result<(), Error> {
    let days = days
        .unwrap_or(store::DEFAULT_RETENTION_DAYS)
        .clamp(1, MAX_REPORT_DAYS);
    let (text, png) = match ctx.data().log() {
        None => (NO_LOG.to_owned(), None),
        Some(log) => {
            let store = log.store().clone();
            let scope = server_scope(ctx)?;
            let (stats, png) = tokio::task::spawn_blocking(move || {
                chart::Report::load(&store, days, scope).map(|report| {
                    let png = chart::render(&report);
                    (report.stats, png)
                })
            })
            .await??;
            // The numbers matter more than the picture: a chart that cannot
            // be drawn is logged, and the text still goes out.
            let png = png
                .map(|c| c.png)
                .inspect_err(|e| warn!("stats chart not drawn: {e}"))
                .ok();
            let text = report_block(
                &stats.to_string(),
                "(cut to fit a message; `faqbot stats` prints it all)",
            );
            (text, png)
        }
    };
    let mut reply = Rendered::text(&text).into_reply(true);
    if let Some(png) = png {
        reply = reply.attachment(serenity::CreateAttachment::bytes(png, chart::FILE_NAME));
    }
    ctx.send(reply).await?;
    Ok(())
}

/// The questions the bot could not answer, as `faqbot unanswered` lists them.
#[poise::command(slash_command, check = "is_staff", ephemeral)]
pub async fn unanswered(
    ctx: Context<'_>,
    #[description = "Cover the last N days (default 30, at most 3650)"] days: Option<u64>,
    #[description = "Show at most N groups (default 20, at most 100)"] limit: Option<u64>,
) -> Result<(), Error> {
    let days = days
        .unwrap_or(store::DEFAULT_RETENTION_DAYS)
        .clamp(1, MAX_REPORT_DAYS);
    let limit = usize::try_from(
        limit
            .unwrap_or(DEFAULT_UNANSWERED_GROUPS)
            .clamp(1, MAX_UNANSWERED_GROUPS),
    )
    .unwrap_or(usize::MAX);
    let text = match ctx.data().log() {
        None => NO_LOG.to_owned(),
        Some(log) => {
            let store = log.store().clone();
            let scope = server_scope(ctx)?;
            let groups =
                tokio::task::spawn_blocking(move || store.unanswered(days, limit, scope)).await??;
            report_block(
                &store::unanswered_text(&groups, days),
                "(cut to fit a message; `faqbot unanswered` lists them all)",
            )
        }
    };
    ctx.send(Rendered::text(&text).into_reply(true)).await?;
    Ok(())
}

/// The invoking server's questions only: staff of one clinic never see
/// another's, whoever else has invited the bot.
fn server_scope(ctx: Context<'_>) -> Result<store::Scope, Error> {
    match ctx.guild_id() {
        Some(guild) => Ok(store::Scope::Guild(guild.get())),
        None => Err(UserError("This command works in a server only.".into()).into()),
    }
}

/// The longest period a staff report covers: ten years, far beyond any
/// retention a clinic sets, and small enough that a day count times the
/// seconds in a day cannot overflow.
const MAX_REPORT_DAYS: u64 = 3650;
/// How many unanswered groups `/faqadmin unanswered` shows by default, and
/// at most: one private message's worth.
const DEFAULT_UNANSWERED_GROUPS: u64 = 20;
const MAX_UNANSWERED_GROUPS: u64 = 100;

const NO_LOG: &str =
    "This bot runs without a question log (none was opened), so there is nothing to report.";

/// The faq.toml line adding a question to an entry, and how it matches before and after.
#[poise::command(slash_command, check = "is_staff", ephemeral)]
pub async fn suggest(
    ctx: Context<'_>,
    #[description = "The question to add"]
    #[max_length = 300]
    question: String,
    #[description = "The entry it should answer"]
    #[autocomplete = "autocomplete_entry"]
    entry: String,
) -> Result<(), Error> {
    let question = question.trim().to_owned();
    if question.is_empty() {
        return Err(UserError("Please type a question.".into()).into());
    }
    let loaded = ctx.data().current();
    let text =
        tokio::task::spawn_blocking(move || suggest_text(&loaded.engine, entry.trim(), &question))
            .await?
            .map_err(UserError)?;
    ctx.send(Rendered::text(&text).into_reply(true)).await?;
    Ok(())
}

async fn autocomplete_entry(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let loaded = ctx.data().current();
    let choices = entry_choices(&loaded.engine, partial)
        .into_iter()
        .map(|id| AutocompleteChoice::new(id.clone(), id))
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// Entry ids for autocomplete: those starting with `partial`, then those
/// containing it, at most [`MAX_CHOICES`].
pub fn entry_choices(engine: &Engine, partial: &str) -> Vec<String> {
    let partial = partial.trim().to_lowercase();
    let ids = || engine.faq().entries.iter().map(|e| e.id.as_str());
    ids()
        .filter(|id| id.starts_with(&partial))
        .chain(ids().filter(|id| !id.starts_with(&partial) && id.contains(&partial)))
        .take(MAX_CHOICES)
        .map(str::to_owned)
        .collect()
}

/// `/faqadmin suggest`'s reply; an error names an unknown entry.
pub fn suggest_text(engine: &Engine, entry_id: &str, question: &str) -> Result<String, String> {
    let (Some(entry), Some(after)) = (
        engine.faq().entry(entry_id),
        engine.with_alternate(entry_id, question),
    ) else {
        return Err(format!(
            "There is no entry with id \"{entry_id}\" in the FAQ."
        ));
    };
    let before = engine.answer(question);
    let now = after.answer(question);
    Ok(format!(
        "```toml\n# add to the alternates of [[entry]] id = \"{}\" (line {})\n{},\n```\n\
         Now: {} (score {:.3})\nWith it: {} (score {:.3})",
        entry.id,
        entry.line,
        toml_string(question),
        before.verdict(),
        before.score(),
        now.verdict(),
        now.score()
    ))
}

/// `text` as a TOML basic string; backticks are escaped too, so it cannot
/// end the code block it is shown in.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == '`' || c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What [`report_block`] wraps a cut report in, besides its note:
/// "```\n" before it, "\n```\n" after.
const REPORT_FENCES: &str = "```\n\n```\n";

/// A report in a code block within one message; a long one is cut at a
/// line and ends with `note`.
fn report_block(report: &str, note: &str) -> String {
    let body = report.replace("```", "'''");
    let body = body.trim_end();
    let full = format!("```\n{body}\n```");
    if full.chars().count() <= MAX_CONTENT_CHARS {
        return full;
    }
    let budget = MAX_CONTENT_CHARS - REPORT_FENCES.len() - note.chars().count();
    let mut kept = String::new();
    for line in body.lines() {
        if kept.chars().count() + line.chars().count() + 1 > budget {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    if kept.is_empty() {
        kept = layout::truncate(body, budget - 1);
        kept.push('\n');
    }
    format!("```\n{kept}```\n{note}")
}

/// Closes a code block opened in `text`, cutting the text to fit a message.
fn fenced(mut text: String) -> String {
    const CLOSE: &str = "```";
    if text.chars().count() + CLOSE.len() > MAX_CONTENT_CHARS {
        text = layout::truncate(&text, MAX_CONTENT_CHARS - CLOSE.len() - 1);
        text.push('\n');
    }
    text.push_str(CLOSE);
    text
}

fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn uptime(d: std::time::Duration) -> String {
    let s = d.as_secs();
    format!(
        "{}d {}h {}m {}s",
        s / 86_400,
        s / 3600 % 24,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The snippet escapes the question; long reports are cut with a note.
    #[test]
    fn suggest_and_report_texts() {
        assert_eq!(
            toml_string("a \"b\" \\ `c`\n"),
            r#""a \"b\" \\ \u0060c\u0060\n""#
        );
        let note = "(cut)";
        let long = "line of a report\n".repeat(500);
        let t = report_block(&long, note);
        assert!(t.chars().count() <= MAX_CONTENT_CHARS, "{}", t.len());
        assert!(
            t.starts_with("```\nline") && t.ends_with("\n```\n(cut)"),
            "{t}"
        );
        assert_eq!(report_block("a\n", note), "```\na\n```");
    }

    /// A long explanation or error list still fits one message, fence closed.
    #[test]
    fn fenced_fits() {
        let t = fenced(format!("```\n{}", "x".repeat(5000)));
        assert!(t.chars().count() <= MAX_CONTENT_CHARS && t.ends_with("\n```"));
        assert_eq!(fenced("```\nok\n".into()), "```\nok\n```");
        assert_eq!(
            uptime(std::time::Duration::from_secs(90_061)),
            "1d 1h 1m 1s"
        );
    }
}
