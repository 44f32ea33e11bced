//! Moving whole runs: `push` copies a local run (its whole chain, verified first) to the shared
//! store; `export` writes a shared run out as a local run dir, byte for byte what the file store
//! writes, so `runsheet verify` checks it offline.

use super::SharedStore;
use super::line::{self, import_intent_id};
use super::run::SharedRun;
use crate::pg::error::SharedError;
use crate::run::Run;
use crate::run::event::{Change, Event, GENESIS, sha256_hex};
use crate::store::open::copy_name;
use crate::store::safe::Dir;
use crate::store::{JOURNAL, LOCK, snapshot, verify};
use std::path::{Path, PathBuf};

/// Rows per insert statement when pushing.
const CHUNK: usize = 1000;

/// What `push` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// Run id.
    pub run_id: String,
    /// Events in the chain.
    pub events: usize,
    /// Head hash.
    pub head: String,
    /// Team the run went to.
    pub team: String,
    /// The shared store already had exactly this chain: nothing was written.
    pub already: bool,
}

/// What `export` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The run dir written.
    pub dir: PathBuf,
    /// Events.
    pub events: usize,
    /// Head hash.
    pub head: String,
}

/// The template copies a chain refers to: (file name in the run dir, SHA-256).
fn copies(events: &[Event]) -> Vec<(String, String)> {
    let mut run: Option<Run> = None;
    let mut out: Vec<(String, String)> = Vec::new();
    for ev in events {
        let sha = match &ev.change {
            Change::Start {
                template_sha256, ..
            } => Some(template_sha256.clone()),
            Change::Rebase { to_sha256, .. } => Some(to_sha256.clone()),
            _ => None,
        };
        match &mut run {
            None => run = Run::from_start(ev).ok(),
            Some(r) => r.apply(ev),
        }
        if let (Some(sha), Some(r)) = (sha, &run)
            && !out.iter().any(|(_, s)| *s == sha)
        {
            out.push((copy_name(r, &sha), sha));
        }
    }
    out
}

impl SharedStore {
    /// Copies the local run in `dir` to the shared store: verified first (the whole chain, the
    /// template copies), then its templates and every line in one transaction. Pushing the same
    /// chain again does nothing; a shared copy that differs is refused.
    pub fn push(&mut self, dir: &Path, team: Option<&str>) -> Result<PushReport, SharedError> {
        self.session.ensure_writable()?;
        let report = verify::verify(dir)?;
        let journal = dir.join(JOURNAL);
        if let Some(b) = &report.broken {
            return Err(SharedError::Invalid(format!(
                "{}:{}: the chain breaks at seq {} ({}): push refused; `runsheet verify` shows the details",
                journal.display(),
                b.line,
                b.seq,
                b.message
            )));
        }
        if let Some(p) = report.problems.first() {
            return Err(SharedError::Invalid(format!(
                "{}: {p}: push refused",
                dir.display()
            )));
        }
        if let Some(t) = report.torn {
            return Err(SharedError::Invalid(format!(
                "{}: ends with a partial line (line {}): run `runsheet repair-journal` first, then push",
                journal.display(),
                t.line
            )));
        }
        let bytes = std::fs::read(&journal).map_err(SharedError::io("reading", &journal))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| SharedError::Invalid(format!("{}: not UTF-8", journal.display())))?;
        let lines: Vec<&str> = text.lines().collect();
        let mut events = Vec::with_capacity(lines.len());
        let mut prev = GENESIS.to_owned();
        for (i, l) in lines.iter().enumerate() {
            let ev = line::check("(local)", i as u64 + 1, &prev, l)?;
            prev.clone_from(&ev.hash);
            events.push(ev);
        }
        let run_id = match events.first().map(|e| &e.change) {
            Some(Change::Start { run_id, .. }) => run_id.clone(),
            _ => {
                return Err(SharedError::Invalid(format!(
                    "{}: does not start with a start event",
                    journal.display()
                )));
            }
        };
        let mut templates = Vec::new();
        for (name, sha) in copies(&events) {
            let path = dir.join(&name);
            let body = std::fs::read(&path).map_err(SharedError::io("reading", &path))?;
            if sha256_hex(&body) != sha {
                return Err(SharedError::Invalid(format!(
                    "{}: modified (its SHA-256 is not {sha}): push refused",
                    path.display()
                )));
            }
            templates.push((sha, body));
        }
        let team = self.pick_team(team)?;
        let role = self.session.role().to_owned();

