//! The record says only what is true (issue 10): the window's clock, outcomes that name their
//! exceptions, gates with consequences, undo you can see, and the document's context in the
//! reports. Every run here uses a fixed clock (`RUNSHEET_NOW`) and a time zone unlike the runs'
//! own (`TZ`), so nothing depends on the machine's clock or zone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use serde_json::Value;
use support::{Env, dir_state};

/// Runs `runsheet ARGS` at `now`; returns (exit code, stdout, stderr).
fn run_at(env: &Env, now: &str, args: &[&str]) -> (i32, String, String) {
    let out = env
        .cmd()
        .env("RUNSHEET_NOW", now)
        .env("TZ", "Asia/Tokyo")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok_at(env: &Env, now: &str, args: &[&str]) -> String {
    let (code, out, err) = run_at(env, now, args);
    assert_eq!(code, 0, "runsheet {args:?} at {now} failed: {err}\n{out}");
    out
}

fn start_at(env: &Env, fixture: &str, now: &str, extra: &[&str]) -> String {
    let copy = env.template_copy(fixture);
    let mut args = vec!["start", copy.to_str().unwrap()];
    args.extend_from_slice(extra);
    ok_at(env, now, &args).trim().to_owned()
}

fn json_at(env: &Env, now: &str, args: &[&str]) -> Value {
    serde_json::from_str(&ok_at(env, now, args)).unwrap()
}

fn section<'a>(s: &'a Value, title: &str) -> &'a Value {
    s["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["title"] == title)
        .unwrap_or_else(|| panic!("no section {title}"))
}

fn item<'a>(s: &'a Value, text: &str) -> &'a Value {
    s["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"].as_str().unwrap().contains(text))
        .unwrap_or_else(|| panic!("no item {text}"))
}

const AT_2110: &str = "2026-12-02T21:10:00+01:00";

#[test]
fn a_t_minus_run_at_2110_for_a_2200_window_counts_down_and_nothing_is_overdue() {
    let env = Env::new();
    let id = start_at(&env, "t_minus.md", AT_2110, &["--window", "22:00"]);
    let status = ok_at(&env, AT_2110, &["status", &id]);
    assert!(status.contains("T-50m"), "{status}");
    assert!(!status.contains("overdue"), "{status}");
    assert!(
        status.contains("window: 2026-12-02 22:00 UTC+01:00"),
        "{status}"
    );

    let s = json_at(&env, AT_2110, &["status", &id, "--json"]);
    assert_eq!(s["window"]["t"], "T-50m");
    assert_eq!(s["window"]["started"], false);
    assert_eq!(s["window"]["source"], "given");
    assert_eq!(s["window"]["guess"], false);
    // T-120's slot (20:00–21:00) is behind us, but the window has not started: not overdue.
    assert_eq!(
        section(&s, "T-120 Prep")["planned_at"],
        "2026-12-02T20:00:00+01:00"
    );
    for sec in s["sections"].as_array().unwrap() {
        assert_eq!(sec["overdue"], false, "{sec}");
    }
    let md = ok_at(&env, AT_2110, &["report", &id]);
    assert!(!md.to_lowercase().contains("overdue"), "{md}");
    assert!(md.contains("| T-120 Prep | 20:00–21:00 |"), "{md}");
    assert!(md.contains("window not started"), "{md}");

    // The functions the screen's header uses say the same.
    let open = runsheet::store::OpenRun::open(&env.run_dir(&id)).unwrap();
    let plan = runsheet::run::schedule::Schedule::new(&open.run, &open.template);
    let now = chrono::DateTime::parse_from_rfc3339(AT_2110).unwrap();
    assert_eq!(
        runsheet::app::schedule::window_label(&plan, now),
        "T-50m to 22:00"
    );
    let states = runsheet::app::rows::States::new(&open.run, &open.template);
    let slot = runsheet::app::schedule::current_slot(&plan, &states.sections, now);
    assert!(
        matches!(slot, Some(runsheet::app::schedule::Slot::Next { .. })),
        "{slot:?}"
    );
    // Once the window has started, a slot that ended with work open is overdue.
    let late = "2026-12-02T22:20:00+01:00";
    let s = json_at(&env, late, &["status", &id, "--json"]);
    assert_eq!(s["window"]["t"], "T+20m");
    assert_eq!(section(&s, "T-30 Final checks")["overdue"], true);
    assert_eq!(section(&s, "T+15 Verification")["overdue"], false);
}

