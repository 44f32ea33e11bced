//! `report --format md`: the record of a run as Markdown, ready for a change ticket.

use super::ItemJson;
use super::json::ReportJson;
use super::timeline::{Span, Timeline};
use chrono::{DateTime, Duration, FixedOffset, Utc};
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

/// Renders the report, judging overdue sections of an active run against the current time.
pub fn render(r: &ReportJson) -> String {
    render_at(r, Utc::now())
}

/// Renders the report as of `now` (the now-line and overdue marks of an active run).
pub fn render_at(r: &ReportJson, now: DateTime<Utc>) -> String {
    let timeline = Timeline::from_report(r, now);
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

    gantt(&mut o, &r.run.title, &timeline);

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
            for f in i.fields.iter().filter(|f| !f.value.is_empty()) {
                let by =
                    f.by.as_ref()
                        .map_or_else(String::new, |b| format!(" ({b})"));
                let _ = writeln!(o, "  - {}: {}{by}", f.name, f.value);
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
        &[
            "Role",
            "Item",
            "Signer",
            "OS user@host",
            "State",
            "When (local, UTC)",
        ],
        |i| {
            vec![
                i.role.clone().unwrap_or_default(),
                i.text.clone(),
                i.signer.clone().unwrap_or_default(),
                i.actor
                    .as_ref()
                    .map(|a| format!("{}@{}", a.user, a.host))
                    .unwrap_or_default(),
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
    let timed: Vec<_> = timeline
        .lanes
        .iter()
        .filter(|l| l.planned.is_some())
        .collect();
    if !timed.is_empty() {
        let _ = writeln!(
            o,
            "## Planned vs actual\n\n| Section | Planned | Slot ends | Started | Late (min) | Duration (min) | Status |\n|---|---|---|---|---|---|---|"
        );
        for l in timed {
            let Some(s) = r.sections.get(l.section) else {
                continue;
            };
            let status = if l.overdue {
                "**overdue**"
            } else if l.complete() {
                "on time"
            } else {
                "open"
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {status} |",
                cell(&s.title),
                s.planned_time.as_deref().unwrap_or(""),
                l.planned
                    .map(|p| p.end.format("%H:%M").to_string())
                    .unwrap_or_default(),
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

/// Text safe inside a Mermaid gantt line: `:` becomes the look-alike `∶`; `;` `#` `%` (syntax) and
/// `<>&"` (markup) become spaces; one line.
fn mermaid_text(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| match c {
            ':' => '∶',
            ';' | '#' | '%' | '<' | '>' | '&' | '"' | '`' | '{' | '}' | '[' | ']' | '\\' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.is_empty() {
        "(untitled)".to_owned()
    } else {
        words.join(" ")
    }
}

fn mermaid_time(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A Mermaid bar; zero-length spans are drawn one minute wide so they stay visible.
fn bar(o: &mut String, name: &str, tags: &[&str], s: Span) {
    let end = s.end.max(s.start + Duration::minutes(1));
    let mut meta: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
    meta.push(mermaid_time(s.start));
    meta.push(mermaid_time(end));
    let _ = writeln!(o, "    {name} :{}", meta.join(", "));
}

/// `## Timeline chart`: the run's schedule as a Mermaid `gantt` block (GitHub and GitLab draw it).
fn gantt(o: &mut String, title: &str, t: &Timeline) {
    if t.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Timeline chart\n\n```mermaid\ngantt");
    let _ = writeln!(o, "    title {}", mermaid_text(title));
    let _ = writeln!(o, "    dateFormat YYYY-MM-DD HH:mm:ss");
    let axis = if t.spans_days() { "%d %H:%M" } else { "%H:%M" };
    let _ = writeln!(o, "    axisFormat {axis}");
    let _ = writeln!(o, "    todayMarker off");
    for l in t
        .lanes
        .iter()
        .filter(|l| l.planned.is_some() || l.actual.is_some())
    {
        let _ = writeln!(o, "    section {}", mermaid_text(&l.title));
        if let Some(p) = l.planned {
            let label = l
                .planned_label
                .as_deref()
                .map_or_else(String::new, mermaid_text);
            let tags: &[&str] = if l.overdue && l.actual.is_none() {
                &["crit"]
            } else {
                &[]
            };
            let late = if l.overdue && l.actual.is_none() {
                " not started overdue"
            } else {
                ""
            };
            bar(o, &format!("Planned {label}{late}"), tags, p);
        }
        if let Some(a) = l.actual {
            let tag = if l.overdue {
                "crit"
            } else if l.complete() {
                "done"
            } else {
                "active"
            };
            let name = format!(
                "Actual {}/{}{}",
                l.done,
                l.total,
                if l.overdue { " overdue" } else { "" }
            );
            bar(o, &name, &[tag], a);
        }
    }
    let _ = writeln!(o, "```\n");
    let overdue: Vec<&str> = t
        .lanes
        .iter()
        .filter(|l| l.overdue)
        .map(|l| l.title.as_str())
        .collect();
    let _ = writeln!(
        o,
        "Times are local to the window (UTC{}). Planned slots run to the next planned time; actual bars \
         run from the first to the last change in the section{}.\n",
        t.offset_label(),
        if overdue.is_empty() {
            String::new()
        } else {
            format!("; overdue (red): {}", cell(&overdue.join(", ")))
        }
    );
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn mermaid_text_keeps_words_and_drops_syntax() {
        assert_eq!(mermaid_text("08:00 - Deploy"), "08∶00 - Deploy");
        assert_eq!(
            mermaid_text("a;b #c %%d <script>\n\"e\" & {f}"),
            "a b c d script e f"
        );
        assert_eq!(mermaid_text(" ;# "), "(untitled)");
    }

    #[test]
    fn bars_are_at_least_a_minute_long() {
        let t = DateTime::parse_from_rfc3339("2026-11-23T21:00:00+01:00").unwrap();
        let mut o = String::new();
        bar(&mut o, "Actual 1/1", &["done"], Span { start: t, end: t });
        assert_eq!(
            o,
            "    Actual 1/1 :done, 2026-11-23 21:00:00, 2026-11-23 21:01:00\n"
        );
    }
}
