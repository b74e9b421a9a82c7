#!/usr/bin/env bats
# Portal payments and credits: GET /v1/portal/payments, /v1/portal/payments/{id} and
# /v1/portal/credits for the selected account (API.md rules 16 and 21, issue 5): columns, the
# payment's allocations and refunds, order and paging, 422s, isolation and who may call them.

load helpers

setup_file() {
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# check_payment CUSTOMER_ID CENTS DATE [ALLOCATIONS_JSON]: a check recorded by staff. Sets PAYMENT_ID.
check_payment() {
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$1" --argjson a "$2" --arg d "$3" --argjson l "${4:-[]}" \
		'{customer_id: $c, amount_cents: $a, method: "check", reference_number: ("CHK-" + ($a | tostring)),
		  payment_date: $d, allocations: $l}')"
}

# ids PATH: the ids of the first page of GET PATH, one per line.
ids() {
	with_bearer "$PORTAL_TOKEN" GET "$1" || return 1
	fixture_expect 200 "GET $1" || return 1
	jq -r '.items[].id' <<<"$body"
}

@test "rule 16: a payment in the list shows payment date, status, method, reference number and amount" {
	account_with_user
	open_invoice "$CUSTOMER_ID"
	check_payment "$CUSTOMER_ID" 12500 2026-11-02 "$(jq -cn --arg i "$INVOICE_ID" '[{invoice_id: $i, amount_cents: 10000}]')"
	local payment=$PAYMENT_ID

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payments
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '(.items | length) == 1 and .next_cursor == null'
	assert_jq '.items[0] | keys_unsorted == ["id", "payment_date", "status", "method",
		"reference_number", "amount_cents", "applied_cents", "refunded_cents", "unapplied_cents",
		"method_brand", "method_last4", "failure_code", "failure_message"]'
	assert_jq --arg id "$payment" '.items[0] | .id == $id and .payment_date == "2026-11-02"
		and .status == "succeeded" and .method == "check" and .reference_number == "CHK-12500"
		and .amount_cents == 12500 and .applied_cents == 10000 and .refunded_cents == 0
		and .unapplied_cents == 2500'
}

@test "a payment's detail has the invoices it paid and its refunds" {
	account_with_user
	open_invoice "$CUSTOMER_ID" '{"invoice_date": "2026-10-01"}'
	local first=$INVOICE_ID first_number=$INVOICE_NUMBER
	open_invoice "$CUSTOMER_ID" '{"invoice_date": "2026-11-01"}'
	local second=$INVOICE_ID
	check_payment "$CUSTOMER_ID" 20000 2026-11-05 "$(jq -cn --arg a "$first" --arg b "$second" \
		'[{invoice_id: $b, amount_cents: 4000}, {invoice_id: $a, amount_cents: 10000}]')"
	local payment=$PAYMENT_ID
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$payment/refund" '{"amount_cents": 1000, "reason": "Paid twice"}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	assert_status 201

	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments/$payment"
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq 'keys_unsorted == ["id", "payment_date", "status", "method", "reference_number",
		"amount_cents", "applied_cents", "refunded_cents", "unapplied_cents", "method_brand",
		"method_last4", "failure_code", "failure_message", "allocations", "refunds"]'
	assert_jq '.amount_cents == 20000 and .applied_cents == 14000 and .refunded_cents == 1000
		and .unapplied_cents == 5000 and .status == "succeeded"'
	assert_jq --arg a "$first" --arg n "$first_number" --arg b "$second" '
		[.allocations[] | [.invoice_id, .amount_cents, .reversed_cents]] == [[$a, 10000, 0], [$b, 4000, 0]]
		and .allocations[0].invoice_number == $n and .allocations[0].invoice_date == "2026-10-01"'
	assert_jq '(.refunds | length) == 1 and (.refunds[0] | .amount_cents == 1000
		and .reason == "Paid twice" and .status == "succeeded" and (.id | type) == "string"
		and (.refund_date | type) == "string")'
}

