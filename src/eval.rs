//! `faqbot eval`: labelled cases through the real pipeline, scored the way
//! faq-spec §4 defines.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::engine::{Engine, Read, Strictness};
use crate::outcome::Outcome;

/// One labelled question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub question: String,
    /// An entry id, or an outcome's case word: "none" or "urgent"
    /// ([`Outcome::case_word`]).
    pub expect: String,
    /// For urgent cases: the clinical concept, for per-concept figures.
    #[serde(default)]
    pub concept: Option<String>,
    /// For look-alikes: why it is not urgent (general, past, figurative …).
    #[serde(default)]
    pub context: Option<String>,
}

impl Case {
    /// The outcome the case expects.
    pub fn expected(&self) -> Outcome {
        Outcome::of_case(&self.expect)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    case: Vec<Case>,
}

/// A case the engine got wrong.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Miss {
    pub question: String,
    pub expect: String,
    pub got: String,
}

/// The report, with the fields faq-spec §3 names.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub total: usize,
    pub correct: usize,
    pub accuracy: f64,
    pub answerable_total: usize,
    pub answerable_correct: usize,
    pub none_total: usize,
    pub none_correct: usize,
    pub urgent_total: usize,
    pub urgent_correct: usize,
    pub false_urgent: usize,
    pub p50_us: f64,
    pub p99_us: f64,
    /// Replies given with the caution tier's warning signs.
    pub cautioned: usize,
    /// Per triage concept and per look-alike context, where cases name them.
    pub triage_groups: Vec<Group>,
    pub misses: Vec<Miss>,
}

/// Reasons a case file cannot be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("case file is not valid: {0}")]
    Syntax(String),
    #[error("case file has no [[case]] entries")]
    Empty,
    #[error("case {index} (\"{question}\") expects unknown entry \"{expect}\"")]
    UnknownExpect {
        index: usize,
        question: String,
        expect: String,
    },
}

/// Parses a case file, without checking its `expect`s against a FAQ (for
/// a bench that needs only the questions, and builds its FAQs later).
pub fn read_cases(text: &str) -> Result<Vec<Case>, CaseError> {
    let file: CaseFile = toml::from_str(text).map_err(|e| CaseError::Syntax(e.to_string()))?;
    if file.case.is_empty() {
        return Err(CaseError::Empty);
    }
    Ok(file.case)
}

