//! Every run command through the real binary: effects, JSON shapes, exit codes, and that bad input
//! never changes the run dir.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use serde_json::Value;
use support::{Env, dir_state};

fn item<'a>(status: &'a Value, text_part: &str) -> &'a Value {
    status["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"].as_str().unwrap().contains(text_part))
        .unwrap_or_else(|| panic!("no item with {text_part}"))
}

#[test]
fn start_prints_id_and_json_has_id_and_dir() {
    let env = Env::new();
    let id = env.start("window.md", &["--var", "VERSION=2.4.1"]);
    assert!(id.contains("-payments-2-4-1-deploy-window-"), "{id}");
    assert!(id.starts_with(char::is_numeric));
    let copy = env.template_copy("window.md");
    let out = env.ok(&[
        "start",
        copy.to_str().unwrap(),
        "--json",
        "--name",
        "Second try",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["id"].as_str().unwrap().contains("second-try"));
    let dir = v["dir"].as_str().unwrap();
    assert!(std::path::Path::new(dir).join("journal.jsonl").is_file());
    assert!(std::path::Path::new(dir).join("template.md").is_file());
    assert!(std::path::Path::new(dir).join("state.toml").is_file());
}

#[test]
fn start_rejects_unknown_variable_and_bad_template() {
    let env = Env::new();
    let copy = env.template_copy("window.md");
    let (code, _, err) = env.run(&["start", copy.to_str().unwrap(), "--var", "NOPE=1"]);
    assert_eq!(code, 1);
    assert!(err.contains("NOPE") && err.contains("VERSION"), "{err}");
    let (code, _, _) = env.run(&["start", "/nonexistent/x.md"]);
    assert_eq!(code, 1);
    assert!(
        !env.data().join("runs").exists()
            || std::fs::read_dir(env.data().join("runs")).unwrap().count() == 0
    );
}

#[test]
fn status_json_shape() {
    let env = Env::new();
    let id = env.start("window.md", &["--var", "VERSION=2.4.1"]);
    env.ok(&["tick", &id, "announce", "--note", "posted"]);
    env.ok(&["sign", &id, "tech lead", "--as", "Dana"]);
    let s = env.status_json(&id);
    let run = &s["run"];
    for k in ["id", "title", "status", "started_at", "template_sha256"] {
        assert!(run[k].is_string(), "run.{k}: {run}");
    }
    assert_eq!(run["drift"], Value::Bool(false));
    assert_eq!(run["status"], "active");
    assert_eq!(run["title"], "Payments 2.4.1 deploy window");
    assert!(s["progress"]["done"].is_u64() && s["progress"]["total"].is_u64());
    assert_eq!(s["progress"]["total"], 8);
    // announce, tech lead, and the pre-checked freeze.
    assert_eq!(s["progress"]["done"], 3);
    let items = s["items"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    for i in items {
        for k in ["id", "text", "section", "kind", "state"] {
            assert!(i[k].is_string(), "{k} in {i}");
        }
        assert!(i["by"].is_string() || i["by"].is_null());
        assert!(i["at"].is_string() || i["at"].is_null());
        assert!(i["signer"].is_string() || i["signer"].is_null());
        assert!(i["notes"].is_array());
    }
    let a = item(&s, "Announce");
    assert_eq!(a["state"], "done");
    assert_eq!(a["by"], "Tester");
    assert_eq!(a["notes"][0]["text"], "posted");
    assert_eq!(a["notes"][0]["by"], "Tester");
    assert!(a["notes"][0]["at"].is_string());
    let t = item(&s, "Tech Lead");
    assert_eq!(t["state"], "signed");
    assert_eq!(t["signer"], "Dana");
    assert_eq!(t["kind"], "signoff");
    assert_eq!(item(&s, "Deploy")["text"], "Deploy 2.4.1 to blue");
    assert_eq!(item(&s, "Freeze")["state"], "done");
    assert_eq!(s["next"]["text"], "Snapshot the orders database");
}

#[test]
fn every_state_and_exact_state_names() {
    let env = Env::new();
    let id = env.start("kinds.md", &[]);
    env.ok(&["tick", &id, "stop the writer"]);
    env.ok(&[
        "skip",
        &id,
        "stop the reader",
        "--reason",
        "already stopped",
    ]);
    env.ok(&["na", &id, "restart", "--reason", "no reader here"]);
    env.ok(&["gate", &id, "cutover", "no-go", "--reason", "lag 40s"]);
    // After a NO-GO, a sign-off is refused unless confirmed, and then flagged.
    let (code, _, err) = env.run(&["sign", &id, "change manager"]);
    assert_eq!(code, 1);
    assert!(err.contains("--after-no-go"), "{err}");
    env.ok(&["sign", &id, "change manager", "--after-no-go"]);
    let s = env.status_json(&id);
    assert!(
        item(&s, "Change Manager")["after_no_go"]
            .as_str()
            .unwrap()
            .contains("NO-GO on “Go/No-Go for cutover”"),
        "{s}"
    );
    let states: Vec<&str> = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["done", "skipped", "na", "no-go", "signed"]);
    assert_eq!(item(&s, "reader")["reason"], "already stopped");
    env.ok(&["gate", &id, "cutover", "go", "--after-no-go"]);
    env.ok(&["untick", &id, "stop the writer"]);
    env.ok(&["fail", &id, "stop the writer", "--note", "pid file missing"]);
    let s = env.status_json(&id);
    let states: Vec<&str> = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["failed", "skipped", "na", "go", "signed"]);
    // `done` counts done, signed and GO; `closed` everything no longer open.
    assert_eq!(s["progress"]["done"], 2);
    assert_eq!(s["progress"]["closed"], 5);
    assert_eq!(s["progress"]["exceptions"], 3);
}

