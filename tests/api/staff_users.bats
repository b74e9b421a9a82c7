#!/usr/bin/env bats
# Staff sessions (issue 16): staff log out with POST /v1/auth/logout and the token dies at once on
# every server; a hauler's admins list, add, disable and enable their staff users, disabling ends
# every session of the user and refuses their login. Every other kind of caller is refused.

load helpers

setup_file() {
	start_portal_stack
	export ADMIN_ID
	ADMIN_ID=$(jwt_claims "$STAFF_TOKEN" | jq -r .sub)
	# The attackers: a billing user of this tenant, an API key, a portal user, another tenant's admin.
	export BILLING_TOKEN PORTAL_TOKEN B_TOKEN B_KEY API_KEY
	create_staff "$TENANT_SLUG" "billing.$RANDOM@$TENANT_SLUG.example.test" "$TEST_PASSWORD" billing
	BILLING_TOKEN=$(staff_login "$TENANT_SLUG" "$(jq -r .email <<<"$body")" "$TEST_PASSWORD")
	new_api_key
	account_with_user
	neighbour_tenant
}

teardown_file() {
	stop_stack
}

# add_staff ROLE: this tenant's admin adds a staff user of ROLE; sets NEW_ID and NEW_EMAIL.
add_staff() {
	NEW_EMAIL=$(new_address "$1")
	staff_api "$STAFF_TOKEN" POST /v1/admin/staff-users \
		"$(jq -cn --arg e "$NEW_EMAIL" --arg p "$TEST_PASSWORD" --arg r "$1" \
			'{email: $e, full_name: "Sam Ortega", password: $p, role: $r}')" || return 1
	fixture_expect 201 "add a $1 staff user" || return 1
	NEW_ID=$(jq -r .id <<<"$body")
}

# operator_staff ROLE: the operator creates a staff user of ROLE (the route older than staff
# management, so the logout tests stand on their own); sets NEW_ID and NEW_EMAIL.
operator_staff() {
	NEW_EMAIL=$(new_address "$1")
	create_staff "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD" "$1" || return 1
	NEW_ID=$STAFF_ID
}

# set_disabled TOKEN ID BOOL: PATCH /v1/admin/staff-users/ID {disabled: BOOL} with TOKEN.
set_disabled() {
	staff_api "$1" PATCH "/v1/admin/staff-users/$2" "{\"disabled\": $3}"
}

# start_second_server: another `curbside serve` on this file's database; sets SECOND_PORT,
# SECOND_PID and SECOND_LOG.
start_second_server() {
	SECOND_LOG=$BATS_TEST_TMPDIR/second.log
	SECOND_PORT=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	launch_server "$SECOND_LOG" "$SECOND_PORT"
	SECOND_PID=$LAUNCHED_PID
	await_server "$SECOND_PID" "$SECOND_PORT" "$SECOND_LOG"
}

# second_status TOKEN: the status of GET /v1/admin/settings with TOKEN on the second server.
second_status() {
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" \
		"http://127.0.0.1:$SECOND_PORT/v1/admin/settings"
}

# await_second_refusal TOKEN: wait until the second server answers 401 to TOKEN (the NOTIFY
# reaches it asynchronously; it takes milliseconds). The bound (scaled, at most 20 s) stays under
# the 30-second credential cache, so an expired cache entry can never pass for a delivered
# notification. Prints the last status.
await_second_refusal() {
	local code='' deadline=$((SECONDS + $(scaled 10 20)))
	while ((SECONDS < deadline)); do
		code=$(second_status "$1")
		[[ $code == 401 ]] && break
		sleep 0.1
	done
	echo "$code"
}

# ---------------------------------------------------------------------------------------------
# Logout

@test "a staff user logs out with POST /v1/auth/logout: 204, and the token answers 401 at once" {
	local token
	operator_staff billing
	token=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	staff_api "$token" GET /v1/admin/settings
	assert_status 200
	staff_api "$token" POST /v1/auth/logout
	assert_status 204
	staff_api "$token" GET /v1/admin/settings
	assert_problem 401 invalid_token
	staff_api "$token" POST /v1/auth/logout
	assert_problem 401 invalid_token
}

@test "staff logout ends only that session: the same user's other login stays" {
	local first second
	operator_staff admin
	first=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	second=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	staff_api "$first" POST /v1/auth/logout
	assert_status 204
	staff_api "$second" GET /v1/admin/settings
	assert_status 200
	staff_api "$first" GET /v1/admin/settings
	assert_problem 401 invalid_token
}

