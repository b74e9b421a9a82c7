#!/usr/bin/env bats
# Service requests, the staff side (issue 25, items 3 and 5): staff users and API keys work the
# queue (filters, keyset pages), read one request with its customer, location and history (who,
# when), and accept (the order, linked back, and for a priced request a line on a draft invoice:
# nothing charged, the balance unchanged until staff send it), schedule, decline or complete it.
# Every status is one history row with its actor; a transition from a status that does not allow
# it is 409; two staff accepting at once make one order. The portal dashboard shows the open
# requests. Isolated per tenant, principal and account. The server's clock is fixed
# (CURBSIDE_CLOCK_FILE), so no test depends on the real date.

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

# A hauler in Chicago that serves Monday to Saturday; a delivery costs 42500, an extra pickup
# 2500, a missed pickup and a hold are free.
CATALOG='{
  "closed_weekdays": ["sunday"],
  "request_types": {
    "roll_off_delivery": {"enabled": true, "lead_days": 2,
      "sizes": [{"code": "20yd", "name": "20-yard roll-off", "price_cents": 42500, "rental_days": 7}]},
    "extra_pickup": {"enabled": true, "lead_days": 1, "price_cents": 2500},
    "missed_pickup": {"enabled": true, "lead_days": 0},
    "vacation_hold": {"enabled": true, "lead_days": 2, "max_days": 21}
  }
}'

# hauler_account: a fresh tenant in Chicago with CATALOG, a customer with a location and a weekly
# service there, and a portal user signed in to it. The clock is Friday 2027-03-05 at 10:00 CST.
# Sets STAFF_TOKEN, STAFF_ID, STAFF_EMAIL, TENANT_ID, CUSTOMER_ID, LOCATION_ID, SERVICE_ID,
# USER_ID, USER_EMAIL, PORTAL_TOKEN.
hauler_account() {
	portal_tenant '{"time_zone": "America/Chicago"}'
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/service-catalog "$CATALOG"
	fixture_expect 200 "save the catalog"
	account_with_user
	create_location "$CUSTOMER_ID"
	create_service "$CUSTOMER_ID" "$LOCATION_ID"
	set_clock 2027-03-05T16:00:00Z
}

# ask TYPE DATE [JSON_OVERRIDES]: the portal user asks, at LOCATION_ID; expects 201. Sets REQ_ID
# and REQ_NUMBER.
ask() {
	local over=${3-}
	[[ -n $over ]] || over='{}'
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/service-requests \
		"$(jq -cn --arg t "$1" --arg d "$2" --arg l "$LOCATION_ID" --argjson o "$over" \
			'{type: $t, location_id: $l, date: $d} + $o')" \
		-H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "ask for $1 on $2"
	REQ_ID=$(jq -r .id <<<"$body")
	REQ_NUMBER=$(jq -r .number <<<"$body")
}

# ask_delivery / ask_pickup DATE: a priced delivery (42500) / extra pickup (2500).
ask_delivery() { ask roll_off_delivery "${1:-2027-03-08}" '{"size": "20yd", "note": "On the driveway"}'; }
ask_pickup() { ask extra_pickup "${1:-2027-03-06}" "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')"; }

# act ACTION [BODY] [TOKEN]: POST /v1/admin/service-requests/REQ_ID/ACTION as TOKEN (STAFF_TOKEN).
act() {
	staff_api "${3:-$STAFF_TOKEN}" POST "/v1/admin/service-requests/$REQ_ID/$1" "${2-}"
}

# events_of ID: the request's history rows as "status:actor_kind" lines, oldest first.
events_of() {
	stack_sql "SELECT status || ':' || actor_kind FROM service_request_events
		WHERE request_id = '$1' ORDER BY created_at, id"
}

# dashboard_balance: the portal dashboard's outstanding balance of the account.
dashboard_balance() {
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	fixture_expect 200 "the dashboard"
	jq -r .outstanding_balance_cents <<<"$body"
}

