//! End to end: the real `faqbot run` against a Discord stand-in on
//! loopback (tests/support). Each test starts its own stand-in and bot.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use faqbot::reply::NO_MATCH_TEXT;
use faqbot::{Reply, Strictness};
use serde_json::{json, Value};
use support::schema::assert_valid;
use support::*;

const TYPO_QUESTION: &str = "how many sesions do i need";
const URGENT_QUESTION: &str = "I had microneedling 5 days ago and now I have a fever and pus";
/// Shares no word with the FAQ, whatever its tuning.
const NONSENSE_QUESTION: &str = "qwzx blorf vindaloo snark";
/// Another, asked with `private:true`.
const PRIVATE_NONSENSE: &str = "wombat zorblax quibble";
/// A server the bot does not serve.
const OTHER_GUILD_ID: u64 = 900_000_000_000_000_099;

/// What a scenario starts the bot with: the shipped FAQ unless told,
/// settings, and optionally a question log in the scenario's folder.
#[derive(Default)]
struct Setup {
    faq: Option<PathBuf>,
    env: Vec<(&'static str, String)>,
    db: bool,
}

/// One test's world: the stand-in, the bot (ready, its log in
/// [`Scenario::log`]), the commands it registered, and a folder of its own
/// for the files the bot writes.
struct Scenario {
    fake: FakeDiscord,
    bot: Bot,
    registered: Recorded,
    dir: tempfile::TempDir,
}

fn scenario() -> Setup {
    Setup::default()
}

impl Setup {
    fn env(mut self, name: &'static str, value: impl ToString) -> Setup {
        self.env.push((name, value.to_string()));
        self
    }

    fn faq(mut self, path: &Path) -> Setup {
        self.faq = Some(path.to_owned());
        self
    }

    /// A question log on disk (FAQBOT_DB), at [`Scenario::db`].
    fn db(mut self) -> Setup {
        self.db = true;
        self
    }

    /// Starts the stand-in and the bot, and waits until the bot is ready.
    async fn start(mut self) -> Scenario {
        let dir = tempfile::tempdir().expect("a scenario folder");
        if self.db {
            self.env
                .push(("FAQBOT_DB", dir.path().join("log.db").display().to_string()));
        }
        let log = dir.path().join("bot.log");
        let fake = FakeDiscord::start().await;
        let faq = self.faq.unwrap_or_else(shipped_faq);
        let mut bot = Bot::spawn_logged(&fake, &faq, &self.env, &log);
        let registered = tokio::select! {
            registered = fake.wait_ready() => registered,
            status = bot.child.wait() => panic!(
                "the bot exited ({status:?}) before it was ready: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ),
        };
        Scenario {
            fake,
            bot,
            registered,
            dir,
        }
    }
}

impl Scenario {
    /// The bot's log (its stderr).
    fn log(&self) -> PathBuf {
        self.dir.path().join("bot.log")
    }

    /// The question log, with [`Setup::db`].
    fn db(&self) -> PathBuf {
        self.dir.path().join("log.db")
    }

    /// Asks `/faq question` as interaction `id` from [`MEMBER_ID`] and
    /// returns the response.
    async fn ask(&self, id: u64, question: &str) -> Recorded {
        self.slash(id, "faq", ask_options(question), plain_member())
            .await
    }

    /// Sends a slash command and returns the response.
    async fn slash(&self, id: u64, name: &str, options: Value, member: Value) -> Recorded {
        slash(&self.fake, id, name, options, member).await
    }
}

/// `/faq`'s options for `question`.
fn ask_options(question: &str) -> Value {
    json!([{"name": "question", "type": 3, "value": question}])
}

/// `/faq`'s options for `question`, asked with `private:true`.
fn private_options(question: &str) -> Value {
    json!([{"name": "question", "type": 3, "value": question}, {"name": "private", "type": 5, "value": true}])
}

/// [`MEMBER_ID`] with no permissions and no roles.
fn plain_member() -> Value {
    member(MEMBER_ID, "0", &[])
}

/// [`MEMBER_ID`] with Manage Server.
fn staff() -> Value {
    member(MEMBER_ID, MANAGE_GUILD, &[])
}

fn ephemeral(body: &Value) -> bool {
    body["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

fn option<'a>(command: &'a Value, name: &str) -> &'a Value {
    command["options"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["name"] == name))
        .unwrap_or_else(|| panic!("option {name} in {command:#}"))
}

/// The bot registers /faq (autocompleted question, optional private),
/// /faq-topics (the FAQ's categories as choices), /faq-privacy,
/// /faq-forget-me and /faqadmin (reload, test, info, stats, unanswered,
/// suggest; Manage Server by default) globally, in a shape Discord accepts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_commands() {
    let s = scenario().start().await;
    let (fake, put) = (&s.fake, &s.registered);
    assert_eq!(put.path, format!("/applications/{APP_ID}/commands"));
    assert_valid(&put.method, &put.path, &put.body);
    let commands = put.body.as_array().expect("an array of commands");
    let find = |name: &str| {
        commands
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("/{name} registered"))
    };
    assert_eq!(commands.len(), 5);
    for name in ["faq-privacy", "faq-forget-me"] {
        assert!(
            find(name)["default_member_permissions"].is_null(),
            "members can use /{name}"
        );
    }

    let faq = find("faq");
    let question = option(faq, "question");
    assert_eq!(
        (
            question["type"].as_u64(),
            question["required"].as_bool(),
            question["autocomplete"].as_bool()
        ),
        (Some(3), Some(true), Some(true))
    );
    let private = option(faq, "private");
    assert_eq!(private["type"], 5);
    assert_ne!(private["required"], true);

    // Categories come from the FAQ at run time: offered by autocomplete,
    // not compiled into the command.
    let topics = option(find("faq-topics"), "category");
    assert_eq!(
        (topics["type"].as_u64(), topics["autocomplete"].as_bool()),
        (Some(3), Some(true))
    );

    let admin = find("faqadmin");
    assert_eq!(admin["default_member_permissions"], "32");
    for sub in ["reload", "test", "info", "stats", "unanswered", "suggest"] {
        assert_eq!(
            option(admin, sub)["type"],
            1,
            "/faqadmin {sub} is a subcommand"
        );
    }
    let suggest = option(admin, "suggest");
    assert_eq!(option(suggest, "question")["required"], true);
    let entry = option(suggest, "entry");
    assert_eq!(
        (entry["required"].as_bool(), entry["autocomplete"].as_bool()),
        (Some(true), Some(true))
    );
    for name in ["days", "limit"] {
        assert_ne!(option(option(admin, "unanswered"), name)["required"], true);
    }
    assert_ne!(option(option(admin, "stats"), "days")["required"], true);
    assert!(
        find("faq")["default_member_permissions"].is_null(),
        "members can use /faq"
    );

    // Guilds and their messages only: no message content without opened channels.
    assert_eq!(fake.identifies()[0]["intents"], 1 | 512);
}

