//! Gates with consequences, undo you can see, finishing with exceptions, the window and the run
//! information, driven key by key on `App` (no terminal).
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::app::{Action, KeyMode, Mode, Settings};
use runsheet::config::GoReason;
use runsheet::harness::Harness;
use runsheet::run::event::Decision;
use runsheet::run::intent::Intent;
use runsheet::run::state::ItemState;

const GATES: &str = include_str!("fixtures/tui/gates.md");

fn h() -> Harness {
    Harness::new(GATES, &[], 120, 40)
}

fn goto(h: &mut Harness, needle: &str) {
    let row = h.row_of(needle);
    h.app.cursor = row;
}

/// Ticks the first three items, then decides NO-GO on the gate with `reason`.
fn no_go(h: &mut Harness, reason: &str) {
    h.keys(&["Space", "Space", "Space"]);
    assert_eq!(
        h.current(),
        "**Go/No-Go**: traffic is healthy on the new primary".replace("**", "")
    );
    h.keys(&["d", "n"]);
    h.type_text(reason);
    h.keys(&["Enter"]);
    assert_eq!(h.state("Go/No-Go"), ItemState::NoGo);
}

fn last_entry_after_no_go(h: &Harness, needle: &str) -> Option<u64> {
    let id = h.app.template.items[h.item(needle)].id.clone();
    h.app.run.items[&id].current().and_then(|e| e.after_no_go)
}

#[test]
fn the_gate_dialog_starts_undecided_and_lists_its_open_scope() {
    let mut h = h();
    h.keys(&["Space"]);
    goto(&mut h, "Go/No-Go");
    h.keys(&["d"]);
    let Mode::Gate {
        decision, scope, ..
    } = &h.app.mode
    else {
        panic!("no gate dialog: {:?}", h.app.mode);
    };
    assert_eq!(*decision, None);
    let names: Vec<String> = scope
        .iter()
        .map(|&i| h.app.item_text(i).into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "Replica lag under 5 s",
            "Promote the replica",
            "Point the application at the new primary"
        ]
    );
    assert_eq!(h.app.key_mode(), KeyMode::Decide);
    h.keys(&["g"]);
    assert!(matches!(
        h.app.mode,
        Mode::Gate {
            decision: Some(Decision::Go),
            ..
        }
    ));
    // Typing `n` now is text of the reason, not NO-GO.
    h.type_text("n");
    assert!(matches!(
        h.app.mode,
        Mode::Gate {
            decision: Some(Decision::Go),
            ..
        }
    ));
}

#[test]
fn a_go_reason_is_optional_unless_the_config_requires_it() {
    let mut h = h();
    goto(&mut h, "Go/No-Go");
    h.act(Action::Settings(Box::new(Settings {
        go_reason: GoReason::Required,
        local_zone: None,
    })));
    h.keys(&["d", "g", "Enter"]);
    assert_eq!(h.state("Go/No-Go"), ItemState::Open);
    assert!(
        h.message().contains("a GO needs a reason"),
        "{}",
        h.message()
    );
    h.type_text("canary clean for 10 min");
    h.keys(&["Enter"]);
    // Earlier items are open: no NO-GO, no HOLD, so nothing to confirm.
    assert_eq!(h.state("Go/No-Go"), ItemState::Go);

    let mut h = self::h();
    goto(&mut h, "Go/No-Go");
    h.keys(&["d", "g", "Enter"]);
    assert_eq!(h.state("Go/No-Go"), ItemState::Go, "optional by default");
}

#[test]
fn after_a_no_go_hold_shows_who_and_why_and_a_tick_asks_first() {
    let mut h = h();
    no_go(&mut h, "replication broke");
    assert_eq!(h.app.key_mode(), KeyMode::AfterNoGo);
    h.keys(&["h"]);
    h.type_text("waiting for the DBA");
    h.keys(&["Enter"]);
    assert!(h.app.run.active_hold().is_some());
    let b = h.app.blocker().cloned().expect("a blocker");
    let text = h.app.blocker_text_of(&b, false);
    assert!(text.starts_with("HOLD since"), "{text}");
    assert!(text.contains("by Alice: waiting for the DBA"), "{text}");
    // A tick outside the rollback section asks first.
    goto(&mut h, "Point the application at the new primary");
    h.keys(&["Space"]);
    let Mode::Confirm(q) = &h.app.mode else {
        panic!("no question: {:?}", h.app.mode);
    };
    assert!(q.lines[0].contains("record anyway?"), "{:?}", q.lines);
    h.keys(&["n"]);
    assert_eq!(
        h.state("Point the application at the new primary"),
        ItemState::Open
    );
    h.keys(&["Space", "y"]);
    assert_eq!(
        h.state("Point the application at the new primary"),
        ItemState::Done
    );
    assert!(last_entry_after_no_go(&h, "Point the application at the new primary").is_some());
    // Resume with a reason lifts it; the next tick does not ask.
    h.keys(&["R"]);
    h.keys(&["Enter"]);
    assert!(
        h.message().contains("reason is required"),
        "{}",
        h.message()
    );
    h.type_text("DBA fixed replication");
    h.keys(&["Enter"]);
    assert!(h.app.blocker().is_none());
    goto(&mut h, "DBA");
    h.keys(&["Space", "Enter"]);
    assert_eq!(h.state("DBA"), ItemState::Signed);
}

