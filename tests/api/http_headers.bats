#!/usr/bin/env bats
# Cross-cutting response headers (issue 19): HEAD on every GET route, the Allow header of a 405,
# X-Content-Type-Options: nosniff on every answer, the Content-Security-Policy of JSON answers and
# of the /docs page.
#
# Which requests go through the contract proxy: every GET, POST and problem the spec describes does
# (`api`), so its answer is also checked against openapi/openapi.yaml. HEAD goes straight to the
# server (`head_direct`, `api_direct`, raw sockets): the spec lists no head operations (HEAD is
# derived from GET, see its description), and the proxy answers a method the spec does not list
# with its own 405. A GET whose headers are compared with a HEAD's goes direct too, because the
# proxy rewrites headers (lower-cased names, its own Connection and Keep-Alive). Unknown paths,
# wrong methods and OPTIONS go direct for the reasons tests/api/errors.bats gives.

load helpers

setup_file() {
	STACK_ENV=(CURBSIDE_MAX_BODY_BYTES=1024)
	start_portal_stack
	create_customer
	export CUSTOMER_ID
	USER_EMAIL=$(new_address pat)
	portal_user "$USER_EMAIL" "$CUSTOMER_ID"
	export PORTAL_TOKEN
}

teardown_file() {
	stop_stack
}

JSON_POLICY="default-src 'none'; frame-ancestors 'none'"

# head_direct PATH [curl args...]: HEAD straight to the server (see the header comment). Sets
# status and headers like api_direct; body is empty (curl --head reads none).
head_direct() {
	local path=$1 hfile=$BATS_TEST_TMPDIR/head.headers
	shift
	last_request="HEAD $path (direct)"
	body=''
	: >"$hfile"
	status=$(curl -sS --max-time 10 --head -D "$hfile" -o /dev/null -w '%{http_code}' "$@" \
		"$SERVER_URL$path") || {
		status=000
		fail "curl failed for $last_request"
		return 1
	}
	headers=$(tr -d '\r' <"$hfile")
}

# head_sends_no_body PATH [HEADER...]: on one connection, HEAD PATH (with the given request header
# lines) pipelined with GET /healthz. The server must send the HEAD's header block and then, at
# once, the GET's whole answer: a single body byte after the HEAD would sit before the second
# status line, and a closed connection would never bring the second answer.
head_sends_no_body() {
	/usr/bin/python3 - "$SERVER_PORT" "$@" <<'EOF'
import socket, sys

port, path, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
head = "HEAD %s HTTP/1.1\r\nHost: test\r\n%s\r\n" % (path, "".join(h + "\r\n" for h in extra))
get = "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"
want = b'{"status":"ok"}'
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall((head + get).encode())
data = b""
while not data.endswith(want):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
s.close()
first_end = data.find(b"\r\n\r\n")
rest = data[first_end + 4:] if first_end >= 0 else b""
if first_end < 0 or not rest.startswith(b"HTTP/1.1 200 ") or not rest.endswith(want):
    sys.exit("HEAD %s: expected its header block then GET /healthz's answer, got %r" % (path, data[:2000]))
EOF
}

# assert_head_like_get PATH [HEADER...]: HEAD PATH answers what GET PATH answers (status and every
# header but Date, Content-Length included; one X-Request-Id is sent to both) with no body, and
# keeps the connection usable.
assert_head_like_get() {
	local path=$1 get_status get_headers h
	local -a args=(-H 'X-Request-Id: head-vs-get')
	shift
	for h in "$@"; do args+=(-H "$h"); done
	api_direct GET "$path" "${args[@]}"
	get_status=$status
	get_headers=$(grep -vi '^date:' <<<"$headers" | LC_ALL=C sort)
	head_direct "$path" "${args[@]}"
	[[ $status == "$get_status" ]] || fail "HEAD $path answered $status, GET $get_status"
	diff <(printf '%s\n' "$get_headers") <(grep -vi '^date:' <<<"$headers" | LC_ALL=C sort) >&2 ||
		fail "HEAD $path: headers differ from GET's (diff above: < GET, > HEAD)"
	head_sends_no_body "$path" "$@"
}

