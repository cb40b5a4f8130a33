//! Target `lint`: the policy linter over arbitrary allowed-origin lists.
//!
//! Input: `[flags][entry \n entry \n …]` (at most 16 entries, read as UTF-8 with
//! replacement characters). Flags: bit 0 development preset, bit 1 credentials.
//!
//! Checked: the total count does not depend on the size of the output array, and a
//! smaller array receives a prefix of the same findings; every finding points at an
//! existing entry (`index`, `other`), has the severity its code says and a complete
//! `Diagnostic`; findings come in entry order; applying a suggestion fixes that finding:
//! the suggested text, linted alone, does not get the same code again.
//! Deliberate differences: none.

use crate::util::{check_diagnostic, fields};
use wsguard_core::origin::{lint, Finding, LintContext, Preset};
use wsguard_core::Diagnostic;

/// The target body.
pub fn fuzz_lint(data: &[u8]) {
    let [flags, rest @ ..] = data else { return };
    let text = String::from_utf8_lossy(rest);
    let entries: Vec<&str> = fields(text.as_bytes(), b'\n', 16)
        .into_iter()
        .map(|f| std::str::from_utf8(f).expect("split on ASCII keeps UTF-8"))
        .collect();
    let ctx = LintContext {
        preset: if flags & 1 != 0 { Preset::Development } else { Preset::Production },
        credentials: flags & 2 != 0,
        allow_null: flags & 4 != 0,
        allow_missing: flags & 8 != 0,
        dev_auth_bypass: flags & 16 != 0,
    };
    let mut big = vec![Finding::EMPTY; 256];
    let total = lint(&entries, ctx, &mut big);
    assert!(total <= big.len(), "more than 256 findings for {} entries", entries.len());
    let found = &big[..total];
    for small in [0usize, 1, 3] {
        let mut out = vec![Finding::EMPTY; small];
        assert_eq!(lint(&entries, ctx, &mut out), total, "count depends on the output size");
        let k = small.min(total);
        assert_eq!(&out[..k], &found[..k], "a small output is not a prefix");
    }
    let mut last = 0usize;
    for f in found {
        // Findings about the policy's options (allow_null, allow_missing, credentials)
        // belong to no entry: their index is the number of entries.
        assert!(f.index <= entries.len(), "finding index {} out of range", f.index);
        assert!(f.index >= last, "findings not in entry order");
        last = f.index;
        if let Some(o) = f.other {
            assert!(o < entries.len() && o != f.index, "finding `other` {o} invalid");
        }
        assert_eq!(f.severity, f.kind.severity());
        check_diagnostic(f);
        if let Some(s) = f.suggestion {
            let fix = s.to_string();
            let mut again = vec![Finding::EMPTY; 32];
            let n = lint(&[fix.as_str()], ctx, &mut again);
            assert!(
                !again[..n.min(32)].iter().any(|g| g.code() == f.code()),
                "suggestion {fix:?} for {:?} still gets {}",
                entries[f.index],
                f.code()
            );
        }
    }
}
