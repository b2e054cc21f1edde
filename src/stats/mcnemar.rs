//! The exact McNemar test.

use super::StatsError;

/// The result of an exact McNemar test on two classifiers' outcomes on the same rows.
///
/// Only the discordant rows count: `b` rows that only the reference gets right and `c` rows
/// that only the candidate gets right. Under the null hypothesis (equal error rates) each
/// discordant row is a fair coin, so the p-value is the two-sided binomial test of
/// `min(b, c)` successes in `b + c` trials with p = ½ — statsmodels'
/// `mcnemar(table, exact=True)`, and scipy's `binomtest(min(b, c), b + c).pvalue`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McNemar {
    /// Rows the reference classifies right and the candidate wrong.
    pub b: u64,
    /// Rows the candidate classifies right and the reference wrong.
    pub c: u64,
    /// `min(b, c)`, the test statistic (as statsmodels reports it).
    pub statistic: u64,
    /// Two-sided p-value; 1 when there are no discordant rows.
    pub p_value: f64,
}

impl McNemar {
    /// Discordant rows, `b + c`.
    pub fn discordant(&self) -> u64 {
        self.b + self.c
    }

    /// True when the candidate has more errors than the reference on the discordant rows.
    pub fn candidate_worse(&self) -> bool {
        self.b > self.c
    }
}

/// Exact McNemar test from the discordant counts: `b` rows only the reference gets right,
/// `c` rows only the candidate gets right.
///
/// ```
/// use mlharness::stats::mcnemar_exact;
/// // scipy.stats.binomtest(2, 14).pvalue == 0.01294...
/// let m = mcnemar_exact(12, 2);
/// assert!((m.p_value - 0.012939453125).abs() < 1e-12);
/// assert!(m.candidate_worse());
/// assert_eq!(mcnemar_exact(0, 0).p_value, 1.0);
/// ```
pub fn mcnemar_exact(b: u64, c: u64) -> McNemar {
    let n = b + c;
    let k = b.min(c);
    // For p = ½ the binomial is symmetric, so scipy's two-sided sum over outcomes no more
    // likely than k is exactly twice the lower tail (capped at 1 when k is the middle).
    let p_value = if n == 0 || 2 * k >= n {
        1.0
    } else {
        (2.0 * half_binomial_lower_tail(k, n)).min(1.0)
    };
    McNemar {
        b,
        c,
        statistic: k,
        p_value,
    }
}

/// Exact McNemar test from per-row outcomes: whether the reference and the candidate
/// classified each row right.
///
/// ```
/// use mlharness::stats::mcnemar_from_outcomes;
/// let reference = [true, true, true, false];
/// let candidate = [true, false, false, true];
/// let m = mcnemar_from_outcomes(&reference, &candidate)?;
/// assert_eq!((m.b, m.c), (2, 1));
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn mcnemar_from_outcomes(
    reference_correct: &[bool],
    candidate_correct: &[bool],
) -> Result<McNemar, StatsError> {
    if reference_correct.len() != candidate_correct.len() {
        return Err(StatsError::LengthMismatch {
            test: "mcnemar",
            left: reference_correct.len(),
            right: candidate_correct.len(),
        });
    }
    if reference_correct.is_empty() {
        return Err(StatsError::Empty { test: "mcnemar" });
    }
    let (mut b, mut c) = (0u64, 0u64);
    for (&r, &k) in reference_correct.iter().zip(candidate_correct) {
        b += u64::from(r && !k);
        c += u64::from(!r && k);
    }
    Ok(mcnemar_exact(b, c))
}

/// `P(X ≤ k)` for `X ~ Binomial(n, ½)` and `2k < n`, to ~1e-13 relative even for millions of
/// trials. (The regularised incomplete beta function loses about 1e-9 there, at n = 2·10⁶.)
/// The probability of `k` comes from Loader's saddle-point formula; the smaller outcomes
/// follow by the ratio `P(j − 1) / P(j) = j / (n − j + 1)`, summed until they no longer count.
fn half_binomial_lower_tail(k: u64, n: u64) -> f64 {
    let mut term = half_binomial_pmf(k, n);
    let mut sum = 0.0;
    let mut j = k;
    loop {
        sum += term;
        if j == 0 || term <= sum * 1e-17 {
            return sum;
        }
        term *= j as f64 / (n - j + 1) as f64;
        j -= 1;
    }
}

/// `P(X = x)` for `X ~ Binomial(n, ½)`, by Loader (2000), "Fast and accurate computation of
/// binomial probabilities", as R's `dbinom` computes it.
fn half_binomial_pmf(x: u64, n: u64) -> f64 {
    if x == 0 || x == n {
        return (-(n as f64)).exp2();
    }
    let (xf, nf) = (x as f64, n as f64);
    let half = nf / 2.0;
    let lc = stirling_error(n)
        - stirling_error(x)
        - stirling_error(n - x)
        - bd0(xf, half)
        - bd0(nf - xf, half);
    let lf = (2.0 * std::f64::consts::PI).ln() + xf.ln() + (-xf / nf).ln_1p();
    (lc - 0.5 * lf).exp()
}

/// `ln(n!) − ln(√(2πn) (n/e)ⁿ)`: exact values up to 15, the Stirling series beyond.
fn stirling_error(n: u64) -> f64 {
    // From mpmath at 40 digits, kept as printed; the compiler rounds each to the nearest f64.
    #[allow(clippy::excessive_precision)]
    const SMALL: [f64; 16] = [
        0.0,
        0.081_061_466_795_327_258_22,
        0.041_340_695_955_409_294_094,
        0.027_677_925_684_998_339_149,
        0.020_790_672_103_765_093_112,
        0.016_644_691_189_821_192_163,
        0.013_876_128_823_070_747_999,
        0.011_896_709_945_891_770_095,
        0.010_411_265_261_972_096_497,
        0.009_255_462_182_712_732_917_7,
        0.008_330_563_433_362_871_256_5,
        0.007_573_675_487_951_840_795,
        0.006_942_840_107_209_529_865_7,
        0.006_408_994_188_004_207_068_4,
        0.005_951_370_112_758_847_735_6,
        0.005_554_733_551_962_801_371,
    ];
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15 {
        return SMALL[n as usize];
    }
    let nf = n as f64;
    let nn = nf * nf;
    if n > 500 {
        (S0 - S1 / nn) / nf
    } else if n > 80 {
        (S0 - (S1 - S2 / nn) / nn) / nf
    } else if n > 35 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / nf
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / nf
    }
}

/// `x ln(x / np) + np − x`, without cancellation when `x` is close to `np`.
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        s
    } else {
        x * (x / np).ln() + np - x
    }
}
