#!/usr/bin/env bats
# Platform operator: tenants and their staff; the public branding endpoint.

load helpers

setup_file() {
	start_stack
}

teardown_file() {
	stop_stack
}

TENANT_KEYS='["brand_color","contact","created_at","currency","id","logo_url","name","portal_enabled","self_signup_enabled","show_pending_invoices","slug","time_zone","updated_at"]'
BRANDING_KEYS='["brand_color","contact","currency","login_methods","logo_url","name","portal_enabled","self_signup_enabled","slug","time_zone"]'
CONTACT_KEYS='["address","email","phone","website"]'
STAFF_KEYS='["created_at","email","full_name","id","role"]'

# invalid_tenant FIELD CODES OVERRIDES: creating a tenant with OVERRIDES answers 422 naming FIELD.
invalid_tenant() {
	local doc
	doc=$(jq -cn --arg s "$(unique_slug bad)" --argjson o "$3" '{slug: $s, name: "Bad"} + $o')
	operator_api POST /v1/platform/tenants "$doc"
	assert_field_error "$1" "$2"
	jq -e --arg f "$1" '[.errors[].field] | all(. == $f)' <<<"$body" >/dev/null ||
		fail "only $1 is wrong in $doc, yet errors name: $(jq -c '[.errors[].field]' <<<"$body")"
}

@test "operator creates a tenant: 201, Location, the stored tenant with defaults applied" {
	local slug
	slug=$(unique_slug acme)
	operator_api POST /v1/platform/tenants "$(jq -cn --arg s "$slug" '{slug: $s, name: "Acme Hauling"}')"
	assert_status 201
	assert_content_type application/json
	assert_header Location "/v1/tenants/$slug"
	assert_jq "keys == $TENANT_KEYS"
	assert_jq "(.contact | keys) == $CONTACT_KEYS"
	assert_json .slug "$slug"
	assert_json .name 'Acme Hauling'
	assert_json .currency USD
	assert_json .time_zone America/New_York
	assert_jq '.portal_enabled == false and .self_signup_enabled == true and .show_pending_invoices == false'
	assert_jq '.logo_url == null and .brand_color == null'
	assert_jq '.contact == {"phone": null, "email": null, "address": null, "website": null}'
	assert_jq '(.id | type == "string" and length > 0) and (.created_at | type == "string") and (.updated_at | type == "string")'
	# what was answered is what is stored: the public branding agrees
	api GET "/v1/tenants/$slug"
	assert_status 200
	assert_json .name 'Acme Hauling'
	assert_json .currency USD
}

@test "operator creates a tenant with every field set and gets them all back" {
	local slug doc
	slug=$(unique_slug full)
	doc=$(jq -cn --arg s "$slug" '{slug: $s, name: "Full Fields Ltd", currency: "CAD", time_zone: "America/Toronto",
		logo_url: "https://cdn.example.test/logo.png", brand_color: "#1A2b3C",
		contact: {phone: "+1 416 555 0100", email: "office@full.example.test", address: "1 Main St, Toronto", website: "http://full.example.test"},
		portal_enabled: true, self_signup_enabled: false, show_pending_invoices: true}')
	operator_api POST /v1/platform/tenants "$doc"
	assert_status 201
	jq -e --argjson d "$doc" '. as $t | $d | to_entries | all(.value == $t[.key])' <<<"$body" >/dev/null ||
		fail "stored tenant differs from $doc: $body"
	api GET "/v1/tenants/$slug"
	assert_status 200
	assert_json .brand_color '#1A2b3C'
	assert_json .contact.email office@full.example.test
	assert_jq '.portal_enabled == true and .self_signup_enabled == false'
}

@test "a duplicate slug answers 409 tenant_slug_taken" {
	local slug
	slug=$(unique_slug dup)
	create_tenant "$slug"
	operator_api POST /v1/platform/tenants "$(jq -cn --arg s "$slug" '{slug: $s, name: "Second"}')"
	assert_problem 409 tenant_slug_taken
}

