#!/usr/bin/env bash
# The gate for this repository: builds the `mlharness` command from this checkout
# (cargo-mlharness/) and runs `mlharness run` with the arguments given (--quick, --kind K,
# --no-coverage, --min-coverage N, -E FILTER). It ends on one line `PASS: …` or `FAIL: …`;
# exit code 0 on PASS, 1 on FAIL, 2 when it could not run (the cause on stderr, last line
# `ERROR: …`). `--install-hook [--pre-commit] [--pre-push]` installs the git hooks instead.
set -euo pipefail
cd "$(dirname "$0")"
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target_dir"
# Build the gate quietly first, so its own compile errors are not mistaken for test results.
if ! cargo build --quiet -p cargo-mlharness --bin mlharness 2>"$target_dir/mlharness-build.log"; then
  cat "$target_dir/mlharness-build.log" >&2
  echo "ERROR: the mlharness command did not build (see above)" >&2
  exit 2
fi
if [ "${1:-}" = "--install-hook" ]; then
  shift
  exec "$target_dir/debug/mlharness" hook install "$@"
fi
exec "$target_dir/debug/mlharness" run "$@"
