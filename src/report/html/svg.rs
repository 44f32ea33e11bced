//! The HTML report's timeline as inline SVG: one lane per section, a planned-slot bar above an
//! actual first-to-last-change bar, round time ticks, window start/end, run end and now-lines,
//! overdue and failed marks. Labels are laid out so that they never overlap or leave the picture,
//! for a one-minute run as for a four-hour one: text widths are estimated on the generous side,
//! lane titles are cut to fit their column, tick labels are thinned to the room they have, and the
//! labels of vertical lines stack in rows above the lanes when they would collide.
//! Every label is escaped; nothing refers to anything outside the element.

use super::{escape, hm};
use crate::report::timeline::{Lane, Timeline};
use chrono::{DateTime, FixedOffset};
use std::fmt::Write as _;

/// Geometry of the SVG timeline (user units; the picture scales to the page width).
const W: f64 = 1000.0;
const LABEL_W: f64 = 250.0;
const RIGHT_PAD: f64 = 20.0;
const LANE_H: f64 = 30.0;
const BOTTOM: f64 = 26.0;
/// Font size of every label.
const FONT: f64 = 11.0;
/// Height of a row of line labels.
const ROW_H: f64 = 13.0;
/// Space kept between two labels.
const GAP: f64 = 6.0;

/// A generous estimate of a label's width at [`FONT`] in a sans-serif font (DejaVu Sans is among
/// the widest), so that estimated boxes that do not touch never touch on screen either.
pub(crate) fn text_width(s: &str) -> f64 {
    let em: f64 =
        s.chars()
            .map(|c| match c {
                ' ' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'i' | 'j' | 'l' | 'I' | '('
                | ')' => 0.36,
                'm' | 'w' | 'M' | 'W' | '@' | '%' => 1.02,
                '0'..='9' => 0.66,
                'a'..='z' => 0.64,
                'A'..='Z' => 0.8,
                c if c.is_ascii() => 0.7,
                '–' | '—' | '…' | '›' => 1.0,
                _ => 1.35,
            })
            .sum();
    em * FONT * 1.08 + 2.0
}

fn x_of(t: &Timeline, at: DateTime<FixedOffset>) -> f64 {
    LABEL_W + t.fraction(at) * (W - LABEL_W - RIGHT_PAD)
}

