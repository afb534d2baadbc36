//! Knowledge-base versions: read an upload (zip, tar or a directory), check it with the same
//! checker as `letan kb check`, name it by its content, and keep the robot's current and previous
//! versions. No network; the only I/O is reading a directory the caller names.
use crate::FleetError;
use sha2::{Digest, Sha256};
use std::io::Read;

/// Limits on an uploaded archive.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The archive itself.
    pub max_archive_bytes: usize,
    /// Sum of the unpacked files (counted while reading, whatever the headers say).
    pub max_unpacked_bytes: u64,
    /// One unpacked file.
    pub max_file_bytes: u64,
    /// Entries in the archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_archive_bytes: 16 * 1024 * 1024,
            max_unpacked_bytes: 8 * 1024 * 1024,
            max_file_bytes: 2 * 1024 * 1024,
            max_entries: 512,
        }
    }
}

/// A checked knowledge base.
#[derive(Clone, Debug, PartialEq)]
pub struct KbVersion {
    /// First 16 hex digits of the SHA-256 of the sorted files.
    pub version: String,
    /// `(relative path, text)`, sorted by path.
    pub files: Vec<(String, String)>,
}

/// The content name of a set of files.
pub fn version_of(files: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort();
    let mut h = Sha256::new();
    for (n, t) in sorted {
        h.update(n.as_bytes());
        h.update([0]);
        h.update(t.as_bytes());
        h.update([0]);
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Check files with `letan_nlu::Kb::parse` (what `letan kb check` runs): the version, or every
/// problem as `file:line: message`.
pub fn check(mut files: Vec<(String, String)>) -> Result<KbVersion, FleetError> {
    files.sort();
    match letan_nlu::Kb::parse(files.clone()) {
        Ok(_) => Ok(KbVersion {
            version: version_of(&files),
            files,
        }),
        Err(letan_nlu::NluError::Kb(issues)) => Err(FleetError::KbInvalid(
            issues.iter().map(|i| i.to_string()).collect(),
        )),
        Err(e) => Err(FleetError::KbInvalid(vec![e.to_string()])),
    }
}

/// A path inside the knowledge base, normalized (`kb/` prefix and `./` dropped), or why not.
fn kb_path(name: &str) -> Result<Option<String>, FleetError> {
    let name = name.replace('\\', "/");
    if name.starts_with('/') || name.split('/').any(|c| c == "..") {
        return Err(FleetError::KbArchive(format!(
            "entry {name:?} leaves the archive"
        )));
    }
    let mut parts: Vec<&str> = name
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if parts.first() == Some(&"kb") {
        parts.remove(0);
    }
    let p = parts.join("/");
    Ok((p.ends_with(".yaml") || p.ends_with(".yml")).then_some(p))
}

fn read_capped(
    r: &mut impl Read,
    name: &str,
    limits: &Limits,
    total: &mut u64,
) -> Result<String, FleetError> {
    let mut buf = Vec::new();
    let n = r
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| FleetError::KbArchive(format!("{name}: {e}")))? as u64;
    if n > limits.max_file_bytes {
        return Err(FleetError::KbArchive(format!(
            "{name} unpacks to more than {} bytes (zip bomb?)",
            limits.max_file_bytes
        )));
    }
    *total += n;
    if *total > limits.max_unpacked_bytes {
        return Err(FleetError::KbArchive(format!(
            "the archive unpacks to more than {} bytes (zip bomb?)",
            limits.max_unpacked_bytes
        )));
    }
    String::from_utf8(buf).map_err(|_| FleetError::KbArchive(format!("{name} is not UTF-8")))
}

/// The YAML files of an uploaded archive: zip (by its magic) or tar (ustar).
pub fn unpack(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, String)>, FleetError> {
    if bytes.len() > limits.max_archive_bytes {
        return Err(FleetError::TooLarge {
            what: "knowledge-base upload",
            len: bytes.len(),
            max: limits.max_archive_bytes,
        });
    }
    if bytes.starts_with(b"PK") {
        unzip(bytes, limits)
    } else if bytes.len() >= 512 && &bytes[257..262] == b"ustar" {
        untar(bytes, limits)
    } else {
        Err(FleetError::KbArchive(
            "not a zip or tar archive of kb/".into(),
        ))
    }
}

fn unzip(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, String)>, FleetError> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| FleetError::KbArchive(format!("bad zip: {e}")))?;
    if z.len() > limits.max_entries {
        return Err(FleetError::KbArchive(format!(
            "{} entries, at most {}",
            z.len(),
            limits.max_entries
        )));
    }
    let mut total = 0u64;
    let mut files = Vec::new();
    for i in 0..z.len() {
        let mut f = z
            .by_index(i)
            .map_err(|e| FleetError::KbArchive(format!("bad zip entry {i}: {e}")))?;
        if f.is_dir() {
            continue;
        }
        let name = f
            .name()
            .map_err(|e| FleetError::KbArchive(format!("bad zip entry name {i}: {e}")))?
            .into_owned();
        let Some(path) = kb_path(&name)? else {
            continue;
        };
        let text = read_capped(&mut f, &name, limits, &mut total)?;
        files.push((path, text));
    }
    Ok(files)
}

