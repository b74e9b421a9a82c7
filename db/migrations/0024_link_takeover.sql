-- Issue 16: an existing login is never taken over by a link (API.md rule 6a), a password set by a
-- link ends every other session, a wrong link token costs no password hash, and the verification
-- emails naming one customer account are capped per hour.
--
-- Every sign-up step that may set a password is now run twice by the server: first without a
-- password hash, which checks the link and does every branch that sets no password (linking a
-- signed-in user, emailing a link); a branch that needs the hash answers
-- {outcome: 'password_needed'} and writes nothing; the server hashes and runs the step again, which
-- re-checks the link under its row lock. An unknown, expired or used link is thus answered
-- before any hash.

-- ------------------------------------------------------------------------------ helpers

-- Every template the mail worker renders, with this round's addition: account_link, the "confirm
-- it's you" email of an address that already has a login.
ALTER TABLE outbox DROP CONSTRAINT outbox_template_valid,
  ADD CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent',
    'payment_receipt', 'payment_failed', 'autopay_failed', 'autopay_disabled',
    'contact_message', 'account_link'));

-- Counted from the links themselves (one row per email queued).
CREATE INDEX portal_tokens_verification_customer_idx ON portal_tokens (customer_id, created_at)
  WHERE kind = 'email_verification';

-- ------------------------------------------------------------------------------ invitations

-- A changed signature: the old function goes here (IF EXISTS: a database built from scratch never
-- had it); the new one is in db/functions/signup.sql.
DROP FUNCTION IF EXISTS signup_invitation_accept(text, text, text, text, text, text);

-- ------------------------------------------------------------------------------ pay links

DROP FUNCTION IF EXISTS signup_pay_link_signup(text, text, text, text, text, text);

-- ------------------------------------------------------------------------------ verify-email

DROP FUNCTION IF EXISTS signup_verify_email(text, text, text);
