#!/usr/bin/env bats
# Webhooks (issue 26, item 2): endpoints, signed deliveries in order per object, retries with
# backoff, the delivery log and redelivery, auto-disable after 3 days with an email, a server
# killed mid-delivery, and the SSRF checks. Events are written with event_emit through psql (the
# triggers that write them for each API action are another change's). Time is the server's clock
# file (CURBSIDE_CLOCK_FILE): tests move it instead of waiting for a retry.

load helpers

setup_file() {
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock RECEIVER_LOG=$BATS_FILE_TMPDIR/receiver.jsonl
	: >"$CLOCK_FILE"
	export RECEIVER_PORT RECEIVER_URL RECEIVER_PID
	RECEIVER_PORT=$(free_port)
	RECEIVER_URL=http://127.0.0.1:$RECEIVER_PORT
	python3 "$CURBSIDE_ROOT/tests/fakes/webhook_receiver.py" --port "$RECEIVER_PORT" \
		--log "$RECEIVER_LOG" >"$BATS_FILE_TMPDIR/receiver.out" 2>&1 3>&- </dev/null &
	RECEIVER_PID=$!
	wait_for_listen "$RECEIVER_PORT" 10 "$RECEIVER_PID"
	webhook_server_env
	STACK_ENV=("${WEBHOOK_SERVER_ENV[@]}")
	start_stack
}

teardown_file() {
	local rc=0
	# A test that restarted the server left the new one's pid and log behind.
	if [[ -f $BATS_FILE_TMPDIR/server.pid ]]; then
		SERVER_PID=$(cat "$BATS_FILE_TMPDIR/server.pid")
		SERVER_LOG=$(cat "$BATS_FILE_TMPDIR/server.log.name")
		finish_restarted_server || rc=1
		SERVER_PID=
	fi
	stop_stack || rc=1
	[[ -z ${RECEIVER_PID-} ]] || stop_pid "$RECEIVER_PID" 10 || true
	return $rc
}

# finish_restarted_server: stop SERVER_PID, a server an earlier test started (not this shell's
# child: its exit status is out of reach), and judge it by its log: no sanitizer report, and the
# clean shutdown's last line.
finish_restarted_server() {
	local rc=0
	stop_pid "$SERVER_PID" 15 || rc=$?
	if sanitizer_report "$SERVER_LOG"; then
		echo "restarted server: sanitizer report above (log $SERVER_LOG)" >&2
		return 1
	fi
	if ((rc == 127)) && grep -q 'INFO: .*stopped$' "$SERVER_LOG" &&
		{ ! kill -0 "$SERVER_PID" 2>/dev/null || [[ $(ps -o stat= -p "$SERVER_PID") == Z* ]]; }; then
		rc=0
	fi
	((rc == 0)) || {
		echo "restarted server: no clean shutdown ($rc)" >&2
		log_tail "$SERVER_LOG" 30
		return 1
	}
}

# Each test starts at the real time with a receiver that accepts.
setup() {
	: >"$CLOCK_FILE"
	receiver POST /_control/mode '{"mode": "accept"}' >/dev/null
}

teardown() {
	receiver POST /_control/release >/dev/null || true
	if [[ -z ${BATS_TEST_COMPLETED-} ]]; then
		log_tail "${SERVER_LOG-}" 25
	fi
}

# webhook_server_env [VAR=value...]: sets the array WEBHOOK_SERVER_ENV, this file's server
# configuration (the clock file, a worker polling every second, a long attempt timeout: a held
# answer is not given up on while a test looks) with the extra settings last.
webhook_server_env() {
	WEBHOOK_SERVER_ENV=(
		CURBSIDE_CLOCK_FILE="$CLOCK_FILE"
		CURBSIDE_WEBHOOK_POLL_SECONDS=1
		CURBSIDE_WEBHOOK_TIMEOUT_MS="$(scaled 20000 120000)"
		"$@"
	)
}

