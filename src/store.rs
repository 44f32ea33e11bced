//! Run directories on disk: creating, finding and listing runs.
//!
//! Layout under the data root (`$XDG_DATA_HOME/runsheet`, or `--data-dir` / `RUNSHEET_DATA_DIR`):
//!
//! ```text
//! runs/<run-id>/template.md       the template as it was at start (SHA-256 in the start event)
//! runs/<run-id>/template-<sha12>.md  templates adopted by `rebase`
//! runs/<run-id>/journal.jsonl     one event per line, SHA-256 chained: the record
//! runs/<run-id>/state.toml        snapshot of the fold (a cache)
//! runs/<run-id>/template.cache    the parsed template copy (a cache: `template_cache`)
//! runs/<run-id>/lock              sidecar flock: appends are serialised on it
//! runs/<run-id>/outputs/*.log     output of commands run from the checklist (digest in the journal)
//! ```
//!
//! Directories are 0700 and files 0600 whatever the umask — or, in a shared group directory
//! (setgid, group rwx), 2770 and 0660. Every directory is checked before it is used (see
//! [`trust`]) and every file of a run dir is opened relative to the run dir's descriptor without
//! following links ([`safe`]). See `docs/runs.md` and `docs/journal-threat-model.md`.

pub mod error;
pub mod fsutil;
pub mod identity;
pub mod journal;
pub mod lock;
pub mod open;
pub mod outputs;
pub mod presence;
pub mod safe;
pub mod snapshot;
pub mod template_cache;
pub mod trust;
pub mod verify;

pub use error::StoreError;
pub use open::{LoadPolicy, OpenRun};

