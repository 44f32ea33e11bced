//! The shared-store engine against a real server: create, open, append checked at the server's
//! head, resends, two clients converging, push → export byte-identical, presence, registered
//! names, LISTEN.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod helpers;
#[path = "support/pg.rs"]
mod pg;

use runsheet::catalog::Source;
use runsheet::pg::SharedError;
use runsheet::pg::engine::{SharedRun, SharedStore};
use runsheet::pg::follow::Follower;
use runsheet::run::intent::{Intent, IntentError};
use runsheet::store::{StartOptions, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn create(db: &pg::TestDb, fixture: &str, as_name: &str) -> (SharedRun, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let tpl = pg::template(tmp.path(), fixture);
    let run = SharedStore::connect(db.settings())
        .unwrap()
        .create(
            &Source::File(tpl),
            &StartOptions::default(),
            &pg::actor(as_name),
            pg::now(),
            None,
        )
        .unwrap();
    (run, tmp)
}

fn open(db: &pg::TestDb, id: &str) -> SharedRun {
    SharedStore::connect(db.settings())
        .unwrap()
        .open(id)
        .unwrap()
}

fn item(run: &SharedRun, text: &str) -> runsheet::model::ItemId {
    runsheet::run::intent::find_item(&run.run, &run.template, text).unwrap()
}

#[test]
fn changes_are_checked_against_the_servers_head_and_seen_by_the_other_client() {
    let Some(db) = pg::TestDb::new("checked_against_head") else {
        return;
    };
    db.init();
    let (mut a, _t) = create(&db, "kinds.md", "Alice");
    assert_eq!(a.run.seq, 1);
    assert_eq!(a.id().len(), "2026-01-01-kinds-".len() + 8, "{}", a.id());
    let mut b = open(&db, &a.id()[..14]);
    assert_eq!(b.run, a.run);

    let writer = item(&a, "Stop the writer");
    let ev = a
        .append(
            &Intent::Tick {
                item: writer.clone(),
                note: None,
            },
            &pg::actor("Alice"),
            pg::now(),
        )
        .unwrap();
    assert_eq!(ev.seq, 2);
    // The line carries the authenticated role.
    let shared = a.shared_events(1).unwrap();
    assert_eq!(
        runsheet::run::event::line_db_role(&shared[0].line).as_deref(),
        Some(a.role())
    );
    assert_eq!(shared[0].db_role, a.role());

    // B has not read A's tick; its own tick of the same item is checked at the server's head.
    let e = b
        .append(
            &Intent::Tick {
                item: writer.clone(),
                note: None,
            },
            &pg::actor("Bob"),
            pg::now(),
        )
        .unwrap_err();
    assert!(
        matches!(e, SharedError::Intent(IntentError::Already { .. })),
        "{e}"
    );
    assert_eq!(b.run.seq, 2, "the refusal caught B up");

    // Two sign-offs of one item: only one lands.
    let approval = item(&a, "Change Manager");
    a.append(
        &Intent::Sign {
            item: approval.clone(),
            signer: None,
        },
        &pg::actor("Alice"),
        pg::now(),
    )
    .unwrap();
    let e = b
        .append(
            &Intent::Sign {
                item: approval.clone(),
                signer: None,
            },
            &pg::actor("Bob"),
            pg::now(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("already signed"), "{e}");

    // B's change lands on top of everything A did; A reads it.
    let reader = item(&b, "Stop the reader");
    let ev = b
        .append(
            &Intent::Tick {
                item: reader,
                note: None,
            },
            &pg::actor("Bob"),
            pg::now(),
        )
        .unwrap();
    assert_eq!(ev.seq, 4);
    let new = a.read_new_events().unwrap();
    assert_eq!(new.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4]);
    assert_eq!(a.run, b.run);
    assert!(a.read_new_events().unwrap().is_empty());

    // A closed run takes no more ticks, whoever asks.
    a.append(
        &Intent::Abort {
            reason: "test".into(),
        },
        &pg::actor("Alice"),
        pg::now(),
    )
    .unwrap();
    let e = b
        .append(
            &Intent::Tick {
                item: item(&b, "Restart the reader"),
                note: None,
            },
            &pg::actor("Bob"),
            pg::now(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("aborted"), "{e}");

    let mut store = SharedStore::connect(db.settings()).unwrap();
    let list = store.list_runs().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, "aborted");
    assert_eq!(list[0].seq, 5);
    assert_eq!(store.resolve("latest").unwrap(), a.id());
    assert!(matches!(
        store.resolve("nope"),
        Err(SharedError::NotFound { .. })
    ));
}

#[test]
fn a_resend_with_the_same_intent_id_records_the_change_once() {
    let Some(db) = pg::TestDb::new("resend_same_intent") else {
        return;
    };
    db.init();
    let (mut a, _t) = create(&db, "small.md", "Alice");
    let mut b = open(&db, a.id());
    let warn = item(&a, "Warn support");
    let intent = Intent::Note {
        item: warn,
        text: "once".into(),
    };
    let id = runsheet::pg::engine::line::new_intent_id();
    let first = a
        .append_as(&id, &intent, &pg::actor("Alice"), pg::now())
        .unwrap();
    // The acknowledgement was "lost": A sends again with the same intent id.
    let again = a
        .append_as(&id, &intent, &pg::actor("Alice"), pg::now())
        .unwrap();
    assert_eq!(first, again);
    // Another client that had not seen it (its head is older) gets the same answer.
    let third = b
        .append_as(&id, &intent, &pg::actor("Alice"), pg::now())
        .unwrap();
    assert_eq!(first, third);
    assert_eq!(a.events().unwrap().len(), 2);
    assert!(b.is_recorded(&id).unwrap());
}

#[test]
fn two_clients_with_their_own_state_make_500_changes_each_and_converge() {
    let Some(db) = pg::TestDb::new("two_clients_500") else {
        return;
    };
    db.init();
    let (a, _t) = create(&db, "small.md", "Alice");
    let id = a.id().to_owned();
    drop(a);
    let per = 500;
    let worker = |name: &'static str| {
        let settings = db.settings();
        let id = id.clone();
        std::thread::spawn(move || {
            let state = tempfile::tempdir().unwrap();
            let mut run = SharedStore::connect(settings)
                .unwrap()
                .with_outbox(state.path())
                .open(&id)
                .unwrap();
            let items: Vec<_> = run.template.items.iter().map(|i| i.id.clone()).collect();
            let mut acked = Vec::new();
            let mut lat = Vec::new();
            for i in 0..per {
                let intent = Intent::Note {
                    item: items[i % items.len()].clone(),
                    text: format!("{name} change {i}"),
                };
                let t = Instant::now();
                let ev = run.append(&intent, &pg::actor(name), pg::now()).unwrap();
                lat.push(t.elapsed());
                acked.push((ev.seq, ev.hash));
            }
            (acked, run, lat)
        })
    };
    let ta = worker("Alice");
    let tb = worker("Bob");
    let (acked_a, mut run_a, _) = ta.join().unwrap();
    let (acked_b, mut run_b, _) = tb.join().unwrap();
    // Nobody starves: an append that keeps losing the race takes a fair turn under the run's lock.
    for s in [run_a.stats(), run_b.stats()] {
        assert_eq!(s.appends, per as u64);
        assert!(s.max_tries <= runsheet::pg::engine::FAIR_AFTER + 1, "{s:?}");
    }
    eprintln!("2 × {per}: {:?} / {:?}", run_a.stats(), run_b.stats());
    run_a.read_new_events().unwrap();
    run_b.read_new_events().unwrap();
    let mut check = open(&db, &id);
    let events = check.events().unwrap();
    assert_eq!(events.len(), 1 + 2 * per, "every change is there");
    for (seq, hash) in acked_a.iter().chain(&acked_b) {
        assert_eq!(
            &events[(*seq - 1) as usize].hash,
            hash,
            "acknowledged seq {seq} changed"
        );
    }
    // Both screens converge: the same fold.
    check.read_new_events().unwrap();
    assert_eq!(run_a.run, run_b.run);
    assert_eq!(run_a.run, check.run);
    // The chain verifies offline.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("runs").join(&id);
    check.export_to(&dir).unwrap();
    let report = runsheet::store::verify::verify(&dir).unwrap();
    assert!(report.intact(), "{:?}", report.broken);
    assert_eq!(report.events, 1 + 2 * per);
}

