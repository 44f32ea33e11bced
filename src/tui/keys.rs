//! Parsed terminal events to the app's own keys and mouse actions.

use crate::app::Action;
use crate::app::key::{KeyCode, KeyPress};
use terminput::{
    Event, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
    ScrollDirection,
};

/// One thing the operator did at the terminal.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A key press.
    Key(KeyPress),
    /// A click or a wheel turn, already an action.
    Mouse(Action),
    /// Bracketed paste.
    Paste(String),
}

/// A parsed terminal event as [`Input`] (key releases, focus changes and unknown keys: `None`).
pub fn input(ev: Event) -> Option<Input> {
    match ev {
        Event::Key(k) => key(&k).map(Input::Key),
        Event::Mouse(m) => mouse(&m).map(Input::Mouse),
        Event::Paste(t) => Some(Input::Paste(t)),
        Event::FocusGained | Event::FocusLost | Event::Resize { .. } => None,
    }
}

/// A key event as a [`KeyPress`] (releases and unknown keys give `None`).
pub fn key(ev: &KeyEvent) -> Option<KeyPress> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = ev.modifiers.contains(KeyModifiers::CTRL);
    let alt = ev.modifiers.contains(KeyModifiers::ALT);
    let shift = ev.modifiers.contains(KeyModifiers::SHIFT);
    let code = match ev.code {
        // Terminals send Ctrl-\ ] ^ _ (and Ctrl-/) as 0x1c–0x1f, which parse as Ctrl-4 … Ctrl-7.
        terminput::KeyCode::Char(c @ '4'..='7') if ctrl => {
            KeyCode::Char(['\\', ']', '^', '_'][usize::from(c as u8 - b'4')])
        }
        terminput::KeyCode::Char(c) => KeyCode::Char(c),
        terminput::KeyCode::Enter => KeyCode::Enter,
        // ESC ESC in one read is Alt-Esc to the parser; an operator pressed Escape.
        terminput::KeyCode::Esc => {
            return Some(KeyPress::plain(KeyCode::Esc));
        }
        terminput::KeyCode::Backspace => KeyCode::Backspace,
        terminput::KeyCode::Delete => KeyCode::Delete,
        terminput::KeyCode::Tab if shift => KeyCode::BackTab,
        terminput::KeyCode::Tab => KeyCode::Tab,
        terminput::KeyCode::Up => KeyCode::Up,
        terminput::KeyCode::Down => KeyCode::Down,
        terminput::KeyCode::Left => KeyCode::Left,
        terminput::KeyCode::Right => KeyCode::Right,
        terminput::KeyCode::Home => KeyCode::Home,
        terminput::KeyCode::End => KeyCode::End,
        terminput::KeyCode::PageUp => KeyCode::PageUp,
        terminput::KeyCode::PageDown => KeyCode::PageDown,
        terminput::KeyCode::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(KeyPress { code, ctrl, alt })
}

/// A mouse event as an action (left click, wheel).
pub fn mouse(ev: &MouseEvent) -> Option<Action> {
    match ev.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(ev.column, ev.row)),
        MouseEventKind::Scroll(ScrollDirection::Up) => Some(Action::Wheel(-1)),
        MouseEventKind::Scroll(ScrollDirection::Down) => Some(Action::Wheel(1)),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tui::parse::Parser;

    fn keys_of(bytes: &[u8]) -> Vec<Input> {
        let mut p = Parser::new();
        let mut out = Vec::new();
        p.feed(bytes, &mut out);
        p.flush(&mut out);
        out.into_iter().filter_map(input).collect()
    }

    #[test]
    fn terminal_bytes_become_the_keys_the_keymap_names() {
        let k = |s: &str| Input::Key(KeyPress::parse(s).unwrap());
        assert_eq!(keys_of(b"j"), vec![k("j")]);
        assert_eq!(keys_of(b"G"), vec![k("G")]);
        assert_eq!(keys_of(b" "), vec![k("Space")]);
        assert_eq!(keys_of(b"\x13"), vec![k("Ctrl-s")]);
        assert_eq!(keys_of(b"\x1a"), vec![k("Ctrl-z")]);
        assert_eq!(keys_of(b"\x1f"), vec![k("Ctrl-_")]);
        assert_eq!(keys_of(b"\x1b[Z"), vec![k("BackTab")]);
        assert_eq!(keys_of(b"\x1b\r"), vec![k("Alt-Enter")]);
        assert_eq!(keys_of(b"\x1b[1;5D"), vec![k("Ctrl-Left")]);
        assert_eq!(keys_of(b"\x1b[1;3C"), vec![k("Alt-Right")]);
        assert_eq!(keys_of(b"\x1b[6~"), vec![k("PgDn")]);
        assert_eq!(keys_of(b"\x1bOP"), vec![k("F1")]);
        assert_eq!(keys_of(b"\x1b"), vec![k("Esc")]);
        assert_eq!(keys_of(b"\x1b\x1b"), vec![k("Esc")]);
        assert_eq!(keys_of(b"\x7f"), vec![k("Backspace")]);
        assert_eq!(
            keys_of(b"\x1b[<0;5;2M"),
            vec![Input::Mouse(Action::Click(4, 1))]
        );
        assert_eq!(
            keys_of(b"\x1b[<65;5;2M"),
            vec![Input::Mouse(Action::Wheel(1))]
        );
        // Releases never reach the app.
        assert_eq!(keys_of(b"\x1b[<0;5;2m"), vec![]);
    }
}
