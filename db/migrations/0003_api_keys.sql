-- Tenant API keys for integrators, and the helpers every back-office function shares.

-- Business errors raised by SQL functions: SQLSTATE 'CS' + HTTP status, MESSAGE the stable problem
-- code, DETAIL the sentence, HINT the request field at fault (or empty). The pool maps them to
-- problem responses, so a rule enforced here reads the same as one enforced in C.
CREATE FUNCTION cs_raise(status text, code text, detail text, field text DEFAULT '')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'CS' || status, MESSAGE = code, DETAIL = detail,
    HINT = coalesce(field, '');
END $$;

-- An instant as RFC 3339 UTC with milliseconds (the API's format).
CREATE FUNCTION instant(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- The opaque cursor of a keyset page: base64url of a JSON array of the last row's sort keys.
CREATE FUNCTION cursor_encode(keys json) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(rtrim(replace(encode(convert_to(keys::text, 'UTF8'), 'base64'), E'\n', ''),
                         '='), '+/', '-_')
$$;

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- The first characters of the key, shown in lists so a person can tell keys apart.
  prefix text NOT NULL,
  -- SHA-256 of the whole key (hex); the key itself is shown once and never stored.
  key_hash text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
  CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
  CONSTRAINT api_keys_hash_format CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  FOREIGN KEY (tenant_id, created_by) REFERENCES staff_users (tenant_id, id) ON DELETE SET NULL (created_by)
);

CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at DESC, id DESC);
