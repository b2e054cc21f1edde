//! Checks over whole rows: duplicates, conflicting labels, rows of the test set that are in the
//! training set, IDs on both sides.

use super::{DataChecks, Finding, IntegrityReport};
use crate::check::CheckError;
use crate::data::{Column, ColumnKind, Dataset};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// The columns rows are compared over, by name, from one dataset.
pub(super) struct RowKey<'a> {
    columns: Vec<&'a Column>,
}

impl<'a> RowKey<'a> {
    /// `names` of `data`, in that order.
    pub(super) fn new(data: &'a Dataset, names: &[&str]) -> Result<Self, CheckError> {
        let columns = names
            .iter()
            .map(|n| data.column(n))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RowKey { columns })
    }

    /// A hash of row `i` that two datasets agree on when their values agree: numbers by
    /// value (`-0` as `0`), categories by their text, missing as missing.
    pub(super) fn hash(&self, i: usize) -> u64 {
        let mut h = DefaultHasher::new();
        for c in &self.columns {
            match c {
                Column::Numeric(n) if n.is_missing(i) => 0u8.hash(&mut h),
                Column::Numeric(n) => {
                    let v = n.values()[i];
                    let v = if v == 0.0 { 0.0 } else { v };
                    (1u8, v.to_bits()).hash(&mut h)
                }
                Column::Categorical(k) => match k.get(i) {
                    None => 0u8.hash(&mut h),
                    Some(s) => (2u8, s).hash(&mut h),
                },
            }
        }
        h.finish()
    }

    /// True when row `i` of `self` equals row `j` of `other` (same columns, in order).
    pub(super) fn equal(&self, i: usize, other: &RowKey<'_>, j: usize) -> bool {
        self.columns
            .iter()
            .zip(&other.columns)
            .all(|(a, b)| match (a, b) {
                (Column::Numeric(x), Column::Numeric(y)) => {
                    match (x.is_missing(i), y.is_missing(j)) {
                        (true, true) => true,
                        (false, false) => {
                            let (u, v) = (x.values()[i], y.values()[j]);
                            u == v || (u.is_nan() && v.is_nan())
                        }
                        _ => false,
                    }
                }
                (Column::Categorical(x), Column::Categorical(y)) => x.get(i) == y.get(j),
                _ => false,
            })
    }

    /// Rows grouped by equal values: each group's rows in order, groups in order of their
    /// first row.
    pub(super) fn groups(&self, n: usize) -> Vec<Vec<usize>> {
        let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in 0..n {
            let candidates = by_hash.entry(self.hash(i)).or_default();
            // Equal hashes almost always mean equal rows; a collision starts a group of its own.
            match candidates
                .iter()
                .find(|&&g| self.equal(groups[g][0], self, i))
            {
                Some(&g) => groups[g].push(i),
                None => {
                    candidates.push(groups.len());
                    groups.push(vec![i]);
                }
            }
        }
        groups
    }
}

/// The feature columns two datasets share, checked to be of the same kind on both sides.
fn shared_features<'a>(
    check: &'static str,
    train: &'a Dataset,
    test: &Dataset,
) -> Result<Vec<&'a str>, CheckError> {
    let test_features = test.feature_names();
    let mut names = Vec::new();
    for name in train.feature_names() {
        if !test_features.contains(&name) {
            continue;
        }
        let (a, b) = (train.column(name)?.kind(), test.column(name)?.kind());
        if a != b {
            return Err(CheckError::Input {
                check,
                message: format!(
                    "column `{name}` is {} in the training data and {} in the test data",
                    kind_name(a),
                    kind_name(b)
                ),
            });
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(CheckError::Input {
            check,
            message: "the training and test data share no feature column".into(),
        });
    }
    Ok(names)
}

fn kind_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Numeric => "numeric",
        ColumnKind::Categorical => "categorical",
    }
}

fn rows_list(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(4).map(usize::to_string).collect();
    if rows.len() > 4 {
        format!("rows {}, … ({} rows)", shown.join(", "), rows.len())
    } else {
        format!("rows {}", shown.join(", "))
    }
}

impl DataChecks {
    /// Rows that repeat an earlier row in every column (the target included): a join that
    /// fanned out, a file appended twice. Fails when their share is above
    /// [`max_duplicate_share`](Self::max_duplicate_share) (default 0).
    pub fn duplicates(&self, data: &Dataset) -> Result<IntegrityReport, CheckError> {
        let data = &*self.kept(data)?;
        let check = "duplicates";
        let names = data.column_names();
        let key = RowKey::new(data, &names)?;
        let repeated: Vec<Vec<usize>> = key
            .groups(data.n_rows())
            .into_iter()
            .filter(|g| g.len() > 1)
            .collect();
        let count: usize = repeated.iter().map(|g| g.len() - 1).sum();
        let examples: Vec<String> = repeated
            .iter()
            .take(self.examples)
            .map(|g| format!("{} are identical", rows_list(g)))
            .collect();
        let share = count as f64 / data.n_rows().max(1) as f64;
        let finding = Finding::new(check, None, share <= self.max_duplicate_share, count)
            .with_examples(examples);
        Ok(IntegrityReport::single(
            finding,
            format!(
                "{count} of {} rows repeat an earlier row ({:.2}%, allowed {:.2}%)",
                data.n_rows(),
                share * 100.0,
                self.max_duplicate_share * 100.0
            ),
        ))
    }

