#!/usr/bin/env bats
# Back office: a customer's account credits (list, create, read) and applying them to invoices.

load helpers

CREDIT_KEYS='["amount_cents","applications","created_at","credit_date","customer_id","id","reason","remaining_cents"]'
APPLICATION_KEYS='["amount_cents","applied_at","id","invoice_id","invoice_number","reversed_at","reversed_cents"]'

setup_file() {
	start_stack
	# Tenant B: a neighbour whose staff and key must never see or touch tenant A's credits, with a
	# customer, an open invoice and a credit of its own that tenant A must not reach either.
	new_staff_token admin other
	export B_TOKEN=$STAFF_TOKEN
	new_api_key b-sync
	export B_KEY=$API_KEY
	create_customer
	export B_CUSTOMER_ID=$CUSTOMER_ID
	open_invoice "$B_CUSTOMER_ID"
	export B_INVOICE_ID=$INVOICE_ID
	create_credit "$B_CUSTOMER_ID" 5000
	export B_CREDIT_ID=$CREDIT_ID
}

teardown_file() {
	stop_stack
}

setup() {
	new_staff_token
	create_customer
}

# create_credit CUSTOMER_ID CENTS [JSON_OVERRIDES]: staff give the customer a credit; expects 201.
# Sets CREDIT_ID.
create_credit() {
	local over=${3-}
	[[ -n $over ]] || over='{}'
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$1/credits" \
		"$(jq -cn --argjson a "$2" --argjson o "$over" '{reason: "Missed pickup", amount_cents: $a} + $o')"
	assert_status 201 || return 1
	CREDIT_ID=$(jq -r .id <<<"$body")
}

# apply CREDIT_ID JSON: POST the application with the staff token.
apply() {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/credits/$1/apply" "$2"
}

# invoice_figures INVOICE_ID: print "status total paid credited balance" of the stored invoice.
invoice_figures() {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invoices/$1" || return 1
	jq -r '"\(.status) \(.total_cents) \(.paid_cents) \(.credited_cents) \(.balance_cents)"' <<<"$body"
}

# assert_invoice INVOICE_ID "status total paid credited balance": the stored invoice's figures.
assert_invoice() {
	local got
	got=$(invoice_figures "$1")
	[[ $got == "$2" ]] || fail "invoice $1: expected '$2', got '$got'"
}

# invalid_credit FIELD CODES JSON: creating a credit with the body answers 422 naming FIELD only.
invalid_credit() {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/credits" "$3"
	assert_field_error "$1" "$2"
	assert_field_errors_exactly "$1"
}

# -------------------------------------------------------------------------------- create and read

@test "staff create a credit: 201, Location, all of it remaining, no applications; a read agrees" {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/credits" \
		'{"reason": "  Missed pickup on Oct 28\nDriver skipped the street. ", "amount_cents": 4000, "credit_date": "2026-10-29"}'
	assert_status 201
	assert_content_type application/json
	assert_jq "keys == $CREDIT_KEYS"
	local id created
	id=$(jq -r .id <<<"$body")
	assert_header Location "/v1/admin/credits/$id"
	assert_json .customer_id "$CUSTOMER_ID"
	assert_jq '.reason == "Missed pickup on Oct 28\nDriver skipped the street."'
	assert_jq '.amount_cents == 4000 and .remaining_cents == 4000 and .applications == []'
	assert_json .credit_date 2026-10-29
	created=$body
	staff_api "$STAFF_TOKEN" GET "/v1/admin/credits/$id"
	assert_status 200
	jq -e --argjson c "$created" '. == $c' <<<"$body" >/dev/null || fail "GET differs from the create answer: $body"
}

@test "the credit date defaults to today in the tenant's time zone" {
	TENANT_SLUG=$(unique_slug kiri)
	create_tenant "$TENANT_SLUG" '{"time_zone": "Pacific/Kiritimati"}'
	create_staff "$TENANT_SLUG" "tz@$TENANT_SLUG.example.test" "$TEST_PASSWORD"
	STAFF_TOKEN=$(staff_login "$TENANT_SLUG" "tz@$TENANT_SLUG.example.test" "$TEST_PASSWORD")
	create_customer
	create_credit "$CUSTOMER_ID" 100
	assert_json .credit_date "$(TZ=Pacific/Kiritimati date +%F)"
}

