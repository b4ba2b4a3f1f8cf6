//! Behaviour of the server core over the in-memory transport, in both eras.

mod capabilities;
mod errors;
mod fastpath;
mod fixtures;
mod layers;
mod legacy;
mod modern;
mod robustness;
mod spans;
mod tasks;
mod validation;
