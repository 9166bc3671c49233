#!/usr/bin/env python3
"""Checks `telemetry-stats export` output against its source log, printing TAP lines without
numbers or plan (tests/cli/export.sh merges them).

  export_check.py otlp EXPORT LOG OBSERVED_NS BATCH   the OTLP JSON mapping, record by record
  export_check.py csv EXPORT LOG                      RFC 4180, row by row
  export_check.py count otlp|csv EXPORT               prints the number of calls exported

The OTLP rules checked are those of the OTLP specification's JSON encoding (the proto3 JSON
mapping of opentelemetry-proto): lowerCamelCase field names and nothing unknown, 64-bit integers
as decimal strings, enums as numbers, exactly one value in an AnyValue. Written from the
specification, independently of lib/et_export.c.
"""
import calendar
import csv
import io
import json
import re
import sys
from datetime import datetime, timezone

CALL_OUTCOMES = ("success", "failure", "interrupted")
INT_FIELDS = {"v", "exit_code", "response_bytes", "redactions", "truncations", "input_bytes"}
DOUBLE_FIELDS = {"latency_ms"}
CSV_COLUMNS = ["timestamp", "event", "agent", "session_id", "prompt_id", "tool_use_id",
               "tool_name", "outcome", "error", "exit_code", "latency_ms", "latency_source",
               "params", "params_fp", "response_bytes", "redactions", "truncations", "cwd",
               "transcript_path", "permission_mode", "agent_id", "agent_type"]
SEVERITY = {"success": (9, "INFO"), "interrupted": (13, "WARN"), "failure": (17, "ERROR")}

# opentelemetry-proto, logs/v1/logs.proto, common/v1/common.proto, resource/v1/resource.proto:
# message -> {jsonName: type}. Types: a message name, "[Name]" (repeated), or a scalar kind.
SCHEMA = {
    "ExportLogsServiceRequest": {"resourceLogs": "[ResourceLogs]"},
    "ResourceLogs": {"resource": "Resource", "scopeLogs": "[ScopeLogs]", "schemaUrl": "string"},
    "Resource": {"attributes": "[KeyValue]", "droppedAttributesCount": "uint32",
                 "entityRefs": "[EntityRef]"},
    "EntityRef": {"schemaUrl": "string", "type": "string", "idKeys": "[string]",
                  "descriptionKeys": "[string]"},
    "ScopeLogs": {"scope": "InstrumentationScope", "logRecords": "[LogRecord]",
                  "schemaUrl": "string"},
    "InstrumentationScope": {"name": "string", "version": "string", "attributes": "[KeyValue]",
                             "droppedAttributesCount": "uint32"},
    "LogRecord": {"timeUnixNano": "fixed64", "observedTimeUnixNano": "fixed64",
                  "severityNumber": "enum", "severityText": "string", "body": "AnyValue",
                  "attributes": "[KeyValue]", "droppedAttributesCount": "uint32",
                  "flags": "fixed32", "traceId": "bytes", "spanId": "bytes",
                  "eventName": "string"},
    "KeyValue": {"key": "string", "value": "AnyValue"},
    "AnyValue": {"stringValue": "string", "boolValue": "bool", "intValue": "int64",
                 "doubleValue": "double", "arrayValue": "ArrayValue",
                 "kvlistValue": "KeyValueList", "bytesValue": "bytes"},
    "ArrayValue": {"values": "[AnyValue]"},
    "KeyValueList": {"values": "[KeyValue]"},
}


