#!/usr/bin/env python3
"""Rewrites the generated part of BENCHMARKS.md from criterion's results.

Called by scripts/bench.sh after `cargo bench -p wsguard-bench --features peers`.
Reads every `<criterion dir>/**/new/benchmark.json` + `estimates.json` (median of the
per-iteration times, in ns) and writes tables with medians, throughput and the ratio
peer_time / wsguard_time (above 1.00x: wsguard is faster) between the markers
`<!-- BEGIN GENERATED: make bench -->` and `<!-- END GENERATED: make bench -->`.

usage: report.py CRITERION_DIR BENCHMARKS_MD RUN_INFO_JSON [RUN_SNAPSHOT_JSON ...]
       report.py --snapshot CRITERION_DIR SINCE_EPOCH OUT_JSON

`--snapshot` saves the results criterion wrote since SINCE_EPOCH (one `cargo bench` run;
older results of benchmarks that did not run are left out). Given snapshots, the report
uses, per benchmark, the median of the runs' medians, shows each ratio as
"median [min–max]" over the runs and adds a table of every benchmark's spread
(`BENCH_RUNS=3 make bench`).
"""
import json
import os
import re
import statistics
import sys

BEGIN = "<!-- BEGIN GENERATED: make bench -->"
END = "<!-- END GENERATED: make bench -->"
SIZES = ["16B", "125B", "1KiB", "64KiB", "1MiB"]


def load(criterion_dir, since=0.0):
    """full_id -> {"median": ns, "lo": ns, "hi": ns, "throughput": {...} or None}"""
    out = {}
    for root, _dirs, files in os.walk(criterion_dir):
        if os.path.basename(root) != "new" or "benchmark.json" not in files:
            continue
        if os.path.getmtime(os.path.join(root, "estimates.json")) < since:
            continue
        with open(os.path.join(root, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(root, "estimates.json")) as f:
            est = json.load(f)
        med = est["median"]
        out[bench["full_id"]] = {
            "median": med["point_estimate"],
            "lo": med["confidence_interval"]["lower_bound"],
            "hi": med["confidence_interval"]["upper_bound"],
            "throughput": bench.get("throughput"),
        }
    return out


def fmt_time(ns):
    if ns < 1e3:
        return f"{ns:.1f} ns" if ns < 100 else f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


def fmt_rate(r, ns):
    if not r or ns <= 0:
        return ""
    if "Bytes" in r:
        gib = r["Bytes"] / (ns * 1e-9) / 2**30
        return f"{gib:.2f} GiB/s" if gib >= 1 else f"{gib * 1024:.0f} MiB/s"
    if "Elements" in r:
        per_s = r["Elements"] / (ns * 1e-9)
        if per_s >= 1e6:
            return f"{per_s / 1e6:.2f} M/s"
        return f"{per_s / 1e3:.0f} k/s"
    return ""


def merge(runs):
    """One result per benchmark from several runs: the median of the runs' medians,
    with every run's median kept (`runs`) for the spread."""
    out = {}
    for fid in sorted({k for r in runs for k in r}):
        meds = [r[fid]["median"] for r in runs if fid in r]
        first = next(r[fid] for r in runs if fid in r)
        out[fid] = dict(first, median=statistics.median(meds), runs=meds)
    return out


class Results:
    def __init__(self, data, runs=None):
        self.d = data
        self.runs = runs or [data]
        self.missing = []

    def get(self, full_id):
        r = self.d.get(full_id)
        if r is None:
            self.missing.append(full_id)
        return r

    def cell(self, full_id):
        r = self.get(full_id)
        if r is None:
            return "—"
        rate = fmt_rate(r["throughput"], r["median"])
        return f"{fmt_time(r['median'])}" + (f" ({rate})" if rate else "")

    def ratios(self, ours, peer):
        """peer ÷ ours in each run that measured both."""
        return [r[peer]["median"] / r[ours]["median"] for r in self.runs
                if ours in r and peer in r and r[ours]["median"] > 0]

    def ratio(self, ours, peer):
        xs = self.ratios(ours, peer)
        return statistics.median(xs) if xs else None

    def ratio_cell(self, ours, peer):
        xs = self.ratios(ours, peer)
        if len(xs) < 2:
            return fmt_ratio(self.ratio(ours, peer))
        return f"{statistics.median(xs):.2f}× [{min(xs):.2f}–{max(xs):.2f}]"


def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}×"


def spread_table(res):
    """Every benchmark: median of the runs' medians, min–max, (max − min) ÷ median."""
    L = [f"#### Spread over {len(res.runs)} runs (criterion's median of each run)", "",
         "| benchmark | median of the runs | min–max | spread |", "|---|---:|---:|---:|"]
    for fid, r in sorted(res.d.items()):
        xs = r.get("runs", [r["median"]])
        L.append(f"| `{fid}` | {fmt_time(r['median'])} | {fmt_time(min(xs))}–{fmt_time(max(xs))} "
                 f"| {(max(xs) - min(xs)) / r['median'] * 100:.1f} % |")
    return L


