//! Reading TOML, JSON and YAML into one [`Value`] tree, with defaults and `${VAR}` expansion.

use super::env::expand_within;
use super::error::line_column;
use super::value::Table;
use super::{ConfigError, Env, KeyPath, Value};
use serde::de::{self, Deserialize, Visitor};
use std::fmt;
use std::path::Path as FsPath;

/// A config file format.
///
/// ```
/// use mlharness::config::Format;
/// assert_eq!(Format::from_path("conf/model.yml".as_ref()), Some(Format::Yaml));
/// assert_eq!(Format::from_path("model.TOML".as_ref()), Some(Format::Toml));
/// assert_eq!(Format::from_path("model.ini".as_ref()), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.toml`
    Toml,
    /// `.json`
    Json,
    /// `.yaml` or `.yml` (needs the `yaml` feature).
    Yaml,
}

impl Format {
    /// The format a file's extension names, if any.
    pub fn from_path(path: &FsPath) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    /// `TOML`, `JSON` or `YAML`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        }
    }
}

/// Loads config files: format by extension (or as told), `${VAR}` expansion, and a layer of
/// defaults underneath.
///
/// By default variables come from the process environment; [`Loader::env_vars`] gives an
/// explicit set instead (tests), [`Loader::no_expansion`] reads `${…}` literally.
///
/// ```
/// use mlharness::config::{Format, Loader, Value};
///
/// #[derive(serde::Serialize, serde::Deserialize, Default)]
/// struct Train { seed: u64, alpha: f64, max_iter: u32 }
///
/// let loader = Loader::new()
///     .defaults(&Train { seed: 42, alpha: 1.0, max_iter: 200 })
///     .env_vars([("SEED", "7")]);
/// let tree = loader.parse_str("seed = ${SEED:-42}\nalpha = 0.5\n", Format::Toml, "model.toml")?;
/// assert_eq!(tree.get("seed"), Some(&Value::Int(7)));       // from the environment
/// assert_eq!(tree.get("alpha"), Some(&Value::Float(0.5)));  // from the file
/// assert_eq!(tree.get("max_iter"), Some(&Value::Int(200))); // from the defaults
/// let train: Train = tree.deserialize_into("model.toml")?;
/// assert_eq!(train.seed, 7);
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Loader {
    format: Option<Format>,
    env: Option<Env>,
    defaults: Option<Result<Value, String>>,
    limits: Limits,
}

/// Bounds on what a config may expand to. The defaults refuse hostile files (alias bombs,
/// `${X}` repeated a million times over a large variable) long before memory runs out and are
/// far above any real config; raise them with [`Loader::limits`] for a generated config that
/// needs more.
///
/// ```
/// use mlharness::config::{Format, Limits, Loader};
/// let tight = Loader::new().env_vars([("X", "0123456789")]).limits(Limits {
///     max_expanded_bytes: 64,
///     ..Limits::default()
/// });
/// let text = "a = \"${X}${X}${X}${X}${X}${X}${X}\"\n";
/// let err = tight.parse_str(text, Format::Toml, "big.toml").unwrap_err().to_string();
/// assert!(err.contains("more than 64 bytes"), "{err}");
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Values a YAML document may hold once its aliases are expanded (default
    /// [`MAX_YAML_NODES`]).
    pub max_yaml_values: u64,
    /// Bytes the text may grow to once `${…}` is expanded (default [`MAX_EXPANDED_BYTES`]).
    pub max_expanded_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_yaml_values: MAX_YAML_NODES,
            max_expanded_bytes: MAX_EXPANDED_BYTES,
        }
    }
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

impl Loader {
    /// Format from the extension, variables from the process environment, no defaults.
    pub fn new() -> Self {
        Loader {
            format: None,
            env: Some(Env::Process),
            defaults: None,
            limits: Limits::default(),
        }
    }

    /// Replaces the [`Limits`] (alias expansion, `${…}` growth).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads files in `format` whatever their extension.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Expands `${VAR}` from `env`.
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    /// Expands `${VAR}` from exactly these variables (none of the process's).
    pub fn env_vars<K: Into<String>, V: Into<String>>(
        self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.env(Env::vars(vars))
    }

    /// Leaves `${VAR}` as it is written.
    pub fn no_expansion(mut self) -> Self {
        self.env = None;
        self
    }

    /// Puts `defaults` (typically `YourConfig::default()`) under the file: a key absent from
    /// the file takes its value from here, so implicit defaults are compared too. Tables merge
    /// key by key; arrays and scalars in the file replace the default whole.
    pub fn defaults<T: serde::Serialize + ?Sized>(mut self, defaults: &T) -> Self {
        self.defaults = Some(
            Value::from_serialize(defaults)
                .map_err(|e| match e {
                    ConfigError::Defaults { message } => message,
                    other => other.to_string(),
                })
                .and_then(|tree| match tree {
                    Value::Table(_) => Ok(tree),
                    other => Err(format!(
                        "must serialize to a table (a struct or a map), not to {}",
                        other.type_name()
                    )),
                }),
        );
        self
    }

