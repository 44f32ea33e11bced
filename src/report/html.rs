//! `report --format html`: the record of a run as one self-contained, printable HTML file. It
//! formats the report document ([`super::doc`]) and escapes it.
//!
//! Everything is inline: CSS in a `<style>` element, the timeline as inline SVG. There are no scripts,
//! no external resources, and a Content-Security-Policy of `default-src 'none'` makes sure a browser
//! fetches nothing even if a future change slipped a resource in. Every piece of text from the run
//! (template, notes, names) is escaped for HTML; none of it becomes a link or an attribute URL.

use super::doc::{self, Body, Cell, Commands, Detail, Doc, Inline, Item, Part, Table};
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

pub(crate) fn hm(t: DateTime<FixedOffset>, with_date: bool) -> String {
    if with_date {
        t.format("%m-%d %H:%M").to_string()
    } else {
        t.format("%H:%M").to_string()
    }
}

/// The stylesheet, inlined into every report (screen and print rules; no `url()`, no `@import`).
const CSS: &str = include_str!("html/style.css");

/// Renders the report, judging overdue sections of an active run against the current time.
pub fn render(r: &super::json::ReportJson) -> String {
    render_at(r, Utc::now())
}

/// Renders the report as of `now` (the now-line and overdue marks of an active run).
pub fn render_at(r: &super::json::ReportJson, now: DateTime<Utc>) -> String {
    write(&doc::build(r, now))
}

fn badge(class: &str, label: &str) -> String {
    format!("<span class=\"badge {class}\">{}</span>", escape(label))
}

fn inline(spans: &[Inline]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Inline::Break => "<br>".to_owned(),
            Inline::Text(t) => escape(t),
            Inline::Code(t) => format!("<code>{}</code>", escape(t)),
            Inline::Strong(t) => format!("<strong>{}</strong>", escape(t)),
            Inline::Em(t) => format!("<em>{}</em>", escape(t)),
            Inline::Strike(t) => format!("<del>{}</del>", escape(t)),
            Inline::Link { text, url } => format!(
                "{} (<span class=\"url\">{}</span>)",
                escape(text),
                escape(url)
            ),
        })
        .collect()
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(t) => escape(t),
        Cell::Code(t) => format!("<code>{}</code>", escape(t)),
        Cell::Hash(t) => format!("<code class=\"hash\">{}</code>", escape(t)),
        Cell::State(class, label) => badge(class, label),
        Cell::Strong(t) => format!("<strong>{}</strong>", escape(t)),
        Cell::Rich(spans) => inline(spans),
    }
}

fn table(o: &mut String, t: &Table) {
    let open_section = t.title.is_some();
    if let Some(title) = &t.title {
        let _ = writeln!(o, "<section id=\"{}\">\n<h2>{}</h2>", t.id, escape(title));
    }
    let _ = write!(o, "<table>\n<thead><tr>");
    for h in &t.head {
        let _ = write!(o, "<th>{}</th>", escape(h));
    }
    let _ = writeln!(o, "</tr></thead>\n<tbody>");
    for r in &t.rows {
        match r.class {
            Some(c) => {
                let _ = write!(o, "<tr class=\"{c}\">");
            }
            None => o.push_str("<tr>"),
        }
        for (n, c) in r.cells.iter().enumerate() {
            match t.align.get(n) {
                Some(crate::model::Align::Right) => {
                    let _ = write!(o, "<td class=\"right\">{}</td>", cell(c));
                }
                Some(crate::model::Align::Center) => {
                    let _ = write!(o, "<td class=\"center\">{}</td>", cell(c));
                }
                _ => {
                    let _ = write!(o, "<td>{}</td>", cell(c));
                }
            }
        }
        let _ = writeln!(o, "</tr>");
    }
    let _ = writeln!(o, "</tbody>\n</table>");
    if open_section {
        let _ = writeln!(o, "</section>");
    }
}

fn body(o: &mut String, b: &Body) {
    match b {
        Body::Para(spans) => {
            let _ = writeln!(o, "<p class=\"body\">{}</p>", inline(spans));
        }
        Body::Bullet(depth, spans) => {
            let _ = writeln!(
                o,
                "<p class=\"bullet depth-{}\">• {}</p>",
                (*depth).min(6),
                inline(spans)
            );
        }
        Body::Code(lang, text) => {
            let _ = writeln!(
                o,
                "<pre><code{}>{}</code></pre>",
                lang.as_deref().map_or_else(String::new, |l| format!(
                    " class=\"lang\" data-lang=\"{}\"",
                    escape(l)
                )),
                escape(text)
            );
        }
        Body::Table(t) => table(o, t),
    }
}

