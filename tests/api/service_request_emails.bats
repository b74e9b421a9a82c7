#!/usr/bin/env bats
# Service request emails (issue 25, item 4): a new request is emailed to the hauler's contact
# address with its details, Reply-To the customer who asked; every status change after that is
# emailed to that customer in the hauler's branding; a customer's cancellation reaches both. Each
# email is queued by the change's own transaction (a trigger on service_request_events), so a
# change that does not happen emails nobody. Dates follow the server's clock
# (CURBSIDE_CLOCK_FILE), as in service_requests.bats.

load helpers

setup_file() {
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock
	printf '2027-03-05T16:00:00Z\n' >"$CLOCK_FILE" # Friday 10:00 in Chicago
	STACK_ENV=(CURBSIDE_CLOCK_FILE="$CLOCK_FILE")
	start_stack
}

teardown_file() {
	stop_stack
}

CATALOG='{
  "closed_weekdays": ["sunday"],
  "request_types": {
    "roll_off_delivery": {"enabled": true, "lead_days": 2, "cutoff_time": "14:00",
      "sizes": [{"code": "20yd", "name": "20-yard roll-off", "price_cents": 42500, "rental_days": 7}]},
    "extra_pickup": {"enabled": true, "lead_days": 1, "price_cents": 2500},
    "missed_pickup": {"enabled": true, "lead_days": 0},
    "vacation_hold": {"enabled": true, "lead_days": 2, "max_days": 21},
    "roll_off_removal": {"enabled": true, "lead_days": 1, "price_cents": 0}
  }
}'

HAULER_EMAIL=office@sr-hauler.example.com
LOGO_URL=https://cdn.sr-hauler.example/logo.png

# hauler_account [SETTINGS_JSON]: a fresh hauler in Chicago with a logo, a brand colour, a contact
# block (unless SETTINGS_JSON says otherwise) and CATALOG; a customer with a named location, a
# weekly service and a delivered roll-off there; a portal user (Pat Jordan) signed in to it. Sets
# STAFF_TOKEN, TENANT_SLUG, TENANT_ID, CUSTOMER_ID, CUSTOMER_NUMBER, LOCATION_ID, SERVICE_ID,
# ORDER_ID, ORDER_NUMBER, USER_ID, USER_EMAIL, PORTAL_TOKEN.
hauler_account() {
	local settings over=${1-}
	[[ -n $over ]] || over='{}'
	settings=$(jq -cn --arg e "$HAULER_EMAIL" --arg l "$LOGO_URL" --argjson o "$over" \
		'{time_zone: "America/Chicago", logo_url: $l, brand_color: "#1F6F43",
		  contact: {email: $e, phone: "+1 217 555 0142"}} + $o')
	portal_tenant "$settings"
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/service-catalog "$CATALOG"
	fixture_expect 200 "save the catalog"
	account_with_user '{"name": "Jordan Household"}'
	create_location "$CUSTOMER_ID" '{"name": "Home"}'
	create_service "$CUSTOMER_ID" "$LOCATION_ID"
	create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l, status: "in_progress"}')"
}

# ask JSON [KEY]: POST /v1/portal/service-requests as PORTAL_TOKEN (Idempotency-Key KEY, or a new
# one); on 201 sets REQUEST_ID and REQUEST_NUMBER.
ask() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/service-requests "$1" \
		-H "Idempotency-Key: ${2:-$(new_idempotency_key)}"
	if [[ $status == 201 ]]; then
		REQUEST_ID=$(jq -r .id <<<"$body")
		REQUEST_NUMBER=$(jq -r .number <<<"$body")
	fi
}

# request_doc TYPE DATE [JSON_OVERRIDES]: a request body at LOCATION_ID.
request_doc() {
	local over=${3-}
	[[ -n $over ]] || over='{}'
	jq -cn --arg t "$1" --arg d "$2" --arg l "$LOCATION_ID" --argjson o "$over" \
		'{type: $t, location_id: $l, date: $d} + $o'
}