@test "payments are newest payment date first, ties by id, and page without overlap" {
	account_with_user
	local d
	for d in 2026-01-03 2026-01-01 2026-01-02 2026-01-02 2026-01-02; do
		check_payment "$CUSTOMER_ID" 100 "$d"
	done
	local want
	want=$(stack_sql "SELECT id FROM payments WHERE customer_id = '$CUSTOMER_ID' ORDER BY payment_date DESC, id DESC")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments?limit=3"
	assert_status 200
	local page1 cursor
	page1=$(jq -r '.items[].id' <<<"$body")
	cursor=$(jq -r .next_cursor <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments?limit=3&cursor=$cursor"
	assert_status 200
	assert_jq '(.items | length) == 2 and .next_cursor == null'
	[[ "$page1"$'\n'"$(jq -r '.items[].id' <<<"$body")" == "$want" ]] || fail "pages differ from the expected order"
}

@test "rule 16: failed and refunded payments are listed with their status" {
	account_with_user
	check_payment "$CUSTOMER_ID" 700 2026-02-01
	local refunded=$PAYMENT_ID
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$refunded/refund" '{}' -H "Idempotency-Key: $(new_idempotency_key)"
	assert_status 201
	check_payment "$CUSTOMER_ID" 900 2026-01-01
	local failed=$PAYMENT_ID
	stack_sql "UPDATE payments SET status = 'failed', method = 'card' WHERE id = '$failed'" >/dev/null
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payments
	assert_status 200
	assert_jq --arg r "$refunded" --arg f "$failed" '[.items[] | [.id, .status, .method, .refunded_cents]] ==
		[[$r, "refunded", "check", 700], [$f, "failed", "card", 0]]'
}

@test "rule 21: a credit in the list shows date, reason, amount and remaining amount" {
	account_with_user
	new_credit "$CUSTOMER_ID" 3000 2026-10-15 "Missed pickup on Oct 8"
	local credit=$CREDIT_ID
	open_invoice "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/credits/$credit/apply" "$(jq -cn --arg i "$INVOICE_ID" '{invoice_id: $i, amount_cents: 1200}')"
	assert_status 200
	new_credit "$CUSTOMER_ID" 500 2026-11-01 "Goodwill"

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/credits
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '.next_cursor == null and (.items | length) == 2'
	assert_jq '.items | all(keys_unsorted == ["id", "credit_date", "reason", "amount_cents", "remaining_cents"])'
	assert_jq --arg c "$credit" --arg g "$CREDIT_ID" '[.items[] | [.id, .credit_date, .reason, .amount_cents, .remaining_cents]] ==
		[[$g, "2026-11-01", "Goodwill", 500, 500], [$c, "2026-10-15", "Missed pickup on Oct 8", 3000, 1800]]'
}

@test "credits page newest credit date first without overlap" {
	account_with_user
	local d
	for d in 2026-03-01 2026-01-01 2026-02-01 2026-02-01; do
		new_credit "$CUSTOMER_ID" 100 "$d"
	done
	local want
	want=$(stack_sql "SELECT id FROM credits WHERE customer_id = '$CUSTOMER_ID' ORDER BY credit_date DESC, id DESC")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/credits?limit=2"
	assert_status 200
	local page1 cursor
	page1=$(jq -r '.items[].id' <<<"$body")
	cursor=$(jq -r .next_cursor <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/credits?limit=2&cursor=$cursor"
	assert_status 200
	assert_jq '(.items | length) == 2'
	local page2 last
	page2=$(jq -r '.items[].id' <<<"$body")
	last=$(jq -r .next_cursor <<<"$body")
	if [[ $last != null ]]; then
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/credits?limit=2&cursor=$last"
		assert_jq '.items == [] and .next_cursor == null'
	fi
	[[ "$page1"$'\n'"$page2" == "$want" ]] || fail "pages differ from the expected order"
}

@test "422: unknown and bad query parameters on the payments and credits lists" {
	account_with_user
	for path in /v1/portal/payments /v1/portal/credits; do
		with_bearer "$PORTAL_TOKEN" GET "$path?limit=0&cursor=bogus&status=paid"
		assert_status 422
		assert_field_errors_exactly limit cursor status
		assert_field_error limit invalid_parameter
		assert_field_error cursor invalid_cursor
		assert_field_error status unknown_parameter
		with_bearer "$PORTAL_TOKEN" GET "$path?limit=101"
		assert_problem 422 invalid_parameter
	done
}

@test "isolation: another account of the same user, another customer, another tenant and a malformed id are 404" {
	create_customer
	local other_account=$CUSTOMER_ID
	check_payment "$other_account" 100 2026-01-01
	local other_payment=$PAYMENT_ID
	new_credit "$other_account" 100 2026-01-01
	local other_credit=$CREDIT_ID
	create_customer
	local mine=$CUSTOMER_ID
	check_payment "$mine" 200 2026-01-01
	local my_payment=$PAYMENT_ID
	new_credit "$mine" 200 2026-01-01
	local my_credit=$CREDIT_ID
	portal_user "$(new_address multi)" "$other_account" "$mine"
	local token=$PORTAL_TOKEN
	create_customer
	check_payment "$CUSTOMER_ID" 300 2026-01-01
	local stranger_payment=$PAYMENT_ID
	(
		new_staff_token
		create_customer
		check_payment "$CUSTOMER_ID" 400 2026-01-01
		echo "$PAYMENT_ID" >"$BATS_TEST_TMPDIR/foreign"
	)
	local foreign
	foreign=$(<"$BATS_TEST_TMPDIR/foreign")
	PORTAL_TOKEN=$token
	switch_to "$mine"

	[[ $(ids /v1/portal/payments) == "$my_payment" ]] || fail "payments: $(ids /v1/portal/payments)"
	[[ $(ids /v1/portal/credits) == "$my_credit" ]] || fail "credits: $(ids /v1/portal/credits)"
	for id in "$other_payment" "$stranger_payment" "$foreign" not-a-uuid; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments/$id"
		assert_problem 404 not_found
	done

	switch_to "$other_account"
	[[ $(ids /v1/portal/payments) == "$other_payment" ]] || fail "after switching: $(ids /v1/portal/payments)"
	[[ $(ids /v1/portal/credits) == "$other_credit" ]] || fail "after switching: $(ids /v1/portal/credits)"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments/$my_payment"
	assert_problem 404 not_found
}

@test "a staff token, an API key and a user with no account selected are refused with 403" {
	create_customer
	local first=$CUSTOMER_ID
	check_payment "$first" 100 2026-01-01
	local payment=$PAYMENT_ID
	create_customer
	portal_user "$(new_address two)" "$first" "$CUSTOMER_ID"
	portal_login "$TENANT_SLUG" "$(jq -r .user.email <<<"$body")" "$TEST_PASSWORD"
	assert_jq '.account_selection_required == true'
	new_api_key
	for path in /v1/portal/payments "/v1/portal/payments/$payment" /v1/portal/credits; do
		with_bearer "$STAFF_TOKEN" GET "$path"
		assert_problem 403 forbidden
		with_bearer "$API_KEY" GET "$path"
		assert_problem 403 forbidden
		with_bearer "$PORTAL_TOKEN" GET "$path"
		assert_problem 403 account_selection_required
		# direct: the proxy answers a request without credentials itself
		api_direct GET "$path"
		assert_problem 401 unauthorized
	done
}
