-- Service requests worked by staff (issue 25, items 3 and 5): accepting a request creates its
-- order (linked back to the request) and, for a priced request, a line on a draft invoice of the
-- customer (linked too, so a decline can take it back while the invoice is still a draft).
-- Extra and missed pickups become orders of type `pickup`, vacation holds of type `hold`.

ALTER TABLE orders DROP CONSTRAINT orders_type_valid;
ALTER TABLE orders ADD CONSTRAINT orders_type_valid
  CHECK (type IN ('dumpster', 'live_load', 'minis', 'pickup', 'hold'));

ALTER TABLE orders ADD COLUMN service_request_id uuid;
ALTER TABLE orders ADD CONSTRAINT orders_service_request_fkey
  FOREIGN KEY (tenant_id, service_request_id) REFERENCES service_requests (tenant_id, id);
-- One order per request, whoever presses accept.
CREATE UNIQUE INDEX orders_service_request_key ON orders (service_request_id)
  WHERE service_request_id IS NOT NULL;

ALTER TABLE invoice_lines ADD COLUMN service_request_id uuid;
ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_service_request_fkey
  FOREIGN KEY (tenant_id, service_request_id) REFERENCES service_requests (tenant_id, id);
CREATE INDEX invoice_lines_service_request_idx ON invoice_lines (service_request_id)
  WHERE service_request_id IS NOT NULL;

ALTER TABLE service_requests ADD CONSTRAINT service_requests_decline_reason_length
  CHECK (char_length(decline_reason) BETWEEN 1 AND 1000);

-- The staff queue filtered by the date asked for.
CREATE INDEX service_requests_date_idx ON service_requests (tenant_id, requested_date, id);
