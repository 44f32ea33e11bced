//! `status` and `report` against the run's size (issue 9: they were quadratic in sections —
//! 40,000 sections took 2.6 s for `status`). Runs of 1,000, 10,000 and 40,000 sections (one item
//! each, every tenth section timed, every other item ticked), from the reconciled view to the text:
//! human status, `status --json`, the JSON report, and the Markdown and HTML renderings.
//!
//! `cargo bench --bench report && python3 bench/summarize.py report` prints the medians and the
//! 40k / 10k ratios (linear = 4).
#![allow(clippy::expect_used, clippy::panic)]
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use runsheet::report::{self, Context, html, json, markdown};
use runsheet::run::event::{Actor, Change, Event};
use runsheet::run::view::RunView;
use runsheet::store::{OpenRun, StartOptions, Store};
use std::hint::black_box;
use std::io::Write;

fn template(sections: usize) -> String {
    let mut s = String::from("# Report bench\n");
    for i in 0..sections {
        if i % 10 == 0 {
            s.push_str(&format!("\n## T+{} Phase {i}\n\n", i / 10));
        } else {
            s.push_str(&format!("\n## Section {i}\n\n"));
        }
        s.push_str(&format!(
            "- [ ] Step {i}: restart service {i} and check it\n"
        ));
    }
    s
}

fn actor() -> Actor {
    Actor {
        user: "bench".into(),
        host: "localhost".into(),
        name: "Bench Operator".into(),
    }
}

/// A run of `sections` sections with every other item ticked (events written directly).
fn run(root: &std::path::Path, sections: usize) -> (OpenRun, Vec<Event>) {
    let tpl = root.join("bench.md");
    std::fs::write(&tpl, template(sections)).expect("template");
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T22:00:00+01:00").expect("time");
    let open = Store::at(&root.join("data"))
        .create(&tpl, &StartOptions::default(), &actor(), now)
        .expect("create");
    let mut prev = open.run.head.clone();
    let mut out = String::new();
    for (k, item) in open.template.items.iter().step_by(2).enumerate() {
        let change = Change::Tick {
            item: item.id.clone(),
            note: None,
            after_no_go: false,
        };
        let at = now + chrono::Duration::seconds(k as i64);
        let (ev, line) = Event::seal(k as u64 + 2, at, actor(), change, &prev).expect("seal");
        prev = ev.hash;
        out.push_str(&line);
    }
    let dir = open.dir.clone();
    std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("journal.jsonl"))
        .expect("journal")
        .write_all(out.as_bytes())
        .expect("write");
    let open = OpenRun::open(&dir).expect("open");
    let events = open.events().expect("events");
    (open, events)
}

fn bench_report(c: &mut Criterion) {
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T02:00:00+01:00").expect("time");
    let ctx = Context {
        now: Some(now),
        ..Context::default()
    };
    for sections in [1_000usize, 10_000, 40_000] {
        let tmp = tempfile::tempdir().expect("tmp");
        let (open, events) = run(tmp.path(), sections);
        group.bench_with_input(BenchmarkId::new("status_text", sections), &open, |b, o| {
            b.iter(|| {
                let view = RunView::new(&o.run, &o.template);
                report::text::status(black_box(&view), None, now).len()
            })
        });
        group.bench_with_input(BenchmarkId::new("status_json", sections), &open, |b, o| {
            b.iter(|| {
                let view = RunView::new(&o.run, &o.template);
                serde_json::to_string(&report::status_json(black_box(&view), &ctx)).map(|s| s.len())
            })
        });
        group.bench_with_input(BenchmarkId::new("report_json", sections), &open, |b, o| {
            b.iter(|| {
                let view = RunView::new(&o.run, &o.template);
                serde_json::to_string(&json::build(black_box(&view), &events, &ctx))
                    .map(|s| s.len())
            })
        });
        let view = RunView::new(&open.run, &open.template);
        let data = json::build(&view, &events, &ctx);
        let utc = now.with_timezone(&chrono::Utc);
        group.bench_with_input(BenchmarkId::new("report_md", sections), &data, |b, d| {
            b.iter(|| markdown::render_at(black_box(d), utc).len())
        });
        group.bench_with_input(BenchmarkId::new("report_html", sections), &data, |b, d| {
            b.iter(|| html::render_at(black_box(d), utc).len())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_report);
criterion_main!(benches);
