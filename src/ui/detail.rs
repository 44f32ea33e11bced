//! The detail pane: the selected item in full (styled text, body, numbered code blocks with a copy
//! hint, fields, role, notes, history) or the selected section.

use super::theme::{Glyphs, Theme};
use crate::app::App;
use crate::app::rows::Row;
use crate::model::{Align, Block, Cell, ItemKind, Span as MSpan, SpanRef, SpanStyle};
use crate::text::columns::{self, Justify};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block as UiBlock, Borders, Paragraph, Wrap};

/// Most recent history entries shown (the report has every one).
const HISTORY_SHOWN: usize = 30;

/// Draws the pane.
pub fn render(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    glyphs: &Glyphs,
    wide: bool,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let borders = if wide { Borders::LEFT } else { Borders::TOP };
    let block = UiBlock::default()
        .borders(borders)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(" detail ", theme.muted()));
    let lines = match app.visible.get(app.cursor) {
        Some(Row::Item(i)) => item_lines(app, *i, theme, glyphs),
        Some(Row::Section(s)) => section_lines(app, *s, theme, glyphs),
        None => vec![Line::raw("(empty checklist)")],
    };
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(p, area);
}

/// Styled text as lines: a hard line break in the Markdown starts a new line.
fn styled_lines<'s>(
    app: &App,
    spans: impl Iterator<Item = SpanRef<'s>>,
    theme: &Theme,
    base: Style,
) -> Vec<Line<'static>> {
    let mut lines = vec![Vec::new()];
    for s in spans {
        let style = match s.style {
            SpanStyle::Plain => base,
            SpanStyle::Code => base.patch(theme.code()),
            SpanStyle::Strong => base.add_modifier(Modifier::BOLD),
            SpanStyle::Emphasis => base.add_modifier(Modifier::ITALIC),
            SpanStyle::Strike => base.add_modifier(Modifier::CROSSED_OUT),
            SpanStyle::Link { .. } => base.patch(theme.accent()),
            SpanStyle::Placeholder { .. } => base.add_modifier(Modifier::UNDERLINED),
            SpanStyle::Break => {
                lines.push(Vec::new());
                continue;
            }
        };
        if let Some(line) = lines.last_mut() {
            line.push(Span::styled(
                app.subst_span(s.text, s.style).into_owned(),
                style,
            ));
        }
    }
    lines.into_iter().map(Line::from).collect()
}

fn refs(spans: &[MSpan]) -> impl Iterator<Item = SpanRef<'_>> {
    spans.iter().map(|s| SpanRef {
        text: &s.text,
        style: &s.style,
    })
}

fn body_lines(
    app: &App,
    body: &[Block],
    theme: &Theme,
    glyphs: &Glyphs,
    out: &mut Vec<Line<'static>>,
) {
    for b in body {
        match b {
            Block::Paragraph { spans: s, .. } => {
                out.extend(styled_lines(app, refs(s), theme, Style::new()));
            }
            Block::Bullet {
                spans: s, depth, ..
            } => {
                let indent = "  ".repeat(*depth);
                for (n, mut line) in styled_lines(app, refs(s), theme, Style::new())
                    .into_iter()
                    .enumerate()
                {
                    let lead = if n == 0 { "- " } else { "  " };
                    line.spans.insert(0, Span::raw(format!("{indent}{lead}")));
                    out.push(line);
                }
            }
            Block::Code(c) => {
                let lang = c.lang.as_deref().unwrap_or("code");
                out.push(Line::from(vec![
                    Span::styled(format!("{} {lang} ", glyphs.rule()), theme.muted()),
                    Span::styled("(y copies)", theme.key()),
                ]));
                let text = app.subst(&c.text).into_owned();
                for (n, l) in text.lines().enumerate() {
                    out.push(Line::from(vec![
                        Span::styled(
                            format!("{:>3} {} ", n + 1, glyphs.bar()),
                            theme.line_number(),
                        ),
                        Span::styled(l.to_owned(), theme.code()),
                    ]));
                }
            }
            Block::Table {
                header,
                rows,
                align,
                ..
            } => {
                let text = |cells: &[Cell]| -> Vec<String> {
                    cells
                        .iter()
                        .map(|c| app.subst_cell(c).into_owned())
                        .collect()
                };
                let rows: Vec<Vec<String>> = rows.iter().map(|r| text(r)).collect();
                let justify: Vec<Justify> = align.iter().map(|a| justify(*a)).collect();
                let rule = glyphs.rule().chars().next().unwrap_or('-');
                let lines = columns::layout(&text(header), &rows, &justify, rule);
                for (n, l) in lines.into_iter().enumerate() {
                    let style = if n == 0 { theme.title() } else { Style::new() };
                    let style = if n == 1 { theme.muted() } else { style };
                    out.push(Line::styled(l, style));
                }
            }
        }
    }
}

