//! Command output files in a run dir (`outputs/<name>.log`), as the record refers to them: which
//! names are valid, reading them (never through a link), their digest, and whether the command
//! writing one still runs (its runsheet holds the file's `flock`). Writing them is `exec::output`.

use crate::run::event::sha256_hex;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

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

/// `O_NOFOLLOW`, for `OpenOptionsExt::custom_flags`.
pub fn no_follow() -> i32 {
    rustix::fs::OFlags::NOFOLLOW.bits() as i32
}

/// Opens a recorded output file for reading (never through a symbolic link).
pub fn open_recorded(run_dir: &Path, rel: &str) -> std::io::Result<File> {
    let name = valid_name(rel).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("`{rel}` is not an output file name runsheet writes"),
        )
    })?;
    OpenOptions::new()
        .read(true)
        .custom_flags(no_follow())
        .open(run_dir.join(DIR).join(name))
}

/// Whether the command writing a recorded output file still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// Its runsheet holds the file's lock: the command is running now.
    Running,
    /// Nobody holds it: runsheet stopped before the command ended.
    Stopped,
    /// The file is not there (or not readable).
    Missing,
}

/// Asks the output file's lock whether its command still runs.
pub fn liveness(run_dir: &Path, rel: &str) -> Liveness {
    let Ok(f) = open_recorded(run_dir, rel) else {
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

/// The last `lines` lines of a recorded output file (reading at most its last `max_bytes`).
pub fn read_tail(
    run_dir: &Path,
    rel: &str,
    lines: usize,
    max_bytes: u64,
) -> std::io::Result<Vec<String>> {
    let mut f = open_recorded(run_dir, rel)?;
    let len = f.metadata()?.len();
    let start = len.saturating_sub(max_bytes);
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    f.take(max_bytes).read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let mut all: Vec<&str> = text.lines().collect();
    if start > 0 && !all.is_empty() {
        all.remove(0);
    }
    let from = all.len().saturating_sub(lines);
    Ok(all[from..].iter().map(|s| (*s).to_owned()).collect())
}

/// A whole recorded output file as text (at most `max_bytes`; `None` past that).
pub fn read_all(run_dir: &Path, rel: &str, max_bytes: u64) -> std::io::Result<Option<String>> {
    let f = open_recorded(run_dir, rel)?;
    if f.metadata()?.len() > max_bytes {
        return Ok(None);
    }
    let mut buf = Vec::new();
    f.take(max_bytes).read_to_end(&mut buf)?;
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// SHA-256 and size of a recorded output file.
pub fn digest(run_dir: &Path, rel: &str) -> std::io::Result<(String, u64)> {
    let mut f = open_recorded(run_dir, rel)?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok((sha256_hex(&buf), buf.len() as u64))
}
