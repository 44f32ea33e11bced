//! An open run: loaded from snapshot + journal, appended to under the lock, tailing other processes.

mod repair;

use super::fsutil::{self, LockGuard};
use super::journal::{self, Break, Cursor, Torn};
use super::snapshot::{self, Loaded};
use super::{JOURNAL, LOCK, StoreError, TEMPLATE};
use crate::model::Template;
use crate::run::event::{Actor, Change, Event, sha256_hex};
use crate::run::intent::{self, Intent};
use crate::run::{Run, SCHEMA_VERSION};
use crate::template;
use chrono::{DateTime, FixedOffset};
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// How `state.toml` was found when the run was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotState {
    /// Used: it agreed with the journal.
    Used,
    /// Agreed with the journal, but replaying the journal was cheaper.
    Checked,
    /// Absent.
    Missing,
    /// Readable but behind or disagreeing with the journal: ignored, rewritten at the next save.
    Stale(String),
    /// Older schema: ignored, rewritten (migrated) at the next save.
    Older(u32),
    /// Newer schema: read-only.
    Newer(u32),
    /// Damaged or edited by hand: ignored and left untouched until `repair-state`.
    Damaged(String),
}

/// Whether loading starts from `state.toml` or replays the whole journal. The snapshot's header
/// and checksum are checked either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadPolicy {
    /// From the snapshot when parsing it is cheaper than replaying what it covers (TOML parses
    /// about 4× slower per byte than the journal replays, so: when it is under a quarter the size).
    Auto,
    /// From the snapshot whenever it agrees with the journal.
    PreferSnapshot,
    /// Replay the journal from the start.
    JournalOnly,
}

/// The original template file compared with the one the run follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Unchanged.
    None,
    /// Changed since the run started (or last re-based).
    Changed {
        /// SHA-256 the run follows.
        old: String,
        /// SHA-256 of the file now.
        new: String,
    },
    /// Not readable at its recorded path.
    Missing(String),
}

/// A run loaded from its directory.
#[derive(Debug)]
pub struct OpenRun {
    /// The run directory.
    pub dir: PathBuf,
    /// The fold.
    pub run: Run,
    /// The template the run follows (its copy in the run dir).
    pub template: Template,
    /// Where reading the journal continues.
    cursor: Cursor,
    /// A partial last line seen when opening.
    pub torn: Option<Torn>,
    /// First chain problem seen while loading, if any (`verify` gives the full picture).
    pub broken: Option<Break>,
    /// State of `state.toml` at open.
    pub snapshot: SnapshotState,
    /// Set when a newer runsheet wrote the run: changes are refused.
    pub read_only: Option<(PathBuf, u32)>,
    /// Other things the operator should know (unreadable lines, a modified template copy).
    pub warnings: Vec<String>,
    lock_file: File,
}

impl OpenRun {
    /// Path of the journal.
    pub fn journal_path(&self) -> PathBuf {
        self.dir.join(JOURNAL)
    }

    /// Loads a run: `state.toml` if it agrees with the journal, plus the events after it; otherwise
    /// the whole journal. Never writes anything.
    pub fn open(dir: &Path) -> Result<OpenRun, StoreError> {
        OpenRun::open_with(dir, LoadPolicy::Auto)
    }

    /// [`OpenRun::open`] with a choice of how to use `state.toml`.
    pub fn open_with(dir: &Path, policy: LoadPolicy) -> Result<OpenRun, StoreError> {
        OpenRun::open_inner(dir, policy, None)
    }

    /// [`OpenRun::open`] for a run just created from `template` (already parsed from the bytes the
    /// run dir holds, so it is not parsed again).
    pub(crate) fn open_created(dir: &Path, template: Template) -> Result<OpenRun, StoreError> {
        OpenRun::open_inner(dir, LoadPolicy::JournalOnly, Some(template))
    }

