//! Never write past damage: a journal broken in the middle, a snapshot ahead of its journal, a torn
//! tail (moved aside by the next writer), and the repairs (unique kept copies, nothing half-done).
//! Every test drives the real binary, so each can be run against an older build with
//! `RUNSHEET_TEST_BIN=/path/to/old/runsheet` to see it fail there.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;
use support::{Env, dir_state};

/// A run of small.md with `notes` notes after the start; returns (id, run dir).
fn make(env: &Env, notes: usize) -> (String, PathBuf) {
    let id = env.start("small.md", &[]);
    for i in 0..notes {
        env.ok(&["note", &id, "warn", &format!("note number {i}, all quiet")]);
    }
    let dir = env.run_dir(&id);
    (id, dir)
}

fn lines(path: &Path) -> Vec<Vec<u8>> {
    std::fs::read(path)
        .unwrap()
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    std::fs::write(path, lines.concat()).unwrap();
}

fn files_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// Asserts a change is refused with exit 3 naming the journal and `line`, and changes nothing.
fn refused_at(env: &Env, id: &str, dir: &Path, line: usize) {
    let before = dir_state(dir);
    let (code, out, err) = env.run(&["tick", id, "flush"]);
    assert_eq!(
        code, 3,
        "a change to a damaged run must be refused: {out}{err}"
    );
    assert!(
        err.contains(&format!("journal.jsonl:{line}:")) && err.contains("read-only"),
        "the refusal names the file and line {line}: {err}"
    );
    assert_eq!(dir_state(dir), before, "a refused change writes nothing");
}

#[test]
fn a_flipped_byte_mid_journal_makes_the_run_read_only_and_names_the_line() {
    let env = Env::new();
    let (id, dir) = make(&env, 6);
    let journal = dir.join("journal.jsonl");
    let mut l = lines(&journal);
    // Inside the note text of line 4: still valid JSON, but no longer what was sealed.
    let pos = l[3].windows(3).position(|w| w == b"all").unwrap();
    l[3][pos] = b'A';
    write_lines(&journal, &l);
    let (code, out, err) = env.run(&["status", &id]);
    assert_eq!(code, 0, "a damaged run can still be read: {err}");
    assert!(
        err.contains("journal.jsonl:4:") && err.contains("read-only"),
        "{err}"
    );
    assert!(out.contains("Warn support"), "{out}");
    refused_at(&env, &id, &dir, 4);
    // The screen's path (a TUI append) goes through the same store: the JSON status says so too.
    let s = env.status_json(&id);
    assert_eq!(s["run"]["read_only"], true, "{s}");
    let (code, out, _) = env.run(&["verify", &id]);
    assert_eq!(code, 1);
    assert!(out.contains("BROKEN at seq 4"), "{out}");
}

#[test]
fn garbage_duplicated_and_swapped_lines_refuse_every_change() {
    let env = Env::new();
    let (id, dir) = make(&env, 6);
    let journal = dir.join("journal.jsonl");
    let original = lines(&journal);
    let cases: Vec<(&str, Vec<Vec<u8>>, usize)> = vec![
        (
            "garbage line",
            {
                let mut l = original.clone();
                l.insert(3, b"{\"seq\":4, this is not an event}\n".to_vec());
                l
            },
            4,
        ),
        (
            "duplicated line",
            {
                let mut l = original.clone();
                l.insert(3, l[2].clone());
                l
            },
            4,
        ),
        (
            "swapped lines",
            {
                let mut l = original.clone();
                l.swap(3, 4);
                l
            },
            4,
        ),
        (
            "deleted line",
            {
                let mut l = original.clone();
                l.remove(3);
                l
            },
            4,
        ),
        (
            "blank line",
            {
                let mut l = original.clone();
                l.insert(5, b"\n".to_vec());
                l
            },
            6,
        ),
    ];
    for (what, damaged, line) in cases {
        write_lines(&journal, &damaged);
        let _ = std::fs::remove_file(dir.join("state.toml"));
        let before = std::fs::read(&journal).unwrap();
        let (code, _, err) = env.run(&["tick", &id, "flush"]);
        assert_eq!(code, 3, "{what}: {err}");
        assert!(
            err.contains(&format!("journal.jsonl:{line}:")),
            "{what}: {err}"
        );
        assert_eq!(
            std::fs::read(&journal).unwrap(),
            before,
            "{what}: journal untouched"
        );
    }
}

