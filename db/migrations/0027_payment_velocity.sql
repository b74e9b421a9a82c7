-- Card testing (API.md rule 27, issue 16 item 6): declined charges and new payment methods are
-- limited per portal user and per customer account in a rolling hour, as payment platforms'
-- velocity rules do. The events are rows already (failed payments, payment methods), so the
-- limits hold across server processes; what was missing is who made them.
--
-- What counts, in the hour before the attempt (created_at):
--   declines     portal payments that failed, and portal payments still waiting for the
--                processor's first answer (pending without a charge reference): a charge in
--                flight is a decline until it is known not to be one, so requests fired at once
--                cannot all pass the count before any of them has failed;
--   new methods  payment methods saved (removed ones too: removing does not give the budget
--                back) and portal payments made with a token that was not saved.
-- Autopay (source 'autopay') is neither counted nor limited: the scheduler charges methods the
-- customer saved, which is not a card-testing vector.
--
-- Race-free: the check takes transaction-scoped advisory locks on the user and on the account
-- (the user's first, always; nothing else takes these locks, so they cannot deadlock with row
-- locks) and runs in the same transaction as the insert it guards (portal_payment_reserve_limited,
-- portal_payment_method_add), so the count and the write agree.
--
-- A refusal raises cs_raise('429', code, sentence, seconds): for a 429 the HINT carries the
-- Retry-After seconds (until the event whose leaving brings the count under the limit is an hour
-- old), and the whole transaction is rolled back: nothing is written.

ALTER TABLE payments ADD COLUMN portal_user_id uuid,
  ADD CONSTRAINT payments_portal_user_fkey FOREIGN KEY (tenant_id, portal_user_id)
    REFERENCES portal_users (tenant_id, id) ON DELETE SET NULL (portal_user_id);
ALTER TABLE payment_methods ADD COLUMN portal_user_id uuid,
  ADD CONSTRAINT payment_methods_portal_user_fkey FOREIGN KEY (tenant_id, portal_user_id)
    REFERENCES portal_users (tenant_id, id) ON DELETE SET NULL (portal_user_id);

CREATE INDEX payments_velocity_user_idx ON payments (portal_user_id, created_at)
  WHERE source = 'portal' AND portal_user_id IS NOT NULL;
CREATE INDEX payments_velocity_account_idx ON payments (customer_id, created_at)
  WHERE source = 'portal';
CREATE INDEX payment_methods_velocity_user_idx ON payment_methods (portal_user_id, created_at)
  WHERE portal_user_id IS NOT NULL;
CREATE INDEX payment_methods_velocity_account_idx ON payment_methods (customer_id, created_at);

-- Seconds until fewer than p_limit of the instants p_times are within the last hour, or NULL
-- when fewer than p_limit are already: the p_limit-th newest must leave the window.
CREATE FUNCTION velocity_wait(p_times timestamptz[], p_limit integer) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN count(*) >= p_limit
              THEN greatest(1, ceil(extract(epoch FROM
                     (array_agg(t ORDER BY t DESC))[p_limit] + interval '1 hour' - now())))::int
         END
  FROM unnest(p_times) t WHERE t > now() - interval '1 hour'
$$;

-- The declines counted for one user (p_user) or, when it is NULL, one account (p_customer), at
-- most p_limit of them, newest first. One branch per scope, each guarded by a constant test, so
-- the generic plan of each still uses its index.
CREATE FUNCTION velocity_declines(p_user uuid, p_customer uuid, p_limit integer)
RETURNS timestamptz[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(t), '{}') FROM (
    SELECT t FROM (
      SELECT p.created_at AS t FROM payments p
      WHERE p_user IS NOT NULL AND p.portal_user_id = p_user AND p.source = 'portal'
        AND p.created_at > now() - interval '1 hour'
        AND (p.status = 'failed' OR (p.status = 'pending' AND p.processor_charge_ref IS NULL))
      UNION ALL
      SELECT p.created_at FROM payments p
      WHERE p_user IS NULL AND p.customer_id = p_customer AND p.source = 'portal'
        AND p.created_at > now() - interval '1 hour'
        AND (p.status = 'failed' OR (p.status = 'pending' AND p.processor_charge_ref IS NULL))) e
    ORDER BY t DESC LIMIT p_limit) x
$$;

-- The new methods counted for one user or, when it is NULL, one account, at most p_limit of
-- them, newest first.
CREATE FUNCTION velocity_new_methods(p_user uuid, p_customer uuid, p_limit integer)
RETURNS timestamptz[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(t), '{}') FROM (
    SELECT t FROM (
      SELECT m.created_at AS t FROM payment_methods m
      WHERE p_user IS NOT NULL AND m.portal_user_id = p_user
        AND m.created_at > now() - interval '1 hour'
      UNION ALL
      SELECT m.created_at FROM payment_methods m
      WHERE p_user IS NULL AND m.customer_id = p_customer
        AND m.created_at > now() - interval '1 hour'
      UNION ALL
      SELECT p.created_at FROM payments p
      WHERE p_user IS NOT NULL AND p.portal_user_id = p_user AND p.source = 'portal'
        AND p.payment_method_id IS NULL AND p.created_at > now() - interval '1 hour'
      UNION ALL
      SELECT p.created_at FROM payments p
      WHERE p_user IS NULL AND p.customer_id = p_customer AND p.source = 'portal'
        AND p.payment_method_id IS NULL AND p.created_at > now() - interval '1 hour') e
    ORDER BY t DESC LIMIT p_limit) x
