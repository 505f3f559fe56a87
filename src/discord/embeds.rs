//! A [`Reply`] as Discord shows it: the answer embed, the buttons, the
//! no-match and urgent texts. Pure functions of the FAQ and the reply, so
//! every limit Discord sets is checked in unit tests, not in production.

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption,
};

use crate::faq::{Entry, Faq, MAX_CONTENT_CHARS, MAX_FIELD_CHARS, MAX_TITLE_CHARS};
use crate::reply::{caution_text, sources_markdown, NO_MATCH_TEXT};
use crate::Reply;

/// Discord's limit on a button label.
pub const MAX_LABEL_CHARS: usize = 80;
/// Discord's limit on a custom id, an autocomplete choice's name and value,
/// and a select option's label and value.
pub const MAX_ID_CHARS: usize = 100;
/// Discord's limit on buttons in one action row.
pub const BUTTONS_PER_ROW: usize = 5;
/// Related-entry buttons under an answer: two rows, leaving room for the
/// feedback row well inside Discord's five.
pub const MAX_RELATED_BUTTONS: usize = 10;
/// Discord's limit on autocomplete choices and on select menu options.
pub const MAX_CHOICES: usize = 25;
/// Accent colour of answer embeds.
const ANSWER_COLOUR: u32 = 0x2f80ed;

/// The custom id prefixes of the bot's components: an id a user can click
/// carries what it opens, so a click needs no state kept since the reply.
const OPEN_PREFIX: &str = "faq:entry:";
const HELPFUL_PREFIX: &str = "faq:helpful:";
const UNHELPFUL_PREFIX: &str = "faq:unhelpful:";
/// The topic list's select menu; the chosen option's value is the entry id.
pub const PICK_ID: &str = "faq:pick";

/// What a click on one of the bot's components asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Show this entry's answer to the clicker.
    Open(String),
    /// "Helpful" or "Not helpful" under this entry's answer.
    Feedback { entry: String, helpful: bool },
    /// An entry chosen in the topic list's menu.
    Pick,
}

impl Action {
    /// Reads a custom id; `None` for ids that are not the bot's.
    pub fn parse(custom_id: &str) -> Option<Action> {
        if let Some(id) = custom_id.strip_prefix(OPEN_PREFIX) {
            Some(Action::Open(id.to_owned()))
        } else if let Some(id) = custom_id.strip_prefix(HELPFUL_PREFIX) {
            Some(Action::Feedback {
                entry: id.to_owned(),
                helpful: true,
            })
        } else if let Some(id) = custom_id.strip_prefix(UNHELPFUL_PREFIX) {
            Some(Action::Feedback {
                entry: id.to_owned(),
                helpful: false,
            })
        } else if custom_id == PICK_ID {
            Some(Action::Pick)
        } else {
            None
        }
    }
}

/// A custom id, or `None` if the entry id makes it longer than Discord allows.
fn custom_id(prefix: &str, entry: &str) -> Option<String> {
    let id = format!("{prefix}{entry}");
    (id.chars().count() <= MAX_ID_CHARS).then_some(id)
}

/// Cuts `text` to at most `max` characters, marking a cut with "…".
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Mentions that notify nobody, and no ping for the member replied to:
/// the bot never pings, whatever a question contains.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new().replied_user(false)
}

/// A reply ready to send as a message, an interaction response or a follow-up.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub content: Option<String>,
    pub embeds: Vec<CreateEmbed>,
    pub components: Vec<CreateActionRow>,
}

impl Rendered {
    /// Text only, cut to fit a message.
    pub fn text(content: &str) -> Rendered {
        Rendered {
            content: Some(truncate(content, MAX_CONTENT_CHARS)),
            ..Rendered::default()
        }
    }

    /// As a poise reply (slash commands).
    pub fn into_reply(self, ephemeral: bool) -> poise::CreateReply {
        let mut reply = poise::CreateReply::default()
            .ephemeral(ephemeral)
            .allowed_mentions(no_pings());
        if let Some(content) = self.content {
            reply = reply.content(content);
        }
        reply.embeds = self.embeds;
        if !self.components.is_empty() {
            reply = reply.components(self.components);
        }
        reply
    }

