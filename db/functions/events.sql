-- Events (db/migrations/0043_events.sql): how one is written and how the API shows it.

-- Record that `p_type` happened to `p_object` (its API JSON) in the caller's transaction.
-- Returns the event's id.
CREATE OR REPLACE FUNCTION event_emit(p_tenant uuid, p_type text, p_object_type text,
                                      p_object_id uuid, p_object json) RETURNS uuid
LANGUAGE sql AS $$
  INSERT INTO events (tenant_id, type, object_type, object_id, data)
  VALUES (p_tenant, p_type, p_object_type, p_object_id, p_object)
  RETURNING id
$$;

-- The event as GET /v1/admin/events and a webhook delivery show it.
CREATE OR REPLACE FUNCTION event_json(e events) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('id', e.id, 'type', e.type, 'created_at', instant(e.created_at),
                           'tenant_id', e.tenant_id, 'object_type', e.object_type,
                           'data', json_build_object('object', e.data))
$$;
