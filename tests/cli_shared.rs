//! The shared-store commands from the command line: `db init` / `db status` / `--print-sql`,
//! `push`, `export` + offline `verify`, `watch` (shared and local), and where `--store` comes from.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used)]

#[path = "support/run_helpers.rs"]
mod helpers;
#[path = "support/pg.rs"]
mod pg;

use runsheet::pg::engine::SharedStore;
use runsheet::run::intent::Intent;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A `runsheet watch` child and its stdout lines.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watch {
    fn spawn(mut cmd: std::process::Command) -> Watch {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines: rx }
    }

    /// The next line, waiting generously (a busy machine).
    fn next(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("watch printed nothing within 20 s")
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn db_init_and_status_from_the_command_line_and_the_store_from_env_or_config() {
    let Some(db) = pg::TestDb::new("cli_db_init") else {
        return;
    };
    let env = helpers::Env::new();
    // Not initialised yet: status says so and exits 1.
    let (code, out, _) = env.run(&["db", "status", "--store", &db.conninfo]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("schema:     none"), "{out}");
    // RUNSHEET_STORE names the store.
    let out = env
        .cmd()
        .args(["db", "init"])
        .env("RUNSHEET_STORE", &db.conninfo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema created (version 1)"));
    // config.toml's `store` does too.
    let cfg = env.tmp.path().join("config/runsheet");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        format!("store = '{}'\n", db.conninfo),
    )
    .unwrap();
    let out = env.ok(&["db", "init"]);
    assert!(out.contains("is current; nothing to do"), "{out}");
    let (code, out, _) = env.run(&["db", "status", "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["fsync"], true);
    assert_eq!(v["session_synchronous_commit"], "on");
    assert_eq!(v["usable"], true);
    // --print-sql needs no server and is the same schema.
    let sql = helpers::Env::new().ok(&["db", "init", "--print-sql"]);
    assert!(sql.contains("CREATE TABLE runsheet.events") && sql.trim_end().ends_with("COMMIT;"));
    let none = helpers::Env::new().ok(&["db", "init", "--print-sql", "--from-version", "1"]);
    assert!(!none.contains("CREATE TABLE runsheet.events"));
}

#[test]
fn a_password_in_the_store_is_refused_and_never_echoed() {
    let env = helpers::Env::new();
    let secret = "Sup3r-s3cret-pw";
    let url = format!("postgresql://alice:{secret}@db.example.com/runsheet");
    for args in [
        vec!["db", "status", "--store", url.as_str()],
        vec!["db", "init", "--store", url.as_str()],
        vec!["watch", "latest", "--store", url.as_str()],
        vec!["export", "latest", "--store", url.as_str()],
    ] {
        let (code, out, err) = env.run(&args);
        assert_ne!(code, 0);
        assert!(err.contains("contains a password"), "{args:?}: {err}");
        assert!(
            !out.contains(secret) && !err.contains(secret),
            "{args:?} echoed the password"
        );
    }
    // Nor does --help show a value taken from the environment.
    let out = env
        .cmd()
        .args(["db", "status", "--help"])
        .env("RUNSHEET_STORE", &url)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    // A remote host without TLS is refused before connecting.
    let (code, _, err) = env.run(&[
        "db",
        "status",
        "--store",
        "postgresql://db.example.com/x?sslmode=disable",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("sslmode=disable is refused"), "{err}");
}

#[test]
fn push_then_export_then_verify_offline_from_the_command_line() {
    let Some(db) = pg::TestDb::new("cli_push_export") else {
        return;
    };
    db.init();
    let env = helpers::Env::new();
    let id = env.start("kinds.md", &[]);
    env.ok(&["tick", &id, "Stop the writer"]);
    env.ok(&["sign", &id, "Change Manager", "--as", "Dana"]);
    let out = env.ok(&["push", &id, "--store", &db.conninfo]);
    assert!(
        out.contains(&format!("pushed {id}")) && out.contains("3 events"),
        "{out}"
    );
    let out = env.ok(&["push", &id, "--store", &db.conninfo]);
    assert!(out.contains("already on"), "{out}");
    let dest = env.tmp.path().join("evidence");
    let out = env.ok(&[
        "export",
        &id,
        "-o",
        dest.to_str().unwrap(),
        "--store",
        &db.conninfo,
    ]);
    assert!(out.contains("3 events"), "{out}");
    assert_eq!(
        std::fs::read(env.run_dir(&id).join("journal.jsonl")).unwrap(),
        std::fs::read(dest.join("journal.jsonl")).unwrap()
    );
    let out = env.ok(&["verify", dest.to_str().unwrap()]);
    assert!(out.starts_with("intact: 3 events"), "{out}");
    // Exporting into the local data dir where it already is: refused, nothing overwritten.
    let (code, _, err) = env.run(&["export", &id, "--store", &db.conninfo]);
    assert_eq!(code, 1);
    assert!(err.contains("exists"), "{err}");
    // An unknown run is "unavailable" (exit 3).
    let (code, _, err) = env.run(&["export", "nope", "--store", &db.conninfo]);
    assert_eq!(code, 3, "{err}");
}

#[test]
fn watch_prints_each_shared_event_as_it_lands() {
    let Some(db) = pg::TestDb::new("cli_watch_shared") else {
        return;
    };
    db.init();
    let tmp = tempfile::tempdir().unwrap();
    let tpl = pg::template(tmp.path(), "small.md");
    let mut run = SharedStore::connect(db.settings())
        .unwrap()
        .create(
            &runsheet::catalog::Source::File(tpl),
            &Default::default(),
            &pg::actor("Alice"),
            pg::now(),
            None,
        )
        .unwrap();
    let warn = runsheet::run::intent::find_item(&run.run, &run.template, "Warn support").unwrap();
    run.append(
        &Intent::Note {
            item: warn.clone(),
            text: "before".into(),
        },
        &pg::actor("Alice"),
        pg::now(),
    )
    .unwrap();
    let env = helpers::Env::new();
    let mut cmd = env.cmd();
    cmd.args([
        "watch",
        run.id(),
        "--json",
        "-n",
        "1",
        "--store",
        &db.conninfo,
    ]);
    let w = Watch::spawn(cmd);
    // The backlog: the last event.
    let first: serde_json::Value = serde_json::from_str(&w.next()).unwrap();
    assert_eq!(first["seq"], 2);
    assert_eq!(first["type"], "note");
    assert_eq!(first["db_role"], run.role());
    // Then each new event, as it lands.
    run.append(
        &Intent::Tick {
            item: warn,
            note: None,
        },
        &pg::actor("Bob"),
        pg::now(),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&w.next()).unwrap();
    assert_eq!(v["seq"], 3);
    assert_eq!(v["type"], "tick");
    assert_eq!(v["item_text"], "Warn support");
    assert_eq!(v["state"], "done");
    assert_eq!(v["by"]["name"], "Bob");
    assert_eq!(v["run_id"], run.id());
    // Text mode too, resuming after a given seq.
    let mut cmd = env.cmd();
    cmd.args(["watch", run.id(), "--since", "2", "--store", &db.conninfo]);
    let t = Watch::spawn(cmd);
    let line = t.next();
    assert!(
        line.starts_with("seq 3: tick “Warn support” → done — Bob (ops@test-host)"),
        "{line}"
    );
    assert!(line.contains("[db role"), "{line}");
}

#[test]
fn watch_follows_a_local_run_too() {
    let env = helpers::Env::new();
    let id = env.start("small.md", &[]);
    let mut cmd = env.cmd();
    // --since 1: the tick is printed whether it lands before watch has started or after.
    cmd.args(["watch", &id, "--since", "1", "--json"]);
    let w = Watch::spawn(cmd);
    env.ok(&["tick", &id, "Warn support"]);
    let v: serde_json::Value = serde_json::from_str(&w.next()).unwrap();
    assert_eq!(v["seq"], 2);
    assert_eq!(v["state"], "done");
    assert_eq!(v["db_role"], serde_json::Value::Null);
}
