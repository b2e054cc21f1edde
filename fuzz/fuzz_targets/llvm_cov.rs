//! The gate's llvm-cov JSON reader on arbitrary text; a percentage read is never NaN.
#![no_main]
use cargo_mlharness::gate::coverage::{parse, Scope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scope = Scope::from_parts("/p".as_ref(), vec![("app".into(), "/p".into())], &[])
        .expect("a fixed scope");
    if let Ok((coverage, _)) = parse(text, "coverage.json".as_ref(), &scope) {
        assert!(!coverage.totals.lines.percent.is_nan());
    }
});