@test "slug must be a lower-case DNS label: upper case, too long, leading or trailing dash, bad characters → 422 slug" {
	local bad
	for bad in 'Acme' 'acme-Hauling' "$(printf 'a%.0s' {1..64})" '-acme' 'acme-' 'ac_me' 'ac.me' 'ac me' ''; do
		operator_api POST /v1/platform/tenants "$(jq -cn --arg s "$bad" '{slug: $s, name: "Bad Slug"}')"
		assert_field_error slug 'invalid_format|too_long|too_short'
	done
	# the longest and shortest legal slugs are fine
	create_tenant "$(printf 'z%.0s' {1..57})$(printf -- '-%05d' "$RANDOM")"
	create_tenant "$(printf '%x' $((RANDOM % 16)))"
}

@test "name must be 1-200 characters → 422 name" {
	invalid_tenant name 'too_short|required|invalid_format' '{"name": ""}'
	invalid_tenant name too_long "$(jq -cn --arg n "$(printf 'n%.0s' {1..201})" '{name: $n}')"
}

@test "currency must be three upper-case letters → 422 currency" {
	invalid_tenant currency 'invalid_format|invalid_value' '{"currency": "usd"}'
	invalid_tenant currency 'invalid_format|invalid_value|too_long' '{"currency": "USDX"}'
	invalid_tenant currency 'invalid_format|invalid_value|too_short' '{"currency": "US"}'
}

@test "brand_color must be #RRGGBB → 422 brand_color" {
	invalid_tenant brand_color 'invalid_format' '{"brand_color": "red"}'
	invalid_tenant brand_color 'invalid_format' '{"brand_color": "#fff"}'
	invalid_tenant brand_color 'invalid_format' '{"brand_color": "#12345G"}'
}

@test "logo_url and contact.website must be http(s) URLs → 422 naming the field" {
	invalid_tenant logo_url 'invalid_format' '{"logo_url": "ftp://example.test/logo.png"}'
	invalid_tenant logo_url 'invalid_format' '{"logo_url": "not a url"}'
	invalid_tenant logo_url 'invalid_format|too_long' "$(jq -cn --arg p "$(printf 'p%.0s' {1..2048})" '{logo_url: ("https://example.test/" + $p)}')"
	invalid_tenant contact.website 'invalid_format' '{"contact": {"website": "javascript:alert(1)"}}'
}

@test "time_zone must be an IANA name → 422 time_zone" {
	invalid_tenant time_zone 'invalid_value|invalid_format' '{"time_zone": "Mars/Olympus_Mons"}'
	invalid_tenant time_zone 'invalid_value|invalid_format' '{"time_zone": "../../etc/passwd"}'
}

@test "contact.email must be an email → 422 contact.email invalid_email" {
	invalid_tenant contact.email invalid_email '{"contact": {"email": "not-an-email"}}'
	assert_problem 422 invalid_email
	invalid_tenant contact.email invalid_email '{"contact": {"email": "a@"}}'
}

@test "contact.phone ≤ 40 and contact.address ≤ 500 → 422 naming the field" {
	invalid_tenant contact.phone too_long "$(jq -cn --arg p "$(printf '1%.0s' {1..41})" '{contact: {phone: $p}}')"
	invalid_tenant contact.address too_long "$(jq -cn --arg a "$(printf 'a%.0s' {1..501})" '{contact: {address: $a}}')"
}

@test "creating a tenant requires the operator token: none → 401 unauthorized" {
	# direct: the proxy itself answers a request without the bearer the spec declares.
	api_direct POST /v1/platform/tenants "$(jq -cn --arg s "$(unique_slug noauth)" '{slug: $s, name: "No Auth"}')"
	assert_problem 401 unauthorized
	assert_header_matches WWW-Authenticate '^Bearer'
}

@test "creating a tenant with a wrong operator token → 401 invalid_token" {
	api POST /v1/platform/tenants "$(jq -cn --arg s "$(unique_slug wrongtok)" '{slug: $s, name: "Wrong"}')" \
		-H 'Authorization: Bearer not-the-operator-token-0123456789abcdef'
	assert_problem 401 invalid_token
	assert_header_matches WWW-Authenticate '^Bearer'
}

