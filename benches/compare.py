#!/usr/bin/env python3
"""Side-by-side benchmark of the `mlharness` command against the Python tools a user would pick
instead, measured as whole processes: from files on disk to an answer.

What it measures
----------------
Every timed job is its own subprocess, so interpreter or binary start-up, imports and file
reading all count, as they do for a check run from CI or cron.

  validate  a CSV of N rows x 20 columns (18 float columns, 6 of them with ~1% empty fields;
            2 categorical columns of 5 levels), against the schema `mlharness schema infer`
            wrote for it (inferred once, untimed):
              mlharness validate FILE --schema schema.json --format json
              pandas.read_csv + a pandera DataFrameSchema built from the same schema.json
                (float / str, nullable, in_range(min, max), isin(categories); lazy=True)
              polars.read_csv + the same rules as polars expressions (violations per column)
  drift     two numeric CSVs of N rows x 20 columns (reference ~N(0,1); current shifted in
            4 columns):
              mlharness drift REF CUR --format json
              pandas.read_csv x2 + scipy.stats.ks_2samp per column (p-values printed)
              polars.read_csv x2 + scipy.stats.ks_2samp per column
  infer     mlharness schema infer REF  vs  pandas.read_csv(REF).describe()

Each job runs --repeat times, the tools interleaved so that a slow moment of the machine does
not land on one tool only. The table gives the median wall time, the median CPU time (user +
sys of the child, from os.wait4) and the largest peak RSS (ru_maxrss; the "floor" printed is
what `true` shows, the least any tool can). The "×" columns are the other tool's figure divided
by mlharness's: above 1 means mlharness is faster or smaller.
The input files are read once before each job, so every run reads them from the page cache and
disk speed is left out. Each tool runs with its defaults: mlharness and polars use every core,
pandas and scipy one. The "answer" column is a cross-check that the tools did the same work.

Setup
-----
    python3 -m venv /tmp/compare-venv
    /tmp/compare-venv/bin/pip install -r benches/requirements-compare.txt
    cargo build --release -p cargo-mlharness

Run (from the repository root; the default --mlharness and --workdir are found from the
script's own path, so they hold from anywhere)
---
    /tmp/compare-venv/bin/python benches/compare.py
    /tmp/compare-venv/bin/python benches/compare.py --parquet --json target/compare/results.json
    # quick smoke test, e.g. with a debug build:
    /tmp/compare-venv/bin/python benches/compare.py --mlharness target/debug/mlharness \\
        --rows-validate 20000 --rows-drift 5000 --repeat 1

Options: [--mlharness PATH] [--rows-validate N] [--rows-drift N] [--repeat K] [--workdir DIR]
[--parquet] [--json OUT] [--only validate,drift,infer].

The data files are generated from a fixed seed (numpy default_rng), so they are the same on
every machine; they are written once into --workdir (default target/compare/) and reused, their
names carrying the row count, the seed and the generator's version. Parquet copies (pyarrow,
zstd) are written beside them; --parquet also runs every job on those copies.
"""

from __future__ import annotations

# Only what the workers need is imported here; the driver's imports come after the worker
# dispatch below, so that a timed worker loads no more than a user's own script would.
import json
import os
import sys

SEED = 20240601
# Bump when the generated data changes, so that files cached under the old names are not reused.
GENERATOR_VERSION = 1

N_NUMERIC = 18
MISSING_SHARE = 0.01
# Every third numeric column, offset by one, has ~1% empty fields: "some" columns, not all.
MISSING_NUMERIC_COLUMNS = (1, 4, 7, 10, 13, 16)
PLAN_LEVELS = ("plan_a", "plan_b", "plan_c", "plan_d", "plan_e")
PLAN_WEIGHTS = (0.4, 0.25, 0.15, 0.12, 0.08)
REGION_LEVELS = ("north", "south", "east", "west", "central")
REGION_WEIGHTS = (0.2, 0.2, 0.2, 0.2, 0.2)

DRIFT_COLUMNS = 20
DRIFT_MEAN_SHIFT = {3: 0.2, 9: 0.2, 15: 0.2}  # in reference SDs
DRIFT_SCALE = {18: 1.25}
DRIFT_MISSING_COLUMNS = (0, 1)

