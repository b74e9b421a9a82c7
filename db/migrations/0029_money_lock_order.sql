-- Money under concurrency (issue 17, items 1 and 3): one lock order for every function that
-- moves money, and payment_pending recomputed under the locks that make it true.
--
-- The lock order (docs/decisions.md, "Lock order for money"):
--   1. the customer row (money_lock_customer: FOR NO KEY UPDATE, which still lets other
--      transactions take the KEY SHARE lock of a foreign key to the customer);
--   2. the customer's invoices, in id order;
--   3. payments, in id order;
--   4. refunds;
--   5. credits;
--   6. payment methods;
--   7. the idempotency claim (only ever updated last, in the transaction that stores the answer).
-- A function takes a prefix of what it needs in that order and never waits for a lock of an
-- earlier rank while holding a later one. Taking the customer first serialises every money
-- change of one customer, so the locks after it can no longer form a cycle between two requests
-- of that customer. Two kinds of transaction take no customer lock because they never wait: the
-- workers' claims (portal_payments_due, payment_refunds_due, autopay_claim's customers) use
-- SKIP LOCKED, and the back office's invoice_create and credit_create insert new rows only.
--
-- Before this migration a portal payment with a saved method locked its invoices and then, for
-- the payment's foreign key, needed a KEY SHARE lock on the customer, while a payment saving a new
-- card held the customer (payment_method_add's FOR UPDATE) and waited for the same invoices:
-- 40P01. And two settlements of payments on one invoice, committing together, each computed
-- payment_pending from a snapshot in which the other was still pending, leaving the flag true
-- with nothing in flight (autopay then skipped the invoice for good).

-- ---- Repair ---------------------------------------------------------------------------------------

-- Invoices left payment_pending with no pending payment on them (or the reverse) by the race
-- above: autopay skipped them and the portal showed a payment in flight that was not.
UPDATE invoices i SET payment_pending = x.pending
FROM (SELECT i2.id, EXISTS (
        SELECT 1 FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
        WHERE a.invoice_id = i2.id AND p.status = 'pending'
          AND a.reversed_cents < a.amount_cents) AS pending
      FROM invoices i2) x
WHERE i.id = x.id AND i.payment_pending <> x.pending;
