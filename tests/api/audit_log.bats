#!/usr/bin/env bats
# The audit log (issue 26, item 3): every write by a staff user, an API key or the operator is
# recorded by the database in the write's transaction, with who, which credential, from where,
# which request, and the object before and after; portal users' and workers' writes and failed
# writes leave nothing; the log refuses UPDATE, DELETE and TRUNCATE even from its owner; staff
# admins read their tenant's records, the operator every tenant's (GET /v1/admin/audit-log).

load helpers

setup_file() {
	start_portal_stack
	neighbour_tenant
	export STAFF_ID SESSION_ID
	STAFF_ID=$(jwt_claims "$STAFF_TOKEN" | jq -r .sub)
	SESSION_ID=$(jwt_claims "$STAFF_TOKEN" | jq -r .sid)
}

teardown_file() {
	stop_stack
}

# new_request_id: an X-Request-Id no other request of the file sends.
new_request_id() {
	printf 'audit-%s-%s-%s\n' "${BATS_TEST_NUMBER:-0}" "$RANDOM" "$RANDOM"
}

# records_of REQUEST_ID [TOKEN]: the log's records of that request, as TOKEN (the operator
# unless given); expects 200.
records_of() {
	with_bearer "${2:-$CURBSIDE_OPERATOR_TOKEN}" GET "/v1/admin/audit-log?request_id=$1&limit=100"
	fixture_expect 200 "the records of request $1"
}

# one_record ACTION: the body's one record of ACTION, as JSON (fails when not exactly one).
one_record() {
	local n
	n=$(jq --arg a "$1" '[.items[] | select(.action == $a)] | length' <<<"$body")
	[[ $n == 1 ]] || {
		show_response
		fail "expected one record of $1, found $n"
	}
	jq -c --arg a "$1" '.items[] | select(.action == $a)' <<<"$body"
}

# assert_staff_actor RECORD: the common checks of a record written by this file's staff admin in REQ.
assert_staff_actor() {
	jq -e --arg s "$STAFF_ID" --arg c "$SESSION_ID" --arg t "$TENANT_ID" --arg r "$REQ" '
		.actor == {kind: "staff", id: $s, role: "admin", credential: $c} and
		.tenant_id == $t and .request_id == $r and .client_address == "127.0.0.1"' \
		<<<"$1" >/dev/null || fail "not this staff admin's record: $1"
}

@test "a staff customer update is recorded: who, session, address, request id, route, before and after" {
	create_customer
	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"name": "Renamed Hauling"}' \
		-H "X-Request-Id: $REQ"
	assert_status 200
	records_of "$REQ" "$STAFF_TOKEN"
	rec=$(one_record customers.update)
	assert_staff_actor "$rec"
	jq -e --arg id "$CUSTOMER_ID" '
		.request == "PATCH /v1/admin/customers/:id" and .object_type == "customers" and
		.object_id == $id and .before.name != "Renamed Hauling" and
		.after.name == "Renamed Hauling" and (.after | has("search_text") | not)' \
		<<<"$rec" >/dev/null || fail "$rec"
	# One record by id, the same.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log/$(jq -r .id <<<"$rec")"
	assert_status 200
	assert_jq --argjson r "$rec" '. == $r'
}

