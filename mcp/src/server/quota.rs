//! Rate quotas written the way people say them: `"10/s"`, `"600/min"`, `"1000/day"`,
//! with an optional burst (`"100/min burst 20"`).
//!
//! The parser is a `const fn`, so `#[tool(rate_limit = "..")]` checks its string while
//! the crate compiles (the macro evaluates it in a `const` block spanned on the string)
//! and runtime configuration (flags, files) goes through the same code. A quota is
//! plain data, independent of any limiter's storage: governor's GCRA
//! (`boltmcp::layers::rate_limit`) reads it, and so can a shared backend.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

/// `count` calls per `period`, with bursts of up to `burst` calls.
///
/// On a GCRA limiter (token-bucket semantics): one call's worth of budget comes back
/// every `period / count`, and up to `burst` unused calls accumulate. Without an
/// explicit burst, `burst` equals `count`: a caller idle for a whole period may spend
/// it at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quota {
    count: NonZeroU32,
    period: Duration,
    burst: NonZeroU32,
}

/// Why a quota string did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuotaError {
    /// No count before the `/`, or one that is zero or over 4,294,967,295.
    Count,
    /// No `/`.
    Slash,
    /// A unit other than `s`, `sec`, `second`, `min`, `minute`, `h`, `hour`, `d`, `day`.
    Unit,
    /// `burst` without a count, or with zero or a number too large.
    Burst,
    /// Something after the quota that is not ` burst N`.
    Trailing,
}

impl QuotaError {
    /// What went wrong, and what to write instead.
    pub const fn message(self) -> &'static str {
        match self {
            QuotaError::Count => {
                "invalid rate_limit: a quota starts with a number of calls from 1 to 4294967295, as in \"10/s\""
            }
            QuotaError::Slash => {
                "invalid rate_limit: a quota is written COUNT/UNIT, as in \"10/s\" or \"600/min\""
            }
            QuotaError::Unit => {
                "invalid rate_limit: the unit after `/` is one of s, sec, second, min, minute, h, hour, d, day"
            }
            QuotaError::Burst => {
                "invalid rate_limit: `burst` takes a number of calls from 1 up, as in \"100/min burst 20\""
            }
            QuotaError::Trailing => {
                "invalid rate_limit: only ` burst N` may follow the quota, as in \"100/min burst 20\""
            }
        }
    }
}

impl QuotaError {
    /// Stops a `const` evaluation with this error's message.
    const fn stop(self) -> ! {
        let message = self.message();
        panic!("{}", message)
    }
}

impl fmt::Display for QuotaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for QuotaError {}

impl Quota {
    /// `count` calls per `period` (a zero count is taken as one; a zero period as a
    /// nanosecond), bursts of `count`.
    pub const fn new(count: u32, period: Duration) -> Self {
        let count = match NonZeroU32::new(count) {
            Some(count) => count,
            None => NonZeroU32::MIN,
        };
        let period = if period.is_zero() {
            Duration::from_nanos(1)
        } else {
            period
        };
        Quota {
            count,
            period,
            burst: count,
        }
    }

    /// The same rate, with bursts of up to `burst` calls (at least one).
    pub const fn with_burst(self, burst: u32) -> Self {
        Quota {
            burst: match NonZeroU32::new(burst) {
                Some(burst) => burst,
                None => NonZeroU32::MIN,
            },
            ..self
        }
    }

    /// Reads `"10/s"`, `"600/min"`, `"1000/day"`, `"100/min burst 20"` (spaces
    /// around `/` and before `burst` allowed).
    pub const fn parse(text: &str) -> Result<Quota, QuotaError> {
        let bytes = text.as_bytes();
        let mut at = skip_spaces(bytes, 0);
        let (count, next) = number(bytes, at);
        let count = match count {
            Some(count) if count > 0 => count,
            _ => return Err(QuotaError::Count),
        };
        at = skip_spaces(bytes, next);
        if at >= bytes.len() || bytes[at] != b'/' {
            return Err(QuotaError::Slash);
        }
        at = skip_spaces(bytes, at + 1);
        let unit_start = at;
        while at < bytes.len() && bytes[at].is_ascii_alphabetic() {
            at += 1;
        }
        let seconds = match unit_seconds(bytes, unit_start, at) {
            Some(seconds) => seconds,
            None => return Err(QuotaError::Unit),
        };
        let mut quota = Quota::new(count, Duration::from_secs(seconds));
        at = skip_spaces(bytes, at);
        if at < bytes.len() {
            if !word_at(bytes, at, b"burst") {
                return Err(QuotaError::Trailing);
            }
            at = skip_spaces(bytes, at + 5);
            let (burst, next) = number(bytes, at);
            match burst {
                Some(burst) if burst > 0 => quota = quota.with_burst(burst),
                _ => return Err(QuotaError::Burst),
            }
            at = skip_spaces(bytes, next);
            if at < bytes.len() {
                return Err(QuotaError::Trailing);
            }
        }
        Ok(quota)
    }

