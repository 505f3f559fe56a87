//! Properties of the whole pipeline on the shipped `faq.toml`, for anything a
//! member could send: arbitrary Unicode, arbitrary bytes read lossily,
//! generated Discord markup (mentions, mass pings, custom emoji, code fences,
//! spoilers, links, right-to-left and combining marks, emoji), inputs up to
//! about 20 KB and whitespace only.
//!
//! For every input: nothing panics; the normal form is plain words; the same
//! question gets the same reply, from the same engine and from a second one
//! built from the same file; a channel message is never answered when the
//! same question asked directly is not; every rendered reply fits Discord's
//! limits and pings nobody. Markup that carries no words changes nothing: a
//! complication wrapped in mentions, spoilers and emoji is still urgent.
//!
//! Each property runs [`CASES`] cases (448 inputs, each through the
//! pipeline about ten times: a few seconds in a debug build);
//! `PROPTEST_CASES=1000 cargo test --test properties` runs a longer search. `cargo fuzz run answer` (see
//! `fuzz/`) searches the same pipeline with coverage guidance.

#[path = "support/checks.rs"]
mod checks;

use std::collections::HashSet;
use std::sync::LazyLock;

use checks::{check as check_with, fingerprint};
use faqbot::{text, Engine, Reply, Strictness};
use proptest::prelude::*;
use proptest::sample::select;

/// Cases per property unless `PROPTEST_CASES` says otherwise: enough to
/// reach every reply kind through every generator, cheap enough for CI now
/// that each case runs the encoder (tens of milliseconds in a debug build,
/// more for the long inputs). The fuzz target covers volume.
const CASES: u32 = 24;

/// Longest generated input, in bytes: five times what `text::normalise`
/// reads, so the cut at [`text::MAX_INPUT_CHARS`] is always exercised.
const MAX_INPUT_BYTES: usize = 20_000;

/// The full engine, encoder included: odd input must not upset it either.
fn full_engine() -> Engine {
    let faq =
        faqbot::Faq::parse(include_str!("../faq.toml")).expect("the shipped faq.toml is valid");
    let model =
        faqbot::model::load_model(&faqbot::model::model_dir(None)).expect("the model loads");
    faqbot::model::build_engine(faq, &model, None).expect("the engine builds")
}

static ENGINE: LazyLock<Engine> = LazyLock::new(full_engine);

/// A second engine from the same text: a reply that depended on hash order
/// or any other per-build state would differ between the two.
static SECOND_ENGINE: LazyLock<Engine> = LazyLock::new(full_engine);

/// Complications described in a member's words, each of which must be urgent.
const URGENT: &[&str] = &[
    "I had microneedling yesterday and now I have a fever and chills",
    "since this morning there is yellow pus oozing from my cheek",
    "day 6 after my session and the redness is spreading down my neck",
    "I can't breathe properly after the numbing cream",
    "my lips are puffing up really fast after the treatment",
    "there are red streaks spreading out from where I was treated",
    "woke up with blisters all over my forehead",
    "the bleeding will not stop, it has been an hour",
    "my vision went blurry in one eye after the session",
    "I got hives all over my arms tonight",
    "my throat feels tight and swollen since the appointment",
    "my cold sore flared up and is spreading across my chin",
];

fn config() -> ProptestConfig {
    // ProptestConfig::default() reads PROPTEST_CASES; only its absence means ours.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Every word the FAQ knows: its phrasings and its red-flag phrases, so
/// generated questions reach answers and urgent replies, not only no-match.
static VOCABULARY: LazyLock<Vec<String>> = LazyLock::new(|| {
    let faq = ENGINE.faq();
    let phrasings = faq.entries.iter().flat_map(|e| e.phrasings());
    let flags = faq
        .red_flags
        .iter()
        .flat_map(|r| r.terms.iter().chain(&r.with).map(String::as_str));
    let mut words: Vec<String> = phrasings
        .chain(flags)
        .flat_map(str::split_whitespace)
        .map(str::to_owned)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    words.sort();
    words
});

/// Whole questions: the FAQ's own and the urgent ones.
static QUESTIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ENGINE
        .faq()
        .entries
        .iter()
        .map(|e| e.question.clone())
        .chain(URGENT.iter().map(|q| (*q).to_owned()))
        .collect()
});

