//! Every file in tests/vectors is run by a Rust test: a test source of this crate must
//! name it (`"<file>.json"` or a path ending in it), so a new vector file is never silently skipped. (The C and
//! Python runners have the same check.)

#[test]
fn every_vector_file_has_a_rust_runner() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors");
    let tests = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let sources: Vec<String> = std::fs::read_dir(tests)
        .expect("tests dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs") && !p.ends_with("vectors_coverage.rs"))
        .map(|p| std::fs::read_to_string(p).expect("read test source"))
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(root)
        .expect("vector dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !sources.iter().any(|s| s.contains(&format!("{f}\""))))
        .collect();
    assert!(
        missing.is_empty(),
        "vector files no Rust test runs: {missing:?}"
    );
}

/// The external files (tests/vectors/README.md, "External suites") keep their provenance:
/// a pinned revision per file, the source file of every case, a wsguard code for every
/// failure (never the converter's `?` placeholder), and every `disagreement` explained in
/// the file's `disagreements`. The number of disagreeing cases may only shrink.
#[test]
fn external_files_keep_provenance_and_a_short_disagreement_list() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors");
    let mut disagreeing = 0;
    let mut files = 0;
    for entry in std::fs::read_dir(root).expect("vector dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if !(name.starts_with("external-") && name.ends_with(".json")) {
            continue;
        }
        files += 1;
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let rev = doc["source"]["revision"].as_str().unwrap_or("");
        assert!(
            rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}: source.revision {rev:?}"
        );
        let explained = doc.get("disagreements").and_then(|d| d.as_object());
        let mut used = std::collections::BTreeSet::new();
        for case in doc["cases"].as_array().expect("cases") {
            let case_name = case["name"].as_str().unwrap_or("?");
            assert!(
                case["source"]["file"].is_string(),
                "{name}/{case_name}: no source.file"
            );
            assert_ne!(
                case["expect"]["code"], "?",
                "{name}/{case_name}: no wsguard code"
            );
            if let Some(key) = case.get("disagreement").and_then(|d| d.as_str()) {
                assert!(
                    explained.is_some_and(|e| e.contains_key(key)),
                    "{name}/{case_name}: disagreement {key} is not explained"
                );
                used.insert(key.to_owned());
                disagreeing += 1;
            }
        }
        for key in explained.into_iter().flat_map(|e| e.keys()) {
            assert!(used.contains(key), "{name}: disagreement {key} is unused");
        }
    }
    assert!(files >= 11, "{files} external files");
    assert!(
        disagreeing <= 19,
        "{disagreeing} disagreeing cases: the list only shrinks (a new one needs its line in \
         tests/vectors/README.md and this bound raised with the reason)"
    );
}
