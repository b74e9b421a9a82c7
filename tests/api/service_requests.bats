#!/usr/bin/env bats
# Service requests from the portal (issue 25, item 2): the selected account asks for what the
# hauler's catalog offers at one of its locations (Idempotency-Key required), within the lead
# time, the cutoff and the days the hauler serves, computed in the hauler's time zone at the
# server's clock (CURBSIDE_CLOCK_FILE: no test reads the real one); lists and reads its requests
# with their history; cancels one while it is new. Throttled per user; isolated per account,
# customer and tenant.

load helpers

setup_file() {
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock
	: >"$CLOCK_FILE"
	STACK_ENV=(CURBSIDE_CLOCK_FILE="$CLOCK_FILE")
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# set_clock INSTANT: what the server takes as now (RFC 3339).
set_clock() {
	printf '%s\n' "$1" >"$CLOCK_FILE"
}

# A hauler in Chicago that serves Monday to Saturday, closed on 2027-03-09 (a Tuesday); swaps
# are not offered.
CATALOG='{
  "closed_weekdays": ["sunday"],
  "closed_dates": ["2027-03-09"],
  "request_types": {
    "roll_off_delivery": {"enabled": true, "lead_days": 2, "cutoff_time": "14:00",
      "sizes": [{"code": "20yd", "name": "20-yard roll-off", "price_cents": 42500, "rental_days": 7}]},
    "extra_pickup": {"enabled": true, "lead_days": 1, "cutoff_time": "14:00", "price_cents": 2500},
    "missed_pickup": {"enabled": true, "lead_days": 0, "cutoff_time": "12:00"},
    "vacation_hold": {"enabled": true, "lead_days": 2, "max_days": 21},
    "roll_off_swap": {"enabled": false, "price_cents": 9500},
    "roll_off_removal": {"enabled": true, "lead_days": 1, "price_cents": 0}
  }
}'

# hauler_account: a fresh tenant in Chicago with CATALOG, a customer with a location, a weekly
# service there and a delivered roll-off there, and a portal user signed in to it. The clock is
# Friday 2027-03-05 at 10:00 CST. Sets STAFF_TOKEN, TENANT_ID, CUSTOMER_ID, LOCATION_ID,
# SERVICE_ID, ORDER_ID, USER_ID, USER_EMAIL, PORTAL_TOKEN.
hauler_account() {
	portal_tenant '{"time_zone": "America/Chicago"}'
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/service-catalog "$CATALOG"
	fixture_expect 200 "save the catalog"
	account_with_user
	create_location "$CUSTOMER_ID"
	create_service "$CUSTOMER_ID" "$LOCATION_ID"
	create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l, status: "in_progress"}')"
	set_clock 2027-03-05T16:00:00Z
}

# ask JSON [KEY]: POST /v1/portal/service-requests as PORTAL_TOKEN with Idempotency-Key KEY (a
# new one unless given).
ask() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/service-requests "$1" \
		-H "Idempotency-Key: ${2:-$(new_idempotency_key)}"
}

# request_doc TYPE DATE [JSON_OVERRIDES]: a request body at LOCATION_ID.
request_doc() {
	local over=${3-}
	[[ -n $over ]] || over='{}'
	jq -cn --arg t "$1" --arg d "$2" --arg l "$LOCATION_ID" --argjson o "$over" \
		'{type: $t, location_id: $l, date: $d} + $o'
}

# requests_on_record: how many requests the account has.
requests_on_record() {
	stack_sql "SELECT count(*) FROM service_requests WHERE customer_id = '$CUSTOMER_ID'"
}

