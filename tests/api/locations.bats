#!/usr/bin/env bats
# Back office: a customer's service locations (list, create, read, update).

load helpers

LOCATION_KEYS='["active","address","address_line","created_at","customer_id","id","name","updated_at"]'

setup_file() {
	start_stack
	# Tenant B: a neighbour whose staff and key must never see tenant A's locations, nor A B's.
	new_staff_token admin other
	export B_TOKEN=$STAFF_TOKEN
	new_api_key b-sync
	export B_KEY=$API_KEY
	create_customer
	export B_CUSTOMER=$CUSTOMER_ID
	create_location "$B_CUSTOMER" '{"name": "B yard"}'
	export B_LOCATION=$LOCATION_ID
}

teardown_file() {
	stop_stack
}

# Every test runs in a fresh tenant A with one customer.
setup() {
	new_staff_token
	create_customer
}

warehouse() {
	jq -cn '{name: "  Warehouse ", address: {line1: " 400 Commerce Dr ", line2: "Dock 3", city: "Springfield",
		region: "IL", postal_code: "62702", country: "US"}}'
}

# invalid_location METHOD PATH FIELD CODES BODY: the request answers 422 naming FIELD (only).
invalid_location() {
	staff_api "$STAFF_TOKEN" "$1" "$2" "$5"
	assert_field_error "$3" "$4"
	assert_field_errors_exactly "$3"
}

# body_problems METHOD PATH: the request answers 400/413/415 for a body that is not a JSON object.
body_problems() {
	# direct: the proxy parses JSON bodies and rejects unparseable ones before forwarding.
	api_direct "$1" "$2" '{"name": "x",' -H "Authorization: Bearer $STAFF_TOKEN"
	assert_problem 400 malformed_json
	staff_api "$STAFF_TOKEN" "$1" "$2" '[{"name": "x"}]'
	assert_problem 400 body_not_object
	staff_api "$STAFF_TOKEN" "$1" "$2" '' -H 'Content-Type: application/json'
	assert_problem 400 body_required
	staff_api "$STAFF_TOKEN" "$1" "$2" '{"name": "x"}' -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
	staff_api "$STAFF_TOKEN" "$1" "$2" "$(jq -cn --arg n "$(head -c 70000 /dev/zero | tr '\0' n)" '{name: $n}')"
	assert_problem 413 payload_too_large
}

@test "staff add a location: 201, Location, every member stored trimmed; a read agrees" {
	local id created
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/locations" "$(warehouse)"
	assert_status 201
	assert_content_type application/json
	assert_header Cache-Control no-store
	assert_jq "keys == $LOCATION_KEYS"
	id=$(jq -r .id <<<"$body")
	assert_header Location "/v1/admin/locations/$id"
	assert_json .customer_id "$CUSTOMER_ID"
	assert_json .name Warehouse
	assert_jq '.address == {"line1": "400 Commerce Dr", "line2": "Dock 3", "city": "Springfield", "region": "IL", "postal_code": "62702", "country": "US"}'
	assert_json .address_line '400 Commerce Dr, Dock 3, Springfield, IL 62702'
	assert_jq '.active == true'
	assert_jq '.created_at == .updated_at'
	created=$body
	staff_api "$STAFF_TOKEN" GET "/v1/admin/locations/$id"
	assert_status 200
	assert_header Cache-Control no-store
	[[ $(jq -S . <<<"$body") == "$(jq -S . <<<"$created")" ]] || fail "GET differs from the create answer: $body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/locations"
	assert_status 200
	assert_jq "[.items[].id] == [\"$id\"] and .next_cursor == null"
	[[ $(jq -S '.items[0]' <<<"$body") == "$(jq -S . <<<"$created")" ]] || fail "the list differs from the create answer"
}

