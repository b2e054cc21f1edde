//! Two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(method="auto")` computes it.
//!
//! The p-value is exact (lattice-path counting) when both samples have at most 10,000 values;
//! otherwise it is the distribution of the one-sample statistic `D_n` at
//! `n = round(n1·n2 / (n1 + n2))` (scipy's `kstwo.sf`), itself computed by the algorithms of
//! Simard & L'Ecuyer (2011): Ruben–Gambino at the ends, Durbin's matrix (Marsaglia–Tsang–Wang),
//! the Birnbaum–Tingey sum for `2·smirnov(n, d)`, and Pelz–Good for large `n`.

use super::test_result::{sorted, TestResult};
use super::StatsError;

/// scipy's `MAX_AUTO_N`: up to this many values in the larger sample, the p-value is exact.
pub const KS_EXACT_MAX_N: usize = 10_000;

/// Two-sample, two-sided Kolmogorov–Smirnov test of `a` against `b`: the largest distance
/// between their empirical distribution functions, and its p-value. Values must be finite.
///
/// ```
/// use mlharness::stats::ks_2samp;
/// let r = ks_2samp(&[0.1, 0.4, 0.7, 0.9], &[0.2, 0.3, 0.5, 0.6, 0.8])?;
/// assert_eq!(r.method, "exact");
/// assert!((r.statistic - 0.3).abs() < 1e-12);
/// assert!(r.p_value.unwrap() > 0.9);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn ks_2samp(a: &[f64], b: &[f64]) -> Result<TestResult, StatsError> {
    let (a, b) = crate::par::join(|| sorted("ks_2samp", a), || sorted("ks_2samp", b));
    Ok(ks_2samp_sorted(&a?, &b?))
}

/// [`ks_2samp`] on samples already sorted ascending (and checked finite and non-empty), so a
/// caller that also needs the sorted values (e.g. for a Wasserstein distance) sorts once.
pub fn ks_2samp_sorted(a: &[f64], b: &[f64]) -> TestResult {
    let (_, i, j) = ks_location_sorted(a, b);
    ks_2samp_at(a.len(), b.len(), i, j)
}

/// [`ks_2samp_sorted`] from where [`ks_location_sorted`] found the ECDFs furthest apart: `i` of
/// `n1` values of one sample and `j` of `n2` of the other at or below it (a caller that also
/// shows the place walks the samples once).
pub(crate) fn ks_2samp_at(n1: usize, n2: usize, i: usize, j: usize) -> TestResult {
    // The same operations as scipy (two divisions, one subtraction): equal statistics.
    let d = (i as f64 / n1 as f64 - j as f64 / n2 as f64).abs().min(1.0);
    let g = gcd(n1 as u64, n2 as u64);
    let exact = n1.max(n2) <= KS_EXACT_MAX_N;
    if exact {
        if let Some((d, p)) = exact_p_value(n1 as u64, n2 as u64, g, d) {
            return TestResult::new(d, Some(p.clamp(0.0, 1.0)), vec![n1, n2]).method("exact");
        }
    }
    let (m, n) = if n1 >= n2 {
        (n1 as f64, n2 as f64)
    } else {
        (n2 as f64, n1 as f64)
    };
    let en = m * n / (m + n);
    let p = kolmogorov_sf(en.round_ties_even() as u64, d);
    TestResult::new(d, Some(p.clamp(0.0, 1.0)), vec![n1, n2]).method("asymptotic")
}

/// Where the ECDFs of two sorted samples are furthest apart (`max |F_a - F_b|`, evaluated after
/// each distinct value of either sample): the value, and how many values of each sample are at
/// or below it (the first such value on ties). The walk is kept free of unpredictable branches
/// (one value per step, the larger side chosen by a select): with random interleaving that
/// halves its time.
pub(crate) fn ks_location_sorted(a: &[f64], b: &[f64]) -> (f64, usize, usize) {
    let (n1, n2) = (a.len(), b.len());
    let at = |v: &[f64], k: usize| v.get(k).copied().unwrap_or(f64::INFINITY);
    let (mut i, mut j) = (0usize, 0usize);
    // |i·n2 - j·n1| is n1·n2 times the ECDF distance, exactly, in integers.
    let (mut best, mut best_i, mut best_j) = (0i64, 0usize, 0usize);
    let (mut x, mut y) = (at(a, 0), at(b, 0));
    let mut best_v = x.min(y);
    while i < n1 || j < n2 {
        let take_a = x <= y;
        // `min`, not an `if`: the compiler keeps a select of two floats as a branch.
        let v = x.min(y);
        i += usize::from(take_a);
        j += usize::from(!take_a);
        x = at(a, i);
        y = at(b, j);
        // Ties: only once every copy of v is counted on both sides is the distance defined.
        if x.min(y) != v {
            let d = (i as i64 * n2 as i64 - j as i64 * n1 as i64).abs();
            if d > best {
                (best, best_i, best_j, best_v) = (d, i, j, v);
            }
        }
    }
    (best_v, best_i, best_j)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// scipy's exact two-sided p-value; `None` when it is not a probability (scipy then falls back
/// to the asymptotic one). Returns the statistic rounded to the lattice, `h / lcm`, too.
fn exact_p_value(n1: u64, n2: u64, g: u64, d: f64) -> Option<(f64, f64)> {
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Some((d, 1.0));
    }
    let p = if n1 == n2 {
        prob_outside_square(n1, h)
    } else {
        outer_prob_inside(n1, n2, g, h)
    };
    (p.is_finite() && (0.0..=1.0).contains(&p)).then_some((d, p))
}

