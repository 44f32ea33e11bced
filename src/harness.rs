//! A terminal-free driver for tests and benchmarks (cargo feature `test-support`, which the tests
//! and benches turn on; not in a release build): an [`App`] on an in-memory run with a fixed clock
//! and operator, keys resolved through the real keymap, appends checked and sealed exactly as the
//! store does (without the disk). It panics on misuse, which is what a test wants.

// Test scaffolding (feature `test-support` only): panicking on misuse is its job.
#![allow(clippy::expect_used, clippy::panic)]

use crate::app::key::KeyPress;
use crate::app::{Action, App, Outcome, Style};
use crate::input::{self, Keymap};
use crate::model::Template;
use crate::run::Run;
use crate::run::event::{Actor, Change, Event, GENESIS};
use crate::run::intent::{self, Intent};
use crate::run::state::ItemState;
use chrono::{DateTime, Duration, FixedOffset};
use std::collections::BTreeMap;

/// An app plus what the event loop would do with its outcomes.
#[derive(Debug)]
pub struct Harness {
    /// The app under test.
    pub app: App,
    /// The key bindings in force (the shipped defaults unless a test sets others).
    pub keymap: Keymap,
    /// Who is typing.
    pub actor: Actor,
    /// The fixed clock.
    pub now: DateTime<FixedOffset>,
    /// Text put on the clipboard, last first.
    pub copied: Vec<String>,
    /// Whether the app asked to quit.
    pub quit: bool,
    /// Requests about commands, oldest first (carried out as the session would, without a
    /// process: see [`Harness::command_output`] and [`Harness::command_exit`]).
    pub commands: Vec<crate::app::command::CommandRequest>,
    /// Secret values given in the form.
    pub secrets: crate::exec::secrets::Secrets,
    /// The command prepared last.
    pub prepared: Option<crate::exec::Prepared>,
}

/// 2026-11-23 08:50:00 +01:00.
pub fn fixed_now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-23T08:50:00+01:00").unwrap_or_default()
}

/// `Alice (alice@bastion)`.
pub fn fixed_actor() -> Actor {
    Actor {
        user: "alice".into(),
        host: "bastion".into(),
        name: "Alice".into(),
    }
}

/// A run started on `template` at `now` with these variables, id `2026-11-23-test-0001`.
pub fn start_run(
    template: &Template,
    vars: &[(&str, &str)],
    actor: &Actor,
    now: DateTime<FixedOffset>,
) -> Run {
    let start = Change::Start {
        schema_version: crate::run::SCHEMA_VERSION,
        run_id: "2026-11-23-test-0001".into(),
        title: template.title.clone(),
        name: None,
        template_path: "/srv/templates/window.md".into(),
        template_sha256: "0".repeat(64),
        vars: vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        steps: false,
        rules: crate::template::LOADER_RULES,
        exec: None,
    };
    Event::seal(1, now, actor.clone(), start, GENESIS)
        .ok()
        .and_then(|(e, _)| Run::from_start(&e).ok())
        .unwrap_or_else(|| panic!("could not start an in-memory run"))
}

impl Harness {
    /// A harness on `template` (Markdown text) with `vars`, at `w`×`h`.
    pub fn new(template: &str, vars: &[(&str, &str)], w: u16, h: u16) -> Harness {
        let template = crate::template::parse_str("window.md", template)
            .unwrap_or_else(|e| panic!("fixture does not load: {e}"));
        let actor = fixed_actor();
        let now = fixed_now();
        let run = start_run(&template, vars, &actor, now - Duration::minutes(20));
        Harness::on(template, run, w, h)
    }

    /// A harness on an existing template and run.
    pub fn on(template: Template, run: Run, w: u16, h: u16) -> Harness {
        let actor = fixed_actor();
        let now = fixed_now();
        let style = Style {
            ascii: false,
            color: true,
        };
        let keymap = Keymap::default_keymap();
        let mut app = App::new(template, run, actor.clone(), style, now);
        app.update(Action::HelpLength(crate::ui::help::help_len(&keymap)), now);
        app.update(Action::Resize(w, h), now);
        Harness {
            app,
            keymap,
            actor,
            now,
            copied: Vec::new(),
            quit: false,
            commands: Vec::new(),
            secrets: crate::exec::secrets::Secrets::new(),
            prepared: None,
        }
    }

