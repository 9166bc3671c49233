-- The table each shard holds: one row per tool call, as `telemetry-stats export --format
-- clickhouse` writes it (docs/fleet.md). Runs on ClickHouse 18.16 and later.
CREATE DATABASE IF NOT EXISTS telemetry;

CREATE TABLE IF NOT EXISTS telemetry.calls_local
(
    host            String,             -- export --host (default: the machine's name)
    user            String,             -- export --user (default: the user who exported)
    seq             UInt64,             -- the call's position in its export, from 0
    v               UInt32,             -- record format version (0: the old plugin's)
    timestamp       Nullable(String),   -- 2026-11-21T14:11:16.123Z (UTC)
    time            DateTime('UTC'),    -- the timestamp to the second
    time_ms         UInt16,             -- its milliseconds, 0 to 999
    event           Nullable(String),
    agent           Nullable(String),
    session_id      Nullable(String),
    prompt_id       Nullable(String),
    tool_use_id     Nullable(String),
    tool_name       Nullable(String),
    outcome         String,             -- success, failure or interrupted
    error           Nullable(String),
    exit_code       Nullable(Int64),
    latency_ms      Nullable(Float64),  -- null when unknown (what stats leaves out)
    latency_source  Nullable(String),
    params          Nullable(String),   -- the redacted tool input, as JSON text
    params_fp       Nullable(String),
    response_bytes  Nullable(Int64),
    redactions      Nullable(Int64),
    truncations     Nullable(Int64),
    cwd             Nullable(String),
    transcript_path Nullable(String),
    permission_mode Nullable(String),
    agent_id        Nullable(String),
    agent_type      Nullable(String),
    parse_error     Nullable(String),
    input_bytes     Nullable(Int64)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (time, time_ms, host, seq);
