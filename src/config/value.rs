//! The config tree every format loads into.

use super::{ConfigError, KeyPath, Segment};
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// A table: keys in sorted order, so that renderings and diffs are deterministic.
pub type Table = BTreeMap<String, Value>;

/// A config value from TOML, JSON or YAML.
///
/// Integers, floats and strings stay distinct, so `alpha = "0.1"` and `alpha = 0.1` differ in
/// type, not only in value. Datetimes (TOML) are kept as their text.
///
/// ```
/// use mlharness::config::{Format, Value};
/// let tree = mlharness::config::parse_str("alpha = 0.1\nloss = \"log_loss\"\n", Format::Toml)?;
/// assert_eq!(tree.get("alpha"), Some(&Value::Float(0.1)));
/// assert_eq!(tree.get("loss").map(Value::type_name), Some("string"));
/// assert_eq!(tree.to_string(), r#"{alpha = 0.1, loss = "log_loss"}"#);
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// JSON `null`, YAML `~` / `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A floating-point number (may be `nan` or `inf`).
    Float(f64),
    /// Text.
    String(String),
    /// An ordered list.
    Array(Vec<Value>),
    /// Named values.
    Table(Table),
}

impl Value {
    /// An empty table.
    pub fn table() -> Self {
        Value::Table(Table::new())
    }

    /// `null`, `bool`, `integer`, `float`, `string`, `array` or `table`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Table(_) => "table",
        }
    }

    /// The value at a dotted path such as `model.loss` or `features[3]`; `None` when absent
    /// or when `path` is not a valid path.
    pub fn get(&self, path: &str) -> Option<&Value> {
        self.get_path(&path.parse().ok()?)
    }

    /// The value at `path`, if present.
    pub fn get_path(&self, path: &KeyPath) -> Option<&Value> {
        let mut v = self;
        for seg in path.segments() {
            v = match (seg, v) {
                (Segment::Key(k), Value::Table(t)) => t.get(k)?,
                (Segment::Index(i), Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        Some(v)
    }

    /// Sets the value at `path`, creating tables on the way; an index must already exist.
    ///
    /// ```
    /// use mlharness::config::Value;
    /// let mut tree = Value::table();
    /// tree.set(&"dataset.columns".parse()?, Value::from(vec!["a", "b"]))?;
    /// assert_eq!(tree.get("dataset.columns[1]"), Some(&Value::from("b")));
    /// # Ok::<(), mlharness::config::ConfigError>(())
    /// ```
    pub fn set(&mut self, path: &KeyPath, value: Value) -> Result<(), ConfigError> {
        let mut v = self;
        for (depth, seg) in path.segments().iter().enumerate() {
            let here = || KeyPath::from(path.segments()[..depth].to_vec()).to_string();
            v = match (seg, v) {
                (Segment::Key(k), Value::Table(t)) => t.entry(k.clone()).or_insert(Value::table()),
                (Segment::Index(i), Value::Array(a)) => {
                    let len = a.len();
                    a.get_mut(*i).ok_or_else(|| ConfigError::BadPath {
                        text: path.to_string(),
                        message: format!("index {i} is past the end of `{}` ({len} items)", here()),
                    })?
                }
                (_, other) => {
                    return Err(ConfigError::BadPath {
                        text: path.to_string(),
                        message: format!(
                            "`{}` is a {}, not a container",
                            here(),
                            other.type_name()
                        ),
                    })
                }
            };
        }
        *v = value;
        Ok(())
    }

    /// The tree a `Serialize` value (a struct of defaults) turns into.
    ///
    /// `None` fields are left out rather than set to `null`: TOML has no null, and an absent key
    /// is what `#[derive(Deserialize)]` reads back as `None`.
    ///
    /// ```
    /// use mlharness::config::Value;
    /// #[derive(serde::Serialize)]
    /// struct Train { alpha: f64, max_iter: u32, features: Option<Vec<String>> }
    /// let tree = Value::from_serialize(&Train { alpha: 1.0, max_iter: 200, features: None })?;
    /// assert_eq!(tree.to_string(), "{alpha = 1.0, max_iter = 200}");
    /// # Ok::<(), mlharness::config::ConfigError>(())
    /// ```
    pub fn from_serialize<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, ConfigError> {
        let json = serde_json::to_value(value).map_err(|e| ConfigError::Defaults {
            message: e.to_string(),
        })?;
        from_json(json, &KeyPath::root(), true).map_err(|(path, message)| ConfigError::Defaults {
            message: format!("at `{path}`: {message}"),
        })
    }

    /// Reads the tree into a `Deserialize` type; an error names the field (`features[2]`).
    ///
    /// Integers read into float fields; strings never read into numbers.
    ///
    /// ```
    /// use mlharness::config::{Format, Value};
    /// #[derive(serde::Deserialize, Debug)]
    /// struct Train { alpha: f64 }
    /// let ok: Train = mlharness::config::parse_str("alpha = 1", Format::Toml)?.deserialize_into("model.toml")?;
    /// assert_eq!(ok.alpha, 1.0);
    /// let err = mlharness::config::parse_str("alpha = \"0.1\"", Format::Toml)?
    ///     .deserialize_into::<Train>("model.toml")
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "model.toml: at `alpha`: invalid type: string \"0.1\", expected f64");
    /// # Ok::<(), mlharness::config::ConfigError>(())
    /// ```
    pub fn deserialize_into<T: de::DeserializeOwned>(&self, file: &str) -> Result<T, ConfigError> {
        serde_path_to_error::deserialize(self.clone()).map_err(|e| ConfigError::Deserialize {
            file: file.to_string(),
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    /// The tree as JSON. Non-finite floats, which JSON cannot hold, become the strings
    /// `"nan"`, `"inf"` and `"-inf"`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => serde_json::Value::Number(n),
                None => float_text(*f).into(),
            },
            Value::String(s) => s.clone().into(),
            Value::Array(a) => a.iter().map(Value::to_json).collect(),
            Value::Table(t) => t.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
        }
    }

    /// Every value with its path, parents before children, tables in key order.
    ///
    /// ```
    /// use mlharness::config::{Format, Value};
    /// let tree = mlharness::config::parse_str("a = [1]\n[b]\nc = true\n", Format::Toml)?;
    /// let paths: Vec<String> = tree.walk().iter().map(|(p, _)| p.to_string()).collect();
    /// assert_eq!(paths, ["(root)", "a", "a[0]", "b", "b.c"]);
    /// # Ok::<(), mlharness::config::ConfigError>(())
    /// ```
    pub fn walk(&self) -> Vec<(KeyPath, &Value)> {
        let mut out = Vec::new();
        walk_into(self, KeyPath::root(), &mut out);
        out
    }

    /// The scalars and empty containers, each with its path: one line per setting.
    pub fn leaves(&self) -> Vec<(KeyPath, &Value)> {
        self.walk()
            .into_iter()
            .filter(|(_, v)| match v {
                Value::Array(a) => a.is_empty(),
                Value::Table(t) => t.is_empty(),
                _ => true,
            })
            .collect()
    }

    /// Deep merge: values in `self` win; tables merge key by key; anything else (arrays
    /// included) is replaced whole. `self` is the file, `under` the defaults.
    pub(crate) fn merge_over(self, under: Value) -> Value {
        match (self, under) {
            (Value::Table(mut top), Value::Table(bottom)) => {
                for (k, below) in bottom {
                    let merged = match top.remove(&k) {
                        Some(above) => above.merge_over(below),
                        None => below,
                    };
                    top.insert(k, merged);
                }
                Value::Table(top)
            }
            (top, _) => top,
        }
    }
}

fn walk_into<'a>(v: &'a Value, path: KeyPath, out: &mut Vec<(KeyPath, &'a Value)>) {
    out.push((path.clone(), v));
    match v {
        Value::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                walk_into(item, path.index(i), out);
            }
        }
        Value::Table(t) => {
            for (k, item) in t {
                walk_into(item, path.key(k.clone()), out);
            }
        }
        _ => {}
    }
}

