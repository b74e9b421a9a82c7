# shellcheck shell=bash
# Helpers for the local fakes of the outside world that some API test files start: the
# Stripe-compatible processor, the SMS API and the OpenID Connect provider. helpers.bash
# sources this file; the mail sink, which every stack has, stays there.

# ---------------------------------------------------------------------------------------------
# Payments: a local fake of the Stripe-compatible subset the `stripe` processor speaks
# (tests/fakes/stripe_fake.py, standard library only). A file that wants it calls
# start_stripe_fake before start_stack and passes "${STRIPE_SERVER_ENV[@]}" in STACK_ENV; the
# fake's control endpoints (stripe_control) switch declines, timeouts and 500s on.

STRIPE_FAKE_KEY=sk_test_curbside_api_tests

# start_stripe_fake [EXCLUDED_PORT...]: start the fake on a free port (sets and exports
# STRIPE_PORT, STRIPE_URL, STRIPE_LOG, STRIPE_PID) and sets STRIPE_SERVER_ENV (stripe_server_env).
start_stripe_fake() {
	export STRIPE_PORT STRIPE_URL STRIPE_LOG=$BATS_FILE_TMPDIR/stripe_fake.log STRIPE_PID
	STRIPE_PORT=$(free_port "$@")
	STRIPE_URL=http://127.0.0.1:$STRIPE_PORT
	/usr/bin/python3 "$CURBSIDE_ROOT/tests/fakes/stripe_fake.py" --port "$STRIPE_PORT" \
		--key "$STRIPE_FAKE_KEY" >"$STRIPE_LOG" 2>&1 3>&- </dev/null &
	STRIPE_PID=$!
	wait_for_listen "$STRIPE_PORT" 10 "$STRIPE_PID" || {
		log_tail "$STRIPE_LOG" 20
		return 1
	}
	stripe_server_env
}

# stripe_server_env: sets the array STRIPE_SERVER_ENV, the server environment that uses the fake
# (a 1 s total timeout, scaled: short, so a timeout test, which holds the fake's answer until the
# server has given up, waits little; scaled, so a loaded machine does not make an ordinary answer
# late). Arrays do not cross from setup_file to the tests: a test launching its own server calls
# this first.
stripe_server_env() {
	STRIPE_SERVER_ENV=(
		CURBSIDE_PAYMENTS=stripe
		CURBSIDE_STRIPE_URL="$STRIPE_URL"
		CURBSIDE_STRIPE_KEY="$STRIPE_FAKE_KEY"
		CURBSIDE_STRIPE_CONNECT_TIMEOUT_MS="$(scaled 500 60000)"
		CURBSIDE_STRIPE_TIMEOUT_MS="$(scaled 1000 60000)"
	)
}

# stop_stripe_fake: stop the fake (call from teardown_file after stop_stack).
stop_stripe_fake() {
	[[ -z ${STRIPE_PID-} ]] || stop_pid "$STRIPE_PID" 10 || true
}

# stripe_control METHOD PATH [JSON]: call a control endpoint of the fake; prints its answer.
stripe_control() {
	curl -fsS --max-time "$(scaled 5)" -X "$1" "$STRIPE_URL$2" -H 'Content-Type: application/json' \
		${3:+--data "$3"}
}

# charges_for PAYMENT_ID: how many payment intents the fake made under the payment's key.
charges_for() {
	stripe_control GET /_control/charges | jq -r --arg k "payment-$1" '.by_key[$k] // 0'
}

# ---------------------------------------------------------------------------------------------
# Text messages: a local fake of the Twilio-compatible SMS API (tests/fakes/sms_gateway.py,
# standard library only). A file that wants it calls start_sms_gateway before start_stack and
# passes "${SMS_SERVER_ENV[@]}" in STACK_ENV; sms_control switches 500s and timeouts on.

