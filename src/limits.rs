//! Discord's limits on what a bot sends, and the bot's own budgets within
//! them. One owner: FAQ validation ([`crate::faq`]), the layout
//! ([`crate::layout`]), lint and the Discord adapter all read them here,
//! so a check and the rendering it checks cannot drift apart. Counts are
//! in `char`s, as Discord counts them.

// Discord's limits.

/// Message content: the urgent message is sent as content, so it shows
/// even where embeds are turned off.
pub const MAX_CONTENT_CHARS: usize = 2000;
/// An embed's title: the entry's question is the title.
pub const MAX_TITLE_CHARS: usize = 256;
/// An embed's description: the answer is the description.
pub const MAX_DESCRIPTION_CHARS: usize = 4096;
/// An embed field's value: the sources list is one field or more.
pub const MAX_FIELD_CHARS: usize = 1024;
/// An embed field's name.
pub const MAX_FIELD_NAME_CHARS: usize = 256;
/// Fields in one embed.
pub const MAX_FIELDS: usize = 25;
/// An embed's footer: the disclaimer is the footer.
pub const MAX_FOOTER_CHARS: usize = 2048;
/// All the text of one embed together (title, description, field names
/// and values, footer).
pub const MAX_EMBED_TOTAL_CHARS: usize = 6000;
/// Action rows under one message.
pub const MAX_ROWS: usize = 5;
/// Buttons in one action row.
pub const BUTTONS_PER_ROW: usize = 5;
/// A button's label.
pub const MAX_LABEL_CHARS: usize = 80;
/// A custom id, an autocomplete choice's name and value, and a select
/// option's label and value.
pub const MAX_ID_CHARS: usize = 100;
/// Autocomplete choices, and options in a select menu.
pub const MAX_CHOICES: usize = 25;

// The bot's own budgets within them.

/// Related-entry buttons under an answer: two rows, leaving room for the
/// feedback row well inside Discord's [`MAX_ROWS`].
pub const MAX_RELATED_BUTTONS: usize = 10;
/// Sources fields an answer may use (Discord allows [`MAX_FIELDS`]; an
/// answer citing more than fills this many is unreadable anyway): lint
/// refuses an entry over it.
pub const MAX_SOURCE_FIELDS: usize = 4;
/// A question in the topic overview is cut here: the overview is a
/// list to scan, and the category view shows each question whole.
pub const OVERVIEW_QUESTION_CHARS: usize = 90;
/// A category's field in the topic overview: half a field, so that many
/// categories fit the embed's [`MAX_EMBED_TOTAL_CHARS`].
pub const OVERVIEW_FIELD_CHARS: usize = MAX_FIELD_CHARS / 2;
