#!/usr/bin/env bats
# Sign in with Google (OpenID Connect with PKCE) against a local fake provider: activation through
# an invitation or a pay link (rule 5b), returning users, the Google lock and its release (rule 6),
# and every way a sign-in can fail.

load helpers

setup_file() {
	start_google_stack
}

teardown_file() {
	stop_stack
}

setup() {
	oidc_switch '{}'
}

# make_pay_link INVOICE_ID EMAIL: a Review & Pay link as the invoice email stores it. Sets PAY_TOKEN.
make_pay_link() {
	PAY_TOKEN=$(new_link_token)
	stack_sql "INSERT INTO portal_tokens (tenant_id, kind, token_hash, email, customer_id,
		invoice_id, expires_at)
		SELECT tenant_id, 'pay_link', '$(sha256_hex "$PAY_TOKEN")', '$2', customer_id, id,
		       now() + interval '90 days'
		FROM invoices WHERE id = '$1'" >/dev/null
}

# new_sub: a provider subject no other test uses.
new_sub() {
	printf 'sub-%s-%s\n' "${BATS_TEST_NUMBER:-0}" "$((RANDOM * 32768 + RANDOM))"
}

# who EMAIL [SUB]: the provider query of an identity.
who() {
	printf 'sub=%s&email=%s\n' "${2:-$(new_sub)}" "$1"
}

# invited_google_user: a fresh customer whose invited person activated with Google. Sets
# CUSTOMER_ID, USER_EMAIL, USER_SUB and USER_ID.
invited_google_user() {
	create_customer || return 1
	USER_EMAIL=$(new_address pat)
	USER_SUB=$(new_sub)
	invite "$USER_EMAIL" || return 1
	google_sign_in "$(who "$USER_EMAIL" "$USER_SUB")" \
		"$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')" || return 1
	fixture_expect 200 "Google activation of $USER_EMAIL" || return 1
	USER_ID=$(jq -r .user.id <<<"$body")
}

@test "branding lists google among the login methods when a client id is configured" {
	api GET "/v1/tenants/$TENANT_SLUG"
	assert_status 200
	assert_jq '.login_methods == ["password", "google"]'
}

