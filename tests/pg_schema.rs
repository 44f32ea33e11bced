//! The shared store's schema against a real server: migrations are versioned and idempotent, the
//! DBA script is the same schema, and the database itself refuses a line that does not chain.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/pg.rs"]
mod pg;

use runsheet::pg::connect::Session;
use runsheet::pg::engine::SharedStore;
use runsheet::pg::schema;
use runsheet::run::event::{Change, Event, GENESIS};
use std::sync::Arc;

fn constraint_of(e: &postgres::Error) -> String {
    let db = e
        .as_db_error()
        .unwrap_or_else(|| panic!("not a database error: {e}"));
    format!(
        "{} {} {}",
        db.code().code(),
        db.constraint().unwrap_or("-"),
        db.message()
    )
}

#[test]
fn db_init_creates_then_finds_the_schema_current_and_reports_durability_facts() {
    let Some(db) = pg::TestDb::new("db_init_creates_then_finds") else {
        return;
    };
    let mut s = Session::connect(Arc::new(db.settings())).unwrap();
    let err = schema::require_current(&mut s).unwrap_err().to_string();
    assert!(err.contains("db init"), "{err}");
    let first = schema::init(&mut s, None).unwrap();
    assert_eq!((first.from, first.to), (0, schema::LATEST));
    let again = schema::init(&mut s, None).unwrap();
    assert_eq!((again.from, again.to), (schema::LATEST, schema::LATEST));
    schema::require_current(&mut s).unwrap();
    let st = schema::status(&mut s).unwrap();
    assert_eq!(st.schema_version, schema::LATEST);
    assert_eq!(st.applied.len(), 1);
    assert!(st.fsync);
    assert_eq!(st.session_synchronous_commit, "on");
    assert!(!st.in_recovery);
    // A newer schema is refused, not used.
    db.admin()
        .batch_execute(
            "INSERT INTO runsheet.schema_version (version, description) VALUES (99, 'future')",
        )
        .unwrap();
    let err = schema::require_current(&mut s).unwrap_err().to_string();
    assert!(
        err.contains("version 99") && err.contains("upgrade runsheet"),
        "{err}"
    );
    assert!(schema::init(&mut s, None).is_err());
}

#[test]
fn the_dba_script_builds_the_same_schema_as_db_init() {
    let Some(a) = pg::TestDb::new("dba_script_a") else {
        return;
    };
    let b = pg::TestDb::on(&pg::admin("dba_script_b").unwrap(), "dba_script_b");
    a.init();
    b.admin().batch_execute(&schema::script(0, None)).unwrap();
    let shape = |db: &pg::TestDb| -> Vec<String> {
        db.admin()
            .query(
                "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
                 FROM pg_constraint WHERE connamespace = 'runsheet'::regnamespace ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .chain(
                db.admin()
                    .query(
                        "SELECT tablename || ' ' || policyname || ' ' || cmd FROM pg_policies \
                         WHERE schemaname = 'runsheet' ORDER BY 1",
                        &[],
                    )
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0)),
            )
            .collect()
    };
    let sa = shape(&a);
    assert!(sa.len() > 20, "{sa:?}");
    assert_eq!(sa, shape(&b));
    // Applying it again is refused by its version guard, leaving the database as it was.
    let e = b
        .admin()
        .batch_execute(&schema::script(0, None))
        .unwrap_err();
    assert!(
        e.to_string().contains("migrates schema version 0")
            || format!("{e:?}").contains("migrates schema version 0"),
        "{e:?}"
    );
    b.admin()
        .batch_execute(&schema::script(schema::LATEST, None))
        .unwrap();
}

