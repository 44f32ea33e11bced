//! Presence for the file store: who has a local run open on screen. Each screen keeps one small
//! file in the run dir's `presence/` directory (created through [`super::safe::Dir`], never
//! through a link), rewrites it every [`HEARTBEAT`] and removes it on exit. A file whose process is
//! gone (a pid on this host that no longer runs) or whose heartbeat is older than [`STALE_AFTER`]
//! (a crash on another host sharing the data dir) is ignored, and tidied by the next screen.
//!
//! Presence is a courtesy shown in the header, not a record: nothing here is in the journal, and a
//! missing or unreadable presence directory never stops a run.

use super::StoreError;
use super::safe::Dir;
use crate::run::event::Actor;
use crate::run::presence::Viewer;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The directory in a run dir that holds presence files.
pub const DIR: &str = "presence";
/// How often an open screen rewrites its file.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// A file not rewritten for this long is ignored.
pub const STALE_AFTER: Duration = Duration::from_secs(45);
/// Presence files are tiny; anything bigger is not one.
const MAX_BYTES: u64 = 4096;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Record {
    name: String,
    user: String,
    host: String,
    pid: u32,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    since: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    seen: DateTime<Utc>,
}

/// This process's presence on one local run (removed on drop).
#[derive(Debug)]
pub struct Presence {
    dir: Dir,
    name: String,
    record: Record,
}

fn file_name(host: &str, pid: u32) -> String {
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    format!("{host}-{pid}.json")
}

impl Presence {
    /// Announces `actor` on the run at `run_dir` (creates `presence/` if needed).
    pub fn join(run_dir: &Dir, actor: &Actor) -> Result<Presence, StoreError> {
        let dir = run_dir.create_child(DIR, false)?;
        let pid = std::process::id();
        let now = Utc::now();
        let p = Presence {
            name: file_name(&actor.host, pid),
            dir,
            record: Record {
                name: actor.name.clone(),
                user: actor.user.clone(),
                host: actor.host.clone(),
                pid,
                since: now,
                seen: now,
            },
        };
        p.write()?;
        Ok(p)
    }

    fn write(&self) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(&self.record)
            .map_err(|e| StoreError::Invalid(format!("presence: {e}")))?;
        self.dir.replace(&self.name, &bytes)
    }

    /// Rewrites this process's file (call every [`HEARTBEAT`]).
    pub fn heartbeat(&mut self) -> Result<(), StoreError> {
        self.record.seen = Utc::now();
        self.write()
    }

    /// Who else has the run open (not this process), longest first; stale files are removed.
    pub fn others(&self) -> Vec<Viewer> {
        let mut v: Vec<Viewer> = read(&self.dir, true)
            .into_iter()
            .filter(|(name, _)| *name != self.name)
            .map(|(_, r)| r)
            .collect();
        v.sort_by_key(|r| r.since);
        v
    }
}

impl Drop for Presence {
    fn drop(&mut self) {
        let _ = self.dir.remove(&self.name);
    }
}

fn alive(pid: u32) -> bool {
    let Some(pid) = rustix::process::Pid::from_raw(pid as i32) else {
        return false;
    };
    // Signal 0: ESRCH when no such process; EPERM means it exists (another user's).
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

/// The live presence files of a run dir: `(file name, viewer)`. With `tidy`, stale ones are
/// removed (a failure to remove is ignored).
fn read(dir: &Dir, tidy: bool) -> Vec<(String, Viewer)> {
    let Ok(entries) = dir.entries() else {
        return Vec::new();
    };
    let here = crate::store::identity::host();
    let now = Utc::now();
    let stale = chrono::Duration::from_std(STALE_AFTER).unwrap_or(chrono::Duration::seconds(45));
    let mut out = Vec::new();
    for (name, _) in entries {
        if !name.ends_with(".json") || name.starts_with('.') {
            continue;
        }
        let Ok(Some(bytes)) = dir.read_file(&name, MAX_BYTES) else {
            continue;
        };
        let Ok(r) = serde_json::from_slice::<Record>(&bytes) else {
            continue;
        };
        let dead = (r.host == here && !alive(r.pid)) || now - r.seen > stale;
        if dead {
            if tidy {
                let _ = dir.remove(&name);
            }
            continue;
        }
        out.push((
            name,
            Viewer {
                name: r.name,
                user: r.user,
                host: r.host,
                since: r.since,
            },
        ));
    }
    out
}

/// Who has the run at `run_dir` open now (for `status`), without changing anything.
pub fn viewers(run_dir: &Dir) -> Vec<Viewer> {
    match run_dir.child(DIR) {
        Ok(Some(d)) => {
            let mut v: Vec<Viewer> = read(&d, false).into_iter().map(|(_, r)| r).collect();
            v.sort_by_key(|r| r.since);
            v
        }
        _ => Vec::new(),
    }
}
