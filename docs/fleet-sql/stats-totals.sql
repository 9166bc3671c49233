-- `telemetry-stats stats`, the totals: calls by outcome, success rate, sessions (distinct
-- session ids; calls without one count as the session 'unknown'), and the latency as in
-- stats-tools.sql.
SELECT
    calls, successes, failures, interrupted, successes / calls AS success_rate, sessions,
    lat_count,
    if(lat_count = 0, NULL, lat_avg) AS lat_avg,
    if(lat_count = 0, NULL, lat_sorted[toUInt64(greatest(1, ceil(0.50 * lat_count)))]) AS lat_p50,
    if(lat_count = 0, NULL, lat_sorted[toUInt64(greatest(1, ceil(0.95 * lat_count)))]) AS lat_p95,
    if(lat_count = 0, NULL, lat_sorted[toUInt64(greatest(1, ceil(0.99 * lat_count)))]) AS lat_p99,
    lat_max
FROM
(
    SELECT
        count() AS calls,
        countIf(outcome = 'success') AS successes,
        countIf(outcome = 'failure') AS failures,
        countIf(outcome = 'interrupted') AS interrupted,
        uniqExact(ifNull(session_id, 'unknown')) AS sessions,
        count(latency_ms) AS lat_count,
        avg(latency_ms) AS lat_avg,
        arraySort(groupArray(latency_ms)) AS lat_sorted,
        max(latency_ms) AS lat_max
    FROM telemetry.calls
)
