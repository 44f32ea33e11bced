//! `TestBackend` + insta snapshots of the main screens at 80×24 and 160×48, and a no-panic sweep over
//! sizes from 0×0 to 120×40 for every screen. The clock, operator, host and run id are fixed.
#![allow(clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use runsheet::app::{Action, Style};
use runsheet::harness::Harness;
use runsheet::run::intent::Intent;

const WINDOW: &str = include_str!("fixtures/tui/window.md");

fn base(w: u16, h: u16) -> Harness {
    let mut h = Harness::new(WINDOW, &[("VERSION", "2.4.1")], w, h);
    h.keys(&["Space", "Space"]);
    let id = h.app.template.items[h.item("Deploy the canary")].id.clone();
    h.remote(
        "Bob",
        Intent::Tick {
            item: id,
            note: None,
        },
    );
    h
}

/// The base run 50 minutes later (09:40): Preparation and Deploy are past their slots.
fn late(w: u16, hh: u16) -> Harness {
    let mut h = base(w, hh);
    h.now += chrono::Duration::minutes(50);
    h.act(Action::Clock);
    h
}

/// Every screen worth a snapshot, by name.
fn screens(w: u16, hh: u16) -> Vec<(&'static str, Harness)> {
    let mut out = Vec::new();
    out.push(("open_run", base(w, hh)));

    let mut h = base(w, hh);
    h.keys(&["g", "]", "k"]);
    h.keys(&["n"]);
    h.type_text("checksum verified twice; mirror was slow");
    h.keys(&["Ctrl-s"]);
    out.push(("item_code_notes", h));

    let mut h = base(w, hh);
    h.keys(&["G", "s"]);
    out.push(("signoff_popup", h));

    let mut h = base(w, hh);
    h.keys(&["?"]);
    out.push(("help", h));

    let mut h = base(w, hh);
    h.keys(&["/"]);
    h.type_text("smoke");
    out.push(("search", h));

    let mut h = base(w, hh);
    h.keys(&["j", "n"]);
    h.type_text("first line\nsecond");
    out.push(("note_editor", h));

    let mut h = base(w, hh);
    for _ in 0..40 {
        match h.app.key_mode() {
            runsheet::app::KeyMode::Summary => break,
            runsheet::app::KeyMode::Normal => h.keys(&["Space"]),
            runsheet::app::KeyMode::Decide => h.keys(&["g"]),
            _ => h.keys(&["Enter"]),
        }
    }
    out.push(("summary", h));

    let mut h = base(w, hh);
    h.keys(&["d"]);
    h.app.update(
        Action::NotSaved("appending to journal.jsonl: No space left on device".into()),
        h.now,
    );
    out.push(("not_saved", h));

    let mut h = late(w, hh);
    h.keys(&["t"]);
    out.push(("timeline", h));

    let mut h = late(w, hh);
    h.app.style = Style {
        ascii: true,
        color: false,
    };
    h.keys(&["t"]);
    out.push(("timeline_ascii", h));

    let mut h = Harness::new(WINDOW, &[], w, hh);
    h.app.style = Style {
        ascii: true,
        color: false,
    };
    out.push(("vars_ascii", h));

    // The gate dialog: nothing chosen, the scope's open items listed.
    let mut h = base(w, hh);
    h.keys(&["]", "]", "d"]);
    out.push(("gate_undecided", h));

    // NO-GO, then HOLD: the header says who, when and why; a tick asks first.
    let mut h = base(w, hh);
    h.keys(&["]", "]", "d", "n"]);
    h.type_text("error rate 2%");
    h.keys(&["Enter"]);
    out.push(("after_no_go", h));
    let mut h = base(w, hh);
    h.keys(&["]", "]", "d", "n"]);
    h.type_text("error rate 2%");
    h.keys(&["Enter", "h"]);
    h.type_text("waiting for the DBA");
    h.keys(&["Enter", "j", "Space"]);
    out.push(("hold_tick_asks", h));

    // The window question of a new run, prefilled with the guess.
    let mut h = base(w, hh);
    h.act(Action::AskWindow);
    out.push(("window_question", h));

    // Run info: the template's metadata.
    let mut h = base(w, hh);
    h.keys(&["i"]);
    out.push(("run_info", h));

    // A command running from the screen (the cursor moved on: the list stays usable), then the
    // offer after it failed. The detail shows another item (its own would name this machine's
    // shell and directory).
    let mut h = closed_loop_running(w, hh);
    h.command_output("checking 2.4.1\ncheckout returned 502\n");
    out.push(("command_running", h));
    let mut h = closed_loop_running(w, hh);
    h.command_output("checking 2.4.1\ncheckout returned 502\n");
    h.command_exit(3, 2);
    out.push(("command_failed_offer", h));
    out
}

