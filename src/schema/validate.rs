use super::repeats::Repeats;
use super::{ColumnSchema, Schema};
use crate::check::{checked_report, Outcome};
use crate::data::{Categorical, Column, ColumnKind, Dataset, Numeric};
use crate::kind::Kind;
use crate::table::{number, Table};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

/// How many example rows a violation lists.
const EXAMPLE_ROWS: usize = 5;

/// Category levels judged in one task: a column of distinct IDs is split across the cores.
const LEVELS_PER_TASK: usize = 1 << 16;

/// The kind of a schema violation; serialises in snake_case (`out_of_range`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ViolationKind {
    /// The batch has fewer rows than the schema's `min_rows`.
    TooFewRows,
    /// A column the schema expects is absent.
    MissingColumn,
    /// A column the schema does not expect (in this environment) is present.
    UnexpectedColumn,
    /// A column is numeric where the schema says categorical, or the reverse.
    WrongKind,
    /// A missing value in a column that is not nullable.
    MissingValue,
    /// A `NaN` value (not a missing marker) in a numeric column that does not allow it.
    Nan,
    /// ±infinity in a numeric column that does not allow it.
    Infinite,
    /// A number below `min` or above `max`.
    OutOfRange,
    /// A category the schema does not list.
    UnseenCategory,
    /// A value of a `unique` column that occurred before.
    NotUnique,
    /// A category that does not match the column's `pattern`.
    PatternMismatch,
    /// A category shorter than `min_length` or longer than `max_length`.
    LengthOutOfRange,
    /// A row that breaks a relation between columns.
    RelationBroken,
    /// A row where a condition holds and the expectation it guards does not.
    ConditionBroken,
}

impl ViolationKind {
    /// The snake_case name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::TooFewRows => "too_few_rows",
            ViolationKind::MissingColumn => "missing_column",
            ViolationKind::UnexpectedColumn => "unexpected_column",
            ViolationKind::WrongKind => "wrong_kind",
            ViolationKind::MissingValue => "missing_value",
            ViolationKind::Nan => "nan",
            ViolationKind::Infinite => "infinite",
            ViolationKind::OutOfRange => "out_of_range",
            ViolationKind::UnseenCategory => "unseen_category",
            ViolationKind::NotUnique => "not_unique",
            ViolationKind::PatternMismatch => "pattern_mismatch",
            ViolationKind::LengthOutOfRange => "length_out_of_range",
            ViolationKind::RelationBroken => "relation_broken",
            ViolationKind::ConditionBroken => "condition_broken",
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One way a dataset breaks its schema: where, how often, example rows, and what was expected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Violation {
    /// The column (`None` for a dataset-level violation such as too few rows).
    pub column: Option<String>,
    /// What is wrong.
    pub kind: ViolationKind,
    /// How many rows (or, for a column-level violation, the dataset's rows).
    pub count: usize,
    /// `count` as a share of the rows.
    pub share: f64,
    /// A few 0-based row numbers where it happens.
    pub rows: Vec<usize>,
    /// Expected and found, in words.
    pub detail: String,
}

/// Every violation of a schema by one dataset. `Display` renders it as a table.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::schema::Schema;
/// let train = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.0, 1.0]))])?;
/// let bad = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.5, 9.0, f64::INFINITY]))])?;
/// let report = Schema::infer(&train).validate(&bad);
/// assert!(!report.outcome().passed());
/// let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
/// assert_eq!(json["valid"], false);
/// assert_eq!(json["violations"][0]["kind"], "infinite");
/// assert_eq!(json["violations"][1]["kind"], "out_of_range");
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    valid: bool,
    rows: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    violations: Vec<Violation>,
    #[serde(skip)]
    outcome: Outcome,
}

checked_report!(with_page: ValidationReport);

