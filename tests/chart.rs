//! The stats chart, decoded as a person's viewer would: its size, its
//! panels, and what each panel shows, for an empty log, a single vote, a
//! large log, ten years, ten thousand unanswered groups and odd text.

use faqbot::chart::{self, colour, Panel, PanelKind, Report, Rgb, HEIGHT, MIN_VOTES, WIDTH};
use faqbot::store::{
    Channel, Daily, DayCount, Feedback, Group, Outcome, Question, Scope, Settings, Stats, Store,
    Vote,
};

const GUILD: u64 = 3;
/// A panel's title line (and the feedback legend on it) ends above this
/// many pixels from its top; below is the panel's data.
const BELOW_TITLE: u32 = 48;

struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

fn decode(png: &[u8]) -> Image {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut rgb = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut rgb).expect("a PNG frame");
    rgb.truncate(info.buffer_size());
    assert_eq!(info.color_type, png::ColorType::Rgb);
    Image {
        width: info.width,
        height: info.height,
        rgb,
    }
}

impl Image {
    fn pixels(&self, x: u32, y: u32, w: u32, h: u32) -> impl Iterator<Item = Rgb> + '_ {
        (y..(y + h).min(self.height)).flat_map(move |row| {
            (x..(x + w).min(self.width)).map(move |col| {
                let at = ((row * self.width + col) * 3) as usize;
                [self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]]
            })
        })
    }

    /// Pixels of exactly `c` in the panel's data area (below its title).
    fn count(&self, p: &Panel, c: Rgb) -> usize {
        self.pixels(p.x, p.y + BELOW_TITLE, p.width, p.height - BELOW_TITLE)
            .filter(|&px| px == c)
            .count()
    }

    /// Pixels that are not background in the panel's data area, border aside.
    fn ink(&self, p: &Panel) -> usize {
        self.pixels(
            p.x + 1,
            p.y + BELOW_TITLE,
            p.width - 2,
            p.height - BELOW_TITLE - 1,
        )
        .filter(|&px| px != colour::BACKGROUND)
        .count()
    }
}

fn store() -> Store {
    Store::open(&Settings {
        path: ":memory:".into(),
        retention_days: 3650,
        store_text: true,
    })
    .unwrap()
}

fn ask(store: &Store, outcome: Outcome, entry: Option<&str>, text: &str, ago_secs: i64) {
    store
        .insert_question(&Question {
            time: faqbot::store::now() - ago_secs,
            guild: Some(GUILD),
            channel: Channel::Slash,
            user: 6,
            outcome,
            entry: entry.map(str::to_owned),
            score: 0.5,
            margin: None,
            text: text.to_owned(),
        })
        .unwrap();
}

fn vote(store: &Store, user: u64, entry: &str, helpful: bool) {
    store
        .vote(&Vote {
            time: faqbot::store::now(),
            guild: Some(GUILD),
            user,
            entry: entry.to_owned(),
            helpful,
        })
        .unwrap();
}

fn render(report: &Report) -> (chart::Chart, Image) {
    let chart = chart::render(report).expect("the chart renders");
    let image = decode(&chart.png);
    assert_eq!((image.width, image.height), (WIDTH, HEIGHT));
    (chart, image)
}

fn panel(chart: &chart::Chart, kind: PanelKind) -> Panel {
    *chart
        .panels
        .iter()
        .find(|p| p.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} panel in {:?}", chart.panels))
}

fn kinds(chart: &chart::Chart) -> Vec<PanelKind> {
    chart.panels.iter().map(|p| p.kind).collect()
}

const FOUR_PANELS: [PanelKind; 5] = [
    PanelKind::Header,
    PanelKind::PerDay,
    PanelKind::MostAsked,
    PanelKind::Unanswered,
    PanelKind::Feedback,
];

/// An empty log gives the "no questions yet" picture: a header and one
/// body with text in it, and no bar of any outcome anywhere.
#[test]
fn empty_log_says_no_questions_yet() {
    let report = Report::load(&store(), 30, Scope::Guild(GUILD)).unwrap();
    let (chart, image) = render(&report);
    assert_eq!(kinds(&chart), [PanelKind::Header, PanelKind::NoQuestions]);
    let body = panel(&chart, PanelKind::NoQuestions);
    assert!(image.ink(&body) > 1000, "the message is drawn");
    for c in [colour::ANSWERED, colour::NO_MATCH, colour::URGENT] {
        assert_eq!(image.count(&body, c), 0, "no bar of {c:?}");
    }
}

