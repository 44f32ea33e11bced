//! End-to-end: the real binary in a pseudo-terminal, read through a vt100 screen and the run dir.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "pty/term.rs"]
mod term;
#[path = "pty/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};
use term::{Term, cli, only_run_dir};
use tmux::Tmux;

const FIXTURE: &str = "tests/fixtures/tui/window.md";

/// Sends a signal with the shell's `kill` builtin (no /bin/kill needed).
fn signal(pid: &str, sig: &str) -> std::process::ExitStatus {
    std::process::Command::new("sh")
        .args(["-c", &format!("kill -{sig} {pid}")])
        .status()
        .expect("sh")
}

fn data() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn open(d: &str, extra: &[&str]) -> Term {
    // A window given: no window question on top of the list.
    let mut args = vec![
        "run",
        FIXTURE,
        "--var",
        "VERSION=2.4.1",
        "--window",
        "09:00",
        "--data-dir",
        d,
    ];
    args.extend_from_slice(extra);
    Term::spawn(&args, &[("RUNSHEET_OPERATOR", "Alice")], 30, 110)
}

/// The screens of this file run one at a time: a dozen debug builds drawing at once on a 2-core
/// machine made their 2-second deadlines measure the scheduler, not runsheet.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn tick_sign_note_quit_resume_same_state() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let mut t = open(d, &[]);
    t.wait_for("Change ticket is approved");
    for n in 1..=3 {
        t.send(" ");
        t.wait_for(&format!("{n}/11"));
    }
    t.send("G");
    t.send("s");
    t.wait_for("sign off");
    t.send("\r");
    t.wait_for("signed by you");
    t.send("g]n");
    t.wait_for(" note ");
    t.send("canary looked fine");
    t.send("\x13"); // Ctrl-S
    t.wait_for("noted by you");
    t.send("q");
    t.wait_exit(5);
    // After the screen is gone: everything is saved, and how to come back.
    let run = only_run_dir(dir.path());
    let id = run.file_name().expect("id").to_string_lossy().into_owned();
    let after = t.screen();
    assert!(
        after.contains(&format!("saved · resume with: runsheet resume {id}")),
        "{after}"
    );

    let status = cli(&["status", "latest", "--json", "--data-dir", d], &[]);
    let v: serde_json::Value = serde_json::from_str(&status).expect("json");
    let text = v.to_string();
    assert!(text.contains("canary looked fine"), "{text}");
    assert!(text.contains("\"signed\""), "{text}");
    assert!(text.matches("\"done\"").count() >= 3, "{text}");

    let mut t = Term::spawn(
        &["resume", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Alice")],
        30,
        110,
    );
    // The header is drawn before the rows: wait for the last row, then read the whole screen.
    t.wait_for("4/11");
    let s = t.wait_for("[✎] Tech Lead");
    assert!(s.contains("4/11"), "{s}");
    assert!(s.contains("[✓] Change ticket is approved"), "{s}");
    t.send("q");
    t.wait_exit(5);
}

