-- The demo hauler that `curbside seed-demo` loads (and so `scripts/run` on first start): tenant
-- `demo` with its branding and contact block, 50 customers of every kind with their service
-- locations and recurring services, orders of each type and status, invoices in every status
-- (past due and partially paid among them), credits, offline payments with allocations, refunds.
--
-- Everything below the tenant goes through the back-office write functions
-- (db/migrations/0007_back_office_writes.sql), so the demo obeys the same money rules as the API.
-- There is no random(): the variety comes from each customer's number n (1..50), so loading it
-- into a fresh database always gives the same data (ids and timestamps aside). Dates count from
-- the tenant's today, so a past-due invoice is past due whenever the demo is loaded.
--
-- It runs inside the caller's transaction (seed-demo adds the staff admin in the same one, with
-- a password hashed in C). By hand: psql -1 -v ON_ERROR_STOP=1 -f db/seed/demo.sql

INSERT INTO tenants (slug, name, logo_url, brand_color, time_zone, contact_phone, contact_email,
                     contact_address, contact_website, portal_enabled, self_signup_enabled,
                     show_pending_invoices)
VALUES ('demo', 'Demo Hauling Co.', 'https://www.demo.example/logo.png', '#1F6F43',
        'America/Chicago', '+1 312 555 0100', 'billing@demo.example',
        '1200 W Fulton Market, Chicago, IL 60607', 'https://www.demo.example', true, true, true);

-- The tenant and its today, for every statement below.
CREATE TEMP TABLE demo_seed ON COMMIT DROP AS
SELECT id AS tenant, tenant_today(id) AS today FROM tenants WHERE slug = 'demo';

