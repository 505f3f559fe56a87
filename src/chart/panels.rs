//! Drawing each panel of the stats chart inside the place [`super::layout`]
//! gave it.

use super::canvas::{Align, Canvas, Rgb};
use super::fit::{axis_step, date_label, thousands};
use super::{colour, Panel, PanelKind, Report, FEEDBACK_ROWS, MIN_VOTES, UNANSWERED_ROWS};
use crate::store::{DayCount, Feedback};

/// Text sizes in pixels, chosen to stay legible when a phone shows the
/// 1200-pixel picture at its own width.
const TITLE_SIZE: f32 = 30.0;
const PANEL_TITLE_SIZE: f32 = 22.0;
const LABEL_SIZE: f32 = 18.0;
const NOTE_SIZE: f32 = 16.0;
/// Space inside a panel's border.
const PAD: f32 = 14.0;
/// Where a panel's content starts below its top: its title line.
const TITLE_LINE: f32 = 40.0;
/// A period needs at least this many questions before the header shows
/// shares: "100%" of one question says nothing a count does not.
const MIN_FOR_SHARES: u64 = 20;
/// Bars at most on the per-day panel: longer periods are drawn per week,
/// per 30 days and so on, so a bar never gets thinner than about 8 px.
const MAX_BARS: i64 = 62;
/// Bucket sizes in days for long periods, and their names in the title.
const BUCKETS: &[(i64, &str)] = &[
    (1, "day"),
    (7, "week"),
    (30, "30 days"),
    (91, "quarter"),
    (365, "year"),
];
/// Date labels under the per-day bars at most: more overlap.
const MAX_DATE_LABELS: i64 = 6;
/// Gridlines on the per-day axis, at most.
const Y_TICKS: u64 = 4;
/// Share of a bar slot the bar fills; the rest separates bars.
const BAR_FILL: f32 = 0.72;
/// The label column of the list panels, as a share of the panel's width.
const LABEL_SHARE: f32 = 0.42;
/// The most rows the list panels use (the store's top entries are ten).
const LIST_ROWS: usize = 10;
/// The tallest a list row gets, so a short list does not spread out.
const MAX_ROW: f32 = 34.0;
/// Legend swatches.
const SWATCH: i32 = 14;
/// The smallest count a full bar or the per-day axis stands for: a
/// handful of questions or votes draws short bars, not full ones.
const SCALE_FLOOR: u64 = 10;

pub fn draw(canvas: &mut Canvas, panel: &Panel, report: &Report) {
    if panel.kind != PanelKind::Header {
        border(canvas, panel);
    }
    match panel.kind {
        PanelKind::Header => header(canvas, panel, report),
        PanelKind::PerDay => per_day(canvas, panel, report),
        PanelKind::MostAsked => most_asked(canvas, panel, report),
        PanelKind::Unanswered => unanswered(canvas, panel, report),
        PanelKind::Feedback => feedback(canvas, panel, report),
        PanelKind::NoQuestions => no_questions(canvas, panel, report),
    }
}

fn border(canvas: &mut Canvas, p: &Panel) {
    let (x, y, w, h) = (p.x as i32, p.y as i32, p.width as i32, p.height as i32);
    canvas.fill(x, y, w, 1, colour::GRID);
    canvas.fill(x, y + h - 1, w, 1, colour::GRID);
    canvas.fill(x, y, 1, h, colour::GRID);
    canvas.fill(x + w - 1, y, 1, h, colour::GRID);
}

/// The panel's title, fitted, and the y its content starts at.
fn title(canvas: &mut Canvas, p: &Panel, text: &str) -> f32 {
    let line = canvas.fit(text, PANEL_TITLE_SIZE, p.width as f32 - 2.0 * PAD);
    let (x, y) = (p.x as f32 + PAD, p.y as f32 + 10.0);
    canvas.text(x, y, &line, PANEL_TITLE_SIZE, colour::INK, Align::Left);
    p.y as f32 + TITLE_LINE + 8.0
}

