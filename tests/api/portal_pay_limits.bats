#!/usr/bin/env bats
# Card-testing limits (API.md rule 27, issue 16 item 6) on the sandbox processor: declined
# charges and new payment methods per portal user and per account in a rolling hour, answered
# 429 with Retry-After and a stable code; a refused attempt writes nothing and does not use up its
# Idempotency-Key; requests fired at once cannot pass the limit; successful payments and saved
# methods are not what is limited. The defaults are used: 5 declines, 10 new methods an hour.

load helpers

setup_file() {
	STACK_ENV=(CURBSIDE_PAYMENTS=sandbox)
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

# decline N: N declined one-dollar charges with a new card each, every one answered 402.
decline() {
	local n
	for ((n = 0; n < $1; n++)); do
		pay '{"payment_token": "tok_chargeDeclined", "save": false, "amount_cents": 100}'
		fixture_expect 402 "decline $((n + 1))"
	done
}

# add_method TOKEN: POST /v1/portal/payment-methods with PORTAL_TOKEN (the status is the test's).
add_method() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods "$(jq -cn --arg t "$1" '{payment_token: $t}')"
}

# owing CUSTOMER_ID: an open invoice of $1,000 on the account, due today.
owing() {
	open_invoice "$1" '{"lines": [{"description": "Roll-off", "unit_price_cents": 100000}]}'
}

# counts CUSTOMER_ID: "<payments> <payment methods>" of the account.
counts() {
	stack_sql "SELECT (SELECT count(*) FROM payments WHERE customer_id = '$1') || ' ' ||
		(SELECT count(*) FROM payment_methods WHERE customer_id = '$1')"
}

# assert_limited CODE: the response is 429 CODE with a Retry-After of 1 to 3600 seconds.
assert_limited() {
	assert_problem 429 "$1"
	assert_header_matches Retry-After '^[1-9][0-9]*$'
	(($(header Retry-After) <= 3600)) || fail "Retry-After is $(header Retry-After)"
}

@test "declines: the 6th charge in an hour is 429 too_many_declines; nothing is written; the key stays usable" {
	account_with_user
	owing "$CUSTOMER_ID"
	decline 5
	local key
	key=$(new_idempotency_key)
	pay '{"payment_token": "tok_visa", "amount_cents": 100}' "$key"
	assert_limited too_many_declines
	assert_jq '.detail | test("declined")'
	[[ $(counts "$CUSTOMER_ID") == "5 0" ]] || fail "written: $(counts "$CUSTOMER_ID")"
	# A saved card is a charge too.
	stack_sql "SELECT payment_method_add('$TENANT_ID', '$CUSTOMER_ID', 'sandbox',
		'{\"processor_ref\": \"pm_sandbox_visa_x\", \"type\": \"card\", \"brand\": \"visa\", \"last4\": \"4242\",
		  \"exp_month\": 12, \"exp_year\": 2034}', false)" >/dev/null
	local method
	method=$(stack_sql "SELECT id FROM payment_methods WHERE customer_id = '$CUSTOMER_ID'")
	pay "$(jq -cn --arg m "$method" '{payment_method_id: $m, amount_cents: 100}')"
	assert_limited too_many_declines
	# Retry-After counts from the oldest decline still in the window, not a fixed hour.
	stack_sql "UPDATE payments SET created_at = now() - interval '55 minutes' WHERE customer_id = '$CUSTOMER_ID'"
	pay '{"payment_token": "tok_visa", "amount_cents": 100}' "$key"
	assert_limited too_many_declines
	(($(header Retry-After) <= 300)) || fail "Retry-After is $(header Retry-After), expected at most 300"
	[[ $(counts "$CUSTOMER_ID") == "5 1" ]] || fail "written: $(counts "$CUSTOMER_ID")"
	# Once they are more than an hour old the same key and body go through: the refusals did not
	# use the key up.
	stack_sql "UPDATE payments SET created_at = now() - interval '61 minutes' WHERE customer_id = '$CUSTOMER_ID'"
	pay '{"payment_token": "tok_visa", "amount_cents": 100}' "$key"
	assert_status 201
	refute_header Idempotent-Replayed
	assert_jq '.status == "succeeded" and .amount_cents == 100'
}

