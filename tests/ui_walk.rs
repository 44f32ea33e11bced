//! `TestBackend` screens for what a real walk tripped on: long commands in the detail pane and the
//! zoom view, a header that keeps the run's state and id, list rows (notes, sign-offs, names,
//! folded progress), the help overlay, a footer that follows the run, and emoji measured the way
//! the terminal draws them.
#![allow(clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use runsheet::harness::{Harness, fixed_actor, fixed_now};
use runsheet::run::Run;
use runsheet::run::event::{Change, Event, GENESIS};
use runsheet::run::intent::Intent;

const WALK: &str = include_str!("fixtures/tui/walk.md");

fn draw(h: &Harness, w: u16, hh: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, hh)).expect("terminal");
    t.draw(|f| {
        runsheet::ui::render(&h.app, &h.keymap, f);
    })
    .expect("draw");
    t
}

/// The screen as text, each row as the terminal shows it (the cell hidden behind a wide
/// character is skipped).
fn rows(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            let mut s = String::new();
            let mut x = 0;
            while x < buf.area.width {
                let sym = buf[(x, y)].symbol();
                s.push_str(sym);
                x += u16::try_from(runsheet::app::width::width(sym).max(1)).unwrap_or(1);
            }
            s
        })
        .collect()
}

fn screen(h: &Harness, w: u16, hh: u16) -> Vec<String> {
    rows(draw(h, w, hh).backend().buffer())
}

/// A run with this id and title, started 20 minutes before the fixed clock.
fn run_with(template: &runsheet::model::Template, id: &str) -> Run {
    let start = Change::Start {
        schema_version: runsheet::run::SCHEMA_VERSION,
        run_id: id.into(),
        title: template.title.clone(),
        name: None,
        template_path: "/srv/walk.md".into(),
        template_sha256: "0".repeat(64),
        vars: Default::default(),
        steps: false,
        rules: runsheet::template::LOADER_RULES,
        exec: None,
    };
    let at = fixed_now() - chrono::Duration::minutes(20);
    let (ev, _) = Event::seal(1, at, fixed_actor(), start, GENESIS).expect("seal");
    Run::from_start(&ev).expect("run")
}

#[test]
fn a_long_command_keeps_its_indentation_and_the_pane_widens_for_it() {
    let mut h = Harness::new(WALK, &[], 120, 40);
    h.keys(&["j"]);
    assert_eq!(h.current(), "Build the release image");
    let l = h.app.layout();
    assert!(
        l.detail.w > 48,
        "the detail pane stayed {} wide",
        l.detail.w
    );
    let s = screen(&h, 120, 40);
    let pane: Vec<String> = s
        .iter()
        .map(|r| {
            r.chars()
                .skip(usize::from(l.detail.x) + 1)
                .collect::<String>()
        })
        .collect();
    let second = pane
        .iter()
        .position(|r| r.starts_with("  2 │     --label"))
        .unwrap_or_else(|| panic!("line 2 lost its indentation:\n{}", pane.join("\n")));
    assert!(
        pane[second + 1].starts_with("  ↪ │     "),
        "its continuation lost it:\n{}",
        pane.join("\n")
    );
    // Rows put back together are the command, character for character.
    let mut joined = pane[second]["  2 │ ".len()..].trim_end().to_owned();
    for r in &pane[second + 1..] {
        let Some(rest) = r.strip_prefix("  ↪ │     ") else {
            break;
        };
        joined.push_str(rest.trim_end());
    }
    assert_eq!(
        joined,
        "    --label org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567"
    );
}

