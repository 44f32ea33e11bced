//! Note drafts: what was being typed when the program had to stop, kept in the run dir per
//! operator — OS user *and* display name *and* process — so two operators on one shared account
//! (or one operator in two panes) never overwrite each other's unsaved words. A new session of the
//! same user and name claims the drafts of processes that have ended and offers each one back.
//!
//! `draft-<user>-<name>-<pid>.json` holds `{ user, name, pid, started, drafts: [{ item, text }] }`;
//! `started` is the process's start time (from `/proc`), so a reused pid is not taken for the
//! writer. Older `draft-<user>.json` files (one draft, keyed by OS user only) are still read.

use crate::app::Draft;
use crate::run::event::Actor;
use crate::store::fsutil;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct File {
    user: String,
    name: String,
    pid: u32,
    #[serde(default)]
    started: Option<u64>,
    drafts: Vec<Draft>,
}

fn safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn name_of(actor: &Actor, pid: u32) -> String {
    format!(
        "draft-{}-{}-{pid}.json",
        safe(&actor.user),
        safe(&actor.name)
    )
}

/// Start time of process `pid` in clock ticks since boot (field 22 of `/proc/PID/stat`), if it
/// runs (a zombie has ended: its parent just has not reaped it).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let mut fields = after.split_whitespace();
    if matches!(fields.next(), Some("Z" | "X" | "x")) {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// Whether the process that wrote a draft file still runs.
fn alive(f: &File) -> bool {
    match (start_time(f.pid), f.started) {
        (Some(now), Some(then)) => now == then,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Where this process keeps its drafts for the run in `dir`.
pub fn path(dir: &Path, actor: &Actor) -> PathBuf {
    dir.join(name_of(actor, std::process::id()))
}

/// Saves this process's drafts durably (temp file, fsync, rename, fsync dir); with none, removes
/// its file.
pub fn save(dir: &Path, actor: &Actor, drafts: &[Draft]) -> Result<(), String> {
    let pid = std::process::id();
    let name = name_of(actor, pid);
    if drafts.is_empty() {
        return match std::fs::remove_file(dir.join(&name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.to_string()),
            _ => Ok(()),
        };
    }
    let f = File {
        user: actor.user.clone(),
        name: actor.name.clone(),
        pid,
        started: start_time(pid),
        drafts: drafts.to_vec(),
    };
    let json = serde_json::to_vec(&f).map_err(|e| e.to_string())?;
    fsutil::atomic_replace(dir, &name, &json).map_err(|e| e.to_string())
}

/// Claims the drafts this operator (same OS user and display name) left in ended sessions: they
/// are saved under this process first, then the old files are removed, so a crash in between loses
/// nothing. Drafts of processes still running, and of other operators, are left alone.
pub fn claim(dir: &Path, actor: &Actor) -> Vec<Draft> {
    let mut drafts = Vec::new();
    let mut taken = Vec::new();
    let own = name_of(actor, std::process::id());
    let legacy = format!("draft-{}.json", safe(&actor.user));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return drafts;
    };
    for e in entries.flatten() {
        let fname = e.file_name().to_string_lossy().into_owned();
        if !fname.starts_with("draft-") || !fname.ends_with(".json") || fname == own {
            continue;
        }
        let Ok(bytes) = std::fs::read(e.path()) else {
            continue;
        };
        if fname == legacy {
            if let Ok(d) = serde_json::from_slice::<Draft>(&bytes) {
                drafts.push(d);
                taken.push(e.path());
            }
            continue;
        }
        let Ok(f) = serde_json::from_slice::<File>(&bytes) else {
            continue;
        };
        if f.user == actor.user && f.name == actor.name && !alive(&f) {
            drafts.extend(f.drafts);
            taken.push(e.path());
        }
    }
    if drafts.is_empty() || save(dir, actor, &drafts).is_err() {
        // Could not keep them under our name: leave the files for the next session.
        return drafts;
    }
    for p in taken {
        let _ = std::fs::remove_file(p);
    }
    drafts
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn actor(user: &str, name: &str) -> Actor {
        Actor {
            user: user.into(),
            host: "h".into(),
            name: name.into(),
        }
    }

    fn draft(item: &str, text: &str) -> Draft {
        Draft {
            item: item.into(),
            text: text.into(),
        }
    }

    fn write_foreign(dir: &Path, a: &Actor, pid: u32, started: Option<u64>, d: &[Draft]) {
        let f = File {
            user: a.user.clone(),
            name: a.name.clone(),
            pid,
            started,
            drafts: d.to_vec(),
        };
        std::fs::write(dir.join(name_of(a, pid)), serde_json::to_vec(&f).unwrap()).unwrap();
    }

    #[test]
    fn two_operators_on_one_account_keep_their_own_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let (alice, bob) = (actor("ops", "Alice"), actor("ops", "Bob"));
        // Both sessions ended (pids that do not run).
        write_foreign(
            dir.path(),
            &alice,
            9_999_991,
            Some(1),
            &[draft("a", "alice's words")],
        );
        write_foreign(
            dir.path(),
            &bob,
            9_999_992,
            Some(1),
            &[draft("b", "bob's words")],
        );
        assert_eq!(claim(dir.path(), &alice), vec![draft("a", "alice's words")]);
        assert_eq!(claim(dir.path(), &bob), vec![draft("b", "bob's words")]);
        // Claimed drafts now live under this process, each operator's in their own file.
        assert_eq!(
            claim(dir.path(), &alice),
            Vec::<Draft>::new(),
            "own file not re-claimed"
        );
        assert!(path(dir.path(), &alice).exists());
        assert!(path(dir.path(), &bob).exists());
    }

    #[test]
    fn a_running_session_keeps_its_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let me = actor("ops", "Alice");
        // pid 1 runs, with its real start time: a live session of the same operator.
        write_foreign(
            dir.path(),
            &me,
            1,
            start_time(1),
            &[draft("a", "still typing")],
        );
        assert!(claim(dir.path(), &me).is_empty());
        // Same pid, other start time: pid reused, the writer is gone.
        write_foreign(
            dir.path(),
            &me,
            1,
            Some(u64::MAX),
            &[draft("a", "left behind")],
        );
        assert_eq!(claim(dir.path(), &me), vec![draft("a", "left behind")]);
    }

    #[test]
    fn several_drafts_and_the_old_format_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let me = actor("ops", "Alice");
        std::fs::write(
            dir.path().join("draft-ops.json"),
            serde_json::to_vec(&draft("old", "from before")).unwrap(),
        )
        .unwrap();
        write_foreign(
            dir.path(),
            &me,
            9_999_993,
            None,
            &[draft("x", "one"), draft("y", "two")],
        );
        let mut got = claim(dir.path(), &me);
        got.sort_by(|a, b| a.item.cmp(&b.item));
        assert_eq!(
            got,
            vec![
                draft("old", "from before"),
                draft("x", "one"),
                draft("y", "two")
            ]
        );
        save(dir.path(), &me, &[]).unwrap();
        assert!(!path(dir.path(), &me).exists(), "no drafts: no file");
    }
}
