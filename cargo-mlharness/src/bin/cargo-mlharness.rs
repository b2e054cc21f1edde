//! `cargo mlharness …`: cargo runs this as `cargo-mlharness mlharness …`.

fn main() -> std::process::ExitCode {
    cargo_mlharness::cli::main(std::env::args_os())
}
