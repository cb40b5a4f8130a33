#!/usr/bin/env bash
# Code size of wsguard-core on a Cortex-M4F (thumbv7em-none-eabihf), opt-level "z" + LTO,
# beside the `embedded-websocket` crate doing the same work (scripts/size/, issue 7).
#
#   scripts/size.sh            build, print the table and write scripts/size/SIZE.md
#   scripts/size.sh --check    build and print only (make test: fails only on a build failure)
#
# Ends with `size: N passed, M failed` (N = binaries built and measured).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-write}
TARGET=thumbv7em-none-eabihf
TDIR=${CARGO_TARGET_DIR:-$ROOT/target}/size
OUT=$TDIR/$TARGET/release
PASSED=0; FAILED=0

rustup target add "$TARGET" >/dev/null 2>&1 || true
echo "==> building scripts/size (release, opt-level z, lto, $TARGET)"
if ! cargo build --release --manifest-path scripts/size/Cargo.toml --target "$TARGET" --target-dir "$TDIR"; then
  echo "size: 0 passed, 1 failed"
  exit 1
fi
echo "==> building examples/firmware (release, $TARGET)"
FW_OK=1
if ! cargo build --release --manifest-path examples/firmware/Cargo.toml --target "$TARGET" --target-dir "$TDIR/firmware"; then
  FW_OK=0; FAILED=$((FAILED + 1))
fi

measure() {  # measure BIN -> "text rodata"
  python3 scripts/size/elf_sections.py "$1" | sed -E 's/.* text=([0-9]+) rodata=([0-9]+).*/\1 \2/'
}

declare -A TEXT RODATA
for b in wsguard-client ews-client wsguard-server ews-server stack-wsguard; do
  if [ -f "$OUT/size-$b" ]; then
    read -r t r < <(measure "$OUT/size-$b")
    TEXT[$b]=$t; RODATA[$b]=$r; PASSED=$((PASSED + 1))
  else
    echo "missing $OUT/size-$b"; FAILED=$((FAILED + 1))
  fi
done
FW_TEXT=-; FW_RODATA=-
if [ "$FW_OK" = 1 ]; then
  read -r FW_TEXT FW_RODATA < <(measure "$TDIR/firmware/$TARGET/release/wsguard-firmware-example"); PASSED=$((PASSED + 1))
fi

EWS_VERSION=$(grep -A1 'name = "embedded-websocket"' scripts/size/Cargo.lock | sed -nE 's/version = "(.*)"/\1/p')
RUSTC=$(rustc --version)
row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "${TEXT[$3]:--}" "${RODATA[$3]:--}" "$(( ${TEXT[$3]:-0} + ${RODATA[$3]:-0} ))"; }
verdict() {  # verdict WSGUARD EWS
  local w=${TEXT[$1]:-0} e=${TEXT[$2]:-0}
  if [ "$w" -le "$e" ]; then echo "wsguard is no larger (.text $w ≤ $e)"; else echo "wsguard is larger by $((w - e)) bytes of .text ($(( (w - e) * 100 / (e > 0 ? e : 1) )) %)"; fi
}
TABLE=$(cat <<MD
## Code size on a Cortex-M4F (thumbv7em-none-eabihf)

\`scripts/size.sh\` — each program is a \`#![no_std] #![no_main]\` binary built with
\`opt-level = "z"\`, \`lto = true\`, \`codegen-units = 1\`, \`panic = "abort"\` ($RUSTC).
Sizes in bytes from the ELF section headers (\`llvm-size -A\` gives the same numbers).
The work (scripts/size/*/src/main.rs):

* **client** — the program of issue 7 ("validates a server handshake and decodes frames"):
  write the upgrade request, validate the server's 101 (status, Upgrade, Connection,
  Sec-WebSocket-Accept), decode a text, a binary, a ping and a close frame.
  wsguard also checks subprotocol/extensions against the offer, diagnoses non-101
  answers and validates the text and close reason as UTF-8; embedded-websocket does not.
* **server** — for devices that serve WebSockets: validate an upgrade request, write the
  101, decode masked frames. wsguard also checks method, HTTP version, Host against an
  allowlist, Connection, version 13, the key's length and base64, the Origin against a
  policy; its configuration reads no token (\`TokenConfig::DISABLED\`). embedded-websocket
  checks \`Upgrade\` and reads the key.

| program | library | .text | .rodata | flash (.text + .rodata) |
|---|---|---:|---:|---:|
$(row client "wsguard-core 0.1.0" wsguard-client)
$(row client "embedded-websocket $EWS_VERSION" ews-client)
$(row server "wsguard-core 0.1.0" wsguard-server)
$(row server "embedded-websocket $EWS_VERSION" ews-server)
| firmware example (async client, heartbeat, reconnect) | wsguard-core 0.1.0 + embedded-io-async | $FW_TEXT | $FW_RODATA | $(( ${FW_TEXT/-/0} + ${FW_RODATA/-/0} )) |

Client: $(verdict wsguard-client ews-client). Server: $(verdict wsguard-server ews-server).

What the server's extra code is (\`llvm-nm --size-sort -S\` on an attribution build with
the entry points kept out of line; rough figures): the Origin policy — RFC 6454 parsing
and normalisation of scheme, host, IPv4/IPv6 and port, pattern matching, the refusal's
sub-code — about 4 KiB, plus 0.6 KiB to parse the allowed pattern at start-up; the bearer
token lookup in Authorization, Sec-WebSocket-Protocol and the query, about 1 KiB; the
Host allowlist, about 0.5 KiB. Both programs validate text payloads and close reasons as
UTF-8 across fragments, close codes and message limits, and report a bad frame at the
first byte that proves it wrong. Both use the same kind of crates for the HTTP head and
the accept key: wsguard-core links \`httparse\`, \`sha1_smol\` and \`base64\` (no default
features), embedded-websocket \`httparse\`, \`sha1\` and \`base64\`. Symbol sizes of each
crate: \`llvm-nm -S -C\` on the binaries in \`target/size/$TARGET/release\`.
MD
)
if command -v llvm-objdump >/dev/null 2>&1 || command -v arm-none-eabi-objdump >/dev/null 2>&1; then
  STACK=$(python3 scripts/size/stack.py "$OUT/size-stack-wsguard" stack_)
  TABLE="$TABLE

## Worst-case stack on a Cortex-M4F

\`scripts/size/stack.py\` on scripts/size/stack-wsguard (same build settings): each entry
point in its own \`#[inline(never)]\` function, the caller owning the buffers; frame sizes
from the prologues (\`push\`, \`vpush\`, \`sub sp\`), summed along the deepest call path
of the disassembly. For the async drivers the number includes the future (which an
embassy task keeps in its static task storage rather than on the stack).

$STACK"
else
  echo "(no llvm-objdump: stack table skipped; apt-get install llvm)"
fi
echo
echo "$TABLE"
echo
if [ "$MODE" != "--check" ]; then
  printf '%s\n' "$TABLE" > scripts/size/SIZE.md
  echo "wrote scripts/size/SIZE.md"
fi
echo "size: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
