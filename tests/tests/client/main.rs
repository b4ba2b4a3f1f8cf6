//! `boltmcp::client` against boltmcp's own server in process (both eras), and against
//! scripted bad servers on a pipe.

#[path = "../server/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

mod bad_servers;
mod calls;
mod http;
mod refusals;
mod standalone;
mod streams;
