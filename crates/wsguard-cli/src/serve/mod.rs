//! `wsguard serve`: a guarded echo server on tokio.
//!
//! One port serves three things: `GET /health` (JSON), `GET /metrics` (the adapter's
//! counters in Prometheus text format, plus the server's own gauges) and WebSocket
//! upgrades on the configured path(s). Every upgrade is validated by the core (through
//! the adapter's [`wsguard::Guard`]); a refusal gets the core's exact HTTP answer (status,
//! headers, `code: reason` / `fix: remedy` body). Accepted connections run the echo loop
//! of [`conn`] on the core's frame decoder/encoder and heartbeat.
//!
//! Configuration: defaults < `--config FILE` (TOML) < `WSGUARD_*` environment < flags.
//!
//! Peer limits ([`wsguard_core::limits::PeerLimits`]): the `[limits]` keys of the file
//! and the `WSGUARD_LIMITS_*` variables (see [`wsguard::config::LimitSettings`]), overridden by
//! the flags `--max-connections`, `--max-per-address`, `--max-upgrading`,
//! `--message-budget`, `--max-queued-output`, `--write-timeout`, `--retry-after` and
//! `--handshake-timeout`; every value is range-checked with the configuration (a flag out
//! of range is a config error naming the key). Over a limit at accept the core's 503 with `Retry-After` (or a
//! TCP close when even that cannot be afforded), counted in `/metrics` under
//! `wsguard_refused_total{reason=...}` and logged at most once per 10 s; the accept loop
//! pauses on `EMFILE`/`ENFILE`; the listen backlog is 2048 (`--backlog`).

mod conn;
mod http;
mod status;

use crate::exit;
use crate::style::{ColorChoice, Style};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;
use wsguard::limits::{net, Admission};
use wsguard::{Counters, Environment, GuardConfig};
use wsguard_core::frame::DecoderConfig;
use wsguard_core::heartbeat::HeartbeatConfig;

pub use conn::WsSettings;

