//! A validating, single-pass scanner for one JSON-RPC message.
//!
//! It checks that the whole text is JSON and, in the same pass, finds the spans of the
//! top-level members and of the members of `params`, without decoding any value it
//! does not have to. The message is then routed on those spans and each handler
//! parses just the member it needs (its arguments, its `_meta`). Syntax is checked
//! exactly as strictly as `serde_json` checks raw values (a differential test below
//! compares the two on valid, invalid and mutated documents).

use std::borrow::Cow;

/// Bytes that may stand in a string as they are: all but `"`, `\\` and controls.
static PLAIN: [bool; 256] = {
    let mut table = [true; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = false;
        b += 1;
    }
    table[b'"' as usize] = false;
    table[b'\\' as usize] = false;
    table
};

/// Nesting deeper than this is refused, as `serde_json` refuses it.
const MAX_DEPTH: usize = 128;

/// Why a text is not JSON, with the byte offset where that became clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) offset: usize,
    pub(crate) reason: &'static str,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

/// One member of an object: its decoded key and its value's JSON text.
pub(crate) type Member<'a> = (Cow<'a, str>, &'a str);

/// An object's members. (An inline small vector was measured: moving it cost more
/// than the allocation it saves.)
pub(crate) type Members<'a> = Vec<Member<'a>>;

/// The scanned message: its top-level members, and `params`' members when `params`
/// is an object.
#[derive(Debug, Default)]
pub(crate) struct Scanned<'a> {
    pub(crate) members: Members<'a>,
    pub(crate) params: Option<Members<'a>>,
}

/// What the top-level value of a valid text is, when it is not an object.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Array,
    Other,
}

/// The open brackets of the value being skipped.
struct Brackets {
    open: [u8; MAX_DEPTH],
    len: usize,
}

impl Default for Brackets {
    fn default() -> Self {
        Brackets {
            open: [0; MAX_DEPTH],
            len: 0,
        }
    }
}

impl Brackets {
    fn push(&mut self, bracket: u8) {
        // The caller checks the depth against MAX_DEPTH first.
        if let Some(slot) = self.open.get_mut(self.len) {
            *slot = bracket;
            self.len += 1;
        }
    }

    fn last(&self) -> Option<&u8> {
        self.len.checked_sub(1).and_then(|i| self.open.get(i))
    }

