//! Sign-offs as change documents write them: an approvals table (`| Role | Name | Signature |
//! Date |`), a role named inside the label (`Signed off by Change Manager: ____`, `QA sign-off:
//! ____`), and a role in parentheses after the blanks (`Approved by: ____ (Service Owner)`).
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::model::{Block, ItemKind, Origin, Template};
use runsheet::template::{self, LoadOptions};
use std::path::Path;

fn load_with(rules: u32) -> Template {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/signoff_table.md");
    let opts = LoadOptions {
        rules,
        ..LoadOptions::default()
    };
    template::load_path_with(&path, opts).unwrap_or_else(|e| panic!("{e}"))
}

fn signoffs(t: &Template) -> Vec<(&str, Option<&str>, Origin)> {
    t.items
        .iter()
        .filter(|i| i.kind == ItemKind::Signoff)
        .map(|i| (i.text.as_str(), i.role.as_deref(), i.origin))
        .collect()
}

#[test]
fn each_role_of_an_approvals_table_signs_and_labels_name_their_role() {
    let t = load_with(template::LOADER_RULES);
    assert_eq!(
        signoffs(&t),
        [
            ("Release Manager", Some("Release Manager"), Origin::Table),
            ("QA Lead", Some("QA Lead"), Origin::Table),
            ("Security", Some("Security"), Origin::Table),
            (
                "Signed off by Change Manager",
                Some("Change Manager"),
                Origin::Line
            ),
            ("QA sign-off", Some("QA"), Origin::Line),
            (
                "Approved by (Service Owner)",
                Some("Service Owner"),
                Origin::Line
            ),
            ("Witness (print name)", Some("Witness"), Origin::Line),
        ]
    );
    // A filled cell of the approvals table is kept (who is expected to sign); the blank ones
    // are what signing records, not fields to fill in.
    let rm = &t.items[1];
    assert_eq!(rm.text, "Release Manager");
    let fields: Vec<(&str, &str)> = rm
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(fields, [("Name", "Dana Smith")]);
    assert!(rm.fillable.is_empty());
    // The approvals tables are not shown as tables too; the others are read-only tables.
    let approvals = t.items[1].section;
    assert!(
        t.sections[approvals]
            .body
            .iter()
            .all(|b| !matches!(b, Block::Table { .. }))
    );
    let other = t
        .sections
        .iter()
        .find(|s| s.title == "Not sign-off tables")
        .expect("section");
    let tables = other
        .body
        .iter()
        .filter(|b| matches!(b, Block::Table { .. }))
        .count();
    assert_eq!(
        tables, 2,
        "a signature column without roles, or roles without one"
    );
}

#[test]
fn runs_started_with_rules_2_keep_their_sign_offs() {
    // Rules 2 read no approvals table, the label as the role, and no role in parentheses: a run
    // that recorded them keeps exactly those items (and the ids the labels give).
    let t = load_with(2);
    assert_eq!(
        signoffs(&t),
        [
            (
                "Signed off by Change Manager",
                Some("Signed off by Change Manager"),
                Origin::Line
            ),
            ("QA sign-off", Some("QA sign-off"), Origin::Line),
        ]
    );
    let now = load_with(template::LOADER_RULES);
    for text in ["Signed off by Change Manager", "QA sign-off"] {
        let id = |t: &Template| {
            t.items
                .iter()
                .find(|i| i.text == text)
                .map(|i| i.id.clone())
                .expect(text)
        };
        assert_eq!(id(&now), id(&t), "{text}");
    }
}
