#!/usr/bin/env bats
# Events for integrators (issue 26, item 1): every event type caused through the API (staff, API
# key, portal user, the autopay scheduler, the payments worker) and read from
# GET /v1/admin/events with its object as the admin GET shows it; nothing from a cause rolled
# back; paging, filters, isolation, bad input; and the feed's late-commit rule (an event whose
# transaction commits after a later one's is not skipped by a reader paging forward).

load helpers
load events_helpers

setup_file() {
	export CLOCK_FILE=$BATS_FILE_TMPDIR/clock
	: >"$CLOCK_FILE"
	STACK_ENV=(CURBSIDE_CLOCK_FILE="$CLOCK_FILE" CURBSIDE_PAYMENTS=sandbox
		CURBSIDE_AUTOPAY_POLL_SECONDS=3600 CURBSIDE_PAYMENTS_POLL_SECONDS=1
		CURBSIDE_SANDBOX_ACH_SETTLE_SECONDS=0)
	start_portal_stack
	neighbour_tenant
}

teardown_file() {
	stop_stack
}

# set_clock INSTANT: what the server takes as now (RFC 3339); empty for the real clock.
set_clock() {
	printf '%s\n' "$1" >"$CLOCK_FILE"
}


@test "staff: customer.created, invoice.sent, payment.succeeded, invoice.paid, refund.succeeded, invoice.voided" {
	create_customer
	assert_event customer.created customer "$CUSTOMER_ID" "/v1/admin/customers/$CUSTOMER_ID" "$CUSTOMER_VIEW"
	open_invoice "$CUSTOMER_ID"
	local invoice=$INVOICE_ID
	assert_event invoice.sent invoice "$invoice" "/v1/admin/invoices/$invoice"
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" '{customer_id: $c, amount_cents: 10000, method: "check"}')"
	assert_event payment.succeeded payment "$PAYMENT_ID" "/v1/admin/payments/$PAYMENT_ID"
	jq -e '.data.object.allocations | length == 1' <<<"$EVENT" >/dev/null || fail "allocations: $EVENT"
	assert_event invoice.paid invoice "$invoice" "/v1/admin/invoices/$invoice"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" '{"amount_cents": 3000, "reason": "Overpaid"}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "refund"
	local refund
	refund=$(jq -r '.refund.id // .id' <<<"$body")
	await_events refund.succeeded "$refund"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/payments/$PAYMENT_ID"
	[[ $(jq -cS --arg r "$refund" '.refunds[] | select(.id == $r)' <<<"$body") == "$(jq -cS .data.object <<<"$EVENT")" ]] ||
		fail "the refund differs from the payment's: $EVENT"
	jq -e --arg t "$TENANT_ID" '.type == "refund.succeeded" and .object_type == "refund" and .tenant_id == $t' <<<"$EVENT" >/dev/null
	create_invoice "$CUSTOMER_ID"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void" '{"reason": "Billed twice"}'
	fixture_expect 200 "void"
	assert_event invoice.voided invoice "$INVOICE_ID" "/v1/admin/invoices/$INVOICE_ID"
	# A draft that was never sent has no invoice.sent.
	await_events invoice.sent "$INVOICE_ID" 0
}

@test "API key: customer.updated, customer.portal_changed, order.created, order.updated, credit.created" {
	create_customer
	new_api_key events
	with_bearer "$API_KEY" PATCH "/v1/admin/customers/$CUSTOMER_ID" '{"name": "Jordan Residence"}'
	fixture_expect 200 "rename"
	assert_event customer.updated customer "$CUSTOMER_ID" "/v1/admin/customers/$CUSTOMER_ID" "$CUSTOMER_VIEW"
	# A portal change is its own type, not customer.updated.
	with_bearer "$API_KEY" PUT "/v1/admin/customers/$CUSTOMER_ID/portal" \
		"$(jq -cn --arg e "$(new_address login)" '{enabled: true, login_email: $e}')"
	fixture_expect 200 "portal"
	assert_event customer.portal_changed customer "$CUSTOMER_ID" "/v1/admin/customers/$CUSTOMER_ID" "$CUSTOMER_VIEW"
	await_events customer.updated "$CUSTOMER_ID" 1
	local token=$STAFF_TOKEN
	STAFF_TOKEN=$API_KEY
	create_order "$CUSTOMER_ID"
	STAFF_TOKEN=$token
	assert_event order.created order "$ORDER_ID" "/v1/admin/orders/$ORDER_ID"
	with_bearer "$API_KEY" PATCH "/v1/admin/orders/$ORDER_ID" '{"status": "completed"}'
	fixture_expect 200 "complete the order"
	assert_event order.updated order "$ORDER_ID" "/v1/admin/orders/$ORDER_ID"
	with_bearer "$API_KEY" POST "/v1/admin/customers/$CUSTOMER_ID/credits" \
		'{"reason": "Missed pickup", "amount_cents": 1500, "credit_date": "2026-11-20"}'
	fixture_expect 201 "credit"
	local credit
	credit=$(jq -r .id <<<"$body")
	assert_event credit.created credit "$credit" "/v1/admin/credits/$credit"
}