// ---------------------------------------------------------------- generators

/// Any `char`, control and unassigned-looking ones included.
fn any_unicode() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..600).prop_map(String::from_iter)
}

/// Arbitrary bytes, read as Discord would hand us text: lossily.
fn lossy_bytes() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..2000)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Markup and text that carry no words once normalised. Each generates
/// something [`text::normalise`] must drop whole.
/// [`wordless`] without pictographic emoji: markup that may stand between
/// two words without ending a clause.
fn wordless_inline() -> BoxedStrategy<String> {
    static PICTOGRAPHIC: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"\p{Extended_Pictographic}").expect("emoji pattern is valid")
    });
    wordless()
        .prop_filter("an emoji between words is structure", |s| {
            !PICTOGRAPHIC.is_match(s)
        })
        .boxed()
}

fn wordless() -> BoxedStrategy<String> {
    prop_oneof![
        "<@!?[0-9]{1,19}>",
        "<@&[0-9]{1,19}>",
        "<#[0-9]{1,19}>",
        Just("@everyone".to_owned()),
        Just("@here".to_owned()),
        "<a?:[A-Za-z0-9_]{1,16}:[0-9]{1,19}>",
        "<t:-?[0-9]{1,10}(:[tTdDfFR])?>",
        "</[a-z][a-z-]{0,15}:[0-9]{1,19}>",
        // A fenced block hides its words, negations included.
        "```[a-z]{0,6}\n(no|not|never|if|fever|pus|[a-z ]{0,30})\n```",
        "https?://[a-z]{1,12}\\.(com|org|gg|io)(/[a-zA-Z0-9?=&_-]{0,30})?",
        "www\\.[a-z]{1,12}\\.(com|org|net)",
        "[a-z]{3,12}\\.(com|gg|xyz|ru)/[a-z0-9]{1,12}",
        select(vec![
            "😭",
            "👋🏽",
            "👩‍👩‍👧",
            "🇬🇧",
            "❤️",
            "🔥🔥",
            "🙏",
            "🥲",
            "✨",
            "💉",
            "😷",
        ])
        .prop_map(str::to_owned),
        // Direction marks, zero-width characters, stray combining marks.
        select(vec![
            "\u{200f}",
            "\u{200e}",
            "\u{202e}",
            "\u{202c}",
            "\u{2066}",
            "\u{2069}",
            "\u{200b}",
            "\u{200d}",
            "\u{feff}",
            "\u{301}",
            "\u{308}\u{323}",
            "\u{20dd}",
        ])
        .prop_map(str::to_owned),
        select(vec![
            "||", "**", "*", "__", "_", "~~", "`", "> ", "# ", "-# ", "- "
        ])
        .prop_map(str::to_owned),
        select(vec![
            " ", "  ", "\n", "\t", "\r\n", "\u{a0}", "\u{3000}", "\u{2028}"
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// One piece of a Discord message: markup, a word the FAQ knows, a whole
/// question, or something odd.
fn fragment() -> BoxedStrategy<String> {
    prop_oneof![
        4 => wordless(),
        4 => select(VOCABULARY.clone()),
        1 => select(QUESTIONS.clone()),
        1 => "(can't|don't|i'm|it's|won't|cant|im|ive|whats)",
        1 => "\\|\\|[a-z ]{1,20}\\|\\|",
        1 => "(مرحبا|كيف|שלום|пилинг|игла|顔|針|ｆｅｖｅｒ|ＰＵＳ|ﬁne|İyi|ǅ|ß)",
        1 => "[a-zA-Z]{1,8}[\u{300}-\u{36f}]{1,6}",
        1 => any::<char>().prop_map(String::from),
        1 => "(<@|<@>|<:x:>|<a:|</|<t:|```|``|\\|\\||<#)",
        1 => "[0-9]{1,4}(st|nd|rd|th| days?| hours?)?",
    ]
    .boxed()
}

/// Fragments joined with or without spaces, as members type them.
fn discordish() -> impl Strategy<Value = String> {
    prop::collection::vec((fragment(), select(vec!["", " ", " ", "\n"])), 0..40).prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(f, sep)| [f, sep.to_owned()])
            .collect()
    })
}

/// A generated message repeated to 2–20 KB: a paste, or a flood.
fn long() -> impl Strategy<Value = String> {
    (discordish(), 2_000..=MAX_INPUT_BYTES).prop_map(|(s, target)| {
        let unit = if s.is_empty() {
            "needle ".to_owned()
        } else {
            s
        };
        let mut out = String::with_capacity(target + unit.len());
        while out.len() < target {
            out.push_str(&unit);
        }
        out
    })
}

/// Whitespace and invisible characters only.
fn blank() -> impl Strategy<Value = String> {
    prop::collection::vec(
        select(vec![
            ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
            '\u{2007}', '\u{200a}', '\u{200b}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}',
            '\u{3000}', '\u{feff}', '\u{180e}',
        ]),
        0..200,
    )
    .prop_map(String::from_iter)
}

/// A question with word-free markup around it and between its words, and
/// its letters restyled in ways Unicode folding undoes. On one line: a line
/// break is structure, not dress (a line that opens with "> " quotes
/// someone else, one that opens with "- " is a list item of its own), and
/// so is an emoji between words (it closes a thought: "not affectionate 😭
/// raised welts"); emoji go around the question only. `tests/triage.rs`
/// tests what both mean.
fn decorated(question: &str) -> impl Strategy<Value = String> {
    let words: Vec<String> = question.split(' ').map(str::to_owned).collect();
    let n = words.len();
    (
        prop::collection::vec(wordless(), 0..4),
        prop::collection::vec(wordless(), 0..4),
        prop::collection::vec(prop::option::weighted(0.3, wordless_inline()), n),
        prop::collection::vec(select(vec!["", "", "**", "||", "__", "~~", "*"]), n),
        select(vec!["", "", "||", "**", "> ", "# ", "-# "]),
        0..4u8,
    )
        .prop_map(move |(before, after, between, styles, whole, letters)| {
            let mut body = String::new();
            for ((word, gap), style) in words.iter().zip(&between).zip(&styles) {
                let word = restyle(word, letters);
                body.push_str(&format!(" {style}{word}{style} "));
                if let Some(gap) = gap {
                    body.push_str(&format!(" {gap} "));
                }
            }
            let close = if whole.ends_with(' ') { "" } else { whole };
            format!(
                "{} {whole}{body}{close} {}",
                before.join(" "),
                after.join(" ")
            )
            .replace(['\n', '\r', '\u{2028}'], " ")
        })
}

/// 0: as typed; 1: capitals; 2: full-width letters; 3: an accent on each vowel.
fn restyle(word: &str, how: u8) -> String {
    match how {
        1 => word.to_uppercase(),
        2 => word
            .chars()
            .map(|c| match c {
                'a'..='z' | 'A'..='Z' => char::from_u32(c as u32 - 0x21 + 0xff01).unwrap_or(c),
                _ => c,
            })
            .collect(),
        3 => word
            .chars()
            .flat_map(|c| {
                let mark = "aeiou".contains(c).then_some('\u{301}');
                std::iter::once(c).chain(mark)
            })
            .collect(),
        _ => word.to_owned(),
    }
}

/// Every check in `support/checks.rs`, on the shipped FAQ.
fn check(question: &str) {
    check_with(&ENGINE, &SECOND_ENGINE, question);
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(config())]

    /// Any Unicode at all, control characters included.
    #[test]
    fn any_unicode_is_handled(question in any_unicode()) {
        check(&question);
    }

    /// Any bytes, decoded lossily as a gateway payload would be.
    #[test]
    fn any_bytes_are_handled(question in lossy_bytes()) {
        check(&question);
    }

    /// Messages built from Discord markup, FAQ words and odd characters.
    #[test]
    fn discord_messages_are_handled(question in discordish()) {
        check(&question);
    }

    /// 2–20 KB pastes and floods.
    #[test]
    fn long_messages_are_handled(question in long()) {
        check(&question);
    }

    /// Whitespace and invisible characters only: nothing to answer, and no panic.
    #[test]
    fn blank_messages_are_handled(question in blank()) {
        check(&question);
        prop_assert_eq!(text::normalise(&question), "");
        let reply = ENGINE.answer(&question);
        prop_assert_eq!(reply.verdict(), "none");
    }

    /// Word-free markup around and between a question's words, and restyled
    /// letters, change neither its normal form nor its reply.
    #[test]
    fn markup_changes_nothing(
        (question, wrapped) in select(QUESTIONS.clone())
            .prop_flat_map(|q| (Just(q.clone()), decorated(&q)))
    ) {
        prop_assert_eq!(text::normalise(&wrapped), text::normalise(&question));
        prop_assert_eq!(
            fingerprint(&ENGINE.answer(&wrapped)),
            fingerprint(&ENGINE.answer(&question))
        );
        check(&wrapped);
    }

    /// A complication stays urgent, with the same red flag, however it is dressed.
    #[test]
    fn urgent_stays_urgent(
        (question, wrapped) in select(URGENT)
            .prop_flat_map(|q| (Just(q), decorated(q)))
    ) {
        let bare = ENGINE.answer(question);
        // One pass through the pipeline, decided at both strictnesses.
        let e = ENGINE.explain(&wrapped);
        let dressed = ENGINE.decide(&e, Strictness::Asked);
        prop_assert!(matches!(dressed, Reply::Urgent { .. }), "not urgent: {:?}", wrapped);
        prop_assert_eq!(fingerprint(&dressed), fingerprint(&bare));
        let overheard = ENGINE.decide(&e, Strictness::Overheard);
        prop_assert_eq!(overheard.verdict(), "urgent");
    }
}

