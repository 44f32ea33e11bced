//! End-to-end runs of the real binary in tmux and in a pty, running an item's command from the
//! screen: a command that prints and exits 3 is offered as failed and its output verifies; `sleep
//! 100` interrupted by Ctrl-C is recorded as interrupted while runsheet keeps running (and a resize
//! while it runs); escape sequences a command prints change nothing in the terminal; kill -9 of
//! runsheet while a command runs, then resume, says so; a hang-up while it runs records it and
//! exits within 2 s; a destructive block refuses a wrong code; other operators see it running.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "pty/term.rs"]
mod term;
#[path = "pty/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};
use term::{Term, cli, only_run_dir};
use tmux::{Tmux, alive};

const FIXTURE: &str = "tests/fixtures/exec/closed-loop.md";

/// The screen on the fixture, run from `d` (commands run there), as `who`.
fn cmd(who: &str, d: &str, args: &str) -> String {
    format!(
        "cd {d} && RUNSHEET_OPERATOR={who} XDG_CONFIG_HOME={d}/config LANG=C.UTF-8 exec {} {args} --data-dir {d}/data",
        term::bin()
    )
}

fn start(who: &str, d: &str) -> String {
    cmd(
        who,
        d,
        &format!(
            "run {}/{FIXTURE} --var VERSION=2.4.1 --window '2026-12-10 22:00 UTC'",
            env!("CARGO_MANIFEST_DIR")
        ),
    )
}

fn status_json(d: &str, id: &str) -> serde_json::Value {
    let out = cli(
        &["status", id, "--json", "--data-dir", &format!("{d}/data")],
        &[("RUNSHEET_OPERATOR", "Alice")],
    );
    serde_json::from_str(&out).expect("status --json")
}

/// Whether the detail pane shows the item `text` (its title line: beside the list in a wide
/// screen, a line of its own below it in a narrow one).
fn detail_shows(s: &str, text: &str) -> bool {
    s.lines()
        .any(|l| l.split('│').nth(1).is_some_and(|r| r.trim() == text) || l.trim() == text)
}

/// Moves the cursor to the item `text` with a search (`/`, the text, Enter), and waits until the
/// detail pane shows it.
fn select(t: &Tmux, pane: &str, text: &str) {
    t.type_text(pane, "/");
    t.wait_pane(pane, 5, "the search prompt", |s| s.contains("match(es)"));
    t.type_text(pane, text);
    t.keys(pane, &["Enter"]);
    t.wait_pane(pane, 5, &format!("{text} selected"), |s| {
        detail_shows(s, text)
    });
}

/// `r`, then `y`: the command of the selected item starts.
fn run_selected(t: &Tmux, pane: &str) {
    t.type_text(pane, "r");
    t.wait_pane(pane, 10, "the confirmation", |s| {
        s.contains("run this command?")
    });
    t.type_text(pane, "y");
}

/// The process group the fixture's command printed (`pgid 1234` at the start of a pane line).
fn pgid_of(screen: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let digits: String = l
            .strip_prefix("pgid ")?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (!digits.is_empty()).then_some(digits)
    })
}

/// SIGKILL to one process, or to a process group, named by a number read from a screen: refused
/// unless it is a real id that is neither init nor this test's own process or group (a misread
/// must never become `kill(0)` or `kill(-1)`).
fn kill_9(id: &str, group: bool) {
    let n: i32 = id
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a pid: {id:?}"));
    let own_group = rustix::process::getpgrp().as_raw_nonzero().get();
    let own = i32::try_from(std::process::id()).unwrap_or(0);
    assert!(n > 1 && n != own && n != own_group, "refusing to kill {n}");
    let pid = rustix::process::Pid::from_raw(n).expect("a pid");
    let _ = if group {
        rustix::process::kill_process_group(pid, rustix::process::Signal::KILL)
    } else {
        rustix::process::kill_process(pid, rustix::process::Signal::KILL)
    };
}

fn run_id(data: &std::path::Path) -> String {
    only_run_dir(data)
        .file_name()
        .expect("id")
        .to_string_lossy()
        .into_owned()
}

