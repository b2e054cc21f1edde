//! Dotted paths into a config tree (`model.loss`, `features[3]`) and glob patterns over them
//! (`server.port`, `*.timestamp`, `**.debug`).

use super::ConfigError;
use std::fmt;
use std::str::FromStr;

/// One step of a [`KeyPath`]: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A key of a table.
    Key(String),
    /// A 0-based index into an array.
    Index(usize),
}

/// Where a value sits in a config tree: `model.loss`, `features[3]`, `layers[0].units`.
///
/// Keys that are not bare words (letters, digits, `_`, `-`) are quoted: `labels."a.b"`.
/// The empty path, the whole tree, displays as `(root)`.
///
/// ```
/// use mlharness::config::{KeyPath, Segment};
/// let path: KeyPath = "model.features[3]".parse()?;
/// assert_eq!(path.segments(), &[
///     Segment::Key("model".into()),
///     Segment::Key("features".into()),
///     Segment::Index(3),
/// ]);
/// assert_eq!(path.to_string(), "model.features[3]");
/// assert_eq!(KeyPath::root().key("a.b").to_string(), "\"a.b\"");
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct KeyPath(Vec<Segment>);

impl KeyPath {
    /// The empty path: the whole tree.
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }

    /// This path extended by a table key.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.into()));
        p
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }

    /// The steps from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<Segment>> for KeyPath {
    fn from(segments: Vec<Segment>) -> Self {
        KeyPath(segments)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write_key(f, k)?;
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

fn is_bare(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn write_key(f: &mut fmt::Formatter<'_>, key: &str) -> fmt::Result {
    if is_bare(key) {
        f.write_str(key)
    } else {
        // JSON string syntax: unambiguous, and what the path parser reads back.
        write!(f, "{}", serde_json::Value::String(key.to_string()))
    }
}

impl FromStr for KeyPath {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let pattern = Pattern::parse(s)?;
        pattern.to_path().ok_or_else(|| ConfigError::BadPath {
            text: s.to_string(),
            message: "wildcards are allowed in patterns, not in paths".into(),
        })
    }
}

/// One step of a [`Pattern`].
#[derive(Debug, Clone, PartialEq)]
enum PatternSegment {
    /// A key, literally.
    Key(String),
    /// A key matched by a glob with `*` (any characters) and `?` (one character).
    KeyGlob(String),
    /// `*`: any one key or index.
    AnyOne,
    /// `[n]`.
    Index(usize),
    /// `[*]`: any one index.
    AnyIndex,
    /// `**`: zero or more steps.
    AnyDepth,
}

/// A glob over dotted paths, for ignore lists and rules.
///
/// Segments are matched one by one: `*` matches any one key or index, `[*]` any index, `**`
/// any number of segments (including none), and `*` / `?` inside a key glob within it
/// (`server.*_port`). A quoted key (`"a.b"`) is literal. So `*.timestamp` matches
/// `run.timestamp` but not `a.b.timestamp`; `**.timestamp` matches both, and `timestamp` itself.
///
/// For ignoring, a pattern also covers everything below what it matches: ignoring `server`
/// ignores `server.port`.
///
/// ```
/// use mlharness::config::Pattern;
/// let p = Pattern::parse("*.timestamp")?;
/// assert!(p.matches(&"run.timestamp".parse()?));
/// assert!(!p.matches(&"a.b.timestamp".parse()?));
/// assert!(Pattern::parse("**.timestamp")?.matches(&"a.b.timestamp".parse()?));
/// assert!(Pattern::parse("server")?.covers(&"server.port".parse()?));
/// assert!(Pattern::parse("features[*]")?.matches(&"features[7]".parse()?));
/// assert!(Pattern::parse("server.*_port")?.matches(&"server.admin_port".parse()?));
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    text: String,
    segments: Vec<PatternSegment>,
}

