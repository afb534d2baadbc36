//! Privacy (robot_nodes/vision/PRIVACY.md: "no image, crop, landmark or box is written to disk"):
//! the whole robot runs the greeting scenario (real face photographs on the simulated camera, the
//! face node detecting them) with its working folder, HOME and TMPDIR in fresh folders. Afterwards
//! no image file exists anywhere it could write: those folders, the repository (outside build
//! output) and /tmp; and the log it printed holds no pixels.
#![allow(clippy::unwrap_used)]
#![allow(clippy::disallowed_methods)] // the scan compares file times with the wall clock
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The image formats a frame or a crop could be written in, by their first bytes.
fn image_kind(head: &[u8]) -> Option<&'static str> {
    let kinds: [(&[u8], &str); 7] = [
        (b"\xFF\xD8\xFF", "JPEG"),
        (b"\x89PNG", "PNG"),
        (b"BM", "BMP"),
        (b"P5", "PGM"),
        (b"P6", "PPM"),
        (b"GIF8", "GIF"),
        (b"II*\0", "TIFF"),
    ];
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some("WebP");
    }
    kinds
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, k)| *k)
}

/// Folders never written by the robot at run time (build output, sources' VCS, the models and the
/// test photographs it reads).
fn skipped(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(
        name,
        "target" | ".git" | ".deps" | "node_modules" | "models" | ".cache"
    )
}

/// Every regular file under `dir` changed since `since` that starts like an image.
fn images_written(dir: &Path, since: SystemTime, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if !skipped(&p) {
                images_written(&p, since, found);
            }
        } else if meta.is_file() && meta.modified().is_ok_and(|m| m >= since) {
            let mut head = [0u8; 12];
            let n = std::fs::File::open(&p)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                .unwrap_or(0);
            if let Some(kind) = image_kind(&head[..n]) {
                found.push(format!("{} ({kind}, {} bytes)", p.display(), meta.len()));
            }
        }
    }
}

#[test]
fn the_image_scan_finds_an_image_written_during_the_run() {
    // The check itself: a crop written by mistake would be found.
    let dir = tempfile::tempdir().unwrap();
    let since = SystemTime::now() - std::time::Duration::from_secs(1);
    std::fs::write(dir.path().join("crop.bin"), b"\xFF\xD8\xFF\xE0 jfif").unwrap();
    std::fs::create_dir(dir.path().join("deep")).unwrap();
    std::fs::write(dir.path().join("deep/face"), b"P6\n2 2\n255\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"no pixels").unwrap();
    let mut found = Vec::new();
    images_written(dir.path(), since, &mut found);
    assert_eq!(found.len(), 2, "{found:?}");
}

#[test]
fn a_greeting_scenario_with_real_faces_writes_no_image_anywhere() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let tmp = work.path().join("tmp");
    let cwd = work.path().join("cwd");
    for d in [&home, &tmp, &cwd] {
        std::fs::create_dir(d).unwrap();
    }
    let report = cwd.join("report.json");
    let since = SystemTime::now() - std::time::Duration::from_secs(1);
    let out = Command::new(env!("CARGO_BIN_EXE_letan"))
        .current_dir(&cwd)
        .args(["sim", "--headless", "--bus", "--scenario"])
        .arg(repo().join("sim/scenarios/greeting.yaml"))
        .arg("--report")
        .arg(&report)
        .env("LETAN_ROOT", repo())
        .env("HOME", &home)
        .env("TMPDIR", &tmp)
        // Everything the nodes log, at the most talkative level that is still readable.
        .env("LETAN_LOG", "info")
        .output()
        .unwrap();
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the scenario failed:\n{log}");
    // Faces really went through the pipeline: the robot greeted someone it saw.
    let text = std::fs::read_to_string(&report).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let greeted = json["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["expectation"].to_string().contains("greeted") && e["passed"] == true)
        .count();
    assert!(greeted >= 1, "no greeting expectation held: {text}");
    let mut found = Vec::new();
    for dir in [work.path().to_path_buf(), repo(), std::env::temp_dir()] {
        images_written(&dir, since, &mut found);
    }
    found.retain(|f| !f.contains("/target/"));
    assert!(
        found.is_empty(),
        "images written during the run: {found:#?}"
    );
    // The log holds no pixels: no encoded image, and no long run of raw bytes.
    for needle in ["data:image", "/9j/", "iVBORw0KGgo"] {
        assert!(!log.contains(needle), "the log holds an image ({needle})");
    }
    let longest_token = log
        .split(|c: char| c.is_whitespace() || c == '"' || c == ',')
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest_token < 2000,
        "a {longest_token}-character token in the log looks like raw data"
    );
}
