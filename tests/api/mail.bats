#!/usr/bin/env bats
# The email pipeline: outbox rows (queued with outbox_enqueue, as the flows do) rendered with the
# hauler's branding and delivered by the mail worker through real SMTP (the stack's sink), with
# retries, permanent failures, several processes on one database, and the development mailbox.

load helpers

setup_file() {
	start_stack
	# A fully branded hauler: logo, colour, contact block, portal on.
	export SLUG
	SLUG=$(unique_slug mail)
	create_tenant "$SLUG" "$(jq -cn '{name: "Greenway Disposal", logo_url: "https://cdn.greenway.example/logo.png",
		brand_color: "#0A7F3F", currency: "USD", time_zone: "America/Chicago", portal_enabled: true,
		contact: {phone: "+1 217 555 0100", email: "billing@greenway.example",
		address: "1 Depot Rd, Springfield, IL 62701", website: "https://www.greenway.example"}}')"
	export TENANT_ID
}

teardown_file() {
	stop_stack
}

# sql [psql args...]: run SQL (from stdin or -c) on the stack's database; unaligned, tuples only.
sql() {
	"$(pg_bin psql)" "${DB_URL:-$STACK_DB_URL}" -XAtq -v ON_ERROR_STOP=1 "$@"
}

# queue TEMPLATE TO PAYLOAD [TENANT_ID]: outbox_enqueue as the flows call it; prints the row id.
queue() {
	sql -v tenant="${4:-$TENANT_ID}" -v template="$1" -v to="$2" -v payload="$3" <<-'SQL'
		SELECT outbox_enqueue(:'tenant', :'template', :'to', :'payload'::jsonb)
	SQL
}

# outbox_field ID EXPR: one expression over the outbox row.
outbox_field() {
	sql -c "SELECT $2 FROM outbox WHERE id = '$1'"
}

# wait_outbox ID STATUS: wait (bounded, scaled) until the row has STATUS.
wait_outbox() {
	local deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE)) got
	while ((SECONDS < deadline)); do
		got=$(outbox_field "$1" status)
		[[ $got == "$2" ]] && return 0
		sleep 0.2
	done
	fail "outbox row $1: expected status $2, still $got"
}

# new_address: a recipient no other test uses.
new_address() {
	printf 'person.%s.%s@example.com\n' "${BATS_TEST_NUMBER:-0}" "$((RANDOM * 32768 + RANDOM))"
}

# with_token JSON: sets TOKEN to a fresh link token and PAYLOAD to JSON with it merged in.
with_token() {
	TOKEN=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
	PAYLOAD=$(jq -cn --arg t "$TOKEN" --argjson o "$1" '$o + {token: $t}')
}

# assert_branded FILE TO: what every email to TO from the hauler carries.
assert_branded() {
	local file=$1 to=$2 text html
	[[ $(mail_header "$file" From) == "Greenway Disposal <$MAIL_FROM_ADDRESS>" ]] ||
		fail "From: $(mail_header "$file" From)"
	[[ $(mail_header "$file" Reply-To) == "billing@greenway.example" ]] ||
		fail "Reply-To: $(mail_header "$file" Reply-To)"
	[[ $(mail_header "$file" To) == "$to" ]] || fail "To: $(mail_header "$file" To)"
	mail_header "$file" Date >/dev/null || fail "no Date header"
	[[ $(mail_header "$file" Message-ID) =~ ^\<[0-9a-f-]{36}@mail\.example\.test\>$ ]] ||
		fail "Message-ID: $(mail_header "$file" Message-ID)"
	text=$(mail_text "$file")
	html=$(mail_html "$file")
	for part in "$text" "$html"; do
		[[ $part == *"Greenway Disposal"* && $part == *"+1 217 555 0100"* &&
			$part == *"billing@greenway.example"* && $part == *"1 Depot Rd, Springfield, IL 62701"* &&
			$part == *"www.greenway.example"* ]] || fail "contact block missing in: $part"
	done
	[[ $html == *'<img src="https://cdn.greenway.example/logo.png" alt="Greenway Disposal"'* ]] ||
		fail "logo missing in the HTML"
	[[ $html == *"#0A7F3F"* ]] || fail "brand colour missing in the HTML"
	! grep -qi curbside "$file" || fail "the platform's name appears in $file"
	[[ $(mail_header "$file" MIME-Version) == 1.0 ]] || fail "no MIME-Version"
	[[ $(mail_header "$file" Content-Type) == multipart/alternative* ]] ||
		fail "Content-Type: $(mail_header "$file" Content-Type)"
}

