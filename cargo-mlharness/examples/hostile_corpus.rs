//! Writes the hostile-input corpus that `tests/hostile` runs: one folder per case, with its
//! files, a `command` file holding the `mlharness` arguments that read them, and an `expect`
//! file saying what must happen.
//!
//! ```text
//! cargo run -p cargo-mlharness --example hostile_corpus -- /tmp/corpus
//! cd /tmp/corpus/csv/unterminated-quote/drift-current && mlharness $(cat command)
//! ```

#[path = "../tests/hostile/cases.rs"]
mod cases;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: hostile_corpus DIR");
        return ExitCode::from(2);
    };
    let cases = cases::all();
    for case in &cases {
        let dir = out.join(&case.name);
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            for (name, bytes) in &case.files {
                let path = dir.join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(path, bytes)?;
            }
            std::fs::write(dir.join("command"), case.args.join(" ") + "\n")?;
            let mut expect = format!(
                "exit 2, one line on stderr naming {}, no panic, no signal, under 30 s",
                case.blamed
            );
            if !case.must_not_create.is_empty() {
                expect.push_str(&format!("; creates none of {:?}", case.must_not_create));
            }
            std::fs::write(dir.join("expect"), expect + "\n")
        });
        if let Err(e) = written {
            eprintln!("hostile_corpus: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    }
    println!("{} cases in {}", cases.len(), out.display());
    ExitCode::SUCCESS
}
