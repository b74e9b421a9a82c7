#!/usr/bin/env bats
# Paying from the portal through the `stripe` processor over HTTP, against the local fake
# (tests/fakes/stripe_fake.py): one charge per payment whatever is retried (replays, a request
# still running, the processor failing or timing out, the server killed mid-charge), declines,
# and a bank payment settled by the payments worker.

load helpers

setup_file() {
	start_stripe_fake
	STACK_ENV=("${STRIPE_SERVER_ENV[@]}" CURBSIDE_PAYMENTS_POLL_SECONDS=1)
	start_portal_stack
}

teardown_file() {
	[[ -z ${CRASH_PID-} ]] || stop_pid "$CRASH_PID" 10 || true
	stop_stack
	stop_stripe_fake
}

setup() {
	stripe_control POST /_control/reset >/dev/null
}

# pay JSON KEY: POST /v1/portal/payments with PORTAL_TOKEN and the Idempotency-Key KEY.
pay() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments "$1" -H "Idempotency-Key: $2"
}

@test "a card payment charges once through the processor; a replay charges nothing" {
	account_owing 4500
	local key first id
	key=$(new_idempotency_key)
	pay "$BODY_PAY" "$key"
	assert_status 201
	assert_jq '.status == "succeeded" and .amount_cents == 4500 and .method_last4 == "4242"'
	first=$body
	id=$(jq -r .id <<<"$body")
	[[ $(stack_sql "SELECT processor || ' ' || left(processor_charge_ref, 3) FROM payments WHERE id = '$id'") == "stripe pi_" ]]
	pay "$BODY_PAY" "$key"
	assert_status 201
	assert_header Idempotent-Replayed true
	[[ $body == "$first" ]]
	[[ $(charges_for "$id") == 1 ]]
	run stripe_control GET /_control/requests
	jq -e '[.[] | select(.path == "/v1/payment_intents")] | length == 1 and .[0].idempotency_key == "payment-'"$id"'"
		and .[0].form.amount == "4500" and .[0].form.currency == "usd"' <<<"$output" >/dev/null ||
		fail "requests: $output"
}

@test "a payment whose processor answer comes too late is 502 and left pending; its retry resumes it" {
	account_owing 3000
	local key
	key=$(new_idempotency_key)
	# The fake makes the charge, then holds its answer until released: the server gives up after
	# its timeout. (A second request while the first runs: money_concurrency.bats.)
	stripe_control POST /_control/next '{"mode": "hold", "count": 1}' >/dev/null
	pay "$BODY_PAY" "$key"
	stripe_control POST /_control/release >/dev/null
	assert_problem 502 payment_processor_unavailable
	local id
	id=$(payment_of_key "$key")
	[[ $(stack_sql "SELECT status FROM payments WHERE id = '$id'") == pending ]]
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID"
	assert_jq '.payment_pending == true'
	# The retry resumes the same payment: the processor replays its charge.
	pay "$BODY_PAY" "$key"
	assert_status 201
	refute_header Idempotent-Replayed
	assert_jq '.id == "'"$id"'" and .status == "succeeded"'
	[[ $(charges_for "$id") == 1 ]]
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID'") == 1 ]]
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID"
	assert_jq '.status == "paid" and .payment_pending == false'
}

@test "a processor 500 answers 502; the retry with the same key charges once" {
	account_owing 2000
	local key id
	key=$(new_idempotency_key)
	stripe_control POST /_control/next '{"mode": "error500", "count": 1}' >/dev/null
	pay "$BODY_PAY" "$key"
	assert_problem 502 payment_processor_unavailable
	assert_jq '.detail | test("same Idempotency-Key")'
	id=$(payment_of_key "$key")
	[[ $(charges_for "$id") == 0 ]]
	pay "$BODY_PAY" "$key"
	assert_status 201
	assert_jq '.id == "'"$id"'" and .status == "succeeded"'
	[[ $(charges_for "$id") == 1 ]]
	# A token the processor cannot be reached for is refused before anything is reserved.
	stripe_control POST /_control/next '{"mode": "error500", "count": 1}' >/dev/null
	open_invoice "$CUSTOMER_ID"
	pay '{"payment_token": "tok_visa"}' "$(new_idempotency_key)"
	assert_problem 502 payment_processor_unavailable
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID'") == 1 ]]
}