/// With DISCORD_GUILD_ID the commands go to that guild; with opened
/// channels the bot asks for the message content intent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_in_guild() {
    let s = scenario()
        .env("DISCORD_GUILD_ID", GUILD_ID)
        .env("FAQBOT_CHANNELS", CHANNEL_ID)
        .start()
        .await;
    let (fake, put) = (&s.fake, &s.registered);
    assert_eq!(
        put.path,
        format!("/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    );
    assert_eq!(fake.identifies()[0]["intents"], 1 | 512 | 32768);
}

/// `/faq` with a misspelt question answers with the entry as an embed:
/// title, answer, linked sources and the disclaimer, publicly; `private`
/// makes it ephemeral.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faq_answers_with_a_sourced_embed() {
    let entry = expected_entry(TYPO_QUESTION);
    let faq = engine().faq().clone();
    let s = scenario().start().await;
    let fake = &s.fake;

    let r = s.ask(101, TYPO_QUESTION).await;
    assert_eq!(r.body["type"], 4);
    assert!(!ephemeral(&r.body));
    let embed = &r.body["data"]["embeds"][0];
    assert_eq!(embed["title"], entry.question.as_str());
    assert_eq!(embed["description"], entry.answer.as_str());
    assert_eq!(embed["fields"][0]["name"], "Sources");
    let sources = embed["fields"][0]["value"].as_str().unwrap();
    let first = &faq.sources[entry.sources[0]];
    assert!(sources.contains(&format!("]({})", first.link)), "{sources}");
    assert_eq!(embed["footer"]["text"], faq.meta.disclaimer.as_str());
    let buttons: Vec<&str> = r.body["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap())
        .map(|b| b["custom_id"].as_str().unwrap())
        .collect();
    assert!(
        buttons.contains(&format!("faq:helpful:{}", entry.id).as_str()),
        "{buttons:?}"
    );
    assert_eq!(r.body["data"]["allowed_mentions"]["parse"], json!([]));

    let r = s
        .slash(102, "faq", private_options(TYPO_QUESTION), plain_member())
        .await;
    assert!(ephemeral(&r.body));

    // A related-entry button opens that answer for the clicker only.
    if let Some(&related) = entry.related.first() {
        let related = &faq.entries[related];
        let click = json!({"custom_id": format!("faq:entry:{}", related.id), "component_type": 2});
        let mut payload = interaction(103, 3, click, plain_member());
        payload["message"] = bot_message(910_000_000_000_000_777);
        fake.dispatch("INTERACTION_CREATE", payload);
        let body = fake.wait_callback(103).await;
        assert!(ephemeral(&body));
        assert_eq!(
            body["data"]["embeds"][0]["title"],
            related.question.as_str()
        );
    }
}

/// Autocomplete offers matching questions for a partial input and the
/// starter list for an empty one, within Discord's limits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_offers_questions() {
    let s = scenario().start().await;
    let fake = &s.fake;
    let ask = |id: u64, partial: &str| {
        let data = command(
            "faq",
            json!([{"name": "question", "type": 3, "value": partial, "focused": true}]),
        );
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(id, 4, data, plain_member()),
        );
    };
    ask(201, "sesion");
    let body = fake.wait_callback(201).await;
    assert_valid("POST", "/interactions/201/token-201/callback", &body);
    assert_eq!(body["type"], 8);
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25, "{choices:?}");

    ask(202, "");
    let body = fake.wait_callback(202).await;
    let names: Vec<&str> = body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let engine = engine();
    let starters: Vec<&str> = engine
        .faq()
        .entries
        .iter()
        .filter(|e| e.starter)
        .map(|e| e.question.as_str())
        .collect();
    assert_eq!(names, starters);
}

