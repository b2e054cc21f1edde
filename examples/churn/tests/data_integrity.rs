//! Data integrity of the churn data and its train/holdout split: the checks of
//! `mlharness::integrity`, one named test each (`mlharness_data_integrity::duplicates`, …), and
//! proof that they catch the faults they exist for — a split that leaks training rows into the
//! holdout, and a feature filled in after the outcome was known.

mod common;

use common::*;
use mlharness::check::Checked;
use mlharness::data::Column;
use mlharness::integrity::{self, DataChecks};

mlharness::data_integrity_test! {
    data: split(HOLDOUT_SEED).train,
    test: split(HOLDOUT_SEED).test,
}

mod harness_catches {
    use super::*;

    /// A split by hand whose holdout starts 25 rows too early: 25 training subscribers are
    /// in it, and its score would measure memory.
    #[test]
    fn training_rows_in_the_holdout() {
        let data = churn::load_churn().unwrap();
        let rows = |r: std::ops::Range<usize>| data.take(&r.collect::<Vec<_>>()).unwrap();
        let (train, test) = (rows(0..4000), rows(3975..data.n_rows()));
        let report = integrity::train_test_overlap(&train, &test).unwrap();
        assert_eq!(report.findings()[0].count, 25);
        let failure = report.assert_failed();
        assert!(
            failure
                .to_string()
                .contains("test row 0 = training row 3975"),
            "{failure}"
        );
    }

    /// `number_customer_service_calls` overwritten by the churn label, as a field filled in by
    /// the retention team after a customer left.
    #[test]
    fn a_feature_filled_in_after_the_outcome() {
        let data = split(HOLDOUT_SEED).train;
        let labels = data.target_labels().unwrap();
        let after = Column::numeric(labels.y.iter().map(|&l| 3.0 * l as f64).collect());
        let leaky = data
            .replace_column("number_customer_service_calls", after)
            .unwrap();
        let failure = DataChecks::new()
            .feature_label_leakage(&leaky)
            .assert_failed();
        assert!(
            failure
                .to_string()
                .contains("`number_customer_service_calls`"),
            "{failure}"
        );
    }
}