    /// As a channel message (mentions and opened channels).
    pub fn into_message(self) -> CreateMessage {
        let mut message = CreateMessage::new()
            .allowed_mentions(no_pings())
            .embeds(self.embeds);
        if let Some(content) = self.content {
            message = message.content(content);
        }
        if !self.components.is_empty() {
            message = message.components(self.components);
        }
        message
    }

    /// As the response to a button or menu click.
    pub fn into_interaction(self, ephemeral: bool) -> CreateInteractionResponseMessage {
        let mut message = CreateInteractionResponseMessage::new()
            .ephemeral(ephemeral)
            .allowed_mentions(no_pings())
            .embeds(self.embeds);
        if let Some(content) = self.content {
            message = message.content(content);
        }
        if !self.components.is_empty() {
            message = message.components(self.components);
        }
        message
    }
}

/// The reply to a question.
pub fn reply(faq: &Faq, reply: &Reply<'_>) -> Rendered {
    match reply {
        Reply::Answer { entry, caution, .. } => {
            let mut rendered = answer(faq, entry);
            // The caution tier: when to get help now, above the answer.
            if caution.is_some() {
                rendered.content = Some(truncate(&caution_text(faq), MAX_CONTENT_CHARS));
            }
            rendered
        }
        Reply::NoMatch {
            suggestions,
            caution,
            ..
        } => Rendered {
            content: Some(truncate(
                &match caution {
                    Some(_) => format!(
                        "{NO_MATCH_TEXT}\n\n{}\n\n{}",
                        caution_text(faq),
                        faq.meta.staff_contact
                    ),
                    None => format!("{NO_MATCH_TEXT}\n\n{}", faq.meta.staff_contact),
                },
                MAX_CONTENT_CHARS,
            )),
            embeds: Vec::new(),
            components: button_rows(entry_buttons(
                suggestions.iter().copied(),
                MAX_RELATED_BUTTONS,
            )),
        },
        // Only the urgent message: no FAQ content that could read as reassurance.
        Reply::Urgent { .. } => Rendered::text(&faq.meta.urgent_message),
    }
}

/// One entry's answer: the embed, its related entries and the feedback buttons.
pub fn answer(faq: &Faq, entry: &Entry) -> Rendered {
    let mut embed = CreateEmbed::new()
        .title(truncate(&entry.question, MAX_TITLE_CHARS))
        .description(&entry.answer)
        .colour(ANSWER_COLOUR)
        .footer(CreateEmbedFooter::new(&faq.meta.disclaimer));
    for (name, value) in source_fields(&sources_markdown(faq, entry)) {
        embed = embed.field(name, value, false);
    }
    let related = entry.related.iter().map(|&r| &faq.entries[r]);
    let mut rows = button_rows(entry_buttons(related, MAX_RELATED_BUTTONS));
    let feedback: Vec<CreateButton> = [
        (HELPFUL_PREFIX, "Helpful", ButtonStyle::Success),
        (UNHELPFUL_PREFIX, "Not helpful", ButtonStyle::Secondary),
    ]
    .into_iter()
    .filter_map(|(prefix, label, style)| {
        Some(
            CreateButton::new(custom_id(prefix, &entry.id)?)
                .label(label)
                .style(style),
        )
    })
    .collect();
    if !feedback.is_empty() {
        rows.push(CreateActionRow::Buttons(feedback));
    }
    Rendered {
        content: None,
        embeds: vec![embed],
        components: rows,
    }
}

/// Splits the sources list into embed fields of at most 1024 characters,
/// at line breaks: "Sources", then "Sources (cont.)".
pub fn source_fields(markdown: &str) -> Vec<(String, String)> {
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in markdown.lines() {
        // A single line over the limit (a very long link) is cut; validation keeps this rare.
        let line = truncate(line, MAX_FIELD_CHARS);
        let extra = if current.is_empty() { 0 } else { 1 };
        if current.chars().count() + extra + line.chars().count() > MAX_FIELD_CHARS {
            chunks.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            (
                if i == 0 { "Sources" } else { "Sources (cont.)" }.to_owned(),
                value,
            )
        })
        .collect()
}

