#!/usr/bin/env bats
# Back office: refunds of offline payments (full or partial), which invoices owe again, the void
# rule for paid invoices, Idempotency-Key handling, races, and tenant isolation.

load helpers

setup_file() {
	start_stack
}

teardown_file() {
	stop_stack
}

REFUND_KEYS='["amount_cents","created_at","customer_id","id","lines","payment","payment_id","reason","refund_date","status"]'

# A tenant with a staff token and one customer (CUSTOMER_ID).
setup() {
	new_staff_token
	create_customer
}

# refund TOKEN PAYMENT_ID [JSON] [KEY] [curl args...]: POST .../refund with an Idempotency-Key (a
# new one unless KEY is given and not empty); no body when JSON is empty.
refund() {
	local token=$1 id=$2 doc=${3-} key=${4-}
	shift 2
	(($#)) && shift
	(($#)) && shift
	[[ -n $key ]] || key=$(new_idempotency_key)
	staff_api "$token" POST "/v1/admin/payments/$id/refund" "$doc" -H "Idempotency-Key: $key" "$@"
}

# pay_invoices AMOUNT [ALLOCATIONS_JSON]: STAFF_TOKEN records a check from CUSTOMER_ID (applied
# oldest due first unless ALLOCATIONS_JSON is given). Sets PAYMENT_ID.
pay_invoices() {
	local doc
	doc=$(jq -cn --arg c "$CUSTOMER_ID" --argjson a "$1" '{customer_id: $c, amount_cents: $a, method: "check"}')
	[[ -z ${2-} ]] || doc=$(jq -c --argjson l "$2" '. + {allocations: $l}' <<<"$doc")
	record_payment "$STAFF_TOKEN" "$doc"
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

# expect_payment ID STATUS ALLOCATED REFUNDED UNAPPLIED REFUNDS: the stored payment's figures and
# how many refunds it has.
expect_payment() {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/payments/$1"
	assert_status 200
	assert_json .status "$2"
	assert_jq ".allocated_cents == $3 and .refunded_cents == $4 and .unapplied_cents == $5 and (.refunds | length) == $6"
}

# ------------------------------------------------------------------------------------------------
# What a refund gives back, and from where

@test "a partial refund takes the payment's unapplied part first; the paid invoice stays paid" {
	open_invoice "$CUSTOMER_ID"
	pay_invoices 15000 "[{\"invoice_id\": \"$INVOICE_ID\", \"amount_cents\": 10000}]"
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 3000, "reason": "  Overpaid  "}'
	assert_status 201
	assert_content_type application/json
	assert_jq "keys == $REFUND_KEYS"
	refute_header Idempotent-Replayed
	assert_json .payment_id "$PAYMENT_ID"
	assert_json .customer_id "$CUSTOMER_ID"
	assert_json .amount_cents 3000
	assert_json .reason Overpaid
	assert_json .status succeeded
	assert_json .refund_date "$(TZ=America/New_York date +%F)"
	assert_jq '.lines == [{"invoice_id": null, "amount_cents": 3000}]'
	assert_jq '.payment | .id == "'"$PAYMENT_ID"'" and .status == "succeeded" and .amount_cents == 15000 and .allocated_cents == 10000 and .refunded_cents == 3000 and .unapplied_cents == 2000'
	assert_jq '.payment | has("allocations") | not'
	local answer=$body
	expect_invoice "$INVOICE_ID" paid 10000 0
	expect_payment "$PAYMENT_ID" succeeded 10000 3000 2000 1
	# the payment lists the refund as answered (without the payment member)
	jq -e --argjson r "$answer" '.refunds[0] == ($r | del(.payment))' <<<"$body" >/dev/null ||
		fail "the stored refund differs from the answer: $body"
	assert_jq '.allocations[0].reversed_cents == 0'
}

@test "beyond the unapplied part a refund reverses the latest-due invoice first, which reopens" {
	local jan feb
	invoice_dated 2026-01-31 4000
	jan=$INVOICE_ID
	invoice_dated 2026-02-28 6000
	feb=$INVOICE_ID
	pay_invoices 12000
	expect_payment "$PAYMENT_ID" succeeded 10000 0 2000 0
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 5000}'
	assert_status 201
	assert_jq ".lines == [{\"invoice_id\": null, \"amount_cents\": 2000}, {\"invoice_id\": \"$feb\", \"amount_cents\": 3000}]"
	assert_jq '.payment.allocated_cents == 7000 and .payment.refunded_cents == 5000 and .payment.unapplied_cents == 0'
	expect_invoice "$feb" open 3000 3000
	expect_invoice "$jan" paid 4000 0
	staff_api "$STAFF_TOKEN" GET "/v1/admin/payments/$PAYMENT_ID"
	assert_jq "[.allocations[] | [.invoice_id, .amount_cents, .reversed_cents]] == [[\"$jan\", 4000, 0], [\"$feb\", 6000, 3000]]"
	# the next refund finishes the later invoice, then moves to the earlier one
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 4000}'
	assert_status 201
	jq -e --arg j "$jan" --arg f "$feb" '(.lines | sort_by(.invoice_id)) == ([{invoice_id: $j, amount_cents: 1000}, {invoice_id: $f, amount_cents: 3000}] | sort_by(.invoice_id))' <<<"$body" >/dev/null ||
		fail "unexpected lines: $body"
	expect_invoice "$feb" open 0 6000
	expect_invoice "$jan" open 3000 1000
	expect_payment "$PAYMENT_ID" succeeded 3000 9000 0 2
}

@test "a refund without a body gives back all that is left: the payment is refunded and its invoices owe again" {
	local a b
	open_invoice "$CUSTOMER_ID"
	a=$INVOICE_ID
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Rental", "unit_price_cents": 2500}]}'
	b=$INVOICE_ID
	pay_invoices 13000 "[{\"invoice_id\": \"$a\", \"amount_cents\": 10000}, {\"invoice_id\": \"$b\", \"amount_cents\": 2500}]"
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 1000}'
	assert_status 201
	refund "$STAFF_TOKEN" "$PAYMENT_ID"
	assert_status 201
	assert_json .amount_cents 12000
	assert_json .reason null
	assert_jq '.payment.status == "refunded" and .payment.refunded_cents == 13000 and .payment.allocated_cents == 0 and .payment.unapplied_cents == 0'
	assert_jq '(.lines | map(.amount_cents) | add) == 12000 and all(.lines[]; .invoice_id != null)'
	expect_payment "$PAYMENT_ID" refunded 0 13000 0 2
	expect_invoice "$a" open 0 10000
	expect_invoice "$b" open 0 2500
}

@test "an explicit full refund of an unapplied payment: status refunded, one line without an invoice" {
	pay_invoices 4200 '[]'
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 4200, "reason": "Check bounced"}'
	assert_status 201
	assert_jq '.lines == [{"invoice_id": null, "amount_cents": 4200}] and .payment.status == "refunded"'
	expect_payment "$PAYMENT_ID" refunded 0 4200 0 1
}

