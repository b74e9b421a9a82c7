#!/usr/bin/env bats
# Portal payment methods on the sandbox processor (API.md rule 18): list, add from a test token,
# remove, make default; the first method is the default; the autopay method stays while autopay
# is on; another account's, customer's or hauler's method is not found; who may call.

load helpers

setup_file() {
	STACK_ENV=(CURBSIDE_PAYMENTS=sandbox)
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# add_method TOKEN [DEFAULT]: POST a payment method with PORTAL_TOKEN; expects 201. Sets METHOD_ID.
add_method() {
	local doc
	doc=$(jq -cn --arg t "$1" --arg d "${2-}" '{payment_token: $t} + (if $d == "" then {} else {default: ($d == "true")} end)')
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods "$doc" || return 1
	fixture_expect 201 "add $1" || return 1
	METHOD_ID=$(jq -r .id <<<"$body")
}

# methods: GET the list with PORTAL_TOKEN; expects 200.
methods() {
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payment-methods || return 1
	fixture_expect 200 "list payment methods"
}

@test "a new account has no payment methods" {
	account_with_user
	methods
	assert_header Cache-Control no-store
	assert_jq '.items == []'
}

@test "rule 18: cards are saved with brand, last four digits and expiry; the first is the default" {
	account_with_user
	add_method tok_visa
	assert_jq 'keys_unsorted == ["id", "type", "brand", "last4", "exp_month", "exp_year", "bank_name", "is_default", "created_at"]'
	assert_jq '.type == "card" and .brand == "visa" and .last4 == "4242" and .exp_month == 12
		and .exp_year >= 2030 and .bank_name == null and .is_default == true'
	local visa=$METHOD_ID
	add_method tok_mastercard
	assert_jq '.brand == "mastercard" and .last4 == "4444" and .is_default == false'
	add_method tok_amex
	assert_jq '.brand == "amex" and .is_default == false'
	# A token that declines charges is still a card that saves fine.
	add_method tok_chargeDeclined
	assert_jq '.type == "card" and .is_default == false'
	add_method tok_insufficientFunds
	methods
	assert_jq '(.items | length) == 5 and .items[0].id == "'"$visa"'" and .items[0].is_default
		and ([.items[] | select(.is_default)] | length) == 1'
	# After the default, newest first.
	assert_jq '[.items[1:][] | .created_at] == ([.items[1:][] | .created_at] | sort | reverse)'
	# The processor's reference and the token never show.
	[[ $body != *tok_* && $body != *pm_sandbox* ]] || fail "a token or processor ref leaked: $body"
}

@test "rule 18: bank accounts (ACH) are saved with the bank's name and no expiry" {
	account_with_user
	add_method tok_bank_account
	assert_jq '.type == "bank_account" and .brand == null and .exp_month == null and .exp_year == null
		and (.bank_name | length > 0) and (.last4 | test("^[0-9]{4}$")) and .is_default'
	add_method tok_bank_account_returned
	assert_jq '.type == "bank_account" and .is_default == false'
	[[ $(stack_sql "SELECT string_agg(processor, ',') FROM payment_methods WHERE customer_id = '$CUSTOMER_ID'") == sandbox,sandbox ]]
}

@test "default: true makes a new method the default; set default moves it" {
	account_with_user
	add_method tok_visa
	local first=$METHOD_ID
	add_method tok_mastercard true
	local second=$METHOD_ID
	assert_jq '.is_default == true'
	methods
	assert_jq '.items[0].id == "'"$second"'" and ([.items[] | select(.is_default)] | length) == 1'
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/payment-methods/$first/default"
	assert_status 200
	assert_jq '.id == "'"$first"'" and .is_default == true'
	# Again: nothing changes.
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/payment-methods/$first/default"
	assert_status 200
	methods
	assert_jq '.items[0].id == "'"$first"'" and .items[0].is_default and (.items[1].is_default | not)'
	# default: false on the first method of an account is ignored: the first is always the default.
	account_with_user
	add_method tok_amex false
	assert_jq '.is_default == true'
}

@test "remove: the method goes from the list, the newest remaining becomes the default" {
	account_with_user
	add_method tok_visa
	local first=$METHOD_ID
	add_method tok_mastercard
	add_method tok_amex
	local newest=$METHOD_ID
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$first"
	assert_status 204
	methods
	assert_jq '(.items | length) == 2 and .items[0].id == "'"$newest"'" and .items[0].is_default'
	# Kept on record (payments will reference it), but gone for the customer.
	[[ $(stack_sql "SELECT removed_at IS NOT NULL FROM payment_methods WHERE id = '$first'") == t ]]
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$first"
	assert_problem 404 not_found
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/payment-methods/$first/default"
	assert_problem 404 not_found
	# Removing a method that is not the default leaves the default alone.
	methods
	local other
	other=$(jq -r '.items[1].id' <<<"$body")
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$other"
	assert_status 204
	methods
	assert_jq '(.items | length) == 1 and .items[0].id == "'"$newest"'" and .items[0].is_default'
}

@test "the autopay method cannot be removed while autopay is on (409); the dashboard shows autopay" {
	account_with_user
	add_method tok_visa
	local autopay=$METHOD_ID
	add_method tok_bank_account
	stack_sql "UPDATE customers SET autopay_enabled = true, autopay_payment_method_id = '$autopay' WHERE id = '$CUSTOMER_ID'"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_status 200
	assert_jq '.autopay == {enabled: true, payment_method_id: "'"$autopay"'"}'
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$autopay"
	assert_problem 409 payment_method_in_use_by_autopay
	assert_jq '.detail | test("autopay")'
	methods
	assert_jq '(.items | length) == 2'
	# Another method can go; with autopay off, so can this one (and autopay forgets it).
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$METHOD_ID"
	assert_status 204
	stack_sql "UPDATE customers SET autopay_enabled = false WHERE id = '$CUSTOMER_ID'"
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$autopay"
	assert_status 204
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_jq '.autopay == {enabled: false, payment_method_id: null}'
}

@test "isolation: another account of the same user, another customer, another hauler: 404" {
	create_customer
	local first=$CUSTOMER_ID
	create_customer
	local second=$CUSTOMER_ID
	portal_user "$(new_address two)" "$first" "$second"
	add_method tok_visa
	local mine=$METHOD_ID
	switch_to "$first"
	methods
	assert_jq '.items == []'
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$mine"
	assert_problem 404 not_found
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/payment-methods/$mine/default"
	assert_problem 404 not_found
	# Another customer of the hauler.
	account_with_user
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$mine"
	assert_problem 404 not_found
	# Another hauler.
	portal_tenant
	account_with_user
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/payment-methods/$mine/default"
	assert_problem 404 not_found
	[[ $(stack_sql "SELECT removed_at IS NULL AND is_default FROM payment_methods WHERE id = '$mine'") == t ]]
}

@test "a malformed id is not found" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" DELETE /v1/portal/payment-methods/not-a-uuid
	assert_problem 404 not_found
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods/12345/default
	assert_problem 404 not_found
}

