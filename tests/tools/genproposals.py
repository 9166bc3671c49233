#!/usr/bin/env python3
"""Writes the proposals fixtures (tests/data/proposals/): planted.jsonl holds each pattern that
`telemetry-stats proposals` looks for, just past its default threshold; clean.jsonl holds the same
kinds of calls, each just short of it, and must give no proposal. Run from the repository root;
the outputs are committed, this is how they were made."""
import json
import sys

T0 = 1795000000000  # 2026-11-18T..., the first call
DAY = 86400000


def iso(ms):
    import datetime
    d = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


class Log:
    def __init__(self):
        self.lines = []
        self.n = 0
        self.t = T0

    def call(self, sess, tool, params, outcome="success", error=None, lat=100, fp=None,
             rbytes=200, event=None, dt=10000, tx=None, feedback=None, agent=None, v=1,
             code=None):
        self.n += 1
        self.t += dt
        rec = {
            "v": v, "timestamp": iso(self.t),
            "event": event or ("PostToolUse" if outcome == "success" else "PostToolUseFailure"),
            "agent": "claude-code", "session_id": sess, "prompt_id": "p",
            "tool_use_id": "toolu_%04d" % self.n, "tool_name": tool, "outcome": outcome,
            "error": error, "exit_code": code, "latency_ms": lat,
            "latency_source": "duration_ms" if lat is not None else None,
            "params": params, "params_fp": fp or ("fp%04d" % self.n), "response_bytes": rbytes,
            "redactions": 0, "truncations": 0, "cwd": "/p/a",
            "transcript_path": tx, "permission_mode": "default",
            "agent_id": agent[0] if agent else None, "agent_type": agent[1] if agent else None,
        }
        if feedback:
            rec["feedback"] = feedback
        self.lines.append(rec)
        return rec["tool_use_id"]

    def batch(self, sess, ids, names):
        self.t += 1000
        self.lines.append({
            "v": 1, "timestamp": iso(self.t), "event": "PostToolBatch", "agent": "claude-code",
            "session_id": sess, "prompt_id": "p", "tool_use_id": None, "tool_name": None,
            "outcome": None, "error": None, "exit_code": None, "latency_ms": None,
            "latency_source": None, "params": None, "params_fp": None, "response_bytes": None,
            "redactions": 0, "truncations": 0, "cwd": "/p/a", "transcript_path": None,
            "permission_mode": "default", "agent_id": None, "agent_type": None,
            "tool_use_ids": ids, "tool_names": names})

    def boundary(self, sess, event, agent=None, dt=1000, **extra):
        """A session boundary record of format version 2 (docs/record-format.md)."""
        self.t += dt
        rec = {
            "v": 2, "timestamp": iso(self.t), "event": event, "agent": "claude-code",
            "session_id": sess, "prompt_id": None, "tool_use_id": None, "tool_name": None,
            "outcome": None, "error": None, "exit_code": None, "latency_ms": None,
            "latency_source": None, "params": None, "params_fp": None, "response_bytes": None,
            "redactions": 0, "truncations": 0, "cwd": "/p/a", "transcript_path": None,
            "permission_mode": "default",
            "agent_id": agent[0] if agent else None, "agent_type": agent[1] if agent else None,
        }
        rec.update(extra)
        self.lines.append(rec)

    def prompt(self, sess):
        self.boundary(sess, "UserPromptSubmit", prompt="fix it", prompt_bytes=6,
                      prompt_fp="0" * 32)

    def stop(self, sess):
        self.boundary(sess, "Stop", message_bytes=10)

    def day(self, k):
        self.t = T0 + k * DAY

    def write(self, path):
        with open(path, "w") as f:
            for r in self.lines:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")


