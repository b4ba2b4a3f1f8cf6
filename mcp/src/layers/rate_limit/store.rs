//! A bounded table of GCRA states for governor's keyed limiters.
//!
//! governor keeps one "theoretical arrival time" (TAT) per key and never forgets a
//! key on its own; a server facing a million distinct callers would grow without
//! bound. This store splits its table into shards, each holding at most its share of
//! the cap. A new key arriving at a full shard first drops the half of the shard
//! whose TATs are lowest: those callers are the closest to a fresh budget (a TAT in
//! the past is exactly a fresh one), so forgetting them gives back at most part of a
//! burst, never more. The drop is a linear pass over the shard once per half a
//! shard's worth of new keys, so each insert stays O(1) amortised.

use std::hash::{BuildHasher, Hash};
use std::sync::Mutex;

use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::ShrinkableKeyedStateStore;
use hashbrown::HashTable;

use crate::sync::lock;

const SHARDS: usize = 16;

/// A sharded, bounded map from key to TAT. A key is hashed once: the top bits pick
/// the shard, the whole hash finds the entry.
pub(super) struct BoundedStore<K> {
    shards: Vec<Mutex<HashTable<(K, u64)>>>,
    per_shard: usize,
    hasher: foldhash::fast::RandomState,
}

impl<K: Hash + Eq + Clone> BoundedStore<K> {
    /// Holds at most `capacity` keys (at least one per shard).
    pub(super) fn new(capacity: usize) -> Self {
        BoundedStore {
            shards: (0..SHARDS).map(|_| Mutex::new(HashTable::new())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// How many keys the table holds now.
    pub(super) fn len(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).len()).sum()
    }

    /// The most keys it ever holds.
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.per_shard * SHARDS
    }
}

impl<K: Hash + Eq + Clone> StateStore for BoundedStore<K> {
    type Key = K;

    fn measure_and_replace<T, F, E>(&self, key: &K, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let hash = self.hasher.hash_one(key);
        let mut table = lock(&self.shards[shard_of(hash)]);
        if let Some((_, tat)) = table.find_mut(hash, |(held, _)| held == key) {
            let (outcome, next) = f(Some(Nanos::from(*tat)))?;
            *tat = next.as_u64();
            return Ok(outcome);
        }
        let (outcome, next) = f(None)?;
        if table.len() >= self.per_shard {
            forget_least_limited(&mut table);
        }
        let hasher = &self.hasher;
        table.insert_unique(hash, (key.clone(), next.as_u64()), |(held, _)| {
            hasher.hash_one(held)
        });
        Ok(outcome)
    }
}

impl<K: Hash + Eq + Clone> ShrinkableKeyedStateStore<K> for BoundedStore<K> {
    fn retain_recent(&self, drop_below: Nanos) {
        let drop_below = drop_below.as_u64();
        for shard in &self.shards {
            lock(shard).retain(|(_, tat)| *tat >= drop_below);
        }
    }

    fn len(&self) -> usize {
        BoundedStore::len(self)
    }

    fn is_empty(&self) -> bool {
        self.shards.iter().all(|shard| lock(shard).is_empty())
    }
}

/// The shard of a key's hash: its top bits (the table probes with the low ones).
fn shard_of(hash: u64) -> usize {
    (hash >> 60) as usize % SHARDS
}

/// Drops the half of `table` with the lowest TATs.
fn forget_least_limited<K>(table: &mut HashTable<(K, u64)>) {
    let mut tats: Vec<u64> = table.iter().map(|(_, tat)| *tat).collect();
    let remove = tats.len() / 2;
    if remove == 0 {
        table.clear();
        return;
    }
    // The largest of the `remove` lowest TATs: every lower one goes, then equal ones
    // until `remove` are gone.
    let threshold = *tats.select_nth_unstable(remove - 1).1;
    let mut removed = 0;
    table.retain(|(_, tat)| {
        let drop = *tat < threshold;
        removed += usize::from(drop);
        !drop
    });
    table.retain(|(_, tat)| {
        let drop = removed < remove && *tat == threshold;
        removed += usize::from(drop);
        !drop
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(store: &BoundedStore<u64>, key: u64, tat: u64) {
        let _: Result<(), ()> = store.measure_and_replace(&key, |_| Ok(((), Nanos::from(tat))));
    }

    #[test]
    fn a_million_distinct_keys_stay_within_the_cap() {
        let store = BoundedStore::new(10_000);
        for key in 0..1_000_000u64 {
            touch(&store, key, key);
            if key % 100_000 == 0 {
                assert!(store.len() <= store.capacity(), "{} keys", store.len());
            }
        }
        assert!(store.len() <= store.capacity());
        assert!(
            store.len() >= store.capacity() / 2,
            "pruning keeps the busier half"
        );
    }

    #[test]
    fn the_most_limited_callers_are_kept() {
        let store = BoundedStore::new(SHARDS * 8);
        // One caller far in debt (a TAT far in the future), then a flood of fresh ones.
        touch(&store, u64::MAX, u64::MAX / 2);
        for key in 0..10_000u64 {
            touch(&store, key, key % 100);
        }
        let hash = store.hasher.hash_one(u64::MAX);
        let shard = lock(&store.shards[shard_of(hash)]);
        let kept = shard
            .find(hash, |(key, _)| *key == u64::MAX)
            .map(|(_, tat)| *tat);
        assert_eq!(kept, Some(u64::MAX / 2));
    }
}
