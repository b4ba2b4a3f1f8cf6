//! # boltmcp
//!
//! A Model Context Protocol SDK: write a plain function, put `#[tool]` on it, and
//! serve it to any MCP client of either protocol era.
#![forbid(unsafe_code)]

pub mod protocol;