# ------------------------------------------------------------------------------------------------
# Money rules

@test "no refund beyond what was paid: more than is left → 422 amount_exceeds_refundable; nothing changes" {
	open_invoice "$CUSTOMER_ID"
	pay_invoices 5000
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 5001}'
	assert_problem 422 amount_exceeds_refundable
	assert_field_error amount_cents amount_exceeds_refundable
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 2000}'
	assert_status 201
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 3001}'
	assert_problem 422 amount_exceeds_refundable
	expect_payment "$PAYMENT_ID" succeeded 3000 2000 0 1
	expect_invoice "$INVOICE_ID" open 3000 7000
}

@test "a refunded payment cannot be refunded again → 409 payment_not_refundable" {
	pay_invoices 800 '[]'
	refund "$STAFF_TOKEN" "$PAYMENT_ID"
	assert_status 201
	refund "$STAFF_TOKEN" "$PAYMENT_ID"
	assert_problem 409 payment_not_refundable
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 1}'
	assert_problem 409 payment_not_refundable
	expect_payment "$PAYMENT_ID" refunded 0 800 0 1
}

@test "a paid invoice cannot be voided (409 invoice_has_payments) until its payment is refunded; then void works" {
	open_invoice "$CUSTOMER_ID"
	pay_invoices 10000
	expect_invoice "$INVOICE_ID" paid 10000 0
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void" '{"reason": "Billed twice"}'
	assert_problem 409 invoice_has_payments
	expect_invoice "$INVOICE_ID" paid 10000 0
	# a partial refund still leaves money on it
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 4000}'
	assert_status 201
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void" '{"reason": "Billed twice"}'
	assert_problem 409 invoice_has_payments
	expect_invoice "$INVOICE_ID" open 6000 4000
	refund "$STAFF_TOKEN" "$PAYMENT_ID"
	assert_status 201
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void" '{"reason": "Billed twice"}'
	assert_status 200
	assert_json .status void
	assert_json .void_reason 'Billed twice'
	expect_invoice "$INVOICE_ID" void 0 0
}