/// Buttons that open entries, at most `max`.
fn entry_buttons<'f>(entries: impl Iterator<Item = &'f Entry>, max: usize) -> Vec<CreateButton> {
    entries
        .filter_map(|e| {
            let id = custom_id(OPEN_PREFIX, &e.id)?;
            Some(
                CreateButton::new(id)
                    .label(truncate(&e.question, MAX_LABEL_CHARS))
                    .style(ButtonStyle::Secondary),
            )
        })
        .take(max)
        .collect()
}

fn button_rows(buttons: Vec<CreateButton>) -> Vec<CreateActionRow> {
    buttons
        .chunks(BUTTONS_PER_ROW)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect()
}

/// The topic list: with a category, its questions and a menu to open one;
/// without, every category with its questions.
pub fn topics(faq: &Faq, category: Option<&str>) -> Rendered {
    match category {
        Some(category) => {
            let entries: Vec<&Entry> = faq
                .entries
                .iter()
                .filter(|e| e.category == category)
                .collect();
            if entries.is_empty() {
                return Rendered::text(&format!("There are no questions in “{category}” yet."));
            }
            let list: String = entries
                .iter()
                .map(|e| format!("• {}\n", e.question))
                .collect();
            let embed = CreateEmbed::new()
                .title(truncate(&format!("FAQ: {category}"), MAX_TITLE_CHARS))
                .description(truncate(&list, crate::faq::MAX_DESCRIPTION_CHARS))
                .colour(ANSWER_COLOUR)
                .footer(CreateEmbedFooter::new(
                    "Pick a question below, or ask your own with /faq.",
                ));
            let options: Vec<CreateSelectMenuOption> = entries
                .iter()
                .filter(|e| e.id.chars().count() <= MAX_ID_CHARS)
                .take(MAX_CHOICES)
                .map(|e| {
                    CreateSelectMenuOption::new(truncate(&e.question, MAX_ID_CHARS), e.id.clone())
                })
                .collect();
            let menu = CreateSelectMenu::new(PICK_ID, CreateSelectMenuKind::String { options })
                .placeholder("Open an answer");
            Rendered {
                content: None,
                embeds: vec![embed],
                components: vec![CreateActionRow::SelectMenu(menu)],
            }
        }
        None => {
            let mut embed = CreateEmbed::new()
                .title("FAQ topics")
                .colour(ANSWER_COLOUR)
                .footer(CreateEmbedFooter::new(
                    "Choose a category in /faq-topics to open its answers.",
                ));
            for category in faq.categories() {
                let questions: Vec<&str> = faq
                    .entries
                    .iter()
                    .filter(|e| e.category == category)
                    .map(|e| e.question.as_str())
                    .collect();
                if questions.is_empty() {
                    continue;
                }
                // Each category is one field; a long one is cut, and the category view lists it all.
                let value = questions
                    .iter()
                    .map(|q| format!("• {}", truncate(q, 90)))
                    .collect::<Vec<_>>()
                    .join("\n");
                embed = embed.field(
                    format!("{category} ({})", questions.len()),
                    truncate(&value, MAX_FIELD_CHARS / 2),
                    false,
                );
            }
            Rendered {
                content: None,
                embeds: vec![embed],
                components: Vec::new(),
            }
        }
    }
}

/// From this many words on, autocomplete blends in the matcher's ranking:
/// a phrase says what it means, while one or two words (often the last one
/// unfinished) are better read as letters to find.
pub const BLEND_MIN_WORDS: usize = 3;
/// Reciprocal rank fusion's constant (Cormack, Clarke and Büttcher, 2009):
/// the usual 60 keeps one list's top item from drowning the other list.
const RRF_K: f64 = 60.0;