/// Arguments of `wsguard serve`.
#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    /// Address to listen on (port 0: a free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,
    /// TOML configuration file (see `wsguard lint`); `WSGUARD_*` variables override it.
    #[arg(long, short = 'c', value_name = "FILE", env = "WSGUARD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Path(s) that accept WebSocket upgrades (`*`: any path).
    #[arg(long = "path", value_name = "PATH", default_values_t = vec!["/ws".to_string()])]
    pub paths: Vec<String>,
    /// Allowed Origin pattern (repeatable): `https://app.example.com`, `https://*.example.com`.
    #[arg(long = "allow", value_name = "PATTERN")]
    pub allow: Vec<String>,
    /// Accept upgrades without an Origin header (non-browser clients).
    #[arg(long)]
    pub allow_missing_origin: bool,
    /// Accept `Origin: null`.
    #[arg(long)]
    pub allow_null_origin: bool,
    /// Policy preset: `development` adds loopback origins on any port.
    #[arg(long, value_name = "ENV", value_parser = ["development", "production"])]
    pub env: Option<String>,
    /// Allowed Host header value (repeatable; DNS-rebinding defence).
    #[arg(long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,
    /// Require this bearer token (in `Authorization`, `?token=` or the subprotocol).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "WSGUARD_SERVE_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Largest message accepted, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_message: Option<u64>,
    /// Ping after this many seconds of silence (0: no pings).
    #[arg(long, value_name = "SECS")]
    pub ping_interval: Option<f64>,
    /// Declare the peer dead when no pong arrives within this many seconds.
    #[arg(long, value_name = "SECS")]
    pub pong_timeout: Option<f64>,
    /// Time allowed for the upgrade request to arrive, in seconds (default 10;
    /// `limits.handshake_timeout_ms`).
    #[arg(long, value_name = "SECS")]
    pub handshake_timeout: Option<f64>,
    /// Development only: accept connections without a token (with `--env development`;
    /// each one is logged as a warning). Refuses to start in production or on a
    /// non-loopback `--listen` (see `--dev-auth-bypass-allow-non-loopback`).
    #[arg(long)]
    pub dev_auth_bypass: bool,
    /// The second, explicit override: allow `--dev-auth-bypass` on a non-loopback
    /// `--listen` address (a development container listening on 0.0.0.0). Never allows
    /// production.
    #[arg(long)]
    pub dev_auth_bypass_allow_non_loopback: bool,
    /// Log only errors (not every connection).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Most open connections, upgrades included (default 10000; `limits.max_connections`);
    /// over it: 503.
    #[arg(long, value_name = "N")]
    pub max_connections: Option<u32>,
    /// Most open connections per client address group, IPv4 /32 or IPv6 /64 (default 256;
    /// `limits.max_per_address`).
    #[arg(long, value_name = "N")]
    pub max_per_address: Option<u32>,
    /// Most connections whose request head is not answered yet (default 1024;
    /// `limits.max_upgrading`).
    #[arg(long, value_name = "N")]
    pub max_upgrading: Option<u32>,
    /// Bytes of partly received messages across all connections (default 64 MiB;
    /// `limits.message_budget_bytes`); a message that would exceed it is closed with 1013.
    #[arg(long, value_name = "BYTES")]
    pub message_budget: Option<u64>,
    /// Kernel send buffer per connection, what a peer that does not read can pin
    /// (default 1 MiB; `limits.max_queued_output_bytes`).
    #[arg(long, value_name = "BYTES")]
    pub max_queued_output: Option<u64>,
    /// Drop a peer whose pending write does not finish within this many seconds (default
    /// 30; `limits.write_timeout_ms`).
    #[arg(long, value_name = "SECS")]
    pub write_timeout: Option<f64>,
    /// `Retry-After` of the 503 sent over a limit, in seconds (default 5;
    /// `limits.retry_after_s`).
    #[arg(long, value_name = "SECS")]
    pub retry_after: Option<u32>,
    /// Listen backlog (default 2048, capped by the kernel's somaxconn).
    #[arg(long, value_name = "N")]
    pub backlog: Option<u32>,
}

impl ServeArgs {
    /// Writes the peer-limit flags over `cfg.limits` (file and environment before them)
    /// and records each as the key's source, so a value out of range is reported as
    /// `flag --max-connections: limits.max_connections = "0": …`. Seconds become
    /// milliseconds, rounded up (`0.0004` → 1 ms); 0 stays 0 and fails the range check.
    ///
    /// ```ignore
    /// let mut cfg = wsguard::GuardConfig::default();
    /// ServeArgs { max_connections: Some(5), write_timeout: Some(1.5), ..Default::default() }
    ///     .apply_limit_flags(&mut cfg);
    /// assert_eq!((cfg.limits.max_connections, cfg.limits.write_timeout_ms), (5, 1500));
    /// ```
    /// (a binary crate: the example runs as the unit test `limit_flags_override_the_file`.)
    pub fn apply_limit_flags(&self, cfg: &mut GuardConfig) {
        let ms = |s: f64| (s * 1000.0).ceil().max(0.0) as u64;
        let flags: [(&str, &str, Option<u64>); 8] = [
            (
                "--max-connections",
                "limits.max_connections",
                self.max_connections.map(u64::from),
            ),
            (
                "--max-per-address",
                "limits.max_per_address",
                self.max_per_address.map(u64::from),
            ),
            (
                "--max-upgrading",
                "limits.max_upgrading",
                self.max_upgrading.map(u64::from),
            ),
            (
                "--message-budget",
                "limits.message_budget_bytes",
                self.message_budget,
            ),
            (
                "--max-queued-output",
                "limits.max_queued_output_bytes",
                self.max_queued_output,
            ),
            (
                "--write-timeout",
                "limits.write_timeout_ms",
                self.write_timeout.map(ms),
            ),
            (
                "--retry-after",
                "limits.retry_after_s",
                self.retry_after.map(u64::from),
            ),
            (
                "--handshake-timeout",
                "limits.handshake_timeout_ms",
                self.handshake_timeout.map(ms),
            ),
        ];
        for (flag, key, value) in flags {
            let Some(n) = value else { continue };
            cfg.set_number(key, n);
            cfg.set_source(key, wsguard::ConfigSource::Flag(flag.into()));
        }
    }
}

