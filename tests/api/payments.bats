#!/usr/bin/env bats
# Back office: offline payments (check, cash, other), their allocation to invoices, the list and
# read, Idempotency-Key handling, races, and tenant isolation.

load helpers

setup_file() {
	start_stack
}

teardown_file() {
	stop_stack
}

PAYMENT_KEYS='["allocated_cents","allocations","amount_cents","created_at","customer_id","id","memo","method","payment_date","reference_number","refunded_cents","refunds","source","status","unapplied_cents","updated_at"]'
SUMMARY_KEYS='["allocated_cents","amount_cents","created_at","customer_id","id","memo","method","payment_date","reference_number","refunded_cents","source","status","unapplied_cents","updated_at"]'

# A tenant with a staff token and one customer (CUSTOMER_ID).
setup() {
	new_staff_token
	create_customer
}

# pay TOKEN JSON [KEY] [curl args...]: POST /v1/admin/payments with an Idempotency-Key (a new one
# unless KEY is given and not empty).
pay() {
	local token=$1 doc=$2 key=${3-}
	shift 2
	(($#)) && shift
	[[ -n $key ]] || key=$(new_idempotency_key)
	staff_api "$token" POST /v1/admin/payments "$doc" -H "Idempotency-Key: $key" "$@"
}

# payment_doc AMOUNT [JSON_OVERRIDES]: a check from CUSTOMER_ID.
payment_doc() {
	local over=${2-}
	[[ -n $over ]] || over='{}'
	jq -cn --arg c "$CUSTOMER_ID" --argjson a "$1" --argjson o "$over" \
		'{customer_id: $c, amount_cents: $a, method: "check", reference_number: "10452"} + $o'
}

# alloc INVOICE_ID AMOUNT: one allocation as JSON.
alloc() {
	jq -cn --arg i "$1" --argjson a "$2" '{invoice_id: $i, amount_cents: $a}'
}

# invoice_dated DUE_DATE CENTS: an open invoice of CUSTOMER_ID due on DUE_DATE for CENTS.
invoice_dated() {
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg d "$1" --argjson c "$2" \
		'{invoice_date: "2026-01-01", due_date: $d, lines: [{description: "Pickup", unit_price_cents: $c}]}')"
}

# expect_invoice ID STATUS PAID BALANCE: the stored invoice has these figures.
expect_invoice() {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invoices/$1"
	assert_status 200
	assert_json .status "$2"
	assert_json .paid_cents "$3"
	assert_json .balance_cents "$4"
}

# expect_payment_count N: CUSTOMER_ID has N payments stored.
expect_payment_count() {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/payments"
	assert_status 200
	assert_jq "(.items | length) == $1"
}

# request_hash PATH BODY: the fingerprint the server takes of a POST (SHA-256 of method, path and
# body, each on its own line).
request_hash() {
	printf 'POST\n%s\n%s' "$1" "$2" | sha256sum | cut -d' ' -f1
}

# ------------------------------------------------------------------------------------------------
# Recording and applying

@test "a check applied to a listed invoice: 201 with the stored payment; the invoice is paid" {
	open_invoice "$CUSTOMER_ID"
	local inv=$INVOICE_ID number=$INVOICE_NUMBER
	pay "$STAFF_TOKEN" "$(payment_doc 15000 "{\"allocations\": [$(alloc "$inv" 10000)], \"payment_date\": \"2026-11-20\", \"memo\": \"  Mailed check  \"}")"
	assert_status 201
	assert_content_type application/json
	assert_jq "keys == $PAYMENT_KEYS"
	refute_header Idempotent-Replayed
	assert_json .customer_id "$CUSTOMER_ID"
	assert_json .method check
	assert_json .reference_number 10452
	assert_json .payment_date 2026-11-20
	assert_json .memo 'Mailed check'
	assert_jq '.amount_cents == 15000 and .allocated_cents == 10000 and .refunded_cents == 0 and .unapplied_cents == 5000'
	assert_json .status succeeded
	assert_json .source back_office
	assert_jq ".allocations == [{\"invoice_id\": \"$inv\", \"invoice_number\": \"$number\", \"amount_cents\": 10000, \"reversed_cents\": 0}]"
	assert_jq '.refunds == []'
	local id answer=$body
	id=$(jq -r .id <<<"$body")
	# the read agrees with the answer
	staff_api "$STAFF_TOKEN" GET "/v1/admin/payments/$id"
	assert_status 200
	[[ $body == "$answer" ]] || fail "GET differs from the 201 body: $body"
	expect_invoice "$inv" paid 10000 0
}

@test "part of an invoice's balance: the invoice stays open owing the rest" {
	open_invoice "$CUSTOMER_ID"
	pay "$STAFF_TOKEN" "$(payment_doc 2500 "{\"allocations\": [$(alloc "$INVOICE_ID" 2500)]}")"
	assert_status 201
	assert_jq '.allocated_cents == 2500 and .unapplied_cents == 0'
	expect_invoice "$INVOICE_ID" open 2500 7500
}

@test "without allocations the payment goes to open invoices oldest due first; the rest stays unapplied" {
	local march feb jan draft
	invoice_dated 2026-03-31 10000
	march=$INVOICE_ID
	invoice_dated 2026-01-31 4000
	jan=$INVOICE_ID
	invoice_dated 2026-02-28 10000
	feb=$INVOICE_ID
	create_invoice "$CUSTOMER_ID" '{"due_date": "2025-12-31", "invoice_date": "2025-12-01"}'
	draft=$INVOICE_ID
	pay "$STAFF_TOKEN" "$(payment_doc 9000 '{"method": "cash"}')"
	assert_status 201
	assert_jq '.allocated_cents == 9000 and .unapplied_cents == 0'
	assert_jq "[.allocations[] | [.invoice_id, .amount_cents]] == [[\"$jan\", 4000], [\"$feb\", 5000]]"
	expect_invoice "$jan" paid 4000 0
	expect_invoice "$feb" open 5000 5000
	expect_invoice "$march" open 0 10000
	expect_invoice "$draft" draft 0 10000
	# more than everything owed: all open invoices settle and the rest is unapplied
	pay "$STAFF_TOKEN" "$(payment_doc 20000)"
	assert_status 201
	assert_jq '.allocated_cents == 15000 and .unapplied_cents == 5000'
	assert_jq "[.allocations[] | [.invoice_id, .amount_cents]] == [[\"$feb\", 5000], [\"$march\", 10000]]"
	expect_invoice "$feb" paid 10000 0
	expect_invoice "$march" paid 10000 0
}

@test "allocations [] leaves the whole payment unapplied" {
	open_invoice "$CUSTOMER_ID"
	pay "$STAFF_TOKEN" "$(payment_doc 3000 '{"allocations": []}')"
	assert_status 201
	assert_jq '.allocations == [] and .allocated_cents == 0 and .unapplied_cents == 3000'
	expect_invoice "$INVOICE_ID" open 0 10000
}

@test "without reference_number one is generated; payment_date defaults to the tenant's today" {
	pay "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" '{customer_id: $c, amount_cents: 100, method: "other", reference_number: null, memo: null}')"
	assert_status 201
	assert_jq '.reference_number | test("^P-[0-9A-F]{10}$")'
	assert_json .payment_date "$(TZ=America/New_York date +%F)"
	assert_json .memo null
	assert_json .method other
}