    fn open_inner(
        dir: &Path,
        policy: LoadPolicy,
        parsed: Option<Template>,
    ) -> Result<OpenRun, StoreError> {
        let lock_path = dir.join(LOCK);
        let lock_file = match fsutil::open_append(&lock_path) {
            Ok(f) => f,
            Err(_) => File::open(&lock_path).map_err(StoreError::io("opening", &lock_path))?,
        };
        let journal_path = dir.join(JOURNAL);
        let (bytes, loaded) = {
            let _shared = fsutil::lock(&lock_file, &lock_path, false)?;
            let bytes =
                fs::read(&journal_path).map_err(StoreError::io("reading", &journal_path))?;
            (bytes, snapshot::load(dir))
        };
        let mut warnings = Vec::new();
        let mut snap_state = SnapshotState::Missing;
        let mut start: Option<(Run, Cursor)> = None;
        match loaded {
            Loaded::Missing => {}
            Loaded::Older(v) => snap_state = SnapshotState::Older(v),
            Loaded::Newer(v) => snap_state = SnapshotState::Newer(v),
            Loaded::Damaged(e) => snap_state = SnapshotState::Damaged(e.to_string()),
            Loaded::Ok(snap) => match snapshot_cursor(&bytes, &snap.header) {
                Ok(cur) => {
                    let worth = match policy {
                        LoadPolicy::Auto => {
                            snap.size.saturating_mul(4) <= snap.header.journal_bytes
                        }
                        LoadPolicy::PreferSnapshot => true,
                        LoadPolicy::JournalOnly => false,
                    };
                    if worth {
                        match snap.run(&dir.join(snapshot::FILE)) {
                            Ok(run) => {
                                snap_state = SnapshotState::Used;
                                start = Some((run, cur));
                            }
                            Err(e) => snap_state = SnapshotState::Damaged(e.to_string()),
                        }
                    } else {
                        snap_state = SnapshotState::Checked;
                    }
                }
                Err(why) => snap_state = SnapshotState::Stale(why),
            },
        }
        let (mut run, mut cursor, scan) = match start {
            Some((run, mut cur)) => {
                let offset = usize::try_from(cur.offset)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                let scan = journal::scan(&journal_path, &bytes[offset..], &mut cur, true);
                (Some(run), cur, scan)
            }
            None => {
                // Links (seq, prev) are checked here; recomputing every hash is `verify`'s job.
                let mut cur = Cursor::start();
                let scan = journal::scan(&journal_path, &bytes, &mut cur, false);
                (None, cur, scan)
            }
        };
        let mut events = scan.events.iter();
        if run.is_none() {
            let first = events.next().ok_or_else(|| StoreError::Parse {
                path: journal_path.clone(),
                line: 1,
                column: 1,
                message: "the journal has no complete event".to_owned(),
            })?;
            run = Some(Run::from_start(first).map_err(|e| StoreError::Parse {
                path: journal_path.clone(),
                line: 1,
                column: 1,
                message: e.to_string(),
            })?);
        }
        let Some(mut run) = run else {
            return Err(StoreError::Invalid("unreachable: no run".to_owned()));
        };
        for ev in events {
            run.apply(ev);
        }
        for e in &scan.unreadable {
            warnings.push(format!("skipped an unreadable event: {e}"));
        }
        if let Some(b) = &scan.broken {
            warnings.push(format!(
                "{}:{}: the hash chain breaks at seq {}: {}; run `runsheet verify`",
                journal_path.display(),
                b.line,
                b.seq,
                b.message
            ));
        }
        if let Some(t) = &scan.torn {
            warnings.push(
                StoreError::TornTail {
                    path: journal_path.clone(),
                    offset: t.offset,
                    len: t.len,
                    line: t.line,
                }
                .to_string(),
            );
        }
        let mut read_only = None;
        if run.schema_version > SCHEMA_VERSION {
            read_only = Some((journal_path.clone(), run.schema_version));
        } else if let SnapshotState::Newer(v) = snap_state {
            read_only = Some((dir.join(snapshot::FILE), v));
        }
        if let Some((path, found)) = &read_only {
            warnings.push(
                StoreError::ReadOnly {
                    path: path.clone(),
                    found: *found,
                    supported: SCHEMA_VERSION,
                }
                .to_string(),
            );
        }
        cursor.offset = cursor.offset.min(bytes.len() as u64);
        let template = match parsed {
            Some(t) => t,
            None => load_copy(dir, &run, &mut warnings)?,
        };
        Ok(OpenRun {
            dir: dir.to_owned(),
            run,
            template,
            cursor,
            torn: scan.torn,
            broken: scan.broken,
            snapshot: snap_state,
            read_only,
            warnings,
            lock_file,
        })
    }

