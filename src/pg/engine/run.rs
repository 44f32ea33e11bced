//! An open shared run: its fold, appends checked against the server's head, new events since ours.

use super::line::{self, EVENTS_FROM};
use crate::model::Template;
use crate::pg::connect::Session;
use crate::pg::error::SharedError;
use crate::pg::outbox::Outbox;
use crate::run::Run;
use crate::run::event::{Actor, Event, sha256_hex};
use crate::store::open::Drift;
use chrono::{DateTime, Utc};
use postgres::types::Type;

/// An event with what the database recorded beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedEvent {
    /// The event.
    pub event: Event,
    /// The sealed line (no newline).
    pub line: String,
    /// The authenticated role that recorded it (the pusher, for an imported event).
    pub db_role: String,
    /// When the database wrote it.
    pub committed_at: DateTime<Utc>,
    /// From where (`None` over a unix socket).
    pub client_addr: Option<String>,
    /// Copied from a local run by `push`.
    pub imported: bool,
}

/// A run on the shared store, loaded and followed.
#[derive(Debug)]
pub struct SharedRun {
    pub(crate) session: Session,
    /// The fold.
    pub run: Run,
    /// The template the run follows (its copy in the database).
    pub template: Template,
    /// Things the operator should know.
    pub warnings: Vec<String>,
    /// The team whose members see the run.
    pub team: String,
    pub(super) registered: Option<String>,
    pub(super) outbox: Option<Outbox>,
    pub(crate) presence: Option<String>,
    pub(crate) presence_actor: Option<Actor>,
    pub(super) stats: AppendStats,
    /// Other clients' events folded in (by a catch-up inside an append, a drain or a poll) and
    /// not yet handed out by [`SharedRun::take_caught_up`] / [`SharedRun::read_new_events`].
    pub(super) unread: Vec<Event>,
}

/// How appends went: how often another change landed first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppendStats {
    /// Appends acknowledged.
    pub appends: u64,
    /// Times an append lost the race for head + 1 and went back for the new head.
    pub conflicts: u64,
    /// The most tries one append needed.
    pub max_tries: u32,
}

/// The actor with the display name the DBA registered for the logged-in role, if any.
pub(super) fn registered_actor(session: &mut Session, actor: &Actor) -> Result<Actor, SharedError> {
    Ok(match registered_name(session)? {
        Some(name) if name != actor.name => Actor {
            name,
            ..actor.clone()
        },
        _ => actor.clone(),
    })
}

fn registered_name(session: &mut Session) -> Result<Option<String>, SharedError> {
    let row = session.retry(|c| {
        c.query_opt(
            "SELECT display_name FROM runsheet.people WHERE db_role = session_user",
            &[],
        )
    })?;
    Ok(row.map(|r| r.get(0)))
}

/// A clearer message for a row-level-security refusal.
pub(super) fn explain_forbidden(
    e: SharedError,
    run_id: &str,
    role: &str,
    team: Option<&str>,
) -> SharedError {
    match e {
        SharedError::Forbidden(m) if m.contains("row-level security") => {
            SharedError::Forbidden(format!(
                "role {role} may not record this on run {run_id}: {}; or the DBA registered a display \
                 name for {role} (runsheet.people) and the change is not under it ({m})",
                match team {
                    Some(t) => format!("it is not a member of team {t}"),
                    None => "it is not a member of the run's team".to_owned(),
                }
            ))
        }
        SharedError::Forbidden(m) if m.contains("permission denied") => {
            SharedError::Forbidden(format!(
                "{m}: role {role} is not a member of runsheet_team (through a team role): see docs/teams.md"
            ))
        }
        other => other,
    }
}

impl SharedRun {
    /// Loads run `run_id`: every event (each line checked: parse, link, hash) and the template.
    pub fn load(mut session: Session, run_id: &str) -> Result<SharedRun, SharedError> {
        let rows = session.retry(|c| {
            c.query(
                "SELECT r.team::text, e.seq, e.line FROM runsheet.runs r \
                 JOIN runsheet.events e ON e.run_id = r.run_id WHERE r.run_id = $1 ORDER BY e.seq",
                &[&run_id],
            )
        })?;
        let Some(first) = rows.first() else {
            return Err(SharedError::NotFound {
                query: run_id.to_owned(),
                target: session.target(),
            });
        };
        let team: String = first.get(0);
        let mut run: Option<Run> = None;
        for row in &rows {
            let seq: i64 = row.get(1);
            let text: String = row.get(2);
            let (expect_seq, prev) = match &run {
                None => (1, crate::run::event::GENESIS.to_owned()),
                Some(r) => (r.seq + 1, r.head.clone()),
            };
            if seq.unsigned_abs() != expect_seq {
                return Err(SharedError::Corrupt {
                    run_id: run_id.to_owned(),
                    seq: seq.unsigned_abs(),
                    message: format!("seq {expect_seq} is missing"),
                });
            }
            let ev = line::check(run_id, expect_seq, &prev, &text)?;
            match &mut run {
                None => {
                    run = Some(Run::from_start(&ev).map_err(|e| SharedError::Corrupt {
                        run_id: run_id.to_owned(),
                        seq: 1,
                        message: e.to_string(),
                    })?)
                }
                Some(r) => r.apply(&ev),
            }
        }
        let Some(run) = run else {
            return Err(SharedError::Invalid("no events".to_owned()));
        };
        let template = load_template(&mut session, &run, &run.base_sha256)?;
        SharedRun::from_parts(session, run, template, team)
    }

