//! What happened, counted and said: per-state counts that keep failed and NO-GO apart, and the
//! outcome text (`completed`, `completed with exceptions: 1 failed, 1 no-go`, `aborted: <reason>`).
//! The header, the summary, `status`, `list` and every report read these.

use super::Run;
use super::state::{ItemState, Lifecycle};

/// Items of a set, by what happened to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Items.
    pub total: usize,
    /// Not dealt with yet.
    pub open: usize,
    /// Done, signed or GO.
    pub done: usize,
    /// Skipped.
    pub skipped: usize,
    /// Not applicable.
    pub na: usize,
    /// Failed.
    pub failed: usize,
    /// Decided NO-GO.
    pub no_go: usize,
}

impl Counts {
    /// Counts one more item in `s`.
    pub fn add(&mut self, s: ItemState) {
        self.change(s, 1);
    }

    /// Counts one item fewer in `s`.
    pub fn remove(&mut self, s: ItemState) {
        self.change(s, -1);
    }

    fn change(&mut self, s: ItemState, sign: isize) {
        let f = |v: &mut usize| *v = v.saturating_add_signed(sign);
        f(&mut self.total);
        match s {
            ItemState::Open => f(&mut self.open),
            ItemState::Done | ItemState::Signed | ItemState::Go => f(&mut self.done),
            ItemState::Skipped => f(&mut self.skipped),
            ItemState::Na => f(&mut self.na),
            ItemState::Failed => f(&mut self.failed),
            ItemState::NoGo => f(&mut self.no_go),
        }
    }

    /// Items no longer open.
    pub fn closed(&self) -> usize {
        self.total.saturating_sub(self.open)
    }

    /// `done 3, skipped 0, n/a 0, failed 1, no-go 0, open 7` with `sep` between the counts.
    pub fn describe(&self, sep: &str) -> String {
        format!(
            "done {}{sep}skipped {}{sep}n/a {}{sep}failed {}{sep}no-go {}{sep}open {}",
            self.done, self.skipped, self.na, self.failed, self.no_go, self.open
        )
    }

    /// Adds another set's counts (a subsection's into its parent's).
    pub fn merge(&mut self, o: &Counts) {
        self.total += o.total;
        self.open += o.open;
        self.done += o.done;
        self.skipped += o.skipped;
        self.na += o.na;
        self.failed += o.failed;
        self.no_go += o.no_go;
    }

    /// Closed other than done: skipped, n/a, failed or NO-GO.
    pub fn exceptions(&self) -> usize {
        self.skipped + self.na + self.failed + self.no_go
    }

    /// Skipped or n/a: closed by an operator's override, not by doing it.
    pub fn overridden(&self) -> usize {
        self.skipped + self.na
    }

    /// Failed items or NO-GO decisions: a finish needs them accepted with a reason.
    pub fn failures(&self) -> usize {
        self.failed + self.no_go
    }

    /// `1 failed, 1 no-go, 2 skipped, 1 n/a` (only the non-zero ones), or an empty string.
    pub fn exception_summary(&self) -> String {
        [
            (self.failed, "failed"),
            (self.no_go, "no-go"),
            (self.skipped, "skipped"),
            (self.na, "n/a"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// `3 open`, `all 12 items closed` or `no items`: never "all closed" while one is open.
    pub fn closed_summary(&self) -> String {
        match (self.total, self.open) {
            (0, _) => "no items".to_owned(),
            (t, 0) => format!("all {t} items closed"),
            (_, 1) => "1 item open".to_owned(),
            (_, n) => format!("{n} items open"),
        }
    }
}

/// What the run came to: `active`, `on hold`, `completed`, `completed with exceptions: 1 failed,
/// 2 skipped`, or `aborted: <reason>`.
pub fn outcome(run: &Run, counts: &Counts) -> String {
    match &run.lifecycle {
        Lifecycle::Active if run.active_hold().is_some() => "on hold".to_owned(),
        Lifecycle::Active => "active".to_owned(),
        Lifecycle::Completed { .. } => {
            let e = counts.exception_summary();
            if e.is_empty() {
                "completed".to_owned()
            } else {
                format!("completed with exceptions: {e}")
            }
        }
        Lifecycle::Aborted { reason, .. } => {
            format!(
                "aborted: {}",
                reason.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_and_no_go_stay_apart() {
        let mut c = Counts::default();
        for s in [
            ItemState::Done,
            ItemState::Signed,
            ItemState::Go,
            ItemState::Failed,
            ItemState::NoGo,
            ItemState::Skipped,
            ItemState::Skipped,
            ItemState::Na,
            ItemState::Open,
        ] {
            c.add(s);
        }
        assert_eq!((c.done, c.failed, c.no_go, c.open), (3, 1, 1, 1));
        assert_eq!((c.closed(), c.exceptions(), c.overridden()), (8, 5, 3));
        assert_eq!(c.exception_summary(), "1 failed, 1 no-go, 2 skipped, 1 n/a");
        assert_eq!(c.closed_summary(), "1 item open");
        c.remove(ItemState::Open);
        assert_eq!(c.closed_summary(), "all 8 items closed");
        assert_eq!(Counts::default().exception_summary(), "");
    }
}
