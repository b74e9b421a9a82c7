#!/usr/bin/env bats
# Staff invitations (rule 3): inviting a person to a customer's portal by first name and email,
# the customer-bound link (emailed, shown in the invitation and in the customer profile), saving
# the contact, listing, resending (new link, old one dead) and revoking; email validation (rule 4)
# and tenant isolation. Each emailed link is followed through the SMTP sink.

load helpers

INVITATION_KEYS='["accepted_at","created_at","customer_id","email","expires_at","first_name","id","kind","revoked_at","sent_at","status","url"]'

setup_file() {
	start_stack
	# A neighbour hauler with a customer and a pending invitation tenant A must never reach.
	new_staff_token admin other
	export B_TOKEN=$STAFF_TOKEN
	new_api_key b-sync
	export B_KEY=$API_KEY
	create_customer
	export B_CUSTOMER_ID=$CUSTOMER_ID
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/invitations" \
		'{"first_name": "Neighbour", "email": "neighbour@example.com"}'
	fixture_expect 201 "tenant B's invitation"
	export B_INVITATION_ID
	B_INVITATION_ID=$(jq -r .id <<<"$body")
}

teardown_file() {
	stop_stack
}

# Every test: a fresh hauler with its portal on, a staff admin and one customer.
setup() {
	new_staff_token
	enable_portal "$TENANT_SLUG"
	create_customer '{"contacts": [{"name": "Bob Smith", "email": "bob@example.com"}]}'
}

# invite CUSTOMER_ID JSON [curl args...]: staff invite a person.
invite() {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$1/invitations" "$2" "${@:3}"
}

# new_invitation CUSTOMER_ID [FIRST_NAME]: invite a fresh address; expects 201. Sets INVITATION_ID,
# INVITEE (the address) and INVITE_URL.
new_invitation() {
	INVITEE=$(new_address invitee)
	invite "$1" "$(jq -cn --arg e "$INVITEE" --arg n "${2:-Pat}" '{first_name: $n, email: $e}')"
	assert_status 201 || return 1
	INVITATION_ID=$(jq -r .id <<<"$body")
	INVITE_URL=$(jq -r .url <<<"$body")
}

# invitation_hash_matches TOKEN: the id of the invitation whose stored hash is TOKEN's (empty
# when none).
invitation_of_token() {
	stack_sql "SELECT id FROM invitations WHERE token_hash = '$(sha256_hex "$1")'"
}

# ------------------------------------------------------------------------------------ inviting

