//! With the `vosk` feature, this package's tests and benches link libvosk.so: give them its run path
//! (see `robot_nodes/build_support/deps_rpath.rs`).
#[path = "../build_support/deps_rpath.rs"]
mod deps_rpath;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../build_support/deps_rpath.rs");
    deps_rpath::link_deps_lib(&["tests", "benches"]);
}
