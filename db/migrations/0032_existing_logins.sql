-- Issue 21, items 6 and 7: emails to existing logins and greetings.

-- Every template the mail worker renders, with this round's addition: account_access, the email
-- telling an address that already has a login that it has access to one more account.
ALTER TABLE outbox DROP CONSTRAINT outbox_template_valid,
  ADD CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent',
    'payment_receipt', 'payment_failed', 'autopay_failed', 'autopay_disabled',
    'contact_message', 'account_link', 'account_access'));

-- The verification email greets the person who signed up, so signup_verification_send takes
-- their name (db/functions/signup.sql); the old signature is dropped here, or databases migrated
-- before would keep it (db/README.md).
DROP FUNCTION IF EXISTS signup_verification_send(uuid, uuid, text, text, text, uuid, uuid);
