#!/usr/bin/env bats
# Bulk invitation (rule 11): staff (or the operator) invite every eligible customer of a hauler at
# once; a background job does it in batches and reports progress at GET /v1/admin/jobs/{id}. One
# bulk invitation runs at a time per hauler; a job whose worker died resumes after its last batch.

load helpers

JOB_KEYS='["created_at","error","failed","finished_at","id","kind","processed","skipped","started_at","status","succeeded","total"]'

setup_file() {
	start_stack
	# A neighbour hauler with a job of its own that tenant A must never see.
	new_staff_token admin other
	export B_TOKEN=$STAFF_TOKEN B_SLUG=$TENANT_SLUG
	new_api_key b-sync
	export B_KEY=$API_KEY
	staff_api "$STAFF_TOKEN" POST /v1/admin/invitations/bulk
	fixture_expect 202 "tenant B's bulk invitation"
	export B_JOB_ID
	B_JOB_ID=$(jq -r .job_id <<<"$body")
}

teardown_file() {
	stop_stack
}

# Every test: a fresh hauler with its portal on and a staff admin.
setup() {
	new_staff_token
	enable_portal "$TENANT_SLUG"
}

# address NAME: a recipient unique to this test.
address() {
	printf '%s.%s.%s@example.com\n' "$1" "${BATS_TEST_NUMBER:-0}" "$TENANT_SLUG"
}

# start_bulk [TOKEN]: POST /v1/admin/invitations/bulk (staff token by default).
start_bulk() {
	with_bearer "${1:-$STAFF_TOKEN}" POST /v1/admin/invitations/bulk
}

