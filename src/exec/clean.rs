//! A command's output as text that is safe to show and keep: decoded as UTF-8 across reads,
//! colour sequences (SGR, `ESC [ … m`) dropped, every other escape sequence and control character
//! turned into a visible mark by [`crate::text::sanitize`] (`␛]0;title␇` instead of a new pane
//! title), carriage returns made line breaks, and secret values masked — even when a read cut one.

use super::secrets::Secrets;
use crate::text::sanitize::clean_multiline;

/// Longest escape sequence looked at before it is shown as text.
const MAX_ESCAPE: usize = 64;

/// A streaming cleaner: feed it raw bytes, get clean text.
#[derive(Debug)]
pub struct Cleaner {
    secrets: Secrets,
    /// An incomplete UTF-8 sequence at the end of the last read.
    utf8: Vec<u8>,
    /// An escape sequence being read (`ESC [ 3 1`…).
    escape: String,
    /// Decoded text held back: it may be the start of a secret value.
    held: String,
    /// The last character written was a `\r` turned into a line break.
    after_cr: bool,
}

impl Cleaner {
    /// A cleaner masking `secrets`.
    pub fn new(secrets: Secrets) -> Cleaner {
        Cleaner {
            secrets,
            utf8: Vec::new(),
            escape: String::new(),
            held: String::new(),
            after_cr: false,
        }
    }

    /// Cleans `bytes` (the next read), appending to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut String) {
        let mut input = std::mem::take(&mut self.utf8);
        input.extend_from_slice(bytes);
        let mut text = String::with_capacity(input.len());
        let mut rest: &[u8] = &input;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.decoded(s, &mut text);
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    self.decoded(std::str::from_utf8(good).unwrap_or_default(), &mut text);
                    match e.error_len() {
                        Some(n) => {
                            self.decoded("\u{FFFD}", &mut text);
                            rest = &bad[n..];
                        }
                        None => {
                            self.utf8 = bad.to_vec();
                            break;
                        }
                    }
                }
            }
        }
        self.held.push_str(&text);
        let keep = self.secrets.pending_prefix(&self.held);
        let cut = self.held.len() - keep;
        let ready: String = self.held.drain(..cut).collect();
        self.emit(&ready, out);
    }

    /// Flushes what was held back (the output ended), appending to `out`.
    pub fn finish(&mut self, out: &mut String) {
        let mut text = String::new();
        if !self.utf8.is_empty() {
            self.utf8.clear();
            self.decoded("\u{FFFD}", &mut text);
        }
        let esc = std::mem::take(&mut self.escape);
        text.push_str(&esc);
        self.held.push_str(&text);
        let all = std::mem::take(&mut self.held);
        self.emit(&all, out);
    }

    /// Filters escape sequences out of decoded text.
    fn decoded(&mut self, s: &str, text: &mut String) {
        for c in s.chars() {
            if self.escape.is_empty() {
                if c == '\u{1b}' {
                    self.escape.push(c);
                } else {
                    text.push(c);
                }
                continue;
            }
            self.escape.push(c);
            let len = self.escape.len();
            let in_csi = self.escape.starts_with("\u{1b}[");
            if len == 2 && c == '[' {
                continue;
            }
            if in_csi && (c.is_ascii_digit() || c == ';' || c == ':') && len < MAX_ESCAPE {
                continue;
            }
            if in_csi && c == 'm' {
                self.escape.clear();
                continue;
            }
            // Not a colour sequence: keep it as text (the sanitiser marks the ESC).
            text.push_str(&self.escape);
            self.escape.clear();
        }
    }

    /// Masks, turns `\r` into line breaks and sanitises, appending to `out`.
    fn emit(&mut self, text: &str, out: &mut String) {
        if text.is_empty() {
            return;
        }
        let masked = self.secrets.mask(text);
        let mut lines = String::with_capacity(masked.len());
        for c in masked.chars() {
            match c {
                '\r' => {
                    lines.push('\n');
                    self.after_cr = true;
                }
                '\n' if self.after_cr => self.after_cr = false,
                c => {
                    self.after_cr = false;
                    lines.push(c);
                }
            }
        }
        out.push_str(&clean_multiline(&lines));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn clean_chunks(secrets: Secrets, chunks: &[&[u8]]) -> String {
        let mut c = Cleaner::new(secrets);
        let mut out = String::new();
        for ch in chunks {
            c.push(ch, &mut out);
        }
        c.finish(&mut out);
        out
    }

    #[test]
    fn colours_are_dropped_other_escapes_become_visible() {
        let out = clean_chunks(
            Secrets::new(),
            &[b"\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]52;c;aGk=\x07 \x1b[2J\x1b[H end\n"],
        );
        assert_eq!(out, "red ␛]0;title␇ ␛]52;c;aGk=␇ ␛[2J␛[H end\n");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'));
    }

    #[test]
    fn sequences_and_characters_cut_by_a_read_are_joined() {
        let out = clean_chunks(Secrets::new(), &[b"a\x1b[3", b"2mb \xc3", b"\xa9\n"]);
        assert_eq!(out, "ab é\n");
        let out = clean_chunks(Secrets::new(), &[b"bad \xff byte\n", b"cut \xe2\x82"]);
        assert_eq!(out, "bad \u{FFFD} byte\ncut \u{FFFD}");
    }

    #[test]
    fn carriage_returns_become_line_breaks() {
        let out = clean_chunks(Secrets::new(), &[b"10%\r20%\r", b"\ndone\r\n"]);
        assert_eq!(out, "10%\n20%\ndone\n");
    }

    #[test]
    fn secrets_are_masked_even_across_reads() {
        let mut s = Secrets::new();
        s.insert("TOKEN", "s3cr3t-value");
        let out = clean_chunks(s.clone(), &[b"token=s3cr", b"3t-val", b"ue ok\n"]);
        assert_eq!(out, "token=‹secret TOKEN› ok\n");
        let out = clean_chunks(s, &[b"ends with s3c"]);
        assert_eq!(out, "ends with s3c", "a prefix alone is not the secret");
    }
}