def build(planted):
    g = Log()
    # Repeated error: the same npm failure in 3 sessions (2 in the clean log).
    err = "Exit code 1\nnpm ERR! Missing script: \"lint\""
    for k, s in enumerate(["s1", "s2", "s3"] if planted else ["s1", "s2"]):
        g.day(k)
        g.call(s, "Bash", {"command": "npm run lint"}, "failure", err, lat=1200)
        g.call(s, "Read", {"file_path": "/p/a/package.json"}, lat=50)
    # Slow tool: 5 calls of 12 s (4 in the clean log).
    g.day(3)
    for i in range(5 if planted else 4):
        g.call("s3", "mcp__ci__run_pipeline", {"ref": "main%d" % i}, lat=12000)
    # Retry loop: the same make call 3 times in a row (2 in the clean log).
    e2 = "Exit code 2\nmake: *** No rule to make target 'x'.  Stop."
    # The hook's feedback (feedback = on) answered every repeat.
    for i in range(3 if planted else 2):
        note = ("execution-telemetry: this exact Bash call (same tool, same input) already "
                "failed %d time%s earlier in this session" % (i, "" if i == 1 else "s")) if i else None
        g.call("s2", "Bash", {"command": "make x"}, "failure", e2, lat=300, fp="fpmake",
               feedback=note)
    g.call("s2", "Read", {"file_path": "/p/a/Makefile"}, lat=40)
    # Manual process: 11 calls from Bash and Read (10 in the clean log).
    g.day(4)
    for i in range(11 if planted else 10):
        if i % 3 == 2:
            g.call("s4", "Read", {"file_path": "/p/a/f%d.txt" % i}, lat=60)
        else:
            g.call("s4", "Bash", {"command": "step %d" % i}, lat=400)
    # Serial reads: 3 runs of read-only batches one at a time (2 in the clean log).
    g.day(5)
    for run in range(3 if planted else 2):
        for tool, params in (("Read", {"file_path": "/p/a/r%d.c" % run}),
                             ("Grep", {"pattern": "x%d" % run})):
            i = g.call("s5", tool, params, lat=800, dt=2000)
            g.batch("s5", [i], [tool])
        i = g.call("s5", "Edit", {"file_path": "/p/a/r%d.c" % run}, lat=30, dt=2000)
        g.batch("s5", [i], ["Edit"])
    # Rejected calls: 3 Edit calls refused before running (2 in the clean log).
    g.day(6)
    rej = "String to replace not found in file.\nString: foo()"
    for i in range(3 if planted else 2):
        g.call("s6", "Edit", {"file_path": "/p/a/e.c"}, "failure", rej, lat=None,
               event="PostToolBatch", rbytes=None)
    # Repeated read: one file read 3 times in a session (twice in the clean log).
    for i in range(3 if planted else 2):
        g.call("s6", "Read", {"file_path": "/p/a/big.c"}, lat=90)
        g.call("s6", "Edit", {"file_path": "/p/a/big.c", "n": i}, lat=20)
    # Huge results: 3 WebFetch results of 300 kB (2 in the clean log, and a 99 kB one).
    g.day(7)
    for i in range(3 if planted else 2):
        g.call("s7", "WebFetch", {"url": "https://example.com/%d" % i}, lat=900,
               rbytes=300000, tx="proposals/tx.jsonl")
    if not planted:
        g.call("s7", "WebFetch", {"url": "https://example.com/x"}, lat=900, rbytes=99999)
    # Dominant tool: Bash is 60% or more of the time of 2 sessions of 10+ calls (1 in the
    # clean log); 4 distinct tools each, so no manual process.
    for k, s in enumerate(["s8", "s9"] if planted else ["s8"]):
        g.day(8 + k)
        for i in range(7):
            g.call(s, "Bash", {"command": "build %d" % i}, lat=8000)
        for tool in ("Read", "Grep", "Glob", "Edit"):
            g.call(s, tool, {"file_path": "/p/a/d%d.c" % k, "t": tool}, lat=2000)
    # The runs (format 2, with requests and subagents), between the days above so that the log
    # spans the same days. First try: pytest fails, then passes, in 3 requests (2 in the clean
    # log, and one that passes first).
    g.t = T0 + 1 * DAY + 6 * 3600000
    g.boundary("s10", "SessionStart", source="startup", model="claude-sonnet-4-6")
    for k in range(3 if planted else 2):
        g.prompt("s10")
        g.call("s10", "Bash", {"command": "pytest -q tests/"}, "failure",
               "Exit code 1\nFAILED tests/test_core.py::test_parse - AssertionError", lat=4000,
               v=2, code=1)
        g.call("s10", "Edit", {"file_path": "/p/a/core.py", "k": k}, lat=30, v=2)
        g.call("s10", "Bash", {"command": "pytest -q tests/"}, lat=4000, v=2)
        g.stop("s10")
    if not planted:
        g.prompt("s10")
        g.call("s10", "Bash", {"command": "pytest -q tests/"}, lat=4000, v=2)
        g.stop("s10")
    # Unresolved cycles: git push fails twice in 3 requests and never succeeds; with the make
    # loop of s2, 4 Bash cycles (2 in the clean log, and a failure never tried again).
    g.t = T0 + 2 * DAY + 6 * 3600000
    for k in range(3 if planted else 1):
        g.prompt("s11")
        for cmd in ("git push origin main", "git push -u origin main"):
            g.call("s11", "Bash", {"command": cmd}, "failure",
                   "Exit code 1\nerror: failed to push some refs", lat=1500, v=2, code=1)
        g.call("s11", "Read", {"file_path": "/p/a/notes%d.md" % k}, lat=50, v=2)
        g.stop("s11")
    if not planted:
        g.prompt("s11")
        g.call("s11", "Bash", {"command": "git push origin main"}, "failure",
               "Exit code 1\nerror: failed to push some refs", lat=1500, v=2, code=1)
        g.stop("s11")
    # A failing subagent: in each request the db-migrator subagent is interrupted (never
    # stops), then run again (3 requests; 1 in the clean log), while Explore always works.
    g.t = T0 + 3 * DAY + 6 * 3600000
    for k in range(3 if planted else 1):
        g.prompt("s12")
        g.boundary("s12", "SubagentStart", agent=("a%d1" % k, "db-migrator"))
        g.call("s12", "Agent", {"subagent_type": "db-migrator", "prompt": "migrate"},
               "interrupted", lat=3000, v=2)
        a = ("a%d2" % k, "db-migrator")
        g.boundary("s12", "SubagentStart", agent=a)
        g.boundary("s12", "SubagentStop", agent=a, dt=20000, message_bytes=40)
        g.call("s12", "Agent", {"subagent_type": "db-migrator", "prompt": "migrate again"},
               lat=4000, v=2)
        a = ("a%d3" % k, "Explore")
        g.boundary("s12", "SubagentStart", agent=a)
        g.boundary("s12", "SubagentStop", agent=a, message_bytes=40)
        g.call("s12", "Agent", {"subagent_type": "Explore", "prompt": "look"}, lat=2000,
               v=2)
        g.stop("s12")
    return g


