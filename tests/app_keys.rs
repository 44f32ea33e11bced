//! Key-sequence tests on `App` without a terminal: every action and every mode.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::app::rows::Row;
use runsheet::app::{Action, KeyMode, Mode};
use runsheet::harness::Harness;
use runsheet::run::event::Decision;
use runsheet::run::intent::Intent;
use runsheet::run::state::ItemState;

const WINDOW: &str = include_str!("fixtures/tui/window.md");

fn h() -> Harness {
    Harness::new(WINDOW, &[("VERSION", "2.4.1")], 120, 40)
}

#[test]
fn cursor_starts_on_first_open_item_and_ticks_advance() {
    let mut h = h();
    assert_eq!(h.current(), "Change ticket is approved");
    h.keys(&["Space"]);
    assert_eq!(h.state("Change ticket"), ItemState::Done);
    assert_eq!(h.current(), "Release artefact checksum matches");
    h.keys(&["x"]);
    assert_eq!(h.current(), "Database backup taken");
    let msg = h.message();
    assert!(msg.contains("ticked by you"), "{msg}");
    // Untick: the cursor stays.
    h.keys(&["k", "Space"]);
    assert_eq!(h.state("Release artefact"), ItemState::Open);
    assert_eq!(h.current(), "Release artefact checksum matches");
}

#[test]
fn movement_keys() {
    let mut h = h();
    let start = h.app.cursor;
    h.keys(&["j"]);
    assert_eq!(h.app.cursor, start + 1);
    h.keys(&["Down", "k", "Up"]);
    assert_eq!(h.app.cursor, start);
    h.keys(&["G"]);
    assert_eq!(h.app.cursor, h.app.visible.len() - 1);
    h.keys(&["g"]);
    assert_eq!(h.app.cursor, 0);
    h.keys(&["End", "Home", "PgDn"]);
    assert!(h.app.cursor > 0);
    h.keys(&["PgUp"]);
    assert_eq!(h.app.cursor, 0);
    h.keys(&["Ctrl-d", "Ctrl-u"]);
    assert_eq!(h.app.cursor, 0);
    h.keys(&["}"]);
    assert!(matches!(h.app.visible[h.app.cursor], Row::Section(_)));
    let s1 = h.app.cursor;
    h.keys(&["}", "{"]);
    assert_eq!(h.app.cursor, s1);
    h.keys(&["]"]);
    assert_eq!(h.current(), "Change ticket is approved");
    h.keys(&["]", "["]);
    assert_eq!(h.current(), "Change ticket is approved");
    // The detail pane scrolls within what it has: a short detail does not scroll at all.
    h.keys(&["J"]);
    assert_eq!(h.app.detail_scroll, 0);
    let mut small = Harness::new(WINDOW, &[("VERSION", "2.4.1")], 60, 14);
    small.keys(&["j"]);
    let max = small.app.detail_max();
    assert!(
        max > 0,
        "the code block does not fit in a 60x14 detail pane"
    );
    small.keys(&["J"]);
    assert_eq!(small.app.detail_scroll, 3.min(max));
    for _ in 0..20 {
        small.keys(&["J"]);
    }
    assert_eq!(small.app.detail_scroll, max, "stops at the end");
    small.keys(&["K"]);
    assert_eq!(small.app.detail_scroll, max.saturating_sub(3));
}

#[test]
fn folding_hides_rows_and_tick_skips_folded_sections() {
    let mut h = h();
    let total = h.app.visible.len();
    h.keys(&["h"]); // fold the Preparation section from an item: cursor goes to the heading
    assert!(matches!(h.app.visible[h.app.cursor], Row::Section(_)));
    assert!(h.app.visible.len() < total);
    h.keys(&["l"]);
    assert_eq!(h.app.visible.len(), total);
    h.keys(&["Enter"]);
    assert!(h.app.visible.len() < total);
    // Next open item skips what is folded.
    h.keys(&["]"]);
    assert_eq!(h.current(), "Deploy the canary");
    h.keys(&["Left"]);
    assert_eq!(h.current(), "");
    h.keys(&["Right", "g", "Enter"]);
    assert_eq!(h.app.visible.len(), 1, "the top section folds everything");
    h.keys(&["Enter", "}", "Enter"]);
    assert_eq!(h.app.visible.len(), total);
}

