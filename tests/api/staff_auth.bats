#!/usr/bin/env bats
# Staff login, login throttling, the access token and its checks, and the admin settings it unlocks.

load helpers

SETTINGS_KEYS='["brand_color","contact","currency","logo_url","name","portal_enabled","remit_to_address","self_signup_enabled","show_pending_invoices","time_zone"]'

setup_file() {
	STACK_ENV=(CURBSIDE_LOGIN_MAX_FAILURES=3)
	start_stack
	# Two tenants with one admin each, read (never changed) by the token tests below.
	export A_SLUG B_SLUG A_ID B_ID A_EMAIL B_EMAIL A_TOKEN B_TOKEN A_CLAIMS A_HEADER
	A_SLUG=$(unique_slug tenant-a)
	B_SLUG=$(unique_slug tenant-b)
	create_tenant "$A_SLUG" '{"name": "Alpha Hauling"}'
	A_ID=$TENANT_ID
	create_tenant "$B_SLUG" '{"name": "Bravo Hauling"}'
	B_ID=$TENANT_ID
	A_EMAIL=admin@alpha.example.test
	B_EMAIL=admin@bravo.example.test
	create_staff "$A_SLUG" "$A_EMAIL" "$TEST_PASSWORD"
	create_staff "$B_SLUG" "$B_EMAIL" "$TEST_PASSWORD"
	A_TOKEN=$(staff_login "$A_SLUG" "$A_EMAIL" "$TEST_PASSWORD")
	B_TOKEN=$(staff_login "$B_SLUG" "$B_EMAIL" "$TEST_PASSWORD")
	A_CLAIMS=$(jwt_claims "$A_TOKEN")
	A_HEADER=$(jwt_header "$A_TOKEN")
}

teardown_file() {
	stop_stack
}

# refused TOKEN: GET /v1/admin/settings with TOKEN answers 401 invalid_token with WWW-Authenticate.
refused() {
	staff_api "$1" GET /v1/admin/settings
	assert_problem 401 invalid_token
	assert_header_matches WWW-Authenticate '^Bearer'
}

# a_claims [JQ_ARGS...] JQ_FILTER: tenant A's login claims passed through jq.
a_claims() {
	jq -c "$@" <<<"$A_CLAIMS"
}

# ---------------------------------------------------------------------------------------------
# Login

@test "staff login answers 200 with a StaffSession" {
	api POST "/v1/tenants/$A_SLUG/staff/login" "$(login_body "$A_EMAIL" "$TEST_PASSWORD")"
	assert_status 200
	assert_content_type application/json
	assert_jq 'keys == ["access_token","expires_in","staff","tenant","token_type"]'
	assert_json .token_type Bearer
	assert_jq '.expires_in == 900'
	assert_jq '(.staff | keys) == ["email","full_name","id","role"]'
	assert_json .staff.email "$A_EMAIL"
	assert_json .staff.role admin
	assert_jq '(.tenant | keys) == ["id","name","slug"]'
	assert_json .tenant.id "$A_ID"
	assert_json .tenant.slug "$A_SLUG"
	assert_json .tenant.name 'Alpha Hauling'
}

@test "the access token is an HS256 JWT with kid and the contract's claims" {
	local now after header claims
	now=$(date +%s)
	api POST "/v1/tenants/$A_SLUG/staff/login" "$(login_body "$A_EMAIL" "$TEST_PASSWORD")"
	after=$(date +%s)
	assert_status 200
	header=$(jwt_header "$(jq -r .access_token <<<"$body")")
	claims=$(jwt_claims "$(jq -r .access_token <<<"$body")")
	jq -e '.alg == "HS256" and (.kid | type == "string" and length > 0)' <<<"$header" >/dev/null ||
		fail "token header: $header"
	jq -e --arg sub "$(jq -r .staff.id <<<"$body")" --arg tid "$A_ID" --argjson now "$now" --argjson after "$after" '
		.iss == "curbside" and .aud == "staff" and .typ == "access"
		and .sub == $sub and .tid == $tid and .role == "admin"
		and (.sid | type == "string" and length > 0)
		and (.iat | type == "number") and .iat >= $now - 1 and .iat <= $after + 1
		and .exp == .iat + 900' <<<"$claims" >/dev/null ||
		fail "token claims do not match the contract: $claims"
}

