-- `telemetry-stats stats`, per tool: calls by outcome, success rate, and the latency of the calls
-- that have one: count, mean, nearest-rank p50/p95/p99 (the value at rank ceil(p/100 * n) of the
-- sorted values; quantileExact takes rank floor(p * n) + 1 instead), max. Latencies are null
-- when there are none. Add a WHERE clause for --since/--until (time), --tool, --project (cwd).
SELECT
    tool, calls, successes, failures, interrupted, successes / calls AS success_rate,
    lat_count,
    if(lat_count = 0, NULL, lat_avg) AS lat_avg,
    if(lat_count = 0, NULL, lat_sorted[toUInt64(greatest(1, ceil(0.50 * lat_count)))]) AS lat_p50,
    if(lat_count = 0, NULL, lat_sorted[toUInt64(greatest(1, ceil(0.95 * lat_count)))]) AS lat_p95,
    if(lat_count = 0, NULL, lat_sorted[toUInt64(greatest(1, ceil(0.99 * lat_count)))]) AS lat_p99,
    lat_max
FROM
(
    SELECT
        ifNull(tool_name, '(unknown)') AS tool,
        count() AS calls,
        countIf(outcome = 'success') AS successes,
        countIf(outcome = 'failure') AS failures,
        countIf(outcome = 'interrupted') AS interrupted,
        count(latency_ms) AS lat_count,
        avg(latency_ms) AS lat_avg,
        arraySort(groupArray(latency_ms)) AS lat_sorted,
        max(latency_ms) AS lat_max
    FROM telemetry.calls
    GROUP BY tool
)
ORDER BY calls DESC, tool ASC