@test "staff logout reaches another server process on the same database at once" {
	local token code
	operator_staff billing
	token=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	start_second_server
	# The second server checks the session once and caches the answer.
	[[ $(second_status "$token") == 200 ]] || fail "the second server refused a live token"
	staff_api "$token" POST /v1/auth/logout
	assert_status 204
	code=$(await_second_refusal "$token")
	finish_server "$SECOND_PID" "$SECOND_LOG" "second server"
	[[ $code == 401 ]] || fail "the second server still accepts the token after logout ($code)"
}

@test "an API key and the operator token have no session to end: 403 forbidden" {
	with_bearer "$API_KEY" POST /v1/auth/logout
	assert_problem 403 forbidden
	operator_api POST /v1/auth/logout
	assert_problem 403 forbidden
	staff_api "$STAFF_TOKEN" GET /v1/admin/api-keys
	assert_status 200
}

# ---------------------------------------------------------------------------------------------
# Listing and adding staff users

@test "an admin lists the tenant's staff users, oldest first, never another tenant's" {
	staff_api "$STAFF_TOKEN" GET /v1/admin/staff-users
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '.next_cursor == null and (.items | length) >= 2'
	assert_jq --arg id "$ADMIN_ID" '.items[0].id == $id and .items[0].role == "admin" and .items[0].disabled == false'
	assert_jq '(.items[0] | keys) == ["created_at","disabled","disabled_at","email","full_name","id","role","updated_at"]'
	assert_jq 'any(.items[]; .role == "billing")'
	assert_jq '[.items[].created_at] == ([.items[].created_at] | sort)'
	staff_api "$B_TOKEN" GET /v1/admin/staff-users
	assert_status 200
	assert_jq --arg id "$ADMIN_ID" '(.items | length) == 1 and all(.items[]; .id != $id)'
}

@test "an admin adds a billing user who can log in at once; GET reads it" {
	add_staff billing
	assert_jq --arg e "$NEW_EMAIL" '.email == $e and .role == "billing" and .disabled == false and .disabled_at == null and .full_name == "Sam Ortega"'
	assert_jq 'has("password") or has("password_hash") | not'
	api POST "/v1/tenants/$TENANT_SLUG/staff/login" "$(login_body "$NEW_EMAIL" "$TEST_PASSWORD")"
	assert_status 200
	assert_json .staff.role billing
	staff_api "$STAFF_TOKEN" GET "/v1/admin/staff-users/$NEW_ID"
	assert_status 200
	assert_json .id "$NEW_ID"
}

@test "an added admin can manage staff too" {
	local token
	add_staff admin
	token=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	staff_api "$token" GET /v1/admin/staff-users
	assert_status 200
}

@test "adding an email the tenant already has (in any case) answers 409 staff_email_taken" {
	add_staff billing
	staff_api "$STAFF_TOKEN" POST /v1/admin/staff-users \
		"$(jq -cn --arg e "  ${NEW_EMAIL^^} " --arg p "$TEST_PASSWORD" '{email: $e, full_name: "Other", password: $p, role: "admin"}')"
	assert_problem 409 staff_email_taken
}

@test "bad members of a new staff user answer 422 naming every one, and nothing is added" {
	local before
	before=$(stack_sql "SELECT count(*) FROM staff_users WHERE tenant_id = '$TENANT_ID'")
	staff_api "$STAFF_TOKEN" POST /v1/admin/staff-users \
		'{"email": "not an email", "full_name": "", "password": "short", "role": "owner", "team": "x"}'
	assert_status 422
	assert_field_errors_exactly email full_name password role team
	assert_field_error team unknown_field
	staff_api "$STAFF_TOKEN" POST /v1/admin/staff-users \
		"$(jq -cn --arg e "$(new_address norole)" --arg p "$TEST_PASSWORD" '{email: $e, full_name: "No Role", password: $p}')"
	assert_field_error role required
	[[ $(stack_sql "SELECT count(*) FROM staff_users WHERE tenant_id = '$TENANT_ID'") == "$before" ]] ||
		fail "a staff user was added"
	# direct: the proxy cannot forward a body that is not JSON
	api_direct POST /v1/admin/staff-users '{"email": ' -H "Authorization: Bearer $STAFF_TOKEN"
	assert_problem 400 malformed_json
}

# ---------------------------------------------------------------------------------------------
# Disabling and enabling

