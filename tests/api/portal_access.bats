#!/usr/bin/env bats
# Staff switch a customer's portal access on or off with its portal login email
# (PUT /v1/admin/customers/{id}/portal): the "Create Password" email (rule 2), the
# email_used_by_other_customer warning, email validation (rule 4), and the customer profile's
# current invitation link.

load helpers

setup_file() {
	start_stack
	# A neighbour hauler whose staff and key must never reach tenant A's customers.
	new_staff_token admin other
	export B_TOKEN=$STAFF_TOKEN B_SLUG=$TENANT_SLUG
	new_api_key b-sync
	export B_KEY=$API_KEY
	create_customer
	export B_CUSTOMER_ID=$CUSTOMER_ID
}

teardown_file() {
	stop_stack
}

# Every test: a fresh hauler with its portal on, a staff admin and one customer.
setup() {
	new_staff_token
	enable_portal "$TENANT_SLUG"
	create_customer
}

# put_portal CUSTOMER_ID JSON [curl args...]: the staff admin saves the customer's portal access.
put_portal() {
	staff_api "$STAFF_TOKEN" PUT "/v1/admin/customers/$1/portal" "$2" "${@:3}"
}

# enable CUSTOMER_ID EMAIL: switch the portal on with EMAIL; expects 200.
enable() {
	put_portal "$1" "$(jq -cn --arg e "$2" '{enabled: true, login_email: $e}')"
	assert_status 200
}

# link_portal_user CUSTOMER_ID EMAIL: a portal user with EMAIL linked to the customer (as a
# finished sign-up leaves it).
link_portal_user() {
	stack_sql "SELECT portal_user_link(tenant_id, '$2', 'Linked User', 'x', id, 'invitation')
		FROM customers WHERE id = '$1'" >/dev/null
}

# ------------------------------------------------------------------------------------- rule 2

