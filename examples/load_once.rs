//! One template load (or one bare pulldown-cmark pass) over the benchmark's generated checklist, for
//! instruction counts that do not move with the machine's load:
//!
//! ```text
//! cargo build --release --example load_once
//! valgrind --tool=callgrind --toggle-collect='load_once::measure*' target/release/examples/load_once 20000 serial
//! valgrind --tool=callgrind --toggle-collect='load_once::measure*' target/release/examples/load_once 20000 bare
//! ```
//!
//! `bench/callgrind.sh` runs both and prints the ratio. The modes: `bare` (pulldown-cmark's event
//! iteration), `load` (a load as `runsheet` does it: for a large file most of the parse on a
//! second thread), `serial` (all of it on the calling thread, `ParseMode::Serial`: the work of
//! one core, and what callgrind counts whole — it follows only the measured thread), `parallel`
//! (a second thread whatever the size), `dump` (prints the generated checklist). Each run prints
//! how long the one load took in a fresh process (first-touch page faults included, as when
//! `runsheet open` loads a file; `bench/oneshot.sh` compares many such runs); `load_once N MODE
//! K` loads K times in one process and prints the median after the first (a loop to `perf
//! record`).
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../benches/support/generate.rs"]
mod generate;

use pulldown_cmark::Parser;
use runsheet::template::{self, parser};
use std::hint::black_box;
use std::io::Write;

/// What one run measures.
#[derive(Clone, Copy, PartialEq)]
enum What {
    /// pulldown-cmark's bare event iteration.
    Bare,
    /// A load as `runsheet` does it (the parse beside the walk on a second core).
    Load,
    /// A load with the parse on the calling thread.
    Serial,
    /// A load with the parse on a second thread whatever the size.
    Parallel,
}

#[inline(never)]
fn measure(text: &str, what: What) -> usize {
    let parse = match what {
        What::Bare => return Parser::new_ext(black_box(text), parser::options()).count(),
        What::Load => template::ParseMode::Auto,
        What::Serial => template::ParseMode::Serial,
        What::Parallel => template::ParseMode::Parallel,
    };
    let opts = template::LoadOptions {
        parse,
        ..template::LoadOptions::default()
    };
    template::parse_str_with("gen.md", black_box(text), opts).map_or(0, |t| t.items.len())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let items: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let mode = args.next();
    let text = generate::generate(items);
    if mode.as_deref() == Some("dump") {
        // The generated checklist itself, to load with `runsheet validate` or keep as a fixture.
        let _ = std::io::stdout().write_all(text.as_bytes());
        return;
    }
    let what = match mode.as_deref() {
        Some("bare") => What::Bare,
        Some("serial") => What::Serial,
        Some("parallel") => What::Parallel,
        _ => What::Load,
    };
    // A third argument repeats the load in this process (for `perf record`): the time printed is
    // then the median of the repeats, after the first.
    let repeats: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1).max(1);
    let started = std::time::Instant::now();
    let mut n = measure(&text, what);
    let mut took = started.elapsed();
    if repeats > 1 {
        let mut times: Vec<std::time::Duration> = (1..repeats)
            .map(|_| {
                let started = std::time::Instant::now();
                n = measure(&text, what);
                started.elapsed()
            })
            .collect();
        times.sort();
        took = times[times.len() / 2];
    }
    // Written with `writeln!`, not `println!`: a closed pipe (`| head`) ends the run quietly.
    let _ = writeln!(
        std::io::stdout(),
        "{} bytes, {n} {}, {} µs",
        text.len(),
        if what == What::Bare {
            "events"
        } else {
            "items"
        },
        took.as_micros()
    );
}
