//! `runsheet verify RUN`, and the repairs an operator asks for: `repair-state`, `repair-journal`.

use super::common::{StoreArgs, exit, fail, short};
use super::{EXIT_ERROR, EXIT_OK};
use crate::store::{StoreError, verify};
use clap::Args;

/// `verify`, `repair-state`, `repair-journal`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs `verify`: exit 0 when intact, 1 when the chain breaks.
pub fn run(a: VerifyArgs) -> color_eyre::Result<i32> {
    let dir = match a.store.store().and_then(|s| s.resolve(&a.run)) {
        Ok(d) => d,
        Err(e) => return Ok(fail(&e)),
    };
    let r = match verify::verify(&dir) {
        Ok(r) => r,
        Err(e) => return Ok(fail(&e)),
    };
    if let Some(t) = r.torn {
        eprintln!(
            "runsheet: warning: the journal ends with a partial line ({} bytes at byte {}, line {}): ignored, not part of the chain",
            t.len, t.offset, t.line
        );
    }
    for p in &r.problems {
        println!("TAMPERED: {p}");
    }
    match &r.broken {
        Some(b) => {
            println!(
                "BROKEN at seq {} (journal line {}): {}",
                b.seq, b.line, b.message
            );
            Ok(EXIT_ERROR)
        }
        None if !r.problems.is_empty() => Ok(EXIT_ERROR),
        None => {
            let outputs = match r.outputs {
                0 => String::new(),
                1 => ", 1 command output".to_owned(),
                n => format!(", {n} command outputs"),
            };
            println!(
                "intact: {} events{outputs}, head {}",
                r.events,
                r.head.as_deref().map(short).unwrap_or("-")
            );
            println!("{}", r.head.unwrap_or_default());
            Ok(EXIT_OK)
        }
    }
}

/// Runs `repair-state`: rebuild `state.toml` from the journal, keeping a damaged one aside.
pub fn repair_state(a: VerifyArgs) -> color_eyre::Result<i32> {
    exit((|| -> Result<(), StoreError> {
        let mut open = a.store.open(&a.run)?;
        match open.repair_snapshot()? {
            Some(kept) => println!(
                "state.toml rebuilt from the journal (seq {}); the old one is kept as {}",
                open.run.seq,
                kept.display()
            ),
            None => println!("state.toml rebuilt from the journal (seq {})", open.run.seq),
        }
        Ok(())
    })())
}

/// Runs `repair-journal`: move a torn last line aside.
pub fn repair_journal(a: VerifyArgs) -> color_eyre::Result<i32> {
    exit((|| -> Result<(), StoreError> {
        let mut open = a.store.open(&a.run)?;
        match open.repair_journal()? {
            Some(aside) => println!(
                "moved the partial last line to {}; the journal ends at seq {}",
                aside.display(),
                open.run.seq
            ),
            None => println!("the journal has no partial line"),
        }
        Ok(())
    })())
}