@test "an API key adds, reads and changes locations like staff; name is optional, active defaults to true" {
	new_api_key
	with_bearer "$API_KEY" POST "/v1/admin/customers/$CUSTOMER_ID/locations" '{"address": {"line1": "9 Elm St"}}'
	assert_status 201
	assert_jq '.name == null and .active == true and .address == {"line1": "9 Elm St", "line2": null, "city": null, "region": null, "postal_code": null, "country": null} and .address_line == "9 Elm St"'
	local id
	id=$(jq -r .id <<<"$body")
	with_bearer "$API_KEY" GET "/v1/admin/locations/$id"
	assert_status 200
	assert_json .address.line1 '9 Elm St'
	with_bearer "$API_KEY" PATCH "/v1/admin/locations/$id" '{"name": "Back lot", "active": false}'
	assert_status 200
	assert_jq '.name == "Back lot" and .active == false'
	with_bearer "$API_KEY" GET "/v1/admin/customers/$CUSTOMER_ID/locations"
	assert_status 200
	assert_jq ".items | length == 1 and .[0].id == \"$id\" and .[0].active == false"
	# an inactive location can be created directly too
	with_bearer "$API_KEY" POST "/v1/admin/customers/$CUSTOMER_ID/locations" '{"address": {"line1": "1 Old Rd"}, "active": false}'
	assert_status 201
	assert_jq '.active == false'
}

@test "create: a missing address or line1 answers 422 required" {
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" address required '{"name": "No address"}'
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" address required '{"address": null}'
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" address.line1 required '{"address": {"city": "Springfield"}}'
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" address.line1 'too_short' '{"address": {"line1": "   "}}'
}

@test "create: unknown members, at the top or in the address, answer 422 unknown_field" {
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" colour unknown_field '{"address": {"line1": "1 A St"}, "colour": "red"}'
	assert_json .code unknown_field
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" address.floor unknown_field '{"address": {"line1": "1 A St", "floor": 2}}'
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" customer_id unknown_field \
		"$(jq -cn --arg c "$CUSTOMER_ID" '{address: {line1: "1 A St"}, customer_id: $c}')"
}

@test "create: wrong types and bad values are all reported at once and nothing is stored" {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/locations" \
		"$(jq -cn --arg n "$(printf 'n%.0s' {1..101})" '{name: $n, address: "12 Oak St", active: "yes"}')"
	assert_problem 422 validation_failed
	assert_field_error name too_long
	assert_field_error address wrong_type
	assert_field_error active wrong_type
	assert_field_errors_exactly name address active
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/locations" \
		'{"name": 7, "address": {"line1": 12, "city": ["x"], "postal_code": "a\nb"}, "active": 1}'
	assert_problem 422 validation_failed
	assert_field_errors_exactly name address.line1 address.city address.postal_code active
	assert_field_error address.postal_code invalid_format
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" name too_short '{"name": " ", "address": {"line1": "1 A St"}}'
	invalid_location POST "/v1/admin/customers/$CUSTOMER_ID/locations" address.line1 too_long \
		"$(jq -cn --arg l "$(printf 'l%.0s' {1..201})" '{address: {line1: $l}}')"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/locations"
	assert_jq '.items == []'
}

@test "create: bodies that are not a JSON object answer 400, 413 or 415" {
	body_problems POST "/v1/admin/customers/$CUSTOMER_ID/locations"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/locations"
	assert_jq '.items == []'
}

@test "create under an unknown or malformed customer id answers 404 not_found" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/6f1c1a52-1111-4c4c-9d9d-0123456789ab/locations '{"address": {"line1": "1 A St"}}'
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/not-a-uuid/locations '{"address": {"line1": "1 A St"}}'
	assert_problem 404 not_found
}

@test "PATCH changes only what is sent; null clears the name; the address is replaced whole" {
	create_location "$CUSTOMER_ID" "$(warehouse)"
	local before
	before=$body
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/locations/$LOCATION_ID" '{"name": null}'
	assert_status 200
	assert_jq '.name == null'
	[[ $(jq -S 'del(.name, .updated_at)' <<<"$body") == "$(jq -S 'del(.name, .updated_at)' <<<"$before")" ]] ||
		fail "members not sent changed: $body"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/locations/$LOCATION_ID" '{"address": {"line1": " 77 Pine Ave ", "city": "Decatur"}}'
	assert_status 200
	assert_jq '.address == {"line1": "77 Pine Ave", "line2": null, "city": "Decatur", "region": null, "postal_code": null, "country": null}'
	assert_json .address_line '77 Pine Ave, Decatur'
	assert_jq '.name == null and .active == true'
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/locations/$LOCATION_ID" '{"name": "Main", "active": false}'
	assert_status 200
	assert_jq '.name == "Main" and .active == false and .address.line1 == "77 Pine Ave"'
	assert_jq '.updated_at > .created_at'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/locations/$LOCATION_ID"
	assert_jq '.name == "Main" and .active == false and .address == {"line1": "77 Pine Ave", "line2": null, "city": "Decatur", "region": null, "postal_code": null, "country": null}'
}

