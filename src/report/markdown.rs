//! `report --format md`: the record of a run as Markdown, ready for a change ticket. It formats
//! the report document ([`super::doc`]) and escapes every piece of run text: HTML (`<script>`),
//! links and images (`[x](…)`, `![x](…)`), emphasis and code markers become literal characters with
//! backslash escapes, which keep the source readable.

use super::doc::{self, Body, Cell, Commands, Detail, Doc, Inline, Item, Mark, Part, Row, Table};
use super::timeline::{Span, Timeline};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use std::fmt::Write as _;

/// Escapes text for Markdown inline content: characters that could start HTML, a link, an image,
/// emphasis, code or strike-through get a backslash; `_` only at a word boundary (`snake_case`
/// stays as it is). Control characters other than newline and tab become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '&' | '~' | '|' | '!' => {
                o.push('\\');
                o.push(c);
            }
            '_' => {
                let word = |j: Option<usize>| {
                    j.and_then(|j| chars.get(j))
                        .is_some_and(|c| c.is_alphanumeric())
                };
                if !(word(i.checked_sub(1)) && word(Some(i + 1))) {
                    o.push('\\');
                }
                o.push('_');
            }
            '\n' | '\t' => o.push(c),
            c if c.is_control() => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// [`escape`] for a line that starts a block: a leading `#`, `-`, `+`, `=`, `>` or `1.` is escaped
/// too, so run text never becomes a heading, list or quote.
fn escape_line(s: &str) -> String {
    let e = escape(s);
    let trimmed = e.trim_start();
    let lead = e.len() - trimmed.len();
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if trimmed.starts_with(['#', '-', '+', '=']) {
        format!("{}\\{}", &e[..lead], trimmed)
    } else if digits > 0 && trimmed[digits..].starts_with(['.', ')']) {
        format!(
            "{}{}\\{}",
            &e[..lead],
            &trimmed[..digits],
            &trimmed[digits..]
        )
    } else {
        e
    }
}

/// Multi-line run text (notes, reasons) as Markdown lines under `indent`: each line escaped, line
/// breaks kept as hard breaks (a trailing backslash).
fn lines(s: &str, indent: &str) -> String {
    let ls: Vec<String> = s.lines().map(escape_line).collect();
    let n = ls.len();
    ls.into_iter()
        .enumerate()
        .map(|(i, l)| {
            let brk = if i + 1 < n && !l.is_empty() { "\\" } else { "" };
            if i == 0 {
                format!("{l}{brk}")
            } else {
                format!("\n{indent}{l}{brk}")
            }
        })
        .collect()
}

fn code_span(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", s.replace('\n', " "))
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:"))
        && !url.contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
}

fn inline(spans: &[Inline]) -> String {
    inline_broken(spans, "<br>")
}

/// Inline text with a hard line break written as `brk` (`\\` and a newline with the block's
/// indentation in a paragraph, `<br>` in a table cell).
fn inline_broken(spans: &[Inline], brk: &str) -> String {
    spans
        .iter()
        .map(|s| match s {
            Inline::Break => brk.to_owned(),
            Inline::Text(t) => escape(t),
            Inline::Code(t) => code_span(t),
            Inline::Strong(t) => format!("**{}**", escape(t)),
            Inline::Em(t) => format!("*{}*", escape(t)),
            Inline::Strike(t) => format!("~~{}~~", escape(t)),
            Inline::Link { text, url } if safe_url(url) => format!(
                "[{}]({})",
                escape(text),
                url.replace('(', "%28").replace(')', "%29")
            ),
            Inline::Link { text, url } => format!("{} ({})", escape(text), escape(url)),
        })
        .collect()
}

fn cell(c: &Cell) -> String {
    let s = match c {
        Cell::Text(t) => escape(t),
        Cell::Code(t) | Cell::Hash(t) => code_span(t),
        Cell::State(_, label) | Cell::Strong(label) => format!("**{}**", escape(label)),
        Cell::Rich(spans) => inline(spans),
    };
    s.replace('\n', "<br>")
}

