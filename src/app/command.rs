//! Closed-loop steps on the screen: `r` shows exactly what an item's (or a section's) command
//! would run and runs it only after the operator confirms (typing the item's code back for a block
//! marked destructive); its output streams into a pane docked below the checklist while the rest
//! of the screen stays usable; Ctrl-C interrupts it; when it ends its result is recorded and the
//! tick (exit 0) or the failure (anything else) is offered.
//!
//! The app only decides: preparing the command (which looks at the file system), keeping secrets,
//! starting and interrupting the process and writing its events are [`CommandRequest`]s the loop
//! carries out, and what happened comes back as actions (`CommandPrepared`, `CommandStarted`,
//! `CommandOutput`, `CommandEnded`, `CommandLiveness`).

use super::editor::Editor;
use super::forms::{Step, edit};
use super::{Action, App, Mode, Outcome};
use crate::exec::buffer::OutputBuffer;
use crate::exec::record::{self, Started};
use crate::exec::spawn::Finished;
use crate::exec::{self, Hidden, Prepared, Target};
use crate::model::{ItemId, ItemKind};
use crate::run::event::{Change, Event};
use crate::run::gates;
use crate::run::intent::Intent;
use crate::run::state::{CommandRecord, ItemState};
use chrono::{DateTime, FixedOffset};
use std::collections::BTreeMap;

/// Lines of output a failure's note keeps.
pub const NOTE_TAIL: usize = 10;

/// What the screen asks the loop to do about commands.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandRequest {
    /// Work out exactly what would run for the target (answered by `CommandPrepared`,
    /// `SecretsNeeded` or `CommandRefused`).
    Prepare(Target),
    /// A secret's value, typed in the form: kept in memory for this session only, never
    /// recorded; then prepare `then` again, when given.
    Secret {
        /// The variable.
        name: String,
        /// Its value.
        value: Hidden,
        /// The target to prepare once it is known.
        then: Option<Target>,
    },
    /// Start the prepared command: the operator confirmed it (answered by `CommandStarted` once
    /// `command_started` is durable, or `CommandRefused`).
    Start {
        /// What it belongs to (must be the one prepared last).
        target: Target,
        /// The code typed back, for a destructive block.
        code: Option<String>,
        /// How it was confirmed, as recorded (`screen`, `screen after-no-go typed-code`).
        confirmed: String,
    },
    /// Interrupt the running command (SIGINT to its process group; a second one kills it).
    Interrupt,
}

/// What the confirmation dialog shows of a prepared command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandPreview {
    /// What it belongs to.
    pub target: Target,
    /// Item text or section title.
    pub title: String,
    /// The confirmation text (shell, directory, limit, the exact text, what is expected).
    pub preview: String,
    /// The code to type back, for a destructive block.
    pub needs_code: Option<String>,
    /// The item's kind (sections: task).
    pub kind: ItemKind,
    /// `# Expected:` comments.
    pub expected: Vec<String>,
    /// Tick the item when it exits 0.
    pub auto_tick: bool,
}

impl CommandPreview {
    /// What the dialog shows of `p` (the real script, with secret values, stays out).
    pub fn of(p: &Prepared) -> CommandPreview {
        CommandPreview {
            target: p.target.clone(),
            title: p.title.clone(),
            preview: p.preview(),
            needs_code: p.needs_code.clone(),
            kind: p.kind,
            expected: p.expected.clone(),
            auto_tick: p.auto_tick,
        }
    }
}

/// What the app is told once a command was prepared (by the session, or the test harness): the
/// confirmation with what runs (and the prepared command to keep for the start), the secret form
/// for secrets without a value, or why it cannot run.
pub fn prepared_answer(
    target: &Target,
    result: Result<Prepared, exec::PrepareError>,
) -> (Option<Prepared>, Action) {
    match result {
        Ok(p) => {
            let preview = CommandPreview::of(&p);
            (Some(p), Action::CommandPrepared(Box::new(preview)))
        }
        Err(exec::PrepareError::MissingVars { names, secrets })
            if names.is_empty() && !secrets.is_empty() =>
        {
            (
                None,
                Action::SecretsNeeded {
                    target: target.clone(),
                    names: secrets,
                },
            )
        }
        Err(e) => (None, Action::CommandRefused(e.to_string())),
    }
}

/// Whether the command of an unfinished `command_started` is still running, as the writer found
/// (its output file's lock is held by a live runsheet, or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandLive {
    /// `seq` of the `command_started` event.
    pub seq: u64,
    /// A runsheet still runs it.
    pub running: bool,
    /// Bytes of output saved in its file so far.
    pub saved_bytes: u64,
}

