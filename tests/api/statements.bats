#!/usr/bin/env bats
# Portal statements: GET /v1/portal/statement (API.md rule 20, issue 9): the opening balance, the
# period's invoices, payments, credits and refunds with a running balance, the closing balance
# and aging on the end date, as JSON, PDF and CSV; the default period; every validation error;
# location statements; pending and draft invoices left out; and the invariants (opening +
# movements = closing = the last running balance; aging - unapplied = closing) on hand-made,
# random and demo data.
#
# PDFs and CSVs are asked through the validating proxy for their status and headers, then fetched
# again straight from the server for their bytes (the proxy re-encodes binary bodies).

load helpers

setup_file() {
	start_portal_stack
	# issue 22: the documents carry the hauler's logo and brand colour (tests/api/logos.bats)
	brand_tenant
}

teardown_file() {
	stop_stack
}

# statement TOKEN QUERY: GET /v1/portal/statement?QUERY through the proxy.
statement() {
	with_bearer "$1" GET "/v1/portal/statement?$2"
}

# assert_invariants: the JSON statement in $body adds up.
assert_invariants() {
	assert_jq '.opening_balance_cents + ([.transactions[].amount_cents] | add // 0) == .closing_balance_cents'
	assert_jq '(.transactions | length) == 0 or .transactions[-1].balance_cents == .closing_balance_cents'
	assert_jq '.aging.total_cents - .unapplied_cents == .closing_balance_cents'
	assert_jq '.aging | .current_cents + .days_1_30_cents + .days_31_60_cents + .days_61_90_cents + .over_90_cents == .total_cents'
	assert_jq '[foreach .transactions[] as $t (.opening_balance_cents; . + $t.amount_cents; . == $t.balance_cents)] | all'
	assert_jq '[.transactions[].date] == ([.transactions[].date] | sort)'
}

# pay_invoice CUSTOMER_ID INVOICE_ID CENTS DATE [REF]: a check applied to one invoice.
pay_invoice() {
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$1" --arg i "$2" --argjson a "$3" --arg d "$4" --arg r "${5:-CHK-1}" \
		'{customer_id: $c, amount_cents: $a, method: "check", reference_number: $r, payment_date: $d,
		  allocations: [{invoice_id: $i, amount_cents: $a}]}')"
}

# dated_invoice CUSTOMER_ID CENTS DATE DUE [JSON]: a sent invoice of one line.
dated_invoice() {
	open_invoice "$1" "$(jq -cn --argjson a "$2" --arg d "$3" --arg u "$4" --argjson o "${5:-{\}}" \
		'{invoice_date: $d, due_date: $u, lines: [{description: "Service", unit_price_cents: $a}]} + $o')"
}

@test "JSON: opening, every movement with its running balance, closing and aging" {
	account_with_user
	local d0 d1 d2 d3 today
	today=$(tenant_day 0)
	d0=$(tenant_day -120)
	d1=$(tenant_day -60)
	d2=$(tenant_day -40)
	d3=$(tenant_day -10)
	dated_invoice "$CUSTOMER_ID" 10000 "$d0" "$d0"
	old=$INVOICE_ID
	pay_invoice "$CUSTOMER_ID" "$old" 4000 "$d0" CHK-OLD
	dated_invoice "$CUSTOMER_ID" 20000 "$d1" "$(tenant_day -45)"
	mid=$INVOICE_ID
	mid_number=$INVOICE_NUMBER
	pay_invoice "$CUSTOMER_ID" "$mid" 5000 "$d2" CHK-2
	new_credit "$CUSTOMER_ID" 1500 "$d3" "Missed pickup"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" '{"amount_cents": 1000, "reason": "overpaid"}' \
		-H "Idempotency-Key: $(new_idempotency_key)"
	assert_status 201

	statement "$PORTAL_TOKEN" "from=$(tenant_day -90)&to=$today"
	assert_status 200
	assert_content_type application/json
	assert_json .from "$(tenant_day -90)"
	assert_json .to "$today"
	assert_json .opening_balance_cents 6000
	assert_json '[.transactions[].type] | join(",")' invoice,payment,credit,refund
	assert_json '[.transactions[].amount_cents] | join(",")' 20000,-5000,-1500,1000
	assert_json '[.transactions[].balance_cents] | join(",")' 26000,21000,19500,20500
	assert_json .transactions[0].reference "$mid_number"
	assert_json .transactions[1].reference CHK-2
	assert_json .closing_balance_cents 20500
	assert_json .charges_cents 21000
	assert_json .payments_and_credits_cents 6500
	assert_json .unapplied_cents 1500
	# 6000 owed on the old invoice (due 120 days ago), 16000 on the other (due 45 days ago).
	assert_json .aging.over_90_cents 6000
	assert_json .aging.days_31_60_cents 16000
	assert_json .aging.total_cents 22000
	assert_json .hauler.name "Hauler $TENANT_SLUG"
	assert_json .account.id "$CUSTOMER_ID"
	assert_json .location null
	assert_invariants

	# Aging as of an earlier day: the payment of d2 and the credit had not happened yet.
	statement "$PORTAL_TOKEN" "from=$d0&to=$(tenant_day -50)"
	assert_status 200
	assert_json .closing_balance_cents 26000
	assert_json .aging.total_cents 26000
	assert_json .aging.over_90_cents 0
	assert_json .aging.days_61_90_cents 6000
	assert_json .aging.current_cents 20000
	assert_json .aging.days_1_30_cents 0
	assert_json .unapplied_cents 0
	assert_invariants
}

