-- Invoices, credits, payments and refunds. Money is bigint cents.
--
-- The balance invariant lives here, not only in C: an invoice's paid_cents and credited_cents are
-- maintained by triggers from its payment allocations and credit applications, in the same
-- transaction as the change, and CHECKs refuse any state where more is applied than is owed, more
-- is refunded than was paid, or a credit is used beyond its amount. Two requests racing on one
-- invoice serialise on its row lock; the loser re-reads the new totals and fails the CHECK if it
-- would over-apply. balance_cents = total_cents - paid_cents - credited_cents (0 once void).

CREATE TABLE invoices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  location_id uuid,
  number text NOT NULL,
  invoice_date date NOT NULL,
  due_date date NOT NULL,
  terms text,
  memo text,
  status text NOT NULL DEFAULT 'draft',
  total_cents bigint NOT NULL DEFAULT 0,
  paid_cents bigint NOT NULL DEFAULT 0,
  credited_cents bigint NOT NULL DEFAULT 0,
  balance_cents bigint GENERATED ALWAYS AS
    (CASE WHEN status = 'void' THEN 0 ELSE total_cents - paid_cents - credited_cents END) STORED,
  sent_at timestamptz,
  voided_at timestamptz,
  void_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id, location_id)
    REFERENCES locations (tenant_id, customer_id, id),
  CONSTRAINT invoices_number_key UNIQUE (tenant_id, number),
  CONSTRAINT invoices_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT invoices_customer_key UNIQUE (tenant_id, customer_id, id),
  CONSTRAINT invoices_status_valid CHECK (status IN ('draft', 'pending', 'open', 'paid', 'void')),
  CONSTRAINT invoices_due_after_invoice_date CHECK (due_date >= invoice_date),
  CONSTRAINT invoices_amounts_non_negative CHECK
    (total_cents >= 0 AND paid_cents >= 0 AND credited_cents >= 0),
  CONSTRAINT invoices_not_over_applied CHECK (paid_cents + credited_cents <= total_cents),
  -- open and paid mean sent; paid means nothing left; open means something left.
  CONSTRAINT invoices_sent_when_posted CHECK (status NOT IN ('open', 'paid') OR sent_at IS NOT NULL),
  CONSTRAINT invoices_paid_means_settled CHECK
    (status <> 'paid' OR paid_cents + credited_cents = total_cents),
  CONSTRAINT invoices_open_means_owing CHECK
    (status <> 'open' OR paid_cents + credited_cents < total_cents),
  CONSTRAINT invoices_void_means_unapplied CHECK
    (status <> 'void' OR (paid_cents = 0 AND credited_cents = 0)),
  CONSTRAINT invoices_unsent_means_unapplied CHECK
    (status NOT IN ('draft', 'pending') OR (paid_cents = 0 AND credited_cents = 0))
);

CREATE INDEX invoices_customer_idx ON invoices (tenant_id, customer_id, invoice_date DESC, id DESC);

CREATE TABLE invoice_lines (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  position integer NOT NULL,
  description text NOT NULL,
  service_date date,
  quantity numeric(12, 3) NOT NULL DEFAULT 1,
  unit_price_cents bigint NOT NULL,
  -- Rounded half away from zero, the way a calculator (and the customer) would.
  amount_cents bigint GENERATED ALWAYS AS (round(quantity * unit_price_cents)::bigint) STORED,
  FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT invoice_lines_position_key UNIQUE (invoice_id, position),
  CONSTRAINT invoice_lines_quantity_positive CHECK (quantity > 0),
  CONSTRAINT invoice_lines_description_length CHECK (char_length(description) BETWEEN 1 AND 500)
);

CREATE TABLE credits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  credit_date date NOT NULL DEFAULT current_date,
  reason text NOT NULL,
  amount_cents bigint NOT NULL,
  remaining_cents bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT credits_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT credits_customer_key UNIQUE (tenant_id, customer_id, id),
  CONSTRAINT credits_amount_positive CHECK (amount_cents > 0),
  CONSTRAINT credits_remaining_within_amount CHECK
    (remaining_cents >= 0 AND remaining_cents <= amount_cents),
  CONSTRAINT credits_reason_length CHECK (char_length(reason) BETWEEN 1 AND 500)
);

CREATE INDEX credits_customer_idx ON credits (tenant_id, customer_id, credit_date DESC, id DESC);

