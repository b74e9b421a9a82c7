-- Failure counting for sign-in and link throttling (db/throttle.c): a fixed window per key. After
-- `p_max` failures inside `p_window` seconds the key is locked until the window that began with
-- its first failure ends. Attempts reserved and still in flight count against the budget too.
-- Every process shares the counts; the key's row lock orders attempts on one key.

-- The row of `p_key` locked, its window current (a passed window starts again with no failures)
-- and its attempts in flight forgotten when the latest is older than a minute: an attempt
-- never runs that long, so its process died before finishing it.
CREATE OR REPLACE FUNCTION throttle_window_current(p_key text, p_window integer)
RETURNS throttle_windows
LANGUAGE plpgsql AS $$
DECLARE
  w throttle_windows;
BEGIN
  INSERT INTO throttle_windows (key_hash, window_started) VALUES (p_key, now())
  ON CONFLICT (key_hash) DO NOTHING;
  SELECT * INTO w FROM throttle_windows WHERE key_hash = p_key FOR UPDATE;
  IF w.window_started + make_interval(secs => p_window) <= now() THEN
    w.window_started := now();
    w.failures := 0;
  END IF;
  IF w.last_reserved < now() - interval '1 minute' THEN
    w.in_flight := 0;
  END IF;
  RETURN w;
END $$;

-- Write back the row `w` (locked by throttle_window_current); a key with nothing left to count
-- loses its row.
CREATE OR REPLACE FUNCTION throttle_window_save(w throttle_windows)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF w.failures = 0 AND w.in_flight = 0 THEN
    DELETE FROM throttle_windows WHERE key_hash = w.key_hash;
  ELSE
    UPDATE throttle_windows
       SET window_started = w.window_started, failures = w.failures, in_flight = w.in_flight,
           last_reserved = w.last_reserved
     WHERE key_hash = w.key_hash;
  END IF;
END $$;

-- Reserve an attempt for `p_key`: 0 when reserved, else the seconds until it may try (nothing
-- reserved). Windows that ended a day ago are swept a few at a time.
CREATE OR REPLACE FUNCTION throttle_reserve(p_key text, p_max integer, p_window integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  w throttle_windows := throttle_window_current(p_key, p_window);
  wait integer := 0;
BEGIN
  IF w.failures >= p_max THEN
    wait := greatest(1, ceil(extract(epoch FROM
              w.window_started + make_interval(secs => p_window) - now())))::integer;
  ELSIF w.failures + w.in_flight >= p_max THEN
    wait := 1; -- the attempts in flight end within a second or two
  ELSE
    w.in_flight := w.in_flight + 1;
    w.last_reserved := now();
  END IF;
  PERFORM throttle_window_save(w);
  DELETE FROM throttle_windows
   WHERE key_hash IN (SELECT key_hash FROM throttle_windows
                       WHERE window_started < now() - interval '1 day' LIMIT 10);
  RETURN wait;
END $$;

-- End an attempt reserved with throttle_reserve: 'failed' counts a failure, 'succeeded' forgets
-- the key's failures, 'neutral' only ends it.
CREATE OR REPLACE FUNCTION throttle_finish(p_key text, p_outcome text, p_window integer)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  w throttle_windows := throttle_window_current(p_key, p_window);
BEGIN
  w.in_flight := greatest(w.in_flight - 1, 0);
  IF p_outcome = 'failed' THEN
    w.failures := w.failures + 1;
  ELSIF p_outcome = 'succeeded' THEN
    w.failures := 0;
  END IF;
  PERFORM throttle_window_save(w);
END $$;
