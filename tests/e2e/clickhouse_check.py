#!/usr/bin/env python3
"""Checks for tests/e2e/clickhouse.sh: ClickHouse's answers against telemetry-stats, and rows
through ClickHouse against the export. Prints TAP lines without numbers ("ok - ...").

  clickhouse_check.py ports N                     N free TCP ports on 127.0.0.1, one a line
  clickhouse_check.py docs FLEET.md SQL_DIR       each SQL file is a ```sql block of FLEET.md
  clickhouse_check.py stats STATS.json TOTALS.jsonl TOOLS.jsonl
  clickhouse_check.py chains PATTERNS.json CHAINS.jsonl
  clickhouse_check.py ranks-log LOG               append calls whose p*n is whole to LOG
  clickhouse_check.py hostile-log OUT             write the hostile fixture log
  clickhouse_check.py roundtrip EXPORT.jsonl BACK.jsonl ISNULL.jsonl
"""
import json
import math
import socket
import sys

failed = 0


def ok(cond, desc):
    global failed
    if cond:
        print("ok - " + desc)
    else:
        failed += 1
        print("not ok - " + desc)


def json_round(v):
    """The number as `--json` writes it (lib/report/et_render.c json_round): rounded to 6
    decimals, round half away from zero, printed with %.15g."""
    if v is None:
        return None
    x = v * 1e6
    r = math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)
    r = r / 1e6
    return float("%.15g" % r)


def num(v):
    return None if v is None else float(v)


def read_rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def lat_of(row):
    """The latency object of a stats-*.sql row, in the form of `stats --json`."""
    return {
        "count": int(row["lat_count"]),
        "avg": json_round(num(row["lat_avg"])),
        "p50": json_round(num(row["lat_p50"])),
        "p95": json_round(num(row["lat_p95"])),
        "p99": json_round(num(row["lat_p99"])),
        "max": json_round(num(row["lat_max"])),
    }


def lat_json(lat):
    return {k: (None if lat[k] is None else float(lat[k])) if k != "count" else lat[k]
            for k in ("count", "avg", "p50", "p95", "p99", "max")}


def cmd_stats(stats_path, totals_path, tools_path):
    with open(stats_path, encoding="utf-8") as f:
        st = json.load(f)
    totals = read_rows(totals_path)
    tools = read_rows(tools_path)
    ok(len(totals) == 1, "stats-totals.sql: one row")
    if totals:
        t = totals[0]
        for k_sql, k_json in (("calls", "total_calls"), ("successes", "successes"),
                              ("failures", "failures"), ("interrupted", "interrupted"),
                              ("sessions", "sessions")):
            ok(int(t[k_sql]) == st[k_json],
               "totals: %s %s = stats %s %s" % (k_sql, t[k_sql], k_json, st[k_json]))
        ok(json_round(t["success_rate"]) == st["success_rate"],
           "totals: success_rate %s = %s" % (t["success_rate"], st["success_rate"]))
        ok(lat_of(t) == lat_json(st["latency_ms"]),
           "totals: latency %s = %s" % (lat_of(t), st["latency_ms"]))
    ok([r["tool"] for r in tools] == [x["tool"] for x in st["tools"]],
       "stats-tools.sql: the %d tools, in the order of stats (calls desc, tool asc)" % len(tools))
    by_tool = {x["tool"]: x for x in st["tools"]}
    ok("RankTwenty" in by_tool and by_tool["RankTwenty"]["latency_ms"]["p95"] == 19 and
       by_tool["RankHundred"]["latency_ms"]["p99"] == 99,
       "stats: RankTwenty p95 19, RankHundred p99 99 (nearest rank)")
    for r in tools:
        x = by_tool.get(r["tool"])
        if x is None:
            ok(False, "tool %s: in stats --json" % r["tool"])
            continue
        got = (int(r["calls"]), int(r["successes"]), int(r["failures"]), int(r["interrupted"]),
               json_round(r["success_rate"]), lat_of(r))
        want = (x["calls"], x["successes"], x["failures"], x["interrupted"],
                float(x["success_rate"]), lat_json(x["latency_ms"]))
        ok(got == want, "tool %s: calls, failures, success rate, latency count/avg/p50/p95/p99/"
           "max %s = stats %s" % (r["tool"], got, want))


def cmd_chains(patterns_path, chains_path):
    with open(patterns_path, encoding="utf-8") as f:
        pt = json.load(f)
    rows = read_rows(chains_path)
    got = [(tuple(r["tools"]), int(r["count"]), json_round(r["success_rate"]),
            json_round(num(r["avg_ms"]))) for r in rows]
    want = [(tuple(c["tools"]), c["count"], float(c["success_rate"]),
             None if c["avg_ms"] is None else float(c["avg_ms"])) for c in pt["chains"]]
    ok(len(want) > 10, "patterns lists %d chains (enough to compare)" % len(want))
    ok(sorted(got) == sorted(want),
       "chains.sql: the %d chains, counts, success rates and avg_ms = patterns --json (%d)"
       % (len(got), len(want)))
    ok(got == want, "chains.sql: in the order of patterns (count, length, tools)")
    if sorted(got) != sorted(want):
        for g in sorted(set(got) ^ set(want))[:10]:
            print("# differs: %r (%s)" % (g, "sql" if g in got else "patterns"))


