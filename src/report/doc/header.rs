//! The record's header: the run, its window and where it came from, outcome, progress, and the
//! template's metadata.

use super::{Cell, Heading, Inline, Part};
use super::{at, who_when};
use crate::report::data::ActorJson;
use crate::report::json::ReportJson;
use crate::report::{parse_time, when};

pub(super) fn header(r: &ReportJson, parts: &mut Vec<Part>) {
    let run = &r.run;
    let w = &r.window;
    let mut f: Vec<(String, Cell)> = vec![
        ("Run".into(), Cell::Code(run.id.clone())),
        (
            "Template".into(),
            Cell::Rich(vec![
                Inline::Text(format!("{} ", run.template_title)),
                Inline::Code(run.template_path.clone()),
            ]),
        ),
        (
            "Template SHA-256".into(),
            Cell::Hash(run.base_sha256.clone()),
        ),
    ];
    if run.base_sha256 != run.template_sha256 {
        f.push((
            "Template at start".into(),
            Cell::Hash(run.template_sha256.clone()),
        ));
    }
    if let Some(d) = &run.drift_sha256 {
        f.push((
            "Template file now".into(),
            Cell::Text(format!("{d} (changed since; not re-based)")),
        ));
    }
    f.push(("Outcome".into(), Cell::Strong(run.outcome.clone())));
    if let Some(reason) = &run.finish_reason {
        f.push((
            "Exceptions accepted".into(),
            Cell::Text(match &run.accepted_exceptions {
                Some(e) => format!("{e} — {reason}"),
                None => reason.clone(),
            }),
        ));
    }
    if let Some(h) = &r.hold {
        f.push((
            "On HOLD".into(),
            Cell::Strong(format!(
                "since {} by {}: {}",
                when(&h.at),
                h.actor.describe(),
                h.reason
            )),
        ));
    }
    let start = parse_time(Some(&w.start));
    let fixed = w.zone.starts_with("UTC");
    let mut window = match start {
        Some(s) if fixed => format!("{} {}", s.format("%Y-%m-%d %H:%M"), w.zone),
        Some(s) => format!(
            "{} {} ({})",
            s.format("%Y-%m-%d %H:%M"),
            w.zone,
            s.format("%:z")
        ),
        None => w.start.clone(),
    };
    if let Some(end) = parse_time(w.end.as_deref()) {
        let same_day = start.is_some_and(|s| s.date_naive() == end.date_naive());
        let f = if same_day { "%H:%M" } else { "%Y-%m-%d %H:%M" };
        window.push_str(&format!(" – {}", end.format(f)));
    }
    f.push(("Window".into(), Cell::Text(window)));
    f.push((
        if w.guess {
            "Window source (a guess)".into()
        } else {
            "Window source".into()
        },
        if w.guess {
            Cell::Strong(w.source_text.clone())
        } else {
            Cell::Text(w.source_text.clone())
        },
    ));
    if let (Some(s), Some(local)) = (start, parse_time(Some(&run.started_at)))
        && s.offset() != local.offset()
    {
        f.push((
            "Window start, local time".into(),
            Cell::Text(format!(
                "{} (the run's local time)",
                s.with_timezone(local.offset()).format("%Y-%m-%d %H:%M %:z")
            )),
        ));
    }
    f.push((
        "Run started".into(),
        Cell::Text(format!(
            "{} by {}",
            when(&run.started_at),
            run.started_by.describe()
        )),
    ));
    f.push((
        "Run ended".into(),
        Cell::Text(match (&run.ended_at, &run.ended_by) {
            (Some(t), Some(a)) => who_when(a, t).replacen(", ", " at ", 1),
            _ => at(&run.ended_at),
        }),
    ));
    if let Some(reason) = &run.abort_reason {
        f.push(("Abort reason".into(), Cell::Text(reason.clone())));
    }
    let ops: Vec<String> = r.operators.iter().map(ActorJson::describe).collect();
    f.push(("Operators".into(), Cell::Text(ops.join(", "))));
    let p = &r.progress;
    let n = |k: &str| p.by_state.get(k).copied().unwrap_or(0);
    f.push((
        "Progress".into(),
        Cell::Text(format!(
            "{}/{} closed: {} done{}, {} signed, {} GO, {} skipped, {} n/a, {} failed, {} NO-GO, {} open",
            p.closed,
            p.total,
            n("done"),
            if p.prechecked > 0 {
                format!(" ({} of them pre-checked in the template)", p.prechecked)
            } else {
                String::new()
            },
            n("signed"),
            n("go"),
            n("skipped"),
            n("na"),
            n("failed"),
            n("no-go"),
            n("open")
        )),
    ));
    for (k, v) in &run.variables {
        f.push((format!("{{{{ {k} }}}}"), Cell::Text(v.clone())));
    }
    f.push((
        "Journal head".into(),
        Cell::Rich(vec![
            Inline::Text(format!("seq {} ", r.journal.seq)),
            Inline::Code(r.journal.head.clone()),
        ]),
    ));
    parts.push(Part::Facts("record", f));
    if !r.metadata.is_empty() {
        parts.push(Heading::part("From the template", "metadata"));
        parts.push(Part::Facts(
            "metadata",
            r.metadata
                .iter()
                .map(|m| (m.name.clone(), Cell::Text(m.value.clone())))
                .collect(),
        ));
    }
    for w in &run.warnings {
        parts.push(Part::Warning(w.clone()));
    }
}