# requests_total ROUTE METHOD STATUS: the counter of /metrics for that series (0 when absent).
requests_total() {
	api GET /metrics
	fixture_expect 200 "GET /metrics"
	grep -F "curbside_http_requests_total{route=\"$1\",method=\"$2\",status=\"$3\"} " <<<"$body" |
		awk '{ print $2 } END { if (NR == 0) print 0 }'
}

@test "HEAD on public GET routes answers GET's status and headers, with no body" {
	assert_head_like_get /healthz
	assert_head_like_get /readyz
	assert_head_like_get /openapi.yaml
	assert_head_like_get /docs
	assert_head_like_get /docs/redoc.standalone.js
	assert_head_like_get "/v1/tenants/$TENANT_SLUG"
	# a GET route's own 404 (a problem) is HEAD's too
	assert_head_like_get /v1/tenants/no-such-tenant-anywhere
	head_direct "/v1/tenants/$TENANT_SLUG"
	assert_status 200
	assert_content_type application/json
	assert_header_matches Content-Length '^[1-9][0-9]*$'
}

@test "HEAD on staff GET routes answers GET's status and headers, with no body" {
	assert_head_like_get /v1/admin/settings "Authorization: Bearer $STAFF_TOKEN"
	assert_head_like_get "/v1/admin/customers/$CUSTOMER_ID" "Authorization: Bearer $STAFF_TOKEN"
	assert_head_like_get /v1/admin/customers "Authorization: Bearer $STAFF_TOKEN"
	head_direct "/v1/admin/customers/$CUSTOMER_ID" -H "Authorization: Bearer $STAFF_TOKEN"
	assert_status 200
	assert_header Cache-Control no-store
}

@test "HEAD on portal GET routes answers GET's status and headers, with no body" {
	assert_head_like_get /v1/portal/account "Authorization: Bearer $PORTAL_TOKEN"
	assert_head_like_get /v1/portal/invoices "Authorization: Bearer $PORTAL_TOKEN"
	head_direct /v1/portal/account -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_status 200
}

@test "HEAD with missing, bad or wrong-kind credentials answers GET's 401 or 403, with no body" {
	# through the proxy: the GET's 401 is the spec's
	api GET /v1/admin/settings -H 'Authorization: Bearer not-a-token'
	assert_problem 401 invalid_token
	assert_head_like_get /v1/admin/settings 'Authorization: Bearer not-a-token'
	assert_status 401
	assert_header WWW-Authenticate Bearer
	assert_head_like_get /v1/admin/settings
	assert_status 401
	# a staff token on a portal route: the wrong kind of credentials, refused alike
	assert_head_like_get /v1/portal/account "Authorization: Bearer $STAFF_TOKEN"
	[[ $status == 401 || $status == 403 ]] || fail "a staff token on /v1/portal/account: $status"
}

@test "a 405 lists HEAD in Allow wherever it lists GET, and HEAD is refused where GET is" {
	api_direct DELETE /healthz
	assert_problem 405 method_not_allowed
	assert_header Allow 'GET, HEAD'
	api_direct DELETE /v1/admin/customers
	assert_problem 405 method_not_allowed
	assert_header_matches Allow '^GET, HEAD, POST$|^POST, GET, HEAD$'
	# a path without GET has no HEAD either: 405, Allow without HEAD, no body
	head_direct "/v1/tenants/$TENANT_SLUG/staff/login"
	assert_status 405
	assert_header Allow POST
	head_sends_no_body "/v1/tenants/$TENANT_SLUG/staff/login"
}

@test "HEAD on an unknown path answers 404 with no body" {
	head_direct /v1/no-such-thing
	assert_status 404
	assert_content_type application/problem+json
	assert_header X-Content-Type-Options nosniff
	head_sends_no_body /v1/no-such-thing
}

@test "HEAD is recorded under its GET route in the metrics and as method=HEAD in the access log" {
	local before after
	before=$(requests_total /healthz GET 200)
	head_direct /healthz -H 'X-Request-Id: head-metrics-1'
	assert_status 200
	after=$(requests_total /healthz GET 200)
	((after == before + 1)) || fail "GET /healthz 200 went from $before to $after after one HEAD"
	grep -q 'request_id=head-metrics-1 method=HEAD route=/healthz status=200 ' "$SERVER_LOG" ||
		fail "no access log line for the HEAD in $SERVER_LOG"
}

