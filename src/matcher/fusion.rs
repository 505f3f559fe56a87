//! One decision from two signals.
//!
//! The lexical matcher is precise on the words an FAQ uses; the encoder
//! understands paraphrase it has never seen. Each candidate entry gets one
//! confidence, a weighted sum of the two:
//!
//! ```text
//! confidence = LEXICAL_WEIGHT × lexical + (1 − LEXICAL_WEIGHT) × semantic
//! semantic   = mean cosine of the entry's TOP_K nearest phrasings
//! ```
//!
//! (a second phrasing that agrees is better evidence than the single
//! nearest one, which one odd phrasing can decide; a third already reaches
//! into phrasings of another aspect of the entry. So a phrasing that
//! nothing else in its entry supports can lose to a neighbour: `check`
//! reports it, and the fix is a sibling phrasing, as for any weak one). The best entry is
//! answered when its confidence reaches the threshold and beats the
//! runner-up by the margin; a question that names a subject the FAQ lists
//! as not covered gets no answer, whatever the scores.
//!
//! The threshold is calibrated per FAQ, not fixed: cosines run higher on an
//! FAQ of near neighbours. It is [`ANSWER_AT`] times how well this FAQ's own
//! phrasings match the nearest other phrasing of their entry (leave one
//! out, [`Calibration::in_domain`]): a question is answered when it is
//! about as close to an entry as its own phrasings are to each other.
//!
//! The constants were chosen on the project's tuning sets and checked on
//! the foreign CLINC150 FAQ and the frozen holdout (BENCHMARKS.md), with no
//! change to the code between FAQs.

use super::semantic::{Calibration, Nearest};
use crate::reply::NoMatchReason;

/// Weight of the lexical score in the confidence: the encoder carries most
/// of it, the lexical score breaks its ties on the FAQ's own words. 0.25 to
/// 0.4 transferred best between FAQs.
pub const LEXICAL_WEIGHT: f64 = 0.3;
/// The threshold, as a share of this FAQ's in-domain cosine level.
pub const ANSWER_AT: f64 = 0.58;
/// The best entry must beat the runner-up by this much, or it is a
/// toss-up and the bot lists both instead of guessing.
pub const MIN_MARGIN: f64 = 0.005;
/// In channels the bot reads unprompted, the threshold is this much
/// higher (a factor): nobody asked, so only a sure answer.
pub const OVERHEARD_FACTOR: f64 = 1.15;

/// What to do with a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Answer {
        entry: usize,
        score: f64,
        margin: f64,
    },
    NoMatch {
        score: f64,
        reason: NoMatchReason,
    },
}

/// An entry's semantic score: the mean of its
/// [`TOP_K`](super::semantic::TOP_K) nearest phrasings.
pub fn semantic_score(n: &Nearest) -> f64 {
    f64::from(n.top_mean)
}

/// The one confidence for an entry.
pub fn confidence(lexical: f64, semantic: Option<f64>) -> f64 {
    match semantic {
        Some(s) => LEXICAL_WEIGHT * lexical + (1.0 - LEXICAL_WEIGHT) * s,
        None => lexical,
    }
}

/// The threshold for this FAQ.
pub fn threshold(cal: &Calibration, overheard: bool) -> f64 {
    let base = ANSWER_AT * f64::from(cal.in_domain);
    if overheard {
        base * OVERHEARD_FACTOR
    } else {
        base
    }
}

