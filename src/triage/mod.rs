//! Red-flag triage: runs before any matching, so a message that reads like
//! a complication gets the urgent-care message and never an FAQ answer.
//!
//! Triage works from clinical concepts, not phrases. Each `[[red_flag]]`
//! in `faq.toml` is a concept (infection, airway, eye …) with a lexicon a
//! clinician would recognise; a message *mentions* the concept when one of
//! its terms appears (on stems, typos corrected, the words of a phrase in
//! order with a little slack), and, when the concept has a `with` list, a
//! second term appears in the same sentence.
//!
//! Whether a mention is a report of something happening now is decided by
//! its context, scoped to that mention:
//! - a negation just before it, in its own clause, cancels it ("no fever
//!   but the pus keeps coming back" still reports pus);
//! - a word saying it is over, just after it, cancels it ("the bleeding
//!   stopped");
//! - a figurative cue in its clause cancels it ("my bank account is bleeding");
//! - a general or hypothetical frame before it in its sentence ("what are
//!   the signs of", "can it cause", "if") makes it a question about
//!   symptoms in general: the caution tier;
//! - a past cue in its sentence ("last week", "I get cold sores"): caution;
//! - someone else before it in its sentence ("my friend"): caution, unless
//!   the concept is `always` (a blocked airway is an emergency whoever has it);
//! - otherwise it is the writer's own, current report: urgent. A report
//!   needs no "I" or time word: "pus coming out of the holes" is one.
//!
//! Numbers are read too: a temperature at or above the fever line, in °C
//! or °F, written any common way ("38.6", "101F", "temp of 39"), is a
//! mention of the `@fever` term.
//!
//! An expected, mild effect described now ("a bit red and tight tonight")
//! gets the caution tier: the answer, plus when to get help.

mod context;
mod numbers;
mod words;

use std::sync::LazyLock;

use regex::Regex;

use crate::faq::Faq;
use crate::matcher::Fuzzy;
use crate::text;

pub use context::Context;
use words::{comparative_bases, find_in, phrase, term, unnegated_cue_at, COORDINATORS};

/// Words allowed between two words of one phrase ("swelling keeps on
/// growing" matches "swelling growing").
pub const MAX_PHRASE_GAP: usize = 2;
/// Words after a mention in which a "resolved" word cancels it ("bleeding
/// has now stopped").
pub const RESOLVED_WINDOW: usize = 6;
/// Words that, opening a sentence, make it go on about what the sentence
/// before named ("Dark patches on my forehead. They burn."): English
/// closed-class words, not a lexicon. People are left out ("she"): a
/// person is not a symptom.
const CONTINUING_SUBJECTS: &[&str] = &["it", "its", "they", "theyre", "these", "those", "both"];

/// Whether sentence `s` opens on a [`CONTINUING_SUBJECTS`] pronoun, so a
/// second term there completes a first term of the sentence before.
fn continues(clauses: &[Clause], s: usize) -> bool {
    clauses
        .iter()
        .find(|c| c.sentence == s)
        .and_then(|c| c.words.first())
        .is_some_and(|w| CONTINUING_SUBJECTS.contains(&w.as_str()))
}

/// The special term for a temperature at or over the fever line.
pub const FEVER_TERM: &str = "@fever";
/// The special term for a day count at or past `late_after_days`.
pub const LATE_TERM: &str = "@late";
/// The special term for a severe pain score ("8/10", "nine out of ten").
pub const SCORE_TERM: &str = "@score";
/// Every special term a red flag's lists may use.
pub const SPECIAL_TERMS: &[&str] = &[FEVER_TERM, LATE_TERM, SCORE_TERM];

/// The outcome of triage for one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A possible complication now: the urgent message, never an answer.
    Urgent(Flag),
    /// Answer, with the warning signs: symptoms asked about in general, a
    /// mild effect now, or the two signals disagreeing.
    Caution(Caution),
    Normal,
}

/// Which red flag fired, on which words, and the context that decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// Index into [`Faq::red_flags`].
    pub red_flag: usize,
    pub matched: Vec<String>,
    /// It rests on a measured temperature ("101F"): a reading, never a
    /// figure of speech, so the encoder has no say in it.
    pub measured: bool,
}

