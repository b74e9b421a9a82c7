#!/usr/bin/env bats
# Portal orders: GET /v1/portal/orders and /v1/portal/orders/{id} for the selected account
# (API.md rule 14, issue 5): columns, order, paging, filters and their 422s, isolation between
# accounts, customers and tenants, and who may call them.

load helpers

setup_file() {
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# bulk_orders CUSTOMER_ID COUNT: COUNT orders inserted in SQL, 2026-01-01 to 2026-01-07 (so many
# share a service date and the id breaks the tie).
bulk_orders() {
	stack_sql "INSERT INTO orders (tenant_id, customer_id, number, type, service_date, service)
		SELECT '$TENANT_ID', '$1', 'BULK-' || left('$1', 8) || '-' || g, 'minis',
		       date '2026-01-01' + (g % 7), 'Minis pickup'
		FROM generate_series(1, $2) g"
}

# orders_ids [QUERY]: the ids of the first page of GET /v1/portal/orders?QUERY, one per line.
orders_ids() {
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders${1:+?$1}" || return 1
	fixture_expect 200 "list orders ${1-}" || return 1
	jq -r '.items[].id' <<<"$body"
}

@test "rule 14: an order in the list shows number, service date, service, status, location address, asset id, description and amount" {
	account_with_user
	create_location "$CUSTOMER_ID"
	create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l, type: "live_load",
		service_date: "2026-10-02", service: "Live load, garage clean-out", status: "completed",
		asset_id: "LL-7", description: "Back alley\nGate code 1234", amount_cents: 18900}')"
	local order=$ORDER_ID number=$ORDER_NUMBER

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/orders
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '(.items | length) == 1 and .next_cursor == null'
	assert_jq '.items[0] | keys_unsorted == ["id", "number", "type", "service_date", "service",
		"status", "location", "asset_id", "description", "amount_cents", "service_request_id"]'
	assert_jq --arg id "$order" --arg n "$number" --arg l "$LOCATION_ID" '.items[0] |
		.id == $id and .number == $n and .type == "live_load" and .service_date == "2026-10-02"
		and .service == "Live load, garage clean-out" and .status == "completed"
		and .asset_id == "LL-7" and .description == "Back alley\nGate code 1234"
		and .amount_cents == 18900 and .location.id == $l
		and .location.address_line == "12 Oak St, Springfield, IL 62701"
		and .location.address.line1 == "12 Oak St"'
}

@test "an order without a location, asset or description shows them as null" {
	account_with_user
	create_order "$CUSTOMER_ID"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$ORDER_ID"
	assert_status 200
	assert_jq '.location == null and .asset_id == null and .description == null and .amount_cents == 0'
	assert_jq '.status == "scheduled" and .type == "dumpster" and .service_date == "2026-11-24"'
}

@test "GET /v1/portal/orders/{id} answers the order with the list's columns" {
	account_with_user
	create_location "$CUSTOMER_ID"
	create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l, asset_id: "D20-1", amount_cents: 42500}')"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/orders
	local listed
	listed=$(jq -c '.items[0]' <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$ORDER_ID"
	assert_status 200
	assert_header Cache-Control no-store
	[[ $(jq -c . <<<"$body") == "$listed" ]] || fail "the order differs from its list item: $listed"
}

@test "orders come newest service date first, ties broken by id, the same on every call" {
	account_with_user
	create_order "$CUSTOMER_ID" '{"service_date": "2026-01-05"}'
	local old=$ORDER_ID
	create_order "$CUSTOMER_ID" '{"service_date": "2026-03-01"}'
	local tie1=$ORDER_ID
	create_order "$CUSTOMER_ID" '{"service_date": "2026-03-01"}'
	local tie2=$ORDER_ID
	create_order "$CUSTOMER_ID" '{"service_date": "2025-12-31"}'
	local oldest=$ORDER_ID
	local first second expected
	expected=$(printf '%s\n' "$tie1" "$tie2" | LC_ALL=C sort -r)
	expected=$(printf '%s\n%s\n%s' "$expected" "$old" "$oldest")
	first=$(orders_ids)
	second=$(orders_ids)
	[[ $first == "$expected" ]] || fail "order: got $first, expected $expected"
	[[ $first == "$second" ]] || fail "two calls differ"
}