/// `P(D_{n,n} >= h/n)` by the alternating binomial sum, in Horner form to avoid cancellation.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let mut p = 0.0;
    let mut k = n / h;
    loop {
        let mut p1 = 1.0;
        for j in 0..h {
            // Goes through 0 (and stays there) once k·h + j reaches n.
            p1 = (n as i64 - (k * h + j) as i64) as f64 * p1 / (n + k * h + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        if k == 0 {
            break;
        }
        k -= 1;
    }
    2.0 * p
}

/// `1 - P(paths stay strictly inside |x/m - y/n| < h/lcm)`: Hodges' inside method with
/// Viehmann's recursion for the complement, over one sliding column of the lattice.
fn outer_prob_inside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = ((m / g) as i64, (n / g) as i64);
    let (m, n, h) = (m as i64, n as i64, h as i64);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((h as f64 / mg as f64).ceil() as i64).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a.max(1)];
    for v in a.iter_mut().take(maxj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((((ng * i - h) as f64) / mg as f64).floor() as i64 + 1).max(0);
        minj = minj.min(n);
        maxj = (((ng * i + h) as f64 / mg as f64).ceil() as i64).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            val = (a[(jj + minj - lastminj) as usize] * i as f64 + val * j as f64) / (i + j) as f64;
            a[jj as usize] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            for v in &mut a[(maxj - minj) as usize..(maxj - minj + lastlen - curlen) as usize] {
                *v = 1.0;
            }
        }
    }
    a[(maxj - minj - 1) as usize]
}

/// `P(D_n > x)` for the one-sample two-sided statistic (scipy's `kstwo.sf(x, n)`).
///
/// ```
/// use mlharness::stats::kolmogorov_sf;
/// // Ruben–Gambino: for 1/n <= ... the tail is 2(1-x)^n when x >= 1 - 1/n.
/// assert!((kolmogorov_sf(10, 0.95) - 2.0 * 0.05f64.powi(10)).abs() < 1e-25);
/// ```
pub fn kolmogorov_sf(n: u64, x: f64) -> f64 {
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    if x >= 1.0 {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let nf = n as f64;
    let t = nf * x;
    if t <= 1.0 {
        if t <= 0.5 {
            return 1.0;
        }
        let cdf = if n <= 140 {
            (1..=n).fold(1.0, |p, i| p * (i as f64 * (1.0 / nf) * (2.0 * t - 1.0)))
        } else {
            (log_nfactorial_div_n_pow_n(nf) + nf * (2.0 * t - 1.0).ln()).exp()
        };
        return (1.0 - cdf).clamp(0.0, 1.0);
    }
    if t >= nf - 1.0 {
        return (2.0 * (1.0 - x).powf(nf)).clamp(0.0, 1.0);
    }
    if x >= 0.5 {
        return (2.0 * smirnov_sf(n, x)).clamp(0.0, 1.0);
    }
    let nxsquared = t * x;
    if n <= 140 {
        // scipy uses Durbin's matrix up to 0.754693 and Pomeranz's recursion up to 4: both are
        // exact, so the matrix serves the whole range here.
        if nxsquared <= 4.0 {
            return (1.0 - durbin_matrix_cdf(n, x)).clamp(0.0, 1.0);
        }
        return (2.0 * smirnov_sf(n, x)).clamp(0.0, 1.0);
    }
    if nxsquared >= 370.0 {
        return 0.0;
    }
    if nxsquared >= 2.2 {
        return (2.0 * smirnov_sf(n, x)).clamp(0.0, 1.0);
    }
    let cdf = if nxsquared >= 18.0 {
        1.0
    } else if n <= 100_000 && nf * x.powf(1.5) <= 1.4 {
        durbin_matrix_cdf(n, x)
    } else {
        pelz_good_cdf(nf, x)
    };
    (1.0 - cdf).clamp(0.0, 1.0)
}

const STIRLING: [f64; 8] = [
    -0.029550653594771242,
    0.00641025641025641,
    -0.0019175269175269176,
    0.0008417508417508417,
    -0.0005952380952380953,
    0.0007936507936507937,
    -0.002777777777777778,
    0.08333333333333333,
];

fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    let rn = 1.0 / n;
    let poly = STIRLING.iter().fold(0.0, |acc, &c| acc * (rn / n) + c);
    n.ln() / 2.0 - n + (2.0 * std::f64::consts::PI).ln() / 2.0 + rn * poly
}

