# tests/lib/cluster.bash — Curbside past one machine, on loopback (issue 24): a PostgreSQL primary
# and a hot standby (streaming replication, scripts/db), two `curbside serve` processes without
# background workers behind HAProxy (deploy/haproxy.cfg, health checks on /readyz) and one
# `curbside worker`. Sourced by scripts/cluster and tests/cluster/*.bats; needs tests/lib/procs.bash.
#
#   cluster_start DIR BIN [BASE_PORT]   start everything, detached; ports BASE_PORT.. (LB, admin,
#                                       api1, api2, primary, standby) or free ones
#   cluster_attach DIR                  take over a cluster another shell started (its cluster.env)
#   cluster_stop                        stop everything; fails when a process had to be killed
#   cluster_kill_api N / cluster_stop_api N / cluster_start_api N / cluster_restart_api N
#   cluster_kill_worker / cluster_start_worker
#   cluster_stop_primary [immediate] / cluster_promote_standby / cluster_wait_replayed SECONDS
#   cluster_stop_standby [immediate] / cluster_start_standby / cluster_wait_streaming SECONDS
#   cluster_lb_url / cluster_api_url N / cluster_admin_url
#   cluster_primary_url [DB] / cluster_standby_url [DB] / cluster_database_url
#   cluster_lb_state N (UP, DOWN, ...) / cluster_wait_lb_state N STATE SECONDS
#   cluster_lb_event N STATE (when HAProxy logged that state, and why)
#   cluster_api_pid N / cluster_sanitizer_report
#
# Knobs, read by cluster_start: CLUSTER_PG_FAST=1 (fsync and full-page writes off: tests only),
# CLUSTER_SYNC (synchronous_standby_names of the primary; default 'ANY 1 (standby)'; empty: the
# primary never waits for the standby), CLUSTER_DEMO=0 (no demo hauler), CLUSTER_API_ENV (extra
# VAR=value words, no spaces in values, for the two API processes and the worker). Every
# CURBSIDE_* variable of the caller's environment reaches the processes too, as with scripts/run.
#
# State: DIR/cluster.env (ports, binary, knobs), DIR/run/NAME.pid, logs DIR/NAME.log (api1, api2,
# worker, haproxy), the clusters DIR/primary and DIR/standby (scripts/db), email DIR/mail, texts
# DIR/sms.

CLUSTER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER_DB_NAME=curbside
# Bounds on waits, for an idle machine (scaled by CURBSIDE_TEST_WAIT_SCALE).
CLUSTER_SERVER_WAIT_SECONDS=60
CLUSTER_LB_WAIT_SECONDS=20
# The standby's name (scripts/db names it after its directory).
CLUSTER_STANDBY_NAME=standby

cluster_log() { printf 'cluster: %s\n' "$*" >&2; }

# cluster_db ARGS...: scripts/db with its chatter in DIR/db.log.
cluster_db() {
	"$CLUSTER_ROOT/scripts/db" "$@" 2>>"$CLUSTER_DIR/db.log"
}

cluster_primary_url() { printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$CLUSTER_PRIMARY_PORT" "${1-$CLUSTER_DB_NAME}"; }
cluster_standby_url() { printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$CLUSTER_STANDBY_PORT" "${1-$CLUSTER_DB_NAME}"; }
# The URL the API processes and the worker use: both hosts, the one that takes writes.
cluster_database_url() {
	printf 'postgresql://postgres@127.0.0.1:%s,127.0.0.1:%s/%s?target_session_attrs=read-write\n' \
		"$CLUSTER_PRIMARY_PORT" "$CLUSTER_STANDBY_PORT" "$CLUSTER_DB_NAME"
}
cluster_lb_url() { printf 'http://127.0.0.1:%s\n' "$CLUSTER_LB_PORT"; }
cluster_admin_url() { printf 'http://127.0.0.1:%s\n' "$CLUSTER_ADMIN_PORT"; }
cluster_api_port() {
	local var=CLUSTER_API$1_PORT
	printf '%s\n' "${!var}"
}
cluster_api_url() { printf 'http://127.0.0.1:%s\n' "$(cluster_api_port "$1")"; }

cluster_pid_file() { printf '%s/run/%s.pid\n' "$CLUSTER_DIR" "$1"; }
cluster_pid() { cat "$(cluster_pid_file "$1")" 2>/dev/null; }
cluster_api_pid() { cluster_pid "api$1"; }

# cluster_alive PID: the process runs (a zombie waiting to be reaped does not count: detached
# processes are reaped by whatever runs as pid 1, maybe late).
cluster_alive() {
	local stat
	[[ -n $1 ]] || return 1
	stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ -n $stat && $stat != Z* ]]
}

