//! With the `vosk` feature, `letan` links libvosk.so: record its folder (see
//! `robot_nodes/build_support/deps_rpath.rs`) and, for deployment, the binary's own folder as run
//! paths, so that the binary and the tests start without LD_LIBRARY_PATH.
#[path = "../build_support/deps_rpath.rs"]
mod deps_rpath;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../build_support/deps_rpath.rs");
    if deps_rpath::link_deps_lib(&["bins", "tests"]) {
        println!("cargo:rustc-link-arg-bins=-Wl,-rpath,$ORIGIN");
    }
}