#[test]
fn refusals_change_nothing() {
    let env = Env::new();
    let id = env.start("kinds.md", &[]);
    env.ok(&["tick", &id, "writer"]);
    let dir = env.run_dir(&id);
    let before = dir_state(&dir);
    let cases: Vec<Vec<&str>> = vec![
        vec!["tick", &id, "writer"],                   // already done
        vec!["tick", &id, "stop"],                     // ambiguous: writer, reader
        vec!["tick", &id, "no such thing"],            // no match
        vec!["tick", &id, "cutover"],                  // a gate
        vec!["tick", &id, "change manager"],           // a sign-off
        vec!["skip", &id, "reader", "--reason", "  "], // empty reason
        vec!["gate", &id, "cutover", "no-go"],         // no reason
        vec!["sign", &id, "restart"],                  // not a sign-off
        vec!["set", &id, "VERSION", "1"],              // undeclared variable
        vec!["finish", &id],                           // open items
        vec!["untick", &id, "restart"],                // already open
        vec!["abort", &id, "--reason", ""],            // empty reason
        vec!["note", &id, "writer", ""],               // empty note
    ];
    for args in &cases {
        let (code, out, err) = env.run(args);
        assert_eq!(code, 1, "{args:?} should fail: {out} {err}");
        assert!(!err.is_empty());
        assert_eq!(dir_state(&dir), before, "{args:?} changed the run dir");
    }
    let (_, _, err) = env.run(&["tick", &id, "stop"]);
    assert!(
        err.contains("Stop the reader") && err.contains("Stop the writer"),
        "{err}"
    );
    // Usage errors: 2. Unknown run: 3.
    assert_eq!(env.run(&["gate", &id, "cutover", "maybe"]).0, 2);
    assert_eq!(env.run(&["skip", &id, "reader"]).0, 2);
    assert_eq!(env.run(&["tick", "no-such-run", "x"]).0, 3);
    assert_eq!(env.run(&["status", "1999"]).0, 3);
    assert_eq!(dir_state(&dir), before);
}

