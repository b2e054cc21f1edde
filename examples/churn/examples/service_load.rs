//! Latency and throughput of `churn-service` for single-record predictions at concurrency 1
//! and 16, over loopback, bounded in count: the numbers in the README.
//!
//! ```text
//! cargo build --release -p churn --bin churn-service --example service_load
//! target/release/examples/service_load [REQUESTS_AT_16]
//! ```

use mlharness::system::{LatencyProbe, Service};
use serde_json::{json, Value};
use std::process::Command;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000)
        .clamp(100, 200_000);
    // The binary sits beside `examples/` in the same profile directory.
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("churn-service"))
        .ok_or("no profile directory")?;
    let mut cmd = Command::new(&bin);
    cmd.args(["--port", "0"]);
    let service = Service::start(cmd)?;
    let record: Value = json!({
        "state": "KS", "account_length": 128.0, "area_code": "area_code_415",
        "international_plan": "no", "voice_mail_plan": "yes", "number_vmail_messages": 25.0,
        "total_day_minutes": 265.1, "total_day_calls": 110.0, "total_day_charge": 45.07,
        "total_eve_minutes": 197.4, "total_eve_calls": 99.0, "total_eve_charge": 16.78,
        "total_night_minutes": 244.7, "total_night_calls": 91.0, "total_night_charge": 11.01,
        "total_intl_minutes": 10.0, "total_intl_calls": 3.0, "total_intl_charge": 2.7,
        "number_customer_service_calls": 1.0
    });
    let call = |_| match service.post_json("/predict", &record) {
        Ok(r) if r.status == 200 => Ok(()),
        Ok(r) => Err(format!("HTTP {}: {}", r.status, r.text)),
        Err(e) => Err(e.to_string()),
    };
    LatencyProbe::new(1_000, 16).run(call); // warm-up: connections, caches
    println!("| concurrency | requests | p50 | p95 | p99 | throughput | errors |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (c, requests) in [(1, n / 4), (16, n)] {
        let r = LatencyProbe::new(requests, c).run(call);
        println!(
            "| {c} | {requests} | {:.3} ms | {:.3} ms | {:.3} ms | {:.0} req/s | {} |",
            r.p50.as_secs_f64() * 1e3,
            r.p95.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3,
            r.throughput(),
            r.errors
        );
    }
    Ok(())
}
