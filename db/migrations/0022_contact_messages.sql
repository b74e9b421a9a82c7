-- Contact Us (rule 23): a customer writes to the hauler from the portal. The message is emailed
-- to the hauler's contact address through the outbox, with the user's email as Reply-To, so the
-- hauler answers with its own mail client. The text itself lives only in the outbox row; this
-- table is the record of who wrote when, and what the per-user throttle counts.

CREATE TABLE contact_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  portal_user_id uuid NOT NULL,
  outbox_id uuid NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  client_address text,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id)
    ON DELETE CASCADE
);

CREATE INDEX contact_messages_user_idx ON contact_messages (portal_user_id, created_at);

-- Every template the mail worker renders, with this round's additions (autopay's two names are
-- listed so the migrations may apply in either order of landing).
ALTER TABLE outbox DROP CONSTRAINT outbox_template_valid,
  ADD CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent',
    'payment_receipt', 'payment_failed', 'autopay_failed', 'autopay_disabled',
    'contact_message'));
