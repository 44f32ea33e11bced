//! Search: a plain case-insensitive substring by default, fuzzy (ranked by `nucleo-matcher`, the
//! matcher helix uses) as an option; over item text, section titles, table fields, bodies and notes.
//! Matches are highlighted in the list where the visible text has them.

use super::rows::Row;
use super::{App, Mode, Outcome};
use crate::model::Block;
use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// An accepted (or incremental) search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// What was typed.
    pub query: String,
    /// Fuzzy (ranked) rather than substring (document order).
    pub fuzzy: bool,
    /// Matching rows: in document order for a substring, best first for fuzzy.
    pub matches: Vec<Row>,
    /// Index in `matches` of the match last moved to.
    pub at: Option<usize>,
}

/// Separates the fields of a haystack, and ends every haystack: nucleo-matcher 0.3.1's substring
/// search over non-ASCII text never tries the last position a needle could start at (its loop
/// stops one short), so a match at the very end of `⚠️ … Dana` would be missed. One character
/// after the text makes that last position an ordinary one; nobody types it in a query.
const END: char = '\u{1f}';

/// What a query matches with.
enum Query {
    Substring(Atom),
    Fuzzy(Pattern),
}

impl Query {
    fn new(q: &str, fuzzy: bool) -> Query {
        if fuzzy {
            Query::Fuzzy(Pattern::parse(
                q,
                CaseMatching::Ignore,
                Normalization::Smart,
            ))
        } else {
            Query::Substring(Atom::new(
                q,
                CaseMatching::Ignore,
                Normalization::Never,
                AtomKind::Substring,
                false,
            ))
        }
    }

    /// `hay` must end with [`END`] (see there).
    fn score(&self, hay: &str, m: &mut Matcher, buf: &mut Vec<char>) -> Option<u32> {
        let h = Utf32Str::new(hay, buf);
        match self {
            Query::Substring(a) => a.score(h, m).map(u32::from),
            Query::Fuzzy(p) => p.score(h, m),
        }
    }

