# scripts/bench-forgot.bash — `scripts/bench forgot`: does POST /v1/tenants/{t}/auth/forgot-password
# take the same time for an email that has a login and one that has none? (issue 16: the answer
# must not tell.) Sourced by scripts/bench, whose helpers it uses.
#
# A fresh database `bench_forgot` with the bench tenant and one portal user; then
# BENCH_FORGOT_REQUESTS (default 200) requests for each address, one at a time and alternating
# (known, unknown, known, ...) so that drift in the machine's load falls on both alike, and prints
# p10, p50, p90 and the mean of curl's total time for each. The known address reaches its hourly
# cap of five emails at once, as an attacker's probing would.

forgot_latency() {
  local label=$1 file=$2
  awk '{ print $1 * 1000 }' "$file" | sort -n | awk -v label="$label" \
    '{ t[NR] = $1; sum += $1 }
     END { printf "%-36s %5d req  p10 %6.3f ms  p50 %6.3f ms  p90 %6.3f ms  mean %6.3f ms\n",
           label, NR, t[int(NR * 0.1 + 0.5)], t[int(NR * 0.5 + 0.5)], t[int(NR * 0.9 + 0.5)], sum / NR }'
}

bench_forgot() {
  local n="${BENCH_FORGOT_REQUESTS:-200}" i email code time
  local known="$BENCH_DIR/forgot.known" unknown="$BENCH_DIR/forgot.unknown"
  DB_NAME=bench_forgot
  start_cluster
  create_fresh_database
  CURBSIDE_DATABASE_URL="${PG_URL}${DB_NAME}" "$BUILD_DIR/curbside" migrate
  start_server
  create_tenant
  create_staff
  create_api_key
  create_portal_user
  : >"$known"
  : >"$unknown"
  for ((i = 0; i < 2 * n + 20; i++)); do
    if ((i % 2 == 0)); then email=$PORTAL_EMAIL; else email=nobody@bench.example; fi
    read -r code time < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' \
      -H 'Content-Type: application/json' -d "{\"email\":\"$email\"}" \
      "$BASE_URL/v1/tenants/$TENANT/auth/forgot-password")
    [[ $code == 202 ]] || die "forgot-password answered $code"
    ((i >= 20)) || continue # warm-up: connections, prepared statements
    if ((i % 2 == 0)); then echo "$time" >>"$known"; else echo "$time" >>"$unknown"; fi
  done
  forgot_latency "forgot-password, email with a login" "$known"
  forgot_latency "forgot-password, email without one" "$unknown"
}