/// The fused decision from the candidates' confidences, best first
/// (`(entry, confidence)`).
pub fn decide(
    cal: &Calibration,
    ranked: &[(usize, f64)],
    off_topic: Option<&str>,
    overheard: bool,
) -> Decision {
    if let Some(term) = off_topic {
        return Decision::NoMatch {
            score: ranked.first().map_or(0.0, |r| r.1),
            reason: NoMatchReason::OffTopic(term.to_owned()),
        };
    }
    let Some(&(best, score)) = ranked.first() else {
        return Decision::NoMatch {
            score: 0.0,
            reason: NoMatchReason::NothingInCommon,
        };
    };
    let margin = score - ranked.get(1).map_or(0.0, |r| r.1);
    if score < threshold(cal, overheard) {
        Decision::NoMatch {
            score,
            reason: NoMatchReason::LowScore,
        }
    } else if margin < MIN_MARGIN {
        Decision::NoMatch {
            score,
            reason: NoMatchReason::Ambiguous,
        }
    } else {
        Decision::Answer {
            entry: best,
            score,
            margin,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The decision's arithmetic, stated through the named constants (as
    //! nucleo states its scores), so a retuned constant needs no new numbers.
    use super::*;

    const CAL: Calibration = Calibration {
        in_domain: 0.8,
        off_topic: 0.4,
        self_consistency: 0.9,
    };

    #[test]
    fn confidence_is_the_weighted_sum() {
        let table: &[(f64, Option<f64>, f64)] = &[
            (
                0.5,
                Some(0.7),
                LEXICAL_WEIGHT * 0.5 + (1.0 - LEXICAL_WEIGHT) * 0.7,
            ),
            (1.0, Some(0.0), LEXICAL_WEIGHT),
            (0.0, Some(1.0), 1.0 - LEXICAL_WEIGHT),
            // No encoder: the lexical score alone.
            (0.42, None, 0.42),
        ];
        for &(lexical, semantic, want) in table {
            assert!(
                (confidence(lexical, semantic) - want).abs() < 1e-12,
                "{lexical} {semantic:?}"
            );
        }
    }

    #[test]
    fn semantic_score_is_the_mean_of_the_nearest() {
        let n = Nearest {
            cosine: 0.9,
            top_mean: 0.75,
            phrasing: 0,
        };
        assert_eq!(semantic_score(&n), f64::from(n.top_mean));
    }

    #[test]
    fn threshold_scales_with_the_faq() {
        let asked = ANSWER_AT * f64::from(CAL.in_domain);
        assert!((threshold(&CAL, false) - asked).abs() < 1e-12);
        assert!((threshold(&CAL, true) - asked * OVERHEARD_FACTOR).abs() < 1e-12);
    }

    #[test]
    fn decisions_at_the_edges() {
        let t = threshold(&CAL, false);
        let answer = |d: &Decision| matches!(d, Decision::Answer { entry: 3, .. });
        let reason = |d: &Decision| match d {
            Decision::NoMatch { reason, .. } => Some(reason.clone()),
            Decision::Answer { .. } => None,
        };
        // At the threshold, clear of the runner-up: answered.
        let d = decide(&CAL, &[(3, t), (4, t - 2.0 * MIN_MARGIN)], None, false);
        assert!(answer(&d), "{d:?}");
        // Just under it: too low.
        let d = decide(&CAL, &[(3, t - 1e-9), (4, 0.0)], None, false);
        assert_eq!(reason(&d), Some(NoMatchReason::LowScore));
        // Above it but within the margin of the runner-up: a toss-up.
        let d = decide(
            &CAL,
            &[(3, t + 0.1), (4, t + 0.1 - MIN_MARGIN / 2.0)],
            None,
            false,
        );
        assert_eq!(reason(&d), Some(NoMatchReason::Ambiguous));
        // Overheard: the same score is not enough.
        let d = decide(&CAL, &[(3, t), (4, 0.0)], None, true);
        assert_eq!(reason(&d), Some(NoMatchReason::LowScore));
        // A subject the FAQ does not cover vetoes any score.
        let d = decide(&CAL, &[(3, 1.0), (4, 0.0)], Some("botox"), false);
        assert_eq!(reason(&d), Some(NoMatchReason::OffTopic("botox".into())));
        // Nothing ranked.
        let d = decide(&CAL, &[], None, false);
        assert_eq!(reason(&d), Some(NoMatchReason::NothingInCommon));
    }
}
