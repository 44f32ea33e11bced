//! Closed-loop steps: running an item's (or a section's) command from the checklist, with the
//! operator's confirmation, and keeping its exit status and output as part of the record.
//!
//! The pieces, in the order a front end (the `exec` command, the screen) uses them:
//!
//! 1. [`prepare`] (pure): what exactly will run — the blocks in a shell language put together,
//!    `console` prompts stripped, variables substituted, secrets masked in the text shown — plus
//!    the shell, directory, time limit, `# Expected:` comments and whether the operator must type
//!    the item's code back ([`Prepared::needs_code`]). Refuses when running is off, the run is
//!    closed, a variable has no value, the shell or directory is missing.
//! 2. [`record::start`]: creates the output file and appends `command_started` (checked under the
//!    journal lock: not while the same command runs elsewhere). Nothing runs before it is durable.
//! 3. [`spawn::spawn`]: runs it in its own session and process group with the time limit; output
//!    arrives as [`spawn::ExecEvent::Output`] (clean text, also written to the output file), then
//!    one [`spawn::ExecEvent::Finished`]. [`spawn::Running::interrupt`] is the screen's Ctrl-C.
//! 4. [`record::finish`]: appends `command_finished` (exit status or signal, duration, output size
//!    and SHA-256). Then the front end offers (or does) the tick or the failure.
//!
//! [`buffer::OutputBuffer`] is the output pane's bounded model. See `docs/commands.md`.

pub mod buffer;
pub mod clean;
pub mod command;
pub mod output;
pub mod record;
pub mod secrets;
pub mod settings;
pub mod spawn;

use crate::model::{CodeBlock, ItemId, ItemKind, Template};
use crate::run::Run;
use crate::run::intent::{ItemQueryError, find_item};
use crate::run::vars::{names_in, substitute};
use command::Interpreter;
use secrets::Secrets;
use settings::Settings;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a command belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// An item, by id.
    Item(ItemId),
    /// A section, by [`section_key`].
    Section(String),
}

impl Target {
    /// The item id or section key (`RUNSHEET_ITEM`).
    pub fn key(&self) -> &str {
        match self {
            Target::Item(id) => id.as_str(),
            Target::Section(k) => k,
        }
    }

    /// The short code an operator types back to run a destructive block: the id's hash part (the
    /// eight hex digits after the last `-`).
    pub fn short_code(&self) -> &str {
        let k = self.key();
        k.rsplit('-').next().filter(|s| !s.is_empty()).unwrap_or(k)
    }

