//! The index and the scores.
//!
//! Built once per FAQ load: every phrasing (question, alternates, keywords)
//! is analysed into terms; each term gets an inverse-entry-frequency weight
//! and posting lists of the entries and phrasings that use it. A question
//! touches only the postings of its own terms, so its cost grows with how
//! often its words occur, not with the size of the FAQ.
//!
//! An entry's score is the geometric mean of two coverages, both weighted
//! by term rarity:
//! - how much of the *question* the entry's vocabulary explains, and
//! - how much of the entry's *best single phrasing* the question contains.
//!
//! The first stops an entry from winning on one shared word of a long
//! question; the second rewards a question that says what one phrasing says.

mod analyze;
mod fuzzy;

use std::collections::HashMap;

pub use analyze::{stems, Analyzer, Token, STOP_WORDS};
pub use fuzzy::Fuzzy;

use crate::faq::Faq;
use crate::text;

/// A word the FAQ never uses weighs this fraction of the rarest known
/// word's weight. Unknown words are how off-topic questions show
/// themselves ("hydrafacial", "paracetamol"), but members also chat, so an
/// unknown word counts for less than a rare word we know.
pub const UNKNOWN_WORD_WEIGHT: f64 = 0.55;
/// A typo-corrected word counts for this fraction of the word it was
/// corrected to: a correction is a guess.
pub const FUZZY_MATCH_FACTOR: f64 = 0.8;
/// Weight of question coverage against phrasing coverage in the geometric
/// mean (0.5 = equal).
pub const QUESTION_COVERAGE_EXPONENT: f64 = 0.5;
/// An entry's claim on a word grows with how many of its phrasings use
/// it: a topic word recurs across an entry's alternates, an incidental
/// word ("everyone", "time") appears once. Weight for a word in one
/// phrasing; each further phrasing adds [`AFFINITY_STEP`], up to 1.
pub const AFFINITY_BASE: f64 = 0.5;
/// See [`AFFINITY_BASE`].
pub const AFFINITY_STEP: f64 = 0.25;
/// A question with no anchor or context word is out of scope once it has
/// this many words the FAQ does not know: one unknown word is often a
/// typo or chatter, two or more are a different subject ("shampoo",
/// "hairline"; "beach", "holiday").
pub const OUT_OF_SCOPE_UNKNOWN_WORDS: usize = 2;
/// How many candidates an explanation (and `faqbot ask --explain`) lists.
pub const EXPLAIN_CANDIDATES: usize = 5;

/// One entry's score for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index into [`Faq::entries`].
    pub entry: usize,
    pub score: f64,
    /// Share of the question's weight this entry's vocabulary explains.
    pub question_coverage: f64,
    /// Share of the entry's best phrasing present in the question.
    pub phrasing_coverage: f64,
    /// Index of that best phrasing in [`Entry::phrasings`] order.
    pub best_phrasing: usize,
    /// The question's words that matched, as typed (typo corrections as "typed→known").
    pub matched: Vec<String>,
}

/// What the matcher made of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Best first; only entries that share at least one term.
    pub candidates: Vec<Candidate>,
    /// Question words the FAQ does not know.
    pub unknown: Vec<String>,
    /// An off-topic term the question mentions without any anchor word.
    pub off_topic: Option<String>,
    /// The question uses words the FAQ does not know and nothing ties it
    /// to a treatment (no anchor or context word): general skincare or
    /// health talk that happens to share words with an entry.
    pub out_of_scope: bool,
}

impl Ranking {
    /// Best score minus second best (the best score when there is one candidate).
    pub fn margin(&self) -> f64 {
        match self.candidates.as_slice() {
            [] => 0.0,
            [only] => only.score,
            [a, b, ..] => a.score - b.score,
        }
    }

    pub fn best(&self) -> Option<&Candidate> {
        self.candidates.first()
    }
}

#[derive(Debug, Clone)]
struct Phrasing {
    entry: u32,
    /// Index within the entry's phrasings.
    ordinal: u32,
    /// Sum of the weights of its distinct terms.
    mass: f64,
}