    /// [`parse`](Self::parse) in a `const` context, where an error stops the
    /// compilation with its message: how `#[tool(rate_limit = "..")]` checks its string.
    #[doc(hidden)]
    pub const fn parse_or_panic(text: &str) -> Quota {
        match Quota::parse(text) {
            Ok(quota) => quota,
            Err(error) => error.stop(),
        }
    }

    /// Calls per period.
    pub const fn count(&self) -> u32 {
        self.count.get()
    }

    /// The period `count` is counted over.
    pub const fn period(&self) -> Duration {
        self.period
    }

    /// The most calls that may come at once after a quiet spell.
    pub const fn burst(&self) -> u32 {
        self.burst.get()
    }

    /// How often one call's worth of budget comes back: `period / count`.
    pub fn replenish_interval(&self) -> Duration {
        (self.period / self.count.get()).max(Duration::from_nanos(1))
    }
}

impl std::str::FromStr for Quota {
    type Err = QuotaError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Quota::parse(text)
    }
}

impl fmt::Display for Quota {
    /// `10/s`, `600/min`, `100/min burst 20`: what [`Quota::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.period.as_secs() {
            1 => "s".to_owned(),
            60 => "min".to_owned(),
            3600 => "h".to_owned(),
            86_400 => "day".to_owned(),
            _ => format!("{:?}", self.period),
        };
        write!(f, "{}/{unit}", self.count)?;
        if self.burst != self.count {
            write!(f, " burst {}", self.burst)?;
        }
        Ok(())
    }
}

const fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at] == b' ' {
        at += 1;
    }
    at
}

/// The decimal number at `at` (if any digits, and no overflow of u32) and where it ends.
const fn number(bytes: &[u8], mut at: usize) -> (Option<u32>, usize) {
    let start = at;
    let mut value: u64 = 0;
    while at < bytes.len() && bytes[at].is_ascii_digit() {
        value = value * 10 + (bytes[at] - b'0') as u64;
        if value > u32::MAX as u64 {
            return (None, at);
        }
        at += 1;
    }
    if at == start {
        return (None, at);
    }
    (Some(value as u32), at)
}

/// Whether `word` is at `at` in `bytes`.
pub(super) const fn word_at(bytes: &[u8], at: usize, word: &[u8]) -> bool {
    if at + word.len() > bytes.len() {
        return false;
    }
    let mut i = 0;
    while i < word.len() {
        if bytes[at + i] != word[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn unit_seconds(bytes: &[u8], start: usize, end: usize) -> Option<u64> {
    const UNITS: [(&[u8], u64); 9] = [
        (b"s", 1),
        (b"sec", 1),
        (b"second", 1),
        (b"min", 60),
        (b"minute", 60),
        (b"h", 3600),
        (b"hour", 3600),
        (b"d", 86_400),
        (b"day", 86_400),
    ];
    let mut i = 0;
    while i < UNITS.len() {
        let (name, seconds) = UNITS[i];
        if end - start == name.len() && word_at(bytes, start, name) {
            return Some(seconds);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quotas_the_way_people_say_them() {
        let cases = [
            ("10/s", 10, 1, 10),
            ("600/min", 600, 60, 600),
            ("1000/day", 1000, 86_400, 1000),
            ("100/min burst 20", 100, 60, 20),
            ("5 / second", 5, 1, 5),
            ("3/h burst 1", 3, 3600, 1),
        ];
        for (text, count, seconds, burst) in cases {
            let quota = Quota::parse(text).expect(text);
            assert_eq!(
                (quota.count(), quota.period().as_secs(), quota.burst()),
                (count, seconds, burst),
                "{text}"
            );
        }
        assert_eq!(
            Quota::parse("600/min").map(|q| q.replenish_interval()),
            Ok(Duration::from_millis(100))
        );
    }

    #[test]
    fn says_what_is_wrong() {
        let cases = [
            ("", QuotaError::Count),
            ("0/s", QuotaError::Count),
            ("99999999999/s", QuotaError::Count),
            ("ten/s", QuotaError::Count),
            ("10", QuotaError::Slash),
            ("10 per s", QuotaError::Slash),
            ("10/fortnight", QuotaError::Unit),
            ("10/", QuotaError::Unit),
            ("10/s burst", QuotaError::Burst),
            ("10/s burst 0", QuotaError::Burst),
            ("10/s jitter 3", QuotaError::Trailing),
            ("10/s burst 3 more", QuotaError::Trailing),
        ];
        for (text, error) in cases {
            assert_eq!(Quota::parse(text), Err(error), "{text:?}");
        }
    }

    #[test]
    fn displays_what_it_parses() {
        for text in ["10/s", "600/min", "3/h", "1000/day", "100/min burst 20"] {
            let quota: Quota = text.parse().expect(text);
            assert_eq!(quota.to_string(), text);
        }
    }

    #[test]
    fn checks_at_compile_time() {
        const LIMIT: Quota = match Quota::parse("5/s") {
            Ok(quota) => quota,
            Err(_) => panic!("a valid quota"),
        };
        assert_eq!(LIMIT.count(), 5);
    }
}