/// The command this screen runs, or ran last: the docked output pane.
#[derive(Debug, Clone)]
pub struct Pane {
    /// What it belongs to.
    pub target: Target,
    /// Item text or section title.
    pub title: String,
    /// Its `command_started`.
    pub started: Started,
    /// Its output (bounded: head and tail kept).
    pub buffer: OutputBuffer,
    /// How it ended, once it did.
    pub ended: Option<Finished>,
    /// Its `command_finished` is in the journal.
    pub recorded: bool,
    /// `# Expected:` comments.
    pub expected: Vec<String>,
    /// Tick the item when it exits 0.
    pub auto_tick: bool,
    /// The item's kind.
    pub kind: ItemKind,
    /// It was confirmed after an unresolved NO-GO or during a HOLD.
    pub after_no_go: bool,
    /// Ctrl-C was pressed while it ran.
    pub interrupting: bool,
    /// Shown docked below the list (hidden with `hide-output` until the next command).
    pub docked: bool,
}

impl Pane {
    /// Whether it still runs.
    pub fn running(&self) -> bool {
        self.ended.is_none()
    }

    /// `running 0:42`, `exit 0 after 1.2s`, `interrupted after 3s`.
    pub fn status(&self, now: DateTime<FixedOffset>) -> String {
        match &self.ended {
            None if self.interrupting => format!(
                "interrupting… {} (Ctrl-C again kills it)",
                clock(now - self.started.at)
            ),
            None => format!("running {}", clock(now - self.started.at)),
            Some(f) => format!(
                "{} after {}",
                f.describe(),
                exec::settings::show_duration(f.duration)
            ),
        }
    }
}

/// `0:42`, `12:05`, `1:02:03`.
pub fn clock(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A command started and not finished in the record, with what the screen knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// `seq` of its `command_started`.
    pub seq: u64,
    /// What it belongs to.
    pub target: Target,
    /// Who runs it.
    pub by: String,
    /// Since when.
    pub at: DateTime<FixedOffset>,
    /// Its output file.
    pub output: String,
}

/// Every command of the run without a result, oldest first.
pub fn unfinished(run: &crate::run::Run) -> Vec<Unfinished> {
    let mut out = Vec::new();
    let mut add = |target: Target, c: &CommandRecord| {
        if c.unfinished() {
            out.push(Unfinished {
                seq: c.seq,
                target,
                by: c.by.name.clone(),
                at: c.at,
                output: c.output.clone(),
            });
        }
    };
    for (id, r) in &run.items {
        for c in &r.commands {
            add(Target::Item(id.clone()), c);
        }
    }
    for (k, list) in &run.section_commands {
        for c in list {
            add(Target::Section(k.clone()), c);
        }
    }
    out.sort_by_key(|u| u.seq);
    out
}

/// The commands of the run: unfinished ones and what the writer found of them.
#[derive(Debug, Clone, Default)]
pub struct Commands {
    /// Started and not finished, oldest first.
    pub unfinished: Vec<Unfinished>,
    /// Liveness reported by the writer, by `seq`.
    pub live: BTreeMap<u64, CommandLive>,
}

impl App {
    /// The target `r` runs: the item under the cursor when it has a command, else the section
    /// under the cursor (or the item's section) when that has one.
    fn command_target(&self) -> Result<Target, String> {
        match self.visible.get(self.cursor) {
            Some(super::rows::Row::Item(i)) => {
                let item = self.template.items.get(*i).ok_or("no item here")?;
                if exec::runnable(&item.body) {
                    return Ok(Target::Item(item.id.clone()));
                }
                Err(format!(
                    "“{}” has no command to run (r runs an item's or a section's bash / sh / console block)",
                    self.item_text(*i)
                ))
            }
            Some(super::rows::Row::Section(s)) => {
                let sec = self.template.sections.get(*s).ok_or("no section here")?;
                if exec::runnable(&sec.body) {
                    return Ok(Target::Section(exec::section_key(&self.template, *s)));
                }
                Err(format!(
                    "the section “{}” has no command to run",
                    self.subst(&sec.title)
                ))
            }
            None => Err("nothing selected".to_owned()),
        }
    }

