//! Candidate against reference, row by row.

use super::{predict, CheckError, Golden, GoldenState};
use crate::check::{InvalidSetting, Outcome, Range, Table};
use crate::data::{DataError, Dataset};
use crate::kind::Kind;
use crate::metrics::Metric;
use crate::model::{ClassPredictions, Model, Predictions};
use crate::stats::{mcnemar_from_outcomes, wilcoxon};

/// A differential test: the candidate's predictions against a reference's on the same rows.
///
/// It fails when
/// - more than `max_changed_share` of the rows changed: a class flipped (or, with a
///   probability tolerance, a class probability moved further than it), or a regression value
///   moved by more than `tolerance + relative_tolerance · |reference|`;
/// - a metric moved beyond its tolerance — worse by more than `max_worse` or better by more
///   than `max_better` (an established model should barely move; a new one may be allowed to);
/// - the candidate is significantly worse (p < `alpha`, default 0.05) by a paired test on the
///   rows with a known truth: the exact McNemar test of who classifies which rows right, or
///   the Wilcoxon signed-rank test of the absolute errors (rows within tolerance count as
///   unchanged). Without a target a regressor's significant shift in either direction fails.
///
/// The failure message is a table of these checks and the worst changed rows.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::differential::Differential;
/// use mlharness::metrics::Metric;
/// use mlharness::model::Predictions;
///
/// let truth: Vec<Option<&str>> = (0..200).map(|i| Some(if i % 4 == 0 { "yes" } else { "no" })).collect();
/// let data = Dataset::from_columns(vec![("y".into(), Column::categorical(truth))])?.with_target("y")?;
/// let classes = vec!["no".to_string(), "yes".to_string()];
/// let v1 = Predictions::classes(classes.clone(), (0..200).map(|i| usize::from(i % 4 == 0)).collect())?;
/// // v2 misses 30 of the 50 "yes" rows.
/// let v2 = Predictions::classes(classes, (0..200).map(|i| usize::from(i % 4 == 0 && i >= 120)).collect())?;
/// let check = Differential::new().max_changed_share(0.02).metric(Metric::Accuracy, 0.01, 0.05);
/// let outcome = check.compare(&data, &v2, &v1, "v1")?;
/// assert!(!outcome.passed());
/// let text = outcome.to_string();
/// assert!(text.contains("30 of 200"), "{text}");
/// assert!(text.contains("McNemar"), "{text}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Differential {
    max_changed_share: f64,
    tolerance: f64,
    relative_tolerance: f64,
    probability_tolerance: Option<f64>,
    metrics: Vec<(Metric, f64, f64)>,
    alpha: f64,
    worst_rows: usize,
    near_threshold: Option<f64>,
    noise: Option<String>,
    /// Margin over the seed noise a golden records ([`Differential::within_recorded_noise`]).
    recorded_noise: Option<f64>,
    /// Time per row allowed over the golden's ([`Differential::time_budget`]).
    time_factor: Option<f64>,
}

/// Runs of the candidate's prediction timed for a [time budget](Differential::time_budget).
const TIMED_RUNS: usize = 3;

/// The candidate's and the golden's seconds per row, and the factor allowed.
#[derive(Clone, Copy)]
struct Timing {
    candidate: f64,
    golden: f64,
    factor: f64,
}

impl Default for Differential {
    fn default() -> Self {
        Differential::new()
    }
}

/// Per row: changed or not, and how much (for ordering the worst rows).
struct RowChanges {
    changed: Vec<bool>,
    size: Vec<f64>,
    /// What the HTML report draws: changes by class, old and new confusion.
    figures: Vec<crate::figure::Figure>,
}

impl Differential {
    /// At most 1% of rows changed, exact regression values, no metric bounds, α = 0.05, the
    /// 5 worst rows listed.
    pub fn new() -> Self {
        Differential {
            max_changed_share: 0.01,
            tolerance: 0.0,
            relative_tolerance: 0.0,
            probability_tolerance: None,
            metrics: Vec::new(),
            alpha: 0.05,
            worst_rows: 5,
            near_threshold: None,
            noise: None,
            recorded_noise: None,
            time_factor: None,
        }
    }

