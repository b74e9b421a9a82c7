#!/usr/bin/env bats
# Portal invoices: GET /v1/portal/invoices and /v1/portal/invoices/{id} for the selected account
# (API.md rules 13 and 15, issue 5): what shows (sent only; pending only with the tenant's
# setting, marked), the columns, past due in the tenant's time zone, filters and their 422s,
# order and paging, the detail with lines and applied money, isolation, and who may call them.

load helpers

setup_file() {
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# due_invoice CUSTOMER_ID OFFSET [JSON]: a sent invoice of 10000 cents due OFFSET days from the
# tenant's today (dated 30 days before that). Sets INVOICE_ID and INVOICE_NUMBER.
due_invoice() {
	local due dated over=${3:-'{}'}
	due=$(tenant_day "$2") || return 1
	dated=$(tenant_day "$2 - 30") || return 1
	open_invoice "$1" "$(jq -cn --arg d "$due" --arg i "$dated" --argjson o "$over" \
		'{invoice_date: $i, due_date: $d} + $o')"
}

# pay CUSTOMER_ID INVOICE_ID CENTS: a check applied to the invoice. Sets PAYMENT_ID.
pay() {
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$1" --arg i "$2" --argjson a "$3" \
		'{customer_id: $c, amount_cents: $a, method: "check", reference_number: "CHK-1",
		  allocations: [{invoice_id: $i, amount_cents: $a}]}')"
}

# void_invoice INVOICE_ID
void_invoice() {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$1/void" || return 1
	fixture_expect 200 "void $1"
}

# invoice_ids [QUERY]: the ids of the first page of GET /v1/portal/invoices?QUERY, one per line.
invoice_ids() {
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices${1:+?$1}" || return 1
	fixture_expect 200 "list invoices ${1-}" || return 1
	jq -r '.items[].id' <<<"$body"
}

# bulk_sent_invoices CUSTOMER_ID COUNT: COUNT sent invoices inserted in SQL, dated 2026-01-01 to
# 2026-01-07 (so many share a date and the id breaks the tie).
bulk_sent_invoices() {
	stack_sql "INSERT INTO invoices (tenant_id, customer_id, number, invoice_date, due_date,
		status, total_cents, sent_at)
		SELECT '$TENANT_ID', '$1', 'BULK-' || left('$1', 8) || '-' || g,
		       date '2026-01-01' + (g % 7), date '2026-02-01', 'open', 500, now()
		FROM generate_series(1, $2) g"
}

@test "rule 15: an invoice in the list shows number, invoice date, due date, status, terms, location address, total and balance" {
	account_with_user
	create_location "$CUSTOMER_ID"
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l,
		invoice_date: "2026-10-01", due_date: "2036-10-31", terms: "Net 30", memo: "Thanks",
		lines: [{description: "Weekly pickup", unit_price_cents: 12550}]}')"
	local invoice=$INVOICE_ID number=$INVOICE_NUMBER
	pay "$CUSTOMER_ID" "$invoice" 2550

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/invoices
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq '(.items | length) == 1 and .next_cursor == null'
	assert_jq '.items[0] | keys_unsorted == ["id", "number", "invoice_date", "due_date", "status",
		"pending", "past_due", "days_past_due", "payable", "payment_pending", "terms", "location", "total_cents",
		"paid_cents", "credited_cents", "balance_cents"]'
	assert_jq --arg id "$invoice" --arg n "$number" --arg l "$LOCATION_ID" '.items[0] |
		.id == $id and .number == $n and .invoice_date == "2026-10-01"
		and .due_date == "2036-10-31" and .status == "open" and .terms == "Net 30"
		and .pending == false and .past_due == false and .days_past_due == 0 and .payable == true
		and .location.id == $l and .location.address_line == "12 Oak St, Springfield, IL 62701"
		and .total_cents == 12550 and .paid_cents == 2550 and .credited_cents == 0
		and .balance_cents == 10000'
}

