-- Events (issue 26, item 1): the triggers that write them. Every path that changes an invoice,
-- payment, refund, credit, customer, order, SMS consent, portal login or service request (staff,
-- API keys, portal users, the autopay scheduler, the payments worker) goes through these tables,
-- so the events are written here rather than in each function.
--
-- Each trigger is a constraint trigger, DEFERRABLE INITIALLY DEFERRED: it is queued when the row
-- changes (its WHEN clause decides, on the columns that matter, so an unrelated update queues
-- nothing) and runs at COMMIT, still inside the transaction. It reads the row again then, so the
-- event carries the object as the admin API shows it once the whole request is done (a payment
-- with its allocations, a service request with its history), not half-built. A row deleted before
-- the commit emits nothing.

-- Make constraint trigger p_name on p_table the one `p_create` (its CREATE CONSTRAINT TRIGGER)
-- writes. CREATE OR REPLACE does not apply to constraint triggers, and dropping one locks its
-- table against reads until the migration commits, so it is dropped and created again only when
-- its definition changed: the md5 of `p_create` is kept as the trigger's comment.
CREATE OR REPLACE FUNCTION event_trigger_ensure(p_table regclass, p_name text,
                                                p_create text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_oid oid;
BEGIN
  SELECT t.oid INTO v_oid FROM pg_trigger t WHERE t.tgrelid = p_table AND t.tgname = p_name;
  IF v_oid IS NOT NULL AND obj_description(v_oid, 'pg_trigger') = md5(p_create) THEN
    RETURN;
  END IF;
  EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', p_name, p_table);
  EXECUTE p_create;
  EXECUTE format('COMMENT ON TRIGGER %I ON %s IS %L', p_name, p_table, md5(p_create));
END $$;

-- The object of row `p_id` of `p_table` as the admin API shows it, or NULL when the row is gone
-- or no longer has status `p_status` (NULL: any status; an invoice must also no longer be held by
-- a pending payment). Static statements and simple expressions only: PL/pgSQL keeps their plans,
-- and with them the plans of the JSON function's own statements, for the rest of the
-- transaction, so a batch that writes many events (an autopay run) does not plan each object's
-- JSON again for every event as an EXECUTE would (docs/decisions.md, "The event feed").
CREATE OR REPLACE FUNCTION event_object(p_table text, p_id uuid, p_status text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_invoice invoices;
  v_payment payments;
  v_refund refunds;
  v_credit credits;
  v_customer customers;
  v_order orders;
  v_consent sms_consents;
  v_request service_requests;
BEGIN
  CASE p_table
  WHEN 'invoices' THEN
    SELECT * INTO v_invoice FROM invoices WHERE id = p_id;
    IF FOUND AND (p_status IS NULL OR (v_invoice.status = p_status
                                       AND NOT v_invoice.payment_pending)) THEN
      RETURN invoice_json(v_invoice);
    END IF;
  WHEN 'payments' THEN
    SELECT * INTO v_payment FROM payments WHERE id = p_id;
    IF FOUND AND (p_status IS NULL OR v_payment.status = p_status) THEN
      RETURN payment_json(v_payment);
    END IF;
  WHEN 'refunds' THEN
    SELECT * INTO v_refund FROM refunds WHERE id = p_id;
    IF FOUND AND (p_status IS NULL OR v_refund.status = p_status) THEN
      RETURN refund_json(v_refund);
    END IF;
  WHEN 'credits' THEN
    SELECT * INTO v_credit FROM credits WHERE id = p_id;
    IF FOUND THEN
      RETURN credit_json(v_credit);
    END IF;
  WHEN 'customers' THEN
    SELECT * INTO v_customer FROM customers WHERE id = p_id;
    IF FOUND THEN
      RETURN customer_json(v_customer);
    END IF;
  WHEN 'orders' THEN
    SELECT * INTO v_order FROM orders WHERE id = p_id;
    IF FOUND THEN
      RETURN order_json(v_order);
    END IF;
  WHEN 'sms_consents' THEN
    SELECT * INTO v_consent FROM sms_consents WHERE id = p_id;
    IF FOUND THEN
      RETURN sms_consent_json(v_consent);
    END IF;
  WHEN 'service_requests' THEN
    SELECT * INTO v_request FROM service_requests WHERE id = p_id;
    IF FOUND THEN
      RETURN admin_service_request_detail_json(v_request);
    END IF;
  END CASE;
  RETURN NULL;
END $$;

-- The event TG_ARGV[0] about the row that fired, of object type TG_ARGV[1], read again at
-- commit; TG_ARGV[2], when given, is the status the row must still have then (the WHEN clause
-- saw one moment of the transaction, not its end).
CREATE OR REPLACE FUNCTION event_of_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_object json := event_object(TG_TABLE_NAME, NEW.id, TG_ARGV[2]);
BEGIN
  IF v_object IS NOT NULL THEN
    PERFORM event_emit(NEW.tenant_id, TG_ARGV[0], TG_ARGV[1], NEW.id, v_object);
  END IF;
  RETURN NULL;
END $$;

-- A portal login as an event shows it: the person and the customer account it now reaches.
CREATE OR REPLACE FUNCTION portal_user_event_json(a portal_user_accounts) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('id', u.id, 'email', u.email, 'full_name', u.full_name,
                           'login_method', u.login_method, 'customer_id', a.customer_id,
                           'source', a.source, 'linked_at', instant(a.created_at),
                           'created_at', instant(u.created_at))
  FROM portal_users u WHERE u.tenant_id = a.tenant_id AND u.id = a.user_id
$$;

-- portal.user_activated: a login was linked to a customer account (an accepted invitation, a
-- verified sign-up, a Review & Pay sign-up, a Google sign-in through an invitation).
CREATE OR REPLACE FUNCTION event_portal_user_linked() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  a portal_user_accounts;
BEGIN
  SELECT * INTO a FROM portal_user_accounts
  WHERE user_id = NEW.user_id AND customer_id = NEW.customer_id;
  IF FOUND THEN
    PERFORM event_emit(a.tenant_id, 'portal.user_activated', 'portal_user', a.user_id,
                       portal_user_event_json(a));
  END IF;
  RETURN NULL;
END $$;

-- Invoices: sent, paid (settled by payments or credits, whoever applied them), voided. A
-- processor payment holds its invoices `paid` while it is pending (payment_pending): the invoice
-- is paid for integrators once no pending payment holds it, and a decline, which reopens it in
-- the same transaction that fails the payment, never made it paid. The allocation sets the
-- status before the reservation sets payment_pending, so the condition is checked again at
-- commit.
SELECT event_trigger_ensure('invoices', 'invoices_event_sent', $trigger$
CREATE CONSTRAINT TRIGGER invoices_event_sent AFTER UPDATE ON invoices
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.sent_at IS NULL AND NEW.sent_at IS NOT NULL)
  EXECUTE FUNCTION event_of_row('invoice.sent', 'invoice')$trigger$);
SELECT event_trigger_ensure('invoices', 'invoices_event_paid', $trigger$
CREATE CONSTRAINT TRIGGER invoices_event_paid AFTER UPDATE ON invoices
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.status = 'paid' AND NOT NEW.payment_pending
        AND NOT (OLD.status = 'paid' AND NOT OLD.payment_pending))
  EXECUTE FUNCTION event_of_row('invoice.paid', 'invoice', 'paid')$trigger$);
