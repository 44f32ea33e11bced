//! Tests of `detail`.

use super::*;
use crate::app::width;

fn rows_text(rows: &[Vec<Piece>]) -> Vec<String> {
    rows.iter()
        .map(|r| r.iter().map(|p| p.text.as_str()).collect())
        .collect()
}

#[test]
fn code_wraps_at_the_edge_keeping_its_indentation() {
    let d = Doc {
        lines: vec![DocLine::Code {
            number: 1,
            text: "    kubectl -n prod set image deploy/payments app=payments:2.4.1".into(),
        }],
        blocks: Vec::new(),
    };
    let rows = rows_text(&d.rows(30, CodeLayout::Wrap));
    assert_eq!(rows[0], "  1 │     kubectl -n prod set ");
    assert!(rows[1].starts_with("  ↪ │     "), "{rows:?}");
    for r in &rows {
        assert!(width::width(r) <= 30, "{r:?}");
    }
    let joined: String = rows
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let body = &r[r.find('│').map_or(0, |p| p + '│'.len_utf8() + 1)..];
            if k == 0 {
                body.to_owned()
            } else {
                body[4..].to_owned()
            }
        })
        .collect();
    assert_eq!(
        joined,
        "    kubectl -n prod set image deploy/payments app=payments:2.4.1"
    );
}

#[test]
fn code_scrolls_sideways_in_the_zoom() {
    let d = Doc {
        lines: vec![DocLine::Code {
            number: 7,
            text: "abcdefghijklmnopqrstuvwxyz".into(),
        }],
        blocks: Vec::new(),
    };
    assert_eq!(
        rows_text(&d.rows(16, CodeLayout::Scroll { skip: 0 })),
        ["  7 │ abcdefghi»"]
    );
    assert_eq!(
        rows_text(&d.rows(16, CodeLayout::Scroll { skip: 20 })),
        ["  7 « uvwxyz"]
    );
    assert_eq!(d.code_width(), 26 + GUTTER);
}

#[test]
fn prose_wraps_at_spaces_with_a_hanging_indent() {
    let d = Doc {
        lines: vec![DocLine::Text(vec![
            Piece::new("  - ", Tone::Plain),
            Piece::new("check the ⚠️ dashboards before the rollout", Tone::Plain),
        ])],
        blocks: Vec::new(),
    };
    let rows = rows_text(&d.rows(20, CodeLayout::Wrap));
    assert_eq!(
        rows,
        [
            "  - check the ⚠️",
            "    dashboards",
            "    before the",
            "    rollout"
        ]
    );
}
