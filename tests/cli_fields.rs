//! The run commands for what issue 11 reads in a template: `runsheet field` for the blank cells of
//! a status table, `set` / `--var` for bracket placeholders named by their label, `--steps`, and
//! the loader rules a run records so upgrades never move its items' ids.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use serde_json::Value;
use std::path::Path;
use support::{Env, dir_state};

fn item<'a>(status: &'a Value, text_part: &str) -> &'a Value {
    status["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"].as_str().unwrap().contains(text_part))
        .unwrap_or_else(|| panic!("no item with {text_part}: {status}"))
}

fn field<'a>(item: &'a Value, name: &str) -> &'a Value {
    item["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields: {item}"))
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name}: {item}"))
}

#[test]
fn field_fills_a_blank_cell_journaled_shown_and_undoable() {
    let env = Env::new();
    let id = env.start("checks.md", &[]);
    let out = env.ok(&["field", &id, "backup", "last success", "2026-12-01 03:10"]);
    assert!(
        out.contains("field “Backup — Nightly backup finished”: Last Success = 2026-12-01 03:10"),
        "{out}"
    );
    // One journaled event of its own kind.
    let journal = std::fs::read_to_string(env.run_dir(&id).join("journal.jsonl")).unwrap();
    let last: Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(last["change"]["type"], "field");
    assert_eq!(last["change"]["column"], "Last Success");
    // Status and the JSON report show it in its column, with who; the state is unchanged.
    let s = env.status_json(&id);
    let backup = item(&s, "Backup");
    assert_eq!(field(backup, "Last Success")["value"], "2026-12-01 03:10");
    assert_eq!(field(backup, "Last Success")["by"], "Tester");
    assert_eq!(field(backup, "Notes")["value"], "");
    assert_eq!(field(backup, "Notes")["fillable"], true);
    assert_eq!(backup["state"], "open");
    let report = env.ok(&["report", &id, "--format", "md"]);
    // The row of the item table, the value in its column with who wrote it (Markdown and HTML
    // are one document).
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("| Backup") && l.contains("| 2026-12-01 03:10 (Tester) |")),
        "{report}"
    );
    let html = env.ok(&["report", &id, "--format", "html"]);
    assert!(
        html.contains("<td>2026-12-01 03:10 (Tester)</td>"),
        "{html}"
    );
    // Undo reverts it like any change.
    env.ok(&["undo", &id]);
    let s = env.status_json(&id);
    assert_eq!(field(item(&s, "Backup"), "Last Success")["value"], "");
}

#[test]
fn field_refuses_what_is_not_a_blank_cell_and_changes_nothing() {
    let env = Env::new();
    let id = env.start("checks.md", &[]);
    let before = dir_state(&env.run_dir(&id));
    // A filled cell, the status column, an unknown column, a task without table, an empty value.
    for (item, column, value, needle) in [
        ("replication", "Last Success", "x", "its fields: Notes"),
        ("backup", "Status", "x", "its fields: Last Success, Notes"),
        ("backup", "Owner", "x", "no field Owner"),
        ("tell the on-call", "Notes", "x", "it has none"),
        ("backup", "Notes", "  ", "must not be empty"),
    ] {
        let (code, _, err) = env.run(&["field", &id, item, column, value]);
        assert_eq!(code, 1, "{item} {column}: {err}");
        assert!(err.contains(needle), "{item} {column}: {err}");
    }
    assert_eq!(dir_state(&env.run_dir(&id)), before);
    env.ok(&["abort", &id, "--reason", "cancelled"]);
    let (code, _, err) = env.run(&["field", &id, "backup", "Notes", "late"]);
    assert_eq!(code, 1);
    assert!(err.contains("aborted"), "{err}");
}

