#!/usr/bin/env bats
# Cross-cutting error handling: unknown routes, methods, bodies (malformed, wrong shape, wrong media
# type, oversize), field validation that reports every bad field at once, and CORS.
#
# Direct requests (api_direct) are used where the validating proxy cannot carry the request: it
# answers unknown paths and methods itself, parses JSON bodies itself (rejecting malformed ones and
# unwrapping JSON strings), re-frames chunked bodies, and has no OPTIONS operations to forward.

load helpers

setup_file() {
	STACK_ENV=(CURBSIDE_MAX_BODY_BYTES=1024)
	start_stack
}

teardown_file() {
	stop_stack
}

AUTH_OPERATOR=(-H "Authorization: Bearer $CURBSIDE_OPERATOR_TOKEN")

@test "an unknown path answers 404 not_found as a problem" {
	# direct: the proxy answers paths missing from the spec itself.
	api_direct GET /v1/no-such-thing
	assert_problem 404 not_found
	api_direct GET /healthz/extra
	assert_problem 404 not_found
}

@test "a path parameter that is not UTF-8 or decodes to a NUL names nothing: 404 not_found" {
	# direct: the proxy would refuse these paths before the server sees them.
	for path in /v1/tenants/a%00b /v1/tenants/%FF /v1/tenants/%C3 /v1/tenants/ab%4 /v1/tenants/a%zzb; do
		api_direct GET "$path"
		assert_problem 404 not_found
	done
	# A well-formed escape is decoded and reaches the route: the tenant lookup answers.
	api_direct GET /v1/tenants/no%2Dsuch%2Dhauler
	assert_problem 404 tenant_not_found
	assert_jq '.detail | contains("no-such-hauler")'
}

@test "a wrong method on a known path answers 405 method_not_allowed with Allow" {
	# direct: the proxy answers methods missing from the spec itself.
	api_direct DELETE /healthz
	assert_problem 405 method_not_allowed
	assert_header_matches Allow '(^|[ ,])GET($|[ ,])'
	api_direct PUT /v1/tenants/some-tenant '{"name":"x"}'
	assert_problem 405 method_not_allowed
	assert_header_matches Allow '(^|[ ,])GET($|[ ,])'
}

@test "malformed JSON answers 400 malformed_json" {
	# direct: the proxy parses JSON bodies and rejects unparseable ones before forwarding.
	local bad
	for bad in '{"slug": "acme",' '{slug: 1}' "{'slug':'x'}" '{"a":1}}' 'nul'; do
		api_direct POST /v1/platform/tenants "$bad" "${AUTH_OPERATOR[@]}"
		assert_problem 400 malformed_json
	done
}

@test "a JSON body that is not an object answers 400 body_not_object" {
	api POST /v1/platform/tenants '[{"slug":"acme","name":"Acme"}]' "${AUTH_OPERATOR[@]}"
	assert_problem 400 body_not_object
	api POST /v1/platform/tenants '42' "${AUTH_OPERATOR[@]}"
	assert_problem 400 body_not_object
	api POST /v1/tenants/any-tenant/staff/login '[]'
	assert_problem 400 body_not_object
	# direct: the proxy unwraps a JSON string and would forward it without its quotes.
	api_direct POST /v1/platform/tenants '"acme"' "${AUTH_OPERATOR[@]}"
	assert_problem 400 body_not_object
}

@test "a missing body answers 400 body_required" {
	api POST /v1/platform/tenants '' "${AUTH_OPERATOR[@]}" -H 'Content-Type: application/json'
	assert_problem 400 body_required
	api POST /v1/platform/tenants '' "${AUTH_OPERATOR[@]}"
	assert_problem 400 body_required
}

@test "a text/plain body answers 415 unsupported_media_type" {
	api POST /v1/platform/tenants '{"slug":"plain","name":"Plain"}' "${AUTH_OPERATOR[@]}" -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
}

@test "a body whose Content-Length is over CURBSIDE_MAX_BODY_BYTES answers 413 payload_too_large" {
	local doc
	doc=$(jq -cn --arg n "$(printf 'n%.0s' {1..2000})" '{slug: "too-big", name: $n}')
	api POST /v1/platform/tenants "$doc" "${AUTH_OPERATOR[@]}"
	assert_problem 413 payload_too_large
	# nothing was created
	api GET /v1/tenants/too-big
	assert_problem 404 tenant_not_found
}

@test "a chunked body over CURBSIDE_MAX_BODY_BYTES answers 413 payload_too_large" {
	# direct: the proxy buffers bodies and re-frames them, so only a direct request stays chunked.
	local f=$BATS_TEST_TMPDIR/big.json
	jq -cn --arg n "$(printf 'n%.0s' {1..3000})" '{slug: "too-big-chunked", name: $n}' >"$f"
	api_direct POST /v1/platform/tenants '' "${AUTH_OPERATOR[@]}" \
		-H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary "@$f"
	assert_problem 413 payload_too_large
	api GET /v1/tenants/too-big-chunked
	assert_problem 404 tenant_not_found
}

