//! The record among neighbours: planted links never followed, directories another user controls
//! refused, a run dir's creator shown, FIFOs and directories where files belong never hang and are
//! named, a busy lock names its holder while readers go on, a closed stdout ends every command
//! quietly, hostile arguments never reach the terminal raw, and `start` tidies up after itself.
//! CLI only, so each test can be run against an older build (`RUNSHEET_TEST_BIN`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;
#[path = "support/tools.rs"]
mod tools;
#[path = "support/users.rs"]
mod users;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::{Env, dir_state, run_within};

const LIMIT: Duration = Duration::from_secs(20);

fn victim(env: &Env) -> PathBuf {
    let dir = env.tmp.path().join("outside");
    std::fs::create_dir_all(&dir).unwrap();
    let v = dir.join("victim");
    std::fs::write(&v, b"precious\n").unwrap();
    std::fs::set_permissions(&v, std::fs::Permissions::from_mode(0o644)).unwrap();
    v
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
}

#[test]
fn a_planted_lock_link_is_never_followed_created_or_chmodded() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    let dir = env.run_dir(&id);
    let v = victim(&env);
    let absent = env.tmp.path().join("outside/created-by-runsheet");
    for target in [&v, &absent] {
        std::fs::remove_file(dir.join("lock")).unwrap();
        std::os::unix::fs::symlink(target, dir.join("lock")).unwrap();
        for args in [
            vec!["list"],
            vec!["list", "--all", "--json"],
            vec!["status", &id],
            vec!["report", &id],
            vec!["verify", &id],
            vec!["tick", &id, "warn"],
            vec!["repair-state", &id],
            vec!["repair-journal", &id],
        ] {
            let r = env.run_within(&args, LIMIT);
            assert!(!r.hung && !r.panicked(), "{args:?}: {}", r.all());
            assert_eq!(std::fs::read(&v).unwrap(), b"precious\n", "{args:?}");
            assert_eq!(
                std::fs::metadata(&v).unwrap().mode() & 0o7777,
                0o644,
                "{args:?}"
            );
            assert!(!absent.exists(), "{args:?} created the link's target");
        }
        let (code, _, err) = env.run(&["tick", &id, "warn"]);
        assert_ne!(code, 0);
        assert!(
            err.contains("lock") && err.contains("symbolic link"),
            "{err}"
        );
        let (_, _, err) = env.run(&["status", &id]);
        assert!(
            err.contains("lock") && err.contains("symbolic link"),
            "status warns: {err}"
        );
    }
}

#[test]
fn fifos_and_directories_where_files_belong_never_hang_and_are_named() {
    for name in ["journal.jsonl", "state.toml", "template.md"] {
        for kind in ["fifo", "dir"] {
            let env = Env::new();
            let id = env.start("small.md", &[]);
            let dir = env.run_dir(&id);
            let p = dir.join(name);
            std::fs::remove_file(&p).unwrap();
            if kind == "fifo" {
                mkfifo(&p);
            } else {
                std::fs::create_dir(&p).unwrap();
            }
            for args in [
                vec!["status", &id],
                vec!["status", &id, "--json"],
                vec!["list"],
                vec!["report", &id],
                vec!["verify", &id],
                vec!["tick", &id, "warn"],
            ] {
                let r = env.run_within(&args, LIMIT);
                assert!(!r.hung, "{kind} as {name}: {args:?} hung");
                assert!(!r.panicked(), "{kind} as {name}: {args:?}: {}", r.all());
                assert!(
                    r.all().contains(name),
                    "{kind} as {name}: {args:?} does not name it: {}",
                    r.all()
                );
                assert!(
                    !r.all().contains("no run matches"),
                    "{kind} as {name}: {args:?}: {}",
                    r.all()
                );
            }
            let shown = if kind == "fifo" { "FIFO" } else { "directory" };
            let (_, _, err) = env.run(&["tick", &id, "warn"]);
            assert!(err.contains(shown), "{kind} as {name}: {err}");
        }
    }
}