/// A muted line of small text at the panel's bottom, `from_bottom` lines up.
fn footnote(canvas: &mut Canvas, p: &Panel, from_bottom: u32, text: &str) {
    let line = canvas.fit(text, NOTE_SIZE, p.width as f32 - 2.0 * PAD);
    let y = (p.y + p.height) as f32 - PAD - (from_bottom + 1) as f32 * (NOTE_SIZE + 6.0);
    canvas.text(
        p.x as f32 + PAD,
        y,
        &line,
        NOTE_SIZE,
        colour::MUTED,
        Align::Left,
    );
}

/// A muted sentence where a panel has nothing to draw.
fn nothing(canvas: &mut Canvas, p: &Panel, top: f32, text: &str) {
    let line = canvas.fit(text, LABEL_SIZE, p.width as f32 - 2.0 * PAD);
    canvas.text(
        p.x as f32 + PAD,
        top + 8.0,
        &line,
        LABEL_SIZE,
        colour::MUTED,
        Align::Left,
    );
}

fn swatch(canvas: &mut Canvas, x: f32, top: f32, size: f32, colour: Rgb) {
    let y = top + (size - SWATCH as f32) / 2.0 + 2.0;
    canvas.fill(x as i32, y as i32, SWATCH, SWATCH, colour);
}

/// "12" or, when the period has enough questions, "12 (40%)"; a share
/// that rounds to 0 but is not is "<1%".
fn count_and_share(n: u64, total: u64) -> String {
    if total < MIN_FOR_SHARES {
        return thousands(n);
    }
    let share = n as f64 * 100.0 / total as f64;
    if n > 0 && share < 0.5 {
        return format!("{} (<1%)", thousands(n));
    }
    format!("{} ({share:.0}%)", thousands(n))
}

/// "1 question", "2 questions".
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn header(canvas: &mut Canvas, p: &Panel, report: &Report) {
    let stats = &report.stats;
    let days = if stats.days == 1 {
        "the last day".to_owned()
    } else {
        format!("the last {} days", thousands(stats.days))
    };
    let (x, y) = (p.x as f32, p.y as f32);
    let total = counted(stats.total, "question", "questions");
    let total_width = canvas.text(
        (p.x + p.width) as f32,
        y,
        &total,
        TITLE_SIZE,
        colour::INK,
        Align::Right,
    );
    let room = p.width as f32 - total_width - 2.0 * PAD;
    let heading = canvas.fit(&format!("FAQ bot questions in {days}"), TITLE_SIZE, room);
    canvas.text(x, y, &heading, TITLE_SIZE, colour::INK, Align::Left);
    let legend = [
        ("Answered", stats.answered, colour::ANSWERED),
        ("No match", stats.no_match, colour::NO_MATCH),
        ("Urgent", stats.urgent, colour::URGENT),
    ];
    let top = y + TITLE_SIZE + 18.0;
    let mut at = x;
    for (name, n, c) in legend {
        swatch(canvas, at, top, LABEL_SIZE, c);
        at += SWATCH as f32 + 8.0;
        let text = format!("{name} {}", count_and_share(n, stats.total));
        at += canvas.text(at, top, &text, LABEL_SIZE, colour::INK, Align::Left) + 28.0;
    }
    let rule = (p.y + p.height) as i32 - 2;
    canvas.fill(p.x as i32, rule, p.width as i32, 1, colour::GRID);
}

/// The bucket size in days for a span of `days` calendar days, and its name.
fn bucket(days: i64) -> (i64, String) {
    for &(size, name) in BUCKETS {
        if (days + size - 1) / size <= MAX_BARS {
            return (size, name.to_owned());
        }
    }
    // Only for periods of decades: as many days a bar as fits.
    let size = (days + MAX_BARS - 1) / MAX_BARS;
    (size, format!("{} days", thousands(size as u64)))
}

