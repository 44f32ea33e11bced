//! The checklists operators already have that are not GitHub task lists (issue 11): numbered
//! procedures, bullets under headings, checkbox glyphs pasted from Word or Google Docs, `[ ]`
//! without a list marker, bracket placeholders after labels, hard line breaks, status tables with
//! descriptions and blank cells, and tables without a status column. One fixture per construct
//! under `tests/fixtures/valid/`, each asserting what the operator sees.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::model::{Block, Item, ItemKind, Origin, SpanStyle, Template, VariableKind};
use runsheet::template::{self, LoadOptions};
#[path = "support/template_helpers.rs"]
mod support;
use support::{fixture, item, load, load_with, parse, rules, texts};

fn rules_1() -> LoadOptions {
    rules(1)
}

#[test]
fn a_numbered_procedure_without_checkboxes_is_the_checklist() {
    let t = load("steps_runbook.md");
    assert_eq!(
        texts(&t),
        [
            "Drain the first ingest node",
            "Renew its certificate",
            "Request the certificate from the vault",
            "Install it under /etc/ingest/tls",
            "Restart the service",
            "Repeat for the second node",
        ]
    );
    // Nested steps nested; the command and the text under a step are its body.
    let renew = item(&t, "Renew its certificate");
    let children: Vec<&str> = t
        .items
        .iter()
        .filter(|i| i.parent == Some(t.items.iter().position(|x| x.id == renew.id).unwrap_or(0)))
        .map(|i| i.text.as_str())
        .collect();
    assert_eq!(
        children,
        [
            "Request the certificate from the vault",
            "Install it under /etc/ingest/tls"
        ]
    );
    let drain = item(&t, "Drain the first ingest node");
    let code: Vec<&str> = drain.code_blocks().map(|c| c.text.as_str()).collect();
    assert_eq!(code, ["ingestctl drain ingest-1 --wait 120\n"]);
    assert!(
        item(&t, "Install it under /etc/ingest/tls")
            .body
            .iter()
            .any(|b| matches!(b, Block::Bullet { .. })),
        "a plain bullet under a step is its body"
    );
    assert!(
        item(&t, "Restart the service")
            .body
            .iter()
            .any(|b| matches!(b, Block::Paragraph { .. }))
    );
    for i in &t.items {
        assert_eq!(i.kind, ItemKind::Task);
        assert_eq!(i.origin, Origin::List);
        assert!(!i.gfm_task, "GitHub shows no checkbox for {:?}", i.text);
        assert_eq!(i.marker, None);
    }
    // The table of contents is not part of the procedure; exactly one warning says what happened.
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert_eq!(t.warnings[0].line, 14);
    assert!(t.warnings[0].message.contains("6 numbered step"));
    assert!(t.warnings[0].message.contains("--steps"));
}

#[test]
fn a_step_has_the_id_the_same_line_has_as_a_task() {
    let steps = parse("# R\n\n## Do\n\n1. Drain the node\n2. Restart\n");
    let tasks = parse("# R\n\n## Do\n\n1. [ ] Drain the node\n2. [ ] Restart\n");
    let ids = |t: &Template| t.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&steps), ids(&tasks));
}

#[test]
fn steps_stay_text_beside_checkboxes_unless_asked_for() {
    let src =
        "# F\n\n- [ ] Page the on-call\n\n## Procedure\n\n1. Stop writes\n2. Promote the replica\n";
    let t = parse(src);
    assert_eq!(texts(&t), ["Page the on-call"], "the steps are text");
    let forced = template::parse_str_with(
        "f.md",
        src,
        LoadOptions {
            steps: true,
            ..LoadOptions::default()
        },
    )
    .expect("loads");
    assert_eq!(
        texts(&forced),
        ["Page the on-call", "Stop writes", "Promote the replica"]
    );
    assert!(forced.warnings.is_empty(), "{:?}", forced.warnings);
    // `steps: true` in the front matter does the same.
    let t = load("steps_mixed.md");
    assert_eq!(
        texts(&t),
        [
            "Page the database on-call",
            "Change ticket approved",
            "Stop writes on the primary",
            "Promote the replica",
            "Point the pooler at the new primary",
        ]
    );
    assert!(t.items[1].checked);
    assert_eq!(t.items[2].parent, None);
}