@test "a body under CURBSIDE_MAX_BODY_BYTES is accepted" {
	local slug
	slug=$(unique_slug small)
	create_tenant "$slug" "$(jq -cn --arg n "$(printf 'n%.0s' {1..150})" '{name: $n}')"
	assert_status 201
}

@test "unknown fields and wrong types answer 422 listing every bad field at once" {
	api POST /v1/platform/tenants \
		'{"slug":42,"name":["x"],"currency":true,"portal_enabled":"yes","colour":"#ffffff","contact":{"email":7,"fax":"x"}}' \
		"${AUTH_OPERATOR[@]}"
	assert_problem 422 validation_failed
	assert_field_error slug wrong_type
	assert_field_error name wrong_type
	assert_field_error currency wrong_type
	assert_field_error portal_enabled wrong_type
	assert_field_error colour unknown_field
	assert_field_error contact.email wrong_type
	assert_field_error contact.fax unknown_field
	assert_field_errors_exactly slug name currency portal_enabled colour contact.email contact.fax
}

@test "when every field error shares a code, the problem's code is that code" {
	api POST /v1/platform/tenants '{"slug":"all-unknown","name":"N","bogus":1,"extra":{}}' "${AUTH_OPERATOR[@]}"
	assert_problem 422 unknown_field
	assert_field_error bogus unknown_field
	assert_field_error extra unknown_field
	assert_field_errors_exactly bogus extra
	api POST /v1/platform/tenants '{}' "${AUTH_OPERATOR[@]}"
	assert_problem 422 required
	assert_field_error slug required
	assert_field_error name required
	assert_field_errors_exactly slug name
}

@test "CORS: an allowed Origin gets the CORS response headers" {
	api GET /healthz -H "Origin: $CORS_ORIGIN"
	assert_status 200
	assert_header Access-Control-Allow-Origin "$CORS_ORIGIN"
	assert_header Access-Control-Allow-Credentials true
	assert_header_matches Vary '(^|[ ,])[Oo]rigin($|[ ,])'
	local expose
	expose=$(header Access-Control-Expose-Headers)
	for h in X-Request-Id Retry-After Location Idempotent-Replayed Content-Disposition Allow; do
		[[ ${expose,,} =~ (^|[ ,])${h,,}($|[ ,]) ]] || fail "Access-Control-Expose-Headers lacks $h: $expose"
	done
	# problems carry them too, so the SPA can read their request ids
	api GET /v1/tenants/no-such-tenant-cors -H "Origin: $CORS_ORIGIN"
	assert_problem 404 tenant_not_found
	assert_header Access-Control-Allow-Origin "$CORS_ORIGIN"
}

@test "CORS: a disallowed Origin gets no CORS headers" {
	api GET /healthz -H 'Origin: https://evil.example.test'
	assert_status 200
	refute_header Access-Control-Allow-Origin
	refute_header Access-Control-Allow-Credentials
	refute_header Access-Control-Expose-Headers
}

@test "CORS: a preflight from an allowed Origin answers 204 with methods, headers and max-age" {
	# direct: the spec has no OPTIONS operations, so the proxy would answer the preflight itself.
	api_direct OPTIONS /v1/platform/tenants -H "Origin: $CORS_ORIGIN" \
		-H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: authorization, content-type'
	assert_status 204
	assert_header Access-Control-Allow-Origin "$CORS_ORIGIN"
	assert_header Access-Control-Allow-Credentials true
	assert_header_matches Access-Control-Allow-Methods '(^|[ ,])POST($|[ ,])'
	local allow
	allow=$(header Access-Control-Allow-Headers)
	for h in Authorization Content-Type Idempotency-Key X-Request-Id; do
		[[ ${allow,,} =~ (^|[ ,])${h,,}($|[ ,]) ]] || fail "Access-Control-Allow-Headers lacks $h: $allow"
	done
	assert_header Access-Control-Max-Age 600
	[[ -z $body ]] || fail "204 with a body: $body"
}

@test "CORS: a preflight from a disallowed Origin answers 403 forbidden without CORS headers" {
	# direct: as above, the proxy cannot forward OPTIONS.
	api_direct OPTIONS /v1/platform/tenants -H 'Origin: https://evil.example.test' \
		-H 'Access-Control-Request-Method: POST'
	assert_problem 403 forbidden
	refute_header Access-Control-Allow-Origin
	refute_header Access-Control-Allow-Methods
	refute_header Access-Control-Allow-Credentials
}
