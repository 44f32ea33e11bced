//! The shared store: runs kept in PostgreSQL, shaped like the file store so that both can become
//! implementations of one storage interface. [`SharedStore`] is the counterpart of
//! [`crate::store::Store`] (list, resolve, create), [`SharedRun`] of [`crate::store::OpenRun`]
//! (the fold, append checked against the latest state, new events since our head).

mod append;
pub mod line;
mod run;
mod submit;
mod transfer;

pub use append::{APPEND_DEADLINE, FAIR_AFTER, MAX_ATTEMPTS, lock_key};
pub use run::{AppendStats, SharedEvent, SharedRun};
pub use submit::{DrainReport, Submitted};
pub use transfer::{ExportReport, PushReport};

use super::connect::Session;
use super::error::SharedError;
use super::schema::{self, TEAM_ROLE};
use super::settings::Settings;
use crate::catalog::Source;
use crate::run::event::{Actor, Change, Event, GENESIS, sha256_hex};
use crate::run::{Run, SCHEMA_VERSION};
use crate::store::StartOptions;
use chrono::{DateTime, FixedOffset};
use postgres::Client;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A run as `list` shows it, read without folding its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// Run id.
    pub id: String,
    /// Team role whose members see it.
    pub team: String,
    /// Template title, or the run's name.
    pub title: String,
    /// `active`, `completed` or `aborted`.
    pub status: &'static str,
    /// Start time (from the start event).
    pub started_at: DateTime<FixedOffset>,
    /// Who started it.
    pub started_by: Actor,
    /// The role that created it on the store.
    pub created_by: String,
    /// Last `seq`.
    pub seq: u64,
    /// Last change time.
    pub last_at: DateTime<FixedOffset>,
    /// Last change's author.
    pub last_by: Actor,
}

/// A connected shared store.
#[derive(Debug)]
pub struct SharedStore {
    session: Session,
    outbox_root: Option<PathBuf>,
}

impl SharedStore {
    /// Connects, logs in and checks that the schema is the one this build writes.
    pub fn connect(settings: Settings) -> Result<SharedStore, SharedError> {
        let mut session = Session::connect(Arc::new(settings))?;
        schema::require_current(&mut session)?;
        Ok(SharedStore {
            session,
            outbox_root: None,
        })
    }

    /// Keeps changes made while the link is down under `<data_root>/outbox/` (see
    /// [`SharedRun::submit`]).
    pub fn with_outbox(mut self, data_root: &Path) -> SharedStore {
        self.outbox_root = Some(data_root.join("outbox"));
        self
    }

    /// The session (for `db status` and tests).
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// Team roles the logged-in role belongs to (members of `runsheet_team`).
    pub fn teams(&mut self) -> Result<Vec<String>, SharedError> {
        let client = self.session.client()?;
        let r = teams_of(client);
        r.map_err(|e| self.session.fail(e))
    }

