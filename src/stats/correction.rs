//! Multiple-testing correction: adjusted p-values for a family of tests.

use serde::{Deserialize, Serialize};

/// How p-values of several tests (one per column) are adjusted before comparing with α.
///
/// ```
/// use mlharness::stats::Correction;
/// let p = [0.01, 0.04, 0.03, 0.5];
/// assert_eq!(Correction::Bonferroni.adjust(&p), vec![0.04, 0.16, 0.12, 1.0]);
/// let bh = Correction::BenjaminiHochberg.adjust(&p);
/// assert!((bh[0] - 0.04).abs() < 1e-15 && (bh[1] - 0.04 * 4.0 / 3.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Correction {
    /// Raw p-values.
    None,
    /// Multiply by the number of tests (controls the family-wise error rate).
    Bonferroni,
    /// Benjamini–Hochberg step-up adjustment (controls the false discovery rate), as
    /// `scipy.stats.false_discovery_control(method="bh")`.
    #[default]
    BenjaminiHochberg,
}

impl Correction {
    /// The adjusted p-values, in the input's order, each at most 1.
    pub fn adjust(self, p: &[f64]) -> Vec<f64> {
        let m = p.len() as f64;
        match self {
            Correction::None => p.to_vec(),
            Correction::Bonferroni => p.iter().map(|v| (v * m).min(1.0)).collect(),
            Correction::BenjaminiHochberg => {
                let mut order: Vec<usize> = (0..p.len()).collect();
                order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
                let mut adjusted = vec![0.0; p.len()];
                let mut running = 1.0f64;
                for (rank, &i) in order.iter().enumerate().rev() {
                    running = running.min(p[i] * m / (rank + 1) as f64);
                    adjusted[i] = running.min(1.0);
                }
                adjusted
            }
        }
    }

    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Correction::None => "none",
            Correction::Bonferroni => "bonferroni",
            Correction::BenjaminiHochberg => "benjamini-hochberg",
        }
    }
}
