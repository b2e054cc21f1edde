//! The command line: parsing with clap, and what each verb prints and exits with.

use crate::gate::hook::{self, Hook};
use crate::gate::runner::{self, RunOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};
use mlharness::data::{CsvOptions, DataFormat, Dataset};

use crate::gate::Kind;
use mlharness::schema::{InferOptions, Schema};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Writes to standard output. A closed pipe (`mlharness drift a.csv b.csv | head -1`) ends
/// the process quietly with status 141, as Unix tools killed by SIGPIPE do; any other write
/// error (a full disk) is exit 2 naming standard output. Never a panic.
fn emit(text: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(text).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        let _ = writeln!(
            std::io::stderr(),
            "ERROR: mlharness: cannot write to standard output: {e}"
        );
        std::process::exit(i32::from(ERROR));
    }
}

macro_rules! say {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

macro_rules! sayln {
    ($($arg:tt)*) => { emit(format_args!("{}\n", format_args!($($arg)*))) };
}

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
    /// Exit code 0 on PASS, 1 on FAIL (tests, coverage, required kinds), 2 when the gate could
    /// not run (bad mlharness.toml, not a cargo project, cargo-nextest missing), with the cause
    /// on stderr and a last line `ERROR: …`. Reports go to <target dir>/mlharness/.
    Run(RunArgs),
    /// Set mlharness up in an existing crate: mlharness.toml, and optionally git hooks, a CI
    /// workflow, and a schema with tests inferred from a CSV file.
    Init(InitArgs),
    /// Install or remove the git hooks that run the gate on what is committed.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Infer a data schema from a CSV file, for review and check-in.
    Schema {
        #[command(subcommand)]
        action: SchemaAction,
    },
    /// Check a CSV file against a schema: exit 0 when valid, 1 with every violation, 2 on
    /// unusable input.
    Validate(ValidateArgs),
    /// Compare the config in use with the one in version control, and check rules on it.
    ///
    /// EXPECTED is read as written (`${VAR:-default}` takes its default); ACTUAL is expanded
    /// with the current environment. TOML, JSON or YAML by extension. Exit code 0 when equal
    /// and every rule holds, 1 with the differences, 2 when an input is unusable.
    ConfigDiff(ConfigDiffArgs),
    /// Compare a current CSV file with a reference one, column by column: exit 0 when there is
    /// no drift, 1 on drift, 2 on unusable input.
    Drift(DriftArgs),
    /// Check the integrity of a CSV file (duplicates, conflicting labels, spellings of one
    /// category, mixed types, special characters, outliers, label leakage) and, given a test
    /// file, the pair (overlap, shared IDs, predictive power drift): exit 0 when every check
    /// passes, 1 when one fails, 2 on unusable input.
    CheckData(CheckDataArgs),
}

#[derive(Args)]
struct CheckDataArgs {
    /// The training data: a CSV file with a header line, Parquet or Arrow IPC.
    train: PathBuf,
    /// The test data, with the same columns.
    test: Option<PathBuf>,
    /// The target column.
    #[arg(long, value_name = "COLUMN")]
    target: String,
    /// An identifier column: left out of every check, and compared across the two files.
    #[arg(long, value_name = "COLUMN")]
    id: Option<String>,
    /// The checked-in schema, for column kinds; default: inferred from the training file.
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,
    /// Report format: text, JSON (`passed`, `checks`: `check`, `file`, `column`, `passed`,
    /// `count`, `examples`), or Markdown.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// The data files' format: csv, parquet or arrow (Arrow IPC); default: by extension
    /// (`.parquet`, `.arrow`/`.feather`/`.ipc`, anything else CSV).
    #[arg(long, value_name = "FORMAT")]
    data_format: Option<DataFormat>,
}

