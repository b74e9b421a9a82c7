-- What the portal's documents (invoice PDF, order and payment receipts) print besides the object
-- itself: the hauler who issues them and the customer they are for. A document carries the
-- tenant's own name and contact details, never the platform's. The object is its portal JSON
-- (portal_invoice_json, portal_order_json, portal_payment_json), so a document shows exactly what
-- the portal shows.

-- The issuer block: the tenant's name and contact details, and the currency its money is in.
CREATE OR REPLACE FUNCTION document_hauler_json(t tenants) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'name', t.name, 'phone', t.contact_phone, 'email', t.contact_email,
    'address', t.contact_address, 'website', t.contact_website, 'currency', t.currency)
$$;

-- The customer block: account number, name and billing address (one line, as elsewhere).
CREATE OR REPLACE FUNCTION document_customer_json(c customers) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'account_number', c.account_number, 'name', c.name,
    'billing_address_line', address_line(c.billing_address))
$$;

-- A document: {hauler, customer, <kind>: object}, built by one statement per kind in
-- api/portal_documents/portal_documents_service.c.
CREATE OR REPLACE FUNCTION document_json(t tenants, c customers, p_kind text,
                                         p_object json) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('hauler', document_hauler_json(t),
                           'customer', document_customer_json(c), p_kind, p_object)
$$;
