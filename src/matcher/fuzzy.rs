//! Typo tolerance: finds the FAQ word closest to a word the FAQ does not
//! know. A symmetric-delete index (the SymSpell idea) finds candidates in
//! time independent of vocabulary size; strsim's Damerau-Levenshtein then
//! confirms the distance.

use std::collections::HashMap;

/// Shorter words are not corrected: at five letters and below one edit
/// turns many words into other real words ("stye" → "style", "match" →
/// "catch").
pub const MIN_FUZZY_LEN: usize = 6;
/// Longer "words" are not corrected: no word we know is this long, and
/// generating the deletions of a 4,000-letter token would be quadratic.
pub const MAX_FUZZY_LEN: usize = 30;
/// Words this long may be two edits off ("microneedeling", "hyperpigmantation");
/// shorter ones one edit.
pub const LONG_WORD_LEN: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct Fuzzy {
    words: Vec<String>,
    /// A word, or the word with one character deleted → indices into `words`.
    deletes: HashMap<String, Vec<u32>>,
}

fn one_deletes(word: &str) -> impl Iterator<Item = String> + '_ {
    word.char_indices().map(move |(i, c)| {
        let mut s = String::with_capacity(word.len());
        s.push_str(&word[..i]);
        s.push_str(&word[i + c.len_utf8()..]);
        s
    })
}

fn max_distance(len: usize) -> usize {
    if len >= LONG_WORD_LEN {
        2
    } else {
        1
    }
}

impl Fuzzy {
    /// Indexes the given vocabulary (words shorter than [`MIN_FUZZY_LEN`] are skipped).
    pub fn new<'a>(vocabulary: impl IntoIterator<Item = &'a str>) -> Fuzzy {
        let mut fuzzy = Fuzzy::default();
        for word in vocabulary {
            if word.chars().count() < MIN_FUZZY_LEN {
                continue;
            }
            let id = fuzzy.words.len() as u32;
            fuzzy.words.push(word.to_owned());
            fuzzy.deletes.entry(word.to_owned()).or_default().push(id);
            for d in one_deletes(word) {
                let ids = fuzzy.deletes.entry(d).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
        }
        fuzzy
    }

    /// The closest known word within the allowed distance, and that distance.
    /// Ties go to the word with the higher Jaro-Winkler similarity, then the
    /// alphabetically first, so results are deterministic.
    pub fn closest(&self, word: &str) -> Option<(&str, usize)> {
        let len = word.chars().count();
        if !(MIN_FUZZY_LEN..=MAX_FUZZY_LEN).contains(&len) {
            return None;
        }
        let limit = max_distance(len);
        let mut probes = vec![word.to_owned()];
        probes.extend(one_deletes(word));
        if limit >= 2 {
            let firsts: Vec<String> = one_deletes(word).collect();
            for d in &firsts {
                probes.extend(one_deletes(d));
            }
        }
        let mut best: Option<(usize, f64, &str)> = None;
        for probe in &probes {
            let Some(ids) = self.deletes.get(probe) else {
                continue;
            };
            for &id in ids {
                let candidate = self.words[id as usize].as_str();
                let d = strsim::damerau_levenshtein(word, candidate);
                if d == 0 || d > limit.min(max_distance(candidate.chars().count())) {
                    continue;
                }
                let jw = strsim::jaro_winkler(word, candidate);
                let better = match best {
                    None => true,
                    Some((bd, bjw, bw)) => (d, -jw, candidate) < (bd, -bjw, bw),
                };
                if better {
                    best = Some((d, jw, candidate));
                }
            }
        }
        best.map(|(d, _, w)| (w, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typos within the allowed distance are corrected; short words, exact
    /// words and distant words are not.
    #[test]
    fn corrections_table() {
        let f = Fuzzy::new([
            "microneedling",
            "sessions",
            "numbing",
            "sunscreen",
            "style",
            "isotretinoin",
        ]);
        let rows: &[(&str, Option<&str>)] = &[
            ("microneedeling", Some("microneedling")),
            ("micrpark", None),
            ("sesions", Some("sessions")),
            ("sessoins", Some("sessions")),
            ("numbign", Some("numbing")),
            ("sunscren", Some("sunscreen")),
            ("isotretinon", Some("isotretinoin")),
            ("stye", None),
            ("sessions", None),
            ("", None),
            ("🙂🙂🙂🙂🙂", None),
        ];
        for (word, want) in rows {
            assert_eq!(f.closest(word).map(|(w, _)| w), *want, "word: {word}");
        }
    }
}
