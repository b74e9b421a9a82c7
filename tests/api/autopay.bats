#!/usr/bin/env bats
# Autopay (API.md rule 19): GET/PUT /v1/portal/autopay, and the scheduler charging on the
# hauler's calendar (00:01 on the due date; the next day for an invoice sent late or due on
# receipt; retries daily, twice; the third failure switches autopay off), driven by the clock
# override (CURBSIDE_CLOCK_FILE) and woken with NOTIFY curbside_autopay.

load helpers

setup_file() {
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock
	: >"$CLOCK_FILE"
	STACK_ENV=(CURBSIDE_CLOCK_FILE="$CLOCK_FILE" CURBSIDE_AUTOPAY_POLL_SECONDS=3600
		CURBSIDE_PAYMENTS_POLL_SECONDS=1)
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# set_clock INSTANT: what the server takes as now (RFC 3339).
set_clock() {
	printf '%s\n' "$1" >"$CLOCK_FILE"
}

# autopay_run: wake the scheduler.
autopay_run() {
	stack_sql "NOTIFY curbside_autopay" >/dev/null
}

# await_sql SQL EXPECTED: wait (bounded) until SQL answers EXPECTED.
await_sql() {
	local got deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		got=$(stack_sql "$1")
		[[ $got == "$2" ]] && return 0
		sleep 0.2
	done
	fail "waited for '$1' to be '$2'; it is '$got'"
}

# autopay_payments: how many autopay payments the account has, by status ("succeeded:1 ...").
autopay_payments() {
	stack_sql "SELECT coalesce(string_agg(status || ':' || n, ' ' ORDER BY status), '')
		FROM (SELECT status, count(*) n FROM payments WHERE customer_id = '$CUSTOMER_ID'
		      AND source = 'autopay' GROUP BY status) x"
}

# zone_tenant ZONE: a fresh hauler in time zone ZONE (TENANT_SLUG, TENANT_ID, STAFF_TOKEN).
zone_tenant() {
	portal_tenant "$(jq -cn --arg z "$1" '{time_zone: $z}')"
}

# enrolled_account TOKEN: a fresh account with a portal user and an email contact (MAIL_TO), a
# card saved from TOKEN (METHOD_ID) and autopay on with it.
enrolled_account() {
	account_with_user
	MAIL_TO=$(new_address ap)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" \
		"$(jq -cn --arg e "$MAIL_TO" '{contacts: [{name: "Ann Lee", email: $e}]}')"
	fixture_expect 200 "contacts"
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods "$(jq -cn --arg t "$1" '{payment_token: $t}')"
	fixture_expect 201 "add $1"
	METHOD_ID=$(jq -r .id <<<"$body")
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay "$(jq -cn --arg m "$METHOD_ID" '{enabled: true, payment_method_id: $m}')"
	fixture_expect 200 "enrol"
}

# dated_invoice INVOICE_DATE DUE_DATE CENTS [TERMS]: an open invoice with these dates.
dated_invoice() {
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg i "$1" --arg d "$2" --argjson c "$3" --arg t "${4-}" \
		'{invoice_date: $i, due_date: $d, lines: [{description: "Pickup", unit_price_cents: $c}]}
		 + (if $t == "" then {} else {terms: $t} end)')"
}

@test "GET: autopay is off with nothing to preview for a new account" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/autopay
	assert_status 200
	assert_jq '.enabled == false and .payment_method_id == null and .payment_method == null
		and .next_charges == [] and .failed_attempts == 0 and .last_failure == null'
	assert_header Cache-Control no-store
}

@test "PUT: switching on needs a saved method of this account" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{"enabled": true}'
	assert_problem 422 payment_method_required
	assert_field_error payment_method_id payment_method_required
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{"enabled": true, "payment_method_id": "6c0f7b8e-3a1d-4e2f-9b5c-7d8e9f0a1b2c"}'
	assert_problem 422 invalid_reference
	assert_field_error payment_method_id invalid_reference
	# Another account's method reads the same as an unknown one.
	local mine=$PORTAL_TOKEN other
	account_with_user
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa"}'
	other=$(jq -r .id <<<"$body")
	with_bearer "$mine" PUT /v1/portal/autopay "$(jq -cn --arg m "$other" '{enabled: true, payment_method_id: $m}')"
	assert_problem 422 invalid_reference
	# A removed method too.
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$other"
	assert_status 204
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay "$(jq -cn --arg m "$other" '{enabled: true, payment_method_id: $m}')"
	assert_problem 422 invalid_reference
	[[ $(stack_sql "SELECT count(*) FROM customers WHERE autopay_enabled AND tenant_id = '$TENANT_ID'") == 0 ]]
}