@test "accept a priced delivery: its order (linked back), a draft invoice line, no charge; the balance moves only when staff send it" {
	hauler_account
	ask_delivery
	[[ $(dashboard_balance) == 0 ]] || fail "the account owes something before any invoice"
	act accept
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq --arg n "$REQ_NUMBER" --arg c "$CUSTOMER_ID" --arg l "$LOCATION_ID" '
		.status == "accepted" and .customer.id == $c and .location.id == $l
		and .created_order.number == $n and .created_order.type == "dumpster"
		and .created_order.status == "pending" and .created_order.service_date == "2027-03-08"
		and .created_order_id == .created_order.id
		and .invoice.status == "draft" and .invoice.number == $n and .invoice.line_amount_cents == 42500'
	local order_id invoice_id
	order_id=$(jq -r .created_order.id <<<"$body")
	invoice_id=$(jq -r .invoice.id <<<"$body")
	# The order, as staff and the customer read it, points back to the request.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/orders/$order_id"
	assert_status 200
	assert_jq --arg r "$REQ_ID" '.service_request_id == $r and .amount_cents == 42500
		and .service == "Roll-off delivery: 20-yard roll-off" and .description == "On the driveway"'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$order_id"
	assert_status 200
	assert_jq --arg r "$REQ_ID" '.service_request_id == $r'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/orders
	assert_jq --arg r "$REQ_ID" --arg o "$order_id" '[.items[] | select(.id == $o) | .service_request_id] == [$r]'
	# The draft invoice carries one line for the request; the portal neither shows nor counts it.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invoices/$invoice_id"
	assert_status 200
	assert_jq --arg n "$REQ_NUMBER" '.status == "draft" and .total_cents == 42500 and .balance_cents == 42500
		and .sent_at == null and (.lines | length) == 1
		and .lines[0].description == "Roll-off delivery: 20-yard roll-off (request \($n))"
		and .lines[0].unit_price_cents == 42500 and .lines[0].service_date == "2027-03-08"'
	[[ $(dashboard_balance) == 0 ]] || fail "accepting changed the customer's balance"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/invoices
	assert_jq '.items == []'
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID'") == 0 ]] ||
		fail "something was charged"
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE template = 'invoice_sent' AND tenant_id = '$TENANT_ID'") == 0 ]] ||
		fail "the invoice was emailed"
	# Staff issue it: now it counts.
	send_invoice "$invoice_id"
	[[ $(dashboard_balance) == 42500 ]] || fail "the sent invoice is not in the balance"
	[[ $(events_of "$REQ_ID") == $'new:customer\naccepted:staff' ]] || fail "history: $(events_of "$REQ_ID")"
}

@test "accept adds the line to the customer's draft for that location; a free request bills nothing; a hold is an order of type hold" {
	hauler_account
	create_invoice "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l}')"
	local draft=$INVOICE_ID
	ask_pickup
	act accept
	assert_status 200
	assert_jq --arg d "$draft" '.invoice.id == $d and .invoice.line_amount_cents == 2500
		and .created_order.type == "pickup"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invoices/$draft"
	assert_jq '.total_cents == 12500 and [.lines[].position] == [1, 2]
		and (.lines[1].description | startswith("Extra pickup (request SR-"))'
	ask missed_pickup 2027-03-05 "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')"
	act accept
	assert_status 200
	assert_jq '.invoice == null and .created_order.type == "pickup" and .created_order.status == "pending"'
	ask vacation_hold 2027-03-08 '{"end_date": "2027-03-20"}'
	act accept
	assert_status 200
	assert_jq '.invoice == null and .created_order.type == "hold"'
	[[ $(stack_sql "SELECT count(*) || ' ' || sum(total_cents) FROM invoices WHERE customer_id = '$CUSTOMER_ID'") == "1 12500" ]] ||
		fail "a free request was billed"
}

