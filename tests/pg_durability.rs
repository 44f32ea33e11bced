//! Durability against a real server of the test's own: kill -9 of the whole server while two
//! clients append as fast as they can (no acknowledged event lost, resends settle by intent id),
//! and a dropped link (changes wait in the outbox, drain in order, a conflict is refused and shown).
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/pg.rs"]
mod pg;

use runsheet::catalog::Source;
use runsheet::pg::engine::{SharedRun, SharedStore, Submitted};
use runsheet::run::event::Change;
use runsheet::run::intent::Intent;
use runsheet::store::StartOptions;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn tcp(cluster: &pg::Cluster, db: &pg::TestDb) -> String {
    format!(
        "host=127.0.0.1 port={} user=rs_admin dbname={}",
        cluster.port, db.name
    )
}

fn open_with_outbox(
    conninfo: &str,
    home: &std::path::Path,
    state: &std::path::Path,
    id: &str,
) -> SharedRun {
    SharedStore::connect(pg::settings(conninfo, home))
        .unwrap()
        .with_outbox(state)
        .open(id)
        .unwrap()
}

#[derive(Default, Debug)]
struct Tally {
    /// (seq, hash, text) of every change acknowledged to the client.
    acked: Vec<(u64, String, String)>,
    /// Changes that went to the outbox (the server was down, or the outcome unknown).
    queued: usize,
    /// Changes whose commit had happened but whose acknowledgement was lost.
    settled: usize,
}

