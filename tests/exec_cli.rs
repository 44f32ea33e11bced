//! `runsheet exec` with a real shell: the record (journal events, output files, digests), the
//! confirmations, time limits and interrupts of the whole process group, sanitised output, secrets,
//! and what `status`/`report` say after runsheet was killed mid-command.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod helpers;
#[path = "pty/term.rs"]
mod term;

use helpers::Env;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FIXTURE: &str = "tests/fixtures/exec/closed-loop.md";

/// A data dir and a run of the fixture started from the temp dir (commands run there).
struct Exec {
    env: Env,
    id: String,
}

impl Exec {
    fn new() -> Exec {
        Exec::with_start_args(&[])
    }

    fn with_start_args(extra: &[&str]) -> Exec {
        let env = Env::new();
        let tpl = env.tmp.path().join("closed-loop.md");
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE), &tpl).unwrap();
        let mut cmd = env.cmd();
        cmd.current_dir(env.tmp.path())
            .args(["start", tpl.to_str().unwrap(), "--var", "VERSION=2.4.1"])
            .args(extra);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        Exec { env, id }
    }

    fn cmd(&self) -> Command {
        let mut c = self.env.cmd();
        c.current_dir(self.env.tmp.path())
            .env("SHELL", "/bin/sh")
            .env_remove("RUNSHEET_SECRET_TOKEN")
            .stdin(Stdio::null());
        c
    }

    /// `runsheet exec RUN ITEM ARGS`: (code, stdout, stderr).
    fn exec(&self, item: &str, args: &[&str]) -> (i32, String, String) {
        let out = self
            .cmd()
            .args(["exec", &self.id, item])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn dir(&self) -> PathBuf {
        self.env.run_dir(&self.id)
    }

    fn journal(&self) -> String {
        std::fs::read_to_string(self.dir().join("journal.jsonl")).unwrap()
    }

    fn status(&self) -> serde_json::Value {
        self.env.status_json(&self.id)
    }

    fn item<'a>(status: &'a serde_json::Value, text: &str) -> &'a serde_json::Value {
        status["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["text"].as_str().unwrap().starts_with(text))
            .unwrap()
    }

    fn output_files(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.dir().join("outputs"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
}

/// Whether any process is in process group `pgid` (from /proc).
fn group_alive(pgid: u32) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        let Some(after) = stat.rfind(')').map(|p| &stat[p + 1..]) else {
            return false;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        // state ppid pgrp …; a zombie is gone for our purpose.
        fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string()
    })
}

fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn signal(pid: u32, sig: &str) {
    let st = Command::new("sh")
        .args(["-c", &format!("kill -{sig} {pid}")])
        .status()
        .unwrap();
    assert!(st.success());
}

