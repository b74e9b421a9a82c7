-- The staff side of portal access (API.md rules 2, 3, 11 and the invoice emails of rule 7):
-- switching a customer's portal on with a login email ("Create Password" email), invitations
-- (create, list, resend, revoke), bulk invitation as a background job, and invoice emails with a
-- Review & Pay link.
--
-- Invitation links are derived by the server (HMAC of the row's id and nonce under a server key,
-- api/core/link_token.h), so the functions here take the id, nonce, token and its hash from the
-- caller: only the hash is stored; the token travels in the outbox payload, which the mail worker
-- strips once the message is sent. Reads answer a pending invitation's `url` as a placeholder
-- object {tenant, id, nonce, token_hash} that the server replaces with the link.

-- ----------------------------------------------------------------------------- invoice email

-- A changed signature: the old function goes here (IF EXISTS: a database built from scratch never
-- had it); the new one is in db/functions/invoices.sql.
DROP FUNCTION IF EXISTS invoice_send(uuid, uuid);