@test "schedule: from accepted or scheduled, moves the order; not before the hauler's today; not from new" {
	hauler_account
	ask_delivery
	act schedule '{"date": "2027-03-10"}'
	assert_problem 409 service_request_status_conflict
	assert_jq --arg n "$REQ_NUMBER" '.current_status == "new"
		and .detail == "Request \($n) is new; only accepted or scheduled requests can be scheduled."'
	act accept
	act schedule '{"date": "2027-03-04"}'
	assert_problem 422 date_in_past
	assert_field_error date date_in_past
	act schedule '{"date": "2027-03-05"}'
	assert_status 200
	act schedule '{"date": "2027-03-10"}'
	assert_status 200
	assert_jq '.status == "scheduled" and .scheduled_date == "2027-03-10"
		and .created_order.status == "scheduled" and .created_order.service_date == "2027-03-10"
		and [.history[] | [.status, .note]] == [["new", null], ["accepted", null],
			["scheduled", "2027-03-05"], ["scheduled", "2027-03-10"]]'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$REQ_ID"
	assert_jq '.status == "scheduled" and .scheduled_date == "2027-03-10" and [.history[].by] == ["customer", "hauler", "hauler", "hauler"]'
	# The body: required, a real date, nothing else.
	act schedule '{}'
	assert_problem 422 required
	assert_field_errors_exactly date
	act schedule '{"date": "2027-02-30", "time": "9:00"}'
	assert_problem 422 validation_failed
	assert_field_errors_exactly date time
	# direct: the proxy cannot forward a body that is not JSON
	api_direct POST "/v1/admin/service-requests/$REQ_ID/schedule" '{"date": ' -H "Authorization: Bearer $STAFF_TOKEN"
	assert_problem 400 malformed_json
	[[ $(events_of "$REQ_ID") == $'new:customer\naccepted:staff\nscheduled:staff\nscheduled:staff' ]] ||
		fail "history: $(events_of "$REQ_ID")"
}

@test "decline: from new or accepted with a reason; an accepted one's order is cancelled and its draft line removed" {
	hauler_account
	ask_pickup
	act decline '{}'
	assert_problem 422 required
	assert_field_errors_exactly reason
	act decline '{"reason": ""}'
	assert_field_error reason too_short
	act decline '{"reason": "  Route is full that day.  "}'
	assert_status 200
	assert_jq '.status == "declined" and .decline_reason == "Route is full that day." and .created_order == null
		and .history[-1].note == "Route is full that day."'
	act decline '{"reason": "again"}'
	assert_problem 409 service_request_status_conflict
	act accept
	assert_problem 409 service_request_status_conflict
	assert_jq '.current_status == "declined" and (.detail | contains("is declined; only new requests can be accepted"))'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$REQ_ID"
	assert_jq '.status == "declined" and .decline_reason == "Route is full that day."'

	ask_delivery
	act accept
	local invoice_id order_id
	invoice_id=$(jq -r .invoice.id <<<"$body")
	order_id=$(jq -r .created_order.id <<<"$body")
	act decline '{"reason": "No roll-off free that week."}'
	assert_status 200
	assert_jq '.status == "declined" and .created_order.status == "cancelled" and .invoice == null'
	# The draft made for it had no other line: it is gone.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invoices/$invoice_id"
	assert_problem 404 not_found
	# On a draft with other lines, only its line goes.
	create_invoice "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l}')"
	invoice_id=$INVOICE_ID
	ask_delivery
	act accept
	assert_jq --arg i "$invoice_id" '.invoice.id == $i'
	act decline '{"reason": "No roll-off free that week."}'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invoices/$invoice_id"
	assert_jq '.status == "draft" and .total_cents == 10000 and [.lines[].description] == ["Weekly pickup"]'
	[[ $(events_of "$REQ_ID") == $'new:customer\naccepted:staff\ndeclined:staff' ]] || fail "history: $(events_of "$REQ_ID")"

	# Once scheduled it can no longer be declined.
	ask_pickup
	act accept
	act schedule '{"date": "2027-03-06"}'
	act decline '{"reason": "Too late"}'
	assert_problem 409 service_request_status_conflict
	assert_jq '.current_status == "scheduled" and (.detail | contains("is scheduled; only new or accepted requests can be declined"))'
	: "$order_id"
}

@test "decline after the invoice was sent leaves the invoice alone" {
	hauler_account
	ask_pickup
	act accept
	local invoice_id
	invoice_id=$(jq -r .invoice.id <<<"$body")
	send_invoice "$invoice_id"
	act decline '{"reason": "Truck broke down"}'
	assert_status 200
	assert_jq '.invoice.status == "open" and .invoice.line_amount_cents == 2500'
	[[ $(dashboard_balance) == 2500 ]] || fail "the sent invoice changed"
}

