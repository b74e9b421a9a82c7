#!/usr/bin/env bats
# Portal dashboard: GET /v1/portal/dashboard for the selected account (API.md rules 12 and 13,
# issue 5): open invoice count, outstanding and overdue balances, past due in the tenant's time
# zone, available credit, autopay state and tabs; drafts and pending invoices never counted;
# switching accounts, and who may call it.

load helpers

setup_file() {
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# due_invoice CUSTOMER_ID OFFSET CENTS: a sent invoice of CENTS due OFFSET days from the tenant's
# today. Sets INVOICE_ID.
due_invoice() {
	local due dated
	due=$(tenant_day "$2") || return 1
	dated=$(tenant_day "$2 - 30") || return 1
	open_invoice "$1" "$(jq -cn --arg d "$due" --arg i "$dated" --argjson c "$3" \
		'{invoice_date: $i, due_date: $d, lines: [{description: "Weekly pickup", unit_price_cents: $c}]}')"
}

# dashboard: GET /v1/portal/dashboard with PORTAL_TOKEN; expects 200.
dashboard() {
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard || return 1
	fixture_expect 200 "dashboard"
}

@test "rule 12: a new account's dashboard has no balances, no past due, autopay off" {
	account_with_user
	dashboard
	assert_header Cache-Control no-store
	assert_jq 'keys_unsorted == ["as_of", "open_invoice_count", "outstanding_balance_cents",
		"available_credit_cents", "net_balance_cents", "outstanding_cents", "overdue_cents",
		"past_due", "pending_invoice_count", "autopay", "tabs", "open_service_requests"]'
	assert_jq '.open_invoice_count == 0 and .outstanding_cents == 0 and .overdue_cents == 0
		and .past_due == false and .available_credit_cents == 0 and .pending_invoice_count == 0
		and .outstanding_balance_cents == 0 and .net_balance_cents == 0'
	assert_jq '.autopay == {enabled: false, payment_method_id: null}'
	assert_json .as_of "$(tenant_day 0)"
}

@test "rule 12: figures with invoices due yesterday, today and tomorrow in the tenant's time zone" {
	# A zone whose date differs from UTC's right now, so the server's or UTC's date would answer wrong.
	local zone
	zone=$(stack_sql "SELECT CASE WHEN (now() AT TIME ZONE 'Pacific/Kiritimati')::date <> (now() AT TIME ZONE 'UTC')::date
		THEN 'Pacific/Kiritimati' ELSE 'Pacific/Pago_Pago' END")
	portal_tenant "$(jq -cn --arg z "$zone" '{time_zone: $z}')"
	[[ $(tenant_day 0) != $(stack_sql "SELECT (now() AT TIME ZONE 'UTC')::date") ]] || fail "the zone's date is UTC's"
	account_with_user
	due_invoice "$CUSTOMER_ID" 0 2000
	due_invoice "$CUSTOMER_ID" 1 4000
	dashboard
	assert_jq '.open_invoice_count == 2 and .outstanding_cents == 6000 and .overdue_cents == 0
		and .past_due == false'
	assert_json .as_of "$(tenant_day 0)"

	due_invoice "$CUSTOMER_ID" -1 1000
	dashboard
	assert_jq '.open_invoice_count == 3 and .outstanding_cents == 7000 and .overdue_cents == 1000
		and .past_due == true'
}

@test "rule 12: payments, credits, paid and void invoices change the figures as a customer expects" {
	account_with_user
	due_invoice "$CUSTOMER_ID" -10 10000
	local overdue=$INVOICE_ID
	due_invoice "$CUSTOMER_ID" 20 5000
	local later=$INVOICE_ID
	due_invoice "$CUSTOMER_ID" -3 3000
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void"
	assert_status 200
	due_invoice "$CUSTOMER_ID" -40 2500
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$INVOICE_ID" \
		'{customer_id: $c, amount_cents: 2500, method: "cash", allocations: [{invoice_id: $i, amount_cents: 2500}]}')"
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$overdue" \
		'{customer_id: $c, amount_cents: 4000, method: "check", allocations: [{invoice_id: $i, amount_cents: 4000}]}')"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/$CUSTOMER_ID/credits" '{"reason": "Missed pickup", "amount_cents": 3000}'
	assert_status 201
	local credit
	credit=$(jq -r .id <<<"$body")
	staff_api "$STAFF_TOKEN" POST "/v1/admin/credits/$credit/apply" "$(jq -cn --arg i "$later" '{invoice_id: $i, amount_cents: 1000}')"
	assert_status 200

	dashboard
	# Open: the overdue one (10000 - 4000) and the later one (5000 - 1000 credit). Paid and void: out.
	assert_jq '.open_invoice_count == 2 and .outstanding_cents == 10000 and .overdue_cents == 6000
		and .past_due == true and .available_credit_cents == 2000'
	assert_jq '.outstanding_balance_cents == 10000 and .net_balance_cents == 8000'
	# Money of a payment left unapplied is available credit too, as on the statement.
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" \
		'{customer_id: $c, amount_cents: 1200, method: "check", allocations: []}')"
	dashboard
	assert_jq '.outstanding_balance_cents == 10000 and .available_credit_cents == 3200
		and .net_balance_cents == 6800 and .outstanding_cents == 10000'
}

@test "rule 13: drafts and pending invoices never count, even when pending invoices show" {
	portal_tenant '{"show_pending_invoices": true}'
	account_with_user
	due_invoice "$CUSTOMER_ID" 5 1000
	create_invoice "$CUSTOMER_ID" '{"invoice_date": "2026-01-01", "due_date": "2026-01-02"}'
	create_invoice "$CUSTOMER_ID" '{"status": "pending", "invoice_date": "2026-01-01", "due_date": "2026-01-02"}'
	create_invoice "$CUSTOMER_ID" '{"status": "pending"}'
	dashboard
	assert_jq '.open_invoice_count == 1 and .outstanding_cents == 1000 and .overdue_cents == 0
		and .past_due == false and .pending_invoice_count == 2'

	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"show_pending_invoices": false}'
	assert_status 200
	dashboard
	assert_jq '.open_invoice_count == 1 and .outstanding_cents == 1000 and .pending_invoice_count == 0'
}

