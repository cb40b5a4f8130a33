//! # wsguard — the std adapter
//!
//! `wsguard-core` decides; this crate plugs those decisions into std servers and clients.
//! It holds no protocol rule of its own: every verdict, rejection response, diagnosis and
//! close-code meaning comes from the core.
//!
//! ## API summary (for the CLI and for servers)
//!
//! ```text
//! config   GuardConfig { env, origin{allowed,allow_null,allow_missing,dev_hosts}, host{allowed},
//!                        subprotocols{supported,required}, token{required,location,query_param,
//!                        subprotocol_pair: Option,subprotocol_prefix: Option (one of them; .subprotocol_form())}, limits{max_message_bytes,max_frame_bytes,
//!                        max_handshake_bytes, max_connections,max_per_address,max_upgrading,message_budget_bytes,
//!                        max_queued_output_bytes,write_timeout_ms,retry_after_s,handshake_timeout_ms},
//!                        heartbeat{ping_interval_ms,pong_timeout_ms,max_missed} }   (Serialize, Default)
//!          config::LimitSettings::peer_limits() -> wsguard_core::limits::PeerLimits   (Guard::peer_limits, Admission::for_guard)
//!            ::load(path: Option<&Path>) -> Result<LoadedConfig, ConfigError>     file, then WSGUARD_* env, then check
//!            ::load_from(path, env: impl IntoIterator<Item=(String,String)>)       same, env given (tests)
//!            ::from_file(&Path) / ::from_toml_str(text, ConfigSource) -> Result<GuardConfig, ConfigError>
//!            .apply_env(vars) -> Result<Vec<LintWarning>, ConfigError>          env overrides file
//!            .check() -> Result<Vec<LintWarning>, ConfigError>                  core pattern parse + core linter
//!            .source_of(key) -> ConfigSource
//!          LoadedConfig { config, warnings: Vec<LintWarning> }
//!          ConfigError  { source: ConfigSource, key, index: Option<usize>, value: Option<String>,
//!                         code: &'static str, reason: String, remedy: String }   Display = one line naming all
//!          LintWarning  { key, severity, code, message, remedy }  Display "warning: key: message [code] — fix: remedy"
//!                       (core linter findings of severity error fail the load as ConfigError)
//!          ConfigSource { File(PathBuf), Env(String), Inline }; Environment { Production, Development }
//!          config::TokenLocation { Header, Query, Subprotocol, Any }
//!          sections: config::{OriginSettings, HostSettings, SubprotocolSettings, TokenSettings,
//!                    LimitSettings, HeartbeatSettings} (owned; the core's TokenConfig/Limits/HeartbeatConfig are built from them)
//! counters Counters::new()  (Arc-shared; atomics only)
//!            .accepted() .refused(code: &'static str) .closed(code: u16) .heartbeat_timeout()
//!            .snapshot() -> CountersSnapshot (Serialize)  .to_prometheus() -> String  .to_json() -> String
//! errors   Failure { kind: FailureKind, code, reason, remedy, detail, close_code: Option<u16> }
//!            .close_info() -> core CloseInfo   .retry() -> "never"|"after_reauth"|…   .category()
//!            .disconnect() -> wsguard_core::reconnect::Disconnect
//!          classify_io_error(&io::Error) / classify_ws_error(&tungstenite::Error)
//!          classify_tls_error(&rustls::Error) / classify_close(code, reason) -> Failure
//!          FailureKind { Refused, Dns, Tls, Timeout, Reset, Protocol, HttpStatus(u16), Closed(u16), Io, Other }
//! guard    Guard::new(GuardConfig) -> Result<Guard, ConfigError>   ::with_counters(cfg, Arc<Counters>)
//!            .config() .counters() -> &Arc<Counters>  .websocket_config() -> tungstenite WebSocketConfig
//!            .heartbeat(now_ms) -> Option<wsguard_core::heartbeat::Heartbeat>   (None when pings are off)
//!            .accept<S: Read+Write>(S) -> Result<(WebSocket<S>, AcceptedRequest), AcceptError>  core reads/answers the head
//!            .callback() -> impl FnOnce(&Request, Response) -> Result<Response, ErrorResponse>  for accept_hdr
//!            .check_request(&http::Request<B>) / .check_raw(&[u8]) -> Result<AcceptedRequest, Refusal>
//!          AcceptedRequest { path, query, host, origin, subprotocol, token, token_source, response }   (Serialize; response = the core's 101 bytes, not serialised)
//!          Refusal  { status, code, reason, remedy, response: Vec<u8> }  .body() .to_error_response()
//!          AcceptError { Refused(Refusal), Incomplete, Io(io::Error), WebSocket(tungstenite::Error) }
//!          guard::request_to_bytes(&http::Request<B>) -> Vec<u8>
//! tokio    (feature "tokio") tokio::accept_async(&Guard, S) -> Result<(WebSocketStream<S>, AcceptedRequest), AcceptError>
//! client   client::connect(&ConnectOptions) -> Result<Connected, Box<Finding>>   url → dns → tcp → tls → upgrade,
//!            core handshake (follow-ups of an ambiguous refusal); ::connect_with_config(opts, core connection::Config)
//!          ConnectOptions::new(url) + pub fields { url, origin, token, token_placement, subprotocols,
//!                                                  timeout: Duration, echo: Option<String> (probe only), ca_file }
//!          TokenPlacement { Authorization, Query(name), SubprotocolPair(marker), SubprotocolPrefix(prefix) }
//!          Finding { step, code, what, cause, fix, http_status, close_code, server, follow_ups, remaining }
//!          Connected { socket: Socket, subprotocol, server, peer }
//!          Socket   driver over wsguard_core::connection::Connection (client role): .send(tungstenite::Message)
//!                   .read() -> Result<Message, SocketError> (pings/Close answered by the core) .close(Option<CloseFrame>)
//!                   .set_deadline(Option<Instant>) .connection() -> &Connection (ending, close_reason)
//!          SocketError { Timeout, Io, Protocol(core ProtocolError), Closed(core Ending), Refused, Unsupported }
//! probe    probe::probe(&ProbeOptions) -> Report          the client's steps, then ping → echo → close on its Socket
//!          ProbeOptions = client::ConnectOptions; probe::{TokenPlacement, Finding, Step, Outcome} re-exported
//!          Report { url, ok, steps: Vec<Step>, failure: Option<Finding>, peer, server, subprotocol,
//!                   rtt_ms, close_code, total_ms }  (Serialize)  .render_text() -> String  .step(name)
//!          Step { name: "url"|"dns"|"tcp"|"tls"|"upgrade"|"ping"|"echo"|"close", outcome: Ok|Failed|Skipped, ms, detail }
//! ```
//!
//! Every refusal is logged through `tracing` at `warn` with its code, status and reason.
#![deny(unsafe_code)]
#![warn(missing_docs)]
// Config errors are built once at load, and the tungstenite hook's error type is fixed by
// tungstenite: a large `Err` costs nothing on a hot path here.
#![allow(clippy::result_large_err)]

pub mod client;
pub mod config;
pub mod counters;
pub mod errors;
mod explain;
pub mod guard;
pub mod limits;
pub mod probe;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use config::{ConfigError, ConfigSource, Environment, GuardConfig, LintWarning, LoadedConfig};
pub use core_bind::OriginCheck;
pub use counters::{Counters, CountersSnapshot};
pub use errors::{Failure, FailureKind};
pub use guard::{AcceptError, AcceptedRequest, Guard, Refusal};

mod core_bind;
