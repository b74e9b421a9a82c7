#!/usr/bin/env bats
# Failover without restarting the API (issue 24, items 2 and 5): the API processes and the worker
# know both database hosts (libpq's multi-host URL with target_session_attrs=read-write). The
# primary stops in the middle of a card payment (the processor is holding its answer), the standby
# is promoted, and then: writes through HAProxy succeed again, the payment is finished exactly
# once (one charge, one payment, its receipt sent by the worker), a replay of its key answers the
# same payment, the money invariants hold on the new primary, and a logout on one process reaches
# the other through its listener, which found the new primary on its own.

load helpers

# The processor's fake (tests/api/fakes.bash: start_stripe_fake, stripe_control).
STRIPE_FAKE_KEY=sk_test_curbside_cluster_tests
# shellcheck source=../api/fakes.bash
source "$CURBSIDE_ROOT/tests/api/fakes.bash"

setup_file() {
	start_stripe_fake
	export CURBSIDE_OPERATOR_TOKEN=cluster-failover-operator-token-0123456789
	# The processor may hold its answer while the primary stops (a timeout of its own would end
	# the payment another way), and a charge made waits for the new primary to record it.
	export CLUSTER_DEMO=0 CLUSTER_API_ENV="CURBSIDE_PAYMENTS=stripe CURBSIDE_STRIPE_URL=$STRIPE_URL
		CURBSIDE_STRIPE_KEY=$STRIPE_FAKE_KEY CURBSIDE_STRIPE_TIMEOUT_MS=120000
		CURBSIDE_SETTLE_WAIT_SECONDS=$((30 * CURBSIDE_TEST_WAIT_SCALE))"
	CLUSTER_API_ENV=$(tr -s '\n\t' '  ' <<<"$CLUSTER_API_ENV")
	start_cluster
}

teardown_file() {
	stop_cluster
	stop_stripe_fake
}

psql_at() {
	"$(pg_bin psql)" "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"
}