/// Helpful / Not helpful bars appear only for entries with at least
/// MIN_VOTES votes: one vote is a footnote, three are a bar.
#[test]
fn feedback_bars_need_three_votes() {
    for (votes, bar) in [(1, false), (MIN_VOTES - 1, false), (MIN_VOTES, true)] {
        let store = store();
        ask(
            &store,
            Outcome::Answer,
            Some("session-count"),
            "how many",
            60,
        );
        for user in 0..votes {
            vote(&store, user, "session-count", user != 1);
        }
        let report = Report::load(&store, 30, Scope::Guild(GUILD)).unwrap();
        let (chart, image) = render(&report);
        assert_eq!(kinds(&chart), FOUR_PANELS, "{votes} vote(s)");
        let feedback = panel(&chart, PanelKind::Feedback);
        assert_eq!(
            image.count(&feedback, colour::HELPFUL) > 0,
            bar,
            "{votes} vote(s): helpful bar"
        );
        assert!(
            image.ink(&feedback) > 0,
            "{votes} vote(s): the panel says why"
        );
        // The one answered question is a bar per day and a most-asked bar.
        for kind in [PanelKind::PerDay, PanelKind::MostAsked] {
            assert!(
                image.count(&panel(&chart, kind), colour::ANSWERED) > 0,
                "{kind:?}"
            );
        }
        let unanswered = panel(&chart, PanelKind::Unanswered);
        assert!(
            image.ink(&unanswered) > 0,
            "says every question was answered"
        );
    }
}

/// A large log (20,000 questions over 30 days, every outcome, 2,000
/// unanswered in 400 wordings, votes on ten entries) fills every panel
/// with its own colours.
#[test]
fn large_log_fills_every_panel() {
    let store = store();
    for i in 0..20_000i64 {
        let ago = (i * 7919) % (30 * 86_400);
        let entry = format!("entry-{}", i % 13);
        match i % 10 {
            0 => ask(
                &store,
                Outcome::NoMatch,
                None,
                &format!("unanswered question number {}", i % 400),
                ago,
            ),
            1 if i % 100 == 1 => ask(&store, Outcome::Urgent, None, "", ago),
            _ => ask(&store, Outcome::Answer, Some(&entry), "", ago),
        }
    }
    for user in 0..40 {
        vote(&store, user, &format!("entry-{}", user % 10), user % 4 != 0);
    }
    let report = Report::load(&store, 30, Scope::Guild(GUILD)).unwrap();
    assert_eq!(report.stats.total, 20_000);
    let (chart, image) = render(&report);
    assert_eq!(kinds(&chart), FOUR_PANELS);
    let per_day = panel(&chart, PanelKind::PerDay);
    for c in [colour::ANSWERED, colour::NO_MATCH, colour::URGENT] {
        assert!(image.count(&per_day, c) > 0, "per-day bars of {c:?}");
    }
    assert!(image.count(&panel(&chart, PanelKind::MostAsked), colour::ANSWERED) > 0);
    assert!(image.ink(&panel(&chart, PanelKind::Unanswered)) > 0);
    let feedback = panel(&chart, PanelKind::Feedback);
    for c in [colour::HELPFUL, colour::NOT_HELPFUL] {
        assert!(image.count(&feedback, c) > 0, "feedback bars of {c:?}");
    }
}

/// A report built by hand: `days` days each with `per_day` questions,
/// and the given unanswered groups.
fn synthetic(days: u64, per_day: u64, groups: Vec<Group>) -> Report {
    let last_day = 20_000;
    let first_day = last_day - days as i64;
    let daily: Vec<DayCount> = (first_day..=last_day)
        .map(|day| DayCount {
            day,
            answered: per_day,
            no_match: per_day / 5,
            urgent: 1,
        })
        .collect();
    let total: u64 = daily.iter().map(DayCount::total).sum();
    let no_match: u64 = daily.iter().map(|d| d.no_match).sum();
    Report {
        stats: Stats {
            days,
            scope: Scope::All,
            total,
            answered: daily.iter().map(|d| d.answered).sum(),
            no_match,
            urgent: daily.len() as u64,
            slash: total,
            top: vec![(
                "a-very-long-entry-id-that-cannot-fit-in-the-label-column-at-all".into(),
                99,
            )],
            feedback: vec![Feedback {
                entry: "x".repeat(200),
                helpful: 10,
                not_helpful: 5,
            }],
            ..Stats::default()
        },
        daily: Daily {
            first_day,
            last_day,
            days: daily,
        },
        unanswered: groups,
    }
}

