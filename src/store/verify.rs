//! `verify`: re-check the whole hash chain, the snapshot's head and the template copies.

use super::journal::{self, Break, Cursor, Torn};
use super::snapshot::{self, Loaded};
use super::{JOURNAL, StoreError};
use crate::run::event::{Change, Event, sha256_hex};
use std::path::Path;

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Report {
    /// Complete events read.
    pub events: usize,
    /// `hash` of the last event.
    pub head: Option<String>,
    /// First break, if any.
    pub broken: Option<Break>,
    /// A partial last line (reported, not a break: a crash during a write leaves one).
    pub torn: Option<Torn>,
    /// Other findings that mean tampering (snapshot head disagrees, template copy modified, a
    /// command's output file changed).
    pub problems: Vec<String>,
    /// Command output files checked against their recorded digests.
    pub outputs: usize,
}

impl Report {
    /// Whether the chain and everything checked is intact.
    pub fn intact(&self) -> bool {
        self.broken.is_none() && self.problems.is_empty()
    }
}

/// Verifies the run in `dir`.
pub fn verify(dir: &Path) -> Result<Report, StoreError> {
    let path = dir.join(JOURNAL);
    let bytes = std::fs::read(&path).map_err(StoreError::io("reading", &path))?;
    let mut cur = Cursor::start();
    let scan = journal::scan(&path, &bytes, &mut cur, true);
    let mut report = Report {
        events: scan.events.len(),
        head: scan.events.last().map(|e| e.hash.clone()),
        broken: scan.broken,
        torn: scan.torn,
        problems: Vec::new(),
        outputs: 0,
    };
    if scan.events.is_empty() && report.broken.is_none() {
        report.broken = Some(Break {
            seq: 1,
            line: 1,
            message: "the journal has no complete event".to_owned(),
        });
    }
    if let Loaded::Ok(loaded) = snapshot::load(dir) {
        let snap = &loaded.header;
        let at = scan.events.iter().find(|e| e.seq == snap.seq);
        match at {
            Some(e) if e.hash == snap.head => {}
            Some(e) => report.problems.push(format!(
                "state.toml records head {} at seq {}, the journal has {}: an event was changed",
                snap.head, snap.seq, e.hash
            )),
            None => report.problems.push(format!(
                "state.toml covers seq {} but the journal has no such event: events were removed",
                snap.seq
            )),
        }
    }
    check_copies(dir, &scan.events, &mut report);
    check_outputs(dir, &scan.events, &mut report);
    Ok(report)
}

/// Each finished command's output file (`outputs/…`) against the SHA-256 its `command_finished`
/// event records.
fn check_outputs(dir: &Path, events: &[Event], report: &mut Report) {
    let mut files = std::collections::BTreeMap::new();
    for ev in events {
        match &ev.change {
            Change::CommandStarted { output, .. } => {
                files.insert(ev.seq, output.clone());
            }
            Change::CommandFinished {
                started,
                output_sha256,
                ..
            } => {
                let Some(rel) = files.get(started) else {
                    report.problems.push(format!(
                        "seq {}: a command_finished event for seq {started}, which started no command",
                        ev.seq
                    ));
                    continue;
                };
                report.outputs += 1;
                match super::outputs::digest(dir, rel) {
                    Ok((sha, _)) if &sha == output_sha256 => {}
                    Ok(_) => report.problems.push(format!(
                        "{rel}: modified (SHA-256 differs from seq {})",
                        ev.seq
                    )),
                    Err(e) => report
                        .problems
                        .push(format!("{rel}: {e} (recorded at seq {})", ev.seq)),
                }
            }
            _ => {}
        }
    }
}

fn check_copies(dir: &Path, events: &[Event], report: &mut Report) {
    let mut start_sha = None;
    for ev in events {
        let sha = match &ev.change {
            Change::Start {
                template_sha256, ..
            } => {
                start_sha = Some(template_sha256.clone());
                template_sha256
            }
            Change::Rebase { to_sha256, .. } => to_sha256,
            _ => continue,
        };
        let name = if Some(sha) == start_sha.as_ref() {
            super::TEMPLATE.to_owned()
        } else {
            format!("template-{}.md", sha.get(..12).unwrap_or(sha))
        };
        match std::fs::read(dir.join(&name)) {
            Ok(b) if &sha256_hex(&b) == sha => {}
            Ok(_) => report.problems.push(format!(
                "{name}: modified (SHA-256 differs from seq {})",
                ev.seq
            )),
            Err(e) => report.problems.push(format!("{name}: {e}")),
        }
    }
}
