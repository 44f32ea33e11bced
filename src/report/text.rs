//! Human `status` output: outcome and counts, the window (with its countdown, and whether it is a
//! guess), a HOLD or unresolved NO-GO, the next open item, and every section and item. Linear in
//! the run's size.

use super::data::Blockers;
use super::local_and_utc;
use crate::run::gates;
use crate::run::schedule::Schedule;
use crate::run::state::ItemState;
use crate::run::view::RunView;
use chrono::{DateTime, FixedOffset};
use std::fmt::Write as _;

fn glyph(s: ItemState) -> &'static str {
    match s {
        ItemState::Open => "[ ]",
        ItemState::Done => "[x]",
        ItemState::Signed => "[✍]",
        ItemState::Go => "[GO]",
        ItemState::NoGo => "[NO-GO]",
        ItemState::Skipped => "[skip]",
        ItemState::Na => "[n/a]",
        ItemState::Failed => "[FAIL]",
    }
}

fn hm(t: DateTime<FixedOffset>, with_date: bool) -> String {
    if with_date {
        t.format("%Y-%m-%d %H:%M").to_string()
    } else {
        t.format("%H:%M").to_string()
    }
}

/// Renders `status` for a terminal (plain text, no colour) as of `now`.
pub fn status(view: &RunView<'_>, drift: Option<&str>, now: DateTime<FixedOffset>) -> String {
    let run = view.run;
    let schedule = Schedule::new(run, view.template);
    let w = &schedule.window;
    let blockers = Blockers::new(run, view.template);
    let mut o = String::new();
    let c = view.progress;
    let _ = writeln!(o, "{}  [{}]", view.subst(run.display_title()), run.id);
    let prechecked = view.items().iter().filter(|r| r.prechecked).count();
    let _ = writeln!(
        o,
        "status: {}   progress: {}/{} closed — done {}{}, skipped {}, n/a {}, failed {}, no-go {}, open {}",
        view.outcome(),
        c.closed(),
        c.total,
        c.done,
        if prechecked > 0 {
            format!(" ({prechecked} pre-checked in the template)")
        } else {
            String::new()
        },
        c.skipped,
        c.na,
        c.failed,
        c.no_go,
        c.open
    );
    let _ = writeln!(
        o,
        "started {} by {}",
        local_and_utc(&run.started_at),
        run.started_by.describe()
    );
    let countdown = if run.is_active() {
        format!(" · {}", w.t_label(&now))
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        "window{}: {}{countdown} · {}",
        if w.is_guess() { " (a guess)" } else { "" },
        w.describe(),
        w.source_text(view.template)
    );
    let local = now.offset();
    if w.start.offset() != local {
        let _ = writeln!(
            o,
            "  = {} your time",
            w.start.with_timezone(local).format("%Y-%m-%d %H:%M %:z")
        );
    }
    if let Some(b) = gates::blocker(run) {
        let _ = writeln!(o, "{}", gates::describe(run, view.template, &b));
    }
    let _ = writeln!(
        o,
        "last change: seq {} at {} by {}",
        run.seq,
        local_and_utc(&run.last.at),
        run.last.by.describe()
    );
    if let Some(new) = drift {
        let _ = writeln!(
            o,
            "template drift: {} changed (SHA-256 {} → {}); `runsheet rebase {}` follows it",
            run.template_path,
            &run.base_sha256.get(..12).unwrap_or(""),
            new.get(..12).unwrap_or(new),
            run.id
        );
    }
    match view.next_open() {
        Some(r) => {
            let _ = writeln!(o, "next: {}  ({})", r.text, r.id);
        }
        None => {
            let _ = writeln!(o, "next: nothing open");
        }
    }
    let reference = run.lifecycle.ended_at().unwrap_or(now);
    let days = schedule
        .sections
        .iter()
        .flatten()
        .any(|p| p.start.date_naive() != w.start.date_naive());
    for sec in &view.sections {
        let mut rows = view.section_rows(sec.index).peekable();
        if rows.peek().is_none() {
            continue;
        }
        let mut line = format!(
            "\n## {}  {}/{} closed",
            sec.title,
            sec.progress.closed(),
            sec.progress.total
        );
        if let Some(p) = schedule.planned(sec.index) {
            let written = view.template.sections[sec.index]
                .planned_time
                .map(|t| t.to_string())
                .filter(|t| !t.starts_with(&hm(p.start, false)))
                .map(|t| format!(" (written {t})"))
                .unwrap_or_default();
            line.push_str(&format!(
                "  planned {}–{}{written}",
                hm(p.start, days),
                hm(
                    p.slot_end,
                    days && p.slot_end.date_naive() != p.start.date_naive()
                )
            ));
        }
        if sec.progress.failures() > 0 {
            line.push_str("  ✗ failed");
        }
        if schedule.overdue(sec.index, sec.progress.open > 0, sec.last, reference) {
            line.push_str(if w.is_guess() {
                "  overdue (against a guessed window)"
            } else {
                "  overdue"
            });
        }
        let _ = writeln!(o, "{line}");
        for r in rows {
            let _ = write!(o, "  {} {}", glyph(r.state), r.text);
            if let Some(e) = r.entry {
                let _ = write!(o, "  — {} {}", e.by.describe(), e.at.format("%H:%M:%S"));
                if let Some(s) = &e.signer
                    && *s != e.by.name
                {
                    let _ = write!(o, " signed as {s}");
                }
                if let Some(reason) = &e.reason {
                    let _ = write!(o, ": {}", reason.replace('\n', " "));
                }
                if let Some(seq) = e.after_no_go {
                    let _ = write!(o, "  [{}]", blockers.describe(seq));
                }
            } else if r.prechecked {
                let _ = write!(o, "  — pre-checked in the template");
            }
            let _ = writeln!(o, "  ({})", r.id);
            if let Some(rec) = r.record {
                for n in rec.live_notes() {
                    let _ = writeln!(
                        o,
                        "      note {} {}: {}",
                        n.by.name,
                        n.at.format("%H:%M"),
                        n.text.replace('\n', " / ")
                    );
                }
            }
        }
    }
    if !view.orphans().is_empty() {
        let _ = writeln!(
            o,
            "\n## Orphaned (no longer in the template; progress kept)"
        );
        for r in view.orphans() {
            let _ = writeln!(
                o,
                "  {} {}  [{}] ({})",
                glyph(r.state),
                r.text,
                r.section_title,
                r.id
            );
        }
    }
    o
}
