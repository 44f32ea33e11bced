//! Typed errors at the storage boundary, each naming the file and, where there is one, line and column.

use crate::run::intent::{IntentError, ItemQueryError};
use std::io;
use std::path::PathBuf;

/// What went wrong reading or writing a run.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O call failed.
    #[error("{op} {}: {source}", .path.display())]
    Io {
        /// What we were doing (`reading`, `writing`, …).
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// No run matches the RUN argument.
    #[error("no run matches “{query}” under {}", .root.display())]
    NotFound {
        /// The RUN argument.
        query: String,
        /// The runs directory searched.
        root: PathBuf,
    },
    /// The RUN argument is a prefix of several runs.
    #[error("“{query}” matches several runs: {}", .candidates.join(", "))]
    Ambiguous {
        /// The RUN argument.
        query: String,
        /// Matching run ids.
        candidates: Vec<String>,
    },
    /// Another process holds the run's lock for too long.
    #[error("{}: the run is locked by {} (waited {:.1} s); try again{}", .path.display(),
        .holder.as_deref().unwrap_or("another process"), .waited.as_secs_f64(),
        if .holder.is_some() { "" } else { " (who holds it could not be read)" })]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// Who holds it (pid, user, host, command, whether it is stopped), when it can be known.
        holder: Option<String>,
        /// How long this command waited.
        waited: std::time::Duration,
    },
    /// The journal (or the snapshot beside it) is damaged: the run is read-only until repaired.
    #[error("{}:{line}: {message}. The run is read-only: nothing is appended to a damaged record. `runsheet verify RUN` shows every problem; `runsheet repair-journal RUN` shows how to carry on (it keeps the damaged files aside)", .path.display())]
    Damaged {
        /// The damaged file (the journal, or `state.toml` when it is ahead of the journal).
        path: PathBuf,
        /// 1-based line (of the journal: where the damage starts).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A file or directory of the store is not of the type expected (a FIFO, device, directory or
    /// link where a regular file belongs, or a file where a directory belongs).
    #[error("{} is {found}, not {expected}: runsheet does not open it (something other than runsheet put it there); move it away", .path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is.
        found: &'static str,
        /// What it should be.
        expected: &'static str,
    },
    /// A file or directory another user could have planted or changed.
    #[error("{} {message}", .path.display())]
    Untrusted {
        /// The path.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The run was written by a newer runsheet.
    #[error("{} has schema_version {found}; this runsheet reads up to {supported}: opened read-only, upgrade runsheet to change it", .path.display())]
    ReadOnly {
        /// The file with the newer version.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// Ours.
        supported: u32,
    },
    /// A file that does not parse: a journal line that is not an event, a damaged `state.toml`.
    #[error("{}:{line}:{column}: {message}", .path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The journal ends with a partial line (a writer killed during its write, or a write still in
    /// progress). The next change moves it aside (kept, and recorded in the journal).
    #[error("{}:{line}: ends with a partial line ({len} bytes at byte {offset}): a write in progress, or one cut off when its writer was killed (never acknowledged); it is not part of the record. The next change moves it aside to journal.torn-{offset} and records that in the journal (`runsheet repair-journal RUN` does it now)", .path.display())]
    TornTail {
        /// The journal.
        path: PathBuf,
        /// Byte offset where the partial line starts.
        offset: u64,
        /// Its length.
        len: u64,
        /// Its 1-based line number.
        line: usize,
    },
    /// The journal changed under us in a way appends never do (truncated or rewritten).
    #[error("{}: {message}", .path.display())]
    Rewritten {
        /// The journal.
        path: PathBuf,
        /// What was seen.
        message: String,
    },
    /// The template (original or the run's copy) could not be loaded.
    #[error("{0}")]
    Template(#[from] crate::template::LoadError),
    /// A `--var` or a template problem found at start.
    #[error("{0}")]
    Invalid(String),
    /// The change was refused.
    #[error("{0}")]
    Intent(#[from] IntentError),
    /// The ITEM argument did not identify one item.
    #[error("{0}")]
    Item(#[from] ItemQueryError),
}

impl StoreError {
    /// Builds an [`StoreError::Io`].
    pub fn io(op: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { op, path, source }
    }

    /// Whether the run itself (or its lock) is unavailable, as opposed to a bad request.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound { .. }
                | StoreError::Ambiguous { .. }
                | StoreError::Locked { .. }
                | StoreError::ReadOnly { .. }
                | StoreError::TornTail { .. }
                | StoreError::Damaged { .. }
                | StoreError::Rewritten { .. }
        )
    }
}
