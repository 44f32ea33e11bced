//! The durable local outbox: changes made while the shared store is unreachable wait here, in
//! order, until the link is back. They are never acknowledged as shared before then.
//!
//! One JSON file per run, `<data root>/outbox/<store key>/<run id>.json`, rewritten atomically
//! (temp file, fsync, rename, fsync dir) at every change, 0600 in a 0700 directory. Changes the
//! server refused when they were finally sent move to `<run id>.refused.json`, with the reason.

use super::error::SharedError;
use crate::run::event::{Actor, rfc3339};
use crate::run::intent::Intent;
use crate::store::fsutil;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Outbox file format version.
pub const FORMAT: u32 = 1;

/// A change waiting for the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The intent id it will be sent with (every resend uses it: a resend is harmless).
    pub intent_id: String,
    /// What the operator asked for.
    #[serde(with = "crate::run::intent::wire")]
    pub intent: Intent,
    /// For an undo: the `seq` it meant (the operator's last shared change when they asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo_target: Option<u64>,
    /// Who.
    pub by: Actor,
    /// When the operator made the change (the event's `at`).
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// The run's `seq` the operator saw.
    pub based_on_seq: u64,
    /// Why it waits (the error that sent it here).
    pub why: String,
}

/// A change the server refused when it was finally sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// The change.
    pub pending: Pending,
    /// Why it was refused (e.g. “signed meanwhile by …”).
    pub reason: String,
    /// When.
    #[serde(with = "rfc3339")]
    pub refused_at: DateTime<FixedOffset>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    format: u32,
    store: String,
    run_id: String,
    pending: Vec<Pending>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RefusedFile {
    format: u32,
    run_id: String,
    refused: Vec<Refused>,
}

/// The outbox of one run on one store.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    run_id: String,
    file: File,
}

impl Outbox {
    /// Opens (reading what is waiting) the outbox of `run_id` under `root/<store_key>/`.
    /// A damaged file is an error naming it, never silently dropped.
    pub fn open(
        root: &Path,
        store_key: &str,
        target: &str,
        run_id: &str,
    ) -> Result<Outbox, SharedError> {
        let dir = root.join(store_key);
        let path = dir.join(format!("{run_id}.json"));
        let file = match std::fs::read(&path) {
            Ok(bytes) => {
                let f: File = serde_json::from_slice(&bytes).map_err(|e| {
                    SharedError::Invalid(format!(
                        "{}:{}:{}: the outbox is damaged ({e}); it holds changes not shared yet: \
                         move it aside and re-enter them",
                        path.display(),
                        e.line(),
                        e.column()
                    ))
                })?;
                if f.format > FORMAT {
                    return Err(SharedError::Invalid(format!(
                        "{}: outbox format {} is newer than this runsheet's {FORMAT}: upgrade runsheet",
                        path.display(),
                        f.format
                    )));
                }
                f
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File {
                format: FORMAT,
                store: target.to_owned(),
                run_id: run_id.to_owned(),
                pending: Vec::new(),
            },
            Err(e) => return Err(SharedError::io("reading", &path)(e)),
        };
        Ok(Outbox {
            dir,
            run_id: run_id.to_owned(),
            file,
        })
    }

    /// The pending file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.run_id))
    }

    /// The refused file's path.
    pub fn refused_path(&self) -> PathBuf {
        self.dir.join(format!("{}.refused.json", self.run_id))
    }

    /// Changes not shared yet, oldest first.
    pub fn pending(&self) -> &[Pending] {
        &self.file.pending
    }

    /// How many changes are not shared yet.
    pub fn len(&self) -> usize {
        self.file.pending.len()
    }

    /// Nothing waits.
    pub fn is_empty(&self) -> bool {
        self.file.pending.is_empty()
    }

    /// Adds a change at the end; durable when this returns.
    pub fn push(&mut self, p: Pending) -> Result<(), SharedError> {
        self.file.pending.push(p);
        if let Err(e) = self.save() {
            self.file.pending.pop();
            return Err(e);
        }
        Ok(())
    }

    /// Removes the oldest change (it is shared now); durable when this returns.
    pub fn remove_first(&mut self) -> Result<Option<Pending>, SharedError> {
        if self.file.pending.is_empty() {
            return Ok(None);
        }
        let p = self.file.pending.remove(0);
        if let Err(e) = self.save() {
            self.file.pending.insert(0, p);
            return Err(e);
        }
        Ok(Some(p))
    }

