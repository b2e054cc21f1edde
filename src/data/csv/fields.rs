//! What one field holds: trimmed text, a missing token, a number, or a category level.

use crate::data::levels::{Key, KeyIndex};

/// Whitespace as `str::trim` sees it: the ASCII bytes fast, and Unicode white space (a
/// no-break space pasted from a spreadsheet) when an edge byte is not ASCII.
#[inline]
pub(super) fn trim(field: &[u8]) -> &[u8] {
    match (field.first(), field.last()) {
        // The usual field: nothing to trim.
        (Some(&a), Some(&b)) if a > b' ' && a < 0x80 && b > b' ' && b < 0x80 => return field,
        _ => {}
    }
    // `u8::is_ascii_whitespace` leaves out the vertical tab, which `str::trim` removes.
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let start = field.iter().position(|b| !space(b)).unwrap_or(field.len());
    let end = field
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
    let t = &field[start..end];
    match (t.first(), t.last()) {
        (Some(&a), Some(&b)) if a >= 0x80 || b >= 0x80 => {
            std::str::from_utf8(t).map_or(t, |s| s.trim().as_bytes())
        }
        _ => t,
    }
}

/// The missing-value tokens, compared with a trimmed field.
#[derive(Debug)]
pub(super) struct Missing {
    tokens: Vec<Vec<u8>>,
    /// The key of each token, compared in place of its bytes.
    keys: KeyIndex,
    /// Some token reads as a number (`-999`): then a number is not read before the tokens.
    numeric_token: bool,
}

impl Missing {
    pub(super) fn new(tokens: &[String]) -> Self {
        let tokens: Vec<Vec<u8>> = tokens
            .iter()
            .map(|t| t.trim().as_bytes().to_vec())
            .collect();
        let numeric_token = tokens.iter().any(|t| number(t).is_some());
        let mut keys = KeyIndex::default();
        for token in &tokens {
            keys.push(Key::of(token));
        }
        Missing {
            keys,
            tokens,
            numeric_token,
        }
    }

    /// Whether some token reads as a number (`-999`).
    pub(super) fn has_numeric_token(&self) -> bool {
        self.numeric_token
    }

    #[inline]
    pub(super) fn is_missing(&self, trimmed: &[u8]) -> bool {
        if trimmed.len() <= Key::MAX {
            self.keys.find(&Key::of(trimmed)).is_some()
        } else {
            self.tokens.iter().any(|t| t.as_slice() == trimmed)
        }
    }

    /// A trimmed field of a numeric column: `Some(NaN)` when missing, `Some(x)` for a
    /// number, `None` for text. Most fields are numbers: they are tried first unless a
    /// missing token is one.
    #[inline]
    pub(super) fn number_or_missing(&self, trimmed: &[u8]) -> Option<f64> {
        if self.numeric_token && self.is_missing(trimmed) {
            return Some(f64::NAN);
        }
        match number(trimmed) {
            Some(v) => Some(v),
            None => self.is_missing(trimmed).then_some(f64::NAN),
        }
    }
}

/// A trimmed field as a number: what `str::parse::<f64>` accepts, read by fast-float2 (the
/// same Eisel–Lemire algorithm, without the UTF-8 round trip). `nan` in any spelling is text,
/// never a silently missing value; infinities are numbers (a schema flags them).
#[inline]
pub(super) fn number(trimmed: &[u8]) -> Option<f64> {
    fast_float2::parse::<f64, _>(trimmed)
        .ok()
        .filter(|v| !v.is_nan())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default tokens each have a slot of their own: a field that is none of them is told
    /// so by one look-up, never a search of the list.
    #[test]
    fn the_default_missing_tokens_are_each_found_by_their_slot() {
        let tokens: Vec<String> = crate::data::csv::DEFAULT_MISSING
            .iter()
            .map(|t| t.to_string())
            .collect();
        let missing = Missing::new(&tokens);
        assert!(!missing.keys.is_crowded());
        for token in &tokens {
            assert!(missing.is_missing(token.as_bytes()), "{token:?}");
        }
        for field in ["na", "Non", "nan", "north", "0", "NULL"] {
            assert!(!missing.is_missing(field.as_bytes()), "{field:?}");
        }
    }

    #[test]
    fn numbers_are_what_str_parse_reads() {
        let cases = [
            "1",
            "1.",
            ".5",
            ".",
            "+",
            "-",
            "1e",
            "1e+",
            "e5",
            "0x10",
            "1_000",
            "Infinity",
            "-INF",
            "+inf",
            "infinit",
            "inFINity",
            "1e400",
            "1e-400",
            "+.5",
            "-.e1",
            "NaN",
            "nan(1)",
            "-0",
            "00012",
            "1,5",
            "1.5e3",
            "1.5E-3",
            "9007199254740993",
            "2.2250738585072011e-308",
            "1e+",
            "٣",
            "",
        ];
        for case in cases {
            let std = case.parse::<f64>().ok().filter(|v| !v.is_nan());
            let ours = number(case.as_bytes());
            assert_eq!(
                ours.map(f64::to_bits),
                std.map(f64::to_bits),
                "`{case}`: fast-float2 {ours:?}, str::parse {std:?}"
            );
        }
    }

    #[test]
    fn trimming_is_str_trim() {
        for case in [
            " a ",
            "\u{b}5\u{c}",
            "\u{a0}5\u{3000}",
            "\t\r\n",
            "x\u{85}",
            "",
        ] {
            assert_eq!(trim(case.as_bytes()), case.trim().as_bytes(), "{case:?}");
        }
        // Not UTF-8: only ASCII space is removed.
        assert_eq!(trim(b" \xff "), b"\xff");
    }
}
