//! A journal line in the canonical form [`super::Event::seal`] writes, for the kinds a long run is
//! mostly made of (`tick`, `untick`, `note`), read without serde: a replay decodes one line per
//! event, and serde's field matching and string scanning were most of its cost. The reader is
//! strict — the fields in the order `seal` writes them, strings without escapes, nothing extra —
//! and anything else (another kind, an escape, a `db_role`, a field out of place) returns `None`
//! and is read by serde as before, so every line decodes to what serde gives (a test compares the
//! two on every kind and on damaged lines).

use super::{Actor, Change, Event};
use crate::model::ItemId;

struct Cursor<'a> {
    /// The line, checked as UTF-8 once: every string is a slice of it between two `"`.
    text: &'a str,
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn lit(&mut self, s: &[u8]) -> Option<()> {
        let end = self.at.checked_add(s.len())?;
        (self.b.get(self.at..end)? == s).then(|| self.at = end)
    }

    /// Consumes `s` when the line continues with it: whether it did.
    fn eat(&mut self, s: &[u8]) -> bool {
        self.lit(s).is_some()
    }

    fn uint(&mut self) -> Option<u64> {
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(&c) = self.b.get(self.at).filter(|c| c.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            self.at += 1;
        }
        // JSON numbers have no leading zeros; serde would refuse them.
        let digits = self.at - start;
        (digits > 0 && (digits == 1 || self.b[start] != b'0')).then_some(n)
    }

    /// The text up to the next `"` (consumed): no escapes and no control characters, valid UTF-8.
    fn string(&mut self) -> Option<&'a str> {
        let rest = self.b.get(self.at..)?;
        let len = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[len] != b'"' || rest[..len].iter().any(|&c| c < 0x20) {
            return None;
        }
        let s = self.text.get(self.at..self.at + len)?;
        self.at += len + 1;
        Some(s)
    }
}

