//! Reading a change: every field any change has, in one pass, then the variant its type names.

use super::{Change, CommandEnd, Decision, ExecSetting, Kind, OrphanInfo, rules_v1};
use crate::model::ItemId;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Every field any change has, read in one pass: serde's internally tagged enums buffer each
/// object first, which made replaying a long journal twice as slow.
#[derive(Debug, Deserialize)]
pub(super) struct RawChange {
    #[serde(rename = "type")]
    kind: Kind,
    schema_version: Option<u32>,
    run_id: Option<String>,
    title: Option<String>,
    name: Option<String>,
    template_path: Option<String>,
    template_sha256: Option<String>,
    vars: Option<BTreeMap<String, String>>,
    steps: Option<bool>,
    rules: Option<u32>,
    item: Option<ItemId>,
    note: Option<String>,
    reason: Option<String>,
    signer: Option<String>,
    role: Option<String>,
    decision: Option<Decision>,
    text: Option<String>,
    var: Option<String>,
    column: Option<String>,
    value: Option<String>,
    target: Option<u64>,
    from_sha256: Option<String>,
    to_sha256: Option<String>,
    orphans: Option<Vec<OrphanInfo>>,
    after_no_go: Option<bool>,
    exceptions: Option<String>,
    start: Option<String>,
    zone: Option<String>,
    /// A window's end (RFC 3339) or how a command ended (`exited`, …): one field name, two types.
    end: Option<String>,
    gate: Option<ItemId>,
    offset: Option<u64>,
    len: Option<u64>,
    kept_as: Option<String>,
    sha256: Option<String>,
    problem: Option<String>,
    kept: Option<Vec<String>>,
    dropped_lines: Option<u64>,
    exec: Option<ExecSetting>,
    section: Option<String>,
    command: Option<String>,
    command_sha256: Option<String>,
    shell: Option<String>,
    cwd: Option<String>,
    output: Option<String>,
    timeout_secs: Option<u64>,
    confirmed: Option<String>,
    line: Option<usize>,
    started: Option<u64>,
    exit_code: Option<i32>,
    signal: Option<i32>,
    duration_ms: Option<u64>,
    output_bytes: Option<u64>,
    stored_bytes: Option<u64>,
    output_sha256: Option<String>,
    error: Option<String>,
}

fn need<T>(v: Option<T>, field: &str, kind: Kind) -> Result<T, String> {
    v.ok_or_else(|| format!("a `{kind:?}` change needs `{field}`").to_lowercase())
}

/// A `command_finished` event's `end`, which shares its field name with a window's end.
fn command_end(s: String) -> Result<CommandEnd, String> {
    CommandEnd::parse(&s).ok_or_else(|| {
        format!(
            "a `command_finished` change has end `{s}`: expected exited, killed, interrupted, \
             timed_out or not_started"
        )
    })
}

impl TryFrom<RawChange> for Change {
    type Error = String;

