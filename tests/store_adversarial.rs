//! The adversarial suite: a run's files replaced by links (to a copy outside, to nothing, to
//! `/dev/zero`), FIFOs, directories, devices, sockets, hard links, files another user owns or
//! everyone may write; journals made sparse, NUL-filled, flipped at random offsets, truncated at
//! every line boundary, given garbage, duplicated, swapped and over-long lines; snapshots and
//! template copies flipped; run and runs directories another user owns or everyone may write.
//!
//! For every case, every command (`status`, `status --json`, `list`, `report`, `verify`, `tick`,
//! `repair-journal`) must: not panic, not hang (killed at a deadline = failure), touch no file
//! outside the run dir, leave the damaged file as it was, and print a message naming it. Failures
//! are collected and listed together; the totals are printed (`--nocapture` shows them).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;
#[path = "support/tools.rs"]
mod tools;
#[path = "support/users.rs"]
mod users;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use support::Env;

const LIMIT: Duration = Duration::from_secs(30);

/// A prepared run (copied for every case): small.md, a few notes, a snapshot covering them all.
struct Base {
    env: Env,
    id: String,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let env = Env::new();
        let id = env.start("small.md", &[]);
        for i in 0..6 {
            env.ok(&["note", &id, "warn", &format!("note {i}: dashboards green")]);
        }
        env.ok(&["tick", &id, "warn"]);
        Base { env, id }
    })
}

fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    std::fs::set_permissions(dst, std::fs::metadata(src).unwrap().permissions()).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let to = dst.join(e.file_name());
        let t = e.file_type().unwrap();
        if t.is_dir() {
            copy_tree(&e.path(), &to);
        } else if t.is_file() {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// What is at a path, without following links: type, mode, owner, inode, size, modification and
/// change times (any write, chmod or chown moves one of them), and the bytes of small files.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    kind: &'static str,
    mode: u32,
    uid: u32,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    content: Vec<u8>,
}

fn entry(p: &Path) -> Option<Entry> {
    let m = std::fs::symlink_metadata(p).ok()?;
    let t = m.file_type();
    let (kind, content) = if t.is_symlink() {
        (
            "link",
            std::fs::read_link(p)
                .unwrap()
                .into_os_string()
                .into_encoded_bytes(),
        )
    } else if t.is_file() && m.len() <= 1 << 20 {
        ("file", std::fs::read(p).unwrap())
    } else if t.is_file() {
        ("file", Vec::new())
    } else if t.is_dir() {
        ("dir", Vec::new())
    } else {
        ("special", Vec::new())
    };
    Some(Entry {
        kind,
        mode: m.mode(),
        uid: m.uid(),
        ino: m.ino(),
        len: m.len(),
        mtime: (m.mtime(), m.mtime_nsec()),
        ctime: (m.ctime(), m.ctime_nsec()),
        content,
    })
}

/// Every entry under `root` except inside `skip`.
fn tree(root: &Path, skip: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
    let Some(e) = entry(root) else { return };
    let is_dir = e.kind == "dir";
    out.insert(root.to_owned(), e);
    if !is_dir || root == skip {
        return;
    }
    for c in std::fs::read_dir(root).unwrap().flatten() {
        tree(&c.path(), skip, out);
    }
}

/// One case: a name, the run-dir entry it damages (`""` for the run dir itself, `"../"` for
/// `runs/`), and what it does.
/// Damages a copy of the run: (run dir, a directory outside it).
type Damage = Box<dyn Fn(&Path, &Path) + Send + Sync>;

struct Case {
    name: String,
    target: String,
    damage: Damage,
}

fn case(
    name: impl Into<String>,
    target: &str,
    damage: impl Fn(&Path, &Path) + Send + Sync + 'static,
) -> Case {
    Case {
        name: name.into(),
        target: target.to_owned(),
        damage: Box::new(damage),
    }
}

