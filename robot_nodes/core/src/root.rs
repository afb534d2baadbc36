use std::path::{Path, PathBuf};

/// The Letan repository (or an installed copy of its data) above `start`: the first folder, `start`
/// included, that holds `maps/lobby.yaml` or `models/manifest.yaml`. Reads only whether those files exist.
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| {
            d.join("maps").join("lobby.yaml").is_file()
                || d.join("models").join("manifest.yaml").is_file()
        })
        .map(Path::to_path_buf)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn this_crate_is_inside_the_repository() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = find_repo_root(here).unwrap();
        assert!(root.join("maps/lobby.yaml").is_file());
        assert!(here.starts_with(&root));
        assert_eq!(find_repo_root(Path::new("/")), None);
    }
}
