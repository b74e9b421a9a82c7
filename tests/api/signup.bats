#!/usr/bin/env bats
# The customer side of joining a portal: invitation lookup and acceptance (rule 5), Review & Pay
# links (rule 7), uninvited sign-up with an account and invoice number (rule 8) and the
# verification link that finishes a sign-up with an unproven address. Each emailed link is
# followed through the SMTP sink.

load helpers

setup_file() {
	# The sign-up guessing budget is ten times this per (tenant, client address). These tests
	# follow many dead links on purpose, all from the proxy's address: the per-address link
	# throttle is tested in auth_abuse.bats.
	STACK_ENV=(CURBSIDE_LOGIN_MAX_FAILURES=1 CURBSIDE_LINK_MAX_FAILURES=1000)
	start_stack
}

teardown_file() {
	stop_stack
}

# Every test: a fresh hauler with its portal on, a staff user and one customer.
setup() {
	new_staff_token
	enable_portal "$TENANT_SLUG"
	create_customer
}

# make_invitation CUSTOMER_ID EMAIL [KIND]: a pending invitation stored as staff would store it
# (the staff endpoint is another module's). Sets INVITE_TOKEN and INVITATION_ID.
make_invitation() {
	INVITE_TOKEN=$(new_link_token)
	INVITATION_ID=$(stack_sql "INSERT INTO invitations (tenant_id, customer_id, kind, first_name,
		email, nonce, token_hash, created_by, expires_at)
		SELECT tenant_id, id, '${3:-invitation}', 'Pat', '$2', 'nonce',
		       '$(sha256_hex "$INVITE_TOKEN")', 'test', now() + interval '14 days'
		FROM customers WHERE id = '$1' RETURNING id")
	[[ -n $INVITATION_ID ]] || fail "make_invitation: no row"
}

# make_pay_link INVOICE_ID EMAIL: the Review & Pay link of an invoice emailed to EMAIL, stored as
# the invoice email stores it. Sets PAY_TOKEN.
make_pay_link() {
	PAY_TOKEN=$(new_link_token)
	stack_sql "INSERT INTO portal_tokens (tenant_id, kind, token_hash, email, customer_id,
		invoice_id, expires_at)
		SELECT tenant_id, 'pay_link', '$(sha256_hex "$PAY_TOKEN")', '$2', customer_id, id,
		       now() + interval '90 days'
		FROM invoices WHERE id = '$1'" >/dev/null
}

# login_doc EMAIL [FULL_NAME] [PASSWORD]: the body of an acceptance or pay-link sign-up.
login_doc() {
	jq -cn --arg e "$1" --arg n "${2:-Pat Jordan}" --arg p "${3:-$TEST_PASSWORD}" \
		'{email: $e, full_name: $n, password: $p}'
}

# verify_doc TOKEN [FULL_NAME] [PASSWORD]
verify_doc() {
	jq -cn --arg t "$1" --arg n "${2:-Pat Jordan}" --arg p "${3:-$TEST_PASSWORD}" \
		'{token: $t, full_name: $n, password: $p}'
}

# signup_doc ACCOUNT_NUMBER INVOICE_NUMBER EMAIL
signup_doc() {
	jq -cn --arg a "$1" --arg i "$2" --arg e "$3" '{account_number: $a, invoice_number: $i, email: $e}'
}

# assert_session CUSTOMER_ID EMAIL: the last answer is a Session of EMAIL with CUSTOMER_ID
# selected, not to be cached.
assert_session() {
	assert_status 200 || return 1
	assert_header Cache-Control no-store || return 1
	assert_json .user.email "$2" || return 1
	assert_json .account_id "$1" || return 1
	assert_json .account_selection_required false || return 1
	assert_jq "[.accounts[].id] | index(\"$1\") != null"
}

# assert_me_account CUSTOMER_ID: the last Session's access token opens /v1/me on that account.
assert_me_account() {
	local token
	token=$(jq -r .access_token <<<"$body")
	with_bearer "$token" GET /v1/me
	assert_status 200 || return 1
	assert_json .account_id "$1"
}

