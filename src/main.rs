//! The `faqbot` command: parse the command line and dispatch. The work is
//! in the library (the core) and in `faqbot::discord` (the bot).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use faqbot::eval;
use faqbot::lint::{self, Severity};
use faqbot::reply::render_text;
use faqbot::store::{self, Store};
use faqbot::Engine;

/// An FAQ bot for a clinic's Discord server.
///
/// Answers members' questions from a curated, sourced FAQ (faq.toml), says so
/// when it does not know, and sends anyone describing a possible complication
/// to get care. Try it without Discord: `faqbot chat`.
#[derive(Debug, Parser)]
#[command(name = "faqbot", version, about, long_about)]
struct Cli {
    /// The FAQ file to use.
    #[arg(
        long,
        global = true,
        default_value = "faq.toml",
        env = "FAQBOT_FAQ",
        value_name = "PATH"
    )]
    faq: PathBuf,

    /// The sentence encoder's folder (default: the shipped models/minilm-l6).
    #[arg(long, global = true, env = "FAQBOT_MODEL", value_name = "DIR")]
    model: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SignalsArg {
    Lexical,
    Semantic,
    Fused,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answer one question, as a member would see it.
    Ask {
        /// The question, in quotes.
        question: String,
        /// Print one JSON object: kind, entry, score, suggestions.
        #[arg(long, conflicts_with = "explain")]
        json: bool,
        /// Show how the answer was chosen: triage, candidates, scores, matched words.
        #[arg(long)]
        explain: bool,
    },
    /// Ask questions interactively (Ctrl-D to leave). Start a line with
    /// `?` to see how it was matched.
    Chat,
    /// Validate and lint the FAQ file; exits non-zero on any error.
    Check {
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// A file of entry ids (and categories) that must exist, one
        /// "id category" a line (CI passes tests/required-entries.txt).
        #[arg(long, value_name = "PATH")]
        require: Option<PathBuf>,
    },
    /// Run labelled cases (a TOML file of [[case]] question/expect) and report accuracy.
    Eval {
        /// The case file.
        cases: PathBuf,
        /// Print one JSON object instead of the report.
        #[arg(long)]
        json: bool,
        /// List every case with its outcome, score and margin, not only the misses.
        #[arg(long, conflicts_with = "json")]
        verbose: bool,
        /// Exit non-zero if overall accuracy is below this (0 to 1).
        #[arg(long, value_name = "FRACTION")]
        min_accuracy: Option<f64>,
        /// Exit non-zero if any urgent case is missed or any other case is answered as urgent.
        #[arg(long)]
        strict_urgent: bool,
        /// Decide on one signal alone, to measure it (lexical, semantic; default fused).
        #[arg(long, value_enum, default_value = "fused")]
        signals: SignalsArg,
        /// Exit non-zero if fewer than this share of urgent cases are caught (0 to 1).
        #[arg(long, value_name = "FRACTION")]
        min_urgent_recall: Option<f64>,
        /// Exit non-zero if more than this many other cases are answered as urgent.
        #[arg(long, value_name = "N")]
        max_false_urgent: Option<usize>,
    },
    /// Report on the question log: questions, outcomes, top entries, feedback.
    Stats {
        /// Cover the last N days.
        #[arg(long, default_value_t = store::DEFAULT_RETENTION_DAYS, value_name = "N")]
        days: u64,
        /// The question log the bot writes.
        #[arg(long, env = "FAQBOT_DB", default_value = store::DEFAULT_DB, value_name = "PATH")]
        db: PathBuf,
        /// Only this server's questions (a Discord server id); default: every server.
        #[arg(long, value_name = "ID")]
        guild: Option<u64>,
        /// Also draw the report as a PNG chart at PATH (what `/faqadmin stats` attaches).
        #[arg(long, value_name = "PATH")]
        chart: Option<PathBuf>,
    },
    /// List the questions the bot could not answer, paraphrases grouped, most asked first.
    Unanswered {
        /// Cover the last N days.
        #[arg(long, default_value_t = store::DEFAULT_RETENTION_DAYS, value_name = "N")]
        days: u64,
        /// Show at most N groups.
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
        /// The question log the bot writes.
        #[arg(long, env = "FAQBOT_DB", default_value = store::DEFAULT_DB, value_name = "PATH")]
        db: PathBuf,
        /// Only this server's questions (a Discord server id); default: every server.
        #[arg(long, value_name = "ID")]
        guild: Option<u64>,
    },
    /// Connect to Discord and serve the server (needs DISCORD_TOKEN; see the README).
    Run,
    /// Exit 0 if the running bot reports every gateway shard connected, 1 if not
    /// (for a container HEALTHCHECK; the bot writes the file while it runs).
    Health {
        /// The status file `faqbot run` keeps up to date.
        #[arg(long, env = "FAQBOT_HEALTH_FILE", value_name = "PATH")]
        file: PathBuf,
    },
}

