#!/usr/bin/env bats
# Back office: a customer's recurring pickup services (list, create, read, update, stop).

load helpers

SERVICE_KEYS='["active","container_size","created_at","customer_id","description","frequency","id","location_id","rate_cents","service_day","start_date","updated_at"]'

setup_file() {
	start_stack
	# Tenant B: a neighbour whose staff and key must never see tenant A's services, nor A B's.
	new_staff_token admin other
	export B_TOKEN=$STAFF_TOKEN
	new_api_key b-sync
	export B_KEY=$API_KEY
	create_customer
	export B_CUSTOMER=$CUSTOMER_ID
	create_location "$B_CUSTOMER"
	export B_LOCATION=$LOCATION_ID
	create_service "$B_CUSTOMER" "$B_LOCATION" '{"description": "B trash"}'
	export B_SERVICE=$SERVICE_ID
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

# invalid_service METHOD PATH FIELD CODES BODY: the request answers 422 naming FIELD (only).
invalid_service() {
	staff_api "$STAFF_TOKEN" "$1" "$2" "$5"
	assert_field_error "$3" "$4"
	assert_field_errors_exactly "$3"
}

# service_doc [JSON_OVERRIDES]: a valid create body for the current location.
service_doc() {
	local over=${1-}
	[[ -n $over ]] || over='{}'
	jq -cn --arg l "$LOCATION_ID" --argjson o "$over" \
		'{location_id: $l, description: "Residential trash", frequency: "weekly", rate_cents: 3250} + $o'
}

# body_problems METHOD PATH: the request answers 400/413/415 for a body that is not a JSON object.
body_problems() {
	# direct: the proxy parses JSON bodies and rejects unparseable ones before forwarding.
	api_direct "$1" "$2" '{"description": "x",' -H "Authorization: Bearer $STAFF_TOKEN"
	assert_problem 400 malformed_json
	staff_api "$STAFF_TOKEN" "$1" "$2" '[]'
	assert_problem 400 body_not_object
	staff_api "$STAFF_TOKEN" "$1" "$2" '' -H 'Content-Type: application/json'
	assert_problem 400 body_required
	staff_api "$STAFF_TOKEN" "$1" "$2" "$(service_doc)" -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
	staff_api "$STAFF_TOKEN" "$1" "$2" "$(service_doc "$(jq -cn --arg d "$(head -c 70000 /dev/zero | tr '\0' d)" '{description: $d}')")"
	assert_problem 413 payload_too_large
}

@test "staff add a service: 201, Location, every member stored as sent; a read and the list agree" {
	local id created
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/services" \
		"$(service_doc '{"description": "  Residential trash ", "container_size": " 96 gal cart ", "service_day": "tuesday",
			"start_date": "2026-12-01", "active": true}')"
	assert_status 201
	assert_content_type application/json
	assert_header Cache-Control no-store
	assert_jq "keys == $SERVICE_KEYS"
	id=$(jq -r .id <<<"$body")
	assert_header Location "/v1/admin/services/$id"
	assert_json .customer_id "$CUSTOMER_ID"
	assert_json .location_id "$LOCATION_ID"
	assert_json .description 'Residential trash'
	assert_json .container_size '96 gal cart'
	assert_json .frequency weekly
	assert_json .service_day tuesday
	assert_jq '.rate_cents == 3250'
	assert_jq '.active == true'
	assert_json .start_date 2026-12-01
	created=$body
	staff_api "$STAFF_TOKEN" GET "/v1/admin/services/$id"
	assert_status 200
	assert_header Cache-Control no-store
	[[ $(jq -S . <<<"$body") == "$(jq -S . <<<"$created")" ]] || fail "GET differs from the create answer: $body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/services"
	assert_status 200
	assert_jq ".next_cursor == null and (.items | length) == 1"
	[[ $(jq -S '.items[0]' <<<"$body") == "$(jq -S . <<<"$created")" ]] || fail "the list differs from the create answer"
}

@test "an API key adds, reads and stops services like staff; optional members default" {
	new_api_key
	with_bearer "$API_KEY" POST "/v1/admin/customers/$CUSTOMER_ID/services" "$(service_doc '{"frequency": "on_call", "rate_cents": 0}')"
	assert_status 201
	assert_jq '.container_size == null and .service_day == null and .start_date == null and .active == true'
	assert_jq '.frequency == "on_call" and .rate_cents == 0'
	local id
	id=$(jq -r .id <<<"$body")
	with_bearer "$API_KEY" GET "/v1/admin/services/$id"
	assert_status 200
	assert_json .description 'Residential trash'
	with_bearer "$API_KEY" PATCH "/v1/admin/services/$id" '{"active": false}'
	assert_status 200
	assert_jq '.active == false and .frequency == "on_call"'
	with_bearer "$API_KEY" GET "/v1/admin/customers/$CUSTOMER_ID/services"
	assert_jq ".items | length == 1 and .[0].id == \"$id\" and .[0].active == false"
}

@test "every frequency and weekday is accepted; rate_cents from 0 to 99999999999" {
	local f d
	for f in daily twice_weekly weekly biweekly monthly on_call; do
		staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/services" "$(service_doc "{\"frequency\": \"$f\"}")"
		assert_status 201
		assert_json .frequency "$f"
	done
	for d in monday tuesday wednesday thursday friday saturday sunday; do
		staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/services" "$(service_doc "{\"service_day\": \"$d\"}")"
		assert_status 201
		assert_json .service_day "$d"
	done
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/services" "$(service_doc '{"rate_cents": 99999999999}')"
	assert_status 201
	assert_jq '.rate_cents == 99999999999'
}

@test "a location of another customer, of another tenant or of nobody answers 422 invalid_reference on location_id" {
	local mine=$LOCATION_ID customer=$CUSTOMER_ID loc
	create_customer
	create_location "$CUSTOMER_ID"
	local neighbour=$LOCATION_ID
	for loc in "$neighbour" "$B_LOCATION" 6f1c1a52-1111-4c4c-9d9d-0123456789ab; do
		LOCATION_ID=$loc
		staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$customer/services" "$(service_doc)"
		assert_problem 422 invalid_reference
		assert_field_error location_id invalid_reference
		assert_field_errors_exactly location_id
	done
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$customer/services"
	assert_jq '.items == []'
	# the customer's own location works
	LOCATION_ID=$mine
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$customer/services" "$(service_doc)"
	assert_status 201
}

@test "create: missing required members are all reported" {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/services" '{"container_size": "2 yd"}'
	assert_problem 422 required
	assert_field_errors_exactly location_id description frequency rate_cents
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/services" \
		'{"location_id": null, "description": null, "frequency": null, "rate_cents": null}'
	assert_problem 422 required
	assert_field_errors_exactly location_id description frequency rate_cents
}

@test "create: bad values and wrong types answer 422 naming each field, and nothing is stored" {
	local path=/v1/admin/customers/$CUSTOMER_ID/services
	invalid_service POST "$path" frequency invalid_value "$(service_doc '{"frequency": "fortnightly"}')"
	invalid_service POST "$path" service_day invalid_value "$(service_doc '{"service_day": "Monday"}')"
	invalid_service POST "$path" rate_cents out_of_range "$(service_doc '{"rate_cents": -1}')"
	invalid_service POST "$path" rate_cents out_of_range "$(service_doc '{"rate_cents": 100000000000}')"
	invalid_service POST "$path" rate_cents wrong_type "$(service_doc '{"rate_cents": 12.5}')"
	invalid_service POST "$path" rate_cents wrong_type "$(service_doc '{"rate_cents": "3250"}')"
	invalid_service POST "$path" start_date invalid_date "$(service_doc '{"start_date": "2026-02-30"}')"
	invalid_service POST "$path" start_date invalid_date "$(service_doc '{"start_date": "12/01/2026"}')"
	invalid_service POST "$path" location_id invalid_format "$(service_doc '{"location_id": "not-a-uuid"}')"
	invalid_service POST "$path" location_id wrong_type "$(service_doc '{"location_id": 42}')"
	invalid_service POST "$path" active wrong_type "$(service_doc '{"active": "no"}')"
	invalid_service POST "$path" description too_short "$(service_doc '{"description": "  "}')"
	invalid_service POST "$path" description too_long "$(service_doc "$(jq -cn --arg d "$(printf 'd%.0s' {1..201})" '{description: $d}')")"
	invalid_service POST "$path" container_size too_long "$(service_doc "$(jq -cn --arg c "$(printf 'c%.0s' {1..41})" '{container_size: $c}')")"
	invalid_service POST "$path" description invalid_format "$(service_doc '{"description": "two\nlines"}')"
	invalid_service POST "$path" customer_id unknown_field "$(service_doc "{\"customer_id\": \"$CUSTOMER_ID\"}")"
	assert_json .code unknown_field
	staff_api "$STAFF_TOKEN" POST "$path" "$(service_doc '{"frequency": "hourly", "rate_cents": -5, "colour": "red"}')"
	assert_problem 422 validation_failed
	assert_field_errors_exactly frequency rate_cents colour
	staff_api "$STAFF_TOKEN" GET "$path"
	assert_jq '.items == []'
}

@test "create: bodies that are not a JSON object answer 400, 413 or 415" {
	body_problems POST "/v1/admin/customers/$CUSTOMER_ID/services"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/services"
	assert_jq '.items == []'
}

@test "create under an unknown or malformed customer id answers 404 not_found" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/6f1c1a52-1111-4c4c-9d9d-0123456789ab/services "$(service_doc)"
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/not-a-uuid/services "$(service_doc)"
	assert_problem 404 not_found
}

