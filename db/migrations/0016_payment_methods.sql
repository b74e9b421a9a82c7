-- Payment methods (API.md rule 18): a card or bank account saved from a processor token produced
-- in the browser. Curbside keeps only what the processor describes (brand, last four digits,
-- expiry, bank name) and its reference; raw card numbers never reach it. Removing a method is a
-- soft delete (removed_at), because payments will reference the method they were made with.
-- One live default per customer. Autopay (rule 19) points at a method; its endpoints come later,
-- but its columns are here so that "the autopay method cannot be removed" is a real rule.

CREATE TABLE payment_methods (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  processor text NOT NULL,
  processor_ref text NOT NULL,
  type text NOT NULL,
  brand text,
  last4 text NOT NULL,
  exp_month int,
  exp_year int,
  bank_name text,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT payment_methods_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT payment_methods_customer_key UNIQUE (tenant_id, customer_id, id),
  CONSTRAINT payment_methods_processor_valid CHECK (processor IN ('sandbox', 'stripe')),
  CONSTRAINT payment_methods_ref_length CHECK (char_length(processor_ref) BETWEEN 1 AND 127),
  CONSTRAINT payment_methods_type_valid CHECK (type IN ('card', 'bank_account')),
  CONSTRAINT payment_methods_last4_valid CHECK (last4 ~ '^[0-9]{4}$'),
  -- A card has a brand and an expiry and no bank; a bank account the reverse.
  CONSTRAINT payment_methods_card_shape CHECK (
    CASE type WHEN 'card' THEN brand IS NOT NULL AND exp_month BETWEEN 1 AND 12
                               AND exp_year BETWEEN 2000 AND 9999 AND bank_name IS NULL
              ELSE brand IS NULL AND exp_month IS NULL AND exp_year IS NULL END),
  CONSTRAINT payment_methods_text_lengths CHECK (
    char_length(brand) <= 32 AND char_length(bank_name) <= 64),
  CONSTRAINT payment_methods_removed_not_default CHECK (removed_at IS NULL OR NOT is_default)
);

-- The portal list: a customer's live methods (a handful).
CREATE INDEX payment_methods_customer_idx ON payment_methods (tenant_id, customer_id, created_at)
  WHERE removed_at IS NULL;
-- One default per customer among live methods.
CREATE UNIQUE INDEX payment_methods_one_default ON payment_methods (tenant_id, customer_id)
  WHERE is_default AND removed_at IS NULL;

-- Autopay: on or off, and the method it charges (kept when autopay is switched off, so switching
-- it back on can offer the same method).
ALTER TABLE customers
  ADD COLUMN autopay_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN autopay_payment_method_id uuid,
  ADD CONSTRAINT customers_autopay_method_fkey FOREIGN KEY (tenant_id, id, autopay_payment_method_id)
    REFERENCES payment_methods (tenant_id, customer_id, id),
  ADD CONSTRAINT customers_autopay_needs_method CHECK
    (NOT autopay_enabled OR autopay_payment_method_id IS NOT NULL);

-- The portal's autopay object (the dashboard's `autopay`, the autopay endpoints later).
CREATE FUNCTION portal_autopay_json(c customers) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('enabled', c.autopay_enabled,
                           'payment_method_id', c.autopay_payment_method_id)
$$;

-- A payment method as the portal shows it.
CREATE FUNCTION payment_method_json(m payment_methods) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', m.id, 'type', m.type, 'brand', m.brand, 'last4', m.last4,
    'exp_month', m.exp_month, 'exp_year', m.exp_year, 'bank_name', m.bank_name,
    'is_default', m.is_default, 'created_at', instant(m.created_at))
$$;

-- The customer's live methods: the default first, then the newest first. Not paged: a customer
-- has a handful.
CREATE FUNCTION portal_payment_methods_json(p_tenant uuid, p_customer uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('items', coalesce(json_agg(payment_method_json(m)
           ORDER BY m.is_default DESC, m.created_at DESC, m.id DESC), '[]'::json))
  FROM payment_methods m
  WHERE m.tenant_id = p_tenant AND m.customer_id = p_customer AND m.removed_at IS NULL
$$;

-- Lock the customer row: every change to a customer's methods is serialised on it, so the
-- default and the autopay rules hold under concurrent requests.
CREATE FUNCTION payment_methods_lock(p_tenant uuid, p_customer uuid) RETURNS customers
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
CREATE FUNCTION payment_method_live(p_tenant uuid, p_customer uuid, p_id uuid)
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
CREATE FUNCTION payment_method_add(p_tenant uuid, p_customer uuid, p_processor text, p_doc json,
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
CREATE FUNCTION payment_method_set_default(p_tenant uuid, p_customer uuid, p_id uuid)
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
CREATE FUNCTION payment_method_remove(p_tenant uuid, p_customer uuid, p_id uuid)
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