def transcript(path, ids):
    """A transcript of session s7: one response calls WebFetch for each id, their results (big),
    then two more responses that carry the results in their context."""
    use = [{"type": "tool_use", "id": i, "name": "WebFetch", "input": {"url": "u"}} for i in ids]
    res = [{"type": "tool_result", "tool_use_id": i, "content": "x" * 4000} for i in ids]

    def resp(n, content, usage):
        return {"type": "assistant", "sessionId": "s7", "requestId": "q%d" % n,
                "timestamp": "2026-11-25T10:00:0%dZ" % n,
                "message": {"id": "m%d" % n, "model": "claude-sonnet-4-6", "content": content,
                            "usage": usage}}
    lines = [
        resp(1, [{"type": "text", "text": "fetching"}] + use,
             {"input_tokens": 10, "output_tokens": 300, "cache_creation_input_tokens": 2000,
              "cache_read_input_tokens": 0}),
        {"type": "user", "message": {"role": "user", "content": res}},
        resp(2, [{"type": "text", "text": "ok"}],
             {"input_tokens": 10, "output_tokens": 20, "cache_creation_input_tokens": 3000,
              "cache_read_input_tokens": 2000}),
        resp(3, [{"type": "text", "text": "done"}],
             {"input_tokens": 10, "output_tokens": 20, "cache_creation_input_tokens": 0,
              "cache_read_input_tokens": 5000}),
    ]
    with open(path, "w") as f:
        for x in lines:
            f.write(json.dumps(x, separators=(",", ":")) + "\n")


transcript("tests/data/proposals/tx.jsonl", ["toolu_%04d" % n for n in (45, 46, 47)])
build(True).write("tests/data/proposals/planted.jsonl")
build(False).write("tests/data/proposals/clean.jsonl")
