-- Portal identity: the people who log in to a hauler's portal, the customer accounts each may
-- see, their sessions and one-time tokens, invitations, the email outbox and background jobs.

-- Portal access per customer (API.md rule 2): staff switch it on with a login email; inviting a
-- customer or its own sign-up (pay link, rule 8) switches it on too, unless staff switched it off
-- (portal_disabled_at), which only staff can undo.
ALTER TABLE customers
  ADD COLUMN portal_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN portal_login_email text,
  ADD COLUMN portal_disabled_at timestamptz,
  ADD CONSTRAINT customers_portal_login_email_normalised
    CHECK (portal_login_email = lower(btrim(portal_login_email)));

CREATE INDEX customers_portal_login_email_idx ON customers (tenant_id, portal_login_email)
  WHERE portal_login_email IS NOT NULL;

-- Where an invoice's email went: a pay-link sign-up with this address needs no further proof.
ALTER TABLE invoices ADD COLUMN sent_to_email text;

-- A person who logs in to one tenant's portal. The email is the login (rule 24), unique per tenant
-- (the same address at two haulers is two unrelated users).
CREATE TABLE portal_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL,
  full_name text NOT NULL,
  -- NULL for a user who has only ever signed in with Google.
  password_hash text,
  -- How this user signs in (rule 6: after a Google login, password login is refused).
  login_method text NOT NULL DEFAULT 'password',
  oidc_issuer text,
  oidc_subject text,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT portal_users_email_key UNIQUE (tenant_id, email),
  CONSTRAINT portal_users_email_normalised CHECK (email = lower(btrim(email))),
  CONSTRAINT portal_users_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT portal_users_oidc_key UNIQUE (tenant_id, oidc_issuer, oidc_subject),
  CONSTRAINT portal_users_login_method_valid CHECK (login_method IN ('password', 'google')),
  CONSTRAINT portal_users_password_login_has_hash
    CHECK (login_method <> 'password' OR password_hash IS NOT NULL),
  CONSTRAINT portal_users_full_name_length CHECK (char_length(full_name) BETWEEN 1 AND 200)
);

-- Which customer accounts a portal user may see (rule 9: one login, several accounts).
CREATE TABLE portal_user_accounts (
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  -- How the link was made: invitation, pay_link, signup (rule 8) or google.
  source text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, customer_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES portal_users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT portal_user_accounts_source_valid
    CHECK (source IN ('invitation', 'pay_link', 'signup', 'google'))
);

CREATE INDEX portal_user_accounts_customer_idx ON portal_user_accounts (tenant_id, customer_id);

-- Sessions now belong to a staff user or a portal user. A portal session lives 30 days at most
-- (the refresh token's absolute lifetime) and remembers the selected customer account.
ALTER TABLE sessions
  ADD COLUMN portal_user_id uuid,
  ADD COLUMN account_id uuid,
  ADD FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id)
    ON DELETE CASCADE,
  ADD FOREIGN KEY (tenant_id, account_id) REFERENCES customers (tenant_id, id)
    ON DELETE SET NULL (account_id),
  DROP CONSTRAINT sessions_has_principal,
  ADD CONSTRAINT sessions_one_principal CHECK ((staff_user_id IS NULL) <> (portal_user_id IS NULL)),
  ADD CONSTRAINT sessions_account_is_portal CHECK (account_id IS NULL OR portal_user_id IS NOT NULL);

CREATE INDEX sessions_portal_user_idx ON sessions (portal_user_id) WHERE revoked_at IS NULL;

-- Refresh tokens, rotated on every use. The session is the token family: presenting a token that
-- was already used revokes the session (reuse detection).
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  CONSTRAINT refresh_tokens_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- One-time links sent by email: password resets (1 hour, single use), email verifications
-- (24 hours, single use) and the Review & Pay links of invoice emails (reusable until expiry).
-- Only the SHA-256 of a token is stored.
CREATE TABLE portal_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind text NOT NULL,
  token_hash text NOT NULL,
  -- The address the link was sent to (verification: the address being proven).
  email text,
  user_id uuid,
  customer_id uuid,
  invoice_id uuid,
  invitation_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  CONSTRAINT portal_tokens_hash_key UNIQUE (token_hash),
  CONSTRAINT portal_tokens_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT portal_tokens_kind_valid
    CHECK (kind IN ('password_reset', 'email_verification', 'pay_link')),
  FOREIGN KEY (tenant_id, user_id) REFERENCES portal_users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX portal_tokens_user_idx ON portal_tokens (user_id) WHERE used_at IS NULL;
CREATE INDEX portal_tokens_invoice_idx ON portal_tokens (invoice_id) WHERE invoice_id IS NOT NULL;

-- Staff invitations (rule 3) and the "Create Password" email of rule 2. The link's token is derived
-- from the row (HMAC of id and nonce under a server key) so staff can be shown the current URL again;
-- only its SHA-256 is stored. Resending changes the nonce: the old link dies.
CREATE TABLE invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  kind text NOT NULL DEFAULT 'invitation',
  first_name text,
  email text NOT NULL,
  nonce text NOT NULL,
  token_hash text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_user_id uuid,
  revoked_at timestamptz,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, accepted_user_id) REFERENCES portal_users (tenant_id, id)
    ON DELETE SET NULL (accepted_user_id),
  CONSTRAINT invitations_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
  CONSTRAINT invitations_kind_valid CHECK (kind IN ('invitation', 'create_password')),
  CONSTRAINT invitations_email_normalised CHECK (email = lower(btrim(email))),
  CONSTRAINT invitations_first_name_length CHECK (char_length(first_name) BETWEEN 1 AND 100),
  CONSTRAINT invitations_one_ending CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);

CREATE INDEX invitations_customer_idx ON invitations (tenant_id, customer_id, created_at DESC, id DESC);

-- Email waiting to be sent. Rows are written in the transaction of the event that causes them and
-- rendered at send time from `template` and `payload` with the tenant's branding. A sent row keeps
-- its metadata; links in its payload are removed.
CREATE TABLE outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  template text NOT NULL,
  to_address text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued',
  attempts integer NOT NULL DEFAULT 0,
  -- When the row may next be claimed: a claim pushes it forward (a lease), so a worker that dies
  -- mid-send releases the row when its lease runs out.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  CONSTRAINT outbox_status_valid CHECK (status IN ('queued', 'sent', 'failed')),
  CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent'))
);

CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'queued';

-- Background jobs (bulk invitations, rule 11), claimed by any server process with
-- FOR UPDATE SKIP LOCKED and reporting progress as they go.
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind text NOT NULL,
  status text NOT NULL DEFAULT 'queued',
  params jsonb NOT NULL DEFAULT '{}',
  total integer,
  processed integer NOT NULL DEFAULT 0,
  succeeded integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  error text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  -- A running job's lease, as for the outbox: a dead worker's job is picked up again.
  lease_until timestamptz,
  CONSTRAINT jobs_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT jobs_kind_valid CHECK (kind IN ('bulk_invitation')),
  CONSTRAINT jobs_status_valid CHECK (status IN ('queued', 'running', 'succeeded', 'failed'))
);

CREATE INDEX jobs_pending_idx ON jobs (created_at) WHERE status IN ('queued', 'running');
-- One bulk invitation at a time per tenant.
CREATE UNIQUE INDEX jobs_one_active_bulk_idx ON jobs (tenant_id)
  WHERE kind = 'bulk_invitation' AND status IN ('queued', 'running');
