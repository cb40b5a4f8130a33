//! Python value → byte/str conversions shared by every binding function.
//!
//! Header values arrive as `bytes` (ASGI), `str` (Django, `websockets`) or `bytearray`;
//! all are handed to the core as bytes, unchanged. Conversion never fails on content:
//! a `str` with lone surrogates is encoded with `surrogateescape` semantics so that the core
//! (not the binding) decides it is malformed.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::errors;

/// Bytes of a `str`, `bytes`, `bytearray` or `memoryview`-like object.
pub fn bytes_of<'a>(
    py: Python<'_>,
    obj: &'a Bound<'_, PyAny>,
    what: &str,
) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(match s.to_cow() {
            Ok(Cow::Borrowed(t)) => Cow::Borrowed(t.as_bytes()),
            Ok(Cow::Owned(t)) => Cow::Owned(t.into_bytes()),
            Err(_) => {
                let encoded = s.call_method1("encode", ("utf-8", "surrogateescape"))?;
                Cow::Owned(encoded.cast::<PyBytes>()?.as_bytes().to_vec())
            }
        });
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    Err(errors::invalid_input(
        py,
        "not_text_or_bytes",
        &format!("{what} must be str or bytes, not {}", type_name(obj)),
        "pass the header value as it arrived: bytes from ASGI scopes, str from other frameworks",
    ))
}

/// A Python `str` argument as Rust text.
pub fn str_of<'a>(py: Python<'_>, obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, str>> {
    if let Ok(s) = obj.cast::<PyString>() {
        if let Ok(t) = s.to_cow() {
            return Ok(t);
        }
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        if let Ok(t) = std::str::from_utf8(b.as_bytes()) {
            return Ok(Cow::Borrowed(t));
        }
    }
    Err(errors::invalid_input(
        py,
        "not_text",
        &format!("{what} must be a str (valid UTF-8), not {}", type_name(obj)),
        "pass a str",
    ))
}

/// A list of strings from any iterable except a lone `str`/`bytes` (a common slip:
/// `allow="https://a.com"` would otherwise become one pattern per character).
pub fn str_list(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Vec<String>> {
    let Some(obj) = obj else {
        return Ok(Vec::new());
    };
    if obj.is_none() {
        return Ok(Vec::new());
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(errors::invalid_input(
            py,
            "not_a_list",
            &format!("{what} must be a list of strings, not a single string"),
            &format!("wrap it in a list: {what}=[\"...\"]"),
        ));
    }
    let iter = obj.try_iter().map_err(|_| {
        errors::invalid_input(
            py,
            "not_a_list",
            &format!("{what} must be a list of strings"),
            "pass a list or tuple of str",
        )
    })?;
    let mut out = Vec::new();
    for item in iter {
        let item = item?;
        out.push(str_of(py, &item, what)?.into_owned());
    }
    Ok(out)
}

pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// Python-style repr of an optional value: `None` or the value's repr (`'text'`, `42`).
pub fn py_opt<T: std::fmt::Debug>(v: &Option<T>) -> String {
    match v {
        None => "None".to_owned(),
        Some(x) => format!("{x:?}").replace('"', "'"),
    }
}
