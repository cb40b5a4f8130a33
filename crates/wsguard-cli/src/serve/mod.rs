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
    /// Time allowed for the upgrade request to arrive, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub handshake_timeout: f64,
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
    warnings.extend(cfg.check().map_err(Box::new)?);
    Ok((cfg, warnings))
}

/// Frame and heartbeat settings: decoder limits from the configuration, and the core
/// heartbeat configuration as the adapter derives it (`Guard::heartbeat`).
pub fn ws_settings(cfg: &GuardConfig, heartbeat: Option<HeartbeatConfig>) -> WsSettings {
    let decoder = DecoderConfig::server()
        .with_max_message(cfg.limits.max_message_bytes)
        .with_max_frame(cfg.limits.max_frame_bytes.min(cfg.limits.max_message_bytes));
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
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("shutting down: closing connections with 1001 going away");
        let _ = tx.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), run).await;
        exit::OK
    })
}

/// A bound server, ready to run (used by `serve` and by `demo`).
pub struct Server {
    listener: TcpListener,
    /// The bound address.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    /// Binds and prepares the server.
    pub async fn bind(
        args: &ServeArgs,
        cfg: GuardConfig,
        shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<Server> {
        let listener = TcpListener::bind(&args.listen).await?;
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
        let shared = Arc::new(Shared {
            counters: guard.counters(),
            guard,
            settings,
            handshake_timeout: Duration::from_secs_f64(args.handshake_timeout.max(0.1)),
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
            listener,
            addr,
            shared,
        })
    }

    /// The counters this server records into.
    pub fn counters(&self) -> Arc<Counters> {
        self.shared.counters.clone()
    }

    /// Accepts connections until the shutdown signal.
    pub async fn run(self) {
        let mut shutdown = self.shared.shutdown.clone();
        loop {
            tokio::select! {
                r = self.listener.accept() => match r {
                    Ok((stream, peer)) => {
                        let _ = stream.set_nodelay(true);
                        let shared = self.shared.clone();
                        tokio::spawn(async move { http::handle(stream, peer, shared).await });
                    }
                    Err(e) => {
                        // EMFILE and friends: back off briefly instead of spinning.
                        eprintln!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
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