fn octal(field: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(field).ok()?;
    let s = s.trim_matches(|c: char| c == '\0' || c == ' ');
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

fn untar(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, String)>, FleetError> {
    let mut off = 0usize;
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut entries = 0usize;
    while off + 512 <= bytes.len() {
        let h = &bytes[off..off + 512];
        if h.iter().all(|&b| b == 0) {
            break;
        }
        entries += 1;
        if entries > limits.max_entries {
            return Err(FleetError::KbArchive(format!(
                "more than {} entries",
                limits.max_entries
            )));
        }
        let cstr = |f: &[u8]| {
            String::from_utf8_lossy(f.split(|&b| b == 0).next().unwrap_or(&[])).into_owned()
        };
        let name = {
            let (n, prefix) = (cstr(&h[0..100]), cstr(&h[345..500]));
            if prefix.is_empty() {
                n
            } else {
                format!("{prefix}/{n}")
            }
        };
        let size = octal(&h[124..136])
            .ok_or_else(|| FleetError::KbArchive(format!("{name}: bad size in tar header")))?;
        let kind = h[156];
        let start = off + 512;
        let end = usize::try_from(size)
            .ok()
            .and_then(|s| start.checked_add(s))
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| FleetError::KbArchive(format!("{name}: truncated tar")))?;
        if kind == b'0' || kind == 0 {
            if let Some(path) = kb_path(&name)? {
                let mut r = &bytes[start..end];
                let text = read_capped(&mut r, &name, limits, &mut total)?;
                files.push((path, text));
            }
        }
        off = start + (end - start).div_ceil(512) * 512;
    }
    Ok(files)
}

/// The YAML files of a knowledge-base directory (what `letan kb check DIR` reads).
pub fn read_dir(dir: &std::path::Path) -> Result<Vec<(String, String)>, FleetError> {
    letan_nlu::kb::read_dir_files(dir)
        .map_err(|e| FleetError::KbArchive(format!("{}: {e}", dir.display())))
}

/// Write a version into `dir` (the files, replacing what was there) through a temporary
/// directory and a rename, so a reader never sees half a knowledge base.
pub fn install(dir: &std::path::Path, kb: &KbVersion) -> Result<(), FleetError> {
    let io = |action: &'static str, p: &std::path::Path| {
        let path = p.display().to_string();
        move |source| FleetError::io(action, path, source)
    };
    let tmp = dir.with_extension("incoming");
    let _ = std::fs::remove_dir_all(&tmp);
    for (name, text) in &kb.files {
        let p = tmp.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(io("create", parent))?;
        }
        std::fs::write(&p, text).map_err(io("write", &p))?;
    }
    let old = dir.with_extension("old");
    let _ = std::fs::remove_dir_all(&old);
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(io("rename", dir))?;
    }
    std::fs::rename(&tmp, dir).map_err(io("rename", &tmp))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// The robot's knowledge bases: the one it runs and the one before it.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    pub current: Option<KbVersion>,
    pub previous: Option<KbVersion>,
}

impl Ledger {
    /// Start with a version.
    pub fn new(current: Option<KbVersion>) -> Self {
        Ledger {
            current,
            previous: None,
        }
    }

    /// The running version's name (empty when none).
    pub fn version(&self) -> String {
        self.current
            .as_ref()
            .map(|k| k.version.clone())
            .unwrap_or_default()
    }

