//! Domain-classifier drift: a classifier trained to tell reference rows from current rows.
//! When it can (cross-validated ROC AUC above what shuffled labels reach), the two samples
//! differ as a whole — also where every column on its own looks the same, as when the relation
//! between two columns flips — and its most important features say where.

use super::DriftError;
use crate::check::{checked_report, InvalidSetting, Outcome, Range};
use crate::data::{Column, Dataset};
use crate::kind::Kind;
use crate::metrics::roc_auc;
use crate::table::Table;
use rand::seq::SliceRandom;

/// Value bins per feature: splits are searched between bins, so a tree costs
/// O(rows × features) per level.
const BINS: usize = 32;

/// A domain classifier: gradient-free, seeded CART trees on binned features, cross-validated.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::drift::DomainClassifier;
/// // The same marginals, the relation between x and y flipped.
/// let make = |sign: f64| {
///     let x: Vec<f64> = (0..400).map(|i| ((i * 37) % 100) as f64).collect();
///     let y: Vec<f64> = x.iter().enumerate().map(|(i, v)| sign * v + ((i * 11) % 7) as f64).collect();
///     let y: Vec<f64> = if sign < 0.0 { y.iter().map(|v| v + 100.0).collect() } else { y };
///     Dataset::from_columns(vec![("x".into(), Column::numeric(x)), ("y".into(), Column::numeric(y))]).unwrap()
/// };
/// let report = DomainClassifier::new().compare(&make(1.0), &make(-1.0))?;
/// assert!(!report.outcome().passed());
/// assert!(report.auc > 0.9, "{report}");
/// let same = DomainClassifier::new().compare(&make(1.0), &make(1.0))?;
/// assert!(same.outcome().passed(), "{same}");
/// # Ok::<(), mlharness::drift::DriftError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DomainClassifier {
    folds: usize,
    permutations: usize,
    max_depth: usize,
    min_leaf: usize,
    max_rows: usize,
    min_auc: f64,
    seed: u64,
}

impl Default for DomainClassifier {
    fn default() -> Self {
        DomainClassifier::new()
    }
}

/// What the domain classifier found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DomainReport {
    /// Cross-validated ROC AUC of telling current rows from reference rows (0.5: it cannot).
    pub auc: f64,
    /// The largest AUC reached with the labels shuffled: the noise level.
    pub threshold: f64,
    /// Share of shuffles that reached the observed AUC (with the observed one counted).
    pub p_value: f64,
    /// Features by importance (impurity decrease, summing to 1), most important first.
    pub importances: Vec<(String, f64)>,
    outcome: Outcome,
}

impl DomainReport {
    /// The check's outcome.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }
}

checked_report!(DomainReport);

impl std::fmt::Display for DomainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.outcome)
    }
}

/// Features binned: per column, a bin per row (`BINS` for missing).
struct Binned {
    names: Vec<String>,
    bins: Vec<Vec<u8>>,
}

fn binned(
    reference: &Dataset,
    current: &Dataset,
    rows: &[(bool, usize)],
) -> Result<Binned, DriftError> {
    let mut names = Vec::new();
    let mut bins = Vec::new();
    let current_names = current.feature_names();
    for name in reference.feature_names() {
        if !current_names.contains(&name) {
            continue;
        }
        let (a, b) = (reference.column(name)?, current.column(name)?);
        if a.kind() != b.kind() {
            return Err(DriftError::KindMismatch {
                column: name.to_string(),
                reference: a.kind(),
                current: b.kind(),
            });
        }
        let col = |side: bool| if side { b } else { a };
        let column: Vec<u8> = match a {
            Column::Numeric(_) => {
                let value = |&(side, i): &(bool, usize)| match col(side) {
                    Column::Numeric(n) if !n.is_missing(i) && n.values()[i].is_finite() => {
                        Some(n.values()[i])
                    }
                    _ => None,
                };
                let mut present: Vec<f64> = rows.iter().filter_map(value).collect();
                present.sort_by(f64::total_cmp);
                let edges: Vec<f64> = (1..BINS)
                    .filter_map(|k| present.get(k * present.len() / BINS).copied())
                    .collect();
                rows.iter()
                    .map(|r| match value(r) {
                        Some(v) => edges.partition_point(|&e| e <= v).min(BINS - 1) as u8,
                        None => BINS as u8,
                    })
                    .collect()
            }
            Column::Categorical(_) => {
                // The most frequent levels of both sides together, one bin each; the rest share one.
                let text = |&(side, i): &(bool, usize)| match col(side) {
                    Column::Categorical(c) => c.get(i),
                    Column::Numeric(_) => None,
                };
                let mut counts: std::collections::HashMap<&str, usize> = Default::default();
                for r in rows {
                    if let Some(t) = text(r) {
                        *counts.entry(t).or_default() += 1;
                    }
                }
                let mut levels: Vec<(&str, usize)> = counts.into_iter().collect();
                levels.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
                let top: Vec<&str> = levels.iter().take(BINS - 1).map(|(l, _)| *l).collect();
                rows.iter()
                    .map(|r| match text(r) {
                        Some(t) => top.iter().position(|l| *l == t).unwrap_or(BINS - 1) as u8,
                        None => BINS as u8,
                    })
                    .collect()
            }
        };
        names.push(name.to_string());
        bins.push(column);
    }
    Ok(Binned { names, bins })
}

