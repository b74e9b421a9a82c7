#!/usr/bin/env bats
# Service reminders by text (API.md rule 22: "never sent to an opted-out number"):
# POST /v1/admin/customers/{id}/service-reminders queues the fixed-template text for an opted-in
# account (409 otherwise); the SMS worker sends it to the fake Twilio-compatible API
# (tests/fakes/sms_gateway.py), retries after a 500 or a timeout, and suppresses a text whose
# customer opted out or changed number after it was queued.

load helpers

setup_file() {
	start_sms_gateway
	STACK_ENV=("${SMS_SERVER_ENV[@]}")
	start_portal_stack
	neighbour_tenant
	# A customer and location of the neighbour that this tenant must not reach either.
	local a_token=$STAFF_TOKEN
	STAFF_TOKEN=$B_TOKEN
	create_customer
	export B_CUSTOMER_ID=$CUSTOMER_ID
	create_location "$B_CUSTOMER_ID"
	export B_LOCATION_ID=$LOCATION_ID
	export STAFF_TOKEN=$a_token
}

teardown_file() {
	stop_stack
	stop_sms_gateway
}

setup() {
	sms_control POST /_control/next '{"mode": null}' >/dev/null
}

# new_phone: an E.164 number no other test uses.
new_phone() {
	printf '+1555%07d\n' "$(((RANDOM * 32768 + RANDOM) % 10000000))"
}

# opted_in_customer: a customer with a location, a weekly service and a portal user who opted in
# with a fresh number. Sets CUSTOMER_ID, LOCATION_ID, SERVICE_ID, PORTAL_TOKEN and PHONE.
opted_in_customer() {
	account_with_user || return 1
	create_location "$CUSTOMER_ID" || return 1
	create_service "$CUSTOMER_ID" "$LOCATION_ID" || return 1
	PHONE=$(new_phone)
	set_pref "$(jq -cn --arg p "$PHONE" '{sms_opt_in: true, sms_phone: $p}')"
}

# set_pref JSON: the portal user changes the preference; expects 200.
set_pref() {
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/notifications "$1" || return 1
	fixture_expect 200 "set preference $1"
}

# remind CUSTOMER_ID JSON [TOKEN]: POST a service reminder (staff token unless TOKEN).
remind() {
	with_bearer "${3:-$STAFF_TOKEN}" POST "/v1/admin/customers/$1/service-reminders" "$2"
}

# row_status ID: the outbox row's "status attempts suppressed_reason".
row_status() {
	stack_sql "SELECT concat_ws(' ', status, attempts, suppressed_reason) FROM sms_outbox WHERE id = '$1'"
}

# wait_row ID STATUS_REGEX: wait (bounded) for the row's row_status to match.
wait_row() {
	local deadline=$((SECONDS + SMS_WAIT_SECONDS * CURBSIDE_TEST_WAIT_SCALE)) got
	while ((SECONDS < deadline)); do
		got=$(row_status "$1")
		[[ $got =~ ^($2)$ ]] && return 0
		sleep 0.2
	done
	fail "text $1: expected /$2/, still '$got'"
}

# queue_while_down: with the fake refusing every text (500), queue a reminder for CUSTOMER_ID and
# wait until the worker has tried it once: nothing can be sent until the fake is switched back.
# Sets REMINDER_ID.
queue_while_down() {
	sms_control POST /_control/next '{"mode": "down"}' >/dev/null || return 1
	remind "$CUSTOMER_ID" "{\"service_date\": \"$(tenant_day 2)\"}" || return 1
	fixture_expect 202 "queue a reminder" || return 1
	REMINDER_ID=$(jq -r .id <<<"$body")
	sms_wait "any(.[]; .to == \"$PHONE\" and .outcome == \"error500\")" /_control/attempts >/dev/null
}

# messages_to PHONE: the texts the fake accepted for PHONE (a JSON array).
messages_to() {
	sms_control GET /_control/messages | jq -c --arg p "$1" '[.[] | select(.to == $p)]'
}

@test "a customer who has not opted in (or opted out) is refused 409 sms_not_opted_in and nothing is queued" {
	account_with_user
	local day
	day=$(tenant_day 2)
	remind "$CUSTOMER_ID" "{\"service_date\": \"$day\"}"
	assert_problem 409 sms_not_opted_in
	set_pref '{"sms_opt_in": true, "sms_phone": "+15555550199"}'
	set_pref '{"sms_opt_in": false}'
	remind "$CUSTOMER_ID" "{\"service_date\": \"$day\"}"
	assert_problem 409 sms_not_opted_in
	[[ $(stack_sql "SELECT count(*) FROM sms_outbox WHERE customer_id = '$CUSTOMER_ID'") == 0 ]] ||
		fail "a text was queued"
}

