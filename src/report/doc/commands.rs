//! The record's commands: one summary row per command run from the checklist (result, duration,
//! who, the output file checked against its digest, verified by command), then each command with
//! its exact text, what happened to it, the last lines of its output and, where the report embeds
//! it, the whole output.

use super::{Body, Cell, CommandRun, Commands, Heading, Inline, Part, Row, Table};
use crate::report::commands::CommandRow;
use crate::report::json::ReportJson;
use crate::report::when;

/// CSS class of a command's result badge.
fn class(r: &CommandRow) -> &'static str {
    match r.state {
        "running" => "open",
        "stopped" => "skipped",
        _ if r.succeeded() => "done",
        _ => "failed",
    }
}

fn summary(r: &CommandRow) -> Row {
    let bytes = r.stored_bytes.or(r.output_saved_bytes).unwrap_or(0);
    let check = r.check_text();
    Row {
        cells: vec![
            Cell::Text(r.seq.to_string()),
            Cell::Text(r.text.clone()),
            Cell::State(class(r), r.result()),
            Cell::Text(r.duration()),
            Cell::Text(format!("{}, {}", r.by.describe(), when(&r.started_at))),
            Cell::Rich(vec![
                Inline::Text(format!("{bytes} bytes")),
                Inline::Text(if check.is_empty() {
                    String::new()
                } else {
                    format!(" ({check})")
                }),
            ]),
            Cell::Hash(r.output_sha256.clone().unwrap_or_else(|| "—".to_owned())),
            Cell::Text(if r.verified_by_command { "yes" } else { "" }.to_owned()),
        ],
        class: None,
    }
}

fn run(r: &CommandRow) -> CommandRun {
    let heading = Heading {
        level: 3,
        text: format!("seq {}: {} — {}", r.seq, r.text, r.result()),
        failed: class(r) == "failed",
        part: None,
    };
    let mut body = vec![Body::Para(vec![
        Inline::Code(r.shell.clone()),
        Inline::Text(" in ".to_owned()),
        Inline::Code(r.cwd.clone()),
        Inline::Text(format!(
            " · limit {} · confirmed: {} · command SHA-256 ",
            crate::exec::settings::show_duration(std::time::Duration::from_secs(r.timeout_secs)),
            r.confirmed
        )),
        Inline::Code(r.command_sha256.clone()),
    ])];
    body.push(Body::Code(Some("sh".to_owned()), r.command.clone()));
    if let Some(e) = &r.error {
        body.push(Body::Para(vec![
            Inline::Strong("Error:".to_owned()),
            Inline::Text(format!(" {}", e.replace('\n', " "))),
        ]));
    }
    match r.state {
        "stopped" => body.push(Body::Para(vec![Inline::Strong(format!(
            "The command was running when runsheet stopped: no result was recorded; {} bytes of \
             output were saved in {}.",
            r.output_saved_bytes.unwrap_or(0),
            r.output
        ))])),
        "running" => body.push(Body::Para(vec![Inline::Strong(format!(
            "Still running when this report was made (its runsheet holds {}).",
            r.output
        ))])),
        _ => {}
    }
    if !r.output_tail.is_empty() {
        body.push(Body::Para(vec![Inline::Text(format!(
            "Last {} lines of output ({}):",
            r.output_tail.len(),
            r.output
        ))]));
        body.push(Body::Code(
            Some("text".to_owned()),
            r.output_tail.join("\n"),
        ));
    }
    let full = r.full_output.as_ref().map(|text| {
        (
            format!("Full output ({} bytes, {})", text.len(), r.output),
            text.clone(),
        )
    });
    CommandRun {
        heading,
        body,
        full,
    }
}

/// The commands part (nothing when no command was run).
pub(super) fn commands(r: &ReportJson, parts: &mut Vec<Part>) {
    if r.commands.is_empty() {
        return;
    }
    let table = Table {
        id: "commands",
        title: None,
        align: Vec::new(),
        head: [
            "Seq",
            "Item",
            "Result",
            "Duration",
            "By, when",
            "Output",
            "Output SHA-256",
            "Verified by command",
        ]
        .iter()
        .map(|h| (*h).to_owned())
        .collect(),
        rows: r.commands.iter().map(summary).collect(),
    };
    let runs = r.commands.iter().map(run).collect();
    parts.push(Part::Commands(Commands {
        title: "Commands run".to_owned(),
        table,
        runs,
    }));
}