#[test]
fn the_zoom_shows_code_unwrapped_and_scrolls_it_sideways() {
    let mut h = Harness::new(WALK, &[], 80, 24);
    h.keys(&["j", "z"]);
    let s = screen(&h, 80, 24);
    let line = s
        .iter()
        .find(|r| r.contains("  1 │ docker build"))
        .unwrap_or_else(|| panic!("{}", s.join("\n")));
    assert!(line.contains('»'), "more to the right is marked: {line}");
    assert!(
        !s.iter().any(|r| r.contains("↪")),
        "nothing wrapped in the zoom"
    );
    for _ in 0..3 {
        h.keys(&["l"]);
    }
    let s = screen(&h, 80, 24);
    assert!(
        s.iter()
            .any(|r| r.contains("  1 «") && r.contains("migrator:2.4.1")),
        "{}",
        s.join("\n")
    );
}

#[test]
fn the_header_never_cuts_the_state_or_the_end_of_the_run_id() {
    let t = runsheet::template::parse_str("walk.md", WALK).expect("loads");
    let id = "2026-11-23-storage-migration-walk-for-the-payments-cluster-7f3a";
    for w in [60u16, 80, 100, 160] {
        let h = Harness::on(t.clone(), run_with(&t, id), w, 30);
        let top = &screen(&h, w, 30)[0];
        assert!(top.contains("ACTIVE"), "{w}: {top}");
        assert!(top.trim_end().ends_with("-7f3a"), "{w}: {top}");
        assert!(top.contains("2026-11-23"), "{w}: {top}");
    }
    let mut h = Harness::on(t.clone(), run_with(&t, id), 60, 30);
    h.remote(
        "Bob",
        Intent::Abort {
            reason: "rolled back".into(),
        },
    );
    let s = screen(&h, 60, 30);
    assert!(
        s[0].contains("ABORTED") && s[0].trim_end().ends_with("-7f3a"),
        "{}",
        s[0]
    );
    assert!(
        s[29].starts_with("run ABORTED: notes only"),
        "the footer follows the run: {}",
        s[29]
    );
    assert!(!s[29].contains("tick"), "{}", s[29]);
}

