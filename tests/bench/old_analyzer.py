#!/usr/bin/env python3
"""The stats benchmark's baseline: a Python analyzer doing the old plugin's job.

It reads the log line by line with json.loads (skipping lines that are not JSON objects), keeps the
records whose timestamp falls in a window of DAYS days before a fixed NOW, and computes per tool
the call count, success rate and latency avg/p50/p95 (nearest rank, on a sorted list), and the 2-,
3- and 4-gram tool chains of each session with their counts. It prints a small report.

A straightforward, honest implementation of what telemetry-stats replaces: one process, the
standard library, no deliberate slowness and no tricks (no multiprocessing, no regex pre-filter).
It reads logs of both formats: a record without "v" (the old Python plugin's, naive timestamps,
taken as UTC here) has latency_ms 0, which means unknown.

usage: old_analyzer.py [--now TIME] [--days N | --all] LOG...
  --now TIME  the end of the window, ISO 8601 (default 2026-11-21T00:00:00Z, genlog's default)
  --days N    the window's length in days (default 7: what `--since 7d` selects)
  --all       no window: every record
"""

import argparse
import collections
import datetime
import json
import sys

CALL_OUTCOMES = ("success", "failure", "interrupted")


def parse_time(text):
    """An aware datetime from an ISO 8601 string; naive times (the old plugin's) are taken as UTC."""
    t = datetime.datetime.fromisoformat(text)
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return t


def nearest_rank(sorted_values, p):
    """The p-th percentile of a sorted list: the value at rank ceil(p/100 * n)."""
    n = len(sorted_values)
    rank = max(1, -(-p * n // 100))
    return sorted_values[rank - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--now", default="2026-11-21T00:00:00Z")
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("logs", nargs="+", metavar="LOG")
    args = ap.parse_args()

    now = parse_time(args.now)
    since = None if args.all else now - datetime.timedelta(days=args.days)

    lines = skipped = records = 0
    calls_by_tool = collections.Counter()
    ok_by_tool = collections.Counter()
    latencies = collections.defaultdict(list)
    sequences = collections.defaultdict(list)  # session -> tool names of its calls, in file order

    for path in args.logs:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                lines += 1
                try:
                    rec = json.loads(line)
                except ValueError:
                    skipped += 1
                    continue
                if not isinstance(rec, dict):
                    skipped += 1
                    continue
                if since is not None:
                    ts = rec.get("timestamp")
                    if not isinstance(ts, str):
                        continue
                    try:
                        t = parse_time(ts)
                    except ValueError:
                        continue
                    if t < since or t > now:
                        continue
                records += 1
                if rec.get("outcome") not in CALL_OUTCOMES:
                    continue
                tool = rec.get("tool_name") or "?"
                calls_by_tool[tool] += 1
                if rec["outcome"] == "success":
                    ok_by_tool[tool] += 1
                lat = rec.get("latency_ms")
                if isinstance(lat, (int, float)) and "v" in rec:
                    latencies[tool].append(lat)
                sequences[rec.get("session_id") or "unknown"].append(tool)

    chains = {n: collections.Counter() for n in (2, 3, 4)}
    for seq in sequences.values():
        for n in (2, 3, 4):
            for i in range(len(seq) - n + 1):
                chains[n][tuple(seq[i : i + n])] += 1

    total_calls = sum(calls_by_tool.values())
    total_ok = sum(ok_by_tool.values())
    window = "all records" if since is None else "%s .. %s" % (
        since.isoformat().replace("+00:00", "Z"),
        now.isoformat().replace("+00:00", "Z"),
    )
    out = sys.stdout
    out.write("window: %s\n" % window)
    out.write("lines: %d, skipped: %d, records in window: %d\n" % (lines, skipped, records))
    out.write(
        "calls: %d, success rate: %s, sessions: %d\n"
        % (
            total_calls,
            "%.1f%%" % (100.0 * total_ok / total_calls) if total_calls else "-",
            len(sequences),
        )
    )
    out.write("\n%-40s %8s %8s %10s %10s %10s\n" % ("tool", "calls", "success", "avg ms", "p50 ms", "p95 ms"))
    for tool, n in sorted(calls_by_tool.items(), key=lambda kv: (-kv[1], kv[0])):
        lat = sorted(latencies[tool])
        if lat:
            avg = "%.1f" % (sum(lat) / len(lat))
            p50 = "%g" % nearest_rank(lat, 50)
            p95 = "%g" % nearest_rank(lat, 95)
        else:
            avg = p50 = p95 = "-"
        out.write(
            "%-40s %8d %7.1f%% %10s %10s %10s\n"
            % (tool, n, 100.0 * ok_by_tool[tool] / n, avg, p50, p95)
        )
    for n in (2, 3, 4):
        out.write("\n%d-grams (%d distinct):\n" % (n, len(chains[n])))
        top = sorted(chains[n].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        for chain, count in top:
            out.write("  %8d  %s\n" % (count, " -> ".join(chain)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
