# tests/api/helpers.bash — shared helpers for the API tests (bats + curl + jq).
#
# Each .bats file does `load helpers`, then `start_stack` in setup_file and `stop_stack` in
# teardown_file. start_stack gives the file its own database (a copy of the migrated template), its
# own `curbside serve` on a free port and its own OpenAPI validating proxy (prism, --errors) in front
# of it. `api` talks through the proxy, so every response is checked against openapi/openapi.yaml;
# `api_direct` goes straight to the server, only for what the proxy cannot carry (each use says why).
#
# Inputs (exported by scripts/test; defaults let a developer run `bats tests/api/x.bats` by hand):
#   CURBSIDE_TEST_PG_URL    URL of a running cluster, e.g. postgresql://postgres@127.0.0.1:5433/
#   CURBSIDE_TEST_TEMPLATE  migrated template database (default curbside_template)
#   CURBSIDE_BIN            the server binary (default build-asan/curbside)
#   CURBSIDE_ROOT           the repository root
# A file may set STACK_ENV=(VAR=value ...) before start_stack for extra server environment.

CURBSIDE_ROOT=${CURBSIDE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export CURBSIDE_ROOT
# shellcheck source=../lib/procs.bash
source "$CURBSIDE_ROOT/tests/lib/procs.bash"
# shellcheck source=../lib/jwt.bash
source "$CURBSIDE_ROOT/tests/lib/jwt.bash"
# shellcheck source=../lib/assert.bash
source "$CURBSIDE_ROOT/tests/lib/assert.bash"

export CURBSIDE_BIN=${CURBSIDE_BIN:-$CURBSIDE_ROOT/build-asan/curbside}
export CURBSIDE_TEST_TEMPLATE=${CURBSIDE_TEST_TEMPLATE:-curbside_template}
export CURBSIDE_TEST_PG_URL=${CURBSIDE_TEST_PG_URL-}

# Fixed test credentials, exported so tests can mint tokens and call operator endpoints.
export CURBSIDE_JWT_SECRET='curbside-api-tests-jwt-secret-0123456789abcdef'
export CURBSIDE_OPERATOR_TOKEN='curbside-api-tests-operator-token-0123456789'
export CORS_ORIGIN='https://app.example.test'
export TEST_PASSWORD='correct horse battery staple'

PRISM=$CURBSIDE_ROOT/tests/node_modules/.bin/prism
# Bounds on waits, for an idle machine: each is multiplied by CURBSIDE_TEST_WAIT_SCALE
# (tests/lib/procs.bash).
SERVER_WAIT_SECONDS=60
PRISM_WAIT_SECONDS=90

# ---------------------------------------------------------------------------------------------
# Databases

# db_url DBNAME: the cluster URL with its database replaced by DBNAME (query string kept).
db_url() {
	local url=$CURBSIDE_TEST_PG_URL
	[[ $url =~ ^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$ ]] || {
		echo "db_url: cannot parse CURBSIDE_TEST_PG_URL='$url'" >&2
		return 1
	}
	printf '%s/%s%s\n' "${BASH_REMATCH[1]}" "$1" "${BASH_REMATCH[4]}"
}

# create_database NAME: a fresh copy of the migrated template (retried for a while, scaled:
# CREATE DATABASE refuses while another session, e.g. autovacuum, still touches the template).
create_database() {
	local err deadline=$((SECONDS + 10 * CURBSIDE_TEST_WAIT_SCALE))
	[[ -n $CURBSIDE_TEST_PG_URL ]] || {
		echo "create_database: CURBSIDE_TEST_PG_URL is not set (run scripts/test)" >&2
		return 1
	}
	while ((SECONDS < deadline)); do
		err=$("$(pg_bin createdb)" --maintenance-db="$(db_url postgres)" -T "$CURBSIDE_TEST_TEMPLATE" "$1" 2>&1) && return 0
		sleep 0.5
	done
	echo "create_database $1: $err" >&2
	return 1
}

# drop_database NAME
drop_database() {
	"$(pg_bin dropdb)" --maintenance-db="$(db_url postgres)" --if-exists --force "$1"
}

# ---------------------------------------------------------------------------------------------
# Processes

# launch_server LOG PORT [VAR=value ...]: start `curbside serve` in the background with the test
# configuration (every inherited CURBSIDE_* variable removed first), extra VAR=value last so they
# win. Sets LAUNCHED_PID.
launch_server() {
	local log=$1 port=$2 v
	shift 2
	local -a clean=()
	for v in $(compgen -e); do
		[[ $v == CURBSIDE_* ]] && clean+=(-u "$v")
	done
	env "${clean[@]}" \
		CURBSIDE_ENV=development \
		CURBSIDE_LISTEN="127.0.0.1:$port" \
		CURBSIDE_DATABASE_URL="${STACK_DB_URL-}" \
		CURBSIDE_JWT_SECRET="$CURBSIDE_JWT_SECRET" \
		CURBSIDE_OPERATOR_TOKEN="$CURBSIDE_OPERATOR_TOKEN" \
		CURBSIDE_CORS_ORIGINS="$CORS_ORIGIN" \
		CURBSIDE_DB_POOL=4 \
		"$@" \
		"$CURBSIDE_BIN" serve >"$log" 2>&1 3>&- &
	LAUNCHED_PID=$!
}

# launch_prism LOG UPSTREAM_PORT PORT: start the validating proxy in front of a server.
# Sets LAUNCHED_PID.
launch_prism() {
	"$PRISM" proxy --errors --validate-request=false --cors=false \
		"$CURBSIDE_ROOT/openapi/openapi.yaml" "http://127.0.0.1:$2" -h 127.0.0.1 -p "$3" \
		>"$1" 2>&1 3>&- </dev/null &
	LAUNCHED_PID=$!
}

# log_tail FILE [LINES]: print the last lines of a log with a heading (to stderr).
log_tail() {
	[[ -f $1 ]] || return 0
	{
		echo "--- tail of $1"
		tail -n "${2:-40}" "$1"
		echo "---"
	} >&2
}

# sanitizer_report LOG: print sanitizer findings in LOG; returns 0 when there are some.
sanitizer_report() {
	[[ -f $1 ]] || return 1
	grep -E -A 30 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$1" >&2
}

# await_server PID PORT LOG: wait for /healthz (bounded); print the log when it does not come up.
await_server() {
	wait_for_http "http://127.0.0.1:$2/healthz" "$SERVER_WAIT_SECONDS" "$1" && return 0
	log_tail "$3" 60
	return 1
}

# await_prism PID PORT LOG: wait for the proxy to listen (bounded).
await_prism() {
	wait_for_listen "$2" "$PRISM_WAIT_SECONDS" "$1" && return 0
	log_tail "$3" 40
	return 1
}

# finish_server PID LOG [LABEL]: stop a server and judge its exit: it must exit 0 on SIGTERM and leave
# no sanitizer report in its log.
finish_server() {
	local pid=$1 log=$2 label=${3:-server} rc=0
	[[ -n $pid ]] || return 0
	stop_pid "$pid" 15 || rc=$?
	if sanitizer_report "$log"; then
		echo "$label: sanitizer report above (log $log)" >&2
		return 1
	fi
	if ((rc != 0)); then
		echo "$label: exited with status $rc on SIGTERM (expected a clean shutdown, 0)" >&2
		log_tail "$log" 30
		return 1
	fi
}

# ---------------------------------------------------------------------------------------------
# The stack of one test file

# start_stack: database + server + proxy for this file (call from setup_file).
start_stack() {
	local name
	name=$(basename "$BATS_TEST_FILENAME" .bats | tr -c 'a-z0-9' '_')
	export STACK_DB="curbside_test_${name}_$$"
	export STACK_DB_URL
	STACK_DB_URL=$(db_url "$STACK_DB")
	create_database "$STACK_DB"

	export SERVER_PORT PRISM_PORT
	SERVER_PORT=$(free_port)
	PRISM_PORT=$(free_port "$SERVER_PORT")
	export SERVER_LOG=$BATS_FILE_TMPDIR/server.log PRISM_LOG=$BATS_FILE_TMPDIR/prism.log
	export SERVER_URL=http://127.0.0.1:$SERVER_PORT PRISM_URL=http://127.0.0.1:$PRISM_PORT

	start_mail_sink "$SERVER_PORT" "$PRISM_PORT"
	mail_server_env
	launch_server "$SERVER_LOG" "$SERVER_PORT" "${MAIL_SERVER_ENV[@]}" ${STACK_ENV[@]+"${STACK_ENV[@]}"}
	export SERVER_PID=$LAUNCHED_PID
	await_server "$SERVER_PID" "$SERVER_PORT" "$SERVER_LOG"

	launch_prism "$PRISM_LOG" "$SERVER_PORT" "$PRISM_PORT"
	export PRISM_PID=$LAUNCHED_PID
	await_prism "$PRISM_PID" "$PRISM_PORT" "$PRISM_LOG"
}

# stop_stack: stop proxy and server, drop the database (call from teardown_file). Fails when the
# server did not shut down cleanly or left a sanitizer report.
stop_stack() {
	local rc=0
	[[ -z ${PRISM_PID-} ]] || stop_pid "$PRISM_PID" 10 || true
	finish_server "${SERVER_PID-}" "${SERVER_LOG-}" "server ($BATS_TEST_FILENAME)" || rc=1
	[[ -z ${MAIL_PID-} ]] || stop_pid "$MAIL_PID" 10 || true
	[[ -z ${OIDC_PID-} ]] || stop_pid "$OIDC_PID" 10 || true
	[[ -z ${STACK_DB-} ]] || drop_database "$STACK_DB" || rc=1
	return $rc
}

# teardown (per test): on failure, show the end of the server log next to the failure.
teardown() {
	if [[ -z ${BATS_TEST_COMPLETED-} ]]; then
		log_tail "${SERVER_LOG-}" 25
	fi
}

# ---------------------------------------------------------------------------------------------
# Mail: every stack has a local SMTP sink (tests/fakes/smtp_sink.py) storing what it receives as
# .eml files in $MAIL_DIR; tests/fakes/mail_read.py reads them.

MAIL_PYTHON=/usr/bin/python3 # Debian's python: it sees python3-aiosmtpd
MAIL_WAIT_SECONDS=60
MAIL_FROM_ADDRESS=portal@mail.example.test

# start_mail_sink [EXCLUDED_PORT...]: start the sink on a free port (sets and exports MAIL_PORT,
# MAIL_DIR, MAIL_LOG, MAIL_PID).
start_mail_sink() {
	export MAIL_DIR=$BATS_FILE_TMPDIR/mail MAIL_LOG=$BATS_FILE_TMPDIR/smtp_sink.log MAIL_PORT MAIL_PID
	mkdir -p "$MAIL_DIR"
	MAIL_PORT=$(free_port "$@")
	"$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/smtp_sink.py" --dir "$MAIL_DIR" --port "$MAIL_PORT" \
		>"$MAIL_LOG" 2>&1 3>&- </dev/null &
	MAIL_PID=$!
	wait_for_listen "$MAIL_PORT" 10 "$MAIL_PID" || {
		log_tail "$MAIL_LOG" 20
		return 1
	}
}

# mail_server_env: sets the array MAIL_SERVER_ENV, the server environment sending to the stack's
# sink (start_stack passes it; a test launching another server passes "${MAIL_SERVER_ENV[@]}").
mail_server_env() {
	MAIL_SERVER_ENV=(
		CURBSIDE_SMTP_URL="smtp://127.0.0.1:$MAIL_PORT"
		CURBSIDE_PUBLIC_URL='https://{tenant}.portal.example.test'
		CURBSIDE_MAIL_FROM="$MAIL_FROM_ADDRESS"
		CURBSIDE_MAIL_POLL_SECONDS=1
		CURBSIDE_MAIL_RETRY_SECONDS=1
	)
}

# mail_wait TO [SUBJECT_REGEX]: wait (bounded) for the next message to TO (the envelope recipient)
# whose subject matches SUBJECT_REGEX (Python re.search); print its file path. Each message is
# returned once: two waits for one address return two different messages, oldest first.
mail_wait() {
	local to=$1 regex=${2-} deadline
	deadline=$((SECONDS + MAIL_WAIT_SECONDS * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		"$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" find "$MAIL_DIR" "$to" "$regex" \
			--consumed "$MAIL_DIR/.consumed" && return 0
		sleep 0.2
	done
	echo "mail_wait: no message to $to${regex:+ with a subject matching /$regex/} within $((MAIL_WAIT_SECONDS * CURBSIDE_TEST_WAIT_SCALE))s" >&2
	log_tail "${MAIL_LOG-}" 10
	return 1
}

# mail_text FILE / mail_html FILE: the decoded text or HTML part of a stored message.
mail_text() { "$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" text "$1"; }
mail_html() { "$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" html "$1"; }

# mail_header FILE NAME: the decoded value of a header (one line per occurrence; fails if absent).
mail_header() { "$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" header "$1" "$2"; }

# mail_link FILE: the first portal link (on CURBSIDE_PUBLIC_URL's host) in the text part.
mail_link() {
	local link
	link=$("$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" links "$1" |
		grep -m1 -E '^https://[^/]+\.portal\.example\.test/') || {
		echo "mail_link: no portal link in the text of $1" >&2
		return 1
	}
	printf '%s\n' "$link"
}

# mail_token FILE: the token at the end of the message's portal link.
mail_token() {
	local link
	link=$(mail_link "$1") || return 1
	printf '%s\n' "${link##*/}"
}

# mail_count TO: how many messages the sink has received for TO.
mail_count() { "$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" count "$MAIL_DIR" "$1"; }

# ---------------------------------------------------------------------------------------------
# The fakes some files start (processor, SMS API, OpenID Connect provider)

# shellcheck source=fakes.bash
source "${BASH_SOURCE[0]%/*}/fakes.bash"

# ---------------------------------------------------------------------------------------------
# Requests

_response_seq=0

# _request BASE VIA METHOD PATH [BODY] [curl args...]: one bounded curl request. Sets status, body,
# headers (the last header block, CRs removed), body_file and last_request. BODY (if given and
# non-empty) is sent with Content-Type: application/json unless the extra args set a Content-Type.
# Through the proxy, a response the proxy made up (its own errors, a failed forward) or flagged
# (an `sl-violations` header: e.g. a status code the spec does not list) fails the request.
_request() {
	local base=$1 via=$2 method=$3 path=$4 data='' has_data=0 has_ct=0 a dir rc=0 type violations
	shift 4
	if (($#)) && [[ $1 != -* ]]; then
		data=$1
		shift
		[[ -n $data ]] && has_data=1
	fi
	for a in "$@"; do
		[[ ${a,,} =~ ^content-type: ]] && has_ct=1
	done
	dir=${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-/tmp}}
	_response_seq=$((_response_seq + 1))
	body_file=$dir/response.$BASHPID.$_response_seq.body
	local hfile=$dir/response.$BASHPID.$_response_seq.headers
	local -a args=(-sS --max-time "$((10 * CURBSIDE_TEST_WAIT_SCALE))" -X "$method" -H 'Expect:' -D "$hfile" -o "$body_file" -w '%{http_code}')
	if ((has_data)); then
		((has_ct)) || args+=(-H 'Content-Type: application/json')
		args+=(--data-binary "$data")
	fi
	last_request="$method $path ($via)"
	: >"$body_file"
	: >"$hfile"
	status=$(curl "${args[@]}" "$@" "$base$path" 2>"$dir/curl.err") || rc=$?
	headers=$(awk '/^HTTP\//{buf=""} {sub(/\r$/, ""); buf = buf $0 "\n"} END{printf "%s", buf}' "$hfile")
	body=$(cat "$body_file")
	if ! [[ $status =~ ^[1-5][0-9][0-9]$ ]]; then
		status=000
		echo "curl failed ($rc) for $last_request: $(cat "$dir/curl.err")" >&2
		[[ $via != proxy ]] || log_tail "${PRISM_LOG-}" 15
		return 1
	fi
	if [[ $via == proxy ]] && violations=$(header sl-violations); then
		show_response
		echo "The contract proxy reports violations of openapi/openapi.yaml: $violations" >&2
		return 1
	fi
	if [[ $via == proxy && $body == '{'* ]]; then
		type=$(jq -r '.type? // empty' <<<"$body" 2>/dev/null || true)
		if [[ $type == https://stoplight.io/prism/errors* || $type == FetchError ]]; then
			show_response
			echo "The contract proxy answered itself ($type): the request or the response does not match openapi/openapi.yaml" >&2
			return 1
		fi
	fi
	return 0
}

# api METHOD PATH [JSON_BODY] [curl args...]: through the validating proxy.
api() {
	_request "$PRISM_URL" proxy "$@"
}

# api_direct METHOD PATH [JSON_BODY] [curl args...]: straight to the server (say why at each use).
api_direct() {
	_request "$SERVER_URL" direct "$@"
}

# with_bearer TOKEN METHOD PATH [JSON_BODY] [curl args...]: api with an Authorization header.
with_bearer() {
	local token=$1 method=$2 path=$3 data=''
	shift 3
	if (($#)) && [[ $1 != -* ]]; then
		data=$1
		shift
	fi
	api "$method" "$path" "$data" -H "Authorization: Bearer $token" "$@"
}

# operator_api METHOD PATH [JSON_BODY] [curl args...]: api with the operator bearer token.
operator_api() {
	with_bearer "$CURBSIDE_OPERATOR_TOKEN" "$@"
}

# staff_api TOKEN METHOD PATH [JSON_BODY] [curl args...]: api with a staff bearer token.
staff_api() {
	with_bearer "$@"
}

# ---------------------------------------------------------------------------------------------
# Fixtures

# fixture_expect STATUS LABEL: a fixture's request must have answered STATUS; otherwise show the
# response and fail the test naming the fixture.
fixture_expect() {
	[[ $status == "$1" ]] && return 0
	show_response
	fail "$2: expected $1, got $status"
}

# unique_slug PREFIX: a tenant slug no other test uses.
unique_slug() {
	printf '%s-%s-%s\n' "$1" "${BATS_TEST_NUMBER:-0}" "$((RANDOM * 32768 + RANDOM))"
}

# create_tenant SLUG [JSON_OVERRIDES]: operator creates a tenant (name "Hauler SLUG" unless
# overridden); expects 201. Leaves the response in status/body/headers and sets TENANT_ID.
create_tenant() {
	local over=${2:-'{}'} doc
	doc=$(jq -cn --arg s "$1" --argjson o "$over" '{slug: $s, name: ("Hauler " + $s)} + $o') || return 1
	operator_api POST /v1/platform/tenants "$doc" || return 1
	fixture_expect 201 "create_tenant $1" || return 1
	TENANT_ID=$(jq -r .id <<<"$body")
}

# create_staff SLUG EMAIL PASSWORD [ROLE]: operator creates a staff user; expects 201. Sets STAFF_ID.
create_staff() {
	local doc
	doc=$(jq -cn --arg e "$2" --arg p "$3" --arg r "${4:-admin}" \
		'{email: $e, full_name: ("Staff " + ($e | split("@")[0])), password: $p, role: $r}') || return 1
	operator_api POST "/v1/platform/tenants/$1/staff" "$doc" || return 1
	fixture_expect 201 "create_staff $1 $2" || return 1
	STAFF_ID=$(jq -r .id <<<"$body")
}

# login_body EMAIL PASSWORD: the JSON of a staff login request.
login_body() {
	jq -cn --arg e "$1" --arg p "$2" '{email: $e, password: $p}'
}

# staff_login SLUG EMAIL PASSWORD: log in and print the access token (fails unless 200).
staff_login() {
	api POST "/v1/tenants/$1/staff/login" "$(login_body "$2" "$3")" || return 1
	fixture_expect 200 "staff_login $1 $2" || return 1
	jq -r .access_token <<<"$body"
}

# new_staff_token [ROLE]: a fresh tenant with one staff user of ROLE (default admin), logged in.
# Sets TENANT_SLUG, TENANT_ID, STAFF_EMAIL, STAFF_ID and STAFF_TOKEN.
new_staff_token() {
	TENANT_SLUG=$(unique_slug "${2:-t}")
	create_tenant "$TENANT_SLUG" || return 1
	STAFF_EMAIL="${1:-admin}.$RANDOM@$TENANT_SLUG.example.test"
	create_staff "$TENANT_SLUG" "$STAFF_EMAIL" "$TEST_PASSWORD" "${1:-admin}" || return 1
	api POST "/v1/tenants/$TENANT_SLUG/staff/login" "$(login_body "$STAFF_EMAIL" "$TEST_PASSWORD")" || return 1
	fixture_expect 200 "login of $STAFF_EMAIL" || return 1
	STAFF_TOKEN=$(jq -r .access_token <<<"$body")
}

# ---------------------------------------------------------------------------------------------
# Back office fixtures (need STAFF_TOKEN from new_staff_token)

# new_api_key [NAME]: the staff admin creates an API key; sets API_KEY (the secret) and API_KEY_ID.
new_api_key() {
	staff_api "$STAFF_TOKEN" POST /v1/admin/api-keys "$(jq -cn --arg n "${1:-sync}" '{name: $n}')" || return 1
	fixture_expect 201 "new_api_key" || return 1
	API_KEY=$(jq -r .key <<<"$body")
	API_KEY_ID=$(jq -r .id <<<"$body")
}

# neighbour_tenant: a second tenant whose staff and API key must never reach this one's data:
# exports B_TOKEN (its staff admin) and B_KEY (its API key); STAFF_TOKEN, TENANT_SLUG and
# TENANT_ID stay this tenant's. Use in setup_file after start_portal_stack.
neighbour_tenant() {
	local token=$STAFF_TOKEN slug=$TENANT_SLUG id=$TENANT_ID
	new_staff_token admin other || return 1
	export B_TOKEN=$STAFF_TOKEN
	new_api_key neighbour || return 1
	export B_KEY=$API_KEY
	export STAFF_TOKEN=$token TENANT_SLUG=$slug TENANT_ID=$id
}

# unique_number PREFIX: an account/invoice/order number no other test of the file uses.
unique_number() {
	printf '%s-%s-%s\n' "$1" "${BATS_TEST_NUMBER:-0}" "$((RANDOM * 32768 + RANDOM))"
}

# create_customer [JSON_OVERRIDES]: staff create a residential customer; expects 201. Sets
# CUSTOMER_ID and CUSTOMER_NUMBER.
create_customer() {
	local over=${1:-'{}'} doc
	doc=$(jq -cn --arg n "$(unique_number A)" --argjson o "$over" \
		'{account_number: $n, name: ("Customer " + $n), kind: "residential"} + $o') || return 1
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers "$doc" || return 1
	fixture_expect 201 "create_customer" || return 1
	CUSTOMER_ID=$(jq -r .id <<<"$body")
	CUSTOMER_NUMBER=$(jq -r .account_number <<<"$body")
}

# create_invoice CUSTOMER_ID [JSON_OVERRIDES]: staff create a draft invoice for the customer with
# one line of 10000 cents unless overridden; expects 201. Sets INVOICE_ID and INVOICE_NUMBER.
create_invoice() {
	local over=${2:-'{}'} doc
	doc=$(jq -cn --arg n "$(unique_number INV)" --argjson o "$over" \
		'{number: $n, lines: [{description: "Weekly pickup", unit_price_cents: 10000}]} + $o') || return 1
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$1/invoices" "$doc" || return 1
	fixture_expect 201 "create_invoice" || return 1
	INVOICE_ID=$(jq -r .id <<<"$body")
	INVOICE_NUMBER=$(jq -r .number <<<"$body")
}

# send_invoice INVOICE_ID: staff send (post) the invoice; expects 200 (it is then open, or paid at
# a zero total).
send_invoice() {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$1/send" || return 1
	fixture_expect 200 "send_invoice $1" || return 1
}

# create_location CUSTOMER_ID [JSON_OVERRIDES]: staff add a service location ("12 Oak St") to the
# customer; expects 201. Sets LOCATION_ID.
create_location() {
	local over=${2:-'{}'} doc
	doc=$(jq -cn --argjson o "$over" '{address: {line1: "12 Oak St", city: "Springfield", region: "IL", postal_code: "62701"}} + $o') || return 1
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$1/locations" "$doc" || return 1
	fixture_expect 201 "create_location" || return 1
	LOCATION_ID=$(jq -r .id <<<"$body")
}

# create_service CUSTOMER_ID LOCATION_ID [JSON_OVERRIDES]: staff add a weekly service of 3250 cents
# at the location; expects 201. Sets SERVICE_ID.
create_service() {
	local over=${3:-'{}'} doc
	doc=$(jq -cn --arg l "$2" --argjson o "$over" \
		'{location_id: $l, description: "Residential trash", frequency: "weekly", rate_cents: 3250} + $o') || return 1
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$1/services" "$doc" || return 1
	fixture_expect 201 "create_service" || return 1
	SERVICE_ID=$(jq -r .id <<<"$body")
}

# create_order CUSTOMER_ID [JSON_OVERRIDES]: staff record a dumpster order dated 2026-11-24 with a
# unique number; expects 201. Sets ORDER_ID and ORDER_NUMBER.
create_order() {
	local over=${2:-'{}'} doc
	doc=$(jq -cn --arg n "$(unique_number ORD)" --argjson o "$over" \
		'{number: $n, type: "dumpster", service_date: "2026-11-24", service: "20 yd dumpster delivery"} + $o') || return 1
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$1/orders" "$doc" || return 1
	fixture_expect 201 "create_order" || return 1
	ORDER_ID=$(jq -r .id <<<"$body")
	ORDER_NUMBER=$(jq -r .number <<<"$body")
}

# new_credit CUSTOMER_ID CENTS DATE [REASON]: a credit given by staff. Sets CREDIT_ID.
new_credit() {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$1/credits" \
		"$(jq -cn --argjson a "$2" --arg d "$3" --arg r "${4:-Missed pickup}" '{reason: $r, amount_cents: $a, credit_date: $d}')" || return 1
	fixture_expect 201 "new_credit" || return 1
	CREDIT_ID=$(jq -r .id <<<"$body")
}

# new_idempotency_key: a fresh Idempotency-Key (a random UUID).
new_idempotency_key() {
	cat /proc/sys/kernel/random/uuid
}

# open_invoice CUSTOMER_ID [JSON_OVERRIDES]: create_invoice then send_invoice (so it is open and
# takes payments). Sets INVOICE_ID and INVOICE_NUMBER.
open_invoice() {
	local id
	create_invoice "$@" || return 1
	id=$INVOICE_ID
	send_invoice "$id" || return 1
	INVOICE_ID=$id
}

# record_payment TOKEN JSON [KEY]: POST /v1/admin/payments with an Idempotency-Key (a new one
# unless KEY); expects 201. Sets PAYMENT_ID.
record_payment() {
	staff_api "$1" POST /v1/admin/payments "$2" -H "Idempotency-Key: ${3:-$(new_idempotency_key)}" || return 1
	fixture_expect 201 "record_payment" || return 1
	PAYMENT_ID=$(jq -r .id <<<"$body")
}

# stack_sql SQL: run SQL on this file's database and print the rows (unaligned, tuples only). For
# what the API cannot show: stored hashes, expiries moved into the past, rows counted.
stack_sql() {
	"$(pg_bin psql)" "$STACK_DB_URL" -XAtq -v ON_ERROR_STOP=1 -c "$1"
}

# await_lock_waits N: wait (bounded) until N of the server's database sessions wait for a lock.
await_lock_waits() {
	local got deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		got=$(stack_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND application_name = 'curbside' AND wait_event_type = 'Lock'")
		((got >= $1)) && return 0
		sleep 0.1
	done
	fail "waited for $1 requests to wait for a lock; $got do"
}

# hold_row_lock TABLE CONDITION: a database session of our own takes the row locks of
# `SELECT 1 FROM TABLE WHERE CONDITION FOR UPDATE` and keeps them until release_row_lock (fd 5
# feeds it; sets HOLDER_PID). For making concurrent requests meet at a lock (await_lock_waits).
hold_row_lock() {
	local fifo=$BATS_TEST_TMPDIR/holder deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	rm -f "$fifo"
	mkfifo "$fifo"
	"$(pg_bin psql)" "$STACK_DB_URL" -XAtq <"$fifo" >/dev/null 3>&- &
	HOLDER_PID=$!
	exec 5>"$fifo"
	echo "BEGIN; SELECT 1 FROM $1 WHERE $2 FOR UPDATE;" >&5
	# The lock is held once our session is idle in its transaction.
	while ((SECONDS < deadline)); do
		[[ $(stack_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND application_name = 'psql' AND state = 'idle in transaction'") -ge 1 ]] && return 0
		sleep 0.1
	done
	fail "our session did not take the lock of $1 where $2"
}

# release_row_lock: end the session of hold_row_lock (its locks go).
release_row_lock() {
	echo "COMMIT;" >&5
	exec 5>&-
	wait "$HOLDER_PID"
}

# autopay_round: wake the autopay scheduler (NOTIFY curbside_autopay) and wait (bounded, scaled)
# until every scheduler lane on this file's database is idle after a statement that ended since
# then: a round that began after the wake-up has claimed whatever was due. For checking that
# nothing is charged without waiting on the clock.
autopay_round() {
	local woke got deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	woke=$(stack_sql "SELECT clock_timestamp()")
	stack_sql "NOTIFY curbside_autopay" >/dev/null
	while ((SECONDS < deadline)); do
		got=$(stack_sql "SELECT count(*) > 0 AND bool_and(state = 'idle' AND state_change > '$woke')
			FROM pg_stat_activity WHERE datname = current_database()
			AND (query LIKE 'SELECT autopay\_claim(%' OR query LIKE 'SELECT autopay\_settle(%'
			     OR query LIKE 'LISTEN %curbside\_autopay%')")
		[[ $got == t ]] && return 0
		sleep 0.1
	done
	fail "autopay_round: the scheduler ran no round after NOTIFY curbside_autopay"
}

# enable_portal SLUG: the operator switches the tenant's portal on; expects 200.
enable_portal() {
	operator_api PATCH "/v1/platform/tenants/$1" '{"portal_enabled": true}' || return 1
	fixture_expect 200 "enable_portal $1"
}

# portal_login SLUG EMAIL PASSWORD [ACCOUNT_ID]: sign a portal user in; expects 200. Sets
# PORTAL_TOKEN and REFRESH_TOKEN (the Session stays in $body).
portal_login() {
	local doc
	doc=$(jq -cn --arg e "$2" --arg p "$3" --arg a "${4-}" \
		'{email: $e, password: $p} + (if $a == "" then {} else {account_id: $a} end)') || return 1
	api POST "/v1/tenants/$1/auth/login" "$doc" || return 1
	fixture_expect 200 "portal_login $2" || return 1
	PORTAL_TOKEN=$(jq -r .access_token <<<"$body")
	REFRESH_TOKEN=$(jq -r .refresh_token <<<"$body")
}

# portal_user EMAIL CUSTOMER_ID...: staff invite EMAIL to each customer and the person accepts
# every invitation with password $TEST_PASSWORD (the first creates the login; the others link it,
# accepted while signed in, as rule 6a asks of an existing login: with the previous acceptance's
# session, and for the first with $PORTAL_TOKEN when set, which the server ignores unless it is
# EMAIL's). Sets USER_ID, PORTAL_TOKEN and REFRESH_TOKEN (the last acceptance's Session stays in
# $body).
portal_user() {
	local email=$1 customer token bearer=()
	shift
	[[ -z ${PORTAL_TOKEN-} ]] || bearer=(-H "Authorization: Bearer $PORTAL_TOKEN")
	for customer in "$@"; do
		staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$customer/invitations" \
			"$(jq -cn --arg e "$email" '{first_name: "Pat", email: $e}')" || return 1
		fixture_expect 201 "invite $email" || return 1
		token=$(jq -r '.url | split("/") | last' <<<"$body")
		api POST "/v1/invitations/$token/accept" \
			"$(jq -cn --arg e "$email" --arg p "$TEST_PASSWORD" '{email: $e, full_name: "Pat Jordan", password: $p}')" \
			${bearer[@]+"${bearer[@]}"} || return 1
		fixture_expect 200 "accept the invitation of $email" || return 1
		bearer=(-H "Authorization: Bearer $(jq -r .access_token <<<"$body")")
	done
	USER_ID=$(jq -r .user.id <<<"$body")
	PORTAL_TOKEN=$(jq -r .access_token <<<"$body")
	REFRESH_TOKEN=$(jq -r .refresh_token <<<"$body")
}

# sha256_hex TEXT: the hex SHA-256 of TEXT (how the server stores tokens).
sha256_hex() {
	printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# new_link_token: a token shaped like the server's (256 random bits, base64url).
new_link_token() {
	head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# new_address [PREFIX]: an email address no other test uses.
new_address() {
	printf '%s.%s.%s@example.com\n' "${1:-person}" "${BATS_TEST_NUMBER:-0}" "$((RANDOM * 32768 + RANDOM))"
}

# assert_branded FILE TO: an email from this test's hauler (tenant $TENANT_SLUG) to TO, with the
# hauler's name in both parts and never the platform's name.
assert_branded() {
	[[ $(mail_header "$1" From) == "Hauler $TENANT_SLUG <$MAIL_FROM_ADDRESS>" ]] ||
		fail "From: $(mail_header "$1" From)"
	[[ $(mail_header "$1" To) == "$2" ]] || fail "To: $(mail_header "$1" To)"
	[[ $(mail_text "$1") == *"Hauler $TENANT_SLUG"* && $(mail_html "$1") == *"Hauler $TENANT_SLUG"* ]] ||
		fail "the hauler's name is not in the email"
	! grep -qi curbside "$1" || fail "the platform's name appears in $1"
}

# portal_tenant [SETTINGS_JSON]: a fresh tenant with its portal on and a staff admin, its settings
# patched when given (e.g. show_pending_invoices). Sets TENANT_SLUG, TENANT_ID and STAFF_TOKEN.
portal_tenant() {
	new_staff_token || return 1
	enable_portal "$TENANT_SLUG" || return 1
	[[ -z ${1-} ]] && return 0
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings "$1" || return 1
	fixture_expect 200 "settings $1"
}

# account_with_user [CUSTOMER_JSON]: a fresh customer with a portal user signed in to it. Sets
# CUSTOMER_ID, USER_EMAIL and PORTAL_TOKEN.
account_with_user() {
	create_customer "${1-}" || return 1
	USER_EMAIL=$(new_address pat)
	portal_user "$USER_EMAIL" "$CUSTOMER_ID"
}

# switch_to ACCOUNT_ID: select another account of the signed-in portal user; sets PORTAL_TOKEN.
switch_to() {
	with_bearer "$PORTAL_TOKEN" POST /v1/session/account "$(jq -cn --arg a "$1" '{account_id: $a}')" || return 1
	fixture_expect 200 "switch to $1" || return 1
	PORTAL_TOKEN=$(jq -r .access_token <<<"$body")
}

# start_portal_stack: start_stack, then a tenant with its portal on and a staff admin for the
# whole file (exported: TENANT_SLUG, TENANT_ID, STAFF_TOKEN, STAFF_EMAIL). For setup_file.
start_portal_stack() {
	start_stack || return 1
	portal_tenant || return 1
	export TENANT_SLUG TENANT_ID STAFF_TOKEN STAFF_EMAIL
}

# tenant_day OFFSET: the tenant's today plus OFFSET days (YYYY-MM-DD).
tenant_day() {
	stack_sql "SELECT tenant_today('$TENANT_ID') + ($1)"
}

# account_owing CENTS: a fresh account with a portal user, one open invoice of CENTS and a saved
# card (METHOD_ID); BODY_PAY is the request paying it with that card.
account_owing() {
	account_with_user
	open_invoice "$CUSTOMER_ID" "$(jq -cn --argjson c "$1" '{lines: [{description: "Pickup", unit_price_cents: $c}]}')"
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_visa"}'
	fixture_expect 201 "add a card"
	METHOD_ID=$(jq -r .id <<<"$body")
	BODY_PAY=$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m}')
}

# payment_of_key KEY: the id of the payment made under the Idempotency-Key KEY.
payment_of_key() {
	stack_sql "SELECT p.id FROM payments p JOIN idempotency_keys k ON k.id = p.idempotency_claim WHERE k.key = '$1'"
}

# ---------------------------------------------------------------------------------------------
# Documents (issue 22)

# pdf_artifact KIND PDF: keep the first page of PDF as KIND.png under the artifacts of the build
# the tests run (the directory of CURBSIDE_BIN: build-asan/artifacts/pdf in CI), for people to
# look at. pdftoppm draws it as a printer would.
pdf_artifact() {
	local dir
	dir=$(dirname "$CURBSIDE_BIN")/artifacts/pdf
	mkdir -p "$dir"
	pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$2" "$dir/$1" || fail "pdftoppm cannot draw $2"
	[[ -s $dir/$1.png ]] || fail "no image of $1"
}

# pdf_qr PDF PAGE: what the QR codes on page PAGE of PDF say, one a line (zbarimg reads the page
# drawn at 150 dpi); nothing when there is none.
pdf_qr() {
	local png=$BATS_TEST_TMPDIR/qr.$RANDOM
	pdftoppm -png -r 150 -f "$2" -l "$2" -singlefile "$1" "$png" || return 1
	zbarimg -q --raw "$png.png" || true
}

# brand_tenant: the hauler's admin gives the tenant a brand colour and uploads a logo (a test
# image, tests/lib/images.py), so that the documents drawn afterwards show both. The upload goes
# straight to the server: the proxy re-encodes binary request bodies.
brand_tenant() {
	local logo=$BATS_FILE_TMPDIR/brand-logo.png
	python3 "$CURBSIDE_ROOT/tests/lib/images.py" png 300 90 "$logo" || return 1
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"brand_color": "#1F6F43"}' || return 1
	fixture_expect 200 "brand colour" || return 1
	api_direct PUT /v1/admin/settings/logo "@$logo" -H 'Content-Type: image/png' \
		-H "Authorization: Bearer $STAFF_TOKEN" || return 1
	fixture_expect 200 "logo upload"
}