/// The violations as a table: column, kind, count, share, example rows, detail.
fn violations_table(violations: &[Violation]) -> Table {
    let mut table = Table::new(["column", "violation", "count", "share", "rows", "detail"])
        .right_align(2)
        .right_align(3);
    for v in violations {
        let rows: Vec<String> = v.rows.iter().map(usize::to_string).collect();
        table.row([
            v.column.clone().unwrap_or_else(|| "-".into()),
            v.kind.to_string(),
            v.count.to_string(),
            format!("{:.2}%", v.share * 100.0),
            rows.join(", "),
            v.detail.clone(),
        ]);
    }
    table
}

impl ValidationReport {
    fn new(
        rows: usize,
        source: Option<PathBuf>,
        environment: Option<String>,
        violations: Vec<Violation>,
    ) -> Self {
        let n = violations.len();
        let mut name = String::from("schema validation");
        if let Some(p) = &source {
            name.push_str(&format!(" of {}", p.display()));
        }
        if let Some(e) = &environment {
            name.push_str(&format!(" (environment `{e}`)"));
        }
        let outcome = if n == 0 {
            Outcome::pass(Kind::Other, name).with_headline(format!("{rows} rows match the schema"))
        } else {
            Outcome::fail(
                Kind::Other,
                name,
                format!(
                    "{n} violation{} in {rows} rows",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .with_table(violations_table(&violations))
            .with_note("rows are 0-based data rows")
        };
        ValidationReport {
            valid: n == 0,
            rows,
            source,
            environment,
            violations,
            outcome,
        }
    }

    /// The check's outcome: passed when the dataset breaks no rule.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// The violations: dataset-level first, then by column in schema order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The violations of one kind.
    pub fn of_kind(&self, kind: ViolationKind) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(move |v| v.kind == kind)
    }

    /// Rows in the dataset validated.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The report as JSON: `valid`, `rows`, `source`, `environment`, `violations` (each with
    /// `column`, `kind`, `count`, `share`, `rows`, `detail`).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serialises");
        s.push('\n');
        s
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self
            .source
            .as_ref()
            .map(|p| format!(" of {}", p.display()))
            .unwrap_or_default();
        let env = self
            .environment
            .as_ref()
            .map(|e| format!(" (environment `{e}`)"))
            .unwrap_or_default();
        if self.valid {
            return writeln!(f, "valid: {} rows{source} match the schema{env}", self.rows);
        }
        let n = self.violations.len();
        writeln!(
            f,
            "invalid: {n} violation{} in {} rows{source}{env}",
            if n == 1 { "" } else { "s" },
            self.rows
        )?;
        write!(f, "{}", violations_table(&self.violations))?;
        writeln!(f, "  (rows are 0-based data rows)")
    }
}

impl Schema {
    /// Checks `data` against every rule, in the default environment (every column expected).
    pub fn validate(&self, data: &Dataset) -> ValidationReport {
        self.validate_in(data, None)
    }

