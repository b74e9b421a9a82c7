-- Card testing (API.md rule 27, issue 16 item 6): declined charges and new payment methods are
-- limited per portal user and per customer account in a rolling hour, as payment platforms'
-- velocity rules do. The events are rows already (failed payments, payment methods), so the
-- limits hold across server processes; what was missing is who made them.
--
-- What counts, in the hour before the attempt (created_at):
--   declines     portal payments that failed, and portal payments still waiting for the
--                processor's first answer (pending without a charge reference): a charge in
--                flight is a decline until it is known not to be one, so requests fired at once
--                cannot all pass the count before any of them has failed;
--   new methods  payment methods saved (removed ones too: removing does not give the budget
--                back) and portal payments made with a token that was not saved.
-- Autopay (source 'autopay') is neither counted nor limited: the scheduler charges methods the
-- customer saved, which is not a card-testing vector.
--
-- Race-free: the check takes transaction-scoped advisory locks on the user and on the account
-- (the user's first, always; nothing else takes these locks, so they cannot deadlock with row
-- locks) and runs in the same transaction as the insert it guards (portal_payment_reserve_limited,
-- portal_payment_method_add), so the count and the write agree.
--
-- A refusal raises cs_raise('429', code, sentence, seconds): for a 429 the HINT carries the
-- Retry-After seconds (until the event whose leaving brings the count under the limit is an hour
-- old), and the whole transaction is rolled back: nothing is written.

ALTER TABLE payments ADD COLUMN portal_user_id uuid,
  ADD CONSTRAINT payments_portal_user_fkey FOREIGN KEY (tenant_id, portal_user_id)
    REFERENCES portal_users (tenant_id, id) ON DELETE SET NULL (portal_user_id);
ALTER TABLE payment_methods ADD COLUMN portal_user_id uuid,
  ADD CONSTRAINT payment_methods_portal_user_fkey FOREIGN KEY (tenant_id, portal_user_id)
    REFERENCES portal_users (tenant_id, id) ON DELETE SET NULL (portal_user_id);

CREATE INDEX payments_velocity_user_idx ON payments (portal_user_id, created_at)
  WHERE source = 'portal' AND portal_user_id IS NOT NULL;
CREATE INDEX payments_velocity_account_idx ON payments (customer_id, created_at)
  WHERE source = 'portal';
CREATE INDEX payment_methods_velocity_user_idx ON payment_methods (portal_user_id, created_at)
  WHERE portal_user_id IS NOT NULL;
CREATE INDEX payment_methods_velocity_account_idx ON payment_methods (customer_id, created_at);
