-- The table queries and inserts go to: every shard's telemetry.calls_local, over the cluster
-- `telemetry` of the servers' <remote_servers>. Rows inserted here are spread by session, so
-- that a session's calls stay on one shard. Create it on every server that takes queries.
CREATE TABLE IF NOT EXISTS telemetry.calls AS telemetry.calls_local
ENGINE = Distributed(telemetry, telemetry, calls_local, cityHash64(ifNull(session_id, 'unknown')));