@test "a roll-off delivery is asked for: 201 new, the size's price and rental days, the history" {
	hauler_account
	ask "$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd", "note": "  On the driveway  "}')"
	assert_status 201
	assert_header Cache-Control no-store
	assert_jq --arg l "$LOCATION_ID" '.type == "roll_off_delivery" and .name == "Roll-off delivery"
		and .status == "new" and (.number | test("^SR-[0-9A-F]{8}$")) and .location.id == $l
		and .location.address_line == "12 Oak St, Springfield, IL 62701"
		and .size == "20yd" and .size_name == "20-yard roll-off" and .rental_days == 7
		and .date == "2027-03-08" and .end_date == null and .price_cents == 42500
		and .note == "On the driveway" and .service_id == null and .order_id == null
		and .scheduled_date == null and .decline_reason == null
		and (.history | length) == 1 and .history[0].status == "new" and .history[0].by == "customer"'
	local id created=$body
	id=$(jq -r .id <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$id"
	assert_status 200
	[[ $(jq -S . <<<"$body") == "$(jq -S . <<<"$created")" ]] || fail "GET differs from the 201 answer"
	# The record keeps who asked (the event's actor) and the claim it was made under.
	[[ $(stack_sql "SELECT e.actor_kind, e.portal_user_id = r.portal_user_id, r.portal_user_id = '$USER_ID', r.idempotency_claim IS NOT NULL FROM service_requests r JOIN service_request_events e ON e.request_id = r.id WHERE r.id = '$id'") == "customer|t|t|t" ]] ||
		fail "the request's actor is not on record"
}

@test "each offered type: extra and missed pickups of a routed service, a vacation hold, a roll-off removal" {
	hauler_account
	ask "$(request_doc extra_pickup 2027-03-06 "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')")"
	assert_status 201
	assert_jq --arg s "$SERVICE_ID" '.service_id == $s and .price_cents == 2500 and .size == null'
	ask "$(request_doc missed_pickup 2027-03-05 "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s, note: "Bin was out by 6 AM."}')")"
	assert_status 201
	assert_jq '.price_cents == 0 and .date == "2027-03-05"'
	ask "$(request_doc vacation_hold 2027-03-08 '{"end_date": "2027-03-28"}')"
	assert_status 201
	assert_jq '.end_date == "2027-03-28" and .price_cents == 0'
	ask "$(request_doc roll_off_removal 2027-03-06 "$(jq -cn --arg o "$ORDER_ID" '{order_id: $o}')")"
	assert_status 201
	assert_jq --arg o "$ORDER_ID" '.order_id == $o and .price_cents == 0'
	# A hold may start on a day the hauler does not serve.
	ask "$(request_doc vacation_hold 2027-03-14 '{"end_date": "2027-03-20"}')"
	assert_status 201
	[[ $(requests_on_record) == 5 ]] || fail "expected 5 requests on record"
}

@test "a type the hauler does not offer online is refused on type" {
	hauler_account
	ask "$(request_doc roll_off_swap 2027-03-08 "$(jq -cn --arg o "$ORDER_ID" '{order_id: $o}')")"
	assert_problem 422 request_type_not_offered
	assert_field_error type request_type_not_offered
	[[ $(requests_on_record) == 0 ]] || fail "a refused request was recorded"
}

@test "a date inside the lead time is refused on date, naming the first possible date" {
	hauler_account
	# Friday 10:00: a delivery needs 2 open days, and Sunday is closed: Monday.
	ask "$(request_doc roll_off_delivery 2027-03-06 '{"size": "20yd"}')"
	assert_problem 422 date_too_soon
	assert_field_error date date_too_soon
	assert_jq '.detail == "The first possible date is 2027-03-08 (Monday): roll-off delivery requests need 2 days'"'"' notice, by 2:00 PM."'
	ask "$(request_doc roll_off_delivery 2027-03-04 '{"size": "20yd"}')"
	assert_problem 422 date_too_soon
	[[ $(requests_on_record) == 0 ]] || fail "a refused request was recorded"
}

@test "past the cutoff in the hauler's time zone, tomorrow is refused" {
	hauler_account
	local doc
	doc=$(request_doc extra_pickup 2027-03-06 "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')")
	# 13:59 CST: Saturday is still possible.
	set_clock 2027-03-05T19:59:00Z
	ask "$doc"
	assert_status 201
	# 14:00 CST (20:00 UTC): the request counts as made on Saturday; Sunday is closed: Monday.
	set_clock 2027-03-05T20:00:00Z
	ask "$doc"
	assert_problem 422 date_too_soon
	assert_field_error date date_too_soon
	assert_jq '.detail | startswith("The first possible date is 2027-03-08 (Monday): extra pickup requests need 1 day'"'"'s notice, by 2:00 PM")'
}

