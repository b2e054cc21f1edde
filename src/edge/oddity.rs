use crate::data::{Column, ColumnKind, DataError, Dataset};
use crate::schema::Schema;
use crate::table::number;
use std::fmt;

/// Rows a variant of a feature column touches: every tenth row, starting at row 0, so that a
/// variant is the same on every run and still leaves most rows ordinary.
const EVERY: usize = 10;
/// Rows in the `large_batch` variant.
pub const LARGE_BATCH_ROWS: usize = 100_000;
/// The name of the column the `extra_column` variant adds.
pub const EXTRA_COLUMN: &str = "mlharness_extra_column";
/// The magnitude of the `huge_values` and `huge_negative_values` variants.
pub const EXTREME: f64 = 1e300;
/// The category the `unseen_category` variant introduces.
pub const UNSEEN_CATEGORY: &str = "mlharness_unseen_category";

/// The one list of oddities: the enum, [`Oddity::ALL`], [`Oddity::name`], the names the
/// [`edge_cases!`](crate::edge_cases) macro checks at compile time, and the list it generates
/// tests from all come from here, so a name exists once. (`$d` is a literal `$`, for the macro
/// this one defines.)
macro_rules! oddities {
    ($d:tt $($(#[doc = $doc:literal])* $variant:ident => $name:ident,)*) => {
        /// One kind of odd data, with a stable snake_case name.
        ///
        /// ```
        /// use mlharness::edge::Oddity;
        /// assert_eq!(Oddity::UnseenCategory.name(), "unseen_category");
        /// assert_eq!("large_batch".parse::<Oddity>().unwrap(), Oddity::LargeBatch);
        /// assert_eq!(Oddity::ALL.len(), 23);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Oddity {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Oddity {
            /// Every oddity, in a stable order.
            pub const ALL: [Oddity; 0 $(+ { let _ = stringify!($variant); 1 })*] =
                [$(Oddity::$variant),*];

            /// The stable snake_case name, as tests are named after it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Oddity::$variant => stringify!($name),)*
                }
            }
        }

        /// Each oddity under its name, so that `edge_cases!` can check the names it is given
        /// at compile time: an unknown one does not resolve, and the compiler points at it.
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        pub mod oddity_names {
            $(pub const $name: super::Oddity = super::Oddity::$variant;)*
        }

        /// Calls back `$crate::$macro!(BEFORE [every oddity name] AFTER)`.
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __mlharness_each_oddity {
            ($d callback:ident ($d($d before:tt)*) ($d($d after:tt)*)) => {
                $crate::$d callback! { $d($d before)* [$($name),*] $d($d after)* }
            };
        }
    };
}

oddities! { $
    /// Missing values in one feature column (every tenth row).
    MissingValuesOneColumn => missing_values_one_column,
    /// Missing values in every feature column (every tenth row).
    MissingValuesEverywhere => missing_values_everywhere,
    /// One feature column entirely missing.
    AllMissingColumn => all_missing_column,
    /// `NaN` as a value (not a missing marker) in one numeric column.
    Nan => nan,
    /// `+inf` in one numeric column.
    PositiveInfinity => positive_infinity,
    /// `-inf` in one numeric column.
    NegativeInfinity => negative_infinity,
    /// `1e300` in one numeric column.
    HugeValues => huge_values,
    /// `-1e300` in one numeric column.
    HugeNegativeValues => huge_negative_values,
    /// Values a thousand ranges above the schema's maximum.
    FarOutOfRange => far_out_of_range,
    /// Negative values in a numeric column whose schema minimum is at least 0.
    NegativeValues => negative_values,
    /// Values 1% of the range above the schema's maximum.
    JustAboveMax => just_above_max,
    /// Values 1% of the range below the schema's minimum.
    JustBelowMin => just_below_min,
    /// A category the schema does not know, in one categorical column.
    UnseenCategory => unseen_category,
    /// The empty string as a category.
    EmptyStringCategory => empty_string_category,
    /// A whitespace-only category.
    WhitespaceCategory => whitespace_category,
    /// No rows at all.
    EmptyBatch => empty_batch,
    /// Only the first row.
    SingleRow => single_row,
    /// Every row twice.
    DuplicatedRows => duplicated_rows,
    /// One numeric column set to a single value.
    ConstantColumn => constant_column,
    /// One feature column dropped.
    MissingColumn => missing_column,
    /// One column the schema does not know, added.
    ExtraColumn => extra_column,
    /// The columns in reverse order.
    ShuffledColumnOrder => shuffled_column_order,
    /// 100,000 rows (the base rows, repeated).
    LargeBatch => large_batch,
}

