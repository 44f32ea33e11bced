//! An open run: what loading found (`open/load.rs`), appending under the lock with torn-tail
//! handling (`open/append.rs`), and the repairs an operator asks for (`open/repair.rs`).
//!
//! The file journal's surface is deliberately narrow — open, append (`append`/`commit`), read new
//! events, verify (`store::verify`), repair — so that it can become one implementation of a storage
//! interface.

mod append;
mod load;
mod repair;

pub use load::MAX_TEMPLATE;
pub(crate) use load::{Disagreement, disagreement as snapshot_disagreement};
pub use repair::RepairOutcome;

use super::journal::{Break, Cursor, Torn};
use super::safe::Dir;
use super::trust::Owner;
use super::{JOURNAL, StoreError, TEMPLATE};
use crate::model::Template;
use crate::run::event::sha256_hex;
use crate::run::{Run, SCHEMA_VERSION};
use std::fs::File;
use std::path::{Path, PathBuf};

/// How `state.toml` was found when the run was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotState {
    /// Used: it agreed with the journal.
    Used,
    /// Agreed with the journal, but replaying the journal was cheaper.
    Checked,
    /// Absent.
    Missing,
    /// Older schema: ignored, rewritten (migrated) at the next save.
    Older(u32),
    /// Newer schema: read-only.
    Newer(u32),
    /// Damaged, edited by hand, or not a regular file: ignored and left untouched until
    /// `repair-state`.
    Damaged(String),
    /// Ahead of the journal or disagreeing with it (events were cut from the end of the journal,
    /// or an event was changed): damage. The run is read-only and the snapshot is kept.
    Ahead(String),
}

/// Whether loading starts from `state.toml` or replays the whole journal. The snapshot's header
/// and checksum are checked either way, and every journal line's links and hash are checked either
/// way; the snapshot only saves parsing and folding the lines it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadPolicy {
    /// From the snapshot when parsing it is cheaper than replaying what it covers (TOML parses
    /// about 4× slower per byte than the journal replays, so: when it is under a quarter the size).
    Auto,
    /// From the snapshot whenever it agrees with the journal.
    PreferSnapshot,
    /// Replay the journal from the start.
    JournalOnly,
}

/// The original template file compared with the one the run follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Unchanged.
    None,
    /// Changed since the run started (or last re-based).
    Changed {
        /// SHA-256 the run follows.
        old: String,
        /// SHA-256 of the file now.
        new: String,
    },
    /// Not readable at its recorded path.
    Missing(String),
}

/// A run loaded from its directory.
#[derive(Debug)]
pub struct OpenRun {
    /// The run directory.
    pub dir: PathBuf,
    /// The run directory, held open (every file is opened relative to it, never through a link).
    rundir: Dir,
    /// Who owns the run directory (its creator).
    pub owner: Owner,
    /// The fold.
    pub run: Run,
    /// The template the run follows (its copy in the run dir).
    pub template: Template,
    /// Where reading the journal continues.
    cursor: Cursor,
    /// Device and inode of the journal read (a replaced journal is noticed).
    journal_id: (u64, u64),
    /// A partial last line seen when opening (or at the last read).
    pub torn: Option<Torn>,
    /// First damage in the journal, if any: the run is read-only.
    pub broken: Option<Break>,
    /// Damaged lines found (the first is `broken`).
    pub damaged_lines: usize,
    /// The journal was truncated or replaced under us: the run is read-only.
    rewritten: Option<String>,
    /// State of `state.toml` at open.
    pub snapshot: SnapshotState,
    /// Set when a newer runsheet wrote the run: changes are refused.
    pub read_only: Option<(PathBuf, u32)>,
    /// Other things the operator should know (damage, a planted lock file, a modified template
    /// copy, a partial last line).
    pub warnings: Vec<String>,
    lock_file: Option<File>,
}

impl OpenRun {
    /// The run directory, held open: every file in it is opened relative to this descriptor,
    /// never through a link (command output files included, `store::outputs`).
    pub fn rundir(&self) -> &Dir {
        &self.rundir
    }

    /// Path of the journal.
    pub fn journal_path(&self) -> PathBuf {
        self.dir.join(JOURNAL)
    }

