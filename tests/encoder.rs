//! The sentence encoder against a reference: token ids from Hugging Face's
//! own tokenizer and vectors from an independent numpy forward pass over
//! the original f32 weights (`models/make.py` writes both).

use std::path::Path;

use faqbot::model::{load_model, DEFAULT_MODEL_DIR};

fn model_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_DIR)
}

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(model_dir().join("reference.json")).expect("reference.json");
    serde_json::from_str(&text).expect("reference.json is JSON")
}

/// Our WordPiece tokenizer gives exactly Hugging Face's ids, accents,
/// emoji, punctuation and the empty string included.
#[test]
fn tokenizer_matches_reference() {
    let model = load_model(&model_dir()).expect("the shipped model loads");
    for case in reference()["cases"].as_array().expect("cases") {
        let text = case["text"].as_str().expect("text");
        let want: Vec<u32> = case["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|v| v.as_u64().expect("id") as u32)
            .collect();
        assert_eq!(model.encoder.token_ids(text), want, "tokens of {text:?}");
    }
}

/// The f16 weights through our forward pass give the reference vectors
/// to a cosine of 0.999 or more, alone and in a padded batch.
#[test]
fn vectors_match_reference() {
    let model = load_model(&model_dir()).expect("the shipped model loads");
    let cases = reference();
    let cases = cases["cases"].as_array().expect("cases");
    let texts: Vec<&str> = cases
        .iter()
        .map(|c| c["text"].as_str().expect("text"))
        .collect();
    let batch = model.encoder.embed_all(&texts).expect("batch embeds");
    for (case, batched) in cases.iter().zip(&batch) {
        let want: Vec<f32> = case["vector"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|v| v.as_f64().expect("float") as f32)
            .collect();
        let alone = model
            .encoder
            .embed(case["text"].as_str().expect("text"))
            .expect("embeds");
        for got in [&alone, batched] {
            let cos = faqbot::embed::cosine(got, &want);
            assert!(cos >= 0.999, "{:?}: cosine {cos}", case["text"]);
        }
    }
}

/// A missing weights file stops the load with the file named.
#[test]
fn missing_model_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["config.json", "vocab.txt", "off-topic.txt"] {
        std::fs::copy(model_dir().join(f), dir.path().join(f)).expect("copy");
    }
    let err = format!("{:#}", load_model(dir.path()).expect_err("no weights"));
    assert!(err.contains("model.safetensors"), "{err}");
}

/// A corrupt or truncated weights file is refused, naming the file, never
/// loaded as a model that computes nonsense.
#[test]
fn corrupt_model_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["config.json", "vocab.txt", "off-topic.txt"] {
        std::fs::copy(model_dir().join(f), dir.path().join(f)).expect("copy");
    }
    let weights = std::fs::read(model_dir().join("model.safetensors")).expect("weights");
    for bad in [
        b"not a model".to_vec(),
        weights[..weights.len() / 2].to_vec(),
    ] {
        std::fs::write(dir.path().join("model.safetensors"), bad).expect("write");
        let err = format!("{:#}", load_model(dir.path()).expect_err("corrupt weights"));
        assert!(err.contains("model.safetensors"), "{err}");
    }
}

/// The cheap screen the bot runs before answering a rate-limited message
/// never misses: no triage case (own, probes and holdout) that the screen
/// lets through is urgent once answered, encoder included; and everyday
/// questions do pass the screen, so a member on cooldown usually costs no
/// encoder time. (Stated the other way round, the screen's promise is
/// checked only where it could fail: on messages it calls safe. The probes
/// are sampled one in three: every kind of message is there, in a third of
/// CI's time.)
#[test]
fn urgency_screen_never_misses() {
    let model = load_model(&model_dir()).expect("the shipped model loads");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml"))
        .expect("faq.toml");
    let faq = faqbot::Faq::parse(&text).expect("faq.toml is valid");
    let engine = faqbot::model::build_engine(faq, &model, None).expect("the engine builds");
    let (mut screened_in, mut screened_out) = (0, 0);
    for file in [
        "triage-own.toml",
        "triage-holdout.toml",
        "triage-probes.toml",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/cases")
            .join(file);
        let cases: toml::Table =
            toml::from_str(&std::fs::read_to_string(path).expect("case file")).expect("TOML");
        let step = if file == "triage-probes.toml" { 3 } else { 1 };
        for case in cases["case"]
            .as_array()
            .expect("cases")
            .iter()
            .step_by(step)
        {
            let question = case["question"].as_str().expect("a question");
            if engine.may_be_urgent(question) {
                screened_in += 1;
            } else {
                screened_out += 1;
                assert!(
                    !matches!(engine.answer(question), faqbot::Reply::Urgent { .. }),
                    "{question:?}"
                );
            }
        }
    }
    assert!(
        screened_in > 50 && screened_out > 50,
        "the case files hold both kinds: {screened_in} in, {screened_out} out"
    );
    for everyday in [
        "how many sessions will i need",
        "how much does it cost",
        "does microneedling hurt",
    ] {
        assert!(!engine.may_be_urgent(everyday), "{everyday:?}");
    }
}

/// The bot's encoder queue gives every asker its own question's vector,
/// the same as embedding it alone, when many ask at once (so they are
/// embedded together, padded to the longest) and when one asks alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_answers_each_asker_with_its_own_vector() {
    use faqbot::discord::batch::Batcher;
    use std::sync::Arc;

    let model = load_model(&model_dir()).expect("the shipped model loads");
    let batcher = Arc::new(Batcher::start(model.clone()));
    let texts: Vec<String> = (0..150)
        .map(|i| match i % 3 {
            0 => format!("question number {i}"),
            1 => format!("how long until the redness fades, asking for the {i}th time"),
            _ => "hi".repeat(i % 7 + 1),
        })
        .collect();
    let asks = texts.iter().cloned().map(|t| {
        let b = batcher.clone();
        tokio::spawn(async move { b.embed(&t).await })
    });
    let got = futures_util::future::join_all(asks).await;
    for (text, got) in texts.iter().zip(got) {
        let got = got.expect("task").expect("queue").expect("vector");
        let alone = model.encoder.embed(text).expect("vector");
        let cos = faqbot::embed::cosine(&got, &alone);
        assert!(cos > 0.9999, "{text:?}: cosine {cos} to its own vector");
    }
    let lone = batcher
        .embed("hello")
        .await
        .expect("queue")
        .expect("vector");
    let want = model.encoder.embed("hello").expect("vector");
    assert!(faqbot::embed::cosine(&lone, &want) > 0.9999);
}