impl Oddity {
    /// True for an oddity put into one column (a NaN, an unseen category, a dropped column),
    /// which [`variants_per_column`] puts into each column it applies to in turn; false for one
    /// of the whole data (no rows, an extra column, every row twice).
    ///
    /// ```
    /// use mlharness::edge::Oddity;
    /// assert!(Oddity::Nan.touches_one_column());
    /// assert!(!Oddity::EmptyBatch.touches_one_column());
    /// ```
    pub fn touches_one_column(self) -> bool {
        use Oddity::*;
        !matches!(
            self,
            MissingValuesEverywhere
                | EmptyBatch
                | SingleRow
                | DuplicatedRows
                | ExtraColumn
                | ShuffledColumnOrder
                | LargeBatch
        )
    }
}

impl fmt::Display for Oddity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Oddity {
    type Err = EdgeError;

    fn from_str(s: &str) -> Result<Self, EdgeError> {
        Oddity::ALL
            .into_iter()
            .find(|o| o.name() == s)
            .ok_or_else(|| EdgeError::UnknownOddity {
                name: s.to_string(),
            })
    }
}

/// A variant that cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EdgeError {
    /// No oddity has this name.
    #[error("no oddity is named `{name}`; known: {}", Oddity::ALL.map(Oddity::name).join(", "))]
    UnknownOddity {
        /// The name asked for.
        name: String,
    },
    /// The base data has nothing this oddity applies to (e.g. no categorical column).
    #[error("oddity `{oddity}` does not apply to this data: {reason}")]
    NotApplicable {
        /// The oddity.
        oddity: &'static str,
        /// Why.
        reason: String,
    },
    /// The base data could not be rebuilt.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The time budget is not one that can time a run (a relative budget, zero runs).
    #[error("the edge-case time budget cannot be checked")]
    Budget(#[source] crate::check::CheckError),
}

/// A dataset carrying one named oddity.
#[derive(Debug, Clone)]
pub struct EdgeCase {
    /// Stable snake_case name (the test's name).
    pub name: String,
    /// One line: what is odd, in which column and rows.
    pub description: String,
    /// The data.
    pub data: Dataset,
}

impl EdgeCase {
    /// A user-defined edge case.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::edge::EdgeCase;
    /// let data = Dataset::from_columns(vec![("age".into(), Column::numeric(vec![-1.0]))])?;
    /// let case = EdgeCase::new("negative_age", "age of -1", data);
    /// assert_eq!(case.name, "negative_age");
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn new(name: impl Into<String>, description: impl Into<String>, data: Dataset) -> Self {
        EdgeCase {
            name: name.into(),
            description: description.into(),
            data,
        }
    }
}

/// Every oddity that applies to `base`, as datasets. Oddities that do not apply (no categorical
/// column for `unseen_category`, …) are left out.
pub fn variants(base: &Dataset, schema: &Schema) -> Vec<EdgeCase> {
    Oddity::ALL
        .iter()
        .filter_map(|o| variant(o.name(), base, schema).ok())
        .collect()
}

/// The variant of `base` carrying the oddity named `name`. Only feature columns are touched;
/// the target, if any, is kept as it is.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::edge;
/// use mlharness::schema::Schema;
/// let base = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))])?;
/// let case = edge::variant("positive_infinity", &base, &Schema::infer(&base))?;
/// assert_eq!(case.data.numeric("x")?.values()[0], f64::INFINITY);
/// assert!(case.description.contains("`x`"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn variant(name: &str, base: &Dataset, schema: &Schema) -> Result<EdgeCase, EdgeError> {
    variant_aimed::<&str>(name, base, schema, &[])
}

