//! `cargo bench --bench load`: template load time on generated checklists of 1k, 10k and 100k items,
//! beside pulldown-cmark's bare event iteration over the same input, in the same run.
//! `python3 bench/summarize.py` prints medians, MB/s and the ratios from criterion's output.
#![allow(clippy::expect_used, clippy::panic)]
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pulldown_cmark::Parser;
use runsheet::template::{self, parser};
use std::fmt::Write;
use std::hint::black_box;

/// A realistic checklist: timed sections, nested tasks, commands, status tables, sign-offs.
fn generate(items: usize) -> String {
    let mut s = String::from("---\ntitle: Generated window\n---\n# Generated window\n\n");
    let mut n = 0;
    let mut section = 0;
    while n < items {
        section += 1;
        let _ = writeln!(
            s,
            "## {:02}:{:02} - Phase {section}\n",
            (section / 4) % 24,
            (section % 4) * 15
        );
        let _ = writeln!(
            s,
            "Intro for phase {section} with a [link](https://example.com/{section}).\n"
        );
        for k in 0..8 {
            let _ = writeln!(
                s,
                "- [ ] Step {section}.{k}: restart `svc-{k}` on **{{{{ HOST }}}}**"
            );
            let _ = writeln!(s, "  - [x] check {section}.{k} metrics");
            if k % 4 == 0 {
                let _ = writeln!(
                    s,
                    "\n  ```bash\n  kubectl rollout status deploy/svc-{k} --timeout=120s\n  ```\n"
                );
            }
            n += 2;
        }
        if section % 3 == 0 {
            s.push_str("\n| Check | Owner | Status |\n|---|---|---|\n");
            for r in 0..4 {
                let _ = writeln!(s, "| Verify shard {r} of phase {section} | dba | ☐ |");
                n += 1;
            }
        }
        s.push_str("\n- [ ] Tech Lead: ________ Date: ______\n\n");
        n += 1;
    }
    s
}

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
