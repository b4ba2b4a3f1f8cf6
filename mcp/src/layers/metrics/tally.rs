//! [`Tally`]: one series' counts kept in this process, sharded by thread, and handed
//! to the recorder's handles when the exposition is rendered.
//!
//! Recording straight into `metrics-exporter-prometheus` handles costs about a dozen
//! atomic read-modify-writes per request, every one on a cache line that all worker
//! threads serving the same tool share (a counter and its generation, the gauge twice,
//! a histogram sample buffer), and a clock read per histogram sample. A tally spends
//! about four uncontended ones on the calling thread's own shard; a scrape sums the
//! shards. The histogram keeps Prometheus' own shape (a count and a sum per bucket),
//! and reaches the recorder as one `record_many` per bucket with the bucket's mean,
//! which lands in the same bucket, so the exposition's counts are exact and its sum
//! is the sum of the samples.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram};

use super::labels::{self, CAUSES};
use super::prometheus::DURATION_BUCKETS;
use crate::server::Outcome;

/// Buckets, `+Inf` included.
const BUCKETS: usize = DURATION_BUCKETS.len() + 1;

/// The bucket bounds in nanoseconds.
const BOUNDS_NS: [u64; DURATION_BUCKETS.len()] = {
    let mut bounds = [0u64; DURATION_BUCKETS.len()];
    let mut at = 0;
    while at < bounds.len() {
        bounds[at] = (DURATION_BUCKETS[at] * 1e9) as u64;
        at += 1;
    }
    bounds
};

/// Most shards a tally has: more threads share them.
const MAX_SHARDS: usize = 16;

/// One thread's counts, on cache lines of its own.
#[repr(align(128))]
#[derive(Default)]
struct Shard {
    /// Requests begun; less those ended (`requests`), the ones in flight.
    begun: AtomicU64,
    requests: AtomicU64,
    tool_errors: AtomicU64,
    cancelled: AtomicU64,
    refusals: [AtomicU64; CAUSES.len()],
    counts: [AtomicU64; BUCKETS],
    sums_ns: [AtomicU64; BUCKETS],
}

/// A series' counts, by thread shard.
pub(super) struct Tally {
    shards: Box<[Shard]>,
}

/// The handles a tally is handed to.
pub(super) struct Handles<'a> {
    pub(super) requests: &'a Counter,
    pub(super) tool_errors: &'a Counter,
    pub(super) cancelled: &'a Counter,
    pub(super) refusals: &'a [Counter; CAUSES.len()],
    pub(super) in_flight: &'a Gauge,
    pub(super) duration: &'a Histogram,
}

impl Tally {
    pub(super) fn new() -> Self {
        let threads = std::thread::available_parallelism().map_or(4, |n| n.get());
        let shards = threads.next_power_of_two().min(MAX_SHARDS);
        Tally {
            shards: (0..shards).map(|_| Shard::default()).collect(),
        }
    }

    fn shard(&self) -> &Shard {
        thread_local! {
            static INDEX: usize = {
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                NEXT.fetch_add(1, Relaxed)
            };
        }
        let index = INDEX.with(|index| *index);
        &self.shards[index & (self.shards.len() - 1)]
    }

    pub(super) fn begin(&self) {
        self.shard().begun.fetch_add(1, Relaxed);
    }

    /// A request has ended as `outcome`, `elapsed` after it began when it is timed.
    pub(super) fn end(&self, outcome: Outcome, elapsed: Option<Duration>) {
        let shard = self.shard();
        shard.requests.fetch_add(1, Relaxed);
        match outcome {
            Outcome::ToolError => shard.tool_errors.fetch_add(1, Relaxed),
            Outcome::Refused(kind) => shard.refusals[labels::cause(kind)].fetch_add(1, Relaxed),
            Outcome::Cancelled => shard.cancelled.fetch_add(1, Relaxed),
            _ => 0,
        };
        if let Some(elapsed) = elapsed {
            let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
            let bucket = BOUNDS_NS.partition_point(|bound| *bound < nanos);
            shard.sums_ns[bucket].fetch_add(nanos, Relaxed);
            shard.counts[bucket].fetch_add(1, Relaxed);
        }
    }