/// A mention that contains @everyone is answered in a reply that can ping
/// nobody, not even the member replied to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mention_reply_pings_nobody() {
    let entry = expected_entry(TYPO_QUESTION);
    let s = scenario().start().await;
    let fake = &s.fake;
    let content = format!("<@{BOT_ID}> @everyone {TYPO_QUESTION}?");
    fake.dispatch(
        "MESSAGE_CREATE",
        member_message(301, CHANNEL_ID, &content, true, true),
    );
    let path = format!("/channels/{CHANNEL_ID}/messages");
    let r = fake
        .wait_request("the reply to the mention", 0, |r| {
            r.method == "POST" && r.path == path
        })
        .await;
    assert_valid(&r.method, &r.path, &r.body);
    assert_eq!(r.body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(r.body["allowed_mentions"]["replied_user"], false);
    assert_eq!(r.body["message_reference"]["message_id"], "301");
    assert_eq!(r.body["embeds"][0]["title"], entry.question.as_str());

    // A burst of mentions from the same member within the cooldown gets no more replies.
    for id in 302..305 {
        fake.dispatch(
            "MESSAGE_CREATE",
            member_message(id, CHANNEL_ID, &content, true, true),
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let replies = fake.count("POST", &path);
    assert_eq!(replies, 1, "one reply per member per cooldown");
}

/// `/faq-topics` lists a category's questions privately with a menu, and
/// picking one opens its answer for the member.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_list_and_pick() {
    let engine = engine();
    let sessions = "sessions";
    let s = scenario().start().await;
    let fake = &s.fake;
    let r = s
        .slash(
            901,
            "faq-topics",
            json!([{"name": "category", "type": 3, "value": sessions}]),
            plain_member(),
        )
        .await;
    assert!(ephemeral(&r.body));
    assert_eq!(r.body["data"]["embeds"][0]["title"], "FAQ: sessions");
    let menu = &r.body["data"]["components"][0]["components"][0];
    assert_eq!(menu["custom_id"], "faq:pick");
    let first = menu["options"][0]["value"].as_str().unwrap().to_owned();
    let entry = engine
        .faq()
        .entries
        .iter()
        .find(|e| e.id == first)
        .expect("the option's value is an entry id");
    assert_eq!(entry.category, "sessions");

    let r = s.slash(902, "faq-topics", json!([]), plain_member()).await;
    assert_eq!(r.body["data"]["embeds"][0]["title"], "FAQ topics");

    let pick = json!({"custom_id": "faq:pick", "component_type": 3, "values": [first]});
    let mut payload = interaction(903, 3, pick, plain_member());
    payload["message"] = bot_message(910_000_000_000_000_778);
    fake.dispatch("INTERACTION_CREATE", payload);
    let body = fake.wait_callback(903).await;
    assert_valid("POST", "/interactions/903/token-903/callback", &body);
    assert!(ephemeral(&body));
    assert_eq!(body["data"]["embeds"][0]["title"], entry.question.as_str());
}

/// No match: the fixed text and how to reach staff, no guess. In an opened
/// channel an unasked no-match stays silent, while a clear question there
/// is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_match_is_honest_and_quiet_in_channels() {
    let engine = engine();
    assert_eq!(
        engine.answer(NONSENSE_QUESTION).outcome().as_str(),
        "no_match",
        "precondition"
    );
    let s = scenario().env("FAQBOT_CHANNELS", CHANNEL_ID).start().await;
    let fake = &s.fake;

    let r = s.ask(401, NONSENSE_QUESTION).await;
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(content.starts_with(NO_MATCH_TEXT), "{content}");
    assert!(content.contains(&engine.faq().meta.staff_contact));
    assert!(r.body["data"]["embeds"]
        .as_array()
        .is_none_or(Vec::is_empty));

    let overheard = "how many sessions of microneedling will I need?";
    let Reply::Answer { entry, .. } = engine.answer_with(overheard, Strictness::Overheard) else {
        panic!("precondition: {overheard:?} is answered in channels");
    };
    fake.dispatch(
        "MESSAGE_CREATE",
        member_message(
            402,
            CHANNEL_ID,
            &format!("{NONSENSE_QUESTION}?"),
            false,
            false,
        ),
    );
    fake.dispatch(
        "MESSAGE_CREATE",
        member_message(403, CHANNEL_ID, overheard, false, false),
    );
    let path = format!("/channels/{CHANNEL_ID}/messages");
    let r = fake
        .wait_request("the answer in the opened channel", 0, |r| {
            r.method == "POST" && r.path == path
        })
        .await;
    assert_eq!(r.body["message_reference"]["message_id"], "403");
    assert_eq!(r.body["embeds"][0]["title"], entry.question.as_str());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let replies = fake.count("POST", &path);
    assert_eq!(replies, 1, "the unasked no-match got no reply");
}

