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
