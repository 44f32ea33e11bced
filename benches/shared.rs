//! Shared-store benchmark (issue 13), one run, all figures from the same process:
//! change → acknowledged on the local journal vs on PostgreSQL (unix socket and TCP loopback),
//! two writers contending for one run, and change → visible on another client through LISTEN.
//!
//! Needs a server: `eval "$(scripts/pg-test-cluster.sh start)"; cargo bench --bench shared`.
//! Without `RUNSHEET_TEST_PG` it says so and does nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(not(feature = "postgres"))]
fn main() {
    println!("shared bench: built without the `postgres` feature; nothing to measure");
}

#[cfg(feature = "postgres")]
fn main() {
    bench::main();
}

#[cfg(feature = "postgres")]
mod bench {
    use runsheet::catalog::Source;
    use runsheet::pg::conninfo;
    use runsheet::pg::engine::{SharedRun, SharedStore};
    use runsheet::pg::follow::Follower;
    use runsheet::pg::settings::{MapEnv, Settings};
    use runsheet::run::event::Actor;
    use runsheet::run::intent::Intent;
    use runsheet::store::{StartOptions, Store};
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    const N: usize = 500;

    fn actor(name: &str) -> Actor {
        Actor {
            user: "bench".into(),
            host: "localhost".into(),
            name: name.into(),
        }
    }

    fn now() -> chrono::DateTime<chrono::FixedOffset> {
        chrono::Local::now().fixed_offset()
    }