# assert_sent_without_token ID: the row is sent, its token gone, the rest of its payload kept.
assert_sent_without_token() {
	wait_outbox "$1" sent
	[[ $(outbox_field "$1" "payload ? 'token'") == f ]] || fail "the token is still in the payload"
	[[ $(outbox_field "$1" "sent_at IS NOT NULL AND payload ? 'link_path'") == t ]] ||
		fail "sent_at or the rest of the payload missing"
}

@test "create_password: through SMTP, from the hauler, with its branding, the portal link and no platform name" {
	local to file
	to=$(new_address)
	with_token '{"customer_name":"Pat Jordan","account_number":"100234","first_name":"Pat","link_path":"invitations","expires_at":"2026-12-05T14:28:31Z"}'
	id=$(queue create_password "$to" "$PAYLOAD")
	file=$(mail_wait "$to" '^Create your password for Greenway Disposal online account$')
	assert_branded "$file" "$to"
	[[ $(mail_link "$file") == "https://$SLUG.portal.example.test/invitations/$TOKEN" ]] ||
		fail "link: $(mail_link "$file")"
	[[ $(mail_token "$file") == "$TOKEN" ]]
	text=$(mail_text "$file")
	[[ $text == *"Hi Pat,"* && $text == *"100234"* && $text == *"Pat Jordan"* ]] || fail "$text"
	# expires_at in the tenant's time zone (America/Chicago: UTC-6 in December), named.
	[[ $text == *"This link works until December 5, 2026 at 8:28 AM CST."* ]] || fail "expiry: $text"
	[[ $(mail_html "$file") == *"href=\"https://$SLUG.portal.example.test/invitations/$TOKEN\""* ]]
	assert_sent_without_token "$id"
}

@test "invitation: subject names the hauler, link to invitations/<token>" {
	local to file
	to=$(new_address)
	with_token '{"customer_name":"Pat Jordan","account_number":"100234","first_name":"Pat","link_path":"invitations","expires_at":"2026-12-05T14:28:31Z"}'
	id=$(queue invitation "$to" "$PAYLOAD")
	file=$(mail_wait "$to" 'invited you')
	[[ $(mail_header "$file" Subject) == "Greenway Disposal invited you to your online account" ]]
	assert_branded "$file" "$to"
	[[ $(mail_link "$file") == "https://$SLUG.portal.example.test/invitations/$TOKEN" ]]
	assert_sent_without_token "$id"
}

@test "email_verification: confirm-your-email subject, link to verify-email/<token>" {
	local to file
	to=$(new_address)
	with_token '{"customer_name":"Pat Jordan","account_number":"100234","link_path":"verify-email","expires_at":"2026-12-05T14:28:31Z"}'
	id=$(queue email_verification "$to" "$PAYLOAD")
	file=$(mail_wait "$to")
	[[ $(mail_header "$file" Subject) == "Confirm your email for Greenway Disposal" ]]
	assert_branded "$file" "$to"
	[[ $(mail_link "$file") == "https://$SLUG.portal.example.test/verify-email/$TOKEN" ]]
	assert_sent_without_token "$id"
}

@test "password_reset: reset subject, link to reset-password/<token>, greeting by full name" {
	local to file
	to=$(new_address)
	with_token '{"full_name":"Pat Jordan","link_path":"reset-password","expires_at":"2026-12-05T14:28:31Z"}'
	id=$(queue password_reset "$to" "$PAYLOAD")
	file=$(mail_wait "$to" '^Reset your Greenway Disposal password$')
	assert_branded "$file" "$to"
	[[ $(mail_link "$file") == "https://$SLUG.portal.example.test/reset-password/$TOKEN" ]]
	[[ $(mail_text "$file") == *"Hello Pat Jordan,"* ]]
	assert_sent_without_token "$id"
}

@test "password_reset_google: no link, tells the user to sign in with Google" {
	local to file
	to=$(new_address)
	id=$(queue password_reset_google "$to" '{"full_name":"Pat Jordan"}')
	file=$(mail_wait "$to" 'Reset your Greenway Disposal password')
	assert_branded "$file" "$to"
	[[ $(mail_text "$file") == *"Sign in with Google"* ]]
	run mail_link "$file"
	[[ $status -ne 0 ]]
	wait_outbox "$id" sent
}