# link_source EMAIL CUSTOMER_ID: how the login of EMAIL was linked to the customer.
link_source() {
	stack_sql "SELECT a.source FROM portal_user_accounts a JOIN portal_users u ON u.id = a.user_id
		WHERE u.tenant_id = '$TENANT_ID' AND u.email = '$1' AND a.customer_id = '$2'"
}

user_count() {
	stack_sql "SELECT count(*) FROM portal_users WHERE tenant_id = '$TENANT_ID' AND email = '$1'"
}

# ------------------------------------------------------------------------------ invitations

@test "GET /v1/invitations/{token} shows the activation page: branding, greeting, email, account, expiry" {
	make_invitation "$CUSTOMER_ID" pat.show@example.test
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_status 200
	assert_header Cache-Control no-store
	assert_json .tenant.slug "$TENANT_SLUG"
	assert_json .tenant.name "Hauler $TENANT_SLUG"
	assert_json .kind invitation
	assert_json .first_name Pat
	assert_json .email pat.show@example.test
	assert_json .account.account_number "$CUSTOMER_NUMBER"
	assert_json .account.name "Customer $CUSTOMER_NUMBER"
	assert_jq '.expires_at | test("^20[0-9]{2}-[0-9]{2}-[0-9]{2}T.*Z$")'
}

@test "rule 5: accepting an invitation with its email lands logged in, linked to that customer" {
	make_invitation "$CUSTOMER_ID" pat.accept@example.test
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc '  Pat.Accept@Example.test ' '  Pat Jordan ')"
	assert_session "$CUSTOMER_ID" pat.accept@example.test
	assert_json .user.full_name 'Pat Jordan'
	assert_json .user.login_method password
	assert_me_account "$CUSTOMER_ID"
	[[ $(link_source pat.accept@example.test "$CUSTOMER_ID") == invitation ]]
	[[ $(stack_sql "SELECT accepted_at IS NOT NULL FROM invitations WHERE id = '$INVITATION_ID'") == t ]]
	# the password chosen is the login's password from now on
	portal_login "$TENANT_SLUG" pat.accept@example.test "$TEST_PASSWORD"
	assert_json .account_id "$CUSTOMER_ID"
}

@test "an invitation link works once: afterwards it answers 404 invitation_not_found" {
	make_invitation "$CUSTOMER_ID" pat.once@example.test
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.once@example.test)"
	assert_status 200
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.once@example.test)"
	assert_problem 404 invitation_not_found
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_problem 404 invitation_not_found
}

@test "accepting an invitation with another email answers 202; only the emailed verification link creates the login" {
	make_invitation "$CUSTOMER_ID" pat.invited@example.test
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.other@example.test)"
	assert_status 202
	assert_json .status verification_sent
	assert_json .email pat.other@example.test
	[[ $(user_count pat.other@example.test) == 0 ]]
	[[ $(stack_sql "SELECT accepted_at IS NULL FROM invitations WHERE id = '$INVITATION_ID'") == t ]]

	mail=$(mail_wait pat.other@example.test)
	mail_text "$mail" | grep -q "$CUSTOMER_NUMBER"
	mail_text "$mail" | grep -q "Hauler $TENANT_SLUG"
	mail_link "$mail" | grep -q "^https://$TENANT_SLUG.portal.example.test/verify-email/"
	token=$(mail_token "$mail")

	api POST /v1/auth/verify-email "$(verify_doc "$token" 'Pat Other')"
	assert_session "$CUSTOMER_ID" pat.other@example.test
	assert_json .user.full_name 'Pat Other'
	assert_me_account "$CUSTOMER_ID"
	[[ $(link_source pat.other@example.test "$CUSTOMER_ID") == invitation ]]
	# the invitation it came from is accepted now, by that login
	[[ $(stack_sql "SELECT accepted_at IS NOT NULL FROM invitations WHERE id = '$INVITATION_ID'") == t ]]
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_problem 404 invitation_not_found
	# and the verification link is spent
	api POST /v1/auth/verify-email "$(verify_doc "$token")"
	assert_problem 404 verification_token_not_found
}