    /// `r`: asks the loop to prepare the command of the row under the cursor.
    pub(super) fn start_command(&mut self) -> Outcome {
        if let Some(p) = self.pane.as_ref().filter(|p| p.running()) {
            let msg = format!(
                "“{}” is still running: Ctrl-C interrupts it (one command at a time per screen)",
                p.title
            );
            self.error(&msg);
            return Outcome::redraw();
        }
        if !self.run.is_active() {
            self.error(&format!(
                "run {} is {}: it runs no more commands",
                self.run.id,
                self.run.lifecycle.as_str()
            ));
            return Outcome::redraw();
        }
        match self.command_target() {
            Ok(t) => Outcome {
                redraw: true,
                command: Some(CommandRequest::Prepare(t)),
                ..Outcome::default()
            },
            Err(e) => {
                self.error(&e);
                Outcome::redraw()
            }
        }
    }

    /// The NO-GO or HOLD a command of `target` would run after, in words.
    fn command_blocker(&self, target: &Target) -> Option<String> {
        let blocker = match target {
            Target::Item(id) => {
                let index = self.item_index(id)?;
                gates::needs_confirmation(&self.run, &self.template, index)?
            }
            Target::Section(key) => {
                let s = exec::find_section(&self.template, key)?;
                if gates::in_rollback(&self.template, s) {
                    return None;
                }
                gates::blocker(&self.run)?
            }
        };
        Some(gates::describe(&self.run, &self.template, &blocker))
    }

    /// The loop prepared the command: the confirmation dialog opens.
    pub(super) fn command_prepared(&mut self, preview: CommandPreview) -> Outcome {
        let blocked = self.command_blocker(&preview.target);
        self.queue_popup(Mode::RunConfirm {
            preview: Box::new(preview),
            code: Editor::single(""),
            blocked,
            error: None,
        });
        Outcome::redraw()
    }

    /// The command needs secret values nobody gave: the hidden form asks for them.
    pub(super) fn secrets_needed(&mut self, target: Target, names: Vec<String>) -> Outcome {
        if names.is_empty() {
            return Outcome::redraw();
        }
        self.queue_popup(Mode::Secret {
            target,
            names,
            current: 0,
            editor: Editor::single(""),
        });
        Outcome::redraw()
    }

    /// Keys of the confirmation dialog.
    pub(super) fn run_confirm_key(
        &mut self,
        preview: Box<CommandPreview>,
        mut code: Editor,
        blocked: Option<String>,
        action: Action,
    ) -> Step {
        let keep = |preview, code, blocked, error| {
            (
                Mode::RunConfirm {
                    preview,
                    code,
                    blocked,
                    error,
                },
                None,
            )
        };
        match action {
            Action::Submit => {
                let typed = code.text();
                if let Some(want) = &preview.needs_code
                    && !typed.trim().eq_ignore_ascii_case(want)
                {
                    let error = if typed.trim().is_empty() {
                        format!("type the code {want} to run it")
                    } else {
                        format!("“{}” is not the code {want}: nothing was run", typed.trim())
                    };
                    return keep(preview, Editor::single(""), blocked, Some(error));
                }
                let mut how = vec!["screen"];
                if blocked.is_some() {
                    how.push("after-no-go");
                }
                if preview.needs_code.is_some() {
                    how.push("typed-code");
                }
                self.info(&format!("starting “{}”…", preview.title));
                self.starting = Some((*preview.clone(), blocked.is_some()));
                let out = Outcome {
                    redraw: true,
                    command: Some(CommandRequest::Start {
                        target: preview.target.clone(),
                        code: preview.needs_code.as_ref().map(|_| typed.trim().to_owned()),
                        confirmed: how.join(" "),
                    }),
                    ..Outcome::default()
                };
                (Mode::Normal, Some(out))
            }
            Action::Cancel => {
                self.info("not run: nothing was recorded");
                (Mode::Normal, None)
            }
            other if preview.needs_code.is_some() => {
                edit(&mut code, other);
                keep(preview, code, blocked, None)
            }
            _ => keep(preview, code, blocked, None),
        }
    }