/// Nothing a panel draws spills into the gap between panels or past the
/// picture's margins, however long its text.
fn assert_stays_inside(chart: &chart::Chart, image: &Image) {
    for p in chart.panels.iter().filter(|p| p.kind != PanelKind::Header) {
        let gap: Vec<Rgb> = image.pixels(p.x + p.width, p.y, 8, p.height).collect();
        assert!(
            gap.iter().all(|&px| px == colour::BACKGROUND),
            "{:?} spills right",
            p.kind
        );
        assert!(
            image
                .pixels(p.x.saturating_sub(8), p.y, 8, p.height)
                .all(|px| px == colour::BACKGROUND),
            "{:?} spills left",
            p.kind
        );
    }
}

/// Ten years of data and 10,000 distinct unanswered groups: every panel
/// drawn, only the top groups listed, nothing outside the panels.
#[test]
fn ten_years_and_ten_thousand_groups() {
    let groups: Vec<Group> = (0..10_000u64)
        .map(|i| Group {
            text: format!("distinct unanswered question {i}"),
            count: 10_000 - i,
            variants: Vec::new(),
        })
        .collect();
    let report = synthetic(3650, 1000, groups);
    let (chart, image) = render(&report);
    assert_eq!(kinds(&chart), FOUR_PANELS);
    let per_day = panel(&chart, PanelKind::PerDay);
    for c in [colour::ANSWERED, colour::NO_MATCH, colour::URGENT] {
        assert!(image.count(&per_day, c) > 0, "{c:?}");
    }
    assert_stays_inside(&chart, &image);
}

/// Long, non-Latin, emoji, right-to-left and control-character text is
/// cut to fit its row: the render never panics and nothing spills out.
#[test]
fn odd_text_is_cut_to_fit() {
    let texts = [
        "how long does the swelling last after the second session if I also had a peel the week before and my skin is sensitive ".repeat(3),
        "レーザー治療の後、どのくらいで化粧をしてもいいですか？何日待つべきですか？".into(),
        "😀🙏🏽👩‍⚕️ can I 💉 after ☀️☀️☀️".into(),
        "כמה זמן לוקח להחלים אחרי טיפול בלייזר ומה מחיר הטיפול".into(),
        "كم من الوقت يستغرق التعافي بعد العلاج بالليزر".into(),
        "mixed עברית and English 123 \u{202E}reversed\u{202C} text".into(),
        "line\nbreaks\tand\u{0}nulls\u{7}".into(),
        "Z\u{0351}\u{0352}\u{0353}a\u{0354}\u{0355}l\u{0356}\u{0357}g\u{0358}o".into(),
        String::new(),
    ];
    let groups = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Group {
            text: t.clone(),
            count: 50 - i as u64,
            variants: Vec::new(),
        })
        .collect();
    let report = synthetic(30, 3, groups);
    let (chart, image) = render(&report);
    assert!(image.ink(&panel(&chart, PanelKind::Unanswered)) > 0);
    assert_stays_inside(&chart, &image);
}

/// A period of one day with a single question, and absurd periods from
/// the CLI (`--days 0`, `--days` near u64::MAX), render without panicking.
#[test]
fn odd_periods_render() {
    let store = store();
    ask(&store, Outcome::NoMatch, None, "one question", 10);
    for days in [0, 1, 3650, u64::MAX] {
        let report = Report::load(&store, days, Scope::All).unwrap();
        let (chart, image) = render(&report);
        let expected: &[PanelKind] = if report.is_empty() {
            &[PanelKind::Header, PanelKind::NoQuestions]
        } else {
            &FOUR_PANELS
        };
        assert_eq!(kinds(&chart), expected, "--days {days}");
        if !report.is_empty() {
            assert!(
                image.count(&panel(&chart, PanelKind::PerDay), colour::NO_MATCH) > 0,
                "--days {days}"
            );
        }
    }
}
