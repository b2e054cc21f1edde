//! Config-diff tests: the configuration in use against the one in version control.
//!
//! A changed loss, learning rate or feature list ships a different model, and two things make
//! a naive file diff miss it: defaults built into the code (a key absent from the file still
//! has a value) and configs that pass through a shell (variables expanded before use). This
//! module loads TOML, JSON and YAML into one [`Value`] tree with a layer of defaults under the
//! file and `${VAR}` expanded ([`Loader`]), [`diff`]s two trees path by path (`model.loss`,
//! `features[3]`), checks [`Rules`] (allowed values, ranges, required and forbidden keys, one
//! path equal to another), and reports both as a small table or JSON ([`ConfigReport`]).
//! [`ConfigCheck`] puts it together; [`config_diff!`](crate::config_diff) turns checks into
//! named tests and [`assert_config_snapshot!`](crate::assert_config_snapshot) (feature
//! `snapshot`) snapshots the resolved config with insta.
//!
//! ```
//! use mlharness::config::{ConfigCheck, Format, Loader, Rules};
//!
//! #[derive(serde::Serialize, Default)]
//! struct Train { loss: String, alpha: f64, max_iter: u32 }
//! let defaults = Train { loss: "log_loss".into(), alpha: 1.0, max_iter: 200 };
//!
//! let checked_in = "loss = \"log_loss\"\nalpha = 1.0\nmax_iter = ${MAX_ITER:-200}\n";
//! let running = Loader::new()
//!     .defaults(&defaults)
//!     .env_vars([("MAX_ITER", "20")]) // the deployment sets MAX_ITER=20
//!     .parse_str(checked_in, Format::Toml, "config/model.toml");
//! let report = ConfigCheck::new()
//!     .expected("config/model.toml", mlharness::config::Loader::new().env(mlharness::config::Env::empty())
//!         .parse_str(checked_in, Format::Toml, "config/model.toml"))
//!     .actual("the running config", running)
//!     .rules(Rules::new().allowed("loss", ["log_loss"]).range("max_iter", 50.0, 10_000.0))
//!     .run()?;
//! assert_eq!(report.to_string(), "\
//! the running config differs from config/model.toml: 1 change
//!   path      change   expected  actual  note
//!   max_iter  changed  200       20      -180 (-90%)
//! the running config breaks 1 rule
//!   path      rule   message
//!   max_iter  range  20 is below the minimum 50.0
//! ");
//! # Ok::<(), mlharness::config::ConfigError>(())
//! ```

mod check;
pub mod command;
mod diff;
mod env;
mod error;
mod load;
mod path;
mod report;
mod rules;
pub(crate) mod snapshot;
mod value;

pub use self::check::{ConfigCheck, IntoTree};
pub use self::diff::{diff, Change, ChangeKind, DiffOptions};
pub use self::env::{expand, Env, MAX_EXPANSION_DEPTH};
pub(crate) use self::error::line_column;
pub use self::error::ConfigError;
pub use self::load::{
    load, parse_str, Format, Limits, Loader, MAX_DEPTH, MAX_EXPANDED_BYTES, MAX_YAML_NODES,
};
pub use self::path::{KeyPath, Pattern, Segment};
pub use self::report::ConfigReport;
pub use self::rules::{Bound, Requirement, Rule, RuleViolation, Rules};
#[doc(hidden)]
pub use self::snapshot::render_snapshot;
pub use self::value::{Table, Value};
