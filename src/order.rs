//! Numbers as integers that sort in the same order, and a sort of such keys: sorting compares
//! integers, not floats through `partial_cmp`, and large samples sort by radix.

/// Orders `f64` as unsigned integers (for finite values, `-0.0` folded into `0.0`), so sorting
/// compares integers rather than calling `partial_cmp`.
pub(crate) fn order_key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The number whose [`order_key`] is `key` (`0.0` for the key of `-0.0`).
pub(crate) fn from_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// Digits of this many bits: six passes cover a key, and a pass's counts (8 KiB) stay in cache.
const DIGIT_BITS: u32 = 11;
const BUCKETS: usize = 1 << DIGIT_BITS;
const PASSES: usize = 64usize.div_ceil(DIGIT_BITS as usize);

/// Below this many keys a comparison sort is as fast as counting.
const RADIX_FROM: usize = 1 << 12;

/// Sorts keys ascending. From a few thousand keys, a least-significant-digit radix sort: one
/// pass counts every digit, then each digit is a stable scatter into a second buffer, skipped
/// when every key has the same digit there (a sample's values often share sign and exponent).
/// Linear in the keys, where a comparison sort of drift's 100k-value samples spends 17
/// comparisons on each.
pub(crate) fn sort_keys(keys: &mut Vec<u64>) {
    if keys.len() < RADIX_FROM || u32::try_from(keys.len()).is_err() {
        keys.sort_unstable();
        return;
    }
    let digit = |k: u64, pass: usize| (k >> (pass as u32 * DIGIT_BITS)) as usize & (BUCKETS - 1);
    let mut counts = vec![[0u32; BUCKETS]; PASSES];
    for &k in keys.iter() {
        for (pass, c) in counts.iter_mut().enumerate() {
            c[digit(k, pass)] += 1;
        }
    }
    let mut other = vec![0u64; keys.len()];
    for (pass, c) in counts.iter_mut().enumerate() {
        if c.iter().any(|&n| n as usize == keys.len()) {
            continue;
        }
        // Where each digit's keys start.
        let mut start = 0;
        for n in c.iter_mut() {
            (*n, start) = (start, start + *n);
        }
        for &k in keys.iter() {
            let d = digit(k, pass);
            other[c[d] as usize] = k;
            c[d] += 1;
        }
        std::mem::swap(keys, &mut other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn keys_sort_as_a_comparison_sort_sorts_them(
            seed in any::<u64>(),
            len in prop_oneof![0usize..100, RADIX_FROM - 2..RADIX_FROM + 3000],
            spread in prop_oneof![Just(u64::MAX), Just(0xffff), Just(0)],
        ) {
            // Keys from a few values to any: some digits shared by all, some not.
            let mut state = seed;
            let mut keys: Vec<u64> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (state ^ (state >> 29)) & spread | 0x4000_0000_0000_0000
                })
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_keys(&mut keys);
            prop_assert_eq!(keys, want);
        }

        #[test]
        fn order_keys_sort_numbers_as_total_cmp_does(mut v in proptest::collection::vec(-1e300f64..1e300, 0..50)) {
            let mut keys: Vec<u64> = v.iter().map(|&x| order_key(x)).collect();
            keys.sort_unstable();
            v.sort_by(f64::total_cmp);
            let back: Vec<f64> = keys.into_iter().map(from_order_key).collect();
            prop_assert_eq!(back.iter().map(|x| x + 0.0).collect::<Vec<_>>(), v.iter().map(|x| x + 0.0).collect::<Vec<_>>());
        }
    }
}
