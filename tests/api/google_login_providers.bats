#!/usr/bin/env bats
# Sign in with any OpenID provider (issue 21): npm oidc-provider at its defaults, driven through its
# own login and consent pages. At its defaults it puts the email only in the userinfo answer
# (OIDC Core 5.4), expects client_secret_basic, sends `iss` back with the code (RFC 9207); a
# provider that is down is reported at the start; and a customer who signs in with a password may
# choose it when it says the same address is verified (rule 6).

load helpers

setup_file() {
	start_real_google_stack --defaults
}

teardown_file() {
	stop_stack
}

setup() {
	oidc_proxy '{}'
}

# real_sign_in LOGIN [JSON_EXTRA]: start, sign in at the real provider as LOGIN, call back.
real_sign_in() {
	google_start "${2-}" || return 1
	real_provider_login "$AUTH_URL" "$1" || return 1
	google_callback
}

# callback_with JSON_EXTRA: the callback of the last provider login with JSON_EXTRA merged in.
callback_with() {
	api POST "/v1/tenants/$TENANT_SLUG/auth/google/callback" \
		"$(jq -cn --arg c "$PROVIDER_CODE" --arg s "$PROVIDER_STATE" --argjson x "$1" '{code: $c, state: $s} + $x')"
}

# invited_real_user: a fresh customer whose invited person activated at the provider. Sets
# CUSTOMER_ID, USER_EMAIL and USER_ID.
invited_real_user() {
	create_customer || return 1
	USER_EMAIL=$(new_address pat)
	invite "$USER_EMAIL" || return 1
	real_sign_in "$USER_EMAIL" "$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')" || return 1
	fixture_expect 200 "activation of $USER_EMAIL at the provider" || return 1
	USER_ID=$(jq -r .user.id <<<"$body")
}

# no_new_session COUNT: no session was opened since there were COUNT.
no_new_session() {
	[[ $(stack_sql "SELECT count(*) FROM sessions") == "$1" ]] || fail "a session was opened"
}

# password_login_status EMAIL: the status of a password login of EMAIL (left in status/body).
password_login_status() {
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$1" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
}

@test "item 1: a provider at its defaults (email only in the userinfo answer) signs the invited person in" {
	local before
	before=$(oidc_requests /me)
	invited_real_user
	assert_jq --arg e "$USER_EMAIL" --arg c "$CUSTOMER_ID" \
		'.user.email == $e and .user.login_method == "google" and .account_id == $c'
	assert_jq '.user.full_name == "Real Provider Person"'
	(($(oidc_requests /me) == before + 1)) || fail "userinfo was not asked"
	# And again later, matched by subject.
	real_sign_in "$USER_EMAIL"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id'
}

@test "item 1: a userinfo answer naming another subject is not used: 401 invalid_id_token, no session" {
	create_customer
	local email sessions
	email=$(new_address pat)
	invite "$email"
	sessions=$(stack_sql "SELECT count(*) FROM sessions")
	oidc_proxy '{"userinfo": {"sub": "someone-else"}}'
	real_sign_in "$email" "$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')"
	assert_problem 401 invalid_id_token
	assert_jq '.detail | test("userinfo_subject_mismatch")'
	no_new_session "$sessions"
	[[ $(stack_sql "SELECT count(*) FROM portal_users WHERE email = '$email'") == 0 ]]
}

@test "item 1: an address the userinfo answer does not call verified answers 403 email_not_verified" {
	create_customer
	local email
	email=$(new_address pat)
	invite "$email"
	oidc_proxy '{"userinfo": {"email_verified": false}}'
	real_sign_in "$email" "$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')"
	assert_problem 403 email_not_verified
	[[ $(stack_sql "SELECT count(*) FROM portal_users WHERE email = '$email'") == 0 ]]
}

@test "item 1: an account without an email at the provider answers 401 invalid_id_token (no_email)" {
	real_sign_in "no-email-$RANDOM"
	assert_problem 401 invalid_id_token
	assert_jq '.detail | test("no_email")'
}

