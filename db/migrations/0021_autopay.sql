-- Autopay (API.md rule 19): an enrolled customer's sent invoices are charged automatically with
-- its autopay method, by a scheduler running inside every `curbside serve` and `curbside worker`
-- (api/autopay/autopay_worker.c).
--
-- The schedule (the reference hauler's rule), in the tenant's time zone:
--   - an invoice is first charged at 00:01 on its due date;
--   - one already past that moment when it was sent, or due on receipt (due date = invoice date,
--     or terms "due on receipt"), at 00:01 the day after it was sent;
--   - one that was already due when the customer enrolled, at 00:01 the day after enrolling;
--   - a failed charge is retried at 00:01 the next day, twice; the third failure switches autopay
--     off (the method stays saved) and emails autopay_disabled; the other failures email
--     autopay_failed; a success emails the receipt (payment_receipt, with its PDF).
-- One charge per customer per run covers every invoice of the customer that is due (one payment,
-- one allocation per invoice, oldest due first). The attempt count is the customer's: it counts
-- consecutive failed autopay charges since the last success or enrolment.
--
-- Every scheduling decision takes the scheduler's `now` as a parameter (the real time, or the
-- development clock override), never SQL now().
--
-- Exactly once: the scheduler claims customers with FOR UPDATE SKIP LOCKED and, in the same
-- transaction, reserves each one's charge as a pending payment (0018's machinery: allocations,
-- invoices payment_pending). The pending payment is the durable claim: no other run sees those
-- invoices as due, its processor key is 'autopay-' || its id (stored with it, so every retry uses it),
-- and its next_check_at is the lease: should the process die before settling, the payments
-- worker of any process charges it again with the same key once the lease passes (the processor
-- replays) and settles it. Settling (portal_payment_settle, whoever calls it) fires the trigger
-- below that keeps the autopay state and sends the autopay emails.

ALTER TABLE customers
  -- When autopay was last switched on (in the scheduler's time): invoices already due then are
  -- charged the next day, and failures of charges reserved before it no longer count.
  ADD COLUMN autopay_enrolled_at timestamptz,
  -- Consecutive failed autopay charges (0 after a success or an enrolment).
  ADD COLUMN autopay_failures integer NOT NULL DEFAULT 0,
  -- No autopay charge before this moment (the next retry after a failure).
  ADD COLUMN autopay_retry_at timestamptz,
  ADD COLUMN autopay_last_failure jsonb,
  ADD CONSTRAINT customers_autopay_failures_valid CHECK (autopay_failures >= 0);

-- The scheduler walks enrolled customers in id order.
CREATE INDEX customers_autopay_idx ON customers (id) WHERE autopay_enabled;

ALTER TABLE payments
  -- An autopay charge: its attempt number (1..3) and the scheduler's `now` when it was reserved.
  ADD COLUMN autopay_attempt integer,
  ADD COLUMN autopay_run_at timestamptz,
  ADD CONSTRAINT payments_autopay_shape CHECK
    (source <> 'autopay' OR (autopay_attempt BETWEEN 1 AND 3 AND autopay_run_at IS NOT NULL));

-- The autopay emails (api/mail/templates/autopay_failed.*, autopay_disabled.*). The list carries
-- every template of this round, whichever migration applies last.
ALTER TABLE outbox DROP CONSTRAINT outbox_template_valid,
  ADD CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent',
    'payment_receipt', 'payment_failed', 'contact_message', 'autopay_failed',
    'autopay_disabled'));
