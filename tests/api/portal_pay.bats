#!/usr/bin/env bats
# Paying from the portal on the sandbox processor (API.md rule 17): the whole balance oldest due
# first, chosen invoices, a partial amount; saved methods and one-time tokens; every refusal;
# isolation between accounts, customers and haulers; the Idempotency-Key (replay, reuse); payments
# racing for one invoice; declines; bank payments settled (or returned) by the payments worker;
# the receipt and failure emails.

load helpers

setup_file() {
	# A bank payment settles 2 s (scaled) after it is made, time enough for a test to see it
	# pending on a loaded machine (the sandbox settles by the clock; the stripe fake settles on a
	# control call, portal_pay_stripe.bats).
	STACK_ENV=(CURBSIDE_PAYMENTS=sandbox CURBSIDE_PAYMENTS_POLL_SECONDS=1
		CURBSIDE_SANDBOX_ACH_SETTLE_SECONDS="$(scaled 2)")
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# pay JSON [KEY]: POST /v1/portal/payments with PORTAL_TOKEN and an Idempotency-Key (a new one
# unless KEY).
pay() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments "$1" -H "Idempotency-Key: ${2:-$(new_idempotency_key)}"
}

# invoice_due DUE_OFFSET CENTS: an open invoice of CUSTOMER_ID due DUE_OFFSET days from the
# tenant's today (dated 30 days before that). Sets INVOICE_ID.
invoice_due() {
	local due date
	due=$(tenant_day "$1")
	date=$(tenant_day "$1 - 30")
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg d "$date" --arg u "$due" --argjson c "$2" \
		'{invoice_date: $d, due_date: $u, lines: [{description: "Pickup", unit_price_cents: $c}]}')"
}

# invoice_json ID: the portal's view of one invoice (expects 200).
invoice_json() {
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$1"
	fixture_expect 200 "invoice $1"
}

# add_method TOKEN: save a payment method; sets METHOD_ID.
add_method() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods "$(jq -cn --arg t "$1" '{payment_token: $t}')"
	fixture_expect 201 "add $1"
	METHOD_ID=$(jq -r .id <<<"$body")
}

payments_of() {
	stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$1'"
}

# recipients TEMPLATE PAYMENT_ID: the addresses the outbox holds for that payment's email, sorted.
recipients() {
	stack_sql "SELECT coalesce(string_agg(to_address, ' ' ORDER BY to_address COLLATE \"C\"), '') FROM outbox
		WHERE template = '$1' AND payload->>'payment_id' = '$2'"
}

