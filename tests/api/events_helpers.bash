# Reading the event feed in tests (events.bats, events_stripe.bats): wait for an event, and
# check it against the admin API's view of its object. Needs STAFF_TOKEN and TENANT_ID.

# feed [QUERY]: GET /v1/admin/events?QUERY as STAFF_TOKEN; expects 200.
feed() {
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events${1:+?$1}"
	fixture_expect 200 "the feed ?${1-}"
}

# await_events TYPE OBJECT_ID [N]: wait (bounded) until the feed shows N (default 1) events of
# TYPE about OBJECT_ID (a background job's transaction still open holds the feed back), then
# check there are exactly N. Leaves the first in EVENT.
await_events() {
	local n=${3:-1} got deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	while :; do
		feed "type=$1&object_id=$2"
		got=$(jq '.items | length' <<<"$body")
		((got >= n || SECONDS >= deadline)) && break
		sleep 0.1
	done
	((got == n)) || fail "expected $n $1 events of $2, the feed has $got"
	EVENT=$(jq -c '.items[0]' <<<"$body")
}

# assert_event TYPE OBJECT_TYPE OBJECT_ID GET_PATH [JQ]: one TYPE event about OBJECT_ID of this
# tenant, whose data.object equals the admin GET_PATH's answer now (passed through JQ, default
# `.`), and which GET /v1/admin/events/{id} answers the same.
assert_event() {
	local type=$1 otype=$2 id=$3 path=$4 filter=${5:-.} want
	await_events "$type" "$id"
	jq -e --arg t "$type" --arg o "$otype" --arg i "$id" --arg tenant "$TENANT_ID" \
		'.type == $t and .object_type == $o and .tenant_id == $tenant and .data.object.id == $i
		 and (.created_at | test("Z$"))' <<<"$EVENT" >/dev/null || fail "event: $EVENT"
	staff_api "$STAFF_TOKEN" GET "$path"
	fixture_expect 200 "GET $path"
	want=$(jq -cS "$filter" <<<"$body")
	[[ $(jq -cS .data.object <<<"$EVENT") == "$want" ]] ||
		fail "the event's object differs from GET $path: $(jq -cS .data.object <<<"$EVENT") vs $want"
	staff_api "$STAFF_TOKEN" GET "/v1/admin/events/$(jq -r .id <<<"$EVENT")"
	assert_status 200
	[[ $(jq -cS . <<<"$body") == "$(jq -cS . <<<"$EVENT")" ]] || fail "GET of the event differs"
}

# event_count: how many events the tenant has (all of them, committed or not yet visible).
event_count() {
	stack_sql "SELECT count(*) FROM events WHERE tenant_id = '$TENANT_ID'"
}

# customer_view: the customer as events carry it (GET's customer without the invitation link).
CUSTOMER_VIEW='del(.portal.invitation)'