@test "money: an invoice sent, a payment and a refund are recorded whole, before and after" {
	create_customer
	create_invoice "$CUSTOMER_ID"
	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/send" -H "X-Request-Id: $REQ"
	assert_status 200
	records_of "$REQ"
	rec=$(one_record invoices.update)
	assert_staff_actor "$rec"
	jq -e --arg id "$INVOICE_ID" '
		.request == "POST /v1/admin/invoices/:id/send" and .object_id == $id and
		.before.status == "draft" and .after.status == "open" and
		.before.total_cents == 10000 and .after.total_cents == 10000 and
		(.before | has("number")) and (.after | has("customer_id"))' <<<"$rec" >/dev/null ||
		fail "$rec"

	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" POST /v1/admin/payments "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$INVOICE_ID" \
		'{customer_id: $c, amount_cents: 6000, method: "check", reference_number: "5521",
		  allocations: [{invoice_id: $i, amount_cents: 6000}]}')" \
		-H "Idempotency-Key: $(new_idempotency_key)" -H "X-Request-Id: $REQ"
	assert_status 201
	PAYMENT_ID=$(jq -r .id <<<"$body")
	records_of "$REQ"
	rec=$(one_record payments.insert)
	assert_staff_actor "$rec"
	jq -e --arg id "$PAYMENT_ID" '.object_id == $id and .before == null and
		.after.amount_cents == 6000 and .request == "POST /v1/admin/payments"' <<<"$rec" >/dev/null ||
		fail "$rec"
	rec=$(one_record payment_allocations.insert)
	rec=$(jq -c '.items[] | select(.action == "invoices.update")' <<<"$body")
	jq -e -s --arg id "$INVOICE_ID" 'any(.[]; .object_id == $id and .before.balance_cents == 10000
		and .after.balance_cents == 4000)' <<<"$rec" >/dev/null ||
		fail "the invoice's balance change is not recorded: $rec"

	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" \
		'{"amount_cents": 2500, "reason": "Overpaid"}' \
		-H "Idempotency-Key: $(new_idempotency_key)" -H "X-Request-Id: $REQ"
	assert_status 201
	records_of "$REQ"
	rec=$(one_record refunds.insert)
	assert_staff_actor "$rec"
	jq -e --arg p "$PAYMENT_ID" '.after.payment_id == $p and .after.amount_cents == 2500 and
		.request == "POST /v1/admin/payments/:id/refund"' <<<"$rec" >/dev/null || fail "$rec"
	# Idempotency keys are bookkeeping, not audited objects.
	[[ $(jq '[.items[] | select(.object_type == "idempotency_keys")] | length' <<<"$body") == 0 ]]
}

