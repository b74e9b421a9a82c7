-- Back office: customers and their locations. Each function runs one whole change in one
-- statement and answers the resource as stored; the C service has validated the request's shape.

CREATE OR REPLACE FUNCTION customers_search_text() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := lower(concat_ws(' ', NEW.name, NEW.account_number,
    (SELECT string_agg(c->>'email', ' ') FROM jsonb_array_elements(NEW.contacts) AS c)));
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER customers_search BEFORE INSERT OR UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION customers_search_text();

-- Addresses and contacts are stored with every member, null where none was sent, because the
-- answers pass them through as stored and send an unknown value as null, never leave it out
-- (issue 23; address_complete and contacts_complete are in migration 0033).
CREATE OR REPLACE FUNCTION customers_complete_shapes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.billing_address := address_complete(NEW.billing_address);
  NEW.contacts := contacts_complete(NEW.contacts);
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER customers_complete BEFORE INSERT OR UPDATE OF billing_address, contacts
  ON customers FOR EACH ROW EXECUTE FUNCTION customers_complete_shapes();

CREATE OR REPLACE FUNCTION locations_complete_address() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.address := address_complete(NEW.address);
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER locations_complete BEFORE INSERT OR UPDATE OF address ON locations
  FOR EACH ROW EXECUTE FUNCTION locations_complete_address();

-- The customer as staff see it now carries its portal access.
CREATE OR REPLACE FUNCTION customer_json(c customers) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', c.id, 'account_number', c.account_number, 'external_id', c.external_id,
    'name', c.name, 'kind', c.kind, 'routing', c.routing, 'phone', c.phone,
    'billing_address', c.billing_address, 'contacts', c.contacts,
    'portal', json_build_object('enabled', c.portal_enabled, 'login_email', c.portal_login_email),
    'created_at', instant(c.created_at), 'updated_at', instant(c.updated_at))
$$;

CREATE OR REPLACE FUNCTION location_json(l locations) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', l.id, 'customer_id', l.customer_id, 'name', l.name, 'address', l.address,
    'address_line', address_line(l.address), 'active', l.active,
    'created_at', instant(l.created_at), 'updated_at', instant(l.updated_at))
$$;