@test "portal user: portal.user_activated, sms_consent.changed, payment.succeeded and payment.failed from the portal" {
	account_with_user
	await_events portal.user_activated "$USER_ID"
	jq -e --arg c "$CUSTOMER_ID" --arg e "$USER_EMAIL" --arg t "$TENANT_ID" \
		'.object_type == "portal_user" and .tenant_id == $t and .data.object.customer_id == $c
		 and .data.object.email == $e and .data.object.source == "invitation"' <<<"$EVENT" >/dev/null ||
		fail "activation: $EVENT"
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/notifications '{"sms_opt_in": true, "sms_phone": "+15555550123"}'
	fixture_expect 200 "opt in"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/customers/$CUSTOMER_ID/sms-consents"
	local consent
	consent=$(jq -r '.items[0].id' <<<"$body")
	assert_event sms_consent.changed sms_consent "$consent" "/v1/admin/customers/$CUSTOMER_ID/sms-consents" '.items[0]'
	open_invoice "$CUSTOMER_ID"
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments '{"payment_token": "tok_chargeDeclined"}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	assert_status 402
	local failed
	failed=$(stack_sql "SELECT id FROM payments WHERE customer_id = '$CUSTOMER_ID' AND status = 'failed'")
	assert_event payment.failed payment "$failed" "/v1/admin/payments/$failed"
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments '{"payment_token": "tok_visa"}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "pay"
	local paid
	paid=$(jq -r .id <<<"$body")
	assert_event payment.succeeded payment "$paid" "/v1/admin/payments/$paid"
	assert_event invoice.paid invoice "$INVOICE_ID" "/v1/admin/invoices/$INVOICE_ID"
}

@test "payments worker: a bank payment settled by the worker is payment.succeeded" {
	account_with_user
	open_invoice "$CUSTOMER_ID"
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments '{"payment_token": "tok_bank_account"}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "pay by bank"
	local payment
	payment=$(jq -r .id <<<"$body")
	local deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(stack_sql "SELECT status FROM payments WHERE id = '$payment'") == succeeded ]]; do
		((SECONDS < deadline)) || fail "the worker did not settle $payment"
		sleep 0.1
	done
	assert_event payment.succeeded payment "$payment" "/v1/admin/payments/$payment"
	jq -e '.data.object.status == "succeeded"' <<<"$EVENT" >/dev/null || fail "$EVENT"
}

# autopay_failures N: wake the scheduler and wait (bounded) until the account has N failed
# autopay charges; sets FAILED to the newest one's id.
autopay_failures() {
	local deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	stack_sql "NOTIFY curbside_autopay" >/dev/null
	until [[ $(stack_sql "SELECT count(*) FROM payments WHERE customer_id = '$CUSTOMER_ID' AND source = 'autopay' AND status = 'failed'") == "$1" ]]; do
		((SECONDS < deadline)) || fail "the scheduler did not fail charge $1"
		sleep 0.1
	done
	FAILED=$(stack_sql "SELECT id FROM payments WHERE customer_id = '$CUSTOMER_ID' AND source = 'autopay' ORDER BY autopay_attempt DESC LIMIT 1")
}

