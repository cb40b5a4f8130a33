//! # wsguard-core
//!
//! The single source of truth of wsguard: a `#![no_std]`, allocation-free WebSocket
//! validator that every tier of a real-time stack (Rust servers, Python backends, C
//! gateways, microcontrollers) calls to get the same verdict and the same reason.
//!
//! ## Layers
//!
//! | module | what it answers |
//! |---|---|
//! | [`origin`] | Is this `Origin` / `Host` allowed? Which CORS headers go back? Is the policy itself sane? |
//! | [`handshake`] | Is this HTTP upgrade request valid (server side)? Did the server accept ours, and if not, why (client side)? |
//! | [`close`] | What does close code `N` mean, who sends it, what fixes it, should the client retry? |
//! | [`frame`] | Streaming frame decoder/encoder, in-place unmasking, incremental UTF-8. |
//! | [`heartbeat`], [`reconnect`] | Ping/pong and backoff state machines driven by caller-supplied time. |
//! | [`connection`] | One open WebSocket, sans-IO, both roles: bytes in → events, control frames out, timeouts from caller time. |
//! | [`url`] | ws/wss URL parsing, page-URL → socket-URL derivation, mixed content. |
//! | [`limits`] | How many peers, from where, how much buffered memory, how slow a reader — and the 503 when over. |
//! | [`text`] | Network text escaped for logs and terminals; config text checked for control characters. |
//!
//! ## Conventions
//!
//! * Input is borrowed; output goes into caller-supplied buffers. Nothing allocates.
//! * "Need more bytes" is a [`Status::Partial`], never an error.
//! * Every rejection implements [`Diagnostic`]: a stable machine [`code`](Diagnostic::code),
//!   a sentence a person understands ([`reason`](Diagnostic::reason)) and the fix
//!   ([`remedy`](Diagnostic::remedy)).
//! * The caller passes time in; the library never reads a clock or a socket.
//!
//! ## Stack and flash on a microcontroller
//!
//! Worst-case stack of the main entry points on a Cortex-M4F (thumbv7em-none-eabihf,
//! `opt-level = "z"`, LTO), measured by `scripts/size.sh` from the function prologues
//! along the deepest call path; the caller owns the buffers. For the async drivers of
//! [`io`](crate#features) the figure includes the future, which an embassy task keeps
//! in its static task storage rather than on the stack.
//!
//! | entry point | worst-case stack (bytes) |
//! |---|---:|
//! | [`handshake::write_request`] | 332 |
//! | [`handshake::validate_response`] | 1 752 |
//! | [`handshake::validate_request`] + [`handshake::write_accept_response`] | 2 016 |
//! | [`handshake::parse_request`] with 16 header slots + [`handshake::validate_head`] + 101 | 1 904 |
//! | [`frame::Decoder::decode`] | 344 |
//! | [`frame::encoder::write_frame`] | 280 |
//! | `io::connect` (future included) | 4 280 |
//! | `io::WebSocket::read` + `send_binary` (future included) | 2 448 |
//! | `io::accept` (future included) | 5 040 |
//!
//! `httparse` parses the head into a header array: [`handshake::validate_request`] and
//! [`handshake::validate_response`] keep one of [`handshake::MAX_HEADERS`] = 64 slots
//! (16 bytes each on a 32-bit target, 1 KiB) in a frame that is gone before the policy
//! checks run; a device that allows fewer headers passes its own, smaller array to
//! [`handshake::parse_request`]. Budget about 5 KiB for the task that connects or
//! accepts and 2.5 KiB once the connection is open (mostly the future, which embassy
//! keeps in static task storage). Flash: a client that writes the
//! request, validates the 101 and decodes frames is 13,672 bytes of `.text` (BENCHMARKS.md
//! §3 has the comparison with `embedded-websocket` and what each dependency costs).
//! No entry point recurses.
//!
//! The HTTP head is `httparse`'s (no default features); the accept key is `sha1_smol` and
//! `base64` (no default features); fixed-capacity storage is `heapless`.
//!
//! ## Features
//!
//! `embedded-io-async` adds `io`: an async client (`io::connect`) and a device-side
//! server (`io::accept`) over any `embedded_io_async::{Read, Write}`; `defmt` implements
//! `defmt::Format` on every public error and verdict type. No feature is on by default.
//!
//! ```
//! use wsguard_core::origin::{OriginPolicy, Pattern};
//!
//! let patterns = [Pattern::parse("https://*.example.com").unwrap()];
//! let policy = OriginPolicy::new(&patterns);
//! assert!(policy.check(Some(b"https://app.example.com")).is_ok());
//! assert!(policy.check(Some(b"https://evil-example.com")).is_err());
//! ```
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(test)]
extern crate std;

pub mod close;
pub mod connection;
mod diag;
pub mod explain;
pub mod frame;
pub mod handshake;
pub mod heartbeat;
mod hostname;
#[cfg(feature = "embedded-io-async")]
pub mod io;
pub mod limits;
pub mod origin;
pub mod reconnect;
pub mod text;
pub mod url;
mod write;

pub use diag::Diagnostic;
pub use write::{write_growing, BufferTooSmall, Cursor, TooSmall};

/// Result of an incremental parse: either a complete value or "feed me more bytes".
///
/// Like `httparse::Status`, running out of input is not an error.
///
/// ```
/// use wsguard_core::Status;
/// let s: Status<u8> = Status::Partial;
/// assert!(s.is_partial());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status<T> {
    /// The value is complete.
    Complete(T),
    /// The input ended before the value did; call again with more bytes.
    Partial,
}

impl<T> Status<T> {
    /// `true` for [`Status::Partial`].
    pub fn is_partial(&self) -> bool {
        matches!(self, Status::Partial)
    }
    /// `true` for [`Status::Complete`].
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }
    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(v) => Some(v),
            Status::Partial => None,
        }
    }
}

/// The README's examples, compiled and run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
