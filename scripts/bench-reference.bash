# scripts/bench-reference.bash — the reference rows of `scripts/bench` (issue 20). Sourced by
# scripts/bench, whose helpers (measure_sql, print_row, log ...) it uses.
#
# An endpoint's limit is not its own SQL but the leanest plain query that returns the same page
# (db/bench/reference/<name>.sql: the item fields, one row per item, one more row than the page),
# at pgbench's best client count. Each reference, and each variant of it (<name>.<variant>.sql,
# e.g. the same SELECT aggregated into one JSON array), runs with pgbench -n -M prepared at 2, 3,
# 4 and 8 clients; the best rate of all is the reference the endpoint's rate (wrk, 32
# connections) is a share of. Bars: >= 60 % of it and p99 <= 20 ms.

REFERENCE_DIR="$REPO_ROOT/db/bench/reference"
REFERENCE_CLIENTS=(2 3 4 8)
# name → the endpoint it is the reference of, in the order the lines are printed.
REFERENCE_NAMES=(invoices payments orders customers me)
declare -A REFERENCE_ENDPOINT=(
  [invoices]="GET /v1/portal/invoices"
  [payments]="GET /v1/portal/payments"
  [orders]="GET /v1/portal/orders"
  [customers]="GET /v1/admin/customers"
  [me]="GET /v1/me"
)
declare -A BEST_TPS=() BEST_AT=() VARIANT_BEST=()
# Filled by scripts/bench as it measures: rate and p99 of each endpoint by reference name.
declare -A ENDPOINT_RPS=() ENDPOINT_P99=()

# The variant's name of a reference file: "plain" for <name>.sql, else the part between the dots.
reference_variant() {
  local base
  base="$(basename "$1" .sql)"
  [[ "$base" == *.* ]] && printf '%s\n' "${base#*.}" || printf 'plain\n'
}

# measure_reference NAME: every variant of the reference at each client count; keeps the best.
measure_reference() {
  local name=$1 file variant clients
  for file in "$REFERENCE_DIR/$name.sql" "$REFERENCE_DIR/$name".*.sql; do
    [[ -f "$file" ]] || continue
    variant="$(reference_variant "$file")"
    for clients in "${REFERENCE_CLIENTS[@]}"; do
      measure_sql "ref $name ($variant) x$clients" "$file" "$clients" -D "tenant=$TENANT_ID"
      if ((${LAST_TPS:-0} > ${BEST_TPS[$name]:-0})); then
        BEST_TPS[$name]=$LAST_TPS
        BEST_AT[$name]="$clients clients, $variant"
      fi
      if ((${LAST_TPS:-0} > ${VARIANT_BEST[$name.$variant]:-0})); then
        VARIANT_BEST[$name.$variant]=$LAST_TPS
      fi
    done
  done
}

measure_references() {
  local name
  for name in "${REFERENCE_NAMES[@]}"; do
    measure_reference "$name"
  done
}

# One line per endpoint: its rate as a share of the best reference, its p99, against the bars,
# and the share an endpoint could reach at most on these cores if it cost, on top of the
# reference's database work, only what GET /healthz costs: the cores are saturated in both runs,
# so per-request costs add up (1 / (1 / healthz + 1 / reference)).
print_reference_lines() {
  local name variants v
  printf '\n'
  for name in "${REFERENCE_NAMES[@]}"; do
    variants=""
    for v in "${!VARIANT_BEST[@]}"; do
      [[ "$v" == "$name".* ]] && variants+="${variants:+, }${v#"$name".} ${VARIANT_BEST[$v]}"
    done
    awk -v endpoint="${REFERENCE_ENDPOINT[$name]}" -v rps="${ENDPOINT_RPS[$name]:-0}" \
      -v p99="${ENDPOINT_P99[$name]:-0}" -v best="${BEST_TPS[$name]:-0}" -v at="${BEST_AT[$name]:-}" \
      -v variants="$variants" -v healthz="${HEALTHZ_RPS:-0}" 'BEGIN {
        share = best > 0 ? 100 * rps / best : 0
        ceiling = best > 0 && healthz > 0 ? 100 * healthz / (healthz + best) : 0
        printf "%s: %d req/s at 32 connections = %.1f %% of the best reference (%d tps at %s; best of each: %s); p99 %.2f ms: %s; with only /healthz'"'"'s cost on top of the reference: %.1f %%\n",
          endpoint, rps, share, best, at, variants, p99,
          ((share >= 60 && p99 <= 20) ? "PASS" : "FAIL (bars: >= 60 %, p99 <= 20 ms)"), ceiling
      }'
  done
}

# /healthz against 50,000 req/s, the server's peak RSS against 64 MiB, the statement's p50
# against 50 ms.
print_other_bars() {
  awk -v rps="${HEALTHZ_RPS:-0}" -v cores="$(nproc)" 'BEGIN {
    printf "GET /healthz: %d req/s on %d cores (default threads): %s\n", rps, cores,
      (rps >= 50000 ? "PASS" : "FAIL (bar: >= 50,000)") }'
  awk -v kib="${SERVER_PEAK_KIB:-0}" 'BEGIN {
    printf "server peak RSS (VmHWM): %.1f MiB: %s\n", kib / 1024,
      (kib <= 64 * 1024 ? "PASS" : "FAIL (bar: <= 64 MiB)") }'
  awk -v p50="${STATEMENT_P50:-0}" -v p99="${STATEMENT_P99:-0}" 'BEGIN {
    printf "GET /v1/portal/statement (5,000 transactions): p50 %.2f ms, p99 %.2f ms: %s\n", p50, p99,
      (p50 <= 50 ? "PASS" : "FAIL (bar: p50 <= 50 ms)") }'
}