# ------------------------------------------------------------------------------------------------
# Money rules

@test "an allocation beyond the invoice's balance → 422 amount_exceeds_balance at that item; nothing stored" {
	local first
	open_invoice "$CUSTOMER_ID"
	first=$INVOICE_ID
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Small", "unit_price_cents": 3000}]}'
	pay "$STAFF_TOKEN" "$(payment_doc 20000 "{\"allocations\": [$(alloc "$first" 10000), $(alloc "$INVOICE_ID" 3001)]}")"
	assert_problem 422 amount_exceeds_balance
	assert_field_error 'allocations[1].amount_cents' amount_exceeds_balance
	expect_invoice "$first" open 0 10000
	expect_invoice "$INVOICE_ID" open 0 3000
	expect_payment_count 0
}

@test "allocations adding up to more than the payment → 422 allocations_exceed_amount" {
	local first
	open_invoice "$CUSTOMER_ID"
	first=$INVOICE_ID
	open_invoice "$CUSTOMER_ID"
	pay "$STAFF_TOKEN" "$(payment_doc 5000 "{\"allocations\": [$(alloc "$first" 3000), $(alloc "$INVOICE_ID" 3000)]}")"
	assert_problem 422 allocations_exceed_amount
	assert_field_error allocations allocations_exceed_amount
	expect_invoice "$first" open 0 10000
	expect_payment_count 0
}

