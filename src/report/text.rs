//! Human `status` output: progress overall and per section, the next open item, every item.

use super::local_and_utc;
use crate::run::state::ItemState;
use crate::run::view::RunView;
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

/// Renders `status` for a terminal (plain text, no colour).
pub fn status(view: &RunView<'_>, drift: Option<&str>) -> String {
    let run = view.run;
    let mut o = String::new();
    let p = view.progress;
    let _ = writeln!(o, "{}  [{}]", view.subst(run.display_title()), run.id);
    let _ = writeln!(
        o,
        "status: {}   progress: {}/{}{}   started {} by {}",
        view.outcome(),
        p.done,
        p.total,
        if p.exceptions > 0 {
            format!(" ({} skipped/n-a/failed/no-go)", p.exceptions)
        } else {
            String::new()
        },
        local_and_utc(&run.started_at),
        run.started_by.describe()
    );
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
    for sec in &view.sections {
        let rows: Vec<_> = view
            .items()
            .iter()
            .filter(|r| r.section == Some(sec.index))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let planned = view.template.sections[sec.index]
            .planned_time
            .map_or_else(String::new, |t| format!("  planned {t}"));
        let _ = writeln!(
            o,
            "\n## {}  {}/{}{planned}",
            sec.title, sec.progress.done, sec.progress.total
        );
        for r in rows {
            let _ = write!(o, "  {} {}", glyph(r.state), r.text);
            if let Some(e) = r.entry {
                let _ = write!(o, "  — {} {}", e.by.describe(), e.at.format("%H:%M:%S"));
                if let Some(s) = &e.signer {
                    let _ = write!(o, " signed as {s}");
                }
                if let Some(reason) = &e.reason {
                    let _ = write!(o, ": {}", reason.replace('\n', " "));
                }
            } else if r.prechecked {
                let _ = write!(o, "  — checked in the template");
            }
            let _ = writeln!(o, "  ({})", r.id);
            if let Some(rec) = r.record {
                for n in rec.live_notes() {
                    let _ = writeln!(
                        o,
                        "      note {} {}: {}",
                        n.by.name,
                        n.at.format("%H:%M"),
                        n.text.replace('\n', " ")
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
