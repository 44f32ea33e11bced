//! Run directories on disk: creating, finding and listing runs.
//!
//! Layout under the data root (`$XDG_DATA_HOME/runsheet`, or `--data-dir` / `RUNSHEET_DATA_DIR`):
//!
//! ```text
//! runs/<run-id>/template.md       the template as it was at start (SHA-256 in the start event)
//! runs/<run-id>/template-<sha12>.md  templates adopted by `rebase`
//! runs/<run-id>/journal.jsonl     one event per line, SHA-256 chained: the record
//! runs/<run-id>/state.toml        snapshot of the fold (a cache)
//! runs/<run-id>/lock              sidecar flock: appends are serialised on it
//! ```
//!
//! Directories are 0700 and files 0600 whatever the umask. See `docs/runs.md`.

pub mod error;
pub mod fsutil;
pub mod identity;
pub mod journal;
pub mod open;
pub mod snapshot;
pub mod verify;

pub use error::StoreError;
pub use open::OpenRun;

use crate::run::SCHEMA_VERSION;
use crate::run::event::{Actor, Change, Event, GENESIS, sha256_hex};
use crate::template;
use chrono::{DateTime, FixedOffset};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Environment variable overriding the data root.
pub const DATA_DIR_ENV: &str = "RUNSHEET_DATA_DIR";
/// Journal file name.
pub const JOURNAL: &str = "journal.jsonl";
/// Lock file name.
pub const LOCK: &str = "lock";
/// The start template's copy.
pub const TEMPLATE: &str = "template.md";

/// The data root and the runs under it.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// What `start` needs besides the template file.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// `--var NAME=VALUE` values.
    pub vars: BTreeMap<String, String>,
    /// `--name`.
    pub name: Option<String>,
    /// `--steps`: numbered steps are items even where the template has checkboxes.
    pub steps: bool,
}

