//! The x86-64 kernels of the quote-free reader: where a 64-byte window's separators lie (SSE2,
//! which every x86-64 CPU has) and the value of a decimal of up to 16 bytes (SSSE3, checked at
//! run time). With the call that picks them, the reader's only `unsafe` code is here.
//!
//! Found a field at a time, each field's end waits for the end of the one before it (a chain
//! of loads and tests). Found 64 bytes at a time, the ends are known before the values are
//! read, so the CPU reads several values at once: a numeric file parses about a fifth faster
//! on one core.

use super::plain::simple_number;
use std::arch::x86_64::{
    __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cvtsi128_si32, _mm_loadu_si128, _mm_madd_epi16,
    _mm_maddubs_epi16, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_packs_epi32,
    _mm_set1_epi16, _mm_set1_epi32, _mm_set1_epi8, _mm_shuffle_epi8, _mm_srli_si128, _mm_sub_epi8,
};

/// The separators (delimiters and line ends) of a text, found 64 bytes at a time.
pub(super) struct Separators<'t> {
    text: &'t [u8],
    delimiter: u8,
    /// Where the window starts: a multiple of 64.
    base: usize,
    /// The window's separators not yet taken, bit `k` for byte `base + k`.
    mask: u64,
    /// The window's delimiters (the other separators are line ends), taken or not.
    delimiters: u64,
}

impl<'t> Separators<'t> {
    pub(super) fn new(text: &'t [u8], delimiter: u8) -> Self {
        let mut separators = Separators {
            text,
            delimiter,
            base: 0,
            mask: 0,
            delimiters: 0,
        };
        separators.load(0);
        separators
    }

    #[inline]
    fn load(&mut self, base: usize) {
        self.base = base;
        (self.mask, self.delimiters) = match self.text.get(base..base + 64) {
            Some(window) => window_separators(window.try_into().expect("64 bytes"), self.delimiter),
            None => {
                let tail = self.text.get(base..).unwrap_or_default();
                let mut window = [0; 64];
                window[..tail.len()].copy_from_slice(tail);
                let (separators, delimiters) = window_separators(&window, self.delimiter);
                let within = !(u64::MAX << tail.len());
                (separators & within, delimiters & within)
            }
        };
    }

    /// Forgets the separators before `pos`.
    #[inline]
    pub(super) fn seek(&mut self, pos: usize) {
        let base = pos & !63;
        if base != self.base {
            self.load(base);
        }
        self.mask &= u64::MAX << (pos - base);
    }

    /// The next separator and whether it is a delimiter (else a line end), or the end of
    /// the text. Told by the window's masks, a field's end takes no load of its byte.
    #[inline]
    pub(super) fn next(&mut self) -> (usize, bool) {
        while self.mask == 0 {
            if self.base + 64 >= self.text.len() {
                return (self.text.len(), false);
            }
            self.load(self.base + 64);
        }
        let lowest = self.mask & self.mask.wrapping_neg();
        let at = self.base + self.mask.trailing_zeros() as usize;
        self.mask ^= lowest;
        (at, self.delimiters & lowest != 0)
    }
}

/// The separators of `window`, bit `k` set when byte `k` is `delimiter`, `\n` or `\r`; and
/// its delimiters.
#[inline]
fn window_separators(window: &[u8; 64], delimiter: u8) -> (u64, u64) {
    // SAFETY: SSE2 is part of x86-64, and the four loads read the 64 bytes of `window`.
    unsafe {
        let (d, n, r) = (
            _mm_set1_epi8(delimiter as i8),
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(b'\r' as i8),
        );
        let (mut separators, mut delimiters) = (0, 0);
        for k in 0..4 {
            let v = _mm_loadu_si128(window.as_ptr().add(16 * k).cast::<__m128i>());
            let is_delimiter = _mm_cmpeq_epi8(v, d);
            let hit = _mm_or_si128(
                _mm_or_si128(is_delimiter, _mm_cmpeq_epi8(v, n)),
                _mm_cmpeq_epi8(v, r),
            );
            separators |= u64::from(_mm_movemask_epi8(hit) as u16) << (16 * k);
            delimiters |= u64::from(_mm_movemask_epi8(is_delimiter) as u16) << (16 * k);
        }
        (separators, delimiters)
    }
}

/// The SSSE3 decimal reader; made only where the CPU has SSSE3.
#[derive(Clone, Copy)]
pub(super) struct Ssse3(());

impl Ssse3 {
    /// The reader, when this CPU can run it.
    pub(super) fn detect() -> Option<Self> {
        std::is_x86_feature_detected!("ssse3").then_some(Self(()))
    }

