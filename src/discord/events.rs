//! Gateway events besides slash commands: messages that mention the bot or
//! are asked in an opened channel (read here, answered by
//! [`super::respond`]), and clicks on the bot's buttons and menus.

use poise::serenity_prelude as serenity;
use serenity::{
    ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse, FullEvent,
    Interaction, Message, UserId,
};
use tokio::time::Instant;
use tracing::{info, warn};

use super::embeds::Rendered;
use super::respond::{respond, Asked, Via};
use super::{retry, Data, Error};
use crate::layout::{self, Action};
use crate::store::{self, Record};

/// The reply to a mention with no question in it.
const EMPTY_MENTION_HINT: &str = "Ask me a question after the mention, or use /faq.";

/// The first words that make a message in an opened channel read as a question.
const QUESTION_WORDS: &[&str] = &[
    "what", "how", "why", "when", "where", "which", "who", "is", "are", "am", "can", "could", "do",
    "does", "did", "should", "would", "will", "may", "might", "has", "have", "any", "anyone",
];

/// Whether a message nobody addressed to the bot reads as a question.
pub fn looks_like_question(text: &str) -> bool {
    let text = text.trim();
    if text.ends_with('?') {
        return true;
    }
    let first = text.split_whitespace().next().unwrap_or("").to_lowercase();
    let first = first.trim_matches(|c: char| !c.is_alphanumeric());
    QUESTION_WORDS.contains(&first)
}

/// The message without mentions of the bot.
pub fn strip_mention(text: &str, bot: UserId) -> String {
    text.replace(&format!("<@{bot}>"), " ")
        .replace(&format!("<@!{bot}>"), " ")
        .trim()
        .to_owned()
}

pub async fn handle(
    ctx: &serenity::Context,
    event: &FullEvent,
    bot: UserId,
    data: &Data,
) -> Result<(), Error> {
    match event {
        FullEvent::Message { new_message } => on_message(ctx, new_message, bot, data).await,
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(click),
        } => {
            let guild = click.guild_id.map(|g| g.get());
            if !data.config.serves(guild) {
                ignored(guild, "a button click");
                return Ok(());
            }
            on_click(ctx, click, data).await
        }
        FullEvent::GuildCreate { guild, .. } if !data.config.serves(Some(guild.id.get())) => {
            warn!(
                guild = guild.id.get(),
                "the bot is in a server not in FAQBOT_GUILDS: it ignores everything there; remove the bot from that server, or add its id to FAQBOT_GUILDS"
            );
            Ok(())
        }
        FullEvent::Ready { data_about_bot } => {
            info!(
                guilds = data_about_bot.guilds.len(),
                "connected to Discord as {}", data_about_bot.user.name
            );
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn on_message(
    ctx: &serenity::Context,
    msg: &Message,
    bot: UserId,
    data: &Data,
) -> Result<(), Error> {
    if msg.author.bot || msg.author.id == bot || msg.webhook_id.is_some() || msg.guild_id.is_none()
    {
        return Ok(());
    }
    let guild = msg.guild_id.map(|g| g.get());
    if !data.config.serves(guild) {
        // Only messages the bot would otherwise read are worth a line.
        if msg.mentions.iter().any(|u| u.id == bot) {
            ignored(guild, "a mention");
        }
        return Ok(());
    }
    let mentioned = msg.mentions.iter().any(|u| u.id == bot);
    let opened = data.config.channels.contains(&msg.channel_id.get());
    if !(mentioned || opened && looks_like_question(&msg.content)) {
        return Ok(());
    }
    let question = if mentioned {
        strip_mention(&msg.content, bot)
    } else {
        msg.content.clone()
    };
    let via = Via::Message { ctx, msg };
    if question.is_empty() {
        // Nothing to answer: a hint, under the same limits as an answer.
        let allowed = data.cooldowns().try_take(
            msg.author.id.get(),
            msg.channel_id.get(),
            false,
            Instant::now(),
        );
        if allowed {
            via.send(Rendered::text(EMPTY_MENTION_HINT), false).await?;
        }
        return Ok(());
    }
    let asked = Asked {
        text: &question,
        how: if mentioned {
            store::Channel::Mention
        } else {
            store::Channel::Channel
        },
        guild,
        channel: msg.channel_id.get(),
        user: msg.author.id.get(),
        private: false,
    };
    respond(data, &asked, via).await
}

/// Logs an event from a server the bot does not serve (no ids of members,
/// no words: just the server).
pub fn ignored(guild: Option<u64>, what: &str) {
    match guild {
        Some(guild) => info!(guild, "ignored {what} from a server not in FAQBOT_GUILDS"),
        None => info!("ignored {what} in a DM (FAQBOT_GUILDS is set)"),
    }
}

async fn on_click(
    ctx: &serenity::Context,
    click: &ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let Some(action) = Action::parse(&click.data.custom_id) else {
        return Ok(());
    };
    let entry_id = match (&action, &click.data.kind) {
        (Action::Open(id), _) => Some(id.as_str()),
        (Action::Pick, ComponentInteractionDataKind::StringSelect { values }) => {
            values.first().map(String::as_str)
        }
        _ => None,
    };
    let rendered = match action {
        // Custom ids come from the client: only an entry of the FAQ is a vote.
        Action::Feedback { entry, .. } if data.current().engine.faq().entry(&entry).is_none() => {
            Rendered::text("That question is no longer in the FAQ; try /faq.")
        }
        Action::Feedback { entry, helpful } => {
            info!(entry, helpful, "feedback");
            data.record(Record::Vote(store::Vote {
                time: store::now(),
                guild: click.guild_id.map(|g| g.get()),
                user: click.user.id.get(),
                entry,
                helpful,
            }));
            Rendered::text("Thanks for the feedback.")
        }
        Action::Open(_) | Action::Pick => {
            let loaded = data.current();
            let faq = loaded.engine.faq();
            match entry_id.and_then(|id| faq.entry(id)) {
                Some(entry) => layout::answer(faq, entry).into(),
                None => Rendered::text("That question is no longer in the FAQ; try /faq."),
            }
        }
    };
    let response = CreateInteractionResponse::Message(rendered.into_interaction(true));
    retry::retrying("a button reply", retry::INTERACTION_BUDGET, || {
        click.create_response(&ctx.http, response.clone())
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Question-looking messages: a question mark, or a question word first.
    #[test]
    fn question_detection() {
        for q in [
            "does it hurt",
            "How long is the downtime",
            "microneedling after botox?",
            "  anyone tried it at home",
        ] {
            assert!(looks_like_question(q), "{q}");
        }
        for s in ["lol", "I had my second session today", "", "thanks!"] {
            assert!(!looks_like_question(s), "{s}");
        }
    }

    /// Both mention forms are removed from the question.
    #[test]
    fn mentions_stripped() {
        let bot = UserId::new(42);
        assert_eq!(strip_mention("<@42> does it hurt?", bot), "does it hurt?");
        assert_eq!(strip_mention("hey <@!42>", bot), "hey");
        assert_eq!(strip_mention("<@7> hi", bot), "<@7> hi");
    }
}
