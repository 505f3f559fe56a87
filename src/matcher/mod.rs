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
pub mod fusion;
mod fuzzy;
pub mod paraphrase;
pub mod semantic;

use std::collections::{HashMap, HashSet};

pub use analyze::{is_stop_word, stems, Analyzer, Token, CHAT_FILLER, MODAL_VERBS};
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
/// A phrasing's weight counts as at least this fraction of the rarest
/// word's weight when measuring how much of it a question covers: a
/// phrasing of one common word ("who can't have it" is just "who") must
/// not count as fully matched by any question that says "who".
pub const PHRASING_MASS_FLOOR: f64 = 0.9;
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
    /// The question has an anchor or context word.
    pub in_context: bool,
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

/// One phrasing: its distinct terms (sorted) and their total weight.
#[derive(Debug, Clone)]
struct Phrasing {
    terms: Vec<u32>,
    mass: f64,
}

#[derive(Debug, Clone)]
pub struct Index {
    analyzer: Analyzer,
    term_ids: HashMap<String, u32>,
    weights: Vec<f64>,
    /// Term → (entry, affinity) for every entry that uses it.
    entry_postings: Vec<Vec<(u32, f64)>>,
    /// Each entry's phrasings, in [`Entry::phrasings`] order.
    phrasings: Vec<Vec<Phrasing>>,
    /// Each entry's terms, sorted (for "which words matched").
    vocab: Vec<Vec<u32>>,
    /// The least mass a phrasing counts as having ([`PHRASING_MASS_FLOOR`]).
    phrasing_floor: f64,
    /// Normalised word as written in the FAQ → its term, for typo correction.
    words: HashMap<String, u32>,
    fuzzy: Fuzzy,
    unknown_weight: f64,
    off_topic: Vec<(Vec<String>, String)>,
    anchors: Vec<Vec<String>>,
    context: Vec<Vec<String>>,
    personal: Vec<Vec<String>>,
}