/// Writes to standard output, returning the error instead of panicking as
/// `print!` does: `faqbot ask … | head` closes the pipe early, and that is
/// not a crash.
macro_rules! out {
    ($($arg:tt)*) => {
        std::io::stdout().lock().write_fmt(format_args!($($arg)*))
    };
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)
    };
}

/// How long `faqbot run` waits for the runtime's leftover tasks at exit,
/// after the log is flushed: they only hold sockets.
const RUNTIME_STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

fn scope(guild: Option<u64>) -> store::Scope {
    guild.map_or(store::Scope::All, store::Scope::Guild)
}

/// Reads a file of at most `limit` bytes (see `faqbot::files`).
fn read(path: &Path, limit: u64, what: &str) -> Result<String> {
    faqbot::files::read_capped_string(path, limit, what)
        .with_context(|| format!("cannot read {}", path.display()))
}

fn read_faq(path: &Path) -> Result<String> {
    read(path, faqbot::files::MAX_FAQ_BYTES, "a FAQ file")
}

/// Loads the FAQ and the encoder; on failure a one-line reason naming the
/// first error, or the model file at fault.
fn load(path: &Path, model: Option<&Path>) -> Result<Engine> {
    let faq = parse(path)?;
    let model = faqbot::model::load_model(&faqbot::model::model_dir(model))?;
    faqbot::model::build_engine(faq, &model, None)
}

/// Parses and validates the FAQ file.
fn parse(path: &Path) -> Result<faqbot::Faq> {
    let text = read_faq(path)?;
    faqbot::Faq::parse(&text).map_err(|errors| {
        let n = errors.0.len();
        let first = &errors.0[0];
        let more = if n > 1 {
            format!(" (and {} more; run `faqbot check`)", n - 1)
        } else {
            String::new()
        };
        anyhow::anyhow!("{} is not valid: {first}{more}", path.display())
    })
}

fn ask(engine: &Engine, question: &str, json: bool, explain: bool) -> Result<()> {
    if explain {
        outln!("{}", engine.explain_text(question))?;
        return Ok(());
    }
    let reply = engine.answer(question);
    if json {
        outln!("{}", serde_json::to_string(&reply.to_json())?)?;
    } else {
        outln!("{}", render_text(engine.faq(), &reply))?;
    }
    Ok(())
}

fn chat(engine: &Engine) -> Result<()> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = std::io::stdout().lock();
    if interactive {
        let subject = match &engine.faq().meta.subject {
            Some(subject) => format!("ask about {subject}"),
            None => "ask a question".to_owned(),
        };
        writeln!(
            out,
            "faqbot: {subject}. Start a line with ? to see how it was matched. Ctrl-D to leave."
        )?;
    }
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            write!(out, "\nyou> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line.context("cannot read from the console")?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if matches!(line, "quit" | "exit" | ":q") {
            break;
        }
        if let Some(q) = line.strip_prefix('?') {
            writeln!(out, "{}", engine.explain_text(q))?;
        } else {
            writeln!(out, "\n{}", render_text(engine.faq(), &engine.answer(line)))?;
        }
    }
    if interactive {
        writeln!(out)?;
    }
    Ok(())
}

fn check(path: &Path, model: Option<&Path>, strict: bool, require: Option<&Path>) -> Result<bool> {
    let required = match require {
        Some(file) => lint::parse_required(&read(
            file,
            faqbot::files::MAX_FAQ_BYTES,
            "a required-entries file",
        )?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?,
        None => Vec::new(),
    };
    let text = read_faq(path)?;
    let engine = match faqbot::Faq::parse(&text) {
        Ok(faq) => {
            let model = faqbot::model::load_model(&faqbot::model::model_dir(model))?;
            faqbot::model::build_engine(faq, &model, None)?
        }
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("error: {}: {e}", path.display());
            }
            eprintln!(
                "{}: {} error(s); the file was not loaded",
                path.display(),
                errors.0.len()
            );
            return Ok(false);
        }
    };
    let findings = lint::lint(&engine, &required);
    for f in &findings {
        eprintln!("{}: {f}", path.display());
    }
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    let faq = engine.faq();
    outln!(
        "{}: {} entries, {} sources, {} red flags; {errors} error(s), {warnings} warning(s), {notes} note(s)",
        path.display(),
        faq.entries.len(),
        faq.sources.len(),
        faq.red_flags.len()
    )?;
    if let Some((name, cal, phrasings)) = engine.semantic_info() {
        outln!(
            "encoder: {name}; {phrasings} phrasings; calibration: in-domain {:.2}, off-topic {:.2}, nearest phrasing in its own entry for {:.0}%",
            cal.in_domain,
            cal.off_topic,
            cal.self_consistency * 100.0
        )?;
    }
    Ok(errors == 0 && (!strict || warnings == 0))
}

/// What an evaluation must reach for `eval` to exit 0.
struct Floors {
    min_accuracy: Option<f64>,
    strict_urgent: bool,
    min_urgent_recall: Option<f64>,
    max_false_urgent: Option<usize>,
}

