//! Golden-predictions files.

use crate::data::{Column, Dataset};
use crate::fs::{write_atomic, WriteError};
use crate::model::Predictions;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The golden file format this version writes when a golden carries metadata (seed noise, a
/// time per row); a golden without it is written as format 1, which older versions read.
const FORMAT: u32 = 2;
/// The formats this version reads.
const READS: [u32; 2] = [1, 2];

type Env = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;
type MeasureNoise =
    Arc<dyn Fn() -> Result<super::SeedNoise, crate::check::CheckError> + Send + Sync>;

/// A golden file that is missing under CI, stale, or malformed; names the file and says how
/// to re-record it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GoldenError {
    /// Under CI (`CI=true`) a missing golden is not created silently.
    #[error(
        "{}: golden file missing, and CI is set so it is not created here; create it locally \
         with `{command}` and commit it",
        path.display()
    )]
    MissingInCi {
        /// The golden file.
        path: PathBuf,
        /// The command that creates it.
        command: String,
    },
    /// The data differs from the data the golden was recorded on.
    #[error(
        "{}: stale golden: recorded on data {recorded}, but the data now is {current}; \
         re-record with `{command}` if the change is intended",
        path.display()
    )]
    StaleData {
        /// The golden file.
        path: PathBuf,
        /// The fingerprint in the file.
        recorded: String,
        /// The data's fingerprint now.
        current: String,
        /// The command that re-records it.
        command: String,
    },
    /// The golden was recorded from another model version than the test expects.
    #[error(
        "{}: stale golden: recorded from model version `{recorded}`, the test expects \
         `{expected}`; re-record with `{command}` if the change is intended",
        path.display()
    )]
    StaleVersion {
        /// The golden file.
        path: PathBuf,
        /// The version in the file.
        recorded: String,
        /// The version the test expects.
        expected: String,
        /// The command that re-records it.
        command: String,
    },
    /// The golden was rounded differently from what the test asks.
    #[error(
        "{}: stale golden: rounded to {recorded} decimals, the test asks for {configured}; \
         re-record with `{command}`",
        path.display()
    )]
    RoundingChanged {
        /// The golden file.
        path: PathBuf,
        /// Decimals in the file.
        recorded: u32,
        /// Decimals asked for.
        configured: u32,
        /// The command that re-records it.
        command: String,
    },
    /// A read-only golden ([`Golden::read_only`]) is missing, and did not appear within
    /// [`Golden::wait_for`] (another test of the same run may be recording it).
    #[error(
        "{}: golden file missing (waited {:.1} s for the test that records it); this check \
         only reads it: record it with the test that owns it (`MLHARNESS_UPDATE=1 cargo \
         nextest run <that test>`) and commit it",
        path.display(),
        waited.as_secs_f64()
    )]
    Missing {
        /// How long the check waited for the file to appear.
        waited: std::time::Duration,
        /// The golden file.
        path: PathBuf,
    },
    /// The file could not be read.
    #[error("{}: cannot read", path.display())]
    Read {
        /// The golden file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The file is not valid JSON.
    #[error("{}:{line}:{column}: not a valid golden file: {message}", path.display())]
    Syntax {
        /// The golden file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A field is wrong (unknown format, a label that is not a class, a row count that does
    /// not match…).
    #[error("{}: `{field}`: {message}", path.display())]
    Invalid {
        /// The golden file.
        path: PathBuf,
        /// The field, e.g. `predictions[17].p`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The seed noise to record with the golden ([`Golden::seed_noise`]) could not be
    /// measured.
    #[error("{}: measuring the seed noise to record with the golden failed", path.display())]
    Noise {
        /// The golden file.
        path: PathBuf,
        /// Why.
        source: Box<crate::check::CheckError>,
    },
    /// Predictions with NaN or infinite values cannot be recorded.
    #[error("{}: cannot record row {row}: its prediction {value} is not finite", path.display())]
    NonFinite {
        /// The golden file.
        path: PathBuf,
        /// 0-based row.
        row: usize,
        /// The value.
        value: f64,
    },
}

/// A golden-predictions file: the reference predictions of a differential test.
///
/// - **Created on the first run**: when the file does not exist, the candidate's predictions
///   are recorded and the test passes, saying so. Commit the file.
/// - **Updated only on request**: `MLHARNESS_UPDATE=1` (also `true`, `yes`) re-records it —
///   run it for the one test that owns the golden; checks of other models against the same
///   file use [`Golden::read_only`].
/// - **Never created under CI**: with `CI` set (to anything but `0`/`false`), a missing file
///   is [`GoldenError::MissingInCi`], with the command that creates it.
/// - **Stale goldens are errors**: the file records the model version, a fingerprint of the
///   data's values ([`fingerprint`]) and the rounding; different data, a different rounding, or
///   (with [`Golden::expect_version`]) a different model version is a typed error, not a
///   comparison against the wrong reference.
/// - Written atomically ([`crate::fs::write_atomic`]), one prediction per line so that a
///   review diff shows which rows moved; probabilities and values are rounded (6 decimals by
///   default) so that last-digit noise does not churn the file.
///
/// The environment is read through a function (the process environment by default), so a test
/// can give its own.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::differential::{Golden, GoldenError, GoldenState};
/// use mlharness::model::Predictions;
/// use std::collections::HashMap;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("golden/v1.json");
/// let data = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))])?;
/// let preds = Predictions::values(vec![0.1234567, 0.5]);
/// let env = |vars: &'static [(&'static str, &'static str)]| {
///     let map: HashMap<_, _> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
///     move |k: &str| map.get(k).cloned()
/// };
///
/// // Under CI, a missing golden is an error naming the command that creates it.
/// let ci = Golden::new(&path).env(env(&[("CI", "true")]));
/// let err = ci.resolve(&data, &preds, "v1").unwrap_err();
/// assert!(matches!(err, GoldenError::MissingInCi { .. }));
/// assert!(err.to_string().contains("MLHARNESS_UPDATE=1"));
///
/// // Locally, the first run creates it; the next one reads it back, rounded.
/// let local = Golden::new(&path).env(env(&[]));
/// assert!(matches!(local.resolve(&data, &preds, "v1")?, GoldenState::Written { previous: None, .. }));
/// match local.resolve(&data, &preds, "v1")? {
///     GoldenState::Existing(file) => assert_eq!(file.predictions().as_values(), Some(&[0.123457, 0.5][..])),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Golden {
    path: PathBuf,
    rounding: u32,
    expected_version: Option<String>,
    read_only: bool,
    wait: std::time::Duration,
    env: Env,
    noise: Option<MeasureNoise>,
}

impl std::fmt::Debug for Golden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Golden")
            .field("path", &self.path)
            .field("rounding", &self.rounding)
            .field("expected_version", &self.expected_version)
            .field("read_only", &self.read_only)
            .field("seed_noise", &self.noise.is_some())
            .finish_non_exhaustive()
    }
}

