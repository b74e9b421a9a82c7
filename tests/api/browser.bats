#!/usr/bin/env bats
# A real browser (issue 23, items 5 and 7): Debian's headless Chromium, driven by playwright-core
# (tests/browser/drive.mjs), opens a page served on http://localhost:5173 (tests/browser/) that
# calls this file's server on another port, cross-origin, as the portal does. The page signs in,
# downloads an invoice PDF and reads its file name, reads the Allow of a 405, and refreshes twice
# at once with one refresh token (two tabs waking together); both must stay signed in. Port 5173
# is this file's alone. The page talks to the server directly, not through the validating proxy:
# the spec has no OPTIONS operations, so the proxy would answer the browser's preflights itself.

load helpers

PAGE_PORT=5173
PAGE_ORIGIN=http://localhost:$PAGE_PORT
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# start_page_server: serve tests/browser/ on 127.0.0.1:5173 (sets and exports PAGE_PID).
start_page_server() {
	if (exec 3<>"/dev/tcp/127.0.0.1/$PAGE_PORT") 2>/dev/null; then
		echo "port $PAGE_PORT is taken: this file serves its page there" >&2
		return 1
	fi
	/usr/bin/python3 -m http.server "$PAGE_PORT" --bind 127.0.0.1 \
		--directory "$CURBSIDE_ROOT/tests/browser" >"$BATS_FILE_TMPDIR/page_server.log" 2>&1 3>&- </dev/null &
	export PAGE_PID=$!
	wait_for_listen "$PAGE_PORT" 10 "$PAGE_PID"
}

# drive MODE URL [CONFIG_JSON]: run tests/browser/drive.mjs (bounded, scaled) and print its JSON
# ({result, consoleErrors, offLoopback}); fails, showing why, when the browser could not do it.
drive() {
	local err=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/drive.err
	DRIVE_TIMEOUT_MS=$(scaled 60000) CHROMIUM=$CHROMIUM \
		timeout "$(scaled 180)" node "$CURBSIDE_ROOT/tests/browser/drive.mjs" "$@" 2>"$err" 3>&- && return 0
	cat "$err" >&2
	fail "the browser could not $1 $2"
}

setup_file() {
	[[ -x $CHROMIUM ]] || {
		echo "no Chromium at $CHROMIUM: scripts/setup installs Debian's chromium" >&2
		return 1
	}
	STACK_ENV=(CURBSIDE_CORS_ORIGINS=$PAGE_ORIGIN)
	start_portal_stack
	start_page_server
	create_customer
	open_invoice "$CUSTOMER_ID"
	export INVOICE_NUMBER USER_EMAIL
	USER_EMAIL=$(new_address tabs)
	portal_user "$USER_EMAIL" "$CUSTOMER_ID"
	# One run of the page for the whole file; each test below judges one part of what it saw.
	drive page "$PAGE_ORIGIN/index.html" "$(jq -cn --arg api "$SERVER_URL" --arg t "$TENANT_SLUG" \
		--arg e "$USER_EMAIL" --arg p "$TEST_PASSWORD" --arg i "$INVOICE_ID" \
		'{api: $api, tenant: $t, email: $e, password: $p, invoiceId: $i}')" >"$BATS_FILE_TMPDIR/page.json"
}

teardown_file() {
	[[ -z ${PAGE_PID-} ]] || stop_pid "$PAGE_PID" 10 || true
	stop_stack
}

# seen FILTER [JQ_ARGS...]: FILTER (jq, with --arg NAME VALUE...) over what the page saw must be
# true; otherwise show all of it.
seen() {
	local filter=$1
	shift
	jq -e "$@" "$filter" "$BATS_FILE_TMPDIR/page.json" >/dev/null && return 0
	jq . "$BATS_FILE_TMPDIR/page.json" >&2
	fail "the page did not see: $filter"
}

@test "the page on another origin signs in and reads the request id" {
	seen '.result.login.status == 200 and (.result.login.requestId | length) > 0'
}

@test "issue 23 item 5: the page reads a PDF's file name from Content-Disposition" {
	seen '.result.pdf.status == 200 and .result.pdf.magic == "%PDF-"'
	seen '.result.pdf.contentDisposition == $d' --arg d "attachment; filename=\"invoice-$INVOICE_NUMBER.pdf\""
}

@test "issue 23 item 5: the page reads Allow from a 405" {
	seen '.result.methodNotAllowed.status == 405 and .result.methodNotAllowed.code == "method_not_allowed"'
	seen '.result.methodNotAllowed.allow | (. != null) and test("(^|, )GET(,|$)") and test("(^|, )PATCH(,|$)")'
}

@test "issue 23 item 7: two tabs refreshing at once with one token both stay signed in" {
	seen '[.result.refresh.tabs[].status] == [200, 200]'
	seen '.result.refresh.tabs[0].refreshToken == .result.refresh.tabs[1].refreshToken'
	seen '[.result.refresh.tabs[].meStatus] == [200, 200]'
	seen '.result.refresh.nextRefreshStatus == 200'
}

@test "the page made no request off the loopback and logged no error but the 405 it asked for" {
	seen '.offLoopback == [] and (.consoleErrors | map(select(test("status of 405") | not))) == []'
}

@test "/docs is drawn from the loopback alone, with no error in the console" {
	local docs=$BATS_TEST_TMPDIR/docs.json
	drive docs "$SERVER_URL/docs" >"$docs"
	jq -e '.result.heading | length > 0' "$docs" >/dev/null || fail "Redoc drew no heading: $(cat "$docs")"
	jq -e '.offLoopback == [] and .consoleErrors == []' "$docs" >/dev/null ||
		fail "off the loopback or in the console: $(jq -c '{offLoopback, consoleErrors}' "$docs")"
}