    pub(super) fn from_parts(
        mut session: Session,
        run: Run,
        template: Template,
        team: String,
    ) -> Result<SharedRun, SharedError> {
        let registered = registered_name(&mut session)?;
        Ok(SharedRun {
            session,
            run,
            template,
            warnings: Vec::new(),
            team,
            registered,
            outbox: None,
            presence: None,
            presence_actor: None,
            stats: AppendStats::default(),
            unread: Vec::new(),
        })
    }

    /// The run id.
    pub fn id(&self) -> &str {
        &self.run.id
    }

    /// The authenticated database role events are recorded as.
    pub fn role(&self) -> &str {
        self.session.role()
    }

    /// How this client's appends went so far.
    pub fn stats(&self) -> AppendStats {
        self.stats
    }

    /// The session (tests, `db status`).
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// `actor` as this store records it: with the display name the DBA registered for the role.
    pub fn actor_for(&self, actor: &Actor) -> Actor {
        match &self.registered {
            Some(n) if *n != actor.name => Actor {
                name: n.clone(),
                ..actor.clone()
            },
            _ => actor.clone(),
        }
    }

    /// Whether `intent_id` is already recorded on the server (a resend can be skipped).
    pub fn is_recorded(&mut self, intent_id: &str) -> Result<bool, SharedError> {
        Ok(self.recorded(intent_id)?.is_some())
    }

