#!/usr/bin/env bats
# Portal passwords (rule 10): forgot password without enumeration, the reset link (once, one hour,
# every session ended), the Google variant, the per-address email cap, and the reset emails staff
# trigger for a customer's users. Each emailed link is followed through the SMTP sink.

load helpers

setup_file() {
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

# new_portal_user EMAIL [CUSTOMER_ID]: a login for EMAIL linked to the customer, made by accepting
# an invitation (stored as staff would store it). Sets PORTAL_TOKEN and REFRESH_TOKEN.
new_portal_user() {
	local token
	token=$(new_link_token)
	stack_sql "INSERT INTO invitations (tenant_id, customer_id, email, nonce, token_hash,
		created_by, expires_at)
		VALUES ('$TENANT_ID', '${2:-$CUSTOMER_ID}', '$1', 'nonce', '$(sha256_hex "$token")', 'test',
		        now() + interval '14 days')" >/dev/null
	api POST "/v1/invitations/$token/accept" \
		"$(jq -cn --arg e "$1" --arg p "$TEST_PASSWORD" '{email: $e, full_name: "Pat Jordan", password: $p}')"
	fixture_expect 200 "new_portal_user $1" || return 1
	PORTAL_TOKEN=$(jq -r .access_token <<<"$body")
	REFRESH_TOKEN=$(jq -r .refresh_token <<<"$body")
}

forgot() {
	api POST "/v1/tenants/$TENANT_SLUG/auth/forgot-password" "$(jq -cn --arg e "$1" '{email: $e}')"
}

reset_doc() {
	jq -cn --arg t "$1" --arg p "$2" '{token: $t, password: $p}'
}

outbox_count() {
	stack_sql "SELECT count(*) FROM outbox WHERE tenant_id = '$TENANT_ID' AND to_address = '$1'"
}

NEW_PASSWORD='a brand new passphrase'

# forgot_work EMAIL: what the statement of POST …/forgot-password does for EMAIL, as PostgreSQL
# counts it inside one transaction that is rolled back: the functions it calls, and the rows it
# scans, inserts, updates and deletes per table.
forgot_work() {
	stack_sql "BEGIN;
		SET LOCAL track_functions = 'all';
		SELECT passwords_forgot('$TENANT_SLUG', '$1', 'token',
		                        encode(sha256(convert_to(random()::text, 'UTF8')), 'hex'));
		CREATE TEMP TABLE work ON COMMIT DROP AS
		SELECT 'function ' || funcname || ' ' || calls AS line FROM pg_stat_xact_user_functions
		UNION ALL
		SELECT 'table ' || relname || ' ' || concat_ws(' ', seq_scan, idx_scan, n_tup_ins,
		       n_tup_upd, n_tup_del)
		FROM pg_stat_xact_user_tables
		WHERE coalesce(seq_scan, 0) + coalesce(idx_scan, 0) + n_tup_ins + n_tup_upd + n_tup_del > 0;
		SELECT line FROM work ORDER BY line;
		ROLLBACK;" | grep -E '^(function|table) '
}

