#!/usr/bin/env bats
# `curbside seed-demo`: the demo hauler (db/seed/demo.sql) as the back office sees it through the
# API with the demo staff login; loading it again changes nothing; a database without the schema
# is refused.

load helpers

DEMO_SLUG=demo
DEMO_EMAIL=admin@demo.example
DEMO_PASSWORD=demo-admin-password

# seed_demo DB_URL [ARGS...]: run `curbside seed-demo` against DB_URL with a clean development
# environment (extra VAR=value pairs may come first in SEED_ENV).
seed_demo() {
	local url=$1 v
	shift
	local -a clean=()
	for v in $(compgen -e); do
		[[ $v == CURBSIDE_* && $v != CURBSIDE_BIN ]] && clean+=(-u "$v")
	done
	env "${clean[@]}" CURBSIDE_ENV=development CURBSIDE_DATABASE_URL="$url" \
		${SEED_ENV[@]+"${SEED_ENV[@]}"} "$CURBSIDE_BIN" seed-demo "$@" 3>&-
}

# collect RESOURCE OUT: every customer's RESOURCE (locations, services, orders, invoices, credits,
# payments) through the proxy, one JSON array in OUT; on any other answer than a one-page 200,
# OUT.error says which request failed instead.
collect() {
	local resource=$1 out=$2 id
	: >"$out.items"
	for id in $(jq -r '.items[].id' "$BATS_FILE_TMPDIR/customers.json"); do
		api GET "/v1/admin/customers/$id/$resource?limit=100" -H "Authorization: Bearer $DEMO_TOKEN" || true
		if [[ $status != 200 ]] || ! jq -e '.next_cursor == null' <<<"$body" >/dev/null; then
			echo "GET /v1/admin/customers/$id/$resource?limit=100 answered $status: ${body:0:300}" >"$out.error"
			return 0
		fi
		jq -c '.items[]' <<<"$body" >>"$out.items"
	done
	jq -s . "$out.items" >"$out"
}