    /// Loads a run: every journal line is checked (links, hash); the fold comes from `state.toml`
    /// when it agrees with the journal and is worth it, plus the events after it, else from the
    /// whole journal. The template comes from `template.cache` when it holds this copy's parse
    /// by this build (`store::template_cache`), else the copy is parsed and the cache written —
    /// the only file a load ever writes (a cache; a failure is ignored). Never takes the lock; no
    /// file is opened through a link, and FIFOs, devices and directories are refused before they
    /// are opened.
    pub fn open(dir: &Path) -> Result<OpenRun, StoreError> {
        OpenRun::open_with(dir, LoadPolicy::Auto)
    }

    /// [`OpenRun::open`] with a choice of how to use `state.toml`.
    pub fn open_with(dir: &Path, policy: LoadPolicy) -> Result<OpenRun, StoreError> {
        load::load(dir, policy, None)
    }

    /// [`OpenRun::open`] for a run just created from `template` (already parsed from the bytes the
    /// run dir holds, so it is not parsed again).
    pub(crate) fn open_created(dir: &Path, template: Template) -> Result<OpenRun, StoreError> {
        load::load(dir, LoadPolicy::JournalOnly, Some(template))
    }

    /// Why changes are refused, if they are: a newer schema, damage in the journal, a snapshot
    /// ahead of the journal, a journal replaced under us. `None`: the run takes changes.
    pub fn refusal(&self) -> Option<StoreError> {
        if let Some((path, found)) = &self.read_only {
            return Some(StoreError::ReadOnly {
                path: path.clone(),
                found: *found,
                supported: SCHEMA_VERSION,
            });
        }
        if let Some(b) = &self.broken {
            let more = match self.damaged_lines {
                0 | 1 => String::new(),
                n => format!(" ({} more damaged line(s) after it)", n - 1),
            };
            return Some(StoreError::Damaged {
                path: self.journal_path(),
                line: b.line,
                message: format!("{} (seq {} expected there){more}", b.message, b.seq),
            });
        }
        if let SnapshotState::Ahead(why) = &self.snapshot {
            return Some(StoreError::Damaged {
                path: self.journal_path(),
                line: self.cursor.line,
                message: why.clone(),
            });
        }
        if let Some(why) = &self.rewritten {
            return Some(StoreError::Rewritten {
                path: self.journal_path(),
                message: why.clone(),
            });
        }
        None
    }

    /// Why the run is read-only, in words, for screens and reports (`None`: it takes changes).
    pub fn read_only_reason(&self) -> Option<String> {
        self.refusal().map(|e| e.to_string())
    }

    /// Compares the original template file with the template the run follows (a FIFO or device
    /// at the original path is reported, never read).
    pub fn drift(&self) -> Drift {
        match super::read_origin(&self.run.template_path) {
            Ok(bytes) => {
                let new = sha256_hex(&bytes);
                if new == self.run.base_sha256 {
                    Drift::None
                } else {
                    Drift::Changed {
                        old: self.run.base_sha256.clone(),
                        new,
                    }
                }
            }
            Err(e) => Drift::Missing(e.to_string()),
        }
    }

    /// Bytes of journal read so far.
    pub fn journal_len(&self) -> u64 {
        self.cursor.offset
    }

    /// Writes a template copy into the run dir (durably, before the re-base event refers to it).
    pub fn store_template_copy(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let sha = sha256_hex(bytes);
        let name = copy_name(&self.run, &sha);
        if self.rundir.lstat(&name)?.is_none() {
            self.rundir.replace(&name, bytes)?;
        }
        Ok(sha)
    }
}

/// File name of the template copy with this SHA-256.
pub fn copy_name(run: &Run, sha: &str) -> String {
    if sha == run.template_sha256 {
        TEMPLATE.to_owned()
    } else {
        format!("template-{}.md", sha.get(..12).unwrap_or(sha))
    }
}

/// How a run reads its template: with the rules and options it started with, so the ids its
/// journal refers to stay the ids of its items.
pub fn load_options(run: &Run) -> crate::template::LoadOptions {
    crate::template::LoadOptions {
        steps: run.steps,
        rules: run.rules,
        ..crate::template::LoadOptions::default()
    }
}

/// Opens a run directory: its parent (`runs/`) is opened and checked, then the run dir itself
/// without following a link.
pub fn open_run_dir(path: &Path) -> Result<Dir, StoreError> {
    let missing = || StoreError::Io {
        op: "opening run directory",
        path: path.to_owned(),
        source: std::io::ErrorKind::NotFound.into(),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(missing)?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parent = Dir::open(parent, true)?.ok_or_else(missing)?;
    parent.child(name)?.ok_or_else(missing)
}
