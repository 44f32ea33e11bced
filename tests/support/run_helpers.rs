//! Shared helpers for the run/store/CLI tests: a private data dir and the real binary.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `runsheet` binary built for the tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_runsheet");

/// The binary the CLI tests run: [`BIN`], or `$RUNSHEET_TEST_BIN` (to check that a regression test
/// fails against an older build).
pub fn bin() -> String {
    std::env::var("RUNSHEET_TEST_BIN").unwrap_or_else(|_| BIN.to_owned())
}

/// A fixture under tests/fixtures/runs.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runs")
        .join(name)
}

/// A private data dir plus an isolated HOME/XDG config.
pub struct Env {
    pub tmp: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(bin());
        c.env("RUNSHEET_DATA_DIR", self.data())
            .env("RUNSHEET_OPERATOR", "Tester")
            .env("HOME", self.tmp.path())
            .env("XDG_CONFIG_HOME", self.tmp.path().join("config"))
            .env_remove("NO_COLOR");
        c
    }

    /// Runs `runsheet ARGS`; returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out: Output = self.cmd().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "runsheet {args:?} failed: {err}\n{out}");
        out
    }

    /// Starts a run of a fixture (copied into the temp dir so tests can change it); returns its id.
    pub fn start(&self, fixture_name: &str, extra: &[&str]) -> String {
        let copy = self.template_copy(fixture_name);
        let mut args = vec!["start", copy.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.ok(&args).trim().to_owned()
    }

    /// Where `start` copies a fixture from (a file the test may edit to cause drift).
    pub fn template_copy(&self, fixture_name: &str) -> PathBuf {
        let copy = self.tmp.path().join(fixture_name);
        if !copy.exists() {
            std::fs::copy(fixture(fixture_name), &copy).unwrap();
        }
        copy
    }

    pub fn run_dir(&self, id: &str) -> PathBuf {
        self.data().join("runs").join(id)
    }

    pub fn status_json(&self, id: &str) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["status", id, "--json"])).unwrap()
    }
}

/// Every file of a directory with its bytes and mode (to prove a command changed nothing).
pub fn dir_state(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let meta = e.metadata().unwrap();
        let bytes = if meta.is_file() {
            std::fs::read(e.path()).unwrap()
        } else {
            Vec::new()
        };
        m.insert(
            e.file_name().to_string_lossy().into_owned(),
            (bytes, meta.permissions().mode()),
        );
    }
    m
}

/// A generated template of `n` plain tasks in sections of 50.
pub fn big_template(n: usize) -> String {
    let mut s = String::from("# Generated window\n");
    for i in 0..n {
        if i % 50 == 0 {
            s.push_str(&format!("\n## Section {}\n\n", i / 50));
        }
        s.push_str(&format!("- [ ] Step number {i} of the window\n"));
    }
    s
}

/// What a command did when run with a deadline.
pub struct Ran {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    pub out: String,
    pub err: String,
    /// Still running at the deadline (then killed).
    pub hung: bool,
}

impl Ran {
    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}{}", self.out, self.err)
    }

    /// Whether it panicked (Rust exits 101 and prints "panicked").
    pub fn panicked(&self) -> bool {
        self.code == 101 || self.err.contains("panicked")
    }
}

/// Runs `cmd` with piped output, killing it at `limit` (polling, never a fixed sleep).
pub fn run_within(mut cmd: Command, limit: std::time::Duration) -> Ran {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let to = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = so.read_to_end(&mut s);
        s
    });
    let te = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = se.read_to_end(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + limit;
    let mut hung = false;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if std::time::Instant::now() > deadline {
            hung = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    Ran {
        code: status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&to.join().unwrap()).into_owned(),
        err: String::from_utf8_lossy(&te.join().unwrap()).into_owned(),
        hung,
    }
}

impl Env {
    /// Runs `runsheet ARGS` with a deadline.
    pub fn run_within(&self, args: &[&str], limit: std::time::Duration) -> Ran {
        let mut c = self.cmd();
        c.args(args);
        run_within(c, limit)
    }
}

/// Rewrites a run's journal as an earlier runsheet wrote it and re-seals the chain: the start
/// event with loader rules `rules` (`None`: without the field, as before rules were recorded).
/// Removes the snapshot, so the next command replays the journal.
pub fn with_loader_rules(dir: &Path, rules: Option<u32>) {
    use runsheet::run::event::{Change, Event, GENESIS};
    let path = dir.join("journal.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut prev = GENESIS.to_owned();
    let mut out = String::new();
    for line in text.lines() {
        let ev: Event = serde_json::from_str(line).unwrap();
        let (sealed, mut l) = Event::seal(ev.seq, ev.at, ev.by, ev.change, &prev).unwrap();
        if let Change::Start { .. } = sealed.change {
            // Edited as text: the journal's canonical form keeps the fields in their order.
            let now = format!(",\"rules\":{}", runsheet::template::LOADER_RULES);
            assert!(l.contains(&now), "{l}");
            let then = rules.map_or(String::new(), |r| format!(",\"rules\":{r}"));
            let at = l.rfind(",\"hash\":").unwrap();
            let body = format!("{}}}", l[..at].replacen(&now, &then, 1));
            let hash = runsheet::run::event::sha256_hex(body.as_bytes());
            l = format!("{},\"hash\":\"{hash}\"}}\n", &body[..body.len() - 1]);
            prev = hash;
        } else {
            prev = sealed.hash;
        }
        out.push_str(&l);
    }
    std::fs::write(&path, out).unwrap();
    let _ = std::fs::remove_file(dir.join("state.toml"));
}
