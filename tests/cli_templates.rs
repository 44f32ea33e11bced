//! Shipped templates, `templates`, `new`, `completions`, `man`: every built-in walked end to end
//! (start, tick everything, sign, decide gates, finish, report) through the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use runsheet::catalog::BUILTINS;
use support::Env;

#[test]
fn templates_lists_every_builtin_with_title_and_count() {
    let env = Env::new();
    let out = env.ok(&["templates"]);
    for b in BUILTINS {
        assert!(out.contains(b.name), "{} missing from:\n{out}", b.name);
    }
    assert!(
        out.contains("28 items  Production deployment window"),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["templates", "--json"])).expect("json");
    let list = json.as_array().expect("array");
    assert_eq!(list.len(), BUILTINS.len());
    assert!(
        list.iter()
            .all(|e| e["source"] == "built-in" && e["items"].as_u64().unwrap_or(0) >= 10)
    );
}

#[test]
fn user_templates_are_listed_and_startable_by_name() {
    let env = Env::new();
    let dir = env.tmp.path().join("config/runsheet/templates");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("dr-drill.md"),
        "# DR drill\n\n- [ ] Fail over the primary\n- [ ] Fail back\n",
    )
    .expect("write");
    let out = env.ok(&["templates"]);
    assert!(
        out.contains("dr-drill") && out.contains("user") && out.contains("2 items  DR drill"),
        "{out}"
    );
    let id = env.ok(&["start", "dr-drill"]).trim().to_owned();
    let status = env.status_json(&id);
    assert_eq!(status["progress"]["total"], 2);
}

#[test]
fn new_writes_a_copy_and_refuses_to_overwrite() {
    let env = Env::new();
    let target = env.tmp.path().join("my-release.md");
    let t = target.to_str().expect("utf-8 path");
    env.ok(&["new", "release", "-o", t]);
    let written = std::fs::read_to_string(&target).expect("copy written");
    assert_eq!(written, BUILTINS[1].text);
    let (code, _, err) = env.run(&["new", "release", "-o", t]);
    assert_eq!(code, 1);
    assert!(err.contains("exists") && err.contains("--force"), "{err}");
    env.ok(&["new", "release", "-o", t, "--force"]);
    let (code, _, err) = env.run(&["new", "no-such-template"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("deployment-window"),
        "lists the built-ins: {err}"
    );
}

#[test]
fn completions_and_man_page_are_generated() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = env.ok(&["completions", shell]);
        assert!(
            out.contains("runsheet") && out.contains("validate"),
            "{shell}"
        );
    }
    let man = env.ok(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH runsheet 1"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(
        man.contains(".TH runsheet-start"),
        "subcommand pages included"
    );
}

#[test]
fn every_shipped_template_can_be_walked_to_completion() {
    let env = Env::new();
    for b in BUILTINS {
        let t = runsheet::template::parse_str(b.name, b.text).expect("loads");
        let mut args = vec!["start".to_owned(), b.name.to_owned()];
        for v in t.mustache_variables() {
            args.push("--var".to_owned());
            args.push(format!("{v}=x-{v}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let id = env.ok(&args).trim().to_owned();
        for item in &t.items {
            let cmd: Vec<&str> = match item.kind {
                runsheet::model::ItemKind::Task => vec!["tick", &id, item.id.as_str()],
                runsheet::model::ItemKind::Signoff => {
                    vec!["sign", &id, item.id.as_str(), "--as", "Pat Lead"]
                }
                runsheet::model::ItemKind::Gate => vec!["gate", &id, item.id.as_str(), "go"],
            };
            env.ok(&cmd);
        }
        env.ok(&["finish", &id]);
        let status = env.status_json(&id);
        assert_eq!(status["run"]["status"], "completed", "{}", b.name);
        assert_eq!(
            status["progress"]["done"], status["progress"]["total"],
            "{}",
            b.name
        );
        let report = env.ok(&["report", &id, "--format", "md"]);
        assert!(
            report.contains("Pat Lead"),
            "{}: sign-offs in the report",
            b.name
        );
        env.ok(&["verify", &id]);
    }
}