JOBS = ("validate", "drift", "infer")
MLH_OK_EXITS = (0, 1)  # 1 = violations / drift found: an answer, not an error
WORKER_OK_EXITS = (0,)
ALPHA = 0.05

# --------------------------------------------------------------------------------------------
# Workers: what runs inside the timed (and the data generation) subprocesses. The heavy imports
# stay inside the functions: each worker pays for what it uses, as a user's script would.
# --------------------------------------------------------------------------------------------


def emit_answer(text: str) -> None:
    """The last line a worker prints: a one-line result the driver shows as a cross-check."""
    print(json.dumps({"answer": text}), flush=True)


def is_parquet(path: str) -> bool:
    return path.endswith(".parquet")


def load_schema_columns(schema_path: str) -> list:
    with open(schema_path) as f:
        return json.load(f)["columns"]


def read_pandas(path: str):
    import pandas as pd

    return pd.read_parquet(path) if is_parquet(path) else pd.read_csv(path)


def read_polars(path: str, dtypes: dict | None = None):
    import polars as pl

    if is_parquet(path):
        return pl.read_parquet(path)
    # A user with a schema in hand passes its types rather than trusting inference on the
    # first 100 rows (a numeric column whose first values are empty would come out as strings).
    return pl.read_csv(path, schema_overrides=dtypes)


def worker_pandera_validate(data_path: str, schema_path: str) -> None:
    try:
        import pandera.pandas as pa
    except ImportError:  # pandera before 0.24
        import pandera as pa
    from pandera.errors import SchemaErrors

    columns = {}
    for col in load_schema_columns(schema_path):
        nullable = bool(col.get("nullable", False))
        if col["kind"] == "numeric":
            low, high = col.get("min"), col.get("max")
            checks = []
            if low is not None and high is not None:
                checks.append(pa.Check.in_range(low, high))
            elif low is not None:
                checks.append(pa.Check.ge(low))
            elif high is not None:
                checks.append(pa.Check.le(high))
            columns[col["name"]] = pa.Column(float, checks=checks, nullable=nullable, coerce=True)
        else:
            categories = col.get("categories")
            checks = [pa.Check.isin(categories)] if categories else []
            columns[col["name"]] = pa.Column(str, checks=checks, nullable=nullable)
    schema = pa.DataFrameSchema(columns)

    frame = read_pandas(data_path)
    try:
        schema.validate(frame, lazy=True)
        failures = 0
    except SchemaErrors as err:
        failures = len(err.failure_cases)
        print(err.failure_cases.head(20).to_string())
    emit_answer("valid" if failures == 0 else f"{failures} failure cases")


def worker_polars_validate(data_path: str, schema_path: str) -> None:
    import polars as pl

    spec = load_schema_columns(schema_path)
    dtypes = {c["name"]: pl.Float64 if c["kind"] == "numeric" else pl.String for c in spec}
    frame = read_polars(data_path, dtypes)

    exprs, missing = [], []
    for col in spec:
        name = col["name"]
        if name not in frame.columns:
            missing.append(name)
            continue
        value = pl.col(name)
        counts = []
        if not col.get("nullable", False):
            counts.append(value.is_null().sum())
        if col["kind"] == "numeric":
            value = value.cast(pl.Float64)  # a no-op for CSV (typed on read), a check for Parquet
            if col.get("min") is not None:
                counts.append((value < col["min"]).sum())
            if col.get("max") is not None:
                counts.append((value > col["max"]).sum())
        elif col.get("categories"):
            # A null is not counted here (is_in gives null, sum skips it): nullability is above.
            counts.append((~value.is_in(col["categories"])).sum())
        exprs.append((pl.sum_horizontal(counts) if counts else pl.lit(0)).alias(name))

    per_column = frame.select(exprs).row(0, named=True) if exprs else {}
    for name, count in per_column.items():
        print(f"{name}\t{count}")
    total = sum(per_column.values()) + len(missing) * frame.height
    emit_answer("valid" if total == 0 else f"{total} violations")


def ks_answer(pvalues: dict) -> None:
    """Print the p-values; the answer lists the columns whose Benjamini-Hochberg adjusted
    p-value is under ALPHA, the correction `mlharness drift` applies by default."""
    from scipy import stats

    for name, p in pvalues.items():
        print(f"{name}\t{p:.6g}")
    adjusted = stats.false_discovery_control(list(pvalues.values()))
    drifted = [name for name, p in zip(pvalues, adjusted) if p < ALPHA]
    emit_answer(f"{len(drifted)} drifted ({' '.join(drifted)})")