$$;

-- "1 minute", "12 minutes": a wait in seconds, rounded up, for a sentence.
CREATE FUNCTION velocity_minutes(p_seconds integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_seconds <= 60 THEN '1 minute'
              ELSE ceil(p_seconds / 60.0)::int || ' minutes' END
$$;

-- Refuse with 429 when the user or the account has reached a limit. p_charge: the attempt
-- charges (the decline limit applies); p_new_method: it brings a new method (a token). A payment
-- already made under p_claim (a retry resuming it) is no new attempt: nothing is checked. Takes
-- the advisory locks that serialise the check with the caller's insert (held to its commit).
CREATE FUNCTION portal_velocity_check(p_tenant uuid, p_customer uuid, p_user uuid, p_claim uuid,
                                      p_charge boolean, p_new_method boolean,
                                      p_declines integer, p_methods integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_wait integer;
BEGIN
  IF p_claim IS NOT NULL AND EXISTS (SELECT 1 FROM payments WHERE idempotency_claim = p_claim) THEN
    RETURN;
  END IF;
  -- 2027 and 2028: this file's lock classes (user, account).
  IF p_user IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(2027, hashtext(p_user::text));
  END IF;
  PERFORM pg_advisory_xact_lock(2028, hashtext(p_tenant::text || p_customer::text));
  IF p_charge THEN
    v_wait := greatest(velocity_wait(velocity_declines(p_user, p_customer, p_declines), p_declines),
                       velocity_wait(velocity_declines(NULL, p_customer, p_declines), p_declines));
    IF v_wait IS NOT NULL THEN
      PERFORM cs_raise('429', 'too_many_declines', format(
        'Payments from this login or for this account were declined (or are still '
        'unconfirmed) %s times in the last hour, so new payments are paused to protect the '
        'account. Try again in %s.',
        p_declines, velocity_minutes(v_wait)), v_wait::text);
    END IF;
  END IF;
  IF p_new_method THEN
    v_wait := greatest(velocity_wait(velocity_new_methods(p_user, p_customer, p_methods), p_methods),
                       velocity_wait(velocity_new_methods(NULL, p_customer, p_methods), p_methods));
    IF v_wait IS NOT NULL THEN
      PERFORM cs_raise('429', 'too_many_payment_methods', format(
        '%s new cards or bank accounts have been entered from this login or for this account in '
        'the last hour, which is the most allowed. Pay with a saved payment method, or try a '
        'new one again in %s.', p_methods, velocity_minutes(v_wait)), v_wait::text);
    END IF;
  END IF;
END $$;

-- 0018's portal_payment_reserve for portal user p_user, within the limits (p_declines declines
-- and p_methods new methods an hour): the check and the reserve in one transaction, and the
-- payment (and a method saved on the way) record the user.
CREATE FUNCTION portal_payment_reserve_limited(p_tenant uuid, p_customer uuid, p_user uuid,
                                               p_claim uuid, p jsonb, p_processor text,
                                               p_new json, p_declines integer, p_methods integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_plan text;
  v_payment uuid;
BEGIN
  PERFORM portal_velocity_check(p_tenant, p_customer, p_user, p_claim, true, p_new IS NOT NULL,
                                p_declines, p_methods);
  v_plan := portal_payment_reserve(p_tenant, p_customer, p_claim, p, p_processor, p_new);
  v_payment := (v_plan::json->>'payment_id')::uuid;
  UPDATE payments SET portal_user_id = p_user
  WHERE id = v_payment AND portal_user_id IS NULL AND p_user IS NOT NULL;
  -- With a token, the payment's method is the one just saved from it (none when not saved).
  IF p_new IS NOT NULL AND p_user IS NOT NULL THEN
    UPDATE payment_methods SET portal_user_id = p_user
    WHERE id = (SELECT payment_method_id FROM payments WHERE id = v_payment)
      AND portal_user_id IS NULL;
  END IF;
  RETURN v_plan;
END $$;

-- 0016's payment_method_add for portal user p_user, within the limit of p_methods new methods an
-- hour (checked in the same transaction); the method records the user.
CREATE FUNCTION portal_payment_method_add(p_tenant uuid, p_customer uuid, p_user uuid,
                                          p_processor text, p_doc json, p_default boolean,
                                          p_methods integer)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v json;
BEGIN
  PERFORM portal_velocity_check(p_tenant, p_customer, p_user, NULL, false, true, 0, p_methods);
  v := payment_method_add(p_tenant, p_customer, p_processor, p_doc, p_default);
  UPDATE payment_methods SET portal_user_id = p_user WHERE id = (v->>'id')::uuid;
  RETURN v;
END $$;