#[test]
fn the_database_refuses_lines_that_do_not_chain_and_any_change_to_history() {
    let Some(db) = pg::TestDb::new("database_refuses_forged") else {
        return;
    };
    db.init();
    let tmp = tempfile::tempdir().unwrap();
    let tpl = pg::template(tmp.path(), "small.md");
    let store = SharedStore::connect(db.settings()).unwrap();
    let run = store
        .create(
            &runsheet::catalog::Source::File(tpl),
            &Default::default(),
            &pg::actor("Alice"),
            pg::now(),
            None,
        )
        .unwrap();
    let id = run.run.id.clone();
    let head = run.run.head.clone();
    let role = run.role().to_owned();
    let item = run.template.items[0].id.clone();
    let note = |text: &str| Change::Note {
        item: item.clone(),
        text: text.into(),
    };
    let seal = |seq: u64, prev: &str, role: Option<&str>, change: Change| {
        let (ev, line) =
            Event::seal_as(seq, pg::now(), pg::actor("Mallory"), role, change, prev).unwrap();
        (ev, line.trim_end().to_owned())
    };
    let mut c = db.admin();
    let insert = |c: &mut postgres::Client, seq: i64, prev: &str, hash: &str, line: &str| {
        let intent = runsheet::pg::engine::line::new_intent_id();
        c.execute(
            "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id) VALUES ($1, $2, $3, $4, $5, ($6::text)::uuid)",
            &[&id, &seq, &prev, &hash, &line, &intent],
        )
    };
    let refused = |r: Result<u64, postgres::Error>, want: &str| {
        let e = r.expect_err(&format!(
            "the database accepted a line it should refuse ({want})"
        ));
        let got = constraint_of(&e);
        assert!(got.contains(want), "wanted {want}, got {got}");
    };

    // The real next line (sealed as the admin role) is what every forgery below starts from.
    let (good, good_line) = seal(2, &head, Some(&role), note("ok"));

    // Wrong hash: one byte of the body changed, hash kept.
    let tampered = good_line.replacen("\"ok\"", "\"OK\"", 1);
    refused(
        insert(&mut c, 2, &head, &good.hash, &tampered),
        "events_hash",
    );
    // A hash field that is not the hash column.
    let (other, _) = seal(2, &head, Some(&role), note("other"));
    refused(
        insert(&mut c, 2, &head, &other.hash, &good_line),
        "events_hash",
    );
    // Wrong prev: chained to something that is not the previous event.
    let fake_prev = "f".repeat(64);
    let (wp, wp_line) = seal(2, &fake_prev, Some(&role), note("wrong prev"));
    refused(
        insert(&mut c, 2, &fake_prev, &wp.hash, &wp_line),
        "events_chain",
    );
    // A gap: seq 3 right after seq 1.
    let (gap, gap_line) = seal(3, &head, Some(&role), note("gap"));
    refused(
        insert(&mut c, 3, &head, &gap.hash, &gap_line),
        "events_chain",
    );
    // Seq 1 is the start event and nothing else is.
    let start_like = seal(1, GENESIS, Some(&role), note("second first"));
    refused(
        insert(&mut c, 1, GENESIS, &start_like.0.hash, &start_like.1),
        "events_start",
    );
    // Body and columns disagree: the line says seq 2, the column says 5 (with a valid hash).
    refused(
        insert(&mut c, 5, &head, &good.hash, &good_line),
        "events_columns",
    );
    let (_, s2_line) = seal(2, &head, Some(&role), note("seq mismatch"));
    let relabelled = s2_line.replacen("{\"seq\":2,", "{\"seq\":7,", 1);
    // Re-hash the relabelled body so that only the column/JSON mismatch is left.
    let body_end = relabelled.len() - 75;
    let h = runsheet::run::event::sha256_hex(format!("{}}}", &relabelled[..body_end]).as_bytes());
    let fixed = format!("{},\"hash\":\"{h}\"}}", &relabelled[..body_end]);
    let fixed_hash = &fixed[fixed.len() - 66..fixed.len() - 2];
    refused(
        insert(&mut c, 2, &head, fixed_hash, &fixed),
        "events_columns",
    );
    // Recording as another role: the line's db_role is not the role that logged in.
    let (imp, imp_line) = seal(2, &head, Some("someone_else"), note("impersonation"));
    refused(
        insert(&mut c, 2, &head, &imp.hash, &imp_line),
        "events_db_role",
    );
    // No role at all in a live line.
    let (nr, nr_line) = seal(2, &head, None, note("anonymous"));
    refused(
        insert(&mut c, 2, &head, &nr.hash, &nr_line),
        "events_db_role",
    );
    // A second start event.
    let (st, st_line) = seal(
        2,
        &head,
        Some(&role),
        Change::Start {
            schema_version: 1,
            run_id: id.clone(),
            title: "again".into(),
            name: None,
            template_path: "x".into(),
            template_sha256: run.run.template_sha256.clone(),
            vars: Default::default(),
            steps: false,
            rules: runsheet::template::LOADER_RULES,
            exec: None,
        },
    );
    refused(insert(&mut c, 2, &head, &st.hash, &st_line), "events_start");
    // A re-base to a template the database does not hold.
    let (rb, rb_line) = seal(
        2,
        &head,
        Some(&role),
        Change::Rebase {
            from_sha256: run.run.base_sha256.clone(),
            to_sha256: "a".repeat(64),
            orphans: vec![],
        },
    );
    let e = insert(&mut c, 2, &head, &rb.hash, &rb_line).unwrap_err();
    assert!(
        constraint_of(&e).contains("is not stored"),
        "{}",
        constraint_of(&e)
    );
    // Imported events only in the transaction that created the run.
    let intent = runsheet::pg::engine::line::new_intent_id();
    let e = c
        .execute(
            "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id, imported) VALUES ($1, 2, $2, $3, $4, ($5::text)::uuid, true)",
            &[&id, &head, &nr.hash, &nr_line, &intent],
        )
        .unwrap_err();
    assert!(
        constraint_of(&e).contains("imported events"),
        "{}",
        constraint_of(&e)
    );

    // The genuine line goes in — durably, whatever the session asked for: the trigger raises
    // synchronous_commit to `on` for the inserting transaction.
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SET LOCAL synchronous_commit = off")
        .unwrap();
    let intent = runsheet::pg::engine::line::new_intent_id();
    tx.execute(
        "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id) VALUES ($1, 2, $2, $3, $4, ($5::text)::uuid)",
        &[&id, &head, &good.hash, &good_line, &intent],
    )
    .unwrap();
    let sc: String = tx.query_one("SHOW synchronous_commit", &[]).unwrap().get(0);
    assert_eq!(sc, "on");
    tx.commit().unwrap();
    // A taken seq: a second, well-formed event at seq 2 (a fork).
    let (fork, fork_line) = seal(2, &head, Some(&role), note("fork"));
    refused(
        insert(&mut c, 2, &head, &fork.hash, &fork_line),
        "events_pkey",
    );

    // History is append-only, for the superuser too.
    for sql in [
        "UPDATE runsheet.events SET line = line WHERE seq = 1",
        "DELETE FROM runsheet.events WHERE seq = 2",
        "TRUNCATE runsheet.events CASCADE",
        "UPDATE runsheet.runs SET team = 'x'",
        "DELETE FROM runsheet.templates",
    ] {
        let e = c.batch_execute(sql).unwrap_err();
        assert!(
            constraint_of(&e).contains("append-only"),
            "{sql}: {}",
            constraint_of(&e)
        );
    }
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM runsheet.events WHERE run_id = $1",
            &[&id],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}