-- Customers. n % 5 picks the kind: 30 residential, 10 commercial, 10 roll-off. Residential and
-- commercial customers are on a route unless n % 4 = 0; roll-off work is on call, never routed.
CREATE TEMP TABLE demo_customer ON COMMIT DROP AS
WITH spec AS (
  SELECT n, CASE n % 5 WHEN 0 THEN 'commercial' WHEN 3 THEN 'roll_off' ELSE 'residential' END AS kind,
         (ARRAY['Maria', 'James', 'Linda', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David',
                'Susan', 'Daniel', 'Karen', 'Thomas', 'Nancy', 'Joseph', 'Lisa', 'Mark', 'Betty',
                'Paul', 'Sandra', 'Steven'])[(n - 1) % 20 + 1] AS first_name,
         (ARRAY['Garcia', 'Johnson', 'Kowalski', 'Nguyen', 'Okafor', 'Schmidt', 'Rivera',
                'Brennan', 'Patel', 'Lindqvist', 'Moreau', 'Haddad', 'Novak', 'Reyes', 'Sullivan',
                'Takahashi', 'Olsen', 'Alvarez', 'Fischer', 'Murphy'])
           [((n - 1) * 7 + (n - 1) / 20 * 3) % 20 + 1] AS last_name,
         (ARRAY['Lakeview Diner', 'Northside Dental', 'Maple Street Apartments',
                'Riverside Auto Body', 'Sunrise Bakery', 'Union Hardware', 'Greenway Grocers',
                'Harbor Hotel', 'Elm Park School', 'Prairie Fitness'])[n / 5] AS business,
         (ARRAY['Keystone Builders', 'Summit Roofing', 'Ironwood Demolition',
                'Bluestem Landscaping', 'Anchor Renovations', 'Granite Construction',
                'Millbrook Homes', 'Redline Remodeling', 'Oakridge Excavating',
                'Beacon Property Services'])[(n + 2) / 5] AS contractor,
         jsonb_strip_nulls(jsonb_build_object(
           'line1', (100 + n * 37) || ' ' ||
                    (ARRAY['Oak St', 'Maple Ave', 'Cedar Ln', 'Lake Shore Dr', 'Elm St',
                           'Division St', 'Halsted St', 'Belmont Ave', 'Pine Ct', 'Wabash Ave'])
                      [n % 10 + 1],
           'line2', CASE WHEN n % 5 = 0 THEN 'Suite ' || (100 + n) END,
           'city', (ARRAY['Chicago', 'Evanston', 'Oak Park', 'Skokie', 'Berwyn'])[n / 3 % 5 + 1],
           'region', 'IL',
           'postal_code', (ARRAY['60614', '60201', '60302', '60076', '60402'])[n / 3 % 5 + 1],
           'country', 'US')) AS address,
         CASE WHEN n % 6 <> 5 THEN '+1 312 555 ' || lpad((100 + n)::text, 4, '0') END AS phone
  FROM generate_series(1, 50) AS n
), named AS (
  SELECT s.*,
         CASE kind WHEN 'residential' THEN first_name || ' ' || last_name
                   WHEN 'commercial' THEN business ELSE contractor END AS name,
         trim(BOTH '-' FROM regexp_replace(lower(CASE kind WHEN 'commercial' THEN business
                                                           ELSE contractor END),
                                           '[^a-z0-9]+', '-', 'g')) || '.example' AS domain
  FROM spec s
), doc AS (
  SELECT n, kind, name, jsonb_build_object(
    'account_number', 'DH-' || lpad(n::text, 4, '0'),
    'external_id', CASE WHEN kind <> 'residential' THEN 'qb-' || (700 + n) END,
    'name', name,
    'kind', kind,
    'routing', kind <> 'roll_off' AND n % 4 <> 0,
    'phone', phone,
    'billing_address', address,
    'contacts', CASE
      -- A landlord pays for two rentals: two customers share one contact email.
      WHEN n = 12 THEN jsonb_build_array(jsonb_build_object(
        'name', 'Lakeshore Rentals', 'email', 'accounts@lakeshore-rentals.example',
        'phone', '+1 312 555 0199'))
      WHEN n = 14 THEN jsonb_build_array(
        jsonb_build_object('name', name, 'email',
                           lower(first_name || '.' || last_name) || '@example.com'),
        jsonb_build_object('name', 'Lakeshore Rentals',
                           'email', 'accounts@lakeshore-rentals.example'))
      -- Paper billing: no email on file.
      WHEN kind = 'residential' AND n % 16 = 11 THEN '[]'::jsonb
      WHEN kind = 'residential' THEN jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
        'name', name, 'email', lower(first_name || '.' || last_name) || '@example.com',
        'phone', phone)))
      WHEN kind = 'commercial' THEN jsonb_build_array(
        jsonb_strip_nulls(jsonb_build_object('name', 'Office manager',
                                             'email', 'office@' || domain, 'phone', phone)),
        jsonb_build_object('name', 'Accounts payable', 'email', 'ap@' || domain))
      ELSE jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
        'name', 'Project office', 'email', 'projects@' || domain, 'phone', phone)))
    END) AS body
  FROM named
)
SELECT doc.n, doc.kind, doc.name, (u.body::json->>'id')::uuid AS id
FROM doc CROSS JOIN demo_seed d CROSS JOIN LATERAL customer_upsert(d.tenant, doc.body) AS u;

-- Service locations: a home (two for a few residential customers), one to three sites for a
-- business, two or three job sites for each roll-off customer. The first one is at the billing
-- address except for roll-off work.
CREATE TEMP TABLE demo_location ON COMMIT DROP AS
WITH spec AS (
  SELECT c.n, c.kind, c.id AS customer, k,
         CASE c.kind
           WHEN 'residential' THEN (ARRAY['Home', 'Lake cottage'])[k]
           WHEN 'commercial' THEN (ARRAY['Main building', 'Warehouse', 'Annex'])[k]
           ELSE 'Job site ' || chr(64 + k)
         END AS name,
         CASE WHEN k = 1 AND c.kind <> 'roll_off' THEN x.billing_address
              ELSE jsonb_build_object(
                'line1', (200 + c.n * 53 + k * 311) || ' ' ||
                         (ARRAY['Fullerton Ave', 'Addison St', 'Irving Park Rd', 'Harlem Ave',
                                'Dempster St', 'Touhy Ave', 'Ogden Ave', 'Roosevelt Rd',
                                'Cicero Ave', 'Western Ave'])[(c.n + k * 3) % 10 + 1],
                'city', (ARRAY['Chicago', 'Evanston', 'Oak Park', 'Skokie', 'Berwyn'])
                          [(c.n + k) % 5 + 1],
                'region', 'IL',
                'postal_code', (ARRAY['60614', '60201', '60302', '60076', '60402'])
                                 [(c.n + k) % 5 + 1],
                'country', 'US')
         END AS address
  FROM demo_customer c
  JOIN customers x ON x.id = c.id
  CROSS JOIN LATERAL generate_series(1, CASE
    WHEN c.kind = 'residential' THEN CASE WHEN c.n IN (6, 21) THEN 2 ELSE 1 END
    WHEN c.kind = 'commercial' THEN CASE WHEN c.n % 10 = 0 THEN 3 ELSE 1 END
    ELSE 2 + c.n % 2 END) AS k
)
SELECT s.n, s.kind, s.customer, s.k, (l.body::json->>'id')::uuid AS id
FROM spec s CROSS JOIN demo_seed d
CROSS JOIN LATERAL location_create(d.tenant, s.customer,
                                   jsonb_build_object('name', s.name, 'address', s.address))
  AS l(body);

