//! `report --format html`: the record of a run as one self-contained, printable HTML file.
//!
//! Everything is inline: CSS in a `<style>` element, the timeline as inline SVG. There are no scripts,
//! no external resources, and a Content-Security-Policy of `default-src 'none'` makes sure a browser
//! fetches nothing even if a future change slipped a resource in. Every piece of text from the run
//! (template, notes, names) is escaped for HTML; none of it becomes a link or an attribute URL.

use super::ItemJson;
use super::json::{ReportItem, ReportJson};
use super::timeline::Timeline;
use chrono::{DateTime, FixedOffset, Utc};
use std::fmt::Write as _;

mod svg;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
/// Control characters other than tab and newline become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            '\n' | '\t' => o.push(c),
            c if c.is_control() => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// `2026-11-23 21:04:05 +01:00` and `20:04:05 UTC` from an RFC 3339 string.
fn when(s: &str) -> String {
    DateTime::parse_from_rfc3339(s).map_or_else(|_| s.to_owned(), |t| super::local_and_utc(&t))
}

fn opt_when(s: Option<&str>) -> String {
    s.map_or_else(|| "—".to_owned(), when)
}

pub(crate) fn hm(t: DateTime<FixedOffset>, with_date: bool) -> String {
    if with_date {
        t.format("%m-%d %H:%M").to_string()
    } else {
        t.format("%H:%M").to_string()
    }
}

/// A CSS class name for a state (`no-go` stays as is; anything odd becomes `other`).
fn state_class(state: &str) -> &'static str {
    match state {
        "open" => "open",
        "done" => "done",
        "skipped" => "skipped",
        "na" => "na",
        "failed" => "failed",
        "go" => "go",
        "no-go" => "no-go",
        "signed" => "signed",
        _ => "other",
    }
}

fn who(i: &ItemJson) -> String {
    match (&i.actor, &i.at) {
        (Some(a), Some(at)) => format!("{} ({}@{}), {}", a.name, a.user, a.host, when(at)),
        _ if i.prechecked => "checked in the template".to_owned(),
        _ => String::new(),
    }
}

/// The stylesheet, inlined into every report (screen and print rules; no `url()`, no `@import`).
const CSS: &str = include_str!("html/style.css");

/// Renders the report, judging overdue sections of an active run against the current time.
pub fn render(r: &ReportJson) -> String {
    render_at(r, Utc::now())
}

/// Renders the report as of `now` (the now-line and overdue marks of an active run).
pub fn render_at(r: &ReportJson, now: DateTime<Utc>) -> String {
    let t = Timeline::from_report(r, now);
    let run = &r.run;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"runsheet {}\">\n<title>Run record: {}</title>\n<style>{CSS}</style>\n\
         </head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&run.title)
    );
    header(&mut o, r);
    svg::timeline(&mut o, &t);
    sections(&mut o, r);
    let signoff_rows: Vec<Vec<String>> = r
        .signoffs
        .iter()
        .map(|i| {
            vec![
                escape(i.role.as_deref().unwrap_or("")),
                escape(&i.text),
                escape(i.signer.as_deref().unwrap_or("")),
                i.actor
                    .as_ref()
                    .map(|a| escape(&format!("{}@{}", a.user, a.host)))
                    .unwrap_or_default(),
                badge(i.state),
                escape(&i.at.as_deref().map(when).unwrap_or_default()),
            ]
        })
        .collect();
    table(
        &mut o,
        "signoffs",
        "Sign-offs",
        &[
            "Role",
            "Item",
            "Signer",
            "OS user@host",
            "State",
            "When (local, UTC)",
        ],
        &signoff_rows,
    );
    let rows = |items: &[ItemJson], first: &dyn Fn(&ItemJson) -> String| -> Vec<Vec<String>> {
        items
            .iter()
            .map(|i| {
                vec![
                    escape(&i.text),
                    first(i),
                    escape(i.reason.as_deref().unwrap_or("")),
                    escape(i.by.as_deref().unwrap_or("")),
                    escape(&i.at.as_deref().map(when).unwrap_or_default()),
                ]
            })
            .collect()
    };
    table(
        &mut o,
        "gates",
        "Gate decisions",
        &["Gate", "Decision", "Reason", "By", "When"],
        &rows(&r.gates, &|i| badge(i.state)),
    );
    table(
        &mut o,
        "exceptions",
        "Skipped, n/a and failed",
        &["Item", "State", "Reason", "By", "When"],
        &rows(&r.exceptions, &|i| badge(i.state)),
    );
    planned_vs_actual(&mut o, r, &t);
    let orphan_rows: Vec<Vec<String>> = r
        .orphans
        .iter()
        .map(|i| {
            vec![
                escape(&i.text),
                escape(&i.section),
                badge(i.state),
                escape(i.by.as_deref().unwrap_or("")),
                escape(&i.at.as_deref().map(when).unwrap_or_default()),
            ]
        })
        .collect();
    table(
        &mut o,
        "orphans",
        "Orphaned items (no longer in the template)",
        &["Item", "Old section", "State", "By", "When"],
        &orphan_rows,
    );
    super::commands::html(&mut o, &r.commands);
    events(&mut o, r);
    let _ = write!(
        o,
        "<footer id=\"journal\"><h2>Journal</h2><p>Head of the hash chain (seq {}, {} events): \
         <code class=\"hash\">{}</code></p><p><code>runsheet verify {}</code> re-checks it.</p></footer>\n\
         </body>\n</html>\n",
        r.journal.seq,
        r.journal.events,
        escape(&r.journal.head),
        escape(&run.id)
    );
    o
}

