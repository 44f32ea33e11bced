//! `runsheet push RUN --store …` (a local run, whole chain verified, to the shared store) and
//! `runsheet export RUN -o DIR --store …` (a shared run back out as a local run dir that
//! `runsheet verify` checks offline).

use super::common::StoreArgs;
use super::shared::exit;
use crate::pg::SharedError;
use clap::Args;
use std::path::PathBuf;

/// `push`.
#[derive(Debug, Clone, Args)]
pub struct PushArgs {
    /// Local run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// The team whose members will see it (default: your only team).
    #[arg(long, value_name = "ROLE")]
    pub team: Option<String>,
    /// Data dir holding the local run, and the shared store (`--store`).
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Shared run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// The run dir to write (must not exist). Default: the run's dir under the local data dir,
    /// where `runsheet status`, `report` and `verify` find it.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Local data dir (for the default destination), and the shared store (`--store`).
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs `push`.
pub fn push(a: PushArgs) -> color_eyre::Result<i32> {
    exit(push_inner(&a))
}

/// Runs `export`.
pub fn export(a: ExportArgs) -> color_eyre::Result<i32> {
    exit(export_inner(&a))
}

#[cfg(feature = "postgres")]
fn push_inner(a: &PushArgs) -> Result<(), SharedError> {
    let dir = a.store.store()?.resolve(&a.run)?;
    let settings = a.store.shared.settings()?;
    let target = settings.target();
    let mut store = crate::pg::engine::SharedStore::connect(settings)?;
    let r = store.push(&dir, a.team.as_deref())?;
    let head = super::common::short(&r.head);
    if r.already {
        println!(
            "{} is already on {target} ({} events, head {head}): nothing to do",
            r.run_id, r.events
        );
    } else {
        println!(
            "pushed {} to {target}: {} events, head {head}, team {}",
            r.run_id, r.events, r.team
        );
        eprintln!(
            "runsheet: note: make further changes on the shared store (--store); the local copy at {} is left as it was",
            dir.display()
        );
    }
    Ok(())
}

#[cfg(not(feature = "postgres"))]
fn push_inner(a: &PushArgs) -> Result<(), SharedError> {
    a.store.shared.settings().map(|_| ())
}

#[cfg(feature = "postgres")]
fn export_inner(a: &ExportArgs) -> Result<(), SharedError> {
    let settings = a.store.shared.settings()?;
    let mut run = crate::pg::engine::SharedStore::connect(settings)?.open(&a.run)?;
    let dest = match &a.output {
        Some(d) => d.clone(),
        None => a.store.store()?.runs_dir().join(run.id()),
    };
    let r = run.export_to(&dest)?;
    println!(
        "exported {} to {}: {} events, head {}",
        run.id(),
        r.dir.display(),
        r.events,
        super::common::short(&r.head)
    );
    Ok(())
}

#[cfg(not(feature = "postgres"))]
fn export_inner(a: &ExportArgs) -> Result<(), SharedError> {
    a.store.shared.settings().map(|_| ())
}