@test "wrong password and unknown email answer the same 401 invalid_credentials" {
	local slug wrong unknown
	slug=$(unique_slug same)
	create_tenant "$slug"
	create_staff "$slug" erin@same.example.test "$TEST_PASSWORD"
	api POST "/v1/tenants/$slug/staff/login" "$(login_body erin@same.example.test 'wrong password 123')"
	assert_problem 401 invalid_credentials
	wrong=$(jq -c '{status, code, type, title, detail, errors}' <<<"$body")
	api POST "/v1/tenants/$slug/staff/login" "$(login_body nobody@same.example.test 'wrong password 123')"
	assert_problem 401 invalid_credentials
	unknown=$(jq -c '{status, code, type, title, detail, errors}' <<<"$body")
	[[ $wrong == "$unknown" ]] || fail "wrong password: $wrong / unknown email: $unknown"
}

@test "login email matching is case-insensitive" {
	api POST "/v1/tenants/$A_SLUG/staff/login" "$(login_body ADMIN@Alpha.Example.Test "$TEST_PASSWORD")"
	assert_status 200
	assert_json .tenant.slug "$A_SLUG"
}

@test "staff of one tenant cannot log in at another tenant" {
	api POST "/v1/tenants/$B_SLUG/staff/login" "$(login_body "$A_EMAIL" "$TEST_PASSWORD")"
	assert_problem 401 invalid_credentials
}

@test "login at an unknown tenant answers 404 tenant_not_found" {
	api POST /v1/tenants/no-such-tenant-login/staff/login "$(login_body "$A_EMAIL" "$TEST_PASSWORD")"
	assert_problem 404 tenant_not_found
}

@test "login with missing or mistyped fields answers 422 naming them" {
	api POST "/v1/tenants/$A_SLUG/staff/login" '{}'
	assert_problem 422 required
	assert_field_error email required
	assert_field_error password required
	api POST "/v1/tenants/$A_SLUG/staff/login" '{"email": 1, "password": true, "remember": 1}'
	assert_status 422
	assert_field_error email wrong_type
	assert_field_error password wrong_type
	assert_field_error remember unknown_field
}

@test "after CURBSIDE_LOGIN_MAX_FAILURES failures login answers 429 too_many_attempts with Retry-After, even with the right password" {
	local slug i
	slug=$(unique_slug throttle)
	create_tenant "$slug"
	create_staff "$slug" tom@throttle.example.test "$TEST_PASSWORD"
	create_staff "$slug" other@throttle.example.test "$TEST_PASSWORD"
	for i in 1 2 3; do
		api POST "/v1/tenants/$slug/staff/login" "$(login_body tom@throttle.example.test "wrong password $i")"
		assert_problem 401 invalid_credentials
	done
	api POST "/v1/tenants/$slug/staff/login" "$(login_body tom@throttle.example.test 'wrong password 4')"
	assert_problem 429 too_many_attempts
	assert_header_matches Retry-After '^[1-9][0-9]*$'
	(($(header Retry-After) <= 900)) || fail "Retry-After beyond the window: $(header Retry-After)"
	api POST "/v1/tenants/$slug/staff/login" "$(login_body tom@throttle.example.test "$TEST_PASSWORD")"
	assert_problem 429 too_many_attempts
	assert_header_matches Retry-After '^[1-9][0-9]*$'
	# the throttle is per (tenant, email): a colleague still logs in
	api POST "/v1/tenants/$slug/staff/login" "$(login_body other@throttle.example.test "$TEST_PASSWORD")"
	assert_status 200
}

# ---------------------------------------------------------------------------------------------
# Settings

@test "an admin reads the settings: 200 Settings with Cache-Control: no-store" {
	staff_api "$A_TOKEN" GET /v1/admin/settings
	assert_status 200
	assert_content_type application/json
	assert_header_matches Cache-Control 'no-store'
	assert_jq "keys == $SETTINGS_KEYS"
	assert_json .name 'Alpha Hauling'
	assert_json .currency USD
	assert_json .portal_enabled false
}