CREATE OR REPLACE FUNCTION customer_must_exist(p_tenant uuid, p_customer uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM customers WHERE tenant_id = p_tenant AND id = p_customer;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer with this id.');
  END IF;
END $$;

-- A location named in a request body must be one of that customer's (NULL passes).
CREATE OR REPLACE FUNCTION location_must_belong(p_tenant uuid, p_customer uuid, p_location uuid)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_location IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM locations WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = p_location;
  IF NOT FOUND THEN
    PERFORM cs_raise('422', 'invalid_reference',
                     'This customer has no service location with this id.', 'location_id');
  END IF;
END $$;

-- Create a customer, or (when external_id names an existing one) bring it up to date: an
-- integrator may replay a sync. An unchanged replay changes nothing, not even updated_at.
CREATE OR REPLACE FUNCTION customer_upsert(p_tenant uuid, p jsonb, OUT created boolean,
                                           OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  v_id uuid;
BEGIN
  INSERT INTO customers AS c (tenant_id, account_number, external_id, name, kind, routing, phone,
                              billing_address, contacts)
  VALUES (p_tenant, p->>'account_number', p->>'external_id', p->>'name', p->>'kind',
          coalesce((p->>'routing')::boolean, false), p->>'phone',
          nullif(p->'billing_address', 'null'::jsonb),
          coalesce(nullif(p->'contacts', 'null'::jsonb), '[]'::jsonb))
  ON CONFLICT (tenant_id, external_id) DO UPDATE SET
    account_number = EXCLUDED.account_number,
    name = EXCLUDED.name,
    kind = EXCLUDED.kind,
    routing = CASE WHEN p ? 'routing' THEN EXCLUDED.routing ELSE c.routing END,
    phone = CASE WHEN p ? 'phone' THEN EXCLUDED.phone ELSE c.phone END,
    billing_address = CASE WHEN p ? 'billing_address' THEN EXCLUDED.billing_address
                           ELSE c.billing_address END,
    contacts = CASE WHEN p ? 'contacts' THEN EXCLUDED.contacts ELSE c.contacts END
  WHERE (c.account_number, c.name, c.kind, c.routing, c.phone, c.billing_address, c.contacts)
        IS DISTINCT FROM
        (EXCLUDED.account_number, EXCLUDED.name, EXCLUDED.kind,
         CASE WHEN p ? 'routing' THEN EXCLUDED.routing ELSE c.routing END,
         CASE WHEN p ? 'phone' THEN EXCLUDED.phone ELSE c.phone END,
         CASE WHEN p ? 'billing_address' THEN EXCLUDED.billing_address ELSE c.billing_address END,
         CASE WHEN p ? 'contacts' THEN EXCLUDED.contacts ELSE c.contacts END)
  RETURNING c.id, (c.xmax = 0) INTO v_id, created;
  IF v_id IS NULL THEN
    -- The replay matched the stored customer exactly.
    SELECT c.id, false INTO v_id, created
    FROM customers c WHERE c.tenant_id = p_tenant AND c.external_id = p->>'external_id';
  END IF;
  SELECT customer_json(c)::text INTO body FROM customers c WHERE c.id = v_id;
END $$;

CREATE OR REPLACE FUNCTION customer_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  UPDATE customers c SET
    account_number = coalesce(p->>'account_number', c.account_number),
    external_id = CASE WHEN p ? 'external_id' THEN p->>'external_id' ELSE c.external_id END,
    name = coalesce(p->>'name', c.name),
    kind = coalesce(p->>'kind', c.kind),
    routing = coalesce((p->>'routing')::boolean, c.routing),
    phone = CASE WHEN p ? 'phone' THEN p->>'phone' ELSE c.phone END,
    billing_address = CASE WHEN p ? 'billing_address'
                           THEN nullif(p->'billing_address', 'null'::jsonb)
                           ELSE c.billing_address END,
    contacts = CASE WHEN p ? 'contacts'
                    THEN coalesce(nullif(p->'contacts', 'null'::jsonb), '[]'::jsonb)
                    ELSE c.contacts END
  WHERE c.tenant_id = p_tenant AND c.id = p_id
  RETURNING customer_json(c)::text INTO body;
  IF body IS NULL THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer with this id.');
  END IF;
  RETURN body;
END $$;

CREATE OR REPLACE FUNCTION location_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  INSERT INTO locations AS l (tenant_id, customer_id, name, address, active)
  VALUES (p_tenant, p_customer, p->>'name', p->'address', coalesce((p->>'active')::boolean, true))
  RETURNING location_json(l)::text INTO body;
  RETURN body;
END $$;

CREATE OR REPLACE FUNCTION location_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  UPDATE locations l SET
    name = CASE WHEN p ? 'name' THEN p->>'name' ELSE l.name END,
    address = coalesce(nullif(p->'address', 'null'::jsonb), l.address),
    active = coalesce((p->>'active')::boolean, l.active)
  WHERE l.tenant_id = p_tenant AND l.id = p_id
  RETURNING location_json(l)::text INTO body;
  IF body IS NULL THEN
    PERFORM cs_raise('404', 'not_found', 'There is no service location with this id.');
  END IF;
  RETURN body;
END $$;

-- The address to write to about customer c and the first name to greet: the portal login email,
-- else the first contact with an email; the first word of that contact's name (NULL without one).
CREATE OR REPLACE FUNCTION customer_email_address(c customers, OUT email text, OUT first_name text)
LANGUAGE sql STABLE AS $$
  WITH chosen AS (
    SELECT coalesce(c.portal_login_email,
                    (SELECT lower(btrim(e->>'email')) FROM jsonb_array_elements(c.contacts)
                       WITH ORDINALITY AS x(e, n)
                     WHERE coalesce(btrim(e->>'email'), '') <> '' ORDER BY n LIMIT 1)) AS email)
  SELECT chosen.email,
         (SELECT left(nullif(split_part(btrim(e->>'name'), ' ', 1), ''), 100)
          FROM jsonb_array_elements(c.contacts) WITH ORDINALITY AS x(e, n)
          WHERE lower(btrim(e->>'email')) = chosen.email ORDER BY n LIMIT 1)
  FROM chosen
$$;