    /// Moves the oldest change to the refused file with `reason` (written there first, then
    /// removed from the pending file: a crash in between leaves it in both, never in neither).
    pub fn refuse_first(
        &mut self,
        reason: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<Refused>, SharedError> {
        let Some(p) = self.file.pending.first().cloned() else {
            return Ok(None);
        };
        let mut refused = self.refused()?;
        let r = Refused {
            pending: p,
            reason: reason.to_owned(),
            refused_at: now,
        };
        refused.push(r.clone());
        let body = RefusedFile {
            format: FORMAT,
            run_id: self.run_id.clone(),
            refused,
        };
        self.write(&format!("{}.refused.json", self.run_id), &body)?;
        self.remove_first()?;
        Ok(Some(r))
    }

    /// Removes the last pending change made by `actor` (an undo of a change never shared).
    pub fn cancel_last_of(&mut self, actor: &Actor) -> Result<Option<Pending>, SharedError> {
        let Some(i) = self
            .file
            .pending
            .iter()
            .rposition(|p| p.by.same_operator(actor) && !matches!(p.intent, Intent::Undo))
        else {
            return Ok(None);
        };
        let p = self.file.pending.remove(i);
        if let Err(e) = self.save() {
            self.file.pending.insert(i, p);
            return Err(e);
        }
        Ok(Some(p))
    }

    /// Changes refused so far (kept for the record).
    pub fn refused(&self) -> Result<Vec<Refused>, SharedError> {
        let path = self.refused_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<RefusedFile>(&bytes)
                .map(|f| f.refused)
                .map_err(|e| SharedError::Invalid(format!("{}: damaged: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(SharedError::io("reading", &path)(e)),
        }
    }

    fn save(&self) -> Result<(), SharedError> {
        let name = format!("{}.json", self.run_id);
        if self.file.pending.is_empty() {
            let path = self.path();
            match std::fs::remove_file(&path) {
                Ok(()) => fsutil::sync_dir(&self.dir)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(SharedError::io("removing", &path)(e)),
            }
            return Ok(());
        }
        self.write(&name, &self.file)
    }

    fn write(&self, name: &str, body: &impl Serialize) -> Result<(), SharedError> {
        fsutil::create_private_dir_all(&self.dir)?;
        let mut bytes = serde_json::to_vec_pretty(body)
            .map_err(|e| SharedError::Invalid(format!("serialising the outbox: {e}")))?;
        bytes.push(b'\n');
        fsutil::atomic_replace(&self.dir, name, &bytes)?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::ItemId;
    use std::os::unix::fs::PermissionsExt;

    fn pending(n: u32, name: &str) -> Pending {
        Pending {
            intent_id: format!("00000000-0000-4000-8000-{n:012}"),
            intent: Intent::Note {
                item: ItemId("a-1".into()),
                text: format!("note {n}"),
            },
            undo_target: None,
            by: Actor {
                user: "ops".into(),
                host: "h".into(),
                name: name.into(),
            },
            at: DateTime::parse_from_rfc3339("2026-11-23T21:00:00+01:00").unwrap(),
            based_on_seq: 3,
            why: "cannot reach".into(),
        }
    }

    #[test]
    fn pending_changes_survive_a_reopen_in_order_in_a_private_file() {
        let root = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(root.path(), "k", "db/x", "run-1").unwrap();
        assert!(o.is_empty());
        o.push(pending(1, "A")).unwrap();
        o.push(pending(2, "B")).unwrap();
        o.push(pending(3, "A")).unwrap();
        let mode = std::fs::metadata(o.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(root.path().join("k"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dmode, 0o700);
        let mut again = Outbox::open(root.path(), "k", "db/x", "run-1").unwrap();
        assert_eq!(again.pending(), o.pending());
        let a = again.cancel_last_of(&pending(0, "A").by).unwrap().unwrap();
        assert_eq!(a.intent_id, pending(3, "A").intent_id);
        assert_eq!(
            again.remove_first().unwrap().unwrap().intent_id,
            pending(1, "A").intent_id
        );
        let r = again
            .refuse_first("signed meanwhile", pending(0, "x").at)
            .unwrap()
            .unwrap();
        assert_eq!(r.pending.intent_id, pending(2, "B").intent_id);
        assert!(again.is_empty());
        assert!(!again.path().exists(), "an empty outbox leaves no file");
        let refused = Outbox::open(root.path(), "k", "db/x", "run-1")
            .unwrap()
            .refused()
            .unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].reason, "signed meanwhile");
    }

    #[test]
    fn a_damaged_outbox_is_an_error_naming_the_file() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("k")).unwrap();
        std::fs::write(root.path().join("k/run-1.json"), b"{ not json").unwrap();
        let e = Outbox::open(root.path(), "k", "t", "run-1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("run-1.json") && e.contains("damaged"), "{e}");
    }
}