/// The screens of this file run one at a time: a dozen debug builds drawing at once on a 2-core
/// machine made their 2-second deadlines measure the scheduler, not runsheet.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn a_command_that_exits_3_is_offered_as_failed_and_its_output_verifies() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let Some(t) = Tmux::start_sized("exec-fail", &start("Alice", d), 120, 36) else {
        return;
    };
    t.wait("Smoke test fails");
    let id = run_id(&dir.path().join("data"));
    select(&t, "p:0.0", "Smoke test fails");
    run_selected(&t, "p:0.0");
    let s = t.wait_until(10, "the failure offered", |s| s.contains("command failed"));
    assert!(s.contains("exit 3"), "{s}");
    assert!(
        s.contains("checkout returned 502"),
        "the output on screen: {s}"
    );
    t.type_text("p:0.0", "y");
    t.wait_until(5, "marked failed", |s| s.contains("failed 1"));

    let v = status_json(d, &id);
    let cmds = v["commands"].as_array().expect("commands");
    assert_eq!(cmds.len(), 1, "{v}");
    assert_eq!(cmds[0]["exit_code"], 3, "{v}");
    assert_eq!(cmds[0]["confirmed"], "screen", "{v}");
    let out = std::fs::read_to_string(
        dir.path()
            .join("data/runs")
            .join(&id)
            .join(cmds[0]["output"].as_str().expect("output")),
    )
    .expect("output file");
    assert!(out.contains("checkout returned 502"), "{out}");
    let verify = cli(
        &["verify", &id, "--data-dir", &format!("{d}/data")],
        &[("RUNSHEET_OPERATOR", "Alice")],
    );
    assert!(
        verify.contains("intact") && verify.contains("1 command output"),
        "{verify}"
    );
    let item = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["text"] == "Smoke test fails")
        .cloned()
        .expect("the item");
    assert_eq!(item["state"], "failed", "{item}");
    t.type_text("p:0.0", "q");
}

#[test]
fn ctrl_c_interrupts_the_command_and_runsheet_keeps_running_through_a_resize() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let Some(t) = Tmux::start_sized("exec-int", &start("Alice", d), 120, 36) else {
        return;
    };
    t.wait("Wait for the rollout");
    let id = run_id(&dir.path().join("data"));
    let pid = t.pane_pid();
    select(&t, "p:0.0", "Wait for the rollout");
    run_selected(&t, "p:0.0");
    let s = t.wait_until(10, "running", |s| pgid_of(s).is_some());
    let pgid = pgid_of(&s).expect("the command printed its process group");
    // The screen follows a resize while the command runs.
    t.run(&["resize-window", "-t", "p", "-x", "90", "-y", "28"]);
    t.wait_until(5, "the pane at the new size", |s| {
        s.lines().next().is_some_and(|l| l.chars().count() <= 90) && s.contains("Ctrl-C interrupts")
    });
    t.keys("p:0.0", &["C-c"]);
    let s = t.wait_until(10, "interrupted", |s| s.contains("interrupted after"));
    assert!(alive(&pid), "runsheet is still running: {s}");
    // The whole process group is gone (the background `sleep 100 &` too).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ps = std::process::Command::new("ps")
            .args(["-o", "pid=", "-g", &pgid])
            .output()
            .expect("ps");
        if String::from_utf8_lossy(&ps.stdout).trim().is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "group {pgid} still has processes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.keys("p:0.0", &["Escape"]);
    t.wait_until(5, "the offer closed", |s| !s.contains("command failed"));
    // Still usable: a tick goes through.
    select(&t, "p:0.0", "Tick by hand");
    t.type_text("p:0.0", " ");
    t.wait_until(5, "ticked", |s| s.contains("done 1"));
    let v = status_json(d, &id);
    assert_eq!(v["commands"][0]["end"], "interrupted", "{v}");
    t.type_text("p:0.0", "q");
}

#[test]
fn kill_9_while_a_command_runs_then_resume_says_it_was_running() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let Some(t) = Tmux::start_sized("exec-kill", &start("Alice", d), 120, 36) else {
        return;
    };
    t.wait("Wait for the rollout");
    let id = run_id(&dir.path().join("data"));
    select(&t, "p:0.0", "Wait for the rollout");
    run_selected(&t, "p:0.0");
    let s = t.wait_until(10, "running", |s| pgid_of(s).is_some());
    let pgid = pgid_of(&s).expect("pgid");
    let pid = t.pane_pid();
    kill_9(&pid, false);
    t.wait_until(5, "runsheet gone", |_| !alive(&pid));
    t.run(&[
        "respawn-pane",
        "-k",
        "-t",
        "p:0.0",
        &cmd("Alice", d, &format!("resume {id}")),
    ]);
    let s = t.wait_until(10, "resume says so", |s| {
        s.contains("was running when runsheet stopped")
    });
    assert!(
        s.contains("stopped with its runsheet: Wait for the rollout"),
        "{s}"
    );
    let v = status_json(d, &id);
    assert_eq!(v["commands"][0]["state"], "stopped", "{v}");
    t.type_text("p:0.0", "q");
    // The command outlived its runsheet (its own session): end it.
    kill_9(&pgid, true);
}

#[test]
fn a_hang_up_while_a_command_runs_records_how_it_ended_and_exits_within_2_s() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let Some(t) = Tmux::start_sized("exec-hup", &start("Alice", d), 120, 36) else {
        return;
    };
    t.wait("Wait for the rollout");
    let id = run_id(&dir.path().join("data"));
    select(&t, "p:0.0", "Wait for the rollout");
    run_selected(&t, "p:0.0");
    t.wait_until(10, "running", |s| pgid_of(s).is_some());
    let pid = t.pane_pid();
    let took = t.hang_up_and_expect_exit(&pid);
    assert!(took <= Duration::from_secs(2), "{took:?}");
    let v = status_json(d, &id);
    assert_eq!(v["commands"][0]["end"], "interrupted", "{v}");
    let verify = cli(
        &["verify", &id, "--data-dir", &format!("{d}/data")],
        &[("RUNSHEET_OPERATOR", "Alice")],
    );
    assert!(verify.contains("intact"), "{verify}");
}