@test "paging: pages follow next_cursor without overlap or gap, even with new orders in between" {
	account_with_user
	bulk_orders "$CUSTOMER_ID" 45
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/orders
	assert_status 200
	assert_jq '(.items | length) == 25 and (.next_cursor | type) == "string"'

	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?limit=20"
	assert_jq '(.items | length) == 20'
	local page1 cursor
	page1=$(jq -r '.items[].id' <<<"$body")
	cursor=$(jq -r .next_cursor <<<"$body")
	# A newer order and an older one arrive between the two requests.
	create_order "$CUSTOMER_ID" '{"service_date": "2027-01-01"}'
	create_order "$CUSTOMER_ID" '{"service_date": "2020-01-01"}'
	local oldest=$ORDER_ID

	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?limit=20&cursor=$cursor"
	assert_status 200
	assert_jq '(.items | length) == 20 and (.next_cursor | type) == "string"'
	local page2
	page2=$(jq -r '.items[].id' <<<"$body")
	cursor=$(jq -r .next_cursor <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?limit=20&cursor=$cursor"
	assert_jq --arg o "$oldest" '(.items | length) == 6 and .next_cursor == null and .items[-1].id == $o'
	local page3
	page3=$(jq -r '.items[].id' <<<"$body")

	local all
	all=$(printf '%s\n%s\n%s\n' "$page1" "$page2" "$page3")
	(($(sort -u <<<"$all" | wc -l) == 46)) || fail "pages overlap: $(sort <<<"$all" | uniq -d)"
	# Across the pages the order is still service date, then id, both descending.
	stack_sql "SELECT id FROM orders WHERE customer_id = '$CUSTOMER_ID' AND service_date < '2027-01-01'
		ORDER BY service_date DESC, id DESC" >"$BATS_TEST_TMPDIR/expected"
	[[ $all == "$(cat "$BATS_TEST_TMPDIR/expected")" ]] || fail "pages are not in list order"
}

@test "filter status: only orders with that status" {
	account_with_user
	create_order "$CUSTOMER_ID" '{"status": "completed"}'
	local done=$ORDER_ID
	create_order "$CUSTOMER_ID" '{"status": "cancelled"}'
	create_order "$CUSTOMER_ID"
	[[ $(orders_ids status=completed) == "$done" ]] || fail "status=completed: $(orders_ids status=completed)"
	[[ $(orders_ids status=in_progress) == "" ]] || fail "status=in_progress should be empty"
	(($(orders_ids | wc -l) == 3)) || fail "no filter should list all three"
}

@test "filter from and to: an inclusive service date range, either end open" {
	account_with_user
	local -A at
	for d in 2026-01-31 2026-02-01 2026-02-15 2026-02-28 2026-03-01; do
		create_order "$CUSTOMER_ID" "$(jq -cn --arg d "$d" '{service_date: $d}')"
		at[$d]=$ORDER_ID
	done
	[[ $(orders_ids "from=2026-02-01&to=2026-02-28") == "$(printf '%s\n' "${at[2026-02-28]}" "${at[2026-02-15]}" "${at[2026-02-01]}")" ]] ||
		fail "from..to: $(orders_ids "from=2026-02-01&to=2026-02-28")"
	[[ $(orders_ids "from=2026-02-28") == "$(printf '%s\n' "${at[2026-03-01]}" "${at[2026-02-28]}")" ]] ||
		fail "from only"
	[[ $(orders_ids "to=2026-02-01") == "$(printf '%s\n' "${at[2026-02-01]}" "${at[2026-01-31]}")" ]] ||
		fail "to only"
	[[ $(orders_ids "from=2026-02-15&to=2026-02-15") == "${at[2026-02-15]}" ]] || fail "one day"
	[[ $(orders_ids "from=2026-02-02&to=2026-02-14") == "" ]] || fail "an empty range"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?from=2026-02-01&to=2026-02-28&status=scheduled&limit=2"
	assert_status 200
	assert_jq --arg a "${at[2026-02-28]}" --arg b "${at[2026-02-15]}" '[.items[].id] == [$a, $b]'
	local cursor
	cursor=$(jq -r .next_cursor <<<"$body")
	[[ $(orders_ids "from=2026-02-01&to=2026-02-28&status=scheduled&limit=2&cursor=$cursor") == "${at[2026-02-01]}" ]] ||
		fail "the second page keeps the range"
	# A cursor from a wider list (its last item is 2026-03-01) still stops at `to`.
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?limit=1"
	cursor=$(jq -r .next_cursor <<<"$body")
	[[ $(orders_ids "to=2026-02-28&cursor=$cursor") == "$(printf '%s\n' "${at[2026-02-28]}" "${at[2026-02-15]}" "${at[2026-02-01]}" "${at[2026-01-31]}")" ]] ||
		fail "to the day before the cursor: $(orders_ids "to=2026-02-28&cursor=$cursor")"
	[[ $(orders_ids "to=2026-02-14&cursor=$cursor") == "$(printf '%s\n' "${at[2026-02-01]}" "${at[2026-01-31]}")" ]] ||
		fail "to well before the cursor"
}

@test "from and to must be real dates, and to not before from" {
	account_with_user
	for bad in 2026-02-30 2026-13-01 20260101 2026-1-5 yesterday ''; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?from=$bad"
		assert_problem 422 invalid_parameter
		assert_field_error from invalid_parameter
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?to=$bad"
		assert_field_error to invalid_parameter
	done
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?from=2026-03-01&to=2026-02-28"
	assert_problem 422 invalid_parameter
	assert_field_errors_exactly to
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?from=2024-02-29&to=2024-02-29"
	assert_status 200
}

@test "filter location_id: only the orders at that location of the account, an inactive one too" {
	account_with_user
	create_location "$CUSTOMER_ID"
	local home=$LOCATION_ID
	create_location "$CUSTOMER_ID" '{"address": {"line1": "400 Commerce Dr"}}'
	local yard=$LOCATION_ID
	create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$home" '{location_id: $l}')"
	local at_home=$ORDER_ID
	create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$yard" '{location_id: $l}')"
	local at_yard=$ORDER_ID
	create_order "$CUSTOMER_ID"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?location_id=$home"
	assert_status 200
	assert_jq --arg o "$at_home" '[.items[].id] == [$o]'
	assert_jq '.items[0].location.address_line == "12 Oak St, Springfield, IL 62701"'
	[[ $(orders_ids "location_id=$yard") == "$at_yard" ]] || fail "yard"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/locations/$yard" '{"active": false}'
	assert_status 200
	[[ $(orders_ids "location_id=$yard") == "$at_yard" ]] || fail "an inactive location still filters"
}

@test "filters combine: status, location and service date range together, paged" {
	account_with_user
	create_location "$CUSTOMER_ID"
	local home=$LOCATION_ID
	create_location "$CUSTOMER_ID"
	local want=()
	for d in 2026-05-04 2026-05-03 2026-05-02 2026-05-01; do
		create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$home" --arg d "$d" '{location_id: $l, service_date: $d, status: "completed"}')"
		[[ $d == 2026-05-04 ]] || want+=("$ORDER_ID")
		create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$home" --arg d "$d" '{location_id: $l, service_date: $d}')"
		create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" --arg d "$d" '{location_id: $l, service_date: $d, status: "completed"}')"
	done
	local q="status=completed&location_id=$home&to=2026-05-03"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?$q&limit=2"
	assert_status 200
	assert_jq --arg a "${want[0]}" --arg b "${want[1]}" '[.items[].id] == [$a, $b] and (.next_cursor | type) == "string"'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?$q&limit=2&cursor=$(jq -r .next_cursor <<<"$body")"
	assert_jq --arg c "${want[2]}" '[.items[].id] == [$c] and .next_cursor == null'
	[[ $(orders_ids "$q&from=2026-05-02") == "$(printf '%s\n' "${want[0]}" "${want[1]}")" ]] || fail "with from"
}

@test "location_id must be a location of this account: another account's, another tenant's, unknown or malformed answer 422" {
	account_with_user
	local mine=$CUSTOMER_ID token=$PORTAL_TOKEN
	create_customer
	create_location "$CUSTOMER_ID"
	local theirs=$LOCATION_ID
	# The account has no order at all: the location is still checked.
	for id in "$theirs" "$(cat /proc/sys/kernel/random/uuid)"; do
		with_bearer "$token" GET "/v1/portal/orders?location_id=$id"
		assert_problem 422 invalid_parameter
		assert_field_errors_exactly location_id
	done
	create_order "$mine"
	with_bearer "$token" GET "/v1/portal/orders?location_id=$theirs"
	assert_field_error location_id invalid_parameter
	with_bearer "$token" GET "/v1/portal/orders?location_id=not-a-uuid"
	assert_problem 422 invalid_parameter
	assert_field_errors_exactly location_id

	local staff=$STAFF_TOKEN
	new_staff_token
	create_customer
	create_location "$CUSTOMER_ID"
	STAFF_TOKEN=$staff
	with_bearer "$token" GET "/v1/portal/orders?location_id=$LOCATION_ID"
	assert_field_error location_id invalid_parameter
}

@test "the list refuses unknown parameters, bad limits, bad statuses and bad cursors, naming each" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?type=dumpster"
	assert_problem 422 unknown_parameter
	assert_field_error type unknown_parameter
	for limit in 0 101 -1 abc 2.5; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?limit=$limit"
		assert_problem 422 invalid_parameter
		assert_field_errors_exactly limit
	done
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?status=done"
	assert_field_error status invalid_parameter
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?cursor=garbage"
	assert_problem 422 invalid_cursor
	# A cursor of another list (keyed by an instant, not a date) is refused too.
	create_location "$CUSTOMER_ID"
	create_location "$CUSTOMER_ID"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/locations?limit=1"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?cursor=$(jq -r .next_cursor <<<"$body")"
	assert_problem 422 invalid_cursor
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders?limit=0&status=x&from=x&to=y&location_id=z&extra=1"
	assert_problem 422 validation_failed
	assert_field_errors_exactly limit status from to location_id extra
}

