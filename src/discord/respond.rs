//! The one ask flow. A question from `/faq`, a mention or an opened
//! channel goes through [`respond`]: cooldown check → answer → render →
//! cooldown count → record → send → staff alert. The command and the
//! event handler only read their input into an [`Asked`].

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, Message};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::embeds::{self, Rendered};
use super::{retry, Context, Data, Error};
use crate::layout;
use crate::store::{self, Channel, Record};
use crate::{Reply, Strictness};

/// A question as its reader found it.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// The words to answer (mentions of the bot already removed).
    pub text: &'a str,
    /// How it was asked: `/faq`, a mention, or unaddressed in an opened channel.
    pub how: Channel,
    pub guild: Option<u64>,
    pub channel: u64,
    pub user: u64,
    /// `/faq private:true`: the reply is ephemeral, the words are not
    /// kept, and staff are not alerted.
    pub private: bool,
}

impl Asked<'_> {
    /// Slash commands are asked on purpose and are not rate limited;
    /// message replies are (see [`super::cooldowns`]).
    fn limited(&self) -> bool {
        self.how != Channel::Slash
    }

    /// A message nobody addressed to the bot needs a surer match.
    fn strictness(&self) -> Strictness {
        match self.how {
            Channel::Channel => Strictness::Overheard,
            Channel::Slash | Channel::Mention => Strictness::Asked,
        }
    }
}

/// Where the reply goes.
#[derive(Clone, Copy)]
pub enum Via<'a> {
    /// The response to the slash command's interaction.
    Command(Context<'a>),
    /// A reply to the member's message.
    Message {
        ctx: &'a serenity::Context,
        msg: &'a Message,
    },
}

/// What [`Via::send`] sent, enough to link to it.
pub enum Sent<'a> {
    /// An interaction response: its message is fetched only if an alert needs it.
    Command(poise::ReplyHandle<'a>),
    /// The member's own message is linked.
    Message(String),
}

impl<'a> Via<'a> {
    fn serenity(&self) -> &'a serenity::Context {
        match *self {
            Via::Command(ctx) => ctx.serenity_context(),
            Via::Message { ctx, .. } => ctx,
        }
    }

    /// Sends `rendered` (ephemeral if `private` and the way allows),
    /// retrying blips within the way's budget.
    pub async fn send(&self, rendered: Rendered, private: bool) -> Result<Sent<'a>, Error> {
        match *self {
            Via::Command(ctx) => {
                let response = rendered.into_reply(private);
                let handle = retry::retrying("the /faq reply", retry::INTERACTION_BUDGET, || {
                    ctx.send(response.clone())
                })
                .await?;
                Ok(Sent::Command(handle))
            }
            Via::Message { ctx, msg } => {
                let message = rendered.into_message().reference_message(msg);
                retry::retrying("a message reply", retry::MESSAGE_BUDGET, || {
                    msg.channel_id.send_message(&ctx.http, message.clone())
                })
                .await?;
                let guild = msg.guild_id.map(|g| g.get());
                Ok(Sent::Message(embeds::message_link(
                    guild,
                    msg.channel_id.get(),
                    msg.id.get(),
                )))
            }
        }
    }
}

impl Sent<'_> {
    /// A link to what staff should look at; `None` (logged) if Discord
    /// cannot say now: the member has their reply, only the alert is lost.
    async fn link(self, asked: &Asked<'_>) -> Option<String> {
        match self {
            Sent::Message(link) => Some(link),
            Sent::Command(handle) => match handle.message().await {
                Ok(message) => Some(embeds::message_link(
                    asked.guild,
                    asked.channel,
                    message.id.get(),
                )),
                Err(e) => {
                    warn!("no staff alert: cannot fetch the reply to link to: {e}");
                    None
                }
            },
        }
    }
}

/// Answers `asked` through `via`: the whole flow every question takes.
pub async fn respond(data: &Data, asked: &Asked<'_>, via: Via<'_>) -> Result<(), Error> {
    let loaded = data.current();
    let engine = &loaded.engine;
    // The lexicon's half of the pipeline, once: the cooldown check reads
    // it, and answering goes on from it.
    let read = engine.read(asked.text);
    // Checked before answering, so a member on cooldown costs no encoder
    // time; counted only once the reply is certain to go out (below).
    if asked.limited() {
        let may = data.cooldowns().may_reply(
            asked.user,
            asked.channel,
            read.may_be_urgent(),
            Instant::now(),
        );
        if !may {
            debug!(channel = asked.channel, "cooldown: not answering");
            return Ok(());
        }
    }
    let strictness = asked.strictness();
    // The encoder's work goes to its queue, which embeds the questions of
    // everyone asking at once together; the rest is a fraction of a
    // millisecond. Without the queue (its thread could not start), the
    // encoder runs off the async worker, so the gateway keeps moving.
    let texts = read.encoder_texts();
    let wants_vectors = !texts.is_empty();
    let queued = match engine.model() {
        Some(model) if wants_vectors && Arc::ptr_eq(model, data.encoder.model()) => {
            data.encoder.embed_all(&texts).await.ok()
        }
        _ => None,
    };
    drop(texts);
    let explained = match queued {
        // A text the encoder failed on ends the list: the vectors before
        // it are used, as `Engine::explain_read` expects.
        Some(vectors) => {
            let vectors = vectors.into_iter().map_while(|v| v).collect();
            engine.explain_read(read, vectors)
        }
        None if wants_vectors => tokio::task::block_in_place(|| engine.explain(asked.text)),
        None => engine.explain_read(read, Vec::new()),
    };
    let reply = engine.decide(&explained, strictness);
    info!(
        source = asked.how.as_str(),
        outcome = reply.outcome().as_str(),
        entry = reply.verdict(),
        "question answered"
    );
    // Unasked, the bot stays silent rather than say it does not know.
    if strictness == Strictness::Overheard && matches!(reply, Reply::NoMatch { .. }) {
        return Ok(());
    }
    let urgent = matches!(reply, Reply::Urgent { .. });
    if asked.limited()
        && !data
            .cooldowns()
            .try_take(asked.user, asked.channel, urgent, Instant::now())
    {
        debug!(channel = asked.channel, "cooldown: not replying");
        return Ok(());
    }
    // Queued before the reply goes out (queuing never waits): a question
    // answered just before a shutdown is still in the log it flushes.
    let mut record =
        store::Question::from_reply(asked.how, asked.guild, asked.user, &reply, asked.text);
    if asked.private {
        // Asked privately: counted, but the words are not kept, so they
        // never reach staff through `/faqadmin unanswered`.
        record.text.clear();
    }
    data.record(Record::Question(record));
    let sent = via
        .send(layout::reply(engine.faq(), &reply).into(), asked.private)
        .await?;
    // A private question stays private: staff are alerted only about public ones.
    if urgent && !asked.private && data.config.alert_channel.is_some() {
        if let Some(link) = sent.link(asked).await {
            alert_staff(via.serenity(), data, asked.guild, asked.user, &link).await;
        }
    }
    Ok(())
}

/// Tells staff where a member may have described a complication: only for
/// a question asked in the alert channel's own server, within the limits of
/// [`super::cooldowns::AlertCooldown`]. A failure is logged: the member already has
/// their reply.
async fn alert_staff(
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