SMS_ACCOUNT=AC_curbside_api_tests
SMS_TOKEN=curbside-api-tests-sms-token
SMS_FROM=+15555550100
SMS_WAIT_SECONDS=60

# start_sms_gateway: start the fake on a free port (sets and exports SMS_PORT, SMS_URL, SMS_LOG,
# SMS_PID) and sets SMS_SERVER_ENV: the server sends through it, polls every second, retries
# after 1 s (then 4 s, 16 s ...) and gives a request 1 s (scaled, as stripe_server_env).
start_sms_gateway() {
	export SMS_PORT SMS_URL SMS_LOG=$BATS_FILE_TMPDIR/sms_gateway.log SMS_PID
	SMS_PORT=$(free_port "$@")
	SMS_URL=http://127.0.0.1:$SMS_PORT
	/usr/bin/python3 "$CURBSIDE_ROOT/tests/fakes/sms_gateway.py" --port "$SMS_PORT" \
		--account "$SMS_ACCOUNT" --token "$SMS_TOKEN" >"$SMS_LOG" 2>&1 3>&- </dev/null &
	SMS_PID=$!
	wait_for_listen "$SMS_PORT" 10 "$SMS_PID" || {
		log_tail "$SMS_LOG" 20
		return 1
	}
	SMS_SERVER_ENV=(
		CURBSIDE_SMS_URL="$SMS_URL/2010-04-01/Accounts/$SMS_ACCOUNT"
		CURBSIDE_SMS_ACCOUNT="$SMS_ACCOUNT"
		CURBSIDE_SMS_TOKEN="$SMS_TOKEN"
		CURBSIDE_SMS_FROM="$SMS_FROM"
		CURBSIDE_SMS_POLL_SECONDS=1
		CURBSIDE_SMS_RETRY_SECONDS=1
		CURBSIDE_SMS_TIMEOUT_MS="$(scaled 1000 60000)"
	)
}

# stop_sms_gateway: stop the fake (call from teardown_file after stop_stack).
stop_sms_gateway() {
	[[ -z ${SMS_PID-} ]] || stop_pid "$SMS_PID" 10 || true
}

# sms_control METHOD PATH [JSON]: call a control endpoint of the fake; prints its answer.
sms_control() {
	curl -fsS --max-time "$(scaled 5)" -X "$1" "$SMS_URL$2" -H 'Content-Type: application/json' \
		${3:+--data "$3"}
}

# sms_wait JQ_FILTER [CONTROL_PATH]: wait (bounded, scaled) until JQ_FILTER (jq -e) holds for the
# fake's /_control/messages (or CONTROL_PATH); prints that document.
sms_wait() {
	local doc deadline=$((SECONDS + SMS_WAIT_SECONDS * CURBSIDE_TEST_WAIT_SCALE))
	while ((SECONDS < deadline)); do
		doc=$(sms_control GET "${2:-/_control/messages}") &&
			jq -e "$1" <<<"$doc" >/dev/null && {
			printf '%s\n' "$doc"
			return 0
		}
		sleep 0.2
	done
	echo "sms_wait: '$1' did not hold within $((SMS_WAIT_SECONDS * CURBSIDE_TEST_WAIT_SCALE))s: $doc" >&2
	log_tail "${SMS_LOG-}" 10
	return 1
}

# ---------------------------------------------------------------------------------------------
# OpenID Connect: a file that signs in with Google starts a local provider
# (tests/fakes/oidc_provider.py) and points its server at it (start_google_stack).

OIDC_CLIENT_ID=curbside-tests.apps.example.test
OIDC_CLIENT_SECRET=curbside-tests-oidc-client-secret