@test "autopay: autopay.enabled, then autopay.charge_failed and payment.failed by the scheduler, which sends autopay.disabled after the third; the portal's switch-off too" {
	account_with_user
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payment-methods '{"payment_token": "tok_chargeDeclined"}'
	fixture_expect 201 "add a card"
	local method
	method=$(jq -r .id <<<"$body")
	set_clock 2027-05-01T12:00:00Z
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay "$(jq -cn --arg m "$method" '{enabled: true, payment_method_id: $m}')"
	fixture_expect 200 "enrol"
	assert_event autopay.enabled customer "$CUSTOMER_ID" "/v1/admin/customers/$CUSTOMER_ID" "$CUSTOMER_VIEW"
	open_invoice "$CUSTOMER_ID" '{"invoice_date": "2027-05-01", "due_date": "2027-05-20"}'
	set_clock 2027-05-21T12:00:00Z
	autopay_failures 1
	assert_event autopay.charge_failed payment "$FAILED" "/v1/admin/payments/$FAILED"
	assert_event payment.failed payment "$FAILED" "/v1/admin/payments/$FAILED"
	await_events autopay.disabled "$CUSTOMER_ID" 0
	set_clock 2027-05-22T12:00:00Z
	autopay_failures 2
	assert_event autopay.charge_failed payment "$FAILED" "/v1/admin/payments/$FAILED"
	set_clock 2027-05-23T12:00:00Z
	autopay_failures 3
	assert_event autopay.charge_failed payment "$FAILED" "/v1/admin/payments/$FAILED"
	[[ $(stack_sql "SELECT autopay_enabled FROM customers WHERE id = '$CUSTOMER_ID'") == f ]]
	assert_event autopay.disabled customer "$CUSTOMER_ID" "/v1/admin/customers/$CUSTOMER_ID" "$CUSTOMER_VIEW"
	# On again and off again from the portal: one more of each.
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{"enabled": true}'
	fixture_expect 200 "enrol again"
	await_events autopay.enabled "$CUSTOMER_ID" 2
	with_bearer "$PORTAL_TOKEN" PUT /v1/portal/autopay '{"enabled": false}'
	fixture_expect 200 "switch off"
	await_events autopay.disabled "$CUSTOMER_ID" 2
	set_clock ''
}

CATALOG='{
  "closed_weekdays": ["sunday"],
  "request_types": {
    "roll_off_delivery": {"enabled": true, "lead_days": 2,
      "sizes": [{"code": "20yd", "name": "20-yard roll-off", "price_cents": 42500, "rental_days": 7}]}
  }
}'

@test "service requests: service_request.created from the portal, service_request.updated and order.created by staff" {
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/service-catalog "$CATALOG"
	fixture_expect 200 "save the catalog"
	account_with_user
	create_location "$CUSTOMER_ID"
	set_clock 2027-03-05T16:00:00Z
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/service-requests \
		"$(jq -cn --arg l "$LOCATION_ID" '{type: "roll_off_delivery", location_id: $l, date: "2027-03-08", size: "20yd"}')" \
		-H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "ask"
	local req
	req=$(jq -r .id <<<"$body")
	assert_event service_request.created service_request "$req" "/v1/admin/service-requests/$req"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/service-requests/$req/accept"
	fixture_expect 200 "accept"
	local order
	order=$(jq -r .created_order.id <<<"$body")
	assert_event service_request.updated service_request "$req" "/v1/admin/service-requests/$req"
	jq -e '.data.object.status == "accepted"' <<<"$EVENT" >/dev/null || fail "$EVENT"
	assert_event order.created order "$order" "/v1/admin/orders/$order"
	set_clock ''
}

@test "a cause that fails or rolls back writes no event" {
	create_customer
	await_events customer.created "$CUSTOMER_ID"
	local before
	before=$(event_count)
	# Rolled back after the change was made: the deferred trigger never runs.
	stack_sql "BEGIN; UPDATE customers SET name = 'Rolled back' WHERE id = '$CUSTOMER_ID'; ROLLBACK;"
	run stack_sql "BEGIN; UPDATE customers SET name = 'Failed' WHERE id = '$CUSTOMER_ID'; SELECT 1 / 0; COMMIT;"
	[[ $status -ne 0 ]]
	# Refused by the API after its checks: a void of a paid invoice, a refund beyond the payment.
	open_invoice "$CUSTOMER_ID"
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" '{customer_id: $c, amount_cents: 10000, method: "check"}')"
	await_events invoice.paid "$INVOICE_ID"
	before=$(event_count)
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void" '{"reason": "No"}'
	assert_status 409
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" '{"amount_cents": 10001}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	assert_status 422
	[[ $(event_count) == "$before" ]] || fail "events were written: $(event_count) != $before"
	await_events customer.updated "$CUSTOMER_ID" 0
	await_events refund.succeeded "$PAYMENT_ID" 0
}

