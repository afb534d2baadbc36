#!/usr/bin/env bash
# The fuzz step of CI: builds every cargo-fuzz target in fuzz/ (nightly toolchain, libFuzzer,
# instrumented build in fuzz/target, separate from the workspace's target/), seeds a corpus from the
# repository's own files (fuzz/seeds.py), runs each target for a bounded time and prints the
# executions per target. Any crash, timeout or out-of-memory fails the step; the input is left in
# fuzz/artifacts/<target>/ (reproduce: fuzz/target/x86_64-unknown-linux-gnu/release/<target> <file>).
#
# Usage: bash scripts/fuzz.sh [target ...]
#   LETAN_FUZZ_SECONDS   seconds per target (default 8)
#   LETAN_JOBS           build jobs (default 2)
# A long run of one target: see fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${LETAN_FUZZ_SECONDS:-8}
JOBS=${LETAN_JOBS:-2}
# The flags every build uses, so that `cargo fuzz run` with the same flags reuses this build:
# no sanitizer (the targets are safe Rust; libFuzzer still catches panics, overflows with debug
# assertions, timeouts and memory blow-ups), 16 codegen units (build time over a few % of speed).
FUZZ_FLAGS=(-s none --codegen-units 16)
say() { echo "[fuzz] $*"; }

# The nightly toolchain is part of the machine image (beside stable; nothing can download one).
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "[fuzz] FAILED: no nightly toolchain (cargo +nightly). cargo-fuzz needs it; see fuzz/README.md" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] FAILED: cargo-fuzz is not installed; run scripts/setup.sh" >&2
  exit 1
fi
say "$(cargo +nightly --version), $(cargo +nightly fuzz --version)"

cd fuzz
t0=$(date +%s)
CARGO_BUILD_JOBS=$JOBS CARGO_TERM_COLOR=never cargo +nightly fuzz build "${FUZZ_FLAGS[@]}"
t1=$(date +%s)
say "build: $((t1 - t0)) s"

python3 seeds.py
mapfile -t ALL < <(cargo +nightly fuzz list)
TARGETS=("${@:-${ALL[@]}}")
BIN=target/x86_64-unknown-linux-gnu/release
LOGS=$(mktemp -d)
passed=0; failed=0; report=()
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log=$LOGS/$t.log
  set +e
  "$BIN/$t" "corpus/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  corpus=$(ls "corpus/$t" | wc -l)
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1)); verdict=ok
  else
    failed=$((failed + 1)); verdict="FAILED (exit $rc)"
    echo "----- $t: last lines of the libFuzzer log -----"
    grep -v '^#[0-9]' "$log" | tail -n 40
    ls -1 "artifacts/$t" | sed 's/^/  artifact: /'
  fi
  report+=("$(printf '%-16s %10s execs %8s/s  corpus %5s  %s' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "$verdict")")
done
t2=$(date +%s)
say "executions per target (${SECONDS_PER_TARGET} s each):"
printf '  %s\n' "${report[@]}"
say "build $((t1 - t0)) s, runs $((t2 - t1)) s, total $((t2 - t0)) s"
rm -rf "$LOGS"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