    /// The largest share of changed rows that passes (0.01 = 1%).
    pub fn max_changed_share(mut self, share: f64) -> Self {
        self.max_changed_share = share;
        self
    }

    /// A regression value within this absolute distance of the reference is unchanged.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Tolerance relative to the reference value, added to the absolute one.
    pub fn relative_tolerance(mut self, relative: f64) -> Self {
        self.relative_tolerance = relative;
        self
    }

    /// Also count a classifier's row as changed when a class probability moved by more than
    /// this, even if the class did not flip.
    pub fn probability_tolerance(mut self, tolerance: f64) -> Self {
        self.probability_tolerance = Some(tolerance);
        self
    }

    /// Bound the change of `metric`: at most `max_worse` worse and `max_better` better than the
    /// reference (in the metric's units). May be given for several metrics.
    pub fn metric(mut self, metric: Metric, max_worse: f64, max_better: f64) -> Self {
        self.metrics.push((metric, max_worse, max_better));
        self
    }

    /// Significance level of the paired test (default 0.05).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// A class flip whose reference and candidate rows both have their top two probabilities
    /// within `band` of each other is *near the threshold*: the noise of retraining moves such
    /// rows. They are reported on a row of their own and not counted against
    /// [`max_changed_share`](Self::max_changed_share); confident flips are. Needs
    /// probabilities on both sides.
    pub fn near_threshold(mut self, band: f64) -> Self {
        self.near_threshold = Some(band);
        self
    }

