#!/usr/bin/env bats
# The service-request catalog (issue 25, items 1 and 2): staff admins and API keys edit what the
# portal offers (request types with lead time, cutoff and price, roll-off sizes, closed days);
# the portal lists what is offered with each type's first possible date, computed in the
# hauler's time zone at the server's clock (CURBSIDE_CLOCK_FILE, so no test reads the real one).

load helpers

setup_file() {
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock
	: >"$CLOCK_FILE"
	STACK_ENV=(CURBSIDE_CLOCK_FILE="$CLOCK_FILE")
	start_portal_stack
	neighbour_tenant
}

teardown_file() {
	stop_stack
}

# set_clock INSTANT: what the server takes as now (RFC 3339).
set_clock() {
	printf '%s\n' "$1" >"$CLOCK_FILE"
}

# catalog_patch TOKEN JSON: PATCH /v1/admin/service-catalog.
catalog_patch() {
	staff_api "$1" PATCH /v1/admin/service-catalog "$2"
}

# hauler_with_catalog JSON: a fresh tenant (portal on, zone America/Chicago) whose admin saved
# the catalog patch JSON, and a customer of it signed in to the portal. Sets STAFF_TOKEN,
# TENANT_ID, CUSTOMER_ID, PORTAL_TOKEN.
hauler_with_catalog() {
	portal_tenant '{"time_zone": "America/Chicago"}'
	catalog_patch "$STAFF_TOKEN" "$1"
	fixture_expect 200 "save the catalog"
	account_with_user
}

# A hauler that serves Monday to Saturday, closed on 2027-03-09 (a Tuesday).
CATALOG='{
  "closed_weekdays": ["sunday"],
  "closed_dates": ["2027-03-09"],
  "request_types": {
    "roll_off_delivery": {"enabled": true, "lead_days": 2, "cutoff_time": "14:00",
      "sizes": [{"code": "20yd", "name": "20-yard roll-off", "price_cents": 42500, "rental_days": 7},
                {"code": "10yd", "name": "10-yard roll-off", "price_cents": 32500, "rental_days": 5}]},
    "extra_pickup": {"enabled": true, "lead_days": 1, "cutoff_time": "14:00", "price_cents": 2500},
    "missed_pickup": {"enabled": true, "lead_days": 0, "cutoff_time": "12:00"},
    "vacation_hold": {"enabled": true, "lead_days": 2, "max_days": 21},
    "roll_off_swap": {"enabled": false, "price_cents": 9500},
    "roll_off_removal": {"enabled": true, "lead_days": 1, "price_cents": 0}
  }
}'

@test "a catalog never saved offers nothing: every type off, 1 day of lead time, no cutoff" {
	portal_tenant '{"time_zone": "America/Chicago"}'
	staff_api "$STAFF_TOKEN" GET /v1/admin/service-catalog
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '.time_zone == "America/Chicago" and .closed_weekdays == [] and .closed_dates == []
		and .updated_at == null
		and (.request_types | keys_unsorted) == ["roll_off_delivery", "extra_pickup",
			"missed_pickup", "vacation_hold", "roll_off_swap", "roll_off_removal"]
		and all(.request_types[]; .enabled == false and .lead_days == 1 and .cutoff_time == null)
		and .request_types.roll_off_delivery.sizes == []
		and .request_types.extra_pickup.price_cents == null
		and .request_types.vacation_hold.max_days == 30
		and (.request_types.missed_pickup | keys) == ["cutoff_time", "enabled", "lead_days"]'
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_status 200
	assert_jq '.items == []'
}