#[test]
fn byte_flips_anywhere_are_never_written_past() {
    let env = Env::new();
    let (id, dir) = make(&env, 8);
    let journal = dir.join("journal.jsonl");
    let state = dir.join("state.toml");
    let original = std::fs::read(&journal).unwrap();
    let snap = std::fs::read(&state).unwrap();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut trials = 0;
    for _ in 0..60 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let pos = (x % original.len() as u64) as usize;
        let mut b = original.clone();
        // Never the last line's newline: that would be a torn tail, which is not damage.
        if pos == original.len() - 1 {
            continue;
        }
        b[pos] ^= 1 << ((x >> 40) % 7);
        std::fs::write(&journal, &b).unwrap();
        std::fs::write(&state, &snap).unwrap();
        let (code, _, err) = env.run(&["tick", &id, "flush"]);
        assert_eq!(code, 3, "flip at byte {pos} was written past: {err}");
        assert!(err.contains("journal.jsonl"), "flip at {pos}: {err}");
        assert_eq!(
            std::fs::read(&journal).unwrap(),
            b,
            "flip at {pos}: unchanged"
        );
        trials += 1;
    }
    assert!(trials > 50);
}

#[test]
fn a_snapshot_ahead_of_its_journal_is_damage_and_the_snapshot_is_kept() {
    let env = Env::new();
    let (id, dir) = make(&env, 6);
    let journal = dir.join("journal.jsonl");
    let state = dir.join("state.toml");
    let snap = std::fs::read(&state).unwrap();
    let mut l = lines(&journal);
    l.truncate(l.len() - 2);
    write_lines(&journal, &l);
    let (code, _, err) = env.run(&["status", &id]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("cut from the end"), "{err}");
    let before = dir_state(&dir);
    let (code, _, err) = env.run(&["note", &id, "warn", "after the cut"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("journal.jsonl") && err.contains("read-only"),
        "{err}"
    );
    assert_eq!(
        dir_state(&dir),
        before,
        "nothing written, the snapshot kept"
    );
    assert_eq!(std::fs::read(&state).unwrap(), snap);
    let (code, out, _) = env.run(&["verify", &id]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("TAMPERED") && out.contains("cut from the end"),
        "{out}"
    );
}

#[test]
fn repair_journal_describes_damage_and_carries_on_only_when_told() {
    let env = Env::new();
    let (id, dir) = make(&env, 6);
    let journal = dir.join("journal.jsonl");
    let mut l = lines(&journal);
    l[4] = b"garbage that is not an event\n".to_vec();
    write_lines(&journal, &l);
    let damaged = std::fs::read(&journal).unwrap();
    let before = dir_state(&dir);
    let (code, out, err) = env.run(&["repair-journal", &id]);
    assert_eq!(code, 1, "a plan, not a repair: {out}{err}");
    assert!(
        out.contains("journal.jsonl:5") && out.contains("--accept-loss"),
        "{out}"
    );
    assert!(out.contains("nothing was changed"), "{out}");
    assert_eq!(
        dir_state(&dir),
        before,
        "without the operator's word nothing changes"
    );

    let out = env.ok(&["repair-journal", &id, "--accept-loss", "--as", "Repairer"]);
    assert!(out.contains("repaired") && out.contains("kept"), "{out}");
    let kept = files_starting(&dir, "journal.damaged-");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        std::fs::read(&kept[0]).unwrap(),
        damaged,
        "kept byte for byte"
    );
    let snaps = files_starting(&dir, "state.toml.damaged-");
    assert_eq!(
        snaps.len(),
        1,
        "the snapshot that covered the dropped lines is kept"
    );
    // The journal is the good prefix, byte for byte, plus the repair event.
    let now = std::fs::read(&journal).unwrap();
    assert!(now.starts_with(&l[..4].concat()));
    let repair = String::from_utf8_lossy(&now[l[..4].concat().len()..]).into_owned();
    assert!(
        repair.contains("\"type\":\"repair\"") && repair.contains("Repairer"),
        "{repair}"
    );
    assert!(
        env.ok(&["verify", &id])
            .starts_with("note: seq 5: repaired")
    );
    env.ok(&["tick", &id, "flush"]);
    let (_, _, err) = env.run(&["status", &id]);
    assert!(err.contains("repaired after damage"), "{err}");
}

