-- Webhooks (issue 26, item 2): a tenant's endpoints, one delivery per (endpoint, event) and every
-- attempt at it. db/functions/webhooks.sql fans an event out to its endpoints in the event's own
-- transaction, and the webhooks worker (api/webhooks/webhooks_worker.c) delivers.
--
-- The signing secret is not stored: an endpoint keeps a random nonce per secret, and the secret is
-- HMAC-SHA256(CURBSIDE_WEBHOOK_SIGNING_KEY, nonce), so the database alone reveals no secret
-- (docs/decisions.md, "Webhooks").
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  url text NOT NULL,
  event_types text[] NOT NULL CONSTRAINT webhook_endpoints_types_present
    CHECK (cardinality(event_types) > 0),
  description text NOT NULL DEFAULT '',
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text CONSTRAINT webhook_endpoints_disabled_reason_valid
    CHECK (disabled_reason IN ('manual', 'failing')),
  disabled_at timestamptz,
  secret_nonce bytea NOT NULL,
  previous_secret_nonce bytea,
  previous_secret_expires_at timestamptz,
  -- The first failure since the last success (NULL while it succeeds): 3 days of it disable.
  failing_since timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_endpoints_disabled_shape
    CHECK (enabled = (disabled_reason IS NULL) AND enabled = (disabled_at IS NULL))
);
CREATE INDEX webhook_endpoints_list ON webhook_endpoints (tenant_id, created_at, id);

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  -- Copied from the event: the order per object and the list's filters need no join.
  event_seq bigint NOT NULL,
  event_type text NOT NULL,
  object_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CONSTRAINT webhook_deliveries_status_valid CHECK (status IN ('pending', 'succeeded', 'failed')),
  -- Claims so far; a claim moves next_attempt_at forward by the lease.
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  give_up_at timestamptz NOT NULL,
  last_http_status integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_id),
  CONSTRAINT webhook_deliveries_due_shape CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_object ON webhook_deliveries (endpoint_id, object_id, event_seq)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (endpoint_id, created_at, id);

CREATE TABLE webhook_attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  attempted_at timestamptz NOT NULL,
  http_status integer,
  error text,
  latency_ms integer NOT NULL,
  response_excerpt text
);
CREATE INDEX webhook_attempts_of_delivery ON webhook_attempts (delivery_id, attempted_at);

ALTER TABLE outbox DROP CONSTRAINT outbox_template_valid,
  ADD CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent',
    'payment_receipt', 'payment_failed', 'autopay_failed', 'autopay_disabled',
    'contact_message', 'account_link', 'account_access', 'service_request_new',
    'service_request_withdrawn', 'service_request_status', 'webhook_endpoint_disabled'));
