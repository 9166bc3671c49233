#!/usr/bin/env python3
"""Checks telemetry-stats cost --json against numbers worked out elsewhere; prints TAP lines.

usage: cost_check.py OURS.json totals EXPECT.json        (the generator's --expect file)
       cost_check.py OURS.json days EXPECT.json
       cost_check.py OURS.json tools                      (--by tool: parts add up)
       cost_check.py OURS.json ccusage CCUSAGE.json LABEL [SKIP_FIELD:REASON ...]
"""
import json
import sys

FIELDS = [("input_tokens", "inputTokens"), ("output_tokens", "outputTokens"),
          ("cache_creation_tokens", "cacheCreationTokens"),
          ("cache_read_tokens", "cacheReadTokens")]


def ok(cond, msg):
    print(("ok - " if cond else "not ok - ") + msg)


def main():
    ours = json.load(open(sys.argv[1]))
    mode = sys.argv[2]
    if mode in ("totals", "days"):
        exp = json.load(open(sys.argv[3]))
        if mode == "totals":
            pairs = [("all", ours["totals"], exp["totals"])]
        else:
            rows = {r["key"]: r for r in ours["rows"]}
            ok(sorted(rows) == sorted(exp["days"]), "the same days as generated")
            pairs = [(d, rows.get(d, {}), e) for d, e in sorted(exp["days"].items())]
        for name, o, e in pairs:
            same = all(o.get(k) == e[k] for k, _ in FIELDS) and o.get("responses") == e["responses"]
            ok(same, "%s: tokens and responses as generated (%s)" % (
                name, {k: (o.get(k), e[k]) for k, _ in FIELDS}))
            ok(abs(o.get("cost_usd", -1) - e["cost_usd"]) < 1e-6,
               "%s: cost %s as worked out at list prices (%s)" % (
                   name, o.get("cost_usd"), round(e["cost_usd"], 6)))
    elif mode == "tools":
        parts = sum(r["cost_usd"] for r in ours["rows"]) + ours["totals"]["unattributed_usd"]
        ok(abs(parts - ours["totals"]["cost_usd"]) < 1e-6,
           "per-tool costs plus unattributed = total (%.9f vs %.9f)" % (
               parts, ours["totals"]["cost_usd"]))
        ok(all(r["cost_usd"] >= 0 for r in ours["rows"]) and
           ours["totals"]["unattributed_usd"] >= -1e-9, "no part is negative")
    elif mode == "ccusage":
        cc = json.load(open(sys.argv[3]))["totals"]
        label = sys.argv[4]
        skip = dict(a.split(":", 1) for a in sys.argv[5:])
        for ours_k, cc_k in FIELDS + [("cost_usd", "totalCost")]:
            o, c = ours["totals"][ours_k], cc[cc_k]
            same = (round(o, 2) == round(c, 2)) if ours_k == "cost_usd" else o == c
            if ours_k in skip:
                ok(not same, "%s: %s differs on purpose (%s vs %s): %s" % (
                    label, ours_k, o, c, skip[ours_k]))
            else:
                ok(same, "%s: %s equal%s (%s vs %s)" % (
                    label, ours_k, " to the cent" if ours_k == "cost_usd" else "", o, c))


if __name__ == "__main__":
    main()
