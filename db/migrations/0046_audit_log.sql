-- The audit log (issue 26, item 3): every write by a staff user, an API key or the platform
-- operator, one row per row written, recorded by a trigger in the write's own transaction
-- (db/functions/audit.sql: audit_record, attached to each audited table with audit_attach), so
-- a rolled-back write leaves no record and no code path can forget one. Who acted comes from the
-- connection's setting curbside.actor, which the server sets for such requests (api/db/pool.c).
-- Append-only: triggers in db/functions/audit.sql refuse UPDATE, DELETE and TRUNCATE.
--
-- No foreign keys: a record outlives what it describes (a deleted row, even a tenant), and a
-- cascade would be a DELETE the log refuses.
CREATE TABLE audit_log (
  -- Time-ordered (microseconds of the write, then random bits): newest first within a
  -- transaction too.
  id uuid PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(), -- the transaction's time
  tenant_id uuid,
  actor_kind text NOT NULL,
  actor_id uuid,          -- the staff user or the API key; NULL for the operator
  actor_role text,        -- the staff role, 'integrator' for a key; NULL for the operator
  credential text NOT NULL, -- the staff session id, the API key id, or 'operator token'
  client_address text,
  request_id text,
  request text,           -- method and route template: 'POST /v1/admin/invoices/:id/send'
  action text NOT NULL,   -- '<table>.insert|update|delete'
  object_type text NOT NULL,
  object_id text,
  before jsonb,
  after jsonb,
  CONSTRAINT audit_log_actor_kind_valid CHECK (actor_kind IN ('staff', 'api_key', 'operator')),
  CONSTRAINT audit_log_action_shape CHECK (action ~ '^[a-z_]+\.(insert|update|delete)$')
);

-- The pages: a tenant's, newest first, and the operator's across tenants; the filters that
-- narrow a search most (an object, an actor, a request) each have their own.
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, at DESC, id DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_object_idx ON audit_log (object_id, at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC, id DESC);
CREATE INDEX audit_log_request_idx ON audit_log (request_id);