# fresh_tenant: a tenant of its own (STAFF_TOKEN, TENANT_ID) so its feed is exactly what the
# test made.
fresh_tenant() {
	new_staff_token
}

@test "paging with limit and cursor returns every event once, in order" {
	fresh_tenant
	local ids=() i
	for i in 1 2 3 4 5; do
		create_customer
		ids+=("$CUSTOMER_ID")
	done
	await_events customer.created "${ids[4]}"
	local seen=() cursor='' pages=0
	while :; do
		feed "limit=2${cursor:+&cursor=$cursor}"
		mapfile -t -O "${#seen[@]}" seen < <(jq -r '.items[].data.object.id' <<<"$body")
		pages=$((pages + 1))
		cursor=$(jq -r '.next_cursor // empty' <<<"$body")
		[[ -n $cursor ]] || break
	done
	[[ ${seen[*]} == "${ids[*]}" ]] || fail "paged: ${seen[*]}; made: ${ids[*]}"
	((pages == 3)) || fail "$pages pages"
	# after: a poller continues from the last event it processed, without a cursor.
	feed "limit=100"
	local events=() rest
	mapfile -t events < <(jq -r '.items[].id' <<<"$body")
	feed "after=${events[1]}"
	rest=$(jq -r '[.items[].id] | join(" ")' <<<"$body")
	[[ $rest == "${events[*]:2}" ]] || fail "after ${events[1]}: $rest"
	feed "after=${events[4]}"
	assert_jq '.items == [] and .next_cursor == null'
	create_customer
	await_events customer.created "$CUSTOMER_ID"
	feed "after=${events[4]}"
	assert_jq --arg c "$CUSTOMER_ID" '[.items[].data.object.id] == [$c]'
	# A cursor's position holds too: the events after it, the new one last, each once.
	local sixth=$CUSTOMER_ID
	feed "limit=2"
	feed "limit=2&cursor=$(jq -r .next_cursor <<<"$body")"
	cursor=$(jq -r .next_cursor <<<"$body")
	create_customer
	await_events customer.created "$CUSTOMER_ID"
	feed "limit=10&cursor=$cursor"
	assert_jq --arg a "${ids[4]}" --arg b "$sixth" --arg c "$CUSTOMER_ID" '[.items[].data.object.id] == [$a, $b, $c]'
}

@test "filters: type (several, a family), object_id, from and to" {
	fresh_tenant
	create_customer
	local customer=$CUSTOMER_ID
	open_invoice "$customer"
	await_events invoice.sent "$INVOICE_ID"
	feed "type=invoice.sent"
	assert_jq --arg i "$INVOICE_ID" '[.items[].data.object.id] == [$i]'
	feed "type=customer.created,invoice.sent"
	assert_jq '[.items[].type] == ["customer.created", "invoice.sent"]'
	feed "type=invoice.*"
	assert_jq '[.items[].type] == ["invoice.sent"]'
	feed "type=payment.*,order.created"
	assert_jq '.items == [] and .next_cursor == null'
	feed "object_id=$customer"
	assert_jq '[.items[].type] == ["customer.created"]'
	local day tomorrow yesterday
	day=$(jq -r '.items[0].created_at[0:10]' <<<"$body")
	tomorrow=$(date -u -d "$day + 1 day" +%F)
	yesterday=$(date -u -d "$day - 1 day" +%F)
	feed "object_id=$customer&from=$day&to=$day"
	assert_jq '.items | length == 1'
	feed "from=$yesterday&to=$tomorrow&type=customer.*"
	assert_jq '[.items[].type] == ["customer.created"]'
	feed "from=$tomorrow"
	assert_jq '.items == []'
	feed "to=$yesterday"
	assert_jq '.items == []'
}

