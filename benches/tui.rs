//! `cargo bench --bench tui`: one keypress through `App::update` plus a full render into a 200×50
//! `TestBackend`, on runs of 100, 10,000 and 100,000 items, in the same run (the 100-item figure is
//! the baseline: rendering is O(visible rows), so the 100k figure should stay within 2× of it).
#![allow(clippy::expect_used, clippy::panic)]
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use runsheet::app::Action;
use runsheet::harness::Harness;
use std::fmt::Write;
use std::hint::black_box;

fn generate(items: usize) -> String {
    let mut s = String::from("# Generated window {{ VERSION }}\n\n");
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
        for k in 0..50 {
            if n >= items {
                break;
            }
            n += 1;
            let _ = writeln!(
                s,
                "- [ ] Step {section}.{k}: check `svc-{n}` is healthy on {{{{ VERSION }}}}"
            );
            if k % 10 == 0 {
                let _ = writeln!(
                    s,
                    "\n  ```bash\n  kubectl rollout status deploy/svc-{n}\n  ```\n"
                );
            }
        }
        s.push('\n');
    }
    s
}

fn keypress_and_render(c: &mut Criterion) {
    let mut g = c.benchmark_group("tui keypress+render 200x50");
    for n in [100usize, 10_000, 100_000] {
        let md = generate(n);
        let mut h = Harness::new(&md, &[("VERSION", "2.4.1")], 200, 50);
        let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        // Start mid-list so j/k move through real rows.
        h.keys(&["G"]);
        for _ in 0..60 {
            h.keys(&["k"]);
        }
        let mut down = true;
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                down = !down;
                let a = if down { Action::Down } else { Action::Up };
                black_box(h.act(a));
                term.draw(|f| {
                    runsheet::ui::render(&h.app, &h.keymap, f);
                })
                .expect("draw");
            })
        });
    }
    g.finish();
}

fn tick_and_render(c: &mut Criterion) {
    let mut g = c.benchmark_group("tui tick+untick+render 200x50");
    g.sample_size(30);
    for n in [100usize, 10_000, 100_000] {
        let md = generate(n);
        let mut h = Harness::new(&md, &[("VERSION", "2.4.1")], 200, 50);
        let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                h.keys(&["Space", "k", "Space"]);
                term.draw(|f| {
                    runsheet::ui::render(&h.app, &h.keymap, f);
                })
                .expect("draw");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, keypress_and_render, tick_and_render);
criterion_main!(benches);