@test "an admin saves the catalog; the answer is what GET reads, days in order without repeats" {
	portal_tenant
	catalog_patch "$STAFF_TOKEN" '{"closed_weekdays": ["sunday", "saturday", "sunday"],
		"closed_dates": ["2027-01-01", "2026-12-25", "2027-01-01"]}'
	assert_status 200
	assert_jq '.closed_weekdays == ["saturday", "sunday"]
		and .closed_dates == ["2026-12-25", "2027-01-01"] and (.updated_at | type) == "string"'
	catalog_patch "$STAFF_TOKEN" "$CATALOG"
	assert_status 200
	local saved=$body
	assert_jq '.closed_weekdays == ["sunday"] and .closed_dates == ["2027-03-09"]
		and .request_types.roll_off_delivery == {enabled: true, lead_days: 2, cutoff_time: "14:00",
			sizes: [{code: "20yd", name: "20-yard roll-off", price_cents: 42500, rental_days: 7},
				{code: "10yd", name: "10-yard roll-off", price_cents: 32500, rental_days: 5}]}
		and .request_types.extra_pickup == {enabled: true, lead_days: 1, cutoff_time: "14:00", price_cents: 2500}
		and .request_types.missed_pickup == {enabled: true, lead_days: 0, cutoff_time: "12:00"}
		and .request_types.vacation_hold == {enabled: true, lead_days: 2, cutoff_time: null, max_days: 21}
		and .request_types.roll_off_swap == {enabled: false, lead_days: 1, cutoff_time: null, price_cents: 9500}'
	staff_api "$STAFF_TOKEN" GET /v1/admin/service-catalog
	assert_status 200
	[[ $(jq -S 'del(.updated_at)' <<<"$body") == "$(jq -S 'del(.updated_at)' <<<"$saved")" ]] ||
		fail "GET differs from the PATCH answer"
}

@test "a patch is merged: members left out keep their value, null clears a cutoff or price, sizes are replaced" {
	portal_tenant
	catalog_patch "$STAFF_TOKEN" "$CATALOG"
	fixture_expect 200 "save the catalog"
	catalog_patch "$STAFF_TOKEN" '{"request_types": {"extra_pickup": {"cutoff_time": null},
		"roll_off_swap": {"price_cents": null},
		"roll_off_delivery": {"sizes": [{"code": "30yd", "name": "30-yard", "price_cents": 52500, "rental_days": 7}]}}}'
	assert_status 200
	assert_jq '.closed_weekdays == ["sunday"]
		and .request_types.extra_pickup == {enabled: true, lead_days: 1, cutoff_time: null, price_cents: 2500}
		and .request_types.roll_off_swap.price_cents == null
		and (.request_types.roll_off_delivery.sizes | map(.code)) == ["30yd"]
		and .request_types.vacation_hold.max_days == 21'
}

@test "billing staff read the catalog but may not change it; API keys may; portal users and strangers may not" {
	portal_tenant
	local billing_email="billing.$RANDOM@$TENANT_SLUG.example.test" billing
	create_staff "$TENANT_SLUG" "$billing_email" "$TEST_PASSWORD" billing
	billing=$(staff_login "$TENANT_SLUG" "$billing_email" "$TEST_PASSWORD")
	staff_api "$billing" GET /v1/admin/service-catalog
	assert_status 200
	catalog_patch "$billing" '{"closed_weekdays": ["sunday"]}'
	assert_problem 403 forbidden

	new_api_key catalog
	catalog_patch "$API_KEY" '{"closed_weekdays": ["sunday"]}'
	assert_status 200
	with_bearer "$API_KEY" GET /v1/admin/service-catalog
	assert_jq '.closed_weekdays == ["sunday"]'

	account_with_user
	with_bearer "$PORTAL_TOKEN" PATCH /v1/admin/service-catalog '{"closed_weekdays": []}'
	assert_problem 403 forbidden
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/admin/service-catalog
	assert_problem 401 unauthorized
	staff_api "$STAFF_TOKEN" GET /v1/portal/service-catalog
	assert_problem 403 forbidden
}