#[derive(Debug, Clone)]
pub struct Index {
    analyzer: Analyzer,
    term_ids: HashMap<String, u32>,
    weights: Vec<f64>,
    /// Term → (entry, affinity) for every entry that uses it.
    entry_postings: Vec<Vec<(u32, f64)>>,
    phrasing_postings: Vec<Vec<u32>>,
    phrasings: Vec<Phrasing>,
    /// Normalised word as written in the FAQ → its term, for typo correction.
    words: HashMap<String, u32>,
    fuzzy: Fuzzy,
    unknown_weight: f64,
    off_topic: Vec<(Vec<String>, String)>,
    anchors: Vec<Vec<String>>,
    context: Vec<Vec<String>>,
}

/// Inverse entry frequency, BM25's smoothed form: always positive, near
/// zero for a word every entry uses ("microneedling").
fn idf(entries: usize, df: usize) -> f64 {
    let (n, df) = (entries as f64, df as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn contains_seq(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

impl Index {
    /// Builds the index for a checked FAQ.
    pub fn new(faq: &Faq) -> Index {
        let analyzer = Analyzer::new(&faq.synonyms);
        let mut term_ids: HashMap<String, u32> = HashMap::new();
        let mut words: HashMap<String, u32> = HashMap::new();
        let mut phrasing_terms: Vec<(u32, u32, Vec<u32>)> = Vec::new();
        // Per entry: term → number of its phrasings that use it.
        let mut entry_terms: Vec<Vec<(u32, u32)>> = vec![Vec::new(); faq.entries.len()];

        for (e, entry) in faq.entries.iter().enumerate() {
            // Keywords join the entry's vocabulary but are not phrasings: a
            // one-word "phrasing" would be fully covered by any question
            // that merely mentions the word.
            let keyword_ordinal = 1 + entry.alternates.len();
            let keywords = entry.keywords.join(" ");
            let texts = entry.phrasings().chain(std::iter::once(keywords.as_str()).filter(|k| !k.is_empty()));
            for (ordinal, phrasing) in texts.enumerate() {
                let normalised = text::normalise(phrasing);
                let mut ids = Vec::new();
                for token in analyzer.analyze(&normalised) {
                    let next = term_ids.len() as u32;
                    let id = *term_ids.entry(token.term).or_insert(next);
                    if !token.raw.contains(' ') {
                        words.entry(token.raw).or_insert(id);
                    }
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                for &id in &ids {
                    match entry_terms[e].iter_mut().find(|(t, _)| *t == id) {
                        Some((_, n)) => *n += 1,
                        None => entry_terms[e].push((id, 1)),
                    }
                }
                if ordinal < keyword_ordinal {
                    phrasing_terms.push((e as u32, ordinal as u32, ids));
                }
            }
        }

        let mut entry_postings = vec![Vec::new(); term_ids.len()];
        for (e, terms) in entry_terms.iter().enumerate() {
            for &(t, n) in terms {
                let affinity = (AFFINITY_BASE + AFFINITY_STEP * f64::from(n - 1)).min(1.0);
                entry_postings[t as usize].push((e as u32, affinity));
            }
        }
        let weights: Vec<f64> =
            entry_postings.iter().map(|p| idf(faq.entries.len(), p.len())).collect();
        let mut phrasing_postings = vec![Vec::new(); term_ids.len()];
        let mut phrasings = Vec::with_capacity(phrasing_terms.len());
        for (p, (entry, ordinal, ids)) in phrasing_terms.iter().enumerate() {
            for &t in ids {
                phrasing_postings[t as usize].push(p as u32);
            }
            let mass = ids.iter().map(|&t| weights[t as usize]).sum();
            phrasings.push(Phrasing { entry: *entry, ordinal: *ordinal, mass });
        }

        let rarest = idf(faq.entries.len(), 1);
        let fuzzy = Fuzzy::new(words.keys().map(String::as_str));
        let seq = |s: &str| analyzer.canonical_stems(&text::normalise(s));
        let off_topic = faq.off_topic.terms.iter().map(|t| (seq(t), t.clone())).collect();
        let anchors = faq.off_topic.anchors.iter().map(|a| seq(a)).collect();
        let context = faq.off_topic.context.iter().map(|a| seq(a)).collect();
        Index {
            analyzer,
            term_ids,
            weights,
            entry_postings,
            phrasing_postings,
            phrasings,
            words,
            fuzzy,
            unknown_weight: rarest * UNKNOWN_WORD_WEIGHT,
            off_topic,
            anchors,
            context,
        }
    }

    /// The analyser (stemming and synonyms), shared with triage.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Number of distinct terms (for `info` and benchmarks).
    pub fn terms(&self) -> usize {
        self.weights.len()
    }

    /// Resolves a token to a known term: exact, as written in the FAQ, or
    /// by typo correction (with its factor).
    fn resolve(&self, token: &Token) -> Option<(u32, f64, Option<&str>)> {
        if let Some(&id) = self.term_ids.get(&token.term) {
            return Some((id, 1.0, None));
        }
        if let Some(&id) = self.words.get(&token.raw) {
            return Some((id, 1.0, None));
        }
        if token.raw.contains(' ') || token.raw.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let (word, _) = self.fuzzy.closest(&token.raw)?;
        let id = *self.words.get(word)?;
        Some((id, FUZZY_MATCH_FACTOR, Some(word)))
    }

    /// Ranks the entries for an already normalised question.
    pub fn rank(&self, normalised: &str) -> Ranking {
        let tokens = self.analyzer.analyze(normalised);

        // Distinct terms of the question, with their match factor.
        let mut terms: Vec<(u32, f64, String)> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for token in &tokens {
            match self.resolve(token) {
                Some((id, factor, corrected)) => {
                    let shown = match corrected {
                        Some(w) => format!("{}→{}", token.raw, w),
                        None => token.raw.clone(),
                    };
                    match terms.iter_mut().find(|(t, _, _)| *t == id) {
                        Some(existing) if existing.1 < factor => *existing = (id, factor, shown),
                        Some(_) => {}
                        None => terms.push((id, factor, shown)),
                    }
                }
                None => {
                    if !unknown.contains(&token.raw) {
                        unknown.push(token.raw.clone());
                    }
                }
            }
        }
        let question_mass: f64 = terms.iter().map(|(t, _, _)| self.weights[*t as usize]).sum::<f64>()
            + unknown.len() as f64 * self.unknown_weight;

        let mut entries: HashMap<u32, (f64, Vec<usize>)> = HashMap::new();
        let mut phrasings: HashMap<u32, f64> = HashMap::new();
        for (i, (t, factor, _)) in terms.iter().enumerate() {
            let w = self.weights[*t as usize] * factor;
            for &(e, affinity) in &self.entry_postings[*t as usize] {
                let acc = entries.entry(e).or_default();
                acc.0 += w * affinity;
                acc.1.push(i);
            }
            for &p in &self.phrasing_postings[*t as usize] {
                *phrasings.entry(p).or_default() += w;
            }
        }

        let mut best_phrasing: HashMap<u32, (f64, u32)> = HashMap::new();
        for (&p, &matched) in &phrasings {
            let phrasing = &self.phrasings[p as usize];
            if phrasing.mass <= 0.0 {
                continue;
            }
            let coverage = (matched / phrasing.mass).min(1.0);
            let slot = best_phrasing.entry(phrasing.entry).or_insert((0.0, phrasing.ordinal));
            if coverage > slot.0 || (coverage == slot.0 && phrasing.ordinal < slot.1) {
                *slot = (coverage, phrasing.ordinal);
            }
        }

        let mut candidates: Vec<Candidate> = entries
            .into_iter()
            .filter(|_| question_mass > 0.0)
            .map(|(e, (matched, which))| {
                let question_coverage = (matched / question_mass).min(1.0);
                let (phrasing_coverage, ordinal) = best_phrasing.get(&e).copied().unwrap_or((0.0, 0));
                let score = question_coverage.powf(QUESTION_COVERAGE_EXPONENT)
                    * phrasing_coverage.powf(1.0 - QUESTION_COVERAGE_EXPONENT);
                Candidate {
                    entry: e as usize,
                    score,
                    question_coverage,
                    phrasing_coverage,
                    best_phrasing: ordinal as usize,
                    matched: which.into_iter().map(|i| terms[i].2.clone()).collect(),
                }
            })
            .collect();
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));

        let words = self.analyzer.canonical_stems(normalised);
        let anchored = self.anchors.iter().any(|a| contains_seq(&words, a));
        let off_topic = if anchored { None } else { self.off_topic.iter().find(|(seq, _)| contains_seq(&words, seq)).map(|(_, t)| t.clone()) };
        let out_of_scope = !anchored
            && !self.context.is_empty()
            && unknown.len() >= OUT_OF_SCOPE_UNKNOWN_WORDS
            && !self.context.iter().any(|c| contains_seq(&words, c));
        Ranking { candidates, unknown, off_topic, out_of_scope }
    }
}