-- Recurring services: carts on a weekday route for homes, front-load dumpsters for businesses,
-- on-call roll-off containers for job sites. One home's service is suspended (inactive).
SELECT count(service_create(d.tenant, l.customer, jsonb_strip_nulls(s.doc)))
FROM demo_location l CROSS JOIN demo_seed d
CROSS JOIN LATERAL (
  SELECT jsonb_build_object(
    'location_id', l.id, 'description', v.description, 'container_size', v.container_size,
    'frequency', v.frequency,
    'service_day', CASE WHEN v.frequency <> 'on_call' THEN
      (ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday'])[(l.n + l.k) % 5 + 1] END,
    'rate_cents', v.rate_cents,
    'active', NOT (l.kind = 'residential' AND l.n % 13 = 0),
    'start_date', d.today - (120 + l.n * 9 + l.k * 30)) AS doc
  FROM (VALUES
    ('residential', 'Trash cart pickup', '96 gal', 'weekly', 3250 + l.n % 3 * 500, true),
    ('residential', 'Recycling cart pickup', '64 gal', 'biweekly', 1200, l.n % 2 = 0),
    ('commercial', 'Front-load dumpster',
     (ARRAY['2 yd', '4 yd', '6 yd', '8 yd'])[l.n % 4 + 1],
     CASE WHEN l.n % 3 = 0 THEN 'twice_weekly' ELSE 'weekly' END, 14500 + l.n * 100 + l.k * 2000,
     true),
    ('commercial', 'Cardboard recycling dumpster', '6 yd', 'weekly', 6500,
     l.n % 10 = 0 AND l.k = 1),
    ('roll_off', 'Roll-off container', (ARRAY['10 yd', '20 yd', '30 yd', '40 yd'])[(l.n + l.k) % 4 + 1],
     'on_call', 39500 + (l.n + l.k) % 4 * 3500, true)
  ) AS v(kind, description, container_size, frequency, rate_cents, wanted)
  WHERE v.kind = l.kind AND v.wanted
) AS s;

-- Orders of every type and status: roll-off deliveries and swaps (dumpster), business clean-outs
-- (live_load), mini dumpster rentals for homes (minis). A past date is completed, today is in
-- progress, a future date is scheduled (or still pending); some were cancelled.
WITH spec AS (
  SELECT l.n, l.k, 1 AS j, l.customer, l.id AS location, 'dumpster' AS type,
         'Deliver roll-off container' AS service, d.today - (40 + l.n % 20 + l.k * 5) AS day,
         false AS cancelled, false AS pending, 0 AS amount_cents,
         'RO-' || (3000 + l.n * 10 + l.k) AS asset_id, 'Place at the curb; gate code 4410' AS note
  FROM demo_location l CROSS JOIN demo_seed d WHERE l.kind = 'roll_off'
  UNION ALL
  SELECT l.n, l.k, 2, l.customer, l.id, 'dumpster', 'Swap roll-off container',
         d.today + (l.n + l.k) % 9 - 4, (l.n + l.k) % 7 = 0, (l.n + l.k) % 3 = 0,
         17500, 'RO-' || (3000 + l.n * 10 + l.k), NULL
  FROM demo_location l CROSS JOIN demo_seed d WHERE l.kind = 'roll_off'
  UNION ALL
  SELECT l.n, l.k, 1, l.customer, l.id, 'live_load', 'Bulk clean-out (live load)',
         d.today + l.n % 15 - 7 + l.k, false, l.n % 20 = 0, 27500, NULL,
         'Truck waits while the crew loads; about two hours'
  FROM demo_location l CROSS JOIN demo_seed d WHERE l.kind = 'commercial'
  UNION ALL
  SELECT l.n, l.k, 1, l.customer, l.id, 'minis', 'Mini dumpster rental (5 yd)',
         d.today + l.n % 11 - 5, l.n % 9 = 0, l.n % 4 = 2, 18900, 'MD-' || (500 + l.n), NULL
  FROM demo_location l CROSS JOIN demo_seed d
  WHERE l.kind = 'residential' AND l.k = 1 AND l.n % 3 = 0
), numbered AS (
  SELECT spec.*, 'SO-' || (40000 + row_number() OVER (ORDER BY n, k, j)) AS number FROM spec
)
SELECT count(order_create(d.tenant, s.customer, jsonb_strip_nulls(jsonb_build_object(
         'number', s.number,
         'type', s.type, 'service_date', s.day, 'service', s.service, 'location_id', s.location,
         'status', CASE WHEN s.cancelled THEN 'cancelled'
                        WHEN s.day < d.today THEN 'completed'
                        WHEN s.day = d.today THEN 'in_progress'
                        WHEN s.pending THEN 'pending'
                        ELSE 'scheduled' END,
         'asset_id', s.asset_id, 'description', s.note, 'amount_cents', s.amount_cents))))
FROM numbered s CROSS JOIN demo_seed d;

-- The service-request catalog (issue 25): every type offered but swaps, Sundays and the next
-- Christmas and New Year's Day closed. The demo portal user's requests come with that user
-- (api/seed/seed_demo.c).
SELECT count(service_catalog_update(d.tenant, jsonb_build_object(
  'closed_weekdays', jsonb_build_array('sunday'),
  'closed_dates', jsonb_build_array(
    make_date(extract(year FROM d.today + 6)::int, 12, 25),
    make_date(extract(year FROM d.today + 6)::int + 1, 1, 1)),
  'request_types', '{
    "roll_off_delivery": {"enabled": true, "lead_days": 2, "cutoff_time": "14:00", "sizes": [
      {"code": "10yd", "name": "10-yard roll-off", "price_cents": 32500, "rental_days": 7},
      {"code": "20yd", "name": "20-yard roll-off", "price_cents": 42500, "rental_days": 7},
      {"code": "30yd", "name": "30-yard roll-off", "price_cents": 52500, "rental_days": 10}]},
    "extra_pickup": {"enabled": true, "lead_days": 1, "cutoff_time": "14:00", "price_cents": 2500},
    "missed_pickup": {"enabled": true, "lead_days": 0, "cutoff_time": "12:00"},
    "vacation_hold": {"enabled": true, "lead_days": 2, "max_days": 60},
    "roll_off_swap": {"enabled": false, "lead_days": 1, "price_cents": 17500},
    "roll_off_removal": {"enabled": true, "lead_days": 1, "cutoff_time": "14:00",
                         "price_cents": 0}}'::jsonb)))
FROM demo_seed d;

-- Three monthly invoices per customer (m = 1 is the latest), each with the state it should end
-- in: draft, pending (not sent yet), open, partially paid, paid or void. Homes pay Net 15,
-- businesses Net 30, roll-off work is due on receipt, so the older open ones are past due.
CREATE TEMP TABLE demo_invoice ON COMMIT DROP AS
WITH spec AS (
  SELECT c.n, c.kind, c.id AS customer, m, d.today,
         CASE
           WHEN m = 1 AND c.n % 9 = 4 THEN 'draft'
           WHEN m = 1 AND c.n % 9 = 7 THEN 'pending'
           WHEN m = 1 THEN 'open'
           WHEN m = 2 AND c.n % 11 = 5 THEN 'void'
           WHEN m = 2 AND c.n % 4 = 1 THEN 'partial'
           WHEN m = 2 AND c.n % 6 = 0 THEN 'open'
           WHEN m = 3 AND c.n % 7 = 0 THEN 'open'
           ELSE 'paid'
         END AS target
  FROM demo_customer c CROSS JOIN demo_seed d CROSS JOIN generate_series(1, 3) AS m
), doc AS (
  SELECT s.*, l.id AS location, dated.invoice_date,
         to_char(dated.invoice_date, 'FMMonth YYYY') AS month,
         CASE s.kind WHEN 'residential' THEN 'Net 15' WHEN 'commercial' THEN 'Net 30'
                     ELSE 'Due on receipt' END AS terms
  FROM spec s
  JOIN demo_location l ON l.customer = s.customer
   AND l.k = CASE WHEN s.kind = 'roll_off' THEN s.m % 2 + 1 ELSE 1 END
  -- An invoice not sent yet is dated today.
  CROSS JOIN LATERAL (SELECT CASE WHEN s.target IN ('draft', 'pending') THEN s.today
                                  ELSE s.today - 15 - (s.m - 1) * 30 END AS invoice_date) AS dated
)
SELECT doc.n, doc.m, doc.target, doc.customer, (i.body::json->>'id')::uuid AS id
FROM doc CROSS JOIN demo_seed d
CROSS JOIN LATERAL invoice_create(d.tenant, doc.customer, jsonb_strip_nulls(jsonb_build_object(
  'number', 'INV-' || (10000 + (3 - doc.m) * 100 + doc.n),
  'invoice_date', doc.invoice_date, 'terms', doc.terms, 'location_id', doc.location,
  'status', CASE WHEN doc.target = 'pending' THEN 'pending' ELSE 'draft' END,
  'memo', CASE WHEN doc.kind = 'commercial' THEN 'Thank you for your business.' END,
  'lines', CASE doc.kind
    WHEN 'residential' THEN jsonb_build_array(jsonb_build_object(
      'description', 'Trash' || CASE WHEN doc.n % 2 = 0 THEN ' & recycling' ELSE '' END ||
                     ' service, ' || doc.month,
      'quantity', 1,
      'unit_price_cents', 3250 + doc.n % 3 * 500 + CASE WHEN doc.n % 2 = 0 THEN 1200 ELSE 0 END))
      || CASE WHEN doc.n % 3 = 0 THEN jsonb_build_array(jsonb_build_object(
           'description', 'Extra bag pickup', 'quantity', 2, 'unit_price_cents', 450))
         ELSE '[]'::jsonb END
    WHEN 'commercial' THEN jsonb_build_array(
      jsonb_build_object('description', 'Front-load dumpster service, ' || doc.month,
                         'quantity', 1, 'unit_price_cents', 14500 + doc.n * 100),
      jsonb_build_object('description', 'Fuel & environmental surcharge',
                         'quantity', 1, 'unit_price_cents', 1295))
    ELSE jsonb_build_array(
      jsonb_build_object('description', 'Roll-off haul', 'service_date', doc.invoice_date - 3,
                         'quantity', 1, 'unit_price_cents', 42500),
      jsonb_build_object('description', 'Disposal (tons)', 'service_date', doc.invoice_date - 3,
                         'quantity', (150 + doc.n * doc.m % 7 * 45) / 100.0,
                         'unit_price_cents', 6800))
      || CASE WHEN (doc.n + doc.m) % 3 > 0 THEN jsonb_build_array(jsonb_build_object(
           'description', 'Rental days beyond 7', 'quantity', (doc.n + doc.m) % 3,
           'unit_price_cents', 1200))
         ELSE '[]'::jsonb END
  END))) AS i(body);

-- Send everything that is not a draft or pending; sent on its invoice date, 7:30 in the morning.
SELECT count(invoice_send(d.tenant, i.id))
FROM demo_invoice i CROSS JOIN demo_seed d WHERE i.target NOT IN ('draft', 'pending');

UPDATE invoices x SET sent_at = (x.invoice_date + time '07:30') AT TIME ZONE 'America/Chicago'
FROM demo_invoice i WHERE x.id = i.id AND x.sent_at IS NOT NULL;

SELECT count(invoice_void(d.tenant, i.id, 'Issued in error: service was on hold that month.'))
FROM demo_invoice i CROSS JOIN demo_seed d WHERE i.target = 'void';

-- Credits: a missed pickup (applied to the latest invoice when it is open) and a goodwill credit
-- (partly applied for some, kept for later by others).
CREATE TEMP TABLE demo_credit ON COMMIT DROP AS
SELECT c.n, c.id AS customer, (x.body::json->>'id')::uuid AS id
FROM demo_customer c CROSS JOIN demo_seed d
CROSS JOIN LATERAL credit_create(d.tenant, c.id, jsonb_build_object(
  'credit_date', d.today - 20 - c.n % 7,
  'reason', CASE WHEN c.n % 8 = 2 THEN 'Missed pickup'
                 ELSE 'Goodwill credit for a late delivery' END,
  'amount_cents', CASE WHEN c.n % 8 = 2 THEN 1500 ELSE 2500 END)) AS x(body)
WHERE c.n % 8 IN (2, 6);

SELECT count(credit_apply(d.tenant, cr.id, jsonb_build_object(
         'invoice_id', i.id, 'amount_cents', CASE WHEN cr.n % 8 = 2 THEN 1500 ELSE 1000 END)))
FROM demo_credit cr CROSS JOIN demo_seed d
JOIN demo_invoice i ON i.n = cr.n AND i.m = 1 AND i.target = 'open'
WHERE cr.n % 8 = 2 OR cr.n % 16 = 14;

-- Offline payments (check, cash, other) with their allocations: one per invoice, or one check for
-- the two older invoices when n % 5 = 1; a partial payment covers half. Customer 2 overpaid by
-- $20.00 (refunded below).
CREATE TEMP TABLE demo_payment ON COMMIT DROP AS
WITH owed AS (
  SELECT i.n, i.customer, CASE WHEN i.n % 5 = 1 THEN 0 ELSE i.m END AS g, i.id, i.m,
         x.invoice_date,
         CASE WHEN i.target = 'partial' THEN x.balance_cents / 2 ELSE x.balance_cents END AS amount
  FROM demo_invoice i JOIN invoices x ON x.id = i.id
  WHERE i.target IN ('paid', 'partial')
), grouped AS (
  SELECT n, customer, g, max(invoice_date) + 3 + n % 10 AS paid_on,
         sum(amount) + CASE WHEN n = 2 AND g = 3 THEN 2000 ELSE 0 END AS amount,
         jsonb_agg(jsonb_build_object('invoice_id', id, 'amount_cents', amount) ORDER BY m DESC)
           AS allocations,
         count(*) AS invoices
  FROM owed GROUP BY n, customer, g
)
SELECT g.n, g.g, (p.body::json->>'id')::uuid AS id
FROM grouped g CROSS JOIN demo_seed d
CROSS JOIN LATERAL payment_record(d.tenant, jsonb_strip_nulls(jsonb_build_object(
  'customer_id', g.customer, 'payment_date', g.paid_on,
  'method', (ARRAY['check', 'cash', 'other'])[g.n % 3 + 1],
  'reference_number', CASE g.n % 3
    WHEN 0 THEN 'CHK-' || (1040 + g.n * 3 + g.g)
    WHEN 1 THEN 'CASH-' || to_char(g.paid_on, 'YYYYMMDD') || '-' || g.n
    ELSE 'ACH-' || (880000 + g.n * 10 + g.g) END,
  'amount_cents', g.amount,
  'memo', CASE WHEN g.invoices > 1 THEN 'One check for two invoices' END,
  'allocations', g.allocations)), NULL) AS p(body);

SELECT count(payment_refund(d.tenant, p.id,
                            '{"amount_cents": 2000, "reason": "Overpayment returned"}', NULL))
FROM demo_payment p CROSS JOIN demo_seed d WHERE p.n = 2 AND p.g = 3;

-- Customer 9 paid its oldest invoice twice: the duplicate check stays unapplied and is refunded
-- in full.
SELECT count(payment_refund(d.tenant, (p.body::json->>'id')::uuid,
                            '{"reason": "Duplicate payment returned"}', NULL))
FROM demo_invoice i JOIN invoices x ON x.id = i.id CROSS JOIN demo_seed d
CROSS JOIN LATERAL payment_record(d.tenant, jsonb_build_object(
  'customer_id', i.customer, 'payment_date', x.invoice_date + 20, 'method', 'check',
  'reference_number', 'CHK-1077', 'amount_cents', x.total_cents,
  'memo', 'Duplicate of the check for ' || x.number, 'allocations', '[]'::jsonb), NULL) AS p(body)
WHERE i.n = 9 AND i.m = 3;
