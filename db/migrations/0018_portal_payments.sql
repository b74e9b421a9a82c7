-- Paying from the portal (API.md rule 17): POST /v1/portal/payments with a saved method or a
-- processor token, for the whole balance, chosen invoices or a partial amount.
--
-- Money flow, with no database connection held while the processor works:
--   1. portal_payment_reserve (one transaction): lock the target invoices (id order, the lock
--      order of 0007), plan the allocations oldest due first, insert a PENDING payment and its
--      allocations (the triggers of 0005 raise paid_cents; a fully covered invoice is 'paid') and
--      mark the invoices payment_pending. A concurrent payment for the same invoices waits on the
--      row locks and then finds them covered: nothing is ever paid twice.
--   2. the processor charges with the key 'payment-' || payment id (it replays, never charges
--      twice, for the same key);
--   3. portal_payment_settle (one transaction): succeeded, still pending (ACH) or failed
--      (allocations reversed), and the HTTP answer stored under the request's idempotency claim.
-- A request that dies between 1 and 3 leaves a pending payment under its claim: a retry with the
-- same key finds it (portal_payment_reserve resumes it) and the payments worker finishes an
-- abandoned one once the claim's lease has passed (portal_payments_due).

-- An invoice some payment in flight covers (a bank payment for days, a card one for a moment).
ALTER TABLE invoices ADD COLUMN payment_pending boolean NOT NULL DEFAULT false;

ALTER TABLE payments
  ADD COLUMN payment_method_id uuid,
  ADD COLUMN processor text,
  ADD COLUMN processor_method_ref text,
  ADD COLUMN processor_key text,
  ADD COLUMN processor_charge_ref text,
  ADD COLUMN currency text,
  ADD COLUMN method_brand text,
  ADD COLUMN method_last4 text,
  ADD COLUMN failure_code text,
  ADD COLUMN failure_message text,
  -- The Idempotency-Key claim of the request that made it (no foreign key: claims are purged).
  ADD COLUMN idempotency_claim uuid,
  -- When the payments worker should look at this pending payment next.
  ADD COLUMN next_check_at timestamptz,
  ADD CONSTRAINT payments_method_fkey FOREIGN KEY (tenant_id, customer_id, payment_method_id)
    REFERENCES payment_methods (tenant_id, customer_id, id),
  ADD CONSTRAINT payments_processor_key_length CHECK (char_length(processor_key) <= 100),
  ADD CONSTRAINT payments_failure_lengths CHECK
    (char_length(failure_code) <= 64 AND char_length(failure_message) <= 500),
  -- Money that moves through a processor names it, its method and its key.
  ADD CONSTRAINT payments_processor_shape CHECK
    (source = 'back_office' OR
     (processor IS NOT NULL AND processor_method_ref IS NOT NULL AND processor_key IS NOT NULL));

CREATE UNIQUE INDEX payments_claim_key ON payments (idempotency_claim)
  WHERE idempotency_claim IS NOT NULL;
CREATE INDEX payments_due_check_idx ON payments (next_check_at)
  WHERE status = 'pending' AND next_check_at IS NOT NULL;

-- The payment emails (api/mail/templates/payment_receipt.*, payment_failed.*).
ALTER TABLE outbox DROP CONSTRAINT outbox_template_valid,
  ADD CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent',
    'payment_receipt', 'payment_failed'));

-- Refunds of processor payments (POST /v1/admin/payments/{id}/refund of 0007) go back through the
-- processor, in the same three steps: payment_refund_reserve records the refund as 0007 does but
-- `pending` (the payment's refunded_cents already counts it, so concurrent refunds cannot exceed
-- the payment), the processor refunds with the key 'refund-' || refund id and no connection held,
-- payment_refund_settle records the outcome and stores the answer under the claim. A refund the
-- processor refuses is `failed` and its amount goes back to the payment as unapplied money (the
-- allocations stay reversed: the invoices owe again, the customer keeps a credit on the payment).
-- Offline payments (no processor charge) keep 0007's one-step path.
ALTER TABLE refunds
  ADD COLUMN processor_key text,
  ADD COLUMN processor_refund_ref text,
  ADD COLUMN failure_message text,
  ADD COLUMN idempotency_claim uuid,
  -- When the payments worker should finish a pending processor refund whose request died.
  ADD COLUMN next_check_at timestamptz,
  ADD CONSTRAINT refunds_processor_lengths CHECK
    (char_length(processor_key) <= 100 AND char_length(failure_message) <= 500);

CREATE UNIQUE INDEX refunds_claim_key ON refunds (idempotency_claim)
  WHERE idempotency_claim IS NOT NULL;

-- The pending processor refunds the payments worker finishes (payment_refunds_due).
CREATE INDEX refunds_due_check_idx ON refunds (next_check_at)
  WHERE status = 'pending' AND next_check_at IS NOT NULL;