    /// Check `files` and switch to them; on any problem keep the running version. A push whose
    /// claimed version differs from its content is refused too.
    pub fn apply(
        &mut self,
        claimed: &str,
        files: Vec<(String, String)>,
    ) -> Result<&KbVersion, FleetError> {
        let kb = check(files)?;
        if kb.version != claimed {
            return Err(FleetError::KbArchive(format!(
                "claimed version {claimed} but the files are {}",
                kb.version
            )));
        }
        if self.current.as_ref().map(|c| &c.version) != Some(&kb.version) {
            self.previous = self.current.take();
            self.current = Some(kb);
        }
        self.current
            .as_ref()
            .ok_or_else(|| FleetError::KbArchive("no version".into()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    fn embedded() -> Vec<(String, String)> {
        letan_nlu::kb::EMBEDDED
            .iter()
            .map(|&(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    fn zip_of(files: &[(String, String)], prefix: &str) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (n, t) in files {
                z.start_file(format!("{prefix}{n}"), o).unwrap();
                z.write_all(t.as_bytes()).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn the_real_kb_checks_and_its_version_is_its_content() {
        let kb = check(embedded()).unwrap();
        assert_eq!(kb.version.len(), 16);
        let mut other = embedded();
        other[0].1.push_str("\n# a comment\n");
        assert_ne!(check(other).unwrap().version, kb.version);
        let from_zip = unpack(&zip_of(&embedded(), "kb/"), &Limits::default()).unwrap();
        assert_eq!(check(from_zip).unwrap().version, kb.version);
    }

    #[test]
    fn an_invalid_kb_names_file_and_line_and_the_ledger_keeps_the_old_one() {
        let good = check(embedded()).unwrap();
        let mut files = embedded();
        let i = files
            .iter()
            .position(|(n, _)| n.starts_with("intents/"))
            .unwrap();
        files[i].1 = format!("{}\n  - [unclosed\n", files[i].1);
        let name = files[i].0.clone();
        let e = check(files.clone()).unwrap_err();
        let FleetError::KbInvalid(issues) = &e else {
            panic!("{e}")
        };
        assert!(
            issues.iter().any(|m| m.contains(&name) && m.contains(':')),
            "{issues:?}"
        );
        let mut l = Ledger::new(Some(good.clone()));
        assert!(l.apply(&version_of(&files), files).is_err());
        assert_eq!(l.version(), good.version, "kept");
        assert!(l.previous.is_none());
    }

    #[test]
    fn zip_bombs_traversal_and_junk_are_refused() {
        let big = vec![("kb/intents/x.yaml".to_string(), "a".repeat(3 * 1024 * 1024))];
        let z = zip_of(&big, "");
        assert!(z.len() < 100_000, "compresses well: {}", z.len());
        let e = unpack(&z, &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("zip bomb"), "{e}");
        let many: Vec<_> = (0..5)
            .map(|i| (format!("intents/{i}.yaml"), "b".repeat(1900 * 1024)))
            .collect();
        let e = unpack(&zip_of(&many, ""), &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("zip bomb"), "{e}");
        let e = unpack(
            &zip_of(&[("../x.yaml".into(), "a".into())], ""),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("leaves the archive"), "{e}");
        assert!(unpack(b"hello", &Limits::default()).is_err());
        assert!(unpack(b"PK\x03\x04garbage", &Limits::default()).is_err());
        let huge = vec![0u8; 17 * 1024 * 1024];
        assert!(matches!(
            unpack(&huge, &Limits::default()),
            Err(FleetError::TooLarge { .. })
        ));
    }

    #[test]
    fn tar_archives_unpack() {
        let mut tar = Vec::new();
        for (n, t) in embedded() {
            let mut h = [0u8; 512];
            let name = format!("kb/{n}");
            h[..name.len()].copy_from_slice(name.as_bytes());
            let size = format!("{:011o}\0", t.len());
            h[124..136].copy_from_slice(size.as_bytes());
            h[156] = b'0';
            h[257..263].copy_from_slice(b"ustar\0");
            tar.extend_from_slice(&h);
            tar.extend_from_slice(t.as_bytes());
            tar.resize(tar.len().div_ceil(512) * 512, 0);
        }
        tar.extend_from_slice(&[0u8; 1024]);
        let files = unpack(&tar, &Limits::default()).unwrap();
        assert_eq!(
            check(files).unwrap().version,
            check(embedded()).unwrap().version
        );
        assert!(
            unpack(&tar[..700], &Limits::default()).is_err(),
            "truncated"
        );
    }

    #[test]
    fn ledger_switches_and_keeps_the_previous() {
        let a = check(embedded()).unwrap();
        let mut b_files = embedded();
        b_files[0].1.push_str("\n# b\n");
        let b = check(b_files.clone()).unwrap();
        let mut l = Ledger::new(Some(a.clone()));
        assert!(l.apply("nope", b_files.clone()).is_err(), "wrong claim");
        l.apply(&b.version, b_files).unwrap();
        assert_eq!(l.version(), b.version);
        assert_eq!(l.previous.as_ref().unwrap().version, a.version);
    }

    #[test]
    fn install_replaces_the_directory() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("kb");
        let kb = check(embedded()).unwrap();
        install(&dir, &kb).unwrap();
        install(&dir, &kb).unwrap();
        assert_eq!(check(read_dir(&dir).unwrap()).unwrap().version, kb.version);
    }
}
