//! The probe over wss:// against a local TLS echo server whose certificate comes from a
//! throwaway CA generated at test time (rcgen): success with `ca_file`, unknown issuer
//! without it, a certificate for another name, and an unusable CA file.

mod common;
use common::echo;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use wsguard::probe::{probe, Outcome, ProbeOptions, Report};

/// A throwaway CA and one server certificate it signed.
struct Pki {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
}

/// Generates a CA and a server certificate for `names` (DNS names or IP addresses).
fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "wsguard test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "wsguard test server");
    params.is_ca = IsCa::ExplicitNoCa;
    let server_cert = params.signed_by(&server_key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server_chain: vec![server_cert.der().clone()],
        server_key: server_key.serialize_der(),
    }
}

/// A temp file removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(contents: &str) -> TempFile {
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "wsguard-probe-tls-{}-{}.pem",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A TLS WebSocket echo server on 127.0.0.1:0 serving `n` connections (rustls
/// `ServerConnection` + `StreamOwned`, tungstenite accept, bounded echo).
fn tls_echo(pki: &Pki, n: usize) -> (SocketAddr, JoinHandle<()>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key.clone()));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(pki.server_chain.clone(), key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        for _ in 0..n {
            let (tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            tcp.set_write_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let tls = rustls::StreamOwned::new(conn, tcp);
            // A client that rejects the certificate makes the handshake (inside the
            // first read) fail: the connection simply ends.
            if let Ok(mut ws) = tungstenite::accept(tls) {
                echo(&mut ws);
            }
        }
    });
    (addr, h)
}

fn opts(url: String, ca: Option<&TempFile>) -> ProbeOptions {
    let mut o = ProbeOptions::new(url);
    o.timeout = Duration::from_secs(5);
    o.echo = Some("hello over tls".into());
    o.ca_file = ca.map(|f| f.0.clone());
    o
}

fn outcomes(r: &Report) -> Vec<(&'static str, Outcome)> {
    r.steps.iter().map(|s| (s.name, s.outcome)).collect()
}

const FAILED_AT_TLS: [(&str, Outcome); 8] = [
    ("url", Outcome::Ok),
    ("dns", Outcome::Ok),
    ("tcp", Outcome::Ok),
    ("tls", Outcome::Failed),
    ("upgrade", Outcome::Skipped),
    ("ping", Outcome::Skipped),
    ("echo", Outcome::Skipped),
    ("close", Outcome::Skipped),
];

const ALL_OK: [(&str, Outcome); 8] = [
    ("url", Outcome::Ok),
    ("dns", Outcome::Ok),
    ("tcp", Outcome::Ok),
    ("tls", Outcome::Ok),
    ("upgrade", Outcome::Ok),
    ("ping", Outcome::Ok),
    ("echo", Outcome::Ok),
    ("close", Outcome::Ok),
];

#[test]
fn trusted_ca_every_step_ok_including_tls() {
    let pki = pki(&["localhost", "127.0.0.1"]);
    let ca = TempFile::new(&pki.ca_pem);
    let (addr, h) = tls_echo(&pki, 2);
    for host in ["localhost", "127.0.0.1"] {
        let r = probe(&opts(format!("wss://{host}:{}/", addr.port()), Some(&ca)));
        assert!(r.ok, "{}", r.render_text());
        assert_eq!(outcomes(&r), ALL_OK, "{}", r.render_text());
        assert!(r.failure.is_none());
        assert_eq!(r.peer.as_deref(), Some(addr.to_string().as_str()));
        assert_eq!(r.close_code, Some(1000));
        let tls = r.step("tls").unwrap();
        assert_eq!(
            tls.detail,
            format!("TLS 1.3, certificate valid for {host}"),
            "{}",
            r.render_text()
        );
    }
    h.join().unwrap();
}

#[test]
fn untrusted_ca_fails_at_tls_with_unknown_issuer() {
    let pki = pki(&["localhost", "127.0.0.1"]);
    let (addr, h) = tls_echo(&pki, 1);
    let r = probe(&opts(format!("wss://localhost:{}/", addr.port()), None));
    h.join().unwrap();
    assert!(!r.ok);
    assert_eq!(outcomes(&r), FAILED_AT_TLS, "{}", r.render_text());
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.step, f.code.as_str()),
        ("tls", "tls_unknown_issuer"),
        "{f:?}"
    );
    assert_eq!(
        f.what,
        "TLS with localhost failed: invalid peer certificate: UnknownIssuer"
    );
    assert_eq!(
        f.cause,
        "the server's certificate is not signed by a trusted authority (self-signed or private CA)"
    );
    assert_eq!(
        f.fix,
        "use a certificate from a public CA, or pass the CA file to trust (--ca-file)"
    );
    assert_eq!(f.http_status, None);
    assert_eq!(f.close_code, None);
    assert_eq!(r.step("tls").unwrap().detail, f.what);
    let text = r.render_text();
    assert!(text.contains("FAILED at tls:"), "{text}");
    assert!(text.contains("[tls_unknown_issuer]"), "{text}");
}

#[test]
fn certificate_for_another_name_fails_at_tls_with_wrong_name() {
    let pki = pki(&["other.example"]);
    let ca = TempFile::new(&pki.ca_pem);
    let (addr, h) = tls_echo(&pki, 1);
    let r = probe(&opts(
        format!("wss://localhost:{}/", addr.port()),
        Some(&ca),
    ));
    h.join().unwrap();
    assert!(!r.ok);
    assert_eq!(outcomes(&r), FAILED_AT_TLS, "{}", r.render_text());
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.step, f.code.as_str()),
        ("tls", "tls_wrong_name"),
        "{f:?}"
    );
    assert_eq!(
        f.cause,
        "the server's certificate is not valid for this host name"
    );
    assert_eq!(
        f.fix,
        "connect with the name the certificate was issued for, or add this name to the certificate"
    );
    assert!(
        f.what.starts_with("TLS with localhost failed: "),
        "{}",
        f.what
    );
    assert!(f.what.contains("other.example"), "{}", f.what);
}

#[test]
fn unusable_ca_file_fails_at_tls_before_connecting_tls() {
    let pki = pki(&["localhost"]);
    let not_pem = TempFile::new("this is not a certificate\n");
    let (addr, h) = tls_echo(&pki, 1);
    let r = probe(&opts(
        format!("wss://localhost:{}/", addr.port()),
        Some(&not_pem),
    ));
    assert!(!r.ok);
    assert_eq!(outcomes(&r), FAILED_AT_TLS, "{}", r.render_text());
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.code.as_str()), ("tls", "tls_ca_file"), "{f:?}");
    assert_eq!(
        f.what,
        format!(
            "{}: no certificate found (expected PEM `-----BEGIN CERTIFICATE-----`)",
            not_pem.0.display()
        )
    );
    assert_eq!(f.cause, "the CA file given cannot be used");
    // The probe opened TCP and then gave up; the server's handshake sees EOF and ends.
    h.join().unwrap();
}
