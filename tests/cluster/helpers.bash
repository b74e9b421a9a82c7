# tests/cluster/helpers.bash — shared helpers of the cluster tests (issue 24): each file gets its own
# cluster (tests/lib/cluster.bash: a primary, a standby, HAProxy, two API processes, one worker) on
# free ports, with the demo hauler, and talks to it through HAProxy with curl and jq.
#
#   setup_file() { start_cluster; }  teardown_file() { stop_cluster; }
#
# Inputs (exported by scripts/test and scripts/test-cluster): CURBSIDE_BIN (default
# build-asan/curbside), CURBSIDE_ROOT.

CURBSIDE_ROOT=${CURBSIDE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export CURBSIDE_ROOT
# shellcheck source=../lib/procs.bash
source "$CURBSIDE_ROOT/tests/lib/procs.bash"
# shellcheck source=../lib/cluster.bash
source "$CURBSIDE_ROOT/tests/lib/cluster.bash"
# shellcheck source=../lib/assert.bash
source "$CURBSIDE_ROOT/tests/lib/assert.bash"

export CURBSIDE_BIN=${CURBSIDE_BIN:-$CURBSIDE_ROOT/build-asan/curbside}
# The demo hauler's logins (api/seed/seed_demo.h).
DEMO_SLUG=demo
DEMO_STAFF='{"email":"admin@demo.example","password":"demo-admin-password"}'
DEMO_PORTAL='{"email":"accounts@lakeshore-rentals.example","password":"demo-portal-password"}'

# start_cluster: this file's cluster, in a directory of its own that the postgres user can enter
# (bats' temporary directories are private to root).
start_cluster() {
	export CLUSTER_BASE CLUSTER_PG_FAST=1
	CLUSTER_BASE=$(mktemp -d "${TMPDIR:-/tmp}/curbside-cluster.XXXXXX")
	chmod 755 "$CLUSTER_BASE"
	cluster_start "$CLUSTER_BASE" "$CURBSIDE_BIN"
}

# stop_cluster: stop it all; fails when a process had to be killed or a sanitizer reported.
stop_cluster() {
	local rc=0
	[[ -n ${CLUSTER_BASE-} ]] || return 0
	cluster_stop || rc=1
	if cluster_sanitizer_report; then
		rc=1
	fi
	rm -rf "$CLUSTER_BASE"
	return "$rc"
}

# teardown (per test): stop the load if a test left it running; on failure, the end of the logs
# next to it.
teardown() {
	stop_load
	if [[ -z ${BATS_TEST_COMPLETED-} && -n ${CLUSTER_DIR-} ]]; then
		local log
		for log in haproxy api1 api2 worker; do
			[[ -f $CLUSTER_DIR/$log.log ]] || continue
			echo "--- tail of $log.log" >&2
			tail -n 15 "$CLUSTER_DIR/$log.log" >&2
		done
	fi
}

# lb METHOD PATH [TOKEN] [BODY]: one request through HAProxy; sets status and body.
lb() {
	local method=$1 path=$2 token=${3-} data=${4-} out
	local -a args=(-sS -X "$method" --max-time "$((10 * CURBSIDE_TEST_WAIT_SCALE))" -w '\n%{http_code}')
	[[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
	[[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data "$data")
	# shellcheck disable=SC2034 # read by show_response (tests/lib/assert.bash)
	last_request="$method $path (through HAProxy)"
	out=$(curl "${args[@]}" "$(cluster_lb_url)$path") || out=$'\n000'
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}

# staff_token: a demo staff admin's access token.
staff_token() {
	lb POST "/v1/tenants/$DEMO_SLUG/staff/login" "" "$DEMO_STAFF"
	[[ $status == 200 ]] || {
		show_response
		return 1
	}
	jq -r .access_token <<<"$body"
}

# portal_token: the demo portal user's access token, with its first account selected.
portal_token() {
	local access account
	lb POST "/v1/tenants/$DEMO_SLUG/auth/login" "" "$DEMO_PORTAL"
	[[ $status == 200 ]] || {
		show_response
		return 1
	}
	access=$(jq -r .access_token <<<"$body")
	account=$(jq -r '.accounts[0].id' <<<"$body")
	lb POST /v1/session/account "$access" "{\"account_id\":\"$account\"}"
	[[ $status == 200 ]] || {
		show_response
		return 1
	}
	jq -r .access_token <<<"$body"
}

# served N: how many requests of the load (GET /v1/me, the invoice list, POST a customer) API
# process N has logged.
served() {
	grep -cE 'route=/v1/(me|portal/invoices|admin/customers) status=' "$CLUSTER_DIR/api$1.log" || true
}

# wait_served N COUNT SECONDS: wait (bounded, scaled) until process N has logged COUNT of them.
wait_served() {
	local deadline=$((SECONDS + $3 * CURBSIDE_TEST_WAIT_SCALE))
	while (($(served "$1") < $2)); do
		((SECONDS < deadline)) || {
			echo "api$1 logged $(served "$1") requests of the load, not $2, within $(($3 * CURBSIDE_TEST_WAIT_SCALE))s" >&2
			return 1
		}
		sleep 0.1
	done
}

# ---------------------------------------------------------------------------------------------
# Steady load through HAProxy

LOAD_CLIENTS=4
LOAD_WRITERS=2
# Each client stops at this many requests if nobody stops it first (a bound, never reached).
LOAD_MAX_REQUESTS=20000

# start_load DIR PORTAL_TOKEN [STAFF_TOKEN]: LOAD_CLIENTS readers, each sending one request at a
# time through HAProxy, GET /v1/me and the portal invoice list in turn, and with STAFF_TOKEN
# LOAD_WRITERS writers, each posting one new customer at a time (POST /v1/admin/customers, no
# Idempotency-Key: HAProxy must not resend it), until DIR/stop exists. Each answer is a line
# "<epoch µs> <status> <method> <path> <account number posted, or ->" in DIR/client.N (status 000: no HTTP answer at all). A
# client has at most one request in flight, so a process that dies had at most LOAD_CLIENTS
# reads and LOAD_WRITERS writes in flight.
start_load() {
	local dir=$1 portal=$2 staff=${3-} c
	LOAD_DIR=$dir
	mkdir -p "$dir"
	rm -f "$dir/stop" "$dir/pids" "$dir"/client.*
	for ((c = 1; c <= LOAD_CLIENTS; c++)); do
		load_client "$dir" "$portal" "$c" GET 3>&- &
		echo "$!" >>"$dir/pids"
	done
	[[ -n $staff ]] || return 0
	for ((c = LOAD_CLIENTS + 1; c <= LOAD_CLIENTS + LOAD_WRITERS; c++)); do
		load_client "$dir" "$staff" "$c" POST 3>&- &
		echo "$!" >>"$dir/pids"
	done
}

# load_client DIR TOKEN N GET|POST
load_client() {
	local dir=$1 token=$2 c=$3 method=$4 i path code url number=-
	local -a args
	url=$(cluster_lb_url)
	for ((i = 0; i < LOAD_MAX_REQUESTS; i++)); do
		[[ -e $dir/stop ]] && break
		args=(-s -o /dev/null -w '%{http_code}' --max-time "$((10 * CURBSIDE_TEST_WAIT_SCALE))"
			-H "Authorization: Bearer $token")
		if [[ $method == POST ]]; then
			path=/v1/admin/customers number=L$c-$i-$$
			args+=(-X POST -H 'Content-Type: application/json' --data
				"{\"account_number\":\"$number\",\"name\":\"Load $c $i\",\"kind\":\"commercial\"}")
		else
			((i % 2)) && path=/v1/portal/invoices || path=/v1/me
		fi
		code=$(curl "${args[@]}" "$url$path") || true
		printf '%s %s %s %s %s\n' "${EPOCHREALTIME/./}" "${code:-000}" "$method" "$path" "$number" >>"$dir/client.$c"
	done
}

# stop_load: stop the clients and wait for them (bounded: each finishes its request in flight).
stop_load() {
	local pid deadline
	[[ -n ${LOAD_DIR-} && -f $LOAD_DIR/pids ]] || return 0
	touch "$LOAD_DIR/stop"
	deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	while read -r pid; do
		while cluster_alive "$pid" && ((SECONDS < deadline)); do
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done <"$LOAD_DIR/pids"
	rm -f "$LOAD_DIR/pids"
}

# load_answers METHOD [STATUS_REGEX]: how many answers to METHOD requests the clients got
# (with a status matching STATUS_REGEX).
load_answers() {
	cat "$LOAD_DIR"/client.* | awk -v method="$1" -v re="^(${2:-...})\$" '$3 == method && $2 ~ re' | wc -l
}

# load_failures: the answers that were not 2xx, one a line.
load_failures() {
	cat "$LOAD_DIR"/client.* | awk '$2 !~ /^2/'
}

# free_port_block COUNT: the first of COUNT consecutive free ports (for scripts/cluster --port).
free_port_block() {
	local base n tries
	for ((tries = 0; tries < 50; tries++)); do
		base=$(free_port) || return 1
		for ((n = 1; n < $1; n++)); do
			[[ -z $(ss -Htan "( sport = :$((base + n)) or dport = :$((base + n)) )" 2>/dev/null) ]] || continue 2
		done
		echo "$base"
		return 0
	done
	echo "free_port_block: no $1 consecutive free ports found" >&2
	return 1
}