@test "PATCH changes only what is sent; null clears optional members; stop with active false" {
	local first=$LOCATION_ID before
	create_service "$CUSTOMER_ID" "$first" '{"container_size": "2 yd", "service_day": "friday", "start_date": "2026-01-05"}'
	before=$body
	create_location "$CUSTOMER_ID" '{"name": "Second"}'
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/services/$SERVICE_ID" \
		"{\"location_id\": \"$LOCATION_ID\", \"description\": \" Recycling \", \"frequency\": \"biweekly\", \"rate_cents\": 1800}"
	assert_status 200
	assert_json .location_id "$LOCATION_ID"
	assert_json .description Recycling
	assert_json .frequency biweekly
	assert_jq '.rate_cents == 1800'
	[[ $(jq -S '{container_size, service_day, start_date, active, id, customer_id, created_at}' <<<"$body") == \
		"$(jq -S '{container_size, service_day, start_date, active, id, customer_id, created_at}' <<<"$before")" ]] ||
		fail "members not sent changed: $body"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/services/$SERVICE_ID" '{"container_size": null, "service_day": null, "start_date": null}'
	assert_status 200
	assert_jq '.container_size == null and .service_day == null and .start_date == null'
	assert_json .description Recycling
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/services/$SERVICE_ID" '{"active": false}'
	assert_status 200
	assert_jq '.active == false and .updated_at > .created_at'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/services/$SERVICE_ID"
	assert_jq ".active == false and .rate_cents == 1800 and .location_id == \"$LOCATION_ID\" and .service_day == null"
}

@test "PATCH to another customer's location answers 422 invalid_reference and changes nothing" {
	local customer=$CUSTOMER_ID mine=$LOCATION_ID
	create_service "$customer" "$mine"
	create_customer
	create_location "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/services/$SERVICE_ID" "{\"location_id\": \"$LOCATION_ID\", \"rate_cents\": 1}"
	assert_problem 422 invalid_reference
	assert_field_error location_id invalid_reference
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/services/$SERVICE_ID" "{\"location_id\": \"$B_LOCATION\"}"
	assert_field_error location_id invalid_reference
	staff_api "$STAFF_TOKEN" GET "/v1/admin/services/$SERVICE_ID"
	assert_json .location_id "$mine"
	assert_jq '.rate_cents == 3250'
}

@test "PATCH refuses an empty body, nulls of required members, bad values and unknown members" {
	create_service "$CUSTOMER_ID" "$LOCATION_ID"
	local path=/v1/admin/services/$SERVICE_ID m
	invalid_service PATCH "$path" body required '{}'
	for m in location_id description frequency rate_cents active; do
		invalid_service PATCH "$path" "$m" wrong_type "{\"$m\": null}"
	done
	invalid_service PATCH "$path" frequency invalid_value '{"frequency": "yearly"}'
	invalid_service PATCH "$path" rate_cents out_of_range '{"rate_cents": -100}'
	invalid_service PATCH "$path" customer_id unknown_field "{\"customer_id\": \"$CUSTOMER_ID\"}"
	body_problems PATCH "$path"
	staff_api "$STAFF_TOKEN" GET "$path"
	assert_jq '.frequency == "weekly" and .rate_cents == 3250 and .active == true and .description == "Residential trash"'
}

@test "unknown and malformed service ids answer 404 not_found" {
	local id
	create_service "$CUSTOMER_ID" "$LOCATION_ID"
	for id in 6f1c1a52-1111-4c4c-9d9d-0123456789ab not-a-uuid "$LOCATION_ID"; do
		staff_api "$STAFF_TOKEN" GET "/v1/admin/services/$id"
		assert_problem 404 not_found
		staff_api "$STAFF_TOKEN" PATCH "/v1/admin/services/$id" '{"active": false}'
		assert_problem 404 not_found
	done
}

@test "the list holds only this customer's services, oldest first, and 404s for an unknown customer" {
	local customer=$CUSTOMER_ID
	create_service "$customer" "$LOCATION_ID" '{"description": "First"}'
	create_service "$customer" "$LOCATION_ID" '{"description": "Second", "active": false}'
	create_customer
	create_location "$CUSTOMER_ID"
	create_service "$CUSTOMER_ID" "$LOCATION_ID" '{"description": "Elsewhere"}'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$customer/services"
	assert_status 200
	assert_jq '[.items[].description] == ["First", "Second"] and [.items[].active] == [true, false] and .next_cursor == null'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/services"
	assert_jq '[.items[].description] == ["Elsewhere"]'
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/6f1c1a52-1111-4c4c-9d9d-0123456789ab/services
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/nope/services
	assert_problem 404 not_found
}

@test "the list pages with limit and an opaque cursor to the end, without gaps or repeats" {
	local -a made=() seen=()
	local i cursor='' pages=0
	for i in 1 2 3 4 5; do
		create_service "$CUSTOMER_ID" "$LOCATION_ID" "{\"description\": \"S$i\"}"
		made+=("$SERVICE_ID")
	done
	while :; do
		staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/services?limit=1${cursor:+&cursor=$cursor}"
		assert_status 200
		assert_jq '.items | length == 1'
		seen+=("$(jq -r '.items[0].id' <<<"$body")")
		pages=$((pages + 1))
		cursor=$(jq -r '.next_cursor // empty' <<<"$body")
		[[ -n $cursor ]] || break
		((pages < 10)) || fail "paging does not end"
	done
	[[ ${seen[*]} == "${made[*]}" ]] || fail "pages gave ${seen[*]}, expected ${made[*]}"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/services?limit=4"
	assert_jq '[.items[].description] == ["S1", "S2", "S3", "S4"] and (.next_cursor | type == "string")'
	cursor=$(jq -r .next_cursor <<<"$body")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/services?limit=4&cursor=$cursor"
	assert_jq '[.items[].description] == ["S5"] and .next_cursor == null'
}

@test "bad query parameters answer 422 naming each one" {
	local path=/v1/admin/customers/$CUSTOMER_ID/services forged limit
	for limit in 0 101 ten; do
		staff_api "$STAFF_TOKEN" GET "$path?limit=$limit"
		assert_field_error limit invalid_parameter
	done
	staff_api "$STAFF_TOKEN" GET "$path?cursor=@@@"
	assert_field_error cursor invalid_cursor
	forged=$(printf '["2026-11-24","6f1c1a52-1111-4c4c-9d9d-0123456789ab"]' | base64 -w0 | tr '+/' '-_' | tr -d '=')
	staff_api "$STAFF_TOKEN" GET "$path?cursor=$forged"
	assert_field_error cursor invalid_cursor
	staff_api "$STAFF_TOKEN" GET "$path?active=false"
	assert_problem 422 unknown_parameter
	assert_field_error active unknown_parameter
}

@test "tenants are isolated both ways, for staff tokens and API keys" {
	local token
	create_service "$CUSTOMER_ID" "$LOCATION_ID" '{"description": "A trash"}'
	new_api_key
	# B cannot see, change or add to A's
	for token in "$B_TOKEN" "$B_KEY"; do
		with_bearer "$token" GET "/v1/admin/services/$SERVICE_ID"
		assert_problem 404 not_found
		with_bearer "$token" PATCH "/v1/admin/services/$SERVICE_ID" '{"active": false}'
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/customers/$CUSTOMER_ID/services"
		assert_problem 404 not_found
		with_bearer "$token" POST "/v1/admin/customers/$CUSTOMER_ID/services" "$(service_doc)"
		assert_problem 404 not_found
		# nor point B's own service at A's location
		with_bearer "$token" PATCH "/v1/admin/services/$B_SERVICE" "{\"location_id\": \"$LOCATION_ID\"}"
		assert_problem 422 invalid_reference
	done
	# A cannot see, change or add to B's
	for token in "$STAFF_TOKEN" "$API_KEY"; do
		with_bearer "$token" GET "/v1/admin/services/$B_SERVICE"
		assert_problem 404 not_found
		with_bearer "$token" PATCH "/v1/admin/services/$B_SERVICE" '{"active": false}'
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/customers/$B_CUSTOMER/services"
		assert_problem 404 not_found
		with_bearer "$token" POST "/v1/admin/customers/$B_CUSTOMER/services" \
			"$(jq -cn --arg l "$B_LOCATION" '{location_id: $l, description: "x", frequency: "weekly", rate_cents: 1}')"
		assert_problem 404 not_found
	done
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/services"
	assert_jq '[.items[].description] == ["A trash"] and .items[0].active == true'
	staff_api "$B_TOKEN" GET "/v1/admin/customers/$B_CUSTOMER/services"
	assert_jq "[.items[].description] == [\"B trash\"] and .items[0].active == true and .items[0].location_id == \"$B_LOCATION\""
}

@test "service endpoints need back-office credentials" {
	create_service "$CUSTOMER_ID" "$LOCATION_ID"
	# direct: the proxy answers a request without credentials itself
	api_direct GET "/v1/admin/customers/$CUSTOMER_ID/services"
	assert_problem 401 unauthorized
	api_direct POST "/v1/admin/customers/$CUSTOMER_ID/services" "$(service_doc)"
	assert_problem 401 unauthorized
	api_direct GET "/v1/admin/services/$SERVICE_ID"
	assert_problem 401 unauthorized
	api_direct PATCH "/v1/admin/services/$SERVICE_ID" '{"active": false}'
	assert_problem 401 unauthorized
	with_bearer csk_notARealKeyAtAll00000000000000000000000000 GET "/v1/admin/services/$SERVICE_ID"
	assert_problem 401 invalid_token
	operator_api GET "/v1/admin/customers/$CUSTOMER_ID/services"
	assert_problem 403 forbidden
	operator_api POST "/v1/admin/customers/$CUSTOMER_ID/services" "$(service_doc)"
	assert_problem 403 forbidden
	operator_api GET "/v1/admin/services/$SERVICE_ID"
	assert_problem 403 forbidden
	operator_api PATCH "/v1/admin/services/$SERVICE_ID" '{"active": false}'
	assert_problem 403 forbidden
	staff_api "$STAFF_TOKEN" GET "/v1/admin/services/$SERVICE_ID"
	assert_jq '.active == true'
}