#[derive(Args)]
struct ConfigDiffArgs {
    /// The checked-in config.
    expected: PathBuf,
    /// The config in use.
    actual: PathBuf,
    /// A rules file (TOML, `[[rule]]` entries) the actual config must satisfy.
    #[arg(long, value_name = "RULES")]
    rules: Option<PathBuf>,
    /// Ignore paths matching PATTERN (`server.port`, `*.timestamp`, `**.debug`); repeatable.
    #[arg(long, value_name = "PATTERN")]
    ignore: Vec<String>,
    /// Numbers within this of each other are equal.
    // Negative numbers parse, so that `--tolerance -1` is refused by the check, with its reason.
    #[arg(long, value_name = "ABS", allow_negative_numbers = true)]
    tolerance: Option<f64>,
    /// Output: aligned tables, or JSON with `equal`, `changes` and `rule_violations`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Args)]
struct DriftArgs {
    /// The reference data (e.g. the training data): CSV with a header line, Parquet or Arrow IPC.
    reference: PathBuf,
    /// The current data (e.g. this week's production sample), with the same columns.
    current: PathBuf,
    /// Compare only these columns (comma-separated; default: every column of the reference).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    columns: Vec<String>,
    /// Leave these columns out (comma-separated): an ID, the target, a timestamp.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    ignore: Vec<String>,
    /// A column present in only one of the files is left out and named in the report,
    /// instead of making the input unusable.
    #[arg(long)]
    skip_one_sided: bool,
    /// The checked-in schema: its column kinds decide how each column is compared (a zip code
    /// it calls categorical is compared as categories); default: inferred from the reference.
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// The data files' format: csv, parquet or arrow (Arrow IPC); default: by extension
    /// (`.parquet`, `.arrow`/`.feather`/`.ipc`, anything else CSV).
    #[arg(long, value_name = "FORMAT")]
    data_format: Option<DataFormat>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Md,
    /// One self-contained HTML page with charts (open it in a browser).
    Html,
}

/// `validate --format`: the violations have no Markdown form.
#[derive(Clone, Copy, ValueEnum)]
enum ValidateFormat {
    Text,
    Json,
    /// One self-contained HTML page with charts (open it in a browser).
    Html,
}

#[derive(Subcommand)]
enum SchemaAction {
    /// Infer a schema from every row of a data file (CSV, Parquet or Arrow IPC).
    Infer {
        /// The data file (CSV with a header line, Parquet or Arrow IPC).
        data: PathBuf,
        /// Where to write the schema JSON (default: standard output).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The target column (expected only in the `training` environment).
        #[arg(long, value_name = "COLUMN")]
        target: Option<String>,
        /// Categorical columns with more distinct values than this list none.
        #[arg(long, value_name = "N", default_value_t = 100)]
        max_domain_size: usize,
        /// The data file's format: csv, parquet or arrow (Arrow IPC); default: by extension
        /// (`.parquet`, `.arrow`/`.feather`/`.ipc`, anything else CSV).
        #[arg(long, value_name = "FORMAT")]
        data_format: Option<DataFormat>,
    },
}

#[derive(Args)]
struct ValidateArgs {
    /// The data file to check: CSV with a header line, Parquet or Arrow IPC.
    data: PathBuf,
    /// The schema JSON.
    #[arg(long, value_name = "FILE")]
    schema: PathBuf,
    /// Check in this environment (e.g. `serving`: training-only columns must be absent).
    #[arg(long, value_name = "NAME")]
    environment: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    format: ValidateFormat,
    /// The data file's format: csv, parquet or arrow (Arrow IPC); default: by extension
    /// (`.parquet`, `.arrow`/`.feather`/`.ipc`, anything else CSV).
    #[arg(long, value_name = "FORMAT")]
    data_format: Option<DataFormat>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
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
    /// What an installed hook runs: pre-commit tests the staged snapshot (quick kinds),
    /// pre-push the commits being pushed (full gate; refs on standard input).
    Run {
        /// `pre-commit` or `pre-push`.
        #[arg(value_parser = ["pre-commit", "pre-push"])]
        hook: String,
        /// What git passes the hook (ignored).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        git_args: Vec<String>,
    },
    /// Put back changes that an interrupted hook run left set aside.
    Restore,
}

#[derive(Args)]
struct InitArgs {
    /// Also install the pre-commit and pre-push hooks.
    #[arg(long)]
    hooks: bool,
    /// Also write a CI workflow for this CI.
    #[arg(long, value_enum, value_name = "CI")]
    ci: Option<crate::init::Ci>,
    /// A CSV file of the project's data: infer `schema.json` from it and write tests on it.
    #[arg(long, value_name = "FILE.csv", requires = "target")]
    data: Option<PathBuf>,
    /// The target column of `--data`.
    #[arg(long, value_name = "COLUMN", requires = "data")]
    target: Option<String>,
}

#[derive(Args)]
struct HookArgs {
    /// The pre-commit hook (the quick kinds on the staged snapshot).
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

/// Runs the command line `args` (the program name first). `cargo mlharness …` passes
/// `mlharness` as the first argument, which is dropped.
pub fn main(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "mlharness") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    match cli.command {
        Commands::Run(args) => run(args),
        Commands::Hook { action } => hook_command(action),
        Commands::Init(args) => init(args),
        Commands::Schema {
            action:
                SchemaAction::Infer {
                    data,
                    output,
                    target,
                    max_domain_size,
                    data_format,
                },
        } => schema_infer(
            &data,
            output.as_deref(),
            target,
            max_domain_size,
            data_format,
        ),
        Commands::Validate(args) => validate(&args),
        Commands::ConfigDiff(args) => config_diff(args),
        Commands::Drift(args) => drift(&args),
        Commands::CheckData(args) => check_data(&args),
    }
}

fn drift(args: &DriftArgs) -> ExitCode {
    let mut options = mlharness::drift::DriftOptions::default();
    if !args.columns.is_empty() {
        options = options.columns(&args.columns);
    }
    options = options
        .ignore(&args.ignore)
        .skip_one_sided(args.skip_one_sided);
    if let Some(path) = &args.schema {
        match mlharness::schema::Schema::load(path) {
            Ok(schema) => options = options.schema(schema),
            Err(e) => return unusable("drift", e),
        }
    }
    let compared =
        mlharness::drift::compare_files(&args.reference, &args.current, args.data_format, &options);
    let report = match compared {
        Ok(r) => r,
        Err(e) => return unusable("drift", e),
    };
    match args.format {
        ReportFormat::Text => say!("{report}"),
        ReportFormat::Json => say!("{}", report.to_json()),
        ReportFormat::Md => say!("{}", report.to_markdown()),
        ReportFormat::Html => say!("{}", report.to_html()),
    }
    if !report.outcome().passed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads the CSV files of `check-data`: kinds from the schema, or inferred from the training
/// file and imposed on the test file, so that a column is compared as the same kind on both.
fn check_data_inputs(
    args: &CheckDataArgs,
) -> Result<(Dataset, Option<Dataset>), Box<dyn std::error::Error>> {
    let read = |path: &std::path::Path, kinds: &[(String, mlharness::data::ColumnKind)]| {
        let options = kinds
            .iter()
            .fold(CsvOptions::default(), |o, (name, kind)| {
                o.kind(name.clone(), *kind)
            })
            .target(args.target.clone());
        Dataset::from_file_with(path, args.data_format, &options)
    };
    let schema_kinds = match &args.schema {
        Some(path) => Schema::load(path)?
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.kind))
            .collect(),
        None => Vec::new(),
    };
    let train = read(&args.train, &schema_kinds)?;
    let kinds: Vec<(String, mlharness::data::ColumnKind)> = train
        .columns()
        .map(|(n, c)| (n.to_string(), c.kind()))
        .collect();
    let test = match &args.test {
        Some(path) => Some(read(path, &kinds)?),
        None => None,
    };
    Ok((train, test))
}

