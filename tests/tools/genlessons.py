#!/usr/bin/env python3
"""Writes the lessons fixtures (tests/data/lessons/): log.jsonl, where Edit fails with "File has
not been read yet" and recovers after a Read, and Bash fails with "command not found" and recovers
with another input, from 2026-11-05 to 2026-11-09; after 2026-11-10 (when rules.md says both
lessons were written) Edit fails 1 time in 10 (the lesson worked) and Bash still 5 in 10 (it did
not). rules.md is a CLAUDE.md-style file with the user's own lines around the marked section. Run
from the repository root; the outputs are committed, this is how they were made."""
import datetime
import json

n = 0


def iso(day, sec):
    d = datetime.datetime(2026, 11, day, 10, 0, 0, tzinfo=datetime.timezone.utc)
    d += datetime.timedelta(seconds=sec)
    return d.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def rec(day, sec, sess, tool, ok, error=None, fp=None, params=None, lat=100):
    global n
    n += 1
    return {"v": 1, "timestamp": iso(day, sec),
            "event": "PostToolUse" if ok else "PostToolUseFailure", "agent": "claude-code",
            "session_id": sess, "prompt_id": "p", "tool_use_id": "toolu_L%04d" % n,
            "tool_name": tool, "outcome": "success" if ok else "failure", "error": error,
            "exit_code": None, "latency_ms": lat, "latency_source": "duration_ms",
            "params": params or {}, "params_fp": fp or ("fp%04d" % n), "response_bytes": 100,
            "redactions": 0, "truncations": 0, "cwd": "/p/l", "transcript_path": None,
            "permission_mode": "default", "agent_id": None, "agent_type": None}


NOT_READ = "File has not been read yet. Read it first before writing to it."
NOT_FOUND = "Exit code 127\nbash: tsc: command not found"
lines = []
for k in range(5):  # before: 5 sessions, each a failing Edit, a Read, a good Edit, 2 more Edits
    day, s = 5 + k, "b%d" % k
    lines.append(rec(day, 0, s, "Edit", False, NOT_READ, fp="e%d" % k, params={"file_path": "/p/l/a.c"}))
    lines.append(rec(day, 10, s, "Read", True, params={"file_path": "/p/l/a.c"}))
    lines.append(rec(day, 20, s, "Edit", True, fp="e%d" % k, params={"file_path": "/p/l/a.c"}))
    lines.append(rec(day, 21, s, "Edit", True, params={"file_path": "/p/l/b.c"}))
    lines.append(rec(day, 30, s, "Bash", False, NOT_FOUND, fp="tsc", params={"command": "tsc"}, lat=40))
    lines.append(rec(day, 40, s, "Bash", True, fp="npx%d" % k, params={"command": "npx tsc"}, lat=3000))
for k in range(5):  # after: Edit fails once in 10 calls, Bash still 5 in 10
    day, s = 11 + k, "a%d" % k
    if k == 0:
        lines.append(rec(day, 0, s, "Edit", False, NOT_READ, params={"file_path": "/p/l/c.c"}))
    else:
        lines.append(rec(day, 0, s, "Edit", True, params={"file_path": "/p/l/c.c"}))
    lines.append(rec(day, 5, s, "Edit", True, params={"file_path": "/p/l/d.c"}))
    lines.append(rec(day, 30, s, "Bash", False, NOT_FOUND, fp="tsc", params={"command": "tsc"}, lat=40))
    lines.append(rec(day, 40, s, "Bash", True, fp="npx%d" % k, params={"command": "npx tsc"}, lat=3000))
with open("tests/data/lessons/log.jsonl", "w") as f:
    for r in lines:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")

with open("tests/data/lessons/rules.md", "w") as f:
    f.write("# Project rules\n\nUse tabs. Run the tests before committing.\n\n"
            "<!-- execution-telemetry lessons: begin -->\n"
            "## Lessons from tool-call telemetry\n\n"
            "- Read the file before editing it. <!-- et-lesson id=\"Edit/not_read_first\" "
            "since=\"2026-11-10T00:00:00.000Z\" -->\n"
            "- Check that a command exists before running it. <!-- et-lesson "
            "id=\"Bash/command_not_found\" since=\"2026-11-10T00:00:00.000Z\" -->\n"
            "<!-- execution-telemetry lessons: end -->\n\n"
            "## More of the user's own notes\n\nKeep this line.\n")
