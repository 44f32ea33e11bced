//! Note drafts: what was being typed when the program had to stop, kept in the run dir per OS user.

use crate::app::Draft;
use crate::store::fsutil;
use std::path::{Path, PathBuf};

fn name(user: &str) -> String {
    let safe: String = user
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("draft-{safe}.json")
}

/// Where `user`'s draft for the run in `dir` lives.
pub fn path(dir: &Path, user: &str) -> PathBuf {
    dir.join(name(user))
}

/// Saves a draft durably (temp file, fsync, rename, fsync dir).
pub fn save(dir: &Path, user: &str, draft: &Draft) -> Result<(), String> {
    let json = serde_json::to_vec(draft).map_err(|e| e.to_string())?;
    fsutil::atomic_replace(dir, &name(user), &json).map_err(|e| e.to_string())
}

/// Takes the saved draft, if any (the file is removed: the text is back in an editor).
pub fn take(dir: &Path, user: &str) -> Option<Draft> {
    let p = path(dir, user);
    let bytes = std::fs::read(&p).ok()?;
    let d = serde_json::from_slice(&bytes).ok();
    let _ = std::fs::remove_file(&p);
    d
}
