//! Tests of `writer`.

use super::*;
use crate::store::{StartOptions, Store};
use std::sync::mpsc::Receiver;

fn actor(name: &str) -> Actor {
    Actor {
        user: name.to_lowercase(),
        host: "h".into(),
        name: name.into(),
    }
}

fn tick(open: &OpenRun, k: usize) -> Intent {
    Intent::Tick {
        item: open.template.items[k].id.clone(),
        note: None,
    }
}

fn next(rx: &Receiver<StoreMsg>) -> StoreMsg {
    rx.recv_timeout(Duration::from_secs(20)).unwrap()
}

fn seqs(events: &[Event]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

/// Appends come back with the events other processes wrote before them; a refusal that read
/// other processes' events still delivers them; the poll delivers the rest: every event of
/// the journal reaches the screen exactly once, in order.
#[test]
fn every_event_reaches_the_screen_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("t.md");
    std::fs::write(
        &tpl,
        "# T\n\n- [ ] one\n- [ ] two\n- [ ] three\n- [ ] four\n",
    )
    .unwrap();
    let store = Store::at(&dir.path().join("data"));
    let alice = actor("Alice");
    let open = store
        .create(&tpl, &StartOptions::default(), &alice, now())
        .unwrap();
    let mut bob = OpenRun::open(&open.dir).unwrap();
    let items: Vec<Intent> = (0..4).map(|k| tick(&open, k)).collect();
    let (tx, rx) = mpsc::channel();
    let w = Writer::spawn(open, alice, move |m| tx.send(m).is_ok()).unwrap();
    let mut seen = Vec::new();

    bob.append(&items[0], &actor("Bob"), now()).unwrap(); // seq 2
    w.append(items[1].clone()); // seq 3, after Bob's
    match next(&rx) {
        StoreMsg::Written {
            caught_up, event, ..
        } => {
            assert_eq!(seqs(&caught_up), [2]);
            assert_eq!(event.seq, 3);
            seen.extend(seqs(&caught_up));
            seen.push(event.seq);
        }
        other => panic!("{other:?}"),
    }

    bob.append(&items[2], &actor("Bob"), now()).unwrap(); // seq 4
    w.append(items[0].clone()); // already done by Bob: refused, after reading seq 4
    match next(&rx) {
        StoreMsg::Remote { events, .. } => seen.extend(seqs(&events)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(&rx), StoreMsg::Refused(e) if e.contains("already")));

    bob.append(&items[3], &actor("Bob"), now()).unwrap(); // seq 5
    w.poll();
    match next(&rx) {
        StoreMsg::Remote { events, .. } => seen.extend(seqs(&events)),
        other => panic!("{other:?}"),
    }
    assert_eq!(seen, [2, 3, 4, 5]);
    let done = w.finish(true, Duration::from_secs(20)).unwrap();
    assert_eq!(done.unsaved, 0);
}

/// A new run is created by the writer (the screen did not wait for it); the first change is
/// written after it, and nothing is acknowledged before the run exists on disk.
#[test]
fn a_new_run_is_created_before_its_first_change() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("t.md");
    std::fs::write(&tpl, "# T\n\n- [ ] one\n").unwrap();
    let store = Store::at(&dir.path().join("data"));
    let source = crate::catalog::Source::File(tpl.clone());
    let new = store
        .prepare_from(&source, &StartOptions::default(), &actor("Alice"), now())
        .unwrap();
    let run_dir = new.dir();
    assert!(!run_dir.exists(), "prepared, not written");
    let intent = Intent::Tick {
        item: new.template.items[0].id.clone(),
        note: None,
    };
    let (tx, rx) = mpsc::channel();
    let w = Writer::spawn_on(Target::New(Box::new(new)), actor("Alice"), move |m| {
        tx.send(m).is_ok()
    })
    .unwrap();
    w.append(intent);
    match next(&rx) {
        StoreMsg::Written { event, .. } => assert_eq!(event.seq, 2),
        other => panic!("{other:?}"),
    }
    let journal = std::fs::read_to_string(run_dir.join(crate::store::JOURNAL)).unwrap();
    assert_eq!(journal.lines().count(), 2);
    let done = w.finish(true, Duration::from_secs(20)).unwrap();
    assert_eq!(done.unsaved, 0);
    assert!(run_dir.join("state.toml").exists());
}

/// A lock held by another process: the change waits (NOT SAVED), is retried every second, and
/// is written once the lock is free; the thread that sent it never waited.
#[test]
fn a_held_lock_makes_the_change_wait_not_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("t.md");
    std::fs::write(&tpl, "# T\n\n- [ ] one\n").unwrap();
    let store = Store::at(&dir.path().join("data"));
    let open = store
        .create(&tpl, &StartOptions::default(), &actor("Alice"), now())
        .unwrap();
    let lock = std::fs::File::options()
        .append(true)
        .open(open.dir.join(crate::store::LOCK))
        .unwrap();
    lock.lock().unwrap();
    let intent = tick(&open, 0);
    let (tx, rx) = mpsc::channel();
    let w = Writer::spawn(open, actor("Alice"), move |m| tx.send(m).is_ok()).unwrap();
    let t0 = std::time::Instant::now();
    w.append(intent);
    assert!(
        t0.elapsed() < Duration::from_millis(200),
        "append blocked the caller"
    );
    // Nothing is acknowledged while the lock is held.
    assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());
    lock.unlock().unwrap();
    let mut written = false;
    while !written {
        match next(&rx) {
            StoreMsg::NotSaved(e) => assert!(e.contains("locked"), "{e}"),
            StoreMsg::Written { event, .. } => {
                assert_eq!(event.seq, 2);
                written = true;
            }
            other => panic!("{other:?}"),
        }
    }
    drop(w);
}
