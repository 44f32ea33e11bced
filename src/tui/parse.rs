//! Terminal bytes → input events, fed whatever each `read(2)` returned.
//!
//! Reads split sequences anywhere (an escape sequence, a UTF-8 character or a bracketed paste can
//! arrive over any number of reads), so the parser keeps what it has not understood yet and says
//! how long to wait for the rest: a lone `ESC` is the Escape key only if nothing follows within
//! [`ESC_WAIT`]; an unterminated paste is delivered as it stands after [`PASTE_WAIT`] of silence.
//! Single events are decoded by `terminput` (a port of crossterm's parser); pastes are cut out here
//! in one pass so a paste of any length costs O(length).

use std::time::Duration;
use terminput::Event;

/// How long a lone `ESC` waits for the rest of a sequence before it counts as the Escape key.
pub const ESC_WAIT: Duration = Duration::from_millis(40);
/// How long an unterminated bracketed paste waits for more bytes before it is delivered as is.
pub const PASTE_WAIT: Duration = Duration::from_secs(2);
/// A non-paste sequence longer than this is garbage (a stuck terminal reply): it is dropped.
const MAX_SEQUENCE: usize = 256;

const ESC: u8 = 0x1b;
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// What the parser holds that is not an event yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Nothing: wait for input as long as it takes.
    Nothing,
    /// The start of an escape sequence or character: flush after [`ESC_WAIT`].
    Sequence,
    /// Part of a bracketed paste: flush after [`PASTE_WAIT`].
    Paste,
}

impl Waiting {
    /// How long to wait for more bytes before [`Parser::flush`] (`None`: forever).
    pub fn timeout(self) -> Option<Duration> {
        match self {
            Waiting::Nothing => None,
            Waiting::Sequence => Some(ESC_WAIT),
            Waiting::Paste => Some(PASTE_WAIT),
        }
    }
}

/// An incremental parser of terminal input.
#[derive(Debug, Default)]
pub struct Parser {
    buf: Vec<u8>,
    /// Where to resume looking for the paste's end marker (bytes before it were searched).
    paste_scanned: usize,
}

impl Parser {
    /// An empty parser.
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Adds the bytes of one read and appends every event they complete to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        self.buf.extend_from_slice(bytes);
        self.drain(out, false);
    }

    /// What is held back, and so how long to wait before [`Parser::flush`].
    pub fn waiting(&self) -> Waiting {
        if self.buf.is_empty() {
            Waiting::Nothing
        } else if self.buf.starts_with(PASTE_START) {
            Waiting::Paste
        } else {
            Waiting::Sequence
        }
    }

    /// Nothing more came: a lone `ESC` is the Escape key, an unterminated paste is delivered as
    /// it is, and bytes that can never become an event are dropped.
    pub fn flush(&mut self, out: &mut Vec<Event>) {
        if self.buf.starts_with(PASTE_START) {
            let text = String::from_utf8_lossy(&self.buf[PASTE_START.len()..]).into_owned();
            self.clear();
            out.push(Event::Paste(text));
            return;
        }
        self.drain(out, true);
        if !self.buf.is_empty() {
            // Still incomplete with nothing to come (half a character): drop it.
            self.clear();
        }
    }

    /// Forgets everything held (after the terminal was handed to another program).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.paste_scanned = 0;
    }

    /// Parses complete events off the front of the buffer. With `last`, nothing more is coming:
    /// a lone `ESC` is the Escape key.
    fn drain(&mut self, out: &mut Vec<Event>, last: bool) {
        let mut start = 0;
        while start < self.buf.len() {
            let rest = &self.buf[start..];
            if rest.starts_with(PASTE_START) {
                let body = &rest[PASTE_START.len()..];
                let from = self.paste_scanned.min(body.len());
                match find(&body[from..], PASTE_END) {
                    Some(at) => {
                        let end = from + at;
                        out.push(Event::Paste(
                            String::from_utf8_lossy(&body[..end]).into_owned(),
                        ));
                        start += PASTE_START.len() + end + PASTE_END.len();
                        self.paste_scanned = 0;
                        continue;
                    }
                    None => {
                        // Keep the last bytes that could be the start of the end marker.
                        self.paste_scanned = body.len().saturating_sub(PASTE_END.len() - 1);
                        break;
                    }
                }
            }
            match one(rest, last) {
                Step::Event(ev, used) => {
                    out.push(ev);
                    start += used;
                }
                Step::Skip(used) => start += used,
                Step::More if rest.len() > MAX_SEQUENCE => start += rest.len(),
                Step::More => break,
            }
        }
        self.buf.drain(..start);
    }
}