#[test]
fn plain_bullets_are_items_only_without_tasks_steps_or_tables() {
    let t = load("bullets_runbook.md");
    assert_eq!(
        texts(&t),
        [
            "The scheduler log has no errors",
            "The report bucket has today's file",
            "and it is larger than 1 MB",
            "Approved by",
        ]
    );
    assert_eq!(t.items[2].depth, 1, "a nested bullet is a nested item");
    assert_eq!(item(&t, "Approved by").kind, ItemKind::Signoff);
    // Lists of links are references, not things to do; `**Owner:** [Name]` is a variable.
    assert!(
        t.sections
            .iter()
            .any(|s| s.body.iter().any(|b| matches!(b, Block::Bullet { .. }))),
        "the link bullets stay text"
    );
    assert!(t.variables.iter().any(|v| v.name == "Owner"));
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert!(t.warnings[0].message.contains("3 bullet"));
    // With one task, bullets are text again; with a numbered step, the step wins.
    let t = parse("# R\n\n- [ ] Real task\n\n## Check\n\n- a bullet\n");
    assert_eq!(texts(&t), ["Real task"]);
    let t = parse("# R\n\n1. Step one\n\n## Check\n\n- a bullet\n");
    assert_eq!(texts(&t), ["Step one"]);
    // A table of contents alone is nothing to do.
    let e = template::parse_str("toc.md", "# T\n\n- [A](#a)\n- [B](#b)\n\n## A\n\ntext\n")
        .expect_err("no items");
    assert_eq!(e.kind, template::LoadErrorKind::NoItems);
}

#[test]
fn pasted_checkbox_glyphs_are_items_with_their_state() {
    let t = load("pasted_glyphs.md");
    let got: Vec<(&str, bool, Origin)> = t
        .items
        .iter()
        .map(|i| (i.text.as_str(), i.checked, i.origin))
        .collect();
    use Origin::{Line, List};
    assert_eq!(
        got,
        [
            ("Book the movers", false, Line),
            ("Label every box", true, Line),
            ("Cancel the old internet contract", true, Line),
            ("Order the new desks", true, Line),
            ("Test the badge readers", false, Line),
            ("Update the address on the website", false, Line),
            ("Forward the mail", true, Line),
            ("Pack the server room", false, List),
            ("Back up the file server", true, List),
            ("Return the old keys", false, Line),
            ("Photograph the meter readings", true, Line),
            (
                "Hand over the parking permits to the building manager",
                false,
                Line
            ),
        ]
    );
    assert_eq!(
        t.items.iter().map(|i| i.line).collect::<Vec<_>>(),
        [5, 6, 7, 8, 9, 10, 11, 15, 16, 20, 21, 22]
    );
    // GitHub shows none of these as checkboxes, so the GFM comparison leaves them out.
    assert!(t.items.iter().all(|i| !i.gfm_task));
    // The line before the glyphs stays the section's text; a glyph mid-sentence is text.
    assert!(matches!(
        t.sections[0].body.first(),
        Some(Block::Paragraph { line: 3, .. })
    ));
    assert!(!texts(&t).iter().any(|x| x.contains("mentions")));
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn two_name_placeholders_under_two_labels_are_two_variables() {
    let t = load("placeholders.md");
    let vars: Vec<(&str, VariableKind, usize, Option<&str>)> = t
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.kind, v.line, v.placeholder.as_deref()))
        .collect();
    use VariableKind::{Mustache, Placeholder};
    assert_eq!(
        vars,
        [
            ("VERSION", Mustache, 1, None),
            ("Deployment Lead", Placeholder, 3, Some("Name")),
            ("On-Call Engineer", Placeholder, 4, Some("Name")),
            ("Window Start", Placeholder, 5, Some("Start")),
            ("Window End", Placeholder, 5, Some("End")),
            ("Go-Live Date", Placeholder, 10, Some("MM/DD/YYYY")),
            ("Code freeze", Placeholder, 15, Some("MM/DD/YYYY")),
        ]
    );
    assert_eq!(
        t.settable_variables().collect::<Vec<_>>(),
        [
            "VERSION",
            "Deployment Lead",
            "On-Call Engineer",
            "Window Start",
            "Window End",
            "Go-Live Date",
            "Code freeze"
        ]
    );
    // The placeholders are marked in the text, each naming its variable (what the screen and the
    // reports substitute); brackets inside a sentence are not.
    let marked: Vec<(String, String)> = t.sections[0]
        .body
        .iter()
        .flat_map(|b| match b {
            Block::Paragraph { spans, .. } | Block::Bullet { spans, .. } => spans.clone(),
            _ => Vec::new(),
        })
        .filter_map(|s| match s.style {
            SpanStyle::Placeholder { var } => Some((s.text.to_string(), var)),
            _ => None,
        })
        .collect();
    assert_eq!(
        marked,
        [
            ("[Name]".to_owned(), "Deployment Lead".to_owned()),
            ("[Name]".to_owned(), "On-Call Engineer".to_owned()),
            ("[Start]".to_owned(), "Window Start".to_owned()),
            ("[End]".to_owned(), "Window End".to_owned()),
        ]
    );
    let table = t.sections[0]
        .body
        .iter()
        .find_map(|b| match b {
            Block::Table { rows, .. } => Some(rows),
            _ => None,
        })
        .expect("the information table");
    assert!(matches!(
        table[0][1].styles.as_slice(),
        [runsheet::model::StyleRun { style: SpanStyle::Placeholder { var }, .. }] if var == "Go-Live Date"
    ));
    assert!(
        table[1][1].styles.is_empty(),
        "CHG-1234 is a value, not a blank"
    );
}