@test "PUT: bad bodies are refused with every bad field" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{"enabled": "yes", "payment_method_id": "nope", "extra": 1}'
	assert_status 422
	assert_field_error enabled wrong_type
	assert_field_error payment_method_id invalid_format
	assert_field_error extra unknown_field
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{}'
	assert_field_error enabled required
	# direct: the proxy parses JSON bodies and rejects unparseable ones before forwarding.
	api_direct PUT /v1/portal/autopay '{"enabled": ' -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_problem 400 malformed_json
	# direct: the proxy answers a request without credentials itself
	api_direct PUT /v1/portal/autopay '{"enabled": false}'
	assert_problem 401 unauthorized
	api_direct GET /v1/portal/autopay
	assert_problem 401 unauthorized
	staff_api "$STAFF_TOKEN" GET /v1/portal/autopay
	assert_problem 403 forbidden
}

@test "PUT: enrol, switch off keeping the method, change the method while off stays off" {
	set_clock 2027-03-01T12:00:00Z
	enrolled_account tok_visa
	assert_jq '.enabled == true and .payment_method_id == "'"$METHOD_ID"'" and .payment_method.last4 == "4242"'
	# The autopay method cannot be removed while autopay is on.
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$METHOD_ID"
	assert_problem 409 payment_method_in_use_by_autopay
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{"enabled": false}'
	assert_status 200
	assert_jq '.enabled == false and .payment_method_id == "'"$METHOD_ID"'" and .next_charges == []'
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_mastercard"}'
	local second
	second=$(jq -r .id <<<"$body")
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay "$(jq -cn --arg m "$second" '{enabled: false, payment_method_id: $m}')"
	assert_status 200
	assert_jq '.enabled == false and .payment_method_id == "'"$second"'" and .payment_method.brand == "mastercard"'
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/payment-methods/$second/default"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/autopay
	assert_jq '.enabled == false'
	# Switching on without naming one takes the method autopay has; the dashboard agrees.
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{"enabled": true}'
	assert_jq '.enabled == true and .payment_method_id == "'"$second"'"'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_jq '.autopay.enabled == true and .autopay.payment_method_id == "'"$second"'"'
}

@test "schedule functions: 00:01 local on DST days in Los Angeles and Auckland" {
	run stack_sql "SET TimeZone = 'UTC'; SELECT autopay_at_0001('2027-03-14', 'America/Los_Angeles'),
		autopay_at_0001('2027-11-07', 'America/Los_Angeles'),
		autopay_at_0001('2027-09-26', 'Pacific/Auckland'),
		autopay_at_0001('2027-04-04', 'Pacific/Auckland'),
		autopay_next_day_0001('2027-03-13 23:59:59-08', 'America/Los_Angeles'),
		autopay_next_day_0001('2027-09-25 23:30:00+12', 'Pacific/Auckland')"
	[[ $status == 0 ]] || fail "$output"
	[[ $output == "2027-03-14 08:01:00+00|2027-11-07 07:01:00+00|2027-09-25 12:01:00+00|2027-04-03 11:01:00+00|2027-03-14 08:01:00+00|2027-09-25 12:01:00+00" ]] ||
		fail "$output"
}