/// Inverse entry frequency, BM25's smoothed form: always positive, near
/// zero for a word every entry uses (the treatment's own name).
fn idf(entries: usize, df: usize) -> f64 {
    let (n, df) = (entries as f64, df as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn contains_seq(haystack: &[String], part: &[String]) -> bool {
    !part.is_empty() && haystack.windows(part.len()).any(|w| w == part)
}

/// An entry with the upper bound of its score, ordered by that bound
/// (ties: lower entry index first), for the best-first visit in ranking.
#[derive(Debug, Clone, Copy)]
struct Bounded {
    bound: f64,
    coverage: f64,
    entry: u32,
}

impl PartialEq for Bounded {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Bounded {}

impl PartialOrd for Bounded {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bounded {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bound
            .total_cmp(&other.bound)
            .then(other.entry.cmp(&self.entry))
    }
}

/// A question, split once and shared by triage and matching.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub words: Vec<&'a str>,
    pub stems: Vec<String>,
    /// Stems with synonyms applied, stop words kept.
    pub canonical: Vec<String>,
}

impl Index {
    /// Builds the index for a checked FAQ.
    pub fn new(faq: &Faq) -> Index {
        let analyzer = Analyzer::new(&faq.synonyms);
        let mut term_ids: HashMap<String, u32> = HashMap::new();
        let mut words: HashMap<String, u32> = HashMap::new();
        let mut phrasing_terms: Vec<Vec<Vec<u32>>> = vec![Vec::new(); faq.entries.len()];
        // Per entry: term → number of its phrasings that use it.
        let mut entry_terms: Vec<Vec<(u32, u32)>> = vec![Vec::new(); faq.entries.len()];

        for (e, entry) in faq.entries.iter().enumerate() {
            // Keywords join the entry's vocabulary but are not phrasings: a
            // one-word "phrasing" would be fully covered by any question
            // that merely mentions the word.
            let keywords = entry.keywords.join(" ");
            let texts = entry
                .phrasings()
                .map(|p| (p, true))
                .chain(std::iter::once((keywords.as_str(), false)));
            for (phrasing, is_phrasing) in texts {
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
                if is_phrasing {
                    ids.sort_unstable();
                    phrasing_terms[e].push(ids);
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
        let weights: Vec<f64> = entry_postings
            .iter()
            .map(|p| idf(faq.entries.len(), p.len()))
            .collect();
        let vocab = entry_terms
            .iter()
            .map(|terms| {
                let mut v: Vec<u32> = terms.iter().map(|&(t, _)| t).collect();
                v.sort_unstable();
                v
            })
            .collect();
        let floor = idf(faq.entries.len(), 1) * PHRASING_MASS_FLOOR;
        let phrasings = phrasing_terms
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .map(|terms| {
                        let mass = terms
                            .iter()
                            .map(|&t| weights[t as usize])
                            .sum::<f64>()
                            .max(floor);
                        Phrasing { terms, mass }
                    })
                    .collect()
            })
            .collect();

        let rarest = idf(faq.entries.len(), 1);
        let fuzzy = Fuzzy::new(words.keys().map(String::as_str));
        let seq = |s: &str| analyzer.canonical_stems(&text::normalise(s));
        let off_topic = faq
            .off_topic
            .terms
            .iter()
            .map(|t| (seq(t), t.clone()))
            .collect();
        let anchors = faq.off_topic.anchors.iter().map(|a| seq(a)).collect();
        let context = faq.off_topic.context.iter().map(|a| seq(a)).collect();
        let personal = faq.off_topic.personal.iter().map(|a| seq(a)).collect();
        Index {
            analyzer,
            term_ids,
            weights,
            entry_postings,
            phrasings,
            vocab,
            phrasing_floor: floor,
            words,
            fuzzy,
            unknown_weight: rarest * UNKNOWN_WORD_WEIGHT,
            off_topic,
            anchors,
            context,
            personal,
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

    /// Splits and stems a normalised question once, for triage and matching.
    pub fn question<'a>(&self, normalised: &'a str) -> Question<'a> {
        let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
        let stems: Vec<String> = words.iter().map(|w| text::stem(w)).collect();
        let canonical = self.analyzer.canonical_from_stems(&stems);
        Question {
            words,
            stems,
            canonical,
        }
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

    /// Ranks the entries for a normalised question.
    pub fn rank(&self, normalised: &str) -> Ranking {
        self.rank_question(&self.question(normalised))
    }

    /// Ranks the entries for an already split question.
    ///
    /// Exact top-k without scoring every entry: an entry's phrasing
    /// coverage is at most its matched mass over the phrasing mass floor,
    /// which bounds its score from its question coverage alone; entries are
    /// visited by descending bound and the visit stops once the bound
    /// cannot reach the k-th best score.
    pub fn rank_question(&self, q: &Question<'_>) -> Ranking {
        let (terms, unknown) = self.resolve_terms(q);
        let question_mass = self.question_mass(&terms, &unknown);

        // Question coverage of every entry that shares a term, and the
        // unweighted matched mass that bounds its phrasing coverage.
        // A dense accumulator: one slot per entry, and the list of entries
        // touched. Cheaper than hashing once postings run into thousands.
        let mut matched: Vec<(f64, f64)> = vec![(0.0, 0.0); self.phrasings.len()];
        let mut touched: Vec<u32> = Vec::new();
        for (t, factor, _) in &terms {
            let w = self.weights[*t as usize] * factor;
            for &(e, affinity) in &self.entry_postings[*t as usize] {
                let acc = &mut matched[e as usize];
                if acc.1 == 0.0 {
                    touched.push(e);
                }
                acc.0 += w * affinity;
                acc.1 += w;
            }
        }
        // Upper bound of each entry's score: phrasing coverage is at most
        // the matched mass over the smallest phrasing mass (the floor).
        let qe = QUESTION_COVERAGE_EXPONENT;
        let by_bound: Vec<Bounded> = if question_mass > 0.0 {
            touched
                .into_iter()
                .map(|e| {
                    let (m, raw) = matched[e as usize];
                    let coverage = (m / question_mass).min(1.0);
                    let bound =
                        coverage.powf(qe) * (raw / self.phrasing_floor).min(1.0).powf(1.0 - qe);
                    Bounded {
                        bound,
                        coverage,
                        entry: e,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        // Best bound first, without sorting them all: most are never visited.
        let mut by_bound = std::collections::BinaryHeap::from(by_bound);

        let mut candidates: Vec<Candidate> = Vec::new();
        while let Some(Bounded {
            bound,
            coverage: question_coverage,
            entry: e,
        }) = by_bound.pop()
        {
            if candidates.len() >= EXPLAIN_CANDIDATES
                && bound < candidates[EXPLAIN_CANDIDATES - 1].score
            {
                break;
            }
            let (phrasing_coverage, best_phrasing) = self.best_phrasing(e, &terms);
            let score = question_coverage.powf(qe) * phrasing_coverage.powf(1.0 - qe);
            // Matched words are filled in for the survivors only, below.
            let c = Candidate {
                entry: e as usize,
                score,
                question_coverage,
                phrasing_coverage,
                best_phrasing,
                matched: Vec::new(),
            };
            let at = candidates.partition_point(|x| {
                x.score > c.score || (x.score == c.score && x.entry < c.entry)
            });
            candidates.insert(at, c);
            candidates.truncate(EXPLAIN_CANDIDATES);
        }

        for c in &mut candidates {
            let vocab = &self.vocab[c.entry];
            c.matched = terms
                .iter()
                .filter(|(t, _, _)| vocab.binary_search(t).is_ok())
                .map(|(_, _, shown)| shown.clone())
                .collect();
        }

        let anchored = self.anchored(q);
        let off_topic = if anchored {
            None
        } else {
            self.off_topic
                .iter()
                .find(|(seq, _)| contains_seq(&q.canonical, seq))
                .map(|(_, t)| t.clone())
        };
        let in_context = self.in_context(q);
        let personal = self.personal.iter().any(|c| contains_seq(&q.canonical, c));
        let out_of_scope = !in_context
            && !personal
            && !self.context.is_empty()
            && unknown.len() >= OUT_OF_SCOPE_UNKNOWN_WORDS;
        Ranking {
            candidates,
            unknown,
            off_topic,
            out_of_scope,
            in_context,
        }
    }

    /// Whether the question names one of the FAQ's subject words.
    fn anchored(&self, q: &Question<'_>) -> bool {
        self.anchors.iter().any(|a| contains_seq(&q.canonical, a))
    }

    /// Whether something ties the question to the FAQ's subject: an anchor,
    /// or a context word ("is IT painful", "AFTER my session").
    fn in_context(&self, q: &Question<'_>) -> bool {
        self.anchored(q) || self.context.iter().any(|c| contains_seq(&q.canonical, c))
    }

    /// The question without the words this FAQ never uses, for the
    /// encoder's scope check (see `Engine::fused_decision`): `None` unless
    /// the FAQ lists context words, nothing ties the question to its
    /// subject, and some word is unknown. "how much to replace a car
    /// battery" gives "how much to replace a".
    pub fn without_unknown(&self, q: &Question<'_>) -> Option<String> {
        if self.context.is_empty() || self.in_context(q) {
            return None;
        }
        let (_, unknown) = self.resolve_terms(q);
        if unknown.is_empty() {
            return None;
        }
        let unknown: HashSet<&str> = unknown.iter().flat_map(|u| u.split(' ')).collect();
        let kept: Vec<&str> = q
            .words
            .iter()
            .copied()
            .filter(|w| !unknown.contains(w))
            .collect();
        Some(kept.join(" "))
    }

    /// The question's distinct known terms (with their match factor and
    /// the word as typed) and the words the FAQ does not know.
    fn resolve_terms(&self, q: &Question<'_>) -> (Vec<(u32, f64, String)>, Vec<String>) {
        let tokens = self.analyzer.analyze_stemmed(&q.words, &q.stems);
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
        (terms, unknown)
    }

    /// A question's total weight: its known terms, and its unknown words at
    /// the unknown-word weight.
    fn question_mass(&self, terms: &[(u32, f64, String)], unknown: &[String]) -> f64 {
        terms
            .iter()
            .map(|(t, _, _)| self.weights[*t as usize])
            .sum::<f64>()
            + unknown.len() as f64 * self.unknown_weight
    }

    /// The lexical score of each of the given entries for a question,
    /// computed exactly (no pruning): for fusing with the semantic
    /// ranking, whose best entries the lexical top-k may not include.
    pub fn scores_for(&self, q: &Question<'_>, entries: &[usize]) -> Vec<f64> {
        let (terms, unknown) = self.resolve_terms(q);
        let question_mass = self.question_mass(&terms, &unknown);
        if question_mass <= 0.0 {
            return vec![0.0; entries.len()];
        }
        let qe = QUESTION_COVERAGE_EXPONENT;
        entries
            .iter()
            .map(|&e| {
                let m: f64 = terms
                    .iter()
                    .filter_map(|(t, factor, _)| {
                        self.entry_postings[*t as usize]
                            .iter()
                            .find(|(pe, _)| *pe as usize == e)
                            .map(|(_, affinity)| self.weights[*t as usize] * factor * affinity)
                    })
                    .sum();
                if m == 0.0 {
                    return 0.0;
                }
                let coverage = (m / question_mass).min(1.0);
                let (phrasing_coverage, _) = self.best_phrasing(e as u32, &terms);
                coverage.powf(qe) * phrasing_coverage.powf(1.0 - qe)
            })
            .collect()
    }

    /// The entry's phrasing the question covers best: (coverage, index).
    fn best_phrasing(&self, entry: u32, terms: &[(u32, f64, String)]) -> (f64, usize) {
        let mut best = (0.0, 0);
        for (i, p) in self.phrasings[entry as usize].iter().enumerate() {
            let matched: f64 = terms
                .iter()
                .filter(|(t, _, _)| p.terms.binary_search(t).is_ok())
                .map(|(t, factor, _)| self.weights[*t as usize] * factor)
                .sum();
            let coverage = (matched / p.mass).min(1.0);
            if coverage > best.0 {
                best = (coverage, i);
            }
        }
        best
    }
}