@test "an admin updates the settings with PATCH and the branding follows" {
	new_staff_token admin settings
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings \
		'{"name":"Patched Hauling","brand_color":"#00AA11","time_zone":"Europe/London","contact":{"phone":"555-0199"},"show_pending_invoices":true,"self_signup_enabled":false,"logo_url":"https://x.example.test/l.png"}'
	assert_status 200
	assert_header_matches Cache-Control 'no-store'
	assert_jq "keys == $SETTINGS_KEYS"
	assert_json .name 'Patched Hauling'
	assert_json .brand_color '#00AA11'
	assert_json .time_zone Europe/London
	assert_json .contact.phone 555-0199
	assert_jq '.show_pending_invoices == true and .self_signup_enabled == false'
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_json .name 'Patched Hauling'
	api GET "/v1/tenants/$TENANT_SLUG"
	assert_json .name 'Patched Hauling'
	assert_json .brand_color '#00AA11'
}

@test "issue 22: the remit-to address is set, kept when other settings change, and cleared with null" {
	new_staff_token admin remit
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_jq '.remit_to_address == null'
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"remit_to_address": "  PO Box 4410, Chicago, IL 60680 "}'
	assert_status 200
	assert_json .remit_to_address 'PO Box 4410, Chicago, IL 60680'
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"name": "Remit Hauling"}'
	assert_json .remit_to_address 'PO Box 4410, Chicago, IL 60680'
	# the operator does not set it
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"remit_to_address": "Elsewhere"}'
	assert_field_error remit_to_address unknown_field
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"remit_to_address": null}'
	assert_status 200
	assert_jq '.remit_to_address == null'
}

@test "issue 22: a remit-to address that is empty, too long, not text or has control characters answers 422" {
	new_staff_token admin remitbad
	for bad in '""' "\"$(printf 'x%.0s' {1..301})\"" 12 '"PO Box 1\u0007"'; do
		staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings "{\"remit_to_address\": $bad}"
		assert_status 422
		assert_field_error remit_to_address 'too_short|too_long|wrong_type|invalid_format'
		assert_field_errors_exactly remit_to_address
	done
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_jq '.remit_to_address == null'
}

@test "a billing staff user reads the settings but PATCH answers 403 forbidden" {
	new_staff_token billing billing
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_status 200
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"name":"Billing Was Here"}'
	assert_problem 403 forbidden
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	[[ $(jq -r .name <<<"$body") != 'Billing Was Here' ]] || fail "the refused PATCH was applied"
}

@test "portal_enabled in a settings PATCH answers 403 portal_enabled_operator_only" {
	new_staff_token admin portalonly
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"portal_enabled": true}'
	assert_problem 403 portal_enabled_operator_only
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_json .portal_enabled false
}

@test "currency in a settings PATCH answers 422 read_only" {
	new_staff_token admin currency
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"currency": "EUR"}'
	assert_problem 422 read_only
	assert_field_error currency read_only
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_json .currency USD
}

@test "invalid settings fields answer 422 naming every one" {
	new_staff_token admin setbad
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings \
		'{"brand_color":"green","time_zone":"Nowhere/Town","contact":{"email":"x"},"bogus":true}'
	assert_problem 422 validation_failed
	assert_field_error brand_color invalid_format
	assert_field_error time_zone 'invalid_value|invalid_format'
	assert_field_error contact.email invalid_email
	assert_field_error bogus unknown_field
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{}'
	assert_status 422
}

@test "settings without a token answer 401 unauthorized with WWW-Authenticate" {
	# direct: the proxy itself answers a request without the bearer the spec declares.
	api_direct GET /v1/admin/settings
	assert_problem 401 unauthorized
	assert_header_matches WWW-Authenticate '^Bearer'
}

@test "a staff token of tenant A reads A's settings, never B's" {
	staff_api "$A_TOKEN" GET /v1/admin/settings
	assert_status 200
	assert_json .name 'Alpha Hauling'
	staff_api "$B_TOKEN" GET /v1/admin/settings
	assert_status 200
	assert_json .name 'Bravo Hauling'
	staff_api "$A_TOKEN" GET "/v1/admin/settings?tenant=$B_SLUG" -H "X-Tenant: $B_SLUG"
	assert_json .name 'Alpha Hauling'
}

# ---------------------------------------------------------------------------------------------
# Tokens

@test "a token minted with the test secret and tenant A's login claims is accepted (harness check)" {
	staff_api "$(mint_jwt "$A_HEADER" "$A_CLAIMS")" GET /v1/admin/settings
	assert_status 200
	assert_json .name 'Alpha Hauling'
}

