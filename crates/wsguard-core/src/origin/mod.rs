//! Origin and Host policy, and the CORS responder built on the same policy.
//!
//! CONTRACT STUB — the origin helper replaces the bodies; the signatures below are what
//! the handshake module and the bindings call.

use crate::Diagnostic;

/// One allowed-origin pattern, parsed and checked once (`https://*.example.com`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern<'a> {
    raw: &'a str,
}

/// Why a pattern string is not a valid pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternError {
    /// Placeholder.
    Invalid,
}

impl<'a> Pattern<'a> {
    /// Parses a pattern.
    pub fn parse(raw: &'a str) -> Result<Self, PatternError> {
        Ok(Pattern { raw })
    }
}

/// The policy.
#[derive(Debug, Clone, Copy)]
pub struct OriginPolicy<'a> {
    patterns: &'a [Pattern<'a>],
    allow_null: bool,
    allow_missing: bool,
}

/// An origin that passed the policy (borrowed from the header value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'o> {
    /// The serialized origin as received.
    pub raw: &'o str,
}

/// Why an Origin was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginDenial {
    /// No Origin header.
    Missing,
    /// `Origin: null`.
    Null,
    /// Several Origin headers or a list.
    Multiple,
    /// Not allowed.
    NotAllowed,
}

impl Diagnostic for OriginDenial {
    fn code(&self) -> &'static str {
        "origin_not_allowed"
    }
    fn reason(&self) -> &'static str {
        "origin refused"
    }
    fn remedy(&self) -> &'static str {
        "add it"
    }
}

impl<'a> OriginPolicy<'a> {
    /// A policy allowing exactly `patterns`.
    pub const fn new(patterns: &'a [Pattern<'a>]) -> Self {
        OriginPolicy { patterns, allow_null: false, allow_missing: false }
    }
    /// Checks one Origin header value (`None`: header absent).
    pub fn check<'o>(&self, origin: Option<&'o [u8]>) -> Result<Origin<'o>, OriginDenial> {
        let _ = (self.patterns, self.allow_null, self.allow_missing);
        match origin {
            None => Err(OriginDenial::Missing),
            Some(o) => core::str::from_utf8(o).map(|raw| Origin { raw }).map_err(|_| OriginDenial::NotAllowed),
        }
    }
}

/// Host allowlist (DNS-rebinding defence). Empty: any Host.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostPolicy<'a> {
    allowed: &'a [&'a str],
}

/// Why a Host was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostDenial {
    /// Not in the allowlist.
    NotAllowed,
}

impl<'a> HostPolicy<'a> {
    /// A Host allowlist.
    pub const fn new(allowed: &'a [&'a str]) -> Self {
        HostPolicy { allowed }
    }
    /// Checks a Host header value.
    pub fn check(&self, host: &[u8]) -> Result<(), HostDenial> {
        let _ = host;
        if self.allowed.is_empty() { Ok(()) } else { Err(HostDenial::NotAllowed) }
    }
}