#[test]
fn repair_journal_refuses_a_damaged_start_event() {
    let env = Env::new();
    let (id, dir) = make(&env, 2);
    let journal = dir.join("journal.jsonl");
    let mut l = lines(&journal);
    l[0][10] ^= 1;
    write_lines(&journal, &l);
    let before = dir_state(&dir);
    let (code, _, err) = env.run(&["repair-journal", &id, "--accept-loss"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("journal.jsonl") && err.contains("start"),
        "{err}"
    );
    assert_eq!(dir_state(&dir), before);
}

#[test]
fn repair_journal_after_a_cut_keeps_the_snapshot_and_records_the_loss() {
    let env = Env::new();
    let (id, dir) = make(&env, 5);
    let journal = dir.join("journal.jsonl");
    let state = dir.join("state.toml");
    let snap = std::fs::read(&state).unwrap();
    let mut l = lines(&journal);
    l.truncate(4);
    write_lines(&journal, &l);
    let out = env.ok(&["repair-journal", &id, "--accept-loss"]);
    assert!(out.contains("repaired"), "{out}");
    let kept = files_starting(&dir, "state.toml.damaged-");
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0]).unwrap(), snap);
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        text.contains("cut from the end"),
        "the loss is in the record"
    );
    assert!(env.ok(&["verify", &id]).contains("intact"));
}

#[test]
fn a_torn_tail_is_moved_aside_by_the_next_change_and_recorded() {
    let env = Env::new();
    let (id, dir) = make(&env, 3);
    let journal = dir.join("journal.jsonl");
    // A writer killed during its write: part of a line after the last acknowledged one.
    let good = std::fs::read(&journal).unwrap();
    let last = lines(&journal).pop().unwrap();
    let partial = String::from_utf8(last[..last.len() / 2].to_vec())
        .unwrap()
        .replacen("\"seq\":4,", "\"seq\":5,", 1);
    let full = [&good[..], partial.as_bytes()].concat();
    std::fs::write(&journal, &full).unwrap();
    let torn_at = good.len();
    let cut = full.len();
    let (code, _, err) = env.run(&["status", &id]);
    assert_eq!(code, 0);
    assert!(err.contains("partial line"), "{err}");
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        &full[..cut],
        "reading never repairs"
    );
    let out = env.ok(&["tick", &id, "hit ratio"]);
    assert!(
        out.contains("seq 6: tick"),
        "the torn_tail event is seq 5: {out}"
    );
    let aside = files_starting(&dir, "journal.torn-");
    assert_eq!(aside, vec![dir.join(format!("journal.torn-{torn_at}"))]);
    assert_eq!(std::fs::read(&aside[0]).unwrap(), &full[torn_at..cut]);
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains("\"type\":\"torn_tail\""), "{text}");
    assert!(!text.contains(std::str::from_utf8(&full[torn_at..cut]).unwrap()));
    let v = env.ok(&["verify", &id]);
    assert!(v.contains("moved aside") && v.contains("intact"), "{v}");
}

