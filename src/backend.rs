//! The one storage interface: where runs live ([`Backend`]) and one open run ([`Opened`]), for the
//! file journal and the shared store on PostgreSQL alike. The CLI's run commands, the screen's
//! writer thread and the reports use only this; the two stores are its two implementations.
//!
//! It is an enum rather than a trait object: the set of stores is closed (two), each command
//! matches on it only where the stores really differ (a local run dir's snapshot, repairs and
//! owner; a shared run's outbox, team and role), and nothing has to be boxed or made object-safe
//! (the stores' `commit` takes a closure generic over the caller).

use crate::model::Template;
use crate::run::Run;
use crate::run::event::{Actor, Change, Event};
use crate::run::intent::Intent;
use crate::run::presence::Viewer;
use crate::store::open::Drift;
use crate::store::{OpenRun, Store, StoreError};
use chrono::{DateTime, FixedOffset};
use std::path::{Path, PathBuf};

#[cfg(feature = "postgres")]
use crate::pg::engine::{SharedRun, SharedStore};
use crate::pg::{Settings, SharedError};

/// An error of either store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file store.
    #[error(transparent)]
    File(#[from] StoreError),
    /// The shared store.
    #[error(transparent)]
    Shared(#[from] SharedError),
}

impl Error {
    /// Whether the store or the run is unavailable (exit status 3).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::File(e) => e.is_unavailable(),
            Error::Shared(e) => e.is_unavailable(),
        }
    }
}

impl From<crate::run::intent::IntentError> for Error {
    fn from(e: crate::run::intent::IntentError) -> Error {
        Error::File(e.into())
    }
}

/// Where runs live: a local data dir, or a shared store.
#[derive(Debug)]
pub enum Backend {
    /// The file store (a data dir holding `runs/`).
    File(Store),
    /// A shared store; `root` is the local data dir (its outbox and template cache).
    Shared {
        /// Connection settings.
        settings: Box<Settings>,
        /// The local data root.
        root: PathBuf,
    },
}

/// Where one run lives, for messages and `list`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// A local run dir.
    Local {
        /// The run dir.
        dir: PathBuf,
    },
    /// A shared store.
    Shared {
        /// Host, port, database and role (never a password).
        target: String,
    },
}

impl Location {
    /// `local` or `shared (host:port/db as role)`.
    pub fn label(&self) -> String {
        match self {
            Location::Local { .. } => "local".to_owned(),
            Location::Shared { target } => format!("shared {target}"),
        }
    }
}

impl Backend {
    /// The store a command uses: a shared one when `shared` names PostgreSQL, else the data dir.
    pub fn new(store: Store, shared: Option<Settings>) -> Backend {
        match shared {
            Some(s) => Backend::Shared {
                settings: Box::new(s),
                root: store.root().to_owned(),
            },
            None => Backend::File(store),
        }
    }

    /// Whether runs here are shared.
    pub fn is_shared(&self) -> bool {
        matches!(self, Backend::Shared { .. })
    }

    /// `local data dir PATH` or `shared store TARGET`.
    pub fn describe(&self) -> String {
        match self {
            Backend::File(s) => format!("local data dir {}", s.root().display()),
            Backend::Shared { settings, .. } => format!("shared store {}", settings.target()),
        }
    }

    /// The local data root.
    pub fn root(&self) -> &Path {
        match self {
            Backend::File(s) => s.root(),
            Backend::Shared { root, .. } => root,
        }
    }

    /// Connects to the shared store (with its outbox under the local data root).
    #[cfg(feature = "postgres")]
    pub fn connect(&self) -> Result<SharedStore, Error> {
        match self {
            Backend::Shared { settings, root } => {
                Ok(SharedStore::connect(Settings::clone(settings))?.with_outbox(root))
            }
            Backend::File(_) => Err(Error::Shared(SharedError::Config(
                "this command needs a shared store: --store postgresql://HOST/DB".to_owned(),
            ))),
        }
    }

