//! What members see, as plain parts: a [`Reply`] (and the topic lists)
//! laid out as message content, embed cards and rows of buttons or menus,
//! each cut to Discord's limits ([`crate::limits`]). Pure and the one
//! owner of the layout: the Discord adapter (`discord::embeds`) maps these
//! parts onto serenity's builders one to one, and [`crate::lint`] measures
//! the same parts, so what staff are warned about is what members get.

use std::fmt::Write as _;

use crate::faq::{Entry, Faq};
use crate::limits::{
    BUTTONS_PER_ROW, MAX_CHOICES, MAX_CONTENT_CHARS, MAX_DESCRIPTION_CHARS, MAX_FIELDS,
    MAX_FIELD_CHARS, MAX_FIELD_NAME_CHARS, MAX_FOOTER_CHARS, MAX_ID_CHARS, MAX_LABEL_CHARS,
    MAX_RELATED_BUTTONS, MAX_TITLE_CHARS, OVERVIEW_FIELD_CHARS, OVERVIEW_QUESTION_CHARS,
};
use crate::reply::{caution_text, NO_MATCH_TEXT};
use crate::Reply;

/// Accent colour of every card the bot sends.
pub const CARD_COLOUR: u32 = 0x2f80ed;
/// The first sources field's name, and the name of those after it.
pub const SOURCES: &str = "Sources";
pub const SOURCES_CONT: &str = "Sources (cont.)";

/// The custom id prefixes of the bot's components: an id a member can
/// click carries what it opens, so a click needs no state kept since the reply.
const OPEN_PREFIX: &str = "faq:entry:";
const HELPFUL_PREFIX: &str = "faq:helpful:";
const UNHELPFUL_PREFIX: &str = "faq:unhelpful:";
/// The topic list's select menu; the chosen option's value is the entry id.
pub const PICK_ID: &str = "faq:pick";

/// One message: content, cards (embeds) and component rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub content: Option<String>,
    pub cards: Vec<Card>,
    pub rows: Vec<Row>,
}

/// One embed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Card {
    pub title: String,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    pub footer: String,
}

/// One embed field (never inline).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// One action row.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Buttons(Vec<Button>),
    Menu(Menu),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub id: String,
    pub label: String,
    pub style: Style,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// "Helpful".
    Success,
    /// Everything else: a button that opens an entry, "Not helpful".
    Secondary,
}

/// A select menu of (label, value) options.
#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub id: String,
    pub placeholder: String,
    pub options: Vec<(String, String)>,
}

impl Card {
    /// The characters Discord counts against [`crate::limits::MAX_EMBED_TOTAL_CHARS`].
    pub fn chars(&self) -> usize {
        let count = |s: &str| s.chars().count();
        count(&self.title)
            + self.description.as_deref().map_or(0, count)
            + self
                .fields
                .iter()
                .map(|f| count(&f.name) + count(&f.value))
                .sum::<usize>()
            + count(&self.footer)
    }
}

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

/// Text only, cut to fit a message.
pub fn text(content: &str) -> Layout {
    Layout {
        content: Some(truncate(content, MAX_CONTENT_CHARS)),
        ..Layout::default()
    }
}

/// The reply to a question.
pub fn reply(faq: &Faq, reply: &Reply<'_>) -> Layout {
    match reply {
        Reply::Answer { entry, caution, .. } => {
            let mut layout = answer(faq, entry);
            // The caution tier: when to get help now, above the answer.
            if caution.is_some() {
                layout.content = Some(truncate(&caution_text(faq), MAX_CONTENT_CHARS));
            }
            layout
        }
        Reply::NoMatch {
            suggestions,
            caution,
            ..
        } => {
            let text = match caution {
                Some(_) => format!(
                    "{NO_MATCH_TEXT}\n\n{}\n\n{}",
                    caution_text(faq),
                    faq.meta.staff_contact
                ),
                None => format!("{NO_MATCH_TEXT}\n\n{}", faq.meta.staff_contact),
            };
            Layout {
                content: Some(truncate(&text, MAX_CONTENT_CHARS)),
                cards: Vec::new(),
                rows: button_rows(entry_buttons(suggestions.iter().copied())),
            }
        }
        // Only the urgent message: no FAQ content that could read as reassurance.
        Reply::Urgent { .. } => self::text(&faq.meta.urgent_message),
    }
}