#[test]
fn skip_na_fail_need_a_reason() {
    let mut h = h();
    h.keys(&["-"]);
    assert_eq!(h.app.key_mode(), KeyMode::Reason);
    h.keys(&["Enter"]);
    assert!(h.app.message().is_some_and(|m| m.error));
    h.type_text("not needed");
    h.keys(&["Enter"]);
    assert_eq!(h.state("Change ticket"), ItemState::Skipped);
    assert_eq!(h.current(), "Release artefact checksum matches");
    h.keys(&["~"]);
    h.type_text("linux only");
    h.keys(&["Enter"]);
    assert_eq!(h.state("Release artefact"), ItemState::Na);
    h.keys(&["!"]);
    h.type_text("backup job failed");
    h.keys(&["Ctrl-s"]);
    assert_eq!(h.state("Database backup taken"), ItemState::Failed);
    h.keys(&["!", "Esc"]);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn note_editor_saves_multiline_and_external_editor() {
    let mut h = h();
    h.keys(&["n"]);
    assert_eq!(h.app.key_mode(), KeyMode::Note);
    h.type_text("first line");
    h.act(Action::Edit(runsheet::app::key::KeyPress::plain(
        runsheet::app::key::KeyCode::Enter,
    )));
    h.type_text("second q line");
    assert!(h.app.draft().is_some());
    h.keys(&["Ctrl-e"]);
    h.keys(&["Ctrl-s"]);
    let item = h.item("Change ticket");
    let id = h.app.template.items[item].id.clone();
    let notes: Vec<String> = h.app.run.items[&id]
        .live_notes()
        .map(|n| n.text.clone())
        .collect();
    assert_eq!(
        notes,
        vec!["first line\nsecond q line\n(edited)".to_owned()]
    );
    // Esc discards.
    h.keys(&["n"]);
    h.type_text("throwaway");
    h.keys(&["Esc"]);
    assert_eq!(h.app.run.items[&id].live_notes().count(), 1);
}

#[test]
fn sign_off_prefilled_and_confirmed() {
    let mut h = h();
    let i = h.item("Tech Lead");
    h.keys(&["G"]);
    assert_eq!(h.app.current_item(), Some(i));
    h.keys(&["s"]);
    match &h.app.mode {
        Mode::Sign { name, .. } => assert_eq!(name.text(), "Alice"),
        m => panic!("{m:?}"),
    }
    h.keys(&["Enter"]);
    assert_eq!(h.app.states.get(i), ItemState::Signed);
    // Space on an open sign-off opens the dialog too; s on a task explains.
    h.keys(&["g", "]", "s"]);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn sign_as_someone_else() {
    let mut h = h();
    h.keys(&["G", "Space"]);
    h.keys(&["Ctrl-u"]);
    h.type_text("Dana Ops");
    h.keys(&["Enter"]);
    let i = h.item("Tech Lead");
    let id = h.app.template.items[i].id.clone();
    let e = h.app.run.items[&id].current().cloned();
    assert_eq!(e.and_then(|e| e.signer), Some("Dana Ops".into()));
}

#[test]
fn gate_go_and_no_go() {
    let mut h = h();
    let g = h.item("Go/No-Go");
    while h.app.current_item() != Some(g) {
        h.keys(&["j"]);
    }
    // The dialog starts with nothing chosen: Enter decides nothing.
    h.keys(&["d"]);
    assert!(matches!(h.app.mode, Mode::Gate { decision: None, .. }));
    h.keys(&["Enter"]);
    assert!(matches!(h.app.mode, Mode::Gate { decision: None, .. }));
    assert!(h.message().contains("choose first"), "{}", h.message());
    h.keys(&["n"]);
    assert!(matches!(
        h.app.mode,
        Mode::Gate {
            decision: Some(Decision::NoGo),
            ..
        }
    ));
    h.keys(&["Enter"]);
    assert!(
        matches!(h.app.mode, Mode::Gate { .. }),
        "NO-GO needs a reason"
    );
    h.type_text("error rate 2%");
    h.keys(&["Enter"]);
    assert_eq!(h.app.states.get(g), ItemState::NoGo);
    // Our NO-GO: what now? (decided later here.)
    assert!(matches!(h.app.mode, Mode::AfterNoGo { .. }));
    h.keys(&["Esc"]);
    h.keys(&["k", "d", "g", "Tab", "Tab", "Esc"]);
    assert_eq!(h.app.mode, Mode::Normal);
    // Undoing a decision asks first.
    h.act(Action::Refused(String::new()));
    h.keys(&["u"]);
    assert!(matches!(h.app.mode, Mode::Confirm(_)));
    h.keys(&["y"]);
    assert_eq!(h.app.states.get(g), ItemState::Open);
    // Space on an open gate opens the decision; GO needs no reason.
    while h.app.current_item() != Some(g) {
        h.keys(&["j"]);
    }
    h.keys(&["Space", "g", "Enter"]);
    assert_eq!(h.app.states.get(g), ItemState::Go);
}

#[test]
fn copy_code_block_with_variables() {
    let mut h = h();
    h.keys(&["j", "y"]);
    assert_eq!(
        h.copied.first().map(String::as_str),
        Some("sha256sum payments-2.4.1.tar.gz\ngrep payments-2.4.1 SHA256SUMS")
    );
    h.keys(&["k", "y"]);
    assert_eq!(h.copied.len(), 1, "no code block: nothing copied");
}

#[test]
fn undo_reverts_last_change() {
    let mut h = h();
    h.keys(&["Space"]);
    assert_eq!(h.state("Change ticket"), ItemState::Done);
    h.keys(&["u"]);
    assert_eq!(h.state("Change ticket"), ItemState::Open);
    h.keys(&["u"]);
    assert!(h.app.message().is_some_and(|m| m.error));
}

#[test]
fn search_incremental_then_n_and_escape() {
    let mut h = h();
    h.keys(&["/"]);
    assert_eq!(h.app.key_mode(), KeyMode::Search);
    h.type_text("smoke");
    assert_eq!(h.current(), "Smoke tests pass");
    h.keys(&["Esc"]);
    assert_eq!(h.current(), "Change ticket is approved", "cancel returns");
    h.keys(&["/"]);
    h.type_text("test"); // a plain substring, case-insensitive
    h.keys(&["Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Found);
    let first = h.current();
    assert_eq!(first, "Restore test passed this week");
    h.keys(&["n"]);
    assert_eq!(h.current(), "Smoke tests pass");
    h.keys(&["N"]);
    assert_eq!(h.current(), first);
    h.keys(&["Esc"]);
    assert_eq!(h.app.key_mode(), KeyMode::Normal);
    h.keys(&["n", "Esc"]); // n is a note again
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut h = h();
    h.keys(&["?"]);
    assert_eq!(h.app.key_mode(), KeyMode::Help);
    h.keys(&["j", "j", "k"]);
    assert_eq!(h.app.mode, Mode::Help { scroll: 1 });
    h.keys(&["Esc"]);
    assert_eq!(h.app.mode, Mode::Normal);
    h.keys(&["F1", "q"]);
    assert_eq!(h.app.mode, Mode::Normal);
    assert!(!h.quit, "q closes help, does not quit");
    h.keys(&["q"]);
    assert!(h.quit);
}

#[test]
fn ctrl_c_quits_from_any_mode_and_keeps_the_draft() {
    let mut h = h();
    h.keys(&["n"]);
    h.type_text("half a thought");
    h.keys(&["Ctrl-c"]);
    assert!(h.quit);
    let d = h.app.draft().expect("draft");
    assert_eq!(d.text, "half a thought");
    let mut h2 = self::h();
    h2.act(Action::OfferDrafts(vec![d]));
    assert_eq!(h2.app.key_mode(), KeyMode::Note);
    assert_eq!(
        h2.app.draft().map(|d| d.text),
        Some("half a thought".into())
    );
    let out = h2.app.update(Action::Suspend, h2.now);
    assert!(out.suspend);
}

#[test]
fn missing_variables_are_asked_first() {
    let mut h = Harness::new(WINDOW, &[], 100, 30);
    assert_eq!(h.app.key_mode(), KeyMode::Vars);
    h.keys(&["Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Vars, "empty value refused");
    h.type_text("3.0.0");
    h.keys(&["Enter"]);
    assert_eq!(h.app.mode, Mode::Normal);
    assert_eq!(h.app.run.var("VERSION"), Some("3.0.0"));
    assert!(
        h.app
            .item_text(h.item("Deploy the canary"))
            .contains("Deploy")
    );
    let mut h = Harness::new(WINDOW, &[], 100, 30);
    h.keys(&["Esc"]);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn completing_every_item_shows_the_summary_and_finishes() {
    let mut h = h();
    for _ in 0..40 {
        match h.app.key_mode() {
            KeyMode::Summary => break,
            KeyMode::Normal => h.keys(&["Space"]),
            KeyMode::Decide => h.keys(&["g"]),
            _ => h.keys(&["Enter"]),
        }
    }
    assert_eq!(h.app.key_mode(), KeyMode::Summary);
    assert_eq!(h.app.states.all.open, 0);
    h.keys(&["Enter"]);
    assert!(!h.app.run.is_active());
    h.keys(&["F"]);
    assert_eq!(h.app.key_mode(), KeyMode::Summary);
    h.keys(&["Esc", "Space"]);
    assert!(
        h.app.message().is_some_and(|m| m.error),
        "closed run refuses ticks"
    );
}

#[test]
fn remote_events_update_the_screen_with_who() {
    let mut h = h();
    let id = h.app.template.items[h.item("Smoke tests")].id.clone();
    h.remote(
        "Bob",
        Intent::Tick {
            item: id,
            note: None,
        },
    );
    assert_eq!(h.state("Smoke tests"), ItemState::Done);
    let msg = h.message();
    assert!(msg.starts_with("Bob ticked “Smoke tests pass”"), "{msg}");
    assert_eq!(
        h.current(),
        "Change ticket is approved",
        "cursor not moved by others"
    );
    // Reopening another operator's change takes two presses.
    let id = h.app.template.items[h.item("Change ticket")].id.clone();
    h.remote(
        "Bob",
        Intent::Tick {
            item: id,
            note: None,
        },
    );
    h.keys(&["Space"]);
    assert_eq!(h.state("Change ticket"), ItemState::Done);
    let msg = h.message();
    assert!(msg.contains("press again to reopen"), "{msg}");
    h.keys(&["Space"]);
    assert_eq!(h.state("Change ticket"), ItemState::Open);
}

#[test]
fn not_saved_banner_until_saved() {
    let mut h = h();
    h.act(Action::NotSaved("disk full".into()));
    assert_eq!(h.app.not_saved.as_deref(), Some("disk full"));
    h.act(Action::Clock);
    assert!(h.app.not_saved.is_some(), "persistent");
    h.keys(&["q"]);
    assert!(!h.quit, "first q while not saved only warns");
    h.keys(&["q"]);
    assert!(h.quit, "second q leaves");
    h.quit = false;
    h.act(Action::Saved);
    assert!(h.app.not_saved.is_none());
}

#[test]
fn mouse_click_selects_and_ticks_wheel_scrolls() {
    let mut h = Harness::new(WINDOW, &[("VERSION", "1")], 120, 12);
    let l = runsheet::app::layout::layout(120, 12);
    h.act(Action::Click(30, l.list.y + 2));
    assert_eq!(h.app.cursor, 2);
    let i = h.app.current_item();
    assert!(i.is_some());
    let indent = h.app.indent(i.unwrap_or(0)) as u16;
    h.act(Action::Click(indent + 1, l.list.y + 2));
    assert_eq!(h.app.states.get(i.unwrap_or(0)), ItemState::Done);
    h.act(Action::Wheel(1));
    assert!(h.app.scroll > 0);
    h.act(Action::Wheel(-1));
    assert_eq!(h.app.scroll, 0);
}

#[test]
fn timeline_opens_scrolls_and_closes() {
    let mut h = h();
    let cursor = h.app.cursor;
    h.keys(&["t"]);
    assert_eq!(h.app.key_mode(), KeyMode::Timeline);
    assert_eq!(h.app.mode, Mode::Timeline { scroll: 0 });
    h.keys(&["j", "j", "Down", "k"]);
    assert_eq!(h.app.mode, Mode::Timeline { scroll: 2 });
    h.keys(&["Up", "k", "k"]);
    assert_eq!(h.app.mode, Mode::Timeline { scroll: 0 }, "stops at the top");
    // Scrolling stops at the last section.
    let last = h.app.template.sections.len() as u16 - 1;
    for _ in 0..20 {
        h.keys(&["j"]);
    }
    assert_eq!(h.app.mode, Mode::Timeline { scroll: last });
    h.keys(&["PgUp"]);
    assert_eq!(h.app.mode, Mode::Timeline { scroll: 0 });
    h.act(Action::Wheel(1));
    h.act(Action::Wheel(1));
    h.act(Action::Wheel(-1));
    assert_eq!(
        h.app.mode,
        Mode::Timeline { scroll: 1 },
        "the wheel scrolls"
    );
    h.keys(&["Ctrl-d"]);
    assert_eq!(h.app.mode, Mode::Timeline { scroll: last });
    h.keys(&["Ctrl-u"]);
    assert_eq!(h.app.mode, Mode::Timeline { scroll: 0 });
    // Keys of the checklist do nothing here: nothing ticked, the cursor stays.
    for a in [Action::Tick, Action::Sign, Action::Note, Action::Skip] {
        h.act(a);
    }
    assert_eq!(h.app.key_mode(), KeyMode::Timeline);
    assert_eq!(h.state("Change ticket"), ItemState::Open);
    h.keys(&["t"]);
    assert_eq!(h.app.mode, Mode::Normal);
    assert_eq!(h.app.cursor, cursor);
    h.keys(&["t", "Esc"]);
    assert_eq!(h.app.mode, Mode::Normal);
    h.keys(&["t", "q"]);
    assert_eq!(h.app.mode, Mode::Normal);
    assert!(!h.quit, "q closes the timeline, does not quit");
    // Other operators' changes and the clock keep it open (it is redrawn live).
    h.keys(&["t"]);
    let id = h.app.template.items[h.item("Deploy the canary")].id.clone();
    h.remote(
        "Bob",
        Intent::Tick {
            item: id,
            note: None,
        },
    );
    h.act(Action::Clock);
    assert_eq!(h.app.key_mode(), KeyMode::Timeline);
    // From an active search too (normal keys apply).
    h.keys(&["Esc", "/"]);
    h.type_text("smoke");
    h.keys(&["Enter", "t"]);
    assert_eq!(h.app.key_mode(), KeyMode::Timeline);
    h.keys(&["q", "q"]);
    assert!(h.quit);
}

#[test]
fn paste_goes_into_the_editor() {
    let mut h = h();
    h.keys(&["n"]);
    h.act(Action::Paste("pasted\ntext".into()));
    assert_eq!(h.app.draft().map(|d| d.text), Some("pasted\ntext".into()));
}

#[test]
fn match_positions_for_highlighting() {
    use runsheet::app::search::highlight;
    assert_eq!(
        highlight("tests p", false, "Smoke tests pass"),
        Some((6..13).collect())
    );
    assert_eq!(
        highlight("SMOKE", false, "smoke"),
        Some(vec![0, 1, 2, 3, 4])
    );
    assert_eq!(
        highlight("st p", true, "Smoke tests pass").map(|p| p.len()),
        Some(3)
    );
    assert_eq!(highlight("xyz", true, "smoke"), None);
}
