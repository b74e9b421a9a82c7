-- Forgot password without a timing oracle (issue 16): the request only records that an address
-- asked, which is the same statement, the same rows and the same work for every address of an
-- open portal, whether or not it has a login. The mail worker then looks the address up, off the
-- request, and queues the reset email (or nothing) as 0011's passwords_forgot did.

-- Asked-for resets not handled yet. `token` is the link's token should the address have a login
-- (kept only until the worker handles the row, as an outbox payload keeps it until sent).
CREATE TABLE password_reset_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL,
  token text NOT NULL,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