/// Autocomplete choices for a partly typed question: (name, value), both
/// the entry's question cut to Discord's limit, so the chosen question is
/// asked as it is written in the FAQ.
///
/// Nothing typed: the FAQ's starter entries. A word or two: the entries
/// whose question or alternates contain the typed letters, in order (so
/// "sessi" finds "session" before the word is done). Longer text: that
/// list fused with the matcher's ranking of the text as a question.
pub fn question_choices(engine: &crate::Engine, partial: &str) -> Vec<(String, String)> {
    let faq = engine.faq();
    let entries: Vec<&Entry> = if partial.trim().is_empty() {
        faq.entries.iter().filter(|e| e.starter).collect()
    } else {
        let by_letters = letter_matches(faq, partial);
        if partial.split_whitespace().count() < BLEND_MIN_WORDS && !by_letters.is_empty() {
            by_letters
        } else {
            blend(&by_letters, &engine.suggest(partial, MAX_CHOICES))
        }
    };
    entries
        .into_iter()
        .take(MAX_CHOICES)
        .map(|e| {
            let q = truncate(&e.question, MAX_ID_CHARS);
            (q.clone(), q)
        })
        .collect()
}

/// Entries whose question or an alternate contains every typed word's
/// letters in order (nucleo's fuzzy match, as in the helix editor), best
/// first. An entry scores as its best phrasing plus the mean over all its
/// phrasings: an entry whose phrasings keep using the word is about it,
/// one that uses it once in passing is not (the matcher's affinity idea).
fn letter_matches<'f>(faq: &'f Faq, partial: &str) -> Vec<&'f Entry> {
    use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32Str};

    // `new`, not `parse`: members type quotes and "!", not search syntax.
    let pattern = Pattern::new(
        partial,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(f64, &Entry)> = faq
        .entries
        .iter()
        .filter_map(|e| {
            let (mut best, mut sum, mut n) = (None, 0u64, 0u64);
            for p in e.phrasings() {
                n += 1;
                if let Some(score) = pattern.score(Utf32Str::new(p, &mut buf), &mut matcher) {
                    sum += u64::from(score);
                    best = best.max(Some(score));
                }
            }
            best.map(|b| (f64::from(b) + sum as f64 / n as f64, e))
        })
        .collect();
    // Stable: equal scores keep file order.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, e)| e).collect()
}

