# scripts/bench-pressure.bash — `scripts/bench pressure`: the server under pressure (issue 19).
# Sourced by scripts/bench, whose helpers it uses.
#
# A fresh database `bench_pressure` with the bench tenant; the server with 2 database connections,
# a 1 s wait for one (CURBSIDE_DB_TIMEOUT_MS=1000) and the branding cache off. Each of
# BENCH_PRESSURE_ROUNDS rounds (default 5) locks the tenants table, sends 12 branding requests at
# once (2 hold the connections, 10 wait for one) and, until the 10 are answered, asks /healthz,
# /readyz, /metrics and /openapi.yaml one after another (tests/api/http_probe.py pressure). Prints
# the p50, p99 and largest time of those answers (bar: p99 <= 10 ms) and the slowest 503 of the
# waiting requests beside the pool timeout (bar: <= timeout + 100 ms, never a multiple).

PRESSURE_TIMEOUT_MS=1000

bench_pressure() {
  local rounds="${BENCH_PRESSURE_ROUNDS:-5}" out="$BENCH_DIR/pressure.jsonl" i
  DB_NAME=bench_pressure
  DB_POOL=2
  start_cluster
  create_fresh_database
  CURBSIDE_DATABASE_URL="${PG_URL}${DB_NAME}" "$BUILD_DIR/curbside" migrate
  CURBSIDE_DB_TIMEOUT_MS=$PRESSURE_TIMEOUT_MS start_server 0
  create_tenant
  /usr/bin/python3 "$REPO_ROOT/tests/api/http_probe.py" quiet "${LISTEN##*:}" 100 >"$out.quiet"
  : >"$out"
  for ((i = 0; i < rounds; i++)); do
    /usr/bin/python3 "$REPO_ROOT/tests/api/http_probe.py" \
      pressure "${LISTEN##*:}" "/v1/tenants/$TENANT" 12 "${PG_URL}${DB_NAME}" >>"$out"
  done
  /usr/bin/python3 - "$out" "$PRESSURE_TIMEOUT_MS" <<'PY'
import json, sys
rounds = [json.loads(line) for line in open(sys.argv[1])]
quiet = json.load(open(sys.argv[1] + ".quiet"))
timeout = int(sys.argv[2]) / 1000
pick = lambda xs, q: xs[min(len(xs) - 1, int(len(xs) * q))]
def line(label, took, bar):
    took = sorted(took)
    print("%-46s %5d req  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%s" % (
        label, len(took), pick(took, .5) * 1e3, pick(took, .99) * 1e3, took[-1] * 1e3, bar))
for path in quiet["probe_seconds"]:
    line("GET %s, nothing else running" % path, quiet["probe_seconds"][path], "")
    line("GET %s, every connection held" % path,
         [s for r in rounds for s in r["probe_seconds"][path]], "  (bar: p99 <= 10 ms)")
waits = sorted(a["seconds"] for r in rounds for a in r["before_release"] if a["status"] == 503)
others = [a["status"] for r in rounds for a in r["before_release"] if a["status"] != 503]
print("%-46s %5d req  min %7.0f ms  p50 %7.0f ms  max %7.0f ms  (bar: <= %d ms)" % (
    "503 for a request waiting for a connection", len(waits), waits[0] * 1e3,
    pick(waits, .5) * 1e3, waits[-1] * 1e3, timeout * 1e3 + 100))
if others:
    print("answered otherwise while the lock was held:", others)
PY
}
