//! Torn journals (cut at every byte inside the last three events) and tamper detection by `verify`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use runsheet::run::event::{Event, line_body_hash};
use runsheet::run::intent::Intent;
use runsheet::store::{OpenRun, StartOptions, Store, identity, verify};
use std::path::{Path, PathBuf};
use support::{Env, fixture};

/// A run with `changes` events after the start, made through the library; returns its dir.
fn make_run(env: &Env, changes: usize) -> PathBuf {
    let store = Store::at(&env.data());
    let actor = identity::current(Some("Builder"));
    let now = chrono::Local::now().fixed_offset();
    let mut open = store
        .create(&fixture("small.md"), &StartOptions::default(), &actor, now)
        .unwrap();
    for i in 0..changes {
        let item = open.template.items[i % 3].id.clone();
        let intent = if i % 2 == 0 {
            Intent::Note {
                item,
                text: format!("note number {i} with \"quotes\" and ünïcode"),
            }
        } else if (i / 2) % 2 == 0 {
            Intent::Tick { item, note: None }
        } else {
            Intent::Untick {
                item,
                note: Some("again".into()),
            }
        };
        if open.append(&intent, &actor, now).is_err() {
            let item = open.template.items[i % 3].id.clone();
            open.append(
                &Intent::Note {
                    item,
                    text: "fallback".into(),
                },
                &actor,
                now,
            )
            .unwrap();
        }
    }
    open.save_snapshot().unwrap();
    open.dir.clone()
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' && i + 1 < bytes.len() {
            starts.push(i + 1);
        }
    }
    starts
}

#[test]
fn torn_journal_at_every_offset_of_the_last_three_events() {
    let env = Env::new();
    let dir = make_run(&env, 12);
    let journal = dir.join("journal.jsonl");
    let full = std::fs::read(&journal).unwrap();
    let starts = line_starts(&full);
    let from = starts[starts.len() - 3];
    let mut cuts = 0;
    for cut in from..full.len() {
        std::fs::write(&journal, &full[..cut]).unwrap();
        let complete = full[..cut].iter().filter(|&&b| b == b'\n').count();
        let partial = cut > 0 && full[cut - 1] != b'\n';
        let open = OpenRun::open(&dir).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert_eq!(open.run.seq as usize, complete, "cut at {cut}");
        assert_eq!(open.torn.is_some(), partial, "cut at {cut}");
        if partial {
            assert!(
                open.warnings.iter().any(|w| w.contains("partial line")),
                "cut at {cut}: {:?}",
                open.warnings
            );
            let t = open.torn.unwrap();
            assert_eq!(t.offset as usize + t.len as usize, cut);
        }
        let r = verify::verify(&dir).unwrap();
        assert!(r.broken.is_none(), "cut at {cut}: {:?}", r.broken);
        assert_eq!(r.events, complete);
        assert_eq!(r.torn.is_some(), partial);
        cuts += 1;
    }
    assert!(cuts > 300);
    std::fs::write(&journal, &full).unwrap();
}

#[test]
fn a_torn_tail_is_reported_on_open_and_moved_aside_by_the_next_append() {
    let env = Env::new();
    let dir = make_run(&env, 4);
    let journal = dir.join("journal.jsonl");
    let good = std::fs::read(&journal).unwrap();
    // What a writer killed in the middle of its one `write` leaves: part of the next line.
    let partial = b"{\"seq\":6,\"at\":\"2026-11-23T21:04:05.123456+01:00\",\"by\":{\"user";
    std::fs::write(&journal, [&good[..], &partial[..]].concat()).unwrap();
    let mut open = OpenRun::open(&dir).unwrap();
    assert_eq!(open.run.seq, 5);
    let t = open.torn.unwrap();
    assert_eq!((t.offset, t.len), (good.len() as u64, partial.len() as u64));
    assert!(open.refusal().is_none(), "a torn tail is not damage");
    let actor = identity::current(Some("Next"));
    let item = open.template.items[1].id.clone();
    let ev = open
        .append(
            &Intent::Note {
                item,
                text: "after the crash".into(),
            },
            &actor,
            chrono::Local::now().fixed_offset(),
        )
        .unwrap();
    assert_eq!(ev.seq, 7, "seq 6 records the torn line moved aside");
    assert!(open.torn.is_none());
    let events = open.events().unwrap();
    assert!(matches!(
        &events[5].change,
        runsheet::run::event::Change::TornTail { offset, .. } if *offset == good.len() as u64
    ));
    assert_eq!(
        std::fs::read(dir.join(format!("journal.torn-{}", good.len()))).unwrap(),
        partial
    );
    assert!(verify::verify(&dir).unwrap().intact());
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut s = lines.join("\n");
    s.push('\n');
    std::fs::write(path, s).unwrap();
}

