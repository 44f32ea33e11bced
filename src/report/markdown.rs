//! `report --format md`: the record of a run as Markdown, ready for a change ticket.

use super::ItemJson;
use super::json::ReportJson;
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `2026-11-23 21:04:05 +01:00 (20:04:05 UTC)` from an RFC 3339 string.
fn when(s: &str) -> String {
    DateTime::parse_from_rfc3339(s).map_or_else(|_| s.to_owned(), |t| super::local_and_utc(&t))
}

fn opt_when(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "—".to_owned(), when)
}

fn mark(state: &str) -> &'static str {
    match state {
        "done" | "signed" | "go" => "[x]",
        "open" => "[ ]",
        _ => "[-]",
    }
}

fn who(i: &ItemJson) -> String {
    match (&i.actor, &i.at) {
        (Some(a), Some(at)) => format!("{} ({}@{}), {}", a.name, a.user, a.host, when(at)),
        _ if i.prechecked => "checked in the template".to_owned(),
        _ => String::new(),
    }
}

/// Renders the report.
pub fn render(r: &ReportJson) -> String {
    let mut o = String::new();
    let run = &r.run;
    let _ = writeln!(o, "# Run record: {}\n", run.title);
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| Run | `{}` |", run.id);
    let _ = writeln!(
        o,
        "| Template | {} (`{}`) |",
        cell(&run.template_title),
        cell(&run.template_path)
    );
    let _ = writeln!(o, "| Template SHA-256 | `{}` |", run.base_sha256);
    if run.base_sha256 != run.template_sha256 {
        let _ = writeln!(o, "| Template at start | `{}` |", run.template_sha256);
    }
    if let Some(d) = &run.drift_sha256 {
        let _ = writeln!(
            o,
            "| Template file now | `{d}` (changed since; not re-based) |"
        );
    }
    let _ = writeln!(o, "| Outcome | **{}** |", run.outcome);
    if let Some(reason) = &run.abort_reason {
        let _ = writeln!(o, "| Abort reason | {} |", cell(reason));
    }
    let _ = writeln!(o, "| Window start | {} |", when(&run.started_at));
    let _ = writeln!(o, "| Window end | {} |", opt_when(&run.ended_at));
    let ops: Vec<String> = r
        .operators
        .iter()
        .map(|a| format!("{} ({}@{})", a.name, a.user, a.host))
        .collect();
    let _ = writeln!(o, "| Operators | {} |", cell(&ops.join(", ")));
    let p = &r.progress;
    let _ = writeln!(
        o,
        "| Progress | {}/{} ({} exceptions) |",
        p.done, p.total, p.exceptions
    );
    for (k, v) in &run.variables {
        let _ = writeln!(o, "| `{{{{ {k} }}}}` | {} |", cell(v));
    }
    let _ = writeln!(
        o,
        "| Journal head | seq {} `{}` |\n",
        r.journal.seq, r.journal.head
    );
    for w in &run.warnings {
        let _ = writeln!(o, "> **Warning:** {}\n", w.replace('\n', " "));
    }

    let _ = writeln!(o, "## Sections\n");
    for s in r.sections.iter().filter(|s| s.total > 0) {
        let hashes = "#".repeat(usize::from(s.level.clamp(1, 4)) + 2);
        let _ = writeln!(o, "{hashes} {} ({}/{})\n", s.title, s.done, s.total);
        if s.planned_time.is_some() || s.first_change.is_some() {
            let _ = writeln!(
                o,
                "Planned {} · actual {} – {}{}\n",
                s.planned_time.as_deref().unwrap_or("—"),
                opt_when(&s.first_change),
                opt_when(&s.last_change),
                s.duration_minutes
                    .map_or_else(String::new, |m| format!(" ({m} min)"))
            );
        }
        for it in &s.items {
            let i = &it.item;
            let _ = write!(o, "- {} {} — **{}**", mark(i.state), i.text, i.state);
            let w = who(i);
            if !w.is_empty() {
                let _ = write!(o, " · {w}");
            }
            let _ = writeln!(o, " `{}`", i.id);
            if let Some(r) = &i.reason {
                let _ = writeln!(o, "  - reason: {}", r.replace('\n', " "));
            }
            for n in &i.notes {
                let _ = writeln!(
                    o,
                    "  - note ({}, {}): {}",
                    n.by,
                    when(&n.at),
                    n.text.replace('\n', " ")
                );
            }
            for c in &it.code {
                let fence = if c.text.contains("```") {
                    "~~~~"
                } else {
                    "```"
                };
                let _ = writeln!(
                    o,
                    "\n  {fence}{}\n{}\n  {fence}\n",
                    c.lang.as_deref().unwrap_or(""),
                    c.text
                        .lines()
                        .map(|l| format!("  {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
        let _ = writeln!(o);
    }

    table(
        &mut o,
        "Sign-offs",
        &r.signoffs,
        &["Role", "Item", "Signer", "State", "When"],
        |i| {
            vec![
                i.role.clone().unwrap_or_default(),
                i.text.clone(),
                i.signer.clone().unwrap_or_default(),
                i.state.to_owned(),
                i.at.as_deref().map(when).unwrap_or_default(),
            ]
        },
    );
    table(
        &mut o,
        "Gate decisions",
        &r.gates,
        &["Gate", "Decision", "Reason", "By", "When"],
        |i| {
            vec![
                i.text.clone(),
                i.state.to_uppercase(),
                i.reason.clone().unwrap_or_default(),
                i.by.clone().unwrap_or_default(),
                i.at.as_deref().map(when).unwrap_or_default(),
            ]
        },
    );
    table(
        &mut o,
        "Skipped, n/a and failed",
        &r.exceptions,
        &["Item", "State", "Reason", "By", "When"],
        |i| {
            vec![
                i.text.clone(),
                i.state.to_owned(),
                i.reason.clone().unwrap_or_default(),
                i.by.clone().unwrap_or_default(),
                i.at.as_deref().map(when).unwrap_or_default(),
            ]
        },
    );
    let timed: Vec<_> = r
        .sections
        .iter()
        .filter(|s| s.planned_time.is_some())
        .collect();
    if !timed.is_empty() {
        let _ = writeln!(
            o,
            "## Planned vs actual\n\n| Section | Planned | Started | Late (min) | Duration (min) |\n|---|---|---|---|---|"
        );
        for s in timed {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                cell(&s.title),
                s.planned_time.as_deref().unwrap_or(""),
                opt_when(&s.first_change),
                s.late_minutes.map(|m| m.to_string()).unwrap_or_default(),
                s.duration_minutes
                    .map(|m| m.to_string())
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(o);
    }
    table(
        &mut o,
        "Orphaned items (no longer in the template)",
        &r.orphans,
        &["Item", "Old section", "State", "By", "When"],
        |i| {
            vec![
                i.text.clone(),
                i.section.clone(),
                i.state.to_owned(),
                i.by.clone().unwrap_or_default(),
                i.at.as_deref().map(when).unwrap_or_default(),
            ]
        },
    );
    let _ = writeln!(
        o,
        "## Timeline\n\n| Seq | Local | UTC | By | Event | Item | Detail |\n|---|---|---|---|---|---|---|"
    );
    for t in &r.timeline {
        let local = DateTime::parse_from_rfc3339(&t.at).map_or_else(
            |_| t.at.clone(),
            |d| d.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
        );
        let utc = DateTime::parse_from_rfc3339(&t.at_utc).map_or_else(
            |_| t.at_utc.clone(),
            |d| d.with_timezone(&Utc).format("%H:%M:%S").to_string(),
        );
        let _ = writeln!(
            o,
            "| {} | {local} | {utc} | {} ({}@{}) | {} | {} | {} |",
            t.seq,
            cell(&t.by),
            cell(&t.actor.user),
            cell(&t.actor.host),
            t.kind,
            cell(t.text.as_deref().unwrap_or("")),
            cell(t.detail.as_deref().unwrap_or(""))
        );
    }
    let _ = writeln!(
        o,
        "\n## Journal\n\nHead of the hash chain (seq {}, {} events): `{}`\n\n`runsheet verify {}` re-checks it.",
        r.journal.seq, r.journal.events, r.journal.head, run.id
    );
    o
}

fn table(
    o: &mut String,
    title: &str,
    rows: &[ItemJson],
    head: &[&str],
    f: impl Fn(&ItemJson) -> Vec<String>,
) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "## {title}\n\n| {} |\n|{}",
        head.join(" | "),
        "---|".repeat(head.len())
    );
    for r in rows {
        let cells: Vec<String> = f(r).iter().map(|c| cell(c)).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(o);
}
