#!/usr/bin/env bats
# Back office: tenant API keys (created once, stored hashed, usable as Bearer, revocable).

load helpers

setup_file() {
	start_stack
}

teardown_file() {
	stop_stack
}

setup() {
	new_staff_token
}

@test "an admin creates a key: 201 with the secret once; the list shows it without the secret" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/api-keys '{"name": "  Billing sync "}'
	assert_status 201
	assert_json .name 'Billing sync'
	assert_jq '.key | test("^csk_[A-Za-z0-9_-]{43}$")'
	assert_jq '.prefix == .key[0:12]'
	assert_jq '.last_used_at == null and .revoked_at == null'
	local id key
	id=$(jq -r .id <<<"$body")
	key=$(jq -r .key <<<"$body")
	staff_api "$STAFF_TOKEN" GET /v1/admin/api-keys
	assert_status 200
	assert_jq "[.items[].id] == [\"$id\"] and .next_cursor == null"
	assert_jq '.items[0] | has("key") | not'
	assert_jq ".items[0].prefix == \"${key:0:12}\""
}

@test "only the SHA-256 of a key is stored" {
	new_api_key
	local stored
	stored=$(stack_sql "SELECT key_hash FROM api_keys WHERE id = '$API_KEY_ID'")
	[[ $stored == "$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)" ]] || fail "stored $stored"
	[[ -z $(stack_sql "SELECT 1 FROM api_keys WHERE row_to_json(api_keys)::text LIKE '%${API_KEY:4}%'") ]] ||
		fail "the key itself is stored"
}

@test "a key authenticates back-office requests of its tenant and records its use" {
	new_api_key
	with_bearer "$API_KEY" GET /v1/admin/customers
	assert_status 200
	assert_header Cache-Control no-store
	staff_api "$STAFF_TOKEN" GET /v1/admin/api-keys
	assert_jq '.items[0].last_used_at | type == "string"'
}

@test "a key cannot manage keys or settings: 403 forbidden" {
	new_api_key
	with_bearer "$API_KEY" GET /v1/admin/api-keys
	assert_problem 403 forbidden
	with_bearer "$API_KEY" POST /v1/admin/api-keys '{"name": "escalate"}'
	assert_problem 403 forbidden
	with_bearer "$API_KEY" GET /v1/admin/settings
	assert_problem 403 forbidden
}

@test "a billing staff user cannot list, create or revoke keys" {
	new_api_key
	local key_id=$API_KEY_ID
	create_staff "$TENANT_SLUG" "billing.$RANDOM@$TENANT_SLUG.example.test" "$TEST_PASSWORD" billing
	local billing
	billing=$(staff_login "$TENANT_SLUG" "$(jq -r .email <<<"$body")" "$TEST_PASSWORD")
	staff_api "$billing" GET /v1/admin/api-keys
	assert_problem 403 forbidden
	staff_api "$billing" POST /v1/admin/api-keys '{"name": "x"}'
	assert_problem 403 forbidden
	staff_api "$billing" DELETE "/v1/admin/api-keys/$key_id"
	assert_problem 403 forbidden
}

@test "a revoked key is refused at once; revoking again is fine; the list shows when" {
	new_api_key
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/api-keys/$API_KEY_ID"
	assert_status 204
	with_bearer "$API_KEY" GET /v1/admin/customers
	assert_problem 401 invalid_token
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/api-keys/$API_KEY_ID"
	assert_status 204
	staff_api "$STAFF_TOKEN" GET /v1/admin/api-keys
	assert_jq '.items[0].revoked_at | type == "string"'
}

@test "revoking an unknown, malformed or other tenant's key answers 404 not_found" {
	staff_api "$STAFF_TOKEN" DELETE /v1/admin/api-keys/3daa9a9b-3814-477a-ad1c-cbd220d14a66
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" DELETE /v1/admin/api-keys/nope
	assert_problem 404 not_found
	new_api_key
	local other_key_id=$API_KEY_ID other_key=$API_KEY
	new_staff_token
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/api-keys/$other_key_id"
	assert_problem 404 not_found
	with_bearer "$other_key" GET /v1/admin/customers
	assert_status 200
}

@test "a key acts only for its own tenant" {
	new_api_key
	local key=$API_KEY
	new_staff_token
	create_customer
	with_bearer "$key" GET "/v1/admin/customers/$CUSTOMER_ID"
	assert_problem 404 not_found
}

@test "invalid key names are refused with 422" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/api-keys '{}'
	assert_field_error name required
	staff_api "$STAFF_TOKEN" POST /v1/admin/api-keys '{"name": "   "}'
	assert_field_error name too_short
	staff_api "$STAFF_TOKEN" POST /v1/admin/api-keys "$(jq -cn '{name: ("k" * 101)}')"
	assert_field_error name too_long
	staff_api "$STAFF_TOKEN" POST /v1/admin/api-keys '{"name": "ok", "scope": "all"}'
	assert_field_error scope unknown_field
	staff_api "$STAFF_TOKEN" GET /v1/admin/api-keys
	assert_jq '.items == []'
}

@test "unknown keys and missing credentials answer 401" {
	with_bearer "csk_$(printf 'A%.0s' {1..43})" GET /v1/admin/customers
	assert_problem 401 invalid_token
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/admin/api-keys
	assert_problem 401 unauthorized
}
