//! Which numbers occurred before, in row order, in time linear in the rows: the `unique`
//! expectation of a numeric column, checked inside validation's one pass over the column, and
//! inferred for a numeric ID.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// Integers between the bounds take one byte each when the span is at most this many bytes
/// per row (a sequential ID: one byte a row, as much again as the column's own values); other
/// values go to a hash set. Bytes, not bits: a sequential ID would otherwise read and write
/// the same word 64 times running, one wait on the last store after another.
const BYTES_PER_ROW: u64 = 8;

/// Remembers the numbers seen so far. An integer within `[lo, hi]` (the column's declared or
/// observed range) is a byte in a table, so a sequential ID costs one load and one store per
/// row; anything else is hashed.
pub(crate) struct Repeats {
    /// The smallest integer kept in the table, and how many follow it.
    lo: f64,
    span: f64,
    seen: Vec<bool>,
    others: HashSet<u64, BuildHasherDefault<Fibonacci>>,
}

impl Repeats {
    /// A detector for `rows` values, most of them expected in `[lo, hi]` (either unbounded, or
    /// a span too wide for the table: every value is hashed).
    pub(crate) fn new(lo: f64, hi: f64, rows: usize) -> Repeats {
        let (lo, hi) = (lo.ceil(), hi.floor());
        let span = hi - lo;
        let dense = span.is_finite() && span >= 0.0 && span < (rows as u64 * BYTES_PER_ROW) as f64;
        let (span, len) = if dense {
            (span, span as usize + 1)
        } else {
            (-1.0, 0)
        };
        Repeats {
            lo,
            span,
            seen: vec![false; len],
            others: HashSet::default(),
        }
    }

    /// Records `v`; true when it was seen before. `-0.0` is `0.0`; every `NaN` is one value.
    #[inline]
    pub(crate) fn seen(&mut self, v: f64) -> bool {
        // `v` itself must be whole: `v - lo` can round a fraction away when `lo` is large.
        let k = v - self.lo;
        if k >= 0.0 && k <= self.span && is_integer(v) {
            return std::mem::replace(&mut self.seen[k as usize], true);
        }
        let key = if v.is_nan() {
            f64::NAN.to_bits()
        } else {
            (v + 0.0).to_bits()
        };
        !self.others.insert(key)
    }
}

/// Whether `v` is a whole number (by conversion: `trunc` is a library call on baseline x86-64).
pub(crate) fn is_integer(v: f64) -> bool {
    // Beyond 2^53 every finite f64 is whole, and beyond i64 the conversion saturates.
    (v.abs() >= 9.0e15 && v.is_finite()) || (v as i64) as f64 == v
}

/// Fibonacci hashing of a `u64`: one multiplication, high bits well mixed (what a hash table
/// reads); keys are the bits of numbers a user's data holds, not an attacker's choice of
/// collisions worth guarding against with SipHash.
#[derive(Default)]
pub(crate) struct Fibonacci(u64);

impl Hasher for Fibonacci {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(26);
    }
}

#[cfg(test)]
mod tests {
    use super::Repeats;

    /// The table and the hash set answer alike: repeats in and out of the dense range,
    /// fractions, zero's two signs, NaN.
    #[test]
    fn repeats_are_found_wherever_a_value_is_kept() {
        let values = [
            3.0,
            7.0,
            3.0,
            2.5,
            2.5,
            -0.0,
            0.0,
            1e300,
            1e300,
            11.0,
            11.0,
            f64::NAN,
            f64::NAN,
        ];
        let expected = [
            false, false, true, false, true, false, true, false, true, false, true, false, true,
        ];
        for (lo, hi) in [(0.0, 10.0), (f64::NEG_INFINITY, f64::INFINITY), (0.0, 1e12)] {
            let mut r = Repeats::new(lo, hi, values.len());
            let found: Vec<bool> = values.iter().map(|&v| r.seen(v)).collect();
            assert_eq!(found, expected, "range {lo}..{hi}");
        }
    }
}
