use super::{ColumnSchema, Schema};
use crate::data::{quantile_sorted, Column, ColumnKind, Dataset, Numeric};

/// Quantiles are estimated from at most this many evenly spaced present values, so that
/// inference stays one linear pass over a large column (min, max and shares stay exact).
const QUANTILE_SAMPLE: usize = 10_000;

/// How [`Schema::infer`] turns data into a schema.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::schema::InferOptions;
/// let ids: Vec<String> = (0..500).map(|i| format!("id{i}")).collect();
/// let ds = Dataset::from_columns(vec![("id".into(), Column::categorical(ids.iter().map(Some)))])?;
/// let schema = InferOptions::default().max_domain_size(100).infer(&ds);
/// assert_eq!(schema.columns[0].categories, None); // too many to list: any value is allowed
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
#[derive(Debug, Clone)]
pub struct InferOptions {
    max_domain_size: usize,
    quantiles: Vec<f64>,
    tolerance: f64,
    target_environment: Option<String>,
}

impl Default for InferOptions {
    fn default() -> Self {
        InferOptions {
            max_domain_size: 100,
            quantiles: vec![0.01, 0.25, 0.5, 0.75, 0.99],
            tolerance: 0.0,
            target_environment: Some("training".into()),
        }
    }
}

impl InferOptions {
    /// A categorical column with more distinct values than this records no category list
    /// (any value is allowed). Default 100.
    pub fn max_domain_size(mut self, n: usize) -> Self {
        self.max_domain_size = n;
        self
    }

    /// The quantile probabilities to record (default 1%, 25%, 50%, 75%, 99%).
    pub fn quantiles(mut self, probabilities: &[f64]) -> Self {
        self.quantiles = probabilities.to_vec();
        self
    }

    /// The tolerance ("mostly") given to every column (default 0: no violation tolerated).
    pub fn tolerance(mut self, share: f64) -> Self {
        self.tolerance = share;
        self
    }

    /// The environment the target column is restricted to (default `training`; `None` expects
    /// the target everywhere).
    pub fn target_environment(mut self, environment: Option<&str>) -> Self {
        self.target_environment = environment.map(str::to_string);
        self
    }

    /// Infers a schema from every row of `data`.
    pub fn infer(&self, data: &Dataset) -> Schema {
        let target = data.target_name();
        let columns = data
            .columns()
            .map(|(name, column)| {
                let mut c = match column {
                    Column::Numeric(n) => self.numeric(name, n),
                    Column::Categorical(cat) => {
                        let counts = cat.counts();
                        let seen: Vec<String> = cat
                            .levels()
                            .iter()
                            .zip(&counts)
                            .filter(|(_, &n)| n > 0)
                            .map(|(l, _)| l.clone())
                            .collect();
                        let missing = cat.codes().iter().filter(|c| c.is_none()).count();
                        let present = cat.codes().len() - missing;
                        let listed = seen.len() <= self.max_domain_size;
                        // Inferred where it is safe: every value distinct over enough rows is an
                        // identifier; a domain too large to list still has a length range.
                        let unique = present >= 20 && seen.len() == present;
                        let lengths = seen.iter().map(|l| l.chars().count());
                        let (min_length, max_length) = if listed || seen.is_empty() {
                            (None, None)
                        } else {
                            (lengths.clone().min(), lengths.max())
                        };
                        ColumnSchema {
                            categories: listed.then_some(seen),
                            unique,
                            min_length,
                            max_length,
                            ..self.blank(name, ColumnKind::Categorical, missing, cat.codes().len())
                        }
                    }
                };
                if Some(name) == target {
                    c.environments = self.target_environment.clone().map(|e| vec![e]);
                }
                c
            })
            .collect();
        let mut schema = Schema {
            mlharness_schema: 1,
            min_rows: None,
            columns,
            relations: Vec::new(),
            conditions: Vec::new(),
        };
        schema.mlharness_schema = schema.needed_version();
        schema
    }