    fn pop(&mut self) {
        self.len = self.len.saturating_sub(1);
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    #[cold]
    fn fail<T>(&self, reason: &'static str) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            offset: self.pos,
            reason,
        })
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(reason)
        }
    }

    /// A string starting at `pos` (on its quote); returns its span and whether it
    /// contains escapes.
    #[inline]
    fn string(&mut self) -> Result<(usize, usize, bool), SyntaxError> {
        let start = self.pos;
        self.expect(b'"', "expected a string")?;
        let mut escaped = false;
        loop {
            // The common case, a run of plain bytes, in a tight loop.
            let bytes = self.bytes;
            let plain = bytes[self.pos..]
                .iter()
                .take_while(|&&b| PLAIN[usize::from(b)])
                .count();
            let i = self.pos + plain;
            self.pos = i;
            let Some(&stop) = bytes.get(i) else {
                return self.fail("unterminated string");
            };
            match stop {
                b'"' => {
                    self.pos += 1;
                    return Ok((start, self.pos, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            let hex = self.bytes.get(self.pos + 1..self.pos + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return self.fail("invalid \\u escape");
                            }
                            self.pos += 5;
                        }
                        _ => return self.fail("invalid escape"),
                    }
                }
                _ => return self.fail("control character in string"),
            }
        }
    }

    #[inline]
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    #[inline]
    fn number(&mut self) -> Result<(), SyntaxError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.fail("invalid number"),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return self.fail("invalid number");
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.fail("invalid number");
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), SyntaxError> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.fail("expected a value")
        }
    }

    /// One value of any kind, validated; iterative, so depth costs no call stack, and
    /// the open brackets live in a fixed array, so it allocates nothing.
    fn value(&mut self, depth: usize) -> Result<(), SyntaxError> {
        let mut stack = Brackets::default();
        loop {
            self.ws();
            // A value.
            match self.peek() {
                Some(b'{') | Some(b'[') => {
                    let open = self.bytes[self.pos];
                    if depth + stack.len + 1 > MAX_DEPTH {
                        return self.fail("nesting too deep");
                    }
                    self.pos += 1;
                    self.ws();
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                    } else {
                        stack.push(open);
                        if open == b'{' {
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                _ => return self.fail("expected a value"),
            }
            // After a value: close containers or move to the next element.
            loop {
                let Some(&open) = stack.last() else {
                    return Ok(());
                };
                self.ws();
                let close = if open == b'{' { b'}' } else { b']' };
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if open == b'{' {
                            self.ws();
                            self.member_key()?;
                        }
                        break;
                    }
                    Some(b) if b == close => {
                        self.pos += 1;
                        stack.pop();
                    }
                    _ => return self.fail("expected ',' or a closing bracket"),
                }
            }
        }
    }

    /// `"key" :` inside an object being skipped.
    #[inline]
    fn member_key(&mut self) -> Result<(), SyntaxError> {
        self.string()?;
        self.ws();
        self.expect(b':', "expected ':'")
    }

    #[inline]
    fn key(&self, start: usize, end: usize, escaped: bool) -> Result<Cow<'a, str>, SyntaxError> {
        let inner = &self.text[start + 1..end - 1];
        if !escaped {
            return Ok(Cow::Borrowed(inner));
        }
        serde_json::from_str::<String>(&self.text[start..end])
            .map(Cow::Owned)
            .map_err(|_| SyntaxError {
                offset: start,
                reason: "invalid escape in key",
            })
    }

    /// An object's members, each value kept as its text; `split` names a member whose
    /// object value is split one level further.
    fn object(
        &mut self,
        depth: usize,
        split: Option<&str>,
        out: &mut Scanned<'a>,
    ) -> Result<Members<'a>, SyntaxError> {
        self.expect(b'{', "expected an object")?;
        let mut members = Members::with_capacity(8);
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(members);
        }
        loop {
            self.ws();
            let (ks, ke, escaped) = self.string()?;
            let key = self.key(ks, ke, escaped)?;
            self.ws();
            self.expect(b':', "expected ':'")?;
            self.ws();
            let start = self.pos;
            if split.is_some_and(|s| s == key) && self.peek() == Some(b'{') {
                out.params = Some(self.object(depth + 1, None, out)?);
            } else {
                self.value(depth + 1)?;
            }
            members.push((key, &self.text[start..self.pos]));
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(members);
                }
                _ => return self.fail("expected ',' or '}'"),
            }
        }
    }
}

/// Scans a message: a JSON object whose `params`, when an object, is split too.
/// `Err(Ok(shape))` means valid JSON that is not an object.
pub(crate) fn scan_message(text: &str) -> Result<Scanned<'_>, Result<Shape, SyntaxError>> {
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    s.ws();
    if s.peek() != Some(b'{') {
        let shape = if s.peek() == Some(b'[') {
            Shape::Array
        } else {
            Shape::Other
        };
        return Err(validate(text).map(|()| shape));
    }
    let mut scanned = Scanned::default();
    scanned.members = s.object(0, Some("params"), &mut scanned).map_err(Err)?;
    s.ws();
    if s.pos != s.bytes.len() {
        return Err(Err(SyntaxError {
            offset: s.pos,
            reason: "trailing characters",
        }));
    }
    Ok(scanned)
}

/// Checks that `text` is exactly one JSON value with optional surrounding whitespace.
pub(crate) fn validate(text: &str) -> Result<(), SyntaxError> {
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    s.value(0)?;
    s.ws();
    if s.pos != s.bytes.len() {
        return s.fail("trailing characters");
    }
    Ok(())
}

/// Decodes a string value's text, borrowing when it has no escapes.
pub(crate) fn decode_str(value: &str) -> Option<Cow<'_, str>> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    // A plain loop: the strings here are short, and `memchr` costs more to set up.
    if inner.bytes().all(|b| b != b'\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(value).ok().map(Cow::Owned)
}

#[cfg(test)]
mod tests;
