#!/usr/bin/env bats
# A bounded shutdown (issue 19, item 2): on SIGTERM the server stops accepting, lets the requests
# in flight finish until CURBSIDE_SHUTDOWN_SECONDS, then cancels what is still running (its
# statements and its calls to the payment processor), answers it 503 server_stopping and exits.
# A payment interrupted that way is finished by its retry or by the payments worker.
#
# Each test runs a server of its own on the stack's database (the stack's server and proxy stay
# up for the fixtures and the retries) and talks to it directly: it is stopped mid-test.

load helpers

setup_file() {
	start_stripe_fake
	STACK_ENV=("${STRIPE_SERVER_ENV[@]}" CURBSIDE_PAYMENTS_POLL_SECONDS=1)
	start_portal_stack
}

teardown_file() {
	stop_stack
	stop_stripe_fake
}

# A test that failed half-way leaves its own server and lock holder behind: stop them here (the
# test's variables live in this process, not in teardown_file's).
teardown() {
	if [[ -z ${BATS_TEST_COMPLETED-} ]]; then
		log_tail "${OWN_LOG-}" 25
		log_tail "${SERVER_LOG-}" 25
	fi
	[[ -z ${OWN_PID-} ]] || stop_pid "$OWN_PID" 10 || true
	[[ -z ${HOLDER_PID-} ]] || kill "$HOLDER_PID" 2>/dev/null || true
}

setup() {
	stripe_control POST /_control/reset >/dev/null
}

# own_server ENV...: start a server of our own on the stack's database (OWN_PID, OWN_URL, OWN_LOG).
own_server() {
	local port
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$STRIPE_PORT" "$MAIL_PORT")
	OWN_LOG=$BATS_TEST_TMPDIR/own-server.log
	OWN_URL=http://127.0.0.1:$port
	launch_server "$OWN_LOG" "$port" CURBSIDE_WORKERS=none "$@"
	OWN_PID=$LAUNCHED_PID
	await_server "$OWN_PID" "$port" "$OWN_LOG"
}

# stop_own_server: SIGTERM; the server must exit 0 by itself (the bound only catches a hang) and
# leave no sanitizer report.
stop_own_server() {
	local rc=0
	stop_pid "$OWN_PID" 40 || rc=$?
	OWN_PID=
	! sanitizer_report "$OWN_LOG" || fail "sanitizer report above"
	((rc == 0)) || {
		log_tail "$OWN_LOG" 30
		fail "the server exited with $rc on SIGTERM"
	}
}

# in_background NAME CURL_ARGS...: run curl against the own server in the background, keeping
# the answer's headers and body in $BATS_TEST_TMPDIR/NAME.{headers,body}; sets CLIENT_PID.
in_background() {
	local name=$1
	shift
	curl -sS --max-time "$(scaled 100)" -D "$BATS_TEST_TMPDIR/$name.headers" -o "$BATS_TEST_TMPDIR/$name.body" \
		"$@" 3>&- &
	CLIENT_PID=$!
}

# answer_of NAME: load the background answer into status/body/headers for the assertions.
answer_of() {
	headers=$(tr -d '\r' <"$BATS_TEST_TMPDIR/$1.headers")
	status=$(awk 'NR == 1 { print $2 }' <<<"$headers")
	body=$(cat "$BATS_TEST_TMPDIR/$1.body")
}

# Our exclusive lock on this database's tenants (pg_locks is the cluster's: the other test files'
# databases are copies of one template, so their tenants tables have the same OID).
TENANTS_LOCKED="SELECT count(*) FROM pg_locks WHERE relation = 'tenants'::regclass AND granted
	AND mode = 'AccessExclusiveLock'
	AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"

# lock_tenants: a session of our own holds an exclusive lock on tenants (HOLDER_PID) until
# unlock_tenants.
lock_tenants() {
	local fifo=$BATS_TEST_TMPDIR/holder
	mkfifo "$fifo"
	"$(pg_bin psql)" "$STACK_DB_URL" -XAtq <"$fifo" >/dev/null 3>&- &
	HOLDER_PID=$!
	exec 5>"$fifo"
	echo "BEGIN; LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE;" >&5
	await_sql "$TENANTS_LOCKED" 1 "our session did not take the lock"
}

