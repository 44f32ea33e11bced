//! The run dir on disk: permissions under umask 000, damaged and hand-edited snapshots, schema
//! versions, template drift and re-base.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use runsheet::run::event::{Event, GENESIS};
use runsheet::store::OpenRun;
use runsheet::store::open::{LoadPolicy, SnapshotState};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support::{Env, dir_state};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn private_permissions_whatever_the_umask() {
    let env = Env::new();
    let tpl = env.template_copy("small.md");
    let run = |args: &str| {
        let c = env.cmd();
        let mut sh = std::process::Command::new("sh");
        sh.envs(c.get_envs().filter_map(|(k, v)| Some((k, v?))));
        sh.arg("-c")
            .arg(format!("umask 000; exec {} {args}", support::BIN));
        let out = sh.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let id = run(&format!("start '{}'", tpl.display()));
    run(&format!("tick {id} warn"));
    run(&format!(
        "report {id} -o '{}'",
        env.tmp.path().join("rep.md").display()
    ));
    assert_eq!(mode(&env.data()), 0o700);
    assert_eq!(mode(&env.data().join("runs")), 0o700);
    let dir = env.run_dir(&id);
    assert_eq!(mode(&dir), 0o700);
    for f in ["journal.jsonl", "state.toml", "template.md", "lock"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    assert_eq!(mode(&env.tmp.path().join("rep.md")), 0o600);
}

#[test]
fn damaged_snapshot_is_reported_with_line_and_column_and_left_alone() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    env.ok(&["tick", &id, "warn"]);
    let state = env.run_dir(&id).join("state.toml");
    let text = std::fs::read_to_string(&state).unwrap();
    let broken = text.replacen("seq = ", "seq = [", 1);
    std::fs::write(&state, &broken).unwrap();
    let (code, _, err) = env.run(&["status", &id]);
    assert_eq!(code, 0);
    assert!(
        err.contains("state.toml:") && err.contains("repair-state"),
        "{err}"
    );
    let line = broken
        .lines()
        .position(|l| l.starts_with("seq = ["))
        .unwrap()
        + 1;
    // The parser reports where it noticed: the broken line or the next.
    assert!(
        err.contains(&format!("state.toml:{line}:"))
            || err.contains(&format!("state.toml:{}:", line + 1)),
        "line {line} in {err}"
    );
    // Changes still work (journal), and the damaged file is not touched.
    env.ok(&["tick", &id, "flush"]);
    assert_eq!(std::fs::read_to_string(&state).unwrap(), broken);
    assert_eq!(env.status_json(&id)["progress"]["done"], 2);
    let out = env.ok(&["repair-state", &id]);
    assert!(out.contains("kept as"), "{out}");
    let kept: Vec<_> = std::fs::read_dir(env.run_dir(&id))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("state.toml.damaged-")
        })
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read_to_string(kept[0].path()).unwrap(), broken);
    let open = OpenRun::open_with(&env.run_dir(&id), LoadPolicy::PreferSnapshot).unwrap();
    assert_eq!(open.snapshot, SnapshotState::Used);
}

#[test]
fn hand_edited_or_truncated_snapshot_loses_to_the_journal() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    env.ok(&["tick", &id, "warn"]);
    let dir = env.run_dir(&id);
    let state = dir.join("state.toml");
    let text = std::fs::read_to_string(&state).unwrap();
    // Hand edit: mark the item open again in the snapshot.
    let edited = text.replacen("state = \"done\"", "state = \"open\"", 1);
    assert_ne!(edited, text);
    std::fs::write(&state, &edited).unwrap();
    let open = OpenRun::open_with(&dir, LoadPolicy::PreferSnapshot).unwrap();
    assert!(
        matches!(open.snapshot, SnapshotState::Damaged(ref m) if m.contains("by hand")),
        "{:?}",
        open.snapshot
    );
    assert_eq!(env.status_json(&id)["items"][0]["state"], "done");
    // Truncated at every tenth byte: always loads, always from the journal.
    for cut in (0..text.len()).step_by(10) {
        std::fs::write(&state, &text[..cut]).unwrap();
        let open = OpenRun::open_with(&dir, LoadPolicy::PreferSnapshot)
            .unwrap_or_else(|e| panic!("cut {cut}: {e}"));
        assert_eq!(open.run.seq, 2, "cut {cut}");
        assert_ne!(open.snapshot, SnapshotState::Used, "cut {cut}");
    }
    // A snapshot behind the journal is used plus the events after it.
    std::fs::write(&state, &text).unwrap();
    let before = dir_state(&dir);
    let j = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    let _ = before;
    env.ok(&["tick", &id, "flush"]);
    std::fs::write(&state, &text).unwrap();
    let open = OpenRun::open_with(&dir, LoadPolicy::PreferSnapshot).unwrap();
    assert_eq!(open.snapshot, SnapshotState::Used);
    assert_eq!(open.run.seq, 3);
    assert!(
        j.len()
            < std::fs::read_to_string(dir.join("journal.jsonl"))
                .unwrap()
                .len()
    );
}