def worker_pandas_drift(ref_path: str, cur_path: str) -> None:
    from scipy import stats

    reference, current = read_pandas(ref_path), read_pandas(cur_path)
    pvalues = {}
    for name in reference.columns:
        x = reference[name].dropna().to_numpy()
        y = current[name].dropna().to_numpy()
        pvalues[name] = float(stats.ks_2samp(x, y).pvalue)
    ks_answer(pvalues)


def worker_polars_drift(ref_path: str, cur_path: str) -> None:
    from scipy import stats

    reference, current = read_polars(ref_path), read_polars(cur_path)
    pvalues = {}
    for name in reference.columns:
        x = reference[name].drop_nulls().to_numpy()
        y = current[name].drop_nulls().to_numpy()
        pvalues[name] = float(stats.ks_2samp(x, y).pvalue)
    ks_answer(pvalues)


def worker_pandas_infer(data_path: str) -> None:
    summary = read_pandas(data_path).describe()
    print(summary.to_string())
    emit_answer(f"{summary.shape[1]} columns")


def validate_table(rows: int, seed: int):
    """The validate data: 18 float columns in three families (their rounding keeps the CSV near
    180 bytes a row, like real exports), then the two categorical columns."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    arrays, names = [], []
    for j in range(N_NUMERIC):
        family = j % 3
        if family == 0:
            values = rng.standard_normal(rows).round(6)
        elif family == 1:
            values = rng.normal(1000.0, 150.0, rows).round(4)
        else:
            values = rng.lognormal(3.0, 1.0, rows).round(5)
        mask = rng.random(rows) < MISSING_SHARE if j in MISSING_NUMERIC_COLUMNS else None
        arrays.append(pa.array(values, mask=mask))
        names.append(f"num_{j:02d}")
    for name, levels, weights in (
        ("plan", PLAN_LEVELS, PLAN_WEIGHTS),
        ("region", REGION_LEVELS, REGION_WEIGHTS),
    ):
        codes = rng.choice(len(levels), size=rows, p=weights).astype(np.int32)
        arrays.append(pa.DictionaryArray.from_arrays(codes, list(levels)).dictionary_decode())
        names.append(name)
    return pa.table(arrays, names=names)


def drift_tables(rows: int, seed: int):
    """Reference ~N(0,1) in every column; current the same but shifted or widened in a few."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    reference, current = {}, {}
    for j in range(DRIFT_COLUMNS):
        name = f"f{j:02d}"
        ref = rng.standard_normal(rows).round(5)
        cur = (
            rng.standard_normal(rows) * DRIFT_SCALE.get(j, 1.0) + DRIFT_MEAN_SHIFT.get(j, 0.0)
        ).round(5)
        if j in DRIFT_MISSING_COLUMNS:
            reference[name] = pa.array(ref, mask=rng.random(rows) < MISSING_SHARE)
            current[name] = pa.array(cur, mask=rng.random(rows) < MISSING_SHARE)
        else:
            reference[name] = pa.array(ref)
            current[name] = pa.array(cur)
    return pa.table(reference), pa.table(current)


def write_csv(table, path: str) -> None:
    import pyarrow.csv as pacsv

    # Write to a temporary name and rename, so that an interrupted run never leaves a partial
    # file that the next run would take as complete.
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        # A plain header and unquoted fields (pyarrow quotes every string by default), as most
        # exports look; empty fields are the missing values.
        f.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, f, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    os.replace(tmp, path)


def write_parquet(table, path: str) -> None:
    import pyarrow.parquet as pq

    tmp = path + ".tmp"
    pq.write_table(table, tmp, compression="zstd")  # zstd: what polars writes by default
    os.replace(tmp, path)


def write_missing(table, csv_path: str, parquet_path: str) -> None:
    for path, writer in ((csv_path, write_csv), (parquet_path, write_parquet)):
        if not os.path.exists(path):
            writer(table, path)


def worker_generate_validate(csv_path: str, parquet_path: str, rows: str) -> None:
    write_missing(validate_table(int(rows), SEED), csv_path, parquet_path)