enum Node {
    Leaf(f64),
    Split {
        feature: usize,
        /// Bins that go left (a set, so categories and missing values split too).
        left: [bool; BINS + 1],
        children: Box<(Node, Node)>,
    },
}

impl Node {
    fn score(&self, x: &Binned, row: usize) -> f64 {
        match self {
            Node::Leaf(p) => *p,
            Node::Split {
                feature,
                left,
                children,
            } => {
                if left[x.bins[*feature][row] as usize] {
                    children.0.score(x, row)
                } else {
                    children.1.score(x, row)
                }
            }
        }
    }
}

fn gini(pos: f64, n: f64) -> f64 {
    if n == 0.0 {
        return 0.0;
    }
    let p = pos / n;
    2.0 * p * (1.0 - p) * n
}

impl DomainClassifier {
    /// 5 folds, 19 shuffles, trees of depth 6 with leaves of at least 10 rows, at most 2,000
    /// rows a side, drift from a cross-validated AUC of 0.55 above the shuffles' largest, seed 0.
    pub fn new() -> Self {
        DomainClassifier {
            folds: 5,
            permutations: 19,
            max_depth: 6,
            min_leaf: 10,
            max_rows: 2000,
            min_auc: 0.55,
            seed: 0,
        }
    }

    /// Shuffles of the domain labels the AUC must beat (default 19, so p ≤ 0.05 at best).
    pub fn permutations(mut self, n: usize) -> Self {
        self.permutations = n;
        self
    }

    /// Rows sampled per side (default 2,000): the classifier's cost, not its power, grows
    /// beyond.
    pub fn max_rows(mut self, n: usize) -> Self {
        self.max_rows = n;
        self
    }

    /// The smallest AUC that counts as drift, whatever the shuffles reach (default 0.55):
    /// with many rows, a trivial difference is significant.
    pub fn min_auc(mut self, auc: f64) -> Self {
        self.min_auc = auc;
        self
    }

