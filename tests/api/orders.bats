#!/usr/bin/env bats
# Back office: a customer's orders (list with filters, create, read, update).

load helpers

ORDER_KEYS='["amount_cents","asset_id","created_at","customer_id","description","id","location_id","number","service","service_date","service_request_id","status","type","updated_at"]'

setup_file() {
	start_stack
	# Tenant B: a neighbour whose staff and key must never see tenant A's orders, nor A B's.
	new_staff_token admin other
	export B_TOKEN=$STAFF_TOKEN
	new_api_key b-sync
	export B_KEY=$API_KEY
	create_customer
	export B_CUSTOMER=$CUSTOMER_ID
	create_location "$B_CUSTOMER"
	export B_LOCATION=$LOCATION_ID
	create_order "$B_CUSTOMER" '{"service": "B delivery"}'
	export B_ORDER=$ORDER_ID B_ORDER_NUMBER=$ORDER_NUMBER
}

teardown_file() {
	stop_stack
}

# Every test runs in a fresh tenant A with one customer and one of its locations.
setup() {
	new_staff_token
	create_customer
	create_location "$CUSTOMER_ID"
}

# order_doc [JSON_OVERRIDES]: a valid create body with a fresh number.
order_doc() {
	local over=${1-}
	[[ -n $over ]] || over='{}'
	jq -cn --arg n "$(unique_number ORD)" --argjson o "$over" \
		'{number: $n, type: "dumpster", service_date: "2026-11-24", service: "20 yd dumpster delivery"} + $o'
}

# invalid_order METHOD PATH FIELD CODES BODY: the request answers 422 naming FIELD (only).
invalid_order() {
	staff_api "$STAFF_TOKEN" "$1" "$2" "$5"
	assert_field_error "$3" "$4"
	assert_field_errors_exactly "$3"
}

# body_problems METHOD PATH: the request answers 400/413/415 for a body that is not a JSON object.
body_problems() {
	# direct: the proxy parses JSON bodies and rejects unparseable ones before forwarding.
	api_direct "$1" "$2" '{"number": ' -H "Authorization: Bearer $STAFF_TOKEN"
	assert_problem 400 malformed_json
	staff_api "$STAFF_TOKEN" "$1" "$2" '42'
	assert_problem 400 body_not_object
	staff_api "$STAFF_TOKEN" "$1" "$2" '' -H 'Content-Type: application/json'
	assert_problem 400 body_required
	staff_api "$STAFF_TOKEN" "$1" "$2" "$(order_doc)" -H 'Content-Type: application/x-www-form-urlencoded'
	assert_problem 415 unsupported_media_type
	staff_api "$STAFF_TOKEN" "$1" "$2" "$(order_doc "$(jq -cn --arg d "$(head -c 70000 /dev/zero | tr '\0' d)" '{description: $d}')")"
	assert_problem 413 payload_too_large
}

@test "staff record an order: 201, Location, every member stored as sent; a read and the list agree" {
	local id created number
	number=$(unique_number ORD)
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/orders" \
		"$(jq -cn --arg n "$number" --arg l "$LOCATION_ID" '{number: (" " + $n + " "), type: "live_load", service_date: "2026-11-24",
			service: " Live load, 30 yd ", status: "in_progress", location_id: $l, asset_id: " D30-4 ",
			description: "Gate code 1234.\nCall on arrival.", amount_cents: 42500}')"
	assert_status 201
	assert_content_type application/json
	assert_header Cache-Control no-store
	assert_jq "keys == $ORDER_KEYS"
	id=$(jq -r .id <<<"$body")
	assert_header Location "/v1/admin/orders/$id"
	assert_json .customer_id "$CUSTOMER_ID"
	assert_json .number "$number"
	assert_json .type live_load
	assert_json .service_date 2026-11-24
	assert_json .service 'Live load, 30 yd'
	assert_json .status in_progress
	assert_json .location_id "$LOCATION_ID"
	assert_json .asset_id D30-4
	assert_jq '.description == "Gate code 1234.\nCall on arrival."'
	assert_jq '.amount_cents == 42500'
	created=$body
	staff_api "$STAFF_TOKEN" GET "/v1/admin/orders/$id"
	assert_status 200
	assert_header Cache-Control no-store
	[[ $(jq -S . <<<"$body") == "$(jq -S . <<<"$created")" ]] || fail "GET differs from the create answer: $body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders"
	assert_status 200
	assert_jq '.next_cursor == null and (.items | length) == 1'
	[[ $(jq -S '.items[0]' <<<"$body") == "$(jq -S . <<<"$created")" ]] || fail "the list differs from the create answer"
}