/// State shared by every connection.
pub struct Shared {
    pub counters: Arc<Counters>,
    pub guard: http::Gate,
    pub settings: WsSettings,
    pub handshake_timeout: Duration,
    pub started: Instant,
    pub active: AtomicU64,
    pub messages: AtomicU64,
    pub bytes: AtomicU64,
    pub pings: AtomicU64,
    pub pongs: AtomicU64,
    pub shutdown: watch::Receiver<bool>,
    pub quiet: bool,
    /// Live counts against the peer limits (and the shared message budget).
    pub admission: Arc<Admission>,
}

/// Builds the configuration: file + environment (adapter), then flags.
pub fn build_config(
    args: &ServeArgs,
) -> Result<(GuardConfig, Vec<wsguard::LintWarning>), Box<wsguard::ConfigError>> {
    // File, then environment, then flags; checked once by the core at the end, so a
    // flag (`--env development`) can make valid what the environment alone is not.
    let mut cfg = match args.config.as_deref() {
        Some(path) => GuardConfig::from_file(path).map_err(Box::new)?,
        None => GuardConfig::default(),
    };
    let mut warnings = cfg.apply_env(std::env::vars()).map_err(Box::new)?;
    cfg.origin.allowed.extend(args.allow.iter().cloned());
    if args.allow_missing_origin {
        cfg.origin.allow_missing = true;
    }
    if args.allow_null_origin {
        cfg.origin.allow_null = true;
    }
    if let Some(e) = args.env.as_deref().and_then(Environment::parse) {
        cfg.env = e;
    }
    cfg.host.allowed.extend(args.hosts.iter().cloned());
    if args.token.is_some() {
        cfg.token.required = true;
    }
    // The bypass flags only turn options on (the environment may already have).
    cfg.token.dev_auth_bypass |= args.dev_auth_bypass;
    cfg.token.dev_auth_bypass_allow_non_loopback |= args.dev_auth_bypass_allow_non_loopback;
    if let Some(m) = args.max_message {
        cfg.limits.max_message_bytes = m;
        cfg.limits.max_frame_bytes = cfg.limits.max_frame_bytes.max(m);
    }
    if let Some(s) = args.ping_interval {
        cfg.heartbeat.ping_interval_ms = (s * 1000.0) as u64;
    }
    if let Some(s) = args.pong_timeout {
        cfg.heartbeat.pong_timeout_ms = (s * 1000.0).max(1.0) as u64;
    }
    args.apply_limit_flags(&mut cfg);
    warnings.extend(cfg.check().map_err(Box::new)?);
    Ok((cfg, warnings))
}

/// Frame and heartbeat settings: decoder limits from the configuration, and the core
/// heartbeat configuration as the adapter derives it (`Guard::heartbeat`).
pub fn ws_settings(cfg: &GuardConfig, heartbeat: Option<HeartbeatConfig>) -> WsSettings {
    let decoder = DecoderConfig::server()
        .with_max_message(cfg.limits.max_message_bytes)
        .with_max_frame(cfg.limits.max_frame_bytes.min(cfg.limits.max_message_bytes));
    // Built with `--features simd`: the vectorised unmask (same bytes, see wsguard-simd).
    #[cfg(feature = "simd")]
    let decoder = decoder.with_unmasker(wsguard_simd::UNMASKER);
    WsSettings { decoder, heartbeat }
}

