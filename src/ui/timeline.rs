//! The timeline view (`t`) and its compact form in the run summary: per section, the planned slot
//! (`░`) and the actual first-to-last change (`█`) as bars on a time axis with ticks, the window's
//! now-line, and overdue sections marked in the warning style. The schedule itself comes from
//! [`crate::report::timeline::Timeline`] (the same one the Markdown and HTML reports draw); this file
//! only turns it into cells. Every row is cut to the width it is given, so nothing overflows at any
//! size; below a usable bar width only labels and counts are shown.

use super::theme::{Glyphs, Theme, TimelineGlyphs};
use crate::app::App;
use crate::app::layout::{FOOTER, HEADER};
use crate::report::timeline::{Lane, Timeline};
use crate::run::view::RunView;
use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Narrower than this, bars say nothing: only labels and counts are drawn.
const MIN_BAR: usize = 6;
/// `08:50–09:10`.
const TIMES: usize = 11;

/// The timeline of the app's run as of its clock.
pub fn timeline_of(app: &App) -> Timeline {
    let view = RunView::new(&app.run, &app.template);
    Timeline::from_view(&view, app.now.with_timezone(&Utc))
}

/// Column widths of one row: mark, label, bar, counts, times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Geo {
    label: usize,
    bar: usize,
    status: usize,
    times: bool,
}

impl Geo {
    fn new(tl: &Timeline, width: usize) -> Geo {
        let status = tl
            .lanes
            .iter()
            .map(|l| text_width(&counts(l)))
            .max()
            .unwrap_or(3);
        let longest = tl.lanes.iter().map(|l| text_width(&l.title)).max();
        let want = longest.unwrap_or(8).clamp(4, 32);
        // mark + label + gap + bar + gap + status
        let fixed = |label: usize| 1 + label + 1 + 1 + status;
        let mut label = want.min((width * 3 / 10).max(8));
        let mut bar = width.saturating_sub(fixed(label));
        if bar < 24 {
            label = want.min(label).min((width / 4).max(4));
            bar = width.saturating_sub(fixed(label));
        }
        if bar < MIN_BAR {
            let label = width.saturating_sub(1 + 1 + status);
            return Geo {
                label,
                bar: 0,
                status,
                times: false,
            };
        }
        let times = bar > 30 + TIMES;
        if times {
            bar -= TIMES + 1;
        }
        Geo {
            label,
            bar,
            status,
            times,
        }
    }

    /// Columns before the bar.
    fn lead(&self) -> usize {
        1 + self.label + 1
    }
}

fn counts(l: &Lane) -> String {
    format!("{}/{}", l.done, l.total)
}

fn text_width(s: &str) -> usize {
    crate::app::width::width(s)
}

/// `s` cut (with an ellipsis) or padded to exactly `w` columns, measured as the terminal draws it
/// (an emoji with a variation selector is two columns).
fn fit(s: &str, w: usize, ellipsis: char) -> String {
    let mut e = [0u8; 4];
    let mut out = crate::app::width::fit(s, w, ellipsis.encode_utf8(&mut e));
    let used = text_width(&out);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// The bar cell `t` falls in.
fn cell(tl: &Timeline, t: DateTime<FixedOffset>, bar: usize) -> usize {
    ((tl.fraction(t) * bar as f64).floor() as usize).min(bar.saturating_sub(1))
}

/// The cells a span covers (its end exclusive, at least one cell).
fn cells(
    tl: &Timeline,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    bar: usize,
) -> (usize, usize) {
    let a = cell(tl, start, bar);
    let b = ((tl.fraction(end) * bar as f64).ceil() as usize)
        .saturating_sub(1)
        .clamp(a, bar.saturating_sub(1));
    (a, b)
}

/// Merges runs of equally styled cells into spans.
fn spans(cells: Vec<(char, Style)>) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = Style::new();
    for (c, s) in cells {
        if s != style && !text.is_empty() {
            out.push(Span::styled(std::mem::take(&mut text), style));
        }
        style = s;
        text.push(c);
    }
    if !text.is_empty() {
        out.push(Span::styled(text, style));
    }
    out
}

fn hhmm(t: DateTime<FixedOffset>) -> String {
    t.format("%H:%M").to_string()
}

/// The tick labels over the bar, after `lead` (text in the label column, cut to fit).
fn tick_labels(tl: &Timeline, g: Geo, lead: &str, ellipsis: char, theme: &Theme) -> Line<'static> {
    let mut row = vec![' '; g.bar];
    let mut free = 0;
    for t in tl.ticks() {
        let label: Vec<char> = hhmm(t).chars().collect();
        if label.len() > g.bar {
            break;
        }
        let at = cell(tl, t, g.bar)
            .saturating_sub(label.len() / 2)
            .min(g.bar - label.len());
        if at < free {
            continue;
        }
        row[at..at + label.len()].copy_from_slice(&label);
        free = at + label.len() + 1;
    }
    Line::from(vec![
        Span::styled(fit(lead, g.lead(), ellipsis), theme.muted()),
        Span::styled(row.into_iter().collect::<String>(), theme.muted()),
    ])
}

