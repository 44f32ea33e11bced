//! The screen under the weather of a real deployment window, in a real terminal (tmux): resize
//! storms while typing, long pastes on a busy machine, suspend and `fg`, two operators, and a
//! hang-up in the middle of a sentence. Nothing may end the process, lose a key or lose a draft.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "pty/term.rs"]
mod term;
#[path = "pty/tmux.rs"]
mod tmux;

use std::time::Duration;
use term::{Term, cli, only_run_dir};
use tmux::Tmux;

const FIXTURE: &str = "tests/fixtures/tui/window.md";
const P: &str = "p:0.0";

fn screen_cmd(d: &str, who: &str, args: &str) -> String {
    format!(
        "RUNSHEET_OPERATOR={who} LANG=C.UTF-8 {} {args} --data-dir {d}",
        term::bin()
    )
}

/// A window change a terminal user makes.
#[derive(Debug, Clone, Copy)]
enum Change {
    Window(u16, u16),
    SplitRight,
    SplitBelow,
    Unsplit,
}

impl Change {
    fn apply(self, t: &Tmux) {
        match self {
            Change::Window(w, h) => {
                t.run(&[
                    "resize-window",
                    "-t",
                    "p",
                    "-x",
                    &w.to_string(),
                    "-y",
                    &h.to_string(),
                ]);
            }
            Change::SplitRight => {
                t.run(&["split-window", "-h", "-d", "-t", P, "sleep 600"]);
            }
            Change::SplitBelow => {
                t.run(&["split-window", "-v", "-d", "-t", P, "sleep 600"]);
            }
            Change::Unsplit => {
                t.run(&["kill-pane", "-t", "p:0.1"]);
            }
        }
    }
}

/// Grow, shrink, split, unsplit, too small, back: one cycle of the storm.
const CYCLE: [Change; 12] = [
    Change::Window(80, 30),
    Change::Window(160, 50),
    Change::SplitRight,
    Change::Unsplit,
    Change::Window(100, 24),
    Change::SplitBelow,
    Change::Unsplit,
    Change::Window(30, 8),
    Change::Window(200, 60),
    Change::SplitRight,
    Change::Unsplit,
    Change::Window(120, 40),
];

/// Whether the screen was drawn for a `w`×`h` pane with the note editor open: the header on the
/// first row, the note keys on the last, the popup's right edge where a `w`-wide layout puts it.
fn drawn_for(s: &str, w: u16, h: u16) -> bool {
    let lines: Vec<&str> = s.lines().collect();
    if w < 40 || h < 10 {
        return s.contains(&format!("terminal too small: {w}×{h}"));
    }
    let footer_ok = lines
        .get(usize::from(h) - 1)
        .is_some_and(|l| l.contains("save note"));
    let header_ok = lines.first().is_some_and(|l| l.starts_with("Payments"));
    let pw = usize::from(w.saturating_sub(4).min(90));
    let x0 = (usize::from(w) - pw) / 2;
    let popup_ok = lines.iter().any(|l| {
        l.contains("┌ note ")
            && l.chars().position(|c| c == '┐') == Some(x0 + pw - 1)
            && l.chars().position(|c| c == '┌') == Some(x0)
    });
    footer_ok && header_ok && popup_ok
}

fn note_texts(d: &str) -> Vec<String> {
    let status = cli(&["status", "latest", "--json", "--data-dir", d], &[]);
    let v: serde_json::Value = serde_json::from_str(&status).expect("status json");
    let mut out = Vec::new();
    for item in v["items"].as_array().into_iter().flatten() {
        for n in item["notes"].as_array().into_iter().flatten() {
            out.push(n["text"].as_str().unwrap_or_default().to_owned());
        }
    }
    out
}

