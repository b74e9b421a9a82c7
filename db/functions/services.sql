-- Back office: the services of a customer's locations.

CREATE OR REPLACE FUNCTION service_json(s services) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', s.id, 'customer_id', s.customer_id, 'location_id', s.location_id,
    'description', s.description, 'container_size', s.container_size,
    'frequency', s.frequency, 'service_day', s.service_day, 'rate_cents', s.rate_cents,
    'active', s.active, 'start_date', s.start_date,
    'created_at', instant(s.created_at), 'updated_at', instant(s.updated_at))
$$;

CREATE OR REPLACE FUNCTION service_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  PERFORM location_must_belong(p_tenant, p_customer, (p->>'location_id')::uuid);
  INSERT INTO services AS s (tenant_id, customer_id, location_id, description, container_size,
                             frequency, service_day, rate_cents, active, start_date)
  VALUES (p_tenant, p_customer, (p->>'location_id')::uuid, p->>'description',
          p->>'container_size', p->>'frequency', p->>'service_day',
          (p->>'rate_cents')::bigint, coalesce((p->>'active')::boolean, true),
          (p->>'start_date')::date)
  RETURNING service_json(s)::text INTO body;
  RETURN body;
END $$;

CREATE OR REPLACE FUNCTION service_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid;
  body text;
BEGIN
  SELECT customer_id INTO v_customer FROM services WHERE tenant_id = p_tenant AND id = p_id;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no service with this id.');
  END IF;
  PERFORM location_must_belong(p_tenant, v_customer, (p->>'location_id')::uuid);
  UPDATE services s SET
    location_id = coalesce((p->>'location_id')::uuid, s.location_id),
    description = coalesce(p->>'description', s.description),
    container_size = CASE WHEN p ? 'container_size' THEN p->>'container_size'
                          ELSE s.container_size END,
    frequency = coalesce(p->>'frequency', s.frequency),
    service_day = CASE WHEN p ? 'service_day' THEN p->>'service_day' ELSE s.service_day END,
    rate_cents = coalesce((p->>'rate_cents')::bigint, s.rate_cents),
    active = coalesce((p->>'active')::boolean, s.active),
    start_date = CASE WHEN p ? 'start_date' THEN (p->>'start_date')::date ELSE s.start_date END
  WHERE s.tenant_id = p_tenant AND s.id = p_id
  RETURNING service_json(s)::text INTO body;
  RETURN body;
END $$;
