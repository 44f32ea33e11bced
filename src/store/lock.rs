//! The run's sidecar lock: an exclusive `flock` on `lock` that serialises appends, and who holds it.
//!
//! Whoever takes the lock writes a one-line record of itself into the lock file (pid, user, host,
//! command, since) and empties it again before releasing. When the lock is busy, the waiting
//! command reads that record and cross-checks the pid with `/proc/locks` (which names the process
//! holding a `flock` on that inode even when it is not a runsheet), so the message says who holds
//! the lock and whether that process is stopped. Readers (`status`, `report`, `verify`, `list`) never
//! take the lock.

use super::StoreError;
use crate::text::sanitize::clean_line;
use std::fs::{self, File};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

/// How long a command waits for another process's lock before giving up (10 s; the environment
/// variable [`LOCK_WAIT_ENV`] sets it in milliseconds).
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Environment variable: how long to wait for a busy lock, in milliseconds.
pub const LOCK_WAIT_ENV: &str = "RUNSHEET_LOCK_WAIT_MS";

fn lock_wait() -> Duration {
    std::env::var(LOCK_WAIT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(LOCK_WAIT, Duration::from_millis)
}

/// Holds the exclusive `flock` until dropped (released by the kernel on `kill -9` too).
#[derive(Debug)]
pub struct LockGuard {
    file: File,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Who holds a lock, as recorded in the lock file and seen in `/proc`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holder {
    /// Process id.
    pub pid: u32,
    /// OS user.
    pub user: String,
    /// Host name.
    pub host: String,
    /// Command line (shortened).
    pub command: String,
    /// When it took the lock (RFC 3339).
    #[serde(default)]
    pub since: String,
}

impl Holder {
    fn me() -> Holder {
        let command: String = std::env::args()
            .map(|a| if a.contains(' ') { format!("'{a}'") } else { a })
            .collect::<Vec<_>>()
            .join(" ");
        Holder {
            pid: std::process::id(),
            user: super::identity::os_user(),
            host: whoami::hostname().unwrap_or_else(|_| "unknown-host".to_owned()),
            command: shorten(&command, 160),
            since: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        }
    }

    /// `pid 4242 (alice@bastion: runsheet tick …, since …; stopped)`.
    pub fn describe(&self, state: Option<&str>) -> String {
        let mut s = format!(
            "pid {} ({}@{}: `{}`",
            self.pid,
            clean_line(&self.user),
            clean_line(&self.host),
            clean_line(&self.command)
        );
        if !self.since.is_empty() {
            s.push_str(&format!(", since {}", clean_line(&self.since)));
        }
        s.push(')');
        if let Some(st) = state {
            s.push_str(&format!("; that process is {st}"));
        }
        s
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

/// Takes the exclusive lock on `file` (the run's `lock`), waiting up to [`LOCK_WAIT`], and records
/// who holds it. A busy lock gives [`StoreError::Locked`] naming the holder when it can be known.
pub fn exclusive(file: &File, path: &Path) -> Result<LockGuard, StoreError> {
    let file = file.try_clone().map_err(StoreError::io("opening", path))?;
    let deadline = Instant::now() + lock_wait();
    let mut pause = Duration::from_micros(50);
    loop {
        match file.try_lock() {
            Ok(()) => {
                let guard = LockGuard { file };
                if let Ok(line) = serde_json::to_string(&Holder::me()) {
                    let _ = guard.file.set_len(0);
                    let _ = guard.file.write_all_at(format!("{line}\n").as_bytes(), 0);
                }
                return Ok(guard);
            }
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(5));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: path.to_owned(),
                    holder: holder(&file).map(|(h, st)| h.describe(st.as_deref())),
                    waited: lock_wait(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(StoreError::io("locking", path)(e)),
        }
    }
}

/// Who holds the lock on `file`: the record in the file when `/proc/locks` agrees (or cannot be
/// read), else what `/proc` says about the process `/proc/locks` names.
pub fn holder(file: &File) -> Option<(Holder, Option<String>)> {
    let meta = file.metadata().ok()?;
    let mut buf = vec![0u8; 4096];
    let n = file.read_at(&mut buf, 0).unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    let recorded: Option<Holder> = serde_json::from_str(text.trim()).ok();
    let pids = proc_lock_pids(meta.dev(), meta.ino());
    let pid = match (&recorded, pids.as_deref()) {
        (Some(h), None) => return Some((h.clone(), process_state(h.pid))),
        (Some(h), Some(p)) if p.contains(&h.pid) => {
            return Some((h.clone(), process_state(h.pid)));
        }
        (_, Some([first, ..])) => *first,
        _ => return None,
    };
    Some((from_proc(pid), process_state(pid)))
}

/// Pids holding a `flock` on the inode (`/proc/locks`), or `None` when it cannot be read.
fn proc_lock_pids(dev: u64, ino: u64) -> Option<Vec<u32>> {
    let text = fs::read_to_string("/proc/locks").ok()?;
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let want = format!("{major:02x}:{minor:02x}:{ino}");
    Some(
        text.lines()
            .filter(|l| !l.contains("->"))
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.get(1) == Some(&"FLOCK") && f.get(5) == Some(&want.as_str()))
                    .then(|| f.get(4)?.parse().ok())
                    .flatten()
            })
            .collect(),
    )
}

fn from_proc(pid: u32) -> Holder {
    let cmd = fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            b.split(|&c| c == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let uid = fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|r| r.split_whitespace().nth(1)?.parse::<u32>().ok())
        });
    Holder {
        pid,
        user: uid.map_or_else(
            || "?".to_owned(),
            |u| super::trust::user_name(u).unwrap_or_else(|| format!("uid {u}")),
        ),
        host: whoami::hostname().unwrap_or_else(|_| "this host".to_owned()),
        command: shorten(&cmd, 160),
        since: String::new(),
    }
}

/// `stopped (Ctrl-Z or SIGSTOP: `kill -CONT PID` …)` for a stopped process; `None` when running or
/// unknown.
fn process_state(pid: u32) -> Option<String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let state = stat.rsplit_once(')')?.1.split_whitespace().next()?;
    match state {
        "T" | "t" => Some(format!(
            "stopped (Ctrl-Z or SIGSTOP): resume it with `fg` in its terminal or `kill -CONT {pid}`, or end it"
        )),
        "Z" => Some("a zombie: its parent has not reaped it".to_owned()),
        "D" => Some("waiting on the disk (uninterruptible)".to_owned()),
        _ => None,
    }
}

/// The lock file's path in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(super::LOCK)
}