@test "creating a tenant with a staff token is refused (401 or 403)" {
	new_staff_token admin
	api POST /v1/platform/tenants "$(jq -cn --arg s "$(unique_slug staffauth)" '{slug: $s, name: "Staff"}')" \
		-H "Authorization: Bearer $STAFF_TOKEN"
	[[ $status == 401 || $status == 403 ]] || {
		show_response
		fail "expected 401 or 403, got $status"
	}
	[[ $status == 401 ]] && assert_problem 401 invalid_token
	[[ $status == 403 ]] && assert_problem 403 forbidden
	true
}

@test "operator responses carry Cache-Control: no-store" {
	create_tenant "$(unique_slug nostore)"
	assert_header_matches Cache-Control 'no-store'
}

@test "operator turns the portal on and off with PATCH" {
	local slug
	slug=$(unique_slug portal)
	create_tenant "$slug"
	operator_api PATCH "/v1/platform/tenants/$slug" '{"portal_enabled": true}'
	assert_status 200
	assert_jq "keys == $TENANT_KEYS"
	assert_json .slug "$slug"
	assert_json .portal_enabled true
	api GET "/v1/tenants/$slug"
	assert_json .portal_enabled true
	operator_api PATCH "/v1/platform/tenants/$slug" '{"portal_enabled": false}'
	assert_status 200
	assert_json .portal_enabled false
	api GET "/v1/tenants/$slug"
	assert_json .portal_enabled false
}

@test "PATCH changes only the fields sent and moves updated_at" {
	local slug created
	slug=$(unique_slug patch)
	create_tenant "$slug" '{"brand_color": "#000000"}'
	created=$body
	sleep 1
	operator_api PATCH "/v1/platform/tenants/$slug" '{"name": "Renamed Hauling", "contact": {"phone": "555-0100"}}'
	assert_status 200
	assert_json .name 'Renamed Hauling'
	assert_json .brand_color '#000000'
	assert_json .contact.phone 555-0100
	assert_json .created_at "$(jq -r .created_at <<<"$created")"
	[[ $(jq -r .updated_at <<<"$body") != "$(jq -r .updated_at <<<"$created")" ]] || fail "updated_at did not move"
}

@test "PATCH with no field, an invalid field or the slug answers 422" {
	local slug
	slug=$(unique_slug patchbad)
	create_tenant "$slug"
	operator_api PATCH "/v1/platform/tenants/$slug" '{}'
	assert_status 422
	assert_content_type application/problem+json
	operator_api PATCH "/v1/platform/tenants/$slug" '{"brand_color": "blue"}'
	assert_field_error brand_color invalid_format
	operator_api PATCH "/v1/platform/tenants/$slug" '{"slug": "other-slug"}'
	assert_field_error slug 'read_only|unknown_field'
}

@test "PATCH of an unknown tenant answers 404 tenant_not_found" {
	operator_api PATCH /v1/platform/tenants/no-such-tenant-patch '{"portal_enabled": true}'
	assert_problem 404 tenant_not_found
}

@test "branding is public and shaped by the contract" {
	local slug
	slug=$(unique_slug brand)
	create_tenant "$slug" '{"logo_url": "https://brand.example.test/l.svg", "contact": {"email": "hi@brand.example.test"}}'
	api GET "/v1/tenants/$slug"
	assert_status 200
	assert_content_type application/json
	assert_jq "keys == $BRANDING_KEYS"
	assert_jq "(.contact | keys) == $CONTACT_KEYS"
	assert_json .slug "$slug"
	assert_json .logo_url https://brand.example.test/l.svg
	assert_json .contact.email hi@brand.example.test
	assert_jq '.contact.phone == null and .brand_color == null'
	assert_jq '.login_methods == ["password"]'
}