@test "Los Angeles: charged at 00:01 on the due date, one charge for the invoices due, receipt with its PDF" {
	zone_tenant America/Los_Angeles
	set_clock 2027-03-01T12:00:00Z
	enrolled_account tok_visa
	local first second later
	dated_invoice 2027-02-14 2027-03-14 4500
	first=$INVOICE_NUMBER
	dated_invoice 2027-02-20 2027-03-14 5500
	second=$INVOICE_NUMBER
	dated_invoice 2027-03-01 2027-03-31 1000
	later=$INVOICE_ID
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/autopay
	# In charge order; the two of one day are ordered by their (random) numbers.
	assert_jq '[.next_charges[] | .charge_on] == ["2027-03-14", "2027-03-14", "2027-03-31"]
		and ([.next_charges[] | [.charge_on, .amount_cents, .attempt]] | sort)
			== [["2027-03-14", 4500, 1], ["2027-03-14", 5500, 1], ["2027-03-31", 1000, 1]]
		and .next_charges[0].invoice_number < .next_charges[1].invoice_number'
	# A minute before 00:01 local (PST, UTC-8) nothing is due.
	set_clock 2027-03-14T08:00:00Z
	autopay_round
	[[ $(autopay_payments) == "" ]]
	set_clock 2027-03-14T08:01:00Z
	autopay_run
	await_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status = 'succeeded'" 1
	[[ $(stack_sql "SELECT amount_cents || ' ' || payment_date || ' ' || source FROM payments WHERE customer_id = '$CUSTOMER_ID'") == "10000 2027-03-14 autopay" ]]
	[[ $(stack_sql "SELECT status FROM invoices WHERE id = '$later'") == open ]]
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/autopay
	assert_jq '[.next_charges[] | .invoice_id] == ["'"$later"'"] and .failed_attempts == 0'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payments
	assert_jq '.items[0].status == "succeeded" and .items[0].amount_cents == 10000 and .items[0].method_last4 == "4242"'
	local file name
	file=$(mail_wait "$MAIL_TO" "receipt")
	assert_branded "$file" "$MAIL_TO"
	# Both invoices, in the receipt's order (due date, then number: the numbers are random).
	local paid
	paid=$(printf '%s\n' "$first" "$second" | LC_ALL=C sort | paste -sd, - | sed 's/,/, /')
	[[ $(mail_text "$file") == *"Invoices paid: $paid"* ]] || fail "$(mail_text "$file")"
	name=$("$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" attachments "$file" | cut -f2)
	[[ $name == application/pdf ]] || fail "attachments: $name"
	# Run again: nothing more is charged.
	autopay_round
	[[ $(autopay_payments) == "succeeded:1" ]]
}

@test "Auckland: sent after its due moment or due on receipt, charged at 00:01 the next day" {
	zone_tenant Pacific/Auckland
	set_clock 2027-04-01T00:00:00Z
	enrolled_account tok_visa
	local late receipt
	# Due 2027-04-10, sent at 09:30 that day (NZST, UTC+12): charged 2027-04-11 00:01 NZST.
	dated_invoice 2027-04-01 2027-04-10 2000
	late=$INVOICE_ID
	stack_sql "UPDATE invoices SET sent_at = '2027-04-10T09:30:00+12' WHERE id = '$late'" >/dev/null
	# Due on receipt, sent 2027-04-12 15:00 NZST: charged 2027-04-13 00:01 NZST.
	dated_invoice 2027-04-12 2027-04-12 3000 "Due on receipt"
	receipt=$INVOICE_ID
	stack_sql "UPDATE invoices SET sent_at = '2027-04-12T15:00:00+12' WHERE id = '$receipt'" >/dev/null
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/autopay
	assert_jq '[.next_charges[] | [.invoice_id, .charge_on]] == [["'"$late"'", "2027-04-11"], ["'"$receipt"'", "2027-04-13"]]'
	set_clock 2027-04-10T12:00:00Z # 2027-04-11 00:00 NZST
	autopay_round
	[[ $(autopay_payments) == "" ]]
	set_clock 2027-04-10T12:01:00Z
	autopay_run
	await_sql "SELECT status FROM invoices WHERE id = '$late'" paid
	[[ $(stack_sql "SELECT status FROM invoices WHERE id = '$receipt'") == open ]]
	set_clock 2027-04-12T12:01:00Z
	autopay_run
	await_sql "SELECT status FROM invoices WHERE id = '$receipt'" paid
	[[ $(autopay_payments) == "succeeded:2" ]]
}

