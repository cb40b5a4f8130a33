//! Blocking network plumbing shared by the probe and the validated client: DNS with a
//! timeout, TCP connect, TLS (rustls + ring, webpki roots, optional extra CA file),
//! and a `Read + Write` connection type.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// A connection after TCP (and TLS for wss://). Implements `Read + Write`.
pub enum Conn {
    /// ws://
    Plain(TcpStream),
    /// wss://
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Conn::Plain(s) => f.debug_tuple("Plain").field(s).finish(),
            Conn::Tls(s) => f.debug_tuple("Tls").field(&s.sock).finish(),
        }
    }
}

impl Conn {
    /// The TCP socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }

    /// Sets read and write timeouts so that a blocking call returns by `deadline`.
    pub fn set_deadline(&self, deadline: Instant) -> io::Result<()> {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        self.tcp().set_read_timeout(Some(left))?;
        self.tcp().set_write_timeout(Some(left))
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// Resolves `host:port` on a helper thread so the wait is bounded by `timeout`.
pub(crate) fn resolve(host: &str, port: u16, timeout: Duration) -> io::Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = format!("{host}:{port}");
    std::thread::spawn(move || {
        let _ = tx.send(name.to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) if addrs.is_empty() => Err(io::Error::other(
            "failed to lookup address information: no addresses",
        )),
        Ok(r) => r,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "name resolution timed out",
        )),
    }
}

/// Connects to the first address that answers; returns the last error otherwise.
pub(crate) fn connect(
    addrs: &[SocketAddr],
    timeout: Duration,
) -> Result<(TcpStream, SocketAddr), (io::Error, SocketAddr)> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok((s, *addr));
            }
            Err(e) => last = Some((e, *addr)),
        }
    }
    Err(last.unwrap_or_else(|| {
        (
            io::Error::other("no address to connect to"),
            SocketAddr::from(([0, 0, 0, 0], 0)),
        )
    }))
}

/// Why the trust store could not be built.
#[derive(Debug)]
pub(crate) struct CaFileError(pub String);

/// The TLS client configuration: Mozilla's roots (webpki-roots) plus `ca_file`.
pub(crate) fn tls_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, CaFileError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| CaFileError(format!("cannot read {}: {e}", path.display())))?;
        let mut added = 0;
        for cert in certs {
            let cert = cert.map_err(|e| {
                CaFileError(format!("{}: not a PEM certificate: {e}", path.display()))
            })?;
            roots.add(cert).map_err(|e| {
                CaFileError(format!("{}: unusable CA certificate: {e}", path.display()))
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(CaFileError(format!(
                "{}: no certificate found (expected PEM `-----BEGIN CERTIFICATE-----`)",
                path.display()
            )));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CaFileError(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Runs the TLS handshake over `tcp` for `host` until done or `deadline`.
pub(crate) fn tls_handshake(
    tcp: TcpStream,
    host: &str,
    config: Arc<rustls::ClientConfig>,
    deadline: Instant,
) -> io::Result<Conn> {
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let conn = rustls::ClientConnection::new(config, name)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    let c = Conn::Plain(stream.sock.try_clone()?);
    let mut rounds = 0;
    while stream.conn.is_handshaking() {
        rounds += 1;
        if rounds > 64 || Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "TLS handshake timed out",
            ));
        }
        c.set_deadline(deadline)?;
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(Conn::Tls(Box::new(stream)))
}

/// 16 unpredictable bytes (nonce for Sec-WebSocket-Key, frame masks). Not for secrets.
pub(crate) fn random16() -> [u8; 16] {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut out = [0u8; 16];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u64(nanos);
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}