#[test]
fn rows_mark_notes_sign_offs_and_keep_names_readable() {
    let mut h = Harness::new(WALK, &[], 120, 40);
    h.keys(&["n"]);
    h.type_text("drained at 08:40");
    h.keys(&["Ctrl-s"]);
    let id = h.app.template.items[h.item("Core API")].id.clone();
    h.remote(
        "Alexandra Montgomery-Fitzgerald",
        Intent::Tick {
            item: id,
            note: None,
        },
    );
    let s = screen(&h, 120, 40);
    let find = |needle: &str| {
        s.iter()
            .find(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no {needle}:\n{}", s.join("\n")))
            .clone()
    };
    assert!(
        find("Drain the node").contains("before anything else ¶"),
        "notes mark"
    );
    assert!(
        find("Storage Lead").contains("[_] Storage Lead"),
        "sign-off glyph"
    );
    let row = find("Core API Functionality");
    assert!(row.contains("[✓]"), "{row}");
    assert!(
        row.contains("Alexandra Montgomery-Fitzgerald"),
        "the whole name fits: {row}"
    );
    // Narrow: the name is cut with an ellipsis, and the detail pane says it in full.
    let mut h2 = h;
    h2.keys(&["g"]);
    while h2.current() != "Core API Functionality" {
        h2.keys(&["j"]);
    }
    h2.act(runsheet::app::Action::Resize(60, 30));
    let s = screen(&h2, 60, 30);
    let row = s
        .iter()
        .find(|r| r.contains("Core API"))
        .expect("row")
        .clone();
    assert!(row.contains('…'), "{row}");
    assert!(
        s.iter()
            .any(|r| r.contains("by Alexandra Montgomery-Fitzgerald")),
        "{}",
        s.join("\n")
    );
    // Folded headings keep their progress.
    h2.keys(&["H"]);
    let s = screen(&h2, 60, 30);
    assert!(
        s.iter()
            .any(|r| r.starts_with("▸ Storage migration walk  1/8")),
        "{}",
        s.join("\n")
    );
}

#[test]
fn help_columns_stay_apart_and_the_legend_explains_every_mark() {
    let mut h = Harness::new(WALK, &[], 80, 24);
    h.keys(&["?"]);
    let mut seen = Vec::new();
    for _ in 0..40 {
        seen.extend(screen(&h, 80, 24));
        h.keys(&["PgDn"]);
    }
    let note_row = seen
        .iter()
        .find(|r| r.contains("Ctrl-s Alt-Enter"))
        .expect("note keys");
    assert!(
        note_row.contains("Ctrl-s Alt-Enter  "),
        "keys run into their description: {note_row}"
    );
    for mark in [
        "[ ]", "[_]", "[?]", "[✓]", "[✎]", "[G]", "[N]", "[»]", "[–]", "[✗]", "¶", "▸",
    ] {
        assert!(
            seen.iter().any(|r| r.contains(&format!("  {mark} "))),
            "no legend for {mark}"
        );
    }
    assert!(
        seen.iter().any(|r| r.contains("· end")),
        "the end is shown as the end"
    );
}

#[test]
fn emoji_with_a_variation_selector_take_two_columns_everywhere() {
    let mut h = Harness::new(WALK, &[], 60, 24);
    h.keys(&["Space"]);
    // The row is cut to fit: its ellipsis sits right before who/when, nothing overlaps.
    let mut long = WALK.replace(
        "⚠️ Drain the node before anything else",
        "⚠️🚀🚀 Drain the node before anything else, and the other one",
    );
    long.push('\n');
    let mut h2 = Harness::new(&long, &[], 60, 24);
    h2.keys(&["Space"]);
    let s = screen(&h2, 60, 24);
    let row = s.iter().find(|r| r.contains("Drain")).expect("row").clone();
    assert!(
        row.contains("…") && row.trim_end().ends_with("Alice 08:50"),
        "{row}"
    );
    let drawn: usize = row.chars().count();
    assert!(drawn <= 60, "{row}");
    // The timeline: the emoji title's row lines up with the others (the column of the counts'
    // slash is the same on every section's row).
    h.keys(&["t"]);
    let term = draw(&h, 60, 24);
    let buf = term.backend().buffer();
    let t = rows(buf);
    let slash: Vec<u16> = (0..24)
        .filter(|&y| t[usize::from(y)].contains("/2") || t[usize::from(y)].contains("/1"))
        .filter_map(|y| (0..60).rev().find(|&x| buf[(x, y)].symbol() == "/"))
        .collect();
    assert!(slash.len() >= 3, "{}", t.join("\n"));
    assert!(
        slash.windows(2).all(|w| w[0] == w[1]),
        "counts not aligned {slash:?}:\n{}",
        t.join("\n")
    );
    assert!(t.iter().any(|r| r.contains("🏗️ Build")), "{}", t.join("\n"));
}

#[test]
fn search_matches_are_highlighted_in_the_list() {
    use ratatui::style::Modifier;
    let mut h = Harness::new(WALK, &[], 120, 40);
    h.keys(&["/"]);
    h.type_text("drain");
    h.keys(&["Enter"]);
    let term = draw(&h, 120, 40);
    let buf = term.backend().buffer();
    let t = rows(buf);
    let y = t
        .iter()
        .position(|r| r.contains("Drain the node"))
        .expect("row");
    let y = u16::try_from(y).expect("y");
    let hit: String = (0..120)
        .filter(|&x| buf[(x, y)].modifier.contains(Modifier::UNDERLINED))
        .map(|x| buf[(x, y)].symbol().to_owned())
        .collect();
    assert_eq!(hit, "Drain");
    // A match that is not in the visible text says where it is.
    h.keys(&["Esc", "/"]);
    h.type_text("grcov");
    h.keys(&["Enter"]);
    let t = screen(&h, 120, 40);
    assert!(
        t.iter()
            .any(|r| r.contains("Line coverage above 80% (match in details)")),
        "{}",
        t.join("\n")
    );
    // The footer says what n does now.
    assert!(
        t[39].starts_with("search “grcov” 1/1 · n next match"),
        "{}",
        t[39]
    );
}
