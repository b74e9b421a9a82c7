#!/usr/bin/env bats
# Portal documents: GET /v1/portal/invoices/{id}/pdf, /v1/portal/orders/{id}/receipt and
# /v1/portal/payments/{id}/receipt (issue 5): each is a PDF download branded with the hauler
# (never the platform), with the object's figures in the hauler's currency; long invoices run
# onto numbered pages; the same visibility and isolation as the JSON reads; who may call them.
#
# Every document request goes through the validating proxy (status, headers, content type are
# checked against openapi/openapi.yaml), but the proxy re-encodes a binary body as UTF-8 text
# (each byte above 0x7F becomes U+FFFD), so the bytes of a 200 are read again straight from the
# server (get_document).

load helpers

setup_file() {
	start_portal_stack
	# issue 22: the documents carry the hauler's logo and brand colour (tests/api/logos.bats)
	brand_tenant
}

teardown_file() {
	stop_stack
}

# pdf_text FILE: the text of the PDF (pdftotext keeps the layout's reading order).
pdf_text() {
	pdftotext -q "$1" -
}

# pdf_pages FILE: its page count.
pdf_pages() {
	pdfinfo "$1" | awk '/^Pages:/{print $2}'
}

# get_document TOKEN PATH: GET PATH through the proxy; on 200, again straight from the server,
# because the proxy mangles binary bodies (see the top of the file): $body_file then holds the
# server's bytes and $headers its headers.
get_document() {
	with_bearer "$1" GET "$2" || return 1
	[[ $status == 200 ]] || return 0
	api_direct GET "$2" -H "Authorization: Bearer $1"
}

# expect_pdf NAME: the last response is 200, a PDF attachment named NAME that pdfinfo can read.
expect_pdf() {
	[[ $status == 200 ]] || { show_response; fail "expected 200, got $status"; }
	[[ $(header content-type) == application/pdf ]] || fail "Content-Type: $(header content-type)"
	[[ $(header content-disposition) == "attachment; filename=\"$1\"" ]] ||
		fail "Content-Disposition: $(header content-disposition)"
	[[ $(head -c 5 "$body_file") == %PDF- ]] || fail "not a PDF"
	pdfinfo "$body_file" >/dev/null || fail "pdfinfo cannot read it"
	PDF=$BATS_TEST_TMPDIR/doc.$RANDOM.pdf
	cp "$body_file" "$PDF"
}

# not_branded_by_platform FILE
not_branded_by_platform() {
	! pdf_text "$1" | grep -qi curbside || fail "the platform's name is in the document"
	! grep -aqi curbside "$1" || fail "the platform's name is in the file"
}

# squeezed TEXT: TEXT without any white space, so that a description wrapped over several lines
# (at spaces, or inside a word longer than its column) compares with the one sent.
squeezed() {
	tr -d ' \n\t\f' <<<"$1"
}

# embeds_font FILE FONT: pdffonts lists FONT in FILE as embedded, with a Unicode map.
embeds_font() {
	pdffonts "$1" | grep -Eq "^[A-Z]{6}\+$2[^ ]* +CID TrueType +Identity-H +yes +yes +yes" ||
		fail "$2 is not embedded: $(pdffonts "$1")"
}

# paid_by_portal TOKEN: the portal user pays the account's balance with the test token TOKEN.
# Sets PAYMENT_ID.
paid_by_portal() {
	with_bearer "$PORTAL_TOKEN" POST /v1/portal/payments "{\"payment_token\": \"$1\"}" \
		-H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "pay with $1"
	PAYMENT_ID=$(jq -r .id <<<"$body")
}

# billed_customer: a customer with a billing address and a service location, and a portal user
# signed in to it. Sets CUSTOMER_ID, CUSTOMER_NUMBER, LOCATION_ID, USER_EMAIL and PORTAL_TOKEN.
billed_customer() {
	account_with_user '{"name": "Jo Müller & Sons", "billing_address": {"line1": "9 Elm Rd", "city": "Springfield", "region": "IL", "postal_code": "62704"}}' ||
		return 1
	create_location "$CUSTOMER_ID"
}

