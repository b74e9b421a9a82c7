#!/usr/bin/env bats
# Sign in with Google against a real, certified OpenID provider (npm oidc-provider) on loopback,
# reached through a proxy that plays the man in the middle of an http issuer: it rewrites the ID
# token of the token answer. Only a token the provider signed, with an algorithm it advertises and
# a key it publishes, signs anyone in.

load helpers

setup_file() {
	start_real_google_stack
}

teardown_file() {
	stop_stack
}

setup() {
	oidc_tamper off
}

# real_sign_in LOGIN [JSON_EXTRA]: start, sign in at the real provider as LOGIN, call back.
real_sign_in() {
	google_start "${2-}" || return 1
	real_provider_login "$AUTH_URL" "$1" || return 1
	google_callback
}

# invited_real_user: a fresh customer whose invited person activated with the real provider (no
# tampering). Sets CUSTOMER_ID, USER_EMAIL and USER_ID.
invited_real_user() {
	create_customer || return 1
	USER_EMAIL=$(new_address pat)
	invite "$USER_EMAIL" || return 1
	real_sign_in "$USER_EMAIL" "$(jq -cn --arg t "$INVITE_TOKEN" '{invitation_token: $t}')" || return 1
	fixture_expect 200 "activation of $USER_EMAIL at the real provider" || return 1
	USER_ID=$(jq -r .user.id <<<"$body")
}

# refused_as MODE: an attacker signs in at the provider as themself while the proxy rewrites the ID
# token to name the invited person of invited_real_user (their sub and email) and re-signs it by
# MODE; the callback must answer 401 invalid_id_token and open no session.
refused_as() {
	local sessions
	sessions=$(stack_sql "SELECT count(*) FROM sessions")
	oidc_tamper "$1" "$(jq -cn --arg s "$USER_EMAIL" '{sub: $s, email: $s}')"
	real_sign_in "$(new_address attacker)"
	assert_problem 401 invalid_id_token
	[[ $(stack_sql "SELECT count(*) FROM sessions") == "$sessions" ]] ||
		fail "a session was opened for a $1 token"
}

@test "the provider's own RS256 token signs the invited person in, and signs them in again later" {
	local post basic
	post=$(oidc_token_auth post)
	basic=$(oidc_token_auth basic)
	invited_real_user
	# This provider advertises client_secret_post alone: the secret goes in the form (issue 21).
	(($(oidc_token_auth post) == post + 1 && $(oidc_token_auth basic) == basic)) ||
		fail "expected one client_secret_post exchange"
	assert_jq --arg e "$USER_EMAIL" --arg c "$CUSTOMER_ID" \
		'.user.email == $e and .user.login_method == "google" and .account_id == $c'
	real_sign_in "$USER_EMAIL"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id'
}

@test "a token signed ES256 with the provider's published EC key is accepted" {
	invited_real_user
	oidc_tamper es256
	real_sign_in "$USER_EMAIL"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id'
}

@test "a token without a kid is verified with the provider's only key of its algorithm" {
	invited_real_user
	oidc_tamper no_kid
	real_sign_in "$USER_EMAIL"
	assert_status 200
	assert_jq --arg id "$USER_ID" '.user.id == $id'
}

@test "attack: a payload rewritten to name another person (the provider's signature kept) answers 401" {
	invited_real_user
	refused_as payload
	assert_jq '.detail | test("bad_signature")'
}

@test "attack: an unsigned token (alg none) answers 401" {
	invited_real_user
	refused_as alg_none
	assert_jq '.detail | test("bad_algorithm")'
}

@test "attack: a token signed HS256 with the client secret answers 401" {
	invited_real_user
	refused_as hs256_secret
	assert_jq '.detail | test("bad_algorithm")'
}

@test "attack: a token signed by another key under the provider's kid answers 401" {
	invited_real_user
	refused_as foreign_key
	assert_jq '.detail | test("bad_signature")'
}

@test "attack: a token signed by a key under a kid the provider never published answers 401" {
	invited_real_user
	refused_as unknown_kid
	assert_jq '.detail | test("unknown_key")'
}

@test "attack: a token the provider's own key signed with an algorithm it does not advertise (RS512) answers 401" {
	invited_real_user
	refused_as unadvertised_alg
	assert_jq '.detail | test("bad_algorithm")'
}

@test "a rotated key is fetched once; unknown kids do not make the server fetch the keys again" {
	# A server of its own: its key cache starts empty whatever the other tests did.
	local port log=$BATS_TEST_TMPDIR/rotation.log pid rc=0 base=$SERVER_URL fetched
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT" "$OIDC_PORT")
	mail_server_env
	real_oidc_server_env
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}" "${OIDC_SERVER_ENV[@]}"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	invited_real_user
	# Straight to this second server: the stack's proxy fronts the first one.
	SERVER_URL=http://127.0.0.1:$port
	google_start_direct() {
		api_direct POST "/v1/tenants/$TENANT_SLUG/auth/google" \
			"$(jq -cn --arg r "$(redirect_uri)" '{redirect_uri: $r}')" && [[ $status == 200 ]] &&
			real_provider_login "$(jq -r .authorization_url <<<"$body")" "$USER_EMAIL" &&
			api_direct POST "/v1/tenants/$TENANT_SLUG/auth/google/callback" \
				"$(jq -cn --arg c "$PROVIDER_CODE" --arg s "$PROVIDER_STATE" '{code: $c, state: $s}')"
	}
	google_start_direct || rc=1
	[[ $status == 200 ]] || rc=2
	fetched=$(oidc_requests /jwks)
	oidc_tamper rotate
	google_start_direct || rc=3
	[[ $status == 200 && $(jq -r .user.id <<<"$body") == "$USER_ID" ]] || rc=4
	(($(oidc_requests /jwks) == fetched + 1)) || rc=5
	oidc_tamper unknown_kid
	local i
	for i in 1 2 3; do
		google_start_direct || rc=6
		[[ $status == 401 && $(jq -r .code <<<"$body") == invalid_id_token ]] || rc=7
	done
	(($(oidc_requests /jwks) == fetched + 1)) || rc=8
	SERVER_URL=$base
	finish_server "$pid" "$log" "rotation server" || rc=9
	((rc == 0)) || fail "step $rc: $status $body (keys fetched $(oidc_requests /jwks) times, $fetched before)"
}