        let existing = self.session.client()?.query(
            "SELECT hash FROM runsheet.events WHERE run_id = $1 ORDER BY seq",
            &[&run_id],
        );
        let existing: Vec<String> = existing
            .map_err(|e| self.session.fail(e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let head = prev;
        if !existing.is_empty() {
            let local: Vec<&str> = events.iter().map(|e| e.hash.as_str()).collect();
            let common = existing
                .iter()
                .zip(&local)
                .take_while(|(a, b)| a.as_str() == **b)
                .count();
            return if common == local.len() && common == existing.len() {
                Ok(PushReport {
                    run_id,
                    events: local.len(),
                    head,
                    team,
                    already: true,
                })
            } else if common == existing.len() {
                Err(SharedError::Invalid(format!(
                    "run {run_id} was pushed before with {} events; the local copy has {} now. \
                     Changes after a push are made on the shared store: the shared copy is left as it is",
                    existing.len(),
                    local.len()
                )))
            } else if common == local.len() {
                Err(SharedError::Invalid(format!(
                    "run {run_id} on the shared store is ahead ({} events; the local copy has {}): nothing to push",
                    existing.len(),
                    local.len()
                )))
            } else {
                Err(SharedError::Diverged(format!(
                    "run {run_id}: the shared copy and the local copy differ from seq {}: push refused",
                    common + 1
                )))
            };
        }

        let client = self.session.client()?;
        let r = (|| -> Result<(), postgres::Error> {
            let mut tx = client.transaction()?;
            tx.execute(
                "INSERT INTO runsheet.runs (run_id, team) VALUES ($1, $2::text::name)",
                &[&run_id, &team],
            )?;
            for (sha, body) in &templates {
                tx.execute(
                    "INSERT INTO runsheet.templates (run_id, sha256, body) VALUES ($1, $2, $3)",
                    &[&run_id, sha, body],
                )?;
            }
            for (chunk_no, chunk) in events.chunks(CHUNK).enumerate() {
                let base = chunk_no * CHUNK;
                let seqs: Vec<i64> = chunk
                    .iter()
                    .map(|e| i64::try_from(e.seq).unwrap_or(i64::MAX))
                    .collect();
                let prevs: Vec<&str> = chunk.iter().map(|e| e.prev.as_str()).collect();
                let hashes: Vec<&str> = chunk.iter().map(|e| e.hash.as_str()).collect();
                let texts: Vec<&str> = lines[base..base + chunk.len()].to_vec();
                let ids: Vec<String> = chunk.iter().map(|e| import_intent_id(&e.hash)).collect();
                tx.execute(
                    "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id, imported) \
                     SELECT $1, s, p, h, l, i::uuid, true \
                     FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(s, p, h, l, i) \
                     ORDER BY s",
                    &[&run_id, &seqs, &prevs, &hashes, &texts, &ids],
                )?;
            }
            tx.commit()
        })();
        match r {
            Ok(()) => Ok(PushReport {
                run_id,
                events: events.len(),
                head,
                team,
                already: false,
            }),
            Err(e)
                if e.as_db_error()
                    .is_some_and(|d| d.constraint() == Some("runs_pkey")) =>
            {
                Err(SharedError::Invalid(format!(
                    "a run with the id {run_id} already exists on the shared store (one this role cannot see): push refused"
                )))
            }
            Err(e) => {
                let err = self.session.fail(e);
                Err(super::run::explain_forbidden(
                    err,
                    &run_id,
                    &role,
                    Some(&team),
                ))
            }
        }
    }
}

impl SharedRun {
    /// Writes the run as a local run dir at `dest` (which must not exist): the template copies,
    /// `journal.jsonl` (the lines exactly as stored, one per line), the lock file and `state.toml`,
    /// all durable before the directory appears under its name.
    pub fn export_to(&mut self, dest: &Path) -> Result<ExportReport, SharedError> {
        if dest.exists() {
            return Err(SharedError::Invalid(format!(
                "{} exists: export writes a new run dir (give another -o DIR)",
                dest.display()
            )));
        }
        let shared = self.shared_events(0)?;
        let events: Vec<Event> = shared.iter().map(|s| s.event.clone()).collect();
        let mut journal = String::new();
        for s in &shared {
            journal.push_str(&s.line);
            journal.push('\n');
        }
        let mut run: Option<Run> = None;
        for ev in &events {
            match &mut run {
                None => {
                    run = Some(Run::from_start(ev).map_err(|e| SharedError::Corrupt {
                        run_id: self.run.id.clone(),
                        seq: ev.seq,
                        message: e.to_string(),
                    })?)
                }
                Some(r) => r.apply(ev),
            }
        }
        let run = run.ok_or_else(|| SharedError::Invalid("the run has no events".to_owned()))?;
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = dest
            .file_name()
            .map_or_else(|| run.id.clone(), |n| n.to_string_lossy().into_owned());
        // The parent is opened by descriptor and checked like a data root; the run dir is built
        // inside it (every file O_EXCL, fsync'd), then renamed into place without replacing
        // anything, as `start` builds a run.
        let parent_dir = Dir::root(parent, true)?
            .ok_or_else(|| SharedError::Invalid(format!("{}: cannot create", parent.display())))?;
        let tmp_name = format!(".export-{name}-{}", &line::new_intent_id()[..8]);
        let tmp = parent_dir.create_child(&tmp_name, true)?;
        let written = (|| -> Result<(), SharedError> {
            for (file, sha) in copies(&events) {
                let body = self.template_bytes(&sha)?;
                tmp.create_file(&file, &body)?;
            }
            tmp.create_file(JOURNAL, journal.as_bytes())?;
            tmp.create_file(LOCK, b"")?;
            snapshot::save(&tmp, &run, journal.len() as u64)?;
            tmp.sync()?;
            if !parent_dir.rename_new(&tmp_name, &name)? {
                return Err(SharedError::Invalid(format!(
                    "{} exists: export writes a new run dir (give another -o DIR)",
                    dest.display()
                )));
            }
            parent_dir.sync()?;
            Ok(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(parent_dir.join(&tmp_name));
            return Err(e);
        }
        Ok(ExportReport {
            dir: dest.to_owned(),
            events: events.len(),
            head: run.head,
        })
    }
}
