//! `cargo bench --bench exec_buffer`: the output pane's model (`exec::buffer::OutputBuffer`) under a
//! command printing 100 MB. Appending is measured per MiB (throughput); the per-frame work — the 50
//! visible lines a frame draws, at the top, in the middle (the omitted-lines marker) and at the
//! bottom — on buffers fed 1 MiB and 100 MiB, in the same run: reading a window is O(window), so the
//! 100 MiB figures should match the 1 MiB ones. The retained bytes after 100 MiB are printed.
#![allow(clippy::expect_used, clippy::panic)]
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use runsheet::exec::buffer::{LineRef, OutputBuffer};
use std::hint::black_box;

/// 1 MiB of log-like output: 80-byte lines.
fn chunk() -> String {
    let mut s = String::with_capacity(1 << 20);
    let mut i = 0u64;
    while s.len() + 80 <= 1 << 20 {
        let line = format!(
            "2026-11-23T21:04:05Z web-{:04} GET /health 200 {:>6} µs ok",
            i % 9999,
            i
        );
        s.push_str(&format!("{line:<79}\n"));
        i += 1;
    }
    s
}

fn filled(mib: usize, chunk: &str) -> OutputBuffer {
    let mut b = OutputBuffer::default();
    for _ in 0..mib {
        b.push_str(chunk);
    }
    b
}

fn frame(b: &OutputBuffer, top: usize) -> usize {
    b.window(top, 50)
        .map(|l| match l {
            LineRef::Text(t) => t.len(),
            LineRef::Omitted { lines, .. } => usize::try_from(lines).unwrap_or(0),
        })
        .sum()
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn append(c: &mut Criterion) {
    let chunk = chunk();
    let mut g = c.benchmark_group("output_buffer/append");
    g.throughput(Throughput::Bytes(chunk.len() as u64));
    g.sample_size(30);
    let mut b = filled(8, &chunk);
    g.bench_function("1MiB", |bench| bench.iter(|| b.push_str(black_box(&chunk))));
    g.finish();
}

fn window(c: &mut Criterion) {
    let chunk = chunk();
    let before = rss_kib();
    let small = filled(1, &chunk);
    let big = filled(100, &chunk);
    let after = rss_kib();
    eprintln!(
        "after 100 MiB: {} lines pushed, {} kept, {} omitted; retained {} KiB (bound {} KiB); process RSS grew {} KiB",
        big.total_lines(),
        big.len(),
        big.omitted_lines(),
        big.retained_bytes() / 1024,
        big.retained_bound() / 1024,
        after.saturating_sub(before)
    );
    let mut g = c.benchmark_group("output_buffer/frame_50_lines");
    g.sample_size(200);
    for (name, b) in [("1MiB", &small), ("100MiB", &big)] {
        let mid = b.len() / 2;
        let bottom = b.len().saturating_sub(50);
        for (pos, top) in [("top", 0), ("middle", mid), ("bottom", bottom)] {
            g.bench_with_input(BenchmarkId::new(name, pos), &top, |bench, &top| {
                bench.iter(|| frame(black_box(b), black_box(top)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, append, window);
criterion_main!(benches);
