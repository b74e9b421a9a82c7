-- Balance statements (API.md rule 20, GET /v1/portal/statement). This file reads the account's
-- money as dated movements; the running balance, the closing balance and the aging buckets are
-- computed from them in C (api/core/statement.c). docs/decisions.md ("Statements (issue 9)")
-- says what each event does to the balance:
--   account statement   + a sent invoice's total on its invoice date (void invoices never count:
--                         the portal's balances count them as 0), - a payment on its payment date
--                         (failed ones never; pending ones do, as the dashboard counts them),
--                         + a refund on its refund date (failed ones never), - a credit on its
--                         credit date (the issue, not its use: unused credit lowers the balance);
--   location statement  + the location's invoices, and only the money applied to them, on the
--                         day it applied: - payment allocations, + their reversals (refund lines),
--                         - credit applications.
-- An application is dated no earlier than the invoice and the money it joins (an allocation on
-- greatest(payment date, invoice date), a reversal on greatest(refund date, that), a credit's
-- on greatest(credit date, invoice date, the day it was applied in the tenant's time zone)), so
-- an invoice's amount owed on any day is its total plus its application events up to that day.

-- Opening balances and the movements of a range come from index-only range scans: an account
-- with a long history sums its past from these without reading a table row.
CREATE INDEX invoices_statement_idx ON invoices (tenant_id, customer_id, invoice_date)
  INCLUDE (total_cents) WHERE sent_at IS NOT NULL AND status <> 'void';
CREATE INDEX payments_statement_idx ON payments (tenant_id, customer_id, payment_date)
  INCLUDE (amount_cents) WHERE status <> 'failed';
CREATE INDEX refunds_statement_idx ON refunds (tenant_id, customer_id, refund_date)
  INCLUDE (amount_cents, status);
CREATE INDEX credits_statement_idx ON credits (tenant_id, customer_id, credit_date)
  INCLUDE (amount_cents);
-- Money changed after a statement's end: credits applied late, and what is still unapplied now.
CREATE INDEX credit_applications_statement_idx
  ON credit_applications (tenant_id, customer_id, applied_at);
CREATE INDEX payments_unapplied_idx ON payments (tenant_id, customer_id)
  WHERE status <> 'failed' AND amount_cents > allocated_cents + refunded_cents;
CREATE INDEX credits_unused_idx ON credits (tenant_id, customer_id) WHERE remaining_cents > 0;
-- An invoice's refund lines (its allocations and credit applications have theirs already).
CREATE INDEX refund_lines_invoice_idx ON refund_lines (invoice_id) WHERE invoice_id IS NOT NULL;

-- The statement's parts below are PL/pgSQL, not SQL functions, only so that their plans are kept
-- on the connection: a SQL function called this way is planned anew on every call, and planning
-- these took longer than running them (about 3 ms against 0.3 ms).
