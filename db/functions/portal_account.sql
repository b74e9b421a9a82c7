-- The portal's account views: the account, its locations (and the location filter every list
-- takes), services, orders and which tabs the portal shows.

-- The dashboard tabs that apply to an account, in display order. Rule 12: Services only for a
-- routing customer; Orders, Invoices and Payments always. The dashboard reuses this.
CREATE OR REPLACE FUNCTION portal_tabs(c customers) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN c.routing THEN '["services", "orders", "invoices", "payments"]'::json
              ELSE '["orders", "invoices", "payments"]'::json END
$$;

CREATE OR REPLACE FUNCTION portal_account_json(c customers) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', c.id, 'account_number', c.account_number, 'name', c.name, 'kind', c.kind,
    'routing', c.routing, 'phone', c.phone, 'billing_address', c.billing_address,
    'billing_address_line', address_line(c.billing_address), 'contacts', c.contacts,
    'tabs', portal_tabs(c))
$$;

CREATE OR REPLACE FUNCTION portal_location_json(l locations) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', l.id, 'name', l.name, 'address', l.address,
                           'address_line', address_line(l.address))
$$;

-- The location of a service or order as its portal JSON (NULL for none). The row already belongs
-- to the account and the foreign key keeps its location in the same account.
CREATE OR REPLACE FUNCTION portal_location_of(p_tenant uuid, p_location uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT portal_location_json(l) FROM locations l WHERE l.tenant_id = p_tenant AND l.id = p_location
$$;

CREATE OR REPLACE FUNCTION portal_service_json(s services) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', s.id, 'description', s.description, 'container_size', s.container_size,
    'frequency', s.frequency, 'service_day', s.service_day, 'rate_cents', s.rate_cents,
    'start_date', s.start_date, 'location', portal_location_of(s.tenant_id, s.location_id))
$$;

-- Rule 14: order number, service date, service, status, location address, asset id, description,
-- amount (plus the type, which says whether it is a dumpster, live-load or minis order).
CREATE OR REPLACE FUNCTION portal_order_json(o orders) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', o.id, 'number', o.number, 'type', o.type, 'service_date', o.service_date,
    'service', o.service, 'status', o.status,
    'location', portal_location_of(o.tenant_id, o.location_id),
    'asset_id', o.asset_id, 'description', o.description, 'amount_cents', o.amount_cents,
    'service_request_id', o.service_request_id)
$$;

-- The `location_id` filter of a portal list: true when it is absent or a location of the account
-- (active or not: old orders and invoices keep theirs); anything else is 422 on location_id, the
-- same whether the id is unknown or another account's. It takes no column, so in a list's WHERE
-- the planner runs it once, before reading any row.
CREATE OR REPLACE FUNCTION portal_location_filter(p_tenant uuid, p_customer uuid, p_location uuid)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_location IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM locations
       WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = p_location) THEN
    PERFORM cs_raise('422', 'invalid_parameter',
                     'This account has no service location with this id.', 'location_id');
  END IF;
  RETURN true;
END $$;