@test "PATCH refuses an empty body, a null address or active, bad values and unknown members" {
	create_location "$CUSTOMER_ID"
	invalid_location PATCH "/v1/admin/locations/$LOCATION_ID" body required '{}'
	invalid_location PATCH "/v1/admin/locations/$LOCATION_ID" address wrong_type '{"address": null}'
	invalid_location PATCH "/v1/admin/locations/$LOCATION_ID" active wrong_type '{"active": null}'
	invalid_location PATCH "/v1/admin/locations/$LOCATION_ID" address.line1 required '{"address": {"city": "X"}}'
	invalid_location PATCH "/v1/admin/locations/$LOCATION_ID" name wrong_type '{"name": false}'
	invalid_location PATCH "/v1/admin/locations/$LOCATION_ID" id unknown_field '{"id": "x"}'
	body_problems PATCH "/v1/admin/locations/$LOCATION_ID"
	# nothing changed
	staff_api "$STAFF_TOKEN" GET "/v1/admin/locations/$LOCATION_ID"
	assert_jq '.name == null and .active == true and .address.line1 == "12 Oak St"'
}

@test "unknown and malformed location ids answer 404 not_found" {
	local id
	for id in 6f1c1a52-1111-4c4c-9d9d-0123456789ab not-a-uuid 6f1c1a52-1111-4c4c-9d9d-0123456789abc; do
		staff_api "$STAFF_TOKEN" GET "/v1/admin/locations/$id"
		assert_problem 404 not_found
		staff_api "$STAFF_TOKEN" PATCH "/v1/admin/locations/$id" '{"active": false}'
		assert_problem 404 not_found
	done
	# a customer id is not a location id
	staff_api "$STAFF_TOKEN" GET "/v1/admin/locations/$CUSTOMER_ID"
	assert_problem 404 not_found
}

@test "the list holds only this customer's locations, oldest first, and 404s for an unknown customer" {
	local first other
	create_location "$CUSTOMER_ID" '{"name": "First"}'
	first=$LOCATION_ID
	create_location "$CUSTOMER_ID" '{"name": "Second"}'
	local customer=$CUSTOMER_ID
	create_customer
	create_location "$CUSTOMER_ID" '{"name": "Elsewhere"}'
	other=$CUSTOMER_ID
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$customer/locations"
	assert_status 200
	assert_jq '[.items[].name] == ["First", "Second"] and .next_cursor == null'
	assert_json '.items[0].id' "$first"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$other/locations"
	assert_jq '[.items[].name] == ["Elsewhere"]'
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/6f1c1a52-1111-4c4c-9d9d-0123456789ab/locations
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/nope/locations
	assert_problem 404 not_found
}

@test "the list pages with limit and an opaque cursor to the end, without gaps or repeats" {
	local -a made=() seen=()
	local i cursor pages=0
	for i in 1 2 3 4 5; do
		create_location "$CUSTOMER_ID" "{\"name\": \"L$i\"}"
		made+=("$LOCATION_ID")
	done
	cursor=''
	while :; do
		staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/locations?limit=1${cursor:+&cursor=$cursor}"
		assert_status 200
		assert_jq '.items | length == 1'
		seen+=("$(jq -r '.items[0].id' <<<"$body")")
		pages=$((pages + 1))
		cursor=$(jq -r '.next_cursor // empty' <<<"$body")
		[[ -n $cursor ]] || break
		((pages < 10)) || fail "paging does not end"
	done
	[[ ${seen[*]} == "${made[*]}" ]] || fail "pages gave ${seen[*]}, expected ${made[*]}"
	# a larger page: two then the rest
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/locations?limit=2"
	assert_jq '[.items[].name] == ["L1", "L2"] and (.next_cursor | type == "string")'
	cursor=$(jq -r .next_cursor <<<"$body")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/locations?limit=3&cursor=$cursor"
	assert_jq '[.items[].name] == ["L3", "L4", "L5"] and .next_cursor == null'
}

