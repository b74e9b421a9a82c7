-- Sign in with Google (OpenID Connect; API.md rules 5b and 6). A sign-in is three steps, each
-- one transaction, so no connection is held while the provider is asked anything:
--   google_login_start  records the attempt (state hash, nonce, PKCE verifier, redirect URI and
--                       the invitation or pay link it came through);
--   google_login_claim  spends the state (single use, short expiry) at the callback;
--   google_login_finish after the server checked the ID token, matches or creates the user and
--                       answers a sign-in outcome (as the sign-up functions of 0011 do).

-- An authorization request waiting for its callback. Only the SHA-256 of `state` is kept; the
-- nonce and the PKCE verifier must be kept as they are (they are compared and sent later) and
-- live minutes.
CREATE TABLE oidc_logins (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  state_hash text NOT NULL,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  redirect_uri text NOT NULL,
  invitation_id uuid,
  pay_link_id uuid REFERENCES portal_tokens (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  CONSTRAINT oidc_logins_state_hash_key UNIQUE (state_hash),
  CONSTRAINT oidc_logins_state_hash_format CHECK (state_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT oidc_logins_one_origin CHECK (invitation_id IS NULL OR pay_link_id IS NULL),
  FOREIGN KEY (tenant_id, invitation_id) REFERENCES invitations (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);
