#!/usr/bin/env bats
# Rule 9 on every route: a portal session that has not chosen among its several accounts gets
# 403 account_selection_required from every portal route that shows or changes an account's data.
# The routes come from the server's own route tables (`curbside routes`), so a new route that
# forgets to require a selected account fails here without anyone listing it.

load helpers

# The routes a session without a selected account may use, each with its reason. Nothing under
# /v1/portal/ may be listed: those all act on the selected account.
declare -gA WITHOUT_ACCOUNT=(
	['GET /v1/me']='the user, not an account: the page that offers the choice shows who is signed in'
	['PATCH /v1/me']='the user'"'"'s own name belongs to the login, not to an account'
	['POST /v1/me/password']='the password belongs to the login, not to an account'
	['POST /v1/session/account']='this is how the account is chosen'
	['POST /v1/auth/logout']='signing out needs no account'
)

setup_file() {
	start_portal_stack
	local first second email
	create_customer
	first=$CUSTOMER_ID
	create_customer
	second=$CUSTOMER_ID
	email=$(new_address two-accounts)
	portal_user "$email" "$first" "$second"
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD"
	jq -e '.account_selection_required == true and .account_id == null' <<<"$body" >/dev/null ||
		fail "the fixture's login has an account selected: $body"
	export UNSELECTED_TOKEN=$PORTAL_TOKEN TWO_ACCOUNTS_EMAIL=$email FIRST_ACCOUNT=$first
	# Every route a portal token may reach, from the route tables: "METHOD PATH AUTH MODULE".
	export ROUTES_FILE=$BATS_FILE_TMPDIR/routes
	"$CURBSIDE_BIN" routes | awk '$3 == "portal" || $3 == "portal_account" || $3 == "session"' >"$ROUTES_FILE"
}

teardown_file() {
	stop_stack
}

# concrete PATH: the route's Ulfius template with every ":param" segment replaced by a UUID.
concrete() {
	sed -E 's#/:[a-z_]+#/9b2f6c1e-4d3a-4f8b-a2c7-5e1d0f9a8b7c#g' <<<"$1"
}

@test "the route tables list the portal routes (the walk below has something to walk)" {
	[[ $(grep -c ' /v1/portal/' "$ROUTES_FILE") -ge 20 ]] ||
		fail "fewer portal routes than expected in: $(cat "$ROUTES_FILE")"
	grep -q '^POST /v1/portal/contact ' "$ROUTES_FILE" || fail "POST /v1/portal/contact is not listed"
}

@test "the session without a selected account is live (its 403s below are not a dead token)" {
	with_bearer "$UNSELECTED_TOKEN" GET /v1/me
	assert_status 200
}

@test "every portal route refuses a session without a selected account: 403 account_selection_required" {
	local method path auth module failures=() walked=0
	while read -r method path auth module; do
		[[ -z ${WITHOUT_ACCOUNT["$method $path"]+set} ]] || continue
		walked=$((walked + 1))
		if [[ $method == GET || $method == DELETE ]]; then
			with_bearer "$UNSELECTED_TOKEN" "$method" "$(concrete "$path")" || true
		else
			with_bearer "$UNSELECTED_TOKEN" "$method" "$(concrete "$path")" '{}' || true
		fi
		if [[ $status != 403 || $(jq -r .code <<<"$body" 2>/dev/null) != account_selection_required ]]; then
			failures+=("$method $path ($module, auth $auth): $status $(jq -c '{code, detail}' <<<"$body" 2>/dev/null || echo "$body")")
		fi
	done <"$ROUTES_FILE"
	((walked > 0)) || fail "no route was walked"
	if ((${#failures[@]})); then
		printf '  %s\n' "${failures[@]}" >&2
		fail "${#failures[@]} of $walked routes answer a session without a selected account"
	fi
}

@test "every route that works without a selected account is a real route, and none is under /v1/portal/" {
	local route
	for route in "${!WITHOUT_ACCOUNT[@]}"; do
		[[ $route != *' /v1/portal/'* ]] || fail "$route is exempted but acts on an account"
		grep -q "^$route " "$ROUTES_FILE" ||
			fail "$route is listed as working without an account but is no such portal route"
	done
}

@test "the routes listed as working without a selected account do work without one" {
	local token
	portal_login "$TENANT_SLUG" "$TWO_ACCOUNTS_EMAIL" "$TEST_PASSWORD"
	token=$PORTAL_TOKEN
	with_bearer "$token" GET /v1/me
	assert_status 200
	with_bearer "$token" PATCH /v1/me '{"full_name": "Pat Jordan"}'
	assert_status 200
	with_bearer "$token" POST /v1/me/password \
		"$(jq -cn '{current_password: "not the password 1", new_password: "another long password"}')"
	assert_field_error current_password invalid_current_password
	with_bearer "$token" POST /v1/session/account "$(jq -cn --arg a "$FIRST_ACCOUNT" '{account_id: $a}')"
	assert_status 200
	with_bearer "$token" POST /v1/auth/logout
	assert_status 204
}