@test "a closed weekday or closed date is refused on date, naming the first possible date" {
	hauler_account
	local svc
	svc=$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')
	ask "$(request_doc extra_pickup 2027-03-07 "$svc")"
	assert_problem 422 date_closed
	assert_field_error date date_closed
	assert_jq '.detail == "There is no service on 2027-03-07 (Sunday); the first possible date is 2027-03-06 (Saturday)."'
	ask "$(request_doc extra_pickup 2027-03-09 "$svc")"
	assert_problem 422 date_closed
	assert_jq '.detail | contains("2027-03-09 (Tuesday)") and contains("2027-03-06 (Saturday)")'
	# More than a year after the first possible date.
	ask "$(request_doc extra_pickup 2028-03-08 "$svc")"
	assert_problem 422 date_too_far
	assert_field_error date date_too_far
	[[ $(requests_on_record) == 0 ]] || fail "a refused request was recorded"
}

@test "a vacation hold ends on or after its start and lasts at most the catalog's days" {
	hauler_account
	ask "$(request_doc vacation_hold 2027-03-10 '{"end_date": "2027-03-09"}')"
	assert_problem 422 end_before_start
	assert_field_error end_date end_before_start
	# 21 days at most, both ends counted: 2027-03-08 to 2027-03-28.
	ask "$(request_doc vacation_hold 2027-03-08 '{"end_date": "2027-03-29"}')"
	assert_problem 422 hold_too_long
	assert_field_error end_date hold_too_long
	assert_jq '.detail == "A vacation hold lasts at most 21 days: end it by 2027-03-28."'
	# Its start keeps the lead time.
	ask "$(request_doc vacation_hold 2027-03-06 '{"end_date": "2027-03-10"}')"
	assert_problem 422 date_too_soon
}

@test "each type takes its own members: every bad or missing one is reported at once" {
	hauler_account
	ask "$(request_doc roll_off_delivery 2027-03-08 "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s, note: 5}')")"
	assert_problem 422 validation_failed
	assert_field_errors_exactly size service_id note
	assert_field_error size required
	assert_field_error service_id unknown_field
	assert_field_error note wrong_type
	ask '{"type": "compost", "location_id": "x", "date": "2027-02-30", "end_date": "2027-03-10", "colour": 1}'
	assert_field_errors_exactly type location_id date colour
	assert_field_error type invalid_value
	ask '{}'
	assert_problem 422 required
	assert_field_errors_exactly type location_id date
	ask "$(request_doc vacation_hold 2027-03-08)"
	assert_field_errors_exactly end_date
	ask "$(request_doc missed_pickup 2027-03-08 "$(jq -cn --arg n "$(printf 'n%.0s' {1..1001})" '{note: $n}')")"
	assert_field_errors_exactly service_id note
	# direct: the proxy cannot forward a body that is not JSON
	api_direct POST /v1/portal/service-requests '{"type": ' -H "Authorization: Bearer $PORTAL_TOKEN" \
		-H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 400 malformed_json
	[[ $(requests_on_record) == 0 ]] || fail "a refused request was recorded"
}