enum Step {
    /// An event from this many bytes.
    Event(Event, usize),
    /// This many bytes are not an event: dropped.
    Skip(usize),
    /// The bytes are the start of an event: wait for more.
    More,
}

/// Decodes the first event of `rest` (shortest prefix that parses).
fn one(rest: &[u8], last: bool) -> Step {
    if rest == [ESC] {
        return if last {
            Step::Event(Event::Key(terminput::KeyCode::Esc.into()), 1)
        } else {
            Step::More
        };
    }
    if last && rest[0] == ESC && PASTE_START.starts_with(rest) {
        // The start of a paste marker that never completed: an Escape, then the rest as typed.
        return Step::Event(Event::Key(terminput::KeyCode::Esc.into()), 1);
    }
    for k in 1..=rest.len() {
        if k == 1 && rest[0] == ESC {
            continue; // an ESC with something after it: decide with the next byte
        }
        match Event::parse_from(&rest[..k]) {
            Ok(Some(ev)) => return Step::Event(ev, k),
            Ok(None) => {}
            Err(_) => return Step::Skip(k),
        }
    }
    if last && rest[0] == ESC {
        // An escape sequence that never completed: the Escape key, the rest parsed on its own.
        return Step::Event(Event::Key(terminput::KeyCode::Esc.into()), 1);
    }
    Step::More
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use terminput::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEventKind};

    fn feed_all(chunks: &[&[u8]]) -> (Vec<Event>, Parser) {
        let mut p = Parser::new();
        let mut out = Vec::new();
        for c in chunks {
            p.feed(c, &mut out);
        }
        (out, p)
    }

    fn key(code: KeyCode) -> Event {
        Event::Key(KeyEvent::new(code))
    }

    #[test]
    fn plain_keys_and_control_keys() {
        let (ev, p) = feed_all(&[b"jk\r\x13 "]);
        assert_eq!(ev.len(), 5);
        assert_eq!(ev[0], key(KeyCode::Char('j')));
        assert_eq!(ev[2], key(KeyCode::Enter));
        assert_eq!(
            ev[3],
            Event::Key(KeyEvent::new(KeyCode::Char('s')).modifiers(KeyModifiers::CTRL))
        );
        assert_eq!(p.waiting(), Waiting::Nothing);
    }

    #[test]
    fn an_escape_sequence_cut_across_reads() {
        let (ev, p) = feed_all(&[b"\x1b", b"[", b"A"]);
        assert_eq!(ev, vec![key(KeyCode::Up)]);
        assert_eq!(p.waiting(), Waiting::Nothing);
        let (ev, p) = feed_all(&[b"j\x1b[1;", b"5C"]);
        assert_eq!(
            ev,
            vec![
                key(KeyCode::Char('j')),
                Event::Key(KeyEvent::new(KeyCode::Right).modifiers(KeyModifiers::CTRL))
            ]
        );
        assert_eq!(p.waiting(), Waiting::Nothing);
    }

    #[test]
    fn a_lone_escape_waits_then_is_the_escape_key() {
        let (ev, mut p) = feed_all(&[b"\x1b"]);
        assert!(ev.is_empty(), "{ev:?}");
        assert_eq!(p.waiting(), Waiting::Sequence);
        assert_eq!(p.waiting().timeout(), Some(ESC_WAIT));
        let mut out = Vec::new();
        p.flush(&mut out);
        assert_eq!(out, vec![key(KeyCode::Esc)]);
        assert_eq!(p.waiting(), Waiting::Nothing);
        // ESC then a letter in one read is Alt-letter; ESC + CR is Alt-Enter.
        let (ev, _) = feed_all(&[b"\x1bx", b"\x1b\r"]);
        assert_eq!(
            ev,
            vec![
                Event::Key(KeyEvent::new(KeyCode::Char('x')).modifiers(KeyModifiers::ALT)),
                Event::Key(KeyEvent::new(KeyCode::Enter).modifiers(KeyModifiers::ALT)),
            ]
        );
    }

    #[test]
    fn an_unfinished_sequence_flushes_as_escape_then_text() {
        let (_, mut p) = feed_all(&[b"\x1b[1;"]);
        let mut out = Vec::new();
        p.flush(&mut out);
        assert_eq!(out.first(), Some(&key(KeyCode::Esc)));
        assert_eq!(p.waiting(), Waiting::Nothing);
    }

    #[test]
    fn utf8_split_across_reads() {
        let s = "é⚠️👍🏽";
        let bytes = s.as_bytes();
        let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
        let (ev, p) = feed_all(&chunks);
        let chars: String = ev
            .iter()
            .map(|e| match e {
                Event::Key(KeyEvent {
                    code: KeyCode::Char(c),
                    ..
                }) => *c,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(chars, s);
        assert_eq!(p.waiting(), Waiting::Nothing);
    }

    #[test]
    fn half_a_character_is_dropped_on_flush() {
        let (ev, mut p) = feed_all(&["é".as_bytes()[..1].as_ref()]);
        assert!(ev.is_empty());
        assert_eq!(p.waiting(), Waiting::Sequence);
        let mut out = Vec::new();
        p.flush(&mut out);
        assert!(out.is_empty());
        assert_eq!(p.waiting(), Waiting::Nothing);
    }

    #[test]
    fn a_5000_byte_paste_across_many_reads() {
        let text: String = (0..5000)
            .map(|i| match i % 61 {
                0 => '\n',
                k => char::from(b'a' + (k % 26) as u8),
            })
            .collect();
        let mut all = Vec::new();
        all.extend_from_slice(PASTE_START);
        all.extend_from_slice(text.as_bytes());
        all.extend_from_slice(PASTE_END);
        all.extend_from_slice(b"j");
        // Reads of every awkward size, cutting the markers too.
        for size in [1usize, 3, 5, 7, 64, 1000, 4096] {
            let chunks: Vec<&[u8]> = all.chunks(size).collect();
            let (ev, p) = feed_all(&chunks);
            assert_eq!(ev.len(), 2, "size {size}: {:?}", ev.len());
            assert_eq!(ev[0], Event::Paste(text.clone()), "size {size}");
            assert_eq!(ev[1], key(KeyCode::Char('j')));
            assert_eq!(p.waiting(), Waiting::Nothing);
        }
    }

    #[test]
    fn an_unterminated_paste_waits_longer_then_arrives() {
        let (ev, mut p) = feed_all(&[b"\x1b[200~half a paste"]);
        assert!(ev.is_empty());
        assert_eq!(p.waiting(), Waiting::Paste);
        assert_eq!(p.waiting().timeout(), Some(PASTE_WAIT));
        let mut out = Vec::new();
        p.flush(&mut out);
        assert_eq!(out, vec![Event::Paste("half a paste".into())]);
    }

    #[test]
    fn sgr_mouse_whole_and_split() {
        for chunks in [&[&b"\x1b[<0;10;5M"[..]][..], &[b"\x1b[<0;1", b"0;5M"]] {
            let (ev, _) = feed_all(chunks);
            match &ev[..] {
                [Event::Mouse(m)] => {
                    assert_eq!(m.kind, MouseEventKind::Down(MouseButton::Left));
                    assert_eq!((m.column, m.row), (9, 4));
                }
                other => panic!("{other:?}"),
            }
        }
        let (ev, _) = feed_all(&[b"\x1b[<64;3;3M"]);
        assert!(
            matches!(&ev[..], [Event::Mouse(m)] if matches!(m.kind, MouseEventKind::Scroll(_))),
            "{ev:?}"
        );
    }

    #[test]
    fn garbage_is_dropped_not_typed() {
        // A device-attributes reply nobody asked for, then a key.
        let (ev, p) = feed_all(&[b"\x1b[?1;2c", b"q"]);
        assert_eq!(ev, vec![key(KeyCode::Char('q'))]);
        assert_eq!(p.waiting(), Waiting::Nothing);
        let mut long = b"\x1b[".to_vec();
        long.extend(std::iter::repeat_n(b'1', 300));
        let (ev, p) = feed_all(&[&long, b"q"]);
        assert_eq!(ev.last(), Some(&key(KeyCode::Char('q'))));
        assert_eq!(p.waiting(), Waiting::Nothing);
    }
}
