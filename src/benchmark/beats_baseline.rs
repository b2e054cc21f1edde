//! The model against a naive baseline, by a margin, beyond noise.

use super::{predict, signed, value, CheckError};
use crate::baseline::{Mean, MostFrequent};
use crate::check::{InvalidSetting, Outcome, Range, Table};
use crate::data::Dataset;
use crate::figure::{Figure, IntervalRow};
use crate::kind::Kind;
use crate::metrics::Metric;
use crate::model::{Model, Predictions};
use crate::stats::Bootstrap;

/// The model must beat a baseline on a metric by `margin`, with the whole bootstrap interval
/// of the improvement above the margin: an improvement within noise does not pass.
///
/// The improvement is `model − baseline` for metrics where higher is better and
/// `baseline − model` where lower is better (log loss, MSE…), so it is positive when the model
/// is better either way. Rows are resampled in pairs: the same resample scores both.
///
/// ```
/// use mlharness::benchmark::BeatsBaseline;
/// use mlharness::data::{Column, Dataset};
/// use mlharness::metrics::Metric;
/// use mlharness::model::{Model, ModelError, Predictions};
///
/// let y: Vec<f64> = (0..300).map(|i| (i % 30) as f64).collect();
/// let data = Dataset::from_columns(vec![("x".into(), Column::numeric(y.clone())), ("y".into(), Column::numeric(y))])?
///     .with_target("y")?;
/// // A regressor that is always 2 off: far better than predicting the mean.
/// let model = |ds: &Dataset| -> Result<Predictions, ModelError> {
///     Ok(Predictions::values(ds.numeric("x")?.values().iter().map(|v| v + 2.0).collect()))
/// };
/// let outcome = BeatsBaseline::new(Metric::Mae).margin(4.0).check(&model, &data, &data)?;
/// assert!(outcome.passed(), "{outcome}");
/// // Against an oracle baseline it cannot win.
/// let oracle = |ds: &Dataset| -> Result<Predictions, ModelError> {
///     Ok(Predictions::values(ds.target_values()?.to_vec()))
/// };
/// let outcome = BeatsBaseline::new(Metric::Mae).check_against(&model, &oracle, "oracle", &data)?;
/// assert!(!outcome.passed());
/// assert!(outcome.to_string().contains("oracle"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeatsBaseline {
    metric: Metric,
    margin: f64,
    bootstrap: Bootstrap,
}

impl BeatsBaseline {
    /// Beat the baseline on `metric` by a margin of 0, with 1,000 bootstrap resamples at 95%
    /// confidence drawn from seed 0.
    pub fn new(metric: Metric) -> Self {
        BeatsBaseline {
            metric,
            margin: 0.0,
            bootstrap: Bootstrap::new(0),
        }
    }

    /// How much better than the baseline the model must be, in the metric's units (≥ 0).
    pub fn margin(mut self, margin: f64) -> Self {
        self.margin = margin;
        self
    }

    /// The bootstrap (seed, resamples, confidence).
    pub fn bootstrap(mut self, bootstrap: Bootstrap) -> Self {
        self.bootstrap = bootstrap;
        self
    }

    /// The bootstrap's seed, keeping its other settings.
    pub fn seed(mut self, seed: u64) -> Self {
        self.bootstrap = Bootstrap::new(seed)
            .resamples(self.bootstrap.resample_count())
            .confidence(self.bootstrap.confidence_level());
        self
    }

    /// Checks `model` on `test` against the default baseline fitted on `train`: the most
    /// frequent class for a classifier, the mean for a regressor.
    pub fn check(
        &self,
        model: &(impl Model + ?Sized),
        train: &Dataset,
        test: &Dataset,
    ) -> Result<Outcome, CheckError> {
        let predictions = predict("the model", model, test)?;
        let (name, baseline) = match predictions {
            Predictions::Classes(_) => (
                "most-frequent",
                predict("the baseline", &MostFrequent::fit(train)?, test)?,
            ),
            Predictions::Values(_) => ("mean", predict("the baseline", &Mean::fit(train)?, test)?),
        };
        self.judge(test, &predictions, &baseline, name)
    }

    /// Checks `model` against any `baseline` model (a previous version, a simple rule, or an
    /// oracle), named `baseline_name` in the report.
    pub fn check_against(
        &self,
        model: &(impl Model + ?Sized),
        baseline: &(impl Model + ?Sized),
        baseline_name: &str,
        test: &Dataset,
    ) -> Result<Outcome, CheckError> {
        let predictions = predict("the model", model, test)?;
        let reference = predict(baseline_name, baseline, test)?;
        self.judge(test, &predictions, &reference, baseline_name)
    }

    fn judge(
        &self,
        test: &Dataset,
        predictions: &Predictions,
        baseline: &Predictions,
        baseline_name: &str,
    ) -> Result<Outcome, CheckError> {
        InvalidSetting::ensure("beats-baseline", "margin", Range::NonNegative, self.margin)?;
        let metric = self.metric;
        let ours = metric.evaluate(test, predictions)?;
        let theirs = metric.evaluate(test, baseline)?;
        let difference = self
            .bootstrap
            .metric_difference(metric, test, predictions, baseline)?;
        // Improvement is positive when the model is better, whichever way the metric points.
        let (estimate, low, high) = if metric.higher_is_better() {
            (difference.estimate, difference.low, difference.high)
        } else {
            (-difference.estimate, -difference.high, -difference.low)
        };
        let passed = low > self.margin;
        let direction = if metric.higher_is_better() {
            "model − baseline"
        } else {
            "baseline − model"
        };
        let confidence = format!("{:.0}% interval", difference.confidence * 100.0);
        let mut table = Table::new([
            "metric",
            "model",
            &format!("baseline ({baseline_name})"),
            &format!("improvement ({direction})"),
            "margin",
            &confidence,
            "n",
        ]);
        table.row([
            metric.to_string(),
            value(ours),
            value(theirs),
            signed(estimate),
            value(self.margin),
            format!("[{}, {}]", signed(low), signed(high)),
            difference.n.to_string(),
        ]);
        let check = format!(
            "benchmark: {metric} beats the {baseline_name} baseline by at least {}",
            value(self.margin)
        );
        let mut outcome = Outcome::new(Kind::BenchmarkScore, check, passed)
            .with_table(table)
            .with_figure(Figure::Bars {
                title: format!("{metric}: the model and the {baseline_name} baseline"),
                unit: metric.to_string(),
                rows: vec![("model".into(), ours), (baseline_name.to_string(), theirs)],
            })
            .with_figure(Figure::Intervals {
                title: format!("Improvement ({direction}), {confidence}"),
                unit: metric.to_string(),
                reference_name: "margin".into(),
                rows: vec![IntervalRow {
                    label: "test set".into(),
                    estimate,
                    low,
                    high,
                    reference: Some(self.margin),
                }],
            });
        if !passed {
            outcome = outcome.with_note(if estimate <= self.margin {
                format!(
                    "the model's improvement {} is not above the margin {}: short by {}",
                    signed(estimate),
                    value(self.margin),
                    value(self.margin - estimate)
                )
            } else {
                format!(
                    "the improvement {} is above the margin, but the interval's low end {} is not: \
                     it may be noise (short by {})",
                    signed(estimate),
                    signed(low),
                    value(self.margin - low)
                )
            });
        }
        Ok(outcome.with_note(format!(
            "bootstrap: {} paired resamples, seed {}",
            difference.resamples,
            self.bootstrap.seed()
        )))
    }
}
