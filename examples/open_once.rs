//! One `OpenRun::open` of a 10,000-item run with 20,000 events, for instruction counts
//! (`bench/open-callgrind.sh`: valgrind's callgrind counts only `open_once::measure`).
//!
//! `open_once make DIR` writes the run under `DIR` (the journal bench's generator: the same
//! template and events); `open_once open DIR` opens it once.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::run::event::{Actor, Change, Event};
use runsheet::store::{OpenRun, StartOptions, Store};
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

const ITEMS: usize = 10_000;
const EVENTS: usize = 20_000;

fn actor() -> Actor {
    Actor {
        user: "bench".into(),
        host: "localhost".into(),
        name: "Bench Operator".into(),
    }
}

fn make(root: &Path) -> PathBuf {
    let mut s = String::from("# Bench window\n");
    for i in 0..ITEMS {
        if i % 100 == 0 {
            s.push_str(&format!("\n## Section {}\n\n", i / 100));
        }
        s.push_str(&format!(
            "- [ ] Step {i}: restart service {i} and check its health endpoint\n"
        ));
    }
    let tpl = root.join("bench.md");
    std::fs::write(&tpl, s).expect("template");
    let now = chrono::Local::now().fixed_offset();
    let open = Store::at(&root.join("data"))
        .create(&tpl, &StartOptions::default(), &actor(), now)
        .expect("create");
    let mut prev = open.run.head.clone();
    let mut out = String::new();
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
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(open.dir.join("journal.jsonl"))
        .expect("journal");
    f.write_all(out.as_bytes()).expect("write");
    let _ = std::fs::remove_file(open.dir.join("state.toml"));
    open.dir.clone()
}

#[inline(never)]
fn measure(dir: &Path) -> u64 {
    let o = OpenRun::open(dir).expect("open");
    let seq = o.run.seq;
    std::mem::forget(black_box(o));
    seq
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("make"), Some(root)) => println!("{}", make(Path::new(root)).display()),
        (Some("open"), Some(dir)) => println!("seq {}", measure(Path::new(dir))),
        _ => panic!("usage: open_once make ROOT | open_once open RUN_DIR"),
    }
}