/// Runs every case; returns (cases, command runs, failures).
fn run_cases(cases: Vec<Case>) -> (usize, usize, Vec<String>) {
    let b = base();
    let mut failures = Vec::new();
    let mut runs = 0;
    let n = cases.len();
    for c in cases {
        let env = Env::new();
        copy_tree(&b.env.data(), &env.data());
        let id = b.id.clone();
        let run_dir = env.run_dir(&id);
        let outside = env.tmp.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("victim"), b"precious\n").unwrap();
        (c.damage)(&run_dir, &outside);
        let damaged = match c.target.as_str() {
            "" => run_dir.clone(),
            "../" => env.data().join("runs"),
            t => run_dir.join(t),
        };
        let shown = match c.target.as_str() {
            "" => id.clone(),
            "../" => "runs".to_owned(),
            t => t.to_owned(),
        };
        let mut before = BTreeMap::new();
        tree(env.tmp.path(), &run_dir, &mut before);
        let damaged_before = entry(&damaged);
        let commands: Vec<Vec<&str>> = vec![
            vec!["status", &id],
            vec!["status", &id, "--json"],
            vec!["list", "--all"],
            vec!["report", &id],
            vec!["verify", &id],
            vec!["tick", &id, "flush"],
            vec!["repair-journal", &id],
        ];
        for args in &commands {
            runs += 1;
            let mut cmd = env.cmd();
            cmd.args(args).env("RUNSHEET_LOCK_WAIT_MS", "2000");
            let r = support::run_within(cmd, LIMIT);
            let what = format!("{} / {}", c.name, args[0]);
            if r.hung {
                failures.push(format!("{what}: hung (killed after {LIMIT:?})"));
                continue;
            }
            if r.panicked() {
                failures.push(format!("{what}: panicked: {}", r.err));
            }
            if !r.all().contains(&shown) {
                failures.push(format!(
                    "{what}: no message names {shown}: exit {}: {}",
                    r.code,
                    r.all()
                ));
            }
            if entry(&damaged) != damaged_before {
                failures.push(format!("{what}: changed the damaged {shown}"));
            }
        }
        let mut after = BTreeMap::new();
        tree(env.tmp.path(), &run_dir, &mut after);
        // The run dir's own entry may change (a new file in it); what is outside may not.
        before.remove(&run_dir);
        after.remove(&run_dir);
        // runsheet's own log (tests/log_file.rs checks it is never reached through a link).
        let logs = env.data().join("logs");
        before.retain(|k, _| !k.starts_with(&logs));
        after.retain(|k, _| !k.starts_with(&logs));
        if c.target == "../" || c.target.is_empty() {
            // The damaged directory's own entry is checked above.
            before.remove(&damaged);
            after.remove(&damaged);
        }
        if before != after {
            let changed: Vec<_> = after
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(v))
                .map(|(k, _)| k.display().to_string())
                .chain(
                    before
                        .keys()
                        .filter(|k| !after.contains_key(*k))
                        .map(|k| format!("removed {}", k.display())),
                )
                .collect();
            failures.push(format!(
                "{}: touched outside the run dir: {changed:?}",
                c.name
            ));
        }
    }
    (n, runs, failures)
}

