//! The policy linter: explains mistakes in a list of raw allowed-origin strings.

use crate::ffi::{non_null, text, wsguard_str};
use crate::origin::{
    slice_of, ALL_FLAGS, WSGUARD_POLICY_ALLOW_MISSING, WSGUARD_POLICY_ALLOW_NULL,
    WSGUARD_POLICY_DEVELOPMENT,
};
use crate::result::{guard, wsguard_result};
use core::ffi::c_char;
use wsguard_core::origin::{lint, Finding, LintCode, LintContext, Preset, Severity};
use wsguard_core::Diagnostic;

/// Most entries one lint call takes.
pub const WSGUARD_LINT_MAX_ENTRIES: usize = 64;
/// Lint-only flag of `wsguard_origin_lint`: the server runs with the development auth
/// bypass (`wsguard_server_options.dev_auth_bypass`); in production that is the error
/// `lint_dev_auth_bypass_production`.
pub const WSGUARD_LINT_DEV_AUTH_BYPASS: u32 = 1 << 8;
const MAX_FINDINGS: usize = 256;

/// One finding of `wsguard_origin_lint`. Static strings live forever; `suggestion_middle`
/// points into the entry you passed.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_lint_finding {
    /// Index of the entry the finding is about.
    pub index: usize,
    /// Stable code (`lint_trailing_slash`, `lint_duplicate` …).
    pub code: wsguard_str,
    /// `error` or `warning`.
    pub severity: wsguard_str,
    /// What is wrong.
    pub reason: wsguard_str,
    /// What to do.
    pub remedy: wsguard_str,
    /// `other` is set (for `lint_duplicate` / `lint_shadowed`).
    pub has_other: bool,
    /// The other entry involved.
    pub other: usize,
    /// A suggestion exists: write `prefix + middle + suffix` instead.
    pub has_suggestion: bool,
    /// Suggestion: static text before.
    pub suggestion_prefix: wsguard_str,
    /// Suggestion: a piece of your entry.
    pub suggestion_middle: *const c_char,
    /// Length of `suggestion_middle`.
    pub suggestion_middle_len: usize,
    /// Suggestion: static text after.
    pub suggestion_suffix: wsguard_str,
    /// For `lint_invalid`: the pattern error code (`pattern_no_scheme` …); else empty.
    pub pattern_code: wsguard_str,
    /// For `lint_invalid` of a malformed pattern: the malformation sub-code; else empty.
    pub malformed: wsguard_str,
}

fn finding_to_c(f: &Finding<'_>) -> wsguard_lint_finding {
    let (pattern_code, malformed) = match f.kind {
        LintCode::Invalid(e) => (
            wsguard_str::from_static(e.code()),
            e.malformed()
                .map(|m| wsguard_str::from_static(m.code()))
                .unwrap_or(wsguard_str::EMPTY),
        ),
        _ => (wsguard_str::EMPTY, wsguard_str::EMPTY),
    };
    let (p, m, s) = match f.suggestion {
        Some(s) => (
            wsguard_str::from_static(s.prefix),
            s.middle,
            wsguard_str::from_static(s.suffix),
        ),
        None => (wsguard_str::EMPTY, "", wsguard_str::EMPTY),
    };
    wsguard_lint_finding {
        index: f.index,
        code: wsguard_str::from_static(f.code()),
        severity: wsguard_str::from_static(match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }),
        reason: wsguard_str::from_static(f.reason()),
        remedy: wsguard_str::from_static(f.remedy()),
        has_other: f.other.is_some(),
        other: f.other.unwrap_or(0),
        has_suggestion: f.suggestion.is_some(),
        suggestion_prefix: p,
        suggestion_middle: m.as_ptr().cast(),
        suggestion_middle_len: m.len(),
        suggestion_suffix: s,
        pattern_code,
        malformed,
    }
}

/// Lints raw allowed-origin entries (`entries[i]`, `lens[i]` bytes, `count` at most
/// `WSGUARD_LINT_MAX_ENTRIES`) for the policy flags in `flags` (the same as
/// `wsguard_origin_policy`'s: `WSGUARD_POLICY_DEVELOPMENT` or 0 for production, plus
/// `WSGUARD_POLICY_ALLOW_NULL` / `WSGUARD_POLICY_ALLOW_MISSING`, which production flags,
/// and `WSGUARD_LINT_DEV_AUTH_BYPASS`, an error in production) and with CORS `credentials`
/// on or off. Findings about these options come after the entries' and carry
/// `index == count`.
///
/// Writes the first `findings_cap` findings into `findings` (in entry order; may be NULL
/// when `findings_cap == 0`) and the total number found into `*count_out` (it may exceed
/// `findings_cap`). Findings are not failures: the result is `WSGUARD_RESULT_OK` unless an
/// argument is bad. A `findings_cap` whose array would exceed `PTRDIFF_MAX` bytes
/// (`findings_cap * sizeof(wsguard_lint_finding)`; e.g. `SIZE_MAX`) cannot be a real array:
/// `WSGUARD_RESULT_INVALID_LENGTH`, nothing written. Allocates nothing.
///
/// # Safety
/// `entries` and `lens` point to `count` elements, each entry to its length in bytes;
/// `findings` to `findings_cap` writable elements; `count_out` writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_origin_lint(
    entries: *const *const c_char,
    lens: *const usize,
    count: usize,
    flags: u32,
    credentials: bool,
    findings: *mut wsguard_lint_finding,
    findings_cap: usize,
    count_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(count_out)?;
        if count > WSGUARD_LINT_MAX_ENTRIES {
            return Err(wsguard_result::CapacityExceeded);
        }
        if flags & !(ALL_FLAGS | WSGUARD_LINT_DEV_AUTH_BYPASS) != 0 {
            return Err(wsguard_result::InvalidArgument);
        }
        if findings_cap > isize::MAX as usize / core::mem::size_of::<wsguard_lint_finding>() {
            // No array of that many elements can exist (the same rule as any length).
            return Err(wsguard_result::InvalidLength);
        }
        if findings.is_null() && findings_cap != 0 {
            return Err(wsguard_result::NullArgument);
        }
        let ptrs = unsafe { slice_of(entries, count)? };
        let lens = unsafe { slice_of(lens, count)? };
        let mut raw = [""; WSGUARD_LINT_MAX_ENTRIES];
        for ((slot, p), n) in raw.iter_mut().zip(ptrs.iter()).zip(lens.iter()) {
            *slot = unsafe { text(*p, *n)? };
        }
        let preset = if flags & WSGUARD_POLICY_DEVELOPMENT != 0 {
            Preset::Development
        } else {
            Preset::Production
        };
        let mut out = [Finding::EMPTY; MAX_FINDINGS];
        let total = lint(
            raw.get(..count).unwrap_or(&[]),
            LintContext {
                preset,
                credentials,
                allow_null: flags & WSGUARD_POLICY_ALLOW_NULL != 0,
                allow_missing: flags & WSGUARD_POLICY_ALLOW_MISSING != 0,
                dev_auth_bypass: flags & WSGUARD_LINT_DEV_AUTH_BYPASS != 0,
            },
            &mut out,
        );
        let n = total.min(findings_cap).min(MAX_FINDINGS);
        for (i, f) in out.iter().take(n).enumerate() {
            // SAFETY: i < findings_cap, checked non-NULL above when findings_cap > 0.
            unsafe { findings.add(i).write(finding_to_c(f)) };
        }
        unsafe { count_out.write(total) };
        Ok(())
    })
}