@test "rule 13: drafts never show, in the list or by id, nor a draft voided before it was sent" {
	account_with_user
	create_invoice "$CUSTOMER_ID"
	local draft=$INVOICE_ID
	create_invoice "$CUSTOMER_ID"
	local voided_draft=$INVOICE_ID
	void_invoice "$voided_draft"
	open_invoice "$CUSTOMER_ID"
	local sent=$INVOICE_ID

	[[ $(invoice_ids) == "$sent" ]] || fail "the list is $(invoice_ids)"
	for status in all open paid past_due pending; do
		! invoice_ids "status=$status" | grep -qE "$draft|$voided_draft" || fail "a draft shows with status=$status"
	done
	for id in "$draft" "$voided_draft"; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$id"
		assert_problem 404 not_found
	done
}

@test "rule 13: pending invoices show only with show_pending_invoices, marked pending and not payable" {
	portal_tenant
	account_with_user
	create_invoice "$CUSTOMER_ID" '{"status": "pending", "invoice_date": "2026-11-01", "due_date": "2026-11-02"}'
	local pending=$INVOICE_ID
	open_invoice "$CUSTOMER_ID" '{"invoice_date": "2026-10-01", "due_date": "2036-10-01"}'
	local sent=$INVOICE_ID

	[[ $(invoice_ids) == "$sent" ]] || fail "pending shows while the setting is off: $(invoice_ids)"
	[[ -z $(invoice_ids status=pending) ]] || fail "status=pending lists while the setting is off"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$pending"
	assert_problem 404 not_found

	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"show_pending_invoices": true}'
	assert_status 200
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/invoices
	assert_status 200
	assert_jq --arg p "$pending" --arg s "$sent" '[.items[].id] == [$p, $s]'
	assert_jq '.items[0] | .status == "pending" and .pending == true and .payable == false
		and .past_due == false and .days_past_due == 0 and .balance_cents == 10000'
	assert_jq '.items[1] | .status == "open" and .pending == false and .payable == true'
	[[ $(invoice_ids status=pending) == "$pending" ]] || fail "status=pending: $(invoice_ids status=pending)"
	[[ $(invoice_ids status=open) == "$sent" ]] || fail "status=open: $(invoice_ids status=open)"
	# Due long ago and unpaid, still never past due: it is not posted.
	[[ -z $(invoice_ids status=past_due) ]] || fail "a pending invoice is past due"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$pending"
	assert_status 200
	assert_jq '.pending == true and .status == "pending" and .sent_at == null and .payable == false'
}

@test "rule 13: an invoice voided after it was sent shows as void with nothing owed" {
	account_with_user
	open_invoice "$CUSTOMER_ID"
	void_invoice "$INVOICE_ID"
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/invoices
	assert_status 200
	assert_jq --arg id "$INVOICE_ID" '.items[0] | .id == $id and .status == "void"
		and .balance_cents == 0 and .payable == false and .past_due == false'
	[[ -z $(invoice_ids status=open) && -z $(invoice_ids status=paid) ]] || fail "void shows as open or paid"
}

