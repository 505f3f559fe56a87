//! The pipeline: normalise → triage → match → [`Reply`]. One [`Engine`] per
//! FAQ load; it is immutable, so the bot shares it between tasks and swaps
//! in a new one on reload.

use std::sync::Arc;

use crate::embed::{EmbedError, VectorCache};
use crate::faq::{Faq, FaqErrors};
use crate::matcher::semantic::{Nearest, SemanticIndex, SemanticModel};
use crate::matcher::{fusion, Index, Ranking, EXPLAIN_CANDIDATES};
use crate::reply::{NoMatchReason, Reply, SUGGESTIONS};
use crate::text;
use crate::triage::{Caution, Context, Flag, Triage, Verdict};

mod explain;

/// How sure the bot must be: a member who asked the bot directly gets an
/// answer at the normal threshold; a message in an opened channel, which
/// may not have been meant for the bot, needs a stricter one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    #[default]
    Asked,
    Overheard,
}

/// Everything the engine worked out about one question, for staff.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub normalised: String,
    /// Triage's verdict, the semantic backstop included.
    pub triage: Verdict,
    /// The urgent red flag, if triage found one.
    pub flag: Option<Flag>,
    pub ranking: Ranking,
    /// Each entry's semantic score (empty without an encoder).
    pub semantic: Vec<Nearest>,
    /// Lexical and semantic scores of the best entries, fused, best first.
    pub fused: Vec<Fused>,
    /// How much the words the FAQ never uses bring the question closer to
    /// the best entry (its semantic score with them, less without them),
    /// when the scope check needs it; see [`UNKNOWN_WORDS_MIN_PULL`].
    pub unknown_pull: Option<f32>,
}

pub use crate::matcher::fusion::Decision;

/// A no-match reply suggests entries whose confidence reaches this share of
/// the answering threshold: near misses, not whatever happens to rank first.
pub const SUGGEST_AT: f64 = 0.8;

/// How much closer to a red flag's examples a message must be when its only
/// symptom word is a mild one ("red", "sore") than when it names a
/// concept's own term.
pub const MILD_AGREE_EXTRA: f64 = 0.05;

/// How far below the best FAQ phrasing's cosine a red flag's examples may
/// be for the two signals still to count as agreeing: reports of a
/// complication resemble the FAQ's answers about complications too.
pub const AGREE_SLACK: f32 = 0.05;

/// A question with nothing tying it to the FAQ's subject (no anchor or
/// context word) that uses words the FAQ never uses is answered only if
/// the encoder finds those words on the best entry's subject: they must
/// bring the question at least this much (cosine) closer to it. Then they
/// are the member's own words for it ("want to book asap, what's the
/// process"); otherwise they are another subject that merely shares a word
/// ("how much does it cost to replace a car battery"). The lexical layer
/// alone cannot tell the two apart: both are just words it does not know.
pub const UNKNOWN_WORDS_MIN_PULL: f32 = 0.05;

/// One entry's two signals for a question and the confidence they give.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    pub entry: usize,
    pub lexical: f64,
    pub semantic: Option<f32>,
    pub confidence: f64,
}

/// The encoder and this FAQ's phrasing vectors.
#[derive(Debug, Clone)]
struct Semantic {
    model: Arc<SemanticModel>,
    index: SemanticIndex,
    /// Each entry's normalised phrasings, space-padded and joined, built
    /// once: the off-topic veto asks whether the winner uses a word.
    phrasing_text: Vec<String>,
    /// Each red flag's example vectors, for the triage backstop.
    examples: Vec<(usize, Vec<f32>)>,
}

/// A question after the pipeline's first half ([`Engine::read`]): what
/// the lexicon found, and the text the encoder must embed, if any.
#[derive(Debug, Clone)]
pub struct Read {
    normalised: String,
    triage: Verdict,
    weak: Vec<(Option<usize>, String)>,
    needs_vector: bool,
    /// The question without the words the FAQ never uses, when the scope
    /// check needs its vector too.
    without_unknown: Option<String>,
}