/// Why a message gets the caution block.
#[derive(Debug, Clone, PartialEq)]
pub struct Caution {
    /// The red flag concerned, if one.
    pub red_flag: Option<usize>,
    /// The words concerned.
    pub matched: Vec<String>,
    pub context: Context,
}

/// A term: the stems of its words, or a special term.
#[derive(Debug, Clone)]
enum Term {
    Words(Vec<String>),
    Fever,
    Late,
    Score,
}

/// Where a term occurs: its sentence, the words as typed, their context
/// and span (clause, first word, last word).
#[derive(Debug, Clone)]
struct Occurrence {
    sentence: usize,
    shown: String,
    context: Context,
    at: (usize, usize, usize),
}

/// A concept mentioned: which, on what words, in what context, where.
#[derive(Debug, Clone)]
struct Mention {
    red_flag: usize,
    matched: Vec<String>,
    context: Context,
    at: (usize, usize, usize),
}

#[derive(Debug, Clone)]
struct Concept {
    terms: Vec<Term>,
    with: Vec<Term>,
    always: bool,
    delayed: bool,
    explained_by_cause: bool,
}

/// One clause of a message: its words and their stems (typos corrected).
#[derive(Debug, Clone)]
struct Clause {
    words: Vec<String>,
    stems: Vec<String>,
    sentence: usize,
    /// Opened by a contrastive conjunction ("… but since Thursday it
    /// hurts more"): a new statement, outside the mood of the clauses
    /// before it (see `context::Cues::is_question`).
    turns: bool,
    /// The message places the treatment still ahead
    /// (`context::Cues::before_treatment`): a fact about the whole
    /// message, read once when it is split and the same on every clause.
    ahead: bool,
}

#[derive(Debug, Clone)]
pub struct Triage {
    concepts: Vec<Concept>,
    cues: context::Cues,
    mild: Vec<Vec<String>>,
    minimisers: Vec<Vec<String>>,
    negations: Vec<Vec<String>>,
    expectation: Vec<Vec<String>>,
    /// The lexicon's words, sorted (typos are corrected towards these).
    vocabulary: Vec<String>,
    /// The stems of the lexicon's words, sorted: a word with one of these
    /// stems is an inflection of a lexicon word, not a typo of another.
    vocabulary_stems: Vec<String>,
    fuzzy: Fuzzy,
    /// Correctly spelled words, never taken for typos (empty: none known).
    dictionary: text::Dictionary,
    /// The words of triage's own cues, sorted: spelled as the clinic
    /// wrote them, so never typos of a symptom ("filler" is not "filled").
    cue_words: Vec<String>,
    /// Words a term's gap does not cross: the coordinators and the
    /// one-word negations ("lips not swollen" is not "lips … swollen").
    gap_stops: Vec<String>,
    fever_celsius: f64,
    late_after_days: u32,
}

/// Sentence ends: . ! ? ; but not a decimal point, and not a plain line
/// break (members break lines mid-sentence; markup between words is not
/// meaning). A list item ("- ", "* ", "1. " opening a line) does end the
/// sentence before it: each item is a statement of its own.
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[!?;]|\.(?:\D|$)|\n[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t])+")
        .expect("sentence pattern is valid")
});
/// An ellipsis: a pause inside a sentence ("my throat is itchy and like…
/// closing??"), not its end.
static ELLIPSIS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.{2,}|…").expect("ellipsis pattern is valid"));

/// A Discord quote line ("> what someone else wrote"): another message.
static QUOTE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*>(?:[ \t][^\n]*)?$").expect("quote pattern is valid"));
/// Words in quotation marks after a space or a colon: reported speech
/// ("quoting Rob: 'can't stop the bleeding'", "everyone says 'just
/// tender'"). The closing mark must end a word, so "can't" inside stays.
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(^|[\s(:])(?:'[^\n]{2,200}?'|"[^"\n]{2,200}"|“[^”\n]{2,200}”|‘[^\n]{2,200}?’)"#,
        r"([\s.,!?;:)]|$)",
    ))
    .expect("quotation pattern is valid")
});
/// A question mark inside brackets is an aside ("brown lines (tram
/// tracks?) getting wider"), not the end of the sentence.
static ASIDE_QUESTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\?+\)").expect("aside pattern is valid"));

