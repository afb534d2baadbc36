//! Where native engine libraries live at run time.
//!
//! scripts/setup.sh unpacks the libraries shipped in PyPI wheels into `<repo>/.deps/lib`
//! (`libvosk.so`, `libonnxruntime.so.<version>` with its `.so.1`/`.so` links). `$LETAN_DEPS`
//! overrides the `.deps` folder; `$ORT_DYLIB_PATH` names the ONNX Runtime library directly.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Environment variable overriding `<repo>/.deps`.
pub const DEPS_ENV: &str = "LETAN_DEPS";
/// Environment variable naming the ONNX Runtime library (ort's own convention).
pub const ORT_ENV: &str = "ORT_DYLIB_PATH";

/// The deps folder: `$LETAN_DEPS` if given, else `<repo>/.deps` where the repo is found by
/// walking up from `cwd` (then from where this crate was built).
pub fn deps_dir(letan_deps: Option<OsString>, cwd: Option<&Path>) -> PathBuf {
    if let Some(d) = letan_deps.filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let repo = cwd
        .and_then(letan_models::find_repo_root)
        .or_else(|| letan_models::find_repo_root(Path::new(env!("CARGO_MANIFEST_DIR"))))
        .unwrap_or_else(|| PathBuf::from("."));
    repo.join(".deps")
}

/// The ONNX Runtime library candidates, in order: `$ORT_DYLIB_PATH`, then in `<deps>/lib`
/// `libonnxruntime.so`, `libonnxruntime.so.1`, then any `libonnxruntime.so.<x.y.z>`.
pub fn onnxruntime_candidates(ort_env: Option<OsString>, deps: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = ort_env.filter(|p| !p.is_empty()) {
        out.push(PathBuf::from(p));
    }
    let lib = deps.join("lib");
    out.push(lib.join("libonnxruntime.so"));
    out.push(lib.join("libonnxruntime.so.1"));
    if let Ok(rd) = std::fs::read_dir(&lib) {
        let mut versioned: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with("libonnxruntime.so.") && n.matches('.').count() >= 4
                })
            })
            .collect();
        versioned.sort();
        out.extend(versioned);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_and_repo_fallback() {
        assert_eq!(
            deps_dir(Some("/opt/deps".into()), None),
            PathBuf::from("/opt/deps")
        );
        let d = deps_dir(None, Some(Path::new("/")));
        assert!(d.ends_with(".deps"), "{d:?}");
    }

    #[test]
    fn candidates_list_env_first_then_links_then_versions() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("lib");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(lib.join("libonnxruntime.so.1.24.4"), b"").unwrap();
        let c = onnxruntime_candidates(Some("/x/libort.so".into()), dir.path());
        assert_eq!(c[0], PathBuf::from("/x/libort.so"));
        assert_eq!(c[1], lib.join("libonnxruntime.so"));
        assert_eq!(c.last().unwrap(), &lib.join("libonnxruntime.so.1.24.4"));
    }
}