fn badge(state: &str) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        state_class(state),
        escape(state)
    )
}

fn header(o: &mut String, r: &ReportJson) {
    let run = &r.run;
    let _ = writeln!(
        o,
        "<header>\n<h1>Run record: {}</h1>\n<table class=\"meta\">",
        escape(&run.title)
    );
    let mut row = |k: &str, v: String| {
        let _ = writeln!(o, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    row("Run", format!("<code>{}</code>", escape(&run.id)));
    row(
        "Template",
        format!(
            "{} (<code>{}</code>)",
            escape(&run.template_title),
            escape(&run.template_path)
        ),
    );
    row(
        "Template SHA-256",
        format!("<code class=\"hash\">{}</code>", escape(&run.base_sha256)),
    );
    if run.base_sha256 != run.template_sha256 {
        row(
            "Template at start",
            format!(
                "<code class=\"hash\">{}</code>",
                escape(&run.template_sha256)
            ),
        );
    }
    if let Some(d) = &run.drift_sha256 {
        row(
            "Template file now",
            format!(
                "<code class=\"hash\">{}</code> (changed since; not re-based)",
                escape(d)
            ),
        );
    }
    row(
        "Outcome",
        format!("<span class=\"outcome\">{}</span>", escape(&run.outcome)),
    );
    if let Some(reason) = &run.abort_reason {
        row("Abort reason", escape(reason));
    }
    row("Window start", escape(&when(&run.started_at)));
    row("Window end", escape(&opt_when(run.ended_at.as_deref())));
    let ops: Vec<String> = r
        .operators
        .iter()
        .map(|a| escape(&format!("{} ({}@{})", a.name, a.user, a.host)))
        .collect();
    row("Operators", ops.join(", "));
    let p = &r.progress;
    row(
        "Progress",
        format!("{}/{} ({} exceptions)", p.done, p.total, p.exceptions),
    );
    for (k, v) in &run.variables {
        row(&format!("<code>{{{{ {} }}}}</code>", escape(k)), escape(v));
    }
    row(
        "Journal head",
        format!(
            "seq {} <code class=\"hash\">{}</code>",
            r.journal.seq,
            escape(&r.journal.head)
        ),
    );
    let _ = writeln!(o, "</table>");
    for w in &run.warnings {
        let _ = writeln!(
            o,
            "<p class=\"warning\"><strong>Warning:</strong> {}</p>",
            escape(w)
        );
    }
    let _ = writeln!(o, "</header>");
}

fn item(o: &mut String, it: &ReportItem) {
    let i = &it.item;
    let _ = write!(
        o,
        "<li class=\"item state-{}\">{} {}",
        state_class(i.state),
        badge(i.state),
        escape(&i.text)
    );
    let w = who(i);
    if !w.is_empty() {
        let _ = write!(o, " <span class=\"who\">· {}</span>", escape(&w));
    }
    let _ = write!(o, " <code class=\"id\">{}</code>", escape(&i.id));
    if let Some(r) = &i.reason {
        let _ = write!(
            o,
            "<div class=\"reason\"><strong>Reason:</strong> {}</div>",
            escape(r)
        );
    }
    if !i.notes.is_empty() {
        let _ = write!(o, "<ul class=\"notes\">");
        for n in &i.notes {
            let _ = write!(
                o,
                "<li class=\"note\">note ({}, {}): {}</li>",
                escape(&n.by),
                escape(&when(&n.at)),
                escape(&n.text)
            );
        }
        let _ = write!(o, "</ul>");
    }
    for c in &it.code {
        let _ = write!(
            o,
            "<pre><code{}>{}</code></pre>",
            c.lang.as_deref().map_or_else(String::new, |l| format!(
                " class=\"lang\" data-lang=\"{}\"",
                escape(l)
            )),
            escape(&c.text)
        );
    }
    let _ = writeln!(o, "</li>");
}

fn sections(o: &mut String, r: &ReportJson) {
    let _ = writeln!(o, "<section id=\"sections\">\n<h2>Sections</h2>");
    for s in r.sections.iter().filter(|s| s.total > 0) {
        let _ = writeln!(
            o,
            "<article class=\"section\">\n<h3>{} ({}/{})</h3>",
            escape(&s.title),
            s.done,
            s.total
        );
        if s.planned_time.is_some() || s.first_change.is_some() {
            let _ = writeln!(
                o,
                "<p class=\"slot\">Planned {} · actual {} – {}{}</p>",
                escape(s.planned_time.as_deref().unwrap_or("—")),
                escape(&opt_when(s.first_change.as_deref())),
                escape(&opt_when(s.last_change.as_deref())),
                s.duration_minutes
                    .map_or_else(String::new, |m| format!(" ({m} min)"))
            );
        }
        let _ = writeln!(o, "<ul class=\"items\">");
        for it in &s.items {
            item(o, it);
        }
        let _ = writeln!(o, "</ul>\n</article>");
    }
    let _ = writeln!(o, "</section>");
}

fn planned_vs_actual(o: &mut String, r: &ReportJson, t: &Timeline) {
    let rows: Vec<Vec<String>> = t
        .lanes
        .iter()
        .filter(|l| l.planned.is_some())
        .filter_map(|l| {
            let s = r.sections.get(l.section)?;
            let status = if l.overdue {
                "<span class=\"overdue\">overdue</span>".to_owned()
            } else if l.complete() {
                "on time".to_owned()
            } else {
                "open".to_owned()
            };
            Some(vec![
                escape(&s.title),
                escape(s.planned_time.as_deref().unwrap_or("")),
                l.planned
                    .map(|p| p.end.format("%H:%M").to_string())
                    .unwrap_or_default(),
                escape(&opt_when(s.first_change.as_deref())),
                s.late_minutes.map(|m| m.to_string()).unwrap_or_default(),
                s.duration_minutes
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                status,
            ])
        })
        .collect();
    table(
        o,
        "planned-vs-actual",
        "Planned vs actual",
        &[
            "Section",
            "Planned",
            "Slot ends",
            "Started",
            "Late (min)",
            "Duration (min)",
            "Status",
        ],
        &rows,
    );
}

fn events(o: &mut String, r: &ReportJson) {
    let rows: Vec<Vec<String>> = r
        .timeline
        .iter()
        .map(|e| {
            let local = DateTime::parse_from_rfc3339(&e.at).map_or_else(
                |_| e.at.clone(),
                |d| d.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
            );
            let utc = DateTime::parse_from_rfc3339(&e.at_utc).map_or_else(
                |_| e.at_utc.clone(),
                |d| d.with_timezone(&Utc).format("%H:%M:%S").to_string(),
            );
            vec![
                e.seq.to_string(),
                escape(&local),
                escape(&utc),
                escape(&format!("{} ({}@{})", e.by, e.actor.user, e.actor.host)),
                escape(e.kind),
                escape(e.text.as_deref().unwrap_or("")),
                escape(e.detail.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    table(
        o,
        "events",
        "Event log",
        &["Seq", "Local", "UTC", "By", "Event", "Item", "Detail"],
        &rows,
    );
}

/// A titled table; `rows` hold HTML already escaped. Nothing is written for no rows.
fn table(o: &mut String, id: &str, title: &str, head: &[&str], rows: &[Vec<String>]) {
    if rows.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<section id=\"{id}\">\n<h2>{}</h2>\n<table>\n<thead><tr>",
        escape(title)
    );
    for h in head {
        let _ = write!(o, "<th>{}</th>", escape(h));
    }
    let _ = writeln!(o, "</tr></thead>\n<tbody>");
    for r in rows {
        let _ = write!(o, "<tr>");
        for c in r {
            let _ = write!(o, "<td>{c}</td>");
        }
        let _ = writeln!(o, "</tr>");
    }
    let _ = writeln!(o, "</tbody>\n</table>\n</section>");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn escape_covers_markup_quotes_and_controls() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{1b}b\u{0}c\nd"), "a\u{FFFD}b\u{FFFD}c\nd");
    }
}
