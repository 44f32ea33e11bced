//! Command output files in a run dir (`outputs/<name>.log`), as the record refers to them: which
//! names are valid, reading them, their digest, and whether the command writing one still runs
//! (its runsheet holds the file's `flock`). Writing them is `exec::output`.
//!
//! Like every file of a run dir, they are reached through the run dir's descriptor
//! ([`super::safe::Dir`]): the `outputs` directory is opened without following a link and checked,
//! and each file is looked at with `fstatat` before it is opened with `O_NOFOLLOW`, so a link, a
//! FIFO, a device or a file with a second hard link is refused without being read.

use super::StoreError;
use super::safe::{Access, Dir};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};

/// The run dir's folder of output files.
pub const DIR: &str = "outputs";

/// Whether a recorded output path is one runsheet writes (`outputs/NAME`, NAME of letters, digits,
/// `.`, `_`, `-`, not starting with `.`): a journal edited to point elsewhere is not followed.
pub fn valid_name(rel: &str) -> Option<&str> {
    let name = rel.strip_prefix("outputs/")?;
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(name)
}

/// Opens a recorded output file of the run dir `rundir` for reading: the name checked
/// ([`valid_name`]), the `outputs` folder and the file opened without following links, the file
/// checked to be a regular file runsheet may use.
pub fn open_recorded(rundir: &Dir, rel: &str) -> Result<File, StoreError> {
    let name = valid_name(rel).ok_or_else(|| {
        StoreError::Invalid(format!(
            "`{rel}` is not an output file name runsheet writes"
        ))
    })?;
    let missing = |path: std::path::PathBuf| StoreError::Io {
        op: "opening",
        path,
        source: std::io::ErrorKind::NotFound.into(),
    };
    let dir = rundir
        .child(DIR)?
        .ok_or_else(|| missing(rundir.join(DIR)))?;
    dir.open_file(name, Access::Read)?
        .ok_or_else(|| missing(dir.join(name)))
}

/// Whether the command writing a recorded output file still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// Its runsheet holds the file's lock: the command is running now.
    Running,
    /// Nobody holds it: runsheet stopped before the command ended.
    Stopped,
    /// The file is not there (or not one runsheet may read).
    Missing,
}

/// Asks the output file's lock whether its command still runs.
pub fn liveness(rundir: &Dir, rel: &str) -> Liveness {
    let Ok(f) = open_recorded(rundir, rel) else {
        return Liveness::Missing;
    };
    match f.try_lock_shared() {
        Ok(()) => {
            let _ = f.unlock();
            Liveness::Stopped
        }
        Err(fs::TryLockError::WouldBlock) => Liveness::Running,
        Err(fs::TryLockError::Error(_)) => Liveness::Stopped,
    }
}

fn read_err(rundir: &Dir, rel: &str) -> impl FnOnce(std::io::Error) -> StoreError {
    StoreError::io("reading", rundir.join(rel))
}

/// The last `lines` lines of a recorded output file (reading at most its last `max_bytes`).
pub fn read_tail(
    rundir: &Dir,
    rel: &str,
    lines: usize,
    max_bytes: u64,
) -> Result<Vec<String>, StoreError> {
    let mut f = open_recorded(rundir, rel)?;
    let mut buf = Vec::new();
    let start = f
        .metadata()
        .and_then(|m| {
            let start = m.len().saturating_sub(max_bytes);
            f.seek(SeekFrom::Start(start))?;
            (&mut f).take(max_bytes).read_to_end(&mut buf)?;
            Ok(start)
        })
        .map_err(read_err(rundir, rel))?;
    let text = String::from_utf8_lossy(&buf);
    let mut all: Vec<&str> = text.lines().collect();
    if start > 0 && !all.is_empty() {
        all.remove(0);
    }
    let from = all.len().saturating_sub(lines);
    Ok(all[from..].iter().map(|s| (*s).to_owned()).collect())
}

/// A whole recorded output file as text (at most `max_bytes`; `None` past that).
pub fn read_all(rundir: &Dir, rel: &str, max_bytes: u64) -> Result<Option<String>, StoreError> {
    let f = open_recorded(rundir, rel)?;
    let len = f.metadata().map_err(read_err(rundir, rel))?.len();
    if len > max_bytes {
        return Ok(None);
    }
    let mut buf = Vec::new();
    f.take(max_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(read_err(rundir, rel))?;
    if buf.len() as u64 > max_bytes {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// SHA-256 (hex) and size of a recorded output file, read in pieces.
pub fn digest(rundir: &Dir, rel: &str) -> Result<(String, u64), StoreError> {
    let mut f = open_recorded(rundir, rel)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut len = 0u64;
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                len += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_err(rundir, rel)(e)),
        }
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, len))
}