#[test]
fn undo_reverts_own_last_change_only() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    env.ok(&["tick", &id, "warn support"]);
    env.ok(&["tick", &id, "flush", "--as", "Other"]);
    env.ok(&["note", &id, "warn support", "told L2"]);
    env.ok(&["undo", &id]); // Tester's note
    let s = env.status_json(&id);
    assert_eq!(item(&s, "Warn")["notes"].as_array().unwrap().len(), 0);
    env.ok(&["undo", &id]); // Tester's tick
    let s = env.status_json(&id);
    assert_eq!(item(&s, "Warn")["state"], "open");
    assert_eq!(
        item(&s, "Flush")["state"],
        "done",
        "someone else's change stays"
    );
    let (code, _, err) = env.run(&["undo", &id]);
    assert_eq!(code, 1, "{err}");
    env.ok(&["undo", &id, "--as", "Other"]);
    assert_eq!(item(&env.status_json(&id), "Flush")["state"], "open");
    // History is kept: 5 changes + start + 3 undos.
    let journal = std::fs::read_to_string(env.run_dir(&id).join("journal.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), 7);
}

#[test]
fn lifecycle_finish_and_abort() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    env.ok(&["tick", &id, "warn"]);
    env.ok(&["tick", &id, "flush"]);
    env.ok(&["tick", &id, "hit ratio"]);
    env.ok(&["finish", &id]);
    let s = env.status_json(&id);
    assert_eq!(s["run"]["status"], "completed");
    assert_eq!(s["run"]["outcome"], "completed");
    assert!(s["run"]["ended_at"].is_string());
    assert_eq!(env.run(&["untick", &id, "warn"]).0, 1);
    env.ok(&["note", &id, "warn", "post-mortem: fine"]);

    let id2 = env.start("small.md", &["--name", "Second"]);
    env.ok(&["skip", &id2, "warn", "--reason", "support is on holiday"]);
    env.ok(&["tick", &id2, "flush"]);
    env.ok(&["tick", &id2, "hit"]);
    env.ok(&["finish", &id2]);
    assert_eq!(
        env.status_json(&id2)["run"]["outcome"],
        "completed with exceptions: 1 skipped"
    );

    let id3 = env.start("small.md", &["--name", "Third"]);
    env.ok(&["abort", &id3, "--reason", "rollback"]);
    let s = env.status_json(&id3);
    assert_eq!(s["run"]["status"], "aborted");
    assert_eq!(s["run"]["abort_reason"], "rollback");

    let list: Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0, "no active runs");
    let all: Value = serde_json::from_str(&env.ok(&["list", "--all", "--json"])).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3);
    for r in all {
        for k in [
            "id",
            "title",
            "status",
            "started_at",
            "last_change_at",
            "last_change_by",
        ] {
            assert!(r[k].is_string(), "{k}: {r}");
        }
        assert!(r["progress"]["done"].is_u64());
    }
    assert_eq!(all[0]["id"].as_str().unwrap(), id3, "newest first");
}

#[test]
fn run_prefix_latest_and_ambiguity() {
    let env = Env::new();
    let a = env.start("small.md", &["--name", "alpha"]);
    let b = env.start("small.md", &["--name", "beta"]);
    let prefix = &a[..a.len() - 2];
    let _ = prefix;
    let s = env.status_json("latest");
    assert_eq!(s["run"]["id"].as_str().unwrap(), b);
    let date = &a[..10];
    let (code, _, err) = env.run(&["status", date]);
    assert_eq!(code, 3);
    assert!(err.contains("several runs"), "{err}");
    let unique = &a[..a.find("alpha").unwrap() + 3];
    assert_eq!(env.status_json(unique)["run"]["id"].as_str().unwrap(), a);
}