@test "what the request is about must be the account's: location, routed service, delivered roll-off, size" {
	hauler_account
	local mine_location=$LOCATION_ID mine_service=$SERVICE_ID mine_order=$ORDER_ID own_customer=$CUSTOMER_ID
	# Another customer of the same hauler, with its own location, service and roll-off.
	create_customer
	create_location "$CUSTOMER_ID"
	create_service "$CUSTOMER_ID" "$LOCATION_ID"
	create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l, status: "in_progress"}')"
	local their_location=$LOCATION_ID their_service=$SERVICE_ID their_order=$ORDER_ID
	CUSTOMER_ID=$own_customer LOCATION_ID=$mine_location

	LOCATION_ID=$their_location
	ask "$(request_doc missed_pickup 2027-03-05 "$(jq -cn --arg s "$their_service" '{service_id: $s}')")"
	assert_problem 422 invalid_reference
	assert_field_error location_id invalid_reference
	LOCATION_ID=$mine_location
	ask "$(request_doc missed_pickup 2027-03-05 "$(jq -cn --arg s "$their_service" '{service_id: $s}')")"
	assert_field_error service_id invalid_reference
	ask "$(request_doc roll_off_removal 2027-03-06 "$(jq -cn --arg o "$their_order" '{order_id: $o}')")"
	assert_field_error order_id invalid_reference
	# A roll-off not yet delivered cannot be removed.
	create_order "$own_customer" "$(jq -cn --arg l "$mine_location" '{location_id: $l, status: "scheduled"}')"
	ask "$(request_doc roll_off_removal 2027-03-06 "$(jq -cn --arg o "$ORDER_ID" '{order_id: $o}')")"
	assert_field_error order_id invalid_reference
	ask "$(request_doc roll_off_delivery 2027-03-08 '{"size": "40yd"}')"
	assert_problem 422 invalid_value
	assert_field_error size invalid_value
	assert_jq '.detail == "Choose one of the sizes offered: 20yd."'
	# An inactive location takes no request.
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/locations/$mine_location" '{"active": false}'
	fixture_expect 200 "deactivate the location"
	ask "$(request_doc missed_pickup 2027-03-05 "$(jq -cn --arg s "$mine_service" '{service_id: $s}')")"
	assert_field_error location_id invalid_reference
	[[ $(requests_on_record) == 0 ]] || fail "a refused request was recorded"
	: "$mine_order"
}

@test "Idempotency-Key: required, a replay answers the first request, another body is refused, a refusal does not use it up" {
	hauler_account
	local doc key
	doc=$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd"}')
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/service-requests "$doc"
	assert_problem 400 idempotency_key_required
	key=$(new_idempotency_key)
	ask "$doc" "$key"
	assert_status 201
	local first=$body
	ask "$doc" "$key"
	assert_status 201
	assert_header Idempotent-Replayed true
	[[ $(jq -r .id <<<"$body") == "$(jq -r .id <<<"$first")" ]] || fail "the replay is another request"
	ask "$(request_doc roll_off_delivery 2027-03-10 '{"size": "20yd"}')" "$key"
	assert_problem 422 idempotency_key_reused
	[[ $(requests_on_record) == 1 ]] || fail "expected one request on record"
	# A refused date leaves the key free for the corrected request.
	key=$(new_idempotency_key)
	ask "$(request_doc roll_off_delivery 2027-03-06 '{"size": "20yd"}')" "$key"
	assert_problem 422 date_too_soon
	ask "$(request_doc roll_off_delivery 2027-03-06 '{"size": "20yd"}')" "$key"
	assert_problem 422 date_too_soon
	set_clock 2027-03-03T16:00:00Z
	ask "$(request_doc roll_off_delivery 2027-03-06 '{"size": "20yd"}')" "$key"
	assert_status 201
}

@test "the list: newest first, filtered by status and type, keyset pages" {
	hauler_account
	local svc ids=()
	svc=$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')
	ask "$(request_doc missed_pickup 2027-03-05 "$svc")"
	ids+=("$(jq -r .id <<<"$body")")
	ask "$(request_doc extra_pickup 2027-03-06 "$svc")"
	ids+=("$(jq -r .id <<<"$body")")
	ask "$(request_doc vacation_hold 2027-03-08 '{"end_date": "2027-03-12"}')"
	ids+=("$(jq -r .id <<<"$body")")
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/${ids[1]}/cancel"
	assert_status 200

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-requests
	assert_status 200
	assert_jq --arg a "${ids[2]}" --arg b "${ids[1]}" --arg c "${ids[0]}" \
		'[.items[].id] == [$a, $b, $c] and .next_cursor == null and (.items[0] | has("history") | not)'
	with_bearer "$PORTAL_TOKEN" GET '/v1/portal/service-requests?status=cancelled'
	assert_jq --arg b "${ids[1]}" '[.items[].id] == [$b]'
	with_bearer "$PORTAL_TOKEN" GET '/v1/portal/service-requests?type=missed_pickup&status=new'
	assert_jq --arg c "${ids[0]}" '[.items[].id] == [$c]'

	with_bearer "$PORTAL_TOKEN" GET '/v1/portal/service-requests?limit=2'
	assert_jq --arg a "${ids[2]}" --arg b "${ids[1]}" '[.items[].id] == [$a, $b] and (.next_cursor | type) == "string"'
	local cursor
	cursor=$(jq -r .next_cursor <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests?limit=2&cursor=$cursor"
	assert_jq --arg c "${ids[0]}" '[.items[].id] == [$c] and .next_cursor == null'

	with_bearer "$PORTAL_TOKEN" GET '/v1/portal/service-requests?status=open&kind=x'
	assert_problem 422 validation_failed
	assert_field_errors_exactly status kind
}

@test "a new request can be cancelled once; one the hauler acted on cannot" {
	hauler_account
	ask "$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd"}')"
	local id
	id=$(jq -r .id <<<"$body")
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$id/cancel"
	assert_status 200
	assert_jq '.status == "cancelled" and [.history[] | [.status, .by]] == [["new", "customer"], ["cancelled", "customer"]]
		and .updated_at >= .created_at'
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$id/cancel"
	assert_problem 409 service_request_not_cancellable
	# The staff queue (a later increment) moves requests on; its effect is simulated here.
	ask "$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd"}')"
	id=$(jq -r .id <<<"$body")
	stack_sql "UPDATE service_requests SET status = 'accepted' WHERE id = '$id'" >/dev/null
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$id/cancel"
	assert_problem 409 service_request_not_cancellable
	assert_jq '.detail | test("^Request SR-[0-9A-F]{8} is accepted; only a new request can be cancelled")'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$id"
	assert_jq '.status == "accepted"'
}