@test "rule 2: switching the portal on with a login email sends the Create Password email with the hauler's branding" {
	local to file token url
	to=$(new_address login)
	put_portal "$CUSTOMER_ID" "$(jq -cn --arg e "$to" '{enabled: true, login_email: $e}')"
	assert_status 200
	assert_jq '.warnings == []'
	assert_jq --arg id "$CUSTOMER_ID" --arg e "$to" \
		'.customer.id == $id and .customer.portal.enabled and .customer.portal.login_email == $e'
	assert_jq --arg e "$to" '.customer.portal.invitation.kind == "create_password" and
		.customer.portal.invitation.email == $e'
	url=$(jq -r .customer.portal.invitation.url <<<"$body")
	[[ $url == "https://$TENANT_SLUG.portal.example.test/invitations/"* ]] || fail "url: $url"

	file=$(mail_wait "$to" "^Create your password for Hauler $TENANT_SLUG online account\$")
	assert_branded "$file" "$to"
	[[ $(mail_link "$file") == "$url" ]] || fail "emailed link $(mail_link "$file") is not $url"
	token=$(mail_token "$file")
	# Only the token's hash is stored, on this customer's create_password invitation.
	[[ $(stack_sql "SELECT kind || ' ' || customer_id FROM invitations
		WHERE token_hash = '$(sha256_hex "$token")'") == "create_password $CUSTOMER_ID" ]] ||
		fail "no create_password invitation of this customer has the token's hash"
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE nonce = '$token'") == 0 ]]
	# The profile shows the same link.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_status 200
	assert_json .portal.invitation.url "$url"
	assert_json .portal.login_email "$to"
}

@test "rule 2: the Create Password link works: accepting it signs in, linked to that customer" {
	local to file token
	to=$(new_address login)
	enable "$CUSTOMER_ID" "$to"
	file=$(mail_wait "$to" '^Create your password')
	token=$(mail_token "$file")
	api GET "/v1/invitations/$token"
	assert_status 200
	api POST "/v1/invitations/$token/accept" \
		"$(jq -cn --arg e "$to" --arg p "$TEST_PASSWORD" '{email: $e, full_name: "Bob Smith", password: $p}')"
	assert_status 200
	assert_jq --arg id "$CUSTOMER_ID" '.account_id == $id and [.accounts[].id] == [$id]'
	# Accepted: no current invitation any more.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.portal.invitation == null'
	# Saving the same login again sends nothing: the person has a login already.
	enable "$CUSTOMER_ID" "$to"
	assert_jq '.customer.portal.invitation == null'
	[[ $(mail_count "$to") == 1 ]] || fail "a second email went to $to"
}

@test "rule 2: saving again sends no second email while one is pending; a new login email revokes the old link" {
	local first second old_url
	first=$(new_address login)
	second=$(new_address login)
	enable "$CUSTOMER_ID" "$first"
	old_url=$(jq -r .customer.portal.invitation.url <<<"$body")
	mail_wait "$first" '^Create your password' >/dev/null
	enable "$CUSTOMER_ID" "$first"
	assert_json .customer.portal.invitation.url "$old_url"
	put_portal "$CUSTOMER_ID" '{"enabled": true}'
	assert_status 200
	[[ $(mail_count "$first") == 1 ]] || fail "a second Create Password email went to $first"
	# Another login email: a new email there, the first address's link is dead.
	enable "$CUSTOMER_ID" "$second"
	assert_json .customer.portal.invitation.email "$second"
	mail_wait "$second" '^Create your password' >/dev/null
	[[ $(stack_sql "SELECT email || ' ' || (revoked_at IS NOT NULL) FROM invitations
		WHERE customer_id = '$CUSTOMER_ID' ORDER BY created_at") == "$first true
$second false" ]] || fail "the first address's Create Password link was not revoked"
	api GET "/v1/invitations/${old_url##*/}"
	assert_problem 404 invitation_not_found
}

@test "rule 2: reusing another customer's login email is allowed, with a warning naming that account" {
	local shared other_id other_number
	shared=$(new_address login)
	create_customer '{"name": "Smith Rentals LLC", "kind": "commercial"}'
	other_id=$CUSTOMER_ID other_number=$CUSTOMER_NUMBER
	create_customer
	enable "$other_id" "$shared"
	assert_jq '.warnings == []'
	put_portal "$CUSTOMER_ID" "$(jq -cn --arg e "  ${shared^^} " '{enabled: true, login_email: $e}')"
	assert_status 200
	assert_json .customer.portal.login_email "$shared"
	assert_jq --arg id "$other_id" --arg n "$other_number" '.warnings | length == 1 and
		.[0].code == "email_used_by_other_customer" and (.[0].message | length > 0) and
		.[0].customer == {id: $id, account_number: $n, name: "Smith Rentals LLC"}'
	# Both accounts got their Create Password email (one login, several accounts).
	mail_wait "$shared" '^Create your password' >/dev/null
	mail_wait "$shared" '^Create your password' >/dev/null
	# A neighbour hauler's customer with that email is none of this hauler's business.
	stack_sql "UPDATE customers SET portal_login_email = '$shared' WHERE id = '$B_CUSTOMER_ID'"
	enable "$CUSTOMER_ID" "$shared"
	assert_jq '.warnings | length == 1'
}

@test "rule 2: an email used by a linked portal user of another customer warns too" {
	local shared other_id
	shared=$(new_address login)
	create_customer
	other_id=$CUSTOMER_ID
	link_portal_user "$other_id" "$shared"
	create_customer '{"name": "Second Account"}'
	enable "$CUSTOMER_ID" "$shared"
	assert_jq --arg id "$other_id" '[.warnings[].customer.id] == [$id]'
}

@test "rule 2: no Create Password email for an address that already has a login to this customer" {
	local to
	to=$(new_address login)
	link_portal_user "$CUSTOMER_ID" "$to"
	enable "$CUSTOMER_ID" "$to"
	assert_jq '.customer.portal.invitation == null'
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE to_address = '$to'") == 0 ]] ||
		fail "an email was queued for $to"
}

@test "switching off records portal_disabled_at; staff switching on again clears it" {
	local to
	to=$(new_address login)
	enable "$CUSTOMER_ID" "$to"
	put_portal "$CUSTOMER_ID" '{"enabled": false}'
	assert_status 200
	assert_jq --arg e "$to" '.customer.portal.enabled == false and .customer.portal.login_email == $e'
	assert_jq '.warnings == []'
	[[ $(stack_sql "SELECT portal_disabled_at IS NOT NULL FROM customers WHERE id = '$CUSTOMER_ID'") == t ]]
	put_portal "$CUSTOMER_ID" '{"enabled": true}'
	assert_status 200
	assert_jq '.customer.portal.enabled'
	[[ $(stack_sql "SELECT portal_disabled_at IS NULL FROM customers WHERE id = '$CUSTOMER_ID'") == t ]]
	# null clears the login email (allowed while switched off).
	put_portal "$CUSTOMER_ID" '{"enabled": false, "login_email": null}'
	assert_status 200
	assert_jq '.customer.portal == {enabled: false, login_email: null, invitation: null}'
}

@test "a login email is required to switch on a customer without any portal login; nothing is saved" {
	put_portal "$CUSTOMER_ID" '{"enabled": true}'
	assert_problem 422 required
	assert_field_error login_email required
	put_portal "$CUSTOMER_ID" '{"enabled": true, "login_email": null}'
	assert_field_error login_email required
	[[ $(stack_sql "SELECT portal_enabled::text || coalesce(portal_login_email, '-') FROM customers
		WHERE id = '$CUSTOMER_ID'") == "false-" ]] || fail "something was saved"
	# A customer whose portal user signed up by other means needs no login email.
	link_portal_user "$CUSTOMER_ID" "$(new_address login)"
	put_portal "$CUSTOMER_ID" '{"enabled": false}'
	put_portal "$CUSTOMER_ID" '{"enabled": true}'
	assert_status 200
	assert_jq '.customer.portal.enabled and .customer.portal.login_email == null'
}

# ------------------------------------------------------------------------------------- rule 4

@test "rule 4: a login email with a space or an invalid character answers 422 invalid_email naming the field" {
	local bad
	for bad in 'bob smith@example.com' 'bob@exa mple.com' "bob@example.com$(printf '\t')x" \
		'bob<script>@example.com' 'bob,smith@example.com' 'bob@@example.com' 'bob.example.com' \
		'bob@' '@example.com' 'bob@example..com' 'bob@-example.com' '' '   ' \
		"$(printf 'a%.0s' {1..250})@example.com"; do
		put_portal "$CUSTOMER_ID" "$(jq -cn --arg e "$bad" '{enabled: true, login_email: $e}')"
		assert_problem 422 invalid_email
		assert_field_error login_email invalid_email
		assert_field_errors_exactly login_email
	done
	[[ $(stack_sql "SELECT count(*) FROM outbox o JOIN customers c ON c.tenant_id = o.tenant_id
		WHERE c.id = '$CUSTOMER_ID'") == 0 ]] || fail "an email was queued"
	[[ $(stack_sql "SELECT portal_enabled FROM customers WHERE id = '$CUSTOMER_ID'") == f ]]
}

@test "rule 4: the reason is named: inner space, too long" {
	put_portal "$CUSTOMER_ID" '{"enabled": true, "login_email": "bob smith@example.com"}'
	assert_jq '.errors[0].message | test("space")'
	put_portal "$CUSTOMER_ID" "$(jq -cn --arg e "$(printf 'a%.0s' {1..250})@example.com" '{enabled: true, login_email: $e}')"
	assert_jq '.errors[0].message | test("longer than 254")'
}

@test "rule 4: leading and trailing blanks are trimmed and the email lower-cased before it is saved" {
	local to
	to=$(new_address login)
	put_portal "$CUSTOMER_ID" "$(jq -cn --arg e "   ${to^^}	 " '{enabled: true, login_email: $e}')"
	assert_status 200
	assert_json .customer.portal.login_email "$to"
	mail_wait "$to" '^Create your password' >/dev/null
}

@test "the body is checked field by field: enabled required and boolean, unknown members refused" {
	put_portal "$CUSTOMER_ID" '{}'
	assert_field_error enabled required
	put_portal "$CUSTOMER_ID" '{"login_email": "a@example.com"}'
	assert_field_error enabled required
	assert_field_errors_exactly enabled
	put_portal "$CUSTOMER_ID" '{"enabled": "yes", "login_email": 5}'
	assert_problem 422 wrong_type
	assert_field_errors_exactly enabled login_email
	put_portal "$CUSTOMER_ID" '{"enabled": true, "login_email": "a@example.com", "first_name": "A"}'
	assert_problem 422 unknown_field
	assert_field_errors_exactly first_name
	put_portal "$CUSTOMER_ID" '[true]'
	assert_problem 400 body_not_object
	# direct: the proxy parses JSON bodies itself and cannot forward a malformed one
	api_direct PUT "/v1/admin/customers/$CUSTOMER_ID/portal" '{"enabled": true' \
		-H "Authorization: Bearer $STAFF_TOKEN"
	assert_status 400
	put_portal "$CUSTOMER_ID" '{"enabled": false}' -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
	[[ $(stack_sql "SELECT portal_enabled::text || (portal_disabled_at IS NULL)::text FROM customers
		WHERE id = '$CUSTOMER_ID'") == falsetrue ]] || fail "something was saved"
}

# ------------------------------------------------------------------------------ who may do it

@test "an API key may switch a customer's portal on; the invitation records who did it" {
	local to
	new_api_key
	to=$(new_address login)
	with_bearer "$API_KEY" PUT "/v1/admin/customers/$CUSTOMER_ID/portal" \
		"$(jq -cn --arg e "$to" '{enabled: true, login_email: $e}')"
	assert_status 200
	[[ $(stack_sql "SELECT created_by FROM invitations WHERE customer_id = '$CUSTOMER_ID'") == "key:$API_KEY_ID" ]]
	enable "$CUSTOMER_ID" "$(new_address login)"
	[[ $(stack_sql "SELECT created_by FROM invitations WHERE customer_id = '$CUSTOMER_ID'
		ORDER BY created_at DESC LIMIT 1") == "staff:$STAFF_ID" ]]
}

@test "another tenant's customer, a malformed id or an unknown one answers 404 and changes nothing" {
	local body_on='{"enabled": true, "login_email": "x@example.com"}'
	put_portal "$B_CUSTOMER_ID" "$body_on"
	assert_problem 404 not_found
	new_api_key
	with_bearer "$API_KEY" PUT "/v1/admin/customers/$B_CUSTOMER_ID/portal" "$body_on"
	assert_problem 404 not_found
	with_bearer "$B_KEY" PUT "/v1/admin/customers/$CUSTOMER_ID/portal" "$body_on"
	assert_problem 404 not_found
	with_bearer "$B_KEY" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_problem 404 not_found
	put_portal not-a-uuid "$body_on"
	assert_problem 404 not_found
	put_portal 3daa9a9b-3814-477a-ad1c-cbd220d14a66 "$body_on"
	assert_problem 404 not_found
	[[ $(stack_sql "SELECT count(*) FROM customers WHERE portal_login_email = 'x@example.com'") == 0 ]]
}

@test "no token answers 401; the operator token 403" {
	# direct: the proxy answers a request without credentials itself
	api_direct PUT "/v1/admin/customers/$CUSTOMER_ID/portal" '{"enabled": false}'
	assert_problem 401 unauthorized
	with_bearer csk_notARealKeyAtAll00000000000000000000000000 PUT \
		"/v1/admin/customers/$CUSTOMER_ID/portal" '{"enabled": false}'
	assert_problem 401 invalid_token
	operator_api PUT "/v1/admin/customers/$CUSTOMER_ID/portal" '{"enabled": false}'
	assert_problem 403 forbidden
}

# ------------------------------------------------------------------------------------ reading

@test "the customer list stays lean: portal without the invitation link; the single read has it" {
	enable "$CUSTOMER_ID" "$(new_address login)"
	staff_api "$STAFF_TOKEN" GET /v1/admin/customers
	assert_status 200
	assert_jq --arg id "$CUSTOMER_ID" '.items[] | select(.id == $id) | .portal |
		(has("invitation") | not) and .enabled'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.portal.invitation.url | startswith("https://")'
	# Another customer has no invitation: null, never someone else's link.
	create_customer
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_jq '.portal == {enabled: false, login_email: null, invitation: null}'
}
