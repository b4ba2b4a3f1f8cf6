//! A cache of verified tokens, so a caller's repeat requests cost a digest and a
//! lookup instead of a signature check or a round trip to an introspection endpoint.
//! The auth layer keeps [`Principal`]s in one; the introspection verifier keeps the
//! [`Verified`] answers of its endpoint in another.
//!
//! Keyed by a 128-bit keyed digest of the token (the token itself is never stored):
//! SipHash-1-3 with a key drawn at random for each cache. A hit hands out another
//! caller's principal only if a presented token collides with a cached one under a
//! key the attacker never sees, and the attacker never sees a digest either, so
//! there is nothing to search against; the digest costs a third of a SHA-256 of the
//! same token (about 80 of the 150–170 ns a repeat verification takes here). Each entry lives
//! until the token expires or for `max_age`, whichever comes first. The table is split
//! into shards, each behind its own lock held only for a lookup or an insert, and
//! bounded: a full shard drops its expired entries, then its oldest.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use std::hash::{BuildHasherDefault, Hasher};

use siphasher::sip128::{Hasher128, SipHasher13};

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

/// A token's digest, as the cache keys it.
pub(crate) type Key = u128;

/// One shard of the table, behind its own lock.
type Shard<T> = Mutex<HashMap<Key, Entry<T>, BuildHasherDefault<Prehashed>>>;

pub(crate) struct VerifiedCache<T = Principal> {
    shards: Vec<Shard<T>>,
    per_shard: usize,
    max_age: Duration,
    secret: (u64, u64),
}

/// The map's hasher: a key is already a keyed digest, so its low 64 bits serve as
/// the hash (the shard is chosen by its top bits, so the two do not overlap).
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u128(&mut self, key: u128) {
        self.0 = key as u64;
    }

    fn write(&mut self, _: &[u8]) {
        // Only `Key`s (u128, through `write_u128`) are hashed with this hasher.
    }
}

/// The shard a key lives in, by its top bits.
fn shard_of(key: Key) -> usize {
    (key >> 120) as usize % SHARDS
}

/// A random SipHash key for one cache.
fn random_secret() -> (u64, u64) {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; 16];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        // The OS refused randomness: std's per-process random keys stand in.
        use std::hash::BuildHasher;
        let state = std::collections::hash_map::RandomState::new();
        return (state.hash_one(0u8), state.hash_one(1u8));
    }
    let (a, b) = bytes.split_at(8);
    let word = |half: &[u8]| u64::from_le_bytes(half.try_into().unwrap_or([0; 8]));
    (word(a), word(b))
}

struct Entry<T> {
    principal: T,
    /// On the [`now_ms`] clock.
    until: u64,
}

/// Milliseconds on a monotonic clock. On Linux the kernel's coarse clock (read from
/// the vDSO in a few nanoseconds, against about twenty for `Instant::now`; it lags by
/// at most a scheduler tick, a few milliseconds, far inside any token's lifetime).
fn now_ms() -> u64 {
    #[cfg(target_os = "linux")]
    if let Ok(now) = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC_COARSE) {
        let (secs, nanos) = (now.tv_sec().max(0) as u64, now.tv_nsec().max(0) as u64);
        return secs.saturating_mul(1000).saturating_add(nanos / 1_000_000);
    }
    static BASE: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = BASE.get_or_init(std::time::Instant::now).elapsed();
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

impl<T: Expiring> VerifiedCache<T> {
    /// The digest `token` is cached under.
    pub(crate) fn key(&self, token: &str) -> Key {
        let mut hasher = SipHasher13::new_with_keys(self.secret.0, self.secret.1);
        hasher.write(token.as_bytes());
        hasher.finish128().as_u128()
    }

    /// Holds at most `capacity` tokens (rounded up to a multiple of the shard count),
    /// each for at most `max_age`. A capacity of 0 caches nothing.
    pub(crate) fn new(capacity: usize, max_age: Duration) -> Self {
        VerifiedCache {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::default()))
                .collect(),
            per_shard: capacity.div_ceil(SHARDS),
            max_age: max_age.min(MAX_AGE_BOUND),
            secret: random_secret(),
        }
    }

    pub(crate) fn get(&self, key: &Key) -> Option<T> {
        let mut shard = lock(&self.shards[shard_of(*key)]);
        let entry = shard.get(key)?;
        if entry.until > now_ms() {
            return Some(entry.principal.clone());
        }
        shard.remove(key);
        None
    }

    pub(crate) fn insert(&self, key: Key, principal: T) {
        if self.per_shard == 0 {
            return;
        }
        let now = now_ms();
        let mut ttl = self.max_age;
        if let Some(expires) = principal.expires_at() {
            match expires.duration_since(SystemTime::now()) {
                Ok(left) => ttl = ttl.min(left),
                Err(_) => return,
            }
        }
        let mut shard = lock(&self.shards[shard_of(key)]);
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
                until: now.saturating_add(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX)),
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
        let key = cache.key("token");
        cache.insert(
            key,
            principal(Some(SystemTime::now() + Duration::from_secs(30))),
        );
        assert_eq!(
            cache.get(&key).map(|p| p.subject().to_owned()),
            Some("alice".into())
        );
        assert!(cache.get(&cache.key("other")).is_none());
        let expired = cache.key("expired");
        cache.insert(
            expired,
            principal(Some(SystemTime::now() - Duration::from_secs(1))),
        );
        assert!(
            cache.get(&expired).is_none(),
            "an expired token is never cached"
        );
        let short = VerifiedCache::new(64, Duration::ZERO);
        let key = short.key("token");
        short.insert(key, principal(None));
        assert!(short.get(&key).is_none(), "max_age bounds every entry");
    }

    #[test]
    fn each_cache_keys_tokens_with_its_own_secret() {
        let one: VerifiedCache = VerifiedCache::new(64, Duration::from_secs(60));
        let two: VerifiedCache = VerifiedCache::new(64, Duration::from_secs(60));
        assert_eq!(one.key("token"), one.key("token"));
        assert_ne!(one.key("token"), one.key("token!"));
        assert_ne!(
            one.key("token"),
            two.key("token"),
            "another cache, another key"
        );
    }

    #[test]
    fn the_table_stays_bounded() {
        let cache = VerifiedCache::new(160, Duration::from_secs(60));
        for i in 0..10_000 {
            cache.insert(cache.key(&format!("token-{i}")), principal(None));
        }
        assert!(cache.len() <= 160, "{}", cache.len());
        let last = cache.key("token-9999");
        assert!(cache.get(&last).is_some(), "the newest entry survives");
    }
}
