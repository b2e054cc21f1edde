//! `mlharness`: the gate, git hooks, `init`, and the data verbs.

fn main() -> std::process::ExitCode {
    cargo_mlharness::cli::main(std::env::args_os())
}