    /// The event recorded with `intent_id`, if any.
    pub fn recorded(&mut self, intent_id: &str) -> Result<Option<Event>, SharedError> {
        let run_id = self.run.id.clone();
        let row = self.session.retry(|c| {
            c.query_opt(
                "SELECT line FROM runsheet.events WHERE run_id = $1 AND intent_id = ($2::text)::uuid",
                &[&run_id, &intent_id],
            )
        })?;
        match row {
            None => Ok(None),
            Some(row) => {
                let text: String = row.get(0);
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|e| SharedError::Corrupt {
                        run_id: self.run.id.clone(),
                        seq: 0,
                        message: e.to_string(),
                    })
            }
        }
    }

    pub(super) fn apply(&mut self, event: &Event) -> Result<(), SharedError> {
        let base = self.run.base_sha256.clone();
        self.run.apply(event);
        if self.run.base_sha256 != base {
            let sha = self.run.base_sha256.clone();
            self.template = load_template(&mut self.session, &self.run, &sha)?;
        }
        Ok(())
    }

    /// Reads the events after our head (confirming the head is still the server's event at that
    /// seq), applies them, and returns them with their intent ids.
    pub(super) fn catch_up(&mut self) -> Result<Vec<(Event, String)>, SharedError> {
        let seq = i64::try_from(self.run.seq).unwrap_or(i64::MAX);
        let run_id = self.run.id.clone();
        // One round trip (no separate prepare): this runs on every tick and every wake-up.
        let rows = self
            .session
            .retry(|c| c.query_typed(EVENTS_FROM, &[(&run_id, Type::TEXT), (&seq, Type::INT8)]))?;
        let mut rows = rows.iter();
        let confirmed = rows.next().is_some_and(|row| {
            let s: i64 = row.get(0);
            let text: String = row.get(1);
            s == seq && text.ends_with(&format!("\"hash\":\"{}\"}}", self.run.head))
        });
        if !confirmed {
            return Err(SharedError::Diverged(format!(
                "run {}: the shared store no longer has the event this client read at seq {} \
                 (head {}): events were lost or rewritten — a failover to an asynchronous standby, \
                 a restore from backup, or tampering. Nothing more is recorded; export what you \
                 have and compare",
                self.run.id,
                self.run.seq,
                &self.run.head[..12.min(self.run.head.len())]
            )));
        }
        let mut out = Vec::new();
        for row in rows {
            let s: i64 = row.get(0);
            let text: String = row.get(1);
            let id: String = row.get(2);
            let ev = line::check(&self.run.id, self.run.seq + 1, &self.run.head, &text)?;
            if s.unsigned_abs() != ev.seq {
                return Err(SharedError::Corrupt {
                    run_id: self.run.id.clone(),
                    seq: s.unsigned_abs(),
                    message: "column and line disagree".to_owned(),
                });
            }
            self.apply(&ev)?;
            self.unread.push(ev.clone());
            out.push((ev, id));
        }
        Ok(out)
    }

    /// The connection settings (for a LISTEN connection of its own).
    pub fn settings(&self) -> std::sync::Arc<crate::pg::Settings> {
        self.session.settings().clone()
    }

    /// Where the run lives: host, port, database and role (never a password).
    pub fn target(&self) -> String {
        self.session.target()
    }

    /// Reads events other clients appended since our head, applies them and returns them.
    /// (Also those an append, a drain or an earlier failed call folded in and nobody was handed.)
    pub fn read_new_events(&mut self) -> Result<Vec<Event>, SharedError> {
        self.catch_up()?;
        Ok(std::mem::take(&mut self.unread))
    }

    /// Events folded in since the last call (or [`SharedRun::read_new_events`]) that are not the
    /// given one of ours, oldest first: what an append or a drain read of other clients' changes.
    /// An event of ours found by its intent id (a resend) is left out by `own`.
    pub fn take_caught_up(&mut self, own: &[u64]) -> Vec<Event> {
        let mut v = std::mem::take(&mut self.unread);
        v.retain(|e| !own.contains(&e.seq));
        v
    }

    /// Every event of the run with what the database recorded beside it, from `after` + 1 on.
    pub fn shared_events(&mut self, after: u64) -> Result<Vec<SharedEvent>, SharedError> {
        let run_id = self.run.id.clone();
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self.session.retry(|c| {
            c.query(
                "SELECT seq, line, db_role::text, committed_at, host(client_addr), imported \
                 FROM runsheet.events WHERE run_id = $1 AND seq > $2 ORDER BY seq",
                &[&run_id, &after],
            )
        })?;
        let mut out = Vec::with_capacity(rows.len());
        let mut prev: Option<String> = None;
        for row in rows {
            let seq: i64 = row.get(0);
            let text: String = row.get(1);
            let event: Event = match &prev {
                Some(p) => line::check(&self.run.id, seq.unsigned_abs(), p, &text)?,
                None => serde_json::from_str(&text).map_err(|e| SharedError::Corrupt {
                    run_id: self.run.id.clone(),
                    seq: seq.unsigned_abs(),
                    message: e.to_string(),
                })?,
            };
            if !Event::line_hash_ok(text.as_bytes(), &event.hash) {
                return Err(SharedError::Corrupt {
                    run_id: self.run.id.clone(),
                    seq: event.seq,
                    message: "its hash does not match its content".to_owned(),
                });
            }
            prev = Some(event.hash.clone());
            out.push(SharedEvent {
                event,
                line: text,
                db_role: row.get(2),
                committed_at: row.get(3),
                client_addr: row.get(4),
                imported: row.get(5),
            });
        }
        Ok(out)
    }

    /// Every event of the run, from the start.
    pub fn events(&mut self) -> Result<Vec<Event>, SharedError> {
        Ok(self
            .shared_events(0)?
            .into_iter()
            .map(|s| s.event)
            .collect())
    }

    /// Stores a template copy (before a re-base event refers to it); returns its SHA-256.
    pub fn store_template_copy(&mut self, bytes: &[u8]) -> Result<String, SharedError> {
        let sha = sha256_hex(bytes);
        let run_id = self.run.id.clone();
        self.session.retry(|c| {
            c.execute(
                "INSERT INTO runsheet.templates (run_id, sha256, body) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
                &[&run_id, &sha, &bytes],
            )
        })?;
        Ok(sha)
    }

    /// The bytes of a template copy of this run.
    pub fn template_bytes(&mut self, sha: &str) -> Result<Vec<u8>, SharedError> {
        template_bytes(&mut self.session, &self.run.id, sha)
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
}

fn template_bytes(session: &mut Session, run_id: &str, sha: &str) -> Result<Vec<u8>, SharedError> {
    let row = session.retry(|c| {
        c.query_opt(
            "SELECT body FROM runsheet.templates WHERE run_id = $1 AND sha256 = $2",
            &[&run_id, &sha],
        )
    })?;
    let bytes: Vec<u8> = row.map(|r| r.get(0)).ok_or_else(|| SharedError::Corrupt {
        run_id: run_id.to_owned(),
        seq: 0,
        message: format!("the template {sha} is not stored"),
    })?;
    if sha256_hex(&bytes) != sha {
        return Err(SharedError::Corrupt {
            run_id: run_id.to_owned(),
            seq: 0,
            message: format!("the stored template {sha} does not have that SHA-256"),
        });
    }
    Ok(bytes)
}

fn load_template(session: &mut Session, run: &Run, sha: &str) -> Result<Template, SharedError> {
    let bytes = template_bytes(session, &run.id, sha)?;
    template_from(run, &bytes)
}

/// Parses a template copy of `run` (named after its original file, as the file store does).
pub(super) fn template_from(run: &Run, bytes: &[u8]) -> Result<Template, SharedError> {
    if sha256_hex(bytes) != run.base_sha256 {
        return Err(SharedError::Corrupt {
            run_id: run.id.clone(),
            seq: run.seq,
            message: format!(
                "the stored template {} does not have that SHA-256",
                run.base_sha256
            ),
        });
    }
    let name = std::path::Path::new(&run.template_path)
        .file_name()
        .map_or_else(
            || "template.md".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
    Ok(crate::template::parse_bytes_with(
        &name,
        bytes,
        crate::store::open::load_options(run),
    )?)
}
