#!/usr/bin/env bats
# scripts/cluster (issue 24, item 1): in the foreground it starts the whole cluster, says what it
# started and stops all of it on SIGTERM (Ctrl-C takes the same path); with --detach it returns
# and `scripts/cluster stop` stops it later. Nothing is left running either way.

load helpers

setup() {
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/curbside-cluster.XXXXXX")
	chmod 755 "$DIR"
	BASE=$(free_port_block 6)
	OUT=$BATS_TEST_TMPDIR/cluster.out
	export CLUSTER_PG_FAST=1
}

teardown() {
	# Whatever a failed test left running.
	[[ -f $DIR/cluster.env ]] && "$CURBSIDE_ROOT/scripts/cluster" stop --dir "$DIR" >/dev/null 2>&1
	rm -rf "$DIR"
}

# pids_of_cluster: the processes it started, PostgreSQL's included.
pids_of_cluster() {
	cat "$DIR"/run/*.pid
	local data
	for data in "$DIR"/primary/data "$DIR"/standby/data; do
		[[ -f $data/postmaster.pid ]] && head -n 1 "$data/postmaster.pid"
	done
}

# assert_all_gone PIDS...: none of them runs, and nothing listens on the six ports.
assert_all_gone() {
	local pid port
	for pid in "$@"; do
		! cluster_alive "$pid" || fail "process $pid ($(ps -o args= -p "$pid")) still runs"
	done
	for ((port = BASE; port < BASE + 6; port++)); do
		[[ -z $(ss -Htln "( sport = :$port )") ]] || fail "something still listens on $port"
	done
	"$CURBSIDE_ROOT/scripts/db" status "$DIR/primary" >/dev/null && fail "the primary still runs"
	"$CURBSIDE_ROOT/scripts/db" status "$DIR/standby" >/dev/null && fail "the standby still runs"
	return 0
}

# serves_through_haproxy: the demo staff login works through HAProxy, on BASE.
serves_through_haproxy() {
	cluster_attach "$DIR"
	[[ $CLUSTER_LB_PORT == "$BASE" ]] || fail "HAProxy is on $CLUSTER_LB_PORT, not $BASE"
	[[ $(cluster_lb_state 1) == UP && $(cluster_lb_state 2) == UP ]] || fail "HAProxy does not have both processes up"
	staff_token >/dev/null
}

@test "scripts/cluster serves through HAProxy in the foreground and stops all of it on SIGTERM" {
	local pid deadline rc=0
	"$CURBSIDE_ROOT/scripts/cluster" --dir "$DIR" --port "$BASE" --build "$(dirname "$CURBSIDE_BIN")" \
		>"$OUT" 2>&1 3>&- </dev/null &
	pid=$!
	deadline=$((SECONDS + 120 * CURBSIDE_TEST_WAIT_SCALE))
	until grep -q 'Press Ctrl-C' "$OUT" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)) || {
			cat "$OUT" >&2
			fail "scripts/cluster did not start"
		}
		sleep 0.2
	done
	grep -q "API (HAProxy): *http://127.0.0.1:$BASE" "$OUT" || fail "it does not print HAProxy's URL"
	grep -q "demo-portal-password" "$OUT" || fail "it does not print the demo logins"
	serves_through_haproxy
	local -a pids
	mapfile -t pids < <(pids_of_cluster)
	((${#pids[@]} == 6)) || fail "expected 6 processes (2 API, worker, HAProxy, 2 PostgreSQL), found ${#pids[@]}"

	kill -TERM "$pid"
	wait "$pid" || rc=$?
	((rc == 143)) || fail "scripts/cluster exited $rc on SIGTERM, not 143"
	assert_all_gone "${pids[@]}"
	cluster_sanitizer_report && fail "a sanitizer reported"
	return 0
}

@test "scripts/cluster --detach returns with everything running (again, on the same data) and scripts/cluster stop stops it" {
	local -a pids
	"$CURBSIDE_ROOT/scripts/cluster" --dir "$DIR" --port "$BASE" --build "$(dirname "$CURBSIDE_BIN")" \
		--detach >"$OUT" 2>&1 3>&- </dev/null || {
		cat "$OUT" >&2
		fail "scripts/cluster --detach failed"
	}
	grep -q 'scripts/cluster stop --dir' "$OUT" || fail "it does not say how to stop it"
	serves_through_haproxy
	"$CURBSIDE_ROOT/scripts/cluster" --dir "$DIR" --port "$BASE" --build "$(dirname "$CURBSIDE_BIN")" \
		--detach >"$OUT.2" 2>&1 3>&- </dev/null && fail "a second start on the same directory succeeded"
	grep -q 'already runs' "$OUT.2" || fail "the second start did not say the cluster already runs"
	mapfile -t pids < <(pids_of_cluster)
	((${#pids[@]} == 6)) || fail "expected 6 processes, found ${#pids[@]}"

	"$CURBSIDE_ROOT/scripts/cluster" stop --dir "$DIR" || fail "scripts/cluster stop failed"
	assert_all_gone "${pids[@]}"

	# Again on the same data: the databases are kept, the demo hauler is not loaded twice.
	"$CURBSIDE_ROOT/scripts/cluster" --dir "$DIR" --port "$BASE" --build "$(dirname "$CURBSIDE_BIN")" \
		--detach >"$OUT.3" 2>&1 3>&- </dev/null || {
		cat "$OUT.3" >&2
		fail "scripts/cluster --detach failed on the same directory"
	}
	serves_through_haproxy
	mapfile -t pids < <(pids_of_cluster)
	"$CURBSIDE_ROOT/scripts/cluster" stop --dir "$DIR" || fail "scripts/cluster stop failed"
	assert_all_gone "${pids[@]}"
	cluster_sanitizer_report && fail "a sanitizer reported"
	return 0
}