/// The message as triage reads it: the writer's own words (quote lines
/// and reported speech left out, unless they are all there is), markup
/// gone, ellipses made pauses.
fn plain(message: &str) -> String {
    let has_words = |t: &str| !text::words(t).is_empty();
    let own = QUOTE_LINE.replace_all(message, "");
    let own = if has_words(&own) { own } else { message.into() };
    let unquoted = QUOTED.replace_all(&own, "$1 $2");
    let own = if has_words(&unquoted) { unquoted } else { own };
    let own = ASIDE_QUESTION.replace_all(&own, ")");
    ELLIPSIS
        .replace_all(&text::strip_markup(&own), " ")
        .into_owned()
}

/// Clause breaks inside a sentence: commas, a line break, a colon before a
/// space ("pain: none", not "10:30"), an emoji (in chat it closes a thought: "not
/// affectionate 😭 raised welts"), en and em dashes, and the contrastive
/// conjunctions that turn to a new statement ("no fever but …").
/// Not a hyphen between spaces: Discord uses "- " for list bullets.
static CLAUSE_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i),|\n|:(?:\s|$)|\p{Extended_Pictographic}|\s[–—]\s|\b(?:but|though|although|however|except|whereas)\b")
        .expect("clause pattern is valid")
});
/// Verbs just before a mention that tell it in the past ("had a lump").
const PAST_TENSE: &[&str] = &["had", "was", "were"];

/// How far before a mention such a verb may stand ("had a hard lump").
const PAST_TENSE_REACH: usize = 3;

/// Marks a term word that must match exactly, not by stem ("=numb" is
/// not "numbing", "=burns" is not "burning").
pub const EXACT: char = '=';

impl Triage {
    /// Builds the concepts and context cues from the FAQ's triage sections.
    pub fn new(faq: &Faq) -> Triage {
        let t = &faq.triage;
        let concepts: Vec<Concept> = faq
            .red_flags
            .iter()
            .map(|r| Concept {
                terms: r.terms.iter().map(|p| term(p)).collect(),
                with: r.with.iter().map(|p| term(p)).collect(),
                always: r.always,
                delayed: r.delayed,
                explained_by_cause: r.explained_by_cause,
            })
            .collect();
        // Typos are corrected towards the lexicon's own words only, so a
        // correction can only ever find a symptom word, never lose one.
        let mut vocabulary: Vec<String> = faq
            .red_flags
            .iter()
            .flat_map(|r| r.terms.iter().chain(&r.with))
            .chain(&t.mild)
            .flat_map(|p| text::words(p))
            .collect();
        vocabulary.sort();
        vocabulary.dedup();
        Triage {
            concepts,
            cues: context::Cues::new(t, &faq.off_topic.anchors, phrase),
            mild: t.mild.iter().map(|p| phrase(p)).collect(),
            minimisers: t.minimisers.iter().map(|p| phrase(p)).collect(),
            negations: t.negations.iter().map(|p| phrase(p)).collect(),
            expectation: t.expectation.iter().map(|p| phrase(p)).collect(),
            fuzzy: Fuzzy::new(vocabulary.iter().map(String::as_str)),
            vocabulary_stems: {
                let mut stems: Vec<String> = vocabulary.iter().map(|w| text::stem(w)).collect();
                stems.sort();
                stems.dedup();
                stems
            },
            vocabulary,
            dictionary: text::Dictionary::default(),
            cue_words: {
                let mut w: Vec<String> = t
                    .cue_lists()
                    .into_iter()
                    .flatten()
                    .flat_map(|p| text::words(p.trim_start_matches(EXACT)))
                    .collect();
                w.sort();
                w.dedup();
                w
            },
            gap_stops: COORDINATORS
                .iter()
                .map(|w| (*w).to_owned())
                .chain(t.negations.iter().filter_map(|n| {
                    let w = text::words(n);
                    (w.len() == 1).then(|| w[0].clone())
                }))
                .collect(),
            fever_celsius: t.fever_celsius,
            late_after_days: t.late_after_days,
        }
    }

