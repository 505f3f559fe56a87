//! Benchmark of the answering core: `cargo bench --bench answer`.
//!
//! A bench binary rather than criterion: it reports what the issue asks
//! for directly (per-question p50/p99 over a realistic question mix, index
//! build time, peak memory) on the shipped FAQ and on a generated FAQ of
//! 10,000 entries. Figures go to BENCHMARKS.md by hand.

use std::hint::black_box;
use std::time::{Duration, Instant};

use faqbot::Engine;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Passes over the question mix; enough for stable percentiles.
const ROUNDS: usize = 200;
/// Passes with the encoder, which costs milliseconds a question.
const FULL_ROUNDS: usize = 5;
/// Generated FAQ size (the scale target).
const BIG_ENTRIES: usize = 10_000;

/// Peak resident set size so far, from /proc (Linux); 0 elsewhere.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The project's own question set, read as `faqbot eval` reads it (no
/// engine is built for it: this bench measures building them).
fn questions() -> Vec<String> {
    let text =
        std::fs::read_to_string(format!("{ROOT}/tests/cases/own-cases.toml")).expect("own cases");
    faqbot::eval::read_cases(&text)
        .expect("own cases parse")
        .into_iter()
        .map(|c| c.question)
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[(((sorted.len() - 1) as f64) * p / 100.0).round() as usize]
}

fn time_answers(
    engine: &Engine,
    questions: &[String],
    rounds: usize,
) -> (Duration, Duration, Duration) {
    let mut samples = Vec::with_capacity(questions.len() * rounds);
    for _ in 0..rounds {
        for q in questions {
            let start = Instant::now();
            black_box(engine.answer(black_box(q)));
            samples.push(start.elapsed());
        }
    }
    samples.sort();
    (
        percentile(&samples, 50.0),
        percentile(&samples, 99.0),
        *samples.last().unwrap(),
    )
}

/// A deterministic pseudo-random generator (no dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// How generated entries are phrased.
#[derive(Clone, Copy)]
enum Style {
    /// Like a real FAQ: each entry has a topic (four shared words and two
    /// words of its own) that its phrasings reuse, plus one random word each.
    Topical,
    /// Worst case: every phrasing is six random shared words, so each word
    /// is used by about a tenth of all entries.
    Random,
}

/// The shipped FAQ plus generated entries up to `total`, phrased from the
/// shipped vocabulary and synthetic topic words.
fn generated_faq(shipped: &str, total: usize, style: Style) -> String {
    let faq = faqbot::Faq::parse(shipped).expect("shipped faq");
    let mut vocab: Vec<String> = faq
        .entries
        .iter()
        .flat_map(|e| {
            e.phrasings().flat_map(|p| {
                p.split_whitespace()
                    .map(|w| w.replace(['"', '\\'], ""))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    vocab.sort();
    vocab.dedup();
    let mut rng = Lcg(42);
    let mut out = shipped.to_owned();
    let source = &faq.sources[0].id;
    for i in faq.entries.len()..total {
        let topic: Vec<String> = (0..4)
            .map(|_| vocab[rng.next(vocab.len())].clone())
            .chain([format!("topic{i}a"), format!("topic{i}b")])
            .collect();
        let phrase = |rng: &mut Lcg| -> String {
            let words: Vec<String> = match style {
                Style::Topical => {
                    let mut w: Vec<String> = (0..3)
                        .map(|_| topic[rng.next(topic.len())].clone())
                        .collect();
                    w.push(vocab[rng.next(vocab.len())].clone());
                    w
                }
                Style::Random => {
                    let mut w: Vec<String> = (0..5)
                        .map(|_| vocab[rng.next(vocab.len())].clone())
                        .collect();
                    w.push(format!("topic{}", rng.next(total * 2)));
                    w
                }
            };
            words.join(" ")
        };
        let question = phrase(&mut rng);
        let alternates: Vec<String> = (0..10)
            .map(|_| format!("\"{}\"", phrase(&mut rng)))
            .collect();
        out.push_str(&format!(
            "\n[[entry]]\nid = \"generated-{i}\"\ncategory = \"basics\"\nquestion = \"{question}\"\nalternates = [{}]\nanswer = \"Generated answer {i}.\"\nsources = [\"{source}\"]\n",
            alternates.join(", ")
        ));
    }
    out
}

fn report(name: &str, text: &str, questions: &[String]) {
    let start = Instant::now();
    let engine = Engine::from_toml(text).expect("faq loads");
    let build = start.elapsed();
    let (p50, p99, max) = time_answers(&engine, questions, ROUNDS);
    println!(
        "| {name} (lexical only) | {} | {:.1} ms | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} MiB |",
        engine.faq().entries.len(),
        build.as_secs_f64() * 1e3,
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        max.as_secs_f64() * 1e6,
        peak_rss_kib() as f64 / 1024.0
    );
}

/// The full engine: index build with no vector cache (cold) and from the
/// cache (warm), then answers, encoder included.
fn report_full(name: &str, text: &str, questions: &[String]) {
    let start = Instant::now();
    let model = faqbot::model::load_model(&faqbot::model::model_dir(None)).expect("model loads");
    let model_load = start.elapsed();
    let faq = || faqbot::Faq::parse(text).expect("faq parses");
    let start = Instant::now();
    let mut cache = faqbot::embed::VectorCache::new(model.encoder.id());
    let engine = Engine::with_model(faq(), model.clone(), &mut cache).expect("engine builds");
    let cold = start.elapsed();
    let start = Instant::now();
    let warm_engine = Engine::with_model(faq(), model.clone(), &mut cache).expect("engine builds");
    let warm = start.elapsed();
    drop(warm_engine);
    let (p50, p99, max) = time_answers(&engine, questions, FULL_ROUNDS);
    println!(
        "| {name} (full) | {} | model {:.0} ms; index cold {:.0} ms, warm {:.0} ms | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} MiB |",
        engine.faq().entries.len(),
        model_load.as_secs_f64() * 1e3,
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3,
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        max.as_secs_f64() * 1e6,
        peak_rss_kib() as f64 / 1024.0
    );
}

fn main() {
    // Measure only under `cargo bench` (which passes --bench); `cargo test
    // --benches` runs harness-less benches with no arguments, and then a
    // build check is all that is wanted.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let shipped = std::fs::read_to_string(format!("{ROOT}/faq.toml")).expect("faq.toml");
    let questions = questions();
    println!(
        "{} questions; {ROUNDS} rounds (lexical), {FULL_ROUNDS} (full)\n",
        questions.len()
    );
    println!("| FAQ | entries | build | answer p50 | answer p99 | answer max | peak RSS so far |");
    println!("|---|---|---|---|---|---|---|");
    report_full("shipped", &shipped, &questions);
    let clinc = format!("{ROOT}/../shared/bench/clinc150/faq.toml");
    if let Ok(text) = std::fs::read_to_string(&clinc) {
        report_full("CLINC150", &text, &questions);
    }
    report("shipped", &shipped, &questions);
    report(
        "generated 10,000, topical",
        &generated_faq(&shipped, BIG_ENTRIES, Style::Topical),
        &questions,
    );
    report(
        "generated 10,000, random words",
        &generated_faq(&shipped, BIG_ENTRIES, Style::Random),
        &questions,
    );
}