fn justify(a: Align) -> Justify {
    match a {
        Align::Right => Justify::Right,
        Align::Center => Justify::Center,
        Align::Left | Align::None => Justify::Left,
    }
}

fn item_lines(app: &App, i: usize, theme: &Theme, glyphs: &Glyphs) -> Vec<Line<'static>> {
    let Some(item) = app.template.items.get(i) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let path = app.template.section_path(item.section).join(glyphs.path());
    out.push(Line::styled(app.subst(&path).into_owned(), theme.muted()));
    out.extend(styled_lines(app, item.spans(), theme, theme.title()));
    let state = app.states.get(i);
    let dot = glyphs.dot();
    let mut kind = format!("{} {dot} {}", item.kind.as_str(), state.as_str());
    if let Some(role) = &item.role {
        kind.push_str(&format!(" {dot} role: {role}"));
    }
    if let Some(g) = &item.group {
        kind.push_str(&format!(" {dot} under {g}"));
    }
    out.push(Line::styled(kind, theme.item(state, false)));
    let record = app.run.items.get(&item.id);
    for f in &item.fields {
        let fillable = item.fillable.iter().any(|c| c == &f.name);
        let filled = record.filter(|_| fillable).and_then(|r| r.field(&f.name));
        let value = match filled {
            Some(e) => Span::raw(format!(
                "{} ({} {})",
                e.value,
                e.by.name,
                e.at.format("%H:%M")
            )),
            None if fillable && f.value.is_empty() => Span::styled(
                "(blank: runsheet field RUN ITEM COLUMN VALUE)".to_owned(),
                theme.muted(),
            ),
            None => Span::raw(app.subst(&f.value).into_owned()),
        };
        out.push(Line::from(vec![
            Span::styled(format!("{}: ", f.name), theme.muted()),
            value,
        ]));
    }
    if !item.body.is_empty() {
        out.push(Line::default());
        body_lines(app, &item.body, theme, glyphs, &mut out);
    }
    let hint = match item.kind {
        ItemKind::Signoff => "s signs it",
        ItemKind::Gate => "d decides it",
        ItemKind::Task => "",
    };
    if !hint.is_empty() && !state.is_closed() {
        out.push(Line::styled(hint.to_owned(), theme.muted()));
    }
    if let Some(rec) = app.run.items.get(&item.id) {
        let notes: Vec<_> = rec.live_notes().collect();
        if !notes.is_empty() {
            out.push(Line::default());
            out.push(Line::styled("Notes", theme.title()));
            for n in notes {
                out.push(Line::styled(
                    format!("{} {}", n.at.format("%H:%M:%S"), n.by.name),
                    theme.muted(),
                ));
                for l in n.text.lines() {
                    out.push(Line::raw(format!("  {l}")));
                }
            }
        }
        if !rec.history.is_empty() {
            out.push(Line::default());
            out.push(Line::styled("History", theme.title()));
            let skip = rec.history.len().saturating_sub(HISTORY_SHOWN);
            if skip > 0 {
                out.push(Line::styled(
                    format!("({skip} earlier changes: `runsheet report` has them all)"),
                    theme.muted(),
                ));
            }
            for e in &rec.history[skip..] {
                let mut t = format!(
                    "{} {} {}",
                    e.at.format("%H:%M:%S"),
                    e.state.as_str(),
                    e.by.describe()
                );
                if let Some(s) = &e.signer {
                    t.push_str(&format!(" signed as {s}"));
                }
                if let Some(r) = &e.reason {
                    t.push_str(&format!(": {r}"));
                }
                let style = if e.undone {
                    theme.muted().add_modifier(Modifier::CROSSED_OUT)
                } else {
                    Style::new()
                };
                out.push(Line::styled(t, style));
            }
        }
    }
    out
}

fn section_lines(app: &App, s: usize, theme: &Theme, glyphs: &Glyphs) -> Vec<Line<'static>> {
    let Some(sec) = app.template.sections.get(s) else {
        return Vec::new();
    };
    let mut out = vec![Line::styled(
        app.subst(&sec.title).into_owned(),
        theme.title(),
    )];
    if let Some(t) = sec.planned_time {
        out.push(Line::styled(format!("planned {t}"), theme.muted()));
    }
    let c = app.states.sections.get(s).copied().unwrap_or_default();
    if c.total > 0 {
        out.push(Line::raw(format!(
            "{}/{} closed: done {}, skipped {}, n/a {}, failed {}, open {}",
            c.closed(),
            c.total,
            c.done,
            c.skipped,
            c.na,
            c.failed,
            c.open
        )));
    }
    if !sec.body.is_empty() {
        out.push(Line::default());
        body_lines(app, &sec.body, theme, glyphs, &mut out);
    }
    out.push(Line::styled("Enter folds / unfolds", theme.muted()));
    out
}