SELECT event_trigger_ensure('invoices', 'invoices_event_voided', $trigger$
CREATE CONSTRAINT TRIGGER invoices_event_voided AFTER UPDATE ON invoices
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.status = 'void' AND OLD.status <> 'void')
  EXECUTE FUNCTION event_of_row('invoice.voided', 'invoice')$trigger$);

-- Payments: a charge or record that succeeded or failed, at once or after pending (the status
-- is checked again at commit). An autopay charge that failed is also autopay.charge_failed (the
-- scheduler's retries hang on it).
SELECT event_trigger_ensure('payments', 'payments_event_succeeded', $trigger$
CREATE CONSTRAINT TRIGGER payments_event_succeeded AFTER INSERT ON payments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.status = 'succeeded')
  EXECUTE FUNCTION event_of_row('payment.succeeded', 'payment', 'succeeded')$trigger$);
SELECT event_trigger_ensure('payments', 'payments_event_settled', $trigger$
CREATE CONSTRAINT TRIGGER payments_event_settled AFTER UPDATE ON payments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.status = 'pending' AND NEW.status = 'succeeded')
  EXECUTE FUNCTION event_of_row('payment.succeeded', 'payment', 'succeeded')$trigger$);
SELECT event_trigger_ensure('payments', 'payments_event_failed', $trigger$
CREATE CONSTRAINT TRIGGER payments_event_failed AFTER INSERT ON payments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.status = 'failed')
  EXECUTE FUNCTION event_of_row('payment.failed', 'payment', 'failed')$trigger$);