@test "X-Content-Type-Options: nosniff is on every answer: 200, 201, problems, 404, 405, 413, preflights" {
	api GET /healthz
	assert_status 200
	assert_header X-Content-Type-Options nosniff
	api GET "/v1/tenants/$TENANT_SLUG"
	assert_status 200
	assert_header X-Content-Type-Options nosniff
	create_tenant "$(unique_slug nosniff)"
	assert_header X-Content-Type-Options nosniff
	api GET /v1/admin/settings -H 'Authorization: Bearer not-a-token'
	assert_problem 401 invalid_token
	assert_header X-Content-Type-Options nosniff
	api GET /v1/tenants/no-such-tenant-anywhere
	assert_problem 404 tenant_not_found
	assert_header X-Content-Type-Options nosniff
	api POST /v1/platform/tenants '{"slug":"Not A Slug","name":"x"}' \
		-H "Authorization: Bearer $CURBSIDE_OPERATOR_TOKEN"
	assert_status 422
	assert_header X-Content-Type-Options nosniff
	api POST /v1/platform/tenants "$(jq -cn --arg n "$(printf 'n%.0s' {1..2000})" '{slug: "big", name: $n}')" \
		-H "Authorization: Bearer $CURBSIDE_OPERATOR_TOKEN"
	assert_problem 413 payload_too_large
	assert_header X-Content-Type-Options nosniff
	# direct: the proxy answers unknown paths and methods, and OPTIONS, itself
	api_direct GET /v1/no-such-thing
	assert_problem 404 not_found
	assert_header X-Content-Type-Options nosniff
	api_direct DELETE /healthz
	assert_problem 405 method_not_allowed
	assert_header X-Content-Type-Options nosniff
	api_direct OPTIONS /v1/platform/tenants -H "Origin: $CORS_ORIGIN" \
		-H 'Access-Control-Request-Method: POST'
	assert_status 204
	assert_header X-Content-Type-Options nosniff
	api_direct OPTIONS /v1/platform/tenants -H 'Origin: https://evil.example.test' \
		-H 'Access-Control-Request-Method: POST'
	assert_problem 403 forbidden
	assert_header X-Content-Type-Options nosniff
}

@test "/docs has a Content-Security-Policy of this origin only, never framed, and X-Frame-Options: DENY" {
	api GET /docs
	assert_status 200
	assert_content_type text/html
	assert_header X-Content-Type-Options nosniff
	assert_header X-Frame-Options DENY
	local policy
	policy=$(header Content-Security-Policy) || fail "/docs has no Content-Security-Policy"
	# the exact policy: docs/decisions.md "HEAD and security headers (issue 19)" says why each part
	[[ $policy == "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" ]] ||
		fail "unexpected /docs policy: $policy"
	# scripts stay this origin's only: no inline script, no eval, no other host
	[[ $policy != *script-src* && $policy != *unsafe-eval* && $policy != *http* ]] ||
		fail "the /docs policy relaxes scripts or names a host: $policy"
	! grep -Eiq '<script>|<script[^>]*>[^<]' <<<"$body" || fail "the docs page has an inline script"
	! grep -Eiq '(src|href)="(https?:)?//' <<<"$body" || fail "the docs page loads something from elsewhere"
}

@test "JSON, YAML and script answers carry Content-Security-Policy: default-src 'none'; frame-ancestors 'none'" {
	api GET /healthz
	assert_header Content-Security-Policy "$JSON_POLICY"
	api GET /openapi.yaml
	assert_header Content-Security-Policy "$JSON_POLICY"
	api GET /docs/redoc.standalone.js
	assert_header Content-Security-Policy "$JSON_POLICY"
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_status 200
	assert_header Content-Security-Policy "$JSON_POLICY"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/account
	assert_status 200
	assert_header Content-Security-Policy "$JSON_POLICY"
	api GET /v1/tenants/no-such-tenant-anywhere
	assert_problem 404 tenant_not_found
	assert_header Content-Security-Policy "$JSON_POLICY"
	# direct: the proxy answers unknown paths itself
	api_direct GET /v1/no-such-thing
	assert_header Content-Security-Policy "$JSON_POLICY"
}
