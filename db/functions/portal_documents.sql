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

-- The hauler's uploaded logo as a document prints it: its type and its bytes in hex; NULL
-- when it has none (issue 22). Never logo_url: a document never fetches a URL.
CREATE OR REPLACE FUNCTION document_logo_json(p_tenant uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('content_type', l.content_type, 'hex', encode(l.data, 'hex'))
    FROM tenant_logos l WHERE l.tenant_id = p_tenant
$$;

-- What the PDFs print of the hauler besides the issuer block, and no API answer shows (the
-- statement's JSON publishes document_hauler_json as it is): the slug, for links back to the
-- portal; the brand colour; where mailed payments go (the remit-to address, else the contact
-- address); the logo (issue 22).
CREATE OR REPLACE FUNCTION document_hauler_print_json(t tenants) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(json_extend(json_extend(json_extend(document_hauler_json(t),
           'slug', to_json(t.slug)),
           'brand_color', coalesce(to_json(t.brand_color), 'null'::json)),
           'remit_to', coalesce(to_json(coalesce(t.remit_to_address, t.contact_address)),
                                'null'::json)),
           'logo', coalesce(document_logo_json(t.id), 'null'::json))
$$;

-- A document: {hauler, customer, <kind>: object}, built by one statement per kind in
-- api/portal_documents/portal_documents_service.c.
CREATE OR REPLACE FUNCTION document_json(t tenants, c customers, p_kind text,
                                         p_object json) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('hauler', document_hauler_print_json(t),
                           'customer', document_customer_json(c), p_kind, p_object)
$$;