@test "invoice_sent: invoice subject, dates, amounts in dollars, Review & Pay link to pay/<token>; no PDF for an unknown invoice" {
	local to file text
	to=$(new_address)
	with_token '{"invoice_id":"5d1e8c3a-7b2f-4a6e-9c0d-3f8b1a2e4c6d","invoice_number":"10452","customer_name":"Pat Jordan","account_number":"100234","invoice_date":"2026-11-01","due_date":"2026-12-01","total_cents":123456,"balance_cents":100000,"link_path":"pay"}'
	id=$(queue invoice_sent "$to" "$PAYLOAD")
	file=$(mail_wait "$to" '^Invoice 10452 from Greenway Disposal$')
	assert_branded "$file" "$to"
	text=$(mail_text "$file")
	for want in "Invoice date: November 1, 2026" "Due date: December 1, 2026" 'Total: $1,234.56' \
		'Balance due: $1,000.00' "Review & Pay"; do
		[[ $text == *"$want"* ]] || fail "'$want' missing in: $text"
	done
	[[ $(mail_html "$file") == *"Review &amp; Pay"* ]]
	[[ $(mail_link "$file") == "https://$SLUG.portal.example.test/pay/$TOKEN" ]]
	assert_sent_without_token "$id"
	[[ $(outbox_field "$id" "payload->>'invoice_number'") == 10452 ]]
	# No such invoice in the database: the email still goes, without the PDF.
	[[ -z $("$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/mail_read.py" attachments "$file") ]] ||
		fail "an attachment for an invoice that does not exist"
}

@test "an expiry names the hauler's zone as it is at that instant: CDT in summer, UTC-03 where the zone has no letters, UTC" {
	local slug to file
	to=$(new_address)
	with_token '{"first_name":"Pat","link_path":"invitations","expires_at":"2026-07-05T14:28:31Z"}'
	queue invitation "$to" "$PAYLOAD" >/dev/null
	file=$(mail_wait "$to")
	[[ $(mail_text "$file") == *"works until July 5, 2026 at 9:28 AM CDT."* ]] || fail "$(mail_text "$file")"
	for zone in "America/Sao_Paulo|7:28 AM UTC-03" "UTC|10:28 AM UTC"; do
		slug=$(unique_slug tz)
		create_tenant "$slug" "$(jq -cn --arg z "${zone%%|*}" '{name: "Zone Hauling", time_zone: $z}')"
		to=$(new_address)
		with_token '{"full_name":"Pat","link_path":"reset-password","expires_at":"2026-12-05T10:28:31Z"}'
		queue password_reset "$to" "$PAYLOAD" "$TENANT_ID" >/dev/null
		file=$(mail_wait "$to")
		[[ $(mail_text "$file") == *"until December 5, 2026 at ${zone#*|}."* ]] ||
			fail "${zone%%|*}: $(mail_text "$file")"
	done
}

@test "amounts of a non-USD hauler read as 1234.56 EUR" {
	local slug to file
	slug=$(unique_slug eur)
	create_tenant "$slug" '{"name":"Abfall Nord","currency":"EUR"}'
	to=$(new_address)
	with_token '{"invoice_number":"7","total_cents":123456,"balance_cents":5,"link_path":"pay"}'
	queue invoice_sent "$to" "$PAYLOAD" "$TENANT_ID" >/dev/null
	file=$(mail_wait "$to")
	[[ $(mail_text "$file") == *"Total: 1234.56 EUR"* && $(mail_text "$file") == *"Balance due: 0.05 EUR"* ]]
}

@test "a hauler without logo or contact: its name heads the email, no Reply-To, no empty contact lines" {
	local slug to file html
	slug=$(unique_slug plain)
	create_tenant "$slug" '{"name":"Plain Hauling"}'
	to=$(new_address)
	with_token '{"full_name":"Pat","link_path":"reset-password"}'
	queue password_reset "$to" "$PAYLOAD" "$TENANT_ID" >/dev/null
	file=$(mail_wait "$to")
	run mail_header "$file" Reply-To
	[[ $status -ne 0 ]]
	html=$(mail_html "$file")
	[[ $html != *"<img"* && $html == *">Plain Hauling</span>"* ]]
	[[ $(mail_text "$file") != *"Phone:"* && $html != *"Phone:"* ]]
	[[ $(mail_link "$file") == "https://$slug.portal.example.test/reset-password/$TOKEN" ]]
}