#[test]
fn a_second_tear_at_the_same_offset_gets_its_own_name() {
    let env = Env::new();
    let (id, dir) = make(&env, 2);
    let journal = dir.join("journal.jsonl");
    let good = std::fs::read(&journal).unwrap();
    let state = std::fs::read(dir.join("state.toml")).unwrap();
    for (k, tail) in [
        &b"{\"seq\":4,\"at\":\"20"[..],
        b"{\"seq\":4,\"at\":\"2026-11",
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(&journal, [&good[..], tail].concat()).unwrap();
        std::fs::write(dir.join("state.toml"), &state).unwrap();
        let out = env.ok(&["repair-journal", &id]);
        assert!(
            out.contains("moved the partial last line"),
            "round {k}: {out}"
        );
        // Back to the same length: the next tear starts at the same offset.
        std::fs::write(&journal, &good).unwrap();
    }
    let aside = files_starting(&dir, "journal.torn-");
    assert_eq!(aside.len(), 2, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), b"{\"seq\":4,\"at\":\"20");
    assert_eq!(
        std::fs::read(&aside[1]).unwrap(),
        b"{\"seq\":4,\"at\":\"2026-11"
    );
}

#[test]
fn repair_state_never_overwrites_a_copy_it_kept() {
    let env = Env::new();
    let (id, dir) = make(&env, 1);
    let state = dir.join("state.toml");
    let mut kept_texts = Vec::new();
    for k in 0..3 {
        let broken = format!("damaged snapshot number {k}\n");
        std::fs::write(&state, &broken).unwrap();
        env.ok(&["repair-state", &id]);
        kept_texts.push(broken);
    }
    let kept = files_starting(&dir, "state.toml.damaged-");
    assert_eq!(
        kept.len(),
        3,
        "three repairs within seconds keep three copies: {kept:?}"
    );
    let mut got: Vec<String> = kept
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    got.sort();
    kept_texts.sort();
    assert_eq!(got, kept_texts);
}

#[test]
fn a_sparse_journal_full_of_nul_bytes_is_damage() {
    let env = Env::new();
    let (id, dir) = make(&env, 2);
    let journal = dir.join("journal.jsonl");
    let len = std::fs::metadata(&journal).unwrap().len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&journal)
        .unwrap();
    f.set_len(len + 64 * 1024 * 1024).unwrap();
    drop(f);
    let (code, out, _) = env.run(&["verify", &id]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("NUL"), "{out}");
    let (code, _, err) = env.run(&["tick", &id, "flush"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        std::fs::metadata(&journal).unwrap().len(),
        len + 64 * 1024 * 1024
    );
    // A NUL run in the middle, too.
    let mut b = std::fs::read(&journal).unwrap();
    b.truncate(len as usize);
    let mid = b.len() / 2;
    for x in &mut b[mid..mid + 20] {
        *x = 0;
    }
    std::fs::write(&journal, &b).unwrap();
    let (code, out, _) = env.run(&["verify", &id]);
    assert_eq!(code, 1);
    assert!(out.contains("NUL"), "{out}");
}

#[test]
fn a_torn_first_line_says_what_to_do() {
    let env = Env::new();
    let (id, dir) = make(&env, 0);
    let journal = dir.join("journal.jsonl");
    let full = std::fs::read(&journal).unwrap();
    std::fs::write(&journal, &full[..full.len() / 2]).unwrap();
    let _ = std::fs::remove_file(dir.join("state.toml"));
    let (code, _, err) = env.run(&["status", &id]);
    assert_ne!(code, 0);
    assert!(
        err.contains("journal.jsonl")
            && err.contains("partial first line")
            && err.contains("start again"),
        "{err}"
    );
}

#[path = "support/tools.rs"]
mod tools;

