#!/usr/bin/env bats
# Back office: customer accounts (list/search, create and upsert by external_id, read, update).

load helpers

CUSTOMER_KEYS='["account_number","billing_address","contacts","created_at","external_id","id","kind","name","phone","portal","routing","updated_at"]'

setup_file() {
	start_stack
	# Tenant B: a neighbour whose staff and key must never see tenant A's customers.
	new_staff_token admin other
	export B_TOKEN=$STAFF_TOKEN
	new_api_key b-sync
	export B_KEY=$API_KEY
}

teardown_file() {
	stop_stack
}

setup() {
	new_staff_token
}

full_customer() {
	jq -cn --arg n "$1" '{account_number: (" " + $n + " "), name: "  Bob Smith ", kind: "residential",
		routing: true, phone: "+1 217 555 0134", external_id: ("ext-" + $n),
		billing_address: {line1: "12 Oak St", city: "Springfield", region: "IL", postal_code: "62701", country: "US"},
		contacts: [{name: "Bob Smith", email: "  Bob.Smith@Example.COM "}]}'
}

@test "staff create a customer: 201, Location, every member stored trimmed and normalised" {
	local number
	number=$(unique_number A)
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers "$(full_customer "$number")"
	assert_status 201
	assert_jq "keys == $CUSTOMER_KEYS"
	assert_jq '.portal.enabled == false and .portal.login_email == null'
	local id
	id=$(jq -r .id <<<"$body")
	assert_header Location "/v1/admin/customers/$id"
	assert_json .account_number "$number"
	assert_json .name 'Bob Smith'
	assert_json .kind residential
	assert_jq '.routing == true'
	assert_json .external_id "ext-$number"
	assert_jq '.contacts == [{"name": "Bob Smith", "email": "bob.smith@example.com", "phone": null}]'
	assert_jq '.billing_address == {"line1": "12 Oak St", "line2": null, "city": "Springfield", "region": "IL", "postal_code": "62701", "country": "US"}'
	# a read agrees with what the create answered
	local created=$body
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$id"
	assert_status 200
	[[ $(jq -S . <<<"$body") == "$(jq -S . <<<"$created")" ]] || fail "GET differs from the create answer"
}

@test "an API key creates customers like staff do; defaults apply to omitted members" {
	new_api_key
	with_bearer "$API_KEY" POST /v1/admin/customers '{"account_number": "K-1", "name": "Kay", "kind": "roll_off"}'
	assert_status 201
	assert_jq '.routing == false and .phone == null and .billing_address == null and .contacts == [] and .external_id == null'
}

@test "posting the same external_id again upserts: 200, same id, an identical replay changes nothing" {
	local number doc id updated
	number=$(unique_number A)
	doc=$(full_customer "$number")
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers "$doc"
	assert_status 201
	id=$(jq -r .id <<<"$body")
	updated=$(jq -r .updated_at <<<"$body")
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers "$doc"
	assert_status 200
	assert_json .id "$id"
	assert_json .updated_at "$updated"
	# a changed sync updates the same customer
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers "$(jq -c '.name = "Robert Smith" | .kind = "commercial"' <<<"$doc")"
	assert_status 200
	assert_json .id "$id"
	assert_json .name 'Robert Smith'
	assert_json .kind commercial
	assert_jq '.routing == true and (.contacts | length) == 1'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers?q=$number"
	assert_jq '(.items | length) == 1'
}

@test "a second customer with a taken account number answers 409 account_number_taken" {
	create_customer
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers \
		"$(jq -cn --arg n "$CUSTOMER_NUMBER" '{account_number: $n, name: "Dup", kind: "commercial"}')"
	assert_problem 409 account_number_taken
}

@test "giving a customer another customer's external_id answers 409 external_id_taken" {
	create_customer '{"external_id": "taken-1"}'
	create_customer
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"external_id": "taken-1"}'
	assert_problem 409 external_id_taken
}

