//! Stable replay of every committed input (`make test`, no nightly, no libFuzzer):
//! `corpus/<target>/*` and `regressions/<target>/*` through the same target functions
//! the libFuzzer binaries call. One test per target, so a failure names the target; the
//! panic message names the file.

use std::path::Path;

fn replay(target: &str) {
    let (_, body) = wsguard_fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no target {target}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0usize;
    let mut failures = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        for file in files {
            if file.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) || file.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let data = std::fs::read(&file).expect("read input");
            if std::panic::catch_unwind(|| body(&data)).is_err() {
                failures.push(format!("{} (input hex {})", file.display(), hex(&data)));
            }
            count += 1;
        }
    }
    // an empty corpus would make this test pass without running anything
    assert!(count > 0, "{target}: no committed inputs in corpus/{target} or regressions/{target}");
    println!("{target}: {count} inputs replayed, {} failed", failures.len());
    assert!(failures.is_empty(), "{target}: {} of {count} inputs fail:\n{}", failures.len(), failures.join("\n"));
}

fn hex(d: &[u8]) -> String {
    d.iter().take(256).map(|b| format!("{b:02x}")).collect()
}

macro_rules! replay_tests {
    ($($name:ident),* $(,)?) => { $( #[test] fn $name() { replay(stringify!($name)); } )* };
}

replay_tests!(
    origin, cors, lint, handshake_server, handshake_client, frame_server, frame_client,
    frame_tungstenite, utf8, close, url, c_api, connection, unmask_simd, head_tracker,
);

#[test]
fn every_target_has_a_test_and_a_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let here = std::fs::read_to_string(root.join("tests/replay.rs")).expect("replay.rs");
    for (name, _) in wsguard_fuzz::TARGETS {
        assert!(root.join(format!("fuzz_targets/{name}.rs")).is_file(), "fuzz_targets/{name}.rs missing");
        assert!(manifest.contains(&format!("name = \"{name}\"")), "no [[bin]] {name}");
        assert!(here.contains(&format!(" {name},")) || here.contains(&format!(" {name}\n")), "no replay test for {name}");
    }
}

/// tests/vectors/regressions.json describes every reproducer in `regressions/` (the
/// language-neutral copy other runners read); both must hold the same bytes.
#[test]
fn regressions_json_matches_the_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("../tests/vectors/regressions.json")).expect("regressions.json");
    let mut listed = Vec::new();
    // a tiny scan instead of a JSON parser: every case has "target", "file" and "input_hex"
    for case in text.split("\"name\":").skip(1) {
        let field = |k: &str| {
            let at = case.find(&format!("\"{k}\": \"")).unwrap_or_else(|| panic!("case without {k}")) + k.len() + 5;
            case[at..].split('"').next().expect("value").to_string()
        };
        let (target, file, hex_in) = (field("target"), field("file"), field("input_hex"));
        let data = std::fs::read(root.join("regressions").join(&target).join(&file))
            .unwrap_or_else(|e| panic!("regressions/{target}/{file}: {e}"));
        assert_eq!(hex(&data), hex_in.chars().take(512).collect::<String>(), "regressions/{target}/{file} differs from regressions.json");
        listed.push(format!("{target}/{file}"));
    }
    for (name, _) in wsguard_fuzz::TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join("regressions").join(name)) else { continue };
        for e in entries.filter_map(Result::ok) {
            let f = format!("{name}/{}", e.file_name().to_string_lossy());
            assert!(listed.contains(&f), "regressions/{f} is not described in tests/vectors/regressions.json");
        }
    }
}