/// Starts `runsheet exec` in the background; returns the child and the command's pgid (printed
/// by the "Wait for the rollout" item's first line).
fn exec_in_background(
    x: &Exec,
    args: &[&str],
) -> (std::process::Child, u32, std::sync::mpsc::Receiver<String>) {
    let mut child = x
        .cmd()
        .args(["exec", &x.id, "Wait for the rollout", "--yes"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the command printed its pgid");
    let pgid: u32 = line.trim_start_matches("pgid ").trim().parse().unwrap();
    (child, pgid, rx)
}

#[test]
fn failing_command_is_recorded_with_its_output_and_a_digest_that_verifies() {
    let x = Exec::new();
    let (code, out, err) = x.exec("Smoke test fails", &["--yes", "--fail"]);
    assert_eq!(code, 3, "exec exits with the command's status: {err}");
    assert!(out.contains("checking 2.4.1"), "{out}");
    assert!(
        out.contains("checkout returned 502"),
        "stderr merged into the output: {out}"
    );
    assert!(err.contains("exit 3"), "{err}");

    let s = x.status();
    let item = Exec::item(&s, "Smoke test fails");
    assert_eq!(item["state"], "failed");
    let reason = item["reason"].as_str().unwrap();
    assert!(
        reason.contains("exit 3") && reason.contains("checkout returned 502"),
        "{reason}"
    );
    let c = &s["commands"][0];
    assert_eq!(c["end"], "exited");
    assert_eq!(c["exit_code"], 3);
    assert_eq!(c["output_check"], "ok");
    assert_eq!(
        c["command"],
        "echo \"checking 2.4.1\"\necho \"checkout returned 502\" >&2\nexit 3"
    );

    let journal = x.journal();
    assert!(journal.contains("\"type\":\"command_started\""));
    assert!(journal.contains("\"type\":\"command_finished\""));
    assert!(
        !journal.contains("checkout returned 502\\n"),
        "output stays out of the journal except the failure note"
    );
    let files = x.output_files();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert_eq!(text, "checking 2.4.1\ncheckout returned 502\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let (code, out, _) = x.run(&["verify", &x.id]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 command output"), "{out}");

    std::fs::write(&files[0], "checking 2.4.1\nall fine\n").unwrap();
    let (code, out, _) = x.run(&["verify", &x.id]);
    assert_eq!(code, 1, "a changed output file is tampering: {out}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        out.contains(&format!("TAMPERED: outputs/{name}: modified")),
        "{out}"
    );
    let s = x.status();
    assert_eq!(s["commands"][0]["output_check"], "modified");
}

#[test]
fn nothing_runs_without_a_confirmation() {
    let x = Exec::new();
    let before = x.journal();
    let (code, _, err) = x.exec("Drop the old tables", &[]);
    assert_eq!(code, 1);
    assert!(err.contains("refused") && err.contains("--yes"), "{err}");
    assert_eq!(x.journal(), before, "nothing recorded");
    assert!(
        !x.env.tmp.path().join("dropped.marker").exists(),
        "nothing ran"
    );
    let (code, out, _) = x.exec("Drop the old tables", &["--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("touch dropped.marker") && out.contains("--confirm"),
        "{out}"
    );
    assert_eq!(x.journal(), before, "a dry run records nothing");
    assert!(!x.env.tmp.path().join("dropped.marker").exists());
}

#[test]
fn destructive_block_refuses_without_the_right_code() {
    let x = Exec::new();
    let before = x.journal();
    let marker = x.env.tmp.path().join("dropped.marker");
    let (code, _, err) = x.exec("Drop the old tables", &["--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("marked destructive"), "{err}");
    let (code, _, err) = x.exec("Drop the old tables", &["--yes", "--confirm", "00000000"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("not") && err.contains("nothing was run"),
        "{err}"
    );
    assert_eq!(x.journal(), before);
    let id = Exec::item(&x.status(), "Drop the old tables")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code_part = id.rsplit('-').next().unwrap().to_owned();
    let (code, _, err) = x.exec("Drop the old tables", &["--yes", "--confirm", &code_part]);
    assert_eq!(code, 0, "{err}");
    assert!(
        marker.exists(),
        "ran in the directory the run was started from"
    );
    assert!(x.journal().contains("\"confirmed\":\"--yes --confirm\""));
}

#[test]
fn time_limit_ends_the_command_and_its_whole_group() {
    let x = Exec::new();
    let t0 = Instant::now();
    let (code, out, err) = x.exec("Wait for the rollout", &["--yes", "--timeout", "1s"]);
    assert_eq!(code, 124, "{err}");
    assert!(
        t0.elapsed() < Duration::from_secs(60),
        "did not wait for sleep 100"
    );
    let pgid: u32 = out
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("pgid ")
        .parse()
        .unwrap();
    wait_until(10, "the process group to be gone", || !group_alive(pgid));
    let s = x.status();
    assert_eq!(s["commands"][0]["end"], "timed_out");
    assert_eq!(Exec::item(&s, "Wait for the rollout")["state"], "open");
    assert!(err.contains("timed out"), "{err}");
}

#[test]
fn sigint_to_exec_interrupts_the_command_and_is_recorded() {
    let x = Exec::new();
    let (mut child, pgid, _rx) = exec_in_background(&x, &[]);
    assert!(group_alive(pgid));
    signal(child.id(), "INT");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "runsheet exec did not end after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(25));
    };
    assert_eq!(status.code(), Some(130));
    wait_until(10, "the process group to be gone", || !group_alive(pgid));
    let s = x.status();
    assert_eq!(s["commands"][0]["end"], "interrupted");
    assert_eq!(s["commands"][0]["state"], "finished");
    let (code, out, _) = x.run(&["verify", &x.id]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn kill_9_while_a_command_runs_is_reported_with_the_saved_output() {
    let x = Exec::new();
    let (mut child, pgid, _rx) = exec_in_background(&x, &[]);
    // Another process sees it running (the output file's lock is held), and will not start it twice.
    assert_eq!(x.status()["commands"][0]["state"], "running");
    let (code, _, err) = x.exec("Wait for the rollout", &["--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("already running"), "{err}");
    signal(child.id(), "KILL");
    let _ = child.wait();
    let s = x.status();
    let c = &s["commands"][0];
    assert_eq!(c["state"], "stopped", "{c}");
    assert!(c["end"].is_null());
    assert_eq!(c["output_tail"][0], format!("pgid {pgid}"));
    let (_, text, _) = x.run(&["status", &x.id]);
    assert!(
        text.contains("the command was running when runsheet stopped"),
        "{text}"
    );
    assert!(
        text.contains(&format!("│ pgid {pgid}")),
        "the saved output is shown: {text}"
    );
    let (_, md, _) = x.run(&["report", &x.id]);
    assert!(md.contains("was running when runsheet stopped"), "{md}");
    // The command itself was left running (it has its own session); end it.
    let _ = Command::new("sh")
        .args(["-c", &format!("kill -KILL -{pgid}")])
        .status();
    wait_until(10, "the orphaned group to end", || !group_alive(pgid));
    // A new run of the same item is allowed once the old one is known to have stopped.
    let (code, _, err) = x.exec("Health check passes", &["--yes"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn escape_sequences_are_sanitised_when_stdout_is_not_a_terminal() {
    let x = Exec::new();
    let (code, out, err) = x.exec("Print terminal controls", &["--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert_eq!(out, "before␛]0;pwned-title␇␛]52;c;cHduZWQ=␇␛[2J␛[Hafter\n");
    let stored = std::fs::read_to_string(&x.output_files()[0]).unwrap();
    assert_eq!(stored, out, "the stored text is the printed text");
}

#[test]
fn escape_sequences_change_nothing_on_the_terminal() {
    let x = Exec::new();
    let data = x.env.data();
    let cfg = x.env.tmp.path().join("config");
    let mut t = term::Term::spawn(
        &["exec", &x.id, "Print terminal controls", "--yes"],
        &[
            ("RUNSHEET_DATA_DIR", data.to_str().unwrap()),
            ("XDG_CONFIG_HOME", cfg.to_str().unwrap()),
            ("HOME", x.env.tmp.path().to_str().unwrap()),
            ("SHELL", "/bin/sh"),
        ],
        24,
        120,
    );
    t.wait_for("after");
    t.wait_exit(30);
    let screen = t.wait(10, "runsheet's closing line", |s| {
        s.contains("exit 0 after")
    });
    assert!(
        screen.contains("running the command"),
        "the screen was not cleared:\n{screen}"
    );
    assert!(screen.contains("before␛]0;pwned-title␇"), "{screen}");
    let p = t.parser.lock().unwrap();
    assert!(
        p.callbacks().titles.is_empty(),
        "title changed: {:?}",
        p.callbacks().titles
    );
    assert!(p.callbacks().clipboard.is_empty(), "clipboard written");
}

#[test]
fn secrets_never_reach_the_journal_outputs_or_reports() {
    let x = Exec::new();
    let secret = "s3cr3t-Value-9f8e7d";
    let out = x
        .cmd()
        .env("RUNSHEET_SECRET_TOKEN", secret)
        .args(["exec", &x.id, "Print a token", "--yes", "--fail"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("token is ‹secret TOKEN› here"), "{stdout}");
    assert!(stdout.contains("again:‹secret TOKEN›"), "{stdout}");
    assert!(!stdout.contains(secret));
    let mut reports = String::new();
    for fmt in ["md", "json", "html"] {
        reports.push_str(&x.run(&["report", &x.id, "--format", fmt]).1);
    }
    reports.push_str(&x.run(&["status", &x.id]).1);
    reports.push_str(&x.run(&["status", &x.id, "--json"]).1);
    assert!(reports.contains("‹secret TOKEN›"), "masked, not left out");
    assert!(!reports.contains(secret), "a report shows the secret");
    let mut leaked = Vec::new();
    for e in walk(&x.dir()) {
        if std::fs::read(&e)
            .unwrap()
            .windows(secret.len())
            .any(|w| w == secret.as_bytes())
        {
            leaked.push(e);
        }
    }
    assert!(leaked.is_empty(), "the secret is in {leaked:?}");
    // It cannot be recorded as an ordinary variable either.
    let (code, _, err) = x.run(&["set", &x.id, "TOKEN", secret]);
    assert_eq!(code, 1);
    assert!(err.contains("secret"), "{err}");
    // Without a value (and no terminal to ask), nothing runs.
    let (code, _, err) = x.exec("Print a token", &["--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("TOKEN") && err.contains("--secret"), "{err}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn exit_0_with_auto_tick_is_verified_by_command() {
    let x = Exec::new();
    let (code, _, err) = x.exec("Health check passes", &["--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("expected: health ok"),
        "the Expected comment is shown: {err}"
    );
    x.env.ok(&["tick", &x.id, "Tick by hand"]);
    let s = x.status();
    let auto = Exec::item(&s, "Health check passes");
    assert_eq!(auto["state"], "done", "auto-tick from the block's flag");
    assert_eq!(auto["verified_by_command"], true);
    assert_eq!(Exec::item(&s, "Tick by hand")["verified_by_command"], false);
    let (_, md, _) = x.run(&["report", &x.id]);
    assert!(md.contains("## Commands run"), "{md}");
    assert!(md.contains("| yes |"), "{md}");
    // --no-tick leaves it to the operator, and says how.
    let (code, _, err) = x.exec("Print markup", &["--yes"]);
    assert_eq!(code, 0);
    assert!(err.contains("to tick it: runsheet tick"), "{err}");
}

#[test]
fn running_can_be_turned_off_for_a_run_or_by_config() {
    let x = Exec::with_start_args(&["--no-exec"]);
    let (code, _, err) = x.exec("Health check passes", &["--yes"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("turned off") && err.contains("--no-exec"),
        "{err}"
    );
    assert!(
        x.journal().contains("\"exec\":{\"enabled\":false"),
        "the run records it"
    );

    let y = Exec::new();
    assert!(y.journal().contains("\"exec\":{\"enabled\":true"));
    let cfg = y.env.tmp.path().join("config/runsheet");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "[exec]\nenabled = false\n").unwrap();
    let (code, _, err) = y.exec("Health check passes", &["--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("turned off"), "{err}");
    std::fs::write(cfg.join("config.toml"), "[exec]\nenabled = flase\n").unwrap();
    let (code, _, err) = y.exec("Health check passes", &["--yes"]);
    assert_eq!(code, 1, "an unreadable configuration keeps running off");
    assert!(err.contains("configuration"), "{err}");
}

#[test]
fn html_report_embeds_outputs_escaped_and_collapsed() {
    let x = Exec::new();
    let (code, _, err) = x.exec("Print markup", &["--yes", "--tick"]);
    assert_eq!(code, 0, "{err}");
    let (_, html, _) = x.run(&["report", &x.id, "--format", "html"]);
    assert!(html.contains("<section id=\"commands\">"));
    assert!(html.contains("<details><summary>Full output"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; done"));
    assert!(!html.contains("<script>"), "output is escaped");
    let (_, json, _) = x.run(&["report", &x.id, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["commands"][0]["output_tail"][0],
        "<script>alert(1)</script> & done"
    );
    assert_eq!(v["commands"][0]["verified_by_command"], true);
}

#[test]
fn the_snapshot_keeps_commands_as_the_journal_does() {
    use runsheet::store::open::{LoadPolicy, OpenRun, SnapshotState};
    let x = Exec::new();
    x.exec("Smoke test fails", &["--yes", "--fail"]);
    x.exec("Health check passes", &["--yes"]);
    let from_journal = OpenRun::open_with(&x.dir(), LoadPolicy::JournalOnly).unwrap();
    let from_snapshot = OpenRun::open_with(&x.dir(), LoadPolicy::PreferSnapshot).unwrap();
    assert_eq!(from_snapshot.snapshot, SnapshotState::Used);
    assert_eq!(from_snapshot.run, from_journal.run);
    assert_eq!(
        from_snapshot
            .run
            .items
            .values()
            .map(|r| r.commands.len())
            .sum::<usize>(),
        2
    );
}

#[test]
fn nothing_runs_in_a_run_whose_journal_is_damaged() {
    let x = Exec::new();
    x.env.ok(&["tick", &x.id, "Tick by hand"]);
    let journal = x.env.run_dir(&x.id).join("journal.jsonl");
    let before = std::fs::read_to_string(&journal).unwrap();
    // A changed title in the first line: the chain no longer verifies.
    let damaged = before.replacen("Closed-loop window", "Closed-loop windoW", 1);
    assert_ne!(damaged, before);
    std::fs::write(&journal, &damaged).unwrap();
    let (code, out, err) = x.exec("Health check passes", &["--yes", "--tick"]);
    assert_eq!(code, 3, "refused as unavailable: {err}");
    assert!(
        err.contains("damaged") || err.contains("damage"),
        "says why: {err}"
    );
    assert!(!out.contains("health ok"), "the command did not run: {out}");
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        damaged,
        "the journal is left as it was"
    );
    let outputs = x.env.run_dir(&x.id).join("outputs");
    let kept = std::fs::read_dir(&outputs).map_or(0, |d| d.count());
    assert_eq!(kept, 0, "no output file was created");
}

#[test]
fn a_command_during_a_hold_needs_confirming_and_its_tick_is_recorded_after_it() {
    let x = Exec::new();
    x.env
        .ok(&["hold", &x.id, "--reason", "waiting for the DBA"]);
    let (code, out, err) = x.exec("Health check passes", &["--yes"]);
    assert_ne!(code, 0, "refused during a HOLD: {err}");
    assert!(err.contains("--after-no-go"), "says how to confirm: {err}");
    assert!(!out.contains("health ok"), "did not run: {out}");
    let (code, out, err) = x.exec("Health check passes", &["--yes", "--after-no-go"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("health ok"), "{out}");
    let s = x.status();
    let item = Exec::item(&s, "Health check passes");
    assert_eq!(item["state"], "done", "auto-tick after confirming");
    let after = item["after_no_go"].as_str().unwrap_or_default();
    assert!(
        after.contains("HOLD"),
        "recorded as made during the hold: {item}"
    );
    let journal = std::fs::read_to_string(x.env.run_dir(&x.id).join("journal.jsonl")).unwrap();
    assert!(
        journal.contains("--after-no-go"),
        "the confirmation is part of command_started"
    );
}
