//! The HTML report's timeline as inline SVG: one lane per section, a planned-slot bar above an
//! actual first-to-last-change bar, round time ticks, window start/end and now-lines, overdue marks.
//! Every label is escaped; nothing refers to anything outside the element.

use super::{escape, hm};
use crate::report::timeline::{Lane, Timeline};
use chrono::{DateTime, FixedOffset};
use std::fmt::Write as _;

/// Geometry of the SVG timeline.
const W: f64 = 1000.0;
const LABEL_W: f64 = 250.0;
const RIGHT_PAD: f64 = 20.0;
const LANE_H: f64 = 30.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 26.0;

fn x_of(t: &Timeline, at: DateTime<FixedOffset>) -> f64 {
    LABEL_W + t.fraction(at) * (W - LABEL_W - RIGHT_PAD)
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
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
    let _ = writeln!(
        o,
        "<text x=\"{:.1}\" y=\"{:.1}\"{}>{}<title>{}</title></text>",
        6.0 + indent,
        y + LANE_H / 2.0 + 4.0,
        if l.overdue { " class=\"overdue\"" } else { "" },
        escape(&short(&l.title, 34 - (indent / 8.0) as usize)),
        escape(&l.title)
    );
    let over = if l.overdue { " overdue" } else { "" };
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
        let state = if l.complete() { " complete" } else { "" };
        rect(
            o,
            &format!("actual{state}{over}"),
            x_of(t, a.start),
            x_of(t, a.end),
            y + 15.0,
            11.0,
            &format!(
                "{}: actual {} – {} ({}/{} done){}",
                l.title,
                hm(a.start, days),
                hm(a.end, days),
                l.done,
                l.total,
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
            let x = (x_of(t, end) + 6.0).min(W - RIGHT_PAD - 4.0);
            let _ = writeln!(
                o,
                "<text class=\"overdue\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{}\">overdue</text>",
                y + 25.0,
                if x > W - 90.0 { "end" } else { "start" }
            );
        }
    }
}

/// The timeline section: an inline SVG of planned slots and actual spans per section, with the
/// window start/end and now-lines and overdue marks; a short note when there is nothing to draw.
pub(super) fn timeline(o: &mut String, t: &Timeline) {
    let _ = writeln!(
        o,
        "<section id=\"timeline-section\">\n<h2>Timeline: planned vs actual</h2>"
    );
    if t.is_empty() {
        let _ = writeln!(
            o,
            "<p id=\"timeline\" class=\"empty\">No timed sections and no changes yet: nothing to draw.</p>\n</section>"
        );
        return;
    }
    let lanes: Vec<&Lane> = t
        .lanes
        .iter()
        .filter(|l| l.planned.is_some() || l.actual.is_some() || l.total > 0)
        .collect();
    let h = TOP + LANE_H * lanes.len() as f64 + BOTTOM;
    let days = t.spans_days();
    let _ = writeln!(
        o,
        "<figure>\n<svg id=\"timeline\" class=\"timeline\" viewBox=\"0 0 {W} {h}\" \
         role=\"img\" aria-labelledby=\"timeline-title\">\n<title id=\"timeline-title\">Timeline of the run: planned slot and actual first-to-last change per section</title>"
    );
    for (n, _) in lanes.iter().enumerate().filter(|(n, _)| n % 2 == 1) {
        let _ = writeln!(
            o,
            "<rect class=\"lane-alt\" x=\"0\" y=\"{:.1}\" width=\"{W}\" height=\"{LANE_H}\"/>",
            TOP + LANE_H * n as f64
        );
    }
    let bottom = TOP + LANE_H * lanes.len() as f64;
    for tick in t.ticks() {
        let x = x_of(t, tick);
        let _ = writeln!(
            o,
            "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            TOP - 6.0,
            bottom + 16.0,
            hm(tick, days)
        );
    }
    for (n, l) in lanes.iter().enumerate() {
        lane_svg(o, t, l, TOP + LANE_H * n as f64, days);
    }
    // Window start/end labels sit left of their line, the now label right of it, so they never collide.
    let mut vline = |class: &str, at: DateTime<FixedOffset>, label: &str, anchor: &str| {
        let x = x_of(t, at);
        let tx = if anchor == "end" { x - 3.0 } else { x + 3.0 };
        let _ = writeln!(
            o,
            "<line class=\"{class}\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\"><title>{label} {}</title></line>\
             <text class=\"{class}-label\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{label}</text>",
            TOP - 14.0,
            hm(at, days),
            TOP - 8.0
        );
    };
    vline("window", t.window_start, "start", "end");
    if let Some(end) = t.window_end {
        vline("window", end, "end", "end");
    }
    if let Some(now) = t.now {
        vline("now", now, "now", "start");
    }
    let _ = writeln!(
        o,
        "</svg>\n<figcaption class=\"legend\">Times are local to the window (UTC{}).\
         <span class=\"l-planned\"></span>planned slot<span class=\"l-actual\"></span>actual (first to last change)\
         <span class=\"l-complete\"></span>complete<span class=\"l-overdue\"></span>overdue</figcaption>\n</figure>\n</section>",
        escape(&t.offset_label())
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_cuts_on_char_boundaries() {
        assert_eq!(short("ééééé", 3), "éé…");
        assert_eq!(short("abc", 3), "abc");
    }
}
