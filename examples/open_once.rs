//! One `OpenRun::open` of a 10,000-item run with 20,000 events, for instruction counts
//! (`bench/open-callgrind.sh`: valgrind's callgrind counts only `open_once::measure`).
//!
//! `open_once make DIR` writes the run under `DIR` (the journal bench's generator: the same
//! template and events); `open_once open DIR` opens it once.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::store::OpenRun;
use std::hint::black_box;
use std::path::{Path, PathBuf};

#[path = "../benches/support/loaded_run.rs"]
mod loaded;

/// Writes the run under `root`; its directory.
fn make(root: &Path) -> PathBuf {
    loaded::loaded_run(root)
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
