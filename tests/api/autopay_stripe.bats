#!/usr/bin/env bats
# Autopay exactly once, through the `stripe` processor and its local fake
# (tests/fakes/stripe_fake.py), which counts the payment intents made under each idempotency key:
# two servers on one database charge each customer's due invoices once, and a server killed
# mid-run leaves pending charges that another process finishes without charging twice.

load helpers

setup_file() {
	start_stripe_fake
	# The file's own server keeps a clock before anything is due: only the servers the tests
	# launch (with LATE_CLOCK) find charges to make.
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock LATE_CLOCK=$BATS_FILE_TMPDIR/late_clock
	printf '2027-01-01T00:00:00Z\n' >"$CLOCK_FILE"
	printf '2027-08-01T12:00:00Z\n' >"$LATE_CLOCK"
	# One portal user adds a card to each of its 12 accounts within the hour: more new methods
	# than the card-testing limit allows (that limit is tested in portal_pay_limits.bats).
	STACK_ENV=("${STRIPE_SERVER_ENV[@]}" CURBSIDE_CLOCK_FILE="$CLOCK_FILE"
		CURBSIDE_AUTOPAY_POLL_SECONDS=3600 CURBSIDE_PAYMENTS_POLL_SECONDS=1
		CURBSIDE_PAYMENT_METHODS_PER_HOUR=100)
	start_portal_stack
}

teardown_file() {
	local pid
	for pid in ${EXTRA_PIDS-}; do
		stop_pid "$pid" 10 || true
	done
	stop_stack
	stop_stripe_fake
}

setup() {
	stripe_control POST /_control/reset >/dev/null
}

# extra_server NAME [VAR=value...]: another `curbside serve` on this file's database with the late
# clock; sets EXTRA_PID and EXTRA_LOG.
extra_server() {
	local port
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	EXTRA_LOG=$BATS_FILE_TMPDIR/$1.log
	mail_server_env
	stripe_server_env
	launch_server "$EXTRA_LOG" "$port" "${MAIL_SERVER_ENV[@]}" "${STRIPE_SERVER_ENV[@]}" \
		CURBSIDE_CLOCK_FILE="$LATE_CLOCK" CURBSIDE_AUTOPAY_POLL_SECONDS=3600 \
		CURBSIDE_PAYMENTS_POLL_SECONDS=1 "${@:2}"
	EXTRA_PID=$LAUNCHED_PID
	export EXTRA_PIDS="${EXTRA_PIDS-} $EXTRA_PID"
	await_server "$EXTRA_PID" "$port" "$EXTRA_LOG"
}

# enrolled_customers N: N accounts of one portal user, each with a card, autopay on and one
# invoice of 1000 cents due 2027-07-15; CUSTOMERS lists their ids.
enrolled_customers() {
	local i id
	CUSTOMERS=()
	for ((i = 0; i < $1; i++)); do
		create_customer
		CUSTOMERS+=("$CUSTOMER_ID")
		open_invoice "$CUSTOMER_ID" '{"invoice_date": "2027-07-01", "due_date": "2027-07-15", "lines": [{"description": "Pickup", "unit_price_cents": 1000}]}'
	done
	portal_user "$(new_address many)" "${CUSTOMERS[@]}"
	for id in "${CUSTOMERS[@]}"; do
		switch_to "$id"
		with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa"}'
		fixture_expect 201 "card of $id"
		with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay "$(jq -cn --arg m "$(jq -r .id <<<"$body")" '{enabled: true, payment_method_id: $m}')"
		fixture_expect 200 "enrol $id"
	done
}

# tenant_payments STATUS: the tenant's autopay payments in STATUS.
tenant_payments() {
	stack_sql "SELECT count(*) FROM payments WHERE tenant_id = '$TENANT_ID' AND source = 'autopay' AND status = '$1'"
}

# await_payments STATUS N: wait (bounded) until the tenant has N autopay payments in STATUS.
await_payments() {
	local deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		[[ $(tenant_payments "$1") == "$2" ]] && return 0
		sleep 0.3
	done
	fail "expected $2 $1 autopay payments, have $(tenant_payments "$1")"
}

# assert_each_charged_once N: the fake made exactly one payment intent under each of the N
# autopay keys of the tenant, and no other.
assert_each_charged_once() {
	local keys charges
	keys=$(stack_sql "SELECT json_agg(processor_key) FROM payments WHERE tenant_id = '$TENANT_ID' AND source = 'autopay'")
	charges=$(stripe_control GET /_control/charges)
	jq -e --argjson keys "$keys" --argjson n "$1" \
		'($keys | length) == $n and all($keys[]; . as $k | $c.by_key[$k] == 1) and .total == $n' \
		--argjson c "$charges" <<<"$charges" >/dev/null ||
		fail "keys: $keys charges: $charges"
}

