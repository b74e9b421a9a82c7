# scripts/bench-forgot.bash — `scripts/bench forgot`: does POST /v1/tenants/{t}/auth/forgot-password
# take the same time for an email that has a login and one that has none? (issue 16: the answer
# must not tell.) Sourced by scripts/bench, whose helpers it uses.
#
# A fresh database `bench_forgot` with the bench tenant, its portal on and BENCH_FORGOT_REQUESTS
# (default 200) portal users made in SQL; then one request per user and as many for addresses
# without a login, one at a time and alternating (known, unknown, known, ...) so that drift in the
# machine's load falls on both alike. Every request is an address's first, so a known one does
# all the work an attacker's first probe causes (no hourly email cap reached). Prints p10, p50,
# p90 and the mean of curl's total time for each.

forgot_latency() {
  local label=$1 file=$2
  awk '{ print $1 * 1000 }' "$file" | sort -n | awk -v label="$label" \
    '{ t[NR] = $1; sum += $1 }
     END { printf "%-36s %5d req  p10 %6.3f ms  p50 %6.3f ms  p90 %6.3f ms  mean %6.3f ms\n",
           label, NR, t[int(NR * 0.1 + 0.5)], t[int(NR * 0.5 + 0.5)], t[int(NR * 0.9 + 0.5)], sum / NR }'
}

# forgot_once EMAIL FILE: one request; its total time is appended to FILE (when given).
forgot_once() {
  local code time
  read -r code time < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' \
    -H 'Content-Type: application/json' -d "{\"email\":\"$1\"}" \
    "$BASE_URL/v1/tenants/$TENANT/auth/forgot-password")
  [[ $code == 202 ]] || die "forgot-password answered $code"
  [[ -z ${2-} ]] || echo "$time" >>"$2"
}

bench_forgot() {
  local n="${BENCH_FORGOT_REQUESTS:-200}" i
  local known="$BENCH_DIR/forgot.known" unknown="$BENCH_DIR/forgot.unknown"
  DB_NAME=bench_forgot
  start_cluster
  create_fresh_database
  CURBSIDE_DATABASE_URL="${PG_URL}${DB_NAME}" "$BUILD_DIR/curbside" migrate
  start_server
  create_tenant
  curl -sS -o /dev/null -X PATCH "$BASE_URL/v1/platform/tenants/$TENANT" \
    -H "Authorization: Bearer $OPERATOR_TOKEN" -H 'Content-Type: application/json' \
    -d '{"portal_enabled":true}'
  psql "${PG_URL}${DB_NAME}" -XAtq -v ON_ERROR_STOP=1 -c "
    INSERT INTO portal_users (tenant_id, email, full_name, password_hash)
    SELECT '$TENANT_ID', 'user' || i || '@bench.example', 'User ' || i, 'not-a-hash'
    FROM generate_series(0, $n + 19) i"
  : >"$known"
  : >"$unknown"
  for ((i = 0; i < n + 20; i++)); do
    ((i >= 20)) || { forgot_once "user$i@bench.example"; forgot_once "nobody$i@bench.example"; continue; }
    forgot_once "user$i@bench.example" "$known"
    forgot_once "nobody$i@bench.example" "$unknown"
  done
  forgot_latency "forgot-password, email with a login" "$known"
  forgot_latency "forgot-password, email without one" "$unknown"
}