@test "an API key records, reads and changes orders like staff; status defaults to scheduled, amount to 0" {
	new_api_key
	with_bearer "$API_KEY" POST "/v1/admin/customers/$CUSTOMER_ID/orders" "$(order_doc '{"type": "minis"}')"
	assert_status 201
	assert_jq '.status == "scheduled" and .amount_cents == 0 and .location_id == null and .asset_id == null and .description == null'
	assert_json .type minis
	local id
	id=$(jq -r .id <<<"$body")
	with_bearer "$API_KEY" GET "/v1/admin/orders/$id"
	assert_status 200
	assert_json .service '20 yd dumpster delivery'
	with_bearer "$API_KEY" PATCH "/v1/admin/orders/$id" '{"status": "completed", "amount_cents": 9900}'
	assert_status 200
	assert_jq '.status == "completed" and .amount_cents == 9900'
	with_bearer "$API_KEY" GET "/v1/admin/customers/$CUSTOMER_ID/orders"
	assert_jq ".items | length == 1 and .[0].id == \"$id\" and .[0].status == \"completed\""
}

@test "every type and status is accepted; explicit nulls leave optional members empty" {
	local t s
	for t in dumpster live_load minis; do
		staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/orders" "$(order_doc "{\"type\": \"$t\"}")"
		assert_status 201
		assert_json .type "$t"
	done
	for s in pending scheduled in_progress completed cancelled; do
		staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/orders" "$(order_doc "{\"status\": \"$s\"}")"
		assert_status 201
		assert_json .status "$s"
	done
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/orders" \
		"$(order_doc '{"location_id": null, "asset_id": null, "description": null, "amount_cents": 99999999999}')"
	assert_status 201
	assert_jq '.location_id == null and .asset_id == null and .description == null and .amount_cents == 99999999999'
}

@test "an order number already used in the tenant answers 409 order_number_taken; another tenant may use it" {
	create_order "$CUSTOMER_ID"
	local number=$ORDER_NUMBER first=$ORDER_ID customer=$CUSTOMER_ID
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$customer/orders" "$(order_doc "{\"number\": \"$number\", \"service\": \"Again\"}")"
	assert_problem 409 order_number_taken
	# for another customer of the same tenant too
	create_customer
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/orders" "$(order_doc "{\"number\": \"$number\"}")"
	assert_problem 409 order_number_taken
	# renaming another order to it
	create_order "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/orders/$ORDER_ID" "{\"number\": \"$number\", \"status\": \"cancelled\"}"
	assert_problem 409 order_number_taken
	staff_api "$STAFF_TOKEN" GET "/v1/admin/orders/$ORDER_ID"
	assert_jq ".number != \"$number\" and .status == \"scheduled\""
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$customer/orders"
	assert_jq "[.items[].id] == [\"$first\"]"
	# tenant B's number is free here, and A's is free in B
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$customer/orders" "$(order_doc "{\"number\": \"$B_ORDER_NUMBER\"}")"
	assert_status 201
	staff_api "$B_TOKEN" POST "/v1/admin/customers/$B_CUSTOMER/orders" "$(order_doc "{\"number\": \"$number\"}")"
	assert_status 201
}