SELECT event_trigger_ensure('payments', 'payments_event_declined', $trigger$
CREATE CONSTRAINT TRIGGER payments_event_declined AFTER UPDATE ON payments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.status = 'pending' AND NEW.status = 'failed')
  EXECUTE FUNCTION event_of_row('payment.failed', 'payment', 'failed')$trigger$);
SELECT event_trigger_ensure('payments', 'payments_event_autopay_failed', $trigger$
CREATE CONSTRAINT TRIGGER payments_event_autopay_failed AFTER INSERT ON payments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.source = 'autopay' AND NEW.status = 'failed')
  EXECUTE FUNCTION event_of_row('autopay.charge_failed', 'payment', 'failed')$trigger$);
SELECT event_trigger_ensure('payments', 'payments_event_autopay_declined', $trigger$
CREATE CONSTRAINT TRIGGER payments_event_autopay_declined AFTER UPDATE ON payments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.source = 'autopay' AND OLD.status = 'pending' AND NEW.status = 'failed')
  EXECUTE FUNCTION event_of_row('autopay.charge_failed', 'payment', 'failed')$trigger$);

-- Refunds that went through or that the processor refused (at once, or after pending). A
-- processor refund is inserted `succeeded` and made `pending` in the same transaction: the
-- status is checked again at commit.
SELECT event_trigger_ensure('refunds', 'refunds_event_succeeded', $trigger$
CREATE CONSTRAINT TRIGGER refunds_event_succeeded AFTER INSERT ON refunds
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.status = 'succeeded')
  EXECUTE FUNCTION event_of_row('refund.succeeded', 'refund', 'succeeded')$trigger$);
SELECT event_trigger_ensure('refunds', 'refunds_event_settled', $trigger$
CREATE CONSTRAINT TRIGGER refunds_event_settled AFTER UPDATE ON refunds
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.status = 'pending' AND NEW.status = 'succeeded')
  EXECUTE FUNCTION event_of_row('refund.succeeded', 'refund', 'succeeded')$trigger$);
SELECT event_trigger_ensure('refunds', 'refunds_event_failed', $trigger$
CREATE CONSTRAINT TRIGGER refunds_event_failed AFTER UPDATE ON refunds
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.status = 'pending' AND NEW.status = 'failed')
  EXECUTE FUNCTION event_of_row('refund.failed', 'refund', 'failed')$trigger$);

-- Credits given.
SELECT event_trigger_ensure('credits', 'credits_event_created', $trigger$
CREATE CONSTRAINT TRIGGER credits_event_created AFTER INSERT ON credits
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  EXECUTE FUNCTION event_of_row('credit.created', 'credit')$trigger$);

-- Customers: created; what the hauler's systems own changed (customer.updated); portal access
-- changed; autopay switched on or off (by the customer, or off by the scheduler after the third
-- failure). Search text, balances and autopay bookkeeping columns queue nothing.
SELECT event_trigger_ensure('customers', 'customers_event_created', $trigger$
CREATE CONSTRAINT TRIGGER customers_event_created AFTER INSERT ON customers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  EXECUTE FUNCTION event_of_row('customer.created', 'customer')$trigger$);
SELECT event_trigger_ensure('customers', 'customers_event_updated', $trigger$
CREATE CONSTRAINT TRIGGER customers_event_updated AFTER UPDATE ON customers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.account_number, OLD.external_id, OLD.name, OLD.kind, OLD.routing, OLD.phone,
         OLD.billing_address, OLD.contacts)
        IS DISTINCT FROM (NEW.account_number, NEW.external_id, NEW.name, NEW.kind, NEW.routing,
                          NEW.phone, NEW.billing_address, NEW.contacts))
  EXECUTE FUNCTION event_of_row('customer.updated', 'customer')$trigger$);
