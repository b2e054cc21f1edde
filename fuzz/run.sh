#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each (default 600), one after another,
# from the committed seeds plus the working corpus in fuzz/corpus. Installs cargo-fuzz when
# missing; needs a nightly toolchain (`rustup toolchain install nightly`).
#
#   fuzz/run.sh                 # every target, 10 minutes each
#   SECONDS_PER_TARGET=20 fuzz/run.sh csv config_yaml
#
# A crash is saved under fuzz/artifacts/<target>/ and the script exits 1 after the run.
set -euo pipefail
cd "$(dirname "$0")"
per_target=${SECONDS_PER_TARGET:-600}
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: needs a nightly toolchain: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build -O
failed=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    echo "== $t: ${per_target}s"
    # A fallible allocation too large to make returns null, as the system allocator's does (not
    # an AddressSanitizer report), and one malloc may reserve more than the RSS limit (a reader
    # may reserve what a file declares, and fail when the bytes are not there); memory actually
    # used stays limited to 2 GiB.
    if ! ASAN_OPTIONS=allocator_may_return_null=1 cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$per_target" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=65536 \
        -print_final_stats=1 2>"artifacts-$t.log"; then
        failed+=("$t")
        tail -40 "artifacts-$t.log" >&2
    fi
    grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "artifacts-$t.log" | tail -2 || true
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz/run.sh: crashes in: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz/run.sh: ${#targets[@]} target(s), ${per_target}s each, no crash"
