#!/usr/bin/env python3
"""Checks OTLP traces decoded by the official definitions (otlp_check.mjs) against the log and the
transcripts they were exported from, printing TAP lines without numbers or plan (the calling
script merges them). Written from the GenAI semantic conventions and docs/fleet.md, independently
of lib/report/et_traces.c.

  traces_check.py DECODED LOG PARAMS [TRANSCRIPT...]

DECODED: decoded ExportTraceServiceRequests, one per line; LOG: the log exported; PARAMS: "params"
when the export had --include-params, else "-"; TRANSCRIPT: the transcripts whose API responses
must each be one chat span.
"""
import json
import sys
from datetime import datetime, timezone

decoded, log, params = sys.argv[1:4]
transcripts = sys.argv[4:]
out = []


def ok(cond, what):
    out.append(("ok - " if cond else "not ok - ") + what)
    return cond


def attrs(span):
    res = {}
    for kv in span.get("attributes", []):
        v = kv["value"]
        (k, x), = v.items()
        res[kv["key"]] = int(x) if k == "intValue" else x
    return res


def ns(ts):
    d = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return (int(d.timestamp()) * 1000 + d.microsecond // 1000) * 1000000


spans = []
for line in open(decoded):
    req = json.loads(line)
    for rs in req["resourceSpans"]:
        res = attrs(rs["resource"])
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                s["_attrs"] = attrs(s)
                s["_resource"] = res
                spans.append(s)
by_id = {s["spanId"]: s for s in spans}
ok(len(by_id) == len(spans), "span ids are unique (%d spans)" % len(spans))
ok(all(len(s["traceId"]) == 32 and len(s["spanId"]) == 16 for s in spans),
   "trace ids are 16 bytes, span ids 8")

calls = []
for line in open(log):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if isinstance(r, dict) and r.get("outcome") in ("success", "failure", "interrupted"):
        calls.append(r)

tools = [s for s in spans if s["_attrs"].get("gen_ai.operation.name") == "execute_tool"]
agents = [s for s in spans if s["_attrs"].get("gen_ai.operation.name") == "invoke_agent"]
chats = [s for s in spans if s["_attrs"].get("gen_ai.operation.name") == "chat"]
ok(len(tools) == len(calls), "one execute_tool span per call: %d spans, %d calls" % (len(tools), len(calls)))
ok(len(tools) + len(agents) + len(chats) == len(spans), "every span is execute_tool, invoke_agent or chat")

tool_by_call = {(s["_attrs"].get("gen_ai.conversation.id"), s["_attrs"].get("gen_ai.tool.call.id")): s
                for s in tools}
sessions = {}
bad = []
# Records of the old plugin have no tool_use_id (nor a zone in their time): counted, not matched.
anonymous = [r for r in calls if not r.get("tool_use_id")]
ok(len(anonymous) == len([s for s in tools if "gen_ai.tool.call.id" not in s["_attrs"]]),
   "calls without a tool_use_id: as many spans without gen_ai.tool.call.id (%d)" % len(anonymous))
for r in calls:
    if not r.get("tool_use_id"):
        sessions.setdefault(r["session_id"], [])
        continue
    s = tool_by_call.get((r["session_id"], r.get("tool_use_id")))
    if not s:
        bad.append("no span for %s %s" % (r["session_id"], r.get("tool_use_id")))
        continue
    a = s["_attrs"]
    want = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": r["tool_name"],
            "gen_ai.tool.call.id": r["tool_use_id"], "gen_ai.conversation.id": r["session_id"],
            "gen_ai.tool.type": "extension" if r["tool_name"].startswith("mcp__") else "function"}
    for k, v in want.items():
        if a.get(k) != v:
            bad.append("%s: %s is %r, not %r" % (r["tool_use_id"], k, a.get(k), v))
    if s["name"] != "execute_tool " + r["tool_name"] or s["kind"] != 1:
        bad.append("%s: name %r kind %r" % (r["tool_use_id"], s["name"], s["kind"]))
    failed = r["outcome"] != "success"
    if failed != ("error.type" in a) or failed != (s.get("status", {}).get("code") == 2):
        bad.append("%s: error.type and status ERROR only on a failure" % r["tool_use_id"])
    if r["outcome"] == "interrupted" and a.get("error.type") != "interrupted":
        bad.append("%s: an interruption's error.type" % r["tool_use_id"])
    end = ns(r["timestamp"])
    start = end - round((r.get("latency_ms") or 0) * 1000000)
    if int(s["endTimeUnixNano"]) != end or int(s["startTimeUnixNano"]) != start:
        bad.append("%s: times %s..%s, not %d..%d" % (r["tool_use_id"], s["startTimeUnixNano"],
                                                   s["endTimeUnixNano"], start, end))
    # The parent: the subagent's invoke_agent span, whose parent is the session's.
    p = by_id.get(s.get("parentSpanId"))
    if not p or p["_attrs"].get("gen_ai.operation.name") != "invoke_agent" or p["traceId"] != s["traceId"]:
        bad.append("%s: the parent is not an invoke_agent span of the same trace" % r["tool_use_id"])
        continue
    if r.get("agent_id"):
        if p["_attrs"].get("gen_ai.agent.id") != r["agent_id"] or \
                p["_attrs"].get("gen_ai.agent.name") != (r.get("agent_type") or "subagent") or \
                p["name"] != "invoke_agent " + (r.get("agent_type") or "subagent"):
            bad.append("%s: the parent is not subagent %s" % (r["tool_use_id"], r["agent_id"]))
        p = by_id.get(p.get("parentSpanId"))
        if not p:
            bad.append("%s: the subagent has no parent" % r["tool_use_id"])
            continue
    if p.get("parentSpanId") or p["_attrs"].get("gen_ai.conversation.id") != r["session_id"] or \
            p["_attrs"].get("gen_ai.agent.name") != r["agent"] or p["name"] != "invoke_agent " + r["agent"]:
        bad.append("%s: the root is not the session's invoke_agent span" % r["tool_use_id"])
    sessions.setdefault(r["session_id"], []).append((start, end))
    if params == "params":
        if json.loads(a.get("gen_ai.tool.call.arguments", "null")) != r.get("params"):
            bad.append("%s: --include-params: the arguments are not the log's" % r["tool_use_id"])
        if failed and r.get("error") and s["status"].get("message") != r["error"]:
            bad.append("%s: --include-params: the status message is not the log's error" % r["tool_use_id"])
    elif "gen_ai.tool.call.arguments" in a or s.get("status", {}).get("message"):
        bad.append("%s: arguments or error text exported without --include-params" % r["tool_use_id"])