# collect_all SUFFIX [RESOURCE...]: the customers page and every customer's RESOURCEs (default:
# all of them), into files named *SUFFIX.json.
collect_all() {
	local suffix=$1 r
	shift
	(($#)) || set -- locations services orders invoices credits payments
	api GET '/v1/admin/customers?limit=100' -H "Authorization: Bearer $DEMO_TOKEN"
	[[ $status == 200 ]] || {
		show_response
		return 1
	}
	printf '%s\n' "$body" >"$BATS_FILE_TMPDIR/customers$suffix.json"
	for r in "$@"; do
		collect "$r" "$BATS_FILE_TMPDIR/$r$suffix.json"
	done
}

setup_file() {
	start_stack
	local rc=0
	seed_demo "$STACK_DB_URL" >"$BATS_FILE_TMPDIR/seed.out" 2>&1 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/seed.rc"
	api POST "/v1/tenants/$DEMO_SLUG/staff/login" "$(login_body "$DEMO_EMAIL" "$DEMO_PASSWORD")"
	export DEMO_TOKEN
	DEMO_TOKEN=$(jq -r '.access_token // empty' <<<"$body")
	[[ -n $DEMO_TOKEN ]] || return 0 # the tests say what is missing
	collect_all ''
}

teardown_file() {
	stop_stack
}

# demo RESOURCE [SUFFIX]: set body to the collected JSON array of RESOURCE (fails when collecting it
# failed).
demo() {
	local file=$BATS_FILE_TMPDIR/$1${2-}.json
	[[ -n ${DEMO_TOKEN-} ]] || fail "the demo staff login failed: $(cat "$BATS_FILE_TMPDIR/seed.out")" || return 1
	[[ ! -f $file.error ]] || fail "collecting $1: $(cat "$file.error")" || return 1
	body=$(cat "$file")
	last_request="(collected $1)"
	status=200
}

chicago_today() {
	TZ=America/Chicago date +%F
}

@test "seed-demo loads the demo hauler, exits 0 and prints the staff login" {
	run cat "$BATS_FILE_TMPDIR/seed.out"
	[[ $(cat "$BATS_FILE_TMPDIR/seed.rc") == 0 ]] || fail "seed-demo exited $(cat "$BATS_FILE_TMPDIR/seed.rc"): $output"
	[[ $output == *'loaded the demo hauler "Demo Hauling Co." (tenant demo): 50 customers'* ]] ||
		fail "unexpected output: $output"
	[[ $output == *"tenant $DEMO_SLUG, email $DEMO_EMAIL, password $DEMO_PASSWORD"* ]] ||
		fail "the login is not printed: $output"
}

@test "the demo tenant carries its own branding, full contact block and the Chicago time zone" {
	api GET "/v1/tenants/$DEMO_SLUG"
	assert_status 200
	assert_json .name 'Demo Hauling Co.'
	assert_json .time_zone America/Chicago
	assert_json .logo_url 'https://www.demo.example/logo.png'
	assert_jq '.brand_color | test("^#[0-9A-Fa-f]{6}$")'
	assert_jq '.portal_enabled == true'
	assert_jq '.contact | (.phone | length > 0) and (.email == "billing@demo.example") and (.address | length > 0) and (.website == "https://www.demo.example")'
	[[ $body != *Curbside* ]] || fail "the demo tenant shows the platform's name: $body"
	staff_api "$DEMO_TOKEN" GET /v1/admin/settings
	assert_status 200
	assert_jq '.show_pending_invoices == true'
}

@test "the demo staff admin logs in with the printed password; a wrong one is refused" {
	api POST "/v1/tenants/$DEMO_SLUG/staff/login" "$(login_body "$DEMO_EMAIL" "$DEMO_PASSWORD")"
	assert_status 200
	assert_jq '.access_token | length > 20'
	api POST "/v1/tenants/$DEMO_SLUG/staff/login" "$(login_body "$DEMO_EMAIL" "not-the-demo-password")"
	assert_status 401
}

@test "the demo portal user signs in, chooses between its two accounts and switches" {
	[[ $(cat "$BATS_FILE_TMPDIR/seed.out") == *"portal login: tenant demo, email accounts@lakeshore-rentals.example, password demo-portal-password"* ]] ||
		fail "the portal login is not printed"
	portal_login "$DEMO_SLUG" accounts@lakeshore-rentals.example demo-portal-password
	assert_jq '.account_selection_required == true'
	assert_jq '[.accounts[].account_number] | sort == ["DH-0012", "DH-0014"]'
	with_bearer "$PORTAL_TOKEN" POST /v1/session/account "$(jq -c '{account_id: .accounts[0].id}' <<<"$body")"
	assert_status 200
	assert_jq '.account_id == .accounts[0].id'
}

@test "the demo hauler offers service requests, the demo portal user has made a few, and staff worked some" {
	staff_api "$DEMO_TOKEN" GET /v1/admin/service-catalog
	assert_status 200
	assert_jq '.closed_weekdays == ["sunday"] and (.closed_dates | length) == 2
		and ([.request_types | to_entries[] | select(.value.enabled) | .key] | length) == 5
		and (.request_types.roll_off_delivery.sizes | length) == 3'
	portal_login "$DEMO_SLUG" accounts@lakeshore-rentals.example demo-portal-password \
		"$(stack_sql "SELECT id FROM customers WHERE account_number = 'DH-0014'")"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-catalog
	assert_jq '(.items | length) == 5'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-requests
	assert_status 200
	assert_jq '[.items[] | [.type, .status]] | sort == [["extra_pickup", "scheduled"], ["missed_pickup", "cancelled"], ["vacation_hold", "new"]]'
	portal_login "$DEMO_SLUG" accounts@lakeshore-rentals.example demo-portal-password \
		"$(stack_sql "SELECT id FROM customers WHERE account_number = 'DH-0012'")"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/service-requests
	assert_jq '[.items[] | [.type, .status, .size, .price_cents]] == [["roll_off_delivery", "accepted", "20yd", 42500]]'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_jq '.open_service_requests.count == 1'
	# Staff accepted the delivery: its order links back, its charge waits on a draft invoice.
	staff_api "$DEMO_TOKEN" GET '/v1/admin/service-requests?status=accepted'
	assert_status 200
	assert_jq '[.items[].type] == ["roll_off_delivery"]'
	staff_api "$DEMO_TOKEN" GET "/v1/admin/service-requests/$(jq -r '.items[0].id' <<<"$body")"
	assert_jq '.created_order.type == "dumpster" and .invoice.status == "draft"
		and .invoice.line_amount_cents == 42500 and .history[-1].actor.name == "Demo Admin"'
	staff_api "$DEMO_TOKEN" GET '/v1/admin/service-requests?status=new,accepted,scheduled'
	assert_jq '[.items[].status] | sort == ["accepted", "new", "scheduled"]'
	# Made as the portal makes them, yet they email nobody: the demo is history, not news.
	[[ $(stack_sql "SELECT count(*) FROM outbox o JOIN tenants t ON t.id = o.tenant_id WHERE t.slug = '$DEMO_SLUG'") == 0 ]] ||
		fail "the demo's service requests queued emails"
}

@test "about 50 customers, every kind, some routing and some not, on one page of the list" {
	body=$(cat "$BATS_FILE_TMPDIR/customers.json")
	assert_jq '.items | length == 50'
	assert_jq '[.items[].kind] | unique == ["commercial", "residential", "roll_off"]'
	assert_jq '[.items[] | select(.routing)] | length >= 10 and length < 50'
	assert_jq 'all(.items[]; .account_number | test("^DH-[0-9]{4}$"))'
	assert_jq '[.items[].account_number] | unique | length == 50'
	assert_jq 'all(.items[]; .billing_address.line1 | length > 0)'
	# integrators' ids on the businesses
	assert_jq '[.items[] | select(.external_id != null)] | length == 20'
}

@test "the customer list pages through the demo 25 at a time, by name" {
	staff_api "$DEMO_TOKEN" GET /v1/admin/customers
	assert_status 200
	assert_jq '.items | length == 25'
	assert_jq '.next_cursor | type == "string"'
	assert_jq '[.items[].name] == ([.items[].name] | sort)'
	staff_api "$DEMO_TOKEN" GET "/v1/admin/customers?cursor=$(jq -r .next_cursor <<<"$body")"
	assert_status 200
	assert_jq '(.items | length == 25) and .next_cursor == null'
}

@test "two customers share one contact email, and a search by it finds both" {
	body=$(cat "$BATS_FILE_TMPDIR/customers.json")
	assert_jq '[.items[].contacts[].email] | group_by(.) | map(select(length > 1)) | length >= 1'
	staff_api "$DEMO_TOKEN" GET '/v1/admin/customers?q=accounts@lakeshore-rentals.example'
	assert_status 200
	assert_jq '.items | length == 2'
	assert_jq 'all(.items[]; any(.contacts[]; .email == "accounts@lakeshore-rentals.example"))'
}

@test "some customers have several service locations" {
	demo locations
	assert_jq 'length >= 50'
	assert_jq '[group_by(.customer_id)[] | select(length > 1)] | length >= 5'
	assert_jq '[group_by(.customer_id)[] | length] | max >= 3'
	assert_jq 'all(.[]; .address.line1 | length > 0)'
	# every customer has at least one
	assert_jq '[.[].customer_id] | unique | length == 50'
}

@test "recurring services sit at their customer's locations" {
	demo services
	assert_jq 'length >= 50'
	assert_jq '[.[].frequency] | unique | contains(["weekly", "biweekly", "twice_weekly", "on_call"])'
	assert_jq 'any(.[]; .active == false) and any(.[]; .active == true)'
	local locations
	locations=$(cat "$BATS_FILE_TMPDIR/locations.json")
	jq -e --argjson l "$locations" \
		'($l | map({key: .id, value: .customer_id}) | from_entries) as $owner
		 | all(.[]; $owner[.location_id] == .customer_id)' <<<"$body" >/dev/null ||
		fail "a service is at a location of another customer"
}

@test "orders of each type (dumpster, live_load, minis) in several statuses" {
	demo orders
	# pickup: the extra pickup staff accepted (service requests)
	assert_jq '[.[].type] | unique == ["dumpster", "live_load", "minis", "pickup"]'
	assert_jq '[.[].status] | unique == ["cancelled", "completed", "in_progress", "pending", "scheduled"]'
	local today
	today=$(chicago_today)
	assert_jq "all(.[] | select(.status == \"scheduled\"); .service_date > \"$today\")"
	assert_jq "all(.[] | select(.status == \"completed\"); .service_date < \"$today\")"
}

@test "invoices in every status, some past due, some partially paid, some credited" {
	local today
	today=$(chicago_today)
	demo invoices
	# three a customer, and the drafts the charges of the accepted delivery and pickup wait on
	assert_jq 'length == 152'
	assert_jq '[.[] | select(.number | startswith("SR-")) | [.status, .total_cents]] | sort == [["draft", 2500], ["draft", 42500]]'
	assert_jq '[.[].status] | unique == ["draft", "open", "paid", "pending", "void"]'
	# past due: open, due before today (the dates follow the day the demo was loaded)
	assert_jq "[.[] | select(.status == \"open\" and .due_date < \"$today\")] | length >= 10"
	# partially paid: some paid, something left
	assert_jq '[.[] | select(.status == "open" and .paid_cents > 0 and .balance_cents > 0 and .balance_cents < .total_cents)] | length >= 5'
	assert_jq '[.[] | select(.credited_cents > 0)] | length >= 5'
	# the money adds up on every one of them
	assert_jq 'all(.[]; .balance_cents == (if .status == "void" then 0 else .total_cents - .paid_cents - .credited_cents end))'
	assert_jq 'all(.[] | select(.status == "paid"); .balance_cents == 0 and .total_cents > 0)'
	assert_jq 'all(.[] | select(.status == "draft" or .status == "pending"); .sent_at == null and .paid_cents == 0)'
	assert_jq 'all(.[] | select(.status == "void"); .void_reason != null)'
}

@test "an invoice's lines add up to its total" {
	demo invoices
	local id
	id=$(jq -r '[.[] | select(.status == "open" and .paid_cents > 0)][0].id' <<<"$body")
	staff_api "$DEMO_TOKEN" GET "/v1/admin/invoices/$id"
	assert_status 200
	assert_jq '.lines | length >= 1'
	assert_jq '([.lines[].amount_cents] | add) == .total_cents'
}

@test "credits: some applied in full or in part, some still to use" {
	demo credits
	assert_jq 'length >= 5'
	assert_jq 'any(.[]; .remaining_cents == 0)'
	assert_jq 'any(.[]; .remaining_cents > 0 and .remaining_cents < .amount_cents)'
	assert_jq 'any(.[]; .remaining_cents == .amount_cents)'
}

@test "offline payments by check, cash and other, allocated to invoices, with refunds" {
	local payments id
	demo payments
	payments=$body
	assert_jq 'length >= 50'
	assert_jq '[.[].method] | unique == ["cash", "check", "other"]'
	assert_jq 'all(.[]; .source == "back_office")'
	assert_jq 'any(.[]; .status == "refunded" and .refunded_cents == .amount_cents)'
	assert_jq 'any(.[]; .status == "succeeded" and .refunded_cents > 0)'
	# a check paying two invoices at once
	id=$(jq -r '[.[] | select(.memo == "One check for two invoices")][0].id' <<<"$payments")
	staff_api "$DEMO_TOKEN" GET "/v1/admin/payments/$id"
	assert_status 200
	assert_jq '.allocations | length == 2'
	assert_jq '([.allocations[].amount_cents] | add) == .allocated_cents and .allocated_cents == .amount_cents'
	# the overpayment given back
	id=$(jq -r '[.[] | select(.status == "succeeded" and .refunded_cents > 0)][0].id' <<<"$payments")
	staff_api "$DEMO_TOKEN" GET "/v1/admin/payments/$id"
	assert_status 200
	assert_jq '.refunds | length == 1 and .[0].amount_cents == 2000'
}

@test "running seed-demo again succeeds and changes nothing" {
	run seed_demo "$STACK_DB_URL"
	[[ $status == 0 ]] || fail "second seed-demo exited $status: $output"
	[[ $output == *'already loaded'* && $output == *'nothing changed'* ]] || fail "unexpected output: $output"
	# the customers and their money (every request goes through the proxy: this takes a while)
	collect_all .again invoices credits payments
	local r
	for r in customers invoices credits payments; do
		[[ ! -f $BATS_FILE_TMPDIR/$r.again.json.error ]] || fail "$(cat "$BATS_FILE_TMPDIR/$r.again.json.error")"
		cmp -s "$BATS_FILE_TMPDIR/$r.json" "$BATS_FILE_TMPDIR/$r.again.json" ||
			fail "the demo's $r changed after the second seed-demo"
	done
	# still one demo admin who logs in
	api POST "/v1/tenants/$DEMO_SLUG/staff/login" "$(login_body "$DEMO_EMAIL" "$DEMO_PASSWORD")"
	assert_status 200
}

@test "seed-demo refuses a database without the schema, and --migrate applies it first" {
	local db=curbside_seed_empty_$$
	drop_database "$db"
	"$(pg_bin createdb)" --maintenance-db="$(db_url postgres)" "$db"
	run seed_demo "$(db_url "$db")"
	[[ $status == 1 ]] || fail "expected exit 1 on an empty database, got $status: $output"
	[[ $output == *'curbside migrate'* ]] || fail "the refusal does not say what to do: $output"
	run seed_demo "$(db_url "$db")" --migrate
	[[ $status == 0 ]] || fail "seed-demo --migrate exited $status: $output"
	[[ $output == *'loaded the demo hauler'* ]] || fail "unexpected output: $output"
	drop_database "$db"
}

@test "seed-demo refuses to run in production" {
	SEED_ENV=(CURBSIDE_ENV=production CURBSIDE_JWT_SECRET="$CURBSIDE_JWT_SECRET"
		CURBSIDE_OPERATOR_TOKEN="$CURBSIDE_OPERATOR_TOKEN")
	run seed_demo "$STACK_DB_URL"
	[[ $status == 1 ]] || fail "expected exit 1 in production, got $status: $output"
	[[ $output == *production* ]] || fail "the refusal does not say why: $output"
}

@test "an unknown seed-demo argument prints the usage and exits 2" {
	run seed_demo "$STACK_DB_URL" --bogus
	[[ $status == 2 ]] || fail "expected exit 2, got $status: $output"
	[[ $output == *'seed-demo'* ]] || fail "the usage does not list seed-demo: $output"
}
