//! The loaded run the journal benchmark and `examples/open_once.rs` measure: a 10,000-item template
//! and 20,000 sealed, chained events written straight into its journal.
#![allow(dead_code)]

use runsheet::run::event::{Actor, Change, Event};
use runsheet::store::{OpenRun, StartOptions, Store};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const ITEMS: usize = 10_000;
pub const EVENTS: usize = 20_000;

pub fn template(n: usize) -> String {
    let mut s = String::from("# Bench window\n");
    for i in 0..n {
        if i % 100 == 0 {
            s.push_str(&format!("\n## Section {}\n\n", i / 100));
        }
        s.push_str(&format!(
            "- [ ] Step {i}: restart service {i} and check its health endpoint\n"
        ));
    }
    s
}

pub fn actor() -> Actor {
    Actor {
        user: "bench".into(),
        host: "localhost".into(),
        name: "Bench Operator".into(),
    }
}

pub fn new_run(root: &Path) -> OpenRun {
    let tpl = root.join("bench.md");
    std::fs::write(&tpl, template(ITEMS)).expect("template");
    let store = Store::at(&root.join("data"));
    store
        .create(
            &tpl,
            &StartOptions::default(),
            &actor(),
            chrono::Local::now().fixed_offset(),
        )
        .expect("create")
}

/// A journal of `EVENTS` events after the start, written directly (sealed and chained).
pub fn loaded_run(root: &Path) -> PathBuf {
    let open = new_run(root);
    let dir = open.dir.clone();
    let mut prev = open.run.head.clone();
    let mut out = String::new();
    let now = chrono::Local::now().fixed_offset();
    for k in 0..EVENTS {
        let item = open.template.items[k % ITEMS].id.clone();
        let change = if k < ITEMS {
            Change::Tick {
                item,
                note: None,
                after_no_go: false,
            }
        } else if k % 4 == 0 {
            Change::Note {
                item,
                text: format!("checked dashboards, all green ({k})"),
            }
        } else {
            Change::Untick { item, note: None }
        };
        let (ev, line) = Event::seal(k as u64 + 2, now, actor(), change, &prev).expect("seal");
        prev = ev.hash;
        out.push_str(&line);
    }
    let mut f = OpenOptions::new()
        .append(true)
        .open(dir.join("journal.jsonl"))
        .expect("journal");
    f.write_all(out.as_bytes()).expect("write");
    f.sync_all().expect("sync");
    let _ = std::fs::remove_file(dir.join("state.toml"));
    dir
}
