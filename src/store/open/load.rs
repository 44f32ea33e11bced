//! Loading a run: the run dir and its files checked, the snapshot read first, then the journal
//! streamed with every line's links and hash checked, and the read-only decisions (newer schema,
//! damage, a snapshot ahead of its journal).

use super::LoadPolicy;
use super::{OpenRun, SnapshotState, copy_name, open_run_dir};
use crate::model::Template;
use crate::run::event::Event;
use crate::run::event::sha256_hex;
use crate::run::{Run, SCHEMA_VERSION};
use crate::store::journal::{Cursor, Scanner, chain_fields};
use crate::store::safe::{Access, Dir};
use crate::store::snapshot::{self, Loaded, Snapshot};
use crate::store::template_cache;
use crate::store::trust::Owner;
use crate::store::{JOURNAL, LOCK, StoreError, TEMPLATE};
use crate::template;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Largest template copy read (256 MiB).
pub const MAX_TEMPLATE: u64 = 256 << 20;

/// What one streaming pass over the journal gave.
struct Pass {
    run: Run,
    scan: Scanner,
    /// The template copy, read while the journal was scanned (when asked).
    early: Option<Early>,
}

pub(super) fn load(
    dir: &Path,
    policy: LoadPolicy,
    parsed: Option<Template>,
) -> Result<OpenRun, StoreError> {
    let rundir = open_run_dir(dir)?;
    let owner = Owner::of(rundir.uid());
    let journal_path = rundir.join(JOURNAL);
    let mut warnings = Vec::new();
    // The lock is never opened by a reader, but a planted one is reported now rather than at the
    // first change.
    if let Err(e) = rundir.inspect(LOCK) {
        warnings.push(format!("{e}. Changes are refused until it is fixed"));
    }
    // The snapshot first: it is only ever written after the journal holds what it covers, so a
    // journal read after it can be shorter only if events were cut from it.
    let loaded = snapshot::load(&rundir);
    let journal = open_journal(&rundir)?;
    let meta = journal
        .metadata()
        .map_err(StoreError::io("reading metadata of", &journal_path))?;
    let journal_id = (meta.dev(), meta.ino());

    let mut snap_state = SnapshotState::Missing;
    let mut usable: Option<Box<Snapshot>> = None;
    match loaded {
        Loaded::Missing => {}
        Loaded::Older(v) => snap_state = SnapshotState::Older(v),
        Loaded::Newer(v) => snap_state = SnapshotState::Newer(v),
        Loaded::Damaged(e) => snap_state = SnapshotState::Damaged(e.to_string()),
        Loaded::Ok(snap) => {
            let worth = match policy {
                LoadPolicy::Auto => snap.size.saturating_mul(4) <= snap.header.journal_bytes,
                LoadPolicy::PreferSnapshot => true,
                LoadPolicy::JournalOnly => false,
            };
            // Checked against the journal below either way; used for the fold only if worth it.
            snap_state = if worth {
                SnapshotState::Used
            } else {
                SnapshotState::Checked
            };
            usable = Some(snap);
        }
    }
    let snap_path = rundir.join(snapshot::FILE);
    let from_snapshot = match (&usable, &snap_state) {
        (Some(s), SnapshotState::Used) => match s.run(&snap_path) {
            Ok(run) => Some((run, s.header.journal_bytes)),
            Err(e) => {
                snap_state = SnapshotState::Damaged(e.to_string());
                usable = None;
                None
            }
        },
        _ => None,
    };
    let watch = usable
        .as_ref()
        .map(|s| (s.header.journal_bytes, s.header.seq));
    let from_snapshot_used = from_snapshot.is_some();
    // A run just created was handed its template: nothing to read early.
    let early = parsed.is_none().then_some(&rundir);
    let mut pass = stream(&journal_path, &journal, from_snapshot, watch, early)?;

    // The snapshot against the journal: it must end on the line it names, with that seq and head.
    match usable
        .as_ref()
        .and_then(|s| disagreement(&s.header, &pass.scan))
    {
        Some(Disagreement::Journal(why)) => {
            snap_state = SnapshotState::Ahead(format!("{why}. state.toml is kept as it is"));
        }
        Some(Disagreement::Snapshot(why)) => {
            snap_state = SnapshotState::Damaged(format!("{}: {why}", snap_path.display()));
        }
        None => {}
    }
    // A fold from a snapshot that the journal does not back is not shown: replay the journal.
    let used = from_snapshot_used;
    let damaged = pass.scan.broken.is_some()
        || matches!(
            snap_state,
            SnapshotState::Ahead(_) | SnapshotState::Damaged(_)
        );
    if damaged && used {
        let journal = open_journal(&rundir)?;
        pass = stream(&journal_path, &journal, None, watch, early)?;
        if snap_state == SnapshotState::Used {
            snap_state = SnapshotState::Checked;
        }
    }
    let Pass {
        run,
        scan,
        early: early_template,
    } = pass;

    if let Some(b) = &scan.broken {
        let more = match scan.damaged_lines {
            0 | 1 => String::new(),
            n => format!("; {} more damaged line(s) after it", n - 1),
        };
        warnings.push(format!(
            "{}:{}: the journal is damaged: {}{more}. The run is read-only; the state shown leaves \
             out every line that does not check. `runsheet verify {}` lists the problems, \
             `runsheet repair-journal {}` shows how to carry on",
            journal_path.display(),
            b.line,
            b.message,
            run.id,
            run.id
        ));
    }
    if let SnapshotState::Ahead(why) = &snap_state {
        warnings.push(format!(
            "{}: {why}. The run is read-only; `runsheet repair-journal {}` shows how to carry on",
            journal_path.display(),
            run.id
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
        read_only = Some((snap_path.clone(), v));
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
    let template = match parsed {
        Some(t) => {
            // A run just created: its first open caches the parse it was handed, so that no later
            // open (of any command, read-only ones included) has to parse or write.
            let opts = super::load_options(&run);
            let shown = shown_name(&run);
            let key = template_cache::Key {
                sha256: &run.base_sha256,
                steps: opts.steps,
                rules: opts.rules,
                name: &shown,
            };
            template_cache::store(&rundir, &key, &t);
            t
        }
        None => Early::take(early_template, &rundir, &run, &mut warnings)?,
    };
    Ok(OpenRun {
        dir: dir.to_owned(),
        rundir,
        owner,
        run,
        template,
        cursor: scan.cur.clone(),
        journal_id,
        torn: scan.torn,
        damaged_lines: scan.damaged_lines,
        broken: scan.broken,
        rewritten: None,
        snapshot: snap_state,
        read_only,
        warnings,
        lock_file: None,
    })
}

/// How a snapshot disagrees with the journal it claims to cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Disagreement {
    /// The snapshot is wrong about where its last event is (that event is in the journal, with
    /// the hash the snapshot records): the snapshot is damaged, the journal is not.
    Snapshot(String),
    /// The journal lacks the snapshot's last event, or has another one in its place: events were
    /// cut from the journal or changed. Damage to the record.
    Journal(String),
}

/// How a snapshot's header disagrees with the journal scanned (`None`: it agrees). The scan must
/// have watched the header's `journal_bytes` and `seq`.
pub(crate) fn disagreement(h: &snapshot::Header, scan: &Scanner) -> Option<Disagreement> {
    let agrees = scan
        .at_boundary
        .as_ref()
        .is_some_and(|(seq, head)| *seq == h.seq && *head == h.head);
    if agrees {
        return None;
    }
    if scan.seen.as_deref() == Some(h.head.as_str()) {
        return Some(Disagreement::Snapshot(format!(
            "state.toml says seq {} ends at byte {} of the journal, but it ends elsewhere: the \
             snapshot is damaged (the journal is not)",
            h.seq, h.journal_bytes
        )));
    }
    let end = scan.cur.offset;
    let last = scan.cur.next_seq.saturating_sub(1);
    Some(Disagreement::Journal(
        if scan.seen.is_none() && scan.broken.is_none() && !scan.stopped {
            format!(
                "the journal ends at seq {last} (byte {end}) but state.toml, a snapshot of the \
                 same run, covers seq {} (byte {}): {} event(s) were cut from the end of the \
                 journal",
                h.seq,
                h.journal_bytes,
                h.seq.saturating_sub(last)
            )
        } else {
            format!(
                "state.toml records seq {} with head {} at byte {}, but the journal has something \
                 else there: an event was changed or removed",
                h.seq,
                crate::store::short(&h.head),
                h.journal_bytes
            )
        },
    ))
}

/// Opens the run's journal for reading (a regular file, never through a link).
pub(super) fn open_journal(rundir: &Dir) -> Result<File, StoreError> {
    rundir
        .open_file(JOURNAL, Access::Read)?
        .ok_or_else(|| StoreError::Io {
            op: "opening",
            path: rundir.join(JOURNAL),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the run dir has no journal: it is not a run, or its record was removed",
            ),
        })
}

/// Events handed from the scanning thread to the folding one at a time.
const BATCH: usize = 512;
/// Batches in flight at most (memory stays bounded whatever the journal's size).
const IN_FLIGHT: usize = 8;

/// The template copy read (from its cache, or parsed) on the folding thread while the journal is
/// still being scanned, for the run as the fold began: used when the fold ends on the same
/// template (no re-base in what was replayed), else read again.
struct Early {
    /// The SHA-256 the run followed when it was read.
    base: String,
    /// What [`load_copy`] gave, and the warnings it added.
    result: Result<Template, StoreError>,
    warnings: Vec<String>,
}

impl Early {
    /// The template for `run` (folded to the end): this one if it was read for the same base,
    /// else read now.
    fn take(
        early: Option<Early>,
        rundir: &Dir,
        run: &Run,
        warnings: &mut Vec<String>,
    ) -> Result<Template, StoreError> {
        match early {
            Some(e) if e.base == run.base_sha256 => {
                warnings.extend(e.warnings);
                e.result
            }
            _ => load_copy(rundir, run, warnings),
        }
    }
}

/// What the folding thread gave: the fold (or why there is none) and the early template.
struct Folded {
    run: Option<Run>,
    first_error: Option<StoreError>,
    early: Option<Early>,
}

/// One pass over the journal from its start: the fold (from the snapshot's, when given, plus the
/// events after the offset it covers), every line checked. The scan (links, hashes, decoding) runs
/// on this thread and the fold on another, fed in order, batch by batch; with `early`, the folding
/// thread first reads the template copy the run follows ([`Early`]). The result is the same as
/// scanning and folding one event after the other: only the work overlaps.
fn stream(
    path: &Path,
    journal: &File,
    from_snapshot: Option<(Run, u64)>,
    watch: Option<(u64, u64)>,
    early: Option<&Dir>,
) -> Result<Pass, StoreError> {
    let mut scan = Scanner::new(path, Cursor::start()).lean();
    let mut run = None;
    if let Some((r, covered)) = from_snapshot {
        scan = scan.skip_parse_until(covered);
        run = Some(r);
    }
    if let Some((bytes, seq)) = watch {
        scan = scan.watch_boundary(bytes).watch_seq(seq);
    }
    let (fed, folded) = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Replayed>>(IN_FLIGHT);
        let folder = s.spawn(move || fold(path, run, rx, early));
        let mut batch = Vec::with_capacity(BATCH);
        let fed = scan.feed(journal, |ev, line| {
            batch.push(Replayed::new(ev, line));
            if batch.len() == BATCH {
                // A closed channel means the folding thread is gone (it panicked): `join` says so.
                let _ = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        });
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        drop(tx);
        let folded = folder
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (fed, folded)
    });
    fed?;
    let Folded {
        run,
        first_error,
        early,
    } = folded;
    if let Some(e) = first_error {
        return Err(e);
    }
    let Some(run) = run else {
        let why = match (&scan.broken, &scan.torn) {
            (Some(b), _) => format!(
                "line {}: {}; without its start event the run cannot be shown. `runsheet verify` \
                 names every problem; the file is left as it is",
                b.line, b.message
            ),
            (None, Some(t)) => format!(
                "it holds only a partial first line ({} bytes): `runsheet start` was killed \
                 before the run existed, or the file was cut. Nothing was recorded; remove this \
                 run dir and start again",
                t.len
            ),
            (None, None) => "it is empty: nothing was ever recorded in this run. Remove this run \
                             dir and start again"
                .to_owned(),
        };
        return Err(StoreError::Damaged {
            path: path.to_owned(),
            line: 1,
            message: format!("the journal has no start event: {why}"),
        });
    };
    Ok(Pass { run, scan, early })
}