    /// Rows with identical features and different targets: the label is noise, or a feature
    /// that tells them apart is missing. Needs a target. Fails when their share is above
    /// [`max_conflict_share`](Self::max_conflict_share) (default 0).
    pub fn conflicting_labels(&self, data: &Dataset) -> Result<IntegrityReport, CheckError> {
        let data = &*self.kept(data)?;
        let check = "conflicting_labels";
        let Some(target) = data.target_name() else {
            return Err(CheckError::Input {
                check,
                message: "needs a target column (`Dataset::with_target`, `--target`)".into(),
            });
        };
        let features = data.feature_names();
        let key = RowKey::new(data, &features)?;
        let label = RowKey::new(data, &[target])?;
        let mut count = 0;
        let mut examples = Vec::new();
        for group in key.groups(data.n_rows()) {
            if group.len() < 2 {
                continue;
            }
            let labels = label.groups_of(&group);
            if labels.len() < 2 {
                continue;
            }
            count += group.len();
            if examples.len() < self.examples {
                let targets: Vec<String> = labels
                    .iter()
                    .map(|rows| {
                        format!(
                            "`{}` ({})",
                            value_text(data, target, rows[0]),
                            rows_list(rows)
                        )
                    })
                    .collect();
                examples.push(format!("same features, targets {}", targets.join(" vs ")));
            }
        }
        let share = count as f64 / data.n_rows().max(1) as f64;
        let finding = Finding::new(check, None, share <= self.max_conflict_share, count)
            .with_examples(examples);
        Ok(IntegrityReport::single(
            finding,
            format!(
                "{count} of {} rows share their features with a row of another target ({:.2}%, allowed {:.2}%)",
                data.n_rows(),
                share * 100.0,
                self.max_conflict_share * 100.0
            ),
        ))
    }

    /// Rows of the test data whose features equal a row of the training data: the score on
    /// them measures memory, not generalisation. Compared over the feature columns both share.
    /// Fails when their share of the test rows is above
    /// [`max_overlap_share`](Self::max_overlap_share) (default 0).
    pub fn train_test_overlap(
        &self,
        train: &Dataset,
        test: &Dataset,
    ) -> Result<IntegrityReport, CheckError> {
        let check = "train_test_overlap";
        let (train, test) = (&*self.kept(train)?, &*self.kept(test)?);
        let names = shared_features(check, train, test)?;
        let (a, b) = (RowKey::new(train, &names)?, RowKey::new(test, &names)?);
        let matches = a.matches(train.n_rows(), &b, test.n_rows(), |_| true);
        let count = matches.len();
        let examples = matches
            .iter()
            .take(self.examples)
            .map(|(j, i)| format!("test row {j} = training row {i}"))
            .collect();
        let share = count as f64 / test.n_rows().max(1) as f64;
        let finding = Finding::new(check, None, share <= self.max_overlap_share, count)
            .with_examples(examples);
        Ok(IntegrityReport::single(
            finding,
            format!(
                "{count} of {} test rows are also in the training data ({:.2}%, allowed {:.2}%), compared over {} columns",
                test.n_rows(),
                share * 100.0,
                self.max_overlap_share * 100.0,
                names.len()
            ),
        ))
    }

    /// Values of the identifier column `id` that are in both the training and the test data:
    /// the same customer on both sides of the split, so the test set is not unseen. Fails on
    /// any shared ID.
    pub fn shared_ids(
        &self,
        train: &Dataset,
        test: &Dataset,
        id: &str,
    ) -> Result<IntegrityReport, CheckError> {
        let check = "shared_ids";
        let (a, b) = (RowKey::new(train, &[id])?, RowKey::new(test, &[id])?);
        let ids = train.column(id)?;
        // A missing ID is no identity: two rows without one are not the same customer.
        let matches = a.matches(train.n_rows(), &b, test.n_rows(), |i| !ids.is_missing(i));
        let count = matches.len();
        let examples = matches
            .iter()
            .take(self.examples)
            .map(|(j, i)| {
                format!(
                    "`{}`: test row {j}, training row {i}",
                    value_text(test, id, *j)
                )
            })
            .collect();
        let finding = Finding::new(check, Some(id), count == 0, count).with_examples(examples);
        Ok(IntegrityReport::single(
            finding,
            format!(
                "{count} of {} test rows have an `{id}` that is also in the training data",
                test.n_rows()
            ),
        ))
    }
}

impl RowKey<'_> {
    /// For each row of `other` (of `m` rows) equal to a row of `self` (of `n` rows, those
    /// where `indexed` holds), `(other row, first such row of self)`, in order.
    fn matches(
        &self,
        n: usize,
        other: &RowKey<'_>,
        m: usize,
        indexed: impl Fn(usize) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
        for i in (0..n).filter(|&i| indexed(i)) {
            index.entry(self.hash(i)).or_default().push(i);
        }
        (0..m)
            .filter_map(|j| {
                index
                    .get(&other.hash(j))
                    .and_then(|rows| rows.iter().find(|&&i| self.equal(i, other, j)))
                    .map(|&i| (j, i))
            })
            .collect()
    }

    /// `rows` grouped by equal values.
    fn groups_of(&self, rows: &[usize]) -> Vec<Vec<usize>> {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for &i in rows {
            match groups.iter_mut().find(|g| self.equal(g[0], self, i)) {
                Some(g) => g.push(i),
                None => groups.push(vec![i]),
            }
        }
        groups
    }
}

/// The value of `column` in row `i`, as text.
pub(super) fn value_text(data: &Dataset, column: &str, i: usize) -> String {
    match data.column(column) {
        Ok(c) if c.is_missing(i) => "(missing)".into(),
        Ok(Column::Numeric(n)) => crate::table::number(n.values()[i]),
        Ok(Column::Categorical(k)) => k.get(i).unwrap_or_default().to_string(),
        Err(_) => String::new(),
    }
}
