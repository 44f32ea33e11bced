//! Presence: who has a shared run open right now. One row per open session in
//! `runsheet.presence` (under row-level security: only the run's team sees it), refreshed by a
//! heartbeat; a session that stopped beating for [`STALE_AFTER`] is no longer shown.

use super::engine::SharedRun;
use super::engine::line::new_intent_id;
use super::error::SharedError;
use crate::run::event::Actor;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// How often an open session should call [`SharedRun::heartbeat`].
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// A session not seen for this long is not shown.
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// Someone with the run open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    /// Display name.
    pub name: String,
    /// OS user.
    pub user: String,
    /// Host.
    pub host: String,
    /// Authenticated database role.
    pub db_role: String,
    /// Open since.
    pub since: DateTime<Utc>,
    /// Last heartbeat.
    pub seen_at: DateTime<Utc>,
    /// This session.
    pub me: bool,
}

impl Present {
    /// `Dana Ops (dana@laptop) since 21:04`.
    pub fn describe(&self) -> String {
        let who = Actor {
            user: self.user.clone(),
            host: self.host.clone(),
            name: self.name.clone(),
        }
        .describe();
        format!(
            "{who} since {}",
            self.since.with_timezone(&chrono::Local).format("%H:%M")
        )
    }
}

impl SharedRun {
    /// Announces this session on the run (call once when the run is opened on screen).
    pub fn join_presence(&mut self, actor: &Actor) -> Result<(), SharedError> {
        let actor = self.actor_for(actor);
        let id = new_intent_id();
        let run_id = self.run.id.clone();
        let client = self.session.client()?;
        let r = client.execute(
            "INSERT INTO runsheet.presence (session_id, run_id, display_name, os_user, host) \
             VALUES (($1::text)::uuid, $2, $3, $4, $5)",
            &[&id, &run_id, &actor.name, &actor.user, &actor.host],
        );
        r.map_err(|e| self.session.fail(e))?;
        self.presence = Some(id);
        self.presence_actor = Some(actor);
        Ok(())
    }

    /// Refreshes this session's presence (every [`HEARTBEAT`]); re-announces it if the row is
    /// gone (cleared as stale after a long outage).
    pub fn heartbeat(&mut self) -> Result<(), SharedError> {
        let Some(id) = self.presence.clone() else {
            return Ok(());
        };
        let client = self.session.client()?;
        let r = client.execute(
            "UPDATE runsheet.presence SET host = host WHERE session_id = ($1::text)::uuid",
            &[&id],
        );
        let n = r.map_err(|e| self.session.fail(e))?;
        if n == 0
            && let Some(actor) = self.presence_actor.clone()
        {
            self.join_presence(&actor)?;
        }
        Ok(())
    }

    /// Leaves (call when the run is closed on screen).
    pub fn leave_presence(&mut self) -> Result<(), SharedError> {
        let Some(id) = self.presence.take() else {
            return Ok(());
        };
        let client = self.session.client()?;
        let r = client.execute(
            "DELETE FROM runsheet.presence WHERE session_id = ($1::text)::uuid",
            &[&id],
        );
        r.map_err(|e| self.session.fail(e))?;
        Ok(())
    }

    /// Who has the run open now (sessions seen within [`STALE_AFTER`]), longest first.
    pub fn present(&mut self) -> Result<Vec<Present>, SharedError> {
        let me = self.presence.clone().unwrap_or_default();
        let run_id = self.run.id.clone();
        let secs = STALE_AFTER.as_secs_f64();
        let client = self.session.client()?;
        let r = client.query(
            "SELECT display_name, os_user, host, db_role::text, since, seen_at, session_id::text \
             FROM runsheet.presence \
             WHERE run_id = $1 AND seen_at > clock_timestamp() - make_interval(secs => $2) \
             ORDER BY since, session_id",
            &[&run_id, &secs],
        );
        let rows = r.map_err(|e| self.session.fail(e))?;
        Ok(rows
            .iter()
            .map(|row| {
                let sid: String = row.get(6);
                Present {
                    name: row.get(0),
                    user: row.get(1),
                    host: row.get(2),
                    db_role: row.get(3),
                    since: row.get(4),
                    seen_at: row.get(5),
                    me: sid == me,
                }
            })
            .collect())
    }
}
