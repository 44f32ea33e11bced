//! Strings and slices that are pieces of one buffer shared by a whole template: the loader writes
//! every item's text (and every id, and every item's style runs) into one buffer and each item
//! holds a reference-counted view of its piece. A template of 20,000 items then makes three
//! allocations for those instead of 50,000, and frees them as fast. Read through `Deref`
//! (`&str`, `&[T]`), so call sites read like they did with `String` and `Vec`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, Range};
use std::sync::{Arc, OnceLock};

/// Converts a buffer offset (templates are at most 64 MiB) to the stored width.
fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An immutable string: a piece of a shared buffer (cloning it is a reference count).
#[derive(Clone)]
pub struct SharedStr {
    buf: StrBuf,
    start: u32,
    end: u32,
}

/// The buffer a [`SharedStr`] is a piece of: a small string made for it (one allocation), or a
/// large `String` written by the loader and shared as it is (making it an `Arc<str>` would copy
/// every byte of a template's texts once more).
#[derive(Clone)]
enum StrBuf {
    Str(Arc<str>),
    String(Arc<String>),
}

impl StrBuf {
    #[inline]
    fn as_str(&self) -> &str {
        match self {
            StrBuf::Str(s) => s,
            StrBuf::String(s) => s.as_str(),
        }
    }
}

/// The one empty buffer every empty or default [`SharedStr`] points at.
fn empty_str() -> &'static Arc<str> {
    static EMPTY: OnceLock<Arc<str>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::from(""))
}

impl SharedStr {
    /// `buf[range]`: a view of a shared buffer (an out-of-range or non-boundary range reads as
    /// empty).
    pub fn slice(buf: &Arc<str>, range: Range<usize>) -> SharedStr {
        if buf.get(range.clone()).is_none() {
            return SharedStr::default();
        }
        SharedStr {
            buf: StrBuf::Str(Arc::clone(buf)),
            start: narrow(range.start),
            end: narrow(range.end),
        }
    }

    /// `buf[range]` of a shared `String` (what the loader writes its texts and ids into); an
    /// out-of-range or non-boundary range reads as empty.
    pub fn piece(buf: &Arc<String>, range: Range<usize>) -> SharedStr {
        if buf.get(range.clone()).is_none() {
            return SharedStr::default();
        }
        SharedStr {
            buf: StrBuf::String(Arc::clone(buf)),
            start: narrow(range.start),
            end: narrow(range.end),
        }
    }

    /// The text as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        let buf = self.buf.as_str();
        // Whole-buffer views (every id read from a journal, every string decoded) need no range.
        if self.start == 0 && self.end as usize == buf.len() {
            return buf;
        }
        buf.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// The buffer a [`SharedStr::pending`] view points at until it is resolved (empty: it reads as "").
fn pending_str() -> &'static Arc<str> {
    static PENDING: OnceLock<Arc<str>> = OnceLock::new();
    PENDING.get_or_init(|| Arc::from(""))
}

impl SharedStr {
    /// A view of `range` of a buffer still being written (the loader's, sealed when the walk
    /// ends): it reads as empty until [`SharedStr::resolve`] gives it that buffer.
    pub(crate) fn pending(range: Range<usize>) -> SharedStr {
        SharedStr {
            buf: StrBuf::Str(Arc::clone(pending_str())),
            start: narrow(range.start),
            end: narrow(range.end),
        }
    }

    /// A [`SharedStr::pending`] view made a view of `buf`; any other string is left as it is.
    pub(crate) fn resolve(&mut self, buf: &Arc<String>) {
        if let StrBuf::Str(b) = &self.buf
            && Arc::ptr_eq(b, pending_str())
        {
            *self = SharedStr::piece(buf, self.start as usize..self.end as usize);
        }
    }
}

impl Default for SharedStr {
    fn default() -> Self {
        SharedStr {
            buf: StrBuf::Str(Arc::clone(empty_str())),
            start: 0,
            end: 0,
        }
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        let end = narrow(s.len());
        // Shared as it is: no copy of its bytes.
        SharedStr {
            buf: StrBuf::String(Arc::new(s)),
            start: 0,
            end,
        }
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            return SharedStr::default();
        }
        SharedStr {
            buf: StrBuf::Str(Arc::from(s)),
            start: 0,
            end: narrow(s.len()),
        }
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> String {
        s.as_str().to_owned()
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for SharedStr {
    /// Hashes like the `str` it reads as (so `Borrow<str>` look-ups work).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    /// One allocation per string read (the shared buffer itself), not a `String` first and then a
    /// copy of it: a journal's replay reads an item id per event.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = SharedStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SharedStr, E> {
                Ok(SharedStr::from(v))
            }
        }
        d.deserialize_str(Text)
    }
}