@test "item 2: at a provider at its defaults the client authenticates with client_secret_basic" {
	local basic post
	basic=$(oidc_token_auth basic)
	post=$(oidc_token_auth post)
	invited_real_user
	(($(oidc_token_auth basic) == basic + 1)) || fail "no client_secret_basic"
	(($(oidc_token_auth post) == post)) || fail "the secret was also posted"
}

@test "item 2: a provider advertising only client_secret_post gets the secret in the form" {
	local basic post
	invited_real_user
	basic=$(oidc_token_auth basic)
	post=$(oidc_token_auth post)
	oidc_proxy '{"discovery": {"token_endpoint_auth_methods_supported": ["client_secret_post"]}}'
	real_sign_in "$USER_EMAIL"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id'
	(($(oidc_token_auth post) == post + 1 && $(oidc_token_auth basic) == basic)) ||
		fail "expected one client_secret_post exchange"
}

@test "item 2: a provider advertising no client authentication we use answers 502 at the start" {
	oidc_proxy '{"discovery": {"token_endpoint_auth_methods_supported": ["private_key_jwt", "tls_client_auth"]}}'
	api POST "/v1/tenants/$TENANT_SLUG/auth/google" "$(jq -cn --arg r "$(redirect_uri)" '{redirect_uri: $r}')"
	assert_problem 502 provider_unreachable
	grep -q 'no client authentication we use' "$SERVER_LOG" || fail "the log does not say why"
}

@test "item 3: the iss the provider sends back with the code is accepted" {
	invited_real_user
	google_start
	real_provider_login "$AUTH_URL" "$USER_EMAIL"
	[[ $PROVIDER_ISS == "$OIDC_URL" ]] || fail "the provider sent iss '$PROVIDER_ISS'"
	callback_with "$(jq -cn --arg i "$PROVIDER_ISS" '{iss: $i}')"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id'
}

@test "item 3: an iss naming another provider answers 422 issuer_mismatch before the code is used" {
	invited_real_user
	local tokens sessions
	google_start
	real_provider_login "$AUTH_URL" "$USER_EMAIL"
	tokens=$(oidc_requests /token)
	sessions=$(stack_sql "SELECT count(*) FROM sessions")
	callback_with '{"iss": "https://evil.example"}'
	assert_problem 422 issuer_mismatch
	assert_field_error iss issuer_mismatch
	(($(oidc_requests /token) == tokens)) || fail "the code was exchanged"
	no_new_session "$sessions"
	# The state is spent like any failed callback's.
	callback_with "$(jq -cn --arg i "$PROVIDER_ISS" '{iss: $i}')"
	assert_problem 422 invalid_state
	# Bad input.
	callback_with '{"iss": 5}'
	assert_status 422
	assert_field_error iss wrong_type
	callback_with '{"iss": ""}'
	assert_status 422
	assert_field_error iss too_short
}

@test "item 4: a provider that is down at the start answers 502, not a link; once back, sign-in works" {
	invited_real_user
	# Discovery was read a moment ago (and cached): the start must still notice the outage.
	oidc_proxy '{"down": true}'
	local i
	for i in 1 2; do
		api POST "/v1/tenants/$TENANT_SLUG/auth/google" "$(jq -cn --arg r "$(redirect_uri)" '{redirect_uri: $r}')"
		assert_problem 502 provider_unreachable
		assert_jq 'has("authorization_url") | not'
	done
	# The failures were not kept: the provider is back, the next start works.
	oidc_proxy '{}'
	real_sign_in "$USER_EMAIL"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id'
}

@test "item 4: a provider nobody answers at (connection refused) answers 502 at the start" {
	# A server of its own whose issuer is a port nothing listens on.
	local port dead log=$BATS_TEST_TMPDIR/dead_provider.log pid rc=0 base=$SERVER_URL
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT" "$OIDC_PORT")
	dead=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT" "$OIDC_PORT" "$port")
	mail_server_env
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}" CURBSIDE_OIDC_ISSUER="http://127.0.0.1:$dead" \
		CURBSIDE_OIDC_CLIENT_ID="$OIDC_CLIENT_ID" CURBSIDE_OIDC_CLIENT_SECRET="$OIDC_CLIENT_SECRET"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	# Straight to this second server: the stack's proxy fronts the first one.
	SERVER_URL=http://127.0.0.1:$port
	api_direct POST "/v1/tenants/$TENANT_SLUG/auth/google" "$(jq -cn --arg r "$(redirect_uri)" '{redirect_uri: $r}')" || rc=1
	[[ $status == 502 && $(jq -r .code <<<"$body") == provider_unreachable ]] || rc=2
	[[ $(jq -r 'has("authorization_url")' <<<"$body") == false ]] || rc=3
	grep -q 'oidc provider: discovery failed' "$log" || rc=4
	SERVER_URL=$base
	finish_server "$pid" "$log" "dead provider server" || rc=5
	((rc == 0)) || fail "step $rc: $status $body"
}