    /// Resolves RUN (an id, a unique prefix, `latest`) and opens it.
    pub fn open(&self, query: &str) -> Result<Opened, Error> {
        match self {
            Backend::File(store) => {
                let dir = store.resolve(query).map_err(|e| local_hint(e, query))?;
                Ok(Opened::File(Box::new(OpenRun::open(&dir)?)))
            }
            #[cfg(feature = "postgres")]
            Backend::Shared { .. } => Ok(Opened::Shared(Box::new(self.connect()?.open(query)?))),
            #[cfg(not(feature = "postgres"))]
            Backend::Shared { .. } => Err(Error::Shared(SharedError::FeatureOff)),
        }
    }
}

/// A RUN that is not in the local data dir but looks like a shared run's id (they end in 8 hex
/// digits, local ones in 4) says where to look.
fn local_hint(e: StoreError, query: &str) -> Error {
    if let StoreError::NotFound { .. } = &e
        && looks_shared(query)
    {
        return Error::File(StoreError::Invalid(format!(
            "{e}. “{query}” looks like a shared run's id: give --store postgresql://… (or set \
             RUNSHEET_STORE, or `store` in config.toml)"
        )));
    }
    Error::File(e)
}

/// Whether a run id has the shape of a shared run's (a 32-bit suffix: 8 hex digits).
pub fn looks_shared(id: &str) -> bool {
    id.rsplit_once('-')
        .is_some_and(|(_, tail)| tail.len() == 8 && tail.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// One open run, in either store.
#[derive(Debug)]
pub enum Opened {
    /// A local run dir.
    File(Box<OpenRun>),
    /// A run on the shared store.
    #[cfg(feature = "postgres")]
    Shared(Box<SharedRun>),
}

impl Opened {
    /// The fold.
    pub fn run(&self) -> &Run {
        match self {
            Opened::File(o) => &o.run,
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => &s.run,
        }
    }

    /// The template the run follows.
    pub fn template(&self) -> &Template {
        match self {
            Opened::File(o) => &o.template,
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => &s.template,
        }
    }

    /// The run id.
    pub fn id(&self) -> &str {
        &self.run().id
    }

    /// Where it lives.
    pub fn location(&self) -> Location {
        match self {
            Opened::File(o) => Location::Local { dir: o.dir.clone() },
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => Location::Shared { target: s.target() },
        }
    }

    /// The local run, if it is one.
    pub fn file(&self) -> Option<&OpenRun> {
        match self {
            Opened::File(o) => Some(o),
            #[cfg(feature = "postgres")]
            Opened::Shared(_) => None,
        }
    }

    /// The local run, if it is one.
    pub fn file_mut(&mut self) -> Option<&mut OpenRun> {
        match self {
            Opened::File(o) => Some(o),
            #[cfg(feature = "postgres")]
            Opened::Shared(_) => None,
        }
    }

    /// The shared run, if it is one.
    #[cfg(feature = "postgres")]
    pub fn shared_mut(&mut self) -> Option<&mut SharedRun> {
        match self {
            Opened::Shared(s) => Some(s),
            Opened::File(_) => None,
        }
    }

    /// Things the operator should know about the run as opened (damage, an older snapshot, a
    /// template that changed, a shared run's notes).
    pub fn warnings(&self) -> Vec<String> {
        match self {
            Opened::File(o) => file_warnings(o),
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => {
                let mut v: Vec<String> =
                    s.warnings.iter().map(|w| format!("warning: {w}")).collect();
                if let Drift::Changed { old, new } = s.drift() {
                    v.push(format!(
                        "warning: the template {} changed since the run started (SHA-256 {} → {}); `runsheet rebase {}` follows it",
                        s.run.template_path,
                        crate::store::short(&old),
                        crate::store::short(&new),
                        s.run.id
                    ));
                }
                v
            }
        }
    }

    /// Checks `intent` against the latest state and appends it; returned once acknowledged.
    pub fn append(
        &mut self,
        intent: &Intent,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, Error> {
        Ok(self.append_caught_up(intent, actor, now)?.1)
    }

    /// [`Opened::append`], also returning the other processes' events read first (oldest first).
    pub fn append_caught_up(
        &mut self,
        intent: &Intent,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<(Vec<Event>, Event), Error> {
        match self {
            Opened::File(o) => Ok(o.append_caught_up(intent, actor, now)?),
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => {
                let ev = s.append(intent, actor, now)?;
                Ok((s.take_caught_up(&[ev.seq]), ev))
            }
        }
    }

    /// Appends the change `make` builds from the latest state (checked under the journal's lock,
    /// or at the shared store's head, again on every retry).
    pub fn commit(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        mut make: impl FnMut(&Run, &Template) -> Result<Change, StoreError>,
    ) -> Result<Event, Error> {
        match self {
            Opened::File(o) => Ok(o.commit(actor, now, make)?),
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => Ok(s.commit(actor, now, |r, t| Ok(make(r, t)?))?),
        }
    }

    /// Every event of the run, from the start.
    pub fn events(&mut self) -> Result<Vec<Event>, Error> {
        match self {
            Opened::File(o) => Ok(o.events()?),
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => Ok(s.events()?),
        }
    }

    /// Events other processes (or clients) appended since the last look, applied and returned.
    pub fn read_new_events(&mut self) -> Result<Vec<Event>, Error> {
        match self {
            Opened::File(o) => Ok(o.read_new_events()?),
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => Ok(s.read_new_events()?),
        }
    }

    /// Stores a template copy (before a re-base refers to it); returns its SHA-256.
    pub fn store_template_copy(&mut self, bytes: &[u8]) -> Result<String, Error> {
        match self {
            Opened::File(o) => Ok(o.store_template_copy(bytes)?),
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => Ok(s.store_template_copy(bytes)?),
        }
    }

    /// Compares the original template file with the template the run follows.
    pub fn drift(&self) -> Drift {
        match self {
            Opened::File(o) => o.drift(),
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => s.drift(),
        }
    }

    /// Saves the local snapshot (`state.toml`) after a change; a shared run has none.
    pub fn save_snapshot(&mut self) -> Result<(), Error> {
        match self {
            Opened::File(o) => o.save_snapshot().map(|_| ()).map_err(Error::from),
            #[cfg(feature = "postgres")]
            Opened::Shared(_) => Ok(()),
        }
    }

    /// Why the run takes no changes (damaged, read-only), if so.
    pub fn refusal(&self) -> Option<Error> {
        match self {
            Opened::File(o) => o.refusal().map(Error::from),
            #[cfg(feature = "postgres")]
            Opened::Shared(_) => None,
        }
    }

    /// Who else has the run open now (the shared store's presence table; a local run's presence
    /// files). Errors are an empty list: presence is a courtesy.
    pub fn viewers(&mut self) -> Vec<Viewer> {
        match self {
            Opened::File(o) => crate::store::presence::viewers(o.rundir()),
            #[cfg(feature = "postgres")]
            Opened::Shared(s) => s
                .present()
                .unwrap_or_default()
                .into_iter()
                .filter(|p| !p.me)
                .map(|p| Viewer {
                    name: p.name,
                    user: p.user,
                    host: p.host,
                    since: p.since,
                })
                .collect(),
        }
    }
}

/// [`Opened::warnings`] of a local run: damage, a planted file, a damaged or older snapshot, and
/// template drift.
pub fn file_warnings(open: &OpenRun) -> Vec<String> {
    use crate::store::open::SnapshotState;
    let mut v: Vec<String> = open
        .warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect();
    match &open.snapshot {
        SnapshotState::Damaged(e) => v.push(format!(
            "warning: {e}\n  state.toml is ignored (the journal is used) and left as it is; `runsheet repair-state {}` rebuilds it",
            open.run.id
        )),
        SnapshotState::Older(v0) => v.push(format!(
            "note: state.toml has schema_version {v0}; it is rebuilt from the journal at the next change"
        )),
        _ => {}
    }
    if let Drift::Changed { old, new } = open.drift() {
        v.push(format!(
            "warning: the template {} changed since the run started (SHA-256 {} → {}); `runsheet rebase {}` follows it",
            open.run.template_path,
            crate::store::short(&old),
            crate::store::short(&new),
            open.run.id
        ));
    }
    v
}