@test "create validation: reason 1-500 characters, amount a whole number of cents above 0, a real date" {
	invalid_credit reason required '{"amount_cents": 100}'
	invalid_credit amount_cents required '{"reason": "x"}'
	invalid_credit reason too_short '{"reason": "   ", "amount_cents": 100}'
	invalid_credit reason too_long "$(jq -cn '{reason: ("x" * 501), amount_cents: 100}')"
	invalid_credit reason wrong_type '{"reason": 5, "amount_cents": 100}'
	invalid_credit amount_cents out_of_range '{"reason": "x", "amount_cents": 0}'
	invalid_credit amount_cents out_of_range '{"reason": "x", "amount_cents": -100}'
	invalid_credit amount_cents out_of_range '{"reason": "x", "amount_cents": 100000000000}'
	invalid_credit amount_cents wrong_type '{"reason": "x", "amount_cents": 10.5}'
	invalid_credit amount_cents wrong_type '{"reason": "x", "amount_cents": "100"}'
	invalid_credit credit_date invalid_date '{"reason": "x", "amount_cents": 100, "credit_date": "2026-02-29"}'
	invalid_credit remaining_cents unknown_field '{"reason": "x", "amount_cents": 100, "remaining_cents": 1}'
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/credits" '[]'
	assert_problem 400 body_not_object
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/credits" '{"reason": "x", "amount_cents": 1}' -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
	# nothing was stored
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/credits"
	assert_json '.items | length' 0
	create_credit "$CUSTOMER_ID" 99999999999
	assert_json .remaining_cents 99999999999
}

@test "an unknown or malformed customer or credit id answers 404 not_found" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/00000000-0000-4000-8000-000000000000/credits '{"reason": "x", "amount_cents": 1}'
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST /v1/admin/customers/abc/credits '{"reason": "x", "amount_cents": 1}'
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/00000000-0000-4000-8000-000000000000/credits
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/abc/credits
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/credits/00000000-0000-4000-8000-000000000000
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/credits/abc
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST /v1/admin/credits/abc/apply '{"invoice_id": "00000000-0000-4000-8000-000000000000"}'
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST /v1/admin/credits/00000000-0000-4000-8000-000000000000/apply '{"invoice_id": "00000000-0000-4000-8000-000000000000"}'
	assert_problem 404 not_found
}

# -------------------------------------------------------------------------------- list

@test "the list: newest credit date first, without applications, paged by cursor to the end" {
	local d
	for d in 2026-01-05 2026-03-01 2026-02-10 2026-03-01 2025-12-31; do
		create_credit "$CUSTOMER_ID" 100 "{\"credit_date\": \"$d\"}"
	done
	local mine=$CUSTOMER_ID
	create_customer
	create_credit "$CUSTOMER_ID" 100 '{"credit_date": "2026-02-11"}'
	CUSTOMER_ID=$mine
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/credits"
	assert_status 200
	assert_json .next_cursor null
	assert_jq '[.items[] | .credit_date] == ["2026-03-01", "2026-03-01", "2026-02-10", "2026-01-05", "2025-12-31"]'
	assert_jq "(.items[0] | keys) == ($CREDIT_KEYS - [\"applications\"])"
	assert_jq '.items | all(.customer_id == "'"$CUSTOMER_ID"'" and .remaining_cents == 100)'
	local all seen='[]' cursor='' pages=0
	all=$(jq -c '[.items[] | .id]' <<<"$body")
	while :; do
		staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/credits?limit=2${cursor:+&cursor=$cursor}"
		assert_status 200
		seen=$(jq -c --argjson s "$seen" '$s + [.items[] | .id]' <<<"$body")
		pages=$((pages + 1))
		cursor=$(jq -r '.next_cursor // empty' <<<"$body")
		[[ -n $cursor ]] || break
		((pages < 5)) || fail "paging does not end"
	done
	((pages == 3)) || fail "expected 3 pages, got $pages"
	[[ $seen == "$all" ]] || fail "pages gave $seen, the whole list $all"
}

