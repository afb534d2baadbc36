//! Shared by the build scripts of the crates whose binaries link `libvosk.so` (feature `vosk`).
//! `scripts/setup.sh` unpacks it from the PyPI wheel into `<repo>/.deps/lib` (or `$LETAN_DEPS/lib`).
//! A build script's link arguments reach only its own package's targets, so each such package
//! records that folder as a run path of the target kinds it names: they start without
//! LD_LIBRARY_PATH.

/// With the `vosk` feature on: add `.deps/lib` to the link search path and to the run path of
/// every target of `kinds` ("bins", "tests", "benches"; each must exist in the package).
/// Returns whether the feature is on.
pub fn link_deps_lib(kinds: &[&str]) -> bool {
    println!("cargo:rerun-if-env-changed=LETAN_DEPS");
    if std::env::var_os("CARGO_FEATURE_VOSK").is_none() {
        return false;
    }
    // Every crate using this lives at `<repo>/robot_nodes/<crate>`.
    let deps = std::env::var("LETAN_DEPS").unwrap_or_else(|_| {
        let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
        format!("{manifest}/../../.deps")
    });
    println!("cargo:rustc-link-search=native={deps}/lib");
    for kind in kinds {
        println!("cargo:rustc-link-arg-{kind}=-Wl,-rpath,{deps}/lib");
    }
    true
}