unlock_tenants() {
	echo "COMMIT;" >&5
	exec 5>&-
	wait "$HOLDER_PID"
	HOLDER_PID=
}

# await_sql SQL VALUE WHAT: wait (bounded) until SQL answers VALUE.
await_sql() {
	local deadline=$((SECONDS + $(scaled 20)))
	until [[ $(stack_sql "$1") == "$2" ]]; do
		((SECONDS < deadline)) || fail "$3"
		sleep 0.1
	done
}

# await_lock_wait: wait until a server's statement waits for our lock.
await_lock_wait() {
	await_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND application_name = 'curbside' AND wait_event_type = 'Lock'" 1 "no request waited for the lock"
}

# pay_held KEY: start paying on the own server with the Idempotency-Key KEY; the processor makes
# the charge and holds its answer. Returns once the charge is held.
pay_held() {
	stripe_control POST /_control/next '{"mode": "hold", "count": 1}' >/dev/null
	in_background pay -X POST "$OWN_URL/v1/portal/payments" -H "Authorization: Bearer $PORTAL_TOKEN" \
		-H 'Content-Type: application/json' -H "Idempotency-Key: $1" --data "$BODY_PAY"
	local deadline=$((SECONDS + $(scaled 20)))
	until [[ $(stripe_control GET /_control/charges | jq .total) == 1 ]]; do
		((SECONDS < deadline)) || {
			log_tail "$OWN_LOG" 20
			fail "the charge never reached the processor: $(cat "$BATS_TEST_TMPDIR/pay.body" 2>/dev/null)"
		}
		sleep 0.1
	done
}

# payment_given_up CENTS: an account owing CENTS pays on a server of our own; the processor makes
# the charge and holds its answer while the server stops, gives the payment up at its deadline
# (503) and exits; then the processor lets go. Sets KEY and PAYMENT_ID.
payment_given_up() {
	account_owing "$1"
	KEY=$(new_idempotency_key)
	stripe_server_env # (arrays do not pass from setup_file to the tests)
	own_server "${STRIPE_SERVER_ENV[@]}" CURBSIDE_STRIPE_TIMEOUT_MS=120000 CURBSIDE_SHUTDOWN_SECONDS=1
	pay_held "$KEY"
	stop_own_server
	assert_stopped_with_503 pay
	stripe_control POST /_control/release >/dev/null
	PAYMENT_ID=$(payment_of_key "$KEY")
}

# assert_stopped_with_503 NAME: the background answer NAME is 503 server_stopping, closing.
assert_stopped_with_503() {
	wait "$CLIENT_PID" || true
	answer_of "$1"
	assert_problem 503 server_stopping
	assert_header Retry-After 1
	assert_header Connection close
}

@test "a request stuck on a database lock is answered 503 server_stopping at the drain deadline, and the server exits while the lock is still held" {
	local slug
	slug=$(unique_slug stop)
	create_tenant "$slug"
	own_server CURBSIDE_SHUTDOWN_SECONDS=1 CURBSIDE_BRANDING_CACHE_SECONDS=0
	lock_tenants
	in_background branding "$OWN_URL/v1/tenants/$slug"
	await_lock_wait
	stop_own_server
	# The lock never went away while the server stopped: it did not wait for it.
	kill -0 "$HOLDER_PID"
	[[ $(stack_sql "$TENANTS_LOCKED") == 1 ]]
	assert_stopped_with_503 branding
	unlock_tenants
	grep -q "cancelled 1 running statement" "$OWN_LOG"
}

