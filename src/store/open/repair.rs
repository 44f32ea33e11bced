//! Repairs an operator asks for: rebuild `state.toml`, move a torn last journal line aside.

use super::{OpenRun, SnapshotState};
use crate::store::fsutil;
use crate::store::snapshot;
use crate::store::{LOCK, StoreError};
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

impl OpenRun {
    /// Rebuilds `state.toml` from the journal even if it is damaged, keeping the damaged file as
    /// `state.toml.damaged-<unix time>`. Returns the name it was kept under, if any.
    pub fn repair_snapshot(&mut self) -> Result<Option<PathBuf>, StoreError> {
        let lock_path = self.dir.join(LOCK);
        let _guard = fsutil::lock(&self.lock_file, &lock_path, true)?;
        let current = self.dir.join(snapshot::FILE);
        let mut kept = None;
        if matches!(
            self.snapshot,
            SnapshotState::Damaged(_) | SnapshotState::Stale(_)
        ) && current.exists()
        {
            let stamp = chrono::Utc::now().timestamp();
            let to = self.dir.join(format!("{}.damaged-{stamp}", snapshot::FILE));
            fs::rename(&current, &to).map_err(StoreError::io("renaming", &current))?;
            kept = Some(to);
        }
        fsutil::remove_stale_temps(&self.dir);
        snapshot::save(&self.dir, &self.run, self.cursor.offset)?;
        self.snapshot = SnapshotState::Used;
        Ok(kept)
    }

    /// Moves a torn last line aside (`journal.torn-<offset>`) and truncates it off the journal.
    pub fn repair_journal(&mut self) -> Result<Option<PathBuf>, StoreError> {
        let lock_path = self.dir.join(LOCK);
        let _guard = fsutil::lock(&self.lock_file, &lock_path, true)?;
        let path = self.journal_path();
        let mut f = fsutil::open_append(&path)?;
        let len = f
            .metadata()
            .map_err(StoreError::io("reading metadata of", &path))?
            .len();
        let mut rest = Vec::new();
        f.seek(SeekFrom::Start(self.cursor.offset))
            .map_err(StoreError::io("seeking in", &path))?;
        f.read_to_end(&mut rest)
            .map_err(StoreError::io("reading", &path))?;
        let complete = rest.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        if complete == rest.len() {
            return Ok(None);
        }
        let offset = self.cursor.offset + complete as u64;
        let aside = self.dir.join(format!("journal.torn-{offset}"));
        fsutil::write_new(&aside, &rest[complete..])?;
        fsutil::sync_dir(&self.dir)?;
        f.set_len(offset)
            .map_err(StoreError::io("truncating", &path))?;
        f.sync_all().map_err(StoreError::io("syncing", &path))?;
        debug_assert!(offset <= len);
        self.torn = None;
        if !matches!(
            self.snapshot,
            SnapshotState::Damaged(_) | SnapshotState::Newer(_)
        ) {
            snapshot::save(&self.dir, &self.run, offset)?;
        }
        Ok(Some(aside))
    }
}