fn table(o: &mut String, t: &Table) {
    if let Some(title) = &t.title {
        let _ = writeln!(o, "## {}\n", escape(title));
    }
    let head: Vec<String> = t.head.iter().map(|h| escape(h)).collect();
    if !t.align.is_empty() {
        aligned_table(o, &head, t);
        return;
    }
    let _ = writeln!(
        o,
        "| {} |\n|{}",
        head.join(" | "),
        "---|".repeat(t.head.len().max(1))
    );
    for Row { cells, .. } in &t.rows {
        let cells: Vec<String> = cells.iter().map(cell).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(o);
}

/// A table from the template, lined up in the Markdown source as well as rendered: every column
/// padded to its widest cell, aligned as the template's delimiter row says, every cell kept (a
/// row longer than the header gets blank header cells).
fn aligned_table(o: &mut String, head: &[String], t: &Table) {
    use crate::model::Align;
    use crate::text::columns::width;
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.cells.iter().map(cell).collect())
        .collect();
    let ncols = rows
        .iter()
        .map(Vec::len)
        .chain([head.len(), 1])
        .max()
        .unwrap_or(1);
    let at = |r: &[String], c: usize| r.get(c).map_or("", String::as_str).to_owned();
    let widths: Vec<usize> = (0..ncols)
        .map(|c| {
            rows.iter()
                .map(|r| width(&at(r, c)))
                .chain([width(&at(head, c)), 3])
                .max()
                .unwrap_or(3)
        })
        .collect();
    let align = |c: usize| t.align.get(c).copied().unwrap_or_default();
    let pad = |s: &str, c: usize| {
        let room = widths[c].saturating_sub(width(s));
        match align(c) {
            Align::Right => format!("{}{s}", " ".repeat(room)),
            Align::Center => format!("{}{s}{}", " ".repeat(room / 2), " ".repeat(room - room / 2)),
            Align::Left | Align::None => format!("{s}{}", " ".repeat(room)),
        }
    };
    let line = |r: &[String]| -> String {
        let cells: Vec<String> = (0..ncols).map(|c| pad(&at(r, c), c)).collect();
        format!("| {} |", cells.join(" | "))
    };
    let _ = writeln!(o, "{}", line(head));
    let rule: Vec<String> = (0..ncols)
        .map(|c| {
            let w = widths[c];
            match align(c) {
                Align::Left => format!(":{}", "-".repeat(w + 1)),
                Align::Right => format!("{}:", "-".repeat(w + 1)),
                Align::Center => format!(":{}:", "-".repeat(w)),
                Align::None => "-".repeat(w + 2),
            }
        })
        .collect();
    let _ = writeln!(o, "|{}|", rule.join("|"));
    for r in &rows {
        let _ = writeln!(o, "{}", line(r));
    }
    let _ = writeln!(o);
}