def scalar_error(kind, v):
    """Why @v is not a valid JSON encoding of scalar @kind as this exporter writes it, or None."""
    if kind == "string":
        return None if isinstance(v, str) else "not a string"
    if kind == "bool":
        return None if isinstance(v, bool) else "not a boolean"
    if kind in ("int64", "fixed64"):
        # proto3 JSON: 64-bit integers are decimal strings (receivers also take numbers; the
        # encoding asks for strings, and JavaScript readers need them).
        if not isinstance(v, str):
            return "a 64-bit integer not written as a string"
        body = v[1:] if kind == "int64" and v.startswith("-") else v
        if not body.isdigit() or (len(body) > 1 and body[0] == "0"):
            return "not a decimal integer string"
        n = int(v)
        lo, hi = (-2**63, 2**63 - 1) if kind == "int64" else (0, 2**64 - 1)
        return None if lo <= n <= hi else "out of range"
    if kind in ("uint32", "fixed32"):
        return None if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**32 \
            else "not an unsigned 32-bit number"
    if kind == "enum":
        return None if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 24 \
            else "an enum not written as its number (SeverityNumber 0..24)"
    if kind == "double":
        if isinstance(v, str):
            return None if v in ("NaN", "Infinity", "-Infinity") else "a double as a string"
        return None if isinstance(v, (int, float)) and not isinstance(v, bool) else "not a number"
    if kind == "bytes":
        return None if isinstance(v, str) else "bytes not a string"
    return "unknown kind " + kind


def validate(v, typ, path, errors):
    """Appends to @errors every way @v breaks message or scalar type @typ."""
    if len(errors) > 20:
        return
    if typ.startswith("["):
        if not isinstance(v, list):
            errors.append(f"{path}: not an array")
            return
        for i, item in enumerate(v):
            validate(item, typ[1:-1], f"{path}[{i}]", errors)
        return
    if typ not in SCHEMA:
        err = scalar_error(typ, v)
        if err:
            errors.append(f"{path}: {err}: {v!r}")
        return
    if not isinstance(v, dict):
        errors.append(f"{path}: a {typ} that is not an object")
        return
    fields = SCHEMA[typ]
    for k, item in v.items():
        if k not in fields:
            errors.append(f"{path}: {typ} has no field '{k}' (lowerCamelCase names only)")
            continue
        validate(item, fields[k], f"{path}.{k}", errors)
    if typ == "AnyValue" and len(v) > 1:
        errors.append(f"{path}: an AnyValue with {len(v)} values (it is a oneof)")


def ok(cond, desc):
    print(("ok - " if cond else "not ok - ") + desc)
    return cond


def calls_of(log_paths):
    """The records of the logs that are tool calls, in order."""
    out = []
    for p in log_paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and rec.get("outcome") in CALL_OUTCOMES:
                    out.append(rec)
    return out