    /// Puts a ready tree of defaults under the file.
    pub fn defaults_tree(mut self, defaults: Value) -> Self {
        self.defaults = Some(Ok(defaults));
        self
    }

    /// Reads the file at `path`.
    pub fn load(&self, path: impl AsRef<FsPath>) -> Result<Value, ConfigError> {
        let path = path.as_ref();
        let format = match self.format.or_else(|| Format::from_path(path)) {
            Some(f) => f,
            None => {
                return Err(ConfigError::UnknownFormat {
                    path: path.to_path_buf(),
                })
            }
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        self.parse_str(&text, format, &path.display().to_string())
    }

    /// Reads the file at `path` into `T`; an error names the field.
    pub fn load_as<T: de::DeserializeOwned>(
        &self,
        path: impl AsRef<FsPath>,
    ) -> Result<T, ConfigError> {
        let path = path.as_ref();
        self.load(path)?
            .deserialize_into(&path.display().to_string())
    }

    /// Parses `text` in `format`; `file` names it in errors.
    pub fn parse_str(&self, text: &str, format: Format, file: &str) -> Result<Value, ConfigError> {
        let expanded;
        let text = match &self.env {
            Some(env) => {
                expanded = expand_within(text, env, file, self.limits.max_expanded_bytes)?;
                expanded.as_str()
            }
            None => text,
        };
        let tree = match format {
            Format::Toml => parse_toml(text, file)?,
            Format::Json => parse_json(text, file)?,
            Format::Yaml => parse_yaml(text, file, self.limits.max_yaml_values)?,
        };
        if !matches!(tree, Value::Table(_)) {
            return Err(ConfigError::UnsupportedValue {
                file: file.to_string(),
                path: KeyPath::root().to_string(),
                message: format!("the top level must be a table, found {}", tree.type_name()),
            });
        }
        match &self.defaults {
            None => Ok(tree),
            Some(Ok(defaults)) => Ok(tree.merge_over(defaults.clone())),
            Some(Err(message)) => Err(ConfigError::Defaults {
                message: message.clone(),
            }),
        }
    }
}

/// Reads `path` with the process environment and no defaults: `Loader::new().load(path)`.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("model.json");
/// std::fs::write(&path, "{\"loss\": \"log_loss\",\n \"alpha\": }")?;
/// let err = mlharness::config::load(&path).unwrap_err().to_string();
/// assert!(err.ends_with("model.json:2:11: invalid JSON: expected value"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load(path: impl AsRef<FsPath>) -> Result<Value, ConfigError> {
    Loader::new().load(path)
}

/// Parses `text` as it is written (no `${VAR}` expansion, no defaults).
///
/// ```
/// use mlharness::config::{parse_str, Format, Value};
/// let tree = parse_str("{\"features\": [\"a\", \"b\"]}", Format::Json)?;
/// assert_eq!(tree.get("features[1]"), Some(&Value::from("b")));
/// let err = parse_str("a = 1\na = 2\n", Format::Toml).unwrap_err().to_string();
/// assert!(err.starts_with("<string>:2:1: invalid TOML: duplicate key"), "{err}");
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
pub fn parse_str(text: &str, format: Format) -> Result<Value, ConfigError> {
    Loader::new()
        .no_expansion()
        .parse_str(text, format, "<string>")
}

fn parse_toml(text: &str, file: &str) -> Result<Value, ConfigError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
        ConfigError::Parse {
            file: file.to_string(),
            format: "TOML",
            line,
            column,
            message: e.message().trim().replace('\n', " "),
        }
    })?;
    Ok(from_toml(toml::Value::Table(table)))
}

fn from_toml(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::Int(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Value::Table(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// TOML values (from a rules file) as tree values.
pub(crate) fn toml_to_value(v: toml::Value) -> Value {
    from_toml(v)
}

fn parse_json(text: &str, file: &str) -> Result<Value, ConfigError> {
    serde_json::from_str::<Value>(text).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        ConfigError::Parse {
            file: file.to_string(),
            format: "JSON",
            line: e.line(),
            column: e.column().max(1),
            message,
        }
    })
}

/// Builds a tree straight from a parser, refusing what JSON parsers usually let through
/// silently: a key given twice (the first value would be lost) and integers beyond `i64`.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a config value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        i64::try_from(u).map(Value::Int).map_err(|_| {
            E::custom(format!(
                "integer {u} is larger than the largest supported ({})",
                i64::MAX
            ))
        })
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Table::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value()?;
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            out.insert(key, value);
        }
        Ok(Value::Table(out))
    }
}

/// How deep a config may nest (tables and arrays), in every format.
pub const MAX_DEPTH: usize = 128;

/// How many nodes a YAML document may expand to, aliases counted as copies of what they name:
/// a few hundred bytes of `&a [*b, *b, …]` can otherwise expand to gigabytes.
pub const MAX_YAML_NODES: u64 = 1_000_000;

