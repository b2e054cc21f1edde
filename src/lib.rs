//! # mlharness
//!
//! Test machine-learning systems as routinely as `cargo test`: datasets and their splits,
//! models behind one trait, metrics that match scikit-learn, and the naive baselines a model
//! must beat — the core that unit, integration, system, benchmark-score, differential,
//! config-diff, edge-case and drift tests are built on.
//!
//! ```
//! use mlharness::baseline::MostFrequent;
//! use mlharness::data::{Column, Dataset};
//! use mlharness::metrics::Metric;
//! use mlharness::model::Model;
//!
//! let ds = Dataset::from_columns(vec![
//!     ("calls".into(), Column::numeric(vec![1.0, 2.0, 6.0, 7.0])),
//!     ("churn".into(), Column::categorical([Some("no"), Some("no"), Some("yes"), Some("no")])),
//! ])?
//! .with_target("churn")?;
//! let baseline = MostFrequent::fit(&ds)?.predict(&ds)?;
//! assert_eq!(Metric::Accuracy.evaluate(&ds, &baseline)?, 0.75);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod baseline;
pub mod behaviour;
pub mod benchmark;
pub mod budget;
pub mod check;
pub mod config;
pub mod data;
pub mod differential;
pub mod drift;
pub mod edge;
pub mod figure;
pub mod fixtures;
pub mod fs;
#[cfg(feature = "html")]
pub mod html;
pub mod integrity;
pub mod kind;
mod macros;
pub mod metrics;
pub mod model;
mod order;
mod par;
pub mod pipeline;
pub mod schema;
pub mod shadow;
pub mod stats;
#[cfg(feature = "proptest")]
pub mod strategy;
#[cfg(feature = "system")]
pub mod system;
pub mod table;
pub mod transform;

pub mod prelude;

/// What the macros expand to, kept apart from the API (insta's pattern): nothing here is
/// covered by semver.
#[doc(hidden)]
pub mod _macro_support {
    pub use crate::check::{enforce, fail_with_evidence};
    /// Each oddity under its name, so `edge_cases!` can check the names it is given.
    pub use crate::edge::oddity::oddity_names;
    pub use crate::macros::shared;
    // `assert_config_snapshot!` expands to `$crate::_macro_support::insta::…`: users need no
    // insta dependency.
    #[cfg(feature = "snapshot")]
    pub use crate::config::snapshot::snapshot_text;
    #[cfg(feature = "snapshot")]
    pub use insta;
}

/// The README's examples, compiled and run as doc-tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
