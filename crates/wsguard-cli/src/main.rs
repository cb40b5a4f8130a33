//! `wsguard` — the command line face of wsguard.
//!
//! ```text
//! wsguard serve          a guarded echo server (health + Prometheus metrics on the same port)
//! wsguard probe URL      connect like a client would and explain what went wrong
//! wsguard explain CODE   what a close code (1006, 4401 …) or an upgrade HTTP status (403 …) means
//! wsguard check-origin   would this policy let this Origin in, and why
//! wsguard lint FILE      mistakes in a policy / config file
//! wsguard demo           a guided tour: server + five probes, each diagnosed
//! ```
//!
//! Every decision comes from `wsguard-core` (directly or through the `wsguard` adapter);
//! this crate parses arguments, does the I/O and renders the answers for people (colour
//! on a terminal) and machines (`--json`).
#![deny(unsafe_code)]

mod check_origin;
mod demo;
mod explain;
mod lint;
mod policy;
mod probe;
mod progress;
mod serve;
mod style;

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use style::ColorChoice;

/// Exit statuses shared by the subcommands (also listed in `wsguard --help`).
pub mod exit {
    /// Success: allowed / connected / no findings.
    pub const OK: u8 = 0;
    /// The verdict is negative: refused, denied, lint errors, probe diagnosed a refusal.
    pub const REFUSED: u8 = 1;
    /// Bad usage or unreadable input (clap uses 2 too).
    pub const USAGE: u8 = 2;
    /// Network failure: nothing listening, DNS, TLS, timeout.
    pub const NETWORK: u8 = 3;
    /// The server answered but broke the protocol (bad accept key, bad frames …).
    pub const PROTOCOL: u8 = 4;
}

#[derive(Parser, Debug)]
#[command(
    name = "wsguard",
    version,
    about = "WebSocket guard: validate upgrades, explain close codes, probe servers",
    long_about = "wsguard validates WebSocket upgrades (Origin, Host, token, version, key), explains \
                  close codes and refused upgrades in plain words, and probes servers the way a \
                  browser would.",
    after_help = "Exit status: 0 ok/allowed, 1 refused/denied/lint errors, 2 usage, 3 network failure, 4 protocol error.\n\
                  Run `wsguard demo` for a two-minute tour."
)]
struct Cli {
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a guarded echo server (GET /health, GET /metrics on the same port).
    Serve(serve::ServeArgs),
    /// Connect to a WebSocket URL and diagnose the result.
    Probe(probe::ProbeArgs),
    /// Explain a close code (1000–4999 …) or an HTTP status met during an upgrade (100–599).
    Explain(explain::ExplainArgs),
    /// Decide whether a policy allows an Origin, and why.
    CheckOrigin(check_origin::CheckOriginArgs),
    /// Lint a policy or config file (TOML).
    Lint(lint::LintArgs),
    /// Start a guarded server on a free loopback port and probe it five ways.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Serve(a) => serve::run(a, cli.color),
        Command::Probe(a) => probe::run(a, cli.color),
        Command::Explain(a) => explain::run(a, cli.color),
        Command::CheckOrigin(a) => check_origin::run(a, cli.color),
        Command::Lint(a) => lint::run(a, cli.color),
        Command::Demo(a) => demo::run(a, cli.color),
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
