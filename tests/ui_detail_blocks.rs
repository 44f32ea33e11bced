//! The detail pane draws what issue 11 reads in a template: tables without a status column as
//! aligned columns (every cell kept), placeholders with the value the run set, hard line breaks as
//! new lines, and the blank cells of a status row with what was filled in. Drawn into a
//! `TestBackend` through the real `ui::render`, read back as text.
#![allow(clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use runsheet::app::rows::Row;
use runsheet::harness::Harness;
use runsheet::run::intent::Intent;

const TEMPLATE: &str = "# Window

## Prepare

**Deployment Lead:** [Name]
**On-Call Engineer:** [Name]

| Host | Port |
|:-----|-----:|
| alpha | 5432 |
| beta-replica | 5433 | spare |

- [ ] Restart the worker  
  then watch the queue

## Checks

| Check | Last Success | Status |
|---|---|---|
| Backup | | ☐ |
";

fn screen(h: &Harness) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| {
        runsheet::ui::render(&h.app, &h.keymap, f);
    })
    .expect("draw");
    t.backend().to_string()
}

fn on_section(h: &mut Harness, title: &str) {
    let at = h
        .app
        .visible
        .iter()
        .position(|r| matches!(r, Row::Section(s) if h.app.template.sections[*s].title == title))
        .expect("section row");
    h.app.cursor = at;
}

#[test]
fn tables_line_up_and_placeholders_show_their_value() {
    let mut h = Harness::new(TEMPLATE, &[("Deployment Lead", "Dana")], 120, 40);
    // Only the unset placeholder is asked for.
    assert_eq!(h.app.key_mode(), runsheet::app::KeyMode::Vars);
    h.type_text("Sam");
    h.keys(&["Enter"]);
    assert_eq!(h.app.run.var("On-Call Engineer"), Some("Sam"));
    on_section(&mut h, "Prepare");
    let s = screen(&h);
    assert!(s.contains("Deployment Lead: Dana"), "{s}");
    assert!(s.contains("On-Call Engineer: Sam"), "{s}");
    assert!(!s.contains("[Name]"), "{s}");
    // Columns padded to the widest cell, the port right-aligned, the spare cell kept.
    assert!(s.contains("│Host          Port"), "{s}");
    assert!(s.contains("│alpha         5432"), "{s}");
    assert!(s.contains("│beta-replica  5433  spare"), "{s}");
    assert!(!s.contains("alpha | 5432"), "not pipe-joined: {s}");
}

#[test]
fn a_hard_break_starts_a_new_line() {
    let h = Harness::new(
        TEMPLATE,
        &[("Deployment Lead", "Dana"), ("On-Call Engineer", "Sam")],
        120,
        40,
    );
    assert_eq!(h.current(), "Restart the worker then watch the queue");
    let s = screen(&h);
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("│Restart the worker"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(lines[at + 1].contains("│then watch the queue"), "{s}");
}

#[test]
fn a_filled_blank_cell_shows_its_value_and_who() {
    let mut h = Harness::new(
        TEMPLATE,
        &[("Deployment Lead", "Dana"), ("On-Call Engineer", "Sam")],
        120,
        40,
    );
    let backup = h.item("Backup");
    h.app.cursor = h
        .app
        .visible
        .iter()
        .position(|r| matches!(r, Row::Item(i) if *i == backup))
        .expect("row");
    let s = screen(&h);
    assert!(s.contains("Last Success: (blank: f fills it in"), "{s}");
    let id = h.app.template.items[backup].id.clone();
    h.append(Intent::Field {
        item: id,
        column: "Last Success".into(),
        value: "2026-12-01 03:10".into(),
    });
    let s = screen(&h);
    assert!(s.contains("Last Success: 2026-12-01 03:10 (Alice"), "{s}");
}