fn report(suite: &str, (cases, runs, failures): (usize, usize, Vec<String>)) {
    eprintln!(
        "adversarial/{suite}: {cases} cases, {runs} command runs, {} failures",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn lines_of(p: &Path) -> Vec<Vec<u8>> {
    std::fs::read(p)
        .unwrap()
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// Extends `name` by 64 MiB of holes (a sparse file, read back as NUL bytes).
fn make_sparse(d: &Path, name: &str) {
    let p = d.join(name);
    let len = std::fs::metadata(&p).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(len + (64 << 20))
        .unwrap();
}

/// Flips `bit` of byte `pos` of `name`.
fn flip(d: &Path, name: &str, pos: usize, bit: u8) {
    let p = d.join(name);
    let mut b = std::fs::read(&p).unwrap();
    b[pos] ^= bit;
    std::fs::write(&p, b).unwrap();
}

const FILES: [&str; 4] = ["journal.jsonl", "state.toml", "template.md", "lock"];

#[test]
fn files_replaced_by_links_fifos_dirs_sockets_and_hard_links() {
    let mut cases = Vec::new();
    for f in FILES {
        cases.push(case(
            format!("{f} → link to a copy outside"),
            f,
            move |d, o| {
                let copy = o.join(format!("copy-of-{f}"));
                std::fs::copy(d.join(f), &copy).unwrap();
                std::fs::remove_file(d.join(f)).unwrap();
                std::os::unix::fs::symlink(&copy, d.join(f)).unwrap();
            },
        ));
        cases.push(case(
            format!("{f} → link to nothing outside"),
            f,
            move |d, o| {
                std::fs::remove_file(d.join(f)).unwrap();
                std::os::unix::fs::symlink(o.join("created-by-runsheet"), d.join(f)).unwrap();
            },
        ));
        cases.push(case(
            format!("{f} → link to /dev/zero"),
            f,
            move |d, _| {
                std::fs::remove_file(d.join(f)).unwrap();
                std::os::unix::fs::symlink("/dev/zero", d.join(f)).unwrap();
            },
        ));
        cases.push(case(format!("{f} as a FIFO"), f, move |d, _| {
            std::fs::remove_file(d.join(f)).unwrap();
            rustix::fs::mknodat(
                rustix::fs::CWD,
                d.join(f),
                rustix::fs::FileType::Fifo,
                rustix::fs::Mode::from_raw_mode(0o600),
                0,
            )
            .unwrap();
        }));
        cases.push(case(format!("{f} as a directory"), f, move |d, _| {
            std::fs::remove_file(d.join(f)).unwrap();
            std::fs::create_dir(d.join(f)).unwrap();
            std::fs::write(d.join(f).join("inside"), b"x").unwrap();
        }));
        cases.push(case(format!("{f} as a socket"), f, move |d, _| {
            std::fs::remove_file(d.join(f)).unwrap();
            drop(std::os::unix::net::UnixListener::bind(d.join(f)).unwrap());
        }));
        cases.push(case(
            format!("{f} hard-linked from outside"),
            f,
            move |d, o| {
                let other = o.join(format!("hardlink-of-{f}"));
                std::fs::hard_link(d.join(f), &other).unwrap();
            },
        ));
        cases.push(case(format!("{f} writable by everyone"), f, move |d, _| {
            std::fs::set_permissions(d.join(f), std::fs::Permissions::from_mode(0o666)).unwrap();
        }));
        if users::is_root() {
            cases.push(case(
                format!("{f} as a character device"),
                f,
                move |d, _| {
                    std::fs::remove_file(d.join(f)).unwrap();
                    rustix::fs::mknodat(
                        rustix::fs::CWD,
                        d.join(f),
                        rustix::fs::FileType::CharacterDevice,
                        rustix::fs::Mode::from_raw_mode(0o600),
                        rustix::fs::makedev(1, 3),
                    )
                    .unwrap();
                },
            ));
        }
    }
    report("file kinds", run_cases(cases));
}

#[test]
fn journals_sparse_nul_flipped_truncated_and_garbled() {
    let b = base();
    let journal = b.env.run_dir(&b.id).join("journal.jsonl");
    let original = std::fs::read(&journal).unwrap();
    let lines = lines_of(&journal);
    let j = "journal.jsonl";
    let mut cases = Vec::new();
    cases.push(case("journal sparse (+64 MiB of holes)", j, |d, _| {
        make_sparse(d, "journal.jsonl")
    }));
    let n = original.len();
    cases.push(case("journal all NUL bytes", j, move |d, _| {
        std::fs::write(d.join("journal.jsonl"), vec![0u8; n]).unwrap();
    }));
    cases.push(case("journal with a NUL run mid-file", j, move |d, _| {
        let p = d.join("journal.jsonl");
        let mut b = std::fs::read(&p).unwrap();
        b[n / 2..n / 2 + 64].fill(0);
        std::fs::write(&p, b).unwrap();
    }));
    cases.push(case("journal with a 9 MiB line mid-file", j, |d, _| {
        let p = d.join("journal.jsonl");
        let mut l = lines_of(&p);
        l.insert(3, vec![b'x'; 9 << 20]);
        std::fs::write(&p, l.concat()).unwrap();
    }));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..64 {
        let pos = (xorshift(&mut x) % (n as u64 - 1)) as usize;
        let bit = 1u8 << (xorshift(&mut x) % 8);
        cases.push(case(
            format!("journal bit {bit:#04x} flipped at byte {pos}"),
            j,
            move |d, _| flip(d, "journal.jsonl", pos, bit),
        ));
    }
    for k in 0..lines.len() {
        let keep: Vec<u8> = lines[..k].concat();
        cases.push(case(
            format!("journal truncated to {k} line(s)"),
            j,
            move |d, _| {
                std::fs::write(d.join("journal.jsonl"), &keep).unwrap();
            },
        ));
    }
    for at in [1, lines.len() / 2, lines.len() - 1] {
        cases.push(case(
            format!("garbage line before line {}", at + 1),
            j,
            move |d, _| {
                let p = d.join("journal.jsonl");
                let mut l = lines_of(&p);
                l.insert(at, b"{\"seq\": \"not an event\"}\n".to_vec());
                std::fs::write(&p, l.concat()).unwrap();
            },
        ));
        cases.push(case(
            format!("line {} duplicated", at + 1),
            j,
            move |d, _| {
                let p = d.join("journal.jsonl");
                let mut l = lines_of(&p);
                l.insert(at, l[at].clone());
                std::fs::write(&p, l.concat()).unwrap();
            },
        ));
        cases.push(case(
            format!("lines {at} and {} swapped", at + 1),
            j,
            move |d, _| {
                let p = d.join("journal.jsonl");
                let mut l = lines_of(&p);
                l.swap(at - 1, at);
                std::fs::write(&p, l.concat()).unwrap();
            },
        ));
    }
    report("journal content", run_cases(cases));
}

#[test]
fn snapshots_and_template_copies_damaged() {
    let b = base();
    let state = b.env.run_dir(&b.id).join("state.toml");
    let text = std::fs::read(&state).unwrap();
    // The two comment lines at the top are not part of what the snapshot states.
    let from = text
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == b'\n')
        .nth(1)
        .map_or(0, |(i, _)| i + 1);
    let s = "state.toml";
    let mut cases = Vec::new();
    let mut x: u64 = 0xD1B5_4A32_D192_ED03;
    for _ in 0..40 {
        let pos = from + (xorshift(&mut x) % (text.len() - from - 1) as u64) as usize;
        let bit = 1u8 << (xorshift(&mut x) % 7);
        cases.push(case(
            format!("state.toml bit {bit:#04x} flipped at byte {pos}"),
            s,
            move |d, _| flip(d, "state.toml", pos, bit),
        ));
    }
    let n = text.len();
    cases.push(case("state.toml all NUL bytes", s, move |d, _| {
        std::fs::write(d.join("state.toml"), vec![0u8; n]).unwrap();
    }));
    cases.push(case("state.toml empty", s, |d, _| {
        std::fs::write(d.join("state.toml"), b"").unwrap();
    }));
    cases.push(case("state.toml sparse (+64 MiB of holes)", s, |d, _| {
        make_sparse(d, "state.toml")
    }));
    let tpl = std::fs::read(b.env.run_dir(&b.id).join("template.md")).unwrap();
    for k in 0..5 {
        let pos = (k * 7 + 3) % tpl.len();
        cases.push(case(
            format!("template.md flipped at byte {pos}"),
            "template.md",
            move |d, _| flip(d, "template.md", pos, 0x20),
        ));
    }
    report("snapshot and template", run_cases(cases));
}

#[test]
fn directories_another_user_owns_or_everyone_may_write() {
    let mut cases = vec![
        case("run dir writable by everyone", "", |d, _| {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
        }),
        case("runs/ writable by everyone", "../", |d, _| {
            let runs = d.parent().unwrap();
            std::fs::set_permissions(runs, std::fs::Permissions::from_mode(0o777)).unwrap();
        }),
        case(
            "run dir replaced by a link to a copy outside",
            "",
            |d, o| {
                let copy = o.join("run-copy");
                copy_tree(d, &copy);
                std::fs::remove_dir_all(d).unwrap();
                std::os::unix::fs::symlink(&copy, d).unwrap();
            },
        ),
    ];
    let other = users::other();
    let have_other = tools::require(
        other.is_some(),
        "a second OS user",
        "directories_another_user_owns_or_everyone_may_write",
        "run the tests as root: they create user rsadv with useradd",
    );
    if have_other {
        let uid = other.unwrap().uid;
        cases.push(case("run dir owned by another user", "", move |d, _| {
            std::os::unix::fs::chown(d, Some(uid), None).unwrap();
        }));
        cases.push(case("runs/ owned by another user", "../", move |d, _| {
            std::os::unix::fs::chown(d.parent().unwrap(), Some(uid), None).unwrap();
        }));
        for f in FILES {
            cases.push(case(
                format!("{f} owned by another user"),
                f,
                move |d, _| {
                    std::os::unix::fs::chown(d.join(f), Some(uid), None).unwrap();
                },
            ));
            cases.push(case(
                format!("{f} → another user's link to a copy"),
                f,
                move |d, o| {
                    let copy = o.join(format!("their-{f}"));
                    std::fs::copy(d.join(f), &copy).unwrap();
                    std::os::unix::fs::chown(&copy, Some(uid), None).unwrap();
                    std::fs::remove_file(d.join(f)).unwrap();
                    std::os::unix::fs::symlink(&copy, d.join(f)).unwrap();
                    std::os::unix::fs::lchown(d.join(f), Some(uid), None).unwrap();
                },
            ));
        }
    }
    report("directories and owners", run_cases(cases));
}