@test "the default period is the 90 days ending on the hauler's today" {
	account_with_user
	statement "$PORTAL_TOKEN" ""
	assert_status 200
	assert_json .to "$(tenant_day 0)"
	assert_json .from "$(tenant_day -89)"
	assert_json .opening_balance_cents 0
	assert_json '.transactions | length' 0
	assert_invariants
	statement "$PORTAL_TOKEN" "to=2026-03-31"
	assert_json .from 2026-01-01
}

@test "422: every shape problem at once, then the period's rules" {
	account_with_user
	statement "$PORTAL_TOKEN" "from=2026-02-30&to=yesterday&format=xml&location_id=nope&page=2"
	assert_status 422
	assert_json .code validation_failed
	assert_field_errors_exactly from to format location_id page
	assert_field_error from invalid_date
	assert_field_error to invalid_date
	assert_field_error format invalid_parameter
	assert_field_error location_id invalid_parameter
	assert_field_error page unknown_parameter

	statement "$PORTAL_TOKEN" "from=2026-05-02&to=2026-05-01"
	assert_problem 422 date_range
	assert_field_errors_exactly to
	statement "$PORTAL_TOKEN" "from=2999-01-01"
	assert_problem 422 date_range

	statement "$PORTAL_TOKEN" "from=2023-01-01&to=2026-01-02"
	assert_problem 422 range_too_long
	assert_field_errors_exactly to
	statement "$PORTAL_TOKEN" "from=2023-01-01&to=2026-01-01"
	assert_status 200
}

@test "404: another account's location, even the same user's, and an unknown one" {
	create_customer
	first=$CUSTOMER_ID
	create_customer
	second=$CUSTOMER_ID
	create_location "$second"
	theirs=$LOCATION_ID
	portal_user "$(new_address pat)" "$first" "$second"
	switch_to "$first"
	statement "$PORTAL_TOKEN" "location_id=$theirs"
	assert_problem 404 not_found
	statement "$PORTAL_TOKEN" "location_id=$(cat /proc/sys/kernel/random/uuid)"
	assert_problem 404 not_found
	switch_to "$second"
	statement "$PORTAL_TOKEN" "location_id=$theirs"
	assert_status 200
}

@test "drafts, pending and void invoices never count" {
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"show_pending_invoices": true}'
	assert_status 200
	account_with_user
	local day
	day=$(tenant_day -5)
	create_invoice "$CUSTOMER_ID" "$(jq -cn --arg d "$day" '{invoice_date: $d, due_date: $d}')"
	create_invoice "$CUSTOMER_ID" "$(jq -cn --arg d "$day" '{status: "pending", invoice_date: $d, due_date: $d}')"
	dated_invoice "$CUSTOMER_ID" 777 "$day" "$day"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/invoices/$INVOICE_ID/void" '{"reason": "wrong"}'
	assert_status 200
	dated_invoice "$CUSTOMER_ID" 2500 "$day" "$day"
	statement "$PORTAL_TOKEN" ""
	assert_status 200
	assert_json '.transactions | length' 1
	assert_json .transactions[0].reference "$INVOICE_NUMBER"
	assert_json .closing_balance_cents 2500
	assert_json .aging.total_cents 2500
	assert_invariants
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings '{"show_pending_invoices": false}'
}