#[test]
fn kill_9_of_the_whole_server_loses_no_acknowledged_event() {
    if !pg::can_start_clusters("kill_9_of_the_whole_server") {
        return;
    }
    let rounds: usize = std::env::var("RUNSHEET_PG_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let cluster = pg::Cluster::start(&[]);
    let db = pg::TestDb::on(&cluster.admin, "kill9");
    db.init();
    let tmp = tempfile::tempdir().unwrap();
    let tpl = pg::template(tmp.path(), "small.md");
    let id = SharedStore::connect(db.settings())
        .unwrap()
        .create(
            &Source::File(tpl),
            &StartOptions::default(),
            &pg::actor("Setup"),
            pg::now(),
            None,
        )
        .unwrap()
        .id()
        .to_owned();
    let conninfo = tcp(&cluster, &db);
    let stop = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(AtomicUsize::new(0));
    let client = |name: &'static str| {
        let (conninfo, id, stop, progress) =
            (conninfo.clone(), id.clone(), stop.clone(), progress.clone());
        let home = db.home.path().to_owned();
        std::thread::spawn(move || {
            let state = tempfile::tempdir().unwrap();
            let mut run = open_with_outbox(&conninfo, &home, state.path(), &id);
            let item = run.template.items[0].id.clone();
            let mut tally = Tally::default();
            let mut n = 0usize;
            let record = |tally: &mut Tally, ev: &runsheet::run::event::Event| {
                if let Change::Note { text, .. } = &ev.change {
                    tally.acked.push((ev.seq, ev.hash.clone(), text.clone()));
                }
            };
            while !stop.load(Ordering::Relaxed) || run.pending() > 0 {
                if run.pending() > 0 {
                    match run.drain() {
                        Ok(rep) => {
                            for ev in &rep.shared {
                                record(&mut tally, ev);
                            }
                            for ev in &rep.settled {
                                record(&mut tally, ev);
                            }
                            tally.settled += rep.settled.len();
                            assert!(
                                rep.refused.is_empty(),
                                "a note was refused: {:?}",
                                rep.refused
                            );
                            if rep.pending > 0 {
                                std::thread::sleep(Duration::from_millis(20));
                            }
                        }
                        Err(e) => panic!("{name}: drain failed: {e}"),
                    }
                    continue;
                }
                n += 1;
                let intent = Intent::Note {
                    item: item.clone(),
                    text: format!("{name} {n}"),
                };
                match run.submit(&intent, &pg::actor(name), pg::now()) {
                    Ok(Submitted::Shared(ev)) => {
                        record(&mut tally, &ev);
                        progress.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Submitted::Queued { .. }) => tally.queued += 1,
                    Ok(other) => panic!("{name}: unexpected {other:?}"),
                    Err(e) => panic!("{name}: change {n} failed: {e}"),
                }
            }
            (tally, n)
        })
    };
    let a = client("Alice");
    let b = client("Bob");
    let mut rng = [0u8; 1];
    for round in 0..rounds {
        // Let both clients append at full speed for a while, then crash the server mid-stream.
        let before = progress.load(Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_secs(60);
        while progress.load(Ordering::Relaxed) < before + 20 {
            assert!(
                Instant::now() < deadline,
                "round {round}: no progress after restart"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        getrandom::fill(&mut rng).unwrap();
        std::thread::sleep(Duration::from_millis(50 + u64::from(rng[0])));
        cluster.kill();
        std::thread::sleep(Duration::from_millis(100));
        cluster.restart();
    }
    stop.store(true, Ordering::Relaxed);
    let (ta, na) = a.join().unwrap();
    let (tb, nb) = b.join().unwrap();

    let mut check = SharedStore::connect(db.settings())
        .unwrap()
        .open(&id)
        .unwrap();
    let events = check.events().unwrap();
    let mut lost = 0;
    for (seq, hash, text) in ta.acked.iter().chain(&tb.acked) {
        match events.get((*seq - 1) as usize) {
            Some(e) if &e.hash == hash => {}
            _ => {
                lost += 1;
                eprintln!("acknowledged seq {seq} ({text}) is gone or changed");
            }
        }
    }
    // Every change made is there exactly once: resends settled by intent id, none duplicated.
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for e in &events {
        if let Change::Note { text, .. } = &e.change {
            *count.entry(text.clone()).or_default() += 1;
        }
    }
    let dups: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join(&id);
    check.export_to(&dir).unwrap();
    let report = runsheet::store::verify::verify(&dir).unwrap();
    eprintln!(
        "kill -9 × {rounds}: {} events; acknowledged {} + {}; queued while down {} + {}; \
         committed-but-unacknowledged settled by intent id {} + {}; lost {lost}; duplicates {}",
        events.len(),
        ta.acked.len(),
        tb.acked.len(),
        ta.queued,
        tb.queued,
        ta.settled,
        tb.settled,
        dups.len()
    );
    assert_eq!(lost, 0, "acknowledged events were lost");
    assert!(dups.is_empty(), "duplicated changes: {dups:?}");
    assert_eq!(count.len(), na + nb, "every change made ends up recorded");
    assert_eq!(events.len(), 1 + na + nb);
    assert!(report.intact(), "{:?} {:?}", report.broken, report.problems);
}

#[test]
fn while_the_link_is_down_changes_wait_in_order_and_a_conflict_is_refused_not_merged() {
    if !pg::can_start_clusters("link_down_outbox") {
        return;
    }
    let cluster = pg::Cluster::start(&[]);
    let db = pg::TestDb::on(&cluster.admin, "linkdown");
    db.init();
    let tmp = tempfile::tempdir().unwrap();
    let tpl = pg::template(tmp.path(), "kinds.md");
    let conninfo = tcp(&cluster, &db);
    let home = db.home.path().to_owned();
    let id = SharedStore::connect(pg::settings(&conninfo, &home))
        .unwrap()
        .create(
            &Source::File(tpl),
            &StartOptions::default(),
            &pg::actor("Alice"),
            pg::now(),
            None,
        )
        .unwrap()
        .id()
        .to_owned();
    let state_a = tempfile::tempdir().unwrap();
    let state_b = tempfile::tempdir().unwrap();
    let mut a = open_with_outbox(&conninfo, &home, state_a.path(), &id);
    let mut b = open_with_outbox(&conninfo, &home, state_b.path(), &id);
    let find = |run: &SharedRun, q: &str| {
        runsheet::run::intent::find_item(&run.run, &run.template, q).unwrap()
    };
    let writer = find(&a, "Stop the writer");
    let approval = find(&a, "Change Manager");

    cluster.halt();
    let alice = pg::actor("Alice");
    let queued = |r: Submitted| match r {
        Submitted::Queued { pending, why } => {
            assert!(
                why.contains("cannot reach") || why.contains("waiting"),
                "{why}"
            );
            pending
        }
        other => panic!("acknowledged while the server is down: {other:?}"),
    };
    assert_eq!(
        queued(
            a.submit(
                &Intent::Tick {
                    item: writer.clone(),
                    note: None
                },
                &alice,
                pg::now()
            )
            .unwrap()
        ),
        1
    );
    assert_eq!(
        queued(
            a.submit(
                &Intent::Sign {
                    item: approval.clone(),
                    signer: None
                },
                &alice,
                pg::now()
            )
            .unwrap()
        ),
        2
    );
    assert_eq!(
        queued(
            a.submit(
                &Intent::Note {
                    item: writer.clone(),
                    text: "typo".into()
                },
                &alice,
                pg::now()
            )
            .unwrap()
        ),
        3
    );
    // Undo takes back the last change still waiting: it was never shared.
    match a.submit(&Intent::Undo, &alice, pg::now()).unwrap() {
        Submitted::Cancelled(p) => assert!(matches!(p.intent, Intent::Note { .. })),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        queued(
            a.submit(
                &Intent::Note {
                    item: writer.clone(),
                    text: "took 4 minutes".into()
                },
                &alice,
                pg::now()
            )
            .unwrap()
        ),
        3
    );
    // A change that is wrong whatever the server holds is refused at once, not queued.
    let e = a
        .submit(
            &Intent::Tick {
                item: approval.clone(),
                note: None,
            },
            &alice,
            pg::now(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("sign it with"), "{e}");
    assert_eq!(a.pending(), 3);
    assert_eq!(
        a.run.seq, 1,
        "nothing is acknowledged while the server is down"
    );
    let outbox_file = state_a
        .path()
        .join("outbox")
        .join(pg::settings(&conninfo, &home).store_key())
        .join(format!("{id}.json"));
    assert_eq!(a.pending_changes().len(), 3);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&outbox_file)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    // The client process goes away; its changes are on disk.
    drop(a);

    cluster.restart();
    // Meanwhile someone else signs the same sign-off.
    let ev = b
        .append(
            &Intent::Sign {
                item: approval.clone(),
                signer: None,
            },
            &pg::actor("Bob"),
            pg::now(),
        )
        .unwrap();
    assert_eq!(ev.seq, 2);

    let mut a = open_with_outbox(&conninfo, &home, state_a.path(), &id);
    assert_eq!(a.pending(), 3, "3 changes not shared yet");
    let rep = a.drain().unwrap();
    assert_eq!(rep.pending, 0);
    assert_eq!(
        rep.shared
            .iter()
            .map(|e| (e.seq, e.change.kind()))
            .collect::<Vec<_>>(),
        vec![(3, "tick"), (4, "note")],
        "drained in the operator's order, on top of Bob's sign-off"
    );
    assert_eq!(rep.refused.len(), 1);
    let r = &rep.refused[0];
    assert!(matches!(r.pending.intent, Intent::Sign { .. }));
    assert!(
        r.reason.contains("already signed") && r.reason.contains("Bob"),
        "{}",
        r.reason
    );
    // The refusal is kept on disk for the record, not dropped.
    let kept = runsheet::pg::outbox::Outbox::open(
        &state_a.path().join("outbox"),
        &pg::settings(&conninfo, &home).store_key(),
        "",
        &id,
    )
    .unwrap()
    .refused()
    .unwrap();
    assert_eq!(kept.len(), 1);
    assert!(!outbox_file.exists(), "the outbox is empty");
    // Bob's signature stands; no second one was merged in.
    let events = b.events().unwrap();
    let signs: Vec<_> = events
        .iter()
        .filter(|e| e.change.kind() == "sign")
        .collect();
    assert_eq!(signs.len(), 1);
    assert_eq!(signs[0].by.name, "Bob");
    // The note keeps the time the operator made it.
    assert!(
        events[3].at < events[1].at,
        "the queued note keeps its own time"
    );
}

#[test]
fn a_server_running_with_fsync_off_is_refused_for_changes() {
    if !pg::can_start_clusters("fsync_off_refused") {
        return;
    }
    let cluster = pg::Cluster::start(&["--set", "fsync=off"]);
    let db = pg::TestDb::on(&cluster.admin, "fsyncoff");
    db.init();
    let v: String = pg::client(&db.conninfo)
        .query_one("SHOW fsync", &[])
        .unwrap()
        .get(0);
    assert_eq!(v, "off");
    let tmp = tempfile::tempdir().unwrap();
    let tpl = pg::template(tmp.path(), "small.md");
    let e = SharedStore::connect(db.settings())
        .unwrap()
        .create(
            &Source::File(tpl),
            &StartOptions::default(),
            &pg::actor("Alice"),
            pg::now(),
            None,
        )
        .unwrap_err();
    assert!(matches!(e, runsheet::pg::SharedError::Unsafe(_)), "{e}");
    assert!(e.to_string().contains("fsync=off"), "{e}");
    // `db status` says so, and exits 1.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_runsheet"))
        .args(["db", "status", "--store", &db.conninfo])
        .env("HOME", tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path().join("config"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("fsync:      OFF"));
}