/// [`variant`], with the oddity aimed at `aim`: a column oddity goes to the first of these
/// columns of the right kind (a NaN to the first aimed numeric column, an unseen category to
/// the first aimed categorical one) instead of the data's first such column — an ID column
/// first in the file no longer takes every numeric oddity. Empty: the data's first.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::edge;
/// use mlharness::schema::Schema;
/// let base = Dataset::from_columns(vec![
///     ("id".into(), Column::numeric(vec![1.0, 2.0])),
///     ("tenure".into(), Column::numeric(vec![3.0, 40.0])),
/// ])?;
/// let case = edge::variant_aimed("nan", &base, &Schema::infer(&base), &["tenure"])?;
/// assert!(case.description.contains("column `tenure`"), "{}", case.description);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn variant_aimed<S: AsRef<str>>(
    name: &str,
    base: &Dataset,
    schema: &Schema,
    aim: &[S],
) -> Result<EdgeCase, EdgeError> {
    let oddity: Oddity = name.parse()?;
    let aim: Vec<&str> = aim.iter().map(AsRef::as_ref).collect();
    if let Some(unknown) = aim.iter().find(|c| base.column(c).is_err()) {
        return Err(EdgeError::Data(DataError::UnknownColumn {
            column: unknown.to_string(),
            available: base.column_names().join(", "),
        }));
    }
    let (data, description) = build(oddity, base, schema, &aim)?;
    Ok(EdgeCase {
        name: oddity.name().to_string(),
        description,
        data,
    })
}

/// Each variant of the oddity named `name` over the columns it applies to: one per column of
/// the right kind among `aim` (empty: every feature column), in column order — a NaN in each
/// numeric column in turn, an unseen category in each categorical one. An oddity of the whole
/// data (`empty_batch`, `extra_column`, …) gives its one variant. Holds every variant at once;
/// [`run_case`](super::run_case) builds and checks them one at a time.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::edge;
/// use mlharness::schema::Schema;
/// let base = Dataset::from_columns(vec![
///     ("id".into(), Column::numeric(vec![1.0, 2.0])),
///     ("plan".into(), Column::categorical([Some("a"), Some("b")])),
///     ("tenure".into(), Column::numeric(vec![3.0, 40.0])),
/// ])?;
/// let schema = Schema::infer(&base);
/// let nan = edge::variants_per_column("nan", &base, &schema, &[] as &[&str])?;
/// assert_eq!(nan.len(), 2); // `id` and `tenure`, not `plan`
/// assert!(nan[1].description.contains("column `tenure`"));
/// assert_eq!(edge::variants_per_column("nan", &base, &schema, &["tenure"])?.len(), 1);
/// assert_eq!(edge::variants_per_column("empty_batch", &base, &schema, &[] as &[&str])?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn variants_per_column<S: AsRef<str>>(
    name: &str,
    base: &Dataset,
    schema: &Schema,
    aim: &[S],
) -> Result<Vec<EdgeCase>, EdgeError> {
    let mut cases = Vec::new();
    for_each_variant(name, base, schema, aim, |_, case| {
        cases.push(case);
        std::ops::ControlFlow::<()>::Continue(())
    })?;
    Ok(cases)
}