fn per_day(canvas: &mut Canvas, p: &Panel, report: &Report) {
    let daily = &report.daily;
    // A long period starts at its first question: a bar per quarter over
    // ten years of which the log keeps one month shows nothing.
    let mut first = daily.first_day;
    let span = daily.last_day - first + 1;
    if span > MAX_BARS {
        if let Some(d) = daily.days.first() {
            first = first.max(d.day);
        }
    }
    let span = (daily.last_day - first + 1).max(1);
    let (size, unit) = bucket(span);
    let top = title(canvas, p, &format!("Questions per {unit}"));
    if daily.days.is_empty() {
        nothing(canvas, p, top, "No questions in this period.");
        return;
    }
    let n = ((span + size - 1) / size).max(1) as usize;
    let mut bars = vec![DayCount::default(); n];
    for d in &daily.days {
        let i = ((d.day - first).max(0) / size) as usize;
        if let Some(b) = bars.get_mut(i.min(n - 1)) {
            b.answered += d.answered;
            b.no_match += d.no_match;
            b.urgent += d.urgent;
        }
    }
    let max = bars
        .iter()
        .map(DayCount::total)
        .max()
        .unwrap_or(0)
        .max(SCALE_FLOOR / 2);
    let step = axis_step(max, Y_TICKS);
    let axis_top = max.div_ceil(step) * step;
    let label_width = canvas.width_of(&thousands(axis_top), NOTE_SIZE) + 10.0;
    let left = p.x as f32 + PAD + label_width;
    let right = (p.x + p.width) as f32 - PAD;
    let bottom = (p.y + p.height) as f32 - PAD - NOTE_SIZE - 10.0;
    let height = bottom - top - NOTE_SIZE / 2.0;
    let y_of = |v: u64| bottom - (v as f32 / axis_top as f32) * height;
    let mut tick = 0;
    while tick <= axis_top {
        let y = y_of(tick);
        canvas.fill(
            left as i32,
            y.round() as i32,
            (right - left) as i32,
            1,
            colour::GRID,
        );
        let label = thousands(tick);
        canvas.text(
            left - 8.0,
            y - NOTE_SIZE * 0.6,
            &label,
            NOTE_SIZE,
            colour::MUTED,
            Align::Right,
        );
        tick += step;
    }
    let slot = (right - left) / n as f32;
    let bar = if slot >= 4.0 { slot * BAR_FILL } else { slot };
    for (i, b) in bars.iter().enumerate() {
        let x = left + i as f32 * slot + (slot - bar) / 2.0;
        let (x0, x1) = (
            x.round() as i32,
            (x + bar).round().max(x.round() + 1.0) as i32,
        );
        let mut below = 0;
        for (n, c) in [
            (b.answered, colour::ANSWERED),
            (b.no_match, colour::NO_MATCH),
            (b.urgent, colour::URGENT),
        ] {
            if n == 0 {
                continue;
            }
            let y0 = y_of(below).round() as i32;
            // At least one pixel: a single urgent question stays visible.
            let y1 = (y_of(below + n).round() as i32).min(y0 - 1);
            canvas.fill(x0, y1, x1 - x0, y0 - y1, c);
            below += n;
        }
    }
    let every = n.div_ceil(MAX_DATE_LABELS as usize).max(1);
    let with_year = span > 365;
    for i in (0..n).step_by(every) {
        let day = first + i as i64 * size;
        let centre = left + (i as f32 + 0.5) * slot;
        let label = date_label(day, with_year);
        let w = canvas.width_of(&label, NOTE_SIZE);
        let x = centre.clamp(left + w / 2.0, right - w / 2.0);
        canvas.text(
            x,
            bottom + 6.0,
            &label,
            NOTE_SIZE,
            colour::MUTED,
            Align::Center,
        );
    }
}

/// Where a list panel's rows go: `rows` rows of equal height below `top`,
/// leaving `notes` footnote lines free at the bottom.
fn rows(p: &Panel, top: f32, rows: usize, notes: u32) -> f32 {
    let bottom = (p.y + p.height) as f32 - PAD - notes as f32 * (NOTE_SIZE + 6.0);
    ((bottom - top) / rows.max(1) as f32).min(MAX_ROW)
}

/// One row of a list panel: a label, a bar made of `parts` (count and
/// colour) scaled so that `max` fills the bar area, and a note after it.
struct BarRow<'a> {
    label: &'a str,
    parts: &'a [(u64, Rgb)],
    max: u64,
    note: &'a str,
}

