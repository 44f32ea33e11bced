//! Key-sequence tests on `App` for what a real walk of four deployment checklists tripped on: copying
//! a section's code, search, popups that keep their item, drafts, messages, folding and zoom, the
//! note editor, and a footer that follows the run.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::app::rows::Row;
use runsheet::app::{Action, KeyMode, Mode};
use runsheet::harness::Harness;
use runsheet::model::ItemId;
use runsheet::run::event::{Change, Event};
use runsheet::run::intent::Intent;
use runsheet::run::state::ItemState;

const WALK: &str = include_str!("fixtures/tui/walk.md");
const WINDOW: &str = include_str!("fixtures/tui/window.md");

fn walk() -> Harness {
    Harness::new(WALK, &[], 120, 40)
}

fn section(h: &Harness, title: &str) -> usize {
    h.app
        .template
        .sections
        .iter()
        .position(|s| s.title == title)
        .unwrap_or_else(|| panic!("no section {title}"))
}

fn goto_section(h: &mut Harness, title: &str) {
    let s = section(h, title);
    h.keys(&["g"]);
    while h.app.visible[h.app.cursor] != Row::Section(s) {
        h.keys(&["}"]);
    }
}

#[test]
fn y_copies_a_sections_code_and_a_digit_chooses_among_several() {
    let mut h = walk();
    goto_section(&mut h, "Rollback");
    h.keys(&["y"]);
    assert_eq!(h.app.key_mode(), KeyMode::Copy, "two blocks: which one?");
    h.type_text("2");
    assert_eq!(
        h.copied.first().map(String::as_str),
        Some(
            "pg_restore --clean --dbname storage /backups/storage-latest.dump\nsystemctl start storage-writer@*"
        )
    );
    assert_eq!(h.app.mode, Mode::Normal);
    h.keys(&["y", "Enter"]);
    assert!(
        h.copied[0].starts_with("systemctl stop"),
        "Enter copies all"
    );
    assert!(h.copied[0].contains("pg_restore"));
    // From the item below the heading the section's code is on screen too.
    h.keys(&["j"]);
    assert_eq!(h.current(), "Rollback rehearsed on staging");
    h.keys(&["y", "1"]);
    assert_eq!(h.copied[0], "systemctl stop storage-writer@*");
    // A digit with no such block says so and waits.
    h.keys(&["y"]);
    h.type_text("7");
    assert_eq!(h.app.key_mode(), KeyMode::Copy);
    assert!(
        h.message().contains("there are 2 code blocks"),
        "{}",
        h.message()
    );
    h.keys(&["Esc"]);
    // Nothing on screen to copy: said, nothing copied.
    let n = h.copied.len();
    goto_section(&mut h, "Checks");
    h.keys(&["j", "y"]);
    assert_eq!(h.copied.len(), n);
    let last = h.app.messages.log().last().map(|m| m.text.clone());
    assert!(last.is_some_and(|t| t.contains("no code block")));
}

#[test]
fn search_is_a_plain_substring_over_text_titles_fields_bodies_and_notes() {
    let mut h = walk();
    let count = |h: &mut Harness, q: &str| {
        h.keys(&["/"]);
        h.type_text(q);
        let n = h.app.found.as_ref().map_or(0, |f| f.matches.len());
        h.keys(&["Enter"]);
        n
    };
    assert_eq!(count(&mut h, "optional"), 1, "not “Core API Functionality”");
    assert_eq!(h.current(), "Optional integrations are switched off");
    assert_eq!(count(&mut h, "grcov"), 1, "a table field");
    assert_eq!(h.current(), "Line coverage above 80%");
    assert_eq!(count(&mut h, "ROLLBACK"), 2, "a section title and an item");
    assert_eq!(count(&mut h, "pg_restore"), 1, "section body code");
    assert_eq!(
        h.app.visible[h.app.cursor],
        Row::Section(section(&h, "Rollback"))
    );
    // Notes are searched.
    h.keys(&["Esc", "g", "]", "n"]);
    h.type_text("checked by Dana");
    h.keys(&["Ctrl-s"]);
    assert!(
        h.message().contains("noted by you"),
        "{} / {:?}",
        h.message(),
        h.app.mode
    );
    assert_eq!(count(&mut h, "dana"), 1);
    assert_eq!(h.current(), "⚠️ Drain the node before anything else");
    // Fuzzy is an option (Tab), ranked: characters in order.
    h.keys(&["Esc", "/"]);
    h.type_text("cafn");
    assert_eq!(h.app.found.as_ref().map(|f| f.matches.len()), Some(0));
    h.keys(&["Tab"]);
    let f = h.app.found.clone().expect("found");
    assert!(f.fuzzy);
    assert_eq!(h.current(), "Core API Functionality", "best match first");
    h.keys(&["Tab"]);
    assert!(!h.app.found.as_ref().is_some_and(|f| f.fuzzy));
}