    fn pct(v: &mut [Duration], p: f64) -> f64 {
        v.sort();
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i].as_secs_f64() * 1000.0
    }

    fn row(label: &str, v: &mut [Duration]) -> (f64, f64) {
        let (p50, p99) = (pct(v, 0.5), pct(v, 0.99));
        println!(
            "| {label} | {p50:.3} ms | {p99:.3} ms | {:.3} ms |",
            pct(v, 1.0)
        );
        (p50, p99)
    }

    fn settings(conninfo: &str, home: &std::path::Path) -> Settings {
        let env = MapEnv {
            home: Some(home.to_owned()),
            user: "bench".into(),
            ..MapEnv::default()
        };
        Settings::resolve(&conninfo::parse(conninfo).expect("conninfo"), &env).expect("settings")
    }

    fn note(run: &SharedRun, i: usize) -> Intent {
        Intent::Note {
            item: run.template.items[i % run.template.items.len()].id.clone(),
            text: format!("change {i}"),
        }
    }

    pub fn main() {
        let Some(admin) = std::env::var("RUNSHEET_TEST_PG")
            .ok()
            .filter(|v| !v.is_empty())
        else {
            println!(
                "shared bench: RUNSHEET_TEST_PG is not set (eval \"$(scripts/pg-test-cluster.sh start)\"); nothing measured"
            );
            return;
        };
        let db = format!("rs_bench_{}", std::process::id());
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("admin");
        c.batch_execute(&format!("CREATE DATABASE {db}"))
            .expect("create db");
        let result = std::panic::catch_unwind(|| run(&admin, &db));
        let _ = c.batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"));
        if let Err(p) = result {
            std::panic::resume_unwind(p);
        }
    }

    fn run(admin: &str, db: &str) {
        let home = tempfile::tempdir().expect("tmp");
        let socket = format!("{admin} dbname={db}");
        let port: i32 = postgres::Client::connect(admin, postgres::NoTls)
            .expect("admin")
            .query_one("SELECT current_setting('port')::int", &[])
            .expect("port")
            .get(0);
        let tcp = format!("host=127.0.0.1 port={port} user=rs_admin dbname={db}");
        {
            let mut s =
                runsheet::pg::connect::Session::connect(Arc::new(settings(&socket, home.path())))
                    .expect("connect");
            runsheet::pg::schema::init(&mut s, None).expect("init");
        }
        let tpl = home.path().join("bench.md");
        let mut text = String::from("# Bench window\n\n## Steps\n\n");
        for i in 0..50 {
            text.push_str(&format!("- [ ] Step {i}\n"));
        }
        std::fs::write(&tpl, &text).expect("template");
        let create = |conninfo: &str| -> SharedRun {
            SharedStore::connect(settings(conninfo, home.path()))
                .expect("connect")
                .create(
                    &Source::File(tpl.clone()),
                    &StartOptions::default(),
                    &actor("Bench"),
                    now(),
                    None,
                )
                .expect("create")
        };

        println!("## change → acknowledged, {N} changes each, one writer");
        println!();
        println!("| store | p50 | p99 | max |");
        println!("|---|---:|---:|---:|");
        // The local journal: lock, catch up, check, one write, fdatasync.
        let store = Store::at(&home.path().join("data"));
        let mut local = store
            .create(&tpl, &StartOptions::default(), &actor("Bench"), now())
            .expect("local");
        let mut lat = Vec::with_capacity(N);
        for i in 0..N {
            let item = local.template.items[i % 50].id.clone();
            let t = Instant::now();
            local
                .append(
                    &Intent::Note {
                        item,
                        text: format!("change {i}"),
                    },
                    &actor("Bench"),
                    now(),
                )
                .expect("local append");
            lat.push(t.elapsed());
        }
        let (local_p50, local_p99) = row("local journal (flock + write + fdatasync)", &mut lat);
        let mut shared_p50 = 0.0;
        let mut shared_p99 = 0.0;
        for (label, conninfo) in [
            ("PostgreSQL, unix socket", &socket),
            ("PostgreSQL, TCP loopback", &tcp),
        ] {
            let mut run = create(conninfo);
            let mut lat = Vec::with_capacity(N);
            for i in 0..N {
                let intent = note(&run, i);
                let t = Instant::now();
                run.append(&intent, &actor("Bench"), now()).expect("append");
                lat.push(t.elapsed());
            }
            let (p50, p99) = row(
                &format!("{label} (insert at head+1, synchronous_commit=on)"),
                &mut lat,
            );
            if shared_p50 == 0.0 {
                (shared_p50, shared_p99) = (p50, p99);
            }
        }
        println!();
        println!(
            "shared (unix socket) / local: p50 {:.1}×, p99 {:.1}×",
            shared_p50 / local_p50,
            shared_p99 / local_p99
        );

        println!();
        println!(
            "## two writers on one run, {} changes each, no pause (TCP loopback)",
            N / 2
        );
        println!();
        let first = create(&tcp);
        let id = first.id().to_owned();
        drop(first);
        let start = Instant::now();
        let writers: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|name| {
                let s = settings(&tcp, home.path());
                let id = id.clone();
                std::thread::spawn(move || {
                    let mut run = SharedStore::connect(s)
                        .expect("connect")
                        .open(&id)
                        .expect("open");
                    let mut lat = Vec::with_capacity(N / 2);
                    for i in 0..N / 2 {
                        let intent = note(&run, i);
                        let t = Instant::now();
                        run.append(&intent, &actor(name), now()).expect("append");
                        lat.push(t.elapsed());
                    }
                    (lat, run.stats())
                })
            })
            .collect();
        let mut all: Vec<Duration> = Vec::new();
        let mut stats = Vec::new();
        for h in writers {
            let (lat, s) = h.join().expect("writer");
            all.extend(lat);
            stats.push(s);
        }
        let wall = start.elapsed();
        println!("| writers | p50 | p99 | max |");
        println!("|---|---:|---:|---:|");
        row("2 × 250 (retry on 23505 at head+1, jittered)", &mut all);
        println!();
        println!("wall: {:.2} s for {} changes", wall.as_secs_f64(), N);
        for (name, s) in ["A", "B"].iter().zip(&stats) {
            println!(
                "writer {name}: {} appends, lost the race for head+1 {} times, at most {} tries for one append",
                s.appends, s.conflicts, s.max_tries
            );
        }

        println!();
        println!(
            "## change → visible on another client (LISTEN + catch-up query), {} changes, TCP loopback",
            N / 2
        );
        println!();
        let mut writer = create(&tcp);
        let id = writer.id().to_owned();
        let (tx, rx) = mpsc::channel::<Instant>();
        let (ready_tx, ready_rx) = mpsc::channel::<()>();
        let s = settings(&tcp, home.path());
        let reader = std::thread::spawn(move || {
            let mut follower = Follower::new(Arc::new(s.clone())).expect("follower");
            follower.connect().expect("listen");
            let mut run = SharedStore::connect(s)
                .expect("connect")
                .open(&id)
                .expect("open");
            ready_tx.send(()).expect("ready");
            let mut seen = 0usize;
            while seen < N / 2 {
                let _ = follower.wait(Duration::from_secs(1)).expect("wait");
                let new = run.read_new_events().expect("catch up");
                for _ in &new {
                    tx.send(Instant::now()).expect("send");
                }
                seen += new.len();
            }
        });
        ready_rx.recv().expect("reader ready");
        let mut lat = Vec::with_capacity(N / 2);
        for i in 0..N / 2 {
            let intent = note(&writer, i);
            let t = Instant::now();
            writer
                .append(&intent, &actor("Bench"), now())
                .expect("append");
            let seen = rx.recv_timeout(Duration::from_secs(10)).expect("seen");
            lat.push(seen.duration_since(t));
            std::thread::sleep(Duration::from_millis(2));
        }
        reader.join().expect("reader");
        println!("| path | p50 | p99 | max |");
        println!("|---|---:|---:|---:|");
        row(
            "append → other client has it (NOTIFY, then SELECT seq > head)",
            &mut lat,
        );
    }
}
