//! `--store`: the shared store a command talks to — the flag, else `RUNSHEET_STORE`, else
//! `store = "…"` in config.toml — and reporting shared-store errors with the right exit status.

use super::{EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE};
use crate::pg::{SharedError, conninfo};
use clap::Args;
use std::path::PathBuf;

/// Environment variable naming the shared store.
pub const STORE_ENV: &str = "RUNSHEET_STORE";

/// Where shared runs live.
#[derive(Debug, Clone, Default, Args)]
pub struct SharedArgs {
    /// The shared store: a postgresql:// URL or libpq `key=value` settings, never with a password
    /// (that goes in ~/.pgpass). Default: $RUNSHEET_STORE, else `store` in config.toml. `local`
    /// means the local data dir whatever those say.
    #[arg(long, value_name = "URL", env = STORE_ENV, hide_env_values = true)]
    pub store: Option<String>,
}

/// What `--store` (or its defaults) names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// A PostgreSQL connection string.
    Postgres(String),
    /// A local data dir (the file store).
    Local(PathBuf),
}

#[derive(Debug, Default, serde::Deserialize)]
struct Config {
    store: Option<String>,
}

/// `store = "…"` from config.toml, if set.
pub fn configured_store() -> Result<Option<String>, SharedError> {
    let Some(path) = crate::store::identity::config_path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SharedError::io("reading", &path)(e)),
    };
    let c: Config = toml::from_str(&text)
        .map_err(|e| SharedError::Config(format!("{}: {}", path.display(), e.message())))?;
    Ok(c.store.filter(|s| !s.trim().is_empty()))
}

impl SharedArgs {
    /// The store named by the flag, the environment or the config file, if any.
    pub fn spec(&self) -> Result<Option<StoreSpec>, SharedError> {
        let given = match self.store.clone().filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(s),
            None => configured_store()?,
        };
        Ok(given.map(|s| {
            if matches!(s.trim(), "local" | "file") {
                StoreSpec::Local(PathBuf::new())
            } else if conninfo::is_conninfo(&s) {
                StoreSpec::Postgres(s)
            } else {
                StoreSpec::Local(PathBuf::from(s))
            }
        }))
    }

    /// The PostgreSQL store this command needs.
    pub fn postgres(&self) -> Result<String, SharedError> {
        match self.spec()? {
            Some(StoreSpec::Postgres(s)) => Ok(s),
            Some(StoreSpec::Local(p)) => Err(SharedError::Config(format!(
                "{} is a local directory, not a PostgreSQL store: give --store postgresql://HOST/DB (or `host=… dbname=…`)",
                p.display()
            ))),
            None => Err(SharedError::Config(format!(
                "no shared store given: --store postgresql://HOST/DB, or {STORE_ENV}, or store = \"…\" in config.toml"
            ))),
        }
    }

    /// Resolves the store's connection settings, printing their warnings (an ignored ~/.pgpass,
    /// the insecure opt-in) on stderr.
    pub fn settings(&self) -> Result<crate::pg::Settings, SharedError> {
        let spec = self.postgres()?;
        crate::pg::require_feature()?;
        let s = crate::pg::Settings::from_spec(&spec)?;
        for w in &s.warnings {
            eprintln!("runsheet: warning: {w}");
        }
        Ok(s)
    }
}

/// Prints an error and gives the exit status: 3 when the store or run is unavailable, else 1.
pub fn fail(e: &SharedError) -> i32 {
    eprintln!("runsheet: {e}");
    if e.is_unavailable() {
        EXIT_UNAVAILABLE
    } else {
        EXIT_ERROR
    }
}

/// Turns a command's result into an exit status.
pub fn exit(r: Result<(), SharedError>) -> color_eyre::Result<i32> {
    Ok(match r {
        Ok(()) => EXIT_OK,
        Err(e) => fail(&e),
    })
}
