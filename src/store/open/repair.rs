//! Repairs an operator asks for: rebuild `state.toml`; move a torn last line aside; carry a damaged
//! run on (damaged copies kept byte for byte, only with the operator's explicit word).

use super::append::ReadAt;
use super::{OpenRun, SnapshotState, load};
use crate::run::event::{Actor, Change};
use crate::store::journal::{Cursor, Scanner};
use crate::store::snapshot::{self, Loaded};
use crate::store::{JOURNAL, LoadPolicy, StoreError};
use chrono::{DateTime, FixedOffset};
use std::io::Read;

/// What `repair-journal` did (or, without the operator's word, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairOutcome {
    /// Nothing to repair.
    Intact,
    /// A torn last line was moved aside and recorded (`seq` of the `torn_tail` event).
    TornMoved {
        /// The file holding the partial line.
        kept_as: String,
        /// `seq` of the event recording it.
        seq: u64,
    },
    /// Damage found; nothing was changed. The text says what `--accept-loss` would do.
    Plan(String),
    /// Repaired: damaged copies kept, the journal cut at the damage, a `repair` event recorded.
    Repaired {
        /// Files holding the damaged copies.
        kept: Vec<String>,
        /// Journal lines dropped (they are in the kept copy).
        dropped_lines: u64,
        /// `seq` of the `repair` event.
        seq: u64,
    },
}

fn stamp(now: DateTime<FixedOffset>) -> String {
    now.format("%Y%m%dT%H%M%S").to_string()
}

impl OpenRun {
    /// Rebuilds `state.toml` from the journal even if it is damaged, keeping the damaged one as
    /// `state.toml.damaged-<time>` (never over an earlier copy). Refused when the journal is
    /// damaged or `state.toml` is ahead of it (`repair-journal` handles those). Returns the name it
    /// was kept under, if any.
    pub fn repair_snapshot(&mut self) -> Result<Option<String>, StoreError> {
        if let Some(e) = self.refusal() {
            return Err(e);
        }
        let _guard = self.lock()?;
        let journal = load::open_journal(&self.rundir)?;
        self.catch_up(&journal, false)?;
        if let Some(e) = self.refusal() {
            return Err(e);
        }
        self.rundir.remove_stale_temps();
        let (head, body) = snapshot::render_parts(&self.run, self.cursor.offset)?;
        let parts = [head.as_bytes(), body.as_bytes()];
        let kept = if matches!(
            self.snapshot,
            SnapshotState::Damaged(_) | SnapshotState::Older(_)
        ) {
            let stem = format!(
                "{}.damaged-{}",
                snapshot::FILE,
                stamp(chrono::Local::now().fixed_offset())
            );
            self.rundir.replace_keeping(snapshot::FILE, &parts, &stem)?
        } else {
            self.rundir.replace_parts(snapshot::FILE, &parts)?;
            None
        };
        self.snapshot = SnapshotState::Used;
        Ok(kept)
    }

