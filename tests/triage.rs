//! Red-flag triage on the shipped lexicon: a table per concept, a table
//! per non-urgent context, and properties that must hold for any wording.
//! Triage needs no encoder, so these run on the lexical engine (fast).

use faqbot::triage::{Context, Triage, Verdict};
use faqbot::Faq;
use proptest::prelude::*;

fn triage() -> (Faq, Triage) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml"))
        .expect("faq.toml");
    let faq = Faq::parse(&text).expect("faq.toml is valid");
    let t = Triage::new(&faq);
    (faq, t)
}

/// Each row: a message, and whether triage alone makes it urgent.
fn assert_urgency(table: &[(&str, bool)]) {
    let (_, t) = triage();
    for (message, urgent) in table {
        let v = t.check(message);
        assert_eq!(matches!(v, Verdict::Urgent(_)), *urgent, "{message}: {v:?}");
    }
}

/// Each message has a weak mention (a term the encoder may confirm), or
/// none, as the table says.
fn assert_weak(table: &[(&str, bool)]) {
    let (_, t) = triage();
    for (message, weak) in table {
        let (_, mentions) = t.read(message);
        assert_eq!(!mentions.is_empty(), *weak, "{message}: {mentions:?}");
    }
}

fn concept_of(faq: &Faq, v: &Verdict) -> Option<String> {
    match v {
        Verdict::Urgent(f) => Some(faq.red_flags[f.red_flag].id.clone()),
        _ => None,
    }
}

