//! Gateway events besides slash commands: messages that mention the bot or
//! are asked in an opened channel, and clicks on the bot's buttons and menus.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{
    ChannelId, ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse,
    FullEvent, Interaction, Message, UserId,
};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::embeds::{self, Action, Rendered};
use super::{retry, Data, Error};
use crate::store::{self, Question, Record};
use crate::{Reply, Strictness};

/// After the bot answers a member's message, it does not answer another
/// from them for this long: a burst of messages gets one reply, and the
/// member can still use /faq.
pub const USER_COOLDOWN: Duration = Duration::from_secs(30);
/// At most this many message replies per channel in [`CHANNEL_WINDOW`]:
/// the bot must never flood a conversation.
pub const CHANNEL_BURST: usize = 4;
pub const CHANNEL_WINDOW: Duration = Duration::from_secs(60);
/// After a member's urgent question alerts staff, their next urgent
/// questions do not alert again for this long: staff already have the link
/// and are on it; the member still gets the urgent reply every time.
pub const ALERT_MEMBER_COOLDOWN: Duration = Duration::from_secs(10 * 60);
/// At most this many staff alerts in [`ALERT_WINDOW`] from everyone
/// together: a raid of urgent-sounding messages must not bury the alert
/// channel; the alerts held back are counted in the next one sent.
pub const ALERT_BURST: usize = 5;
pub const ALERT_WINDOW: Duration = Duration::from_secs(60);
/// The first words that make a message in an opened channel read as a question.
const QUESTION_WORDS: &[&str] = &[
    "what", "how", "why", "when", "where", "which", "who", "is", "are", "am", "can", "could", "do",
    "does", "did", "should", "would", "will", "may", "might", "has", "have", "any", "anyone",
];

/// Rate limits for message replies (slash commands are asked on purpose
/// and are not limited). Urgent replies have their own per-member slot and
/// ignore the channel limit: a member describing a complication is always
/// told to get care, once per cooldown. Urgent replies are not counted
/// against the channel either.
#[derive(Debug, Default)]
pub struct Cooldowns {
    /// (user, urgent) → when the bot last replied.
    users: HashMap<(u64, bool), Instant>,
    /// channel → when the bot replied there within the window.
    channels: HashMap<u64, VecDeque<Instant>>,
}

impl Cooldowns {
    /// Whether the bot may reply now; if so, the reply is counted.
    pub fn try_take(&mut self, user: u64, channel: u64, urgent: bool, now: Instant) -> bool {
        if self
            .users
            .get(&(user, urgent))
            .is_some_and(|&last| now.duration_since(last) < USER_COOLDOWN)
        {
            return false;
        }
        if !urgent {
            let recent = self.channels.entry(channel).or_default();
            while recent
                .front()
                .is_some_and(|&t| now.duration_since(t) >= CHANNEL_WINDOW)
            {
                recent.pop_front();
            }
            if recent.len() >= CHANNEL_BURST {
                return false;
            }
            recent.push_back(now);
        }
        self.users.insert((user, urgent), now);
        // Forget members whose cooldown is over, so the map stays small.
        if self.users.len() > 1024 {
            self.users
                .retain(|_, &mut t| now.duration_since(t) < USER_COOLDOWN);
        }
        true
    }
}

/// Limits on staff alerts (see [`ALERT_MEMBER_COOLDOWN`] and
/// [`ALERT_BURST`]); the member's own urgent reply is never limited by it.
#[derive(Debug, Default)]
pub struct AlertCooldown {
    /// (server, member) → when their last alert was sent.
    members: HashMap<(Option<u64>, u64), Instant>,
    /// When the alerts within the window were sent.
    recent: VecDeque<Instant>,
    /// Alerts held back since the last one sent.
    held: u64,
}

impl AlertCooldown {
    /// Whether an alert about `user` in `guild` may go to staff now; if so,
    /// it is counted and the number held back since the last alert is
    /// returned (and reset).
    pub fn try_take(&mut self, guild: Option<u64>, user: u64, now: Instant) -> Option<u64> {
        let member_quiet = self
            .members
            .get(&(guild, user))
            .is_some_and(|&last| now.duration_since(last) < ALERT_MEMBER_COOLDOWN);
        while self
            .recent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= ALERT_WINDOW)
        {
            self.recent.pop_front();
        }
        if member_quiet || self.recent.len() >= ALERT_BURST {
            self.held += 1;
            return None;
        }
        self.recent.push_back(now);
        self.members.insert((guild, user), now);
        // Forget members whose cooldown is over, so the map stays small.
        if self.members.len() > 1024 {
            self.members
                .retain(|_, &mut t| now.duration_since(t) < ALERT_MEMBER_COOLDOWN);
        }
        Some(std::mem::take(&mut self.held))
    }
}

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
    let loaded = data.current();
    let (rendered, urgent, record) = if question.is_empty() {
        (
            Rendered::text("Ask me a question after the mention, or use /faq."),
            false,
            None,
        )
    } else {
        let strictness = if mentioned {
            Strictness::Asked
        } else {
            Strictness::Overheard
        };
        // CPU work (the encoder): off the async worker, see commands::faq.
        let reply =
            tokio::task::block_in_place(|| loaded.engine.answer_with(&question, strictness));
        info!(
            source = if mentioned { "mention" } else { "channel" },
            outcome = reply.outcome().as_str(),
            entry = reply.verdict(),
            "message answered"
        );
        // Unasked, the bot stays silent rather than say it does not know.
        if !mentioned && matches!(reply, Reply::NoMatch { .. }) {
            return Ok(());
        }
        let channel = if mentioned {
            store::Channel::Mention
        } else {
            store::Channel::Channel
        };
        let record = Question::from_reply(
            channel,
            msg.guild_id.map(|g| g.get()),
            msg.author.id.get(),
            &reply,
            &question,
        );
        (
            embeds::reply(loaded.engine.faq(), &reply),
            matches!(reply, Reply::Urgent { .. }),
            Some(record),
        )
    };
    let allowed = data.cooldowns().try_take(
        msg.author.id.get(),
        msg.channel_id.get(),
        urgent,
        Instant::now(),
    );
    if !allowed {
        debug!(channel = %msg.channel_id, "cooldown: not replying");
        return Ok(());
    }
    let message = rendered.into_message().reference_message(msg);
    retry::retrying("a message reply", retry::MESSAGE_BUDGET, || {
        msg.channel_id.send_message(&ctx.http, message.clone())
    })
    .await?;
    if let Some(record) = record {
        data.record(Record::Question(record));
    }
    if urgent {
        let link = embeds::message_link(
            msg.guild_id.map(|g| g.get()),
            msg.channel_id.get(),
            msg.id.get(),
        );
        alert_staff(ctx, data, guild, msg.author.id.get(), &link).await;
    }
    Ok(())
}

