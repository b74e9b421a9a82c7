-- Sign-in and link throttles count in PostgreSQL, so every API process sees the same attempts
-- (issue 24, item 4): five wrong passwords spread over two processes are five. One row per
-- throttled key while it has failures or attempts in flight (db/functions/throttle.sql).
CREATE TABLE throttle_windows (
  -- sha256 (hex) of "<throttle>|<key>": no email or client address is stored
  key_hash text PRIMARY KEY,
  window_started timestamptz NOT NULL,
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  -- attempts reserved and not finished; they count against the budget like failures
  in_flight integer NOT NULL DEFAULT 0 CHECK (in_flight >= 0),
  -- the latest reservation: one older than a minute belongs to a process that died
  last_reserved timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX throttle_windows_started_idx ON throttle_windows (window_started);
