#!/usr/bin/env bats
# Portal sign-in: password login, sessions, refresh rotation, logout, account selection and
# switching, /v1/me and password change (API.md rules 1, 6, 9, 24).

load helpers

# The grace in which a spent refresh token answers its successor again (CURBSIDE_REFRESH_GRACE_SECONDS):
# the longest allowed, so a second request made at once surely lands within it on a slow machine;
# "after the grace" is reached by moving the token's use back in time, not by waiting.
REFRESH_GRACE=60

setup_file() {
	STACK_ENV=(CURBSIDE_REFRESH_GRACE_SECONDS=$REFRESH_GRACE)
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# one_account_user: a fresh customer and a user linked to it. Sets CUSTOMER_ID, USER_EMAIL, USER_ID.
one_account_user() {
	create_customer || return 1
	USER_EMAIL="pat.$RANDOM$RANDOM@example.test"
	portal_user "$USER_EMAIL" "$CUSTOMER_ID"
}

@test "a user with one account signs in with email and password and gets it selected" {
	one_account_user
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '.token_type == "Bearer" and .expires_in == 900'
	assert_jq --arg id "$CUSTOMER_ID" '.account_id == $id and .account_selection_required == false'
	assert_jq --arg e "$USER_EMAIL" '.user.email == $e and .user.login_method == "password"'
	assert_jq '(.accounts | length) == 1 and (.refresh_token | length) == 43'
}

@test "rule 24: the login is the email, matched case-insensitively after trimming" {
	one_account_user
	portal_login "$TENANT_SLUG" "  ${USER_EMAIL^^}  " "$TEST_PASSWORD"
	assert_jq --arg e "$USER_EMAIL" '.user.email == $e'
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg p "$TEST_PASSWORD" '{username: "pat", password: $p}')"
	assert_status 422
	assert_field_error username unknown_field
	assert_field_error email required
}

@test "an unknown email and a wrong password answer the same 401" {
	one_account_user
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" '{email: $e, password: "not the password"}')"
	assert_problem 401 invalid_credentials
	local wrong=$body
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		'{"email": "nobody@example.test", "password": "not the password"}'
	assert_problem 401 invalid_credentials
	[[ $(jq -c 'del(.request_id)' <<<"$body") == $(jq -c 'del(.request_id)' <<<"$wrong") ]] ||
		fail "the two answers differ: $wrong / $body"
}

@test "rule 9: a user of several accounts must choose one, then switches without logging out" {
	create_customer '{"name": "Beta Builders"}'
	local second=$CUSTOMER_ID
	create_customer '{"name": "Alpha Home"}'
	local first=$CUSTOMER_ID
	USER_EMAIL="multi.$RANDOM@example.test"
	portal_user "$USER_EMAIL" "$first" "$second"

	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	assert_jq '.account_id == null and .account_selection_required == true'
	assert_jq '[.accounts[].name] == ["Alpha Home", "Beta Builders"]'
	with_bearer "$PORTAL_TOKEN" GET /v1/me
	assert_status 200
	assert_jq '.account_id == null and (.accounts | length) == 2'

	with_bearer "$PORTAL_TOKEN" POST /v1/session/account "$(jq -cn --arg a "$second" '{account_id: $a}')"
	assert_status 200
	assert_jq --arg a "$second" '.account_id == $a and .account_selection_required == false'
	local switched=$body
	with_bearer "$(jq -r .access_token <<<"$switched")" GET /v1/me
	assert_jq --arg a "$second" '.account_id == $a'

	with_bearer "$(jq -r .access_token <<<"$switched")" POST /v1/session/account \
		"$(jq -cn --arg a "$first" '{account_id: $a}')"
	assert_status 200
	assert_jq --arg a "$first" '.account_id == $a'
	# The refresh token replaced by the switch is gone; the newest one carries the selection.
	api POST /v1/auth/refresh "$(jq -cn --arg t "$(jq -r .refresh_token <<<"$switched")" '{refresh_token: $t}')"
	assert_problem 401 invalid_refresh_token
}

