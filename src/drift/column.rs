//! The tests of one column.

use super::DriftOptions;
use crate::data::{Column, Numeric};
use crate::stats::{self, TestResult};
use crate::table::number;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What a row of a drift report tests about its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Aspect {
    /// The distribution of the present values.
    Distribution,
    /// The share of missing values.
    Missing,
    /// The share of zeros (sparse numeric columns).
    Zeros,
}

/// What decided a row's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DecidedBy {
    /// The (adjusted) p-value against α: small samples.
    PValue,
    /// The effect size against its threshold: large samples.
    EffectSize,
    /// Nothing to test (one side has no values).
    Nothing,
}

/// One test of one column in a [`DriftReport`](super::DriftReport).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ColumnDrift {
    /// The column.
    pub column: String,
    /// What is tested.
    pub aspect: Aspect,
    /// The test: `ks`, `chi2`, `chi2 missing/present`, `chi2 zero/non-zero`.
    pub test: &'static str,
    /// The test statistic (KS distance, chi-squared); `None` when nothing could be tested.
    pub statistic: Option<f64>,
    /// The raw p-value.
    pub p_value: Option<f64>,
    /// The p-value after the report's multiple-testing correction.
    pub adjusted_p_value: Option<f64>,
    /// The effect size: normalised Wasserstein distance (numeric) or Jensen–Shannon distance.
    pub effect_size: Option<f64>,
    /// Which effect size `effect_size` is.
    pub effect_measure: &'static str,
    /// What decided `drift`.
    pub decided_by: DecidedBy,
    /// The α or effect-size threshold that `drift` was decided against.
    pub threshold: Option<f64>,
    /// Whether this test finds drift.
    pub drift: bool,
    /// Values compared on the reference side.
    pub reference_n: usize,
    /// Values compared on the current side.
    pub current_n: usize,
    /// What moved, for people: means, new or vanished categories, shares.
    pub note: Option<String>,
    /// The two distributions in brief, for the pictures of the HTML report (distribution rows
    /// with values on both sides).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
}

/// Bins of the histograms in a [`Profile`].
pub const PROFILE_BINS: usize = 30;
/// Quantiles kept of each side's ECDF in a [`Profile`]: at 0%, 1%, …, 100%.
pub const PROFILE_QUANTILES: usize = 101;

/// Two distributions in brief, bounded whatever the data's size: what the HTML report draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Profile {
    /// A numeric column: both sides counted in [`PROFILE_BINS`] shared bins between the 0.5th
    /// and 99.5th percentiles of both (values beyond go to the end bins, so one outlier does not
    /// flatten the picture), each side's quantiles, and where the ECDFs are furthest apart.
    Numeric {
        /// Bin edges, one more than the counts.
        edges: Vec<f64>,
        /// Reference values per bin.
        reference: Vec<usize>,
        /// Current values per bin.
        current: Vec<usize>,
        /// The reference's quantiles at [`PROFILE_QUANTILES`] evenly spaced probabilities.
        reference_quantiles: Vec<f64>,
        /// The current data's quantiles, likewise.
        current_quantiles: Vec<f64>,
        /// The value where the ECDFs differ most (the KS distance), and both ECDFs there.
        ks_at: KsPoint,
    },
    /// A categorical column: the count of each level compared, at most [`PROFILE_LEVELS`] (the
    /// most frequent on either side, the rest as `(rest)`).
    Categorical {
        /// The levels, as tested (`(other)` and `(unseen)` for identifier-like columns).
        levels: Vec<String>,
        /// Reference count per level.
        reference: Vec<f64>,
        /// Current count per level.
        current: Vec<f64>,
    },
}

/// Where two ECDFs are furthest apart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KsPoint {
    /// The value.
    pub x: f64,
    /// The reference's ECDF at `x`.
    pub reference: f64,
    /// The current data's ECDF at `x`.
    pub current: f64,
}

