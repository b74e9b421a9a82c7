#!/usr/bin/env bats
# Text notifications (API.md rule 22): the selected account's reminder preference
# (GET/PUT /v1/portal/notifications) with E.164 validation; every real change appends a consent
# record (when, opt in/out, number, source, who, client address, user agent) that staff read
# newest first (GET /v1/admin/customers/{id}/sms-consents); the records cannot be changed;
# another tenant's staff and keys get 404.

load helpers

setup_file() {
	start_portal_stack
	# Tenant B: a neighbour whose staff and key must never read tenant A's consent history.
	neighbour_tenant
}

teardown_file() {
	stop_stack
}

# put_pref JSON [curl args...]: PUT the preference with PORTAL_TOKEN.
put_pref() {
	local doc=$1
	shift
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/notifications "$doc" "$@"
}

# consents CUSTOMER_ID [QUERY]: staff read the consent history; expects 200.
consents() {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$1/sms-consents${2-}" || return 1
	fixture_expect 200 "consents of $1"
}

@test "a new account is opted out with no number" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/notifications
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '. == {sms_opt_in: false, sms_phone: null, updated_at: null}'
	consents "$CUSTOMER_ID"
	assert_jq '. == {items: [], next_cursor: null}'
}

@test "rule 22: opting in stores the number and appends a consent record with source, user and client address" {
	account_with_user
	put_pref '{"sms_opt_in": true, "sms_phone": " +15555550123 "}' -H 'User-Agent: portal-tests/1.0'
	assert_status 200
	assert_jq '.sms_opt_in == true and .sms_phone == "+15555550123" and (.updated_at | type == "string")'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/notifications
	assert_jq '.sms_opt_in == true and .sms_phone == "+15555550123"'
	consents "$CUSTOMER_ID"
	assert_jq '(.items | length) == 1'
	assert_jq '.items[0] | keys_unsorted == ["id", "created_at", "opt_in", "phone", "source", "portal_user_id",
		"staff_user_id", "api_key_id", "client_address", "user_agent"]'
	assert_jq '.items[0] | .opt_in == true and .phone == "+15555550123" and .source == "portal"
		and .portal_user_id == "'"$USER_ID"'" and .staff_user_id == null
		and .client_address == "127.0.0.1" and .user_agent == "portal-tests/1.0"'
}

@test "a PUT that changes nothing appends no record; every real change appends one" {
	account_with_user
	put_pref '{"sms_opt_in": false}'
	assert_status 200
	consents "$CUSTOMER_ID"
	assert_jq '.items == []'
	put_pref '{"sms_opt_in": true, "sms_phone": "+15555550123"}'
	put_pref '{"sms_opt_in": true, "sms_phone": "+15555550123"}'
	put_pref '{"sms_opt_in": true}'
	consents "$CUSTOMER_ID"
	assert_jq '(.items | length) == 1'
	# A new number while opted in: consent for the new number.
	put_pref '{"sms_opt_in": true, "sms_phone": "+442071838750"}'
	assert_jq '.sms_phone == "+442071838750"'
	# Opting out keeps the number (one switch opts back in) ...
	put_pref '{"sms_opt_in": false}'
	assert_jq '.sms_opt_in == false and .sms_phone == "+442071838750"'
	put_pref '{"sms_opt_in": true}'
	assert_jq '.sms_opt_in == true and .sms_phone == "+442071838750"'
	# ... and null clears it: the record still names the number that was opted out.
	put_pref '{"sms_opt_in": false, "sms_phone": null}'
	assert_jq '.sms_opt_in == false and .sms_phone == null'
	consents "$CUSTOMER_ID"
	assert_jq '[.items[] | [.opt_in, .phone]] == [[false, "+442071838750"], [true, "+442071838750"],
		[false, "+442071838750"], [true, "+442071838750"], [true, "+15555550123"]]'
	assert_jq 'all(.items[]; .source == "portal")'
}

@test "the preference is the account's: every portal user of it sees the same, and each change names its user" {
	create_customer
	local first second email
	email=$(new_address first)
	portal_user "$email" "$CUSTOMER_ID"
	first=$USER_ID
	put_pref '{"sms_opt_in": true, "sms_phone": "+15555550123"}'
	portal_user "$(new_address second)" "$CUSTOMER_ID"
	second=$USER_ID
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/notifications
	assert_jq '.sms_opt_in == true and .sms_phone == "+15555550123"'
	put_pref '{"sms_opt_in": false}'
	consents "$CUSTOMER_ID"
	assert_jq '[.items[].portal_user_id] == ["'"$second"'", "'"$first"'"]'
}

@test "another account of the same user has its own preference" {
	create_customer
	local one=$CUSTOMER_ID email
	create_customer
	local two=$CUSTOMER_ID
	email=$(new_address both)
	portal_user "$email" "$one" "$two"
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD" "$one"
	put_pref '{"sms_opt_in": true, "sms_phone": "+15555550123"}'
	switch_to "$two"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/notifications
	assert_jq '.sms_opt_in == false and .sms_phone == null'
	consents "$two"
	assert_jq '.items == []'
}

@test "a number that is not E.164 answers 422 invalid_phone and changes nothing" {
	account_with_user
	local bad
	for bad in '5555550123' '+1 555 555 0123' '+1-555-555-0123' '+0555550123' '+1234567' \
		'+1234567890123456' '+1555555012a' '' '+'; do
		put_pref "$(jq -cn --arg p "$bad" '{sms_opt_in: true, sms_phone: $p}')"
		assert_problem 422 invalid_phone
		assert_field_error sms_phone invalid_phone
	done
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/notifications
	assert_jq '.sms_opt_in == false and .sms_phone == null'
	consents "$CUSTOMER_ID"
	assert_jq '.items == []'
}

