-- The portal users of scripts/bench: user n (1 .. :users, at most 1,000) is the only user of the
-- generated customer n, whose id is md5('bench-account-' || n)::uuid (customers_data.sql); its
-- own id is md5('bench-user-' || n)::uuid and its email the customer's contact,
-- customer<n>@bench.example. The rows are those an accepted invitation leaves (rule 5, as
-- signup_invitation_accept and portal_user_link write them): the customer's portal on, the user
-- with a password, the link of source 'invitation', the invitation accepted by the user. The
-- password hash and the invitation's creator are copied from :'template_email', a user made
-- through the API with the bench password (hashing 1,000 passwords with argon2id would cost
-- minutes of both cores): every user signs in with that password.
CREATE TEMP TABLE bench_accounts AS
SELECT n, c.tenant_id, c.id AS customer_id, md5('bench-user-' || n)::uuid AS user_id,
       c.contacts->0->>'email' AS email, c.contacts->0->>'name' AS full_name
FROM generate_series(1, :users) AS n
JOIN tenants t ON t.slug = :'slug'
JOIN customers c ON c.tenant_id = t.id AND c.id = md5('bench-account-' || n)::uuid;

UPDATE customers c SET portal_enabled = true
FROM bench_accounts a WHERE c.tenant_id = a.tenant_id AND c.id = a.customer_id;

INSERT INTO portal_users (id, tenant_id, email, full_name, password_hash, login_method)
SELECT a.user_id, a.tenant_id, a.email, a.full_name, u.password_hash, 'password'
FROM bench_accounts a
JOIN portal_users u ON u.tenant_id = a.tenant_id AND u.email = :'template_email';

INSERT INTO portal_user_accounts (tenant_id, user_id, customer_id, source)
SELECT tenant_id, user_id, customer_id, 'invitation' FROM bench_accounts;

INSERT INTO invitations (tenant_id, customer_id, kind, first_name, email, nonce, token_hash,
                         created_by, expires_at, accepted_at, accepted_user_id)
SELECT a.tenant_id, a.customer_id, 'invitation', split_part(a.full_name, ' ', 1), a.email,
       'bench', encode(sha256(convert_to('bench-invitation-' || a.n, 'UTF8')), 'hex'),
       i.created_by, now() + interval '14 days', now(), a.user_id
FROM bench_accounts a
JOIN invitations i ON i.tenant_id = a.tenant_id AND i.email = :'template_email';

DROP TABLE bench_accounts;