fn run_eval(
    engine: &Engine,
    cases: &Path,
    json: bool,
    verbose: bool,
    floors: Floors,
) -> Result<bool> {
    let Floors {
        min_accuracy,
        strict_urgent,
        min_urgent_recall,
        max_false_urgent,
    } = floors;
    let text = read(cases, faqbot::files::MAX_CASES_BYTES, "a case file")?;
    let cases_parsed =
        eval::parse_cases(&text, engine).with_context(|| format!("in {}", cases.display()))?;
    let report = eval::run(engine, &cases_parsed);
    if verbose {
        out!("{}", eval::listing(engine, &cases_parsed))?;
    }
    if json {
        outln!("{}", serde_json::to_string(&report)?)?;
    } else {
        out!("{}", report.to_text())?;
    }
    let mut ok = true;
    if let Some(min) = min_accuracy {
        if report.accuracy < min {
            eprintln!(
                "accuracy {:.3} is below the required {min:.3}",
                report.accuracy
            );
            ok = false;
        }
    }
    if let Some(min) = min_urgent_recall {
        let recall = if report.urgent_total == 0 {
            1.0
        } else {
            report.urgent_correct as f64 / report.urgent_total as f64
        };
        if recall < min {
            eprintln!("urgent recall {recall:.3} is below the required {min:.3}");
            ok = false;
        }
    }
    if let Some(max) = max_false_urgent {
        if report.false_urgent > max {
            eprintln!(
                "{} false urgent, more than the {max} allowed",
                report.false_urgent
            );
            ok = false;
        }
    }
    if strict_urgent && (report.urgent_correct < report.urgent_total || report.false_urgent > 0) {
        eprintln!(
            "urgent: {} of {} caught, {} false urgent (all must be caught, none false)",
            report.urgent_correct, report.urgent_total, report.false_urgent
        );
        ok = false;
    }
    Ok(ok)
}

fn dispatch(cli: Cli) -> Result<bool> {
    match cli.command {
        Command::Ask {
            question,
            json,
            explain,
        } => ask(
            &load(&cli.faq, cli.model.as_deref())?,
            &question,
            json,
            explain,
        )
        .map(|()| true),
        Command::Chat => chat(&load(&cli.faq, cli.model.as_deref())?).map(|()| true),
        Command::Check { strict, require } => {
            check(&cli.faq, cli.model.as_deref(), strict, require.as_deref())
        }
        Command::Eval {
            cases,
            json,
            verbose,
            min_accuracy,
            strict_urgent,
            min_urgent_recall,
            max_false_urgent,
            signals,
        } => {
            for (flag, value) in [
                ("--min-accuracy", min_accuracy),
                ("--min-urgent-recall", min_urgent_recall),
            ] {
                if let Some(m) = value {
                    if !(0.0..=1.0).contains(&m) {
                        bail!("{flag} must be between 0 and 1, got {m}");
                    }
                }
            }
            let signals = match signals {
                SignalsArg::Lexical => faqbot::Signals::Lexical,
                SignalsArg::Semantic => faqbot::Signals::Semantic,
                SignalsArg::Fused => faqbot::Signals::Fused,
            };
            run_eval(
                &load(&cli.faq, cli.model.as_deref())?.with_signals(signals),
                &cases,
                json,
                verbose,
                Floors {
                    min_accuracy,
                    strict_urgent,
                    min_urgent_recall,
                    max_false_urgent,
                },
            )
        }
        Command::Stats {
            days,
            db,
            guild,
            chart,
        } => {
            let store = Store::open_read_only(&db)?;
            let stats = match chart {
                None => store.stats(days, scope(guild))?,
                Some(path) => {
                    let report = faqbot::chart::Report::load(&store, days, scope(guild))?;
                    let png = faqbot::chart::render(&report)?.png;
                    std::fs::write(&path, png)
                        .with_context(|| format!("cannot write the chart {}", path.display()))?;
                    eprintln!("chart written to {}", path.display());
                    report.stats
                }
            };
            out!("{stats}")?;
            Ok(true)
        }
        Command::Unanswered {
            days,
            limit,
            db,
            guild,
        } => {
            let groups = Store::open_read_only(&db)?.unanswered(days, limit, scope(guild))?;
            out!("{}", store::unanswered_text(&groups, days))?;
            Ok(true)
        }
        Command::Health { file } => {
            match faqbot::discord::health::check_file(&file, store::now()) {
                Ok(message) => {
                    outln!("{message}")?;
                    Ok(true)
                }
                Err(message) => {
                    outln!("{message}")?;
                    Ok(false)
                }
            }
        }
        Command::Run => {
            let config = faqbot::discord::Config::from_env(cli.faq)?;
            faqbot::discord::init_logging();
            let runtime = tokio::runtime::Runtime::new().context("cannot start tokio")?;
            let shutdown = faqbot::discord::shutdown_signal();
            let result = runtime.block_on(faqbot::discord::run(config, shutdown));
            // A task still blocked on an unreachable Discord must not hold the exit.
            runtime.shutdown_timeout(RUNTIME_STOP_WAIT);
            result?;
            Ok(true)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        // Whoever read the output stopped reading (`| head`): nothing to report.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