@test "opting in without a number answers 422 phone_required" {
	account_with_user
	put_pref '{"sms_opt_in": true}'
	assert_problem 422 phone_required
	assert_field_error sms_phone phone_required
	put_pref '{"sms_opt_in": true, "sms_phone": null}'
	assert_problem 422 phone_required
	consents "$CUSTOMER_ID"
	assert_jq '.items == []'
}

@test "unknown fields, wrong types, a missing sms_opt_in and bad JSON are refused, all at once" {
	account_with_user
	put_pref '{"sms_opt_in": true, "sms_phone": "+15555550123", "marketing": true}'
	assert_problem 422 unknown_field
	assert_field_error marketing unknown_field
	put_pref '{"sms_opt_in": "yes", "sms_phone": 15555550123}'
	assert_status 422
	assert_field_error sms_opt_in wrong_type
	assert_field_error sms_phone wrong_type
	assert_field_errors_exactly sms_opt_in sms_phone
	put_pref '{"sms_phone": "+15555550123"}'
	assert_field_error sms_opt_in required
	put_pref '[true]'
	assert_problem 400 body_not_object
	# direct: the proxy cannot forward a body that is not JSON
	api_direct PUT /v1/portal/notifications '{"sms_opt_in": tru' -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_problem 400 malformed_json
	consents "$CUSTOMER_ID"
	assert_jq '.items == []'
}

@test "who may call: portal endpoints need a portal session with an account; the history needs staff or a key" {
	account_with_user
	with_bearer "$STAFF_TOKEN" GET /v1/portal/notifications
	assert_problem 403 forbidden
	with_bearer "$STAFF_TOKEN" PUT /v1/portal/notifications '{"sms_opt_in": false}'
	assert_problem 403 forbidden
	with_bearer "$PORTAL_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/sms-consents"
	assert_problem 403 forbidden
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/portal/notifications
	assert_problem 401 unauthorized
	api_direct PUT /v1/portal/notifications '{"sms_opt_in": false}'
	assert_problem 401 unauthorized
	api_direct GET "/v1/admin/customers/$CUSTOMER_ID/sms-consents"
	assert_problem 401 unauthorized
}

@test "staff history: newest first, keyset pages stable under inserts, API keys too" {
	account_with_user
	local i
	for i in 1 2 3 4 5; do
		put_pref "$(jq -cn --arg p "+1555555010$i" '{sms_opt_in: true, sms_phone: $p}')"
		assert_status 200
	done
	consents "$CUSTOMER_ID" '?limit=2'
	assert_jq '[.items[].phone] == ["+15555550105", "+15555550104"] and (.next_cursor | type == "string")'
	local cursor
	cursor=$(jq -r .next_cursor <<<"$body")
	# A change made meanwhile does not shift the next page.
	put_pref '{"sms_opt_in": false}'
	consents "$CUSTOMER_ID" "?limit=2&cursor=$cursor"
	assert_jq '[.items[].phone] == ["+15555550103", "+15555550102"]'
	cursor=$(jq -r .next_cursor <<<"$body")
	consents "$CUSTOMER_ID" "?limit=2&cursor=$cursor"
	assert_jq '[.items[].phone] == ["+15555550101"] and .next_cursor == null'
	new_api_key history
	with_bearer "$API_KEY" GET "/v1/admin/customers/$CUSTOMER_ID/sms-consents"
	assert_status 200
	assert_jq '(.items | length) == 6 and .items[0].opt_in == false'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/sms-consents?limit=0"
	assert_problem 422 invalid_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/sms-consents?cursor=bogus"
	assert_problem 422 invalid_cursor
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/sms-consents?phone=1"
	assert_problem 422 unknown_parameter
}

@test "another tenant's staff and API key get 404 for this tenant's consent history" {
	account_with_user
	put_pref '{"sms_opt_in": true, "sms_phone": "+15555550123"}'
	local cred
	for cred in "$B_TOKEN" "$B_KEY"; do
		with_bearer "$cred" GET "/v1/admin/customers/$CUSTOMER_ID/sms-consents"
		assert_problem 404 not_found
	done
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/00000000-0000-0000-0000-000000000000/sms-consents
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/not-a-uuid/sms-consents
	assert_problem 404 not_found
}

@test "consent records are append-only in the database" {
	account_with_user
	put_pref '{"sms_opt_in": true, "sms_phone": "+15555550123"}'
	run stack_sql "UPDATE sms_consents SET opt_in = false WHERE customer_id = '$CUSTOMER_ID'"
	((status != 0)) || fail "an UPDATE of a consent record went through"
	[[ $output == *append-only* ]] || fail "unexpected error: $output"
	run stack_sql "DELETE FROM sms_consents WHERE customer_id = '$CUSTOMER_ID'"
	((status != 0)) || fail "a DELETE of a consent record went through"
	run stack_sql "TRUNCATE sms_consents"
	((status != 0)) || fail "a TRUNCATE of the consent records went through"
	[[ $(stack_sql "SELECT count(*) FROM sms_consents WHERE customer_id = '$CUSTOMER_ID' AND opt_in") == 1 ]] ||
		fail "the record changed"
}

@test "rule 1: with the hauler's portal switched off the preference answers 403 portal_disabled" {
	account_with_user
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	fixture_expect 200 "portal off"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/notifications
	assert_problem 403 portal_disabled
	put_pref '{"sms_opt_in": true, "sms_phone": "+15555550123"}'
	assert_problem 403 portal_disabled
	enable_portal "$TENANT_SLUG"
}
