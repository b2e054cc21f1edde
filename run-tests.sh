#!/usr/bin/env bash
# The gate: every test of the workspace under cargo-nextest with coverage, ending on one line
# `PASS: …` or `FAIL: …`; exit code 0 exactly on PASS. Arguments go to `mlharness run`
# (--quick, --kind K, --no-coverage, --min-coverage N, -E FILTER); `--install-hook [--pre-commit]
# [--pre-push]` installs the git hooks instead.
set -euo pipefail
cd "$(dirname "$0")"
if [ "${1:-}" = "--install-hook" ]; then
  shift
  exec cargo run --quiet -p mlharness --bin mlharness -- hook install "$@"
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "reason: cargo-nextest is missing: install it with 'cargo install cargo-nextest --locked'"
  echo "FAIL: 0 passed, 0 failed, 0 skipped"
  exit 1
fi
# Build the gate quietly first, so its own compile errors are not mistaken for test results.
mkdir -p target
if ! cargo build --quiet -p mlharness --bin mlharness 2>target/mlharness-build.log; then
  cat target/mlharness-build.log >&2
  echo "reason: the mlharness binary did not build (see above)"
  echo "FAIL: 0 passed, 0 failed, 0 skipped"
  exit 1
fi
exec ./target/debug/mlharness run "$@"
