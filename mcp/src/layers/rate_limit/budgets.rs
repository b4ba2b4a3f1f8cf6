//! Where budgets live: the [`Budgets`] trait (what a shared backend such as Redis
//! would implement), and [`LocalBudgets`], governor's GCRA in this process.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota as GcraQuota, RateLimiter};

use super::caller::CallerKey;
use super::clock::AdmissionClock;
use super::store::BoundedStore;
use crate::server::{Quota, TargetKind};

/// Which budget a call is charged to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BudgetKey<'a> {
    /// The server's, shared by everyone.
    Global,
    /// One caller's.
    Caller(&'a CallerKey),
    /// One tool's (prompt's, resource's), shared by every caller.
    Target(TargetKind, &'a str),
    /// One caller's on one tool (prompt, resource).
    CallerOnTarget(&'a CallerKey, TargetKind, &'a str),
}

/// Keeps budgets: spends one call from a key's budget under a quota, or says how long
/// until the key has one again. Implemented in this process by [`LocalBudgets`]; a
/// fleet of servers sharing budgets implements it over a shared store.
pub trait Budgets: Send + Sync + 'static {
    /// Spends one call of `key`'s budget under `quota`; `Err(wait)` when none is left.
    fn spend(&self, key: &BudgetKey<'_>, quota: Quota) -> Result<(), Duration>;
}

type Direct = RateLimiter<NotKeyed, InMemoryState, AdmissionClock, NoOpMiddleware<Nanos>>;
type Keyed = RateLimiter<CallerKey, BoundedStore<CallerKey>, AdmissionClock, NoOpMiddleware<Nanos>>;

/// Budgets in this process: GCRA (governor), one atomic state per budget, a bounded
/// table of states per keyed limit (see [`LocalBudgets::new`]).
pub struct LocalBudgets {
    clock: AdmissionClock,
    max_callers: usize,
    /// The global and per-caller budgets under the first quota asked for (the one
    /// the layer was configured with): read without a lock.
    global: OnceLock<(Quota, Direct)>,
    callers: OnceLock<(Quota, Keyed)>,
    /// The same budgets under any other quota (a `Budgets` user that varies it).
    other_global: RwLock<HashMap<Quota, Direct>>,
    other_callers: RwLock<HashMap<Quota, Keyed>>,
    /// Per target name: the shared and the per-caller limiters of each kind.
    targets: RwLock<HashMap<Arc<str>, Vec<TargetLimits>, foldhash::fast::RandomState>>,
}

struct TargetLimits {
    kind: TargetKind,
    shared: Option<(Quota, Direct)>,
    per_caller: Option<(Quota, Keyed)>,
}

impl std::fmt::Debug for LocalBudgets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalBudgets")
            .field("max_callers", &self.max_callers)
            .finish_non_exhaustive()
    }
}

impl LocalBudgets {
    /// Budgets whose per-caller tables hold at most `max_callers` callers each; past
    /// that, the callers closest to a full budget are forgotten first (which can give
    /// one back at most part of its burst).
    pub fn new(max_callers: usize) -> Self {
        LocalBudgets {
            clock: AdmissionClock,
            max_callers,
            global: OnceLock::new(),
            callers: OnceLock::new(),
            other_global: RwLock::new(HashMap::new()),
            other_callers: RwLock::new(HashMap::new()),
            targets: RwLock::new(HashMap::default()),
        }
    }

    /// How many callers the per-caller table holds now (for tests and gauges).
    pub fn tracked_callers(&self) -> usize {
        self.callers.get().map_or(0, |(_, keyed)| keyed.len())
    }

    fn wait(&self, until: governor::NotUntil<<AdmissionClock as Clock>::Instant>) -> Duration {
        until.wait_time_from(self.clock.now())
    }

    fn direct(&self, quota: Quota) -> Direct {
        RateLimiter::direct_with_clock(gcra(quota), self.clock)
    }

    fn keyed(&self, quota: Quota) -> Keyed {
        RateLimiter::new(gcra(quota), BoundedStore::new(self.max_callers), self.clock)
    }

    fn spend_global(&self, quota: Quota) -> Result<(), Duration> {
        let (held, limiter) = self.global.get_or_init(|| (quota, self.direct(quota)));
        if *held == quota {
            return limiter.check().map_err(|until| self.wait(until));
        }
        if let Some(limiter) = read(&self.other_global).get(&quota) {
            return limiter.check().map_err(|until| self.wait(until));
        }
        let mut others = write(&self.other_global);
        let limiter = others.entry(quota).or_insert_with(|| self.direct(quota));
        limiter.check().map_err(|until| self.wait(until))
    }

    fn spend_caller(&self, caller: &CallerKey, quota: Quota) -> Result<(), Duration> {
        let (held, keyed) = self.callers.get_or_init(|| (quota, self.keyed(quota)));
        if *held == quota {
            return keyed.check_key(caller).map_err(|until| self.wait(until));
        }
        if let Some(keyed) = read(&self.other_callers).get(&quota) {
            return keyed.check_key(caller).map_err(|until| self.wait(until));
        }
        let mut others = write(&self.other_callers);
        let keyed = others.entry(quota).or_insert_with(|| self.keyed(quota));
        keyed.check_key(caller).map_err(|until| self.wait(until))
    }