/// How large a config's text may grow through `${…}` expansion: 16 MiB.
pub const MAX_EXPANDED_BYTES: usize = 16 << 20;

/// Walks the YAML events once, without building anything, and refuses nesting deeper than
/// [`MAX_DEPTH`] or an expansion beyond [`MAX_YAML_NODES`] before the loader (which recurses
/// and copies aliases) sees the text.
#[cfg(feature = "yaml")]
fn check_yaml_limits(text: &str, file: &str, max_values: u64) -> Result<(), ConfigError> {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    // Open collections: their anchor and their expanded size so far.
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut anchored: std::collections::HashMap<usize, u64> = std::collections::HashMap::new();
    let mut total: u64 = 0;
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(e) => e,
            // The loader reports syntax errors, with their position.
            Err(_) => return Ok(()),
        };
        let limit = |what: String| ConfigError::Parse {
            file: file.to_string(),
            format: "YAML",
            line: mark.line(),
            column: mark.col() + 1,
            message: what,
        };
        // The node's size as a child of its collection, and how many values it adds.
        let (node, adds) = match event {
            Event::StreamEnd => return Ok(()),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_DEPTH {
                    return Err(limit(format!(
                        "nested more than {MAX_DEPTH} levels deep (the limit)"
                    )));
                }
                open.push((anchor, 1));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, size) = open.pop().unwrap_or((0, 1));
                if anchor > 0 {
                    anchored.insert(anchor, size);
                }
                (size, 1)
            }
            Event::Scalar(_, _, anchor, _) => {
                if anchor > 0 {
                    anchored.insert(anchor, 1);
                }
                (1, 1)
            }
            Event::Alias(anchor) => {
                let size = anchored.get(&anchor).copied().unwrap_or(1);
                (size, size)
            }
            _ => continue,
        };
        total = total.saturating_add(adds);
        if total > max_values {
            return Err(limit(format!(
                "expands to more than {max_values} values through its aliases (the limit; \
                 see config::Limits)"
            )));
        }
        if let Some((_, size)) = open.last_mut() {
            *size = size.saturating_add(node);
        }
    }
}

#[cfg(feature = "yaml")]
fn parse_yaml(text: &str, file: &str, max_values: u64) -> Result<Value, ConfigError> {
    use yaml_rust2::YamlLoader;
    check_yaml_limits(text, file, max_values)?;
    let mut docs = YamlLoader::load_from_str(text).map_err(|e| ConfigError::Parse {
        file: file.to_string(),
        format: "YAML",
        line: e.marker().line(),
        // yaml-rust2 counts columns from 0.
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    })?;
    match docs.len() {
        0 => Ok(Value::table()),
        1 => from_yaml(docs.remove(0), &KeyPath::root()).map_err(|(path, message)| {
            ConfigError::UnsupportedValue {
                file: file.to_string(),
                path: path.to_string(),
                message,
            }
        }),
        n => Err(ConfigError::UnsupportedValue {
            file: file.to_string(),
            path: KeyPath::root().to_string(),
            message: format!("the file holds {n} YAML documents; a config is one"),
        }),
    }
}

#[cfg(not(feature = "yaml"))]
fn parse_yaml(_text: &str, file: &str, _max_values: u64) -> Result<Value, ConfigError> {
    Err(ConfigError::YamlDisabled {
        file: file.to_string(),
    })
}

#[cfg(feature = "yaml")]
fn from_yaml(y: yaml_rust2::Yaml, path: &KeyPath) -> Result<Value, (KeyPath, String)> {
    use yaml_rust2::Yaml;
    Ok(match y {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::Int(i),
        Yaml::Real(ref s) => match y.as_f64() {
            Some(f) => Value::Float(f),
            None => return Err((path.clone(), format!("`{s}` is not a number"))),
        },
        Yaml::String(s) => Value::String(s),
        Yaml::Array(a) => Value::Array(
            a.into_iter()
                .enumerate()
                .map(|(i, v)| from_yaml(v, &path.index(i)))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Hash(h) => {
            let mut t = Table::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) | Yaml::Real(s) => s,
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Null => "null".to_string(),
                    other => {
                        return Err((
                            path.clone(),
                            format!("a mapping key must be a scalar, found {other:?}"),
                        ))
                    }
                };
                let child = path.key(key.clone());
                if t.contains_key(&key) {
                    // `1` and `"1"` are distinct YAML keys but one key here.
                    return Err((child, "this key appears twice".to_string()));
                }
                let value = from_yaml(v, &child)?;
                t.insert(key, value);
            }
            Value::Table(t)
        }
        Yaml::Alias(_) | Yaml::BadValue => {
            return Err((
                path.clone(),
                "the value cannot be read (an unknown alias, or a tag that does not fit it)"
                    .to_string(),
            ))
        }
    })
}
