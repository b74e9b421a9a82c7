-- Service request emails (issue 25, item 4): the hauler's email about a new request and about a
-- customer's cancellation, and the customer's email about each status change
-- (db/functions/service_request_mail.sql queues them).
ALTER TABLE outbox DROP CONSTRAINT outbox_template_valid,
  ADD CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent',
    'payment_receipt', 'payment_failed', 'autopay_failed', 'autopay_disabled',
    'contact_message', 'account_link', 'account_access', 'service_request_new',
    'service_request_withdrawn', 'service_request_status'));