@test "bad query parameters answer 422 naming each one" {
	local path=/v1/admin/customers/$CUSTOMER_ID/locations forged
	for limit in 0 101 abc -1 ''; do
		staff_api "$STAFF_TOKEN" GET "$path?limit=$limit"
		assert_field_error limit invalid_parameter
	done
	staff_api "$STAFF_TOKEN" GET "$path?cursor=not-a-cursor"
	assert_field_error cursor invalid_cursor
	# a well-formed cursor whose key is not an instant (e.g. from another list) is refused too
	forged=$(printf '["Bob Smith","6f1c1a52-1111-4c4c-9d9d-0123456789ab"]' | base64 -w0 | tr '+/' '-_' | tr -d '=')
	staff_api "$STAFF_TOKEN" GET "$path?cursor=$forged"
	assert_field_error cursor invalid_cursor
	forged=$(printf '["2026-13-01T00:00:00.000000Z","6f1c1a52-1111-4c4c-9d9d-0123456789ab"]' | base64 -w0 | tr '+/' '-_' | tr -d '=')
	staff_api "$STAFF_TOKEN" GET "$path?cursor=$forged"
	assert_field_error cursor invalid_cursor
	staff_api "$STAFF_TOKEN" GET "$path?active=true&limit=0"
	assert_problem 422 validation_failed
	assert_field_error active unknown_parameter
	assert_field_error limit invalid_parameter
}

@test "tenants are isolated both ways, for staff tokens and API keys" {
	local token
	create_location "$CUSTOMER_ID" '{"name": "A yard"}'
	new_api_key
	# B cannot see, change or add to A's
	for token in "$B_TOKEN" "$B_KEY"; do
		with_bearer "$token" GET "/v1/admin/locations/$LOCATION_ID"
		assert_problem 404 not_found
		with_bearer "$token" PATCH "/v1/admin/locations/$LOCATION_ID" '{"name": "Hijacked"}'
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/customers/$CUSTOMER_ID/locations"
		assert_problem 404 not_found
		with_bearer "$token" POST "/v1/admin/customers/$CUSTOMER_ID/locations" '{"address": {"line1": "1 Intruder Way"}}'
		assert_problem 404 not_found
	done
	# A cannot see, change or add to B's
	for token in "$STAFF_TOKEN" "$API_KEY"; do
		with_bearer "$token" GET "/v1/admin/locations/$B_LOCATION"
		assert_problem 404 not_found
		with_bearer "$token" PATCH "/v1/admin/locations/$B_LOCATION" '{"active": false}'
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/customers/$B_CUSTOMER/locations"
		assert_problem 404 not_found
		with_bearer "$token" POST "/v1/admin/customers/$B_CUSTOMER/locations" '{"address": {"line1": "1 Intruder Way"}}'
		assert_problem 404 not_found
	done
	# both are unchanged
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/locations"
	assert_jq '[.items[].name] == ["A yard"]'
	staff_api "$B_TOKEN" GET "/v1/admin/customers/$B_CUSTOMER/locations"
	assert_jq '[.items[].name] == ["B yard"] and .items[0].active == true'
}

@test "location endpoints need back-office credentials" {
	create_location "$CUSTOMER_ID"
	# direct: the proxy answers a request without credentials itself
	api_direct GET "/v1/admin/customers/$CUSTOMER_ID/locations"
	assert_problem 401 unauthorized
	api_direct POST "/v1/admin/customers/$CUSTOMER_ID/locations" '{"address": {"line1": "1 A St"}}'
	assert_problem 401 unauthorized
	api_direct GET "/v1/admin/locations/$LOCATION_ID"
	assert_problem 401 unauthorized
	api_direct PATCH "/v1/admin/locations/$LOCATION_ID" '{"active": false}'
	assert_problem 401 unauthorized
	with_bearer csk_notARealKeyAtAll00000000000000000000000000 GET "/v1/admin/locations/$LOCATION_ID"
	assert_problem 401 invalid_token
	operator_api GET "/v1/admin/customers/$CUSTOMER_ID/locations"
	assert_problem 403 forbidden
	operator_api POST "/v1/admin/customers/$CUSTOMER_ID/locations" '{"address": {"line1": "1 A St"}}'
	assert_problem 403 forbidden
	operator_api GET "/v1/admin/locations/$LOCATION_ID"
	assert_problem 403 forbidden
	operator_api PATCH "/v1/admin/locations/$LOCATION_ID" '{"active": false}'
	assert_problem 403 forbidden
	staff_api "$STAFF_TOKEN" GET "/v1/admin/locations/$LOCATION_ID"
	assert_jq '.active == true'
}

@test "a billing staff user keeps locations too" {
	new_staff_token billing
	create_customer
	create_location "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/locations/$LOCATION_ID" '{"name": "Billing set"}'
	assert_status 200
	assert_json .name 'Billing set'
}
