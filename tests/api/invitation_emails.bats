#!/usr/bin/env bats
# Issue 21, items 6 and 7: the emails of joining the portal read like the hauler wrote them. An
# address that already has a login is told it has access to one more account and signs in from
# the link, never asked to create a password, and the activation page says the address has a
# login; the verification emails greet a person, not the account; expiry times carry the hauler's
# time zone with its abbreviation; the invitation's button says "Activate account" (seed 001).
# Every email is read from the SMTP sink, as the customer receives it.

load helpers

setup_file() {
	start_stack
	# A hauler in a zone that is not UTC: its customers read CST (CDT in summer).
	portal_tenant '{"time_zone": "America/Chicago"}'
	export TENANT_SLUG TENANT_ID STAFF_TOKEN STAFF_EMAIL
}

teardown_file() {
	stop_stack
}

# chicago_time INSTANT: an RFC 3339 instant as the hauler's customers should read it, worked out
# by date(1) from the system's zone database: "December 20, 2026 at 5:28 AM CST".
chicago_time() {
	TZ=America/Chicago LC_ALL=C date -d "@$(date -d "$1" +%s)" '+%B %-d, %Y at %-I:%M %p %Z'
}

# staff_invite EMAIL CUSTOMER_ID: staff invite EMAIL; sets INVITE_TOKEN and INVITE_EXPIRES (the
# answer's expires_at).
staff_invite() {
	invite "$1" "$2" || return 1
	INVITE_EXPIRES=$(jq -r .expires_at <<<"$body")
}

# accept TOKEN EMAIL FULL_NAME [curl args...]: POST the acceptance of invitation TOKEN.
accept() {
	api POST "/v1/invitations/$1/accept" \
		"$(jq -cn --arg e "$2" --arg n "$3" --arg p "$TEST_PASSWORD" '{email: $e, full_name: $n, password: $p}')" \
		"${@:4}"
}

# assert_no_create_password FILE: neither part of the email asks to create a password.
assert_no_create_password() {
	local text html
	text=$(mail_text "$1")
	html=$(mail_html "$1")
	[[ ${text,,} != *"create your password"* && ${html,,} != *"create your password"* &&
		${text,,} != *"create a password"* ]] || fail "asks to create a password: $text"
}

# existing_login: a customer with a portal user ("Pat Jordan", signed in). Sets LOGIN (the
# address), LOGIN_TOKEN and LOGIN_ID.
existing_login() {
	create_customer || return 1
	LOGIN=$(new_address pat)
	PORTAL_TOKEN=''
	portal_user "$LOGIN" "$CUSTOMER_ID" || return 1
	LOGIN_TOKEN=$PORTAL_TOKEN
	LOGIN_ID=$USER_ID
}

# ------------------------------------------------------------------------- item 6: existing logins

@test "item 6: inviting an address that has a login announces one more account with a sign-in link; signed in, the link adds it" {
	existing_login
	create_customer '{"name": "Jordan Rentals LLC", "kind": "commercial"}'
	staff_invite "$LOGIN" "$CUSTOMER_ID"
	file=$(mail_wait "$LOGIN" "^You now have access to account $CUSTOMER_NUMBER at Hauler $TENANT_SLUG\$")
	assert_branded "$file" "$LOGIN"
	text=$(mail_text "$file")
	[[ $text == *"Hi Pat,"* && $text == *"account $CUSTOMER_NUMBER (Jordan Rentals LLC)"* &&
		$text == *"login you already have"* ]] || fail "$text"
	[[ $(mail_link "$file") == "https://$TENANT_SLUG.portal.example.test/invitations/$INVITE_TOKEN" ]] ||
		fail "link: $(mail_link "$file")"
	[[ $(mail_html "$file") == *">Sign in</a>"* ]] || fail "no Sign in button"
	assert_no_create_password "$file"
	[[ $text == *"works until $(chicago_time "$INVITE_EXPIRES")."* ]] || fail "expiry: $text"
	# The activation page tells the SPA to offer sign-in; accepted signed in, the account joins
	# the login and nothing else changes.
	api GET "/v1/invitations/$INVITE_TOKEN"
	assert_status 200
	assert_jq '.email_has_login == true'
	accept "$INVITE_TOKEN" "$LOGIN" 'Pat Jordan' -H "Authorization: Bearer $LOGIN_TOKEN"
	assert_status 200
	assert_json .user.id "$LOGIN_ID"
	assert_json .account_id "$CUSTOMER_ID"
	assert_jq '.accounts | length == 2'
}

