#!/usr/bin/env bats
# Abuse limits of the password endpoints (API.md rule 27, issue 16): sign-in attempts are counted
# while they are in flight, failed link lookups are throttled per client address, and a flood of
# bogus link tokens cannot take the password-hashing capacity that sign-ins need.
#
# Requests that must come from several client addresses go straight to the server from distinct
# loopback addresses (127.0.0.0/8 is all loopback on Linux): through the proxy every request comes
# from the proxy's own address, and the server trusts no X-Forwarded-For. Such tests check the
# problem shape with jq; the 429 of each endpoint is in openapi/openapi.yaml (linted).

load helpers

setup_file() {
	# Each connection has its own thread, so simultaneous requests meet at the hashing gate; more
	# database connections than the default 4 keep them from waiting for the pool first.
	STACK_ENV=(CURBSIDE_DB_POOL=16 CURBSIDE_LINK_MAX_FAILURES=6)
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# one_account_user: a fresh customer and a user linked to it. Sets CUSTOMER_ID, USER_EMAIL.
one_account_user() {
	create_customer || return 1
	USER_EMAIL=$(new_address pat)
	portal_user "$USER_EMAIL" "$CUSTOMER_ID"
}

# metric SERIES: the value of one series of GET /metrics (empty when absent).
metric() {
	api GET /metrics || return 1
	awk -v m="$1" '$1 == m { print $2 }' <<<"$body"
}

# retry_after HEADER_FILE: the Retry-After value in a curl header dump, or "-".
retry_after() {
	tr -d '\r' <"$1" | awk -F': ' 'tolower($1) == "retry-after" { v = $2 } END { print (v == "" ? "-" : v) }'
}

# burst N FROM PATH BODY: N simultaneous POSTs of BODY to PATH, straight to the server from
# loopback address FROM. Prints one line per response: "STATUS RETRY_AFTER CODE".
burst() {
	local n=$1 from=$2 path=$3 doc=$4 dir i
	dir=$(mktemp -d "$BATS_TEST_TMPDIR/burst.XXXXXX")
	for ((i = 0; i < n; i++)); do
		curl -sS --max-time 60 --interface "$from" -o "$dir/$i.b" -D "$dir/$i.h" -w '%{http_code}' \
			-H 'Content-Type: application/json' --data-binary "$doc" "$SERVER_URL$path" \
			>"$dir/$i.s" 2>"$dir/$i.err" &
	done
	wait
	for ((i = 0; i < n; i++)); do
		printf '%s %s %s\n' "$(cat "$dir/$i.s")" "$(retry_after "$dir/$i.h")" \
			"$(jq -r '.code? // "-"' "$dir/$i.b" 2>/dev/null || echo -)"
	done
}

# bogus_link FROM KIND: one request with a random token to a link endpoint (KIND 0: reset-password,
# 1: verify-email, 2: invitation accept, 3: pay-link sign-up) with a 128-character password,
# straight to the server from loopback address FROM. Prints the status.
bogus_link() {
	local token password path doc
	token=$(new_link_token)
	password=$(printf 'p%.0s' {1..128})
	case $1 in
	0) path=/v1/auth/reset-password doc=$(jq -cn --arg t "$token" --arg p "$password" '{token: $t, password: $p}') ;;
	1) path=/v1/auth/verify-email doc=$(jq -cn --arg t "$token" --arg p "$password" '{token: $t, full_name: "Flood", password: $p}') ;;
	2) path=/v1/invitations/$token/accept doc=$(jq -cn --arg p "$password" '{email: "flood@example.test", full_name: "Flood", password: $p}') ;;
	*) path=/v1/pay-links/$token/signup doc=$(jq -cn --arg p "$password" '{email: "flood@example.test", full_name: "Flood", password: $p}') ;;
	esac
	curl -sS --max-time 60 --interface "$2" -o /dev/null -w '%{http_code}\n' \
		-H 'Content-Type: application/json' --data-binary "$doc" "$SERVER_URL$path" || echo 000
}

