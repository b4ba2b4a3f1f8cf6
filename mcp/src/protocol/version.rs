//! Protocol revisions and the two eras they fall into.

use std::fmt;

/// One MCP protocol revision that boltmcp speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtocolVersion {
    /// 2024-11-05, the first public revision.
    V2024_11_05,
    /// 2025-03-26: Streamable HTTP, tool annotations.
    V2025_03_26,
    /// 2025-06-18: structured tool output, elicitation.
    V2025_06_18,
    /// 2025-11-25: tasks, icons, URL elicitation; the last `initialize` revision.
    V2025_11_25,
    /// 2026-07-28: stateless, `server/discover`, input-required round trips.
    V2026_07_28,
}

/// Which family of revisions a conversation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Era {
    /// 2024-11-05 … 2025-11-25: `initialize` handshake, sessions, server-to-client requests.
    Legacy,
    /// 2026-07-28 and later: stateless requests carrying their version in `_meta`.
    Modern,
}

impl ProtocolVersion {
    /// Every supported revision, newest first.
    pub const ALL: [ProtocolVersion; 5] = [
        ProtocolVersion::V2026_07_28,
        ProtocolVersion::V2025_11_25,
        ProtocolVersion::V2025_06_18,
        ProtocolVersion::V2025_03_26,
        ProtocolVersion::V2024_11_05,
    ];
    /// The newest legacy revision, offered by `initialize` when the client asks for one we lack.
    pub const LATEST_LEGACY: ProtocolVersion = ProtocolVersion::V2025_11_25;
    /// The newest revision.
    pub const LATEST: ProtocolVersion = ProtocolVersion::V2026_07_28;

    /// The revision's date string.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::V2024_11_05 => "2024-11-05",
            ProtocolVersion::V2025_03_26 => "2025-03-26",
            ProtocolVersion::V2025_06_18 => "2025-06-18",
            ProtocolVersion::V2025_11_25 => "2025-11-25",
            ProtocolVersion::V2026_07_28 => "2026-07-28",
        }
    }

    /// Parses a revision's date string.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The era this revision belongs to.
    pub const fn era(self) -> Era {
        match self {
            ProtocolVersion::V2026_07_28 => Era::Modern,
            _ => Era::Legacy,
        }
    }

    /// The revisions of one era, newest first, as strings.
    pub fn supported_strs(era: Era) -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|v| v.era() == era)
            .map(Self::as_str)
            .collect()
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_every_revision() {
        for v in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::parse(v.as_str()), Some(v));
        }
        assert_eq!(ProtocolVersion::parse("2025-01-01"), None);
    }

    #[test]
    fn only_2026_is_modern() {
        assert_eq!(ProtocolVersion::V2026_07_28.era(), Era::Modern);
        assert_eq!(ProtocolVersion::V2025_11_25.era(), Era::Legacy);
        assert_eq!(ProtocolVersion::supported_strs(Era::Modern), ["2026-07-28"]);
    }
}