/// A complication gets the urgent message only, and staff get a link to
/// the message in the alert channel, without what the member wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_reply_and_staff_alert() {
    let engine = engine();
    assert_eq!(
        engine.answer(URGENT_QUESTION).outcome().as_str(),
        "urgent",
        "precondition"
    );
    let s = scenario()
        .env("FAQBOT_ALERT_CHANNEL", ALERT_CHANNEL_ID)
        .start()
        .await;
    let fake = &s.fake;
    fake.dispatch(
        "MESSAGE_CREATE",
        member_message(
            501,
            CHANNEL_ID,
            &format!("<@{BOT_ID}> {URGENT_QUESTION}"),
            true,
            false,
        ),
    );
    let reply_path = format!("/channels/{CHANNEL_ID}/messages");
    let r = fake
        .wait_request("the urgent reply", 0, |r| {
            r.method == "POST" && r.path == reply_path
        })
        .await;
    assert_valid(&r.method, &r.path, &r.body);
    assert_eq!(r.body["content"], engine.faq().meta.urgent_message.as_str());
    assert!(
        r.body["embeds"].as_array().is_none_or(Vec::is_empty),
        "no FAQ content with the urgent message"
    );

    let alert_path = format!("/channels/{ALERT_CHANNEL_ID}/messages");
    let alert = fake
        .wait_request("the staff alert", 0, |r| {
            r.method == "POST" && r.path == alert_path
        })
        .await;
    assert_valid(&alert.method, &alert.path, &alert.body);
    let text = alert.body["content"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/501"
        )),
        "{text}"
    );
    assert!(
        !text.contains("fever"),
        "the alert does not repeat the member's words"
    );
    assert_eq!(alert.body["allowed_mentions"]["parse"], json!([]));

    // The same through /faq (another member: one alert per member per
    // cooldown): the urgent message publicly, and an alert linking the bot's reply.
    let seen = fake.requests().len();
    let r = s
        .slash(
            502,
            "faq",
            json!([{"name": "question", "type": 3, "value": URGENT_QUESTION}]),
            member(MEMBER_ID + 1, "0", &[]),
        )
        .await;
    assert_eq!(
        r.body["data"]["content"],
        engine.faq().meta.urgent_message.as_str()
    );
    let alert = fake
        .wait_request("the staff alert for /faq", seen, |r| {
            r.method == "POST" && r.path == alert_path
        })
        .await;
    let text = alert.body["content"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/"
        )),
        "{text}"
    );
}

/// A member without Manage Server or a staff role is refused /faqadmin
/// privately; a member with a staff role may reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faqadmin_is_for_staff() {
    let s = scenario()
        .env("FAQBOT_STAFF_ROLES", STAFF_ROLE_ID)
        .start()
        .await;
    let reload = json!([{"name": "reload", "type": 1, "options": []}]);
    let r = s
        .slash(601, "faqadmin", reload.clone(), plain_member())
        .await;
    assert!(ephemeral(&r.body));
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(content.contains("staff"), "{content}");
    assert!(!content.contains("Reloaded"));

    let r = s
        .slash(
            602,
            "faqadmin",
            reload,
            member(MEMBER_ID, "0", &[STAFF_ROLE_ID]),
        )
        .await;
    assert!(ephemeral(&r.body));
    assert!(
        r.body["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Reloaded"),
        "{:#}",
        r.body
    );

    let r = s
        .slash(
            603,
            "faqadmin",
            json!([{"name": "info", "type": 1, "options": []}]),
            staff(),
        )
        .await;
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(
        content.contains("SHA-256") && content.contains("entries"),
        "{content}"
    );

    let test = json!([{"name": "test", "type": 1, "options": [{"name": "question", "type": 3, "value": TYPO_QUESTION}]}]);
    let r = s.slash(604, "faqadmin", test, staff()).await;
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(
        ephemeral(&r.body) && content.starts_with("```") && content.contains("decision:"),
        "{content}"
    );
}

/// /faqadmin suggest gives staff the faq.toml line and the verdict before
/// and after, autocompletes entry ids, and names an unknown entry;
/// /faqadmin stats is refused to a member who is not staff; staff get
/// the stats and unanswered reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faqadmin_suggest_and_stats() {
    let s = scenario().start().await;
    let fake = &s.fake;
    let suggest = |entry: &str| {
        json!([{"name": "suggest", "type": 1, "options": [
            {"name": "question", "type": 3, "value": NONSENSE_QUESTION},
            {"name": "entry", "type": 3, "value": entry}
        ]}])
    };
    let line = engine().faq().entry("session-count").unwrap().line;
    let r = s
        .slash(611, "faqadmin", suggest("session-count"), staff())
        .await;
    assert!(ephemeral(&r.body));
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(
        content.contains(&format!(
            "# add to the alternates of [[entry]] id = \"session-count\" (line {line})\n\"{NONSENSE_QUESTION}\","
        )) && content.contains("Now: none")
            && content.contains("With it: session-count"),
        "{content}"
    );

    let r = s
        .slash(612, "faqadmin", suggest("no-such-entry"), staff())
        .await;
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(
        ephemeral(&r.body) && content.contains("\"no-such-entry\""),
        "{content}"
    );

    let data = command(
        "faqadmin",
        json!([{"name": "suggest", "type": 1, "options": [
            {"name": "question", "type": 3, "value": "x"},
            {"name": "entry", "type": 3, "value": "session", "focused": true}
        ]}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction(613, 4, data, staff()));
    let body = fake.wait_callback(613).await;
    assert_valid("POST", "/interactions/613/token-613/callback", &body);
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(
        !choices.is_empty()
            && choices.len() <= 25
            && choices
                .iter()
                .all(|c| c["value"].as_str().unwrap().contains("session")),
        "{choices:?}"
    );

    let stats = json!([{"name": "stats", "type": 1, "options": []}]);
    let r = s.slash(614, "faqadmin", stats, plain_member()).await;
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(
        ephemeral(&r.body) && content.contains("staff") && !content.contains("Questions in"),
        "{content}"
    );

    let stats =
        json!([{"name": "stats", "type": 1, "options": [{"name": "days", "type": 4, "value": 7}]}]);
    let r = s.slash(615, "faqadmin", stats, staff()).await;
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(
        ephemeral(&r.body)
            && content.starts_with("```\nQuestions in the last 7 day(s)")
            && content.ends_with("```"),
        "{content}"
    );
    // The chart rides along as the reply's one attachment (multipart,
    // checked against Discord's schema by `slash`).
    let [file] = r.files.as_slice() else {
        panic!("one attachment: {:?}", r.files)
    };
    assert_eq!(
        (
            file.field.as_str(),
            file.filename.as_str(),
            file.content_type.as_str()
        ),
        ("files[0]", faqbot::chart::FILE_NAME, "image/png")
    );
    assert_eq!(
        png_size(&file.bytes),
        (faqbot::chart::WIDTH, faqbot::chart::HEIGHT)
    );
    let unanswered = json!([{"name": "unanswered", "type": 1, "options": []}]);
    let r = s.slash(616, "faqadmin", unanswered, staff()).await;
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(
        ephemeral(&r.body) && content.contains("unanswered questions"),
        "{content}"
    );
}

/// Reloading a broken file keeps the old FAQ answering and shows the error
/// with its line and entry; a fixed file then reloads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_reload_keeps_old_answers() {
    let entry = expected_entry(TYPO_QUESTION);
    let file = faq_copy();
    let s = scenario().faq(file.path()).start().await;
    let reload = json!([{"name": "reload", "type": 1, "options": []}]);

    let good = std::fs::read_to_string(file.path()).unwrap();
    let marker = format!("id = \"{}\"", entry.id);
    let at = good.find(&marker).expect("the entry's id line");
    let category = format!("category = \"{}\"", entry.category);
    let offset = good[at..]
        .find(&category)
        .expect("the entry's category line")
        + at;
    let broken = format!(
        "{}category = \"not-a-category\"{}",
        &good[..offset],
        &good[offset + category.len()..]
    );
    std::fs::write(file.path(), broken).unwrap();

    let r = s.slash(701, "faqadmin", reload.clone(), staff()).await;
    assert!(ephemeral(&r.body));
    let content = r.body["data"]["content"].as_str().unwrap();
    assert!(
        content.contains(&entry.id) && content.contains("line ") && content.contains("keeps"),
        "{content}"
    );

    let r = s.ask(702, TYPO_QUESTION).await;
    assert_eq!(
        r.body["data"]["embeds"][0]["title"],
        entry.question.as_str(),
        "the old FAQ still answers"
    );

    std::fs::write(file.path(), good).unwrap();
    let r = s.slash(703, "faqadmin", reload, staff()).await;
    assert!(r.body["data"]["content"]
        .as_str()
        .unwrap()
        .starts_with("Reloaded"));
}