SELECT event_trigger_ensure('customers', 'customers_event_portal', $trigger$
CREATE CONSTRAINT TRIGGER customers_event_portal AFTER UPDATE ON customers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.portal_enabled, OLD.portal_login_email)
        IS DISTINCT FROM (NEW.portal_enabled, NEW.portal_login_email))
  EXECUTE FUNCTION event_of_row('customer.portal_changed', 'customer')$trigger$);
SELECT event_trigger_ensure('customers', 'customers_event_autopay_enabled', $trigger$
CREATE CONSTRAINT TRIGGER customers_event_autopay_enabled AFTER UPDATE ON customers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.autopay_enabled AND NOT OLD.autopay_enabled)
  EXECUTE FUNCTION event_of_row('autopay.enabled', 'customer')$trigger$);
SELECT event_trigger_ensure('customers', 'customers_event_autopay_disabled', $trigger$
CREATE CONSTRAINT TRIGGER customers_event_autopay_disabled AFTER UPDATE ON customers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.autopay_enabled AND NOT NEW.autopay_enabled)
  EXECUTE FUNCTION event_of_row('autopay.disabled', 'customer')$trigger$);

-- Orders: recorded, and changed in what the order says.
SELECT event_trigger_ensure('orders', 'orders_event_created', $trigger$
CREATE CONSTRAINT TRIGGER orders_event_created AFTER INSERT ON orders
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  EXECUTE FUNCTION event_of_row('order.created', 'order')$trigger$);
SELECT event_trigger_ensure('orders', 'orders_event_updated', $trigger$
CREATE CONSTRAINT TRIGGER orders_event_updated AFTER UPDATE ON orders
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.location_id, OLD.number, OLD.type, OLD.service_date, OLD.service, OLD.status,
         OLD.asset_id, OLD.description, OLD.amount_cents)
        IS DISTINCT FROM (NEW.location_id, NEW.number, NEW.type, NEW.service_date, NEW.service,
                          NEW.status, NEW.asset_id, NEW.description, NEW.amount_cents))
  EXECUTE FUNCTION event_of_row('order.updated', 'order')$trigger$);

-- SMS consent: every opt-in or opt-out record (they are never changed afterwards).
SELECT event_trigger_ensure('sms_consents', 'sms_consents_event', $trigger$
CREATE CONSTRAINT TRIGGER sms_consents_event AFTER INSERT ON sms_consents
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  EXECUTE FUNCTION event_of_row('sms_consent.changed', 'sms_consent')$trigger$);

-- Portal logins linked to a customer account.
SELECT event_trigger_ensure('portal_user_accounts', 'portal_user_accounts_event', $trigger$
CREATE CONSTRAINT TRIGGER portal_user_accounts_event AFTER INSERT ON portal_user_accounts
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  EXECUTE FUNCTION event_portal_user_linked()$trigger$);

-- Service requests: submitted, and moved on (status, date, reason, order) by anyone.
SELECT event_trigger_ensure('service_requests', 'service_requests_event_created', $trigger$
CREATE CONSTRAINT TRIGGER service_requests_event_created AFTER INSERT ON service_requests
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  EXECUTE FUNCTION event_of_row('service_request.created', 'service_request')$trigger$);
SELECT event_trigger_ensure('service_requests', 'service_requests_event_updated', $trigger$
CREATE CONSTRAINT TRIGGER service_requests_event_updated AFTER UPDATE ON service_requests
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.status, OLD.scheduled_date, OLD.decline_reason, OLD.created_order_id)
        IS DISTINCT FROM (NEW.status, NEW.scheduled_date, NEW.decline_reason,
                          NEW.created_order_id))
  EXECUTE FUNCTION event_of_row('service_request.updated', 'service_request')$trigger$);