#[test]
fn after_a_search_n_moves_and_the_footer_says_so() {
    let mut h = walk();
    h.keys(&["/"]);
    h.type_text("the");
    h.keys(&["Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Found);
    let first = h.current();
    h.keys(&["n"]);
    assert_ne!(h.current(), first, "n is the next match now, not a note");
    assert_eq!(h.app.mode, Mode::Normal);
    let hints: Vec<_> = runsheet::ui::footer_bindings(&h.app, &h.keymap)
        .into_iter()
        .map(|b| (b.keys[0].to_string(), b.desc.clone()))
        .collect();
    assert_eq!(
        hints[0],
        ("n".to_owned(), "next match".to_owned()),
        "{hints:?}"
    );
    assert!(
        !hints.iter().any(|(k, d)| k == "n" && d == "note"),
        "{hints:?}"
    );
    h.keys(&["Esc", "n"]);
    assert_eq!(
        h.app.key_mode(),
        KeyMode::Note,
        "after Esc, n is a note again"
    );
}

#[test]
fn a_note_stays_with_its_item_when_another_process_re_bases_the_run() {
    let mut h = walk();
    let target = h.item("Core API Functionality");
    let id = h.app.template.items[target].id.clone();
    h.keys(&["g"]);
    while h.app.current_item() != Some(target) {
        h.keys(&["j"]);
    }
    h.keys(&["n"]);
    h.type_text("half a note");
    // Another process re-bases onto a template with a new item at the top: every row moves.
    let changed = WALK.replace(
        "## 🏗️ Build\n\n",
        "## 🏗️ Build\n\n- [ ] Announce the window\n- [ ] Freeze deploys\n",
    );
    let t2 = runsheet::template::parse_str("walk.md", &changed).expect("loads");
    assert_ne!(
        t2.items[target].id, id,
        "the same index is another item now"
    );
    let run = &h.app.run;
    let rebase = Change::Rebase {
        from_sha256: run.base_sha256.clone(),
        to_sha256: "1".repeat(64),
        orphans: Vec::new(),
    };
    let (ev, _) =
        Event::seal(run.seq + 1, h.now, h.actor.clone(), rebase, &run.head).expect("seal");
    h.act(Action::Remote(vec![ev]));
    h.act(Action::Rebased(Box::new(t2)));
    assert_eq!(h.app.key_mode(), KeyMode::Note, "still typing");
    h.keys(&["Ctrl-s"]);
    let noted: Vec<_> = h.app.run.items[&id]
        .live_notes()
        .map(|n| n.text.clone())
        .collect();
    assert_eq!(noted, ["half a note"]);
}

#[test]
fn start_up_messages_all_reach_the_operator_and_m_shows_the_log() {
    let mut h = walk();
    for t in [
        "keymap not used: bad key",
        "warning: line 7",
        "the template file changed",
    ] {
        h.act(Action::Notice {
            text: t.into(),
            error: true,
        });
    }
    assert_eq!(h.message(), "keymap not used: bad key");
    assert_eq!(h.app.messages.waiting(), 2);
    let mut shown = vec![h.message()];
    for _ in 0..30 {
        h.now += chrono::Duration::seconds(1);
        h.act(Action::Clock);
        if shown.last() != Some(&h.message()) && !h.message().is_empty() {
            shown.push(h.message());
        }
    }
    assert_eq!(
        shown,
        [
            "keymap not used: bad key",
            "warning: line 7",
            "the template file changed"
        ]
    );
    h.keys(&["m"]);
    assert!(matches!(h.app.mode, Mode::Messages { .. }));
    let log: Vec<_> = h.app.messages.log().map(|m| m.text.clone()).collect();
    assert_eq!(log.len(), 3);
    h.keys(&["Esc"]);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn drafts_are_offered_back_one_after_another() {
    let mut h = walk();
    let ids: Vec<String> = ["Core API", "Build the release"]
        .iter()
        .map(|n| h.app.template.items[h.item(n)].id.to_string())
        .collect();
    let drafts = vec![
        runsheet::app::Draft {
            item: ids[0].clone(),
            text: "first draft".into(),
        },
        runsheet::app::Draft {
            item: ids[1].clone(),
            text: "second draft".into(),
        },
    ];
    h.act(Action::OfferDrafts(drafts));
    assert_eq!(h.current(), "Core API Functionality");
    assert_eq!(
        h.app.draft().map(|d| d.text).as_deref(),
        Some("first draft")
    );
    assert!(h.message().contains("1 more"), "{}", h.message());
    assert_eq!(
        h.app.drafts().len(),
        2,
        "both kept if the program stops now"
    );
    h.keys(&["Ctrl-s"]);
    assert_eq!(h.current(), "Build the release image");
    assert_eq!(
        h.app.draft().map(|d| d.text).as_deref(),
        Some("second draft")
    );
    h.keys(&["Esc"]);
    assert!(h.app.drafts().is_empty());
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn enter_zooms_an_item_and_never_folds_its_section() {
    let mut h = walk();
    let rows = h.app.visible.len();
    h.keys(&["Enter"]);
    assert!(matches!(h.app.mode, Mode::Zoom { .. }));
    assert_eq!(h.app.visible.len(), rows, "nothing folded");
    h.keys(&["Esc"]);
    goto_section(&mut h, "Checks");
    h.keys(&["Enter"]);
    assert!(h.app.visible.len() < rows, "Enter on a heading folds it");
    h.keys(&["Enter"]);
    assert_eq!(h.app.visible.len(), rows);
}

#[test]
fn fold_all_and_unfold_all() {
    let mut h = walk();
    let rows = h.app.visible.len();
    h.keys(&["Space", "Space", "H"]);
    assert_eq!(h.app.visible.len(), 1, "only the top heading is left");
    // A folded heading still says how far its part is.
    let top = h.app.states.subtree[0];
    assert_eq!((top.closed(), top.total), (2, 8));
    assert!(h.app.folded.iter().all(|f| *f));
    h.keys(&["L"]);
    assert_eq!(h.app.visible.len(), rows);
    assert_eq!(
        h.app.visible[h.app.cursor],
        Row::Section(0),
        "on the heading it folded into"
    );
}

#[test]
fn zoom_scrolls_code_sideways_and_stops_at_its_end() {
    let mut h = Harness::new(WALK, &[], 80, 24);
    h.keys(&["j", "z"]);
    assert_eq!(h.current(), "Build the release image");
    let (_, hmax) = h.app.zoom_max(0);
    assert!(hmax > 0, "the command is wider than the screen");
    for _ in 0..50 {
        h.keys(&["l"]);
    }
    assert!(matches!(h.app.mode, Mode::Zoom { hscroll, .. } if hscroll == hmax));
    h.keys(&["h", "h", "h", "h", "h", "h", "h", "h"]);
    assert!(matches!(h.app.mode, Mode::Zoom { hscroll: 0, .. }));
    h.keys(&["y"]);
    assert!(
        h.copied[0].starts_with("docker build --pull"),
        "y copies from the zoom"
    );
    assert!(matches!(h.app.mode, Mode::Zoom { .. }), "and stays there");
    h.keys(&["q"]);
    assert_eq!(h.app.mode, Mode::Normal);
    assert!(!h.quit);
}

#[test]
fn the_help_stops_scrolling_at_its_end() {
    let mut h = walk();
    h.keys(&["?"]);
    let max = h.app.help_max();
    assert!(max > 0);
    for _ in 0..500 {
        h.keys(&["j"]);
    }
    assert_eq!(h.app.mode, Mode::Help { scroll: max });
    h.keys(&["k"]);
    assert_eq!(
        h.app.mode,
        Mode::Help { scroll: max - 1 },
        "one key back is one line back"
    );
    h.keys(&["G", "g"]);
    assert_eq!(h.app.mode, Mode::Help { scroll: 0 });
}

#[test]
fn a_run_finished_by_another_operator_changes_the_footer() {
    let mut h = Harness::new(WINDOW, &[("VERSION", "1")], 120, 40);
    let before: Vec<_> = runsheet::ui::footer_bindings(&h.app, &h.keymap)
        .iter()
        .map(|b| b.action.clone())
        .collect();
    assert!(before.contains(&Action::Tick));
    h.remote(
        "Bob",
        Intent::Abort {
            reason: "rolled back".into(),
        },
    );
    assert!(!h.app.run.is_active());
    let after: Vec<_> = runsheet::ui::footer_bindings(&h.app, &h.keymap)
        .iter()
        .map(|b| b.action.clone())
        .collect();
    for a in [
        Action::Tick,
        Action::Sign,
        Action::Skip,
        Action::Gate,
        Action::Undo,
    ] {
        assert!(
            !after.contains(&a),
            "{a:?} offered on a finished run: {after:?}"
        );
    }
    assert!(after.contains(&Action::Note), "notes still go in");
    assert!(
        h.message().starts_with("Bob aborted the run"),
        "{}",
        h.message()
    );
}

#[test]
fn the_note_editor_steps_over_clusters_moves_by_words_and_undoes() {
    let mut h = walk();
    h.keys(&["n"]);
    h.type_text("café ⚠️ ok");
    h.keys(&["Left", "Left", "Left", "Backspace"]);
    assert_eq!(
        h.app.draft().map(|d| d.text).as_deref(),
        Some("café  ok"),
        "the emoji went whole"
    );
    h.keys(&["Ctrl-w"]);
    assert_eq!(h.app.draft().map(|d| d.text).as_deref(), Some(" ok"));
    h.keys(&["Ctrl-_"]);
    assert_eq!(h.app.draft().map(|d| d.text).as_deref(), Some("café  ok"));
    h.keys(&["Alt-Right", "Alt-Right"]);
    h.type_text("!");
    assert_eq!(h.app.draft().map(|d| d.text).as_deref(), Some("café  ok!"));
}

#[test]
fn a_slow_write_shows_not_saved_and_clears_when_written() {
    let mut h = walk();
    // What the loop sees when the writer waits for a lock: an append with no answer yet.
    let id = h.app.template.items[0].id.clone();
    let out = h.app.update(Action::Tick, h.now);
    assert!(matches!(out.append, Some(Intent::Tick { ref item, .. }) if *item == id));
    assert_eq!(h.app.unsaved.len(), 1);
    h.now += chrono::Duration::seconds(3);
    h.act(Action::Clock);
    let banner = h.app.not_saved.clone().unwrap_or_default();
    assert!(banner.contains("waiting to write 1 change"), "{banner}");
    // Keys still work meanwhile.
    h.keys(&["j", "?"]);
    assert_eq!(h.app.key_mode(), KeyMode::Help);
    h.keys(&["Esc"]);
    // The write lands: the banner goes.
    h.append(Intent::Tick {
        item: id,
        note: None,
    });
    assert!(h.app.unsaved.is_empty());
    assert_eq!(h.app.not_saved, None);
    assert_eq!(h.app.states.get(0), ItemState::Done);
}

#[test]
#[should_panic(expected = "not bound in mode normal")]
fn the_harness_fails_on_a_key_that_does_nothing() {
    let mut h = walk();
    h.keys(&["Esc"]);
}

#[test]
fn the_app_does_not_know_the_keymap() {
    // app → input → app was a cycle: the keymap goes to rendering as an argument.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/app");
    let mut files = vec![format!("{dir}.rs")];
    let mut dirs = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("src/app").flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                files.push(e.path().display().to_string());
            }
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        assert!(
            !text.contains("crate::input"),
            "{f} imports the keymap module"
        );
    }
    let _ = ItemId("x".into());
}

/// Every bindable action in every mode: each setup must reach the mode it names (so the sweep
/// really covers it), and after the action the app is still usable (cursor in range, a mode whose
/// keys are bound, something to draw).
#[test]
fn every_named_action_is_handled_in_every_mode() {
    let setups: [(&[&str], KeyMode); 19] = [
        (&[], KeyMode::Normal),
        (&["n"], KeyMode::Note),
        (&["-"], KeyMode::Reason),
        (&["/"], KeyMode::Search),
        (&["/", "s", "m", "o", "k", "e", "Enter"], KeyMode::Found),
        (&["?"], KeyMode::Help),
        (&["F"], KeyMode::Summary),
        (&["t"], KeyMode::Timeline),
        (&["G", "s"], KeyMode::Sign),
        (&["z"], KeyMode::Zoom),
        (&["m"], KeyMode::Messages),
        (&["]", "]", "]", "]", "]", "d"], KeyMode::Decide),
        (&["]", "]", "]", "]", "]", "d", "n"], KeyMode::Gate),
        (
            &["]", "]", "]", "]", "]", "d", "n", "x", "Enter"],
            KeyMode::AfterNoGo,
        ),
        (
            &["]", "]", "]", "]", "]", "d", "g", "Enter", "u"],
            KeyMode::Confirm,
        ),
        (&["w"], KeyMode::Window),
        (&["i"], KeyMode::Info),
        (&["A"], KeyMode::Reason),
        (&["g", "}", "}", "}", "}", "y"], KeyMode::Copy),
    ];
    let mut reached = std::collections::HashSet::new();
    for (_, a) in Action::NAMES {
        for (setup, want) in &setups {
            let mut h = Harness::new(WINDOW, &[("VERSION", "2.4.1")], 120, 40);
            h.keys(setup);
            assert_eq!(h.app.key_mode(), *want, "setup {setup:?}");
            reached.insert(*want);
            h.act(a.clone());
            assert!(h.app.cursor < h.app.visible.len(), "{a:?} after {setup:?}");
            let mode = h.app.key_mode();
            assert!(
                h.keymap.bindings.iter().any(|b| b.mode == mode),
                "{a:?} after {setup:?} left mode {mode:?} with no keys"
            );
        }
    }
    // The field editor needs a status-table row with blank cells.
    let checks = include_str!("fixtures/runs/checks.md");
    let vars = [("Deployment Lead", "Dana"), ("On-Call Engineer", "Sam")];
    for (_, a) in Action::NAMES {
        let mut h = Harness::new(checks, &vars, 120, 40);
        h.keys(&["j", "f"]);
        assert_eq!(h.app.key_mode(), KeyMode::Field, "setup j f");
        reached.insert(KeyMode::Field);
        h.act(a.clone());
        assert!(
            h.app.cursor < h.app.visible.len(),
            "{a:?} in the field editor"
        );
        let mode = h.app.key_mode();
        assert!(
            h.keymap.bindings.iter().any(|b| b.mode == mode),
            "{a:?} in the field editor left mode {mode:?} with no keys"
        );
    }
    // Commands: the confirmation (plain and destructive), the secret form, the offer after a
    // command and its whole output.
    let closed_loop = include_str!("fixtures/exec/closed-loop.md");
    let at = |h: &mut Harness, needle: &str| {
        let i = h.item(needle);
        h.app.cursor = h
            .app
            .visible
            .iter()
            .position(|r| *r == runsheet::app::rows::Row::Item(i))
            .expect("on screen");
    };
    type Setup = fn(&mut Harness, &dyn Fn(&mut Harness, &str));
    let command_setups: [(&str, Setup, KeyMode); 5] = [
        (
            "confirm",
            |h, at| {
                at(h, "Smoke test fails");
                h.keys(&["r"]);
            },
            KeyMode::RunConfirm,
        ),
        (
            "code",
            |h, at| {
                at(h, "Drop the old tables");
                h.keys(&["r"]);
            },
            KeyMode::RunCode,
        ),
        (
            "secret",
            |h, at| {
                at(h, "Print a token");
                h.keys(&["r"]);
            },
            KeyMode::Secret,
        ),
        (
            "done",
            |h, at| {
                at(h, "Smoke test fails");
                h.keys(&["r", "y"]);
                h.command_output("checking\n");
                h.command_exit(3, 1);
            },
            KeyMode::CommandDone,
        ),
        (
            "output",
            |h, at| {
                at(h, "Wait for the rollout");
                h.keys(&["r", "y", "o"]);
                h.command_output("line\n");
            },
            KeyMode::Output,
        ),
    ];
    for (_, a) in Action::NAMES {
        for (name, setup, want) in &command_setups {
            let mut h = Harness::new(closed_loop, &[("VERSION", "2.4.1")], 120, 40);
            setup(&mut h, &at);
            assert_eq!(h.app.key_mode(), *want, "setup {name}: {}", h.message());
            reached.insert(*want);
            h.act(a.clone());
            assert!(h.app.cursor < h.app.visible.len(), "{a:?} after {name}");
            let mode = h.app.key_mode();
            assert!(
                h.keymap.bindings.iter().any(|b| b.mode == mode),
                "{a:?} after {name} left mode {mode:?} with no keys"
            );
        }
    }
    let modes: Vec<KeyMode> = KeyMode::ALL
        .into_iter()
        .filter(|m| !matches!(m, KeyMode::Global | KeyMode::Vars))
        .filter(|m| !reached.contains(m))
        .collect();
    assert!(modes.is_empty(), "modes never reached: {modes:?}");
}