/// Runs the subcommand (blocks until Ctrl-C).
pub fn run(args: ServeArgs, color: ColorChoice) -> u8 {
    let err = Style::for_stderr(color);
    let (cfg, warnings) = match build_config(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{} {e}", err.bad("config error:"));
            return exit::USAGE;
        }
    };
    for w in &warnings {
        eprintln!(
            "{} {}: {} [{}]\n  {} {}",
            err.warn("warning:"),
            w.key,
            w.message,
            w.code,
            err.ok("fix:"),
            w.remedy
        );
    }
    // The development auth bypass: the core refuses a non-loopback --listen before any
    // socket is opened (the bound address is checked again in `Server::bind`).
    if let Err(r) = cfg.token.dev_auth().check_listen(&args.listen) {
        eprintln!(
            "{} refusing to start: --listen {}: {r}",
            err.bad("config error:"),
            wsguard_core::text::escaped(args.listen.as_bytes())
        );
        return exit::USAGE;
    }
    if cfg.token.dev_auth_bypass {
        eprintln!(
            "{} dev_auth_bypass is on: connections without a token are accepted and logged (development only)",
            err.warn("warning:")
        );
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{} cannot start the runtime: {e}", err.bad("error:"));
            return exit::NETWORK;
        }
    };
    rt.block_on(async move {
        let shutdown = shutdown_signal();
        let (tx, rx) = watch::channel(false);
        let server = match Server::bind(&args, cfg, rx).await {
            Ok(s) => s,
            Err(e) => {
                // A configuration the listen address makes unsafe (the development auth
                // bypass on a non-loopback address) is a config error, not a network one.
                if let Some(c) = e.get_ref().and_then(|i| i.downcast_ref::<wsguard::ConfigError>()) {
                    eprintln!("{} refusing to start: {c}", err.bad("config error:"));
                    return exit::USAGE;
                }
                eprintln!("{} cannot listen on {}: {e}", err.bad("error:"), args.listen);
                return exit::NETWORK;
            }
        };
        let addr = server.addr;
        // The first stdout line is machine-readable (tests and the demo parse it).
        println!(
            "wsguard serve listening on http://{addr}  (WebSocket: ws://{addr}{}, health: /health, metrics: /metrics)",
            args.paths.first().map(String::as_str).unwrap_or("/ws")
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let run = tokio::spawn(server.run());
        shutdown.await;
        eprintln!("shutting down: closing connections with 1001 going away");
        let _ = tx.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), run).await;
        exit::OK
    })
}

