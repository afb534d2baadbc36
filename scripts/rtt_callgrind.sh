#!/usr/bin/env bash
# Instructions per DDS round trip, Letan (ros2-client + RustDDS) against Cyclone's ddsperf, counted with
# valgrind's callgrind: repeatable on a noisy machine, unlike wall time. Each side is run twice with
# different lengths and the difference is divided by the difference in round trips, so start-up and
# discovery cancel out. Only the pinging process is counted (user space; the kernel's UDP path is not).
#
#   bash scripts/rtt_callgrind.sh            # about 3 minutes; writes /tmp/letan-rtt-callgrind/
#
# Needs valgrind and cyclonedds-tools (scripts/setup.sh installs both) and unshare -n (root, as for the
# rtt bench). Prints instructions per round trip for each side and the functions with most instructions
# per round trip on Letan's side (inclusive).
set -euo pipefail
cd "$(dirname "$0")/.."
out=/tmp/letan-rtt-callgrind
rm -rf "$out" && mkdir -p "$out"
CARGO_INCREMENTAL=0 cargo bench -j2 -p letan-transport --bench rtt --no-run 2> "$out/build.txt"
bin=$(grep -o 'target/release/deps/rtt-[0-9a-f]*' "$out/build.txt" | tail -1)
netns() { unshare -n sh -c "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && $1"; }
for n in 300 1300; do
  netns "LETAN_IN_NETNS=1 LETAN_RTT_N=$n valgrind --tool=callgrind --callgrind-out-file=$out/letan_$n.out $PWD/$bin --bench" \
    > "$out/letan_$n.txt" 2>&1
done
for s in 2 4; do
  netns "(ddsperf -D $((s + 8)) pong >/dev/null 2>&1 &) ; valgrind --tool=callgrind --callgrind-out-file=$out/ddsperf_$s.out ddsperf -D $s ping" \
    > "$out/ddsperf_$s.txt" 2>&1
done
for n in 300 1300; do callgrind_annotate --inclusive=yes --threshold=100 "$out/letan_$n.out" > "$out/letan_$n.incl" 2>/dev/null; done
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def ir(f):
    return int(re.search(r"Collected : (\d+)", open(f).read()).group(1))
def cnt(f):
    return sum(int(x) for x in re.findall(r"cnt (\d+)", open(f).read()))
letan = (ir(f"{out}/letan_1300.txt") - ir(f"{out}/letan_300.txt")) / 1000
dp = (ir(f"{out}/ddsperf_4.txt") - ir(f"{out}/ddsperf_2.txt")) / (cnt(f"{out}/ddsperf_4.txt") - cnt(f"{out}/ddsperf_2.txt"))
print(f"instructions per round trip, pinging process: letan {letan:,.0f}, ddsperf {dp:,.0f}, ratio {letan / dp:.1f}x")
def load(f):
    d = {}
    for l in open(f):
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", l)
        if m and "PROGRAM TOTALS" not in l:
            fn = re.sub(r" \[.*\]$", "", m.group(2))
            d[fn] = d.get(fn, 0) + int(m.group(1).replace(",", ""))
    return d
a, b = load(f"{out}/letan_300.incl"), load(f"{out}/letan_1300.incl")
rows = sorted(((b.get(k, 0) - a.get(k, 0)) / 1000, k) for k in set(a) | set(b))[::-1]
print("letan, inclusive instructions per round trip, top functions:")
for v, k in rows[:40]:
    print(f"  {v:9,.0f}  {k[:140]}")
PY