#[test]
fn placeholders_are_variables_named_by_their_label() {
    let env = Env::new();
    let id = env.start("checks.md", &["--var", "Deployment Lead=Dana"]);
    let (_, _, err) = env.run(&["status", &id]);
    assert!(!err.contains("Deployment Lead"), "{err}");
    // Each [Name] is its own variable; the label is the name, in any case.
    env.ok(&["set", &id, "on-call engineer", "Sam"]);
    let s = env.status_json(&id);
    assert_eq!(s["run"]["variables"]["Deployment Lead"], "Dana");
    assert_eq!(s["run"]["variables"]["On-Call Engineer"], "Sam");
    let (code, _, err) = env.run(&["set", &id, "Name", "x"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Deployment Lead") && err.contains("On-Call Engineer"),
        "{err}"
    );
    // `start` names the ones still without a value.
    let copy = env.template_copy("checks.md");
    let (code, _, err) = env.run(&["start", copy.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(err.contains("Deployment Lead, On-Call Engineer"), "{err}");
}

#[test]
fn a_metadata_line_with_a_placeholder_shows_the_value_in_the_report_header() {
    // `**Deployment Lead:** [Name]` before the first item is metadata with a clean key and a
    // variable named by its label: the header shows the value the run set, the other one as written.
    let env = Env::new();
    let id = env.start("checks.md", &["--var", "Deployment Lead=Dana"]);
    let json: Value = serde_json::from_str(&env.ok(&["report", &id, "--format", "json"])).unwrap();
    let meta = json["metadata"].as_array().unwrap();
    let value = |key: &str| {
        meta.iter()
            .find(|m| m["name"] == key)
            .unwrap_or_else(|| panic!("no metadata {key}: {json}"))["value"]
            .clone()
    };
    assert_eq!(value("Deployment Lead"), "Dana");
    assert_eq!(value("On-Call Engineer"), "[Name]");
    let md = env.ok(&["report", &id, "--format", "md"]);
    assert!(
        md.lines()
            .any(|l| l.contains("Deployment Lead") && l.contains("Dana") && !l.contains("[Name]")),
        "{md}"
    );
    env.ok(&["set", &id, "on-call engineer", "Sam"]);
    let html = env.ok(&["report", &id, "--format", "html"]);
    assert!(html.contains("Sam"), "{html}");
}

#[test]
fn steps_given_at_start_stay_with_the_run() {
    let env = Env::new();
    let plain = env.start("procedure.md", &[]);
    assert_eq!(
        env.status_json(&plain)["items"].as_array().unwrap().len(),
        1
    );
    let id = env.start("procedure.md", &["--steps"]);
    let s = env.status_json(&id);
    assert_eq!(s["items"].as_array().unwrap().len(), 3, "{s}");
    env.ok(&["tick", &id, "promote the replica"]);
    // Re-opened (from the journal, without the snapshot): still three items, the tick on a step.
    let _ = std::fs::remove_file(env.run_dir(&id).join("state.toml"));
    let s = env.status_json(&id);
    assert_eq!(item(&s, "Promote the replica")["state"], "done");
    assert!(s["orphans"].as_array().unwrap().is_empty());
    let journal = std::fs::read_to_string(env.run_dir(&id).join("journal.jsonl")).unwrap();
    let start: Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    assert_eq!(start["change"]["steps"], true);
    assert_eq!(start["change"]["rules"], runsheet::template::LOADER_RULES);
    // validate takes the flag too.
    let copy = env.template_copy("procedure.md");
    let out = env.ok(&["validate", copy.to_str().unwrap(), "--steps"]);
    assert!(out.contains("3 items"), "{out}");
}

/// Rewrites the journal as an earlier runsheet wrote it: a start event without `rules`.
fn as_rules_1(dir: &Path) {
    support::with_loader_rules(dir, None);
}

#[test]
fn a_run_from_before_keeps_its_items_after_the_upgrade() {
    // A run an earlier runsheet started reads its template copy with the rules it started with:
    // the status row it ticked is still that row (not an orphan), under its old text and id.
    let env = Env::new();
    let id = env.start("checks.md", &[]);
    as_rules_1(&env.run_dir(&id));
    let s = env.status_json(&id);
    let row = item(&s, "Backup");
    assert_eq!(row["text"], "Backup", "rules 1: first column only");
    env.ok(&["tick", &id, "backup"]);
    let s = env.status_json(&id);
    assert_eq!(item(&s, "Backup")["state"], "done");
    assert!(s["orphans"].as_array().unwrap().is_empty(), "{s}");
    env.ok(&["verify", &id]);
    // A run started now reads the row with its description.
    let now = env.start("checks.md", &[]);
    let s = env.status_json(&now);
    assert!(
        item(&s, "Backup")["text"]
            .as_str()
            .unwrap()
            .contains("Nightly backup finished")
    );
}
