//! `verify`: re-check the whole hash chain (streamed), the snapshot's head, the template copies
//! and the output files of commands run from the checklist. It never takes the lock and never
//! writes.

use super::journal::{Break, Cursor, Scanner, Torn};
use super::open::open_run_dir;
use super::snapshot::{self, Loaded};
use super::{JOURNAL, StoreError};
use crate::run::event::{Change, sha256_hex};
use std::collections::BTreeMap;
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
    /// Damaged lines (the first is `broken`).
    pub damaged_lines: usize,
    /// A partial last line (reported, not a break: a writer killed during its write leaves one).
    pub torn: Option<Torn>,
    /// Other findings that mean tampering (snapshot head disagrees, template copy modified, a
    /// command's output file changed).
    pub problems: Vec<String>,
    /// Things worth knowing that do not touch the chain (a damaged snapshot, repairs recorded).
    pub notes: Vec<String>,
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
    let rundir = open_run_dir(dir)?;
    let path = rundir.join(JOURNAL);
    let loaded = snapshot::load(&rundir);
    let journal = rundir
        .open_file(JOURNAL, super::safe::Access::Read)?
        .ok_or_else(|| StoreError::Io {
            op: "opening",
            path: path.clone(),
            source: std::io::ErrorKind::NotFound.into(),
        })?;
    let mut report = Report::default();
    let header = match &loaded {
        Loaded::Ok(s) => Some(s.header.clone()),
        Loaded::Damaged(e) => {
            report.notes.push(format!(
                "{e} (state.toml is a cache: it is not part of the record; the journal was checked)"
            ));
            None
        }
        _ => None,
    };
    let mut scan = Scanner::new(&path, Cursor::start());
    if let Some(h) = &header {
        scan = scan.watch_boundary(h.journal_bytes).watch_seq(h.seq);
    }
    let mut copies: Vec<(u64, String)> = Vec::new();
    let mut start_sha = None;
    let mut first_seq = None;
    let mut outputs = Outputs::default();
    scan.feed(&journal, |ev, _| {
        first_seq.get_or_insert(ev.seq);
        match &ev.change {
            Change::CommandStarted { output, .. } => {
                outputs.started.insert(ev.seq, output.clone());
            }
            Change::CommandFinished {
                started,
                output_sha256,
                ..
            } => outputs
                .finished
                .push((ev.seq, *started, output_sha256.clone())),
            Change::Start {
                template_sha256, ..
            } if start_sha.is_none() => {
                start_sha = Some(template_sha256.clone());
                copies.push((ev.seq, template_sha256.clone()));
            }
            Change::Rebase { to_sha256, .. } => copies.push((ev.seq, to_sha256.clone())),
            Change::TornTail {
                offset, kept_as, ..
            } => report.notes.push(format!(
                "seq {}: a partial line at byte {offset}, left by a writer killed during its write, was moved aside to {kept_as}",
                ev.seq
            )),
            Change::Repair {
                problem, kept, ..
            } => report.notes.push(format!(
                "seq {}: repaired after damage ({problem}) by {}; damaged copies kept: {}",
                ev.seq,
                ev.by.describe(),
                kept.join(", ")
            )),
            _ => {}
        }
    })?;
    report.events = usize::try_from(scan.events).unwrap_or(usize::MAX);
    report.head = (scan.events > 0).then(|| scan.cur.prev.clone());
    report.broken = scan.broken.clone();
    report.damaged_lines = scan.damaged_lines;
    report.torn = scan.torn;
    if report.broken.is_none() && (scan.events == 0 || first_seq != Some(1)) {
        report.broken = Some(Break {
            seq: 1,
            line: 1,
            offset: 0,
            prev: crate::run::event::GENESIS.to_owned(),
            message: "the journal has no start event".to_owned(),
        });
    }
    match header
        .as_ref()
        .and_then(|h| super::open::snapshot_disagreement(h, &scan))
    {
        Some(super::open::Disagreement::Journal(why)) => {
            report.problems.push(format!("{}: {why}", path.display()))
        }
        Some(super::open::Disagreement::Snapshot(why)) => report.notes.push(format!(
            "{why} (state.toml is a cache; `runsheet repair-state` rebuilds it)"
        )),
        None => {}
    }
    if let Err(e) = rundir.inspect(super::LOCK) {
        report.notes.push(e.to_string());
    }
    check_copies(&rundir, &copies, start_sha.as_deref(), &mut report);
    check_outputs(&rundir, &outputs, &mut report);
    Ok(report)
}

/// The output files the journal records: `command_started` seq → file, and each
/// `command_finished` (its seq, the start it ends, the digest it records).
#[derive(Debug, Default)]
struct Outputs {
    started: BTreeMap<u64, String>,
    finished: Vec<(u64, u64, String)>,
}

/// Each finished command's output file (`outputs/…`, read through the run dir's descriptor, never
/// through a link) against the SHA-256 its `command_finished` event records.
fn check_outputs(rundir: &super::safe::Dir, outputs: &Outputs, report: &mut Report) {
    for (seq, started, recorded) in &outputs.finished {
        let Some(rel) = outputs.started.get(started) else {
            report.problems.push(format!(
                "seq {seq}: a command_finished event for seq {started}, which started no command"
            ));
            continue;
        };
        report.outputs += 1;
        match super::outputs::digest(rundir, rel) {
            Ok((sha, _)) if &sha == recorded => {}
            Ok(_) => report
                .problems
                .push(format!("{rel}: modified (SHA-256 differs from seq {seq})")),
            Err(e) => report
                .problems
                .push(format!("{rel}: {e} (recorded at seq {seq})")),
        }
    }
}

fn check_copies(
    rundir: &super::safe::Dir,
    copies: &[(u64, String)],
    start_sha: Option<&str>,
    report: &mut Report,
) {
    for (seq, sha) in copies {
        let name = if Some(sha.as_str()) == start_sha {
            super::TEMPLATE.to_owned()
        } else {
            format!("template-{}.md", sha.get(..12).unwrap_or(sha))
        };
        match rundir.read_file(&name, super::open::MAX_TEMPLATE) {
            Ok(Some(b)) if &sha256_hex(&b) == sha => {}
            Ok(Some(_)) => report
                .problems
                .push(format!("{name}: modified (SHA-256 differs from seq {seq})")),
            Ok(None) => report
                .problems
                .push(format!("{name}: missing (recorded at seq {seq})")),
            Err(e) => report.problems.push(format!("{name}: {e}")),
        }
    }
}