/// When Discord drops the gateway connection, the bot reconnects and
/// answers the next interaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_a_dropped_connection() {
    let entry = expected_entry(TYPO_QUESTION);
    let s = scenario().start().await;
    let fake = &s.fake;
    fake.drop_connection();
    wait_for("the bot to reconnect and resume or identify again", || {
        (fake.connections() >= 2 && (fake.resumes() >= 1 || fake.identifies().len() >= 2))
            .then_some(())
    })
    .await;
    let r = s.ask(801, TYPO_QUESTION).await;
    assert_eq!(
        r.body["data"]["embeds"][0]["title"],
        entry.question.as_str()
    );
}

/// When the network cuts the gateway connection without a close frame,
/// the bot notices, reconnects and answers the next interaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_a_cut_connection() {
    let entry = expected_entry(TYPO_QUESTION);
    let s = scenario().start().await;
    let fake = &s.fake;
    fake.cut_connection();
    wait_for("the bot to reconnect and resume or identify again", || {
        (fake.connections() >= 2 && (fake.resumes() >= 1 || fake.identifies().len() >= 2))
            .then_some(())
    })
    .await;
    let options = json!([{"name": "question", "type": 3, "value": TYPO_QUESTION}]);
    let r = s.slash(811, "faq", options, plain_member()).await;
    assert_eq!(
        r.body["data"]["embeds"][0]["title"],
        entry.question.as_str()
    );
}

/// A PNG's width and height, decoded (so the bytes are a whole image).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut pixels).expect("a PNG frame");
    (info.width, info.height)
}

/// Polls the question log at `db` until `ready` holds for its stats.
async fn wait_log(
    db: &std::path::Path,
    what: &str,
    ready: impl Fn(&faqbot::store::Stats) -> bool,
) -> faqbot::store::Stats {
    wait_for(what, || {
        let store = faqbot::store::Store::open_read_only(db).ok()?;
        store
            .stats(1, faqbot::store::Scope::All)
            .ok()
            .filter(|s| ready(s))
    })
    .await
}