    /// Takes the bound on changed rows from the noise between healthy seeds
    /// ([`Reproducibility::measure`](super::Reproducibility::measure)): the largest share of
    /// rows two seeds disagree on, plus `margin` — for a classifier; for a regressor, a
    /// prediction may move by up to the largest seed-to-seed change times `1 + margin`.
    ///
    /// ```
    /// use mlharness::differential::{Differential, Reproducibility};
    /// use mlharness::metrics::Metric;
    /// use mlharness::prelude::*;
    /// let data = Dataset::from_columns(vec![("x".into(), Column::numeric((0..100).map(f64::from).collect()))])?
    ///     .with_target("x")?;
    /// // A "model" whose seed moves the threshold a little.
    /// let train = |seed: u64| -> Result<_, ModelError> {
    ///     Ok(move |d: &Dataset| -> Result<Predictions, ModelError> {
    ///         let cut = 50.0 + seed as f64;
    ///         Ok(Predictions::values(d.numeric("x")?.values().iter().map(|v| f64::from(*v > cut)).collect()))
    ///     })
    /// };
    /// let noise = Reproducibility::new(Metric::Mae).seeds(&[0, 1, 2]).measure(&data, train)?;
    /// assert_eq!(noise.largest_change, 1.0);
    /// let check = Differential::new().within_seed_noise(&noise, 0.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn within_seed_noise(self, noise: &super::SeedNoise, margin: f64) -> Self {
        self.bounded_by(&super::RecordedNoise::from(noise), margin, "")
    }

    /// [`within_seed_noise`](Self::within_seed_noise) with the noise the golden recorded when
    /// it was recorded ([`Golden::seed_noise`]), for
    /// [`against_golden`](Self::against_golden): the N seeds are trained once, with the
    /// golden, not on every run. A golden without recorded noise is an error saying how to
    /// re-record it.
    ///
    /// ```
    /// use mlharness::differential::{Differential, Golden, Reproducibility};
    /// use mlharness::metrics::Metric;
    /// use mlharness::prelude::*;
    /// let data = || Dataset::from_columns(vec![("x".into(), Column::numeric((0..100).map(f64::from).collect()))])
    ///     .and_then(|d| d.with_target("x")).unwrap();
    /// let train = |seed: u64| -> Result<_, ModelError> {
    ///     Ok(move |d: &Dataset| Ok(Predictions::values(d.numeric("x")?.values().iter().map(|v| v + seed as f64 * 0.1).collect())))
    /// };
    /// let dir = tempfile::tempdir()?;
    /// let golden = Golden::new(dir.path().join("g.json"))
    ///     .env(|_| None)
    ///     .seed_noise(move || Reproducibility::new(Metric::Mae).seeds(&[0, 1, 2]).measure(&data(), train));
    /// let check = Differential::new().within_recorded_noise(0.5);
    /// let v1 = train(0)?;
    /// check.against_golden(&data(), &v1, "v1", &golden)?.assert_passed(); // records it
    /// // Seed 2 moves predictions by 0.2, the noise recorded: within it (plus 50%).
    /// check.against_golden(&data(), &train(2)?, "v1", &golden)?.assert_passed();
    /// // Seed 9 moves them by 0.9: beyond any healthy seed.
    /// assert!(!check.against_golden(&data(), &train(9)?, "v1", &golden)?.passed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn within_recorded_noise(mut self, margin: f64) -> Self {
        self.recorded_noise = Some(margin);
        self
    }

    fn bounded_by(mut self, noise: &super::RecordedNoise, margin: f64, source: &str) -> Self {
        if noise.largest_change > 0.0 {
            self.tolerance = noise.largest_change * (1.0 + margin);
            self.noise = Some(format!(
                "tolerance from seed noise{source}: largest seed-to-seed change {:.4} × (1 + {margin})",
                noise.largest_change
            ));
        } else {
            self.max_changed_share = (noise.max_changed_share + margin).min(1.0);
            self.noise = Some(format!(
                "bound from seed noise{source}: {:.2}% of rows change class between healthy seeds ({} seeds), plus {:.2} points",
                noise.max_changed_share * 100.0,
                noise.seeds.len(),
                margin * 100.0
            ));
        }
        self
    }

    /// Against a golden, the candidate's time per row must be at most `factor` × the time per
    /// row recorded with the golden — "within 1.5× the golden run's time" — each side the
    /// median of 3 timed predictions of the whole data. Recording the golden records the
    /// time; a golden recorded without it is an error saying how to re-record it. A budget for
    /// CI that needs no absolute number, as long as the golden is recorded on a machine like
    /// the one that checks it.
    pub fn time_budget(mut self, factor: f64) -> Self {
        self.time_factor = Some(factor);
        self
    }

    /// How many of the most changed rows to list (default 5).
    pub fn worst_rows(mut self, rows: usize) -> Self {
        self.worst_rows = rows;
        self
    }

    /// Predicts `data` with both models and compares.
    pub fn against_model(
        &self,
        data: &Dataset,
        candidate: &(impl Model + ?Sized),
        reference: &(impl Model + ?Sized),
        reference_name: &str,
    ) -> Result<Outcome, CheckError> {
        let c = predict("the candidate", candidate, data)?;
        let r = predict(reference_name, reference, data)?;
        self.compare(data, &c, &r, reference_name)
    }

    /// Predicts `data` with the candidate and compares with the golden file, which is created
    /// (or, on request, updated) from the candidate's predictions when that is what the
    /// environment asks for — see [`Golden`]. Writing a golden passes, with a note saying so.
    pub fn against_golden(
        &self,
        data: &Dataset,
        candidate: &(impl Model + ?Sized),
        model_version: &str,
        golden: &Golden,
    ) -> Result<Outcome, CheckError> {
        self.validate()?;
        let (predictions, seconds_per_row) = match self.time_factor {
            None => (predict("the candidate", candidate, data)?, None),
            Some(_) => {
                let mut times = Vec::with_capacity(TIMED_RUNS);
                let mut first = None;
                for _ in 0..TIMED_RUNS {
                    let start = std::time::Instant::now();
                    let p = predict("the candidate", candidate, data)?;
                    times.push(start.elapsed().as_secs_f64());
                    first.get_or_insert(p);
                }
                times.sort_by(f64::total_cmp);
                let per_row = times[TIMED_RUNS / 2] / data.n_rows().max(1) as f64;
                (first.expect("timed at least once"), Some(per_row))
            }
        };
        match golden.resolve_timed(data, &predictions, model_version, seconds_per_row)? {
            GoldenState::Written { file, previous } => {
                let mut table = Table::new(["golden", "rows", "model version", "data"]);
                table.row([
                    golden.path().display().to_string(),
                    file.rows.to_string(),
                    file.model_version.clone(),
                    file.data_fingerprint.clone(),
                ]);
                let what = match previous {
                    None => "created".to_string(),
                    Some(v) => format!("updated (was model version {v})"),
                };
                let mut outcome = Outcome::new(
                    Kind::Differential,
                    format!("differential: golden {what}, nothing compared"),
                    true,
                )
                .with_table(table)
                .with_note("commit the golden file: later runs compare against it");
                if let Some(noise) = &file.seed_noise {
                    outcome = outcome.with_note(format!(
                        "recorded the seed noise of {} seeds: {:.2}% of rows change class at most, largest change {:.4}",
                        noise.seeds.len(),
                        noise.max_changed_share * 100.0,
                        noise.largest_change
                    ));
                }
                if let Some(s) = file.seconds_per_row {
                    outcome =
                        outcome.with_note(format!("recorded the time per row: {}", per_row(s)));
                }
                Ok(outcome)
            }
            GoldenState::Existing(file) => {
                let stale = |field: &str, what: &str| {
                    CheckError::Golden(super::GoldenError::Invalid {
                        path: golden.path().to_path_buf(),
                        field: field.into(),
                        message: format!(
                            "not recorded with this golden, and the check {what}; re-record it with `{}`",
                            golden.update_command()
                        ),
                    })
                };
                let this =
                    match (self.recorded_noise, &file.seed_noise) {
                        (None, _) => self.clone(),
                        (Some(margin), Some(noise)) => {
                            self.clone()
                                .bounded_by(noise, margin, " (recorded with the golden)")
                        }
                        (Some(_), None) => return Err(stale(
                            "seed_noise",
                            "takes its bound from it (give the Golden a `seed_noise` measurement)",
                        )),
                    };
                let timing = match (self.time_factor, file.seconds_per_row, seconds_per_row) {
                    (Some(factor), Some(golden), Some(candidate)) => Some(Timing {
                        candidate,
                        golden,
                        factor,
                    }),
                    (Some(_), None, _) => {
                        return Err(stale("seconds_per_row", "has a time budget"))
                    }
                    _ => None,
                };
                let reference = file.predictions().clone();
                let candidate = file.round(&predictions);
                let name = format!(
                    "golden {} (model {}, rounded to {} decimals)",
                    golden.path().display(),
                    file.model_version,
                    file.rounding
                );
                this.compare_timed(data, &candidate, &reference, &name, timing)
            }
        }
    }

    /// Compares predictions already made; `reference_name` names the reference in the report.
    pub fn compare(
        &self,
        data: &Dataset,
        candidate: &Predictions,
        reference: &Predictions,
        reference_name: &str,
    ) -> Result<Outcome, CheckError> {
        self.compare_timed(data, candidate, reference, reference_name, None)
    }

    fn compare_timed(
        &self,
        data: &Dataset,
        candidate: &Predictions,
        reference: &Predictions,
        reference_name: &str,
        timing: Option<Timing>,
    ) -> Result<Outcome, CheckError> {
        self.validate()?;
        let mismatch = |message: String| CheckError::Mismatch {
            what: format!("the candidate with {reference_name}"),
            message,
        };
        let n = data.n_rows();
        if candidate.len() != n || reference.len() != n {
            return Err(mismatch(format!(
                "the data has {n} rows, the candidate {} predictions, the reference {}",
                candidate.len(),
                reference.len()
            )));
        }
        if n == 0 {
            return Err(mismatch("the data has no rows".into()));
        }
        let mut table = Table::new(["check", "candidate vs reference", "allowed", "verdict"]);
        let mut passed = true;
        let (changes, worst) = match (candidate, reference) {
            (Predictions::Classes(c), Predictions::Classes(r)) => {
                self.classes(data, c, r, &mut table, &mut passed, &mismatch)?
            }
            (Predictions::Values(c), Predictions::Values(r)) => {
                self.values(data, c, r, &mut table, &mut passed)?
            }
            (Predictions::Classes(_), Predictions::Values(_)) => {
                return Err(mismatch(
                    "the candidate predicts classes, the reference values".into(),
                ))
            }
            (Predictions::Values(_), Predictions::Classes(_)) => {
                return Err(mismatch(
                    "the candidate predicts values, the reference classes".into(),
                ))
            }
        };
        for &(metric, max_worse, max_better) in &self.metrics {
            let c = metric.evaluate(data, candidate)?;
            let r = metric.evaluate(data, reference)?;
            let improvement = if metric.higher_is_better() {
                c - r
            } else {
                r - c
            };
            let (ok, verdict) = if improvement < -max_worse {
                (
                    false,
                    format!("WORSE by {:.4} beyond", -improvement - max_worse),
                )
            } else if improvement > max_better {
                (
                    false,
                    format!("BETTER by {:.4} beyond", improvement - max_better),
                )
            } else {
                (true, "ok".to_string())
            };
            passed &= ok;
            let direction = if improvement >= 0.0 {
                "better"
            } else {
                "worse"
            };
            table.row([
                metric.to_string(),
                format!("{c:.4} vs {r:.4}: {direction} by {:.4}", improvement.abs()),
                format!("worse ≤ {max_worse:.4}, better ≤ {max_better:.4}"),
                verdict,
            ]);
        }
        if let Some(Timing {
            candidate,
            golden,
            factor,
        }) = timing
        {
            let ratio = candidate / golden.max(1e-15);
            let ok = ratio <= factor;
            passed &= ok;
            table.row([
                "time per row".to_string(),
                format!(
                    "{} vs {} ({ratio:.2}×)",
                    per_row(candidate),
                    per_row(golden)
                ),
                format!("≤ {factor}×"),
                if ok {
                    "ok".to_string()
                } else {
                    format!("SLOWER: {:.1}× the budget", ratio / factor)
                },
            ]);
        }
        let changed_count = changes.changed.iter().filter(|&&c| c).count();
        let check = format!("differential: candidate vs {reference_name} ({n} rows)");
        let mut outcome = Outcome::new(Kind::Differential, check, passed).with_table(table);
        for f in changes.figures {
            outcome = outcome.with_figure(f);
        }
        if let Some(note) = &self.noise {
            outcome = outcome.with_note(note.clone());
        }
        if changed_count > 0 && self.worst_rows > 0 {
            outcome = outcome.with_note(format!(
                "most changed rows ({} of {changed_count} shown; row = 0-based index in the data):\n{}",
                worst.rows().len(),
                worst
            ));
        }
        Ok(outcome)
    }

    fn validate(&self) -> Result<(), CheckError> {
        let ensure = |setting, range, v| InvalidSetting::ensure("differential", setting, range, v);
        ensure("max_changed_share", Range::Share, self.max_changed_share)?;
        ensure("tolerance", Range::NonNegative, self.tolerance)?;
        ensure(
            "relative_tolerance",
            Range::NonNegative,
            self.relative_tolerance,
        )?;
        ensure("alpha", Range::OpenUnit, self.alpha)?;
        if let Some(band) = self.near_threshold {
            ensure("near_threshold", Range::Share, band)?;
        }
        if let Some(margin) = self.recorded_noise {
            ensure("within_recorded_noise", Range::NonNegative, margin)?;
        }
        if let Some(factor) = self.time_factor {
            if !(factor > 0.0 && factor.is_finite()) {
                return Err(InvalidSetting::new(
                    "differential",
                    "time_budget",
                    "a finite number > 0",
                    crate::table::number(factor),
                )
                .into());
            }
        }
        Ok(())
    }

    fn changed_row(&self, table: &mut Table, passed: &mut bool, changed: usize, n: usize) {
        let share = changed as f64 / n as f64;
        let ok = share <= self.max_changed_share;
        *passed &= ok;
        table.row([
            "changed rows".to_string(),
            format!("{changed} of {n} ({:.2}%)", share * 100.0),
            format!("≤ {:.2}%", self.max_changed_share * 100.0),
            if ok {
                "ok".to_string()
            } else {
                format!(
                    "TOO MANY by {:.2} points",
                    (share - self.max_changed_share) * 100.0
                )
            },
        ]);
    }

    #[allow(clippy::too_many_arguments)]
    fn classes(
        &self,
        data: &Dataset,
        c: &ClassPredictions,
        r: &ClassPredictions,
        table: &mut Table,
        passed: &mut bool,
        mismatch: &dyn Fn(String) -> CheckError,
    ) -> Result<(RowChanges, Table), CheckError> {
        let n = data.n_rows();
        // Candidate class index of each reference class, matched by name.
        let c_of_r: Vec<Option<usize>> = r
            .classes()
            .iter()
            .map(|k| c.classes().iter().position(|x| x == k))
            .collect();
        if let Some(extra) = c.classes().iter().find(|k| !r.classes().contains(k)) {
            return Err(mismatch(format!(
                "the candidate has class `{extra}`, the reference only {}",
                r.classes().join(", ")
            )));
        }
        let both_probabilities = c
            .probabilities()
            .zip(r.probabilities())
            .filter(|_| c_of_r.iter().all(Option::is_some));
        let mut changes = RowChanges {
            changed: vec![false; n],
            size: vec![0.0; n],
            figures: Vec::new(),
        };
        let mut flips = vec![false; n];
        let mut near = vec![false; n];
        for i in 0..n {
            let rl = r.labels()[i];
            flips[i] = c_of_r[rl] != Some(c.labels()[i]);
            let delta = both_probabilities.map_or(0.0, |(pc, pr)| {
                (0..r.classes().len())
                    .map(|k| (pc[[i, c_of_r[k].expect("all matched")]] - pr[[i, k]]).abs())
                    .fold(0.0, f64::max)
            });
            changes.changed[i] = flips[i] || self.probability_tolerance.is_some_and(|t| delta > t);
            // Flips first, then by how far the probabilities moved.
            changes.size[i] = delta + if flips[i] { 2.0 } else { 0.0 };
            near[i] = flips[i]
                && self.near_threshold.is_some_and(|band| {
                    both_probabilities.is_some_and(|(pc, pr)| {
                        top_two_margin(pc.row(i)) < band && top_two_margin(pr.row(i)) < band
                    })
                });
        }
        let changed = (0..n).filter(|&i| changes.changed[i] && !near[i]).count();
        self.changed_row(table, passed, changed, n);
        let mut transitions: std::collections::BTreeMap<String, f64> = Default::default();
        for i in (0..n).filter(|&i| flips[i]) {
            let from = &r.classes()[r.labels()[i]];
            let to = &c.classes()[c.labels()[i]];
            *transitions.entry(format!("{from} → {to}")).or_default() += 1.0;
        }
        if !transitions.is_empty() {
            changes.figures.push(crate::figure::Figure::Bars {
                title: "Class flips, reference → candidate".into(),
                unit: "rows".into(),
                rows: transitions.into_iter().collect(),
            });
        }
        if let Some(band) = self.near_threshold {
            let near_count = near.iter().filter(|&&x| x).count();
            table.row([
                "  class flips near the threshold".to_string(),
                format!(
                    "{near_count} ({:.2}%), top two probabilities within {band}",
                    100.0 * near_count as f64 / n as f64
                ),
                "not counted".to_string(),
                if both_probabilities.is_some() {
                    String::new()
                } else {
                    "no probabilities: none can be told".to_string()
                },
            ]);
        }
        if let Some(t) = self.probability_tolerance {
            let flipped = flips.iter().filter(|&&x| x).count();
            table.row([
                "  of which class flips".to_string(),
                flipped.to_string(),
                format!("(others: a probability moved > {t})"),
                String::new(),
            ]);
        }

        let truth = match data.target_labels() {
            Ok(l) => Some(l),
            Err(DataError::NoTarget) => None,
            Err(e) => return Err(e.into()),
        };
        match &truth {
            Some(l) => {
                let truth_name = |i: usize| &l.classes[l.y[i]];
                let ref_ok: Vec<bool> = (0..n)
                    .map(|i| &r.classes()[r.labels()[i]] == truth_name(i))
                    .collect();
                let cand_ok: Vec<bool> = (0..n)
                    .map(|i| &c.classes()[c.labels()[i]] == truth_name(i))
                    .collect();
                // Old and new confusion: each (truth, predicted) cell counted for both models;
                // with more than 10 classes (100 cells) the picture would not be read.
                let mut cells: std::collections::BTreeMap<String, [f64; 2]> = Default::default();
                for i in 0..n {
                    let t = truth_name(i);
                    let key = |p: &str| format!("truth {t}, predicted {p}");
                    cells.entry(key(&r.classes()[r.labels()[i]])).or_default()[0] += 1.0;
                    cells.entry(key(&c.classes()[c.labels()[i]])).or_default()[1] += 1.0;
                }
                if r.classes().len() <= 10 {
                    changes.figures.push(crate::figure::Figure::Pairs {
                        title: "Confusion, reference and candidate".into(),
                        labels: cells.keys().cloned().collect(),
                        first: ("reference".into(), cells.values().map(|v| v[0]).collect()),
                        second: ("candidate".into(), cells.values().map(|v| v[1]).collect()),
                    });
                }
                let m = mcnemar_from_outcomes(&ref_ok, &cand_ok)?;
                let worse = m.candidate_worse() && m.p_value < self.alpha;
                *passed &= !worse;
                table.row([
                    "McNemar (exact)".to_string(),
                    format!(
                        "{} rows only the reference got right, {} only the candidate: p = {}",
                        m.b,
                        m.c,
                        p_text(m.p_value)
                    ),
                    format!("not significantly worse (p ≥ {})", self.alpha),
                    if worse {
                        "SIGNIFICANTLY WORSE".to_string()
                    } else {
                        "ok".to_string()
                    },
                ]);
            }
            None => {
                table.row([
                    "McNemar (exact)",
                    "not computed: the data has no target",
                    "-",
                    "-",
                ]);
            }
        }

        let mut worst = Table::new([
            "row",
            "reference",
            "candidate",
            "P(reference class)",
            "truth",
        ]);
        for i in top_rows(&changes, self.worst_rows) {
            let rl = r.labels()[i];
            let p = |pr: Option<f64>, pc: Option<f64>| match (pr, pc) {
                (Some(a), Some(b)) => format!("{a:.3} → {b:.3}"),
                _ => "-".to_string(),
            };
            let pr = r.probabilities().map(|m| m[[i, rl]]);
            let pc = c.probabilities().zip(c_of_r[rl]).map(|(m, k)| m[[i, k]]);
            worst.row([
                i.to_string(),
                r.classes()[rl].clone(),
                c.classes()[c.labels()[i]].clone(),
                p(pr, pc),
                truth
                    .as_ref()
                    .map_or("-".to_string(), |l| l.classes[l.y[i]].clone()),
            ]);
        }
        Ok((changes, worst))
    }

    fn values(
        &self,
        data: &Dataset,
        c: &[f64],
        r: &[f64],
        table: &mut Table,
        passed: &mut bool,
    ) -> Result<(RowChanges, Table), CheckError> {
        let n = data.n_rows();
        let truth = match data.target_values() {
            Ok(t) => Some(t),
            Err(DataError::NoTarget) => None,
            Err(e) => return Err(e.into()),
        };
        let mut changes = RowChanges {
            changed: vec![false; n],
            size: vec![0.0; n],
            figures: Vec::new(),
        };
        let mut non_finite = 0usize;
        let mut d = vec![0.0; n];
        for i in 0..n {
            let diff = c[i] - r[i];
            let allowed = self.tolerance + self.relative_tolerance * r[i].abs();
            // NaN is never within tolerance: a NaN prediction is a changed row.
            let changed = diff.is_nan() || diff.abs() > allowed;
            changes.changed[i] = changed;
            changes.size[i] = if diff.is_nan() {
                f64::INFINITY
            } else {
                diff.abs()
            };
            if !c[i].is_finite() || !r[i].is_finite() {
                non_finite += 1;
            } else if changed {
                d[i] = match truth {
                    Some(t) => (c[i] - t[i]).abs() - (r[i] - t[i]).abs(),
                    None => diff,
                };
            }
        }
        let changed = changes.changed.iter().filter(|&&x| x).count();
        self.changed_row(table, passed, changed, n);
        let label = if truth.is_some() {
            "Wilcoxon (|errors|)"
        } else {
            "Wilcoxon (values)"
        };
        if non_finite > 0 {
            *passed = false;
            table.row([
                label.to_string(),
                format!("not computed: {non_finite} rows are NaN or infinite"),
                "finite predictions".to_string(),
                "FAILED".to_string(),
            ]);
        } else {
            let w = wilcoxon(&d)?;
            let significant = w.p_value < self.alpha;
            // With a truth, only "worse" fails (larger errors have positive differences);
            // without one, any significant shift of an established model is an alarm.
            let fails = significant && (truth.is_none() || w.r_plus > w.r_minus);
            *passed &= !fails;
            let direction = match (truth.is_some(), w.r_plus > w.r_minus) {
                (true, true) => "larger errors",
                (true, false) => "smaller errors",
                (false, true) => "higher values",
                (false, false) => "lower values",
            };
            table.row([
                label.to_string(),
                format!(
                    "{} changed rows, mostly {direction}: p = {}",
                    w.n - w.zeros,
                    p_text(w.p_value)
                ),
                if truth.is_some() {
                    format!("not significantly worse (p ≥ {})", self.alpha)
                } else {
                    format!("no significant shift (p ≥ {})", self.alpha)
                },
                if fails {
                    "SIGNIFICANT".to_string()
                } else {
                    "ok".to_string()
                },
            ]);
        }
        let mut worst = Table::new(["row", "reference", "candidate", "change", "truth"]);
        for i in top_rows(&changes, self.worst_rows) {
            worst.row([
                i.to_string(),
                format!("{:.4}", r[i]),
                format!("{:.4}", c[i]),
                format!("{:+.4}", c[i] - r[i]),
                truth.map_or("-".to_string(), |t| format!("{:.4}", t[i])),
            ]);
        }
        Ok((changes, worst))
    }
}

/// The `k` changed rows that changed most (ties by row order).
/// The gap between a probability row's two largest values (1 for a single class).
fn top_two_margin(row: ndarray::ArrayView1<'_, f64>) -> f64 {
    let (mut first, mut second) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &p in row {
        if p > first {
            second = first;
            first = p;
        } else if p > second {
            second = p;
        }
    }
    if second.is_finite() {
        first - second
    } else {
        1.0
    }
}

fn top_rows(changes: &RowChanges, k: usize) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..changes.changed.len())
        .filter(|&i| changes.changed[i])
        .collect();
    let order = |a: &usize, b: &usize| changes.size[*b].total_cmp(&changes.size[*a]).then(a.cmp(b));
    if rows.len() > k && k > 0 {
        rows.select_nth_unstable_by(k - 1, order);
        rows.truncate(k);
    }
    rows.sort_unstable_by(order);
    rows.truncate(k);
    rows
}

fn p_text(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.1e}")
    }
}

/// Seconds per row, in the unit that reads best.
fn per_row(seconds: f64) -> String {
    if seconds >= 1e-3 {
        format!("{:.2} ms/row", seconds * 1e3)
    } else {
        format!("{:.2} µs/row", seconds * 1e6)
    }
}