@test "isolation: another tenant's staff and API key get 404 and never see the events; portal users and the operator 403; no token 401" {
	create_customer
	await_events customer.created "$CUSTOMER_ID"
	local event
	event=$(jq -r .id <<<"$EVENT")
	staff_api "$B_TOKEN" GET "/v1/admin/events/$event"
	assert_problem 404 not_found
	with_bearer "$B_KEY" GET "/v1/admin/events/$event"
	assert_problem 404 not_found
	with_bearer "$B_KEY" GET "/v1/admin/events?object_id=$CUSTOMER_ID"
	assert_status 200
	assert_jq '.items == []'
	staff_api "$B_TOKEN" GET /v1/admin/events
	assert_jq --arg t "$TENANT_ID" 'all(.items[]; .tenant_id != $t)'
	account_with_user
	with_bearer "$PORTAL_TOKEN" GET /v1/admin/events
	assert_problem 403 forbidden
	with_bearer "$PORTAL_TOKEN" GET "/v1/admin/events/$event"
	assert_problem 403 forbidden
	operator_api GET /v1/admin/events
	assert_problem 403 forbidden
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/admin/events
	assert_problem 401 unauthorized
	api_direct GET "/v1/admin/events/$event"
	assert_problem 401 unauthorized
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events/$(cat /proc/sys/kernel/random/uuid)"
	assert_problem 404 not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/events/not-a-uuid
	assert_problem 404 not_found
}

@test "bad input: type, object_id, dates, limit, cursor, after and unknown parameters answer 422" {
	feed ''
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?type=invoice.printed"
	assert_problem 422 invalid_parameter
	assert_jq '.errors == [{"field": "type", "code": "invalid_parameter", "message": .errors[0].message}]'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?type=invoice.paid,bogus.*"
	assert_status 422
	assert_jq '.errors[0].field == "type"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?object_id=12"
	assert_status 422
	assert_jq '.errors[0].field == "object_id"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?from=2026-02-30"
	assert_status 422
	assert_jq '.errors[0].field == "from"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?from=2026-05-02&to=2026-05-01"
	assert_status 422
	assert_jq '.errors[0].field == "to"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?limit=0"
	assert_status 422
	assert_jq '.errors[0].field == "limit"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?cursor=garbage"
	assert_status 422
	assert_jq '.errors[0].code == "invalid_cursor"'
	# A cursor of this server's shape whose position is not a feed position.
	local forged
	forged=$(printf '["abc","%s"]' "$(cat /proc/sys/kernel/random/uuid)" | base64 -w0 | tr '+/' '-_' | tr -d '=')
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?cursor=$forged"
	assert_status 422
	assert_jq '.errors[0].code == "invalid_cursor"'
	forged=$(printf '["99999999999999999999.1","%s"]' "$(cat /proc/sys/kernel/random/uuid)" | base64 -w0 | tr '+/' '-_' | tr -d '=')
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?cursor=$forged"
	assert_status 422
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?after=$(cat /proc/sys/kernel/random/uuid)"
	assert_problem 422 invalid_parameter
	assert_jq '.errors[0].field == "after"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?after=12"
	assert_status 422
	assert_jq '.errors[0].field == "after"'
	create_customer
	await_events customer.created "$CUSTOMER_ID"
	local event
	event=$(jq -r .id <<<"$EVENT")
	# Another tenant's event is not a position in this feed.
	staff_api "$B_TOKEN" GET "/v1/admin/events?after=$event"
	assert_problem 422 invalid_parameter
	feed 'limit=1'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?after=$event&cursor=$(jq -r .next_cursor <<<"$body")"
	assert_status 422
	assert_jq '.errors[0].field == "after"'
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?status=open"
	assert_status 422
	assert_jq '.errors[0].code == "unknown_parameter"'
}