#[test]
fn variables_substituted_everywhere() {
    let env = Env::new();
    let id = env.start("window.md", &[]);
    let s = env.status_json(&id);
    assert_eq!(item(&s, "Deploy")["text"], "Deploy {{ VERSION }} to blue");
    env.ok(&["set", &id, "VERSION", "3.0.0"]);
    let s = env.status_json(&id);
    assert_eq!(item(&s, "Deploy")["text"], "Deploy 3.0.0 to blue");
    assert_eq!(s["run"]["title"], "Payments 3.0.0 deploy window");
    assert_eq!(s["run"]["variables"]["VERSION"], "3.0.0");
    let md = env.ok(&["report", &id]);
    assert!(
        md.contains("pg_dump orders > /backups/orders-3.0.0.sql"),
        "{md}"
    );
    // An item can be found by its substituted text too.
    env.ok(&["tick", &id, "deploy 3.0.0"]);
}

#[test]
fn hostile_text_is_sanitised() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    env.ok(&["note", &id, "warn", "evil \u{1b}]0;pwned\u{7} \u{202e}txet"]);
    env.ok(&["tick", &id, "flush", "--as", "Mallory\u{1b}[2J"]);
    let out = env.ok(&["status", &id]);
    let json = env.ok(&["status", &id, "--json"]);
    let md = env.ok(&["report", &id]);
    for text in [&out, &json, &md] {
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    }
    let journal = std::fs::read_to_string(env.run_dir(&id).join("journal.jsonl")).unwrap();
    assert!(
        !journal.contains("\\u001b"),
        "cleaned before it is recorded"
    );
}

#[test]
fn report_md_and_json() {
    let env = Env::new();
    let id = env.start("window.md", &["--var", "VERSION=2.4.1"]);
    env.ok(&["tick", &id, "announce"]);
    env.ok(&["skip", &id, "drain", "--reason", "pool empty"]);
    env.ok(&["gate", &id, "go/no-go", "go", "--reason", "0.2% errors"]);
    env.ok(&["sign", &id, "qa lead", "--as", "Quinn"]);
    let md = env.ok(&["report", &id, "--format", "md"]);
    for needle in [
        "# Run record: Payments 2.4.1 deploy window",
        "## Sign-offs",
        "Quinn",
        "## Gate decisions",
        "GO",
        "pool empty",
        "## Timeline",
        "## Planned vs actual",
        "Journal head",
    ] {
        assert!(md.contains(needle), "missing {needle}:\n{md}");
    }
    let head = env.status_json(&id)["run"]["head"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(md.contains(&head));
    let out = env.tmp.path().join("r.json");
    env.ok(&[
        "report",
        &id,
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(r["journal"]["head"], head.as_str());
    assert_eq!(r["timeline"].as_array().unwrap().len(), 5);
    assert_eq!(r["signoffs"].as_array().unwrap().len(), 2);
    assert_eq!(r["exceptions"][0]["reason"], "pool empty");
    assert_eq!(r["gates"][0]["state"], "go");
    let timed = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["planned_time"] == "21:00")
        .unwrap();
    assert!(timed["first_change"].is_string());
    assert!(timed["items"][0]["code"].is_array());
    assert!(r["operators"].as_array().unwrap().len() >= 2);
}

#[test]
fn verify_reports_intact_and_head() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    env.ok(&["tick", &id, "warn"]);
    let out = env.ok(&["verify", &id]);
    assert!(out.starts_with("intact: 2 events"), "{out}");
    let head = env.status_json(&id)["run"]["head"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(out.contains(&head));
}

#[test]
fn operator_from_config_file_and_os_user_recorded() {
    let env = Env::new();
    let cfg = env.tmp.path().join("config/runsheet");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "operator = \"Config Carol\"\n").unwrap();
    let id = env.start("small.md", &[]);
    let out = env
        .cmd()
        .env_remove("RUNSHEET_OPERATOR")
        .env("USER", "not-the-user")
        .args(["tick", &id, "warn"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = env.status_json(&id);
    let w = item(&s, "Warn");
    assert_eq!(w["by"], "Config Carol");
    assert_ne!(
        w["actor"]["user"], "not-the-user",
        "OS user comes from the uid"
    );
    assert!(!w["actor"]["host"].as_str().unwrap().is_empty());
}
