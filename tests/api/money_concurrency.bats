#!/usr/bin/env bats
# Money under concurrency (issue 17): one customer paying many times at once while saving cards
# (no deadlock: the lock order of docs/decisions.md), concurrent partial payments on one invoice
# (no payment_pending left behind), a deadlock or serialization failure retried in the server and
# answered 503 database_busy with Retry-After when it persists (nothing written, the key free
# again), and a database connection lost mid-request answered 503 with Retry-After.
# The concurrent requests go straight to the server: the proxy would queue them (each test that
# answers something new goes through the proxy, so the contract is still checked).

load helpers

setup_file() {
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock
	: >"$CLOCK_FILE"
	# The processor fake can hold its answers back until told (its "hold" mode; the server's
	# processor timeout is long here), so requests can be made to meet in a chosen state. More
	# database connections than the default 4, so more requests meet in the database.
	start_stripe_fake
	STACK_ENV=("${STRIPE_SERVER_ENV[@]}" CURBSIDE_STRIPE_TIMEOUT_MS=120000
		CURBSIDE_CLOCK_FILE="$CLOCK_FILE" CURBSIDE_AUTOPAY_POLL_SECONDS=3600
		CURBSIDE_PAYMENTS_POLL_SECONDS=3600 CURBSIDE_DB_POOL=12
		# Card-testing limits are not what this file checks: it saves
		# 20 cards at once.
		CURBSIDE_PAYMENT_DECLINES_PER_HOUR=1000 CURBSIDE_PAYMENT_METHODS_PER_HOUR=1000)
	start_portal_stack
}

teardown_file() {
	stop_stack
	stop_stripe_fake
}

# pay JSON [KEY]: POST /v1/portal/payments through the proxy with PORTAL_TOKEN.
pay() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments "$1" -H "Idempotency-Key: ${2:-$(new_idempotency_key)}"
}

# big_invoice CENTS: an open invoice of CUSTOMER_ID due today. Sets INVOICE_ID.
big_invoice() {
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg d "$(tenant_day 0)" --argjson c "$1" \
		'{invoice_date: $d, due_date: $d, lines: [{description: "Roll-off", unit_price_cents: $c}]}')"
}

# add_card: save a visa for the signed-in account; sets METHOD_ID.
add_card() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa"}'
	fixture_expect 201 "add a card"
	METHOD_ID=$(jq -r .id <<<"$body")
}

# burst DIR BODY...: POST each body at once straight to the server (a new key each); waits for
# all. DIR/<n>.status and DIR/<n>.body hold the answers.
burst() {
	local dir=$1 n=0 pids=() b
	shift
	mkdir -p "$dir"
	for b in "$@"; do
		n=$((n + 1))
		curl -sS --max-time 60 -o "$dir/$n.body" -w '%{http_code}' -X POST "$SERVER_URL/v1/portal/payments" \
			-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
			-H "Idempotency-Key: $(new_idempotency_key)" --data "$b" >"$dir/$n.status" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
}

