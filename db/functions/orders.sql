-- Back office: orders (deliveries, pick-ups, extra services) of a customer.

CREATE OR REPLACE FUNCTION order_json(o orders) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', o.id, 'customer_id', o.customer_id, 'location_id', o.location_id,
    'number', o.number, 'type', o.type, 'service_date', o.service_date, 'service', o.service,
    'status', o.status, 'asset_id', o.asset_id, 'description', o.description,
    'amount_cents', o.amount_cents, 'service_request_id', o.service_request_id,
    'created_at', instant(o.created_at), 'updated_at', instant(o.updated_at))
$$;

CREATE OR REPLACE FUNCTION order_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  PERFORM location_must_belong(p_tenant, p_customer, (p->>'location_id')::uuid);
  INSERT INTO orders AS o (tenant_id, customer_id, location_id, number, type, service_date,
                           service, status, asset_id, description, amount_cents)
  VALUES (p_tenant, p_customer, (p->>'location_id')::uuid, p->>'number', p->>'type',
          (p->>'service_date')::date, p->>'service', coalesce(p->>'status', 'scheduled'),
          p->>'asset_id', p->>'description', coalesce((p->>'amount_cents')::bigint, 0))
  RETURNING order_json(o)::text INTO body;
  RETURN body;
END $$;

CREATE OR REPLACE FUNCTION order_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid;
  body text;
BEGIN
  SELECT customer_id INTO v_customer FROM orders WHERE tenant_id = p_tenant AND id = p_id;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no order with this id.');
  END IF;
  PERFORM location_must_belong(p_tenant, v_customer, (p->>'location_id')::uuid);
  UPDATE orders o SET
    location_id = CASE WHEN p ? 'location_id' THEN (p->>'location_id')::uuid ELSE o.location_id END,
    number = coalesce(p->>'number', o.number),
    type = coalesce(p->>'type', o.type),
    service_date = coalesce((p->>'service_date')::date, o.service_date),
    service = coalesce(p->>'service', o.service),
    status = coalesce(p->>'status', o.status),
    asset_id = CASE WHEN p ? 'asset_id' THEN p->>'asset_id' ELSE o.asset_id END,
    description = CASE WHEN p ? 'description' THEN p->>'description' ELSE o.description END,
    amount_cents = coalesce((p->>'amount_cents')::bigint, o.amount_cents)
  WHERE o.tenant_id = p_tenant AND o.id = p_id
  RETURNING order_json(o)::text INTO body;
  RETURN body;
END $$;