# at N METHOD PATH [TOKEN] [BODY] [curl args...]: one request straight to API process N; sets
# status and body.
at() {
	local n=$1 method=$2 path=$3 token=${4-} data=${5-} out
	shift $(($# < 5 ? $# : 5))
	local -a args=(-sS -X "$method" --max-time "$((10 * CURBSIDE_TEST_WAIT_SCALE))" -w '\n%{http_code}')
	[[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
	[[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data "$data")
	last_request="$method $path (api$n)"
	out=$(curl "${args[@]}" "$@" "$(cluster_api_url "$n")$path") || out=$'\n000'
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}

# expect_status STATUS WHAT
expect_status() {
	[[ $status == "$1" ]] && return 0
	show_response
	fail "$2: expected $1, got $status"
}

# A hauler with its portal on, a customer owing 4,200 cents on one open invoice, and a portal user
# with a saved card. Sets STAFF_TOKEN, PORTAL_TOKEN, CUSTOMER_ID, METHOD_ID.
hauler_with_debtor() {
	local slug=failover-$RANDOM email invitation
	lb POST /v1/platform/tenants "$CURBSIDE_OPERATOR_TOKEN" "{\"slug\":\"$slug\",\"name\":\"Failover Hauling\"}"
	expect_status 201 "create the tenant"
	lb PATCH "/v1/platform/tenants/$slug" "$CURBSIDE_OPERATOR_TOKEN" '{"portal_enabled":true}'
	expect_status 200 "switch its portal on"
	lb POST "/v1/platform/tenants/$slug/staff" "$CURBSIDE_OPERATOR_TOKEN" \
		'{"email":"admin@failover.example","full_name":"Ada Admin","password":"a long staff passphrase","role":"admin"}'
	expect_status 201 "create its admin"
	lb POST "/v1/tenants/$slug/staff/login" "" '{"email":"admin@failover.example","password":"a long staff passphrase"}'
	expect_status 200 "staff login"
	STAFF_TOKEN=$(jq -r .access_token <<<"$body")
	lb POST /v1/admin/customers "$STAFF_TOKEN" '{"account_number":"F-1","name":"Lakeside Diner","kind":"commercial"}'
	expect_status 201 "create the customer"
	CUSTOMER_ID=$(jq -r .id <<<"$body")
	lb POST "/v1/admin/customers/$CUSTOMER_ID/invoices" "$STAFF_TOKEN" \
		'{"number":"F-INV-1","lines":[{"description":"Dumpster rental","unit_price_cents":4200}]}'
	expect_status 201 "create the invoice"
	lb POST "/v1/admin/invoices/$(jq -r .id <<<"$body")/send" "$STAFF_TOKEN"
	expect_status 200 "send the invoice"
	email=pat.$RANDOM@failover.example
	lb POST "/v1/admin/customers/$CUSTOMER_ID/invitations" "$STAFF_TOKEN" "{\"first_name\":\"Pat\",\"email\":\"$email\"}"
	expect_status 201 "invite the customer"
	invitation=$(jq -r '.url | split("/") | last' <<<"$body")
	lb POST "/v1/invitations/$invitation/accept" "" \
		"{\"email\":\"$email\",\"full_name\":\"Pat Jordan\",\"password\":\"a long portal passphrase\"}"
	expect_status 200 "accept the invitation"
	PORTAL_TOKEN=$(jq -r .access_token <<<"$body")
	lb POST /v1/portal/payment-methods "$PORTAL_TOKEN" '{"payment_token":"tok_visa"}'
	expect_status 201 "save a card"
	METHOD_ID=$(jq -r .id <<<"$body")
}

# wait_for_log N TEXT SECONDS: wait (bounded, scaled) until API process N has logged TEXT.
wait_for_log() {
	local deadline=$((SECONDS + $3 * CURBSIDE_TEST_WAIT_SCALE))
	until grep -qF "$2" "$CLUSTER_DIR/api$1.log"; do
		((SECONDS < deadline)) || fail "api$1 did not log '$2' within $(($3 * CURBSIDE_TEST_WAIT_SCALE))s"
		sleep 0.1
	done
}

@test "the primary stops in the middle of a payment: after the promotion writes resume, the payment is finished once, the listeners follow" {
	local key dir stop_ms promoted_ms write_ms payment count receipts
	hauler_with_debtor
	dir=$BATS_TEST_TMPDIR
	# api2 checks this session now, so it is in api2's cache when the logout comes.
	at 2 GET /v1/me "$PORTAL_TOKEN"
	expect_status 200 "GET /v1/me on api2"

	# The processor takes the charge and holds its answer while the database goes away.
	stripe_control POST /_control/next '{"mode":"hold","count":1}' >/dev/null
	key=$(cat /proc/sys/kernel/random/uuid)
	curl -sS --max-time "$((60 * CURBSIDE_TEST_WAIT_SCALE))" -o "$dir/pay.body" -w '%{http_code}' \
		-H "Authorization: Bearer $PORTAL_TOKEN" -H "Idempotency-Key: $key" -H 'Content-Type: application/json' \
		--data "{\"payment_method_id\":\"$METHOD_ID\"}" "$(cluster_api_url 1)/v1/portal/payments" \
		>"$dir/pay.status" 2>"$dir/pay.err" 3>&- &
	local pay_pid=$!
	local deadline=$((SECONDS + 20 * CURBSIDE_TEST_WAIT_SCALE))
	until stripe_control GET /_control/requests | jq -e 'any(.[]; .path == "/v1/payment_intents")' >/dev/null; do
		((SECONDS < deadline)) || fail "the payment never reached the processor"
		sleep 0.05
	done

	# Readers and writers through HAProxy all along the failover, to count what fails.
	start_load "$dir/load" "$PORTAL_TOKEN" "$STAFF_TOKEN"

	stop_ms=$(date +%s%3N)
	cluster_stop_primary
	stripe_control POST /_control/release >/dev/null
	cluster_promote_standby
	promoted_ms=$(date +%s%3N)

	# The first write through HAProxy that succeeds (bounded).
	deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	while :; do
		lb POST /v1/admin/customers "$STAFF_TOKEN" "{\"account_number\":\"F-W-$RANDOM$RANDOM\",\"name\":\"After\",\"kind\":\"residential\"}"
		[[ $status == 201 ]] && break
		[[ $status =~ ^(502|503)$ ]] || {
			show_response
			fail "a write during the failover answered $status (expected 503 or 502 until it succeeds)"
		}
		((SECONDS < deadline)) || fail "no write succeeded within $((30 * CURBSIDE_TEST_WAIT_SCALE))s of the primary stopping"
		sleep 0.1
	done
	write_ms=$(date +%s%3N)
	# HAProxy puts the processes back once /readyz answers twice: wait for both, then stop the load.
	cluster_wait_lb_state 1 UP 20
	cluster_wait_lb_state 2 UP 20
	stop_load
	local failed
	failed=$(load_failures | awk '{ print $2 }' | sort | uniq -c | awk '{ printf "%s%s × %s", sep, $1, $2; sep = ", " }')
	echo "# failover: promoted $((promoted_ms - stop_ms)) ms after the primary stopped; first write through HAProxy $((write_ms - stop_ms)) ms after the stop; load answers not 2xx: ${failed:-none} of $(load_answers GET) reads and $(load_answers POST) writes" >&3
	# While no primary takes writes, requests fail fast and say so (503: the API's problem, or
	# HAProxy's own while it has no process in rotation); none fails otherwise.
	if load_failures | awk '$2 != 503' | grep -q .; then
		load_failures | awk '$2 != 503' | head -n 5 >&2
		fail "requests failed during the failover with something other than 503"
	fi

	# The payment the failover interrupted finished in its own request, once.
	wait "$pay_pid" || true
	[[ $(cat "$dir/pay.status") == 201 ]] ||
		fail "the interrupted payment answered $(cat "$dir/pay.status"): $(cat "$dir/pay.body" "$dir/pay.err")"
	payment=$(jq -r .id "$dir/pay.body")
	[[ $(jq -r '.status + " " + (.amount_cents | tostring)' "$dir/pay.body") == "succeeded 4200" ]] ||
		fail "the payment: $(cat "$dir/pay.body")"
	at 1 POST /v1/portal/payments "$PORTAL_TOKEN" "{\"payment_method_id\":\"$METHOD_ID\"}" -H "Idempotency-Key: $key"
	expect_status 201 "the replay of the payment's key"
	[[ $(jq -r .id <<<"$body") == "$payment" ]] || fail "the replay answered another payment: $body"
	count=$(stripe_control GET /_control/charges | jq --arg k "payment-$payment" '.by_key[$k] // 0')
	[[ $count == 1 ]] || fail "the processor made $count payment intents for the payment"
	count=$(psql_at "$(cluster_standby_url)" "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status <> 'failed'")
	[[ $count == 1 ]] || fail "the new primary holds $count live payments of the customer"
	[[ $(psql_at "$(cluster_standby_url)" "SELECT status || ' ' || balance_cents FROM invoices WHERE customer_id = '$CUSTOMER_ID'") == "paid 0" ]] ||
		fail "the invoice is not paid on the new primary"
	/usr/bin/python3 "$CURBSIDE_ROOT/tests/lib/money_invariants.py" "$(pg_bin psql)" "$(cluster_standby_url)" ||
		fail "money invariants broken on the new primary (above)"

	# The worker found the new primary too: the receipt is sent.
	deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	until receipts=$(grep -l "^Subject: Payment receipt" "$CLUSTER_DIR"/mail/* 2>/dev/null | wc -l) && ((receipts >= 1)); do
		((SECONDS < deadline)) || fail "no receipt email after the failover"
		sleep 0.2
	done

	# api2's revocation listener reconnected on its own; a logout on api1 reaches it at once.
	wait_for_log 2 "revocation listener: connected to the database again" 20
	at 1 POST /v1/auth/logout "$PORTAL_TOKEN"
	expect_status 204 "logout on api1"
	at 2 GET /v1/me "$PORTAL_TOKEN"
	expect_status 401 "the logged-out token on api2"
}
