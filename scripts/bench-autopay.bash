# scripts/bench-autopay.bash — `scripts/bench autopay`, sourced by scripts/bench (uses its
# build_release, start_cluster, log and die).
#
# Generates BENCH_AUTOPAY_CUSTOMERS (default 100,000) customers enrolled in autopay with a sandbox
# card and BENCH_AUTOPAY_INVOICES_PER_CUSTOMER (default 1) invoices each, all due 2030-01-15
# (db/bench/autopay_data.sql), in a fresh database `bench_autopay` of the bench cluster. Then it
# starts `curbside worker` with the clock override set to 2030-01-16 (every invoice due) and the
# sandbox processor, and measures the wall time from the worker's start until its scheduler logs
# the end of the round. It then checks that there is exactly one payment per customer and no
# invoice left open, and prints the time and the charges (and invoices) per second. The bar
# (DESIGN.md): 100,000 due invoices in at most 60 s.

AUTOPAY_CUSTOMERS="${BENCH_AUTOPAY_CUSTOMERS:-100000}"
AUTOPAY_PER_CUSTOMER="${BENCH_AUTOPAY_INVOICES_PER_CUSTOMER:-1}"
AUTOPAY_DB=bench_autopay
AUTOPAY_LOG="$BENCH_DIR/autopay-worker.log"
AUTOPAY_CLOCK="$BENCH_DIR/autopay-clock"
AUTOPAY_LIMIT_SECONDS=300

autopay_sql() {
  psql "${PG_URL}${AUTOPAY_DB}" -XAtq -v ON_ERROR_STOP=1 "$@"
}

autopay_data() {
  psql "${PG_URL}postgres" -v ON_ERROR_STOP=1 -q -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $AUTOPAY_DB" -c "CREATE DATABASE $AUTOPAY_DB"
  CURBSIDE_DATABASE_URL="${PG_URL}${AUTOPAY_DB}" "$BUILD_DIR/curbside" migrate >/dev/null
  log "generating $AUTOPAY_CUSTOMERS enrolled customers x $AUTOPAY_PER_CUSTOMER due invoices"
  psql "${PG_URL}${AUTOPAY_DB}" -v ON_ERROR_STOP=1 -q -v slug=bench-autopay \
    -v customers="$AUTOPAY_CUSTOMERS" -v per_customer="$AUTOPAY_PER_CUSTOMER" \
    -f "$REPO_ROOT/db/bench/autopay_data.sql" >/dev/null
}

# Start the worker; the scheduler's first round runs as soon as it is connected. It runs the
# autopay and payments workers only (CURBSIDE_WORKERS): the receipts are queued in the run's
# transactions and a mail process sends them; sending 100,000 PDFs is not the autopay run.
autopay_start_worker() {
  printf '2030-01-16T12:00:00Z\n' >"$AUTOPAY_CLOCK"
  CURBSIDE_DATABASE_URL="${PG_URL}${AUTOPAY_DB}" CURBSIDE_ENV=development \
    CURBSIDE_PAYMENTS=sandbox CURBSIDE_CLOCK_FILE="$AUTOPAY_CLOCK" CURBSIDE_WORKERS=autopay,payments \
    CURBSIDE_AUTOPAY_POLL_SECONDS=3600 CURBSIDE_MAIL_DIR="$BENCH_DIR/mail" \
    "$BUILD_DIR/curbside" worker >"$AUTOPAY_LOG" 2>&1 &
  SERVER_PID=$!
}

# Wait until every lane of the scheduler has logged the end of its round (watching the log, not the
# database, so the wait costs the database nothing).
autopay_wait() {
  local start=$1 lanes="${CURBSIDE_AUTOPAY_LANES:-2}" ended
  while :; do
    ended="$(grep -c 'autopay scheduler: round done' "$AUTOPAY_LOG" 2>/dev/null)" || ended=0
    ((ended >= lanes)) && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "the worker exited (log: $AUTOPAY_LOG)"
    (($(date +%s) - start > AUTOPAY_LIMIT_SECONDS)) &&
      die "the autopay round did not end within ${AUTOPAY_LIMIT_SECONDS}s"
    sleep 0.1
  done
}

autopay_check() {
  local payments customers open receipts
  payments="$(autopay_sql -c "SELECT count(*) FROM payments WHERE source = 'autopay' AND status = 'succeeded'")"
  customers="$(autopay_sql -c "SELECT count(DISTINCT customer_id) FROM payments WHERE source = 'autopay'")"
  open="$(autopay_sql -c "SELECT count(*) FROM invoices WHERE status <> 'paid' OR payment_pending")"
  receipts="$(autopay_sql -c "SELECT count(*) FROM outbox WHERE template = 'payment_receipt'")"
  [[ "$payments" == "$AUTOPAY_CUSTOMERS" && "$customers" == "$AUTOPAY_CUSTOMERS" && "$open" == 0 &&
     "$receipts" == "$AUTOPAY_CUSTOMERS" ]] ||
    die "expected $AUTOPAY_CUSTOMERS succeeded payments, one per customer, no open invoice, a receipt each; have $payments payments for $customers customers, $open invoices not paid, $receipts receipts"
}

bench_autopay() {
  local start_ns end_ns ms invoices
  build_release
  mkdir -p "$BENCH_DIR"
  trap stop_everything EXIT
  start_cluster
  autopay_data
  invoices=$((AUTOPAY_CUSTOMERS * AUTOPAY_PER_CUSTOMER))
  start_ns=$(date +%s%N)
  autopay_start_worker
  autopay_wait "$(date +%s)"
  end_ns=$(date +%s%N)
  ms=$(((end_ns - start_ns) / 1000000))
  autopay_check
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  printf '%-44s %10s %12s %12s\n' "autopay run (sandbox, $(nproc) cores)" "seconds" "charges/s" "invoices/s"
  printf '%-44s %10s %12s %12s\n' "$AUTOPAY_CUSTOMERS charges, $invoices due invoices" \
    "$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }')" \
    "$(awk -v ms="$ms" -v n="$AUTOPAY_CUSTOMERS" 'BEGIN { printf "%.0f", n * 1000 / ms }')" \
    "$(awk -v ms="$ms" -v n="$invoices" 'BEGIN { printf "%.0f", n * 1000 / ms }')"
  ((ms <= 60000)) || log "over the bar: $invoices due invoices took more than 60 s"
}