@test "rule 13: past due is judged by the tenant's today in its time zone (due yesterday, today, tomorrow)" {
	# A zone whose date differs from UTC's right now, so the server's or UTC's date would answer wrong.
	local zone
	zone=$(stack_sql "SELECT CASE WHEN (now() AT TIME ZONE 'Pacific/Kiritimati')::date <> (now() AT TIME ZONE 'UTC')::date
		THEN 'Pacific/Kiritimati' ELSE 'Pacific/Pago_Pago' END")
	portal_tenant "$(jq -cn --arg z "$zone" '{time_zone: $z}')"
	[[ $(tenant_day 0) != $(stack_sql "SELECT (now() AT TIME ZONE 'UTC')::date") ]] || fail "the zone's date is UTC's"
	account_with_user
	due_invoice "$CUSTOMER_ID" -1
	local yesterday=$INVOICE_ID
	due_invoice "$CUSTOMER_ID" 0 '{"memo": "today"}'
	local today=$INVOICE_ID
	due_invoice "$CUSTOMER_ID" 1
	local tomorrow=$INVOICE_ID

	with_bearer "$PORTAL_TOKEN" GET /v1/portal/invoices
	assert_status 200
	assert_jq --arg y "$yesterday" --arg t "$today" --arg m "$tomorrow" '
		(.items | map({key: .id, value: [.past_due, .days_past_due]}) | from_entries) ==
		{($y): [true, 1], ($t): [false, 0], ($m): [false, 0]}'
	[[ $(invoice_ids status=past_due) == "$yesterday" ]] || fail "past_due: $(invoice_ids status=past_due)"
	[[ $(invoice_ids status=open | wc -l) == 3 ]] || fail "status=open leaves out a past-due invoice"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$yesterday"
	assert_jq '.past_due == true and .days_past_due == 1'
}

@test "the status filter: open, paid, past_due, pending and all" {
	portal_tenant '{"show_pending_invoices": true}'
	account_with_user
	due_invoice "$CUSTOMER_ID" 10
	local open=$INVOICE_ID
	due_invoice "$CUSTOMER_ID" -5
	local overdue=$INVOICE_ID
	due_invoice "$CUSTOMER_ID" -40
	local paid=$INVOICE_ID
	pay "$CUSTOMER_ID" "$paid" 10000
	due_invoice "$CUSTOMER_ID" -60
	local void=$INVOICE_ID
	void_invoice "$void"
	create_invoice "$CUSTOMER_ID" '{"status": "pending"}'
	local pending=$INVOICE_ID

	[[ $(invoice_ids status=open | sort | paste -sd,) == $(printf '%s\n' "$open" "$overdue" | sort | paste -sd,) ]] ||
		fail "open: $(invoice_ids status=open)"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?status=paid"
	assert_status 200
	assert_jq --arg p "$paid" '[.items[].id] == [$p]'
	assert_jq '.items[0] | .status == "paid" and .balance_cents == 0 and .payable == false'
	[[ $(invoice_ids status=past_due) == "$overdue" ]] || fail "past_due: $(invoice_ids status=past_due)"
	[[ $(invoice_ids status=pending) == "$pending" ]] || fail "pending: $(invoice_ids status=pending)"
	[[ $(invoice_ids status=all | wc -l) == 5 && $(invoice_ids | wc -l) == 5 ]] || fail "all: $(invoice_ids)"
}

@test "from and to keep invoices dated in the range, both ends included" {
	account_with_user
	local d ids=()
	for d in 2026-03-31 2026-04-01 2026-04-15 2026-04-30 2026-05-01; do
		open_invoice "$CUSTOMER_ID" "$(jq -cn --arg d "$d" '{invoice_date: $d, due_date: "2036-01-01"}')"
		ids+=("$INVOICE_ID")
	done
	[[ $(invoice_ids "from=2026-04-01&to=2026-04-30" | paste -sd,) == "${ids[3]},${ids[2]},${ids[1]}" ]] ||
		fail "from-to: $(invoice_ids "from=2026-04-01&to=2026-04-30")"
	[[ $(invoice_ids "from=2026-04-30" | paste -sd,) == "${ids[4]},${ids[3]}" ]] || fail "from only"
	[[ $(invoice_ids "to=2026-04-01" | paste -sd,) == "${ids[1]},${ids[0]}" ]] || fail "to only"
	[[ $(invoice_ids "from=2026-04-15&to=2026-04-15") == "${ids[2]}" ]] || fail "one day"
	[[ -z $(invoice_ids "from=2027-01-01") ]] || fail "a range with nothing in it"
}

@test "location_id keeps one service location's invoices; another account's location is 422" {
	account_with_user
	create_location "$CUSTOMER_ID"
	local here=$LOCATION_ID
	create_location "$CUSTOMER_ID" '{"address": {"line1": "9 Elm St"}}'
	local there=$LOCATION_ID
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg l "$here" '{location_id: $l}')"
	local a=$INVOICE_ID
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg l "$there" '{location_id: $l}')"
	local b=$INVOICE_ID
	open_invoice "$CUSTOMER_ID"

	[[ $(invoice_ids "location_id=$here") == "$a" ]] || fail "here: $(invoice_ids "location_id=$here")"
	[[ $(invoice_ids "location_id=$there&status=open") == "$b" ]] || fail "there"
	[[ -z $(invoice_ids "location_id=$there&status=paid") ]] || fail "there, paid"

	local mine=$PORTAL_TOKEN
	create_customer
	create_location "$CUSTOMER_ID"
	for location in "$LOCATION_ID" 00000000-0000-4000-8000-000000000000; do
		with_bearer "$mine" GET "/v1/portal/invoices?location_id=$location"
		assert_problem 422 invalid_parameter
		assert_field_errors_exactly location_id
	done
}