# ask_delivery: the customer asks for a 20-yard roll-off on Monday 2027-03-08, with a note.
ask_delivery() {
	ask "$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd", "note": "On the driveway, left side <please>"}')"
	assert_status 201
}

# queued [WHERE]: how many emails about REQUEST_ID are in the outbox (sent or not).
queued() {
	stack_sql "SELECT count(*) FROM outbox WHERE payload->>'request_id' = '$REQUEST_ID'${1:+ AND $1}"
}

# staff_acts ACTION [JSON] [CREDENTIAL]: POST /v1/admin/service-requests/REQUEST_ID/ACTION
# (accept, schedule, decline, complete) as the tenant's admin, or with CREDENTIAL (an API key);
# expects 200. Sets ANSWER to the request as staff see it.
staff_acts() {
	staff_api "${3:-$STAFF_TOKEN}" POST "/v1/admin/service-requests/$REQUEST_ID/$1" "${2-}" || return 1
	fixture_expect 200 "$1 the request" || return 1
	ANSWER=$body
}

# assert_hauler_branding FILE: the logo, brand colour and contact block of hauler_account's hauler.
assert_hauler_branding() {
	local html text
	html=$(mail_html "$1")
	text=$(mail_text "$1")
	[[ $html == *"<img src=\"$LOGO_URL\" alt=\"Hauler $TENANT_SLUG\""* ]] || fail "no logo in the HTML"
	[[ $html == *"border-top:4px solid #1F6F43"* ]] || fail "no brand colour in the HTML"
	[[ $text == *"Phone: +1 217 555 0142"* && $html == *"+1 217 555 0142"* ]] ||
		fail "no contact block"
}

# status_mail SUBJECT_REGEX: wait for the next email to USER_EMAIL about REQUEST_NUMBER whose
# subject matches; check it is the hauler's, branded, Reply-To its contact address. Sets FILE,
# TEXT and HTML.
status_mail() {
	FILE=$(mail_wait "$USER_EMAIL" "^Your request $REQUEST_NUMBER $1") || fail "no email: $1"
	assert_branded "$FILE" "$USER_EMAIL"
	assert_hauler_branding "$FILE"
	[[ $(mail_header "$FILE" Reply-To) == "$HAULER_EMAIL" ]] ||
		fail "Reply-To: $(mail_header "$FILE" Reply-To)"
	TEXT=$(mail_text "$FILE")
	HTML=$(mail_html "$FILE")
}

@test "a new request is emailed to the hauler's contact address with its details, Reply-To the customer" {
	hauler_account
	ask_delivery
	# Queued by the request's own transaction: there as soon as the 201 is.
	[[ $(queued "template = 'service_request_new' AND to_address = '$HAULER_EMAIL'") == 1 ]] ||
		fail "the hauler's email is not queued with the request"
	local file text html
	file=$(mail_wait "$HAULER_EMAIL" "^New service request $REQUEST_NUMBER from account $CUSTOMER_NUMBER: Roll-off delivery\$")
	assert_branded "$file" "$HAULER_EMAIL"
	[[ $(mail_header "$file" Reply-To) == "$USER_EMAIL" ]] || fail "Reply-To: $(mail_header "$file" Reply-To)"
	text=$(mail_text "$file")
	[[ $text == *"Pat Jordan made a service request from the customer portal for account $CUSTOMER_NUMBER (Jordan Household)."* ]] ||
		fail "who and which account are not said: $text"
	[[ $text == *$'Request: '"$REQUEST_NUMBER"$'\nType: Roll-off delivery\nLocation: Home, 12 Oak St, Springfield, IL 62701\nSize: 20-yard roll-off (7 rental days included)\nDate asked for: March 8, 2027\nPrice: $425.00\nNote: On the driveway, left side <please>\n'* ]] ||
		fail "the details are not all there: $text"
	[[ $text == *"answer Pat Jordan at $USER_EMAIL."* ]] || fail "the customer's address is not given"
	html=$(mail_html "$file")
	[[ $html == *'On the driveway, left side &lt;please&gt;'* && $html == *'<td>$425.00</td>'* ]] ||
		fail "the HTML part lacks the escaped note or the price: $html"
	# The customer hears nothing of their own submission (the portal answered them).
	[[ $(queued "to_address = '$USER_EMAIL'") == 0 ]] || fail "the customer was emailed a new request"
}