    /// The same rules, with a dictionary of correctly spelled words: a
    /// word in it is read as written, never as a typo of a lexicon word.
    pub fn with_dictionary(mut self, dictionary: text::Dictionary) -> Triage {
        self.dictionary = dictionary;
        self
    }

    /// Splits a message into clauses of stemmed words.
    fn clauses(&self, message: &str) -> Vec<Clause> {
        let cut = plain(message);
        let mut out = Vec::new();
        for (s, sentence) in SENTENCE_END.split(&cut).enumerate() {
            // Each part with whether the break before it was a conjunction
            // (a word) rather than punctuation.
            let mut turns = false;
            let mut from = 0;
            let breaks = CLAUSE_BREAK
                .find_iter(sentence)
                .map(|b| {
                    (
                        b.start(),
                        b.end(),
                        b.as_str().chars().any(char::is_alphabetic),
                    )
                })
                .chain(std::iter::once((sentence.len(), sentence.len(), false)));
            for (start, end, conjunction) in breaks {
                let words: Vec<String> = text::words(&sentence[from..start]);
                if !words.is_empty() {
                    let stems = words
                        .iter()
                        .map(|w| text::stem(self.corrected(w)))
                        .collect();
                    out.push(Clause {
                        words,
                        stems,
                        sentence: s,
                        turns,
                        ahead: false,
                    });
                }
                turns = conjunction;
                from = end;
            }
        }
        let ahead = self.cues.before_treatment(&out);
        for c in &mut out {
            c.ahead = ahead;
        }
        out
    }

    /// A word as triage reads it: itself if the lexicon knows it, else the
    /// lexicon adjective it is the comparative or superlative of ("hotter"
    /// → "hot": a symptom described as more so is still that symptom, and
    /// the stemmer leaves comparatives alone), else the lexicon word it is
    /// a typo of ("swolen" → "swollen"). A word of triage's own cues, or
    /// one the dictionary knows, is
    /// spelled right and stays itself ("glowing" is not "growing"); a
    /// correction keeps the first letter, which typos rarely change, so an
    /// ordinary word the dictionary lacks still never becomes a symptom
    /// ("feeling" is not "peeling").
    fn corrected<'w>(&'w self, word: &'w str) -> &'w str {
        if self
            .vocabulary
            .binary_search_by(|v| v.as_str().cmp(word))
            .is_ok()
        {
            return word;
        }
        if self
            .cue_words
            .binary_search_by(|v| v.as_str().cmp(word))
            .is_ok()
        {
            return word;
        }
        if let Some(base) = comparative_bases(word).find_map(|b| self.known(&b)) {
            return base;
        }
        // Another form of a lexicon word ("droops" of "droop") is spelled
        // right: it must not be "corrected" to a neighbour ("droopy").
        if self
            .vocabulary_stems
            .binary_search_by(|v| v.as_str().cmp(text::stem(word).as_str()))
            .is_ok()
        {
            return word;
        }
        if self.dictionary.contains(word) {
            return word;
        }
        match self.fuzzy.closest(word) {
            Some((known, _)) if known.chars().next() == word.chars().next() => known,
            _ => word,
        }
    }

    /// The lexicon's own copy of `word`, if the lexicon has it.
    fn known(&self, word: &str) -> Option<&str> {
        self.vocabulary
            .binary_search_by(|v| v.as_str().cmp(word))
            .ok()
            .map(|i| self.vocabulary[i].as_str())
    }

    /// Fever temperatures in the message, by sentence: (sentence, as typed).
    fn fevers(&self, message: &str) -> Vec<(usize, String)> {
        let cut = plain(message);
        numbers::fevers(SENTENCE_END.split(&cut), self.fever_celsius)
    }