/// 50 window changes (grow, shrink, split, unsplit, too small) with typing between every one: the
/// process stays up, every key lands in the note in order, and every screen fits the new size.
/// Before the input thread read the terminal itself, the first key after a resize ended the
/// process with status 129.
#[test]
fn fifty_resizes_with_typing_between_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let cmd = screen_cmd(
        d,
        "Alice",
        &format!("run {FIXTURE} --var VERSION=2.4.1 --window 09:00"),
    );
    let Some(t) = Tmux::start_sized("storm", &cmd, 120, 40) else {
        return;
    };
    t.wait("Change ticket is approved");
    t.type_text(P, "n");
    t.wait("┌ note ");
    let mut typed = Vec::new();
    for i in 0..50 {
        let change = CYCLE[i % CYCLE.len()];
        change.apply(&t);
        let word = format!("w{i:02}");
        t.type_text(P, &format!("{word} "));
        typed.push(word.clone());
        let (w, h) = t.pane_size(P);
        t.wait_pane(P, 10, &format!("{word} after {change:?} at {w}x{h}"), |s| {
            drawn_for(s, w, h) && (w < 40 || h < 10 || s.contains(&word))
        });
    }
    t.keys(P, &["C-s"]);
    t.wait("noted by you");
    assert_eq!(note_texts(d), vec![typed.join(" ")]);
    let pid = t.pane_pid();
    t.hang_up_and_expect_exit(&pid);
}

/// Children that keep both cores busy while they live.
struct Burners(Vec<std::process::Child>);

impl Burners {
    fn start(n: usize) -> Burners {
        Burners(
            (0..n)
                .filter_map(|_| {
                    std::process::Command::new("yes")
                        .stdout(std::process::Stdio::null())
                        .spawn()
                        .ok()
                })
                .collect(),
        )
    }
}

impl Drop for Burners {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn paste_text(seed: usize, len: usize) -> String {
    let mut s = String::new();
    let mut line = 0;
    while s.len() < len {
        let l = format!(
            "{seed}:{line:03} kubectl -n prod rollout status deploy/svc-{line} --timeout=90s # ok"
        );
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&l);
        line += 1;
    }
    s.truncate(len);
    s.trim_end().to_owned()
}

/// Three 5,000-byte pastes into the note editor while `yes` children keep the cores busy: every
/// byte arrives, in order, as one note each; a hang-up afterwards still ends the process in 2 s.
#[test]
fn five_thousand_byte_pastes_on_a_busy_machine_arrive_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let cmd = screen_cmd(
        d,
        "Alice",
        &format!("run {FIXTURE} --var VERSION=2.4.1 --window 09:00"),
    );
    let Some(t) = Tmux::start_sized("paste", &cmd, 120, 40) else {
        return;
    };
    t.wait("Change ticket is approved");
    let burners = Burners::start(3);
    let mut pasted = Vec::new();
    for k in 0..3 {
        t.type_text(P, "n");
        t.wait("┌ note ");
        let text = paste_text(k, 5000);
        t.paste(P, &text);
        let tail = text.lines().last().unwrap_or_default().to_owned();
        t.wait_until(20, "the end of the paste", |s| s.contains(&tail[..20]));
        t.keys(P, &["C-s"]);
        t.wait_until(20, "the note saved", |s| !s.contains("┌ note "));
        pasted.push(text);
        t.type_text(P, "j");
    }
    drop(burners);
    let notes = note_texts(d);
    assert_eq!(notes.len(), 3, "{notes:?}");
    for (got, want) in notes.iter().zip(&pasted) {
        assert_eq!(got.len(), want.len());
        assert_eq!(got, want);
    }
    let pid = t.pane_pid();
    let took = t.hang_up_and_expect_exit(&pid);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