/// The event of a canonical `tick` / `untick` / `note` line (`line` without its newline), `prev`
/// and `hash` left empty as [`Event::decode_lean`] leaves them; `None` for anything else.
pub(super) fn decode_lean(line: &[u8]) -> Option<Event> {
    let text = std::str::from_utf8(line).ok()?;
    let mut c = Cursor {
        text,
        b: line,
        at: 0,
    };
    c.lit(b"{\"seq\":")?;
    let seq = c.uint()?;
    c.lit(b",\"at\":\"")?;
    let at = super::time::parse(c.string()?).ok()?;
    c.lit(b",\"by\":{\"user\":\"")?;
    let user = c.string()?;
    c.lit(b",\"host\":\"")?;
    let host = c.string()?;
    c.lit(b",\"name\":\"")?;
    let name = c.string()?;
    c.lit(b"},\"change\":{\"type\":\"")?;
    let kind = c.string()?;
    c.lit(b",\"item\":\"")?;
    let item = ItemId::new(c.string()?);
    let note = |c: &mut Cursor<'_>| -> Option<Option<String>> {
        if c.eat(b",\"note\":\"") {
            return Some(Some(c.string()?.to_owned()));
        }
        Some(None)
    };
    let change = match kind {
        "tick" => {
            let note = note(&mut c)?;
            let after_no_go = c.eat(b",\"after_no_go\":true");
            Change::Tick {
                item,
                note,
                after_no_go,
            }
        }
        "untick" => Change::Untick {
            item,
            note: note(&mut c)?,
        },
        "note" => {
            c.lit(b",\"text\":\"")?;
            Change::Note {
                item,
                text: c.string()?.to_owned(),
            }
        }
        _ => return None,
    };
    c.lit(b"},\"prev\":\"")?;
    c.string()?;
    c.lit(b",\"hash\":\"")?;
    c.string()?;
    c.lit(b"}")?;
    (c.at == line.len()).then(|| Event {
        seq,
        at,
        by: Actor {
            user: user.to_owned(),
            host: host.to_owned(),
            name: name.to_owned(),
        },
        change,
        prev: String::new(),
        hash: String::new(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::run::event::{Decision, GENESIS};

    fn sealed(change: Change, name: &str) -> String {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T21:04:05.123456+01:00").unwrap();
        let by = Actor {
            user: "alice".into(),
            host: "bastion".into(),
            name: name.into(),
        };
        let (_, line) = Event::seal(7, at, by, change, GENESIS).unwrap();
        line.trim_end_matches('\n').to_owned()
    }

    fn serde_lean(line: &str) -> Option<Event> {
        Event::decode_lean_serde(line.as_bytes()).ok()
    }

    #[test]
    fn canonical_lines_read_as_serde_reads_them_and_others_are_left_to_serde() {
        let item = || ItemId::new("step-1-restart-a0f0c87c");
        let changes = [
            Change::Tick {
                item: item(),
                note: None,
                after_no_go: false,
            },
            Change::Tick {
                item: item(),
                note: Some("fine — 5 % canary, ünïcode ✓".into()),
                after_no_go: true,
            },
            Change::Untick {
                item: item(),
                note: None,
            },
            Change::Untick {
                item: item(),
                note: Some("again".into()),
            },
            Change::Note {
                item: item(),
                text: "p99 220 ms".into(),
            },
            Change::Note {
                item: item(),
                text: "two\nlines \"quoted\" and a \\ backslash".into(),
            },
            Change::Gate {
                item: item(),
                decision: Decision::Go,
                reason: None,
                after_no_go: false,
            },
            Change::Skip {
                item: item(),
                reason: "not today".into(),
            },
        ];
        let mut fast_read = 0;
        for ch in changes {
            for name in ["Alice", "Dana \"the\" Lead", "Zoë"] {
                let line = sealed(ch.clone(), name);
                let want = serde_lean(&line).expect("serde reads what seal wrote");
                if let Some(got) = decode_lean(line.as_bytes()) {
                    assert_eq!(got, want, "{line}");
                    fast_read += 1;
                }
                // Whatever path it takes, the public decoder gives serde's event.
                assert_eq!(
                    Event::decode_lean(line.as_bytes()).ok(),
                    Some(want),
                    "{line}"
                );
            }
        }
        // Tick, untick and note lines without escapes take the fast path: five changes, by the
        // two names that need no escape.
        assert_eq!(fast_read, 10);
    }

    #[test]
    fn damaged_or_unusual_lines_are_refused_or_read_by_serde_exactly_as_before() {
        let line = sealed(
            Change::Tick {
                item: ItemId::new("a-1"),
                note: Some("n".into()),
                after_no_go: false,
            },
            "Alice",
        );
        let mut variants: Vec<String> = Vec::new();
        for cut in [1, 10, 40, 80, line.len() - 1] {
            variants.push(line[..cut].to_owned());
        }
        variants.push(line.replace("\"seq\":7", "\"seq\":07"));
        variants.push(line.replace("\"seq\":7", "\"seq\":-7"));
        variants.push(line.replace("\"type\":\"tick\"", "\"type\":\"tock\""));
        variants.push(line.replace("\"item\":\"a-1\"", "\"item\":7"));
        variants.push(line.replace(",\"note\":\"n\"", ",\"note\":null"));
        variants.push(line.replace(",\"note\":\"n\"", ",\"note\":\"n\",\"extra\":1"));
        variants.push(line.replace(
            "\"name\":\"Alice\"",
            "\"name\":\"Alice\",\"db_role\":\"ops\"",
        ));
        variants.push(line.replace(
            "2026-11-23T21:04:05.123456+01:00",
            "2026-11-23T21:04:05+01:00",
        ));
        variants.push(line.replace(
            "2026-11-23T21:04:05.123456+01:00",
            "2026-13-23T21:04:05.123456+01:00",
        ));
        variants.push(line.replace("\"n\"", "\"\\u00e9\""));
        variants.push(format!("{line} "));
        for v in variants {
            let serde = Event::decode_lean_serde(v.as_bytes()).ok();
            if let Some(fast) = decode_lean(v.as_bytes()) {
                assert_eq!(Some(fast), serde.clone(), "fast path read {v}");
            }
            assert_eq!(Event::decode_lean(v.as_bytes()).ok(), serde, "{v}");
        }
    }
}
