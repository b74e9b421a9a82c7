-- Read-your-writes for reads from a standby (api/db/read_route.c). Only the primary reads and
-- writes read_positions: an unlogged table is not replicated (on a standby it cannot be read).
-- A position older than an hour is forgotten: by then it is far behind any standby that is not
-- skipped anyway (the lag bound is at most ten minutes, and a standby whose walreceiver stalls
-- counts as not streaming within wal_receiver_timeout).

-- Remember that session `p_session` has written: the WAL insert position now, after its write
-- committed. The insert position, not the write or flush position: with synchronous_commit off a
-- commit returns before its record is flushed, and the insert position is past it all the same.
-- Positions forgotten an hour ago are swept ten at a time.
CREATE OR REPLACE FUNCTION read_position_note(p_session uuid)
RETURNS void
LANGUAGE sql AS $$
  INSERT INTO read_positions (session_id, lsn, noted_at)
  VALUES (p_session, pg_current_wal_insert_lsn(), now())
  ON CONFLICT (session_id) DO UPDATE
    SET lsn = greatest(read_positions.lsn, excluded.lsn), noted_at = excluded.noted_at;
  DELETE FROM read_positions
   WHERE session_id IN (SELECT session_id FROM read_positions
                         WHERE noted_at < now() - interval '1 hour' LIMIT 10);
$$;

-- Whether a standby that has replayed up to `p_replayed` holds every write session `p_session`
-- was remembered for.
CREATE OR REPLACE FUNCTION read_position_replayed(p_session uuid, p_replayed pg_lsn)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT NOT EXISTS (SELECT 1 FROM read_positions
                      WHERE session_id = p_session AND lsn > p_replayed
                        AND noted_at > now() - interval '1 hour');
$$;