@test "every invalid member is reported at once and nothing is stored" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers \
		'{"account_number": "", "kind": "industrial", "routing": "yes", "contacts": [{"email": "bob smith@example.com"}, {"name": "x"}], "billing_address": {"city": "Springfield"}, "colour": 1}'
	assert_problem 422 validation_failed
	assert_field_error account_number too_short
	assert_field_error name required
	assert_field_error kind invalid_value
	assert_field_error routing wrong_type
	assert_field_error 'contacts[0].email' invalid_email
	assert_field_error 'contacts[1].email' required
	assert_field_error billing_address.line1 required
	assert_field_error colour unknown_field
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers
	assert_jq '.items == []'
}

@test "contact emails with a space or an invalid character answer 422 invalid_email naming the field" {
	local email
	for email in 'bob smith@example.com' 'bob@exa mple.com' 'bob<>@example.com' 'bob@@example.com' 'bob'; do
		staff_api "$STAFF_TOKEN" POST /v1/admin/customers \
			"$(jq -cn --arg e "$email" '{account_number: "E-1", name: "E", kind: "residential", contacts: [{email: $e}]}')"
		assert_problem 422 invalid_email
		assert_field_errors_exactly 'contacts[0].email'
	done
}

@test "too many contacts and overlong values are refused" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers \
		"$(jq -cn '{account_number: ("9" * 41), name: ("n" * 201), kind: "residential", contacts: [range(21) | {email: "a@b.co"}]}')"
	assert_problem 422 validation_failed
	assert_field_error account_number too_long
	assert_field_error name too_long
	assert_field_error contacts too_many_items
}

@test "PATCH changes only what is sent; null clears; contacts are replaced whole" {
	create_customer '{"phone": "555-0100", "contacts": [{"email": "a@example.com"}, {"email": "b@example.com"}]}'
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"phone": null, "contacts": [{"email": "C@Example.com"}], "routing": true}'
	assert_status 200
	assert_jq '.phone == null and .routing == true and .contacts == [{"name": null, "email": "c@example.com", "phone": null}]'
	assert_json .account_number "$CUSTOMER_NUMBER"
	assert_json .kind residential
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.phone == null and .contacts == [{"name": null, "email": "c@example.com", "phone": null}]'
}

@test "issue 23: parts of an address and contact not sent answer null, never left out; only one customer carries its invitation" {
	create_customer '{"billing_address": {"line1": "1 Elm St"}, "contacts": [{"email": "d@example.com"}]}'
	local want='{"address": {"line1": "1 Elm St", "line2": null, "city": null, "region": null, "postal_code": null, "country": null}, "contact": {"name": null, "email": "d@example.com", "phone": null}}'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_status 200
	assert_jq "{address: .billing_address, contact: .contacts[0]} == $want"
	assert_jq '.portal | has("invitation") and .invitation == null'
	# A patch of the address alone completes it the same way.
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"billing_address": {"line1": "2 Elm St", "city": "Springfield"}}'
	assert_status 200
	assert_jq '.billing_address == {"line1": "2 Elm St", "line2": null, "city": "Springfield", "region": null, "postal_code": null, "country": null}'
	# The list gives each customer's portal access without the invitation (CustomerSummary).
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers?q=$CUSTOMER_NUMBER"
	assert_status 200
	assert_jq --arg id "$CUSTOMER_ID" '.items[] | select(.id == $id) | (.portal | keys) == ["enabled", "login_email"] and .contacts[0].phone == null'
}

@test "PATCH refuses an empty body, nulls of required members and unknown members" {
	create_customer
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{}'
	assert_problem 422 required
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"name": null, "kind": null, "nickname": "x"}'
	assert_problem 422 validation_failed
	assert_field_errors_exactly name kind nickname
}

@test "unknown and malformed customer ids answer 404 not_found" {
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/3daa9a9b-3814-477a-ad1c-cbd220d14a66
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/not-a-uuid
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/customers/3daa9a9b-3814-477a-ad1c-cbd220d14a66 '{"name": "X"}'
	assert_problem 404 not_found
}

