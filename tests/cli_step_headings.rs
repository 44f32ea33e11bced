//! A runbook of numbered headings through the real binary: started, its step headings ticked and
//! their commands run and recorded, the report listing them; and a run that an earlier runsheet
//! started on the same file (loader rules 2) keeping the items it had.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use runsheet::run::event::{Change, Event, GENESIS};
use serde_json::Value;
use std::path::Path;
use support::Env;

fn texts(status: &Value) -> Vec<String> {
    status["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap().to_owned())
        .collect()
}

fn state<'a>(status: &'a Value, text: &str) -> &'a Value {
    &status["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"] == text)
        .unwrap_or_else(|| panic!("no item {text}: {status}"))["state"]
}

#[test]
fn step_headings_are_ticked_run_and_reported() {
    let env = Env::new();
    let id = env.start("heading_steps.md", &[]);
    let s = env.status_json(&id);
    assert_eq!(
        texts(&s),
        [
            "Step 1: Announce",
            "Step 2: Drain the workers",
            "Step 3: Verify",
            "Queue depth is back under 100",
            "No errors in the last five minutes",
        ]
    );
    env.ok(&["tick", &id, "step 1"]);
    // The step's command is its body's: `exec` runs it and records the result.
    let out = env.ok(&["exec", &id, "Step 2: Drain the workers", "--yes", "--tick"]);
    assert!(out.contains("drained"), "{out}");
    let s = env.status_json(&id);
    assert_eq!(state(&s, "Step 1: Announce"), "done");
    assert_eq!(state(&s, "Step 2: Drain the workers"), "done", "{s}");
    assert_eq!(state(&s, "Step 3: Verify"), "open");
    let report = env.ok(&["report", &id, "--format", "md"]);
    assert!(report.contains("Step 2: Drain the workers"), "{report}");
    assert!(report.contains("echo drained"), "{report}");
    env.ok(&["verify", &id]);
}

/// Rewrites the journal's start event as runsheet with loader rules 2 wrote it (and re-seals the
/// chain): the run an earlier version started.
fn as_rules_2(dir: &Path) {
    let path = dir.join("journal.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut prev = GENESIS.to_owned();
    let mut out = String::new();
    for line in text.lines() {
        let ev: Event = serde_json::from_str(line).unwrap();
        let (sealed, mut l) = Event::seal(ev.seq, ev.at, ev.by, ev.change, &prev).unwrap();
        if let Change::Start { .. } = sealed.change {
            let now = format!(",\"rules\":{}", runsheet::template::LOADER_RULES);
            assert!(l.contains(&now), "{l}");
            let at = l.rfind(",\"hash\":").unwrap();
            let body = format!("{}}}", l[..at].replacen(&now, ",\"rules\":2", 1));
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

#[test]
fn a_run_started_before_keeps_its_items() {
    let env = Env::new();
    let id = env.start("heading_steps.md", &[]);
    env.ok(&["tick", &id, "queue depth"]);
    as_rules_2(&env.run_dir(&id));
    // Rules 2 read only the numbered list as steps: the run still has those two, the tick on
    // the first, and no orphan; the headings did not turn into items under it.
    let s = env.status_json(&id);
    assert_eq!(
        texts(&s),
        [
            "Queue depth is back under 100",
            "No errors in the last five minutes"
        ]
    );
    assert_eq!(state(&s, "Queue depth is back under 100"), "done");
    assert!(s["orphans"].as_array().unwrap().is_empty(), "{s}");
    env.ok(&["verify", &id]);
}