@test "a location statement counts that location's invoices and the money applied to them" {
	account_with_user
	create_location "$CUSTOMER_ID"
	here=$LOCATION_ID
	create_location "$CUSTOMER_ID" '{"name": "Yard"}'
	there=$LOCATION_ID
	local day
	day=$(tenant_day -20)
	dated_invoice "$CUSTOMER_ID" 10000 "$day" "$day" "$(jq -cn --arg l "$here" '{location_id: $l}')"
	a=$INVOICE_ID
	dated_invoice "$CUSTOMER_ID" 30000 "$day" "$day" "$(jq -cn --arg l "$there" '{location_id: $l}')"
	b=$INVOICE_ID
	# One payment split over both invoices, with 500 left unapplied; a credit applied to each.
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg a "$a" --arg b "$b" --arg d "$(tenant_day -10)" \
		'{customer_id: $c, amount_cents: 12500, method: "check", reference_number: "CHK-S", payment_date: $d,
		  allocations: [{invoice_id: $a, amount_cents: 4000}, {invoice_id: $b, amount_cents: 8000}]}')"
	new_credit "$CUSTOMER_ID" 3000 "$(tenant_day -5)"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/credits/$CREDIT_ID/apply" "$(jq -cn --arg i "$a" '{invoice_id: $i, amount_cents: 1000}')"
	assert_status 200
	staff_api "$STAFF_TOKEN" POST "/v1/admin/credits/$CREDIT_ID/apply" "$(jq -cn --arg i "$b" '{invoice_id: $i, amount_cents: 1500}')"
	assert_status 200

	statement "$PORTAL_TOKEN" "location_id=$here"
	assert_status 200
	assert_json .location.id "$here"
	assert_json '[.transactions[].type] | join(",")' invoice,payment,credit
	assert_json '[.transactions[].amount_cents] | join(",")' 10000,-4000,-1000
	assert_json .closing_balance_cents 5000
	assert_json .unapplied_cents 0
	assert_json .aging.total_cents 5000
	assert_invariants

	statement "$PORTAL_TOKEN" "location_id=$there"
	assert_json .closing_balance_cents 20500
	assert_invariants
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?location_id=$there&status=open"
	assert_json '[.items[].balance_cents] | add' 20500

	# The whole account nets the unapplied 500 and the unused 500 of the credit.
	statement "$PORTAL_TOKEN" ""
	assert_json .closing_balance_cents 24500
	assert_json .unapplied_cents 1000
	assert_json .aging.total_cents 25500
	assert_invariants
}

@test "PDF: hauler, account, location, rows across pages with the header repeated" {
	account_with_user '{"name": "Jo Müller & Sons"}'
	create_location "$CUSTOMER_ID"
	local day
	day=$(tenant_day -30)
	for i in $(seq 1 40); do
		dated_invoice "$CUSTOMER_ID" $((1000 + i)) "$day" "$day" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l}')"
	done
	statement "$PORTAL_TOKEN" "format=pdf&location_id=$LOCATION_ID"
	assert_status 200
	assert_content_type application/pdf
	api_direct GET "/v1/portal/statement?format=pdf&location_id=$LOCATION_ID" -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_status 200
	[[ $(header content-disposition) == "attachment; filename=\"statement-$CUSTOMER_NUMBER-$(tenant_day -89)-$(tenant_day 0).pdf\"" ]] ||
		fail "Content-Disposition: $(header content-disposition)"
	[[ $(head -c 5 "$body_file") == %PDF- ]] || fail "not a PDF"
	pages=$(pdfinfo "$body_file" | awk '/^Pages:/{print $2}')
	((pages >= 2)) || fail "expected several pages, got $pages"
	text=$(pdftotext -q -layout "$body_file" -)
	for want in "Hauler $TENANT_SLUG" Statement "$CUSTOMER_NUMBER" "Jo Müller & Sons" "12 Oak St" \
		"Opening balance" "Outstanding balance" "Available credit" "Net balance" "Over 90 days" "Page 1 of $pages" "$INVOICE_NUMBER" '$10.40' '$408.20'; do
		[[ $text == *"$want"* ]] || fail "the PDF lacks '$want': $text"
	done
	# Every page with transaction rows has the column header above them.
	for ((p = 1; p <= pages; p++)); do
		page=$(pdftotext -q -layout -f "$p" -l "$p" "$body_file" -)
		[[ $page != *"Invoice "* || $page == *Description*Balance* ]] || fail "page $p has rows without the header"
	done
	! grep -aqi curbside "$body_file" || fail "the platform's name is in the file"
	pdf_artifact statement "$body_file"
}