@test "an invoice listed twice → 422 duplicate_invoice naming the repeat" {
	open_invoice "$CUSTOMER_ID"
	local upper
	upper=$(tr a-f A-F <<<"$INVOICE_ID")
	pay "$STAFF_TOKEN" "$(payment_doc 5000 "{\"allocations\": [$(alloc "$INVOICE_ID" 1000), $(alloc "$upper" 1000)]}")"
	assert_problem 422 duplicate_invoice
	assert_field_error 'allocations[1].invoice_id' duplicate_invoice
	assert_field_errors_exactly 'allocations[1].invoice_id'
	expect_payment_count 0
}

@test "a draft, paid or void invoice takes no payment → 422 invoice_not_open" {
	local paid
	create_invoice "$CUSTOMER_ID"
	pay "$STAFF_TOKEN" "$(payment_doc 100 "{\"allocations\": [$(alloc "$INVOICE_ID" 100)]}")"
	assert_problem 422 invoice_not_open
	assert_field_error 'allocations[0].invoice_id' invoice_not_open
	open_invoice "$CUSTOMER_ID"
	paid=$INVOICE_ID
	pay "$STAFF_TOKEN" "$(payment_doc 10000 "{\"allocations\": [$(alloc "$paid" 10000)]}")"
	assert_status 201
	pay "$STAFF_TOKEN" "$(payment_doc 100 "{\"allocations\": [$(alloc "$paid" 100)]}")"
	assert_problem 422 invoice_not_open
	open_invoice "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void"
	assert_status 200
	pay "$STAFF_TOKEN" "$(payment_doc 100 "{\"allocations\": [$(alloc "$INVOICE_ID" 100)]}")"
	assert_problem 422 invoice_not_open
	expect_payment_count 1
}

@test "an invoice of another customer → 422 invalid_reference at allocations[i].invoice_id" {
	local mine
	open_invoice "$CUSTOMER_ID"
	mine=$CUSTOMER_ID
	create_customer
	open_invoice "$CUSTOMER_ID"
	CUSTOMER_ID=$mine
	pay "$STAFF_TOKEN" "$(payment_doc 100 "{\"allocations\": [$(alloc "$INVOICE_ID" 100)]}")"
	assert_problem 422 invalid_reference
	assert_field_error 'allocations[0].invoice_id' invalid_reference
	pay "$STAFF_TOKEN" "$(payment_doc 100 "{\"allocations\": [$(alloc 3daa9a9b-3814-477a-ad1c-cbd220d14a66 100)]}")"
	assert_field_error 'allocations[0].invoice_id' invalid_reference
	expect_payment_count 0
}

@test "an unknown customer_id → 422 invalid_reference at customer_id" {
	pay "$STAFF_TOKEN" '{"customer_id": "3daa9a9b-3814-477a-ad1c-cbd220d14a66", "amount_cents": 100, "method": "cash"}'
	assert_problem 422 invalid_reference
	assert_field_error customer_id invalid_reference
}

@test "two payments at once, each for an invoice's whole balance: one 201, one 422; the invoice is paid once" {
	open_invoice "$CUSTOMER_ID"
	local doc dir=$BATS_TEST_TMPDIR i pids=()
	doc=$(payment_doc 10000 "{\"allocations\": [$(alloc "$INVOICE_ID" 10000)]}")
	for i in 1 2; do
		(
			pay "$STAFF_TOKEN" "$doc" || true
			echo "$status" >"$dir/status.$i"
			echo "$body" >"$dir/body.$i"
		) 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	local got
	got=$(cat "$dir/status.1" "$dir/status.2" | sort | tr '\n' ' ')
	[[ $got == '201 422 ' ]] || fail "expected one 201 and one 422, got: $got ($(cat "$dir/body.1" "$dir/body.2"))"
	grep -h -q -E '"code": ?"(invoice_not_open|amount_exceeds_balance)"' "$dir/body.1" "$dir/body.2" ||
		fail "the loser's problem is not a money rule: $(cat "$dir/body.1" "$dir/body.2")"
	expect_invoice "$INVOICE_ID" paid 10000 0
	expect_payment_count 1
	assert_jq '.items[0].allocated_cents == 10000 and .items[0].unapplied_cents == 0'
}