def worker_generate_drift(ref_csv: str, ref_pq: str, cur_csv: str, cur_pq: str, rows: str) -> None:
    reference, current = drift_tables(int(rows), SEED + 1)
    write_missing(reference, ref_csv, ref_pq)
    write_missing(current, cur_csv, cur_pq)


def worker_versions() -> None:
    import warnings

    warnings.simplefilter("ignore")  # pandera's import-path notices are not the point here
    import numpy
    import pandas
    import pandera
    import polars
    import pyarrow
    import scipy

    versions = {"python": ".".join(map(str, sys.version_info[:3]))}
    for module in (numpy, pandas, pandera, scipy, polars, pyarrow):
        versions[module.__name__] = getattr(module, "__version__", "?")
    print(json.dumps(versions))


WORKERS = {
    "pandera-validate": worker_pandera_validate,
    "polars-validate": worker_polars_validate,
    "pandas-drift": worker_pandas_drift,
    "polars-drift": worker_polars_drift,
    "pandas-infer": worker_pandas_infer,
    "generate-validate": worker_generate_validate,
    "generate-drift": worker_generate_drift,
    "versions": worker_versions,
}

# `compare.py --worker NAME ARGS...`: what the driver starts. It stops here, before the driver's
# imports, so the timed process imports only what a user's script would.
if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    WORKERS[sys.argv[2]](*sys.argv[3:])
    sys.exit(0)


# --------------------------------------------------------------------------------------------
# Driver: generates the data, runs and times the jobs, prints the table.
# --------------------------------------------------------------------------------------------

import argparse  # noqa: E402 (after the worker dispatch on purpose, see above)
import platform  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Optional  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve()