/// Re-seals a line after editing its content so its own hash is right again.
fn rehash(line: &str) -> String {
    let pos = line.rfind(",\"hash\":\"").unwrap();
    let fake = format!("{},\"hash\":\"{}\"}}", &line[..pos], "0".repeat(64));
    let h = line_body_hash(fake.as_bytes()).unwrap();
    format!("{},\"hash\":\"{h}\"}}", &line[..pos])
}

#[test]
fn verify_detects_every_tampering() {
    let env = Env::new();
    let dir = make_run(&env, 30);
    let journal = dir.join("journal.jsonl");
    let original = lines(&journal);
    let n = original.len();
    let detected = |what: &str| {
        let r = verify::verify(&dir).unwrap();
        assert!(!r.intact(), "not detected: {what}");
    };
    let mut trials = 0;

    // Random single-byte edits anywhere in the file.
    let bytes = std::fs::read(&journal).unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..400 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let pos = (x % bytes.len() as u64) as usize;
        let mut b = bytes.clone();
        let new = ((x >> 32) as u8).max(1);
        b[pos] = if new == b[pos] { b[pos] ^ 0x01 } else { new };
        std::fs::write(&journal, &b).unwrap();
        detected(&format!("byte {pos} edited"));
        trials += 1;
    }
    // Each event deleted.
    for i in 0..n {
        let mut l = original.clone();
        l.remove(i);
        write_lines(&journal, &l);
        detected(&format!("event {} deleted", i + 1));
        trials += 1;
    }
    // Each adjacent pair swapped.
    for i in 0..n - 1 {
        let mut l = original.clone();
        l.swap(i, i + 1);
        write_lines(&journal, &l);
        detected(&format!("events {} and {} swapped", i + 1, i + 2));
        trials += 1;
    }
    // Each event's content changed and its own hash recomputed.
    for i in 0..n {
        let mut l = original.clone();
        let edited = l[i].replacen("Builder", "Mallory", 1);
        assert_ne!(edited, l[i]);
        l[i] = rehash(&edited);
        let ev: Event = serde_json::from_str(&l[i]).unwrap();
        assert!(
            Event::line_hash_ok(l[i].as_bytes(), &ev.hash),
            "the forged line is self-consistent"
        );
        write_lines(&journal, &l);
        detected(&format!("event {} re-hashed", i + 1));
        trials += 1;
    }
    // The whole chain re-hashed from an edited event on (only the snapshot's head catches this).
    {
        let mut l = original.clone();
        l[n - 3] = l[n - 3].replacen("Builder", "Mallory", 1);
        let mut prev: Option<String> = None;
        for line in l.iter_mut().skip(n - 3) {
            if let Some(p) = &prev {
                let start = line.find("\"prev\":\"").unwrap() + 8;
                line.replace_range(start..start + 64, p);
            }
            *line = rehash(line);
            prev = Some(serde_json::from_str::<Event>(line).unwrap().hash);
        }
        write_lines(&journal, &l);
        detected("chain re-hashed from seq n-2");
        trials += 1;
    }
    write_lines(&journal, &original);
    assert!(verify::verify(&dir).unwrap().intact());
    assert!(trials > 450);
}

#[test]
fn verify_cli_names_the_first_broken_seq() {
    let env = Env::new();
    let dir = make_run(&env, 10);
    let id = dir.file_name().unwrap().to_str().unwrap().to_owned();
    let journal = dir.join("journal.jsonl");
    let mut l = lines(&journal);
    l[4] = l[4].replacen("Builder", "Mallory", 1);
    write_lines(&journal, &l);
    let (code, out, _) = env.run(&["verify", &id]);
    assert_eq!(code, 1);
    assert!(out.contains("BROKEN at seq 5"), "{out}");
    let tpl = dir.join("template.md");
    write_lines(&journal, &{
        let mut l = lines(&journal);
        l[4] = l[4].replacen("Mallory", "Builder", 1);
        l
    });
    std::fs::write(&tpl, "- [ ] something else\n").unwrap();
    let (code, out, _) = env.run(&["verify", &id]);
    assert_eq!(code, 1);
    assert!(out.contains("template.md: modified"), "{out}");
}