/// Parses a case file and checks every `expect` names a real outcome.
pub fn parse_cases(text: &str, engine: &Engine) -> Result<Vec<Case>, CaseError> {
    let cases = read_cases(text)?;
    for (i, c) in cases.iter().enumerate() {
        if c.expected() == Outcome::Answer && engine.faq().entry(&c.expect).is_none() {
            return Err(CaseError::UnknownExpect {
                index: i + 1,
                question: c.question.clone(),
                expect: c.expect.clone(),
            });
        }
    }
    Ok(cases)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Cases read and embedded together: the encoder's work for many questions
/// in one pass (as the bot's queue does), which keeps a run over thousands
/// of cases quick. Each case's latency is its own work plus its share of
/// its batch's.
const EVAL_BATCH: usize = 64;

/// Runs every case and scores the results.
pub fn run(engine: &Engine, cases: &[Case]) -> Report {
    let mut latencies = Vec::with_capacity(cases.len());
    let mut misses = Vec::new();
    let (mut answerable_total, mut answerable_correct) = (0, 0);
    let (mut none_total, mut none_correct) = (0, 0);
    let (mut urgent_total, mut urgent_correct, mut false_urgent) = (0, 0, 0);
    let mut cautioned = 0;
    let mut groups: Vec<Group> = Vec::new();
    for chunk in cases.chunks(EVAL_BATCH) {
        let start = Instant::now();
        let reads: Vec<Read> = chunk.iter().map(|c| engine.read(&c.question)).collect();
        let texts: Vec<&str> = reads.iter().flat_map(Read::encoder_texts).collect();
        // As in `Engine::explain`, an encoder error decides without it.
        let mut vectors = match engine.model() {
            Some(m) if !texts.is_empty() => m.encoder.embed_all(&texts).ok(),
            _ => None,
        }
        .map(Vec::into_iter);
        let share = start.elapsed() / chunk.len().max(1) as u32;
        for (case, read) in chunk.iter().zip(reads) {
            let start = Instant::now();
            let wanted = read.encoder_texts().len();
            let vector = match vectors.as_mut() {
                Some(all) => all.by_ref().take(wanted).collect(),
                None => Vec::new(),
            };
            let e = engine.explain_read(read, vector);
            let reply = engine.decide(&e, Strictness::Asked);
            latencies.push((start.elapsed() + share).as_secs_f64() * 1e6);
            let (expected, got) = (case.expected(), reply.outcome());
            let ok = reply.verdict() == case.expect;
            let (total, correct) = match expected {
                Outcome::Answer => (&mut answerable_total, &mut answerable_correct),
                Outcome::NoMatch => (&mut none_total, &mut none_correct),
                Outcome::Urgent => (&mut urgent_total, &mut urgent_correct),
            };
            *total += 1;
            *correct += usize::from(ok);
            let urgent = got == Outcome::Urgent;
            if urgent && expected != Outcome::Urgent {
                false_urgent += 1;
            }
            cautioned += usize::from(reply.caution().is_some());
            let group = match (expected, &case.concept, &case.context) {
                (Outcome::Urgent, Some(concept), _) => Some((format!("urgent: {concept}"), urgent)),
                (Outcome::Answer | Outcome::NoMatch, _, Some(context)) => {
                    Some((format!("look-alike: {context}"), !urgent))
                }
                _ => None,
            };
            if let Some((name, good)) = group {
                let at = match groups.iter().position(|g: &Group| g.name == name) {
                    Some(at) => at,
                    None => {
                        groups.push(Group {
                            name,
                            total: 0,
                            triaged_right: 0,
                        });
                        groups.len() - 1
                    }
                };
                groups[at].total += 1;
                groups[at].triaged_right += usize::from(good);
            }
            if !ok {
                misses.push(Miss {
                    question: case.question.clone(),
                    expect: case.expect.clone(),
                    got: reply.verdict().to_owned(),
                });
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let total = cases.len();
    let correct = answerable_correct + none_correct + urgent_correct;
    Report {
        total,
        correct,
        accuracy: if total == 0 {
            0.0
        } else {
            correct as f64 / total as f64
        },
        answerable_total,
        answerable_correct,
        none_total,
        none_correct,
        urgent_total,
        urgent_correct,
        false_urgent,
        p50_us: (percentile(&latencies, 50.0) * 10.0).round() / 10.0,
        p99_us: (percentile(&latencies, 99.0) * 10.0).round() / 10.0,
        cautioned,
        triage_groups: {
            groups.sort_by(|a, b| a.name.cmp(&b.name));
            groups
        },
        misses,
    }
}

/// `faqbot eval --verbose`'s listing: every case, a line each, with its
/// mark (ok or MISS), score, margin over the runner-up, what it expects,
/// what it got, and the question.
pub fn listing(engine: &Engine, cases: &[Case]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for case in cases {
        let e = engine.explain(&case.question);
        let reply = engine.decide(&e, Strictness::Asked);
        let mark = if reply.verdict() == case.expect {
            "ok  "
        } else {
            "MISS"
        };
        let _ = writeln!(
            out,
            "{mark} {:.3} {:+.3} {:<26} {:<26} {:?}",
            reply.score(),
            e.ranking.margin(),
            case.expect,
            reply.verdict(),
            case.question
        );
    }
    out
}

/// Triage figures for one concept (urgent cases caught) or one
/// non-urgent context (look-alikes not raised as urgent).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub name: String,
    pub total: usize,
    /// Urgent cases routed to urgent, or look-alikes kept from it.
    pub triaged_right: usize,
}

impl Report {
    /// The human-readable report.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let pct = |a: usize, b: usize| {
            if b == 0 {
                100.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "overall     {:>4}/{:<4} {:5.1}%",
            self.correct,
            self.total,
            pct(self.correct, self.total)
        );
        let _ = writeln!(
            out,
            "answerable  {:>4}/{:<4} {:5.1}%",
            self.answerable_correct,
            self.answerable_total,
            pct(self.answerable_correct, self.answerable_total)
        );
        let _ = writeln!(
            out,
            "no match    {:>4}/{:<4} {:5.1}%",
            self.none_correct,
            self.none_total,
            pct(self.none_correct, self.none_total)
        );
        let _ = writeln!(
            out,
            "urgent      {:>4}/{:<4} {:5.1}%",
            self.urgent_correct,
            self.urgent_total,
            pct(self.urgent_correct, self.urgent_total)
        );
        let _ = writeln!(out, "false urgent {}", self.false_urgent);
        let _ = writeln!(
            out,
            "caution     {} (answered or not, with the warning signs)",
            self.cautioned
        );
        for g in &self.triage_groups {
            let _ = writeln!(
                out,
                "  {:<44} {:>3}/{:<3} triaged right",
                g.name, g.triaged_right, g.total
            );
        }
        let _ = writeln!(
            out,
            "latency     p50 {:.1} µs, p99 {:.1} µs",
            self.p50_us, self.p99_us
        );
        if !self.misses.is_empty() {
            let _ = writeln!(out, "\nmisses:");
            for m in &self.misses {
                let _ = writeln!(
                    out,
                    "  expected {:<26} got {:<26} {:?}",
                    m.expect, m.got, m.question
                );
            }
        }
        out
    }
}