#[test]
fn hard_line_breaks_are_kept() {
    let t = load("hard_breaks.md");
    let restart = item(&t, "Restart the worker then watch the queue drain");
    let styles: Vec<SpanStyle> = restart.spans().map(|s| s.style.clone()).collect();
    assert_eq!(
        styles,
        [SpanStyle::Plain, SpanStyle::Break, SpanStyle::Plain],
        "two trailing spaces"
    );
    let rotate = item(&t, "Rotate the key and revoke the old one");
    assert!(
        rotate.spans().any(|s| *s.style == SpanStyle::Break),
        "trailing backslash"
    );
    let breaks = rotate
        .body
        .iter()
        .map(|b| match b {
            Block::Paragraph { spans, .. } => {
                spans.iter().filter(|s| s.style == SpanStyle::Break).count()
            }
            _ => 0,
        })
        .sum::<usize>();
    assert_eq!(breaks, 2, "{:?}", rotate.body);
    // A soft line break is a space, not a break.
    let t = parse("- [ ] one\n  two\n");
    assert!(t.items[0].spans().all(|s| *s.style != SpanStyle::Break));
}

#[test]
fn a_status_row_reads_as_its_label_and_description() {
    let t = load("status_described.md");
    assert_eq!(
        texts(&t),
        [
            "Unit tests — All tests pass (cargo test)",
            "Lint — No warnings from the linter",
            "Licences — Every dependency has an approved licence",
            "Freeze merges",
            "Tag the build",
        ]
    );
    // The description keeps its code span.
    let unit = &t.items[0];
    assert!(
        unit.spans()
            .any(|s| s.text == "cargo test" && *s.style == SpanStyle::Code)
    );
    // `Owner` is an attribute, not a description: the row's text is its first column.
    assert_eq!(t.items[3].fields[0].name, "Owner");
    // Rules 1 (runs started before) read the first column only.
    let old = load_with("status_described.md", rules_1());
    assert_eq!(texts(&old)[..3], ["Unit tests", "Lint", "Licences"]);
}

#[test]
fn blank_cells_of_a_status_table_are_fields_to_fill_in() {
    let t = load("status_described.md");
    let fields = |i: &Item| -> Vec<(String, String)> {
        i.fields
            .iter()
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect()
    };
    let unit = &t.items[0];
    assert_eq!(unit.fillable, ["Last Success", "Notes"]);
    assert_eq!(
        fields(unit),
        [
            ("Last Success".into(), String::new()),
            ("Notes".into(), String::new())
        ]
    );
    let lint = &t.items[1];
    assert_eq!(lint.fillable, ["Notes"], "a filled cell is not a blank");
    assert_eq!(lint.fields[0].value, "2026-11-30");
    // `____` and a lone `[ticket]` are blanks too; the status column never is.
    assert_eq!(t.items[2].fillable, ["Last Success", "Notes"]);
    assert_eq!(t.items[2].fields[1].value, "[ticket]");
    assert_eq!(unit.fillable_field("last success"), Some("Last Success"));
    assert_eq!(unit.fillable_field("Status"), None);
}

