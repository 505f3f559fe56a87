//! Making text and numbers fit a chart: questions cleaned and cut to a
//! width, right-to-left runs put in display order, counts with thousands
//! separators, UTC days as short dates, and round axis steps.
//!
//! Nothing here draws; widths come from a measuring function, so the rules
//! are tested without a font.

use std::borrow::Cow;

use unicode_general_category::{get_general_category, GeneralCategory};

/// Marks where text was cut to fit.
pub const ELLIPSIS: char = '…';
/// Stands for a character the embedded font has no glyph for (CJK, emoji):
/// a box shows something was there instead of dropping it silently.
pub const MISSING: char = '□';

/// Text as one drawable line: whitespace and line breaks become single
/// spaces, and control and format characters (bidi overrides, zero-width
/// joiners, variation selectors) are dropped, since they would draw as
/// boxes or reorder the chart's own text. `has_glyph` says which
/// characters the font can draw; the others become [`MISSING`].
pub fn clean(text: &str, has_glyph: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        let invisible = matches!(
            get_general_category(c),
            GeneralCategory::Control | GeneralCategory::Format
        ) || matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}');
        if invisible {
            continue;
        }
        out.push(if has_glyph(c) { c } else { MISSING });
    }
    out.truncate(out.trim_end().len());
    out
}

/// The longest start of `text` (whole characters, in reading order) that
/// fits `max_width` with an ellipsis after it, or `text` itself if it fits.
/// `advance` is a character's width. Never panics and never returns more
/// than fits, so a 300-character question in any script stays in its row.
pub fn cut_to_width(text: &str, max_width: f32, advance: impl Fn(char) -> f32) -> String {
    let total: f32 = text.chars().map(&advance).sum();
    if total <= max_width {
        return text.to_owned();
    }
    let room = max_width - advance(ELLIPSIS);
    let mut used = 0.0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let w = advance(c);
        if used + w > room {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    if room < 0.0 {
        return String::new();
    }
    let mut out = text[..end].trim_end().to_owned();
    out.push(ELLIPSIS);
    out
}

/// The line in the order its characters are drawn left to right: a Hebrew
/// or Arabic run (or a whole right-to-left question) is reversed as the
/// Unicode bidi algorithm says, numbers and Latin inside it kept as read.
/// Arabic letters stay in their isolated forms (no shaping), which is
/// legible if not pretty.
pub fn display_order(line: &str) -> Cow<'_, str> {
    let info = unicode_bidi::BidiInfo::new(line, None);
    if !info.has_rtl() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    for para in &info.paragraphs {
        out.push_str(&info.reorder_line(para, para.range.clone()));
    }
    Cow::Owned(out)
}

/// `n` with a comma every three digits: "12,345".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The calendar date of a day number (days since 1970-01-01):
/// (year, month 1-12, day 1-31). Howard Hinnant's `civil_from_days`.
pub fn civil(day: i64) -> (i64, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// "Nov 3", or "Nov 3 2026" when `with_year` (long periods cross years).
pub fn date_label(day: i64, with_year: bool) -> String {
    let (y, m, d) = civil(day);
    let month = MONTHS[(m as usize).saturating_sub(1).min(11)];
    if with_year {
        format!("{month} {d} {y}")
    } else {
        format!("{month} {d}")
    }
}

/// A round step (1, 2 or 5 times a power of ten, at least 1) that divides
/// `0..=max` into at most `ticks` intervals.
pub fn axis_step(max: u64, ticks: u64) -> u64 {
    let raw = max.div_ceil(ticks.max(1)).max(1);
    let mut magnitude = 1u64;
    while magnitude.saturating_mul(10) <= raw {
        magnitude *= 10;
    }
    [1, 2, 5, 10]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_glyphs(_: char) -> bool {
        true
    }

    /// Cleaning: whitespace runs become one space, invisible characters go,
    /// characters the font lacks become a box.
    #[test]
    fn cleans_lines() {
        let latin_only = |c: char| c.is_ascii();
        let cases: &[(&str, &str)] = &[
            ("  two\n\tlines  ", "two lines"),
            ("zero\u{200B}width", "zerowidth"),
            ("bidi \u{202E}override", "bidi override"),
            ("bell\u{7}", "bell"),
            ("日本", "□□"),
            ("ok 👍\u{FE0F}", "ok □"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(clean(input, latin_only), *expected, "{input:?}");
        }
        assert_eq!(clean("café", all_glyphs), "café");
    }

    /// Cutting keeps whole characters and never exceeds the width, for
    /// every script and for widths too small for anything.
    #[test]
    fn cuts_to_width() {
        let one = |_: char| 1.0;
        let cases: &[(&str, f32, &str)] = &[
            ("short", 10.0, "short"),
            ("exactly10!", 10.0, "exactly10!"),
            ("a longer question", 8.0, "a longe…"),
            ("word   spaces", 7.0, "word…"),
            ("שלום עולם מה שלומך", 6.0, "שלום…"),
            ("日本語の質問です", 4.0, "日本語…"),
            ("anything", 0.5, ""),
            ("", 3.0, ""),
        ];
        for (input, width, expected) in cases {
            let out = cut_to_width(input, *width, one);
            assert_eq!(out, *expected, "{input:?} in {width}");
            assert!(out.chars().count() as f32 <= width.max(0.0), "{out:?}");
        }
    }

    /// Right-to-left text is reversed for drawing; left-to-right is not.
    #[test]
    fn orders_right_to_left() {
        assert_eq!(display_order("plain text"), "plain text");
        assert_eq!(display_order("שלום"), "םולש");
        let mixed = display_order("price שלום");
        assert!(mixed.starts_with("price "), "{mixed}");
    }

    /// Thousands separators.
    #[test]
    fn formats_counts() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (123_456, "123,456"),
            (1_000_000, "1,000,000"),
        ];
        for (n, s) in cases {
            assert_eq!(thousands(n), s);
        }
    }

    /// Day numbers become the right calendar dates, across month, year and
    /// leap-day boundaries.
    #[test]
    fn labels_dates() {
        let cases = [
            (0, (1970, 1, 1)),
            (-1, (1969, 12, 31)),
            (11_016, (2000, 2, 29)),
            (20_819, (2027, 1, 1)),
            (20_818, (2026, 12, 31)),
        ];
        for (day, ymd) in cases {
            assert_eq!(civil(day), ymd, "day {day}");
        }
        assert_eq!(date_label(20_818, false), "Dec 31");
        assert_eq!(date_label(20_819, true), "Jan 1 2027");
    }

    /// Axis steps are round and give at most the asked number of intervals.
    #[test]
    fn round_axis_steps() {
        let cases = [
            (0, 4, 1),
            (1, 4, 1),
            (3, 4, 1),
            (7, 4, 2),
            (10, 4, 5),
            (99, 4, 50),
            (1234, 4, 500),
            (100_000, 5, 20_000),
        ];
        for (max, ticks, step) in cases {
            assert_eq!(axis_step(max, ticks), step, "max {max}");
            assert!(max.div_ceil(step) <= ticks);
        }
    }
}
