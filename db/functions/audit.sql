-- The audit log (issue 26, item 3; the table is db/migrations/0046_audit_log.sql). A row trigger
-- on every table that staff, API keys or the operator write records each row written, in the
-- write's transaction. Who acted is the connection's setting curbside.actor, a JSON object the
-- server sets at checkout for a write request of one of them (api/db/pool.c, from
-- api/http/router.c): {kind, id, role, credential, tenant_id, address, request_id, request}.
-- Without it (portal users, background workers, psql) the trigger records nothing.
--
-- Attaching a new table is one line, in its own area's file (which sorts after this one):
--   SELECT audit_attach('webhook_endpoints', 'full');
-- 'full' keeps whole rows before and after (money and access tables); 'changes' keeps only the
-- columns an UPDATE changed (whole rows still for an INSERT or DELETE).

-- A row as JSON without its secrets (hashes of passwords, keys and tokens; link nonces and
-- tokens) and without what is bulky and derived (a logo's bytes: its sha256 stays; search text).
CREATE OR REPLACE FUNCTION audit_redact(j jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT j - ARRAY(SELECT k FROM jsonb_object_keys(j) k
                   WHERE k ~ '(^|_)(hash|token|nonce|secret|password)$'
                      OR k IN ('data', 'search_text'))
$$;

-- An id that sorts by when it was made (microseconds, then 64 random bits), so the newest-first
-- page orders the rows of one transaction too.
CREATE OR REPLACE FUNCTION audit_new_id() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000000)::bigint), 16, '0')
          || substr(replace(gen_random_uuid()::text, '-', ''), 1, 16))::uuid
$$;

-- The columns of `a` whose values differ in `b`.
CREATE OR REPLACE FUNCTION audit_changed(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
  FROM jsonb_each(a) e WHERE b -> e.key IS DISTINCT FROM e.value
$$;

-- The row trigger. TG_ARGV[0] is 'full' or 'changes' (audit_attach). An UPDATE that changed
-- nothing is not a change and is not recorded.
CREATE OR REPLACE FUNCTION audit_record() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  setting text := current_setting('curbside.actor', true);
  actor jsonb;
  old_row jsonb;
  new_row jsonb;
  row_json jsonb;
BEGIN
  IF setting IS NULL OR setting = '' THEN
    RETURN NULL;
  END IF;
  actor := setting::jsonb;
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NULL;
  END IF;
  row_json := coalesce(new_row, old_row);
  old_row := audit_redact(old_row);
  new_row := audit_redact(new_row);
  IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'changes' THEN
    SELECT audit_changed(old_row, new_row), audit_changed(new_row, old_row)
    INTO old_row, new_row;
  END IF;
  INSERT INTO audit_log (id, tenant_id, actor_kind, actor_id, actor_role, credential,
                         client_address, request_id, request, action, object_type, object_id,
                         before, after)
  VALUES (audit_new_id(),
          coalesce(row_json ->> 'tenant_id',
                   CASE WHEN TG_TABLE_NAME = 'tenants' THEN row_json ->> 'id' END,
                   nullif(actor ->> 'tenant_id', ''))::uuid,
          actor ->> 'kind', nullif(actor ->> 'id', '')::uuid, nullif(actor ->> 'role', ''),
          actor ->> 'credential', actor ->> 'address', actor ->> 'request_id',
          actor ->> 'request', TG_TABLE_NAME || '.' || lower(TG_OP), TG_TABLE_NAME,
          coalesce(row_json ->> 'id', row_json ->> 'customer_id', row_json ->> 'user_id',
                   row_json ->> 'tenant_id'),
          old_row, new_row);
  RETURN NULL;
END
$$;

-- Record the writes to `tbl` from now on ('full' or 'changes', above). Safe to run again.
CREATE OR REPLACE FUNCTION audit_attach(tbl regclass, mode text DEFAULT 'changes') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF mode NOT IN ('full', 'changes') THEN
    RAISE EXCEPTION 'audit_attach: mode must be full or changes, not %', mode;
  END IF;
  EXECUTE format('CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %s '
                 'FOR EACH ROW EXECUTE FUNCTION audit_record(%L)', tbl, mode);
END
$$;

-- Append-only: nobody changes or removes a record, not even the tables' owner through psql.
CREATE OR REPLACE FUNCTION audit_log_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();

CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

-- Money and access: whole rows.
SELECT audit_attach(t, 'full') FROM unnest(ARRAY[
  'tenants', 'staff_users', 'api_keys', 'customers', 'invoices', 'invoice_lines', 'credits',
  'credit_applications', 'payments', 'payment_allocations', 'refunds', 'refund_lines',
  'payment_methods', 'portal_users', 'portal_user_accounts', 'invitations', 'portal_tokens'
]::regclass[]) t;

-- The rest: the changed columns of an update.
SELECT audit_attach(t, 'changes') FROM unnest(ARRAY[
  'locations', 'services', 'orders', 'sms_preferences', 'sms_consents', 'tenant_logos',
  'service_catalogs', 'service_request_types', 'roll_off_sizes', 'service_requests',
  'service_request_events'
]::regclass[]) t;

-- The API's view of a record.
CREATE OR REPLACE FUNCTION audit_log_json(a audit_log) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', a.id, 'at', instant(a.at), 'tenant_id', a.tenant_id,
    'actor', json_build_object('kind', a.actor_kind, 'id', a.actor_id, 'role', a.actor_role,
                               'credential', a.credential),
    'client_address', a.client_address, 'request_id', a.request_id, 'request', a.request,
    'action', a.action, 'object_type', a.object_type, 'object_id', a.object_id,
    'before', a.before, 'after', a.after)
$$;