impl Profile {
    /// The profile of two sorted, finite, non-empty samples whose ECDFs are furthest apart at
    /// `ks` ([`stats::ks_location_sorted`]).
    fn numeric(a: &[f64], b: &[f64], ks: (f64, usize, usize)) -> Profile {
        let at = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        let lo = at(a, 0.005).min(at(b, 0.005));
        let hi = at(a, 0.995).max(at(b, 0.995));
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        // Values near ±f64::MAX must not make the width infinite: divided first there.
        let bins = PROFILE_BINS as f64;
        let width = if (hi - lo).is_finite() {
            (hi - lo) / bins
        } else {
            hi / bins - lo / bins
        };
        let edges: Vec<f64> = (0..=PROFILE_BINS).map(|i| lo + width * i as f64).collect();
        // Counts from the sorted samples by bisection: O(bins · log n), not a pass per bin.
        let counts = |v: &[f64]| -> Vec<usize> {
            let below = |x: f64| v.partition_point(|y| *y < x);
            (0..PROFILE_BINS)
                .map(|i| {
                    let start = if i == 0 { 0 } else { below(edges[i]) };
                    let end = if i + 1 == PROFILE_BINS {
                        v.len()
                    } else {
                        below(edges[i + 1])
                    };
                    end - start
                })
                .collect()
        };
        let quantiles = |v: &[f64]| -> Vec<f64> {
            (0..PROFILE_QUANTILES)
                .map(|i| at(v, i as f64 / (PROFILE_QUANTILES - 1) as f64))
                .collect()
        };
        Profile::Numeric {
            reference: counts(a),
            current: counts(b),
            edges,
            reference_quantiles: quantiles(a),
            current_quantiles: quantiles(b),
            ks_at: KsPoint {
                x: ks.0,
                reference: ks.1 as f64 / a.len() as f64,
                current: ks.2 as f64 / b.len() as f64,
            },
        }
    }

    fn categorical(counts: &BTreeMap<&str, [f64; 2]>) -> Profile {
        let mut levels: Vec<(&str, [f64; 2])> = counts.iter().map(|(l, c)| (*l, *c)).collect();
        if levels.len() > PROFILE_LEVELS {
            // Most frequent on either side first; ties in level order, so the bars are stable.
            levels.sort_by(|x, y| {
                let m = |c: &[f64; 2]| c[0].max(c[1]);
                m(&y.1).total_cmp(&m(&x.1)).then(x.0.cmp(y.0))
            });
            let rest = levels[PROFILE_LEVELS - 1..]
                .iter()
                .fold([0.0; 2], |acc, (_, c)| [acc[0] + c[0], acc[1] + c[1]]);
            levels.truncate(PROFILE_LEVELS - 1);
            levels.sort_by(|x, y| x.0.cmp(y.0));
            levels.push(("(rest)", rest));
        }
        Profile::Categorical {
            levels: levels.iter().map(|(l, _)| l.to_string()).collect(),
            reference: levels.iter().map(|(_, c)| c[0]).collect(),
            current: levels.iter().map(|(_, c)| c[1]).collect(),
        }
    }
}

/// Levels a categorical [`Profile`] keeps: the most frequent on either side, the rest as one
/// `(rest)` bar, whatever the current data brings.
pub const PROFILE_LEVELS: usize = 50;

const NORMALISED_WASSERSTEIN: &str = "normalised wasserstein";
const JENSEN_SHANNON: &str = "jensen-shannon";

impl ColumnDrift {
    fn new(column: &str, aspect: Aspect, test: &'static str, measure: &'static str) -> Self {
        ColumnDrift {
            column: column.to_string(),
            aspect,
            test,
            statistic: None,
            p_value: None,
            adjusted_p_value: None,
            effect_size: None,
            effect_measure: measure,
            decided_by: DecidedBy::Nothing,
            threshold: None,
            drift: false,
            reference_n: 0,
            current_n: 0,
            note: None,
            profile: None,
        }
    }

    fn with(mut self, result: &TestResult, effect: f64) -> Self {
        self.statistic = Some(result.statistic);
        self.p_value = result.p_value;
        self.effect_size = Some(effect);
        self
    }