#[test]
fn cells_past_the_header_are_kept() {
    let t = load("status_described.md");
    let tag = item(&t, "Tag the build");
    let extra: Vec<(&str, &str)> = tag
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        extra,
        [
            ("Owner", "Omar"),
            ("column 4", "extra note"),
            ("column 5", "second extra")
        ]
    );
    let t = load("aligned_table.md");
    let Some(Block::Table {
        header,
        rows,
        align,
        ..
    }) = t.sections[0].body.first()
    else {
        panic!("{:?}", t.sections[0].body);
    };
    assert_eq!(header.len(), 3);
    assert_eq!(rows[1].len(), 4, "the spare cell is kept");
    assert_eq!(rows[1][3], "spare cell");
    use runsheet::model::Align;
    assert_eq!(align.as_slice(), [Align::Left, Align::Center, Align::Right]);
}

#[test]
fn an_information_table_lines_up_as_columns() {
    let t = load("aligned_table.md");
    let Some(Block::Table {
        header,
        rows,
        align,
        ..
    }) = t.sections[0].body.first()
    else {
        panic!("no table");
    };
    let text = |cells: &[runsheet::model::Cell]| -> Vec<String> {
        cells.iter().map(|c| c.text.clone()).collect()
    };
    let rows: Vec<Vec<String>> = rows.iter().map(|r| text(r)).collect();
    let justify: Vec<runsheet::text::columns::Justify> = align
        .iter()
        .map(|a| match a {
            runsheet::model::Align::Right => runsheet::text::columns::Justify::Right,
            runsheet::model::Align::Center => runsheet::text::columns::Justify::Center,
            _ => runsheet::text::columns::Justify::Left,
        })
        .collect();
    let lines = runsheet::text::columns::layout(&text(header), &rows, &justify, '-');
    assert_eq!(
        lines,
        [
            "Host              Role    Port",
            "---------------  -------  ----  ----------",
            "alpha            primary  5432",
            "beta-replica-02  replica  5433  spare cell",
        ]
    );
}

#[test]
fn damaged_constructs_load_without_inventing_items() {
    let t = load("damaged_constructs.md");
    // A glyph or `[ ]` with no text, `[x]` glued to a word, an unclosed placeholder and a
    // ten-digit "step" are text; a table row missing its status is an open item; a row with too
    // many cells keeps them.
    assert_eq!(
        texts(&t),
        ["row with a missing status", "too", "The only real task"]
    );
    assert!(!t.items[0].checked);
    assert!(t.variables.is_empty(), "{:?}", t.variables);
    assert_eq!(t.items[1].fields.len(), 2);
}

#[test]
fn rules_1_keep_what_runs_started_before_have() {
    // A run started by an earlier runsheet reads its template copy with rules 1: no pasted glyph,
    // numbered step or bullet becomes an item under it, so its items and their ids stay put.
    for name in ["pasted_glyphs.md", "steps_runbook.md"] {
        let e = template::load_path_with(&fixture(name), rules_1()).expect_err(name);
        assert_eq!(e.kind, template::LoadErrorKind::NoItems, "{name}");
    }
    let t = load_with("bullets_runbook.md", rules_1());
    assert_eq!(texts(&t), ["Approved by"]);
    let t = load_with("steps_mixed.md", rules_1());
    assert_eq!(texts(&t).len(), 2, "front matter `steps` is rules 2");
}

#[test]
fn a_bold_gate_and_a_signoff_in_one_paragraph_keep_their_order() {
    let t = parse("# T\n\n**Go/No-Go for the cut-over**\nTech Lead: ________\n");
    let got: Vec<(ItemKind, usize)> = t.items.iter().map(|i| (i.kind, i.line)).collect();
    assert_eq!(got, [(ItemKind::Gate, 3), (ItemKind::Signoff, 4)]);
    assert!(t.items[0].text.starts_with("Go/No-Go for the cut-over"));
    assert_eq!(t.items[1].text, "Tech Lead");
}

#[test]
fn a_column_of_row_numbers_is_not_the_rows_text() {
    let t = load("numbered_table.md");
    assert_eq!(
        texts(&t),
        [
            "Login works",
            "Orders flow",
            "Emails go out",
            "Drain the node",
            "Restart it",
            "80",
            "443",
            "1"
        ]
    );
    // Nor is it a field; the other columns are, a blank one to fill in.
    let emails = item(&t, "Emails go out");
    let names: Vec<&str> = emails.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Owner"]);
    assert_eq!(emails.fillable, ["Owner"]);
    assert!(item(&t, "Orders flow").checked);
    // A column of other numbers is data (`Port`), and a lone number column is still the text.
    assert_eq!(item(&t, "80").fields[0].value, "http");
    // Runs that recorded loader rules 2 read the number in the text, as they did.
    let before = load_with("numbered_table.md", rules(2));
    assert_eq!(before.items[0].text, "1 — Login works");
}
