//! `assert_no_drift!` and `drift_test!`.

/// Panics, with the drift report as the message, when `current` has drifted from `reference`
/// (or when they cannot be compared). Options default to [`DriftOptions::default`].
///
/// [`DriftOptions::default`]: crate::drift::DriftOptions
///
/// ```
/// use mlharness::assert_no_drift;
/// use mlharness::data::{Column, Dataset};
/// use mlharness::drift::DriftOptions;
/// let week1 = Dataset::from_columns(vec![("x".into(), Column::numeric((0..100).map(f64::from).collect()))])?;
/// let week2 = Dataset::from_columns(vec![("x".into(), Column::numeric((0..100).map(|i| f64::from(i) + 0.5).collect()))])?;
/// assert_no_drift!(week1, week2);
/// assert_no_drift!(week1, week2, DriftOptions::default().alpha(0.01));
///
/// let moved = Dataset::from_columns(vec![("x".into(), Column::numeric((0..100).map(|i| f64::from(i) + 60.0).collect()))])?;
/// let failure = std::panic::catch_unwind(|| assert_no_drift!(week1, moved)).unwrap_err();
/// assert!(failure.downcast_ref::<String>().unwrap().contains("DRIFT: 1 of 1 columns drifted"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
macro_rules! assert_no_drift {
    ($reference:expr, $current:expr $(,)?) => {
        $crate::assert_no_drift!($reference, $current, $crate::drift::DriftOptions::default())
    };
    ($reference:expr, $current:expr, $options:expr $(,)?) => {
        match $crate::drift::DriftOptions::compare(&$options, &$reference, &$current) {
            Ok(report) => {
                if !report.outcome().passed() {
                    $crate::_macro_support::fail_with_evidence(report.to_string(), &report);
                }
            }
            Err(e) => panic!("drift check could not run: {e}"),
        }
    };
}

/// Panics unless `current` has drifted from `reference`: for tests proving that the check
/// catches a shift. Returns the report.
///
/// ```
/// use mlharness::assert_drift;
/// use mlharness::data::{Column, Dataset};
/// let a = Dataset::from_columns(vec![("x".into(), Column::numeric((0..100).map(f64::from).collect()))])?;
/// let b = Dataset::from_columns(vec![("x".into(), Column::numeric((0..100).map(|i| f64::from(i) * 3.0).collect()))])?;
/// let report = assert_drift!(a, b);
/// assert_eq!(report.drifted_columns(), vec!["x"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
macro_rules! assert_drift {
    ($reference:expr, $current:expr $(,)?) => {
        $crate::assert_drift!($reference, $current, $crate::drift::DriftOptions::default())
    };
    ($reference:expr, $current:expr, $options:expr $(,)?) => {
        match $crate::drift::DriftOptions::compare(&$options, &$reference, &$current) {
            Ok(report) => {
                if report.outcome().passed() {
                    panic!("expected drift, found none:\n{}", report);
                }
                report
            }
            Err(e) => panic!("drift check could not run: {e}"),
        }
    };
}

/// Generates named drift tests in a module `mlharness_drift` (so mlharness's gate counts them as drift
/// tests): one `#[test]` per entry, each comparing its current data with the reference.
/// Entries under `no_drift` must not drift; entries under `drift` must (proof that the check
/// catches a shift). `options` is optional.
///
/// ```
/// # fn main() {} // tests are compiled out of doc-tests; see the README for a run.
/// use mlharness::data::{Column, Dataset};
/// use mlharness::drift::DriftOptions;
///
/// fn training() -> Dataset {
///     Dataset::from_columns(vec![("x".into(), Column::numeric((0..500).map(|i| f64::from(i % 97)).collect()))]).unwrap()
/// }
/// fn this_week() -> Dataset {
///     Dataset::from_columns(vec![("x".into(), Column::numeric((0..300).map(|i| f64::from(i % 89)).collect()))]).unwrap()
/// }
/// fn after_the_bug() -> Dataset {
///     Dataset::from_columns(vec![("x".into(), Column::numeric((0..300).map(|i| f64::from(i % 89) * 10.0).collect()))]).unwrap()
/// }
///
/// mlharness::drift_test! {
///     reference: training(),
///     options: DriftOptions::default().alpha(0.01),
///     no_drift: { this_week => this_week() },
///     drift: { after_the_bug => after_the_bug() },
/// }
/// ```
#[macro_export]
macro_rules! drift_test {
    (
        reference: $reference:expr
        $(, options: $options:expr)?
        $(, no_drift: { $($ok:ident => $okdata:expr),* $(,)? })?
        $(, drift: { $($bad:ident => $baddata:expr),* $(,)? })?
        $(,)?
    ) => {
        #[cfg(test)]
        mod mlharness_drift {
            #[allow(unused_imports)]
            use super::*;

            #[allow(unused)]
            fn __mlharness_options() -> $crate::drift::DriftOptions {
                $crate::drift_test!(@options $($options)?)
            }

            $($(
                #[test]
                fn $ok() {
                    let reference = $reference;
                    let current = $okdata;
                    $crate::assert_no_drift!(reference, current, __mlharness_options());
                }
            )*)?

            $($(
                #[test]
                fn $bad() {
                    let reference = $reference;
                    let current = $baddata;
                    $crate::assert_drift!(reference, current, __mlharness_options());
                }
            )*)?
        }
    };
    (@options) => { $crate::drift::DriftOptions::default() };
    (@options $options:expr) => { $options };
}