#[test]
fn sighup_while_typing_saves_draft_and_exits_fast() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let mut t = open(d, &[]);
    t.wait_for("Change ticket is approved");
    t.send("n");
    t.wait_for(" note ");
    t.send("half-typed draft");
    t.wait_for("half-typed draft");
    let pid = t.pid().to_string();
    let ok = signal(&pid, "HUP");
    assert!(ok.success());
    let took = t.wait_exit(3);
    assert!(took < Duration::from_secs(2), "exit took {took:?}");
    let run = only_run_dir(dir.path());
    let drafts: Vec<_> = std::fs::read_dir(&run)
        .expect("run dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("draft-"))
        .collect();
    assert_eq!(drafts.len(), 1);
    let body = std::fs::read_to_string(drafts[0].path()).expect("draft");
    assert!(body.contains("half-typed draft"), "{body}");
    // Offered back on resume.
    let mut t = Term::spawn(
        &["resume", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Alice")],
        30,
        110,
    );
    let s = t.wait_for("restored your unsaved note");
    assert!(s.contains("half-typed draft"), "{s}");
    t.send("\x13");
    t.wait_for("noted by you");
    t.send("q");
    t.wait_exit(5);
}

#[test]
fn escape_sequences_in_a_template_stay_inert() {
    let _one = one_at_a_time();
    let dir = data();
    let tpl = dir.path().join("evil.md");
    let evil = "# Evil \u{1b}]0;PWNED-TITLE\u{7} checklist\n\n## Steps\n\n\
        - [ ] Copy \u{1b}]52;c;cm0gLXJmIC8K\u{7} this\n\
        - [ ] Clear \u{1b}[2J\u{1b}[H screen\n\
        - [ ] Bidi \u{202e}evil\u{202c} text\n\
        - [ ] Last item\n";
    std::fs::write(&tpl, evil).expect("write");
    let d = dir.path().join("data");
    let d = d.to_str().expect("utf8");
    let mut t = Term::spawn(
        &[
            "run",
            tpl.to_str().expect("utf8"),
            "--window",
            "09:00",
            "--data-dir",
            d,
        ],
        &[("RUNSHEET_OPERATOR", "Alice")],
        24,
        100,
    );
    let s = t.wait_for("Last item");
    t.send("j");
    std::thread::sleep(Duration::from_millis(300));
    let p = t.parser.lock().expect("lock");
    let seen = p.callbacks();
    assert!(seen.titles.is_empty(), "title changed: {:?}", seen.titles);
    assert!(
        seen.clipboard.is_empty(),
        "clipboard written: {:?}",
        seen.clipboard
    );
    let screen = p.screen();
    let rows: Vec<String> = screen.rows(0, 100).collect();
    assert!(rows[0].starts_with("Evil"), "header moved: {rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.contains("Copy") && r.contains("this")),
        "{s}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("Clear") && r.contains("screen")),
        "{s}"
    );
    assert!(!s.contains('\u{202e}'), "bidi override reached the screen");
    drop(p);
    t.send("q");
    t.wait_exit(5);
}

#[test]
fn another_process_tick_appears_within_two_seconds() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let mut t = open(d, &[]);
    t.wait_for("Change ticket is approved");
    wait_run_on_disk(dir.path());
    let t0 = std::time::Instant::now();
    cli(
        &["tick", "latest", "Smoke tests", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Bob")],
    );
    // The row itself: ticked, with Bob's name. (The footer may show this screen's own start-up
    // change instead when it lands after Bob's tick, as it can on a busy machine.)
    t.wait(3, "Bob's tick on its row", |s| {
        s.lines()
            .any(|l| l.contains("[✓] Smoke tests pass") && l.contains("Bob"))
    });
    assert!(
        t0.elapsed() < Duration::from_millis(2500),
        "{:?}",
        t0.elapsed()
    );
    t.send("q");
    t.wait_exit(5);
}

/// Waits until the run a new screen started exists on disk.
fn wait_run_on_disk(data: &std::path::Path) {
    only_run_dir(data);
}

fn proc_state(pid: u32) -> char {
    tmux::proc_state(&pid.to_string()).unwrap_or('?')
}

#[test]
fn ctrl_z_suspends_and_sigcont_redraws() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let mut t = open(d, &[]);
    t.wait_for("Change ticket is approved");
    t.send("\x1a"); // Ctrl-Z
    let pid = t.pid();
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while proc_state(pid) != 'T' {
        assert!(
            std::time::Instant::now() < deadline,
            "not stopped: {}",
            proc_state(pid)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    t.wait(3, "main screen left", |s| {
        !s.contains("Change ticket is approved")
    });
    let ok = signal(&pid.to_string(), "CONT");
    assert!(ok.success());
    t.wait_for("Change ticket is approved");
    t.send(" ");
    t.wait_for("1/11");
    t.send("q");
    t.wait_exit(5);
}

#[test]
fn tmux_kill_session_saves_draft_and_exits_fast() {
    let _one = one_at_a_time();
    // A real hang-up: tmux closes the pane's terminal and signals its process group.
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let cmd = format!(
        "RUNSHEET_OPERATOR=Alice LANG=C.UTF-8 {} run {FIXTURE} --var VERSION=2.4.1 --window 09:00 --data-dir {d}",
        term::bin()
    );
    let Some(tmux) = Tmux::start("kill", &cmd) else {
        return;
    };
    tmux.wait("Change ticket is approved");
    let pid = tmux.pane_pid();
    tmux.run(&[
        "send-keys",
        "-t",
        "p",
        "-l",
        "nlost connection mid-sentence",
    ]);
    tmux.wait("mid-sentence");
    tmux.hang_up_and_expect_exit(&pid);
    let run = only_run_dir(dir.path());
    let found = std::fs::read_dir(&run)
        .expect("run dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("draft-"))
        .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|b| b.contains("mid-sentence")));
    assert!(found, "draft not saved");
}

#[test]
fn ctrl_e_opens_editor_and_keeps_its_text() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let editor = dir.path().join("fake-editor.sh");
    std::fs::write(&editor, "#!/bin/sh\necho 'from the editor' >> \"$1\"\n").expect("write");
    let mut perm = std::fs::metadata(&editor).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&editor, perm).expect("chmod");
    let ed = editor.to_str().expect("utf8");
    let mut t = Term::spawn(
        &[
            "run",
            FIXTURE,
            "--var",
            "VERSION=2.4.1",
            "--window",
            "09:00",
            "--data-dir",
            d,
        ],
        &[("RUNSHEET_OPERATOR", "Alice"), ("VISUAL", ed)],
        30,
        110,
    );
    t.wait_for("Change ticket is approved");
    t.send("ntyped first");
    t.wait_for("typed first");
    t.send("\x05"); // Ctrl-E
    t.wait_for("from the editor");
    t.send("\x13");
    t.wait_for("noted by you");
    t.send("q");
    t.wait_exit(5);
    let status = cli(&["status", "latest", "--json", "--data-dir", d], &[]);
    assert!(status.contains("typed first\\nfrom the editor"), "{status}");
}