/// `P(D_n <= d)` by Durbin's matrix method as Marsaglia, Tsang and Wang (2003) compute it.
fn durbin_matrix_cdf(n: u64, d: f64) -> f64 {
    const E128: i32 = 128;
    let ep128 = 2f64.powi(E128);
    let em128 = 2f64.powi(-E128);
    if d >= 1.0 {
        return 1.0;
    }
    let nd = n as f64 * d;
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powi(j as i32)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powi(m as i32) - 2.0 * h.powi(m as i32);
    v[m - 1] = (1.0 + tt) * fac;
    let mut hm = vec![0.0; m * m];
    for i in 1..m {
        for r in (i - 1)..m {
            hm[r * m + i] = w[r - (i - 1)];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }
    let mut pwr = vec![0.0; m * m];
    for i in 0..m {
        pwr[i * m + i] = 1.0;
    }
    let (mut expnt, mut hexpnt) = (0i64, 0i64);
    let mut nn = n;
    while nn > 0 {
        if nn % 2 == 1 {
            pwr = matmul(&pwr, &hm, m);
            expnt += hexpnt;
        }
        hm = matmul(&hm, &hm, m);
        hexpnt *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > ep128 {
            for x in &mut hm {
                *x /= ep128;
            }
            hexpnt += E128 as i64;
        }
        nn /= 2;
    }
    let mut p = pwr[(k - 1) * m + (k - 1)];
    let nf = n as f64;
    for i in 1..=n {
        p = i as f64 * p / nf;
        if p.abs() < em128 {
            p *= ep128;
            expnt -= E128 as i64;
        }
    }
    if expnt != 0 {
        p *= 2f64.powi(expnt.clamp(-2000, 2000) as i32);
    }
    p.clamp(0.0, 1.0)
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * m];
    for i in 0..m {
        for k in 0..m {
            let aik = a[i * m + k];
            if aik == 0.0 {
                continue;
            }
            let row = &b[k * m..(k + 1) * m];
            for (o, &bkj) in out[i * m..(i + 1) * m].iter_mut().zip(row) {
                *o += aik * bkj;
            }
        }
    }
    out
}

/// The Pelz–Good asymptotic series for `P(D_n <= x)`.
fn pelz_good_cdf(n: f64, x: f64) -> f64 {
    use std::f64::consts::PI;
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let sqrt2pi = (2.0 * PI).sqrt();
    let (pi2, pi4, pi6) = (PI * PI, PI.powi(4), PI.powi(6));
    let z = n.sqrt() * x;
    let (z2, z3, z4, z6) = (z * z, z.powi(3), z.powi(4), z.powi(6));
    let qlog = -pi2 / 8.0 / z2;
    if qlog < -708.0 {
        return 0.0;
    }
    let q = qlog.exp();
    let k1a = -z2;
    let k1b = pi2 / 4.0;
    let k2a = 6.0 * z6 + 2.0 * z4;
    let k2b = (2.0 * z4 - 5.0 * z2) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * z2) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * z2) / 64.0;
    let k3c = pi4 * (-60.0 * z2 + 212.0 * z4) / 16.0;
    let k3b = pi2 * (135.0 * z4 - 96.0 * z6) / 4.0;
    let k3a = -30.0 * z6 - 90.0 * z.powi(8);
    let mut kk = [0.0f64; 4];
    let maxk = (16.0 * z / PI).ceil() as i64;
    for k in (1..=maxk).rev() {
        let m = (2 * k - 1) as f64;
        let (m2, m4, m6) = (m * m, m.powi(4), m.powi(6));
        let qpower = q.powf(8.0 * k as f64);
        let coeffs = [
            1.0,
            k1a + k1b * m2,
            k2a + k2b * m2 + k2c * m4,
            k3a + k3b * m2 + k3c * m4 + k3d * m6,
        ];
        for (v, c) in kk.iter_mut().zip(coeffs) {
            *v = *v * qpower + c;
        }
    }
    let div = [z, 6.0 * z4, 72.0 * z.powi(7), 6480.0 * z.powi(10)];
    for (v, d) in kk.iter_mut().zip(div) {
        *v = *v * q * sqrt2pi / d;
    }
    let q = (-pi2 / 2.0 / z2).exp();
    let sqrt3z = 3f64.sqrt() * z;
    let (mut k2extra, mut k3extra) = (0.0, 0.0);
    for k in (1..=maxk).rev() {
        let kf = k as f64;
        let ksq = kf * kf;
        let qp = q.powf(ksq);
        let kspi = PI * kf;
        k2extra += ksq * qp;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
    }
    kk[2] += k2extra * pi2 * sqrt2pi / (-36.0 * z3);
    kk[3] += k3extra * pi2 * sqrt2pi / (216.0 * z6);
    kk.iter()
        .enumerate()
        .map(|(i, v)| v / n.powf(i as f64 / 2.0))
        .sum()
}