/// One entry's answer: the card, its related entries and the feedback buttons.
pub fn answer(faq: &Faq, entry: &Entry) -> Layout {
    let related = entry.related.iter().map(|&r| &faq.entries[r]);
    let mut rows = button_rows(entry_buttons(related));
    let feedback: Vec<Button> = [
        (HELPFUL_PREFIX, "Helpful", Style::Success),
        (UNHELPFUL_PREFIX, "Not helpful", Style::Secondary),
    ]
    .into_iter()
    .filter_map(|(prefix, label, style)| {
        Some(Button {
            id: custom_id(prefix, &entry.id)?,
            label: label.to_owned(),
            style,
        })
    })
    .collect();
    if !feedback.is_empty() {
        rows.push(Row::Buttons(feedback));
    }
    Layout {
        content: None,
        cards: vec![answer_card(faq, entry)],
        rows,
    }
}

/// The answer's card: question, answer, sources and the disclaimer.
pub fn answer_card(faq: &Faq, entry: &Entry) -> Card {
    Card {
        title: truncate(&entry.question, MAX_TITLE_CHARS),
        description: Some(truncate(&entry.answer, MAX_DESCRIPTION_CHARS)),
        fields: sources_fields(faq, entry),
        footer: truncate(&faq.meta.disclaimer, MAX_FOOTER_CHARS),
    }
}

/// The sources as fields of at most [`MAX_FIELD_CHARS`], split at line
/// breaks: [`SOURCES`], then [`SOURCES_CONT`]. A single line over the
/// limit (a very long link; validation keeps this rare) is cut.
pub fn sources_fields(faq: &Faq, entry: &Entry) -> Vec<Field> {
    let mut values: Vec<String> = Vec::new();
    for line in sources_markdown(faq, entry).lines() {
        let line = truncate(line, MAX_FIELD_CHARS);
        match values.last_mut() {
            Some(last) if last.chars().count() + 1 + line.chars().count() <= MAX_FIELD_CHARS => {
                last.push('\n');
                last.push_str(&line);
            }
            _ => values.push(line),
        }
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| Field {
            name: if i == 0 { SOURCES } else { SOURCES_CONT }.to_owned(),
            value,
        })
        .collect()
}

/// The sources as Discord markdown, one linked title a line.
pub fn sources_markdown(faq: &Faq, entry: &Entry) -> String {
    let mut out = String::new();
    for &s in &entry.sources {
        let source = &faq.sources[s];
        if !out.is_empty() {
            out.push('\n');
        }
        let year = source.year.map(|y| format!(", {y}")).unwrap_or_default();
        let _ = write!(
            out,
            "[{}]({}) ({}{})",
            source.title.replace(['[', ']'], ""),
            source.link,
            source.publisher,
            year
        );
    }
    out
}

/// Buttons that open entries, at most [`MAX_RELATED_BUTTONS`].
fn entry_buttons<'f>(entries: impl Iterator<Item = &'f Entry>) -> Vec<Button> {
    entries
        .filter_map(|e| {
            Some(Button {
                id: custom_id(OPEN_PREFIX, &e.id)?,
                label: truncate(&e.question, MAX_LABEL_CHARS),
                style: Style::Secondary,
            })
        })
        .take(MAX_RELATED_BUTTONS)
        .collect()
}

fn button_rows(buttons: Vec<Button>) -> Vec<Row> {
    buttons
        .chunks(BUTTONS_PER_ROW)
        .map(|row| Row::Buttons(row.to_vec()))
        .collect()
}