def unix_nanos(ts):
    """timeUnixNano for an ISO 8601 UTC timestamp with a Z."""
    dt = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return str(calendar.timegm(dt.utctimetuple()) * 10**9 + dt.microsecond // 1000 * 10**6)


def any_value_matches(field, want, av):
    """Whether AnyValue @av carries the record's value @want for @field with the right type."""
    if isinstance(want, bool):
        return av == {"boolValue": want}
    if isinstance(want, str):
        return av == {"stringValue": want}
    if isinstance(want, dict):
        return set(av) == {"stringValue"} and json.loads(av["stringValue"]) == want
    if isinstance(want, list):
        return set(av) == {"arrayValue"} and len(av["arrayValue"].get("values", [])) == len(want)
    if field in DOUBLE_FIELDS:
        return set(av) == {"doubleValue"} and float(av["doubleValue"]) == float(want)
    if field in INT_FIELDS or isinstance(want, int):
        return av == {"intValue": str(int(want))}
    return set(av) == {"doubleValue"} and float(av["doubleValue"]) == float(want)


def check_otlp(export, logs, observed, batch):
    calls = calls_of(logs)
    raw = open(export, "rb").read()
    lines = raw.split(b"\n")
    ok(raw == b"" or raw.endswith(b"\n"), "otlp: every line ends with a newline")
    lines = [l for l in lines if l]
    got, errors, per_line_ok, agents_ok, size_ok = [], [], True, True, True
    for n, line in enumerate(lines, 1):
        try:
            req = json.loads(line)
        except ValueError as e:
            errors.append(f"line {n}: not JSON: {e}")
            continue
        validate(req, "ExportLogsServiceRequest", f"line {n}", errors)
        if errors:
            continue
        count = 0
        seen_agents = []
        for rl in req["resourceLogs"]:
            res = {a["key"]: a["value"] for a in rl["resource"]["attributes"]}
            seen_agents.append(res.get("agent", {}).get("stringValue"))
            for sl in rl["scopeLogs"]:
                ok_scope = sl["scope"].get("name") == "execution-telemetry" and sl["scope"].get("version")
                if not ok_scope:
                    errors.append(f"line {n}: scope {sl['scope']}")
                for lr in sl["logRecords"]:
                    got.append((res, lr))
                    count += 1
        if count > batch or count == 0:
            per_line_ok = False
        if len(seen_agents) != len(set(seen_agents)):
            agents_ok = False
        if len(line) + 1 > (1 << 20) and count > 1:
            size_ok = False
    ok(not errors, "otlp: every line is an ExportLogsServiceRequest in the OTLP JSON encoding"
       + ("" if not errors else ": " + "; ".join(errors[:5])))
    ok(per_line_ok, f"otlp: every line holds 1 to {batch} log records")
    ok(agents_ok, "otlp: one resourceLogs per agent in a line")
    ok(size_ok, "otlp: no line of several records passes 1 MiB")
    if not ok(len(got) == len(calls), f"otlp: {len(got)} log records for {len(calls)} calls"):
        return
    # A line groups its records by agent, so the order to compare is the order within each agent.
    def agent_of(rec):
        return rec.get("agent", "unknown")
    by_agent = {}
    for rec in calls:
        by_agent.setdefault(agent_of(rec), []).append(rec)
    taken = {a: 0 for a in by_agent}
    pairs = []
    for res, lr in got:
        a = res.get("agent", {}).get("stringValue")
        if a not in by_agent or taken[a] >= len(by_agent[a]):
            ok(False, f"otlp: a log record of agent {a!r} that the log does not have")
            return
        pairs.append(((res, lr), by_agent[a][taken[a]]))
        taken[a] += 1
    bad = {"resource": [], "time": [], "observed": [], "severity": [], "body": [], "attrs": [],
           "extra": []}
    for i, ((res, lr), rec) in enumerate(pairs):
        tag = f"#{i + 1} {rec.get('tool_use_id')}"
        want_res = {"service.name": "execution-telemetry", "agent": rec.get("agent", "unknown")}
        if any(res.get(k) != {"stringValue": v} for k, v in want_res.items()) or \
                not all(isinstance(res.get(k, {}).get("stringValue"), str)
                        for k in ("host.name", "user.name", "service.version")):
            bad["resource"].append(tag)
        ts = rec.get("timestamp")
        if isinstance(ts, str) and ts.endswith("Z") and lr.get("timeUnixNano") != unix_nanos(ts):
            bad["time"].append(f"{tag}: {lr.get('timeUnixNano')} for {ts}")
        if lr.get("observedTimeUnixNano") != observed:
            bad["observed"].append(tag)
        if (lr.get("severityNumber"), lr.get("severityText")) != SEVERITY[rec["outcome"]]:
            bad["severity"].append(tag)
        if lr.get("body") != {"stringValue": f"{rec.get('tool_name') or '(unknown)'} {rec['outcome']}"}:
            bad["body"].append(tag)
        attrs = {}
        for kv in lr.get("attributes", []):
            attrs[kv["key"]] = kv["value"]
        for field, want in rec.items():
            if want is None:
                if field in attrs:
                    bad["attrs"].append(f"{tag}: null {field} exported")
            elif field not in attrs or not any_value_matches(field, want, attrs[field]):
                bad["attrs"].append(f"{tag}: {field}={want!r} as {attrs.get(field)!r}")
        if set(attrs) - set(rec):
            bad["extra"].append(f"{tag}: {sorted(set(attrs) - set(rec))}")
        if "traceId" in lr or "spanId" in lr:
            bad["extra"].append(f"{tag}: traceId/spanId")
    ok(not bad["resource"], "otlp: resource service.name, service.version, host.name, user.name, "
       "agent" + (": " + ", ".join(bad["resource"][:5]) if bad["resource"] else ""))
    ok(not bad["time"], "otlp: timeUnixNano is the record's timestamp in nanoseconds"
       + (": " + ", ".join(bad["time"][:5]) if bad["time"] else ""))
    ok(not bad["observed"], "otlp: observedTimeUnixNano is the export's time")
    ok(not bad["severity"], "otlp: severity INFO/WARN/ERROR (9/13/17) by outcome"
       + (": " + ", ".join(bad["severity"][:5]) if bad["severity"] else ""))
    ok(not bad["body"], "otlp: body \"TOOL OUTCOME\"" + (": " + ", ".join(bad["body"][:5]) if bad["body"] else ""))
    ok(not bad["attrs"], "otlp: every non-null field is an attribute with its value and type "
       "(intValue strings, doubleValue latency, params as JSON text)"
       + (": " + "; ".join(bad["attrs"][:5]) if bad["attrs"] else ""))
    ok(not bad["extra"], "otlp: no attribute that is not a field, no traceId or spanId"
       + (": " + "; ".join(bad["extra"][:5]) if bad["extra"] else ""))


# docs/fleet.md: a text field that starts with = + - @ tab CR or ' (which a spreadsheet may run as
# a formula) is written with one more ' in front.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_text(cell):
    """The value of a text field: its one leading ' removed, when it has one."""
    return cell[1:] if cell.startswith("'") else cell


def check_csv(export, logs):
    calls = calls_of(logs)
    raw = open(export, "rb").read()
    text = raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    ok(raw.endswith(b"\r\n"), "csv: records end with CRLF")
    ok(b"\n" not in raw.replace(b"\r\n", b"") or any("\n" in c for r in rows for c in r),
       "csv: a bare LF appears only inside a quoted field")
    ok(rows and rows[0] == CSV_COLUMNS, "csv: the header row")
    body = rows[1:]
    if not ok(len(body) == len(calls), f"csv: {len(body)} rows for {len(calls)} calls"):
        return
    bad = []
    unsafe = []
    for i, (row, rec) in enumerate(zip(body, calls)):
        if len(row) != len(CSV_COLUMNS):
            bad.append(f"row {i + 1}: {len(row)} fields")
            continue
        for col, cell in zip(CSV_COLUMNS, row):
            want = rec.get(col)
            if col == "timestamp" and isinstance(want, str) and want.endswith("Z"):
                good = cell == want
            elif col == "timestamp":
                # An old record's naive local time is written as the UTC time it stands for.
                good = re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", cell) is not None
            elif isinstance(want, (dict, list)):
                good = json.loads(cell) == want
            elif isinstance(want, (int, float)) and not isinstance(want, bool):
                good = float(cell) == float(want)
            elif want is None:
                good = cell == ""
            elif isinstance(want, bool):
                good = cell == ("true" if want else "false")
            else:
                good = csv_text(cell) == want
                if cell.startswith(FORMULA_START[:6]):
                    unsafe.append(f"row {i + 1} {col}: {cell!r}")
            if not good:
                bad.append(f"row {i + 1} {col}: {cell!r} for {want!r}")
    ok(not bad, "csv: every field of every row reads back as the record's value"
       + (": " + "; ".join(bad[:5]) if bad else ""))
    ok(not unsafe, "csv: no text field starts with = + - @ tab or CR (formula injection)"
       + (": " + "; ".join(unsafe[:5]) if unsafe else ""))


def count(fmt, export):
    if fmt == "csv":
        rows = list(csv.reader(open(export, encoding="utf-8", newline=""), strict=True))
        return max(len(rows) - 1, 0)
    n = 0
    for line in open(export, encoding="utf-8"):
        if line.strip():
            for rl in json.loads(line)["resourceLogs"]:
                for sl in rl["scopeLogs"]:
                    n += len(sl["logRecords"])
    return n


def main(argv):
    if argv[1] == "otlp":
        check_otlp(argv[2], [argv[3]], argv[4], int(argv[5]))
    elif argv[1] == "csv":
        check_csv(argv[2], [argv[3]])
    elif argv[1] == "count":
        print(count(argv[2], argv[3]))
    else:
        sys.exit("usage: see the module docstring")


if __name__ == "__main__":
    main(sys.argv)