#[test]
fn a_pushed_local_run_exports_byte_identical_and_verifies_offline() {
    let Some(db) = pg::TestDb::new("push_export_identical") else {
        return;
    };
    db.init();
    let env = helpers::Env::new();
    let id = env.start("kinds.md", &[]);
    env.ok(&[
        "tick",
        &id,
        "Stop the writer",
        "--note",
        "with a note — ünïcödé",
    ]);
    env.ok(&["gate", &id, "cutover", "no-go", "--reason", "canary red"]);
    env.ok(&["undo", &id, "--yes"]);
    let local_dir = env.run_dir(&id);
    let mut store = SharedStore::connect(db.settings()).unwrap();
    let rep = store.push(&local_dir, None).unwrap();
    assert_eq!(rep.events, 4);
    assert!(!rep.already);
    assert!(
        store.push(&local_dir, None).unwrap().already,
        "pushing again changes nothing"
    );

    let mut run = store.open(&id).unwrap();
    assert_eq!(run.run.seq, 4);
    // Imported events keep their lines exactly (no db_role in them) and are marked as imported.
    assert!(run.shared_events(0).unwrap().iter().all(|e| e.imported));
    // The shared store takes new changes on top of the pushed chain.
    let reader = item(&run, "Stop the reader");
    run.append(
        &Intent::Tick {
            item: reader,
            note: None,
        },
        &pg::actor("Dana"),
        pg::now(),
    )
    .unwrap();

    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("runs").join(&id);
    let rep = run.export_to(&dest).unwrap();
    assert_eq!(rep.events, 5);
    let local = std::fs::read(local_dir.join("journal.jsonl")).unwrap();
    let exported = std::fs::read(dest.join("journal.jsonl")).unwrap();
    assert!(
        exported.starts_with(&local),
        "the pushed lines come back byte for byte"
    );
    assert_eq!(
        std::fs::read(local_dir.join("template.md")).unwrap(),
        std::fs::read(dest.join("template.md")).unwrap()
    );
    // `runsheet verify` passes offline on the exported run dir, and status reads it.
    let code = std::process::Command::new(helpers::BIN)
        .args(["verify", &id, "--data-dir"])
        .arg(out.path())
        .status()
        .unwrap();
    assert!(code.success());
    let st = Store::at(out.path());
    let open = runsheet::store::OpenRun::open(&st.resolve(&id).unwrap()).unwrap();
    assert_eq!(open.run, run.run);
    assert!(open.warnings.is_empty(), "{:?}", open.warnings);
    // Export refuses to overwrite.
    assert!(run.export_to(&dest).is_err());

    // A local run changed after its push is not pushed again over the shared one.
    env.ok(&["note", &id, "Stop the writer", "later, locally"]);
    let mut store = SharedStore::connect(db.settings()).unwrap();
    let e = store.push(&local_dir, None).unwrap_err().to_string();
    assert!(e.contains("differ") || e.contains("pushed before"), "{e}");
    // A tampered local run is refused before anything is sent.
    let env2 = helpers::Env::new();
    let id2 = env2.start("small.md", &[]);
    env2.ok(&["tick", &id2, "Warn support"]);
    let j = env2.run_dir(&id2).join("journal.jsonl");
    let text = std::fs::read_to_string(&j)
        .unwrap()
        .replace("\"tick\"", "\"untick\"");
    std::fs::write(&j, text).unwrap();
    let e = store
        .push(&env2.run_dir(&id2), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("push refused"), "{e}");
    assert!(matches!(
        store.resolve(&id2),
        Err(SharedError::NotFound { .. })
    ));
}