/// `P(D+_n >= x)`, the one-sided Smirnov tail (scipy's `special.smirnov(n, x)`), by the
/// Birnbaum–Tingey sum of positive terms in log space, stopped once the rest cannot matter.
pub(crate) fn smirnov_sf(n: u64, x: f64) -> f64 {
    if !(0.0..=1.0).contains(&x) || n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    if n == 1 {
        return 1.0 - x;
    }
    if x == 0.0 {
        return 1.0;
    }
    if x == 1.0 {
        return 0.0;
    }
    let nx = nf * x;
    let mut nxfl = nx.floor();
    let mut alpha = nx - nxfl;
    if alpha >= 1.0 {
        nxfl += 1.0;
        alpha = 0.0;
    }
    if nxfl == 0.0 || (nxfl == 1.0 && alpha == 0.0) {
        return 1.0 - x * (1.0 + x).powf(nf - 1.0);
    }
    if -2.0 * nf * x * x < -708.396_418_532_264_1 {
        return 0.0;
    }
    if nxfl >= nf - 1.0 {
        return (1.0 - x).powf(nf);
    }
    if n > 1_000_000 {
        let logp = -(6.0 * nf * x + 1.0).powi(2) / 18.0 / nf;
        return if logp < -std::f64::consts::LN_2 {
            logp.exp()
        } else {
            1.0 + logp.exp_m1()
        };
    }
    let nxfl = nxfl as u64;
    let mut last = n - nxfl - u64::from(alpha != 0.0);
    if alpha == 0.0 {
        last -= 1;
    }
    let n_terms = last + 1;
    let ln_a = |j: u64| birnbaum_tingey_ln_term(n, x, j);
    if n_terms > 20_000 {
        if let Some(ln_sum) = sampled_ln_sum(&ln_a, n_terms) {
            return (x.ln() + ln_sum).exp().clamp(0.0, 1.0);
        }
    }
    // Every term, largest-first bookkeeping in log space, stopped once the rest cannot matter.
    let mut lmax = f64::NEG_INFINITY;
    let mut scaled_sum = 0.0f64;
    for j in 0..n_terms {
        let l = ln_a(j);
        if l > lmax {
            scaled_sum = scaled_sum * (lmax - l).exp() + 1.0;
            lmax = l;
        } else {
            scaled_sum += (l - lmax).exp();
        }
        let remaining = (n_terms - j) as f64;
        if l.is_finite()
            && j + 1 != n_terms
            && (4.0 * remaining).ln() + l < f64::EPSILON.ln() + lmax + scaled_sum.ln()
        {
            break;
        }
    }
    (x.ln() + lmax + scaled_sum.ln()).exp().clamp(0.0, 1.0)
}

/// `ln A_j`, `A_j = C(n,j) (1-x-j/n)^(n-j) (x+j/n)^(j-1)`, computed without large cancelling
/// logarithms (Loader's decomposition: Stirling errors plus `ln1p` of small ratios), so each
/// term is accurate to ~1e-13 on its own and any term can be computed without the others.
fn birnbaum_tingey_ln_term(n: u64, x: f64, j: u64) -> f64 {
    let nf = n as f64;
    if j == 0 {
        return nf * (-x).ln_1p() - x.ln();
    }
    let (jf, rest) = (j as f64, (n - j) as f64);
    let nx = nf * x;
    stirling_error(n) - stirling_error(j) - stirling_error(n - j)
        + 0.5 * (nf / (2.0 * std::f64::consts::PI * jf * rest)).ln()
        + jf * (nx / jf).ln_1p()
        + rest * (-nx / rest).ln_1p()
        - (x + jf / nf).ln()
}

