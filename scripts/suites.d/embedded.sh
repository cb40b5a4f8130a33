# Microcontroller clients (issue 7): the async drivers of wsguard-core (feature
# embedded-io-async) — unit and doc tests; host tests on tokio through embedded-io-adapters
# against Python `websockets` (server and client), a plain HTTP server and `wsguard serve`;
# the split halves (io::split) and the embassy example's tasks on the host; the embassy
# example built and linted for thumbv7em-none-eabihf; the firmware example and the
# code-size programs built for thumbv7em-none-eabihf
# (sizes printed for information; only a build failure fails).
embedded_host() {
  local tdir=${CARGO_TARGET_DIR:-$ROOT/target}
  cargo build -p wsguard-cli || return 1
  WSGUARD_BIN="$tdir/debug/wsguard" \
    cargo test --manifest-path tests/embedded-host/Cargo.toml --target-dir "$tdir/embedded-host"
}
# The embassy example (issue 16 item 4): build and clippy for thumbv7em-none-eabihf, a
# linked cortex-m-rt image (vector table present), its .text/.rodata printed (recorded in
# BENCHMARKS.md), and the guide's snippets checked to be excerpts of code built here.
# Ends with `embassy: N passed, M failed`.
embedded_git_form() {  # the guide's git line, with this checkout's file:// URL and HEAD
  local g line
  line=$(grep -m1 '^wsguard-core = { git = ' docs/FIRMWARE.md) || { echo "no git line in docs/FIRMWARE.md"; return 1; }
  g=$(mktemp -d)
  line=$(printf '%s' "$line" | sed -E "s|git = \"[^\"]*\"|git = \"file://$ROOT\"|; s|<commit>|$(git rev-parse HEAD)|")
  mkdir -p "$g/src" && echo '#![no_std]' > "$g/src/lib.rs"
  printf '[package]\nname = "git-form"\nversion = "0.0.0"\nedition = "2021"\n[workspace]\n[dependencies]\n%s\n' "$line" > "$g/Cargo.toml"
  echo "$line"
  cargo generate-lockfile --manifest-path "$g/Cargo.toml" && grep -A2 'name = "wsguard-core"' "$g/Cargo.lock"
  local rc=$?
  rm -rf "$g"
  return $rc
}
embedded_embassy() {
  local tdir=${CARGO_TARGET_DIR:-$ROOT/target}/embassy t=thumbv7em-none-eabihf p=0 f=0 snip=0
  local m=(--manifest-path examples/embassy/Cargo.toml --target "$t" --target-dir "$tdir")
  local elf="$tdir/$t/release/wsguard-embassy-example"
  step() { local name=$1; shift; if "$@"; then echo "ok   $name"; p=$((p+1)); else echo "FAIL $name"; f=$((f+1)); fi; }
  step "examples/embassy builds (release, $t)" cargo build --release "${m[@]}"
  step "examples/embassy clippy -D warnings ($t)" cargo clippy --release "${m[@]}" -- -D warnings
  step "examples/embassy rustfmt" cargo fmt --manifest-path examples/embassy/Cargo.toml -- --check
  step "examples/embassy is a linked image with a vector table" \
    python3 -c "import sys; d=open(sys.argv[1],'rb').read(); sys.exit(0 if b'.vector_table' in d else 1)" "$elf"
  [ -f "$elf" ] && python3 scripts/size/elf_sections.py "$elf"
  # Counted by its own `snippets: N passed, M failed` line.
  python3 tests/embedded-host/check_snippets.py docs/FIRMWARE.md || snip=1
  step "docs/FIRMWARE.md git dependency line resolves" embedded_git_form
  echo "embassy: $p passed, $f failed"
  [ "$f" -eq 0 ] && [ "$snip" -eq 0 ]
}
suite_embedded() {
  run_suite embedded-io tally_cargo cargo test -p wsguard-core --features embedded-io-async --lib io::
  run_suite embedded-io-doc tally_cargo cargo test -p wsguard-core --features embedded-io-async --doc io::
  run_suite embedded-host tally_cargo embedded_host
  run_suite embedded-embassy tally_plain embedded_embassy
  run_suite embedded-size tally_plain bash scripts/size.sh --check
}
SUITES_DEFAULT="$SUITES_DEFAULT embedded"
