#!/usr/bin/env bats
# The hauler's logo (issue 22, item 3): PUT /v1/admin/settings/logo stores a PNG or JPEG after
# decoding it (size and pixel limits, type by its bytes), GET /v1/tenants/{tenant}/logo serves it
# in public, the branding's logo_url points there (the portal, the emails), every PDF prints it
# (from the stored bytes, never a URL), DELETE removes it. Bad uploads store nothing.
#
# Test images come from tests/lib/images.py (a PNG written with zlib, a JPEG drawn by pdftoppm).
#
# The validating proxy re-encodes binary bodies as UTF-8 text, requests as well as responses
# (see tests/api/portal_documents.bats): an image is uploaded straight to the server
# (upload_image), and its answer's shape checked here against the Logo schema's members; what
# can travel as text (the refusals before any decoding) goes through the proxy.

load helpers

setup_file() {
	start_portal_stack
}

teardown_file() {
	stop_stack
}

# image KIND W H [--depth 16]: make a test image; prints its path.
image() {
	local out=$BATS_TEST_TMPDIR/img.$RANDOM.$1
	python3 "$CURBSIDE_ROOT/tests/lib/images.py" "$1" "$2" "$3" "${@:4}" "$out" || return 1
	echo "$out"
}

LOGO_KEYS='["bytes","content_type","height","logo_url","updated_at","width"]'

# upload TOKEN FILE TYPE: PUT the file's bytes (text only: see the top) as the logo, with
# Content-Type TYPE, through the proxy.
upload() {
	staff_api "$1" PUT /v1/admin/settings/logo "@$2" -H "Content-Type: $3"
}

# upload_image TOKEN FILE TYPE: PUT an image straight to the server (see the top); a 200 has
# the Logo's members.
upload_image() {
	api_direct PUT /v1/admin/settings/logo "@$2" -H "Content-Type: $3" -H "Authorization: Bearer $1" || return 1
	[[ $status != 200 ]] || assert_jq "keys == $LOGO_KEYS"
}

# no_logo: the tenant has no logo: 404 at its URL, logo_url null in the settings.
no_logo() {
	api GET "/v1/tenants/$TENANT_SLUG/logo"
	assert_problem 404 logo_not_found
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_jq '.logo_url == null'
}

# invoice_pdf: a portal user's invoice as a PDF, read straight from the server (the proxy
# re-encodes binary bodies); sets PDF.
invoice_pdf() {
	account_with_user || return 1
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Cart", "unit_price_cents": 4500}]}' || return 1
	api_direct GET "/v1/portal/invoices/$INVOICE_ID/pdf" -H "Authorization: Bearer $PORTAL_TOKEN"
	fixture_expect 200 "invoice PDF" || return 1
	PDF=$BATS_TEST_TMPDIR/invoice.$RANDOM.pdf
	cp "$body_file" "$PDF"
}

# pdf_image_sizes FILE: "WIDTHxHEIGHT ENCODING" of each image in the PDF, one a line.
pdf_image_sizes() {
	pdfimages -list "$1" | awk 'NR > 2 && $3 == "image" { print $4 "x" $5 " " $9 }'
}

@test "an admin uploads a PNG: 200 Logo, served in public byte for byte, logo_url points at it" {
	local png sha
	no_logo
	png=$(image png 300 90)
	upload_image "$STAFF_TOKEN" "$png" image/png
	assert_status 200
	assert_json .content_type image/png
	assert_jq ".bytes == $(stat -c %s "$png") and .width == 300 and .height == 90"
	sha=$(sha256sum "$png" | cut -c1-64)
	assert_json .logo_url "http://localhost:8080/v1/tenants/$TENANT_SLUG/logo?v=${sha:0:12}"
	staff_api "$STAFF_TOKEN" GET /v1/admin/settings
	assert_json .logo_url "http://localhost:8080/v1/tenants/$TENANT_SLUG/logo?v=${sha:0:12}"
	api GET "/v1/tenants/$TENANT_SLUG"
	assert_json .logo_url "http://localhost:8080/v1/tenants/$TENANT_SLUG/logo?v=${sha:0:12}"
	api GET "/v1/tenants/$TENANT_SLUG/logo?v=${sha:0:12}"
	assert_status 200
	assert_content_type image/png
	assert_header Cache-Control 'public, max-age=86400'
	assert_header ETag "\"$sha\""
	# the bytes, straight from the server: the proxy re-encodes binary bodies
	api_direct GET "/v1/tenants/$TENANT_SLUG/logo"
	cmp -s "$body_file" "$png" || fail "the served logo differs from the upload"
}

@test "every PDF prints the uploaded logo; a JPEG replaces the PNG" {
	local jpg
	upload_image "$STAFF_TOKEN" "$(image png 300 90)" image/png
	assert_status 200
	invoice_pdf
	[[ $(pdf_image_sizes "$PDF") == "300x90 image" ]] || fail "images: $(pdfimages -list "$PDF")"
	jpg=$(image jpeg 240 80)
	upload_image "$STAFF_TOKEN" "$jpg" image/jpeg
	assert_status 200
	assert_jq '.content_type == "image/jpeg" and .width == 240 and .height == 80'
	api_direct GET "/v1/tenants/$TENANT_SLUG/logo"
	cmp -s "$body_file" "$jpg" || fail "the served logo is not the JPEG"
	[[ $(header content-type) == image/jpeg ]] || fail "Content-Type: $(header content-type)"
	invoice_pdf
	[[ $(pdf_image_sizes "$PDF") == "240x80 jpeg" ]] || fail "images: $(pdfimages -list "$PDF")"
	# the statement too
	api_direct GET "/v1/portal/statement?format=pdf" -H "Authorization: Bearer $PORTAL_TOKEN"
	fixture_expect 200 "statement PDF"
	[[ $(pdf_image_sizes "$body_file") == "240x80 jpeg" ]] || fail "statement images: $(pdfimages -list "$body_file")"
}