/// Rewrites the journal with the start event's schema_version set to `v`, re-sealing the chain.
fn set_journal_schema(dir: &Path, v: u32) {
    let path = dir.join("journal.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut prev = GENESIS.to_owned();
    let mut out = String::new();
    for line in text.lines() {
        let mut ev: Event = serde_json::from_str(line).unwrap();
        if let runsheet::run::event::Change::Start { schema_version, .. } = &mut ev.change {
            *schema_version = v;
        }
        let (sealed, l) = Event::seal(ev.seq, ev.at, ev.by, ev.change, &prev).unwrap();
        prev = sealed.hash;
        out.push_str(&l);
    }
    std::fs::write(&path, out).unwrap();
    let _ = std::fs::remove_file(dir.join("state.toml"));
}

#[test]
fn newer_schema_opens_read_only_and_a_snapshot_without_schema_is_damage() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    env.ok(&["tick", &id, "warn"]);
    let dir = env.run_dir(&id);

    // A snapshot without schema_version: runsheet never wrote one (every release declares 1 or
    // more), so it is damage: ignored, left as it is, and rebuilt only by `repair-state`.
    let state = dir.join("state.toml");
    let text = std::fs::read_to_string(&state).unwrap();
    let old: String = text
        .lines()
        .filter(|l| !l.starts_with("schema_version"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&state, &old).unwrap();
    assert!(matches!(
        OpenRun::open_with(&dir, LoadPolicy::PreferSnapshot)
            .unwrap()
            .snapshot,
        SnapshotState::Damaged(ref m) if m.contains("schema_version")
    ));
    env.ok(&["tick", &id, "flush"]);
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        old,
        "left as it is"
    );
    env.ok(&["repair-state", &id]);
    let migrated = std::fs::read_to_string(&state).unwrap();
    let current = format!("schema_version = {}", runsheet::run::SCHEMA_VERSION);
    assert!(migrated.contains(&current), "{migrated}");
    assert_eq!(
        OpenRun::open_with(&dir, LoadPolicy::PreferSnapshot)
            .unwrap()
            .snapshot,
        SnapshotState::Used
    );

    // Newer snapshot → read-only.
    std::fs::write(&state, migrated.replacen(&current, "schema_version = 7", 1)).unwrap();
    let before = dir_state(&dir);
    let (code, _, err) = env.run(&["tick", &id, "hit"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("schema_version 7") && err.contains("up to 2"),
        "{err}"
    );
    assert_eq!(dir_state(&dir), before);

    // Newer journal → read-only, still readable.
    set_journal_schema(&dir, 9);
    let before = dir_state(&dir);
    let s = env.status_json(&id);
    assert_eq!(s["run"]["read_only"], true);
    assert_eq!(s["progress"]["done"], 2);
    let (code, _, err) = env.run(&["tick", &id, "hit"]);
    assert_eq!(code, 3);
    assert!(
        err.contains("schema_version 9") && err.contains("up to 2"),
        "{err}"
    );
    assert_eq!(dir_state(&dir), before);
}

#[test]
fn a_run_started_at_schema_1_is_read_and_takes_every_change() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    let dir = env.run_dir(&id);
    env.ok(&["tick", &id, "warn"]);
    set_journal_schema(&dir, 1);
    let s = env.status_json(&id);
    assert_eq!(s["run"]["read_only"], false, "{s}");
    assert_eq!(s["progress"]["done"], 1);
    // A change of a kind that came with schema 2 goes into the schema-1 run.
    env.ok(&["hold", &id, "--reason", "waiting for the DBA"]);
    env.ok(&["hold", &id, "--release", "--reason", "DBA is back"]);
    env.ok(&["tick", &id, "flush"]);
    env.ok(&["verify", &id]);
    let state = std::fs::read_to_string(dir.join("state.toml")).unwrap();
    assert!(
        state.contains(&format!(
            "schema_version = {}",
            runsheet::run::SCHEMA_VERSION
        )),
        "the snapshot is this build's: {state}"
    );
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    assert!(
        journal
            .lines()
            .next()
            .unwrap()
            .contains("\"schema_version\":1"),
        "the start event keeps what the run began with"
    );
    assert!(journal.contains("\"type\":\"hold\""));
}

