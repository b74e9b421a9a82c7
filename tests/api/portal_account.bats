#!/usr/bin/env bats
# The selected account in the portal: GET /v1/portal/account (with its dashboard tabs, API.md
# rule 12), /v1/portal/locations and /v1/portal/services (issue 5): shapes, paging, 422s,
# isolation between accounts and tenants, and who may call them.

load helpers

setup_file() {
	start_portal_stack
}

teardown_file() {
	stop_stack
}

PORTAL_PATHS=(/v1/portal/account /v1/portal/locations /v1/portal/services)

# ids PATH: the ids of every page of a portal list, following next_cursor with limit=2, one per
# line; fails on a page that is not 200 or is over-full.
ids() {
	local cursor='' path
	while :; do
		path="$1?limit=2${cursor:+&cursor=$cursor}"
		with_bearer "$PORTAL_TOKEN" GET "$path" || return 1
		fixture_expect 200 "GET $path" || return 1
		jq -e '(.items | length) <= 2' <<<"$body" >/dev/null || fail "page over the limit"
		jq -r '.items[].id' <<<"$body"
		cursor=$(jq -r '.next_cursor // empty' <<<"$body")
		[[ -n $cursor ]] || return 0
	done
}

@test "rule 12: a routing customer's account lists the Services tab first" {
	account_with_user '{"name": "Bob Smith", "kind": "commercial", "routing": true,
		"phone": "217-555-0142", "external_id": "QB-1",
		"billing_address": {"line1": "12 Oak St", "line2": "Suite 4", "city": "Springfield", "region": "IL", "postal_code": "62701"},
		"contacts": [{"name": "Bob Smith", "email": "Bob@Example.com", "phone": "217-555-0142"}]}'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/account
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq 'keys_unsorted == ["id", "account_number", "name", "kind", "routing", "phone",
		"billing_address", "billing_address_line", "contacts", "tabs"]'
	assert_jq --arg id "$CUSTOMER_ID" --arg n "$CUSTOMER_NUMBER" '.id == $id and .account_number == $n
		and .name == "Bob Smith" and .kind == "commercial" and .routing == true
		and .phone == "217-555-0142" and .billing_address.line2 == "Suite 4"
		and .billing_address_line == "12 Oak St, Suite 4, Springfield, IL 62701"
		and .contacts == [{"name": "Bob Smith", "email": "bob@example.com", "phone": "217-555-0142"}]'
	assert_jq '.tabs == ["services", "orders", "invoices", "payments"]'
}

@test "rule 12: a customer without routed service has no Services tab" {
	account_with_user '{"kind": "roll_off"}'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/account
	assert_status 200
	assert_jq '.routing == false and .tabs == ["orders", "invoices", "payments"]'
	assert_jq '.phone == null and .billing_address == null and .billing_address_line == null and .contacts == []'
}

@test "rule 12: the tabs follow the account when the hauler changes its routing" {
	account_with_user
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"routing": true}'
	assert_status 200
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/account
	assert_jq '.routing == true and .tabs[0] == "services"'
}

@test "the account is the session's selection: switching changes it, and none selected is 403 account_selection_required" {
	create_customer '{"routing": true}'
	local first=$CUSTOMER_ID
	create_customer
	local second=$CUSTOMER_ID
	local email
	email=$(new_address multi)
	portal_user "$email" "$first" "$second"
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD"
	for path in "${PORTAL_PATHS[@]}"; do
		with_bearer "$PORTAL_TOKEN" GET "$path"
		assert_problem 403 account_selection_required
	done
	switch_to "$first"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/account
	assert_jq --arg id "$first" '.id == $id and .tabs[0] == "services"'
	switch_to "$second"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/account
	assert_jq --arg id "$second" '.id == $id and .tabs[0] == "orders"'
}

@test "locations: the account's active ones with address and address_line, oldest first" {
	account_with_user
	local mine=$CUSTOMER_ID
	create_location "$mine" '{"name": "Home"}'
	local home=$LOCATION_ID
	create_location "$mine" '{"address": {"line1": "400 Commerce Dr", "line2": "Dock 3", "city": "Springfield", "region": "IL", "postal_code": "62702"}}'
	local yard=$LOCATION_ID
	create_location "$mine"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/locations/$LOCATION_ID" '{"active": false}'
	assert_status 200
	create_customer
	create_location "$CUSTOMER_ID"

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/locations
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq --arg h "$home" --arg y "$yard" '[.items[].id] == [$h, $y] and .next_cursor == null'
	assert_jq '.items[0] | keys_unsorted == ["id", "name", "address", "address_line"]'
	assert_jq '.items[0].name == "Home" and .items[1].name == null'
	assert_jq '.items[1].address.line2 == "Dock 3"
		and .items[1].address_line == "400 Commerce Dr, Dock 3, Springfield, IL 62702"'
}

@test "locations page by next_cursor without overlap or gap" {
	account_with_user
	local want=()
	for _ in 1 2 3 4 5; do
		create_location "$CUSTOMER_ID"
		want+=("$LOCATION_ID")
	done
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/locations?limit=2"
	assert_jq '(.items | length) == 2 and (.next_cursor | type) == "string"'
	local got
	got=$(ids /v1/portal/locations)
	[[ $got == "$(printf '%s\n' "${want[@]}")" ]] || fail "pages: $got"
}