@test "two servers on one database charge each customer once" {
	# A new hauler, so only its customers are in play.
	portal_tenant
	enrolled_customers 12
	# Two customers a claim, two lanes a server. The fake holds every answer until released
	# and the servers wait for it, so a lane that has claimed a batch is stuck on its first
	# charge: four charges made means all four lanes, both servers', have claimed one.
	stripe_control POST /_control/next '{"mode": "hold", "count": 100}' >/dev/null
	local env=(CURBSIDE_AUTOPAY_BATCH=2 CURBSIDE_AUTOPAY_LANES=2 CURBSIDE_STRIPE_TIMEOUT_MS=120000)
	extra_server first "${env[@]}"
	local first=$EXTRA_PID first_log=$EXTRA_LOG
	extra_server second "${env[@]}"
	local second=$EXTRA_PID second_log=$EXTRA_LOG
	stack_sql "NOTIFY curbside_autopay" >/dev/null
	local deadline=$((SECONDS + 60 * CURBSIDE_TEST_WAIT_SCALE))
	until (($(stripe_control GET /_control/charges | jq .total) >= 4)); do
		((SECONDS < deadline)) || fail "four lanes never charged at once"
		sleep 0.1
	done
	stripe_control POST /_control/release >/dev/null
	await_payments succeeded 12
	assert_each_charged_once 12
	[[ $(stack_sql "SELECT count(*) FROM invoices WHERE tenant_id = '$TENANT_ID' AND status = 'paid'") == 12 ]]
	[[ $(stack_sql "SELECT max(n) FROM (SELECT count(*) n FROM payments WHERE tenant_id = '$TENANT_ID' GROUP BY customer_id) x") == 1 ]]
	# Both took part.
	grep -q "autopay scheduler: round done: [1-9][0-9]* charged" "$first_log" || fail "the first server charged nothing"
	grep -q "autopay scheduler: round done: [1-9][0-9]* charged" "$second_log" || fail "the second server charged nothing"
	finish_server "$first" "$first_log" first
	finish_server "$second" "$second_log" second
}

@test "a server killed mid-run: another process finishes its charges without charging twice" {
	portal_tenant
	enrolled_customers 5
	# The fake makes each intent and holds its answer until released; the server waits for it
	# (a long processor timeout), so each of its two lanes is stuck on its first charge when it
	# is killed: one batch reserved all five, one or two were made, none settled.
	stripe_control POST /_control/next '{"mode": "hold", "count": 5}' >/dev/null
	extra_server crash CURBSIDE_STRIPE_TIMEOUT_MS=120000 CURBSIDE_AUTOPAY_LANES=2
	local crash=$EXTRA_PID
	stack_sql "NOTIFY curbside_autopay" >/dev/null
	local deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	until (($(stripe_control GET /_control/charges | jq .total) >= 1)); do
		((SECONDS < deadline)) || fail "no charge reached the fake"
		sleep 0.1
	done
	kill -9 "$crash"
	wait "$crash" 2>/dev/null || true
	# Reserved, some charged at the processor, none settled.
	[[ $(tenant_payments pending) == 5 ]] || fail "pending: $(tenant_payments pending)"
	[[ $(tenant_payments succeeded) == 0 ]]
	local made
	made=$(stripe_control GET /_control/charges | jq .total)
	((made >= 1 && made < 5)) || fail "intents made before the kill: $made"
	# Answer the requests the dead server left held, and forget the holds it did not reach.
	stripe_control POST /_control/release >/dev/null
	# Another server starts; the same run finds nothing new to reserve (the invoices are being
	# paid), and once the dead server's lease has passed (ended here, as time passing would)
	# the payments workers finish its charges with their own keys: the processor replays.
	extra_server after
	autopay_round
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE tenant_id = '$TENANT_ID'") == 5 ]]
	stack_sql "UPDATE payments SET next_check_at = now() WHERE tenant_id = '$TENANT_ID' AND status = 'pending'" >/dev/null
	await_payments succeeded 5
	assert_each_charged_once 5
	[[ $(stack_sql "SELECT count(*) FROM invoices WHERE tenant_id = '$TENANT_ID' AND status = 'paid' AND NOT payment_pending") == 5 ]]
	finish_server "$EXTRA_PID" "$EXTRA_LOG" after
}