#[test]
fn presence_lists_who_has_the_run_open() {
    let Some(db) = pg::TestDb::new("presence_lists") else {
        return;
    };
    db.init();
    let (mut a, _t) = create(&db, "small.md", "Alice");
    let mut b = open(&db, a.id());
    a.join_presence(&pg::actor("Alice")).unwrap();
    b.join_presence(&pg::actor("Bob")).unwrap();
    let seen = a.present().unwrap();
    let names: Vec<_> = seen.iter().map(|p| (p.name.as_str(), p.me)).collect();
    assert_eq!(names, vec![("Alice", true), ("Bob", false)]);
    assert!(seen[1].describe().starts_with("Bob (ops@test-host) since "));
    b.heartbeat().unwrap();
    b.leave_presence().unwrap();
    assert_eq!(a.present().unwrap().len(), 1);
    // A session whose heartbeat stopped is not shown.
    db.admin()
        .batch_execute(
            "ALTER TABLE runsheet.presence DISABLE TRIGGER presence_stamp; \
             UPDATE runsheet.presence SET seen_at = now() - interval '1 minute'; \
             ALTER TABLE runsheet.presence ENABLE TRIGGER presence_stamp",
        )
        .unwrap();
    assert!(a.present().unwrap().is_empty());
    a.heartbeat().unwrap();
    assert_eq!(a.present().unwrap().len(), 1);
}

