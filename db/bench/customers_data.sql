-- The data set of scripts/bench: 20,000 customers of the tenant `bench`, each with a billing
-- address and a contact, so the customer list walks an index of realistic size. Generated in one
-- statement (no random(): every run measures the same data). Names repeat as they do in life;
-- the list orders by (name, id), so ties cost what they cost in production.
-- Ids are derived from n: the first 1,000 customers are the portal accounts of
-- portal_users_data.sql, md5('bench-account-' || n)::uuid, so pgbench and the wrk script can pick
-- one at random without a lookup; the others get md5('bench-customer-' || n)::uuid, so the
-- customer list's ties by name fall in the same order on every run.
INSERT INTO customers (id, tenant_id, account_number, external_id, name, kind, routing, phone,
                       billing_address, contacts)
SELECT md5(CASE WHEN n <= 1000 THEN 'bench-account-' ELSE 'bench-customer-' END || n)::uuid,
       t.id,
       'B-' || lpad(n::text, 6, '0'),
       CASE WHEN n % 3 = 0 THEN 'erp-' || n END,
       CASE WHEN n % 10 = 0 THEN last_name || ' ' ||
                 (ARRAY['Diner', 'Dental', 'Auto Body', 'Bakery', 'Hardware', 'Grocers', 'Hotel',
                        'Fitness'])[n / 10 % 8 + 1]
            WHEN n % 10 = 1 THEN last_name || ' Construction'
            ELSE first_name || ' ' || last_name END,
       CASE n % 10 WHEN 0 THEN 'commercial' WHEN 1 THEN 'roll_off' ELSE 'residential' END,
       n % 10 <> 1,
       '+1 312 555 ' || lpad((n % 10000)::text, 4, '0'),
       jsonb_build_object('line1', (n % 9000 + 100) || ' ' ||
                                   (ARRAY['Oak St', 'Maple Ave', 'Cedar Ln', 'Lake Shore Dr',
                                          'Elm St', 'Division St', 'Halsted St', 'Belmont Ave',
                                          'Pine Ct', 'Wabash Ave'])[n % 10 + 1],
                          'city', 'Chicago', 'region', 'IL',
                          'postal_code', (60601 + n % 60)::text, 'country', 'US'),
       jsonb_build_array(jsonb_build_object('name', first_name || ' ' || last_name,
                                            'email', 'customer' || n || '@bench.example',
                                            'phone', '+1 312 555 ' || lpad((n % 10000)::text, 4, '0')))
FROM tenants t
CROSS JOIN generate_series(1, 20000) AS n
CROSS JOIN LATERAL (SELECT
  (ARRAY['Maria', 'James', 'Linda', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Susan',
         'Daniel', 'Karen', 'Thomas', 'Nancy', 'Joseph', 'Lisa', 'Mark', 'Betty', 'Paul',
         'Sandra', 'Steven'])[n % 20 + 1] AS first_name,
  (ARRAY['Garcia', 'Johnson', 'Kowalski', 'Nguyen', 'Okafor', 'Schmidt', 'Rivera', 'Brennan',
         'Patel', 'Lindqvist', 'Moreau', 'Haddad', 'Novak', 'Reyes', 'Sullivan', 'Takahashi',
         'Olsen', 'Alvarez', 'Fischer', 'Murphy', 'Anderson', 'Baker', 'Castillo', 'Dubois',
         'Evans', 'Foster', 'Gonzalez', 'Hughes', 'Ivanov', 'Jensen'])[n / 20 % 30 + 1]
    AS last_name) AS names
WHERE t.slug = 'bench';

ANALYZE customers;