/// The axis line with a tick per label and the now mark.
fn axis(tl: &Timeline, g: Geo, tg: TimelineGlyphs, theme: &Theme) -> Line<'static> {
    let mut row = vec![(tg.axis, theme.border()); g.bar];
    for t in tl.ticks() {
        if let Some(c) = row.get_mut(cell(tl, t, g.bar)) {
            *c = (tg.tick, theme.border());
        }
    }
    if let Some(now) = tl.now
        && let Some(c) = row.get_mut(cell(tl, now, g.bar))
    {
        *c = (tg.now_mark, theme.now_line());
    }
    let mut out = vec![Span::raw(" ".repeat(g.lead()))];
    out.extend(spans(row));
    Line::from(out)
}

/// One section's row: mark, label, bar, counts and (when wide) the actual times.
fn lane_line(tl: &Timeline, l: &Lane, g: Geo, tg: TimelineGlyphs, theme: &Theme) -> Line<'static> {
    let (mark, mark_style) = if l.failed {
        (tg.failed, theme.warning())
    } else if l.overdue {
        (tg.overdue, theme.warning())
    } else if l.complete() {
        (tg.done, theme.span(true))
    } else {
        (' ', Style::new())
    };
    let label_style = if l.overdue || l.failed {
        theme.warning()
    } else {
        Style::new()
    };
    let mut out = vec![
        Span::styled(mark.to_string(), mark_style),
        Span::styled(fit(&l.title, g.label, tg.ellipsis), label_style),
        Span::raw(" "),
    ];
    if g.bar > 0 {
        let mut row = vec![(' ', Style::new()); g.bar];
        for t in tl.ticks() {
            if let Some(c) = row.get_mut(cell(tl, t, g.bar)) {
                *c = (tg.grid, theme.muted());
            }
        }
        let slot_end = l.planned.map(|p| cells(tl, p.start, p.end, g.bar).1);
        if let Some(p) = l.planned {
            let (a, b) = cells(tl, p.start, p.end, g.bar);
            for c in &mut row[a..=b] {
                *c = (tg.slot, theme.slot());
            }
        }
        if let (true, false, Some(end)) = (l.overdue, l.complete(), slot_end) {
            let until = cell(tl, tl.reference, g.bar);
            for c in row.iter_mut().take(until + 1).skip(end + 1) {
                *c = (tg.overrun, theme.warning());
            }
        }
        if let Some(s) = l.actual {
            let (a, b) = cells(tl, s.start, s.end, g.bar);
            for (i, c) in row.iter_mut().enumerate().take(b + 1).skip(a) {
                let late = l.overdue && slot_end.is_some_and(|e| i > e);
                let style = if late {
                    theme.warning()
                } else {
                    theme.span(l.complete())
                };
                *c = (tg.span, style);
            }
        }
        // The now-line crosses everything but the actual bar (the work done is what matters).
        if let Some(now) = tl.now
            && let Some(c) = row.get_mut(cell(tl, now, g.bar))
            && c.0 != tg.span
        {
            *c = (tg.now, theme.now_line());
        }
        out.extend(spans(row));
        out.push(Span::raw(" "));
    }
    let status_style = if l.overdue {
        theme.warning()
    } else {
        theme.muted()
    };
    out.push(Span::styled(
        format!("{:>w$}", counts(l), w = g.status),
        status_style,
    ));
    if g.times {
        let t = l.actual.map_or_else(
            || "-".to_owned(),
            |s| format!("{}{}{}", hhmm(s.start), tg.dash, hhmm(s.end)),
        );
        out.push(Span::styled(format!(" {t}"), theme.muted()));
    }
    Line::from(out)
}

/// What the window is at: start, now or end, the offset times are in, how many are overdue.
fn info(tl: &Timeline, theme: &Theme, glyphs: &Glyphs) -> Line<'static> {
    let fmt = |t: DateTime<FixedOffset>| {
        if tl.spans_days() {
            t.format("%Y-%m-%d %H:%M").to_string()
        } else {
            hhmm(t)
        }
    };
    let dot = glyphs.dot();
    let mut text = format!(
        "window {}{}",
        fmt(tl.window_start),
        if tl.guess { " (guess)" } else { "" }
    );
    match (tl.now, tl.ended) {
        (Some(now), _) => text.push_str(&format!(" {dot} now {}", fmt(now))),
        (None, Some(end)) => text.push_str(&format!(" {dot} ended {}", fmt(end))),
        (None, None) => {}
    }
    text.push_str(&format!(" {dot} times in UTC{}", tl.offset_label()));
    let overdue = tl.lanes.iter().filter(|l| l.overdue).count();
    let failed = tl.lanes.iter().filter(|l| l.failed).count();
    let mut out = vec![Span::styled(text, theme.muted())];
    if overdue > 0 {
        out.push(Span::styled(
            format!(" {dot} {overdue} overdue"),
            theme.warning(),
        ));
    }
    if failed > 0 {
        out.push(Span::styled(
            format!(" {dot} {failed} failed"),
            theme.warning(),
        ));
    }
    Line::from(out)
}