// ---------------------------------------------------------------- tables

/// Every urgent question above is urgent as written, so the property that
/// dresses them up starts from a true premise.
#[test]
fn urgent_table_is_urgent() {
    for question in URGENT {
        assert_eq!(ENGINE.answer(question).verdict(), "urgent", "{question}");
    }
}

/// Inputs worth keeping as they are: edges of the markup patterns and of
/// the input cap, each run through every check.
#[test]
fn edge_inputs() {
    let cap = text::MAX_INPUT_CHARS;
    let table: Vec<String> = vec![
        String::new(),
        "```".into(),
        "``````".into(),
        "```does it hurt".into(),
        "<@".into(),
        "<@&>".into(),
        "<@99999999999999999999999999999>".into(),
        "<a::1>".into(),
        "||||".into(),
        "@everyone @here <@&1> <@1> how many sessions".into(),
        "\u{202e}gnildeenorcim\u{202c}".into(),
        "i\u{307}\u{130}\u{131}".into(),
        "ﷺ ﷻ ㍿ ﬃ".into(),
        "e".repeat(cap - 1) + "\u{301}\u{301}",
        "é".repeat(cap + 1),
        "😭".repeat(cap * 2),
        "micro ".repeat(cap) + "needling",
        "\u{0}\u{1}\u{7f}\u{9f}".repeat(100),
        "\u{fffd}".repeat(5000),
        "cant'0.25mm".into(),
        "cant ".repeat(cap),
    ];
    for input in &table {
        check(input);
    }
}