@test "complete: from accepted or scheduled; its order completes; not from new, completed or cancelled" {
	hauler_account
	ask_pickup
	act complete
	assert_problem 409 service_request_status_conflict
	assert_jq '.detail | contains("is new; only accepted or scheduled requests can be completed")'
	act accept
	act complete
	assert_status 200
	assert_jq '.status == "completed" and .created_order.status == "completed"'
	act complete
	assert_problem 409 service_request_status_conflict
	assert_jq '.current_status == "completed"'
	act schedule '{"date": "2027-03-10"}'
	assert_problem 409 service_request_status_conflict
	ask_pickup
	act accept
	act schedule '{"date": "2027-03-08"}'
	act complete
	assert_status 200
	assert_jq '[.history[].status] == ["new", "accepted", "scheduled", "completed"]'
	# A request the customer cancelled takes no action.
	ask_pickup
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$REQ_ID/cancel"
	assert_status 200
	local action
	for action in accept complete; do
		act "$action"
		assert_problem 409 service_request_status_conflict
		assert_jq '.current_status == "cancelled" and (.detail | contains("is cancelled"))'
	done
	act decline '{"reason": "x"}'
	assert_problem 409 service_request_status_conflict
	act schedule '{"date": "2027-03-08"}'
	assert_problem 409 service_request_status_conflict
	[[ $(events_of "$REQ_ID") == $'new:customer\ncancelled:customer' ]] || fail "history: $(events_of "$REQ_ID")"
}