# forgot_settled: wait (bounded, scaled) until the mail worker has handled every forgot-password
# request.
forgot_settled() {
	local deadline=$((SECONDS + 10 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		[[ $(stack_sql "SELECT count(*) FROM password_reset_requests") == 0 ]] && return 0
		sleep 0.1
	done
	fail "forgot-password requests are still waiting after $((10 * CURBSIDE_TEST_WAIT_SCALE)) s"
}

@test "rule 10: forgot password answers the same 202 whether or not the email has a login" {
	new_portal_user pat.known@example.test
	forgot ' Pat.Known@Example.test '
	assert_status 202
	known=$body
	forgot nobody.here@example.test
	assert_status 202
	[[ $body == "$known" ]] || fail "bodies differ: '$known' vs '$body'"
	# only the real login gets an email
	mail=$(mail_wait pat.known@example.test)
	mail_text "$mail" | grep -q "Hauler $TENANT_SLUG"
	forgot_settled
	[[ $(outbox_count nobody.here@example.test) == 0 ]]
}

@test "forgot password does the same work for a known and an unknown email (the lookup happens later)" {
	new_portal_user pat.same@example.test
	known=$(forgot_work pat.same@example.test)
	unknown=$(forgot_work nobody.same@example.test)
	echo "known:"$'\n'"$known"$'\n'"unknown:"$'\n'"$unknown" >&2
	[[ -n $known ]] || fail "nothing was counted"
	[[ $known == "$unknown" ]] || fail "the request does different work for a known and an unknown email"
	# The known address still gets its email, from the worker.
	forgot pat.same@example.test
	assert_status 202
	mail_wait pat.same@example.test >/dev/null
}

@test "rule 10: the reset link sets a new password and works only once" {
	new_portal_user pat.reset@example.test
	forgot pat.reset@example.test
	assert_status 202
	mail=$(mail_wait pat.reset@example.test)
	mail_link "$mail" | grep -q "^https://$TENANT_SLUG.portal.example.test/reset-password/"
	token=$(mail_token "$mail")

	api POST /v1/auth/reset-password "$(reset_doc "$token" "$NEW_PASSWORD")"
	assert_status 204
	portal_login "$TENANT_SLUG" pat.reset@example.test "$NEW_PASSWORD"
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" "$(jq -cn --arg p "$TEST_PASSWORD" '{email: "pat.reset@example.test", password: $p}')"
	assert_problem 401 invalid_credentials

	api POST /v1/auth/reset-password "$(reset_doc "$token" 'yet another passphrase')"
	assert_problem 404 reset_token_not_found
	portal_login "$TENANT_SLUG" pat.reset@example.test "$NEW_PASSWORD"
}

@test "rule 10: a reset ends every session of the user: an old access token answers 401, its refresh token is dead" {
	new_portal_user pat.sessions@example.test
	old_access=$PORTAL_TOKEN
	old_refresh=$REFRESH_TOKEN
	with_bearer "$old_access" GET /v1/me
	assert_status 200

	forgot pat.sessions@example.test
	token=$(mail_token "$(mail_wait pat.sessions@example.test)")
	api POST /v1/auth/reset-password "$(reset_doc "$token" "$NEW_PASSWORD")"
	assert_status 204

	with_bearer "$old_access" GET /v1/me
	assert_status 401
	api POST /v1/auth/refresh "$(jq -cn --arg r "$old_refresh" '{refresh_token: $r}')"
	assert_status 401
	[[ $(stack_sql "SELECT count(*) FROM sessions s JOIN portal_users u ON u.id = s.portal_user_id
		WHERE u.email = 'pat.sessions@example.test' AND s.revoked_at IS NULL") == 0 ]]
}

@test "a reset link lasts one hour: an expired one answers 410 reset_token_expired and changes nothing" {
	new_portal_user pat.late@example.test
	forgot pat.late@example.test
	token=$(mail_token "$(mail_wait pat.late@example.test)")
	hash=$(sha256_hex "$token")
	[[ $(stack_sql "SELECT round(extract(epoch FROM expires_at - created_at) / 60) FROM portal_tokens WHERE token_hash = '$hash'") == 60 ]]
	stack_sql "UPDATE portal_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = '$hash'"
	api POST /v1/auth/reset-password "$(reset_doc "$token" "$NEW_PASSWORD")"
	assert_problem 410 reset_token_expired
	portal_login "$TENANT_SLUG" pat.late@example.test "$TEST_PASSWORD"
}

@test "an unknown or malformed reset token answers 404 reset_token_not_found" {
	api POST /v1/auth/reset-password "$(reset_doc "$(new_link_token)" "$NEW_PASSWORD")"
	assert_problem 404 reset_token_not_found
	api POST /v1/auth/reset-password "$(reset_doc 'not/a token' "$NEW_PASSWORD")"
	assert_problem 404 reset_token_not_found
}

@test "reset-password refuses bad members field by field" {
	api POST /v1/auth/reset-password '{"token": "abc", "password": "short"}'
	assert_problem 422 too_short
	assert_field_error password too_short
	api POST /v1/auth/reset-password '{"password": 1234567890, "extra": true}'
	assert_problem 422 validation_failed
	assert_field_errors_exactly extra password token
}

@test "rule 10: a Google user asking for a reset gets the Google email, without a link" {
	new_portal_user pat.google@example.test
	stack_sql "UPDATE portal_users SET login_method = 'google' WHERE email = 'pat.google@example.test'"
	forgot pat.google@example.test
	assert_status 202
	mail=$(mail_wait pat.google@example.test)
	mail_text "$mail" | grep -q Google
	run mail_link "$mail"
	[[ $status -ne 0 ]]
	[[ $(stack_sql "SELECT count(*) FROM portal_tokens WHERE email = 'pat.google@example.test'") == 0 ]]
}

@test "rule 10: at most five reset emails per address and hour; further requests answer the same" {
	new_portal_user pat.flood@example.test
	for _ in 1 2 3 4 5 6; do
		forgot pat.flood@example.test
		assert_status 202
	done
	forgot_settled
	[[ $(outbox_count pat.flood@example.test) == 5 ]]
}

@test "forgot password: bad email 422 invalid_email, unknown hauler 404, portal off 403 portal_disabled" {
	forgot 'pat @example.test'
	assert_problem 422 invalid_email
	assert_field_error email invalid_email
	api POST "/v1/tenants/$TENANT_SLUG/auth/forgot-password" '{"email": "a@example.test", "user": "x"}'
	assert_field_error user unknown_field
	api POST "/v1/tenants/no-such-hauler-$RANDOM/auth/forgot-password" '{"email": "a@example.test"}'
	assert_problem 404 tenant_not_found

	new_portal_user pat.closed@example.test
	forgot pat.closed@example.test
	token=$(mail_token "$(mail_wait pat.closed@example.test)")
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	assert_status 200
	forgot pat.closed@example.test
	assert_problem 403 portal_disabled
	api POST /v1/auth/reset-password "$(reset_doc "$token" "$NEW_PASSWORD")"
	assert_problem 403 portal_disabled
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/password-reset"
	assert_problem 403 portal_disabled
}

@test "cross-tenant: a login of another hauler gets no reset email here" {
	new_portal_user pat.elsewhere@example.test
	new_staff_token admin other
	enable_portal "$TENANT_SLUG"
	forgot pat.elsewhere@example.test
	assert_status 202
	forgot_settled
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE to_address = 'pat.elsewhere@example.test' AND template LIKE 'password_reset%'") == 0 ]]
}

@test "rule 10: staff trigger a reset email to every portal user of a customer" {
	new_portal_user pat.one@example.test
	new_portal_user pat.two@example.test
	new_portal_user pat.g@example.test
	stack_sql "UPDATE portal_users SET login_method = 'google' WHERE email = 'pat.g@example.test'"
	# a user of another customer only is not emailed
	other=$CUSTOMER_ID
	create_customer
	new_portal_user pat.other@example.test "$CUSTOMER_ID"

	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$other/password-reset"
	assert_status 202
	assert_header Cache-Control no-store
	assert_json .emails_queued 3

	token=$(mail_token "$(mail_wait pat.one@example.test)")
	mail_wait pat.two@example.test >/dev/null
	mail_text "$(mail_wait pat.g@example.test)" | grep -q Google
	[[ $(outbox_count pat.other@example.test) == 0 ]]
	api POST /v1/auth/reset-password "$(reset_doc "$token" "$NEW_PASSWORD")"
	assert_status 204
	portal_login "$TENANT_SLUG" pat.one@example.test "$NEW_PASSWORD"
}

@test "staff reset: an API key may trigger it too" {
	new_portal_user pat.key@example.test
	new_api_key
	with_bearer "$API_KEY" POST "/v1/admin/customers/$CUSTOMER_ID/password-reset"
	assert_status 202
	assert_json .emails_queued 1
}

@test "staff reset of a customer nobody has a login for answers 409 no_portal_users" {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/password-reset"
	assert_problem 409 no_portal_users
}

@test "staff reset: another tenant's, an unknown or a malformed customer id answers 404; no token 401, a portal token 403" {
	new_portal_user pat.theirs@example.test
	theirs=$CUSTOMER_ID
	new_staff_token admin other
	enable_portal "$TENANT_SLUG"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$theirs/password-reset"
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$(cat /proc/sys/kernel/random/uuid)/password-reset"
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/not-a-uuid/password-reset
	assert_problem 404 not_found
	# direct: the proxy answers a request without credentials itself
	api_direct POST "/v1/admin/customers/$theirs/password-reset"
	assert_problem 401 unauthorized
	# a portal user's token is not a back-office credential
	with_bearer "$PORTAL_TOKEN" POST "/v1/admin/customers/$theirs/password-reset"
	assert_problem 403 forbidden
	[[ $(outbox_count pat.theirs@example.test) == 0 ]]
}
