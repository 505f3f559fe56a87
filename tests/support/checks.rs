//! The checks every input must pass, shared by `tests/properties.rs` and
//! the fuzz target `fuzz/fuzz_targets/answer.rs`, so the two search for
//! the same failures. Needs only `faqbot`, `poise` and `serde_json`.

use std::collections::HashSet;

use faqbot::discord::embeds::{self, Rendered};
use faqbot::layout;
use faqbot::limits::{MAX_CHOICES, MAX_ID_CHARS};
use faqbot::reply::render_text;
use faqbot::{text, Engine, Reply, Strictness};
use poise::serenity_prelude as serenity;
use serde_json::Value;

/// Discord's limits, from its API documentation.
mod limit {
    pub const CONTENT: usize = 2000;
    pub const EMBEDS: usize = 10;
    pub const EMBED_TOTAL: usize = 6000;
    pub const TITLE: usize = 256;
    pub const DESCRIPTION: usize = 4096;
    pub const FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    pub const AUTHOR: usize = 256;
    pub const ROWS: usize = 5;
    pub const ROW_ITEMS: usize = 5;
    pub const CUSTOM_ID: usize = 100;
    pub const BUTTON_LABEL: usize = 80;
    pub const OPTION_TEXT: usize = 100;
    pub const PLACEHOLDER: usize = 150;
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The characters of a JSON string value, 0 when absent.
fn len(v: &Value) -> usize {
    v.as_str().map_or(0, chars)
}

/// What identifies a reply: its kind and entry, exact score, suggestions
/// and, for urgent, the red flag and the words that raised it.
pub fn fingerprint(reply: &Reply<'_>) -> (String, u64, Vec<String>) {
    let detail = match reply {
        Reply::Answer { margin, .. } => vec![margin.to_bits().to_string()],
        Reply::NoMatch {
            suggestions,
            reason,
            ..
        } => suggestions
            .iter()
            .map(|e| e.id.clone())
            .chain([format!("{reason:?}")])
            .collect(),
        Reply::Urgent { flag, matched } => [flag.id.clone()]
            .into_iter()
            .chain(matched.iter().cloned())
            .collect(),
    };
    (reply.verdict().to_owned(), reply.score().to_bits(), detail)
}

/// Lowercase words, one space between them, and normalising again changes nothing.
pub fn assert_normal_form(normalised: &str) {
    assert!(
        !normalised.starts_with(' ') && !normalised.ends_with(' ') && !normalised.contains("  "),
        "spacing: {normalised:?}"
    );
    assert!(
        normalised.chars().all(|c| c == ' ' || c.is_alphanumeric()),
        "not words: {normalised:?}"
    );
    // A first pass can grow past the input cap (contractions and
    // compatibility forms expand), and a second pass would cut it.
    if chars(normalised) <= text::MAX_INPUT_CHARS {
        assert_eq!(text::normalise(normalised), normalised, "not idempotent");
    }
}

/// Every limit Discord sets on a message, and nothing that could ping.
pub fn assert_fits(rendered: &Rendered) {
    if let Some(content) = &rendered.content {
        assert!(
            (1..=limit::CONTENT).contains(&chars(content)),
            "content of {} characters",
            chars(content)
        );
    }
    assert!(
        rendered.content.is_some() || !rendered.embeds.is_empty(),
        "an empty message"
    );
    assert!(rendered.embeds.len() <= limit::EMBEDS);
    let mut total = 0;
    for embed in &rendered.embeds {
        let e = serde_json::to_value(embed).expect("an embed serialises");
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        assert!(len(&e["title"]) <= limit::TITLE, "title: {}", e["title"]);
        assert!(len(&e["description"]) <= limit::DESCRIPTION);
        assert!(len(&e["footer"]["text"]) <= limit::FOOTER);
        assert!(len(&e["author"]["name"]) <= limit::AUTHOR);
        assert!(fields.len() <= limit::FIELDS);
        for f in &fields {
            assert!((1..=limit::FIELD_NAME).contains(&len(&f["name"])), "{f}");
            assert!((1..=limit::FIELD_VALUE).contains(&len(&f["value"])), "{f}");
        }
        // Discord's 6,000 counts title, description, fields, footer and author.
        total += len(&e["title"])
            + len(&e["description"])
            + len(&e["footer"]["text"])
            + len(&e["author"]["name"])
            + fields
                .iter()
                .map(|f| len(&f["name"]) + len(&f["value"]))
                .sum::<usize>();
    }
    assert!(total <= limit::EMBED_TOTAL, "embeds of {total} characters");

    assert!(rendered.components.len() <= limit::ROWS);
    let mut ids = HashSet::new();
    for row in &rendered.components {
        let row = serde_json::to_value(row).expect("a row serialises");
        let items = row["components"].as_array().expect("a row has components");
        assert!((1..=limit::ROW_ITEMS).contains(&items.len()), "{row}");
        for item in items {
            let id = item["custom_id"].as_str().expect("our components have ids");
            assert!((1..=limit::CUSTOM_ID).contains(&chars(id)), "{id}");
            assert!(ids.insert(id.to_owned()), "custom id {id} used twice");
            assert!(len(&item["label"]) <= limit::BUTTON_LABEL, "{item}");
            assert!(len(&item["placeholder"]) <= limit::PLACEHOLDER);
            let options = item["options"].as_array().cloned().unwrap_or_default();
            assert!(options.len() <= MAX_CHOICES);
            for o in &options {
                assert!((1..=limit::OPTION_TEXT).contains(&len(&o["label"])));
                assert!((1..=limit::OPTION_TEXT).contains(&len(&o["value"])));
            }
        }
    }
    assert_no_pings(rendered);
}

/// Sent any way the bot sends it (slash reply or follow-up, reply to a
/// mention, button response), a reply's allowed mentions parse nothing
/// and name nobody, and its text holds no mention syntax at all.
pub fn assert_no_pings(rendered: &Rendered) {
    let reference = serenity::MessageReference::from((
        serenity::ChannelId::new(1),
        serenity::MessageId::new(2),
    ));
    let sent = [
        serde_json::to_value(
            rendered
                .clone()
                .into_reply(false)
                .to_slash_initial_response(serenity::CreateInteractionResponseMessage::new()),
        ),
        serde_json::to_value(
            rendered
                .clone()
                .into_reply(true)
                .to_slash_followup_response(serenity::CreateInteractionResponseFollowup::new()),
        ),
        serde_json::to_value(rendered.clone().into_message().reference_message(reference)),
        serde_json::to_value(rendered.clone().into_interaction(true)),
    ];
    for message in sent {
        let message = message.expect("a message serialises");
        let allowed = &message["allowed_mentions"];
        for key in ["parse", "users", "roles"] {
            assert_eq!(allowed[key], Value::Array(Vec::new()), "{key} in {allowed}");
        }
        assert_ne!(allowed["replied_user"], Value::Bool(true));
        let text = message.to_string();
        for ping in ["@everyone", "@here", "<@"] {
            assert!(!text.contains(ping), "{ping} in a reply");
        }
    }
}

/// Runs one input through everything a member's text reaches and checks
/// every property that holds for any input.
pub fn check(engine: &Engine, second: &Engine, question: &str) {
    let faq = engine.faq();

    let normalised = text::normalise(question);
    assert_normal_form(&normalised);
    let explanation = engine.explain(question);
    assert_eq!(explanation.normalised, normalised);

    let asked = engine.answer(question);
    let print = fingerprint(&asked);
    assert_eq!(fingerprint(&engine.answer(question)), print, "asked twice");
    assert_eq!(
        fingerprint(&engine.answer_with(question, Strictness::Asked)),
        print
    );
    assert_eq!(
        fingerprint(&second.answer(question)),
        print,
        "a second engine"
    );
    assert_eq!(
        explanation.flag.is_some(),
        matches!(asked, Reply::Urgent { .. })
    );

    // Overheard is stricter: it never answers what Asked would not, and never answers otherwise.
    let overheard = engine.answer_with(question, Strictness::Overheard);
    match (&asked, &overheard) {
        (Reply::Urgent { .. }, Reply::Urgent { .. }) => {}
        (Reply::Answer { entry: a, .. }, Reply::Answer { entry: b, .. }) => assert_eq!(a.id, b.id),
        (Reply::Answer { .. } | Reply::NoMatch { .. }, Reply::NoMatch { .. }) => {}
        (a, o) => panic!("asked {}, overheard {}", a.verdict(), o.verdict()),
    }

    for reply in [&asked, &overheard] {
        let text = render_text(faq, reply);
        assert!(!text.trim().is_empty());
        if let Reply::Urgent { .. } = reply {
            assert_eq!(
                text, faq.meta.urgent_message,
                "urgent says only the urgent message"
            );
        }
        assert_fits(&Rendered::from(layout::reply(faq, reply)));
    }

    for limit in [0, 1, 3, MAX_CHOICES] {
        let suggested = engine.suggest(question, limit);
        assert!(suggested.len() <= limit);
        let ids: HashSet<&str> = suggested.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), suggested.len(), "an entry suggested twice");
    }
    let choices = embeds::question_choices(engine, question);
    assert!(choices.len() <= MAX_CHOICES);
    for (name, value) in &choices {
        assert!((1..=MAX_ID_CHARS).contains(&chars(name)), "{name}");
        assert_eq!(name, value);
    }
}