    /// Triage's verdict on a message (raw text: sentences and clauses
    /// matter, so it is split before it is normalised).
    pub fn check(&self, message: &str) -> Verdict {
        self.read(message).0
    }

    /// The verdict, and the concepts mentioned only weakly: a term of a
    /// concept that needs a second one (`with`), in a current report, with
    /// no second term ("my eye …" without a symptom of the eye), or a mild
    /// symptom word in a current report (`None`: any concept). The engine
    /// makes such a message urgent when the encoder agrees that it reads
    /// like that concept's examples (or any concept's, for `None`).
    pub fn read(&self, message: &str) -> (Verdict, Vec<(Option<usize>, String)>) {
        let clauses = self.clauses(message);
        let fevers = self.fevers(message);
        // Every mention of every concept first, so a longer term can win
        // over a shorter one inside it ("fever blisters" is a cold sore,
        // not a fever and not a burn).
        let mut mentions: Vec<Mention> = Vec::new();
        let mut weak: Vec<Mention> = Vec::new();
        for (i, concept) in self.concepts.iter().enumerate() {
            let (strong, bare) = self.mentions(i, concept, &clauses, &fevers);
            mentions.extend(strong);
            weak.extend(bare);
        }
        let spans: Vec<(usize, usize, usize)> =
            mentions.iter().chain(&weak).map(|m| m.at).collect();
        let inside_longer = |m: &Mention| {
            spans.iter().any(|o| {
                o.0 == m.at.0 && o.1 <= m.at.1 && m.at.2 <= o.2 && (o.2 - o.1) > (m.at.2 - m.at.1)
            })
        };
        let itemised = mentions
            .iter()
            .chain(&weak)
            .any(|m| m.context == Context::Negated);
        let mut weak: Vec<(Option<usize>, String)> = weak
            .iter()
            .filter(|m| {
                m.context == Context::Current
                    && !inside_longer(m)
                    && !self.minimised(&clauses[m.at.0])
                    && !self.asks_if_expected(&clauses, clauses[m.at.0].sentence)
            })
            .map(|m| (Some(m.red_flag), m.matched.join(" ")))
            .collect();
        // A mild symptom word in a current report is a weak mention of
        // whichever concept the message reads like; not in a message that
        // denies a red flag's own terms ("no swelling, no pain. Only
        // tight"): the writer is going through a checklist, and what is
        // left over is what they call mild.
        for c in clauses.iter().filter(|_| !itemised) {
            for m in &self.mild {
                if let Some((start, end)) = find_in(&c.stems, &c.words, m, 0, &self.gap_stops) {
                    if !self.minimised(c)
                        && !self.asks_if_expected(&clauses, c.sentence)
                        && self.cues.context(&clauses, c, start, end) == Context::Current
                    {
                        weak.push((None, c.words[start..=end].join(" ")));
                    }
                }
            }
        }
        let mut verdict = self.decide(&mentions, &clauses, &inside_longer);
        if let Verdict::Urgent(flag) = &mut verdict {
            flag.measured = fevers.iter().any(|(_, shown)| flag.matched.contains(shown));
        }
        (verdict, weak)
    }

    /// Whether a clause makes light of what it describes ("a bit puffy"):
    /// a bare symptom word there is no evidence for the encoder to promote.
    fn minimised(&self, clause: &Clause) -> bool {
        self.minimisers.iter().any(|m| clause.has(m))
            || numbers::mild_score(&clause.words).is_some()
    }

    /// Whether a sentence asks if something is expected ("normal on day
    /// 1?", "is that ok?"), not negated ("this is not normal" reports).
    fn asks_if_expected(&self, clauses: &[Clause], sentence: usize) -> bool {
        clauses.iter().filter(|c| c.sentence == sentence).any(|c| {
            let s = &c.stems;
            (0..s.len())
                .any(|k| unnegated_cue_at(s, k, s.len(), &self.expectation, &self.negations))
        })
    }