-- Part of a credit used against an invoice of the same customer; reversed (e.g. when the invoice
-- is voided) rather than deleted, so history stays whole.
CREATE TABLE credit_applications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  credit_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  amount_cents bigint NOT NULL,
  reversed_cents bigint NOT NULL DEFAULT 0,
  applied_at timestamptz NOT NULL DEFAULT now(),
  reversed_at timestamptz,
  FOREIGN KEY (tenant_id, customer_id, credit_id) REFERENCES credits (tenant_id, customer_id, id)
    ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id, invoice_id) REFERENCES invoices (tenant_id, customer_id, id)
    ON DELETE CASCADE,
  CONSTRAINT credit_applications_amount_positive CHECK (amount_cents > 0),
  CONSTRAINT credit_applications_reversal_bounded CHECK
    (reversed_cents >= 0 AND reversed_cents <= amount_cents)
);

CREATE INDEX credit_applications_credit_idx ON credit_applications (credit_id);
CREATE INDEX credit_applications_invoice_idx ON credit_applications (invoice_id);

CREATE TABLE payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  payment_date date NOT NULL DEFAULT current_date,
  method text NOT NULL,
  reference_number text NOT NULL,
  amount_cents bigint NOT NULL,
  allocated_cents bigint NOT NULL DEFAULT 0,
  refunded_cents bigint NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'succeeded',
  source text NOT NULL DEFAULT 'back_office',
  memo text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT payments_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT payments_customer_key UNIQUE (tenant_id, customer_id, id),
  CONSTRAINT payments_method_valid CHECK (method IN ('check', 'cash', 'other', 'card', 'bank_account')),
  CONSTRAINT payments_status_valid CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
  CONSTRAINT payments_source_valid CHECK (source IN ('back_office', 'portal', 'autopay')),
  CONSTRAINT payments_amount_positive CHECK (amount_cents > 0),
  -- Money applied to invoices plus money given back never exceeds what came in.
  CONSTRAINT payments_not_over_used CHECK
    (allocated_cents >= 0 AND refunded_cents >= 0 AND allocated_cents + refunded_cents <= amount_cents),
  CONSTRAINT payments_refunded_means_all CHECK (status <> 'refunded' OR refunded_cents = amount_cents),
  CONSTRAINT payments_reference_length CHECK (char_length(reference_number) BETWEEN 1 AND 60)
);

CREATE INDEX payments_customer_idx ON payments (tenant_id, customer_id, payment_date DESC, id DESC);

CREATE TABLE payment_allocations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  payment_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  amount_cents bigint NOT NULL,
  reversed_cents bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id, payment_id) REFERENCES payments (tenant_id, customer_id, id)
    ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id, invoice_id) REFERENCES invoices (tenant_id, customer_id, id)
    ON DELETE CASCADE,
  CONSTRAINT payment_allocations_once_per_invoice UNIQUE (payment_id, invoice_id),
  CONSTRAINT payment_allocations_amount_positive CHECK (amount_cents > 0),
  CONSTRAINT payment_allocations_reversal_bounded CHECK
    (reversed_cents >= 0 AND reversed_cents <= amount_cents)
);

CREATE INDEX payment_allocations_invoice_idx ON payment_allocations (invoice_id);

CREATE TABLE refunds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  payment_id uuid NOT NULL,
  amount_cents bigint NOT NULL,
  reason text,
  refund_date date NOT NULL DEFAULT current_date,
  status text NOT NULL DEFAULT 'succeeded',
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id, payment_id) REFERENCES payments (tenant_id, customer_id, id)
    ON DELETE CASCADE,
  CONSTRAINT refunds_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT refunds_amount_positive CHECK (amount_cents > 0),
  CONSTRAINT refunds_status_valid CHECK (status IN ('pending', 'succeeded', 'failed'))
);

CREATE INDEX refunds_payment_idx ON refunds (payment_id, created_at);

-- Where a refund's money came from: an invoice whose allocation it reversed, or (invoice_id NULL)
-- the unapplied part of the payment. Statements by location read this.
CREATE TABLE refund_lines (
  refund_id uuid NOT NULL REFERENCES refunds (id) ON DELETE CASCADE,
  invoice_id uuid REFERENCES invoices (id) ON DELETE CASCADE,
  amount_cents bigint NOT NULL,
  CONSTRAINT refund_lines_amount_positive CHECK (amount_cents > 0)
);

CREATE INDEX refund_lines_refund_idx ON refund_lines (refund_id);

-- Money requests (POST payments, refunds) keyed by the client's Idempotency-Key. The response is
-- written in the same transaction as the money movement, so a retry after a crash either replays
-- it or (nothing committed) runs again once the lease has passed.
CREATE TABLE idempotency_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- Who sent it (staff user, API key or portal user id): keys are private to their sender.
  principal text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  leased_until timestamptz NOT NULL,
  response_status integer,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idempotency_keys_key UNIQUE (tenant_id, principal, key),
  CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255)
);

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
