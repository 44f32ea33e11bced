//! Bytes to text: BOMs, UTF-16, invalid UTF-8, binary files, line endings.

use super::LoadErrorKind;

/// Decodes a template's bytes to text with `\n` line endings.
///
/// A UTF-8 BOM is stripped; a UTF-16 BOM selects UTF-16. Invalid UTF-8 and NUL bytes are errors
/// (with the byte offset and line) rather than guesses: a silently mis-decoded command is worse than
/// a refusal.
pub fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, LoadErrorKind> {
    if let Some(text) = decode_utf16(bytes)? {
        return Ok(std::borrow::Cow::Owned(
            normalize_newlines(&text).into_owned(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(LoadErrorKind::Binary {
            offset,
            line: line_of_offset(bytes, offset),
        });
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.valid_up_to();
            return Err(LoadErrorKind::InvalidUtf8 {
                offset,
                line: line_of_offset(bytes, offset),
            });
        }
    };
    if text.trim().is_empty() {
        return Err(LoadErrorKind::Empty);
    }
    Ok(normalize_newlines(text))
}

fn decode_utf16(bytes: &[u8]) -> Result<Option<String>, LoadErrorKind> {
    let encoding = match bytes {
        [0xFF, 0xFE, ..] => encoding_rs::UTF_16LE,
        [0xFE, 0xFF, ..] => encoding_rs::UTF_16BE,
        _ => return Ok(None),
    };
    let (text, _, had_errors) = encoding.decode(bytes);
    if had_errors {
        return Err(LoadErrorKind::InvalidUtf16);
    }
    if text.contains('\0') {
        return Err(LoadErrorKind::Binary { offset: 0, line: 1 });
    }
    if text.trim().is_empty() {
        return Err(LoadErrorKind::Empty);
    }
    Ok(Some(text.into_owned()))
}

/// 1-based line number of a byte offset.
pub fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count()
}

/// CRLF and lone CR become LF.
pub fn normalize_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    // The memchr crate's vectorised search (`str::contains` reads a word at a time).
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_normalises_line_endings() {
        let text = decode(b"\xEF\xBB\xBF# T\r\n- [ ] a\rb\n").expect("decodes");
        assert_eq!(text, "# T\n- [ ] a\nb\n");
    }

    #[test]
    fn invalid_utf8_names_offset_and_line() {
        let err = decode(b"# ok\n- [ ] caf\xE9\n").expect_err("latin-1 byte");
        assert_eq!(
            err,
            LoadErrorKind::InvalidUtf8 {
                offset: 14,
                line: 2
            }
        );
    }

    #[test]
    fn nul_byte_is_binary() {
        let err = decode(b"abc\n\x00def").expect_err("binary");
        assert_eq!(err, LoadErrorKind::Binary { offset: 4, line: 2 });
    }

    #[test]
    fn empty_and_blank_files_are_errors() {
        assert_eq!(decode(b""), Err(LoadErrorKind::Empty));
        assert_eq!(decode(b" \n\r\n\t"), Err(LoadErrorKind::Empty));
        assert_eq!(decode(b"\xEF\xBB\xBF"), Err(LoadErrorKind::Empty));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "- [ ] a\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).expect("utf16"), "- [ ] a\n");
    }
}
