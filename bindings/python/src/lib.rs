//! # wsguard-python — the native half of the `wsguard` Python package
//!
//! Built by maturin as the private module `wsguard._wsguard`; the pure-Python package
//! `wsguard` (in `python/wsguard/`) re-exports it and holds the framework integrations
//! (ASGI middleware, Django Channels validators, the `websockets` hook).
//!
//! This crate only translates types: Python values in, core calls, Python values out.
//! Every protocol rule lives in `wsguard-core`. Errors become the exception classes of
//! `wsguard/_errors.py` (imported by the `errors` module); no input the core rejects can panic
//! (and pyo3 turns any panic into a Python exception rather than aborting).

use pyo3::prelude::*;

mod borrowed;
mod client;
mod close;
mod connection;
mod convert;
mod dev_auth;
mod errors;
mod explain;
mod frame;
mod guard;
mod handshake;
mod head_writer;
mod limits;
mod lint;
mod metrics;
mod origin;
mod refusal;
mod timing;
mod url;

/// The native module. Its public names are re-exported by `wsguard/__init__.py`.
#[pymodule]
fn _wsguard(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    close::register(m)?;
    origin::register(m)?;
    handshake::register(m)?;
    lint::register(m)?;
    url::register(m)?;
    frame::register(m)?;
    timing::register(m)?;
    client::register(m)?;
    guard::register(m)?;
    connection::register(m)?;
    explain::register(m)?;
    dev_auth::register(m)?;
    limits::register(m)?;
    refusal::register(m)?;
    metrics::register(m)?;
    Ok(())
}
