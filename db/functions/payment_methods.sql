-- Saved payment methods of an account (cards and bank accounts, as the processor describes them):
-- add, remove, choose the default; portal users add them within a limit per hour.

-- A payment method as the portal shows it.
CREATE OR REPLACE FUNCTION payment_method_json(m payment_methods) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', m.id, 'type', m.type, 'brand', m.brand, 'last4', m.last4,
    'exp_month', m.exp_month, 'exp_year', m.exp_year, 'bank_name', m.bank_name,
    'is_default', m.is_default, 'created_at', instant(m.created_at))
$$;

-- The customer's live methods: the default first, then the newest first. Not paged: a customer
-- has a handful.
CREATE OR REPLACE FUNCTION portal_payment_methods_json(p_tenant uuid, p_customer uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('items', coalesce(json_agg(payment_method_json(m)
           ORDER BY m.is_default DESC, m.created_at DESC, m.id DESC), '[]'::json))
  FROM payment_methods m
  WHERE m.tenant_id = p_tenant AND m.customer_id = p_customer AND m.removed_at IS NULL
$$;

-- Lock the customer row: every change to a customer's methods is serialised on it, so the
-- default and the autopay rules hold under concurrent requests.
CREATE OR REPLACE FUNCTION payment_methods_lock(p_tenant uuid, p_customer uuid) RETURNS customers
LANGUAGE plpgsql AS $$
DECLARE
  c customers;
BEGIN
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = p_customer FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer account with this id.');
  END IF;
  RETURN c;
END $$;

-- A live method of the customer, locked; 404 when there is none with this id.
CREATE OR REPLACE FUNCTION payment_method_live(p_tenant uuid, p_customer uuid, p_id uuid)
RETURNS payment_methods LANGUAGE plpgsql AS $$
DECLARE
  m payment_methods;
BEGIN
  SELECT * INTO m FROM payment_methods
  WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = p_id AND removed_at IS NULL
  FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no payment method with this id.');
  END IF;
  RETURN m;
END $$;

-- Save a method the processor described (p_doc: processor_ref, type, brand, last4, exp_month,
-- exp_year, bank_name). The customer's first live method becomes the default; a later one only
-- when p_default asks for it.
CREATE OR REPLACE FUNCTION payment_method_add(p_tenant uuid, p_customer uuid, p_processor text,
                                              p_doc json,
                                              p_default boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  m payment_methods;
  v_default boolean;
BEGIN
  PERFORM payment_methods_lock(p_tenant, p_customer);
  v_default := p_default OR NOT EXISTS (
    SELECT 1 FROM payment_methods
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND removed_at IS NULL);
  IF v_default THEN
    UPDATE payment_methods SET is_default = false
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND is_default AND removed_at IS NULL;
  END IF;
  INSERT INTO payment_methods (tenant_id, customer_id, processor, processor_ref, type, brand,
                               last4, exp_month, exp_year, bank_name, is_default)
  VALUES (p_tenant, p_customer, p_processor, p_doc->>'processor_ref', p_doc->>'type',
          nullif(p_doc->>'brand', ''), p_doc->>'last4', (p_doc->>'exp_month')::int,
          (p_doc->>'exp_year')::int, nullif(p_doc->>'bank_name', ''), v_default)
  RETURNING * INTO m;
  RETURN payment_method_json(m);
END $$;

-- Make a live method the default (a no-op when it already is).
CREATE OR REPLACE FUNCTION payment_method_set_default(p_tenant uuid, p_customer uuid, p_id uuid)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  m payment_methods;
BEGIN
  PERFORM payment_methods_lock(p_tenant, p_customer);
  m := payment_method_live(p_tenant, p_customer, p_id);
  IF NOT m.is_default THEN
    UPDATE payment_methods SET is_default = false
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND is_default AND removed_at IS NULL;
    UPDATE payment_methods SET is_default = true WHERE id = m.id RETURNING * INTO m;
  END IF;
  RETURN payment_method_json(m);
END $$;

-- Remove a live method. The method autopay charges cannot go while autopay is on (409); while it
-- is off, removing it also clears autopay's choice. Removing the default promotes the newest
-- remaining live method, so a customer with methods always has a default.
CREATE OR REPLACE FUNCTION payment_method_remove(p_tenant uuid, p_customer uuid, p_id uuid)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c customers;
  m payment_methods;
BEGIN
  c := payment_methods_lock(p_tenant, p_customer);
  m := payment_method_live(p_tenant, p_customer, p_id);
  IF c.autopay_payment_method_id = m.id THEN
    IF c.autopay_enabled THEN
      PERFORM cs_raise('409', 'payment_method_in_use_by_autopay',
        'This payment method pays your invoices automatically. Turn autopay off, or choose '
        'another method for it, before removing this one.');
    END IF;
    UPDATE customers SET autopay_payment_method_id = NULL
    WHERE tenant_id = p_tenant AND id = p_customer;
  END IF;
  UPDATE payment_methods SET removed_at = now(), is_default = false WHERE id = m.id;
  IF m.is_default THEN
    UPDATE payment_methods SET is_default = true
    WHERE id = (SELECT id FROM payment_methods
                WHERE tenant_id = p_tenant AND customer_id = p_customer AND removed_at IS NULL
                ORDER BY created_at DESC, id DESC LIMIT 1);
  END IF;
END $$;

-- payment_method_add for portal user p_user, within the limit of p_methods new methods an hour
-- (checked in the same transaction); the method records the user.
CREATE OR REPLACE FUNCTION portal_payment_method_add(p_tenant uuid, p_customer uuid, p_user uuid,
                                                     p_processor text, p_doc json,
                                                     p_default boolean,
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