/// What [`Golden::resolve`] did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GoldenState {
    /// The golden was written from the candidate (created, or updated on request).
    Written {
        /// The file as written.
        file: GoldenFile,
        /// The model version of the golden it replaced, if there was one.
        previous: Option<String>,
    },
    /// The golden exists and is current: compare against it.
    Existing(GoldenFile),
}

/// The contents of a golden file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GoldenFile {
    /// The version of the model that recorded it.
    pub model_version: String,
    /// [`fingerprint`] of the data it was recorded on.
    pub data_fingerprint: String,
    /// Rows.
    pub rows: usize,
    /// Decimals that probabilities and values were rounded to.
    pub rounding: u32,
    /// The noise between healthy seeds, measured when the golden was recorded
    /// ([`Golden::seed_noise`]); a differential can take its bound from it
    /// ([`Differential::within_recorded_noise`](super::Differential::within_recorded_noise)).
    pub seed_noise: Option<RecordedNoise>,
    /// Seconds per row the recording model took to predict the data (median of timed runs),
    /// when the golden was recorded by a differential with a
    /// [time budget](super::Differential::time_budget).
    pub seconds_per_row: Option<f64>,
    predictions: Predictions,
}

/// The noise between healthy seeds as a golden file records it: the numbers of a
/// [`SeedNoise`](super::SeedNoise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RecordedNoise {
    /// The seeds trained.
    pub seeds: Vec<u64>,
    /// A classifier's largest share of rows that change class between two seeds.
    pub max_changed_share: f64,
    /// A regressor's largest change of one prediction between two seeds.
    pub largest_change: f64,
    /// The metric's spread over the seeds.
    pub metric_spread: f64,
}