@test "every substituted value is HTML-escaped in the HTML part and kept as is in the text part" {
	local slug to file html
	slug=$(unique_slug esc)
	create_tenant "$slug" '{"name":"Tom & Jerry <Hauling>"}'
	to=$(new_address)
	with_token '{"customer_name":"<script>alert(\"x\")</script>","account_number":"A&B","first_name":"O'"'"'Neil","link_path":"invitations"}'
	queue create_password "$to" "$PAYLOAD" "$TENANT_ID" >/dev/null
	file=$(mail_wait "$to")
	html=$(mail_html "$file")
	[[ $html == *"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"* ]] || fail "$html"
	[[ $html != *"<script>"* ]]
	[[ $html == *"Tom &amp; Jerry &lt;Hauling&gt;"* && $html == *"A&amp;B"* && $html == *"O&#39;Neil"* ]]
	[[ $(mail_text "$file") == *'<script>alert("x")</script>'* && $(mail_text "$file") == *"Hi O'Neil,"* ]]
	[[ $(mail_header "$file" Subject) == "Create your password for Tom & Jerry <Hauling> online account" ]]
	[[ $(mail_header "$file" From) == "\"Tom & Jerry <Hauling>\" <$MAIL_FROM_ADDRESS>" ]] ||
		fail "From: $(mail_header "$file" From)"
}

@test "a non-ASCII hauler name travels as RFC 2047 encoded words in From and Subject" {
	local slug to file
	slug=$(unique_slug utf)
	create_tenant "$slug" '{"name":"Müller Entsorgung – Süd"}'
	to=$(new_address)
	with_token '{"full_name":"Jürgen","link_path":"reset-password"}'
	queue password_reset "$to" "$PAYLOAD" "$TENANT_ID" >/dev/null
	file=$(mail_wait "$to")
	grep -q '^Subject: =?UTF-8?B?' "$file"
	grep -q '^From: =?UTF-8?B?' "$file"
	! LC_ALL=C grep -q -P '[\x80-\xFF]' "$file" || fail "raw 8-bit bytes in the message"
	[[ $(mail_header "$file" Subject) == "Reset your Müller Entsorgung – Süd password" ]]
	[[ $(mail_header "$file" From) == "Müller Entsorgung – Süd <$MAIL_FROM_ADDRESS>" ]]
	[[ $(mail_text "$file") == *"Hello Jürgen,"* ]]
}

@test "a 451 from the SMTP server is retried after the backoff, then delivered" {
	local to file
	to=$(new_address)
	echo 1 >"$MAIL_DIR/fail-next"
	with_token '{"full_name":"Pat","link_path":"reset-password"}'
	id=$(queue password_reset "$to" "$PAYLOAD")
	file=$(mail_wait "$to")
	wait_outbox "$id" sent
	[[ $(outbox_field "$id" attempts) == 2 ]]
	[[ $(outbox_field "$id" last_error) == *451* ]] || fail "last_error: $(outbox_field "$id" last_error)"
	[[ $(mail_count "$to") == 1 ]]
	[[ $(cat "$MAIL_DIR/fail-next") == 0 ]]
}