/// Installs the handlers for Ctrl-C (SIGINT) and, on Unix, SIGTERM — what `docker stop`,
/// Kubernetes and systemd send — *now*, and returns the wait for either, so that clients
/// get 1001 (going away) and reconnect, not 1006. (Installed lazily, on the future's first
/// poll, a signal right after start-up would still kill the process.)
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let int = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        async move {
            match (int, term) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A bound server, ready to run (used by `serve` and by `demo`).
pub struct Server {
    listener: Option<TcpListener>,
    /// The bound address.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    /// Binds and prepares the server with `cfg`'s peer limits (`[limits]`, after
    /// [`build_config`] applied the flags).
    pub async fn bind(
        args: &ServeArgs,
        cfg: GuardConfig,
        shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<Server> {
        let limits = cfg.limits.peer_limits();
        let mut last = None;
        let mut bound = None;
        for a in tokio::net::lookup_host(&args.listen).await? {
            match net::listen_with(
                a,
                args.backlog.unwrap_or(net::DEFAULT_BACKLOG),
                Some(limits.max_queued_output),
            ) {
                Ok(l) => {
                    bound = Some(l);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let listener = bound.ok_or_else(|| {
            last.unwrap_or_else(|| std::io::Error::other("the address resolved to nothing"))
        })?;
        let addr = listener.local_addr()?;
        let settings = ws_settings(&cfg, None);
        let guard = http::Gate::new(cfg, args.paths.clone(), args.token.clone())
            .map_err(|e| std::io::Error::other(*e))?;
        // The development auth bypass: the core's check of the bound address.
        guard
            .check_listen(&addr.to_string())
            .map_err(|e| std::io::Error::other(*e))?;
        let settings = WsSettings {
            heartbeat: guard.heartbeat_config(),
            ..settings
        };
        let admission = Arc::new(Admission::new(limits, guard.counters()));
        let shared = Arc::new(Shared {
            admission,
            counters: guard.counters(),
            guard,
            settings,
            handshake_timeout: Duration::from_millis(limits.handshake_timeout_ms),
            started: Instant::now(),
            active: AtomicU64::new(0),
            messages: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            pings: AtomicU64::new(0),
            pongs: AtomicU64::new(0),
            shutdown,
            quiet: args.quiet,
        });
        Ok(Server {
            listener: Some(listener),
            addr,
            shared,
        })
    }

    /// The counters this server records into.
    pub fn counters(&self) -> Arc<Counters> {
        self.shared.counters.clone()
    }

    /// Accepts connections until the shutdown signal. Over a peer limit the core's 503 is
    /// answered (or the socket closed); out of descriptors, accepting pauses.
    pub async fn run(mut self) {
        let mut shutdown = self.shared.shutdown.clone();
        let Some(listener) = self.listener.take() else {
            return;
        };
        let mut acceptor = net::Acceptor::new(listener, self.shared.admission.clone());
        loop {
            tokio::select! {
                (stream, peer) = acceptor.accept() => {
                    match self.shared.admission.try_admit(peer.ip()) {
                        Ok(permit) => {
                            let shared = self.shared.clone();
                            tokio::spawn(async move { http::handle(stream, peer, shared, permit).await });
                        }
                        Err(o) => net::refuse_stream(&self.shared.admission, stream, peer, o),
                    }
                }
                _ = shutdown.changed() => break,
            }
        }
        // Give connections a moment to send their 1001.
        let deadline = Instant::now() + Duration::from_secs(4);
        while self.shared.active.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_config(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wsguard-serve-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn limit_flags_override_the_file() {
        let path = temp_config(
            "limits.toml",
            "[limits]\nmax_connections = 50\nmax_per_address = 4\nretry_after_s = 9\nwrite_timeout_ms = 700\n",
        );
        let args = ServeArgs {
            config: Some(path),
            max_per_address: Some(7),
            handshake_timeout: Some(0.25),
            write_timeout: Some(0.0004),
            ..Default::default()
        };
        let (cfg, _) = build_config(&args).unwrap();
        let l = cfg.limits;
        assert_eq!(
            (
                l.max_connections,
                l.max_per_address,
                l.retry_after_s,
                l.handshake_timeout_ms,
                l.write_timeout_ms,
                l.max_upgrading
            ),
            (50, 7, 9, 250, 1, 1024)
        );
        // Without flags the file's values stand.
        let mut plain = GuardConfig::default();
        ServeArgs::default().apply_limit_flags(&mut plain);
        assert_eq!(plain, GuardConfig::default());
    }

    #[test]
    fn limit_flag_out_of_range_is_a_config_error() {
        let args = ServeArgs {
            max_connections: Some(0),
            ..Default::default()
        };
        let e = build_config(&args).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.code, e.value.as_deref()),
            ("limits.max_connections", "config_out_of_range", Some("0"))
        );
        assert_eq!(e.to_string(), "flag --max-connections: limits.max_connections = \"0\": 0 is below the allowed range 1 to 4294967295: 0 would refuse every connection [config_out_of_range] — fix: write a number from 1 to 4294967295");
        let args = ServeArgs {
            handshake_timeout: Some(0.0),
            ..Default::default()
        };
        assert_eq!(
            build_config(&args).unwrap_err().key,
            "limits.handshake_timeout_ms"
        );
    }
}