/// A tiny tmpfs mounted for one test (root only), unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path) -> Option<SmallDisk> {
        if !rustix::process::geteuid().is_root() {
            return None;
        }
        std::fs::create_dir_all(at).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs"])
            .arg(at)
            .status()
            .ok()?
            .success();
        ok.then(|| SmallDisk(at.to_owned()))
    }

    /// Fills it up; returns the filler's path.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let p = self.0.join("filler");
        let mut f = std::fs::File::create(&p).unwrap();
        let chunk = vec![b'f'; 4096];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
        p
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_during_a_repair_leaves_nothing_half_written() {
    let env = Env::new();
    let disk = SmallDisk::mount(&env.tmp.path().join("disk"));
    if !tools::require(
        disk.is_some(),
        "root (to mount a small tmpfs)",
        "a_full_disk_during_a_repair_leaves_nothing_half_written",
        "run the tests as root",
    ) {
        return;
    }
    let disk = disk.unwrap();
    let data = disk.0.join("data");
    let d = data.to_str().unwrap().to_owned();
    let tpl = env.template_copy("small.md");
    let id = env
        .ok(&["start", tpl.to_str().unwrap(), "--data-dir", &d])
        .trim()
        .to_owned();
    for i in 0..4 {
        env.ok(&["note", &id, "warn", &format!("note {i}"), "--data-dir", &d]);
    }
    let dir = data.join("runs").join(&id);
    let journal = dir.join("journal.jsonl");
    let good = std::fs::read(&journal).unwrap();
    let state = std::fs::read(dir.join("state.toml")).unwrap();
    let aside = |prefix: &str| files_starting(&dir, prefix);

    // A torn tail to move aside, with no room for the copy: the change fails, nothing moved.
    let torn = [&good[..], &b"{\"seq\":6,\"at\":\"2026-11-23T21:0"[..]].concat();
    std::fs::write(&journal, &torn).unwrap();
    let filler = disk.fill();
    for args in [
        vec!["repair-journal", &id, "--data-dir", &d],
        vec!["tick", &id, "flush", "--data-dir", &d],
    ] {
        let r = env.run_within(&args, Duration::from_secs(30));
        assert!(r.code != 0 && !r.panicked(), "{args:?}: {}", r.all());
        assert_eq!(
            std::fs::read(&journal).unwrap(),
            torn,
            "{args:?}: journal as it was"
        );
        assert!(
            aside("journal.torn-").is_empty(),
            "{args:?}: no partial copy left"
        );
    }
    std::fs::remove_file(&filler).unwrap();
    env.ok(&["repair-journal", &id, "--data-dir", &d]);
    assert_eq!(aside("journal.torn-").len(), 1);

    // Mid-file damage, carried on with no room for the new journal: nothing changes.
    let mut l = lines(&journal);
    l[3] = b"not an event\n".to_vec();
    write_lines(&journal, &l);
    let damaged = std::fs::read(&journal).unwrap();
    let snap_before = std::fs::read(dir.join("state.toml")).unwrap();
    let filler = disk.fill();
    let r = env.run_within(
        &["repair-journal", &id, "--accept-loss", "--data-dir", &d],
        Duration::from_secs(30),
    );
    assert!(r.code != 0 && !r.panicked(), "{}", r.all());
    assert_eq!(std::fs::read(&journal).unwrap(), damaged);
    assert_eq!(std::fs::read(dir.join("state.toml")).unwrap(), snap_before);
    assert!(
        aside("journal.damaged-").is_empty(),
        "{:?}",
        aside("journal.damaged-")
    );
    assert!(aside("state.toml.damaged-").is_empty());
    assert!(
        aside(".")
            .iter()
            .all(|p| !p.to_string_lossy().ends_with(".tmp"))
    );
    std::fs::remove_file(&filler).unwrap();
    env.ok(&["repair-journal", &id, "--accept-loss", "--data-dir", &d]);
    assert_eq!(
        std::fs::read(&aside("journal.damaged-")[0]).unwrap(),
        damaged,
        "the damaged journal kept byte for byte"
    );

    // A damaged snapshot rebuilt with no room: the damaged one stays where it is.
    let _ = state;
    std::fs::write(dir.join("state.toml"), b"damaged snapshot\n").unwrap();
    let kept_before = aside("state.toml.damaged-");
    let filler = disk.fill();
    let r = env.run_within(
        &["repair-state", &id, "--data-dir", &d],
        Duration::from_secs(30),
    );
    assert!(r.code != 0 && !r.panicked(), "{}", r.all());
    assert_eq!(
        std::fs::read(dir.join("state.toml")).unwrap(),
        b"damaged snapshot\n"
    );
    assert_eq!(aside("state.toml.damaged-"), kept_before);
    std::fs::remove_file(&filler).unwrap();
    env.ok(&["repair-state", &id, "--data-dir", &d]);
    assert!(
        env.ok(&["verify", &id, "--data-dir", &d])
            .contains("intact")
    );
}