@test "declines are limited per user and per account: the same user's other account, another user of the account" {
	create_customer
	local a=$CUSTOMER_ID
	create_customer
	local b=$CUSTOMER_ID
	owing "$a"
	owing "$b"
	local both other solo
	both=$(new_address both)
	portal_user "$both" "$a" "$b"
	other=$(new_address other)
	portal_user "$other" "$a"
	local other_token=$PORTAL_TOKEN
	solo=$(new_address solo)
	portal_user "$solo" "$b"
	local solo_token=$PORTAL_TOKEN
	portal_login "$TENANT_SLUG" "$both" "$TEST_PASSWORD" "$a"
	local both_token=$PORTAL_TOKEN
	decline 5
	pay '{"payment_token": "tok_visa", "amount_cents": 100}'
	assert_limited too_many_declines
	# The same user on another account: the user's declines count.
	switch_to "$b"
	pay '{"payment_token": "tok_visa", "amount_cents": 100}'
	assert_limited too_many_declines
	# Another user of the first account: the account's declines count.
	PORTAL_TOKEN=$other_token
	pay '{"payment_token": "tok_visa", "amount_cents": 100}'
	assert_limited too_many_declines
	[[ $(counts "$a") == "5 0" && $(counts "$b") == "0 0" ]] || fail "written: $(counts "$a") / $(counts "$b")"
	# Neither the second account nor its other user is limited by them.
	PORTAL_TOKEN=$solo_token
	pay '{"payment_token": "tok_visa", "amount_cents": 100, "save": false}'
	assert_status 201
	PORTAL_TOKEN=$both_token
	pay '{"payment_token": "tok_visa", "amount_cents": 100}'
	assert_limited too_many_declines
}

@test "declines fired at once cannot pass the limit: two users of one account, eight charges, five are tried" {
	create_customer
	owing "$CUSTOMER_ID"
	portal_user "$(new_address racer)" "$CUSTOMER_ID"
	local first=$PORTAL_TOKEN
	portal_user "$(new_address racer)" "$CUSTOMER_ID"
	local second=$PORTAL_TOKEN
	local i token dir=$BATS_TEST_TMPDIR/race pids=()
	mkdir -p "$dir"
	for i in 1 2 3 4 5 6 7 8; do
		token=$first
		((i % 2)) || token=$second
		# direct: many requests in flight at once; the statuses are checked below
		curl -sS --max-time 60 -o "$dir/$i.body" -w '%{http_code}' -X POST "$SERVER_URL/v1/portal/payments" \
			-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
			-H "Idempotency-Key: $(new_idempotency_key)" \
			--data '{"payment_token": "tok_chargeDeclined", "save": false, "amount_cents": 100}' \
			>"$dir/$i.status" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	local statuses
	statuses=$(for i in 1 2 3 4 5 6 7 8; do cat "$dir/$i.status"; echo; done | sort | tr -d '\n')
	[[ $statuses == 402402402402402429429429 ]] || fail "statuses: $statuses; $(cat "$dir"/*.body)"
	for i in 1 2 3 4 5 6 7 8; do
		[[ $(cat "$dir/$i.status") == 402 ]] ||
			jq -e '.code == "too_many_declines"' "$dir/$i.body" >/dev/null || fail "$(cat "$dir/$i.body")"
	done
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status = 'failed'") == 5 ]]
	[[ $(counts "$CUSTOMER_ID") == "5 0" ]] || fail "written: $(counts "$CUSTOMER_ID")"
}