use crate::run::SCHEMA_VERSION;
use crate::run::event::{Actor, Change, Event, GENESIS, sha256_hex};
use crate::template;
use chrono::{DateTime, FixedOffset};
use safe::{Access, Dir};
use std::collections::BTreeMap;
use std::io::BufRead;
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
    /// Running commands: enabled or not, and the directory (recorded in the start event).
    pub exec: Option<crate::run::event::ExecSetting>,
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

    /// The data root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/runs`.
    pub fn runs_dir(&self) -> PathBuf {
        self.root.join("runs")
    }

    /// The data root, checked (`--data-dir FILE` is refused with a message saying so); created
    /// (0700) when `create`.
    fn root_dir(&self, create: bool) -> Result<Option<Dir>, StoreError> {
        Dir::root(&self.root, create).map_err(|e| match e {
            StoreError::NotRegular { path, found, .. } => StoreError::Invalid(format!(
                "the data dir {} is {found}, not a directory: give --data-dir (or \
                 RUNSHEET_DATA_DIR) a directory; it is created if missing",
                path.display()
            )),
            e => e,
        })
    }

    /// `<root>/runs`, checked; created when `create` (2770 in a shared data root, else 0700).
    pub fn runs(&self, create: bool) -> Result<Option<Dir>, StoreError> {
        let Some(root) = self.root_dir(create)? else {
            return Ok(None);
        };
        if create {
            return root.create_child("runs", false).map(Some);
        }
        root.child("runs")
    }

    /// Ids of all runs, sorted: the entries of `runs/` that hold a journal (a link in `runs/` is
    /// listed too, so that opening it says what is wrong instead of the run silently missing).
    pub fn run_ids(&self) -> Result<Vec<String>, StoreError> {
        let Some(runs) = self.runs(false)? else {
            return Ok(Vec::new());
        };
        use rustix::fs::FileType;
        let mut ids: Vec<String> = runs
            .entries()?
            .into_iter()
            .filter(|(n, _)| !n.starts_with('.'))
            .filter(|(n, t)| match t {
                Some(FileType::Symlink) => true,
                Some(FileType::Directory) | None => rustix::fs::statat(
                    runs.fd(),
                    format!("{n}/{JOURNAL}").as_str(),
                    rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
                )
                .is_ok(),
                _ => false,
            })
            .map(|(n, _)| n)
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

    /// [`Store::create`] from a file or a built-in template: [`Store::prepare_from`], then
    /// [`NewRun::commit`] and the first snapshot.
    pub fn create_from(
        &self,
        source: &crate::catalog::Source,
        opts: &StartOptions,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<OpenRun, StoreError> {
        for _ in 0..16 {
            match self.prepare_from(source, opts, actor, now)?.commit() {
                Ok(mut open) => {
                    open.save_snapshot()?;
                    return Ok(open);
                }
                Err(Committed::Taken) => continue,
                Err(Committed::Failed(e)) => return Err(e),
            }
        }
        Err(StoreError::Invalid(
            "could not find a free run id".to_owned(),
        ))
    }

    /// Everything [`Store::create_from`] does before touching the disk: the template read (a
    /// regular file, never through a link or from a FIFO), parsed and checked against `--var`,
    /// a free run id chosen, the start event sealed. The run exists only once
    /// [`NewRun::commit`] returns (a screen may show it meanwhile; nothing that depends on it is
    /// acknowledged before).
    pub fn prepare_from(
        &self,
        source: &crate::catalog::Source,
        opts: &StartOptions,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<NewRun, StoreError> {
        let shown = source.display();
        let load = template::LoadOptions {
            steps: opts.steps,
            ..template::LoadOptions::default()
        };
        let bytes = match source {
            crate::catalog::Source::File(p) => safe::read_regular(p, open::MAX_TEMPLATE)?,
            crate::catalog::Source::Builtin(_) => source
                .read()
                .map_err(StoreError::io("reading", Path::new(&shown)))?,
        };
        // The hash and the parse are independent: on two cores, at the same time.
        let (tpl, sha) = std::thread::scope(|s| {
            let sha = s.spawn(|| sha256_hex(&bytes));
            let tpl = template::parse_bytes_with(&shown, &bytes, load);
            (tpl, sha.join().unwrap_or_else(|_| sha256_hex(&bytes)))
        });
        let tpl = tpl?;
        let declared: Vec<&str> = tpl.settable_variables().collect();
        for name in opts.vars.keys() {
            if tpl.secret_variables().contains(&name.as_str()) {
                return Err(crate::run::intent::IntentError::Secret(name.clone()).into());
            }
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
        // Checked now (a clear message before the screen opens), and again by the commit.
        let runs = self.runs(false)?;
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
            if let Some(r) = &runs
                && r.lstat(&id)?.is_some()
            {
                continue;
            }
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
                exec: opts.exec.clone(),
            };
            let (event, line) = Event::seal(1, now, actor.clone(), start, GENESIS)
                .map_err(|e| StoreError::Invalid(format!("serialising the start event: {e}")))?;
            let run = crate::run::Run::from_start(&event)
                .map_err(|e| StoreError::Invalid(format!("the start event: {e}")))?;
            return Ok(NewRun {
                template: std::sync::Arc::new(tpl),
                run,
                id,
                bytes,
                line,
                store: self.clone(),
            });
        }
        Err(StoreError::Invalid(
            "could not find a free run id".to_owned(),
        ))
    }
}

/// A run prepared by [`Store::prepare_from`] and not on disk yet.
#[derive(Debug)]
pub struct NewRun {
    /// The template it follows (shared: a screen can show it while the run is written).
    pub template: std::sync::Arc<crate::model::Template>,
    /// The fold of its start event.
    pub run: crate::run::Run,
    id: String,
    bytes: Vec<u8>,
    line: String,
    store: Store,
}

/// Why [`NewRun::commit`] did not create the run.
#[derive(Debug)]
pub enum Committed {
    /// Another run took the id meanwhile: prepare again.
    Taken,
    /// Writing failed.
    Failed(StoreError),
}

impl From<StoreError> for Committed {
    fn from(e: StoreError) -> Committed {
        Committed::Failed(e)
    }
}

impl NewRun {
    /// Creates the run dir durably and opens it (no snapshot yet: `OpenRun::save_snapshot`
    /// writes one). The run is built in `runs/.new-<id>` (whose lock is held meanwhile: a later
    /// `start` that can take it knows we died), every file fsync'd, renamed into place without
    /// replacing anything, and `runs/` fsync'd; `.new-*` dirs left by a killed `start` are
    /// removed first. Every directory is opened by descriptor, never through a link.
    pub fn commit(&self) -> Result<OpenRun, Committed> {
        let runs = self
            .store
            .runs(true)?
            .ok_or_else(|| StoreError::Invalid("the data dir could not be created".to_owned()))?;
        remove_abandoned(&runs);
        let id = self.id.as_str();
        if runs.lstat(id)?.is_some() {
            return Err(Committed::Taken);
        }
        let tmp_name = format!(".new-{id}");
        let tmp = match runs.create_child(&tmp_name, true) {
            Ok(d) => d,
            Err(StoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                return Err(Committed::Taken);
            }
            Err(e) => return Err(e.into()),
        };
        let building = tmp.create_empty(LOCK)?;
        let _ = building.try_lock();
        let built = tmp
            .create_file(TEMPLATE, &self.bytes)
            .and_then(|()| tmp.create_file(JOURNAL, self.line.as_bytes()))
            .and_then(|()| {
                building
                    .sync_all()
                    .map_err(StoreError::io("syncing", tmp.join(LOCK)))
            })
            .and_then(|()| tmp.sync());
        if let Err(e) = built {
            let _ = std::fs::remove_dir_all(runs.join(&tmp_name));
            return Err(e.into());
        }
        match runs.rename_new(&tmp_name, id) {
            Ok(true) => {}
            Ok(false) => {
                let _ = std::fs::remove_dir_all(runs.join(&tmp_name));
                return Err(Committed::Taken);
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(runs.join(&tmp_name));
                return Err(e.into());
            }
        }
        runs.sync()?;
        drop(building);
        Ok(OpenRun::open_created(
            &runs.join(id),
            crate::model::Template::clone(&self.template),
        )?)
    }

    /// The run's directory once committed.
    pub fn dir(&self) -> PathBuf {
        self.store.runs_dir().join(&self.id)
    }
}

/// How old a `.new-*` dir without a lock must be before it counts as abandoned.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes `.new-*` dirs a killed `start` left: those whose lock nobody holds (or, with no lock
/// file yet, older than ten minutes). Failures are ignored: this is tidying, not the task at hand.
fn remove_abandoned(runs: &Dir) {
    let Ok(entries) = runs.entries() else {
        return;
    };
    for (name, _) in entries.into_iter().filter(|(n, _)| n.starts_with(".new-")) {
        let Ok(Some(d)) = runs.child(&name) else {
            continue;
        };
        #[allow(clippy::unnecessary_cast)]
        let age = runs.lstat(&name).ok().flatten().map_or(0, |st| {
            chrono::Utc::now()
                .timestamp()
                .saturating_sub(st.st_mtime as i64)
        });
        let abandoned = match d.open_file(LOCK, Access::ReadWrite) {
            // Its builder holds this lock until the run is renamed into place.
            Ok(Some(f)) => age > 5 && f.try_lock().is_ok(),
            Ok(None) => age > ABANDONED_AFTER.as_secs() as i64,
            Err(_) => false,
        };
        if abandoned {
            let _ = std::fs::remove_dir_all(runs.join(&name));
        }
    }
}

/// The first event of a run's journal (its `start`), read without loading the run: at most one
/// line, from a regular file opened without following links. `None` if it cannot be read.
pub fn first_event(dir: &Path) -> Option<Event> {
    let rundir = open::open_run_dir(dir).ok()?;
    let f = rundir.open_file(JOURNAL, Access::Read).ok()??;
    let mut line = Vec::new();
    std::io::BufReader::new(std::io::Read::take(f, journal::MAX_LINE as u64))
        .read_until(b'\n', &mut line)
        .ok()?;
    serde_json::from_slice(line.strip_suffix(b"\n")?).ok()
}

/// Start time of a run from its first journal line, without loading it.
pub fn started_at(dir: &Path) -> Option<DateTime<FixedOffset>> {
    first_event(dir).map(|e| e.at)
}

/// The bytes of a run's original template (`builtin:NAME` or a path); a FIFO, device or directory
/// at the path is refused, never read.
pub fn read_origin(origin: &str) -> Result<Vec<u8>, StoreError> {
    if origin.starts_with(crate::catalog::BUILTIN_PREFIX) {
        return crate::catalog::read_origin(origin)
            .map_err(StoreError::io("reading", Path::new(origin)));
    }
    safe::read_regular(Path::new(origin), open::MAX_TEMPLATE)
}

/// First 12 hex digits of a hash.
pub fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
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
