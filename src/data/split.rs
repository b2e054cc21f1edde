//! Train/test splits: seeded random, stratified, and by an ordering column (time).

use super::{Column, DataError, Dataset};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A train/test split of one dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The rows to fit on.
    pub train: Dataset,
    /// The held-out rows.
    pub test: Dataset,
}

/// A seeded RNG whose stream is stable across platforms and crate versions (ChaCha8).
pub(crate) fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn check_fraction(fraction: f64) -> Result<(), DataError> {
    if fraction > 0.0 && fraction < 1.0 {
        Ok(())
    } else {
        Err(DataError::InvalidFraction { fraction })
    }
}

/// How many of `n` rows go to the test side: rounded, so ratios hold to within one row.
fn test_count(n: usize, fraction: f64) -> usize {
    (n as f64 * fraction).round() as usize
}

impl Dataset {
    fn split_at_rows(
        &self,
        mut test: Vec<usize>,
        mut train: Vec<usize>,
    ) -> Result<Split, DataError> {
        // Keep each side in the original row order: a split selects rows, it does not reorder.
        test.sort_unstable();
        train.sort_unstable();
        Ok(Split {
            train: self.take(&train)?,
            test: self.take(&test)?,
        })
    }

    /// A seeded random split: `round(n × test_fraction)` rows go to the test side.
    /// The same seed and data always give the same split.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// let ds = Dataset::from_columns(vec![("x".into(), Column::numeric((0..10).map(f64::from).collect()))])?;
    /// let split = ds.split_random(0.2, 7)?;
    /// assert_eq!((split.train.n_rows(), split.test.n_rows()), (8, 2));
    /// assert_eq!(split, ds.split_random(0.2, 7)?);
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn split_random(&self, test_fraction: f64, seed: u64) -> Result<Split, DataError> {
        check_fraction(test_fraction)?;
        let mut rows: Vec<usize> = (0..self.n_rows()).collect();
        rows.shuffle(&mut rng(seed));
        let train = rows.split_off(test_count(self.n_rows(), test_fraction));
        self.split_at_rows(rows, train)
    }

    /// A seeded split that keeps each class's share: per value of `column` (categorical, or
    /// numeric with discrete values), `round(n_class × test_fraction)` rows go to the test side,
    /// so each side's class ratios match the whole to within one row per class. Missing values
    /// form a class of their own.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// let y: Vec<Option<&str>> = (0..100).map(|i| Some(if i < 10 { "yes" } else { "no" })).collect();
    /// let ds = Dataset::from_columns(vec![("churn".into(), Column::categorical(y))])?;
    /// let split = ds.split_stratified("churn", 0.2, 1)?;
    /// assert_eq!(split.test.slice("churn", "yes")?.n_rows(), 2);
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn split_stratified(
        &self,
        column: &str,
        test_fraction: f64,
        seed: u64,
    ) -> Result<Split, DataError> {
        check_fraction(test_fraction)?;
        let groups = class_groups(self.column(column)?);
        let mut rng = rng(seed);
        let (mut test, mut train) = (Vec::new(), Vec::new());
        for mut rows in groups {
            rows.shuffle(&mut rng);
            let rest = rows.split_off(test_count(rows.len(), test_fraction));
            test.extend(rows);
            train.extend(rest);
        }
        self.split_at_rows(test, train)
    }

    /// A split by an ordering column (a time stamp, a date written `YYYY-MM-DD`, a sequence
    /// number): the last `round(n × test_fraction)` rows in that order are the test side, so
    /// a model is tested on data that comes after what it was fitted on. Ties keep file order;
    /// rows with a missing order value are an error naming the first one.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// let ds = Dataset::from_columns(vec![(
    ///     "date".into(),
    ///     Column::categorical([Some("2024-03-01"), Some("2024-01-01"), Some("2024-02-01")]),
    /// )])?;
    /// let split = ds.split_ordered("date", 1.0 / 3.0)?;
    /// assert_eq!(split.test.categorical("date")?.get(0), Some("2024-03-01"));
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn split_ordered(&self, column: &str, test_fraction: f64) -> Result<Split, DataError> {
        check_fraction(test_fraction)?;
        let col = self.column(column)?;
        if let Some(row) = (0..col.len()).find(|&i| col.is_missing(i)) {
            return Err(DataError::MissingOrderValue {
                column: column.to_string(),
                row,
            });
        }
        let mut rows: Vec<usize> = (0..self.n_rows()).collect();
        match col {
            Column::Numeric(n) => rows.sort_by(|&a, &b| n.values()[a].total_cmp(&n.values()[b])),
            Column::Categorical(c) => rows.sort_by_key(|&r| c.codes()[r]),
        }
        let test = rows.split_off(self.n_rows() - test_count(self.n_rows(), test_fraction));
        Ok(Split {
            train: self.take(&rows)?,
            test: self.take(&test)?,
        })
    }
}

/// Row indices grouped by the column's value (missing values form one group).
fn class_groups(column: &Column) -> Vec<Vec<usize>> {
    match column {
        Column::Categorical(c) => {
            let mut groups = vec![Vec::new(); c.levels().len() + 1];
            for (i, code) in c.codes().iter().enumerate() {
                groups[code.map_or(c.levels().len(), |c| c as usize)].push(i);
            }
            groups
        }
        Column::Numeric(n) => {
            let mut order: Vec<usize> = (0..n.len()).collect();
            let key = |i: usize| {
                if n.is_missing(i) {
                    f64::NAN
                } else {
                    n.values()[i]
                }
            };
            order.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
            let mut groups: Vec<Vec<usize>> = Vec::new();
            for i in order {
                match groups.last_mut() {
                    Some(g) if key(g[0]).total_cmp(&key(i)).is_eq() => g.push(i),
                    _ => groups.push(vec![i]),
                }
            }
            groups
        }
    }
}