/// An event as the scan hands it over, with its hash (a lean scan leaves `hash` empty).
struct Replayed {
    event: Event,
    hash: [u8; 64],
}

impl Replayed {
    fn new(event: Event, line: &[u8]) -> Replayed {
        // The scan delivers only lines whose chain fields read and whose hash checks.
        let hash = chain_fields(line)
            .and_then(|(_, _, h)| <[u8; 64]>::try_from(h).ok())
            .unwrap_or([0u8; 64]);
        Replayed { event, hash }
    }
}

/// The folding thread: the start event (unless the fold comes from a snapshot), the template copy
/// when asked ([`Early`]), then every event in the order scanned.
fn fold(
    path: &Path,
    mut run: Option<Run>,
    rx: std::sync::mpsc::Receiver<Vec<Replayed>>,
    early_from: Option<&Dir>,
) -> Folded {
    let mut first_error: Option<StoreError> = None;
    let mut early = None;
    let mut read_early = |run: &Run| {
        if let Some(rundir) = early_from {
            let mut warnings = Vec::new();
            let result = load_copy(rundir, run, &mut warnings);
            early = Some(Early {
                base: run.base_sha256.clone(),
                result,
                warnings,
            });
        }
    };
    if let Some(r) = &run {
        read_early(r);
    }
    for batch in rx {
        for Replayed { mut event, hash } in batch {
            match &mut run {
                Some(r) => {
                    event.hash.clear();
                    r.apply_replayed(event, std::str::from_utf8(&hash).unwrap_or_default());
                }
                None if first_error.is_none() && event.seq == 1 => {
                    event
                        .hash
                        .push_str(std::str::from_utf8(&hash).unwrap_or_default());
                    match Run::from_start(&event) {
                        Ok(r) => {
                            read_early(&r);
                            run = Some(r);
                        }
                        Err(e) => {
                            first_error = Some(StoreError::Parse {
                                path: path.to_owned(),
                                line: 1,
                                column: 1,
                                message: e.to_string(),
                            })
                        }
                    }
                }
                None => {}
            }
        }
    }
    Folded {
        run,
        first_error,
        early,
    }
}