fn check_data(args: &CheckDataArgs) -> ExitCode {
    use mlharness::integrity::DataChecks;
    let (train, test) = match check_data_inputs(args) {
        Ok(inputs) => inputs,
        Err(e) => return unusable("check-data", e),
    };
    let checks = DataChecks::new().ignore(&args.id.iter().collect::<Vec<_>>());
    let name = |p: &std::path::Path| p.display().to_string();
    let mut runs: Vec<(String, mlharness::integrity::IntegrityReport)> = Vec::new();
    let mut add = |file: String, reports: Result<Vec<_>, mlharness::check::CheckError>| {
        reports.map(|r| runs.extend(r.into_iter().map(|r| (file.clone(), r))))
    };
    let mut result = add(name(&args.train), checks.dataset(&train));
    if let (Some(test), Some(path)) = (&test, &args.test) {
        result = result
            .and_then(|()| add(name(path), checks.dataset(test)))
            .and_then(|()| {
                add(
                    format!("{} vs {}", name(&args.train), name(path)),
                    checks.pair(&train, test, args.id.as_deref()),
                )
            });
    }
    if let Err(e) = result {
        return unusable("check-data", e);
    }
    let passed = runs.iter().all(|(_, r)| r.outcome().passed());
    match args.format {
        ReportFormat::Text => say!("{}", check_data_text(&runs)),
        ReportFormat::Json => sayln!("{}", check_data_json(&runs, passed)),
        ReportFormat::Md => say!("{}", check_data_markdown(&runs)),
        ReportFormat::Html => say!("{}", check_data_html(&runs, passed)),
    }
    verdict_code(passed)
}

