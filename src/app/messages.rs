//! Messages to the operator: a queue, not one slot, and a log of the recent ones.
//!
//! Each message is shown in the footer for its time; an error or warning is never replaced before
//! its time is up: what comes meanwhile waits its turn (only the newest waiting information is
//! kept: an old "ticked by you" is not worth showing late). Everything goes to the log, which a key
//! shows.

use chrono::{DateTime, Duration, FixedOffset};
use std::collections::VecDeque;

/// Messages kept in the log.
pub const LOG_SIZE: usize = 200;

/// A message in the footer and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Text.
    pub text: String,
    /// An error or warning (error style, kept longer, never replaced early).
    pub error: bool,
    /// When it was said.
    pub at: DateTime<FixedOffset>,
}

impl Message {
    fn shown_for(&self) -> Duration {
        if self.error {
            Duration::seconds(8)
        } else {
            Duration::seconds(5)
        }
    }
}

/// The footer's queue and the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Messages {
    current: Option<(Message, DateTime<FixedOffset>)>,
    waiting: VecDeque<Message>,
    log: VecDeque<Message>,
}

impl Messages {
    /// Says something at `now`.
    pub fn push(&mut self, msg: Message, now: DateTime<FixedOffset>) {
        self.log.push_back(msg.clone());
        if self.log.len() > LOG_SIZE {
            self.log.pop_front();
        }
        let busy = self
            .current
            .as_ref()
            .is_some_and(|(m, until)| m.error && *until > now);
        if !busy {
            self.show(msg, now);
            return;
        }
        if !msg.error
            && let Some(last) = self.waiting.back()
            && !last.error
        {
            self.waiting.pop_back();
        }
        self.waiting.push_back(msg);
    }

    fn show(&mut self, msg: Message, now: DateTime<FixedOffset>) {
        let until = now + msg.shown_for();
        self.current = Some((msg, until));
    }

    /// The clock moved: an expired message gives way to the next one waiting.
    pub fn tick(&mut self, now: DateTime<FixedOffset>) {
        if self
            .current
            .as_ref()
            .is_some_and(|(_, until)| *until <= now)
        {
            self.current = None;
        }
        if self.current.is_none()
            && let Some(next) = self.waiting.pop_front()
        {
            self.show(next, now);
        }
    }

    /// The message shown now.
    pub fn current(&self) -> Option<&Message> {
        self.current.as_ref().map(|(m, _)| m)
    }

    /// How many wait their turn.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// The log, oldest first.
    pub fn log(&self) -> impl DoubleEndedIterator<Item = &Message> + ExactSizeIterator {
        self.log.iter()
    }

    /// Clears the footer (the log keeps everything).
    pub fn dismiss(&mut self) {
        self.current = None;
        self.waiting.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-23T08:50:00+01:00").unwrap_or_default()
            + Duration::seconds(s)
    }

    fn msg(text: &str, error: bool, at: i64) -> Message {
        Message {
            text: text.into(),
            error,
            at: t(at),
        }
    }

    #[test]
    fn start_up_warnings_all_reach_the_operator_in_turn() {
        let mut m = Messages::default();
        m.push(msg("keymap not used", true, 0), t(0));
        m.push(msg("warning: line 4", true, 0), t(0));
        m.push(msg("template changed", true, 0), t(0));
        let mut seen = Vec::new();
        for s in 0..40 {
            m.tick(t(s));
            if let Some(c) = m.current()
                && seen.last() != Some(&c.text)
            {
                seen.push(c.text.clone());
            }
        }
        assert_eq!(
            seen,
            ["keymap not used", "warning: line 4", "template changed"]
        );
        assert_eq!(m.log().len(), 3);
    }

    #[test]
    fn information_replaces_information_but_waits_behind_an_error() {
        let mut m = Messages::default();
        m.push(msg("ticked by you", false, 0), t(0));
        m.push(msg("noted by you", false, 1), t(1));
        assert_eq!(m.current().map(|c| c.text.as_str()), Some("noted by you"));
        m.push(msg("disk full", true, 2), t(2));
        m.push(msg("Bob ticked", false, 3), t(3));
        m.push(msg("Bob noted", false, 4), t(4));
        assert_eq!(m.current().map(|c| c.text.as_str()), Some("disk full"));
        assert_eq!(m.waiting(), 1, "only the newest information waits");
        m.tick(t(5));
        assert_eq!(m.current().map(|c| c.text.as_str()), Some("disk full"));
        m.tick(t(10));
        assert_eq!(m.current().map(|c| c.text.as_str()), Some("Bob noted"));
        m.tick(t(16));
        assert_eq!(m.current(), None);
        assert_eq!(m.log().len(), 5, "the log has everything");
        m.push(msg("a", true, 20), t(20));
        m.push(msg("b", true, 20), t(20));
        m.dismiss();
        assert_eq!((m.current(), m.waiting()), (None, 0));
    }
}
