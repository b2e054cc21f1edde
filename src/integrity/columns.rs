//! Checks of one column at a time: categories that are one value spelt several ways, numbers
//! and text mixed in one column, values made only of special characters, far outliers.

use super::{DataChecks, Finding, IntegrityReport};
use crate::check::CheckError;
use crate::data::{Column, Dataset};
use crate::table::number;
use std::collections::BTreeMap;

/// A category as a person reads it: case, surrounding and repeated whitespace, and
/// punctuation ignored, so `MALE`, `male`, ` male` and `Male.` are one value.
fn normalised(level: &str) -> String {
    let mut out = String::with_capacity(level.len());
    let mut space = false;
    for ch in level.trim().chars() {
        if ch.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(ch.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Parses as a number the way a CSV reader would (surrounding whitespace allowed); `NaN` and
/// `inf`, which Rust parses, are words here.
fn looks_numeric(s: &str) -> bool {
    let t = s.trim();
    t.bytes().any(|b| b.is_ascii_digit()) && t.parse::<f64>().is_ok()
}

/// No letter or digit in it (and not empty: an empty category is its own oddity).
fn only_special(s: &str) -> bool {
    !s.trim().is_empty() && !s.chars().any(char::is_alphanumeric)
}

fn quoted(levels: &[(String, usize)]) -> String {
    levels
        .iter()
        .map(|(l, n)| format!("`{l}` ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl DataChecks {
    /// Categories that are one value spelt several ways (`MALE` / `male` / ` male`): a model
    /// learns them apart. Per categorical column, each group of levels that agree once case,
    /// whitespace and punctuation are ignored; fails on any such group.
    pub fn category_mismatch(&self, data: &Dataset) -> Result<IntegrityReport, CheckError> {
        let data = &*self.kept(data)?;
        let check = "category_mismatch";
        let mut findings = Vec::new();
        for (name, column) in data.columns() {
            let Column::Categorical(c) = column else {
                continue;
            };
            let counts = c.counts();
            let mut by_form: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
            for (level, &n) in c.levels().iter().zip(&counts) {
                if n > 0 {
                    by_form
                        .entry(normalised(level))
                        .or_default()
                        .push((level.clone(), n));
                }
            }
            let groups: Vec<&Vec<(String, usize)>> =
                by_form.values().filter(|g| g.len() > 1).collect();
            if groups.is_empty() {
                continue;
            }
            // Rows carrying a spelling other than the group's most frequent one.
            let count: usize = groups
                .iter()
                .map(|g| {
                    let total: usize = g.iter().map(|(_, n)| n).sum();
                    total - g.iter().map(|(_, n)| *n).max().unwrap_or(0)
                })
                .sum();
            let examples = groups
                .iter()
                .take(self.examples)
                .map(|g| quoted(g))
                .collect();
            findings.push(Finding::new(check, Some(name), false, count).with_examples(examples));
        }
        Ok(IntegrityReport::per_column(
            check,
            findings,
            "spellings of one category",
        ))
    }

    /// Numbers and text mixed in one column (`12`, `7`, `n/a`, `twelve`): a numeric column
    /// read as categories because of a few stray values, or codes half of which lost their
    /// letters. Per categorical column whose values are partly numbers and partly not; the
    /// count is the rows of the rarer type.
    pub fn mixed_types(&self, data: &Dataset) -> Result<IntegrityReport, CheckError> {
        let data = &*self.kept(data)?;
        let check = "mixed_types";
        let mut findings = Vec::new();
        for (name, column) in data.columns() {
            let Column::Categorical(c) = column else {
                continue;
            };
            let counts = c.counts();
            let mut numbers: Vec<(String, usize)> = Vec::new();
            let mut texts: Vec<(String, usize)> = Vec::new();
            for (level, &n) in c.levels().iter().zip(&counts) {
                if n == 0 {
                    continue;
                }
                if looks_numeric(level) {
                    numbers.push((level.clone(), n));
                } else {
                    texts.push((level.clone(), n));
                }
            }
            if numbers.is_empty() || texts.is_empty() {
                continue;
            }
            let (n_numbers, n_texts): (usize, usize) = (
                numbers.iter().map(|(_, n)| n).sum(),
                texts.iter().map(|(_, n)| n).sum(),
            );
            let (rarer, what, count) = if n_numbers <= n_texts {
                (numbers, "numbers among text", n_numbers)
            } else {
                (texts, "text among numbers", n_texts)
            };
            let mut shown = rarer;
            shown.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            shown.truncate(self.examples);
            findings.push(
                Finding::new(check, Some(name), false, count)
                    .with_examples(vec![format!("{what}: {}", quoted(&shown))]),
            );
        }
        Ok(IntegrityReport::per_column(
            check,
            findings,
            "rows of the rarer type in a column mixing numbers and text",
        ))
    }

    /// Category values made only of special characters (`?`, `-`, `###`, `N/A` is fine):
    /// placeholders for a missing value that the data treats as a real category.
    pub fn special_characters(&self, data: &Dataset) -> Result<IntegrityReport, CheckError> {
        let data = &*self.kept(data)?;
        let check = "special_characters";
        let mut findings = Vec::new();
        for (name, column) in data.columns() {
            let Column::Categorical(c) = column else {
                continue;
            };
            let counts = c.counts();
            let mut special: Vec<(String, usize)> = c
                .levels()
                .iter()
                .zip(&counts)
                .filter(|(l, &n)| n > 0 && only_special(l))
                .map(|(l, &n)| (l.clone(), n))
                .collect();
            if special.is_empty() {
                continue;
            }
            let count = special.iter().map(|(_, n)| n).sum();
            special.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            special.truncate(self.examples);
            findings.push(
                Finding::new(check, Some(name), false, count).with_examples(vec![quoted(&special)]),
            );
        }
        Ok(IntegrityReport::per_column(
            check,
            findings,
            "rows whose category has no letter or digit",
        ))
    }

    /// Far outliers: values more than [`outlier_iqr`](Self::outlier_iqr) (default 3)
    /// interquartile ranges beyond the quartiles — a unit error, a sentinel such as `-999` or
    /// `99999`. Per numeric column; fails a column whose share of such values is above
    /// [`max_outlier_share`](Self::max_outlier_share) (default 2%: a count such as customer
    /// service calls has a real tail), any outlier when that share is 0. A column whose
    /// quartiles are equal is skipped (most values alike: any other value would count).
    pub fn outliers(&self, data: &Dataset) -> Result<IntegrityReport, CheckError> {
        let data = &*self.kept(data)?;
        let check = "outliers";
        let mut findings = Vec::new();
        for (name, column) in data.columns() {
            let Column::Numeric(n) = column else {
                continue;
            };
            let (Some(q1), Some(q3)) = (n.quantile(0.25), n.quantile(0.75)) else {
                continue;
            };
            let iqr = q3 - q1;
            // Equal quartiles (or a NaN among them): no spread to measure against.
            if iqr.is_nan() || iqr <= 0.0 {
                continue;
            }
            let (lo, hi) = (q1 - self.outlier_iqr * iqr, q3 + self.outlier_iqr * iqr);
            let mut rows: Vec<(usize, f64)> = (0..n.len())
                .filter(|&i| !n.is_missing(i))
                .map(|i| (i, n.values()[i]))
                .filter(|&(_, v)| v.is_finite() && (v < lo || v > hi))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let count = rows.len();
            let present = n.len() - column.missing_count();
            let share = count as f64 / present.max(1) as f64;
            // The furthest first.
            rows.sort_by(|a, b| {
                let d = |v: f64| if v > hi { v - hi } else { lo - v };
                d(b.1).total_cmp(&d(a.1))
            });
            let examples = rows
                .iter()
                .take(self.examples)
                .map(|(i, v)| format!("row {i}: {}", number(*v)))
                .collect();
            findings.push(
                Finding::new(check, Some(name), share <= self.max_outlier_share, count)
                    .with_examples(examples)
                    .with_detail(format!(
                        "outside [{}, {}] ({:.2}% of values, allowed {:.2}%)",
                        number(lo),
                        number(hi),
                        share * 100.0,
                        self.max_outlier_share * 100.0
                    )),
            );
        }
        Ok(IntegrityReport::per_column(
            check,
            findings,
            "values far outside the interquartile range",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_that_a_reader_takes_for_one_value_normalise_alike() {
        for s in ["MALE", "male", " male", "Male.", "male "] {
            assert_eq!(normalised(s), "male");
        }
        assert_eq!(normalised("New  York"), normalised("new-york"));
        assert_ne!(normalised("male"), normalised("female"));
        assert!(only_special("?") && only_special(" -- ") && !only_special("N/A"));
        assert!(!only_special("") && !only_special("  "));
        assert!(looks_numeric(" 12 ") && looks_numeric("1e3") && !looks_numeric("n/a"));
        assert!(!looks_numeric("NaN") && !looks_numeric("inf"));
    }
}
