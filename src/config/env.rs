//! `${VAR}` expansion, as a shell (or `envsubst`, or docker compose) applies it to a config
//! before the program reads it.

use super::error::line_column;
use super::ConfigError;
use std::collections::BTreeMap;

/// Where `${VAR}` looks variables up.
///
/// ```
/// use mlharness::config::Env;
/// let env = Env::vars([("SEED", "7")]);
/// assert_eq!(env.get("SEED").as_deref(), Some("7"));
/// assert_eq!(env.get("HOME"), None);
/// assert_eq!(Env::empty().get("SEED"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Env {
    /// The environment of this process, as the service's shell would see it.
    #[default]
    Process,
    /// Exactly these variables (and no others): for tests, and for reading a file as written.
    Vars(BTreeMap<String, String>),
}

impl Env {
    /// This process's environment.
    pub fn process() -> Self {
        Env::Process
    }

    /// No variables at all: every `${VAR:-fallback}` takes its fallback.
    pub fn empty() -> Self {
        Env::Vars(BTreeMap::new())
    }

    /// Exactly the given variables.
    pub fn vars<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        Env::Vars(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// The value of `name`, if set (a variable that is not valid Unicode counts as unset).
    pub fn get(&self, name: &str) -> Option<String> {
        match self {
            Env::Process => std::env::var(name).ok(),
            Env::Vars(m) => m.get(name).cloned(),
        }
    }
}

/// Expands `${…}` in `text` as a POSIX shell does; `file` names the source in errors.
///
/// - `${VAR}`: the value; an error naming `VAR` (and where it is) when unset.
/// - `${VAR:-word}` / `${VAR-word}`: `word` when `VAR` is unset or empty / unset.
/// - `${VAR:+word}` / `${VAR+word}`: `word` when `VAR` is set and non-empty / set, else empty.
/// - `${VAR:?message}` / `${VAR?message}`: an error with `message` when unset or empty / unset.
/// - `word` may itself contain `${…}`; `$${` is a literal `${`; a `$` not followed by `{` is
///   left alone (so `$HOME` is not expanded: write `${HOME}`).
///
/// Expansion happens on the text, before parsing, as it would in a shell: `seed = ${SEED:-42}`
/// is an integer once expanded, and `"${SEED:-42}"` a string. Comments are text too, so a
/// `${…}` in a comment is expanded (and must be defined) like any other.
///
/// ```
/// use mlharness::config::{expand, Env};
/// let env = Env::vars([("LR", "0.05"), ("EMPTY", "")]);
/// assert_eq!(expand("lr = ${LR}", &env, "f")?, "lr = 0.05");
/// assert_eq!(expand("${EMPTY:-x} ${EMPTY-x} ${UNSET-x}", &env, "f")?, "x  x");
/// assert_eq!(expand("${A:-${LR}}", &env, "f")?, "0.05");
/// assert_eq!(expand("cost = $$5, $${LR}", &env, "f")?, "cost = $$5, ${LR}");
/// let err = expand("a\nb = ${UNSET:?is needed for training}", &env, "model.toml").unwrap_err();
/// assert_eq!(err.to_string(), "model.toml:2:5: environment variable `UNSET`: is needed for training");
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
pub fn expand(text: &str, env: &Env, file: &str) -> Result<String, ConfigError> {
    expand_within(text, env, file, super::load::MAX_EXPANDED_BYTES)
}

/// [`expand`] with a bound on the expanded size (see [`super::Limits`]).
pub(crate) fn expand_within(
    text: &str,
    env: &Env,
    file: &str,
    max_bytes: usize,
) -> Result<String, ConfigError> {
    Expander {
        text,
        env,
        file,
        max_bytes,
        inserted: std::cell::Cell::new(0),
    }
    .expand(0, text.len(), 0)
}

/// How deep `${A:-${B:-…}}` may nest. Each level scans to its closing brace, so the bound also
/// keeps expansion linear in the text (and the stack shallow) on a hostile file.
pub const MAX_EXPANSION_DEPTH: usize = 32;

struct Expander<'a> {
    /// The whole text: positions in errors are computed against it.
    text: &'a str,
    env: &'a Env,
    file: &'a str,
    /// Bound on the output: every output byte comes from the text or from an inserted value,
    /// so counting inserted values' bytes bounds it without measuring nested results.
    max_bytes: usize,
    inserted: std::cell::Cell<usize>,
}

