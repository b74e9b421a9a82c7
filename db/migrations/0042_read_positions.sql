-- Reads from a standby with read-your-writes (issue 24, item 3; db/functions/read_positions.sql):
-- the primary's WAL position after a portal session's latest write, so that the session's next
-- reads go to the primary until the standby has replayed it. Every API process reads and writes
-- these rows, so the rule holds whichever process serves the next request. UNLOGGED: the rows are
-- short-lived hints worth no WAL; a crash of the primary empties the table (docs/decisions.md).
CREATE UNLOGGED TABLE read_positions (
  session_id uuid PRIMARY KEY,
  lsn pg_lsn NOT NULL,
  noted_at timestamptz NOT NULL
);

CREATE INDEX read_positions_noted_idx ON read_positions (noted_at);