#[test]
fn a_data_dir_that_is_a_file_says_so() {
    let env = Env::new();
    let file = env.tmp.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let tpl = env.template_copy("small.md");
    let (code, _, err) = env.run(&[
        "start",
        tpl.to_str().unwrap(),
        "--data-dir",
        file.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("not-a-dir") && err.contains("regular file, not a directory"),
        "{err}"
    );
    assert!(!err.contains("File exists"), "{err}");
}

#[test]
fn a_world_writable_runs_dir_is_refused_with_the_safe_setup() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    let runs = env.data().join("runs");
    std::fs::set_permissions(&runs, std::fs::Permissions::from_mode(0o777)).unwrap();
    let before = dir_state(&env.run_dir(&id));
    for args in [vec!["status", &id], vec!["tick", &id, "warn"], vec!["list"]] {
        let (code, _, err) = env.run(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(
            err.contains("writable by every user") && err.contains("2770"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(dir_state(&env.run_dir(&id)), before);
    std::fs::set_permissions(&runs, std::fs::Permissions::from_mode(0o700)).unwrap();
    env.ok(&["status", &id]);
}

#[test]
fn dirs_another_user_owns_are_refused_and_shared_runs_show_their_creator() {
    if !tools::require(
        users::other().is_some(),
        "a second OS user",
        "dirs_another_user_owns_are_refused_and_shared_runs_show_their_creator",
        "run the tests as root: they create user rsadv with useradd",
    ) {
        return;
    }
    let other = users::other().unwrap();
    let env = Env::new();
    // The other user must be able to reach the shared dir and the binary.
    std::fs::set_permissions(env.tmp.path(), std::fs::Permissions::from_mode(0o711)).unwrap();

    // A private runs/ that belongs to someone else: refused, nothing read or written.
    let id = env.start("small.md", &[]);
    let runs = env.data().join("runs");
    std::os::unix::fs::chown(&runs, Some(other.uid), None).unwrap();
    let before = dir_state(&env.run_dir(&id));
    let (code, _, err) = env.run(&["status", &id]);
    assert_ne!(code, 0);
    assert!(
        err.contains("belongs to rsadv") && err.contains("2770"),
        "{err}"
    );
    let (code, _, err) = env.run(&["tick", &id, "warn"]);
    assert_ne!(code, 0, "{err}");
    assert_eq!(dir_state(&env.run_dir(&id)), before);
    std::os::unix::fs::chown(&runs, Some(0), None).unwrap();
    // A run dir that belongs to someone else, private: refused too.
    std::os::unix::fs::chown(env.run_dir(&id), Some(other.uid), None).unwrap();
    let (code, _, err) = env.run(&["status", &id]);
    assert_ne!(code, 0);
    assert!(err.contains("belongs to rsadv"), "{err}");

    // The documented shared setup: a group dir, setgid, 2770. The other user starts a run in it.
    let shared = env.tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::os::unix::fs::chown(&shared, Some(0), Some(other.gid)).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let tpl = shared.join("small.md");
    std::fs::copy(support::fixture("small.md"), &tpl).unwrap();
    std::fs::set_permissions(&tpl, std::fs::Permissions::from_mode(0o644)).unwrap();
    let bin = support::bin();
    let mut c = users::as_other(&bin);
    c.args([
        "start",
        tpl.to_str().unwrap(),
        "--data-dir",
        shared.to_str().unwrap(),
    ])
    .env("HOME", "/nonexistent")
    .env("RUNSHEET_OPERATOR", "Other");
    let r = run_within(c, LIMIT);
    assert_eq!(r.code, 0, "the other user starts a run: {}", r.all());
    let other_id = r.out.trim().to_owned();
    let run_dir = shared.join("runs").join(&other_id);
    let meta = std::fs::metadata(&run_dir).unwrap();
    assert_eq!(meta.uid(), other.uid);
    assert_eq!(
        meta.mode() & 0o7777,
        0o2770,
        "a shared run dir is a group dir"
    );
    assert_eq!(
        std::fs::metadata(run_dir.join("journal.jsonl"))
            .unwrap()
            .mode()
            & 0o7777,
        0o660
    );

    // We (root) list it: its creator is shown and warned about.
    let d = shared.to_str().unwrap();
    let (code, out, err) = env.run(&["list", "--data-dir", d]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created by rsadv"), "{out}");
    assert!(err.contains("created by another user"), "{err}");
    let rows: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--json", "--data-dir", d])).unwrap();
    assert_eq!(rows[0]["dir_owner"]["uid"], other.uid);
    assert_eq!(rows[0]["dir_owner"]["user"], "rsadv");
    assert_eq!(rows[0]["dir_owner"]["is_you"], false);
    let (code, _, err) = env.run(&["status", &other_id, "--data-dir", d]);
    assert_eq!(code, 0);
    assert!(err.contains("created by rsadv"), "{err}");
    let s: serde_json::Value =
        serde_json::from_str(&env.ok(&["status", &other_id, "--json", "--data-dir", d])).unwrap();
    assert_eq!(s["dir_owner"]["is_you"], false);
    assert_eq!(s["dir_owner"]["user"], "rsadv");
    // Both work the shared run.
    env.ok(&["tick", &other_id, "warn", "--data-dir", d]);
    let mut c = users::as_other(&bin);
    c.args(["tick", &other_id, "flush", "--data-dir", d])
        .env("HOME", "/nonexistent");
    let r = run_within(c, LIMIT);
    assert_eq!(r.code, 0, "the other user ticks after us: {}", r.all());
    assert!(
        env.ok(&["verify", &other_id, "--data-dir", d])
            .contains("intact")
    );

    // A link the other user plants in the shared run dir is not followed by us.
    let v = victim(&env);
    std::fs::remove_file(run_dir.join("lock")).unwrap();
    std::os::unix::fs::symlink(&v, run_dir.join("lock")).unwrap();
    std::os::unix::fs::lchown(run_dir.join("lock"), Some(other.uid), Some(other.gid)).unwrap();
    let (code, _, err) = env.run(&["tick", &other_id, "hit ratio", "--data-dir", d]);
    assert_ne!(code, 0);
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read(&v).unwrap(), b"precious\n");
    assert_eq!(std::fs::metadata(&v).unwrap().mode() & 0o7777, 0o644);
}

fn proc_lock_pids() -> Vec<u32> {
    std::fs::read_to_string("/proc/locks")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("FLOCK") && !l.contains("->"))
        .filter_map(|l| l.split_whitespace().nth(4)?.parse().ok())
        .collect()
}

#[test]
fn a_busy_lock_names_its_holder_and_readers_do_not_wait_for_it() {
    let flock_ok = tools::runs("flock", &["--version"]);
    if !tools::require(
        flock_ok,
        "flock(1)",
        "a_busy_lock_names_its_holder_and_readers_do_not_wait_for_it",
        "util-linux provides it",
    ) {
        return;
    }
    let env = Env::new();
    let id = env.start("small.md", &[]);
    let lock = env.run_dir(&id).join("lock");
    // `-o`: the lock stays with flock(1) itself, not with the `sleep` it runs.
    let mut holder = std::process::Command::new("flock")
        .arg("-o")
        .arg(&lock)
        .args(["sleep", "120"])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + LIMIT;
    while !proc_lock_pids().contains(&holder.id()) {
        assert!(
            std::time::Instant::now() < deadline,
            "flock never took the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Readers never take the lock: they finish although it is held.
    for args in [
        vec!["status", &id],
        vec!["status", &id, "--json"],
        vec!["report", &id],
        vec!["verify", &id],
        vec!["list"],
    ] {
        let mut c = env.cmd();
        c.args(&args).env("RUNSHEET_LOCK_WAIT_MS", "60000");
        let r = run_within(c, LIMIT);
        assert!(
            !r.hung && r.code == 0,
            "{args:?} waited for the lock: {}",
            r.all()
        );
    }
    let mut c = env.cmd();
    c.args(["tick", &id, "warn"])
        .env("RUNSHEET_LOCK_WAIT_MS", "300");
    let r = run_within(c, LIMIT);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(
        r.err.contains(&format!("pid {}", holder.id())) && r.err.contains("flock"),
        "the holder is named: {}",
        r.err
    );
    let _ = holder.kill();
    let _ = holder.wait();

    // A runsheet writer stopped (SIGSTOP) while it holds the lock: named, and said to be stopped.
    let mut drive = env
        .cmd()
        .args([
            "_drive",
            &id,
            "--ops",
            "100000000",
            "--as",
            "Stopped Writer",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = rustix::process::Pid::from_raw(drive.id() as i32).unwrap();
    let deadline = std::time::Instant::now() + LIMIT;
    loop {
        rustix::process::kill_process(pid, rustix::process::Signal::STOP).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        if proc_lock_pids().contains(&drive.id()) {
            break;
        }
        rustix::process::kill_process(pid, rustix::process::Signal::CONT).unwrap();
        assert!(
            std::time::Instant::now() < deadline,
            "never caught it holding the lock"
        );
        std::thread::sleep(Duration::from_millis(3));
    }
    let mut c = env.cmd();
    c.args(["tick", &id, "hit ratio"])
        .env("RUNSHEET_LOCK_WAIT_MS", "300");
    let r = run_within(c, LIMIT);
    let _ = drive.kill();
    let _ = drive.wait();
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(
        r.err.contains(&format!("pid {}", drive.id()))
            && r.err.contains("_drive")
            && r.err.contains("stopped")
            && r.err.contains("kill -CONT"),
        "{}",
        r.err
    );
}

#[test]
fn every_command_ends_quietly_on_a_closed_stdout() {
    let env = Env::new();
    let id = env.start("window.md", &[]);
    let tpl = env.template_copy("small.md");
    let tpl = tpl.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["status", &id],
        vec!["status", &id, "--json"],
        vec!["report", &id],
        vec!["report", &id, "--format", "json"],
        vec!["report", &id, "--format", "html"],
        vec!["list"],
        vec!["list", "--all", "--json"],
        vec!["verify", &id],
        vec!["note", &id, "1", "closed pipe"],
        vec!["set", &id, "VERSION", "1.2.3"],
        vec!["undo", &id],
        vec!["rebase", &id, "--dry-run"],
        vec!["repair-state", &id],
        vec!["repair-journal", &id],
        vec!["start", tpl],
        vec!["start", tpl, "--json"],
        vec!["validate", tpl],
        vec!["validate", tpl, "--json"],
        vec!["templates"],
        vec!["templates", "--json"],
        vec!["new", "release", "-o", "-"],
        vec!["keys"],
        vec!["keys", "--default"],
        vec!["config"],
        vec!["config", "--print-default"],
        vec!["man"],
        vec!["completions", "bash"],
        vec!["--help"],
        vec!["status", "--help"],
    ];
    for args in &commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut c = env.cmd();
        c.args(args);
        let out = c
            .stdin(std::process::Stdio::null())
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?} complains: {err}");
    }
}

fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        })
        .collect()
}

#[test]
fn hostile_arguments_never_reach_the_terminal_raw() {
    let env = Env::new();
    let id = env.start("window.md", &[]);
    let evil = "x\u{1b}]0;owned\u{7}\u{1b}[31m\u{9b}2J\u{202e}gnp.exe";
    let evil_path = format!("/tmp/{evil}.md");
    let commands: Vec<Vec<&str>> = vec![
        vec!["tick", evil, "a"],
        vec!["tick", &id, evil],
        vec!["note", &id, evil, "n"],
        vec!["status", evil],
        vec!["report", evil],
        vec!["verify", evil],
        vec!["set", &id, evil, "v"],
        vec!["start", &evil_path],
        vec!["start", &evil_path, "--var", "A=1"],
        vec!["validate", &evil_path],
        vec!["new", evil],
        vec!["gate", &id, "1", evil],
        vec!["resume", evil],
        vec!["repair-journal", evil],
        vec!["--data-dir", evil, "list"],
    ];
    let tpl = env.template_copy("small.md");
    let tpl = tpl.to_str().unwrap().to_owned();
    let var = format!("{evil}=1");
    let with_var = vec!["start", tpl.as_str(), "--var", var.as_str()];
    for args in commands.iter().chain(std::iter::once(&with_var)) {
        let r = env.run_within(args, LIMIT);
        assert!(!r.hung && !r.panicked(), "{args:?}: {}", r.all());
        let raw = raw_controls(&r.all());
        assert!(
            raw.is_empty(),
            "{args:?} printed raw {raw:?}: {:?}",
            r.all()
        );
    }
}

#[test]
fn start_removes_what_a_killed_start_left() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    let runs = env.data().join("runs");
    // A `.new-*` dir whose builder died (its lock is free), one without a lock, long abandoned,
    // and one being built right now (we hold its lock).
    let dead = runs.join(".new-2026-11-23-dead-0001");
    let old = runs.join(".new-2026-11-23-old-0002");
    let live = runs.join(".new-2026-11-23-live-0003");
    for d in [&dead, &old, &live] {
        std::fs::create_dir(d).unwrap();
        std::fs::write(d.join("template.md"), b"- [ ] half made\n").unwrap();
    }
    std::fs::write(dead.join("lock"), b"").unwrap();
    std::fs::write(live.join("lock"), b"").unwrap();
    let held = std::fs::File::open(live.join("lock")).unwrap();
    held.lock().unwrap();
    let past = std::time::SystemTime::now() - Duration::from_secs(3600);
    for d in [&dead, &old, &live] {
        std::fs::File::open(d).unwrap().set_modified(past).unwrap();
    }
    env.start("small.md", &[]);
    assert!(!dead.exists(), "an abandoned build is removed");
    assert!(!old.exists(), "an old build without a lock is removed");
    assert!(live.exists(), "a build in progress is left alone");
    assert!(env.run_dir(&id).exists());
    drop(held);
}