@test "another account, customer or hauler never sees or cancels a request: 404 like a missing one" {
	hauler_account
	ask "$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd"}')"
	local id first_customer=$CUSTOMER_ID first_token=$PORTAL_TOKEN
	id=$(jq -r .id <<<"$body")
	# The same user's other account.
	create_customer
	local second=$CUSTOMER_ID
	PORTAL_TOKEN=$first_token
	portal_user "$USER_EMAIL" "$second"
	switch_to "$second"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$id"
	assert_problem 404 not_found
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$id/cancel"
	assert_problem 404 not_found
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-requests
	assert_jq '.items == []'
	# Its locations are not the first account's either.
	ask "$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd"}')"
	assert_field_error location_id invalid_reference
	# Another customer's user of the same hauler.
	unset PORTAL_TOKEN
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$id"
	assert_problem 404 not_found
	# Another hauler's customer.
	unset PORTAL_TOKEN
	portal_tenant
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$id"
	assert_problem 404 not_found
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$id/cancel"
	assert_problem 404 not_found
	# Staff use the back office, not the portal.
	staff_api "$STAFF_TOKEN" GET /v1/portal/service-requests
	assert_problem 403 forbidden
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-requests/not-a-uuid
	assert_problem 404 not_found
	[[ $(stack_sql "SELECT status FROM service_requests WHERE id = '$id'") == new ]] ||
		fail "the request changed"
	: "$first_customer"
}

@test "each user may make 10 requests an hour; the 11th is 429 with Retry-After and writes nothing" {
	hauler_account
	local i doc
	doc=$(request_doc missed_pickup 2027-03-05 "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')")
	for i in $(seq 10); do
		ask "$doc"
		assert_status 201
	done
	local key
	key=$(new_idempotency_key)
	ask "$doc" "$key"
	assert_problem 429 too_many_service_requests
	assert_header_matches Retry-After '^[0-9]+$'
	[[ $(requests_on_record) == 10 ]] || fail "a throttled request was recorded"
	# The budget is the user's: an hour later (moved back in the record) the same key works.
	stack_sql "UPDATE service_requests SET created_at = created_at - interval '1 hour' WHERE portal_user_id = '$USER_ID'" >/dev/null
	ask "$doc" "$key"
	assert_status 201
}

@test "a request that does not exist is 404; a hauler whose portal is off answers 403 portal_disabled" {
	hauler_account
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$(new_idempotency_key)"
	assert_problem 404 not_found
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$(new_idempotency_key)/cancel"
	assert_problem 404 not_found
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	fixture_expect 200 "switch the portal off"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_problem 403 portal_disabled
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-requests
	assert_problem 403 portal_disabled
	ask "$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd"}')"
	assert_problem 403 portal_disabled
	[[ $(requests_on_record) == 0 ]] || fail "a request was recorded with the portal off"
}