@test "each type's details reach the hauler: a hold's two dates, a pickup's service and price, a removal's roll-off" {
	hauler_account
	local file
	ask "$(request_doc vacation_hold 2027-03-08 '{"end_date": "2027-03-28"}')"
	assert_status 201
	file=$(mail_wait "$HAULER_EMAIL" "^New service request $REQUEST_NUMBER .*: Vacation hold\$")
	[[ $(mail_text "$file") == *$'Hold: March 8, 2027 to March 28, 2027\nPrice: no charge\n'* ]] ||
		fail "the hold's dates: $(mail_text "$file")"
	[[ $(mail_text "$file") != *"Date asked for"* && $(mail_text "$file") != *"Note:"* ]] ||
		fail "a hold shows a single date or an empty note"

	ask "$(request_doc extra_pickup 2027-03-06 "$(jq -cn --arg s "$SERVICE_ID" '{service_id: $s}')")"
	assert_status 201
	file=$(mail_wait "$HAULER_EMAIL" "^New service request $REQUEST_NUMBER .*: Extra pickup\$")
	[[ $(mail_text "$file") == *$'Service: Residential trash\nDate asked for: March 6, 2027\nPrice: $25.00\n'* ]] ||
		fail "the pickup's service and price: $(mail_text "$file")"

	ask "$(request_doc roll_off_removal 2027-03-06 "$(jq -cn --arg o "$ORDER_ID" '{order_id: $o}')")"
	assert_status 201
	file=$(mail_wait "$HAULER_EMAIL" "^New service request $REQUEST_NUMBER .*: Roll-off removal\$")
	[[ $(mail_text "$file") == *$'Roll-off order: '"$ORDER_NUMBER"$'\nDate asked for: March 6, 2027\nPrice: no charge\n'* ]] ||
		fail "the removal's order: $(mail_text "$file")"
}

@test "a replayed request emails nothing more; a refused one emails nobody" {
	hauler_account
	local key doc
	key=$(new_idempotency_key)
	doc=$(request_doc roll_off_delivery 2027-03-08 '{"size": "20yd"}')
	ask "$doc" "$key"
	assert_status 201
	ask "$doc" "$key"
	assert_status 201
	[[ $(queued) == 1 ]] || fail "a replay queued another email"
	# Inside the lead time: refused, nothing written, nothing queued.
	ask "$(request_doc roll_off_delivery 2027-03-06 '{"size": "20yd"}')"
	assert_problem 422 date_too_soon
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE tenant_id = '$TENANT_ID' AND template LIKE 'service_request%'") == 1 ]] ||
		fail "a refused request queued an email"
}

@test "a hauler without a contact email still takes requests; nobody is emailed about a new one" {
	hauler_account '{"contact": {"phone": "+1 217 555 0142"}}'
	ask_delivery
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE tenant_id = '$TENANT_ID' AND template LIKE 'service_request%'") == 0 ]] ||
		fail "an email was queued without a contact address"
	# Its customers still hear of what staff do.
	staff_acts accept
	[[ $(queued "template = 'service_request_status' AND to_address = '$USER_EMAIL'") == 1 ]] ||
		fail "the customer's email is missing"
}

