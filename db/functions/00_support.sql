-- Helpers every area uses: problems raised to the server (cs_raise), timestamps and cursors as the
-- API writes them, the tenant's today, money and address text, and touch_updated_at with the
-- tables it keeps updated_at true on (sms_preferences sets its own).

-- Keeps updated_at true on every UPDATE without each statement having to remember it.
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER tenants_touch BEFORE UPDATE ON tenants
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER staff_users_touch BEFORE UPDATE ON staff_users
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER customers_touch BEFORE UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER locations_touch BEFORE UPDATE ON locations
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER services_touch BEFORE UPDATE ON services
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER orders_touch BEFORE UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER invoices_touch BEFORE UPDATE ON invoices
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER payments_touch BEFORE UPDATE ON payments
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER portal_users_touch BEFORE UPDATE ON portal_users
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Business errors raised by SQL functions: SQLSTATE 'CS' + HTTP status, MESSAGE the stable problem
-- code, DETAIL the sentence, HINT the request field at fault (or empty). The pool maps them to
-- problem responses, so a rule enforced here reads the same as one enforced in C.
CREATE OR REPLACE FUNCTION cs_raise(status text, code text, detail text, field text DEFAULT '')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'CS' || status, MESSAGE = code, DETAIL = detail,
    HINT = coalesce(field, '');
END $$;

-- Volatility: a SQL function is inlined into the query that calls it only when it is declared no
-- less volatile than its body. to_char, convert_to and concat_ws are STABLE, so instant(),
-- cursor_encode(), address_line() and money_text() are STABLE too: declared IMMUTABLE, each was
-- a function call per row, which halved the rate of a list that shows addresses (issue 20).

-- An instant as RFC 3339 UTC with milliseconds (the API's format).
CREATE OR REPLACE FUNCTION instant(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- The opaque cursor of a keyset page: base64url of a JSON array of the last row's sort keys.
CREATE OR REPLACE FUNCTION cursor_encode(keys json) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT translate(rtrim(replace(encode(convert_to(keys::text, 'UTF8'), 'base64'), E'\n', ''),
                         '='), '+/', '-_')
$$;

-- One line for lists and documents: "12 Oak St, Springfield, IL 62701".
CREATE OR REPLACE FUNCTION address_line(a jsonb) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(concat_ws(', ', nullif(a->>'line1', ''), nullif(a->>'line2', ''),
                          nullif(a->>'city', ''),
                          nullif(concat_ws(' ', nullif(a->>'region', ''),
                                           nullif(a->>'postal_code', '')), '')), '')
$$;

-- `base` (an object) with one more member at its end. jsonb concatenation would reorder the keys;
-- this keeps the documented order.
CREATE OR REPLACE FUNCTION json_extend(base json, key text, value json) RETURNS json
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (left(base::text, -1) || ', ' || to_json(key)::text || ' : ' || value::text || '}')::json
$$;

CREATE OR REPLACE FUNCTION tenant_today(p_tenant uuid) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT (now() AT TIME ZONE time_zone)::date FROM tenants WHERE id = p_tenant
$$;

-- Cents as the customer reads them in a sentence: "USD 1,234.56".
CREATE OR REPLACE FUNCTION money_text(p_cents bigint, p_currency text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_currency || ' ' || to_char(p_cents / 100.0, 'FM999,999,999,990.00')
$$;

-- Seconds until an hourly budget of p_per_hour uses frees up, given the instants of the latest
-- uses within the last hour, newest first (at most p_per_hour of them); NULL while it lasts.
CREATE OR REPLACE FUNCTION hourly_retry_after(p_recent timestamptz[], p_per_hour integer)
RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN cardinality(p_recent) >= p_per_hour THEN
    greatest(1, ceil(extract(epoch FROM p_recent[p_per_hour] + interval '1 hour' - now())))::int
  END
$$;