#[test]
fn deployment_date_metadata_plans_the_run_on_that_date_in_that_zone() {
    let env = Env::new();
    let copy = env.template_copy("deployment_date.md");
    let v: Value =
        serde_json::from_str(&env.ok(&["validate", copy.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(v["window"]["date"], "2024-12-10");
    assert_eq!(v["window"]["time"], "08:00");
    assert_eq!(v["window"]["zone"], "UTC+07:00");
    assert_eq!(v["window"]["source_line"], 5);
    assert!(
        v["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "Deployment Date" && m["value"] == "December 10, 2024")
    );

    let id = start_at(&env, "deployment_date.md", "2026-01-05T09:00:00+01:00", &[]);
    let s = json_at(
        &env,
        "2026-01-05T09:00:00+01:00",
        &["status", &id, "--json"],
    );
    assert_eq!(s["window"]["start"], "2024-12-10T08:00:00+07:00");
    assert_eq!(s["window"]["zone"], "UTC+07:00");
    assert_eq!(s["window"]["source"], "template");
    assert_eq!(s["window"]["guess"], false);
    assert_eq!(
        section(&s, "08:00 Deploy")["planned_at"],
        "2024-12-10T08:00:00+07:00"
    );
    let verify = section(&s, "08:30 - 09:00 Verify");
    assert_eq!(verify["planned_at"], "2024-12-10T08:30:00+07:00");
    assert_eq!(verify["slot_end"], "2024-12-10T09:00:00+07:00");
}

#[test]
fn clock_headings_roll_over_past_midnight() {
    let env = Env::new();
    let id = start_at(
        &env,
        "midnight.md",
        "2026-12-02T22:30:00+01:00",
        &["--window", "2026-12-02 23:00 Europe/Berlin"],
    );
    let s = json_at(
        &env,
        "2026-12-02T22:30:00+01:00",
        &["status", &id, "--json"],
    );
    assert_eq!(s["window"]["zone"], "Europe/Berlin");
    let planned: Vec<&str> = s["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["planned_at"].as_str())
        .collect();
    assert_eq!(
        planned,
        [
            "2026-12-02T23:00:00+01:00",
            "2026-12-02T23:30:00+01:00",
            "2026-12-03T00:15:00+01:00",
            "2026-12-03T01:00:00+01:00"
        ]
    );
    // 23:30's slot runs to 00:15 on the next day.
    assert_eq!(
        section(&s, "23:30 Copy")["slot_end"],
        "2026-12-03T00:15:00+01:00"
    );
}

#[test]
fn a_dr_drill_with_a_failed_check_finishes_as_completed_with_exceptions() {
    let env = Env::new();
    let now = "2026-12-02T10:00:00+00:00";
    let id = start_at(&env, "dr_drill.md", now, &["--window", "10:00"]);
    for i in [
        "promote",
        "move dns",
        "orders flow",
        "keep traffic",
        "move dns back",
    ] {
        ok_at(&env, now, &["tick", &id, i]);
    }
    ok_at(&env, now, &["gate", &id, "phase 4", "go"]);
    ok_at(
        &env,
        now,
        &[
            "fail",
            &id,
            "payments flow",
            "--note",
            "card auth timed out",
        ],
    );
    let dir = env.run_dir(&id);
    let before = dir_state(&dir);
    let (code, _, err) = run_at(&env, now, &["finish", &id]);
    assert_eq!(code, 1);
    assert!(
        err.contains("1 failed") && err.contains("--accept-exceptions --reason"),
        "{err}"
    );
    assert_eq!(dir_state(&dir), before, "a refused finish changes nothing");
    let (code, _, _) = run_at(&env, now, &["finish", &id, "--accept-exceptions"]);
    assert_eq!(code, 2, "--accept-exceptions needs --reason");
    ok_at(
        &env,
        now,
        &[
            "finish",
            &id,
            "--accept-exceptions",
            "--reason",
            "card auth is a known issue, INC-204",
        ],
    );
    let s = json_at(&env, now, &["status", &id, "--json"]);
    assert_eq!(s["run"]["outcome"], "completed with exceptions: 1 failed");
    assert_eq!(s["run"]["accepted_exceptions"], "1 failed");
    assert_eq!(
        s["run"]["finish_reason"],
        "card auth is a known issue, INC-204"
    );
    assert_eq!(section(&s, "Checks")["failed"], true);
    assert_eq!(section(&s, "Fail over")["failed"], false);
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    let last = journal.lines().last().unwrap();
    assert!(
        last.contains("\"type\":\"finish\"") && last.contains("INC-204"),
        "{last}"
    );
    let md = ok_at(&env, now, &["report", &id]);
    assert!(
        md.contains("**completed with exceptions: 1 failed**"),
        "{md}"
    );
    assert!(md.contains("#### Checks — 2/2 closed ✗ failed"), "{md}");
    let html_path = env.tmp.path().join("drill.html");
    ok_at(
        &env,
        now,
        &[
            "report",
            &id,
            "--format",
            "html",
            "-o",
            html_path.to_str().unwrap(),
        ],
    );
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        html.contains("class=\"actual failed\""),
        "red bar for Checks"
    );
    assert!(html.contains(">✗ Checks<"), "{html}");
    assert!(html.contains("<h4 class=\"failed\">Checks"), "{html}");
}

#[test]
fn after_a_no_go_a_tick_asks_first_and_the_record_flags_it() {
    let env = Env::new();
    let now = "2026-12-02T10:00:00+00:00";
    let id = start_at(&env, "dr_drill.md", now, &["--window", "10:00"]);
    ok_at(&env, now, &["tick", &id, "promote"]);
    let (_, _, err) = run_at(
        &env,
        "2026-12-02T10:05:00+00:00",
        &["gate", &id, "phase 4", "no-go", "--reason", "lag 40s"],
    );
    assert!(
        err.contains("runsheet hold") && err.contains("Rollback") && err.contains("abort"),
        "the NO-GO's consequences are offered: {err}"
    );
    let dir = env.run_dir(&id);
    let before = dir_state(&dir);
    let (code, _, err) = run_at(&env, now, &["tick", &id, "keep traffic"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("NO-GO on “Phase 4 Go/No-Go”") && err.contains("--after-no-go"),
        "{err}"
    );
    assert_eq!(dir_state(&dir), before, "refused: nothing appended");
    // Rolling back is what a NO-GO asks for: no confirmation there.
    ok_at(&env, now, &["tick", &id, "move dns back"]);
    ok_at(
        &env,
        "2026-12-02T10:07:00+00:00",
        &["tick", &id, "keep traffic", "--after-no-go"],
    );
    let s = json_at(&env, now, &["status", &id, "--json"]);
    assert_eq!(
        item(&s, "Keep traffic")["after_no_go"],
        "after NO-GO on “Phase 4 Go/No-Go” (Tester, 10:05)"
    );
    let md = ok_at(&env, now, &["report", &id]);
    assert!(
        md.contains("Keep traffic for an hour — **done** · Tester (")
            && md.contains("· **after NO-GO on “Phase 4 Go/No-Go” (Tester, 10:05)**"),
        "{md}"
    );
    assert!(
        md.contains("## Made after a NO-GO or during a HOLD"),
        "{md}"
    );
    assert!(
        md.contains("| tick (after NO-GO) |"),
        "event log flags it: {md}"
    );

    // HOLD: who, when, why; a tick during it asks too; a resume lifts it, with a reason.
    ok_at(&env, now, &["hold", &id, "--reason", "waiting for the DBA"]);
    let s = json_at(&env, now, &["status", &id, "--json"]);
    assert_eq!(s["run"]["outcome"], "on hold");
    assert_eq!(s["hold"]["reason"], "waiting for the DBA");
    assert_eq!(s["hold"]["gate_text"], "Phase 4 Go/No-Go");
    assert!(ok_at(&env, now, &["status", &id]).contains("HOLD since"));
    let (code, _, err) = run_at(&env, now, &["tick", &id, "orders flow"]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = run_at(&env, now, &["hold", &id, "--reason", "again"]);
    assert_eq!(code, 1, "already on hold: {err}");
    ok_at(
        &env,
        now,
        &[
            "hold",
            &id,
            "--release",
            "--reason",
            "DBA fixed the lag; CAB says go on",
        ],
    );
    let s = json_at(&env, now, &["status", &id, "--json"]);
    assert_eq!(s["run"]["outcome"], "active");
    assert!(s["hold"].is_null());
    ok_at(&env, now, &["tick", &id, "orders flow"]);
    let s = json_at(&env, now, &["status", &id, "--json"]);
    assert!(
        item(&s, "Orders flow")["after_no_go"].is_null(),
        "resolved by the resume"
    );
    let r = json_at(&env, now, &["report", &id, "--format", "json"]);
    let kinds: Vec<&str> = r["holds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["hold", "resume"]);
}

#[test]
fn undo_of_a_go_names_it_asks_and_the_history_shows_it() {
    let env = Env::new();
    let now = "2026-12-02T08:46:00+01:00";
    let id = start_at(&env, "dr_drill.md", "2026-12-02T08:00:00+01:00", &[]);
    ok_at(&env, now, &["gate", &id, "phase 4", "go"]);
    let dry = ok_at(&env, now, &["undo", &id, "--dry-run"]);
    assert_eq!(
        dry.trim(),
        "would undo GO on “Phase 4 Go/No-Go” (you, 08:46)"
    );
    let dir = env.run_dir(&id);
    let before = dir_state(&dir);
    let (code, _, err) = run_at(&env, now, &["undo", &id]);
    assert_eq!(code, 1);
    assert!(
        err.contains("undo GO on “Phase 4 Go/No-Go” (you, 08:46)?") && err.contains("--yes"),
        "{err}"
    );
    assert_eq!(dir_state(&dir), before);
    let out = ok_at(&env, "2026-12-02T08:50:00+01:00", &["undo", &id, "--yes"]);
    assert!(out.contains("undid GO on “Phase 4 Go/No-Go”"), "{out}");
    let r = json_at(&env, now, &["report", &id, "--format", "json"]);
    let gate = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .find(|i| i["kind"] == "gate")
        .unwrap();
    assert_eq!(gate["state"], "open");
    let h = &gate["history"][0];
    assert_eq!(h["state"], "go");
    assert_eq!(h["undone_by"]["by"], "Tester");
    assert_eq!(h["undone_by"]["at"], "2026-12-02T08:50:00+01:00");
    let md = ok_at(&env, now, &["report", &id]);
    assert!(
        md.contains("  - GO by Tester (") && md.contains("— undone by Tester ("),
        "{md}"
    );
    let gate_event = md.lines().find(|l| l.starts_with("| 2 |")).unwrap();
    assert!(
        gate_event.contains("| gate — undone by Tester ("),
        "{gate_event}"
    );
    // A tick needs no confirmation to undo.
    ok_at(&env, now, &["tick", &id, "promote"]);
    ok_at(&env, now, &["undo", &id]);
}

#[test]
fn the_window_can_be_moved_later_with_who_when_and_why() {
    let env = Env::new();
    let now = "2026-12-02T20:00:00+01:00";
    let id = start_at(&env, "t_minus.md", now, &[]);
    let s = json_at(&env, now, &["status", &id, "--json"]);
    assert_eq!(
        s["window"]["guess"], true,
        "no window given: a guess, said so"
    );
    assert!(ok_at(&env, now, &["status", &id]).contains("window (a guess)"));
    let (code, _, err) = run_at(&env, now, &["window", &id, "23:00"]);
    assert_eq!(code, 1);
    assert!(err.contains("--reason"), "{err}");
    let (code, _, err) = run_at(
        &env,
        now,
        &["window", &id, "23:00 Mars/Olympus", "--reason", "x"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("time zone"), "{err}");
    ok_at(
        &env,
        now,
        &[
            "window",
            &id,
            "2026-12-02 23:00",
            "--reason",
            "CAB moved it",
            "--as",
            "Dana",
        ],
    );
    let s = json_at(&env, now, &["status", &id, "--json"]);
    assert_eq!(s["window"]["start"], "2026-12-02T23:00:00+01:00");
    assert_eq!(s["window"]["set_by"]["name"], "Dana");
    assert_eq!(s["window"]["reason"], "CAB moved it");
    assert_eq!(s["window"]["t"], "T-3h00");
    assert_eq!(
        section(&s, "T-60 Check")["planned_at"],
        "2026-12-02T22:00:00+01:00"
    );
    let shown = ok_at(&env, now, &["window", &id]);
    assert!(
        shown.contains("given by Dana") && shown.contains("CAB moved it"),
        "{shown}"
    );
}

#[test]
fn the_markdown_report_escapes_hostile_html() {
    let env = Env::new();
    let now = "2026-12-02T10:00:00+00:00";
    let id = start_at(&env, "small.md", now, &[]);
    let hostile =
        "<script>alert(1)</script> ![x](http://evil.invalid/p.png) <img src=x onerror=alert(2)>";
    ok_at(&env, now, &["note", &id, "warn", hostile]);
    ok_at(
        &env,
        now,
        &[
            "skip",
            &id,
            "flush",
            "--reason",
            "<b>bold</b> & [link](javascript:x)",
        ],
    );
    let md = ok_at(&env, now, &["report", &id]);
    // Every `<` and every `](` the run's text brought is backslash-escaped: no HTML element,
    // link or image can start (the report's own `<br>` in table cells aside).
    for (i, _) in md.match_indices('<') {
        assert!(
            md[..i].ends_with('\\') || md[i..].starts_with("<br>"),
            "unescaped `<` at {i}: {:?}",
            &md[i.saturating_sub(20)..(i + 20).min(md.len())]
        );
    }
    for (i, _) in md.match_indices("](") {
        assert!(md[..i].ends_with('\\'), "a link survived at {i}");
    }
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"), "{md}");
    assert!(md.contains("\\!\\[x\\](http://evil.invalid/p.png)"), "{md}");
}

#[test]
fn reports_keep_the_documents_context() {
    let env = Env::new();
    let now = "2026-12-02T10:00:00+00:00";
    let id = start_at(&env, "phased.md", now, &["--window", "10:00"]);
    ok_at(&env, now, &["tick", &id, "snapshot"]);
    ok_at(
        &env,
        now,
        &[
            "note",
            &id,
            "snapshot",
            "took 4 minutes\nsize 12 GB\n- not a list",
        ],
    );
    ok_at(&env, now, &["tick", &id, "checkout"]);
    ok_at(
        &env,
        now,
        &["sign", &id, "change manager", "--signer", "Dana Lee"],
    );
    let md = ok_at(&env, now, &["report", &id]);
    // Metadata in the header.
    assert!(md.contains("## From the template"), "{md}");
    assert!(md.contains("| Change ticket | CHG-4711 |"), "{md}");
    // The hierarchy: phases and their subsections at real heading levels.
    assert!(md.contains("#### Phase 1: Prepare\n"), "{md}");
    assert!(md.contains("##### Database — 2/2 closed\n"), "{md}");
    assert!(md.contains("##### Services — 1/2 closed\n"), "{md}");
    // Table items as a table with every column and the status.
    assert!(
        md.contains("| Item | Owner | Region | Status | By, when |"),
        "{md}"
    );
    assert!(md.contains("| ledger | core | us | **open** |  |"), "{md}");
    // Section bodies with their code (rollback commands).
    assert!(md.contains("Run these only on a NO-GO:"), "{md}");
    assert!(md.contains("kubectl rollout undo deploy/checkout"), "{md}");
    // Multi-line notes keep their line breaks (and cannot become a list).
    assert!(
        md.contains("took 4 minutes\\\n    size 12 GB\\\n    \\- not a list"),
        "{md}"
    );
    // Pre-checked items are not work done in the window.
    assert!(
        md.contains("Freeze schema changes — **pre-checked in the template**"),
        "{md}"
    );
    assert!(
        md.contains("3 done (1 of them pre-checked in the template)"),
        "{md}"
    );
    // A typed signer name beside who recorded it.
    assert!(md.contains("Dana Lee, recorded by Tester ("), "{md}");
    // Item ids only in the appendix.
    let s = json_at(&env, now, &["status", &id, "--json"]);
    let appendix = md.find("## Appendix: item ids").unwrap();
    for i in s["items"].as_array().unwrap() {
        let id = i["id"].as_str().unwrap();
        assert!(
            md.find(id).is_some_and(|p| p > appendix),
            "{id} appears before the appendix"
        );
    }
    let html_path = env.tmp.path().join("r.html");
    ok_at(
        &env,
        now,
        &[
            "report",
            &id,
            "--format",
            "html",
            "-o",
            html_path.to_str().unwrap(),
        ],
    );
    let html = std::fs::read_to_string(&html_path).unwrap();
    let appendix = html.find("<section id=\"ids\">").unwrap();
    for i in s["items"].as_array().unwrap() {
        let id = i["id"].as_str().unwrap();
        assert!(
            html.find(id).is_some_and(|p| p > appendix),
            "{id} in the HTML body"
        );
    }
    assert!(html.contains("<h5>Database — 2/2 closed</h5>"), "{html}");
    assert!(
        html.contains("<li class=\"note\"><span class=\"who\">note (Tester ("),
        "{html}"
    );
    assert!(
        html.contains("took 4 minutes\nsize 12 GB"),
        "line breaks kept: {html}"
    );
    assert!(
        html.contains("Noto Color Emoji"),
        "an emoji-capable font stack"
    );
}

#[test]
fn list_and_status_count_done_and_closed_apart() {
    let env = Env::new();
    let now = "2026-12-02T10:00:00+00:00";
    let id = start_at(&env, "dr_drill.md", now, &[]);
    ok_at(&env, now, &["tick", &id, "promote"]);
    ok_at(
        &env,
        now,
        &["skip", &id, "move dns back", "--reason", "no rollback"],
    );
    ok_at(
        &env,
        now,
        &["gate", &id, "phase 4", "no-go", "--reason", "lag"],
    );
    let list: Value = serde_json::from_str(&ok_at(&env, now, &["list", "--json"])).unwrap();
    let p = &list[0]["progress"];
    assert_eq!(
        (p["done"].as_u64(), p["closed"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(p["no_go"], 1);
    let s = json_at(&env, now, &["status", &id, "--json"]);
    assert_eq!(s["progress"]["done"], 1);
    assert_eq!(s["progress"]["closed"], 3);
    assert_eq!(s["progress"]["by_state"]["no-go"], 1);
    assert_eq!(s["progress"]["by_state"]["failed"], 0);
    let text = ok_at(&env, now, &["status", &id]);
    assert!(text.contains("failed 0, no-go 1"), "{text}");
}

#[test]
fn front_matter_only_on_the_first_line_and_metadata_lines_have_clean_keys() {
    let t = runsheet::template::parse_str(
        "doc.md",
        "# Release\n\n---\n\n**Document Version:** 1.0  \n**Owner:** sre\nWindow: 2026-12-02 22:00-02:00 CET\n\n---\n\n## Steps\n\n- [ ] go\n",
    )
    .unwrap();
    let keys: Vec<(&str, &str)> = t
        .metadata
        .iter()
        .map(|m| (m.name.as_str(), m.value.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("Document Version", "1.0"),
            ("Owner", "sre"),
            ("Window", "2026-12-02 22:00-02:00 CET")
        ]
    );
    let w = t.window.unwrap();
    assert_eq!(w.zone.map(|z| z.name()).as_deref(), Some("CET"));
    assert_eq!(w.source_line, 7);
    assert!(t.sections.iter().any(|s| s.title == "Steps"));
    let fm = runsheet::template::parse_str(
        "fm.md",
        "---\nwindow: 2026-12-02 22:00\ntimezone: Europe/Berlin\n---\n# T\n- [ ] a\n",
    )
    .unwrap();
    let w = fm.window.unwrap();
    assert_eq!(w.zone.map(|z| z.name()).as_deref(), Some("Europe/Berlin"));
    assert_eq!(w.source_line, 2);
}