@test "a request that finishes within the drain deadline gets its answer, with Connection: close" {
	local slug
	slug=$(unique_slug stop)
	create_tenant "$slug"
	own_server CURBSIDE_SHUTDOWN_SECONDS=600 CURBSIDE_BRANDING_CACHE_SECONDS=0
	lock_tenants
	in_background branding "$OWN_URL/v1/tenants/$slug"
	await_lock_wait
	kill -TERM "$OWN_PID"
	# Draining: the listener is closed, so a new connection is refused.
	local deadline=$((SECONDS + $(scaled 20)))
	while curl -s -o /dev/null --max-time 5 "$OWN_URL/healthz"; do
		((SECONDS < deadline)) || fail "the server still accepted connections while draining"
		sleep 0.1
	done
	unlock_tenants
	stop_own_server
	wait "$CLIENT_PID"
	answer_of branding
	assert_status 200
	assert_jq --arg s "$slug" '.slug == $s'
	assert_header Connection close
}

@test "a charge held at the processor is given up at the deadline (503); the retry on another server finishes the payment with one charge" {
	payment_given_up 4200
	# The processor's answer never reached the stopped server; the payment waits for its outcome.
	[[ $(stack_sql "SELECT status FROM payments WHERE id = '$PAYMENT_ID'") == pending ]]
	# The customer retries with the same key (through the stack's server and the proxy).
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments "$BODY_PAY" -H "Idempotency-Key: $KEY"
	assert_status 201
	assert_jq --arg id "$PAYMENT_ID" '.id == $id and .status == "succeeded" and .amount_cents == 4200'
	[[ $(charges_for "$PAYMENT_ID") == 1 ]]
	[[ $(stack_sql "SELECT balance_cents FROM invoices WHERE customer_id = '$CUSTOMER_ID'") == 0 ]]
}

@test "a payment given up at shutdown and never retried is finished by the payments worker, with one charge" {
	payment_given_up 3100
	# The stack's payments worker (every second) checks the payment once its claim has lapsed.
	stack_sql "UPDATE idempotency_keys SET leased_until = now() WHERE key = '$KEY';
		UPDATE payments SET next_check_at = now() WHERE id = '$PAYMENT_ID'" >/dev/null
	await_sql "SELECT status FROM payments WHERE id = '$PAYMENT_ID'" succeeded "the worker did not finish the payment"
	[[ $(charges_for "$PAYMENT_ID") == 1 ]]
	[[ $(stack_sql "SELECT balance_cents FROM invoices WHERE customer_id = '$CUSTOMER_ID'") == 0 ]]
}

@test "a payment given up at shutdown is resumed by its own customer only: another customer, staff and anonymous callers sending its key get nothing of it" {
	payment_given_up 2700
	local owner_token=$PORTAL_TOKEN owner_customer=$CUSTOMER_ID
	# Another customer of the same hauler, with a session of its own, sends the same key and body.
	PORTAL_TOKEN=
	account_with_user
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments "$BODY_PAY" -H "Idempotency-Key: $KEY"
	assert_problem 422 invalid_reference
	# Staff and anonymous callers cannot reach the portal route at all.
	staff_api "$STAFF_TOKEN" POST /v1/portal/payments "$BODY_PAY" -H "Idempotency-Key: $KEY"
	assert_problem 403 forbidden
	# (straight to the server: the proxy refuses a request without credentials itself)
	api_direct POST /v1/portal/payments "$BODY_PAY" -H "Idempotency-Key: $KEY"
	assert_problem 401 unauthorized
	# None of them moved the payment or charged anything more.
	[[ $(stack_sql "SELECT status FROM payments WHERE id = '$PAYMENT_ID'") == pending ]]
	[[ $(charges_for "$PAYMENT_ID") == 1 ]]
	# Its own customer's retry still resumes it.
	with_bearer "$owner_token" POST /v1/portal/payments "$BODY_PAY" -H "Idempotency-Key: $KEY"
	assert_status 201
	assert_jq --arg id "$PAYMENT_ID" '.id == $id and .status == "succeeded"'
	[[ $(charges_for "$PAYMENT_ID") == 1 ]]
	[[ $(stack_sql "SELECT balance_cents FROM invoices WHERE customer_id = '$owner_customer'") == 0 ]]
}
