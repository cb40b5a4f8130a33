//! The bindings, the std adapter and the CLI ask the core for protocol numbers (close
//! codes, the 426/431 statuses) instead of writing them: this test walks their sources
//! and fails on any occurrence not in `tests/protocol_numbers.baseline`.
//!
//! Skipped: comment and doc lines, everything from `#[cfg(test)]` / `def test_` on, the
//! C binding's unit tests (`tests.rs`) and its result-code table (`result.rs`, wsguard's
//! own numbers). The baseline lists what existed when the test was written (`path number
//! count`); it may only shrink. To fix a failure, use the core (`wsguard_core::close::
//! POLICY_VIOLATION`, `Rejection::close_code`, `CloseInfo::is_refusal`,
//! `Diagnosis::for_status` …); a number that truly is not the core's (a buffer size) does
//! not match the pattern.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ROOTS: [&str; 5] = [
    "bindings/c/src",
    "bindings/python/src",
    "bindings/python/python/wsguard",
    "crates/wsguard/src",
    "crates/wsguard-cli/src",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn is_protocol_number(n: u32) -> bool {
    (1000..=1015).contains(&n) || ((4000..=4999).contains(&n) && n != 4096) || n == 426 || n == 431
}

/// Decimal numbers standing alone (not part of a word, a float or a longer number).
fn numbers(line: &str) -> Vec<u32> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| b[j]);
            let after = b.get(i).copied();
            let word = |c: Option<u8>| {
                c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
            };
            if !word(before) && !word(after) {
                if let Ok(n) = line[start..i].parse() {
                    out.push(n);
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

fn scan(path: &Path, rel: &str, found: &mut BTreeMap<(String, u32), Vec<usize>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let py = rel.ends_with(".py");
    let mut in_doc = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("#[cfg(test)]") || t.starts_with("def test_") {
            return;
        }
        let code = if py {
            if t.starts_with("\"\"\"") || t.ends_with("\"\"\"") {
                if t.matches("\"\"\"").count() == 1 {
                    in_doc = !in_doc;
                }
                continue;
            }
            if in_doc || t.starts_with('#') {
                continue;
            }
            line.split(" # ").next().unwrap_or("")
        } else {
            if t.starts_with("//") || t.starts_with('*') || t.starts_with("/*") {
                continue;
            }
            line.split(" // ").next().unwrap_or("")
        };
        for n in numbers(code).into_iter().filter(|&n| is_protocol_number(n)) {
            found.entry((rel.to_string(), n)).or_default().push(i + 1);
        }
    }
}

fn walk(dir: &Path, base: &Path, found: &mut BTreeMap<(String, u32), Vec<usize>>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            walk(&p, base, found);
        } else if (name.ends_with(".rs") || name.ends_with(".py"))
            && name != "tests.rs"
            && !(name == "result.rs" && p.starts_with(base.join("bindings/c")))
        {
            let rel = p
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            scan(&p, &rel, found);
        }
    }
}

#[test]
fn no_new_protocol_numbers_outside_the_core() {
    let base = root().canonicalize().unwrap();
    let mut found = BTreeMap::new();
    for r in ROOTS {
        walk(&base.join(r), &base, &mut found);
    }
    let path = base.join("tests/protocol_numbers.baseline");
    if std::env::var_os("WSGUARD_WRITE_PROTOCOL_BASELINE").is_some() {
        let mut text = String::from(
            "# path number count — occurrences that predate the rule; may only shrink\n",
        );
        for ((p, n), lines) in &found {
            text.push_str(&format!("{p} {n} {}\n", lines.len()));
        }
        std::fs::write(&path, text).unwrap();
    }
    let baseline_text = std::fs::read_to_string(&path).unwrap();
    let mut baseline = BTreeMap::new();
    for line in baseline_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut it = line.split_whitespace();
        let (p, n, c) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        baseline.insert(
            (p.to_string(), n.parse::<u32>().unwrap()),
            c.parse::<usize>().unwrap(),
        );
    }
    let mut new = Vec::new();
    for ((path, n), lines) in &found {
        let allowed = baseline.get(&(path.clone(), *n)).copied().unwrap_or(0);
        if lines.len() > allowed {
            new.push(format!(
                "{path}: {n} at lines {lines:?} ({} allowed)",
                allowed
            ));
        }
    }
    assert!(
        new.is_empty(),
        "protocol numbers written outside the core (ask wsguard_core instead):\n{}",
        new.join("\n")
    );
    // The detector itself works.
    assert_eq!(numbers("code: 1008, x4401, 1.1008, 4429)"), [1008, 4429]);
}