#[test]
fn after_a_no_go_a_sign_off_and_a_go_ask_but_the_rollback_section_does_not() {
    let mut h = h();
    no_go(&mut h, "replication broke");
    h.keys(&["r"]);
    assert_eq!(h.app.mode, Mode::Normal);
    let rows = &h.app.visible;
    let at = rows[h.app.cursor];
    assert!(
        matches!(at, runsheet::app::rows::Row::Section(s) if h.app.template.sections[s].title == "Roll back"),
        "{at:?}"
    );
    h.keys(&["j", "Space"]);
    assert_eq!(
        h.state("Demote"),
        ItemState::Done,
        "no question in the rollback section"
    );
    assert_eq!(h.app.mode, Mode::Normal);
    goto(&mut h, "DBA");
    h.keys(&["Space", "Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Confirm, "a sign-off asks");
    h.keys(&["y"]);
    assert_eq!(h.state("DBA"), ItemState::Signed);
    assert!(last_entry_after_no_go(&h, "DBA").is_some());
}

#[test]
fn abort_takes_a_reason_and_a_confirmation() {
    let mut h = h();
    h.keys(&["A"]);
    h.type_text("vendor outage");
    h.keys(&["Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Confirm);
    h.keys(&["Esc"]);
    assert!(h.app.run.is_active(), "no abort without the confirmation");
    h.keys(&["A"]);
    h.type_text("vendor outage");
    h.keys(&["Enter", "y"]);
    assert!(!h.app.run.is_active());
    assert_eq!(
        runsheet::run::outcome::outcome(&h.app.run, &h.app.states.all),
        "aborted: vendor outage"
    );
    // From the choice after a NO-GO too.
    let mut h = self::h();
    no_go(&mut h, "replication broke");
    h.keys(&["a"]);
    h.type_text("give up");
    h.keys(&["Enter", "y"]);
    assert!(!h.app.run.is_active());
}

#[test]
fn undo_names_what_it_reverts_and_asks_for_decisions() {
    let mut h = h();
    h.keys(&["Space"]);
    h.keys(&["u"]);
    assert_eq!(
        h.state("Announce"),
        ItemState::Open,
        "a tick is undone at once"
    );
    assert_eq!(
        h.message(),
        "undid tick of “Announce the drill in the ops channel” (by you 08:50:14)"
    );
    goto(&mut h, "Go/No-Go");
    h.keys(&["d", "g", "Enter", "u"]);
    let Mode::Confirm(q) = &h.app.mode else {
        panic!("no question: {:?}", h.app.mode);
    };
    assert_eq!(
        q.lines[0],
        "undo GO on “**Go/No-Go**: traffic is healthy on the new primary” (you, 08:50)?"
            .replace("**", "")
    );
    h.keys(&["Esc"]);
    assert_eq!(h.state("Go/No-Go"), ItemState::Go);
    h.keys(&["u", "y"]);
    assert_eq!(h.state("Go/No-Go"), ItemState::Open);
    assert!(
        h.message()
            .starts_with("undid GO on “Go/No-Go: traffic is healthy on the new primary”"),
        "{}",
        h.message()
    );
    let id = h.app.template.items[h.item("Go/No-Go")].id.clone();
    assert!(
        h.app.run.items[&id]
            .history
            .iter()
            .any(|e| e.undone_by.is_some())
    );
}

#[test]
fn an_undo_refuses_when_the_named_change_is_no_longer_the_last() {
    let mut h = h();
    goto(&mut h, "Go/No-Go");
    h.keys(&["d", "g", "Enter", "u"]);
    assert_eq!(h.app.key_mode(), KeyMode::Confirm);
    // Another session of the same operator ticks meanwhile.
    let announce = h.app.template.items[h.item("Announce")].id.clone();
    h.append(Intent::Tick {
        item: announce,
        note: None,
    });
    h.keys(&["y"]);
    assert_eq!(
        h.state("Go/No-Go"),
        ItemState::Go,
        "the GO was not reverted"
    );
    assert_eq!(h.state("Announce"), ItemState::Done, "nor the tick");
    assert!(
        h.message().contains("nothing was undone"),
        "{}",
        h.message()
    );
}

#[test]
fn finishing_with_a_failed_item_asks_a_reason_and_says_so() {
    let mut h = h();
    h.keys(&["!"]);
    h.type_text("lag 40 s");
    h.keys(&["Enter"]);
    for _ in 0..20 {
        match h.app.key_mode() {
            KeyMode::Summary => break,
            KeyMode::Normal => h.keys(&["Space"]),
            KeyMode::Decide => h.keys(&["g"]),
            _ => h.keys(&["Enter"]),
        }
    }
    assert_eq!(h.app.key_mode(), KeyMode::Summary);
    h.keys(&["Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Reason, "a reason first");
    h.keys(&["Enter"]);
    assert_eq!(
        h.app.key_mode(),
        KeyMode::Reason,
        "an empty reason is refused"
    );
    h.type_text("drill: lag is the finding");
    h.keys(&["Enter"]);
    let Mode::Confirm(q) = &h.app.mode else {
        panic!("no question: {:?}", h.app.mode);
    };
    assert!(q.lines[0].contains("exceptions: 1 failed"), "{:?}", q.lines);
    h.keys(&["y"]);
    assert!(!h.app.run.is_active());
    assert_eq!(
        runsheet::run::outcome::outcome(&h.app.run, &h.app.states.all),
        "completed with exceptions: 1 failed"
    );
}

#[test]
fn a_new_run_asks_for_the_window_prefilled_with_the_guess() {
    let mut h = h();
    assert!(h.app.plan().window.is_guess());
    h.act(Action::AskWindow);
    let Mode::Window { prefill, .. } = &h.app.mode else {
        panic!("no window question: {:?}", h.app.mode);
    };
    assert!(prefill.starts_with("2026-12-10 "), "{prefill}");
    // Esc keeps the guess.
    h.keys(&["Esc"]);
    assert!(h.app.plan().window.is_guess());
    assert!(h.message().contains("stays a guess"), "{}", h.message());
    // Enter on the prefilled guess records it as given.
    h.act(Action::AskWindow);
    h.keys(&["Enter"]);
    assert!(!h.app.plan().window.is_guess());
    assert_eq!(h.app.run.windows.len(), 1);
    // Asked once: a window that is given is not asked again.
    h.act(Action::AskWindow);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn the_window_takes_what_window_takes_and_says_what_it_cannot_read() {
    let mut h = h();
    h.act(Action::AskWindow);
    h.keys(&["Ctrl-u"]);
    h.type_text("25:99");
    h.keys(&["Enter"]);
    let Mode::Window { error, .. } = &h.app.mode else {
        panic!("the question closed: {:?}", h.app.mode);
    };
    assert!(error.is_some(), "an error shown inline");
    h.keys(&["Ctrl-u"]);
    h.type_text("2026-12-02 22:00 Europe/Berlin");
    h.keys(&["Enter"]);
    let w = &h.app.plan().window;
    assert!(!w.is_guess());
    assert_eq!(w.start.to_rfc3339(), "2026-12-02T22:00:00+01:00");
    // `w` moves it later, with a reason.
    h.keys(&["w", "Ctrl-u"]);
    h.type_text("2026-12-02 23:00 Europe/Berlin");
    h.keys(&["Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Reason);
    h.type_text("vendor asked for an hour");
    h.keys(&["Enter"]);
    let w = &h.app.plan().window;
    assert_eq!(w.start.to_rfc3339(), "2026-12-02T23:00:00+01:00");
    assert_eq!(h.app.run.windows.len(), 2);
}

#[test]
fn run_info_shows_the_templates_metadata() {
    let mut h = h();
    h.keys(&["i"]);
    assert_eq!(h.app.key_mode(), KeyMode::Info);
    let rows = h.app.run_info();
    assert!(
        rows.iter()
            .any(|(k, v)| k == "Deployment Date" && v == "December 10, 2026"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|(k, v)| k == "Owner" && v == "Platform team")
    );
    assert!(
        rows.iter()
            .any(|(k, v)| k == "window" && v.contains("(guess)")),
        "{rows:?}"
    );
    h.keys(&["Esc"]);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn another_operators_hold_reaches_this_screen() {
    let mut h = h();
    h.remote(
        "Bob",
        Intent::Hold {
            reason: "pager storm".into(),
            gate: None,
        },
    );
    let b = h.app.blocker().cloned().expect("HOLD seen");
    assert!(
        h.app
            .blocker_text_of(&b, false)
            .contains("by Bob: pager storm")
    );
    assert!(
        h.message().contains("Bob put the run on HOLD"),
        "{}",
        h.message()
    );
    assert!(h.message().ends_with(": pager storm"), "{}", h.message());
    h.keys(&["Space"]);
    assert_eq!(
        h.app.key_mode(),
        KeyMode::Confirm,
        "a tick during a HOLD asks"
    );
}