@test "killed mid-charge: after the lease, a retry on a new server charges nothing more" {
	account_owing 7700
	local key dir=$BATS_TEST_TMPDIR port log=$BATS_TEST_TMPDIR/crash.log
	key=$(new_idempotency_key)
	stripe_server_env
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$STRIPE_PORT" "$MAIL_PORT")
	launch_server "$log" "$port" "${STRIPE_SERVER_ENV[@]}" CURBSIDE_STRIPE_TIMEOUT_MS=120000 CURBSIDE_WORKERS=false
	CRASH_PID=$LAUNCHED_PID
	await_server "$CRASH_PID" "$port" "$log"
	# The fake records the charge, then holds its answer until released (never, here): the
	# server is mid-request when killed.
	stripe_control POST /_control/next '{"mode": "hold", "count": 1}' >/dev/null
	curl -sS --max-time 120 -o /dev/null -X POST "http://127.0.0.1:$port/v1/portal/payments" \
		-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
		-H "Idempotency-Key: $key" --data "$BODY_PAY" 3>&- &
	local client=$!
	local deadline=$((SECONDS + 10 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(stripe_control GET /_control/charges | jq .total) == 1 ]]; do
		((SECONDS < deadline)) || fail "the charge never reached the fake"
		sleep 0.1
	done
	kill -9 "$CRASH_PID"
	wait "$CRASH_PID" 2>/dev/null || true
	CRASH_PID=
	wait "$client" 2>/dev/null || true
	local id
	id=$(payment_of_key "$key")
	[[ $(stack_sql "SELECT status || ' ' || coalesce(processor_charge_ref, '-') FROM payments WHERE id = '$id'") == "pending -" ]]
	# Within the claim's lease the key is still in use.
	pay "$BODY_PAY" "$key"
	assert_problem 409 idempotency_key_in_use
	# A new server on the same database; the lease has passed (simulated).
	launch_server "$log.2" "$port" "${STRIPE_SERVER_ENV[@]}" CURBSIDE_WORKERS=false
	CRASH_PID=$LAUNCHED_PID
	await_server "$CRASH_PID" "$port" "$log.2"
	stack_sql "UPDATE idempotency_keys SET leased_until = now() WHERE key = '$key'" >/dev/null
	status=$(curl -sS --max-time "$(scaled 10)" -o "$dir/retry.body" -w '%{http_code}' -X POST "http://127.0.0.1:$port/v1/portal/payments" \
		-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
		-H "Idempotency-Key: $key" --data "$BODY_PAY")
	[[ $status == 201 ]] || fail "retry: $status $(cat "$dir/retry.body")"
	jq -e '.id == "'"$id"'" and .status == "succeeded" and .amount_cents == 7700' "$dir/retry.body" >/dev/null
	[[ $(charges_for "$id") == 1 ]]
	finish_server "$CRASH_PID" "$log.2" "the restarted server"
	CRASH_PID=
}

@test "the payments worker finishes a payment abandoned before its outcome was known" {
	account_owing 6100
	local key id
	key=$(new_idempotency_key)
	stripe_control POST /_control/next '{"mode": "error500", "count": 1}' >/dev/null
	pay "$BODY_PAY" "$key"
	assert_status 502
	id=$(payment_of_key "$key")
	# The customer never retries: once the claim has lapsed the worker charges with the same key.
	stack_sql "UPDATE idempotency_keys SET leased_until = now() WHERE key = '$key';
		UPDATE payments SET next_check_at = now() WHERE id = '$id'" >/dev/null
	local deadline=$((SECONDS + 10 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(stack_sql "SELECT status FROM payments WHERE id = '$id'") == succeeded ]]; do
		((SECONDS < deadline)) || fail "the worker did not settle $id"
		sleep 0.2
	done
	[[ $(charges_for "$id") == 1 ]]
	# Its answer was stored under the claim: a late retry replays it.
	pay "$BODY_PAY" "$key"
	assert_status 201
	assert_header Idempotent-Replayed true
	assert_jq '.id == "'"$id"'" and .status == "succeeded"'
}

