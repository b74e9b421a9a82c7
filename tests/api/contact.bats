#!/usr/bin/env bats
# Contact Us (API.md rule 23): a customer's message reaches the hauler's contact address with the
# account number and the user's email as Reply-To; lengths and formats are checked; each user may
# send a bounded number per hour; a hauler without a contact email is said so.

load helpers

setup_file() {
	start_portal_stack
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings \
		'{"contact": {"email": "office@hauler.example.com", "phone": "+1 555 0100"}}'
	fixture_expect 200 "set the hauler's contact email"
	export HAULER_EMAIL=office@hauler.example.com
}

teardown_file() {
	stop_stack
}

# contact SUBJECT MESSAGE: POST /v1/portal/contact with PORTAL_TOKEN (the request is left in
# status/body/headers).
contact() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/contact \
		"$(jq -cn --arg s "$1" --arg m "$2" '{subject: $s, message: $m}')"
}

# contact_rows: how many contact messages the current user has on record.
contact_rows() {
	stack_sql "SELECT count(*) FROM contact_messages WHERE portal_user_id = '$USER_ID'"
}

@test "rule 23: the message is emailed to the hauler's contact address, Reply-To the user" {
	account_with_user '{"name": "Jordan Household"}'
	local number
	number=$(stack_sql "SELECT account_number FROM customers WHERE id = '$CUSTOMER_ID'")
	contact "  Missed pickup  " $'The bin on Elm St was not emptied today.\nCan you come back?'
	assert_status 202
	assert_header Cache-Control no-store
	assert_jq --arg e "$USER_EMAIL" 'keys_unsorted == ["id", "status", "reply_to"]
		and .status == "queued" and .reply_to == $e and (.id | test("^[0-9a-f-]{36}$"))'
	local id file
	id=$(jq -r .id <<<"$body")

	file=$(mail_wait "$HAULER_EMAIL" "^Portal message from account $number: Missed pickup\$")
	local reply_to
	reply_to=$(mail_header "$file" Reply-To)
	[[ $reply_to == "$USER_EMAIL" ]] || fail "Reply-To: $reply_to"
	[[ $(mail_header "$file" From) == "Hauler $TENANT_SLUG <$MAIL_FROM_ADDRESS>" ]] ||
		fail "From: $(mail_header "$file" From)"
	local text
	text=$(mail_text "$file")
	[[ $text == *"Pat Jordan wrote from the customer portal about account $number (Jordan Household)"* ]] ||
		fail "the sender and account are not named: $text"
	[[ $text == *$'The bin on Elm St was not emptied today.\nCan you come back?'* ]] ||
		fail "the message is not in the text part: $text"
	[[ $text == *"$USER_EMAIL"* ]] || fail "the user's email is not in the text part"
	# The record keeps who wrote, from where, and which email carried it; not the text.
	[[ $(stack_sql "SELECT customer_id, client_address, outbox_id IS NOT NULL FROM contact_messages WHERE id = '$id'") == "$CUSTOMER_ID|127.0.0.1|t" ]] ||
		fail "the contact message record is wrong"
}

@test "the HTML part escapes what the customer wrote and keeps its line breaks" {
	account_with_user
	contact 'A <b>bold</b> subject' $'<script>alert(1)</script>\nsecond line & more'
	assert_status 202
	local file html
	file=$(mail_wait "$HAULER_EMAIL" ': A <b>bold</b> subject$')
	html=$(mail_html "$file")
	[[ $html == *'&lt;script&gt;alert(1)&lt;/script&gt;'* && $html != *'<script>'* ]] ||
		fail "the message is not escaped: $html"
	[[ $html == *'A &lt;b&gt;bold&lt;/b&gt; subject'* ]] || fail "the subject is not escaped"
	[[ $(tr -d '\r' <<<"$html") == *$'&lt;/script&gt;<br>\nsecond line &amp; more'* ]] ||
		fail "the line break is not kept: $html"
}