# human_day YYYY-MM-DD: the date as the documents write it ("Dec 1, 2026").
human_day() {
	LC_ALL=C date -d "$1" '+%b %-d, %Y'
}

@test "PDF: references on one line, the types in words, dates as the hauler writes them" {
	account_with_user
	local day due ref=P-0A4E30E071 text line rows
	day=$(tenant_day -20)
	due=$(tenant_day -5)
	dated_invoice "$CUSTOMER_ID" 12500 "$day" "$due"
	pay_invoice "$CUSTOMER_ID" "$INVOICE_ID" 2500 "$(tenant_day -3)" "$ref"
	new_credit "$CUSTOMER_ID" 700 "$(tenant_day -2)" "Missed pickup"
	api_direct GET "/v1/portal/statement?format=pdf" -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_status 200
	text=$(pdftotext -q -layout "$body_file" -)

	# The reference whole on the payment's row, beside its date, type and amount.
	line=$(grep -F "$ref" <<<"$text") || fail "no line holds $ref whole: $text"
	[[ $line == *"$(human_day "$(tenant_day -3)")"*Payment*"$ref"*'-$25.00'* ]] ||
		fail "the payment's row: $line"
	line=$(grep -F "$INVOICE_NUMBER" <<<"$text" | head -1)
	[[ $line == *"$(human_day "$day")"*Invoice*"$INVOICE_NUMBER"*"Due $(human_day "$due")"*'$125.00'* ]] ||
		fail "the invoice's row: $line"
	line=$(grep -F "Missed pickup" <<<"$text")
	[[ $line == *Credit*'-$7.00'* ]] || fail "the credit's row: $line"
	# No machine words in the rows, and no ISO dates anywhere.
	rows=$(grep -E '^ *[A-Z][a-z]{2} [0-9]{1,2}, [0-9]{4} ' <<<"$text")
	[[ $(wc -l <<<"$rows") == 3 ]] || fail "expected 3 rows: $rows"
	! grep -Ew 'invoice|payment|credit|refund' <<<"$rows" || fail "a type in machine words: $rows"
	! grep -E '[0-9]{4}-[0-9]{2}-[0-9]{2}' <<<"$text" || fail "an ISO date: $text"
	grep -Eq '^ *Date +Type +Reference +Description +Amount +Balance *$' <<<"$text" || fail "the header: $text"

	# With no transactions the columns keep their titles' widths.
	account_with_user
	api_direct GET "/v1/portal/statement?format=pdf" -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_status 200
	text=$(pdftotext -q -layout "$body_file" -)
	grep -Eq '^ *Date +Type +Reference +Description +Amount +Balance *$' <<<"$text" || fail "the header: $text"
	[[ $text == *"No transactions in this period."* ]] || fail "no empty row: $text"
}

