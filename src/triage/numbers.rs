//! Numbers in a message that triage reads: a temperature that is a fever,
//! a pain score that is severe, and a day count that makes a symptom late. Kept apart from the word
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

/// A temperature written in words: "thirty nine", "thirty-eight point
/// five", "a hundred and one", "one hundred point four". A tens word or
/// "hundred" is required, so a lone "two" (a day count) is left alone.
static SPOKEN_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    const UNIT: &str = "one|two|three|four|five|six|seven|eight|nine";
    const TEEN: &str =
        "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen";
    const TENS: &str = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety";
    const DIGIT: &str = "zero|oh|one|two|three|four|five|six|seven|eight|nine";
    // "hundred" with an optional rest, or a tens word with an optional
    // unit: never empty, so most sentences are passed over at once.
    Regex::new(&format!(
        r"(?i)\b(?:(?P<hundred>(?:(?:a|one)\s+)?hundred)(?:(?:\s+and)?\s+(?:(?P<tens>{TENS})(?:[\s-]+(?P<unit>{UNIT}))?|(?P<teen>{TEEN})|(?P<single>{UNIT})))?|(?P<tens_only>{TENS})(?:[\s-]+(?P<unit_only>{UNIT}))?)(?:\s+point\s+(?P<d1>{DIGIT})(?:\s+(?P<d2>{DIGIT}))?)?\b"
    ))
    .expect("spoken number pattern is valid")
});