@test "the customer's own cancel: a confirmation to them, and the hauler is told, Reply-To the customer" {
	hauler_account
	ask_delivery
	mail_wait "$HAULER_EMAIL" "^New service request $REQUEST_NUMBER " >/dev/null
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$REQUEST_ID/cancel"
	assert_status 200
	status_mail 'was cancelled$'
	[[ $TEXT == *$'Hello Pat Jordan,\n\nYou cancelled your request '"$REQUEST_NUMBER for account $CUSTOMER_NUMBER. Nothing more will be done for it."* ]] ||
		fail "not a confirmation: $TEXT"
	[[ $TEXT == *"Type: Roll-off delivery"* && $TEXT == *"Your note: On the driveway"* ]] ||
		fail "the request is not described: $TEXT"
	[[ $TEXT == *"or call us at +1 217 555 0142."* ]] || fail "no way to reach the hauler"

	local file
	file=$(mail_wait "$HAULER_EMAIL" "^Service request $REQUEST_NUMBER from account $CUSTOMER_NUMBER cancelled by the customer\$")
	assert_branded "$file" "$HAULER_EMAIL"
	[[ $(mail_header "$file" Reply-To) == "$USER_EMAIL" ]] || fail "Reply-To: $(mail_header "$file" Reply-To)"
	[[ $(mail_text "$file") == *"Pat Jordan cancelled request $REQUEST_NUMBER (Roll-off delivery) from the customer portal for account $CUSTOMER_NUMBER (Jordan Household)."* ]] ||
		fail "the cancellation is not said: $(mail_text "$file")"
	[[ $(queued) == 3 ]] || fail "expected 3 emails: new, cancelled to each side"
}

@test "another user of the account cancels: the one who asked is told who did" {
	hauler_account
	ask_delivery
	local asker=$USER_EMAIL other
	other=$(new_address sam)
	PORTAL_TOKEN=''
	portal_user "$other" "$CUSTOMER_ID"
	with_bearer "$PORTAL_TOKEN" POST "/v1/portal/service-requests/$REQUEST_ID/cancel"
	assert_status 200
	# Both logins are named Pat Jordan (portal_user's fixture): the sentence is the other user's.
	status_mail 'was cancelled$'
	[[ $TEXT == *"Pat Jordan cancelled your request $REQUEST_NUMBER"* && $TEXT != *"You cancelled"* ]] ||
		fail "the canceller is not named: $TEXT"
	[[ $(queued "to_address = '$other'") == 0 ]] || fail "the canceller was emailed"
	[[ $(mail_header "$FILE" To) == "$asker" ]] || fail "not sent to the asker"
	local file
	file=$(mail_wait "$HAULER_EMAIL" "^Service request $REQUEST_NUMBER .*cancelled by the customer\$")
	[[ $(mail_header "$file" Reply-To) == "$other" ]] || fail "Reply-To is not the one who cancelled"
}

@test "accepted, scheduled, declined, completed: each emailed to the customer in the hauler's branding" {
	hauler_account
	ask_delivery
	mail_wait "$HAULER_EMAIL" "^New service request $REQUEST_NUMBER " >/dev/null
	local new_order
	staff_acts accept
	new_order=$(jq -r .created_order.number <<<"$ANSWER")
	status_mail 'was accepted$'
	[[ $TEXT == *"Hauler $TENANT_SLUG accepted your request $REQUEST_NUMBER for account $CUSTOMER_NUMBER; its order number is $new_order."* ]] ||
		fail "accepted: $TEXT"
	[[ $HTML == *"<strong>$new_order</strong>"* ]] || fail "the order number is not in the HTML"

	staff_acts schedule '{"date": "2027-03-10"}'
	status_mail 'is scheduled for March 10, 2027$'
	[[ $TEXT == *"scheduled your request $REQUEST_NUMBER for account $CUSTOMER_NUMBER on March 10, 2027."* &&
		$TEXT == *$'Date asked for: March 8, 2027\nScheduled for: March 10, 2027\n'* ]] ||
		fail "scheduled: $TEXT"

	new_api_key
	staff_acts complete "" "$API_KEY"
	status_mail 'is complete$'
	[[ $TEXT == *"Hauler $TENANT_SLUG completed your request $REQUEST_NUMBER"* ]] || fail "completed: $TEXT"
	[[ $TEXT != *"accepted your"* && $TEXT != *"declined"* ]] || fail "another status's sentence: $TEXT"

	# The hauler hears of nothing it did itself.
	[[ $(queued "to_address = '$HAULER_EMAIL'") == 1 ]] || fail "the hauler was emailed its own changes"
	[[ $(queued "to_address = '$USER_EMAIL'") == 3 ]] || fail "expected one email per change"
}