/// The run dir's copy of the template the run follows (a modified copy is a warning): from the
/// template cache when it holds this copy's parse by this build, else parsed (and the cache
/// written, for an unmodified copy).
pub(super) fn load_copy(
    rundir: &Dir,
    run: &Run,
    warnings: &mut Vec<String>,
) -> Result<Template, StoreError> {
    let name = copy_name(run, &run.base_sha256);
    let path = rundir.join(&name);
    let bytes = rundir
        .read_file(&name, MAX_TEMPLATE)?
        .ok_or_else(|| StoreError::Io {
            op: "reading",
            path: path.clone(),
            source: std::io::ErrorKind::NotFound.into(),
        })?;
    let sha = sha256_hex(&bytes);
    let modified = sha != run.base_sha256;
    if modified {
        warnings.push(format!(
            "{}: its SHA-256 is not the one recorded ({}): the run dir's copy was modified",
            path.display(),
            run.base_sha256
        ));
    }
    let shown = shown_name(run);
    let opts = super::load_options(run);
    // Keyed by the bytes read (not the recorded hash): a modified copy never meets a cache.
    let key = template_cache::Key {
        sha256: &sha,
        steps: opts.steps,
        rules: opts.rules,
        name: &shown,
    };
    if let Some(t) = template_cache::load(rundir, &key) {
        return Ok(t);
    }
    let template = template::parse_bytes_with(&shown, &bytes, opts)?;
    if !modified {
        template_cache::store(rundir, &key, &template);
    }
    Ok(template)
}

/// The name a run's template copy is parsed under: the original file's name (its fallback title).
fn shown_name(run: &Run) -> String {
    Path::new(&run.template_path)
        .file_name()
        .map_or_else(|| TEMPLATE.to_owned(), |n| n.to_string_lossy().into_owned())
}
