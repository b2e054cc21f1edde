//! `mlharness`: run every test and end on one verdict; install git hooks.

use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// Compare the config in use with the one in version control, and check rules on it.
    ///
    /// EXPECTED is read as written (`${VAR:-default}` takes its default); ACTUAL is expanded
    /// with the current environment. TOML, JSON or YAML by extension. Exit code 0 when equal
    /// and every rule holds, 1 with the differences, 2 when an input is unusable.
    ConfigDiff(ConfigDiffArgs),
}

#[derive(Args)]
struct ConfigDiffArgs {
    /// The checked-in config.
    expected: std::path::PathBuf,
    /// The config in use.
    actual: std::path::PathBuf,
    /// A rules file (TOML, `[[rule]]` entries) the actual config must satisfy.
    #[arg(long, value_name = "RULES")]
    rules: Option<std::path::PathBuf>,
    /// Ignore paths matching PATTERN (`server.port`, `*.timestamp`, `**.debug`); repeatable.
    #[arg(long, value_name = "PATTERN")]
    ignore: Vec<String>,
    /// Numbers within this of each other are equal.
    #[arg(long, value_name = "ABS")]
    tolerance: Option<f64>,
    /// Output: aligned tables, or JSON with `equal`, `changes` and `rule_violations`.
    #[arg(long, value_enum, default_value = "text")]
    format: ConfigDiffFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ConfigDiffFormat {
    Text,
    Json,
}

fn config_diff(args: ConfigDiffArgs) -> ExitCode {
    use mlharness::config::command::{config_diff_command, DiffCommand, OutputFormat};
    let command = DiffCommand {
        expected: args.expected,
        actual: args.actual,
        rules: args.rules,
        ignore: args.ignore,
        tolerance: args.tolerance,
        format: match args.format {
            ConfigDiffFormat::Text => OutputFormat::Text,
            ConfigDiffFormat::Json => OutputFormat::Json,
        },
    };
    match config_diff_command(&command) {
        Ok((ok, output)) => {
            print!("{output}");
            ExitCode::from(if ok { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("mlharness config-diff: {e}");
            ExitCode::from(2)
        }
    }
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
        Commands::ConfigDiff(args) => config_diff(args),
    }
}
