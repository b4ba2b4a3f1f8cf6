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
const MAX_DEPTH: u32 = 128;

/// Why a text is not JSON, in `serde_json`'s words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError(String);

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The scanner only says *that* a text is not JSON; this says why. Off the hot path.
#[cold]
fn syntax_error(text: &str) -> SyntaxError {
    match serde_json::from_str::<&serde_json::value::RawValue>(text) {
        Err(err) => SyntaxError(err.to_string()),
        Ok(_) => SyntaxError("nesting too deep".to_owned()),
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

// The skippers below take the bytes and a position and return the position after
// what they skipped, or `None` for a syntax error: no error values on the hot path.

#[inline(always)]
fn ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// A string whose opening quote is at `i`: the position after its closing quote, and
/// whether it contains escapes.
#[inline(always)]
fn string(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    i += 1;
    let mut escaped = false;
    loop {
        let c = *b.get(i)?;
        if PLAIN[usize::from(c)] {
            i += 1;
            continue;
        }
        match c {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = b.get(i + 2..i + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
}

#[inline(always)]
fn digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

fn number(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match *b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i + 1),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let after = digits(b, i + 1);
        if after == i + 1 {
            return None;
        }
        i = after;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let after = digits(b, i);
        if after == i {
            return None;
        }
        i = after;
    }
    Some(i)
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    b[i..].starts_with(word).then_some(i + word.len())
}

/// `"key"` then `:`, from `i` on the key's quote; the position after the colon.
#[inline(always)]
fn key(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let (end, _) = string(b, i)?;
    let colon = ws(b, end);
    (b.get(colon) == Some(&b':')).then_some(colon + 1)
}

/// One value starting at `i`, nested `depth` deep: the position after it. Iterative:
/// the kinds of the open brackets are bits of one integer, so nesting costs neither
/// stack nor allocation.
fn value(b: &[u8], mut i: usize, depth: u32) -> Option<usize> {
    let mut objects: u128 = 0;
    let mut level: u32 = 0;
    loop {
        i = ws(b, i);
        match *b.get(i)? {
            b'"' => i = string(b, i)?.0,
            open @ (b'{' | b'[') => {
                if depth + level + 1 > MAX_DEPTH {
                    return None;
                }
                let object = open == b'{';
                i = ws(b, i + 1);
                if b.get(i) == Some(if object { &b'}' } else { &b']' }) {
                    i += 1;
                } else {
                    if object {
                        objects |= 1 << level;
                        i = key(b, i)?;
                    } else {
                        objects &= !(1 << level);
                    }
                    level += 1;
                    continue;
                }
            }
            b'-' | b'0'..=b'9' => i = number(b, i)?,
            b't' => i = literal(b, i, b"true")?,
            b'f' => i = literal(b, i, b"false")?,
            b'n' => i = literal(b, i, b"null")?,
            _ => return None,
        }
        // After a value: close brackets, or move on to the next element.
        loop {
            if level == 0 {
                return Some(i);
            }
            i = ws(b, i);
            let object = objects & (1 << (level - 1)) != 0;
            match *b.get(i)? {
                b',' => {
                    i = ws(b, i + 1);
                    if object {
                        i = key(b, i)?;
                    }
                    break;
                }
                b'}' if object => {
                    i += 1;
                    level -= 1;
                }
                b']' if !object => {
                    i += 1;
                    level -= 1;
                }
                _ => return None,
            }
        }
    }
}

/// The members of the object whose `{` is at `i`, and the position after its `}`;
/// with `split`, a `params` object is split into `params` as well.
fn members<'a>(
    text: &'a str,
    i: usize,
    depth: u32,
    split: bool,
    params: &mut Option<Members<'a>>,
) -> Option<(Members<'a>, usize)> {
    let b = text.as_bytes();
    let mut out = Members::with_capacity(8);
    let mut i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some((out, i + 1));
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (end, escaped) = string(b, i)?;
        // Quotes are ASCII, so these byte positions are character boundaries.
        let key = if escaped {
            Cow::Owned(serde_json::from_str::<String>(text.get(i..end)?).ok()?)
        } else {
            Cow::Borrowed(text.get(i + 1..end - 1)?)
        };
        i = ws(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = ws(b, i + 1);
        let start = i;
        if split && key == "params" && b.get(i) == Some(&b'{') {
            let (inner, after) = members(text, i, depth + 1, false, params)?;
            *params = Some(inner);
            i = after;
        } else {
            i = value(b, i, depth + 1)?;
        }
        out.push((key, text.get(start..i)?));
        i = ws(b, i);
        match *b.get(i)? {
            b',' => i = ws(b, i + 1),
            b'}' => return Some((out, i + 1)),
            _ => return None,
        }
    }
}

/// Scans a message: a JSON object whose `params`, when an object, is split too.
/// `Err(Ok(shape))` means valid JSON that is not an object.
pub(crate) fn scan_message(text: &str) -> Result<Scanned<'_>, Result<Shape, SyntaxError>> {
    let b = text.as_bytes();
    let start = ws(b, 0);
    if b.get(start) != Some(&b'{') {
        let shape = if b.get(start) == Some(&b'[') {
            Shape::Array
        } else {
            Shape::Other
        };
        return Err(validate(text).map(|()| shape));
    }
    let mut params = None;
    match members(text, start, 0, true, &mut params) {
        Some((members, end)) if ws(b, end) == b.len() => Ok(Scanned { members, params }),
        _ => Err(Err(syntax_error(text))),
    }
}

/// Checks that `text` is exactly one JSON value with optional surrounding whitespace.
pub(crate) fn validate(text: &str) -> Result<(), SyntaxError> {
    let b = text.as_bytes();
    match value(b, 0, 0) {
        Some(end) if ws(b, end) == b.len() => Ok(()),
        _ => Err(syntax_error(text)),
    }
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