# Each timed command is started by this tiny program, run as `python -S -I -c SPAWNER OUT ERR
# CMD...`, which forks, execs CMD and prints its wall time, CPU time, peak RSS and exit code.
# Why not Popen + os.wait4 from the driver: on Linux a child's ru_maxrss starts from the memory
# of the process it was forked from (with vfork, that process's peak), so every tool would show
# at least the driver's ~16 MB. A bare interpreter that imports only os, sys and time gives a
# floor of ~5 MB (`measurement_floor` reports it). The wall time is taken inside the spawner,
# around fork and wait, so its own start-up is not counted.
SPAWNER = """
import os, sys, time
out, err, *cmd = sys.argv[1:]
stdin = os.open(os.devnull, os.O_RDONLY)
fds = [os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) for p in (out, err)]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(stdin, 0); os.dup2(fds[0], 1); os.dup2(fds[1], 2)
        os.execvp(cmd[0], cmd)
    except OSError as e:
        os.write(2, f"cannot run {cmd[0]}: {e}\\n".encode())
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    maxrss_kib: int
    exit_code: int


@dataclass
class Tool:
    name: str
    command: list
    ok_exits: tuple
    answer: Callable[[Path], str]  # reads the tool's standard output file
    first_stderr_line: bool  # mlharness says what went wrong first; Python tracebacks, last


@dataclass
class Result:
    job: str
    label: str
    input: str
    tool: str
    command: list
    runs: list = field(default_factory=list)
    failure: Optional[str] = None
    answer: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.failure is None and bool(self.runs)

    @property
    def wall_s(self) -> float:
        return median([r.wall_s for r in self.runs])

    @property
    def cpu_s(self) -> float:
        return median([r.cpu_s for r in self.runs])

    @property
    def peak_mb(self) -> float:
        return max(r.maxrss_kib for r in self.runs) / 1024.0


@dataclass
class Context:
    mlharness: str
    python: str
    outdir: Path
    repeat: int


def median(values: list) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def human_count(n: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size and n % (size // 10) == 0:
            return f"{n / size:g}{suffix}"
    return str(n)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def worker_command(ctx: Context, name: str, *args) -> list:
    return [ctx.python, str(SCRIPT), "--worker", name, *map(str, args)]


def timed_run(python: str, command: list, stdout_path: Path, stderr_path: Path) -> Run:
    """Run one command to its end through SPAWNER; its rusage is the command's alone (os.wait4
    on that one child, unlike RUSAGE_CHILDREN deltas, which add up every child reaped)."""
    spawner = [python, "-S", "-I", "-c", SPAWNER, *map(str, (stdout_path, stderr_path, *command))]
    done = subprocess.run(spawner, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"compare.py: the spawner failed ({done.returncode}): {done.stderr.strip()}")
    wall, cpu, maxrss, code = done.stdout.split()
    return Run(float(wall), float(cpu), int(maxrss), int(code))


def measurement_floor(ctx: Context) -> float:
    """The peak RSS, in MB, that `true` shows through the spawner: the least any tool can show
    (what the forked spawner held before exec). A peak near it means "at most this"."""
    true = shutil.which("true")
    if true is None:
        return 0.0
    run = timed_run(ctx.python, [true], ctx.outdir / "floor.out", ctx.outdir / "floor.err")
    return run.maxrss_kib / 1024.0


def stderr_line(path: Path, first: bool) -> str:
    try:
        lines = [
            line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()
        ]
    except OSError:
        return ""
    if not lines:
        return "no message"
    return lines[0] if first else lines[-1]


def describe_exit(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit {code}"


def warm_cache(paths: list) -> None:
    """Read each input once so that every tool, the first one included, reads from the page
    cache. Reads in 1 MiB pieces into one buffer: a 180 MB file costs the driver no memory."""
    buffer = bytearray(1 << 20)
    for path in paths:
        with open(path, "rb", buffering=0) as f:
            while f.readinto(buffer):
                pass


def answer_from_worker(stdout_path: Path) -> str:
    lines = stdout_path.read_text(errors="replace").strip().splitlines()
    return json.loads(lines[-1])["answer"] if lines else "?"


def answer_mlh_validate(stdout_path: Path) -> str:
    report = json.loads(stdout_path.read_text())
    if report.get("valid"):
        return "valid"
    violations = report.get("violations", [])
    return f"{sum(v.get('count', 0) for v in violations)} violations ({len(violations)} kinds)"


def answer_mlh_drift(stdout_path: Path) -> str:
    drifted = json.loads(stdout_path.read_text()).get("drifted_columns", [])
    return f"{len(drifted)} drifted ({' '.join(drifted)})"


def answer_mlh_infer(stdout_path: Path) -> str:
    return f"{len(json.loads(stdout_path.read_text()).get('columns', []))} columns"


def mlh_tool(ctx: Context, answer: Callable, *args) -> Tool:
    return Tool("mlharness", [ctx.mlharness, *map(str, args)], MLH_OK_EXITS, answer, True)


def py_tool(ctx: Context, name: str, worker: str, *args) -> Tool:
    return Tool(
        name, worker_command(ctx, worker, *args), WORKER_OK_EXITS, answer_from_worker, False
    )


def run_job(ctx: Context, job: str, label: str, fmt: str, tools: list, inputs: list) -> list:
    """Run every tool ctx.repeat times, interleaved; a tool that fails once is not run again."""
    warm_cache(inputs)
    results = [Result(job, label, fmt, tool.name, tool.command) for tool in tools]
    for rep in range(ctx.repeat):
        for tool, result in zip(tools, results):
            if result.failure is not None:
                continue
            stem = f"{job}-{fmt}-{tool.name.replace('+', '-').replace(' ', '-')}"
            out, err = ctx.outdir / f"{stem}.out", ctx.outdir / f"{stem}.err"
            run = timed_run(ctx.python, tool.command, out, err)
            if run.exit_code not in tool.ok_exits:
                # The data files' folder adds nothing to the message but width.
                message = stderr_line(err, tool.first_stderr_line).replace(
                    f"{ctx.outdir.parent}{os.sep}", ""
                )
                result.failure = f"failed ({describe_exit(run.exit_code)}: {message})"
                log(f"  [{label} {fmt}] {tool.name}: {result.failure}")
                continue
            result.runs.append(run)
            if result.answer is None:
                try:
                    result.answer = tool.answer(out)
                except (ValueError, KeyError, IndexError, OSError) as e:
                    result.answer = f"unreadable output ({e})"
            log(
                f"  [{label} {fmt}] {tool.name} run {rep + 1}/{ctx.repeat}: "
                f"{run.wall_s:.3f} s wall, {run.cpu_s:.3f} s CPU, {run.maxrss_kib / 1024:.1f} MB"
            )
    return results


def failed_job(job: str, label: str, fmt: str, tools: list, reason: str) -> list:
    return [Result(job, label, fmt, t.name, t.command, failure=reason) for t in tools]


@dataclass
class DataFiles:
    validate_csv: Path
    validate_parquet: Path
    ref_csv: Path
    ref_parquet: Path
    cur_csv: Path
    cur_parquet: Path


def data_files(workdir: Path, rows_validate: int, rows_drift: int) -> DataFiles:
    tag = f"s{SEED}-g{GENERATOR_VERSION}"
    v = workdir / f"validate-{rows_validate}x{N_NUMERIC + 2}-{tag}"
    r = workdir / f"drift-ref-{rows_drift}x{DRIFT_COLUMNS}-{tag}"
    c = workdir / f"drift-cur-{rows_drift}x{DRIFT_COLUMNS}-{tag}"
    return DataFiles(
        v.with_suffix(".csv"),
        v.with_suffix(".parquet"),
        r.with_suffix(".csv"),
        r.with_suffix(".parquet"),
        c.with_suffix(".csv"),
        c.with_suffix(".parquet"),
    )


def generate(ctx: Context, what: str, paths: list, rows: int) -> None:
    """Generate in a subprocess (untimed), which keeps numpy and pyarrow out of the driver."""
    if all(p.exists() for p in paths):
        return
    log(f"generating {what} data ({rows} rows) ...")
    start = time.perf_counter()
    done = subprocess.run(worker_command(ctx, f"generate-{what}", *paths, rows))
    if done.returncode != 0:
        sys.exit(f"compare.py: generating the {what} data failed (exit {done.returncode})")
    log(
        f"  done in {time.perf_counter() - start:.1f} s: "
        + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in paths)
    )


def validate_job(ctx: Context, files: DataFiles, rows: int, formats: list) -> list:
    label = f"validate {human_count(rows)}×{N_NUMERIC + 2}"
    # The schema comes from the CSV, and serves the Parquet copy too: the same data.
    schema = ctx.outdir / "validate-schema.json"
    infer = [ctx.mlharness, "schema", "infer", str(files.validate_csv)]
    err_path = ctx.outdir / "validate-schema.err"
    with open(schema, "wb") as out, open(err_path, "wb") as err:
        code = subprocess.run(infer, stdout=out, stderr=err).returncode
    results = []
    for fmt in formats:
        data = files.validate_csv if fmt == "csv" else files.validate_parquet
        tools = [
            mlh_tool(
                ctx, answer_mlh_validate, "validate", data, "--schema", schema, "--format", "json"
            ),
            py_tool(ctx, "pandas+pandera", "pandera-validate", data, schema),
            py_tool(ctx, "polars", "polars-validate", data, schema),
        ]
        if code != 0:
            reason = f"schema infer failed ({describe_exit(code)}: {stderr_line(err_path, True)})"
            results += failed_job("validate", label, fmt, tools, reason)
        else:
            results += run_job(ctx, "validate", label, fmt, tools, [data, schema])
    return results


def drift_job(ctx: Context, files: DataFiles, rows: int, formats: list) -> list:
    label = f"drift {human_count(rows)}×{DRIFT_COLUMNS}"
    results = []
    for fmt in formats:
        ref, cur = (
            (files.ref_csv, files.cur_csv)
            if fmt == "csv"
            else (files.ref_parquet, files.cur_parquet)
        )
        tools = [
            mlh_tool(ctx, answer_mlh_drift, "drift", ref, cur, "--format", "json"),
            py_tool(ctx, "pandas+scipy", "pandas-drift", ref, cur),
            py_tool(ctx, "polars+scipy", "polars-drift", ref, cur),
        ]
        results += run_job(ctx, "drift", label, fmt, tools, [ref, cur])
    return results


def infer_job(ctx: Context, files: DataFiles, rows: int, formats: list) -> list:
    label = f"infer {human_count(rows)}×{DRIFT_COLUMNS}"
    results = []
    for fmt in formats:
        data = files.ref_csv if fmt == "csv" else files.ref_parquet
        tools = [
            mlh_tool(ctx, answer_mlh_infer, "schema", "infer", data),
            py_tool(ctx, "pandas describe", "pandas-infer", data),
        ]
        results += run_job(ctx, "infer", label, fmt, tools, [data])
    return results


def tool_versions(ctx: Context) -> dict:
    versions = {}
    done = subprocess.run([ctx.mlharness, "--version"], capture_output=True, text=True)
    versions["mlharness"] = done.stdout.strip() or f"? ({describe_exit(done.returncode)})"
    done = subprocess.run(worker_command(ctx, "versions"), capture_output=True, text=True)
    if done.returncode == 0:
        versions.update(json.loads(done.stdout))
    else:
        versions["python packages"] = f"? ({done.stderr.strip().splitlines()[-1:]})"
    return versions


def machine_info() -> dict:
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?"
            )
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": model,
        "platform": platform.platform(),
    }


def groups(results: list) -> list:
    """Results grouped by (job, input), in the order they ran; mlharness first in each."""
    keyed = {}
    for r in results:
        keyed.setdefault((r.label, r.input), []).append(r)
    return list(keyed.values())


def ratios(result: Result, base: Optional[Result]) -> Optional[dict]:
    if not (result.ok and base is not None and base.ok):
        return None

    def over(a, b):
        return a / b if b > 0 else None

    return {
        "wall": over(result.wall_s, base.wall_s),
        "cpu": over(result.cpu_s, base.cpu_s),
        "memory": over(result.peak_mb, base.peak_mb),
    }


def fmt_ratio(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def render_header(meta: dict) -> str:
    machine, versions = meta["machine"], meta["versions"]
    path = Path(meta["mlharness_path"])
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    packages = ", ".join(f"{k} {v}" for k, v in versions.items() if k != "mlharness")
    return "\n".join(
        [
            f"mlharness vs Python tools, {meta['date']}",
            f"machine: {machine['cpus']} CPUs ({machine['cpus_usable']} usable), "
            f"{machine['cpu_model']}, {machine['platform']}",
            f"versions: {versions.get('mlharness')} ({shown}, built {meta['mlharness_built']}); "
            f"{packages}",
            f"each: median of {meta['params']['repeat']} run(s), wall and CPU (user+sys) in s; "
            f"peak = largest max RSS (floor {meta['peak_rss_floor_mb']:.1f} MB); "
            "× = other / mlharness",
        ]
    )


def render_table(results: list) -> str:
    header = (
        "job",
        "input",
        "tool",
        "wall s",
        "CPU s",
        "peak MB",
        "wall ×",
        "CPU ×",
        "mem ×",
        "answer",
    )
    rows = []
    for group in groups(results):
        base = next((r for r in group if r.tool == "mlharness"), None)
        for i, r in enumerate(group):
            job, fmt = (r.label, r.input) if i == 0 else ("", "")
            if not r.ok:
                # The failure goes last, where a long message widens no other column.
                rows.append((job, fmt, r.tool, *["-"] * 6, r.failure or "no run"))
                continue
            q = ratios(r, base) or {}
            rows.append(
                (
                    job,
                    fmt,
                    r.tool,
                    f"{r.wall_s:.3f}",
                    f"{r.cpu_s:.3f}",
                    f"{r.peak_mb:.1f}",
                    fmt_ratio(q.get("wall")),
                    fmt_ratio(q.get("cpu")),
                    fmt_ratio(q.get("memory")),
                    r.answer or "",
                )
            )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = range(3, 9)

    def line(cells) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def speed(ratio: float) -> str:
    factor = ratio if ratio >= 1 else 1 / ratio
    # Two decimals near 1, where "1.0× slower" would say nothing.
    shown = f"{factor:.2f}" if factor < 2 else f"{factor:.1f}"
    return f"{shown}× faster" if ratio >= 1 else f"{shown}× slower"


def summaries(results: list) -> list:
    lines = []
    for group in groups(results):
        base = next((r for r in group if r.tool == "mlharness"), None)
        head = f"{group[0].label} ({group[0].input}): mlharness"
        if base is None or not base.ok:
            lines.append(f"{head} {base.failure if base else 'not run'}; no ratios")
            continue
        parts = []
        for r in group:
            if r is base:
                continue
            q = ratios(r, base)
            if q is None or not q["cpu"] or not q["wall"] or not q["memory"]:
                parts.append(f"vs {r.tool}: {r.failure or 'no ratio'}")
                continue
            parts.append(
                f"{speed(q['cpu'])} (CPU), {speed(q['wall'])} (wall) than {r.tool}, "
                f"peak {1 / q['memory']:.2f}× its memory"
            )
        lines.append(f"{head} " + "; ".join(parts))
    return lines


def to_json(meta: dict, results: list, summary: list) -> dict:
    items = []
    for group in groups(results):
        base = next((r for r in group if r.tool == "mlharness"), None)
        for r in group:
            item = asdict(r)
            if r.ok:
                item.update(
                    wall_s_median=r.wall_s,
                    cpu_s_median=r.cpu_s,
                    peak_mb=r.peak_mb,
                    ratio_vs_mlharness=ratios(r, base),
                )
            items.append(item)
    return {**meta, "results": items, "summary": summary}


def parse_args(argv: list) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the mlharness command against pandas/pandera/polars/scipy, "
        "whole process from files on disk to answer."
    )
    parser.add_argument(
        "--mlharness",
        default=str(REPO_ROOT / "target" / "release" / "mlharness"),
        help="the mlharness binary (default: target/release/mlharness)",
    )
    parser.add_argument("--rows-validate", type=int, default=1_000_000)
    parser.add_argument("--rows-drift", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workdir",
        default=str(REPO_ROOT / "target" / "compare"),
        help="where the data files are kept (default: target/compare/)",
    )
    parser.add_argument(
        "--parquet", action="store_true", help="also run every job on the Parquet copies"
    )
    parser.add_argument("--json", metavar="OUT", help="write the results as JSON to OUT")
    parser.add_argument(
        "--only",
        default=",".join(JOBS),
        help="comma-separated jobs to run (default: validate,drift,infer)",
    )
    args = parser.parse_args(argv)
    args.only = [j.strip() for j in args.only.split(",") if j.strip()]
    unknown = [j for j in args.only if j not in JOBS]
    if unknown:
        parser.error(f"--only: unknown job(s) {', '.join(unknown)} (choose from {', '.join(JOBS)})")
    if args.repeat < 1 or args.rows_validate < 1 or args.rows_drift < 1:
        parser.error("--repeat and the row counts must be at least 1")
    return args


def main(argv: list) -> int:
    args = parse_args(argv)
    mlharness = Path(args.mlharness).resolve()  # the defaults are absolute already
    if not os.access(mlharness, os.X_OK):
        sys.exit(
            f"compare.py: no mlharness binary at {mlharness}: build it with "
            "`cargo build --release -p cargo-mlharness` or pass --mlharness PATH"
        )
    workdir = Path(args.workdir).resolve()
    outdir = workdir / "out"
    outdir.mkdir(parents=True, exist_ok=True)
    ctx = Context(str(mlharness), sys.executable, outdir, args.repeat)
    formats = ["csv", "parquet"] if args.parquet else ["csv"]

    files = data_files(workdir, args.rows_validate, args.rows_drift)
    if "validate" in args.only:
        generate(ctx, "validate", [files.validate_csv, files.validate_parquet], args.rows_validate)
    if "drift" in args.only or "infer" in args.only:
        generate(
            ctx,
            "drift",
            [files.ref_csv, files.ref_parquet, files.cur_csv, files.cur_parquet],
            args.rows_drift,
        )

    versions = tool_versions(ctx)
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    results = []
    jobs = {
        "validate": (validate_job, args.rows_validate),
        "drift": (drift_job, args.rows_drift),
        "infer": (infer_job, args.rows_drift),
    }
    for job in JOBS:
        if job in args.only:
            run, rows = jobs[job]
            log(f"{job} ...")
            results += run(ctx, files, rows, formats)
    meta = {
        "date": started,
        "machine": machine_info(),
        "versions": versions,
        "mlharness_path": str(mlharness),
        # `--version` does not change from one build to the next; the file's time tells them apart.
        "mlharness_built": datetime.fromtimestamp(mlharness.stat().st_mtime)
        .astimezone()
        .isoformat(timespec="seconds"),
        "peak_rss_floor_mb": measurement_floor(ctx),
        "params": {
            "rows_validate": args.rows_validate,
            "rows_drift": args.rows_drift,
            "repeat": args.repeat,
            "seed": SEED,
            "generator_version": GENERATOR_VERSION,
            "formats": formats,
            "jobs": args.only,
        },
    }
    summary = summaries(results)
    print(render_header(meta))
    print()
    print(render_table(results))
    print()
    print("\n".join(summary))
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        report = json.dumps(to_json(meta, results, summary), indent=2, ensure_ascii=False)
        out.write_text(report + "\n", encoding="utf-8")
        log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