fn fence_for(text: &str) -> String {
    let longest = text
        .lines()
        .map(|l| {
            let t = l.trim_start();
            t.len() - t.trim_start_matches('`').len()
        })
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn body(o: &mut String, b: &Body, indent: &str) {
    match b {
        Body::Para(spans) => {
            let brk = format!("\\\n{indent}");
            let _ = writeln!(o, "{indent}{}\n", inline_broken(spans, &brk));
        }
        Body::Bullet(depth, spans) => {
            let lead = "  ".repeat(*depth);
            let brk = format!("\\\n{indent}{lead}  ");
            let _ = writeln!(o, "{indent}{lead}- {}", inline_broken(spans, &brk));
        }
        Body::Code(lang, text) => {
            let fence = fence_for(text);
            let _ = writeln!(
                o,
                "\n{indent}{fence}{}",
                lang.as_deref().map(escape).unwrap_or_default()
            );
            for l in text.lines() {
                let _ = writeln!(o, "{indent}{l}");
            }
            let _ = writeln!(o, "{indent}{fence}\n");
        }
        Body::Table(t) => {
            let mut s = String::new();
            table(&mut s, t);
            for l in s.lines() {
                let _ = writeln!(o, "{indent}{l}");
            }
        }
    }
}

fn item(o: &mut String, it: &Item) {
    let indent = "  ".repeat(it.depth);
    let mark = match it.mark {
        Mark::Done => "[x]",
        Mark::Open => "[ ]",
        Mark::Other => "[-]",
    };
    let _ = write!(
        o,
        "{indent}- {mark} {} — **{}**",
        escape(&it.text),
        escape(&it.state)
    );
    if let Some(w) = &it.who {
        let _ = write!(o, " · {}", escape(w));
    }
    if let Some(a) = &it.after_no_go {
        let _ = write!(o, " · **{}**", escape(a));
    }
    let _ = writeln!(o);
    let sub = format!("{indent}  ");
    let cont = format!("{indent}    ");
    for d in &it.details {
        match d {
            Detail::Reason(r) => {
                let _ = writeln!(o, "{sub}- reason: {}", lines(r, &cont));
            }
            Detail::Note(who, text) => {
                let _ = writeln!(
                    o,
                    "{sub}- note ({}):\\\n{cont}{}",
                    escape(who),
                    lines(text, &cont)
                );
            }
            Detail::History(h) => {
                let _ = writeln!(o, "{sub}- {}", escape(h));
            }
            Detail::Body(b) => {
                if matches!(b, Body::Para(_) | Body::Table(_)) {
                    let _ = writeln!(o);
                }
                body(o, b, &sub);
            }
        }
    }
}

fn commands(o: &mut String, c: &Commands) {
    let _ = writeln!(o, "## {}\n", escape(&c.title));
    table(o, &c.table);
    for r in &c.runs {
        let level = usize::from(r.heading.level.clamp(2, 6));
        let _ = writeln!(o, "{} {}\n", "#".repeat(level), escape(&r.heading.text));
        for b in &r.body {
            body(o, b, "");
        }
        if let Some((label, text)) = &r.full {
            let _ = writeln!(o, "{}:", escape(label));
            body(o, &Body::Code(Some("text".to_owned()), text.clone()), "");
        }
    }
}

/// Renders the report, judging overdue sections of an active run against the current time.
pub fn render(r: &super::json::ReportJson) -> String {
    render_at(r, Utc::now())
}

/// Renders the report as of `now` (the now-line and overdue marks of an active run).
pub fn render_at(r: &super::json::ReportJson, now: DateTime<Utc>) -> String {
    write(&doc::build(r, now))
}

/// Formats a report document as Markdown.
pub fn write(d: &Doc) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", escape_line(&d.title));
    for p in &d.parts {
        match p {
            Part::Heading(h) => {
                let level = usize::from(h.level.clamp(2, 6));
                let _ = writeln!(o, "{} {}\n", "#".repeat(level), escape(&h.text));
            }
            Part::Line(text) => {
                let _ = writeln!(o, "*{}*\n", escape(text));
            }
            Part::Warning(w) => {
                let _ = writeln!(o, "> **Warning:** {}\n", escape(&w.replace('\n', " ")));
            }
            Part::Facts(_, rows) => {
                let _ = writeln!(o, "| | |\n|---|---|");
                for (k, v) in rows {
                    let _ = writeln!(o, "| {} | {} |", escape(k), cell(v));
                }
                let _ = writeln!(o);
            }
            Part::Table(t) => table(&mut o, t),
            Part::Body(b) => body(&mut o, b, ""),
            Part::Items(items) => {
                for it in items {
                    item(&mut o, it);
                }
                let _ = writeln!(o);
            }
            Part::Chart(caption) => {
                gantt(&mut o, &d.run_title, &d.timeline);
                let _ = writeln!(o, "{}\n", escape(caption));
            }
            Part::Commands(c) => commands(&mut o, c),
            Part::Journal(seq, events, head, id) => {
                let _ = writeln!(
                    o,
                    "## Journal\n\nHead of the hash chain (seq {seq}, {events} events): {}\n\n{} re-checks it.",
                    code_span(head),
                    code_span(&format!("runsheet verify {id}"))
                );
            }
        }
    }
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

/// The run's schedule as a Mermaid `gantt` block (GitHub and GitLab draw it).
fn gantt(o: &mut String, title: &str, t: &Timeline) {
    let _ = writeln!(o, "```mermaid\ngantt");
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
            let late = l.overdue && l.actual.is_none();
            let tags: &[&str] = if late { &["crit"] } else { &[] };
            bar(
                o,
                &format!(
                    "Planned {label}{}",
                    if late { " not started overdue" } else { "" }
                ),
                tags,
                p,
            );
        }
        if let Some(a) = l.actual {
            let tag = if l.overdue || l.failed {
                "crit"
            } else if l.complete() {
                "done"
            } else {
                "active"
            };
            let name = format!(
                "Actual {}/{}{}{}",
                l.done,
                l.total,
                if l.failed { " failed" } else { "" },
                if l.overdue { " overdue" } else { "" }
            );
            bar(o, &name, &[tag], a);
        }
    }
    let _ = writeln!(o, "```\n");
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

    #[test]
    fn run_text_cannot_become_markup() {
        assert_eq!(
            escape("<script>alert(1)</script> & ![x](http://e) *b* `c` ~~d~~"),
            "\\<script\\>alert(1)\\</script\\> \\& \\!\\[x\\](http://e) \\*b\\* \\`c\\` \\~\\~d\\~\\~"
        );
        assert_eq!(escape("snake_case _lead"), "snake_case \\_lead");
        assert_eq!(escape_line("# not a heading"), "\\# not a heading");
        assert_eq!(escape_line("1. not a list"), "1\\. not a list");
        assert_eq!(lines("one\ntwo", "  "), "one\\\n  two");
        assert_eq!(code_span("a `b` c"), "``a `b` c``");
        assert_eq!(
            inline(&[Inline::Link {
                text: "x".into(),
                url: "javascript:alert(1)".into()
            }]),
            "x (javascript:alert(1))"
        );
    }
}