impl Expander<'_> {
    /// Expands `text[start..end]`, `depth` levels inside other `${…}`.
    fn expand(&self, start: usize, end: usize, depth: usize) -> Result<String, ConfigError> {
        let bytes = self.text.as_bytes();
        let mut out = String::with_capacity(end - start);
        let mut i = start;
        let mut copied = start;
        while i < end {
            if bytes[i] == b'$' && i + 2 < end && bytes[i + 1] == b'$' && bytes[i + 2] == b'{' {
                out.push_str(&self.text[copied..i]);
                out.push_str("${");
                i += 3;
                copied = i;
                continue;
            }
            if bytes[i] == b'$' && i + 1 < end && bytes[i + 1] == b'{' {
                out.push_str(&self.text[copied..i]);
                let close = self.closing_brace(i, end)?;
                out.push_str(&self.substitute(i, close, depth)?);
                i = close + 1;
                copied = i;
                continue;
            }
            i += 1;
        }
        out.push_str(&self.text[copied..end]);
        Ok(out)
    }

    /// The byte position of the `}` closing the `${` at `dollar`, counting nested `${`.
    fn closing_brace(&self, dollar: usize, end: usize) -> Result<usize, ConfigError> {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = dollar + 2;
        while i < end {
            match bytes[i] {
                b'$' if i + 1 < end && bytes[i + 1] == b'{' => {
                    depth += 1;
                    i += 2;
                    continue;
                }
                b'}' if depth == 0 => return Ok(i),
                b'}' => depth -= 1,
                b'\n' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        Err(self.bad(dollar, "`${` is not closed by `}` on the same line".into()))
    }

    /// Expands the `${…}` spanning `dollar..=close`.
    fn substitute(&self, dollar: usize, close: usize, depth: usize) -> Result<String, ConfigError> {
        let inner = &self.text[dollar + 2..close];
        let name_len = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let name = &inner[..name_len];
        if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
            return Err(self.bad(
                dollar,
                format!("`${{{inner}}}`: expected a variable name (letters, digits, `_`, not starting with a digit)"),
            ));
        }
        let rest = &inner[name_len..];
        let value = self.env.get(name);
        if let Some(v) = &value {
            let total = self.inserted.get().saturating_add(v.len());
            self.inserted.set(total);
            if total.saturating_add(self.text.len()) > self.max_bytes {
                return Err(self.bad(
                    dollar,
                    format!(
                        "expanding `${{…}}` makes the text more than {} bytes (the limit; see \
                         config::Limits)",
                        self.max_bytes
                    ),
                ));
            }
        }
        let set = value.is_some();
        let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
        let word_start = dollar + 2 + name_len;
        // The operand after a one- or two-character operator, expanded only when used.
        let word = |op_len: usize| {
            if depth + 1 > MAX_EXPANSION_DEPTH {
                return Err(self.bad(
                    dollar,
                    format!("`${{…}}` nested more than {MAX_EXPANSION_DEPTH} deep (the limit)"),
                ));
            }
            self.expand(word_start + op_len, close, depth + 1)
        };
        if rest.is_empty() {
            return value.ok_or_else(|| {
                let (line, column) = line_column(self.text, dollar);
                ConfigError::UndefinedVariable {
                    file: self.file.to_string(),
                    line,
                    column,
                    name: name.to_string(),
                }
            });
        }
        let required = |op_len: usize| -> ConfigError {
            let message = self.text[word_start + op_len..close].trim();
            let (line, column) = line_column(self.text, dollar);
            ConfigError::VariableRequired {
                file: self.file.to_string(),
                line,
                column,
                name: name.to_string(),
                message: if message.is_empty() {
                    "is not set".to_string()
                } else {
                    message.to_string()
                },
            }
        };
        match rest.as_bytes() {
            [b':', b'-', ..] => if non_empty { Ok(value.unwrap_or_default()) } else { word(2) },
            [b'-', ..] => if set { Ok(value.unwrap_or_default()) } else { word(1) },
            [b':', b'+', ..] => if non_empty { word(2) } else { Ok(String::new()) },
            [b'+', ..] => if set { word(1) } else { Ok(String::new()) },
            [b':', b'?', ..] => if non_empty { Ok(value.unwrap_or_default()) } else { Err(required(2)) },
            [b'?', ..] => if set { Ok(value.unwrap_or_default()) } else { Err(required(1)) },
            _ => Err(self.bad(
                dollar,
                format!("`${{{inner}}}`: unsupported; use `${{{name}}}`, `${{{name}:-default}}`, `${{{name}:+word}}` or `${{{name}:?message}}`"),
            )),
        }
    }

    fn bad(&self, at: usize, message: String) -> ConfigError {
        let (line, column) = line_column(self.text, at);
        ConfigError::BadExpansion {
            file: self.file.to_string(),
            line,
            column,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env::vars([("A", "1"), ("EMPTY", ""), ("NAME", "churn")])
    }

    fn ok(text: &str) -> String {
        expand(text, &env(), "f").unwrap()
    }

    /// Issue 14, bug 1: 15,000 levels overflowed the stack, and time grew with the square of
    /// the nesting.
    #[test]
    fn nesting_beyond_the_limit_is_an_error_naming_where() {
        let nested = |n: usize| format!("x = {}1{}", "${UNSET:-".repeat(n), "}".repeat(n));
        assert_eq!(ok(&nested(MAX_EXPANSION_DEPTH)), "x = 1");
        let err = expand(&nested(15_000), &env(), "f.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "f.toml:1:{}: `${{…}}` nested more than 32 deep (the limit)",
                5 + 9 * 32
            )
        );
    }

    #[test]
    fn expands_like_a_shell() {
        assert_eq!(ok("x = ${A}"), "x = 1");
        assert_eq!(ok("${A}${A}"), "11");
        assert_eq!(ok("${EMPTY}"), "");
        assert_eq!(
            ok("${EMPTY:-d}|${EMPTY-d}|${UNSET:-d}|${UNSET-d}"),
            "d||d|d"
        );
        assert_eq!(ok("${A:+w}|${EMPTY:+w}|${EMPTY+w}|${UNSET+w}"), "w||w|");
        assert_eq!(ok("${UNSET:-${NAME}-v2}"), "churn-v2");
        assert_eq!(ok("${UNSET:-${ALSO:-deep}}"), "deep");
        assert_eq!(
            ok("${A:-${UNSET}}"),
            "1",
            "an unused fallback is not expanded"
        );
        assert_eq!(ok("${UNSET:-}"), "");
        assert_eq!(ok("$A $ {A} $$ $${A}"), "$A $ {A} $$ ${A}");
        assert_eq!(ok("é ${NAME} ü"), "é churn ü");
    }

    #[test]
    fn errors_name_variable_and_position() {
        let err = expand("a = 1\n  b = \"${MISSING}\"\n", &env(), "m.toml").unwrap_err();
        match &err {
            ConfigError::UndefinedVariable {
                file,
                line,
                column,
                name,
            } => {
                assert_eq!(
                    (file.as_str(), *line, *column, name.as_str()),
                    ("m.toml", 2, 8, "MISSING")
                );
            }
            other => panic!("{other:?}"),
        }
        let err = expand("${UNSET:-${INNER}}", &env(), "f").unwrap_err();
        assert!(err.to_string().contains("`INNER`"), "{err}");
        let err = expand("${EMPTY:?}", &env(), "f").unwrap_err().to_string();
        assert_eq!(err, "f:1:1: environment variable `EMPTY`: is not set");
        assert!(expand("${EMPTY?}", &env(), "f").is_ok());
    }

    #[test]
    fn malformed_expressions_are_errors() {
        for (text, needle) in [
            ("x = ${A", "not closed"),
            ("${A\n}", "not closed"),
            ("${}", "expected a variable name"),
            ("${1A}", "expected a variable name"),
            ("${A:=3}", "unsupported"),
            ("${A B}", "unsupported"),
        ] {
            let err = expand(text, &env(), "f").unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
    }
}