@test "isolation: another account of the same user is not found until the user switches to it" {
	create_customer
	local first=$CUSTOMER_ID
	create_order "$first"
	local first_order=$ORDER_ID
	create_customer
	local second=$CUSTOMER_ID
	create_order "$second"
	local second_order=$ORDER_ID
	portal_user "$(new_address multi)" "$first" "$second" # ends with the second selected

	[[ $(orders_ids) == "$second_order" ]] || fail "the second account's list: $(orders_ids)"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$first_order"
	assert_problem 404 not_found
	switch_to "$first"
	[[ $(orders_ids) == "$first_order" ]] || fail "after switching: $(orders_ids)"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$first_order"
	assert_status 200
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$second_order"
	assert_problem 404 not_found
}

@test "isolation: another customer's order, another tenant's order, an unknown or malformed id all answer 404" {
	account_with_user
	local token=$PORTAL_TOKEN
	create_customer
	create_order "$CUSTOMER_ID"
	local other_customer=$ORDER_ID
	local staff=$STAFF_TOKEN
	new_staff_token
	create_customer
	create_order "$CUSTOMER_ID"
	local other_tenant=$ORDER_ID
	STAFF_TOKEN=$staff
	for id in "$other_customer" "$other_tenant" "$(cat /proc/sys/kernel/random/uuid)" not-a-uuid 12345; do
		with_bearer "$token" GET "/v1/portal/orders/$id"
		assert_problem 404 not_found
	done
	with_bearer "$token" GET /v1/portal/orders
	assert_jq '.items == []'
}