    /// The seed of the sampling, the folds and the shuffles (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn grow(
        &self,
        x: &Binned,
        y: &[bool],
        rows: &[usize],
        depth: usize,
        importance: &mut [f64],
    ) -> Node {
        let n = rows.len() as f64;
        let pos = rows.iter().filter(|&&r| y[r]).count() as f64;
        let leaf = Node::Leaf((pos + 1.0) / (n + 2.0));
        if depth >= self.max_depth || rows.len() < 2 * self.min_leaf || pos == 0.0 || pos == n {
            return leaf;
        }
        let parent = gini(pos, n);
        // (gain, feature, left set)
        let mut best: Option<(f64, usize, [bool; BINS + 1])> = None;
        for (f, column) in x.bins.iter().enumerate() {
            let mut count = [0.0f64; BINS + 1];
            let mut positives = [0.0f64; BINS + 1];
            for &r in rows {
                let b = column[r] as usize;
                count[b] += 1.0;
                positives[b] += f64::from(u8::from(y[r]));
            }
            // Bins ordered by their share of current rows: the best binary partition of a
            // two-class problem is a prefix of that order (Breiman), for numbers and categories.
            let mut order: Vec<usize> = (0..=BINS).filter(|&b| count[b] > 0.0).collect();
            order.sort_by(|&a, &b| (positives[a] / count[a]).total_cmp(&(positives[b] / count[b])));
            let (mut ln, mut lp) = (0.0, 0.0);
            for (k, &b) in order.iter().enumerate().take(order.len().saturating_sub(1)) {
                ln += count[b];
                lp += positives[b];
                let (rn, rp) = (n - ln, pos - lp);
                if ln < self.min_leaf as f64 || rn < self.min_leaf as f64 {
                    continue;
                }
                let gain = parent - gini(lp, ln) - gini(rp, rn);
                if best.as_ref().is_none_or(|(g, _, _)| gain > *g) && gain > 1e-12 {
                    let mut left = [false; BINS + 1];
                    for &o in &order[..=k] {
                        left[o] = true;
                    }
                    best = Some((gain, f, left));
                }
            }
        }
        let Some((gain, feature, left)) = best else {
            return leaf;
        };
        importance[feature] += gain;
        let (l, r): (Vec<usize>, Vec<usize>) = rows
            .iter()
            .partition(|&&row| left[x.bins[feature][row] as usize]);
        Node::Split {
            feature,
            left,
            children: Box::new((
                self.grow(x, y, &l, depth + 1, importance),
                self.grow(x, y, &r, depth + 1, importance),
            )),
        }
    }

    /// Cross-validated AUC of a tree per fold, and the impurity decrease per feature.
    fn cross_validated(&self, x: &Binned, y: &[bool], fold: &[usize]) -> (f64, Vec<f64>) {
        let n = y.len();
        let mut scores = vec![0.0; n];
        let mut importance = vec![0.0; x.names.len()];
        for k in 0..self.folds {
            let train: Vec<usize> = (0..n).filter(|&i| fold[i] != k).collect();
            let tree = self.grow(x, y, &train, 0, &mut importance);
            for i in (0..n).filter(|&i| fold[i] == k) {
                scores[i] = tree.score(x, i);
            }
        }
        let truth: Vec<usize> = y.iter().map(|&b| usize::from(b)).collect();
        (roc_auc(&truth, &scores).unwrap_or(0.5), importance)
    }

    /// Trains the classifier to tell `current` rows from `reference` rows over the feature
    /// columns both have, and decides: drift when its cross-validated AUC is above every
    /// shuffle's and at least [`min_auc`](Self::min_auc).
    pub fn compare(
        &self,
        reference: &Dataset,
        current: &Dataset,
    ) -> Result<DomainReport, DriftError> {
        let ensure = |setting, ok: bool, expected: &'static str, value: usize| {
            if ok {
                Ok(())
            } else {
                Err(InvalidSetting::new(
                    "domain classifier",
                    setting,
                    expected,
                    value,
                ))
            }
        };
        ensure("folds", self.folds >= 2, "at least 2", self.folds)?;
        ensure(
            "permutations",
            self.permutations >= 1,
            "at least 1",
            self.permutations,
        )?;
        ensure(
            "max_rows",
            self.max_rows >= 2 * self.min_leaf,
            "at least 20",
            self.max_rows,
        )?;
        InvalidSetting::ensure("domain classifier", "min_auc", Range::Share, self.min_auc)?;
        for (side, data) in [("reference", reference), ("current", current)] {
            if data.n_rows() == 0 {
                return Err(DriftError::Empty { side });
            }
        }
        let mut rng = crate::data::split::rng(self.seed);
        let sample = |data: &Dataset, rng: &mut rand_chacha::ChaCha8Rng| {
            let mut rows: Vec<usize> = (0..data.n_rows()).collect();
            rows.shuffle(rng);
            rows.truncate(self.max_rows);
            rows.sort_unstable();
            rows
        };
        let rows: Vec<(bool, usize)> = sample(reference, &mut rng)
            .into_iter()
            .map(|i| (false, i))
            .chain(sample(current, &mut rng).into_iter().map(|i| (true, i)))
            .collect();
        let x = binned(reference, current, &rows)?;
        let mut y: Vec<bool> = rows.iter().map(|(side, _)| *side).collect();
        let mut fold: Vec<usize> = (0..y.len()).map(|i| i % self.folds).collect();
        fold.shuffle(&mut rng);
        let (auc, importance) = self.cross_validated(&x, &y, &fold);
        let mut shuffled = Vec::with_capacity(self.permutations);
        for _ in 0..self.permutations {
            y.shuffle(&mut rng);
            shuffled.push(self.cross_validated(&x, &y, &fold).0);
        }
        let threshold = shuffled.iter().copied().fold(0.5, f64::max);
        let reached = shuffled.iter().filter(|&&a| a >= auc).count();
        let p_value = (reached + 1) as f64 / (self.permutations + 1) as f64;
        let total: f64 = importance.iter().sum();
        let mut importances: Vec<(String, f64)> = x
            .names
            .iter()
            .cloned()
            .zip(
                importance
                    .iter()
                    .map(|v| if total > 0.0 { v / total } else { 0.0 }),
            )
            .collect();
        importances.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let drifted = auc > threshold && auc >= self.min_auc;
        let name = "domain classifier";
        let headline = format!(
            "a classifier tells current rows from reference rows with ROC AUC {auc:.3} (shuffled labels reach {threshold:.3}, p = {p_value:.3}; drift from {})",
            self.min_auc
        );
        let mut table = Table::new(["feature", "importance"]).right_align(1);
        for (f, v) in importances.iter().take(5).filter(|(_, v)| *v > 0.0) {
            table.row([f.clone(), format!("{v:.3}")]);
        }
        let outcome = if drifted {
            Outcome::fail(Kind::Drift, name, headline)
                .with_table(table)
                .with_note("the two samples differ as a whole; the features above say where")
        } else {
            Outcome::pass(Kind::Drift, name).with_headline(headline)
        };
        Ok(DomainReport {
            auc,
            threshold,
            p_value,
            importances,
            outcome,
        })
    }
}