# statuses DIR: the answers' statuses, counted ("40 201").
statuses() {
	local f
	for f in "$1"/*.status; do
		cat "$f"
		echo
	done | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}'
}

# log_since LINE: the server log after line LINE.
log_since() {
	tail -n "+$(($1 + 1))" "$SERVER_LOG"
}

@test "item 1: one customer paying 40 times at once, half saving a new card, never deadlocks" {
	account_with_user
	big_invoice 900000
	add_card
	local mark i bodies=()
	mark=$(wc -l <"$SERVER_LOG")
	for i in $(seq 20); do
		bodies+=("$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m, amount_cents: 100}')")
		bodies+=('{"payment_token": "tok_visa", "save": true, "amount_cents": 100}')
	done
	burst "$BATS_TEST_TMPDIR/pay" "${bodies[@]}"
	[[ $(statuses "$BATS_TEST_TMPDIR/pay") == "40 201" ]] ||
		fail "answers: $(statuses "$BATS_TEST_TMPDIR/pay"); $(cat "$BATS_TEST_TMPDIR"/pay/*.body | head -c 2000)"
	! log_since "$mark" | grep -E '40P01|deadlock|database error' >&2 ||
		fail "the server met a deadlock (above): the lock order is broken"
	[[ $(stack_sql "SELECT count(*) || ' ' || sum(amount_cents) FROM payments
		WHERE customer_id = '$CUSTOMER_ID' AND status = 'succeeded'") == "40 4000" ]]
	[[ $(stack_sql "SELECT count(*) FROM payment_methods WHERE customer_id = '$CUSTOMER_ID'") == 21 ]]
	[[ $(stack_sql "SELECT balance_cents || ' ' || payment_pending FROM invoices WHERE id = '$INVOICE_ID'") == "896000 false" ]]
}

@test "item 1: the interleaving that deadlocked (a saved card, then a new card saved, on locked invoices) runs in turn" {
	account_with_user
	big_invoice 900000
	add_card
	local mark dir=$BATS_TEST_TMPDIR/turn pids=()
	mark=$(wc -l <"$SERVER_LOG")
	mkdir -p "$dir"
	# A session of our own holds the invoice's lock, so both payments stop at it, the saved
	# card's first (before 0029 it then needed the customer's lock, which the second held).
	hold_row_lock invoices "id = '$INVOICE_ID'"
	curl -sS --max-time 60 -o "$dir/1.body" -w '%{http_code}' -X POST "$SERVER_URL/v1/portal/payments" \
		-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
		-H "Idempotency-Key: $(new_idempotency_key)" \
		--data "$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m, amount_cents: 100}')" >"$dir/1.status" 3>&- &
	pids+=($!)
	await_lock_waits 1
	curl -sS --max-time 60 -o "$dir/2.body" -w '%{http_code}' -X POST "$SERVER_URL/v1/portal/payments" \
		-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
		-H "Idempotency-Key: $(new_idempotency_key)" \
		--data '{"payment_token": "tok_visa", "save": true, "amount_cents": 100}' >"$dir/2.status" 3>&- &
	pids+=($!)
	await_lock_waits 2
	release_row_lock
	wait "${pids[@]}"
	[[ $(statuses "$dir") == "2 201" ]] || fail "answers: $(statuses "$dir"); $(cat "$dir"/*.body)"
	! log_since "$mark" | grep -E '40P01|deadlock|database error' >&2 ||
		fail "the server met a deadlock (above): the lock order is broken"
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status = 'succeeded'") == 2 ]]
}

# await_charges N: wait (bounded) until the processor fake has made N payment intents in all.
await_charges() {
	local got deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		got=$(stripe_control GET /_control/charges | jq .total)
		((got >= $1)) && return 0
		sleep 0.1
	done
	fail "waited for $1 charges at the processor; it has $got"
}

@test "item 3: two settlements of one invoice's payments meeting at its lock leave no payment_pending" {
	account_with_user
	big_invoice 50000
	add_card
	local dir=$BATS_TEST_TMPDIR/meet total pids=() i
	mkdir -p "$dir"
	total=$(stripe_control GET /_control/charges | jq .total)
	# Both charges are made at once and their answers held until our session has taken the
	# invoice's lock, so both settlements start and then wait for it together.
	stripe_control POST /_control/next '{"mode": "hold", "count": 2}' >/dev/null
	for i in 1 2; do
		curl -sS --max-time 120 -o "$dir/$i.body" -w '%{http_code}' -X POST "$SERVER_URL/v1/portal/payments" \
			-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
			-H "Idempotency-Key: $(new_idempotency_key)" \
			--data "$(jq -cn --arg m "$METHOD_ID" --arg i "$INVOICE_ID" '{payment_method_id: $m, invoice_ids: [$i], amount_cents: 700}')" \
			>"$dir/$i.status" 3>&- &
		pids+=($!)
	done
	await_charges $((total + 2))
	hold_row_lock invoices "id = '$INVOICE_ID'"
	stripe_control POST /_control/release >/dev/null
	await_lock_waits 2
	release_row_lock
	wait "${pids[@]}"
	[[ $(statuses "$dir") == "2 201" ]] || fail "answers: $(statuses "$dir"); $(cat "$dir"/*.body)"
	[[ $(stack_sql "SELECT balance_cents || ' ' || payment_pending FROM invoices WHERE id = '$INVOICE_ID'") == "48600 false" ]] ||
		fail "invoice: $(stack_sql "SELECT balance_cents, payment_pending FROM invoices WHERE id = '$INVOICE_ID'")"
}

@test "item 3: sixteen concurrent partial card payments on one invoice leave no payment_pending" {
	account_with_user
	add_card
	local run i bodies
	for run in 1 2 3; do
		big_invoice 50000
		bodies=()
		for i in $(seq 16); do
			bodies+=("$(jq -cn --arg m "$METHOD_ID" --arg i "$INVOICE_ID" \
				'{payment_method_id: $m, invoice_ids: [$i], amount_cents: 700}')")
		done
		burst "$BATS_TEST_TMPDIR/run$run" "${bodies[@]}"
		[[ $(statuses "$BATS_TEST_TMPDIR/run$run") == "16 201" ]] ||
			fail "run $run: $(statuses "$BATS_TEST_TMPDIR/run$run")"
		[[ $(stack_sql "SELECT balance_cents || ' ' || payment_pending || ' ' || autopay_chargeable(i)
			FROM invoices i WHERE id = '$INVOICE_ID'") == "38800 false true" ]] ||
			fail "run $run: $(stack_sql "SELECT balance_cents, payment_pending FROM invoices WHERE id = '$INVOICE_ID'")"
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID"
		assert_status 200
		assert_jq '.payment_pending == false and .balance_cents == 38800'
	done
}

# inject_failure SQLSTATE TIMES: the next TIMES payments inserted for CUSTOMER_ID fail with
# SQLSTATE (as a deadlock victim would); TIMES 0: every one. A sequence counts the attempts
# (sequences are not rolled back with the failed transaction).
inject_failure() {
	stack_sql "CREATE SEQUENCE IF NOT EXISTS test_attempts;
		SELECT setval('test_attempts', 1, false);
		CREATE OR REPLACE FUNCTION test_inject() RETURNS trigger LANGUAGE plpgsql AS \$\$
		BEGIN
		  IF NEW.customer_id <> '$CUSTOMER_ID' THEN
		    RETURN NEW;
		  END IF;
		  PERFORM nextval('test_attempts');
		  IF currval('test_attempts') <= $2 OR $2 = 0 THEN
		    RAISE EXCEPTION 'injected failure' USING ERRCODE = '$1';
		  END IF;
		  RETURN NEW;
		END \$\$;
		DROP TRIGGER IF EXISTS test_inject ON payments;
		CREATE TRIGGER test_inject BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION test_inject();" >/dev/null
}

remove_injection() {
	stack_sql "DROP TRIGGER IF EXISTS test_inject ON payments" >/dev/null
}

@test "item 2: a deadlock victim is run again in the server; the payment goes through once" {
	account_with_user
	big_invoice 4200
	inject_failure 40P01 2
	pay '{"payment_token": "tok_visa", "save": true}'
	remove_injection
	assert_status 201
	assert_jq '.status == "succeeded" and .amount_cents == 4200'
	# Two failed attempts and the third that went through.
	[[ $(stack_sql "SELECT last_value FROM test_attempts") == 3 ]]
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID'") == 1 ]]
	[[ $(stack_sql "SELECT count(*) FROM payment_methods WHERE customer_id = '$CUSTOMER_ID'") == 1 ]]
}

@test "item 2: a serialization failure that persists answers 503 database_busy with Retry-After; nothing is written and the key is free" {
	account_with_user
	big_invoice 4200
	local key
	key=$(new_idempotency_key)
	inject_failure 40001 0
	pay '{"payment_token": "tok_visa", "save": true}' "$key"
	remove_injection
	assert_problem 503 database_busy
	assert_header Retry-After 1
	[[ $(stack_sql "SELECT last_value FROM test_attempts") == 5 ]]
	[[ $(stack_sql "SELECT (SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID')
		+ (SELECT count(*) FROM payment_methods WHERE customer_id = '$CUSTOMER_ID')
		+ (SELECT count(*) FROM idempotency_keys WHERE key = '$key')") == 0 ]]
	[[ $(stack_sql "SELECT payment_pending FROM invoices WHERE id = '$INVOICE_ID'") == f ]]
	# The same request again with the same key runs (it is not 409 idempotency_key_in_use).
	pay '{"payment_token": "tok_visa", "save": true}' "$key"
	assert_status 201
	assert_jq '.amount_cents == 4200'
}

@test "item 4: a database connection lost mid-request answers 503 with Retry-After" {
	account_with_user
	big_invoice 4200
	add_card
	# The payment's insert ends its own backend, as a PostgreSQL restart or a dropped link would.
	stack_sql "CREATE OR REPLACE FUNCTION test_drop_link() RETURNS trigger LANGUAGE plpgsql AS \$\$
		BEGIN
		  IF NEW.customer_id = '$CUSTOMER_ID' THEN
		    PERFORM pg_terminate_backend(pg_backend_pid());
		  END IF;
		  RETURN NEW;
		END \$\$;
		CREATE TRIGGER test_drop_link BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION test_drop_link();" >/dev/null
	pay "$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m}')"
	stack_sql "DROP TRIGGER test_drop_link ON payments" >/dev/null
	assert_problem 503 database_unavailable
	assert_header Retry-After 1
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID'") == 0 ]]
	# The server reconnects: the next request is served.
	pay "$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m}')"
	assert_status 201
}

@test "a second request with the key while the first waits at the processor is 409; the first then succeeds" {
	account_with_user
	big_invoice 3000
	add_card
	local key dir=$BATS_TEST_TMPDIR total
	key=$(new_idempotency_key)
	total=$(stripe_control GET /_control/charges | jq .total)
	stripe_control POST /_control/next '{"mode": "hold", "count": 1}' >/dev/null
	curl -sS --max-time 120 -o "$dir/first.body" -w '%{http_code}' -X POST "$SERVER_URL/v1/portal/payments" \
		-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
		-H "Idempotency-Key: $key" --data "$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m}')" \
		>"$dir/first.status" 3>&- &
	local first=$!
	# The processor has made the charge and holds its answer: the first request holds the key.
	await_charges $((total + 1))
	pay "$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m}')" "$key"
	assert_problem 409 idempotency_key_in_use
	stripe_control POST /_control/release >/dev/null
	wait "$first"
	[[ $(cat "$dir/first.status") == 201 ]] || fail "first: $(cat "$dir/first.status") $(cat "$dir/first.body")"
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID'") == 1 ]]
	[[ $(stack_sql "SELECT balance_cents FROM invoices WHERE id = '$INVOICE_ID'") == 0 ]]
}
