//! The real `faqbot` binary, as a person or a script uses it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const FAQ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml");

fn faqbot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .args(args)
        .env_remove("FAQBOT_FAQ")
        .output()
        .expect("faqbot runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file in the temp dir, unique to this test process and name.
fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("faqbot-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("temp file written");
    path
}

/// `ask` prints the answer with its sources and the disclaimer.
#[test]
fn ask_prints_answer_sources_disclaimer() {
    let o = faqbot(&["--faq", FAQ, "ask", "how many sessions do i need"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Sources:") && out.contains("https://"),
        "{out}"
    );
    assert!(out.contains("not medical advice"), "{out}");
}

/// `ask --json` gives the spec's object for an answer, a no-match and an urgent case.
#[test]
fn ask_json_shape() {
    let rows = [
        ("how many sessions do i need", "answer", true),
        ("who won the match last night", "no_match", false),
        ("my lips and throat are swelling up", "urgent", false),
    ];
    for (q, kind, has_entry) in rows {
        let o = faqbot(&["--faq", FAQ, "ask", "--json", q]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
        assert_eq!(v["kind"], kind, "{q}: {v}");
        assert_eq!(v["entry"].is_string(), has_entry, "{q}: {v}");
        assert!(v["score"].is_number(), "{v}");
        assert!(
            v["suggestions"].as_array().is_some_and(|s| s.len() <= 3),
            "{v}"
        );
    }
}

/// `ask --explain` shows triage, candidates with scores and the matched words.
#[test]
fn ask_explain_shows_the_working() {
    let o = faqbot(&["--faq", FAQ, "ask", "--explain", "does it hurt"]);
    let out = stdout(&o);
    assert!(
        out.contains("triage: no red flag")
            && out.contains("does-it-hurt")
            && out.contains("matched:"),
        "{out}"
    );
}

/// `check` passes the shipped file.
#[test]
fn check_passes_shipped_file() {
    let o = faqbot(&["--faq", FAQ, "check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("0 error(s)"));
}

/// `check` rejects a broken file, naming the entry and the line, and leaves the file as it was.
#[test]
fn check_rejects_broken_file_with_entry_and_line() {
    let shipped = std::fs::read_to_string(FAQ).unwrap();
    let broken = shipped.replacen(
        "sources = [\"webmd",
        "sources = [\"no-such-source\", \"webmd",
        1,
    );
    assert_ne!(broken, shipped, "fixture edit applied");
    let path = temp_file("broken.toml", &broken);
    let o = faqbot(&["--faq", path.to_str().unwrap(), "check"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("unknown source \"no-such-source\"")
            && err.contains("entry \"")
            && err.contains("line "),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        broken,
        "check must not modify the file"
    );
    // Other commands refuse it in one line, naming the first error.
    let o = faqbot(&["--faq", path.to_str().unwrap(), "ask", "hi"]);
    assert!(!o.status.success());
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    std::fs::remove_file(path).ok();
}

/// `eval --json` reports the spec's fields, and `--min-accuracy` fails a run below it.
#[test]
fn eval_json_and_threshold() {
    let cases = temp_file(
        "cases.toml",
        r#"
[[case]]
question = "how many sessions will i need"
expect = "session-count"

[[case]]
question = "anyone watching the match tonight"
expect = "none"

[[case]]
question = "my throat is closing up"
expect = "urgent"

[[case]]
question = "how many sessions will i need"
expect = "cost"
"#,
    );
    let o = faqbot(&["--faq", FAQ, "eval", "--json", cases.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON report");
    for field in [
        "total",
        "correct",
        "answerable_total",
        "answerable_correct",
        "none_total",
        "none_correct",
        "urgent_total",
        "urgent_correct",
        "false_urgent",
        "p50_us",
        "p99_us",
        "misses",
    ] {
        assert!(!v[field].is_null(), "missing {field}: {v}");
    }
    assert_eq!(v["total"], 4);
    assert_eq!(v["correct"], 3);
    assert_eq!(v["misses"][0]["expect"], "cost");
    assert_eq!(v["misses"][0]["got"], "session-count");
    let o = faqbot(&[
        "--faq",
        FAQ,
        "eval",
        "--min-accuracy",
        "0.9",
        cases.to_str().unwrap(),
    ]);
    assert!(!o.status.success(), "75% must fail a 90% bar");
    std::fs::remove_file(cases).ok();
}

/// `chat` answers line by line and leaves cleanly at end of input.
#[test]
fn chat_answers_until_eof() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .args(["--faq", FAQ, "chat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("chat starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"does it hurt\n\nhow much does it cost\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.matches("Sources:").count() == 2, "{out}");
}

/// A missing FAQ file is a one-line error, not a panic.
#[test]
fn missing_faq_is_a_clear_error() {
    let o = faqbot(&["--faq", "/nonexistent/faq.toml", "ask", "hi"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.starts_with("error: cannot read /nonexistent/faq.toml"),
        "{err}"
    );
}

/// The reports read an existing log: a missing one is a clear error and is
/// not created; a fresh one reports zero and no unanswered questions.
#[test]
fn reports_need_an_existing_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("log.db");
    let db_arg = db.to_str().expect("UTF-8 temp path");
    let o = faqbot(&["stats", "--db", db_arg]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no question log at"), "{}", stderr(&o));
    assert!(!db.exists(), "a report does not create a log");

    faqbot::store::Store::open(&faqbot::store::Settings {
        path: db.clone(),
        ..Default::default()
    })
    .expect("create a log");
    let o = faqbot(&["stats", "--days", "7", "--db", db_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Questions in the last 7 day(s): 0"),
        "{}",
        stdout(&o)
    );
    let o = faqbot(&["unanswered", "--db", db_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("No unanswered questions"),
        "{}",
        stdout(&o)
    );
}

/// A reader that stops early (`faqbot eval … | head -1`) is not a crash:
/// no panic, and the exit status says nothing went wrong.
#[test]
fn closed_output_pipe_is_not_a_crash() {
    use std::io::{BufRead, BufReader};
    let cases = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/own-cases.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .args(["--faq", FAQ, "eval", cases, "--verbose"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("faqbot runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty(), "one line was printed");
    // The pipe's read end is closed here, with most of the report unwritten.
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(o.status.success(), "{:?}: {}", o.status, stderr(&o));
}