@test "the list refuses unknown parameters and bad paging" {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/credits?status=open"
	assert_problem 422 unknown_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/credits?limit=101"
	assert_problem 422 invalid_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/credits?cursor=bm90LWEtY3Vyc29y"
	assert_problem 422 invalid_cursor
	# a cursor whose key is not a date is not one of this list's
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/credits?cursor=$(printf '["Bob","00000000-0000-4000-8000-000000000000"]' | base64 -w0 | tr '+/' '-_' | tr -d '=')"
	assert_problem 422 invalid_cursor
}

# -------------------------------------------------------------------------------- apply

@test "apply a stated amount: the credit's remaining and the invoice's balance move by it" {
	open_invoice "$CUSTOMER_ID"
	create_credit "$CUSTOMER_ID" 4000
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\", \"amount_cents\": 2500}"
	assert_status 200
	assert_jq "keys == $CREDIT_KEYS"
	assert_json .remaining_cents 1500
	assert_json .amount_cents 4000
	assert_jq "(.applications[0] | keys) == $APPLICATION_KEYS"
	assert_jq ".applications | length == 1 and .[0].invoice_id == \"$INVOICE_ID\" and .[0].invoice_number == \"$INVOICE_NUMBER\""
	assert_jq '.applications[0] | .amount_cents == 2500 and .reversed_cents == 0 and .reversed_at == null and (.applied_at | type == "string")'
	local applied=$body
	staff_api "$STAFF_TOKEN" GET "/v1/admin/credits/$CREDIT_ID"
	jq -e --argjson c "$applied" '. == $c' <<<"$body" >/dev/null || fail "GET differs from the apply answer: $body"
	assert_invoice "$INVOICE_ID" "open 10000 0 2500 7500"
}

@test "apply without an amount: as much as the credit has left, when the invoice owes more" {
	open_invoice "$CUSTOMER_ID"
	create_credit "$CUSTOMER_ID" 3000
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_status 200
	assert_json .remaining_cents 0
	assert_json '.applications[0].amount_cents' 3000
	assert_invoice "$INVOICE_ID" "open 10000 0 3000 7000"
}

@test "apply without an amount: as much as the invoice owes, and the invoice becomes paid" {
	open_invoice "$CUSTOMER_ID"
	create_credit "$CUSTOMER_ID" 25000
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_status 200
	assert_json .remaining_cents 15000
	assert_invoice "$INVOICE_ID" "paid 10000 0 10000 0"
	# the paid invoice takes no more credit
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_problem 422 invoice_not_open
	assert_field_error invoice_id invoice_not_open
}

@test "a credit applied exactly to the balance makes the invoice paid; one credit serves several invoices" {
	local first
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "a", "unit_price_cents": 1200}]}'
	first=$INVOICE_ID
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "b", "unit_price_cents": 800}]}'
	create_credit "$CUSTOMER_ID" 2000
	apply "$CREDIT_ID" "{\"invoice_id\": \"$first\", \"amount_cents\": 1200}"
	assert_json .remaining_cents 800
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\", \"amount_cents\": 800}"
	assert_json .remaining_cents 0
	assert_jq "[.applications[] | .invoice_id] == [\"$first\", \"$INVOICE_ID\"]"
	assert_invoice "$first" "paid 1200 0 1200 0"
	assert_invoice "$INVOICE_ID" "paid 800 0 800 0"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/invoices?status=paid"
	assert_json '.items | length' 2
}

@test "apply to an invoice of another customer, or none, answers 422 invalid_reference" {
	create_credit "$CUSTOMER_ID" 1000
	local mine=$CUSTOMER_ID
	create_customer
	open_invoice "$CUSTOMER_ID"
	CUSTOMER_ID=$mine
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_problem 422 invalid_reference
	assert_field_error invoice_id invalid_reference
	apply "$CREDIT_ID" '{"invoice_id": "00000000-0000-4000-8000-000000000000"}'
	assert_problem 422 invalid_reference
	# another tenant's invoice is no better
	apply "$CREDIT_ID" "{\"invoice_id\": \"$B_INVOICE_ID\"}"
	assert_problem 422 invalid_reference
	assert_invoice "$INVOICE_ID" "open 10000 0 0 10000"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/credits/$CREDIT_ID"
	assert_jq '.remaining_cents == 1000 and .applications == []'
}