    /// Checks `data` in an environment: columns restricted to other environments must be absent
    /// (e.g. the target in `serving` data).
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let train = Dataset::from_columns(vec![
    ///     ("x".into(), Column::numeric(vec![1.0, 2.0])),
    ///     ("y".into(), Column::categorical([Some("a"), Some("b")])),
    /// ])?.with_target("y")?;
    /// let schema = Schema::infer(&train);
    /// let serving = train.without_column("y")?;
    /// assert!(schema.validate_in(&serving, Some("serving")).outcome().passed());
    /// assert!(!schema.validate_in(&serving, Some("training")).outcome().passed());
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn validate_in(&self, data: &Dataset, environment: Option<&str>) -> ValidationReport {
        let rows = data.n_rows();
        let mut violations = Vec::new();
        if let Some(min) = self.min_rows {
            if rows < min {
                violations.push(Violation {
                    column: None,
                    kind: ViolationKind::TooFewRows,
                    count: rows,
                    share: 1.0,
                    rows: Vec::new(),
                    detail: format!("expected at least {min} rows, found {rows}"),
                });
            }
        }
        let whole = |column: &str, kind, detail: String| Violation {
            column: Some(column.to_string()),
            kind,
            count: rows,
            share: 1.0,
            rows: Vec::new(),
            detail,
        };
        // Columns, relations and conditions are independent: each is checked on its own core
        // (in schema order, so the report is the same on any number of cores).
        let per_column = crate::par::map(&self.columns, |spec| {
            let mut out = Vec::new();
            match (data.column(&spec.name), spec.expected_in(environment)) {
                (Err(_), true) => out.push(whole(
                    &spec.name,
                    ViolationKind::MissingColumn,
                    format!("expected a {} column, found none", spec.kind),
                )),
                (Ok(_), false) => out.push(whole(
                    &spec.name,
                    ViolationKind::UnexpectedColumn,
                    format!(
                        "expected only in {}, not in `{}`",
                        spec.environments.as_deref().unwrap_or_default().join(", "),
                        environment.unwrap_or_default()
                    ),
                )),
                (Err(_), false) => {}
                (Ok(column), true) => check_column(spec, column, rows, &mut out),
            }
            out
        });
        let per_relation = crate::par::map(&self.relations, |relation| {
            let mut out = Vec::new();
            if let (Ok(a), Ok(b)) = (data.column(&relation.left), data.column(&relation.right)) {
                check_relation(relation, a, b, rows, &mut out);
            }
            out
        });
        let per_condition = crate::par::map(&self.conditions, |condition| {
            let mut out = Vec::new();
            if let (Ok(a), Ok(b)) = (
                data.column(&condition.when.column),
                data.column(&condition.then.column),
            ) {
                super::condition::check(condition, a, b, &mut out);
            }
            out
        });
        violations.extend(
            per_column
                .into_iter()
                .chain(per_relation)
                .chain(per_condition)
                .flatten(),
        );
        let known: HashSet<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        for name in data.column_names() {
            if !known.contains(name) {
                violations.push(whole(
                    name,
                    ViolationKind::UnexpectedColumn,
                    "the schema has no such column".into(),
                ));
            }
        }
        ValidationReport::new(
            rows,
            data.source().map(PathBuf::from),
            environment.map(str::to_string),
            violations,
        )
    }
}

/// Counts one kind of violation in a column: how many rows, and the first few.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) count: usize,
    pub(crate) rows: Vec<usize>,
}

impl Tally {
    pub(crate) fn add(&mut self, row: usize) {
        self.count += 1;
        if self.rows.len() < EXAMPLE_ROWS {
            self.rows.push(row);
        }
    }

