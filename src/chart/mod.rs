//! The stats chart: one PNG that shows a clinic's staff what members ask,
//! what the bot could not answer and whether its answers help, for
//! `/faqadmin stats` and `faqbot stats --chart`.
//!
//! An edge module: [`Report::load`] reads the question log, [`render`]
//! draws. Four panels under a header with the period's totals: questions
//! per day stacked by outcome, the most asked entries, the unanswered
//! questions asked most (with a short sample of their words), and
//! Helpful / Not helpful for entries with at least [`MIN_VOTES`] votes. A
//! period without a question is one "no questions yet" picture.
//!
//! Drawn on a plain pixel buffer ([`canvas`]) rather than a plotting
//! library: every mark is a rectangle or a line of text, and the work is
//! fitting text (any script, any length), which needs the font's own
//! metrics anyway. Small numbers are shown as counts, never as shares of
//! a handful.

mod canvas;
pub mod fit;
mod panels;

use crate::store::{Daily, Group, Scope, Stats, Store};

pub use canvas::Rgb;

/// The picture's size: 4:3 fills a phone held sideways, and Discord's
/// preview (about 550 px wide) still shows the panels' shapes.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 900;
/// The attachment's file name in Discord.
pub const FILE_NAME: &str = "faqbot-stats.png";
/// Votes an entry needs before its Helpful / Not helpful bar is drawn:
/// one or two votes say little, and a full bar from one vote misleads.
pub const MIN_VOTES: u64 = 3;
/// Unanswered groups listed: the panel's rows; the rest are counted.
pub const UNANSWERED_ROWS: usize = 6;
/// Entries listed in the feedback panel, most voted first.
pub const FEEDBACK_ROWS: usize = 8;

/// The colours: Okabe and Ito's palette, which colour-blind readers can
/// tell apart, on white.
pub mod colour {
    use super::Rgb;
    pub const BACKGROUND: Rgb = [255, 255, 255];
    /// Body text.
    pub const INK: Rgb = [31, 35, 40];
    /// Axis labels, notes and footnotes: quieter than the data.
    pub const MUTED: Rgb = [87, 96, 106];
    /// Gridlines: visible, yet behind every bar.
    pub const GRID: Rgb = [222, 226, 230];
    /// Answered questions and the most asked entries' bars.
    pub const ANSWERED: Rgb = [0, 114, 178];
    /// Questions the bot could not answer: neutral grey, not an alarm.
    pub const NO_MATCH: Rgb = [150, 158, 168];
    /// Questions sent to get care now: the palette's vermillion.
    pub const URGENT: Rgb = [213, 94, 0];
    pub const HELPFUL: Rgb = [0, 158, 115];
    pub const NOT_HELPFUL: Rgb = [204, 121, 167];
}

/// What a region of the picture shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    /// Title, period and totals, which double as the outcome legend.
    Header,
    PerDay,
    MostAsked,
    Unanswered,
    Feedback,
    /// The whole body of a picture for a period with no questions.
    NoQuestions,
}

/// Where a panel was drawn, in pixels from the top left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panel {
    pub kind: PanelKind,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A rendered chart: the PNG and its layout (for tests and checks).
#[derive(Debug, Clone)]
pub struct Chart {
    pub png: Vec<u8>,
    pub panels: Vec<Panel>,
}

/// Everything a chart shows, as the question log reports it.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub stats: Stats,
    pub daily: Daily,
    /// Unanswered paraphrase groups, most asked first; only the first
    /// [`UNANSWERED_ROWS`] are drawn.
    pub unanswered: Vec<Group>,
}

impl Report {
    /// The last `days` days in `scope`, read from the log.
    pub fn load(store: &Store, days: u64, scope: Scope) -> rusqlite::Result<Report> {
        Ok(Report {
            stats: store.stats(days, scope)?,
            daily: store.daily(days, scope)?,
            unanswered: store.unanswered(days, usize::MAX, scope)?,
        })
    }

    /// Nothing to chart: no question and no vote in the period.
    pub fn is_empty(&self) -> bool {
        self.stats.total == 0 && self.stats.feedback.is_empty()
    }
}

/// Why a chart could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot encode the chart as PNG: {0}")]
    Encode(#[from] png::EncodingError),
}

/// Outer margin, and the gap between panels.
const MARGIN: u32 = 24;
const GAP: u32 = 16;
/// The header's height: a title line and a totals line.
const HEADER_HEIGHT: u32 = 92;

/// The panels' places for `report`: a header, then four panels two by two,
/// or the header and one "no questions yet" body.
pub fn layout(report: &Report) -> Vec<Panel> {
    let header = Panel {
        kind: PanelKind::Header,
        x: MARGIN,
        y: MARGIN / 2,
        width: WIDTH - 2 * MARGIN,
        height: HEADER_HEIGHT,
    };
    let top = header.y + header.height + GAP / 2;
    let body_height = HEIGHT - top - MARGIN;
    if report.is_empty() {
        return vec![
            header,
            Panel {
                kind: PanelKind::NoQuestions,
                x: MARGIN,
                y: top,
                width: WIDTH - 2 * MARGIN,
                height: body_height,
            },
        ];
    }
    let w = (WIDTH - 2 * MARGIN - GAP) / 2;
    let h = (body_height - GAP) / 2;
    let at = |kind, col: u32, row: u32| Panel {
        kind,
        x: MARGIN + col * (w + GAP),
        y: top + row * (h + GAP),
        width: w,
        height: h,
    };
    vec![
        header,
        at(PanelKind::PerDay, 0, 0),
        at(PanelKind::MostAsked, 1, 0),
        at(PanelKind::Unanswered, 0, 1),
        at(PanelKind::Feedback, 1, 1),
    ]
}

/// Draws `report` as a [`WIDTH`] × [`HEIGHT`] PNG.
pub fn render(report: &Report) -> Result<Chart, ChartError> {
    let mut canvas = canvas::Canvas::new(WIDTH, HEIGHT, colour::BACKGROUND);
    let panels = layout(report);
    for panel in &panels {
        panels::draw(&mut canvas, panel, report);
    }
    Ok(Chart {
        png: canvas.png()?,
        panels,
    })
}