impl Pattern {
    /// Parses a pattern; a plain dotted path is a pattern that matches only itself.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let bad = |message: &str| ConfigError::BadPath {
            text: text.to_string(),
            message: message.to_string(),
        };
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return Err(bad("the path is empty"));
        }
        let mut segments = Vec::new();
        let mut i = 0;
        // Whether a key may start here: at the start, or right after a dot.
        let mut expect_key = true;
        while i < chars.len() {
            match chars[i] {
                '[' => {
                    let close = chars[i..]
                        .iter()
                        .position(|&c| c == ']')
                        .ok_or_else(|| bad("`[` without a closing `]`"))?;
                    let inner: String = chars[i + 1..i + close].iter().collect();
                    let inner = inner.trim();
                    if inner == "*" {
                        segments.push(PatternSegment::AnyIndex);
                    } else {
                        let n = inner.parse::<usize>().map_err(|_| {
                            bad(&format!(
                                "`[{inner}]` is not an index (a number from 0, or `*`)"
                            ))
                        })?;
                        segments.push(PatternSegment::Index(n));
                    }
                    i += close + 1;
                    expect_key = false;
                }
                '.' => {
                    if expect_key {
                        return Err(bad("empty segment (two dots, or a leading dot)"));
                    }
                    i += 1;
                    expect_key = true;
                    if i == chars.len() {
                        return Err(bad("the path ends with a dot"));
                    }
                }
                '"' => {
                    if !expect_key {
                        return Err(bad("a quoted key must follow a dot"));
                    }
                    let mut key = String::new();
                    let mut j = i + 1;
                    loop {
                        match chars.get(j) {
                            None => return Err(bad("a quoted key is not closed")),
                            Some('"') => break,
                            Some('\\') => {
                                match chars.get(j + 1) {
                                    Some('"') => key.push('"'),
                                    Some('\\') => key.push('\\'),
                                    _ => {
                                        return Err(bad(
                                            "only \\\" and \\\\ may be escaped in a quoted key",
                                        ))
                                    }
                                }
                                j += 2;
                                continue;
                            }
                            Some(&c) => key.push(c),
                        }
                        j += 1;
                    }
                    segments.push(PatternSegment::Key(key));
                    i = j + 1;
                    expect_key = false;
                }
                _ => {
                    if !expect_key {
                        return Err(bad("expected `.` or `[` between segments"));
                    }
                    let start = i;
                    while i < chars.len() && !matches!(chars[i], '.' | '[' | '"') {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect();
                    if word.trim() != word || word.is_empty() {
                        return Err(bad("a key has leading or trailing spaces: quote it"));
                    }
                    segments.push(match word.as_str() {
                        "*" => PatternSegment::AnyOne,
                        "**" => PatternSegment::AnyDepth,
                        w if w.contains('*') || w.contains('?') => {
                            PatternSegment::KeyGlob(w.to_string())
                        }
                        w => PatternSegment::Key(w.to_string()),
                    });
                    expect_key = false;
                }
            }
        }
        Ok(Pattern {
            text: text.to_string(),
            segments,
        })
    }

    /// The text the pattern was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The plain path this pattern names, when it has no wildcard.
    pub fn to_path(&self) -> Option<KeyPath> {
        self.segments
            .iter()
            .map(|s| match s {
                PatternSegment::Key(k) => Some(Segment::Key(k.clone())),
                PatternSegment::Index(n) => Some(Segment::Index(*n)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(KeyPath)
    }

    /// Whether the pattern matches `path` exactly.
    pub fn matches(&self, path: &KeyPath) -> bool {
        match_from(&self.segments, &path.0, false)
    }

    /// Whether the pattern matches `path` or one of its ancestors (ignoring a table ignores
    /// what is in it).
    pub fn covers(&self, path: &KeyPath) -> bool {
        match_from(&self.segments, &path.0, true)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Pattern {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::parse(s)
    }
}

fn match_from(pattern: &[PatternSegment], path: &[Segment], prefix: bool) -> bool {
    let Some((first, rest)) = pattern.split_first() else {
        return path.is_empty() || prefix;
    };
    if let PatternSegment::AnyDepth = first {
        return (0..=path.len()).any(|skip| match_from(rest, &path[skip..], prefix));
    }
    let Some((seg, path_rest)) = path.split_first() else {
        return false;
    };
    let one = match (first, seg) {
        (PatternSegment::AnyOne, _) => true,
        (PatternSegment::Key(k), Segment::Key(s)) => k == s,
        (PatternSegment::KeyGlob(g), Segment::Key(s)) => glob(g, s),
        (PatternSegment::Index(n), Segment::Index(i)) => n == i,
        (PatternSegment::AnyIndex, Segment::Index(_)) => true,
        _ => false,
    };
    one && match_from(rest, path_rest, prefix)
}

/// `*` = any run of characters, `?` = one character.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with backtracking to the last `*`: linear in practice.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> KeyPath {
        s.parse().unwrap()
    }

    #[test]
    fn paths_round_trip_through_display() {
        for s in [
            "a",
            "a.b",
            "features[3]",
            "a[0][1].b",
            "[2]",
            "labels.\"a.b\"",
            "x-y_z",
        ] {
            assert_eq!(path(s).to_string(), s);
        }
    }

    #[test]
    fn malformed_paths_say_what_is_wrong() {
        for (text, needle) in [
            ("", "empty"),
            ("a..b", "empty segment"),
            ("a.", "ends with a dot"),
            (".a", "empty segment"),
            ("a[x]", "not an index"),
            ("a[1", "closing"),
            ("a\"b\"", "must follow a dot"),
            ("\"open", "not closed"),
            ("a[0]b", "expected `.` or `[`"),
        ] {
            let err = Pattern::parse(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
        let err = "a.*".parse::<KeyPath>().unwrap_err().to_string();
        assert!(err.contains("wildcards"), "{err}");
    }

    #[test]
    fn globs_match_segments() {
        let p = |s: &str| Pattern::parse(s).unwrap();
        assert!(p("*").matches(&path("a")));
        assert!(p("*").matches(&path("[3]")));
        assert!(!p("*").matches(&path("a.b")));
        assert!(p("**").matches(&path("a.b[2].c")));
        assert!(p("a.**.z").matches(&path("a.z")));
        assert!(p("a.**.z").matches(&path("a.b.c.z")));
        assert!(!p("a.**.z").matches(&path("a.b.c.y")));
        assert!(p("a[*]").matches(&path("a[1]")));
        assert!(!p("a[*]").matches(&path("a.b")));
        assert!(p("t?me*").matches(&path("timestamp")));
        assert!(!p("t?me").matches(&path("tiime")));
        assert!(p("server").covers(&path("server.port")));
        assert!(!p("server").matches(&path("server.port")));
        assert!(!p("server.port").covers(&path("server")));
    }
}
