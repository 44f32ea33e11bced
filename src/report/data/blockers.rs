//! What a change made "after NO-GO" came after, in words, for every report.

use crate::model::{ItemId, Template};
use crate::run::Run;
use crate::run::state::ItemState;
use crate::run::vars::substitute;
use std::collections::HashMap;

/// What `after_no_go` seqs refer to: each NO-GO decision and hold, described once.
#[derive(Debug, Clone, Default)]
pub struct Blockers {
    by_seq: HashMap<u64, String>,
}

impl Blockers {
    /// Indexes every NO-GO decision and hold of the run.
    pub fn new(run: &Run, template: &Template) -> Blockers {
        let vars = run.var_values();
        let text_of = |id: &ItemId| {
            template.item(id).map_or_else(
                || id.to_string(),
                |i| substitute(&i.text, &vars).into_owned(),
            )
        };
        let mut by_seq = HashMap::new();
        let any = run
            .items
            .values()
            .flat_map(|r| r.history.iter())
            .any(|e| e.after_no_go.is_some());
        if !any {
            return Blockers { by_seq };
        }
        for (id, rec) in &run.items {
            for e in rec.history.iter().filter(|e| e.state == ItemState::NoGo) {
                by_seq.insert(
                    e.seq,
                    format!(
                        "after NO-GO on “{}” ({}, {})",
                        text_of(id),
                        e.by.name,
                        e.at.format("%H:%M")
                    ),
                );
            }
        }
        for h in run.holds.iter().filter(|h| h.hold) {
            by_seq.insert(
                h.seq,
                format!("during the HOLD ({}, {})", h.by.name, h.at.format("%H:%M")),
            );
        }
        Blockers { by_seq }
    }

    /// `after NO-GO on “Phase 4 Go/No-Go” (Alice, 08:46)`, `during the HOLD (Alice, 08:50)`.
    pub fn describe(&self, seq: u64) -> String {
        self.by_seq
            .get(&seq)
            .cloned()
            .unwrap_or_else(|| format!("after the NO-GO or HOLD of seq {seq}"))
    }
}