    /// What [`simple_number`] reads in `text[start..end]` (`text[end]`, if there, a
    /// separator), sixteen bytes at once: the field's end is known, so its value takes no loop
    /// and no branch on its digits, and does not wait for the field before it.
    #[inline(always)]
    pub(super) fn number(
        self,
        text: &[u8],
        start: usize,
        end: usize,
        delimiter: u8,
    ) -> Option<f64> {
        let len = end.wrapping_sub(start);
        match text.get(start..).and_then(<[u8]>::first_chunk) {
            Some(window) if len <= 16 => {
                // SAFETY: an `Ssse3` exists only where the CPU has SSSE3.
                unsafe { decimal(window, len) }
            }
            // Near the end of the text, or longer than sixteen bytes.
            _ => simple_number(text, start, delimiter).map(|(v, _)| v),
        }
    }
}

/// What a decimal of `len` bytes with its first point at byte `point` (16: none; one at or
/// past `len` is none too) needs, at `SHAPES[len << 5 | point]`: which of its bytes must be
/// digits, the shuffle that moves its digits to the top of a register (the point left out,
/// zeros, a set high bit, below them), and the power of ten they are divided by. Looked up,
/// none takes arithmetic on the field.
static SHAPES: [Shape; 17 << 5] = shapes();

/// One entry of [`SHAPES`].
#[derive(Clone, Copy)]
struct Shape {
    shuffle: [u8; 16],
    divisor: f64,
    /// The field's bytes, a bit each.
    field: u32,
    /// The bytes that are digits when the field has no sign: all but the point.
    digits: u32,
}

const fn shapes() -> [Shape; 17 << 5] {
    let mut table = [Shape {
        shuffle: [0x80; 16],
        divisor: 1.0,
        field: 0,
        digits: 0,
    }; 17 << 5];
    let mut len = 0;
    while len <= 16 {
        let mut point = 0;
        while point <= 16 {
            let has_point = point < len;
            let digits = len - has_point as usize;
            let shape = &mut table[len << 5 | point];
            shape.field = !(u32::MAX << len);
            shape.digits = shape.field & !((has_point as u32) << point);
            let mut k = 16 - digits;
            while k < 16 {
                let i = k - (16 - digits);
                shape.shuffle[k] = (i + (has_point && i >= point) as usize) as u8;
                k += 1;
            }
            if has_point {
                let mut places = len - 1 - point;
                while places > 0 {
                    shape.divisor *= 10.0;
                    places -= 1;
                }
            }
            point += 1;
        }
        len += 1;
    }
    table
}

