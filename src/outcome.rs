//! What a reply came to, named once: the [`crate::reply::Reply`], the
//! question log and its reports, `faqbot ask --json` and the evaluation
//! all speak this one type, so their names cannot drift apart.

use std::fmt;
use std::str::FromStr;

/// The word evaluation cases use for a question the bot should not answer.
const NO_MATCH_WORD: &str = "none";
/// The word evaluation cases use for a question that must get the urgent message.
const URGENT_WORD: &str = "urgent";

/// Ids no FAQ entry may take: evaluation cases (faq-spec §4) write an
/// outcome that is not an answer with these words, where an answer is
/// written as its entry's id, so an entry of that name could not be told
/// from the outcome.
pub const RESERVED_IDS: &[&str] = &[NO_MATCH_WORD, URGENT_WORD];

/// What the bot replied. The caution tier is not an outcome of its own:
/// it is the warning signs added to an answer or a no-match reply (in
/// `faqbot ask --json`, kind "answer" with `"caution": true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// An entry's answer.
    Answer,
    /// No entry fits well enough to answer; no guess.
    NoMatch,
    /// Reads like a complication: the urgent-care message.
    Urgent,
}

impl Outcome {
    /// Every outcome, in the order reports list them.
    pub const ALL: [Outcome; 3] = [Outcome::Answer, Outcome::NoMatch, Outcome::Urgent];

    /// The outcome's name in `faqbot ask --json`'s `kind` (faq-spec §3), in
    /// the bot's logs and in the question log's `outcome` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Answer => "answer",
            Outcome::NoMatch => "no_match",
            Outcome::Urgent => "urgent",
        }
    }

    /// The word an evaluation case expects this outcome by (faq-spec §4);
    /// none for an answer, which a case names by its entry's id.
    pub const fn case_word(self) -> Option<&'static str> {
        match self {
            Outcome::Answer => None,
            Outcome::NoMatch => Some(NO_MATCH_WORD),
            Outcome::Urgent => Some(URGENT_WORD),
        }
    }

    /// The outcome an evaluation case's `expect` names: a reserved word's
    /// outcome, or an answer for anything else (an entry's id).
    pub fn of_case(expect: &str) -> Outcome {
        Outcome::ALL
            .into_iter()
            .find(|o| o.case_word() == Some(expect))
            .unwrap_or(Outcome::Answer)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no outcome's [`Outcome::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no outcome is called {0:?} (known: answer, no_match, urgent)")]
pub struct UnknownOutcome(pub String);

impl FromStr for Outcome {
    type Err = UnknownOutcome;

    /// The outcome named by [`Outcome::as_str`].
    fn from_str(name: &str) -> Result<Outcome, UnknownOutcome> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == name)
            .ok_or_else(|| UnknownOutcome(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each outcome's names, as faq-spec §3 (JSON kind) and §4 (case
    /// words) fix them, and both read back to the outcome.
    #[test]
    fn names_table() {
        let rows = [
            (Outcome::Answer, "answer", None),
            (Outcome::NoMatch, "no_match", Some("none")),
            (Outcome::Urgent, "urgent", Some("urgent")),
        ];
        for (outcome, name, word) in rows {
            assert_eq!(outcome.as_str(), name);
            assert_eq!(outcome.to_string(), name);
            assert_eq!(name.parse::<Outcome>(), Ok(outcome));
            assert_eq!(outcome.case_word(), word);
            if let Some(word) = word {
                assert_eq!(Outcome::of_case(word), outcome);
            }
        }
        assert_eq!(rows.len(), Outcome::ALL.len());
    }

    /// An entry id is an answer, whatever it looks like; only the
    /// reserved words are not; unknown names do not parse.
    #[test]
    fn cases_and_unknown_names() {
        for id in ["session-count", "answer", "no_match", "None", "urgent-care"] {
            assert_eq!(Outcome::of_case(id), Outcome::Answer, "{id}");
        }
        for name in ["none", "Answer", "", "no match"] {
            assert!(name.parse::<Outcome>().is_err(), "{name}");
        }
    }

    /// The reserved ids are exactly the case words of the outcomes that
    /// are not an answer.
    #[test]
    fn reserved_ids_are_the_case_words() {
        let words: Vec<&str> = Outcome::ALL.iter().filter_map(|o| o.case_word()).collect();
        assert_eq!(words, RESERVED_IDS);
    }
}