# word_right PDF WORD [NTH]: the right edge (xMax, in points) of the NTH (default 1st) occurrence
# of WORD in PDF, in drawing order (pdftotext -bbox).
word_right() {
	pdftotext -q -bbox "$1" - | awk -v w="$2" -v n="${3:-1}" '
		/<word / { t = $0; sub(/.*">/, "", t); sub(/<\/word>.*/, "", t)
		           if (t == w && ++k == n) { x = $0; sub(/.*xMax="/, "", x); sub(/".*/, "", x); print x; exit } }'
}

# same_edge A B: two right edges within half a point of each other.
same_edge() {
	[[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 0.5 && d > -0.5) }'
}

# settings JSON: the hauler's admin changes its settings.
settings() {
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings "$1"
	fixture_expect 200 "settings $1"
}

@test "the invoice PDF has the hauler, the customer, the invoice and its money" {
	settings '{"remit_to_address": "PO Box 4410, Springfield, IL 62705"}'
	billed_customer
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l, terms: "Net 30",
		invoice_date: "2026-11-02", due_date: "2026-12-02",
		lines: [{description: "Roll-off 20 yd – haul ✓", quantity: 2, unit_price_cents: 50000},
		        {description: "Fuel surcharge", unit_price_cents: 23456}]}')"
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$INVOICE_ID" \
		'{customer_id: $c, amount_cents: 10000, method: "check", reference_number: "CHK-9",
		  allocations: [{invoice_id: $i, amount_cents: 10000}]}')"

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	text=$(pdf_text "$PDF")
	for want in "Hauler $TENANT_SLUG" "Invoice $INVOICE_NUMBER" "$CUSTOMER_NUMBER" \
		"Jo Müller & Sons" "9 Elm Rd, Springfield, IL 62704" "12 Oak St, Springfield, IL 62701" \
		"Nov 2, 2026" "Dec 2, 2026" "Net 30" "Roll-off 20 yd – haul ✓" "Fuel surcharge" \
		'$500.00' '$1,000.00' '$234.56' '$1,234.56' '$100.00' '$1,134.56' "Page 1 of 1"; do
		[[ $text == *"$want"* ]] || fail "missing from the invoice PDF: $want"
	done
	not_branded_by_platform "$PDF"
	pdf_artifact invoice "$PDF"
}

@test "the invoice's totals stand right-aligned under Amount" {
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Cart", "quantity": 3, "unit_price_cents": 4100},
		{"description": "Extra bag", "unit_price_cents": 999}]}'
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$INVOICE_ID" \
		'{customer_id: $c, amount_cents: 2000, method: "cash", allocations: [{invoice_id: $i, amount_cents: 2000}]}')"

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	amount=$(word_right "$PDF" Amount)
	# $132.99 total, $20.00 paid, $0.00 credited, $112.99 due: each under the column's right edge
	for want in '$123.00' '$132.99' '$20.00' '$0.00' '$112.99'; do
		same_edge "$amount" "$(word_right "$PDF" "$want")" ||
			fail "$want ends at $(word_right "$PDF" "$want"), Amount at $amount"
	done
	# each label ends left of the Amount column, on the line of its figure
	total=$(word_right "$PDF" Total)
	awk -v t="$total" -v a="$amount" 'BEGIN { exit !(t < a - 40) }' || fail "Total ends at $total"
}

@test "an invoice of 120 lines runs onto several numbered pages, the header on each" {
	billed_customer
	open_invoice "$CUSTOMER_ID" "$(jq -cn '{lines: [range(1; 121) |
		{description: "Pickup number \(.)", unit_price_cents: 1000}]}')"

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	pages=$(pdf_pages "$PDF")
	((pages > 1)) || fail "$pages page(s)"
	text=$(pdf_text "$PDF")
	[[ $text == *"Pickup number 1"* && $text == *"Pickup number 120"* ]] || fail "lines missing"
	[[ $text == *"Page $pages of $pages"* ]] || fail "no page numbers"
	[[ $text == *'$1,200.00'* ]] || fail "no total"
	for ((page = 1; page <= pages; page++)); do
		on_page=$(pdftotext -q -f "$page" -l "$page" "$PDF" -)
		[[ $on_page == *Description* && $on_page == *"Unit price"* && $on_page == *Amount* ]] ||
			fail "no table header on page $page"
		[[ $on_page == *"Invoice $INVOICE_NUMBER · Page $page of $pages"* ]] ||
			fail "no invoice number and page number on page $page: $on_page"
		# the remittance stub is on the last page only
		if ((page == pages)); then
			[[ $on_page == *"Please return this part with your payment"* ]] || fail "no stub on the last page"
		else
			[[ $on_page != *"Please return this part"* ]] || fail "a stub on page $page"
		fi
	done
	for n in $(seq 1 120); do
		[[ $text == *"Pickup number $n"$'\n'* || $text == *"Pickup number $n "* ]] ||
			fail "line $n missing"
	done
}

