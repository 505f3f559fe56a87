//! [`crate::layout`]'s parts as serenity builders, one to one, and the
//! rest of what Discord shows that is not a reply: autocomplete choices,
//! the staff alert. Every cut to Discord's limits is the layout's.

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption,
};

use crate::faq::{Entry, Faq};
use crate::layout::{self, Card, Layout, Row, Style, CARD_COLOUR};
use crate::limits::{MAX_CHOICES, MAX_ID_CHARS};

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
        layout::text(content).into()
    }

    /// As a poise reply (slash commands).
    pub fn into_reply(self, ephemeral: bool) -> poise::CreateReply {
        let mut reply = poise::CreateReply::default()
            .ephemeral(ephemeral)
            .allowed_mentions(no_pings());
        if let Some(content) = self.content {
            reply = reply.content(content);
        }
        for embed in self.embeds {
            reply = reply.embed(embed);
        }
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

impl From<Layout> for Rendered {
    fn from(layout: Layout) -> Rendered {
        Rendered {
            content: layout.content,
            embeds: layout.cards.into_iter().map(embed).collect(),
            components: layout.rows.into_iter().map(action_row).collect(),
        }
    }
}

fn embed(card: Card) -> CreateEmbed {
    let mut embed = CreateEmbed::new().title(card.title);
    if let Some(description) = card.description {
        embed = embed.description(description);
    }
    embed = embed
        .colour(CARD_COLOUR)
        .footer(CreateEmbedFooter::new(card.footer));
    for field in card.fields {
        embed = embed.field(field.name, field.value, false);
    }
    embed
}

fn action_row(row: Row) -> CreateActionRow {
    match row {
        Row::Buttons(buttons) => CreateActionRow::Buttons(
            buttons
                .into_iter()
                .map(|b| {
                    CreateButton::new(b.id).label(b.label).style(match b.style {
                        Style::Success => ButtonStyle::Success,
                        Style::Secondary => ButtonStyle::Secondary,
                    })
                })
                .collect(),
        ),
        Row::Menu(menu) => {
            let options = menu
                .options
                .into_iter()
                .map(|(label, value)| CreateSelectMenuOption::new(label, value))
                .collect();
            CreateActionRow::SelectMenu(
                CreateSelectMenu::new(menu.id, CreateSelectMenuKind::String { options })
                    .placeholder(menu.placeholder),
            )
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
            let q = layout::truncate(&e.question, MAX_ID_CHARS);
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
    use crate::layout::tests::engine;
    use crate::Engine;

    /// The builders say what the layout says: every answer of the shipped
    /// FAQ, and a topic view, as the JSON Discord receives.
    #[test]
    fn mapping_is_faithful() {
        let engine = engine();
        let faq = engine.faq();
        let json = |r: &Rendered| {
            (
                serde_json::to_value(&r.embeds).unwrap(),
                serde_json::to_value(&r.components).unwrap(),
            )
        };
        for entry in &faq.entries {
            let l = layout::answer(faq, entry);
            let (embeds, rows) = json(&Rendered::from(l.clone()));
            let card = &l.cards[0];
            let e = &embeds[0];
            assert_eq!(e["title"], card.title.as_str());
            assert_eq!(e["description"], card.description.as_deref().unwrap());
            assert_eq!(e["footer"]["text"], card.footer.as_str());
            assert_eq!(e["color"], CARD_COLOUR);
            let fields = e["fields"].as_array().unwrap();
            assert_eq!(fields.len(), card.fields.len());
            for (f, want) in fields.iter().zip(&card.fields) {
                assert_eq!(
                    (f["name"].as_str(), f["value"].as_str(), &f["inline"]),
                    (
                        Some(want.name.as_str()),
                        Some(want.value.as_str()),
                        &Value::Bool(false)
                    )
                );
            }
            assert_eq!(rows.as_array().unwrap().len(), l.rows.len());
            let last = rows.as_array().unwrap().last().unwrap();
            assert_eq!(
                last["components"][0]["custom_id"],
                format!("faq:helpful:{}", entry.id)
            );
            assert_eq!(last["components"][0]["style"], 3, "Helpful is green");
        }
        let category = faq.categories()[0];
        let (embeds, rows) = json(&Rendered::from(layout::topics(faq, Some(category))));
        assert_eq!(embeds[0]["title"], format!("FAQ: {category}"));
        let menu = &rows[0]["components"][0];
        assert_eq!(
            (menu["custom_id"].as_str(), menu["placeholder"].as_str()),
            (Some(layout::PICK_ID), Some("Open an answer"))
        );
        assert!(!menu["options"].as_array().unwrap().is_empty());
        let (embeds, _) = json(&Rendered::from(layout::topics(faq, None)));
        assert!(embeds[0].get("description").is_none_or(Value::is_null));
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
                    .find(|e| layout::truncate(&e.question, MAX_ID_CHARS) == question);
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
