//! Server-side auth end to end: the attack battery over real HTTP (each case answered
//! with the status, challenge and body the spec names, and the server serving the next
//! honest request), the same scopes on stdio-style connections, and the bindings of
//! sessions, `requestState` and tasks to their principal.

mod http;
mod https_jwks;
mod stdio;
mod support;