#[test]
fn a_destructive_block_refuses_a_wrong_code_and_runs_with_the_right_one() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let Some(t) = Tmux::start_sized("exec-code", &start("Alice", d), 120, 36) else {
        return;
    };
    t.wait("Drop the old tables");
    let id = run_id(&dir.path().join("data"));
    select(&t, "p:0.0", "Drop the old tables");
    t.type_text("p:0.0", "r");
    let s = t.wait_until(10, "the code asked", |s| s.contains("Type the item's code"));
    let code: String = s
        .lines()
        .find_map(|l| l.split("Type the item's code ").nth(1))
        .map(|r| r.chars().take_while(char::is_ascii_alphanumeric).collect())
        .expect("the code on screen");
    t.type_text("p:0.0", "0000000");
    t.keys("p:0.0", &["Enter"]);
    t.wait_until(5, "refused", |s| s.contains("nothing was run"));
    assert!(!dir.path().join("dropped.marker").exists(), "it ran");
    assert!(
        status_json(d, &id)["commands"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "nothing recorded"
    );
    t.type_text("p:0.0", &code);
    t.keys("p:0.0", &["Enter"]);
    t.wait_until(10, "it ran", |s| s.contains("command succeeded"));
    assert!(dir.path().join("dropped.marker").exists());
    let v = status_json(d, &id);
    assert_eq!(v["commands"][0]["confirmed"], "screen typed-code", "{v}");
    t.type_text("p:0.0", "q");
}

#[test]
fn another_operator_sees_the_command_running() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let Some(t) = Tmux::start_sized("exec-seen", &start("Alice", d), 120, 40) else {
        return;
    };
    t.wait("Wait for the rollout");
    let id = run_id(&dir.path().join("data"));
    t.run(&[
        "split-window",
        "-v",
        "-d",
        "-t",
        "p",
        &cmd("Bob", d, &format!("join {id}")),
    ]);
    t.wait_pane("p:0.1", 10, "Bob's screen", |s| s.contains("operator Bob"));
    select(&t, "p:0.0", "Wait for the rollout");
    run_selected(&t, "p:0.0");
    t.wait_pane("p:0.1", 5, "running on Bob's screen", |s| {
        s.contains("running: Wait for the rollout (Alice")
    });
    t.keys("p:0.0", &["C-c"]);
    t.wait_pane("p:0.1", 5, "no longer running on Bob's screen", |s| {
        !s.contains("running: Wait for the rollout")
    });
    t.type_text("p:0.1", "q");
    t.keys("p:0.0", &["Escape"]);
    t.type_text("p:0.0", "q");
}

#[test]
fn escape_sequences_a_command_prints_change_nothing_in_the_terminal() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let data = format!("{d}/data");
    let config = format!("{d}/config");
    let fixture = format!("{}/{FIXTURE}", env!("CARGO_MANIFEST_DIR"));
    let mut t = Term::spawn(
        &[
            "run",
            &fixture,
            "--var",
            "VERSION=2.4.1",
            "--window",
            "2026-12-10 22:00 UTC",
            "--data-dir",
            &data,
        ],
        &[("RUNSHEET_OPERATOR", "Alice"), ("XDG_CONFIG_HOME", &config)],
        36,
        120,
    );
    t.wait(10, "the screen", |s| s.contains("Print terminal controls"));
    let selected = |s: &str| {
        s.lines().any(|l| {
            l.split('│')
                .nth(1)
                .is_some_and(|r| r.trim() == "Print terminal controls")
        })
    };
    t.send("g");
    for _ in 0..12 {
        if selected(&t.screen()) {
            break;
        }
        t.send("j");
        std::thread::sleep(Duration::from_millis(80));
    }
    t.wait(5, "selected", selected);
    t.send("r");
    t.wait(10, "the confirmation", |s| s.contains("run this command?"));
    t.send("y");
    let s = t.wait(10, "it ran", |s| s.contains("command succeeded"));
    assert!(s.contains("before") && s.contains("after"), "{s}");
    assert!(
        s.contains("Closed-loop window 2.4.1"),
        "the header survived a clear-screen: {s}"
    );
    let seen = t.parser.lock().expect("parser");
    let titles: Vec<String> = seen
        .callbacks()
        .titles
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        !titles.iter().any(|t| t.contains("pwned")),
        "the command set the title: {titles:?}"
    );
    assert!(
        seen.callbacks().clipboard.is_empty(),
        "the command wrote the clipboard"
    );
}