#[test]
fn bare_path_then_run_again_offers_to_resume() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let env = [("RUNSHEET_OPERATOR", "Alice")];
    let mut t = Term::spawn(
        &[
            FIXTURE,
            "--var",
            "VERSION=2.4.1",
            "--window",
            "09:00",
            "--data-dir",
            d,
        ],
        &env,
        30,
        110,
    );
    t.wait_for("Change ticket is approved");
    t.send(" ");
    t.wait_for("1/11");
    t.send("q");
    t.wait_exit(5);
    let mut t = Term::spawn(&["run", FIXTURE, "--data-dir", d], &env, 30, 110);
    let s = t.wait_for("start a new run");
    assert!(s.contains("1/11 closed"), "{s}");
    assert!(s.contains("by Alice"), "{s}");
    t.send("\r");
    let s = t.wait_for("1/11  done 1");
    assert!(s.contains("[✓] Change ticket is approved"), "{s}");
    t.send("q");
    t.wait_exit(5);
}

#[test]
fn resize_redraws_in_the_new_layout() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let mut t = open(d, &[]);
    let wide = t.wait_for("Change ticket is approved");
    assert!(
        wide.lines()
            .any(|l| l.contains("Preparation") && l.contains("│")),
        "{wide}"
    );
    t.resize(24, 80);
    t.wait(5, "stacked layout", |s| {
        s.lines().any(|l| l.starts_with(" detail "))
    });
    t.resize(8, 30);
    t.wait_for("terminal too small");
    t.resize(30, 120);
    t.wait_for("Change ticket is approved");
    t.send("q");
    t.wait_exit(5);
}

#[test]
fn two_screens_on_one_run_see_each_other() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let mut a = open(d, &[]);
    a.wait_for("Change ticket is approved");
    // The first frame comes before the new run's dir is on disk (milliseconds later).
    wait_run_on_disk(dir.path());
    let mut b = Term::spawn(
        &["join", "latest", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Bob")],
        30,
        110,
    );
    b.wait_for("operator Bob");
    b.send(" ");
    b.wait_for("ticked by you");
    let s = a.wait(3, "Bob's tick on A", |s| s.contains("Bob ticked"));
    assert!(s.contains("[✓] Change ticket is approved"), "{s}");
    a.send(" "); // Bob's item is under A's cursor: a first press only warns.
    a.wait(3, "reopen warning", |s| s.contains("press again to reopen"));
    a.send("j ");
    a.wait(3, "A's own tick", |s| s.contains("ticked by you"));
    b.wait(3, "Alice's tick on B", |s| s.contains("Alice ticked"));
    for t in [&mut a, &mut b] {
        t.send("q");
        t.wait_exit(5);
    }
}

/// README's first command (`cargo run --release -- templates/deployment-window.md`) on a fresh data
/// dir: the variables form comes first, values are set, the window question follows (Esc keeps
/// the guess), the checklist is walkable, `q` quits, and the run dir holds what was typed.
#[test]
fn readme_first_command_opens_the_shipped_template() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let env = [("RUNSHEET_OPERATOR", "Newcomer"), ("RUNSHEET_DATA_DIR", d)];
    let mut t = Term::spawn(&["templates/deployment-window.md"], &env, 30, 120);
    t.wait_for("SERVICE");
    for value in ["payments", "2.4.1", "CHG-1"] {
        t.send(value);
        t.send("\r");
    }
    // The template gives no clock time: the window question follows, prefilled with the guess;
    // Esc keeps the guess.
    t.wait_for("When does the window start?");
    t.send("\x1b");
    t.wait(5, "the window question closed", |s| {
        !s.contains("When does the window start?") && s.contains("stays a guess")
    });
    // Each value is shown once it is written (the writes are asynchronous).
    t.wait(5, "the form closed and values substituted", |s| {
        !s.contains("without a value")
            && s.contains("Production deployment window — payments 2.4.1")
            && s.contains("Change ticket CHG-1 is approved")
    });
    t.send(" ");
    t.wait_for("1/28");
    t.send("q");
    t.wait_exit(5);
    let status = cli(&["status", "latest", "--json", "--data-dir", d], &env);
    let v: serde_json::Value = serde_json::from_str(&status).expect("status json");
    assert_eq!(v["progress"]["done"], 1, "{status}");
    assert!(
        v["run"]["title"]
            .as_str()
            .unwrap_or("")
            .contains("payments"),
        "{status}"
    );
}