@test "the list is ordered by name and pages with an opaque cursor without gaps or repeats" {
	local name
	for name in Delta alpha Charlie Bravo Echo; do
		create_customer "$(jq -cn --arg n "$name" '{name: $n}')"
	done
	local cursor='' seen='[]' pages=0 path
	while :; do
		path="/v1/admin/customers?limit=2${cursor:+&cursor=$cursor}"
		staff_api "$STAFF_TOKEN" GET "$path"
		assert_status 200
		assert_jq '(.items | length) <= 2'
		seen=$(jq -c --argjson s "$seen" '$s + [.items[].name]' <<<"$body")
		cursor=$(jq -r '.next_cursor // empty' <<<"$body")
		pages=$((pages + 1))
		[[ -n $cursor && $pages -lt 10 ]] || break
	done
	[[ $seen == '["Bravo","Charlie","Delta","Echo","alpha"]' ]] || fail "pages gave $seen"
	((pages == 3)) || fail "expected 3 pages, got $pages"
}

@test "search matches name, account number and contact email substrings; kind filters" {
	create_customer '{"name": "Maple Street Diner", "kind": "commercial"}'
	local diner=$CUSTOMER_ID
	create_customer '{"name": "Ann Lee", "contacts": [{"email": "ann.lee@mail.example"}]}'
	local ann=$CUSTOMER_ID ann_number=$CUSTOMER_NUMBER
	create_customer '{"name": "100% Recycling", "kind": "roll_off"}'
	local recycling=$CUSTOMER_ID
	staff_api "$STAFF_TOKEN" GET '/v1/admin/customers?q=STREET'
	assert_jq "[.items[].id] == [\"$diner\"]"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers?q=$ann_number"
	assert_jq "[.items[].id] == [\"$ann\"]"
	staff_api "$STAFF_TOKEN" GET '/v1/admin/customers?q=lee%40mail'
	assert_jq "[.items[].id] == [\"$ann\"]"
	# LIKE wildcards in the search text are literal
	staff_api "$STAFF_TOKEN" GET '/v1/admin/customers?q=100%25'
	assert_jq "[.items[].id] == [\"$recycling\"]"
	staff_api "$STAFF_TOKEN" GET '/v1/admin/customers?q=_'
	assert_jq '.items == []'
	staff_api "$STAFF_TOKEN" GET '/v1/admin/customers?kind=roll_off'
	assert_jq "[.items[].id] == [\"$recycling\"]"
}

@test "bad query parameters answer 422 naming each one" {
	staff_api "$STAFF_TOKEN" GET '/v1/admin/customers?limit=0&cursor=garbage&kind=industrial&sort=name&q='
	assert_problem 422 validation_failed
	assert_field_error limit invalid_parameter
	assert_field_error cursor invalid_cursor
	assert_field_error kind invalid_parameter
	assert_field_error sort unknown_parameter
	assert_field_error q invalid_parameter
	staff_api "$STAFF_TOKEN" GET '/v1/admin/customers?limit=101'
	assert_field_error limit invalid_parameter
	staff_api "$STAFF_TOKEN" GET '/v1/admin/customers?limit=2x'
	assert_field_error limit invalid_parameter
}

@test "another tenant's staff and API key never see or change this tenant's customers" {
	create_customer
	local token
	for token in "$B_TOKEN" "$B_KEY"; do
		with_bearer "$token" GET "/v1/admin/customers/$CUSTOMER_ID"
		assert_problem 404 not_found
		with_bearer "$token" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"name": "Hijacked"}'
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/customers?q=$CUSTOMER_NUMBER"
		assert_jq '.items == []'
	done
	# the same account number is free in another tenant
	with_bearer "$B_KEY" POST /v1/admin/customers \
		"$(jq -cn --arg n "$CUSTOMER_NUMBER" '{account_number: $n, name: "B", kind: "residential"}')"
	assert_status 201
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_json .name "Customer $CUSTOMER_NUMBER"
}

@test "customer endpoints need back-office credentials" {
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/admin/customers
	assert_problem 401 unauthorized
	operator_api GET /v1/admin/customers
	assert_problem 403 forbidden
	with_bearer csk_notARealKeyAtAll00000000000000000000000000 GET /v1/admin/customers
	assert_problem 401 invalid_token
}

@test "a billing staff user keeps customers too" {
	new_staff_token billing
	create_customer
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"routing": true}'
	assert_status 200
}
