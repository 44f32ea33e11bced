//! Appending: the exclusive lock (with who holds it), catching up on other processes' lines with
//! every line checked, refusing to write past damage, and moving a torn tail aside.

use super::OpenRun;
use super::load::load_copy;
use crate::model::Template;
use crate::run::Run;
use crate::run::event::{Actor, Change, Event, sha256_hex};
use crate::run::intent::{self, Intent};
use crate::store::journal::{Cursor, MAX_LINE, Scanner, Torn};
use crate::store::lock::{self, LockGuard};
use crate::store::safe::Access;
use crate::store::snapshot;
use crate::store::{JOURNAL, LOCK, StoreError};
use chrono::{DateTime, FixedOffset};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{FileExt, MetadataExt};

/// Reads a file from an offset with `pread`, leaving the descriptor's own offset alone.
pub(super) struct ReadAt<'a> {
    pub(super) file: &'a File,
    pub(super) pos: u64,
}

impl std::io::Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// What catching up found besides events.
pub(super) struct CaughtUp {
    pub(super) events: Vec<Event>,
    pub(super) torn: Option<Torn>,
}

impl OpenRun {
    /// Checks `intent` against the latest state and appends it: takes the lock, reads what other
    /// processes appended (every line checked), checks, writes one line with one `write` on the
    /// `O_APPEND` journal, `fdatasync`s, releases the lock. Only then is the event returned
    /// (acknowledged). A damaged or read-only run refuses with a non-retryable error.
    pub fn append(
        &mut self,
        intent: &Intent,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, StoreError> {
        self.commit(actor, now, |run, template| {
            Ok(intent::check(run, template, actor, intent)?)
        })
    }

    /// [`OpenRun::append`], also returning the events of other processes it read first (under the
    /// lock, before checking the change) and the `torn_tail` event it wrote, if any, oldest
    /// first: a screen folds those, then ours.
    pub fn append_caught_up(
        &mut self,
        intent: &Intent,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<(Vec<Event>, Event), StoreError> {
        self.commit_caught_up(actor, now, |run, template| {
            Ok(intent::check(run, template, actor, intent)?)
        })
    }

    /// Appends the change `make` builds from the latest state (see [`OpenRun::append`]).
    ///
    /// Under the exclusive lock a partial last line can only have been left by a writer that died
    /// during its write (so it was never acknowledged): it is moved aside to `journal.torn-…`,
    /// a `torn_tail` event records that, and the change follows it.
    pub fn commit(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        make: impl FnOnce(&Run, &Template) -> Result<Change, StoreError>,
    ) -> Result<Event, StoreError> {
        self.commit_caught_up(actor, now, make).map(|(_, ev)| ev)
    }

    /// [`OpenRun::commit`], also returning what it caught up on (see
    /// [`OpenRun::append_caught_up`]).
    pub fn commit_caught_up(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        make: impl FnOnce(&Run, &Template) -> Result<Change, StoreError>,
    ) -> Result<(Vec<Event>, Event), StoreError> {
        if let Some(e) = self.refusal() {
            return Err(e);
        }
        let guard = self.lock()?;
        let journal = self.journal_for_append()?;
        let caught = self.catch_up(&journal, true)?;
        let mut seen = caught.events;
        if let Some(t) = caught.torn {
            seen.push(self.move_torn_aside(&journal, t, actor, now)?);
        }
        if let Some(e) = self.refusal() {
            return Err(e);
        }
        let change = make(&self.run, &self.template)?;
        let event = self.write_event(&journal, actor, now, change)?;
        drop(guard);
        Ok((seen, event))
    }

    /// Takes the run's exclusive lock (opening, or creating, `lock` without following a link).
    pub(super) fn lock(&mut self) -> Result<LockGuard, StoreError> {
        let path = self.rundir.join(LOCK);
        if self.lock_file.is_none() {
            let f = match self.rundir.open_file(LOCK, Access::ReadWrite)? {
                Some(f) => f,
                None => match self.rundir.create_empty(LOCK) {
                    Ok(f) => f,
                    Err(StoreError::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::AlreadyExists =>
                    {
                        self.rundir
                            .open_file(LOCK, Access::ReadWrite)?
                            .ok_or_else(|| StoreError::io("opening", &path)(source))?
                    }
                    Err(e) => return Err(e),
                },
            };
            self.lock_file = Some(f);
        }
        match &self.lock_file {
            Some(f) => lock::exclusive(f, &path),
            None => Err(StoreError::Invalid(format!("{}: not open", path.display()))),
        }
    }

    pub(super) fn journal_for_append(&self) -> Result<File, StoreError> {
        self.rundir
            .open_file(JOURNAL, Access::Append)?
            .ok_or_else(|| StoreError::Rewritten {
                path: self.journal_path(),
                message: "was removed while the run was open".to_owned(),
            })
    }

    /// Every complete event of the journal that checks, from the start (for reports and
    /// timelines), streamed from the file.
    pub fn events(&self) -> Result<Vec<Event>, StoreError> {
        let f = super::load::open_journal(&self.rundir)?;
        let mut scan = Scanner::new(&self.journal_path(), Cursor::start());
        let mut out = Vec::new();
        scan.feed(&f, |e, _| out.push(e))?;
        Ok(out)
    }

    /// Reads events other processes appended since the last read, applies them, and returns them.
    /// A partial last line is left for the next call (its writer may still be writing it). Damage
    /// in the new lines makes the run read-only (see [`OpenRun::refusal`]).
    pub fn read_new_events(&mut self) -> Result<Vec<Event>, StoreError> {
        let f = super::load::open_journal(&self.rundir)?;
        Ok(self.catch_up(&f, false)?.events)
    }

    /// Reads and folds what was appended after the cursor. Under the lock (`locked`), damage is an
    /// error; a torn tail is returned for the caller to move aside.
    pub(super) fn catch_up(&mut self, f: &File, locked: bool) -> Result<CaughtUp, StoreError> {
        let path = self.journal_path();
        let meta = f
            .metadata()
            .map_err(StoreError::io("reading metadata of", &path))?;
        if (meta.dev(), meta.ino()) != self.journal_id {
            let why = "was replaced by another file since the run was opened".to_owned();
            self.rewritten = Some(why.clone());
            return Err(StoreError::Rewritten { path, message: why });
        }
        let len = meta.len();
        if len < self.cursor.offset {
            let why = format!(
                "is {len} bytes, shorter than the {} already read: it was truncated or replaced",
                self.cursor.offset
            );
            self.rewritten = Some(why.clone());
            return Err(StoreError::Rewritten { path, message: why });
        }
        if len == self.cursor.offset {
            self.torn = None;
            return Ok(CaughtUp {
                events: Vec::new(),
                torn: None,
            });
        }
        let mut scan = Scanner::new(&path, self.cursor.clone());
        let mut events = Vec::new();
        let from = ReadAt {
            file: f,
            pos: self.cursor.offset,
        };
        scan.feed(
            std::io::Read::take(from, len - self.cursor.offset),
            |e, _| events.push(e),
        )?;
        self.cursor = scan.cur.clone();
        self.torn = scan.torn;
        if self.broken.is_none() {
            self.broken = scan.broken.clone();
        }
        self.damaged_lines += scan.damaged_lines;
        let base = self.run.base_sha256.clone();
        for ev in &events {
            self.run.apply(ev);
        }
        if self.run.base_sha256 != base {
            let mut w = Vec::new();
            self.template = load_copy(&self.rundir, &self.run, &mut w)?;
            self.warnings.extend(w);
        }
        if locked && let Some(e) = self.refusal() {
            return Err(e);
        }
        Ok(CaughtUp {
            events,
            torn: scan.torn,
        })
    }

    /// Moves a torn last line (under the lock) to `journal.torn-<offset>` (a unique name), cuts it
    /// off the journal and records a `torn_tail` event. On failure the journal is as it was and
    /// no copy is left behind.
    pub(super) fn move_torn_aside(
        &mut self,
        journal: &File,
        t: Torn,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, StoreError> {
        let path = self.journal_path();
        let len = usize::try_from(t.len).unwrap_or(usize::MAX).min(MAX_LINE);
        let mut bytes = vec![0u8; len];
        journal
            .read_exact_at(&mut bytes, t.offset)
            .map_err(StoreError::io("reading", &path))?;
        let name = self
            .rundir
            .create_unique(&format!("journal.torn-{}", t.offset), &bytes)?;
        if let Err(e) = journal.set_len(t.offset).and_then(|()| journal.sync_all()) {
            let _ = self.rundir.remove(&name);
            return Err(StoreError::io("truncating", &path)(e));
        }
        self.torn = None;
        let change = Change::TornTail {
            offset: t.offset,
            len: t.len,
            kept_as: name.clone(),
            sha256: sha256_hex(&bytes),
        };
        match self.write_event(journal, actor, now, change) {
            Ok(ev) => Ok(ev),
            Err(e) => {
                // Not recorded (a full disk?): put the bytes back where they were (the space was
                // just freed) and drop the copy, so nothing is half done.
                let mut w = journal;
                if w.write_all(&bytes)
                    .and_then(|()| journal.sync_data())
                    .is_ok()
                {
                    let _ = self.rundir.remove(&name);
                    self.torn = Some(t);
                }
                Err(e)
            }
        }
    }

    /// Seals `change` after the chain's head and writes it with one `write`, then `fdatasync`
    /// (call under the lock, caught up). A short or failed write is cut off again.
    pub(super) fn write_event(
        &mut self,
        journal: &File,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        change: Change,
    ) -> Result<Event, StoreError> {
        let path = self.journal_path();
        let (event, line) = Event::seal(
            self.cursor.next_seq,
            now,
            actor.clone(),
            change,
            &self.cursor.prev,
        )
        .map_err(|e| StoreError::Invalid(format!("serialising an event: {e}")))?;
        let before = self.cursor.offset;
        let mut w = journal;
        match w.write(line.as_bytes()) {
            Ok(n) if n == line.len() => {}
            Ok(n) => {
                let _ = journal.set_len(before);
                return Err(StoreError::io("appending to", &path)(
                    std::io::Error::other(format!(
                        "short write ({n} of {} bytes), undone",
                        line.len()
                    )),
                ));
            }
            Err(e) => {
                let _ = journal.set_len(before);
                return Err(StoreError::io("appending to", &path)(e));
            }
        }
        journal
            .sync_data()
            .map_err(StoreError::io("syncing", &path))?;
        self.cursor.offset += line.len() as u64;
        self.cursor.line += 1;
        self.cursor.next_seq = event.seq + 1;
        self.cursor.prev.clone_from(&event.hash);
        let base = self.run.base_sha256.clone();
        self.run.apply(&event);
        if self.run.base_sha256 != base {
            let mut w = Vec::new();
            self.template = load_copy(&self.rundir, &self.run, &mut w)?;
            self.warnings.extend(w);
        }
        Ok(event)
    }

    /// Rewrites `state.toml` (under the lock) unless it is damaged, newer, ahead of the journal,
    /// the run is damaged, or it is already as recent. Returns whether it was written.
    pub fn save_snapshot(&mut self) -> Result<bool, StoreError> {
        if matches!(
            self.snapshot,
            super::SnapshotState::Damaged(_)
                | super::SnapshotState::Newer(_)
                | super::SnapshotState::Ahead(_)
        ) || self.refusal().is_some()
        {
            return Ok(false);
        }
        let _guard = self.lock()?;
        let journal = super::load::open_journal(&self.rundir)?;
        self.catch_up(&journal, false)?;
        if self.refusal().is_some() {
            return Ok(false);
        }
        if snapshot::peek(&self.rundir) == Some((self.run.seq, self.run.head.clone())) {
            return Ok(false);
        }
        self.rundir.remove_stale_temps();
        snapshot::save(&self.rundir, &self.run, self.cursor.offset)?;
        self.snapshot = super::SnapshotState::Used;
        Ok(true)
    }
}