#[test]
fn a_registered_display_name_is_the_only_one_a_role_can_record_or_sign_under() {
    let Some(mut db) = pg::TestDb::new("registered_name") else {
        return;
    };
    db.init();
    let team = db.team("ops");
    let alice = db.person("alice", &[&team]);
    db.admin()
        .execute(
            "INSERT INTO runsheet.people (db_role, display_name) VALUES ($1::text::name, 'Alice Smith')",
            &[&alice],
        )
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let tpl = pg::template(tmp.path(), "kinds.md");
    let mut run = SharedStore::connect(db.settings_as(&alice))
        .unwrap()
        .create(
            &Source::File(tpl),
            &StartOptions::default(),
            &pg::actor("whoever"),
            pg::now(),
            None,
        )
        .unwrap();
    assert_eq!(run.team, team);
    assert_eq!(
        run.run.started_by.name, "Alice Smith",
        "the registered name replaces the claim"
    );
    let approval = item(&run, "Change Manager");
    let e = run
        .append(
            &Intent::Sign {
                item: approval.clone(),
                signer: Some("The CEO".into()),
            },
            &pg::actor("whoever"),
            pg::now(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("Alice Smith"), "{e}");
    let ev = run
        .append(
            &Intent::Sign {
                item: approval,
                signer: None,
            },
            &pg::actor("whoever"),
            pg::now(),
        )
        .unwrap();
    assert!(
        matches!(&ev.change, runsheet::run::event::Change::Sign { signer, .. } if signer == "Alice Smith")
    );
    // Even a client that skipped our check is refused by the database's policy.
    let (forged, line) = runsheet::run::event::Event::seal_as(
        run.run.seq + 1,
        pg::now(),
        pg::actor("Not Alice"),
        Some(&alice),
        runsheet::run::event::Change::Note {
            item: item(&run, "Stop the writer"),
            text: "x".into(),
        },
        &run.run.head,
    )
    .unwrap();
    let mut c = pg::client(&format!("{} user={alice}", db.conninfo));
    let intent = runsheet::pg::engine::line::new_intent_id();
    let e = c
        .execute(
            "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id) VALUES ($1, $2, $3, $4, $5, ($6::text)::uuid)",
            &[&run.run.id, &(forged.seq as i64), &forged.prev, &forged.hash, &line.trim_end(), &intent],
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("row-level security")
            || format!("{e:?}").contains("row-level security"),
        "{e:?}"
    );
}

#[test]
fn a_follower_is_woken_by_an_append_and_its_catch_up_finds_the_change() {
    let Some(db) = pg::TestDb::new("follower_wakes") else {
        return;
    };
    db.init();
    let (mut a, _t) = create(&db, "small.md", "Alice");
    let mut b = open(&db, a.id());
    let mut f = Follower::new(Arc::new(db.settings())).unwrap();
    f.connect().unwrap();
    assert!(
        !f.wait(Duration::from_millis(50)).unwrap(),
        "nothing happened yet"
    );
    let warn = item(&a, "Warn support");
    let t = Instant::now();
    a.append(
        &Intent::Tick {
            item: warn,
            note: None,
        },
        &pg::actor("Alice"),
        pg::now(),
    )
    .unwrap();
    assert!(f.wait(Duration::from_secs(10)).unwrap(), "no notification");
    let new = b.read_new_events().unwrap();
    assert_eq!(new.len(), 1);
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_rebase_stores_the_new_template_and_other_clients_and_exports_follow_it() {
    let Some(db) = pg::TestDb::new("rebase_follows") else {
        return;
    };
    db.init();
    let (mut a, _t) = create(&db, "small.md", "Alice");
    let mut b = open(&db, a.id());
    let new_text = "# Cache flush\n\n- [ ] Warn support\n- [ ] Flush the edge cache\n- [ ] Check hit ratio\n- [ ] Tell support it is done\n";
    let sha = a.store_template_copy(new_text.as_bytes()).unwrap();
    let from = a.run.base_sha256.clone();
    let ev = a
        .commit(&pg::actor("Alice"), pg::now(), |_, _| {
            Ok(runsheet::run::event::Change::Rebase {
                from_sha256: from.clone(),
                to_sha256: sha.clone(),
                orphans: vec![],
            })
        })
        .unwrap();
    assert_eq!(ev.seq, 2);
    assert_eq!(
        a.template.items.len(),
        4,
        "the writer follows the new template"
    );
    b.read_new_events().unwrap();
    assert_eq!(b.template.items.len(), 4, "so does the other client");
    // A tick of the new item, from the client that learnt of it by catching up.
    let told = item(&b, "Tell support");
    b.append(
        &Intent::Tick {
            item: told,
            note: None,
        },
        &pg::actor("Bob"),
        pg::now(),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join(a.id());
    a.export_to(&dir).unwrap();
    assert_eq!(
        std::fs::read(dir.join(format!("template-{}.md", &sha[..12]))).unwrap(),
        new_text.as_bytes()
    );
    let report = runsheet::store::verify::verify(&dir).unwrap();
    assert!(report.intact(), "{:?} {:?}", report.broken, report.problems);
    assert_eq!(report.events, 3);
}
