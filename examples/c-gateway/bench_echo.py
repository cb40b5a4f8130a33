"""Echo round trip of the C gateway beside `wsguard serve`, in the same run (a measurement,
never a test: nothing here asserts on time).

Usage: python bench_echo.py GATEWAY WSGUARD [--rounds R] [--messages N] [--size B] [--strace]
                            [--callgrind] [--before OLD_GATEWAY]

Both servers run on 127.0.0.1 (port 0). One client (a raw socket, so the client's own cost
is small and the same for both) sends N masked binary messages of B bytes one at a time and
waits for each echo; rounds alternate gateway / serve / gateway / ... so a load change on the
machine hits both alike. Prints, per server, the median round trip and the spread (p10-p90,
min-max) over all R x N echoes.

--strace also runs each server under `strace -f -c` and prints the write-family calls
(write, writev, sendto, sendmsg) and read-family calls (read, recvfrom, recvmsg) per echo;
--callgrind runs each under `valgrind --tool=callgrind` and prints the server's instructions
per echo. Both are counts that do not depend on the machine's load: each server runs twice,
for 10 and for 10 + N echoes, and the difference is divided by N (start-up and the
handshake cancel out).
"""
import argparse
import os
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ORIGIN = "http://bench.test"
WRITES = ("write", "writev", "sendto", "sendmsg")
READS = ("read", "recvfrom", "recvmsg")


def masked_frame(payload):
    key = b"\x11\x22\x33\x44"
    n = len(payload)
    assert n < 126
    return bytes([0x82, 0x80 | n]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def start(cmd, ready_prefix):
    # Own process group: stop() signals the server and a wrapping strace together.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if ready_prefix in line:
            addr = line.split(ready_prefix, 1)[1].split()[0].strip().rstrip("/")
            return proc, int(addr.rsplit(":", 1)[1].split("/")[0])
    stop(proc)
    raise RuntimeError(f"{cmd[0]} did not start")


def stop(proc):
    """SIGINT to the process group (both servers exit on it; strace and callgrind then
    write their counts), SIGKILL if that does not end it within 60 s."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def upgraded(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: {ORIGIN}\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("closed during the handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head[:100])
    return s


def echo_times(port, path, n, size):
    s = upgraded(port, path)
    frame = masked_frame(bytes(range(size)))
    want = 2 + size
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        s.sendall(frame)
        got = 0
        while got < want:
            chunk = s.recv(want - got)
            if not chunk:
                raise RuntimeError("closed during the echo")
            got += len(chunk)
        times.append(time.perf_counter() - t0)
    s.close()
    return times


def servers(gateway, wsguard, before=None):
    table = {
        "c-gateway": ([gateway, "--no-token", "--allow", ORIGIN, "--port", "0"], "listening on ", "/echo"),
        "wsguard serve": ([wsguard, "serve", "--listen", "127.0.0.1:0", "--allow", ORIGIN, "--quiet"],
                          "listening on http://", "/ws"),
    }
    if before:
        table["c-gateway before (" + os.path.basename(before) + ")"] = (
            [before, "--no-token", "--allow", ORIGIN, "--port", "0"], "listening on ", "/echo")
    return table


def per_echo(wrap, read_counts, cmd, ready, path, n, size):
    """Counts of the server under `wrap` for n echoes: (10 + n echoes) - (10 echoes), / n."""
    runs = []
    for count in (10, 10 + n):
        out = tempfile.NamedTemporaryFile(prefix="wsguard-bench-", delete=False).name
        proc, port = start(wrap(out) + cmd, ready)
        echo_times(port, path, count, size)
        stop(proc)
        runs.append(read_counts(out))
        os.unlink(out)
    keys = set(runs[0]) | set(runs[1])
    return {k: (runs[1].get(k, 0) - runs[0].get(k, 0)) / n for k in keys}


def strace_wrap(out):
    return ["strace", "-f", "-c", "-o", out, "-e", "trace=" + ",".join(WRITES + READS)]


def callgrind_wrap(out):
    return ["valgrind", "--tool=callgrind", "--trace-children=no", f"--callgrind-out-file={out}"]


def read_callgrind(path):
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return {"Ir": int(line.split()[1])}
    return {}


def parse_strace(path):
    counts = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 5 and parts[-1] in WRITES + READS:
                try:
                    counts[parts[-1]] = int(parts[3])
                except ValueError:
                    pass
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gateway")
    ap.add_argument("wsguard")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--strace", action="store_true")
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--before", metavar="GATEWAY", help="an older gateway binary to measure beside them")
    a = ap.parse_args()
    table = servers(a.gateway, a.wsguard, a.before)
    procs = {}
    try:
        for name, (cmd, ready, path) in table.items():
            procs[name] = start(cmd, ready)
        samples = {name: [] for name in table}
        for r in range(a.rounds):
            order = list(table) if r % 2 == 0 else list(reversed(table))
            for name in order:
                samples[name] += echo_times(procs[name][1], table[name][2], a.messages, a.size)
    finally:
        for p, _ in procs.values():
            stop(p)
    load = os.getloadavg()
    print(f"# {a.rounds} alternated rounds x {a.messages} echoes of {a.size} B, load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, {os.cpu_count()} CPUs")
    print("| server | median ms | p10-p90 ms | min-max ms | echoes |")
    print("|---|---:|---:|---:|---:|")
    for name, t in samples.items():
        t = sorted(x * 1000 for x in t)
        q = statistics.quantiles(t, n=10)
        print(f"| {name} | {statistics.median(t):.3f} | {q[0]:.3f}-{q[-1]:.3f} | {t[0]:.3f}-{t[-1]:.3f} | {len(t)} |")
    if a.strace:
        print()
        print(f"# strace -f -c: ((10 + {a.messages}) echoes - 10 echoes) / {a.messages}")
        print("| server | write-family calls per echo | read-family calls per echo | by call |")
        print("|---|---:|---:|---|")
        for name, (cmd, ready, path) in table.items():
            per = per_echo(strace_wrap, parse_strace, cmd, ready, path, a.messages, a.size)
            w = sum(per.get(k, 0) for k in WRITES)
            rd = sum(per.get(k, 0) for k in READS)
            detail = ", ".join(f"{k} {v:.2f}" for k, v in sorted(per.items()) if v)
            print(f"| {name} | {w:.2f} | {rd:.2f} | {detail} |")
    if a.callgrind:
        print()
        print(f"# callgrind, server process: ((10 + {a.messages}) echoes - 10 echoes) / {a.messages}")
        print("| server | instructions per echo |")
        print("|---|---:|")
        for name, (cmd, ready, path) in table.items():
            per = per_echo(callgrind_wrap, read_callgrind, cmd, ready, path, a.messages, a.size)
            print(f"| {name} | {per.get('Ir', 0):,.0f} |")

if __name__ == "__main__":
    sys.exit(main())