    /// Hands the counts to `handles`: totals as absolute values, in-flight as the
    /// gauge's value, and the samples since the last sync as one `record_many` per
    /// bucket.
    pub(super) fn sync(&self, handles: Handles<'_>) {
        let total = |field: fn(&Shard) -> &AtomicU64| {
            self.shards
                .iter()
                .map(|s| field(s).load(Relaxed))
                .sum::<u64>()
        };
        // Ended before begun is read: a request between the two reads counts as in
        // flight, never as less than none.
        let ended = total(|s| &s.requests);
        let begun = total(|s| &s.begun);
        handles.requests.absolute(ended);
        handles.tool_errors.absolute(total(|s| &s.tool_errors));
        handles.cancelled.absolute(total(|s| &s.cancelled));
        for (cause, counter) in handles.refusals.iter().enumerate() {
            let refused = self.shards.iter().map(|s| s.refusals[cause].load(Relaxed));
            counter.absolute(refused.sum());
        }
        handles.in_flight.set(begun.saturating_sub(ended) as f64);
        for bucket in 0..BUCKETS {
            let (mut count, mut sum_ns) = (0u64, 0u64);
            for shard in self.shards.iter() {
                count += shard.counts[bucket].swap(0, Relaxed);
                sum_ns = sum_ns.saturating_add(shard.sums_ns[bucket].swap(0, Relaxed));
            }
            if count > 0 {
                let mean = mean_in_bucket(bucket, sum_ns, count);
                handles
                    .duration
                    .record_many(mean, usize::try_from(count).unwrap_or(usize::MAX));
            }
        }
    }
}

/// The mean of `count` samples summing to `sum_ns`, in seconds, kept inside
/// `bucket`'s bounds: a sample recorded between the two swaps of a sync can move the
/// mean, never the count.
fn mean_in_bucket(bucket: usize, sum_ns: u64, count: u64) -> f64 {
    let mean = sum_ns as f64 / count as f64 / 1e9;
    let above = match bucket {
        0 => 0.0,
        _ => DURATION_BUCKETS[bucket - 1].next_up(),
    };
    match DURATION_BUCKETS.get(bucket) {
        Some(upper) => mean.clamp(above, *upper),
        None => mean.max(above),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_mean_stays_in_its_bucket() {
        for (bucket, upper) in DURATION_BUCKETS.iter().enumerate() {
            // All at the upper bound (inclusive), and all just above the lower one.
            let at_upper = mean_in_bucket(bucket, BOUNDS_NS[bucket] * 3, 3);
            assert!(at_upper <= *upper, "{at_upper} > {upper}");
            if bucket > 0 {
                let low = mean_in_bucket(bucket, (BOUNDS_NS[bucket - 1] + 1) * 2, 2);
                assert!(low > DURATION_BUCKETS[bucket - 1], "{low}");
            }
        }
        let past = mean_in_bucket(BUCKETS - 1, 120_000_000_000, 1);
        assert_eq!(past, 120.0);
    }

    #[test]
    fn a_duration_on_a_bound_is_in_that_bucket() {
        assert_eq!(BOUNDS_NS[0], 100_000);
        assert_eq!(BOUNDS_NS[BOUNDS_NS.len() - 1], 60_000_000_000);
        let tally = Tally::new();
        tally.end(Outcome::Result, Some(Duration::from_micros(100)));
        tally.end(Outcome::Result, Some(Duration::from_micros(101)));
        let shard = tally.shard();
        assert_eq!(shard.counts[0].load(Relaxed), 1);
        assert_eq!(shard.counts[1].load(Relaxed), 1);
    }
}