/// Draws `r` in the row of height `row` at `y`.
fn bar_row(canvas: &mut Canvas, p: &Panel, y: f32, row: f32, r: BarRow<'_>) {
    let BarRow {
        label,
        parts,
        max,
        note,
    } = r;
    let label_width = p.width as f32 * LABEL_SHARE;
    let x = p.x as f32 + PAD;
    let text_top = y + (row - LABEL_SIZE * 1.2) / 2.0;
    let line = canvas.fit(label, LABEL_SIZE, label_width - 10.0);
    canvas.text(x, text_top, &line, LABEL_SIZE, colour::INK, Align::Left);
    let note_width = canvas.width_of(note, LABEL_SIZE);
    let bar_left = x + label_width;
    let bar_room = ((p.x + p.width) as f32 - PAD - bar_left - note_width - 10.0).max(1.0);
    let bar_height = (row * 0.62).round() as i32;
    let bar_top = (y + (row - bar_height as f32) / 2.0).round() as i32;
    let mut at = bar_left;
    for &(n, c) in parts {
        let w = n as f32 / max.max(SCALE_FLOOR) as f32 * bar_room;
        let (x0, x1) = (at.round() as i32, (at + w).round() as i32);
        // A nonzero part gets at least one pixel.
        let x1 = if n > 0 { x1.max(x0 + 1) } else { x1 };
        canvas.fill(x0, bar_top, x1 - x0, bar_height, c);
        at = x1 as f32;
    }
    canvas.text(
        at + 8.0,
        text_top,
        note,
        LABEL_SIZE,
        colour::INK,
        Align::Left,
    );
}

fn most_asked(canvas: &mut Canvas, p: &Panel, report: &Report) {
    let top = title(canvas, p, "Most asked entries (answered)");
    let entries = &report.stats.top;
    if entries.is_empty() {
        nothing(canvas, p, top, "No question was answered in this period.");
        return;
    }
    let row = rows(p, top, LIST_ROWS, 0);
    let max = entries.iter().map(|e| e.1).max().unwrap_or(1);
    for (i, (entry, n)) in entries.iter().take(LIST_ROWS).enumerate() {
        let y = top + i as f32 * row;
        let note = thousands(*n);
        let parts = [(*n, colour::ANSWERED)];
        bar_row(
            canvas,
            p,
            y,
            row,
            BarRow {
                label: entry,
                parts: &parts,
                max,
                note: &note,
            },
        );
    }
}

fn unanswered(canvas: &mut Canvas, p: &Panel, report: &Report) {
    let top = title(canvas, p, "Not answered, most asked");
    let no_match = report.stats.no_match;
    let groups = &report.unanswered;
    if no_match == 0 {
        nothing(
            canvas,
            p,
            top,
            "The bot answered every question in this period.",
        );
        return;
    }
    if groups.is_empty() {
        nothing(
            canvas,
            p,
            top,
            &format!("{} not answered; no words kept", thousands(no_match)),
        );
        footnote(
            canvas,
            p,
            1,
            "Question text is kept only with FAQBOT_STORE_TEXT on,",
        );
        footnote(canvas, p, 0, "and never for questions asked privately.");
        return;
    }
    let row = rows(p, top, UNANSWERED_ROWS, 2);
    let count_width = canvas.width_of(&thousands(groups[0].count), LABEL_SIZE) + 14.0;
    let x = p.x as f32 + PAD;
    let text_room = p.width as f32 - 2.0 * PAD - count_width;
    for (i, g) in groups.iter().take(UNANSWERED_ROWS).enumerate() {
        let y = top + i as f32 * row + (row - LABEL_SIZE * 1.2) / 2.0;
        canvas.text(
            x + count_width - 14.0,
            y,
            &thousands(g.count),
            LABEL_SIZE,
            colour::INK,
            Align::Right,
        );
        let sample = canvas.fit(&g.text, LABEL_SIZE, text_room);
        canvas.text(
            x + count_width,
            y,
            &sample,
            LABEL_SIZE,
            colour::INK,
            Align::Left,
        );
    }
    let shown: u64 = groups.iter().map(|g| g.count).sum();
    if groups.len() > UNANSWERED_ROWS {
        let more = groups.len() - UNANSWERED_ROWS;
        let note = format!(
            "and {} more",
            counted(more as u64, "kind of question", "kinds of question")
        );
        footnote(canvas, p, 1, &note);
    }
    if shown < no_match {
        let note = format!(
            "Words kept for {} of {} unanswered questions",
            thousands(shown),
            thousands(no_match)
        );
        footnote(canvas, p, 0, &note);
    }
}