# restart_server [VAR=value...]: stop the stack's server (SIGTERM, or SIGKILL with KILL=1) and
# start it again on the same port, the proxy still in front, with this file's configuration and
# the extra settings.
restart_server() {
	[[ ! -f $BATS_FILE_TMPDIR/server.pid ]] || SERVER_PID=$(cat "$BATS_FILE_TMPDIR/server.pid")
	[[ ! -f $BATS_FILE_TMPDIR/server.log.name ]] || SERVER_LOG=$(cat "$BATS_FILE_TMPDIR/server.log.name")
	if [[ ${KILL-} == 1 ]]; then
		kill -9 "$SERVER_PID"
		while kill -0 "$SERVER_PID" 2>/dev/null && [[ $(ps -o stat= -p "$SERVER_PID") != Z* ]]; do
			sleep 0.1
		done
		wait "$SERVER_PID" 2>/dev/null || true
	else
		finish_restarted_server
	fi
	mail_server_env
	webhook_server_env "$@"
	SERVER_LOG=$BATS_FILE_TMPDIR/server.$BATS_TEST_NUMBER.$RANDOM.log
	launch_server "$SERVER_LOG" "$SERVER_PORT" "${MAIL_SERVER_ENV[@]}" "${WEBHOOK_SERVER_ENV[@]}"
	SERVER_PID=$LAUNCHED_PID
	echo "$SERVER_PID" >"$BATS_FILE_TMPDIR/server.pid"
	echo "$SERVER_LOG" >"$BATS_FILE_TMPDIR/server.log.name"
	await_server "$SERVER_PID" "$SERVER_PORT" "$SERVER_LOG"
}

# receiver METHOD PATH [JSON]: a control call to the webhook receiver; prints its answer.
receiver() {
	curl -fsS --max-time "$(scaled 5)" -X "$1" "$RECEIVER_URL$2" -H 'Content-Type: application/json' \
		${3:+--data "$3"}
}

# received PATH: the deliveries the receiver got at PATH, oldest first (a JSON array).
received() {
	receiver GET /_control/requests | jq -c --arg p "$1" '[.[] | select(.path == $p)]'
}

# await_received PATH JQ_FILTER: wait (bounded, scaled) until JQ_FILTER holds for received PATH;
# prints that array.
await_received() {
	local doc deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		doc=$(received "$1") && jq -e "$2" <<<"$doc" >/dev/null && {
			printf '%s\n' "$doc"
			return 0
		}
		sleep 0.2
	done
	fail "await_received $1: '$2' did not hold: $doc"
}

# set_clock SECONDS: the server's now is the real time plus SECONDS.
set_clock() {
	date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ >"$CLOCK_FILE"
}

# emit TYPE OBJECT_ID [N]: an event of this test's tenant for object OBJECT_ID (its JSON carries
# the id and N); prints the event's id.
emit() {
	stack_sql "SELECT event_emit('$TENANT_ID', '$1', '${1%%.*}', '$2', json_build_object('id', '$2'::uuid, 'n', ${3:-0}))"
}