# start_oidc_provider: start the fake provider on a free port (sets and exports
# OIDC_PORT, OIDC_URL, OIDC_LOG, OIDC_PID) and set the array OIDC_SERVER_ENV, the server
# configuration that uses it (a 1-second provider timeout, scaled, so the hold switch gives a 502
# soon).
start_oidc_provider() {
	export OIDC_PORT OIDC_URL OIDC_LOG=$BATS_FILE_TMPDIR/oidc_provider.log OIDC_PID
	OIDC_PORT=$(free_port)
	OIDC_URL=http://127.0.0.1:$OIDC_PORT
	"$MAIL_PYTHON" "$CURBSIDE_ROOT/tests/fakes/oidc_provider.py" --port "$OIDC_PORT" \
		--client-id "$OIDC_CLIENT_ID" --client-secret "$OIDC_CLIENT_SECRET" \
		>"$OIDC_LOG" 2>&1 3>&- </dev/null &
	OIDC_PID=$!
	wait_for_listen "$OIDC_PORT" 10 "$OIDC_PID" || {
		log_tail "$OIDC_LOG" 20
		return 1
	}
	oidc_server_env
}

# oidc_server_env: sets the array OIDC_SERVER_ENV, the server configuration that uses the fake
# (arrays do not cross from setup_file to the tests: a test launching its own server calls this).
oidc_server_env() {
	OIDC_SERVER_ENV=(
		CURBSIDE_OIDC_ISSUER="$OIDC_URL"
		CURBSIDE_OIDC_CLIENT_ID="$OIDC_CLIENT_ID"
		CURBSIDE_OIDC_CLIENT_SECRET="$OIDC_CLIENT_SECRET"
		CURBSIDE_OIDC_TIMEOUT_MS="$(scaled 1000 60000)"
	)
}

# start_google_stack: the fake provider, then start_portal_stack with the server using it.
start_google_stack() {
	start_oidc_provider || return 1
	STACK_ENV=(${STACK_ENV[@]+"${STACK_ENV[@]}"} "${OIDC_SERVER_ENV[@]}")
	start_portal_stack
}

# oidc_switch JSON: set the fake provider's switches for the next token answers ({} resets them).
oidc_switch() {
	curl -sS --max-time "$(scaled 5)" -X POST -H 'Content-Type: application/json' --data-binary "$1" \
		"$OIDC_URL/control" >/dev/null
}

REDIRECT_PATH=/auth/google/callback

# redirect_uri [SLUG]: the portal's callback page of the tenant (CURBSIDE_PUBLIC_URL of the stack).
redirect_uri() {
	printf 'https://%s.portal.example.test%s\n' "${1:-$TENANT_SLUG}" "$REDIRECT_PATH"
}

# google_start [JSON_EXTRA] [SLUG]: POST .../auth/google with the tenant's redirect URI plus
# JSON_EXTRA; expects 200 and sets AUTH_URL and STATE.
google_start() {
	local doc extra=${1-}
	[[ -n $extra ]] || extra='{}'
	doc=$(jq -cn --arg r "$(redirect_uri "${2-}")" --argjson x "$extra" '{redirect_uri: $r} + $x')
	api POST "/v1/tenants/${2:-$TENANT_SLUG}/auth/google" "$doc" || return 1
	fixture_expect 200 "google_start" || return 1
	AUTH_URL=$(jq -r .authorization_url <<<"$body")
	STATE=$(jq -r .state <<<"$body")
}

# google_callback [CODE] [STATE] [SLUG]: POST .../auth/google/callback (the provider's code and
# state by default); the answer stays in status/body.
google_callback() {
	api POST "/v1/tenants/${3:-$TENANT_SLUG}/auth/google/callback" \
		"$(jq -cn --arg c "${1:-$PROVIDER_CODE}" --arg s "${2:-$PROVIDER_STATE}" '{code: $c, state: $s}')"
}

# google_sign_in QUERY [JSON_EXTRA]: start, sign in at the provider as QUERY, call back.
google_sign_in() {
	google_start "${2-}" || return 1
	provider_login "$AUTH_URL" "$1" || return 1
	google_callback
}

