-- The customer side of joining a portal and of passwords (API.md rules 5, 7, 8, 10): accepting an
-- invitation, signing up from an invoice's Review & Pay link or from the bare login page, proving
-- a mailbox with a verification link, and forgotten, reset and staff-triggered passwords.
--
-- Every step is one function = one transaction. Tokens reach SQL only as SHA-256 hashes, except
-- the fresh token of an email being queued (its payload carries it to the mail worker). Sign-in
-- steps return an "outcome": {outcome: 'session', tenant_id, user_id, account_id} for the server
-- to open a session with, or {outcome: 'verification_sent', email} when the person must first
-- prove the mailbox they typed.

-- Each per-address email cap below counts the recipient's recent messages.
CREATE INDEX outbox_recipient_idx ON outbox (tenant_id, to_address, created_at);