@test "successful payments are not limited and do not count: four declines, six payments, one more decline" {
	account_with_user
	owing "$CUSTOMER_ID"
	decline 4
	add_method tok_visa
	assert_status 201
	local method i
	method=$(jq -r .id <<<"$body")
	for i in 1 2 3 4 5 6; do
		pay "$(jq -cn --arg m "$method" '{payment_method_id: $m, amount_cents: 100}')"
		assert_status 201
	done
	decline 1
	pay "$(jq -cn --arg m "$method" '{payment_method_id: $m, amount_cents: 100}')"
	assert_limited too_many_declines
	[[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status = 'succeeded'") == 6 ]]
}

@test "new payment methods: the 11th in an hour is 429 too_many_payment_methods, per user and per account" {
	create_customer
	local a=$CUSTOMER_ID
	create_customer
	local b=$CUSTOMER_ID
	owing "$a"
	owing "$b"
	local both other
	both=$(new_address both)
	portal_user "$both" "$a" "$b"
	other=$(new_address other)
	portal_user "$other" "$a"
	local other_token=$PORTAL_TOKEN
	portal_login "$TENANT_SLUG" "$both" "$TEST_PASSWORD" "$a"
	local i method
	for i in 1 2 3 4 5 6 7 8 9 10; do
		add_method tok_mastercard
		fixture_expect 201 "method $i"
	done
	method=$(jq -r .id <<<"$body")
	# Removing one does not give it back.
	with_bearer "$PORTAL_TOKEN" DELETE "/v1/portal/payment-methods/$method"
	fixture_expect 204 "remove"
	add_method tok_visa
	assert_limited too_many_payment_methods
	[[ $(counts "$a") == "0 10" ]] || fail "written: $(counts "$a")"
	# A new card on the way to paying is a new method too, saved or not.
	pay '{"payment_token": "tok_visa", "amount_cents": 100, "save": false}'
	assert_limited too_many_payment_methods
	pay '{"payment_token": "tok_visa", "amount_cents": 100}'
	assert_limited too_many_payment_methods
	[[ $(counts "$a") == "0 10" ]] || fail "written: $(counts "$a")"
	# A saved method still pays.
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/payment-methods
	method=$(jq -r '.items[0].id' <<<"$body")
	pay "$(jq -cn --arg m "$method" '{payment_method_id: $m, amount_cents: 100}')"
	assert_status 201
	# The same user on another account, and another user of this account.
	switch_to "$b"
	add_method tok_visa
	assert_limited too_many_payment_methods
	PORTAL_TOKEN=$other_token
	add_method tok_visa
	assert_limited too_many_payment_methods
	[[ $(counts "$b") == "0 0" ]] || fail "written: $(counts "$b")"
}

@test "one-time cards count as new methods: ten payments with a new card, then 429" {
	account_with_user
	owing "$CUSTOMER_ID"
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pay '{"payment_token": "tok_amex", "amount_cents": 100, "save": false}'
		fixture_expect 201 "payment $i"
	done
	pay '{"payment_token": "tok_amex", "amount_cents": 100, "save": false}'
	assert_limited too_many_payment_methods
	add_method tok_visa
	assert_limited too_many_payment_methods
	[[ $(counts "$CUSTOMER_ID") == "10 0" ]] || fail "written: $(counts "$CUSTOMER_ID")"
}

@test "new methods added at once cannot pass the limit: twelve at once, ten are saved" {
	account_with_user
	local i dir=$BATS_TEST_TMPDIR/race pids=()
	mkdir -p "$dir"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		# direct: many requests in flight at once; the statuses are checked below
		curl -sS --max-time 60 -o "$dir/$i.body" -w '%{http_code}' -X POST "$SERVER_URL/v1/portal/payment-methods" \
			-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
			--data '{"payment_token": "tok_visa"}' >"$dir/$i.status" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	local statuses
	statuses=$(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cat "$dir/$i.status"; echo; done | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
	[[ $statuses == "201x10 429x2 " ]] || fail "statuses: $statuses; $(cat "$dir"/*.body)"
	[[ $(counts "$CUSTOMER_ID") == "0 10" ]] || fail "written: $(counts "$CUSTOMER_ID")"
}