@test "rule 3: staff invite a person: 201 with Location and url; the email greets them with the hauler's branding" {
	local to file token
	to=$(new_address invitee)
	invite "$CUSTOMER_ID" "$(jq -cn --arg e "$to" '{first_name: "  Pat ", email: $e}')"
	assert_status 201
	assert_jq "keys == $INVITATION_KEYS"
	assert_jq --arg c "$CUSTOMER_ID" --arg e "$to" '.customer_id == $c and .kind == "invitation" and
		.first_name == "Pat" and .email == $e and .status == "pending" and
		.accepted_at == null and .revoked_at == null and .created_at == .sent_at'
	local id url
	id=$(jq -r .id <<<"$body")
	url=$(jq -r .url <<<"$body")
	assert_header Location "/v1/admin/invitations/$id"
	[[ $url =~ ^https://$TENANT_SLUG\.portal\.example\.test/invitations/[A-Za-z0-9_-]{43}$ ]] || fail "url: $url"
	# 14 days to accept.
	assert_jq '((.expires_at | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.created_at | sub("\\.[0-9]+Z$"; "Z") | fromdate)) == 1209600'

	file=$(mail_wait "$to" "^Hauler $TENANT_SLUG invited you to your online account\$")
	assert_branded "$file" "$to"
	[[ $(mail_text "$file") == *"Hi Pat,"* ]] || fail "no greeting: $(mail_text "$file")"
	[[ $(mail_text "$file") == *"$CUSTOMER_NUMBER"* ]] || fail "the account number is not in the email"
	[[ $(mail_link "$file") == "$url" ]] || fail "emailed link $(mail_link "$file") is not $url"
	token=$(mail_token "$file")
	[[ $(invitation_of_token "$token") == "$id" ]] || fail "the stored hash is not the token's"
	# A read shows the same link again.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invitations/$id"
	assert_status 200
	assert_json .url "$url"
}

@test "rule 3: the customer profile exposes the current invitation URL, bound to that customer" {
	local other
	new_invitation "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_status 200
	assert_jq --arg id "$INVITATION_ID" --arg e "$INVITEE" --arg u "$INVITE_URL" \
		'.portal.invitation == {id: $id, kind: "invitation", email: $e, expires_at: .portal.invitation.expires_at, url: $u}'
	# The link opens this customer's account, nobody else's.
	api GET "/v1/invitations/${INVITE_URL##*/}"
	assert_status 200
	assert_json .account.account_number "$CUSTOMER_NUMBER"
	# Another customer of the hauler shows no invitation.
	other=$CUSTOMER_ID
	create_customer
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.portal.invitation == null'
	# The newest pending one is the current one.
	new_invitation "$other"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$other"
	assert_json .portal.invitation.id "$INVITATION_ID"
	assert_json .portal.invitation.url "$INVITE_URL"
}

@test "rule 3: accepting the invitation links the person to that customer; it is then accepted and its link spent" {
	local token
	new_invitation "$CUSTOMER_ID"
	token=${INVITE_URL##*/}
	api POST "/v1/invitations/$token/accept" \
		"$(jq -cn --arg e "$INVITEE" --arg p "$TEST_PASSWORD" '{email: $e, full_name: "Pat Smith", password: $p}')"
	assert_status 200
	assert_jq --arg id "$CUSTOMER_ID" '[.accounts[].id] == [$id]'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invitations/$INVITATION_ID"
	assert_jq '.status == "accepted" and .url == null and .accepted_at != null'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.portal.invitation == null'
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invitations/$INVITATION_ID/resend"
	assert_problem 409 invitation_not_pending
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/invitations/$INVITATION_ID"
	assert_problem 409 invitation_not_pending
}

@test "rule 3: save_to_contact adds the name and email to the contacts unless a contact has that email" {
	local to
	to=$(new_address invitee)
	invite "$CUSTOMER_ID" "$(jq -cn --arg e "$to" '{first_name: "Pat", email: $e}')"
	assert_status 201
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '[.contacts[].email] == ["bob@example.com"]'
	invite "$CUSTOMER_ID" "$(jq -cn --arg e "$to" '{first_name: "Pat", email: $e, save_to_contact: true}')"
	assert_status 201
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq --arg e "$to" '.contacts == [{name: "Bob Smith", email: "bob@example.com", phone: null}, {name: "Pat", email: $e, phone: null}]'
	# Already a contact (compared lower-cased): not added twice.
	invite "$CUSTOMER_ID" "$(jq -cn --arg e "${to^^}" '{first_name: "Patricia", email: $e, save_to_contact: true}')"
	assert_status 201
	invite "$CUSTOMER_ID" '{"first_name": "Bob", "email": "BOB@example.com", "save_to_contact": true}'
	assert_status 201
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.contacts | length == 2'
}

@test "rule 3: a customer with 20 contacts cannot save one more: 422 on save_to_contact, nothing stored" {
	local contacts
	contacts=$(jq -cn '[range(20) | {email: "c\(.)@example.com"}]')
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" "$(jq -cn --argjson c "$contacts" '{contacts: $c}')"
	assert_status 200
	invite "$CUSTOMER_ID" '{"first_name": "Pat", "email": "new.contact@example.com", "save_to_contact": true}'
	assert_problem 422 too_many_items
	assert_field_error save_to_contact too_many_items
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE customer_id = '$CUSTOMER_ID'") == 0 ]]
	# Without saving, the invitation goes out.
	invite "$CUSTOMER_ID" '{"first_name": "Pat", "email": "new.contact@example.com", "save_to_contact": false}'
	assert_status 201
}

@test "rule 3: inviting switches the customer's portal on, also after staff switched it off" {
	staff_api "$STAFF_TOKEN" PUT "/v1/admin/customers/$CUSTOMER_ID/portal" '{"enabled": false}'
	assert_status 200
	new_invitation "$CUSTOMER_ID"
	[[ $(stack_sql "SELECT portal_enabled::text || (portal_disabled_at IS NULL)::text FROM customers
		WHERE id = '$CUSTOMER_ID'") == truetrue ]] || fail "the portal was not switched on"
}

@test "rule 3: a new invitation to the same address replaces the pending one" {
	local first_id first_url
	new_invitation "$CUSTOMER_ID"
	first_id=$INVITATION_ID first_url=$INVITE_URL
	invite "$CUSTOMER_ID" "$(jq -cn --arg e "$INVITEE" '{first_name: "Pat", email: $e}')"
	assert_status 201
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invitations/$first_id"
	assert_jq '.status == "revoked" and .url == null'
	api GET "/v1/invitations/${first_url##*/}"
	assert_problem 404 invitation_not_found
}

# ---------------------------------------------------------------------------- resend and revoke

@test "rule 3: resend gives a new link and kills the old one; the email goes out again" {
	local old_token new_token file
	new_invitation "$CUSTOMER_ID"
	old_token=$(mail_token "$(mail_wait "$INVITEE")")
	[[ "$INVITE_URL" == *"/$old_token" ]] || fail "the first email's link is not the url"
	# Nearly expired: a resend gives 14 days again.
	stack_sql "UPDATE invitations SET expires_at = now() + interval '1 hour', created_at = now() - interval '13 days'
		WHERE id = '$INVITATION_ID'"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invitations/$INVITATION_ID/resend"
	assert_status 200
	assert_jq "keys == $INVITATION_KEYS"
	assert_jq --arg u "$INVITE_URL" '.status == "pending" and .url != $u and .url != null'
	assert_jq '((.expires_at | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.sent_at | sub("\\.[0-9]+Z$"; "Z") | fromdate)) == 1209600'
	local new_url
	new_url=$(jq -r .url <<<"$body")
	file=$(mail_wait "$INVITEE" 'invited you')
	assert_branded "$file" "$INVITEE"
	new_token=$(mail_token "$file")
	[[ $new_url == *"/$new_token" ]] || fail "the resent link is not the new url"
	# The old token's hash matches no invitation any more; the new one's is this invitation's.
	[[ -z $(invitation_of_token "$old_token") ]] || fail "the old link still matches an invitation"
	[[ $(invitation_of_token "$new_token") == "$INVITATION_ID" ]]
	api GET "/v1/invitations/$old_token"
	assert_problem 404 invitation_not_found
	api GET "/v1/invitations/$new_token"
	assert_status 200
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_json .portal.invitation.url "$new_url"
}

@test "an expired invitation shows as expired without a link; resending revives it with a new one" {
	new_invitation "$CUSTOMER_ID"
	stack_sql "UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = '$INVITATION_ID'"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invitations/$INVITATION_ID"
	assert_jq '.status == "expired" and .url == null'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.portal.invitation == null'
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/invitations/$INVITATION_ID"
	assert_problem 409 invitation_not_pending
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invitations/$INVITATION_ID/resend"
	assert_status 200
	assert_jq '.status == "pending" and (.url | startswith("https://"))'
}

@test "rule 3: revoking kills the link at once: 204, status revoked, no url, no current invitation" {
	local token
	new_invitation "$CUSTOMER_ID"
	token=${INVITE_URL##*/}
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/invitations/$INVITATION_ID"
	assert_status 204
	[[ -z $body ]] || fail "a 204 with a body: $body"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invitations/$INVITATION_ID"
	assert_jq '.status == "revoked" and .url == null and .revoked_at != null'
	api GET "/v1/invitations/$token"
	assert_problem 404 invitation_not_found
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.portal.invitation == null'
	# Only pending invitations can be revoked or resent.
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/invitations/$INVITATION_ID"
	assert_problem 409 invitation_not_pending
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invitations/$INVITATION_ID/resend"
	assert_problem 409 invitation_not_pending
}

# ------------------------------------------------------------------------------------- listing

@test "the invitation list: newest first, pages by cursor, statuses, url only while pending" {
	local a b c
	new_invitation "$CUSTOMER_ID" Ann
	a=$INVITATION_ID
	new_invitation "$CUSTOMER_ID" Ben
	b=$INVITATION_ID
	new_invitation "$CUSTOMER_ID" Cat
	c=$INVITATION_ID
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/invitations/$b"
	stack_sql "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = '$a'"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/invitations"
	assert_status 200
	assert_jq --arg a "$a" --arg b "$b" --arg c "$c" '[.items[].id] == [$c, $b, $a] and .next_cursor == null'
	assert_jq '[.items[].status] == ["pending", "revoked", "expired"]'
	assert_jq '[.items[].url | type] == ["string", "null", "null"]'
	assert_jq '[.items[].first_name] == ["Cat", "Ben", "Ann"]'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/invitations?limit=2"
	assert_jq --arg b "$b" --arg c "$c" '[.items[].id] == [$c, $b] and (.next_cursor | type == "string")'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/invitations?limit=2&cursor=$(jq -r .next_cursor <<<"$body")"
	assert_jq --arg a "$a" '[.items[].id] == [$a] and .next_cursor == null'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/invitations?status=pending"
	assert_problem 422 unknown_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/invitations?limit=0"
	assert_field_error limit invalid_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/invitations?cursor=bogus"
	assert_field_error cursor invalid_cursor
	# A customer without invitations: an empty page.
	create_customer
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/invitations"
	assert_jq '.items == [] and .next_cursor == null'
}

# ------------------------------------------------------------------------------------- rule 4

@test "rule 4: an invitation email with a space or an invalid character answers 422 invalid_email naming the field" {
	local bad
	for bad in 'pat smith@example.com' 'pat@exa mple.com' 'pat<x>@example.com' 'pat,smith@example.com' \
		'pat@@example.com' 'pat.example.com' 'pat@' '' '   ' "$(printf 'p%.0s' {1..250})@example.com"; do
		invite "$CUSTOMER_ID" "$(jq -cn --arg e "$bad" '{first_name: "Pat", email: $e}')"
		assert_problem 422 invalid_email
		assert_field_error email invalid_email
		assert_field_errors_exactly email
	done
	invite "$CUSTOMER_ID" '{"first_name": "Pat", "email": "pat smith@example.com"}'
	assert_jq '.errors[0].message | test("space")'
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE customer_id = '$CUSTOMER_ID'") == 0 ]]
	# Blanks around it are trimmed, capitals lowered.
	invite "$CUSTOMER_ID" '{"first_name": "Pat", "email": "  Pat.Smith@Example.COM \t"}'
	assert_status 201
	assert_json .email pat.smith@example.com
}

@test "the body is checked field by field and nothing is stored" {
	invite "$CUSTOMER_ID" '{}'
	assert_problem 422 required
	assert_field_errors_exactly email first_name
	invite "$CUSTOMER_ID" '{"email": "pat@example.com"}'
	assert_field_error first_name required
	invite "$CUSTOMER_ID" '{"first_name": "Pat"}'
	assert_field_error email required
	assert_field_errors_exactly email
	invite "$CUSTOMER_ID" '{"first_name": "   ", "email": "pat@example.com"}'
	assert_field_error first_name too_short
	invite "$CUSTOMER_ID" "$(jq -cn '{first_name: ("x" * 101), email: "pat@example.com"}')"
	assert_field_error first_name too_long
	invite "$CUSTOMER_ID" '{"first_name": "Pat\nSmith", "email": "pat@example.com"}'
	assert_field_error first_name invalid_format
	invite "$CUSTOMER_ID" '{"first_name": 5, "email": ["pat@example.com"], "save_to_contact": "yes"}'
	assert_problem 422 wrong_type
	assert_field_errors_exactly email first_name save_to_contact
	invite "$CUSTOMER_ID" '{"first_name": "Pat", "email": "pat@example.com", "kind": "create_password"}'
	assert_problem 422 unknown_field
	invite "$CUSTOMER_ID" '["Pat"]'
	assert_problem 400 body_not_object
	invite "$CUSTOMER_ID" '{"first_name": "Pat", "email": "pat@example.com"}' -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE customer_id = '$CUSTOMER_ID'") == 0 ]]
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE to_address = 'pat@example.com'") == 0 ]]
}

# --------------------------------------------------------------------------- who may do it

@test "an API key may invite, list, resend and revoke" {
	new_api_key
	with_bearer "$API_KEY" POST "/v1/admin/customers/$CUSTOMER_ID/invitations" \
		'{"first_name": "Pat", "email": "by.key@example.com"}'
	assert_status 201
	local id
	id=$(jq -r .id <<<"$body")
	[[ $(stack_sql "SELECT created_by FROM invitations WHERE id = '$id'") == "key:$API_KEY_ID" ]]
	with_bearer "$API_KEY" GET "/v1/admin/customers/$CUSTOMER_ID/invitations"
	assert_jq --arg id "$id" '[.items[].id] == [$id]'
	with_bearer "$API_KEY" POST "/v1/admin/invitations/$id/resend"
	assert_status 200
	with_bearer "$API_KEY" DELETE "/v1/admin/invitations/$id"
	assert_status 204
}

@test "another tenant's customers and invitations answer 404 and are left alone, for staff and API keys" {
	new_api_key
	local token
	for token in "$STAFF_TOKEN" "$API_KEY"; do
		with_bearer "$token" POST "/v1/admin/customers/$B_CUSTOMER_ID/invitations" \
			'{"first_name": "Pat", "email": "intruder@example.com"}'
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/customers/$B_CUSTOMER_ID/invitations"
		assert_problem 404 not_found
		with_bearer "$token" GET "/v1/admin/invitations/$B_INVITATION_ID"
		assert_problem 404 not_found
		with_bearer "$token" POST "/v1/admin/invitations/$B_INVITATION_ID/resend"
		assert_problem 404 not_found
		with_bearer "$token" DELETE "/v1/admin/invitations/$B_INVITATION_ID"
		assert_problem 404 not_found
	done
	# And the other way round: tenant B's key cannot reach tenant A's invitation.
	new_invitation "$CUSTOMER_ID"
	with_bearer "$B_KEY" DELETE "/v1/admin/invitations/$INVITATION_ID"
	assert_problem 404 not_found
	with_bearer "$B_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_problem 404 not_found
	[[ $(stack_sql "SELECT revoked_at IS NULL FROM invitations WHERE id = '$B_INVITATION_ID'") == t ]]
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE email = 'intruder@example.com'") == 0 ]]
}

@test "unknown and malformed ids answer 404; no token 401; the operator token 403" {
	local id=3daa9a9b-3814-477a-ad1c-cbd220d14a66
	staff_api "$STAFF_TOKEN" GET "/v1/admin/invitations/$id"
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invitations/not-an-id/resend"
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/invitations/$id"
	assert_problem 404 not_found
	invite "$id" '{"first_name": "Pat", "email": "pat@example.com"}'
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/not-an-id/invitations"
	assert_problem 404 not_found
	# direct: the proxy answers a request without credentials itself
	api_direct GET "/v1/admin/customers/$CUSTOMER_ID/invitations"
	assert_problem 401 unauthorized
	api_direct DELETE "/v1/admin/invitations/$id"
	assert_problem 401 unauthorized
	operator_api POST "/v1/admin/customers/$CUSTOMER_ID/invitations" '{"first_name": "Pat", "email": "pat@example.com"}'
	assert_problem 403 forbidden
	operator_api POST "/v1/admin/invitations/$id/resend"
	assert_problem 403 forbidden
}