/// The closed-loop fixture with "Smoke test fails" running and the cursor one row below it.
fn closed_loop_running(w: u16, hh: u16) -> Harness {
    let fixture = include_str!("fixtures/exec/closed-loop.md");
    let mut h = Harness::new(fixture, &[("VERSION", "2.4.1")], w, hh);
    h.keys(&["r", "y", "j"]);
    assert!(h.app.pane.is_some(), "{}", h.message());
    h
}

fn draw(h: &Harness, w: u16, hh: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, hh)).expect("terminal");
    t.draw(|f| {
        runsheet::ui::render(&h.app, &h.keymap, f);
    })
    .expect("draw");
    t
}

#[test]
fn snapshots_80x24_and_160x48() {
    for (w, hh) in [(80u16, 24u16), (160, 48)] {
        for (name, h) in screens(w, hh) {
            let t = draw(&h, w, hh);
            insta::assert_snapshot!(format!("{name}_{w}x{hh}"), t.backend().to_string());
        }
    }
    let h = base(30, 8);
    let t = draw(&h, 30, 8);
    insta::assert_snapshot!("too_small_30x8", t.backend().to_string());
}

#[test]
fn every_screen_at_every_size_without_panic() {
    let mut sizes_w: Vec<u16> = (0..=12).collect();
    sizes_w.extend((13..=120).step_by(9));
    sizes_w.extend([39, 40, 41, 109, 110, 120]);
    let mut sizes_h: Vec<u16> = (0..=12).collect();
    sizes_h.extend((13..=40).step_by(5));
    sizes_h.push(40);
    let mut drawn_frames = 0;
    for (name, mut h) in screens(80, 24) {
        for &w in &sizes_w {
            for &hh in &sizes_h {
                h.app.update(Action::Resize(w, hh), h.now);
                let mut t = Terminal::new(TestBackend::new(w, hh)).expect("terminal");
                t.draw(|f| {
                    runsheet::ui::render(&h.app, &h.keymap, f);
                })
                .unwrap_or_else(|e| panic!("{name} at {w}x{hh}: {e}"));
                let buffer = t.backend().buffer();
                assert_eq!(
                    (buffer.area.width, buffer.area.height),
                    (w, hh),
                    "{name}: drawn at the new size"
                );
                if w >= 20 && hh >= 5 {
                    let drawn = buffer.content.iter().any(|c| !c.symbol().trim().is_empty());
                    assert!(drawn, "{name} at {w}x{hh}: nothing drawn");
                    drawn_frames += 1;
                }
            }
        }
    }
    assert!(drawn_frames > 100, "{drawn_frames} frames checked");
}

fn big(sections: usize, per: usize) -> String {
    let mut md = String::from("# Big\n\n");
    for s in 0..sections {
        md.push_str(&format!("## Section {s}\n\n"));
        for i in 0..per {
            md.push_str(&format!("- [ ] step {s}.{i}\n"));
        }
    }
    md
}

/// The work of a keypress and a frame does not grow with the run: the same rows are built for 100
/// items and for 20,000 (counted, not timed).
#[test]
fn renders_only_visible_rows() {
    let work = |md: &str| {
        let mut h = Harness::new(md, &[], 200, 50);
        h.keys(&["G"]);
        let mut total = runsheet::ui::Work::default();
        for _ in 0..10 {
            h.keys(&["k"]);
            let mut t = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
            t.draw(|f| {
                let w = runsheet::ui::render(&h.app, &h.keymap, f);
                total.list_rows += w.list_rows;
                total.detail_rows += w.detail_rows;
            })
            .expect("draw");
        }
        total
    };
    let small = work(&big(2, 50));
    let large = work(&big(200, 100));
    let list_h = usize::from(runsheet::app::layout::layout(200, 50).list.h);
    assert_eq!(
        small.list_rows,
        10 * list_h,
        "a full screen of rows each frame"
    );
    assert_eq!(large, small, "20,000 items cost what 100 do");
}

