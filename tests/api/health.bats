#!/usr/bin/env bats
# Public operational endpoints: health, readiness, metrics, the OpenAPI document, the docs page, and
# request ids.

load helpers

setup_file() {
	start_stack
}

teardown_file() {
	stop_stack
}

@test "GET /healthz answers 200 {status: ok}" {
	api GET /healthz
	assert_status 200
	assert_content_type application/json
	assert_jq '. == {"status": "ok"}'
}

@test "GET /readyz answers 200 {status: ready} while the database is reachable" {
	api GET /readyz
	assert_status 200
	assert_content_type application/json
	assert_jq '. == {"status": "ready"}'
}

@test "GET /readyz answers 503 database_unavailable with Retry-After: 5 when the database is unreachable" {
	local port pport log=$BATS_TEST_TMPDIR/nodb-server.log plog=$BATS_TEST_TMPDIR/nodb-prism.log
	local server_pid prism_pid closed rc=0
	closed=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$closed")
	pport=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$closed" "$port")
	launch_server "$log" "$port" \
		CURBSIDE_DATABASE_URL="postgresql://postgres@127.0.0.1:$closed/nothing?connect_timeout=1" \
		CURBSIDE_DB_TIMEOUT_MS=500
	server_pid=$LAUNCHED_PID
	launch_prism "$plog" "$port" "$pport"
	prism_pid=$LAUNCHED_PID
	{
		await_server "$server_pid" "$port" "$log" &&
			await_prism "$prism_pid" "$pport" "$plog" &&
			_request "http://127.0.0.1:$pport" proxy GET /readyz
	} || rc=1
	stop_pid "$prism_pid" 10 || true
	finish_server "$server_pid" "$log" "server without a database" || rc=1
	((rc == 0)) || fail "the server without a database did not answer /readyz (see above)"
	assert_problem 503 database_unavailable
	assert_header Retry-After 5
}

@test "a PostgreSQL restart needs no server restart: the next requests succeed" {
	# A cluster of its own: restarting the shared one would cut the test files running beside this.
	local dir port url sport pid log=$BATS_TEST_TMPDIR/restart-server.log code
	dir=$(mktemp -d "${TMPDIR:-/tmp}/curbside-restart-pg.XXXXXX")
	chmod 755 "$dir"
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	url=$("$CURBSIDE_ROOT/scripts/db" start "$dir" "$port" fast 2>/dev/null 3>&- | tail -n 1)
	"$(pg_bin psql)" "${url%/}/postgres" -XAtq -c "CREATE DATABASE restart_test"
	CURBSIDE_DATABASE_URL=${url%/}/restart_test "$CURBSIDE_BIN" migrate >/dev/null
	sport=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$port")
	launch_server "$log" "$sport" CURBSIDE_DATABASE_URL="${url%/}/restart_test" CURBSIDE_WORKERS=false
	pid=$LAUNCHED_PID
	await_server "$pid" "$sport" "$log"
	# direct: this server has no proxy of its own; the status codes are what is checked here.
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$sport/readyz")
	[[ $code == 200 ]] || fail "readyz before the restart: $code"

	"$CURBSIDE_ROOT/scripts/db" stop "$dir" >/dev/null 2>&1 3>&-
	"$CURBSIDE_ROOT/scripts/db" start "$dir" "$port" fast >/dev/null 2>&1 3>&-
	# (fd 3 is bats' output: the new postmaster must not inherit it, or bats waits on it forever.)
	# Every pooled connection was cut; the first use of each must reconnect, not fail.
	for _ in 1 2 3 4 5 6; do
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$sport/readyz")
		[[ $code == 200 ]] || break
	done
	[[ $code == 200 ]] && code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $CURBSIDE_OPERATOR_TOKEN" -H 'Content-Type: application/json' \
		-d '{"slug":"after-restart","name":"After Restart"}' "http://127.0.0.1:$sport/v1/platform/tenants")
	finish_server "$pid" "$log" "server of the restarted cluster"
	"$CURBSIDE_ROOT/scripts/db" stop "$dir" >/dev/null 2>&1 3>&-
	rm -rf "$dir"
	[[ $code == 201 ]] || fail "after the restart the server answered $code"
}

@test "GET /metrics is Prometheus text with request counters by route and the pool gauges" {
	api GET /healthz
	api GET /healthz
	api GET /metrics
	assert_status 200
	assert_content_type text/plain
	assert_header_matches Content-Type 'version=0\.0\.4'
	local line
	line=$(grep -E '^curbside_http_requests_total\{' <<<"$body" | grep 'route="/healthz"' | grep 'method="GET"' | grep 'status="200"' | head -n 1)
	[[ -n $line ]] || fail "no curbside_http_requests_total line for GET /healthz 200 in: $(head -c 3000 <<<"$body")"
	[[ $line =~ \}\ ([0-9.e+]+)$ ]] || fail "unparseable sample: $line"
	(($(printf '%.0f' "${BASH_REMATCH[1]}") >= 2)) || fail "expected at least 2 GET /healthz, got: $line"
	grep -Eq '^curbside_http_request_duration_seconds_bucket\{.*route="/healthz".*le="\+Inf".*\} [0-9]' <<<"$body" ||
		grep -Eq '^curbside_http_request_duration_seconds_bucket\{.*le="\+Inf".*route="/healthz".*\} [0-9]' <<<"$body" ||
		fail "no duration histogram (+Inf bucket) for /healthz"
	grep -Eq '^curbside_http_request_duration_seconds_count\{.*route="/healthz".*\} [0-9]' <<<"$body" ||
		fail "no curbside_http_request_duration_seconds_count for /healthz"
	grep -Eq '^curbside_db_pool_connections\{state="in_use"\} [0-9]' <<<"$body" || fail 'no curbside_db_pool_connections{state="in_use"}'
	grep -Eq '^curbside_db_pool_connections\{state="idle"\} [0-9]' <<<"$body" || fail 'no curbside_db_pool_connections{state="idle"}'
	grep -Eq '^curbside_db_pool_size 4$' <<<"$body" || fail "expected curbside_db_pool_size 4 (CURBSIDE_DB_POOL=4)"
	grep -Eq '^curbside_db_pool_waiting [0-9]' <<<"$body" || fail "no curbside_db_pool_waiting"
	grep -Eq '^curbside_db_pool_timeouts_total [0-9]' <<<"$body" || fail "no curbside_db_pool_timeouts_total"
}