/// Logs an event from a server the bot does not serve (no ids of members,
/// no words: just the server).
pub fn ignored(guild: Option<u64>, what: &str) {
    match guild {
        Some(guild) => info!(guild, "ignored {what} from a server not in FAQBOT_GUILDS"),
        None => info!("ignored {what} in a DM (FAQBOT_GUILDS is set)"),
    }
}

/// Tells staff where a member may have described a complication: only for
/// a question asked in the alert channel's own server, at most once per
/// member per [`ALERT_MEMBER_COOLDOWN`] and [`ALERT_BURST`] per
/// [`ALERT_WINDOW`] in all. A failure is logged: the member already has
/// their reply.
pub async fn alert_staff(
    ctx: &serenity::Context,
    data: &Data,
    guild: Option<u64>,
    user: u64,
    link: &str,
) {
    let Some(channel) = data.config.alert_channel else {
        return;
    };
    match data.alert_guild(ctx, channel).await {
        Some(home) if Some(home) == guild => {}
        Some(_) => {
            info!(
                "no staff alert: the question was asked in another server than the alert channel's"
            );
            return;
        }
        None => {
            warn!("no staff alert: cannot tell which server the alert channel {channel} is in");
            return;
        }
    }
    let held = data.alert_cooldown().try_take(guild, user, Instant::now());
    let Some(held) = held else {
        info!("staff alert held back (alert cooldown)");
        return;
    };
    let mut text = embeds::alert_text(link);
    if held > 0 {
        text.push_str(&format!(
            "\n({held} more alert(s) were held back since the last one: see the channels for other urgent questions.)"
        ));
    }
    let message = Rendered::text(&text).into_message();
    let sent = retry::retrying("the staff alert", retry::MESSAGE_BUDGET, || {
        ChannelId::new(channel).send_message(&ctx.http, message.clone())
    })
    .await;
    if let Err(e) = sent {
        warn!("could not send the staff alert to channel {channel}: {e}");
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
                Some(entry) => embeds::answer(faq, entry),
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

    /// A burst from one member gets one reply per cooldown; a channel gets at
    /// most CHANNEL_BURST replies per window; urgent replies are not crowded out.
    #[tokio::test(start_paused = true)]
    async fn cooldowns_bound_bursts() {
        let mut c = Cooldowns::default();
        assert!(c.try_take(1, 10, false, Instant::now()));
        assert!(
            !c.try_take(1, 10, false, Instant::now()),
            "same member, within the cooldown"
        );
        assert!(
            c.try_take(1, 10, true, Instant::now()),
            "urgent has its own slot"
        );
        assert!(!c.try_take(1, 10, true, Instant::now()));
        for user in 2..=CHANNEL_BURST as u64 {
            assert!(c.try_take(user, 10, false, Instant::now()));
        }
        assert!(!c.try_take(99, 10, false, Instant::now()), "channel full");
        assert!(c.try_take(99, 11, false, Instant::now()), "another channel");
        assert!(
            c.try_take(98, 10, true, Instant::now()),
            "urgent ignores the channel limit"
        );
        tokio::time::advance(USER_COOLDOWN).await;
        assert!(c.try_take(1, 12, false, Instant::now()), "cooldown over");
        assert!(
            !c.try_take(99, 10, false, Instant::now()),
            "channel window not over yet"
        );
        tokio::time::advance(CHANNEL_WINDOW).await;
        assert!(c.try_take(99, 10, false, Instant::now()));
    }

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

    /// Staff alerts: one per member per cooldown, ALERT_BURST per window in
    /// all; the held-back count goes with the next alert sent.
    #[tokio::test(start_paused = true)]
    async fn alert_cooldown_bounds_floods() {
        let mut a = AlertCooldown::default();
        let now = Instant::now;
        assert_eq!(a.try_take(Some(1), 10, now()), Some(0));
        for _ in 0..9 {
            assert_eq!(a.try_take(Some(1), 10, now()), None, "same member");
        }
        assert_eq!(
            a.try_take(Some(2), 10, now()),
            Some(9),
            "same id, another server"
        );
        for user in 11..(11 + ALERT_BURST as u64 - 2) {
            assert!(a.try_take(Some(1), user, now()).is_some());
        }
        assert_eq!(a.try_take(Some(1), 99, now()), None, "window full");
        tokio::time::advance(ALERT_WINDOW).await;
        assert_eq!(a.try_take(Some(1), 99, now()), Some(1), "window over");
        assert_eq!(
            a.try_take(Some(1), 10, now()),
            None,
            "member still cooling down"
        );
        tokio::time::advance(ALERT_MEMBER_COOLDOWN).await;
        assert_eq!(a.try_take(Some(1), 10, now()), Some(1));
    }
}