@test "services: the account's running services, each with its location's address" {
	account_with_user '{"routing": true}'
	local mine=$CUSTOMER_ID
	create_location "$mine"
	local home=$LOCATION_ID
	create_location "$mine" '{"address": {"line1": "400 Commerce Dr"}}'
	local yard=$LOCATION_ID
	create_service "$mine" "$home" '{"container_size": "96 gal cart", "service_day": "tuesday", "start_date": "2025-03-01"}'
	local trash=$SERVICE_ID
	create_service "$mine" "$yard" '{"description": "Recycling", "frequency": "biweekly", "rate_cents": 1200}'
	local recycling=$SERVICE_ID
	create_service "$mine" "$home" '{"description": "Yard waste"}'
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/services/$SERVICE_ID" '{"active": false}'
	assert_status 200
	create_customer
	create_location "$CUSTOMER_ID"
	create_service "$CUSTOMER_ID" "$LOCATION_ID"

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/services
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq --arg t "$trash" --arg r "$recycling" '[.items[].id] == [$t, $r] and .next_cursor == null'
	assert_jq '.items[0] | keys_unsorted == ["id", "description", "container_size", "frequency",
		"service_day", "rate_cents", "start_date", "location"]'
	assert_jq --arg h "$home" '.items[0] | .description == "Residential trash"
		and .container_size == "96 gal cart" and .frequency == "weekly" and .service_day == "tuesday"
		and .rate_cents == 3250 and .start_date == "2025-03-01" and .location.id == $h
		and .location.address_line == "12 Oak St, Springfield, IL 62701"'
	assert_jq --arg y "$yard" '.items[1] | .location.id == $y and .location.address_line == "400 Commerce Dr"
		and .service_day == null and .container_size == null and .start_date == null'
}

@test "services page by next_cursor without overlap or gap" {
	account_with_user '{"routing": true}'
	create_location "$CUSTOMER_ID"
	local want=()
	for _ in 1 2 3; do
		create_service "$CUSTOMER_ID" "$LOCATION_ID"
		want+=("$SERVICE_ID")
	done
	local got
	got=$(ids /v1/portal/services)
	[[ $got == "$(printf '%s\n' "${want[@]}")" ]] || fail "pages: $got"
}

@test "rule 12: a customer without routed service simply lists what exists, usually nothing" {
	account_with_user '{"kind": "roll_off"}'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/services
	assert_status 200
	assert_jq '.items == [] and .next_cursor == null'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/locations
	assert_jq '.items == [] and .next_cursor == null'
}

@test "the lists refuse unknown parameters, bad limits and bad cursors, naming each" {
	account_with_user
	for path in /v1/portal/locations /v1/portal/services; do
		with_bearer "$PORTAL_TOKEN" GET "$path?active=true"
		assert_problem 422 unknown_parameter
		assert_field_errors_exactly active
		for limit in 0 101 x ''; do
			with_bearer "$PORTAL_TOKEN" GET "$path?limit=$limit"
			assert_problem 422 invalid_parameter
			assert_field_errors_exactly limit
		done
		with_bearer "$PORTAL_TOKEN" GET "$path?cursor=not-a-cursor"
		assert_problem 422 invalid_cursor
		# A cursor of the orders list (keyed by a date, not an instant) is not one of these.
		with_bearer "$PORTAL_TOKEN" GET "$path?cursor=$(printf '["2026-11-24","%s"]' "$CUSTOMER_ID" | base64 -w0 | tr '+/' '-_' | tr -d '=')"
		assert_problem 422 invalid_cursor
		with_bearer "$PORTAL_TOKEN" GET "$path?limit=0&x=1"
		assert_problem 422 validation_failed
		assert_field_errors_exactly limit x
	done
}

@test "isolation: another account of the same user, another customer and another tenant never show" {
	create_customer '{"routing": true}'
	local first=$CUSTOMER_ID
	create_location "$first"
	local first_location=$LOCATION_ID
	create_service "$first" "$first_location"
	create_customer '{"routing": true}'
	local second=$CUSTOMER_ID
	create_location "$second"
	local second_location=$LOCATION_ID
	create_service "$second" "$second_location"
	local second_service=$SERVICE_ID
	portal_user "$(new_address multi)" "$first" "$second" # ends with the second selected

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/locations
	assert_jq --arg l "$second_location" '[.items[].id] == [$l]'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/services
	assert_jq --arg s "$second_service" '[.items[].id] == [$s]'
	switch_to "$first"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/locations
	assert_jq --arg l "$first_location" '[.items[].id] == [$l]'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/services
	assert_jq --arg l "$first_location" '[.items[].location.id] == [$l]'

	# A user of another hauler sees only their own account.
	new_staff_token
	enable_portal "$TENANT_SLUG"
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/account
	assert_jq --arg id "$CUSTOMER_ID" '.id == $id'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/locations
	assert_jq '.items == []'
}

@test "staff tokens and API keys are refused with 403 forbidden, no token with 401" {
	new_api_key
	for path in "${PORTAL_PATHS[@]}"; do
		with_bearer "$STAFF_TOKEN" GET "$path"
		assert_problem 403 forbidden
		with_bearer "$API_KEY" GET "$path"
		assert_problem 403 forbidden
		# direct: the proxy answers a request without credentials itself
		api_direct GET "$path"
		assert_problem 401 unauthorized
	done
}

@test "rule 1: with the hauler's portal switched off every view answers 403 portal_disabled" {
	new_staff_token
	enable_portal "$TENANT_SLUG"
	account_with_user
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	assert_status 200
	for path in "${PORTAL_PATHS[@]}"; do
		with_bearer "$PORTAL_TOKEN" GET "$path"
		assert_problem 403 portal_disabled
	done
}

@test "an account whose online access the hauler switched off answers 403 portal_access_disabled" {
	account_with_user
	stack_sql "UPDATE customers SET portal_enabled = false, portal_disabled_at = now() WHERE id = '$CUSTOMER_ID'"
	for path in "${PORTAL_PATHS[@]}"; do
		with_bearer "$PORTAL_TOKEN" GET "$path"
		assert_problem 403 portal_access_disabled
	done
}