    fn blank(&self, name: &str, kind: ColumnKind, missing: usize, rows: usize) -> ColumnSchema {
        ColumnSchema {
            name: name.to_string(),
            kind,
            nullable: missing > 0,
            missing_share: if rows == 0 {
                0.0
            } else {
                missing as f64 / rows as f64
            },
            min: None,
            max: None,
            allow_nan: false,
            allow_infinite: false,
            categories: None,
            quantiles: Vec::new(),
            tolerance: self.tolerance,
            environments: None,
            unique: false,
            pattern: None,
            min_length: None,
            max_length: None,
        }
    }

    fn numeric(&self, name: &str, n: &Numeric) -> ColumnSchema {
        let values = n.values();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut missing, mut nan, mut infinite) = (0usize, 0usize, 0usize);
        match n.mask() {
            None => {
                for &v in values {
                    if v.is_finite() {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    } else if v.is_nan() {
                        missing += 1;
                    } else {
                        infinite += 1;
                    }
                }
            }
            Some(mask) => {
                for (&v, &m) in values.iter().zip(mask) {
                    if m {
                        missing += 1;
                    } else if v.is_finite() {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    } else if v.is_nan() {
                        nan += 1;
                    } else {
                        infinite += 1;
                    }
                }
            }
        }
        let finite = values.len() - missing - nan - infinite;
        ColumnSchema {
            unique: looks_like_an_id(name, n, finite, nan + infinite, (lo, hi)),
            min: (finite > 0).then_some(lo),
            max: (finite > 0).then_some(hi),
            allow_nan: nan > 0,
            allow_infinite: infinite > 0,
            quantiles: self.sample_quantiles(n, finite),
            ..self.blank(name, ColumnKind::Numeric, missing, values.len())
        }
    }

    fn sample_quantiles(&self, n: &Numeric, finite: usize) -> Vec<(f64, f64)> {
        if finite == 0 || self.quantiles.is_empty() {
            return Vec::new();
        }
        let step = finite.div_ceil(QUANTILE_SAMPLE);
        let mut sample: Vec<f64> = n
            .present()
            .filter(|v| v.is_finite())
            .step_by(step)
            .collect();
        sample.sort_unstable_by(f64::total_cmp);
        self.quantiles
            .iter()
            .map(|&p| (p, quantile_sorted(&sample, p)))
            .collect()
    }
}

/// Whether a numeric column is an identifier, so that `unique` is safe to infer: at least 20
/// values, all distinct integers, and either an ID's name (`id`, `customer_id`, `userId`) or
/// a dense run (no more than twice as many integers in the range as rows, over 100 rows or
/// more: a row number, such as pandas' `Unnamed: 0`). Distinct measurements (ages over 30
/// rows) are neither.
fn looks_like_an_id(
    name: &str,
    n: &Numeric,
    finite: usize,
    odd: usize,
    (lo, hi): (f64, f64),
) -> bool {
    if finite < 20 || odd > 0 {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    // `customerId`, `userID`: a lowercase letter before the suffix, so `PAID` or `VALID` is
    // not an ID.
    let camel = ["Id", "ID"].iter().any(|suffix| {
        name.strip_suffix(suffix)
            .and_then(|stem| stem.chars().last())
            .is_some_and(char::is_lowercase)
    });
    let named = lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with("-id")
        || lower.starts_with("id_")
        || camel
        || lower == "index"
        || lower.starts_with("unnamed");
    let dense = finite >= 100 && hi - lo < 2.0 * finite as f64;
    if !(named || dense) {
        return false;
    }
    let mut repeats = super::repeats::Repeats::new(lo, hi, finite);
    n.present()
        .all(|v| super::repeats::is_integer(v) && !repeats.seen(v))
}

#[cfg(test)]
mod tests {
    use crate::data::quantile_sorted as interpolate;

    #[test]
    fn interpolation_matches_numpy_linear() {
        // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 1]) == [1, 1.75, 2.5, 4]
        let v = [1.0, 2.0, 3.0, 4.0];
        let q: Vec<f64> = [0.0, 0.25, 0.5, 1.0]
            .iter()
            .map(|&p| interpolate(&v, p))
            .collect();
        assert_eq!(q, [1.0, 1.75, 2.5, 4.0]);
    }
}