impl Store {
    /// The store at `dir`, else `$RUNSHEET_DATA_DIR`, else `$XDG_DATA_HOME/runsheet`.
    pub fn locate(dir: Option<&Path>) -> Result<Store, StoreError> {
        if let Some(d) = dir {
            return Ok(Store::at(d));
        }
        if let Some(d) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(Store::at(Path::new(&d)));
        }
        let base = directories::BaseDirs::new().ok_or_else(|| {
            StoreError::Invalid("no home directory: give --data-dir DIR".to_owned())
        })?;
        Ok(Store::at(&base.data_dir().join("runsheet")))
    }

    /// The store rooted at `root`.
    pub fn at(root: &Path) -> Store {
        Store {
            root: root.to_owned(),
        }
    }

    /// `<root>/runs`.
    pub fn runs_dir(&self) -> PathBuf {
        self.root.join("runs")
    }

    /// Ids of all runs, sorted.
    pub fn run_ids(&self) -> Result<Vec<String>, StoreError> {
        let dir = self.runs_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("listing", &dir)(e)),
        };
        let mut ids: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().join(JOURNAL).is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|n| !n.starts_with('.'))
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// Resolves a RUN argument: an id, a unique prefix of one, or `latest` (the newest start).
    pub fn resolve(&self, query: &str) -> Result<PathBuf, StoreError> {
        let ids = self.run_ids()?;
        let not_found = || StoreError::NotFound {
            query: query.to_owned(),
            root: self.runs_dir(),
        };
        if query == "latest" {
            let newest = ids
                .iter()
                .filter_map(|id| Some((started_at(&self.runs_dir().join(id))?, id)))
                .max();
            return newest
                .map(|(_, id)| self.runs_dir().join(id))
                .ok_or_else(not_found);
        }
        if ids.iter().any(|i| i == query) {
            return Ok(self.runs_dir().join(query));
        }
        let matches: Vec<&String> = ids
            .iter()
            .filter(|i| !query.is_empty() && i.starts_with(query))
            .collect();
        match matches.as_slice() {
            [] => Err(not_found()),
            [one] => Ok(self.runs_dir().join(one)),
            many => Err(StoreError::Ambiguous {
                query: query.to_owned(),
                candidates: many.iter().map(|s| (*s).clone()).collect(),
            }),
        }
    }

    /// Creates a run from a template file: copies it into a new run dir with the start event and a
    /// snapshot, all made durable before the directory appears under its id.
    pub fn create(
        &self,
        template_path: &Path,
        opts: &StartOptions,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<OpenRun, StoreError> {
        let source = crate::catalog::Source::File(template_path.to_owned());
        self.create_from(&source, opts, actor, now)
    }

    /// [`Store::create`] from a file or a built-in template.
    pub fn create_from(
        &self,
        source: &crate::catalog::Source,
        opts: &StartOptions,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<OpenRun, StoreError> {
        let shown = source.display();
        let bytes = source
            .read()
            .map_err(StoreError::io("reading", Path::new(&shown)))?;
        let load = template::LoadOptions {
            steps: opts.steps,
            ..template::LoadOptions::default()
        };
        let tpl = template::parse_bytes_with(&shown, &bytes, load)?;
        let declared: Vec<&str> = tpl.settable_variables().collect();
        for name in opts.vars.keys() {
            if !declared.contains(&name.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "--var {name}: {shown} has no variable {name}; it has: {}",
                    if declared.is_empty() {
                        "(none)".to_owned()
                    } else {
                        declared.join(", ")
                    }
                )));
            }
        }
        let origin = source.origin();
        let sha = sha256_hex(&bytes);
        let runs = self.runs_dir();
        fsutil::create_private_dir_all(&runs)?;
        let values: BTreeMap<&str, &str> = opts
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let slug_source =
            crate::run::vars::substitute(opts.name.as_deref().unwrap_or(&tpl.title), &values)
                .into_owned();
        for _ in 0..16 {
            let id = run_id(now, &slug_source);
            let final_dir = runs.join(&id);
            if final_dir.exists() {
                continue;
            }
            let tmp = runs.join(format!(".new-{id}"));
            let _ = fs::remove_dir_all(&tmp);
            fsutil::create_private_dir(&tmp)?;
            let start = Change::Start {
                schema_version: SCHEMA_VERSION,
                run_id: id.clone(),
                title: tpl.title.clone(),
                name: opts.name.clone(),
                template_path: origin.clone(),
                template_sha256: sha.clone(),
                vars: opts.vars.clone(),
                steps: opts.steps,
                rules: load.rules,
            };
            let (_, line) = Event::seal(1, now, actor.clone(), start, GENESIS)
                .map_err(|e| StoreError::Invalid(format!("serialising the start event: {e}")))?;
            fsutil::write_new(&tmp.join(TEMPLATE), &bytes)?;
            fsutil::write_new(&tmp.join(JOURNAL), line.as_bytes())?;
            fsutil::write_new(&tmp.join(LOCK), b"")?;
            fsutil::sync_dir(&tmp)?;
            match fs::rename(&tmp, &final_dir) {
                Ok(()) => {}
                Err(_) if final_dir.exists() => {
                    let _ = fs::remove_dir_all(&tmp);
                    continue;
                }
                Err(e) => return Err(StoreError::io("renaming", &tmp)(e)),
            }
            fsutil::sync_dir(&runs)?;
            let mut open = OpenRun::open_created(&final_dir, tpl)?;
            open.save_snapshot()?;
            return Ok(open);
        }
        Err(StoreError::Invalid(
            "could not find a free run id".to_owned(),
        ))
    }
}

/// Start time of a run from its first journal line, without loading it.
pub fn started_at(dir: &Path) -> Option<DateTime<FixedOffset>> {
    use std::io::BufRead;
    let f = fs::File::open(dir.join(JOURNAL)).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(f).read_line(&mut line).ok()?;
    let ev: Event = serde_json::from_str(line.trim_end()).ok()?;
    Some(ev.at)
}

/// `2026-11-23-deploy-window-7f3a`: date, slug of the title, 4 random hex digits.
pub fn run_id(now: DateTime<FixedOffset>, title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_matches('-');
    let slug = if slug.is_empty() { "run" } else { slug };
    let mut r = [0u8; 2];
    if getrandom::fill(&mut r).is_err() {
        let nanos = now.timestamp_subsec_nanos().to_le_bytes();
        r = [nanos[0] ^ nanos[2], nanos[1] ^ nanos[3]];
    }
    format!("{}-{slug}-{:02x}{:02x}", now.format("%Y-%m-%d"), r[0], r[1])
}