@test "rule 17: the whole balance is paid oldest due first, with a new card kept as the default" {
	account_with_user
	invoice_due 5 3000
	local later=$INVOICE_ID
	invoice_due -10 2000
	local oldest=$INVOICE_ID
	invoice_due 0 1000
	local middle=$INVOICE_ID
	pay '{"payment_token": "tok_visa"}'
	assert_status 201
	assert_header Cache-Control no-store
	assert_jq '.status == "succeeded" and .method == "card" and .amount_cents == 6000
		and .applied_cents == 6000 and .unapplied_cents == 0 and .method_brand == "visa"
		and .method_last4 == "4242" and .failure_code == null and (.reference_number | startswith("P-"))'
	assert_jq '[.allocations[] | .invoice_id] == ["'"$oldest"'", "'"$middle"'", "'"$later"'"]
		or ([.allocations[] | .invoice_id] | sort) == (["'"$oldest"'", "'"$middle"'", "'"$later"'"] | sort)'
	local id
	id=$(jq -r .id <<<"$body")
	invoice_json "$later"
	assert_jq '.status == "paid" and .balance_cents == 0 and .payment_pending == false and .payable == false'
	# The card was kept and, being the first, is the default; the payment points at it.
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payment-methods
	assert_jq '(.items | length) == 1 and .items[0].is_default and .items[0].last4 == "4242"'
	[[ $(stack_sql "SELECT payment_method_id = (SELECT id FROM payment_methods WHERE customer_id = '$CUSTOMER_ID')
		AND source = 'portal' AND processor = 'sandbox' AND processor_key = 'payment-' || id FROM payments WHERE id = '$id'") == t ]]
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments/$id"
	assert_status 200
	assert_jq '.status == "succeeded" and .method_last4 == "4242"'
}

@test "a partial amount goes to the oldest due first; the last invoice reached is paid in part" {
	account_with_user
	invoice_due 10 10000
	local newer=$INVOICE_ID
	invoice_due -3 10000
	local older=$INVOICE_ID
	add_method tok_mastercard
	pay "$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m, amount_cents: 15000}')"
	assert_status 201
	assert_jq '.amount_cents == 15000 and .method_brand == "mastercard"
		and ([.allocations[] | {(.invoice_id): .amount_cents}] | add) == {"'"$older"'": 10000, "'"$newer"'": 5000}'
	invoice_json "$newer"
	assert_jq '.status == "open" and .balance_cents == 5000 and .payable'
	invoice_json "$older"
	assert_jq '.status == "paid"'
}

@test "chosen invoices are paid in full; a partial amount spreads over the chosen ones only" {
	account_with_user
	invoice_due -5 4000
	local a=$INVOICE_ID
	invoice_due 1 5000
	local b=$INVOICE_ID
	invoice_due 2 6000
	local c=$INVOICE_ID
	add_method tok_visa
	pay "$(jq -cn --arg m "$METHOD_ID" --arg b "$b" '{payment_method_id: $m, invoice_ids: [$b]}')"
	assert_status 201
	assert_jq '.amount_cents == 5000 and (.allocations | length) == 1 and .allocations[0].invoice_id == "'"$b"'"'
	invoice_json "$a"
	assert_jq '.status == "open" and .balance_cents == 4000'
	# 7000 across c and a: a (due first) in full, then 3000 of c.
	pay "$(jq -cn --arg m "$METHOD_ID" --arg a "$a" --arg c "$c" '{payment_method_id: $m, invoice_ids: [$c, $a], amount_cents: 7000}')"
	assert_status 201
	assert_jq '([.allocations[] | {(.invoice_id): .amount_cents}] | add) == {"'"$a"'": 4000, "'"$c"'": 3000}'
	invoice_json "$c"
	assert_jq '.balance_cents == 3000'
}

@test "rule 17: a one-time token with save false pays without keeping the method" {
	account_with_user
	invoice_due 0 2500
	pay '{"payment_token": "tok_amex", "save": false}'
	assert_status 201
	assert_jq '.status == "succeeded" and .method_brand == "amex" and .method_last4 == "0005"'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payment-methods
	assert_jq '.items == []'
	[[ $(stack_sql "SELECT count(*) FROM payment_methods WHERE customer_id = '$CUSTOMER_ID'") == 0 ]]
}

@test "rule 17: paying with no payment method says to add one; nothing is recorded" {
	account_with_user
	invoice_due 0 2500
	pay '{}'
	assert_status 422
	assert_jq '.code == "payment_method_required" and (.detail | test("Add a card or bank account"))
		and .errors[0].field == "payment_method_id"'
	pay "$(jq -cn --arg i "$INVOICE_ID" '{invoice_ids: [$i]}')"
	assert_jq '.code == "payment_method_required"'
	[[ $(payments_of "$CUSTOMER_ID") == 0 ]]
}

@test "bad bodies: every bad field at once; unknown fields; both a method and a token" {
	account_with_user
	invoice_due 0 2500
	pay '{"payment_token": "tok_visa", "payment_method_id": "5c1e9a7b-2d4f-4b6a-8e3c-1f7a9b2d4e6c"}'
	assert_status 422
	assert_jq '.code == "conflicting_fields" and .errors[0].field == "payment_token"'
	pay '{"payment_token": "tok_visa", "amount_cents": 0}'
	assert_jq '.errors[0].field == "amount_cents" and .errors[0].code == "out_of_range"'
	pay '{"payment_token": "tok_visa", "amount_cents": -5}'
	assert_status 422
	pay '{"payment_token": "tok_visa", "amount_cents": 10.5}'
	assert_jq '.errors[0].code == "wrong_type"'
	pay '{"payment_token": "tok_visa", "tip_cents": 5}'
	assert_jq '.code == "unknown_field" and .errors[0].field == "tip_cents"'
	pay '{"payment_method_id": "nope", "amount_cents": "10", "invoice_ids": [], "save": "yes", "extra": 1}'
	assert_status 422
	assert_jq '.code == "validation_failed" and ([.errors[].field] | sort) == ["amount_cents", "extra", "invoice_ids", "payment_method_id", "save"]'
	pay "$(jq -cn --arg i "$INVOICE_ID" '{payment_token: "tok_visa", invoice_ids: [$i, 7, ($i | ascii_upcase)]}')"
	assert_jq '([.errors[] | .field + " " + .code] | sort) == ["invoice_ids[1] wrong_type", "invoice_ids[2] duplicate_invoice"]'
	pay '{"payment_token": "tok_nonsense"}'
	assert_jq '.code == "invalid_payment_token" and .errors[0].field == "payment_token"'
	[[ $(payments_of "$CUSTOMER_ID") == 0 ]]
}

@test "more than is owed, nothing owed, and invoices that cannot be paid are refused by name" {
	account_with_user
	pay '{"payment_token": "tok_visa"}'
	assert_status 422
	assert_jq '.code == "nothing_to_pay"'
	invoice_due 0 2500
	local open=$INVOICE_ID
	pay '{"payment_token": "tok_visa", "amount_cents": 2501}'
	assert_status 422
	assert_jq '.code == "amount_exceeds_balance" and (.detail | test("USD 25.00")) and .errors[0].field == "amount_cents"'
	create_invoice "$CUSTOMER_ID"
	local draft=$INVOICE_ID
	create_invoice "$CUSTOMER_ID" '{"status": "pending"}'
	local pending=$INVOICE_ID
	open_invoice "$CUSTOMER_ID"
	local voided=$INVOICE_ID
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$voided/void" '{"reason": "Billed twice"}'
	fixture_expect 200 "void"
	open_invoice "$CUSTOMER_ID"
	local paid=$INVOICE_ID
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$paid" '{customer_id: $c, amount_cents: 10000, method: "check", allocations: [{invoice_id: $i, amount_cents: 10000}]}')"
	local bad
	for bad in "$draft" "$pending" "$voided" "$paid"; do
		pay "$(jq -cn --arg o "$open" --arg b "$bad" '{payment_token: "tok_visa", invoice_ids: [$o, $b]}')"
		assert_status 422
		assert_jq '.code == "invoice_not_payable" and .errors[0].field == "invoice_ids[1]"'
	done
	pay "$(jq -cn --arg o "$open" '{payment_token: "tok_visa", invoice_ids: [$o], amount_cents: 3000}')"
	assert_jq '.code == "amount_exceeds_balance" and (.detail | test("chosen invoices"))'
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND source = 'portal'") == 0 ]]
}

@test "isolation: another account's, customer's or hauler's invoices and methods read as unknown" {
	create_customer
	local first=$CUSTOMER_ID
	create_customer
	local second=$CUSTOMER_ID
	local email
	email=$(new_address two)
	portal_user "$email" "$first" "$second"
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD" "$second"
	CUSTOMER_ID=$second
	invoice_due 0 1000
	local theirs=$INVOICE_ID
	add_method tok_visa
	local their_method=$METHOD_ID
	switch_to "$first"
	CUSTOMER_ID=$first
	invoice_due 0 1000
	# The same user's other account.
	pay "$(jq -cn --arg i "$theirs" '{payment_token: "tok_visa", invoice_ids: [$i]}')"
	assert_status 422
	assert_jq '.code == "invalid_reference" and .errors[0].field == "invoice_ids[0]"
		and .detail == "Your account has no invoice with this id."'
	pay "$(jq -cn --arg m "$their_method" '{payment_method_id: $m}')"
	assert_jq '.code == "invalid_reference" and .errors[0].field == "payment_method_id"'
	# An unknown id reads the same.
	pay '{"payment_token": "tok_visa", "invoice_ids": ["00000000-0000-4000-8000-000000000000"]}'
	assert_jq '.detail == "Your account has no invoice with this id."'
	pay '{"payment_method_id": "00000000-0000-4000-8000-000000000000"}'
	assert_jq '.code == "invalid_reference" and .errors[0].field == "payment_method_id"'
	# A removed method of the account itself.
	add_method tok_amex
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$METHOD_ID"
	fixture_expect 204 "remove"
	pay "$(jq -cn --arg m "$METHOD_ID" '{payment_method_id: $m}')"
	assert_jq '.code == "invalid_reference" and .errors[0].field == "payment_method_id"'
	# Another hauler's invoice.
	local mine=$PORTAL_TOKEN
	portal_tenant
	account_with_user
	invoice_due 0 1000
	local elsewhere=$INVOICE_ID
	PORTAL_TOKEN=$mine
	pay "$(jq -cn --arg i "$elsewhere" '{payment_token: "tok_visa", invoice_ids: [$i]}')"
	assert_jq '.code == "invalid_reference"'
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id IN ('$first', '$second') AND source = 'portal'") == 0 ]]
}

@test "who may pay: a staff token is forbidden, no token is 401, no Idempotency-Key is 400" {
	account_with_user
	invoice_due 0 1000
	with_bearer "$STAFF_TOKEN" POST /v1/portal/payments '{"payment_token": "tok_visa"}' -H "Idempotency-Key: $(new_idempotency_key)"
	assert_status 403
	# direct: the proxy answers a request without credentials itself
	api_direct POST /v1/portal/payments '{"payment_token": "tok_visa"}' -H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 401 unauthorized
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments '{"payment_token": "tok_visa"}'
	assert_status 400
	assert_jq '.code == "idempotency_key_required"'
	[[ $(payments_of "$CUSTOMER_ID") == 0 ]]
}

@test "Idempotency-Key: the same request replays the first answer; another body is refused" {
	account_with_user
	invoice_due 0 4200
	local key first
	key=$(new_idempotency_key)
	pay '{"payment_token": "tok_visa"}' "$key"
	assert_status 201
	refute_header Idempotent-Replayed
	first=$body
	pay '{"payment_token": "tok_visa"}' "$key"
	assert_status 201
	assert_header Idempotent-Replayed true
	[[ $body == "$first" ]] || fail "the replay differs: $body"
	[[ $(payments_of "$CUSTOMER_ID") == 1 ]]
	[[ $(stack_sql "SELECT count(*) FROM payment_methods WHERE customer_id = '$CUSTOMER_ID'") == 1 ]]
	pay '{"payment_token": "tok_visa", "save": false}' "$key"
	assert_status 422
	assert_jq '.code == "idempotency_key_reused"'
}

@test "payments racing for one invoice: exactly one takes the money, the others are refused" {
	account_with_user
	invoice_due 0 9900
	local i dir=$BATS_TEST_TMPDIR/race pids=()
	mkdir -p "$dir"
	for i in 1 2 3 4 5 6; do
		curl -sS --max-time "$(scaled 20)" -o "$dir/$i.body" -w '%{http_code}' -X POST "$SERVER_URL/v1/portal/payments" \
			-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
			-H "Idempotency-Key: $(new_idempotency_key)" \
			--data "$(jq -cn --arg i "$INVOICE_ID" '{payment_token: "tok_visa", save: false, invoice_ids: [$i]}')" \
			>"$dir/$i.status" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	local statuses
	statuses=$(for i in 1 2 3 4 5 6; do cat "$dir/$i.status"; echo; done | sort | tr -d '\n')
	[[ $statuses == 201422422422422422 ]] || fail "statuses: $statuses; $(cat "$dir"/*.body)"
	for i in 1 2 3 4 5 6; do
		[[ $(cat "$dir/$i.status") == 201 ]] ||
			jq -e '.code == "invoice_not_payable"' "$dir/$i.body" >/dev/null || fail "$(cat "$dir/$i.body")"
	done
	[[ $(stack_sql "SELECT paid_cents || ' ' || status FROM invoices WHERE id = '$INVOICE_ID'") == "9900 paid" ]]
	[[ $(stack_sql "SELECT sum(amount_cents - reversed_cents) FROM payment_allocations WHERE invoice_id = '$INVOICE_ID'") == 9900 ]]
	[[ $(payments_of "$CUSTOMER_ID") == 1 ]]
}

@test "a declined card answers 402 with the reason; the failed payment is listed, the invoice stays open" {
	account_with_user
	invoice_due 0 3100
	local key
	key=$(new_idempotency_key)
	pay '{"payment_token": "tok_chargeDeclined", "save": false}' "$key"
	assert_status 402
	assert_header Content-Type application/problem+json
	assert_jq '.code == "payment_declined" and .detail == "Your card was declined." and (.payment_id | length) == 36'
	local id
	id=$(jq -r .payment_id <<<"$body")
	pay '{"payment_token": "tok_chargeDeclined", "save": false}' "$key"
	assert_status 402
	assert_header Idempotent-Replayed true
	assert_jq '.payment_id == "'"$id"'"'
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments/$id"
	assert_jq '.status == "failed" and .failure_code == "card_declined" and .applied_cents == 0
		and .allocations[0].reversed_cents == 3100'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payments
	assert_jq '.items[0].id == "'"$id"'" and .items[0].status == "failed"'
	invoice_json "$INVOICE_ID"
	assert_jq '.status == "open" and .balance_cents == 3100 and .payment_pending == false'
	pay '{"payment_token": "tok_insufficientFunds"}'
	assert_status 402
	assert_jq '.detail == "Your card has insufficient funds."'
	[[ $(payments_of "$CUSTOMER_ID") == 2 ]]
}

@test "a card payment emails a branded receipt" {
	account_with_user
	local to
	to=$(new_address receipt)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" "$(jq -cn --arg e "$to" '{contacts: [{name: "Ann", email: $e}]}')"
	fixture_expect 200 "contacts"
	invoice_due 0 123456
	pay '{"payment_token": "tok_visa"}'
	assert_status 201
	local ref file
	ref=$(jq -r .reference_number <<<"$body")
	file=$(mail_wait "$to" "receipt")
	assert_branded "$file" "$to"
	[[ $(mail_text "$file") == *"$ref"* && $(mail_text "$file") == *'$1,234.56'* ]] || fail "$(mail_text "$file")"
	[[ $(mail_text "$file") == *"Visa ending in 4242"* ]] || fail "$(mail_text "$file")"
	# The payment receipt PDF rides along: named after the payment date, showing the reference
	# and the amount.
	local name pdf
	name=$("$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" attachments "$file" | cut -f1,2)
	[[ $name == "receipt-payment-"*".pdf	application/pdf" ]] || fail "attachments: $name"
	pdf="$BATS_TEST_TMPDIR/receipt.pdf"
	"$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" attachment "$file" "${name%%	*}" >"$pdf"
	pdftotext -q "$pdf" - | grep -qF "$ref" || fail "the receipt PDF lacks the reference $ref"
	pdftotext -q "$pdf" - | grep -qF '$1,234.56' || fail "the receipt PDF lacks the amount"
}

@test "a bank payment is pending until the worker settles it, then a receipt goes out" {
	account_with_user
	local to
	to=$(new_address ach)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" "$(jq -cn --arg e "$to" '{contacts: [{email: $e}]}')"
	invoice_due 0 5000
	pay '{"payment_token": "tok_bank_account"}'
	assert_status 201
	assert_jq '.status == "pending" and .method == "bank_account" and .method_last4 == "6789" and .method_brand == null'
	local id
	id=$(jq -r .id <<<"$body")
	invoice_json "$INVOICE_ID"
	assert_jq '.status == "paid" and .payment_pending == true and .balance_cents == 0'
	local file
	file=$(mail_wait "$to" "receipt")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments/$id"
	assert_jq '.status == "succeeded"'
	invoice_json "$INVOICE_ID"
	assert_jq '.status == "paid" and .payment_pending == false'
	[[ $(mail_text "$file") == *"Bank account ending in 6789"* ]] || fail "$(mail_text "$file")"
}

@test "a returned bank payment fails later: the invoice owes again and the customer is told" {
	account_with_user
	local to
	to=$(new_address returned)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" "$(jq -cn --arg e "$to" '{contacts: [{email: $e}]}')"
	invoice_due 0 5000
	pay '{"payment_token": "tok_bank_account_returned"}'
	assert_status 201
	assert_jq '.status == "pending"'
	local id file
	id=$(jq -r .id <<<"$body")
	file=$(mail_wait "$to" "did not go through")
	assert_branded "$file" "$to"
	[[ $(mail_text "$file") == *"could not be debited"* ]] || fail "$(mail_text "$file")"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments/$id"
	assert_jq '.status == "failed" and .failure_code == "bank_account_returned" and .applied_cents == 0'
	invoice_json "$INVOICE_ID"
	assert_jq '.status == "open" and .balance_cents == 5000 and .payment_pending == false'
	# One to the billing contact, one to the payer.
	[[ $(recipients payment_failed "$id") == "$(printf '%s\n' "$to" "$USER_EMAIL" | LC_ALL=C sort | paste -sd' ')" ]] ||
		fail "failures to: $(recipients payment_failed "$id")"
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE template = 'payment_receipt' AND payload->>'payment_id' = '$id'") == 0 ]]
}

@test "issue 17: the payer gets the receipt although the account has no contact email" {
	# Joined by invitation: no portal login email, no contact.
	account_with_user
	[[ $(stack_sql "SELECT count(*) FROM customers WHERE id = '$CUSTOMER_ID' AND portal_login_email IS NULL AND contacts = '[]'") == 1 ]]
	invoice_due 0 4200
	local other=$INVOICE_ID
	invoice_due 3 1800
	new_credit "$CUSTOMER_ID" 500 "$(tenant_day 0)"
	pay "$(jq -cn --arg i "$other" '{payment_token: "tok_visa", invoice_ids: [$i]}')"
	assert_status 201
	local id ref file
	id=$(jq -r .id <<<"$body")
	ref=$(jq -r .reference_number <<<"$body")
	file=$(mail_wait "$USER_EMAIL" "receipt")
	assert_branded "$file" "$USER_EMAIL"
	[[ $(mail_text "$file") == *"$ref"* && $(mail_text "$file") == *'$42.00'* ]] || fail "$(mail_text "$file")"
	[[ $(recipients payment_receipt "$id") == "$USER_EMAIL" ]] || fail "receipts to: $(recipients payment_receipt "$id")"
	# The account after the payment, in the dashboard's and the statement's words.
	local text
	text=$(mail_text "$file")
	for want in 'Outstanding balance: $18.00' 'Available credit: $5.00' 'Net balance: $13.00'; do
		[[ $text == *"$want"* ]] || fail "the receipt lacks '$want': $text"
	done
	for want in 'Outstanding balance' '$18.00' 'Available credit' '$5.00' 'Net balance' '$13.00'; do
		[[ $(mail_html "$file") == *"$want"* ]] || fail "the HTML receipt lacks '$want'"
	done
}

@test "issue 17: the payer and the billing contact get one receipt each; nobody gets two; other users none" {
	account_with_user
	local payer=$USER_EMAIL payer_token=$PORTAL_TOKEN contact
	contact=$(new_address billing)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" "$(jq -cn --arg e "$contact" '{contacts: [{name: "Ann", email: $e}]}')"
	fixture_expect 200 "contacts"
	# Another portal user of the same account who does not pay.
	local bystander
	bystander=$(new_address bystander)
	portal_user "$bystander" "$CUSTOMER_ID"
	PORTAL_TOKEN=$payer_token
	invoice_due 0 3000
	pay '{"payment_token": "tok_visa"}'
	assert_status 201
	local id
	id=$(jq -r .id <<<"$body")
	[[ $(recipients payment_receipt "$id") == "$(printf '%s\n' "$contact" "$payer" | LC_ALL=C sort | paste -sd' ')" ]] ||
		fail "receipts to: $(recipients payment_receipt "$id")"
	mail_wait "$payer" "receipt" >/dev/null
	mail_wait "$contact" "receipt" >/dev/null
	# The payer is also the billing contact (in another case): one receipt.
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" "$(jq -cn --arg e "${payer^^}" '{contacts: [{email: $e}]}')"
	fixture_expect 200 "contacts"
	invoice_due 0 1000
	pay '{"payment_token": "tok_visa"}'
	assert_status 201
	id=$(jq -r .id <<<"$body")
	[[ $(recipients payment_receipt "$id") == "$payer" ]] || fail "receipts to: $(recipients payment_receipt "$id")"
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE to_address = '$bystander' AND template = 'payment_receipt'") == 0 ]]
}

@test "issue 17: a returned bank payment emails the payer although the account has no contact email" {
	account_with_user
	invoice_due 0 5000
	pay '{"payment_token": "tok_bank_account_returned"}'
	assert_status 201
	local id file
	id=$(jq -r .id <<<"$body")
	file=$(mail_wait "$USER_EMAIL" "did not go through")
	assert_branded "$file" "$USER_EMAIL"
	[[ $(mail_text "$file") == *"could not be debited"* ]] || fail "$(mail_text "$file")"
	[[ $(mail_text "$file") == *'Outstanding balance: $50.00'* ]] || fail "$(mail_text "$file")"
	[[ $(recipients payment_failed "$id") == "$USER_EMAIL" ]] || fail "failures to: $(recipients payment_failed "$id")"
}