@test "an unknown, revoked or malformed invitation link answers 404 invitation_not_found" {
	api GET "/v1/invitations/$(new_link_token)"
	assert_problem 404 invitation_not_found
	api POST "/v1/invitations/$(new_link_token)/accept" "$(login_doc pat@example.test)"
	assert_problem 404 invitation_not_found
	api GET "/v1/invitations/not.a.token"
	assert_problem 404 invitation_not_found

	make_invitation "$CUSTOMER_ID" pat.revoked@example.test
	stack_sql "UPDATE invitations SET revoked_at = now() WHERE id = '$INVITATION_ID'"
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_problem 404 invitation_not_found
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.revoked@example.test)"
	assert_problem 404 invitation_not_found
	[[ $(user_count pat.revoked@example.test) == 0 ]]
}

@test "an expired invitation answers 410 invitation_expired and creates nothing" {
	make_invitation "$CUSTOMER_ID" pat.expired@example.test
	stack_sql "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = '$INVITATION_ID'"
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_problem 410 invitation_expired
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.expired@example.test)"
	assert_problem 410 invitation_expired
	[[ $(user_count pat.expired@example.test) == 0 ]]
}

@test "rule 6, 6a: an invitation to a Google user switches it back to password login only through the emailed link" {
	stack_sql "INSERT INTO portal_users (tenant_id, email, full_name, login_method)
		VALUES ('$TENANT_ID', 'pat.google@example.test', 'Pat Google', 'google')"
	make_invitation "$CUSTOMER_ID" pat.google@example.test
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.google@example.test)"
	assert_status 202
	assert_json .status verification_sent
	[[ $(stack_sql "SELECT login_method FROM portal_users WHERE email = 'pat.google@example.test'") == google ]]
	token=$(mail_token "$(mail_wait pat.google@example.test "Confirm it")")
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$token" --arg p "$TEST_PASSWORD" '{token: $t, password: $p}')"
	assert_session "$CUSTOMER_ID" pat.google@example.test
	assert_json .user.login_method password
	assert_json .user.full_name 'Pat Google'
	portal_login "$TENANT_SLUG" pat.google@example.test "$TEST_PASSWORD"
}

@test "an existing login accepting an invitation of another customer while signed in gets both accounts" {
	make_invitation "$CUSTOMER_ID" pat.two@example.test
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.two@example.test)"
	assert_status 200
	session=$(jq -r .access_token <<<"$body")
	first=$CUSTOMER_ID
	create_customer
	make_invitation "$CUSTOMER_ID" pat.two@example.test create_password
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_json .kind create_password
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.two@example.test)" -H "Authorization: Bearer $session"
	assert_session "$CUSTOMER_ID" pat.two@example.test
	assert_jq ".accounts | length == 2 and ([.[].id] | index(\"$first\") != null)"
	[[ $(user_count pat.two@example.test) == 1 ]]
}

@test "an invitation to a customer whose portal access staff switched off answers 403 account_portal_disabled" {
	make_invitation "$CUSTOMER_ID" pat.off@example.test
	stack_sql "UPDATE customers SET portal_enabled = false, portal_disabled_at = now() WHERE id = '$CUSTOMER_ID'"
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.off@example.test)"
	assert_problem 403 account_portal_disabled
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.elsewhere@example.test)"
	assert_problem 403 account_portal_disabled
	[[ $(user_count pat.off@example.test) == 0 ]]
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE to_address = 'pat.elsewhere@example.test'") == 0 ]]
}

