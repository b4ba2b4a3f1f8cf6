//! Rate limits (`rate-limit` feature): GCRA on `governor`, per caller, per tool
//! (prompt, resource), per caller on each tool, and global, as one [`RateLimitLayer`].
//!
//! - [`Quota`](crate::server::Quota): `"10/s"`, `"600/min burst 20"`, checked at compile
//!   time in `#[tool(rate_limit = "..")]`.
//! - [`CallerKey`]: who a per-caller budget belongs to.
//! - [`Budgets`]: where budgets live; [`LocalBudgets`] keeps them in this process, in
//!   tables bounded by [`RateLimitBuilder::max_callers`].
//!
//! A refusal is [`Refusal::rate_limited`](crate::server::Refusal::rate_limited): HTTP
//! 429 with `Retry-After` in whole seconds, rounded up; -32029 with
//! `data.retryAfterMs` and `data.limit` on stdio and in memory. The client reads either
//! as [`ClientError::retry_after`](crate::client::ClientError::retry_after).

mod budgets;
mod caller;
mod clock;
mod layer;
mod store;

pub use budgets::{BudgetKey, Budgets, LocalBudgets};
pub use caller::{CallerKey, CallerKeyFn};
pub use layer::{DEFAULT_MAX_CALLERS, RateLimitBuilder, RateLimitLayer};