#[test]
fn orphans_after_a_rebase_are_listed() {
    use runsheet::model::ItemId;
    use runsheet::run::event::{Change, Event, OrphanInfo};
    let mut h = base(100, 40);
    let gone = ItemId("old-step-0000".into());
    let changes = [
        Change::Tick {
            item: gone.clone(),
            note: None,
            after_no_go: false,
        },
        Change::Rebase {
            from_sha256: "0".repeat(64),
            to_sha256: "1".repeat(64),
            orphans: vec![OrphanInfo {
                id: gone,
                text: "Old step".into(),
                section: "Preparation".into(),
            }],
        },
    ];
    for c in changes {
        let run = &h.app.run;
        let (ev, _) = Event::seal(run.seq + 1, h.now, h.actor.clone(), c, &run.head).expect("seal");
        h.app.update(Action::Remote(vec![ev]), h.now);
    }
    let t = draw(&h, 100, 40);
    assert!(t.backend().to_string().contains("1 orphaned"));
    h.keys(&["F"]);
    let s = draw(&h, 100, 40).backend().to_string();
    assert!(s.contains("Old step — done (Preparation)"), "{s}");
}

#[test]
fn timeline_view_is_the_report_timeline() {
    // The TUI reads the schedule from the run directly; it must be the one the reports draw.
    use runsheet::report::timeline::Timeline;
    use runsheet::report::{Context, json};
    use runsheet::run::view::RunView;
    let mut finished = base(80, 24);
    for _ in 0..40 {
        match finished.app.key_mode() {
            runsheet::app::KeyMode::Normal => finished.keys(&["Space"]),
            runsheet::app::KeyMode::Summary if !finished.app.run.is_active() => break,
            runsheet::app::KeyMode::Decide => finished.keys(&["g"]),
            _ => finished.keys(&["Enter"]),
        }
    }
    assert!(!finished.app.run.is_active());
    for h in [base(80, 24), late(80, 24), finished] {
        let now = h.now.with_timezone(&chrono::Utc);
        let view = RunView::new(&h.app.run, &h.app.template);
        let report = json::build(&view, &[], &Context::default());
        let from_view = Timeline::from_view(&view, now);
        assert_eq!(from_view, Timeline::from_report(&report, now));
        assert!(!from_view.lanes.is_empty());
    }
    let h = late(80, 24);
    let tl = Timeline::from_view(&RunView::new(&h.app.run, &h.app.template), h.now.to_utc());
    let overdue: Vec<&str> = tl
        .lanes
        .iter()
        .filter(|l| l.overdue)
        .map(|l| l.title.as_str())
        .collect();
    assert_eq!(overdue, ["T-30 min: Preparation", "09:00 - Deploy"]);
}

#[test]
fn timeline_marks_overdue_in_the_warning_style_and_honours_no_color() {
    use ratatui::style::Color;
    use runsheet::ui::theme::Theme;
    let mut h = late(80, 24);
    h.keys(&["t"]);
    let t = draw(&h, 80, 24);
    let buf = t.backend().buffer();
    let warning = Theme::new(true).warning();
    let overdue_marks: Vec<u16> = (0..24).filter(|&y| buf[(1, y)].symbol() == "!").collect();
    assert_eq!(overdue_marks.len(), 2, "{}", t.backend());
    for y in overdue_marks {
        assert_eq!(buf[(1, y)].fg, warning.fg.unwrap_or(Color::Reset));
    }
    h.app.style.color = false;
    let t = draw(&h, 80, 24);
    let buf = t.backend().buffer();
    for y in 3..14 {
        for x in 0..80 {
            assert_eq!(
                buf[(x, y)].fg,
                Color::Reset,
                "colour at {x},{y} with NO_COLOR"
            );
        }
    }
}

#[test]
fn timeline_and_summary_at_huge_and_lopsided_sizes() {
    for (w, hh) in [
        (1000u16, 300u16),
        (3000, 3),
        (3, 3000),
        (400, 11),
        (41, 400),
    ] {
        for keys in [&["t"][..], &["t", "j", "j", "j", "j"], &["F"]] {
            let mut h = late(80, 24);
            h.app.update(Action::Resize(w, hh), h.now);
            h.keys(keys);
            draw(&h, w, hh);
        }
    }
}