@test "declines through the processor: 402 with its reason, stored as the answer" {
	account_with_user
	open_invoice "$CUSTOMER_ID"
	local key
	key=$(new_idempotency_key)
	pay '{"payment_token": "tok_insufficientFunds", "save": false}' "$key"
	assert_status 402
	assert_jq '.code == "payment_declined" and .detail == "Your card has insufficient funds."'
	local id
	id=$(jq -r .payment_id <<<"$body")
	pay '{"payment_token": "tok_insufficientFunds", "save": false}' "$key"
	assert_status 402
	assert_header Idempotent-Replayed true
	[[ $(charges_for "$id") == 1 ]]
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments/$id"
	assert_jq '.status == "failed" and .failure_code == "insufficient_funds"'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID"
	assert_jq '.status == "open" and .balance_cents == 10000'
}

@test "a bank payment stays pending at the processor until it settles; the worker then records it" {
	account_with_user
	open_invoice "$CUSTOMER_ID"
	pay '{"payment_token": "tok_bank_account"}' "$(new_idempotency_key)"
	assert_status 201
	assert_jq '.status == "pending" and .method == "bank_account"'
	local id
	id=$(jq -r .id <<<"$body")
	# The worker asks the processor (the fake logs the lookup) and leaves the payment pending.
	local ref deadline=$((SECONDS + 10 * CURBSIDE_TEST_WAIT_SCALE))
	ref=$(stack_sql "SELECT processor_charge_ref FROM payments WHERE id = '$id'")
	until stripe_control GET /_control/requests |
		jq -e --arg p "/v1/payment_intents/$ref" 'any(.[]; .method == "GET" and .path == $p)' >/dev/null; do
		((SECONDS < deadline)) || fail "the worker never looked $ref up"
		sleep 0.2
	done
	[[ $(stack_sql "SELECT status FROM payments WHERE id = '$id'") == pending ]]
	stripe_control POST /_control/settle '{}' >/dev/null
	local deadline=$((SECONDS + 10 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(stack_sql "SELECT status FROM payments WHERE id = '$id'") == succeeded ]]; do
		((SECONDS < deadline)) || fail "the worker did not settle $id"
		sleep 0.2
	done
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID"
	assert_jq '.status == "paid" and .payment_pending == false'
	[[ $(charges_for "$id") == 1 ]]
}

@test "staff refund a portal card payment through the processor; a 502 is resumed by the retry" {
	account_owing 8000
	pay "$BODY_PAY" "$(new_idempotency_key)"
	assert_status 201
	local payment key refund
	payment=$(jq -r .id <<<"$body")
	key=$(new_idempotency_key)
	stripe_control POST /_control/next '{"mode": "error500", "count": 1}' >/dev/null
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$payment/refund" '{"amount_cents": 3000, "reason": "Missed pickup"}' -H "Idempotency-Key: $key"
	assert_problem 502 payment_processor_unavailable
	refund=$(stack_sql "SELECT r.id FROM refunds r JOIN idempotency_keys k ON k.id = r.idempotency_claim WHERE k.key = '$key'")
	[[ $(stack_sql "SELECT status FROM refunds WHERE id = '$refund'") == pending ]]
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$payment/refund" '{"amount_cents": 3000, "reason": "Missed pickup"}' -H "Idempotency-Key: $key"
	assert_status 201
	assert_jq '.id == "'"$refund"'" and .status == "succeeded" and .amount_cents == 3000
		and .payment.refunded_cents == 3000 and .payment.status == "succeeded"'
	run stripe_control GET /_control/requests
	jq -e '[.[] | select(.path == "/v1/refunds")] | length == 2 and all(.idempotency_key == "refund-'"$refund"'")
		and .[-1].form.amount == "3000" and (.[-1].form.payment_intent | startswith("pi_"))' <<<"$output" >/dev/null ||
		fail "requests: $output"
	[[ $(stack_sql "SELECT left(processor_refund_ref, 3) FROM refunds WHERE id = '$refund'") == re_ ]]
	# The invoice owes the refunded part again.
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID"
	assert_jq '.status == "open" and .balance_cents == 3000'
	# A replay answers the same, an offline payment keeps the one-step path.
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$payment/refund" '{"amount_cents": 3000, "reason": "Missed pickup"}' -H "Idempotency-Key: $key"
	assert_status 201
	assert_header Idempotent-Replayed true
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" '{customer_id: $c, amount_cents: 500, method: "cash"}')"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" -H "Idempotency-Key: $(new_idempotency_key)"
	assert_status 201
	assert_jq '.status == "succeeded" and .amount_cents == 500'
	run stripe_control GET /_control/requests
	jq -e '[.[] | select(.path == "/v1/refunds")] | length == 2' <<<"$output" >/dev/null
}

