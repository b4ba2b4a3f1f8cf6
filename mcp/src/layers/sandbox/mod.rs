//! Sandboxed tools (feature `sandbox`, Linux): `#[tool(sandbox)]` runs in a warm
//! worker process confined by the kernel, never in the server's process.
//!
//! - [`init`]: the first call in `main`; in a worker process it never returns.
//!   An interpreter that embeds boltmcp uses [`init_program`] and [`serve_worker`]
//!   instead ([`WorkerProgram`]).
//! - [`Sandbox`]: the policies and pools a server's sandboxed tools run under,
//!   installed with [`Server::sandbox`](crate::server::Server::sandbox).
//! - [`SandboxPolicy`]: limits and allowances, safe by default.
//! - [`SandboxedCommand`]: an external program under the same confinement.
//! - [`Failure`]: how a sandboxed call can fail; each becomes an `isError` result
//!   naming its cause.
//!
//! A worker is this binary again (`/proc/self/exe`), confined before any thread
//! exists: its inherited descriptors closed, `PR_SET_PDEATHSIG`, its own network,
//! IPC and UTS namespaces (and user namespace when not root), rlimits, its own user
//! when started as root, no capabilities, landlock, then seccomp. It serves the
//! server's own tools over its stdin and stdout with boltmcp's engine, one call at a
//! time, and the parent's watchdog kills its process group past the wall-clock limit.

mod audit;
mod command;
mod confine;
mod dispatch;
mod embed;
mod entry;
mod failure;
mod launcher;
mod metrics;
mod policy;
mod pool;
mod worker;
mod worker_side;

pub use command::{CommandOutput, DEFAULT_MAX_OUTPUT, SandboxedCommand};
pub use dispatch::{Sandbox, SandboxError};
pub use embed::{WORKER_MARKER, WorkerProgram, init_program, serve_worker};
pub use entry::init;
pub use failure::Failure;
pub use policy::SandboxPolicy;

pub(crate) use entry::worker_state;
pub(crate) use worker_side::in_worker;
