#!/usr/bin/env python3
"""Turns the benchmark's raw records into the results table (Markdown + JSON).

  report.py wrk [--cpu-ns N] < wrk-output   one JSON object from wrk's text output (N: the
                                            proxy's CPU time during the run, in ns)
  report.py report --raw RAW.jsonl --md OUT.md --json OUT.json [--seconds S --idle N ...]
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

UNITS = {"us": 1.0, "ms": 1000.0, "s": 1_000_000.0}


def parse_wrk(text, cpu_ns=None):
    result = {"requestsPerSec": 0.0, "p50us": None, "p99us": None, "errors": 0, "non2xx": 0}
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if m:
        result["requestsPerSec"] = float(m.group(1))
    for pct, key in (("50", "p50us"), ("99", "p99us")):
        m = re.search(r"^\s*" + pct + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if m:
            result[key] = round(float(m.group(1)) * UNITS[m.group(2)], 1)
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        result["errors"] = sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        result["non2xx"] = int(m.group(1))
    m = re.search(r"(\d+) requests in", text)
    if m:
        result["requests"] = int(m.group(1))
    if "Requests/sec" not in text:
        result["error"] = text.strip().splitlines()[-1] if text.strip() else "no output"
    if cpu_ns is not None and result.get("requests"):
        result["proxyCpuUsPerReq"] = round(cpu_ns / 1000.0 / result["requests"], 3)
    return result


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except Exception:  # noqa: BLE001 - a missing tool just has no version line
        return "unknown"


def fmt(value, digits=0):
    if value is None:
        return "–"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}"


def report(args):
    records = []
    with open(args.raw) as f:
        for line in f:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    # Per (workers, proxy, scenario): the median over the rounds of each figure (rounds that
    # failed are left out); memory per idle session from the first round (the first time the
    # proxy holds that many sessions). The spread (min-max of the main figure) goes to the JSON.
    main_key = {"small": "msgsPerSec", "idle": "msgsPerSec", "large": "mbPerSec",
                "http": "requestsPerSec", "churn": "requestsPerSec", "xsmall": "msgsPerSec"}
    rounds = {}
    first_idle = {}
    placement = {}
    for r in records:
        if r["scenario"] == "placement":
            placement[r["workers"]] = r["result"]
            continue
        key = (r["workers"], r["proxy"], r["scenario"])
        res = r["result"]
        if r["scenario"] == "idle" and r.get("round", 1) == 1:
            first_idle[key] = res
        if "error" in res and main_key.get(r["scenario"]) not in res:
            rounds.setdefault(key, [])
            continue
        rounds.setdefault(key, []).append(res)
    by = {}
    spread = {}
    for key, results in rounds.items():
        if not results:
            continue
        merged = {}
        for field in results[0]:
            values = [x[field] for x in results if isinstance(x.get(field), (int, float))
                      and not isinstance(x.get(field), bool)]
            merged[field] = statistics.median(values) if values else results[0][field]
        by[key] = merged
        mk = main_key.get(key[2])
        if mk:
            values = [x[mk] for x in results if isinstance(x.get(mk), (int, float))]
            if values:
                spread[key] = (min(values), max(values), len(values))
    for key, res in first_idle.items():
        if key in by and "rssPerIdleSessionBytes" in res:
            by[key] = dict(by[key], rssPerIdleSessionBytes=res["rssPerIdleSessionBytes"])

    def get(w, p, s, key):
        r = by.get((w, p, s))
        if not r or "error" in r and key not in r:
            return None
        return r.get(key)

    workers = sorted({r["workers"] for r in records if r["scenario"] != "guilag"})
    # (label, scenario, key, digits, higher is better, target: (against, description) or None)
    measures = [
        ("small messages/s, 50 active", "small", "msgsPerSec", 0, True, ("nginx", "≥ 1.0 × nginx")),
        ("  round trip p50 µs", "small", "p50us", 0, False, None),
        ("  round trip p99 µs", "small", "p99us", 0, False, None),
        ("  proxy CPU per message µs", "small", "proxyCpuUsPerMsg", 2, False, None),
        ("  cross-check: the same, Node.js ws client", "xsmall", "msgsPerSec", 0, True, None),
        (f"small messages/s, 50 active + {args.idle} idle", "idle", "msgsPerSec", 0, True, ("nginx", "≥ 1.0 × nginx")),
        ("  round trip p50 µs", "idle", "p50us", 0, False, None),
        ("  round trip p99 µs", "idle", "p99us", 0, False, None),
        ("64 KiB messages MB/s, 8 active", "large", "mbPerSec", 1, True, ("haproxy", "≥ 1.0 × HAProxy")),
        ("HTTP requests/s, keep-alive, 50 conn.", "http", "requestsPerSec", 0, True, ("nginx", "≥ 1.0 × nginx")),
        ("  HTTP p99 µs", "http", "p99us", 0, False, None),
        ("  proxy CPU per request µs", "http", "proxyCpuUsPerReq", 2, False, None),
        ("HTTP requests/s, a new connection each", "churn", "requestsPerSec", 0, True, None),
        ("  HTTP p99 µs", "churn", "p99us", 0, False, None),
        ("  proxy CPU per connection µs", "churn", "proxyCpuUsPerReq", 2, False, None),
        ("memory per idle WebSocket session, bytes", "idle", "rssPerIdleSessionBytes", 0, False, ("haproxy", "≤ HAProxy")),
    ]
    rows = []
    for w in workers:
        for label, scenario, key, digits, higher, target in measures:
            g = get(w, "gateway", scenario, key)
            n = get(w, "nginx", scenario, key)
            h = get(w, "haproxy", scenario, key)
            row = {
                "workers": w, "measure": label.strip(), "scenario": scenario, "key": key,
                "gateway": g, "nginx": n, "haproxy": h,
                "gatewayOverNginx": ratio(g, n), "gatewayOverHaproxy": ratio(g, h),
                "higherIsBetter": higher,
            }
            for name in ("gateway", "nginx", "haproxy"):
                if (w, name, scenario) in spread and key == main_key.get(scenario):
                    low, high, count = spread[(w, name, scenario)]
                    row.setdefault("spread", {})[name] = {"min": low, "max": high, "rounds": count}
            if g is None and n is None and h is None:
                continue
            if target:
                against, text = target
                r = ratio(g, n if against == "nginx" else h)
                row["target"] = text
                row["targetMet"] = None if r is None else (r >= 1.0 if higher else r <= 1.0)
            rows.append((label, digits, row))

    errors = []
    for r in records:
        res = r["result"]
        if "error" in res:
            errors.append(f'{r["proxy"]} {r["scenario"]} (workers {r["workers"]}): {res["error"]}')
        elif res.get("errors") or res.get("non2xx"):
            errors.append(f'{r["proxy"]} {r["scenario"]} (workers {r["workers"]}): '
                          f'{res.get("errors", 0)} errors, {res.get("non2xx", 0)} non-2xx '
                          f'{res.get("firstError", "")}'.rstrip())
        elif r["scenario"] == "idle" and res.get("idleAlive", 0) < res.get("idle", 0):
            errors.append(f'{r["proxy"]} idle (workers {r["workers"]}): only {res["idleAlive"]} '
                          f'of {res["idle"]} idle sessions still open at the end')

    guilag = by.get((1, "gateway", "guilag"))
    load = os.getloadavg()
    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(), "cores": os.cpu_count(),
        "loadAverageAtEnd": [round(x, 2) for x in load],
        "secondsPerRun": args.seconds, "rounds": args.rounds, "quick": bool(int(args.quick)),
        "placement": {str(w): p for w, p in placement.items()},
        "idleSessions": args.idle, "activeSessions": args.active,
        "nginx": version(["nginx", "-v"]), "haproxy": version(["haproxy", "-v"]),
        "wrk": version(["wrk", "-v"]),
    }

    md = []
    md.append("# Benchmark: gateway vs nginx vs HAProxy\n")
    md.append(f"{meta['date']} · {meta['cpu']} · {meta['cores']} cores · "
              f"load average at the end {meta['loadAverageAtEnd'][0]} · "
              f"{args.seconds} s per measurement, median of {args.rounds} round(s)"
              f"{' (--quick)' if meta['quick'] else ''}  ")
    md.append(f"{meta['nginx']} · {meta['haproxy']} · {meta['wrk']}  ")
    md.append("Same backend (benchbackend), same machine, same run; load generator benchload "
              "(WebSocket) and wrk (HTTP). Ratios: gateway ÷ other (for latency and memory, "
              "lower is better).  ")
    for w in sorted(placement):
        p = placement[w]
        if p.get("pinned"):
            md.append(f"{w} worker(s): the proxy under test on CPU {p['proxyCpus']}, load generator "
                      f"and backend on CPU {p['loadCpus']} (taskset).  ")
        else:
            md.append(f"{w} worker(s): nothing pinned (proxy, load generator and backend share "
                      f"CPUs {p['proxyCpus']}).  ")
    md.append("")
    md.append("| workers | measure | gateway | nginx | HAProxy | gw ÷ nginx | gw ÷ HAProxy | target |")
    md.append("|---:|---|---:|---:|---:|---:|---:|---|")
    for label, digits, row in rows:
        target = ""
        if "target" in row:
            met = row["targetMet"]
            target = row["target"] + (" ✅" if met else " ❌" if met is not None else " ?")
        md.append(f"| {row['workers']} | {label.strip() if not label.startswith('  ') else '↳ ' + label.strip()} "
                  f"| {fmt(row['gateway'], digits)} | {fmt(row['nginx'], digits)} "
                  f"| {fmt(row['haproxy'], digits)} | {fmt_ratio(row['gatewayOverNginx'])} "
                  f"| {fmt_ratio(row['gatewayOverHaproxy'])} | {target} |")
    if guilag:
        if "error" in guilag:
            md.append(f"| 1 | GUI-thread lag, max ms | {guilag['error']} | | | | | ≤ 50 ms ? |")
        else:
            ok = guilag.get("maxLagMs", 1e9) <= 50
            md.append(f"| 1 | GUI-thread lag (10 ms timer), max ms "
                      f"({guilag.get('idle')} idle + {guilag.get('active')} active) "
                      f"| {guilag.get('maxLagMs', 0):.1f} (p99 {guilag.get('p99LagMs', 0):.1f}) | | | | "
                      f"| ≤ 50 ms {'✅' if ok else '❌'} |")
    if errors:
        md.append("\nErrors seen during the run:\n")
        for e in errors:
            md.append(f"- {e}")
    md.append("")
    with open(args.md, "w") as f:
        f.write("\n".join(md))
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "rows": [r for _, _, r in rows], "guiLag": guilag,
                   "errors": errors, "raw": records}, f, indent=2)
        f.write("\n")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "wrk":
        cpu_ns = None
        if len(sys.argv) >= 4 and sys.argv[2] == "--cpu-ns":
            cpu_ns = int(sys.argv[3])
        print(json.dumps(parse_wrk(sys.stdin.read(), cpu_ns)))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["report"])
    parser.add_argument("--raw", required=True)
    parser.add_argument("--md", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--seconds", default="5")
    parser.add_argument("--rounds", default="1")
    parser.add_argument("--idle", type=int, default=4000)
    parser.add_argument("--active", type=int, default=50)
    parser.add_argument("--quick", default="0")
    report(parser.parse_args())


if __name__ == "__main__":
    main()