@test "the invoice email shows the logo at its public URL" {
	local url file to
	upload_image "$STAFF_TOKEN" "$(image png 120 40)" image/png
	assert_status 200
	url=$(jq -r .logo_url <<<"$body")
	to=$(new_address billing)
	create_customer "$(jq -cn --arg e "$to" '{contacts: [{name: "Ann", email: $e}]}')"
	open_invoice "$CUSTOMER_ID" '{"lines": [{"description": "Cart", "unit_price_cents": 4500}]}'
	file=$(mail_wait "$to" "^Invoice $INVOICE_NUMBER ")
	[[ $(mail_html "$file") == *"src=\"$url\""* ]] || fail "no logo $url in $(mail_html "$file")"
}

@test "DELETE removes the logo: 204, then 404 logo_not_found, logo_url null, PDFs without it" {
	upload_image "$STAFF_TOKEN" "$(image png 60 20)" image/png
	assert_status 200
	staff_api "$STAFF_TOKEN" DELETE /v1/admin/settings/logo
	assert_status 204
	no_logo
	invoice_pdf
	[[ -z $(pdf_image_sizes "$PDF") ]] || fail "images: $(pdfimages -list "$PDF")"
	staff_api "$STAFF_TOKEN" DELETE /v1/admin/settings/logo
	assert_problem 404 logo_not_found
}

@test "bad uploads answer 400, 413, 415 or 422 and store nothing" {
	local png jpg big trunc text=$BATS_TEST_TMPDIR/text.png
	png=$(image png 300 90)
	jpg=$(image jpeg 300 90)
	printf 'GIF89a, not a PNG' >"$text"
	upload "$STAFF_TOKEN" "$text" text/plain
	assert_problem 415 unsupported_media_type
	# a URL is no logo: nothing is ever fetched
	staff_api "$STAFF_TOKEN" PUT /v1/admin/settings/logo '{"url": "https://cdn.example.test/logo.png"}'
	assert_problem 415 unsupported_media_type
	staff_api "$STAFF_TOKEN" PUT /v1/admin/settings/logo -H 'Content-Type: image/png'
	assert_problem 400 body_required
	# the bytes are not of the declared type
	upload "$STAFF_TOKEN" "$text" image/png
	assert_problem 422 logo_type_mismatch
	upload_image "$STAFF_TOKEN" "$png" image/jpeg
	assert_problem 422 logo_type_mismatch
	upload_image "$STAFF_TOKEN" "$jpg" image/png
	assert_problem 422 logo_type_mismatch
	# too many pixels: a side over 4096, or over 4 Mi pixels in all (read from the header: a
	# file of a few bytes may claim a huge image)
	upload_image "$STAFF_TOKEN" "$(image png 4097 1)" image/png
	assert_problem 422 logo_too_large
	upload_image "$STAFF_TOKEN" "$(image png-header 2100 2100)" image/png
	assert_problem 422 logo_too_large
	# damaged: cut short, or with a corrupted byte in the middle
	trunc=$BATS_TEST_TMPDIR/trunc.png
	head -c $(($(stat -c %s "$png") - 30)) "$png" >"$trunc"
	upload_image "$STAFF_TOKEN" "$trunc" image/png
	assert_problem 422 logo_unreadable
	head -c $(($(stat -c %s "$jpg") / 2)) "$jpg" >"$BATS_TEST_TMPDIR/trunc.jpg"
	upload_image "$STAFF_TOKEN" "$BATS_TEST_TMPDIR/trunc.jpg" image/jpeg
	assert_problem 422 logo_unreadable
	printf '\x89PNG\r\n\x1a\n' >"$BATS_TEST_TMPDIR/sig.png"
	upload_image "$STAFF_TOKEN" "$BATS_TEST_TMPDIR/sig.png" image/png
	assert_problem 422 logo_unreadable
	# more than 512 KiB (text, refused before it is decoded)
	big=$BATS_TEST_TMPDIR/big.png
	head -c $((512 * 1024 + 1)) /dev/zero | tr '\0' x >"$big"
	upload "$STAFF_TOKEN" "$big" image/png
	assert_problem 413 payload_too_large
	no_logo
}

@test "a JSON body is still limited to CURBSIDE_MAX_BODY_BYTES; an image may be larger" {
	local json=$BATS_TEST_TMPDIR/big.json
	printf '{"name": "%s"}' "$(head -c 70000 /dev/zero | tr '\0' x)" >"$json"
	staff_api "$STAFF_TOKEN" PATCH /v1/admin/settings "@$json"
	assert_problem 413 payload_too_large
}

@test "who may: billing staff 403, a portal token 403, no token 401; the public read needs none" {
	local png=$BATS_TEST_TMPDIR/text.png
	printf 'not even an image' >"$png"
	account_with_user
	with_bearer "$PORTAL_TOKEN" PUT /v1/admin/settings/logo "@$png" -H 'Content-Type: image/png'
	assert_problem 403 forbidden
	new_staff_token billing logobilling
	upload "$STAFF_TOKEN" "$png" image/png
	assert_problem 403 forbidden
	staff_api "$STAFF_TOKEN" DELETE /v1/admin/settings/logo
	assert_problem 403 forbidden
	# direct: the proxy itself answers a request without the bearer the spec declares
	api_direct PUT /v1/admin/settings/logo "@$png" -H 'Content-Type: image/png'
	assert_status 401
	api GET "/v1/tenants/no-such-hauler-$RANDOM/logo"
	assert_problem 404 logo_not_found
}
