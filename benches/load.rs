//! `cargo bench --bench load`: template load time on generated checklists of 1k, 10k and 100k items,
//! beside pulldown-cmark's bare event iteration over the same input, in the same run.
//! `python3 bench/summarize.py` prints medians, MB/s and the ratios from criterion's output.
#![allow(clippy::expect_used, clippy::panic)]
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pulldown_cmark::Parser;
use runsheet::template::{self, parser};
use std::hint::black_box;

#[path = "support/generate.rs"]
mod generate;
use generate::generate;

fn bench_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    for items in [1_000usize, 10_000, 100_000] {
        let text = generate(items);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("pulldown_bare", items), &text, |b, t| {
            b.iter(|| Parser::new_ext(black_box(t), parser::options()).count())
        });
        group.bench_with_input(BenchmarkId::new("runsheet_load", items), &text, |b, t| {
            b.iter(|| template::parse_str("gen.md", black_box(t)).map(|t| t.items.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