def render(res, info):
    L = []
    a = L.append
    a(f"Run: {info['date']} · git {info.get('git', '?')} · command: `{info['command']}` · {info['rustc']}")
    a(f"Machine: {info['cpu']}, {info['cores']} logical cores, load average {info['load_before']} before "
      f"and {info['load_after']} after the run (a shared machine: wall-clock figures moved by up to ±40 % between runs).")
    if len(res.runs) > 1:
        a(f"{len(res.runs)} runs of `cargo bench`: each time is the median of the runs' medians; each ratio is the median "
          "of the runs' ratios [min–max over the runs]; the spread of every benchmark is tabled at the end.")
    a(f"Peers: {info['peers']}. Criterion {info['criterion']}, warm-up 0.3 s, 40 samples over 1.2 s per benchmark. "
      "Times are criterion's median per iteration; a ratio is peer time ÷ wsguard time (above 1.00×: wsguard is faster).")
    a("")

    a("#### Unmask, bare XOR over a buffer in memory")
    a("")
    a("| payload | start | wsguard `frame::unmask` | fastwebsockets `unmask` ¹ | wsguard vs fastwebsockets |")
    a("|---|---|---|---|---|")
    for s in SIZES:
        for start in ["aligned", "misaligned"]:
            ours, peer = f"unmask/{s}/{start}/wsguard", f"unmask/{s}/{start}/fastwebsockets"
            a(f"| {s} | {start} | {res.cell(ours)} | {res.cell(peer)} | {res.ratio_cell(ours, peer)} |")
    a("")
    a("¹ tungstenite 0.30's `apply_mask` is private (`mod mask;`); its body is the same "
      "`align_to_mut::<u32>()` loop as fastwebsockets' `unmask`, so this column is also tungstenite's algorithm.")
    a("")

    a("#### One masked frame, nearest public read path (memcpy from an in-memory socket + header + unmask)")
    a("")
    a("| payload | wsguard `Decoder::decode` | tungstenite `FrameSocket::read` | fastwebsockets `read_frame` | vs tungstenite | vs fastwebsockets |")
    a("|---|---|---|---|---|---|")
    for s in SIZES:
        o, t, f = (f"frame_read/{s}/{lib}" for lib in ("wsguard", "tungstenite", "fastwebsockets"))
        a(f"| {s} | {res.cell(o)} | {res.cell(t)} | {res.cell(f)} | {res.ratio_cell(o, t)} | {res.ratio_cell(o, f)} |")
    a("")

    a("#### Frame header decode (masked header, from a slice)")
    a("")
    a("| length encoding | wsguard `FrameHeader::parse` | tungstenite `FrameHeader::parse` | vs tungstenite |")
    a("|---|---|---|---|")
    for name, label in [("len7_masked", "7-bit (6 bytes)"), ("len16_masked", "16-bit (8 bytes)"), ("len64_masked", "64-bit (14 bytes)")]:
        o, t = f"header/{name}/wsguard", f"header/{name}/tungstenite"
        a(f"| {label} | {res.cell(o)} | {res.cell(t)} | {res.ratio_cell(o, t)} |")
    a("")
    a("fastwebsockets has no public header parser; it is measured inside the stream benchmark below.")
    a("")

    a("#### A stream of 1000 small masked frames (1–125 bytes, 64 KiB in all), copied in once and decoded")
    a("")
    a("| library | median per 1000 frames (frames/s) | wsguard `decode` vs this |")
    a("|---|---|---|")
    base = "stream/1000_small_frames/wsguard"
    for lib, label in [("wsguard", "wsguard `Decoder::decode`"), ("wsguard_streaming", "wsguard `Decoder::decode_streaming`"),
                       ("tungstenite", "tungstenite `FrameSocket::read`"), ("fastwebsockets", "fastwebsockets `WebSocket::read_frame`")]:
        fid = f"stream/1000_small_frames/{lib}"
        a(f"| {label} | {res.cell(fid)} | {res.ratio_cell(base, fid)} |")
    a("")

    a("#### Server handshake, the same 520-byte Chrome request")
    a("")
    a("| step | wsguard | tungstenite | vs tungstenite |")
    a("|---|---|---|---|")
    for step, label in [("validate", "parse + validate + accept key"), ("full", "… + write the 101 response")]:
        o, t = f"handshake/{step}/wsguard", f"handshake/{step}/tungstenite"
        a(f"| {label} | {res.cell(o)} | {res.cell(t)} | {res.ratio_cell(o, t)} |")
    a("")

    ins = {k: int(v) for k, v in info.get("instructions", {}).items()}
    a("#### Instructions per operation (callgrind; does not depend on the machine's load)")
    a("")
    if ins:
        a("| operation | wsguard | tungstenite | fastwebsockets | tungstenite ÷ wsguard | fastwebsockets ÷ wsguard |")
        a("|---|---|---|---|---|---|")

        def q(x, y):
            return f"{x / y:.2f}×" if x and y else "—"

        w, t = ins.get("wsguard_handshake"), ins.get("tungstenite_handshake")
        a(f"| server handshake: validate + write 101 | {w:,} | {t:,} | — | {q(t, w)} | — |")
        w, t, f = (ins.get(k, 0) / 1000 for k in ("wsguard_stream", "tungstenite_stream", "fastwebsockets_stream"))
        a(f"| one small masked frame, copied in and decoded (mean of the 1000-frame stream) | {w:,.0f} | {t:,.0f} | {f:,.0f} | {q(t, w)} | {q(f, w)} |")
        a("")
        a("Counted by `valgrind --tool=callgrind` on `benches/examples/instructions.rs` (release build), "
          "running each case N and 2N times: (I(2N) − I(N)) ÷ N.")
    elif info.get("partial"):
        a("_Not measured: a partial run (`BENCH_ONLY`) skips the instruction counts._")
    else:
        a("_Not measured: valgrind is not installed._")
    a("")

    a("#### Targets of issue 3 item 12, as measured in this run")
    a("")
    a("| target | measured | met |")
    a("|---|---|---|")

    def target(label, value, goal):
        if value is None:
            a(f"| {label} | — | not measured |")
        else:
            a(f"| {label} | {value:.2f}× | {'yes' if value >= goal else '**no**'} |")

    for start in ["aligned", "misaligned"]:
        target(f"unmask 64 KiB ({start}) ≥ 1× fastwebsockets",
               res.ratio(f"unmask/64KiB/{start}/wsguard", f"unmask/64KiB/{start}/fastwebsockets"), 1.0)
    for start in ["aligned", "misaligned"]:
        target(f"unmask 64 KiB ({start}) ≥ 2× tungstenite's `apply_mask` algorithm (= fastwebsockets' code)",
               res.ratio(f"unmask/64KiB/{start}/wsguard", f"unmask/64KiB/{start}/fastwebsockets"), 2.0)
    target("64 KiB masked frame read ≥ 2× tungstenite's public path (`FrameSocket::read`)",
           res.ratio("frame_read/64KiB/wsguard", "frame_read/64KiB/tungstenite"), 2.0)
    target("handshake validation ≥ 3× tungstenite (parse + validate + accept key)",
           res.ratio("handshake/validate/wsguard", "handshake/validate/tungstenite"), 3.0)
    target("handshake validation + 101 response ≥ 3× tungstenite",
           res.ratio("handshake/full/wsguard", "handshake/full/tungstenite"), 3.0)
    if ins.get("wsguard_handshake") and ins.get("tungstenite_handshake"):
        target("handshake validation + 101 response ≥ 3× tungstenite, in instructions",
               ins["tungstenite_handshake"] / ins["wsguard_handshake"], 3.0)
    a(f"| zero heap operations in decode, streaming decode, unmask, encoder, UTF-8, server and client handshake "
      f"(`{info['zero_alloc_command']}`) | {info['zero_alloc_result']} | {info['zero_alloc_met']} |")
    if len(res.runs) > 1:
        a("")
        L.extend(spread_table(res))
    if res.missing:
        a("")
        a("Missing results (benchmark did not run): " + ", ".join(f"`{m}`" for m in sorted(set(res.missing))))
    return "\n".join(L)


def main():
    if sys.argv[1:2] == ["--snapshot"]:
        criterion_dir, since, out = sys.argv[2:5]
        data = load(criterion_dir, float(since))
        with open(out, "w") as f:
            json.dump(data, f)
        print(f"report.py: {len(data)} benchmark result(s) of this run saved in {out}")
        return
    criterion_dir, md_path, info_path = sys.argv[1:4]
    with open(info_path) as f:
        info = json.load(f)
    runs = []
    for snap in sys.argv[4:]:
        with open(snap) as f:
            runs.append(json.load(f))
    res = Results(merge(runs), runs) if runs else Results(load(criterion_dir))
    body = render(res, info)
    block = f"{BEGIN}\n{body}\n{END}"
    text = open(md_path).read() if os.path.exists(md_path) else ""
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(md_path, "w") as f:
        f.write(text)
    print(body)
    if res.missing:
        sys.exit(f"report.py: {len(set(res.missing))} benchmark result(s) missing")


if __name__ == "__main__":
    main()
