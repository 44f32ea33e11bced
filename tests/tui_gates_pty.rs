//! End-to-end in tmux: a NO-GO, then HOLD seen on another operator's screen, a tick during it that
//! asks first and is flagged in the report, a resume with a reason, and an abort from the screen
//! that `status` reports.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "pty/term.rs"]
mod term;
#[path = "pty/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};
use term::{cli, only_run_dir};
use tmux::Tmux;

const FIXTURE: &str = "tests/fixtures/tui/gates.md";

fn cmd(who: &str, d: &str, args: &str) -> String {
    format!(
        "RUNSHEET_OPERATOR={who} XDG_CONFIG_HOME={d}/config LANG=C.UTF-8 {} {args} --data-dir {d}",
        term::bin()
    )
}

#[test]
fn no_go_hold_seen_elsewhere_tick_asks_resume_then_abort() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let alice = cmd(
        "Alice",
        d,
        &format!("run {FIXTURE} --window '2026-12-10 22:00 UTC'"),
    );
    let Some(t) = Tmux::start_sized("gates", &alice, 110, 30) else {
        return;
    };
    t.wait("Announce the drill");
    let run = only_run_dir(dir.path());
    let id = run.file_name().expect("id").to_string_lossy().into_owned();
    t.run(&[
        "split-window",
        "-v",
        "-d",
        "-t",
        "p",
        &cmd("Bob", d, "join latest"),
    ]);
    let bob = "p.1";
    t.wait_pane(bob, 10, "Bob's screen", |s| s.contains("operator Bob"));

    // Three ticks, then NO-GO on the gate with a reason.
    for n in 1..=3 {
        t.type_text("p.0", " ");
        t.wait_pane("p.0", 5, "tick", |s| s.contains(&format!("{n}/8")));
    }
    t.type_text("p.0", "d");
    t.wait_pane("p.0", 5, "gate dialog", |s| s.contains("choose: g GO"));
    t.type_text("p.0", "n");
    t.type_text("p.0", "replication broke");
    t.keys("p.0", &["Enter"]);
    t.wait_pane("p.0", 5, "after NO-GO", |s| s.contains("What now?"));
    // Hold, with a reason: Bob's screen shows it within 2 s.
    t.type_text("p.0", "h");
    t.wait_pane("p.0", 5, "hold reason", |s| s.contains("HOLD: why?"));
    t.type_text("p.0", "waiting for the DBA");
    t.keys("p.0", &["Enter"]);
    t.wait_pane("p.0", 5, "HOLD here", |s| s.contains("HOLD since"));
    let seen = Instant::now();
    let s = t.wait_pane(bob, 2, "HOLD on Bob's screen", |s| {
        s.contains("HOLD since") && s.contains("by Alice: waiting for the DBA")
    });
    assert!(seen.elapsed() <= Duration::from_secs(2), "{s}");

    // A tick during the HOLD asks first; yes records it, flagged.
    t.type_text("p.0", " ");
    t.wait_pane("p.0", 5, "the question", |s| s.contains("record anyway?"));
    t.type_text("p.0", "y");
    t.wait_pane("p.0", 5, "ticked", |s| s.contains("5/8"));

    // Resume with a reason.
    t.type_text("p.0", "R");
    t.wait_pane("p.0", 5, "resume reason", |s| s.contains("resume: why?"));
    t.type_text("p.0", "DBA fixed replication");
    t.keys("p.0", &["Enter"]);
    t.wait_pane(bob, 5, "resume on Bob's screen", |s| {
        s.contains("Alice lifted the HOLD") && !s.contains("HOLD since")
    });

    let report = cli(
        &["report", &id, "--format", "md", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Alice")],
    );
    assert!(report.contains("(after NO-GO)"), "{report}");

    // Abort from the screen: a reason, then a confirmation.
    t.type_text("p.0", "A");
    t.wait_pane("p.0", 5, "abort reason", |s| s.contains("abort: why?"));
    t.type_text("p.0", "vendor outage");
    t.keys("p.0", &["Enter"]);
    t.wait_pane("p.0", 5, "abort question", |s| s.contains("abort the run?"));
    t.type_text("p.0", "y");
    t.wait_pane("p.0", 5, "aborted", |s| s.contains("ABORTED"));
    let status = cli(
        &["status", &id, "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Alice")],
    );
    assert!(status.contains("aborted: vendor outage"), "{status}");
    t.type_text("p.0", "q");
    t.type_text(bob, "q");
}