@test "access: an API key created and revoked, a staff user disabled, portal access switched; no secret hash recorded" {
	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" POST /v1/admin/api-keys '{"name": "audit sync"}' -H "X-Request-Id: $REQ"
	assert_status 201
	key=$(jq -r .key <<<"$body")
	key_id=$(jq -r .id <<<"$body")
	records_of "$REQ"
	rec=$(one_record api_keys.insert)
	assert_staff_actor "$rec"
	jq -e --arg id "$key_id" '.object_id == $id and .after.name == "audit sync" and
		(.after | has("key_hash") | not)' <<<"$rec" >/dev/null || fail "$rec"
	[[ $body != *"$(sha256_hex "$key")"* && $body != *"${key:4}"* ]] || fail "the key or its hash is in the log"

	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" DELETE "/v1/admin/api-keys/$key_id" -H "X-Request-Id: $REQ"
	assert_status 204
	records_of "$REQ"
	rec=$(one_record api_keys.update)
	jq -e '.before.revoked_at == null and .after.revoked_at != null and
		.request == "DELETE /v1/admin/api-keys/:id" and (.before | has("key_hash") | not)' \
		<<<"$rec" >/dev/null || fail "$rec"

	email=billing.$RANDOM@$TENANT_SLUG.example.test
	staff_api "$STAFF_TOKEN" POST /v1/admin/staff-users "$(jq -cn --arg e "$email" --arg p "$TEST_PASSWORD" \
		'{email: $e, full_name: "Bo Billing", password: $p, role: "billing"}')"
	assert_status 201
	billing_id=$(jq -r .id <<<"$body")
	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/staff-users/$billing_id" '{"disabled": true}' -H "X-Request-Id: $REQ"
	assert_status 200
	records_of "$REQ"
	rec=$(one_record staff_users.update)
	jq -e --arg id "$billing_id" '.object_id == $id and .before.disabled_at == null and
		.after.disabled_at != null and .after.role == "billing" and
		(.before | has("password_hash") | not) and (.after | has("password_hash") | not)' \
		<<<"$rec" >/dev/null || fail "$rec"

	create_customer
	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" PUT "/v1/admin/customers/$CUSTOMER_ID/portal" \
		"$(jq -cn --arg e "$(new_address access)" '{enabled: true, login_email: $e}')" -H "X-Request-Id: $REQ"
	assert_status 200
	records_of "$REQ"
	rec=$(one_record customers.update)
	jq -e '.before.portal_enabled == false and .after.portal_enabled == true' <<<"$rec" >/dev/null ||
		fail "$rec"
	# The "Create Password" link is in the log without its token hash.
	rec=$(one_record invitations.insert)
	jq -e '(.after | has("token_hash") or has("nonce")) | not' <<<"$rec" >/dev/null || fail "$rec"
	# No record anywhere holds a secret column.
	[[ $(stack_sql "SELECT count(*) FROM audit_log WHERE before::text ~ '_hash\"' OR after::text ~ '_hash\"'
		OR before ? 'nonce' OR after ? 'nonce'") == 0 ]] || fail "a secret column is in the log"
}

@test "a settings change by staff and writes by an API key are recorded as the key's" {
	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"show_pending_invoices": true}' -H "X-Request-Id: $REQ"
	assert_status 200
	records_of "$REQ"
	rec=$(one_record tenants.update)
	assert_staff_actor "$rec"
	jq -e --arg t "$TENANT_ID" '.object_id == $t and .after.show_pending_invoices == true and
		.before.show_pending_invoices == false' <<<"$rec" >/dev/null || fail "$rec"

	new_api_key "audit integrator"
	REQ=$(new_request_id)
	number=$(unique_number K)
	with_bearer "$API_KEY" POST /v1/admin/customers \
		"$(jq -cn --arg n "$number" '{account_number: $n, name: "Synced Co", kind: "commercial"}')" \
		-H "X-Request-Id: $REQ"
	assert_status 201
	customer=$(jq -r .id <<<"$body")
	records_of "$REQ"
	rec=$(one_record customers.insert)
	jq -e --arg k "$API_KEY_ID" --arg c "$customer" --arg t "$TENANT_ID" '
		.actor == {kind: "api_key", id: $k, role: "integrator", credential: $k} and
		.object_id == $c and .tenant_id == $t and .request == "POST /v1/admin/customers" and
		.after.account_number != null' <<<"$rec" >/dev/null || fail "$rec"

	CUSTOMER_ID=$customer
	create_invoice "$CUSTOMER_ID"
	send_invoice "$INVOICE_ID"
	REQ=$(new_request_id)
	with_bearer "$API_KEY" POST /v1/admin/payments "$(jq -cn --arg c "$CUSTOMER_ID" \
		'{customer_id: $c, amount_cents: 1500, method: "check", reference_number: "77"}')" \
		-H "Idempotency-Key: $(new_idempotency_key)" -H "X-Request-Id: $REQ"
	assert_status 201
	records_of "$REQ"
	rec=$(one_record payments.insert)
	jq -e --arg k "$API_KEY_ID" '.actor.kind == "api_key" and .actor.id == $k and
		.after.amount_cents == 1500' <<<"$rec" >/dev/null || fail "$rec"
	# Filters: by actor and kind.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?actor_id=$API_KEY_ID&limit=100"
	assert_status 200
	assert_jq --arg k "$API_KEY_ID" '(.items | length) >= 2 and all(.items[]; .actor.id == $k)'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?actor_kind=api_key&object_type=payments&action=payments.insert"
	assert_status 200
	assert_jq '(.items | length) == 1 and .items[0].after.amount_cents == 1500'
}

@test "the operator's writes are recorded as the operator's, in the tenant they touch" {
	slug=$(unique_slug op)
	REQ=$(new_request_id)
	operator_api POST /v1/platform/tenants "$(jq -cn --arg s "$slug" '{slug: $s, name: "Operator Made"}')" \
		-H "X-Request-Id: $REQ"
	assert_status 201
	tenant=$(jq -r .id <<<"$body")
	records_of "$REQ"
	rec=$(one_record tenants.insert)
	jq -e --arg t "$tenant" '.actor == {kind: "operator", id: null, role: null,
		credential: "operator token"} and .tenant_id == $t and .object_id == $t and
		.request == "POST /v1/platform/tenants" and .after.name == "Operator Made" and
		.client_address == "127.0.0.1"' <<<"$rec" >/dev/null || fail "$rec"
	REQ=$(new_request_id)
	operator_api PATCH "/v1/platform/tenants/$slug" '{"portal_enabled": true}' -H "X-Request-Id: $REQ"
	assert_status 200
	records_of "$REQ"
	rec=$(one_record tenants.update)
	jq -e '.before.portal_enabled == false and .after.portal_enabled == true' <<<"$rec" >/dev/null ||
		fail "$rec"
	# The operator filters by tenant.
	operator_api GET "/v1/admin/audit-log?tenant_id=$tenant"
	assert_status 200
	assert_jq --arg t "$tenant" '(.items | length) == 2 and all(.items[]; .tenant_id == $t)
		and .items[0].action == "tenants.update" and .items[1].action == "tenants.insert"'
}

@test "a portal user's write, a failed write and a read leave no record" {
	account_with_user
	before=$(stack_sql "SELECT count(*) FROM audit_log")
	REQ=$(new_request_id)
	with_bearer "$PORTAL_TOKEN" PATCH /v1/me '{"full_name": "Pat Portal"}' -H "X-Request-Id: $REQ"
	assert_status 200
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/notifications '{"sms_opt_in": true, "sms_phone": "+13125550142"}' \
		-H "X-Request-Id: $REQ"
	assert_status 200
	[[ $(stack_sql "SELECT full_name FROM portal_users WHERE email = '$USER_EMAIL'") == "Pat Portal" ]]
	# A write refused by the database (409: the account number is another customer's) and one
	# refused by validation (422).
	create_customer
	taken=$CUSTOMER_NUMBER
	create_customer
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" \
		"$(jq -cn --arg n "$taken" '{account_number: $n}')" -H "X-Request-Id: $REQ"
	[[ $status == 409 || $status == 422 ]] || fail "renumbering onto a taken number answered $status"
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"kind": "castle"}' -H "X-Request-Id: $REQ"
	assert_status 422
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID" -H "X-Request-Id: $REQ"
	assert_status 200
	records_of "$REQ"
	assert_jq '.items == []'
	# Only the two create_customer calls wrote records since.
	[[ $(stack_sql "SELECT count(*) FROM audit_log") == $((before + 2)) ]] ||
		fail "$(stack_sql "SELECT action, request FROM audit_log ORDER BY id DESC LIMIT 5")"
}

