#!/usr/bin/env bats
# Events (issue 26, item 1) of processor refunds, through the Stripe fake: a refund the
# processor makes is refund.succeeded once, when it has gone through (never while pending); one it
# refuses is refund.failed, and never refund.succeeded.

load helpers
load events_helpers

setup_file() {
	start_stripe_fake
	STACK_ENV=("${STRIPE_SERVER_ENV[@]}" CURBSIDE_PAYMENTS_POLL_SECONDS=1)
	start_portal_stack
}

teardown_file() {
	stop_stack
	stop_stripe_fake
}

setup() {
	stripe_control POST /_control/reset >/dev/null
}

# card_payment CENTS: an account owing CENTS paid in full by card from the portal; sets PAYMENT_ID.
card_payment() {
	account_owing "$1"
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments "$BODY_PAY" -H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "pay by card"
	PAYMENT_ID=$(jq -r .id <<<"$body")
}

@test "a processor refund is refund.succeeded once it went through" {
	card_payment 6000
	assert_event payment.succeeded payment "$PAYMENT_ID" "/v1/admin/payments/$PAYMENT_ID"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" '{"amount_cents": 2500}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "refund"
	local refund
	refund=$(jq -r .id <<<"$body")
	await_events refund.succeeded "$refund"
	jq -e --arg t "$TENANT_ID" '.object_type == "refund" and .tenant_id == $t
		and .data.object.status == "succeeded" and .data.object.amount_cents == 2500' <<<"$EVENT" >/dev/null ||
		fail "refund event: $EVENT"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/payments/$PAYMENT_ID"
	[[ $(jq -cS --arg r "$refund" '.refunds[] | select(.id == $r)' <<<"$body") == "$(jq -cS .data.object <<<"$EVENT")" ]] ||
		fail "the refund differs from the payment's: $EVENT"
	await_events refund.failed "$refund" 0
}

@test "a refund the processor refuses is refund.failed, not refund.succeeded" {
	card_payment 6000
	# A charge the processor does not know (as if refunded or disputed outside Curbside).
	stack_sql "UPDATE payments SET processor_charge_ref = 'pi_unknown_to_the_processor' WHERE id = '$PAYMENT_ID'" >/dev/null
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" '{"amount_cents": 2500}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	assert_problem 422 refund_failed
	local refund
	refund=$(stack_sql "SELECT id FROM refunds WHERE payment_id = '$PAYMENT_ID'")
	await_events refund.failed "$refund"
	jq -e --arg t "$TENANT_ID" '.object_type == "refund" and .tenant_id == $t
		and .data.object.status == "failed"' <<<"$EVENT" >/dev/null || fail "refund event: $EVENT"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/payments/$PAYMENT_ID"
	[[ $(jq -cS --arg r "$refund" '.refunds[] | select(.id == $r)' <<<"$body") == "$(jq -cS .data.object <<<"$EVENT")" ]] ||
		fail "the refund differs from the payment's: $EVENT"
	await_events refund.succeeded "$refund" 0
}