    /// Every run this role may see, newest first.
    pub fn list_runs(&mut self) -> Result<Vec<RunSummary>, SharedError> {
        let client = self.session.client()?;
        let rows = client.query(
            "SELECT r.run_id, r.team::text, r.created_by::text, s.line, l.seq, l.line, \
                    (SELECT c.kind FROM runsheet.events c \
                      WHERE c.run_id = r.run_id AND c.kind IN ('finish', 'abort') \
                      ORDER BY c.seq LIMIT 1) \
             FROM runsheet.runs r \
             JOIN runsheet.events s ON s.run_id = r.run_id AND s.seq = 1 \
             JOIN LATERAL (SELECT e.seq, e.line FROM runsheet.events e \
                           WHERE e.run_id = r.run_id ORDER BY e.seq DESC LIMIT 1) l ON true \
             ORDER BY r.created_at DESC, r.run_id DESC",
            &[],
        );
        let rows = rows.map_err(|e| self.session.fail(e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.get(0);
            let start_line: String = row.get(3);
            let last_line: String = row.get(5);
            let seq: i64 = row.get(4);
            let closing: Option<String> = row.get(6);
            let corrupt = |seq: u64, e: serde_json::Error| SharedError::Corrupt {
                run_id: id.clone(),
                seq,
                message: e.to_string(),
            };
            let start: Event = serde_json::from_str(&start_line).map_err(|e| corrupt(1, e))?;
            let last: Event =
                serde_json::from_str(&last_line).map_err(|e| corrupt(seq.unsigned_abs(), e))?;
            let title = match &start.change {
                Change::Start {
                    title, name, vars, ..
                } => {
                    let values: BTreeMap<&str, &str> =
                        vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    crate::run::vars::substitute(name.as_deref().unwrap_or(title), &values)
                        .into_owned()
                }
                _ => String::new(),
            };
            out.push(RunSummary {
                id: id.clone(),
                team: row.get(1),
                title: crate::text::sanitize::clean_line(&title),
                status: match closing.as_deref() {
                    Some("finish") => "completed",
                    Some(_) => "aborted",
                    None => "active",
                },
                started_at: start.at,
                started_by: start.by,
                created_by: row.get(2),
                seq: seq.unsigned_abs(),
                last_at: last.at,
                last_by: last.by,
            });
        }
        Ok(out)
    }

    /// Resolves a RUN argument among the visible runs: an id, a unique prefix, or `latest`.
    pub fn resolve(&mut self, query: &str) -> Result<String, SharedError> {
        let target = self.session.target();
        let not_found = || SharedError::NotFound {
            query: query.to_owned(),
            target: target.clone(),
        };
        let client = self.session.client()?;
        let rows = if query == "latest" {
            client.query(
                "SELECT e.run_id FROM runsheet.events e WHERE e.seq = 1 \
                 ORDER BY (e.line::jsonb ->> 'at')::timestamptz DESC, e.run_id DESC LIMIT 1",
                &[],
            )
        } else {
            client.query(
                "SELECT run_id FROM runsheet.runs \
                 WHERE run_id = $1 OR (length($1) > 0 AND left(run_id, length($1)) = $1) \
                 ORDER BY run_id LIMIT 20",
                &[&query],
            )
        };
        let ids: Vec<String> = rows
            .map_err(|e| self.session.fail(e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if let Some(exact) = ids.iter().find(|i| *i == query) {
            return Ok(exact.clone());
        }
        match ids.as_slice() {
            [] => Err(not_found()),
            [one] => Ok(one.clone()),
            many => Err(SharedError::Ambiguous {
                query: query.to_owned(),
                candidates: many.to_vec(),
            }),
        }
    }

    /// Opens a run (resolving `query`), with its outbox if [`SharedStore::with_outbox`] was given.
    pub fn open(mut self, query: &str) -> Result<SharedRun, SharedError> {
        let id = self.resolve(query)?;
        let run = SharedRun::load(self.session, &id)?;
        match &self.outbox_root {
            Some(root) => run.with_outbox(root),
            None => Ok(run),
        }
    }

    /// The team a new run goes to: `team` if given, else the only team of the role, else the role
    /// itself (a team of one).
    pub fn pick_team(&mut self, team: Option<&str>) -> Result<String, SharedError> {
        if let Some(t) = team {
            return Ok(t.to_owned());
        }
        let teams = self.teams()?;
        match teams.as_slice() {
            [] => Ok(self.session.role().to_owned()),
            [one] => Ok(one.clone()),
            many => Err(SharedError::Invalid(format!(
                "role {} belongs to several teams ({}): give --team TEAM",
                self.session.role(),
                many.join(", ")
            ))),
        }
    }

    /// Creates a run from a template on the shared store: the template copy (with its SHA-256)
    /// and the start event in one transaction, visible to `team`'s members.
    pub fn create(
        mut self,
        source: &Source,
        opts: &StartOptions,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        team: Option<&str>,
    ) -> Result<SharedRun, SharedError> {
        self.session.ensure_writable()?;
        let shown = source.display();
        let bytes = source
            .read()
            .map_err(SharedError::io("reading", PathBuf::from(&shown)))?;
        let load = crate::template::LoadOptions {
            steps: opts.steps,
            ..crate::template::LoadOptions::default()
        };
        let tpl = crate::template::parse_bytes_with(&shown, &bytes, load)?;
        let declared: Vec<&str> = tpl.mustache_variables().collect();
        for name in opts.vars.keys() {
            if !declared.contains(&name.as_str()) {
                return Err(SharedError::Invalid(format!(
                    "--var {name}: {shown} has no variable {{{{ {name} }}}}; it has: {}",
                    if declared.is_empty() {
                        "(none)".to_owned()
                    } else {
                        declared.join(", ")
                    }
                )));
            }
        }
        let team = self.pick_team(team)?;
        let actor = run::registered_actor(&mut self.session, actor)?;
        let sha = sha256_hex(&bytes);
        let values: BTreeMap<&str, &str> = opts
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let slug =
            crate::run::vars::substitute(opts.name.as_deref().unwrap_or(&tpl.title), &values)
                .into_owned();
        let role = self.session.role().to_owned();
        for _ in 0..16 {
            let id = shared_run_id(now, &slug);
            let start = Change::Start {
                schema_version: SCHEMA_VERSION,
                run_id: id.clone(),
                title: tpl.title.clone(),
                name: opts.name.clone(),
                template_path: source.origin(),
                template_sha256: sha.clone(),
                vars: opts.vars.clone(),
                steps: opts.steps,
                rules: load.rules,
                exec: opts.exec.clone(),
            };
            let (event, line) = Event::seal_as(1, now, actor.clone(), Some(&role), start, GENESIS)
                .map_err(|e| SharedError::Invalid(format!("serialising the start event: {e}")))?;
            let intent_id = line::new_intent_id();
            let client = self.session.client()?;
            let r = (|| -> Result<(), postgres::Error> {
                let mut tx = client.transaction()?;
                tx.execute(
                    "INSERT INTO runsheet.runs (run_id, team) VALUES ($1, $2::text::name)",
                    &[&id, &team],
                )?;
                tx.execute(
                    "INSERT INTO runsheet.templates (run_id, sha256, body) VALUES ($1, $2, $3)",
                    &[&id, &sha, &bytes],
                )?;
                tx.execute(
                    line::INSERT_PLAIN,
                    &[
                        &id,
                        &1i64,
                        &GENESIS,
                        &event.hash,
                        &line.trim_end(),
                        &intent_id,
                    ],
                )?;
                tx.commit()
            })();
            match r {
                Ok(()) => {
                    let run = Run::from_start(&event).map_err(|e| SharedError::Corrupt {
                        run_id: id.clone(),
                        seq: 1,
                        message: e.to_string(),
                    })?;
                    let open = SharedRun::from_parts(self.session, run, tpl, team)?;
                    return match &self.outbox_root {
                        Some(root) => open.with_outbox(root),
                        None => Ok(open),
                    };
                }
                Err(e)
                    if e.as_db_error()
                        .is_some_and(|d| d.constraint() == Some("runs_pkey")) =>
                {
                    continue;
                }
                Err(e) => {
                    let err = self.session.fail(e);
                    return Err(run::explain_forbidden(err, &id, &role, Some(&team)));
                }
            }
        }
        Err(SharedError::Invalid(
            "could not find a free run id".to_owned(),
        ))
    }
}

/// `2026-11-23-deploy-window-7f3a9c2e`: like a local run id, with 32 random bits (a member of
/// another team cannot find a run's id by trying to create runs with guessed ids).
pub fn shared_run_id(now: DateTime<FixedOffset>, title: &str) -> String {
    let base = crate::store::run_id(now, title);
    let mut r = [0u8; 2];
    if getrandom::fill(&mut r).is_err() {
        let n = now.timestamp_subsec_nanos().to_be_bytes();
        r = [n[1] ^ n[3], n[0] ^ n[2]];
    }
    format!("{base}{:02x}{:02x}", r[0], r[1])
}

/// Team roles (members of `runsheet_team`) that `client`'s role belongs to.
pub fn teams_of(client: &mut Client) -> Result<Vec<String>, postgres::Error> {
    let rows = client.query(
        "SELECT r.rolname::text FROM pg_catalog.pg_roles r \
         JOIN pg_catalog.pg_auth_members m ON m.member = r.oid \
         JOIN pg_catalog.pg_roles t ON t.oid = m.roleid AND t.rolname = $1 \
         WHERE pg_catalog.pg_has_role(r.oid, 'MEMBER') ORDER BY 1",
        &[&TEAM_ROLE],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