    /// Keys of the secret form.
    pub(super) fn secret_key(
        &mut self,
        target: Target,
        names: Vec<String>,
        current: usize,
        mut editor: Editor,
        action: Action,
    ) -> Step {
        match action {
            Action::Submit => {
                let Some(name) = names.get(current).cloned() else {
                    return (Mode::Normal, None);
                };
                let last = current + 1 >= names.len();
                let out = Outcome {
                    redraw: true,
                    command: Some(CommandRequest::Secret {
                        name,
                        value: Hidden::new(editor.text()),
                        then: last.then(|| target.clone()),
                    }),
                    ..Outcome::default()
                };
                if last {
                    (Mode::Normal, Some(out))
                } else {
                    (
                        Mode::Secret {
                            target,
                            names,
                            current: current + 1,
                            editor: Editor::single(""),
                        },
                        Some(out),
                    )
                }
            }
            Action::Cancel => {
                self.info("not run: the secret was not given");
                (Mode::Normal, None)
            }
            other => {
                edit(&mut editor, other);
                (
                    Mode::Secret {
                        target,
                        names,
                        current,
                        editor,
                    },
                    None,
                )
            }
        }
    }

    /// `command_started` is durable and the command runs: the pane opens.
    pub(super) fn command_started(&mut self, ev: &Event, started: Started) -> Outcome {
        if ev.seq != self.run.seq + 1 {
            self.error(&format!(
                "journal event {} arrived out of order (expected {}): restart runsheet to reload",
                ev.seq,
                self.run.seq + 1
            ));
            return Outcome::redraw();
        }
        self.apply_event(ev);
        let (preview, after_no_go) = self.starting.take().unwrap_or_else(|| {
            (
                CommandPreview {
                    target: started.target.clone(),
                    title: self.target_title(&started.target),
                    preview: String::new(),
                    needs_code: None,
                    kind: ItemKind::Task,
                    expected: Vec::new(),
                    auto_tick: false,
                },
                false,
            )
        });
        self.info(&format!(
            "running “{}” (seq {}) · Ctrl-C interrupts · o shows the whole output",
            preview.title, ev.seq
        ));
        self.pane = Some(Pane {
            target: started.target.clone(),
            title: preview.title,
            started,
            buffer: OutputBuffer::default(),
            ended: None,
            recorded: false,
            expected: preview.expected,
            auto_tick: preview.auto_tick,
            kind: preview.kind,
            after_no_go,
            interrupting: false,
            docked: true,
        });
        self.ensure_visible();
        Outcome::redraw()
    }

    /// The start was refused (nothing ran).
    pub(super) fn command_refused(&mut self, msg: &str) -> Outcome {
        self.starting = None;
        self.error(&format!("not run: {msg}"));
        Outcome::redraw()
    }

    /// Output of the running command.
    pub(super) fn command_output(&mut self, text: &str) -> Outcome {
        match self.pane.as_mut() {
            Some(p) if p.running() => {
                p.buffer.push_str(text);
                Outcome {
                    redraw: p.docked || matches!(self.mode, Mode::Output { .. }),
                    ..Outcome::default()
                }
            }
            _ => Outcome::default(),
        }
    }

    /// The command ended: its result is recorded (the offer follows once it is durable).
    pub(super) fn command_ended(&mut self, f: Finished) -> Outcome {
        let Some(p) = self.pane.as_mut().filter(|p| p.running()) else {
            return Outcome::redraw();
        };
        let intent = record::finished_intent(&p.started, &f);
        let msg = format!(
            "“{}”: {} after {}",
            p.title,
            f.describe(),
            exec::settings::show_duration(f.duration)
        );
        p.ended = Some(f);
        p.interrupting = false;
        let failed = !p.ended.as_ref().is_some_and(Finished::succeeded);
        self.say(&msg, failed);
        Outcome::append(intent)
    }

    /// After our `command_finished` is applied: tick it (auto-tick), or offer the tick or the
    /// failure.
    pub(super) fn command_recorded(&mut self, ev: &Event) -> Option<Outcome> {
        let Change::CommandFinished { started, .. } = &ev.change else {
            return None;
        };
        let p = self.pane.as_mut().filter(|p| p.started.seq == *started)?;
        p.recorded = true;
        let (ok, auto, after) = (
            p.ended.as_ref().is_some_and(Finished::succeeded),
            p.auto_tick,
            p.after_no_go,
        );
        let Target::Item(id) = p.target.clone() else {
            return None;
        };
        if p.kind != ItemKind::Task {
            return None;
        }
        let index = self.item_index(&id)?;
        let state = self.states.get(index);
        if (ok && state == ItemState::Done) || (!ok && state == ItemState::Failed) {
            return None;
        }
        if ok && auto {
            self.info("exit 0: ticking it (auto-tick)");
            let tick = Intent::Tick {
                item: id.clone(),
                note: None,
            };
            let tick = if after {
                Intent::AfterNoGo(Box::new(tick))
            } else {
                tick
            };
            return Some(self.expect(id, tick));
        }
        self.queue_popup(Mode::CommandDone { item: id, ok });
        None
    }