    /// `(item, section)` as the events spell them.
    pub fn as_event_fields(&self) -> (Option<ItemId>, Option<String>) {
        match self {
            Target::Item(id) => (Some(id.clone()), None),
            Target::Section(k) => (None, Some(k.clone())),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A stable key for a section's command: `§` + slug of its title + 8 hex digits of the SHA-256 of
/// its heading path (titles as written, normalised).
pub fn section_key(template: &Template, index: usize) -> String {
    let path = template.section_path(index);
    let joined: Vec<String> = path
        .iter()
        .map(|t| crate::template::ids::normalize(t))
        .collect();
    let hash = crate::run::event::sha256_hex(joined.join("\u{1f}").as_bytes());
    let title = path.last().copied().unwrap_or("");
    let slug = crate::template::ids::slug(title);
    let slug = if slug.is_empty() { "section" } else { &slug };
    format!("§{slug}-{}", &hash[..8])
}

/// The section whose key is `key`.
pub fn find_section(template: &Template, key: &str) -> Option<usize> {
    (0..template.sections.len()).find(|&i| section_key(template, i) == key)
}

/// Whether a body (an item's or a section's) has a block that runs.
pub fn runnable(blocks: &[crate::model::Block]) -> bool {
    blocks.iter().any(|b| match b {
        crate::model::Block::Code(c) => command::is_runnable(c),
        _ => false,
    })
}

fn code_of(blocks: &[crate::model::Block]) -> Vec<&CodeBlock> {
    blocks
        .iter()
        .filter_map(|b| match b {
            crate::model::Block::Code(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// Resolves an `ITEM` argument: an item (id or unique text, as for `tick`); failing that, a section
/// with a command (its key, or a unique part of its title).
pub fn find_target(template: &Template, run: &Run, query: &str) -> Result<Target, ItemQueryError> {
    let item_err = match find_item(run, template, query) {
        Ok(id) => return Ok(Target::Item(id)),
        Err(e) => e,
    };
    if !matches!(item_err, ItemQueryError::NoMatch(_)) {
        return Err(item_err);
    }
    let q = query.trim().to_lowercase();
    let mut hits: Vec<(String, String)> = Vec::new();
    for (i, s) in template.sections.iter().enumerate() {
        if !runnable(&s.body) {
            continue;
        }
        let key = section_key(template, i);
        if key == query.trim() {
            return Ok(Target::Section(key));
        }
        if !q.is_empty() && s.title.to_lowercase().contains(&q) {
            hits.push((key, s.title.clone()));
        }
    }
    match hits.len() {
        0 => Err(item_err),
        1 => Ok(Target::Section(hits.swap_remove(0).0)),
        _ => Err(ItemQueryError::Ambiguous {
            query: query.trim().to_owned(),
            candidates: hits,
        }),
    }
}

/// Text that must not be printed by accident: the real script (with secret values) and
/// environment values. `Debug` shows its length only.
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(String);

impl Hidden {
    /// Wraps text that must not be printed by accident.
    pub fn new(text: impl Into<String>) -> Hidden {
        Hidden(text.into())
    }

    /// The real text, for the child process only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hidden({} bytes)", self.0.len())
    }
}

/// Everything about a command before it runs: what to show the operator, and what to run.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What it belongs to.
    pub target: Target,
    /// The item's text or the section's title (variables substituted, secrets masked).
    pub title: String,
    /// Kind of the item (sections: task).
    pub kind: ItemKind,
    /// Exactly what runs, as shown and recorded: variables substituted, secrets masked.
    pub text: String,
    /// The real script.
    pub script: Hidden,
    /// The interpreter.
    pub program: PathBuf,
    /// Its arguments before the script (`-e`, `-c`).
    pub args: Vec<String>,
    /// Directory it runs in.
    pub cwd: PathBuf,
    /// Where the directory came from (`where the run was started`, `template exec-cwd`, …).
    pub cwd_source: &'static str,
    /// Extra environment (`RUNSHEET_RUN`, `RUNSHEET_ITEM`, `RUNSHEET_VAR_*`), values hidden.
    pub env: Vec<(String, Hidden)>,
    /// Secret values, masked in everything shown or kept.
    pub secrets: Secrets,
    /// The code to type back before a destructive block runs.
    pub needs_code: Option<String>,
    /// `# Expected:` comments, to show beside the result.
    pub expected: Vec<String>,
    /// Time limit.
    pub timeout: Duration,
    /// Where the time limit came from.
    pub timeout_source: &'static str,
    /// Tick the item when it exits 0 (block flag `auto-tick`, template `exec-auto-tick`, or config).
    pub auto_tick: bool,
    /// Template line of the first block.
    pub line: usize,
    /// Things the operator should know (several blocks, skipped blocks, …).
    pub notes: Vec<String>,
}

impl Prepared {
    /// `/usr/bin/bash -e -c`.
    pub fn shell(&self) -> String {
        let mut s = self.program.display().to_string();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }

    /// SHA-256 of [`Prepared::text`] (recorded with it).
    pub fn text_sha256(&self) -> String {
        crate::run::event::sha256_hex(self.text.as_bytes())
    }

    /// Checks the code typed back for a destructive block (anything passes when none is needed).
    pub fn check_code(&self, typed: Option<&str>) -> Result<(), PrepareError> {
        match (&self.needs_code, typed.map(str::trim)) {
            (None, _) => Ok(()),
            (Some(code), Some(t)) if t.eq_ignore_ascii_case(code) => Ok(()),
            (Some(code), typed) => Err(PrepareError::WrongCode {
                title: self.title.clone(),
                code: code.clone(),
                given: typed.is_some(),
            }),
        }
    }

    /// The confirmation text: what, where, how long, the exact text, what is expected.
    pub fn preview(&self) -> String {
        use fmt::Write as _;
        let mut o = String::new();
        let what = match &self.target {
            Target::Item(id) => format!("item {id}"),
            Target::Section(k) => format!("section {k}"),
        };
        let _ = writeln!(o, "“{}” ({what}, template line {})", self.title, self.line);
        let e = if self.args.iter().any(|a| a == "-e") {
            "   (stops at the first failing command)"
        } else {
            ""
        };
        let _ = writeln!(o, "  shell:  {}{e}", self.shell());
        let _ = writeln!(
            o,
            "  in:     {}   ({})",
            self.cwd.display(),
            self.cwd_source
        );
        let _ = writeln!(
            o,
            "  limit:  {}   ({})",
            settings::show_duration(self.timeout),
            self.timeout_source
        );
        for n in &self.notes {
            let _ = writeln!(o, "  note:   {n}");
        }
        let _ = writeln!(o, "  ────────");
        for l in self.text.lines() {
            let _ = writeln!(o, "  {l}");
        }
        let _ = writeln!(o, "  ────────");
        for x in &self.expected {
            let _ = writeln!(o, "  expected: {x}");
        }
        if self.needs_code.is_some() {
            let _ = writeln!(
                o,
                "  DESTRUCTIVE: marked in the template; type the item's code to run it"
            );
        }
        o
    }
}

/// Why a command cannot be prepared (nothing was recorded or run).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    /// Running commands is turned off.
    #[error("running commands is turned off {0}")]
    Disabled(String),
    /// The run takes no more changes.
    #[error("run {id} is {status}: it runs no more commands")]
    Closed {
        /// Run id.
        id: String,
        /// `completed` or `aborted`.
        status: &'static str,
    },
    /// No such item or section in the template.
    #[error("no item or section {0} in the template this run follows")]
    Unknown(String),
    /// Nothing runnable.
    #[error("“{title}” has no command to run: {why}")]
    NoCommand {
        /// Item text or section title.
        title: String,
        /// What its blocks are.
        why: String,
    },
    /// Variables without a value.
    #[error("{}", missing_message(.names, .secrets))]
    MissingVars {
        /// Ordinary variables (`runsheet set`).
        names: Vec<String>,
        /// Secret variables (`--secret NAME`).
        secrets: Vec<String>,
    },
    /// The shell the block names is not installed.
    #[error("{0}")]
    NoShell(String),
    /// The directory is missing.
    #[error("the directory {path} ({source_name}) {why}")]
    NoDir {
        /// It.
        path: String,
        /// Where it came from.
        source_name: &'static str,
        /// What is wrong.
        why: String,
    },
    /// A flag, front matter value or setting is malformed.
    #[error("{0}")]
    Invalid(String),
    /// A destructive block and no (or a wrong) code.
    #[error("“{title}” is marked destructive: {}", if *.given { format!("the code typed is not {code}; nothing was run") } else { format!("type its code {code} to run it (--confirm {code})") })]
    WrongCode {
        /// Item text.
        title: String,
        /// The code.
        code: String,
        /// Whether one was typed.
        given: bool,
    },
}

fn missing_message(names: &[String], secrets: &[String]) -> String {
    let mut parts = Vec::new();
    if !names.is_empty() {
        parts.push(format!(
            "variables without a value: {} (set them with `runsheet set RUN NAME VALUE`)",
            names.join(", ")
        ));
    }
    if !secrets.is_empty() {
        parts.push(format!(
            "secret variables without a value: {} (give them with --secret NAME: read from $RUNSHEET_SECRET_NAME, or asked on a terminal)",
            secrets.join(", ")
        ));
    }
    format!("cannot run: {}", parts.join("; "))
}

/// Shells that take `-e` (stop at the first failing command).
const POSIX_SHELLS: [&str; 9] = [
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "busybox",
];

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "on" | "1"
    )
}

/// Works out exactly what would run for `target`, or why it cannot. Pure apart from looking at the
/// file system (the shell, the directory) and `$SHELL`/`$PATH`.
pub fn prepare(
    template: &Template,
    run: &Run,
    target: &Target,
    settings: &Settings,
    secrets: &Secrets,
) -> Result<Prepared, PrepareError> {
    if let Some(e) = run.exec.as_ref().filter(|e| !e.enabled) {
        return Err(PrepareError::Disabled(format!(
            "for this run (when it was created, by {})",
            e.off_by.as_deref().unwrap_or("its settings")
        )));
    }
    if !settings.enabled {
        return Err(PrepareError::Disabled(format!(
            "here ({}): `[exec] enabled = false` in the configuration or --no-exec",
            settings.off_by.as_deref().unwrap_or("settings")
        )));
    }
    if !run.is_active() {
        return Err(PrepareError::Closed {
            id: run.id.clone(),
            status: run.lifecycle.as_str(),
        });
    }
    let (title, kind, blocks) = match target {
        Target::Item(id) => {
            let item = template
                .item(id)
                .ok_or_else(|| PrepareError::Unknown(id.to_string()))?;
            (item.text.as_str(), item.kind, code_of(&item.body))
        }
        Target::Section(key) => {
            let i =
                find_section(template, key).ok_or_else(|| PrepareError::Unknown(key.clone()))?;
            let s = &template.sections[i];
            (s.title.as_str(), ItemKind::Task, code_of(&s.body))
        }
    };
    let values = run.var_values();
    let shown_title = secrets.mask(&substitute(title, &values)).into_owned();
    let Some(script) = command::script(blocks.iter().copied()) else {
        let why = if blocks.is_empty() {
            "it has no code block".to_owned()
        } else {
            let langs: Vec<String> = blocks
                .iter()
                .map(|b| b.lang.as_deref().unwrap_or("none").to_owned())
                .collect();
            format!(
                "its code blocks are {} (runsheet runs bash, sh, zsh, console, shell or unmarked blocks)",
                langs.join(", ")
            )
        };
        return Err(PrepareError::NoCommand {
            title: shown_title,
            why,
        });
    };

    // Variables: ordinary ones from the run, secret ones given for this command only.
    let declared_secret: Vec<&str> = template.secret_variables();
    let mut missing = Vec::new();
    let mut missing_secret = Vec::new();
    for name in names_in(&script.text) {
        let known = secrets.get(name).is_some() || values.contains_key(name);
        if known {
            continue;
        }
        let list = if declared_secret.contains(&name) {
            &mut missing_secret
        } else {
            &mut missing
        };
        if !list.iter().any(|n: &String| n == name) {
            list.push(name.to_owned());
        }
    }
    if !missing.is_empty() || !missing_secret.is_empty() {
        return Err(PrepareError::MissingVars {
            names: missing,
            secrets: missing_secret,
        });
    }
    let mut real: BTreeMap<&str, &str> = values.clone();
    for (n, v) in secrets.pairs() {
        real.insert(n, v);
    }
    let tokens: Vec<(String, String)> = secrets
        .names()
        .map(|n| (n.to_owned(), secrets::token(n)))
        .collect();
    let mut shown_values: BTreeMap<&str, &str> = values
        .iter()
        .filter(|(k, _)| secrets.get(k).is_none())
        .map(|(k, v)| (*k, *v))
        .collect();
    for (n, t) in &tokens {
        shown_values.insert(n.as_str(), t.as_str());
    }
    let script_text = substitute(&script.text, &real).into_owned();
    let text = secrets
        .mask(&substitute(&script.text, &shown_values))
        .into_owned();
    let expected = command::expected(&text);

    // Shell.
    let program = match script.interpreter {
        Interpreter::Operator => std::env::var_os("SHELL")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() && p.is_file())
            .unwrap_or_else(|| PathBuf::from("/bin/sh")),
        Interpreter::Named(name) => find_in_path(name).ok_or_else(|| {
            PrepareError::NoShell(format!(
                "the block at template line {} is {name}, and {name} is not installed here (not on $PATH)",
                script.line
            ))
        })?,
    };
    let base = program
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut args = Vec::new();
    if settings.errexit && POSIX_SHELLS.contains(&base.as_str()) {
        args.push("-e".to_owned());
    }
    args.push("-c".to_owned());

    // Directory.
    let start_dir = run.exec.as_ref().map(|e| PathBuf::from(&e.cwd));
    let (cwd, cwd_source) = if let Some(c) = &settings.cwd {
        (c.clone(), "configuration or --cwd")
    } else if let Some(c) = template.meta("exec-cwd").filter(|c| !c.is_empty()) {
        let p = settings::expand_home(&substitute(c, &values));
        let p = match (&start_dir, p.is_relative()) {
            (Some(base), true) => base.join(p),
            _ => p,
        };
        (p, "the template's exec-cwd")
    } else if let Some(d) = start_dir.filter(|d| !d.as_os_str().is_empty()) {
        (d, "where the run was started")
    } else {
        (
            std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            "the current directory: the run did not record where it was started",
        )
    };
    check_dir(&cwd, cwd_source)?;

    // Time limit.
    let block_timeout = blocks
        .iter()
        .filter(|b| command::is_runnable(b))
        .find_map(|b| command::flag_value(b, "timeout").map(|v| (b.line, v)));
    let (timeout, timeout_source) = if let Some(t) = settings.timeout_override {
        (t, "--timeout")
    } else if let Some((line, v)) = block_timeout {
        let t = settings::parse_duration(v)
            .map_err(|e| PrepareError::Invalid(format!("template line {line}: timeout={e}")))?;
        (t, "the block's timeout= flag")
    } else if let Some(v) = template.meta("exec-timeout") {
        let t = settings::parse_duration(v)
            .map_err(|e| PrepareError::Invalid(format!("front matter exec-timeout: {e}")))?;
        (t, "the template's exec-timeout")
    } else if let Some(t) = settings.config_timeout {
        (t, "[exec] timeout in the configuration")
    } else {
        (settings::DEFAULT_TIMEOUT, "the default")
    };

    let auto_tick = kind == ItemKind::Task
        && matches!(target, Target::Item(_))
        && (blocks.iter().any(|b| command::has_flag(b, "auto-tick"))
            || template.meta("exec-auto-tick").is_some_and(truthy)
            || settings.auto_tick);

    let mut env = vec![
        ("RUNSHEET_RUN".to_owned(), Hidden(run.id.clone())),
        ("RUNSHEET_ITEM".to_owned(), Hidden(target.key().to_owned())),
    ];
    for (k, v) in &real {
        env.push((secrets::env_name(k), Hidden((*v).to_owned())));
    }
    Ok(Prepared {
        target: target.clone(),
        title: shown_title,
        kind,
        text,
        script: Hidden(script_text),
        program,
        args,
        cwd,
        cwd_source,
        env,
        secrets: secrets.clone(),
        needs_code: script.destructive.then(|| target.short_code().to_owned()),
        expected,
        timeout,
        timeout_source,
        auto_tick,
        line: script.line,
        notes: script.notes,
    })
}

fn check_dir(path: &Path, source_name: &'static str) -> Result<(), PrepareError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(PrepareError::NoDir {
            path: path.display().to_string(),
            source_name,
            why: "is not a directory".to_owned(),
        }),
        Err(e) => Err(PrepareError::NoDir {
            path: path.display().to_string(),
            source_name,
            why: format!("cannot be used: {e}"),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