    /// Sends an action and carries out its outcome.
    pub fn act(&mut self, action: Action) -> Outcome {
        let out = self.app.update(action, self.now);
        if let Some(i) = &out.append {
            self.append(i.clone());
        }
        if let Some(c) = &out.copy {
            self.copied.insert(0, c.clone());
        }
        if let Some(text) = &out.external_edit {
            let edited = format!("{text}\n(edited)");
            self.app.update(Action::EditorDone(Some(edited)), self.now);
        }
        self.quit |= out.quit;
        if let Some(req) = out.command.clone() {
            self.commands.push(req.clone());
            for a in self.command(req) {
                self.act(a);
            }
        }
        out
    }

    /// What the session does with a request about commands (no process is started: the test
    /// says what the command printed and how it ended).
    fn command(&mut self, req: crate::app::command::CommandRequest) -> Vec<Action> {
        use crate::app::command::{CommandRequest, prepared_answer};
        let prepare = |h: &mut Harness, target: &crate::exec::Target| -> Vec<Action> {
            let settings = crate::exec::settings::Settings::default();
            let result =
                crate::exec::prepare(&h.app.template, &h.app.run, target, &settings, &h.secrets);
            let (prepared, answer) = prepared_answer(target, result);
            h.prepared = prepared;
            vec![answer]
        };
        match req {
            CommandRequest::Prepare(t) => prepare(self, &t),
            CommandRequest::Secret { name, value, then } => {
                self.secrets.insert(&name, value.expose());
                then.map(|t| prepare(self, &t)).unwrap_or_default()
            }
            CommandRequest::Start {
                target,
                code,
                confirmed,
            } => {
                let Some(p) = self.prepared.take().filter(|p| p.target == target) else {
                    return vec![Action::CommandRefused("not prepared".into())];
                };
                if let Err(e) = p.check_code(code.as_deref()) {
                    return vec![Action::CommandRefused(e.to_string())];
                }
                self.now += Duration::seconds(1);
                let run = &self.app.run;
                let (item, section) = p.target.as_event_fields();
                let output = format!("outputs/test-{}.log", run.seq + 1);
                let change = Change::CommandStarted {
                    item,
                    section,
                    command: p.text.clone(),
                    command_sha256: p.text_sha256(),
                    shell: p.shell(),
                    cwd: p.cwd.display().to_string(),
                    output: output.clone(),
                    timeout_secs: p.timeout.as_secs().max(1),
                    confirmed,
                    line: p.line,
                };
                let (ev, _) =
                    Event::seal(run.seq + 1, self.now, self.actor.clone(), change, &run.head)
                        .expect("seal command_started");
                let started = crate::exec::record::Started {
                    seq: ev.seq,
                    target: p.target.clone(),
                    output,
                    at: ev.at,
                };
                vec![Action::CommandStarted {
                    event: Box::new(ev),
                    started,
                }]
            }
            CommandRequest::Interrupt => Vec::new(),
        }
    }

    /// The running command printed `text`.
    pub fn command_output(&mut self, text: &str) {
        self.act(Action::CommandOutput(text.to_owned()));
    }

    /// The running command ended with `end` (exit status `code` when it exited) after `secs`.
    pub fn command_end(
        &mut self,
        end: crate::run::event::CommandEnd,
        code: Option<i32>,
        secs: u64,
    ) {
        let bytes = self.app.pane.as_ref().map_or(0, |p| p.buffer.total_bytes());
        let f = crate::exec::spawn::Finished {
            end,
            exit_code: code,
            signal: None,
            duration: std::time::Duration::from_secs(secs),
            output_bytes: bytes,
            stored_bytes: bytes,
            output_sha256: "ab".repeat(32),
            error: None,
        };
        self.act(Action::CommandEnded(Box::new(f)));
    }

