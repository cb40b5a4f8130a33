#!/usr/bin/env python3
"""Markdown tables of a soak run (target/soak/results-SCALE.json) for BENCHMARKS.md.

    report.py target/soak/results-full.json
"""
import json
import sys

r = json.load(open(sys.argv[1]))
names = list(r["targets"])
print(f"Scale `{r['scale']}`: {json.dumps({k: v for k, v in r['counts'].items() if k not in ('targets', 'asgi_attacks')})}; "
      f"load average at start {', '.join(f'{x:.1f}' for x in r['loadavg'])}.\n")


def cell_attack(name, a):
    if a is None:
        return "—"
    if name in ("idle_flood", "slowloris", "address_limit"):
        return ", ".join(f"{k if k not in ('-1', '0') else {'-1': 'still open', '0': 'closed, no answer'}[k]}: {v}" for k, v in a["status"].items())
    if name == "unfinished_messages":
        codes = ", ".join(f"{k}: {v}" for k, v in a["close_codes"].items())
        return f"{codes}; RSS {a['rss_kib_before'] // 1024} → peak {a['rss_kib_peak'] // 1024} → after {a['rss_kib_after'] // 1024} MiB"
    if name == "non_reading_clients":
        return f"{a['dropped_by_server']}/{a['clients']} dropped; RSS peak {a['rss_kib_peak'] // 1024} MiB"
    if name == "ping_flood":
        return f"{a.get('pongs')}/{a.get('pings')} pongs"
    if name == "huge_announcements":
        return ", ".join(f"{k}: {v}" for k, v in a["close_codes"].items())
    if name == "resets_and_half_closes":
        return f"{a['connections']} conns; fds {a['fds_before']} → {a['fds_after']}"
    if name == "oversized_head":
        return str(a["status"])
    if name == "injected_log_text":
        return f"{a['status']}; raw ESC in log: {a['raw_esc_in_log']}; forged line: {a['forged_line']}"
    if name == "fd_exhaustion":
        return f"{a['opened']} conns at ulimit {a['fd_limit']}; 'Too many open files' lines: {a['log_lines_too_many_open_files']}"
    return json.dumps(a)


attacks = []
for t in r["targets"].values():
    for k in t["attacks"]:
        if k not in attacks:
            attacks.append(k)
print("| attack | " + " | ".join(names) + " |")
print("|---|" + "---|" * len(names))
for k in attacks:
    row = [cell_attack(k, r["targets"][n]["attacks"].get(k, {}).get("attack")) for n in names]
    print(f"| {k} | " + " | ".join(row) + " |")
print()
print("Well-behaved client during each attack (rounds ok / failed; messages lost; connect p50; echo p50 / p99 in ms — times from a loaded machine):\n")
print("| attack | " + " | ".join(names) + " |")
print("|---|" + "---|" * len(names))
for k in attacks:
    row = []
    for n in names:
        x = r["targets"][n]["attacks"].get(k)
        if not x:
            row.append("—")
            continue
        g = x["good"]
        after = "" if x["good_after"] else "; **fails after**"
        row.append(f"{g['rounds_ok']}/{g['failures']}; lost {g['messages_lost']}; {g['connect_ms_p50']}; {g['echo_ms_p50']}/{g['echo_ms_p99']}{after}")
    print(f"| {k} | " + " | ".join(row) + " |")
if "probe_vs_hostile_servers" in r:
    print()
    print("`wsguard probe` against hostile servers: " + "; ".join(
        f"{k}: exit {v['exit']}, raw ESC {v['raw_esc']}" for k, v in r["probe_vs_hostile_servers"].items()))
