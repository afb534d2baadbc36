#!/usr/bin/env bash
# The test command: exactly what CI runs (.ci/run calls this script).
# Sets up what is missing (idempotent), then: format check, clippy with warnings as errors, and every test.
# DDS tests put themselves in private network namespaces (unshare -n), so nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
JOBS=${LETAN_JOBS:-2}
# No incremental cache: a CI run builds once from scratch, and the cache (7 GB here) only costs disk.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

bash scripts/setup.sh
echo "[test] layer check (scripts/check_layers.sh: pure cores free of tokio/axum/transport/ros2-client; sim free of nav/dialog/vision)"
bash scripts/check_layers.sh --self-test
echo "[test] cargo fmt --check"
cargo fmt --all -- --check
echo "[test] cargo clippy --all-targets --all-features -- -D warnings (features: vosk, piper, opencv)"
cargo clippy -j"$JOBS" --workspace --all-targets --all-features -- -D warnings
echo "[test] cargo test"
cargo test -j"$JOBS" --workspace --all-features --no-fail-fast
# Fuzzing (fuzz/README.md): every cargo-fuzz target for a bounded time; a crash fails CI. Needs nightly.
echo "[test] fuzz targets (scripts/fuzz.sh)"
bash scripts/fuzz.sh
# The browser tests use target/debug/letan and the console and screen demos. Built with the same workspace
# features as `cargo test` above, they are already up to date (cargo test builds bins and examples); building
# them per package with other features would rebuild their dependencies (3.5 minutes of CI).
cargo build -j"$JOBS" --workspace --all-features --bins --examples
echo "[test] operator console end-to-end in headless Chromium"
node tests/console_e2e/e2e.mjs
echo "[test] operator console end-to-end in headless Chromium against letan sim (the whole robot)"
node tests/console_e2e/sim_e2e.mjs
echo "[test] citizen screen end-to-end in headless Chromium"
node tests/console_e2e/screen_e2e.mjs
echo "[test] fleet operations hub end-to-end in headless Chromium against letan fleet demo (3 robots)"
node tests/console_e2e/hub_e2e.mjs
# Console, screen and fleet hub HTTP APIs against their OpenAPI documents (schemathesis from .deps/venv), the
# console as operator and as viewer, the hub as admin; bounded (25 examples per operation, the hub 20 s;
# about 30 s in all). Long run: MAX_EXAMPLES=1000 HUB_MAX_TIME=600 bash robot_nodes/console/scripts/schemathesis.sh
echo "[test] HTTP APIs against their OpenAPI documents (schemathesis)"
bash robot_nodes/console/scripts/schemathesis.sh