    /// Checks `intent` against the latest state and appends it: takes the lock, reads what other
    /// processes appended, checks, writes one line with one `write` on the `O_APPEND` journal,
    /// `fdatasync`s, releases the lock. Only then is the event returned (acknowledged).
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

    /// Appends the change `make` builds from the latest state (see [`OpenRun::append`]).
    pub fn commit(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        make: impl FnOnce(&Run, &Template) -> Result<Change, StoreError>,
    ) -> Result<Event, StoreError> {
        if let Some((path, found)) = &self.read_only {
            return Err(StoreError::ReadOnly {
                path: path.clone(),
                found: *found,
                supported: SCHEMA_VERSION,
            });
        }
        let path = self.journal_path();
        let mut journal = fsutil::open_append(&path)?;
        let lock_path = self.dir.join(LOCK);
        let guard = fsutil::lock(&self.lock_file, &lock_path, true)?;
        self.catch_up(&mut journal, true)?;
        let change = make(&self.run, &self.template)?;
        let (event, line) =
            Event::seal(self.run.seq + 1, now, actor.clone(), change, &self.run.head)
                .map_err(|e| StoreError::Invalid(format!("serialising an event: {e}")))?;
        let before = self.cursor.offset;
        match journal.write(line.as_bytes()) {
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
        drop(guard);
        self.cursor.offset += line.len() as u64;
        self.cursor.line += 1;
        self.cursor.next_seq = event.seq + 1;
        self.cursor.prev.clone_from(&event.hash);
        let base = self.run.base_sha256.clone();
        self.run.apply(&event);
        if self.run.base_sha256 != base {
            let mut w = Vec::new();
            self.template = load_copy(&self.dir, &self.run, &mut w)?;
            self.warnings.extend(w);
        }
        Ok(event)
    }

    /// Every complete event of the journal, from the start (for reports and timelines).
    pub fn events(&self) -> Result<Vec<Event>, StoreError> {
        let path = self.journal_path();
        let bytes = fs::read(&path).map_err(StoreError::io("reading", &path))?;
        let mut cur = Cursor::start();
        Ok(journal::scan(&path, &bytes, &mut cur, false).events)
    }

    /// Reads events other processes appended since the last read, applies them, and returns them.
    /// A partial last line is left for the next call (its writer may still be writing it).
    pub fn read_new_events(&mut self) -> Result<Vec<Event>, StoreError> {
        let path = self.journal_path();
        let mut f = File::open(&path).map_err(StoreError::io("opening", &path))?;
        self.catch_up(&mut f, false)
    }

    fn catch_up(&mut self, f: &mut File, locked: bool) -> Result<Vec<Event>, StoreError> {
        let path = self.journal_path();
        let len = f
            .metadata()
            .map_err(StoreError::io("reading metadata of", &path))?
            .len();
        if len < self.cursor.offset {
            return Err(StoreError::Rewritten {
                path,
                message: format!(
                    "is {len} bytes, shorter than the {} already read: it was truncated or replaced",
                    self.cursor.offset
                ),
            });
        }
        if len == self.cursor.offset {
            return Ok(Vec::new());
        }
        f.seek(SeekFrom::Start(self.cursor.offset))
            .map_err(StoreError::io("seeking in", &path))?;
        let mut bytes = Vec::with_capacity(usize::try_from(len - self.cursor.offset).unwrap_or(0));
        f.take(len - self.cursor.offset)
            .read_to_end(&mut bytes)
            .map_err(StoreError::io("reading", &path))?;
        let scan = journal::scan(&path, &bytes, &mut self.cursor, true);
        if locked && let Some(t) = scan.torn {
            return Err(StoreError::TornTail {
                path,
                offset: t.offset,
                len: t.len,
                line: t.line,
            });
        }
        if self.broken.is_none() {
            self.broken = scan.broken.clone();
        }
        let base = self.run.base_sha256.clone();
        for ev in &scan.events {
            self.run.apply(ev);
        }
        if self.run.base_sha256 != base {
            let mut w = Vec::new();
            self.template = load_copy(&self.dir, &self.run, &mut w)?;
            self.warnings.extend(w);
        }
        Ok(scan.events)
    }

    /// Rewrites `state.toml` (under the lock) unless it is damaged, newer, or already as recent.
    /// Returns whether it was written.
    pub fn save_snapshot(&mut self) -> Result<bool, StoreError> {
        if matches!(
            self.snapshot,
            SnapshotState::Damaged(_) | SnapshotState::Newer(_)
        ) {
            return Ok(false);
        }
        let lock_path = self.dir.join(LOCK);
        let _guard: LockGuard = fsutil::lock(&self.lock_file, &lock_path, true)?;
        let path = self.journal_path();
        let mut journal = File::open(&path).map_err(StoreError::io("opening", &path))?;
        self.catch_up(&mut journal, false)?;
        if let Loaded::Ok(existing) = snapshot::load(&self.dir)
            && existing.header.seq == self.run.seq
            && existing.header.head == self.run.head
        {
            return Ok(false);
        }
        fsutil::remove_stale_temps(&self.dir);
        snapshot::save(&self.dir, &self.run, self.cursor.offset)?;
        self.snapshot = SnapshotState::Used;
        Ok(true)
    }

    /// Compares the original template file with the template the run follows.
    pub fn drift(&self) -> Drift {
        match crate::catalog::read_origin(&self.run.template_path) {
            Ok(bytes) => {
                let new = sha256_hex(&bytes);
                if new == self.run.base_sha256 {
                    Drift::None
                } else {
                    Drift::Changed {
                        old: self.run.base_sha256.clone(),
                        new,
                    }
                }
            }
            Err(e) => Drift::Missing(format!("{}: {e}", self.run.template_path)),
        }
    }

    /// Bytes of journal read so far.
    pub fn journal_len(&self) -> u64 {
        self.cursor.offset
    }

    /// Writes a template copy into the run dir (durably, before the re-base event refers to it).
    pub fn store_template_copy(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let sha = sha256_hex(bytes);
        let path = self.dir.join(copy_name(&self.run, &sha));
        if !path.exists() {
            fsutil::atomic_replace(&self.dir, &copy_name(&self.run, &sha), bytes)?;
        }
        Ok(sha)
    }
}

/// File name of the template copy with this SHA-256.
pub fn copy_name(run: &Run, sha: &str) -> String {
    if sha == run.template_sha256 {
        TEMPLATE.to_owned()
    } else {
        format!("template-{}.md", sha.get(..12).unwrap_or(sha))
    }
}

fn load_copy(dir: &Path, run: &Run, warnings: &mut Vec<String>) -> Result<Template, StoreError> {
    let path = dir.join(copy_name(run, &run.base_sha256));
    let bytes = fs::read(&path).map_err(StoreError::io("reading", &path))?;
    if sha256_hex(&bytes) != run.base_sha256 {
        warnings.push(format!(
            "{}: its SHA-256 is not the one recorded ({}): the run dir's copy was modified",
            path.display(),
            run.base_sha256
        ));
    }
    let name = Path::new(&run.template_path)
        .file_name()
        .map_or_else(|| TEMPLATE.to_owned(), |n| n.to_string_lossy().into_owned());
    Ok(template::parse_bytes_with(
        &name,
        &bytes,
        load_options(run),
    )?)
}

/// How a run reads its template: with the rules and options it started with, so the ids its
/// journal refers to stay the ids of its items.
pub fn load_options(run: &Run) -> template::LoadOptions {
    template::LoadOptions {
        steps: run.steps,
        rules: run.rules,
    }
}

fn snapshot_cursor(bytes: &[u8], snap: &snapshot::Header) -> Result<Cursor, String> {
    let end = usize::try_from(snap.journal_bytes).map_err(|e| e.to_string())?;
    if end > bytes.len() {
        return Err(format!(
            "it covers {end} bytes of journal but the journal has {}",
            bytes.len()
        ));
    }
    if end == 0 || bytes[end - 1] != b'\n' {
        return Err("it does not end at a journal line boundary".to_owned());
    }
    let start = bytes[..end - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line = &bytes[start..end - 1];
    let ev: Event = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    if ev.seq != snap.seq || ev.hash != snap.head {
        return Err(format!(
            "it records seq {} / {} but the journal has seq {} / {} there",
            snap.seq, snap.head, ev.seq, ev.hash
        ));
    }
    let lines = bytes[..end].iter().filter(|&&b| b == b'\n').count();
    Ok(Cursor {
        offset: snap.journal_bytes,
        line: lines + 1,
        next_seq: snap.seq + 1,
        prev: snap.head.clone(),
    })
}