/// One page: each file's checks, failed ones first, each with its evidence table.
fn check_data_html(
    runs: &[(String, mlharness::integrity::IntegrityReport)],
    passed: bool,
) -> String {
    let mut order: Vec<&(String, mlharness::integrity::IntegrityReport)> = runs.iter().collect();
    order.sort_by_key(|(_, r)| r.outcome().passed());
    let body = maud::html! {
        @for (file, report) in order {
            p.muted { code { (file) } }
            (mlharness::html::outcome(report.outcome()))
        }
    };
    mlharness::html::page("Data checks", Some(passed), body)
}

/// Quiet when green: one line per passed check, the outcome of each failed one, a last line.
fn check_data_text(runs: &[(String, mlharness::integrity::IntegrityReport)]) -> String {
    let mut out = String::new();
    let mut file = None;
    for (f, report) in runs {
        if file != Some(f) {
            out.push_str(&format!("{f}\n"));
            file = Some(f);
        }
        let outcome = report.outcome();
        if outcome.passed() {
            out.push_str(&format!("  ok      {}\n", outcome.name()));
        } else {
            for (i, line) in outcome.to_string().lines().enumerate() {
                let indent = if i == 0 { "  " } else { "    " };
                out.push_str(&format!("{indent}{line}\n"));
            }
        }
    }
    let failed = runs.iter().filter(|(_, r)| !r.outcome().passed()).count();
    out.push_str(&if failed == 0 {
        format!("PASS: all {} data checks passed\n", runs.len())
    } else {
        format!("FAIL: {failed} of {} data checks failed\n", runs.len())
    });
    out
}

/// One entry per finding (a passed check without one gets an entry of its own), each naming
/// its file: the form a project in any language reads.
fn check_data_json(
    runs: &[(String, mlharness::integrity::IntegrityReport)],
    passed: bool,
) -> String {
    let mut checks = Vec::new();
    for (file, report) in runs {
        if report.findings().is_empty() {
            checks.push(serde_json::json!({
                "check": report.outcome().name(),
                "file": file,
                "passed": true,
                "count": 0,
                "examples": [],
            }));
        }
        for finding in report.findings() {
            let mut entry = serde_json::to_value(finding).unwrap_or_default();
            if let Some(map) = entry.as_object_mut() {
                map.insert("file".into(), serde_json::json!(file));
            }
            checks.push(entry);
        }
    }
    serde_json::to_string_pretty(&serde_json::json!({ "passed": passed, "checks": checks }))
        .unwrap_or_default()
}

