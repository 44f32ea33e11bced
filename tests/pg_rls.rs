//! Row-level security against a real server: a second team's role reads nothing, inserts
//! nothing, and learns no run id — not from the tables, not from NOTIFY, not from statistics.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/pg.rs"]
mod pg;

use postgres::fallible_iterator::FallibleIterator;
use runsheet::catalog::Source;
use runsheet::pg::SharedError;
use runsheet::pg::engine::SharedStore;
use runsheet::run::intent::Intent;
use runsheet::store::StartOptions;
use std::time::Duration;

#[test]
fn another_teams_role_reads_nothing_inserts_nothing_and_learns_no_run_id() {
    let Some(mut db) = pg::TestDb::new("rls_other_team") else {
        return;
    };
    // Tables owned by a separate role, as docs/teams.md sets them up.
    let owner = db.role("owner");
    db.admin()
        .batch_execute(&format!("CREATE ROLE {owner} NOLOGIN"))
        .unwrap();
    db.admin()
        .batch_execute(&format!("GRANT CREATE ON DATABASE {} TO {owner}", db.name))
        .unwrap();
    {
        let mut s =
            runsheet::pg::connect::Session::connect(std::sync::Arc::new(db.settings())).unwrap();
        runsheet::pg::schema::init(&mut s, Some(&owner)).unwrap();
    }
    let payments = db.team("payments");
    let search = db.team("search");
    let alice = db.person("alice", &[&payments]);
    let bob = db.person("bob", &[&search]);
    let owner_of: String = db
        .admin()
        .query_one("SELECT tableowner::text FROM pg_tables WHERE schemaname = 'runsheet' AND tablename = 'events'", &[])
        .unwrap()
        .get(0);
    assert_eq!(owner_of, owner);

    // Bob listens before Alice does anything.
    let mut listener = pg::client(&format!("{} user={bob}", db.conninfo));
    listener.batch_execute("LISTEN runsheet").unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let tpl = pg::template(tmp.path(), "kinds.md");
    let mut run = SharedStore::connect(db.settings_as(&alice))
        .unwrap()
        .create(
            &Source::File(tpl.clone()),
            &StartOptions::default(),
            &pg::actor("Alice"),
            pg::now(),
            None,
        )
        .unwrap();
    assert_eq!(run.team, payments, "the only team of the role");
    let id = run.id().to_owned();
    let writer =
        runsheet::run::intent::find_item(&run.run, &run.template, "Stop the writer").unwrap();
    run.append(
        &Intent::Tick {
            item: writer.clone(),
            note: None,
        },
        &pg::actor("Alice"),
        pg::now(),
    )
    .unwrap();
    run.join_presence(&pg::actor("Alice")).unwrap();

    // NOTIFY reached Bob (LISTEN has no privilege check) — with nothing in it.
    let mut got = Vec::new();
    {
        let mut notes = listener.notifications();
        let mut it = notes.timeout_iter(Duration::from_secs(5));
        while let Ok(Some(n)) = it.next() {
            got.push((n.channel().to_owned(), n.payload().to_owned()));
            if got.len() >= 2 {
                break;
            }
        }
    }
    assert!(!got.is_empty(), "no notification at all");
    for (channel, payload) in &got {
        assert_eq!(channel, "runsheet");
        assert_eq!(
            payload, "",
            "the payload must carry nothing another team could read"
        );
    }

    // Through runsheet: nothing to list, nothing to open, nothing to guess.
    let mut bob_store = SharedStore::connect(db.settings_as(&bob)).unwrap();
    assert!(bob_store.list_runs().unwrap().is_empty());
    assert!(matches!(
        bob_store.resolve(&id),
        Err(SharedError::NotFound { .. })
    ));
    assert!(matches!(
        bob_store.resolve("latest"),
        Err(SharedError::NotFound { .. })
    ));
    assert!(matches!(
        bob_store.resolve("2"),
        Err(SharedError::NotFound { .. })
    ));

    // Straight SQL as Bob: every table reads empty.
    let mut c = pg::client(&format!("{} user={bob}", db.conninfo));
    for table in ["runs", "events", "templates", "presence"] {
        let n: i64 = c
            .query_one(&format!("SELECT count(*) FROM runsheet.{table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "Bob sees {n} rows of runsheet.{table}");
    }
    // Statistics do not leak values either (pg_stats hides tables under row-level security).
    db.admin()
        .batch_execute("ANALYZE runsheet.runs; ANALYZE runsheet.events")
        .unwrap();
    let leaked: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_stats WHERE schemaname = 'runsheet' AND most_common_vals IS NOT NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(leaked, 0);
    // Nor does the session list: application_name carries no run id.
    let names: Vec<String> = c
        .query(
            "SELECT coalesce(application_name, '') FROM pg_stat_activity",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(names.iter().all(|n| !n.contains(&id)), "{names:?}");

    // Bob inserts nothing into Alice's run: not an event, not a template, not presence.
    let (forged, line) = runsheet::run::event::Event::seal_as(
        3,
        pg::now(),
        pg::actor("Bob"),
        Some(&bob),
        runsheet::run::event::Change::Note {
            item: writer.clone(),
            text: "hi".into(),
        },
        &run.run.head,
    )
    .unwrap();
    let intent = runsheet::pg::engine::line::new_intent_id();
    for (what, r) in [
        (
            "event",
            c.execute(
                "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id) VALUES ($1, 3, $2, $3, $4, ($5::text)::uuid)",
                &[&id, &forged.prev, &forged.hash, &line.trim_end(), &intent],
            ),
        ),
        (
            "template",
            c.execute(
                "INSERT INTO runsheet.templates (run_id, sha256, body) VALUES ($1, encode(sha256('x'::bytea), 'hex'), 'x'::bytea)",
                &[&id],
            ),
        ),
        (
            "presence",
            c.execute(
                "INSERT INTO runsheet.presence (session_id, run_id, display_name, os_user, host) VALUES (gen_random_uuid(), $1, 'Bob', 'bob', 'h')",
                &[&id],
            ),
        ),
        (
            "run in another team",
            c.execute(
                "INSERT INTO runsheet.runs (run_id, team) VALUES ('bobs-run', $1::text::name)",
                &[&payments],
            ),
        ),
    ] {
        let e = r.expect_err(&format!("Bob inserted a {what}"));
        let db_err = e.as_db_error().unwrap();
        assert_eq!(db_err.code().code(), "42501", "{what}: {}", db_err.message());
        // The refusal is the same whether the run exists or not: no run id is confirmed.
        assert!(!db_err.message().contains(&id[11..]), "{what}: {}", db_err.message());
    }
    // The same refusal for a run that does not exist at all.
    let e = c
        .execute(
            "INSERT INTO runsheet.templates (run_id, sha256, body) VALUES ('no-such-run', encode(sha256('x'::bytea), 'hex'), 'x'::bytea)",
            &[],
        )
        .unwrap_err();
    assert_eq!(e.as_db_error().unwrap().code().code(), "42501");
    // Bob cannot change or remove anything either.
    for sql in [
        "UPDATE runsheet.presence SET host = 'x'",
        "DELETE FROM runsheet.presence",
    ] {
        let n = c.execute(sql, &[]).unwrap();
        assert_eq!(n, 0, "{sql} touched Alice's rows");
    }
    for sql in [
        "DELETE FROM runsheet.events",
        "UPDATE runsheet.runs SET team = 'x'",
    ] {
        assert!(c.batch_execute(sql).is_err(), "{sql} was allowed");
    }
    // Bob cannot record as Alice on a run of his own team either.
    let mut bobs = bob_store
        .create(
            &Source::File(tpl),
            &StartOptions::default(),
            &pg::actor("Bob"),
            pg::now(),
            None,
        )
        .unwrap();
    assert_eq!(bobs.team, search);
    let (as_alice, line) = runsheet::run::event::Event::seal_as(
        2,
        pg::now(),
        pg::actor("Alice"),
        Some(&alice),
        runsheet::run::event::Change::Finish {
            reason: None,
            exceptions: None,
        },
        &bobs.run.head,
    )
    .unwrap();
    let intent = runsheet::pg::engine::line::new_intent_id();
    let e = c
        .execute(
            "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id) VALUES ($1, 2, $2, $3, $4, ($5::text)::uuid)",
            &[&bobs.id(), &as_alice.prev, &as_alice.hash, &line.trim_end(), &intent],
        )
        .unwrap_err();
    assert!(
        e.as_db_error().unwrap().constraint() == Some("events_db_role"),
        "{:?}",
        e.as_db_error()
    );
    // Nor set the recorded role column himself (no privilege on it).
    let e = c
        .execute("INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id, db_role) VALUES ($1, 2, $2, $3, $4, gen_random_uuid(), $5::text::name)",
            &[&bobs.id(), &as_alice.prev, &as_alice.hash, &line.trim_end(), &alice])
        .unwrap_err();
    assert_eq!(e.as_db_error().unwrap().code().code(), "42501");
    // His own events are recorded as his role.
    let ev = bobs
        .append(
            &Intent::Note {
                item: writer,
                text: "mine".into(),
            },
            &pg::actor("Bob"),
            pg::now(),
        )
        .unwrap();
    assert_eq!(bobs.shared_events(ev.seq - 1).unwrap()[0].db_role, bob);
    // And Alice still sees only her team's run.
    let mut alice_store = SharedStore::connect(db.settings_as(&alice)).unwrap();
    let ids: Vec<String> = alice_store
        .list_runs()
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, vec![id]);
}