def cmd_docs(doc_path, sql_dir):
    """docs/fleet.md shows the SQL the test runs: each file, exactly, as one ```sql block."""
    import os
    import re
    with open(doc_path, encoding="utf-8") as f:
        blocks = re.findall(r"^```sql\n(.*?)^```$", f.read(), re.S | re.M)
    names = sorted(n for n in os.listdir(sql_dir) if n.endswith(".sql"))
    ok(len(names) >= 5, "docs: %d SQL files in %s" % (len(names), sql_dir))
    for n in names:
        with open(os.path.join(sql_dir, n), encoding="utf-8") as f:
            text = f.read()
        ok(text.rstrip("\n") + "\n" in blocks,
           "docs: fleet.md shows %s exactly, as one ```sql block" % n)


def cmd_ranks_log(path):
    """Appends, after the generated log's end, 20 calls of RankTwenty and 100 of RankHundred
    with latencies 1..n in a shuffled order: p * n is a whole number for p50, p95 (and p99 at
    100), where nearest rank (ceil(p * n)) and quantileExact (floor(p * n) + 1) differ."""
    lines = []
    i = 0
    for tool, n, step in (("RankTwenty", 20, 7), ("RankHundred", 100, 37)):
        for k in range(n):
            lat = (k * step) % n + 1
            r = {"v": 1, "timestamp": "2026-11-21T01:%02d:%02d.000Z" % (i // 60, i % 60),
                 "event": "PostToolUse", "agent": "claude-code", "session_id": "ranks",
                 "prompt_id": None, "tool_use_id": "r%d" % i, "tool_name": tool,
                 "outcome": "success", "error": None, "exit_code": None, "latency_ms": lat,
                 "latency_source": "duration_ms", "params": {}, "params_fp": None,
                 "response_bytes": None, "redactions": 0, "truncations": 0, "cwd": "/r",
                 "transcript_path": None, "permission_mode": None, "agent_id": None,
                 "agent_type": None}
            lines.append(json.dumps(r, separators=(",", ":")))
            i += 1
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


HUGE = 3 * 1024 * 1024


def cmd_hostile_log(out):
    base = {"v": 1, "event": "PostToolUseFailure", "agent": "claude-code", "prompt_id": None,
            "exit_code": None, "latency_source": "duration_ms", "params_fp": None,
            "response_bytes": None, "redactions": 0, "truncations": 0, "cwd": "/w",
            "transcript_path": None, "permission_mode": None, "agent_id": None,
            "agent_type": None}
    recs = []
    # 1: every field that may be null is null.
    r = dict(base, timestamp="2026-11-21T14:11:16.123Z", event=None, agent=None,
             session_id=None, tool_use_id=None, tool_name=None, outcome="failure", error=None,
             latency_ms=None, latency_source=None, params=None, cwd=None, redactions=None,
             truncations=None)
    recs.append(json.dumps(r, separators=(",", ":")).encode())
    # 2: quotes, backslashes, newlines, CR, tab, control characters, DEL, non-ASCII, an emoji,
    # a lone surrogate (\ud800, no character: U+FFFD), SQL and JSON look-alikes; huge params.
    hostile = ("it's \"quoted\" \\back\\slash\\ \n new line\r\n\ttab \x01\x02\x1f\x7f "
               "caf\u00e9 \u4e2d\u6587 \U0001F600 '); DROP TABLE calls; -- {\"a\":[1,2]} \\N NULL")
    r = dict(base, timestamp="2026-11-21T14:11:17.000Z", session_id="s-\"hostile\"\n",
             tool_use_id="t2", tool_name="Bash\t'x'", outcome="failure",
             error=hostile, exit_code=2, latency_ms=3.25,
             params={"command": hostile, "huge": "x" * HUGE, "nested": {"n": None, "z": [1.5]}},
             response_bytes=123456789012)
    line = json.dumps(r, separators=(",", ":"), ensure_ascii=False).encode()
    line = line.replace(b"\"t2\"", b"\"t\\ud800x\"")
    recs.append(line)
    # 3: invalid UTF-8 bytes in strings (the reader replaces them with U+FFFD).
    r = dict(base, timestamp="2026-11-21T14:11:18.000Z", session_id="s3", tool_use_id="t3",
             tool_name="Read", outcome="success", error="BAD", latency_ms=7,
             params={"file_path": "BAD"})
    line = json.dumps(r, separators=(",", ":")).encode()
    line = line.replace(b"\"BAD\"", b"\"a\xff\xfeb\xc3(\xed\xa0\x80z\"")
    recs.append(line)
    with open(out, "wb") as f:
        f.write(b"\n".join(recs) + b"\n")


def cmd_roundtrip(export_path, back_path, isnull_path):
    sent = read_rows(export_path)
    back = read_rows(back_path)
    nulls = read_rows(isnull_path)
    ok(len(sent) == 3 and len(back) == 3, "hostile: 3 rows exported, 3 read back (%d, %d)"
       % (len(sent), len(back)))
    if len(sent) != 3 or len(back) != 3:
        return
    for i, (s, b) in enumerate(zip(sent, back)):
        diff = [k for k in s if s[k] != b.get(k)]
        ok(not diff and set(s) == set(b),
           "hostile row %d: every column read back from ClickHouse equals the export%s"
           % (i + 1, " (differs: %s)" % diff if diff else ""))
    # Row 1: nulls are NULL in the table, not '' or 0.
    nullable = [k for k, v in sent[0].items() if v is None]
    ok(len(nullable) >= 20, "hostile row 1: %d columns exported as null" % len(nullable))
    ok(all(int(nulls[0][k]) == 1 for k in nullable),
       "hostile row 1: isNull() is 1 in ClickHouse for each of them")
    ok(all(int(nulls[1][k]) == 0 for k in ("error", "params", "session_id", "latency_ms")),
       "hostile row 2: isNull() is 0 for the values that are there")
    ok(back[0]["tool_name"] is None and back[0]["session_id"] is None
       and back[0]["latency_ms"] is None, "hostile row 1: tool_name, session_id, latency null")
    # Row 2: the hostile text, byte for byte, and the huge params.
    hostile = ("it's \"quoted\" \\back\\slash\\ \n new line\r\n\ttab \x01\x02\x1f\x7f "
               "caf\u00e9 \u4e2d\u6587 \U0001F600 '); DROP TABLE calls; -- {\"a\":[1,2]} \\N NULL")
    b = back[1]
    ok(b["error"] == hostile, "hostile row 2: error (quotes, newlines, control characters, "
       "emoji, SQL) unchanged through ClickHouse")
    ok(b["session_id"] == "s-\"hostile\"\n" and b["tool_name"] == "Bash\t'x'",
       "hostile row 2: session_id and tool_name unchanged")
    ok(b["tool_use_id"] == "t\ufffdx", "hostile row 2: a lone surrogate escape became U+FFFD")
    try:
        p = json.loads(b["params"])
    except (TypeError, ValueError):
        p = None
    ok(isinstance(p, dict) and p.get("command") == hostile and p.get("huge") == "x" * HUGE
       and p.get("nested") == {"n": None, "z": [1.5]},
       "hostile row 2: params (%d bytes of JSON text) parse back to the logged object"
       % len(b["params"] or ""))
    ok(b["exit_code"] == 2 and b["latency_ms"] == 3.25 and b["response_bytes"] == 123456789012,
       "hostile row 2: exit_code 2, latency_ms 3.25, response_bytes 123456789012 typed")
    ok(b["time"] == "2026-11-21 14:11:17" and b["time_ms"] == 0
       and b["timestamp"] == "2026-11-21T14:11:17.000Z" and back[0]["time_ms"] == 123,
       "hostile: timestamp string, time (DateTime, UTC) and time_ms")
    # Row 3: invalid UTF-8 replaced, one U+FFFD per bad byte, before it reached ClickHouse.
    c = back[2]
    ok(c["error"] is not None and c["error"].startswith("a\ufffd\ufffdb") and "\ufffd(" in
       c["error"] and c["error"].endswith("z"),
       "hostile row 3: invalid UTF-8 in error replaced by U+FFFD (%r)" % c["error"])
    try:
        fp = json.loads(c["params"])["file_path"]
    except (TypeError, ValueError, KeyError):
        fp = None
    ok(fp == c["error"], "hostile row 3: the same replacement inside params")


def main():
    a = sys.argv[1:]
    if a[:1] == ["ports"]:
        socks = []
        for _ in range(int(a[1])):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        for s in socks:
            print(s.getsockname()[1])
        return 0
    if a[:1] == ["docs"]:
        cmd_docs(a[1], a[2])
    elif a[:1] == ["stats"]:
        cmd_stats(*a[1:4])
    elif a[:1] == ["chains"]:
        cmd_chains(*a[1:3])
    elif a[:1] == ["ranks-log"]:
        cmd_ranks_log(a[1])
    elif a[:1] == ["hostile-log"]:
        cmd_hostile_log(a[1])
    elif a[:1] == ["roundtrip"]:
        cmd_roundtrip(*a[1:4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
