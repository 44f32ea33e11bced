//! One template load (or one bare pulldown-cmark pass) over the benchmark's generated checklist, for
//! instruction counts that do not move with the machine's load:
//!
//! ```text
//! cargo build --release --example load_once
//! valgrind --tool=callgrind --toggle-collect='load_once::measure*' target/release/examples/load_once 20000 load
//! valgrind --tool=callgrind --toggle-collect='load_once::measure*' target/release/examples/load_once 20000 bare
//! ```
//!
//! `bench/callgrind.sh` runs both and prints the ratio; `load_once N dump` prints the generated
//! checklist. Each run also prints how long the one load took in a fresh process (first-touch
//! page faults included, as when `runsheet open` loads a file; `bench/oneshot.sh` compares many
//! such runs); `load_once N load K` loads K times in one process and prints the median after the
//! first (a loop to `perf record`).
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../benches/support/generate.rs"]
mod generate;

use pulldown_cmark::Parser;
use runsheet::template::{self, parser};
use std::hint::black_box;
use std::io::Write;

#[inline(never)]
fn measure(text: &str, bare: bool) -> usize {
    if bare {
        Parser::new_ext(black_box(text), parser::options()).count()
    } else {
        template::parse_str("gen.md", black_box(text)).map_or(0, |t| t.items.len())
    }
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
    let bare = mode.as_deref() == Some("bare");
    // A third argument repeats the load in this process (for `perf record`): the time printed is
    // then the median of the repeats, after the first.
    let repeats: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1).max(1);
    let started = std::time::Instant::now();
    let mut n = measure(&text, bare);
    let mut took = started.elapsed();
    if repeats > 1 {
        let mut times: Vec<std::time::Duration> = (1..repeats)
            .map(|_| {
                let started = std::time::Instant::now();
                n = measure(&text, bare);
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
        if bare { "events" } else { "items" },
        took.as_micros()
    );
}