# assert_within_budget RESULTS BEFORE AFTER: a burst of wrong passwords (burst's lines) got at
# most the budget of 5 checks (401, and 5 more sign-in hashes between the metric's BEFORE and
# AFTER), the others 429 with Retry-After, or 503 when the hashing gate was full (a 1-core
# machine: no guess either).
assert_within_budget() {
	local results=$1 before=$2 after=$3 wrong throttled
	echo "$results" | sort | uniq -c >&2
	! grep -Ev '^(401 - invalid_credentials|429 [0-9]+ too_many_attempts|503 [0-9]+ server_busy)$' <<<"$results" ||
		fail "unexpected answers"
	wrong=$(grep -c '^401 ' <<<"$results" || true)
	throttled=$(grep -c '^429 ' <<<"$results" || true)
	((wrong <= 5)) || fail "$wrong wrong passwords were checked against a budget of 5"
	((throttled >= 1)) || fail "no attempt was refused with 429"
	[[ $before =~ ^[0-9]+$ && $after =~ ^[0-9]+$ ]] ||
		fail "GET /metrics has no curbside_password_hashes_total{purpose=\"login\"}"
	((after - before <= 5)) || fail "$((after - before)) sign-in hashes for a budget of 5"
}

@test "simultaneous wrong passwords for one email: at most the budget reaches the hash, the rest answer 429" {
	one_account_user
	local before after results
	before=$(metric 'curbside_password_hashes_total{purpose="login"}')
	results=$(burst 24 127.0.0.21 "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" '{email: $e, password: "a wrong password"}')")
	after=$(metric 'curbside_password_hashes_total{purpose="login"}')
	assert_within_budget "$results" "$before" "$after"
	# The budget is spent: even the right password waits now.
	api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
		"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')"
	assert_problem 429 too_many_attempts
	assert_header_matches Retry-After '^[0-9]+$'
}

@test "staff sign-in: simultaneous wrong passwords for one email get at most the budget" {
	new_staff_token # a hauler and staff user of this test's own
	local before after results
	before=$(metric 'curbside_password_hashes_total{purpose="login"}')
	results=$(burst 16 127.0.0.22 "/v1/tenants/$TENANT_SLUG/staff/login" \
		"$(jq -cn --arg e "$STAFF_EMAIL" '{email: $e, password: "a wrong password"}')")
	after=$(metric 'curbside_password_hashes_total{purpose="login"}')
	assert_within_budget "$results" "$before" "$after"
	api POST "/v1/tenants/$TENANT_SLUG/staff/login" "$(login_body "$STAFF_EMAIL" "$TEST_PASSWORD")"
	assert_problem 429 too_many_attempts
	assert_header_matches Retry-After '^[0-9]+$'
}

@test "failed link lookups are throttled per client address on every link endpoint, with 429 and Retry-After" {
	local from=127.0.0.31 i code
	# Six failures (CURBSIDE_LINK_MAX_FAILURES) spread over the four endpoints.
	for i in 0 1 2 3 0 1; do
		code=$(bogus_link "$i" "$from")
		[[ $code == 404 ]] || fail "bogus link $i answered $code before the budget was spent"
	done
	for i in 0 1 2 3; do
		code=$(bogus_link "$i" "$from")
		[[ $code == 429 ]] || fail "bogus link $i answered $code after the budget was spent"
	done
	api_direct POST /v1/auth/reset-password \
		"$(jq -cn --arg t "$(new_link_token)" '{token: $t, password: "a brand new passphrase"}')" \
		--interface "$from"
	assert_problem 429 too_many_attempts
	assert_header_matches Retry-After '^[0-9]+$'
	# Another address is not affected.
	code=$(bogus_link 0 127.0.0.32)
	[[ $code == 404 ]] || fail "another address answered $code"
}

# flood_config FROM N: a curl config for N requests, one after another, with random tokens to the
# four link endpoints in turn and 128-character passwords, from loopback address FROM, each
# writing its status on a line. Built without a process per request, so the flood's clients
# cost the machine little besides the requests themselves.
flood_config() {
	local from=$1 n=$2 r token path doc password
	password=$(printf 'p%.0s' {1..128})
	for ((r = 0; r < n; r++)); do
		token="flood${RANDOM}x${RANDOM}x${RANDOM}x${RANDOM}x${r}"
		case $((r % 4)) in
		0) path=/v1/auth/reset-password doc="{\\\"token\\\": \\\"$token\\\", \\\"password\\\": \\\"$password\\\"}" ;;
		1) path=/v1/auth/verify-email doc="{\\\"token\\\": \\\"$token\\\", \\\"full_name\\\": \\\"Flood\\\", \\\"password\\\": \\\"$password\\\"}" ;;
		2) path=/v1/invitations/$token/accept doc="{\\\"email\\\": \\\"flood@example.test\\\", \\\"full_name\\\": \\\"Flood\\\", \\\"password\\\": \\\"$password\\\"}" ;;
		*) path=/v1/pay-links/$token/signup doc="{\\\"email\\\": \\\"flood@example.test\\\", \\\"full_name\\\": \\\"Flood\\\", \\\"password\\\": \\\"$password\\\"}" ;;
		esac
		((r == 0)) || echo 'next'
		printf 'url = "%s"\ninterface = "%s"\nheader = "Content-Type: application/json"\n' \
			"$SERVER_URL$path" "$from"
		printf 'data-binary = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nmax-time = 60\n' "$doc"
	done
}

