//! The `mlharness` command (also `cargo mlharness`): the gate that runs every test of a cargo
//! workspace under cargo-nextest with coverage and ends on one verdict, the git hooks that run
//! it on what is committed, `mlharness init`, and the data verbs built on the `mlharness`
//! library (`schema infer`, `validate`, `config-diff`, `drift`).
//!
//! This crate is the program; its modules are public for its own tests and benchmarks, not as
//! a library API. Tests of a model use the `mlharness` crate.

pub mod cli;
pub mod gate;
pub mod init;
