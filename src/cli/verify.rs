//! `runsheet verify RUN`, and the repairs an operator asks for: `repair-state`, `repair-journal`.

use super::common::{CmdResult, StoreArgs, exit, fail, line, out, say, short, warn};
use super::{EXIT_ERROR, EXIT_OK};
use crate::store::open::RepairOutcome;
use crate::store::{identity, verify};
use clap::Args;
use std::io::Write;

/// `verify`, `repair-state`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `repair-journal`.
#[derive(Debug, Clone, Args)]
pub struct RepairArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Carry a damaged run on: keep the damaged journal (and state.toml) aside byte for byte, cut
    /// the journal just before the first damaged line and record a `repair` event. Without it,
    /// only a torn last line is moved aside, and damage is described, not touched.
    #[arg(long)]
    pub accept_loss: bool,
    /// Display name recorded with the repair.
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs `verify`: exit 0 when intact, 1 when the chain breaks. Never takes the lock.
pub fn run(a: VerifyArgs) -> color_eyre::Result<i32> {
    let dir = match a.store.store().and_then(|s| s.resolve(&a.run)) {
        Ok(d) => d,
        Err(e) => return Ok(fail(&e)),
    };
    let r = match verify::verify(&dir) {
        Ok(r) => r,
        Err(e) => return Ok(fail(&e)),
    };
    let journal = dir.join(crate::store::JOURNAL);
    if let Some(t) = r.torn {
        say(&format!(
            "runsheet: warning: {}:{}: ends with a partial line ({} bytes at byte {}): a write in progress, or cut off when its writer was killed; not part of the chain (the next change moves it aside)",
            journal.display(),
            t.line,
            t.len,
            t.offset
        ));
    }
    let mut out = out();
    for n in &r.notes {
        line(&mut out, &format!("note: {n}"))?;
    }
    for p in &r.problems {
        line(&mut out, &format!("TAMPERED: {p}"))?;
    }
    let code = match &r.broken {
        Some(b) => {
            let more = match r.damaged_lines {
                0 | 1 => String::new(),
                n => format!(" ({} more damaged line(s) after it)", n - 1),
            };
            line(
                &mut out,
                &format!(
                    "BROKEN at seq {} (journal line {}, byte {}): {}{more} — {}",
                    b.seq,
                    b.line,
                    b.offset,
                    b.message,
                    journal.display()
                ),
            )?;
            EXIT_ERROR
        }
        None if !r.problems.is_empty() => EXIT_ERROR,
        None => {
            let outputs = match r.outputs {
                0 => String::new(),
                1 => ", 1 command output".to_owned(),
                n => format!(", {n} command outputs"),
            };
            line(
                &mut out,
                &format!(
                    "intact: {} events{outputs}, head {}",
                    r.events,
                    r.head.as_deref().map(short).unwrap_or("-")
                ),
            )?;
            line(&mut out, r.head.as_deref().unwrap_or_default())?;
            EXIT_OK
        }
    };
    out.flush()?;
    Ok(code)
}

/// Runs `repair-state`: rebuild `state.toml` from the journal, keeping a damaged one aside.
pub fn repair_state(a: VerifyArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let mut open = a.store.open(&a.run)?;
        warn(&open);
        let kept = open.repair_snapshot()?;
        let mut out = out();
        match kept {
            Some(kept) => line(
                &mut out,
                &format!(
                    "state.toml rebuilt from the journal (seq {}); the old one is kept as {}",
                    open.run.seq,
                    open.dir.join(kept).display()
                ),
            )?,
            None => line(
                &mut out,
                &format!("state.toml rebuilt from the journal (seq {})", open.run.seq),
            )?,
        }
        Ok(())
    })())
}

/// Runs `repair-journal`: move a torn last line aside; describe damage, or with `--accept-loss`
/// keep the damaged files aside and carry the run on. Exit 1 when damage was described only.
pub fn repair_journal(a: RepairArgs) -> color_eyre::Result<i32> {
    let mut code = EXIT_OK;
    let r = exit((|| -> CmdResult {
        let mut open = a.store.open(&a.run)?;
        warn(&open);
        let actor = identity::current(a.as_name.as_deref());
        let outcome =
            open.repair_journal(a.accept_loss, &actor, chrono::Local::now().fixed_offset())?;
        let mut out = out();
        let dir = open.dir.clone();
        match outcome {
            RepairOutcome::Intact => {
                line(&mut out, "the journal has no partial line and no damage")?
            }
            RepairOutcome::TornMoved { kept_as, seq } => line(
                &mut out,
                &format!(
                    "moved the partial last line to {} (recorded as seq {seq}); the journal ends at seq {}",
                    dir.join(kept_as).display(),
                    open.run.seq
                ),
            )?,
            RepairOutcome::Plan(plan) => {
                for l in plan.lines() {
                    line(&mut out, l)?;
                }
                line(
                    &mut out,
                    &format!(
                        "to do this: runsheet repair-journal {} --accept-loss",
                        open.run.id
                    ),
                )?;
                code = EXIT_ERROR;
            }
            RepairOutcome::Repaired {
                kept,
                dropped_lines,
                seq,
            } => {
                line(
                    &mut out,
                    &format!(
                        "repaired: {dropped_lines} line(s) dropped from the journal; recorded as seq {seq}; the run takes changes again"
                    ),
                )?;
                for k in kept {
                    line(&mut out, &format!("  kept: {}", dir.join(k).display()))?;
                }
            }
        }
        Ok(())
    })())?;
    Ok(if r == EXIT_OK { code } else { r })
}