@test "rule 12: the Services tab is only for routing customers" {
	account_with_user '{"routing": true}'
	dashboard
	assert_jq '.tabs == ["services", "orders", "invoices", "payments"]'
	account_with_user '{"routing": false, "kind": "roll_off"}'
	dashboard
	assert_jq '.tabs == ["orders", "invoices", "payments"]'
}

@test "switching accounts switches the dashboard; other customers' invoices never count" {
	create_customer '{"routing": true}'
	local first=$CUSTOMER_ID
	due_invoice "$first" -2 700
	create_customer
	local second=$CUSTOMER_ID
	due_invoice "$second" 9 300
	create_customer
	due_invoice "$CUSTOMER_ID" -2 99900
	portal_user "$(new_address multi)" "$first" "$second"
	dashboard
	assert_jq '.outstanding_cents == 300 and .past_due == false and (.tabs | index("services")) == null'
	with_bearer "$PORTAL_TOKEN" POST /v1/session/account "$(jq -cn --arg a "$first" '{account_id: $a}')"
	assert_status 200
	PORTAL_TOKEN=$(jq -r .access_token <<<"$body")
	dashboard
	assert_jq '.outstanding_cents == 700 and .overdue_cents == 700 and .past_due == true
		and .tabs[0] == "services"'
}

@test "a staff token, an API key and a user with no account selected are refused with 403" {
	create_customer
	local first=$CUSTOMER_ID
	create_customer
	portal_user "$(new_address two)" "$first" "$CUSTOMER_ID"
	portal_login "$TENANT_SLUG" "$(jq -r .user.email <<<"$body")" "$TEST_PASSWORD"
	assert_jq '.account_selection_required == true'
	new_api_key
	with_bearer "$STAFF_TOKEN" GET /v1/portal/dashboard
	assert_problem 403 forbidden
	with_bearer "$API_KEY" GET /v1/portal/dashboard
	assert_problem 403 forbidden
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_problem 403 account_selection_required
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/portal/dashboard
	assert_problem 401 unauthorized
}

@test "rule 1: with the hauler's portal switched off every money view answers 403 portal_disabled" {
	portal_tenant
	account_with_user
	due_invoice "$CUSTOMER_ID" 0 100
	local invoice=$INVOICE_ID
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" '{customer_id: $c, amount_cents: 100, method: "cash"}')"
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	assert_status 200
	for path in /v1/portal/dashboard /v1/portal/invoices "/v1/portal/invoices/$invoice" \
		/v1/portal/payments "/v1/portal/payments/$PAYMENT_ID" /v1/portal/credits; do
		with_bearer "$PORTAL_TOKEN" GET "$path"
		assert_problem 403 portal_disabled
	done
}