impl From<&super::SeedNoise> for RecordedNoise {
    fn from(noise: &super::SeedNoise) -> Self {
        RecordedNoise {
            seeds: noise.seeds.clone(),
            max_changed_share: noise.max_changed_share,
            largest_change: noise.largest_change,
            metric_spread: noise.metric_spread,
        }
    }
}

impl GoldenFile {
    /// The recorded (rounded) predictions.
    pub fn predictions(&self) -> &Predictions {
        &self.predictions
    }

    /// `predictions` rounded as the golden was, so that a model reproducing the golden
    /// compares equal; class labels are kept as predicted.
    pub fn round(&self, predictions: &Predictions) -> Predictions {
        round_predictions(predictions, self.rounding)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Repr {
    format: u32,
    model_version: String,
    data_fingerprint: String,
    rows: usize,
    rounding: u32,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    classes: Option<Vec<String>>,
    #[serde(default)]
    seed_noise: Option<RecordedNoise>,
    #[serde(default)]
    seconds_per_row: Option<f64>,
    predictions: Vec<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassRow {
    label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<Vec<f64>>,
}

fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

impl Golden {
    /// A golden file at `path` (create it under your crate, e.g. `tests/golden/model.json`),
    /// rounded to 6 decimals, reading the process environment.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Golden {
            path: path.into(),
            rounding: 6,
            expected_version: None,
            read_only: false,
            wait: std::time::Duration::from_secs(30),
            env: Arc::new(process_env),
            noise: None,
        }
    }

    /// Measures the noise between healthy seeds whenever the golden is recorded (created, or
    /// updated on request) and stores it in the golden's metadata, so that a differential's
    /// bound comes from it ([`Differential::within_recorded_noise`](super::Differential::within_recorded_noise))
    /// without retraining N seeds on every run. Typically
    /// `|| Reproducibility::new(metric).seeds(&[..]).measure(&data, train)`.
    ///
    /// ```
    /// use mlharness::differential::{Golden, Reproducibility};
    /// use mlharness::metrics::Metric;
    /// use mlharness::prelude::*;
    /// let data = || Dataset::from_columns(vec![("x".into(), Column::numeric((0..50).map(f64::from).collect()))])
    ///     .and_then(|d| d.with_target("x")).unwrap();
    /// let train = |seed: u64| -> Result<_, ModelError> {
    ///     Ok(move |d: &Dataset| Ok(Predictions::values(d.numeric("x")?.values().iter().map(|v| v + seed as f64).collect())))
    /// };
    /// let dir = tempfile::tempdir()?;
    /// let golden = Golden::new(dir.path().join("g.json"))
    ///     .seed_noise(move || Reproducibility::new(Metric::Mae).seeds(&[0, 1, 2]).measure(&data(), train));
    /// let file = golden.write(&data(), &Predictions::values(vec![0.0; 50]), "v1")?;
    /// assert_eq!(file.seed_noise.unwrap().largest_change, 2.0);
    /// assert!(golden.load()?.seed_noise.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seed_noise(
        mut self,
        measure: impl Fn() -> Result<super::SeedNoise, crate::check::CheckError> + Send + Sync + 'static,
    ) -> Self {
        self.noise = Some(Arc::new(measure));
        self
    }

    /// Decimals to round probabilities and values to (at most 15).
    pub fn rounding(mut self, decimals: u32) -> Self {
        self.rounding = decimals.min(15);
        self
    }

    /// The model version the golden must have been recorded from; another is
    /// [`GoldenError::StaleVersion`].
    pub fn expect_version(mut self, version: impl Into<String>) -> Self {
        self.expected_version = Some(version.into());
        self
    }