    /// `repair-journal`: re-checks the whole journal under the lock. A torn last line is moved
    /// aside (and recorded). Damage — a line that does not check, or `state.toml` ahead of the
    /// journal — is only described unless `accept_loss`: then the damaged journal (and snapshot)
    /// are kept aside byte for byte, the journal is cut just before the first damaged line, a
    /// `repair` event records what was dropped and kept, and `state.toml` is rebuilt.
    pub fn repair_journal(
        &mut self,
        accept_loss: bool,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<RepairOutcome, StoreError> {
        if let Some((path, found)) = &self.read_only {
            return Err(StoreError::ReadOnly {
                path: path.clone(),
                found: *found,
                supported: crate::run::SCHEMA_VERSION,
            });
        }
        let guard = self.lock()?;
        let journal = self.journal_for_append()?;
        let path = self.journal_path();
        let len = journal
            .metadata()
            .map_err(StoreError::io("reading metadata of", &path))?
            .len();
        let loaded = snapshot::load(&self.rundir);
        let snap = match &loaded {
            Loaded::Ok(s) => Some(s.header.clone()),
            _ => None,
        };
        let mut scan = Scanner::new(&path, Cursor::start()).skip_parse_until(u64::MAX);
        if let Some(h) = &snap {
            scan = scan.watch_boundary(h.journal_bytes).watch_seq(h.seq);
        }
        scan.feed(
            ReadAt {
                file: &journal,
                pos: 0,
            }
            .take(len),
            |_, _| {},
        )?;
        let ahead = match snap.as_ref().and_then(|h| load::disagreement(h, &scan)) {
            Some(load::Disagreement::Journal(why)) => Some(why),
            // A snapshot wrong about itself is `repair-state`'s business, not damage to the record.
            _ => None,
        };
        let lines_total = scan.cur.line - 1 + usize::from(scan.torn.is_some());
        if scan.broken.is_none() && ahead.is_none() {
            let Some(t) = scan.torn else {
                return Ok(RepairOutcome::Intact);
            };
            // The torn tail alone: the state loaded is the journal's, so carry on as an append would.
            self.catch_up(&journal, false)?;
            let ev = self.move_torn_aside(&journal, t, actor, now)?;
            let Change::TornTail { kept_as, .. } = &ev.change else {
                return Err(StoreError::Invalid("unexpected event".to_owned()));
            };
            let kept_as = kept_as.clone();
            let _ = snapshot::save(&self.rundir, &self.run, self.cursor.offset);
            drop(guard);
            return Ok(RepairOutcome::TornMoved {
                kept_as,
                seq: ev.seq,
            });
        }
        let journal_name = format!("journal.damaged-{}.jsonl", stamp(now));
        let snap_name = format!("{}.damaged-{}", snapshot::FILE, stamp(now));
        let (problem, cut, dropped) = match &scan.broken {
            Some(b) => (
                format!("{}:{}: {}", JOURNAL, b.line, b.message),
                Some(b.offset),
                (lines_total + 1).saturating_sub(b.line) as u64,
            ),
            None => (
                ahead
                    .clone()
                    .unwrap_or_else(|| "state.toml disagrees with the journal".to_owned()),
                None,
                0,
            ),
        };
        if let Some(b) = &scan.broken
            && b.line <= 1
        {
            return Err(StoreError::Invalid(format!(
                "{}:1: the start event itself is damaged ({}): there is nothing to carry on from. \
                 The journal is left as it is; start a new run",
                path.display(),
                b.message
            )));
        }
        if !accept_loss {
            let mut plan = format!("damage: {problem}\nnothing was changed. With --accept-loss:\n");
            if let Some(off) = cut {
                plan.push_str(&format!(
                    "  - the whole journal is kept as {journal_name} (or the next free name), byte for byte\n  \
                     - the journal is cut at byte {off}, just before the damaged line: {} bytes ({dropped} line(s){}) from there on are dropped from the run (they stay in the kept copy; redo what they recorded)\n",
                    len.saturating_sub(off),
                    if scan.stopped { " or more" } else { "" }
                ));
            }
            if snap.is_some() {
                plan.push_str(&format!(
                    "  - state.toml is kept as {snap_name} (or the next free name) and rebuilt from the journal\n"
                ));
            }
            plan.push_str(
                "  - a `repair` event records the damage, what was dropped and what was kept; then the run takes changes again\n",
            );
            plan.push_str(&format!(
                "events in the journal before the damage: {}",
                scan.broken
                    .as_ref()
                    .map_or(scan.cur.next_seq.saturating_sub(1), |b| b
                        .seq
                        .saturating_sub(1))
            ));
            if let Some(off) = cut {
                plan.push_str("\nwhat the dropped lines say (unverified: from the damaged part):");
                plan.push_str(&dropped_summary(&journal, off, len));
            }
            return Ok(RepairOutcome::Plan(plan));
        }
        // The copies' names are reserved first (empty placeholders, `O_EXCL`), because the
        // `repair` event names them and is written before anything is moved.
        let mut placeholders: Vec<String> = Vec::new();
        let undo = |names: &[String]| {
            for n in names {
                let _ = self.rundir.remove(n);
            }
        };
        let journal_copy = match cut {
            Some(_) => match self.rundir.create_unique(&journal_name, b"") {
                Ok(n) => {
                    placeholders.push(n.clone());
                    Some(n)
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let snap_copy = if self.rundir.lstat(snapshot::FILE)?.is_some() {
            match self.rundir.create_unique(&snap_name, b"") {
                Ok(n) => {
                    placeholders.push(n.clone());
                    Some(n)
                }
                Err(e) => {
                    undo(&placeholders);
                    return Err(e);
                }
            }
        } else {
            None
        };
        let kept: Vec<String> = journal_copy
            .iter()
            .chain(snap_copy.iter())
            .cloned()
            .collect();
        let change = Change::Repair {
            problem,
            kept: kept.clone(),
            dropped_lines: dropped,
        };
        let seq = match (cut, &scan.broken) {
            (Some(off), Some(b)) => {
                // A new journal: the good prefix byte for byte, then the `repair` event; written
                // and synced beside the old one, then swapped in. A full disk fails here, before
                // anything was moved.
                let (ev, line) =
                    crate::run::event::Event::seal(b.seq, now, actor.clone(), change, &b.prev)
                        .map_err(|e| StoreError::Invalid(format!("serialising an event: {e}")))?;
                let tmp = format!(".{JOURNAL}.repair.tmp");
                let _ = self.rundir.remove(&tmp);
                let built = self.rundir.create_unique_with(&tmp, |f| {
                    let mut src = ReadAt {
                        file: &journal,
                        pos: 0,
                    }
                    .take(off);
                    std::io::copy(&mut src, f)?;
                    std::io::Write::write_all(f, line.as_bytes())
                });
                let tmp = match built {
                    Ok(t) => t,
                    Err(e) => {
                        undo(&placeholders);
                        return Err(e);
                    }
                };
                let jcopy = journal_copy.clone().unwrap_or_default();
                // The damaged journal, byte for byte (the same file), goes to its kept name; the
                // new one takes its place.
                if let Err(e) = self.rundir.swap_in(&tmp, JOURNAL, &jcopy) {
                    let _ = self.rundir.remove(&tmp);
                    undo(&placeholders);
                    return Err(e);
                }
                if let Some(sc) = &snap_copy
                    && let Err(e) = self.rundir.rename_over(snapshot::FILE, sc)
                {
                    return Err(e);
                }
                ev.seq
            }
            _ => {
                // Nothing to cut (the snapshot is ahead): keep the snapshot aside, then record.
                if let Some(sc) = &snap_copy
                    && let Err(e) = self.rundir.rename_over(snapshot::FILE, sc)
                {
                    undo(&placeholders);
                    return Err(e);
                }
                self.catch_up(&journal, false)?;
                if let Some(t) = self.torn {
                    self.move_torn_aside(&journal, t, actor, now)?;
                }
                match self.write_event(&journal, actor, now, change) {
                    Ok(ev) => ev.seq,
                    Err(e) => {
                        if let Some(sc) = &snap_copy {
                            let _ = self.rundir.rename_over(sc, snapshot::FILE);
                        }
                        return Err(e);
                    }
                }
            }
        };
        self.rundir.sync()?;
        // Carry on from what is now the journal.
        let mut fresh = load::load(&self.dir, LoadPolicy::JournalOnly, None)?;
        fresh.lock_file = self.lock_file.take();
        if fresh.refusal().is_none() {
            let _ = snapshot::save(&fresh.rundir, &fresh.run, fresh.cursor.offset);
            fresh.snapshot = SnapshotState::Used;
        }
        drop(guard);
        *self = fresh;
        Ok(RepairOutcome::Repaired {
            kept,
            dropped_lines: dropped,
            seq,
        })
    }
}

/// One line per dropped journal line (at most 30): what it claims, or that it is unreadable.
fn dropped_summary(journal: &std::fs::File, from: u64, len: u64) -> String {
    use std::io::BufRead;
    let src = ReadAt {
        file: journal,
        pos: from,
    }
    .take(len.saturating_sub(from));
    let mut r = std::io::BufReader::new(src);
    let mut out = String::new();
    let mut line = Vec::new();
    for k in 0..30 {
        line.clear();
        let n = (&mut r)
            .take(crate::store::journal::MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .unwrap_or(0);
        if n == 0 {
            return out;
        }
        let text = match serde_json::from_slice::<crate::run::event::Event>(line.trim_ascii_end()) {
            Ok(ev) => format!(
                "seq {} {}{} by {} at {}",
                ev.seq,
                ev.change.kind(),
                ev.change
                    .item()
                    .map_or_else(String::new, |i| format!(" {i}")),
                ev.by.describe(),
                crate::run::event::show_time(&ev.at)
            ),
            Err(_) => format!("{n} bytes that are not an event"),
        };
        out.push_str(&format!(
            "\n  {}{}",
            crate::text::sanitize::clean_line(&text),
            if k == 29 { " (and possibly more)" } else { "" }
        ));
    }
    out
}