@test "the payments worker finishes a processor refund abandoned after a 502" {
	account_owing 5000
	pay "$BODY_PAY" "$(new_idempotency_key)"
	assert_status 201
	local payment key refund
	payment=$(jq -r .id <<<"$body")
	key=$(new_idempotency_key)
	stripe_control POST /_control/next '{"mode": "hold", "count": 1}' >/dev/null
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$payment/refund" -H "Idempotency-Key: $key"
	stripe_control POST /_control/release >/dev/null
	assert_problem 502 payment_processor_unavailable
	refund=$(stack_sql "SELECT r.id FROM refunds r JOIN idempotency_keys k ON k.id = r.idempotency_claim WHERE k.key = '$key'")
	stack_sql "UPDATE idempotency_keys SET leased_until = now() WHERE key = '$key';
		UPDATE refunds SET next_check_at = now() WHERE id = '$refund'" >/dev/null
	local deadline=$((SECONDS + 10 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(stack_sql "SELECT status FROM refunds WHERE id = '$refund'") == succeeded ]]; do
		((SECONDS < deadline)) || fail "the worker did not settle refund $refund"
		sleep 0.2
	done
	[[ $(stack_sql "SELECT refunded_cents || ' ' || status FROM payments WHERE id = '$payment'") == "5000 refunded" ]]
	# One refund at the processor, asked twice under one key; a late retry replays the answer.
	run stripe_control GET /_control/requests
	jq -e '[.[] | select(.path == "/v1/refunds") | .idempotency_key] | unique == ["refund-'"$refund"'"]' <<<"$output" >/dev/null ||
		fail "requests: $output"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$payment/refund" -H "Idempotency-Key: $key"
	assert_status 201
	assert_header Idempotent-Replayed true
	assert_jq '.id == "'"$refund"'" and .status == "succeeded"'
}

@test "a refund the processor refuses is failed: 422 refund_failed, the money stays on the payment" {
	account_owing 6000
	pay "$BODY_PAY" "$(new_idempotency_key)"
	assert_status 201
	local payment key
	payment=$(jq -r .id <<<"$body")
	# A charge the processor does not know (as if refunded or disputed outside Curbside).
	stack_sql "UPDATE payments SET processor_charge_ref = 'pi_unknown_to_the_processor' WHERE id = '$payment'" >/dev/null
	key=$(new_idempotency_key)
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$payment/refund" '{"amount_cents": 2500}' -H "Idempotency-Key: $key"
	assert_status 422
	assert_content_type application/problem+json
	assert_jq '.code == "refund_failed" and (.detail | test("USD 25.00"))'
	[[ $(stack_sql "SELECT status FROM refunds WHERE payment_id = '$payment'") == failed ]]
	# Given back to the payment as unapplied money; the invoice owes the part again.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/payments/$payment"
	assert_jq '.status == "succeeded" and .refunded_cents == 0 and .allocated_cents == 3500
		and .unapplied_cents == 2500 and .refunds[0].status == "failed"'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID"
	assert_jq '.status == "open" and .balance_cents == 2500'
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$payment/refund" '{"amount_cents": 2500}' -H "Idempotency-Key: $key"
	assert_status 422
	assert_header Idempotent-Replayed true
}