@test "apply to a draft, pending or void invoice answers 422 invoice_not_open" {
	create_credit "$CUSTOMER_ID" 1000
	create_invoice "$CUSTOMER_ID"
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_problem 422 invoice_not_open
	create_invoice "$CUSTOMER_ID" '{"status": "pending"}'
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_problem 422 invoice_not_open
	open_invoice "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void"
	assert_status 200
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_problem 422 invoice_not_open
	assert_field_error invoice_id invoice_not_open
	staff_api "$STAFF_TOKEN" GET "/v1/admin/credits/$CREDIT_ID"
	assert_jq '.remaining_cents == 1000 and .applications == []'
}

@test "a used-up credit answers 409 credit_exhausted" {
	open_invoice "$CUSTOMER_ID"
	create_credit "$CUSTOMER_ID" 1000
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_json .remaining_cents 0
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_problem 409 credit_exhausted
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\", \"amount_cents\": 1}"
	assert_problem 409 credit_exhausted
	assert_invoice "$INVOICE_ID" "open 10000 0 1000 9000"
}

@test "more than remains of the credit answers 422 amount_exceeds_credit" {
	open_invoice "$CUSTOMER_ID"
	create_credit "$CUSTOMER_ID" 1000
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\", \"amount_cents\": 1001}"
	assert_problem 422 amount_exceeds_credit
	assert_field_error amount_cents amount_exceeds_credit
	assert_invoice "$INVOICE_ID" "open 10000 0 0 10000"
}

@test "more than the invoice owes answers 422 amount_exceeds_balance" {
	open_invoice "$CUSTOMER_ID"
	create_credit "$CUSTOMER_ID" 20000
	apply "$CREDIT_ID" "{\"invoice_id\": \"$INVOICE_ID\", \"amount_cents\": 10001}"
	assert_problem 422 amount_exceeds_balance
	assert_field_error amount_cents amount_exceeds_balance
	staff_api "$STAFF_TOKEN" GET "/v1/admin/credits/$CREDIT_ID"
	assert_jq '.remaining_cents == 20000 and .applications == []'
}

@test "apply validation: invoice_id required and a UUID, amount a whole number above 0, nothing else" {
	create_credit "$CUSTOMER_ID" 1000
	apply "$CREDIT_ID" '{}'
	assert_field_error invoice_id required
	apply "$CREDIT_ID" '{"invoice_id": "INV-1"}'
	assert_field_error invoice_id invalid_format
	apply "$CREDIT_ID" '{"invoice_id": 5}'
	assert_field_error invoice_id wrong_type
	apply "$CREDIT_ID" '{"invoice_id": "00000000-0000-4000-8000-000000000000", "amount_cents": 0}'
	assert_field_error amount_cents out_of_range
	apply "$CREDIT_ID" '{"invoice_id": "00000000-0000-4000-8000-000000000000", "amount_cents": 1.5}'
	assert_field_error amount_cents wrong_type
	apply "$CREDIT_ID" '{"invoice_id": "00000000-0000-4000-8000-000000000000", "note": "x"}'
	assert_problem 422 unknown_field
	staff_api "$STAFF_TOKEN" POST "/v1/admin/credits/$CREDIT_ID/apply"
	assert_problem 400 body_required
}

