//! The policy linter: `lint_origins(...)` and `OriginPolicy.lint()`.

use pyo3::prelude::*;
use wsguard_core::origin::{lint, Finding, LintCode, LintContext, Preset};
use wsguard_core::Diagnostic;

use crate::convert::{str_list, str_of};
use crate::errors;

/// One mistake found in a list of allowed origins.
#[pyclass(module = "wsguard._wsguard", name = "LintFinding", frozen)]
pub struct LintFinding {
    /// Index of the entry in the list.
    #[pyo3(get)]
    index: usize,
    /// The entry as written.
    #[pyo3(get)]
    entry: String,
    /// Stable code (``"lint_ws_scheme"``, ``"lint_trailing_slash"`` ...).
    #[pyo3(get)]
    code: &'static str,
    /// ``"error"`` (never matches what was meant, or unsafe) or ``"warning"``.
    #[pyo3(get)]
    severity: &'static str,
    /// What is wrong.
    #[pyo3(get)]
    reason: &'static str,
    /// How to fix it.
    #[pyo3(get)]
    remedy: &'static str,
    /// What to write instead, when the linter can say (``"https://app.example.com"``).
    #[pyo3(get)]
    suggestion: Option<String>,
    /// Index of the other entry for ``lint_duplicate`` / ``lint_shadowed``.
    #[pyo3(get)]
    other: Option<usize>,
    /// For ``lint_invalid``: the pattern error code (``"pattern_wildcard"`` ...).
    #[pyo3(get)]
    pattern_error: Option<&'static str>,
    /// For ``lint_invalid`` with ``pattern_malformed``: the malformation sub-code.
    #[pyo3(get)]
    malformed: Option<&'static str>,
}

#[pymethods]
impl LintFinding {
    fn __repr__(&self) -> String {
        format!(
            "LintFinding(index={}, code={:?}, severity={:?}, entry={:?})",
            self.index, self.code, self.severity, self.entry
        )
    }
    fn __str__(&self) -> String {
        let mut s = format!(
            "{} #{} {:?}: {} ({})",
            self.severity, self.index, self.entry, self.reason, self.code
        );
        if let Some(sugg) = &self.suggestion {
            s.push_str(&format!("; write {sugg:?}"));
        } else {
            s.push_str(&format!("; {}", self.remedy));
        }
        s
    }
}

/// Runs the core linter over raw entries.
pub fn run(entries: &[&str], ctx: LintContext) -> Vec<LintFinding> {
    let mut cap = entries.len().saturating_mul(4).saturating_add(4);
    for _ in 0..3 {
        let mut out = vec![Finding::EMPTY; cap];
        let total = lint(entries, ctx, &mut out);
        if total <= cap {
            out.truncate(total);
            return out.iter().map(|f| convert(entries, f)).collect();
        }
        cap = total;
    }
    Vec::new()
}

fn convert(entries: &[&str], f: &Finding<'_>) -> LintFinding {
    let (pattern_error, malformed) = match f.kind {
        LintCode::Invalid(e) => (Some(e.code()), e.malformed().map(|m| m.code())),
        _ => (None, None),
    };
    LintFinding {
        index: f.index,
        entry: entries
            .get(f.index)
            .map(|e| (*e).to_owned())
            .unwrap_or_default(),
        code: f.code(),
        severity: f.severity.name(),
        reason: f.reason(),
        remedy: f.remedy(),
        suggestion: f.suggestion.map(|s| s.to_string()),
        other: f.other,
        pattern_error,
        malformed,
    }
}

/// Explains each mistake in a list of allowed-origin strings (works on entries that
/// do not parse, so it can run before ``OriginPolicy`` raises).
///
/// Args:
///     allow: the entries as written in your settings.
///     preset: ``"production"`` (default) or ``"development"``.
///     credentials: whether CORS credentials are on (``*`` is then an error).
///     allow_null, allow_missing: the policy's options (flagged in production; those
///         findings come after the entries' and have ``index == len(allow)``).
///     dev_auth_bypass: the server runs with the development auth bypass (an error,
///         ``lint_dev_auth_bypass_production``, in production; same index).
#[pyfunction]
#[pyo3(signature = (allow, *, preset = None, credentials = false, allow_null = false, allow_missing = false, dev_auth_bypass = false))]
#[allow(clippy::too_many_arguments)]
pub fn lint_origins(
    py: Python<'_>,
    allow: &Bound<'_, PyAny>,
    preset: Option<&Bound<'_, PyAny>>,
    credentials: bool,
    allow_null: bool,
    allow_missing: bool,
    dev_auth_bypass: bool,
) -> PyResult<Vec<LintFinding>> {
    let entries = str_list(py, Some(allow), "allow")?;
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    let preset = match preset {
        Some(p) if !p.is_none() => {
            let name = str_of(py, p, "preset")?;
            Preset::from_name(&name).ok_or_else(|| {
                errors::invalid_input(
                    py,
                    "preset_unknown",
                    &format!("unknown preset {name:?}"),
                    "use preset=\"development\" or preset=\"production\" / None",
                )
            })?
        }
        _ => Preset::Production,
    };
    Ok(run(
        &refs,
        LintContext {
            preset,
            credentials,
            allow_null,
            allow_missing,
            dev_auth_bypass,
        },
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<LintFinding>()?;
    m.add_function(wrap_pyfunction!(lint_origins, m)?)?;
    Ok(())
}
