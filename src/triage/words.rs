//! Words and phrases inside a clause: how a lexicon phrase becomes stems,
//! how a comparative finds its adjective, and how a phrase is found in a
//! clause's words with a little slack.

use super::{Clause, Term, EXACT, FEVER_TERM, LATE_TERM, MAX_PHRASE_GAP, SCORE_TERM};
use crate::text;

/// The stems of a phrase, as triage compares them; a word written with
/// [`EXACT`] before it stays whole, marked.
pub(super) fn phrase(p: &str) -> Vec<String> {
    p.split_whitespace()
        .flat_map(|token| {
            let exact = token.starts_with(EXACT);
            text::words(token.trim_start_matches(EXACT))
                .into_iter()
                .map(move |w| {
                    if exact {
                        format!("{EXACT}{w}")
                    } else {
                        text::stem(&w)
                    }
                })
        })
        .collect()
}

pub(super) fn term(p: &str) -> Term {
    match p.trim() {
        FEVER_TERM => Term::Fever,
        LATE_TERM => Term::Late,
        SCORE_TERM => Term::Score,
        p => Term::Words(phrase(p)),
    }
}

/// The base forms an English comparative or superlative can come from:
/// "hotter" → "hot" (doubled consonant), "puffier" → "puffy", "sorer" →
/// "sore", "redder" → "red" ("worse" is irregular and listed as a word).
/// Candidates only: the caller keeps the one the lexicon knows.
pub(super) fn comparative_bases(word: &str) -> impl Iterator<Item = String> + '_ {
    /// Shorter bases are too often not adjectives at all ("her" → "h").
    const MIN_BASE: usize = 3;
    ["est", "er"]
        .into_iter()
        .filter_map(|suffix| word.strip_suffix(suffix))
        .flat_map(|stem| {
            let mut out = Vec::with_capacity(4);
            if let Some(s) = stem.strip_suffix('i') {
                out.push(format!("{s}y"));
            }
            let mut tail = stem.chars().rev();
            if let (Some(last), Some(before)) = (tail.next(), tail.next()) {
                if last == before {
                    out.push(stem[..stem.len() - last.len_utf8()].to_owned());
                }
            }
            // "sorer", "larger": the base's final e is the suffix's e.
            out.push(format!("{stem}e"));
            out.push(stem.to_owned());
            out
        })
        .filter(|b| b.chars().count() >= MIN_BASE)
}

/// Finds a term in a clause at or after `from`: its words in order, each
/// within [`MAX_PHRASE_GAP`] words of the previous one, on stems, but a
/// term word marked [`EXACT`] is compared with the word as typed. A gap
/// does not cross a word of `stops`: a coordinating conjunction starts
/// another phrase ("no fever and feel fine" is not "no feeling"), and a
/// negation inside a term denies it ("lips not swollen"). Returns the
/// first and last positions.
pub(super) fn find_in(
    stems: &[String],
    typed: &[String],
    seq: &[String],
    from: usize,
    stops: &[String],
) -> Option<(usize, usize)> {
    let same = |k: usize, w: &String| match w.strip_prefix(EXACT) {
        Some(exact) => typed.get(k).is_some_and(|t| t == exact),
        None => &stems[k] == w,
    };
    let words = stems;
    let (head, rest) = seq.split_first()?;
    'start: for start in from..words.len() {
        if !same(start, head) {
            continue;
        }
        let mut at = start;
        for w in rest {
            let limit = (at + 2 + MAX_PHRASE_GAP).min(words.len());
            let next = (at + 1..limit)
                .take_while(|&k| k == at + 1 || !stops.contains(&typed[k - 1]))
                .find(|&k| same(k, w));
            match next {
                Some(k) => at = k,
                None => continue 'start,
            }
        }
        return Some((start, at));
    }
    None
}

/// Words that join two phrases, which a term's gap does not cross.
pub(super) const COORDINATORS: &[&str] = &["and", "or", "nor"];

impl Clause {
    /// Whether the cue `seq` occurs in this clause within `range`, its
    /// words side by side: a cue is a fixed phrase ("can it"), unlike a
    /// symptom term whose words may be apart ("can not keep it" is not
    /// "can it"). Compared on stems, but a cue word marked [`EXACT`] with
    /// the word as typed ("=cause" is not "caused").
    pub(super) fn has_in(&self, seq: &[String], range: std::ops::Range<usize>) -> bool {
        let end = range.end.min(self.stems.len()).min(self.words.len());
        if seq.is_empty() || range.start >= end || end - range.start < seq.len() {
            return false;
        }
        (range.start..=end - seq.len()).any(|k| {
            seq.iter()
                .enumerate()
                .all(|(i, w)| match w.strip_prefix(EXACT) {
                    Some(exact) => self.words[k + i] == exact,
                    None => &self.stems[k + i] == w,
                })
        })
    }

    /// Whether the cue `seq` occurs anywhere in this clause (see
    /// [`Clause::has_in`]).
    pub(super) fn has(&self, seq: &[String]) -> bool {
        self.has_in(seq, 0..self.stems.len())
    }
}

/// Words just before a cue in which a negation undoes it: "never wore
/// off" is not over, "not normal" does not ask whether it is normal.
pub(super) const NEGATION_BEFORE_CUE: usize = 2;

/// Whether one of `cues` starts at position `k` of `words` and ends before
/// `stop`, with no negation in the [`NEGATION_BEFORE_CUE`] words before it.
pub(super) fn unnegated_cue_at(
    words: &[String],
    k: usize,
    stop: usize,
    cues: &[Vec<String>],
    negations: &[Vec<String>],
) -> bool {
    unnegated_cue_in(words, words, k, stop, cues, negations)
}

/// [`unnegated_cue_at`] with the cue compared against `typed` (the words as
/// written) and the negations against `stems`: for cues whose inflection
/// is their meaning ("stopped" is over, "stop" is not).
pub(super) fn unnegated_cue_in(
    typed: &[String],
    stems: &[String],
    k: usize,
    stop: usize,
    cues: &[Vec<String>],
    negations: &[Vec<String>],
) -> bool {
    let stop = stop.min(typed.len()).min(stems.len());
    k < stop
        && cues
            .iter()
            .any(|c| !c.is_empty() && typed[k..stop].starts_with(c))
        && !(k.saturating_sub(NEGATION_BEFORE_CUE)..k)
            .any(|j| negations.iter().any(|n| stems[j..k].starts_with(n)))
}