#[test]
fn new_runs_declare_this_builds_schema() {
    let env = Env::new();
    let id = env.start("small.md", &[]);
    let journal = std::fs::read_to_string(env.run_dir(&id).join("journal.jsonl")).unwrap();
    assert!(
        journal.contains(&format!(
            "\"schema_version\":{}",
            runsheet::run::SCHEMA_VERSION
        )),
        "{journal}"
    );
    assert_eq!(runsheet::run::SCHEMA_VERSION, 2);
}

#[test]
fn drift_is_reported_and_rebase_keeps_orphans() {
    let env = Env::new();
    let id = env.start("kinds.md", &[]);
    let tpl = env.template_copy("kinds.md");
    env.ok(&["tick", &id, "stop the writer"]);
    env.ok(&["skip", &id, "stop the reader", "--reason", "not running"]);
    env.ok(&["note", &id, "restart", "waiting for the writer"]);
    let s = env.status_json(&id);
    assert_eq!(s["run"]["drift"], false);
    let writer_id = s["items"][0]["id"].as_str().unwrap().to_owned();

    // Edit the original: reword the reader step, drop "Restart the reader", add a step.
    let text = std::fs::read_to_string(&tpl).unwrap();
    let new = text
        .replace("- [ ] Stop the reader\n", "- [ ] Stop the reader process\n")
        .replace(
            "- [ ] Restart the reader\n",
            "- [ ] Check replication lag\n",
        );
    std::fs::write(&tpl, &new).unwrap();
    let s = env.status_json(&id);
    assert_eq!(s["run"]["drift"], true);
    assert!(s["run"]["drift_sha256"].is_string());
    let (_, _, err) = env.run(&["status", &id]);
    assert!(
        err.contains("changed since the run started") && err.contains("rebase"),
        "{err}"
    );

    let dry = env.ok(&["rebase", &id, "--dry-run"]);
    assert!(dry.contains("2 with progress become orphaned"), "{dry}");
    assert_eq!(
        env.status_json(&id)["run"]["drift"],
        true,
        "dry run changes nothing"
    );
    env.ok(&["rebase", &id]);
    let s = env.status_json(&id);
    assert_eq!(s["run"]["drift"], false);
    assert_ne!(s["run"]["base_sha256"], s["run"]["template_sha256"]);
    let items = s["items"].as_array().unwrap();
    assert_eq!(items[0]["id"], writer_id.as_str());
    assert_eq!(items[0]["state"], "done", "progress kept by stable id");
    assert_eq!(items[1]["text"], "Stop the reader process");
    assert_eq!(items[1]["state"], "open");
    let orphans = s["orphans"].as_array().unwrap();
    assert_eq!(orphans.len(), 2, "{orphans:?}");
    let reader = orphans
        .iter()
        .find(|o| o["text"] == "Stop the reader")
        .unwrap();
    assert_eq!(reader["state"], "skipped");
    assert_eq!(reader["reason"], "not running");
    assert_eq!(reader["orphaned"], true);
    assert_eq!(reader["section"], "Steps");
    let restart = orphans
        .iter()
        .find(|o| o["text"] == "Restart the reader")
        .unwrap();
    assert_eq!(restart["notes"][0]["text"], "waiting for the writer");
    let out = env.ok(&["status", &id]);
    assert!(out.contains("Orphaned"), "{out}");
    let md = env.ok(&["report", &id]);
    assert!(
        md.contains("## Orphaned items") && md.contains("Stop the reader"),
        "{md}"
    );
    assert!(env.ok(&["verify", &id]).starts_with("intact"));
    // The original can disappear: the run is self-contained.
    std::fs::remove_file(&tpl).unwrap();
    env.ok(&["tick", &id, "stop the reader process"]);
    assert_eq!(env.status_json(&id)["progress"]["done"], 2);
}