fn item(o: &mut String, it: &Item) {
    let _ = write!(
        o,
        "<li class=\"item state-{} depth-{}\">{} {}",
        it.class,
        it.depth.min(8),
        badge(it.class, &it.state),
        escape(&it.text)
    );
    if let Some(w) = &it.who {
        let _ = write!(o, " <span class=\"who\">· {}</span>", escape(w));
    }
    if let Some(a) = &it.after_no_go {
        let _ = write!(o, " <strong class=\"after-no-go\">{}</strong>", escape(a));
    }
    let notes: Vec<&Detail> = it
        .details
        .iter()
        .filter(|d| matches!(d, Detail::Note(..) | Detail::History(_)))
        .collect();
    for d in &it.details {
        if let Detail::Reason(r) = d {
            let _ = write!(
                o,
                "<div class=\"reason\"><strong>Reason:</strong> {}</div>",
                escape(r)
            );
        }
    }
    if !notes.is_empty() {
        let _ = write!(o, "<ul class=\"notes\">");
        for d in notes {
            match d {
                Detail::Note(who, text) => {
                    let _ = write!(
                        o,
                        "<li class=\"note\"><span class=\"who\">note ({}):</span>\n{}</li>",
                        escape(who),
                        escape(text)
                    );
                }
                Detail::History(h) => {
                    let _ = write!(o, "<li class=\"undone\">{}</li>", escape(h));
                }
                _ => {}
            }
        }
        let _ = write!(o, "</ul>");
    }
    for d in &it.details {
        if let Detail::Body(b) = d {
            body(o, b);
        }
    }
    let _ = writeln!(o, "</li>");
}

/// The commands part: one section holding the summary table, then each command under its own
/// heading, its whole output collapsed in a `<details>` element (escaped like everything else).
fn commands(o: &mut String, c: &Commands) {
    let _ = writeln!(
        o,
        "<section id=\"{}\">\n<h2>{}</h2>",
        c.table.id,
        escape(&c.title)
    );
    table(o, &c.table);
    for r in &c.runs {
        let level = r.heading.level.clamp(3, 6);
        let _ = writeln!(
            o,
            "<h{level}{}>{}</h{level}>",
            if r.heading.failed {
                " class=\"failed\""
            } else {
                ""
            },
            escape(&r.heading.text)
        );
        for b in &r.body {
            body(o, b);
        }
        if let Some((label, text)) = &r.full {
            let _ = writeln!(
                o,
                "<details><summary>{}</summary>\n<pre>{}</pre>\n</details>",
                escape(label),
                escape(text)
            );
        }
    }
    let _ = writeln!(o, "</section>");
}

/// Formats a report document as one HTML file.
pub fn write(d: &Doc) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"runsheet {}\">\n<title>{}</title>\n<style>{CSS}</style>\n\
         </head>\n<body>\n<header>\n<h1>{}</h1>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&d.title),
        escape(&d.title)
    );
    let mut in_header = true;
    let mut in_sections = false;
    let close_header = |o: &mut String, in_header: &mut bool| {
        if *in_header {
            let _ = writeln!(o, "</header>");
            *in_header = false;
        }
    };
    for p in &d.parts {
        match p {
            Part::Facts(class, rows) => {
                let _ = writeln!(o, "<table class=\"meta {class}\">");
                for (k, v) in rows {
                    let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", escape(k), cell(v));
                }
                let _ = writeln!(o, "</table>");
            }
            Part::Warning(w) => {
                let _ = writeln!(
                    o,
                    "<p class=\"warning\"><strong>Warning:</strong> {}</p>",
                    escape(w)
                );
            }
            Part::Heading(h) if h.part == Some("metadata") && in_header => {
                let _ = writeln!(o, "<h2>{}</h2>", escape(&h.text));
            }
            Part::Heading(h) if h.level == 2 => {
                close_header(&mut o, &mut in_header);
                if in_sections {
                    let _ = writeln!(o, "</section>");
                    in_sections = false;
                }
                match h.part {
                    Some(id) => {
                        let _ = writeln!(o, "<section id=\"{id}\">\n<h2>{}</h2>", escape(&h.text));
                        in_sections = true;
                    }
                    None => {
                        let _ = writeln!(o, "<h2>{}</h2>", escape(&h.text));
                    }
                }
            }
            Part::Heading(h) => {
                let level = h.level.clamp(3, 6);
                let _ = writeln!(
                    o,
                    "<h{level}{}>{}</h{level}>",
                    if h.failed { " class=\"failed\"" } else { "" },
                    escape(&h.text)
                );
            }
            Part::Line(text) => {
                let _ = writeln!(o, "<p class=\"slot\">{}</p>", escape(text));
            }
            Part::Body(b) => body(&mut o, b),
            Part::Items(items) => {
                let _ = writeln!(o, "<ul class=\"items\">");
                for it in items {
                    item(&mut o, it);
                }
                let _ = writeln!(o, "</ul>");
            }
            Part::Chart(caption) => {
                svg::timeline(&mut o, &d.timeline, caption);
            }
            Part::Table(t) => {
                close_header(&mut o, &mut in_header);
                if t.title.is_some() && in_sections {
                    let _ = writeln!(o, "</section>");
                    in_sections = false;
                }
                table(&mut o, t);
            }
            Part::Commands(c) => {
                close_header(&mut o, &mut in_header);
                if in_sections {
                    let _ = writeln!(o, "</section>");
                    in_sections = false;
                }
                commands(&mut o, c);
            }
            Part::Journal(seq, events, head, id) => {
                close_header(&mut o, &mut in_header);
                if in_sections {
                    let _ = writeln!(o, "</section>");
                    in_sections = false;
                }
                let _ = writeln!(
                    o,
                    "<footer id=\"journal\"><h2>Journal</h2><p>Head of the hash chain (seq {seq}, {events} events): \
                     <code class=\"hash\">{}</code></p><p><code>runsheet verify {}</code> re-checks it.</p></footer>",
                    escape(head),
                    escape(id)
                );
            }
        }
    }
    close_header(&mut o, &mut in_header);
    if in_sections {
        let _ = writeln!(o, "</section>");
    }
    let _ = write!(o, "</body>\n</html>\n");
    o
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