/// `s` cut with `…` so that it fits `max` wide.
fn fit(s: &str, max: f64) -> String {
    if text_width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        let mut next = out.clone();
        next.push(c);
        next.push('…');
        if text_width(&next) > max {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end().to_owned();
    format!("{out}…")
}

fn rect(o: &mut String, class: &str, x0: f64, x1: f64, y: f64, h: f64, tip: &str) {
    let w = (x1 - x0).max(3.0);
    let _ = writeln!(
        o,
        "<rect class=\"{class}\" x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"2\"><title>{}</title></rect>",
        escape(tip)
    );
}

fn lane_svg(o: &mut String, t: &Timeline, l: &Lane, y: f64, days: bool) {
    let indent = f64::from(l.level.saturating_sub(1).min(4)) * 8.0;
    let mark = if l.failed { "✗ " } else { "" };
    let title = fit(&format!("{mark}{}", l.title), LABEL_W - 10.0 - indent - 6.0);
    let class = if l.failed || l.overdue {
        " class=\"overdue\""
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "<text class=\"lane-label\" x=\"{:.1}\" y=\"{:.1}\"{class}>{}<title>{}</title></text>",
        6.0 + indent,
        y + LANE_H / 2.0 + 4.0,
        escape(&title),
        escape(&l.title)
    );
    if let Some(p) = l.planned {
        let planned_class = if l.actual.is_none() && l.overdue {
            "planned overdue"
        } else {
            "planned"
        };
        rect(
            o,
            planned_class,
            x_of(t, p.start),
            x_of(t, p.end),
            y + 4.0,
            10.0,
            &format!(
                "{}: planned {} – {}",
                l.title,
                hm(p.start, days),
                hm(p.end, days)
            ),
        );
    }
    if let Some(a) = l.actual {
        let state = if l.failed {
            " failed"
        } else if l.complete() {
            " complete"
        } else {
            ""
        };
        let over = if l.overdue { " overdue" } else { "" };
        rect(
            o,
            &format!("actual{state}{over}"),
            x_of(t, a.start),
            x_of(t, a.end),
            y + 15.0,
            11.0,
            &format!(
                "{}: actual {} – {} ({}/{} closed){}{}",
                l.title,
                hm(a.start, days),
                hm(a.end, days),
                l.done,
                l.total,
                if l.failed { ", failed" } else { "" },
                if l.overdue { ", overdue" } else { "" }
            ),
        );
    }
    if l.overdue {
        let end = l
            .actual
            .map(|a| a.end)
            .into_iter()
            .chain(l.planned.map(|p| p.end))
            .max();
        if let Some(end) = end {
            let label = if t.guess {
                "overdue (guess)"
            } else {
                "overdue"
            };
            let w = text_width(label);
            let x = x_of(t, end) + 6.0;
            // Right of the bars when it fits, else right-aligned at the edge.
            let (x, anchor) = if x + w <= W - 4.0 {
                (x, "start")
            } else {
                (W - 4.0, "end")
            };
            let _ = writeln!(
                o,
                "<text class=\"overdue\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{label}</text>",
                y + 25.0
            );
        }
    }
}

/// A label of a vertical line, placed above the lanes.
struct LineLabel {
    class: &'static str,
    at: DateTime<FixedOffset>,
    text: String,
}

/// Where each line label goes: its row above the lanes, x and anchor, so that no two overlap and
/// none leaves the picture. Returns (row, x, anchor) per label, and the rows used.
fn place(labels: &[(f64, f64)]) -> (Vec<(usize, f64, &'static str)>, usize) {
    let mut placed: Vec<(usize, f64, f64)> = Vec::new();
    let mut out = Vec::new();
    let mut rows = 1;
    for &(x, w) in labels {
        let mut choice = None;
        'rows: for row in 0..labels.len().max(1) {
            for (left, anchor) in [(x + 3.0, "start"), (x - 3.0 - w, "end")] {
                let left = left.clamp(2.0, W - 2.0 - w);
                let right = left + w;
                let free = placed
                    .iter()
                    .filter(|(r, _, _)| *r == row)
                    .all(|&(_, a, b)| right + GAP <= a || left >= b + GAP);
                if free {
                    let x = if anchor == "start" { left } else { right };
                    choice = Some((row, x, anchor, left, right));
                    break 'rows;
                }
            }
        }
        let (row, x, anchor, left, right) =
            choice.unwrap_or((labels.len(), (x + 3.0).min(W - 2.0 - w), "start", x, x + w));
        placed.push((row, left, right));
        rows = rows.max(row + 1);
        out.push((row, x, anchor));
    }
    (out, rows)
}

/// Tick times whose labels fit side by side, and each label's x (kept inside the picture).
fn ticks(t: &Timeline, days: bool) -> Vec<(DateTime<FixedOffset>, f64, f64)> {
    let sample = if days { "00-00 00:00" } else { "00:00" };
    let w = text_width(sample);
    let plot = W - LABEL_W - RIGHT_PAD;
    let max = ((plot / (w + 2.0 * GAP)).floor() as i64).max(1);
    let mut out: Vec<(DateTime<FixedOffset>, f64, f64)> = Vec::new();
    for tick in t.ticks_at_most(max) {
        let x = x_of(t, tick);
        let label_x = x.clamp(w / 2.0 + 2.0, W - w / 2.0 - 2.0);
        if out
            .last()
            .is_some_and(|&(_, px, pw)| label_x - w / 2.0 < px + pw / 2.0 + GAP)
        {
            continue;
        }
        out.push((tick, label_x, w));
    }
    out
}

/// The timeline section's figure: an inline SVG of planned slots and actual spans per section,
/// with the window start/end, run end and now-lines, overdue and failed marks, and a caption; a
/// short note when there is nothing to draw.
pub(super) fn timeline(o: &mut String, t: &Timeline, caption: &str) {
    if t.is_empty() {
        let _ = writeln!(
            o,
            "<p id=\"timeline\" class=\"empty\">No timed sections and no changes yet: nothing to draw.</p>"
        );
        return;
    }
    let lanes: Vec<&Lane> = t
        .lanes
        .iter()
        .filter(|l| l.planned.is_some() || l.actual.is_some() || l.total > 0)
        .collect();
    let days = t.spans_days();
    let mut lines = vec![LineLabel {
        class: "window",
        at: t.window_start,
        text: if t.guess {
            "window (guess)".to_owned()
        } else {
            "window".to_owned()
        },
    }];
    if let Some(end) = t.window_end {
        lines.push(LineLabel {
            class: "window",
            at: end,
            text: "window end".to_owned(),
        });
    }
    if let Some(end) = t.ended {
        lines.push(LineLabel {
            class: "ended",
            at: end,
            text: "ended".to_owned(),
        });
    }
    if let Some(now) = t.now {
        lines.push(LineLabel {
            class: "now",
            at: now,
            text: "now".to_owned(),
        });
    }
    lines.sort_by_key(|l| l.at);
    let boxes: Vec<(f64, f64)> = lines
        .iter()
        .map(|l| (x_of(t, l.at), text_width(&l.text)))
        .collect();
    let (spots, rows) = place(&boxes);
    let top = 8.0 + ROW_H * rows as f64 + 6.0;
    let h = top + LANE_H * lanes.len() as f64 + BOTTOM;
    let _ = writeln!(
        o,
        "<figure>\n<svg id=\"timeline\" class=\"timeline\" viewBox=\"0 0 {W} {h:.1}\" \
         role=\"img\" aria-labelledby=\"timeline-title\">\n<title id=\"timeline-title\">Timeline of the run: planned slot and actual first-to-last change per section</title>"
    );
    for (n, _) in lanes.iter().enumerate().filter(|(n, _)| n % 2 == 1) {
        let _ = writeln!(
            o,
            "<rect class=\"lane-alt\" x=\"0\" y=\"{:.1}\" width=\"{W}\" height=\"{LANE_H}\"/>",
            top + LANE_H * n as f64
        );
    }
    let bottom = top + LANE_H * lanes.len() as f64;
    for (tick, label_x, _) in ticks(t, days) {
        let x = x_of(t, tick);
        let _ = writeln!(
            o,
            "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\"/>\
             <text class=\"tick\" x=\"{label_x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            bottom + 16.0,
            hm(tick, days)
        );
    }
    for (n, l) in lanes.iter().enumerate() {
        lane_svg(o, t, l, top + LANE_H * n as f64, days);
    }
    for (l, (row, tx, anchor)) in lines.iter().zip(spots) {
        let x = x_of(t, l.at);
        let y = 8.0 + ROW_H * (row as f64 + 1.0);
        let _ = writeln!(
            o,
            "<line class=\"{}\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\"><title>{} {}</title></line>\
             <text class=\"{}-label\" x=\"{tx:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
            l.class,
            y + 3.0,
            escape(&l.text),
            hm(l.at, days),
            l.class,
            escape(&l.text)
        );
    }
    let _ = writeln!(
        o,
        "</svg>\n<figcaption class=\"legend\">{}\
         <span class=\"l-planned\"></span>planned slot<span class=\"l-actual\"></span>actual (first to last change)\
         <span class=\"l-complete\"></span>complete<span class=\"l-overdue\"></span>overdue or failed</figcaption>\n</figure>",
        escape(caption)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_to_the_width() {
        assert_eq!(fit("abc", 100.0), "abc");
        let cut = fit(&"é".repeat(80), 120.0);
        assert!(cut.ends_with('…') && text_width(&cut) <= 120.0, "{cut}");
    }

    #[test]
    fn line_labels_never_overlap() {
        // A one-minute run: window, ended and now within a few pixels of each other.
        let boxes = [(300.0, 60.0), (301.0, 40.0), (302.0, 30.0), (980.0, 60.0)];
        let (spots, rows) = place(&boxes);
        assert!(rows >= 1);
        for (i, a) in spots.iter().enumerate() {
            let la = if a.2 == "start" {
                a.1
            } else {
                a.1 - boxes[i].1
            };
            assert!(la >= 0.0 && la + boxes[i].1 <= W, "{a:?}");
            for (j, b) in spots.iter().enumerate().skip(i + 1) {
                let lb = if b.2 == "start" {
                    b.1
                } else {
                    b.1 - boxes[j].1
                };
                if a.0 == b.0 {
                    assert!(
                        la + boxes[i].1 <= lb || lb + boxes[j].1 <= la,
                        "{a:?} {b:?}"
                    );
                }
            }
        }
    }
}