    fn sizes(mut self, reference: usize, current: usize) -> Self {
        self.reference_n = reference;
        self.current_n = current;
        self
    }

    fn note(mut self, note: String) -> Self {
        self.note = Some(note);
        self
    }

    pub(super) fn decide(&mut self, options: &DriftOptions) {
        let t = options.threshold_for(&self.column);
        let large = self.reference_n.min(self.current_n) >= options.large_sample_size();
        match (large, self.effect_size, self.adjusted_p_value) {
            (true, Some(effect), _) => {
                let threshold = t
                    .effect_size
                    .unwrap_or(if self.effect_measure == JENSEN_SHANNON {
                        options.categorical_threshold
                    } else {
                        options.numeric_threshold
                    });
                self.decided_by = DecidedBy::EffectSize;
                self.threshold = Some(threshold);
                // Effect sizes of two samples from one distribution are noisy at moderate sizes
                // (a normalised Wasserstein distance of 0.08 is not rare at 2,500 rows a side):
                // a drift must also be significant, which it always is once it is material.
                let alpha = t.alpha.unwrap_or(options.alpha);
                let significant = self.adjusted_p_value.is_none_or(|p| p < alpha);
                self.drift = effect >= threshold && significant;
            }
            (_, _, Some(p)) => {
                let alpha = t.alpha.unwrap_or(options.alpha);
                self.decided_by = DecidedBy::PValue;
                self.threshold = Some(alpha);
                self.drift = p < alpha;
            }
            _ => {}
        }
    }
}

/// The rows for one column: its distribution, and its missing and zero shares where they apply.
/// A numeric column given owned is sorted in its own buffer.
pub(super) fn tests(
    name: &str,
    reference: Cow<'_, Column>,
    current: Cow<'_, Column>,
    options: &DriftOptions,
) -> Vec<ColumnDrift> {
    let mut rows = Vec::with_capacity(2);
    let missing = [&reference, &current].map(|c| (c.missing_count(), c.len()));
    match (numeric(reference), numeric(current)) {
        (Ok(r), Ok(c)) => {
            // ±infinity (or an unmasked NaN) has no place on a distance scale: left out of
            // the distribution and said so, rather than turning every statistic into NaN.
            let (a, odd_a) = sorted_finite(r);
            let (b, odd_b) = sorted_finite(c);
            let mut row = numeric_distribution(name, &a, &b);
            if odd_a + odd_b > 0 {
                let note = format!(
                    "{odd_a} non-finite values in the reference and {odd_b} in the current data left out"
                );
                row.note = Some(match row.note.take() {
                    Some(n) => format!("{n}; {note}"),
                    None => note,
                });
            }
            rows.push(row);
            if !a.is_empty() {
                let zeros = |v: &[f64]| v.iter().filter(|x| **x == 0.0).count();
                let (za, zb) = (zeros(&a), zeros(&b));
                if za as f64 >= options.sparse_zero_share * a.len() as f64 && !b.is_empty() {
                    rows.push(binary_share(
                        name,
                        Aspect::Zeros,
                        "chi2 zero/non-zero",
                        "zeros",
                        (za, a.len()),
                        (zb, b.len()),
                    ));
                }
            }
        }
        (Err(r), Err(c)) => {
            if let (Column::Categorical(r), Column::Categorical(c)) = (&*r, &*c) {
                let mut counts: BTreeMap<&str, [f64; 2]> = BTreeMap::new();
                for (side, col) in [r, c].into_iter().enumerate() {
                    for (level, n) in col.levels().iter().zip(col.counts()) {
                        if n > 0 {
                            counts.entry(level.as_str()).or_insert([0.0; 2])[side] += n as f64;
                        }
                    }
                }
                let distinct = counts.values().filter(|c| c[0] > 0.0).count();
                if distinct > options.max_levels {
                    rows.push(binned_distribution(name, &counts, options.max_levels));
                } else {
                    rows.push(categorical_distribution(name, &counts));
                }
            }
        }
        _ => {}
    }
    let [r, c] = missing;
    if options.missing_check && r.0 + c.0 > 0 {
        rows.push(binary_share(
            name,
            Aspect::Missing,
            "chi2 missing/present",
            "missing",
            r,
            c,
        ));
    }
    rows
}