impl Read {
    /// What the encoder should embed for this question, in order: none
    /// (no encoder, or triage already found a red flag that the encoder
    /// cannot overrule), the question, or the question and the question
    /// without its unknown words. [`Engine::explain_read`] takes their
    /// vectors in the same order.
    pub fn encoder_texts(&self) -> Vec<&str> {
        let mut texts = Vec::new();
        if self.needs_vector {
            texts.push(self.normalised.as_str());
            texts.extend(self.without_unknown.as_deref());
        }
        texts
    }

    /// See [`Engine::may_be_urgent`].
    pub fn may_be_urgent(&self) -> bool {
        matches!(self.triage, Verdict::Urgent(_)) || !self.weak.is_empty()
    }
}

/// Which signals decide (for measuring each alone; the product uses both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Signals {
    Lexical,
    Semantic,
    #[default]
    Fused,
}

#[derive(Debug, Clone)]
pub struct Engine {
    faq: Faq,
    index: Index,
    triage: Triage,
    semantic: Option<Semantic>,
    signals: Signals,
}

impl Engine {
    /// Builds the lexical index and triage rules for a checked FAQ, with no
    /// encoder: for tests of the lexical layer and for comparison.
    pub fn new(faq: Faq) -> Engine {
        let index = Index::new(&faq);
        let triage = Triage::new(&faq);
        Engine {
            faq,
            index,
            triage,
            semantic: None,
            signals: Signals::Fused,
        }
    }