@test "a decline emails autopay_failed and retries the next day; the third failure switches autopay off" {
	zone_tenant America/New_York
	set_clock 2027-05-01T12:00:00Z
	enrolled_account tok_chargeDeclined
	dated_invoice 2027-05-01 2027-05-20 7500
	# 2027-05-20 00:01 EDT = 04:01Z.
	set_clock 2027-05-20T04:01:00Z
	autopay_run
	await_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status = 'failed'" 1
	local file
	file=$(mail_wait "$MAIL_TO" "did not go through")
	assert_branded "$file" "$MAIL_TO"
	[[ $(mail_text "$file") == *"May 21, 2027"* && $(mail_text "$file") == *"declined"* ]] || fail "$(mail_text "$file")"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/autopay
	assert_jq '.enabled == true and .failed_attempts == 1 and .last_failure.attempt == 1
		and .last_failure.code == "card_declined"
		and .next_charges == [{"invoice_id": "'"$INVOICE_ID"'", "invoice_number": "'"$INVOICE_NUMBER"'", "charge_on": "2027-05-21", "amount_cents": 7500, "attempt": 2}]'
	# Later the same day: no retry yet.
	set_clock 2027-05-20T23:00:00Z
	autopay_round
	[[ $(autopay_payments) == "failed:1" ]]
	set_clock 2027-05-21T04:01:00Z
	autopay_run
	await_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status = 'failed'" 2
	mail_wait "$MAIL_TO" "did not go through" >/dev/null
	set_clock 2027-05-22T04:01:00Z
	autopay_run
	await_sql "SELECT autopay_enabled FROM customers WHERE id = '$CUSTOMER_ID'" f
	file=$(mail_wait "$MAIL_TO" "switched off")
	assert_branded "$file" "$MAIL_TO"
	[[ $(stack_sql "SELECT string_agg(autopay_attempt::text, ',' ORDER BY autopay_attempt) FROM payments WHERE customer_id = '$CUSTOMER_ID'") == "1,2,3" ]]
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/autopay
	assert_jq '.enabled == false and .payment_method_id == "'"$METHOD_ID"'" and .failed_attempts == 3
		and .last_failure.attempt == 3 and .next_charges == []'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payment-methods
	assert_jq '[.items[].id] == ["'"$METHOD_ID"'"]'
	# Off stays off: nothing more is charged, the method change does not switch it on.
	set_clock 2027-05-23T04:01:00Z
	autopay_round
	[[ $(autopay_payments) == "failed:3" ]]
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa"}'
	local card
	card=$(jq -r .id <<<"$body")
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay "$(jq -cn --arg m "$card" '{enabled: false, payment_method_id: $m}')"
	assert_jq '.enabled == false'
	# Switching on again starts afresh: the overdue invoice is charged at 00:01 the next day.
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{"enabled": true}'
	assert_jq '.enabled == true and .failed_attempts == 0 and .last_failure == null
		and .next_charges[0].charge_on == "2027-05-24" and .next_charges[0].attempt == 1'
	set_clock 2027-05-24T04:01:00Z
	autopay_run
	await_sql "SELECT status FROM invoices WHERE id = '$INVOICE_ID'" paid
	mail_wait "$MAIL_TO" "receipt" >/dev/null
}

@test "invoices paid, voided or being paid meanwhile are skipped" {
	zone_tenant America/Chicago
	set_clock 2027-06-01T12:00:00Z
	enrolled_account tok_visa
	local paid void pending due
	dated_invoice 2027-06-01 2027-06-10 1000
	paid=$INVOICE_ID
	dated_invoice 2027-06-01 2027-06-10 2000
	void=$INVOICE_ID
	dated_invoice 2027-06-01 2027-06-10 3000
	pending=$INVOICE_ID
	dated_invoice 2027-06-01 2027-06-10 4000
	due=$INVOICE_ID
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$paid" '{customer_id: $c, method: "check", amount_cents: 1000, allocations: [{invoice_id: $i, amount_cents: 1000}]}')"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$void/void" '{"reason": "Billed twice"}'
	fixture_expect 200 "void"
	stack_sql "UPDATE invoices SET payment_pending = true WHERE id = '$pending'" >/dev/null
	set_clock 2027-06-10T05:01:00Z
	autopay_run
	await_sql "SELECT status FROM invoices WHERE id = '$due'" paid
	[[ $(stack_sql "SELECT string_agg(i.id::text, ',') FROM payment_allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id WHERE p.source = 'autopay' AND p.customer_id = '$CUSTOMER_ID'") == "$due" ]]
	[[ $(stack_sql "SELECT status FROM invoices WHERE id = '$pending'") == open ]]
}