@test "two full refunds at once: one 201, the other refused; the money goes back once" {
	open_invoice "$CUSTOMER_ID"
	pay_invoices 10000
	local dir=$BATS_TEST_TMPDIR i pids=() got
	for i in 1 2; do
		(
			refund "$STAFF_TOKEN" "$PAYMENT_ID" || true
			echo "$status" >"$dir/status.$i"
			echo "$body" >"$dir/body.$i"
		) 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	got=$(cat "$dir/status.1" "$dir/status.2" | sort | tr '\n' ' ')
	[[ $got == '201 409 ' || $got == '201 422 ' ]] ||
		fail "expected one 201 and one 409 or 422, got: $got ($(cat "$dir/body.1" "$dir/body.2"))"
	grep -h -q -E '"code": ?"(payment_not_refundable|amount_exceeds_refundable)"' "$dir/body.1" "$dir/body.2" ||
		fail "the loser's problem is not a money rule: $(cat "$dir/body.1" "$dir/body.2")"
	expect_payment "$PAYMENT_ID" refunded 0 10000 0 1
	expect_invoice "$INVOICE_ID" open 0 10000
}

@test "two partial refunds at once that together exceed the payment: one 201, one 422" {
	pay_invoices 10000 '[]'
	local dir=$BATS_TEST_TMPDIR i pids=() got
	for i in 1 2; do
		(
			refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 6000}' || true
			echo "$status" >"$dir/status.$i"
		) 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	got=$(cat "$dir/status.1" "$dir/status.2" | sort | tr '\n' ' ')
	[[ $got == '201 422 ' ]] || fail "expected one 201 and one 422, got: $got"
	expect_payment "$PAYMENT_ID" succeeded 0 6000 4000 1
}

# ------------------------------------------------------------------------------------------------
# Idempotency-Key

@test "the same key and body replay the refund (Idempotent-Replayed); a different body → 422 idempotency_key_reused" {
	pay_invoices 9000 '[]'
	local key first
	key=$(new_idempotency_key)
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 1000}' "$key"
	assert_status 201
	first=$body
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 1000}' "$key"
	assert_status 201
	assert_header Idempotent-Replayed true
	[[ $body == "$first" ]] || fail "the replay differs from the first answer: $body"
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 2000}' "$key"
	assert_problem 422 idempotency_key_reused
	expect_payment "$PAYMENT_ID" succeeded 0 1000 8000 1
}

@test "a key used to record a payment cannot be reused for its refund → 422 idempotency_key_reused" {
	local key
	key=$(new_idempotency_key)
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" '{customer_id: $c, amount_cents: 500, method: "cash"}')" "$key"
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '' "$key"
	assert_problem 422 idempotency_key_reused
	expect_payment "$PAYMENT_ID" succeeded 0 0 500 0
}