# ------------------------------------------------------------------------------------------------
# Validation

@test "unknown fields, wrong types and out-of-range values are all reported at once" {
	pay "$STAFF_TOKEN" '{"customer_id": 5, "amount_cents": "100", "method": "card", "colour": "red", "reference_number": "", "payment_date": "2026-02-30", "memo": 7, "allocations": [{"invoice_id": "nope", "amount_cents": 0, "x": 1}, 3]}'
	assert_problem 422 validation_failed
	assert_field_error customer_id wrong_type
	assert_field_error amount_cents wrong_type
	assert_field_error method invalid_value
	assert_field_error colour unknown_field
	assert_field_error reference_number too_short
	assert_field_error payment_date invalid_date
	assert_field_error memo wrong_type
	assert_field_error 'allocations[0].invoice_id' invalid_format
	assert_field_error 'allocations[0].amount_cents' out_of_range
	assert_field_error 'allocations[0].x' unknown_field
	assert_field_error 'allocations[1]' wrong_type
	expect_payment_count 0
}

@test "required members, amount bounds, reference length and the 100-allocation limit" {
	pay "$STAFF_TOKEN" '{}'
	assert_problem 422 required
	assert_field_errors_exactly amount_cents customer_id method
	pay "$STAFF_TOKEN" "$(payment_doc 0)"
	assert_field_error amount_cents out_of_range
	pay "$STAFF_TOKEN" "$(payment_doc 100000000000)"
	assert_field_error amount_cents out_of_range
	pay "$STAFF_TOKEN" "$(payment_doc 1.5)"
	assert_field_error amount_cents wrong_type
	pay "$STAFF_TOKEN" "$(payment_doc 100 "{\"reference_number\": \"$(printf '9%.0s' {1..61})\"}")"
	assert_field_error reference_number too_long
	pay "$STAFF_TOKEN" "$(payment_doc 100 "$(jq -cn '{allocations: [range(101) | {invoice_id: "3daa9a9b-3814-477a-ad1c-cbd220d14a66", amount_cents: 1}]}')")"
	assert_field_error allocations too_many_items
	expect_payment_count 0
}

@test "bodies that are not JSON objects: 400 malformed_json, body_not_object, body_required; 415" {
	# direct: the proxy cannot forward a body that is not JSON
	api_direct POST /v1/admin/payments '{"amount_cents": ' -H "Authorization: Bearer $STAFF_TOKEN" -H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 400 malformed_json
	pay "$STAFF_TOKEN" '["x"]'
	assert_problem 400 body_not_object
	pay "$STAFF_TOKEN" ''
	assert_problem 400 body_required
	pay "$STAFF_TOKEN" "$(payment_doc 100)" '' -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
	expect_payment_count 0
}

# ------------------------------------------------------------------------------------------------
# Idempotency-Key

@test "the same key with the same body replays the first 201 (Idempotent-Replayed) and stores one payment" {
	open_invoice "$CUSTOMER_ID"
	local key doc first
	key=$(new_idempotency_key)
	doc=$(payment_doc 4000)
	pay "$STAFF_TOKEN" "$doc" "$key"
	assert_status 201
	refute_header Idempotent-Replayed
	first=$body
	pay "$STAFF_TOKEN" "$doc" "$key"
	assert_status 201
	assert_header Idempotent-Replayed true
	[[ $body == "$first" ]] || fail "the replay differs from the first answer: $body"
	expect_payment_count 1
	expect_invoice "$INVOICE_ID" open 4000 6000
}

@test "the same key with a different body → 422 idempotency_key_reused; nothing more is stored" {
	local key
	key=$(new_idempotency_key)
	pay "$STAFF_TOKEN" "$(payment_doc 4000)" "$key"
	assert_status 201
	pay "$STAFF_TOKEN" "$(payment_doc 4001)" "$key"
	assert_problem 422 idempotency_key_reused
	expect_payment_count 1
}