/// Builds the variants of [`variants_per_column`] one at a time, handing each to `visit` (which
/// may stop early) with the column it changed (`None` for an oddity of the whole data);
/// returns how many were visited.
pub(crate) fn for_each_variant<S: AsRef<str>, B>(
    name: &str,
    base: &Dataset,
    schema: &Schema,
    aim: &[S],
    mut visit: impl FnMut(Option<&str>, EdgeCase) -> std::ops::ControlFlow<B>,
) -> Result<usize, EdgeError> {
    let oddity: Oddity = name.parse()?;
    let aim: Vec<&str> = aim.iter().map(AsRef::as_ref).collect();
    if !oddity.touches_one_column() {
        let case = variant_aimed(name, base, schema, &aim)?;
        let _ = visit(None, case);
        return Ok(1);
    }
    if let Some(unknown) = aim.iter().find(|c| base.column(c).is_err()) {
        return Err(EdgeError::Data(DataError::UnknownColumn {
            column: unknown.to_string(),
            available: base.column_names().join(", "),
        }));
    }
    let features = base.feature_names();
    let columns: Vec<&str> = if aim.is_empty() {
        features
    } else {
        aim.into_iter().filter(|c| features.contains(c)).collect()
    };
    let mut visited = 0;
    for column in &columns {
        match build(oddity, base, schema, &[column]) {
            Ok((data, description)) => {
                visited += 1;
                let case = EdgeCase {
                    name: oddity.name().to_string(),
                    description,
                    data,
                };
                if visit(Some(column), case).is_break() {
                    break;
                }
            }
            // A column of the wrong kind for this oddity.
            Err(EdgeError::NotApplicable { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if visited == 0 {
        // Nothing applies: the reason, as the oddity states it for the whole list.
        build(oddity, base, schema, &columns)?;
    }
    Ok(visited)
}

fn not_applicable(oddity: Oddity, reason: &str) -> EdgeError {
    EdgeError::NotApplicable {
        oddity: oddity.name(),
        reason: reason.to_string(),
    }
}

/// The rows a column oddity touches.
fn touched(n: usize) -> Vec<usize> {
    (0..n).step_by(EVERY).collect()
}

fn rows_text(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(3).map(usize::to_string).collect();
    match rows.len() {
        0 => "no rows".into(),
        1 => format!("row {}", shown[0]),
        n if n <= 3 => format!("rows {}", shown.join(", ")),
        n => format!("rows {}, … ({n} rows, every {EVERY}th)", shown.join(", ")),
    }
}

/// Rebuilds a dataset from columns, keeping the target mark when the target is still there.
fn rebuild(base: &Dataset, columns: Vec<(String, Column)>) -> Result<Dataset, DataError> {
    let target = base.target_name().map(str::to_string);
    let keeps_target = target
        .as_deref()
        .is_some_and(|t| columns.iter().any(|(n, _)| n == t));
    let ds = Dataset::from_columns(columns)?;
    match target {
        Some(t) if keeps_target => ds.with_target(&t),
        _ => Ok(ds),
    }
}

fn owned_columns(base: &Dataset) -> Vec<(String, Column)> {
    base.columns()
        .map(|(n, c)| (n.to_string(), c.clone()))
        .collect()
}

/// Replaces one column, rebuilding the dataset.
fn with_replaced(base: &Dataset, name: &str, column: Column) -> Result<Dataset, DataError> {
    let columns = owned_columns(base)
        .into_iter()
        .map(|(n, c)| {
            if n == name {
                (n, column.clone())
            } else {
                (n, c)
            }
        })
        .collect();
    rebuild(base, columns)
}

/// A numeric column with `rows` set to `value` as a present value (a mask keeps a `NaN` a value
/// rather than a missing marker).
fn set_numeric(column: &Column, rows: &[usize], value: f64) -> Result<Column, DataError> {
    let Column::Numeric(n) = column else {
        unreachable!("callers pass numeric columns")
    };
    let mut values = n.values().to_vec();
    let mut mask: Vec<bool> = (0..n.len()).map(|i| n.is_missing(i)).collect();
    for &r in rows {
        values[r] = value;
        mask[r] = false;
    }
    Column::numeric_masked(values, mask)
}

fn set_missing(column: &Column, rows: &[usize]) -> Column {
    match column {
        Column::Numeric(n) => {
            let mut mask: Vec<bool> = (0..n.len()).map(|i| n.is_missing(i)).collect();
            for &r in rows {
                mask[r] = true;
            }
            let mut values = n.values().to_vec();
            for &r in rows {
                values[r] = f64::NAN;
            }
            Column::numeric_masked(values, mask).expect("same length")
        }
        Column::Categorical(c) => {
            let mut values: Vec<Option<&str>> = (0..c.codes().len()).map(|i| c.get(i)).collect();
            for &r in rows {
                values[r] = None;
            }
            Column::categorical(values)
        }
    }
}

fn set_category(column: &Column, rows: &[usize], value: &str) -> Column {
    let Column::Categorical(c) = column else {
        unreachable!("callers pass categorical columns")
    };
    let mut values: Vec<Option<&str>> = (0..c.codes().len()).map(|i| c.get(i)).collect();
    for &r in rows {
        values[r] = Some(value);
    }
    Column::categorical(values)
}

fn build(
    oddity: Oddity,
    base: &Dataset,
    schema: &Schema,
    aim: &[&str],
) -> Result<(Dataset, String), EdgeError> {
    use Oddity::*;
    let n = base.n_rows();
    let all_features: Vec<&str> = base.feature_names();
    // Aimed: the oddity goes to the aimed columns (in the order given), not the data's first.
    let features: Vec<&str> = if aim.is_empty() {
        all_features.clone()
    } else {
        aim.iter()
            .copied()
            .filter(|c| all_features.contains(c))
            .collect()
    };
    let numeric: Vec<&str> = features
        .iter()
        .copied()
        .filter(|f| base.column(f).map(Column::kind).ok() == Some(ColumnKind::Numeric))
        .collect();
    let categorical: Vec<&str> = features
        .iter()
        .copied()
        .filter(|f| base.column(f).map(Column::kind).ok() == Some(ColumnKind::Categorical))
        .collect();
    let needs_rows = |o| {
        if n == 0 {
            Err(not_applicable(o, "the base data has no rows"))
        } else {
            Ok(())
        }
    };
    let first = |list: &[&str], what: &str| -> Result<String, EdgeError> {
        list.first()
            .map(|s| s.to_string())
            .ok_or_else(|| not_applicable(oddity, &format!("the data has no {what} column")))
    };
    let bounds = |col: &str| -> (f64, f64) {
        let spec = schema.column(col);
        let lo = spec.and_then(|s| s.min);
        let hi = spec.and_then(|s| s.max);
        let present: Vec<f64> = base
            .numeric(col)
            .map(|c| c.present().filter(|v| v.is_finite()).collect())
            .unwrap_or_default();
        let data_lo = present.iter().copied().fold(f64::INFINITY, f64::min);
        let data_hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (
            lo.unwrap_or(if data_lo.is_finite() { data_lo } else { 0.0 }),
            hi.unwrap_or(if data_hi.is_finite() { data_hi } else { 0.0 }),
        )
    };
    let numeric_value = |o: Oddity, value: &dyn Fn(&str) -> f64, what: &str| {
        needs_rows(o)?;
        let col = first(&numeric, "numeric feature")?;
        let rows = touched(n);
        let v = value(&col);
        let data = with_replaced(base, &col, set_numeric(base.column(&col)?, &rows, v)?)?;
        Ok::<_, EdgeError>((
            data,
            format!(
                "{what} {} in column `{col}`, {}",
                number(v),
                rows_text(&rows)
            ),
        ))
    };
    let step = |col: &str| {
        let (lo, hi) = bounds(col);
        let range = hi - lo;
        if range > 0.0 {
            range * 0.01
        } else {
            lo.abs().max(1.0) * 0.01
        }
    };
    Ok(match oddity {
        MissingValuesOneColumn => {
            needs_rows(oddity)?;
            let col = first(&features, "feature")?;
            let rows = touched(n);
            let data = with_replaced(base, &col, set_missing(base.column(&col)?, &rows))?;
            (
                data,
                format!("missing values in column `{col}`, {}", rows_text(&rows)),
            )
        }
        MissingValuesEverywhere => {
            needs_rows(oddity)?;
            let rows = touched(n);
            let columns = owned_columns(base)
                .into_iter()
                .map(|(name, c)| {
                    if all_features.contains(&name.as_str()) {
                        let c = set_missing(&c, &rows);
                        (name, c)
                    } else {
                        (name, c)
                    }
                })
                .collect();
            (
                rebuild(base, columns)?,
                format!(
                    "missing values in all {} feature columns, {}",
                    all_features.len(),
                    rows_text(&rows)
                ),
            )
        }
        AllMissingColumn => {
            needs_rows(oddity)?;
            let col = first(&features, "feature")?;
            let rows: Vec<usize> = (0..n).collect();
            let data = with_replaced(base, &col, set_missing(base.column(&col)?, &rows))?;
            (data, format!("column `{col}` missing in every row"))
        }
        Nan => numeric_value(oddity, &|_| f64::NAN, "value")?,
        PositiveInfinity => numeric_value(oddity, &|_| f64::INFINITY, "value")?,
        NegativeInfinity => numeric_value(oddity, &|_| f64::NEG_INFINITY, "value")?,
        HugeValues => numeric_value(oddity, &|_| EXTREME, "value")?,
        HugeNegativeValues => numeric_value(oddity, &|_| -EXTREME, "value")?,
        FarOutOfRange => numeric_value(
            oddity,
            &|c| {
                let (lo, hi) = bounds(c);
                hi + 1000.0 * (hi - lo).max(1.0)
            },
            "value far above the schema's range:",
        )?,
        NegativeValues => {
            needs_rows(oddity)?;
            let col = numeric
                .iter()
                .find(|c| {
                    schema
                        .column(c)
                        .and_then(|s| s.min)
                        .is_some_and(|m| m >= 0.0)
                })
                .map(|c| c.to_string())
                .ok_or_else(|| {
                    not_applicable(oddity, "no numeric feature has a schema minimum ≥ 0")
                })?;
            let (_, hi) = bounds(&col);
            let v = -(hi.abs().max(1.0));
            let rows = touched(n);
            let data = with_replaced(base, &col, set_numeric(base.column(&col)?, &rows, v)?)?;
            (
                data,
                format!(
                    "negative value {} in column `{col}` (schema minimum ≥ 0), {}",
                    number(v),
                    rows_text(&rows)
                ),
            )
        }
        JustAboveMax => numeric_value(
            oddity,
            &|c| bounds(c).1 + step(c),
            "value just above the schema's maximum:",
        )?,
        JustBelowMin => numeric_value(
            oddity,
            &|c| bounds(c).0 - step(c),
            "value just below the schema's minimum:",
        )?,
        UnseenCategory | EmptyStringCategory | WhitespaceCategory => {
            needs_rows(oddity)?;
            let col = first(&categorical, "categorical feature")?;
            let (value, what) = match oddity {
                UnseenCategory => (
                    UNSEEN_CATEGORY,
                    "unseen category `mlharness_unseen_category`",
                ),
                EmptyStringCategory => ("", "empty-string category ``"),
                _ => ("   ", "whitespace category `   `"),
            };
            let rows = touched(n);
            let data = with_replaced(base, &col, set_category(base.column(&col)?, &rows, value))?;
            (
                data,
                format!("{what} in column `{col}`, {}", rows_text(&rows)),
            )
        }
        EmptyBatch => (base.take(&[])?, "no rows".into()),
        SingleRow => {
            needs_rows(oddity)?;
            (base.take(&[0])?, "only row 0".into())
        }
        DuplicatedRows => {
            let rows: Vec<usize> = (0..n).flat_map(|i| [i, i]).collect();
            (
                base.take(&rows)?,
                format!("every row twice ({} rows)", 2 * n),
            )
        }
        ConstantColumn => {
            needs_rows(oddity)?;
            let col = first(&numeric, "numeric feature")?;
            let v = base.numeric(&col)?.median().unwrap_or(0.0);
            let rows: Vec<usize> = (0..n).collect();
            let data = with_replaced(base, &col, set_numeric(base.column(&col)?, &rows, v)?)?;
            (data, format!("column `{col}` constant at {}", number(v)))
        }
        MissingColumn => {
            let col = first(&features, "feature")?;
            (
                base.without_column(&col)?,
                format!("column `{col}` dropped"),
            )
        }
        ExtraColumn => {
            let mut columns = owned_columns(base);
            columns.push((EXTRA_COLUMN.into(), Column::numeric(vec![0.0; n])));
            (
                rebuild(base, columns)?,
                format!("an extra column `{EXTRA_COLUMN}`"),
            )
        }
        ShuffledColumnOrder => {
            let mut columns = owned_columns(base);
            if columns.len() < 2 {
                return Err(not_applicable(
                    oddity,
                    "the data has fewer than two columns",
                ));
            }
            columns.reverse();
            (rebuild(base, columns)?, "columns in reverse order".into())
        }
        LargeBatch => {
            needs_rows(oddity)?;
            let rows: Vec<usize> = (0..LARGE_BATCH_ROWS).map(|i| i % n).collect();
            (
                base.take(&rows)?,
                format!("{LARGE_BATCH_ROWS} rows (the {n} base rows repeated)"),
            )
        }
    })
}