fn check_data_markdown(runs: &[(String, mlharness::integrity::IntegrityReport)]) -> String {
    let failed = runs.iter().filter(|(_, r)| !r.outcome().passed()).count();
    let mut out = if failed == 0 {
        format!("**PASS: all {} data checks passed**\n\n", runs.len())
    } else {
        format!(
            "**FAIL: {failed} of {} data checks failed**\n\n",
            runs.len()
        )
    };
    out.push_str(
        "| file | check | column | result | rows | examples |\n|---|---|---|---|---:|---|\n",
    );
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for (file, report) in runs {
        if report.findings().is_empty() {
            out.push_str(&format!(
                "| {} | {} |  | ok | 0 |  |\n",
                cell(file),
                report.outcome().name()
            ));
        }
        for f in report.findings() {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                cell(file),
                f.check,
                cell(f.column.as_deref().unwrap_or("")),
                if f.passed { "ok" } else { "**FAILED**" },
                f.count,
                cell(&f.examples.join("; "))
            ));
        }
    }
    out
}

/// Exit code 2 and a one-line cause: the input cannot be used.
fn unusable(command: &str, cause: impl Into<Box<dyn std::error::Error>>) -> ExitCode {
    let cause = cause.into();
    eprintln!(
        "mlharness {command}: {}",
        mlharness::check::chain(cause.as_ref())
    );
    ExitCode::from(ERROR)
}

fn schema_infer(
    data: &std::path::Path,
    output: Option<&std::path::Path>,
    target: Option<String>,
    max_domain_size: usize,
    data_format: Option<DataFormat>,
) -> ExitCode {
    let options = target
        .iter()
        .fold(CsvOptions::default(), |o, t| o.target(t.clone()));
    let ds = match Dataset::from_file_with(data, data_format, &options) {
        Ok(ds) => ds,
        Err(e) => return unusable("schema infer", e),
    };
    let schema = InferOptions::default()
        .max_domain_size(max_domain_size)
        .infer(&ds);
    match output {
        None => say!("{}", schema.to_json()),
        Some(path) => {
            if let Err(e) = schema.save(path) {
                return unusable("schema infer", e);
            }
            sayln!(
                "wrote {}: {} columns inferred from {} rows of {}",
                path.display(),
                schema.columns.len(),
                ds.n_rows(),
                data.display()
            );
        }
    }
    ExitCode::SUCCESS
}

fn validate(args: &ValidateArgs) -> ExitCode {
    let schema = match Schema::load(&args.schema) {
        Ok(s) => s,
        Err(e) => return unusable("validate", e),
    };
    let report =
        match schema.validate_file(&args.data, args.data_format, args.environment.as_deref()) {
            Ok(report) => report,
            Err(e) => return unusable("validate", e),
        };
    match args.format {
        ValidateFormat::Text => say!("{report}"),
        ValidateFormat::Json => say!("{}", report.to_json()),
        ValidateFormat::Html => say!("{}", report.to_html()),
    }
    if report.outcome().passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
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
            Format::Text => OutputFormat::Text,
            Format::Json => OutputFormat::Json,
        },
    };
    match config_diff_command(&command) {
        Ok((ok, output)) => {
            say!("{output}");
            ExitCode::from(if ok { 0 } else { 1 })
        }
        // Named as the user typed it: the flag, not the library's field.
        Err(mlharness::config::ConfigError::Setting(s)) => unusable(
            "config-diff",
            format!(
                "--{} {}: must be {}",
                s.setting.replace('_', "-"),
                s.value,
                s.expected
            ),
        ),
        Err(e) => unusable("config-diff", e),
    }
}

/// Exit code for a PASS.
const PASS: u8 = 0;
/// Exit code for a FAIL verdict.
const FAIL: u8 = 1;
/// Exit code when there is no verdict: the command could not do its work.
const ERROR: u8 = 2;