/// Reciprocal rank fusion of two rankings of entries: an entry high in
/// either list ranks high, one high in both ranks first.
fn blend<'f>(a: &[&'f Entry], b: &[&'f Entry]) -> Vec<&'f Entry> {
    let mut fused: Vec<(f64, &Entry)> = Vec::new();
    for list in [a, b] {
        for (rank, &entry) in list.iter().enumerate() {
            let share = 1.0 / (RRF_K + rank as f64 + 1.0);
            match fused.iter_mut().find(|(_, e)| std::ptr::eq(*e, entry)) {
                Some((score, _)) => *score += share,
                None => fused.push((share, entry)),
            }
        }
    }
    // Stable: equal scores keep the first list's order.
    fused.sort_by(|x, y| y.0.total_cmp(&x.0));
    fused.into_iter().map(|(_, e)| e).collect()
}

/// A link to a message, for the staff alert.
pub fn message_link(guild: Option<u64>, channel: u64, message: u64) -> String {
    match guild {
        Some(g) => format!("https://discord.com/channels/{g}/{channel}/{message}"),
        None => format!("https://discord.com/channels/@me/{channel}/{message}"),
    }
}

/// The staff alert: the link and nothing of what the member wrote.
pub fn alert_text(link: &str) -> String {
    format!("A member may have described a complication and was told to seek care: {link}")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::Engine;

    fn engine() -> Engine {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml"))
            .expect("faq.toml");
        Engine::from_toml(&text).expect("faq.toml is valid")
    }

    fn json(r: &Rendered) -> (Vec<Value>, Vec<Value>) {
        (
            r.embeds
                .iter()
                .map(|e| serde_json::to_value(e).unwrap())
                .collect(),
            r.components
                .iter()
                .map(|c| serde_json::to_value(c).unwrap())
                .collect(),
        )
    }

    /// Checks every limit Discord sets on what we render.
    fn assert_fits(r: &Rendered) {
        if let Some(c) = &r.content {
            assert!(c.chars().count() <= MAX_CONTENT_CHARS);
        }
        let (embeds, rows) = json(r);
        let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
        for e in &embeds {
            let fields_len: usize = e["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| len(&f["name"]) + len(&f["value"]))
                .sum();
            let total =
                len(&e["title"]) + len(&e["description"]) + len(&e["footer"]["text"]) + fields_len;
            assert!(
                total <= crate::lint::MAX_EMBED_TOTAL_CHARS,
                "embed of {total} characters"
            );
            assert!(len(&e["title"]) <= 256);
            assert!(len(&e["description"]) <= 4096);
            let fields = e["fields"].as_array().cloned().unwrap_or_default();
            assert!(fields.len() <= 25);
            for f in &fields {
                assert!(
                    len(&f["name"]) <= 256 && len(&f["value"]) <= 1024 && len(&f["value"]) > 0,
                    "{f}"
                );
            }
        }
        assert!(rows.len() <= 5);
        for row in &rows {
            let items = row["components"].as_array().unwrap();
            assert!(!items.is_empty() && items.len() <= 5);
            for c in items {
                assert!(len(&c["custom_id"]) <= 100);
                assert!(len(&c["label"]) <= 80);
            }
        }
    }

    /// Every entry of the shipped FAQ renders within Discord's limits, with
    /// its sources as linked fields and the disclaimer as footer.
    #[test]
    fn every_answer_fits() {
        let engine = engine();
        let faq = engine.faq();
        for entry in &faq.entries {
            let r = answer(faq, entry);
            assert_fits(&r);
            let (embeds, rows) = json(&r);
            assert_eq!(embeds[0]["title"], entry.question.as_str());
            assert_eq!(embeds[0]["footer"]["text"], faq.meta.disclaimer.as_str());
            assert_eq!(embeds[0]["fields"][0]["name"], "Sources");
            assert!(embeds[0]["fields"][0]["value"]
                .as_str()
                .unwrap()
                .contains("](http"));
            let last = rows.last().unwrap();
            assert_eq!(
                last["components"][0]["custom_id"],
                format!("faq:helpful:{}", entry.id)
            );
        }
        for category in faq.categories() {
            assert_fits(&topics(faq, Some(category)));
        }
        assert_fits(&topics(faq, None));
    }

    /// A long sources list is split at line breaks into "Sources" and "Sources (cont.)".
    #[test]
    fn long_sources_split() {
        let line = format!("[{}](https://example.org/x)", "t".repeat(300));
        let text = [line.as_str(); 7].join("\n");
        let fields = source_fields(&text);
        assert!(fields.len() >= 3);
        assert_eq!(fields[0].0, "Sources");
        assert_eq!(fields[1].0, "Sources (cont.)");
        assert!(fields
            .iter()
            .all(|(_, v)| v.chars().count() <= MAX_FIELD_CHARS));
        assert_eq!(
            fields.iter().map(|(_, v)| v.lines().count()).sum::<usize>(),
            7
        );
        assert_eq!(
            source_fields(&"x".repeat(2000))[0].1.chars().count(),
            MAX_FIELD_CHARS
        );
    }

    /// Urgent shows the urgent message only; no-match shows the fixed text,
    /// how to reach staff and the suggestions as buttons.
    #[test]
    fn urgent_and_no_match() {
        let engine = engine();
        let faq = engine.faq();
        let urgent = reply(
            faq,
            &engine.answer("I had microneedling 5 days ago and now I have a fever and pus"),
        );
        assert_eq!(
            urgent.content.as_deref(),
            Some(faq.meta.urgent_message.as_str())
        );
        assert!(urgent.embeds.is_empty() && urgent.components.is_empty());
        let none = reply(
            faq,
            &engine.answer("is microneedling good for tattoo removal on cats"),
        );
        assert_fits(&none);
        let text = none.content.unwrap();
        assert!(text.starts_with(NO_MATCH_TEXT) && text.contains(&faq.meta.staff_contact));
        assert!(none.embeds.is_empty());
    }

    /// Custom ids round-trip, and ids that are not ours are ignored.
    #[test]
    fn actions_parse() {
        assert_eq!(
            Action::parse("faq:entry:downtime"),
            Some(Action::Open("downtime".into()))
        );
        assert_eq!(
            Action::parse("faq:unhelpful:cost"),
            Some(Action::Feedback {
                entry: "cost".into(),
                helpful: false
            })
        );
        assert_eq!(Action::parse(PICK_ID), Some(Action::Pick));
        assert_eq!(Action::parse("other:thing"), None);
        assert_eq!(custom_id(OPEN_PREFIX, &"a".repeat(95)), None);
    }

    /// The ids of the entries autocomplete offers for `partial`, in order.
    fn choice_ids(engine: &Engine, partial: &str) -> Vec<String> {
        question_choices(engine, partial)
            .into_iter()
            .map(|(_, question)| {
                let entry = engine
                    .faq()
                    .entries
                    .iter()
                    .find(|e| truncate(&e.question, MAX_ID_CHARS) == question);
                entry.map_or(question, |e| e.id.clone())
            })
            .collect()
    }

    /// Partial words and short phrases offer the entries a member expects
    /// near the top: each row is (typed, entries that must all be offered
    /// within the first `TOP` choices).
    #[test]
    fn autocomplete_table() {
        const TOP: usize = 5;
        let engine = engine();
        let rows: &[(&str, &[&str])] = &[
            ("sessi", &["session-count", "session-spacing"]),
            ("aft", &["aftercare"]),
            ("cold s", &["cold-sores"]),
            ("hurt", &["does-it-hurt"]),
            ("how much does it cost", &["cost"]),
            // Hyphenated and split spellings reach the entry through [synonyms].
            (
                "can i do micro-needling at home",
                &["at-home-microneedling"],
            ),
            ("derma roller or pen", &["dermaroller-vs-pen"]),
        ];
        for (typed, want) in rows {
            let got = choice_ids(&engine, typed);
            for id in *want {
                let rank = got.iter().position(|g| g == id);
                assert!(
                    rank.is_some_and(|r| r < TOP),
                    "{typed:?}: {id} not in the first {TOP} of {got:?}"
                );
            }
        }
        assert!(
            !choice_ids(&engine, "micro").is_empty(),
            "a treatment's first letters offer something"
        );
    }

    /// Nothing typed offers exactly the entries marked `starter = true`, in
    /// file order; anything typed offers at most 25 choices of at most 100
    /// characters.
    #[test]
    fn autocomplete_choices() {
        let engine = engine();
        let starters: Vec<String> = engine
            .faq()
            .entries
            .iter()
            .filter(|e| e.starter)
            .map(|e| e.id.clone())
            .collect();
        assert!(
            !starters.is_empty(),
            "the shipped FAQ marks starter entries"
        );
        assert_eq!(choice_ids(&engine, "  "), starters);
        for typed in ["how many sesions", "a", "e", "zzzz qqqq", "🙂"] {
            let choices = question_choices(&engine, typed);
            assert!(choices.len() <= MAX_CHOICES, "{typed:?}");
            assert!(choices.iter().all(
                |(n, v)| n.chars().count() <= MAX_ID_CHARS && v.chars().count() <= MAX_ID_CHARS
            ));
        }
        assert!(
            !question_choices(&engine, "how many sesions").is_empty(),
            "a typo still finds its entry"
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
    }

    /// Rank fusion puts an entry high in both lists first and keeps every
    /// entry of either list once.
    #[test]
    fn blend_fuses_ranks() {
        let engine = engine();
        let e = &engine.faq().entries;
        let fused = blend(&[&e[0], &e[1], &e[2]], &[&e[3], &e[1]]);
        let ids: Vec<&str> = fused.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                e[1].id.as_str(),
                e[0].id.as_str(),
                e[3].id.as_str(),
                e[2].id.as_str()
            ]
        );
    }
}