    fn try_from(r: RawChange) -> Result<Change, String> {
        let k = r.kind;
        let item = |i: Option<ItemId>| need(i, "item", k);
        Ok(match k {
            Kind::Start => Change::Start {
                schema_version: need(r.schema_version, "schema_version", k)?,
                run_id: need(r.run_id, "run_id", k)?,
                title: need(r.title, "title", k)?,
                name: r.name,
                template_path: need(r.template_path, "template_path", k)?,
                template_sha256: need(r.template_sha256, "template_sha256", k)?,
                vars: r.vars.unwrap_or_default(),
                steps: r.steps.unwrap_or(false),
                rules: r.rules.unwrap_or_else(rules_v1),
                exec: r.exec,
            },
            Kind::Tick => Change::Tick {
                item: item(r.item)?,
                note: r.note,
                after_no_go: r.after_no_go.unwrap_or(false),
            },
            Kind::Untick => Change::Untick {
                item: item(r.item)?,
                note: r.note,
            },
            Kind::Skip => Change::Skip {
                item: item(r.item)?,
                reason: need(r.reason, "reason", k)?,
            },
            Kind::Na => Change::Na {
                item: item(r.item)?,
                reason: need(r.reason, "reason", k)?,
            },
            Kind::Fail => Change::Fail {
                item: item(r.item)?,
                note: need(r.note, "note", k)?,
            },
            Kind::Sign => Change::Sign {
                item: item(r.item)?,
                signer: need(r.signer, "signer", k)?,
                role: r.role,
                after_no_go: r.after_no_go.unwrap_or(false),
            },
            Kind::Gate => Change::Gate {
                item: item(r.item)?,
                decision: need(r.decision, "decision", k)?,
                reason: r.reason,
                after_no_go: r.after_no_go.unwrap_or(false),
            },
            Kind::Note => Change::Note {
                item: item(r.item)?,
                text: need(r.text, "text", k)?,
            },
            Kind::Field => Change::Field {
                item: item(r.item)?,
                column: need(r.column, "column", k)?,
                value: need(r.value, "value", k)?,
            },
            Kind::Set => Change::Set {
                var: need(r.var, "var", k)?,
                value: need(r.value, "value", k)?,
            },
            Kind::Undo => Change::Undo {
                target: need(r.target, "target", k)?,
            },
            Kind::Rebase => Change::Rebase {
                from_sha256: need(r.from_sha256, "from_sha256", k)?,
                to_sha256: need(r.to_sha256, "to_sha256", k)?,
                orphans: r.orphans.unwrap_or_default(),
            },
            Kind::Finish => Change::Finish {
                reason: r.reason,
                exceptions: r.exceptions,
            },
            Kind::Abort => Change::Abort {
                reason: need(r.reason, "reason", k)?,
            },
            Kind::Window => Change::Window {
                start: need(r.start, "start", k)?,
                zone: need(r.zone, "zone", k)?,
                end: r.end,
                reason: need(r.reason, "reason", k)?,
            },
            Kind::Hold => Change::Hold {
                reason: need(r.reason, "reason", k)?,
                gate: r.gate,
            },
            Kind::Resume => Change::Resume {
                reason: need(r.reason, "reason", k)?,
            },
            Kind::TornTail => Change::TornTail {
                offset: need(r.offset, "offset", k)?,
                len: need(r.len, "len", k)?,
                kept_as: need(r.kept_as, "kept_as", k)?,
                sha256: need(r.sha256, "sha256", k)?,
            },
            Kind::Repair => Change::Repair {
                problem: need(r.problem, "problem", k)?,
                kept: r.kept.unwrap_or_default(),
                dropped_lines: r.dropped_lines.unwrap_or(0),
            },
            Kind::CommandStarted => Change::CommandStarted {
                item: r.item,
                section: r.section,
                command: need(r.command, "command", k)?,
                command_sha256: need(r.command_sha256, "command_sha256", k)?,
                shell: need(r.shell, "shell", k)?,
                cwd: need(r.cwd, "cwd", k)?,
                output: need(r.output, "output", k)?,
                timeout_secs: need(r.timeout_secs, "timeout_secs", k)?,
                confirmed: need(r.confirmed, "confirmed", k)?,
                line: r.line.unwrap_or(0),
            },
            Kind::CommandFinished => Change::CommandFinished {
                item: r.item,
                section: r.section,
                started: need(r.started, "started", k)?,
                end: command_end(need(r.end, "end", k)?)?,
                exit_code: r.exit_code,
                signal: r.signal,
                duration_ms: need(r.duration_ms, "duration_ms", k)?,
                output_bytes: need(r.output_bytes, "output_bytes", k)?,
                stored_bytes: need(r.stored_bytes, "stored_bytes", k)?,
                output_sha256: need(r.output_sha256, "output_sha256", k)?,
                error: r.error,
            },
        })
    }
}