@test "branding answers for a tenant whose portal is disabled (portal_enabled false)" {
	local slug
	slug=$(unique_slug closed)
	create_tenant "$slug" '{"portal_enabled": false}'
	api GET "/v1/tenants/$slug"
	assert_status 200
	assert_json .portal_enabled false
}

@test "branding of an unknown slug answers 404 tenant_not_found" {
	api GET /v1/tenants/no-such-tenant-brand
	assert_problem 404 tenant_not_found
	api GET /v1/tenants/NOT-A-SLUG
	assert_problem 404 tenant_not_found
}

@test "operator creates a staff user: 201 Staff, role admin by default, no password echoed" {
	local slug
	slug=$(unique_slug staff)
	create_tenant "$slug"
	operator_api POST "/v1/platform/tenants/$slug/staff" \
		"$(jq -cn --arg p "$TEST_PASSWORD" '{email: "Owner@Staff.Example.test", full_name: "Olive Owner", password: $p}')"
	assert_status 201
	assert_jq "keys == $STAFF_KEYS"
	assert_json .full_name 'Olive Owner'
	assert_json .role admin
	assert_json '.email | ascii_downcase' owner@staff.example.test
	[[ $body != *"$TEST_PASSWORD"* ]] || fail "the password is echoed"
	create_staff "$slug" "billing.$RANDOM@staff.example.test" "$TEST_PASSWORD" billing
	assert_json .role billing
}

@test "a duplicate staff email (case-insensitive) answers 409 staff_email_taken" {
	local slug
	slug=$(unique_slug staffdup)
	create_tenant "$slug"
	create_staff "$slug" dana@dup.example.test "$TEST_PASSWORD"
	operator_api POST "/v1/platform/tenants/$slug/staff" \
		"$(jq -cn --arg p "$TEST_PASSWORD" '{email: "DANA@Dup.Example.TEST", full_name: "Dana Again", password: $p}')"
	assert_problem 409 staff_email_taken
}

@test "invalid staff fields answer 422 naming each: email, password length, role, unknown" {
	local slug
	slug=$(unique_slug staffbad)
	create_tenant "$slug"
	operator_api POST "/v1/platform/tenants/$slug/staff" \
		'{"email":"nope","full_name":"","password":"short9chr","role":"owner","nickname":"x"}'
	assert_status 422
	assert_field_error email invalid_email
	assert_field_error password too_short
	assert_field_error role 'invalid_value|invalid_format'
	assert_field_error nickname unknown_field
	assert_field_error full_name 'too_short|required'
	operator_api POST "/v1/platform/tenants/$slug/staff" \
		"$(jq -cn --arg p "$(printf 'p%.0s' {1..129})" '{email: "long@pw.example.test", full_name: "Long", password: $p}')"
	assert_field_error password too_long
	operator_api POST "/v1/platform/tenants/$slug/staff" '{"full_name":"No Email"}'
	assert_field_error email required
	assert_field_error password required
}

@test "creating staff for an unknown tenant answers 404 tenant_not_found" {
	operator_api POST /v1/platform/tenants/no-such-tenant-staff/staff \
		"$(jq -cn --arg p "$TEST_PASSWORD" '{email: "x@y.example.test", full_name: "X", password: $p}')"
	assert_problem 404 tenant_not_found
}

@test "creating staff requires the operator token (none → 401, a staff token → 401 or 403)" {
	new_staff_token admin
	# direct: the proxy itself answers a request without the bearer the spec declares.
	api_direct POST "/v1/platform/tenants/$TENANT_SLUG/staff" \
		"$(jq -cn --arg p "$TEST_PASSWORD" '{email: "sneaky@x.example.test", full_name: "S", password: $p}')"
	assert_problem 401 unauthorized
	staff_api "$STAFF_TOKEN" POST "/v1/platform/tenants/$TENANT_SLUG/staff" \
		"$(jq -cn --arg p "$TEST_PASSWORD" '{email: "sneaky@x.example.test", full_name: "S", password: $p}')"
	[[ $status == 401 || $status == 403 ]] || {
		show_response
		fail "expected 401 or 403, got $status"
	}
}