/// The topic list: with a category, its questions and a menu to open one;
/// without, every category with its questions.
pub fn topics(faq: &Faq, category: Option<&str>) -> Layout {
    match category {
        Some(category) => {
            let entries: Vec<&Entry> = faq
                .entries
                .iter()
                .filter(|e| e.category == category)
                .collect();
            if entries.is_empty() {
                return text(&format!("There are no questions in “{category}” yet."));
            }
            let list: String = entries
                .iter()
                .map(|e| format!("• {}\n", e.question))
                .collect();
            let card = Card {
                title: truncate(&format!("FAQ: {category}"), MAX_TITLE_CHARS),
                description: Some(truncate(&list, MAX_DESCRIPTION_CHARS)),
                fields: Vec::new(),
                footer: "Pick a question below, or ask your own with /faq.".to_owned(),
            };
            let options = entries
                .iter()
                .filter(|e| e.id.chars().count() <= MAX_ID_CHARS)
                .take(MAX_CHOICES)
                .map(|e| (truncate(&e.question, MAX_ID_CHARS), e.id.clone()))
                .collect();
            Layout {
                content: None,
                cards: vec![card],
                rows: vec![Row::Menu(Menu {
                    id: PICK_ID.to_owned(),
                    placeholder: "Open an answer".to_owned(),
                    options,
                })],
            }
        }
        None => {
            let mut fields = Vec::new();
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
                    .map(|q| format!("• {}", truncate(q, OVERVIEW_QUESTION_CHARS)))
                    .collect::<Vec<_>>()
                    .join("\n");
                fields.push(Field {
                    name: truncate(
                        &format!("{category} ({})", questions.len()),
                        MAX_FIELD_NAME_CHARS,
                    ),
                    value: truncate(&value, OVERVIEW_FIELD_CHARS),
                });
            }
            fields.truncate(MAX_FIELDS);
            Layout {
                content: None,
                cards: vec![Card {
                    title: "FAQ topics".to_owned(),
                    description: None,
                    fields,
                    footer: "Choose a category in /faq-topics to open its answers.".to_owned(),
                }],
                rows: Vec::new(),
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::limits::{MAX_EMBED_TOTAL_CHARS, MAX_ROWS};
    use crate::Engine;

    /// The shipped FAQ's engine (lexical: layout needs no encoder).
    pub(crate) fn engine() -> Engine {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml"))
            .expect("faq.toml");
        Engine::from_toml(&text).expect("faq.toml is valid")
    }

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    /// Checks every limit Discord sets on a message's parts.
    fn assert_fits(l: &Layout) {
        if let Some(c) = &l.content {
            assert!((1..=MAX_CONTENT_CHARS).contains(&chars(c)), "content {c:?}");
        }
        assert!(
            l.content.is_some() || !l.cards.is_empty(),
            "an empty message"
        );
        for card in &l.cards {
            assert!(chars(&card.title) <= MAX_TITLE_CHARS);
            assert!(card.description.as_deref().map_or(0, chars) <= MAX_DESCRIPTION_CHARS);
            assert!(chars(&card.footer) <= MAX_FOOTER_CHARS);
            assert!(card.fields.len() <= MAX_FIELDS);
            for f in &card.fields {
                assert!(
                    (1..=MAX_FIELD_NAME_CHARS).contains(&chars(&f.name)),
                    "{f:?}"
                );
                assert!((1..=MAX_FIELD_CHARS).contains(&chars(&f.value)), "{f:?}");
            }
            assert!(card.chars() <= MAX_EMBED_TOTAL_CHARS, "{}", card.chars());
        }
        assert!(l.rows.len() <= MAX_ROWS);
        for row in &l.rows {
            match row {
                Row::Buttons(buttons) => {
                    assert!((1..=BUTTONS_PER_ROW).contains(&buttons.len()));
                    for b in buttons {
                        assert!(chars(&b.id) <= MAX_ID_CHARS && chars(&b.label) <= MAX_LABEL_CHARS);
                    }
                }
                Row::Menu(menu) => {
                    assert!(menu.options.len() <= MAX_CHOICES);
                    for (label, value) in &menu.options {
                        assert!(chars(label) <= MAX_ID_CHARS && chars(value) <= MAX_ID_CHARS);
                    }
                }
            }
        }
    }

    /// Every entry of the shipped FAQ, both topic views and every kind of
    /// reply lay out within Discord's limits; an answer's card carries the
    /// question, linked sources and the disclaimer, with feedback buttons last.
    #[test]
    fn every_layout_fits() {
        let engine = engine();
        let faq = engine.faq();
        for entry in &faq.entries {
            let l = answer(faq, entry);
            assert_fits(&l);
            let card = &l.cards[0];
            assert_eq!(card.title, entry.question);
            assert_eq!(card.footer, faq.meta.disclaimer);
            assert_eq!(card.fields[0].name, SOURCES);
            assert!(card.fields[0].value.contains("](http"));
            let Some(Row::Buttons(last)) = l.rows.last() else {
                panic!("{}: no feedback row", entry.id);
            };
            assert_eq!(last[0].id, format!("faq:helpful:{}", entry.id));
            assert_eq!(
                Action::parse(&last[0].id),
                Some(Action::Feedback {
                    entry: entry.id.clone(),
                    helpful: true
                })
            );
        }
        for category in faq.categories() {
            assert_fits(&topics(faq, Some(category)));
        }
        assert_fits(&topics(faq, None));
        assert_fits(&topics(faq, Some("no-such-category")));
    }

    /// A long sources list is split at line breaks into "Sources" and
    /// "Sources (cont.)", every line kept; a line over the limit is cut
    /// with a mark.
    #[test]
    fn long_sources_split() {
        let engine = engine();
        let mut faq = engine.faq().clone();
        let title = "t".repeat(300);
        for s in &mut faq.sources {
            s.title = title.clone();
        }
        let mut entry = faq.entries[0].clone();
        entry.sources = (0..faq.sources.len()).cycle().take(7).collect();
        let fields = sources_fields(&faq, &entry);
        assert!(fields.len() >= 3, "{fields:?}");
        assert_eq!(fields[0].name, SOURCES);
        assert!(fields[1..].iter().all(|f| f.name == SOURCES_CONT));
        assert!(fields.iter().all(|f| chars(&f.value) <= MAX_FIELD_CHARS));
        assert_eq!(
            fields
                .iter()
                .map(|f| f.value.lines().count())
                .sum::<usize>(),
            7
        );

        faq.sources[0].title = "x".repeat(2000);
        entry.sources = vec![0];
        let fields = sources_fields(&faq, &entry);
        assert_eq!(chars(&fields[0].value), MAX_FIELD_CHARS);
        assert!(fields[0].value.ends_with('…'));
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
        assert_eq!(urgent, text(&faq.meta.urgent_message));
        let none = reply(
            faq,
            &engine.answer("is microneedling good for tattoo removal on cats"),
        );
        assert_fits(&none);
        let content = none.content.unwrap();
        assert!(content.starts_with(NO_MATCH_TEXT) && content.contains(&faq.meta.staff_contact));
        assert!(none.cards.is_empty());
    }

    /// Custom ids round-trip, ids that are not ours are ignored, and an id
    /// too long for Discord is not made.
    #[test]
    fn actions_parse() {
        let rows: &[(&str, Option<Action>)] = &[
            ("faq:entry:downtime", Some(Action::Open("downtime".into()))),
            (
                "faq:unhelpful:cost",
                Some(Action::Feedback {
                    entry: "cost".into(),
                    helpful: false,
                }),
            ),
            (PICK_ID, Some(Action::Pick)),
            ("other:thing", None),
        ];
        for (id, want) in rows {
            assert_eq!(&Action::parse(id), want, "{id}");
        }
        assert_eq!(custom_id(OPEN_PREFIX, &"a".repeat(95)), None);
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