@test "422: every bad query parameter is named at once" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?status=overdue&from=2026-02-30&to=2026-13-01&location_id=nope&limit=0&cursor=bogus&sort=asc"
	assert_status 422
	assert_json .code validation_failed
	assert_field_errors_exactly status from to location_id limit cursor sort
	assert_field_error status invalid_parameter
	assert_field_error from invalid_parameter
	assert_field_error to invalid_parameter
	assert_field_error location_id invalid_parameter
	assert_field_error limit invalid_parameter
	assert_field_error cursor invalid_cursor
	assert_field_error sort unknown_parameter

	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?from=2026-05-02&to=2026-05-01"
	assert_problem 422 invalid_parameter
	assert_field_errors_exactly to
	for q in status= from= limit=101 "limit=1.5" "from=26-01-01"; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?$q"
		assert_problem 422 invalid_parameter
	done
}

@test "the list is newest invoice date first, ties by id, and pages without overlap or gap" {
	account_with_user
	bulk_sent_invoices "$CUSTOMER_ID" 30
	local want page1 page2
	want=$(stack_sql "SELECT id FROM invoices WHERE customer_id = '$CUSTOMER_ID' ORDER BY invoice_date DESC, id DESC")

	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?limit=20"
	assert_status 200
	page1=$(jq -r '.items[].id' <<<"$body")
	local cursor
	cursor=$(jq -r .next_cursor <<<"$body")
	[[ $cursor != null ]] || fail "no next_cursor after a full page"
	# A new invoice dated after the first page does not shift the second.
	open_invoice "$CUSTOMER_ID" '{"invoice_date": "2026-06-01"}'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?limit=20&cursor=$cursor"
	assert_status 200
	assert_jq '.next_cursor == null and (.items | length) == 10'
	page2=$(jq -r '.items[].id' <<<"$body")
	[[ "$page1"$'\n'"$page2" == "$want" ]] || fail "pages differ from the expected order"
	[[ $(invoice_ids | head -1) == "$INVOICE_ID" ]] || fail "the newest invoice is not first"
	[[ $(invoice_ids | wc -l) == 25 ]] || fail "the default page is not 25"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?limit=100"
	assert_jq '(.items | length) == 31 and .next_cursor == null'
}

@test "paging through a date range returns each invoice in it once, in order" {
	account_with_user
	bulk_sent_invoices "$CUSTOMER_ID" 40
	local want got=() cursor=""
	want=$(stack_sql "SELECT id FROM invoices WHERE customer_id = '$CUSTOMER_ID'
		AND invoice_date BETWEEN '2026-01-02' AND '2026-01-05' ORDER BY invoice_date DESC, id DESC")
	for _ in 1 2 3 4 5 6 7 8; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?from=2026-01-02&to=2026-01-05&limit=4${cursor:+&cursor=$cursor}"
		assert_status 200
		mapfile -t -O "${#got[@]}" got < <(jq -r '.items[].id' <<<"$body")
		cursor=$(jq -r '.next_cursor // empty' <<<"$body")
		[[ -n $cursor ]] || break
	done
	[[ -z $cursor ]] || fail "still more pages after 8"
	[[ $(printf '%s\n' "${got[@]}") == "$want" ]] || fail "pages: ${got[*]}"
}

@test "an invoice's detail has its lines and the payments and credits applied to it" {
	account_with_user
	open_invoice "$CUSTOMER_ID" '{"memo": "Thank you", "terms": "Net 15", "lines": [
		{"description": "Weekly pickup", "unit_price_cents": 10000},
		{"description": "Extra bag", "quantity": 2, "unit_price_cents": 250, "service_date": "2026-11-03"}]}'
	local invoice=$INVOICE_ID
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/credits" \
		'{"reason": "Missed pickup", "amount_cents": 1500, "credit_date": "2026-11-04"}'
	assert_status 201
	local credit
	credit=$(jq -r .id <<<"$body")
	staff_api "$STAFF_TOKEN" POST "/v1/admin/credits/$credit/apply" "$(jq -cn --arg i "$invoice" '{invoice_id: $i, amount_cents: 1000}')"
	assert_status 200
	pay "$CUSTOMER_ID" "$invoice" 4000

	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$invoice"
	assert_status 200
	assert_header Cache-Control no-store
	assert_jq 'keys_unsorted == ["id", "number", "invoice_date", "due_date", "status", "pending",
		"past_due", "days_past_due", "payable", "payment_pending", "terms", "location", "total_cents", "paid_cents",
		"credited_cents", "balance_cents", "memo", "sent_at", "lines", "payments", "credits"]'
	assert_jq '.total_cents == 10500 and .paid_cents == 4000 and .credited_cents == 1000
		and .balance_cents == 5500 and .memo == "Thank you" and .terms == "Net 15"
		and (.sent_at | type) == "string"'
	assert_jq '[.lines[] | [.position, .description, .quantity, .amount_cents]] ==
		[[1, "Weekly pickup", 1, 10000], [2, "Extra bag", 2, 500]]'
	assert_jq --arg p "$PAYMENT_ID" '.payments == [{payment_id: $p, payment_date: .payments[0].payment_date,
		method: "check", reference_number: "CHK-1", status: "succeeded", amount_cents: 4000, reversed_cents: 0}]'
	assert_jq --arg c "$credit" '(.credits | length) == 1 and (.credits[0] | .credit_id == $c
		and .credit_date == "2026-11-04" and .reason == "Missed pickup" and .amount_cents == 1000
		and .reversed_cents == 0)'
}