@test "disabling a staff user ends their sessions at once and refuses their login with 403 staff_user_disabled" {
	local token
	add_staff billing
	token=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	staff_api "$token" GET /v1/admin/settings
	assert_status 200
	set_disabled "$STAFF_TOKEN" "$NEW_ID" true
	assert_status 200
	assert_jq --arg id "$NEW_ID" '.id == $id and .disabled == true and (.disabled_at | type == "string")'
	staff_api "$token" GET /v1/admin/settings
	assert_problem 401 invalid_token
	[[ $(stack_sql "SELECT count(*) FROM sessions WHERE staff_user_id = '$NEW_ID' AND revoked_at IS NULL") == 0 ]] ||
		fail "a session of the disabled user is still open"
	api POST "/v1/tenants/$TENANT_SLUG/staff/login" "$(login_body "$NEW_EMAIL" "$TEST_PASSWORD")"
	assert_problem 403 staff_user_disabled
	assert_jq --arg t "Hauler $TENANT_SLUG" '.detail | contains($t)'
	# Without the password nobody learns that the account exists and is disabled.
	api POST "/v1/tenants/$TENANT_SLUG/staff/login" "$(login_body "$NEW_EMAIL" 'wrong password 123')"
	assert_problem 401 invalid_credentials
	staff_api "$STAFF_TOKEN" GET /v1/admin/staff-users
	assert_jq --arg id "$NEW_ID" 'any(.items[]; .id == $id and .disabled == true)'
}

@test "disabling twice answers 200 unchanged; enabling lets the user log in again, old tokens stay dead" {
	local token at
	add_staff billing
	token=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	set_disabled "$STAFF_TOKEN" "$NEW_ID" true
	assert_status 200
	at=$(jq -r .disabled_at <<<"$body")
	set_disabled "$STAFF_TOKEN" "$NEW_ID" true
	assert_status 200
	assert_json .disabled_at "$at"
	set_disabled "$STAFF_TOKEN" "$NEW_ID" false
	assert_status 200
	assert_jq '.disabled == false and .disabled_at == null'
	staff_api "$token" GET /v1/admin/settings
	assert_problem 401 invalid_token
	token=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	staff_api "$token" GET /v1/admin/settings
	assert_status 200
	set_disabled "$STAFF_TOKEN" "$NEW_ID" false
	assert_status 200
	assert_jq '.disabled == false'
}

@test "disabling a staff user reaches another server process on the same database at once" {
	local token code
	add_staff admin
	token=$(staff_login "$TENANT_SLUG" "$NEW_EMAIL" "$TEST_PASSWORD")
	start_second_server
	[[ $(second_status "$token") == 200 ]] || fail "the second server refused a live token"
	set_disabled "$STAFF_TOKEN" "$NEW_ID" true
	assert_status 200
	code=$(await_second_refusal "$token")
	finish_server "$SECOND_PID" "$SECOND_LOG" "second server"
	[[ $code == 401 ]] || fail "the second server still accepts the disabled user's token ($code)"
}

@test "an admin cannot disable themself: 409 cannot_disable_self, still active" {
	set_disabled "$STAFF_TOKEN" "$ADMIN_ID" true
	assert_problem 409 cannot_disable_self
	staff_api "$STAFF_TOKEN" GET "/v1/admin/staff-users/$ADMIN_ID"
	assert_status 200
	assert_jq '.disabled == false'
	# Enabling oneself (already active) is harmless.
	set_disabled "$STAFF_TOKEN" "$ADMIN_ID" false
	assert_status 200
}

