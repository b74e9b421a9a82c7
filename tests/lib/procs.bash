# tests/lib/procs.bash — free ports, bounded waits and stopping background processes.
# Sourced by scripts/test and tests/api/helpers.bash; plain bash, no bats needed.

# CURBSIDE_TEST_WAIT_SCALE: the one knob for how long the tests wait on a busy machine. Every bound
# on a wait for a service or a state (a server, the proxy or a fake to start, an email, a row to
# reach a status, a process to stop), the servers' timeouts towards the fakes, each API request's
# curl --max-time and BATS_TEST_TIMEOUT are written for an idle machine and multiplied by it. A
# bound only matters when what is awaited never comes, so a generous one costs nothing when all
# is well. Default: 3, or 1 + the 1-minute load average per core (rounded up) when that is more;
# computed once when scripts/test or scripts/test-api starts and exported, so every file of a run
# uses the same. Set it (a whole number) to override. No test asserts how fast anything was:
# speed bars live in scripts/bench (docs/decisions.md, "Tests do not depend on the machine's
# speed").
default_wait_scale() {
	local load=0 int frac cores per
	read -r load _ </proc/loadavg 2>/dev/null || true
	int=${load%%.*} frac=${load#*.}
	[[ $load == *.* ]] || frac=0
	frac=${frac}00
	cores=$(nproc 2>/dev/null) || cores=1
	# 1 + ceil(load / cores), in hundredths.
	per=$(((10#${int:-0} * 100 + 10#${frac:0:2} + cores * 100 - 1) / (cores * 100)))
	((per + 1 > 3)) && echo $((per + 1)) || echo 3
}
if ! [[ ${CURBSIDE_TEST_WAIT_SCALE-} =~ ^[1-9][0-9]*$ ]]; then
	CURBSIDE_TEST_WAIT_SCALE=$(default_wait_scale)
fi
export CURBSIDE_TEST_WAIT_SCALE

# scaled N [MAX]: N (seconds, milliseconds, ...) times CURBSIDE_TEST_WAIT_SCALE, at most MAX.
scaled() {
	local n=$(($1 * CURBSIDE_TEST_WAIT_SCALE))
	((${2:-n} < n)) && n=$2
	echo "$n"
}

# free_port [EXCLUDED_PORT...]: print a TCP port on 127.0.0.1 that no socket uses (random, from
# 20000 up to the kernel's ephemeral range), never one of EXCLUDED_PORT (ports already handed out
# but not yet bound). Staying below the ephemeral range matters: an outgoing connection (curl, the
# proxy, a database client) may otherwise hold the port as its local end when the server binds.
free_port() {
	local port tries low=32768 span
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	span=$((low > 21000 ? low - 20000 : 40000))
	for ((tries = 0; tries < 200; tries++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % span))
		[[ " $* " == *" $port "* ]] && continue
		if [[ -z $(ss -Htan "( sport = :$port or dport = :$port )" 2>/dev/null) ]] &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}

# wait_for_listen PORT SECONDS [PID]: wait until something accepts TCP connections on
# 127.0.0.1:PORT; give up after SECONDS (scaled) or when PID has exited.
wait_for_listen() {
	local port=$1 seconds=$(($2 * CURBSIDE_TEST_WAIT_SCALE)) pid=${3-} deadline
	deadline=$((SECONDS + seconds))
	while ((SECONDS < deadline)); do
		if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
			echo "wait_for_listen: process $pid exited before listening on $port" >&2
			return 1
		fi
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.2
	done
	echo "wait_for_listen: nothing listened on $port within ${seconds}s" >&2
	return 1
}

# wait_for_http URL SECONDS [PID]: poll URL until it answers 200; give up after SECONDS (scaled)
# or when PID (the process that should answer) has exited. Returns 0 when up.
wait_for_http() {
	local url=$1 seconds=$(($2 * CURBSIDE_TEST_WAIT_SCALE)) pid=${3-} deadline
	deadline=$((SECONDS + seconds))
	while ((SECONDS < deadline)); do
		if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
			echo "wait_for_http: process $pid exited before $url answered" >&2
			return 1
		fi
		[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time "$((2 * CURBSIDE_TEST_WAIT_SCALE))" "$url" 2>/dev/null) == 200 ]] && return 0
		sleep 0.2
	done
	echo "wait_for_http: $url did not answer 200 within ${seconds}s" >&2
	return 1
}

# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (default 10; scaled), then SIGKILL.
# Prints nothing; returns the process's exit status (137 when it had to be killed, 0 when it was
# not running or not a child of this shell).
stop_pid() {
	local pid=$1 seconds=$((${2:-10} * CURBSIDE_TEST_WAIT_SCALE)) deadline rc=0
	[[ -n $pid ]] || return 0
	kill -0 "$pid" 2>/dev/null || {
		wait "$pid" 2>/dev/null
		return $?
	}
	kill -TERM "$pid" 2>/dev/null
	deadline=$((SECONDS + seconds))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
		# A zombie child still answers kill -0; wait reaps it below.
		[[ $(ps -o stat= -p "$pid" 2>/dev/null) == Z* ]] && break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null && [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]]; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 137
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	return "$rc"
}

# pg_bin NAME: path of a PostgreSQL 15 client program (the Debian 15 location first, then PATH).
pg_bin() {
	if [[ -x /usr/lib/postgresql/15/bin/$1 ]]; then
		echo "/usr/lib/postgresql/15/bin/$1"
	else
		command -v "$1"
	fi
}