@test "isolation: another account of the same user, another customer, another tenant and a malformed id are 404" {
	create_customer
	local other_account=$CUSTOMER_ID
	open_invoice "$other_account"
	local other_account_invoice=$INVOICE_ID
	create_customer
	local mine=$CUSTOMER_ID
	open_invoice "$mine"
	local my_invoice=$INVOICE_ID
	USER_EMAIL=$(new_address multi)
	portal_user "$USER_EMAIL" "$other_account" "$mine"
	local token
	token=$(jq -r .access_token <<<"$body")
	create_customer
	open_invoice "$CUSTOMER_ID"
	local stranger_invoice=$INVOICE_ID
	PORTAL_TOKEN=$token
	switch_to "$mine"
	local mine_token=$PORTAL_TOKEN

	(
		new_staff_token
		create_customer
		open_invoice "$CUSTOMER_ID"
		echo "$INVOICE_ID" >"$BATS_TEST_TMPDIR/foreign"
	)
	local foreign
	foreign=$(<"$BATS_TEST_TMPDIR/foreign")

	[[ $(invoice_ids) == "$my_invoice" ]] || fail "the list shows other invoices: $(invoice_ids)"
	for id in "$other_account_invoice" "$stranger_invoice" "$foreign" not-a-uuid; do
		with_bearer "$mine_token" GET "/v1/portal/invoices/$id"
		assert_problem 404 not_found
	done
	with_bearer "$mine_token" GET "/v1/portal/invoices/$my_invoice"
	assert_status 200

	switch_to "$other_account"
	[[ $(invoice_ids) == "$other_account_invoice" ]] || fail "after switching: $(invoice_ids)"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$my_invoice"
	assert_problem 404 not_found
}

@test "a staff token, an API key and a user with no account selected are refused with 403" {
	create_customer
	local first=$CUSTOMER_ID
	open_invoice "$first"
	local invoice=$INVOICE_ID
	create_customer
	portal_user "$(new_address two)" "$first" "$CUSTOMER_ID"
	portal_login "$TENANT_SLUG" "$(jq -r .user.email <<<"$body")" "$TEST_PASSWORD"
	assert_jq '.account_selection_required == true'
	new_api_key
	for path in /v1/portal/invoices "/v1/portal/invoices/$invoice"; do
		with_bearer "$STAFF_TOKEN" GET "$path"
		assert_problem 403 forbidden
		with_bearer "$API_KEY" GET "$path"
		assert_problem 403 forbidden
		with_bearer "$PORTAL_TOKEN" GET "$path"
		assert_problem 403 account_selection_required
		# direct: the proxy answers a request without credentials itself
		api_direct GET "$path"
		assert_problem 401 unauthorized
	done
}