    /// Never write this golden, whatever the environment says; a missing file is
    /// [`GoldenError::Missing`]. For checks that compare *other* models (a deliberately broken
    /// one, last year's) against the golden another test owns: with `MLHARNESS_UPDATE=1` set
    /// for a whole run, they would otherwise record their own predictions over it.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// How long a read-only check waits for a missing golden to appear (default 30 s; not
    /// under CI, where goldens are committed). On a first run, the test that records the
    /// golden and the tests that only read it start together; the readers wait for the file
    /// instead of failing on a golden that is being recorded. The write is atomic, so a reader
    /// never sees half a file.
    pub fn wait_for(mut self, wait: std::time::Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Reads environment variables through `env` instead of the process environment.
    pub fn env(mut self, env: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Arc::new(env);
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn update_requested(&self) -> bool {
        (self.env)("MLHARNESS_UPDATE")
            .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
    }

    /// Polls for the file for up to `wait`; returns how long it waited.
    fn wait_until_written(&self) -> std::time::Duration {
        let start = std::time::Instant::now();
        while !self.path.exists() && start.elapsed() < self.wait {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        start.elapsed()
    }

    fn under_ci(&self) -> bool {
        (self.env)("CI").is_some_and(|v| {
            !matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "" | "0" | "false" | "no"
            )
        })
    }

    /// The command that (re-)records this golden: `MLHARNESS_UPDATE=1 cargo nextest run` with
    /// the package, test binary and test name when the environment tells them.
    pub fn update_command(&self) -> String {
        let mut command = String::from("MLHARNESS_UPDATE=1 cargo nextest run");
        if let Some(package) = (self.env)("CARGO_PKG_NAME") {
            command.push_str(&format!(" -p {package}"));
        }
        if let Some(binary) = (self.env)("NEXTEST_BINARY_ID")
            .and_then(|id| id.split_once("::").map(|(_, b)| b.to_string()))
            .filter(|b| !b.contains('/'))
        {
            command.push_str(&format!(" --test {binary}"));
        }
        let test = (self.env)("NEXTEST_TEST_NAME").or_else(|| {
            std::thread::current()
                .name()
                .filter(|n| *n != "main")
                .map(str::to_string)
        });
        if let Some(test) = test {
            command.push_str(&format!(" {test}"));
        }
        command
    }

    /// Decides what to do with the golden for a candidate's predictions on `data`:
    /// write it (missing, or `MLHARNESS_UPDATE` set), refuse (missing under CI), or read it
    /// and check it is current.
    pub fn resolve(
        &self,
        data: &Dataset,
        predictions: &Predictions,
        model_version: &str,
    ) -> Result<GoldenState, GoldenError> {
        self.resolve_timed(data, predictions, model_version, None)
    }

    /// [`resolve`](Self::resolve), recording `seconds_per_row` if the golden is written.
    pub(crate) fn resolve_timed(
        &self,
        data: &Dataset,
        predictions: &Predictions,
        model_version: &str,
        seconds_per_row: Option<f64>,
    ) -> Result<GoldenState, GoldenError> {
        let mut exists = self.path.exists();
        if self.read_only && !exists {
            let waited = if self.under_ci() {
                std::time::Duration::ZERO
            } else {
                self.wait_until_written()
            };
            exists = self.path.exists();
            if !exists {
                return Err(GoldenError::Missing {
                    path: self.path.clone(),
                    waited,
                });
            }
        }
        if self.update_requested() && !self.read_only {
            let previous = if exists {
                self.load().ok().map(|f| f.model_version)
            } else {
                None
            };
            let file = self.write_timed(data, predictions, model_version, seconds_per_row)?;
            return Ok(GoldenState::Written { file, previous });
        }
        if !exists {
            if self.under_ci() {
                return Err(GoldenError::MissingInCi {
                    path: self.path.clone(),
                    command: self.update_command(),
                });
            }
            let file = self.write_timed(data, predictions, model_version, seconds_per_row)?;
            return Ok(GoldenState::Written {
                file,
                previous: None,
            });
        }
        let file = self.load()?;
        let current = fingerprint(data);
        if file.data_fingerprint != current {
            return Err(GoldenError::StaleData {
                path: self.path.clone(),
                recorded: file.data_fingerprint,
                current,
                command: self.update_command(),
            });
        }
        if file.rounding != self.rounding {
            return Err(GoldenError::RoundingChanged {
                path: self.path.clone(),
                recorded: file.rounding,
                configured: self.rounding,
                command: self.update_command(),
            });
        }
        if let Some(expected) = &self.expected_version {
            if &file.model_version != expected {
                return Err(GoldenError::StaleVersion {
                    path: self.path.clone(),
                    recorded: file.model_version,
                    expected: expected.clone(),
                    command: self.update_command(),
                });
            }
        }
        Ok(GoldenState::Existing(file))
    }

    /// Records `predictions` on `data` from model `model_version`, atomically, whatever the
    /// environment says (the CLI-free way to update a golden from code).
    /// With [`seed_noise`](Self::seed_noise), the noise is measured and recorded too.
    pub fn write(
        &self,
        data: &Dataset,
        predictions: &Predictions,
        model_version: &str,
    ) -> Result<GoldenFile, GoldenError> {
        self.write_timed(data, predictions, model_version, None)
    }

    fn write_timed(
        &self,
        data: &Dataset,
        predictions: &Predictions,
        model_version: &str,
        seconds_per_row: Option<f64>,
    ) -> Result<GoldenFile, GoldenError> {
        if predictions.len() != data.n_rows() {
            return Err(GoldenError::Invalid {
                path: self.path.clone(),
                field: "rows".into(),
                message: format!(
                    "{} predictions for {} rows of data",
                    predictions.len(),
                    data.n_rows()
                ),
            });
        }
        let non_finite = |row: usize, value: f64| GoldenError::NonFinite {
            path: self.path.clone(),
            row,
            value,
        };
        let rounded = round_predictions(predictions, self.rounding);
        let (kind, classes, lines) = match &rounded {
            Predictions::Values(v) => {
                if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                    return Err(non_finite(row, v[row]));
                }
                let lines: Vec<String> = v.iter().map(json).collect();
                ("values", None, lines)
            }
            Predictions::Classes(c) => {
                if let Some(p) = c.probabilities() {
                    if let Some(((row, _), &value)) = p.indexed_iter().find(|(_, v)| !v.is_finite())
                    {
                        return Err(non_finite(row, value));
                    }
                }
                let lines = (0..c.labels().len())
                    .map(|i| {
                        json(&ClassRow {
                            label: c.classes()[c.labels()[i]].clone(),
                            p: c.probabilities().map(|p| p.row(i).to_vec()),
                        })
                    })
                    .collect();
                ("classes", Some(c.classes().to_vec()), lines)
            }
        };
        let noise_error = |e: crate::check::CheckError| GoldenError::Noise {
            path: self.path.clone(),
            source: Box::new(e),
        };
        let seed_noise = match &self.noise {
            Some(measure) => {
                let noise = RecordedNoise::from(&measure().map_err(noise_error)?);
                // One seed has no noise to measure: a bound from it would be the margin alone.
                if noise.seeds.len() < 2 {
                    return Err(noise_error(
                        crate::check::InvalidSetting::new(
                            "seed noise",
                            "seeds",
                            "at least 2 seeds",
                            noise.seeds.len(),
                        )
                        .into(),
                    ));
                }
                Some(noise)
            }
            None => None,
        };
        let seconds_per_row = seconds_per_row.filter(|s| s.is_finite() && *s >= 0.0);
        let format = if seed_noise.is_some() || seconds_per_row.is_some() {
            FORMAT
        } else {
            1
        };
        let mut text = String::from("{\n");
        text.push_str(&format!("  \"format\": {format},\n"));
        text.push_str(&format!("  \"model_version\": {},\n", json(&model_version)));
        text.push_str(&format!(
            "  \"data_fingerprint\": {},\n",
            json(&fingerprint(data))
        ));
        text.push_str(&format!("  \"rows\": {},\n", data.n_rows()));
        text.push_str(&format!("  \"rounding\": {},\n", self.rounding));
        text.push_str(&format!("  \"kind\": \"{kind}\",\n"));
        if let Some(classes) = &classes {
            text.push_str(&format!("  \"classes\": {},\n", json(classes)));
        }
        if let Some(noise) = &seed_noise {
            text.push_str(&format!("  \"seed_noise\": {},\n", json(noise)));
        }
        if let Some(seconds) = seconds_per_row {
            text.push_str(&format!("  \"seconds_per_row\": {},\n", json(&seconds)));
        }
        text.push_str("  \"predictions\": [\n");
        text.push_str(
            &lines
                .iter()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join(",\n"),
        );
        text.push_str("\n  ]\n}\n");
        let unchanged = std::fs::read(&self.path).is_ok_and(|old| old == text.as_bytes());
        if !unchanged {
            write_atomic(&self.path, &text)?;
            // Said where the test's output goes (shown with the test's result, as insta says
            // it stored a snapshot): a recorded golden is a file to review and commit.
            eprintln!(
                "mlharness: recorded golden {} ({} rows, model {model_version}); review and commit it",
                self.path.display(),
                data.n_rows()
            );
        }
        Ok(GoldenFile {
            model_version: model_version.to_string(),
            data_fingerprint: fingerprint(data),
            rows: data.n_rows(),
            rounding: self.rounding,
            seed_noise,
            seconds_per_row,
            predictions: rounded,
        })
    }

    /// Reads and validates the golden file (without checking it against data).
    pub fn load(&self) -> Result<GoldenFile, GoldenError> {
        let path = &self.path;
        let text = std::fs::read_to_string(path).map_err(|source| GoldenError::Read {
            path: path.clone(),
            source,
        })?;
        let repr: Repr = serde_json::from_str(&text).map_err(|e| GoldenError::Syntax {
            path: path.clone(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let invalid = |field: String, message: String| GoldenError::Invalid {
            path: path.clone(),
            field,
            message,
        };
        if !READS.contains(&repr.format) {
            return Err(invalid(
                "format".into(),
                format!(
                    "format {} is not one this version reads (1 or 2); a newer mlharness wrote it?",
                    repr.format
                ),
            ));
        }
        if repr.rows != repr.predictions.len() {
            return Err(invalid(
                "rows".into(),
                format!(
                    "says {} rows, but the file has {} predictions",
                    repr.rows,
                    repr.predictions.len()
                ),
            ));
        }
        let predictions = match (repr.kind.as_str(), &repr.classes) {
            ("values", _) => {
                let values = repr
                    .predictions
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        v.as_f64().ok_or_else(|| {
                            invalid(
                                format!("predictions[{i}]"),
                                format!("`{v}` is not a number"),
                            )
                        })
                    })
                    .collect::<Result<Vec<f64>, _>>()?;
                Predictions::values(values)
            }
            ("classes", Some(classes)) => {
                let rows = repr
                    .predictions
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let row: ClassRow = serde_json::from_value(v.clone())
                            .map_err(|e| invalid(format!("predictions[{i}]"), e.to_string()))?;
                        let label =
                            classes
                                .iter()
                                .position(|c| *c == row.label)
                                .ok_or_else(|| {
                                    invalid(
                                        format!("predictions[{i}].label"),
                                        format!(
                                            "`{}` is not one of the classes ({})",
                                            row.label,
                                            classes.join(", ")
                                        ),
                                    )
                                })?;
                        if let Some(p) = &row.p {
                            if p.len() != classes.len() {
                                return Err(invalid(
                                    format!("predictions[{i}].p"),
                                    format!(
                                        "{} probabilities for {} classes",
                                        p.len(),
                                        classes.len()
                                    ),
                                ));
                            }
                        }
                        Ok((label, row.p))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let labels: Vec<usize> = rows.iter().map(|(l, _)| *l).collect();
                let with_p = rows.iter().filter(|(_, p)| p.is_some()).count();
                let built = if with_p == 0 {
                    Predictions::classes(classes.clone(), labels)
                } else if with_p == rows.len() {
                    let flat: Vec<f64> = rows
                        .iter()
                        .flat_map(|(_, p)| p.clone().unwrap_or_default())
                        .collect();
                    let matrix = Array2::from_shape_vec((rows.len(), classes.len()), flat)
                        .expect("every row has one probability per class");
                    Predictions::classes_with_probabilities(classes.clone(), labels, matrix)
                } else {
                    return Err(invalid(
                        "predictions".into(),
                        format!(
                            "{with_p} of {} rows have probabilities: all or none",
                            rows.len()
                        ),
                    ));
                };
                built.map_err(|e| invalid("predictions".into(), e.to_string()))?
            }
            ("classes", None) => {
                return Err(invalid(
                    "classes".into(),
                    "missing: a golden of kind `classes` lists its classes".into(),
                ))
            }
            (other, _) => {
                return Err(invalid(
                    "kind".into(),
                    format!("`{other}` is neither `classes` nor `values`"),
                ))
            }
        };
        Ok(GoldenFile {
            model_version: repr.model_version,
            data_fingerprint: repr.data_fingerprint,
            rows: repr.rows,
            rounding: repr.rounding,
            seed_noise: repr.seed_noise,
            seconds_per_row: repr.seconds_per_row,
            predictions,
        })
    }
}

fn json(value: &(impl Serialize + ?Sized)) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

fn round_to(x: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let scaled = (x * scale).round() / scale;
    // Huge values (beyond 2^53 / scale) are kept as they are rather than overflowed.
    if scaled.is_finite() {
        scaled
    } else {
        x
    }
}

fn round_predictions(predictions: &Predictions, decimals: u32) -> Predictions {
    match predictions {
        Predictions::Values(v) => {
            Predictions::values(v.iter().map(|&x| round_to(x, decimals)).collect())
        }
        Predictions::Classes(c) => match c.probabilities() {
            Some(p) => {
                let mut rounded = p.mapv(|x| round_to(x, decimals));
                for (mut row, original) in rounded.outer_iter_mut().zip(p.outer_iter()) {
                    keep_sum(row.as_slice_mut(), original.sum());
                }
                Predictions::classes_with_probabilities(
                    c.classes().to_vec(),
                    c.labels().to_vec(),
                    rounded,
                )
                .expect("same shape as valid predictions")
            }
            None => predictions.clone(),
        },
    }
}

/// Rounding each of k probabilities moves their sum by up to k/2 units of the last decimal,
/// enough for a metric to reject the row as not summing to 1; the largest one takes up the
/// difference, so a row that summed to 1 still does.
fn keep_sum(row: Option<&mut [f64]>, original_sum: f64) {
    let Some(row) = row else { return };
    let sum: f64 = row.iter().sum();
    if (original_sum - 1.0).abs() > 1e-6 || (sum - 1.0).abs() <= 1e-9 {
        return;
    }
    if let Some(largest) = (0..row.len()).max_by(|&a, &b| row[a].total_cmp(&row[b])) {
        let others: f64 = row
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != largest)
            .map(|(_, v)| v)
            .sum();
        row[largest] = 1.0 - others;
    }
}

/// A fingerprint of a dataset's values: FNV-1a (64 bit) over the column names, kinds, the
/// target's name and every value in row order, written `fnv1a64:<16 hex digits>`. Any change
/// of a value, a column or the row order changes it (barring a 1 in 2⁶⁴ collision).
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::differential::fingerprint;
/// let a = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))])?;
/// let b = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![2.0, 1.0]))])?;
/// assert_ne!(fingerprint(&a), fingerprint(&b));
/// assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
/// assert!(fingerprint(&a).starts_with("fnv1a64:"));
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn fingerprint(data: &Dataset) -> String {
    let mut h = Fnv::new();
    h.write(&(data.n_rows() as u64).to_le_bytes());
    h.write(data.target_name().unwrap_or("").as_bytes());
    h.write(&[0xff]);
    for (name, column) in data.columns() {
        h.write(name.as_bytes());
        h.write(&[0xff]);
        match column {
            Column::Numeric(n) => {
                h.write(b"n");
                for i in 0..n.len() {
                    if n.is_missing(i) {
                        h.write(&[0]);
                    } else {
                        h.write(&[1]);
                        // -0.0 and 0.0 are one value.
                        h.write(&(n.values()[i] + 0.0).to_bits().to_le_bytes());
                    }
                }
            }
            Column::Categorical(c) => {
                h.write(b"c");
                for i in 0..c.codes().len() {
                    match c.get(i) {
                        None => h.write(&[0]),
                        Some(level) => {
                            h.write(&[1]);
                            h.write(&(level.len() as u64).to_le_bytes());
                            h.write(level.as_bytes());
                        }
                    }
                }
            }
        }
    }
    format!("fnv1a64:{:016x}", h.0)
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