    /// The running command exited with `code` after `secs` seconds.
    pub fn command_exit(&mut self, code: i32, secs: u64) {
        self.command_end(crate::run::event::CommandEnd::Exited, Some(code), secs);
    }

    /// Presses keys given in keymap spelling (`j`, `Space`, `Ctrl-s`). A key that does nothing in
    /// the current mode (not bound there, and no editor to type into) fails the test: the test
    /// meant something else.
    pub fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            let kp = KeyPress::parse(k).unwrap_or_else(|| panic!("bad key {k}"));
            let mode = self.app.key_mode();
            match input::action_for(&self.keymap, mode, kp) {
                Some(a) => {
                    self.act(a);
                }
                None => panic!("key {k} is not bound in mode {}", mode.as_str()),
            }
        }
    }

    /// Types text into the current editor, key by key (fails if there is no editor).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let kp = if c == '\n' {
                KeyPress::plain(crate::app::key::KeyCode::Enter)
            } else {
                KeyPress::ch(c)
            };
            let mode = self.app.key_mode();
            assert!(
                mode.takes_text(),
                "typing {c:?} in mode {}, which takes no text",
                mode.as_str()
            );
            match input::action_for(&self.keymap, mode, kp) {
                Some(a) => {
                    self.act(a);
                }
                None => panic!("{c:?} does nothing in mode {}", mode.as_str()),
            }
        }
    }

    /// Appends an intent as the store would (check, seal, apply) and reports back to the app.
    pub fn append(&mut self, intent: Intent) {
        self.now += Duration::seconds(7);
        let run = &self.app.run;
        match intent::check(run, &self.app.template, &self.actor, &intent) {
            Ok(change) => {
                match Event::seal(run.seq + 1, self.now, self.actor.clone(), change, &run.head) {
                    Ok((ev, _)) => {
                        // Carried out like every outcome (an auto-tick follows a command's
                        // result, for instance).
                        self.act(Action::Applied(Box::new(ev)));
                    }
                    Err(e) => {
                        self.app.update(Action::Refused(e.to_string()), self.now);
                    }
                }
            }
            Err(e) => {
                self.app.update(Action::Refused(e.to_string()), self.now);
            }
        }
    }

    /// Another operator's change, delivered as a remote event.
    pub fn remote(&mut self, who: &str, intent: Intent) {
        self.now += Duration::seconds(3);
        let other = Actor {
            user: who.to_lowercase(),
            host: "bastion".into(),
            name: who.into(),
        };
        let run = &self.app.run;
        if let Ok(change) = intent::check(run, &self.app.template, &other, &intent)
            && let Ok((ev, _)) = Event::seal(run.seq + 1, self.now, other, change, &run.head)
        {
            self.app.update(Action::Remote(vec![ev]), self.now);
        }
    }

    /// Index of the first item whose text contains `needle`.
    pub fn item(&self, needle: &str) -> usize {
        (0..self.app.template.items.len())
            .find(|&i| self.app.item_text(i).contains(needle))
            .unwrap_or_else(|| panic!("no item contains {needle:?}"))
    }

    /// Row (index into `visible`) of the first item whose text contains `needle`.
    pub fn row_of(&self, needle: &str) -> usize {
        let i = self.item(needle);
        self.app
            .visible
            .iter()
            .position(|r| *r == crate::app::rows::Row::Item(i))
            .unwrap_or_else(|| panic!("{needle:?} is not on screen"))
    }

    /// State of the first item whose text contains `needle`.
    pub fn state(&self, needle: &str) -> ItemState {
        self.app.states.get(self.item(needle))
    }

    /// The footer message shown now.
    pub fn message(&self) -> String {
        self.app
            .message()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    /// Text of the item under the cursor.
    pub fn current(&self) -> String {
        self.app
            .current_item()
            .map(|i| self.app.item_text(i).into_owned())
            .unwrap_or_default()
    }
}