/// An immutable slice: a piece of a shared buffer (cloning it is a reference count).
pub struct SharedSlice<T> {
    /// The shared vector (none for an empty slice: no allocation).
    buf: Option<Arc<Vec<T>>>,
    start: u32,
    end: u32,
}

impl<T> SharedSlice<T> {
    /// `buf[range]`: a view of a shared vector, shared as it is (an out-of-range range reads as
    /// empty).
    pub fn slice(buf: &Arc<Vec<T>>, range: Range<usize>) -> SharedSlice<T> {
        if range.is_empty() || buf.get(range.clone()).is_none() {
            return SharedSlice::default();
        }
        SharedSlice {
            buf: Some(Arc::clone(buf)),
            start: narrow(range.start),
            end: narrow(range.end),
        }
    }

    /// The elements as a slice.
    pub fn as_slice(&self) -> &[T] {
        match &self.buf {
            Some(b) => b.get(self.start as usize..self.end as usize).unwrap_or(&[]),
            None => &[],
        }
    }
}

impl<T> Clone for SharedSlice<T> {
    fn clone(&self) -> Self {
        SharedSlice {
            buf: self.buf.clone(),
            start: self.start,
            end: self.end,
        }
    }
}

impl<T> Default for SharedSlice<T> {
    /// Empty, without allocating.
    fn default() -> Self {
        SharedSlice {
            buf: None,
            start: 0,
            end: 0,
        }
    }
}

impl<T> Deref for SharedSlice<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> From<Vec<T>> for SharedSlice<T> {
    fn from(v: Vec<T>) -> Self {
        if v.is_empty() {
            return SharedSlice::default();
        }
        let end = narrow(v.len());
        SharedSlice {
            buf: Some(Arc::new(v)),
            start: 0,
            end,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for SharedSlice<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl<T: PartialEq> PartialEq for SharedSlice<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for SharedSlice<T> {}

impl<T: PartialEq> PartialEq<Vec<T>> for SharedSlice<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Serialize> Serialize for SharedSlice<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for SharedSlice<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(SharedSlice::from)
    }
}

impl<'a, T> IntoIterator for &'a SharedSlice<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_read_as_their_range() {
        let buf: Arc<str> = Arc::from("one two three");
        let two = SharedStr::slice(&buf, 4..7);
        assert_eq!(two, "two");
        assert_eq!(two.len(), 3);
        assert_eq!(format!("{two}|{two:?}"), "two|\"two\"");
        assert_eq!(
            SharedStr::slice(&buf, 4..99),
            "",
            "out of range reads empty"
        );
        assert_eq!(SharedStr::from("two".to_owned()), two);
        assert_eq!(SharedStr::default(), "");
        let shared = Arc::new(String::from("one two three"));
        let three = SharedStr::piece(&shared, 8..13);
        assert_eq!(three, "three");
        assert_eq!(three, SharedStr::from("three"), "equal whatever the buffer");
        assert_eq!(SharedStr::piece(&shared, 0..13), "one two three");
        assert_eq!(
            SharedStr::piece(&shared, 12..14),
            "",
            "out of range reads empty"
        );
        let runs = Arc::new(vec![1u8, 2, 3, 4]);
        let mid = SharedSlice::slice(&runs, 1..3);
        assert_eq!(&*mid, &[2, 3]);
        assert!(SharedSlice::<u8>::default().is_empty());
        assert_eq!(SharedSlice::slice(&runs, 3..9).len(), 0);
    }

    #[test]
    fn a_pending_view_reads_empty_until_resolved_and_only_it_is_rebased() {
        let mut code = SharedStr::pending(4..7);
        assert_eq!(code, "", "nothing to read before the buffer exists");
        let mut other = SharedStr::from("kept");
        let buf = Arc::new(String::from("one two three"));
        code.resolve(&buf);
        other.resolve(&buf);
        assert_eq!(code, "two");
        assert_eq!(other, "kept", "a string that was not pending stays itself");
        let mut out_of_range = SharedStr::pending(10..99);
        out_of_range.resolve(&buf);
        assert_eq!(out_of_range, "");
    }

    #[test]
    fn serialises_as_a_plain_string_and_list() {
        let s = SharedStr::from("a \"b\"");
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert_eq!(json, r#""a \"b\"""#);
        let back: SharedStr = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, s);
        let v = SharedSlice::from(vec![1u32, 2]);
        assert_eq!(serde_json::to_string(&v).unwrap_or_default(), "[1,2]");
    }
}