    /// Builds the full engine: lexical index, triage, and every phrasing
    /// embedded (those in `cache` are reused, new ones added to it).
    pub fn with_model(
        faq: Faq,
        model: Arc<SemanticModel>,
        cache: &mut VectorCache,
    ) -> Result<Engine, EmbedError> {
        let index = SemanticIndex::build(&faq, &model, cache)?;
        let owners: Vec<(usize, String)> = faq
            .red_flags
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.examples.iter().map(move |x| (i, text::normalise(x))))
            .collect();
        let texts: Vec<&str> = owners.iter().map(|(_, t)| t.as_str()).collect();
        let vectors = cache.vectors_for(&model.encoder, &texts)?;
        let mut used: std::collections::HashSet<String> =
            index.texts().map(str::to_owned).collect();
        used.extend(model.off_topic.iter().map(|t| text::normalise(t)));
        used.extend(texts.iter().map(|t| (*t).to_owned()));
        cache.retain(&used);
        let examples = owners.into_iter().map(|(i, _)| i).zip(vectors).collect();
        let phrasing_text = faq
            .entries
            .iter()
            .map(|e| {
                let mut joined = String::from(" ");
                for p in e.phrasings() {
                    joined.push_str(&text::normalise(p));
                    joined.push_str(" | ");
                }
                joined
            })
            .collect();
        let mut engine = Engine::new(faq);
        engine.triage = engine.triage.with_dictionary(model.encoder.dictionary());
        engine.semantic = Some(Semantic {
            model,
            index,
            examples,
            phrasing_text,
        });
        Ok(engine)
    }

    /// The same engine deciding on `signals` alone (triage is unchanged).
    pub fn with_signals(mut self, signals: Signals) -> Engine {
        self.signals = signals;
        self
    }

    /// The encoder's name and this FAQ's calibration, if there is an encoder.
    pub fn semantic_info(&self) -> Option<(&str, crate::matcher::semantic::Calibration, usize)> {
        self.semantic.as_ref().map(|s| {
            (
                s.model.encoder.name(),
                s.index.calibration,
                s.index.phrasings(),
            )
        })
    }

    /// The phrasing vectors as a cache for the next load of a changed FAQ.
    pub fn vector_cache(&self) -> Option<VectorCache> {
        self.semantic
            .as_ref()
            .map(|s| s.index.cache(s.model.encoder.id()))
    }

    /// Parses, validates and indexes an FAQ file's text.
    pub fn from_toml(text: &str) -> Result<Engine, FaqErrors> {
        Faq::parse(text).map(Engine::new)
    }

    pub fn faq(&self) -> &Faq {
        &self.faq
    }

    /// A new engine for this FAQ with `text` added as an alternate of
    /// `entry_id` (for `/faqadmin suggest`); `None` if there is no such
    /// entry. This engine is left as it is.
    pub fn with_alternate(&self, entry_id: &str, text: &str) -> Option<Engine> {
        let mut faq = self.faq.clone();
        let entry = faq.entries.iter_mut().find(|e| e.id == entry_id)?;
        entry.alternates.push(crate::faq::Phrasing {
            text: text.to_owned(),
            line: entry.line,
        });
        match &self.semantic {
            None => Some(Engine::new(faq)),
            Some(s) => {
                let mut cache = s.index.cache(s.model.encoder.id());
                Engine::with_model(faq, s.model.clone(), &mut cache).ok()
            }
        }
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Answers a question asked of the bot directly.
    pub fn answer(&self, question: &str) -> Reply<'_> {
        self.answer_with(question, Strictness::Asked)
    }

    /// Answers a question at the given strictness.
    pub fn answer_with(&self, question: &str, strictness: Strictness) -> Reply<'_> {
        let e = self.explain(question);
        self.decide(&e, strictness)
    }

    /// Whether the answer to `question` could be urgent, read from triage's
    /// lexicon alone (no encoder): a red flag named outright, or a concept
    /// named weakly, which the encoder may then confirm. `false` means the
    /// answer is certainly not urgent, so a caller may skip answering.
    pub fn may_be_urgent(&self, question: &str) -> bool {
        self.read(question).may_be_urgent()
    }

    /// Runs the pipeline and keeps every intermediate result.
    pub fn explain(&self, question: &str) -> Explanation {
        let read = self.read(question);
        // The question's vector, once, for triage's second signal and matching.
        let texts = read.encoder_texts();
        let vectors = match &self.semantic {
            Some(s) if !texts.is_empty() => s.model.encoder.embed_all(&texts).unwrap_or_default(),
            _ => Vec::new(),
        };
        self.explain_read(read, vectors)
    }

    /// The encoder's model, if this engine has one: what a caller that
    /// computes vectors itself ([`Engine::explain_read`]) must use.
    pub fn model(&self) -> Option<&Arc<SemanticModel>> {
        self.semantic.as_ref().map(|s| &s.model)
    }

    /// The pipeline's first half, without the encoder: normalising and
    /// triage's lexicon. The encoder's work can then be done elsewhere, for
    /// many questions at once, and handed to [`Engine::explain_read`].
    pub fn read(&self, question: &str) -> Read {
        let (triage, weak) = self.triage.read(question);
        // An urgent report needs the vector only if the encoder may veto it.
        let needs_vector = self.semantic.is_some()
            && match &triage {
                Verdict::Urgent(flag) => self.vetoable(flag),
                _ => true,
            };
        let normalised = text::normalise(question);
        let without_unknown = match triage {
            Verdict::Urgent(_) => None,
            _ if needs_vector => self
                .index
                .without_unknown(&self.index.question(&normalised)),
            _ => None,
        };
        Read {
            normalised,
            triage,
            weak,
            needs_vector,
            without_unknown,
        }
    }

    /// The pipeline's second half: `vectors` are the encoder's vectors for
    /// [`Read::encoder_texts`] (by this engine's [`Engine::model`]), in
    /// order, or empty to decide without the encoder.
    pub fn explain_read(&self, read: Read, vectors: Vec<Vec<f32>>) -> Explanation {
        let Read {
            normalised,
            mut triage,
            weak,
            needs_vector,
            without_unknown,
        } = read;
        let mut vectors = vectors.into_iter();
        let vector = if needs_vector { vectors.next() } else { None };
        let without_unknown = without_unknown.and_then(|_| vectors.next());
        let q = self.index.question(&normalised);
        let mut semantic = Vec::new();
        if let (Some(s), Some(v)) = (&self.semantic, &vector) {
            semantic = s.index.scores(v);
            match &triage {
                Verdict::Urgent(flag) => {
                    if let Some(caution) = self.veto(s, v, flag) {
                        triage = Verdict::Caution(caution);
                    }
                }
                _ => {
                    if let Some(flag) = self.agree(s, v, &weak, &semantic) {
                        triage = Verdict::Urgent(flag);
                    }
                }
            }
        }
        let flag = match &triage {
            Verdict::Urgent(f) => Some(f.clone()),
            _ => None,
        };
        let ranking = match flag {
            Some(_) => Ranking {
                candidates: Vec::new(),
                unknown: Vec::new(),
                off_topic: None,
                out_of_scope: false,
                in_context: true,
            },
            None => self.index.rank_question(&q),
        };
        if flag.is_some() {
            semantic.clear();
        }
        if let (Some(s), None, Some(v)) = (&self.semantic, &flag, &vector) {
            if triage == Verdict::Normal {
                triage = self.backstop(s, v, &semantic);
            }
        }
        let fused = self.fuse(&q, &ranking, &semantic);
        let unknown_pull = match (&self.semantic, &without_unknown, fused.first()) {
            (Some(s), Some(w), Some(best)) if flag.is_none() => {
                let without = s.index.scores(w)[best.entry].top_mean;
                best.semantic.map(|with| with - without)
            }
            _ => None,
        };
        Explanation {
            normalised,
            triage,
            flag,
            ranking,
            semantic,
            fused,
            unknown_pull,
        }
    }

    /// Two signals agreeing: a concept named without its second term (a
    /// weak lexical mention) in a message the encoder also finds close to
    /// that concept's examples is urgent.
    fn agree(
        &self,
        s: &Semantic,
        v: &[f32],
        weak: &[(Option<usize>, String)],
        semantic: &[Nearest],
    ) -> Option<Flag> {
        let t = &self.faq.triage;
        // It must read at least nearly as much like a complication as like
        // anything the FAQ answers: "dark patches, can needling help?" is
        // an FAQ question that happens to share words with a complication.
        let best_faq = semantic
            .iter()
            .map(|n| n.cosine)
            .fold(f32::NEG_INFINITY, f32::max);
        weak.iter().find_map(|(concept, words)| {
            let (owner, best) = s
                .examples
                .iter()
                .filter(|(owner, _)| concept.is_none_or(|c| c == *owner))
                .map(|(owner, x)| (*owner, crate::embed::cosine(v, x)))
                .max_by(|a, b| a.1.total_cmp(&b.1))?;
            // A mild word is weaker evidence than a concept's own term, so
            // the encoder must be surer.
            let bar = t.agree_min
                + if concept.is_none() {
                    MILD_AGREE_EXTRA
                } else {
                    0.0
                };
            (f64::from(best) >= bar && best + AGREE_SLACK >= best_faq).then(|| Flag {
                red_flag: owner,
                matched: vec![
                    words.clone(),
                    format!("similar to its examples ({best:.2})"),
                ],
                measured: false,
            })
        })
    }

    /// Whether the encoder's veto can apply to this urgent report at all:
    /// it is switched on, and the report is neither an `always` concept nor
    /// a measured temperature (see [`Engine::veto`]).
    fn vetoable(&self, flag: &Flag) -> bool {
        self.faq.triage.veto_below > 0.0
            && !flag.measured
            && !self.faq.red_flags[flag.red_flag].always
    }

    /// The encoder's veto: a lexicon report that reads unlike every red
    /// flag's examples ("anyone watching the Fever game tonight?") is the
    /// two signals disagreeing, so the member gets the caution tier (the
    /// answer and the warning signs), not the urgent message. An `always`
    /// concept is never vetoed: for a blocked airway a false alarm costs
    /// least and a miss most. Nor is a measured temperature: terse
    /// shorthand ("101F n shaking") can read like nothing to the encoder.
    fn veto(&self, s: &Semantic, v: &[f32], flag: &Flag) -> Option<Caution> {
        if !self.vetoable(flag) || s.examples.is_empty() {
            return None;
        }
        let best = s
            .examples
            .iter()
            .map(|(_, x)| crate::embed::cosine(v, x))
            .fold(f32::NEG_INFINITY, f32::max);
        (f64::from(best) < self.faq.triage.veto_below).then(|| {
            let mut matched = flag.matched.clone();
            matched.push(format!("unlike every complication example ({best:.2})"));
            Caution {
                red_flag: Some(flag.red_flag),
                matched,
                context: Context::Disputed,
            }
        })
    }

    /// The semantic backstop for triage: a message with no lexicon term
    /// that is close to a red flag's examples, and closer to them than to
    /// anything the FAQ answers, gets the caution tier. It never makes a
    /// message urgent on its own: when the two signals disagree, the member
    /// gets the answer and the warning signs, not silence and not alarm.
    fn backstop(&self, s: &Semantic, v: &[f32], semantic: &[Nearest]) -> Verdict {
        let t = &self.faq.triage;
        let best_faq = semantic
            .iter()
            .map(|n| n.cosine)
            .fold(f32::NEG_INFINITY, f32::max);
        let best = s
            .examples
            .iter()
            .map(|(i, x)| (*i, crate::embed::cosine(v, x)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, c))
                if f64::from(c) >= t.semantic_min
                    && f64::from(c - best_faq) >= t.semantic_margin =>
            {
                Verdict::Caution(Caution {
                    red_flag: Some(i),
                    matched: vec![format!("cosine {c:.2}")],
                    context: Context::Semantic,
                })
            }
            _ => Verdict::Normal,
        }
    }

    /// The candidates from both signals with their fused confidence.
    fn fuse(
        &self,
        q: &crate::matcher::Question<'_>,
        ranking: &Ranking,
        semantic: &[Nearest],
    ) -> Vec<Fused> {
        let mut entries: Vec<usize> = ranking.candidates.iter().map(|c| c.entry).collect();
        let mut by_cosine: Vec<usize> = (0..semantic.len()).collect();
        by_cosine.sort_by(|&a, &b| {
            fusion::semantic_score(&semantic[b]).total_cmp(&fusion::semantic_score(&semantic[a]))
        });
        for e in by_cosine.into_iter().take(EXPLAIN_CANDIDATES) {
            if !entries.contains(&e) {
                entries.push(e);
            }
        }
        let lexical = self.index.scores_for(q, &entries);
        let mut fused: Vec<Fused> = entries
            .iter()
            .zip(lexical)
            .map(|(&entry, lexical)| {
                let nearest = semantic.get(entry);
                let confidence = match self.signals {
                    Signals::Semantic => nearest.map_or(0.0, fusion::semantic_score),
                    _ => fusion::confidence(lexical, nearest.map(fusion::semantic_score)),
                };
                let semantic = nearest.map(|n| n.cosine);
                Fused {
                    entry,
                    lexical,
                    semantic,
                    confidence,
                }
            })
            .collect();
        fused.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.entry.cmp(&b.entry))
        });
        fused
    }

    /// Turns an explanation into the reply.
    pub fn decide(&self, e: &Explanation, strictness: Strictness) -> Reply<'_> {
        if let Some(flag) = &e.flag {
            return Reply::Urgent {
                flag: &self.faq.red_flags[flag.red_flag],
                matched: flag.matched.clone(),
            };
        }
        let caution = match &e.triage {
            Verdict::Caution(c) => Some(c.clone()),
            _ => None,
        };
        let decision = match (&self.semantic, self.signals) {
            (Some(s), Signals::Fused | Signals::Semantic) => self.fused_decision(s, e, strictness),
            _ => self.lexical_decision(e, strictness),
        };
        match decision {
            Decision::Answer {
                entry,
                score,
                margin,
            } => Reply::Answer {
                entry: &self.faq.entries[entry],
                score,
                margin,
                caution,
            },
            Decision::NoMatch { score, reason } => Reply::NoMatch {
                // Topics only when they are near: "hello" gets no list of
                // unrelated entries, a near miss gets the closest ones.
                suggestions: e
                    .fused
                    .iter()
                    .filter(|c| match &self.semantic {
                        Some(s) if self.signals != Signals::Lexical => {
                            c.confidence
                                >= SUGGEST_AT * fusion::threshold(&s.index.calibration, false)
                        }
                        _ => true,
                    })
                    .take(SUGGESTIONS)
                    .map(|c| &self.faq.entries[c.entry])
                    .collect(),
                score,
                reason,
                caution,
            },
        }
    }

    /// The lexical matcher's own decision (for comparison and `--explain`).
    pub fn lexical_decision(&self, e: &Explanation, strictness: Strictness) -> Decision {
        let settings = &self.faq.matching;
        let min_score = match strictness {
            Strictness::Asked => settings.min_score,
            Strictness::Overheard => settings.channel_min_score.max(settings.min_score),
        };
        let Some(best) = e.ranking.best() else {
            return Decision::NoMatch {
                score: 0.0,
                reason: NoMatchReason::NothingInCommon,
            };
        };
        let reason = if let Some(term) = &e.ranking.off_topic {
            Some(NoMatchReason::OffTopic(term.clone()))
        } else if e.ranking.out_of_scope
            || (!e.ranking.in_context && self.faq.entries[best.entry].needs_context)
        {
            Some(NoMatchReason::OutOfScope)
        } else if best.score < min_score {
            Some(NoMatchReason::LowScore)
        } else if e.ranking.margin() < settings.min_margin {
            Some(NoMatchReason::Ambiguous)
        } else {
            None
        };
        match reason {
            Some(reason) => Decision::NoMatch {
                score: best.score,
                reason,
            },
            None => Decision::Answer {
                entry: best.entry,
                score: best.score,
                margin: e.ranking.margin(),
            },
        }
    }

    /// Both signals together: see [`crate::matcher::fusion`].
    fn fused_decision(&self, s: &Semantic, e: &Explanation, strictness: Strictness) -> Decision {
        let ranked: Vec<(usize, f64)> = e.fused.iter().map(|f| (f.entry, f.confidence)).collect();
        // A subject the FAQ lists as not covered vetoes an answer, unless
        // the best entry itself uses that word (an FAQ may answer "is it a
        // facelift?" while listing facelifts as not covered).
        let off_topic = e.ranking.off_topic.as_deref().filter(|term| {
            let term = format!(" {} ", text::normalise(term));
            ranked
                .first()
                .is_none_or(|&(best, _)| !s.phrasing_text[best].contains(&term))
        });
        // The lexical layer's scope verdict holds for both signals: words
        // the FAQ never uses and nothing tying the question to a treatment
        // ("how to peel hard boiled eggs") is another subject, however
        // close the encoder finds one shared word's entry.
        // Nor, with nothing tying the question to it, may words the FAQ
        // never uses carry it to an entry whose subject they are not.
        if e.ranking.out_of_scope
            || e.unknown_pull
                .is_some_and(|pull| pull < UNKNOWN_WORDS_MIN_PULL)
        {
            return Decision::NoMatch {
                score: ranked.first().map_or(0.0, |r| r.1),
                reason: NoMatchReason::OutOfScope,
            };
        }
        fusion::decide(
            &s.index.calibration,
            &ranked,
            off_topic,
            strictness == Strictness::Overheard,
        )
    }

    /// The entries a partial question points at, best first (autocomplete).
    pub fn suggest(&self, partial: &str, limit: usize) -> Vec<&crate::faq::Entry> {
        self.index
            .rank(&text::normalise(partial))
            .candidates
            .iter()
            .take(limit)
            .map(|c| &self.faq.entries[c.entry])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Engine {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml"))
            .expect("faq.toml");
        Engine::from_toml(&text).expect("faq.toml is valid")
    }

    /// The new engine answers the question with the chosen entry; the
    /// original one is unchanged; an unknown entry gives none.
    #[test]
    fn with_alternate_adds_a_phrasing() {
        let engine = shipped();
        let question = "qwzx blorf vindaloo snark";
        assert_eq!(engine.answer(question).verdict(), "none");
        let alternates = engine
            .faq()
            .entry("session-count")
            .unwrap()
            .alternates
            .len();

        let after = engine
            .with_alternate("session-count", question)
            .expect("the entry exists");
        assert_eq!(after.answer(question).verdict(), "session-count");
        assert_eq!(
            after.faq().entry("session-count").unwrap().alternates.len(),
            alternates + 1
        );

        assert_eq!(engine.answer(question).verdict(), "none");
        assert_eq!(
            engine
                .faq()
                .entry("session-count")
                .unwrap()
                .alternates
                .len(),
            alternates
        );
        assert!(engine.with_alternate("no-such-entry", question).is_none());
    }
}
