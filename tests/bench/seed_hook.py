#!/usr/bin/env python3
"""The benchmark's baseline: a PostToolUse hook doing what the published Python seed plugin did.

It reads the payload on stdin, parses it with json.loads, builds a small record (naive local
timestamp, tool name, the whole tool input as params, outcome, latency_ms 0, and the session id
from CLAUDE_SESSION_ID, which Claude Code does not set for hooks, hence "unknown"), serialises it
with json.dumps and appends one line to the log. Those are the version-0 records that docs/record-format.md
describes under Compatibility. No redaction, no truncation, no lock: this is the floor of what a
Python hook costs, not a faithful port of the C hook.

usage: seed_hook.py [LOG]   (default: ~/.claude/tool-telemetry.jsonl)
"""

import datetime
import json
import os
import sys


def main():
    log = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.claude/tool-telemetry.jsonl")
    try:
        payload = json.loads(sys.stdin.read())
    except ValueError:
        return 0
    record = {
        "timestamp": datetime.datetime.now().isoformat(),
        "tool_name": payload.get("tool_name"),
        "params": payload.get("tool_input", {}),
        "outcome": "failure" if payload.get("hook_event_name") == "PostToolUseFailure" else "success",
        "latency_ms": 0,
        "session_id": os.environ.get("CLAUDE_SESSION_ID", "unknown"),
    }
    os.makedirs(os.path.dirname(log) or ".", exist_ok=True)
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