@test "a key whose request is still running → 409 idempotency_key_in_use; after its lease lapses it runs" {
	local key doc
	key=$(new_idempotency_key)
	doc=$(payment_doc 700)
	[[ $(stack_sql "SELECT state FROM idempotency_claim('$TENANT_ID', 'staff:$STAFF_ID', '$key', '$(request_hash /v1/admin/payments "$doc")', 60)") == new ]]
	pay "$STAFF_TOKEN" "$doc" "$key"
	assert_problem 409 idempotency_key_in_use
	expect_payment_count 0
	# the first request died without committing: once its lease has passed, a retry runs
	stack_sql "UPDATE idempotency_keys SET leased_until = now() - interval '1 second' WHERE key = '$key'"
	pay "$STAFF_TOKEN" "$doc" "$key"
	assert_status 201
	refute_header Idempotent-Replayed
	expect_payment_count 1
}

@test "a failed request does not use up its key: corrected, it succeeds with the same key" {
	open_invoice "$CUSTOMER_ID"
	local key
	key=$(new_idempotency_key)
	pay "$STAFF_TOKEN" "$(payment_doc 20000 "{\"allocations\": [$(alloc "$INVOICE_ID" 20000)]}")" "$key"
	assert_problem 422 amount_exceeds_balance
	pay "$STAFF_TOKEN" "$(payment_doc 20000 "{\"allocations\": [$(alloc "$INVOICE_ID" 10000)]}")" "$key"
	assert_status 201
	refute_header Idempotent-Replayed
	assert_jq '.allocated_cents == 10000 and .unapplied_cents == 10000'
	expect_invoice "$INVOICE_ID" paid 10000 0
	expect_payment_count 1
}

@test "keys are private to their sender: the same key from an API key is a new request" {
	local key doc
	new_api_key
	key=$(new_idempotency_key)
	doc=$(payment_doc 500)
	pay "$STAFF_TOKEN" "$doc" "$key"
	assert_status 201
	pay "$API_KEY" "$doc" "$key"
	assert_status 201
	refute_header Idempotent-Replayed
	expect_payment_count 2
}

@test "a missing Idempotency-Key → 400 idempotency_key_required; a malformed one → 400 invalid_idempotency_key" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/payments "$(payment_doc 100)"
	assert_problem 400 idempotency_key_required
	pay "$STAFF_TOKEN" "$(payment_doc 100)" "$(printf 'k%.0s' {1..256})"
	assert_problem 400 invalid_idempotency_key
	pay "$STAFF_TOKEN" "$(payment_doc 100)" $'cl\xc3\xa9'
	assert_problem 400 invalid_idempotency_key
	pay "$STAFF_TOKEN" "$(payment_doc 100)" $'a\tb'
	assert_problem 400 invalid_idempotency_key
	expect_payment_count 0
	pay "$STAFF_TOKEN" "$(payment_doc 100)" "$(printf 'k%.0s' {1..255})"
	assert_status 201
}

# ------------------------------------------------------------------------------------------------
# List and read

@test "the list shows the customer's payments newest payment date first, in pages, in the summary shape" {
	local d ids=()
	for d in 2026-03-01 2026-05-01 2026-04-01; do
		pay "$STAFF_TOKEN" "$(payment_doc 100 "{\"payment_date\": \"$d\"}")"
		assert_status 201
	done
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/payments?limit=2"
	assert_status 200
	assert_jq "(.items[0] | keys) == $SUMMARY_KEYS"
	assert_jq '[.items[].payment_date] == ["2026-05-01", "2026-04-01"]'
	assert_jq '.next_cursor | type == "string"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/payments?limit=2&cursor=$(jq -r .next_cursor <<<"$body")"
	assert_status 200
	assert_jq '[.items[].payment_date] == ["2026-03-01"] and .next_cursor == null'
	# another customer's payments are not in this list
	create_customer
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/payments"
	assert_status 200
	assert_jq '.items == [] and .next_cursor == null'
}

@test "the list refuses unknown parameters and bad cursors → 422" {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/payments?status=open"
	assert_problem 422 unknown_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/payments?cursor=abc"
	assert_problem 422 invalid_cursor
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/payments?limit=0"
	assert_problem 422 invalid_parameter
}