@test "rule 4: acceptance refuses bad members field by field and changes nothing" {
	make_invitation "$CUSTOMER_ID" pat.bad@example.test
	api POST "/v1/invitations/$INVITE_TOKEN/accept" '{"email": "pat bad@example.test", "full_name": "Pat", "password": "correct horse battery"}'
	assert_problem 422 invalid_email
	assert_field_error email invalid_email
	api POST "/v1/invitations/$INVITE_TOKEN/accept" '{"email": "pat,bad@example.test", "full_name": "Pat", "password": "correct horse battery"}'
	assert_field_error email invalid_email
	api POST "/v1/invitations/$INVITE_TOKEN/accept" '{"email": "pat.bad@example.test", "full_name": "Pat", "password": "short"}'
	assert_field_error password too_short
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(jq -cn --arg p "$(printf 'x%.0s' {1..129})" '{email: "pat.bad@example.test", full_name: "Pat", password: $p}')"
	assert_field_error password too_long
	api POST "/v1/invitations/$INVITE_TOKEN/accept" '{"email": "pat.bad@example.test", "full_name": "   ", "password": "correct horse battery"}'
	assert_field_error full_name too_short
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(jq -cn --arg n "$(printf 'n%.0s' {1..201})" '{email: "pat.bad@example.test", full_name: $n, password: "correct horse battery"}')"
	assert_field_error full_name too_long
	api POST "/v1/invitations/$INVITE_TOKEN/accept" '{"full_name": "Pat", "password": 12, "role": "admin"}'
	assert_problem 422 validation_failed
	assert_field_error email required
	assert_field_error password wrong_type
	assert_field_error role unknown_field
	# direct: the proxy parses JSON bodies itself and cannot forward a malformed one
	api_direct POST "/v1/invitations/$INVITE_TOKEN/accept" '{"email": '
	assert_problem 400 malformed_json
	[[ $(user_count pat.bad@example.test) == 0 ]]
	[[ $(stack_sql "SELECT accepted_at IS NULL FROM invitations WHERE id = '$INVITATION_ID'") == t ]]
}

@test "rule 1: every sign-up endpoint answers 403 portal_disabled while the hauler's portal is off" {
	make_invitation "$CUSTOMER_ID" pat.closed@example.test
	open_invoice "$CUSTOMER_ID"
	make_pay_link "$INVOICE_ID" pat.closed@example.test
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	assert_status 200

	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_problem 403 portal_disabled
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.closed@example.test)"
	assert_problem 403 portal_disabled
	api GET "/v1/pay-links/$PAY_TOKEN"
	assert_problem 403 portal_disabled
	api POST "/v1/pay-links/$PAY_TOKEN/signup" "$(login_doc pat.closed@example.test)"
	assert_problem 403 portal_disabled
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$CUSTOMER_NUMBER" "$INVOICE_NUMBER" pat.closed@example.test)"
	assert_problem 403 portal_disabled
	[[ $(user_count pat.closed@example.test) == 0 ]]
}

# ------------------------------------------------------------------------------ pay links

@test "GET /v1/pay-links/{token} shows the invoice, the account and the masked address it went to" {
	open_invoice "$CUSTOMER_ID"
	make_pay_link "$INVOICE_ID" pat.payer@example.test
	api GET "/v1/pay-links/$PAY_TOKEN"
	assert_status 200
	assert_header Cache-Control no-store
	assert_json .tenant.slug "$TENANT_SLUG"
	assert_json .invoice.id "$INVOICE_ID"
	assert_json .invoice.number "$INVOICE_NUMBER"
	assert_json .invoice.status open
	assert_json .invoice.total_cents 10000
	assert_json .invoice.balance_cents 10000
	assert_json .account.account_number "$CUSTOMER_NUMBER"
	assert_json .has_portal_users false
	assert_json .sent_to_email 'p***@example.test'
}

@test "rule 7: a pay-link sign-up with the invoice's address creates the login linked to that customer" {
	open_invoice "$CUSTOMER_ID"
	make_pay_link "$INVOICE_ID" pat.payer@example.test
	api POST "/v1/pay-links/$PAY_TOKEN/signup" "$(login_doc ' PAT.Payer@example.test')"
	assert_session "$CUSTOMER_ID" pat.payer@example.test
	assert_me_account "$CUSTOMER_ID"
	[[ $(link_source pat.payer@example.test "$CUSTOMER_ID") == pay_link ]]
	# the link keeps working (it is the invoice's link) and now says the account has a login
	api GET "/v1/pay-links/$PAY_TOKEN"
	assert_status 200
	assert_json .has_portal_users true
}