# open_emitter: a psql session of our own (fd 6 feeds it; EMITTER_PID) that begins a
# transaction and emits an event about CUSTOMER_ID, then stays open; returns once the
# transaction holds its xid.
open_emitter() {
	local fifo=$BATS_TEST_TMPDIR/emitter deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	rm -f "$fifo"
	mkfifo "$fifo"
	"$(pg_bin psql)" "$STACK_DB_URL" -XAtq -v ON_ERROR_STOP=1 -v application_name=events_holder <"$fifo" >/dev/null 3>&- &
	EMITTER_PID=$!
	exec 6>"$fifo"
	echo "SET application_name = 'events_holder'; BEGIN; SELECT event_emit(c.tenant_id, 'customer.updated', 'customer', c.id, customer_json(c)) FROM customers c WHERE c.id = '$1';" >&6
	while ((SECONDS < deadline)); do
		[[ $(stack_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'events_holder'
			AND state = 'idle in transaction' AND backend_xid IS NOT NULL") -ge 1 ]] && return 0
		sleep 0.1
	done
	fail "our session did not open its transaction"
}

@test "late commit: an event whose transaction commits after a later one's is not skipped" {
	fresh_tenant
	create_customer
	local first=$CUSTOMER_ID
	create_customer
	local second=$CUSTOMER_ID
	await_events customer.created "$second"
	# A reader who has read the first event keeps the cursor after it.
	feed 'limit=1'
	assert_jq --arg a "$first" '[.items[].data.object.id] == [$a]'
	local cursor
	cursor=$(jq -r .next_cursor <<<"$body")
	open_emitter "$first"
	# Another transaction emits and commits meanwhile: its position is after the open one's.
	stack_sql "SELECT event_emit(c.tenant_id, 'customer.updated', 'customer', c.id, customer_json(c))
		FROM customers c WHERE c.id = '$second'" >/dev/null
	[[ $(stack_sql "SELECT count(*) FROM events WHERE tenant_id = '$TENANT_ID' AND type = 'customer.updated'") == 1 ]]
	# Neither update shows while the earlier transaction is open; what came before still does.
	feed "cursor=$cursor"
	assert_jq --arg b "$second" '[.items[] | [.type, .data.object.id]] == [["customer.created", $b]]'
	feed "type=customer.updated"
	assert_jq '.items == []'
	# Nor is the committed one a position to continue after, known by its id (as a webhook
	# would tell it): a page after it would skip the open transaction's.
	local later
	later=$(stack_sql "SELECT id FROM events WHERE tenant_id = '$TENANT_ID' AND type = 'customer.updated'")
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events/$later"
	assert_status 200
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events?after=$later"
	assert_problem 422 invalid_parameter
	echo "COMMIT;" >&6
	exec 6>&-
	wait "$EMITTER_PID"
	# Both now follow the reader's position, the one that committed last first (it began first).
	local deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	while :; do
		feed "cursor=$cursor"
		[[ $(jq '.items | length' <<<"$body") == 3 ]] || ((SECONDS >= deadline)) || { sleep 0.1; continue; }
		break
	done
	assert_jq --arg a "$first" --arg b "$second" '[.items[] | [.type, .data.object.id]] ==
		[["customer.created", $b], ["customer.updated", $a], ["customer.updated", $b]]'
}

# trigger_oid DB_URL TABLE NAME: the oid of trigger NAME on TABLE (empty when there is none).
trigger_oid() {
	"$(pg_bin psql)" "$1" -XAtq -v ON_ERROR_STOP=1 -c "SELECT oid FROM pg_trigger WHERE tgrelid = '$2'::regclass AND tgname = '$3'"
}

@test "migrate: the event triggers are left alone when unchanged, and made again when dropped or changed" {
	local db=curbside_events_migrate_$$ url sent order
	create_database "$db"
	url=$(db_url "$db")
	sent=$(trigger_oid "$url" invoices invoices_event_sent)
	order=$(trigger_oid "$url" orders orders_event_created)
	[[ -n $sent && -n $order ]]
	run env CURBSIDE_DATABASE_URL="$url" "$CURBSIDE_BIN" migrate 3>&-
	[[ $status == 0 ]] || fail "migrate: $output"
	[[ $(trigger_oid "$url" invoices invoices_event_sent) == "$sent" ]] || fail "an unchanged trigger was made again"
	# One dropped by hand, one whose definition (as its comment records it) is not the file's.
	"$(pg_bin psql)" "$url" -XAtq -v ON_ERROR_STOP=1 -c "DROP TRIGGER invoices_event_sent ON invoices;
		COMMENT ON TRIGGER orders_event_created ON orders IS 'an older definition'"
	run env CURBSIDE_DATABASE_URL="$url" "$CURBSIDE_BIN" migrate 3>&-
	[[ $status == 0 ]] || fail "migrate: $output"
	[[ -n $(trigger_oid "$url" invoices invoices_event_sent) ]] || fail "the dropped trigger is missing"
	local now
	now=$(trigger_oid "$url" orders orders_event_created)
	[[ -n $now && $now != "$order" ]] || fail "the changed trigger was not made again"
	drop_database "$db"
}
