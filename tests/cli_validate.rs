//! `runsheet validate FILE [--json]` as a user runs it: summary and exit status, warnings as
//! `FILE:LINE: message` on stderr, the JSON tree's fields, and clear failures.
#![allow(clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn runsheet() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runsheet"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn validate_json(file: &str) -> Value {
    let out = runsheet()
        .args(["validate", file, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("stdout is JSON")
}

#[test]
fn validate_prints_a_summary_and_exits_zero() {
    runsheet()
        .args(["validate", "tests/fixtures/valid/markers.md"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Marker forms"))
        .stdout(predicate::str::contains("1 sections"))
        .stdout(predicate::str::contains("5 items (2 checked)"))
        .stdout(predicate::str::contains("0 sign-offs"))
        .stdout(predicate::str::contains("0 gates"))
        .stdout(predicate::str::contains("no warnings"))
        .stderr(predicate::str::is_empty());
}

#[test]
fn summary_counts_every_kind() {
    let out = runsheet()
        .args(["validate", "tests/fixtures/valid/signoffs.md"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("5 sign-offs"), "{stdout}");
    let out = runsheet()
        .args(["validate", "tests/fixtures/valid/timed.md"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("4 timed sections"), "{stdout}");
    assert!(stdout.contains("6 sections"), "{stdout}");
    let out = runsheet()
        .args(["validate", "tests/fixtures/valid/variables.md"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("1 code blocks"), "{stdout}");
    assert!(stdout.contains("VERSION"), "{stdout}");
    let out = runsheet()
        .args(["validate", "tests/fixtures/valid/status_table.md"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("13 table items"), "{stdout}");
}

#[test]
fn warnings_go_to_stderr_as_file_line_message() {
    let file = "tests/fixtures/valid/variants.md";
    let out = runsheet().args(["validate", file]).assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 6, "{stderr}");
    for (line, (n, c)) in
        lines
            .iter()
            .zip([(3, '-'), (4, '~'), (5, '/'), (6, '>'), (7, '?'), (8, '!')])
    {
        let prefix = format!("{file}:{n}: ");
        assert!(
            line.starts_with(&prefix),
            "{line:?} should start with {prefix:?}"
        );
        assert!(line.contains(&format!("[{c}]")), "{line}");
    }
}

#[test]
fn repairs_and_control_characters_are_reported() {
    let file = "tests/fixtures/valid/mojibake_cp1252.md";
    runsheet()
        .args(["validate", file])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 mojibake repairs"))
        .stderr(predicate::str::starts_with(format!("{file}:3: ")));
    let file = "tests/fixtures/valid/escapes.md";
    let out = runsheet().args(["validate", file]).assert().success();
    let all = [&out.get_output().stdout[..], &out.get_output().stderr[..]].concat();
    assert!(
        !all.contains(&0x1b) && !all.windows(2).any(|w| w == [0xC2, 0x9B]),
        "no raw escape reaches the terminal"
    );
}

fn assert_keys(v: &Value, what: &str, keys: &[&str]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is an object: {v}"));
    for k in keys {
        assert!(obj.contains_key(*k), "{what} lacks {k:?}: {v}");
    }
}

fn is_int(v: &Value) -> bool {
    v.as_u64().is_some()
}

fn is_str_or_null(v: &Value) -> bool {
    v.is_string() || v.is_null()
}

fn check_item(item: &Value) {
    assert_keys(
        item,
        "item",
        &[
            "id", "text", "line", "kind", "origin", "checked", "role", "code", "items",
        ],
    );
    assert!(item["id"].as_str().is_some_and(|s| !s.is_empty()), "{item}");
    assert!(item["text"].is_string(), "{item}");
    assert!(is_int(&item["line"]), "{item}");
    assert!(
        matches!(item["kind"].as_str(), Some("task" | "signoff" | "gate")),
        "{item}"
    );
    assert!(
        matches!(item["origin"].as_str(), Some("list" | "table" | "line")),
        "{item}"
    );
    assert!(item["checked"].is_boolean(), "{item}");
    assert!(is_str_or_null(&item["role"]), "{item}");
    for code in item["code"].as_array().expect("code is an array") {
        assert_keys(code, "code", &["lang", "text"]);
        assert!(
            is_str_or_null(&code["lang"]) && code["text"].is_string(),
            "{code}"
        );
    }
    for child in item["items"].as_array().expect("items is an array") {
        check_item(child);
    }
}

fn check_section(s: &Value) {
    assert_keys(
        s,
        "section",
        &[
            "title",
            "level",
            "line",
            "planned_time",
            "items",
            "sections",
        ],
    );
    assert!(s["title"].is_string(), "{s}");
    assert!(is_int(&s["level"]) && is_int(&s["line"]), "{s}");
    assert!(is_str_or_null(&s["planned_time"]), "{s}");
    for i in s["items"].as_array().expect("items is an array") {
        check_item(i);
    }
    for c in s["sections"].as_array().expect("sections is an array") {
        check_section(c);
    }
}

fn check_document(doc: &Value) {
    assert_keys(
        doc,
        "document",
        &["title", "variables", "warnings", "stats", "sections"],
    );
    assert!(doc["title"].is_string());
    for v in doc["variables"].as_array().expect("variables") {
        assert_keys(v, "variable", &["name", "line"]);
        assert!(v["name"].is_string() && is_int(&v["line"]), "{v}");
    }
    for w in doc["warnings"].as_array().expect("warnings") {
        assert_keys(w, "warning", &["line", "message"]);
        assert!(is_int(&w["line"]) && w["message"].is_string(), "{w}");
    }
    let stats = [
        "sections",
        "items",
        "checked",
        "signoffs",
        "gates",
        "code_blocks",
        "table_items",
        "timed_sections",
        "repairs",
    ];
    assert_keys(&doc["stats"], "stats", &stats);
    for k in stats {
        assert!(is_int(&doc["stats"][k]), "stats.{k}: {}", doc["stats"]);
    }
    for s in doc["sections"].as_array().expect("sections") {
        check_section(s);
    }
}

/// Every item of the nested tree, depth first.
fn all_items(doc: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut sections: Vec<&Value> = doc["sections"]
        .as_array()
        .map(|a| a.iter().rev().collect())
        .unwrap_or_default();
    while let Some(s) = sections.pop() {
        let mut items: Vec<&Value> = s["items"]
            .as_array()
            .map(|a| a.iter().rev().collect())
            .unwrap_or_default();
        while let Some(i) = items.pop() {
            out.push(i);
            items.extend(
                i["items"]
                    .as_array()
                    .map(|a| a.iter().rev())
                    .into_iter()
                    .flatten(),
            );
        }
        sections.extend(
            s["sections"]
                .as_array()
                .map(|a| a.iter().rev())
                .into_iter()
                .flatten(),
        );
    }
    out
}

#[test]
fn json_has_the_documented_fields_for_every_fixture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let doc = validate_json(path.to_str().expect("utf-8 path"));
        check_document(&doc);
        let items = all_items(&doc);
        assert_eq!(
            doc["stats"]["items"].as_u64(),
            Some(items.len() as u64),
            "{}: every item appears once in the tree",
            path.display()
        );
    }
}

#[test]
fn json_values_for_a_timed_checklist() {
    let doc = validate_json("tests/fixtures/valid/timed.md");
    assert_eq!(doc["title"], "Window");
    let top = &doc["sections"][0];
    assert_eq!(top["title"], "Window");
    assert_eq!(top["level"], 1);
    assert_eq!(top["planned_time"], Value::Null);
    let times: Vec<(String, Value)> = top["sections"]
        .as_array()
        .expect("subsections")
        .iter()
        .map(|s| {
            (
                s["title"].as_str().unwrap_or("").to_owned(),
                s["planned_time"].clone(),
            )
        })
        .collect();
    assert_eq!(
        times,
        [
            ("08:00 - Deployment Start".to_owned(), Value::from("08:00")),
            ("13:30 Verify".to_owned(), Value::from("13:30")),
        ]
    );
    // `### T-60 min` follows the level-2 `13:30 Verify`, so it nests under it.
    let verify = &top["sections"][1];
    let nested: Vec<&str> = verify["sections"]
        .as_array()
        .expect("nested")
        .iter()
        .filter_map(|s| s["planned_time"].as_str())
        .collect();
    assert_eq!(nested, ["T-60m", "T+15m"]);
    assert_eq!(doc["stats"]["timed_sections"], 4);
}

#[test]
fn json_values_for_items_code_tables_signoffs_and_gates() {
    let doc = validate_json("tests/fixtures/valid/bodies.md");
    let items = all_items(&doc);
    assert_eq!(items[0]["text"], "Restart the gateway");
    assert_eq!(items[0]["kind"], "task");
    assert_eq!(items[0]["origin"], "list");
    assert_eq!(items[0]["checked"], false);
    assert_eq!(items[0]["role"], Value::Null);
    assert_eq!(items[0]["line"], 3);
    assert_eq!(items[0]["code"][0]["lang"], "bash");
    assert_eq!(
        items[0]["code"][0]["text"],
        "systemctl restart gateway\ncurl -fsS http://localhost:8080/healthz\n"
    );
    assert_eq!(items[3]["code"][0]["lang"], Value::Null);

    let doc = validate_json("tests/fixtures/valid/status_table.md");
    let first = all_items(&doc)[0];
    assert_eq!(first["origin"], "table");
    assert_eq!(first["text"], "Freeze merges");
    assert_eq!(first["checked"], true);

    let doc = validate_json("tests/fixtures/valid/signoffs.md");
    let first = all_items(&doc)[0];
    assert_eq!(first["kind"], "signoff");
    assert_eq!(first["role"], "Tech Lead");
    assert_eq!(first["text"], "Tech Lead");

    let doc = validate_json("tests/fixtures/valid/gates.md");
    let gates: Vec<&str> = all_items(&doc)
        .into_iter()
        .filter(|i| i["kind"] == "gate")
        .filter_map(|i| i["text"].as_str())
        .collect();
    assert_eq!(gates.len(), 5, "{gates:?}");
    assert_eq!(gates[0], "Go/No-Go Decision");

    let doc = validate_json("tests/fixtures/valid/nesting.md");
    let top = &doc["sections"][0]["items"][0];
    assert_eq!(top["text"], "Level zero");
    assert_eq!(top["items"][0]["text"], "Level one");
    assert_eq!(top["items"][0]["items"][0]["items"][0]["checked"], true);
}

#[test]
fn json_warnings_and_variables() {
    let doc = validate_json("tests/fixtures/valid/variants.md");
    let lines: Vec<u64> = doc["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["line"].as_u64())
        .collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8]);

    let doc = validate_json("tests/fixtures/valid/variables.md");
    let vars: Vec<(String, u64)> = doc["variables"]
        .as_array()
        .expect("variables")
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or("").to_owned(),
                v["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    for want in [("VERSION", 1), ("ENVIRONMENT", 6), ("IMAGE_TAG", 9)] {
        assert!(
            vars.contains(&(want.0.to_owned(), want.1)),
            "{want:?} in {vars:?}"
        );
    }

    let doc = validate_json("tests/fixtures/valid/mojibake_macroman.md");
    assert_eq!(doc["stats"]["repairs"], 2);
}

#[test]
fn invalid_files_fail_with_a_message_naming_file_and_place() {
    for (file, needles) in [
        (
            "tests/fixtures/invalid/invalid_utf8.md",
            &["UTF-8", "byte 20", "line 3"][..],
        ),
        (
            "tests/fixtures/invalid/binary.md",
            &["binary", "byte 14", "line 3"][..],
        ),
        ("tests/fixtures/invalid/empty.md", &["empty"][..]),
        ("tests/fixtures/invalid/whitespace.md", &["empty"][..]),
        (
            "tests/fixtures/invalid/no_items.md",
            &["no checklist items"][..],
        ),
    ] {
        for json in [false, true] {
            let mut cmd = runsheet();
            cmd.args(["validate", file]);
            if json {
                cmd.arg("--json");
            }
            let out = cmd.assert().failure().code(1);
            let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
            assert!(stderr.contains(file), "{file}: {stderr}");
            for n in needles {
                assert!(stderr.contains(n), "{file}: {n:?} in {stderr}");
            }
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert!(
                out.get_output().stdout.is_empty(),
                "{file}: nothing on stdout"
            );
        }
    }
}

#[test]
fn a_missing_file_fails_naming_it() {
    runsheet()
        .args(["validate", "tests/fixtures/no-such-checklist.md"])
        .assert()
        .failure()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "tests/fixtures/no-such-checklist.md",
        ))
        .stderr(predicate::str::contains("No such file").or(predicate::str::contains("not found")));
}

#[test]
fn a_directory_fails_cleanly() {
    runsheet()
        .args(["validate", "tests/fixtures"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("tests/fixtures"));
}

#[test]
fn missing_argument_is_a_usage_error() {
    runsheet()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("FILE").or(predicate::str::contains("file")));
}