@test "staff tokens and API keys are refused with 403 forbidden, no token with 401" {
	account_with_user
	create_order "$CUSTOMER_ID"
	new_api_key
	for token in "$STAFF_TOKEN" "$API_KEY"; do
		with_bearer "$token" GET /v1/portal/orders
		assert_problem 403 forbidden
		with_bearer "$token" GET "/v1/portal/orders/$ORDER_ID"
		assert_problem 403 forbidden
	done
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/portal/orders
	assert_problem 401 unauthorized
	with_bearer not-a-token GET "/v1/portal/orders/$ORDER_ID"
	assert_problem 401 invalid_token
}

@test "a user of several accounts who has not chosen one gets 403 account_selection_required" {
	create_customer
	local first=$CUSTOMER_ID
	create_order "$first"
	create_customer
	local email
	email=$(new_address multi)
	portal_user "$email" "$first" "$CUSTOMER_ID"
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD"
	assert_jq '.account_selection_required == true'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/orders
	assert_problem 403 account_selection_required
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$ORDER_ID"
	assert_problem 403 account_selection_required
}

@test "rule 1: with the hauler's portal switched off the orders answer 403 portal_disabled" {
	new_staff_token
	enable_portal "$TENANT_SLUG"
	account_with_user
	create_order "$CUSTOMER_ID"
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	assert_status 200
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/orders
	assert_problem 403 portal_disabled
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$ORDER_ID"
	assert_problem 403 portal_disabled
}
