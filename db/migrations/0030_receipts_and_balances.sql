-- Issue 17, items 5 and 6.
--
-- 5. The payer always gets the receipt. Payment emails (receipt, failure, autopay failure and
--    switch-off) went to one address, the customer's (customer_email_address: the portal login
--    email, else the first contact email), and to nobody when it had neither, which is the case
--    of a customer who joined by invitation. They now go to every address of
--    payment_mail_recipients, each once: that billing contact when there is one, and
--      - for a portal payment, the portal user who paid (recorded on the payment, below), while
--        still linked to the account;
--      - for an autopay charge, which nobody is present for, every portal user linked to the
--        account (any of them can switch autopay off or change its card).
--    Each recipient gets an email of their own (no address sees another).
-- 6. One balance. The account's three figures, with the same names on the dashboard, the
--    statement and the payment emails: outstanding balance (what sent invoices still owe),
--    available credit (money of the account not applied to an invoice: unused credit and the
--    unapplied part of payments), net balance (the first less the second; the statement's
--    closing balance). The payment emails' payload carries them.
--
-- Redefined here: payment_mail (0021), portal_payment_mail_payload (0018) and autopay_settle
-- (0029's, only its receipts: the same statement and locks otherwise).

-- payments.portal_user_id (0027) names the portal user who made a portal payment; payments
-- made before 0027 get it from their request's Idempotency-Key claim when that is still kept
-- (a bank payment in flight, say): its principal is 'portal:<user id>' (api/http/auth.c).
-- The portal payments already made whose claim is still kept (a bank payment in flight, say).
UPDATE payments p SET portal_user_id = u.id
FROM idempotency_keys k
JOIN portal_users u ON u.tenant_id = k.tenant_id AND u.id::text = substr(k.principal, 8)
WHERE p.source = 'portal' AND p.portal_user_id IS NULL AND k.id = p.idempotency_claim
  AND k.tenant_id = p.tenant_id AND k.principal LIKE 'portal:%';
