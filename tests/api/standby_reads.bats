#!/usr/bin/env bats
# Reads from a standby (issue 24, item 3; docs/decisions.md "Several processes (issue 24)"): with
# CURBSIDE_DATABASE_READ_URL the heavy portal reads go to a hot standby, except for a session that
# wrote something the standby has not replayed yet (read-your-writes, across processes: the
# position is kept in the primary), a standby that lags past CURBSIDE_READ_MAX_LAG_MS, and one that
# cannot be reached; /metrics counts each choice.
#
# The standby is a real one of the test cluster: pg_basebackup -R of CURBSIDE_TEST_PG_URL, started
# with scripts/db on a free port. It is a copy of the whole cluster, so the file's database,
# created on the primary from the template, reaches it by streaming replication. Replay is paused
# (pg_wal_replay_pause) to hold the standby at a known point; no assertion depends on how fast
# anything is: every wait is for a state, bounded and scaled.

load helpers

# The file's own server: its lag bound is far beyond how long any test here holds replay paused,
# so its choices depend on replay positions only. The lag test starts a second server with a small
# bound.
WIDE_LAG_MS=600000

# as_postgres CMD...: run a PostgreSQL program as the cluster's owner (initdb and pg_ctl refuse
# root, and the cluster's files belong to postgres then: scripts/db).
as_postgres() {
	if ((EUID == 0)); then
		(cd "$STANDBY_DIR" && runuser -u postgres -- "$@")
	else
		(cd "$STANDBY_DIR" && "$@")
	fi
}

# standby_create: a streaming standby of the test cluster in $STANDBY_DIR, on $STANDBY_PORT.
standby_create() {
	export STANDBY_DIR STANDBY_PORT
	STANDBY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/curbside-standby.XXXXXX")
	chmod 755 "$STANDBY_DIR"
	((EUID != 0)) || chown postgres: "$STANDBY_DIR"
	as_postgres "$(pg_bin pg_basebackup)" -D "$STANDBY_DIR/data/data" -R -X stream -c fast \
		-d "$CURBSIDE_TEST_PG_URL" >"$BATS_FILE_TMPDIR/basebackup.log" 2>&1 || {
		log_tail "$BATS_FILE_TMPDIR/basebackup.log" 20
		return 1
	}
	STANDBY_PORT=$(free_port)
	standby_start
}

# standby_start / standby_stop: scripts/db rewrites the copied settings with the standby's own port.
standby_start() {
	"$CURBSIDE_ROOT/scripts/db" start "$STANDBY_DIR/data" "$STANDBY_PORT" fast >/dev/null
}
standby_stop() {
	"$CURBSIDE_ROOT/scripts/db" stop "$STANDBY_DIR/data" 2>/dev/null
}
standby_running() {
	"$CURBSIDE_ROOT/scripts/db" status "$STANDBY_DIR/data" >/dev/null 2>&1
}

# standby_sql SQL [DB]: run SQL on the standby (the file's database unless DB).
standby_sql() {
	"$(pg_bin psql)" "postgresql://postgres@127.0.0.1:$STANDBY_PORT/${2:-$STACK_DB}" -XAtq \
		-v ON_ERROR_STOP=1 -c "$1"
}

# await_replayed: wait (bounded) until the standby has replayed everything the primary holds now.
await_replayed() {
	local lsn deadline=$((SECONDS + 60 * CURBSIDE_TEST_WAIT_SCALE))
	lsn=$(stack_sql "SELECT pg_current_wal_insert_lsn()")
	while ((SECONDS < deadline)); do
		[[ $(standby_sql "SELECT pg_last_wal_replay_lsn() >= '$lsn'" postgres 2>/dev/null) == t ]] &&
			return 0
		sleep 0.2
	done
	fail "the standby did not replay up to $lsn"
}

# replay_pause / replay_resume: hold the standby where it is, and let it go on.
replay_pause() {
	local deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	standby_sql "SELECT pg_wal_replay_pause()" postgres >/dev/null
	while ((SECONDS < deadline)); do
		[[ $(standby_sql "SELECT pg_get_wal_replay_pause_state()" postgres) == paused ]] && return 0
		sleep 0.1
	done
	fail "the standby's replay did not pause"
}
replay_resume() {
	standby_sql "SELECT pg_wal_replay_resume()" postgres >/dev/null
}

# standby_ready: the standby running, replaying, and caught up with the primary (each test starts
# from there, whatever the one before it left).
standby_ready() {
	standby_running || standby_start
	replay_resume
	await_replayed
}