@test "rule 9: the account can be named at login, and only a linked one" {
	create_customer
	local first=$CUSTOMER_ID
	create_customer
	local second=$CUSTOMER_ID
	create_customer
	local stranger=$CUSTOMER_ID
	USER_EMAIL="named.$RANDOM@example.test"
	portal_user "$USER_EMAIL" "$first" "$second"
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD" "$second"
	assert_jq --arg a "$second" '.account_id == $a'

	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" --arg a "$stranger" '{email: $e, password: $p, account_id: $a}')"
	assert_problem 422 account_not_linked
	assert_field_error account_id account_not_linked
	with_bearer "$PORTAL_TOKEN" POST /v1/session/account "$(jq -cn --arg a "$stranger" '{account_id: $a}')"
	assert_problem 422 account_not_linked
	with_bearer "$PORTAL_TOKEN" POST /v1/session/account '{"account_id": "nope"}'
	assert_status 422
	assert_field_error account_id invalid_format
}

@test "rule 6: a user who signed in with Google gets google_login_required, not wrong password" {
	one_account_user
	stack_sql "UPDATE portal_users SET login_method = 'google' WHERE id = '$USER_ID'"
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" '{email: $e, password: "whatever it is"}')"
	assert_problem 409 google_login_required
	[[ $(jq -r .detail <<<"$body") == *Google* ]] || fail "the detail should say to use Google"
}

@test "rule 1: a disabled portal refuses sign-in and live tokens, and its branding still answers" {
	new_staff_token
	local slug=$TENANT_SLUG
	enable_portal "$slug"
	one_account_user
	portal_login "$slug" "$USER_EMAIL" "$TEST_PASSWORD"
	operator_api PATCH "/v1/platform/tenants/$slug" '{"portal_enabled": false}'
	assert_status 200

	api POST "/v1/tenants/$slug/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 403 portal_disabled
	with_bearer "$PORTAL_TOKEN" GET /v1/me
	assert_problem 403 portal_disabled
	api POST /v1/auth/refresh "$(jq -cn --arg t "$REFRESH_TOKEN" '{refresh_token: $t}')"
	assert_problem 403 portal_disabled
	api GET "/v1/tenants/$slug"
	assert_status 200
	assert_jq '.portal_enabled == false'
}

@test "a customer whose portal access is switched off cannot be opened" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	stack_sql "UPDATE customers SET portal_enabled = false, portal_disabled_at = now() WHERE id = '$CUSTOMER_ID'"
	with_bearer "$PORTAL_TOKEN" GET /v1/me
	assert_problem 403 portal_access_disabled
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 403 portal_access_disabled
}

@test "refresh rotates both tokens" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	local first_refresh=$REFRESH_TOKEN
	api POST /v1/auth/refresh "$(jq -cn --arg t "$first_refresh" '{refresh_token: $t}')"
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq --arg r "$first_refresh" '.refresh_token != $r'
	assert_jq --arg id "$CUSTOMER_ID" '.account_id == $id'
	with_bearer "$(jq -r .access_token <<<"$body")" GET /v1/me
	assert_status 200
}

# refresh TOKEN: POST /v1/auth/refresh with TOKEN (the answer in status/body).
refresh() {
	api POST /v1/auth/refresh "$(jq -cn --arg t "$1" '{refresh_token: $t}')"
}

# spent_long_ago TOKEN: move the use of refresh token TOKEN back past the grace.
spent_long_ago() {
	stack_sql "UPDATE refresh_tokens SET used_at = used_at - make_interval(secs => $REFRESH_GRACE + 1)
		WHERE token_hash = '$(sha256_hex "$1")' AND used_at IS NOT NULL RETURNING 1" | grep -q 1 ||
		fail "refresh token $1 was never spent"
}

# assert_session_ended ACCESS REFRESH: the session of these tokens has ended.
assert_session_ended() {
	refresh "$2"
	assert_problem 401 invalid_refresh_token
	with_bearer "$1" GET /v1/me
	assert_problem 401 invalid_token
}

