-- invoices.paid_cents and payments.allocated_cents follow their allocations once per statement
-- instead of once per row (0005's payment_allocations_apply): a statement that allocates a whole
-- autopay batch updates each of its invoices and payments in two set-based statements, not two
-- statements per allocation. The rules are 0005's: the totals move by the net change
-- (amount - reversed) and an allocation never moves to another invoice or payment. A new
-- allocation of a pending payment also marks its invoice payment_pending in the same update (what
-- 0018's portal_payment_reserve does by hand), so the invoice row is written once, not twice.
--
-- The updates run through EXECUTE so they are planned each time: a statement that reads only
-- transition tables has no parameters, so PL/pgSQL would keep the plan made at its first run for
-- the session's lifetime, and a plan made while `payments` was nearly empty (a sequential scan)
-- would be kept as the table grows. random_page_cost 1.1 keeps them on index lookups of the
-- few rows a statement touches (see autopay_claim in 0021).

-- The row trigger and its function go (IF EXISTS: a database built from scratch never had them);
-- the statement triggers are in db/functions/payments.sql.
DROP TRIGGER IF EXISTS payment_allocations_totals ON payment_allocations;
DROP FUNCTION IF EXISTS payment_allocations_apply();
