//! Filling in the blank cells of a status-table row from the screen (issue 11: "a key in the
//! TUI"), driven key by key on `App`.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::app::{KeyMode, Mode};
use runsheet::harness::Harness;

const CHECKS: &str = include_str!("fixtures/runs/checks.md");
const VARS: &[(&str, &str)] = &[("Deployment Lead", "Dana"), ("On-Call Engineer", "Sam")];

fn goto(h: &mut Harness, needle: &str) {
    let row = h.row_of(needle);
    // Walk there with the keys a person uses.
    h.keys(&["g"]);
    while h.app.cursor < row {
        h.keys(&["j"]);
    }
}

fn value(h: &Harness, needle: &str, column: &str) -> Option<String> {
    let id = &h.app.template.items[h.item(needle)].id;
    h.app
        .run
        .items
        .get(id)
        .and_then(|r| r.field(column))
        .map(|f| f.value.clone())
}

#[test]
fn f_fills_the_first_blank_cell_and_tab_moves_to_the_next_column() {
    let mut h = Harness::new(CHECKS, VARS, 120, 40);
    goto(&mut h, "Backup");
    h.keys(&["f"]);
    assert_eq!(h.app.key_mode(), KeyMode::Field);
    let Mode::Field { column, .. } = &h.app.mode else {
        panic!("not the field editor: {:?}", h.app.mode)
    };
    let columns = h
        .app
        .fillable_values(&h.app.template.items[h.item("Backup")].id);
    assert_eq!(columns[*column].0, "Last Success", "{columns:?}");
    h.type_text("2026-12-01 03:10");
    h.keys(&["Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Normal);
    assert_eq!(
        value(&h, "Backup", "Last Success").as_deref(),
        Some("2026-12-01 03:10")
    );
    // The next blank one comes first now; Tab goes round the columns.
    h.keys(&["f"]);
    let Mode::Field { column, .. } = &h.app.mode else {
        panic!("not the field editor")
    };
    assert_eq!(columns[*column].0, "Notes");
    h.keys(&["Tab"]);
    let Mode::Field { column, editor, .. } = &h.app.mode else {
        panic!("not the field editor")
    };
    assert_eq!(columns[*column].0, "Last Success");
    assert_eq!(
        editor.text(),
        "2026-12-01 03:10",
        "prefilled with its value"
    );
    h.keys(&["Esc"]);
    assert_eq!(h.app.key_mode(), KeyMode::Normal);
}

#[test]
fn an_empty_value_is_not_recorded_and_items_without_blank_cells_say_so() {
    let mut h = Harness::new(CHECKS, VARS, 120, 40);
    goto(&mut h, "Backup");
    h.keys(&["f", "Enter"]);
    assert_eq!(h.app.key_mode(), KeyMode::Field, "still asking");
    assert!(value(&h, "Backup", "Last Success").is_none());
    h.keys(&["Esc"]);
    goto(&mut h, "Tell the on-call engineer");
    h.keys(&["f"]);
    assert_eq!(h.app.key_mode(), KeyMode::Normal);
    let log: Vec<String> = h.app.messages.log().map(|m| m.text.clone()).collect();
    assert!(log.iter().any(|m| m.contains("no blank cells")), "{log:?}");
    assert!(
        log.iter()
            .any(|m| m.contains("give a value for Last Success")),
        "{log:?}"
    );
}

#[test]
fn the_titles_detail_shows_the_templates_metadata() {
    let mut h = Harness::new(CHECKS, VARS, 120, 40);
    h.keys(&["g"]);
    assert_eq!(h.app.cursor, 0, "the title row first");
    let lines: Vec<String> = h
        .app
        .detail_doc()
        .lines
        .iter()
        .map(|l| format!("{l:?}"))
        .collect();
    let all = lines.join("\n");
    assert!(all.contains("Deployment Lead: "), "{all}");
    assert!(all.contains("Dana"), "the value the run set: {all}");
}