@test "CSV: a header row, RFC 4180 quoting, decimal amounts, an attachment" {
	account_with_user
	new_credit "$CUSTOMER_ID" 1250 "$(tenant_day -3)" $'Sorry, the "big" bin\nwas late'
	statement "$PORTAL_TOKEN" "format=csv"
	assert_status 200
	assert_content_type text/csv
	api_direct GET "/v1/portal/statement?format=csv" -H "Authorization: Bearer $PORTAL_TOKEN"
	[[ $(header content-disposition) == "attachment; filename=\"statement-$CUSTOMER_NUMBER-$(tenant_day -89)-$(tenant_day 0).csv\"" ]] ||
		fail "Content-Disposition: $(header content-disposition)"
	expected=$(printf 'date,type,id,reference,description,amount,balance\r\n%s,opening_balance,,,Opening balance,,0.00\r\n%s,credit,%s,,"Credit: Sorry, the ""big"" bin\nwas late",-12.50,-12.50\r\n%s,closing_balance,,,Closing balance,,-12.50\r\n' \
		"$(tenant_day -89)" "$(tenant_day -3)" "$CREDIT_ID" "$(tenant_day 0)")
	[[ $(cat "$body_file") == "$expected" ]] || fail "CSV: $(cat -A "$body_file")"
}

@test "CSV: a text cell that a spreadsheet would run as a formula is neutralised; amounts stay numbers" {
	# Invoice numbers and payment references come from the hauler's billing data (staff, API
	# keys): OWASP's rule prefixes a single quote to a cell that starts with = + - @ tab or CR.
	account_with_user
	local number="=1+$RANDOM" due invoice first second
	due=$(tenant_day -10)
	dated_invoice "$CUSTOMER_ID" 5000 "$(tenant_day -10)" "$due" "$(jq -cn --arg n "$number" '{number: $n}')"
	invoice=$INVOICE_ID
	pay_invoice "$CUSTOMER_ID" "$invoice" 2000 "$(tenant_day -5)" '@SUM(1+1)'
	first=$PAYMENT_ID
	pay_invoice "$CUSTOMER_ID" "$invoice" 1000 "$(tenant_day -4)" '-5+cmd|calc'
	second=$PAYMENT_ID
	api_direct GET "/v1/portal/statement?format=csv" -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_status 200
	expected=$(printf '%s\r\n' 'date,type,id,reference,description,amount,balance' \
		"$(tenant_day -89),opening_balance,,,Opening balance,,0.00" \
		"$(tenant_day -10),invoice,$invoice,'$number,\"Invoice $number, due $due\",50.00,50.00" \
		"$(tenant_day -5),payment,$first,'@SUM(1+1),Payment (check),-20.00,30.00" \
		"$(tenant_day -4),payment,$second,'-5+cmd|calc,Payment (check),-10.00,20.00" \
		"$(tenant_day 0),closing_balance,,,Closing balance,,20.00")
	[[ $(cat "$body_file") == "$expected" ]] || fail "CSV: $(cat -A "$body_file")"
	# The JSON statement keeps the data as it is.
	statement "$PORTAL_TOKEN" ""
	assert_jq '[.transactions[].reference] == ["'"$number"'", "@SUM(1+1)", "-5+cmd|calc"]'
}