@test "rule 7: the Review & Pay link of an invoice email shows the invoice and signs its customer up" {
	create_customer '{"contacts": [{"name": "Pat Payer", "email": "pat.e2e@example.test"}]}'
	open_invoice "$CUSTOMER_ID"
	mail=$(mail_wait pat.e2e@example.test)
	mail_link "$mail" | grep -q "^https://$TENANT_SLUG.portal.example.test/pay/"
	token=$(mail_token "$mail")
	api GET "/v1/pay-links/$token"
	assert_status 200
	assert_json .invoice.number "$INVOICE_NUMBER"
	assert_json .sent_to_email 'p***@example.test'
	assert_json .has_portal_users false
	api POST "/v1/pay-links/$token/signup" "$(login_doc pat.e2e@example.test)"
	assert_session "$CUSTOMER_ID" pat.e2e@example.test
	assert_me_account "$CUSTOMER_ID"
}

@test "rule 6a: a pay-link sign-up for an address that already has a login answers 202 and emails that address; the login is untouched" {
	open_invoice "$CUSTOMER_ID"
	make_pay_link "$INVOICE_ID" pat.known@example.test
	api POST "/v1/pay-links/$PAY_TOKEN/signup" "$(login_doc pat.known@example.test)"
	assert_status 200
	api POST "/v1/pay-links/$PAY_TOKEN/signup" "$(login_doc pat.known@example.test 'Someone Else' 'another password 123')"
	assert_status 202
	assert_json .status verification_sent
	assert_json .email pat.known@example.test
	mail_wait pat.known@example.test "Confirm it" >/dev/null
	# the existing login is untouched
	portal_login "$TENANT_SLUG" pat.known@example.test "$TEST_PASSWORD"
	assert_json .user.full_name 'Pat Jordan'
}

@test "rule 7: a pay-link sign-up with another address answers 202; the verification link creates the login" {
	open_invoice "$CUSTOMER_ID"
	make_pay_link "$INVOICE_ID" pat.billing@example.test
	api POST "/v1/pay-links/$PAY_TOKEN/signup" "$(login_doc pat.home@example.test)"
	assert_status 202
	assert_json .status verification_sent
	assert_json .email pat.home@example.test
	[[ $(user_count pat.home@example.test) == 0 ]]
	mail=$(mail_wait pat.home@example.test)
	token=$(mail_token "$mail")
	api POST /v1/auth/verify-email "$(verify_doc "$token")"
	assert_session "$CUSTOMER_ID" pat.home@example.test
	[[ $(link_source pat.home@example.test "$CUSTOMER_ID") == pay_link ]]
}

@test "an unknown pay link answers 404 pay_link_not_found, an expired one 410 pay_link_expired" {
	api GET "/v1/pay-links/$(new_link_token)"
	assert_problem 404 pay_link_not_found
	api POST "/v1/pay-links/$(new_link_token)/signup" "$(login_doc pat@example.test)"
	assert_problem 404 pay_link_not_found
	open_invoice "$CUSTOMER_ID"
	make_pay_link "$INVOICE_ID" pat.late@example.test
	stack_sql "UPDATE portal_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = '$(sha256_hex "$PAY_TOKEN")'"
	api GET "/v1/pay-links/$PAY_TOKEN"
	assert_problem 410 pay_link_expired
	api POST "/v1/pay-links/$PAY_TOKEN/signup" "$(login_doc pat.late@example.test)"
	assert_problem 410 pay_link_expired
	[[ $(user_count pat.late@example.test) == 0 ]]
}

@test "a reset or verification token is not a pay link" {
	token=$(new_link_token)
	stack_sql "INSERT INTO portal_tokens (tenant_id, kind, token_hash, email, customer_id, expires_at)
		VALUES ('$TENANT_ID', 'email_verification', '$(sha256_hex "$token")', 'x@example.test',
		        '$CUSTOMER_ID', now() + interval '1 day')"
	api GET "/v1/pay-links/$token"
	assert_problem 404 pay_link_not_found
	api GET "/v1/invitations/$token"
	assert_problem 404 invitation_not_found
}