fn feedback(canvas: &mut Canvas, p: &Panel, report: &Report) {
    let top = title(canvas, p, "Was the answer helpful?");
    // The legend, right-aligned on the title line.
    let mut at = (p.x + p.width) as f32 - PAD;
    for (name, c) in [
        ("Not helpful", colour::NOT_HELPFUL),
        ("Helpful", colour::HELPFUL),
    ] {
        let w = canvas.text(
            at,
            p.y as f32 + 14.0,
            name,
            NOTE_SIZE,
            colour::MUTED,
            Align::Right,
        );
        at -= w + 6.0 + SWATCH as f32;
        swatch(canvas, at, p.y as f32 + 14.0, NOTE_SIZE, c);
        at -= 16.0;
    }
    let votes = |f: &Feedback| f.helpful + f.not_helpful;
    let mut shown: Vec<&Feedback> = report
        .stats
        .feedback
        .iter()
        .filter(|f| votes(f) >= MIN_VOTES)
        .collect();
    shown.sort_by(|a, b| votes(b).cmp(&votes(a)).then_with(|| a.entry.cmp(&b.entry)));
    let hidden: Vec<&Feedback> = report
        .stats
        .feedback
        .iter()
        .filter(|f| votes(f) < MIN_VOTES)
        .collect();
    let hidden_votes: u64 = hidden.iter().map(|f| votes(f)).sum();
    if !hidden.is_empty() {
        let note = format!(
            "Not shown: {} with fewer than {MIN_VOTES} votes ({})",
            counted(hidden.len() as u64, "entry", "entries"),
            counted(hidden_votes, "vote", "votes")
        );
        footnote(canvas, p, 0, &note);
    }
    if shown.is_empty() {
        let text = if report.stats.feedback.is_empty() {
            "No Helpful / Not helpful votes in this period.".to_owned()
        } else {
            format!("No entry has {MIN_VOTES} votes yet.")
        };
        nothing(canvas, p, top, &text);
        return;
    }
    let row = rows(p, top, FEEDBACK_ROWS, 1);
    let max = shown.iter().map(|f| votes(f)).max().unwrap_or(1);
    for (i, f) in shown.iter().take(FEEDBACK_ROWS).enumerate() {
        let y = top + i as f32 * row;
        let parts = [
            (f.helpful, colour::HELPFUL),
            (f.not_helpful, colour::NOT_HELPFUL),
        ];
        let note = format!("{} / {}", thousands(f.helpful), thousands(f.not_helpful));
        bar_row(
            canvas,
            p,
            y,
            row,
            BarRow {
                label: &f.entry,
                parts: &parts,
                max,
                note: &note,
            },
        );
    }
}

fn no_questions(canvas: &mut Canvas, p: &Panel, report: &Report) {
    let centre = (p.x + p.width / 2) as f32;
    let middle = (p.y + p.height / 2) as f32;
    canvas.text(
        centre,
        middle - 60.0,
        "No questions yet",
        2.0 * TITLE_SIZE,
        colour::INK,
        Align::Center,
    );
    let days = report.stats.days;
    let period = if days == 1 {
        "day".to_owned()
    } else {
        format!("{} days", thousands(days))
    };
    let line = format!("Nobody asked the bot anything in the last {period}.");
    canvas.text(
        centre,
        middle + 20.0,
        &line,
        PANEL_TITLE_SIZE,
        colour::MUTED,
        Align::Center,
    );
    let hint = "The charts fill in as members ask.";
    canvas.text(
        centre,
        middle + 56.0,
        hint,
        PANEL_TITLE_SIZE,
        colour::MUTED,
        Align::Center,
    );
}