/// The numeric column in `column`, borrowed or owned as it is; the column back otherwise.
fn numeric(column: Cow<'_, Column>) -> Result<Cow<'_, Numeric>, Cow<'_, Column>> {
    match column {
        Cow::Borrowed(Column::Numeric(n)) => Ok(Cow::Borrowed(n)),
        Cow::Owned(Column::Numeric(n)) => Ok(Cow::Owned(n)),
        other => Err(other),
    }
}

fn no_values(mut row: ColumnDrift, n_ref: usize, n_cur: usize) -> ColumnDrift {
    let side = if n_ref == 0 { "reference" } else { "current" };
    // A column that lost (or gained) every value has drifted however it is measured.
    row.drift = (n_ref == 0) != (n_cur == 0);
    row.sizes(n_ref, n_cur)
        .note(format!("no present values in the {side} data"))
}

fn numeric_distribution(name: &str, a: &[f64], b: &[f64]) -> ColumnDrift {
    let row = ColumnDrift::new(name, Aspect::Distribution, "ks", NORMALISED_WASSERSTEIN);
    if a.is_empty() || b.is_empty() {
        return no_values(row, a.len(), b.len());
    }
    // One walk finds the KS statistic and the place the profile marks.
    let location = stats::ks_location_sorted(a, b);
    let ks = stats::ks_2samp_at(a.len(), b.len(), location.1, location.2);
    let sd = stats::std_population(a);
    let w = stats::normalise_by_sd(stats::wasserstein_sorted(a, b), sd);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (ma, mb) = (mean(a), mean(b));
    let shift = if sd > 0.0 {
        format!(" ({:+.3} SD)", (mb - ma) / sd)
    } else {
        String::new()
    };
    let mut row = row.with(&ks, w).sizes(a.len(), b.len()).note(format!(
        "mean {} → {}{shift}",
        round(ma),
        round(mb)
    ));
    row.profile = Some(Profile::numeric(a, b, location));
    row
}

/// How many new or vanished levels a note names before "… and N more": reports stay small
/// enough for a CI job summary whatever the column holds.
const NAMED_LEVELS: usize = 10;

/// Names the first [`NAMED_LEVELS`] of `items`, largest first, then how many more there are.
fn bounded_list(mut items: Vec<(f64, String)>) -> String {
    items.sort_by(|a, b| b.0.total_cmp(&a.0));
    let more = items.len().saturating_sub(NAMED_LEVELS);
    let mut shown: Vec<String> = items
        .into_iter()
        .take(NAMED_LEVELS)
        .map(|(_, s)| s)
        .collect();
    if more > 0 {
        shown.push(format!("… and {more} more"));
    }
    shown.join(", ")
}

/// An identifier-like column: the `max_levels - 1` most frequent reference values, `(other)`
/// for the rest of the reference's values and `(unseen)` for current values the reference
/// never had, compared like any categorical column.
fn binned_distribution(
    name: &str,
    counts: &BTreeMap<&str, [f64; 2]>,
    max_levels: usize,
) -> ColumnDrift {
    let distinct = counts.values().filter(|c| c[0] > 0.0).count();
    let n_ref: f64 = counts.values().map(|c| c[0]).sum();
    let mut by_reference: Vec<(&str, [f64; 2])> = counts
        .iter()
        .filter(|(_, c)| c[0] > 0.0)
        .map(|(l, c)| (*l, *c))
        .collect();
    // Most frequent first; ties in level order, so the bins do not depend on hashing.
    by_reference.sort_by(|a, b| b.1[0].total_cmp(&a.1[0]).then(a.0.cmp(b.0)));
    let keep = max_levels - 1;
    let mut bins: BTreeMap<&str, [f64; 2]> = by_reference[..keep].iter().copied().collect();
    let other = by_reference[keep..]
        .iter()
        .fold([0.0; 2], |acc, (_, c)| [acc[0] + c[0], acc[1] + c[1]]);
    // A fold from +0.0: `sum` of no value is -0.0, which the note would print as "-0.0%".
    let unseen = counts
        .values()
        .filter(|c| c[0] == 0.0)
        .fold(0.0, |sum, c| sum + c[1]);
    bins.insert("(other)", other);
    if unseen > 0.0 {
        bins.insert("(unseen)", [0.0, unseen]);
    }
    let mut row = categorical_distribution(name, &bins);
    let n_cur: f64 = counts.values().map(|c| c[1]).sum();
    let note = format!(
        "identifier-like: {distinct} distinct values in {n_ref} reference rows, compared as the {keep} most frequent, (other) and (unseen); {:.1}% of current values unseen in the reference",
        if n_cur > 0.0 { 100.0 * unseen / n_cur } else { 0.0 }
    );
    row.note = Some(match row.note.take() {
        Some(n) if !n.is_empty() => format!("{note}; {n}"),
        _ => note,
    });
    row
}

