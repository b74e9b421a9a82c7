-- Issue 23, item 3: an answer sends an unknown part of an address or contact as null, never leaves
-- it out. The stored JSON is passed through as it is, so it is stored complete: these two
-- functions (schema, like is_address: the triggers of functions/customers.sql use them) give
-- every member, null where none was sent, and the rows stored before are completed here.

-- An address object with each of its six members; NULL and non-objects are returned as they are.
CREATE FUNCTION address_complete(a jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(a) = 'object' THEN
    jsonb_build_object('line1', a->'line1', 'line2', a->'line2', 'city', a->'city',
                       'region', a->'region', 'postal_code', a->'postal_code',
                       'country', a->'country')
  ELSE a END
$$;

-- A contacts array whose every item has name, email and phone, in the order given.
CREATE FUNCTION contacts_complete(c jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(c) = 'array' THEN
    (SELECT coalesce(jsonb_agg(jsonb_build_object('name', e->'name', 'email', e->'email',
                                                  'phone', e->'phone') ORDER BY i), '[]')
     FROM jsonb_array_elements(c) WITH ORDINALITY AS x(e, i))
  ELSE c END
$$;

-- updated_at stays as it was (nothing a person wrote changed), so the user triggers are off for
-- the data fix.
ALTER TABLE customers DISABLE TRIGGER USER;
UPDATE customers SET billing_address = address_complete(billing_address),
                     contacts = contacts_complete(contacts)
WHERE billing_address IS NOT NULL OR jsonb_array_length(contacts) > 0;
ALTER TABLE customers ENABLE TRIGGER USER;

ALTER TABLE locations DISABLE TRIGGER USER;
UPDATE locations SET address = address_complete(address);
ALTER TABLE locations ENABLE TRIGGER USER;
