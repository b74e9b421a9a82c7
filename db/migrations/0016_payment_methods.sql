-- Payment methods (API.md rule 18): a card or bank account saved from a processor token produced
-- in the browser. Curbside keeps only what the processor describes (brand, last four digits,
-- expiry, bank name) and its reference; raw card numbers never reach it. Removing a method is a
-- soft delete (removed_at), because payments will reference the method they were made with.
-- One live default per customer. Autopay (rule 19) points at a method; its endpoints come later,
-- but its columns are here so that "the autopay method cannot be removed" is a real rule.

CREATE TABLE payment_methods (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  processor text NOT NULL,
  processor_ref text NOT NULL,
  type text NOT NULL,
  brand text,
  last4 text NOT NULL,
  exp_month int,
  exp_year int,
  bank_name text,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT payment_methods_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT payment_methods_customer_key UNIQUE (tenant_id, customer_id, id),
  CONSTRAINT payment_methods_processor_valid CHECK (processor IN ('sandbox', 'stripe')),
  CONSTRAINT payment_methods_ref_length CHECK (char_length(processor_ref) BETWEEN 1 AND 127),
  CONSTRAINT payment_methods_type_valid CHECK (type IN ('card', 'bank_account')),
  CONSTRAINT payment_methods_last4_valid CHECK (last4 ~ '^[0-9]{4}$'),
  -- A card has a brand and an expiry and no bank; a bank account the reverse.
  CONSTRAINT payment_methods_card_shape CHECK (
    CASE type WHEN 'card' THEN brand IS NOT NULL AND exp_month BETWEEN 1 AND 12
                               AND exp_year BETWEEN 2000 AND 9999 AND bank_name IS NULL
              ELSE brand IS NULL AND exp_month IS NULL AND exp_year IS NULL END),
  CONSTRAINT payment_methods_text_lengths CHECK (
    char_length(brand) <= 32 AND char_length(bank_name) <= 64),
  CONSTRAINT payment_methods_removed_not_default CHECK (removed_at IS NULL OR NOT is_default)
);

-- The portal list: a customer's live methods (a handful).
CREATE INDEX payment_methods_customer_idx ON payment_methods (tenant_id, customer_id, created_at)
  WHERE removed_at IS NULL;
-- One default per customer among live methods.
CREATE UNIQUE INDEX payment_methods_one_default ON payment_methods (tenant_id, customer_id)
  WHERE is_default AND removed_at IS NULL;

-- Autopay: on or off, and the method it charges (kept when autopay is switched off, so switching
-- it back on can offer the same method).
ALTER TABLE customers
  ADD COLUMN autopay_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN autopay_payment_method_id uuid,
  ADD CONSTRAINT customers_autopay_method_fkey FOREIGN KEY (tenant_id, id, autopay_payment_method_id)
    REFERENCES payment_methods (tenant_id, customer_id, id),
  ADD CONSTRAINT customers_autopay_needs_method CHECK
    (NOT autopay_enabled OR autopay_payment_method_id IS NOT NULL);
