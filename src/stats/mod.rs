//! Statistical tests, distances and intervals, computed as scipy computes them.
//!
//! Paired tests of two models on the same rows (differential tests):
//! - [`mcnemar_exact`]: exact McNemar test of two classifiers;
//! - [`wilcoxon`]: Wilcoxon signed-rank test of paired differences;
//! - [`Bootstrap`]: seeded percentile bootstrap intervals, including the paired difference of a
//!   metric between two models ([`Bootstrap::metric_difference`]).
//!
//! Tests and distances between samples (drift):
//! - [`ks_2samp`]: two-sample Kolmogorov–Smirnov (exact p-value up to 10,000 values per
//!   sample, asymptotic beyond, as scipy's `method="auto"`);
//! - [`chisquare`], [`chi2_contingency`]: chi-squared goodness of fit and independence;
//! - [`mann_whitney_u`], [`kruskal`]: rank tests; [`f_oneway`]: one-way ANOVA;
//! - [`mean_within_se`]: is a mean within `k` standard errors of a value;
//! - [`wasserstein`], [`wasserstein_normalised`], [`psi`], [`jensen_shannon`],
//!   [`kl_divergence`]: distances, which have no p-value;
//! - [`Correction`]: Bonferroni and Benjamini–Hochberg adjustment of many p-values.
//!
//! Every value is checked against scipy on the same inputs (`fixtures/reference/paired.json`
//! and `fixtures/reference/stats.json`).
//!
//! ```
//! use mlharness::stats::{ks_2samp, mcnemar_exact};
//! // 12 rows only the reference gets right, 2 only the candidate does.
//! assert!(mcnemar_exact(12, 2).p_value < 0.05);
//! let reference = [1.1, 2.3, 2.9, 4.2, 5.0, 6.1, 3.3, 1.7];
//! let current = [6.9, 5.2, 7.3, 7.7, 8.1, 9.4, 6.6, 8.8];
//! assert!(ks_2samp(&reference, &current)?.p_value.unwrap() < 0.05);
//! # Ok::<(), mlharness::stats::StatsError>(())
//! ```

mod anova;
mod bootstrap;
mod chi2;
mod correction;
mod divergence;
mod error;
mod ks;
mod mcnemar;
mod rank;
mod resampled_metric;
mod test_result;
mod wilcoxon;
pub use self::anova::{f_oneway, mean_within_se, MeanCheck};
pub use self::bootstrap::{quantile, Bootstrap, Interval};
pub use self::chi2::{chi2_contingency, chisquare};
pub use self::correction::Correction;
pub use self::divergence::{
    jensen_shannon, kl_divergence, psi, psi_counts, wasserstein, wasserstein_normalised,
    wasserstein_sorted, DEFAULT_SMOOTHING,
};
pub use self::error::StatsError;
pub use self::ks::{kolmogorov_sf, ks_2samp, ks_2samp_sorted, KS_EXACT_MAX_N};
pub(crate) use self::ks::{ks_2samp_at, ks_location_sorted};
pub use self::mcnemar::{mcnemar_exact, mcnemar_from_outcomes, McNemar};
pub use self::rank::{kruskal, mann_whitney_u};
pub use self::resampled_metric::ResampledMetric;
pub use self::test_result::TestResult;
pub use self::wilcoxon::{
    wilcoxon, wilcoxon_paired, wilcoxon_with, Wilcoxon, WilcoxonMethod, WilcoxonOptions,
};

pub(crate) use self::divergence::{normalise_by_sd, std_population};