@test "random data sets keep the invariants in every period and agree with the portal's balances" {
	account_with_user
	create_location "$CUSTOMER_ID"
	loc=$LOCATION_ID
	RANDOM=$((BATS_TEST_NUMBER * 7919))
	local -a invoices=()
	for i in $(seq 1 14); do
		day=$(tenant_day "-$((RANDOM % 300))")
		due=$(stack_sql "SELECT '$day'::date + $((RANDOM % 45))")
		over='{}'
		((RANDOM % 2)) && over=$(jq -cn --arg l "$loc" '{location_id: $l}')
		dated_invoice "$CUSTOMER_ID" $((500 + RANDOM % 40000)) "$day" "$due" "$over"
		invoices+=("$INVOICE_ID")
	done
	for i in $(seq 1 8); do
		inv=${invoices[RANDOM % ${#invoices[@]}]}
		read -r balance idate <<<"$(stack_sql "SELECT balance_cents, invoice_date FROM invoices WHERE id = '$inv'" | tr '|' ' ')"
		((balance > 0)) || continue
		amount=$((1 + RANDOM % balance))
		pday=$(stack_sql "SELECT least(tenant_today('$TENANT_ID'), '$idate'::date + $((RANDOM % 60)))")
		record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$inv" --argjson a "$amount" --argjson x $((RANDOM % 3 * 700)) --arg d "$pday" \
			'{customer_id: $c, amount_cents: ($a + $x), method: "check", reference_number: "CHK-R", payment_date: $d,
			  allocations: [{invoice_id: $i, amount_cents: $a}]}')"
		if ((RANDOM % 3 == 0)); then
			staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" "$(jq -cn --argjson a $((1 + amount / 2)) '{amount_cents: $a}')" \
				-H "Idempotency-Key: $(new_idempotency_key)"
			assert_status 201
		fi
	done
	for i in $(seq 1 4); do
		new_credit "$CUSTOMER_ID" $((100 + RANDOM % 5000)) "$(tenant_day "-$((RANDOM % 250))")"
		inv=${invoices[RANDOM % ${#invoices[@]}]}
		balance=$(stack_sql "SELECT balance_cents FROM invoices WHERE id = '$inv'")
		((balance > 0)) || continue
		staff_api "$STAFF_TOKEN" POST "/v1/admin/credits/$CREDIT_ID/apply" "$(jq -cn --arg i "$inv" --argjson a 50 '{invoice_id: $i, amount_cents: $a}')"
		assert_status 200
	done

	for round in $(seq 1 6); do
		a=$((RANDOM % 330))
		b=$((RANDOM % (a + 1)))
		for where in "" "&location_id=$loc"; do
			statement "$PORTAL_TOKEN" "from=$(tenant_day "-$a")&to=$(tenant_day "-$b")$where"
			assert_status 200
			assert_invariants
			closing=$(jq .closing_balance_cents <<<"$body")
			# The next period opens where this one closed.
			statement "$PORTAL_TOKEN" "from=$(tenant_day "-$b + 1")&to=$(tenant_day 1)$where"
			assert_json .opening_balance_cents "$closing"
		done
	done

	# Today's statement agrees with the dashboard, the credits and the payments lists.
	statement "$PORTAL_TOKEN" "from=$(tenant_day -400)&to=$(tenant_day 0)"
	closing=$(jq .closing_balance_cents <<<"$body")
	unapplied=$(jq .unapplied_cents <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	outstanding=$(jq .outstanding_balance_cents <<<"$body")
	credit=$(jq .available_credit_cents <<<"$body")
	net=$(jq .net_balance_cents <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/credits?limit=100"
	unused=$(jq '[.items[].remaining_cents] | add // 0' <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/payments?limit=100"
	loose=$(jq '[.items[] | select(.status != "failed") | .unapplied_cents] | add // 0' <<<"$body")
	# Available credit is the unused credit and the payments' unapplied money, on both.
	((unapplied == credit && credit == unused + loose)) || fail "unapplied $unapplied, available $credit, credits $unused + payments $loose"
	((closing == net && net == outstanding - credit)) || fail "closing $closing, net $net, outstanding $outstanding"
	statement "$PORTAL_TOKEN" "from=$(tenant_day -400)&to=$(tenant_day 0)&location_id=$loc"
	closing=$(jq .closing_balance_cents <<<"$body")
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices?location_id=$loc&status=open&limit=100"
	assert_json '[.items[].balance_cents] | add // 0' "$closing"
}

@test "the demo data: every account's statement adds up; the demo portal user's through the API" {
	local -a clean=()
	for v in $(compgen -e); do
		[[ $v == CURBSIDE_* && $v != CURBSIDE_BIN ]] && clean+=(-u "$v")
	done
	env "${clean[@]}" CURBSIDE_ENV=development CURBSIDE_DATABASE_URL="$STACK_DB_URL" "$CURBSIDE_BIN" seed-demo >/dev/null 3>&-
	# Every demo account, over the 3 years to today and a past quarter, straight from the SQL.
	bad=$(stack_sql "SELECT c.account_number, p.f FROM customers c JOIN tenants t ON t.id = c.tenant_id
		CROSS JOIN (VALUES (0), (60)) AS o(back)
		CROSS JOIN LATERAL (SELECT max(r.doc)::json AS d, coalesce(sum(r.m_cents), 0) AS moved
		       FROM statement_rows(t.id, c.id, NULL, NULL, tenant_today(t.id) - o.back) r) s
		CROSS JOIN LATERAL (SELECT (s.d->>'opening_cents')::bigint + s.moved
		       - (coalesce((SELECT sum((a->>1)::bigint) FROM json_array_elements(s.d->'aging') a), 0)
		          - (s.d->>'unapplied_cents')::bigint) AS f) p
		WHERE t.slug = 'demo' AND p.f <> 0")
	[[ -z $bad ]] || fail "statements that do not add up: $bad"
	count=$(stack_sql "SELECT count(*) FROM customers c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'demo'")
	((count >= 50)) || fail "the demo has $count accounts"

	api POST /v1/tenants/demo/auth/login '{"email": "accounts@lakeshore-rentals.example", "password": "demo-portal-password"}'
	assert_status 200
	for account in $(jq -r '.accounts[].id' <<<"$body"); do
		api POST /v1/tenants/demo/auth/login "$(jq -cn --arg a "$account" '{email: "accounts@lakeshore-rentals.example", password: "demo-portal-password", account_id: $a}')"
		token=$(jq -r .access_token <<<"$body")
		for q in "" "from=$(stack_sql "SELECT tenant_today(id) - 365 * 3 FROM tenants WHERE slug = 'demo'")" "format=csv"; do
			statement "$token" "$q"
			assert_status 200
			[[ $q == format=csv ]] || assert_invariants
		done
	done
}

@test "who may ask: a staff token 403, a closed portal 403, no token 401" {
	statement "$STAFF_TOKEN" ""
	assert_problem 403 forbidden
	account_with_user
	operator_api PATCH "/v1/platform/tenants/$TENANT_SLUG" '{"portal_enabled": false}'
	assert_status 200
	statement "$PORTAL_TOKEN" ""
	assert_problem 403 portal_disabled
	enable_portal "$TENANT_SLUG"
	# direct: the proxy answers a request without credentials itself
	api_direct GET /v1/portal/statement
	assert_problem 401 unauthorized
}

@test "issue 17: one balance: the dashboard and the statement give the same three figures under the same names" {
	account_with_user
	dated_invoice "$CUSTOMER_ID" 10000 "$(tenant_day -20)" "$(tenant_day -5)"
	dated_invoice "$CUSTOMER_ID" 5000 "$(tenant_day -10)" "$(tenant_day 10)"
	# Unused credit, and a payment left unapplied (an overpayment): both are available credit.
	new_credit "$CUSTOMER_ID" 3000 "$(tenant_day -3)"
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg d "$(tenant_day -2)" \
		'{customer_id: $c, amount_cents: 1000, method: "check", payment_date: $d, allocations: []}')"
	local figures='{outstanding_balance_cents: 15000, available_credit_cents: 4000, net_balance_cents: 11000}'
	with_bearer "$PORTAL_TOKEN" GET /v1/portal/dashboard
	assert_status 200
	assert_jq "{outstanding_balance_cents, available_credit_cents, net_balance_cents} == $figures"
	statement "$PORTAL_TOKEN" ""
	assert_status 200
	assert_jq "{outstanding_balance_cents, available_credit_cents, net_balance_cents} == $figures"
	# The statement's closing balance is the net balance; its aging totals the outstanding balance.
	assert_jq '.closing_balance_cents == .net_balance_cents and .aging.total_cents == .outstanding_balance_cents'
	assert_invariants
	# The PDF shows the three under the same words.
	api_direct GET "/v1/portal/statement?format=pdf" -H "Authorization: Bearer $PORTAL_TOKEN"
	assert_status 200
	local text
	text=$(pdftotext -q -layout "$body_file" -)
	for want in 'Outstanding balance +\$150\.00' 'Available credit +\$40\.00' 'Net balance +\$110\.00'; do
		grep -Eq "$want" <<<"$text" || fail "the PDF lacks /$want/: $text"
	done
	# A location statement: money not applied to the location's invoices is not its credit.
	create_location "$CUSTOMER_ID"
	dated_invoice "$CUSTOMER_ID" 700 "$(tenant_day -1)" "$(tenant_day 5)" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l}')"
	statement "$PORTAL_TOKEN" "location_id=$LOCATION_ID"
	assert_status 200
	assert_jq '.outstanding_balance_cents == 700 and .available_credit_cents == 0 and .net_balance_cents == 700'
}
