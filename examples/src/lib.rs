//! Shared bits of the boltmcp examples.
