//! [`RateLimitLayer`]: the limits a server enforces, checked as a [`Gate`] before each
//! request runs (so synchronous tools keep their fast path), answered with a refusal
//! that is a 429 with `Retry-After` over HTTP and -32029 with `data.retryAfterMs`
//! elsewhere.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::budgets::{BudgetKey, Budgets, LocalBudgets};
use super::caller::{CallerKey, CallerKeyFn, caller_of};
use crate::server::{Gate, GateRequest, Quota, Refusal, Target, TargetKind};

/// The default cap on callers tracked per keyed limit.
pub const DEFAULT_MAX_CALLERS: usize = 100_000;

/// Rate limits on governor's GCRA, installed with
/// [`Server::gate`](crate::server::Server::gate):
///
/// ```
/// # use boltmcp::server::{Quota, Server};
/// use boltmcp::layers::rate_limit::RateLimitLayer;
/// let limits = RateLimitLayer::builder()
///     .per_caller(Quota::parse("600/min burst 20")?)
///     .global(Quota::parse("5000/s")?)
///     .build();
/// let server = Server::builder("calc", "1.0").build().gate(limits);
/// # Ok::<(), boltmcp::server::QuotaError>(())
/// ```
///
/// Each request is charged, in this order, to its caller's budget, to its caller's
/// budget on the target (where configured), to the target's shared budget (a tool's
/// `#[tool(rate_limit = "..")]`, or [`RateLimitBuilder::tool`]), then to the global
/// one; the first that is spent refuses it, so a caller who floods spends its own
/// budget and not everyone's. Targets are charged only by the requests that run them
/// (`tools/call`, `prompts/get`, `resources/read`). A 2026-07-28 retry that answers
/// an input request (it carries `requestState`) is the same call and is not charged
/// again.
#[derive(Clone)]
pub struct RateLimitLayer {
    inner: Arc<Settings>,
}

struct Settings {
    budgets: Arc<dyn Budgets>,
    per_caller: Option<Quota>,
    global: Option<Quota>,
    /// Configured quotas, by target name and then kind: looked up by `&str`.
    targets: HashMap<String, Vec<(TargetKind, Quota)>, foldhash::fast::RandomState>,
    per_caller_on_targets: bool,
    caller_key: Option<CallerKeyFn>,
}

impl std::fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("per_caller", &self.inner.per_caller)
            .field("global", &self.inner.global)
            .field("targets", &self.inner.targets)
            .field("per_caller_on_targets", &self.inner.per_caller_on_targets)
            .finish_non_exhaustive()
    }
}

impl RateLimitLayer {
    /// Configures the limits.
    pub fn builder() -> RateLimitBuilder {
        RateLimitBuilder {
            settings: Settings {
                budgets: Arc::new(LocalBudgets::new(DEFAULT_MAX_CALLERS)),
                per_caller: None,
                global: None,
                targets: HashMap::default(),
                per_caller_on_targets: false,
                caller_key: None,
            },
            max_callers: DEFAULT_MAX_CALLERS,
            custom_budgets: false,
        }
    }

    /// The quota on `target`: configured, else declared on it.
    fn target_quota(&self, target: &Target) -> Option<Quota> {
        self.inner
            .targets
            .get(target.name())
            .and_then(|kinds| kinds.iter().find(|(kind, _)| *kind == target.kind()))
            .map(|(_, quota)| *quota)
            .or_else(|| target.meta().and_then(|meta| meta.rate_limit))
    }

    fn charge(
        &self,
        key: BudgetKey<'_>,
        quota: Quota,
        what: impl FnOnce() -> String,
    ) -> Result<(), Refusal> {
        self.inner
            .budgets
            .spend(&key, quota)
            .map_err(|wait| Refusal::rate_limited(round_up(wait), format!("{quota} {}", what())))
    }
}

/// Runs a target: the requests that spend a target's budget.
fn runs_target(method: &str) -> bool {
    matches!(method, "tools/call" | "prompts/get" | "resources/read")
}