# forwarded_link PORT FROM CLIENT: one bogus reset-password lookup straight to the server on PORT
# from loopback address FROM, saying X-Forwarded-For: CLIENT. Prints the status.
forwarded_link() {
	curl -sS --max-time 60 --interface "$2" -o /dev/null -w '%{http_code}' \
		-H 'Content-Type: application/json' -H "X-Forwarded-For: $3" \
		--data-binary "$(jq -cn --arg t "$(new_link_token)" '{token: $t, password: "a brand new passphrase"}')" \
		"http://127.0.0.1:$1/v1/auth/reset-password"
}

@test "behind a trusted balancer failed link lookups count per forwarded client; anyone else's X-Forwarded-For is ignored" {
	local port pid log=$BATS_TEST_TMPDIR/trusting-server.log balancer=127.0.0.51 other=127.0.0.52 i code
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	# A second server on the same database that trusts one balancer address.
	launch_server "$log" "$port" CURBSIDE_WORKERS=none CURBSIDE_LINK_MAX_FAILURES=6 \
		CURBSIDE_TRUSTED_PROXIES="$balancer,10.0.0.0/8"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	# Through the balancer: the client it names spends its own budget (what the client wrote
	# itself, left of the balancer's entry, changes nothing).
	for i in 1 2 3 4 5 6; do
		code=$(forwarded_link "$port" "$balancer" "198.51.100.$i, 203.0.113.61")
		[[ $code == 404 ]] || fail "lookup $i of the first client answered $code"
	done
	code=$(forwarded_link "$port" "$balancer" "203.0.113.61")
	[[ $code == 429 ]] || fail "the first client past its budget answered $code"
	code=$(forwarded_link "$port" "$balancer" "203.0.113.62, 10.9.9.9")
	[[ $code == 404 ]] || fail "another client behind the same balancer answered $code"
	# Not the balancer: its X-Forwarded-For is not believed, every lookup is its own address's.
	for i in 1 2 3 4 5 6; do
		code=$(forwarded_link "$port" "$other" "203.0.113.7$i")
		[[ $code == 404 ]] || fail "lookup $i from $other answered $code"
	done
	code=$(forwarded_link "$port" "$other" "203.0.113.79")
	[[ $code == 429 ]] || fail "a made-up X-Forwarded-For escaped the budget of $other: $code"
	finish_server "$pid" "$log" "the server trusting a balancer"
}

@test "a flood of bogus link tokens from many addresses leaves every real sign-in working" {
	one_account_user
	local dir c pids=() logins=() n=0
	dir=$(mktemp -d "$BATS_TEST_TMPDIR/flood.XXXXXX")
	# 16 clients from 16 addresses, 12 requests each, one after another per client.
	for c in $(seq 1 16); do
		flood_config "127.0.0.$((100 + c))" 12 >"$dir/$c.cfg"
	done
	for c in $(seq 1 16); do
		curl -sS -K "$dir/$c.cfg" >"$dir/$c.out" 2>"$dir/$c.err" &
		pids+=($!)
	done
	flood_running() {
		local p
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
		return 1
	}
	while flood_running && ((n < 60)); do
		api POST "/v1/tenants/$TENANT_SLUG/auth/login" \
			"$(jq -cn --arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" '{email: $e, password: $p}')" ||
			status=000
		logins+=("$status${body:+ $(jq -r '.code? // empty' <<<"$body" 2>/dev/null)}")
		n=$((n + 1))
	done
	wait "${pids[@]}" || true
	printf 'sign-ins during the flood: %s\n' "${logins[*]}" >&2
	echo "flood answers:" >&2
	cat "$dir"/*.out | sort | uniq -c >&2
	cat "$dir"/*.err | sort | uniq -c >&2
	((n >= 1)) || fail "no sign-in ran during the flood"
	for c in "${logins[@]}"; do
		[[ $c == 200* ]] || fail "a sign-in during the flood answered $c"
	done
	# Each address was stopped after its budget of failed lookups.
	(($(cat "$dir"/*.out | grep -c '^429$') >= 16)) || fail "the flood was not throttled per address"
}