@test "bad input: unknown token 422 invalid_payment_token, unknown field, missing or wrong token" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_nope"}'
	assert_problem 422 invalid_payment_token
	assert_field_error payment_token invalid_payment_token
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa", "card_number": "4242424242424242"}'
	assert_problem 422 unknown_field
	assert_field_error card_number unknown_field
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{}'
	assert_problem 422 required
	assert_field_error payment_token required
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": 42, "default": "yes"}'
	assert_status 422
	assert_field_error payment_token wrong_type
	assert_field_error default wrong_type
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": ""}'
	assert_field_error payment_token too_short
	# direct: the proxy parses JSON bodies and rejects unparseable ones before forwarding.
	api_direct POST /v1/portal/payment-methods '{"payment_token"' -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_problem 400 malformed_json
	methods
	assert_jq '.items == []'
}

@test "a staff token, an API key and a user with no account selected are refused with 403" {
	create_customer
	local first=$CUSTOMER_ID
	create_customer
	portal_user "$(new_address two)" "$first" "$CUSTOMER_ID"
	portal_login "$TENANT_SLUG" "$(jq -r .user.email <<<"$body")" "$TEST_PASSWORD"
	new_api_key
	with_bearer "$STAFF_TOKEN" GET /v1/portal/payment-methods
	assert_problem 403 forbidden
	with_bearer "$STAFF_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa"}'
	assert_problem 403 forbidden
	with_bearer "$API_KEY" GET /v1/portal/payment-methods
	assert_problem 403 forbidden
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa"}'
	assert_problem 403 account_selection_required
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/portal/payment-methods
	assert_problem 401 unauthorized
}
