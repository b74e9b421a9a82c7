#!/usr/bin/env bats
# Rule 6a: an existing login is never taken over. Staff and API keys can read an invitation's URL
# (its answer, the customer profile) and anybody can hold a forwarded invoice's Review & Pay link;
# for an address that already has a login, such a link links the account only once the person
# proves the login (signed in, or the one-time link emailed to that address), and only that email
# may set a new password or switch a Google user back. Setting a password by any link ends every
# other session. Also: a wrong link token costs no password hash, and the verification emails of
# one customer account are capped per hour.

load helpers

ATTACKER_PASSWORD='chosen by the attacker 123'

setup_file() {
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# victim: a customer with a portal user signed in to it. Sets VICTIM (the address), VICTIM_ID,
# VICTIM_CUSTOMER, VICTIM_TOKEN and VICTIM_REFRESH.
victim() {
	create_customer || return 1
	VICTIM_CUSTOMER=$CUSTOMER_ID
	VICTIM=$(new_address victim)
	portal_user "$VICTIM" "$VICTIM_CUSTOMER" || return 1
	VICTIM_ID=$USER_ID
	VICTIM_TOKEN=$PORTAL_TOKEN
	VICTIM_REFRESH=$REFRESH_TOKEN
}

# accept_doc EMAIL [PASSWORD]: the body of an acceptance or pay-link sign-up.
accept_doc() {
	jq -cn --arg e "$1" --arg p "${2:-$ATTACKER_PASSWORD}" '{email: $e, full_name: "Not Pat", password: $p}'
}

# assert_no_takeover: the last answer gave no session; the victim's password, session and refresh
# token still work, the attacker's password does not, and the victim sees only their own account.
assert_no_takeover() {
	assert_status 202 || return 1
	assert_json .status verification_sent || return 1
	assert_jq 'has("access_token") | not' || return 1
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" "$(login_body "$VICTIM" "$ATTACKER_PASSWORD")"
	assert_problem 401 invalid_credentials || return 1
	with_bearer "$VICTIM_TOKEN" GET /v1/me
	assert_status 200 || return 1
	assert_jq '.accounts | length == 1' || return 1
	portal_login "$TENANT_SLUG" "$VICTIM" "$TEST_PASSWORD" || return 1
	assert_json .user.full_name 'Pat Jordan'
}

# link_email: the next "confirm it's you" email to the victim; sets LINK_TOKEN.
link_email() {
	local mail
	mail=$(mail_wait "$VICTIM" "Confirm it") || return 1
	assert_branded "$mail" "$VICTIM" || return 1
	mail_link "$mail" | grep -q "^https://$TENANT_SLUG.portal.example.test/verify-email/" ||
		fail "not a verify-email link: $(mail_link "$mail")"
	LINK_TOKEN=$(mail_token "$mail")
}

# metric NAME: the value of a counter in /metrics (NAME with its labels, as printed there).
metric() {
	api GET /metrics || return 1
	awk -v n="$1" '$1 == n { print $2 }' <<<"$body"
}

# ------------------------------------------------------------------------------------ attacks

@test "rule 6a: an API key and each staff role invite an existing login; its URL (answer or profile) accepted with their password gives no session" {
	create_staff "$TENANT_SLUG" "billing.$RANDOM@$TENANT_SLUG.example.test" "$TEST_PASSWORD" billing
	billing=$(staff_login "$TENANT_SLUG" "$(jq -r .email <<<"$body")" "$TEST_PASSWORD")
	new_api_key attacker
	for caller in "$STAFF_TOKEN" "$billing" "$API_KEY"; do
		victim
		create_customer
		staff_api "$caller" POST "/v1/admin/customers/$CUSTOMER_ID/invitations" \
			"$(jq -cn --arg e "$VICTIM" '{first_name: "Pat", email: $e}')"
		assert_status 201
		token=$(jq -r '.url | split("/") | last' <<<"$body")
		api POST "/v1/invitations/$token/accept" "$(accept_doc "$VICTIM")"
		assert_no_takeover
		# the customer profile shows the same pending link: it grants no more
		staff_api "$caller" GET "/v1/admin/customers/$CUSTOMER_ID"
		assert_status 200
		token=$(jq -r '.portal.invitation.url | split("/") | last' <<<"$body")
		api POST "/v1/invitations/$token/accept" "$(accept_doc "$VICTIM")"
		assert_no_takeover
		[[ $(stack_sql "SELECT count(*) FROM portal_user_accounts WHERE user_id = '$VICTIM_ID'") == 1 ]]
		[[ $(stack_sql "SELECT count(*) FROM sessions WHERE portal_user_id = '$VICTIM_ID' AND revoked_at IS NOT NULL") == 0 ]]
	done
}

@test "rule 6a: a forwarded Review & Pay link of an existing login gives no session and no 409; the emailed link links the account" {
	victim
	create_customer "$(jq -cn --arg e "$VICTIM" '{contacts: [{name: "Pat", email: $e}]}')"
	open_invoice "$CUSTOMER_ID"
	pay_token=$(mail_token "$(mail_wait "$VICTIM" "nvoice")")
	api POST "/v1/pay-links/$pay_token/signup" "$(accept_doc "$VICTIM")"
	assert_no_takeover
	link_email
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$LINK_TOKEN" '{token: $t}')"
	assert_status 200
	assert_json .user.id "$VICTIM_ID"
	assert_json .account_id "$CUSTOMER_ID"
	assert_jq '.accounts | length == 2'
	# no password was set: the old one works and the victim's session lives on
	portal_login "$TENANT_SLUG" "$VICTIM" "$TEST_PASSWORD"
	with_bearer "$VICTIM_TOKEN" GET /v1/me
	assert_status 200
}

@test "rule 6a: the emailed proof links the account, may set a new password, and ends every other session" {
	victim
	create_customer
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/invitations" \
		"$(jq -cn --arg e "$VICTIM" '{first_name: "Pat", email: $e}')"
	token=$(jq -r '.url | split("/") | last' <<<"$body")
	api POST "/v1/invitations/$token/accept" "$(accept_doc "$VICTIM")"
	assert_status 202
	link_email
	hours=$(stack_sql "SELECT round(extract(epoch FROM expires_at - created_at) / 60) FROM portal_tokens WHERE token_hash = '$(sha256_hex "$LINK_TOKEN")'")
	[[ $hours == 60 ]] || fail "the link lasts $hours minutes"
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$LINK_TOKEN" '{token: $t, password: "the real new password"}')"
	assert_status 200
	assert_json .user.id "$VICTIM_ID"
	assert_json .user.login_method password
	assert_json .account_id "$CUSTOMER_ID"
	assert_jq '.accounts | length == 2'
	new_token=$(jq -r .access_token <<<"$body")
	# every other session ended at once: access and refresh tokens
	with_bearer "$VICTIM_TOKEN" GET /v1/me
	assert_problem 401 invalid_token
	api POST /v1/auth/refresh "$(jq -cn --arg r "$VICTIM_REFRESH" '{refresh_token: $r}')"
	assert_status 401
	with_bearer "$new_token" GET /v1/me
	assert_status 200
	portal_login "$TENANT_SLUG" "$VICTIM" "the real new password"
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" "$(login_body "$VICTIM" "$TEST_PASSWORD")"
	assert_problem 401 invalid_credentials
	# the link is single use, and the invitation it came from is accepted
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$LINK_TOKEN" '{token: $t}')"
	assert_problem 404 verification_token_not_found
	api GET "/v1/invitations/$token"
	assert_problem 404 invitation_not_found
}

@test "rule 6a: a signed-in user accepting an invitation links the account and keeps their password" {
	victim
	create_customer
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/invitations" \
		"$(jq -cn --arg e "$VICTIM" '{first_name: "Pat", email: $e}')"
	token=$(jq -r '.url | split("/") | last' <<<"$body")
	# another user's bearer token proves nothing about this address
	other=$(new_address other)
	create_customer
	other_customer=$CUSTOMER_ID
	portal_user "$other" "$other_customer"
	api POST "/v1/invitations/$token/accept" "$(accept_doc "$VICTIM")" -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_no_takeover
	# the victim's own token does
	api POST "/v1/invitations/$token/accept" "$(accept_doc "$VICTIM")" -H "Authorization: Bearer $VICTIM_TOKEN"
	assert_status 200
	assert_json .user.id "$VICTIM_ID"
	assert_jq '.accounts | length == 2'
	with_bearer "$VICTIM_TOKEN" GET /v1/me
	assert_status 200
	portal_login "$TENANT_SLUG" "$VICTIM" "$TEST_PASSWORD"
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" "$(login_body "$VICTIM" "$ATTACKER_PASSWORD")"
	assert_problem 401 invalid_credentials
	api GET "/v1/invitations/$token"
	assert_problem 404 invitation_not_found
}

@test "rule 6a: a signed-in user signing up through a pay link of their address links the account" {
	victim
	create_customer "$(jq -cn --arg e "$VICTIM" '{contacts: [{name: "Pat", email: $e}]}')"
	open_invoice "$CUSTOMER_ID"
	pay_token=$(mail_token "$(mail_wait "$VICTIM" "nvoice")")
	api POST "/v1/pay-links/$pay_token/signup" "$(accept_doc "$VICTIM")" -H "Authorization: Bearer $VICTIM_TOKEN"
	assert_status 200
	assert_json .user.id "$VICTIM_ID"
	assert_json .account_id "$CUSTOMER_ID"
	portal_login "$TENANT_SLUG" "$VICTIM" "$TEST_PASSWORD"
}

@test "rule 6: a Google user is switched back to password only through the emailed proof" {
	victim
	google=$(new_address google)
	stack_sql "INSERT INTO portal_users (tenant_id, email, full_name, login_method)
		VALUES ('$TENANT_ID', '$google', 'Pat Google', 'google')" >/dev/null
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$VICTIM_CUSTOMER/invitations" \
		"$(jq -cn --arg e "$google" '{first_name: "Pat", email: $e}')"
	token=$(jq -r '.url | split("/") | last' <<<"$body")
	api POST "/v1/invitations/$token/accept" "$(accept_doc "$google")"
	assert_status 202
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" "$(login_body "$google" "$ATTACKER_PASSWORD")"
	assert_problem 409 google_login_required
	[[ $(stack_sql "SELECT login_method FROM portal_users WHERE email = '$google'") == google ]]
	VICTIM=$google link_email
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$LINK_TOKEN" '{token: $t, password: "the real new password"}')"
	assert_status 200
	assert_json .user.login_method password
	portal_login "$TENANT_SLUG" "$google" "the real new password"
}

@test "rule 6a: following the emailed link without a password leaves a Google user on Google" {
	victim
	google=$(new_address google)
	stack_sql "INSERT INTO portal_users (tenant_id, email, full_name, login_method)
		VALUES ('$TENANT_ID', '$google', 'Pat Google', 'google')" >/dev/null
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$VICTIM_CUSTOMER/invitations" \
		"$(jq -cn --arg e "$google" '{first_name: "Pat", email: $e}')"
	token=$(jq -r '.url | split("/") | last' <<<"$body")
	api POST "/v1/invitations/$token/accept" "$(accept_doc "$google")"
	assert_status 202
	VICTIM=$google link_email
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$LINK_TOKEN" '{token: $t}')"
	assert_status 200
	assert_json .user.login_method google
	assert_json .account_id "$VICTIM_CUSTOMER"
}

@test "rule 6a: a verification link that sets a password ends every other session of that login" {
	victim
	create_customer
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/invitations" \
		"$(jq -cn --arg e "$(new_address invited)" '{first_name: "Pat", email: $e}')"
	token=$(jq -r '.url | split("/") | last' <<<"$body")
	# accepted with the victim's address (not the invited one): the link goes to the victim
	api POST "/v1/invitations/$token/accept" "$(accept_doc "$VICTIM")"
	assert_status 202
	mail=$(mail_wait "$VICTIM" "Confirm")
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$(mail_token "$mail")" '{token: $t, full_name: "Pat Jordan", password: "the real new password"}')"
	assert_status 200
	assert_json .user.id "$VICTIM_ID"
	with_bearer "$VICTIM_TOKEN" GET /v1/me
	assert_problem 401 invalid_token
}

@test "a new login still needs a name and a password on its verification link" {
	create_customer
	open_invoice "$CUSTOMER_ID"
	address=$(new_address newcomer)
	api POST "/v1/tenants/$TENANT_SLUG/signup" \
		"$(jq -cn --arg a "$CUSTOMER_NUMBER" --arg i "$INVOICE_NUMBER" --arg e "$address" '{account_number: $a, invoice_number: $i, email: $e}')"
	assert_status 202
	token=$(mail_token "$(mail_wait "$address" "Confirm your email")")
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$token" '{token: $t}')"
	assert_problem 422 required
	assert_field_error full_name required
	assert_field_error password required
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$token" '{token: $t, full_name: "New Comer", password: "a good password"}')"
	assert_status 200
	assert_json .user.email "$address"
}

# ------------------------------------------------------------------- token first, then hash

@test "a wrong, expired or used link token answers 404/410 without hashing the password" {
	victim
	# the counter counts: a reset with a real link hashes once
	api POST "/v1/tenants/$TENANT_SLUG/auth/forgot-password" "$(jq -cn --arg e "$VICTIM" '{email: $e}')"
	assert_status 202
	reset=$(mail_token "$(mail_wait "$VICTIM" "eset")")
	before=$(metric 'curbside_password_hashes_total{purpose="other"}')
	[[ -n $before ]] || fail "no curbside_password_hashes_total in /metrics"
	api POST /v1/auth/reset-password "$(jq -cn --arg t "$reset" '{token: $t, password: "the real new password"}')"
	assert_status 204
	after=$(metric 'curbside_password_hashes_total{purpose="other"}')
	((after == before + 1)) || fail "a reset hashed $((after - before)) times"

	password='{"email": "x@example.test", "full_name": "X", "password": "some password 123"}'
	api POST /v1/auth/reset-password "$(jq -cn --arg t "$reset" '{token: $t, password: "some password 123"}')"
	assert_problem 404 reset_token_not_found
	api POST /v1/auth/reset-password "$(jq -cn --arg t "$(new_link_token)" '{token: $t, password: "some password 123"}')"
	assert_problem 404 reset_token_not_found
	api POST /v1/auth/verify-email "$(jq -cn --arg t "$(new_link_token)" '{token: $t, full_name: "X", password: "some password 123"}')"
	assert_problem 404 verification_token_not_found
	api POST "/v1/invitations/$(new_link_token)/accept" "$password"
	assert_problem 404 invitation_not_found
	api POST "/v1/pay-links/$(new_link_token)/signup" "$password"
	assert_problem 404 pay_link_not_found
	# expired ones too
	create_customer
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/invitations" '{"first_name": "X", "email": "x@example.test"}'
	token=$(jq -r '.url | split("/") | last' <<<"$body")
	stack_sql "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE token_hash = '$(sha256_hex "$token")'"
	api POST "/v1/invitations/$token/accept" "$password"
	assert_problem 410 invitation_expired
	[[ $(metric 'curbside_password_hashes_total{purpose="other"}') == "$after" ]] ||
		fail "wrong tokens were hashed: $after before, $(metric 'curbside_password_hashes_total{purpose="other"}') after"
}

# ------------------------------------------------------------------------------ email caps

@test "verification emails naming one customer account are capped per hour: 429 with Retry-After" {
	create_customer
	open_invoice "$CUSTOMER_ID"
	capped=$CUSTOMER_NUMBER
	capped_invoice=$INVOICE_NUMBER
	for i in 1 2 3 4 5; do
		api POST "/v1/tenants/$TENANT_SLUG/signup" \
			"$(jq -cn --arg a "$capped" --arg i "$capped_invoice" --arg e "$(new_address "flood$i")" '{account_number: $a, invoice_number: $i, email: $e}')"
		assert_status 202
	done
	api POST "/v1/tenants/$TENANT_SLUG/signup" \
		"$(jq -cn --arg a "$capped" --arg i "$capped_invoice" --arg e "$(new_address flood6)" '{account_number: $a, invoice_number: $i, email: $e}')"
	assert_problem 429 too_many_verification_emails
	assert_header_matches Retry-After '^[1-9][0-9]*$'
	(($(header Retry-After) <= 3600)) || fail "Retry-After $(header Retry-After)"
	[[ $(stack_sql "SELECT count(*) FROM portal_tokens WHERE customer_id = '$CUSTOMER_ID' AND kind = 'email_verification'") == 5 ]]
	# the cap is the account's: another account of the hauler is not affected
	create_customer
	open_invoice "$CUSTOMER_ID"
	api POST "/v1/tenants/$TENANT_SLUG/signup" \
		"$(jq -cn --arg a "$CUSTOMER_NUMBER" --arg i "$INVOICE_NUMBER" --arg e "$(new_address other)" '{account_number: $a, invoice_number: $i, email: $e}')"
	assert_status 202
	# once the oldest is an hour old, the account may be emailed again
	stack_sql "UPDATE portal_tokens SET created_at = created_at - interval '1 hour'
		WHERE customer_id = (SELECT id FROM customers WHERE account_number = '$capped' AND tenant_id = '$TENANT_ID')" >/dev/null
	api POST "/v1/tenants/$TENANT_SLUG/signup" \
		"$(jq -cn --arg a "$capped" --arg i "$capped_invoice" --arg e "$(new_address flood7)" '{account_number: $a, invoice_number: $i, email: $e}')"
	assert_status 202
}