@test "item 4: a provider that goes down between the start and the callback answers 502 at the callback" {
	invited_real_user
	google_start
	real_provider_login "$AUTH_URL" "$USER_EMAIL"
	oidc_proxy '{"down": true}'
	google_callback
	assert_problem 502 provider_unreachable
}

@test "item 5: a password user chooses Google with the same verified address; the lock applies until a proven invitation" {
	create_customer
	local email
	email=$(new_address pat)
	portal_user "$email" "$CUSTOMER_ID"
	local user=$USER_ID
	# No invitation, no pay link: the provider's verified address is that login's.
	real_sign_in "$email"
	assert_status 200
	assert_jq --arg id "$user" --arg c "$CUSTOMER_ID" \
		'.user.id == $id and .user.login_method == "google" and .account_id == $c and .user.full_name == "Pat Jordan"'
	with_bearer "$(jq -r .access_token <<<"$body")" GET /v1/me
	assert_status 200
	# Rule 6: password login is refused from now on.
	password_login_status "$email"
	assert_problem 409 google_login_required
	# A new invitation accepted with a password switches back only through the emailed proof.
	invite "$email"
	api POST "/v1/invitations/$INVITE_TOKEN/accept" \
		"$(jq -cn --arg e "$email" --arg p "$TEST_PASSWORD" '{email: $e, full_name: "Pat Jordan", password: $p}')"
	assert_status 202
	password_login_status "$email"
	assert_problem 409 google_login_required
	api POST /v1/auth/verify-email \
		"$(jq -cn --arg t "$(mail_token "$(mail_wait "$email" "Confirm it")")" --arg p "$TEST_PASSWORD" '{token: $t, password: $p}')"
	assert_status 200
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD"
	assert_jq --arg id "$user" '.user.id == $id and .user.login_method == "password"'
	# Choosing Google again finds the same login by subject and locks it again.
	real_sign_in "$email"
	assert_status 200
	assert_jq --arg id "$user" '.user.id == $id and .user.login_method == "google"'
	password_login_status "$email"
	assert_problem 409 google_login_required
}

@test "item 5: a password user of several accounts who chooses Google picks an account as after password login" {
	create_customer
	local first=$CUSTOMER_ID email
	email=$(new_address pat)
	create_customer
	portal_user "$email" "$first" "$CUSTOMER_ID"
	real_sign_in "$email"
	assert_status 200
	assert_jq '.account_selection_required == true and (.accounts | length) == 2 and .account_id == null'
}

@test "item 5: an address the provider has not verified does not sign in the password login" {
	create_customer
	local email sessions
	email=$(new_address pat)
	portal_user "$email" "$CUSTOMER_ID"
	sessions=$(stack_sql "SELECT count(*) FROM sessions")
	oidc_proxy '{"userinfo": {"email_verified": false}}'
	real_sign_in "$email"
	assert_problem 403 email_not_verified
	no_new_session "$sessions"
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD"
	assert_jq '.user.login_method == "password"'
}

@test "item 5: a login bound to another account of the provider is not taken over by its address" {
	invited_real_user
	local sessions
	sessions=$(stack_sql "SELECT count(*) FROM sessions")
	# Another account at the provider with the same verified address.
	real_sign_in "other|$USER_EMAIL"
	assert_problem 409 google_account_mismatch
	no_new_session "$sessions"
	[[ $(stack_sql "SELECT oidc_subject FROM portal_users WHERE id = '$USER_ID'") == "$USER_EMAIL" ]]
	# Nobody of that address at all: still no login.
	real_sign_in "$(new_address stranger)"
	assert_problem 404 no_portal_account
}