/// Prints why `command` could not run, ending on a line `ERROR: …`, and returns exit code 2.
fn could_not_run(command: &str, e: impl Into<Box<dyn std::error::Error>>) -> ExitCode {
    let message = mlharness::check::chain(e.into().as_ref());
    let mut lines = message.lines();
    let first = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    let mut err = std::io::stderr().lock();
    if !rest.is_empty() {
        let _ = writeln!(err, "{message}");
    }
    let _ = writeln!(err, "ERROR: mlharness {command}: {first}");
    ExitCode::from(ERROR)
}

fn verdict_code(pass: bool) -> ExitCode {
    ExitCode::from(if pass { PASS } else { FAIL })
}

fn run(args: RunArgs) -> ExitCode {
    let options = RunOptions {
        quick: args.quick,
        kinds: args.kinds,
        no_coverage: args.no_coverage,
        min_coverage: args.min_coverage,
        filter: args.filter,
        workspace: None,
    };
    let mut out = std::io::stdout().lock();
    if args.watch {
        if let Err(e) = crate::gate::watch::watch(&options, &mut out) {
            return could_not_run("run --watch", e);
        }
        return ExitCode::from(FAIL);
    }
    match runner::run(&options, &mut out) {
        Ok((report, _)) => verdict_code(report.verdict == "PASS"),
        Err(e) => could_not_run("run", e),
    }
}

fn hook_command(action: HookAction) -> ExitCode {
    let dir = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return could_not_run("hook", format!("cannot read the current directory: {e}")),
    };
    let (args, install) = match action {
        HookAction::Install(a) => (a, true),
        HookAction::Uninstall(a) => (a, false),
        HookAction::Run { hook: name, .. } => return hook_run(&dir, &name),
        HookAction::Restore => {
            return match hook::SetAside::pending(&dir) {
                Ok(None) => {
                    sayln!("nothing is set aside");
                    ExitCode::from(PASS)
                }
                Ok(Some(set)) => match set.restore() {
                    Ok(()) => {
                        sayln!("put back every set-aside change");
                        ExitCode::from(PASS)
                    }
                    Err(e) => could_not_run("hook restore", e),
                },
                Err(e) => could_not_run("hook restore", e),
            }
        }
    };
    let program = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("mlharness"));
    for h in args.hooks() {
        let result = if install {
            hook::install(&dir, h, &program)
        } else {
            hook::uninstall(&dir, h)
        };
        match result {
            Ok(action) => sayln!("{action}"),
            Err(e) => return could_not_run("hook", e),
        }
    }
    ExitCode::from(PASS)
}

fn hook_run(dir: &std::path::Path, name: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let result = if name == "pre-push" {
        let mut refs = String::new();
        let _ = std::io::stdin().read_to_string(&mut refs);
        hook::run_pre_push(dir, &refs, &mut out)
    } else {
        hook::run_pre_commit(dir, &mut out)
    };
    match result {
        Ok(hook::HookOutcome::Pass) => ExitCode::from(PASS),
        Ok(hook::HookOutcome::Fail) => {
            let _ = writeln!(
                std::io::stderr(),
                "mlharness {name} hook: the gate failed on what you are about to {}; nothing was {}",
                if name == "pre-push" { "push" } else { "commit" },
                if name == "pre-push" { "pushed" } else { "committed" },
            );
            ExitCode::from(FAIL)
        }
        Ok(hook::HookOutcome::Interrupted) => {
            let _ = writeln!(
                std::io::stderr(),
                "mlharness {name} hook: interrupted; your changes are back in place"
            );
            ExitCode::from(130)
        }
        Err(e) => could_not_run(&format!("{name} hook"), e),
    }
}

fn init(args: InitArgs) -> ExitCode {
    let dir = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return could_not_run("init", format!("cannot read the current directory: {e}")),
    };
    let options = crate::init::InitOptions {
        hooks: args.hooks,
        ci: args.ci,
        data: args.data,
        target: args.target,
        program: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("mlharness")),
    };
    match crate::init::init(&dir, &options) {
        Ok(lines) => {
            for line in lines {
                sayln!("{line}");
            }
            ExitCode::from(PASS)
        }
        Err(e) => could_not_run("init", e),
    }
}