@test "unknown or malformed ids → 404 not_found" {
	staff_api "$STAFF_TOKEN" GET /v1/admin/payments/3daa9a9b-3814-477a-ad1c-cbd220d14a66
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/payments/not-a-uuid
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/not-a-uuid/payments
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers/3daa9a9b-3814-477a-ad1c-cbd220d14a66/payments
	assert_problem 404 not_found
}

@test "no credentials → 401; the operator token → 403" {
	# direct: the proxy answers a request without credentials itself
	api_direct GET "/v1/admin/customers/$CUSTOMER_ID/payments"
	assert_problem 401 unauthorized
	api_direct POST /v1/admin/payments "$(payment_doc 100)" -H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 401 unauthorized
	api_direct GET /v1/admin/payments/3daa9a9b-3814-477a-ad1c-cbd220d14a66
	assert_problem 401 unauthorized
	with_bearer csk_notARealKeyAtAll00000000000000000000000000 GET "/v1/admin/customers/$CUSTOMER_ID/payments"
	assert_problem 401 invalid_token
	operator_api GET "/v1/admin/customers/$CUSTOMER_ID/payments"
	assert_problem 403 forbidden
}

# ------------------------------------------------------------------------------------------------
# Tenancy and API keys

@test "an API key records, lists and reads payments of its tenant" {
	open_invoice "$CUSTOMER_ID"
	new_api_key
	pay "$API_KEY" "$(payment_doc 10000)"
	assert_status 201
	local id
	id=$(jq -r .id <<<"$body")
	assert_jq ".allocations[0].invoice_id == \"$INVOICE_ID\""
	with_bearer "$API_KEY" GET "/v1/admin/payments/$id"
	assert_status 200
	assert_json .id "$id"
	with_bearer "$API_KEY" GET "/v1/admin/customers/$CUSTOMER_ID/payments"
	assert_status 200
	assert_jq "[.items[].id] == [\"$id\"]"
	expect_invoice "$INVOICE_ID" paid 10000 0
}

@test "another tenant's staff or API key sees none of these payments and cannot pay this tenant's customers or invoices" {
	local a_token=$STAFF_TOKEN a_key a_customer=$CUSTOMER_ID a_invoice a_payment
	new_api_key
	a_key=$API_KEY
	open_invoice "$CUSTOMER_ID"
	a_invoice=$INVOICE_ID
	record_payment "$STAFF_TOKEN" "$(payment_doc 1000 "{\"allocations\": [$(alloc "$a_invoice" 1000)]}")"
	a_payment=$PAYMENT_ID
	new_staff_token
	new_api_key
	create_customer
	local b
	for b in "$STAFF_TOKEN" "$API_KEY"; do
		with_bearer "$b" GET "/v1/admin/payments/$a_payment"
		assert_problem 404 not_found
		with_bearer "$b" GET "/v1/admin/customers/$a_customer/payments"
		assert_problem 404 not_found
		pay "$b" "$(jq -cn --arg c "$a_customer" '{customer_id: $c, amount_cents: 100, method: "cash"}')"
		assert_problem 422 invalid_reference
		assert_field_error customer_id invalid_reference
		# its own customer, tenant A's invoice
		pay "$b" "$(payment_doc 100 "{\"allocations\": [$(alloc "$a_invoice" 100)]}")"
		assert_field_error 'allocations[0].invoice_id' invalid_reference
		staff_api "$b" POST "/v1/admin/payments/$a_payment/refund" '{}' -H "Idempotency-Key: $(new_idempotency_key)"
		assert_problem 404 not_found
	done
	# and the other way round: tenant B's payment is not tenant A's to see
	record_payment "$STAFF_TOKEN" "$(payment_doc 100)"
	local b_payment=$PAYMENT_ID b_customer=$CUSTOMER_ID
	for b in "$a_token" "$a_key"; do
		with_bearer "$b" GET "/v1/admin/payments/$b_payment"
		assert_problem 404 not_found
		with_bearer "$b" GET "/v1/admin/customers/$b_customer/payments"
		assert_problem 404 not_found
	done
	# tenant A's data is untouched
	STAFF_TOKEN=$a_token
	expect_invoice "$a_invoice" open 1000 9000
	staff_api "$STAFF_TOKEN" GET "/v1/admin/payments/$a_payment"
	assert_jq '.refunded_cents == 0 and .status == "succeeded"'
}