@test "an invoice with money due says how to pay online: its portal page, as text and as a QR code" {
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Cart", "unit_price_cents": 4500}]}'

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	url="https://$TENANT_SLUG.portal.example.test/invoices/$INVOICE_ID"
	[[ $(pdf_text "$PDF") == *"Pay online"* ]] || fail "no Pay online block"
	[[ $(squeezed "$(pdf_text "$PDF")") == *"$url"* ]] || fail "no $url in $(pdf_text "$PDF")"
	[[ $(pdf_qr "$PDF" 1) == "$url" ]] || fail "the QR code says: $(pdf_qr "$PDF" 1)"
}

@test "the remittance stub: account, invoice number, amount due, due date and the remit-to address" {
	settings '{"remit_to_address": "Lockbox 77, PO Box 4410, Springfield, IL 62705", "contact": {"address": "1 Depot Way, Springfield, IL 62701"}}'
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"due_date": "2027-01-15", "invoice_date": "2026-12-16",
		"lines": [{"description": "Cart", "unit_price_cents": 7777}]}'

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	stub=$(pdf_text "$PDF" | sed -n '/Please return this part with your payment/,$p')
	for want in "Account number" "$CUSTOMER_NUMBER" "Invoice number" "$INVOICE_NUMBER" \
		"Amount due" '$77.77' "Due date" "Jan 15, 2027" "Amount enclosed" \
		"Hauler $TENANT_SLUG, Lockbox 77, PO Box 4410, Springfield, IL 62705"; do
		[[ $stub == *"$want"* ]] || fail "missing from the stub: $want in $stub"
	done
	# without a remit-to address, the contact address
	settings '{"remit_to_address": null}'
	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	stub=$(pdf_text "$PDF" | sed -n '/Please return this part with your payment/,$p')
	[[ $stub == *"Hauler $TENANT_SLUG, 1 Depot Way, Springfield, IL 62701"* ]] || fail "stub: $stub"
	settings '{"contact": null}'
}

@test "a paid invoice asks for nothing: no Pay online, no stub, no QR code" {
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Cart", "unit_price_cents": 4500}]}'
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$INVOICE_ID" \
		'{customer_id: $c, amount_cents: 4500, method: "cash", allocations: [{invoice_id: $i, amount_cents: 4500}]}')"

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	text=$(pdf_text "$PDF")
	[[ $text != *"Pay online"* && $text != *"Please return this part"* ]] || fail "asks for money: $text"
	[[ -z $(pdf_qr "$PDF" 1) ]] || fail "a QR code: $(pdf_qr "$PDF" 1)"
	[[ $text == *"Invoice $INVOICE_NUMBER · Page 1 of 1"* ]] || fail "no page label"
}

# colour_pixels PDF R G B: how many pixels of the PDF's first page, drawn at 50 dpi, are within
# 40 of the colour (R, G, B) in each channel.
colour_pixels() {
	pdftoppm -r 50 -f 1 -l 1 -singlefile "$1" "$BATS_TEST_TMPDIR/page" || return 1
	python3 - "$BATS_TEST_TMPDIR/page.ppm" "$2" "$3" "$4" <<'PY'
import sys
magic, size, depth, px = open(sys.argv[1], "rb").read().split(b"\n", 3)
want = [int(v) for v in sys.argv[2:5]]
print(sum(1 for i in range(0, len(px) - 2, 3)
          if all(abs(px[i + k] - want[k]) < 40 for k in range(3))))
PY
}

@test "the brand colour is on the title and headings; without one they are black" {
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Cart", "unit_price_cents": 4500}]}'
	settings '{"brand_color": "#AA2233"}'
	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	red=$(colour_pixels "$PDF" 170 34 51)
	((red > 100)) || fail "only $red pixels of the brand colour"
	settings '{"brand_color": null}'
	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	red=$(colour_pixels "$PDF" 170 34 51)
	((red == 0)) || fail "$red pixels of a colour the hauler no longer has"
	settings '{"brand_color": "#1F6F43"}'
}

