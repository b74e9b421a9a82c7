#!/usr/bin/env bats
# The `stripe` processor over real HTTP, against the local fake of the Stripe-compatible subset
# (tests/fakes/stripe_fake.py): payment methods saved through it, its refusals, failures and
# timeouts mapped to our problems, and our configuration checks.

load helpers

setup_file() {
	start_stripe_fake
	STACK_ENV=("${STRIPE_SERVER_ENV[@]}")
	start_portal_stack
}

teardown_file() {
	stop_stack
	stop_stripe_fake
}

setup() {
	stripe_control POST /_control/reset >/dev/null
}

add() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods "$(jq -cn --arg t "$1" '{payment_token: $t}')"
}

@test "a card is saved through the processor's HTTP API (form-encoded, with our key)" {
	account_with_user
	add tok_mastercard
	assert_status 201
	assert_jq '.type == "card" and .brand == "mastercard" and .last4 == "4444" and .exp_month == 12
		and .exp_year == 2034 and .is_default'
	local id
	id=$(jq -r .id <<<"$body")
	[[ $(stack_sql "SELECT processor || ' ' || left(processor_ref, 3) FROM payment_methods WHERE id = '$id'") == "stripe pm_" ]]
	run stripe_control GET /_control/requests
	[[ $status == 0 ]]
	jq -e 'length == 1 and .[0].path == "/v1/payment_methods"
		and .[0].form == {type: "card", "card[token]": "tok_mastercard"}' <<<"$output" >/dev/null ||
		fail "unexpected requests: $output"
}

@test "a bank account is saved as us_bank_account" {
	account_with_user
	add tok_bank_account
	assert_status 201
	assert_jq '.type == "bank_account" and .bank_name == "STRIPE TEST BANK" and .last4 == "6789"
		and .brand == null and .exp_month == null'
	run stripe_control GET /_control/requests
	jq -e '.[0].form == {type: "us_bank_account", "us_bank_account[token]": "tok_bank_account"}' <<<"$output" >/dev/null ||
		fail "unexpected requests: $output"
}

@test "a token the processor refuses answers 422 invalid_payment_token" {
	account_with_user
	add tok_unknown
	assert_problem 422 invalid_payment_token
	assert_field_error payment_token invalid_payment_token
}

@test "the processor's 500 answers 502 with the problem shape, and nothing is saved" {
	account_with_user
	stripe_control POST /_control/next '{"mode": "error500"}' >/dev/null
	add tok_visa
	assert_problem 502 payment_processor_unavailable
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payment-methods
	assert_jq '.items == []'
	# The next try goes through.
	add tok_visa
	assert_status 201
}

@test "a processor that does not answer in time answers 502 once the configured timeout passes" {
	account_with_user
	# The fake holds its answer until released: only the server's own timeout can end this
	# request (how long it took is no test's business: the bound is the server's setting).
	stripe_control POST /_control/next '{"mode": "hold", "count": 1}' >/dev/null
	add tok_visa
	stripe_control POST /_control/release >/dev/null
	assert_problem 502 payment_processor_unavailable
	grep -q "payment processor: POST /v1/payment_methods failed" "$SERVER_LOG" ||
		fail "the timeout was not logged"
}

@test "a wrong key is a configuration error: 502, logged, and the key never logged" {
	local port log=$BATS_TEST_TMPDIR/server.log
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$STRIPE_PORT" "$MAIL_PORT")
	stripe_server_env
	launch_server "$log" "$port" "${STRIPE_SERVER_ENV[@]}" CURBSIDE_STRIPE_KEY=sk_test_wrong_key_123
	local pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	account_with_user
	run curl -sS --max-time "$(scaled 10)" -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/v1/portal/payment-methods" \
		-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' --data '{"payment_token": "tok_visa"}'
	finish_server "$pid" "$log" "server with a wrong key"
	[[ $output == 502 ]] || fail "expected 502, got $output"
	grep -q "configuration error" "$log" || fail "no configuration error in the log"
	! grep -q "sk_test_wrong_key_123" "$log" || fail "the key was logged"
	! grep -q "tok_visa" "$log" || fail "the token was logged"
}

@test "configuration: stripe needs a key and an http(s) URL; unknown processors are refused" {
	run env -i PATH="$PATH" CURBSIDE_PAYMENTS=stripe "$CURBSIDE_BIN" serve
	[[ $status -eq 1 ]]
	[[ $output == *"CURBSIDE_STRIPE_KEY: required when CURBSIDE_PAYMENTS=stripe"* ]] || fail "$output"
	run env -i PATH="$PATH" CURBSIDE_PAYMENTS=paypal CURBSIDE_STRIPE_URL=ftp://x "$CURBSIDE_BIN" serve
	[[ $status -eq 1 ]]
	[[ $output == *"CURBSIDE_PAYMENTS: sandbox or stripe"* ]] || fail "$output"
	run env -i PATH="$PATH" CURBSIDE_PAYMENTS=stripe CURBSIDE_STRIPE_KEY=k CURBSIDE_STRIPE_URL=ftp://x "$CURBSIDE_BIN" serve
	[[ $status -eq 1 ]]
	[[ $output == *"CURBSIDE_STRIPE_URL: must start with http:// or https://"* ]] || fail "$output"
	run env -i PATH="$PATH" CURBSIDE_ENV=production CURBSIDE_JWT_SECRET="$CURBSIDE_JWT_SECRET" \
		CURBSIDE_OPERATOR_TOKEN="$CURBSIDE_OPERATOR_TOKEN" "$CURBSIDE_BIN" serve
	[[ $status -eq 1 ]]
	[[ $output == *"CURBSIDE_PAYMENTS: set it in production"* ]] || fail "$output"
	run "$CURBSIDE_BIN" serve --help
	[[ $output == *CURBSIDE_PAYMENTS* && $output == *CURBSIDE_STRIPE_TIMEOUT_MS* && $output == *CURBSIDE_SANDBOX_ACH_SETTLE_SECONDS* ]] ||
		fail "serve --help does not list the payment variables"
}
