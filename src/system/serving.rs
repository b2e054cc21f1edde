//! The serving path over HTTP as a [`Model`], so that whatever takes a model — train/serve
//! parity, a differential, the edge cases — can check the service itself.

use super::Service;
use crate::data::{Column, Dataset};
use crate::model::{Model, ModelError, Predictions};
use serde_json::{Map, Number, Value};

type Parse = Box<dyn Fn(&Value) -> Result<Predictions, ModelError> + Send + Sync>;

/// A service's prediction endpoint as a [`Model`]: `predict(data)` posts the rows as one JSON
/// array of records (per row an object of feature column → number or string, `null` where a
/// value is missing; the target column is not sent) and `parse` turns the reply's JSON into
/// predictions. A reply other than 200 is a [`ModelError`] with the status and the body.
///
/// With [`Parity::predictions`](crate::pipeline::Parity::predictions) this is the train/serve
/// parity check over HTTP: the same rows through the training-time model and through the
/// service, compared row by row — a feature the service decodes differently shows up even when
/// it moves the metric by nothing.
///
/// JSON has no NaN or infinity: such values are sent as `null`, like a missing value.
///
/// ```no_run
/// use mlharness::model::{ModelError, Predictions};
/// use mlharness::pipeline::Parity;
/// use mlharness::system::{Service, ServingModel};
/// # use mlharness::data::{Column, Dataset};
/// # fn holdout() -> Dataset { Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0]))]).unwrap() }
/// # fn training_model(d: &Dataset) -> Result<Predictions, ModelError> { Ok(Predictions::values(vec![0.0; d.n_rows()])) }
/// let service = Service::start(std::process::Command::new("target/debug/my-service"))?;
/// // The reply: [{"score": 0.3}, …]
/// let serving = ServingModel::new(&service, "/predict", |reply| {
///     let scores = reply.as_array().ok_or_else(|| ModelError::new("expected an array"))?;
///     Ok(Predictions::values(scores.iter().map(|r| r["score"].as_f64().unwrap_or(f64::NAN)).collect()))
/// });
/// let outcome = Parity::new().predictions(&holdout(), &training_model, &serving)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ServingModel<'a> {
    service: &'a Service,
    path: String,
    parse: Parse,
}

impl std::fmt::Debug for ServingModel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServingModel")
            .field("url", &format!("{}{}", self.service.url(), self.path))
            .finish_non_exhaustive()
    }
}

impl<'a> ServingModel<'a> {
    /// The endpoint at `path` of `service`, its replies read by `parse`.
    pub fn new(
        service: &'a Service,
        path: impl Into<String>,
        parse: impl Fn(&Value) -> Result<Predictions, ModelError> + Send + Sync + 'static,
    ) -> Self {
        ServingModel {
            service,
            path: path.into(),
            parse: Box::new(parse),
        }
    }
}

/// The rows of `data` as JSON records: feature columns only, missing (and non-finite) values
/// as `null`.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// let data = Dataset::from_columns(vec![
///     ("calls".into(), Column::numeric_masked(vec![3.0, 0.0], vec![false, true])?),
///     ("plan".into(), Column::categorical([Some("pro"), None])),
/// ])?;
/// let records = mlharness::system::records(&data);
/// assert_eq!(serde_json::Value::Array(records).to_string(), r#"[{"calls":3.0,"plan":"pro"},{"calls":null,"plan":null}]"#);
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn records(data: &Dataset) -> Vec<Value> {
    let features = data.feature_names();
    let columns: Vec<(&str, &Column)> = data
        .columns()
        .filter(|(name, _)| features.contains(name))
        .collect();
    (0..data.n_rows())
        .map(|i| {
            let mut record = Map::with_capacity(columns.len());
            for (name, column) in &columns {
                let value = match column {
                    Column::Numeric(n) if !n.is_missing(i) => Number::from_f64(n.values()[i])
                        .map(Value::Number)
                        .unwrap_or(Value::Null),
                    Column::Numeric(_) => Value::Null,
                    Column::Categorical(c) => {
                        c.get(i).map_or(Value::Null, |s| Value::String(s.into()))
                    }
                };
                record.insert((*name).to_string(), value);
            }
            Value::Object(record)
        })
        .collect()
}

impl Model for ServingModel<'_> {
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        let body = Value::Array(records(data));
        let reply = self
            .service
            .post_json(&self.path, &body)
            .map_err(|e| ModelError::new(crate::check::chain(&e)))?;
        if reply.status != 200 {
            let mut text = reply.text;
            if text.len() > 500 {
                let mut end = 500;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
                text.push('…');
            }
            return Err(ModelError::new(format!(
                "POST {}: status {}: {text}",
                self.path, reply.status
            )));
        }
        let predictions = (self.parse)(&reply.json)?;
        if predictions.len() != data.n_rows() {
            return Err(ModelError::new(format!(
                "POST {}: {} predictions for {} rows",
                self.path,
                predictions.len(),
                data.n_rows()
            )));
        }
        Ok(predictions)
    }
}
