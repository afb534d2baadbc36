//! Build script for letan-speech: finds native libraries for the optional engines.
//! It never downloads anything.
//!
//! - feature `vosk`: libvosk.so comes from the PyPI `vosk` wheel, unpacked by scripts/setup.sh
//!   into `$LETAN_DEPS/lib` (default `<workspace>/.deps/lib`). We add it to the link search path
//!   and, for this crate's own tests and benches, an rpath so they run without LD_LIBRARY_PATH.
//!   Other binaries linking this crate need the same rpath (or LD_LIBRARY_PATH) themselves.
//! - feature `piper`: espeak-rs-sys builds espeak-ng with CMake against the system libsonic but
//!   does not link it; we link the static libsonic from Debian's libsonic-dev.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LETAN_DEPS");
    println!("cargo:rerun-if-changed=build.rs");
    let vosk = std::env::var_os("CARGO_FEATURE_VOSK").is_some();
    let piper = std::env::var_os("CARGO_FEATURE_PIPER").is_some();
    if vosk {
        let lib_dir = deps_dir().join("lib");
        let lib = lib_dir.join("libvosk.so");
        println!("cargo:rerun-if-changed={}", lib.display());
        if !lib.is_file() {
            eprintln!(
                "letan-speech (feature vosk): {} not found.\n\
                 Run `bash scripts/setup.sh` (it unpacks libvosk.so from the PyPI vosk wheel into .deps/lib),\n\
                 or set LETAN_DEPS to a folder whose lib/ holds libvosk.so.",
                lib.display()
            );
            std::process::exit(1);
        }
        println!("cargo:rustc-link-search=native={}", lib_dir.display());
        // Tests and benches of this crate find libvosk.so without LD_LIBRARY_PATH.
        println!(
            "cargo:rustc-link-arg-tests=-Wl,-rpath,{}",
            lib_dir.display()
        );
        println!(
            "cargo:rustc-link-arg-benches=-Wl,-rpath,{}",
            lib_dir.display()
        );
    }
    if piper {
        println!("cargo:rustc-link-lib=static=sonic");
        println!("cargo:rustc-link-search=native=/usr/lib/x86_64-linux-gnu");
    }
}

/// `$LETAN_DEPS`, else `<workspace>/.deps` (this crate lives at `<workspace>/robot_nodes/speech`).
fn deps_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("LETAN_DEPS") {
        return PathBuf::from(d);
    }
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    manifest.join("..").join("..").join(".deps")
}