@test "item 6: switching the portal on with an existing login's email, and resending, announce the account instead of Create Password" {
	existing_login
	create_customer
	staff_api "$STAFF_TOKEN" PUT "/v1/admin/customers/$CUSTOMER_ID/portal" \
		"$(jq -cn --arg e "$LOGIN" '{enabled: true, login_email: $e}')"
	assert_status 200
	assert_json .customer.portal.invitation.kind create_password
	id=$(jq -r .customer.portal.invitation.id <<<"$body")
	token=$(jq -r '.customer.portal.invitation.url | split("/") | last' <<<"$body")
	file=$(mail_wait "$LOGIN" "^You now have access to account $CUSTOMER_NUMBER at Hauler $TENANT_SLUG\$")
	assert_no_create_password "$file"
	[[ $(mail_token "$file") == "$token" ]]
	api GET "/v1/invitations/$token"
	assert_status 200
	assert_json .kind create_password
	assert_jq '.email_has_login == true'
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invitations/$id/resend"
	assert_status 200
	token=$(jq -r '.url | split("/") | last' <<<"$body")
	file=$(mail_wait "$LOGIN" "^You now have access to account $CUSTOMER_NUMBER ")
	assert_no_create_password "$file"
	[[ $(mail_token "$file") == "$token" ]]
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE to_address = '$LOGIN' AND template = 'create_password'") == 0 ]] ||
		fail "a Create Password email was queued for an address with a login"
}

@test "item 6: the activation page says email_has_login false for a new address, and true once that address has a login" {
	create_customer
	first=$CUSTOMER_ID
	address=$(new_address new)
	staff_invite "$address" "$first"
	first_token=$INVITE_TOKEN
	file=$(mail_wait "$address" "^Hauler $TENANT_SLUG invited you to your online account\$")
	assert_no_create_password "$file"
	api GET "/v1/invitations/$first_token"
	assert_status 200
	assert_jq '.email_has_login == false'
	# The address gets a login through another account's invitation.
	create_customer
	staff_invite "$address" "$CUSTOMER_ID"
	accept "$INVITE_TOKEN" "$address" 'Sam New'
	assert_status 200
	api GET "/v1/invitations/$first_token"
	assert_status 200
	assert_jq '.email_has_login == true'
	# Accepted without being signed in, it is the emailed proof that links it (rule 6a), and that
	# email greets the login's owner.
	accept "$first_token" "$address" 'Somebody Else'
	assert_status 202
	file=$(mail_wait "$address" "^Confirm it's you")
	[[ $(mail_text "$file") == *"Hello Sam New,"* ]] || fail "$(mail_text "$file")"
	[[ $(mail_text "$file") != *"Somebody Else"* ]]
}

# ------------------------------------------------------------- item 7: emails read like the hauler's

@test "item 7: the invitation's button says Activate account and its expiry is in the hauler's time zone with the abbreviation" {
	create_customer
	address=$(new_address invitee)
	staff_invite "$address" "$CUSTOMER_ID"
	file=$(mail_wait "$address" "^Hauler $TENANT_SLUG invited you to your online account\$")
	html=$(mail_html "$file")
	text=$(mail_text "$file")
	[[ $html == *">Activate account</a>"* ]] || fail "button: $html"
	[[ $html != *"Accept the invitation"* && $text != *"Accept the invitation"* ]]
	[[ $text == *"Activate your account here"* ]] || fail "$text"
	want=$(chicago_time "$INVITE_EXPIRES")
	[[ $want =~ \ (CST|CDT)$ ]] || fail "date(1) gave $want"
	[[ $text == *"This invitation works until $want."* ]] || fail "expiry, want '$want': $text"
	[[ $html == *"This invitation works until $want."* ]] || fail "expiry in the HTML"
}

@test "item 7: the verification email greets the person who signed up, not the account; its expiry carries the zone" {
	create_customer '{"name": "Lakeshore Rentals LLC", "kind": "commercial"}'
	staff_invite "$(new_address invited)" "$CUSTOMER_ID"
	other=$(new_address robin)
	accept "$INVITE_TOKEN" "$other" '  Robin Example '
	assert_status 202
	file=$(mail_wait "$other" "^Confirm your email for Hauler $TENANT_SLUG\$")
	text=$(mail_text "$file")
	[[ $text == *"Hello Robin Example,"* ]] || fail "greeting: $text"
	[[ $text != *"Hello Lakeshore"* && $(mail_html "$file") == *"<p>Hello Robin Example,</p>"* ]]
	expires=$(stack_sql "SELECT to_json(expires_at) #>> '{}' FROM portal_tokens
		WHERE token_hash = '$(sha256_hex "$(mail_token "$file")")'")
	[[ $text == *"works until $(chicago_time "$expires")."* ]] || fail "expiry: $text"
}

@test "item 7: the login page's sign-up gives no name, so its verification email says Hello, never the account's name" {
	create_customer '{"name": "Lakeshore Rentals LLC", "kind": "commercial"}'
	open_invoice "$CUSTOMER_ID"
	address=$(new_address self)
	api POST "/v1/tenants/$TENANT_SLUG/signup" "$(jq -cn --arg a "$CUSTOMER_NUMBER" \
		--arg i "$INVOICE_NUMBER" --arg e "$address" '{account_number: $a, invoice_number: $i, email: $e}')"
	assert_status 202
	text=$(mail_text "$(mail_wait "$address" "^Confirm your email")")
	[[ $text == *"Hello,"* && $text != *"Lakeshore"* ]] || fail "$text"
}