/// Runs `faqbot ARGS --db DB` and returns its standard output.
fn report(args: &[&str], db: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("FAQBOT_DB")
        .env_remove("FAQBOT_RETENTION_DAYS")
        .output()
        .expect("run faqbot");
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Slash questions and a Helpful click are logged to FAQBOT_DB after the
/// reply, and `faqbot stats` and `faqbot unanswered` report them (the
/// unanswered question's text is kept, the answered one's is not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_questions_are_logged() {
    let entry = expected_entry(TYPO_QUESTION);
    let s = scenario().db().start().await;
    let (fake, db) = (&s.fake, s.db());
    for (id, question) in [(901, TYPO_QUESTION), (902, NONSENSE_QUESTION)] {
        s.ask(id, question).await;
    }
    // Asked privately: counted, its words not kept.
    s.slash(
        904,
        "faq",
        private_options(PRIVATE_NONSENSE),
        plain_member(),
    )
    .await;
    // A button id naming no entry (made up by a client) is not a vote.
    let junk = json!({"custom_id": "faq:helpful:\u{1b}[31mjunk", "component_type": 2});
    let mut payload = interaction(905, 3, junk, plain_member());
    payload["message"] = bot_message(910_000_000_000_000_779);
    fake.dispatch("INTERACTION_CREATE", payload);
    let body = fake.wait_callback(905).await;
    let content = body["data"]["content"].as_str().unwrap_or_default();
    assert!(content.contains("no longer in the FAQ"), "{body:#}");
    let click = json!({"custom_id": format!("faq:helpful:{}", entry.id), "component_type": 2});
    let mut payload = interaction(903, 3, click, plain_member());
    payload["message"] = bot_message(910_000_000_000_000_778);
    fake.dispatch("INTERACTION_CREATE", payload);
    fake.wait_callback(903).await;

    let stats = wait_log(&db, "three questions and a vote in the log", |s| {
        s.total == 3 && !s.feedback.is_empty()
    })
    .await;
    assert_eq!(
        stats.feedback.len(),
        1,
        "only the real entry's vote: {stats:?}"
    );
    assert_eq!((stats.answered, stats.no_match, stats.urgent), (1, 2, 0));
    assert_eq!(stats.top, vec![(entry.id.clone(), 1)]);
    assert_eq!(
        (stats.feedback[0].helpful, stats.feedback[0].not_helpful),
        (1, 0)
    );

    let text = report(&["stats"], &db);
    assert!(
        text.contains("Questions in the last 30 day(s): 3"),
        "{text}"
    );
    // `--chart` writes the picture and prints the same report.
    let png = s.dir.path().join("stats.png");
    let charted = report(&["stats", "--chart", png.to_str().unwrap()], &db);
    assert_eq!(charted, text);
    let bytes = std::fs::read(&png).expect("the chart file");
    assert_eq!(
        png_size(&bytes),
        (faqbot::chart::WIDTH, faqbot::chart::HEIGHT)
    );
    assert!(text.contains(&entry.id), "{text}");
    // The vote and the questions carry their server: a report for this
    // server has them all, one for another server has none.
    let here = report(&["stats", "--guild", &GUILD_ID.to_string()], &db);
    assert!(here.contains(&format!("in server {GUILD_ID}: 3")), "{here}");
    assert!(here.contains("Feedback (helpful / not helpful):"), "{here}");
    assert!(here.contains("Asked by /faq: 3, by mention: 0"), "{here}");
    let elsewhere = report(&["stats", "--guild", "1"], &db);
    assert!(elsewhere.contains("in server 1: 0"), "{elsewhere}");
    assert!(!elsewhere.contains("Feedback"), "{elsewhere}");
    let text = report(&["unanswered"], &db);
    assert!(text.contains(NONSENSE_QUESTION), "{text}");
    assert!(
        !text.contains("wombat"),
        "a private question's words are not kept: {text}"
    );
    assert!(
        !text.contains("sesions"),
        "answered text is not kept: {text}"
    );
    // Members are filed under a keyed hash, never their id.
    let bytes = std::fs::read(&db).unwrap();
    let wal = std::fs::read(s.dir.path().join("log.db-wal")).unwrap_or_default();
    let id = MEMBER_ID.to_string();
    for file in [&bytes, &wal] {
        assert!(!file.windows(id.len()).any(|w| w == id.as_bytes()));
    }
}

/// A mention is logged as one, after the reply, and an unanswered
/// question's text is kept without the mentions and the link in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mention_is_logged_without_mentions_or_links() {
    let s = scenario().db().start().await;
    let (fake, db) = (&s.fake, s.db());
    let content = format!("<@{BOT_ID}> <@123> {NONSENSE_QUESTION} https://example.com/x");
    fake.dispatch(
        "MESSAGE_CREATE",
        member_message(311, CHANNEL_ID, &content, true, false),
    );
    let path = format!("/channels/{CHANNEL_ID}/messages");
    fake.wait_request("the reply to the mention", 0, |r| {
        r.method == "POST" && r.path == path
    })
    .await;
    wait_log(&db, "the mention in the log", |s| s.no_match == 1).await;
    let conn = rusqlite::Connection::open(&db).unwrap();
    let row: (String, String, String) = conn
        .query_row("SELECT channel, outcome, text FROM questions", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(
        row,
        (
            "mention".to_owned(),
            "no_match".to_owned(),
            NONSENSE_QUESTION.to_owned()
        )
    );
}

/// A question log that cannot be opened (here FAQBOT_DB is a directory)
/// costs only the log: the bot still answers, and says it keeps nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_without_a_log() {
    let entry = expected_entry(TYPO_QUESTION);
    let dir = tempfile::tempdir().unwrap();
    let s = scenario()
        .env("FAQBOT_DB", dir.path().display())
        .start()
        .await;
    let r = s.ask(941, TYPO_QUESTION).await;
    assert_eq!(
        r.body["data"]["embeds"][0]["title"],
        entry.question.as_str()
    );
    let r = s
        .slash(942, "faq-forget-me", json!([]), plain_member())
        .await;
    let text = r.body["data"]["content"].as_str().unwrap();
    assert!(text.contains("keeps no log"), "{text}");
}