fn categorical_distribution(name: &str, counts: &BTreeMap<&str, [f64; 2]>) -> ColumnDrift {
    let row = ColumnDrift::new(name, Aspect::Distribution, "chi2", JENSEN_SHANNON);
    let ref_counts: Vec<f64> = counts.values().map(|c| c[0]).collect();
    let cur_counts: Vec<f64> = counts.values().map(|c| c[1]).collect();
    let (n_ref, n_cur) = (
        ref_counts.iter().sum::<f64>() as usize,
        cur_counts.iter().sum::<f64>() as usize,
    );
    if n_ref == 0 || n_cur == 0 {
        return no_values(row, n_ref, n_cur);
    }
    let Ok(chi2) = stats::chi2_contingency(&[ref_counts.clone(), cur_counts.clone()], true) else {
        // Unreachable: every level has a positive count and both rows are non-empty.
        return no_values(row, n_ref, n_cur);
    };
    let js = stats::jensen_shannon(&ref_counts, &cur_counts, 0.0)
        .map(|r| r.statistic)
        .unwrap_or(f64::NAN);
    let share = |n: f64, total: usize| 100.0 * n / total as f64;
    let mut notes = Vec::new();
    let new: Vec<(f64, String)> = counts
        .iter()
        .filter(|(_, c)| c[0] == 0.0)
        .map(|(l, c)| (c[1], format!("`{l}` ({:.1}%)", share(c[1], n_cur))))
        .collect();
    if !new.is_empty() {
        notes.push(format!("new: {}", bounded_list(new)));
    }
    let gone: Vec<(f64, String)> = counts
        .iter()
        .filter(|(_, c)| c[1] == 0.0)
        .map(|(l, c)| (c[0], format!("`{l}` (was {:.1}%)", share(c[0], n_ref))))
        .collect();
    if !gone.is_empty() {
        notes.push(format!("gone: {}", bounded_list(gone)));
    }
    {
        // The level whose share moved most (a new or vanished one is already named).
        if let Some((level, c)) = counts
            .iter()
            .max_by(|x, y| {
                let d = |c: &[f64; 2]| (share(c[1], n_cur) - share(c[0], n_ref)).abs();
                d(x.1).total_cmp(&d(y.1))
            })
            .filter(|(_, c)| c[0] > 0.0 && c[1] > 0.0)
        {
            notes.push(format!(
                "`{level}` {:.1}% → {:.1}%",
                share(c[0], n_ref),
                share(c[1], n_cur)
            ));
        }
    }
    let mut row = row.with(&chi2, js).sizes(n_ref, n_cur);
    row.profile = Some(Profile::categorical(counts));
    row.note(notes.join("; "))
}

