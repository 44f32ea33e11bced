//! Errors of the shared store. None of them ever carries a password: connection strings with one
//! are refused before anything else, and server messages never repeat it.

use crate::run::intent::{IntentError, ItemQueryError};
use crate::store::StoreError;
use std::path::PathBuf;

/// What went wrong with a shared (PostgreSQL) store.
#[derive(Debug, thiserror::Error)]
pub enum SharedError {
    /// This build has no PostgreSQL client.
    #[error(
        "this runsheet was built without the `postgres` feature: shared stores are off. Install a build with it \
         (the default: `cargo install --path .`), or leave out --store / RUNSHEET_STORE / `store` in config.toml"
    )]
    FeatureOff,
    /// A bad connection string or setting (never echoes a password).
    #[error("{0}")]
    Config(String),
    /// The server cannot be reached, or the connection dropped. Nothing was acknowledged.
    #[error("cannot reach the shared store {target}: {message}")]
    Unreachable {
        /// Host, port, database and role (no password).
        target: String,
        /// What happened.
        message: String,
    },
    /// Logging in failed.
    #[error("logging in to {target} failed: {message}")]
    Auth {
        /// Host, port, database and role.
        target: String,
        /// What happened, and what to do.
        message: String,
    },
    /// TLS could not be set up or the server's certificate was not accepted.
    #[error("TLS with {target} failed: {message}")]
    Tls {
        /// Host, port, database and role.
        target: String,
        /// What happened, and what to do.
        message: String,
    },
    /// The database refused a statement.
    #[error("the database refused: {message}{}{}", .detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(), .hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
    Db {
        /// SQLSTATE.
        code: String,
        /// Server message.
        message: String,
        /// Server detail.
        detail: Option<String>,
        /// Server hint.
        hint: Option<String>,
    },
    /// The role may not do this (row-level security, missing grants).
    #[error("{0}")]
    Forbidden(String),
    /// The schema is missing, older or newer than this build.
    #[error("{0}")]
    Schema(String),
    /// The server is not safe to acknowledge changes on (`fsync=off`, a read-only standby).
    #[error("{0}")]
    Unsafe(String),
    /// No visible run matches the RUN argument.
    #[error("no run matches “{query}” on the shared store {target}")]
    NotFound {
        /// The RUN argument.
        query: String,
        /// The store.
        target: String,
    },
    /// The RUN argument is a prefix of several runs.
    #[error("“{query}” matches several runs: {}", .candidates.join(", "))]
    Ambiguous {
        /// The RUN argument.
        query: String,
        /// Matching run ids.
        candidates: Vec<String>,
    },
    /// The database's chain disagrees with what this client already saw (events removed or
    /// changed: a restore from backup, a failover that lost commits, tampering).
    #[error("{0}")]
    Diverged(String),
    /// Too many other changes kept landing first.
    #[error("the run is too busy: {0}")]
    Busy(String),
    /// A line from the database does not parse or check.
    #[error("run {run_id}, seq {seq}: {message}")]
    Corrupt {
        /// Run.
        run_id: String,
        /// Event.
        seq: u64,
        /// What is wrong.
        message: String,
    },
    /// A local file (outbox, export, a run to push) could not be read or written.
    #[error("{op} {}: {source}", .path.display())]
    Io {
        /// What we were doing.
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A local run (for `push`) or the file store.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The template could not be loaded.
    #[error("{0}")]
    Template(#[from] crate::template::LoadError),
    /// The change was refused.
    #[error("{0}")]
    Intent(#[from] IntentError),
    /// The ITEM argument did not identify one item.
    #[error("{0}")]
    Item(#[from] ItemQueryError),
    /// Anything else that is the caller's to fix.
    #[error("{0}")]
    Invalid(String),
}

impl SharedError {
    /// Builds a [`SharedError::Io`].
    pub fn io(op: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| SharedError::Io { op, path, source }
    }

    /// Whether the link is down (or the outcome of the last request is unknown): the change may be
    /// kept in the outbox and sent again later with the same intent id.
    pub fn is_offline(&self) -> bool {
        matches!(self, SharedError::Unreachable { .. })
    }

    /// Whether the run's latest state (or the database's rules for this role) refused the change:
    /// sending it again would be refused again. Anything else (the link, the server, the local
    /// disk) is a reason to keep a waiting change and try later.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            SharedError::Intent(_)
                | SharedError::Item(_)
                | SharedError::Invalid(_)
                | SharedError::Forbidden(_)
        )
    }

    /// Whether the store or the run is unavailable, as opposed to a bad request (exit status 3).
    pub fn is_unavailable(&self) -> bool {
        match self {
            SharedError::Unreachable { .. }
            | SharedError::NotFound { .. }
            | SharedError::Ambiguous { .. }
            | SharedError::Busy(_)
            | SharedError::Unsafe(_)
            | SharedError::FeatureOff => true,
            SharedError::Store(e) => e.is_unavailable(),
            _ => false,
        }
    }

    /// The SQLSTATE of a database refusal.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            SharedError::Db { code, .. } => Some(code),
            _ => None,
        }
    }
}
