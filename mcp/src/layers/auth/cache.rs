//! A cache of verified tokens, so a caller's repeat requests cost a digest and a
//! lookup instead of a signature check or a round trip to an introspection endpoint.
//! The auth layer keeps [`Principal`]s in one; the introspection verifier keeps the
//! [`Verified`] answers of its endpoint in another.
//!
//! Keyed by the token's SHA-256 digest (the token itself is never stored), each entry
//! lives until the token expires or for `max_age`, whichever comes first. The table is
//! split into shards, each behind its own lock held only for a lookup or an insert,
//! and bounded: a full shard drops its expired entries, then its oldest.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use super::bearer::sha256;
use crate::server::{Principal, Verified};
use crate::sync::lock;

const SHARDS: usize = 16;

/// The longest any entry is kept, whatever the configuration says.
const MAX_AGE_BOUND: Duration = Duration::from_secs(365 * 24 * 3600);

/// What a cache entry holds: something that knows when its token expires.
pub(crate) trait Expiring: Clone {
    fn expires_at(&self) -> Option<SystemTime>;
}

impl Expiring for Principal {
    fn expires_at(&self) -> Option<SystemTime> {
        Principal::expires_at(self)
    }
}

impl Expiring for Verified {
    fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

pub(crate) struct VerifiedCache<T = Principal> {
    shards: Vec<Mutex<HashMap<[u8; 32], Entry<T>>>>,
    per_shard: usize,
    max_age: Duration,
}

struct Entry<T> {
    principal: T,
    until: Instant,
}

impl VerifiedCache {
    /// The digest a token is cached under.
    pub(crate) fn key(token: &str) -> [u8; 32] {
        sha256(token.as_bytes())
    }
}

impl<T: Expiring> VerifiedCache<T> {
    /// Holds at most `capacity` tokens (rounded up to a multiple of the shard count),
    /// each for at most `max_age`. A capacity of 0 caches nothing.
    pub(crate) fn new(capacity: usize, max_age: Duration) -> Self {
        VerifiedCache {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: capacity.div_ceil(SHARDS),
            // Bounded so that `Instant::now() + max_age` cannot overflow.
            max_age: max_age.min(MAX_AGE_BOUND),
        }
    }

    pub(crate) fn get(&self, key: &[u8; 32]) -> Option<T> {
        let mut shard = lock(&self.shards[usize::from(key[0]) % SHARDS]);
        let entry = shard.get(key)?;
        if entry.until > Instant::now() {
            return Some(entry.principal.clone());
        }
        shard.remove(key);
        None
    }

    pub(crate) fn insert(&self, key: [u8; 32], principal: T) {
        if self.per_shard == 0 {
            return;
        }
        let now = Instant::now();
        let mut ttl = self.max_age;
        if let Some(expires) = principal.expires_at() {
            match expires.duration_since(SystemTime::now()) {
                Ok(left) => ttl = ttl.min(left),
                Err(_) => return,
            }
        }
        let mut shard = lock(&self.shards[usize::from(key[0]) % SHARDS]);
        if shard.len() >= self.per_shard && !shard.contains_key(&key) {
            shard.retain(|_, entry| entry.until > now);
            if shard.len() >= self.per_shard {
                let oldest = shard
                    .iter()
                    .min_by_key(|(_, entry)| entry.until)
                    .map(|(key, _)| *key);
                if let Some(oldest) = oldest {
                    shard.remove(&oldest);
                }
            }
        }
        shard.insert(
            key,
            Entry {
                principal,
                until: now + ttl,
            },
        );
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Verified;

    fn principal(expires: Option<SystemTime>) -> Principal {
        let mut verified = Verified::new("alice", ["x"]);
        verified.expires_at = expires;
        Principal::vouch(verified)
    }

    #[test]
    fn a_cached_token_is_found_until_it_expires() {
        let cache = VerifiedCache::new(64, Duration::from_secs(60));
        let key = VerifiedCache::key("token");
        cache.insert(
            key,
            principal(Some(SystemTime::now() + Duration::from_secs(30))),
        );
        assert_eq!(
            cache.get(&key).map(|p| p.subject().to_owned()),
            Some("alice".into())
        );
        assert!(cache.get(&VerifiedCache::key("other")).is_none());
        let expired = VerifiedCache::key("expired");
        cache.insert(
            expired,
            principal(Some(SystemTime::now() - Duration::from_secs(1))),
        );
        assert!(
            cache.get(&expired).is_none(),
            "an expired token is never cached"
        );
        let short = VerifiedCache::new(64, Duration::ZERO);
        short.insert(key, principal(None));
        assert!(short.get(&key).is_none(), "max_age bounds every entry");
    }

    #[test]
    fn the_table_stays_bounded() {
        let cache = VerifiedCache::new(160, Duration::from_secs(60));
        for i in 0..10_000 {
            cache.insert(VerifiedCache::key(&format!("token-{i}")), principal(None));
        }
        assert!(cache.len() <= 160, "{}", cache.len());
        let last = VerifiedCache::key("token-9999");
        assert!(cache.get(&last).is_some(), "the newest entry survives");
    }
}
