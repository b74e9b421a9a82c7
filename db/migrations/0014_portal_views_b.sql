-- What a signed-in customer reads about the selected account's money (API.md rules 12, 13, 15, 16
-- and 21): the dashboard figures, invoices, payments and credits. The portal shapes leave out what
-- only the back office needs (customer_id, memos of payments, void reasons, edit times).
--
-- Rule 13 (visibility), written into every portal statement over invoices:
--   an invoice shows when it was sent (sent_at IS NOT NULL: open, paid, or void after sending),
--   or when it is pending and the tenant's show_pending_invoices is on; drafts never show.
--   Pending invoices are marked, never payable and never counted in a figure.
--   Past due = open (something owed) with due_date before the tenant's today (tenant_today).
-- The location JSON (portal_location_json) and the tabs (portal_tabs) are those of
-- 0013_portal_views_a.sql, so an invoice's location reads like an order's.

-- Indexes for 10,000,000 invoices. Each portal invoice list is a range scan of one of these,
-- walked newest first and stopped after one page, whatever the filter:
--   status all or paid     invoices_customer_idx of 0005, in the list's own order; the few
--                          drafts are filtered out as the scan passes them (a partial copy of it
--                          without drafts would cost about 1 GB and a write per invoice at
--                          10,000,000 invoices for a handful of skipped rows);
--   open, past_due,        invoices_portal_unsettled_idx: open and pending invoices only, a small
--   pending; dashboard     fraction of the table, keyed by status so each is an equality; its
--                          INCLUDE columns answer the dashboard's figures from the index alone;
--   location_id given      invoices_portal_location_idx (a big commercial account's rare site
--                          would otherwise be a filter over all of its invoices).
CREATE INDEX invoices_portal_unsettled_idx
  ON invoices (tenant_id, customer_id, status, invoice_date DESC, id DESC)
  INCLUDE (due_date, balance_cents)
  WHERE status IN ('open', 'pending');
CREATE INDEX invoices_portal_location_idx
  ON invoices (tenant_id, customer_id, location_id, invoice_date DESC, id DESC)
  WHERE location_id IS NOT NULL AND (sent_at IS NOT NULL OR status = 'pending');