# invite EMAIL [CUSTOMER_ID]: staff invite EMAIL to the customer; sets INVITE_TOKEN.
invite() {
	staff_api "$STAFF_TOKEN" POST "/v1/admin/customers/${2:-$CUSTOMER_ID}/invitations" \
		"$(jq -cn --arg e "$1" '{first_name: "Pat", email: $e}')" || return 1
	fixture_expect 201 "invite $1" || return 1
	INVITE_TOKEN=$(jq -r '.url | split("/") | last' <<<"$body")
}

# provider_login AUTHORIZATION_URL [QUERY]: "sign in" at the fake provider as the identity in
# QUERY (sub=...&email=...&name=...&email_verified=...); sets PROVIDER_CODE and PROVIDER_STATE
# from its redirect back to the portal (PROVIDER_REDIRECT).
provider_login() {
	PROVIDER_REDIRECT=$(curl -sS --max-time "$(scaled 10)" -o /dev/null -w '%{redirect_url}' "$1${2:+&$2}") ||
		return 1
	PROVIDER_CODE=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$PROVIDER_REDIRECT")
	PROVIDER_STATE=$(sed -n 's/.*[?&]state=\([^&]*\).*/\1/p' <<<"$PROVIDER_REDIRECT")
	[[ -n $PROVIDER_CODE && -n $PROVIDER_STATE ]] || {
		echo "provider_login: no code and state in the redirect '$PROVIDER_REDIRECT'" >&2
		return 1
	}
}

# ---------------------------------------------------------------------------------------------
# OpenID Connect with a real provider: npm oidc-provider (tests/fakes/oidc_provider_real.mjs)
# behind a proxy that can rewrite its ID tokens the way a man in the middle would. It takes the
# place of the fake (same OIDC_* variables, so stop_stack stops it).

OIDC_REAL_WAIT_SECONDS=30

# start_real_oidc_provider [--defaults]: start the provider and its proxy on a free port (the
# issuer; sets and exports OIDC_PORT, OIDC_URL, OIDC_LOG, OIDC_PID) and set OIDC_SERVER_ENV. With
# --defaults the provider runs at its defaults (email only from userinfo, client_secret_basic);
# without, as the first tests configured it (oidc_provider_real.mjs says how).
start_real_oidc_provider() {
	export OIDC_PORT OIDC_URL OIDC_LOG=$BATS_FILE_TMPDIR/oidc_provider_real.log OIDC_PID
	OIDC_PORT=$(free_port)
	OIDC_URL=http://127.0.0.1:$OIDC_PORT
	node "$CURBSIDE_ROOT/tests/fakes/oidc_provider_real.mjs" --port "$OIDC_PORT" \
		--client-id "$OIDC_CLIENT_ID" --client-secret "$OIDC_CLIENT_SECRET" \
		--redirect-pattern '^https://[a-z0-9-]+\.portal\.example\.test/auth/google/callback$' \
		"$@" >"$OIDC_LOG" 2>&1 3>&- </dev/null &
	OIDC_PID=$!
	wait_for_http "$OIDC_URL/.well-known/openid-configuration" "$OIDC_REAL_WAIT_SECONDS" "$OIDC_PID" || {
		log_tail "$OIDC_LOG" 20
		return 1
	}
	real_oidc_server_env
}

# real_oidc_server_env: sets the array OIDC_SERVER_ENV, the server configuration that uses the real
# provider (arrays do not cross from setup_file to the tests: a test launching its own server
# calls this first).
real_oidc_server_env() {
	OIDC_SERVER_ENV=(
		CURBSIDE_OIDC_ISSUER="$OIDC_URL"
		CURBSIDE_OIDC_CLIENT_ID="$OIDC_CLIENT_ID"
		CURBSIDE_OIDC_CLIENT_SECRET="$OIDC_CLIENT_SECRET"
		CURBSIDE_OIDC_TIMEOUT_MS="$(scaled 5000 60000)"
	)
}