# cluster_ports [BASE_PORT]: choose the six ports, consecutive from BASE_PORT or free ones.
cluster_ports() {
	local base=${1-} port
	local -a taken=()
	for var in CLUSTER_LB_PORT CLUSTER_ADMIN_PORT CLUSTER_API1_PORT CLUSTER_API2_PORT \
		CLUSTER_PRIMARY_PORT CLUSTER_STANDBY_PORT; do
		if [[ -n $base ]]; then
			port=$((base + ${#taken[@]}))
		else
			port=$(free_port "${taken[@]}") || return 1
		fi
		taken+=("$port")
		printf -v "$var" '%s' "$port"
		export "${var?}"
	done
}

# cluster_write_env: what another shell needs to attach (cluster_attach).
cluster_write_env() {
	local var
	for var in CLUSTER_DIR CLUSTER_BIN CLUSTER_LB_PORT CLUSTER_ADMIN_PORT CLUSTER_API1_PORT \
		CLUSTER_API2_PORT CLUSTER_PRIMARY_PORT CLUSTER_STANDBY_PORT CLUSTER_PG_FAST CLUSTER_SYNC \
		CLUSTER_API_ENV; do
		printf 'export %s=%q\n' "$var" "${!var-}"
	done >"$CLUSTER_DIR/cluster.env"
}

# cluster_attach DIR: load the state of the cluster started in DIR.
cluster_attach() {
	[[ -f $1/cluster.env ]] || {
		cluster_log "no cluster in $1 (no cluster.env)"
		return 1
	}
	# shellcheck source=/dev/null
	source "$1/cluster.env"
}

# cluster_detach NAME COMMAND...: run COMMAND detached (no child of this shell, which may end
# before it: a test that restarts a process, `scripts/cluster --detach`), its output appended to
# DIR/NAME.log, its pid in DIR/run/NAME.pid.
cluster_detach() {
	local name=$1
	shift
	(
		"$@" >>"$CLUSTER_DIR/$name.log" 2>&1 3>&- </dev/null &
		printf '%s\n' "$!" >"$(cluster_pid_file "$name")"
	)
}

# cluster_launch NAME ARGS...: `env ARGS...` detached with the cluster's environment (ARGS: extra
# VAR=value, then the binary and its arguments).
cluster_launch() {
	local name=$1
	shift
	local -a extra=()
	# Words on purpose: CLUSTER_API_ENV is VAR=value VAR=value.
	read -r -a extra <<<"${CLUSTER_API_ENV-}"
	cluster_detach "$name" env CURBSIDE_ENV="${CURBSIDE_ENV:-development}" \
		CURBSIDE_DATABASE_URL="$(cluster_database_url)" \
		CURBSIDE_MAIL_DIR="$CLUSTER_DIR/mail" \
		CURBSIDE_SMS_DIR="$CLUSTER_DIR/sms" \
		CURBSIDE_MAX_CONNECTIONS_PER_ADDRESS=0 \
		CURBSIDE_TRUSTED_PROXIES=127.0.0.1 \
		"${extra[@]}" "$@"
}

# cluster_start_api N: start API process N (1 or 2) and wait until it answers /healthz.
cluster_start_api() {
	local port
	port=$(cluster_api_port "$1")
	cluster_launch "api$1" CURBSIDE_LISTEN="127.0.0.1:$port" CURBSIDE_WORKERS=none \
		"$CLUSTER_BIN" serve
	wait_for_http "http://127.0.0.1:$port/healthz" "$CLUSTER_SERVER_WAIT_SECONDS" "$(cluster_api_pid "$1")" || {
		tail -n 30 "$CLUSTER_DIR/api$1.log" >&2
		return 1
	}
}

cluster_start_worker() {
	cluster_launch worker "$CLUSTER_BIN" worker
}

# cluster_signal_stop NAME SIGNAL: send SIGNAL to process NAME and wait (bounded) until it is gone;
# SIGKILL past the bound. Fails when it had to be killed or did not go.
cluster_signal_stop() {
	local name=$1 signal=$2 pid deadline rc=0
	pid=$(cluster_pid "$name")
	rm -f "$(cluster_pid_file "$name")"
	cluster_alive "$pid" || return 0
	kill "-$signal" "$pid" 2>/dev/null
	deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	while cluster_alive "$pid" && ((SECONDS < deadline)); do
		sleep 0.1
	done
	if cluster_alive "$pid"; then
		cluster_log "$name (pid $pid) did not stop on SIG$signal: killing it"
		kill -KILL "$pid" 2>/dev/null
		rc=1
	fi
	return "$rc"
}

cluster_kill_api() { cluster_signal_stop "api$1" KILL; }
cluster_stop_api() { cluster_signal_stop "api$1" TERM; }
cluster_kill_worker() { cluster_signal_stop worker KILL; }
cluster_restart_api() {
	cluster_stop_api "$1" || return 1
	cluster_start_api "$1"
}

cluster_stop_primary() { cluster_db stop "$CLUSTER_DIR/primary" "${1:-fast}"; }
cluster_stop_standby() { cluster_db stop "$CLUSTER_DIR/standby" "${1:-fast}"; }
# cluster_start_standby: start the standby again (a copy of the primary on the first start).
cluster_start_standby() {
	local -a mode=()
	[[ -n ${CLUSTER_PG_FAST-} ]] && mode=(fast)
	cluster_db standby "$CLUSTER_DIR/standby" "$CLUSTER_STANDBY_PORT" "$CLUSTER_PRIMARY_PORT" "${mode[@]}" >/dev/null
}
cluster_promote_standby() { cluster_db promote "$CLUSTER_DIR/standby"; }

# cluster_wait_replayed SECONDS: wait until the standby has replayed everything the primary had
# written when called.
cluster_wait_replayed() {
	local lsn deadline=$((SECONDS + $1 * CURBSIDE_TEST_WAIT_SCALE)) psql
	psql=$(pg_bin psql)
	lsn=$("$psql" "$(cluster_primary_url postgres)" -XAtq -c 'SELECT pg_current_wal_lsn()') || return 1
	while ((SECONDS < deadline)); do
		[[ $("$psql" "$(cluster_standby_url postgres)" -XAtq \
			-c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn") == t ]] && return 0
		sleep 0.1
	done
	cluster_log "the standby did not replay $lsn within $((deadline - SECONDS))s"
	return 1
}

# cluster_lb_state N: HAProxy's status of API process N: UP, DOWN, "UP 1/2" (going down),
# "DOWN 1/2" (coming up), MAINT.
cluster_lb_state() {
	curl -sS --max-time "$((2 * CURBSIDE_TEST_WAIT_SCALE))" "$(cluster_admin_url)/stats;csv" |
		awk -F, -v server="api$1" '$1 == "api" && $2 == server { print $18 }'
}

# cluster_wait_lb_state N STATE SECONDS: wait (bounded, scaled) until HAProxy reports STATE.
cluster_wait_lb_state() {
	local deadline=$((SECONDS + $3 * CURBSIDE_TEST_WAIT_SCALE)) state=
	while ((SECONDS < deadline)); do
		state=$(cluster_lb_state "$1")
		[[ $state == "$2" ]] && return 0
		sleep 0.05
	done
	cluster_log "HAProxy reports api$1 as '$state', not '$2', after $(($3 * CURBSIDE_TEST_WAIT_SCALE))s"
	return 1
}

# cluster_lb_event N STATE: the time (epoch ms) and the reason of HAProxy's last "Server api/apiN
# is STATE" in its log, e.g. "1796635944580 Layer4 connection problem"; nothing when there is none.
cluster_lb_event() {
	local line stamp
	line=$(grep -E "^[0-9T:.+-]+ Server api/api$1 is $2," "$CLUSTER_DIR/haproxy.log" | tail -n 1)
	[[ -n $line ]] || return 0
	stamp=$(date -d "${line%% *}" +%s%3N) || return 1
	line=${line#*reason: }
	printf '%s %s\n' "$stamp" "${line%%, info:*}"
}

# cluster_start_haproxy: HAProxy in the foreground of a background job (-db), on deploy/haproxy.cfg.
cluster_start_haproxy() {
	cluster_detach haproxy env CURBSIDE_LB_BIND="127.0.0.1:$CLUSTER_LB_PORT" \
		CURBSIDE_LB_ADMIN="127.0.0.1:$CLUSTER_ADMIN_PORT" \
		CURBSIDE_API1="127.0.0.1:$CLUSTER_API1_PORT" CURBSIDE_API2="127.0.0.1:$CLUSTER_API2_PORT" \
		haproxy -db -f "$CLUSTER_ROOT/deploy/haproxy.cfg"
	wait_for_listen "$CLUSTER_LB_PORT" "$CLUSTER_LB_WAIT_SECONDS" "$(cluster_pid haproxy)" || {
		tail -n 20 "$CLUSTER_DIR/haproxy.log" >&2
		return 1
	}
}

# cluster_wait_streaming SECONDS: wait (bounded, scaled) until the standby streams from the
# primary; before that a synchronous primary's commits would wait.
cluster_wait_streaming() {
	local deadline=$((SECONDS + $1 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $("$(pg_bin psql)" "$(cluster_primary_url postgres)" -XAtq \
		-c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 1 ]]; do
		((SECONDS < deadline)) || {
			cluster_log "the standby does not stream from the primary (log: $CLUSTER_DIR/standby/postgres.log)"
			tail -n 10 "$CLUSTER_DIR/standby/postgres.log" >&2
			return 1
		}
		sleep 0.1
	done
}

# cluster_wait_worker SECONDS: wait (bounded, scaled) until the worker says its workers run.
cluster_wait_worker() {
	local deadline=$((SECONDS + $1 * CURBSIDE_TEST_WAIT_SCALE))
	until grep -q 'background workers running' "$CLUSTER_DIR/worker.log" 2>/dev/null; do
		if ! cluster_alive "$(cluster_pid worker)" || ((SECONDS >= deadline)); then
			cluster_log "the worker did not start (log: $CLUSTER_DIR/worker.log)"
			tail -n 10 "$CLUSTER_DIR/worker.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# cluster_prepare_database: the database on the primary, migrated, with the demo hauler.
cluster_prepare_database() {
	local psql exists
	psql=$(pg_bin psql)
	exists=$("$psql" "$(cluster_primary_url postgres)" -XAtq -v ON_ERROR_STOP=1 \
		-c "SELECT 1 FROM pg_database WHERE datname = '$CLUSTER_DB_NAME'") || return 1
	if [[ $exists != 1 ]]; then
		"$psql" "$(cluster_primary_url postgres)" -XAtq -v ON_ERROR_STOP=1 \
			-c "CREATE DATABASE $CLUSTER_DB_NAME" || return 1
	fi
	CURBSIDE_DATABASE_URL=$(cluster_primary_url) "$CLUSTER_BIN" migrate >>"$CLUSTER_DIR/migrate.log" 2>&1 || {
		tail -n 20 "$CLUSTER_DIR/migrate.log" >&2
		return 1
	}
	[[ ${CLUSTER_DEMO:-1} == 0 ]] && return 0
	CURBSIDE_DATABASE_URL=$(cluster_primary_url) "$CLUSTER_BIN" seed-demo >>"$CLUSTER_DIR/migrate.log" 2>&1 || {
		tail -n 20 "$CLUSTER_DIR/migrate.log" >&2
		return 1
	}
}

# cluster_running DIR: whether a process of the cluster in DIR still runs.
cluster_running() {
	local file
	for file in "$1"/run/*.pid; do
		[[ -f $file ]] && cluster_alive "$(cat "$file")" && return 0
	done
	return 1
}

# cluster_start DIR BIN [BASE_PORT]: start the whole cluster, detached; returns once HAProxy has
# both API processes in rotation. On failure what was started is stopped again.
cluster_start() {
	local mode=() sync
	export CLUSTER_DIR CLUSTER_BIN CLUSTER_PG_FAST=${CLUSTER_PG_FAST-} CLUSTER_API_ENV=${CLUSTER_API_ENV-}
	export CLUSTER_SYNC="${CLUSTER_SYNC-ANY 1 ($CLUSTER_STANDBY_NAME)}"
	CLUSTER_DIR=$(realpath -m -- "$1")
	CLUSTER_BIN=$(realpath -- "$2") || return 1
	mkdir -p "$CLUSTER_DIR/run" "$CLUSTER_DIR/mail" "$CLUSTER_DIR/sms"
	if cluster_running "$CLUSTER_DIR"; then
		cluster_log "a cluster already runs in $CLUSTER_DIR (stop it first)"
		return 1
	fi
	cluster_ports "${3-}" || return 1
	cluster_write_env
	[[ -n $CLUSTER_PG_FAST ]] && mode=(fast)
	sync=()
	[[ -n $CLUSTER_SYNC ]] && sync=("sync=$CLUSTER_SYNC")
	# The standby first, so the migrations already travel by streaming replication (and, with
	# CLUSTER_SYNC, each of their commits waits for the standby).
	if ! cluster_db start "$CLUSTER_DIR/primary" "$CLUSTER_PRIMARY_PORT" "${mode[@]}" "${sync[@]}" >/dev/null ||
		! cluster_start_standby ||
		! cluster_wait_streaming "$CLUSTER_LB_WAIT_SECONDS" ||
		! cluster_prepare_database ||
		! cluster_start_api 1 || ! cluster_start_api 2 ||
		! cluster_start_worker || ! cluster_wait_worker "$CLUSTER_SERVER_WAIT_SECONDS" ||
		! cluster_start_haproxy ||
		! cluster_wait_lb_state 1 UP "$CLUSTER_LB_WAIT_SECONDS" ||
		! cluster_wait_lb_state 2 UP "$CLUSTER_LB_WAIT_SECONDS"; then
		tail -n 20 "$CLUSTER_DIR/db.log" >&2 2>/dev/null
		cluster_log "the cluster did not start (logs in $CLUSTER_DIR)"
		cluster_stop
		return 1
	fi
}

# cluster_stop: stop the API processes and the worker (SIGTERM: they finish what they run), then
# HAProxy, then the standby and the primary. Fails when something had to be killed.
cluster_stop() {
	local rc=0 name
	[[ -n ${CLUSTER_DIR-} ]] || return 0
	for name in api1 api2 worker; do
		[[ -f $(cluster_pid_file "$name") ]] && kill -TERM "$(cluster_pid "$name")" 2>/dev/null
	done
	for name in api1 api2 worker haproxy; do
		cluster_signal_stop "$name" TERM || rc=1
	done
	cluster_db stop "$CLUSTER_DIR/standby" || rc=1
	cluster_db stop "$CLUSTER_DIR/primary" || rc=1
	return "$rc"
}

# cluster_sanitizer_report: print sanitizer findings in the processes' logs; 0 when there are some.
cluster_sanitizer_report() {
	local found=1 log
	for log in "$CLUSTER_DIR"/api*.log "$CLUSTER_DIR"/worker.log; do
		[[ -f $log ]] || continue
		if grep -E -A 30 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$log" >&2; then
			echo "(in $log)" >&2
			found=0
		fi
	done
	return "$found"
}
