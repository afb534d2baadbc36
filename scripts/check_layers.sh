#!/usr/bin/env bash
# The layer check (issue 16, ARCHITECTURE.md): pure cores depend on no runtime (tokio, axum) and not on
# ROS 2 (letan-transport, ros2-client); the simulator depends on no robot crate (nav, dialog, vision).
# Reads `cargo metadata` (scripts/check_layers.py); fails with the offending dependency chain.
#   bash scripts/check_layers.sh               check this workspace
#   bash scripts/check_layers.sh --self-test   also prove the check fails on a workspace that breaks both rules
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/check_layers.py --manifest-path Cargo.toml

if [ "${1:-}" = "--self-test" ]; then
    fixture=$(mktemp -d)
    trap 'rm -rf "$fixture"' EXIT
    crate() { # name, deps...
        local name=$1; shift
        mkdir -p "$fixture/$name/src"
        : >"$fixture/$name/src/lib.rs"
        { printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\n' "$name"
          for d in "$@"; do printf '%s = { path = "../%s" }\n' "$d" "$d"; done
          printf '[dev-dependencies]\n'; } >"$fixture/$name/Cargo.toml"
    }
    # letan-map -> helper -> tokio (transitive), letan-sim -> letan-nav, letan-dialog: tokio as a dev-dependency only (allowed).
    crate tokio; crate helper tokio; crate letan-map helper; crate letan-nav; crate letan-sim letan-map letan-nav; crate letan-dialog
    printf 'tokio = { path = "../tokio" }\n' >>"$fixture/letan-dialog/Cargo.toml"
    printf '[workspace]\nresolver = "2"\nmembers = ["tokio", "helper", "letan-map", "letan-nav", "letan-sim", "letan-dialog"]\n' >"$fixture/Cargo.toml"
    set +e
    out=$(python3 scripts/check_layers.py --manifest-path "$fixture/Cargo.toml" --offline 2>&1)
    rc=$?
    set -e
    want=("letan-map depends on tokio" "letan-map -> helper -> tokio" "letan-sim depends on letan-nav" "letan-sim depends on tokio")
    ok=1
    [ "$rc" -eq 1 ] || ok=0
    for w in "${want[@]}"; do grep -qF -- "$w" <<<"$out" || ok=0; done
    grep -qF "letan-dialog" <<<"$out" && ok=0   # a dev-dependency is not a layer break
    if [ "$ok" -ne 1 ]; then
        echo "layer check self-test FAILED: on the bad fixture it said (exit $rc):" >&2
        echo "$out" >&2
        exit 1
    fi
    echo "layer check self-test: ok (a bad fixture fails with exit 1, naming letan-map -> helper -> tokio and letan-sim -> letan-nav)"
fi
