//! The feature pipeline: fitted on training data only, applied unchanged to anything else.

use mlharness::data::{Column, ColumnKind, DataError, Dataset};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// The name of the one-hot column that takes categories not seen in training (and missing ones).
pub const UNSEEN: &str = "<unseen>";

/// Why the pipeline could not fit or transform.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A column is missing, of the wrong kind, or the data has no rows.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A numeric training column has no present value to learn from.
    #[error("column `{column}` has no present value in the training data")]
    AllMissing {
        /// The column.
        column: String,
    },
    /// A value at prediction time is infinite.
    #[error("column `{column}`, row {row}: value {value} is not finite")]
    NonFinite {
        /// The column.
        column: String,
        /// 0-based row.
        row: usize,
        /// The value.
        value: f64,
    },
}

/// A numeric feature's fitted state: median for imputation, then mean and scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericState {
    /// Column name.
    pub name: String,
    /// Training median, filled in for missing values.
    pub median: f64,
    /// Training mean (after imputation).
    pub mean: f64,
    /// Training standard deviation (after imputation), 1 for a constant column.
    pub std: f64,
}

/// A categorical feature's fitted state: the training levels, one output column each, plus
/// [`UNSEEN`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalState {
    /// Column name.
    pub name: String,
    /// Levels seen in training, in output order.
    pub levels: Vec<String>,
}

/// Median-impute and standardise numerics; one-hot encode categoricals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeaturePipeline {
    numeric: Vec<NumericState>,
    categorical: Vec<CategoricalState>,
}

impl FeaturePipeline {
    /// Learns the pipeline's state from the named `features` of `train`.
    pub fn fit(train: &Dataset, features: &[String]) -> Result<Self, PipelineError> {
        if train.is_empty() {
            return Err(DataError::EmptyDataset {
                what: "fitting the feature pipeline",
            }
            .into());
        }
        let mut numeric = Vec::new();
        let mut categorical = Vec::new();
        for name in features {
            match train.column(name)? {
                Column::Numeric(n) => {
                    let median = n.median().ok_or_else(|| PipelineError::AllMissing {
                        column: name.clone(),
                    })?;
                    let imputed: Vec<f64> = (0..n.len())
                        .map(|i| {
                            if n.is_missing(i) {
                                median
                            } else {
                                n.values()[i]
                            }
                        })
                        .collect();
                    let mean = imputed.iter().sum::<f64>() / imputed.len() as f64;
                    let var = imputed.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
                        / imputed.len() as f64;
                    let std = if var > 0.0 { var.sqrt() } else { 1.0 };
                    numeric.push(NumericState {
                        name: name.clone(),
                        median,
                        mean,
                        std,
                    });
                }
                Column::Categorical(c) => {
                    let counts = c.counts();
                    let levels = c
                        .levels()
                        .iter()
                        .zip(counts)
                        .filter(|(_, n)| *n > 0)
                        .map(|(l, _)| l.clone())
                        .collect();
                    categorical.push(CategoricalState {
                        name: name.clone(),
                        levels,
                    });
                }
            }
        }
        Ok(FeaturePipeline {
            numeric,
            categorical,
        })
    }

    /// The fitted numeric states, in output order.
    pub fn numeric(&self) -> &[NumericState] {
        &self.numeric
    }

    /// The fitted categorical states, in output order (after all numerics).
    pub fn categorical(&self) -> &[CategoricalState] {
        &self.categorical
    }

    /// Names of the output columns: numerics, then `column=level` per level and `column=<unseen>`.
    pub fn output_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.numeric.iter().map(|n| n.name.clone()).collect();
        for c in &self.categorical {
            names.extend(c.levels.iter().map(|l| format!("{}={l}", c.name)));
            names.push(format!("{}={UNSEEN}", c.name));
        }
        names
    }

    /// Applies the fitted state to `data` (columns are found by name, in any order).
    pub fn transform(&self, data: &Dataset) -> Result<Array2<f64>, PipelineError> {
        let width = self.numeric.len()
            + self
                .categorical
                .iter()
                .map(|c| c.levels.len() + 1)
                .sum::<usize>();
        let mut out = Array2::<f64>::zeros((data.n_rows(), width));
        for (j, state) in self.numeric.iter().enumerate() {
            let col = data.numeric(&state.name)?;
            for (i, cell) in out.column_mut(j).iter_mut().enumerate() {
                let v = if col.is_missing(i) {
                    state.median
                } else {
                    col.values()[i]
                };
                if !v.is_finite() {
                    return Err(PipelineError::NonFinite {
                        column: state.name.clone(),
                        row: i,
                        value: v,
                    });
                }
                *cell = (v - state.mean) / state.std;
            }
        }
        let mut offset = self.numeric.len();
        for state in &self.categorical {
            let col = data.categorical(&state.name)?;
            // Map the data's own level codes to output positions once, not per row.
            let position: Vec<usize> = col
                .levels()
                .iter()
                .map(|l| state.levels.binary_search(l).unwrap_or(state.levels.len()))
                .collect();
            for (i, code) in col.codes().iter().enumerate() {
                let k = code.map_or(state.levels.len(), |c| position[c as usize]);
                out[[i, offset + k]] = 1.0;
            }
            offset += state.levels.len() + 1;
        }
        Ok(out)
    }

    /// The kind each input column must have.
    pub fn input_kinds(&self) -> Vec<(&str, ColumnKind)> {
        self.numeric
            .iter()
            .map(|n| (n.name.as_str(), ColumnKind::Numeric))
            .chain(
                self.categorical
                    .iter()
                    .map(|c| (c.name.as_str(), ColumnKind::Categorical)),
            )
            .collect()
    }
}