/// /faq-privacy explains the log privately; /faq-forget-me deletes the
/// member's rows (and only theirs) and says how many, privately.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_me_deletes_the_members_rows() {
    let s = scenario().db().start().await;
    let db = s.db();
    let other = MEMBER_ID + 100;
    let asked = [
        (931, MEMBER_ID, TYPO_QUESTION),
        (932, MEMBER_ID, NONSENSE_QUESTION),
        (933, other, TYPO_QUESTION),
    ];
    for (id, who, question) in asked {
        s.slash(id, "faq", ask_options(question), member(who, "0", &[]))
            .await;
    }
    wait_log(&db, "three questions in the log", |s| s.total == 3).await;

    let r = s.slash(934, "faq-privacy", json!([]), plain_member()).await;
    assert!(ephemeral(&r.body));
    let text = r.body["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("30 day(s)") && text.contains("private:true"),
        "{text}"
    );

    let r = s
        .slash(935, "faq-forget-me", json!([]), plain_member())
        .await;
    assert!(ephemeral(&r.body));
    let text = r.body["data"]["content"].as_str().unwrap();
    assert!(text.contains("Deleted 2 record(s)"), "{text}");
    let store = faqbot::store::Store::open_read_only(&db).unwrap();
    assert_eq!(
        store.count_questions().unwrap(),
        1,
        "the other member's row stays"
    );
    // Deleted means gone: the words are in neither the database nor its -wal.
    for suffix in ["", "-wal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let bytes = std::fs::read(&name).unwrap_or_default();
        assert!(
            !bytes.windows(8).any(|w| w == b"vindaloo"),
            "the forgotten question is still in log.db{suffix}"
        );
    }
}

/// SIGTERM closes the gateway connection and the bot exits cleanly.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_cleanly() {
    let mut s = scenario().start().await;
    let bot = &mut s.bot;
    let pid = bot.child.id().expect("the bot is running");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let exit = tokio::time::timeout(WAIT, bot.child.wait())
        .await
        .expect("the bot exits after SIGTERM")
        .unwrap();
    assert!(exit.success(), "exit status {exit}");
}

/// Waits until the bot's log at `path` has `n` lines containing `needle`.
async fn wait_log_lines(path: &std::path::Path, needle: &str, n: usize) -> String {
    wait_for(&format!("{n} log line(s) with {needle:?}"), || {
        let text = std::fs::read_to_string(path).ok()?;
        (text.matches(needle).count() >= n).then_some(text)
    })
    .await
}

/// With DISCORD_GUILD_ID set, the bot serves that server only: a command,
/// a mention (even an urgent one) and a button click from another server
/// get no reply and no staff alert, and each is logged; the bot's own
/// server is still answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_servers_are_ignored() {
    let s = scenario()
        .env("DISCORD_GUILD_ID", GUILD_ID)
        .env("FAQBOT_ALERT_CHANNEL", ALERT_CHANNEL_ID)
        .start()
        .await;
    let (fake, log) = (&s.fake, s.log());
    let question = json!([{"name": "question", "type": 3, "value": URGENT_QUESTION}]);
    let asked = interaction(1001, 2, command("faq", question.clone()), plain_member());
    fake.dispatch("INTERACTION_CREATE", in_guild(asked, OTHER_GUILD_ID));
    let info = json!([{"name": "info", "type": 1, "options": []}]);
    let admin = interaction(1002, 2, command("faqadmin", info), staff());
    fake.dispatch("INTERACTION_CREATE", in_guild(admin, OTHER_GUILD_ID));
    let mention = member_message(
        1003,
        CHANNEL_ID,
        &format!("<@{BOT_ID}> {URGENT_QUESTION}"),
        true,
        false,
    );
    fake.dispatch("MESSAGE_CREATE", in_guild(mention, OTHER_GUILD_ID));
    let click = json!({"custom_id": "faq:entry:downtime", "component_type": 2});
    let mut click = interaction(1004, 3, click, plain_member());
    click["message"] = bot_message(910_000_000_000_000_780);
    fake.dispatch("INTERACTION_CREATE", in_guild(click, OTHER_GUILD_ID));
    let text = wait_log_lines(&log, "from a server not in FAQBOT_GUILDS", 4).await;
    for what in [
        "ignored a command",
        "ignored a mention",
        "ignored a button click",
    ] {
        assert!(text.contains(what), "{what}: {text}");
    }

    // The clinic's own server is answered, and only it.
    let r = s.slash(1005, "faq", question, plain_member()).await;
    assert_eq!(
        r.body["data"]["content"],
        engine().faq().meta.urgent_message.as_str()
    );
    fake.wait_request("the staff alert for the clinic's server", 0, |r| {
        r.method == "POST" && r.path == format!("/channels/{ALERT_CHANNEL_ID}/messages")
    })
    .await;
    let answered: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect();
    for id in [1001, 1002, 1004] {
        assert!(
            !answered
                .iter()
                .any(|p| p.starts_with(&format!("/interactions/{id}/"))),
            "interaction {id} from another server was answered: {answered:?}"
        );
    }
    let replies = fake.count("POST", &format!("/channels/{CHANNEL_ID}/messages"));
    assert_eq!(replies, 0, "the mention from another server got no reply");
    assert_eq!(
        fake.count("POST", &format!("/channels/{ALERT_CHANNEL_ID}/messages")),
        1,
        "one alert, for the clinic's own server"
    );
}

/// Serving two servers, an urgent question in the server that is not the
/// alert channel's gets its urgent reply but alerts no staff; and ten
/// urgent questions from one member in the alert channel's server get ten
/// urgent replies and one alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_stay_in_their_server_and_do_not_flood() {
    let s = scenario()
        .env("FAQBOT_GUILDS", format!("{GUILD_ID},{OTHER_GUILD_ID}"))
        .env("FAQBOT_ALERT_CHANNEL", ALERT_CHANNEL_ID)
        .start()
        .await;
    let (fake, log) = (&s.fake, s.log());
    let question = json!([{"name": "question", "type": 3, "value": URGENT_QUESTION}]);
    let urgent = engine().faq().meta.urgent_message.clone();
    let elsewhere = interaction(1101, 2, command("faq", question.clone()), plain_member());
    fake.dispatch("INTERACTION_CREATE", in_guild(elsewhere, OTHER_GUILD_ID));
    assert_eq!(
        fake.wait_callback(1101).await["data"]["content"],
        urgent.as_str()
    );
    wait_log_lines(&log, "another server than the alert channel's", 1).await;

    const FLOOD: u64 = 10;
    for id in 1110..1110 + FLOOD {
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(id, 2, command("faq", question.clone()), plain_member()),
        );
    }
    for id in 1110..1110 + FLOOD {
        assert_eq!(
            fake.wait_callback(id).await["data"]["content"],
            urgent.as_str(),
            "{id}"
        );
    }
    // Every alert decision is made once the held-back ones are logged.
    wait_log_lines(&log, "staff alert held back", FLOOD as usize - 1).await;
    fake.wait_request("the one alert", 0, |r| {
        r.method == "POST" && r.path == format!("/channels/{ALERT_CHANNEL_ID}/messages")
    })
    .await;
    assert_eq!(
        fake.count("POST", &format!("/channels/{ALERT_CHANNEL_ID}/messages")),
        1
    );
}

