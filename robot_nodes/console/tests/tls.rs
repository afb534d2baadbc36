//! HTTPS on a real socket: a self-signed certificate made in the test (rcgen), the console served
//! with it, a rustls client that trusts only that certificate gets the page with its security headers
//! and logs in (the cookie is `Secure`); plain HTTP on the same port gets no page.
#![allow(clippy::unwrap_used)]
use letan_console::audit::AuditLog;
use letan_console::auth::Accounts;
use letan_console::clock::SystemClock;
use letan_console::config::{ConsoleParams, HashCost, Role, UsersFile};
use letan_console::link::robot_link;
use letan_console::server::{bind, load_tls, serve, ConsoleState};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn pem_files(dir: &std::path::Path) -> (String, String, Vec<u8>) {
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.key_pair.serialize_pem()).unwrap();
    (
        cert.display().to_string(),
        key.display().to_string(),
        ck.cert.der().to_vec(),
    )
}

async fn https_request(port: u16, ca_der: &[u8], request: &str) -> String {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(ca_der.to_vec()))
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_serves_https_with_a_pem_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, der) = pem_files(dir.path());
    let params = ConsoleParams {
        port: 0,
        tls_cert: cert,
        tls_key: key,
        ..ConsoleParams::default()
    };
    let mut users = UsersFile::default();
    users
        .upsert("lan", Role::Operator, "operator-pass-1", HashCost::CHEAP)
        .unwrap();
    let audit = AuditLog::open(&dir.path().join("audit.jsonl")).unwrap();
    let (link, _end) = robot_link(8);
    let listener = bind(&params).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = ConsoleState::new(
        params,
        Accounts::from_file(&users),
        audit,
        Arc::new(SystemClock),
        link,
    )
    .unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state, async move {
        let _ = stop_rx.await;
    }));

    let page = https_request(
        port,
        &der,
        "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let lower = page.to_ascii_lowercase();
    assert!(lower.contains("content-security-policy: default-src 'none'"));
    assert!(lower.contains("x-frame-options: deny"));

    let body = r#"{"username":"lan","password":"operator-pass-1"}"#;
    let login = https_request(
        port,
        &der,
        &format!(
            "POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    let cookie = login
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");

    // plain HTTP to the TLS port: no page comes back
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(12), tcp.read_to_end(&mut out)).await;
    assert!(
        !String::from_utf8_lossy(&out).contains("HTTP/1.1 200"),
        "plain HTTP served"
    );
    // the server survived the bad handshake
    let again = https_request(
        port,
        &der,
        "GET /app.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
}

#[test]
fn bad_pem_files_are_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = pem_files(dir.path());
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a pem").unwrap();
    let p = ConsoleParams {
        tls_cert: junk.display().to_string(),
        tls_key: key.clone(),
        ..ConsoleParams::default()
    };
    let e = load_tls(&p).err().unwrap().to_string();
    assert!(e.contains("tls_cert"), "{e}");
    let p = ConsoleParams {
        tls_cert: cert.clone(),
        tls_key: junk.display().to_string(),
        ..ConsoleParams::default()
    };
    let e = load_tls(&p).err().unwrap().to_string();
    assert!(e.contains("tls_key"), "{e}");
    let p = ConsoleParams {
        tls_cert: cert,
        tls_key: dir.path().join("missing.pem").display().to_string(),
        ..ConsoleParams::default()
    };
    assert!(load_tls(&p).is_err());
    assert!(load_tls(&ConsoleParams::default()).unwrap().is_none());
}