@test "GET /openapi.yaml serves the embedded OpenAPI 3.1 document as application/yaml" {
	api GET /openapi.yaml
	assert_status 200
	assert_content_type application/yaml
	[[ $body == "openapi: 3.1"* ]] || fail "document does not start with 'openapi: 3.1': $(head -c 200 <<<"$body")"
	cmp -s "$body_file" "$CURBSIDE_ROOT/openapi/openapi.yaml" ||
		fail "served document differs from openapi/openapi.yaml"
}

@test "GET /docs is an HTML page whose script is the local /docs/redoc.standalone.js" {
	api GET /docs
	assert_status 200
	assert_content_type text/html
	grep -Eiq '<script[^>]+src="/docs/redoc\.standalone\.js"' <<<"$body" ||
		fail "no <script src=\"/docs/redoc.standalone.js\"> in: $(head -c 2000 <<<"$body")"
	! grep -Eiq '<script[^>]+src="(https?:)?//' <<<"$body" || fail "the docs page loads a script from elsewhere"
}

@test "GET /docs/redoc.standalone.js serves the embedded bundle as JavaScript" {
	api GET /docs/redoc.standalone.js
	assert_status 200
	assert_header_matches Content-Type '^(application|text)/javascript'
	local bundle=$CURBSIDE_ROOT/web/node_modules/redoc/bundles/redoc.standalone.js
	if [[ -f $bundle ]]; then
		python3 "$CURBSIDE_ROOT/scripts/redoc-offline.py" "$bundle" "$BATS_TEST_TMPDIR/offline.js"
		cmp -s "$body_file" "$BATS_TEST_TMPDIR/offline.js" ||
			fail "served bundle differs from $bundle made offline"
	else
		(($(stat -c %s "$body_file") > 100000)) || fail "bundle suspiciously small"
	fi
}

@test "issue 23: the docs bundle loads no image from elsewhere (its footer logo is local)" {
	api GET /docs/redoc.standalone.js
	assert_status 200
	grep -q 'API docs by Redocly' "$body_file" || fail "not Redoc's bundle"
	! grep -Eq 'src:"(https?:)?//' "$body_file" || fail "the bundle loads an image from elsewhere: $(grep -Eo 'src:"(https?:)?//[^"]*"' "$body_file" | head -3)"
}

@test "issue 23: the served contract names no schema Date (it shadows JavaScript's Date in generated code)" {
	api GET /openapi.yaml
	assert_status 200
	! grep -Eq '^    Date:$' "$body_file" || fail "components/schemas has Date"
	grep -Eq '^    CalendarDate:$' "$body_file" || fail "components/schemas has no CalendarDate"
	! grep -q 'later versions' "$body_file" || fail "the introduction still speaks of later versions"
}

@test "every response carries a generated X-Request-Id when the client sends none" {
	local first
	api GET /healthz
	assert_header_matches X-Request-Id '^[A-Za-z0-9._-]{1,64}$'
	first=$(header X-Request-Id)
	api GET /healthz
	assert_header_matches X-Request-Id '^[A-Za-z0-9._-]{1,64}$'
	[[ $(header X-Request-Id) != "$first" ]] || fail "two requests got the same generated id $first"
}

@test "a sane client X-Request-Id (1-64 of [A-Za-z0-9._-]) is echoed" {
	api GET /healthz -H 'X-Request-Id: abc.DEF_123-xyz'
	assert_header X-Request-Id 'abc.DEF_123-xyz'
	local max
	max=$(printf 'r%.0s' {1..64})
	api GET /readyz -H "X-Request-Id: $max"
	assert_header X-Request-Id "$max"
	api GET /healthz -H 'X-Request-Id: 7'
	assert_header X-Request-Id 7
}

@test "a sane client X-Request-Id is echoed in problem responses too" {
	api GET /v1/tenants/no-such-tenant-anywhere -H 'X-Request-Id: trace-me.42'
	assert_header X-Request-Id trace-me.42
	assert_problem 404 tenant_not_found
}

@test "an insane X-Request-Id (too long or bad characters) is replaced by a generated one" {
	local long bad
	long=$(printf 'x%.0s' {1..65})
	for bad in "$long" 'has space' 'semi;colon' 'slash/y' '<script>' 'quote"d' 'ümlaut'; do
		api GET /healthz -H "X-Request-Id: $bad"
		assert_status 200
		assert_header_matches X-Request-Id '^[A-Za-z0-9._-]{1,64}$'
		[[ $(header X-Request-Id) != "$bad" ]] || fail "insane id echoed: $bad"
	done
}