/// At RUST_LOG=trace the bot's log holds neither the token (as text or in
/// hex, as websocket frame logging would show it) nor a member's words or
/// id, while it does log at trace level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_log_leaks_no_token_or_words() {
    const TOKEN: &str = "MTk4NjIyNDgzNDcxOTI1MjQ4.Secret.Tok3n-never-logged";
    const WORDS: &str = "zanzibarish quokkaflavoured";
    let mut s = scenario()
        .env("DISCORD_TOKEN", TOKEN)
        .env("RUST_LOG", "trace")
        .env("FAQBOT_CHANNELS", CHANNEL_ID)
        .db()
        .start()
        .await;
    let log = s.log();
    let fake = &s.fake;
    let mention = member_message(
        1201,
        CHANNEL_ID,
        &format!("<@{BOT_ID}> {WORDS}?"),
        true,
        false,
    );
    fake.dispatch("MESSAGE_CREATE", mention);
    fake.dispatch(
        "MESSAGE_CREATE",
        member_message(
            1202,
            CHANNEL_ID,
            &format!("does {WORDS} hurt?"),
            false,
            false,
        ),
    );
    s.ask(1203, &format!("{WORDS} {TYPO_QUESTION}")).await;
    fake.wait_request("the reply to the mention", 0, |r| {
        r.method == "POST" && r.path == format!("/channels/{CHANNEL_ID}/messages")
    })
    .await;
    s.bot.terminate();
    let _ = tokio::time::timeout(WAIT, s.bot.child.wait()).await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("TRACE"), "the bot logged at trace: {text}");
    let hex: String = TOKEN.bytes().map(|b| format!("{b:02x}")).collect();
    let forms = [
        ("the token", TOKEN.to_owned()),
        ("the token's secret part", "Tok3n-never-logged".to_owned()),
        ("the token in hex", hex[..40].to_owned()),
        ("the member's words", "zanzibarish".to_owned()),
        (
            "the member's words in hex",
            "7a616e7a69626172697368".to_owned(),
        ),
        ("the member's id", MEMBER_ID.to_string()),
    ];
    for (what, needle) in forms {
        assert!(!text.contains(&needle), "{what} is in the trace log");
    }
}

/// SIGTERM stops the bot within the shutdown bound even while Discord's
/// gateway cannot be reached (a shard range, which keeps retrying).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_while_discord_is_unreachable() {
    let fake = FakeDiscord::start_with(Options {
        gateway_unreachable: true,
        ..Options::default()
    })
    .await;
    let mut bot = Bot::spawn(
        &fake,
        &shipped_faq(),
        &[
            ("FAQBOT_SHARDS", "1".into()),
            ("FAQBOT_SHARD_RANGE", "0-0".into()),
        ],
    );
    fake.wait_request("the bot to ask for the gateway", 0, |r| {
        r.method == "GET" && r.path.starts_with("/gateway")
    })
    .await;
    assert!(
        bot.child.try_wait().unwrap().is_none(),
        "the bot keeps trying"
    );
    bot.terminate();
    let exit = tokio::time::timeout(WAIT, bot.child.wait())
        .await
        .expect("the bot exits after SIGTERM, Discord unreachable")
        .unwrap();
    assert!(exit.success(), "exit status {exit}");
}

/// The request checks are not vacuous: they reject an over-long embed
/// title, a wrong type, a bad enum value and too many components.
#[test]
fn request_checks_reject_mistakes() {
    use support::schema::{check_limits, spec_available, validate_request};
    let path = "/interactions/1/token-1/callback";
    assert_eq!(
        validate_request(
            "POST",
            path,
            &json!({"type": 4, "data": {"content": "hi", "flags": 64}})
        ),
        Vec::<String>::new()
    );
    let long_title = json!({"type": 4, "data": {"embeds": [{"title": "x".repeat(300)}]}});
    assert!(!check_limits(&long_title).is_empty());
    let rows: Vec<Value> = (0..6)
        .map(|_| json!({"type": 1, "components": []}))
        .collect();
    assert!(!check_limits(&json!({"components": rows})).is_empty());
    if spec_available() {
        assert!(!validate_request("POST", path, &long_title).is_empty());
        assert!(!validate_request("POST", path, &json!({"type": "four"})).is_empty());
        assert!(!validate_request("POST", path, &json!({"type": 42})).is_empty());
        let put = format!("/applications/{APP_ID}/commands");
        assert!(
            !validate_request("PUT", &put, &json!([{"name": "faq", "description": 7}])).is_empty()
        );
    } else {
        eprintln!("note: openapi.json is absent; only the limit checks were tested");
    }
}
