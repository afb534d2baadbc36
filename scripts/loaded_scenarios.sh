#!/usr/bin/env bash
# Issue #19's proof that a verdict does not depend on the machine's load: every shipped scenario, twice
# in a row, headless at --speed 0 (as fast as possible, no speed caps), over DDS in lockstep, while two
# busy loops keep both cores of this 2-core machine at 100 %. Each run is in its own network namespace
# (loopback with multicast), so nothing leaves the machine and runs cannot see each other.
#
#   bash scripts/loaded_scenarios.sh            # builds the release binary if needed; about 10 minutes
#   LETAN_LOAD=0 bash scripts/loaded_scenarios.sh   # the same without the busy loops, for comparison
#   LETAN_NO_BUILD=1 …                              # use target/release/letan as it is
#
# Prints one line per run (scenario, round, verdict, wall seconds) and a summary; exits 1 if any run failed.
# Each run's whole output (the story, the summary table, the log) is kept in /tmp/letan-loaded/.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${LETAN_NO_BUILD:-}" ]; then
  CARGO_INCREMENTAL=0 cargo build -j2 --release -p letan >/dev/null 2>&1 || { echo "build failed"; exit 2; }
fi
bin=$PWD/target/release/letan
load=${LETAN_LOAD:-2}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
for ((i = 0; i < load; i++)); do
  ( while :; do :; done ) &
  pids+=($!)
done
echo "busy loops: $load (nproc $(nproc)); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
logs=/tmp/letan-loaded
rm -rf "$logs" && mkdir -p "$logs"
fail=0
runs=0
for round in 1 2; do
  for sc in sim/scenarios/*.yaml; do
    name=$(basename "$sc" .yaml)
    t0=$(date +%s.%N)
    out=$(timeout 1200 unshare -n sh -c "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && '$bin' sim --headless --speed 0 --scenario '$sc'" 2>&1)
    code=$?
    t1=$(date +%s.%N)
    printf '%s\n' "$out" > "$logs/${name}_$round.log"
    verdict=$(printf '%s\n' "$out" | grep -o 'scenario [^ ]*: [A-Z]*' | tail -1)
    [ -z "$verdict" ] && verdict="no verdict (exit $code)"
    runs=$((runs + 1))
    [ "$code" = 0 ] || fail=$((fail + 1))
    printf '%-28s round %s  exit %s  %-40s %6.1f s\n' "$name" "$round" "$code" "$verdict" "$(echo "$t1 - $t0" | bc)"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "loaded scenarios: $((runs - fail)) of $runs runs passed"
[ "$fail" = 0 ]
