//! The context of one mention: is it the writer's own symptom now, or a
//! question in general, the past, someone else's, negated or figurative?
//! Each cue is scoped: a negation to its clause and the words just before
//! the mention, frames to the mention's sentence.

use super::words::unnegated_cue_in;
use super::Clause;
use crate::faq::TriageSettings;

/// What a mention's surroundings make of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The writer's own symptom, now (or a bare report): urgent.
    Current,
    /// Asked about in general or hypothetically: caution.
    General,
    /// In a question ("should I use my EpiPen?"): caution, but urgent for
    /// `always` concepts, which no asking makes safe.
    Asked,
    /// In the past or before treatment: caution.
    Past,
    /// Someone else's: caution (urgent for `always` concepts).
    Other,
    /// An expected, mild effect now: caution.
    Mild,
    /// Negated or said to be over: nothing.
    Negated,
    /// Used figuratively: nothing.
    Figurative,
    /// No lexicon term, but the message is close to a red flag's examples.
    Semantic,
    /// A lexicon report the encoder finds unlike every complication
    /// example: the signals disagree, so caution, not alarm.
    Disputed,
}

impl Context {
    /// How staff read it in `--explain` and `/faqadmin test`.
    pub fn describe(self) -> &'static str {
        match self {
            Context::Current => "a current report",
            Context::General => "asked in general",
            Context::Asked => "in a question",
            Context::Past => "in the past or before treatment",
            Context::Other => "someone else's, or another cause",
            Context::Mild => "a mild, expected effect now",
            Context::Negated => "negated",
            Context::Figurative => "figurative",
            Context::Semantic => "close to a red flag's examples, with no lexicon term",
            Context::Disputed => "named, but unlike any complication example",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Cues {
    negations: Vec<Vec<String>>,
    window: usize,
    resolved: Vec<Vec<String>>,
    general: Vec<Vec<String>>,
    /// The `general` cues that count after the mention too: not those that
    /// open a question ("what do I do" after a report asks about it).
    general_after: Vec<Vec<String>>,
    past: Vec<Vec<String>>,
    others: Vec<Vec<String>>,
    other_causes: Vec<Vec<String>>,
    /// The FAQ's own treatment (`[off_topic] anchors`): a cause that names
    /// it too ("after microneedling + filler") stays ours.
    anchors: Vec<Vec<String>>,
    figurative: Vec<Vec<String>>,
    current: Vec<Vec<String>>,
    follow_up: Vec<Vec<String>>,
    before: Vec<Vec<String>>,
    recent: Vec<Vec<String>>,
    /// `visits` and the FAQ's own treatment (`anchors`): what the clinic does.
    visits: Vec<Vec<String>>,
    /// [`PERIODS`] as stems.
    periods: Vec<String>,
    continuing: Vec<Vec<String>>,
    modal: Vec<String>,
    asking: Vec<String>,
    elided: Vec<String>,
    personal: Vec<String>,
}

impl Cues {
    pub(super) fn new(
        t: &TriageSettings,
        anchors: &[String],
        phrase: fn(&str) -> Vec<String>,
    ) -> Cues {
        let list = |v: &[String]| {
            v.iter()
                .map(|p| phrase(p))
                .filter(|p| !p.is_empty())
                .collect()
        };
        let mut cues = Cues {
            negations: list(&t.negations),
            window: t.negation_window,
            // As written, not stemmed: "stopped" says it is over, "stop"
            // ("will it stop?") does not.
            resolved: t
                .resolved
                .iter()
                .map(|p| crate::text::words(p))
                .filter(|p| !p.is_empty())
                .collect(),
            general: list(&t.general),
            general_after: Vec::new(),
            past: list(&t.past),
            others: list(&t.others),
            other_causes: list(&t.other_causes),
            anchors: list(anchors),
            figurative: list(&t.figurative),
            current: list(&t.current),
            follow_up: list(&t.follow_up),
            before: list(&t.before),
            recent: list(&t.recent),
            visits: list(&t.visits).into_iter().chain(list(anchors)).collect(),
            periods: PERIODS.iter().map(|p| crate::text::stem(p)).collect(),
            continuing: list(&t.continuing),
            modal: t
                .modal_questions
                .iter()
                .map(|w| phrase(w).concat())
                .collect(),
            asking: t
                .plain_questions
                .iter()
                .map(|w| phrase(w).concat())
                .collect(),
            elided: t
                .elided_subject
                .iter()
                .map(|w| phrase(w).concat())
                .collect(),
            personal: t.personal.iter().map(|w| phrase(w).concat()).collect(),
        };
        cues.general_after = cues
            .general
            .iter()
            .filter(|g| !g.first().is_some_and(|w| cues.opens_question(w)))
            .cloned()
            .collect();
        cues
    }

    /// The context of the mention at `start..=end` of `clause`.
    pub(super) fn context(
        &self,
        clauses: &[Clause],
        clause: &Clause,
        start: usize,
        end: usize,
    ) -> Context {
        let s = &clause.stems;
        let lo = start.saturating_sub(self.window);
        // A negation negates the mention, unless a verb of continuing comes
        // between them: "won't stop bleeding", "not going away" assert it goes on.
        // A negation before a list of alternatives reaches each of them
        // ("no swelling or trouble breathing"): "or" stretches the window.
        let listed = |k: usize| {
            clause.words[k + 1..start]
                .iter()
                .any(|w| ALTERNATIVES.contains(&w.as_str()))
        };
        let far = start.saturating_sub(self.window * LIST_WINDOW_FACTOR);
        let negated = (far..start).any(|k| {
            self.negations
                .iter()
                .any(|n| s[k..start].starts_with(n) && !idiom_after(&clause.words, k + n.len()))
                && (k >= lo || listed(k))
                && !self
                    .continuing
                    .iter()
                    .any(|c| clause.has_in(c, k + 1..start))
                && !unable(&clause.words, k, start)
        });
        let at = clauses
            .iter()
            .position(|c| std::ptr::eq(c, clause))
            .unwrap_or(0);
        if negated || answered_no(clauses, at) || onset_denied(&clause.words, end) {
            return Context::Negated;
        }
        // A word saying it is over cancels the mention, unless it is
        // itself negated: "never wore off" and "hasn't gone down" say the
        // opposite.
        let stop = end + 1 + RESOLVED_AFTER;
        let resolved = ((end + 1..stop.min(s.len())).any(|k| self.resolved_at(clause, k, stop))
            || ended(clause, end))
            && !returned(clause, end);
        let ends = |c: &Clause| (0..c.words.len()).any(|k| self.resolved_at(c, k, c.words.len()));
        if (resolved || self.resolved_next(clauses, at)) && !came_back(clauses, at, ends) {
            return Context::Negated;
        }
        if self.figurative.iter().any(|f| clause.has(f)) {
            return Context::Figurative;
        }
        // Frames before the mention in its sentence: the earlier clauses
        // of the sentence whole, and this clause up to the mention.
        let earlier = || {
            clauses
                .iter()
                .take_while(|c| !std::ptr::eq(*c, clause))
                .filter(|c| c.sentence == clause.sentence)
        };
        let before_in = |cues: &[Vec<String>]| {
            cues.iter()
                .any(|cue| clause.has_in(cue, 0..start) || earlier().any(|c| c.has(cue)))
        };
        // General frames count before the mention in its sentence, or
        // anywhere in its own clause ("is infection a risk") unless they
        // open a question ("…, what do I do" asks about the report).
        // So does a condition opening the mention's part of the sentence
        // ("if the pain gets really bad, who do I call?").
        let conditional = frame(clauses, at)
            .first()
            .and_then(|c| c.words.first())
            .is_some_and(|w| CONDITIONALS.contains(&w.as_str()));
        let after = self.general_after.iter().any(|g| clause.has(g));
        if conditional || before_in(&self.general) || after {
            return Context::General;
        }
        if self.is_question(clauses, at) {
            return Context::Asked;
        }
        if clause.ahead {
            return Context::Past;
        }
        // The past covers its clause and the clauses after it in the
        // sentence ("years ago I reacted to a mask, hives and all"), until
        // a clause speaks of the present ("3 weeks ago, now I have …, hard
        // lumps"); a word of the present in the mention's own clause wins
        // ("swollen since last week", "last week I had it done, now my
        // cheek is hot").
        let any = |cues: &[Vec<String>]| cues.iter().any(|cue| clause.has(cue));
        let past_in = |c: &Clause| self.past_in(c);
        let past_before = || {
            let earlier: Vec<&Clause> = earlier().collect();
            earlier.iter().rposition(|c| past_in(c)).is_some_and(|p| {
                !earlier[p..]
                    .iter()
                    .any(|c| self.current.iter().any(|cue| c.has(cue)))
            })
        };
        if (past_in(clause) || past_before()) && !any(&self.current) {
            return Context::Past;
        }
        if self.someone_else(earlier().collect(), &s[..start])
            || self.other_cause(clauses, clause, start, end)
        {
            return Context::Other;
        }
        Context::Current
    }

    /// Whether a sentence after `sentence` reports the present in its own
    /// voice (a `follow_up` word, and not itself a question): after "is it
    /// normal to blister?", "got two big ones this morning" says whose
    /// blisters, and when.
    pub(super) fn reported_after(&self, clauses: &[Clause], sentence: usize) -> bool {
        (0..clauses.len()).any(|at| {
            let c = &clauses[at];
            c.sentence > sentence
                && self.speaks_of_now(c)
                && !self.is_question(clauses, at)
                && !self.general.iter().any(|g| c.has(g))
        })
    }

    /// Whether a clause places what it says in the writer's present (a
    /// `follow_up` word: "still", "since", "this morning").
    pub(super) fn speaks_of_now(&self, clause: &Clause) -> bool {
        self.follow_up.iter().any(|cue| clause.has(cue))
    }

    /// Whether the words before a mention (its sentence's earlier clauses,
    /// then its own clause up to it) make it someone else's: an `others`
    /// cue with the writer not the subject after it. "My partner says I
    /// feel faint" is the writer's; "my sister's lips are swollen" and
    /// "a tattoo on my arm is crusty" are not (a possessive names a body
    /// part, not who reports).
    fn someone_else(&self, earlier: Vec<&Clause>, own: &[String]) -> bool {
        let words: Vec<&String> = earlier
            .iter()
            .flat_map(|c| c.stems.iter())
            .chain(own.iter())
            .collect();
        let cue_end = (0..words.len())
            .filter_map(|k| {
                self.others
                    .iter()
                    .find(|cue| {
                        !cue.is_empty()
                            && k + cue.len() <= words.len()
                            && words[k..k + cue.len()]
                                .iter()
                                .zip(cue.iter())
                                .all(|(a, b)| *a == b)
                    })
                    .filter(|_| !bystander(&words, k))
                    .map(|cue| k + cue.len())
            })
            .max();
        // "My husband noticed …" reports what the writer has: a verb of
        // noticing right after the cue hands the subject back.
        cue_end.is_some_and(|end| {
            !words[end..].iter().any(|w| WRITER.contains(&w.as_str()))
                && !words[end..(end + REPORT_REACH).min(words.len())]
                    .iter()
                    .any(|w| REPORTING.contains(&w.as_str()))
        })
    }

    /// Whether another cause's name starts at word `k` of a clause: a
    /// term just before it only says where that cause went ("lip filler",
    /// "eye drops"), and is no symptom.
    pub(super) fn cause_at(&self, clause: &Clause, k: usize) -> bool {
        self.other_causes
            .iter()
            .any(|cue| clause.has_in(cue, k..k + cue.len()))
    }

    /// Whether another treatment, product or event is named as the
    /// mention's cause: before it in its sentence ("had filler and now a
    /// hard lump": whoever the subject is), or after it following a word
    /// of cause ("blisters on my lip after waxing", "numb from the botox").
    pub(super) fn other_cause(
        &self,
        clauses: &[Clause],
        clause: &Clause,
        start: usize,
        end: usize,
    ) -> bool {
        // A cause in a comparison is not the cause: "feels like sunburn",
        // "a sunburn-like rash".
        let cue_at = |c: &Clause, range: std::ops::Range<usize>| {
            let w = &c.words;
            self.other_causes.iter().any(|cue| {
                range.clone().any(|k| {
                    let end = k + cue.len();
                    let compared = (k.saturating_sub(SIMILE_REACH)..k)
                        .any(|j| SIMILES.contains(&w[j].as_str()))
                        || w.get(end).is_some_and(|x| SIMILES.contains(&x.as_str()))
                        || k.checked_sub(1)
                            .is_some_and(|j| SENSATIONS.contains(&w[j].as_str()));
                    end <= range.end && c.has_in(cue, k..end) && !compared
                })
            })
        };
        let mut seen = false;
        for c in clauses.iter().filter(|c| c.sentence == clause.sentence) {
            let here = std::ptr::eq(c, clause);
            if !seen && !here {
                if cue_at(c, 0..c.words.len()) {
                    return true;
                }
                continue;
            }
            let from = if here {
                seen = true;
                if cue_at(c, 0..start) {
                    return true;
                }
                end + 1
            } else {
                0
            };
            // Behind "after", ours named among the causes keeps it ours
            // ("after microneedling + filler"); ours named elsewhere in the
            // sentence ("…, and microneedling is booked") does not.
            let caused = (from..c.words.len()).any(|k| {
                let named = k + 1..(k + 2 + CAUSE_REACH + ANCHOR_SLACK).min(c.words.len());
                CAUSE_MARKERS.contains(&c.words[k].as_str())
                    && !(k > 0 && COMPARING.contains(&c.words[k - 1].as_str()))
                    && cue_at(c, k + 1..(k + 2 + CAUSE_REACH).min(c.words.len()))
                    && !self.anchors.iter().any(|a| c.has_in(a, named.clone()))
            });
            if caused {
                return true;
            }
        }
        false
    }

    /// Whether a word opens a question: a question word, a modal, or a
    /// form of be or do.
    fn opens_question(&self, word: &str) -> bool {
        QUESTION_WORDS.contains(&word)
            || self.modal.iter().any(|m| m == word)
            || self.asking.iter().any(|a| a == word)
    }

    /// Whether a clause speaks of the present ("are swelling", "now",
    /// "since this morning").
    pub(super) fn is_present(&self, clause: &Clause) -> bool {
        self.current.iter().any(|cue| clause.has(cue))
    }

    /// Whether the clause after `at`, in the same sentence, says that what
    /// came before is over, referring back to it: it opens with the word
    /// of resolution, or a pronoun comes just before it ("blisters, but
    /// they healed in a week", "a bit puffy but going down", "took an
    /// antihistamine and they disappeared"). A clause with a subject of its
    /// own ("but the swelling has gone down") speaks of that.
    fn resolved_next(&self, clauses: &[Clause], at: usize) -> bool {
        let (Some(here), Some(next)) = (clauses.get(at), clauses.get(at + 1)) else {
            return false;
        };
        if next.sentence != here.sentence {
            return false;
        }
        let w = &next.words;
        (0..w.len()).any(|k| {
            let refers_back = k == 0
                || w[k.saturating_sub(ANAPHORA_REACH)..k]
                    .iter()
                    .any(|x| ANAPHORA.contains(&x.as_str()));
            refers_back && self.resolved_at(next, k, w.len())
        })
    }

    /// Whether a `resolved` cue, not negated, starts at word `k` of the
    /// clause and ends before `stop`; not when a place follows it, which
    /// makes it a direction: "going down my neck" spreads, "going down"
    /// settles.
    fn resolved_at(&self, clause: &Clause, k: usize, stop: usize) -> bool {
        let w = &clause.words;
        // What should happen is not what did: "swelling should be going
        // down but my jaw is bigger" reports the swelling.
        let expected = w[k.saturating_sub(EXPECTING_REACH)..k.min(w.len())]
            .iter()
            .any(|x| EXPECTING.contains(&x.as_str()));
        if expected {
            return false;
        }
        let directed = self.resolved.iter().any(|c| {
            c.last().is_some_and(|l| MOTION.contains(&l.as_str()))
                && w[k.min(w.len())..].starts_with(c)
                && w.get(k + c.len())
                    .is_some_and(|next| PLACES.contains(&next.as_str()))
        });
        // A state dated earlier is how it was before, not an end: "the
        // pain is unbearable, it was fine yesterday" (but "it stopped
        // yesterday" is an end).
        let dated_earlier = self.resolved.iter().any(|c| {
            let next = |i: usize| w.get(k + c.len() + i).map(String::as_str);
            w[k.min(w.len())..].starts_with(c)
                && c.last().is_some_and(|l| STATES.contains(&l.as_str()))
                && (next(0).is_some_and(|n| EARLIER.contains(&n))
                    || (next(0) == Some("at") && next(1) == Some("first")))
        });
        !directed
            && !dated_earlier
            && unnegated_cue_in(
                &clause.words,
                &clause.stems,
                k,
                stop,
                &self.resolved,
                &self.negations,
            )
    }

    /// The context of something placed only by its sentence (a temperature).
    pub(super) fn sentence_context(&self, clauses: &[Clause], sentence: usize) -> Context {
        let first = clauses.iter().position(|c| c.sentence == sentence);
        if self.in_sentence(clauses, sentence, &self.general)
            || first.is_some_and(|at| self.is_question(clauses, at))
        {
            Context::General
        } else if clauses.iter().any(|c| c.ahead)
            || (clauses
                .iter()
                .any(|c| c.sentence == sentence && self.past_in(c))
                && !self.in_sentence(clauses, sentence, &self.current))
        {
            Context::Past
        } else if self.in_sentence(clauses, sentence, &self.others)
            || self.in_sentence(clauses, sentence, &self.other_causes)
        {
            Context::Other
        } else {
            Context::Current
        }
    }

    /// A question that asks rather than reports: it opens with a modal
    /// ("can a roller cause …", "could I get …"; not "can't breathe"), or
    /// with a form of be or do and says nothing of the writer ("is the
    /// pain worse with RF?"). The mood is the frame's: the clauses from the
    /// sentence's start, or from a contrastive conjunction, up to the next
    /// one. "Was healing fine but since Thursday it hurts more" reports
    /// after its "but" whatever the opening word was.
    fn is_question(&self, clauses: &[Clause], at: usize) -> bool {
        let frame = frame(clauses, at);
        let Some(first) = frame.first() else {
            return false;
        };
        let Some(opening) = first.stems.first() else {
            return false;
        };
        let negated_next = first.stems.get(1).is_some_and(|w| {
            self.negations.iter().any(|n| n.len() == 1 && &n[0] == w) || self.elided.contains(w)
        });
        if self.modal.contains(opening) && !negated_next {
            return true;
        }
        self.asking.contains(opening)
            && !negated_next
            && !frame
                .iter()
                .any(|c| c.stems.iter().any(|w| self.personal.contains(w)))
    }

    /// Whether a clause is framed in the past: a `past` cue outside a
    /// period that runs up to now ("last week" is past, "in the last week"
    /// is recent), or a date.
    fn past_in(&self, c: &Clause) -> bool {
        dated(c) || self.past_cues(c).next().is_some()
    }

    /// Where `past` cues start in a clause, outside periods up to now.
    fn past_cues<'a>(&'a self, c: &'a Clause) -> impl Iterator<Item = usize> + 'a {
        (0..c.stems.len()).filter(move |&k| {
            self.past.iter().any(|cue| c.has_in(cue, k..k + cue.len()))
                && !self.in_recent_period(c, k)
        })
    }

    /// Whether the past frame of a mention's clause only dates a visit
    /// there ("bumps where they needled me a month ago"), with no past
    /// frame in the sentence before it ("had a lump after my session last
    /// year, the doctor said granuloma" is a story).
    pub(super) fn past_only_dates_visits(&self, clauses: &[Clause], clause: &Clause) -> bool {
        let earlier_past = clauses
            .iter()
            .take_while(|c| !std::ptr::eq(*c, clause))
            .filter(|c| c.sentence == clause.sentence)
            .any(|c| self.past_in(c));
        if earlier_past || dated(clause) {
            return false;
        }
        let mut cues = self.past_cues(clause).peekable();
        cues.peek().is_some()
            && cues.all(|k| {
                (k.saturating_sub(VISIT_REACH)..k).any(|j| {
                    self.visits
                        .iter()
                        .any(|v| clause.has_in(v, j..(j + v.len()).min(k)))
                })
            })
    }

    /// Whether word `k` of a clause lies in a period up to now: a `recent`
    /// opener at or before it, and a unit of time ([`PERIODS`]) within
    /// [`PERIOD_REACH`] words after the opener, at or after `k` ("in the
    /// past few days", "over the last couple of weeks").
    fn in_recent_period(&self, c: &Clause, k: usize) -> bool {
        (0..=k).any(|j| {
            self.recent.iter().any(|r| {
                let from = j + r.len();
                c.has_in(r, j..from)
                    && (from.max(k)..(from + PERIOD_REACH).min(c.stems.len()))
                        .any(|u| self.periods.contains(&c.stems[u]))
            })
        })
    }

    /// Whether the message places the treatment ahead: a `before` cue
    /// anywhere ("should I cancel?", "booked in for next month"), or the
    /// treatment named under a negation ("haven't had it done yet", "no
    /// treatments or anything"); and nowhere says it was done. A symptom
    /// before the treatment is not its complication; "since my session" or
    /// "my next appointment" (there was one before) says the treatment
    /// happened, and then the symptom may be its complication.
    pub(super) fn before_treatment(&self, clauses: &[Clause]) -> bool {
        let visit_at = |c: &Clause, k: usize| {
            self.visits
                .iter()
                .find(|v| c.has_in(v, k..k + v.len()))
                .map(Vec::len)
        };
        let mut ahead = false;
        for c in clauses {
            if self.before.iter().any(|cue| c.has(cue)) {
                ahead = true;
            }
            for k in 0..c.words.len() {
                let Some(len) = visit_at(c, k) else { continue };
                let negated_at = |at: usize| {
                    (at.saturating_sub(self.window)..at).any(|j| {
                        self.negations.iter().any(|n| {
                            c.stems[j..at].starts_with(n) && !idiom_after(&c.words, j + n.len())
                        })
                    })
                };
                // A word of the past at the visit says it was done ("since
                // my session", "won't stop after the treatment"), unless it
                // is itself negated ("haven't had it done yet").
                let from = k.saturating_sub(VISIT_REACH);
                let done_before = (from..k).find(|&j| DONE_BEFORE.contains(&c.words[j].as_str()));
                let done_after = c.words
                    [(k + len).min(c.words.len())..(k + len + VISIT_REACH).min(c.words.len())]
                    .iter()
                    .any(|w| DONE_AFTER.contains(&w.as_str()));
                match done_before {
                    Some(j) if DONE_VERBS.contains(&c.words[j].as_str()) && negated_at(j) => {
                        ahead = true;
                    }
                    Some(_) => return false,
                    None if done_after => return false,
                    None if negated_at(k) => ahead = true,
                    None => {}
                }
            }
        }
        ahead
    }

    /// Whether word `k` of a clause is the FAQ's treatment named in one
    /// word (`[off_topic] anchors`: "microneedling", "dermapen").
    pub(super) fn names_treatment(&self, c: &Clause, k: usize) -> bool {
        self.anchors
            .iter()
            .any(|a| a.len() == 1 && c.has_in(a, k..k + 1))
    }

    fn in_sentence(&self, clauses: &[Clause], sentence: usize, cues: &[Vec<String>]) -> bool {
        clauses
            .iter()
            .filter(|c| c.sentence == sentence)
            .any(|c| cues.iter().any(|cue| c.has(cue)))
    }
}

/// The clauses that share the mood of clause `at`: back to the start of
/// its sentence or to a clause opened by a contrastive conjunction, and on
/// up to the next such clause.
fn frame(clauses: &[Clause], at: usize) -> &[Clause] {
    let Some(here) = clauses.get(at) else {
        return &[];
    };
    let mut start = at;
    while start > 0 && !clauses[start].turns && clauses[start - 1].sentence == here.sentence {
        start -= 1;
    }
    let end = (at + 1..clauses.len())
        .find(|&k| clauses[k].sentence != here.sentence || clauses[k].turns)
        .unwrap_or(clauses.len());
    &clauses[start..end]
}

/// Whether a clause names a year ("in 2021", "back in 2019"): a time
/// other than now, as a `past` cue is.
fn dated(clause: &Clause) -> bool {
    let w = &clause.words;
    w.iter()
        .any(|w| w.len() == 4 && w.parse::<u32>().is_ok_and(|y| YEARS.contains(&y)))
        || (1..w.len()).any(|k| {
            let opener = |j: usize| MONTH_OPENERS.contains(&w[j].as_str());
            MONTHS.contains(&w[k].as_str())
                && (opener(k - 1) || (k >= 2 && w[k - 1] == "the" && opener(k - 2)))
        })
}

/// Whether the clause after clause `at` is only a "no": the writer asking and
/// answering their own checklist ("Fever? No. Chills? No.", "checked for
/// red streaks, nothing", "bleeding? nope" on a line of its own).
fn answered_no(clauses: &[Clause], at: usize) -> bool {
    clauses
        .get(at + 1)
        .is_some_and(|next| next.words.len() == 1 && NO_ANSWERS.contains(&next.words[0].as_str()))
}

/// Whether, just after a mention ending at `end`, its onset is denied: "my
/// cold sores haven't flared", "the lumps never appeared". Only verbs of
/// beginning: "hasn't stopped" and "hasn't gone down" assert it goes on.
fn onset_denied(words: &[String], end: usize) -> bool {
    (end + 1..(end + 1 + ONSET_REACH).min(words.len())).any(|k| {
        matches!(words[k].as_str(), "not" | "never")
            && words
                .get(k + 1)
                .is_some_and(|v| ONSET_VERBS.contains(&v.as_str()))
            // "didn't start until Tuesday" says it did start.
            && !words[k + 2..(k + 2 + ONSET_REACH).min(words.len())]
                .iter()
                .any(|w| UNTIL.contains(&w.as_str()))
    })
}

/// Words that make a denied onset a late one.
const UNTIL: &[&str] = &["until", "till", "til"];

/// Verbs of beginning or appearing: denied, they deny the symptom.
const ONSET_VERBS: &[&str] = &[
    "flare",
    "flared",
    "appear",
    "appeared",
    "happen",
    "happened",
    "develop",
    "developed",
    "show",
    "shown",
    "showed",
    "start",
    "started",
    "return",
    "returned",
];

/// Words between a mention and a denied onset ("cold sores have not flared").
const ONSET_REACH: usize = 3;

/// A clause of one of these words alone answers the one before it in the
/// negative. English closed-class words.
const NO_ANSWERS: &[&str] = &["no", "nope", "nah", "none", "nothing", "negative", "never"];

/// Whether, after a mention ending at `end`, the clause says it came back
/// ("swelling was going down and now it's back and bigger"): what was over
/// is not over. "Back to normal" is an ending, not a return.
fn returned(clause: &Clause, end: usize) -> bool {
    let after = &clause.words[(end + 1).min(clause.words.len())..];
    back(after) || restarted(after)
}

/// Whether words say something is back: "is back", "came back" (not
/// "came back to", a place).
fn back(words: &[String]) -> bool {
    (1..words.len()).any(|j| {
        words[j] == "back"
            && RETURN_VERBS.contains(&words[j - 1].as_str())
            && words.get(j + 1).is_none_or(|next| next != "to")
    })
}

/// Whether words say something began once more: "started again", "going
/// again" ("it stopped for a bit then started again"). "Stopped again"
/// is an end, so only a verb of starting before "again" counts.
fn restarted(words: &[String]) -> bool {
    words
        .windows(2)
        .any(|p| p[1] == "again" && RESTART_VERBS.contains(&p[0].as_str()))
}

/// Verbs of starting before "again": the symptom has returned.
const RESTART_VERBS: &[&str] = &[
    "start",
    "starts",
    "started",
    "starting",
    "began",
    "begins",
    "beginning",
    "going",
];

/// Whether a later part of the sentence, after a conjunction, says that
/// what was over has come back ("redness was getting better but since
/// yesterday it is much worse again", "it went down, then it came back"),
/// or turns to the present ("was fading but now it's spreading": what was
/// over is a state before now), unless that part is itself an end ("but
/// that's stopped now").
fn came_back(clauses: &[Clause], at: usize, ends: impl Fn(&Clause) -> bool) -> bool {
    let sentence = clauses[at].sentence;
    clauses[at + 1..]
        .iter()
        .take_while(|c| c.sentence == sentence)
        .any(|c| {
            restarted(&c.words)
                || c.turns
                    && (c.words.iter().any(|w| w == "again")
                        || (c.words.iter().any(|w| w == "now") && !ends(c))
                        || back(&c.words))
        })
}

/// Verbs right before "back" that say something returned.
const RETURN_VERBS: &[&str] = &["is", "s", "are", "came", "come", "comes", "coming"];

/// Whether the clause ends, within [`ENDED_REACH`] words of a mention
/// ending at `end`, on a word that says it is over: "numbness gone",
/// "eyes fine", "redness almost gone". Before another word these say
/// something else ("gone dark", "fine lines"), so only the clause's last.
fn ended(clause: &Clause, end: usize) -> bool {
    let w = &clause.words;
    // An adverb of completion may close the clause after it ("gone already").
    let last = match w.last() {
        Some(x) if ENDED_TAILS.contains(&x.as_str()) => w.len().saturating_sub(2),
        _ => w.len().saturating_sub(1),
    };
    last > end && last <= end + ENDED_REACH && ENDED.contains(&w[last].as_str())
}

/// Adverbs that may follow an [`ENDED`] word at the clause's end ("numbness
/// is gone already", "eyes fine now"): English closed-class words.
const ENDED_TAILS: &[&str] = &["already", "now", "completely", "totally", "entirely"];

/// Words that, right after "going down" or "went away", make it a
/// direction over the body rather than an ending: English closed-class
/// words, not a lexicon.
const PLACES: &[&str] = &[
    "my", "the", "to", "towards", "into", "onto", "her", "his", "your", "their", "across", "over",
];

/// Words that name a cause after a symptom ("after waxing", "from the
/// laser"): English closed-class words, not a lexicon.
const CAUSE_MARKERS: &[&str] = &["after", "from", "since"];

/// How many words may stand between a word of cause and the cause ("after
/// my new lip filler").
const CAUSE_REACH: usize = 3;

/// How much further than the cause our own treatment may be named and
/// still be among the causes ("after the filler and then the microneedling").
const ANCHOR_SLACK: usize = 3;

/// The numbers read as years.
const YEARS: std::ops::RangeInclusive<u32> = 1950..=2099;

/// Pronouns that open a clause about something already named: English
/// closed-class words, not a lexicon.
const ANAPHORA: &[&str] = &[
    "it", "they", "that", "this", "these", "those", "which", "both", "all",
];

/// How many words before a resolution cue a pronoun may stand ("it's
/// completely gone down").
const ANAPHORA_REACH: usize = 3;

/// Words that make a list of alternatives, over which a negation reaches.
const ALTERNATIVES: &[&str] = &["or", "nor"];

/// How much further than the negation window a negation reaches over a
/// list of alternatives, as a factor.
const LIST_WINDOW_FACTOR: usize = 2;

/// Words that open a question (as stemmed: "how" and "what" stay whole).
const QUESTION_WORDS: &[&str] = &["what", "how", "when", "where", "why", "who", "which"];

/// The writer as a subject.
const WRITER: &[&str] = &["i"];

/// Words before a person that make them a bystander, not whose symptom it
/// is: a comparison ("like somebody is hitting my face") or the doer
/// ("headbutted by my toddler"); a determiner may stand between.
const BYSTANDER_MARKERS: &[&str] = &["like", "by"];
const BYSTANDER_DETERMINERS: &[&str] = &["my", "a", "an", "the", "some", "our", "their"];

/// Whether the person named at `k` is a bystander (see [`BYSTANDER_MARKERS`]);
/// "as if someone" compares too.
fn bystander(words: &[&String], k: usize) -> bool {
    let at = |i: Option<usize>| i.map(|i| words[i].as_str());
    let (one, two) = (at(k.checked_sub(1)), at(k.checked_sub(2)));
    let marker = |w: Option<&str>| w.is_some_and(|w| BYSTANDER_MARKERS.contains(&w));
    marker(one)
        || (one.is_some_and(|w| BYSTANDER_DETERMINERS.contains(&w)) && marker(two))
        || (two == Some("as") && matches!(one, Some("if" | "though")))
}

/// Words that open a condition: what follows is supposed, not reported.
const CONDITIONALS: &[&str] = &["if", "unless"];

/// Words after a mention in which a "resolved" cue cancels it.
const RESOLVED_AFTER: usize = super::RESOLVED_WINDOW;

/// Words right after a resolved state that date it before the symptom
/// ("it was fine yesterday", "fine until this morning", "fine at first"):
/// English time adverbs, not a lexicon.
/// Words for a state rather than an event of ending: only a state can be
/// dated before the symptom ("was fine yesterday").
const STATES: &[&str] = &["fine", "normal", "ok", "okay", "good"];

const EARLIER: &[&str] = &[
    "yesterday",
    "before",
    "until",
    "till",
    "earlier",
    "initially",
    "originally",
];

/// Units of time that close a recent period ("in the last week"):
/// English words, not a lexicon.
const PERIODS: &[&str] = &[
    "minute",
    "hour",
    "day",
    "night",
    "week",
    "fortnight",
    "month",
];

/// How many words after a `recent` opener its unit of time may stand ("in
/// the past couple of days").
const PERIOD_REACH: usize = 4;

/// Words before a visit that say it happened ("since my session", "after
/// the treatment", "my next appointment": there was one before).
const DONE_BEFORE: &[&str] = &[
    "after", "since", "from", "had", "got", "did", "last", "next", "post",
];

/// The verbs among [`DONE_BEFORE`]: a negation before them says the
/// visit has not happened ("haven't had a session yet").
const DONE_VERBS: &[&str] = &["had", "got", "did"];

/// Words after a visit that say it happened ("my session was on Friday",
/// "the treatment 3 days ago").
const DONE_AFTER: &[&str] = &["ago", "yesterday", "was", "went", "earlier"];

/// How far from a visit those words may stand ("since my first session").
const VISIT_REACH: usize = 3;

/// Words of expectation: a resolution after them is hoped for, not reported
/// ("should be settling", "supposed to go down"). English closed-class words.
const EXPECTING: &[&str] = &["should", "supposed", "meant", "expected", "expect"];

/// How far before a `resolved` cue an [`EXPECTING`] word reaches ("should
/// be going down", "is supposed to go down").
const EXPECTING_REACH: usize = 3;

/// Words that, last in a clause, say what came before them is over.
const ENDED: &[&str] = &["gone", "fine"];

/// How far after a mention that last word may stand ("the eye thing is
/// gone").
const ENDED_REACH: usize = 3;

/// The last words of a resolution that can also be a direction ("going
/// down my neck", "went away from the eye").
const MOTION: &[&str] = &["down", "away", "off"];

/// Words that make a cause a comparison ("numb, like after the dentist",
/// "like a bad sunburn", "sunburn-like"), not the cause.
const SIMILES: &[&str] = &["like"];

/// Words right before "after" or "from" that make what follows a
/// comparison ("numb, like after the dentist", "dead, as after a filling").
const COMPARING: &[&str] = &["like", "as"];

/// Verbs right after someone else that report what the writer has ("my
/// husband noticed", "my mum spotted"), as stemmed. Not "says": "my friend
/// says her eye is sore" is the friend's.
const REPORTING: &[&str] = &["notic", "spot"];

/// How far after the cue such a verb may stand ("my husband just noticed").
const REPORT_REACH: usize = 2;

/// Verbs of sensation that, right before a cause, make it a description
/// ("feels sunburnt"); further back they are not ("feels numb after botox").
const SENSATIONS: &[&str] = &["feel", "feels", "feeling", "felt"];

/// How many words before a cause a word of comparison may stand ("like a
/// bad sunburn").
const SIMILE_REACH: usize = 3;

/// Month and season names: after "in", "last" or "back" (and "the")
/// they date a clause as a year does ("the blister in march", "numb in
/// the spring").
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "spring",
    "summer",
    "autumn",
    "winter",
];

/// Words before a month name that make it a date ("in may", not "may i").
const MONTH_OPENERS: &[&str] = &["in", "last", "back"];

/// Whether the word after a negation makes it an idiom that asserts: "not
/// me bleeding through three tissues" (it is me), "no bc my eye is
/// swelling" (no, because …).
fn idiom_after(words: &[String], at: usize) -> bool {
    words
        .get(at)
        .is_some_and(|w| NOT_NEGATED_BY.contains(&w.as_str()))
}

/// Words after "no" or "not" that turn it into an idiom of assertion.
const NOT_NEGATED_BY: &[&str] = &["me", "bc", "because", "cuz", "coz"];

/// Whether the negation at `k` says the writer cannot do something to the
/// mention at `start` ("can't open the eye", "couldn't lift my eyebrow"):
/// a modal before "not" and a verb of action after it, the mention its
/// object. That reports a symptom; "can't see any swelling" (a verb of
/// perception) still denies it.
///
/// The mention may itself open on the verb after a modal of ability
/// ("can't get air", "cannot get a full breath"): not managing to do it
/// is the symptom. After "will not" that verb is a prediction ("it will
/// not swell"), so it stays negated.
fn unable(words: &[String], k: usize, start: usize) -> bool {
    let modal = k.checked_sub(1).map(|j| words[j].as_str());
    k > 0
        && words[k] == "not"
        && modal.is_some_and(|m| ABLE.contains(&m))
        && words.get(k + 1).is_some_and(|verb| {
            (k + 1 < start || (k + 1 == start && modal.is_some_and(|m| ABILITY.contains(&m))))
                && !PERCEIVING.contains(&verb.as_str())
        })
}

/// The modals of [`ABLE`] that speak of ability, not of will.
const ABILITY: &[&str] = &["can", "could", "cannot"];

/// Modals of ability and will before "not".
const ABLE: &[&str] = &["can", "could", "cannot", "will", "would"];

/// Verbs of perceiving or finding: "can't see any swelling" denies it.
const PERCEIVING: &[&str] = &[
    "see", "feel", "notice", "find", "tell", "spot", "detect", "say", "remember", "believe",
];