/// A 2×2 chi-squared test of a share (missing, zeros): `(hits, total)` per side.
fn binary_share(
    name: &str,
    aspect: Aspect,
    test: &'static str,
    what: &str,
    (hr, nr): (usize, usize),
    (hc, nc): (usize, usize),
) -> ColumnDrift {
    let row = ColumnDrift::new(name, aspect, test, JENSEN_SHANNON);
    let table = [
        vec![hr as f64, (nr - hr) as f64],
        vec![hc as f64, (nc - hc) as f64],
    ];
    // A margin of zeros (no hits anywhere, or nothing else anywhere) means the shares agree.
    let chi2 = stats::chi2_contingency(&table, true).unwrap_or(TestResult {
        statistic: 0.0,
        p_value: Some(1.0),
        df: Some(1.0),
        sizes: vec![nr, nc],
        method: "pearson",
    });
    let js = stats::jensen_shannon(&table[0], &table[1], 0.0)
        .map(|r| r.statistic)
        .unwrap_or(f64::NAN);
    let pct = |h: usize, n: usize| 100.0 * h as f64 / n as f64;
    row.with(&chi2, js).sizes(nr, nc).note(format!(
        "{what} {:.1}% → {:.1}%",
        pct(hr, nr),
        pct(hc, nc)
    ))
}

/// Four significant digits, as people read a mean.
fn round(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return number(x);
    }
    number(format!("{x:.3e}").parse().unwrap_or(x))
}

/// The finite present values of `column`, sorted ascending by their integer order keys
/// (integer comparisons, no closure; `-0.0` comes back as `0.0`, which no statistic here tells
/// apart), and how many values were left out as not finite.
///
/// An owned column is sorted in its own buffer: a drift run over files it read holds no
/// second copy of a column beside the data (the keys, and the values they turn back into,
/// are collected in place: each the size of an `f64`).
fn sorted_finite(column: Cow<'_, Numeric>) -> (Vec<f64>, usize) {
    use crate::order::{from_order_key, order_key};
    let mut odd = 0;
    let mut keys: Vec<u64> = match column {
        Cow::Borrowed(column) => {
            let mut keys = Vec::with_capacity(column.len());
            for x in column.present() {
                if x.is_finite() {
                    keys.push(order_key(x));
                } else {
                    odd += 1;
                }
            }
            keys
        }
        Cow::Owned(column) => {
            let (mut values, mask) = column.into_parts();
            let mut kept = 0;
            for i in 0..values.len() {
                let x = values[i];
                let missing = mask.as_ref().map_or(x.is_nan(), |m| m[i]);
                if missing {
                    continue;
                }
                if x.is_finite() {
                    values[kept] = f64::from_bits(order_key(x));
                    kept += 1;
                } else {
                    odd += 1;
                }
            }
            values.truncate(kept);
            values.into_iter().map(f64::to_bits).collect()
        }
    };
    crate::order::sort_keys(&mut keys);
    let values = keys.into_iter().map(from_order_key).collect();
    (values, odd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => -1e6f64..1e6,
            1 => Just(0.0),
            1 => Just(-0.0),
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
        ]
    }

    proptest! {
        /// A column sorted in its own buffer gives the values, and the count of values left
        /// out, that a copy of it gives: with a mask (where an unmasked NaN is a value, not
        /// finite) and without one (where NaN is missing). Past 4096 values the radix sort
        /// runs.
        #[test]
        fn an_owned_column_sorts_as_a_borrowed_one(
            rows in proptest::collection::vec((value(), any::<bool>()), 0..5000),
            masked in any::<bool>(),
        ) {
            let values: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let column = if masked {
                Column::numeric_masked(values, rows.iter().map(|r| r.1).collect()).unwrap()
            } else {
                Column::numeric(values)
            };
            let Column::Numeric(numbers) = column else { unreachable!() };
            let bits = |(v, odd): (Vec<f64>, usize)| {
                (v.into_iter().map(f64::to_bits).collect::<Vec<_>>(), odd)
            };
            let borrowed = bits(sorted_finite(Cow::Borrowed(&numbers)));
            prop_assert!(borrowed.0.windows(2).all(|w| f64::from_bits(w[0]) <= f64::from_bits(w[1])));
            prop_assert_eq!(bits(sorted_finite(Cow::Owned(numbers))), borrowed);
        }
    }
}