@test "two admins disabling each other at once: exactly one wins, the tenant keeps an active admin" {
	local slug one two one_token two_token one_id two_id pids=()
	slug=$(unique_slug pair)
	create_tenant "$slug"
	create_staff "$slug" "one@$slug.example.test" "$TEST_PASSWORD" admin
	one_id=$STAFF_ID
	create_staff "$slug" "two@$slug.example.test" "$TEST_PASSWORD" admin
	two_id=$STAFF_ID
	one_token=$(staff_login "$slug" "one@$slug.example.test" "$TEST_PASSWORD")
	two_token=$(staff_login "$slug" "two@$slug.example.test" "$TEST_PASSWORD")
	# Straight to the server: both requests must be in flight together, and either answer
	# (200, or 401/403 for the one whose own account the other disabled first) is valid.
	one=$BATS_TEST_TMPDIR/one
	two=$BATS_TEST_TMPDIR/two
	curl -s --max-time "$(scaled 30)" -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $one_token" \
		-H 'Content-Type: application/json' -d '{"disabled": true}' "$SERVER_URL/v1/admin/staff-users/$two_id" >"$one" &
	pids+=($!)
	curl -s --max-time "$(scaled 30)" -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $two_token" \
		-H 'Content-Type: application/json' -d '{"disabled": true}' "$SERVER_URL/v1/admin/staff-users/$one_id" >"$two" &
	pids+=($!)
	wait "${pids[@]}"
	[[ $(cat "$one" "$two" | grep -o 200 | wc -l) == 1 ]] || fail "answers: $(cat "$one") and $(cat "$two")"
	[[ $(stack_sql "SELECT count(*) FROM staff_users s JOIN tenants t ON t.id = s.tenant_id
		WHERE t.slug = '$slug' AND s.role = 'admin' AND s.disabled_at IS NULL") == 1 ]] ||
		fail "the tenant does not have exactly one active admin left"
}

@test "PATCH with a bad body answers 422 naming the field, and changes nothing" {
	add_staff billing
	set_disabled "$STAFF_TOKEN" "$NEW_ID" '"yes"'
	assert_field_error disabled wrong_type
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/staff-users/$NEW_ID" '{}'
	assert_field_error disabled required
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/staff-users/$NEW_ID" '{"disabled": true, "role": "admin"}'
	assert_field_error role unknown_field
	staff_api "$STAFF_TOKEN" GET "/v1/admin/staff-users/$NEW_ID"
	assert_jq '.disabled == false and .role == "billing"'
}

@test "an unknown or malformed staff user id answers 404 not_found" {
	set_disabled "$STAFF_TOKEN" 9b2f6c1e-4d3a-4f8b-a2c7-5e1d0f9a8b7c true
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/staff-users/9b2f6c1e-4d3a-4f8b-a2c7-5e1d0f9a8b7c
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/staff-users/not-a-uuid
	assert_problem 404 not_found
}

# ---------------------------------------------------------------------------------------------
# Every other kind of caller

# refused_everywhere TOKEN STATUS CODE: every staff-management route answers STATUS CODE to TOKEN,
# and the target (a fresh billing user) stays as it was.
refused_everywhere() {
	local token=$1 want=$2 code=$3
	add_staff billing
	staff_api "$token" GET /v1/admin/staff-users
	assert_problem "$want" "$code"
	staff_api "$token" GET "/v1/admin/staff-users/$NEW_ID"
	assert_problem "$want" "$code"
	staff_api "$token" POST /v1/admin/staff-users \
		"$(jq -cn --arg e "$(new_address intruder)" --arg p "$TEST_PASSWORD" '{email: $e, full_name: "Intruder", password: $p, role: "admin"}')"
	assert_problem "$want" "$code"
	set_disabled "$token" "$NEW_ID" true
	assert_problem "$want" "$code"
	set_disabled "$token" "$ADMIN_ID" true
	assert_problem "$want" "$code"
	[[ $(stack_sql "SELECT count(*) FROM staff_users WHERE email LIKE 'intruder.%'") == 0 ]] ||
		fail "an intruder was added"
	[[ $(stack_sql "SELECT count(*) FROM staff_users WHERE tenant_id = '$TENANT_ID' AND disabled_at IS NOT NULL AND id IN ('$NEW_ID', '$ADMIN_ID')") == 0 ]] ||
		fail "a staff user was disabled"
}

@test "a billing staff user may not manage staff: 403 forbidden" {
	refused_everywhere "$BILLING_TOKEN" 403 forbidden
}

@test "an API key may not manage staff: 403 forbidden" {
	refused_everywhere "$API_KEY" 403 forbidden
}

@test "a portal user may not manage staff: 403 forbidden" {
	refused_everywhere "$PORTAL_TOKEN" 403 forbidden
}

@test "the operator token is not a staff token here: 403 forbidden" {
	refused_everywhere "$CURBSIDE_OPERATOR_TOKEN" 403 forbidden
}

@test "another tenant's admin never sees or changes this tenant's staff: 404 not_found" {
	add_staff billing
	staff_api "$B_TOKEN" GET "/v1/admin/staff-users/$NEW_ID"
	assert_problem 404 not_found
	set_disabled "$B_TOKEN" "$NEW_ID" true
	assert_problem 404 not_found
	set_disabled "$B_TOKEN" "$ADMIN_ID" true
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET "/v1/admin/staff-users/$NEW_ID"
	assert_jq '.disabled == false'
}

@test "without credentials every staff-management route answers 401 unauthorized" {
	# direct: the proxy answers requests without credentials itself
	api_direct GET /v1/admin/staff-users
	assert_problem 401 unauthorized
	api_direct POST /v1/admin/staff-users '{}'
	assert_problem 401 unauthorized
	api_direct GET "/v1/admin/staff-users/$ADMIN_ID"
	assert_problem 401 unauthorized
	api_direct PATCH "/v1/admin/staff-users/$ADMIN_ID" '{"disabled": true}'
	assert_problem 401 unauthorized
}