    /// The change the offer makes: the tick, or the failure with the output's last lines.
    fn offer_intent(&self, item: ItemId, ok: bool, note: Option<String>) -> Intent {
        let pane = self.pane.as_ref();
        if ok {
            let tick = Intent::Tick { item, note };
            return if pane.is_some_and(|p| p.after_no_go) {
                Intent::AfterNoGo(Box::new(tick))
            } else {
                tick
            };
        }
        let auto = match pane.and_then(|p| p.ended.as_ref().map(|f| (p, f))) {
            Some((p, f)) => {
                let tail = p.buffer.last_lines(NOTE_TAIL);
                record::fail_note(&p.started, f, &tail)
            }
            None => "the command failed".to_owned(),
        };
        let note = match note {
            Some(n) if !n.trim().is_empty() => format!("{}\n{auto}", n.trim_end()),
            _ => auto,
        };
        Intent::Fail { item, note }
    }

    /// Keys of the offer after the command ended.
    pub(super) fn command_done_key(&mut self, item: ItemId, ok: bool, action: Action) -> Step {
        match action {
            Action::Submit => {
                let intent = self.offer_intent(item.clone(), ok, None);
                (Mode::Normal, Some(self.expect(item, intent)))
            }
            Action::Note => (
                Mode::CommandNote {
                    item,
                    ok,
                    editor: Editor::multi(""),
                },
                None,
            ),
            Action::Output => (Mode::Output { scroll: None }, None),
            Action::Cancel => {
                self.info(if ok {
                    "left open: Space ticks it"
                } else {
                    "left as it was: ! marks it failed"
                });
                (Mode::Normal, None)
            }
            _ => (Mode::CommandDone { item, ok }, None),
        }
    }

    /// Keys of the note added to the offer.
    pub(super) fn command_note_key(
        &mut self,
        item: ItemId,
        ok: bool,
        mut editor: Editor,
        action: Action,
    ) -> Step {
        match action {
            Action::Submit => {
                let note = Some(editor.text()).filter(|t| !t.trim().is_empty());
                let intent = self.offer_intent(item.clone(), ok, note);
                (Mode::Normal, Some(self.expect(item, intent)))
            }
            Action::Cancel => (Mode::CommandDone { item, ok }, None),
            Action::ExternalEditor => {
                let text = editor.text();
                (
                    Mode::CommandNote { item, ok, editor },
                    Some(Outcome {
                        external_edit: Some(text),
                        ..Outcome::default()
                    }),
                )
            }
            Action::EditorDone(text) => {
                if let Some(t) = text {
                    editor = Editor::multi(t.trim_end_matches('\n'));
                }
                (Mode::CommandNote { item, ok, editor }, None)
            }
            other => {
                edit(&mut editor, other);
                (Mode::CommandNote { item, ok, editor }, None)
            }
        }
    }

    /// Ctrl-C: interrupts the running command; with none running it quits, as it always did.
    pub(super) fn interrupt(&mut self) -> Option<Outcome> {
        let p = self.pane.as_mut().filter(|p| p.running())?;
        let again = p.interrupting;
        p.interrupting = true;
        let title = p.title.clone();
        if again {
            self.error(&format!("killing “{title}” (SIGKILL to its process group)"));
        } else {
            self.info(&format!(
                "interrupting “{title}”: SIGINT to its process group · Ctrl-C again kills it"
            ));
        }
        Some(Outcome {
            redraw: true,
            command: Some(CommandRequest::Interrupt),
            ..Outcome::default()
        })
    }

    /// Whether quitting must ask first: a command of ours still runs.
    pub(super) fn quit_while_running(&mut self) -> bool {
        let Some(p) = self.pane.as_ref().filter(|p| p.running()) else {
            return false;
        };
        if self.quit_running_armed {
            return false;
        }
        let msg = format!(
            "“{}” is still running: Ctrl-C interrupts it · quit again to interrupt it, record that and leave",
            p.title
        );
        self.quit_running_armed = true;
        self.error(&msg);
        true
    }

    /// `o`: the whole output, full-screen.
    pub(super) fn open_output(&mut self) {
        match self.pane.as_mut() {
            Some(p) => {
                p.docked = true;
                self.mode = Mode::Output { scroll: None };
            }
            None => self.error("no command has run on this screen yet: r runs the item's command"),
        }
    }