@test "a location of another customer, of another tenant or of nobody answers 422 invalid_reference on location_id" {
	local customer=$CUSTOMER_ID mine=$LOCATION_ID loc
	create_customer
	create_location "$CUSTOMER_ID"
	local neighbour=$LOCATION_ID
	for loc in "$neighbour" "$B_LOCATION" 6f1c1a52-1111-4c4c-9d9d-0123456789ab; do
		staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$customer/orders" "$(order_doc "{\"location_id\": \"$loc\"}")"
		assert_problem 422 invalid_reference
		assert_field_error location_id invalid_reference
		assert_field_errors_exactly location_id
	done
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$customer/orders"
	assert_jq '.items == []'
	create_order "$customer" "{\"location_id\": \"$mine\"}"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/orders/$ORDER_ID" "{\"location_id\": \"$neighbour\"}"
	assert_problem 422 invalid_reference
	assert_field_error location_id invalid_reference
	staff_api "$STAFF_TOKEN" GET "/v1/admin/orders/$ORDER_ID"
	assert_json .location_id "$mine"
}

@test "create: missing required members are all reported" {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/orders" '{"amount_cents": 100}'
	assert_problem 422 required
	assert_field_errors_exactly number type service_date service
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/orders" '{"number": null, "type": null, "service_date": null, "service": null}'
	assert_problem 422 required
	assert_field_errors_exactly number type service_date service
}

@test "create: bad values and wrong types answer 422 naming each field, and nothing is stored" {
	local path=/v1/admin/customers/$CUSTOMER_ID/orders
	invalid_order POST "$path" type invalid_value "$(order_doc '{"type": "roll_off"}')"
	invalid_order POST "$path" status invalid_value "$(order_doc '{"status": "done"}')"
	invalid_order POST "$path" status wrong_type "$(order_doc '{"status": null}')"
	invalid_order POST "$path" service_date invalid_date "$(order_doc '{"service_date": "2026-11-31"}')"
	invalid_order POST "$path" service_date invalid_date "$(order_doc '{"service_date": "tomorrow"}')"
	invalid_order POST "$path" service_date wrong_type "$(order_doc '{"service_date": 20261124}')"
	invalid_order POST "$path" amount_cents out_of_range "$(order_doc '{"amount_cents": -1}')"
	invalid_order POST "$path" amount_cents out_of_range "$(order_doc '{"amount_cents": 100000000000}')"
	invalid_order POST "$path" amount_cents wrong_type "$(order_doc '{"amount_cents": 10.5}')"
	invalid_order POST "$path" amount_cents wrong_type "$(order_doc '{"amount_cents": null}')"
	invalid_order POST "$path" location_id invalid_format "$(order_doc '{"location_id": "yard-1"}')"
	invalid_order POST "$path" number too_short "$(order_doc '{"number": "  "}')"
	invalid_order POST "$path" number too_long "$(order_doc "$(jq -cn --arg n "$(printf 'n%.0s' {1..41})" '{number: $n}')")"
	invalid_order POST "$path" number wrong_type "$(order_doc '{"number": 10482}')"
	invalid_order POST "$path" service too_long "$(order_doc "$(jq -cn --arg s "$(printf 's%.0s' {1..201})" '{service: $s}')")"
	invalid_order POST "$path" asset_id too_long "$(order_doc "$(jq -cn --arg a "$(printf 'a%.0s' {1..41})" '{asset_id: $a}')")"
	invalid_order POST "$path" description too_long "$(order_doc "$(jq -cn --arg d "$(printf 'd%.0s' {1..1001})" '{description: $d}')")"
	invalid_order POST "$path" description invalid_format "$(order_doc '{"description": "bell\u0007"}')"
	invalid_order POST "$path" customer_id unknown_field "$(order_doc "{\"customer_id\": \"$CUSTOMER_ID\"}")"
	assert_json .code unknown_field
	staff_api "$STAFF_TOKEN" POST "$path" "$(order_doc '{"type": "skip", "amount_cents": "free", "colour": "red"}')"
	assert_problem 422 validation_failed
	assert_field_errors_exactly type amount_cents colour
	staff_api "$STAFF_TOKEN" GET "$path"
	assert_jq '.items == []'
}

@test "create: bodies that are not a JSON object answer 400, 413 or 415" {
	body_problems POST "/v1/admin/customers/$CUSTOMER_ID/orders"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders"
	assert_jq '.items == []'
}

@test "create under an unknown or malformed customer id answers 404 not_found" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/6f1c1a52-1111-4c4c-9d9d-0123456789ab/orders "$(order_doc)"
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/not-a-uuid/orders "$(order_doc)"
	assert_problem 404 not_found
}