    /// Reports the tally unless it is within the column's tolerance.
    fn report(
        self,
        spec: &ColumnSchema,
        kind: ViolationKind,
        rows: usize,
        detail: String,
        out: &mut Vec<Violation>,
    ) {
        let share = self.count as f64 / rows.max(1) as f64;
        if self.count > 0 && share > spec.tolerance {
            let allowed = if spec.tolerance > 0.0 {
                format!(" (tolerance {:.2}%)", spec.tolerance * 100.0)
            } else {
                String::new()
            };
            out.push(Violation {
                column: Some(spec.name.clone()),
                kind,
                count: self.count,
                share,
                rows: self.rows,
                detail: format!("{detail}{allowed}"),
            });
        }
    }
}

fn check_column(spec: &ColumnSchema, column: &Column, rows: usize, out: &mut Vec<Violation>) {
    match (spec.kind, column) {
        (ColumnKind::Numeric, Column::Numeric(n)) => check_numeric(spec, n, rows, out),
        (ColumnKind::Categorical, Column::Categorical(c)) => check_categorical(spec, c, rows, out),
        (expected, found) => {
            let mut tally = Tally::default();
            let mut examples = Vec::new();
            if let Column::Categorical(c) = found {
                for (i, code) in c.codes().iter().enumerate() {
                    let Some(code) = code else { continue };
                    let level = &c.levels()[*code as usize];
                    if level.trim().parse::<f64>().is_err() {
                        tally.add(i);
                        if examples.len() < 3 && !examples.contains(level) {
                            examples.push(level.clone());
                        }
                    }
                }
            }
            let like = if examples.is_empty() {
                String::new()
            } else {
                format!(
                    " (values like {})",
                    examples
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out.push(Violation {
                column: Some(spec.name.clone()),
                kind: ViolationKind::WrongKind,
                count: rows,
                share: 1.0,
                rows: tally.rows,
                detail: format!("expected {expected}, found {}{like}", found.kind()),
            });
        }
    }
}

/// The tallies of one numeric column's rules, filled in one pass over its rows.
#[derive(Default)]
struct NumericTallies {
    missing: Tally,
    nan: Tally,
    inf: Tally,
    range: Tally,
    repeated: Tally,
    found_lo: Option<f64>,
    found_hi: Option<f64>,
}

impl NumericTallies {
    /// Classifies a value that is not a finite number in range (rare, so off the hot path).
    #[cold]
    fn classify(
        &mut self,
        spec: &ColumnSchema,
        (lo, hi): (f64, f64),
        i: usize,
        v: f64,
        missing: bool,
    ) {
        if missing {
            if !spec.nullable {
                self.missing.add(i);
            }
        } else if v.is_nan() {
            if !spec.allow_nan {
                self.nan.add(i);
            }
        } else if v.is_infinite() {
            if !spec.allow_infinite {
                self.inf.add(i);
            }
        } else if v < lo || v > hi {
            self.range.add(i);
            self.found_lo = Some(self.found_lo.map_or(v, |x| x.min(v)));
            self.found_hi = Some(self.found_hi.map_or(v, |x| x.max(v)));
        }
    }

    /// One pass over the column: a finite value in range takes one comparison (and, for a
    /// `unique` column, one lookup), so validation runs near the speed of a plain pass.
    fn scan<const UNIQUE: bool>(&mut self, spec: &ColumnSchema, bounds: (f64, f64), n: &Numeric) {
        let (lo, hi) = bounds;
        let values = n.values();
        let mut repeats = Repeats::new(lo, hi, if UNIQUE { values.len() } else { 0 });
        match n.mask() {
            None => {
                for (i, &v) in values.iter().enumerate() {
                    if UNIQUE && !v.is_nan() && repeats.seen(v) {
                        self.repeated.add(i);
                    }
                    if v >= lo && v <= hi && v.is_finite() {
                        continue;
                    }
                    self.classify(spec, bounds, i, v, v.is_nan());
                }
            }
            Some(mask) => {
                for (i, (&v, &m)) in values.iter().zip(mask).enumerate() {
                    if UNIQUE && !m && repeats.seen(v) {
                        self.repeated.add(i);
                    }
                    if !m && v >= lo && v <= hi && v.is_finite() {
                        continue;
                    }
                    self.classify(spec, bounds, i, v, m);
                }
            }
        }
    }
}

fn check_numeric(spec: &ColumnSchema, n: &Numeric, rows: usize, out: &mut Vec<Violation>) {
    let bounds = (
        spec.min.unwrap_or(f64::NEG_INFINITY),
        spec.max.unwrap_or(f64::INFINITY),
    );
    let mut t = NumericTallies::default();
    if spec.unique {
        t.scan::<true>(spec, bounds, n);
    } else {
        t.scan::<false>(spec, bounds, n);
    }
    t.missing.report(
        spec,
        ViolationKind::MissingValue,
        rows,
        "expected no missing value (not nullable)".into(),
        out,
    );
    t.nan.report(
        spec,
        ViolationKind::Nan,
        rows,
        "expected a number, found NaN".into(),
        out,
    );
    t.inf.report(
        spec,
        ViolationKind::Infinite,
        rows,
        "expected a finite number, found ±infinity".into(),
        out,
    );
    let again = t.repeated.rows.first().map(|&r| (number(n.values()[r]), r));
    t.repeated.report(
        spec,
        ViolationKind::NotUnique,
        rows,
        unique_detail(again),
        out,
    );
    let bound = |b: Option<f64>| b.map_or("unbounded".to_string(), number);
    let found = match (t.found_lo, t.found_hi) {
        (Some(a), Some(b)) if a != b => format!("{} .. {}", number(a), number(b)),
        (Some(a), _) => number(a),
        _ => String::new(),
    };
    t.range.report(
        spec,
        ViolationKind::OutOfRange,
        rows,
        format!(
            "expected [{}, {}], found {found}",
            bound(spec.min),
            bound(spec.max)
        ),
        out,
    );
}

/// What a repeated value of a `unique` column breaks, numeric or categorical alike, with the
/// first value seen again and its row.
fn unique_detail(again: Option<(String, usize)>) -> String {
    match again {
        Some((value, row)) => {
            format!("expected every value once (unique), found {value} again (row {row})")
        }
        None => "expected every value once (unique)".into(),
    }
}

fn check_categorical(spec: &ColumnSchema, c: &Categorical, rows: usize, out: &mut Vec<Violation>) {
    // Every rule on a category's text is decided once per level, not per row (categories are
    // interned), as one flag byte, so the pass over the rows reads one byte per rule set. A
    // column of distinct IDs has as many levels as rows: the levels are judged on all cores.
    let cats: Option<HashSet<&str>> = spec
        .categories
        .as_ref()
        .map(|cats| cats.iter().map(String::as_str).collect());
    let pattern = spec
        .pattern
        .as_deref()
        .and_then(|p| regex::Regex::new(&format!("^(?:{p})$")).ok());
    let has_length = spec.min_length.is_some() || spec.max_length.is_some();
    const UNSEEN: u8 = 1;
    const PATTERN: u8 = 2;
    const LENGTH: u8 = 4;
    let flag = |l: &String| {
        let mut flags = 0;
        if cats.as_ref().is_some_and(|cats| !cats.contains(l.as_str())) {
            flags |= UNSEEN;
        }
        if pattern.as_ref().is_some_and(|re| !re.is_match(l)) {
            flags |= PATTERN;
        }
        if has_length {
            let n = l.chars().count();
            if spec.min_length.is_some_and(|m| n < m) || spec.max_length.is_some_and(|m| n > m) {
                flags |= LENGTH;
            }
        }
        flags
    };
    let off: Vec<u8> = if cats.is_some() || pattern.is_some() || has_length {
        let chunks: Vec<&[String]> = c.levels().chunks(LEVELS_PER_TASK).collect();
        crate::par::map(&chunks, |chunk| chunk.iter().map(flag).collect::<Vec<u8>>()).concat()
    } else {
        Vec::new()
    };
    let (mut missing, mut unseen) = (Tally::default(), Tally::default());
    let (mut mismatched, mut wrong_length, mut repeated) =
        (Tally::default(), Tally::default(), Tally::default());
    let mut unseen_counts = vec![0usize; if cats.is_some() { c.levels().len() } else { 0 }];
    let mut occurred = vec![false; if spec.unique { c.levels().len() } else { 0 }];
    let (mut pattern_examples, mut length_examples) = (Vec::new(), Vec::new());
    for (i, code) in c.codes().iter().enumerate() {
        match code {
            None if !spec.nullable => missing.add(i),
            None => {}
            Some(code) => {
                let k = *code as usize;
                let flags = off.get(k).copied().unwrap_or(0);
                if flags & UNSEEN != 0 {
                    unseen.add(i);
                    unseen_counts[k] += 1;
                }
                if flags & PATTERN != 0 {
                    mismatched.add(i);
                    if pattern_examples.len() < 3 && !pattern_examples.contains(&k) {
                        pattern_examples.push(k);
                    }
                }
                if flags & LENGTH != 0 {
                    wrong_length.add(i);
                    if length_examples.len() < 3 && !length_examples.contains(&k) {
                        length_examples.push(k);
                    }
                }
                if spec.unique {
                    if occurred[k] {
                        repeated.add(i);
                    }
                    occurred[k] = true;
                }
            }
        }
    }
    let quoted = |codes: &[usize]| {
        codes
            .iter()
            .map(|&k| format!("`{}`", c.levels()[k]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(p) = &spec.pattern {
        mismatched.report(
            spec,
            ViolationKind::PatternMismatch,
            rows,
            format!(
                "expected values matching `{p}`, found {}",
                quoted(&pattern_examples)
            ),
            out,
        );
    }
    if has_length {
        let bound = |b: Option<usize>| b.map_or("any".to_string(), |n| n.to_string());
        wrong_length.report(
            spec,
            ViolationKind::LengthOutOfRange,
            rows,
            format!(
                "expected {} to {} characters, found {}",
                bound(spec.min_length),
                bound(spec.max_length),
                quoted(&length_examples)
            ),
            out,
        );
    }
    let again = repeated
        .rows
        .first()
        .map(|&r| (format!("`{}`", c.get(r).unwrap_or_default()), r));
    repeated.report(
        spec,
        ViolationKind::NotUnique,
        rows,
        unique_detail(again),
        out,
    );
    missing.report(
        spec,
        ViolationKind::MissingValue,
        rows,
        "expected no missing value (not nullable)".into(),
        out,
    );
    if unseen.count > 0 {
        let mut found: Vec<(usize, &String)> = unseen_counts
            .iter()
            .zip(c.levels())
            .filter(|(n, _)| **n > 0)
            .map(|(n, l)| (*n, l))
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let shown: Vec<String> = found
            .iter()
            .take(3)
            .map(|(n, l)| format!("`{l}` ×{n}"))
            .collect();
        let more = if found.len() > 3 {
            format!(" and {} more", found.len() - 3)
        } else {
            String::new()
        };
        let n_allowed = spec.categories.as_ref().map_or(0, Vec::len);
        unseen.report(
            spec,
            ViolationKind::UnseenCategory,
            rows,
            format!(
                "expected one of {n_allowed} categories, found {}{more}",
                shown.join(", ")
            ),
            out,
        );
    }
}

/// The rows of `a` and `b` that break `relation`: a comparison where both have a value, or
/// `requires` where `a` has one and `b` has none.
fn check_relation(
    relation: &super::Relation,
    a: &Column,
    b: &Column,
    rows: usize,
    out: &mut Vec<Violation>,
) {
    let mut broken = Tally::default();
    let mut example = None;
    match (relation.op, a, b) {
        (super::RelationOp::Requires, _, _) => {
            for i in 0..rows {
                if !a.is_missing(i) && b.is_missing(i) {
                    broken.add(i);
                }
            }
        }
        (op, Column::Numeric(x), Column::Numeric(y)) => {
            // A row that holds is done with one comparison; only the others ask whether a
            // value is missing (a NaN never holds, so every missing NaN comes this way).
            for (i, (&a, &b)) in x.values().iter().zip(y.values()).enumerate() {
                if op.holds(a, b) || x.is_missing(i) || y.is_missing(i) {
                    continue;
                }
                broken.add(i);
                example.get_or_insert((a, b));
            }
        }
        // A comparison of a categorical column is refused when the schema loads; a dataset
        // whose column has the wrong kind is reported as `wrong_kind` already.
        _ => return,
    }
    if broken.count == 0 {
        return;
    }
    let share = broken.count as f64 / rows.max(1) as f64;
    let detail = match example {
        Some((x, y)) => format!(
            "expected {relation}, found {} = {} and {} = {} (row {})",
            relation.left,
            number(x),
            relation.right,
            number(y),
            broken.rows[0]
        ),
        None => format!(
            "expected `{}` wherever `{}` has a value",
            relation.right, relation.left
        ),
    };
    out.push(Violation {
        column: Some(relation.to_string()),
        kind: ViolationKind::RelationBroken,
        count: broken.count,
        share,
        rows: broken.rows,
        detail,
    });
}
