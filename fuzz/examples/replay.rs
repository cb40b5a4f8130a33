//! Runs one target's body on the given files and lists the ones that fail (panic), on
//! stable Rust. Used to check a crash file or to drop from a merged corpus the inputs that
//! still hit an open finding (those live in `regressions/`).
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --no-default-features --release \
//!         --example replay -- <target> <file>...
//!
//! Prints `FAIL <file>` per failing input and exits 1 when any failed; with
//! `REPLAY_VERBOSE=1` the panic messages are shown too.

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().expect("usage: replay <target> <file>...");
    let (_, body) = wsguard_fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no target {target}"));
    if std::env::var_os("REPLAY_VERBOSE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let mut failed = 0usize;
    let mut total = 0usize;
    for file in args {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        total += 1;
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            println!("FAIL {file}");
            failed += 1;
        }
    }
    eprintln!("{target}: {total} inputs, {failed} failed");
    std::process::exit(i32::from(failed > 0));
}