@test "issue 23: a refresh token presented again within the grace answers the same successor" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	local first=$REFRESH_TOKEN successor first_access
	refresh "$first"
	assert_status 200
	successor=$(jq -r .refresh_token <<<"$body")
	first_access=$(jq -r .access_token <<<"$body")

	refresh "$first"
	assert_status 200
	assert_jq --arg r "$successor" '.refresh_token == $r'
	assert_jq --arg id "$CUSTOMER_ID" '.account_id == $id'
	with_bearer "$(jq -r .access_token <<<"$body")" GET /v1/me
	assert_status 200
	with_bearer "$first_access" GET /v1/me
	assert_status 200
	# The family goes on from the one successor.
	refresh "$successor"
	assert_status 200
	assert_jq --arg r "$successor" --arg f "$first" '.refresh_token != $r and .refresh_token != $f'
	[[ $(stack_sql "SELECT count(*) FROM refresh_tokens WHERE session_id =
		(SELECT session_id FROM refresh_tokens WHERE token_hash = '$(sha256_hex "$first")')") == 3 ]] ||
		fail "the session has other refresh tokens than its 3"
}

@test "a reused refresh token ends its whole session once the grace has passed" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	local stolen=$REFRESH_TOKEN
	refresh "$stolen"
	assert_status 200
	local next_refresh next_access
	next_refresh=$(jq -r .refresh_token <<<"$body")
	next_access=$(jq -r .access_token <<<"$body")
	spent_long_ago "$stolen"

	refresh "$stolen"
	assert_problem 401 refresh_token_reused
	assert_session_ended "$next_access" "$next_refresh"
}

@test "issue 23: within the grace, a token whose successor is spent already ends the session" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	local first=$REFRESH_TOKEN successor
	refresh "$first"
	assert_status 200
	successor=$(jq -r .refresh_token <<<"$body")
	refresh "$successor"
	assert_status 200
	local latest=$body

	refresh "$first"
	assert_problem 401 refresh_token_reused
	assert_session_ended "$(jq -r .access_token <<<"$latest")" "$(jq -r .refresh_token <<<"$latest")"
}

# refresh_at_once DIR TOKEN...: one refresh per TOKEN, all sent at once through the proxy; each
# answer into DIR/N.status, DIR/N.body and DIR/N.headers. Sets REFRESH_PIDS (wait for them).
refresh_at_once() {
	local dir=$1 n=0 t
	shift
	mkdir -p "$dir"
	REFRESH_PIDS=()
	for t in "$@"; do
		n=$((n + 1))
		curl -sS --max-time "$((30 * CURBSIDE_TEST_WAIT_SCALE))" -o "$dir/$n.body" -D "$dir/$n.headers" \
			-w '%{http_code}' -X POST "$PRISM_URL/v1/auth/refresh" -H 'Content-Type: application/json' \
			--data "$(jq -cn --arg t "$t" '{refresh_token: $t}')" >"$dir/$n.status" 3>&- &
		REFRESH_PIDS+=($!)
	done
}