    /// `hay` must end with [`END`] (see there).
    fn indices(&self, hay: &str, m: &mut Matcher, buf: &mut Vec<char>) -> Option<Vec<usize>> {
        let h = Utf32Str::new(hay, buf);
        let mut idx = Vec::new();
        match self {
            Query::Substring(a) => a.indices(h, m, &mut idx).map(u32::from),
            Query::Fuzzy(p) => p.indices(h, m, &mut idx),
        }?;
        let mut out: Vec<usize> = idx.into_iter().map(|i| i as usize).collect();
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

/// Positions (grapheme clusters) of `text` that `query` matches, for highlighting; `None` when the
/// text does not match.
pub fn highlight(query: &str, fuzzy: bool, text: &str) -> Option<Vec<usize>> {
    if query.trim().is_empty() {
        return None;
    }
    let q = Query::new(query, fuzzy);
    let mut m = Matcher::new(Config::DEFAULT);
    let hay = format!("{text}{END}");
    q.indices(&hay, &mut m, &mut Vec::new())
}

impl App {
    /// Everything a row can be found by, one string per row (separated so a match cannot span two
    /// fields).
    fn haystack(&self, row: Row) -> String {
        let mut out = String::new();
        let mut add = |s: &str| {
            out.push_str(s);
            out.push(END);
        };
        let body = |body: &[Block], add: &mut dyn FnMut(&str)| {
            for b in body {
                match b {
                    Block::Paragraph { spans, .. } | Block::Bullet { spans, .. } => {
                        let t: String = spans
                            .iter()
                            .map(|s| self.subst_span(&s.text, &s.style))
                            .collect();
                        add(&t);
                    }
                    Block::Code(c) => add(&self.subst(&c.text)),
                    Block::Table { header, rows, .. } => {
                        let join = |cells: &[crate::model::Cell]| -> String {
                            let t: Vec<_> = cells.iter().map(|c| self.subst_cell(c)).collect();
                            t.join(" ")
                        };
                        add(&join(header));
                        for r in rows {
                            add(&join(r));
                        }
                    }
                }
            }
        };
        match row {
            Row::Item(i) => {
                let Some(item) = self.template.items.get(i) else {
                    return out;
                };
                add(&self.item_text(i));
                if let Some(r) = &item.role {
                    add(r);
                }
                for f in &item.fields {
                    add(&format!("{}: {}", f.name, self.subst(&f.value)));
                }
                body(&item.body, &mut add);
                if let Some(rec) = self.run.items.get(&item.id) {
                    for n in rec.live_notes() {
                        add(&n.text);
                    }
                }
            }
            Row::Section(s) => {
                if let Some(sec) = self.template.sections.get(s) {
                    add(&self.subst(&sec.title));
                    body(&sec.body, &mut add);
                }
            }
        }
        out
    }

    /// Rows matching `query`: substring in document order, or fuzzy best first.
    pub fn matches(&self, query: &str, fuzzy: bool) -> Vec<Row> {
        if query.trim().is_empty() {
            return Vec::new();
        }
        let q = Query::new(query, fuzzy);
        let mut m = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let mut hits: Vec<(u32, usize, Row)> = self
            .all_rows
            .iter()
            .enumerate()
            .filter_map(|(pos, &row)| {
                q.score(&self.haystack(row), &mut m, &mut buf)
                    .map(|s| (s, pos, row))
            })
            .collect();
        if fuzzy {
            hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        }
        hits.into_iter().map(|(_, _, r)| r).collect()
    }

    /// Highlight positions in a row's visible text under the active search.
    pub fn highlight(&self, row: Row, text: &str) -> Option<Vec<usize>> {
        let f = self.found.as_ref()?;
        if !f.matches.contains(&row) {
            return None;
        }
        highlight(&f.query, f.fuzzy, text)
    }

    /// Position of a row in document order.
    pub(super) fn doc_pos(&self, row: Row) -> usize {
        match row {
            Row::Item(i) => self.item_pos.get(i).copied().unwrap_or(0),
            Row::Section(s) => self.section_pos.get(s).copied().unwrap_or(0),
        }
    }

    fn cursor_pos(&self) -> usize {
        self.visible
            .get(self.cursor)
            .map_or(0, |&r| self.doc_pos(r))
    }

    /// Moves to the first match at or after `from` (document order), or the best one (fuzzy).
    fn jump_first(&mut self, from: usize) {
        let Some(f) = &self.found else { return };
        let at = if f.fuzzy {
            (!f.matches.is_empty()).then_some(0)
        } else {
            f.matches
                .iter()
                .position(|&r| self.doc_pos(r) >= from)
                .or((!f.matches.is_empty()).then_some(0))
        };
        self.goto_match(at);
    }

    fn goto_match(&mut self, at: Option<usize>) {
        let Some(f) = self.found.as_mut() else { return };
        f.at = at;
        if let Some(&row) = at.and_then(|k| f.matches.get(k)) {
            self.reveal_row(row);
        }
    }

    /// Moves to the next (or previous) match, wrapping around: from the cursor in document order,
    /// or down the ranking for a fuzzy search.
    pub(super) fn jump_match(&mut self, forward: bool) {
        let Some(f) = &self.found else {
            self.info("no search: press / to search");
            return;
        };
        if f.matches.is_empty() {
            let q = f.query.clone();
            self.info(&format!("no match for “{q}”"));
            return;
        }
        let n = f.matches.len();
        let at = if f.fuzzy {
            match (f.at, forward) {
                (Some(k), true) => (k + 1) % n,
                (Some(k), false) => (k + n - 1) % n,
                (None, _) => 0,
            }
        } else {
            let here = self.cursor_pos();
            let pos: Vec<usize> = f.matches.iter().map(|&r| self.doc_pos(r)).collect();
            if forward {
                pos.iter().position(|&p| p > here).unwrap_or(0)
            } else {
                pos.iter().rposition(|&p| p < here).unwrap_or(n - 1)
            }
        };
        self.goto_match(Some(at));
    }

    /// `k/n` of the match under the cursor (`-/n` when the cursor is elsewhere).
    pub fn match_status(&self) -> Option<String> {
        let f = self.found.as_ref()?;
        let here = self.visible.get(self.cursor).copied();
        let k = here.and_then(|r| f.matches.iter().position(|&m| m == r));
        Some(match k {
            Some(k) => format!("{}/{}", k + 1, f.matches.len()),
            None => format!("-/{}", f.matches.len()),
        })
    }

    /// The search prompt.
    pub(super) fn search_key(
        &mut self,
        mut query: super::editor::Editor,
        origin: usize,
        fuzzy: bool,
        action: super::Action,
    ) -> (Mode, Option<Outcome>) {
        use super::Action;
        let again = |query, fuzzy| Mode::Search {
            query,
            origin,
            fuzzy,
        };
        match action {
            Action::Submit => {
                let q = query.text();
                if q.trim().is_empty() {
                    self.found = None;
                } else if let Some(f) = &self.found {
                    let n = f.matches.len();
                    self.info(&format!(
                        "{n} match(es) for “{q}”: n / N move, Esc leaves the search"
                    ));
                }
                (Mode::Normal, None)
            }
            Action::Cancel => {
                self.cursor = origin;
                self.found = None;
                (Mode::Normal, None)
            }
            Action::Toggle => {
                let fuzzy = !fuzzy;
                self.refresh_search(&query.text(), fuzzy, origin);
                (again(query, fuzzy), None)
            }
            Action::NextMatch | Action::PrevMatch => {
                self.jump_match(action == Action::NextMatch);
                (again(query, fuzzy), None)
            }
            other => {
                if super::forms::edit(&mut query, other) {
                    self.refresh_search(&query.text(), fuzzy, origin);
                }
                (again(query, fuzzy), None)
            }
        }
    }

    fn refresh_search(&mut self, q: &str, fuzzy: bool, origin: usize) {
        let matches = self.matches(q, fuzzy);
        self.found = (!q.is_empty()).then(|| Found {
            query: q.to_owned(),
            fuzzy,
            matches,
            at: None,
        });
        self.cursor = origin.min(self.visible.len().saturating_sub(1));
        let from = self.cursor_pos();
        self.jump_first(from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_is_plain_and_case_insensitive() {
        assert_eq!(
            highlight("TEST PASS", false, "Restore test passed"),
            Some(vec![8, 9, 10, 11, 12, 13, 14, 15, 16])
        );
        assert_eq!(highlight("optional", false, "Core API Functionality"), None);
        assert_eq!(highlight("st p", false, "Smoke tests pass"), None);
    }

    #[test]
    fn fuzzy_finds_characters_in_order() {
        let pos = highlight("smktst", true, "Smoke tests pass").unwrap_or_default();
        assert_eq!(pos.len(), 6);
        assert!(highlight("xyz", true, "smoke").is_none());
    }

    #[test]
    fn positions_count_clusters_not_bytes() {
        assert_eq!(highlight("fin", false, "⚠️ final"), Some(vec![2, 3, 4]));
    }

    #[test]
    fn a_match_at_the_very_end_of_non_ascii_text_is_found() {
        assert_eq!(
            highlight("dana", false, "⚠️ checked by Dana"),
            Some(vec![13, 14, 15, 16])
        );
        assert_eq!(highlight("a", false, "⚠️ xa"), Some(vec![3]));
        assert_eq!(
            highlight("dana", true, "⚠️ checked by Dana").map(|p| p.len()),
            Some(4)
        );
    }
}