# wait_job JOB_ID [PATH]: poll the job (bounded) until it has finished; leaves it in $body.
wait_job() {
	local path=${2:-/v1/admin/jobs/$1} deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		if [[ $path == /v1/platform/* ]]; then
			operator_api GET "$path"
		else
			staff_api "$STAFF_TOKEN" GET "$path"
		fi
		assert_status 200 || return 1
		[[ $(jq -r .status <<<"$body") == succeeded || $(jq -r .status <<<"$body") == failed ]] && return 0
		sleep 0.2
	done
	show_response
	fail "job $1 did not finish within $((30 * CURBSIDE_TEST_WAIT_SCALE)) s"
}

# assert_counts "total processed succeeded skipped failed": the job's counters.
assert_counts() {
	local got
	got=$(jq -r '"\(.total) \(.processed) \(.succeeded) \(.skipped) \(.failed)"' <<<"$body")
	[[ $got == "$1" ]] || fail "job counters: expected '$1', got '$got'"
}

# many_customers N PREFIX: N customers of this tenant with a contact email each, made in SQL.
many_customers() {
	stack_sql "INSERT INTO customers (tenant_id, account_number, name, kind, contacts)
		SELECT '$TENANT_ID', '$2-' || g, 'Bulk ' || g, 'residential',
		       jsonb_build_array(jsonb_build_object('name', 'Person' || g || ' Bulk',
		                                            'email', '$2.' || g || '@example.com'))
		FROM generate_series(1, $1) g"
}

# ---------------------------------------------------------------------------------- the job

@test "rule 11: staff invite every eligible customer at once: 202, the job runs to succeeded with counts" {
	local ann pat nobody off linked pending ann_id pat_id
	# Eligible with a contact email; eligible with a portal login email; eligible without any
	# address (skipped); switched off by staff, with a linked portal user, with a pending
	# invitation (all three left alone).
	create_customer "$(jq -cn --arg e "$(address ann)" '{contacts: [{name: "Ann  Lee Jones", email: $e}]}')"
	ann_id=$CUSTOMER_ID
	create_customer
	pat_id=$CUSTOMER_ID
	stack_sql "UPDATE customers SET portal_login_email = '$(address pat)' WHERE id = '$pat_id'"
	create_customer
	nobody=$CUSTOMER_ID
	create_customer "$(jq -cn --arg e "$(address off)" '{contacts: [{email: $e}]}')"
	off=$CUSTOMER_ID
	staff_api "$STAFF_TOKEN" PUT "/v1/admin/customers/$off/portal" '{"enabled": false}'
	create_customer "$(jq -cn --arg e "$(address linked)" '{contacts: [{email: $e}]}')"
	linked=$CUSTOMER_ID
	stack_sql "SELECT portal_user_link(tenant_id, '$(address linked)', 'Linked', 'x', id, 'invitation')
		FROM customers WHERE id = '$linked'" >/dev/null
	create_customer "$(jq -cn --arg e "$(address pending)" '{contacts: [{email: $e}]}')"
	pending=$CUSTOMER_ID
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$pending/invitations" \
		"$(jq -cn --arg e "$(address pending)" '{first_name: "Pen", email: $e}')"
	assert_status 201

	start_bulk
	assert_status 202
	local id
	id=$(jq -r .job_id <<<"$body")
	assert_jq --arg id "$id" '. == {job_id: $id, status_url: "/v1/admin/jobs/\($id)"}'
	assert_header Location "/v1/admin/jobs/$id"
	wait_job "$id"
	assert_jq "keys == $JOB_KEYS"
	assert_jq --arg id "$id" '.id == $id and .kind == "bulk_invitation" and .status == "succeeded" and
		.started_at != null and .finished_at != null and .error == null'
	assert_counts "3 3 2 1 0"

	# The two invitations went out, with the hauler's branding and a greeting.
	local file
	file=$(mail_wait "$(address ann)" "invited you to your online account")
	[[ $(mail_header "$file" From) == "Hauler $TENANT_SLUG <$MAIL_FROM_ADDRESS>" ]] || fail "From: $(mail_header "$file" From)"
	! grep -qi curbside "$file" || fail "the platform's name appears in the email"
	[[ $(mail_text "$file") == *"Hi Ann,"* ]] || fail "no greeting: $(mail_text "$file")"
	[[ $(stack_sql "SELECT customer_id FROM invitations WHERE token_hash = '$(printf %s "$(mail_token "$file")" | sha256sum | cut -d' ' -f1)'") == "$ann_id" ]] ||
		fail "the emailed token's hash is not Ann's invitation"
	file=$(mail_wait "$(address pat)" "invited you")
	[[ $(mail_text "$file") == *"Hello,"* ]] || fail "no first name: a plain greeting expected"
	# Exactly those two, created by the staff user; the others untouched.
	[[ $(stack_sql "SELECT string_agg(customer_id::text || ' ' || created_by, ',' ORDER BY email)
		FROM invitations WHERE tenant_id = '$TENANT_ID' AND email <> '$(address pending)'") == "$ann_id staff:$STAFF_ID,$pat_id staff:$STAFF_ID" ]] ||
		fail "unexpected invitations"
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE customer_id IN ('$nobody', '$off', '$linked')") == 0 ]]
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE customer_id = '$pending'") == 1 ]]
	# The invited customers' profiles show their links.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$ann_id"
	assert_jq --arg e "$(address ann)" '.portal.invitation.email == $e and .portal.enabled'
	# Running it again invites nobody twice: only the address-less customer is left, skipped.
	start_bulk
	assert_status 202
	wait_job "$(jq -r .job_id <<<"$body")"
	assert_counts "1 1 0 1 0"
}

@test "rule 11: the job works in batches: 230 customers are all invited, each once" {
	many_customers 230 many
	start_bulk
	assert_status 202
	wait_job "$(jq -r .job_id <<<"$body")"
	assert_json .status succeeded
	assert_counts "230 230 230 0 0"
	[[ $(stack_sql "SELECT count(*), count(DISTINCT customer_id) FROM invitations WHERE tenant_id = '$TENANT_ID'") == "230|230" ]]
	[[ $(stack_sql "SELECT count(*) FROM outbox WHERE tenant_id = '$TENANT_ID' AND template = 'invitation'") == 230 ]]
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE tenant_id = '$TENANT_ID' AND first_name ~ '^Person[0-9]+$'") == 230 ]]
}

@test "rule 11: a job whose worker died resumes after its last batch and finishes with the right counts" {
	local after id
	many_customers 150 resume
	# The customers before the resume point were done by the dead worker (and invited: a pending
	# invitation each, so a restart from scratch would skip them, not count them again).
	after=$(stack_sql "SELECT id FROM customers WHERE tenant_id = '$TENANT_ID' ORDER BY id OFFSET 99 LIMIT 1")
	# Its lease still runs while the state is checked (the insert itself wakes the workers).
	id=$(stack_sql "INSERT INTO jobs (tenant_id, kind, status, created_by, total, processed, succeeded,
		started_at, lease_until, params)
		VALUES ('$TENANT_ID', 'bulk_invitation', 'running', 'staff:$STAFF_ID', 150, 100, 100,
		        now() - interval '2 minutes', now() + interval '1 hour',
		        jsonb_build_object('after', '$after'))
		RETURNING id")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/jobs/$id"
	assert_jq '.status == "running" and .processed == 100'
	# The worker dies: its lease runs out. Wake the workers rather than wait for their poll.
	stack_sql "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = '$id'"
	stack_sql "NOTIFY curbside_jobs"
	wait_job "$id"
	assert_json .status succeeded
	assert_counts "150 150 150 0 0"
	[[ $(stack_sql "SELECT count(*) FROM invitations i JOIN customers c ON c.id = i.customer_id
		WHERE c.tenant_id = '$TENANT_ID' AND c.id > '$after'") == 50 ]] || fail "not exactly the last 50 invited"
	[[ $(stack_sql "SELECT count(*) FROM invitations WHERE tenant_id = '$TENANT_ID'") == 50 ]]
}

@test "rule 11: a second bulk invitation while one runs answers 409 job_already_running naming it" {
	local running
	# Another server process is running one (its lease is fresh).
	running=$(stack_sql "INSERT INTO jobs (tenant_id, kind, status, created_by, started_at, lease_until)
		VALUES ('$TENANT_ID', 'bulk_invitation', 'running', 'operator', now(), now() + interval '1 hour')
		RETURNING id")
	start_bulk
	assert_problem 409 job_already_running
	assert_jq --arg id "$running" '.detail | contains($id)'
	operator_api POST "/v1/platform/tenants/$TENANT_SLUG/invitations/bulk"
	assert_problem 409 job_already_running
	[[ $(stack_sql "SELECT count(*) FROM jobs WHERE tenant_id = '$TENANT_ID'") == 1 ]]
	# Another hauler is not blocked.
	with_bearer "$B_KEY" POST /v1/admin/invitations/bulk
	assert_status 202
	# Once it has finished, a new one may start.
	stack_sql "UPDATE jobs SET status = 'succeeded', finished_at = now() WHERE id = '$running'"
	start_bulk
	assert_status 202
}

@test "rule 11: the operator starts a hauler's bulk invitation; progress at its status_url" {
	local id
	create_customer "$(jq -cn --arg e "$(address op)" '{contacts: [{name: "Olive", email: $e}]}')"
	operator_api POST "/v1/platform/tenants/$TENANT_SLUG/invitations/bulk" '{}'
	assert_status 202
	id=$(jq -r .job_id <<<"$body")
	assert_json .status_url "/v1/platform/tenants/$TENANT_SLUG/jobs/$id"
	assert_header Location "/v1/platform/tenants/$TENANT_SLUG/jobs/$id"
	wait_job "$id" "/v1/platform/tenants/$TENANT_SLUG/jobs/$id"
	assert_counts "1 1 1 0 0"
	[[ $(stack_sql "SELECT created_by FROM invitations WHERE customer_id = '$CUSTOMER_ID'") == operator ]]
	mail_wait "$(address op)" 'invited you' >/dev/null
	# Staff of the hauler see the same job.
	staff_api "$STAFF_TOKEN" GET "/v1/admin/jobs/$id"
	assert_json .status succeeded
	# Another hauler's slug does not show it.
	operator_api GET "/v1/platform/tenants/$B_SLUG/jobs/$id"
	assert_problem 404 not_found
	operator_api POST /v1/platform/tenants/no-such-hauler/invitations/bulk
	assert_problem 404 tenant_not_found
}

# --------------------------------------------------------------------------- who may do it

@test "staff admins and API keys may start one; billing staff 403, no token 401, the operator on the admin route 403" {
	local billing
	create_staff "$TENANT_SLUG" "billing.$TENANT_SLUG@example.test" "$TEST_PASSWORD" billing
	billing=$(staff_login "$TENANT_SLUG" "billing.$TENANT_SLUG@example.test" "$TEST_PASSWORD")
	start_bulk "$billing"
	assert_problem 403 forbidden
	# direct: the proxy answers a request without credentials itself
	api_direct POST /v1/admin/invitations/bulk
	assert_problem 401 unauthorized
	operator_api POST /v1/admin/invitations/bulk
	assert_problem 403 forbidden
	staff_api "$STAFF_TOKEN" POST "/v1/platform/tenants/$TENANT_SLUG/invitations/bulk"
	assert_status 401
	[[ $(stack_sql "SELECT count(*) FROM jobs WHERE tenant_id = '$TENANT_ID'") == 0 ]]
	# Billing staff may follow a job all the same.
	new_api_key
	start_bulk "$API_KEY"
	assert_status 202
	local id
	id=$(jq -r .job_id <<<"$body")
	with_bearer "$billing" GET "/v1/admin/jobs/$id"
	assert_status 200
	[[ $(stack_sql "SELECT created_by FROM jobs WHERE id = '$id'") == "key:$API_KEY_ID" ]]
}

@test "the bulk invitation takes no options: an empty object is fine, members are refused" {
	staff_api "$STAFF_TOKEN" POST /v1/admin/invitations/bulk '{"only_residential": true}'
	assert_problem 422 unknown_field
	assert_field_errors_exactly only_residential
	staff_api "$STAFF_TOKEN" POST /v1/admin/invitations/bulk '[]'
	assert_problem 400 body_not_object
	staff_api "$STAFF_TOKEN" POST /v1/admin/invitations/bulk '{}' -H 'Content-Type: text/plain'
	assert_problem 415 unsupported_media_type
	[[ $(stack_sql "SELECT count(*) FROM jobs WHERE tenant_id = '$TENANT_ID'") == 0 ]]
	staff_api "$STAFF_TOKEN" POST /v1/admin/invitations/bulk '{}'
	assert_status 202
}

@test "another tenant's job, a malformed id or an unknown one answers 404" {
	new_api_key
	staff_api "$STAFF_TOKEN" GET "/v1/admin/jobs/$B_JOB_ID"
	assert_problem 404 not_found
	with_bearer "$API_KEY" GET "/v1/admin/jobs/$B_JOB_ID"
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/jobs/not-a-job
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/jobs/3daa9a9b-3814-477a-ad1c-cbd220d14a66
	assert_problem 404 not_found
	operator_api GET "/v1/platform/tenants/$TENANT_SLUG/jobs/$B_JOB_ID"
	assert_problem 404 not_found
	with_bearer "$B_TOKEN" GET "/v1/admin/jobs/$B_JOB_ID"
	assert_status 200
}
