//! A runbook of numbered headings through the real binary: started, its step headings ticked and
//! their commands run and recorded, the report listing them; and a run that an earlier runsheet
//! started on the same file (loader rules 2) keeping the items it had.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use serde_json::Value;
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

#[test]
fn a_run_started_before_keeps_its_items() {
    let env = Env::new();
    let id = env.start("heading_steps.md", &[]);
    env.ok(&["tick", &id, "queue depth"]);
    support::with_loader_rules(&env.run_dir(&id), Some(2));
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