@test "a reminder is delivered to the opted-in number with the template's text; the log masks the number" {
	opted_in_customer
	local day expected id
	day=$(tenant_day 3)
	remind "$CUSTOMER_ID" "$(jq -cn --arg d "$day" --arg s "$SERVICE_ID" '{service_date: $d, service_id: $s}')"
	assert_status 202
	expected="Hauler $TENANT_SLUG: reminder, your Residential trash pickup at 12 Oak St, Springfield, IL 62701 is on $(date -d "$day" '+%A, %B %-d'). Reply STOP to opt out."
	assert_jq '.status == "queued" and .to == "'"$PHONE"'" and .service_date == "'"$day"'"
		and .location_id == "'"$LOCATION_ID"'" and .service_id == "'"$SERVICE_ID"'"'
	assert_json .body "$expected"
	id=$(jq -r .id <<<"$body")
	sms_wait "any(.[]; .to == \"$PHONE\")" >/dev/null
	messages_to "$PHONE" | jq -e --arg b "$expected" --arg f "$SMS_FROM" \
		'length == 1 and .[0].body == $b and .[0].from == $f' >/dev/null ||
		fail "the fake received: $(messages_to "$PHONE")"
	wait_row "$id" 'sent 1'
	[[ $(stack_sql "SELECT provider_ref LIKE 'SM%' FROM sms_outbox WHERE id = '$id'") == t ]] ||
		fail "the gateway's reference was not kept"
	! grep -qF -- "$PHONE" "$SERVER_LOG" || fail "the full number is in the server log"
	grep -qF -- "+*******${PHONE: -4}" "$SERVER_LOG" || fail "no masked number in the log"
}

@test "the routing system's API key queues reminders; a repeated request is answered again, not texted twice" {
	opted_in_customer
	new_api_key routing
	local day first
	day=$(tenant_day 1)
	remind "$CUSTOMER_ID" "{\"service_date\": \"$day\", \"location_id\": \"$LOCATION_ID\"}" "$API_KEY"
	assert_status 202
	assert_jq '.service_id == null and (.body | test(": reminder, your pickup at 12 Oak St"))'
	first=$(jq -r .id <<<"$body")
	wait_row "$first" 'sent 1'
	remind "$CUSTOMER_ID" "{\"service_date\": \"$day\", \"location_id\": \"$LOCATION_ID\"}" "$API_KEY"
	assert_status 202
	assert_jq '.id == "'"$first"'" and .status == "sent"'
	# A bare reminder names neither service nor address.
	remind "$CUSTOMER_ID" "{\"service_date\": \"$day\"}" "$API_KEY"
	assert_status 202
	assert_jq '.id != "'"$first"'" and (.body | test(": reminder, your pickup is on "))'
	wait_row "$(jq -r .id <<<"$body")" 'sent 1'
	[[ $(messages_to "$PHONE" | jq length) == 2 ]] || fail "expected 2 texts: $(messages_to "$PHONE")"
}

@test "a gateway 500 is retried and the text goes out once" {
	opted_in_customer
	sms_control POST /_control/next '{"mode": "error500", "count": 1}' >/dev/null
	remind "$CUSTOMER_ID" "{\"service_date\": \"$(tenant_day 2)\"}"
	assert_status 202
	local id
	id=$(jq -r .id <<<"$body")
	wait_row "$id" 'sent 2'
	sms_control GET /_control/attempts | jq -e --arg p "$PHONE" \
		'[.[] | select(.to == $p) | .outcome] == ["error500", "sent"]' >/dev/null ||
		fail "attempts: $(sms_control GET /_control/attempts)"
	[[ $(messages_to "$PHONE" | jq length) == 1 ]] || fail "texts: $(messages_to "$PHONE")"
	grep -q "text $id attempt 1 failed, retry in 1s: SMS API answered 500" "$SERVER_LOG" ||
		fail "the retry is not logged"
}

@test "a gateway that does not answer in time is retried" {
	opted_in_customer
	# The gateway holds its first answer until released: only the server's timeout ends that
	# attempt; the retry goes through.
	sms_control POST /_control/next '{"mode": "hold", "count": 1}' >/dev/null
	remind "$CUSTOMER_ID" "{\"service_date\": \"$(tenant_day 2)\"}"
	assert_status 202
	wait_row "$(jq -r .id <<<"$body")" 'sent 2'
	sms_control POST /_control/release >/dev/null
	sms_control GET /_control/attempts | jq -e --arg p "$PHONE" \
		'[.[] | select(.to == $p) | .outcome] == ["held", "sent"]' >/dev/null ||
		fail "attempts: $(sms_control GET /_control/attempts)"
	[[ $(messages_to "$PHONE" | jq length) == 1 ]] || fail "texts: $(messages_to "$PHONE")"
}