@test "a declined request says why, escaped in HTML" {
	hauler_account
	ask_delivery
	staff_acts decline '{"reason": "No room on the driveway for a 20-yard <box> & trailer."}'
	status_mail 'was declined$'
	[[ $TEXT == *"Hauler $TENANT_SLUG declined your request $REQUEST_NUMBER for account $CUSTOMER_NUMBER."* &&
		$TEXT == *"Reason: No room on the driveway for a 20-yard <box> & trailer."* ]] ||
		fail "declined: $TEXT"
	[[ $HTML == *'20-yard &lt;box&gt; &amp; trailer.'* && $HTML != *'<box>'* ]] || fail "the reason is not escaped"
}

@test "an email is queued by the change's own transaction: a change rolled back emails nobody" {
	hauler_account
	ask_delivery
	stack_sql "BEGIN; UPDATE service_requests SET status = 'accepted' WHERE id = '$REQUEST_ID';
		INSERT INTO service_request_events (tenant_id, request_id, status, actor_kind, staff_user_id)
		SELECT r.tenant_id, r.id, 'accepted', 'staff', (SELECT id FROM staff_users WHERE tenant_id = r.tenant_id LIMIT 1)
		FROM service_requests r WHERE r.id = '$REQUEST_ID'; ROLLBACK;" >/dev/null
	[[ $(queued "to_address = '$USER_EMAIL'") == 0 ]] || fail "a rolled-back change queued an email"
	staff_acts accept
	[[ $(queued "to_address = '$USER_EMAIL'") == 1 ]] || fail "the committed change queued no email"
}

@test "joined by invitation only: the account has no address of its own, and the email goes to the login" {
	hauler_account
	# The invitation gave the login an email; the account itself has no login email or contact.
	[[ $(stack_sql "SELECT a.email IS NULL FROM customers c, customer_email_address(c) a WHERE c.id = '$CUSTOMER_ID'") == t ]] ||
		fail "the fixture's account has an address of its own"
	ask_delivery
	staff_acts accept
	status_mail 'was accepted$'
}

@test "a request without a signed-in asker goes to the account's address; with none, the change happens unmailed" {
	hauler_account
	ask_delivery
	# Stands in for a request on record without a portal user (portal_user_id is nullable; no
	# endpoint makes one yet): its emails go to the account's address, as invoices choose it.
	local contact
	contact=$(new_address robin)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" \
		"$(jq -cn --arg e "$contact" '{contacts: [{name: "Robin Banks", email: $e}]}')"
	assert_status 200
	stack_sql "UPDATE service_requests SET portal_user_id = NULL WHERE id = '$REQUEST_ID'" >/dev/null
	staff_acts accept
	local file
	file=$(mail_wait "$contact" "^Your request $REQUEST_NUMBER was accepted\$")
	assert_branded "$file" "$contact"
	[[ $(mail_text "$file") == *$'Hello Robin,\n'* ]] || fail "not greeted by the contact's first name"

	# No address at all: the change is made, and nothing is queued for the customer.
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"contacts": []}'
	assert_status 200
	staff_acts complete
	[[ $(stack_sql "SELECT status FROM service_requests WHERE id = '$REQUEST_ID'") == completed ]]
	[[ $(queued "template = 'service_request_status'") == 1 ]] || fail "an email was queued without an address"
}

@test "another hauler's request emails only its own contact address" {
	hauler_account
	ask_delivery
	local first_request=$REQUEST_ID
	hauler_account "$(jq -cn '{contact: {email: "desk@other-hauler.example.com"}}')"
	ask_delivery
	[[ $(queued) == 1 && $(queued "to_address = 'desk@other-hauler.example.com'") == 1 ]] ||
		fail "the second hauler's request went elsewhere"
	REQUEST_ID=$first_request
	[[ $(queued "to_address = 'desk@other-hauler.example.com'") == 0 ]] || fail "crossed tenants"
}