@test "invoice lines of 277 and 500 characters print in full, a long word broken" {
	billed_customer
	local d277 d500 word
	# Words of a hauler's surcharge text, cut to the lengths; the 500 is the API's longest.
	d277=$(jq -rn '[range(0; 80) | "overweight surcharge applied to load \(.)"] | join(" ") | .[0:269] + " TAIL277"')
	d500=$(jq -rn '[range(0; 80) | "roll-off container swap \(.) per ton"] | join(" ") | .[0:492] + " TAIL500"')
	word=$(printf 'X%.0s' $(seq 1 150))END
	((${#d277} == 277 && ${#d500} == 500)) || fail "lengths ${#d277} ${#d500}"
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg a "$d277" --arg b "$d500" --arg w "$word" \
		'{lines: [{description: $a, unit_price_cents: 1000}, {description: $b, unit_price_cents: 2000},
		          {description: $w, unit_price_cents: 3000}]}')"

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	text=$(squeezed "$(pdf_text "$PDF")")
	for want in "$d277" "$d500" "$word"; do
		[[ $text == *"$(squeezed "$want")"* ]] || fail "cut: ${want:0:40}... not in full in $(pdf_text "$PDF")"
	done
	[[ $(pdf_text "$PDF") != *...* ]] || fail "an ellipsis: something was cut"
	[[ $text == *'$60.00'* ]] || fail "no total"
}

@test "names in Polish, Vietnamese, Greek and Cyrillic print exactly, in an embedded font" {
	billed_customer
	local names=("Łukasz Żółć" "Nguyễn Văn Đức" "Γιώργος Παπαδόπουλος" "Дмитрий Шостакович")
	staff_api "$STAFF_TOKEN" PATCH "/v1/admin/customers/$CUSTOMER_ID" "$(jq -cn --arg n "${names[0]}" '{name: $n}')"
	fixture_expect 200 "rename"
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg a "${names[1]}" --arg b "${names[2]}" --arg c "${names[3]}" \
		'{lines: [{description: $a, unit_price_cents: 100}, {description: $b, unit_price_cents: 200},
		          {description: $c, unit_price_cents: 300}]}')"

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	text=$(pdf_text "$PDF")
	for name in "${names[@]}"; do
		grep -qxF "$name" <<<"$text" || grep -qF "Customer $name" <<<"$text" ||
			fail "'$name' does not read back: $text"
	done
	[[ $text != *'?'* ]] || fail "a character was replaced: $text"
	embeds_font "$PDF" DejaVuSans
	embeds_font "$PDF" DejaVuSans-Bold
}

@test "characters DejaVu lacks print in the fallback font" {
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "王小明 山田太郎 김민준", "unit_price_cents": 100}]}'

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	[[ $(pdf_text "$PDF") == *"王小明 山田太郎 김민준"* ]] || fail "CJK does not read back: $(pdf_text "$PDF")"
	embeds_font "$PDF" DroidSansFallback
}

@test "the file name of an invoice number with odd characters is sanitised" {
	billed_customer
	open_invoice "$CUSTOMER_ID" "$(jq -cn --arg n "$(unique_number 'X/1 é"')" '{number: $n}')"

	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	safe=$(tr -c 'A-Za-z0-9._-' '_' <<<"$INVOICE_NUMBER" | head -c -1)
	expect_pdf "invoice-$safe.pdf"
}

@test "the order receipt has the hauler, the customer and the order" {
	billed_customer
	create_order "$CUSTOMER_ID" "$(jq -cn --arg l "$LOCATION_ID" '{location_id: $l,
		asset_id: "CAN-2044", description: "Swap the can by the gate", amount_cents: 123456}')"

	get_document "$PORTAL_TOKEN" "/v1/portal/orders/$ORDER_ID/receipt"
	expect_pdf "receipt-order-$ORDER_NUMBER.pdf"
	text=$(pdf_text "$PDF")
	for want in "Hauler $TENANT_SLUG" "$ORDER_NUMBER" "$CUSTOMER_NUMBER" "Nov 24, 2026" \
		"20 yd dumpster delivery" "12 Oak St" "CAN-2044" "Swap the can by the gate" '$1,234.56'; do
		[[ $text == *"$want"* ]] || fail "missing from the receipt: $want"
	done
	not_branded_by_platform "$PDF"
	pdf_artifact order-receipt "$PDF"
}