impl Gate for RateLimitLayer {
    fn admit(&self, request: &mut GateRequest<'_>) -> Result<(), Refusal> {
        if request.is_input_retry() {
            return Ok(());
        }
        let _one_clock_reading = super::clock::Admission::begin();
        let settings = &self.inner;
        let target = request
            .target()
            .filter(|_| runs_target(request.method()))
            .and_then(|target| Some((target, self.target_quota(target)?)));
        let needs_caller =
            settings.per_caller.is_some() || (settings.per_caller_on_targets && target.is_some());
        let caller = needs_caller.then(|| caller_of(request, settings.caller_key.as_ref()));
        if let (Some(quota), Some(caller)) = (settings.per_caller, &caller) {
            self.charge(BudgetKey::Caller(caller), quota, || caller.to_string())?;
        }
        if let Some((target, quota)) = target {
            let (kind, name) = (target.kind(), target.name());
            match (&caller, settings.per_caller_on_targets) {
                (Some(caller), true) => {
                    self.charge(BudgetKey::CallerOnTarget(caller, kind, name), quota, || {
                        format!("{caller} for {} {name}", noun(kind))
                    })?
                }
                _ => self.charge(BudgetKey::Target(kind, name), quota, || {
                    format!("for {} {name}", noun(kind))
                })?,
            }
        }
        if let Some(quota) = settings.global {
            self.charge(BudgetKey::Global, quota, || "for this server".into())?;
        }
        Ok(())
    }
}

fn noun(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Tool => "tool",
        TargetKind::Prompt => "prompt",
        TargetKind::Resource => "resource",
        _ => "resource template",
    }
}

/// Whole milliseconds, rounded up, and at least one: a client told to wait zero
/// would ask again at once and be refused again.
fn round_up(wait: Duration) -> Duration {
    let millis = wait.as_nanos().div_ceil(1_000_000).max(1);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

/// Builds a [`RateLimitLayer`].
#[must_use = "a builder does nothing until .build()"]
pub struct RateLimitBuilder {
    settings: Settings,
    max_callers: usize,
    custom_budgets: bool,
}

impl std::fmt::Debug for RateLimitBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitBuilder")
            .field("max_callers", &self.max_callers)
            .finish_non_exhaustive()
    }
}

impl RateLimitBuilder {
    /// Every caller's own budget, over every request it makes. Callers are told
    /// apart by verified principal, else legacy session, else IP address (see
    /// [`CallerKey`]), or by [`caller_key`](Self::caller_key).
    pub fn per_caller(mut self, quota: Quota) -> Self {
        self.settings.per_caller = Some(quota);
        self
    }

    /// One budget for the whole server.
    pub fn global(mut self, quota: Quota) -> Self {
        self.settings.global = Some(quota);
        self
    }

    /// A budget for tool `name` (one defined at runtime, or to override its
    /// `#[tool(rate_limit = "..")]`).
    pub fn tool(self, name: impl Into<String>, quota: Quota) -> Self {
        self.target(TargetKind::Tool, name, quota)
    }

    /// A budget for prompt `name`.
    pub fn prompt(self, name: impl Into<String>, quota: Quota) -> Self {
        self.target(TargetKind::Prompt, name, quota)
    }

    /// A budget for the resource at `uri`, or for every URI of the template
    /// `uri_template` (given as registered: `files://{path}`).
    pub fn resource(self, uri_or_template: impl Into<String>, quota: Quota) -> Self {
        let name = uri_or_template.into();
        let kind = if name.contains('{') {
            TargetKind::ResourceTemplate
        } else {
            TargetKind::Resource
        };
        self.target(kind, name, quota)
    }

    fn target(mut self, kind: TargetKind, name: impl Into<String>, quota: Quota) -> Self {
        let kinds = self.settings.targets.entry(name.into()).or_default();
        kinds.retain(|(held, _)| *held != kind);
        kinds.push((kind, quota));
        self
    }

    /// Makes every target's quota a budget per caller on that target, instead of one
    /// the target's callers share.
    pub fn per_caller_on_each_target(mut self) -> Self {
        self.settings.per_caller_on_targets = true;
        self
    }

    /// Names callers with `key` (an API key header, a tenant); `None` for a request
    /// falls back to the default rules.
    pub fn caller_key(
        mut self,
        key: impl Fn(&GateRequest<'_>) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.settings.caller_key = Some(Arc::new(key));
        self
    }

    /// At most this many callers are tracked per keyed limit (100,000 by default). At
    /// the cap, the callers closest to a full budget are
    /// forgotten first, which can give one back at most part of its burst.
    pub fn max_callers(mut self, max: usize) -> Self {
        self.max_callers = max;
        self
    }

    /// Keeps budgets in `budgets` instead of this process (a store shared by a fleet).
    pub fn budgets(mut self, budgets: Arc<dyn Budgets>) -> Self {
        self.settings.budgets = budgets;
        self.custom_budgets = true;
        self
    }

    /// The layer.
    pub fn build(mut self) -> RateLimitLayer {
        if !self.custom_budgets {
            self.settings.budgets = Arc::new(LocalBudgets::new(self.max_callers));
        }
        RateLimitLayer {
            inner: Arc::new(self.settings),
        }
    }
}

impl CallerKey {
    /// The caller [`RateLimitLayer`] would charge for `request`.
    pub fn of(request: &GateRequest<'_>) -> CallerKey {
        caller_of(request, None)
    }
}