/// Rewrites temperatures written in words as digits ("thirty nine point
/// five" → "39.5"), so they are read as a typed one is.
fn spoken_numbers(sentence: &str) -> std::borrow::Cow<'_, str> {
    let value = |word: &str| -> u32 {
        const WORDS: &[&str] = &[
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ];
        const TENS: &[&str] = &[
            "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
        ];
        let w = word.to_ascii_lowercase();
        if w == "oh" {
            return 0;
        }
        WORDS
            .iter()
            .position(|x| *x == w)
            .map(|i| i as u32)
            .or_else(|| {
                TENS.iter()
                    .position(|x| *x == w)
                    .map(|i| 20 + 10 * i as u32)
            })
            .unwrap_or(0)
    };
    SPOKEN_NUMBER.replace_all(sentence, |c: &regex::Captures<'_>| {
        let mut n = if c.name("hundred").is_some() { 100 } else { 0 };
        for g in ["tens", "unit", "teen", "single", "tens_only", "unit_only"] {
            n += c.name(g).map_or(0, |m| value(m.as_str()));
        }
        let mut out = n.to_string();
        if let Some(d1) = c.name("d1") {
            out.push('.');
            out.push_str(&value(d1.as_str()).to_string());
            if let Some(d2) = c.name("d2") {
                out.push_str(&value(d2.as_str()).to_string());
            }
        }
        out
    })
}

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
    ("eleven", 11),
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
        let sentence = spoken_numbers(sentence);
        for m in TEMPERATURE.captures_iter(&sentence) {
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

/// On the 0–10 numeric rating scale clinicians ask patients to use, 7 and
/// above is severe pain (the scale's usual bands: 1–3 mild, 4–6 moderate,
/// 7–10 severe).
pub const SEVERE_PAIN_SCORE: u32 = 7;

/// How a score is joined to its scale once punctuation is gone: "8/10"
/// (the slash is dropped), "8 out of 10", "8 outta 10", "8 from 10", "8 of 10".
const SCALE_JOINS: &[&[&str]] = &[&[], &["out", "of"], &["outta"], &["from"], &["of"]];

/// Words before a number that make "9/10" a date, not a score ("since 9/10").
const DATE_OPENERS: &[&str] = &["on", "since", "until", "till", "by", "the"];

fn number(word: &str) -> Option<u32> {
    word.parse::<u32>().ok().or_else(|| {
        NUMBER_WORDS
            .iter()
            .find(|(n, _)| *n == word)
            .map(|(_, v)| *v)
    })
}

/// "8/10", "nine out of ten", "a 10 from 10": a pain score at or above
/// [`SEVERE_PAIN_SCORE`] on a scale of ten; its position and words. A
/// score past the top ("11/10") is the writer's emphasis of the top. A
/// date ("since 9/10", "9/10/25") is not a score.
pub(super) fn severe_score(words: &[String]) -> Option<(usize, String)> {
    score(words, |s| s >= SEVERE_PAIN_SCORE)
}

/// A pain score in the scale's mild band ("2/10", "a 1 out of 10"): the
/// writer's own measure that it is mild.
pub(super) fn mild_score(words: &[String]) -> Option<(usize, String)> {
    score(words, |s| (1..=MILD_PAIN_SCORE).contains(&s))
}

/// The top of the numeric rating scale's mild band (1–3).
pub const MILD_PAIN_SCORE: u32 = 3;

/// The first score out of ten that `band` accepts; its position and words.
fn score(words: &[String], band: impl Fn(u32) -> bool) -> Option<(usize, String)> {
    for (i, w) in words.iter().enumerate() {
        let Some(score) = number(w) else { continue };
        if !band(score)
            || i.checked_sub(1)
                .is_some_and(|p| DATE_OPENERS.contains(&words[p].as_str()))
        {
            continue;
        }
        for join in SCALE_JOINS {
            let scale = i + 1 + join.len();
            let joined = words
                .get(i + 1..scale)
                .is_some_and(|j| j.iter().zip(join.iter()).all(|(a, b)| a == b));
            let of_ten = words.get(scale).is_some_and(|x| number(x) == Some(10));
            // A third number in figures makes it a date ("9/10/25"); a
            // word does not ("9 out of 10 two days after").
            let more = words
                .get(scale + 1)
                .is_some_and(|x| x.parse::<u32>().is_ok());
            if joined && of_ten && !more {
                return Some((i, words[i..=scale].join(" ")));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        crate::text::words(s)
    }

    /// Each row: a clause, and the score read from it (if severe).
    #[test]
    fn severe_scores() {
        let table: &[(&str, Option<&str>)] = &[
            ("pain is 8/10", Some("8 10")),
            ("like a 9 out of 10 two days after", Some("9 out of 10")),
            ("ten out of ten", Some("ten out of ten")),
            ("8 from 10, I cannot chew", Some("8 from 10")),
            ("11/10 pain", Some("11 10")),
            ("maybe 6/10", None),
            ("sore since 9/10", None),
            ("on 9/10/25", None),
            ("9 of the 10 spots", None),
        ];
        for (clause, want) in table {
            let got = severe_score(&words(clause)).map(|(_, s)| s);
            assert_eq!(got.as_deref(), *want, "{clause}");
        }
    }

    /// Each row: a sentence, and the fever read from it, if any: numbers in
    /// words count as digits do, under the same rules.
    #[test]
    fn fevers_in_words() {
        let table: &[(&str, Option<&str>)] = &[
            ("temperature is thirty nine and i am shivering", Some("39")),
            ("temp thirty-eight point five", Some("38.5")),
            ("my temp was a hundred and one F", Some("101 F")),
            ("fever of one hundred and two point four", Some("102.4")),
            ("fever of a hundred point four", Some("100.4")),
            ("temp thirty seven point two, fine", None),
            ("thirty nine degrees outside today", None),
            ("i am thirty nine years old", None),
            ("day two, a bit warm", None),
        ];
        for (sentence, want) in table {
            let got = fevers(std::iter::once(*sentence), 38.0);
            assert_eq!(got.first().map(|(_, s)| s.as_str()), *want, "{sentence}");
        }
    }

    /// Each row: a clause, and whether it holds a mild score (1–3 of 10).
    #[test]
    fn mild_scores() {
        for (clause, mild) in [
            ("pain maybe a 2/10", true),
            ("one out of ten", true),
            ("a 5/10 now", false),
            ("9 out of 10", false),
            ("since 2/10", false),
        ] {
            assert_eq!(mild_score(&words(clause)).is_some(), mild, "{clause}");
        }
    }
}