/// The resume-or-new chooser shown before a run opens: a hang-up there (with SIGHUP ignored, as
/// under `nohup`) must end the process at once, not spin in crossterm's input poll (crossterm
/// issue 793). A real hang-up: tmux's kill-server closes the pane's terminal.
#[test]
fn hang_up_in_the_chooser_exits_without_spinning() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    cli(
        &["start", FIXTURE, "--var", "VERSION=1", "--data-dir", d],
        &[],
    );
    let cmd = format!(
        "trap '' HUP; LANG=C.UTF-8 exec {} run {FIXTURE} --window 09:00 --data-dir {d}",
        term::bin()
    );
    let Some(tmux) = Tmux::start("chooser", &cmd) else {
        return;
    };
    tmux.wait("start a new run");
    let pid = tmux.pane_pid();
    tmux.hang_up_and_expect_exit(&pid);
}

/// Another process holds the journal's lock (stopped while holding it): a tick waits as NOT
/// SAVED, but keys, the clock and a hang-up are handled at once; once the lock is free the tick is
/// written. Before appends moved off the screen's thread, every key and the clock froze for the
/// lock's 10 s wait.
#[test]
fn a_held_journal_lock_never_freezes_keys_or_the_clock() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().to_str().expect("utf8");
    let mut t = open(d, &[]);
    t.wait_for("Change ticket is approved");
    wait_run_on_disk(dir.path());
    let run = only_run_dir(dir.path());
    let lock = std::fs::File::options()
        .append(true)
        .open(run.join("lock"))
        .expect("lock file");
    lock.lock().expect("lock");
    t.send(" ");
    let t0 = Instant::now();
    t.send("?");
    t.wait(2, "the help, at once", |s| s.contains("keys (Esc closes)"));
    assert!(t0.elapsed() < Duration::from_secs(2));
    t.send("\x1b");
    let clock = |s: &str| s.lines().nth(1).and_then(|l| l.get(..8)).map(str::to_owned);
    let before = clock(&t.screen());
    t.wait(3, "the clock ticking", |s| clock(s) != before);
    t.wait(6, "the NOT SAVED banner", |s| s.contains("NOT SAVED"));
    t.send("j");
    lock.unlock().expect("unlock");
    t.wait(15, "the tick written", |s| s.contains("1/11"));
    let status = cli(&["status", "latest", "--json", "--data-dir", d], &[]);
    let v: serde_json::Value = serde_json::from_str(&status).expect("json");
    assert_eq!(v["progress"]["done"], 1, "{status}");
    // Held again: a hang-up still ends the process at once.
    lock.lock().expect("lock again");
    t.send("k ");
    std::thread::sleep(Duration::from_millis(200));
    let pid = t.pid().to_string();
    assert!(signal(&pid, "HUP").success());
    let took = t.wait_exit(5);
    assert!(took < Duration::from_secs(2), "exit took {took:?}");
}

/// A template changed since the run started: the screen says so (the check runs beside the first
/// frame, not before it).
#[test]
fn a_changed_template_is_reported_on_resume() {
    let _one = one_at_a_time();
    let dir = data();
    let d = dir.path().join("data");
    let d = d.to_str().expect("utf8");
    let tpl = dir.path().join("t.md");
    std::fs::write(&tpl, "# T\n\n- [ ] one\n- [ ] two\n").expect("write");
    let t_path = tpl.to_str().expect("utf8");
    cli(&["start", t_path, "--data-dir", d], &[]);
    std::fs::write(&tpl, "# T\n\n- [ ] one\n- [ ] two\n- [ ] three\n").expect("write");
    let mut t = Term::spawn(
        &["resume", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Alice")],
        30,
        110,
    );
    t.wait_for("the template file changed since this run started");
    t.send("q");
    t.wait_exit(5);
}