@test "every bad member is reported at once, each type takes only its own members, and nothing is saved" {
	portal_tenant
	catalog_patch "$STAFF_TOKEN" '{"closed_weekdays": ["Sunday"], "closed_dates": ["2027-02-30"],
		"request_types": {"missed_pickup": {"price_cents": 100}, "extra_pickup": {"cutoff_time": "24:00",
		"lead_days": 61, "enabled": "yes"}, "vacation_hold": {"max_days": 0},
		"roll_off_delivery": {"sizes": [{"code": "20 yd", "name": "", "price_cents": -1, "rental_days": 0}]},
		"compost": {}}, "holidays": []}'
	assert_problem 422 validation_failed
	assert_field_errors_exactly 'closed_weekdays[0]' 'closed_dates[0]' \
		request_types.missed_pickup.price_cents request_types.extra_pickup.cutoff_time \
		request_types.extra_pickup.lead_days request_types.extra_pickup.enabled \
		request_types.vacation_hold.max_days 'request_types.roll_off_delivery.sizes[0].code' \
		'request_types.roll_off_delivery.sizes[0].name' 'request_types.roll_off_delivery.sizes[0].price_cents' \
		'request_types.roll_off_delivery.sizes[0].rental_days' request_types.compost holidays
	assert_field_error request_types.missed_pickup.price_cents unknown_field
	assert_field_error request_types.extra_pickup.cutoff_time invalid_format

	catalog_patch "$STAFF_TOKEN" '{"closed_weekdays": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}'
	assert_problem 422 too_many_items
	catalog_patch "$STAFF_TOKEN" '{}'
	assert_status 422
	catalog_patch "$STAFF_TOKEN" '{"request_types": {"extra_pickup": {"cutoff_time": "7:30"}}}'
	assert_field_error request_types.extra_pickup.cutoff_time invalid_format
	# direct: the proxy cannot forward a body that is not JSON
	api_direct PATCH /v1/admin/service-catalog '{"closed_weekdays": ' -H "Authorization: Bearer $STAFF_TOKEN"
	assert_problem 400 malformed_json

	staff_api "$STAFF_TOKEN" GET /v1/admin/service-catalog
	assert_jq '.updated_at == null and .closed_weekdays == []'
}

@test "an offered type must say what it costs: price_required, sizes_required, duplicate_size; nothing is saved" {
	portal_tenant
	catalog_patch "$STAFF_TOKEN" '{"closed_weekdays": ["sunday"], "request_types": {"extra_pickup": {"enabled": true}}}'
	assert_problem 422 price_required
	assert_field_error request_types.extra_pickup.price_cents price_required
	catalog_patch "$STAFF_TOKEN" '{"request_types": {"roll_off_delivery": {"enabled": true}}}'
	assert_problem 422 sizes_required
	assert_field_error request_types.roll_off_delivery.sizes sizes_required
	catalog_patch "$STAFF_TOKEN" '{"request_types": {"roll_off_delivery": {"sizes": [
		{"code": "20yd", "name": "A", "price_cents": 1, "rental_days": 1},
		{"code": "20yd", "name": "B", "price_cents": 2, "rental_days": 2}]}}}'
	assert_problem 422 duplicate_size
	assert_field_error 'request_types.roll_off_delivery.sizes[1].code' duplicate_size
	staff_api "$STAFF_TOKEN" GET /v1/admin/service-catalog
	assert_jq '.updated_at == null and .closed_weekdays == [] and .request_types.roll_off_delivery.sizes == []'
	# Free is a price: 0 offers it.
	catalog_patch "$STAFF_TOKEN" '{"request_types": {"extra_pickup": {"enabled": true, "price_cents": 0}}}'
	assert_status 200
	# Switching off leaves a type's terms as they were.
	catalog_patch "$STAFF_TOKEN" '{"request_types": {"extra_pickup": {"enabled": false, "price_cents": null}}}'
	assert_status 200
}

