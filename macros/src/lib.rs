//! Procedural macros of [mlharness](https://docs.rs/mlharness). Use them through the
//! `mlharness` crate, which re-exports them: a project needs only `mlharness` in its
//! `[dev-dependencies]`.