/// Converts JSON into a tree; the error carries the path. `drop_nulls` leaves out `null`
/// table entries (for defaults from `Option` fields).
pub(crate) fn from_json(
    json: serde_json::Value,
    path: &KeyPath,
    drop_nulls: bool,
) -> Result<Value, (KeyPath, String)> {
    Ok(match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if n.is_u64() {
                return Err((
                    path.clone(),
                    format!(
                        "integer {n} is larger than the largest supported ({})",
                        i64::MAX
                    ),
                ));
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Array(a) => Value::Array(
            a.into_iter()
                .enumerate()
                .map(|(i, v)| from_json(v, &path.index(i), drop_nulls))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(o) => {
            let mut t = Table::new();
            for (k, v) in o {
                if drop_nulls && v.is_null() {
                    continue;
                }
                let child = from_json(v, &path.key(k.clone()), drop_nulls)?;
                t.insert(k, child);
            }
            Value::Table(t)
        }
    })
}

/// A float as TOML writes it: always with a `.` or exponent, `nan`, `inf`, `-inf`.
pub(crate) fn float_text(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{f:?}")
    }
}

/// Inline rendering: strings quoted, floats with a decimal point, `[a, b]`, `{k = v}`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&float_text(*x)),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Value::Array(a) => {
                f.write_str("[")?;
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Table(t) => {
                f.write_str("{")?;
                for (i, (k, v)) in t.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} = {v}", KeyPath::root().key(k.clone()))?;
                }
                f.write_str("}")
            }
        }
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

macro_rules! from_scalar {
    ($($t:ty => $variant:ident as $conv:ty),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(<$conv>::from(v))
            }
        }
    )*};
}

from_scalar! {
    bool => Bool as bool,
    i64 => Int as i64,
    i32 => Int as i64,
    u32 => Int as i64,
    f64 => Float as f64,
    f32 => Float as f64,
    String => String as String,
    &str => String as String,
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Value::Table(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

type DeError = de::value::Error;

impl<'de> de::Deserializer<'de> for Value {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(a) => {
                de::Deserializer::deserialize_any(SeqDeserializer::new(a.into_iter()), visitor)
            }
            Value::Table(t) => {
                de::Deserializer::deserialize_any(MapDeserializer::new(t.into_iter()), visitor)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            Value::Table(t) if t.len() == 1 => visitor.visit_enum(
                de::value::MapAccessDeserializer::new(MapDeserializer::new(t.into_iter())),
            ),
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a string or a one-key table",
            )),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

fn unexpected(v: &Value) -> de::Unexpected<'_> {
    match v {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Int(i) => de::Unexpected::Signed(*i),
        Value::Float(f) => de::Unexpected::Float(*f),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Table(_) => de::Unexpected::Map,
    }
}

impl<'de> IntoDeserializer<'de, DeError> for Value {
    type Deserializer = Value;

    fn into_deserializer(self) -> Value {
        self
    }
}
