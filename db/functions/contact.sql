-- Contact Us: a portal user's message to the hauler, emailed through the outbox.

-- Queue the message of portal user p_user about account p_customer. Returns the 202 body
-- {id, status, reply_to}, or {retry_after: seconds} when the user has already sent
-- p_per_hour messages in the last hour (the caller answers 429 with Retry-After).
-- Raises 409 contact_email_missing when the hauler has no contact email to write to.
CREATE OR REPLACE FUNCTION portal_contact_send(p_tenant uuid, p_customer uuid, p_user uuid,
                                               p_subject text,
                                               p_message text, p_client_address text,
                                               p_per_hour integer)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v_user portal_users;
  v_customer customers;
  v_tenant tenants;
  v_wait integer;
  v_outbox uuid;
  v_id uuid;
BEGIN
  -- The user row lock serialises one user's concurrent sends, so the count below is exact.
  SELECT * INTO v_user FROM portal_users
  WHERE tenant_id = p_tenant AND id = p_user FOR UPDATE;
  SELECT * INTO v_customer FROM customers WHERE tenant_id = p_tenant AND id = p_customer;
  SELECT * INTO v_tenant FROM tenants WHERE id = p_tenant;
  IF v_user.id IS NULL OR v_customer.id IS NULL THEN
    PERFORM cs_raise('404', 'not_found', 'There is no such portal account.');
  END IF;
  IF v_tenant.contact_email IS NULL THEN
    PERFORM cs_raise('409', 'contact_email_missing',
      v_tenant.name || ' has not set a contact email address yet'
        || coalesce('; you can call them at ' || v_tenant.contact_phone, '') || '.');
  END IF;

  v_wait := hourly_retry_after(ARRAY(
    SELECT created_at FROM contact_messages
    WHERE portal_user_id = p_user AND created_at > now() - interval '1 hour'
    ORDER BY created_at DESC LIMIT p_per_hour), p_per_hour);
  IF v_wait IS NOT NULL THEN
    RETURN json_build_object('retry_after', v_wait);
  END IF;

  v_outbox := outbox_enqueue(p_tenant, 'contact_message', v_tenant.contact_email,
    jsonb_build_object('message_subject', p_subject, 'message', p_message,
                       'full_name', v_user.full_name, 'reply_to', v_user.email,
                       'account_number', v_customer.account_number,
                       'customer_name', v_customer.name));
  INSERT INTO contact_messages (tenant_id, customer_id, portal_user_id, outbox_id, client_address)
  VALUES (p_tenant, p_customer, p_user, v_outbox, p_client_address)
  RETURNING id INTO v_id;
  RETURN json_build_object('id', v_id, 'status', 'queued', 'reply_to', v_user.email);
END $$;