@test "card-testing limits do not stop autopay: an account at its decline limit is still charged" {
	zone_tenant America/Chicago
	set_clock 2027-05-01T12:00:00Z
	enrolled_account tok_visa
	dated_invoice 2027-04-10 2027-05-10 3000
	local n
	for n in 1 2 3 4 5; do
		with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments '{"payment_token": "tok_chargeDeclined", "save": false, "amount_cents": 100}' \
			-H "Idempotency-Key: $(new_idempotency_key)"
		fixture_expect 402 "decline $n"
	done
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments "$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m}')" \
		-H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 429 too_many_declines
	# 00:01 in Chicago (CDT, UTC-5) on the due date has passed.
	set_clock 2027-05-10T06:00:00Z
	autopay_run
	await_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND source = 'autopay' AND status = 'succeeded'" 1
	[[ $(stack_sql "SELECT status FROM invoices WHERE customer_id = '$CUSTOMER_ID'") == paid ]]
}

@test "issue 17: with no contact email, autopay failures, the switch-off and receipts reach the account's portal users" {
	zone_tenant America/Denver
	set_clock 2027-07-01T12:00:00Z
	# Joined by invitation, no contact email; a second login linked to the account.
	account_with_user
	local first=$USER_EMAIL first_token=$PORTAL_TOKEN second
	second=$(new_address second)
	portal_user "$second" "$CUSTOMER_ID"
	PORTAL_TOKEN=$first_token
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_chargeDeclined"}'
	fixture_expect 201 "add the card"
	METHOD_ID=$(jq -r .id <<<"$body")
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay "$(jq -cn --arg m "$METHOD_ID" '{enabled: true, payment_method_id: $m}')"
	fixture_expect 200 "enrol"
	dated_invoice 2027-07-01 2027-07-15 6400
	# 2027-07-15 00:01 MDT = 06:01Z.
	set_clock 2027-07-15T06:01:00Z
	autopay_run
	await_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status = 'failed'" 1
	local file to
	for to in "$first" "$second"; do
		file=$(mail_wait "$to" "did not go through")
		assert_branded "$file" "$to"
		[[ $(mail_text "$file") == *'Outstanding balance: $64.00'* ]] || fail "$(mail_text "$file")"
	done
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE template = 'autopay_failed' AND payload->>'payment_id' IN (SELECT id::text FROM payments WHERE customer_id = '$CUSTOMER_ID')") == 2 ]]
	# A working card: the retry at 00:01 the next day succeeds and both get the receipt.
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa"}'
	fixture_expect 201 "add a card"
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay "$(jq -cn --arg m "$(jq -r .id <<<"$body")" '{enabled: true, payment_method_id: $m}')"
	fixture_expect 200 "change the method"
	set_clock 2027-07-16T06:01:00Z
	autopay_run
	await_sql "SELECT status FROM invoices WHERE id = '$INVOICE_ID'" paid
	for to in "$first" "$second"; do
		file=$(mail_wait "$to" "receipt")
		assert_branded "$file" "$to"
		[[ $(mail_text "$file") == *'Net balance: $0.00'* ]] || fail "$(mail_text "$file")"
	done
}

@test "issue 17: a first autopay charge's receipt goes to the billing contact and the portal users, once each" {
	zone_tenant America/Chicago
	set_clock 2027-08-01T12:00:00Z
	enrolled_account tok_visa
	# The billing contact is also a portal user of the account: one receipt to that address.
	portal_user "$MAIL_TO" "$CUSTOMER_ID"
	dated_invoice 2027-08-01 2027-08-10 2500
	set_clock 2027-08-10T05:01:00Z
	autopay_run
	await_sql "SELECT status FROM invoices WHERE id = '$INVOICE_ID'" paid
	local id
	id=$(stack_sql "SELECT id FROM payments WHERE customer_id = '$CUSTOMER_ID' AND source = 'autopay'")
	[[ $(stack_sql "SELECT string_agg(to_address, ' ' ORDER BY to_address COLLATE \"C\") FROM outbox WHERE template = 'payment_receipt' AND payload->>'payment_id' = '$id'") == "$(printf '%s\n' "$MAIL_TO" "$USER_EMAIL" | LC_ALL=C sort | paste -sd' ')" ]] ||
		fail "receipts to: $(stack_sql "SELECT string_agg(to_address, ' ') FROM outbox WHERE payload->>'payment_id' = '$id'")"
	mail_wait "$USER_EMAIL" "receipt" >/dev/null
}

@test "the clock override is refused in production" {
	run env -i PATH="$PATH" CURBSIDE_ENV=production CURBSIDE_CLOCK_FILE=/tmp/clock "$CURBSIDE_BIN" serve
	[[ $status != 0 && $output == *"CURBSIDE_CLOCK_FILE"* ]] || fail "$output"
}