/// `ln k! - ((k + 1/2) ln k - k + ln(2π)/2)`, the error of Stirling's formula.
fn stirling_error(k: u64) -> f64 {
    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
    if k <= 15 {
        let kf = k as f64;
        let ln_fact: f64 = (2..=k).map(|i| (i as f64).ln()).sum();
        return ln_fact - ((kf + 0.5) * kf.ln() - kf + LN_SQRT_2PI);
    }
    let k = k as f64;
    let k2 = k * k;
    // The asymptotic series, truncated where its next term is below 1e-17.
    let s = [
        1.0 / 12.0,
        1.0 / 360.0,
        1.0 / 1260.0,
        1.0 / 1680.0,
        1.0 / 1188.0,
    ];
    if k > 500.0 {
        return (s[0] - s[1] / k2) / k;
    }
    if k > 80.0 {
        return (s[0] - (s[1] - s[2] / k2) / k2) / k;
    }
    if k > 35.0 {
        return (s[0] - (s[1] - (s[2] - s[3] / k2) / k2) / k2) / k;
    }
    (s[0] - (s[1] - (s[2] - (s[3] - s[4] / k2) / k2) / k2) / k2) / k
}

/// `ln Σ_{j < n_terms} A_j` from every `h`-th term, when the terms form one smooth hump far
/// wider than `h` and negligible at both ends: then `h·Σ_k A_(r+kh)` equals the full sum up to
/// aliasing errors of order `exp(-2π²(width/h)²)`. Two offsets `r` must agree to 1e-14, else
/// `None` (the caller sums every term).
fn sampled_ln_sum(ln_a: &impl Fn(u64) -> f64, n_terms: u64) -> Option<f64> {
    let h = (n_terms / 4096).max(1);
    let samples = |r: u64| -> Vec<f64> { (r..n_terms).step_by(h as usize).map(ln_a).collect() };
    let (a, b) = (samples(0), samples(h / 2));
    let peak = a
        .iter()
        .chain(&b)
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    // The ends must be negligible (e^-45 ≈ 3e-20 of the largest term).
    let edge = ln_a(0).max(ln_a(n_terms - 1));
    if !peak.is_finite() || edge > peak - 45.0 {
        return None;
    }
    let sum = |v: &[f64]| v.iter().map(|l| (l - peak).exp()).sum::<f64>() * h as f64;
    let (sa, sb) = (sum(&a), sum(&b));
    ((sa - sb).abs() <= 1e-14 * sa).then(|| peak + ((sa + sb) / 2.0).ln())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sampled sum (the fast path for large n) against every term.
    #[test]
    fn sampled_birnbaum_tingey_sum_equals_the_full_sum() {
        for (n, x) in [
            (500_000u64, 0.003),
            (500_000, 0.01),
            (150_000, 0.006),
            (60_000, 0.02),
        ] {
            let n_terms = (n as f64 * (1.0 - x)).floor() as u64;
            let ln_a = |j| birnbaum_tingey_ln_term(n, x, j);
            let sampled =
                sampled_ln_sum(&ln_a, n_terms).expect("a wide hump: the fast path applies");
            let terms: Vec<f64> = (0..n_terms).map(ln_a).collect();
            let peak = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let full = peak + terms.iter().map(|l| (l - peak).exp()).sum::<f64>().ln();
            assert!(
                (sampled.exp() / full.exp() - 1.0).abs() < 1e-12,
                "n {n}, x {x}: {sampled} vs {full}"
            );
        }
    }

    #[test]
    fn stirling_error_is_continuous_across_its_branches() {
        // ln k! from the error agrees with a direct sum of logs on both sides of each cut.
        for k in [15u64, 16, 35, 36, 80, 81, 500, 501] {
            let kf = k as f64;
            let direct: f64 = (2..=k).map(|i| (i as f64).ln()).sum();
            let via = stirling_error(k) + (kf + 0.5) * kf.ln() - kf + 0.918_938_533_204_672_8;
            assert!((direct - via).abs() < 1e-12 * direct, "k {k}");
        }
    }
}
