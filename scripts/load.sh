#!/usr/bin/env bash
# Full load run of `wsguard serve` (not part of `make test`; the bounded 200-connection
# version is crates/wsguard-cli/tests/load.rs).
#
#   scripts/load.sh [CONNECTIONS=2000] [SECONDS=10] [MESSAGE_LEN=64]
#
# Starts a release `wsguard serve` on a free loopback port with heartbeats running
# (ping after 1 s of silence), opens CONNECTIONS concurrent WebSocket connections with the
# load generator (crates/wsguard-cli/examples/load.rs), holds them, has each echo
# MESSAGE_LEN-byte messages for SECONDS while answering pings, checks every echo, closes
# them all with 1000, and writes the figures to crates/wsguard-cli/LOAD.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
SECS=${2:-10}
LEN=${3:-64}
TARGET=${CARGO_TARGET_DIR:-target}

# Each connection costs one descriptor in the server and one in the generator.
need=$((N + 256))
soft=$(ulimit -Sn); hard=$(ulimit -Hn)
if [ "$soft" != unlimited ] && [ "$soft" -lt "$need" ]; then
  if [ "$hard" = unlimited ] || [ "$hard" -ge "$need" ]; then ulimit -Sn "$need"; else
    echo "load.sh: ulimit -n is $soft (hard $hard); $N connections need $need" >&2; exit 1; fi
fi

echo "[load] building release binaries"
cargo build --release -q -p wsguard-cli --bin wsguard --example load

out=$(mktemp); res=$(mktemp)
"$TARGET/release/wsguard" serve --listen 127.0.0.1:0 --path /ws --allow https://app.example.com \
  --ping-interval 1 --pong-timeout 5 --quiet >"$out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$out" "$res"' EXIT
addr=""
for _ in $(seq 1 100); do
  addr=$(grep -o 'listening on http://[0-9.:]*' "$out" | sed 's#.*http://##' || true)
  [ -n "$addr" ] && break; sleep 0.1
done
[ -n "$addr" ] || { echo "load.sh: server did not start"; cat "$out"; exit 1; }
echo "[load] server pid $pid on $addr; $N connections, ${SECS}s, ${LEN}-byte messages"

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
status=0
"$TARGET/release/examples/load" "$addr" "$N" "$SECS" "$pid" "$LEN" >"$res" || status=$?
cat "$res"
metrics=$(curl -s "http://$addr/metrics" || true)
kill $pid 2>/dev/null || true

field() { python3 -c "import json,sys; v=json.load(open('$res')).get('$1'); print(v if v is not None else 'n/a')"; }
held=$(field connections_held); mps=$(field messages_per_sec); msgs=$(field messages)
before=$(field rss_before_kib); after=$(field rss_after_kib); per=$(field rss_per_connection_bytes)
errors=$(field errors); corrupted=$(field corrupted); pings=$(field pings_answered); closes=$(field clean_closes)
pings_sent=$(echo "$metrics" | awk '/^wsguard_pings_sent_total /{print $2}')
timeouts=$(echo "$metrics" | awk '/^wsguard_heartbeat_timeouts_total /{print $2}')
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')

cat > crates/wsguard-cli/LOAD.md <<MD
# wsguard serve — load

Command: \`scripts/load.sh $N $SECS $LEN\` (release build; server and load generator on the
same machine over loopback: $(nproc) cores, $cpu; load average before the run: $loadavg;
$(date -u +%Y-%m-%d)). Messages per second depend heavily on what else the machine runs.

| figure | value |
|---|---|
| connections requested / held concurrently | $N / $held |
| heartbeat | server pings after 1 s of silence, dead after 6 s (pings sent: ${pings_sent:-n/a}, answered by the generator: $pings, heartbeat timeouts: ${timeouts:-n/a}) |
| messages echoed (${LEN}-byte text, each verified byte for byte) | $msgs in ${SECS} s |
| messages per second (round trips, all connections together) | $(printf '%.0f' "$mps") |
| corrupted echoes / errors | $corrupted / $errors |
| clean closes (Close 1000 answered) | $closes |
| server RSS before connections / with all connections open | $before KiB / $after KiB |
| memory per connection (RSS delta / connections) | $(printf '%.0f' "$per") bytes |

Each connection echoes one message at a time (send, wait for the echo, verify, repeat), so
messages per second measures round trips with $N clients sharing the machine with the
server. The bounded version (200 connections, 3 s) runs in \`make test\`
(\`crates/wsguard-cli/tests/load.rs\`).
MD
echo "[load] wrote crates/wsguard-cli/LOAD.md"
exit $status
