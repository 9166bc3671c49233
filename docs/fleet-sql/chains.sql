-- `telemetry-stats patterns`, the chains: contiguous runs of 2, 3 and 4 calls within a session,
-- how often each was seen, the share of its occurrences in which every call succeeded, and the
-- average total latency over the occurrences whose calls all have a latency. A session's calls
-- are put in order by time, then by their order in the export (seq): the log's order, as long as
-- the log's times do not go backwards within a session. Change 5 to patterns' --min-count.
-- The runs are built from shifted copies of the session's arrays (t1 t2 t3 t4: the calls from
-- the 1st, 2nd, 3rd and 4th on), so the work grows with the calls, not with their square.
SELECT
    tupleElement(g, 1) AS tools,
    count() AS count,
    countIf(tupleElement(g, 2)) / count AS success_rate,
    if(countIf(tupleElement(g, 3) >= 0) = 0, NULL,
       sumIf(tupleElement(g, 3), tupleElement(g, 3) >= 0) / countIf(tupleElement(g, 3) >= 0))
        AS avg_ms
FROM
(
    SELECT arrayJoin(arrayConcat(
        arrayMap((a, b, oa, ob, la, lb) -> ([a, b], oa AND ob,
                                            if(la >= 0 AND lb >= 0, la + lb, -1)),
                 arraySlice(t, 1, n2), arraySlice(t, 2, n2), arraySlice(o, 1, n2),
                 arraySlice(o, 2, n2), arraySlice(l, 1, n2), arraySlice(l, 2, n2)),
        arrayMap((a, b, c, oa, ob, oc, la, lb, lc) ->
                     ([a, b, c], oa AND ob AND oc,
                      if(la >= 0 AND lb >= 0 AND lc >= 0, la + lb + lc, -1)),
                 arraySlice(t, 1, n3), arraySlice(t, 2, n3), arraySlice(t, 3, n3),
                 arraySlice(o, 1, n3), arraySlice(o, 2, n3), arraySlice(o, 3, n3),
                 arraySlice(l, 1, n3), arraySlice(l, 2, n3), arraySlice(l, 3, n3)),
        arrayMap((a, b, c, d, oa, ob, oc, od, la, lb, lc, ld) ->
                     ([a, b, c, d], oa AND ob AND oc AND od,
                      if(la >= 0 AND lb >= 0 AND lc >= 0 AND ld >= 0, la + lb + lc + ld, -1)),
                 arraySlice(t, 1, n4), arraySlice(t, 2, n4), arraySlice(t, 3, n4),
                 arraySlice(t, 4, n4), arraySlice(o, 1, n4), arraySlice(o, 2, n4),
                 arraySlice(o, 3, n4), arraySlice(o, 4, n4), arraySlice(l, 1, n4),
                 arraySlice(l, 2, n4), arraySlice(l, 3, n4), arraySlice(l, 4, n4)))) AS g
    FROM
    (
        SELECT
            arrayMap(c -> tupleElement(c, 4), calls) AS t,   -- tool names
            arrayMap(c -> tupleElement(c, 5), calls) AS o,   -- 1: success
            arrayMap(c -> tupleElement(c, 6), calls) AS l,   -- latency, -1: none
            greatest(0, length(calls) - 1) AS n2,            -- runs of 2, 3, 4 calls
            greatest(0, length(calls) - 2) AS n3,
            greatest(0, length(calls) - 3) AS n4
        FROM
        (
            SELECT arraySort(c -> (tupleElement(c, 1), tupleElement(c, 2), tupleElement(c, 3)),
                             groupArray((time, time_ms, seq, ifNull(tool_name, '(unknown)'),
                                         outcome = 'success', ifNull(latency_ms, -1)))) AS calls
            FROM telemetry.calls
            GROUP BY ifNull(session_id, 'unknown')
        )
    )
)
GROUP BY tools
HAVING count >= 5
ORDER BY count DESC, length(tools) DESC, tools ASC