/// The value of the first `len` bytes of `window` (`len ≤ 16`) when they are a plain decimal:
/// a sign or none, digits (at least one) and at most one point. `None` otherwise, or when its
/// digits make an integer past 2^53 (not exact as a double).
///
/// A sign counts as a leading zero digit: its byte is zeroed with every byte that is not a
/// digit. The digits are moved to the top of the register without the point, and the sixteen
/// combined in pairs, fours and eights by multiply-adds. The sign is taken without a branch:
/// in a column of values around zero it is a coin toss.
#[target_feature(enable = "ssse3")]
#[inline]
unsafe fn decimal(window: &[u8; 16], len: usize) -> Option<f64> {
    let v = _mm_loadu_si128(window.as_ptr().cast::<__m128i>());
    let d = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
    let is_digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    let is_point = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'.' as i8));
    let is_minus = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8));
    let is_sign = _mm_or_si128(is_minus, _mm_cmpeq_epi8(v, _mm_set1_epi8(b'+' as i8)));
    let len = len.min(16);
    // The first point, if the field has one (one past it, the field's shape is that of no
    // point); then the field must be digits but for it and a sign in front, which takes a
    // digit's place. A second point, a sign elsewhere or any other byte is not a digit where
    // one is expected.
    let point = (_mm_movemask_epi8(is_point) as u32 | 1 << 16).trailing_zeros() as usize;
    let shape = SHAPES.get(len << 5 | point)?;
    let sign = _mm_movemask_epi8(is_sign) as u32 & shape.field & 1;
    let expected = shape.digits ^ sign;
    let digits = _mm_movemask_epi8(is_digit) as u32 & shape.field;
    // Tested with `|`, not `||`: one branch.
    if (digits != expected) | (expected == 0) {
        return None;
    }
    let negative = _mm_movemask_epi8(is_minus) & 1 != 0;
    let packed = _mm_shuffle_epi8(
        _mm_and_si128(d, is_digit),
        _mm_loadu_si128(shape.shuffle.as_ptr().cast::<__m128i>()),
    );
    let pairs = _mm_maddubs_epi16(packed, _mm_set1_epi16(0x010a));
    let fours = _mm_madd_epi16(pairs, _mm_set1_epi32(0x0001_0064));
    let fours = _mm_packs_epi32(fours, fours);
    let eights = _mm_madd_epi16(fours, _mm_set1_epi32(0x0001_2710));
    let high = u64::from(_mm_cvtsi128_si32(eights) as u32);
    let low = u64::from(_mm_cvtsi128_si32(_mm_srli_si128::<4>(eights)) as u32);
    let m = high * 100_000_000 + low;
    // `m ≤ 2^53` and the divisor, a power of ten under 10^16, are exact doubles, so their
    // quotient is correctly rounded: `str::parse`'s bits (Clinger's fast path).
    let v = m as i64 as f64 / shape.divisor;
    (m <= 1 << 53).then_some(f64::from_bits(v.to_bits() | u64::from(negative) << 63))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first separator of `text`, or its end.
    fn end_of(text: &[u8]) -> usize {
        text.iter()
            .position(|&b| matches!(b, b',' | b'\n' | b'\r'))
            .unwrap_or(text.len())
    }

    proptest! {
        /// A field reads to the value [`simple_number`] reads, followed by enough text for the
        /// wide load or not.
        #[test]
        fn reads_what_simple_number_reads(
            field in "[-+]?[0-9.]{0,18}|[-+0-9.ex ]{0,18}",
            after in prop_oneof![Just(""), Just(","), Just("\n"), Just(",1234567890123456789")],
        ) {
            let Some(ssse3) = Ssse3::detect() else { return Ok(()) };
            let text = format!("{field}{after}");
            let end = end_of(text.as_bytes());
            let bits = |v: Option<f64>| v.map(f64::to_bits);
            prop_assert_eq!(
                bits(ssse3.number(text.as_bytes(), 0, end, b',')),
                bits(simple_number(text.as_bytes(), 0, b',').map(|(v, _)| v)),
                "{:?}", text
            );
        }

        /// Bit `k` is set exactly where byte `k` is a separator, and in the delimiters where
        /// it is one.
        #[test]
        fn marks_each_separator(window in proptest::array::uniform32(
            prop_oneof![Just(b';'), Just(b'\n'), Just(b'\r'), Just(b'1'), Just(0x8a), any::<u8>()]
        )) {
            let mut bytes = [0u8; 64];
            bytes[..32].copy_from_slice(&window);
            bytes[32..].copy_from_slice(&window);
            let expected = bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| matches!(b, b';' | b'\n' | b'\r'))
                .fold(0u64, |mask, (k, _)| mask | 1 << k);
            let delimiters = bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b';')
                .fold(0u64, |mask, (k, _)| mask | 1 << k);
            prop_assert_eq!(window_separators(&bytes, b';'), (expected, delimiters));
        }
    }

    proptest! {
        /// Separators are taken in order from any place sought ahead (a line's start, past
        /// the end of the line before), across windows: as a byte-by-byte scan finds them.
        #[test]
        fn separators_are_found_as_a_byte_scan_finds_them(
            text in proptest::collection::vec(
                prop_oneof![Just(b';'), Just(b'\n'), Just(b'\r'), Just(b'1'), any::<u8>()],
                0..600,
            ),
            ops in proptest::collection::vec(prop_oneof![
                4 => Just(None),
                1 => (0.0f64..=1.0).prop_map(Some),
            ], 0..400),
        ) {
            let mut separators = Separators::new(&text, b';');
            let mut pos = 0;
            for op in ops {
                match op {
                    Some(share) => {
                        pos = pos.max((share * text.len() as f64) as usize);
                        separators.seek(pos);
                    }
                    None => {
                        let expected = text[pos..]
                            .iter()
                            .position(|b| matches!(b, b';' | b'\n' | b'\r'))
                            .map_or(text.len(), |k| pos + k);
                        let delimiter = text.get(expected) == Some(&b';');
                        prop_assert_eq!(separators.next(), (expected, delimiter));
                        pos = (expected + 1).min(text.len());
                    }
                }
            }
        }
    }

    #[test]
    fn sixteen_bytes_read_at_once_and_values_past_2_53_are_left_over() {
        let Some(ssse3) = Ssse3::detect() else { return };
        let text = b"9007199254740992,9007199254740993,1234567.12345678,12345678901234567,";
        let read = |start, end| ssse3.number(text, start, end, b',').map(f64::to_bits);
        assert_eq!(read(0, 16), Some(9007199254740992.0f64.to_bits()));
        // Above 2^53: not exact as a double, for the full reader.
        assert_eq!(read(17, 33), None);
        assert_eq!(read(34, 50), Some(1234567.12345678f64.to_bits()));
        assert_eq!(read(51, 68), None);
    }
}
