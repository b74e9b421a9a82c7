-- What a signed-in customer reads about the selected account (API.md rules 12 and 14): the account
-- itself, its service locations, its recurring services and its orders. The portal shapes leave
-- out what only the back office needs (external ids, portal settings, edit times, customer_id: the
-- account is implied by the session). Every statement using them is scoped by tenant AND customer.

-- The portal order list walks one index newest first and stops after a page, whatever the
-- filter: the account's orders (orders_customer_idx of 0004), those of one status, or those at
-- one location. Without the last two, a big roll-off account asking for a rare status or site
-- would read its whole history to fill a page. The date range is part of the keyset bounds.
CREATE INDEX orders_portal_status_idx
  ON orders (tenant_id, customer_id, status, service_date DESC, id DESC);
CREATE INDEX orders_portal_location_idx
  ON orders (tenant_id, customer_id, location_id, service_date DESC, id DESC)
  WHERE location_id IS NOT NULL;
