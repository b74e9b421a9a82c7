-- Hauler staff who use the back office, and the sessions their access tokens belong to.

CREATE TABLE staff_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL,
  full_name text NOT NULL,
  role text NOT NULL DEFAULT 'admin',
  password_hash text NOT NULL,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Emails are stored trimmed and lower-cased by the application; the check keeps it that way.
  CONSTRAINT staff_users_email_key UNIQUE (tenant_id, email),
  CONSTRAINT staff_users_email_normalised CHECK (email = lower(btrim(email))),
  CONSTRAINT staff_users_role_valid CHECK (role IN ('admin', 'billing')),
  -- Lets other tables reference (tenant_id, id) so a foreign key cannot cross tenants.
  CONSTRAINT staff_users_tenant_id_id_key UNIQUE (tenant_id, id)
);

-- A login session: access tokens carry its id, so revoking the row revokes them.
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  staff_user_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  client_address text,
  FOREIGN KEY (tenant_id, staff_user_id) REFERENCES staff_users (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT sessions_has_principal CHECK (staff_user_id IS NOT NULL)
);

CREATE INDEX sessions_staff_user_idx ON sessions (staff_user_id) WHERE revoked_at IS NULL;