/// Current reports of each concept are urgent, and flag that concept.
#[test]
fn each_concept_fires_on_current_reports() {
    let (faq, t) = triage();
    let table: &[(&str, &str)] = &[
        (
            "airway",
            "i can't breathe properly and my chest feels tight",
        ),
        ("throat", "throat feels like its closing up"),
        ("anaphylaxis", "my tongue is swelling up"),
        ("anaphylaxis", "had to use my epi pen an hour ago"),
        ("allergy", "covered in hives since the session"),
        (
            "itchy-swelling",
            "face is swelling up and so itchy since the serum",
        ),
        (
            "allergy",
            "I think I'm having an allergic reaction to the serum",
        ),
        ("infection", "yellow crusts all along my jaw this morning"),
        ("infection", "there is pus in the tiny holes"),
        (
            "infection",
            "the treated bit is hot to the touch and smells",
        ),
        ("worsening", "the redness is spreading down my neck"),
        ("pain-intense", "the pain is unbearable tonight"),
        ("bleeding", "it keeps bleeding and won't stop"),
        (
            "vision",
            "my vision is blurry in one eye since they did my forehead",
        ),
        ("eye", "my left eye is red and sore"),
        ("burn-blister", "the RF left burns on my cheeks"),
        ("burn-blister", "blisters came up on my jaw overnight"),
        (
            "herpes-flare",
            "a cold sore came up after my treatment and it's spreading",
        ),
        (
            "lumps",
            "hard lumps have appeared under my skin weeks after",
        ),
        ("nerve", "the corner of my mouth is drooping"),
        ("nerve", "my cheek is still numb two days later"),
        ("systemic", "temp is 38.6 and I feel shivery"),
        ("systemic", "I fainted after getting home"),
        ("systemic", "101F since this morning"),
        ("pigment-pain", "dark patches are spreading and they hurt"),
        ("pigment-pain", "the skin has gone dark brown and it burns"),
        ("pain-intense", "stabbing pain in my jaw that won't go away"),
        ("infection", "little spots full of yellow goo along my jaw"),
        ("vision", "everything looks hazy out of my left eye"),
    ];
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(concept, message)| {
            let v = t.check(message);
            (concept_of(&faq, &v).as_deref() != Some(*concept))
                .then(|| format!("{message:?} wanted {concept}, gave {v:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Each non-urgent context keeps a symptom word from raising the alarm.
#[test]
fn contexts_keep_look_alikes_from_firing() {
    let (_, t) = triage();
    let table: &[(&str, Option<Context>)] = &[
        (
            "what are the signs of infection after microneedling?",
            Some(Context::General),
        ),
        ("can it cause blisters?", Some(Context::General)),
        (
            "I had a fever last week, can I still have my appointment on Friday?",
            Some(Context::Past),
        ),
        ("I get cold sores, is it safe for me?", None),
        (
            "my friend's face blistered after her peel",
            Some(Context::Other),
        ),
        ("my bank account is bleeding after all these sessions", None),
        (
            "what temperature should the water be when I wash my face?",
            None,
        ),
        ("can I use my eye cream tonight?", None),
        ("no fever, no pus, just a bit pink", Some(Context::Mild)),
        ("how long does the numbing cream take to work?", None),
        (
            "it stung and hurt so much during the session",
            Some(Context::Past),
        ),
        ("is it sore? I hate shooting pains", Some(Context::General)),
        ("it's a hazy day, can I go outside after my session?", None),
    ];
    for (message, want) in table {
        let v = t.check(message);
        match (want, &v) {
            (None, Verdict::Normal) => {}
            (Some(ctx), Verdict::Caution(c)) if c.context == *ctx => {}
            _ => panic!("{message:?}: wanted {want:?}, got {v:?}"),
        }
    }
}

/// A temperature is a fever from 38 °C or 100.4 °F, however it is written,
/// and not below or when it is about something else.
#[test]
fn temperatures_are_read() {
    let (_, t) = triage();
    for urgent in [
        "temp 38.2",
        "my temperature is 39 degrees",
        "thermometer says 100.8",
        "102 f since lunch",
        "38,5°C",
    ] {
        assert!(matches!(t.check(urgent), Verdict::Urgent(_)), "{urgent}");
    }
    for calm in [
        "temp 37.2",
        "it's 38 degrees outside so hot",
        "99.1F this morning",
        "I'm 38 years old",
        "room 101",
    ] {
        assert!(!matches!(t.check(calm), Verdict::Urgent(_)), "{calm}");
    }
}

/// A comparative or superlative is its adjective: "hotter" reports heat
/// as surely as "hot" does, and ordinary -er words stay ordinary.
#[test]
fn comparatives_read_as_their_adjective() {
    let (faq, t) = triage();
    let table: &[(&str, Option<&str>)] = &[
        (
            "my cheek is getting bigger and hotter by the hour",
            Some("worsening"),
        ),
        (
            "the swelling is puffier and redder than this morning",
            Some("worsening"),
        ),
        ("her answer was better than the last one", None),
        ("I drank more water after the session", None),
    ];
    for (message, concept) in table {
        let v = t.check(message);
        assert_eq!(
            concept_of(&faq, &v).as_deref(),
            *concept,
            "{message}: {v:?}"
        );
    }
}

/// A question's mood reaches to the next contrastive conjunction: after
/// "but", a clause reports on its own terms, while a question that starts
/// after "but" still asks.
#[test]
fn a_contrastive_conjunction_starts_a_new_statement() {
    let (faq, t) = triage();
    let table: &[(&str, Option<&str>)] = &[
        (
            "was healing ok but since monday the pain keeps getting worse",
            Some("severe-pain"),
        ),
        (
            "is redness normal on day 2 but now there's pus coming out",
            Some("infection"),
        ),
        ("is swelling worse with RF needling?", None),
        ("feeling fine, but can it cause blisters later?", None),
        ("does it scar, but how would I know if it's infected?", None),
    ];
    for (message, concept) in table {
        let v = t.check(message);
        let urgent = match &v {
            Verdict::Urgent(_) => concept_of(&faq, &v),
            _ => None,
        };
        assert_eq!(urgent.as_deref(), *concept, "{message}: {v:?}");
    }
}

/// Scopes that reach beyond the mention's own words: a past frame covers
/// the rest of its sentence, a resolution in the next clause that refers
/// back with a pronoun ends what came before, someone else's symptom is
/// urgent only while it is happening, and a report after a question
/// makes the symptom asked about the writer's own.
#[test]
fn frames_reach_across_clauses() {
    assert_urgency(&[
        ("years back I reacted to a serum, welts and all", false),
        ("years back I had a peel, now I have welts all over", true),
        (
            "came up in hives after the serum, but they went away within the hour",
            false,
        ),
        (
            "came up in hives after the serum, but the itching went away",
            true,
        ),
        (
            "my mate's lips swelled up after his filler last year",
            false,
        ),
        ("my daughter's lips are swelling up right now", true),
        // A question, then a report of the present in the next sentence.
        (
            "is it normal to blister? got two big ones this morning",
            true,
        ),
        ("is it normal to blister? asking before I book", false),
        // An ellipsis is a pause, not the end of the sentence.
        ("my throat feels weird and like... closing", true),
        // A negation reaches over a list of alternatives, not past "but".
        ("no swelling or trouble breathing, just itchy", false),
        ("no fever but trouble breathing since lunch", true),
        // A condition supposes; it does not report.
        ("if my lips swell up after, who do I call?", false),
        // Resolution as written: "stopped" is over, "stop" is not.
        (
            "bleeding from one spot but it stopped after a few minutes",
            false,
        ),
        ("still bleeding from one spot, when will it stop?", true),
        // Someone else's, unless the writer is the subject after the cue.
        ("my partner says I feel faint and keep going grey", true),
        ("the new tattoo on my arm is crusty and oozing", false),
        // A question opener after a report asks about it; before, it asks in general.
        (
            "pus coming out of the holes on my cheek, what do I do",
            true,
        ),
        ("what do I do about pus after needling?", false),
        // A term's words do not pair across "and".
        ("no fever and feel fine, can I go to work?", false),
        // Nor across a negation: it denies the term.
        ("lips not swollen, face just warm", false),
        ("lips really swollen, face warm", true),
        // A question that places the symptom in the present asks about
        // the writer's own, now.
        ("is it normal to still be bleeding 4 hours later?", true),
        ("is it normal to be bleeding for hours?", false),
        // A temperature is read in its own clause, resolutions included.
        ("had a temp of 39 at the weekend, but it went down", false),
        ("had a temp of 39 at the weekend, now my cheek is hot", true),
        // An earlier session is over.
        ("my face went numb after my last session", false),
        // A past frame lasts until a clause speaks of the present; a year
        // dates what it names.
        (
            "it was 3 weeks ago, now I have bumps on my cheek, hard lumps",
            true,
        ),
        ("it was 3 weeks ago, bumps on my cheek, hard lumps", false),
        ("I had an infection in 2021, pus and everything", false),
        ("I have an infection, pus and everything", true),
        // Another treatment named as the cause, before the symptom or
        // after it behind "after"/"from"; not when ours is named too.
        ("blisters on my upper lip after waxing yesterday", false),
        ("blisters on my upper lip after the session yesterday", true),
        ("had filler last week and I now have a hard lump", false),
        ("a hard lump on my lip after microneedling and filler", true),
        // "Going down" a place is a direction, not an ending.
        ("a red streak going down my neck since lunch", true),
        ("a red streak since lunch, it's going down now", false),
        // A day count alone is no symptom; with a worsening word it is.
        ("it's day 10, skin feels smooth, when is round two?", false),
        ("day 6 and honestly worse than day 1", true),
    ]);
}

/// When, whose and from what: a recent period is now, a treatment still
/// ahead makes a symptom not its complication, a comparison is no cause,
/// and a clause that ends on "gone" is over.
#[test]
fn time_and_cause_frames() {
    assert_urgency(&[
        // A period up to now is recent; "last week" alone is past.
        (
            "in the last few days hard lumps have come up on my cheek",
            true,
        ),
        ("last week I had hard lumps on my cheek", false),
        ("in the past I've had hard lumps on my cheek", false),
        // A treatment still ahead, anywhere in the message; unless the
        // message says one was done.
        (
            "I've had a cold sore since Sunday. My session is booked for Friday, should I move it?",
            false,
        ),
        (
            "haven't had a treatment yet but my lip is blistering",
            false,
        ),
        (
            "pus coming out of my cheek since my session. Should I cancel the next one?",
            true,
        ),
        // A clause that ends on "gone" or "fine" says it is over.
        ("numbness gone, feeling is back", false),
        ("left eye fine, the lid is red", false),
        ("my chin has gone numb", true),
        // A month dates a clause; "since" a month is still now.
        ("I had a blister on my jaw in march", false),
        ("blister on my jaw since march", true),
        // Fading to a colour is an ending, not a direction.
        ("the red streak is fading to a faint line", false),
        // A cause in a comparison is no cause; a sensation is no cause.
        ("half my lip is numb, like after the dentist", true),
        ("half my lip is numb after the dentist", false),
        ("my face feels sunburnt and is blistering", true),
        ("got sunburnt at the beach and my nose is blistering", false),
        // A second term in a figurative clause pairs with nothing.
        ("burning the candle at both ends, my skin looks grey", false),
        // Something over that came back is not over.
        ("swelling was going down and now it's back and bigger", true),
        // A cause is ours when ours is named among the causes, not when
        // ours is named elsewhere in the sentence (booked, ahead).
        (
            "a cold sore came up after the dentist, and my microneedling is booked for tuesday",
            false,
        ),
        (
            "a cold sore came up after the microneedling and the dentist",
            true,
        ),
        // A word that only starts like a general cue is not one:
        // "reducing" is not "how to reduce", "a bit odd" is not "the odds".
        (
            "redness was reducing but now it's increasing again on day 4",
            true,
        ),
        (
            "a bit odd, but half my face has gone numb since the session",
            true,
        ),
        // "After the treatment" says it was done, even after a negated verb.
        (
            "bleeding won't stop after the treatment, I'm on warfarin",
            true,
        ),
        // Idioms that assert: "not me …", "no bc …".
        (
            "not me bleeding through three tissues since my session",
            true,
        ),
        (
            "no bc my eye is so swollen I can't see out of it since the session",
            true,
        ),
        // Someone noticing reports the writer's own; someone saying, theirs.
        (
            "my husband noticed yellow crusts on my cheek since the treatment",
            true,
        ),
        ("my friend says her eye is sore since her session", false),
        // Granulomas come weeks later: a past frame that dates the visit
        // does not make them past, unless they are told in the past.
        (
            "firm bumps where they needled me a month ago, getting bigger",
            true,
        ),
        (
            "had a lump after my session last year, the doctor said granuloma",
            false,
        ),
        // A supposition asks in general; "I'd been" is "I had been".
        (
            "supposing I got a fever after my session, who do I call?",
            false,
        ),
        (
            "I'd been taking fish oil and now a patch keeps bleeding through the gauze",
            true,
        ),
        // Not being able to do something to it reports it; not perceiving
        // it denies it.
        ("my eyelid is so swollen I can't open the eye", true),
        ("I can't see any pus, the spots are just red", false),
        // A season dates a clause like a month.
        ("had some numbness after my session in the spring", false),
        // Lay words a clinician would list.
        ("breathing sounds noisy and it's harder to swallow", true),
        ("my smile is crooked since yesterday's session", true),
        ("brown marks keep spreading and they sting", true),
    ]);
}

/// A chat message is read as the writer wrote it: a quoted line or quoted
/// words are someone else's, each line is a statement, and a question mark
/// in brackets is an aside.
#[test]
fn chat_messages_are_read_as_written() {
    assert_urgency(&[
        (
            "> my lips are swelling up\nthat sounds scary, hope you're ok",
            false,
        ),
        (
            "> how is everyone healing?\nmy lips are swelling up and my throat feels tight",
            true,
        ),
        (
            "quoting Sam from the other channel: 'pus pouring out of my cheek'. hope she's ok",
            false,
        ),
        (
            "everyone says 'just tender' but pus is pouring out of my cheek",
            true,
        ),
        // Quotes that are the whole message are the writer's own.
        ("\"pus pouring out of my cheek since the session\"", true),
        (
            "- redness: settled\n- pain: getting worse every day, day 5 now",
            true,
        ),
        (
            "the brown lines (tram lines?) on my cheek are spreading and sore",
            true,
        ),
    ]);
}

/// How members write a report down: a score out of ten, a second term in
/// the next sentence about "it" or "they", a checklist they answer
/// themselves, a denied onset, a hope that is not yet true, and something
/// that was over coming back.
#[test]
fn reports_are_read_as_members_write_them() {
    assert_urgency(&[
        // A pain score of 7 or more out of 10 is severe pain.
        (
            "my skin hurts like a 9 out of 10 two days after the session",
            true,
        ),
        ("the pain is nine out of ten since my treatment", true),
        ("it hurts, maybe 4/10, since my session", false),
        // A date is not a score.
        ("my cheek has been sore since 9/10", false),
        // A pronoun opening the next sentence carries the first one's topic.
        (
            "dark patches on my forehead since my session. They burn and hurt to touch",
            true,
        ),
        (
            "dark patches on my forehead since my session. My friend says they are normal",
            false,
        ),
        // A checklist answered by the writer.
        ("Fever? No. Chills? No. Just tired after a long day", false),
        (
            "checked for red streaks like the sheet said, nothing",
            false,
        ),
        ("Fever? Yes, 38.5 since this morning", true),
        // A denied onset denies the symptom; a denied ending does not.
        (
            "my cold sores haven't flared at all after the session",
            false,
        ),
        ("the bleeding hasn't stopped since my session", true),
        (
            "the cold sores didn't start until today and they are spreading",
            true,
        ),
        // What should happen is not what did.
        (
            "swelling should be going down but my jaw is bigger every morning",
            true,
        ),
        // Over, then back.
        (
            "redness was getting better but since yesterday it is much worse again",
            true,
        ),
        (
            "numbness is gone already, it was only the numbing cream",
            false,
        ),
        // "Sore" is how skin feels after treatment; "sores" are lesions.
        ("my face is sore after the treatment", false),
        (
            "painful sores have come up on my lip since the session",
            true,
        ),
        ("a patch of grouped blisters on my lip, now crusting", true),
        // A cause that explains the symptom (lip filler, for swollen lips)
        // is not an emergency for `always` concepts; someone else's
        // swelling now still is, and a closing throat is whatever the cause.
        (
            "my lips are really swollen after my lip filler yesterday",
            false,
        ),
        (
            "my daughter's lips are swelling up right now after her session",
            true,
        ),
        ("had botox this morning and now my throat is closing", true),
        // A checklist, one symptom a line, answered by the writer.
        ("day 3 checklist:\nfever? nope\nbleeding? nope\njust flaky", false),
        ("- swelling: none\n- heat: none\n- rash/hives: none", false),
        ("- swelling: none\n- rash/hives: all over my neck since the session", true),
        // An emoji closes a thought: the negation before it stays there.
        (
            "this serum is toxic except now it's not affectionate 😭 raised itchy welts all over my neck",
            true,
        ),
        // Said of something good, or of the legs after a queue.
        ("these before and after pics are eye watering in a good way", false),
        ("the queue was so long my legs went numb lol", false),
        // A threshold asked about is a general question.
        ("at what temperature would you ring the clinic, is 38 the cutoff?", false),
    ]);
}

/// Text-speak is read as the words it stands for; a concept's everyday
/// sense is not the clinical one ("confused" about a needle length); a
/// pigment change is dated by its own words, not by the treatment's.
#[test]
fn shorthand_and_everyday_senses() {
    assert_urgency(&[
        (
            "still pins n needles in my chin a wk after my session",
            true,
        ),
        (
            "my cheek is bleeding nonstop, pressed on it for 20 mins",
            true,
        ),
        ("woke up w my eye red n gunky since the session", true),
        // Confusion as a symptom, not as puzzlement.
        ("feeling confused and drowsy since my treatment", true),
        ("which needle length do you use? im confused", false),
        // Darkening shows weeks later: the treatment's date is not the change's.
        (
            "brown stripes from my session 3 weeks ago, getting darker and they sting",
            true,
        ),
        ("dark patches after my session years ago, faded now", false),
        // Someone else's, read from the possessive; an address is not a person.
        (
            "my bestie's eye went red after her session, shes fine now",
            false,
        ),
    ]);
}

/// Who and when, read from grammar: a person in a comparison or as the
/// doer is a bystander; "fine yesterday" is how it was before, not an end
/// ("stopped yesterday" is one); a negated relief verb says the symptom
/// goes on; a temperature spelt out is still a reading.
#[test]
fn bystanders_earlier_states_and_spoken_numbers() {
    assert_urgency(&[
        (
            "the pain feels like someone is stabbing my cheek, day 4 and worse",
            true,
        ),
        (
            "got elbowed by my son this morning and the needled spot on my chin is still bleeding after an hour",
            true,
        ),
        ("my sister's lip is still bleeding after an hour", false),
        (
            "the pain is unbearable tonight, my face was fine yesterday",
            true,
        ),
        ("the bleeding stopped yesterday, all good", false),
        (
            "co-codamol isn't touching the pain since my session, it's agony",
            true,
        ),
        ("temperature is thirty eight point nine since my session", true),
        ("my daughter turns thirty nine tomorrow, any gift ideas", false),
    ]);
}

/// A message that denies red flags by name is a checklist: a mild word
/// left over is what the writer calls mild, and no weak mention.
#[test]
fn a_checklist_leaves_no_weak_mention() {
    assert_weak(&[
        (
            "Day 2: no swelling, no pain, no bleeding. Only feeling tight.",
            false,
        ),
        ("Day 2: feeling tight and swollen tonight.", true),
        // A pain score in the mild band is the writer's own "mild".
        ("the pain is maybe a 2/10 tonight", false),
        ("the pain is bad tonight", true),
    ]);
}

/// A bare term is weak evidence only when nothing takes it back: its
/// second term negated ("eyes aren't sore") denies it, and a minimiser
/// ("a bit swollen") makes light of it.
#[test]
fn denied_or_minimised_terms_are_not_weak_mentions() {
    assert_weak(&[
        ("my eyes aren't sore or red after the session", false),
        ("woke up a bit swollen this morning", false),
        ("woke up swollen this morning", true),
    ]);
}

/// A sentence that asks whether a symptom is expected offers no weak
/// mention for the encoder to promote; a negated "normal" is a report.
#[test]
fn expectation_questions_are_not_weak_mentions() {
    assert_weak(&[
        ("my cheeks feel hot and look red, normal on day 1?", false),
        ("red and puffy tonight, is that ok?", false),
        ("my cheeks feel hot and look red tonight", true),
        ("this is not normal, my face is red and hot", true),
    ]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Adding "no fever" to a report of pus keeps it urgent: a negation
    /// negates only its own concept.
    #[test]
    fn no_fever_keeps_pus_urgent(
        report in prop::sample::select(vec![
            "pus is coming out of my cheek",
            "yellow crust on my forehead and it's oozing",
            "the holes are full of pus",
        ]),
        before in any::<bool>(),
    ) {
        let (_, t) = triage();
        let message = if before { format!("no fever but {report}") } else { format!("{report}, no fever") };
        prop_assert!(matches!(t.check(&message), Verdict::Urgent(_)), "{}", message);
    }

    /// "What are the signs of" before a symptom makes it a general
    /// question: never urgent, unless it is an airway emergency.
    #[test]
    fn signs_of_is_not_urgent(
        symptom in prop::sample::select(vec![
            "infection", "pus", "hives", "blisters", "a fever", "blurred vision", "numbness", "hard lumps", "a cold sore flare",
        ]),
    ) {
        let (_, t) = triage();
        let message = format!("what are the signs of {symptom}?");
        prop_assert!(!matches!(t.check(&message), Verdict::Urgent(_)), "{}", message);
    }

    /// Figurative uses never fire.
    #[test]
    fn figurative_never_fires(
        what in prop::sample::select(vec!["bank account", "wallet", "budget", "savings"]),
        symptom in prop::sample::select(vec!["is bleeding", "has a fever", "is covered in blisters", "is infected"]),
    ) {
        let (_, t) = triage();
        let message = format!("my {what} {symptom} after all these sessions lol");
        prop_assert!(!matches!(t.check(&message), Verdict::Urgent(_)), "{}", message);
    }
}

/// Triage's own cue words are never read as typos of a symptom ("filler"
/// names another treatment, not "fluid filled"), and an exact cue word
/// matches only as written ("=cause" asks, "caused" reports).
#[test]
fn cue_words_are_read_as_written() {
    let (_, t) = triage();
    assert!(
        !matches!(
            t.check("my lip filler has a small hard lump"),
            Verdict::Urgent(_)
        ),
        "another treatment's lump"
    );
    assert!(matches!(
        t.check("my cheek has a small hard lump"),
        Verdict::Urgent(_)
    ));
}

/// With the encoder's dictionary, a correctly spelled word is not a typo
/// of a lexicon word ("glowing" is not "growing", "infectious" is not
/// "infection"), and a real typo still is ("swolen").
#[test]
fn dictionary_words_are_not_typos() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(faqbot::model::DEFAULT_MODEL_DIR);
    let model = faqbot::model::load_model(&dir).expect("the shipped model loads");
    let (_, plain) = triage();
    let t = plain.clone().with_dictionary(model.encoder.dictionary());
    for (message, without, with) in [
        ("my skin is red and glowing today", true, false),
        ("that offer is infectious", true, false),
        ("my lips are swolen since the serum", true, true),
        // Another form of a lexicon word is not a typo of its neighbour
        // ("droops" is not "droopy").
        ("my mouth droops since the needling", true, true),
    ] {
        let urgent = |t: &Triage| matches!(t.check(message), Verdict::Urgent(_));
        assert_eq!(urgent(&plain), without, "{message}: without the dictionary");
        assert_eq!(urgent(&t), with, "{message}: with the dictionary");
    }
}

/// A symptom that stopped and began again goes on; not managing to do
/// something is the symptom even when the term opens on the verb; a state
/// that was easing before a turn to the present is not its end; the
/// symptom's name with only the treatment's name is a search.
#[test]
fn restarts_inability_turns_and_searches() {
    assert_urgency(&[
        (
            "the bleeding eased off for a while, then started again an hour later",
            true,
        ),
        ("the bleeding stopped after ten minutes, all fine", false),
        ("i cannot get air into my chest since the session", true),
        ("hopefully my tongue will not swell tonight", false),
        (
            "the redness was settling but now it is spreading to my neck",
            true,
        ),
        ("my face was itchy on day 3 but that has stopped now", false),
        ("microneedling granuloma", false),
        (
            "hard granuloma lumps since my microneedling, and growing",
            true,
        ),
        ("what are the steps: cleanse, numb, then needle?", false),
        (
            "since i lost weight my face is droopy, would it tighten?",
            false,
        ),
        ("what kind of pain is too much after a session?", false),
        ("my skin is peeling in sheets since the session", true),
        ("been sick four times since my treatment this morning", true),
        (
            "everything went black and i fell over an hour after my session",
            true,
        ),
    ]);
}