# assert_one_successor DIR: every answer in DIR is a 200 the proxy found in order, all with one
# refresh token (set in SUCCESSOR), whose access tokens all work.
assert_one_successor() {
	local f tokens
	for f in "$1"/*.status; do
		[[ $(cat "$f") == 200 ]] || fail "${f##*/}: $(cat "$f") $(cat "${f%.status}.body")"
		! grep -qi '^sl-violations' "${f%.status}.headers" || fail "the proxy flagged ${f##*/}"
		with_bearer "$(jq -r .access_token "${f%.status}.body")" GET /v1/me
		assert_status 200
	done
	tokens=$(jq -r .refresh_token "$1"/*.body | sort -u)
	[[ $(wc -l <<<"$tokens") == 1 ]] || fail "the answers hold different refresh tokens: $tokens"
	SUCCESSOR=$tokens
}

@test "issue 23: two refreshes with one token meeting at its lock both answer the same successor" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	local dir=$BATS_TEST_TMPDIR/meet
	# Our session holds the token's row, so both requests are inside the refresh, waiting for it,
	# before either can spend the token.
	hold_row_lock refresh_tokens "token_hash = '$(sha256_hex "$REFRESH_TOKEN")'"
	refresh_at_once "$dir" "$REFRESH_TOKEN" "$REFRESH_TOKEN"
	await_lock_waits 2
	release_row_lock
	wait "${REFRESH_PIDS[@]}"
	assert_one_successor "$dir"
	[[ $SUCCESSOR != "$REFRESH_TOKEN" ]] || fail "the token was not rotated"
	refresh "$SUCCESSOR"
	assert_status 200
}

@test "issue 23: two refreshes with one token sent at the same instant both succeed" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	local dir=$BATS_TEST_TMPDIR/race
	refresh_at_once "$dir" "$REFRESH_TOKEN" "$REFRESH_TOKEN"
	wait "${REFRESH_PIDS[@]}"
	assert_one_successor "$dir"
	refresh "$SUCCESSOR"
	assert_status 200
}

@test "issue 23: a server on a rotated key answers, within the grace, the successor the previous key gave" {
	local port pid log=$BATS_TEST_TMPDIR/rotated.log answer
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	launch_server "$log" "$port" CURBSIDE_REFRESH_GRACE_SECONDS=$REFRESH_GRACE \
		CURBSIDE_JWT_SECRET='curbside-api-tests-rotated-secret-0123456789abcdef' \
		CURBSIDE_JWT_PREVIOUS_SECRET="$CURBSIDE_JWT_SECRET"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	refresh "$REFRESH_TOKEN"
	assert_status 200
	answer=$(curl -sS -X POST -H 'Content-Type: application/json' \
		--data "$(jq -cn --arg t "$REFRESH_TOKEN" '{refresh_token: $t}')" "http://127.0.0.1:$port/v1/auth/refresh")
	finish_server "$pid" "$log" "rotated server"
	[[ $(jq -r .refresh_token <<<"$answer") == "$(jq -r .refresh_token <<<"$body")" ]] ||
		fail "the rotated server answered $answer"
}

@test "refresh refuses unknown tokens, expired sessions and bad bodies" {
	api POST /v1/auth/refresh '{"refresh_token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
	assert_problem 401 invalid_refresh_token
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	stack_sql "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE portal_user_id = '$USER_ID'"
	api POST /v1/auth/refresh "$(jq -cn --arg t "$REFRESH_TOKEN" '{refresh_token: $t}')"
	assert_problem 401 invalid_refresh_token
	api POST /v1/auth/refresh '{}'
	assert_status 422
	assert_field_error refresh_token required
	api POST /v1/auth/refresh '{"refresh_token": 42}'
	assert_field_error refresh_token wrong_type
	# direct: the proxy cannot forward a body that is not JSON
	api_direct POST /v1/auth/refresh '{"refresh_token": '
	assert_problem 400 malformed_json
}

@test "logout kills the access token at once and its refresh token" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	with_bearer "$PORTAL_TOKEN" GET /v1/me
	assert_status 200
	with_bearer "$PORTAL_TOKEN" POST /v1/auth/logout
	assert_status 204
	with_bearer "$PORTAL_TOKEN" GET /v1/me
	assert_problem 401 invalid_token
	api POST /v1/auth/refresh "$(jq -cn --arg t "$REFRESH_TOKEN" '{refresh_token: $t}')"
	assert_problem 401 invalid_refresh_token
	# direct: the proxy answers requests without credentials itself
	api_direct POST /v1/auth/logout
	assert_problem 401 unauthorized
}

@test "logout reaches another server process on the same database at once" {
	local port pid log=$BATS_TEST_TMPDIR/second.log
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	launch_server "$log" "$port"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	# The second server checks the session once and caches the answer.
	curl -fsS -o /dev/null -H "Authorization: Bearer $PORTAL_TOKEN" "http://127.0.0.1:$port/v1/me" ||
		fail "the second server refused a live token"
	with_bearer "$PORTAL_TOKEN" POST /v1/auth/logout
	assert_status 204
	# Bounded (scaled, at most 20 s) under the 30-second credential cache: only the notification
	# can end the session there in time.
	local code='' deadline=$((SECONDS + $(scaled 10 20)))
	while ((SECONDS < deadline)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $PORTAL_TOKEN" \
			"http://127.0.0.1:$port/v1/me")
		[[ $code == 401 ]] && break
		sleep 0.1
	done
	finish_server "$pid" "$log" "second server"
	[[ $code == 401 ]] || fail "the second server still accepts the token after logout ($code)"
}

@test "portal tokens, staff tokens and API keys each stay on their own endpoints" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	with_bearer "$PORTAL_TOKEN" GET /v1/admin/customers
	assert_problem 403 forbidden
	with_bearer "$STAFF_TOKEN" GET /v1/me
	assert_problem 403 forbidden
	new_api_key
	with_bearer "$API_KEY" GET /v1/me
	assert_problem 403 forbidden
	with_bearer "not-a-token" GET /v1/me
	assert_problem 401 invalid_token
}

@test "the same email at two haulers is two unrelated users" {
	one_account_user
	local email=$USER_EMAIL first_slug=$TENANT_SLUG
	new_staff_token
	enable_portal "$TENANT_SLUG"
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$email" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 401 invalid_credentials
	api POST "/v1/tenants/no-such-hauler/auth/login" \
		"$(jq -cn --arg e "$email" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 404 tenant_not_found
	portal_login "$first_slug" "$email" "$TEST_PASSWORD"
}

@test "repeated failures for one email answer 429 with Retry-After" {
	one_account_user
	local i
	for i in 1 2 3 4 5; do
		api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
			"$(jq -cn --arg e "$USER_EMAIL" '{email: $e, password: "wrong password"}')"
		assert_problem 401 invalid_credentials
	done
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 429 too_many_attempts
	assert_header_matches Retry-After '^[0-9]+$'
}

@test "failures spread over two server processes add up: the sixth attempt answers 429 on both" {
	local port pid log=$BATS_TEST_TMPDIR/second.log i code wrong right
	one_account_user
	wrong=$(jq -cn --arg e "$USER_EMAIL" '{email: $e, password: "wrong password"}')
	right=$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	launch_server "$log" "$port"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	for i in 1 2 3; do
		api POST "/v1/tenants/$TENANT_SLUG/auth/login" "$wrong"
		assert_problem 401 invalid_credentials
	done
	for i in 1 2; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
			-d "$wrong" "http://127.0.0.1:$port/v1/tenants/$TENANT_SLUG/auth/login")
		[[ $code == 401 ]] || fail "wrong password $i on the second server answered $code"
	done
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
		-d "$right" "http://127.0.0.1:$port/v1/tenants/$TENANT_SLUG/auth/login")
	finish_server "$pid" "$log" "second server"
	[[ $code == 429 ]] || fail "the second server let the sixth attempt through ($code)"
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" "$right"
	assert_problem 429 too_many_attempts
	assert_header_matches Retry-After '^[0-9]+$'
}

@test "login validates every member" {
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" '{"email": "pat jordan@example.test", "password": "", "account_id": 7}'
	assert_status 422
	assert_field_error email invalid_email
	assert_field_error password too_short
	assert_field_error account_id wrong_type
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" '[]'
	assert_problem 400 body_not_object
}

@test "GET and PATCH /v1/me show and change the user's name" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	with_bearer "$PORTAL_TOKEN" GET /v1/me
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq --arg id "$USER_ID" --arg a "$CUSTOMER_ID" '.id == $id and .account_id == $a and .login_method == "password"'
	with_bearer "$PORTAL_TOKEN" PATCH /v1/me '{"full_name": "  Pat Jordan-Lee  "}'
	assert_status 200
	assert_jq '.full_name == "Pat Jordan-Lee"'
	with_bearer "$PORTAL_TOKEN" PATCH /v1/me '{"full_name": "", "email": "x@example.test"}'
	assert_status 422
	assert_field_error full_name too_short
	assert_field_error email unknown_field
	with_bearer "$PORTAL_TOKEN" PATCH /v1/me "$(jq -cn '{full_name: ("x" * 201)}')"
	assert_field_error full_name too_long
}

@test "changing the password ends the user's other sessions and keeps this one" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	local other=$PORTAL_TOKEN
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	local new_password='a brand new passphrase'

	with_bearer "$PORTAL_TOKEN" POST /v1/me/password \
		"$(jq -cn --arg n "$new_password" '{current_password: "not it at all", new_password: $n}')"
	assert_problem 422 invalid_current_password
	assert_field_error current_password invalid_current_password
	with_bearer "$PORTAL_TOKEN" POST /v1/me/password \
		"$(jq -cn --arg c "$TEST_PASSWORD" '{current_password: $c, new_password: "short"}')"
	assert_field_error new_password too_short

	with_bearer "$PORTAL_TOKEN" POST /v1/me/password \
		"$(jq -cn --arg c "$TEST_PASSWORD" --arg n "$new_password" '{current_password: $c, new_password: $n}')"
	assert_status 204
	with_bearer "$PORTAL_TOKEN" GET /v1/me
	assert_status 200
	with_bearer "$other" GET /v1/me
	assert_problem 401 invalid_token
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$new_password"
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 401 invalid_credentials
}

@test "a Google user has no password to change" {
	one_account_user
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD"
	stack_sql "UPDATE portal_users SET login_method = 'google' WHERE id = '$USER_ID'"
	with_bearer "$PORTAL_TOKEN" POST /v1/me/password \
		"$(jq -cn --arg c "$TEST_PASSWORD" '{current_password: $c, new_password: "whatever new one"}')"
	assert_problem 409 google_login_required
}