@test "every bad field is reported at once and nothing is queued" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/contact '{"subject": "   ", "message": 5, "urgent": true}'
	assert_problem 422 validation_failed
	assert_field_errors_exactly message subject urgent
	assert_field_error subject 'too_short|required'
	assert_field_error message wrong_type
	assert_field_error urgent unknown_field

	with_bearer "$PORTAL_TOKEN" POST /v1/portal/contact '{}'
	assert_problem 422 required
	assert_field_errors_exactly message subject

	# The subject becomes an email header: one line only.
	contact $'Hello\r\nBcc: someone@example.com' "body"
	assert_problem 422 invalid_format
	assert_field_error subject invalid_format

	contact "$(printf 'x%.0s' {1..201})" "$(printf 'y%.0s' {1..5001})"
	assert_problem 422 too_long
	assert_field_errors_exactly message subject

	contact "Tabs" $'a\tb'
	assert_field_error message invalid_format

	# direct: the proxy cannot forward a body that is not JSON
	api_direct POST /v1/portal/contact '{"subject": "x", ' -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_problem 400 malformed_json
	[[ $(contact_rows) == 0 ]] || fail "a refused message was recorded"
}

@test "the longest accepted message and subject go through" {
	account_with_user
	contact "$(printf 's%.0s' {1..200})" "$(printf 'm%.0s' {1..5000})"
	assert_status 202
}

@test "each user may send 5 messages an hour; the 6th is 429 with Retry-After" {
	account_with_user
	local i started=$SECONDS
	for i in 1 2 3 4 5; do
		contact "Question $i" "Message $i"
		assert_status 202
	done
	contact "Question 6" "Message 6"
	assert_problem 429 too_many_messages
	# Until the first message is an hour old: an hour less the time these requests took.
	local wait
	wait=$(header Retry-After)
	((wait <= 3600 && wait >= 3600 - (SECONDS - started) - 2)) ||
		fail "Retry-After is $wait, $((SECONDS - started)) s after the first message"
	[[ $(contact_rows) == 5 ]] || fail "the refused message was recorded"

	# Another user of the same hauler is not held back.
	local first_token=$PORTAL_TOKEN first_user=$USER_ID
	account_with_user
	contact "Mine" "Not throttled"
	assert_status 202

	# An hour later the first user may write again.
	stack_sql "UPDATE contact_messages SET created_at = created_at - interval '61 minutes' WHERE portal_user_id = '$first_user'" >/dev/null
	PORTAL_TOKEN=$first_token
	contact "Question 6" "Message 6"
	assert_status 202
}

@test "parallel sends cannot pass the hourly budget" {
	account_with_user
	local i dir=$BATS_TEST_TMPDIR/par pids=()
	mkdir -p "$dir"
	for i in 1 2 3 4 5 6 7 8; do
		curl -sS --max-time "$(scaled 20)" -o /dev/null -w '%{http_code}\n' -X POST "$SERVER_URL/v1/portal/contact" \
			-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
			-d "{\"subject\": \"p$i\", \"message\": \"m\"}" >"$dir/$i" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	[[ $(cat "$dir"/* | grep -c 202) == 5 && $(cat "$dir"/* | grep -c 429) == 3 ]] ||
		fail "statuses: $(cat "$dir"/* | tr '\n' ' ')"
	[[ $(contact_rows) == 5 ]] || fail "$(contact_rows) messages recorded"
}

@test "a hauler without a contact email answers 409 contact_email_missing with its phone" {
	local slug=$TENANT_SLUG token=$STAFF_TOKEN
	portal_tenant '{"contact": {"phone": "+1 555 0199"}}'
	account_with_user
	contact "Hello" "Anyone there?"
	assert_problem 409 contact_email_missing
	assert_jq '.detail | contains("+1 555 0199")'
	[[ $(contact_rows) == 0 ]] || fail "a message was recorded"
	TENANT_SLUG=$slug STAFF_TOKEN=$token
}

@test "only a signed-in portal user with an account may write" {
	# direct: the proxy answers a request without credentials itself
	api_direct POST /v1/portal/contact '{"subject": "x", "message": "y"}'
	assert_problem 401 unauthorized
	staff_api "$STAFF_TOKEN" POST /v1/portal/contact '{"subject": "x", "message": "y"}'
	assert_problem 403 forbidden
}

@test "rule 9: a login with several accounts must choose one first: 403 account_selection_required, nothing queued" {
	local first email
	create_customer
	first=$CUSTOMER_ID
	create_customer
	email=$(new_address several)
	portal_user "$email" "$first" "$CUSTOMER_ID"
	portal_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD"
	assert_jq '.account_selection_required == true'
	contact "Missed pickup" "The bin on Elm St was not emptied."
	assert_problem 403 account_selection_required
	[[ $(contact_rows) == 0 ]] || fail "a message was recorded"
	switch_to "$first"
	contact "Missed pickup" "The bin on Elm St was not emptied."
	assert_status 202
	[[ $(contact_rows) == 1 ]] || fail "the message after choosing was not recorded"
}