fn legend(tg: TimelineGlyphs, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{} ", tg.slot), theme.slot()),
        Span::styled("planned slot  ", theme.muted()),
        Span::styled(format!("{} ", tg.span), theme.span(false)),
        Span::styled("first to last change  ", theme.muted()),
        Span::styled(format!("{} ", tg.overrun), theme.warning()),
        Span::styled("open past its slot  ", theme.muted()),
        Span::styled(format!("{} ", tg.now), theme.now_line()),
        Span::styled("now  ", theme.muted()),
        Span::styled(format!("{} ", tg.overdue), theme.warning()),
        Span::styled("overdue", theme.muted()),
    ])
}

/// The compact timeline for the run summary: an axis of tick labels, then one row per section.
pub fn compact_lines(
    tl: &Timeline,
    width: u16,
    theme: &Theme,
    glyphs: &Glyphs,
) -> Vec<Line<'static>> {
    let tg = glyphs.timeline();
    let g = Geo::new(tl, usize::from(width));
    let mut out = Vec::with_capacity(tl.lanes.len() + 1);
    if g.bar > 0 && !tl.is_empty() {
        let key = format!(" {} planned {} actual", tg.slot, tg.span);
        out.push(tick_labels(tl, g, &key, tg.ellipsis, theme));
    }
    out.extend(tl.lanes.iter().map(|l| lane_line(tl, l, g, tg, theme)));
    out
}

/// Draws the timeline popup between the header (clock and progress stay in view) and the footer, as
/// tall as its rows; `scroll` is the first section shown.
pub fn render(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    glyphs: &Glyphs,
    scroll: u16,
) {
    let top = HEADER.min(area.height);
    let r = Rect {
        y: area.y + top,
        height: area.height.saturating_sub(top + FOOTER),
        ..area
    };
    if r.width < 3 || r.height < 3 {
        return;
    }
    let tl = timeline_of(app);
    let tg = glyphs.timeline();
    let inner_w = usize::from(r.width - 2);
    let inner_h = usize::from(r.height - 2);
    let g = Geo::new(&tl, inner_w);
    let mut head = Vec::new();
    let mut foot = Vec::new();
    if inner_h >= 3 {
        head.push(info(&tl, theme, glyphs));
    }
    if tl.is_empty() {
        head.push(Line::styled(
            "No timed sections and no changes yet: nothing on the axis.",
            theme.muted(),
        ));
    } else if g.bar > 0 && inner_h >= 4 {
        head.push(tick_labels(&tl, g, "", tg.ellipsis, theme));
        head.push(axis(&tl, g, tg, theme));
    }
    if inner_h >= head.len() + 4 && g.bar > 0 {
        foot.push(Line::default());
        foot.push(legend(tg, theme));
    }
    let room = inner_h.saturating_sub(head.len() + foot.len()).max(1);
    let n = tl.lanes.len();
    let first = usize::from(scroll).min(n.saturating_sub(room));
    let shown = &tl.lanes[first..n.min(first + room)];
    let mut lines = head;
    lines.extend(shown.iter().map(|l| lane_line(&tl, l, g, tg, theme)));
    lines.truncate(inner_h.saturating_sub(foot.len()));
    lines.extend(foot);
    let mut title = " timeline ".to_owned();
    if shown.len() < n {
        title = format!(
            " timeline {} sections {}-{} of {n} ",
            glyphs.dot(),
            first + 1,
            first + shown.len()
        );
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()));
    let r = Rect {
        height: u16::try_from(lines.len() + 2).map_or(r.height, |h| h.min(r.height)),
        ..r
    };
    frame.render_widget(Clear, r);
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fit_cuts_and_pads_to_the_width() {
        assert_eq!(fit("Deploy", 8, '~'), "Deploy  ");
        assert_eq!(fit("Deployment", 6, '~'), "Deplo~");
        assert_eq!(fit("Deploy", 0, '~'), "");
        assert_eq!(fit("日本語テキスト", 5, '~'), "日本~");
        assert_eq!(text_width(&fit("日本語テキスト", 5, '~')), 5);
    }
}