@test "a worker's write leaves no record" {
	create_customer "$(jq -cn --arg e "$(new_address bulk)" '{contacts: [{name: "Bea Bulk", email: $e}]}')"
	# The bulk invitation runs in the jobs worker, which writes the invitations (an audited
	# table) on its own thread, with no actor.
	staff_api "$STAFF_TOKEN" POST /v1/admin/invitations/bulk
	assert_status 202
	job=$(jq -r .job_id <<<"$body")
	deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(stack_sql "SELECT count(*) FROM invitations WHERE customer_id = '$CUSTOMER_ID'") -gt 0 ]]; do
		((SECONDS < deadline)) || fail "the bulk invitation job $job did not invite the customer"
		sleep 0.2
	done
	[[ $(stack_sql "SELECT count(*) FROM audit_log WHERE object_type = 'invitations'
		AND after ->> 'customer_id' = '$CUSTOMER_ID'") == 0 ]] || fail "the worker's invitation was recorded"
	# Nor is any write on a connection without an actor (psql here).
	before=$(stack_sql "SELECT count(*) FROM audit_log")
	stack_sql "UPDATE customers SET name = 'Renamed Outside' WHERE id = '$CUSTOMER_ID'"
	[[ $(stack_sql "SELECT count(*) FROM audit_log") == "$before" ]] || fail "a write without an actor was recorded"
}

@test "the log is append-only: UPDATE, DELETE and TRUNCATE are refused even to its owner" {
	[[ $(stack_sql "SELECT count(*) FROM audit_log") -gt 0 ]]
	run stack_sql "UPDATE audit_log SET actor_kind = 'operator'"
	[[ $status != 0 && $output == *"append-only"* ]] || fail "UPDATE: $output"
	run stack_sql "DELETE FROM audit_log"
	[[ $status != 0 && $output == *"append-only"* ]] || fail "DELETE: $output"
	run stack_sql "TRUNCATE audit_log"
	[[ $status != 0 && $output == *"append-only"* ]] || fail "TRUNCATE: $output"
	[[ $(stack_sql "SELECT count(*) FROM audit_log WHERE actor_kind NOT IN ('staff', 'api_key', 'operator')") == 0 ]]
}

@test "paging: newest first, keyset cursors, limit 1..100; filters checked" {
	create_customer
	for n in 1 2 3; do
		staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" "{\"name\": \"Name $n\"}"
		assert_status 200
	done
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?object_id=$CUSTOMER_ID&limit=2"
	assert_status 200
	assert_jq '(.items | length) == 2 and .next_cursor != null and .items[0].after.name == "Name 3"
		and .items[1].after.name == "Name 2"'
	cursor=$(jq -r .next_cursor <<<"$body")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?object_id=$CUSTOMER_ID&limit=2&cursor=$cursor"
	assert_status 200
	assert_jq '(.items | length) == 2 and .next_cursor == null and .items[0].after.name == "Name 1"
		and .items[1].action == "customers.insert"'
	today=$(stack_sql "SELECT tenant_today('$TENANT_ID')")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?object_id=$CUSTOMER_ID&from=$today&to=$today"
	assert_jq '(.items | length) == 4'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?object_id=$CUSTOMER_ID&to=2020-01-01"
	assert_jq '.items == []'
	staff_api "$STAFF_TOKEN" GET /v1/admin/audit-log?limit=101
	assert_field_error limit invalid_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?actor_kind=portal"
	assert_problem 422 invalid_parameter
	assert_field_error actor_kind invalid_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?actor_id=nope&object_type=Bad%20Type&from=2026-02-30"
	assert_field_errors_exactly actor_id object_type from
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?tenant_id=$TENANT_ID"
	assert_field_error tenant_id invalid_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?colour=red"
	assert_problem 422 unknown_parameter
	staff_api "$STAFF_TOKEN" GET "/v1/admin/audit-log?cursor=garbage"
	assert_field_error cursor invalid_cursor
}

@test "isolation: another tenant's staff see none of it, billing staff, keys and portal users are refused" {
	create_customer
	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"name": "Private"}' -H "X-Request-Id: $REQ"
	records_of "$REQ" "$STAFF_TOKEN"
	id=$(jq -r '.items[0].id' <<<"$body")
	staff_api "$B_TOKEN" GET "/v1/admin/audit-log/$id"
	assert_problem 404 not_found
	staff_api "$B_TOKEN" GET "/v1/admin/audit-log?request_id=$REQ"
	assert_status 200
	assert_jq '.items == []'
	staff_api "$B_TOKEN" GET "/v1/admin/audit-log?limit=100"
	assert_jq --arg t "$TENANT_ID" 'all(.items[]; .tenant_id != $t)'
	with_bearer "$B_KEY" GET /v1/admin/audit-log
	assert_problem 403 forbidden
	email=viewer.$RANDOM@$TENANT_SLUG.example.test
	create_staff "$TENANT_SLUG" "$email" "$TEST_PASSWORD" billing
	billing=$(staff_login "$TENANT_SLUG" "$email" "$TEST_PASSWORD")
	staff_api "$billing" GET /v1/admin/audit-log
	assert_problem 403 forbidden
	staff_api "$billing" GET "/v1/admin/audit-log/$id"
	assert_problem 403 forbidden
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/admin/audit-log
	assert_problem 403 forbidden
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/admin/audit-log
	assert_problem 401 unauthorized
	with_bearer not-a-token GET /v1/admin/audit-log
	assert_status 401
	staff_api "$STAFF_TOKEN" GET /v1/admin/audit-log/00000000-0000-4000-8000-000000000000
	assert_problem 404 not_found
	# The operator sees both tenants.
	operator_api GET "/v1/admin/audit-log/$id"
	assert_status 200
	operator_api GET "/v1/admin/audit-log?limit=100&actor_kind=staff"
	assert_status 200
	b_tenant=$(stack_sql "SELECT tenant_id FROM staff_users WHERE id = '$(jwt_claims "$B_TOKEN" | jq -r .sub)'")
	operator_api GET "/v1/admin/audit-log?tenant_id=$b_tenant&limit=100"
	assert_jq --arg t "$b_tenant" '(.items | length) > 0 and all(.items[]; .tenant_id == $t)'
	operator_api GET "/v1/admin/audit-log?limit=100"
	assert_jq --arg a "$TENANT_ID" --arg b "$b_tenant" 'any(.items[]; .tenant_id == $a) and any(.items[]; .tenant_id == $b)'
}

@test "one pooled connection: a staff write's actor is not carried into a later portal write; the address comes from a trusted balancer" {
	local port pid log=$BATS_TEST_TMPDIR/pool-one.log rid
	account_with_user
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT")
	# A second server on the same database with one connection, so every request below uses it,
	# and the loopback trusted as a balancer (X-Forwarded-For names the client).
	launch_server "$log" "$port" CURBSIDE_WORKERS=none CURBSIDE_DB_POOL=1 CURBSIDE_TRUSTED_PROXIES=127.0.0.1
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	rid=$(new_request_id)
	code=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X PATCH \
		-H "Authorization: Bearer $STAFF_TOKEN" -H 'Content-Type: application/json' \
		-H "X-Request-Id: $rid" -H 'X-Forwarded-For: 198.51.100.23' \
		--data-binary '{"name": "Pooled Staff Write"}' "http://127.0.0.1:$port/v1/admin/customers/$CUSTOMER_ID")
	[[ $code == 200 ]] || fail "the staff write answered $code"
	before=$(stack_sql "SELECT count(*) FROM audit_log")
	code=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X PATCH \
		-H "Authorization: Bearer $PORTAL_TOKEN" -H 'Content-Type: application/json' \
		--data-binary '{"full_name": "Pooled Portal Write"}' "http://127.0.0.1:$port/v1/me")
	[[ $code == 200 ]] || fail "the portal write answered $code"
	finish_server "$pid" "$log" "the server with one connection"
	[[ $(stack_sql "SELECT full_name FROM portal_users WHERE email = '$USER_EMAIL'") == "Pooled Portal Write" ]]
	[[ $(stack_sql "SELECT count(*) FROM audit_log") == "$before" ]] ||
		fail "the portal write was recorded: $(stack_sql "SELECT actor_kind, request FROM audit_log ORDER BY id DESC LIMIT 2")"
	[[ $(stack_sql "SELECT client_address || ' ' || actor_kind FROM audit_log WHERE request_id = '$rid'") == "198.51.100.23 staff" ]]
}