# new_endpoint [TYPES_JSON] [TOKEN]: register an endpoint at a path of its own on the receiver;
# expects 201. Sets ENDPOINT_ID, SECRET and HOOK_PATH; the receiver holds SECRET.
new_endpoint() {
	HOOK_PATH=/hook/$BATS_TEST_NUMBER/$RANDOM
	with_bearer "${2:-$STAFF_TOKEN}" POST /v1/admin/webhook-endpoints \
		"$(jq -cn --arg u "$RECEIVER_URL$HOOK_PATH" --argjson t "${1:-[\"*\"]}" '{url: $u, event_types: $t, description: "ERP sync"}')"
	fixture_expect 201 "new_endpoint"
	ENDPOINT_ID=$(jq -r .id <<<"$body")
	SECRET=$(jq -r .secret <<<"$body")
	receiver POST /_control/secrets "$(jq -cn --arg s "$SECRET" '{secrets: [$s]}')" >/dev/null
}

# delivery_of EVENT_ID: the endpoint's delivery of the event (the log's item).
delivery_of() {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries?event_id=$1"
	[[ $status == 200 ]] || fail "deliveries: $status $body"
	jq -c '.items[0]' <<<"$body"
}

# await_delivery EVENT_ID JQ_FILTER: wait (bounded, scaled) until the delivery of EVENT_ID
# (with its attempts) satisfies JQ_FILTER; prints it.
await_delivery() {
	local id doc deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	id=$(delivery_of "$1" | jq -r .id)
	while ((SECONDS < deadline)); do
		staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries/$id"
		doc=$body
		jq -e "$2" <<<"$doc" >/dev/null && {
			printf '%s\n' "$doc"
			return 0
		}
		sleep 0.2
	done
	fail "await_delivery $1: '$2' did not hold: $doc"
}

uuid() { cat /proc/sys/kernel/random/uuid; }

@test "an admin registers, reads, lists, changes and deletes an endpoint; the secret is shown once" {
	new_staff_token
	new_endpoint '["invoice.sent", "payment.succeeded", "invoice.sent"]'
	[[ $SECRET =~ ^whsec_[A-Za-z0-9_-]{43}$ ]] || fail "secret: $SECRET"
	jq -e '.event_types == ["invoice.sent", "payment.succeeded"] and .enabled and
		.disabled_reason == null and .previous_secret_expires_at == null and
		.description == "ERP sync"' <<<"$body"

	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID"
	[[ $status == 200 ]]
	jq -e 'has("secret") | not' <<<"$body"
	[[ $body != *"$SECRET"* ]]
	staff_api "$STAFF_TOKEN" GET /v1/admin/webhook-endpoints
	[[ $status == 200 ]]
	jq -e --arg id "$ENDPOINT_ID" '[.items[].id] == [$id] and .next_cursor == null' <<<"$body"
	[[ $body != *whsec_* ]]
	# Nothing the database holds is the secret.
	[[ $(stack_sql "SELECT count(*) FROM webhook_endpoints WHERE row_to_json(webhook_endpoints)::text LIKE '%$SECRET%' OR row_to_json(webhook_endpoints)::text LIKE '%${SECRET#whsec_}%'") == 0 ]]

	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/webhook-endpoints/$ENDPOINT_ID" '{"enabled": false, "description": "paused", "event_types": ["*"]}'
	[[ $status == 200 ]]
	jq -e '.enabled == false and .disabled_reason == "manual" and (.disabled_at | type) == "string" and
		.description == "paused" and .event_types == ["*"]' <<<"$body"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/webhook-endpoints/$ENDPOINT_ID" '{"enabled": true}'
	jq -e '.enabled and .disabled_reason == null and .disabled_at == null' <<<"$body"

	# An API key manages endpoints too.
	new_api_key
	with_bearer "$API_KEY" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID"
	[[ $status == 200 ]]
	with_bearer "$API_KEY" DELETE "/v1/admin/webhook-endpoints/$ENDPOINT_ID"
	[[ $status == 204 ]]
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID"
	[[ $status == 404 && $(jq -r .code <<<"$body") == not_found ]]
}

@test "a bad URL, plain http to another machine, an unknown event type and bad members are refused" {
	new_staff_token
	local url=$RECEIVER_URL/x
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints '{"url": "not a url", "event_types": ["*"]}'
	[[ $status == 422 ]] && jq -e '.errors[0].field == "url"' <<<"$body"
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints '{"url": "http://hooks.example.com/in", "event_types": ["*"]}'
	[[ $status == 422 && $(jq -r .code <<<"$body") == webhook_url_not_https ]]
	jq -e '.errors[0].field == "url"' <<<"$body"
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints '{"url": "https://user:pw@hooks.example.com/in", "event_types": ["*"]}'
	[[ $status == 422 && $(jq -r .code <<<"$body") == webhook_url_invalid ]]
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints "$(jq -cn --arg u "$url" '{url: $u, event_types: ["invoice.sent", "invoice.exploded"]}')"
	[[ $status == 422 ]]
	jq -e '.errors == [{"field": "event_types[1]", "code": "invalid_value", "message": .errors[0].message}]' <<<"$body"
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints "$(jq -cn --arg u "$url" '{url: $u, event_types: []}')"
	[[ $status == 422 && $(jq -r '.errors[0].code' <<<"$body") == too_few_items ]]
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints "$(jq -cn --arg u "$url" '{url: $u, event_types: ["*"], secret: "mine"}')"
	[[ $status == 422 && $(jq -r .code <<<"$body") == unknown_field ]]
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints '{"event_types": ["*"]}'
	[[ $status == 422 && $(jq -r '.errors[0].code' <<<"$body") == required ]]
	[[ $(stack_sql "SELECT count(*) FROM webhook_endpoints WHERE tenant_id = '$TENANT_ID'") == 0 ]]

	new_endpoint
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/webhook-endpoints/$ENDPOINT_ID" '{"url": "http://10.1.2.3/in"}'
	[[ $status == 422 && $(jq -r .code <<<"$body") == webhook_url_not_https ]]
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/webhook-endpoints/$ENDPOINT_ID" '{}'
	[[ $status == 422 ]]
	staff_api "$STAFF_TOKEN" POST "/v1/admin/webhook-endpoints/$ENDPOINT_ID/rotate-secret" '{"overlap_seconds": 604801}'
	[[ $status == 422 && $(jq -r '.errors[0].field' <<<"$body") == overlap_seconds ]]
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries?status=lost"
	[[ $status == 422 && $(jq -r '.errors[0].field' <<<"$body") == status ]]
}

@test "another tenant's staff and key find nothing; billing staff, portal users, the operator and strangers are refused" {
	portal_tenant
	new_endpoint
	local id=$ENDPOINT_ID event delivery
	event=$(emit invoice.sent "$(uuid)")
	delivery=$(await_delivery "$event" '.status == "succeeded"' | jq -r .id)
	local paths=("/v1/admin/webhook-endpoints/$id" "/v1/admin/webhook-endpoints/$id/deliveries"
		"/v1/admin/webhook-endpoints/$id/deliveries/$delivery")

	neighbour_tenant
	local p
	for p in "${paths[@]}"; do
		with_bearer "$B_TOKEN" GET "$p"
		[[ $status == 404 ]] || fail "B staff GET $p: $status"
		with_bearer "$B_KEY" GET "$p"
		[[ $status == 404 ]] || fail "B key GET $p: $status"
	done
	with_bearer "$B_TOKEN" PATCH "/v1/admin/webhook-endpoints/$id" '{"enabled": false}'
	[[ $status == 404 ]]
	with_bearer "$B_KEY" POST "/v1/admin/webhook-endpoints/$id/rotate-secret"
	[[ $status == 404 ]]
	with_bearer "$B_KEY" POST "/v1/admin/webhook-endpoints/$id/deliveries/$delivery/redeliver"
	[[ $status == 404 ]]
	with_bearer "$B_TOKEN" DELETE "/v1/admin/webhook-endpoints/$id"
	[[ $status == 404 ]]
	with_bearer "$B_TOKEN" GET /v1/admin/webhook-endpoints
	[[ $(jq '.items | length' <<<"$body") == 0 ]]
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$id"
	jq -e '.enabled' <<<"$body"

	# A billing user of the tenant.
	create_staff "$TENANT_SLUG" "billing.$RANDOM@$TENANT_SLUG.example.test" "$TEST_PASSWORD" billing
	local billing
	billing=$(staff_login "$TENANT_SLUG" "$(jq -r .email <<<"$body")" "$TEST_PASSWORD")
	staff_api "$billing" GET /v1/admin/webhook-endpoints
	[[ $status == 403 && $(jq -r .code <<<"$body") == forbidden ]]
	staff_api "$billing" POST /v1/admin/webhook-endpoints "$(jq -cn --arg u "$RECEIVER_URL/b" '{url: $u, event_types: ["*"]}')"
	[[ $status == 403 ]]
	staff_api "$billing" GET "/v1/admin/webhook-endpoints/$id/deliveries"
	[[ $status == 403 ]]
	# A portal user and the operator.
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/admin/webhook-endpoints
	[[ $status == 403 ]]
	operator_api GET /v1/admin/webhook-endpoints
	[[ $status == 403 ]]
	# No token (direct: the proxy answers a request without credentials itself).
	api_direct GET /v1/admin/webhook-endpoints
	assert_problem 401 unauthorized
	api_direct POST "/v1/admin/webhook-endpoints/$id/rotate-secret"
	assert_problem 401 unauthorized
}

@test "a delivery is signed with the secret shown at creation, with the event's id and type" {
	new_staff_token
	new_endpoint '["invoice.sent"]'
	local object event got
	object=$(uuid)
	emit payment.succeeded "$object" >/dev/null # not subscribed: not sent
	event=$(emit invoice.sent "$object" 7)
	got=$(await_received "$HOOK_PATH" 'length >= 1')
	jq -e --arg e "$event" --arg o "$object" 'length == 1 and .[0].event_id == $e and .[0].id == $e and
		.[0].event_type == "invoice.sent" and .[0].type == "invoice.sent" and .[0].object_id == $o and
		.[0].signature_valid and .[0].v1_count == 1 and .[0].content_type == "application/json" and
		(.[0].user_agent | startswith("Curbside-Webhooks/"))' <<<"$got"
	# The signature's time is the real one, in seconds.
	local t
	t=$(jq -r '.[0].t' <<<"$got")
	((t > $(date +%s) - 600 && t <= $(date +%s) + 5)) || fail "t=$t"
	await_delivery "$event" '.status == "succeeded" and .attempt_count == 1 and .last_http_status == 200' >/dev/null
	# A receiver holding another secret finds the signature wrong.
	receiver POST /_control/secrets '{"secrets": ["whsec_not-the-secret"]}' >/dev/null
	emit invoice.sent "$object" 8 >/dev/null
	got=$(await_received "$HOOK_PATH" 'length == 2')
	jq -e '.[1].signature_valid == false' <<<"$got"
}

@test "after a rotation both secrets sign during the overlap, only the new one after it" {
	new_staff_token
	new_endpoint
	local old=$SECRET new got
	staff_api "$STAFF_TOKEN" POST "/v1/admin/webhook-endpoints/$ENDPOINT_ID/rotate-secret" '{"overlap_seconds": 3600}'
	[[ $status == 200 ]]
	new=$(jq -r .secret <<<"$body")
	[[ $new =~ ^whsec_ && $new != "$old" ]]
	jq -e '(.previous_secret_expires_at | type) == "string"' <<<"$body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID"
	[[ $body != *whsec_* ]]
	receiver POST /_control/secrets "$(jq -cn --arg o "$old" --arg n "$new" '{secrets: [$o, $n]}')" >/dev/null

	emit invoice.sent "$(uuid)" >/dev/null
	got=$(await_received "$HOOK_PATH" 'length == 1')
	jq -e '.[0].v1_count == 2 and .[0].valid_secrets == [0, 1]' <<<"$got"

	# Two hours on, the overlap is over.
	set_clock 7200
	emit invoice.sent "$(uuid)" >/dev/null
	got=$(await_received "$HOOK_PATH" 'length == 2')
	jq -e '.[1].v1_count == 1 and .[1].valid_secrets == [1]' <<<"$got"

	# Without a body the overlap is 24 hours.
	staff_api "$STAFF_TOKEN" POST "/v1/admin/webhook-endpoints/$ENDPOINT_ID/rotate-secret"
	[[ $status == 200 ]]
	local expires
	expires=$(jq -r .previous_secret_expires_at <<<"$body")
	(($(date -d "$expires" +%s) - $(date -d "$(cat "$CLOCK_FILE")" +%s) == 86400)) || fail "expires $expires"
}

@test "several events of three objects, delivered by two processes at once, arrive in order per object" {
	new_staff_token
	new_endpoint
	# A second process delivering beside the server (`curbside worker` with only this worker):
	# claims race, and an object's next event must still wait for the one before it.
	local log=$BATS_TEST_TMPDIR/worker.log worker
	webhook_server_env
	env -i PATH="$PATH" ASAN_OPTIONS="${ASAN_OPTIONS-}" UBSAN_OPTIONS="${UBSAN_OPTIONS-}" \
		LSAN_OPTIONS="${LSAN_OPTIONS-}" CURBSIDE_DATABASE_URL="$STACK_DB_URL" CURBSIDE_WORKERS=webhooks \
		CURBSIDE_LISTEN="127.0.0.1:$SERVER_PORT" "${WEBHOOK_SERVER_ENV[@]}" \
		"$CURBSIDE_BIN" worker >"$log" 2>&1 3>&- &
	worker=$!
	local deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	until grep -q "background workers running" "$log"; do
		((SECONDS < deadline)) || fail "the worker did not start: $(cat "$log")"
		sleep 0.2
	done
	local objects=("$(uuid)" "$(uuid)" "$(uuid)") i o got emitted
	for i in 1 2 3 4 5 6; do
		for o in "${objects[@]}"; do
			emit invoice.voided "$o" "$i" >/dev/null
		done
	done
	got=$(await_received "$HOOK_PATH" 'length == 18')
	for o in "${objects[@]}"; do
		emitted=$(stack_sql "SELECT string_agg(id::text, ',' ORDER BY seq) FROM events WHERE tenant_id = '$TENANT_ID' AND object_id = '$o'")
		[[ $(jq -r --arg o "$o" '[.[] | select(.object_id == $o) | .id] | join(",")' <<<"$got") == "$emitted" ]] ||
			fail "object $o arrived out of order"
	done
	jq -e 'all(.signature_valid)' <<<"$got"
	finish_server "$worker" "$log" "webhooks worker"
}

@test "an endpoint down for a while gets everything once it is back, in order per object" {
	new_staff_token
	new_endpoint
	receiver POST /_control/mode '{"mode": "fail", "status": 503}' >/dev/null
	local a b a1 a2 a3 b1 got
	a=$(uuid)
	b=$(uuid)
	a1=$(emit invoice.sent "$a" 1)
	a2=$(emit invoice.voided "$a" 2)
	b1=$(emit invoice.sent "$b" 1)
	a3=$(emit invoice.paid "$a" 3)
	# The first event of each object is tried and fails; A's later ones wait behind A's first.
	await_delivery "$a1" '.attempt_count == 1 and .status == "pending" and .last_http_status == 503' >/dev/null
	await_delivery "$b1" '.attempt_count == 1 and .status == "pending"' >/dev/null
	got=$(received "$HOOK_PATH")
	jq -e --arg a2 "$a2" --arg a3 "$a3" '[.[] | select(.id == $a2 or .id == $a3)] == []' <<<"$got"
	jq -e '.next_attempt_at != null' <<<"$(delivery_of "$a2")"
	[[ $(jq -r .attempt_count <<<"$(delivery_of "$a2")") == 0 ]]

	# A minute on, the retry fails again: the next one waits 5 minutes.
	set_clock 90
	await_delivery "$a1" '.attempt_count == 2' >/dev/null
	set_clock 200
	sleep "$(scaled 2)"
	[[ $(jq -r .attempt_count <<<"$(delivery_of "$a1")") == 2 ]] # not due before 5 minutes

	# The endpoint is back; 6 minutes on, everything goes, A in order.
	receiver POST /_control/mode '{"mode": "accept"}' >/dev/null
	set_clock 480
	for e in "$a1" "$a2" "$a3" "$b1"; do
		await_delivery "$e" '.status == "succeeded"' >/dev/null
	done
	got=$(received "$HOOK_PATH")
	jq -e --arg o "$a" --arg order "$a1,$a2,$a3" '[.[] | select(.object_id == $o and .mode == "accept") | .id] | join(",") == $order' <<<"$got"
	# Nothing of A went out of order: each of A's events was first seen after the one before it
	# was answered 200.
	jq -e --arg a1 "$a1" --arg a2 "$a2" '([.[] | select(.id == $a2)][0].at) > ([.[] | select(.id == $a1 and .mode == "accept")][0].at)' <<<"$got"
	await_delivery "$a1" '.attempt_count == 3 and ([.attempts[].http_status] == [503, 503, 200])' >/dev/null
}

@test "the delivery log shows each attempt's status, latency and answer, and a delivery can be sent again" {
	new_staff_token
	new_endpoint
	receiver POST /_control/mode '{"mode": "fail", "status": 500}' >/dev/null
	local object event doc delivery
	object=$(uuid)
	event=$(emit payment.succeeded "$object")
	await_delivery "$event" '.attempt_count == 1' >/dev/null
	receiver POST /_control/mode '{"mode": "accept"}' >/dev/null
	set_clock 70
	doc=$(await_delivery "$event" '.status == "succeeded"')
	delivery=$(jq -r .id <<<"$doc")
	jq -e --arg e "$event" --arg o "$object" '.event_id == $e and .object_id == $o and
		.event_type == "payment.succeeded" and .attempt_count == 2 and .next_attempt_at == null and
		(.delivered_at | type) == "string" and (.attempts | length) == 2 and
		.attempts[0].http_status == 500 and (.attempts[0].response_excerpt | contains("receiver is failing")) and
		.attempts[0].error == null and .attempts[0].latency_ms >= 0 and
		.attempts[1].http_status == 200 and .attempts[1].response_excerpt == "ok"' <<<"$doc"

	# The log: newest first, filtered by status and event.
	local other
	other=$(emit payment.succeeded "$(uuid)")
	await_delivery "$other" '.status == "succeeded"' >/dev/null
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries?limit=1"
	[[ $status == 200 ]]
	jq -e --arg e "$other" '.items[0].event_id == $e and (.next_cursor | type) == "string"' <<<"$body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries?limit=1&cursor=$(jq -r .next_cursor <<<"$body")"
	jq -e --arg e "$event" '[.items[].event_id] == [$e] and .next_cursor == null' <<<"$body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries?status=failed"
	jq -e '.items == []' <<<"$body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries?status=succeeded&event_id=$event"
	jq -e --arg d "$delivery" '[.items[].id] == [$d]' <<<"$body"

	# Redelivery: queued at once, sent again with the same event id.
	staff_api "$STAFF_TOKEN" POST "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries/$delivery/redeliver"
	[[ $status == 202 ]]
	jq -e --arg d "$delivery" '.id == $d and .status == "pending"' <<<"$body"
	await_received "$HOOK_PATH" "[.[] | select(.id == \"$event\" and .mode == \"accept\")] | length == 2" >/dev/null
	await_delivery "$event" '.status == "succeeded" and .attempt_count == 3' >/dev/null
	staff_api "$STAFF_TOKEN" POST "/v1/admin/webhook-endpoints/$ENDPOINT_ID/deliveries/$(uuid)/redeliver"
	[[ $status == 404 ]]
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$(uuid)/deliveries"
	[[ $status == 404 ]]
}

@test "after 3 days of failures the delivery fails, the endpoint is disabled and the hauler is emailed" {
	new_staff_token
	local contact
	contact=$(new_address dispatch)
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings "$(jq -cn --arg e "$contact" '{contact: {email: $e}}')"
	fixture_expect 200 "contact email"
	new_endpoint
	receiver POST /_control/mode '{"mode": "fail", "status": 502}' >/dev/null
	local object first second
	object=$(uuid)
	first=$(emit invoice.sent "$object" 1)
	second=$(emit invoice.voided "$object" 2)
	await_delivery "$first" '.attempt_count == 1' >/dev/null
	# Two days on it is still retried, and the endpoint still on.
	set_clock $((2 * 86400))
	await_delivery "$first" '.attempt_count == 2 and .status == "pending"' >/dev/null
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID"
	jq -e '.enabled' <<<"$body"
	# Three days and a little on: the last attempt fails it, and the endpoint goes off.
	set_clock $((3 * 86400 + 600))
	await_delivery "$first" '.status == "failed" and .next_attempt_at == null and .attempt_count == 3' >/dev/null
	staff_api "$STAFF_TOKEN" GET "/v1/admin/webhook-endpoints/$ENDPOINT_ID"
	jq -e '.enabled == false and .disabled_reason == "failing" and (.disabled_at | type) == "string"' <<<"$body"
	local mail
	mail=$(mail_wait "$contact" "webhook endpoint")
	assert_branded "$mail" "$contact"
	[[ $(mail_text "$mail") == *"$RECEIVER_URL$HOOK_PATH"* ]]
	[[ $(mail_html "$mail") == *"$RECEIVER_URL$HOOK_PATH"* ]]
	[[ $(mail_text "$mail") == *"HTTP status 502"* ]]
	# The next event of the object is no longer held back, but the endpoint is off: nothing goes.
	[[ $(jq -r .status <<<"$(delivery_of "$second")") == pending ]]
	emit invoice.sent "$(uuid)" >/dev/null
	[[ $(stack_sql "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = '$ENDPOINT_ID'") == 2 ]]
	# Switched on again, what was pending goes out.
	receiver POST /_control/mode '{"mode": "accept"}' >/dev/null
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/webhook-endpoints/$ENDPOINT_ID" '{"enabled": true}'
	[[ $status == 200 ]]
	await_delivery "$second" '.status != "pending"' >/dev/null
}

@test "a server killed while the receiver holds a delivery: after the restart and the lease it is delivered again, same event id" {
	new_staff_token
	new_endpoint
	receiver POST /_control/mode '{"mode": "hang"}' >/dev/null
	local event
	event=$(emit invoice.sent "$(uuid)")
	await_received "$HOOK_PATH" 'length == 1' >/dev/null
	KILL=1 restart_server
	receiver POST /_control/mode '{"mode": "accept"}' >/dev/null
	# Claimed by the dead server: not due again before its lease (the timeout plus a margin).
	sleep "$(scaled 2)"
	[[ $(received "$HOOK_PATH" | jq length) == 1 ]]
	set_clock 300
	await_received "$HOOK_PATH" 'length == 2' | jq -e --arg e "$event" '[.[].event_id] == [$e, $e] and .[1].signature_valid'
	await_delivery "$event" '.status == "succeeded" and .attempt_count == 2' >/dev/null
}

@test "with private destinations refused, registration and the connection itself refuse them" {
	new_staff_token
	restart_server CURBSIDE_WEBHOOK_ALLOW_PRIVATE=false
	local url code
	for url in "http://127.0.0.1:$RECEIVER_PORT/x" "http://localhost:$RECEIVER_PORT/x" \
		"https://10.0.0.8/in" "https://172.20.1.1/in" "https://192.168.1.20/in" "https://100.64.0.1/in" \
		"https://169.254.169.254/latest/meta-data" "https://[::1]/in" "https://[fe80::1]/in" \
		"https://[fd00::1]/in" "https://[::ffff:127.0.0.1]/in" "https://[::ffff:a9fe:a9fe]/in" \
		"https://0.0.0.0/in" "https://224.0.0.1/in"; do
		staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints "$(jq -cn --arg u "$url" '{url: $u, event_types: ["*"]}')"
		code=$(jq -r .code <<<"$body")
		[[ $status == 422 && $code == webhook_url_not_public ]] || fail "$url: $status $code"
	done
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints '{"url": "https://no-such-host.invalid/in", "event_types": ["*"]}'
	[[ $status == 422 && $(jq -r .code <<<"$body") == webhook_url_unresolvable ]]

	# An endpoint written straight into the database, past registration, at the receiver.
	HOOK_PATH=/hook/$BATS_TEST_NUMBER/ssrf
	ENDPOINT_ID=$(stack_sql "INSERT INTO webhook_endpoints (tenant_id, url, event_types, secret_nonce) VALUES ('$TENANT_ID', '$RECEIVER_URL$HOOK_PATH', '{*}', decode(md5(random()::text) || md5(random()::text), 'hex')) RETURNING id")
	local event
	event=$(emit invoice.sent "$(uuid)")
	await_delivery "$event" '.attempt_count == 1 and (.attempts[0].error | startswith("refused:")) and .attempts[0].http_status == null' >/dev/null
	[[ $(received "$HOOK_PATH" | jq length) == 0 ]]
	restart_server
}

@test "the signing key: production refuses the development one or none, a short one is refused, help never prints it" {
	run env -i PATH="$PATH" CURBSIDE_ENV=production CURBSIDE_JWT_SECRET="$CURBSIDE_JWT_SECRET" \
		CURBSIDE_OPERATOR_TOKEN="$CURBSIDE_OPERATOR_TOKEN" "$CURBSIDE_BIN" serve
	[[ $status -eq 1 && $output == *"CURBSIDE_WEBHOOK_SIGNING_KEY: set a key of your own in production"* ]] || fail "$output"
	run env -i PATH="$PATH" CURBSIDE_ENV=production CURBSIDE_JWT_SECRET="$CURBSIDE_JWT_SECRET" \
		CURBSIDE_OPERATOR_TOKEN="$CURBSIDE_OPERATOR_TOKEN" \
		CURBSIDE_WEBHOOK_SIGNING_KEY=production-webhook-signing-key-0123456789abcdef "$CURBSIDE_BIN" serve
	[[ $status -eq 1 && $output != *CURBSIDE_WEBHOOK_SIGNING_KEY* ]] || fail "$output"
	run env -i PATH="$PATH" CURBSIDE_WEBHOOK_SIGNING_KEY=short "$CURBSIDE_BIN" serve
	[[ $status -eq 1 && $output == *"CURBSIDE_WEBHOOK_SIGNING_KEY: must be at least 32 bytes"* ]] || fail "$output"
	run "$CURBSIDE_BIN" serve --help
	[[ $output == *CURBSIDE_WEBHOOK_SIGNING_KEY* && $output != *development-only-webhook-signing-key* ]] || fail "$output"
}

@test "an invoice sent through the API reaches the endpoint: the event the feed shows, the invoice as the API shows it" {
	new_staff_token
	new_endpoint '["invoice.sent", "invoice.voided"]'
	local got event_id
	create_customer
	create_invoice "$CUSTOMER_ID"
	send_invoice "$INVOICE_ID"
	got=$(await_received "$HOOK_PATH" 'length >= 1')
	jq -e --arg i "$INVOICE_ID" 'length == 1 and .[0].type == "invoice.sent" and .[0].object_id == $i and
		.[0].signature_valid' <<<"$got"
	event_id=$(jq -r '.[0].event_id' <<<"$got")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events/$event_id"
	[[ $status == 200 ]]
	jq -e --argjson sent "$(jq '.[0].event' <<<"$got")" '. == $sent' <<<"$body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invoices/$INVOICE_ID"
	[[ $status == 200 ]]
	jq -e --argjson sent "$(jq '.[0].event.data.object' <<<"$got")" '. == $sent' <<<"$body"
	# Voiding it is the object's next event, delivered after the first.
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void" '{"reason": "Billed twice"}'
	[[ $status == 200 ]]
	got=$(await_received "$HOOK_PATH" 'length >= 2')
	jq -e 'length == 2 and .[1].type == "invoice.voided" and .[1].event.data.object.status == "void"' <<<"$got"
}
