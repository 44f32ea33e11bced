//! Journal benchmark (issue 3): change → durable on a 10,000-item run, against a bare 200-byte
//! `write` + `fdatasync` in the same directory; and loading a 10,000-item run with 20,000 events.
//!
//! `cargo bench --bench journal` prints p50/p99 from its own samples, the parts of opening the
//! loaded run (template parse and template cache load, journal scan with every hash checked, event decoding, fold, the whole
//! `OpenRun::open`) as medians of interleaved rounds, then criterion's medians.
//! `JOURNAL_BENCH_LOAD_ONLY=1` prints the load figures only (no appends, no criterion);
//! `JOURNAL_BENCH_PARTS_ONLY=1` with it, the parts only (for a profiler).
#![allow(clippy::expect_used, clippy::panic)]

use criterion::Criterion;
use runsheet::run::Run;
use runsheet::run::event::Event;
use runsheet::run::intent::Intent;
use runsheet::run::state::ItemState;
use runsheet::run::view::item_state;
use runsheet::store::OpenRun;
use runsheet::store::journal::{Cursor, Scanner};
use runsheet::store::open::{self, LoadPolicy};
use runsheet::store::template_cache;
use std::fs::OpenOptions;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "support/loaded_run.rs"]
mod loaded;

use loaded::{EVENTS, ITEMS, actor, loaded_run, new_run};

fn toggle(open: &OpenRun, i: usize) -> Intent {
    let idx = i % ITEMS;
    let item = open.template.items[idx].id.clone();
    match item_state(&open.run, &open.template, idx).0 {
        ItemState::Open => Intent::Tick { item, note: None },
        _ => Intent::Untick { item, note: None },
    }
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort_unstable();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.50), at(0.99))
}

fn headline() {
    if std::env::var_os("JOURNAL_BENCH_LOAD_ONLY").is_none() {
        append_headline();
    }
    load_headline();
}

/// Change → durable against a bare `write` + `fdatasync`, interleaved.
fn append_headline() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut open = new_run(tmp.path());
    let bare_path = open.dir.join("bare.jsonl");
    let mut bare = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&bare_path)
        .expect("bare");
    let line = format!("{}\n", "x".repeat(199));
    let samples = 2_000;
    let (mut durable, mut raw) = (Vec::with_capacity(samples), Vec::with_capacity(samples));
    for i in 0..samples {
        // Interleave so both see the same disk conditions.
        let t = Instant::now();
        bare.write_all(line.as_bytes()).expect("write");
        bare.sync_data().expect("fdatasync");
        raw.push(t.elapsed());
        let intent = toggle(&open, i);
        let t = Instant::now();
        open.append(&intent, &actor(), chrono::Local::now().fixed_offset())
            .expect("append");
        durable.push(t.elapsed());
    }
    let (d50, d99) = percentiles(durable);
    let (r50, r99) = percentiles(raw);
    println!(
        "journal/append (change→durable, {ITEMS}-item run, {samples} samples): p50 {d50:?}  p99 {d99:?}"
    );
    println!(
        "journal/bare write+fdatasync 200 B (same dir, interleaved):     p50 {r50:?}  p99 {r99:?}"
    );
    println!(
        "ratio append/bare: p50 {:.2}x  p99 {:.2}x",
        d50.as_secs_f64() / r50.as_secs_f64(),
        d99.as_secs_f64() / r99.as_secs_f64()
    );
}