@test "one hauler's catalog is its own: another tenant's staff, keys and customers never see or change it" {
	portal_tenant
	catalog_patch "$STAFF_TOKEN" "$CATALOG"
	fixture_expect 200 "save the catalog"
	catalog_patch "$B_TOKEN" '{"closed_weekdays": ["monday"]}'
	assert_status 200
	with_bearer "$B_KEY" GET /v1/admin/service-catalog
	assert_jq '.closed_weekdays == ["monday"] and .request_types.extra_pickup.enabled == false'
	staff_api "$STAFF_TOKEN" GET /v1/admin/service-catalog
	assert_jq '.closed_weekdays == ["sunday"] and .request_types.extra_pickup.enabled == true'
}

@test "the portal lists the offered types in catalog order with prices, sizes and first dates" {
	hauler_with_catalog "$CATALOG"
	# Friday 2027-03-05, 10:00 in Chicago (CST, UTC-6): before every cutoff.
	set_clock 2027-03-05T16:00:00Z
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '.today == "2027-03-05" and .time_zone == "America/Chicago"
		and .closed_weekdays == ["sunday"] and .closed_dates == ["2027-03-09"]
		and (.items | map(.type)) == ["roll_off_delivery", "extra_pickup", "missed_pickup",
			"vacation_hold", "roll_off_removal"]'
	# Lead days count days the hauler serves: Sunday and the closed Tuesday are skipped.
	assert_jq '.items[0] == {type: "roll_off_delivery", name: "Roll-off delivery", price_cents: null,
			lead_days: 2, cutoff_time: "14:00", first_date: "2027-03-08", max_days: null,
			sizes: [{code: "20yd", name: "20-yard roll-off", price_cents: 42500, rental_days: 7},
				{code: "10yd", name: "10-yard roll-off", price_cents: 32500, rental_days: 5}]}
		and .items[1] == {type: "extra_pickup", name: "Extra pickup", price_cents: 2500, lead_days: 1,
			cutoff_time: "14:00", first_date: "2027-03-06", max_days: null, sizes: []}
		and .items[2].first_date == "2027-03-05" and .items[2].price_cents == 0
		and .items[3].first_date == "2027-03-08" and .items[3].max_days == 21 and .items[3].price_cents == 0
		and .items[4].first_date == "2027-03-06" and .items[4].price_cents == 0'
}

@test "the cutoff is the hauler's local time: at 2 PM in Chicago, tomorrow is no longer possible" {
	hauler_with_catalog "$CATALOG"
	# 13:59 CST on Friday: Saturday is still possible for an extra pickup.
	set_clock 2027-03-05T19:59:00Z
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_jq '(.items[] | select(.type == "extra_pickup") | .first_date) == "2027-03-06"
		and (.items[] | select(.type == "missed_pickup") | .first_date) == "2027-03-06"'
	# 14:00 CST: the request counts as made on Saturday, so Monday (Sunday is closed).
	set_clock 2027-03-05T20:00:00Z
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_jq '(.items[] | select(.type == "extra_pickup") | .first_date) == "2027-03-08"
		and (.items[] | select(.type == "roll_off_delivery") | .first_date) == "2027-03-10"'
	# Saturday 15:00 CST counts as Sunday, closed, so as Monday: Wednesday (Tuesday is closed).
	set_clock 2027-03-06T21:00:00Z
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_jq '.today == "2027-03-06"
		and (.items[] | select(.type == "extra_pickup") | .first_date) == "2027-03-10"'
	# 23:30 CST on Saturday is already Sunday in UTC: the hauler's today is still Saturday.
	set_clock 2027-03-07T05:30:00Z
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_jq '.today == "2027-03-06" and .closed_dates == ["2027-03-09"]'
	# Past the closed date it is no longer listed.
	set_clock 2027-03-10T16:00:00Z
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_jq '.today == "2027-03-10" and .closed_dates == []'
}

@test "each portal sees its own hauler's catalog" {
	hauler_with_catalog "$CATALOG"
	local first=$PORTAL_TOKEN
	portal_tenant
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_jq '.items == [] and .closed_weekdays == []'
	with_bearer "$first" GET /v1/portal/service-catalog
	assert_jq '.items | length == 5'
}