    fn decide(
        &self,
        mentions: &[Mention],
        clauses: &[Clause],
        inside_longer: &dyn Fn(&Mention) -> bool,
    ) -> Verdict {
        let kept: Vec<&Mention> = mentions.iter().filter(|m| !inside_longer(m)).collect();
        for m in &kept {
            // No asking makes an `always` concept safe; someone else's is
            // urgent when it is happening now ("her lips are swelling"),
            // not when it is a story ("my friend's lips swelled after filler").
            let always = self.concepts[m.red_flag].always;
            let now = || clauses.get(m.at.0).is_some_and(|c| self.cues.is_present(c));
            // A question about a symptom followed by a report of the
            // present is the writer's own symptom, asked about.
            let reported = || {
                clauses
                    .get(m.at.0)
                    .or_else(|| clauses.iter().find(|c| c.sentence == m.at.1))
                    .is_some_and(|c| self.cues.reported_after(clauses, c.sentence))
            };
            // So is a question that places the symptom in the present
            // itself: "is it normal to still be bleeding 4 hours later?"
            // asks about the writer's bleeding, now.
            let asked_now = || {
                clauses
                    .get(m.at.0)
                    .is_some_and(|c| self.cues.speaks_of_now(c))
            };
            // Another treatment that explains it (lip filler, for swollen
            // lips) is not someone else's emergency.
            let explained = || {
                self.concepts[m.red_flag].explained_by_cause
                    && clauses
                        .get(m.at.0)
                        .is_some_and(|c| self.cues.other_cause(clauses, c, m.at.1, m.at.2))
            };
            let urgent = m.context == Context::Current
                || (m.context == Context::Asked && (always || reported() || asked_now()))
                || (m.context == Context::Other && always && now() && !explained());
            if urgent {
                return Verdict::Urgent(Flag {
                    red_flag: m.red_flag,
                    matched: m.matched.clone(),
                    measured: false,
                });
            }
        }
        if let Some(m) = kept
            .iter()
            .find(|m| !matches!(m.context, Context::Negated | Context::Figurative))
        {
            return Verdict::Caution(Caution {
                red_flag: Some(m.red_flag),
                matched: m.matched.clone(),
                context: m.context,
            });
        }
        for c in clauses {
            for m in &self.mild {
                if let Some((start, end)) = find_in(&c.stems, &c.words, m, 0, &self.gap_stops) {
                    let ctx = self.cues.context(clauses, c, start, end);
                    if ctx == Context::Current {
                        return Verdict::Caution(Caution {
                            red_flag: None,
                            matched: vec![c.words[start..=end].join(" ")],
                            context: Context::Mild,
                        });
                    }
                }
            }
        }
        Verdict::Normal
    }

    /// Every mention of a concept, with its context; and the bare terms of
    /// a concept that needs a second term but has none.
    fn mentions(
        &self,
        red_flag: usize,
        concept: &Concept,
        clauses: &[Clause],
        fevers: &[(usize, String)],
    ) -> (Vec<Mention>, Vec<Mention>) {
        let mut out = Vec::new();
        let mut bare = Vec::new();
        // Every occurrence of the second terms, found once for all the
        // first terms, in `with` order.
        let seconds: Vec<Occurrence> = concept
            .with
            .iter()
            .flat_map(|w| self.occurrences(w, clauses, fevers, false))
            .collect();
        for term in &concept.terms {
            for first in self.occurrences(term, clauses, fevers, concept.delayed) {
                let mut matched = vec![first.shown.clone()];
                if !concept.with.is_empty() {
                    // The second term in the same sentence, not negated, and
                    // not the first term's own words ("more painful" is not
                    // "pain" plus "more painful").
                    let second = seconds.iter().find(|o| {
                        (o.sentence == first.sentence
                            || (o.sentence == first.sentence + 1 && continues(clauses, o.sentence)))
                            && !matches!(o.context, Context::Negated | Context::Figurative)
                            && !(o.at.0 == first.at.0
                                && o.at.1 <= first.at.2
                                && first.at.1 <= o.at.2)
                    });
                    // Its second term there but negated ("eyes aren't sore")
                    // denies the concept: no weak mention either.
                    let denied = || {
                        seconds
                            .iter()
                            .any(|o| o.sentence == first.sentence && o.context == Context::Negated)
                    };
                    match second {
                        Some(o) => matched.push(o.shown.clone()),
                        // A day count alone names no symptom: nothing for
                        // the encoder to confirm.
                        None if denied() || matches!(term, Term::Late) => continue,
                        None => {
                            bare.push(Mention {
                                red_flag,
                                matched,
                                context: first.context,
                                at: first.at,
                            });
                            continue;
                        }
                    }
                }
                out.push(Mention {
                    red_flag,
                    matched,
                    context: first.context,
                    at: first.at,
                });
            }
        }
        (out, bare)
    }

