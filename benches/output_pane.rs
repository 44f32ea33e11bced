//! `cargo bench --bench output_pane`: the screen while a command run from it prints 100 MB. The
//! real `App` (harness, no terminal) with the command running, its output arriving in the pieces the
//! screen's loop hands over (256 KiB at most: `tui/session/commands.rs` merges up to that), and
//! after every piece a keypress (`j` / `k`) and a full render into a 120×40 `TestBackend`, timed
//! two ways: the key and its frame alone, and the piece of output in front of it plus the key and
//! the frame (the most a key can wait: the loop draws right after a key). Printed as medians, p99
//! and max, with the pane's retained bytes and the process's peak RSS growth, all from one run.
#![allow(clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use runsheet::app::Action;
use runsheet::app::key::{KeyCode, KeyPress};
use runsheet::harness::Harness;
use std::time::{Duration, Instant};

const FIXTURE: &str = include_str!("../tests/fixtures/exec/closed-loop.md");
const TOTAL: usize = 100 << 20;
const PIECE: usize = 256 << 10;

/// One piece of log-like output: 80-byte lines.
fn piece(n: usize) -> String {
    let mut s = String::with_capacity(PIECE);
    let mut i = n * (PIECE / 80);
    while s.len() + 80 <= PIECE {
        let line = format!(
            "2026-11-23T21:04:05Z web-{:04} GET /health 200 {:>8} µs ok",
            i % 9999,
            i
        );
        s.push_str(&format!("{line:<79}\n"));
        i += 1;
    }
    s
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let at = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
    println!(
        "{name:<44} median {:>7.3} ms   p99 {:>7.3} ms   max {:>7.3} ms   ({} samples)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        v[v.len() - 1].as_secs_f64() * 1e3,
        v.len()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut h = Harness::new(FIXTURE, &[("VERSION", "2.4.1")], 120, 40);
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let row = h
        .app
        .visible
        .iter()
        .position(|r| *r == runsheet::app::rows::Row::Item(h.item("Wait for the rollout")))
        .expect("item");
    h.app.cursor = row;
    h.keys(&["r", "y"]);
    assert!(
        h.app.pane.as_ref().is_some_and(|p| p.running()),
        "{}",
        h.message()
    );
    let pieces: Vec<String> = (0..4).map(piece).collect();
    let rss_before = rss_kib("VmRSS:");
    let keys = [KeyPress::ch('j'), KeyPress::ch('k')];
    let key_action = |h: &Harness, k: KeyPress| {
        runsheet::input::action_for(&h.keymap, h.app.key_mode(), k).expect("bound")
    };
    let mut key_frame = Vec::new();
    let mut piece_key_frame = Vec::new();
    let mut take_in = Duration::ZERO;
    let mut fed = 0usize;
    let mut n = 0usize;
    while fed < TOTAL {
        let p = &pieces[n % pieces.len()];
        let t0 = Instant::now();
        h.app.update(Action::CommandOutput(p.clone()), h.now);
        let t1 = Instant::now();
        let a = key_action(&h, keys[n % 2]);
        h.app.update(a, h.now);
        term.draw(|f| {
            runsheet::ui::render(&h.app, &h.keymap, f);
        })
        .expect("draw");
        let t2 = Instant::now();
        take_in += t1 - t0;
        key_frame.push(t2 - t1);
        piece_key_frame.push(t2 - t0);
        fed += p.len();
        n += 1;
    }
    // The full-screen output view, scrolled through the middle of what is kept.
    h.keys(&["o"]);
    let mut view = Vec::new();
    for k in 0..200 {
        let t0 = Instant::now();
        let a = if k % 2 == 0 {
            Action::PageUp
        } else {
            Action::Up
        };
        h.app.update(a, h.now);
        term.draw(|f| {
            runsheet::ui::render(&h.app, &h.keymap, f);
        })
        .expect("draw");
        view.push(t0.elapsed());
    }
    let _ = KeyCode::Enter;
    let pane = h.app.pane.as_ref().expect("pane");
    println!(
        "output pane: {} MiB printed in {} pieces of {} KiB, taken in at {:.0} MiB/s",
        fed >> 20,
        n,
        PIECE >> 10,
        (fed as f64 / (1 << 20) as f64) / take_in.as_secs_f64()
    );
    stats("keypress -> frame (key + full render)", key_frame);
    stats("piece of output + keypress -> frame", piece_key_frame);
    stats("full-screen output: PgUp/Up -> frame", view);
    println!(
        "memory: pane keeps {} KiB of {} MiB printed ({} lines, {} omitted); process RSS {} MiB -> {} MiB (peak {} MiB)",
        pane.buffer.retained_bytes() >> 10,
        pane.buffer.total_bytes() >> 20,
        pane.buffer.len(),
        pane.buffer.omitted_lines(),
        rss_before >> 10,
        rss_kib("VmRSS:") >> 10,
        rss_kib("VmHWM:") >> 10
    );
}
