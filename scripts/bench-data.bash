# scripts/bench-data.bash — the data set of `scripts/bench` and the sign-in of its portal users.
# Sourced by scripts/bench, whose helpers (post, log, die, create_* ...) it uses.
#
# The data set, all in the tenant `bench` and generated in SQL without random() (db/bench/*_data.sql):
# 20,000 customers (the first 1,000 with ids md5('bench-account-' || n)), one service location per
# residential customer and two per commercial or roll-off one, BENCH_INVOICES_PER_CUSTOMER invoices
# per customer and half as many payments and orders, 1,000 portal users (user n the only user of
# customer n, id md5('bench-user-' || n)), and one more account made through the API (BENCH-PORTAL,
# its user pat@bench.example) holding the statement data set of `scripts/bench statement`.

PORTAL_USERS=1000
TOKENS_FILE="$BENCH_DIR/tokens.txt"
SESSIONS_DIR="$BENCH_DIR/sessions"
# A run must end before the access tokens do (15 minutes): sign in again when less than this many
# seconds of their life would be left after the next run.
TOKEN_MARGIN_SECONDS=180
TOKEN_LIFETIME_SECONDS=900
TOKENS_SIGNED_AT=""

# data_sql FILE [psql args...]: run a data file against the bench database, with the tenant slug.
data_sql() {
  local file=$1 start=$SECONDS
  shift
  psql "${PG_URL}${DB_NAME}" -X -v ON_ERROR_STOP=1 -q -v slug="$TENANT" "$@" \
    -f "$REPO_ROOT/db/bench/$file" >/dev/null
  log "$file: $((SECONDS - start)) s"
}

# The statement data set (db/bench/statement_data.sql) for the account made through the API.
load_statement_data() {
  data_sql statement_data.sql -v account=BENCH-PORTAL
}

# Locations, invoices, payments and orders of the 20,000 generated customers.
load_list_data() {
  log "generating $INVOICES_PER_CUSTOMER invoices per customer, half as many payments and orders"
  data_sql locations_data.sql
  data_sql invoices_data.sql -v per_customer="$INVOICES_PER_CUSTOMER"
  data_sql payments_data.sql -v per_customer="$INVOICES_PER_CUSTOMER"
  data_sql orders_data.sql -v per_customer="$INVOICES_PER_CUSTOMER"
}

# The 1,000 portal users, their password hash and invitation copied from the one made through the
# API (create_portal_user).
load_portal_users() {
  data_sql portal_users_data.sql -v users="$PORTAL_USERS" -v template_email="$PORTAL_EMAIL"
}

# One VACUUM ANALYZE after the bulk inserts: fresh statistics, and the visibility map and hint bits
# set now rather than by the first reads of the measured runs.
vacuum_data_set() {
  local start=$SECONDS
  psql "${PG_URL}${DB_NAME}" -X -v ON_ERROR_STOP=1 -q -c \
    'VACUUM (ANALYZE) customers, locations, invoices, payments, orders, portal_users,
       portal_user_accounts, invitations, tenants'
  log "VACUUM ANALYZE: $((SECONDS - start)) s"
}

# Prints one line with the data set's size.
describe_data_set() {
  psql "${PG_URL}${DB_NAME}" -XAtq -F ' ' -c "SELECT
    (SELECT count(*) FROM customers), (SELECT count(*) FROM locations),
    (SELECT count(*) FROM invoices), (SELECT count(*) FROM payments),
    (SELECT count(*) FROM orders), (SELECT count(*) FROM portal_users)" |
    awk '{ printf "data set: %d customers, %d locations, %d invoices, %d payments, %d orders, %d portal users\n",
           $1, $2, $3, $4, $5, $6 }'
}

# Every portal user signs in through the API (4 at a time: the server hashes on 2 cores and
# counts attempts in flight per client address), and their access tokens go to TOKENS_FILE, one a
# line, for scripts/bench-tokens.lua. A 429 or 503 is retried after its Retry-After.
sign_in_portal_users() {
  local start=$SECONDS bad count
  rm -rf "$SESSIONS_DIR"
  mkdir -p "$SESSIONS_DIR"
  seq 1 "$PORTAL_USERS" | xargs -P 4 -I{} curl -sS --retry 5 --retry-max-time 60 \
    -o "$SESSIONS_DIR/{}.json" -w '{} %{http_code}\n' -H 'Content-Type: application/json' \
    -d "{\"email\":\"customer{}@bench.example\",\"password\":\"$PORTAL_PASSWORD\"}" \
    "$BASE_URL/v1/tenants/$TENANT/auth/login" >"$BENCH_DIR/sign-in.status"
  bad="$(awk '$2 != 200' "$BENCH_DIR/sign-in.status" | head -n 3)"
  [[ -z "$bad" ]] || die "portal sign-in failed (user status): $bad"
  find "$SESSIONS_DIR" -name '*.json' -exec jq -r '.access_token // empty' {} + >"$TOKENS_FILE"
  count="$(grep -c . "$TOKENS_FILE")" || true
  ((count == PORTAL_USERS)) || die "expected $PORTAL_USERS access tokens, have $count"
  TOKENS_SIGNED_AT=$SECONDS
  log "$PORTAL_USERS portal users signed in in $((SECONDS - start)) s"
}

# Signs everyone in again (and the statement account's user) when the next run could outlast the
# tokens.
ensure_fresh_tokens() {
  if [[ -z "$TOKENS_SIGNED_AT" ]] ||
    ((SECONDS - TOKENS_SIGNED_AT + SECONDS_PER_RUN + TOKEN_MARGIN_SECONDS > TOKEN_LIFETIME_SECONDS)); then
    sign_in_portal_users
    portal_login
  fi
}