/// The long-window script, compressed: two operators in split panes, a resize storm while both
/// work, Ctrl-Z and `fg` from a job-control shell while the other operator goes on, and a hang-up
/// with a note half typed. No exit until the hang-up, every tick in the journal, the draft back on
/// resume.
#[test]
fn a_long_window_two_operators_suspend_and_hang_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    cli(
        &["start", FIXTURE, "--var", "VERSION=2.4.1", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Alice")],
    );
    // Alice's pane is an interactive shell (job control for Ctrl-Z / fg).
    let Some(t) = Tmux::start_sized("window", "bash --norc --noprofile -i", 200, 50) else {
        return;
    };
    t.type_text(P, &screen_cmd(d, "Alice", "resume latest"));
    t.keys(P, &["Enter"]);
    t.wait("Change ticket is approved");
    t.run(&[
        "split-window",
        "-h",
        "-d",
        "-t",
        P,
        &screen_cmd(d, "Bob", "join latest"),
    ]);
    let b = "p:0.1";
    t.wait_pane(b, 10, "Bob's screen", |s| s.contains("operator Bob"));
    let mut ticks = 0;
    // Resize storm while both close items in turn.
    let sizes = [(200, 50), (160, 40), (230, 60), (180, 45), (200, 50)];
    for (i, (w, h)) in sizes.iter().cycle().take(8).enumerate() {
        Change::Window(*w, *h).apply(&t);
        ticks += 1;
        close_first_open(&t, if i % 2 == 0 { P } else { b }, ticks);
        let want = format!("{ticks}/11");
        t.wait_pane(P, 10, &want, |s| s.contains(&want));
        t.wait_pane(b, 10, &want, |s| s.contains(&want));
    }
    // Alice suspends; Bob goes on; Alice comes back and sees Bob's change.
    t.keys(P, &["C-z"]);
    t.wait_until(10, "the shell", |s| s.contains("Stopped"));
    ticks += 1;
    close_first_open(&t, b, ticks);
    let want = format!("{ticks}/11");
    t.type_text(P, "fg");
    t.keys(P, &["Enter"]);
    t.wait_until(10, "Alice back with Bob's change", |s| s.contains(&want));
    // Alice types half a note; the terminal hangs up.
    t.type_text(P, "n");
    t.wait("┌ note ");
    t.type_text(P, "half a sentence about the canary");
    t.wait("half a sentence about the canary");
    let (a_pid, b_pid) = (t.pid_of(P), t.pid_of(b));
    let alice = tmux::child_of(&a_pid).unwrap_or(a_pid);
    t.hang_up_and_expect_exit(&alice);
    t.hang_up_and_expect_exit(&b_pid);
    // Every tick is in the journal.
    let status = cli(&["status", "latest", "--json", "--data-dir", d], &[]);
    let v: serde_json::Value = serde_json::from_str(&status).expect("json");
    assert_eq!(v["progress"]["done"], ticks, "{status}");
    // The draft is offered back to Alice (and only to her).
    let run = only_run_dir(dir.path());
    let drafts: Vec<String> = std::fs::read_dir(&run)
        .expect("run dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("draft-"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert!(drafts[0].contains("half a sentence"), "{drafts:?}");
    let mut bob = Term::spawn(
        &["resume", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Bob")],
        30,
        110,
    );
    let s = bob.wait_for("operator Bob");
    assert!(!s.contains("restored your unsaved note"), "{s}");
    bob.send("q");
    bob.wait_exit(5);
    let mut alice = Term::spawn(
        &["resume", "--data-dir", d],
        &[("RUNSHEET_OPERATOR", "Alice")],
        30,
        110,
    );
    let s = alice.wait_for("restored your unsaved note");
    assert!(s.contains("half a sentence about the canary"), "{s}");
    alice.send("\x13");
    alice.wait_for("noted by you");
    alice.send("q");
    alice.wait_exit(5);
    assert!(
        note_texts(d).contains(&"half a sentence about the canary".to_owned()),
        "{:?}",
        note_texts(d)
    );
}

/// Closes the first open item from `pane` (top, next open, tick; a sign-off or gate dialog is
/// confirmed) and waits until that screen counts `n` closed items.
fn close_first_open(t: &Tmux, pane: &str, n: usize) {
    t.type_text(pane, "g] ");
    let want = format!("{n}/11");
    let s = t.wait_pane(pane, 10, &want, |s| {
        s.contains(&want) || s.contains("┌ sign off ") || s.contains("┌ gate decision ")
    });
    if !s.contains(&want) {
        if s.contains("┌ gate decision ") {
            // The gate dialog starts with nothing chosen: GO first.
            t.type_text(pane, "g");
        }
        t.keys(pane, &["Enter"]);
        t.wait_pane(pane, 10, &want, |s| s.contains(&want));
    }
}
