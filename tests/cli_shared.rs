//! The shared-store commands from the command line: `db init` / `db status` / `--print-sql`,
//! `push`, `export` + offline `verify`, `watch` (shared and local), and where `--store` comes from.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

/// Runs `runsheet ARGS` on the shared store given by `RUNSHEET_STORE` (as a team would set it).
fn on(env: &helpers::Env, store: &str, args: &[&str]) -> (i32, String, String) {
    let out = env
        .cmd()
        .args(args)
        .env("RUNSHEET_STORE", store)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn on_ok(env: &helpers::Env, store: &str, args: &[&str]) -> String {
    let (code, out, err) = on(env, store, args);
    assert_eq!(
        code, 0,
        "runsheet {args:?} on the shared store failed: {err}\n{out}"
    );
    out
}

#[test]
fn every_run_command_works_the_same_on_the_shared_store() {
    let Some(db) = pg::TestDb::new("cli_every_command") else {
        return;
    };
    db.init();
    let s = db.conninfo.as_str();
    // Two machines: separate data dirs and HOMEs, one shared store.
    let laptop = helpers::Env::new();
    let bastion = helpers::Env::new();
    let tpl = laptop.template_copy("kinds.md");
    let id = on_ok(
        &laptop,
        s,
        &["start", tpl.to_str().unwrap(), "--window", "22:00"],
    )
    .trim()
    .to_owned();
    // A shared run's id says where it lives: 8 hex digits at the end (a local one has 4).
    let tail = id.rsplit('-').next().unwrap();
    assert_eq!(tail.len(), 8, "{id}");
    // Nothing was written to the local data dir.
    assert!(!laptop.data().join("runs").join(&id).exists());
    // Another machine sees it and changes it.
    on_ok(
        &bastion,
        s,
        &["tick", &id, "Stop the writer", "--note", "took 4 min"],
    );
    on_ok(
        &laptop,
        s,
        &[
            "skip",
            &id,
            "Stop the reader",
            "--reason",
            "not deployed here",
        ],
    );
    on_ok(
        &bastion,
        s,
        &[
            "na",
            &id,
            "Restart the reader",
            "--reason",
            "nothing to restart",
        ],
    );
    on_ok(
        &laptop,
        s,
        &["note", &id, "Stop the writer", "checked twice"],
    );
    on_ok(&laptop, s, &["untick", &id, "Stop the writer"]);
    on_ok(&laptop, s, &["tick", &id, "Stop the writer"]);
    let out = on_ok(&laptop, s, &["undo", &id]);
    assert!(
        out.contains("untick") || out.contains("reverts") || out.contains("undo"),
        "{out}"
    );
    on_ok(&laptop, s, &["tick", &id, "Stop the writer"]);
    // A conflicting change made from the other machine is refused at the server's head.
    on_ok(
        &bastion,
        s,
        &["sign", &id, "Change Manager", "--as", "Dana"],
    );
    let (code, _, err) = on(&laptop, s, &["sign", &id, "Change Manager", "--as", "Eve"]);
    assert_ne!(code, 0);
    assert!(err.contains("signed"), "{err}");
    on_ok(
        &laptop,
        s,
        &[
            "gate",
            &id,
            "Go/No-Go",
            "no-go",
            "--reason",
            "error rate 2%",
        ],
    );
    on_ok(
        &laptop,
        s,
        &["hold", &id, "--reason", "waiting for the DBA"],
    );
    on_ok(
        &bastion,
        s,
        &["hold", &id, "--release", "--reason", "DBA says fine"],
    );
    on_ok(&laptop, s, &["gate", &id, "Go/No-Go", "go"]);
    let out = on_ok(&laptop, s, &["window", &id]);
    assert!(out.contains("22:00"), "{out}");
    on_ok(
        &bastion,
        s,
        &["window", &id, "23:00", "--reason", "CAB moved it"],
    );
    // status / report / list / verify read the shared run.
    let out = on_ok(&bastion, s, &["status", &id]);
    assert!(out.contains("store: shared"), "{out}");
    let (_, json, _) = on(&bastion, s, &["status", &id, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["store"]["kind"], "shared", "{json}");
    assert_eq!(v["progress"]["closed"], v["progress"]["total"], "{json}");
    let out = on_ok(&laptop, s, &["report", &id, "--format", "md"]);
    assert!(out.contains("Dana"), "{out}");
    let out = on_ok(&laptop, s, &["list"]);
    assert!(out.contains(&id) && out.contains("[shared "), "{out}");
    let (_, json, _) = on(&laptop, s, &["list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["store"]["kind"], "shared");
    let out = on_ok(&bastion, s, &["verify", &id]);
    assert!(out.starts_with("intact: "), "{out}");
    on_ok(&laptop, s, &["finish", &id]);
    let (code, _, err) = on(&laptop, s, &["tick", &id, "Stop the writer"]);
    assert_ne!(code, 0, "a tick on a finished run is refused");
    assert!(
        err.contains("finished") || err.contains("completed"),
        "{err}"
    );
    // The local data dir still has its own runs and never mixes them up: `--store local`.
    let local = laptop.start("small.md", &[]);
    let out = on_ok(&laptop, s, &["list", "--store", "local"]);
    assert!(out.contains(&local) && !out.contains(&id), "{out}");
    let out = on_ok(&laptop, s, &["list", "--all"]);
    assert!(out.contains(&id) && !out.contains(&local), "{out}");
    // A shared id asked of the local store says where to look.
    let (code, _, err) = laptop.run(&["status", &id]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("looks like a shared run"), "{err}");
    // The export of what all those commands recorded verifies offline, byte for byte.
    let dest = laptop.tmp.path().join("evidence");
    on_ok(&laptop, s, &["export", &id, "-o", dest.to_str().unwrap()]);
    let out = laptop.ok(&["verify", dest.to_str().unwrap()]);
    assert!(out.starts_with("intact: "), "{out}");
}

#[test]
fn rebase_on_the_shared_store_follows_the_changed_template() {
    let Some(db) = pg::TestDb::new("cli_rebase_shared") else {
        return;
    };
    db.init();
    let s = db.conninfo.as_str();
    let env = helpers::Env::new();
    let tpl = env.template_copy("small.md");
    let id = on_ok(&env, s, &["start", tpl.to_str().unwrap()])
        .trim()
        .to_owned();
    on_ok(&env, s, &["tick", &id, "Warn support"]);
    let text = std::fs::read_to_string(&tpl).unwrap() + "- [ ] Tell the team\n";
    std::fs::write(&tpl, text).unwrap();
    let (_, _, err) = on(&env, s, &["status", &id]);
    assert!(err.contains("changed since the run started"), "{err}");
    let out = on_ok(&env, s, &["rebase", &id]);
    assert!(out.contains("1 item(s) added"), "{out}");
    let out = on_ok(&env, s, &["tick", &id, "Tell the team"]);
    assert!(out.contains("done"), "{out}");
}
