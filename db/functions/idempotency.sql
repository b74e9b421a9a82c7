-- Idempotency-Key claims: a request with a key claims it before doing anything, stores its
-- answer when it is done, and a replay of the key gets that answer back instead of doing it again.

-- Store the answer of a money request under its idempotency key, in the caller's transaction.
CREATE OR REPLACE FUNCTION idempotency_complete(p_key uuid, p_status integer,
                                                p_body text) RETURNS void
LANGUAGE sql AS $$
  UPDATE idempotency_keys SET response_status = p_status, response_body = p_body WHERE id = p_key
$$;

-- Claim an Idempotency-Key for a request (Stripe's semantics). state: 'new' (run it; `id` is the
-- claim), 'replay' (answer status/body), 'reused' (same key, different request) or 'in_use' (the
-- first request is still running). A claim whose request died without committing is taken over
-- once its lease has passed.
CREATE OR REPLACE FUNCTION idempotency_claim(p_tenant uuid, p_principal text, p_key text,
                                             p_hash text,
                                             p_lease_seconds integer,
                                             OUT state text, OUT id uuid, OUT status integer,
                                             OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  k idempotency_keys;
BEGIN
  INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, leased_until)
  VALUES (p_tenant, p_principal, p_key, p_hash, now() + make_interval(secs => p_lease_seconds))
  ON CONFLICT (tenant_id, principal, key) DO NOTHING
  RETURNING idempotency_keys.id INTO id;
  IF id IS NOT NULL THEN
    state := 'new';
    RETURN;
  END IF;
  SELECT * INTO k FROM idempotency_keys x
  WHERE x.tenant_id = p_tenant AND x.principal = p_principal AND x.key = p_key FOR UPDATE;
  id := k.id;
  IF k.request_hash <> p_hash THEN
    state := 'reused';
  ELSIF k.response_status IS NOT NULL THEN
    state := 'replay';
    status := k.response_status;
    body := k.response_body;
  ELSIF k.leased_until > now() THEN
    state := 'in_use';
  ELSE
    UPDATE idempotency_keys x SET leased_until = now() + make_interval(secs => p_lease_seconds)
    WHERE x.id = k.id;
    state := 'new';
  END IF;
END $$;

-- Forget a claim whose request failed without moving money, so the client may correct and retry.
CREATE OR REPLACE FUNCTION idempotency_release(p_key uuid) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM idempotency_keys WHERE id = p_key AND response_status IS NULL
$$;

-- End a claim's lease now without forgetting it: the request's payment stays pending under it
-- with an unknown outcome, and a retry with the same key takes the claim over at once (resuming
-- the payment) instead of waiting for the lease.
CREATE OR REPLACE FUNCTION idempotency_yield(p_key uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE idempotency_keys SET leased_until = now() WHERE id = p_key AND response_status IS NULL
$$;

-- Store an answer under a claim that has none yet (a later settlement never rewrites it).
CREATE OR REPLACE FUNCTION idempotency_complete_once(p_key uuid, p_status integer, p_body text)
RETURNS void LANGUAGE sql AS $$
  UPDATE idempotency_keys SET response_status = p_status, response_body = p_body
  WHERE id = p_key AND response_status IS NULL
$$;
