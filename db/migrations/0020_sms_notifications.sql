-- Text notifications (API.md rule 22): a customer account's service-reminder preference, the
-- append-only consent history behind it, and the SMS outbox the SMS worker sends. The preference
-- belongs to the customer account (the hauler texts about the account's services), not to one
-- portal user: every user of the account sees and changes the same preference, and each change
-- records who made it.

-- An E.164 number: '+', then 8 to 15 digits, the first not zero.
CREATE FUNCTION is_e164(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p ~ '^\+[1-9][0-9]{7,14}$'
$$;

CREATE TABLE sms_preferences (
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  sms_opt_in boolean NOT NULL DEFAULT false,
  sms_phone text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT sms_preferences_phone_e164 CHECK (is_e164(sms_phone)),
  CONSTRAINT sms_preferences_opt_in_needs_phone CHECK (NOT sms_opt_in OR sms_phone IS NOT NULL)
);

-- Evidence of consent: one row per change of the preference, never changed or removed (the
-- triggers below refuse it). `phone` is the number the record is about: the one opted in, or the
-- one opted out (kept here even when the same change cleared it from the preference). There is
-- deliberately no ON DELETE CASCADE: a customer with consent history cannot be deleted.
CREATE TABLE sms_consents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  opt_in boolean NOT NULL,
  phone text,
  source text NOT NULL,
  portal_user_id uuid,
  staff_user_id uuid,
  api_key_id uuid,
  client_address text,
  user_agent text,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  CONSTRAINT sms_consents_source_valid CHECK (source IN ('portal', 'staff', 'sms_stop')),
  CONSTRAINT sms_consents_phone_e164 CHECK (is_e164(phone)),
  CONSTRAINT sms_consents_user_agent_length CHECK (char_length(user_agent) <= 500)
);

CREATE INDEX sms_consents_customer_idx
  ON sms_consents (tenant_id, customer_id, created_at DESC, id DESC);

-- ---- the SMS outbox -------------------------------------------------------------------------

-- Texts waiting to be sent, written in the transaction of the request that causes them. Only
-- service reminders exist: their text comes from a fixed template (sms_reminder_text), never from
-- the caller. The number is the account's at queueing time; the worker sends only while the
-- account is still opted in with that same number, otherwise the row is `suppressed`.
CREATE TABLE sms_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  kind text NOT NULL DEFAULT 'service_reminder',
  to_phone text NOT NULL,
  body text NOT NULL,
  service_date date NOT NULL,
  location_id uuid,
  service_id uuid,
  status text NOT NULL DEFAULT 'queued',
  suppressed_reason text,
  attempts integer NOT NULL DEFAULT 0,
  -- As the email outbox's: a claim pushes it forward (a lease).
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  provider_ref text,
  staff_user_id uuid,
  api_key_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT sms_outbox_kind_valid CHECK (kind IN ('service_reminder')),
  CONSTRAINT sms_outbox_status_valid CHECK (status IN ('queued', 'sent', 'failed', 'suppressed')),
  CONSTRAINT sms_outbox_suppressed_reason_valid CHECK (
    (status = 'suppressed') = (suppressed_reason IS NOT NULL)
    AND suppressed_reason IN ('opted_out', 'phone_changed')),
  CONSTRAINT sms_outbox_to_e164 CHECK (is_e164(to_phone))
);

CREATE INDEX sms_outbox_due_idx ON sms_outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX sms_outbox_customer_idx ON sms_outbox (tenant_id, customer_id, service_date);