# ------------------------------------------------------------------------------ self sign-up

@test "rule 8: an account number and a sent invoice of it send a verification email; only its link creates the login" {
	open_invoice "$CUSTOMER_ID"
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc " $CUSTOMER_NUMBER " "$INVOICE_NUMBER" ' Pat.Self@Example.test ')"
	assert_status 202
	assert_json .status verification_sent
	assert_json .email pat.self@example.test
	[[ $(user_count pat.self@example.test) == 0 ]]

	mail=$(mail_wait pat.self@example.test)
	mail_text "$mail" | grep -q "$CUSTOMER_NUMBER"
	token=$(mail_token "$mail")
	api POST /v1/auth/verify-email "$(verify_doc "$token" 'Pat Self')"
	assert_session "$CUSTOMER_ID" pat.self@example.test
	assert_me_account "$CUSTOMER_ID"
	[[ $(link_source pat.self@example.test "$CUSTOMER_ID") == signup ]]
	portal_login "$TENANT_SLUG" pat.self@example.test "$TEST_PASSWORD"
}

@test "rule 8: unknown account number answers account_number_not_found" {
	open_invoice "$CUSTOMER_ID"
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc NO-SUCH-ACCOUNT "$INVOICE_NUMBER" pat@example.test)"
	assert_problem 404 account_number_not_found
	assert_json .detail "Account number doesn't exist"
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE tenant_id = '$TENANT_ID' AND template = 'email_verification'") == 0 ]]
}

@test "rule 8: an invoice number that is not a sent invoice of that account answers 422 invoice_not_found" {
	create_invoice "$CUSTOMER_ID"
	draft=$INVOICE_NUMBER
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$CUSTOMER_NUMBER" "$draft" pat@example.test)"
	assert_problem 422 invoice_not_found
	assert_field_error invoice_number invoice_not_found
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$CUSTOMER_NUMBER" NO-SUCH-INVOICE pat@example.test)"
	assert_problem 422 invoice_not_found
	# another customer's sent invoice does not prove this account
	mine=$CUSTOMER_NUMBER
	create_customer
	open_invoice "$CUSTOMER_ID"
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$mine" "$INVOICE_NUMBER" pat@example.test)"
	assert_problem 422 invoice_not_found
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE tenant_id = '$TENANT_ID' AND template = 'email_verification'") == 0 ]]
}

@test "cross-tenant: another hauler's account number is unknown here" {
	open_invoice "$CUSTOMER_ID"
	a_number=$CUSTOMER_NUMBER
	a_invoice=$INVOICE_NUMBER
	new_staff_token admin other
	enable_portal "$TENANT_SLUG"
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$a_number" "$a_invoice" pat@example.test)"
	assert_problem 404 account_number_not_found
}

@test "self sign-up answers 403 self_signup_disabled when the hauler invites only, 404 for an unknown hauler" {
	open_invoice "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"self_signup_enabled": false}'
	assert_status 200
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$CUSTOMER_NUMBER" "$INVOICE_NUMBER" pat@example.test)"
	assert_problem 403 self_signup_disabled
	api POST "/v1/tenants/no-such-hauler-$RANDOM/signup" "$(signup_doc "$CUSTOMER_NUMBER" "$INVOICE_NUMBER" pat@example.test)"
	assert_problem 404 tenant_not_found
}

@test "rule 4: self sign-up refuses bad members field by field" {
	api POST "/v1/tenants/$TENANT_SLUG/signup" '{"account_number": "1", "invoice_number": "2", "email": "pat @example.test"}'
	assert_problem 422 invalid_email
	assert_field_error email invalid_email
	api POST "/v1/tenants/$TENANT_SLUG/signup" '{"account_number": " ", "invoice_number": 7, "email": "pat@example.test", "name": "x"}'
	assert_problem 422 validation_failed
	assert_field_error account_number too_short
	assert_field_error invoice_number wrong_type
	assert_field_error name unknown_field
	api POST "/v1/tenants/$TENANT_SLUG/signup" '{}'
	assert_field_errors_exactly account_number email invoice_number
}

