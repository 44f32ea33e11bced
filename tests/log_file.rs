//! The log file in the data dir: what a command leaves there, the levels, and that it never
//! follows a planted link nor stops a command it cannot write.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod helpers;

use helpers::Env;
use std::path::PathBuf;

fn logs(env: &Env) -> Vec<PathBuf> {
    std::fs::read_dir(env.data().join("logs"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

fn log_text(env: &Env) -> String {
    logs(env)
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[test]
fn commands_leave_their_start_exit_and_run_id_in_the_log() {
    let env = Env::new();
    let id = env.start("kinds.md", &[]);
    let (code, _, _) = env.run(&["tick", &id, "no such item at all"]);
    assert_eq!(code, 1);
    let files = logs(&env);
    assert_eq!(files.len(), 1, "one file per user and day: {files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("runsheet-") && name.ends_with(".log"),
        "{name}"
    );
    let text = log_text(&env);
    assert!(text.contains("command=\"start\""), "{text}");
    assert!(text.contains(&format!("run={id}")), "the run id: {text}");
    assert!(text.contains("run started"), "{text}");
    assert!(text.contains("no item matches"), "the error: {text}");
    assert!(text.contains("status=1"), "the exit status: {text}");
    let out = env.ok(&["config"]);
    assert!(
        out.contains(&format!("log: {}", files[0].display())),
        "config says where: {out}"
    );
}

#[test]
fn the_level_decides_what_is_written() {
    let env = Env::new();
    let id = env.start("kinds.md", &["--log-level", "off"]);
    assert!(logs(&env).is_empty(), "off writes nothing");
    env.ok(&["--log-level", "warn", "status", &id]);
    assert!(
        !log_text(&env).contains("command=\"status\""),
        "warn leaves out the start and exit lines"
    );
    let item = {
        let s = env.status_json(&id);
        s["items"][0]["id"].as_str().unwrap().to_owned()
    };
    env.ok(&["--log-level", "debug", "tick", &id, &item]);
    let text = log_text(&env);
    assert!(text.contains("command=\"tick\""), "{text}");
    let out = env.ok(&["--log-level", "off", "config"]);
    assert!(out.contains("log: none (off"), "{out}");
}

#[test]
fn a_planted_link_as_the_log_dir_is_not_followed_and_the_command_still_works() {
    let env = Env::new();
    let id = env.start("kinds.md", &["--log-level", "off"]);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(env.data().join("logs")).ok();
    std::os::unix::fs::symlink(elsewhere.path(), env.data().join("logs")).unwrap();
    env.ok(&["status", &id]);
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "nothing written through the link"
    );
    let out = env.ok(&["config"]);
    assert!(out.contains("is a link: not followed"), "{out}");
}