    /// Hides the docked pane until the next command (it keeps its output: `o` shows it).
    pub(super) fn hide_output(&mut self) {
        if let Some(p) = self.pane.as_mut() {
            p.docked = false;
        }
        self.ensure_visible();
    }

    /// Keys of the full-screen output view. `scroll`: the first line shown, `None` follows the end.
    pub(super) fn output_key(&mut self, scroll: Option<usize>, action: Action) -> Step {
        let (rows, total) = self.output_view_size();
        let max = total.saturating_sub(rows);
        let at = scroll.unwrap_or(max).min(max);
        let page = rows.saturating_sub(1).max(1);
        let next = |n: usize| if n >= max { None } else { Some(n) };
        let scroll = match action {
            Action::Up => Some(at.saturating_sub(1)),
            Action::Down => next(at + 1),
            Action::PageUp => Some(at.saturating_sub(page)),
            Action::PageDown => next(at + page),
            Action::Top => Some(0),
            Action::Bottom => None,
            Action::Wheel(d) => {
                let n = usize::from(d.unsigned_abs()) * 3;
                if d < 0 {
                    Some(at.saturating_sub(n))
                } else {
                    next(at + n)
                }
            }
            Action::HideOutput => {
                self.hide_output();
                return (Mode::Normal, None);
            }
            Action::Cancel | Action::Output => return (Mode::Normal, None),
            _ => scroll,
        };
        (Mode::Output { scroll }, None)
    }

    /// Rows of output the full-screen view shows at once, and the lines it has.
    pub fn output_view_size(&self) -> (usize, usize) {
        let rows = usize::from(self.size.1.saturating_sub(super::layout::FOOTER + 3)).max(1);
        let total = self.pane.as_ref().map_or(0, |p| p.buffer.len());
        (rows, total)
    }

    /// The item text or section title of a target.
    pub fn target_title(&self, target: &Target) -> String {
        match target {
            Target::Item(id) => self.item_text_of(id),
            Target::Section(k) => exec::find_section(&self.template, k)
                .and_then(|s| self.template.sections.get(s))
                .map_or_else(|| k.clone(), |s| self.subst(&s.title).into_owned()),
        }
    }

    /// Recomputes the unfinished commands after a command event (or an undo / re-base).
    pub(super) fn refresh_commands(&mut self) {
        self.commands.unfinished = unfinished(&self.run);
        let keep: Vec<u64> = self.commands.unfinished.iter().map(|u| u.seq).collect();
        self.commands.live.retain(|s, _| keep.contains(s));
    }

    /// The writer's liveness report: a command whose runsheet stopped is said once.
    pub(super) fn command_liveness(&mut self, list: Vec<CommandLive>) -> Outcome {
        let ours = self
            .pane
            .as_ref()
            .filter(|p| p.running())
            .map(|p| p.started.seq);
        for l in list {
            let before = self.commands.live.insert(l.seq, l);
            let newly_stopped = !l.running && before.is_none_or(|b| b.running);
            if newly_stopped && Some(l.seq) != ours {
                let what = self
                    .commands
                    .unfinished
                    .iter()
                    .find(|u| u.seq == l.seq)
                    .map(|u| (self.target_title(&u.target), u.output.clone()));
                if let Some((title, output)) = what {
                    self.error(&format!(
                        "the command of “{title}” was running when runsheet stopped (seq {}): {} bytes of output saved in {output}; no result was recorded",
                        l.seq, l.saved_bytes
                    ));
                }
            }
        }
        Outcome::redraw()
    }

    /// Commands without a result and whether each still runs: `Some(true)` running, `Some(false)`
    /// its runsheet stopped, `None` not known yet.
    pub fn unfinished_commands(&self) -> impl Iterator<Item = (&Unfinished, Option<bool>)> {
        let ours = self
            .pane
            .as_ref()
            .filter(|p| p.running())
            .map(|p| p.started.seq);
        self.commands.unfinished.iter().map(move |u| {
            let live = if Some(u.seq) == ours {
                Some(true)
            } else {
                self.commands.live.get(&u.seq).map(|l| l.running)
            };
            (u, live)
        })
    }

    /// What the writer found of an unfinished command.
    pub fn command_live(&self, seq: u64) -> Option<&CommandLive> {
        self.commands.live.get(&seq)
    }

    /// Whether the item's command runs now (here or elsewhere).
    pub fn item_running(&self, id: &ItemId) -> bool {
        self.unfinished_commands()
            .any(|(u, live)| live != Some(false) && matches!(&u.target, Target::Item(t) if t == id))
    }
}