@test "failed sign-up matches from one address are throttled with 429 and Retry-After" {
	open_invoice "$CUSTOMER_ID"
	for i in $(seq 1 10); do
		api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "GUESS-$i" "$INVOICE_NUMBER" pat@example.test)"
		assert_problem 404 account_number_not_found
	done
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc GUESS-11 "$INVOICE_NUMBER" pat@example.test)"
	assert_problem 429 too_many_attempts
	assert_header_matches Retry-After '^[0-9]+$'
	# even a right guess waits now
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$CUSTOMER_NUMBER" "$INVOICE_NUMBER" pat@example.test)"
	assert_problem 429 too_many_attempts
}

@test "verification emails to one address are capped per hour; requests past the cap answer the same 202" {
	open_invoice "$CUSTOMER_ID"
	for _ in 1 2 3 4 5 6; do
		api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$CUSTOMER_NUMBER" "$INVOICE_NUMBER" pat.flood@example.test)"
		assert_status 202
		assert_json .status verification_sent
	done
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE tenant_id = '$TENANT_ID' AND to_address = 'pat.flood@example.test'") == 5 ]]
	[[ $(stack_sql "SELECT count(*) FROM portal_tokens WHERE tenant_id = '$TENANT_ID' AND email = 'pat.flood@example.test'") == 5 ]]
}

# ------------------------------------------------------------------------------ verify-email

@test "an expired verification link answers 410 verification_token_expired; an unknown one 404" {
	open_invoice "$CUSTOMER_ID"
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$CUSTOMER_NUMBER" "$INVOICE_NUMBER" pat.slow@example.test)"
	assert_status 202
	token=$(mail_token "$(mail_wait pat.slow@example.test)")
	stack_sql "UPDATE portal_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = '$(sha256_hex "$token")'"
	api POST /v1/auth/verify-email "$(verify_doc "$token")"
	assert_problem 410 verification_token_expired
	[[ $(user_count pat.slow@example.test) == 0 ]]
	api POST /v1/auth/verify-email "$(verify_doc "$(new_link_token)")"
	assert_problem 404 verification_token_not_found
	api POST /v1/auth/verify-email "$(verify_doc 'not a token')"
	assert_problem 404 verification_token_not_found
}

@test "a verification link lasts 24 hours and is stored only as its hash" {
	open_invoice "$CUSTOMER_ID"
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(signup_doc "$CUSTOMER_NUMBER" "$INVOICE_NUMBER" pat.hash@example.test)"
	token=$(mail_token "$(mail_wait pat.hash@example.test)")
	[[ ${#token} == 43 ]]
	hours=$(stack_sql "SELECT round(extract(epoch FROM expires_at - created_at) / 3600) FROM portal_tokens WHERE token_hash = '$(sha256_hex "$token")'")
	[[ $hours == 24 ]]
	[[ $(stack_sql "SELECT count(*) FROM portal_tokens WHERE token_hash = '$token'") == 0 ]]
}

@test "revoking an invitation kills the verification links it led to" {
	make_invitation "$CUSTOMER_ID" pat.first@example.test
	api POST "/v1/invitations/$INVITE_TOKEN/accept" "$(login_doc pat.second@example.test)"
	assert_status 202
	token=$(mail_token "$(mail_wait pat.second@example.test)")
	stack_sql "UPDATE invitations SET revoked_at = now() WHERE id = '$INVITATION_ID'"
	api POST /v1/auth/verify-email "$(verify_doc "$token")"
	assert_problem 404 verification_token_not_found
	[[ $(user_count pat.second@example.test) == 0 ]]
}

@test "verify-email refuses bad members field by field" {
	api POST /v1/auth/verify-email '{"token": "", "full_name": "Pat", "password": "short"}'
	assert_problem 422 too_short
	assert_field_error token too_short
	assert_field_error password too_short
	api POST /v1/auth/verify-email '{"token": "abc", "full_name": 7, "password": "correct horse battery", "extra": 1}'
	assert_field_error full_name 'invalid_type|wrong_type'
	assert_field_error extra unknown_field
}
