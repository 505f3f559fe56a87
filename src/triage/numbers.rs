//! Numbers in a message that triage reads: a temperature that is a fever,
//! and a day count that makes a symptom late. Kept apart from the word
//! matching because they are read from the raw text, units and all.

use std::sync::LazyLock;

use regex::Regex;

/// A number that may be a temperature, with its unit if written.
static TEMPERATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{2,3}(?:[.,]\d{1,2})?)\s*(?:°|º|degrees?|deg)?\s*(c|f|celsius|centigrade|fahrenheit)?\b")
        .expect("temperature pattern is valid")
});
/// Words that say a bare number is a temperature.
static TEMPERATURE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)temp|fever|thermometer|degree|°|º").expect("temperature word pattern is valid")
});

/// Words that put a temperature outside the body (the weather, washing
/// water, a room): such a number is never a fever.
static NOT_BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:outside|weather|forecast|heatwave|room|water|bath|shower|oven|sauna|pool)\b",
    )
    .expect("not-body pattern is valid")
});

/// Written-out numbers members use for day counts.
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
];

/// Plausible body temperatures written as a bare number beside a
/// temperature word: Celsius, then Fahrenheit. Anything else ("38 years",
/// "room 101") is not a temperature.
const BARE_CELSIUS: std::ops::RangeInclusive<f64> = 35.0..=43.0;
const BARE_FAHRENHEIT: std::ops::RangeInclusive<f64> = 95.0..=110.0;
/// Above this a "temperature" is a typo or a joke, not a reading.
const HIGHEST_READING_CELSIUS: f64 = 45.0;

/// Fever temperatures (at or above `fever_celsius`) in the sentences given,
/// by sentence: (sentence, as typed).
pub(super) fn fevers<'a>(
    sentences: impl Iterator<Item = &'a str>,
    fever_celsius: f64,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (s, sentence) in sentences.enumerate() {
        if NOT_BODY.is_match(sentence) {
            continue;
        }
        let worded = TEMPERATURE_WORD.is_match(sentence);
        for m in TEMPERATURE.captures_iter(sentence) {
            let Ok(value) = m[1].replace(',', ".").parse::<f64>() else {
                continue;
            };
            let unit = m.get(2).map(|u| u.as_str().to_ascii_lowercase());
            let celsius = match unit.as_deref().map(|u| &u[..1]) {
                Some("c") => value,
                Some("f") => fahrenheit_to_celsius(value),
                // A bare number is a temperature only beside a
                // temperature word, and only in a plausible body range.
                _ if worded && BARE_CELSIUS.contains(&value) => value,
                _ if worded && BARE_FAHRENHEIT.contains(&value) => fahrenheit_to_celsius(value),
                _ => continue,
            };
            if (fever_celsius..=HIGHEST_READING_CELSIUS).contains(&celsius) {
                out.push((s, m[0].trim().to_owned()));
            }
        }
    }
    out
}

fn fahrenheit_to_celsius(f: f64) -> f64 {
    (f - 32.0) * 5.0 / 9.0
}

/// "day 5", "5 days", "fifth day", "a week": a day count at or past
/// `late_after_days`; its position and words.
pub(super) fn late(words: &[String], late_after_days: u32) -> Option<(usize, String)> {
    for (i, w) in words.iter().enumerate() {
        if matches!(w.as_str(), "week" | "weeks" | "fortnight") {
            return Some((i, w.clone()));
        }
        if w == "day" || w == "days" {
            for j in [i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
                let n = words.get(j).and_then(|x| {
                    x.parse::<u32>()
                        .ok()
                        .or_else(|| NUMBER_WORDS.iter().find(|(n, _)| n == x).map(|(_, v)| *v))
                });
                if n.is_some_and(|n| n >= late_after_days) {
                    let (a, b) = if j < i { (j, i) } else { (i, j) };
                    return Some((a, words[a..=b].join(" ")));
                }
            }
        }
    }
    None
}