# metric NAME [BASE]: the value of one series of a server's /metrics (0 when absent).
metric() {
	local text
	text=$(curl -sS --max-time "$((10 * CURBSIDE_TEST_WAIT_SCALE))" "${2:-$SERVER_URL}/metrics") || return 1
	awk -v name="$1" '$1 == name { print $2; found = 1 } END { if (!found) print 0 }' <<<"$text"
}
standby_reads() { metric curbside_standby_reads_total "$@"; }
fallbacks() { metric "curbside_standby_fallbacks_total{reason=\"$1\"}" "${@:2}"; }

# invoice_list TOKEN: GET /v1/portal/invoices (200 expected); the ids, one per line, in $ids.
invoice_list() {
	with_bearer "$1" GET /v1/portal/invoices || return 1
	fixture_expect 200 "list invoices" || return 1
	ids=$(jq -r '.items[].id' <<<"$body")
}

# await_standby_serves TOKEN [BASE]: wait (bounded) until a list read of TOKEN's session on the
# server at BASE (the file's, through the proxy, by default) is counted as served by the standby:
# the server's watcher has seen the standby, with the file's database, fresh.
await_standby_serves() {
	local before deadline=$((SECONDS + 60 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		before=$(standby_reads "${2-}")
		if [[ -n ${2-} ]]; then
			# The second server has no contract proxy of its own: straight to it.
			_request "$2" direct GET /v1/portal/invoices -H "Authorization: Bearer $1" || return 1
		else
			with_bearer "$1" GET /v1/portal/invoices || return 1
		fi
		fixture_expect 200 "list invoices" || return 1
		(($(standby_reads "${2-}") > before)) && return 0
		sleep 0.2
	done
	fail "reads did not go to the standby"
}

# second_session: another sign-in of $USER_EMAIL (a session that has written nothing); sets OTHER.
second_session() {
	local kept=$PORTAL_TOKEN
	portal_login "$TENANT_SLUG" "$USER_EMAIL" "$TEST_PASSWORD" || return 1
	OTHER=$PORTAL_TOKEN
	PORTAL_TOKEN=$kept
}

setup_file() {
	standby_create
	# start_stack names the file's database this way; the read URL must name it before it starts.
	local name
	name=$(basename "$BATS_TEST_FILENAME" .bats | tr -c 'a-z0-9' '_')
	export EXPECTED_DB="curbside_test_${name}_$$"
	STACK_ENV=(CURBSIDE_DATABASE_READ_URL="postgresql://postgres@127.0.0.1:$STANDBY_PORT/$EXPECTED_DB"
		"CURBSIDE_READ_MAX_LAG_MS=$WIDE_LAG_MS")
	start_portal_stack
	[[ $STACK_DB == "$EXPECTED_DB" ]] || fail "the stack's database is $STACK_DB, not $EXPECTED_DB"
}

# A second server a test started and did not stop (it failed first); the server log on failure.
teardown() {
	[[ -z ${SECOND_PID-} ]] || stop_pid "$SECOND_PID" 10 || true
	[[ -n ${BATS_TEST_COMPLETED-} ]] || log_tail "${SERVER_LOG-}" 25
}

teardown_file() {
	local rc=0
	stop_stack || rc=1
	if [[ -n ${STANDBY_DIR-} ]]; then
		standby_stop || true
		rm -rf "$STANDBY_DIR"
	fi
	return $rc
}

@test "a list is read from the standby: a staff write it has not replayed is not in the list yet" {
	standby_ready
	account_with_user
	second_session
	open_invoice "$CUSTOMER_ID"
	local first=$INVOICE_ID
	await_replayed
	await_standby_serves "$OTHER"
	replay_pause
	open_invoice "$CUSTOMER_ID"
	local second=$INVOICE_ID
	[[ $(stack_sql "SELECT count(*) FROM invoices WHERE id = '$second' AND sent_at IS NOT NULL") == 1 ]]

	local reads
	reads=$(standby_reads)
	invoice_list "$OTHER"
	grep -qx "$first" <<<"$ids" || fail "the replayed invoice is missing: $ids"
	! grep -qx "$second" <<<"$ids" || fail "the invoice the standby has not replayed was listed"
	[[ $(standby_reads) == $((reads + 1)) ]] || fail "the read was not counted as the standby's"

	# The other heavy reads go there too: the statement, the invoice and its PDF.
	reads=$(standby_reads)
	with_bearer "$OTHER" GET "/v1/portal/invoices/$first"
	assert_status 200
	with_bearer "$OTHER" GET "/v1/portal/invoices/$first/pdf" -o /dev/null
	assert_status 200
	with_bearer "$OTHER" GET "/v1/portal/statement"
	assert_status 200
	[[ $(standby_reads) == $((reads + 3)) ]] || fail "$(standby_reads) standby reads, not $((reads + 3))"
	# Not on the standby yet: 404 there, like a missing one.
	with_bearer "$OTHER" GET "/v1/portal/invoices/$second"
	assert_status 404

	replay_resume
	await_replayed
	invoice_list "$OTHER"
	grep -qx "$second" <<<"$ids" || fail "the invoice is still missing after replay: $ids"
}

@test "read-your-writes: a session that paid reads its payment from the primary until the standby replays it" {
	standby_ready
	account_with_user
	second_session
	open_invoice "$CUSTOMER_ID"
	await_replayed
	await_standby_serves "$PORTAL_TOKEN"
	await_standby_serves "$OTHER"
	replay_pause

	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments '{"payment_token": "tok_visa", "save": false}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	assert_status 201
	local paid
	paid=$(jq -r .id <<<"$body")
	local sid
	sid=$(jwt_claims "$PORTAL_TOKEN" | jq -r .sid)
	[[ $(stack_sql "SELECT count(*) FROM read_positions WHERE session_id = '$sid'") == 1 ]] ||
		fail "the session's write position was not kept"

	local not_replayed reads
	not_replayed=$(fallbacks not_replayed)
	reads=$(standby_reads)
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payments
	assert_status 200
	[[ $(jq -r '.items[].id' <<<"$body") == *"$paid"* ]] || fail "the payer does not see its payment"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/invoices
	assert_status 200
	assert_jq '.items[0].balance_cents == 0'
	[[ $(fallbacks not_replayed) == $((not_replayed + 2)) ]] || fail "the payer's reads were not sent to the primary"

	# The session that wrote nothing still reads the standby, where the payment is not yet.
	with_bearer "$OTHER" GET /v1/portal/payments
	assert_status 200
	[[ $(jq -r '.items[].id' <<<"$body") != *"$paid"* ]] || fail "the standby already had the payment"
	[[ $(standby_reads) == $((reads + 1)) ]] || fail "the other session's read did not go to the standby"

	# Once the standby has replayed the payment, the payer reads there again, and sees it.
	replay_resume
	await_replayed
	await_standby_serves "$PORTAL_TOKEN"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payments
	assert_status 200
	[[ $(jq -r '.items[].id' <<<"$body") == *"$paid"* ]] || fail "the payment is missing on the standby"
}

@test "a standby that lags past the bound is skipped: its reads go to the primary" {
	standby_ready
	account_with_user
	second_session
	await_replayed
	# A second server on the same databases with a small bound. The bound is met by pausing replay
	# and waiting for the lag to show, never by timing a request.
	local port log=$BATS_FILE_TMPDIR/second.log
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT")
	mail_server_env
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}" CURBSIDE_WORKERS=none \
		CURBSIDE_DATABASE_READ_URL="postgresql://postgres@127.0.0.1:$STANDBY_PORT/$STACK_DB" \
		CURBSIDE_READ_MAX_LAG_MS=200
	SECOND_PID=$LAUNCHED_PID
	await_server "$SECOND_PID" "$port" "$log"
	local second=http://127.0.0.1:$port
	await_standby_serves "$OTHER" "$second"
	await_standby_serves "$OTHER"

	replay_pause
	open_invoice "$CUSTOMER_ID"
	local late=$INVOICE_ID
	# The second server lists it once the standby's lag passes 200 ms: from the primary.
	local deadline=$((SECONDS + 60 * CURBSIDE_TEST_WAIT_SCALE)) seen=0
	while ((SECONDS < deadline)); do
		_request "$second" direct GET /v1/portal/invoices -H "Authorization: Bearer $OTHER"
		assert_status 200
		if [[ $(jq -r '.items[].id' <<<"$body") == *"$late"* ]]; then
			seen=1
			break
		fi
		sleep 0.2
	done
	((seen)) || fail "the server with a 200 ms bound kept reading the paused standby"
	(($(fallbacks lagging "$second") > 0)) || fail "no read was counted as skipping a lagging standby"
	# Still paused, still without it; the file's server, with its wide bound, still reads there.
	[[ $(standby_sql "SELECT count(*) FROM invoices WHERE id = '$late'") == 0 ]]
	invoice_list "$OTHER"
	! grep -qx "$late" <<<"$ids" || fail "the wide-bound server did not read the standby"

	replay_resume
	finish_server "$SECOND_PID" "$log" "second server"
	SECOND_PID=
}

@test "a stopped standby: portal reads still answer, from the primary, and the standby is used again once back" {
	standby_ready
	account_with_user
	second_session
	await_standby_serves "$OTHER"
	local failed unreachable
	failed=$(fallbacks failed)
	unreachable=$(fallbacks unreachable)

	standby_stop
	open_invoice "$CUSTOMER_ID"
	local path
	for path in /v1/portal/invoices /v1/portal/payments /v1/portal/orders /v1/portal/credits \
		/v1/portal/dashboard /v1/portal/statement "/v1/portal/invoices/$INVOICE_ID"; do
		with_bearer "$OTHER" GET "$path"
		assert_status 200
	done
	invoice_list "$OTHER"
	grep -qx "$INVOICE_ID" <<<"$ids" || fail "the primary's invoice is missing"
	(($(fallbacks failed) + $(fallbacks unreachable) >= failed + unreachable + 8)) ||
		fail "the reads were not counted as falling back"

	standby_start
	await_replayed
	await_standby_serves "$OTHER"
}

# set_primary_conninfo VALUE: the standby's primary_conninfo, reloaded (psql reads the statement from
# stdin so that the value is quoted by psql, not by hand).
set_primary_conninfo() {
	"$(pg_bin psql)" "postgresql://postgres@127.0.0.1:$STANDBY_PORT/postgres" -XAtq -v ON_ERROR_STOP=1 \
		-v conninfo="$1" >/dev/null <<<"ALTER SYSTEM SET primary_conninfo = :'conninfo';
SELECT pg_reload_conf();"
}

# await_receivers N: wait (bounded) until the standby has N walreceivers (0 or 1).
await_receivers() {
	local deadline=$((SECONDS + 60 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		[[ $(standby_sql "SELECT count(*) FROM pg_stat_wal_receiver" postgres) == "$1" ]] && return 0
		sleep 0.2
	done
	fail "the standby did not get to $1 walreceiver(s)"
}

@test "a standby in recovery that no longer streams from a primary is skipped as stale" {
	standby_ready
	account_with_user
	second_session
	await_standby_serves "$OTHER"
	local conninfo
	conninfo=$(standby_sql "SHOW primary_conninfo" postgres)
	[[ -n $conninfo ]] || fail "the standby has no primary_conninfo"
	set_primary_conninfo ""
	await_receivers 0
	[[ $(standby_sql "SELECT pg_is_in_recovery()" postgres) == t ]]

	# Once the server's watcher has seen it, every read goes to the primary, counted as such.
	local stale reads deadline=$((SECONDS + 60 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		stale=$(fallbacks not_streaming)
		invoice_list "$OTHER"
		(($(fallbacks not_streaming) > stale)) && break
		sleep 0.2
	done
	reads=$(standby_reads)
	stale=$(fallbacks not_streaming)
	invoice_list "$OTHER"
	[[ $(fallbacks not_streaming) == $((stale + 1)) ]] || fail "the read was not counted as skipping a stale standby"
	[[ $(standby_reads) == "$reads" ]] || fail "a read went to the standby that does not stream"

	set_primary_conninfo "$conninfo"
	await_receivers 1
	await_replayed
	await_standby_serves "$OTHER"
}

@test "without a read URL: no write position is kept and /metrics has no standby series" {
	account_with_user
	local port log=$BATS_FILE_TMPDIR/plain.log
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT")
	mail_server_env
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}" CURBSIDE_WORKERS=none
	SECOND_PID=$LAUNCHED_PID
	await_server "$SECOND_PID" "$port" "$log"
	local plain=http://127.0.0.1:$port
	local sid
	sid=$(jwt_claims "$PORTAL_TOKEN" | jq -r .sid)
	# Straight to the plain server: the contract proxy fronts the file's own server only.
	_request "$plain" direct PATCH /v1/me '{"full_name": "Pat Plain"}' -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_status 200
	_request "$plain" direct GET /v1/portal/invoices -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_status 200
	[[ $(stack_sql "SELECT count(*) FROM read_positions WHERE session_id = '$sid'") == 0 ]] ||
		fail "a server without a read URL kept a write position"
	curl -sS "$plain/metrics" | grep -q '^curbside_http_requests_total'
	! curl -sS "$plain/metrics" | grep -q '^curbside_standby_' || fail "standby series without a read URL"
	# The file's server, with one, keeps the position of the same write.
	with_bearer "$PORTAL_TOKEN" PATCH /v1/me '{"full_name": "Pat Standby"}'
	assert_status 200
	[[ $(stack_sql "SELECT count(*) FROM read_positions WHERE session_id = '$sid'") == 1 ]] ||
		fail "the server with a read URL kept no write position"
	finish_server "$SECOND_PID" "$log" "plain server"
	SECOND_PID=
}