@test "a failed refund does not use up its key: corrected, it succeeds with the same key" {
	pay_invoices 3000 '[]'
	local key
	key=$(new_idempotency_key)
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 3001}' "$key"
	assert_problem 422 amount_exceeds_refundable
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 3001}' "$key"
	assert_problem 422 amount_exceeds_refundable
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 3000}' "$key"
	assert_status 201
	refute_header Idempotent-Replayed
	expect_payment "$PAYMENT_ID" refunded 0 3000 0 1
}

@test "a refund without an Idempotency-Key → 400 idempotency_key_required; a malformed key → 400 invalid_idempotency_key" {
	pay_invoices 3000 '[]'
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" '{}'
	assert_problem 400 idempotency_key_required
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{}' "$(printf 'k%.0s' {1..256})"
	assert_problem 400 invalid_idempotency_key
	expect_payment "$PAYMENT_ID" succeeded 0 0 3000 0
}

# ------------------------------------------------------------------------------------------------
# Validation, ids, credentials, tenancy

@test "unknown fields, wrong types and out-of-range values → 422 listing each; nothing refunded" {
	pay_invoices 3000 '[]'
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": "10", "reason": 5, "note": "x"}'
	assert_problem 422 validation_failed
	assert_field_error amount_cents wrong_type
	assert_field_error reason wrong_type
	assert_field_error note unknown_field
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": 0}'
	assert_problem 422 out_of_range
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{"amount_cents": -5}'
	assert_field_error amount_cents out_of_range
	refund "$STAFF_TOKEN" "$PAYMENT_ID" "$(jq -cn '{reason: ("x" * 501)}')"
	assert_problem 422 too_long
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '["x"]'
	assert_problem 400 body_not_object
	refund "$STAFF_TOKEN" "$PAYMENT_ID" '{}' '' -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
	# direct: the proxy cannot forward a body that is not JSON
	api_direct POST "/v1/admin/payments/$PAYMENT_ID/refund" '{"amount_cents": ' -H "Authorization: Bearer $STAFF_TOKEN" -H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 400 malformed_json
	expect_payment "$PAYMENT_ID" succeeded 0 0 3000 0
}

@test "an unknown or malformed payment id → 404 not_found" {
	refund "$STAFF_TOKEN" 3daa9a9b-3814-477a-ad1c-cbd220d14a66
	assert_problem 404 not_found
	refund "$STAFF_TOKEN" not-a-uuid
	assert_problem 404 not_found
}

@test "no credentials → 401; the operator token → 403" {
	pay_invoices 3000 '[]'
	# direct: the proxy answers a request without credentials itself
	api_direct POST "/v1/admin/payments/$PAYMENT_ID/refund" '{}' -H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 401 unauthorized
	operator_api POST "/v1/admin/payments/$PAYMENT_ID/refund" '{}' -H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 403 forbidden
	expect_payment "$PAYMENT_ID" succeeded 0 0 3000 0
}

@test "an API key refunds its tenant's payments; another tenant's staff or API key gets 404 and changes nothing" {
	open_invoice "$CUSTOMER_ID"
	pay_invoices 10000
	local a_token=$STAFF_TOKEN a_payment=$PAYMENT_ID a_invoice=$INVOICE_ID b
	new_api_key
	refund "$API_KEY" "$a_payment" '{"amount_cents": 1000}'
	assert_status 201
	new_staff_token
	new_api_key
	for b in "$STAFF_TOKEN" "$API_KEY"; do
		refund "$b" "$a_payment" '{"amount_cents": 1000}'
		assert_problem 404 not_found
		refund "$b" "$a_payment"
		assert_problem 404 not_found
	done
	STAFF_TOKEN=$a_token
	expect_payment "$a_payment" succeeded 9000 1000 0 1
	expect_invoice "$a_invoice" open 9000 1000
}
