//! churn-service's request parsing (`POST /predict` bodies) on arbitrary bytes: a body is
//! either a dataset with one row per record or a client error with at least one reason.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match churn::parse_request(data) {
        Ok(request) => assert_eq!(request.data.n_rows(), request.records.len()),
        Err(bad) => assert!(!bad.message.is_empty()),
    }
});