@test "webhook endpoints: registering and rotating a secret are recorded in full, without the secret or its nonces" {
	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" POST /v1/admin/webhook-endpoints \
		'{"url": "https://erp.example.com/curbside", "event_types": ["invoice.sent"]}' -H "X-Request-Id: $REQ"
	assert_status 201
	endpoint_id=$(jq -r .id <<<"$body")
	secret=$(jq -r .secret <<<"$body")
	records_of "$REQ"
	rec=$(one_record webhook_endpoints.insert)
	assert_staff_actor "$rec"
	jq -e --arg id "$endpoint_id" '.object_id == $id and .after.url == "https://erp.example.com/curbside" and
		(.after | has("secret_nonce") or has("previous_secret_nonce") | not)' <<<"$rec" >/dev/null || fail "$rec"

	REQ=$(new_request_id)
	staff_api "$STAFF_TOKEN" POST "/v1/admin/webhook-endpoints/$endpoint_id/rotate-secret" '{}' -H "X-Request-Id: $REQ"
	assert_status 200
	records_of "$REQ"
	rec=$(one_record webhook_endpoints.update)
	jq -e '.before.previous_secret_expires_at == null and .after.previous_secret_expires_at != null and
		.request == "POST /v1/admin/webhook-endpoints/:id/rotate-secret"' <<<"$rec" >/dev/null || fail "$rec"
	[[ $body != *"$secret"* && $body != *nonce* ]] || fail "a secret or nonce is in the log"
}