@test "the history names who acted: the portal user, the staff user, the API key" {
	hauler_account
	new_api_key "Dispatch sync"
	ask_pickup
	act accept
	act schedule '{"date": "2027-03-08"}' "$API_KEY"
	assert_status 200
	staff_api "$API_KEY" GET "/v1/admin/service-requests/$REQ_ID"
	assert_status 200
	assert_jq --arg u "$USER_ID" --arg e "$USER_EMAIL" --arg s "$STAFF_ID" --arg se "$STAFF_EMAIL" --arg k "$API_KEY_ID" '
		[.history[] | .actor] == [
			{kind: "customer", id: $u, name: "Pat Jordan", email: $e},
			{kind: "staff", id: $s, name: ("Staff " + ($se | split("@")[0])), email: $se},
			{kind: "api_key", id: $k, name: "Dispatch sync", email: null}]
		and ([.history[].at] | all(test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$")))'
	[[ $(stack_sql "SELECT count(*) FROM service_request_events WHERE request_id = '$REQ_ID'
		AND actor_kind = 'api_key' AND api_key_id = '$API_KEY_ID' AND staff_user_id IS NULL") == 1 ]] ||
		fail "the API key is not the recorded actor"
	# A billing staff user works the queue too.
	local admin_token=$STAFF_TOKEN
	create_staff "$TENANT_SLUG" "billing.$RANDOM@$TENANT_SLUG.example.test" "$TEST_PASSWORD" billing
	local billing
	billing=$(staff_login "$TENANT_SLUG" "$(jq -r .email <<<"$body")" "$TEST_PASSWORD")
	act complete '' "$billing"
	assert_status 200
	assert_jq --arg b "$STAFF_ID" '.history[-1].actor.id == $b and .history[-1].actor.kind == "staff"'
	: "$admin_token"
}

@test "two staff accepting at once: one order, one 409, one history row" {
	hauler_account
	ask_delivery
	local dir=$BATS_TEST_TMPDIR/accept pids=() i
	mkdir -p "$dir"
	# Our own session holds the request's row, so both accepts reach its lock before either runs.
	hold_row_lock service_requests "id = '$REQ_ID'"
	for i in 1 2; do
		# direct: two requests in flight at once, their answers read back below
		curl -sS --max-time "$((30 * CURBSIDE_TEST_WAIT_SCALE))" -o "$dir/$i.body" -w '%{http_code}' \
			-X POST "$SERVER_URL/v1/admin/service-requests/$REQ_ID/accept" \
			-H "Authorization: Bearer $STAFF_TOKEN" >"$dir/$i.status" 3>&- &
		pids+=($!)
	done
	await_lock_waits 2
	release_row_lock
	wait "${pids[@]}"
	[[ $(cat "$dir/1.status" <(echo) "$dir/2.status" <(echo) | sort | tr '\n' ' ') == "200 409 " ]] ||
		fail "answers: $(cat "$dir"/*.status) $(cat "$dir"/*.body)"
	[[ $(stack_sql "SELECT count(*) FROM orders WHERE service_request_id = '$REQ_ID'") == 1 ]] ||
		fail "accepting twice made two orders"
	[[ $(stack_sql "SELECT count(*) FROM invoice_lines WHERE service_request_id = '$REQ_ID'") == 1 ]] ||
		fail "accepting twice billed twice"
	[[ $(events_of "$REQ_ID") == $'new:customer\naccepted:staff' ]] || fail "history: $(events_of "$REQ_ID")"
	grep -h -q '"current_status":"accepted"' "$dir"/*.body || fail "the loser's answer: $(cat "$dir"/*.body)"
}

@test "the queue: oldest first, filtered by statuses, type, the date asked for and customer; keyset pages" {
	hauler_account
	local ids=() first_customer=$CUSTOMER_ID
	ask_pickup 2027-03-06
	ids+=("$REQ_ID")
	ask_delivery 2027-03-09
	ids+=("$REQ_ID")
	act accept
	ask missed_pickup 2027-03-05 "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')"
	ids+=("$REQ_ID")
	act decline '{"reason": "Picked up on the route"}'
	# Another customer of the hauler.
	account_with_user
	create_location "$CUSTOMER_ID"
	ask vacation_hold 2027-03-10 '{"end_date": "2027-03-12"}'
	ids+=("$REQ_ID")

	staff_api "$STAFF_TOKEN" GET /v1/admin/service-requests
	assert_status 200
	assert_jq --arg a "${ids[0]}" --arg b "${ids[1]}" --arg c "${ids[2]}" --arg d "${ids[3]}" --arg f "$first_customer" '
		[.items[].id] == [$a, $b, $c, $d] and .next_cursor == null
		and .items[0].customer.id == $f and (.items[0].customer.account_number | type) == "string"
		and .items[1].created_order_id != null and (.items[0] | has("history") | not)'
	staff_api "$STAFF_TOKEN" GET '/v1/admin/service-requests?status=new,accepted,scheduled'
	assert_jq --arg a "${ids[0]}" --arg b "${ids[1]}" --arg d "${ids[3]}" '[.items[].id] == [$a, $b, $d]'
	staff_api "$STAFF_TOKEN" GET '/v1/admin/service-requests?status=declined'
	assert_jq --arg c "${ids[2]}" '[.items[].id] == [$c]'
	staff_api "$STAFF_TOKEN" GET '/v1/admin/service-requests?type=roll_off_delivery'
	assert_jq --arg b "${ids[1]}" '[.items[].id] == [$b]'
	staff_api "$STAFF_TOKEN" GET '/v1/admin/service-requests?from=2027-03-06&to=2027-03-09'
	assert_jq --arg a "${ids[0]}" --arg b "${ids[1]}" '[.items[].id] == [$a, $b]'
	staff_api "$STAFF_TOKEN" GET '/v1/admin/service-requests?from=2027-03-09'
	assert_jq --arg b "${ids[1]}" --arg d "${ids[3]}" '[.items[].id] == [$b, $d]'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/service-requests?customer_id=$CUSTOMER_ID"
	assert_jq --arg d "${ids[3]}" '[.items[].id] == [$d]'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/service-requests?customer_id=$first_customer&status=new"
	assert_jq --arg a "${ids[0]}" '[.items[].id] == [$a]'

	staff_api "$STAFF_TOKEN" GET '/v1/admin/service-requests?limit=3'
	assert_jq --arg a "${ids[0]}" --arg b "${ids[1]}" --arg c "${ids[2]}" \
		'[.items[].id] == [$a, $b, $c] and (.next_cursor | type) == "string"'
	local cursor
	cursor=$(jq -r .next_cursor <<<"$body")
	# A request made meanwhile comes after the cursor, not before it.
	ask vacation_hold 2027-03-15 '{"end_date": "2027-03-16"}'
	ids+=("$REQ_ID")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/service-requests?limit=3&cursor=$cursor"
	assert_jq --arg d "${ids[3]}" --arg e "${ids[4]}" '[.items[].id] == [$d, $e] and .next_cursor == null'

	staff_api "$STAFF_TOKEN" GET '/v1/admin/service-requests?status=new,open&type=compost&from=2027-13-01&customer_id=x&kind=y'
	assert_problem 422 validation_failed
	assert_field_errors_exactly status type from customer_id kind
	staff_api "$STAFF_TOKEN" GET '/v1/admin/service-requests?from=2027-03-10&to=2027-03-09&cursor=abc'
	assert_field_errors_exactly to cursor
}

@test "the dashboard shows the account's open requests: how many and the three most recent" {
	hauler_account
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_status 200
	assert_jq '.open_service_requests == {count: 0, recent: []}'
	local ids=() i
	for i in 1 2 3 4; do
		ask_pickup
		ids+=("$REQ_ID")
	done
	REQ_ID=${ids[0]}
	act accept
	REQ_ID=${ids[1]}
	act decline '{"reason": "Duplicate"}'
	REQ_ID=${ids[3]}
	act accept
	act schedule '{"date": "2027-03-08"}'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_status 200
	assert_jq --arg a "${ids[0]}" --arg c "${ids[2]}" --arg d "${ids[3]}" '
		.open_service_requests.count == 3
		and [.open_service_requests.recent[] | [.id, .status]] == [[$d, "scheduled"], [$c, "new"], [$a, "accepted"]]'
	ask_pickup
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$REQ_ID/cancel"
	REQ_ID=${ids[3]}
	act complete
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_jq --arg a "${ids[0]}" --arg c "${ids[2]}" '.open_service_requests.count == 2
		and [.open_service_requests.recent[].id] == [$c, $a]'
	# Another account of the hauler sees none of them.
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_jq '.open_service_requests == {count: 0, recent: []}'
}

@test "isolation: another tenant's staff and API key get 404; portal users and the operator 403; no token 401; another account never sees it" {
	hauler_account
	ask_pickup
	local id=$REQ_ID token
	neighbour_tenant
	for token in "$B_TOKEN" "$B_KEY"; do
		staff_api "$token" GET "/v1/admin/service-requests/$id"
		assert_problem 404 not_found
		staff_api "$token" GET /v1/admin/service-requests
		assert_status 200
		assert_jq '.items == []'
		staff_api "$token" GET "/v1/admin/service-requests?customer_id=$CUSTOMER_ID"
		assert_jq '.items == []'
		REQ_ID=$id act accept '' "$token"
		assert_problem 404 not_found
		REQ_ID=$id act schedule '{"date": "2027-03-08"}' "$token"
		assert_problem 404 not_found
		REQ_ID=$id act decline '{"reason": "not yours"}' "$token"
		assert_problem 404 not_found
		REQ_ID=$id act complete '' "$token"
		assert_problem 404 not_found
	done
	staff_api "$STAFF_TOKEN" GET /v1/admin/service-requests/not-a-uuid
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST "/v1/admin/service-requests/$(new_idempotency_key)/accept"
	assert_problem 404 not_found
	# The customer's own portal token is not a back-office credential.
	with_bearer "$PORTAL_TOKEN" GET /v1/admin/service-requests
	assert_problem 403 forbidden
	with_bearer "$PORTAL_TOKEN" GET "/v1/admin/service-requests/$id"
	assert_problem 403 forbidden
	with_bearer "$PORTAL_TOKEN" POST "/v1/admin/service-requests/$id/accept"
	assert_problem 403 forbidden
	operator_api GET /v1/admin/service-requests
	assert_problem 403 forbidden
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/admin/service-requests
	assert_problem 401 unauthorized
	api_direct POST "/v1/admin/service-requests/$id/complete"
	assert_problem 401 unauthorized
	[[ $(stack_sql "SELECT status FROM service_requests WHERE id = '$id'") == new ]] || fail "the request changed"
	# Accepted, the request and its order stay the account's: another customer's user sees neither.
	REQ_ID=$id act accept
	local order_id
	order_id=$(jq -r .created_order.id <<<"$body")
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/service-requests/$id"
	assert_problem 404 not_found
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/orders/$order_id"
	assert_problem 404 not_found
}