@test "refused: a token with a tampered signature → 401 invalid_token" {
	local sig=${A_TOKEN##*.} first
	first=${sig:0:1}
	[[ $first == A ]] && first=B || first=A
	refused "${A_TOKEN%.*}.${first}${sig:1}"
}

@test "refused: a token whose claims were changed after signing → 401 invalid_token" {
	local h=${A_TOKEN%%.*} s=${A_TOKEN##*.} p
	p=$(a_claims '.role = "owner"' | tr -d '\n' | b64url)
	refused "$h.$p.$s"
}

# A verified token is remembered by its whole text (core/verified_tokens): its tampered twins are
# other texts, refused right after the genuine token was accepted, and the genuine one stops
# working at its own expiry although it was remembered.
@test "refused: tampered twins of a token just accepted, and that token once it expires" {
	staff_api "$A_TOKEN" GET /v1/admin/settings
	assert_status 200
	local h=${A_TOKEN%%.*} s=${A_TOKEN##*.} p first
	first=${s:0:1}
	[[ $first == A ]] && first=B || first=A
	refused "${A_TOKEN%.*}.${first}${s:1}"
	p=$(a_claims '.role = "owner"' | tr -d '\n' | b64url)
	refused "$h.$p.$s"
	refused "${A_TOKEN}A"
	staff_api "$A_TOKEN" GET /v1/admin/settings
	assert_status 200

	local now short
	now=$(date +%s)
	short=$(mint_jwt "$A_HEADER" "$(a_claims ".iat = $now | .exp = $((now + 5))")")
	staff_api "$short" GET /v1/admin/settings
	assert_status 200
	# Wait for the expiry itself (a bound from below, not a guess at the machine's speed).
	while (($(date +%s) <= now + 5)); do sleep 0.5; done
	refused "$short"
}

@test "refused: an expired token → 401 invalid_token" {
	local now
	now=$(date +%s)
	refused "$(mint_jwt "$A_HEADER" "$(a_claims ".iat = $((now - 1000)) | .exp = $((now - 100))")")"
}

@test "refused: alg none → 401 invalid_token" {
	refused "$(mint_jwt "$(jq -c '.alg = "none"' <<<"$A_HEADER")" "$A_CLAIMS")"
	refused "$(mint_jwt "$(jq -c '.alg = "none"' <<<"$A_HEADER")" "$A_CLAIMS" | sed 's/\.$//')"
}

@test "refused: HS512 signed with the right secret → 401 invalid_token" {
	refused "$(mint_jwt "$(jq -c '.alg = "HS512"' <<<"$A_HEADER")" "$A_CLAIMS")"
}

@test "refused: a wrong aud → 401 invalid_token" {
	refused "$(mint_jwt "$A_HEADER" "$(a_claims '.aud = "portal"')")"
}

@test "refused: a wrong iss → 401 invalid_token" {
	refused "$(mint_jwt "$A_HEADER" "$(a_claims '.iss = "someone-else"')")"
}

@test "refused: a wrong typ → 401 invalid_token" {
	refused "$(mint_jwt "$A_HEADER" "$(a_claims '.typ = "refresh"')")"
}

@test "refused: a token without sid → 401 invalid_token" {
	refused "$(mint_jwt "$A_HEADER" "$(a_claims 'del(.sid)')")"
}

@test "refused: a token signed with another secret → 401 invalid_token" {
	refused "$(mint_jwt "$A_HEADER" "$A_CLAIMS" 'another-secret-that-is-long-enough-0123456789')"
}

@test "refused: a token whose tid is another tenant (sub and sid of A, tid of B) → 401 invalid_token" {
	refused "$(mint_jwt "$A_HEADER" "$(a_claims --arg b "$B_ID" '.tid = $b')")"
}

@test "refused: garbage → 401 invalid_token" {
	refused garbage
	refused 'a.b.c'
	refused '..'
}

@test "refused: an overlong token (10 KB) → 401 invalid_token" {
	local token
	token=$(mint_jwt "$A_HEADER" "$(a_claims --arg x "$(printf 'x%.0s' {1..10240})" '.pad = $x')")
	((${#token} > 10240)) || fail "the forged token is only ${#token} bytes"
	refused "$token"
}
