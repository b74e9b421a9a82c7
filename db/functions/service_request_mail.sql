-- Service request emails (issue 25, item 4). Every row of service_request_events is a status a
-- request took, whoever set it (the portal, staff, an API key), so a trigger on that table queues
-- the emails in the same transaction as the change: the hauler's contact address hears of a new
-- request (and of a customer's cancellation), Reply-To the customer; the customer hears of every
-- status after submission. The trigger reads the request as it is when the event row goes in, so
-- a status change updates service_requests first (scheduled_date, decline_reason,
-- created_order_id) and then records its event, as portal_service_request_cancel does.

-- What every service-request email shows of request r: the account, the location, the type and
-- its details (size, dates, price, what it is about), the note, and what staff set. Absent members
-- are left out (the templates show what is there).
CREATE OR REPLACE FUNCTION service_request_mail_details(r service_requests) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'request_id', r.id, 'request_number', r.number,
    'request_type', service_request_type_name(r.type),
    'customer_name', c.name, 'account_number', c.account_number,
    'location_name', l.name, 'location_address', address_line(l.address),
    'service_description', s.description, 'order_number', o.number,
    'requested_date', r.requested_date, 'end_date', r.end_date,
    'size_name', r.size_name, 'rental_days', r.rental_days, 'price_cents', r.price_cents,
    'note', r.note, 'scheduled_date', r.scheduled_date, 'decline_reason', r.decline_reason,
    'created_order_number', co.number))
  FROM customers c
  LEFT JOIN locations l ON l.tenant_id = r.tenant_id AND l.id = r.location_id
  LEFT JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
  LEFT JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
  LEFT JOIN orders co ON co.tenant_id = r.tenant_id AND co.id = r.created_order_id
  WHERE c.tenant_id = r.tenant_id AND c.id = r.customer_id
$$;

-- Who hears about request r's status changes, and the name to greet: the portal user who asked,
-- while that login is still linked to the account; else (a request nobody signed in made, or an
-- unlinked login) the account's own address, as invoices choose it (customer_email_address: the
-- portal login email, else the first contact's). No address: no email.
CREATE OR REPLACE FUNCTION service_request_mail_recipient(r service_requests, OUT email text,
                                                          OUT first_name text)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(u.email, a.email), CASE WHEN u.email IS NOT NULL THEN u.full_name
                                          ELSE a.first_name END
  FROM customers c
  CROSS JOIN customer_email_address(c) a
  LEFT JOIN (SELECT nullif(pu.email, '') AS email, pu.full_name
             FROM portal_users pu
             JOIN portal_user_accounts pa ON pa.tenant_id = pu.tenant_id AND pa.user_id = pu.id
             WHERE pu.tenant_id = r.tenant_id AND pu.id = r.portal_user_id
               AND pa.customer_id = r.customer_id) u ON true
  WHERE c.tenant_id = r.tenant_id AND c.id = r.customer_id
$$;

-- Queue the emails of event e (AFTER INSERT on service_request_events).
CREATE OR REPLACE FUNCTION service_request_event_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r service_requests;
  v_hauler text;
  v_hauler_name text;
  v_details jsonb;
  v_actor portal_users;
  v_to record;
  v_reply_to text;
BEGIN
  SELECT * INTO r FROM service_requests WHERE tenant_id = NEW.tenant_id AND id = NEW.request_id;
  SELECT contact_email, name INTO v_hauler, v_hauler_name FROM tenants WHERE id = NEW.tenant_id;
  -- The event's status, not the row's: the email says what this change did.
  v_details := service_request_mail_details(r) || jsonb_build_object('status', NEW.status);
  IF NEW.actor_kind = 'customer' THEN
    SELECT * INTO v_actor FROM portal_users
    WHERE tenant_id = NEW.tenant_id AND id = NEW.portal_user_id;
  END IF;
  SELECT * INTO v_to FROM service_request_mail_recipient(r);

  -- To the hauler: a new request, and a customer taking one back (staff may have read the first
  -- email and started on it). Answers go to the customer who acted; a hauler without a contact
  -- email gets none (the request is in the staff queue all the same).
  IF v_hauler IS NOT NULL AND (NEW.status = 'new' OR
                               NEW.status = 'cancelled' AND NEW.actor_kind = 'customer') THEN
    v_reply_to := coalesce(nullif(v_actor.email, ''), v_to.email);
    PERFORM outbox_enqueue(NEW.tenant_id,
      CASE NEW.status WHEN 'new' THEN 'service_request_new' ELSE 'service_request_withdrawn' END,
      v_hauler, v_details || jsonb_strip_nulls(jsonb_build_object(
        'full_name', v_actor.full_name, 'reply_to', v_reply_to)));
  END IF;

  -- To the customer: every status after submission, a cancellation too (a confirmation when the
  -- recipient cancelled it, news when someone else did).
  IF NEW.status <> 'new' AND v_to.email IS NOT NULL THEN
    PERFORM outbox_enqueue(NEW.tenant_id, 'service_request_status', v_to.email,
      v_details || jsonb_strip_nulls(jsonb_build_object(
        'first_name', v_to.first_name,
        'cancelled_by', CASE
          WHEN NEW.status <> 'cancelled' THEN NULL
          WHEN NEW.actor_kind <> 'customer' THEN v_hauler_name
          WHEN v_actor.email IS DISTINCT FROM v_to.email THEN v_actor.full_name END)));
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER service_request_events_mail AFTER INSERT ON service_request_events
  FOR EACH ROW EXECUTE FUNCTION service_request_event_mail();