@test "a temporary failure schedules the next attempt after the backoff" {
	local to
	to=$(new_address)
	echo 1 >"$MAIL_DIR/fail-next"
	# A long first delay on this row: the retry time is visible before it is due.
	local before
	before=$(sql -c "SELECT clock_timestamp()")
	id=$(sql -c "INSERT INTO outbox (tenant_id, template, to_address, payload, attempts)
		VALUES ('$TENANT_ID', 'password_reset_google', '$to', '{}', 2) RETURNING id")
	deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(outbox_field "$id" "last_error IS NOT NULL") == t ]] || ((SECONDS > deadline)); do sleep 0.2; done
	# Attempt 3 failed: the retry comes 1 s x 4^2 = 16 s after it (CURBSIDE_MAIL_RETRY_SECONDS=1),
	# so 16 s after a moment between the insert and now, however long the attempt took.
	[[ $(outbox_field "$id" "status || ' ' || attempts") == "queued 3" ]]
	[[ $(outbox_field "$id" "next_attempt_at - interval '16 seconds' BETWEEN '$before'::timestamptz - interval '1 second'
		AND clock_timestamp() + interval '1 second'") == t ]] ||
		fail "next attempt at $(outbox_field "$id" next_attempt_at), inserted after $before, now $(sql -c 'SELECT clock_timestamp()')"
	sql -c "UPDATE outbox SET next_attempt_at = now() WHERE id = '$id'"
	mail_wait "$to" >/dev/null
	wait_outbox "$id" sent
	[[ $(outbox_field "$id" attempts) == 4 ]]
}

@test "a 550 from the SMTP server fails the row at once, without retries, and drops its token" {
	local to
	to=$(new_address)
	echo 1 >"$MAIL_DIR/reject-next"
	with_token '{"full_name":"Pat","link_path":"reset-password"}'
	id=$(queue password_reset "$to" "$PAYLOAD")
	wait_outbox "$id" failed
	[[ $(outbox_field "$id" attempts) == 1 ]]
	[[ $(outbox_field "$id" last_error) == *550* ]]
	[[ $(outbox_field "$id" "payload ? 'token'") == f ]]
	[[ $(mail_count "$to") == 0 ]]
}

@test "the 8th failed attempt marks the row failed with its last error" {
	local to
	to=$(new_address)
	echo 1 >"$MAIL_DIR/fail-next"
	id=$(sql -c "INSERT INTO outbox (tenant_id, template, to_address, payload, attempts)
		VALUES ('$TENANT_ID', 'password_reset_google', '$to', '{}', 7) RETURNING id")
	wait_outbox "$id" failed
	[[ $(outbox_field "$id" attempts) == 8 ]]
	[[ $(outbox_field "$id" last_error) == *451* ]]
}

@test "a payload without link_path or token fails at once: it can never be rendered" {
	local to
	to=$(new_address)
	id=$(queue invitation "$to" '{"customer_name":"Pat","link_path":"invitations"}')
	wait_outbox "$id" failed
	[[ $(outbox_field "$id" last_error) == *"needs link_path and token"* ]]
	id=$(queue invitation "$to" '{"link_path":"../admin","token":"a b"}')
	wait_outbox "$id" failed
	[[ $(outbox_field "$id" attempts) == 1 ]]
	[[ $(mail_count "$to") == 0 ]]
}

@test "a recipient that is not an email address fails at once" {
	id=$(queue password_reset_google 'Pat <pat@example.com>' '{}')
	wait_outbox "$id" failed
	[[ $(outbox_field "$id" last_error) == *"recipient address"* ]]
}

@test "two server processes on one database deliver each of 50 messages exactly once" {
	local port log rc=0
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT")
	log=$BATS_TEST_TMPDIR/server2.log
	mail_server_env
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	sql -v tenant="$TENANT_ID" -v run="$BATS_TEST_NUMBER.$RANDOM" >"$BATS_TEST_TMPDIR/ids" <<-'SQL'
		SELECT outbox_enqueue(:'tenant', 'password_reset_google', 'bulk.' || :'run' || '.' || n || '@example.com', '{}')
		  FROM generate_series(1, 50) n
	SQL
	ids=$(paste -sd, "$BATS_TEST_TMPDIR/ids" | sed "s/[^,]*/'&'/g")
	deadline=$((SECONDS + 30 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(sql -c "SELECT count(*) FROM outbox WHERE id IN ($ids) AND status = 'sent'") == 50 ]] ||
		((SECONDS > deadline)); do sleep 0.2; done
	finish_server "$pid" "$log" "second server" || rc=1
	((rc == 0))
	[[ $(sql -c "SELECT count(*) FROM outbox WHERE id IN ($ids) AND status = 'sent' AND attempts = 1") == 50 ]]
	# The sink received 50 messages for these rows, each once (Message-ID carries the row id).
	run bash -c "grep -h '^Message-ID:' '$MAIL_DIR'/*.eml | grep -c -F -f <(sed 's/.*/<&@/' '$BATS_TEST_TMPDIR/ids')"
	[[ $output == 50 ]] || fail "$output messages for the 50 rows"
	run bash -c "grep -h '^Message-ID:' '$MAIL_DIR'/*.eml | sort | uniq -d"
	[[ -z $output ]] || fail "duplicate Message-IDs: $output"
	# Both processes had a worker on the channel (each logged its start).
	grep -q "mail worker: sending through SMTP" "$log"
}

@test "with no SMTP URL the email lands as <timestamp>-<id>.eml in CURBSIDE_MAIL_DIR" {
	local db port log box id
	db="${STACK_DB}_files"
	create_database "$db"
	DB_URL=$(db_url "$db")
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT")
	log=$BATS_TEST_TMPDIR/files.log
	box=$BATS_TEST_TMPDIR/mailbox/nested
	STACK_DB_URL=$DB_URL launch_server "$log" "$port" CURBSIDE_MAIL_DIR="$box" \
		CURBSIDE_PUBLIC_URL='https://portal.example.test/{tenant}/' CURBSIDE_MAIL_POLL_SECONDS=1
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	tenant=$(sql -c "INSERT INTO tenants (slug, name) VALUES ('files', 'File Hauling') RETURNING id")
	with_token '{"full_name":"Pat","link_path":"reset-password"}'
	id=$(queue password_reset 'pat@example.com' "$PAYLOAD" "$tenant")
	deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	until compgen -G "$box/*-$id.eml" >/dev/null || ((SECONDS > deadline)); do sleep 0.2; done
	finish_server "$pid" "$log" "file server"
	file=$(compgen -G "$box/*-$id.eml")
	[[ $(basename "$file") =~ ^[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-$id\.eml$ ]]
	[[ -z $(find "$box" -name '.*') ]] || fail "temporary files left: $(ls -a "$box")"
	[[ $(mail_header "$file" To) == pat@example.com ]]
	[[ $(mail_header "$file" From) == 'File Hauling <portal@localhost>' ]]
	[[ $(mail_text "$file") == *"https://portal.example.test/files/reset-password/$TOKEN"* ]]
	[[ $(outbox_field "$id" status) == sent ]]
	grep -q "writing email to $box" "$log"
	drop_database "$db"
}

@test "curbside worker runs only the workers: it delivers, serves no HTTP, and SIGTERM wakes it to exit 0" {
	local db log box id
	db="${STACK_DB}_worker"
	create_database "$db"
	DB_URL=$(db_url "$db")
	log=$BATS_TEST_TMPDIR/worker.log
	box=$BATS_TEST_TMPDIR/worker-mail
	env -i PATH="$PATH" ASAN_OPTIONS="${ASAN_OPTIONS-}" UBSAN_OPTIONS="${UBSAN_OPTIONS-}" \
		LSAN_OPTIONS="${LSAN_OPTIONS-}" CURBSIDE_DATABASE_URL="$DB_URL" CURBSIDE_MAIL_DIR="$box" \
		CURBSIDE_MAIL_POLL_SECONDS=3600 CURBSIDE_LISTEN="127.0.0.1:$SERVER_PORT" \
		"$CURBSIDE_BIN" worker >"$log" 2>&1 3>&- &
	pid=$!
	tenant=$(sql -c "INSERT INTO tenants (slug, name) VALUES ('worker', 'Worker Hauling') RETURNING id")
	id=$(queue password_reset_google 'pat@example.com' '{}' "$tenant")
	deadline=$((SECONDS + 15 * CURBSIDE_TEST_WAIT_SCALE))
	until compgen -G "$box/*-$id.eml" >/dev/null || ((SECONDS > deadline)); do sleep 0.2; done
	compgen -G "$box/*-$id.eml" >/dev/null || fail "no file for $id; $(cat "$log")"
	! grep -q "listening on" "$log"
	# The mail worker now waits for a notification or its hour-long poll: only SIGTERM waking it
	# ends the process within finish_server's bound (else SIGKILL, a failure). How fast is no
	# test's business.
	finish_server "$pid" "$log" "worker"
	drop_database "$db"
}

@test "SIGTERM stops serve even while its worker waits on a silent SMTP server; the row is handed back" {
	local db port silent log hold
	db="${STACK_DB}_stuck"
	create_database "$db"
	DB_URL=$(db_url "$db")
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT")
	silent=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT" "$port")
	# A listener that accepts connections and never says a word: the SMTP greeting never comes.
	"$MAIL_PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); time.sleep(3600)' "$silent" 3>&- &
	hold=$!
	wait_for_listen "$silent" 10 "$hold"
	log=$BATS_TEST_TMPDIR/stuck.log
	mail_server_env
	STACK_DB_URL=$DB_URL launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}" \
		CURBSIDE_SMTP_URL="smtp://127.0.0.1:$silent"
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	tenant=$(sql -c "INSERT INTO tenants (slug, name) VALUES ('stuck', 'Stuck Hauling') RETURNING id")
	id=$(queue password_reset_google 'pat@example.com' '{}' "$tenant")
	deadline=$((SECONDS + 10 * CURBSIDE_TEST_WAIT_SCALE))
	until [[ $(outbox_field "$id" attempts) == 1 ]] || ((SECONDS > deadline)); do sleep 0.1; done
	[[ $(outbox_field "$id" attempts) == 1 ]] || fail "the worker did not claim the row"
	finish_server "$pid" "$log" "server with a stuck worker"
	kill "$hold"
	# Handed back untried: due at once, the attempt not counted. Had the worker waited for its
	# 30-second send timeout instead of being stopped, the attempt would count, with an error.
	[[ $(outbox_field "$id" "status || ' ' || attempts || ' ' || (next_attempt_at <= now())") == "queued 0 true" ]]
	drop_database "$db"
}

@test "CURBSIDE_WORKERS=false: serve starts no mail worker" {
	local port log
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT")
	log=$BATS_TEST_TMPDIR/noworkers.log
	mail_server_env
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}" CURBSIDE_WORKERS=false
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	finish_server "$pid" "$log" "server without workers"
	grep -q "listening on" "$log"
	! grep -q "mail worker" "$log"
	! grep -q "background workers" "$log"
}

@test "CURBSIDE_WORKERS names the workers a process runs; a bad name or none for a worker is refused" {
	local port log
	port=$(free_port "$SERVER_PORT" "$PRISM_PORT" "$MAIL_PORT")
	log=$BATS_TEST_TMPDIR/someworkers.log
	mail_server_env
	launch_server "$log" "$port" "${MAIL_SERVER_ENV[@]}" CURBSIDE_WORKERS=autopay,sms
	pid=$LAUNCHED_PID
	await_server "$pid" "$port" "$log"
	finish_server "$pid" "$log" "server with two workers"
	grep -q "background workers: autopay sms$" "$log" || fail "$(grep 'background workers' "$log")"
	! grep -q "mail worker" "$log"

	run env CURBSIDE_WORKERS=mail,faxes "$CURBSIDE_BIN" serve
	[[ $status -eq 1 && $output == *CURBSIDE_WORKERS* ]] || fail "$output"
	run env CURBSIDE_WORKERS=none "$CURBSIDE_BIN" worker
	[[ $status -eq 1 && $output == *"leaves the worker nothing to run"* ]] || fail "$output"
}

@test "production refuses to start without CURBSIDE_SMTP_URL (or an explicit mail dir) and CURBSIDE_PUBLIC_URL" {
	run env -i PATH="$PATH" CURBSIDE_ENV=production CURBSIDE_JWT_SECRET="$CURBSIDE_JWT_SECRET" \
		CURBSIDE_OPERATOR_TOKEN="$CURBSIDE_OPERATOR_TOKEN" "$CURBSIDE_BIN" serve
	[[ $status -eq 1 ]]
	[[ $output == *"CURBSIDE_SMTP_URL: set it in production"* ]]
	[[ $output == *"CURBSIDE_PUBLIC_URL: set the portal's URL in production"* ]]
	run env -i PATH="$PATH" CURBSIDE_ENV=development CURBSIDE_SMTP_URL=http://mail.example \
		CURBSIDE_MAIL_FROM='Portal <portal@example.com>' "$CURBSIDE_BIN" serve
	[[ $status -eq 1 ]]
	[[ $output == *"CURBSIDE_SMTP_URL: must start with smtp:// or smtps://"* ]]
	[[ $output == *"CURBSIDE_MAIL_FROM: must be a plain address"* ]]
}

@test "GET /metrics counts email attempts by outcome" {
	api GET /metrics
	assert_status 200
	[[ $body =~ curbside_mail_attempts_total\{outcome=\"sent\"\}\ [1-9] ]] || fail "$body"
	[[ $body == *'curbside_mail_attempts_total{outcome="retried"}'* ]]
	[[ $body == *'curbside_mail_attempts_total{outcome="failed"}'* ]]
}