/// Opening the 10,000-item / 20,000-event run: its parts, then the whole, full replay and from
/// the snapshot.
fn load_headline() {
    let tmp2 = tempfile::tempdir().expect("tmp");
    let dir = loaded_run(tmp2.path());
    parts(&dir);
    if std::env::var_os("JOURNAL_BENCH_PARTS_ONLY").is_some() {
        return;
    }
    let mut full = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let o = OpenRun::open(&dir).expect("open");
        full.push(t.elapsed());
        black_box(o.run.seq);
    }
    let mut o = OpenRun::open(&dir).expect("open");
    o.save_snapshot().expect("snapshot");
    let mut snap = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let o = OpenRun::open_with(&dir, LoadPolicy::PreferSnapshot).expect("open");
        snap.push(t.elapsed());
        black_box(o.run.seq);
    }
    let (f50, f99) = percentiles(full);
    let (s50, s99) = percentiles(snap);
    println!(
        "journal/load {ITEMS} items + {EVENTS} events, full replay (links checked): p50 {f50:?}  max-ish {f99:?}"
    );
    println!(
        "journal/load same, from state.toml snapshot:                          p50 {s50:?}  max-ish {s99:?}"
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

/// The parts of opening the loaded run, each timed in the same rounds (interleaved, so each sees
/// the same machine), medians printed.
fn parts(dir: &Path) {
    const ROUNDS: usize = 25;
    let journal = dir.join("journal.jsonl");
    let copy = std::fs::read(dir.join("template.md")).expect("template copy");
    let events: Vec<Event> = {
        let mut v = Vec::new();
        let f = std::fs::File::open(&journal).expect("journal");
        let mut s = Scanner::new(&journal, Cursor::start());
        s.feed(f, |ev, _| v.push(ev)).expect("scan");
        v
    };
    let run = Run::from_start(&events[0]).expect("start");
    let opts = open::load_options(&run);
    // The first open writes the template cache; the rounds read it.
    drop(OpenRun::open(dir).expect("open"));
    let rundir = open::open_run_dir(dir).expect("run dir");
    let sha = runsheet::run::event::sha256_hex(&copy);
    let key = template_cache::Key {
        sha256: &sha,
        steps: opts.steps,
        rules: opts.rules,
        name: "bench.md",
    };
    assert!(
        template_cache::load(&rundir, &key).is_some(),
        "the first open wrote no template cache"
    );
    let names = [
        "template copy: read + SHA-256",
        "template parse (the loader)",
        "template cache: read + check + decode",
        "journal scan: links + every hash",
        "journal scan + decode events (lean)",
        "fold (events already decoded)",
        "OpenRun::open (the whole)",
    ];
    let mut t = vec![Vec::with_capacity(ROUNDS); names.len()];
    for _ in 0..ROUNDS {
        let s = Instant::now();
        let bytes = std::fs::read(dir.join("template.md")).expect("copy");
        black_box(runsheet::run::event::sha256_hex(&bytes));
        t[0].push(s.elapsed());

        let s = Instant::now();
        let tpl = runsheet::template::parse_bytes_with("bench.md", &copy, opts).expect("parse");
        t[1].push(s.elapsed());
        black_box(tpl.items.len());
        drop(tpl);

        let s = Instant::now();
        let tpl = template_cache::load(&rundir, &key).expect("cache");
        t[2].push(s.elapsed());
        black_box(tpl.items.len());
        drop(tpl);

        let s = Instant::now();
        let f = std::fs::File::open(&journal).expect("journal");
        let mut scan = Scanner::new(&journal, Cursor::start()).skip_parse_until(u64::MAX);
        scan.feed(f, |ev, _| {
            black_box(ev.seq);
        })
        .expect("scan");
        t[3].push(s.elapsed());
        assert!(scan.broken.is_none() && scan.events == EVENTS as u64 + 1);

        // As the load scans: lean (the chain strings checked in place, not copied).
        let s = Instant::now();
        let f = std::fs::File::open(&journal).expect("journal");
        let mut scan = Scanner::new(&journal, Cursor::start()).lean();
        scan.feed(f, |ev, _| {
            black_box(ev.seq);
        })
        .expect("scan");
        t[4].push(s.elapsed());

        // As the load folds: each decoded event handed over (the copy is made before the clock).
        let owned = events[1..].to_vec();
        let s = Instant::now();
        let mut r = Run::from_start(&events[0]).expect("start");
        for ev in owned {
            r.apply_owned(ev);
        }
        t[5].push(s.elapsed());
        black_box(r.seq);
        drop(r);

        let s = Instant::now();
        let o = OpenRun::open(dir).expect("open");
        t[6].push(s.elapsed());
        black_box(o.run.seq);
    }
    println!(
        "journal/open parts, {ITEMS} items + {EVENTS} events ({} KB journal, {} KB template), \
         medians of {ROUNDS} interleaved rounds:",
        std::fs::metadata(&journal)
            .map(|m| m.len() / 1024)
            .unwrap_or(0),
        copy.len() / 1024
    );
    for (name, v) in names.iter().zip(t) {
        println!("  {name:<36} {:>9.2} ms", median(v).as_secs_f64() * 1e3);
    }
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut open = new_run(tmp.path());
    let mut i = 0usize;
    let mut g = c.benchmark_group("journal");
    g.sample_size(200).measurement_time(Duration::from_secs(4));
    g.bench_function("append_durable_10k_items", |b| {
        b.iter(|| {
            let intent = toggle(&open, i);
            i += 1;
            open.append(&intent, &actor(), chrono::Local::now().fixed_offset())
                .expect("append")
        })
    });
    let mut bare = OpenOptions::new()
        .create(true)
        .append(true)
        .open(open.dir.join("bare2.jsonl"))
        .expect("bare");
    let line = format!("{}\n", "x".repeat(199));
    g.bench_function("bare_write_fdatasync_200B", |b| {
        b.iter(|| {
            bare.write_all(line.as_bytes()).expect("write");
            bare.sync_data().expect("fdatasync");
        })
    });
    let tmp2 = tempfile::tempdir().expect("tmp");
    let dir = loaded_run(tmp2.path());
    g.sample_size(20);
    g.bench_function("load_10k_items_20k_events_full_replay", |b| {
        b.iter(|| black_box(OpenRun::open(&dir).expect("open").run.seq))
    });
    OpenRun::open(&dir)
        .expect("open")
        .save_snapshot()
        .expect("snapshot");
    g.bench_function("load_10k_items_20k_events_snapshot", |b| {
        b.iter(|| {
            black_box(
                OpenRun::open_with(&dir, LoadPolicy::PreferSnapshot)
                    .expect("open")
                    .run
                    .seq,
            )
        })
    });
    g.finish();
}

fn main() {
    headline();
    if std::env::var_os("JOURNAL_BENCH_LOAD_ONLY").is_some() {
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
