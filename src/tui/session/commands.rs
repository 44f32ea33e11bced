//! The session's side of running commands: the settings and secrets in force, the command
//! prepared for the confirmation dialog, and the one running command (its interrupter, and a
//! thread forwarding its output into the loop's channel, merged into larger pieces when it comes
//! faster than the screen draws).

use super::Msg;
use crate::app::Action;
use crate::app::command::{CommandRequest, prepared_answer};
use crate::exec::record::Started;
use crate::exec::secrets::Secrets;
use crate::exec::settings::Settings;
use crate::exec::spawn::{self, ExecEvent, Interrupter, SpawnOptions};
use crate::exec::{self, Prepared};
use crate::model::Template;
use crate::run::Run;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

/// Output merged into one action at most (what one key can wait behind).
pub(super) const MERGE_BYTES: usize = 256 << 10;

/// The running command.
pub(super) struct Live {
    pub(super) interrupter: Interrupter,
    pub(super) started: Started,
}

/// Everything about commands a session keeps outside the app.
pub(super) struct Exec {
    /// The settings (`[exec]`, `--no-exec`), or why the configuration could not be read.
    settings: Result<Settings, String>,
    /// Secret values given in this session (memory only).
    secrets: Secrets,
    /// What the confirmation dialog shows.
    prepared: Option<Prepared>,
    /// The command running now.
    pub(super) live: Option<Live>,
}

impl Exec {
    /// The settings in force: the configuration's, off with `no_exec`; secret values of the
    /// template's declared secrets from `$RUNSHEET_SECRET_<NAME>`.
    pub(super) fn new(no_exec: bool, template: &Template) -> Exec {
        let settings = Settings::load().map(|mut s| {
            if no_exec {
                s.enabled = false;
                s.off_by = Some("--no-exec".to_owned());
            }
            s
        });
        let mut secrets = Secrets::new();
        for name in template.secret_variables() {
            if let Some(v) = std::env::var_os(exec::secrets::secret_env(name)) {
                secrets.insert(name, &v.to_string_lossy());
            }
        }
        Exec {
            settings,
            secrets,
            prepared: None,
            live: None,
        }
    }

    /// Carries out a request of the app; what it answers at once comes back as actions (a
    /// start is answered by the writer).
    pub(super) fn request(
        &mut self,
        req: CommandRequest,
        template: &Template,
        run: &Run,
        writer: Option<&super::Writer>,
    ) -> Vec<Action> {
        match req {
            CommandRequest::Prepare(target) => self.prepare(template, run, &target),
            CommandRequest::Secret { name, value, then } => {
                self.secrets.insert(&name, value.expose());
                then.map(|t| self.prepare(template, run, &t))
                    .unwrap_or_default()
            }
            CommandRequest::Start {
                target,
                code,
                confirmed,
            } => {
                let Some(p) = self.prepared.take().filter(|p| p.target == target) else {
                    return vec![Action::CommandRefused(
                        "the command changed since it was shown: press r again".to_owned(),
                    )];
                };
                if self.live.is_some() {
                    return vec![Action::CommandRefused(
                        "another command is still running on this screen".to_owned(),
                    )];
                }
                if let Err(e) = p.check_code(code.as_deref()) {
                    return vec![Action::CommandRefused(e.to_string())];
                }
                let keep = self
                    .settings
                    .as_ref()
                    .map_or(exec::settings::DEFAULT_OUTPUT_HEAD, |s| s.output_keep);
                match writer {
                    Some(w) => {
                        w.start_command(p, confirmed, keep);
                        Vec::new()
                    }
                    None => vec![Action::CommandRefused(
                        "the journal is closed: nothing was started".to_owned(),
                    )],
                }
            }
            CommandRequest::Interrupt => {
                if let Some(l) = &self.live {
                    l.interrupter.interrupt();
                }
                Vec::new()
            }
        }
    }

    fn prepare(&mut self, template: &Template, run: &Run, target: &exec::Target) -> Vec<Action> {
        let settings = match &self.settings {
            Ok(s) => s,
            Err(e) => {
                return vec![Action::CommandRefused(format!(
                    "cannot read the configuration ({e}): running commands stays off until it is fixed"
                ))];
            }
        };
        let (prepared, answer) = prepared_answer(
            target,
            exec::prepare(template, run, target, settings, &self.secrets),
        );
        self.prepared = prepared;
        vec![answer]
    }

    /// Spawns the command whose start is durable; its events reach the loop as `Msg::Exec`.
    pub(super) fn spawn(
        &mut self,
        prepared: &Prepared,
        file: crate::exec::output::OutputFile,
        started: Started,
        tx: &Sender<Msg>,
    ) {
        let kill_grace = self
            .settings
            .as_ref()
            .map_or(exec::settings::DEFAULT_KILL_GRACE, |s| s.kill_grace);
        let running = spawn::spawn(prepared, file, &SpawnOptions { kill_grace });
        let (events, interrupter) = running.split();
        let tx = tx.clone();
        let forwarded = std::thread::Builder::new()
            .name("command-output".into())
            .spawn(move || forward(&events, &tx));
        if let Err(e) = forwarded {
            tracing::error!("the command's output cannot reach the screen: {e}");
        }
        self.live = Some(Live {
            interrupter,
            started,
        });
    }

    /// Ends the running command before the process leaves: interrupted (after a quit the
    /// operator confirmed) or killed at once (hang-up), and waits up to `within` for its end,
    /// which is returned to be recorded.
    pub(super) fn stop(
        &mut self,
        rx: &Receiver<Msg>,
        kill: bool,
        within: Duration,
    ) -> Option<(Started, spawn::Finished)> {
        let live = self.live.take()?;
        if kill {
            live.interrupter.kill();
        } else {
            live.interrupter.interrupt();
        }
        let deadline = Instant::now() + within;
        let mut killed = kill;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            if !killed && left < within / 2 {
                live.interrupter.kill();
                killed = true;
            }
            match rx.recv_timeout(left.min(within / 2).max(Duration::from_millis(10))) {
                Ok(Msg::Exec(ExecEvent::Finished(f))) => return Some((live.started, f)),
                Ok(_) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

/// Forwards a command's events into the loop, merging output that is already waiting.
fn forward(events: &Receiver<ExecEvent>, tx: &Sender<Msg>) {
    while let Ok(ev) = events.recv() {
        let ExecEvent::Output(mut text) = ev else {
            let _ = tx.send(Msg::Exec(ev));
            return;
        };
        let mut last = None;
        while text.len() < MERGE_BYTES {
            match events.try_recv() {
                Ok(ExecEvent::Output(more)) => text.push_str(&more),
                Ok(other) => {
                    last = Some(other);
                    break;
                }
                Err(_) => break,
            }
        }
        if tx.send(Msg::Exec(ExecEvent::Output(text))).is_err() {
            return;
        }
        if let Some(ev) = last {
            let _ = tx.send(Msg::Exec(ev));
            return;
        }
    }
}