# start_real_google_stack [--defaults]: the real provider, then start_portal_stack with the server
# using it.
start_real_google_stack() {
	start_real_oidc_provider "$@" || return 1
	STACK_ENV=(${STACK_ENV[@]+"${STACK_ENV[@]}"} "${OIDC_SERVER_ENV[@]}")
	start_portal_stack
}

# oidc_tamper MODE [CLAIMS_JSON]: how the proxy rewrites the next ID tokens ("off" passes them).
oidc_tamper() {
	local claims=${2-}
	[[ -n $claims ]] || claims='{}'
	curl -fsS --max-time "$(scaled 5)" -X POST -H 'Content-Type: application/json' \
		--data-binary "$(jq -cn --arg m "$1" --argjson c "$claims" '{mode: $m, claims: $c}')" \
		"$OIDC_URL/_tamper" >/dev/null
}

# oidc_proxy JSON: set everything the proxy does at once: {"mode", "claims", "down", "discovery",
# "userinfo"} (oidc_provider_real.mjs); absent members are reset.
oidc_proxy() {
	curl -fsS --max-time "$(scaled 5)" -X POST -H 'Content-Type: application/json' \
		--data-binary "$1" "$OIDC_URL/_tamper" >/dev/null
}

# oidc_token_auth METHOD: how many token requests authenticated by METHOD (basic or post).
oidc_token_auth() {
	curl -fsS --max-time "$(scaled 5)" "$OIDC_URL/_tamper" | jq --arg m "$1" '.token_auth[$m]'
}

# oidc_requests PATH: how many requests the proxy forwarded to PATH of the provider.
oidc_requests() {
	curl -fsS --max-time "$(scaled 5)" "$OIDC_URL/_tamper" | jq --arg p "$1" '.requests[$p] // 0'
}

# real_provider_login AUTHORIZATION_URL LOGIN: sign in at the real provider as LOGIN (an email)
# through its login and consent forms, as a browser would; sets PROVIDER_CODE and PROVIDER_STATE
# from its redirect back to the portal (PROVIDER_REDIRECT).
real_provider_login() {
	local jar=$BATS_TEST_TMPDIR/provider_cookies.$RANDOM url=$1 page prompt step
	for ((step = 0; step < 8; step++)); do
		case $url in
		"$OIDC_URL"/interaction/*)
			page=$(curl -sS --max-time "$(scaled 10)" -b "$jar" -c "$jar" "$url") || return 1
			prompt=$(grep -o 'name="prompt" value="[a-z]*"' <<<"$page" | sed 's/.*value="\(.*\)"/\1/')
			url=$(curl -sS --max-time "$(scaled 10)" -b "$jar" -c "$jar" -o /dev/null -w '%{redirect_url}' \
				--data-urlencode "prompt=$prompt" --data-urlencode "login=$2" \
				--data-urlencode password=any "$url") || return 1
			;;
		"$OIDC_URL"/*)
			url=$(curl -sS --max-time "$(scaled 10)" -b "$jar" -c "$jar" -o /dev/null -w '%{redirect_url}' "$url") ||
				return 1
			;;
		*) break ;;
		esac
	done
	PROVIDER_REDIRECT=$url
	PROVIDER_CODE=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$PROVIDER_REDIRECT")
	PROVIDER_STATE=$(sed -n 's/.*[?&]state=\([^&]*\).*/\1/p' <<<"$PROVIDER_REDIRECT")
	# RFC 9207: the issuer, percent-decoded as the portal would read it from the query.
	PROVIDER_ISS=$(python3 -c 'import sys, urllib.parse as u
print(u.parse_qs(u.urlsplit(sys.argv[1]).query).get("iss", [""])[0])' "$PROVIDER_REDIRECT")
	[[ -n $PROVIDER_CODE && -n $PROVIDER_STATE ]] || {
		echo "real_provider_login: no code and state in the redirect '$PROVIDER_REDIRECT'" >&2
		log_tail "$OIDC_LOG" 10
		return 1
	}
}
