//! Where face model files are looked for.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::VisionError;

/// Environment variable naming extra model folders (`:`-separated), searched first.
pub const MODELS_ENV: &str = "LETAN_MODELS";

/// Debian's `opencv-data` Haar folder, searched last for the Haar cascade only.
const DEBIAN_HAAR_DIR: &str = "/usr/share/opencv4/haarcascades";

/// Repository roots above the current directory, the executable and this crate's source,
/// in that order, with symlinks resolved and duplicates dropped.
fn candidate_repos() -> Vec<PathBuf> {
    let starts = [
        std::env::current_dir().ok(),
        std::env::current_exe().ok(),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
    ];
    let mut out: Vec<PathBuf> = Vec::new();
    for start in starts.into_iter().flatten() {
        let start = std::fs::canonicalize(&start).unwrap_or(start);
        if let Some(repo) = find_repo_root(&start) {
            if !out.contains(&repo) {
                out.push(repo);
            }
        }
    }
    out
}

/// The shared test images folder (`<repo>/../shared/vision/images`, the first that holds
/// `faces.txt`), found from the current directory, the executable or this crate's source.
pub fn shared_images_dir() -> Option<PathBuf> {
    candidate_repos()
        .into_iter()
        .map(|r| r.join("..").join("shared").join("vision").join("images"))
        .find(|p| p.join("faces.txt").is_file())
}

/// The face models this crate can load (names as in `models/manifest.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceModel {
    /// YuNet 2022mar, the fixed-shape ONNX that OpenCV 4.6 loads (MIT).
    Yunet2022Mar,
    /// OpenCV's frontal-face Haar cascade.
    HaarFrontalDefault,
}

impl FaceModel {
    /// The manifest name, as used by `letan models fetch <name>`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Yunet2022Mar => "face_detection_yunet_2022mar",
            Self::HaarFrontalDefault => "haarcascade_frontalface_default",
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Self::Yunet2022Mar => "face_detection_yunet_2022mar.onnx",
            Self::HaarFrontalDefault => "haarcascade_frontalface_default.xml",
        }
    }
}

/// Model folders, in search order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelSearch {
    pub roots: Vec<PathBuf>,
}

/// The repository root above `start`: the first ancestor holding both `Cargo.toml` and
/// `robot_nodes/`.
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("Cargo.toml").is_file() && d.join("robot_nodes").is_dir())
        .map(Path::to_path_buf)
}

impl ModelSearch {
    /// The standard order: each folder of `$LETAN_MODELS`, then `<repo>/models`, then
    /// `<repo>/../shared/vision/models`. Values are passed in; nothing is read here.
    pub fn standard(letan_models: Option<&OsStr>, repo_root: Option<&Path>) -> Self {
        let mut roots: Vec<PathBuf> = Vec::new();
        let mut add = |p: PathBuf| {
            if !p.as_os_str().is_empty() && !roots.contains(&p) {
                roots.push(p);
            }
        };
        if let Some(v) = letan_models {
            std::env::split_paths(v).for_each(&mut add);
        }
        if let Some(repo) = repo_root {
            add(repo.join("models"));
            add(repo.join("..").join("shared").join("vision").join("models"));
        }
        Self { roots }
    }

    /// The standard order for this process: each folder of `$LETAN_MODELS`, then the
    /// `models/` and `../shared/vision/models` folders of every repository found above the
    /// current directory, the executable, and where this crate was built (in that order,
    /// symlinks resolved, duplicates dropped).
    pub fn from_env() -> Self {
        let env = std::env::var_os(MODELS_ENV);
        let mut search = Self::standard(env.as_deref(), None);
        for repo in candidate_repos() {
            for p in Self::standard(None, Some(&repo)).roots {
                if !search.roots.contains(&p) {
                    search.roots.push(p);
                }
            }
        }
        search
    }

    /// The folders searched for `model`, in order (the Haar cascade also tries Debian's).
    pub fn roots_for(&self, model: FaceModel) -> Vec<PathBuf> {
        let mut roots = self.roots.clone();
        if model == FaceModel::HaarFrontalDefault {
            roots.push(PathBuf::from(DEBIAN_HAAR_DIR));
        }
        roots
    }

    /// The first existing file for `model`.
    pub fn locate(&self, model: FaceModel) -> Result<PathBuf, VisionError> {
        let roots = self.roots_for(model);
        roots
            .iter()
            .map(|r| r.join(model.file_name()))
            .find(|p| p.is_file())
            .ok_or_else(|| VisionError::ModelMissing {
                name: model.name().to_string(),
                file: model.file_name().to_string(),
                searched: roots,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_order_is_env_then_repo_models_then_shared() {
        let s = ModelSearch::standard(Some(OsStr::new("/a:/b::/a")), Some(Path::new("/r")));
        let want: Vec<PathBuf> = ["/a", "/b", "/r/models", "/r/../shared/vision/models"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(s.roots, want);
        assert_eq!(
            ModelSearch::standard(None, None).roots,
            Vec::<PathBuf>::new()
        );
    }

    #[test]
    fn missing_model_error_names_model_paths_and_fetch_command() {
        let s = ModelSearch::standard(Some(OsStr::new("/nonexistent/letan-a")), None);
        let err = s
            .locate(FaceModel::Yunet2022Mar)
            .expect_err("missing")
            .to_string();
        assert!(err.contains("face_detection_yunet_2022mar"), "{err}");
        assert!(err.contains("/nonexistent/letan-a"), "{err}");
        assert!(
            err.contains("letan models fetch face_detection_yunet_2022mar"),
            "{err}"
        );
    }

    #[test]
    fn finds_the_shared_models_from_this_repository() {
        let s = ModelSearch::from_env();
        let p = s
            .locate(FaceModel::Yunet2022Mar)
            .expect("model reachable from the repo");
        assert!(p.ends_with("face_detection_yunet_2022mar.onnx"));
        assert_eq!(std::fs::metadata(&p).expect("stat").len(), 345_478);
    }
}