    fn spend_target(
        &self,
        kind: TargetKind,
        name: &str,
        caller: Option<&CallerKey>,
        quota: Quota,
    ) -> Result<(), Duration> {
        {
            let targets = read(&self.targets);
            let limits = targets
                .get(name)
                .and_then(|all| all.iter().find(|limits| limits.kind == kind));
            if let Some(outcome) =
                limits.and_then(|limits| self.check_target(limits, caller, quota))
            {
                return outcome;
            }
        }
        let mut targets = write(&self.targets);
        let all = targets.entry(Arc::from(name)).or_default();
        let at = match all.iter().position(|limits| limits.kind == kind) {
            Some(at) => at,
            None => {
                all.push(TargetLimits {
                    kind,
                    shared: None,
                    per_caller: None,
                });
                all.len() - 1
            }
        };
        let limits = &mut all[at];
        // Another call may have made it between the two locks: keep its state.
        match caller {
            Some(_) if limits.per_caller.as_ref().is_none_or(|(q, _)| *q != quota) => {
                limits.per_caller = Some((quota, self.keyed(quota)))
            }
            None if limits.shared.as_ref().is_none_or(|(q, _)| *q != quota) => {
                limits.shared = Some((quota, self.direct(quota)))
            }
            _ => {}
        }
        self.check_target(limits, caller, quota).unwrap_or(Ok(()))
    }

    /// The outcome with the limiter held for `quota`, if one is.
    fn check_target(
        &self,
        limits: &TargetLimits,
        caller: Option<&CallerKey>,
        quota: Quota,
    ) -> Option<Result<(), Duration>> {
        match caller {
            Some(caller) => {
                let (_, keyed) = limits.per_caller.as_ref().filter(|(q, _)| *q == quota)?;
                Some(keyed.check_key(caller).map_err(|until| self.wait(until)))
            }
            None => {
                let (_, direct) = limits.shared.as_ref().filter(|(q, _)| *q == quota)?;
                Some(direct.check().map_err(|until| self.wait(until)))
            }
        }
    }
}

impl Budgets for LocalBudgets {
    fn spend(&self, key: &BudgetKey<'_>, quota: Quota) -> Result<(), Duration> {
        match key {
            BudgetKey::Global => self.spend_global(quota),
            BudgetKey::Caller(caller) => self.spend_caller(caller, quota),
            BudgetKey::Target(kind, name) => self.spend_target(*kind, name, None, quota),
            BudgetKey::CallerOnTarget(caller, kind, name) => {
                self.spend_target(*kind, name, Some(caller), quota)
            }
        }
    }
}

/// governor's quota for ours: one call back every `period / count`, bursts of `burst`.
fn gcra(quota: Quota) -> GcraQuota {
    let burst = NonZeroU32::new(quota.burst()).unwrap_or(NonZeroU32::MIN);
    GcraQuota::with_period(quota.replenish_interval())
        .unwrap_or_else(|| GcraQuota::per_second(NonZeroU32::MAX))
        .allow_burst(burst)
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_distinct_callers_stay_within_the_cap() {
        let budgets = LocalBudgets::new(10_000);
        let quota = Quota::new(1, Duration::from_secs(60));
        for i in 0..1_000_000u32 {
            let caller = CallerKey::Custom(i.to_string().into());
            assert_eq!(budgets.spend(&BudgetKey::Caller(&caller), quota), Ok(()));
        }
        let tracked = budgets.tracked_callers();
        assert!(
            (5_000..=10_000).contains(&tracked),
            "{tracked} callers tracked"
        );
        // A caller still tracked keeps its spent budget.
        let last = CallerKey::Custom("999999".into());
        assert!(budgets.spend(&BudgetKey::Caller(&last), quota).is_err());
    }

    #[test]
    fn each_budget_is_its_own() {
        let budgets = LocalBudgets::new(100);
        let quota = Quota::new(1, Duration::from_secs(60));
        let (a, b) = (CallerKey::Custom("a".into()), CallerKey::Custom("b".into()));
        assert_eq!(budgets.spend(&BudgetKey::Caller(&a), quota), Ok(()));
        let wait = budgets
            .spend(&BudgetKey::Caller(&a), quota)
            .expect_err("spent");
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert_eq!(budgets.spend(&BudgetKey::Caller(&b), quota), Ok(()));
        let tool = BudgetKey::Target(TargetKind::Tool, "add");
        assert_eq!(budgets.spend(&tool, quota), Ok(()));
        assert!(budgets.spend(&tool, quota).is_err());
        let prompt = BudgetKey::Target(TargetKind::Prompt, "add");
        assert_eq!(
            budgets.spend(&prompt, quota),
            Ok(()),
            "a prompt named like a tool is another budget"
        );
        let on_tool = BudgetKey::CallerOnTarget(&a, TargetKind::Tool, "add");
        assert_eq!(budgets.spend(&on_tool, quota), Ok(()));
        assert!(budgets.spend(&on_tool, quota).is_err());
        assert_eq!(
            budgets.spend(
                &BudgetKey::CallerOnTarget(&b, TargetKind::Tool, "add"),
                quota
            ),
            Ok(())
        );
        // A new quota for the same budget takes effect (a re-registered tool).
        assert_eq!(
            budgets.spend(&tool, Quota::new(5, Duration::from_secs(60))),
            Ok(())
        );
    }
}