ok(not bad, "each call's span: name, kind, attributes, times, status, parent chain, params"
   + ("" if not bad else ": " + "; ".join(bad[:5])))

roots = [s for s in agents if not s.get("parentSpanId")]
ok(sorted(s["_attrs"]["gen_ai.conversation.id"] for s in roots) == sorted(sessions),
   "one root invoke_agent span per session (%d)" % len(sessions))
bad = []
for s in spans:
    root = s
    while root.get("parentSpanId"):
        root = by_id[root["parentSpanId"]]
    if s is root:
        continue
    if not (int(root["startTimeUnixNano"]) <= int(s["startTimeUnixNano"]) and
            int(s["endTimeUnixNano"]) <= int(root["endTimeUnixNano"])):
        bad.append("%s outside its session's span" % s["name"])
    if s["traceId"] != root["traceId"]:
        bad.append("%s in another trace" % s["name"])
ok(not bad, "every span lies within its session's invoke_agent span, in its trace"
   + ("" if not bad else ": " + "; ".join(bad[:5])))

# Chat spans: one per API response (message.id + requestId, the most complete line, no synthetic).
resp = {}
for path in transcripts:
    for line in open(path):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        m = e.get("message") if isinstance(e, dict) else None
        if not isinstance(m, dict) or not isinstance(m.get("usage"), dict) or m.get("model") == "<synthetic>":
            continue
        if e.get("sessionId") not in sessions:
            continue
        u = m["usage"]
        tot = [u.get("input_tokens") or 0, u.get("output_tokens") or 0, u.get("cache_read_input_tokens") or 0,
               u.get("cache_creation_input_tokens") or 0]
        key = (m.get("id"), e.get("requestId"))
        if key not in resp or sum(tot) > sum(resp[key][1]):
            resp[key] = (e, tot)
want_chats = sorted((m[0], e["message"]["model"], t[0] + t[2] + t[3], t[1], t[2], t[3])
                    for m, (e, t) in resp.items())
got_chats = sorted((s["_attrs"].get("gen_ai.response.id"), s["_attrs"].get("gen_ai.request.model"),
                    s["_attrs"].get("gen_ai.usage.input_tokens"), s["_attrs"].get("gen_ai.usage.output_tokens"),
                    s["_attrs"].get("gen_ai.usage.cache_read.input_tokens"),
                    s["_attrs"].get("gen_ai.usage.cache_creation.input_tokens")) for s in chats)
ok(got_chats == want_chats, "one chat span per API response, with its model and gen_ai.usage.* "
   "(%d spans, %d responses)" % (len(got_chats), len(want_chats)))
ok(all(s["name"] == "chat " + s["_attrs"]["gen_ai.request.model"] and s["kind"] == 3 and
       s["_attrs"].get("gen_ai.provider.name") == "anthropic" for s in chats),
   "chat spans: name 'chat MODEL', kind CLIENT, gen_ai.provider.name anthropic")
print("\n".join(out))
