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
//! checklist.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "../benches/support/generate.rs"]
mod generate;

use pulldown_cmark::Parser;
use runsheet::template::{self, parser};
use std::hint::black_box;

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
        print!("{text}");
        return;
    }
    let bare = mode.as_deref() == Some("bare");
    let n = measure(&text, bare);
    println!(
        "{} bytes, {n} {}",
        text.len(),
        if bare { "events" } else { "items" }
    );
}