@test "two concurrent applications of one credit that covers only one: exactly one succeeds, the figures agree" {
	local first second round
	for round in 1 2 3; do
		open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "a", "unit_price_cents": 6000}]}'
		first=$INVOICE_ID
		open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "b", "unit_price_cents": 6000}]}'
		second=$INVOICE_ID
		create_credit "$CUSTOMER_ID" 10000
		# Both requests go out at once; each records its status and problem code in a file.
		local dir=$BATS_TEST_TMPDIR/race$round
		mkdir -p "$dir"
		(
			apply "$CREDIT_ID" "{\"invoice_id\": \"$first\", \"amount_cents\": 6000}"
			echo "$status $(jq -r '.code // "ok"' <<<"$body")" >"$dir/first"
		) &
		local p1=$!
		(
			apply "$CREDIT_ID" "{\"invoice_id\": \"$second\", \"amount_cents\": 6000}"
			echo "$status $(jq -r '.code // "ok"' <<<"$body")" >"$dir/second"
		) &
		local p2=$!
		wait "$p1" "$p2"
		local outcomes
		outcomes=$(cat "$dir/first" "$dir/second" | sort | tr '\n' ' ')
		[[ $outcomes == "200 ok 422 amount_exceeds_credit " ]] ||
			fail "round $round: expected one 200 and one 422 amount_exceeds_credit, got: $outcomes"
		staff_api "$STAFF_TOKEN" GET "/v1/admin/credits/$CREDIT_ID"
		assert_jq '.remaining_cents == 4000 and (.applications | length == 1) and .applications[0].amount_cents == 6000'
		local a b
		a=$(invoice_figures "$first")
		b=$(invoice_figures "$second")
		# the winner is paid in full by the credit, the loser untouched
		[[ "$(printf '%s\n' "$a" "$b" | sort | tr '\n' '|')" == "open 6000 0 0 6000|paid 6000 0 6000 0|" ]] ||
			fail "round $round: invoice figures $a / $b"
	done
}

@test "two concurrent applications to one invoice: the second sees the first's balance" {
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "a", "unit_price_cents": 5000}]}'
	create_credit "$CUSTOMER_ID" 4000
	local one=$CREDIT_ID
	create_credit "$CUSTOMER_ID" 4000
	local two=$CREDIT_ID dir=$BATS_TEST_TMPDIR/race
	mkdir -p "$dir"
	(
		apply "$one" "{\"invoice_id\": \"$INVOICE_ID\", \"amount_cents\": 4000}"
		echo "$status $(jq -r '.code // "ok"' <<<"$body")" >"$dir/one"
	) &
	local p1=$!
	(
		apply "$two" "{\"invoice_id\": \"$INVOICE_ID\", \"amount_cents\": 4000}"
		echo "$status $(jq -r '.code // "ok"' <<<"$body")" >"$dir/two"
	) &
	local p2=$!
	wait "$p1" "$p2"
	local outcomes
	outcomes=$(cat "$dir/one" "$dir/two" | sort | tr '\n' ' ')
	[[ $outcomes == "200 ok 422 amount_exceeds_balance " ]] ||
		fail "expected one 200 and one 422 amount_exceeds_balance, got: $outcomes"
	assert_invoice "$INVOICE_ID" "open 5000 0 4000 1000"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/credits/$one"
	local r1
	r1=$(jq .remaining_cents <<<"$body")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/credits/$two"
	(($(jq .remaining_cents <<<"$body") + r1 == 4000)) || fail "remaining amounts do not add up to 4000"
}

# -------------------------------------------------------------------------------- auth and tenancy

@test "credit endpoints need back-office credentials: 401 without, 401 for a bad key, 403 for the operator" {
	create_credit "$CUSTOMER_ID" 1000
	# direct: the proxy answers a request without credentials itself
	api_direct GET "/v1/admin/customers/$CUSTOMER_ID/credits"
	assert_problem 401 unauthorized
	api_direct POST "/v1/admin/customers/$CUSTOMER_ID/credits" '{"reason": "x", "amount_cents": 1}'
	assert_problem 401 unauthorized
	api_direct GET "/v1/admin/credits/$CREDIT_ID"
	assert_problem 401 unauthorized
	api_direct POST "/v1/admin/credits/$CREDIT_ID/apply" '{"invoice_id": "00000000-0000-4000-8000-000000000000"}'
	assert_problem 401 unauthorized
	with_bearer csk_notARealKeyAtAll00000000000000000000000000 GET "/v1/admin/credits/$CREDIT_ID"
	assert_problem 401 invalid_token
	operator_api GET "/v1/admin/credits/$CREDIT_ID"
	assert_problem 403 forbidden
}

