#!/usr/bin/env python3
"""Writes Claude Code transcripts for the cost tests and the benchmark, and what they add up to.

usage: gentranscripts.py OUTDIR [--seed N] [--sessions N] [--responses N] [--pad BYTES]
                         [--one-hour] [--simple] [--expect FILE]

OUTDIR/projects/<project>/<session>.jsonl gets one transcript per session, compact JSON like
Claude Code writes it (ccusage 20 reads nothing else), with what makes counting hard:
  - a response written on one line per content block (text, then tool_use), the first line
    sometimes with a partial output_tokens, as streaming leaves it;
  - the tool results in between (user lines without usage);
  - sidechain replays: a response repeated with isSidechain true under a new requestId;
  - subagents: <session>/subagents/agent-<id>.jsonl with a .meta.json sidecar, and one nested
    under subagents/workflows/<wf>/;
  - several models, fast mode on Opus 4.6, and (--one-hour) 1-hour cache writes.
--expect writes the true totals (each response once) and their cost at list prices, worked out
here from what was generated, independently of the program under test.
"""
import argparse
import json
import os
import random

# USD per million tokens: input, output, 5-minute write, 1-hour write, read; fast multiplier.
PRICES = {
    "claude-sonnet-4-6": (3, 15, 3.75, 6, 0.30, 1),
    "claude-opus-4-6": (5, 25, 6.25, 10, 0.50, 6),
    "claude-haiku-4-5-20251001": (1, 5, 1.25, 2, 0.10, 1),
    "claude-sonnet-4-5-20250929": (3, 15, 3.75, 6, 0.30, 1),
    "claude-opus-4-1": (15, 75, 18.75, 30, 1.50, 1),
}
MODELS = list(PRICES)
TOOLS = ["Read", "Bash", "Edit", "Grep", "Glob", "Write"]


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Gen:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.args = args
        self.n = 0
        self.totals = {"input_tokens": 0, "output_tokens": 0, "cache_creation_tokens": 0,
                       "cache_read_tokens": 0, "responses": 0, "cost_usd": 0.0}
        self.days = {}
        self.tools = 0

    def next_id(self, prefix):
        self.n += 1
        return "%s%08d" % (prefix, self.n)

    def count(self, model, usage, day):
        p = PRICES[model]
        one_hour = usage["cache_creation"]["ephemeral_1h_input_tokens"]
        five = usage["cache_creation_input_tokens"] - one_hour
        cost = (usage["input_tokens"] * p[0] + usage["output_tokens"] * p[1] + five * p[2] +
                one_hour * p[3] + usage["cache_read_input_tokens"] * p[4]) / 1e6
        if usage.get("speed") == "fast":
            cost *= p[5]
        for t in (self.totals, self.days.setdefault(day, {"input_tokens": 0, "output_tokens": 0,
                                                          "cache_creation_tokens": 0,
                                                          "cache_read_tokens": 0,
                                                          "responses": 0, "cost_usd": 0.0})):
            t["input_tokens"] += usage["input_tokens"]
            t["output_tokens"] += usage["output_tokens"]
            t["cache_creation_tokens"] += usage["cache_creation_input_tokens"]
            t["cache_read_tokens"] += usage["cache_read_input_tokens"]
            t["responses"] += 1
            t["cost_usd"] += cost

    def transcript(self, path, session, cwd, ts, responses, sidechain_ok):
        rng = self.rng
        lines = []
        parent = None
        model = rng.choice(MODELS)
        for _ in range(responses):
            if rng.random() < 0.15:
                model = rng.choice(MODELS)
            ts += rng.randint(1, 40) * 1000
            stamp = "2026-11-%02dT%02d:%02d:%02d.%03dZ" % (
                20 + ts // 86400000, ts // 3600000 % 24, ts // 60000 % 60, ts // 1000 % 60,
                ts % 1000)
            mid = self.next_id("msg_")
            rid = self.next_id("req_")
            cc = rng.randint(0, 4000)
            one_hour = rng.randint(0, cc) if self.args.one_hour and rng.random() < 0.5 else 0
            usage = {"input_tokens": rng.randint(1, 3000),
                     "cache_creation_input_tokens": cc,
                     "cache_read_input_tokens": rng.randint(0, 150000),
                     "output_tokens": rng.randint(1, 2000),
                     "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
                     "service_tier": "standard",
                     "cache_creation": {"ephemeral_1h_input_tokens": one_hour,
                                        "ephemeral_5m_input_tokens": cc - one_hour},
                     "inference_geo": "", "iterations": [], "speed": "standard"}
            if model == "claude-opus-4-6" and rng.random() < 0.3:
                usage["speed"] = "fast"
            tool_id = "toolu_" + self.next_id("") if rng.random() < 0.7 else None
            blocks = [{"type": "text", "text": "x" * rng.randint(10, self.args.pad)}]
            if tool_id:
                blocks.append({"type": "tool_use", "id": tool_id, "name": rng.choice(TOOLS),
                               "input": {"command": "echo %d" % rng.randint(0, 99)}})
            for i, block in enumerate(blocks):
                u = dict(usage)
                if i == 0 and len(blocks) > 1 and not self.args.simple and rng.random() < 0.5:
                    u["output_tokens"] = rng.randint(1, usage["output_tokens"])  # partial
                uid = self.next_id("uuid-")
                lines.append({"parentUuid": parent, "isSidechain": False, "userType": "external",
                              "cwd": cwd, "sessionId": session, "version": "2.1.197",
                              "gitBranch": "main",
                              "message": {"id": mid, "type": "message", "role": "assistant",
                                          "model": model, "content": [block],
                                          "stop_reason": "tool_use" if tool_id else "end_turn",
                                          "stop_sequence": None, "usage": u},
                              "requestId": rid, "type": "assistant", "uuid": uid,
                              "timestamp": stamp})
                parent = uid
            self.count(model, usage, stamp[:10])
            if sidechain_ok and not self.args.simple and rng.random() < 0.1:
                replay = json.loads(dumps(lines[-1]))
                replay["isSidechain"] = True
                replay["requestId"] = self.next_id("req_")
                replay["uuid"] = self.next_id("uuid-")
                lines.append(replay)
            if tool_id:
                self.tools += 1
                uid = self.next_id("uuid-")
                lines.append({"parentUuid": parent, "isSidechain": False, "userType": "external",
                              "cwd": cwd, "sessionId": session, "version": "2.1.197",
                              "gitBranch": "main", "type": "user",
                              "message": {"role": "user", "content": [
                                  {"type": "tool_result", "tool_use_id": tool_id,
                                   "content": "r" * rng.randint(10, 8 * self.args.pad)}]},
                              "uuid": uid, "timestamp": stamp, "toolUseResult": "ok"})
                parent = uid
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(dumps(line) + "\n")
        return ts

    def run(self):
        a = self.args
        for s in range(a.sessions):
            project = "-home-user-p%d" % (s % 3)
            cwd = "/home/user/p%d" % (s % 3)
            session = "%08x-0000-4000-8000-%012x" % (a.seed, s)
            base = os.path.join(a.outdir, "projects", project)
            ts = self.rng.randint(0, 5 * 86400000)
            ts = self.transcript(os.path.join(base, session + ".jsonl"), session, cwd, ts,
                                 a.responses, True)
            if s % 4 == 0:
                agent = self.next_id("a")
                sub = os.path.join(base, session, "subagents")
                self.transcript(os.path.join(sub, "agent-%s.jsonl" % agent), session, cwd, ts,
                                max(1, a.responses // 3), False)
                with open(os.path.join(sub, "agent-%s.meta.json" % agent), "w") as f:
                    f.write(dumps({"agentType": "Explore"}))
            if s % 7 == 0:
                agent = self.next_id("w")
                sub = os.path.join(base, session, "subagents", "workflows", "wf1")
                self.transcript(os.path.join(sub, "agent-%s.jsonl" % agent), session, cwd, ts,
                                max(1, a.responses // 4), False)
        if a.expect:
            with open(a.expect, "w") as f:
                f.write(json.dumps({"totals": self.totals, "days": self.days,
                                    "tool_calls": self.tools}, indent=1, sort_keys=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sessions", type=int, default=12)
    ap.add_argument("--responses", type=int, default=40)
    ap.add_argument("--pad", type=int, default=200)
    ap.add_argument("--one-hour", action="store_true")
    ap.add_argument("--simple", action="store_true",
                    help="no partial lines and no sidechain replays (what ccusage 18 counts right)")
    ap.add_argument("--expect")
    Gen(ap.parse_args()).run()


if __name__ == "__main__":
    main()