@test "never to an opted-out number: a text queued, then the customer opts out before it is sent, is suppressed" {
	opted_in_customer
	# The gateway refuses everything, so nothing can be sent until the opt-out is committed.
	queue_while_down
	set_pref '{"sms_opt_in": false}'
	sms_control POST /_control/next '{"mode": null}' >/dev/null
	wait_row "$REMINDER_ID" 'suppressed [0-9]+ opted_out'
	[[ $(messages_to "$PHONE") == '[]' ]] || fail "a text went to the opted-out number"
	grep -q "text $REMINDER_ID suppressed (opted_out): not sent" "$SERVER_LOG" || fail "not logged"
}

@test "a text queued for a number the customer has since changed is suppressed, not sent to either" {
	opted_in_customer
	queue_while_down
	local new
	new=$(new_phone)
	set_pref "{\"sms_opt_in\": true, \"sms_phone\": \"$new\"}"
	sms_control POST /_control/next '{"mode": null}' >/dev/null
	wait_row "$REMINDER_ID" 'suppressed [0-9]+ phone_changed'
	[[ $(messages_to "$PHONE") == '[]' && $(messages_to "$new") == '[]' ]] || fail "a text went out"
}

@test "bad reminder requests: a free-text message, wrong types, a missing or past date, another customer's location" {
	opted_in_customer
	remind "$CUSTOMER_ID" "{\"service_date\": \"$(tenant_day 1)\", \"message\": \"50% off dumpsters!\"}"
	assert_problem 422 unknown_field
	assert_field_error message unknown_field
	remind "$CUSTOMER_ID" '{"service_date": 20261124, "location_id": 7}'
	assert_field_error service_date wrong_type
	assert_field_error location_id wrong_type
	remind "$CUSTOMER_ID" '{}'
	assert_field_error service_date required
	remind "$CUSTOMER_ID" '{"service_date": "2026-02-30"}'
	assert_field_error service_date invalid_date
	remind "$CUSTOMER_ID" '{"service_date": "2026-11-24", "service_id": "nope"}'
	assert_field_error service_id invalid_format
	remind "$CUSTOMER_ID" "{\"service_date\": \"$(tenant_day -1)\"}"
	assert_problem 422 date_in_past
	assert_field_error service_date date_in_past
	remind "$CUSTOMER_ID" "{\"service_date\": \"$(tenant_day 1)\", \"location_id\": \"$B_LOCATION_ID\"}"
	assert_problem 422 invalid_reference
	assert_field_error location_id invalid_reference
	create_location "$CUSTOMER_ID"
	remind "$CUSTOMER_ID" "{\"service_date\": \"$(tenant_day 1)\", \"location_id\": \"$LOCATION_ID\", \"service_id\": \"$SERVICE_ID\"}"
	assert_problem 422 invalid_reference
	assert_field_error service_id invalid_reference
	# direct: the proxy cannot forward a body that is not JSON
	api_direct POST "/v1/admin/customers/$CUSTOMER_ID/service-reminders" '{"service_date": "2026-11-24"' \
		-H "Authorization: Bearer $STAFF_TOKEN"
	assert_problem 400 malformed_json
	[[ $(stack_sql "SELECT count(*) FROM sms_outbox WHERE customer_id = '$CUSTOMER_ID'") == 0 ]] ||
		fail "a text was queued"
}

@test "another tenant's staff and API key get 404 for this tenant's customers; portal tokens 403" {
	opted_in_customer
	local cred day
	day=$(tenant_day 1)
	for cred in "$B_TOKEN" "$B_KEY"; do
		remind "$CUSTOMER_ID" "{\"service_date\": \"$day\"}" "$cred"
		assert_problem 404 not_found
	done
	remind 00000000-0000-0000-0000-000000000000 "{\"service_date\": \"$day\"}"
	assert_problem 404 not_found
	remind "$B_CUSTOMER_ID" "{\"service_date\": \"$day\"}"
	assert_problem 404 not_found
	remind "$CUSTOMER_ID" "{\"service_date\": \"$day\"}" "$PORTAL_TOKEN"
	assert_problem 403 forbidden
	# direct: the proxy answers a request without credentials itself
	api_direct POST "/v1/admin/customers/$CUSTOMER_ID/service-reminders" "{\"service_date\": \"$day\"}"
	assert_problem 401 unauthorized
	[[ $(stack_sql "SELECT count(*) FROM sms_outbox WHERE customer_id = '$CUSTOMER_ID'") == 0 ]] ||
		fail "a text was queued"
}
