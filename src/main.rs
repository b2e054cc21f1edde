//! `mlharness`: run every test and end on one verdict; install git hooks.

use clap::{Args, Parser, Subcommand};
use mlharness::gate::hook::{self, Hook};
use mlharness::gate::runner::{self, RunOptions};
use mlharness::gate::Kind;
use std::process::ExitCode;

/// Test machine-learning systems as routinely as `cargo test`.
#[derive(Parser)]
#[command(name = "mlharness", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Run the workspace's tests under cargo-nextest with coverage; end on PASS or FAIL.
    ///
    /// Exit code 0 exactly when the verdict is PASS. Reports go to target/mlharness/.
    Run(RunArgs),
    /// Install or remove the git hooks that run the gate.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Only the quick kinds of mlharness.toml (default: unit, config-diff, edge-case), no coverage.
    #[arg(long)]
    quick: bool,
    /// Only tests of this kind (repeatable), no coverage.
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<Kind>,
    /// Do not measure coverage.
    #[arg(long)]
    no_coverage: bool,
    /// Minimum line coverage in percent (overrides mlharness.toml).
    #[arg(long, value_name = "PERCENT")]
    min_coverage: Option<f64>,
    /// Re-run the quick set whenever a source, test or fixture file changes (TDD loop).
    #[arg(long)]
    watch: bool,
    /// A nextest filterset expression, e.g. 'test(/scaler/)'.
    #[arg(short = 'E', long = "filter", value_name = "EXPR")]
    filter: Option<String>,
}

#[derive(Subcommand)]
enum HookAction {
    /// Write the hooks (both when neither flag is given).
    Install(HookArgs),
    /// Remove mlharness's hooks and restore what was there.
    Uninstall(HookArgs),
}

#[derive(Args)]
struct HookArgs {
    /// The pre-commit hook (runs `run-tests.sh --quick`).
    #[arg(long)]
    pre_commit: bool,
    /// The pre-push hook (runs the full gate).
    #[arg(long)]
    pre_push: bool,
}

impl HookArgs {
    fn hooks(&self) -> Vec<Hook> {
        match (self.pre_commit, self.pre_push) {
            (false, false) | (true, true) => vec![Hook::PreCommit, Hook::PrePush],
            (true, false) => vec![Hook::PreCommit],
            (false, true) => vec![Hook::PrePush],
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Commands::Run(args) => {
            let options = RunOptions {
                quick: args.quick,
                kinds: args.kinds,
                no_coverage: args.no_coverage,
                min_coverage: args.min_coverage,
                filter: args.filter,
                workspace: None,
            };
            if args.watch {
                if let Err(e) =
                    mlharness::gate::watch::watch(&options, &mut std::io::stdout().lock())
                {
                    eprintln!("mlharness run --watch: {e}");
                }
                return ExitCode::FAILURE;
            }
            let pass = runner::run(&options, &mut std::io::stdout().lock());
            if pass {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Commands::Hook { action } => {
            let (args, install) = match &action {
                HookAction::Install(a) => (a, true),
                HookAction::Uninstall(a) => (a, false),
            };
            let dir = match std::env::current_dir() {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("mlharness hook: cannot read the current directory: {e}");
                    return ExitCode::from(2);
                }
            };
            for h in args.hooks() {
                let result = if install {
                    hook::install(&dir, h)
                } else {
                    hook::uninstall(&dir, h)
                };
                match result {
                    Ok(action) => println!("{action}"),
                    Err(e) => {
                        eprintln!("mlharness hook: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            ExitCode::SUCCESS
        }
    }
}
