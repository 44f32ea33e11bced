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
    #[error("run is locked by another process ({}); try again", .path.display())]
    Locked {
        /// The lock file.
        path: PathBuf,
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
    /// The journal ends with a partial line (a crash or a full disk during a write).
    #[error("{}: ends with a partial line ({len} bytes at byte {offset}, line {line}); it is ignored. Run `runsheet repair-journal RUN` to move it aside before making changes", .path.display())]
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
        )
    }
}