@test "an API key of the tenant works like a staff token" {
	new_api_key
	open_invoice "$CUSTOMER_ID"
	with_bearer "$API_KEY" POST "/v1/admin/customers/$CUSTOMER_ID/credits" '{"reason": "Synced credit memo", "amount_cents": 2500}'
	assert_status 201
	local id
	id=$(jq -r .id <<<"$body")
	with_bearer "$API_KEY" POST "/v1/admin/credits/$id/apply" "{\"invoice_id\": \"$INVOICE_ID\"}"
	assert_status 200
	assert_json .remaining_cents 0
	with_bearer "$API_KEY" GET "/v1/admin/credits/$id"
	assert_json '.applications[0].amount_cents' 2500
	with_bearer "$API_KEY" GET "/v1/admin/customers/$CUSTOMER_ID/credits"
	assert_jq "[.items[] | .id] == [\"$id\"]"
}

@test "another tenant's staff and API key get 404 for this tenant's credits and customers, and change nothing" {
	open_invoice "$CUSTOMER_ID"
	create_credit "$CUSTOMER_ID" 1000
	local cred
	for cred in "$B_TOKEN" "$B_KEY"; do
		with_bearer "$cred" GET "/v1/admin/credits/$CREDIT_ID"
		assert_problem 404 not_found
		with_bearer "$cred" POST "/v1/admin/credits/$CREDIT_ID/apply" "{\"invoice_id\": \"$INVOICE_ID\"}"
		assert_problem 404 not_found
		with_bearer "$cred" POST "/v1/admin/credits/$CREDIT_ID/apply" "{\"invoice_id\": \"$B_INVOICE_ID\"}"
		assert_problem 404 not_found
		with_bearer "$cred" GET "/v1/admin/customers/$CUSTOMER_ID/credits"
		assert_problem 404 not_found
		with_bearer "$cred" POST "/v1/admin/customers/$CUSTOMER_ID/credits" '{"reason": "x", "amount_cents": 1}'
		assert_problem 404 not_found
		# nor can they apply their own credit to this tenant's invoice
		with_bearer "$cred" POST "/v1/admin/credits/$B_CREDIT_ID/apply" "{\"invoice_id\": \"$INVOICE_ID\"}"
		assert_problem 422 invalid_reference
	done
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/credits"
	assert_jq "[.items[] | .id] == [\"$CREDIT_ID\"] and .items[0].remaining_cents == 1000"
	assert_invoice "$INVOICE_ID" "open 10000 0 0 10000"
	with_bearer "$B_TOKEN" GET "/v1/admin/credits/$B_CREDIT_ID"
	assert_jq '.remaining_cents == 5000 and .applications == []'
}

@test "this tenant's staff and API key get 404 for the other tenant's credits and customers" {
	new_api_key
	local cred
	for cred in "$STAFF_TOKEN" "$API_KEY"; do
		with_bearer "$cred" GET "/v1/admin/credits/$B_CREDIT_ID"
		assert_problem 404 not_found
		with_bearer "$cred" POST "/v1/admin/credits/$B_CREDIT_ID/apply" "{\"invoice_id\": \"$B_INVOICE_ID\"}"
		assert_problem 404 not_found
		with_bearer "$cred" GET "/v1/admin/customers/$B_CUSTOMER_ID/credits"
		assert_problem 404 not_found
		with_bearer "$cred" POST "/v1/admin/customers/$B_CUSTOMER_ID/credits" '{"reason": "x", "amount_cents": 1}'
		assert_problem 404 not_found
	done
	with_bearer "$B_TOKEN" GET "/v1/admin/customers/$B_CUSTOMER_ID/credits"
	assert_jq "[.items[] | .id] == [\"$B_CREDIT_ID\"] and .items[0].remaining_cents == 5000"
	with_bearer "$B_TOKEN" GET "/v1/admin/invoices/$B_INVOICE_ID"
	assert_jq '.status == "open" and .credited_cents == 0'
}