@test "POST auth/google answers the provider's authorization URL with state, nonce and an S256 challenge" {
	google_start
	assert_header Cache-Control no-store
	[[ $AUTH_URL == "$OIDC_URL/authorize?response_type=code&"* ]] || fail "URL: $AUTH_URL"
	[[ $AUTH_URL == *"client_id=$OIDC_CLIENT_ID"* ]] || fail "no client id: $AUTH_URL"
	[[ $AUTH_URL == *"&state=$STATE&"* && $AUTH_URL == *"&nonce="* ]] || fail "$AUTH_URL"
	[[ $AUTH_URL == *"&code_challenge_method=S256"* && $AUTH_URL == *"&scope=openid%20email%20profile"* ]] ||
		fail "$AUTH_URL"
	[[ ${#STATE} == 43 ]] || fail "state: $STATE"
	# Only the state's hash is stored.
	[[ $(stack_sql "SELECT count(*) FROM oidc_logins WHERE state_hash = '$(sha256_hex "$STATE")'") == 1 ]]
	[[ $(stack_sql "SELECT count(*) FROM oidc_logins WHERE state_hash = '$STATE'") == 0 ]]
}

@test "rule 5b: an invited person activates with Google, lands signed in to that account" {
	create_customer
	local email
	email=$(new_address pat)
	invite "$email"
	# The activation page offers Google too.
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_status 200
	assert_jq '.tenant.login_methods == ["password", "google"]'
	google_start "$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')"
	# The invited address is suggested to the provider.
	[[ $AUTH_URL == *"&login_hint=${email/@/%40}"* ]] || fail "no login hint: $AUTH_URL"
	provider_login "$AUTH_URL" "$(who "$email")&name=Pat%20Google"
	[[ $PROVIDER_REDIRECT == "$(redirect_uri)?code="* ]] || fail "redirect: $PROVIDER_REDIRECT"
	google_callback
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq --arg e "$email" '.user.email == $e and .user.login_method == "google"'
	assert_jq '.user.full_name == "Pat Google" and .token_type == "Bearer"'
	assert_jq --arg id "$CUSTOMER_ID" '.account_id == $id and .account_selection_required == false'
	with_bearer "$(jq -r .access_token <<<"$body")" GET /v1/me
	assert_status 200
	# The invitation is spent.
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_problem 404 invitation_not_found
	[[ $(stack_sql "SELECT source FROM portal_user_accounts WHERE customer_id = '$CUSTOMER_ID'") == invitation ]]
}

@test "an invitation accepted with a Google account of another address answers 409 email_mismatch" {
	create_customer
	invite "$(new_address invited)"
	google_sign_in "$(who "$(new_address other)")" "$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')"
	assert_problem 409 email_mismatch
	assert_jq '.detail | test("i\\*\\*\\*@example.com")'
	# Nothing was created and the invitation still works.
	[[ $(stack_sql "SELECT count(*) FROM portal_user_accounts WHERE customer_id = '$CUSTOMER_ID'") == 0 ]]
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_status 200
}

@test "rule 7: a person signs up with Google from an invoice's Review & Pay link" {
	create_customer
	open_invoice "$CUSTOMER_ID"
	make_pay_link "$INVOICE_ID" billing@example.test
	local email
	email=$(new_address payer)
	google_sign_in "$(who "$email")" "$(jq -cn --arg t "$PAY_TOKEN" '{pay_link_token: $t}')"
	assert_status 200
	assert_jq --arg e "$email" --arg id "$CUSTOMER_ID" \
		'.user.email == $e and .user.login_method == "google" and .account_id == $id'
	[[ $(stack_sql "SELECT source FROM portal_user_accounts WHERE customer_id = '$CUSTOMER_ID'") == pay_link ]]
}

@test "a returning Google user is matched by subject, even after changing address at the provider" {
	invited_google_user
	google_sign_in "$(who "$USER_EMAIL" "$USER_SUB")"
	assert_status 200
	assert_jq --arg id "$USER_ID" --arg c "$CUSTOMER_ID" '.user.id == $id and .account_id == $c'
	google_sign_in "$(who "$(new_address renamed)" "$USER_SUB")"
	assert_status 200
	assert_jq --arg id "$USER_ID" --arg e "$USER_EMAIL" '.user.id == $id and .user.email == $e'
}

@test "a Google user whose provider address changed still accepts an invitation to their login's address" {
	invited_google_user
	create_customer
	invite "$USER_EMAIL"
	google_sign_in "$(who "$(new_address renamed)" "$USER_SUB")" \
		"$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')"
	assert_status 200
	assert_jq --arg id "$USER_ID" --arg c "$CUSTOMER_ID" \
		'.user.id == $id and .account_id == $c and (.accounts | length) == 2'
}

@test "an uninvited Google sign-in with no matching user answers 404 no_portal_account and creates nothing" {
	local email
	email=$(new_address stranger)
	google_sign_in "$(who "$email")"
	assert_problem 404 no_portal_account
	assert_jq '.detail | test("invitation") and test("Review & Pay")'
	[[ $(stack_sql "SELECT count(*) FROM portal_users WHERE email = '$email'") == 0 ]]
}

@test "an uninvited Google sign-in with an unverified address does not sign in the password login of that address" {
	create_customer
	local email
	email=$(new_address pat)
	portal_user "$email" "$CUSTOMER_ID"
	oidc_switch '{"unverified_email": true}'
	google_sign_in "$(who "$email")"
	assert_problem 403 email_not_verified
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD"
	assert_jq '.user.login_method == "password"'
}

@test "rule 6: a password user may choose Google with the same verified address (no invitation needed)" {
	create_customer
	local email
	email=$(new_address pat)
	portal_user "$email" "$CUSTOMER_ID"
	google_sign_in "$(who "$email")"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id and .user.login_method == "google"'
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$email" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 409 google_login_required
}

@test "rule 6: after a Google login password login answers 409; a new invitation accepted with a password switches back" {
	invited_google_user
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 409 google_login_required
	# Staff invite again; the person accepts with a password, and sets it through the link emailed
	# to the address (rule 6a: the invitation alone does not): password login works again.
	invite "$USER_EMAIL"
	api POST "/v1/invitations/$INVITE_TOKEN/accept" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, full_name: "Pat Jordan", password: $p}')"
	assert_status 202
	api POST /v1/auth/verify-email \
		"$(jq -cn --arg t "$(mail_token "$(mail_wait "$USER_EMAIL" "Confirm it")")" --arg p "$TEST_PASSWORD" '{token: $t, password: $p}')"
	assert_status 200
	assert_jq '.user.login_method == "password"'
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	assert_jq --arg id "$USER_ID" '.user.id == $id and .user.login_method == "password"'
	# Signing in with Google again locks it again.
	google_sign_in "$(who "$USER_EMAIL" "$USER_SUB")"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id and .user.login_method == "google"'
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 409 google_login_required
}

@test "a password user invited to another account activates it with Google: one login, both accounts" {
	create_customer
	local first=$CUSTOMER_ID email
	email=$(new_address pat)
	portal_user "$email" "$first"
	create_customer
	invite "$email"
	google_sign_in "$(who "$email")" "$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')"
	assert_status 200
	assert_jq --arg id "$CUSTOMER_ID" '.account_id == $id and (.accounts | length) == 2'
	assert_jq '.user.login_method == "google"'
}

@test "a state is single use: the second callback answers 422 invalid_state" {
	invited_google_user
	google_start
	provider_login "$AUTH_URL" "$(who "$USER_EMAIL" "$USER_SUB")"
	google_callback
	assert_status 200
	google_callback
	assert_problem 422 invalid_state
	assert_field_error state invalid_state
	google_callback "$PROVIDER_CODE" "$(new_link_token)"
	assert_problem 422 invalid_state
	google_callback "$PROVIDER_CODE" 'not a state!'
	assert_problem 422 invalid_state
}

@test "a failed callback spends its state too" {
	invited_google_user
	google_start
	provider_login "$AUTH_URL" "$(who "$USER_EMAIL" "$USER_SUB")"
	oidc_switch '{"wrong_nonce": true}'
	google_callback
	assert_problem 401 invalid_id_token
	oidc_switch '{}'
	google_callback
	assert_problem 422 invalid_state
}

@test "a state older than its lifetime answers 410 state_expired" {
	invited_google_user
	google_start
	provider_login "$AUTH_URL" "$(who "$USER_EMAIL" "$USER_SUB")"
	stack_sql "UPDATE oidc_logins SET expires_at = now() - interval '1 second'
		WHERE state_hash = '$(sha256_hex "$PROVIDER_STATE")'" >/dev/null
	google_callback
	assert_problem 410 state_expired
}

@test "tenant isolation: a state of one hauler is unknown at another; invitations too" {
	invited_google_user
	local home=$TENANT_SLUG home_token=$STAFF_TOKEN
	google_start
	provider_login "$AUTH_URL" "$(who "$USER_EMAIL" "$USER_SUB")"
	portal_tenant
	local other=$TENANT_SLUG
	google_callback "$PROVIDER_CODE" "$PROVIDER_STATE" "$other"
	assert_problem 422 invalid_state
	# The attempt elsewhere did not spend it.
	google_callback "$PROVIDER_CODE" "$PROVIDER_STATE" "$home"
	assert_status 200
	# An invitation of one hauler cannot start a sign-in at another.
	TENANT_SLUG=$home STAFF_TOKEN=$home_token
	create_customer
	invite "$(new_address pat)"
	api POST "/v1/tenants/$other/auth/google" \
		"$(jq -cn --arg r "$(redirect_uri "$other")" --arg t "$INVITE_TOKEN" '{redirect_uri: $r, invitation_token: $t}')"
	assert_problem 404 invitation_not_found
}

@test "ID tokens with a wrong nonce, a wrong audience or past their expiry answer 401 invalid_id_token" {
	invited_google_user
	local sw
	for sw in wrong_nonce wrong_audience expired; do
		oidc_switch "{\"$sw\": true}"
		google_sign_in "$(who "$USER_EMAIL" "$USER_SUB")"
		assert_problem 401 invalid_id_token
	done
}

@test "an unverified email at the provider answers 403 email_not_verified" {
	create_customer
	local email
	email=$(new_address pat)
	invite "$email"
	oidc_switch '{"unverified_email": true}'
	google_sign_in "$(who "$email")" "$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')"
	assert_problem 403 email_not_verified
	[[ $(stack_sql "SELECT count(*) FROM portal_users WHERE email = '$email'") == 0 ]]
}

@test "a code the provider refuses answers 401 provider_error" {
	invited_google_user
	oidc_switch '{"error": "invalid_grant"}'
	google_sign_in "$(who "$USER_EMAIL" "$USER_SUB")"
	assert_problem 401 provider_error
	assert_jq '.detail | test("invalid_grant")'
	# A code the provider never issued.
	oidc_switch '{}'
	google_start
	google_callback made-up-code "$STATE"
	assert_problem 401 provider_error
}

@test "a provider that fails or does not answer in time answers 502 provider_unreachable" {
	invited_google_user
	oidc_switch '{"status": 500}'
	google_sign_in "$(who "$USER_EMAIL" "$USER_SUB")"
	assert_problem 502 provider_unreachable
	# The provider refusing our own client credentials is configuration, not the person's fault.
	oidc_switch '{"error": "invalid_client"}'
	google_sign_in "$(who "$USER_EMAIL" "$USER_SUB")"
	assert_problem 502 provider_unreachable
	# A provider that holds its token answer until released (a good answer, once it comes):
	# only the server's timeout can turn this sign-in into a 502. How long other requests wait
	# meanwhile is a speed bar for scripts/bench, not a test.
	oidc_switch '{"hold": true}'
	google_sign_in "$(who "$USER_EMAIL" "$USER_SUB")"
	oidc_switch '{}'
	assert_problem 502 provider_unreachable
}

@test "POST auth/google refuses redirect URIs outside the portal, bad fields and dead links" {
	local r
	for r in https://evil.example/cb "https://$TENANT_SLUG.portal.example.test.evil.example/cb" \
		"https://$TENANT_SLUG.portal.example.test@evil.example/" "$(redirect_uri)#frag" \
		"$(redirect_uri other-hauler)"; do
		api POST "/v1/tenants/$TENANT_SLUG/auth/google" "$(jq -cn --arg r "$r" '{redirect_uri: $r}')"
		assert_problem 422 redirect_uri_not_allowed
		assert_field_error redirect_uri redirect_uri_not_allowed
	done
	api POST "/v1/tenants/$TENANT_SLUG/auth/google" '{"redirect_uri": 5, "extra": true}'
	assert_status 422
	assert_field_error redirect_uri '.*'
	assert_field_error extra unknown_field
	api POST "/v1/tenants/$TENANT_SLUG/auth/google" \
		"$(jq -cn --arg r "$(redirect_uri)" '{redirect_uri: $r, invitation_token: "a", pay_link_token: "b"}')"
	assert_problem 422 one_link_only
	api POST "/v1/tenants/$TENANT_SLUG/auth/google" \
		"$(jq -cn --arg r "$(redirect_uri)" --arg t "$(new_link_token)" '{redirect_uri: $r, invitation_token: $t}')"
	assert_problem 404 invitation_not_found
	api POST "/v1/tenants/$TENANT_SLUG/auth/google" \
		"$(jq -cn --arg r "$(redirect_uri)" --arg t "$(new_link_token)" '{redirect_uri: $r, pay_link_token: $t}')"
	assert_problem 404 pay_link_not_found
	api POST "/v1/tenants/no-such-hauler/auth/google" \
		"$(jq -cn --arg r "$(redirect_uri no-such-hauler)" '{redirect_uri: $r}')"
	assert_problem 404 tenant_not_found
	api POST "/v1/tenants/$TENANT_SLUG/auth/google/callback" '{"code": ""}'
	assert_status 422
	assert_field_error state required
}

@test "an expired invitation answers 410 at the start" {
	create_customer
	invite "$(new_address pat)"
	stack_sql "UPDATE invitations SET expires_at = now() - interval '1 second'
		WHERE token_hash = '$(sha256_hex "$INVITE_TOKEN")'" >/dev/null
	api POST "/v1/tenants/$TENANT_SLUG/auth/google" \
		"$(jq -cn --arg r "$(redirect_uri)" --arg t "$INVITE_TOKEN" '{redirect_uri: $r, invitation_token: $t}')"
	assert_problem 410 invitation_expired
}

@test "rule 1: a disabled portal answers 403 portal_disabled on both endpoints" {
	local home=$TENANT_SLUG home_token=$STAFF_TOKEN
	new_staff_token
	api POST "/v1/tenants/$TENANT_SLUG/auth/google" "$(jq -cn --arg r "$(redirect_uri)" '{redirect_uri: $r}')"
	assert_problem 403 portal_disabled
	api POST "/v1/tenants/$TENANT_SLUG/auth/google/callback" \
		"$(jq -cn --arg s "$(new_link_token)" '{code: "c", state: $s}')"
	assert_problem 403 portal_disabled
	# Switched off between the start and the callback.
	TENANT_SLUG=$home STAFF_TOKEN=$home_token
	invited_google_user
	google_start
	provider_login "$AUTH_URL" "$(who "$USER_EMAIL" "$USER_SUB")"
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	assert_status 200
	google_callback
	assert_problem 403 portal_disabled
	enable_portal "$TENANT_SLUG"
}

@test "without a client id both endpoints answer 404 google_login_unavailable and branding lists only password" {
	local port log=$BATS_TEST_TMPDIR/unconfigured.log pid rc=0
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT" "$OIDC_PORT")
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	# Straight to this second server: the stack's proxy fronts the first one.
	local base=$SERVER_URL
	SERVER_URL=http://127.0.0.1:$port
	api_direct POST "/v1/tenants/$TENANT_SLUG/auth/google" "$(jq -cn --arg r "$(redirect_uri)" '{redirect_uri: $r}')" || rc=1
	[[ $status == 404 && $(jq -r .code <<<"$body") == google_login_unavailable ]] || rc=1
	api_direct POST "/v1/tenants/$TENANT_SLUG/auth/google/callback" '{"code": "c", "state": "s"}' || rc=1
	[[ $status == 404 && $(jq -r .code <<<"$body") == google_login_unavailable ]] || rc=1
	api_direct GET "/v1/tenants/$TENANT_SLUG" || rc=1
	[[ $(jq -c .login_methods <<<"$body") == '["password"]' ]] || rc=1
	SERVER_URL=$base
	finish_server "$pid" "$log" "unconfigured server" || rc=1
	((rc == 0)) || fail "the unconfigured server answered $status $body"
}

@test "a provider that advertises no algorithm we verify (HS256, none) answers 502 provider_unreachable" {
	# A server of its own: discovery is cached, so only a cold server reads the changed document.
	local port log=$BATS_TEST_TMPDIR/hs256.log pid rc=0 base=$SERVER_URL
	oidc_switch '{"discovery_algs": ["HS256", "none"]}'
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT" "$OIDC_PORT")
	mail_server_env
	oidc_server_env
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}" "${OIDC_SERVER_ENV[@]}"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	# Straight to this second server: the stack's proxy fronts the first one.
	SERVER_URL=http://127.0.0.1:$port
	api_direct POST "/v1/tenants/$TENANT_SLUG/auth/google" "$(jq -cn --arg r "$(redirect_uri)" '{redirect_uri: $r}')" || rc=1
	[[ $status == 502 && $(jq -r .code <<<"$body") == provider_unreachable ]] || rc=2
	grep -q 'no ID token signing algorithm we verify' "$log" || rc=3
	SERVER_URL=$base
	finish_server "$pid" "$log" "HS256 provider server" || rc=4
	((rc == 0)) || fail "step $rc: $status $body"
}