@test "PATCH changes only what is sent; null clears location_id, asset_id and description" {
	local before number
	create_order "$CUSTOMER_ID" "{\"location_id\": \"$LOCATION_ID\", \"asset_id\": \"D20-117\", \"description\": \"Left side\", \"amount_cents\": 42500}"
	before=$body
	number=$(unique_number NEW)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/orders/$ORDER_ID" \
		"{\"number\": \"$number\", \"type\": \"live_load\", \"service_date\": \"2026-12-01\", \"service\": \"Live load\", \"status\": \"pending\"}"
	assert_status 200
	assert_json .number "$number"
	assert_json .type live_load
	assert_json .service_date 2026-12-01
	assert_json .service 'Live load'
	assert_json .status pending
	[[ $(jq -S '{location_id, asset_id, description, amount_cents, id, customer_id, created_at}' <<<"$body") == \
		"$(jq -S '{location_id, asset_id, description, amount_cents, id, customer_id, created_at}' <<<"$before")" ]] ||
		fail "members not sent changed: $body"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/orders/$ORDER_ID" '{"location_id": null, "asset_id": null, "description": null}'
	assert_status 200
	assert_jq '.location_id == null and .asset_id == null and .description == null and .amount_cents == 42500'
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/orders/$ORDER_ID" "{\"location_id\": \"$LOCATION_ID\", \"amount_cents\": 0, \"status\": \"cancelled\"}"
	assert_status 200
	assert_jq '.amount_cents == 0 and .status == "cancelled" and .updated_at > .created_at'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/orders/$ORDER_ID"
	assert_jq ".location_id == \"$LOCATION_ID\" and .status == \"cancelled\" and .amount_cents == 0 and .asset_id == null and .number == \"$number\""
}

@test "PATCH refuses an empty body, nulls of required members, bad values and unknown members" {
	create_order "$CUSTOMER_ID"
	local path=/v1/admin/orders/$ORDER_ID m
	invalid_order PATCH "$path" body required '{}'
	for m in number type service_date service status amount_cents; do
		invalid_order PATCH "$path" "$m" wrong_type "{\"$m\": null}"
	done
	invalid_order PATCH "$path" status invalid_value '{"status": "lost"}'
	invalid_order PATCH "$path" service_date invalid_date '{"service_date": "2026-02-29"}'
	invalid_order PATCH "$path" amount_cents out_of_range '{"amount_cents": -5}'
	invalid_order PATCH "$path" id unknown_field '{"id": "x"}'
	body_problems PATCH "$path"
	staff_api "$STAFF_TOKEN" GET "$path"
	assert_jq ".status == \"scheduled\" and .amount_cents == 0 and .service_date == \"2026-11-24\" and .number == \"$ORDER_NUMBER\""
}

@test "unknown and malformed order ids answer 404 not_found" {
	local id
	create_order "$CUSTOMER_ID"
	for id in 6f1c1a52-1111-4c4c-9d9d-0123456789ab not-a-uuid "$CUSTOMER_ID" "$ORDER_NUMBER"; do
		staff_api "$STAFF_TOKEN" GET "/v1/admin/orders/$id"
		assert_problem 404 not_found
		staff_api "$STAFF_TOKEN" PATCH "/v1/admin/orders/$id" '{"status": "completed"}'
		assert_problem 404 not_found
	done
}

@test "the list holds only this customer's orders, newest service date first, and 404s for an unknown customer" {
	local customer=$CUSTOMER_ID
	create_order "$customer" '{"service": "Middle", "service_date": "2026-11-20"}'
	create_order "$customer" '{"service": "Newest", "service_date": "2026-12-05"}'
	create_order "$customer" '{"service": "Oldest", "service_date": "2025-01-31"}'
	create_customer
	create_order "$CUSTOMER_ID" '{"service": "Elsewhere"}'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$customer/orders"
	assert_status 200
	assert_jq '[.items[].service] == ["Newest", "Middle", "Oldest"] and .next_cursor == null'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders"
	assert_jq '[.items[].service] == ["Elsewhere"]'
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/6f1c1a52-1111-4c4c-9d9d-0123456789ab/orders
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/nope/orders
	assert_problem 404 not_found
}

@test "status and type filter the list, alone or together" {
	create_order "$CUSTOMER_ID" '{"service": "D-sched", "type": "dumpster", "service_date": "2026-11-01"}'
	create_order "$CUSTOMER_ID" '{"service": "D-done", "type": "dumpster", "status": "completed", "service_date": "2026-11-02"}'
	create_order "$CUSTOMER_ID" '{"service": "L-done", "type": "live_load", "status": "completed", "service_date": "2026-11-03"}'
	create_order "$CUSTOMER_ID" '{"service": "M-pend", "type": "minis", "status": "pending", "service_date": "2026-11-04"}'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders?status=completed"
	assert_status 200
	assert_jq '[.items[].service] == ["L-done", "D-done"]'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders?type=dumpster"
	assert_jq '[.items[].service] == ["D-done", "D-sched"]'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders?type=dumpster&status=completed"
	assert_jq '[.items[].service] == ["D-done"]'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders?status=cancelled"
	assert_jq '.items == [] and .next_cursor == null'
	# a filtered list pages too
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders?status=completed&limit=1"
	assert_jq '[.items[].service] == ["L-done"] and (.next_cursor | type == "string")'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders?status=completed&limit=1&cursor=$(jq -r .next_cursor <<<"$body")"
	assert_jq '[.items[].service] == ["D-done"] and .next_cursor == null'
}

@test "bad filter values, limits, cursors and unknown parameters answer 422 naming each one" {
	local path=/v1/admin/customers/$CUSTOMER_ID/orders forged limit
	staff_api "$STAFF_TOKEN" GET "$path?status=done"
	assert_problem 422 invalid_parameter
	assert_field_error status invalid_parameter
	assert_field_errors_exactly status
	staff_api "$STAFF_TOKEN" GET "$path?type=roll_off"
	assert_field_error type invalid_parameter
	assert_field_errors_exactly type
	staff_api "$STAFF_TOKEN" GET "$path?type=&status=Completed"
	assert_field_errors_exactly status type
	for limit in 0 101 x; do
		staff_api "$STAFF_TOKEN" GET "$path?limit=$limit"
		assert_field_error limit invalid_parameter
	done
	staff_api "$STAFF_TOKEN" GET "$path?cursor=abc"
	assert_field_error cursor invalid_cursor
	# a well-formed cursor whose key is not a date (e.g. from another list) is refused too
	forged=$(printf '["2026-11-21T14:28:31.204113Z","6f1c1a52-1111-4c4c-9d9d-0123456789ab"]' | base64 -w0 | tr '+/' '-_' | tr -d '=')
	staff_api "$STAFF_TOKEN" GET "$path?cursor=$forged"
	assert_field_error cursor invalid_cursor
	staff_api "$STAFF_TOKEN" GET "$path?from=2026-01-01"
	assert_problem 422 unknown_parameter
	assert_field_error from unknown_parameter
}

@test "the list pages with limit and an opaque cursor to the end, without gaps or repeats, same dates included" {
	local -a seen=()
	local d cursor='' pages=0 expected
	for d in 2026-11-20 2026-11-22 2026-11-22 2026-11-25 2026-11-21 2026-11-22; do
		create_order "$CUSTOMER_ID" "{\"service_date\": \"$d\"}"
	done
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders?limit=100"
	assert_jq '.items | length == 6'
	# newest service date first; orders of one date in a stable (id) order
	expected=$(jq -r '.items | sort_by([.service_date, .id]) | reverse | map(.id) | join(" ")' <<<"$body")
	assert_json '.items | map(.id) | join(" ")' "$expected"
	while :; do
		staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders?limit=1${cursor:+&cursor=$cursor}"
		assert_status 200
		assert_jq '.items | length == 1'
		seen+=("$(jq -r '.items[0].id' <<<"$body")")
		pages=$((pages + 1))
		cursor=$(jq -r '.next_cursor // empty' <<<"$body")
		[[ -n $cursor ]] || break
		((pages < 10)) || fail "paging does not end"
	done
	[[ ${seen[*]} == "$expected" ]] || fail "pages gave ${seen[*]}, expected $expected"
}

@test "tenants are isolated both ways, for staff tokens and API keys" {
	local token
	create_order "$CUSTOMER_ID" '{"service": "A delivery"}'
	new_api_key
	# B cannot see, change or add to A's
	for token in "$B_TOKEN" "$B_KEY"; do
		with_bearer "$token" GET "/v1/admin/orders/$ORDER_ID"
		assert_problem 404 not_found
		with_bearer "$token" PATCH "/v1/admin/orders/$ORDER_ID" '{"status": "cancelled"}'
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/customers/$CUSTOMER_ID/orders"
		assert_problem 404 not_found
		with_bearer "$token" POST "/v1/admin/customers/$CUSTOMER_ID/orders" "$(order_doc)"
		assert_problem 404 not_found
		# nor attach B's own order to A's location
		with_bearer "$token" PATCH "/v1/admin/orders/$B_ORDER" "{\"location_id\": \"$LOCATION_ID\"}"
		assert_problem 422 invalid_reference
	done
	# A cannot see, change or add to B's
	for token in "$STAFF_TOKEN" "$API_KEY"; do
		with_bearer "$token" GET "/v1/admin/orders/$B_ORDER"
		assert_problem 404 not_found
		with_bearer "$token" PATCH "/v1/admin/orders/$B_ORDER" '{"status": "cancelled"}'
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/customers/$B_CUSTOMER/orders"
		assert_problem 404 not_found
		with_bearer "$token" POST "/v1/admin/customers/$B_CUSTOMER/orders" "$(order_doc)"
		assert_problem 404 not_found
	done
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/orders"
	assert_jq '[.items[].service] == ["A delivery"] and .items[0].status == "scheduled"'
	staff_api "$B_TOKEN" GET "/v1/admin/orders/$B_ORDER"
	assert_jq '.service == "B delivery" and .status == "scheduled" and .location_id == null'
}

@test "order endpoints need back-office credentials" {
	create_order "$CUSTOMER_ID"
	# direct: the proxy answers a request without credentials itself
	api_direct GET "/v1/admin/customers/$CUSTOMER_ID/orders"
	assert_problem 401 unauthorized
	api_direct POST "/v1/admin/customers/$CUSTOMER_ID/orders" "$(order_doc)"
	assert_problem 401 unauthorized
	api_direct GET "/v1/admin/orders/$ORDER_ID"
	assert_problem 401 unauthorized
	api_direct PATCH "/v1/admin/orders/$ORDER_ID" '{"status": "cancelled"}'
	assert_problem 401 unauthorized
	with_bearer csk_notARealKeyAtAll00000000000000000000000000 GET "/v1/admin/orders/$ORDER_ID"
	assert_problem 401 invalid_token
	operator_api GET "/v1/admin/customers/$CUSTOMER_ID/orders"
	assert_problem 403 forbidden
	operator_api POST "/v1/admin/customers/$CUSTOMER_ID/orders" "$(order_doc)"
	assert_problem 403 forbidden
	operator_api GET "/v1/admin/orders/$ORDER_ID"
	assert_problem 403 forbidden
	operator_api PATCH "/v1/admin/orders/$ORDER_ID" '{"status": "cancelled"}'
	assert_problem 403 forbidden
	staff_api "$STAFF_TOKEN" GET "/v1/admin/orders/$ORDER_ID"
	assert_jq '.status == "scheduled"'
}