    /// Where a term occurs.
    fn occurrences(
        &self,
        term: &Term,
        clauses: &[Clause],
        fevers: &[(usize, String)],
        delayed: bool,
    ) -> Vec<Occurrence> {
        let mut out = Vec::new();
        match term {
            Term::Words(seq) => {
                for (ci, c) in clauses.iter().enumerate() {
                    let mut from = 0;
                    while let Some((start, end)) =
                        find_in(&c.stems, &c.words, seq, from, &self.gap_stops)
                    {
                        if self.cues.cause_at(c, end + 1) {
                            from = start + 1;
                            continue;
                        }
                        let mut context = self.cues.context(clauses, c, start, end);
                        // Unless the mention is told in the past tense itself
                        // ("had a lump after my session last year").
                        let told_past = c.words[start.saturating_sub(PAST_TENSE_REACH)..start]
                            .iter()
                            .any(|w| PAST_TENSE.contains(&w.as_str()));
                        if delayed
                            && context == Context::Past
                            && !told_past
                            && self.cues.past_only_dates_visits(clauses, c)
                        {
                            context = Context::Current;
                        }
                        // A message that is only the term ("granulomas?",
                        // "hives") names a topic to look up, not a report.
                        // So is the term with only the treatment's name
                        // ("microneedling granuloma"): a search, not a report.
                        if context == Context::Current
                            && clauses.len() == 1
                            && (0..c.words.len()).all(|k| {
                                (start..=end).contains(&k) || self.cues.names_treatment(c, k)
                            })
                        {
                            context = Context::General;
                        }
                        out.push(Occurrence {
                            sentence: c.sentence,
                            shown: c.words[start..=end].join(" "),
                            context,
                            at: (ci, start, end),
                        });
                        from = start + 1;
                    }
                }
            }
            Term::Fever => {
                for (s, shown) in fevers {
                    // Read in its own clause, like a word, when the
                    // reading's first word can be found there ("39 degree
                    // temperature at the weekend, but I'm better now" is
                    // over); otherwise by its sentence.
                    let first = text::words(shown).into_iter().next();
                    let place = clauses.iter().find_map(|c| {
                        let w = first.as_ref()?;
                        let i = c.words.iter().position(|x| x == w)?;
                        (c.sentence == *s).then_some((c, i))
                    });
                    let context = match place {
                        Some((c, i)) => self.cues.context(clauses, c, i, i),
                        None => self.cues.sentence_context(clauses, *s),
                    };
                    out.push(Occurrence {
                        sentence: *s,
                        shown: shown.clone(),
                        context,
                        // Placed by sentence only: it overlaps no word span.
                        at: (usize::MAX, *s, *s),
                    });
                }
            }
            Term::Late | Term::Score => {
                for (ci, c) in clauses.iter().enumerate() {
                    let found = match term {
                        Term::Late => self.late(&c.words),
                        _ => numbers::severe_score(&c.words),
                    };
                    if let Some((i, shown)) = found {
                        out.push(Occurrence {
                            sentence: c.sentence,
                            shown,
                            context: self.cues.context(clauses, c, i, i),
                            at: (ci, i, i),
                        });
                    }
                }
            }
        }
        out
    }

    /// "day 5", "5 days", "fifth day", "a week": a day count at or past
    /// the late threshold; its position and words.
    fn late(&self, words: &[String]) -> Option<(usize, String)> {
        numbers::late(words, self.late_after_days)
    }
}