# EXPLAIN (ANALYZE, BUFFERS) of every reference query for account n = 1, the values written in
# where pgbench passes parameters, into .bench/explain-<invoices per customer>.txt.
explain_references() {
  local out="$BENCH_DIR/explain-$INVOICES_PER_CUSTOMER.txt" file
  : >"$out"
  for file in "$REFERENCE_DIR"/*.sql; do
    {
      printf '== db/bench/reference/%s (n = 1, %s invoices)\n' "$(basename "$file")" "$INVOICE_COUNT"
      awk '/^\\set / { next } /^--/ { next } !started { printf "EXPLAIN (ANALYZE, BUFFERS) "; started = 1 } { print }' \
        "$file" | sed -E "s/([^:]):n\b/\1 1/g; s/([^:]):tenant\b/\1 '$TENANT_ID'::uuid/g" |
        psql "${PG_URL}${DB_NAME}" -XAtq -v ON_ERROR_STOP=1
      printf '\n'
    } >>"$out"
  done
  log "EXPLAIN of the reference queries: $out"
  printf 'EXPLAIN (ANALYZE, BUFFERS) of the reference queries: %s\n' "$out"
}

# The plans of the statements the server itself runs, with the values it sends: the server starts
# again with auto_explain loaded into its connections (for this database only), serves each
# endpoint's first page once, and the plans PostgreSQL logged go to
# .bench/explain-server-<invoices per customer>.txt. The setting is removed afterwards.
explain_server_statements() {
  local out="$BENCH_DIR/explain-server-$INVOICES_PER_CUSTOMER.txt" log="$CLUSTER_DIR/postgres.log"
  local from token path
  ensure_fresh_tokens
  token="$(head -n 1 "$TOKENS_FILE")"
  auto_explain_settings "SET session_preload_libraries = 'auto_explain'" \
    "SET auto_explain.log_min_duration = 0" "SET auto_explain.log_analyze = on" \
    "SET auto_explain.log_buffers = on" "SET auto_explain.log_timing = on"
  stop_server
  CURBSIDE_WORKERS=none start_server # the background workers' statements are not the question
  from="$(stat -c %s "$log")"
  for path in /v1/me /v1/portal/invoices /v1/portal/payments /v1/portal/orders; do
    curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$BASE_URL$path"
  done
  curl -fsS -o /dev/null -H "Authorization: Bearer $API_KEY" "$BASE_URL/v1/admin/customers"
  stop_server
  auto_explain_settings "RESET session_preload_libraries" "RESET auto_explain.log_min_duration" \
    "RESET auto_explain.log_analyze" "RESET auto_explain.log_buffers" "RESET auto_explain.log_timing"
  # A logged plan is its "duration: … plan:" line and the indented lines under it.
  tail -c +"$((from + 1))" "$log" |
    awk '/ LOG:  duration: .* plan:/ { printing = 1; printf "\n== %s\n", $0; next }
         /^[0-9]{4}-/ { printing = 0 }
         printing { print }' >"$out"
  grep -q 'Query Text' "$out" || die "auto_explain logged no plan (log: $log)"
  log "EXPLAIN of the server's statements: $out"
  printf 'EXPLAIN (ANALYZE, BUFFERS) of the statements the server ran: %s\n' "$out"
}

auto_explain_settings() {
  local setting
  for setting in "$@"; do
    psql "${PG_URL}${DB_NAME}" -XAtq -v ON_ERROR_STOP=1 -c "ALTER DATABASE $DB_NAME $setting"
  done
}

# Each endpoint's rate and p99 go to .bench/results-<invoices per customer>.tsv; a run on another
# size than the default compares its figures with the default's (1,000,000 invoices) when that file
# exists: the bar is within 20 %.
save_results() {
  local out="$BENCH_DIR/results-$INVOICES_PER_CUSTOMER.tsv" name
  : >"$out"
  for name in "${!ENDPOINT_RPS[@]}"; do
    printf '%s\t%s\t%s\n' "$name" "${ENDPOINT_RPS[$name]}" "${ENDPOINT_P99[$name]}" >>"$out"
  done
}

compare_with_default_size() {
  local base="$BENCH_DIR/results-50.tsv" current="$BENCH_DIR/results-$INVOICES_PER_CUSTOMER.tsv"
  [[ "$INVOICES_PER_CUSTOMER" != 50 && -f "$base" ]] || return 0
  printf '\nagainst the 1,000,000-invoice run (%s):\n' "$base"
  awk -F'\t' 'NR == FNR { rps[$1] = $2; p99[$1] = $3; next }
    ($1 in rps) && rps[$1] > 0 && p99[$1] > 0 {
      dr = 100 * ($2 - rps[$1]) / rps[$1]; dp = 100 * ($3 - p99[$1]) / p99[$1]
      printf "%-10s req/s %d vs %d (%+.1f %%), p99 %.2f vs %.2f ms (%+.1f %%): %s\n", $1, $2, rps[$1],
        dr, $3, p99[$1], dp, ((dr >= -20 && dp <= 20) ? "PASS" : "FAIL (bar: within 20 %)") }' \
    "$base" "$current"
}