@test "the payment receipt has the payment, its invoices and its refunds" {
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Dumpster", "unit_price_cents": 200000}]}'
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$CUSTOMER_ID" --arg i "$INVOICE_ID" \
		'{customer_id: $c, amount_cents: 150000, method: "check", reference_number: "CHK-77",
		  payment_date: "2026-11-10", allocations: [{invoice_id: $i, amount_cents: 123456}]}')"
	staff_api "$STAFF_TOKEN" POST "/v1/admin/payments/$PAYMENT_ID/refund" \
		'{"amount_cents": 2544, "reason": "Overpaid"}' -H "Idempotency-Key: $(new_idempotency_key)"
	fixture_expect 201 "refund"

	get_document "$PORTAL_TOKEN" "/v1/portal/payments/$PAYMENT_ID/receipt"
	expect_pdf "receipt-payment-2026-11-10.pdf"
	text=$(pdf_text "$PDF")
	for want in "Hauler $TENANT_SLUG" "Payment receipt" "$CUSTOMER_NUMBER" "Nov 10, 2026" \
		"Check" "CHK-77" '$1,500.00' '$1,234.56' '$25.44' '$240.00' "Overpaid" "Refunds" \
		"Applied to invoices" "$INVOICE_NUMBER"; do
		[[ $text == *"$want"* ]] || fail "missing from the receipt: $want"
	done
	not_branded_by_platform "$PDF"
	pdf_artifact payment-receipt "$PDF"
}

@test "receipts name the method as the email does: the card's brand, the bank account" {
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Dumpster", "unit_price_cents": 12345}]}'
	paid_by_portal tok_visa
	get_document "$PORTAL_TOKEN" "/v1/portal/payments/$PAYMENT_ID/receipt"
	expect_pdf "receipt-payment-$(tenant_day 0).pdf"
	[[ $(pdf_text "$PDF") == *"Visa ending in 4242"* ]] || fail "no card: $(pdf_text "$PDF")"

	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Dumpster", "unit_price_cents": 5432}]}'
	paid_by_portal tok_bank_account
	get_document "$PORTAL_TOKEN" "/v1/portal/payments/$PAYMENT_ID/receipt"
	expect_pdf "receipt-payment-$(tenant_day 0).pdf"
	[[ $(pdf_text "$PDF") == *"Bank account ending in 6789"* ]] || fail "no bank account: $(pdf_text "$PDF")"
}

@test "money is in the hauler's currency" {
	stack_sql "UPDATE tenants SET currency = 'EUR' WHERE id = '$TENANT_ID'"
	billed_customer
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Bin", "unit_price_cents": 123456}]}'
	get_document "$PORTAL_TOKEN" "/v1/portal/invoices/$INVOICE_ID/pdf"
	stack_sql "UPDATE tenants SET currency = 'USD' WHERE id = '$TENANT_ID'"
	expect_pdf "invoice-$INVOICE_NUMBER.pdf"
	[[ $(pdf_text "$PDF") == *'€1,234.56'* ]] || fail "no euro amount"
}

@test "a draft, and a pending invoice while the hauler hides them, are not found" {
	billed_customer
	create_invoice "$CUSTOMER_ID"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID/pdf"
	assert_problem 404 not_found
	stack_sql "UPDATE invoices SET status = 'pending' WHERE id = '$INVOICE_ID'"
	with_bearer "$PORTAL_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID/pdf"
	assert_problem 404 not_found
}

@test "another account's, another customer's and another tenant's documents are not found" {
	billed_customer
	first=$CUSTOMER_ID
	open_invoice "$first"
	invoice=$INVOICE_ID
	create_order "$first"
	order=$ORDER_ID
	record_payment "$STAFF_TOKEN" "$(jq -cn --arg c "$first" '{customer_id: $c, amount_cents: 500, method: "cash"}')"
	payment=$PAYMENT_ID

	# Another account of the same user, after switching to it.
	create_customer
	second=$CUSTOMER_ID
	portal_user "$USER_EMAIL" "$second"
	switch_to "$second"
	for path in "invoices/$invoice/pdf" "orders/$order/receipt" "payments/$payment/receipt"; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/$path"
		assert_problem 404 not_found
	done

	# Another customer of the tenant.
	account_with_user
	for path in "invoices/$invoice/pdf" "orders/$order/receipt" "payments/$payment/receipt"; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/$path"
		assert_problem 404 not_found
	done

	# Another tenant.
	portal_tenant
	account_with_user
	for path in "invoices/$invoice/pdf" "orders/$order/receipt" "payments/$payment/receipt"; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/$path"
		assert_problem 404 not_found
	done
}

@test "a malformed id is not found" {
	account_with_user
	for path in invoices/nope/pdf orders/12/receipt "payments/$(uuidgen 2>/dev/null || echo 0)x/receipt"; do
		with_bearer "$PORTAL_TOKEN" GET "/v1/portal/$path"
		assert_problem 404 not_found
	done
}

@test "a staff token is forbidden" {
	account_with_user
	open_invoice "$CUSTOMER_ID"
	with_bearer "$STAFF_TOKEN" GET "/v1/portal/invoices/$INVOICE_ID/pdf"
	assert_problem 403 forbidden
}
