-- Events (issue 26, item 1): what happened to an object, written in the transaction that made it
-- happen, for integrators who pull (GET /v1/admin/events) and for webhook deliveries.
--
-- `data` is the object as the API shows it at that moment (json, not jsonb: the API's key order is
-- kept). The feed's position is (xid, seq): xid is the writing transaction, and the feed shows an
-- event only once every transaction older than its own has ended (pg_snapshot_xmin), so a reader
-- paging forward never skips an event that commits late (docs/decisions.md, "The event feed").
CREATE TABLE events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  type text NOT NULL CONSTRAINT events_type_shape CHECK (type ~ '^[a-z_]+(\.[a-z_]+)+$'),
  object_type text NOT NULL,
  object_id uuid NOT NULL,
  data json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_feed ON events (tenant_id, xid, seq);
CREATE INDEX events_feed_by_type ON events (tenant_id, type, xid, seq);
CREATE INDEX events_by_object ON events (tenant_id, object_id, seq);
